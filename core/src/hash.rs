//! `H(label, data…) = SHA-512(len‖label‖len‖data…)`, truncated to 32 bytes for ids (DESIGN.md
//! §3.1). Lengths are u64 little-endian, so no two different (label, parts) lists hash alike.
use sha2::{Digest, Sha512};

/// A length-prefixed SHA-512 hasher over a label and parts.
#[derive(Clone, Debug)]
pub struct Hasher(Sha512);

impl Hasher {
    /// Starts a hash under `label` (one of [`crate::domain`]).
    pub fn new(label: &[u8]) -> Self {
        let mut h = Sha512::new();
        h.update((label.len() as u64).to_le_bytes());
        h.update(label);
        Hasher(h)
    }

    /// Appends one length-prefixed part.
    pub fn part(mut self, data: &[u8]) -> Self {
        self.0.update((data.len() as u64).to_le_bytes());
        self.0.update(data);
        self
    }

    /// The full 64-byte digest (for `H_to_Fr` and wide scalar reduction).
    pub fn finish_wide(self) -> [u8; 64] {
        self.0.finalize().into()
    }

    /// The digest truncated to 32 bytes (ids, digests).
    pub fn finish(self) -> [u8; 32] {
        let wide = self.finish_wide();
        let mut out = [0u8; 32];
        out.copy_from_slice(&wide[..32]);
        out
    }
}

/// `H(label, parts…)` truncated to 32 bytes.
pub fn hash32(label: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    parts
        .iter()
        .fold(Hasher::new(label), |h, p| h.part(p))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefix_separates_parts() {
        assert_ne!(hash32(b"l", &[b"ab", b"c"]), hash32(b"l", &[b"a", b"bc"]));
        assert_ne!(hash32(b"la", &[b"b"]), hash32(b"l", &[b"ab"]));
        assert_eq!(hash32(b"l", &[b"x"]), hash32(b"l", &[b"x"]));
    }
}
