//! The prover of linear sigma relations (see [`corridor_core::sigma`] for the protocol).
use crate::error::ProveError;
use corridor_core::group::Point;
use corridor_core::sigma::{LinearRelation, SigmaProof};
use corridor_core::transcript::TranscriptProtocol;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::MultiscalarMul;
use merlin::Transcript;
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

/// Proves `relation` with `witness` as sub-proof `index` of `transcript`.
///
/// Does not check that the witness satisfies the relation: a false witness gives a proof that
/// fails verification (the builder checks amounts before it proves; soundness tests rely on
/// this to play a cheating prover).
pub fn prove<R: RngCore + CryptoRng>(
    relation: &LinearRelation,
    witness: &[Scalar],
    index: u64,
    transcript: &mut Transcript,
    rng: &mut R,
) -> Result<SigmaProof, ProveError> {
    if witness.len() != relation.witnesses {
        return Err(ProveError::WitnessSize {
            expected: relation.witnesses,
            got: witness.len(),
        });
    }
    transcript.start_proof(relation.separator, index);
    let mut nonces: Vec<Scalar> = (0..relation.witnesses)
        .map(|_| Scalar::random(rng))
        .collect();
    let commitments: Vec<Point> = relation
        .equations
        .iter()
        .map(|e| {
            Point::new(RistrettoPoint::multiscalar_mul(
                e.rhs.iter().map(|(i, _)| nonces[*i]),
                e.rhs.iter().map(|(_, b)| b.point()),
            ))
        })
        .collect();
    for y in &commitments {
        transcript.append_point(b"Y", y);
    }
    let c = transcript.challenge_scalar(b"c");
    let responses = nonces.iter().zip(witness).map(|(k, w)| k + c * w).collect();
    nonces.zeroize();
    Ok(SigmaProof {
        commitments,
        responses,
    })
}
