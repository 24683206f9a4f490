//! Fixed-base MSMs on the CPU: the proving key's bases never change, so each query is stored
//! once with its shifted copies, and an MSM is a single bucket pass with batched affine additions.
//!
//! # Tables
//! For a query with bases `P_i` and windows of `c` bits, [`Table`] keeps, for every base that is
//! not the identity, the `w = ⌈254/c⌉` points `2^(c·j)·P_i` (`j < w`) in affine form. A scalar
//! `s` is first replaced by `r − s` (and the point negated) when `s > (r−1)/2`, so its magnitude
//! is below `2^253`; it is then cut into `w` signed digits `d_j ∈ (−2^(c−1), 2^(c−1)]`
//! (`Σ d_j·2^(c·j) = s`), and `s·P_i = Σ_j d_j·(2^(c·j)·P_i)`: every digit is one addition of a
//! table point into bucket `|d_j|`, and all windows share ONE set of `2^(c−1)` buckets. The
//! result is `Σ_k k·B_k`, one running sum. Compared with Pippenger on the same bases (arkworks'
//! `msm_bigint`), nothing is doubled per proof and the buckets are summed once instead of once
//! per window, which pays for windows twice as wide.
//!
//! The sign trick makes small negative scalars (`−1`, `r − 5`) as cheap as small positive ones;
//! zero scalars and identity bases (variables a query does not use) cost nothing.
//!
//! # Batched affine additions
//! Buckets are affine points. An addition `B + P` in affine coordinates costs one inversion;
//! [`Accumulator`] collects up to [`BATCH`] additions into distinct buckets and inverts all their
//! denominators at once (Montgomery's trick: three multiplications each), so an addition costs
//! about six multiplications instead of the ten of a mixed addition in extended Jacobian
//! coordinates (arkworks' buckets). An addition whose bucket already waits in the batch, or
//! whose points share an `x` (a doubling, or `P + (−P)`), goes into a second, extended Jacobian
//! bucket of the same index instead: always correct, slower only when it happens.
//!
//! # Threads
//! The bases are cut into one contiguous part per thread, each with as many non-zero scalars
//! as the others; each part has its own buckets, and the parts' sums are added. Tables are
//! built on the same threads.
//!
//! The result is the group element itself, so proofs are the same bytes as with any other
//! backend (tested against arkworks' MSM, including 0, ±1, small, negative and random scalars).
use super::msm::{check_lengths, MsmBackend, MsmError, Query, ScalarRepr};
use ark_bn254::{g1, g2, Bn254, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::short_weierstrass::{Affine, Bucket, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{BigInteger, Field, PrimeField, Zero};
use ark_groth16::ProvingKey;

/// Additions inverted together (their denominators share one field inversion).
const BATCH: usize = 512;

/// Bits the signed digits must cover: magnitudes are below `2^253`, plus one bit so that the
/// top digit never carries out.
const COVERED_BITS: u32 = 254;

/// An affine point that is not the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Xy<F> {
    x: F,
    y: F,
}

/// One query's bases and their shifted copies (see the module doc).
pub(crate) struct Table<P: SWCurveConfig> {
    /// Number of bases, identity points included.
    len: usize,
    /// Indices of the bases that are not the identity.
    index: Vec<u32>,
    /// `c`.
    window_bits: u32,
    /// `w = ⌈254/c⌉`.
    windows: usize,
    /// `points[t·w + j] = 2^(c·j)·P_{index[t]}`.
    points: Vec<Xy<P::BaseField>>,
}

impl<P: SWCurveConfig> Clone for Table<P> {
    fn clone(&self) -> Self {
        Self {
            len: self.len,
            index: self.index.clone(),
            window_bits: self.window_bits,
            windows: self.windows,
            points: self.points.clone(),
        }
    }
}

impl<P: SWCurveConfig> core::fmt::Debug for Table<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Table")
            .field("bases", &self.len)
            .field("not_identity", &self.index.len())
            .field("window_bits", &self.window_bits)
            .field("windows", &self.windows)
            .finish()
    }
}

/// The window width for `n` bases: `⌊log₂ n⌋ + 1`, within 8..=16 (15 bits for the ~16k bases of
/// the KYC key: 17 windows, 2^14 buckets).
pub(crate) fn window_bits_for(n: usize) -> u32 {
    let log = usize::BITS - n.max(1).leading_zeros() - 1;
    (log + 1).clamp(8, 16)
}

impl<P: SWCurveConfig> Table<P> {
    /// The table of `bases` with windows of `window_bits` bits (clamped to 2..=20), built on
    /// `threads` threads.
    pub(crate) fn new(bases: &[Affine<P>], window_bits: u32, threads: usize) -> Self {
        let window_bits = window_bits.clamp(2, 20);
        let windows = COVERED_BITS.div_ceil(window_bits) as usize;
        let index: Vec<u32> = bases
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_zero())
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        let mut points = vec![
            Xy {
                x: P::BaseField::ZERO,
                y: P::BaseField::ZERO,
            };
            index.len() * windows
        ];
        let part = index.len().div_ceil(threads.max(1)).max(1);
        std::thread::scope(|scope| {
            for (idx, out) in index.chunks(part).zip(points.chunks_mut(part * windows)) {
                scope.spawn(move || fill(bases, idx, out, window_bits, windows));
            }
        });
        Self {
            len: bases.len(),
            index,
            window_bits,
            windows,
            points,
        }
    }

    /// Bytes held by the table.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.points.len() * core::mem::size_of::<Xy<P::BaseField>>()
            + self.index.len() * core::mem::size_of::<u32>()
    }

    /// Whether `bases` are exactly the bases the table was built from (every point compared).
    pub(crate) fn is_for(&self, bases: &[Affine<P>]) -> bool {
        if bases.len() != self.len {
            return false;
        }
        let mut next = self.index.iter().map(|&i| i as usize).peekable();
        let mut t = 0usize;
        bases.iter().enumerate().all(|(i, p)| {
            if next.peek() == Some(&i) {
                next.next();
                let expected = &self.points[t * self.windows];
                t += 1;
                p.xy()
                    .is_some_and(|(x, y)| x == expected.x && y == expected.y)
            } else {
                p.is_zero()
            }
        })
    }

    /// `Σ scalars[i]·bases[i]` on `threads` threads; `scalars` has one scalar per base.
    pub(crate) fn msm(&self, scalars: &[ScalarRepr], threads: usize) -> Projective<P> {
        let n = self.index.len();
        let threads = threads.max(1);
        if threads == 1 || n <= 1 {
            return self.msm_part(0, n, scalars);
        }
        // Parts with equal numbers of non-zero scalars, not of bases: zeros cost nothing, and a
        // caller that zeroes a block of the witness (credential shares) would otherwise leave
        // a thread idle.
        let nonzero: Vec<usize> = (0..n)
            .filter(|&t| {
                self.index
                    .get(t)
                    .and_then(|&i| scalars.get(i as usize))
                    .is_some_and(|s| !s.is_zero())
            })
            .collect();
        let per = nonzero.len().div_ceil(threads).max(1);
        let mut bounds = vec![0];
        bounds.extend((1..threads).filter_map(|k| nonzero.get(k * per).copied()));
        bounds.push(n);
        bounds.dedup();
        std::thread::scope(|scope| {
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|w| {
                    let (start, end) = (w[0], w[1]);
                    scope.spawn(move || self.msm_part(start, end, scalars))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .sum()
        })
    }

    /// The sum over the non-identity bases `start..end` (positions in `index`).
    fn msm_part(&self, start: usize, end: usize, scalars: &[ScalarRepr]) -> Projective<P> {
        let c = self.window_bits;
        let half = 1u64 << (c - 1);
        let mask = (1u64 << c) - 1;
        let mut acc = Accumulator::<P>::new(half as usize);
        for t in start..end {
            let Some((magnitude, negative)) = self
                .index
                .get(t)
                .and_then(|&i| scalars.get(i as usize))
                .and_then(signed_magnitude)
            else {
                continue;
            };
            let limbs = magnitude.0;
            let row = &self.points[t * self.windows..(t + 1) * self.windows];
            let mut carry = 0u64;
            for (j, point) in row.iter().enumerate() {
                let mut digit = bits(&limbs, j as u32 * c, mask) + carry;
                let mut flip = negative;
                if digit > half {
                    digit = (1u64 << c) - digit;
                    carry = 1;
                    flip = !flip;
                } else {
                    carry = 0;
                }
                if digit != 0 {
                    let p = if flip {
                        Xy {
                            x: point.x,
                            y: -point.y,
                        }
                    } else {
                        *point
                    };
                    acc.add(digit as usize - 1, p);
                }
            }
        }
        acc.finish()
    }
}

/// Fills `out` (`windows` points per base of `idx`) with `2^(c·j)·P`.
fn fill<P: SWCurveConfig>(
    bases: &[Affine<P>],
    idx: &[u32],
    out: &mut [Xy<P::BaseField>],
    window_bits: u32,
    windows: usize,
) {
    let mut current: Vec<Projective<P>> = idx.iter().map(|&i| bases[i as usize].into()).collect();
    for j in 0..windows {
        if j > 0 {
            for p in &mut current {
                for _ in 0..window_bits {
                    p.double_in_place();
                }
            }
        }
        for (t, a) in Projective::normalize_batch(&current)
            .into_iter()
            .enumerate()
        {
            // 2^(c·j)·P is never the identity: P has prime order r > 2^(c·j).
            if let Some((x, y)) = a.xy() {
                out[t * windows + j] = Xy { x, y };
            }
        }
    }
}

/// `(|s|, s < 0)` with `s` read in `(−r/2, r/2]`; `None` for zero.
fn signed_magnitude(s: &ScalarRepr) -> Option<(ScalarRepr, bool)> {
    if s.is_zero() {
        None
    } else if *s > Fr::MODULUS_MINUS_ONE_DIV_TWO {
        let mut m = Fr::MODULUS;
        m.sub_with_borrow(s);
        Some((m, true))
    } else {
        Some((*s, false))
    }
}

/// The `mask`-wide bit field of `limbs` starting at bit `start`.
#[inline]
fn bits(limbs: &[u64; 4], start: u32, mask: u64) -> u64 {
    let limb = (start / 64) as usize;
    let shift = start % 64;
    let Some(&low) = limbs.get(limb) else {
        return 0;
    };
    let mut v = low >> shift;
    if shift > 0 {
        if let Some(&high) = limbs.get(limb + 1) {
            v |= high << (64 - shift);
        }
    }
    v & mask
}

/// Buckets with batched affine additions (see the module doc).
struct Accumulator<P: SWCurveConfig> {
    /// The affine part of each bucket (meaningful where `occupied`).
    affine: Vec<Xy<P::BaseField>>,
    occupied: Vec<bool>,
    /// The extended Jacobian part: additions that could not wait for a batch.
    extended: Vec<Bucket<P>>,
    /// `busy[k] == epoch`: bucket `k` has an addition waiting in the current batch.
    busy: Vec<u32>,
    epoch: u32,
    /// The waiting additions (bucket, point) and their denominators `x_P − x_B`.
    waiting: Vec<(u32, Xy<P::BaseField>)>,
    denominators: Vec<P::BaseField>,
    /// Additions whose bucket was busy, retried in the next batch (at most [`BATCH`]).
    deferred: Vec<(u32, Xy<P::BaseField>)>,
    scratch: Vec<P::BaseField>,
}

/// Segments of the final bucket sum, each a running sum of its own (see [`Accumulator::finish`]).
const SEGMENTS: usize = 256;

/// `v[i] ← v[i]⁻¹` for every element (all non-zero), with one inversion; `scratch` is reused.
fn invert_all<F: Field>(v: &mut [F], scratch: &mut Vec<F>) {
    scratch.clear();
    let mut product = F::ONE;
    for d in v.iter() {
        scratch.push(product);
        product *= d;
    }
    // Every element is non-zero, so the product is too.
    let mut inverse = product.inverse().unwrap_or(F::ZERO);
    for (d, before) in v.iter_mut().zip(scratch.iter()).rev() {
        let inv = inverse * before;
        inverse *= *d;
        *d = inv;
    }
}

/// `b ← b + p` in affine coordinates, given `inv = 1/(x_p − x_b)`.
#[inline]
fn add_with_inverse<F: Field>(b: &mut Xy<F>, p: &Xy<F>, inv: F) {
    let lambda = (p.y - b.y) * inv;
    let x3 = lambda.square() - b.x - p.x;
    b.y = lambda * (b.x - x3) - b.y;
    b.x = x3;
}

/// `a + b` for affine points of the same `x` (a doubling, or the identity), the slow way.
fn add_same_x<P: SWCurveConfig>(
    a: &Xy<P::BaseField>,
    b: &Xy<P::BaseField>,
) -> Option<Xy<P::BaseField>> {
    let sum = Affine::<P>::new_unchecked(a.x, a.y) + Affine::<P>::new_unchecked(b.x, b.y);
    sum.into_affine().xy().map(|(x, y)| Xy { x, y })
}

impl<P: SWCurveConfig> Accumulator<P> {
    fn new(buckets: usize) -> Self {
        Self {
            affine: vec![
                Xy {
                    x: P::BaseField::ZERO,
                    y: P::BaseField::ZERO,
                };
                buckets
            ],
            occupied: vec![false; buckets],
            extended: vec![Bucket::<P>::ZERO; buckets],
            busy: vec![0; buckets],
            epoch: 1,
            waiting: Vec::with_capacity(BATCH),
            denominators: Vec::with_capacity(BATCH),
            deferred: Vec::with_capacity(BATCH),
            scratch: Vec::with_capacity(BATCH),
        }
    }

    /// Bucket `k` += `p`.
    #[inline]
    fn add(&mut self, k: usize, p: Xy<P::BaseField>) {
        if self.busy[k] == self.epoch {
            if self.deferred.len() < BATCH {
                // `k` < bucket count ≤ 2^19.
                self.deferred.push((k as u32, p));
            } else {
                self.extended[k] += Affine::<P>::new_unchecked(p.x, p.y);
            }
            return;
        }
        self.schedule(k, p);
        if self.waiting.len() >= BATCH {
            self.flush();
        }
    }

    /// Puts `p` into bucket `k` (free in this batch): directly when the bucket is empty, else as
    /// a waiting addition.
    #[inline]
    fn schedule(&mut self, k: usize, p: Xy<P::BaseField>) {
        if !self.occupied[k] {
            self.affine[k] = p;
            self.occupied[k] = true;
            return;
        }
        let dx = p.x - self.affine[k].x;
        if dx.is_zero() {
            // P = ±B: a doubling or a cancellation, left to the extended bucket.
            self.extended[k] += Affine::<P>::new_unchecked(p.x, p.y);
            return;
        }
        self.busy[k] = self.epoch;
        self.waiting.push((k as u32, p));
        self.denominators.push(dx);
    }

    /// Performs the waiting additions with one inversion, then schedules the deferred ones.
    fn flush(&mut self) {
        invert_all(&mut self.denominators, &mut self.scratch);
        for (&(k, p), &inv) in self.waiting.iter().zip(&self.denominators) {
            add_with_inverse(&mut self.affine[k as usize], &p, inv);
        }
        self.waiting.clear();
        self.denominators.clear();
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.busy.fill(0);
            self.epoch = 1;
        }
        let deferred = core::mem::take(&mut self.deferred);
        for &(k, p) in &deferred {
            let k = k as usize;
            if self.busy[k] == self.epoch {
                self.extended[k] += Affine::<P>::new_unchecked(p.x, p.y);
            } else {
                self.schedule(k, p);
            }
        }
        self.deferred = deferred;
        self.deferred.clear();
    }

    /// `targets[s] ← targets[s] + addends[s]` for every `s`, with one inversion.
    fn add_all(
        &mut self,
        targets: &mut [Option<Xy<P::BaseField>>],
        addends: &[Option<Xy<P::BaseField>>],
    ) {
        self.waiting.clear();
        self.denominators.clear();
        for (s, (t, a)) in targets.iter_mut().zip(addends).enumerate() {
            match (t.as_mut(), a) {
                (_, None) => {}
                (None, Some(a)) => *t = Some(*a),
                (Some(b), Some(a)) => {
                    let dx = a.x - b.x;
                    if dx.is_zero() {
                        *t = add_same_x::<P>(b, a);
                    } else {
                        self.waiting.push((s as u32, *a));
                        self.denominators.push(dx);
                    }
                }
            }
        }
        invert_all(&mut self.denominators, &mut self.scratch);
        for (&(s, a), &inv) in self.waiting.iter().zip(&self.denominators) {
            if let Some(b) = targets[s as usize].as_mut() {
                add_with_inverse(b, &a, inv);
            }
        }
        self.waiting.clear();
        self.denominators.clear();
    }

    /// `Σ_k (k+1)·bucket_k`, by segments: the `K` buckets are cut into `S` segments of `L`, and
    /// each segment's running sums (`R_s = Σ_t B_{s,t}`, `T_s = Σ_t (t+1)·B_{s,t}`) advance
    /// together, one batched affine addition per segment and step; then
    /// `Σ_k (k+1)·B_k = Σ_s T_s + L·Σ_s s·R_s`.
    fn finish(mut self) -> Projective<P> {
        while !self.waiting.is_empty() || !self.deferred.is_empty() {
            self.flush();
        }
        // Fold the extended parts into the affine buckets (one batch normalization).
        let mixed: Vec<usize> = (0..self.affine.len())
            .filter(|&k| !self.extended[k].is_zero())
            .collect();
        let sums: Vec<Projective<P>> = mixed
            .iter()
            .map(|&k| {
                let mut b = self.extended[k];
                if self.occupied[k] {
                    b += Affine::<P>::new_unchecked(self.affine[k].x, self.affine[k].y);
                }
                b.into()
            })
            .collect();
        for (&k, a) in mixed.iter().zip(Projective::normalize_batch(&sums)) {
            match a.xy() {
                Some((x, y)) => {
                    self.affine[k] = Xy { x, y };
                    self.occupied[k] = true;
                }
                None => self.occupied[k] = false,
            }
        }

        let buckets = self.affine.len();
        let segments = SEGMENTS.min(buckets).max(1);
        let len = buckets / segments;
        let mut running = vec![None; segments];
        let mut total = vec![None; segments];
        let mut addends = Vec::with_capacity(segments);
        for t in (0..len).rev() {
            addends.clear();
            addends.extend((0..segments).map(|s| {
                let k = s * len + t;
                self.occupied[k].then(|| self.affine[k])
            }));
            self.add_all(&mut running, &addends);
            self.add_all(&mut total, &running.clone());
        }
        let to_affine =
            |p: &Option<Xy<P::BaseField>>| p.map(|p| Affine::<P>::new_unchecked(p.x, p.y));
        // Σ_s s·R_s as a running sum from the top segment.
        let mut acc = Bucket::<P>::ZERO;
        let mut weighted = Bucket::<P>::ZERO;
        for r in running.iter().skip(1).rev() {
            if let Some(r) = to_affine(r) {
                acc += r;
            }
            weighted += &acc;
        }
        let mut result: Projective<P> = weighted.into();
        // `len` is a power of two (bucket and segment counts are).
        for _ in 0..len.trailing_zeros() {
            result.double_in_place();
        }
        for t in total.iter().filter_map(to_affine) {
            result += t;
        }
        result
    }
}

/// The CPU backend with precomputed tables of one proving key's bases (see the module doc):
/// built once per key ([`FixedBaseBackend::new`]), then shared by every proof under that key.
///
/// It computes MSMs only over the bases it was built from: any other slice (another key, or a
/// key that changed since) is refused with [`MsmError::NotPrepared`], every base compared.
#[derive(Clone, Debug)]
pub struct FixedBaseBackend {
    threads: usize,
    a: Table<g1::Config>,
    b_g1: Table<g1::Config>,
    h: Table<g1::Config>,
    l: Table<g1::Config>,
    b_g2: Table<g2::Config>,
}

impl FixedBaseBackend {
    /// The tables of `pk`'s five queries (the slices [`super::prove_with_backend`] passes:
    /// `a_query[1..]`, `b_g1_query[1..]`, `b_g2_query[1..]`, `h_query`, `l_query`), built on
    /// `threads` threads, which the MSMs then use too (at least one).
    #[must_use]
    pub fn new(pk: &ProvingKey<Bn254>, threads: usize) -> Self {
        let threads = threads.max(1);
        let g1_table =
            |bases: &[G1Affine]| Table::new(bases, window_bits_for(bases.len()), threads);
        let b_g2_bases = pk.b_g2_query.get(1..).unwrap_or_default();
        Self {
            threads,
            a: g1_table(pk.a_query.get(1..).unwrap_or_default()),
            b_g1: g1_table(pk.b_g1_query.get(1..).unwrap_or_default()),
            h: g1_table(&pk.h_query),
            l: g1_table(&pk.l_query),
            b_g2: Table::new(b_g2_bases, window_bits_for(b_g2_bases.len()), threads),
        }
    }

    /// The threads each MSM runs on.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The same tables, with MSMs on `threads` threads (at least one).
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Bytes held by the tables.
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        self.a.memory_bytes()
            + self.b_g1.memory_bytes()
            + self.h.memory_bytes()
            + self.l.memory_bytes()
            + self.b_g2.memory_bytes()
    }

    fn g1(&self, query: Query) -> Option<&Table<g1::Config>> {
        match query {
            Query::A => Some(&self.a),
            Query::BG1 => Some(&self.b_g1),
            Query::H => Some(&self.h),
            Query::L => Some(&self.l),
            Query::BG2 => None,
        }
    }
}

impl MsmBackend for FixedBaseBackend {
    fn name(&self) -> &'static str {
        "cpu-fixed-base"
    }

    fn msm_g1(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G1Projective, MsmError> {
        check_lengths(query, bases.len(), scalars.len())?;
        let table = self
            .g1(query)
            .filter(|t| t.is_for(bases))
            .ok_or(MsmError::NotPrepared {
                query,
                backend: self.name(),
            })?;
        Ok(table.msm(scalars, self.threads))
    }

    fn msm_g2(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G2Projective, MsmError> {
        check_lengths(query, bases.len(), scalars.len())?;
        if query != Query::BG2 || !self.b_g2.is_for(bases) {
            return Err(MsmError::NotPrepared {
                query,
                backend: self.name(),
            });
        }
        Ok(self.b_g2.msm(scalars, self.threads))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::VariableBaseMSM;
    use ark_ff::UniformRand;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    /// Scalars of every kind the witness has: 0, ±1, small, small negative, random, r−1.
    fn scalars(n: usize, rng: &mut ChaCha20Rng) -> Vec<ScalarRepr> {
        (0..n)
            .map(|i| {
                let s = match i % 7 {
                    0 => Fr::zero(),
                    1 => Fr::from(1u64),
                    2 => -Fr::from(1u64),
                    3 => Fr::from(i as u64 * 977),
                    4 => -Fr::from(i as u64 + 2),
                    5 => Fr::from(u64::MAX) * Fr::from(u64::MAX),
                    _ => Fr::rand(rng),
                };
                s.into_bigint()
            })
            .collect()
    }

    fn check<P: SWCurveConfig<ScalarField = Fr>>(n: usize, bits: u32, threads: usize, seed: u64)
    where
        Projective<P>: VariableBaseMSM<MulBase = Affine<P>, ScalarField = Fr>,
    {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut bases: Vec<Affine<P>> = (0..n).map(|_| Affine::<P>::rand(&mut rng)).collect();
        // Identity bases, and repeated bases (doublings and cancellations in the buckets).
        for i in (0..n).step_by(5) {
            bases[i] = Affine::<P>::zero();
        }
        for i in (3..n).step_by(11) {
            bases[i] = bases[i - 2];
        }
        let table = Table::new(&bases, bits, threads);
        assert!(table.is_for(&bases));
        for round in 0..3 {
            let s = if round == 2 {
                // All ones: every point into bucket 1.
                vec![Fr::from(1u64).into_bigint(); n]
            } else {
                scalars(n, &mut rng)
            };
            let expected = Projective::<P>::msm_bigint(&bases, &s);
            assert_eq!(
                table.msm(&s, threads),
                expected,
                "n {n}, c {bits}, round {round}"
            );
        }
    }

    #[test]
    fn equals_arkworks_msm_in_g1_and_g2() {
        for (n, bits, threads) in [
            (1, 8, 1),
            (7, 3, 2),
            (300, 9, 1),
            (1500, 11, 2),
            (2100, 16, 3),
        ] {
            check::<g1::Config>(n, bits, threads, n as u64);
        }
        for (n, bits, threads) in [(5, 4, 1), (400, 10, 2)] {
            check::<g2::Config>(n, bits, threads, 100 + n as u64);
        }
    }

    /// Scalars zero over a block (as credential shares leave them), over none, or over all:
    /// the parts split by non-zero scalars still sum to arkworks' MSM on any thread count.
    #[test]
    fn zeroed_blocks_split_by_non_zero_scalars_and_sum_right() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let n = 600;
        let bases: Vec<G1Affine> = (0..n).map(|_| G1Affine::rand(&mut rng)).collect();
        let table = Table::new(&bases, 9, 1);
        let random = scalars(n, &mut rng);
        let zero = ScalarRepr::default();
        for (name, block) in [
            ("first 70 %", 0..420),
            ("middle", 100..500),
            ("none", 0..0),
            ("all", 0..n),
        ] {
            let mut s = random.clone();
            for x in &mut s[block] {
                *x = zero;
            }
            let expected = G1Projective::msm_bigint(&bases, &s);
            for threads in [1, 2, 3, 7] {
                assert_eq!(
                    table.msm(&s, threads),
                    expected,
                    "{name}, {threads} threads"
                );
            }
        }
    }

    #[test]
    fn refuses_other_bases() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let bases: Vec<G1Affine> = (0..50).map(|_| G1Affine::rand(&mut rng)).collect();
        let table = Table::new(&bases, 8, 1);
        assert!(table.is_for(&bases));
        assert!(!table.is_for(&bases[1..]));
        let mut other = bases.clone();
        other[49] = G1Affine::rand(&mut rng);
        assert!(!table.is_for(&other));
        other[49] = G1Affine::zero();
        assert!(!table.is_for(&other));
    }

    #[test]
    fn digits_recompose_the_scalar() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        for c in [2u32, 8, 13, 15, 16, 20] {
            let windows = COVERED_BITS.div_ceil(c);
            for s in scalars(50, &mut rng) {
                let Some((m, negative)) = signed_magnitude(&s) else {
                    continue;
                };
                let mut total = Fr::zero();
                let mut carry = 0u64;
                let half = 1u64 << (c - 1);
                for j in 0..windows {
                    let mut d = bits(&m.0, j * c, (1 << c) - 1) + carry;
                    let mut digit = Fr::from(d);
                    if d > half {
                        d = (1 << c) - d;
                        digit = -Fr::from(d);
                        carry = 1;
                    } else {
                        carry = 0;
                    }
                    total += digit * Fr::from(2u64).pow([u64::from(j * c)]);
                }
                assert_eq!(carry, 0);
                let total = if negative { -total } else { total };
                assert_eq!(total.into_bigint(), s, "c {c}");
            }
        }
    }
}
