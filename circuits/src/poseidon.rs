//! circomlib's Poseidon over BN254 `Fr`, natively and as an R1CS gadget.
//!
//! Relation: `out = Poseidon(x_1, …, x_n)`, the permutation `x^5` with circomlib's constants
//! (light-poseidon 0.5's `new_circom(n)`): state `[0, x_1, …, x_n]`, `R_F = 8` full rounds
//! around `R_P` partial rounds (56–60 for `n ≤ 4`), output `state[0]`.
//!
//! The native side is light-poseidon itself. The gadget [`PoseidonVar`] is ours, built from
//! light-poseidon's public parameters (ark-crypto-primitives' sponge gadget is not circom's).
//! Its cost: 3 constraints per S-box (`x², x⁴, x⁴·x`), nothing for the round constants and the
//! MDS layer (linear combinations), nothing for an S-box whose input is a constant (the zero
//! capacity element in the first round, or a constant input such as a domain tag):
//! `3·(R_F·(n+1) + R_P) − 3·(constant S-box inputs)`, e.g. 213 for `n = 1`, 240 for `n = 2`,
//! 297 for `n = 4`.
use crate::Error;
use ark_bn254::Fr;
use ark_ff::{Field, Zero};
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::SynthesisError;
use light_poseidon::parameters::bn254_x5::get_poseidon_parameters;
use light_poseidon::{Poseidon, PoseidonHasher};
use std::cell::RefCell;
use std::sync::OnceLock;

/// The largest arity light-poseidon's circom parameters support (state width 13).
pub const MAX_ARITY: usize = light_poseidon::MAX_X5_LEN - 1;

/// The round constants and MDS matrix of one arity, copied out of light-poseidon once.
#[derive(Debug)]
struct Params {
    width: usize,
    full_rounds: usize,
    partial_rounds: usize,
    /// `ark[round·width + i]`.
    ark: Vec<Fr>,
    /// `mds[row][col]`.
    mds: Vec<Vec<Fr>>,
}

fn params(arity: usize) -> Result<&'static Params, Error> {
    static ALL: OnceLock<Vec<Option<Params>>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        (0..=MAX_ARITY)
            .map(|n| {
                let width = u8::try_from(n + 1).ok()?;
                if n == 0 {
                    return None;
                }
                let p = get_poseidon_parameters::<Fr>(width).ok()?;
                (p.alpha == 5 && p.width == n + 1).then_some(Params {
                    width: p.width,
                    full_rounds: p.full_rounds,
                    partial_rounds: p.partial_rounds,
                    ark: p.ark,
                    mds: p.mds,
                })
            })
            .collect()
    });
    all.get(arity)
        .and_then(Option::as_ref)
        .ok_or(Error::PoseidonArity { arity })
}

/// `Poseidon(inputs…)`, circomlib's, computed by light-poseidon (`new_circom(n)`).
///
/// Errors only for an arity outside `1..=`[`MAX_ARITY`].
pub fn poseidon(inputs: &[Fr]) -> Result<Fr, Error> {
    thread_local! {
        // One light-poseidon hasher per arity and thread: building the constants costs more
        // than hashing.
        static HASHERS: RefCell<Vec<Option<Poseidon<Fr>>>> =
            RefCell::new((0..=MAX_ARITY).map(|_| None).collect());
    }
    let arity = inputs.len();
    if arity == 0 || arity > MAX_ARITY {
        return Err(Error::PoseidonArity { arity });
    }
    HASHERS.with(|cell| {
        let mut hashers = cell.borrow_mut();
        let slot = hashers
            .get_mut(arity)
            .ok_or(Error::PoseidonArity { arity })?;
        if slot.is_none() {
            *slot = Some(Poseidon::<Fr>::new_circom(arity)?);
        }
        match slot.as_mut() {
            Some(h) => Ok(h.hash(inputs)?),
            None => Err(Error::PoseidonArity { arity }),
        }
    })
}

/// `Poseidon(a, b)`: the Merkle node and two-input hash.
pub fn poseidon2(a: Fr, b: Fr) -> Fr {
    // Arity 2 is always supported; the fallback is unreachable.
    poseidon(&[a, b]).unwrap_or_default()
}

/// The Poseidon gadget: `out = Poseidon(inputs…)` in R1CS (see the module doc for its cost).
#[derive(Clone, Copy, Debug)]
pub struct PoseidonVar;

impl PoseidonVar {
    /// Returns `Poseidon(inputs…)` as a variable; constant inputs fold into the constants.
    ///
    /// The output is a linear combination of the last S-boxes; it costs a constraint only when
    /// it is used in one (for example `enforce_equal` against a public input).
    pub fn hash(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
        let p = params(inputs.len()).map_err(|_| SynthesisError::ArityMismatch)?;
        let t = p.width;
        let mut state: Vec<FpVar<Fr>> = Vec::with_capacity(t);
        state.push(FpVar::Constant(Fr::zero()));
        state.extend(inputs.iter().cloned());

        let half = p.full_rounds / 2;
        let rounds = p.full_rounds + p.partial_rounds;
        for round in 0..rounds {
            for (i, s) in state.iter_mut().enumerate() {
                *s = &*s + p.ark[round * t + i];
            }
            let full = round < half || round >= half + p.partial_rounds;
            if full {
                for s in state.iter_mut() {
                    *s = sbox(s)?;
                }
            } else {
                state[0] = sbox(&state[0])?;
            }
            if round + 1 == rounds {
                // Only `state[0]` of the last MDS layer is the output.
                return Ok(linear_combination(&p.mds[0], &state));
            }
            state = p
                .mds
                .iter()
                .map(|row| linear_combination(row, &state))
                .collect();
        }
        Err(SynthesisError::Unsatisfiable)
    }
}

/// `x^5` in three constraints (`x² , x⁴, x⁴·x`); free for a constant.
fn sbox(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    match x {
        FpVar::Constant(c) => Ok(FpVar::Constant(c.pow([5u64]))),
        FpVar::Var(_) => {
            let x2 = x.square()?;
            let x4 = x2.square()?;
            Ok(x4 * x)
        }
    }
}

/// `Σ coeffs[i]·vars[i]` as one symbolic linear combination (no constraint).
pub(crate) fn linear_combination(coeffs: &[Fr], vars: &[FpVar<Fr>]) -> FpVar<Fr> {
    let mut constant = Fr::zero();
    let mut cs_coeffs = Vec::with_capacity(vars.len());
    let mut allocated: Vec<&AllocatedFp<Fr>> = Vec::with_capacity(vars.len());
    for (c, v) in coeffs.iter().zip(vars) {
        match v {
            FpVar::Constant(k) => constant += *c * k,
            FpVar::Var(a) => {
                cs_coeffs.push(*c);
                allocated.push(a);
            }
        }
    }
    match AllocatedFp::linear_combination(cs_coeffs, &allocated) {
        Some(lc) => FpVar::Var(lc) + constant,
        None => FpVar::Constant(constant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assignment, r1cs_matrices, unsatisfied_rows};
    use ark_ff::{MontFp, UniformRand};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
    use rand_chacha::rand_core::SeedableRng;

    const V12: Fr =
        MontFp!("7853200120776062878684798364095072458815029376092732009249414926327459813530");
    const V1: Fr =
        MontFp!("18586133768512220936620570745912940619677854269274689475585506675881198879027");

    /// Allocates `inputs` as witnesses, hashes them in-circuit and enforces the output against
    /// the public `expected`.
    fn gadget_cs(inputs: &[Fr], expected: Fr) -> (ConstraintSystemRef<Fr>, Fr) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<FpVar<Fr>> = inputs
            .iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
            .collect();
        let out = PoseidonVar::hash(&vars).unwrap();
        let value = out.value().unwrap();
        let public = FpVar::new_input(cs.clone(), || Ok(expected)).unwrap();
        out.enforce_equal(&public).unwrap();
        cs.finalize();
        (cs, value)
    }

    #[test]
    fn native_matches_the_design_vectors() {
        assert_eq!(poseidon(&[Fr::from(1u64), Fr::from(2u64)]).unwrap(), V12);
        assert_eq!(poseidon(&[Fr::from(1u64)]).unwrap(), V1);
        assert_eq!(poseidon2(Fr::from(1u64), Fr::from(2u64)), V12);
    }

    #[test]
    fn gadget_matches_the_design_vectors() {
        for (inputs, v) in [
            (vec![Fr::from(1u64), Fr::from(2u64)], V12),
            (vec![Fr::from(1u64)], V1),
        ] {
            let (cs, value) = gadget_cs(&inputs, v);
            assert_eq!(value, v);
            assert!(cs.is_satisfied().unwrap());
        }
    }

    #[test]
    fn cached_native_matches_fresh_light_poseidon_and_gadget_for_arity_1_to_4() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        for arity in 1..=4 {
            for _ in 0..4 {
                let inputs: Vec<Fr> = (0..arity).map(|_| Fr::rand(&mut rng)).collect();
                let fresh = Poseidon::<Fr>::new_circom(arity)
                    .unwrap()
                    .hash(&inputs)
                    .unwrap();
                let native = poseidon(&inputs).unwrap();
                assert_eq!(native, fresh, "arity {arity}");
                let (cs, value) = gadget_cs(&inputs, native);
                assert_eq!(value, native, "arity {arity}");
                assert!(cs.is_satisfied().unwrap(), "arity {arity}");
                // A wrong claimed output is refused.
                let (cs, _) = gadget_cs(&inputs, native + Fr::from(1u64));
                assert!(!cs.is_satisfied().unwrap(), "arity {arity}");
            }
        }
    }

    #[test]
    fn gadget_costs_three_constraints_per_variable_sbox() {
        for (arity, expected) in [(1usize, 213usize), (2, 240), (3, 264 - 3), (4, 297)] {
            let inputs: Vec<Fr> = (0..arity as u64).map(Fr::from).collect();
            let cs = ConstraintSystem::<Fr>::new_ref();
            let vars: Vec<FpVar<Fr>> = inputs
                .iter()
                .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
                .collect();
            let _ = PoseidonVar::hash(&vars).unwrap();
            assert_eq!(cs.num_constraints(), expected, "arity {arity}");
        }
        // A constant input (a domain tag) saves its first-round S-box.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(Fr::from(3u64))).unwrap();
        let out = PoseidonVar::hash(&[FpVar::Constant(Fr::from(9u64)), a]).unwrap();
        assert_eq!(cs.num_constraints(), 237);
        assert_eq!(
            out.value().unwrap(),
            poseidon(&[Fr::from(9u64), Fr::from(3u64)]).unwrap()
        );
        // All-constant inputs fold to a constant.
        let out = PoseidonVar::hash(&[FpVar::Constant(Fr::from(1u64))]).unwrap();
        assert!(matches!(out, FpVar::Constant(v) if v == V1));
    }

    #[test]
    fn tampering_with_any_witness_unsatisfies_the_gadget() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        for arity in 1..=4 {
            let inputs: Vec<Fr> = (0..arity).map(|_| Fr::rand(&mut rng)).collect();
            let expected = poseidon(&inputs).unwrap();
            let (cs, _) = gadget_cs(&inputs, expected);
            let m = r1cs_matrices(&cs);
            let z = assignment(&cs);
            assert!(unsatisfied_rows(&m, &z).is_empty());
            let num_instance = cs.num_instance_variables();
            // Every witness variable: the inputs and every S-box intermediate.
            for i in num_instance..z.len() {
                let mut bad = z.clone();
                bad[i] += Fr::from(1u64);
                assert!(
                    !unsatisfied_rows(&m, &bad).is_empty(),
                    "arity {arity}: witness {i} can change freely"
                );
            }
            // And the public output.
            let mut bad = z.clone();
            bad[1] += Fr::from(1u64);
            assert!(!unsatisfied_rows(&m, &bad).is_empty());
        }
    }

    #[test]
    fn arity_outside_the_parameters_is_an_error() {
        assert!(matches!(
            poseidon(&[]),
            Err(Error::PoseidonArity { arity: 0 })
        ));
        let many = vec![Fr::from(1u64); MAX_ARITY + 1];
        assert!(poseidon(&many).is_err());
        assert!(poseidon(&many[..MAX_ARITY]).is_ok());
        assert!(PoseidonVar::hash(&[]).is_err());
    }
}
