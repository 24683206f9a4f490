//! Verification of the aggregated range proof over the list the verifier built
//! ([`corridor_core::range::RangeStatement`]), padded with identities to `m`; the length is
//! checked against `m` before the bytes are parsed.
use crate::error::ProofError;
use bulletproofs::RangeProof;
use corridor_core::domain::proof as sep;
use corridor_core::group::{bulletproof_gens, pedersen, CHUNK_BITS};
use corridor_core::range::RangeStatement;
use corridor_core::transcript::TranscriptProtocol;
use corridor_core::tx::{range_proof_len, RangeProofBytes};
use merlin::Transcript;
use rand_core::OsRng;

/// Verifies the range proof as sub-proof `index` of `transcript`.
pub fn verify_range(
    statement: &RangeStatement,
    proof: &RangeProofBytes,
    index: usize,
    transcript: &mut Transcript,
) -> Result<(), ProofError> {
    if statement.is_empty() {
        return if proof.0.is_empty() {
            Ok(())
        } else {
            Err(ProofError::RangeLength {
                m: 0,
                expected: 0,
                found: proof.0.len(),
            })
        };
    }
    let m = statement.parties();
    let expected = range_proof_len(m);
    if proof.0.len() != expected {
        return Err(ProofError::RangeLength {
            m,
            expected,
            found: proof.0.len(),
        });
    }
    let parsed =
        RangeProof::from_bytes(&proof.0).map_err(|e| ProofError::RangeFormat(e.to_string()))?;
    transcript.start_proof(sep::RANGE, index as u64);
    parsed
        .verify_multiple_with_rng(
            bulletproof_gens(),
            &pedersen(),
            transcript,
            &statement.padded(),
            CHUNK_BITS,
            &mut OsRng,
        )
        .map_err(|e| match e {
            bulletproofs::ProofError::FormatError => ProofError::RangeFormat(e.to_string()),
            _ => ProofError::Range,
        })
}
