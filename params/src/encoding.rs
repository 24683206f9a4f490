//! The canonical byte encodings of Groth16 proofs and verifying keys on BN254, with the one
//! strict decoder that every part of Corridor uses ([`crate::VerifyingKey::from_bytes`], the
//! verifier's `PreparedKey::from_bytes` and `decode_proof` all come here).
//!
//! Layout: arkworks' compressed serialisation. A proof is `A ‖ B ‖ C` ([`PROOF_BYTES`] = 128
//! bytes); a verifying key is `alpha_g1 ‖ beta_g2 ‖ gamma_g2 ‖ delta_g2 ‖ u64-LE count ‖
//! gamma_abc_g1…`.
//!
//! What decoding checks: compressed points only, each on its curve and in the prime-order
//! subgroup (the G2 check matters: BN254's G2 has a large cofactor), each encoded canonically
//! (re-encoding gives the same bytes, so one proof has one encoding), exact lengths, a
//! `gamma_abc_g1` count of at least 1 and no larger than the bytes that follow can hold (a
//! forged count never makes the decoder allocate), no trailing bytes. Errors name the element
//! ([`Element`]) and what was wrong with it. The batch verifier relies on this: its soundness
//! argument needs every point in its prime-order group, so proofs must come from
//! [`decode_proof`] (or from an honest prover), never from unchecked bytes.
use crate::subgroup::g2_in_subgroup;
use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, SWCurveConfig};
use ark_groth16::{Proof, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use std::fmt;

#[cfg(test)]
mod tests;

/// Compressed G1 point: 32 bytes.
pub const G1_BYTES: usize = 32;
/// Compressed G2 point: 64 bytes.
pub const G2_BYTES: usize = 64;
/// A compressed proof `A ‖ B ‖ C`: 128 bytes.
pub const PROOF_BYTES: usize = G1_BYTES + G2_BYTES + G1_BYTES;

/// An element of a proof or a verifying key, to name what failed to decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// Proof `A` (G1).
    ProofA,
    /// Proof `B` (G2).
    ProofB,
    /// Proof `C` (G1).
    ProofC,
    /// Verifying key `alpha_g1`.
    Alpha,
    /// Verifying key `beta_g2`.
    Beta,
    /// Verifying key `gamma_g2`.
    Gamma,
    /// Verifying key `delta_g2`.
    Delta,
    /// Verifying key `gamma_abc_g1[i]`.
    GammaAbc(usize),
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Element::ProofA => f.write_str("proof A (G1)"),
            Element::ProofB => f.write_str("proof B (G2)"),
            Element::ProofC => f.write_str("proof C (G1)"),
            Element::Alpha => f.write_str("verifying key alpha_g1"),
            Element::Beta => f.write_str("verifying key beta_g2"),
            Element::Gamma => f.write_str("verifying key gamma_g2"),
            Element::Delta => f.write_str("verifying key delta_g2"),
            Element::GammaAbc(i) => write!(f, "verifying key gamma_abc_g1[{i}]"),
        }
    }
}

/// Why proof or key bytes were refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum Groth16DecodeError {
    /// A proof of the wrong length.
    #[error("proof: {found} bytes, expected {PROOF_BYTES}")]
    ProofLength {
        /// Length found.
        found: usize,
    },
    /// The bytes end inside an element.
    #[error("{element}: truncated ({found} of {expected} bytes)")]
    Truncated {
        /// Which element.
        element: Element,
        /// Bytes it needs.
        expected: usize,
        /// Bytes left.
        found: usize,
    },
    /// Not a point: bad flags, a coordinate not below the field modulus, or no point on the
    /// curve with that `x`.
    #[error("{element}: not a valid compressed curve point")]
    InvalidPoint {
        /// Which element.
        element: Element,
    },
    /// On the curve but outside the prime-order subgroup.
    #[error("{element}: not in the prime-order subgroup")]
    NotInSubgroup {
        /// Which element.
        element: Element,
    },
    /// A valid point under a non-canonical encoding (for example the infinity flag with
    /// non-zero coordinate bits).
    #[error("{element}: non-canonical encoding")]
    NonCanonical {
        /// Which element.
        element: Element,
    },
    /// The verifying key's `gamma_abc_g1` length prefix is missing, zero, or larger than the
    /// bytes that follow could hold.
    #[error("verifying key: gamma_abc_g1 declares {declared} points, {room} fit the remaining bytes (at least 1 required)")]
    InputBaseCount {
        /// Declared count (0 if the prefix itself is truncated).
        declared: u64,
        /// How many points the remaining bytes could hold.
        room: usize,
    },
    /// Bytes after the last element.
    #[error("verifying key: {count} trailing bytes")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

/// G1 has cofactor 1: every point on the curve is in the subgroup (ark's test, which says so).
fn g1_in_subgroup(p: &G1Affine) -> bool {
    p.is_in_correct_subgroup_assuming_on_curve()
}

/// Reads one compressed point of `P`'s curve from the front of `bytes`: on the curve, in the
/// prime-order subgroup (`in_subgroup`), canonically encoded.
fn read_point<P: SWCurveConfig>(
    bytes: &mut &[u8],
    element: Element,
    in_subgroup: fn(&Affine<P>) -> bool,
) -> Result<Affine<P>, Groth16DecodeError> {
    let size = Affine::<P>::identity().compressed_size();
    if bytes.len() < size {
        return Err(Groth16DecodeError::Truncated {
            element,
            expected: size,
            found: bytes.len(),
        });
    }
    let (head, rest) = bytes.split_at(size);
    // Decompression finds y on the curve or fails; the subgroup check is separate so that the
    // error says which of the two went wrong.
    let point = Affine::<P>::deserialize_with_mode(head, Compress::Yes, Validate::No)
        .map_err(|_| Groth16DecodeError::InvalidPoint { element })?;
    if !point.is_on_curve() {
        return Err(Groth16DecodeError::InvalidPoint { element });
    }
    if !in_subgroup(&point) {
        return Err(Groth16DecodeError::NotInSubgroup { element });
    }
    let mut again = Vec::with_capacity(size);
    if point.serialize_compressed(&mut again).is_err() || again != head {
        return Err(Groth16DecodeError::NonCanonical { element });
    }
    *bytes = rest;
    Ok(point)
}

/// Appends the compressed encoding of `value` (writing into a `Vec` cannot fail).
fn write_compressed<T: CanonicalSerialize>(value: &T, out: &mut Vec<u8>) {
    let start = out.len();
    if value.serialize_compressed(&mut *out).is_err() {
        out.truncate(start);
    }
}

/// The canonical encoding of a proof: compressed `A ‖ B ‖ C`, [`PROOF_BYTES`] bytes.
pub fn encode_proof(proof: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(PROOF_BYTES);
    write_compressed(&proof.a, &mut out);
    write_compressed(&proof.b, &mut out);
    write_compressed(&proof.c, &mut out);
    out
}

/// Decodes a compressed proof `A ‖ B ‖ C` (exactly [`PROOF_BYTES`] bytes), validating every
/// point (curve, subgroup, canonical encoding).
///
/// # Errors
/// [`Groth16DecodeError::ProofLength`] for a wrong length; otherwise the first bad element,
/// named.
pub fn decode_proof(bytes: &[u8]) -> Result<Proof<Bn254>, Groth16DecodeError> {
    if bytes.len() != PROOF_BYTES {
        return Err(Groth16DecodeError::ProofLength { found: bytes.len() });
    }
    let mut rest = bytes;
    let a: G1Affine = read_point(&mut rest, Element::ProofA, g1_in_subgroup)?;
    let b: G2Affine = read_point(&mut rest, Element::ProofB, g2_in_subgroup)?;
    let c: G1Affine = read_point(&mut rest, Element::ProofC, g1_in_subgroup)?;
    Ok(Proof { a, b, c })
}

/// The canonical encoding of a verifying key (the module doc's layout).
pub fn encode_verifying_key(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::with_capacity(vk.compressed_size());
    write_compressed(vk, &mut out);
    out
}

/// SHA-256 of [`encode_verifying_key`]: the hash genesis pins (`vk_hash`).
pub fn verifying_key_sha256(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(encode_verifying_key(vk)).into()
}

/// Decodes a compressed verifying key in ark-groth16's layout (`alpha_g1 ‖ beta_g2 ‖ gamma_g2 ‖
/// delta_g2 ‖ u64-LE count ‖ gamma_abc_g1…`), validating every point (curve, subgroup,
/// canonical encoding), the count (at least 1, no larger than the bytes can hold) and the
/// absence of trailing bytes.
///
/// # Errors
/// The first bad element, named; [`Groth16DecodeError::InputBaseCount`];
/// [`Groth16DecodeError::TrailingBytes`].
pub fn decode_verifying_key(bytes: &[u8]) -> Result<VerifyingKey<Bn254>, Groth16DecodeError> {
    let mut rest = bytes;
    let alpha_g1: G1Affine = read_point(&mut rest, Element::Alpha, g1_in_subgroup)?;
    let beta_g2: G2Affine = read_point(&mut rest, Element::Beta, g2_in_subgroup)?;
    let gamma_g2: G2Affine = read_point(&mut rest, Element::Gamma, g2_in_subgroup)?;
    let delta_g2: G2Affine = read_point(&mut rest, Element::Delta, g2_in_subgroup)?;
    let (prefix, after) = match rest.split_first_chunk::<8>() {
        Some((prefix, after)) => (u64::from_le_bytes(*prefix), after),
        None => {
            return Err(Groth16DecodeError::InputBaseCount {
                declared: 0,
                room: 0,
            })
        }
    };
    let room = after.len() / G1_BYTES;
    let count = match usize::try_from(prefix) {
        Ok(count) if count >= 1 && count <= room => count,
        _ => {
            return Err(Groth16DecodeError::InputBaseCount {
                declared: prefix,
                room,
            })
        }
    };
    rest = after;
    let gamma_abc_g1 = (0..count)
        .map(|i| read_point(&mut rest, Element::GammaAbc(i), g1_in_subgroup))
        .collect::<Result<Vec<G1Affine>, _>>()?;
    if !rest.is_empty() {
        return Err(Groth16DecodeError::TrailingBytes { count: rest.len() });
    }
    Ok(VerifyingKey {
        alpha_g1,
        beta_g2,
        gamma_g2,
        delta_g2,
        gamma_abc_g1,
    })
}
