//! Test fixtures: a tiny circuit and its keys.

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};

use crate::{CircuitInfo, ProvingKey};

/// `a · b = c` with `c` and `a + b` public.
#[derive(Clone, Copy, Debug)]
pub struct ProductCircuit {
    a: Option<Fr>,
    b: Option<Fr>,
}

impl ProductCircuit {
    /// The circuit without values, for setups.
    pub fn blank() -> Self {
        ProductCircuit { a: None, b: None }
    }
}

pub fn product_circuit(a: Fr, b: Fr) -> ProductCircuit {
    ProductCircuit {
        a: Some(a),
        b: Some(b),
    }
}

impl ConstraintSynthesizer<Fr> for ProductCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let c = cs.new_input_variable(|| {
            Ok(self.a.ok_or(SynthesisError::AssignmentMissing)?
                * self.b.ok_or(SynthesisError::AssignmentMissing)?)
        })?;
        let s = cs.new_input_variable(|| {
            Ok(self.a.ok_or(SynthesisError::AssignmentMissing)?
                + self.b.ok_or(SynthesisError::AssignmentMissing)?)
        })?;
        let a = cs.new_witness_variable(|| self.a.ok_or(SynthesisError::AssignmentMissing))?;
        let b = cs.new_witness_variable(|| self.b.ok_or(SynthesisError::AssignmentMissing))?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(a),
            || LinearCombination::from(b),
            || LinearCombination::from(c),
        )?;
        cs.enforce_r1cs_constraint(
            || LinearCombination::from(a) + b,
            || LinearCombination::from(Variable::One),
            || LinearCombination::from(s),
        )?;
        Ok(())
    }
}

pub fn product_info() -> CircuitInfo {
    CircuitInfo {
        name: "corridor-test-product/v1".into(),
        fingerprint: "11".repeat(32),
        constraints: 2,
        public_inputs: 2,
    }
}

pub fn key_pair(seed: u64) -> ProvingKey {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(
        ProductCircuit { a: None, b: None },
        &mut rng,
    )
    .unwrap();
    ProvingKey(pk)
}

/// A proof of `a · b = c` under `pk`, with its public inputs `(a·b, a + b)`.
pub fn product_proof<R: RngCore + CryptoRng>(
    pk: &ProvingKey,
    a: u64,
    b: u64,
    rng: &mut R,
) -> (Proof<Bn254>, Vec<Fr>) {
    let (a, b) = (Fr::from(a), Fr::from(b));
    let proof =
        Groth16::<Bn254>::create_random_proof_with_reduction(product_circuit(a, b), &pk.0, rng)
            .unwrap();
    (proof, vec![a * b, a + b])
}
