//! The verifier of linear sigma proofs: replays the transcript and hands out each equation as a
//! list of `(scalar, point)` terms that must sum to the identity (see [`corridor_core::sigma`]).
use crate::error::ProofError;
use corridor_core::sigma::{Base, Equation, LinearRelation, SigmaProof};
use corridor_core::transcript::TranscriptProtocol;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

/// A relation's name for error messages: the separator without its prefix and version.
pub fn relation_name(relation: &LinearRelation) -> &'static str {
    let s = std::str::from_utf8(relation.separator).unwrap_or("sigma");
    s.trim_start_matches("corridor/proof/")
        .trim_end_matches("/v1")
}

/// The verification equations of sub-proof `index`: for equation `e`,
/// `Σ z_{idx(i)}·B_i − Y_e − c·Σ a_k·A_k = 0`.
pub fn equations(
    relation: &LinearRelation,
    proof: &SigmaProof,
    index: usize,
    transcript: &mut Transcript,
) -> Result<Vec<Equation>, ProofError> {
    let (nc, nr) = relation.shape();
    if proof.commitments.len() != nc || proof.responses.len() != nr {
        return Err(ProofError::SigmaShape {
            relation: relation_name(relation),
            index,
            expected_commitments: nc,
            expected_responses: nr,
        });
    }
    transcript.start_proof(relation.separator, index as u64);
    for y in &proof.commitments {
        transcript.append_point(b"Y", y);
    }
    let c = transcript.challenge_scalar(b"c");
    Ok(relation
        .equations
        .iter()
        .zip(&proof.commitments)
        .map(|(e, y)| {
            let mut terms: Vec<(Scalar, Base)> = e
                .rhs
                .iter()
                .map(|(i, b)| (proof.responses[*i], *b))
                .collect();
            terms.push((-Scalar::ONE, Base::from(y)));
            terms.extend(e.lhs.iter().map(|(a, b)| (-c * a, *b)));
            Equation { terms }
        })
        .collect())
}

/// Verifies sub-proof `index` on its own.
pub fn verify(
    relation: &LinearRelation,
    proof: &SigmaProof,
    index: usize,
    transcript: &mut Transcript,
) -> Result<(), ProofError> {
    for (k, eq) in equations(relation, proof, index, transcript)?
        .iter()
        .enumerate()
    {
        if !eq.holds() {
            return Err(ProofError::Sigma {
                relation: relation_name(relation),
                index,
                equation: k,
            });
        }
    }
    Ok(())
}
