//! snarkjs `.ptau` files (snarkjs 0.7.6, `powersoftau new | contribute | prepare phase2`):
//! phase 1's powers, to start a ceremony from a public phase 1.
//!
//! Layout (`../shared/notes/ceremony.md`): magic `ptau`, u32 version 1, u32 section count; each
//! section u32 id, u64 length, body. Section 1: u32 `n8 = 32`, the base-field prime (32 bytes
//! LE), u32 power, u32 ceremony power. For power `p`: 2 `[τ^i]₁` (`2^(p+1) − 1` points),
//! 3 `[τ^i]₂` (`2^p`), 4 `[α·τ^i]₁` (`2^p`), 5 `[β·τ^i]₁` (`2^p`), 6 `[β]₂`; after
//! `prepare phase2`, 12–15 the Lagrange bases of 2–5, for each `k` a block of `2^k` points at
//! index `2^k − 1`. Coordinates are 32-byte little-endian integers in Montgomery form
//! (`R = 2^256`), G2 `x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1`, the identity all zeros. snarkjs checks nothing
//! it reads; this reader checks every point (below the prime, on the curve, in the subgroup).

use ark_bn254::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use rayon::prelude::*;

use super::phase1::{Lagrange, Powers};
use crate::subgroup::g2_in_subgroup;

/// Why a `.ptau` file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PtauError {
    /// Not a `.ptau` file, or another version.
    #[error("not a version-1 .ptau file")]
    Header,
    /// The file ends inside a section header or body.
    #[error("truncated in section {section}")]
    Truncated {
        /// The section (0 for the header).
        section: u32,
    },
    /// A section the import needs is absent, or present twice.
    #[error("section {section} is missing or repeated")]
    Section {
        /// The section.
        section: u32,
    },
    /// Section 1 is not for BN254 (`bn128` in snarkjs).
    #[error("not a bn128 file (n8 or prime differ)")]
    Curve,
    /// A section's length is not what the power implies.
    #[error("section {section} has {found} bytes, power {power} needs {expected}")]
    SectionLength {
        /// The section.
        section: u32,
        /// The file's power.
        power: u32,
        /// Bytes expected.
        expected: u64,
        /// Bytes found.
        found: u64,
    },
    /// The file's power is below what the circuit needs.
    #[error("power {found} is below the {needed} the circuit needs")]
    TooSmall {
        /// The circuit's power.
        needed: u32,
        /// The file's.
        found: u32,
    },
    /// A point that is not canonical, not on its curve or not in its subgroup.
    #[error("section {section}, point {index}: not a valid point")]
    InvalidPoint {
        /// The section.
        section: u32,
        /// The point's index in the section.
        index: usize,
    },
    /// Sections 12–15 are absent (the file was not through `prepare phase2`).
    #[error("no Lagrange sections (run `snarkjs powersoftau prepare phase2` first)")]
    NotPrepared,
}

const G1_BYTES: usize = 64;
const G2_BYTES: usize = 128;

/// A parsed file: its power and the sections' bodies.
#[derive(Debug)]
struct PtauFile<'a> {
    power: u32,
    sections: Vec<(u32, &'a [u8])>,
}

impl<'a> PtauFile<'a> {
    /// [`Self::parse`], refusing a file whose power is below `power` (the domain it must
    /// cover).
    fn parse_covering(bytes: &'a [u8], power: u32) -> Result<Self, PtauError> {
        let file = Self::parse(bytes)?;
        if file.power < power {
            return Err(PtauError::TooSmall {
                needed: power,
                found: file.power,
            });
        }
        Ok(file)
    }

    fn parse(bytes: &'a [u8]) -> Result<Self, PtauError> {
        let header = bytes.get(..12).ok_or(PtauError::Header)?;
        if &header[..4] != b"ptau" || header[4..8] != 1u32.to_le_bytes() {
            return Err(PtauError::Header);
        }
        let count = u32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        let mut rest = &bytes[12..];
        let mut sections: Vec<(u32, &[u8])> = Vec::new();
        for _ in 0..count {
            let head = rest.get(..12).ok_or(PtauError::Truncated { section: 0 })?;
            let id = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
            let mut len = [0u8; 8];
            len.copy_from_slice(&head[4..12]);
            let len = usize::try_from(u64::from_le_bytes(len))
                .map_err(|_| PtauError::Truncated { section: id })?;
            let body = rest
                .get(12..)
                .and_then(|r| r.get(..len))
                .ok_or(PtauError::Truncated { section: id })?;
            if sections.iter().any(|(s, _)| *s == id) {
                return Err(PtauError::Section { section: id });
            }
            sections.push((id, body));
            rest = &rest[12 + len..];
        }
        let mut file = PtauFile { power: 0, sections };
        let s1 = file.section(1)?;
        if s1.len() != 44 || s1[..4] != 32u32.to_le_bytes() {
            return Err(PtauError::Curve);
        }
        let modulus: BigInt<4> = Fq::MODULUS;
        let mut prime = Vec::with_capacity(32);
        for limb in modulus.0 {
            prime.extend_from_slice(&limb.to_le_bytes());
        }
        if s1[4..36] != prime[..] {
            return Err(PtauError::Curve);
        }
        file.power = u32::from_le_bytes([s1[36], s1[37], s1[38], s1[39]]);
        if file.power == 0 || file.power > 28 {
            return Err(PtauError::Curve);
        }
        Ok(file)
    }

    fn section(&self, id: u32) -> Result<&'a [u8], PtauError> {
        self.sections
            .iter()
            .find(|(s, _)| *s == id)
            .map(|(_, b)| *b)
            .ok_or(PtauError::Section { section: id })
    }

    /// Points `from..from+count` of section `id`, which must hold exactly `total` points.
    fn points<T: Send>(
        &self,
        id: u32,
        total: usize,
        from: usize,
        count: usize,
        size: usize,
        read: fn(&[u8]) -> Option<T>,
    ) -> Result<Vec<T>, PtauError> {
        let body = self.section(id)?;
        let expected = (total * size) as u64;
        if body.len() as u64 != expected {
            return Err(PtauError::SectionLength {
                section: id,
                power: self.power,
                expected,
                found: body.len() as u64,
            });
        }
        body[from * size..(from + count) * size]
            .par_chunks(size)
            .enumerate()
            .map(|(i, chunk)| {
                read(chunk).ok_or(PtauError::InvalidPoint {
                    section: id,
                    index: from + i,
                })
            })
            .collect()
    }
}

/// A base-field element from 32 little-endian bytes in Montgomery form, if below the prime.
fn fq(bytes: &[u8]) -> Option<Fq> {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(b);
    }
    let raw = BigInt(limbs);
    (raw < Fq::MODULUS).then(|| Fq::new_unchecked(raw))
}

fn g1(bytes: &[u8]) -> Option<G1Affine> {
    if bytes.iter().all(|b| *b == 0) {
        return Some(G1Affine::zero());
    }
    let p = G1Affine::new_unchecked(fq(&bytes[..32])?, fq(&bytes[32..64])?);
    p.is_on_curve().then_some(p)
}

fn g2(bytes: &[u8]) -> Option<G2Affine> {
    if bytes.iter().all(|b| *b == 0) {
        return Some(G2Affine::zero());
    }
    let x = Fq2::new(fq(&bytes[..32])?, fq(&bytes[32..64])?);
    let y = Fq2::new(fq(&bytes[64..96])?, fq(&bytes[96..128])?);
    let p = G2Affine::new_unchecked(x, y);
    (p.is_on_curve() && g2_in_subgroup(&p)).then_some(p)
}

/// Reads the powers of a `.ptau` file, truncated to the domain `2^power` (the file's own power
/// must be at least that); with or without `prepare phase2`. The result is not checked to be
/// well-formed: a ceremony's verification does that.
pub fn read_powers(bytes: &[u8], power: u32) -> Result<(Powers, u32), PtauError> {
    let file = PtauFile::parse_covering(bytes, power)?;
    let p = file.power;
    let (big, n) = (1usize << p, 1usize << power);
    let tau_g1 = file.points(2, 2 * big - 1, 0, 2 * n - 1, G1_BYTES, g1)?;
    let tau_g2 = file.points(3, big, 0, n, G2_BYTES, g2)?;
    let alpha = file.points(4, big, 0, n, G1_BYTES, g1)?;
    let beta = file.points(5, big, 0, n, G1_BYTES, g1)?;
    let beta_g2 = file.points(6, 1, 0, 1, G2_BYTES, g2)?;
    let powers = Powers::from_parts(power, tau_g1, tau_g2, alpha, beta, beta_g2[0])
        .ok_or(PtauError::Section { section: 2 })?;
    Ok((powers, p))
}

/// Reads the Lagrange bases of the domain `2^power` from sections 12–15 (`prepare phase2`).
pub fn read_lagrange(bytes: &[u8], power: u32) -> Result<Lagrange, PtauError> {
    let file = PtauFile::parse_covering(bytes, power)?;
    let p = file.power;
    if file.section(12).is_err() {
        return Err(PtauError::NotPrepared);
    }
    let n = 1usize << power;
    // Section 12 has blocks k = 0..=p+1, sections 13–15 k = 0..=p.
    let g1s =
        |id: u32, blocks: u32| file.points(id, (1usize << blocks) - 1, n - 1, n, G1_BYTES, g1);
    let l_g1 = g1s(12, p + 2)?;
    let l_g2 = file.points(13, (1usize << (p + 1)) - 1, n - 1, n, G2_BYTES, g2)?;
    let l_alpha = g1s(14, p + 1)?;
    let l_beta = g1s(15, p + 1)?;
    Lagrange::from_parts(power, l_g1, l_g2, l_alpha, l_beta).ok_or(PtauError::NotPrepared)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ceremony::StepFailure;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// `powers` as a `.ptau` of sections 1–6 (what `snarkjs powersoftau new` writes, section 7
    /// left out): coordinates little-endian in Montgomery form, the identity all zeros.
    pub(crate) fn write_ptau(powers: &Powers) -> Vec<u8> {
        fn fq(out: &mut Vec<u8>, x: &Fq) {
            for limb in x.0 .0 {
                out.extend_from_slice(&limb.to_le_bytes());
            }
        }
        fn g1(out: &mut Vec<u8>, p: &G1Affine) {
            match p.xy() {
                Some((x, y)) => {
                    fq(out, &x);
                    fq(out, &y);
                }
                None => out.extend_from_slice(&[0; G1_BYTES]),
            }
        }
        fn g2(out: &mut Vec<u8>, p: &G2Affine) {
            match p.xy() {
                Some((x, y)) => {
                    for c in [x.c0, x.c1, y.c0, y.c1] {
                        fq(out, &c);
                    }
                }
                None => out.extend_from_slice(&[0; G2_BYTES]),
            }
        }
        let mut s1 = 32u32.to_le_bytes().to_vec();
        for limb in Fq::MODULUS.0 {
            s1.extend_from_slice(&limb.to_le_bytes());
        }
        s1.extend_from_slice(&powers.power().to_le_bytes());
        s1.extend_from_slice(&powers.power().to_le_bytes());
        let mut sections: Vec<(u32, Vec<u8>)> = vec![(1, s1)];
        for (id, points) in [
            (2, &powers.tau_g1),
            (4, &powers.alpha_tau_g1),
            (5, &powers.beta_tau_g1),
        ] {
            let mut body = Vec::new();
            points.iter().for_each(|p| g1(&mut body, p));
            sections.push((id, body));
        }
        let mut body = Vec::new();
        powers.tau_g2.iter().for_each(|p| g2(&mut body, p));
        sections.push((3, body));
        let mut body = Vec::new();
        g2(&mut body, &powers.beta_g2);
        sections.push((6, body));
        let mut out = b"ptau".to_vec();
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
        for (id, body) in sections {
            out.extend_from_slice(&id.to_le_bytes());
            out.extend_from_slice(&(body.len() as u64).to_le_bytes());
            out.extend_from_slice(&body);
        }
        out
    }

    #[test]
    fn written_powers_read_back() {
        let (powers, _) = read_powers(SNARKJS_POWER_4, 4).unwrap();
        let bytes = write_ptau(&powers);
        assert_eq!(read_powers(&bytes, 4).unwrap(), (powers.clone(), 4));
        assert_eq!(
            read_powers(&bytes, 2).unwrap().0,
            powers.truncate(2).unwrap()
        );
        assert_eq!(
            read_lagrange(&bytes, 2).unwrap_err(),
            PtauError::NotPrepared
        );
    }

    /// `snarkjs powersoftau new bn128 4`, one `contribute`, `prepare phase2` (snarkjs 0.7.6).
    pub(crate) const SNARKJS_POWER_4: &[u8] = include_bytes!("testdata/snarkjs_power4.ptau");

    #[test]
    fn snarkjs_powers_are_well_formed_and_our_lagrange_bases_are_snarkjs_own() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for power in [4, 3] {
            let (powers, file_power) = read_powers(SNARKJS_POWER_4, power).unwrap();
            assert_eq!(file_power, 4);
            assert_eq!(powers.power(), power);
            assert_eq!(powers.check(&mut rng), Ok(()));
            let theirs = read_lagrange(SNARKJS_POWER_4, power).unwrap();
            assert_eq!(theirs.check(&powers, &mut rng), Ok(()));
            let ours = powers.lagrange(power, &mut |_| {}).unwrap();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn malformed_files_are_refused_with_the_reason() {
        assert_eq!(
            read_powers(SNARKJS_POWER_4, 5).unwrap_err(),
            PtauError::TooSmall {
                needed: 5,
                found: 4
            }
        );
        assert_eq!(read_powers(b"ptau", 1).unwrap_err(), PtauError::Header);
        let cut = &SNARKJS_POWER_4[..SNARKJS_POWER_4.len() - 1];
        assert!(matches!(
            read_powers(cut, 4),
            Err(PtauError::Truncated { .. })
        ));
        // Section 2 starts after the header (12), section 1 (12 + 44) and its own header (12).
        let mut bad = SNARKJS_POWER_4.to_vec();
        let point_3 = 12 + 12 + 44 + 12 + 3 * 64;
        bad[point_3] ^= 1;
        assert_eq!(
            read_powers(&bad, 4).unwrap_err(),
            PtauError::InvalidPoint {
                section: 2,
                index: 3
            }
        );
        let mut other_curve = SNARKJS_POWER_4.to_vec();
        other_curve[12 + 12 + 4] ^= 1;
        assert_eq!(read_powers(&other_curve, 4).unwrap_err(), PtauError::Curve);
        // A valid point in the wrong place: well-formedness fails, naming the vector.
        let (mut powers, _) = read_powers(SNARKJS_POWER_4, 4).unwrap();
        powers.tau_g1.swap(2, 3);
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        assert!(matches!(
            powers.check(&mut rng),
            Err(StepFailure::NotPowers { .. })
        ));
    }
}
