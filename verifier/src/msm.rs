//! The one Ristretto multiscalar multiplication of a batch: every weighted check of every
//! transaction adds its `(scalar, point)` terms to a [`Terms`], in which the bases every proof
//! shares — `G` (the Ristretto basepoint, also schnorrkel's), `H` and the bulletproofs
//! generators — appear once with their coefficients summed, and every other point once per
//! transaction (equal points merged by their encoding: a customer's keys, the auditors' keys).
//! The sum must be the identity; it is computed in chunks, one per thread, and added up.
//! Coefficients are accumulated as [`Fe`] and handed to dalek's multiscalar multiplication as
//! scalars at the end.
//!
//! The bulletproofs generators are re-derived here (bulletproofs 5 keeps its own private):
//! party `j`'s chain `G` (resp. `H`) is SHAKE256 over `"GeneratorsChain" ‖ label`, `label =
//! b"G" ‖ j as u32 little-endian`, read 64 bytes at a time through
//! `RistrettoPoint::from_uniform_bytes`; `G(n, m)` is the first `n` points of each of the first
//! `m` chains, joined. Flat index `j·32 + i` is generator `i` of party `j`.
use crate::field::Fe;
use crate::parallel::Threads;
use corridor_core::group::{g, h, Point, CHUNK_BITS, MAX_RANGE_PARTIES};
use corridor_core::sigma::Base;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha3::digest::{ExtendableOutput, Update, XofReader};
use sha3::Shake256;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The bulletproofs generators of `BulletproofGens::new(32, 64)`, flat: `j·32 + i`.
#[derive(Debug)]
pub(crate) struct Generators {
    /// `G_vec`, party-major.
    pub g_vec: Vec<RistrettoPoint>,
    /// `H_vec`, party-major.
    pub h_vec: Vec<RistrettoPoint>,
}

fn chain(letter: u8, party: u32, count: usize) -> Vec<RistrettoPoint> {
    let mut label = [letter, 0, 0, 0, 0];
    label[1..].copy_from_slice(&party.to_le_bytes());
    let mut shake = Shake256::default();
    shake.update(b"GeneratorsChain");
    shake.update(&label);
    let mut reader = shake.finalize_xof();
    (0..count)
        .map(|_| {
            let mut uniform = [0u8; 64];
            reader.read(&mut uniform);
            RistrettoPoint::from_uniform_bytes(&uniform)
        })
        .collect()
}

/// The generators, derived once per process.
pub(crate) fn generators() -> &'static Generators {
    static GENS: OnceLock<Generators> = OnceLock::new();
    GENS.get_or_init(|| {
        let parties = 0..MAX_RANGE_PARTIES as u32;
        Generators {
            g_vec: parties
                .clone()
                .flat_map(|j| chain(b'G', j, CHUNK_BITS))
                .collect(),
            h_vec: parties.flat_map(|j| chain(b'H', j, CHUNK_BITS)).collect(),
        }
    })
}

/// A weighted sum of terms that must be the identity.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    g: Fe,
    h: Fe,
    bp_g: Vec<Fe>,
    bp_h: Vec<Fe>,
    scalars: Vec<Fe>,
    points: Vec<RistrettoPoint>,
    seen: HashMap<[u8; 32], usize>,
}

impl Terms {
    /// Adds `s·G`.
    pub fn add_g(&mut self, s: Fe) {
        self.g += s;
    }

    /// Adds `s·H`.
    pub fn add_h(&mut self, s: Fe) {
        self.h += s;
    }

    /// Adds `s·base`.
    pub fn add_base(&mut self, s: Fe, base: &Base) {
        match base {
            Base::G => self.g += s,
            Base::H => self.h += s,
            Base::Point(p) => self.add_point(s, p),
        }
    }

    /// Adds `s·p`, merged with an equal point added before (by its canonical encoding).
    pub fn add_point(&mut self, s: Fe, p: &Point) {
        match self.seen.get(p.as_bytes()) {
            Some(&i) => self.scalars[i] += s,
            None => {
                self.seen.insert(p.to_bytes(), self.scalars.len());
                self.scalars.push(s);
                self.points.push(p.point());
            }
        }
    }

    /// Adds `s·p` for a point met once (a range proof's own points, a signature's `R`).
    pub fn add_unique(&mut self, s: Fe, p: RistrettoPoint) {
        self.scalars.push(s);
        self.points.push(p);
    }

    /// The coefficients of the first `len` bulletproofs generators `G_i` and `H_i` (flat
    /// index), zero where nothing was added yet.
    pub fn generators_mut(&mut self, len: usize) -> (&mut [Fe], &mut [Fe]) {
        if self.bp_g.len() < len {
            self.bp_g.resize(len, Fe::ZERO);
            self.bp_h.resize(len, Fe::ZERO);
        }
        (&mut self.bp_g[..len], &mut self.bp_h[..len])
    }

    /// The sum, computed in one chunk per thread plus one for the shared bases.
    pub fn sum(&self, threads: &Threads) -> RistrettoPoint {
        Self::sum_parts(std::slice::from_ref(self), threads)
    }

    /// The sum of several `Terms` (one per thread that built them) without merging them first:
    /// their shared bases' coefficients are added up, their own points multiplied where they
    /// lie, in about one chunk per thread.
    pub fn sum_parts(parts: &[Terms], threads: &Threads) -> RistrettoPoint {
        let gens = generators();
        let n = parts.iter().map(|p| p.bp_g.len()).max().unwrap_or(0);
        let mut shared = Terms::default();
        for part in parts {
            shared.g += part.g;
            shared.h += part.h;
            let (g, h) = shared.generators_mut(n);
            for (a, b) in g.iter_mut().zip(&part.bp_g) {
                *a += *b;
            }
            for (a, b) in h.iter_mut().zip(&part.bp_h) {
                *a += *b;
            }
        }
        let shared_sum = || {
            RistrettoPoint::vartime_multiscalar_mul(
                [shared.g, shared.h]
                    .iter()
                    .chain(&shared.bp_g)
                    .chain(&shared.bp_h)
                    .map(|s| s.to_scalar()),
                [g(), h()]
                    .iter()
                    .chain(&gens.g_vec[..n])
                    .chain(&gens.h_vec[..n]),
            )
        };
        // About one range of points per thread, never across parts.
        let per_part = threads.count().div_ceil(parts.len().max(1)).max(1);
        let ranges: Vec<(usize, usize, usize)> = parts
            .iter()
            .enumerate()
            .flat_map(|(i, part)| {
                let size = part.points.len().div_ceil(per_part).max(1);
                (0..part.points.len())
                    .step_by(size)
                    .map(move |a| (i, a, (a + size).min(part.points.len())))
            })
            .collect();
        let (shared, sums) = threads.join(shared_sum, || {
            threads.map(&ranges, |&(i, a, b)| {
                let part = &parts[i];
                // A weight times a point (`−ω·Y` for the sigma commitments, a signature's
                // `R`) is sent as `ω·(−Y)`: Pippenger skips a short scalar's zero digits.
                let forms: Vec<(Scalar, bool)> =
                    part.scalars[a..b].iter().map(|s| s.short_form()).collect();
                RistrettoPoint::vartime_multiscalar_mul(
                    forms.iter().map(|(s, _)| s),
                    part.points[a..b]
                        .iter()
                        .zip(&forms)
                        .map(|(p, (_, negated))| if *negated { -p } else { *p }),
                )
            })
        });
        sums.into_iter().fold(shared, |acc, p| acc + p)
    }

    /// Whether the sum is the identity.
    pub fn is_identity(&self, threads: &Threads) -> bool {
        self.sum(threads).is_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::traits::Identity;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn shared_bases_and_merged_points_sum_like_a_plain_msm() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let gens = generators();
        let mut terms = Terms::default();
        let mut expected = RistrettoPoint::identity();
        let p = Point::new(RistrettoPoint::random(&mut rng));
        for _ in 0..3 {
            let s = Scalar::random(&mut rng);
            terms.add_point(Fe::from_scalar(&s), &p);
            expected += s * p.point();
        }
        let s = Scalar::random(&mut rng);
        let f = Fe::from_scalar(&s);
        terms.add_base(f, &Base::G);
        expected += s * g();
        terms.add_h(f);
        expected += s * h();
        let (bg, bh) = terms.generators_mut(40);
        bg[39] = f;
        bh[3] = -f;
        expected += s * gens.g_vec[39] - s * gens.h_vec[3];
        for i in 0..300u128 {
            // Full scalars, short ones and negated short ones.
            let s = match i % 3 {
                0 => Scalar::random(&mut rng),
                1 => Scalar::from(u128::MAX - i),
                _ => -Scalar::from(u128::MAX - i),
            };
            let q = RistrettoPoint::random(&mut rng);
            terms.add_unique(Fe::from_scalar(&s), q);
            expected += s * q;
        }
        assert_eq!(terms.points.len(), 301, "equal points merged");
        for threads in [Threads::current(), Threads::new(3).unwrap()] {
            assert_eq!(terms.sum(&threads), expected);
        }
        let mut other = Terms::default();
        other.add_point(Fe::ONE, &p);
        other.generators_mut(64).0[63] = Fe::ONE;
        expected += p.point() + gens.g_vec[63];
        let parts = [terms, other];
        for threads in [Threads::current(), Threads::new(3).unwrap()] {
            assert_eq!(Terms::sum_parts(&parts, &threads), expected);
        }
    }

    #[test]
    fn generators_are_distinct_and_complete() {
        // That they are bulletproofs' own is shown by `range`'s agreement tests: a proof made
        // with the crate's generators verifies against ours.
        let gens = generators();
        assert_eq!(gens.g_vec.len(), 32 * 64);
        assert_eq!(gens.h_vec.len(), 32 * 64);
        let mut all: Vec<[u8; 32]> = gens
            .g_vec
            .iter()
            .chain(&gens.h_vec)
            .map(|p| p.compress().to_bytes())
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 2 * 32 * 64);
    }
}
