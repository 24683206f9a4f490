//! SYNTHETIC circuits for tests and benchmarks of the Groth16 prover and verifier.
//!
//! None of these is a Corridor relation: they exist so that the prover, the verifier and the
//! benches can be exercised before (and independently of) the KYC circuit of
//! `corridor-circuits`. They are compiled only for this crate's tests and behind the
//! `test-circuits` feature, which other crates enable in their `[dev-dependencies]`.
//!
//! - [`MulChain`]: public `(a_1, …, a_k, out)`, private `x`; a chain of `steps` multiplication
//!   constraints `y_{i+1} = (y_i + a_{i mod k} + i) · (y_i + 2x)` from `y_0 = x` to
//!   `y_steps = out`. Exactly `steps` constraints and `k + 1` public inputs; some steps go
//!   through symbolic linear combinations so that LC inlining is exercised.
//! - [`BitDecomposition`]: public `v`, private bits `b_0…b_63`; `b_i·(b_i − 1) = 0` and
//!   `Σ 2^i·b_i = v` (65 constraints, mostly 0/1 witness scalars).

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, One, UniformRand, Zero};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use rand_core::RngCore;

/// SYNTHETIC: a chain of `steps` multiplications binding `k + 1` public inputs to a secret `x`
/// (see the module doc for the relation).
#[derive(Clone, Debug)]
pub struct MulChain {
    publics: Vec<Fr>,
    x: Fr,
    steps: usize,
    out: Fr,
}

impl MulChain {
    /// The satisfied instance for `x`, the public values `publics` and `steps ≥ 1` steps
    /// (`out` is computed natively).
    #[must_use]
    pub fn new(x: Fr, publics: Vec<Fr>, steps: usize) -> Self {
        let steps = steps.max(1);
        let mut y = x;
        for i in 0..steps {
            y = (y + Self::addend(&publics, i)) * (y + x.double());
        }
        Self {
            publics,
            x,
            steps,
            out: y,
        }
    }

    /// A random satisfied instance with `num_publics + 1` public inputs.
    pub fn random(rng: &mut impl RngCore, num_publics: usize, steps: usize) -> Self {
        let x = Fr::rand(rng);
        let publics = (0..num_publics).map(|_| Fr::rand(rng)).collect();
        Self::new(x, publics, steps)
    }

    /// The same instance claiming a different `out`: no witness satisfies it.
    #[must_use]
    pub fn with_wrong_output(mut self) -> Self {
        self.out += Fr::one();
        self
    }

    /// The public inputs in allocation order: `a_1, …, a_k, out`.
    #[must_use]
    pub fn public_inputs(&self) -> Vec<Fr> {
        let mut inputs = self.publics.clone();
        inputs.push(self.out);
        inputs
    }

    /// Number of constraints.
    #[must_use]
    pub fn num_constraints(&self) -> usize {
        self.steps
    }

    fn addend(publics: &[Fr], i: usize) -> Fr {
        let constant = Fr::from(i as u64);
        if publics.is_empty() {
            constant
        } else {
            publics[i % publics.len()] + constant
        }
    }
}

impl ConstraintSynthesizer<Fr> for MulChain {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let publics = self
            .publics
            .iter()
            .map(|a| cs.new_input_variable(|| Ok(*a)))
            .collect::<Result<Vec<_>, _>>()?;
        let out = cs.new_input_variable(|| Ok(self.out))?;
        let x_var = cs.new_witness_variable(|| Ok(self.x))?;
        let (mut y, mut y_var) = (self.x, x_var);
        for i in 0..self.steps {
            let constant = Fr::from(i as u64);
            let mut left = LinearCombination::from(y_var) + (constant, Variable::One);
            if !publics.is_empty() {
                left = left + publics[i % publics.len()];
            }
            let right = LinearCombination::from(y_var) + (Fr::from(2u64), x_var);
            // Every third step goes through symbolic LCs (inlined by `finalize`).
            let (left, right) = if i % 3 == 0 {
                let l = cs.new_lc(|| left)?;
                let r = cs.new_lc(|| right)?;
                (LinearCombination::from(l), LinearCombination::from(r))
            } else {
                (left, right)
            };
            y = (y + Self::addend(&self.publics, i)) * (y + self.x.double());
            let next = if i + 1 == self.steps {
                out
            } else {
                cs.new_witness_variable(|| Ok(y))?
            };
            cs.enforce_r1cs_constraint(|| left, || right, || next.into())?;
            y_var = next;
        }
        Ok(())
    }
}

/// SYNTHETIC: the bits of a public 64-bit value (see the module doc for the relation).
#[derive(Clone, Copy, Debug)]
pub struct BitDecomposition {
    value: Fr,
    bits: [bool; 64],
}

impl BitDecomposition {
    /// The satisfied instance for `value`.
    #[must_use]
    pub fn new(value: u64) -> Self {
        let mut bits = [false; 64];
        for (i, bit) in bits.iter_mut().enumerate() {
            *bit = (value >> i) & 1 == 1;
        }
        Self {
            value: Fr::from(value),
            bits,
        }
    }

    /// The public input: the value.
    #[must_use]
    pub fn public_inputs(&self) -> Vec<Fr> {
        vec![self.value]
    }
}

impl ConstraintSynthesizer<Fr> for BitDecomposition {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let value = cs.new_input_variable(|| Ok(self.value))?;
        let mut sum = LinearCombination::zero();
        let mut power = Fr::one();
        for bit in self.bits {
            let b = cs.new_witness_variable(|| Ok(if bit { Fr::one() } else { Fr::zero() }))?;
            cs.enforce_r1cs_constraint(
                || b.into(),
                || LinearCombination::from(b) - (Fr::one(), Variable::One),
                LinearCombination::zero,
            )?;
            sum += (power, b);
            power.double_in_place();
        }
        cs.enforce_r1cs_constraint(|| sum, || Variable::One.into(), || value.into())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn satisfied(circuit: impl ConstraintSynthesizer<Fr>) -> (bool, usize, usize) {
        let cs = ConstraintSystem::new_ref();
        circuit.generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        (
            cs.is_satisfied().unwrap(),
            cs.num_constraints(),
            cs.num_instance_variables(),
        )
    }

    #[test]
    fn mul_chain_is_satisfied_and_sized_as_documented() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for (k, steps) in [(0, 1), (1, 5), (3, 40)] {
            let c = MulChain::random(&mut rng, k, steps);
            assert_eq!(c.public_inputs().len(), k + 1);
            assert_eq!(satisfied(c), (true, steps, k + 2));
        }
    }

    #[test]
    fn mul_chain_with_wrong_output_is_unsatisfied() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let c = MulChain::random(&mut rng, 2, 10).with_wrong_output();
        assert!(!satisfied(c).0);
    }

    #[test]
    fn bit_decomposition_is_satisfied() {
        assert_eq!(
            satisfied(BitDecomposition::new(0xdead_beef_0123_4567)),
            (true, 65, 2)
        );
        let mut wrong = BitDecomposition::new(5);
        wrong.value = Fr::from(6u64);
        assert!(!satisfied(wrong).0);
    }
}
