//! Baby Jubjub gadgets: the twisted Edwards curve `a·x² + y² = 1 + d·x²·y²` over BN254 `Fr`
//! in ark-ed-on-bn254's coordinates (`a = 1`; circomlib's curve scaled, so its points differ
//! from circomlib's). Its prime-order subgroup has order `ℓ < 2^251`.
//!
//! The formulas are the complete ones (`a` square, `d` non-square, so no denominator vanishes
//! for points on the curve); a prover cannot exploit an exceptional case.
//!
//! Costs: addition 6 constraints (3 if one point is constant), doubling 5. Scalars enter as
//! little-endian bits, taken in 2-bit windows whose product `b_{2j}·b_{2j+1}` is computed once
//! ([`ScalarBitsVar`]) and shared by the fixed- and the variable-base multiplication:
//! - fixed base `k·B`: one window is a table of 4 constant points read by a linear combination
//!   of `1, b, b', b·b'` (free), then one addition: 6 constraints per 2 bits;
//! - variable base `k·P`: MSB-first, per window two doublings, a table `{O, P, 2P, 3P}` read with
//!   6 constraints, one addition: 22 constraints per 2 bits, plus 11 for the table.
use ark_bn254::Fr;
use ark_ec::twisted_edwards::TECurveConfig;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ed_on_bn254::{EdwardsAffine, EdwardsConfig, EdwardsProjective};
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::tree::enforce_boolean;

/// A Baby Jubjub point (affine, ark-ed-on-bn254).
pub type JubjubPoint = EdwardsAffine;
/// The scalar field of its prime-order subgroup (order `ℓ`).
pub type JubjubScalar = ark_ed_on_bn254::Fr;

/// Bits of a scalar below `ℓ` (`ℓ < 2^251`).
pub const SCALAR_BITS: usize = 251;

/// `B8`: the generator of the prime-order subgroup (ark-ed-on-bn254's generator).
pub fn base_point() -> JubjubPoint {
    EdwardsAffine::generator()
}

/// The little-endian bits of `k` (251 of them).
pub fn scalar_bits(k: &JubjubScalar) -> Vec<bool> {
    let mut bits = k.into_bigint().to_bits_le();
    bits.truncate(SCALAR_BITS);
    bits
}

/// A point as two field variables.
#[derive(Clone, Debug)]
pub struct PointVar {
    /// `x`.
    pub x: FpVar<Fr>,
    /// `y`.
    pub y: FpVar<Fr>,
}

impl PointVar {
    /// A constant point.
    pub fn constant(p: &JubjubPoint) -> Self {
        PointVar {
            x: FpVar::Constant(p.x),
            y: FpVar::Constant(p.y),
        }
    }

    /// The identity `(0, 1)`.
    pub fn identity() -> Self {
        PointVar {
            x: FpVar::zero(),
            y: FpVar::one(),
        }
    }

    /// Allocates `p` as two public inputs, `x` then `y` (`None` in setup mode). No curve check:
    /// public points are supplied by the verifier.
    pub fn new_input(
        cs: ConstraintSystemRef<Fr>,
        p: Option<&JubjubPoint>,
    ) -> Result<Self, SynthesisError> {
        let x = FpVar::new_input(cs.clone(), || {
            p.map(|p| p.x).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let y = FpVar::new_input(cs, || {
            p.map(|p| p.y).ok_or(SynthesisError::AssignmentMissing)
        })?;
        Ok(PointVar { x, y })
    }

    /// The assigned point (no validation).
    pub fn value(&self) -> Result<JubjubPoint, SynthesisError> {
        Ok(EdwardsAffine::new_unchecked(
            self.x.value()?,
            self.y.value()?,
        ))
    }

    /// Enforces equality of both coordinates: 2 constraints.
    pub fn enforce_equal(&self, other: &Self) -> Result<(), SynthesisError> {
        self.x.enforce_equal(&other.x)?;
        self.y.enforce_equal(&other.y)
    }

    /// `self + other`: `β = x1·y2`, `γ = y1·x2`, `δ = (y1 − x1)(x2 + y2)`, `τ = d·β·γ`,
    /// `x3 = (β + γ)/(1 + τ)`, `y3 = (δ + β − γ)/(1 − τ)` (6 constraints; 3 when `other` is
    /// constant).
    pub fn add(&self, other: &Self) -> Result<Self, SynthesisError> {
        let d = EdwardsConfig::COEFF_D;
        let beta = &self.x * &other.y;
        let gamma = &self.y * &other.x;
        let delta = (&self.y - &self.x) * (&other.x + &other.y);
        let tau = (&beta * &gamma) * d;
        let x = div(&(&beta + &gamma), &(&tau + Fr::one()))?;
        let y = div(&(delta + &beta - &gamma), &(FpVar::one() - &tau))?;
        Ok(PointVar { x, y })
    }

    /// `2·self`: `x3 = 2xy/(x² + y²)`, `y3 = (y² − x²)/(2 − x² − y²)` (5 constraints).
    pub fn double(&self) -> Result<Self, SynthesisError> {
        let xx = self.x.square()?;
        let yy = self.y.square()?;
        let xy = &self.x * &self.y;
        let x = div(&xy.double()?, &(&xx + &yy))?;
        let y = div(&(&yy - &xx), &(FpVar::Constant(Fr::from(2u64)) - &xx - &yy))?;
        Ok(PointVar { x, y })
    }
}

/// `num / den`: free when `den` is constant, else one constraint `q·den = num`.
fn div(num: &FpVar<Fr>, den: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    match (num, den) {
        (FpVar::Constant(n), FpVar::Constant(d)) => d
            .inverse()
            .map(|i| FpVar::Constant(*n * i))
            .ok_or(SynthesisError::DivisionByZero),
        (_, FpVar::Constant(d)) => d
            .inverse()
            .map(|i| num * i)
            .ok_or(SynthesisError::DivisionByZero),
        _ => {
            let cs = num.cs().or(den.cs());
            let q = FpVar::new_witness(cs, || {
                let d = den
                    .value()?
                    .inverse()
                    .ok_or(SynthesisError::DivisionByZero)?;
                Ok(num.value()? * d)
            })?;
            q.mul_equals(den, num)?;
            Ok(q)
        }
    }
}

/// A scalar's little-endian bits, boolean-constrained, with the product of each 2-bit window.
#[derive(Clone, Debug)]
pub struct ScalarBitsVar {
    bits: Vec<FpVar<Fr>>,
    /// `pairs[j] = bits[2j]·bits[2j+1]` for each full window.
    pairs: Vec<FpVar<Fr>>,
}

impl ScalarBitsVar {
    /// Allocates [`SCALAR_BITS`] witness bits of `k` (`None` in setup mode): one booleanity
    /// constraint per bit and one product per window.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        k: Option<&JubjubScalar>,
    ) -> Result<Self, SynthesisError> {
        let values = k.map(scalar_bits);
        let bits = (0..SCALAR_BITS)
            .map(|i| {
                let b = FpVar::new_witness(cs.clone(), || {
                    values
                        .as_ref()
                        .and_then(|v| v.get(i).copied())
                        .map(Fr::from)
                        .ok_or(SynthesisError::AssignmentMissing)
                })?;
                enforce_boolean(&b)?;
                Ok(b)
            })
            .collect::<Result<Vec<_>, SynthesisError>>()?;
        Ok(Self::from_boolean_bits(bits))
    }

    /// Wraps bits the caller has constrained boolean and computes the window products.
    pub fn from_boolean_bits(bits: Vec<FpVar<Fr>>) -> Self {
        let pairs = bits
            .chunks_exact(2)
            .map(|w| &w[0] * &w[1])
            .collect::<Vec<_>>();
        ScalarBitsVar { bits, pairs }
    }

    /// The bits, little-endian.
    pub fn bits(&self) -> &[FpVar<Fr>] {
        &self.bits
    }

    /// `k·base` for a constant `base`.
    pub fn fixed_base_mul(&self, base: &JubjubPoint) -> Result<PointVar, SynthesisError> {
        let mut acc: Option<PointVar> = None;
        let mut window_base: EdwardsProjective = (*base).into();
        for (j, w) in self.bits.chunks(2).enumerate() {
            let p1 = window_base;
            let p2 = p1 + p1;
            let p3 = p2 + p1;
            let t = EdwardsProjective::normalize_batch(&[p1, p2, p3]);
            let o = EdwardsAffine::zero();
            let entry = match (w, self.pairs.get(j)) {
                ([b0, b1], Some(b01)) => {
                    let coord = |f: fn(&EdwardsAffine) -> Fr| {
                        let (c0, c1, c2, c3) = (f(&o), f(&t[0]), f(&t[1]), f(&t[2]));
                        b0 * (c1 - c0) + b1 * (c2 - c0) + b01 * (c3 - c2 - c1 + c0) + c0
                    };
                    PointVar {
                        x: coord(|p| p.x),
                        y: coord(|p| p.y),
                    }
                }
                ([b], _) => PointVar {
                    x: b * t[0].x,
                    y: b * (t[0].y - Fr::one()) + Fr::one(),
                },
                _ => return Err(SynthesisError::Unsatisfiable),
            };
            acc = Some(match acc {
                None => entry,
                Some(a) => a.add(&entry)?,
            });
            window_base = p2 + p2;
        }
        Ok(acc.unwrap_or_else(PointVar::identity))
    }

    /// `k·P` for a variable point `P` (double-and-add, 2-bit windows, most significant first).
    pub fn variable_base_mul(&self, p: &PointVar) -> Result<PointVar, SynthesisError> {
        let p2 = p.double()?;
        let p3 = p2.add(p)?;
        let mut acc: Option<PointVar> = None;
        let windows: Vec<&[FpVar<Fr>]> = self.bits.chunks(2).collect();
        for (j, w) in windows.iter().enumerate().rev() {
            let entry = match (*w, self.pairs.get(j)) {
                ([b0, b1], Some(b01)) => {
                    // T = {O, P, 2P, 3P}[b0 + 2·b1], multilinear in (b0, b1, b0·b1).
                    let coord = |c0: Fr, c1: &FpVar<Fr>, c2: &FpVar<Fr>, c3: &FpVar<Fr>| {
                        b0 * &(c1 - c0) + b1 * &(c2 - c0) + b01 * &(c3 - c2 - c1 + c0) + c0
                    };
                    PointVar {
                        x: coord(Fr::zero(), &p.x, &p2.x, &p3.x),
                        y: coord(Fr::one(), &p.y, &p2.y, &p3.y),
                    }
                }
                ([b], _) => PointVar {
                    x: b * &p.x,
                    y: b * &(&p.y - Fr::one()) + Fr::one(),
                },
                _ => return Err(SynthesisError::Unsatisfiable),
            };
            acc = Some(match acc {
                None => entry,
                Some(a) => a.double()?.double()?.add(&entry)?,
            });
        }
        Ok(acc.unwrap_or_else(PointVar::identity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand_chacha::rand_core::SeedableRng;

    #[test]
    fn curve_facts_the_gadgets_rely_on() {
        // a = 1 is a square and d is not: the addition law is complete.
        assert_eq!(EdwardsConfig::COEFF_A, Fr::one());
        assert!(EdwardsConfig::COEFF_D.legendre().is_qnr());
        // ℓ < 2^251, so 251 bits hold any scalar.
        assert!(JubjubScalar::MODULUS_BIT_SIZE as usize <= SCALAR_BITS);
        // The base point has order ℓ.
        let b = base_point();
        assert!(b.is_on_curve() && b.is_in_correct_subgroup_assuming_on_curve());
        assert!(!b.is_zero());
    }

    #[test]
    fn add_and_double_match_native_and_cost_what_the_doc_says() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
        let p = EdwardsAffine::rand(&mut rng);
        let q = EdwardsAffine::rand(&mut rng);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let pv = PointVar::new_input(cs.clone(), Some(&p)).unwrap();
        let qv = PointVar::new_input(cs.clone(), Some(&q)).unwrap();
        let s = pv.add(&qv).unwrap();
        assert_eq!(cs.num_constraints(), 6);
        assert_eq!(s.value().unwrap(), (p + q).into_affine());
        let d = pv.double().unwrap();
        assert_eq!(cs.num_constraints(), 11);
        assert_eq!(d.value().unwrap(), (p + p).into_affine());
        let sc = pv.add(&PointVar::constant(&q)).unwrap();
        assert_eq!(cs.num_constraints(), 14);
        assert_eq!(sc.value().unwrap(), (p + q).into_affine());
        // The identity and P + (−P).
        let z = pv.add(&PointVar::constant(&-p)).unwrap();
        assert_eq!(z.value().unwrap(), EdwardsAffine::zero());
        let i = PointVar::identity().add(&pv).unwrap();
        assert_eq!(i.value().unwrap(), p);
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn scalar_multiplications_match_native() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
        let mut scalars: Vec<JubjubScalar> = (0..3).map(|_| JubjubScalar::rand(&mut rng)).collect();
        scalars.push(JubjubScalar::zero());
        scalars.push(JubjubScalar::one());
        scalars.push(-JubjubScalar::one());
        let b = base_point();
        let p = (b * JubjubScalar::rand(&mut rng)).into_affine();
        for k in scalars {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let pv = PointVar::new_input(cs.clone(), Some(&p)).unwrap();
            let bits = ScalarBitsVar::new_witness(cs.clone(), Some(&k)).unwrap();
            let n_bits = cs.num_constraints();
            assert_eq!(n_bits, SCALAR_BITS + SCALAR_BITS / 2);
            let r = bits.fixed_base_mul(&b).unwrap();
            let n_fixed = cs.num_constraints() - n_bits;
            assert_eq!(n_fixed, 6 * (SCALAR_BITS / 2));
            let s = bits.variable_base_mul(&pv).unwrap();
            let n_var = cs.num_constraints() - n_bits - n_fixed;
            assert_eq!(n_var, 11 + 2 + 22 * (SCALAR_BITS / 2));
            assert_eq!(r.value().unwrap(), (b * k).into_affine());
            assert_eq!(s.value().unwrap(), (p * k).into_affine());
            assert!(cs.is_satisfied().unwrap());
        }
    }
}
