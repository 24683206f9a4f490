//! The BN254 scalar field `Fr` as the KYC circuit sees it: `H_to_Fr` and canonical bytes.
//!
//! `H_to_Fr(label, data…)` is the full 64-byte `H(label, data…) = SHA-512(len‖label‖len‖data…)`
//! (DESIGN.md §3.1) reduced modulo r, so the bias is below 2^-250.
use crate::Error;
use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use corridor_core::hash::Hasher;

/// `H_to_Fr(label, parts…)`: the full SHA-512 digest of [`Hasher`] reduced mod r.
pub fn hash_to_fr(label: &[u8], parts: &[&[u8]]) -> Fr {
    let wide = parts
        .iter()
        .fold(Hasher::new(label), |h, p| h.part(p))
        .finish_wide();
    Fr::from_le_bytes_mod_order(&wide)
}

/// The canonical 32-byte little-endian encoding of `x`.
pub fn fr_to_bytes(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_le());
    out
}

/// Decodes 32 little-endian bytes, rejecting values ≥ r (`field` names the value in errors).
pub fn fr_from_bytes(bytes: &[u8; 32], field: &'static str) -> Result<Fr, Error> {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    Fr::from_bigint(ark_ff::BigInt::new(limbs)).ok_or(Error::NonCanonicalField { field })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{One, UniformRand, Zero};
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn bytes_round_trip_and_reject_non_canonical() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        for _ in 0..32 {
            let x = Fr::rand(&mut rng);
            assert_eq!(fr_from_bytes(&fr_to_bytes(&x), "x").unwrap(), x);
        }
        let r_bytes = {
            let mut b = [0u8; 32];
            b.copy_from_slice(&Fr::MODULUS.to_bytes_le());
            b
        };
        assert!(matches!(
            fr_from_bytes(&r_bytes, "x"),
            Err(Error::NonCanonicalField { field: "x" })
        ));
        assert!(fr_from_bytes(&[0xff; 32], "x").is_err());
        let minus_one = fr_to_bytes(&-Fr::one());
        assert_eq!(fr_from_bytes(&minus_one, "x").unwrap(), -Fr::one());
    }

    #[test]
    fn hash_to_fr_uses_the_wide_digest_and_separates_labels() {
        let a = hash_to_fr(b"corridor/test/v1", &[b"x"]);
        let wide = Hasher::new(b"corridor/test/v1").part(b"x").finish_wide();
        assert_eq!(a, Fr::from_le_bytes_mod_order(&wide));
        // The high 32 bytes matter (it is not the truncated id hash).
        let narrow = Fr::from_le_bytes_mod_order(&wide[..32]);
        assert_ne!(a, narrow);
        assert_ne!(a, hash_to_fr(b"corridor/test2/v1", &[b"x"]));
        assert_ne!(a, hash_to_fr(b"corridor/test/v1", &[b"x", b""]));
        assert!(!a.is_zero());
    }
}
