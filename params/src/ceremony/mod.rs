//! The multi-party setup ceremony of the Groth16 parameters (feature `setup`; DESIGN.md §6).
//!
//! Whoever knows the randomness of a Groth16 setup can forge proofs. The ceremony splits it
//! among contributors so that ONE honest contributor, who throws their secret away, makes the
//! parameters safe; anyone can verify the whole transcript afterwards.
//!
//! # Protocol
//! Phase 1 (powers of τ, any circuit of the domain size `n = 2^k`; [`phase1`]) holds
//! `[τ^i]₁` for `i < 2n−1`, `[τ^i]₂`, `[α·τ^i]₁`, `[β·τ^i]₁` for `i < n`, and `[β]₂`. It starts
//! from the generators (τ = α = β = 1) or from a snarkjs `.ptau` file ([`ptau`]); a contribution
//! multiplies τ, α, β by fresh secrets `t, a, b`.
//!
//! Phase 2 (circuit-specific δ; [`phase2`]) starts from the Lagrange bases of phase 1's last
//! powers over the circuit's domain and the circuit's R1CS matrices: an ark-groth16 proving key
//! with `γ = δ = 1` (the mapping of `../shared/notes/ceremony.md`); a contribution multiplies
//! `[δ]₁`, `[δ]₂` by a fresh secret `d` and `l_query`, `h_query` by `d⁻¹`.
//!
//! Every contribution publishes, per secret `x`, a proof of knowledge ([`pok`]) whose challenge
//! is hashed from the previous step, and is checked by pairing equations against its predecessor:
//! - the proof: `e(g1_s, g2_spx) = e(g1_sx, g2_sp)`;
//! - the moved element is the previous one times `x`: `e(old, g2_spx) = e(new, g2_sp)` for
//!   `[τ]₁`, `[α]₁`, `[β]₁` (phase 1) and `[δ]₁` (phase 2);
//! - phase 1's result is powers of one τ: `[τ^0]₁ = G1`, `[τ^0]₂ = G2`,
//!   `e([τ]₁, G2) = e(G1, [τ]₂)`, `e([β]₁, G2) = e(G1, [β]₂)`, and for each vector `v` a random
//!   linear combination with full-size weights `r_i`: `e(Σ r_i v_i, [τ]₂) = e(Σ r_i v_(i+1), G2)`
//!   (`[τ^i]₂` likewise against `[τ]₁`);
//! - phase 2's result: `e([δ]₁, G2) = e(G1, [δ]₂)`, `e(Σ r_i l'_i, [δ']₂) = e(Σ r_i l_i, [δ]₂)`
//!   (and `h`), everything else byte-identical to the previous key;
//! - phase 2's start: its Lagrange bases are phase 1's powers transformed (`Σ r_j L_j =
//!   Σ ifft(r)_i P_i`), and its key is the one derived from them and the circuit.
//!
//! The transcript is a hash chain: each step file names the hash of its predecessor
//! (`H(CEREMONY_STEP, file bytes)`, [`step`]); phase 2's start names phase 1's last step. The
//! last step's hash is the transcript hash genesis pins. Verification draws the random weights
//! from the verifier's own CSPRNG after the files are fixed, and names the first bad step and the
//! check it failed ([`StepFailure`]).
//!
//! # Files
//! A ceremony is a folder of step files ([`CeremonyDir`]): `phase1_0000.bin` (the start), then
//! one file per contribution, `phase2_0000.bin` (phase 2's start), then phase 2's contributions.
//! A contributor needs only the last file (in a folder of its own) and returns the one they add.
//! [`CeremonyDir::finalize`] writes the usual parameter folder ([`crate::ParamsDir`]) with the
//! transcript hash in its manifest.
//!
//! # What is not checked here
//! A phase 1 imported from snarkjs is checked to be well-formed powers; the contributions made
//! inside it are snarkjs's to verify (`snarkjs powersoftau verify`), and the step records the
//! `.ptau`'s SHA-256 so anyone can re-import the published file and compare.

pub mod dir;
pub mod error;
mod fft;
pub mod group;
pub mod phase1;
pub mod phase2;
pub mod pok;
pub mod ptau;
pub mod step;
pub mod transcript;

#[cfg(test)]
mod tests;

use std::fmt;

pub use dir::CeremonyDir;
pub use error::{CeremonyError, Element, StepDecodeError, StepFailure};
pub use phase1::{Lagrange, Powers};
pub use pok::ProofOfKnowledge;
pub use step::{Origin, Step, StepBody};
pub use transcript::{CeremonyCircuit, StepSummary, Transcript, TranscriptVerifier};

/// The hash of a step file, `H(CEREMONY_STEP, bytes)`: what the next step names, what a
/// contributor publishes, and (for the last step) the transcript hash.
pub type StepHash = [u8; 32];

/// The largest domain a ceremony supports: `2^MAX_POWER` (phase 1 then holds `2^(MAX_POWER+1)`
/// G1 points).
pub const MAX_POWER: u32 = 24;

/// Longest contributor name, in bytes.
pub const MAX_NAME: usize = 128;

/// The two phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Powers of τ.
    One,
    /// Circuit-specific δ.
    Two,
}

impl Phase {
    /// `1` or `2`.
    pub fn number(self) -> u8 {
        match self {
            Phase::One => 1,
            Phase::Two => 2,
        }
    }

    /// The secrets a contribution to this phase proves knowledge of, in file order.
    pub fn secrets(self) -> &'static [Secret] {
        match self {
            Phase::One => &[Secret::Tau, Secret::Alpha, Secret::Beta],
            Phase::Two => &[Secret::Delta],
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "phase {}", self.number())
    }
}

/// A contribution's secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Secret {
    /// Phase 1's τ.
    Tau,
    /// Phase 1's α.
    Alpha,
    /// Phase 1's β.
    Beta,
    /// Phase 2's δ.
    Delta,
}

impl Secret {
    /// The byte that separates the secrets' proof-of-knowledge challenges.
    pub fn tag(self) -> u8 {
        match self {
            Secret::Tau => 0,
            Secret::Alpha => 1,
            Secret::Beta => 2,
            Secret::Delta => 3,
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Secret::Tau => "τ",
            Secret::Alpha => "α",
            Secret::Beta => "β",
            Secret::Delta => "δ",
        })
    }
}

/// A step's position in the transcript: index 0 of a phase is its start, every later index a
/// contribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepId {
    /// The phase.
    pub phase: Phase,
    /// 0 for the start, then 1, 2, … for the contributions.
    pub index: u32,
}

impl StepId {
    /// Phase `phase`'s step `index`.
    pub fn new(phase: Phase, index: u32) -> Self {
        StepId { phase, index }
    }

    /// The step file's name in a ceremony folder: `phase1_0003.bin`.
    pub fn file_name(&self) -> String {
        format!("phase{}_{:04}.bin", self.phase.number(), self.index)
    }

    /// Whether this is a phase's start.
    pub fn is_start(&self) -> bool {
        self.index == 0
    }
}

impl fmt::Display for StepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index == 0 {
            write!(f, "{} start ({})", self.phase, self.file_name())
        } else {
            write!(
                f,
                "{} contribution {} ({})",
                self.phase,
                self.index,
                self.file_name()
            )
        }
    }
}

/// What long work reports: `done` of `total` units of `task`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// What is being done.
    pub task: &'static str,
    /// Units done.
    pub done: usize,
    /// Units in all.
    pub total: usize,
}

/// The callback long work reports its [`Progress`] to (the CLI draws it; tests ignore it).
pub type ProgressFn<'a> = &'a mut dyn FnMut(Progress);

/// Reports `task` through `progress` while `f` runs element-wise work reporting `done` counts.
pub(crate) fn report<'a>(
    progress: &'a mut dyn FnMut(Progress),
    task: &'static str,
    total: usize,
) -> impl FnMut(usize) + 'a {
    progress(Progress {
        task,
        done: 0,
        total,
    });
    move |done| {
        progress(Progress { task, done, total });
    }
}
