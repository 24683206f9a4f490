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
//! the bases are passed as slices of the key, [`backend`] for choosing the CUDA backend
//! (`gpu` feature, `gpu::GpuBackend`) with its CPU fallback.
//!
//! Batches: [`prove_batch`] proves many circuits under one key with each MSM run once for all
//! of them (one device pass over the resident bases); its proofs equal [`prove_with_backend`]'s
//! on each circuit in turn with the same RNG.
//!
//! Precomputed ([`Prover`], module `prepared`): what depends only on the key is computed once
//! per key and process, the constraint matrices ([`PreparedCircuit`]: a proof then only
//! assigns its witness) and the fixed-base tables of the key's bases ([`FixedBaseBackend`],
//! module [`fixed_base`]); the witness map (module `qap`) is ark's with one FFT fewer and the
//! satisfaction check folded into its matrix products. Same proofs, byte for byte, in a
//! fraction of ark-groth16's time on the KYC circuit (measured: README).
//! [`prove_timed`] and [`Prover::prove_timed`] return the time of each stage.
//!
//! Credential shares ([`Prover::with_credential_shares`], module `shares`): a prover may keep,
//! per customer, the share of the `A`, `B` and `L` MSMs over the witness variables that depend
//! only on the credential and its path, and reuse it when they take the same values again
//! (checked by their SHA-256): the same proof, about half the MSM work.
use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_groth16::{Proof, ProvingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, SynthesisError,
    SynthesisMode, R1CS_PREDICATE_LABEL,
};
use msm::parallel_map;
use qap::{Qap, R1cs};
use rand_core::{CryptoRng, RngCore};
use std::time::{Duration, Instant};
use thiserror::Error;
use zeroize::Zeroize;

pub mod backend;
pub mod fixed_base;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod msm;
#[cfg(any(test, feature = "gpu"))]
mod pippenger;
mod prepared;
mod qap;
mod shares;

pub use backend::{select_backend, BackendKind, GpuOptions, GpuUnavailable, SelectedBackend};
pub use fixed_base::FixedBaseBackend;
pub use msm::{CpuBackend, MsmBackend, MsmError, ParallelCpuBackend, Query, ScalarRepr};
pub use prepared::{PreparedCircuit, Prover};

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
    /// A circuit is not the one whose constraint matrices are used: other numbers of public
    /// inputs or variables than the first circuit of a batch ([`prove_batch`]) or the circuit
    /// of a [`PreparedCircuit`].
    #[error("not the same circuit: {public} public and {variables} variables, the matrices' circuit has {expected_public} and {expected_variables}")]
    NotSameCircuit {
        /// The first circuit's instance variables (with the constant 1).
        expected_public: usize,
        /// This circuit's.
        public: usize,
        /// The first circuit's variables.
        expected_variables: usize,
        /// This circuit's.
        variables: usize,
    },
    /// A [`PreparedCircuit`] (or [`Prover`]) was made for another proving key than the one it
    /// is asked to prove with (another setup, or the key was replaced since): refused, since
    /// its matrices and tables would not fit.
    #[error("stale precomputation: it was made for another proving key ({field} differs)")]
    StalePrecomputation {
        /// What differs: `"vk"` or a query's length.
        field: &'static str,
    },
    /// The circuit's constraint matrices do not fit the proving key: a variable that the
    /// matrix uses has the identity as base in the key, or the other way round (the key was
    /// made for another circuit of the same size).
    #[error("the circuit does not fit the proving key: variable {variable} is {} in {matrix} but its {field} base is {}", if *.used { "used" } else { "unused" }, if *.used { "the identity" } else { "not the identity" })]
    NotTheKeysCircuit {
        /// `"A"` or `"B"`.
        matrix: &'static str,
        /// The proving-key query checked against it.
        field: &'static str,
        /// The variable's index (the constant 1 is 0).
        variable: usize,
        /// Whether the matrix uses it.
        used: bool,
    },
    /// The credential-share ranges given to a [`Prover`] are not ascending, disjoint ranges
    /// within the circuit's witness.
    #[error("credential-share ranges end at witness variable {end}, or overlap, but the circuit has {witnesses} witness variables")]
    SharesOutOfRange {
        /// Where the last range ends.
        end: usize,
        /// The circuit's witness variables.
        witnesses: usize,
    },
    /// One circuit of a batch ([`prove_batch`]) could not be proven.
    #[error("circuit {index} of the batch: {source}")]
    InBatch {
        /// Its index in the batch.
        index: usize,
        /// Why.
        source: Box<Groth16ProveError>,
    },
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
    with_randomness(rng, |r, s| {
        prove_with_randomness(pk, circuit, backend, r, s)
    })
}

/// Wall time of each stage of one proof ([`Prover::prove_timed`], [`prove_timed`]): the split
/// the benchmarks print.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProofTimings {
    /// `generate_constraints`: the circuit assigns its variables (and, without a precomputation,
    /// records its constraints).
    pub synthesis: Duration,
    /// `finalize`: the inlining of linear combinations (nothing to inline when only the
    /// witness is assigned).
    pub finalize: Duration,
    /// `to_matrices` (zero with a [`PreparedCircuit`]).
    pub matrices: Duration,
    /// The witness map: products with the matrices, the satisfaction check, the FFTs of the
    /// quotient, and the scalars' conversion out of Montgomery form.
    pub witness_map: Duration,
    /// The `A` MSM (`a_query`, G1).
    pub msm_a: Duration,
    /// The `B` MSM in G1 (`b_g1_query`).
    pub msm_b_g1: Duration,
    /// The `B` MSM in G2 (`b_g2_query`).
    pub msm_b_g2: Duration,
    /// The `C` MSM over the private witness (`l_query`, G1).
    pub msm_l: Duration,
    /// The `H` MSM over the quotient (`h_query`, G1).
    pub msm_h: Duration,
    /// `A`, `B`, `C` from the MSMs and `r`, `s`.
    pub assemble: Duration,
}

impl ProofTimings {
    /// The sum of the stages.
    #[must_use]
    pub fn total(&self) -> Duration {
        self.synthesis
            + self.finalize
            + self.matrices
            + self.witness_map
            + self.msm_a
            + self.msm_b_g1
            + self.msm_b_g2
            + self.msm_l
            + self.msm_h
            + self.assemble
    }
}

/// `f()`, adding its wall time to `slot`.
fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *slot += start.elapsed();
    out
}

/// A circuit's full assignment `z = (1, x, w)` (wiped on drop), with its matrices when they
/// were built.
struct Assigned {
    r1cs: Option<R1cs>,
    num_instance: usize,
    assignment: Vec<Fr>,
}

impl Drop for Assigned {
    fn drop(&mut self) {
        self.assignment.zeroize();
    }
}

/// The matrices of `cs` (synthesized and finalized), which must hold R1CS constraints only.
fn matrices_of(cs: &ConstraintSystemRef<Fr>) -> Result<R1cs, Groth16ProveError> {
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
    Ok(R1cs {
        matrices,
        num_instance,
        num_constraints: cs.num_constraints(),
        num_variables: num_instance + cs.num_witness_variables(),
    })
}

/// Synthesizes `circuit` as ark-groth16's prover does (`OptimizationGoal::Constraints`, then
/// `finalize`), building the constraint matrices when `with_matrices` (else only the
/// assignment, a fraction of the work), and adds the stages' times to `timings`.
fn assign<C: ConstraintSynthesizer<Fr>>(
    circuit: C,
    with_matrices: bool,
    timings: &mut ProofTimings,
) -> Result<Assigned, Groth16ProveError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: with_matrices,
        generate_lc_assignments: false,
    });
    timed(&mut timings.synthesis, || {
        circuit.generate_constraints(cs.clone())
    })?;
    timed(&mut timings.finalize, || cs.finalize());

    let num_instance = cs.num_instance_variables();
    let r1cs = if with_matrices {
        Some(timed(&mut timings.matrices, || matrices_of(&cs))?)
    } else {
        None
    };
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
    Ok(Assigned {
        r1cs,
        num_instance,
        assignment,
    })
}

impl Assigned {
    /// Checks that the assignment has the shape of `r1cs` (its own matrices, a batch's, or a
    /// precomputation's), whose well-formedness the caller has checked
    /// ([`check_well_formed`]).
    fn fits(&self, r1cs: &R1cs) -> Result<(), Groth16ProveError> {
        if self.num_instance != r1cs.num_instance || self.assignment.len() != r1cs.num_variables {
            return Err(Groth16ProveError::NotSameCircuit {
                expected_public: r1cs.num_instance,
                public: self.num_instance,
                expected_variables: r1cs.num_variables,
                variables: self.assignment.len(),
            });
        }
        Ok(())
    }
}

/// Refuses matrices whose rows name variables the assignment lacks (checked once per set of
/// matrices: a [`PreparedCircuit`] checks its own when it is made, a proof or a batch without
/// one checks those it synthesized).
fn check_well_formed(r1cs: &R1cs) -> Result<(), Groth16ProveError> {
    if r1cs.is_well_formed() {
        Ok(())
    } else {
        Err(SynthesisError::AssignmentMissing.into())
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

/// Checks that `pk` has the query sizes of a circuit of `r1cs`'s shape and a domain of
/// `domain_size` (ark would truncate silently).
fn check_key_sizes(
    pk: &ProvingKey<Bn254>,
    r1cs: &R1cs,
    domain_size: usize,
) -> Result<(), Groth16ProveError> {
    let num_variables = r1cs.num_variables;
    expect_len("a_query", num_variables, pk.a_query.len())?;
    expect_len("b_g1_query", num_variables, pk.b_g1_query.len())?;
    expect_len("b_g2_query", num_variables, pk.b_g2_query.len())?;
    expect_len(
        "l_query",
        num_variables - r1cs.num_instance,
        pk.l_query.len(),
    )?;
    expect_len(
        "vk.gamma_abc_g1",
        r1cs.num_instance,
        pk.vk.gamma_abc_g1.len(),
    )?;
    // `h` spans the whole domain; `h_query` has one base fewer (see the module doc).
    expect_len("h_query", domain_size.saturating_sub(1), pk.h_query.len())
}

/// A synthesized circuit's MSM scalars in canonical form: the quotient's coefficients (as many
/// as `h_query` has bases) and the assignment without the constant 1 (`(x, w)`, shared by `A`,
/// `B` and `B'`; `w` alone for `L`). Wiped on drop.
struct MsmScalars {
    h: Vec<ScalarRepr>,
    assignment: Vec<ScalarRepr>,
    /// Public inputs without the constant 1: the witness starts here in `assignment`.
    num_public: usize,
}

impl MsmScalars {
    fn witness(&self) -> &[ScalarRepr] {
        &self.assignment[self.num_public..]
    }
}

impl Drop for MsmScalars {
    fn drop(&mut self) {
        self.h.zeroize();
        self.assignment.zeroize();
    }
}

/// Checks an assignment against `r1cs` and `pk` and computes the quotient ([`Qap::quotient`],
/// which checks every constraint): everything of a proof but the MSMs and `r`, `s`.
fn msm_scalars(
    pk: &ProvingKey<Bn254>,
    r1cs: &R1cs,
    qap: &Qap,
    assigned: &Assigned,
    threads: usize,
) -> Result<MsmScalars, Groth16ProveError> {
    assigned.fits(r1cs)?;
    check_key_sizes(pk, r1cs, qap.size())?;
    let z = &assigned.assignment;
    let mut h = qap.quotient(r1cs, z, threads)?;
    let scalars = MsmScalars {
        h: h.iter()
            .take(pk.h_query.len())
            .map(|x| x.into_bigint())
            .collect(),
        assignment: z[1..].iter().map(|x| x.into_bigint()).collect(),
        num_public: r1cs.num_instance - 1,
    };
    h.zeroize();
    Ok(scalars)
}

/// The five MSM results of one proof (`b_g1` only needed when `r ≠ 0`).
struct MsmResults {
    h: G1Projective,
    l: G1Projective,
    a: G1Projective,
    b_g1: G1Projective,
    b_g2: G2Projective,
}

/// The five MSMs of one proof on `backend`, timed.
fn msms<B: MsmBackend + ?Sized>(
    pk: &ProvingKey<Bn254>,
    z: &MsmScalars,
    backend: &B,
    r_is_zero: bool,
    t: &mut ProofTimings,
) -> Result<MsmResults, Groth16ProveError> {
    // H and L first (they do not depend on r and s), then A, B (G1, only when r ≠ 0), B (G2).
    let h = timed(&mut t.msm_h, || backend.msm_g1(Query::H, &pk.h_query, &z.h))?;
    let l = timed(&mut t.msm_l, || {
        backend.msm_g1(Query::L, &pk.l_query, z.witness())
    })?;
    let a = timed(&mut t.msm_a, || {
        backend.msm_g1(Query::A, &pk.a_query[1..], &z.assignment)
    })?;
    let b_g1 = if r_is_zero {
        G1Projective::zero()
    } else {
        timed(&mut t.msm_b_g1, || {
            backend.msm_g1(Query::BG1, &pk.b_g1_query[1..], &z.assignment)
        })?
    };
    let b_g2 = timed(&mut t.msm_b_g2, || {
        backend.msm_g2(Query::BG2, &pk.b_g2_query[1..], &z.assignment)
    })?;
    Ok(MsmResults {
        h,
        l,
        a,
        b_g1,
        b_g2,
    })
}

/// `A`, `B`, `C` from the MSM results, as ark assembles them.
fn assemble(pk: &ProvingKey<Bn254>, m: &MsmResults, r: Fr, s: Fr) -> Proof<Bn254> {
    let r_s_delta_g1 = pk.delta_g1 * (r * s);

    // A = α + Σ z_i·a_i + r·δ
    let r_g1 = pk.delta_g1 * r;
    let g_a = r_g1 + pk.a_query[0] + m.a + pk.vk.alpha_g1;
    let s_g_a = g_a * s;

    // B in G1 (only needed for C, and only when r ≠ 0, as in ark).
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        let s_g1 = pk.delta_g1 * s;
        s_g1 + pk.b_g1_query[0] + m.b_g1 + pk.beta_g1
    };

    // B in G2 = β + Σ z_i·b_i + s·δ
    let s_g2 = pk.vk.delta_g2 * s;
    let g2_b = s_g2 + pk.b_g2_query[0] + m.b_g2 + pk.vk.beta_g2;
    let r_g1_b = g1_b * r;

    // C = s·A + r·B1 − r·s·δ + L + H
    let mut g_c = s_g_a;
    g_c += &r_g1_b;
    g_c -= &r_s_delta_g1;
    g_c += &m.l;
    g_c += &m.h;

    Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    }
}

/// The proof for fixed `r`, `s` (ark's `create_proof_with_reduction`), with the stages' times.
/// `r = s = 0` gives a proof that is not zero-knowledge: only the randomized functions are
/// public. Without `prepared` the circuit is synthesized with its matrices, as ark does.
pub(crate) fn prove_with_randomness_timed<C, B>(
    pk: &ProvingKey<Bn254>,
    prepared: Option<&PreparedCircuit>,
    shares: Option<&shares::Shares>,
    circuit: C,
    backend: &B,
    r: Fr,
    s: Fr,
) -> Result<(Proof<Bn254>, ProofTimings), Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr>,
    B: MsmBackend + ?Sized,
{
    let mut t = ProofTimings::default();
    let mut z = match prepared {
        Some(p) => {
            p.check_key(pk)?;
            let assigned = assign(circuit, false, &mut t)?;
            timed(&mut t.witness_map, || {
                msm_scalars(pk, &p.r1cs, &p.qap, &assigned, p.threads)
            })?
        }
        None => {
            let assigned = assign(circuit, true, &mut t)?;
            let r1cs = assigned
                .r1cs
                .as_ref()
                .ok_or(SynthesisError::AssignmentMissing)?;
            check_well_formed(r1cs)?;
            timed(&mut t.witness_map, || {
                msm_scalars(pk, r1cs, &Qap::new(r1cs)?, &assigned, 1)
            })?
        }
    };
    let m = match shares {
        Some(shares) => shares.msms(pk, &mut z, backend, r.is_zero(), &mut t)?,
        None => msms(pk, &z, backend, r.is_zero(), &mut t)?,
    };
    drop(z);
    let proof = timed(&mut t.assemble, || assemble(pk, &m, r, s));
    Ok((proof, t))
}

/// [`prove_with_randomness_timed`] without the times.
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
    prove_with_randomness_timed(pk, None, None, circuit, backend, r, s).map(|(p, _)| p)
}

/// [`prove_with_backend`] with the wall time of each stage: ark-groth16's work, stage by stage
/// (synthesis with matrices, inlining, matrices, witness map, five MSMs).
///
/// # Errors
/// As [`prove_with_backend`].
pub fn prove_timed<C, B, R>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    backend: &B,
    rng: &mut R,
) -> Result<(Proof<Bn254>, ProofTimings), Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr>,
    B: MsmBackend + ?Sized,
    R: RngCore + CryptoRng + ?Sized,
{
    with_randomness(rng, |r, s| {
        prove_with_randomness_timed(pk, None, None, circuit, backend, r, s)
    })
}

/// `f(r, s)` with `r` then `s` drawn from `rng` as ark-groth16 draws them, wiped after.
fn with_randomness<T, R: RngCore + CryptoRng + ?Sized>(
    rng: &mut R,
    f: impl FnOnce(Fr, Fr) -> T,
) -> T {
    let mut r = Fr::rand(rng);
    let mut s = Fr::rand(rng);
    let out = f(r, s);
    r.zeroize();
    s.zeroize();
    out
}

/// Wall time of the stages of [`prove_batch_timed`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BatchTimings {
    /// Synthesis, the witness check and the quotient (FFTs), on all cores.
    pub witness: Duration,
    /// The five batched MSMs on the backend.
    pub msm: Duration,
    /// Assembling `A`, `B`, `C` (the fixed-base products by `r` and `s`), on all cores.
    pub assemble: Duration,
}

/// Proves every circuit under `pk`, running each of the five MSMs for all of them in one
/// batched backend call ([`MsmBackend::msm_g1_batch`]); synthesis, quotients and assembly are
/// spread over the cores. The circuits are witnesses of one circuit (a Groth16 key is made for
/// one): the first builds the constraint matrices, the others only assign their variables and
/// are checked against those matrices. `r`, `s` are drawn from `rng` circuit after circuit, so
/// the proofs equal those of [`prove_with_backend`] called on each circuit in order with the
/// same RNG.
///
/// # Errors
/// As [`prove_with_backend`], and [`Groth16ProveError::NotSameCircuit`] for a circuit of
/// another shape than the first, wrapped in [`Groth16ProveError::InBatch`] with the index of
/// the first circuit that failed (the MSM errors of a batch are not wrapped).
pub fn prove_batch<C, B, R>(
    pk: &ProvingKey<Bn254>,
    circuits: Vec<C>,
    backend: &B,
    rng: &mut R,
) -> Result<Vec<Proof<Bn254>>, Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr> + Send,
    B: MsmBackend + ?Sized,
    R: RngCore + CryptoRng + ?Sized,
{
    prove_batch_timed(pk, circuits, backend, rng).map(|(proofs, _)| proofs)
}

/// [`prove_batch`], with the wall time of each stage (to show where the time goes once the
/// MSMs run on a device).
///
/// # Errors
/// As [`prove_batch`].
pub fn prove_batch_timed<C, B, R>(
    pk: &ProvingKey<Bn254>,
    circuits: Vec<C>,
    backend: &B,
    rng: &mut R,
) -> Result<(Vec<Proof<Bn254>>, BatchTimings), Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr> + Send,
    B: MsmBackend + ?Sized,
    R: RngCore + CryptoRng + ?Sized,
{
    let mut randomness: Vec<(Fr, Fr)> = circuits
        .iter()
        .map(|_| {
            let r = Fr::rand(rng);
            (r, Fr::rand(rng))
        })
        .collect();
    let proofs = prove_batch_with_randomness(pk, circuits, backend, &randomness);
    for (r, s) in &mut randomness {
        r.zeroize();
        s.zeroize();
    }
    proofs
}

fn prove_batch_with_randomness<C, B>(
    pk: &ProvingKey<Bn254>,
    circuits: Vec<C>,
    backend: &B,
    randomness: &[(Fr, Fr)],
) -> Result<(Vec<Proof<Bn254>>, BatchTimings), Groth16ProveError>
where
    C: ConstraintSynthesizer<Fr> + Send,
    B: MsmBackend + ?Sized,
{
    let mut timings = BatchTimings::default();
    let start = Instant::now();
    let in_batch = |index: usize| {
        move |e: Groth16ProveError| Groth16ProveError::InBatch {
            index,
            source: Box::new(e),
        }
    };
    // One circuit builds the constraint matrices; every circuit only assigns its witness, and
    // is checked against those matrices (a Groth16 key is made for one circuit: a batch under
    // one key proves witnesses of that circuit).
    let mut assigned = parallel_map(circuits, |i, c| {
        assign(c, i == 0, &mut ProofTimings::default()).map_err(in_batch(i))
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    let r1cs = match assigned.first_mut() {
        Some(first) => first.r1cs.take(),
        None => return Ok((Vec::new(), timings)),
    }
    .ok_or(SynthesisError::AssignmentMissing)?;
    check_well_formed(&r1cs).map_err(in_batch(0))?;
    let qap = Qap::new(&r1cs).map_err(in_batch(0))?;
    let scalars = parallel_map(assigned, |i, a| {
        msm_scalars(pk, &r1cs, &qap, &a, 1).map_err(in_batch(i))
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    timings.witness = start.elapsed();

    let start = Instant::now();
    let all = |f: fn(&MsmScalars) -> &[ScalarRepr]| scalars.iter().map(f).collect::<Vec<_>>();
    let h = backend.msm_g1_batch(Query::H, &pk.h_query, &all(|z| &z.h))?;
    let l = backend.msm_g1_batch(Query::L, &pk.l_query, &all(MsmScalars::witness))?;
    let assignments = all(|z| &z.assignment);
    let a = backend.msm_g1_batch(Query::A, &pk.a_query[1..], &assignments)?;
    let b_g1 = backend.msm_g1_batch(Query::BG1, &pk.b_g1_query[1..], &assignments)?;
    let b_g2 = backend.msm_g2_batch(Query::BG2, &pk.b_g2_query[1..], &assignments)?;
    drop(scalars);
    timings.msm = start.elapsed();

    let start = Instant::now();
    let results: Vec<(MsmResults, (Fr, Fr))> = h
        .into_iter()
        .zip(l)
        .zip(a)
        .zip(b_g1)
        .zip(b_g2)
        .zip(randomness.iter().copied())
        .map(|(((((h, l), a), b_g1), b_g2), rs)| {
            (
                MsmResults {
                    h,
                    l,
                    a,
                    b_g1,
                    b_g2,
                },
                rs,
            )
        })
        .collect();
    if results.len() != randomness.len() {
        return Err(MsmError::Backend {
            query: Query::H,
            backend: backend.name(),
            reason: format!("{} results for {} proofs", results.len(), randomness.len()),
        }
        .into());
    }
    let proofs = parallel_map(results, |_, (m, (r, s))| assemble(pk, &m, r, s));
    timings.assemble = start.elapsed();
    Ok((proofs, timings))
}
