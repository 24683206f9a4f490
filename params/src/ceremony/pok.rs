//! Proof of knowledge of a contribution's secret `x` (BGM17 §4, as in snarkjs and
//! phase2-bn254): `g1_s` a random point, `g1_sx = x·g1_s`, `g2_spx = x·g2_sp` where
//! `g2_sp = hash_to_g2(H(CEREMONY_POK, previous step hash, secret, g1_s, g1_sx))`.
//!
//! Relation: ∃ `x`: `g1_sx = x·g1_s` ∧ `g2_spx = x·g2_sp`, checked as
//! `e(g1_s, g2_spx) = e(g1_sx, g2_sp)`. The challenge `g2_sp` depends on the previous step, so a
//! proof cannot be replayed in another position, and nobody knows its discrete logarithm, so
//! `g2_spx` can only be made by someone who knows `x` (in the algebraic group model). The same
//! pair `(g2_sp, g2_spx)` then proves that an element was multiplied by that `x`:
//! `e(old, g2_spx) = e(new, g2_sp)`.

use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use corridor_core::domain::CEREMONY_POK;
use corridor_core::hash::Hasher;
use rand_core::{CryptoRng, RngCore};

use super::error::{Element, StepDecodeError, StepFailure};
use super::group::{hash_to_g2, mul, nonzero_scalar, same_ratio, Reader, Writer};
use super::{Secret, StepHash};

/// A published proof of knowledge of one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProofOfKnowledge {
    /// A random point of G1.
    pub g1_s: G1Affine,
    /// `x·g1_s`.
    pub g1_sx: G1Affine,
    /// `x·g2_sp`, `g2_sp` hashed from the transcript ([`Self::challenge`]).
    pub g2_spx: G2Affine,
}

impl ProofOfKnowledge {
    /// Proves knowledge of `x` (the secret `secret` of the step after `previous`).
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        x: &Fr,
        secret: Secret,
        previous: &StepHash,
        rng: &mut R,
    ) -> Self {
        let s = nonzero_scalar(rng);
        let g1_s = (G1Affine::generator() * s).into_affine();
        let g1_sx = mul(&g1_s, x).into_affine();
        let g2_sp = Self::challenge_of(secret, previous, &g1_s, &g1_sx);
        let g2_spx = mul(&g2_sp, x).into_affine();
        ProofOfKnowledge {
            g1_s,
            g1_sx,
            g2_spx,
        }
    }

    fn challenge_of(
        secret: Secret,
        previous: &StepHash,
        g1_s: &G1Affine,
        g1_sx: &G1Affine,
    ) -> G2Affine {
        let mut points = Writer::default();
        points.point(g1_s);
        points.point(g1_sx);
        let seed = Hasher::new(CEREMONY_POK)
            .part(previous)
            .part(&[secret.tag()])
            .part(&points.0)
            .finish();
        hash_to_g2(&seed)
    }

    /// `g2_sp`: the challenge hashed from the previous step and `g1_s`, `g1_sx`.
    pub fn challenge(&self, secret: Secret, previous: &StepHash) -> G2Affine {
        Self::challenge_of(secret, previous, &self.g1_s, &self.g1_sx)
    }

    /// Checks the proof (no identity, secret not 1, the pairing equation) and returns the
    /// challenge `g2_sp`, with which [`Self::check_update`] checks the elements it moved.
    pub(crate) fn check(
        &self,
        secret: Secret,
        previous: &StepHash,
    ) -> Result<G2Affine, StepFailure> {
        if self.g1_s.is_zero() || self.g1_sx.is_zero() || self.g2_spx.is_zero() {
            return Err(StepFailure::Identity {
                element: Element::ProofOfKnowledge,
            });
        }
        if self.g1_s == self.g1_sx {
            return Err(StepFailure::TrivialSecret { secret });
        }
        let g2_sp = self.challenge(secret, previous);
        if !same_ratio(&self.g1_s, &self.g1_sx, &g2_sp, &self.g2_spx) {
            return Err(StepFailure::ProofOfKnowledge { secret });
        }
        Ok(g2_sp)
    }

    /// Checks `new = x·old` for the proven `x` (`g2_sp` from [`Self::check`]).
    pub(crate) fn check_update(
        &self,
        g2_sp: &G2Affine,
        old: &G1Affine,
        new: &G1Affine,
        secret: Secret,
        element: Element,
    ) -> Result<(), StepFailure> {
        if new.is_zero() {
            return Err(StepFailure::Identity { element });
        }
        if !same_ratio(old, new, g2_sp, &self.g2_spx) {
            return Err(StepFailure::NotUpdated { secret, element });
        }
        Ok(())
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.point(&self.g1_s);
        w.point(&self.g1_sx);
        w.point(&self.g2_spx);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, StepDecodeError> {
        Ok(ProofOfKnowledge {
            g1_s: r.g1("proof of knowledge g1_s")?,
            g1_sx: r.g1("proof of knowledge g1_sx")?,
            g2_spx: r.g2("proof of knowledge g2_spx")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn proof_verifies_in_its_position_only_and_proves_updates() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let x = nonzero_scalar(&mut rng);
        let previous = [5u8; 32];
        let proof = ProofOfKnowledge::prove(&x, Secret::Tau, &previous, &mut rng);
        let g2_sp = proof.check(Secret::Tau, &previous).unwrap();
        // Another position or another secret: another challenge.
        assert_eq!(
            proof.check(Secret::Tau, &[6u8; 32]),
            Err(StepFailure::ProofOfKnowledge {
                secret: Secret::Tau
            })
        );
        assert_eq!(
            proof.check(Secret::Alpha, &previous),
            Err(StepFailure::ProofOfKnowledge {
                secret: Secret::Alpha
            })
        );
        let old = (G1Affine::generator() * Fr::from(3u64)).into_affine();
        let new = (old * x).into_affine();
        assert!(proof
            .check_update(&g2_sp, &old, &new, Secret::Tau, Element::TauG1)
            .is_ok());
        assert_eq!(
            proof.check_update(&g2_sp, &old, &old, Secret::Tau, Element::TauG1),
            Err(StepFailure::NotUpdated {
                secret: Secret::Tau,
                element: Element::TauG1
            })
        );
        // A proof for x = 1 is refused as trivial.
        let one = ProofOfKnowledge::prove(&Fr::from(1u64), Secret::Delta, &previous, &mut rng);
        assert_eq!(
            one.check(Secret::Delta, &previous),
            Err(StepFailure::TrivialSecret {
                secret: Secret::Delta
            })
        );
        let mut w = Writer::default();
        proof.write(&mut w);
        let mut r = Reader::new(&w.0);
        assert_eq!(ProofOfKnowledge::read(&mut r).unwrap(), proof);
        r.finish().unwrap();
    }
}
