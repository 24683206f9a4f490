//! The transcript: one merlin transcript per transaction (`corridor/tx/v1`), then the network id,
//! the kind, then every value of the statement, each vector preceded by its length, before any
//! prover message (DESIGN.md §3.1). Sub-proofs then run in a fixed order, each labelled with its
//! separator and index.
use crate::domain;
use crate::group::Point;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

/// The operations statements and proofs use on a merlin transcript.
pub trait TranscriptProtocol {
    /// Appends a point's canonical bytes.
    fn append_point(&mut self, label: &'static [u8], p: &Point);
    /// Appends a scalar.
    fn append_scalar(&mut self, label: &'static [u8], s: &Scalar);
    /// Appends a u64 (little-endian).
    fn append_u64_value(&mut self, label: &'static [u8], v: u64);
    /// Appends the length of the vector that follows.
    fn append_len(&mut self, label: &'static [u8], n: usize);
    /// Appends raw bytes.
    fn append_bytes(&mut self, label: &'static [u8], b: &[u8]);
    /// Starts sub-proof `index` of the relation named by `separator`.
    fn start_proof(&mut self, separator: &'static [u8], index: u64);
    /// Draws a challenge scalar (wide reduction of 64 bytes).
    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar;
}

impl TranscriptProtocol for Transcript {
    fn append_point(&mut self, label: &'static [u8], p: &Point) {
        self.append_message(label, p.as_bytes());
    }

    fn append_scalar(&mut self, label: &'static [u8], s: &Scalar) {
        self.append_message(label, s.as_bytes());
    }

    fn append_u64_value(&mut self, label: &'static [u8], v: u64) {
        self.append_u64(label, v);
    }

    fn append_len(&mut self, label: &'static [u8], n: usize) {
        self.append_u64(label, n as u64);
    }

    fn append_bytes(&mut self, label: &'static [u8], b: &[u8]) {
        self.append_message(label, b);
    }

    fn start_proof(&mut self, separator: &'static [u8], index: u64) {
        self.append_message(b"proof", separator);
        self.append_u64(b"proof-index", index);
    }

    fn challenge_scalar(&mut self, label: &'static [u8]) -> Scalar {
        let mut buf = [0u8; 64];
        self.challenge_bytes(label, &mut buf);
        Scalar::from_bytes_mod_order_wide(&buf)
    }
}

/// A fresh transaction transcript: `corridor/tx/v1`, the network id, the kind.
pub fn tx_transcript(network: &str, kind: &'static str) -> Transcript {
    let mut t = Transcript::new(domain::TX_TRANSCRIPT);
    t.append_message(b"network", network.as_bytes());
    t.append_message(b"kind", kind.as_bytes());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_and_kind_change_challenges() {
        let c = |n: &str, k: &'static str| tx_transcript(n, k).challenge_scalar(b"c");
        assert_ne!(c("a", "transfer"), c("b", "transfer"));
        assert_ne!(c("a", "transfer"), c("a", "burn"));
        assert_eq!(c("a", "burn"), c("a", "burn"));
    }
}
