//! Disclosures (DESIGN.md §3.5): a receipt proving one note's value to a verifier who chose a
//! nonce. Its own transcript, `corridor/disclosure/v1`, holds the network, the note id, the
//! disclosed value, the nonce, and the note's public data (owner address, chunk commitments,
//! owner handles) before any prover message.
use crate::domain;
use crate::note::Note;
use crate::proofs;
use crate::sigma::{LinearRelation, SigmaProof};
use crate::transcript::TranscriptProtocol;
use merlin::Transcript;

/// Who discloses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisclosureKind {
    /// The note's owner, with its view key: ∃ `t`: `H = t·P ∧ C − v·G = t·D`.
    Recipient,
    /// The payer, with the blinding it kept: ∃ `r`: `C − v·G = r·H ∧ D = r·P`.
    Sender,
}

impl DisclosureKind {
    fn label(self) -> &'static [u8] {
        match self {
            DisclosureKind::Recipient => b"recipient",
            DisclosureKind::Sender => b"sender",
        }
    }
}

/// A disclosure: the claimed value, the verifier's nonce, and the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disclosure {
    /// Who made it.
    pub kind: DisclosureKind,
    /// The disclosed value.
    pub value: u64,
    /// The verifier-chosen nonce.
    pub nonce: [u8; 32],
    /// The proof.
    pub proof: SigmaProof,
}

/// The transcript of a disclosure about `note`.
pub fn transcript(
    network: &str,
    note: &Note,
    kind: DisclosureKind,
    value: u64,
    nonce: &[u8; 32],
) -> Transcript {
    let mut t = Transcript::new(domain::DISCLOSURE_TRANSCRIPT);
    t.append_bytes(b"network", network.as_bytes());
    t.append_bytes(b"kind", kind.label());
    t.append_bytes(b"note-id", note.id.as_bytes());
    t.append_u64_value(b"value", value);
    t.append_bytes(b"nonce", nonce);
    t.append_bytes(b"asset", note.asset.as_bytes());
    t.append_bytes(b"owner", &note.owner.to_bytes());
    for c in &note.amount.chunks {
        t.append_point(b"commitment", &c.commitment);
        if let Some(h) = c.handles.first() {
            t.append_point(b"owner-handle", h);
        }
    }
    t
}

/// The relation a disclosure proves.
pub fn relation(note: &Note, kind: DisclosureKind, value: u64) -> LinearRelation {
    let d = note.owner_handle();
    match kind {
        DisclosureKind::Recipient => {
            proofs::recipient_disclosure(note.owner.view_key(), &note.amount, &d, value)
        }
        DisclosureKind::Sender => {
            proofs::sender_disclosure(note.owner.view_key(), &note.amount, &d, value)
        }
    }
}
