//! Receipts: the owner (recipient) or the payer (sender) proves one note's value to a verifier
//! who chose `nonce`.
use crate::error::ProveError;
use crate::sigma::prove;
use corridor_core::disclosure::{relation, transcript, Disclosure, DisclosureKind};
use corridor_core::elgamal::AmountOpening;
use corridor_core::keys::ViewKey;
use corridor_core::note::Note;
use rand_core::{CryptoRng, RngCore};

/// The owner discloses `value` of `note` with its view key (witness `t = s⁻¹`).
pub fn prove_recipient<R: RngCore + CryptoRng>(
    network: &str,
    note: &Note,
    view: &ViewKey,
    value: u64,
    nonce: [u8; 32],
    rng: &mut R,
) -> Result<Disclosure, ProveError> {
    let kind = DisclosureKind::Recipient;
    let mut t = transcript(network, note, kind, value, &nonce);
    let proof = prove(
        &relation(note, kind, value),
        &[view.inverse()],
        0,
        &mut t,
        rng,
    )?;
    Ok(Disclosure {
        kind,
        value,
        nonce,
        proof,
    })
}

/// The payer discloses the value of an output it made, with the opening it kept
/// (witness `r = r_0 + 2^32·r_1`).
pub fn prove_sender<R: RngCore + CryptoRng>(
    network: &str,
    note: &Note,
    opening: &AmountOpening,
    nonce: [u8; 32],
    rng: &mut R,
) -> Result<Disclosure, ProveError> {
    let kind = DisclosureKind::Sender;
    let value = opening.value;
    let mut t = transcript(network, note, kind, value, &nonce);
    let proof = prove(
        &relation(note, kind, value),
        &[opening.combined_blinding()],
        0,
        &mut t,
        rng,
    )?;
    Ok(Disclosure {
        kind,
        value,
        nonce,
        proof,
    })
}
