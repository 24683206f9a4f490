//! The GPU MSM's algorithm on the host: signed-digit windows, the bucket plan, the limb layout
//! of field elements, and the final combination of window sums.
//!
//! The CUDA kernels (`gpu/msm.cu`) compute `Σ sᵢ·Pᵢ` for several scalar vectors against the same
//! bases in these steps (DESIGN.md §7, "Proving lever"):
//! 1. every scalar is cut into `windows` signed digits of `c` bits (Booth recoding, [`Plan`]):
//!    `s = Σⱼ dⱼ·2^(c·j)` with `dⱼ ∈ [−2^(c−1), 2^(c−1)]`, so a window needs only `2^(c−1)`
//!    buckets and a negative digit adds the negated base;
//! 2. a counting sort puts each non-zero digit's (base index, sign) in its bucket's slot;
//! 3. threads sum fixed chunks of the sorted entries; a bucket whose entries cross chunk
//!    boundaries is summed from its pieces afterwards (so one huge bucket, as the 0/1 scalars
//!    of a witness make, never serialises on one thread);
//! 4. each window's buckets are weighted by their digit, `Σₖ (k+1)·Bₖ`, in groups of
//!    [`Plan::group`] buckets (a running sum per group plus the group's offset times its plain
//!    sum), and the groups are added;
//! 5. the host combines the windows: `Σⱼ 2^(c·j)·Wⱼ` ([`Plan::combine`]).
//!
//! This module is the reference for those kernels: [`emulate`] (tests only) runs exactly their
//! decomposition with arkworks' group law and is checked against arkworks' own MSM, so that only
//! the CUDA field and curve arithmetic remains to be checked on a device (where the backend's
//! start-up self-test and the device tests compare it with the CPU).
//!
//! Field elements travel as 8 little-endian 32-bit limbs of arkworks' Montgomery form
//! ([`FieldLimbs`]): byte for byte what `Fp256` holds (`R = 2^256`), so no conversion is needed
//! on either side; scalars travel in canonical form ([`scalar_limbs`]).
use super::msm::ScalarRepr;
use ark_bn254::{Fq, Fq2};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::AdditiveGroup;
use ark_ff::{BigInt, Field, PrimeField, Zero};

/// 32-bit limbs of a scalar or of an `Fq` element.
pub(crate) const LIMBS: usize = 8;

/// Smallest and largest window width (bits).
const MIN_WINDOW_BITS: u32 = 4;
const MAX_WINDOW_BITS: u32 = 16;

/// Scalars are below `r < 2^254`; with the Booth carry the digits must cover 255 bits so that
/// the top window never carries out.
const COVERED_BITS: u32 = 255;

/// Buckets weighted per thread in step 4 (at most; fewer when a window has fewer buckets).
const GROUP_BUCKETS: u32 = 32;

/// The window layout of one MSM size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// `c`: bits per window.
    pub(crate) window_bits: u32,
    /// Number of windows, `⌈255 / c⌉`.
    pub(crate) windows: u32,
}

impl Plan {
    /// Windows of `window_bits` bits (clamped to 4..=16).
    pub(crate) fn new(window_bits: u32) -> Self {
        let window_bits = window_bits.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS);
        Self {
            window_bits,
            windows: COVERED_BITS.div_ceil(window_bits),
        }
    }

    /// The plan for MSMs of `n` bases: `c = ⌊log₂ n⌋ − 3`, clamped to 4..=16 (12 bits at
    /// 2^15 points, 16 from 2^19 on), which balances the `n·windows` bucket additions against
    /// the `2^c·windows` additions of the weighting.
    pub(crate) fn for_len(n: usize) -> Self {
        let log = usize::BITS - n.max(1).leading_zeros() - 1;
        Self::new(log.saturating_sub(3))
    }

    /// `2^(c−1)`: buckets per window (digit magnitudes 1..=2^(c−1)).
    pub(crate) fn buckets_per_window(self) -> u32 {
        1 << (self.window_bits - 1)
    }

    /// Buckets weighted by one thread of step 4; divides [`Self::buckets_per_window`].
    pub(crate) fn group(self) -> u32 {
        self.buckets_per_window().min(GROUP_BUCKETS)
    }

    /// The signed digits of a canonical scalar, lowest window first, as the kernel computes
    /// them (the kernel's reference: only tests call it): `raw = bits + carry`; above `2^(c−1)` the digit is `raw − 2^c` and carries one.
    #[cfg(test)]
    pub(crate) fn digits(self, scalar: &[u32; LIMBS]) -> Vec<i32> {
        let c = self.window_bits;
        let half = self.buckets_per_window();
        let mut carry = 0u32;
        (0..self.windows)
            .map(|j| {
                let raw = window_value(scalar, j * c, c) + carry;
                if raw > half {
                    carry = 1;
                    // raw ≤ 2^c, so the magnitude fits easily in i32.
                    -(((1u32 << c) - raw) as i32)
                } else {
                    carry = 0;
                    raw as i32
                }
            })
            .collect()
    }

    /// `Σⱼ 2^(c·j)·windows[j]` (Horner from the top window): the host's final sum.
    pub(crate) fn combine<P: SWCurveConfig>(self, window_sums: &[Projective<P>]) -> Projective<P> {
        let mut acc = Projective::<P>::zero();
        for w in window_sums.iter().rev() {
            for _ in 0..self.window_bits {
                acc.double_in_place();
            }
            acc += w;
        }
        acc
    }
}

/// Bits `[bit, bit + c)` of a 256-bit scalar, zero past bit 255 (the kernel's `window_value`).
#[cfg(test)]
fn window_value(s: &[u32; LIMBS], bit: u32, c: u32) -> u32 {
    let limb = (bit / 32) as usize;
    let sh = bit % 32;
    if limb >= LIMBS {
        return 0;
    }
    let mut v = s[limb] >> sh;
    if sh + c > 32 && limb + 1 < LIMBS {
        v |= s[limb + 1] << (32 - sh);
    }
    v & ((1u32 << c) - 1)
}

/// The 8 little-endian 32-bit limbs of a canonical scalar.
pub(crate) fn scalar_limbs(s: &ScalarRepr) -> [u32; LIMBS] {
    u64_to_u32_limbs(&s.0)
}

fn u64_to_u32_limbs(words: &[u64; 4]) -> [u32; LIMBS] {
    let mut out = [0u32; LIMBS];
    for (i, w) in words.iter().enumerate() {
        out[2 * i] = *w as u32;
        out[2 * i + 1] = (*w >> 32) as u32;
    }
    out
}

fn u32_to_u64_limbs(limbs: &[u32]) -> Option<[u64; 4]> {
    if limbs.len() != LIMBS {
        return None;
    }
    let mut out = [0u64; 4];
    for (i, w) in out.iter_mut().enumerate() {
        *w = u64::from(limbs[2 * i]) | (u64::from(limbs[2 * i + 1]) << 32);
    }
    Some(out)
}

/// A coordinate field of BN254 as the kernels hold it: [`Self::WORDS`] 32-bit limbs of the
/// Montgomery form (`Fq`: 8; `Fq2`: `c0` then `c1`, 16).
pub(crate) trait FieldLimbs: Field {
    /// 32-bit words per element.
    const WORDS: usize;
    /// Appends the element's limbs.
    fn push_limbs(&self, out: &mut Vec<u32>);
    /// The element whose Montgomery limbs these are; `None` unless `words.len() == WORDS` and
    /// every `Fq` part is fully reduced (below `p`).
    fn from_limbs(words: &[u32]) -> Option<Self>;
}

impl FieldLimbs for Fq {
    const WORDS: usize = LIMBS;

    fn push_limbs(&self, out: &mut Vec<u32>) {
        out.extend_from_slice(&u64_to_u32_limbs(&self.0 .0));
    }

    fn from_limbs(words: &[u32]) -> Option<Self> {
        let bigint = BigInt(u32_to_u64_limbs(words)?);
        (bigint < Fq::MODULUS).then(|| Fq::new_unchecked(bigint))
    }
}

impl FieldLimbs for Fq2 {
    const WORDS: usize = 2 * LIMBS;

    fn push_limbs(&self, out: &mut Vec<u32>) {
        self.c0.push_limbs(out);
        self.c1.push_limbs(out);
    }

    fn from_limbs(words: &[u32]) -> Option<Self> {
        if words.len() != Self::WORDS {
            return None;
        }
        let (c0, c1) = words.split_at(LIMBS);
        Some(Fq2::new(Fq::from_limbs(c0)?, Fq::from_limbs(c1)?))
    }
}

/// Appends an affine base as `x` then `y` (the caller never passes the identity).
pub(crate) fn push_affine<P>(p: &Affine<P>, out: &mut Vec<u32>)
where
    P: SWCurveConfig,
    P::BaseField: FieldLimbs,
{
    p.x.push_limbs(out);
    p.y.push_limbs(out);
}

/// The point of an XYZZ accumulator `(X, Y, ZZ, ZZZ)` as the kernels store it (`x = X/ZZ`,
/// `y = Y/ZZZ`, `ZZ³ = ZZZ²`, identity `ZZ = 0`), as arkworks' Jacobian `(X·ZZ, Y·ZZZ, ZZ)`:
/// `X·ZZ/ZZ² = X/ZZ` and `Y·ZZZ/ZZ³ = Y·ZZZ/ZZZ² = Y/ZZZ`. `None` if the words are not four
/// reduced field elements.
pub(crate) fn xyzz_to_projective<P>(words: &[u32]) -> Option<Projective<P>>
where
    P: SWCurveConfig,
    P::BaseField: FieldLimbs,
{
    let w = <P::BaseField as FieldLimbs>::WORDS;
    if words.len() != 4 * w {
        return None;
    }
    let f = |i: usize| <P::BaseField as FieldLimbs>::from_limbs(&words[i * w..(i + 1) * w]);
    let (x, y, zz, zzz) = (f(0)?, f(1)?, f(2)?, f(3)?);
    if zz.is_zero() {
        return Some(Projective::zero());
    }
    Some(Projective::new_unchecked(x * zz, y * zzz, zz))
}

/// The `#define`s the kernel source expects, from arkworks' constants: the modulus `p`, the
/// Montgomery constant `−p⁻¹ mod 2^32` and `R mod p` (the Montgomery form of one).
pub(crate) fn kernel_constants() -> String {
    let p = u64_to_u32_limbs(&Fq::MODULUS.0);
    let one = u64_to_u32_limbs(&Fq::ONE.0 .0);
    let list = |limbs: &[u32; LIMBS]| {
        limbs
            .iter()
            .map(|l| format!("0x{l:08x}u"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "#define CORRIDOR_FQ_MODULUS {{{}}}\n#define CORRIDOR_FQ_INV 0x{:08x}u\n#define CORRIDOR_FQ_ONE {{{}}}\n",
        list(&p),
        montgomery_inv(p[0]),
        list(&one)
    )
}

/// `−p₀⁻¹ mod 2^32` for an odd `p₀` (Newton's iteration doubles the correct bits each step).
fn montgomery_inv(p0: u32) -> u32 {
    let mut inv = 1u32;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u32.wrapping_sub(p0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// The kernels' decomposition with arkworks' group law: counting sort by bucket, chunks of
/// `chunk` entries with the split buckets fixed up, group weighting, group sums, then
/// [`Plan::combine`]. One result per scalar vector.
#[cfg(test)]
pub(crate) fn emulate<P: SWCurveConfig>(
    plan: Plan,
    chunk: usize,
    bases: &[Affine<P>],
    scalars: &[Vec<[u32; LIMBS]>],
) -> Vec<Projective<P>> {
    let n = bases.len();
    let batch = scalars.len();
    let windows = plan.windows as usize;
    let nb = plan.buckets_per_window() as usize;
    let num_buckets = batch * windows * nb;
    let key = |b: usize, j: usize, magnitude: usize| (b * windows + j) * nb + magnitude - 1;

    // 1–2: count, exclusive scan, scatter (entry = index | sign << 31).
    let mut counts = vec![0u32; num_buckets];
    for (b, vector) in scalars.iter().enumerate() {
        for s in vector.iter().take(n) {
            for (j, d) in plan.digits(s).into_iter().enumerate() {
                if d != 0 {
                    counts[key(b, j, d.unsigned_abs() as usize)] += 1;
                }
            }
        }
    }
    let mut offsets = vec![0u32; num_buckets + 1];
    for g in 0..num_buckets {
        offsets[g + 1] = offsets[g] + counts[g];
    }
    let len = offsets[num_buckets] as usize;
    let mut cursor = offsets.clone();
    let mut entry = vec![0u32; len];
    let mut sorted_key = vec![0u32; len];
    for (b, vector) in scalars.iter().enumerate() {
        for (i, s) in vector.iter().take(n).enumerate() {
            for (j, d) in plan.digits(s).into_iter().enumerate() {
                if d != 0 {
                    let g = key(b, j, d.unsigned_abs() as usize);
                    let pos = cursor[g] as usize;
                    cursor[g] += 1;
                    entry[pos] = i as u32 | (u32::from(d < 0) << 31);
                    sorted_key[pos] = g as u32;
                }
            }
        }
    }

    // 3: chunks, then the buckets that cross chunk boundaries.
    let base = |e: u32| {
        let p = bases[(e & 0x7fff_ffff) as usize];
        if e >> 31 == 1 {
            -p
        } else {
            p
        }
    };
    let chunks = len.div_ceil(chunk);
    let mut buckets = vec![Projective::<P>::zero(); num_buckets];
    let mut left = vec![Projective::<P>::zero(); chunks];
    let mut right = vec![Projective::<P>::zero(); chunks];
    for t in 0..chunks {
        let (a, e) = (t * chunk, ((t + 1) * chunk).min(len));
        let mut pos = a;
        while pos < e {
            let k = sorted_key[pos];
            let run_start = pos;
            let mut acc = Projective::<P>::zero();
            while pos < e && sorted_key[pos] == k {
                acc += base(entry[pos]);
                pos += 1;
            }
            let continues_left = run_start == a && a > 0 && sorted_key[a - 1] == k;
            let continues_right = pos == e && e < len && sorted_key[e] == k;
            if !continues_left && !continues_right {
                buckets[k as usize] = acc;
            } else if run_start == a {
                left[t] = acc;
            } else {
                right[t] = acc;
            }
        }
    }
    for (g, bucket) in buckets.iter_mut().enumerate() {
        let (s, e) = (offsets[g] as usize, offsets[g + 1] as usize);
        if e <= s {
            continue;
        }
        let (t0, t1) = (s / chunk, (e - 1) / chunk);
        if t0 == t1 {
            continue;
        }
        let mut acc = if s == t0 * chunk { left[t0] } else { right[t0] };
        for piece in &left[t0 + 1..=t1] {
            acc += piece;
        }
        *bucket = acc;
    }

    // 4: groups of `group` buckets weighted by digit; then the groups' sums per window.
    let group = plan.group() as usize;
    let groups = nb / group;
    let mut window_sums = Vec::with_capacity(batch * windows);
    for w in 0..batch * windows {
        let mut total = Projective::<P>::zero();
        for k in 0..groups {
            let start = w * nb + k * group;
            let (mut running, mut sum) = (Projective::<P>::zero(), Projective::<P>::zero());
            for q in (0..group).rev() {
                running += buckets[start + q];
                sum += running;
            }
            total += sum + running * P::ScalarField::from((k * group) as u64);
        }
        window_sums.push(total);
    }

    // 5: the host's combination.
    window_sums
        .chunks(windows)
        .map(|w| plan.combine(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
    use ark_ff::{One, UniformRand};
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn r_minus_one() -> ScalarRepr {
        (-Fr::one()).into_bigint()
    }

    /// `Σⱼ dⱼ·2^(c·j)` as a big integer, or `None` if negative or wider than 320 bits.
    fn reconstruct(plan: Plan, digits: &[i32]) -> Option<[u64; 5]> {
        // Horner in 320-bit two's complement.
        let mut acc = [0u64; 5];
        for &d in digits.iter().rev() {
            // acc <<= c
            let c = plan.window_bits;
            for i in (0..5).rev() {
                acc[i] = (acc[i] << c) | if i > 0 { acc[i - 1] >> (64 - c) } else { 0 };
            }
            // acc += d (sign-extended)
            let ext = if d < 0 { u64::MAX } else { 0 };
            let mut carry = 0u128;
            for (i, a) in acc.iter_mut().enumerate() {
                let add = if i == 0 { i64::from(d) as u64 } else { ext };
                let s = u128::from(*a) + u128::from(add) + carry;
                *a = s as u64;
                carry = s >> 64;
            }
        }
        (acc[4] >> 63 == 0).then_some(acc)
    }

    fn check_digits(plan: Plan, s: &ScalarRepr) {
        let digits = plan.digits(&scalar_limbs(s));
        assert_eq!(digits.len(), plan.windows as usize);
        let half = plan.buckets_per_window() as i32;
        for &d in &digits {
            assert!(
                -half <= d && d <= half,
                "digit {d} out of range for {plan:?}"
            );
        }
        let value = reconstruct(plan, &digits).expect("non-negative");
        assert_eq!(value[..4], s.0, "{plan:?}");
        assert_eq!(value[4], 0, "{plan:?}");
    }

    #[test]
    fn booth_digits_reconstruct_edge_scalars_for_every_window_width() {
        let mut edge = vec![
            BigInt::zero(),
            BigInt::one(),
            BigInt::from(2u64),
            r_minus_one(),
            Fr::MODULUS_MINUS_ONE_DIV_TWO,
            BigInt([u64::MAX, u64::MAX, u64::MAX, (1 << 62) - 1]), // 2^254 − 1
        ];
        // Every window all ones (carries ripple through every window).
        for c in MIN_WINDOW_BITS..=MAX_WINDOW_BITS {
            let mut s = BigInt([0u64; 4]);
            for bit in 0..254 {
                if bit % c != c - 1 || bit == 0 {
                    s.0[bit as usize / 64] |= 1 << (bit % 64);
                }
            }
            edge.push(s);
        }
        for c in MIN_WINDOW_BITS..=MAX_WINDOW_BITS {
            let plan = Plan::new(c);
            assert!(plan.windows * c >= COVERED_BITS);
            for s in &edge {
                check_digits(plan, s);
            }
        }
    }

    proptest! {
        #[test]
        fn booth_digits_reconstruct_random_scalars(seed in any::<u64>(), c in MIN_WINDOW_BITS..=MAX_WINDOW_BITS) {
            let s = Fr::rand(&mut ChaCha20Rng::seed_from_u64(seed)).into_bigint();
            check_digits(Plan::new(c), &s);
        }
    }

    #[test]
    fn plan_sizes() {
        assert_eq!(Plan::for_len(0), Plan::new(4));
        assert_eq!(Plan::for_len(1), Plan::new(4));
        assert_eq!(Plan::for_len(1 << 12), Plan::new(9));
        assert_eq!(Plan::for_len(1 << 16), Plan::new(13));
        assert_eq!(Plan::for_len(1 << 20), Plan::new(16));
        assert_eq!(Plan::for_len(1 << 24), Plan::new(16));
        assert_eq!(Plan::new(16).windows, 16);
        assert_eq!(Plan::new(13).windows, 20);
        for c in MIN_WINDOW_BITS..=MAX_WINDOW_BITS {
            let plan = Plan::new(c);
            assert_eq!(plan.buckets_per_window() % plan.group(), 0);
        }
    }

    #[test]
    fn limbs_round_trip_in_montgomery_form() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for x in [Fq::zero(), Fq::one(), -Fq::one(), Fq::rand(&mut rng)] {
            let mut words = Vec::new();
            x.push_limbs(&mut words);
            assert_eq!(words.len(), 8);
            // Montgomery form: the limbs are x·2^256 mod p, not x.
            let mont = x * Fq::from(2u64).pow([256]);
            assert_eq!(words, u64_to_u32_limbs(&mont.into_bigint().0));
            assert_eq!(Fq::from_limbs(&words), Some(x));
        }
        let y = Fq2::new(Fq::rand(&mut rng), Fq::rand(&mut rng));
        let mut words = Vec::new();
        y.push_limbs(&mut words);
        assert_eq!(Fq2::from_limbs(&words), Some(y));
        // Unreduced limbs (p itself) and wrong lengths are refused.
        let p = u64_to_u32_limbs(&Fq::MODULUS.0);
        assert_eq!(Fq::from_limbs(&p), None);
        assert_eq!(Fq::from_limbs(&p[..7]), None);
        let s = Fr::rand(&mut rng).into_bigint();
        assert_eq!(u32_to_u64_limbs(&scalar_limbs(&s)), Some(s.0));
    }

    #[test]
    fn kernel_constants_are_arkworks_fq() {
        let text = kernel_constants();
        assert!(text.contains("0xd87cfd47u, 0x3c208c16u"), "{text}");
        assert!(
            text.contains("#define CORRIDOR_FQ_INV 0xe4866389u"),
            "{text}"
        );
        let p0 = Fq::MODULUS.0[0] as u32;
        assert_eq!(p0.wrapping_mul(montgomery_inv(p0)), u32::MAX);
        assert_eq!(
            Fq::from_limbs(&u64_to_u32_limbs(&Fq::ONE.0 .0)),
            Some(Fq::one())
        );
    }

    #[test]
    fn xyzz_converts_to_the_same_point() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let p = (G1Projective::rand(&mut rng)).into_affine();
        let z = Fq::rand(&mut rng);
        let (zz, zzz) = (z.square(), z.square() * z);
        let mut words = Vec::new();
        for f in [p.x * zz, p.y * zzz, zz, zzz] {
            f.push_limbs(&mut words);
        }
        let back: G1Projective = xyzz_to_projective(&words).unwrap();
        assert_eq!(back.into_affine(), p);
        assert!(xyzz_to_projective::<ark_bn254::g1::Config>(&[0u32; 32])
            .unwrap()
            .is_zero());
        assert!(xyzz_to_projective::<ark_bn254::g1::Config>(&[0u32; 31]).is_none());
    }

    fn g1_bases(rng: &mut ChaCha20Rng, n: usize) -> Vec<G1Affine> {
        (0..n).map(|_| G1Affine::rand(rng)).collect()
    }

    fn limbs_of(scalars: &[ScalarRepr]) -> Vec<[u32; LIMBS]> {
        scalars.iter().map(scalar_limbs).collect()
    }

    fn check_emulation<P: SWCurveConfig<ScalarField = Fr>>(
        plan: Plan,
        chunk: usize,
        bases: &[Affine<P>],
        vectors: &[Vec<ScalarRepr>],
        what: &str,
    ) {
        let limbs: Vec<_> = vectors.iter().map(|v| limbs_of(v)).collect();
        let got = emulate(plan, chunk, bases, &limbs);
        for (b, v) in vectors.iter().enumerate() {
            let expected = Projective::<P>::msm_bigint(bases, v);
            assert_eq!(
                got[b], expected,
                "{what}, vector {b}, {plan:?}, chunk {chunk}"
            );
        }
    }

    #[test]
    fn emulated_kernels_equal_arkworks_on_random_and_edge_inputs() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for n in [1usize, 2, 3, 17, 255] {
            let bases = g1_bases(&mut rng, n);
            let random: Vec<ScalarRepr> =
                (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
            let vectors = vec![
                random,
                vec![BigInt::zero(); n],
                vec![r_minus_one(); n],
                vec![BigInt::one(); n],
                (0..n).map(|i| BigInt::from((i % 3) as u64)).collect(),
            ];
            for (c, chunk) in [
                (4, 1),
                (4, 3),
                (5, 32),
                (9, 7),
                (Plan::for_len(n).window_bits, 32),
            ] {
                check_emulation(Plan::new(c), chunk, &bases, &vectors, &format!("n = {n}"));
            }
        }
    }

    #[test]
    fn emulated_kernels_handle_repeated_opposite_and_identity_points() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let p = G1Affine::rand(&mut rng);
        let q = G1Affine::rand(&mut rng);
        // P = Q in one bucket (doubling), P = −Q in one bucket (identity), the identity itself
        // (which the backend filters out before upload; here it goes through the group law).
        let bases = vec![p, p, p, -p, q, -q, G1Affine::zero(), q, p];
        let n = bases.len();
        let vectors = vec![
            vec![BigInt::one(); n],
            vec![r_minus_one(); n],
            (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect(),
            (0..n).map(|i| BigInt::from(i as u64 % 2)).collect(),
        ];
        for (c, chunk) in [(4, 1), (4, 2), (6, 4), (16, 32)] {
            check_emulation(Plan::new(c), chunk, &bases, &vectors, "repeated points");
        }
    }

    #[test]
    fn emulated_kernels_equal_arkworks_in_g2() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let bases: Vec<G2Affine> = (0..20).map(|_| G2Affine::rand(&mut rng)).collect();
        let vectors = vec![
            (0..20).map(|_| Fr::rand(&mut rng).into_bigint()).collect(),
            vec![r_minus_one(); 20],
        ];
        check_emulation(Plan::new(5), 3, &bases, &vectors, "G2");
        let _: G2Projective = Plan::new(5).combine(&[]);
    }

    #[test]
    fn combine_is_horner_in_two_to_the_c() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let plan = Plan::new(7);
        let windows: Vec<G1Projective> = (0..5).map(|_| G1Projective::rand(&mut rng)).collect();
        let mut expected = G1Projective::zero();
        for (j, w) in windows.iter().enumerate() {
            let shift = BigInt::<4>::one() << (7 * j as u32);
            expected += w.mul_bigint(shift);
        }
        assert_eq!(plan.combine(&windows), expected);
    }

    /// Writes `consts.h` and `vectors.bin` to `$CORRIDOR_KERNEL_VECTORS` for the host harness
    /// that compiles `gpu/msm.cu` with a C++ compiler and runs its kernels on the CPU
    /// (`gpu/host_check.cpp`): cases of G1 and G2 bases (no identities), scalar vectors and
    /// arkworks' results in affine Montgomery limbs. A tool, not a check: run with `--ignored`.
    #[test]
    #[ignore = "writes the vectors of gpu/host_check.cpp to $CORRIDOR_KERNEL_VECTORS"]
    fn write_kernel_vectors_for_the_host_harness() {
        let dir = std::env::var_os("CORRIDOR_KERNEL_VECTORS")
            .expect("CORRIDOR_KERNEL_VECTORS names the folder to write");
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("consts.h"), kernel_constants()).unwrap();
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut out: Vec<u32> = Vec::new();
        let mut cases = 0u32;
        fn case<P: SWCurveConfig<ScalarField = Fr>>(
            out: &mut Vec<u32>,
            curve: u32,
            c: u32,
            bases: &[Affine<P>],
            vectors: &[Vec<ScalarRepr>],
        ) where
            P::BaseField: FieldLimbs,
        {
            out.extend([curve, bases.len() as u32, vectors.len() as u32, c]);
            for b in bases {
                push_affine(b, out);
            }
            for v in vectors {
                for x in v {
                    out.extend(scalar_limbs(x));
                }
            }
            for v in vectors {
                let r = Projective::<P>::msm_bigint(bases, v).into_affine();
                out.push(u32::from(r.is_zero()));
                if r.is_zero() {
                    out.extend(std::iter::repeat_n(0, 2 * P::BaseField::WORDS));
                } else {
                    push_affine(&r, out);
                }
            }
        }
        let edge = |n: usize, rng: &mut ChaCha20Rng| {
            vec![
                (0..n)
                    .map(|_| Fr::rand(rng).into_bigint())
                    .collect::<Vec<_>>(),
                vec![BigInt::zero(); n],
                vec![r_minus_one(); n],
                vec![BigInt::one(); n],
                (0..n).map(|i| BigInt::from((i % 3) as u64)).collect(),
            ]
        };
        for n in [1usize, 2, 255, 1000] {
            let bases = g1_bases(&mut rng, n);
            let vectors = edge(n, &mut rng);
            case(&mut out, 1, Plan::for_len(n).window_bits, &bases, &vectors);
            case(&mut out, 1, 5, &bases, &vectors);
            cases += 2;
        }
        let p = G1Affine::rand(&mut rng);
        let q = G1Affine::rand(&mut rng);
        let repeated = vec![p, p, p, -p, q, -q, q, p, p, -q];
        let vectors = edge(repeated.len(), &mut rng);
        case(&mut out, 1, 4, &repeated, &vectors);
        cases += 1;
        for n in [1usize, 2, 40] {
            let bases: Vec<G2Affine> = (0..n).map(|_| G2Affine::rand(&mut rng)).collect();
            let vectors = edge(n, &mut rng);
            case(&mut out, 2, Plan::for_len(n).window_bits, &bases, &vectors);
            cases += 1;
        }
        let p2 = G2Affine::rand(&mut rng);
        let repeated2 = vec![p2, p2, -p2, p2];
        let vectors = edge(repeated2.len(), &mut rng);
        case(&mut out, 2, 4, &repeated2, &vectors);
        cases += 1;
        let mut bytes = cases.to_le_bytes().to_vec();
        bytes.extend(out.iter().flat_map(|w| w.to_le_bytes()));
        std::fs::write(dir.join("vectors.bin"), bytes).unwrap();
    }
}
