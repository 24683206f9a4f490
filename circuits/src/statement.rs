//! From a resolved transaction statement to the KYC circuit's inputs.
//!
//! [`corridor_core::statement::KycPublicInputs`] holds every public input as the bytes the
//! transaction carries or the node supplies; this module maps them to field elements in the
//! circuit's order, for the verifier ([`public_inputs`]) and for the prover ([`context`]). One
//! mapping serves both, so prover and verifier cannot disagree on an input.

use corridor_core::statement::{KycPublicInputs as StatementInputs, KycScope};

use crate::escrow::EscrowCiphertext;
use crate::field::fr_from_bytes;
use crate::kyc::{binding, registration_scope, transaction_scope, KycContext, KycPublicInputs};
use crate::{Error, EscrowPublicKey};

/// The node-supplied part: day, policy, binding, scope and escrow key.
pub fn context(s: &StatementInputs) -> Result<KycContext, Error> {
    let scope = match &s.scope {
        KycScope::Transaction(digest) => transaction_scope(digest),
        KycScope::Registration {
            network,
            year,
            month,
        } => registration_scope(network, *year, *month)?,
    };
    Ok(KycContext {
        epoch_day: s.proof.epoch_day,
        allowed_mask: s.allowed_mask,
        max_tier: s.max_tier,
        binding: binding(&s.signer, &s.digest),
        scope,
        escrow_pk: EscrowPublicKey::from_bytes(&s.escrow_pk)?,
    })
}

/// Every public input: the context plus what travels (root, issuer, nullifier, escrow
/// ciphertext) and the `link` resolved for this transaction. Non-canonical field bytes and
/// escrow points off the subgroup are typed errors.
pub fn public_inputs(s: &StatementInputs) -> Result<KycPublicInputs, Error> {
    inputs(s, EscrowCiphertext::r_from_bytes)
}

/// [`public_inputs`] without the prime-order subgroup check of `escrow_R` (see
/// [`EscrowCiphertext::r_from_bytes_on_curve`]): for a batch verifier whose Groth16 check
/// implies it, and which runs [`public_inputs`] on any transaction it refuses.
pub fn public_inputs_for_proof_check(s: &StatementInputs) -> Result<KycPublicInputs, Error> {
    inputs(s, EscrowCiphertext::r_from_bytes_on_curve)
}

fn inputs(
    s: &StatementInputs,
    escrow_r: fn(&[u8; 32]) -> Result<crate::jubjub::JubjubPoint, Error>,
) -> Result<KycPublicInputs, Error> {
    let ctx = context(s)?;
    let k = &s.proof;
    Ok(KycPublicInputs {
        root: fr_from_bytes(&k.root.0, "kyc.root")?,
        issuer_id: k.issuer,
        epoch_day: ctx.epoch_day,
        allowed_mask: ctx.allowed_mask,
        max_tier: ctx.max_tier,
        binding: ctx.binding,
        scope: ctx.scope,
        nullifier: fr_from_bytes(&k.nullifier.0, "kyc.nullifier")?,
        link: fr_from_bytes(&s.link.0, "kyc.link")?,
        escrow_pk: ctx.escrow_pk,
        escrow_r: escrow_r(&k.escrow_r)?,
        escrow_c: fr_from_bytes(&k.escrow_c.0, "kyc.escrow_c")?,
    })
}
