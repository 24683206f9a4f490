//! The identity escrow: every KYC proof carries `id_commit` encrypted to the regulators' Baby
//! Jubjub key, so that a regulator (and nobody else) can open who made a transaction.
//!
//! Relation: with `pk = sk·B8`, randomness `k` and `S = k·pk`:
//! `escrow_R = k·B8`, `escrow_c = id_commit + Poseidon(TAG, S.x, S.y)`.
//! Decryption: `S = sk·escrow_R`, `id_commit = escrow_c − Poseidon(TAG, S.x, S.y)`.
//!
//! `TAG` = [`escrow_tag`] `= H_to_Fr("corridor/kyc-escrow/v1")` separates this Poseidon use
//! from every other one. Hiding rests on the decisional Diffie–Hellman assumption in Baby
//! Jubjub's prime-order subgroup (Poseidon as a random oracle on `S`); a fresh `k` per proof
//! makes two escrows of one customer unlinkable.
//!
//! Points travel as ark-serialize compressed 32-byte encodings; decoding checks that the point
//! is on the curve and in the prime-order subgroup, and refuses the identity as a key.
use crate::field::hash_to_fr;
use crate::jubjub::{base_point, JubjubPoint, JubjubScalar, PointVar, ScalarBitsVar};
use crate::poseidon::{poseidon, PoseidonVar};
use crate::Error;
use ark_bn254::Fr;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, MontFp, PrimeField, UniformRand, Zero};
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_std::rand::{CryptoRng, RngCore};
use corridor_core::domain;
use std::fmt;
use std::sync::Mutex;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// `H_to_Fr("corridor/kyc-escrow/v1")`, as a constant (a test recomputes it from the label).
pub const ESCROW_TAG: Fr =
    MontFp!("2615949093425951265688401947759954703061843094883341315237226119174262140763");

/// The escrow tag computed from its domain label (equal to [`ESCROW_TAG`]).
pub fn escrow_tag() -> Fr {
    hash_to_fr(domain::KYC_ESCROW, &[])
}

/// `Poseidon(TAG, S.x, S.y)`: the pad of the shared point `S`.
fn pad(shared: &JubjubPoint) -> Fr {
    // Arity 3 is always supported.
    poseidon(&[ESCROW_TAG, shared.x, shared.y]).unwrap_or_default()
}

/// The regulators' escrow secret key `sk`. Zeroised on drop; `Debug` prints nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct EscrowSecretKey(JubjubScalar);

impl EscrowSecretKey {
    /// A fresh non-zero key.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let sk = JubjubScalar::rand(rng);
            if !sk.is_zero() {
                return EscrowSecretKey(sk);
            }
        }
    }

    /// `sk` as 32 bytes, little-endian (canonical: below the order of Baby Jubjub's
    /// prime-order subgroup). A secret: it stays in zeroised memory.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut limbs = self.0.into_bigint();
        let mut out = Zeroizing::new([0u8; 32]);
        for (chunk, limb) in out.chunks_exact_mut(8).zip(limbs.0.iter()) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        limbs.0.zeroize();
        out
    }

    /// The key of [`Self::to_bytes`]'s encoding.
    ///
    /// # Errors
    /// [`Error::InvalidScalar`] when `bytes` is not below the subgroup order, or is zero (no
    /// key: its public key would be the identity).
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *limb = u64::from_le_bytes(b);
            b.zeroize();
        }
        let mut big = ark_ff::BigInt::new(limbs);
        limbs.zeroize();
        let scalar = JubjubScalar::from_bigint(big);
        let zero = big.is_zero();
        big.0.zeroize();
        match scalar {
            None => Err(Error::InvalidScalar {
                field: "escrow secret key",
                reason: "not below the order of Baby Jubjub's prime-order subgroup",
            }),
            Some(_) if zero => Err(Error::InvalidScalar {
                field: "escrow secret key",
                reason: "zero is not a key",
            }),
            Some(sk) => Ok(EscrowSecretKey(sk)),
        }
    }

    /// `pk = sk·B8`.
    pub fn public_key(&self) -> EscrowPublicKey {
        EscrowPublicKey((base_point() * self.0).into_affine())
    }

    /// Opens an escrow: `id_commit = escrow_c − Poseidon(TAG, (sk·escrow_R).x, (sk·escrow_R).y)`.
    pub fn decrypt(&self, ct: &EscrowCiphertext) -> Fr {
        let shared = (ct.r * self.0).into_affine();
        ct.c - pad(&shared)
    }
}

impl fmt::Debug for EscrowSecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EscrowSecretKey(<redacted>)")
    }
}

/// The regulators' escrow key `pk = sk·B8` (genesis holds it compressed).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EscrowPublicKey(JubjubPoint);

impl EscrowPublicKey {
    /// The point.
    pub fn point(&self) -> &JubjubPoint {
        &self.0
    }

    /// Wraps a point, refusing one off the curve, outside the prime-order subgroup, or the
    /// identity.
    pub fn from_point(p: JubjubPoint) -> Result<Self, Error> {
        check_point(&p, "escrow_pk")?;
        if p.is_zero() {
            return Err(Error::InvalidPoint {
                field: "escrow_pk",
                reason: "the identity is not a key",
            });
        }
        Ok(EscrowPublicKey(p))
    }

    /// The compressed 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        point_to_bytes(&self.0)
    }

    /// Decodes and validates (see [`Self::from_point`]). Every KYC statement names genesis's
    /// one escrow key, so the last key decoded is remembered: a repeat costs a comparison, not
    /// two subgroup checks.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        static LAST: Mutex<Option<([u8; 32], EscrowPublicKey)>> = Mutex::new(None);
        if let Ok(last) = LAST.lock() {
            if let Some((b, key)) = last.as_ref() {
                if b == bytes {
                    return Ok(*key);
                }
            }
        }
        let key = Self::from_point(point_from_bytes(bytes, "escrow_pk")?)?;
        if let Ok(mut last) = LAST.lock() {
            *last = Some((*bytes, key));
        }
        Ok(key)
    }
}

impl fmt::Debug for EscrowPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EscrowPublicKey({})", hex(&self.to_bytes()))
    }
}

/// The per-proof escrow randomness `k`. Zeroised on drop; `Debug` prints nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct EscrowRandomness(JubjubScalar);

impl EscrowRandomness {
    /// A fresh `k`.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        EscrowRandomness(JubjubScalar::rand(rng))
    }

    /// `k`, for the prover.
    pub fn expose_secret(&self) -> &JubjubScalar {
        &self.0
    }
}

impl fmt::Debug for EscrowRandomness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EscrowRandomness(<redacted>)")
    }
}

/// `(escrow_R, escrow_c)`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct EscrowCiphertext {
    /// `escrow_R = k·B8`.
    pub r: JubjubPoint,
    /// `escrow_c = id_commit + Poseidon(TAG, (k·pk).x, (k·pk).y)`.
    pub c: Fr,
}

impl EscrowCiphertext {
    /// Encrypts `id_commit` to `pk` with randomness `k` (the native twin of [`escrow_gadget`]).
    pub fn encrypt(pk: &EscrowPublicKey, id_commit: Fr, k: &EscrowRandomness) -> Self {
        let r = (base_point() * k.0).into_affine();
        let shared = (pk.0 * k.0).into_affine();
        EscrowCiphertext {
            r,
            c: id_commit + pad(&shared),
        }
    }

    /// Decodes `escrow_R` from its compressed bytes (validated as a subgroup point). The
    /// identity is refused: it arises only from `k = 0`, which leaves `escrow_C = id_commit +
    /// pad(0)` the same in every transaction of the customer, linking them.
    pub fn r_from_bytes(bytes: &[u8; 32]) -> Result<JubjubPoint, Error> {
        not_identity_r(point_from_bytes(bytes, "escrow_R")?)
    }

    /// Decodes `escrow_R` on the curve and canonically encoded, WITHOUT the prime-order
    /// subgroup check (a scalar multiplication by the group order). For a verifier that checks
    /// a Groth16 proof of the KYC circuit with it: the circuit constrains `escrow_R = k·B8`, so
    /// a proof that verifies implies the subgroup; such a verifier must still run
    /// [`Self::r_from_bytes`] wherever it names why a transaction fails. Errors are those of
    /// [`Self::r_from_bytes`] for the same bytes when they are off the curve or non-canonical.
    pub fn r_from_bytes_on_curve(bytes: &[u8; 32]) -> Result<JubjubPoint, Error> {
        let p = JubjubPoint::deserialize_with_mode(&bytes[..], Compress::Yes, Validate::No)
            .ok()
            .filter(JubjubPoint::is_on_curve)
            .ok_or(Error::InvalidPoint {
                field: "escrow_R",
                reason: "not a canonical Baby Jubjub point of the prime-order subgroup",
            })?;
        if point_to_bytes(&p) != *bytes {
            return Err(Error::InvalidPoint {
                field: "escrow_R",
                reason: "non-canonical encoding",
            });
        }
        not_identity_r(p)
    }
}

fn not_identity_r(p: JubjubPoint) -> Result<JubjubPoint, Error> {
    if p.is_zero() {
        return Err(Error::InvalidPoint {
            field: "escrow_R",
            reason: "the identity (escrow randomness 0 links the customer's transactions)",
        });
    }
    Ok(p)
}

/// The compressed 32-byte encoding of a point.
pub fn point_to_bytes(p: &JubjubPoint) -> [u8; 32] {
    let mut out = [0u8; 32];
    // A 32-byte buffer always holds a compressed point.
    let _ = p.serialize_with_mode(&mut out[..], Compress::Yes);
    out
}

/// Decodes a compressed point: on the curve and in the prime-order subgroup.
pub fn point_from_bytes(bytes: &[u8; 32], field: &'static str) -> Result<JubjubPoint, Error> {
    let p = JubjubPoint::deserialize_with_mode(&bytes[..], Compress::Yes, Validate::Yes).map_err(
        |_| Error::InvalidPoint {
            field,
            reason: "not a canonical Baby Jubjub point of the prime-order subgroup",
        },
    )?;
    if point_to_bytes(&p) != *bytes {
        return Err(Error::InvalidPoint {
            field,
            reason: "non-canonical encoding",
        });
    }
    Ok(p)
}

fn check_point(p: &JubjubPoint, field: &'static str) -> Result<(), Error> {
    if !p.is_on_curve() {
        return Err(Error::InvalidPoint {
            field,
            reason: "not on Baby Jubjub",
        });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(Error::InvalidPoint {
            field,
            reason: "not in the prime-order subgroup",
        });
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The escrow gadget: from `k`'s bits, the public `escrow_pk` and `id_commit`, returns
/// `(escrow_R, escrow_c) = (k·B8, id_commit + Poseidon(TAG, (k·pk).x, (k·pk).y))`.
pub fn escrow_gadget(
    k: &ScalarBitsVar,
    pk: &PointVar,
    id_commit: &FpVar<Fr>,
) -> Result<(PointVar, FpVar<Fr>), SynthesisError> {
    let r = k.fixed_base_mul(&base_point())?;
    let shared = k.variable_base_mul(pk)?;
    let pad = PoseidonVar::hash(&[FpVar::Constant(ESCROW_TAG), shared.x, shared.y])?;
    Ok((r, id_commit + pad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand_chacha::rand_core::SeedableRng;

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(21)
    }

    #[test]
    fn secret_key_bytes_round_trip_and_refuse_zero_and_non_canonical() {
        let mut rng = rng();
        for _ in 0..32 {
            let sk = EscrowSecretKey::random(&mut rng);
            let back = EscrowSecretKey::from_bytes(&sk.to_bytes()).unwrap();
            assert_eq!(back.public_key().to_bytes(), sk.public_key().to_bytes());
        }
        let refused = |bytes: [u8; 32]| match EscrowSecretKey::from_bytes(&bytes) {
            Err(Error::InvalidScalar { reason, .. }) => reason,
            other => panic!("{:?}", other.map(|k| k.public_key().to_bytes())),
        };
        assert_eq!(refused([0; 32]), "zero is not a key");
        // The subgroup order itself, and every larger encoding, is refused.
        let mut order = [0u8; 32];
        order.copy_from_slice(&JubjubScalar::MODULUS.to_bytes_le());
        assert!(refused(order).starts_with("not below"));
        assert!(refused([0xff; 32]).starts_with("not below"));
        // One below the order is a key.
        order[0] -= 1;
        assert!(EscrowSecretKey::from_bytes(&order).is_ok());
    }

    #[test]
    fn an_identity_escrow_r_is_refused_by_both_decoders() {
        let identity = point_to_bytes(&JubjubPoint::zero());
        for r in [
            EscrowCiphertext::r_from_bytes(&identity),
            EscrowCiphertext::r_from_bytes_on_curve(&identity),
        ] {
            assert!(
                matches!(r, Err(Error::InvalidPoint { field: "escrow_R", reason }) if reason.contains("identity")),
                "{r:?}"
            );
        }
        let mut rng = rng();
        let some = point_to_bytes(&EscrowSecretKey::random(&mut rng).public_key().0);
        assert!(EscrowCiphertext::r_from_bytes(&some).is_ok());
        assert!(EscrowCiphertext::r_from_bytes_on_curve(&some).is_ok());
    }

    #[test]
    fn tag_constant_is_the_hash_of_its_label() {
        assert_eq!(escrow_tag(), ESCROW_TAG);
    }

    #[test]
    fn the_regulator_decrypts_to_id_commit_and_another_key_does_not() {
        let mut rng = rng();
        let sk = EscrowSecretKey::random(&mut rng);
        let pk = sk.public_key();
        let id_commit = Fr::rand(&mut rng);
        let k = EscrowRandomness::random(&mut rng);
        let ct = EscrowCiphertext::encrypt(&pk, id_commit, &k);
        assert_eq!(sk.decrypt(&ct), id_commit);
        let other = EscrowSecretKey::random(&mut rng);
        assert_ne!(other.decrypt(&ct), id_commit);
        // Fresh randomness: a different ciphertext of the same id_commit.
        let ct2 = EscrowCiphertext::encrypt(&pk, id_commit, &EscrowRandomness::random(&mut rng));
        assert_ne!(ct, ct2);
        assert_eq!(sk.decrypt(&ct2), id_commit);
    }

    #[test]
    fn points_round_trip_and_bad_encodings_are_refused() {
        let mut rng = rng();
        let pk = EscrowSecretKey::random(&mut rng).public_key();
        assert_eq!(EscrowPublicKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        // The identity is not a key.
        let id = point_to_bytes(&JubjubPoint::zero());
        assert!(EscrowPublicKey::from_bytes(&id).is_err());
        // Nor is it an escrow_R: randomness 0 would link the customer's transactions.
        assert!(EscrowCiphertext::r_from_bytes(&id).is_err());
        // Garbage is refused, and so is a point outside the prime-order subgroup.
        assert!(EscrowPublicKey::from_bytes(&[0xff; 32]).is_err());
        let mut found_low_order = false;
        for x in 2u64..200 {
            if let Some(p) = JubjubPoint::get_point_from_y_unchecked(Fr::from(x), false) {
                if !p.is_in_correct_subgroup_assuming_on_curve() {
                    let bytes = point_to_bytes(&p);
                    assert!(point_from_bytes(&bytes, "p").is_err());
                    assert!(EscrowPublicKey::from_point(p).is_err());
                    found_low_order = true;
                    break;
                }
            }
        }
        assert!(found_low_order);
    }

    #[test]
    fn gadget_matches_native() {
        let mut rng = rng();
        let sk = EscrowSecretKey::random(&mut rng);
        let pk = sk.public_key();
        let id_commit = Fr::rand(&mut rng);
        let k = EscrowRandomness::random(&mut rng);
        let ct = EscrowCiphertext::encrypt(&pk, id_commit, &k);

        let cs = ConstraintSystem::<Fr>::new_ref();
        let pk_var = PointVar::new_input(cs.clone(), Some(pk.point())).unwrap();
        let id = FpVar::new_witness(cs.clone(), || Ok(id_commit)).unwrap();
        let bits = ScalarBitsVar::new_witness(cs.clone(), Some(k.expose_secret())).unwrap();
        let (r, c) = escrow_gadget(&bits, &pk_var, &id).unwrap();
        assert_eq!(r.value().unwrap(), ct.r);
        assert_eq!(c.value().unwrap(), ct.c);
        let c_pub = FpVar::new_input(cs.clone(), || Ok(ct.c)).unwrap();
        c.enforce_equal(&c_pub).unwrap();
        assert!(cs.is_satisfied().unwrap());
    }
}
