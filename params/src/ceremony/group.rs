//! Group arithmetic the ceremony shares: pairing ratios, multi-scalar multiplications and
//! element-wise scalar multiplications split over rayon's threads, hashing to G2, and the
//! strict byte codec of step files.
//!
//! Scalar multiplications use GLV (ark-bn254 hooks it for G1; for G2 it is called here) and are
//! not constant-time: the secrets of a contribution live for the seconds it runs, on the
//! contributor's own machine.

use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use corridor_core::domain::CEREMONY_HASH_TO_G2;
use corridor_core::hash::Hasher;
use rand_core::{CryptoRng, RngCore};
use rayon::prelude::*;

use super::error::StepDecodeError;
use crate::subgroup::g2_in_subgroup;

/// Points per batch of element-wise work: progress is reported once per batch.
pub(crate) const BATCH: usize = 2048;

/// `e(a, d) = e(b, c)`: `b = x·a` and `d = x·c` for one `x` ("same ratio"). False when any
/// input is the identity (snarkjs's `sameRatio`).
pub(crate) fn same_ratio(a: &G1Affine, b: &G1Affine, c: &G2Affine, d: &G2Affine) -> bool {
    if a.is_zero() || b.is_zero() || c.is_zero() || d.is_zero() {
        return false;
    }
    Bn254::multi_pairing([*a, -*b], [*d, *c]).is_zero()
}

/// `Σ scalars_i · bases_i`, in one chunk per thread (the lengths must match; the shorter
/// one bounds the sum).
pub(crate) fn msm<P: SWCurveConfig<ScalarField = Fr>>(
    bases: &[Affine<P>],
    scalars: &[Fr],
) -> Projective<P> {
    let len = bases.len().min(scalars.len());
    if len == 0 {
        return Projective::zero();
    }
    let chunk = len.div_ceil(rayon::current_num_threads().max(1));
    bases[..len]
        .par_chunks(chunk)
        .zip(scalars[..len].par_chunks(chunk))
        .map(|(b, s)| Projective::<P>::msm_unchecked(b, s))
        .reduce(Projective::zero, |a, b| a + b)
}

/// `n` uniform scalars (full size) from the caller's CSPRNG: the weights of a random linear
/// combination.
pub(crate) fn random_scalars<R: RngCore + CryptoRng>(n: usize, rng: &mut R) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand_uniform(rng)).collect()
}

/// Uniform field elements (a local trait: ark's `UniformRand` takes `rand::Rng`).
pub(crate) trait RandUniform {
    /// A uniform element: 64 random bytes reduced modulo the field's order (bias `2^-250`).
    fn rand_uniform<R: RngCore + CryptoRng>(rng: &mut R) -> Self;
}

impl RandUniform for Fr {
    fn rand_uniform<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut wide = [0u8; 64];
        rng.fill_bytes(&mut wide);
        let x = Fr::from_le_bytes_mod_order(&wide);
        zeroize::Zeroize::zeroize(&mut wide);
        x
    }
}

/// A non-zero uniform scalar (a secret of a contribution).
pub(crate) fn nonzero_scalar<R: RngCore + CryptoRng>(rng: &mut R) -> Fr {
    loop {
        let x = Fr::rand_uniform(rng);
        if !x.is_zero() && x != Fr::from(1u64) {
            return x;
        }
    }
}

/// `scalar · point` with GLV.
pub(crate) fn mul<P: GLVConfig<ScalarField = Fr>>(point: &Affine<P>, scalar: &Fr) -> Projective<P> {
    P::glv_mul_projective((*point).into(), *scalar)
}

/// `scalar · point` with GLV, for a projective point.
pub(crate) fn mul_projective<P: GLVConfig<ScalarField = Fr>>(
    point: &Projective<P>,
    scalar: &Fr,
) -> Projective<P> {
    P::glv_mul_projective(*point, *scalar)
}

/// `out_i = scalar_i · points_i` (one scalar per point, or `scalar(i)`), in batches of
/// [`BATCH`] over rayon's threads; `progress(done)` after each batch.
pub(crate) fn mul_each<P: GLVConfig<ScalarField = Fr>>(
    points: &[Affine<P>],
    scalar: impl Fn(usize) -> Fr + Sync,
    progress: &mut dyn FnMut(usize),
) -> Vec<Affine<P>> {
    let mut out = Vec::with_capacity(points.len());
    for (b, batch) in points.chunks(BATCH).enumerate() {
        let projective: Vec<Projective<P>> = batch
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut s = scalar(b * BATCH + i);
                let r = mul(p, &s);
                zeroize::Zeroize::zeroize(&mut s);
                r
            })
            .collect();
        out.extend(Projective::<P>::normalize_batch(&projective));
        progress(out.len());
    }
    out
}

/// Hashes a 32-byte seed to a point of G2 whose discrete logarithm nobody knows:
/// try-and-increment on `x = (H(seed, counter, 0), H(seed, counter, 1))` (64-byte digests
/// reduced modulo `p`, [`CEREMONY_HASH_TO_G2`]), `y` the root whose sign bit is the lowest bit
/// of `H(seed, counter, 2)`, then cofactor clearing; an identity result moves to the next
/// counter.
pub(crate) fn hash_to_g2(seed: &[u8; 32]) -> G2Affine {
    let part = |counter: u64, coordinate: u8| {
        Hasher::new(CEREMONY_HASH_TO_G2)
            .part(seed)
            .part(&counter.to_le_bytes())
            .part(&[coordinate])
            .finish_wide()
    };
    let mut counter = 0u64;
    loop {
        let x = Fq2::new(
            Fq::from_le_bytes_mod_order(&part(counter, 0)),
            Fq::from_le_bytes_mod_order(&part(counter, 1)),
        );
        let greatest = part(counter, 2)[0] & 1 == 1;
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, greatest) {
            let q = p.mul_by_cofactor_to_group().into_affine();
            if !q.is_zero() {
                return q;
            }
        }
        counter += 1;
    }
}

/// Uncompressed G1 point: 64 bytes.
pub(crate) const G1_UNCOMPRESSED: usize = 64;
/// Uncompressed G2 point: 128 bytes.
pub(crate) const G2_UNCOMPRESSED: usize = 128;

/// Writes step files: little-endian integers, uncompressed points (ark's canonical layout).
#[derive(Debug, Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    /// A string: u16 length, then UTF-8.
    pub(crate) fn string(&mut self, s: &str) {
        // Names are bounded well below u16::MAX before they get here.
        self.bytes(&(s.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
        self.bytes(&s.as_bytes()[..s.len().min(usize::from(u16::MAX))]);
    }

    pub(crate) fn point<P: SWCurveConfig>(&mut self, p: &Affine<P>) {
        let start = self.0.len();
        // Writing into a Vec cannot fail.
        if p.serialize_uncompressed(&mut self.0).is_err() {
            self.0.truncate(start);
        }
    }

    pub(crate) fn points<P: SWCurveConfig>(&mut self, ps: &[Affine<P>]) {
        for p in ps {
            self.point(p);
        }
    }
}

/// Reads step files strictly: every point on its curve, in the prime-order subgroup (G2's
/// checked with [`crate::subgroup`]) and canonically encoded (re-encoding gives the bytes).
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    pub(crate) rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(crate) fn take(
        &mut self,
        n: usize,
        field: &'static str,
    ) -> Result<&'a [u8], StepDecodeError> {
        if self.rest.len() < n {
            return Err(StepDecodeError::Truncated { field });
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], StepDecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, StepDecodeError> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, StepDecodeError> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    pub(crate) fn u64(&mut self, field: &'static str) -> Result<u64, StepDecodeError> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// A u16-prefixed UTF-8 string of at most `max` bytes.
    pub(crate) fn string(&mut self, max: usize) -> Result<String, StepDecodeError> {
        let len = usize::from(u16::from_le_bytes(self.array("contributor name")?));
        if len > max {
            return Err(StepDecodeError::Name { max });
        }
        let bytes = self.take(len, "contributor name")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| StepDecodeError::Name { max })
    }

    pub(crate) fn g1(&mut self, field: &'static str) -> Result<G1Affine, StepDecodeError> {
        Ok(self.g1s(1, field)?.remove(0))
    }

    pub(crate) fn g2(&mut self, field: &'static str) -> Result<G2Affine, StepDecodeError> {
        Ok(self.g2s(1, field)?.remove(0))
    }

    pub(crate) fn g1s(
        &mut self,
        n: usize,
        field: &'static str,
    ) -> Result<Vec<G1Affine>, StepDecodeError> {
        // G1 has cofactor 1: on the curve is in the subgroup.
        self.points(n, field, G1_UNCOMPRESSED, |_| true)
    }

    pub(crate) fn g2s(
        &mut self,
        n: usize,
        field: &'static str,
    ) -> Result<Vec<G2Affine>, StepDecodeError> {
        self.points(n, field, G2_UNCOMPRESSED, g2_in_subgroup)
    }

    fn points<P: SWCurveConfig>(
        &mut self,
        n: usize,
        field: &'static str,
        size: usize,
        in_subgroup: fn(&Affine<P>) -> bool,
    ) -> Result<Vec<Affine<P>>, StepDecodeError> {
        let total = n
            .checked_mul(size)
            .ok_or(StepDecodeError::Truncated { field })?;
        let bytes = self.take(total, field)?;
        bytes
            .par_chunks(size)
            .enumerate()
            .map(|(index, chunk)| {
                let bad = StepDecodeError::InvalidPoint { field, index };
                let p = Affine::<P>::deserialize_with_mode(chunk, Compress::No, Validate::No)
                    .map_err(|_| bad.clone())?;
                if !p.is_on_curve() || !in_subgroup(&p) {
                    return Err(bad);
                }
                let mut again = Vec::with_capacity(size);
                if p.serialize_uncompressed(&mut again).is_err() || again != chunk {
                    return Err(bad);
                }
                Ok(p)
            })
            .collect()
    }

    pub(crate) fn finish(self) -> Result<(), StepDecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(StepDecodeError::TrailingBytes {
                count: self.rest.len(),
            })
        }
    }
}

/// The G1 and G2 generators.
pub(crate) fn generators() -> (G1Affine, G2Affine) {
    (G1Affine::generator(), G2Affine::generator())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::G1Projective;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn same_ratio_holds_exactly_for_one_exponent() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (x, y) = (nonzero_scalar(&mut rng), nonzero_scalar(&mut rng));
        let (g, h) = generators();
        let a = (g * y).into_affine();
        let c = hash_to_g2(&[7; 32]);
        let b = (a * x).into_affine();
        let d = (c * x).into_affine();
        assert!(same_ratio(&a, &b, &c, &d));
        assert!(!same_ratio(&a, &b, &c, &(c * y).into_affine()));
        assert!(!same_ratio(&G1Affine::zero(), &G1Affine::zero(), &c, &d));
        assert!(same_ratio(
            &g,
            &(g * x).into_affine(),
            &h,
            &(h * x).into_affine()
        ));
    }

    #[test]
    fn msm_and_mul_each_match_the_plain_sums() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let (g, h) = generators();
        let points: Vec<G1Affine> = (1..=5000u64)
            .map(|i| (g * Fr::from(i)).into_affine())
            .collect();
        let scalars = random_scalars(points.len(), &mut rng);
        let plain: G1Projective = points.iter().zip(&scalars).map(|(p, s)| *p * s).sum();
        assert_eq!(msm(&points, &scalars), plain);
        let mut calls = 0;
        let each = mul_each(&points, |i| scalars[i], &mut |_| calls += 1);
        assert_eq!(calls, points.len().div_ceil(BATCH));
        for (i, p) in each.iter().enumerate().step_by(777) {
            assert_eq!(*p, (points[i] * scalars[i]).into_affine());
        }
        let h2 = [h, (h * Fr::from(3u64)).into_affine()];
        let each2 = mul_each(&h2, |i| scalars[i], &mut |_| {});
        assert_eq!(each2[1], (h2[1] * scalars[1]).into_affine());
    }

    #[test]
    fn hash_to_g2_is_deterministic_in_the_subgroup_and_seed_specific() {
        let p = hash_to_g2(&[1; 32]);
        assert_eq!(p, hash_to_g2(&[1; 32]));
        assert_ne!(p, hash_to_g2(&[2; 32]));
        assert!(p.is_on_curve() && g2_in_subgroup(&p) && !p.is_zero());
        // Golden vector: a change of the map would invalidate every published transcript.
        let mut bytes = Vec::new();
        p.serialize_compressed(&mut bytes).unwrap();
        assert_eq!(hex::encode(bytes), GOLDEN_HASH_TO_G2);
    }

    const GOLDEN_HASH_TO_G2: &str =
        "cea554348eba4b8fe85354b72bf34eea65030941e64e1cc52ef7ac29f6bf2e1e418533310b34c9b33682bb32345a4e18ffef36fb549c79973f9963ef7c94bf2e";

    #[test]
    fn reader_refuses_off_curve_off_subgroup_and_trailing_bytes() {
        let (g, h) = generators();
        let mut w = Writer::default();
        w.point(&g);
        w.point(&h);
        w.u8(9);
        let mut r = Reader::new(&w.0);
        assert_eq!(r.g1("g").unwrap(), g);
        assert_eq!(r.g2("h").unwrap(), h);
        assert_eq!(r.finish(), Err(StepDecodeError::TrailingBytes { count: 1 }));

        // y + 1: off the curve.
        let mut bytes = w.0.clone();
        bytes[32] ^= 1;
        assert_eq!(
            Reader::new(&bytes).g1("g"),
            Err(StepDecodeError::InvalidPoint {
                field: "g",
                index: 0
            })
        );
        // A point of the twist outside G2.
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let outside = loop {
            let x = Fq2::new(Fq::rand_uniform(&mut rng), Fq::rand_uniform(&mut rng));
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, true) {
                if !g2_in_subgroup(&p) {
                    break p;
                }
            }
        };
        let mut w = Writer::default();
        w.points(&[h, outside]);
        assert_eq!(
            Reader::new(&w.0).g2s(2, "q"),
            Err(StepDecodeError::InvalidPoint {
                field: "q",
                index: 1
            })
        );
        assert_eq!(
            Reader::new(&w.0).g2s(3, "q"),
            Err(StepDecodeError::Truncated { field: "q" })
        );
    }

    impl RandUniform for Fq {
        fn rand_uniform<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
            let mut wide = [0u8; 64];
            rng.fill_bytes(&mut wide);
            Fq::from_le_bytes_mod_order(&wide)
        }
    }
}
