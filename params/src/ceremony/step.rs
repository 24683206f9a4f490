//! Step files: one per start or contribution, each naming the hash of its predecessor.
//!
//! ```text
//! "CRDCRMv1"                     magic (8 bytes)
//! u8 phase (1|2) ‖ u32 index ‖ [32] previous step hash (zeros for phase 1's start)
//! phase 1, index 0:  u8 origin (0 generators, 1 snarkjs .ptau) [‖ [32] SHA-256 ‖ u32 power]
//!                    ‖ powers
//! phase 1, index ≥1: name ‖ proofs of knowledge of τ, α, β ‖ powers
//! phase 2, index 0:  circuit (name ‖ [32] fingerprint ‖ u64 constraints ‖ u64 public inputs)
//!                    ‖ Lagrange bases ‖ key
//! phase 2, index ≥1: name ‖ proof of knowledge of δ ‖ key
//! ```
//! Integers little-endian, names u16-prefixed UTF-8 (at most [`MAX_NAME`] bytes), points
//! uncompressed (ark's layout), vectors' lengths implied by the power or u32-prefixed (key
//! queries); decoding validates every point (curve, subgroup, canonical encoding) and refuses
//! trailing bytes. A step's hash is `H(CEREMONY_STEP, file bytes)` ([`step_hash`]).

use ark_bn254::Bn254;
use ark_groth16::ProvingKey;
use corridor_core::domain::CEREMONY_STEP;
use corridor_core::hash::hash32;

use super::error::StepDecodeError;
use super::group::{Reader, Writer};
use super::phase1::{Lagrange, Powers};
use super::phase2::{read_key, write_key};
use super::pok::ProofOfKnowledge;
use super::{Phase, StepHash, StepId, MAX_NAME};
use crate::CircuitInfo;

/// The magic bytes of a step file.
pub const MAGIC: &[u8; 8] = b"CRDCRMv1";

/// `H(CEREMONY_STEP, bytes)`.
pub fn step_hash(bytes: &[u8]) -> StepHash {
    hash32(CEREMONY_STEP, &[bytes])
}

/// Where phase 1 starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// From the generators (τ = α = β = 1).
    Generators,
    /// Imported from a snarkjs `.ptau` file (truncated to the circuit's domain).
    Ptau {
        /// SHA-256 of the `.ptau` file.
        sha256: [u8; 32],
        /// The file's power.
        power: u32,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Generators => f.write_str("the generators"),
            Origin::Ptau { sha256, power } => write!(
                f,
                "snarkjs .ptau of power {power}, SHA-256 {}",
                hex::encode(sha256)
            ),
        }
    }
}

/// A contribution's public part: who, and the proofs of knowledge of its secrets (in
/// [`Phase::secrets`] order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// The contributor's name, as they gave it.
    pub name: String,
    /// One proof per secret of the phase.
    pub proofs: Vec<ProofOfKnowledge>,
}

/// What a step holds.
#[derive(Clone, Debug, PartialEq)]
pub enum StepBody {
    /// Phase 1's start.
    Phase1Start {
        /// Where it comes from.
        origin: Origin,
        /// The powers.
        powers: Powers,
    },
    /// A phase-1 contribution.
    Phase1Contribution {
        /// Who, and the proofs.
        contribution: Contribution,
        /// The powers after it.
        powers: Powers,
    },
    /// Phase 2's start.
    Phase2Start {
        /// The circuit.
        circuit: CircuitInfo,
        /// The Lagrange bases of phase 1's last powers over the circuit's domain.
        lagrange: Lagrange,
        /// The key with δ = 1.
        key: ProvingKey<Bn254>,
    },
    /// A phase-2 contribution.
    Phase2Contribution {
        /// Who, and the proof.
        contribution: Contribution,
        /// The key after it.
        key: ProvingKey<Bn254>,
    },
}

/// One step of the transcript.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Its position.
    pub id: StepId,
    /// The hash of the previous step (zeros for phase 1's start).
    pub previous: StepHash,
    /// What it holds.
    pub body: StepBody,
}

impl Step {
    /// The contribution, if this step is one.
    pub fn contribution(&self) -> Option<&Contribution> {
        match &self.body {
            StepBody::Phase1Contribution { contribution, .. }
            | StepBody::Phase2Contribution { contribution, .. } => Some(contribution),
            _ => None,
        }
    }

    /// The canonical bytes (module doc).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u8(self.id.phase.number());
        w.u32(self.id.index);
        w.bytes(&self.previous);
        let contribution = |w: &mut Writer, c: &Contribution| {
            w.string(&c.name);
            for p in &c.proofs {
                p.write(w);
            }
        };
        match &self.body {
            StepBody::Phase1Start { origin, powers } => {
                match origin {
                    Origin::Generators => w.u8(0),
                    Origin::Ptau { sha256, power } => {
                        w.u8(1);
                        w.bytes(sha256);
                        w.u32(*power);
                    }
                }
                powers.write(&mut w);
            }
            StepBody::Phase1Contribution {
                contribution: c,
                powers,
            } => {
                contribution(&mut w, c);
                powers.write(&mut w);
            }
            StepBody::Phase2Start {
                circuit,
                lagrange,
                key,
            } => {
                w.string(&circuit.name);
                let mut fingerprint = [0u8; 32];
                // A CircuitInfo made by this crate holds 64 hex digits.
                let _ = hex::decode_to_slice(&circuit.fingerprint, &mut fingerprint);
                w.bytes(&fingerprint);
                w.u64(circuit.constraints as u64);
                w.u64(circuit.public_inputs as u64);
                lagrange.write(&mut w);
                write_key(&mut w, key);
            }
            StepBody::Phase2Contribution {
                contribution: c,
                key,
            } => {
                contribution(&mut w, c);
                write_key(&mut w, key);
            }
        }
        w.0
    }

    /// Decodes and validates a step file (module doc).
    ///
    /// # Errors
    /// The first field that does not decode, named.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StepDecodeError> {
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len(), "magic").ok() != Some(&MAGIC[..]) {
            return Err(StepDecodeError::Magic);
        }
        let phase = match r.u8("phase")? {
            1 => Phase::One,
            2 => Phase::Two,
            other => {
                return Err(StepDecodeError::OutOfRange {
                    field: "phase",
                    value: other.into(),
                })
            }
        };
        let index = r.u32("index")?;
        let previous = r.array::<32>("previous step hash")?;
        let contribution = |r: &mut Reader<'_>| -> Result<Contribution, StepDecodeError> {
            let name = r.string(MAX_NAME)?;
            let proofs = phase
                .secrets()
                .iter()
                .map(|_| ProofOfKnowledge::read(r))
                .collect::<Result<_, _>>()?;
            Ok(Contribution { name, proofs })
        };
        let body = match (phase, index) {
            (Phase::One, 0) => {
                let origin = match r.u8("origin")? {
                    0 => Origin::Generators,
                    1 => Origin::Ptau {
                        sha256: r.array("ptau SHA-256")?,
                        power: r.u32("ptau power")?,
                    },
                    other => {
                        return Err(StepDecodeError::OutOfRange {
                            field: "origin",
                            value: other.into(),
                        })
                    }
                };
                StepBody::Phase1Start {
                    origin,
                    powers: Powers::read(&mut r)?,
                }
            }
            (Phase::One, _) => StepBody::Phase1Contribution {
                contribution: contribution(&mut r)?,
                powers: Powers::read(&mut r)?,
            },
            (Phase::Two, 0) => {
                let name = r.string(MAX_NAME)?;
                let fingerprint = hex::encode(r.array::<32>("circuit fingerprint")?);
                let constraints = r.u64("circuit constraints")?;
                let public_inputs = r.u64("circuit public inputs")?;
                let size = |v: u64, field| {
                    usize::try_from(v).map_err(|_| StepDecodeError::OutOfRange { field, value: v })
                };
                StepBody::Phase2Start {
                    circuit: CircuitInfo {
                        name,
                        fingerprint,
                        constraints: size(constraints, "circuit constraints")?,
                        public_inputs: size(public_inputs, "circuit public inputs")?,
                    },
                    lagrange: Lagrange::read(&mut r)?,
                    key: read_key(&mut r)?,
                }
            }
            (Phase::Two, _) => StepBody::Phase2Contribution {
                contribution: contribution(&mut r)?,
                key: read_key(&mut r)?,
            },
        };
        r.finish()?;
        Ok(Step {
            id: StepId::new(phase, index),
            previous,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ceremony::group::nonzero_scalar;
    use crate::ceremony::Secret;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn steps_roundtrip_and_truncations_are_named() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let powers = Powers::generators(2).unwrap();
        let start = Step {
            id: StepId::new(Phase::One, 0),
            previous: [0; 32],
            body: StepBody::Phase1Start {
                origin: Origin::Ptau {
                    sha256: [9; 32],
                    power: 12,
                },
                powers: powers.clone(),
            },
        };
        let bytes = start.to_bytes();
        assert_eq!(Step::from_bytes(&bytes).unwrap(), start);
        let x = nonzero_scalar(&mut rng);
        let proofs = [Secret::Tau, Secret::Alpha, Secret::Beta]
            .map(|s| ProofOfKnowledge::prove(&x, s, &[1; 32], &mut rng))
            .to_vec();
        let contribution = Step {
            id: StepId::new(Phase::One, 3),
            previous: step_hash(&bytes),
            body: StepBody::Phase1Contribution {
                contribution: Contribution {
                    name: "Hong Kong Monetary Authority".into(),
                    proofs,
                },
                powers,
            },
        };
        let bytes = contribution.to_bytes();
        assert_eq!(Step::from_bytes(&bytes).unwrap(), contribution);
        assert_eq!(
            Step::from_bytes(&bytes[..bytes.len() - 1]),
            Err(StepDecodeError::Truncated { field: "[β]₂" })
        );
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(
            Step::from_bytes(&long),
            Err(StepDecodeError::TrailingBytes { count: 1 })
        );
        assert_eq!(Step::from_bytes(b"not a step"), Err(StepDecodeError::Magic));
        let mut other_phase = bytes;
        other_phase[8] = 3;
        assert_eq!(
            Step::from_bytes(&other_phase),
            Err(StepDecodeError::OutOfRange {
                field: "phase",
                value: 3
            })
        );
        assert_ne!(step_hash(b"a"), step_hash(b"b"));
    }
}
