//! Groth16 key types on BN254 with canonical, validating encodings.
//!
//! Encodings are arkworks' canonical serialisation: the verifying key compressed (small,
//! hashed into genesis) and decoded by the strict decoder of [`crate::encoding`] (canonical
//! points, bounded input-base count, errors naming the element); the proving key uncompressed
//! (tens of thousands of points; decoding compressed points would cost a square root each).
//! Decoding always validates: every point on the curve and in the prime-order subgroup (G2
//! subgroup checks included), no trailing bytes.

use ark_bn254::Bn254;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use sha2::{Digest, Sha256};
use std::fmt;

use crate::encoding::{decode_verifying_key, encode_verifying_key, verifying_key_sha256};
use crate::ParamsError;

fn encode<T: CanonicalSerialize>(value: &T, compress: Compress) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.serialized_size(compress));
    // Writing into a Vec cannot fail.
    if value.serialize_with_mode(&mut out, compress).is_err() {
        out.clear();
    }
    out
}

fn decode<T: CanonicalDeserialize>(
    bytes: &[u8],
    compress: Compress,
    what: &'static str,
) -> Result<T, ParamsError> {
    let mut reader = bytes;
    let value = T::deserialize_with_mode(&mut reader, compress, Validate::Yes).map_err(|e| {
        ParamsError::Encoding {
            what,
            reason: e.to_string(),
        }
    })?;
    if !reader.is_empty() {
        return Err(ParamsError::Encoding {
            what,
            reason: format!("{} trailing bytes", reader.len()),
        });
    }
    Ok(value)
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A Groth16 verifying key on BN254.
#[derive(Clone, PartialEq)]
pub struct VerifyingKey(pub ark_groth16::VerifyingKey<Bn254>);

impl VerifyingKey {
    /// Canonical bytes (compressed points, [`crate::encoding`]'s layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode_verifying_key(&self.0)
    }

    /// Decodes canonical bytes with [`crate::encoding::decode_verifying_key`]: every point on
    /// its curve, in the prime-order subgroup and canonically encoded, the input-base count
    /// bounded by the bytes, nothing trailing. The error names the element.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParamsError> {
        Ok(VerifyingKey(decode_verifying_key(bytes)?))
    }

    /// The number of public inputs the key verifies.
    pub fn public_inputs(&self) -> usize {
        self.0.gamma_abc_g1.len().saturating_sub(1)
    }

    /// Checks the key has exactly `expected` public inputs.
    pub fn check_public_inputs(&self, expected: usize) -> Result<(), ParamsError> {
        if self.0.gamma_abc_g1.len() != expected + 1 {
            return Err(ParamsError::InputCount {
                expected: expected + 1,
                found: self.0.gamma_abc_g1.len(),
            });
        }
        Ok(())
    }

    /// SHA-256 of the canonical bytes: the hash genesis pins.
    pub fn sha256(&self) -> [u8; 32] {
        verifying_key_sha256(&self.0)
    }

    /// [`Self::sha256`] in lower-case hex.
    pub fn hash_hex(&self) -> String {
        hex::encode(self.sha256())
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("public_inputs", &self.public_inputs())
            .field("sha256", &self.hash_hex())
            .finish()
    }
}

/// A Groth16 proving key on BN254 (public data, but large).
#[derive(Clone, PartialEq)]
pub struct ProvingKey(pub ark_groth16::ProvingKey<Bn254>);

impl ProvingKey {
    /// Canonical bytes (uncompressed points).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(&self.0, Compress::No)
    }

    /// Decodes and validates canonical bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ParamsError> {
        let pk: ark_groth16::ProvingKey<Bn254> = decode(bytes, Compress::No, "proving key")?;
        if pk.a_query.len() != pk.b_g1_query.len() || pk.a_query.len() != pk.b_g2_query.len() {
            return Err(ParamsError::Encoding {
                what: "proving key",
                reason: "A, B (G1) and B (G2) queries differ in length".into(),
            });
        }
        Ok(ProvingKey(pk))
    }

    /// The verifying key inside.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.0.vk.clone())
    }
}

impl fmt::Debug for ProvingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvingKey")
            .field("variables", &self.0.a_query.len())
            .field("h_query", &self.0.h_query.len())
            .field("public_inputs", &self.verifying_key().public_inputs())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::{Element, Groth16DecodeError};
    use crate::testing::key_pair;
    use ark_bn254::{Fq2, G2Affine};
    use ark_ec::AffineRepr;
    use ark_ff::UniformRand;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn keys_roundtrip_and_reject_truncated_or_trailing_bytes() {
        let pk = key_pair(7);
        let vk = pk.verifying_key();
        assert_eq!(VerifyingKey::from_bytes(&vk.to_bytes()).unwrap(), vk);
        assert_eq!(ProvingKey::from_bytes(&pk.to_bytes()).unwrap(), pk);
        assert_eq!(vk.public_inputs(), 2);
        let bytes = vk.to_bytes();
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            assert!(matches!(
                VerifyingKey::from_bytes(&bytes[..cut]),
                Err(ParamsError::Groth16Encoding(_))
            ));
        }
        let mut long = bytes.clone();
        long.push(0);
        let err = VerifyingKey::from_bytes(&long).unwrap_err();
        assert!(matches!(
            err,
            ParamsError::Groth16Encoding(Groth16DecodeError::TrailingBytes { count: 1 })
        ));
        assert_eq!(err.to_string(), "verifying key: 1 trailing bytes");
        let pk_bytes = pk.to_bytes();
        assert!(matches!(
            ProvingKey::from_bytes(&pk_bytes[..pk_bytes.len() - 1]),
            Err(ParamsError::Encoding {
                what: "proving key",
                ..
            })
        ));
    }

    #[test]
    fn g2_point_outside_the_subgroup_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let off_subgroup = loop {
            let x = Fq2::rand(&mut rng);
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, true) {
                if p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve() {
                    break p;
                }
            }
        };
        let mut vk = key_pair(9).verifying_key();
        vk.0.delta_g2 = off_subgroup;
        let bytes = vk.to_bytes();
        assert!(matches!(
            VerifyingKey::from_bytes(&bytes),
            Err(ParamsError::Groth16Encoding(
                Groth16DecodeError::NotInSubgroup {
                    element: Element::Delta
                }
            ))
        ));
        assert!(!off_subgroup.is_zero());
    }

    #[test]
    fn input_count_is_checked() {
        let vk = key_pair(10).verifying_key();
        assert!(vk.check_public_inputs(2).is_ok());
        assert!(matches!(
            vk.check_public_inputs(3),
            Err(ParamsError::InputCount {
                expected: 4,
                found: 3
            })
        ));
    }

    #[test]
    fn debug_prints_no_key_material() {
        let pk = key_pair(11);
        let text = format!("{pk:?} {:?}", pk.verifying_key());
        assert!(text.contains("public_inputs: 2"), "{text}");
        assert!(text.len() < 300, "{text}");
    }
}
