//! A transaction signature as a verification equation, so that it folds into a block's MSM.
//!
//! Relation: schnorrkel 0.11's sr25519 verification of `(R, s)` by `X` over the transaction's
//! signing bytes in context `corridor/tx-sig/v1` is `s·B = R + k·X`, `B` the Ristretto
//! basepoint (our `G`), `k` the challenge of its signing transcript: the context's transcript
//! with the message (`"SigningContext"`, the context, `"sign-bytes"`), then `"proto-name"`
//! `"Schnorr-sig"`, `X` as `"sign:pk"`, `R` as `"sign:R"`, challenge `"sign:c"` (64 bytes
//! reduced wide). The bytes are parsed as schnorrkel parses them (marker bit 7 of byte 63 set,
//! `s` canonical); schnorrkel compares encodings, so an `R` that does not decompress can never
//! verify and is refused here at once. Ristretto has prime order, so the equation over points
//! is the same check.
use corridor_core::domain;
use corridor_core::group::Point;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use schnorrkel::context::SigningTranscript;

use crate::field::Fe;
use crate::msm::Terms;

/// A parsed signature with its challenge: `s·G − k·X − R = 0` must hold.
#[derive(Clone, Debug)]
pub(crate) struct SignatureCheck {
    s: Fe,
    k: Fe,
    r: RistrettoPoint,
    signer: Point,
}

impl SignatureCheck {
    /// Parses `signature` by `signer` over `message` and derives its challenge; `None` if the
    /// bytes cannot be a valid signature.
    pub fn new(signer: &Point, message: &[u8], signature: &[u8; 64]) -> Option<Self> {
        // schnorrkel's own parser: the marker bit and a canonical `s`.
        schnorrkel::Signature::from_bytes(signature).ok()?;
        let mut r_bytes = [0u8; 32];
        r_bytes.copy_from_slice(&signature[..32]);
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&signature[32..]);
        s_bytes[31] &= 0x7f;
        let s: Scalar = Option::from(Scalar::from_canonical_bytes(s_bytes))?;
        let r_compressed = CompressedRistretto(r_bytes);
        let r = r_compressed.decompress()?;
        let mut t = schnorrkel::signing_context(domain::TX_SIGNATURE).bytes(message);
        t.proto_name(b"Schnorr-sig");
        t.commit_point(b"sign:pk", &signer.compressed());
        t.commit_point(b"sign:R", &r_compressed);
        let k: Scalar = t.challenge_scalar(b"sign:c");
        Some(Self {
            s: Fe::from_scalar(&s),
            k: Fe::from_scalar(&k),
            r,
            signer: *signer,
        })
    }

    /// Adds `ω·(s·G − k·X − R)` to `terms`.
    pub fn add(&self, weight: Fe, terms: &mut Terms) {
        terms.add_g(weight * self.s);
        terms.add_point(-(weight * self.k), &self.signer);
        terms.add_unique(-weight, self.r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::Threads;
    use corridor_core::keys::{verify_signature, SpendKey};
    use rand_chacha::rand_core::{RngCore, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    fn holds(check: &SignatureCheck) -> bool {
        let mut terms = Terms::default();
        check.add(Fe::from_u128(3), &mut terms);
        terms.is_identity(&Threads::current())
    }

    /// The equation accepts exactly what schnorrkel accepts: valid signatures, and none of
    /// their single-byte mutations, other messages or other keys.
    #[test]
    fn agrees_with_schnorrkel() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for case in 0..40 {
            let key = SpendKey::random(&mut rng);
            let other = SpendKey::random(&mut rng);
            let mut message = vec![0u8; case * 7];
            rng.fill_bytes(&mut message);
            let signature = key.sign(&message);
            let x = key.public();
            assert!(verify_signature(&x, &message, &signature));
            assert!(SignatureCheck::new(&x, &message, &signature).is_some_and(|c| holds(&c)));
            assert!(!SignatureCheck::new(&other.public(), &message, &signature)
                .is_some_and(|c| holds(&c)));
            let mut longer = message.clone();
            longer.push(0);
            assert!(!SignatureCheck::new(&x, &longer, &signature).is_some_and(|c| holds(&c)));
            for position in 0..64 {
                let mut mutated = signature;
                mutated[position] ^= 1 << (case % 8);
                let schnorrkel = verify_signature(&x, &message, &mutated);
                let ours = SignatureCheck::new(&x, &message, &mutated).is_some_and(|c| holds(&c));
                assert_eq!(schnorrkel, ours, "byte {position}");
                assert!(!ours);
            }
        }
    }

    #[test]
    fn unmarked_and_noncanonical_signatures_do_not_parse() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let key = SpendKey::random(&mut rng);
        let mut signature = key.sign(b"m");
        signature[63] &= 0x7f;
        assert!(SignatureCheck::new(&key.public(), b"m", &signature).is_none());
        let mut signature = key.sign(b"m");
        signature[32..].copy_from_slice(&[0xff; 32]);
        assert!(SignatureCheck::new(&key.public(), b"m", &signature).is_none());
    }
}
