//! Ristretto255 generators and canonical point and scalar decoding (DESIGN.md §3.1).
//!
//! `G = PedersenGens::default().B`, `H = PedersenGens::default().B_blinding`, so every amount
//! commitment is a bulletproofs commitment.
use crate::error::DecodeError;
use bulletproofs::{BulletproofGens, PedersenGens};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use std::fmt;
use std::sync::OnceLock;

/// Bits per amount chunk.
pub const CHUNK_BITS: usize = 32;
/// Largest aggregation size of the range proof.
pub const MAX_RANGE_PARTIES: usize = 64;

/// The Pedersen generators (G, H), computed once.
pub fn pedersen() -> PedersenGens {
    static GENS: OnceLock<PedersenGens> = OnceLock::new();
    *GENS.get_or_init(PedersenGens::default)
}

/// G, the value generator.
pub fn g() -> RistrettoPoint {
    pedersen().B
}

/// H, the blinding generator (also the base of view keys: `P = s·H`).
pub fn h() -> RistrettoPoint {
    pedersen().B_blinding
}

/// The bulletproofs generators every range proof uses: `BulletproofGens::new(32, 64)`.
pub fn bulletproof_gens() -> &'static BulletproofGens {
    static GENS: OnceLock<BulletproofGens> = OnceLock::new();
    GENS.get_or_init(|| BulletproofGens::new(CHUNK_BITS, MAX_RANGE_PARTIES))
}

/// `2^32` as a scalar: `C = C_0 + 2^32·C_1`.
pub fn chunk_scale() -> Scalar {
    Scalar::from(1u64 << CHUNK_BITS)
}

/// `2^32·p`, by dalek's variable-time double-base multiplication, whose non-adjacent form of
/// `2^32` is one digit: 32 doublings (a seventh of a generic scalar multiplication). How
/// `C_0 + 2^32·C_1` and `D_0 + 2^32·D_1` are computed. Public values only.
pub fn times_chunk_scale(p: RistrettoPoint) -> RistrettoPoint {
    RistrettoPoint::vartime_double_scalar_mul_basepoint(&chunk_scale(), &p, &Scalar::ZERO)
}

/// `2^-32`, inverted once per process (the limit's `W1` needs it in every transaction).
pub fn chunk_scale_inverse() -> Scalar {
    static INVERSE: OnceLock<Scalar> = OnceLock::new();
    *INVERSE.get_or_init(|| chunk_scale().invert())
}

/// A decompressed Ristretto point together with its canonical 32-byte encoding, so that
/// transcripts and encoders never recompress.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Point {
    compressed: CompressedRistretto,
    point: RistrettoPoint,
}

impl Point {
    /// Wraps a point, compressing it once.
    pub fn new(point: RistrettoPoint) -> Self {
        Point {
            compressed: point.compress(),
            point,
        }
    }

    /// The identity.
    pub fn identity() -> Self {
        Point::new(RistrettoPoint::default())
    }

    /// Decodes 32 canonical bytes; the identity is allowed.
    pub fn decode(bytes: &[u8], field: &str) -> Result<Self, DecodeError> {
        let arr: [u8; 32] = bytes.try_into().map_err(|_| DecodeError::Length {
            field: field.to_string(),
            expected: 32,
            got: bytes.len(),
        })?;
        let compressed = CompressedRistretto(arr);
        // dalek's decompress rejects every non-canonical encoding.
        let point = compressed
            .decompress()
            .ok_or_else(|| DecodeError::NonCanonicalPoint {
                field: field.to_string(),
            })?;
        Ok(Point { compressed, point })
    }

    /// Decodes 32 canonical bytes that must not be the identity (keys, ephemerals).
    pub fn decode_nonidentity(bytes: &[u8], field: &str) -> Result<Self, DecodeError> {
        let p = Self::decode(bytes, field)?;
        if p.is_identity() {
            return Err(DecodeError::IdentityPoint {
                field: field.to_string(),
            });
        }
        Ok(p)
    }

    /// The point.
    pub fn point(&self) -> RistrettoPoint {
        self.point
    }

    /// Its canonical encoding.
    pub fn compressed(&self) -> CompressedRistretto {
        self.compressed
    }

    /// Its canonical bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.compressed.to_bytes()
    }

    /// Its canonical bytes, borrowed.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.compressed.as_bytes()
    }

    /// Whether it is the identity.
    pub fn is_identity(&self) -> bool {
        self.point.is_identity()
    }
}

impl From<RistrettoPoint> for Point {
    fn from(p: RistrettoPoint) -> Self {
        Point::new(p)
    }
}

impl fmt::Debug for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Point({})", hex::encode(self.as_bytes()))
    }
}

/// Decodes a canonical scalar.
pub fn decode_scalar(bytes: &[u8], field: &str) -> Result<Scalar, DecodeError> {
    let arr: [u8; 32] = bytes.try_into().map_err(|_| DecodeError::Length {
        field: field.to_string(),
        expected: 32,
        got: bytes.len(),
    })?;
    Option::from(Scalar::from_canonical_bytes(arr)).ok_or_else(|| DecodeError::NonCanonicalScalar {
        field: field.to_string(),
    })
}

/// Decodes a fixed-size byte field.
pub fn decode_array<const N: usize>(bytes: &[u8], field: &str) -> Result<[u8; N], DecodeError> {
    bytes.try_into().map_err(|_| DecodeError::Length {
        field: field.to_string(),
        expected: N,
        got: bytes.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

    #[test]
    fn times_chunk_scale_is_the_scalar_multiplication() {
        for p in [h(), g() + h(), RistrettoPoint::default()] {
            assert_eq!(times_chunk_scale(p), chunk_scale() * p);
        }
    }

    #[test]
    fn generators_are_bulletproofs() {
        assert_eq!(g(), RISTRETTO_BASEPOINT_POINT);
        assert_ne!(g(), h());
    }

    #[test]
    fn decoding_rejects_noncanonical_and_identity() {
        let ok = Point::new(h());
        assert_eq!(Point::decode(ok.as_bytes(), "x").unwrap(), ok);
        // A field element ≥ p is not canonical.
        assert!(matches!(
            Point::decode(&[0xff; 32], "x"),
            Err(DecodeError::NonCanonicalPoint { .. })
        ));
        // Negative (odd) field elements are not canonical Ristretto encodings.
        let mut odd = [0u8; 32];
        odd[0] = 1;
        assert!(Point::decode(&odd, "x").is_err());
        assert!(Point::decode(&[0u8; 32], "x").unwrap().is_identity());
        assert!(matches!(
            Point::decode_nonidentity(&[0u8; 32], "x"),
            Err(DecodeError::IdentityPoint { .. })
        ));
        assert!(matches!(
            Point::decode(&[0u8; 31], "x"),
            Err(DecodeError::Length { .. })
        ));
        assert!(matches!(
            decode_scalar(&[0xff; 32], "s"),
            Err(DecodeError::NonCanonicalScalar { .. })
        ));
        assert_eq!(decode_scalar(&[0u8; 32], "s").unwrap(), Scalar::ZERO);
    }
}
