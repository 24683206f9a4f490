//! The R1CS matrices of a circuit in a canonical form, and the circuit fingerprint: the
//! constraint count and SHA-256 over those matrices.
//!
//! Canonical serialisation (all integers u64 little-endian, field elements 32 bytes canonical
//! little-endian): `"corridor/r1cs/v1"`, `num_instance` (including the constant one),
//! `num_witness`, `num_constraints`; then for each of A, B, C and each row: the number of terms,
//! then each term `(column, coefficient)` in increasing column order, with repeated columns
//! merged and zero coefficients dropped. Columns are arkworks': `0` the constant one, then the
//! public inputs, then the witnesses.
//!
//! Two circuits with the same fingerprint have the same Groth16 keys for the same setup
//! randomness; a fingerprint change means new parameters are needed.
use crate::field::fr_to_bytes;
use crate::Error;
use ark_bn254::Fr;
use ark_ff::Zero;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// One sparse row: `(column, coefficient)`, columns strictly increasing, no zero coefficient.
pub type Row = Vec<(usize, Fr)>;

/// The A, B, C matrices of an R1CS instance `A·z ∘ B·z = C·z`, `z = (1, public, witness)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1csMatrices {
    /// Number of instance columns, the constant one included.
    pub num_instance: usize,
    /// Number of witness columns.
    pub num_witness: usize,
    /// `A`, one row per constraint.
    pub a: Vec<Row>,
    /// `B`.
    pub b: Vec<Row>,
    /// `C`.
    pub c: Vec<Row>,
}

impl R1csMatrices {
    /// Reads the canonical matrices of a finalized constraint system.
    pub fn from_cs(cs: &ConstraintSystemRef<Fr>) -> Result<Self, Error> {
        let all = cs.to_matrices()?;
        let mats = all.get(R1CS_PREDICATE_LABEL);
        let (a, b, c) = match mats.map(|m| m.as_slice()) {
            Some([a, b, c]) => (a, b, c),
            Some(_) => return Err(Error::Shape("the R1CS predicate is not of arity 3".into())),
            None if cs.num_constraints() == 0 => (&Vec::new(), &Vec::new(), &Vec::new()),
            None => return Err(Error::Shape("no R1CS predicate".into())),
        };
        if all.len() > 1 {
            return Err(Error::Shape("predicates other than R1CS".into()));
        }
        let canon = |m: &Vec<Vec<(Fr, usize)>>| -> Vec<Row> {
            m.iter()
                .map(|row| {
                    let mut merged: BTreeMap<usize, Fr> = BTreeMap::new();
                    for (coeff, col) in row {
                        *merged.entry(*col).or_insert_with(Fr::zero) += coeff;
                    }
                    merged.into_iter().filter(|(_, c)| !c.is_zero()).collect()
                })
                .collect()
        };
        Ok(R1csMatrices {
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
            a: canon(a),
            b: canon(b),
            c: canon(c),
        })
    }

    /// The number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.a.len()
    }

    /// SHA-256 over the canonical serialisation (module doc).
    pub fn sha256(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"corridor/r1cs/v1");
        for n in [self.num_instance, self.num_witness, self.num_constraints()] {
            h.update((n as u64).to_le_bytes());
        }
        for m in [&self.a, &self.b, &self.c] {
            for row in m {
                h.update((row.len() as u64).to_le_bytes());
                for (col, coeff) in row {
                    h.update((*col as u64).to_le_bytes());
                    h.update(fr_to_bytes(coeff));
                }
            }
        }
        h.finalize().into()
    }

    /// The rows violated by the full assignment `z = (1, public…, witness…)`.
    pub fn unsatisfied_rows(&self, z: &[Fr]) -> Vec<usize> {
        (0..self.num_constraints())
            .filter(|&i| !self.row_holds(i, z))
            .collect()
    }

    /// Whether every row holds for `z` (stops at the first violated row).
    pub fn is_satisfied_by(&self, z: &[Fr]) -> bool {
        (0..self.num_constraints()).all(|i| self.row_holds(i, z))
    }

    fn row_holds(&self, i: usize, z: &[Fr]) -> bool {
        let eval = |row: &Row| -> Fr {
            row.iter()
                .map(|(col, c)| z.get(*col).map_or(Fr::zero(), |v| *c * v))
                .sum()
        };
        eval(&self.a[i]) * eval(&self.b[i]) == eval(&self.c[i])
    }
}

/// A circuit's identity: constraint and variable counts and the matrices' SHA-256.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CircuitFingerprint {
    /// Number of constraints.
    pub num_constraints: usize,
    /// Public inputs (without the constant one).
    pub num_public_inputs: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// SHA-256 of the canonical matrices.
    pub matrices_sha256: [u8; 32],
}

impl fmt::Debug for CircuitFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for CircuitFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "constraints={} public_inputs={} witnesses={} sha256={}",
            self.num_constraints,
            self.num_public_inputs,
            self.num_witness,
            hex_string(&self.matrices_sha256)
        )
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Synthesises `circuit` in setup mode exactly as ark-groth16's generator does (optimisation
/// goal: constraints, then finalize) and returns its canonical matrices.
pub fn setup_matrices<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<R1csMatrices, Error> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    R1csMatrices::from_cs(&cs)
}

/// The fingerprint of `circuit` (synthesised as in [`setup_matrices`]).
pub fn fingerprint<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<CircuitFingerprint, Error> {
    let m = setup_matrices(circuit)?;
    Ok(CircuitFingerprint {
        num_constraints: m.num_constraints(),
        num_public_inputs: m.num_instance.saturating_sub(1),
        num_witness: m.num_witness,
        matrices_sha256: m.sha256(),
    })
}

/// Test helpers over finalized prove-mode constraint systems.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// The full assignment `z = (1, public…, witness…)` of a prove-mode system.
    pub(crate) fn assignment(cs: &ConstraintSystemRef<Fr>) -> Vec<Fr> {
        let inner = cs.borrow().unwrap();
        let mut z = inner.assignments.instance_assignment.clone();
        z.extend_from_slice(&inner.assignments.witness_assignment);
        z
    }

    pub(crate) fn r1cs_matrices(cs: &ConstraintSystemRef<Fr>) -> R1csMatrices {
        R1csMatrices::from_cs(cs).unwrap()
    }

    pub(crate) fn unsatisfied_rows(m: &R1csMatrices, z: &[Fr]) -> Vec<usize> {
        m.unsatisfied_rows(z)
    }
}
