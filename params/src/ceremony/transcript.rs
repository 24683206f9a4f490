//! Verifying a transcript step by step, each against its predecessor (the checks of the module
//! doc of [`crate::ceremony`]), holding only the previous step's state (phase 1's last powers
//! until phase 2's start has been checked against them).

use ark_bn254::{Bn254, Fr};
use ark_groth16::ProvingKey;
use ark_relations::gr1cs::ConstraintSynthesizer;
use corridor_circuits::fingerprint::{setup_matrices, R1csMatrices};
use corridor_circuits::KycCircuit;
use rand_core::{CryptoRng, RngCore};

use super::error::{CeremonyError, Element, StepFailure};
use super::phase1::Powers;
use super::phase2::{check_update, first_difference, initial_key};
use super::pok::ProofOfKnowledge;
use super::step::{step_hash, Contribution, Origin, Step, StepBody};
use super::{Phase, ProgressFn, Secret, StepHash, StepId};
use crate::{CircuitInfo, KYC_CIRCUIT_NAME};

/// The circuit a ceremony is for: its description and its R1CS matrices, synthesised as
/// ark-groth16's generator does.
#[derive(Clone, Debug)]
pub struct CeremonyCircuit {
    info: CircuitInfo,
    matrices: R1csMatrices,
}

impl CeremonyCircuit {
    /// `circuit` (its witness may be blank) under the versioned `name`.
    pub fn new<C: ConstraintSynthesizer<Fr>>(
        name: &str,
        circuit: C,
    ) -> Result<Self, CeremonyError> {
        let matrices = setup_matrices(circuit)?;
        let info = CircuitInfo {
            name: name.to_string(),
            fingerprint: hex::encode(matrices.sha256()),
            constraints: matrices.num_constraints(),
            public_inputs: matrices.num_instance.saturating_sub(1),
        };
        Ok(CeremonyCircuit { info, matrices })
    }

    /// The KYC circuit compiled into this binary ([`CircuitInfo::kyc`] describes it alike).
    pub fn kyc() -> Result<Self, CeremonyError> {
        Self::new(KYC_CIRCUIT_NAME, KycCircuit::for_setup())
    }

    /// Its description, as manifests hold it.
    pub fn info(&self) -> &CircuitInfo {
        &self.info
    }

    /// Its matrices.
    pub fn matrices(&self) -> &R1csMatrices {
        &self.matrices
    }

    /// `log2` of its QAP domain: the next power of two of constraints plus instance columns
    /// (ark-groth16's domain).
    pub fn power(&self) -> u32 {
        (self.matrices.num_constraints() + self.matrices.num_instance)
            .next_power_of_two()
            .trailing_zeros()
    }
}

/// `name fingerprint (m constraints, ℓ public inputs)`.
pub(crate) fn describe(c: &CircuitInfo) -> String {
    format!(
        "{} {} ({} constraints, {} public inputs)",
        c.name, c.fingerprint, c.constraints, c.public_inputs
    )
}

/// One verified step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepSummary {
    /// Its position.
    pub id: StepId,
    /// Its hash (what its contributor published).
    pub hash: StepHash,
    /// The contributor's name (contributions only).
    pub name: Option<String>,
}

/// A verified transcript.
#[derive(Clone, Debug)]
pub struct Transcript {
    /// Every step, in order.
    pub steps: Vec<StepSummary>,
    /// Where phase 1 started.
    pub origin: Origin,
    /// The last step's hash: the transcript hash.
    pub head: StepHash,
    /// The key of phase 2's last step (`None` before phase 2).
    pub key: Option<ProvingKey<Bn254>>,
}

impl Transcript {
    /// The number of contributions to `phase`.
    pub fn contributions(&self, phase: Phase) -> usize {
        self.steps
            .iter()
            .filter(|s| s.id.phase == phase && !s.id.is_start())
            .count()
    }

    /// Checks the transcript can give parameters: phase 2 has a contribution (δ = 1 otherwise)
    /// and phase 1 one too, unless imported (whose contributions snarkjs verifies).
    pub fn check_complete(&self) -> Result<&ProvingKey<Bn254>, CeremonyError> {
        if self.origin == Origin::Generators && self.contributions(Phase::One) == 0 {
            return Err(CeremonyError::NoContribution { phase: Phase::One });
        }
        match &self.key {
            Some(key) if self.contributions(Phase::Two) > 0 => Ok(key),
            _ => Err(CeremonyError::NoContribution { phase: Phase::Two }),
        }
    }
}

/// What the verifier keeps of the previous step.
#[derive(Debug)]
enum Last {
    Nothing,
    Phase1(Box<Powers>),
    Phase2(Box<ProvingKey<Bn254>>),
}

/// Verifies a transcript one step at a time ([`Self::push`]), in order.
#[derive(Debug)]
pub struct TranscriptVerifier<'c> {
    circuit: &'c CeremonyCircuit,
    last: Last,
    last_hash: StepHash,
    origin: Option<Origin>,
    proofs: Vec<(StepId, ProofOfKnowledge)>,
    steps: Vec<StepSummary>,
}

impl<'c> TranscriptVerifier<'c> {
    /// A verifier for a ceremony of `circuit`.
    pub fn new(circuit: &'c CeremonyCircuit) -> Self {
        TranscriptVerifier {
            circuit,
            last: Last::Nothing,
            last_hash: [0; 32],
            origin: None,
            proofs: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Whether `id` may come next: phase 1's start first, then the next index of the phase,
    /// or phase 2's start after phase 1.
    fn expects(&self, id: StepId) -> bool {
        match (self.steps.last(), id.phase) {
            (None, Phase::One) => id.index == 0,
            (None, Phase::Two) => false,
            (Some(prev), phase) if phase == prev.id.phase => {
                prev.id.index.checked_add(1) == Some(id.index)
            }
            (Some(prev), Phase::Two) => prev.id.phase == Phase::One && id.index == 0,
            (Some(_), Phase::One) => false,
        }
    }

    /// Verifies the step file `bytes` found in position `id` against its predecessor; weights
    /// of the random linear combinations come from `rng`.
    ///
    /// # Errors
    /// [`CeremonyError::Step`] naming `id` and the check that failed.
    pub fn push<R: RngCore + CryptoRng>(
        &mut self,
        id: StepId,
        bytes: &[u8],
        rng: &mut R,
        progress: ProgressFn<'_>,
    ) -> Result<&StepSummary, CeremonyError> {
        let fail = |failure: StepFailure| CeremonyError::at(id, failure);
        if !self.expects(id) {
            return Err(CeremonyError::OutOfOrder {
                expected: self.next_expected(id.phase),
                found: id,
            });
        }
        let hash = step_hash(bytes);
        let step = Step::from_bytes(bytes).map_err(|e| fail(e.into()))?;
        if step.id != id {
            return Err(fail(StepFailure::WrongPosition { found: step.id }));
        }
        // Phase 1's start names nothing (zeros); every other step its predecessor, phase 2's
        // start phase 1's last step.
        if step.previous != self.last_hash {
            return Err(fail(StepFailure::BrokenLink {
                expected: self.last_hash,
                found: step.previous,
            }));
        }
        if let Some(c) = step.contribution() {
            self.check_not_reused(id, c).map_err(fail)?;
        }
        let name = step.contribution().map(|c| c.name.clone());
        let power = self.circuit.power();
        let last = std::mem::replace(&mut self.last, Last::Nothing);
        self.last = match (step.body, last) {
            (StepBody::Phase1Start { origin, powers }, Last::Nothing) => {
                // Phase 1 may be larger than the circuit needs; phase 2's start truncates it.
                if powers.power() < power {
                    return Err(fail(StepFailure::Size {
                        expected: power,
                        found: powers.power(),
                    }));
                }
                match origin {
                    Origin::Generators => {
                        if let Some(element) =
                            powers.first_difference(&Powers::generators(powers.power())?)
                        {
                            return Err(fail(StepFailure::NotGenerators { element }));
                        }
                    }
                    Origin::Ptau { .. } => {
                        if let Some(element) = powers.uncontributed() {
                            return Err(fail(StepFailure::Uncontributed { element }));
                        }
                        powers.check(rng).map_err(fail)?
                    }
                }
                self.origin = Some(origin);
                Last::Phase1(Box::new(powers))
            }
            (
                StepBody::Phase1Contribution {
                    contribution,
                    powers,
                },
                Last::Phase1(prev),
            ) => {
                if powers.power() != prev.power() {
                    return Err(fail(StepFailure::Size {
                        expected: prev.power(),
                        found: powers.power(),
                    }));
                }
                let moved = [
                    (prev.tau_g1[1], powers.tau_g1[1], Element::TauG1),
                    (prev.alpha_g1(), powers.alpha_g1(), Element::AlphaTauG1),
                    (prev.beta_g1(), powers.beta_g1(), Element::BetaTauG1),
                ];
                for ((secret, proof), (old, new, element)) in Phase::One
                    .secrets()
                    .iter()
                    .zip(&contribution.proofs)
                    .zip(moved)
                {
                    let g2_sp = proof.check(*secret, &step.previous).map_err(fail)?;
                    proof
                        .check_update(&g2_sp, &old, &new, *secret, element)
                        .map_err(fail)?;
                }
                powers.check(rng).map_err(fail)?;
                Last::Phase1(Box::new(powers))
            }
            (
                StepBody::Phase2Start {
                    circuit,
                    lagrange,
                    key,
                },
                Last::Phase1(powers),
            ) => {
                let expected = self.circuit.info();
                if &circuit != expected {
                    return Err(fail(StepFailure::Circuit {
                        expected: Box::new(expected.clone()),
                        found: Box::new(circuit),
                    }));
                }
                if lagrange.power() != power {
                    return Err(fail(StepFailure::Size {
                        expected: power,
                        found: lagrange.power(),
                    }));
                }
                lagrange.check(&powers, rng).map_err(fail)?;
                let derived = initial_key(&powers, &lagrange, self.circuit.matrices(), progress)?;
                if let Some(element) = first_difference(&key, &derived, true) {
                    return Err(fail(StepFailure::NotDerived { element }));
                }
                Last::Phase2(Box::new(key))
            }
            (StepBody::Phase2Contribution { contribution, key }, Last::Phase2(prev)) => {
                let [proof] = contribution.proofs.as_slice() else {
                    return Err(fail(StepFailure::WrongPosition { found: id }));
                };
                let g2_sp = proof.check(Secret::Delta, &step.previous).map_err(fail)?;
                check_update(&prev, &key, proof, &g2_sp, rng).map_err(fail)?;
                Last::Phase2(Box::new(key))
            }
            // `expects` admits no other pairing.
            (_, _) => return Err(fail(StepFailure::WrongPosition { found: id })),
        };
        self.last_hash = hash;
        self.steps.push(StepSummary { id, hash, name });
        self.steps.last().ok_or(CeremonyError::Empty)
    }

    /// Records the contribution's proofs, refusing one that repeats an earlier step's.
    fn check_not_reused(&mut self, id: StepId, c: &Contribution) -> Result<(), StepFailure> {
        let secrets = id.phase.secrets();
        if c.proofs.len() != secrets.len() {
            return Err(StepFailure::WrongPosition { found: id });
        }
        // Against every earlier proof, this step's own earlier secrets included (a proof of τ
        // repeated as the proof of α is refused too).
        let before = self.proofs.len();
        for (secret, proof) in secrets.iter().zip(&c.proofs) {
            if let Some((earlier, _)) = self.proofs.iter().find(|(_, p)| {
                p.g1_s == proof.g1_s || p.g1_sx == proof.g1_sx || p.g2_spx == proof.g2_spx
            }) {
                let earlier = *earlier;
                self.proofs.truncate(before);
                return Err(StepFailure::ReusedProof {
                    secret: *secret,
                    earlier,
                });
            }
            self.proofs.push((id, *proof));
        }
        Ok(())
    }

    /// The step that should come next in `phase`.
    fn next_expected(&self, phase: Phase) -> StepId {
        match self.steps.last() {
            None => StepId::new(Phase::One, 0),
            Some(prev) if prev.id.phase == phase => {
                StepId::new(phase, prev.id.index.saturating_add(1))
            }
            Some(_) => StepId::new(phase, 0),
        }
    }

    /// The verified transcript (at least phase 1's start).
    pub fn finish(self) -> Result<Transcript, CeremonyError> {
        let origin = self.origin.ok_or(CeremonyError::Empty)?;
        Ok(Transcript {
            origin,
            head: self.last_hash,
            key: match self.last {
                Last::Phase2(key) => Some(*key),
                _ => None,
            },
            steps: self.steps,
        })
    }
}
