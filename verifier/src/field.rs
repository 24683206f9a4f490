//! Arithmetic modulo `ℓ = 2^252 + 27742317777372353535851937790883648493` (the order of the
//! Ristretto group) in Montgomery form on four 64-bit limbs, for the batch's scalar work.
//!
//! Why not `curve25519_dalek::scalar::Scalar`: it stores canonical bytes and unpacks, multiplies
//! twice (Montgomery in, out) and packs again on every operation; the batch multiplies and adds
//! a few thousand coefficients per transaction (the range proof's generator coefficients, every
//! weighted term), and this representation does each in a fraction of the time. Values enter
//! with [`Fe::from_scalar`] and leave with [`Fe::to_scalar`]; the arithmetic is tested against
//! `Scalar`'s.
//!
//! Variable time (the verifier handles public values only). Every [`Fe`] holds `aR mod ℓ`,
//! fully reduced (`< ℓ`), with `R = 2^256`.
use curve25519_dalek::scalar::Scalar;
use std::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// `ℓ`, little-endian limbs.
const L: [u64; 4] = [
    0x5812_631a_5cf5_d3ed,
    0x14de_f9de_a2f7_9cd6,
    0,
    0x1000_0000_0000_0000,
];
/// `−ℓ⁻¹ mod 2^64`.
const N0: u64 = 0xd2b5_1da3_1254_7e1b;
/// `R² mod ℓ` (into Montgomery form).
const R2: [u64; 4] = [
    0xa406_11e3_449c_0f01,
    0xd00e_1ba7_6885_9347,
    0xceec_73d2_17f5_be65,
    0x0399_411b_7c30_9a3d,
];
/// `R mod ℓ` (one in Montgomery form).
const R1: [u64; 4] = [
    0xd6ec_3174_8d98_951d,
    0xc6ef_5bf4_737d_cf70,
    0xffff_ffff_ffff_fffe,
    0x0fff_ffff_ffff_ffff,
];

/// An element of `Z/ℓ` in Montgomery form.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(crate) struct Fe([u64; 4]);

/// `a − b` with borrow, limb-wise.
#[inline(always)]
fn sub_borrow(a: &[u64; 4], b: &[u64; 4]) -> ([u64; 4], bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        out[i] = d;
        borrow = b1 || b2;
    }
    (out, borrow)
}

/// `x mod ℓ` for `x < 2ℓ`.
#[inline(always)]
fn reduce_once(x: [u64; 4]) -> [u64; 4] {
    let (d, borrow) = sub_borrow(&x, &L);
    if borrow {
        x
    } else {
        d
    }
}

/// Montgomery multiplication (CIOS): `a·b·R⁻¹ mod ℓ` for `a, b < ℓ`.
#[inline(always)]
fn mont_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let mut t = [0u64; 6];
    for &ai in a {
        let mut carry = 0u64;
        for j in 0..4 {
            let uv = u128::from(t[j]) + u128::from(ai) * u128::from(b[j]) + u128::from(carry);
            t[j] = uv as u64;
            carry = (uv >> 64) as u64;
        }
        let uv = u128::from(t[4]) + u128::from(carry);
        t[4] = uv as u64;
        t[5] = (uv >> 64) as u64;

        let m = t[0].wrapping_mul(N0);
        let uv = u128::from(t[0]) + u128::from(m) * u128::from(L[0]);
        let mut carry = (uv >> 64) as u64;
        for j in 1..4 {
            let uv = u128::from(t[j]) + u128::from(m) * u128::from(L[j]) + u128::from(carry);
            t[j - 1] = uv as u64;
            carry = (uv >> 64) as u64;
        }
        let uv = u128::from(t[4]) + u128::from(carry);
        t[3] = uv as u64;
        t[4] = t[5] + (uv >> 64) as u64;
        t[5] = 0;
    }
    // t < 2ℓ < 2^254: t[4] is zero.
    reduce_once([t[0], t[1], t[2], t[3]])
}

impl Fe {
    /// Zero.
    pub const ZERO: Fe = Fe([0; 4]);
    /// One.
    pub const ONE: Fe = Fe(R1);

    /// From a (canonical) dalek scalar.
    pub fn from_scalar(s: &Scalar) -> Fe {
        let b = s.as_bytes();
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[8 * i..8 * i + 8]);
            *limb = u64::from_le_bytes(w);
        }
        // A `Scalar` is canonical (< ℓ); reduce anyway so that nothing here relies on it.
        Fe(mont_mul(&reduce_once(limbs), &R2))
    }

    /// From a `u128` (always below `ℓ`).
    pub fn from_u128(v: u128) -> Fe {
        Fe(mont_mul(&[v as u64, (v >> 64) as u64, 0, 0], &R2))
    }

    /// Back to a dalek scalar.
    pub fn to_scalar(self) -> Scalar {
        scalar_from_limbs(&mont_mul(&self.0, &[1, 0, 0, 0]))
    }

    /// `2·self`.
    pub fn double(self) -> Fe {
        self + self
    }

    /// `(self, false)` as a scalar, or `(−self, true)` when `−self` is below 2^128 and `self`
    /// is not: one conversion out of Montgomery form and one into a dalek scalar.
    pub fn short_form(self) -> (Scalar, bool) {
        let limbs = mont_mul(&self.0, &[1, 0, 0, 0]);
        let short = |l: &[u64; 4]| l[2] == 0 && l[3] == 0;
        if !short(&limbs) {
            // ℓ − x for 0 < x < ℓ.
            let (negated, _) = sub_borrow(&L, &limbs);
            if short(&negated) {
                return (scalar_from_limbs(&negated), true);
            }
        }
        (scalar_from_limbs(&limbs), false)
    }
}

/// The dalek scalar of canonical little-endian limbs.
fn scalar_from_limbs(limbs: &[u64; 4]) -> Scalar {
    let mut bytes = [0u8; 32];
    for (i, limb) in limbs.iter().enumerate() {
        bytes[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
    }
    Scalar::from_bytes_mod_order(bytes)
}

impl Add for Fe {
    type Output = Fe;
    #[inline(always)]
    fn add(self, rhs: Fe) -> Fe {
        // Both < ℓ < 2^253: no overflow of four limbs.
        let mut out = [0u64; 4];
        let mut carry = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (s, c1) = self.0[i].overflowing_add(rhs.0[i]);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *limb = s;
            carry = c1 || c2;
        }
        Fe(reduce_once(out))
    }
}

impl Sub for Fe {
    type Output = Fe;
    #[inline(always)]
    fn sub(self, rhs: Fe) -> Fe {
        let (d, borrow) = sub_borrow(&self.0, &rhs.0);
        if !borrow {
            return Fe(d);
        }
        // d + ℓ (mod 2^256).
        let mut out = [0u64; 4];
        let mut carry = false;
        for (i, limb) in out.iter_mut().enumerate() {
            let (s, c1) = d[i].overflowing_add(L[i]);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *limb = s;
            carry = c1 || c2;
        }
        Fe(out)
    }
}

impl Neg for Fe {
    type Output = Fe;
    fn neg(self) -> Fe {
        Fe::ZERO - self
    }
}

impl Mul for Fe {
    type Output = Fe;
    #[inline(always)]
    fn mul(self, rhs: Fe) -> Fe {
        Fe(mont_mul(&self.0, &rhs.0))
    }
}

impl AddAssign for Fe {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Fe) {
        *self = *self + rhs;
    }
}

impl SubAssign for Fe {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Fe) {
        *self = *self - rhs;
    }
}

impl MulAssign for Fe {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Fe) {
        *self = *self * rhs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn edge() -> Vec<Scalar> {
        vec![
            Scalar::ZERO,
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from(2u8),
            -Scalar::from(2u8),
            Scalar::from(u64::MAX),
            Scalar::from(u128::MAX),
            Scalar::from(1u128 << 64),
        ]
    }

    fn arbitrary() -> impl Strategy<Value = Scalar> {
        prop_oneof![
            any::<[u8; 64]>().prop_map(|b| Scalar::from_bytes_mod_order_wide(&b)),
            proptest::sample::select(edge()),
        ]
    }

    #[test]
    fn constants() {
        assert_eq!(Fe::ONE.to_scalar(), Scalar::ONE);
        assert_eq!(Fe::ZERO.to_scalar(), Scalar::ZERO);
        assert_eq!(Fe::from_scalar(&Scalar::ONE), Fe::ONE);
        // ℓ − 1 round-trips and ℓ − 1 + 1 = 0.
        let minus_one = Fe::from_scalar(&-Scalar::ONE);
        assert_eq!(minus_one.to_scalar(), -Scalar::ONE);
        assert_eq!(minus_one + Fe::ONE, Fe::ZERO);
        assert_eq!(minus_one * minus_one, Fe::ONE);
    }

    #[test]
    fn edge_cases_agree_with_dalek() {
        for a in edge() {
            for b in edge() {
                let (x, y) = (Fe::from_scalar(&a), Fe::from_scalar(&b));
                assert_eq!((x + y).to_scalar(), a + b);
                assert_eq!((x - y).to_scalar(), a - b);
                assert_eq!((x * y).to_scalar(), a * b);
                assert_eq!((-x).to_scalar(), -a);
            }
        }
    }

    #[test]
    fn short_forms() {
        let w = Fe::from_u128(u128::MAX);
        assert_eq!(w.short_form(), (Scalar::from(u128::MAX), false));
        assert_eq!((-w).short_form(), (Scalar::from(u128::MAX), true));
        assert_eq!(Fe::ZERO.short_form(), (Scalar::ZERO, false));
        let big = Fe::from_scalar(&Scalar::from_bytes_mod_order([0x55; 32]));
        assert_eq!(big.short_form(), (big.to_scalar(), false));
        assert_eq!((-big).short_form(), ((-big).to_scalar(), false));
    }

    #[test]
    fn many_random_products_agree_with_dalek() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let mut acc = Fe::ONE;
        let mut expected = Scalar::ONE;
        for _ in 0..10_000 {
            let s = Scalar::random(&mut rng);
            acc = acc * Fe::from_scalar(&s) + Fe::from_scalar(&s);
            expected = expected * s + s;
        }
        assert_eq!(acc.to_scalar(), expected);
        let w = u128::MAX - 5;
        assert_eq!(Fe::from_u128(w).to_scalar(), Scalar::from(w));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn arithmetic_agrees_with_dalek(a in arbitrary(), b in arbitrary()) {
            let (x, y) = (Fe::from_scalar(&a), Fe::from_scalar(&b));
            prop_assert_eq!(x.to_scalar(), a);
            prop_assert_eq!((x + y).to_scalar(), a + b);
            prop_assert_eq!((x - y).to_scalar(), a - b);
            prop_assert_eq!((x * y).to_scalar(), a * b);
            prop_assert_eq!(x.double().to_scalar(), a + a);
            prop_assert_eq!((-x).to_scalar(), -a);
            let (s, negated) = x.short_form();
            prop_assert_eq!(if negated { -s } else { s }, a);
        }
    }
}
