//! What a proof under one proving key need not redo: computed once per key and process, then
//! shared by every proof (DESIGN.md §7, "Proving lever").
//!
//! - [`PreparedCircuit`]: the circuit's constraint matrices (synthesized once, in setup mode,
//!   and checked against the key) and its QAP domain. A proof then only assigns its witness
//!   (`SynthesisMode::Prove { construct_matrices: false }`): no constraint is recorded, no
//!   linear combination inlined, no matrix built.
//! - the MSM backend's own precomputation: [`FixedBaseBackend`]'s tables of the key's bases on
//!   the CPU, or the bases the GPU backend keeps resident.
//! - [`Prover`] holds both, and optionally keeps credential shares (module `shares`): per
//!   customer, the part of the MSMs over the witness variables that depend only on the
//!   credential and its path.
//!
//! A precomputation is bound to its key: [`PreparedCircuit`] keeps the key's verifying key and
//! query sizes and refuses any other key ([`Groth16ProveError::StalePrecomputation`]), and the
//! fixed-base backend compares every base it is handed with its tables
//! ([`MsmError::NotPrepared`](super::MsmError::NotPrepared)). Proofs are those of
//! [`super::prove_with_backend`], byte for byte, for the same randomness (tested).
use super::qap::{Qap, R1cs};
use super::shares::Shares;
use super::{
    check_key_sizes, matrices_of, prove_with_randomness_timed, with_randomness, FixedBaseBackend,
    Groth16ProveError, MsmBackend, ProofTimings,
};
use ark_bn254::{Bn254, Fr};
use ark_ec::AffineRepr;
use ark_groth16::{Proof, ProvingKey, VerifyingKey};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use rand_core::{CryptoRng, RngCore};
use std::time::{Duration, Instant};

/// A circuit's constraint matrices and QAP domain, prepared for one proving key (see the
/// module doc).
#[derive(Clone, Debug)]
pub struct PreparedCircuit {
    pub(super) r1cs: R1cs,
    pub(super) qap: Qap,
    /// The key's verifying key and the lengths of its five queries.
    vk: VerifyingKey<Bn254>,
    lengths: [usize; 5],
    /// Threads of the witness map (products and FFTs).
    pub(super) threads: usize,
}

fn query_lengths(pk: &ProvingKey<Bn254>) -> [usize; 5] {
    [
        pk.a_query.len(),
        pk.b_g1_query.len(),
        pk.b_g2_query.len(),
        pk.h_query.len(),
        pk.l_query.len(),
    ]
}

const QUERY_NAMES: [&str; 5] = [
    "a_query length",
    "b_g1_query length",
    "b_g2_query length",
    "h_query length",
    "l_query length",
];

impl PreparedCircuit {
    /// Synthesizes `circuit` in setup mode (no assignment needed: `KycCircuit::for_setup()`
    /// will do) as ark-groth16 does, keeps its matrices, and checks them against `pk`: the
    /// query sizes, and that a variable has the identity as `A` (`B`) base exactly when the `A`
    /// (`B`) matrix does not use it.
    ///
    /// # Errors
    /// [`Groth16ProveError::Synthesis`] or [`Groth16ProveError::NotR1cs`] if the circuit does
    /// not synthesize to R1CS, [`Groth16ProveError::KeyMismatch`] or
    /// [`Groth16ProveError::NotTheKeysCircuit`] if `pk` was made for another circuit.
    pub fn new<C: ConstraintSynthesizer<Fr>>(
        pk: &ProvingKey<Bn254>,
        circuit: C,
    ) -> Result<Self, Groth16ProveError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        circuit.generate_constraints(cs.clone())?;
        cs.finalize();
        let r1cs = matrices_of(&cs)?;
        if !r1cs.is_well_formed() {
            return Err(ark_relations::gr1cs::SynthesisError::Unsatisfiable.into());
        }
        let qap = Qap::new(&r1cs)?;
        check_key_sizes(pk, &r1cs, qap.size())?;
        for (m, matrix, field, bases) in [
            (0, "A", "a_query", &pk.a_query),
            (1, "B", "b_g1_query", &pk.b_g1_query),
        ] {
            let used = r1cs.used_in(m);
            if let Some((variable, &used)) = used
                .iter()
                .enumerate()
                .find(|&(i, &u)| u == bases[i].is_zero())
            {
                return Err(Groth16ProveError::NotTheKeysCircuit {
                    matrix,
                    field,
                    variable,
                    used,
                });
            }
        }
        Ok(Self {
            r1cs,
            qap,
            vk: pk.vk.clone(),
            lengths: query_lengths(pk),
            threads: 1,
        })
    }

    /// The same, with the witness map on `threads` threads (at most two are used).
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The number of constraints.
    #[must_use]
    pub fn num_constraints(&self) -> usize {
        self.r1cs.num_constraints
    }

    /// Bytes held (the matrices).
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        self.r1cs.memory_bytes()
    }

    /// Whether this was prepared for `pk` (its verifying key and query sizes).
    #[must_use]
    pub fn is_for(&self, pk: &ProvingKey<Bn254>) -> bool {
        self.check_key(pk).is_ok()
    }

    /// Refuses a key other than the one this was prepared for.
    pub(super) fn check_key(&self, pk: &ProvingKey<Bn254>) -> Result<(), Groth16ProveError> {
        let lengths = query_lengths(pk);
        if let Some(i) = (0..5).find(|&i| lengths[i] != self.lengths[i]) {
            return Err(Groth16ProveError::StalePrecomputation {
                field: QUERY_NAMES[i],
            });
        }
        if pk.vk != self.vk {
            return Err(Groth16ProveError::StalePrecomputation { field: "vk" });
        }
        Ok(())
    }
}

/// A Groth16 prover for one proving key, with everything a proof need not redo computed once:
/// the [`PreparedCircuit`] and the MSM backend's precomputation (by default the
/// [`FixedBaseBackend`]'s tables). Build it once per process and key, share it between
/// requests (`Send + Sync`).
#[derive(Debug)]
pub struct Prover<B = FixedBaseBackend> {
    circuit: PreparedCircuit,
    backend: B,
    /// Credential shares, when given ranges ([`Prover::with_credential_shares`]).
    shares: Option<Shares>,
    /// How long [`Prover::new`] took (zero for [`Prover::with_backend`]).
    build_time: Duration,
}

impl Prover<FixedBaseBackend> {
    /// Prepares `circuit` (any value of the key's circuit, e.g. its `for_setup()`) and the
    /// fixed-base tables of `pk` on `threads` threads, which each proof then uses too.
    ///
    /// # Errors
    /// As [`PreparedCircuit::new`].
    pub fn new<C: ConstraintSynthesizer<Fr>>(
        pk: &ProvingKey<Bn254>,
        circuit: C,
        threads: usize,
    ) -> Result<Self, Groth16ProveError> {
        let start = Instant::now();
        let circuit = PreparedCircuit::new(pk, circuit)?.with_threads(threads);
        let backend = FixedBaseBackend::new(pk, threads);
        Ok(Self {
            circuit,
            backend,
            shares: None,
            build_time: start.elapsed(),
        })
    }

    /// The same precomputation, with proofs on `threads` threads.
    #[must_use]
    pub fn with_threads(self, threads: usize) -> Self {
        Self {
            circuit: self.circuit.with_threads(threads),
            backend: self.backend.with_threads(threads),
            shares: self.shares,
            build_time: self.build_time,
        }
    }

    /// Bytes held by the precomputation: the matrices and the fixed-base tables.
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        self.circuit.memory_bytes() + self.backend.memory_bytes()
    }
}

impl<B: MsmBackend> Prover<B> {
    /// A prover over `circuit`'s matrices with the MSMs on `backend` (for example the GPU
    /// backend, which keeps the key's bases on the device).
    pub fn with_backend(circuit: PreparedCircuit, backend: B) -> Self {
        Self {
            circuit,
            backend,
            shares: None,
            build_time: Duration::ZERO,
        }
    }

    /// The same prover keeping credential shares (module `shares`) over the witness variables
    /// in `ranges` (ascending, disjoint, indices into the witness: for the KYC circuit
    /// `KycCircuit::credential_witness_ranges`), at most `capacity` shares at once. Proofs stay
    /// byte for byte the same; a proof whose values of those variables were seen before skips
    /// their part of the `A`, `B` and `L` MSMs.
    ///
    /// # Errors
    /// [`Groth16ProveError::SharesOutOfRange`] for ranges that are not ascending, disjoint and
    /// within the circuit's witness.
    pub fn with_credential_shares(
        mut self,
        ranges: Vec<std::ops::Range<usize>>,
        capacity: usize,
    ) -> Result<Self, Groth16ProveError> {
        let r1cs = &self.circuit.r1cs;
        self.shares = Some(Shares::new(
            ranges,
            r1cs.num_variables - r1cs.num_instance,
            capacity,
        )?);
        Ok(self)
    }

    /// The witness variables a credential share covers (0 without shares).
    pub fn share_variables(&self) -> usize {
        self.shares.as_ref().map_or(0, Shares::variables)
    }

    /// Proofs that found their credential share kept, and proofs that computed it.
    pub fn share_counts(&self) -> (u64, u64) {
        self.shares.as_ref().map_or((0, 0), Shares::counts)
    }

    /// Forgets every kept credential share.
    pub fn forget_shares(&self) {
        if let Some(s) = &self.shares {
            s.forget();
        }
    }

    /// The prepared circuit.
    pub fn circuit(&self) -> &PreparedCircuit {
        &self.circuit
    }

    /// The MSM backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// How long building the precomputation took ([`Prover::new`]).
    pub fn build_time(&self) -> Duration {
        self.build_time
    }

    /// Proves `circuit` under `pk`, which must be the key this prover was built for; `r`, `s`
    /// are drawn from `rng` as ark-groth16 draws them, so the proof equals
    /// `create_random_proof_with_reduction`'s for the same RNG state.
    ///
    /// # Errors
    /// [`Groth16ProveError::StalePrecomputation`] for another key (and the backend's
    /// [`MsmError::NotPrepared`](super::MsmError::NotPrepared) for other bases),
    /// [`Groth16ProveError::NotSameCircuit`] for a circuit of another shape, and those of
    /// [`super::prove_with_backend`].
    pub fn prove<C, R>(
        &self,
        pk: &ProvingKey<Bn254>,
        circuit: C,
        rng: &mut R,
    ) -> Result<Proof<Bn254>, Groth16ProveError>
    where
        C: ConstraintSynthesizer<Fr>,
        R: RngCore + CryptoRng + ?Sized,
    {
        self.prove_timed(pk, circuit, rng).map(|(p, _)| p)
    }

    /// [`Self::prove`] with the wall time of each stage.
    ///
    /// # Errors
    /// As [`Self::prove`].
    pub fn prove_timed<C, R>(
        &self,
        pk: &ProvingKey<Bn254>,
        circuit: C,
        rng: &mut R,
    ) -> Result<(Proof<Bn254>, ProofTimings), Groth16ProveError>
    where
        C: ConstraintSynthesizer<Fr>,
        R: RngCore + CryptoRng + ?Sized,
    {
        with_randomness(rng, |r, s| self.prove_with_randomness(pk, circuit, r, s))
    }

    /// The proof for fixed `r`, `s` (tests compare it with ark's `create_proof_with_reduction`).
    pub(crate) fn prove_with_randomness<C: ConstraintSynthesizer<Fr>>(
        &self,
        pk: &ProvingKey<Bn254>,
        circuit: C,
        r: Fr,
        s: Fr,
    ) -> Result<(Proof<Bn254>, ProofTimings), Groth16ProveError> {
        prove_with_randomness_timed(
            pk,
            Some(&self.circuit),
            self.shares.as_ref(),
            circuit,
            &self.backend,
            r,
            s,
        )
    }
}
