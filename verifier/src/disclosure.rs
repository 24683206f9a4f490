//! Verification of receipts.
use crate::error::ProofError;
use crate::sigma::verify;
use corridor_core::disclosure::{relation, transcript, Disclosure};
use corridor_core::note::Note;

/// Verifies that `disclosure` proves `note`'s value to the holder of `nonce`.
pub fn verify_disclosure(
    network: &str,
    note: &Note,
    disclosure: &Disclosure,
    nonce: &[u8; 32],
) -> Result<(), ProofError> {
    let mut t = transcript(network, note, disclosure.kind, disclosure.value, nonce);
    verify(
        &relation(note, disclosure.kind, disclosure.value),
        &disclosure.proof,
        0,
        &mut t,
    )
}
