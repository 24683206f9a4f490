//! Dev-seed setup (feature `setup`): Groth16 keys from public randomness.
//!
//! Whoever knows the setup randomness can forge proofs, and a dev seed is public: keys made
//! here are for dev networks only, and the manifest records the seed so that a node of a
//! non-dev network refuses them (DESIGN.md §6). Real networks use the ceremony.

use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_snark::SNARK;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};

use crate::{ParamsError, ProvingKey};

use corridor_core::domain::PARAMS_DEV_SEED as DEV_SEED_LABEL;

/// The RNG a dev seed stands for: ChaCha20 keyed by `SHA-256(label ‖ seed as u64 LE)`.
pub fn dev_rng(seed: u64) -> ChaCha20Rng {
    let mut h = Sha256::new();
    h.update(DEV_SEED_LABEL);
    h.update(seed.to_le_bytes());
    ChaCha20Rng::from_seed(h.finalize().into())
}

/// Circuit-specific Groth16 setup for `circuit` (its witness may be blank) from dev seed `seed`.
pub fn dev_setup<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
    seed: u64,
) -> Result<ProvingKey, ParamsError> {
    let mut rng = dev_rng(seed);
    let (pk, _vk) = Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng)
        .map_err(|e| ParamsError::Setup(e.to_string()))?;
    Ok(ProvingKey(pk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::product_circuit;

    #[test]
    fn dev_seed_is_deterministic_and_seed_specific() {
        let circuit = || product_circuit(Fr::from(2u64), Fr::from(3u64));
        let a = dev_setup(circuit(), 1).unwrap();
        assert_eq!(a, dev_setup(circuit(), 1).unwrap());
        assert!(a != dev_setup(circuit(), 2).unwrap());
        assert_eq!(a.verifying_key().public_inputs(), 2);
    }
}
