//! Groth16 proving over BN254 with every multiscalar multiplication routed through an
//! [`MsmBackend`].
//!
//! Relation: for a circuit `C` with public inputs `x` and proving key `pk` made for `C`, the
//! output is a Groth16 proof `(A, B, C)` of knowledge of a witness `w` with `C(x, w)`
//! satisfied; the verifier checks `e(A, B) = e(α, β)·e(Σ x_j·γ_abc_j, γ)·e(C, δ)`.
//!
//! This is ark-groth16's `create_random_proof_with_reduction` (with `LibsnarkReduction`)
//! rebuilt from its public pieces, because ark-groth16 has no MSM hook:
//! - synthesis in `SynthesisMode::Prove { construct_matrices: true, .. }` with
//!   `OptimizationGoal::Constraints`, then `finalize` (LC inlining), exactly as ark does;
//! - the witness map is ark's [`LibsnarkReduction::witness_map_from_matrices`];
//! - `r` then `s` are drawn from the caller's RNG in ark's order, and `A`, `B`, `C` are
//!   assembled as ark assembles them.
//!
//! So for the same RNG state the proof equals ark-groth16's, byte for byte (tested). Two
//! differences, both refusals where ark would go on: the witness is checked against every
//! constraint *before* any MSM (an unsatisfied circuit is [`Groth16ProveError::Unsatisfied`],
//! never a panic or a bogus proof), and the proving key's query lengths are checked against
//! the circuit ([`Groth16ProveError::KeyMismatch`]) where ark would silently truncate.
//!
//! `h` has one more coefficient than `h_query` has bases: the witness map returns the quotient
//! over the whole evaluation domain (size `n`), whose top coefficient is zero for a satisfied
//! witness (`deg H ≤ n − 2`), and the key holds `n − 1` bases. Only the first
//! `h_query.len()` coefficients enter the `H` MSM, as in ark (whose MSM truncates silently).
//!
//! Backends: [`CpuBackend`] (the default used by [`prove`]); see [`msm`] for the trait and why
//! the bases are passed as slices of the key. A GPU backend is a later issue.
use ark_bn254::{Bn254, Fr, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_groth16::r1cs_to_qap::{evaluate_constraint, LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, Matrix, OptimizationGoal, SynthesisError,
    SynthesisMode, R1CS_PREDICATE_LABEL,
};
use rand_core::{CryptoRng, RngCore};
use thiserror::Error;
use zeroize::Zeroize;

pub mod msm;

pub use msm::{CpuBackend, MsmBackend, MsmError, Query, ScalarRepr};

#[cfg(test)]
mod tests;

/// Why a Groth16 proof could not be made.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Groth16ProveError {
    /// The circuit's `generate_constraints` failed (for example a missing assignment).
    #[error("circuit synthesis: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The witness does not satisfy the constraint system: no proof is attempted.
    #[error("the witness does not satisfy constraint {index} (of {total})")]
    Unsatisfied {
        /// Index of the first unsatisfied constraint.
        index: usize,
        /// Number of constraints.
        total: usize,
    },
    /// The constraint system holds predicates other than R1CS, which Groth16 cannot prove.
    #[error("the constraint system is not plain R1CS (predicates: {predicates})")]
    NotR1cs {
        /// The predicate labels found.
        predicates: String,
    },
    /// The proving key was not made for this circuit.
    #[error("proving key does not fit the circuit: {field} has {found} elements, the circuit needs {expected}")]
    KeyMismatch {
        /// Which field of the proving key.
        field: &'static str,
        /// What the circuit needs.
        expected: usize,
        /// What the key has.
        found: usize,
    },
    /// The MSM backend failed.
    #[error("MSM: {0}")]
    Msm(#[from] MsmError),
}

/// Proves `circuit` under `pk` on the CPU backend; `r`, `s` are drawn from `rng` as
/// ark-groth16 draws them. See [`prove_with_backend`].
///
/// # Errors
/// As [`prove_with_backend`].
pub fn prove<C, R>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    rng: &mut R,
) -> Result<Proof<Bn254>, Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr>,
    R: RngCore + CryptoRng + ?Sized,
{
    prove_with_backend(pk, circuit, &CpuBackend, rng)
}

/// Proves `circuit` under `pk`, performing all five MSMs on `backend`.
///
/// Draws `r` then `s` from `rng` (uniform in `Fr`, as ark-groth16 does), so that for the same
/// RNG state the proof equals `Groth16::<Bn254>::create_random_proof_with_reduction`'s.
///
/// # Errors
/// [`Groth16ProveError::Synthesis`] if the circuit fails to synthesize,
/// [`Groth16ProveError::Unsatisfied`] if the witness does not satisfy it (checked before any
/// MSM), [`Groth16ProveError::KeyMismatch`] if `pk` was made for another circuit,
/// [`Groth16ProveError::Msm`] if the backend fails.
pub fn prove_with_backend<C, B, R>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    backend: &B,
    rng: &mut R,
) -> Result<Proof<Bn254>, Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr>,
    B: MsmBackend + ?Sized,
    R: RngCore + CryptoRng + ?Sized,
{
    let mut r = Fr::rand(rng);
    let mut s = Fr::rand(rng);
    let proof = prove_with_randomness(pk, circuit, backend, r, s);
    r.zeroize();
    s.zeroize();
    proof
}

/// A synthesized, finalized R1CS instance with its full assignment `z = (1, x, w)`.
struct Synthesized {
    /// `[A, B, C]`, one row per constraint.
    matrices: Vec<Matrix<Fr>>,
    num_instance: usize,
    num_constraints: usize,
    assignment: Vec<Fr>,
}

impl Drop for Synthesized {
    fn drop(&mut self) {
        self.assignment.zeroize();
    }
}

/// Synthesizes `circuit` exactly as ark-groth16's prover does and checks the witness.
fn synthesize<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Synthesized, Groth16ProveError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();

    let mut all = cs.to_matrices()?;
    if all.len() != 1 || !all.contains_key(R1CS_PREDICATE_LABEL) {
        return Err(Groth16ProveError::NotR1cs {
            predicates: all.keys().cloned().collect::<Vec<_>>().join(", "),
        });
    }
    let matrices = all
        .remove(R1CS_PREDICATE_LABEL)
        .ok_or_else(|| Groth16ProveError::NotR1cs {
            predicates: String::new(),
        })?;
    let num_instance = cs.num_instance_variables();
    let num_constraints = cs.num_constraints();
    // Move the assignment out (instance then witness, as ark concatenates them) rather than
    // copy it, and wipe what else of the witness the constraint system keeps.
    let assignment = {
        let mut inner = cs.borrow_mut().ok_or(SynthesisError::MissingCS)?;
        let assignments = &mut inner.assignments;
        let mut assignment = core::mem::take(&mut assignments.instance_assignment);
        let mut witness = core::mem::take(&mut assignments.witness_assignment);
        if assignment.len() != num_instance {
            witness.zeroize();
            return Err(SynthesisError::AssignmentMissing.into());
        }
        assignment.extend_from_slice(&witness);
        witness.zeroize();
        assignments.lc_assignment.zeroize();
        assignment
    };
    let synthesized = Synthesized {
        matrices,
        num_instance,
        num_constraints,
        assignment,
    };
    synthesized.check()?;
    Ok(synthesized)
}

impl Synthesized {
    /// Checks the shape of the matrices and `⟨A_i, z⟩·⟨B_i, z⟩ = ⟨C_i, z⟩` for every row.
    fn check(&self) -> Result<(), Groth16ProveError> {
        let n = self.num_constraints;
        let shaped = self.matrices.len() == 3
            && self.matrices.iter().all(|m| m.len() == n)
            && self.num_instance >= 1
            && self.num_instance <= self.assignment.len()
            && self
                .matrices
                .iter()
                .flatten()
                .flatten()
                .all(|&(_, index)| index < self.assignment.len());
        if !shaped {
            return Err(SynthesisError::AssignmentMissing.into());
        }
        let z = &self.assignment;
        for i in 0..n {
            let a = evaluate_constraint(&self.matrices[0][i], z);
            let b = evaluate_constraint(&self.matrices[1][i], z);
            let c = evaluate_constraint(&self.matrices[2][i], z);
            if a * b != c {
                return Err(Groth16ProveError::Unsatisfied { index: i, total: n });
            }
        }
        Ok(())
    }
}

fn expect_len(field: &'static str, expected: usize, found: usize) -> Result<(), Groth16ProveError> {
    if expected == found {
        Ok(())
    } else {
        Err(Groth16ProveError::KeyMismatch {
            field,
            expected,
            found,
        })
    }
}

/// The proof for fixed `r`, `s` (ark's `create_proof_with_reduction`). `r = s = 0` gives a
/// proof that is not zero-knowledge: only [`prove_with_backend`] is public.
pub(crate) fn prove_with_randomness<C, B>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    backend: &B,
    r: Fr,
    s: Fr,
) -> Result<Proof<Bn254>, Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr>,
    B: MsmBackend + ?Sized,
{
    let cs = synthesize(circuit)?;
    let num_variables = cs.assignment.len();
    let num_witness = num_variables - cs.num_instance;

    // The key must have been made for this circuit (ark would truncate silently).
    expect_len("a_query", num_variables, pk.a_query.len())?;
    expect_len("b_g1_query", num_variables, pk.b_g1_query.len())?;
    expect_len("b_g2_query", num_variables, pk.b_g2_query.len())?;
    expect_len("l_query", num_witness, pk.l_query.len())?;
    expect_len("vk.gamma_abc_g1", cs.num_instance, pk.vk.gamma_abc_g1.len())?;

    let mut h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        &cs.matrices,
        cs.num_instance,
        cs.num_constraints,
        &cs.assignment,
    )?;
    // `h` spans the whole domain; `h_query` has one base fewer (see the module doc).
    expect_len("h_query", h.len().saturating_sub(1), pk.h_query.len())?;

    // H and L, the parts of C that do not depend on r and s.
    let mut h_repr: Vec<ScalarRepr> = h[..pk.h_query.len()]
        .iter()
        .map(|x| x.into_bigint())
        .collect();
    h.zeroize();
    let h_acc = backend.msm_g1(Query::H, &pk.h_query, &h_repr)?;
    h_repr.zeroize();

    // `assignment` = (x, w) without the constant 1, canonical form, shared by A, B, B'.
    let mut assignment: Vec<ScalarRepr> =
        cs.assignment[1..].iter().map(|x| x.into_bigint()).collect();
    let witness = &assignment[cs.num_instance - 1..];
    let l_aux_acc = backend.msm_g1(Query::L, &pk.l_query, witness)?;

    let r_s_delta_g1 = pk.delta_g1 * (r * s);

    // A = α + Σ z_i·a_i + r·δ
    let r_g1 = pk.delta_g1 * r;
    let g_a = r_g1
        + pk.a_query[0]
        + backend.msm_g1(Query::A, &pk.a_query[1..], &assignment)?
        + pk.vk.alpha_g1;
    let s_g_a = g_a * s;

    // B in G1 (only needed for C, and only when r ≠ 0, as in ark).
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        let s_g1 = pk.delta_g1 * s;
        s_g1 + pk.b_g1_query[0]
            + backend.msm_g1(Query::BG1, &pk.b_g1_query[1..], &assignment)?
            + pk.beta_g1
    };

    // B in G2 = β + Σ z_i·b_i + s·δ
    let s_g2 = pk.vk.delta_g2 * s;
    let g2_b = s_g2
        + pk.b_g2_query[0]
        + backend.msm_g2(Query::BG2, &pk.b_g2_query[1..], &assignment)?
        + pk.vk.beta_g2;
    let r_g1_b = g1_b * r;
    assignment.zeroize();

    // C = s·A + r·B1 − r·s·δ + L + H
    let mut g_c = s_g_a;
    g_c += &r_g1_b;
    g_c -= &r_s_delta_g1;
    g_c += &l_aux_acc;
    g_c += &h_acc;

    Ok(Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    })
}
