//! The aggregated range proof of a transaction: bulletproofs 5, `n = 32`, `m` = the padded list
//! length, run in the transaction transcript as sub-proof `index`.
use crate::error::{ProveError, RangeProveError};
use bulletproofs::RangeProof;
use corridor_core::domain::proof as sep;
use corridor_core::group::{bulletproof_gens, pedersen, CHUNK_BITS};
use corridor_core::range::RangeStatement;
use corridor_core::transcript::TranscriptProtocol;
use corridor_core::tx::RangeProofBytes;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};

/// Proves that each of `statement`'s commitments opens, with the given `(value, blinding)`, to a
/// value below 2^32. Values are not checked here: an out-of-range value yields a proof that fails
/// verification. Errors if the openings do not give the listed commitments.
pub fn prove_range<R: RngCore + CryptoRng>(
    statement: &RangeStatement,
    openings: &[(u64, Scalar)],
    index: u64,
    transcript: &mut Transcript,
    rng: &mut R,
) -> Result<RangeProofBytes, ProveError> {
    if statement.is_empty() {
        return Ok(RangeProofBytes::default());
    }
    if openings.len() != statement.commitments.len() {
        return Err(RangeProveError::OpeningCount {
            openings: openings.len(),
            commitments: statement.commitments.len(),
        }
        .into());
    }
    let m = statement.parties();
    let mut values: Vec<u64> = openings.iter().map(|(v, _)| *v).collect();
    let mut blindings: Vec<Scalar> = openings.iter().map(|(_, r)| *r).collect();
    values.resize(m, 0);
    blindings.resize(m, Scalar::ZERO);
    transcript.start_proof(sep::RANGE, index);
    let (proof, commitments) = RangeProof::prove_multiple_with_rng(
        bulletproof_gens(),
        &pedersen(),
        transcript,
        &values,
        &blindings,
        CHUNK_BITS,
        rng,
    )
    .map_err(RangeProveError::from)?;
    if commitments != statement.padded() {
        return Err(RangeProveError::OpeningMismatch.into());
    }
    Ok(RangeProofBytes(proof.to_bytes()))
}
