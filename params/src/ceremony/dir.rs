//! A ceremony folder: the step files `phase1_NNNN.bin` then `phase2_NNNN.bin`, numbered from
//! `0000` without gaps ([`StepId::file_name`]); anything not named `phase*` is ignored.
//!
//! Contributions travel as files: a contributor given only the last step (alone in a folder)
//! adds the next one there and sends it back; the coordinator drops it into the ceremony folder
//! and verifies.

use rand_core::{CryptoRng, RngCore};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::CeremonyError;
use super::group::nonzero_scalar;
use super::phase1::{check_power, Phase1Secrets, Powers};
use super::phase2::{contribute_key, initial_key};
use super::pok::ProofOfKnowledge;
use super::ptau::read_powers;
use super::step::{step_hash, Contribution, Origin, Step, StepBody};
use super::transcript::{CeremonyCircuit, StepSummary, Transcript, TranscriptVerifier};
use super::{Phase, ProgressFn, StepId, MAX_NAME};
use crate::keys::sha256_hex;
use crate::manifest::{CeremonyRecord, ContributionRecord};
use crate::{Manifest, ParamsDir, ProvingKey};

/// The largest step index a folder's four-digit names allow.
pub const MAX_STEP_INDEX: u32 = 9999;

/// A ceremony folder on disk.
#[derive(Clone, Debug)]
pub struct CeremonyDir {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CeremonyError + '_ {
    move |source| CeremonyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Parses `phase1_0003.bin`.
fn parse_name(name: &str) -> Option<StepId> {
    let rest = name.strip_prefix("phase")?;
    let (phase, rest) = rest.split_once('_')?;
    let index = rest.strip_suffix(".bin")?;
    let phase = match phase {
        "1" => Phase::One,
        "2" => Phase::Two,
        _ => return None,
    };
    if index.len() != 4 || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(StepId::new(phase, index.parse().ok()?))
}

/// Checks a contributor's name: 1 to [`MAX_NAME`] bytes, no control characters.
fn check_name(name: &str) -> Result<(), CeremonyError> {
    if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(CeremonyError::Name { max: MAX_NAME });
    }
    Ok(())
}

impl CeremonyDir {
    /// The folder at `dir` (nothing is read yet).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CeremonyDir { dir: dir.into() }
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The path of step `id`.
    pub fn step_path(&self, id: StepId) -> PathBuf {
        self.dir.join(id.file_name())
    }

    /// The steps present, in order, from the first one present (which [`Self::verify`] requires
    /// to be phase 1's start; a contributor's folder may hold only the last step). A gap is
    /// [`CeremonyError::Missing`]; a file named `phase*` that is not a step name is
    /// [`CeremonyError::StrayFile`]. An absent folder has no steps.
    pub fn steps(&self) -> Result<Vec<StepId>, CeremonyError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&self.dir)(e)),
        };
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io(&self.dir))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !name.starts_with("phase") {
                continue;
            }
            ids.push(
                parse_name(&name).ok_or_else(|| CeremonyError::StrayFile { path: entry.path() })?,
            );
        }
        ids.sort();
        // From the first file present (phase 1's start in a whole ceremony; any step where a
        // contributor was sent only the last one), each next step without a gap.
        for pair in ids.windows(2) {
            let (prev, id) = (pair[0], pair[1]);
            let same_phase = StepId::new(prev.phase, prev.index.saturating_add(1));
            let phase_two = prev.phase == Phase::One && id == StepId::new(Phase::Two, 0);
            if id != same_phase && !phase_two {
                return Err(CeremonyError::Missing {
                    dir: self.dir.clone(),
                    missing: same_phase,
                });
            }
        }
        Ok(ids)
    }

    fn read(&self, id: StepId) -> Result<Vec<u8>, CeremonyError> {
        let path = self.step_path(id);
        fs::read(&path).map_err(io(&path))
    }

    /// Writes a new step file (never over an existing one); returns its summary.
    fn write_new(&self, step: &Step, name: Option<String>) -> Result<StepSummary, CeremonyError> {
        fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let path = self.step_path(step.id);
        let bytes = step.to_bytes();
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(io(&path))?;
        file.write_all(&bytes).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
        Ok(StepSummary {
            id: step.id,
            hash: step_hash(&bytes),
            name,
        })
    }

    fn check_empty(&self) -> Result<(), CeremonyError> {
        if !self.steps()?.is_empty() {
            return Err(CeremonyError::AlreadyStarted {
                dir: self.dir.clone(),
            });
        }
        Ok(())
    }

    /// Starts phase 1 from the generators, for domains up to `2^power`.
    pub fn init(&self, power: u32) -> Result<StepSummary, CeremonyError> {
        check_power(power)?;
        self.check_empty()?;
        let step = Step {
            id: StepId::new(Phase::One, 0),
            previous: [0; 32],
            body: StepBody::Phase1Start {
                origin: Origin::Generators,
                powers: Powers::generators(power)?,
            },
        };
        self.write_new(&step, None)
    }

    /// Starts phase 1 from a snarkjs `.ptau` file's powers, truncated to `2^power`.
    pub fn import_ptau(&self, ptau: &[u8], power: u32) -> Result<StepSummary, CeremonyError> {
        check_power(power)?;
        self.check_empty()?;
        let (powers, file_power) = read_powers(ptau, power)?;
        if let Some(element) = powers.uncontributed() {
            return Err(CeremonyError::at(
                StepId::new(Phase::One, 0),
                super::StepFailure::Uncontributed { element },
            ));
        }
        let mut sha256 = [0u8; 32];
        // sha256_hex gives 64 hex digits.
        let _ = hex::decode_to_slice(sha256_hex(ptau), &mut sha256);
        let step = Step {
            id: StepId::new(Phase::One, 0),
            previous: [0; 32],
            body: StepBody::Phase1Start {
                origin: Origin::Ptau {
                    sha256,
                    power: file_power,
                },
                powers,
            },
        };
        self.write_new(&step, None)
    }

    /// Closes phase 1 and starts phase 2 for `circuit`: the Lagrange bases of phase 1's last
    /// powers over the circuit's domain, and the key derived from them (δ = 1).
    pub fn start_phase2(
        &self,
        circuit: &CeremonyCircuit,
        progress: ProgressFn<'_>,
    ) -> Result<StepSummary, CeremonyError> {
        let steps = self.steps()?;
        let head = *steps.last().ok_or(CeremonyError::Missing {
            dir: self.dir.clone(),
            missing: StepId::new(Phase::One, 0),
        })?;
        if head.phase == Phase::Two {
            return Err(CeremonyError::PhaseClosed);
        }
        let bytes = self.read(head)?;
        let step = Step::from_bytes(&bytes).map_err(|e| CeremonyError::at(head, e))?;
        let powers = match step.body {
            StepBody::Phase1Start {
                origin: Origin::Generators,
                ..
            } => return Err(CeremonyError::NoContribution { phase: Phase::One }),
            StepBody::Phase1Start { powers, .. } | StepBody::Phase1Contribution { powers, .. } => {
                powers
            }
            _ => return Err(CeremonyError::PhaseClosed),
        };
        let power = circuit.power();
        if power > powers.power() {
            return Err(CeremonyError::DomainTooSmall {
                needed: power,
                available: powers.power(),
            });
        }
        let lagrange = powers.lagrange(power, progress)?;
        let key = initial_key(&powers, &lagrange, circuit.matrices(), progress)?;
        let step = Step {
            id: StepId::new(Phase::Two, 0),
            previous: step_hash(&bytes),
            body: StepBody::Phase2Start {
                circuit: circuit.info().clone(),
                lagrange,
                key,
            },
        };
        self.write_new(&step, None)
    }

    /// Adds a contribution by `name` to the open phase: fresh secrets from `rng` (zeroised when
    /// done), the next state, the proofs of knowledge, written as the next step file. The
    /// returned hash is the one the contributor publishes.
    pub fn contribute<R: RngCore + CryptoRng>(
        &self,
        name: &str,
        rng: &mut R,
        progress: ProgressFn<'_>,
    ) -> Result<StepSummary, CeremonyError> {
        check_name(name)?;
        let head = *self.steps()?.last().ok_or(CeremonyError::Missing {
            dir: self.dir.clone(),
            missing: StepId::new(Phase::One, 0),
        })?;
        let bytes = self.read(head)?;
        let previous = step_hash(&bytes);
        let step = Step::from_bytes(&bytes).map_err(|e| CeremonyError::at(head, e))?;
        let id = StepId::new(
            head.phase,
            head.index
                .checked_add(1)
                .filter(|i| *i <= MAX_STEP_INDEX)
                .ok_or(CeremonyError::TooManySteps {
                    max: MAX_STEP_INDEX,
                })?,
        );
        let name = name.to_string();
        let body = match step.body {
            StepBody::Phase1Start { powers, .. } | StepBody::Phase1Contribution { powers, .. } => {
                let secrets = Phase1Secrets::random(rng);
                let proofs = [
                    (secrets.tau, super::Secret::Tau),
                    (secrets.alpha, super::Secret::Alpha),
                    (secrets.beta, super::Secret::Beta),
                ]
                .into_iter()
                .map(|(mut x, secret)| {
                    let proof = ProofOfKnowledge::prove(&x, secret, &previous, rng);
                    zeroize::Zeroize::zeroize(&mut x);
                    proof
                })
                .collect();
                let powers = powers.contribute(&secrets, progress);
                drop(secrets);
                StepBody::Phase1Contribution {
                    contribution: Contribution {
                        name: name.clone(),
                        proofs,
                    },
                    powers,
                }
            }
            StepBody::Phase2Start { key, .. } | StepBody::Phase2Contribution { key, .. } => {
                let mut d = nonzero_scalar(rng);
                let proof = ProofOfKnowledge::prove(&d, super::Secret::Delta, &previous, rng);
                let key = contribute_key(&key, &d, progress);
                zeroize::Zeroize::zeroize(&mut d);
                StepBody::Phase2Contribution {
                    contribution: Contribution {
                        name: name.clone(),
                        proofs: vec![proof],
                    },
                    key,
                }
            }
        };
        self.write_new(&Step { id, previous, body }, Some(name))
    }

    /// Verifies every step from phase 1's start, each against its predecessor; the first bad
    /// one is named ([`CeremonyError::Step`]). `on_step` sees each step as it is verified.
    pub fn verify<R: RngCore + CryptoRng>(
        &self,
        circuit: &CeremonyCircuit,
        rng: &mut R,
        progress: ProgressFn<'_>,
        on_step: &mut dyn FnMut(&StepSummary),
    ) -> Result<Transcript, CeremonyError> {
        let steps = self.steps()?;
        if steps.first() != Some(&StepId::new(Phase::One, 0)) {
            return Err(CeremonyError::Missing {
                dir: self.dir.clone(),
                missing: StepId::new(Phase::One, 0),
            });
        }
        let mut verifier = TranscriptVerifier::new(circuit);
        for id in steps {
            let bytes = self.read(id)?;
            on_step(verifier.push(id, &bytes, rng, progress)?);
        }
        verifier.finish()
    }

    /// Verifies the transcript, checks it is complete ([`Transcript::check_complete`]) and
    /// writes the parameter folder `out` (the same files and manifest as a dev-seed setup, with
    /// the transcript hash and the contributions in the manifest).
    pub fn finalize<R: RngCore + CryptoRng>(
        &self,
        circuit: &CeremonyCircuit,
        out: &ParamsDir,
        rng: &mut R,
        progress: ProgressFn<'_>,
        on_step: &mut dyn FnMut(&StepSummary),
    ) -> Result<(Transcript, Manifest), CeremonyError> {
        let transcript = self.verify(circuit, rng, progress, on_step)?;
        let key = ProvingKey(transcript.check_complete()?.clone());
        let record = CeremonyRecord {
            transcript_hash: hex::encode(transcript.head),
            phase1_origin: transcript.origin.to_string(),
            contributions: transcript
                .steps
                .iter()
                .filter_map(|s| {
                    Some(ContributionRecord {
                        phase: s.id.phase.number(),
                        index: s.id.index,
                        name: s.name.clone()?,
                        hash: hex::encode(s.hash),
                    })
                })
                .collect(),
        };
        let manifest = out.write_ceremony(circuit.info(), &key, record)?;
        Ok((transcript, manifest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_parse_strictly() {
        assert_eq!(
            parse_name("phase1_0003.bin"),
            Some(StepId::new(Phase::One, 3))
        );
        assert_eq!(
            parse_name("phase2_0000.bin"),
            Some(StepId::new(Phase::Two, 0))
        );
        for bad in [
            "phase3_0000.bin",
            "phase1_003.bin",
            "phase1_00a3.bin",
            "phase1_0003.bin.part",
            "phase1-0003.bin",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
        assert_eq!(StepId::new(Phase::Two, 12).file_name(), "phase2_0012.bin");
        assert!(check_name("HKMA").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a\nb").is_err());
        assert!(check_name(&"x".repeat(MAX_NAME + 1)).is_err());
    }
}
