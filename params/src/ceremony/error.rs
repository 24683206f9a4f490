//! What went wrong in a ceremony: which step, which check.

use std::fmt;
use std::path::PathBuf;

use super::transcript::describe;
use super::{Phase, Secret, StepId};
use crate::CircuitInfo;

/// An element of the ceremony's parameters, to name what a check found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// Phase 1 `[τ^i]₁`.
    TauG1,
    /// Phase 1 `[τ^i]₂`.
    TauG2,
    /// Phase 1 `[α·τ^i]₁`.
    AlphaTauG1,
    /// Phase 1 `[β·τ^i]₁`.
    BetaTauG1,
    /// Phase 1 `[β]₂`.
    BetaG2,
    /// Lagrange basis `[L_j(τ)]₁` (phase 2's start).
    LagrangeG1,
    /// Lagrange basis `[L_j(τ)]₂`.
    LagrangeG2,
    /// Lagrange basis `[α·L_j(τ)]₁`.
    LagrangeAlphaG1,
    /// Lagrange basis `[β·L_j(τ)]₁`.
    LagrangeBetaG1,
    /// Phase 2 `[δ]₁` and `[δ]₂`.
    Delta,
    /// Key `alpha_g1`.
    KeyAlphaG1,
    /// Key `beta_g1`.
    KeyBetaG1,
    /// Key `beta_g2`.
    KeyBetaG2,
    /// Key `gamma_g2`.
    KeyGammaG2,
    /// Key `gamma_abc_g1`.
    GammaAbcG1,
    /// Key `a_query`.
    AQuery,
    /// Key `b_g1_query`.
    BG1Query,
    /// Key `b_g2_query`.
    BG2Query,
    /// Key `h_query`.
    HQuery,
    /// Key `l_query`.
    LQuery,
    /// A proof of knowledge's `g1_s`, `g1_sx` or `g2_spx`.
    ProofOfKnowledge,
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Element::TauG1 => "[τ^i]₁",
            Element::TauG2 => "[τ^i]₂",
            Element::AlphaTauG1 => "[α·τ^i]₁",
            Element::BetaTauG1 => "[β·τ^i]₁",
            Element::BetaG2 => "[β]₂",
            Element::LagrangeG1 => "Lagrange basis [L_j(τ)]₁",
            Element::LagrangeG2 => "Lagrange basis [L_j(τ)]₂",
            Element::LagrangeAlphaG1 => "Lagrange basis [α·L_j(τ)]₁",
            Element::LagrangeBetaG1 => "Lagrange basis [β·L_j(τ)]₁",
            Element::Delta => "δ",
            Element::KeyAlphaG1 => "key alpha_g1",
            Element::KeyBetaG1 => "key beta_g1",
            Element::KeyBetaG2 => "key beta_g2",
            Element::KeyGammaG2 => "key gamma_g2",
            Element::GammaAbcG1 => "key gamma_abc_g1",
            Element::AQuery => "key a_query",
            Element::BG1Query => "key b_g1_query",
            Element::BG2Query => "key b_g2_query",
            Element::HQuery => "key h_query",
            Element::LQuery => "key l_query",
            Element::ProofOfKnowledge => "proof of knowledge",
        })
    }
}

/// Why a step file's bytes do not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepDecodeError {
    /// Not a ceremony step file (magic bytes).
    #[error("not a corridor ceremony step file")]
    Magic,
    /// The bytes end inside a field.
    #[error("{field}: truncated")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// A field holds a value outside its range.
    #[error("{field}: {value} is out of range")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value read.
        value: u64,
    },
    /// A point is not on its curve, not in the prime-order subgroup, or not canonically encoded.
    #[error("{field}[{index}]: not a canonical point of the prime-order subgroup")]
    InvalidPoint {
        /// The field.
        field: &'static str,
        /// Index of the point in the field.
        index: usize,
    },
    /// A name that is not UTF-8 or is too long.
    #[error("contributor name: not UTF-8 of at most {max} bytes")]
    Name {
        /// The longest name allowed.
        max: usize,
    },
    /// Bytes after the last field.
    #[error("{count} trailing bytes")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

/// What check a step failed, against its predecessor or on its own.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepFailure {
    /// The file does not decode.
    #[error("does not decode: {0}")]
    Decode(#[from] StepDecodeError),
    /// The file says it is another step (renamed, swapped or misplaced).
    #[error("the file holds {found}")]
    WrongPosition {
        /// What the file says it is.
        found: StepId,
    },
    /// The step does not name its predecessor's hash.
    #[error("broken hash link: it names previous step {}, the previous step's hash is {}", hex::encode(.found), hex::encode(.expected))]
    BrokenLink {
        /// The predecessor's hash.
        expected: [u8; 32],
        /// The hash the step names.
        found: [u8; 32],
    },
    /// A first step that is not a start, or a later step that is.
    #[error("a {found} step in this position")]
    WrongKind {
        /// What the step is (`start` or `contribution`).
        found: &'static str,
    },
    /// The step's domain is smaller than the circuit's, or differs from its predecessor's.
    #[error("size 2^{found}, expected 2^{expected}")]
    Size {
        /// The expected power of two.
        expected: u32,
        /// The step's.
        found: u32,
    },
    /// A fresh phase 1 that does not start from the generators.
    #[error("a fresh phase 1 must start from the generators ({element} differs)")]
    NotGenerators {
        /// The first element that differs.
        element: Element,
    },
    /// An element that must not be the identity is.
    #[error("{element} is the identity")]
    Identity {
        /// The element.
        element: Element,
    },
    /// A phase 1 imported from a `.ptau` whose secret is still 1 (`snarkjs powersoftau new`
    /// without a contribution): anyone could forge with it.
    #[error("{element} is the generator: the imported phase 1 has no contribution")]
    Uncontributed {
        /// The first element still the generator.
        element: Element,
    },
    /// A contribution whose secret is 1 (`g1_sx = g1_s`): it changes nothing.
    #[error("the secret {secret} is 1: the contribution adds no randomness")]
    TrivialSecret {
        /// The secret.
        secret: Secret,
    },
    /// A proof of knowledge copied from an earlier step.
    #[error("its proof of knowledge of {secret} repeats the one of {earlier}")]
    ReusedProof {
        /// The secret.
        secret: Secret,
        /// The step whose proof it repeats.
        earlier: StepId,
    },
    /// `e(g1_s, g2_spx) ≠ e(g1_sx, g2_sp)` with `g2_sp` hashed from the transcript.
    #[error("the proof of knowledge of {secret} does not verify")]
    ProofOfKnowledge {
        /// The secret.
        secret: Secret,
    },
    /// The element is not its predecessor's times the proven secret.
    #[error("{element} is not the previous one times the proven secret {secret}")]
    NotUpdated {
        /// The secret.
        secret: Secret,
        /// The element.
        element: Element,
    },
    /// The random linear combination shows the vector is not successive powers of τ.
    #[error("{element} are not successive powers of τ")]
    NotPowers {
        /// The vector.
        element: Element,
    },
    /// Two elements that must hold the same exponent do not (`[τ]₁` vs `[τ]₂`, `[β]₁` vs
    /// `[β]₂`, `[δ]₁` vs `[δ]₂`, a first power that is not the generator).
    #[error("{element} is inconsistent with the rest of the step")]
    Inconsistent {
        /// The element.
        element: Element,
    },
    /// The Lagrange bases of phase 2's start are not those of phase 1's last powers.
    #[error("{element} is not the Lagrange basis of phase 1's powers")]
    NotLagrange {
        /// The basis.
        element: Element,
    },
    /// Phase 2's start is for another circuit.
    #[error("it is for circuit {}, expected {}", describe(.found), describe(.expected))]
    Circuit {
        /// The circuit expected: name, fingerprint, counts.
        expected: Box<CircuitInfo>,
        /// The step's.
        found: Box<CircuitInfo>,
    },
    /// Phase 2's start key differs from the one derived from phase 1 and the circuit.
    #[error("its key differs from the one derived from phase 1 and the circuit at {element}")]
    NotDerived {
        /// The first element that differs.
        element: Element,
    },
    /// A phase 2 element that contributions must leave alone changed.
    #[error("{element} changed; only δ, l_query and h_query may")]
    Changed {
        /// The element.
        element: Element,
    },
    /// `l_query` or `h_query` not divided by the same factor `δ` was multiplied by.
    #[error("{element} is not the previous one divided by the proven δ")]
    NotScaled {
        /// The query.
        element: Element,
    },
}

/// Errors of the ceremony.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A step of the transcript failed a check: the first bad step, named.
    #[error("{step}: {failure}")]
    Step {
        /// The step.
        step: StepId,
        /// The check it failed.
        failure: StepFailure,
    },
    /// The folder holds no ceremony, or a step file is missing in the sequence.
    #[error("{dir}: {missing} is missing")]
    Missing {
        /// The ceremony folder.
        dir: PathBuf,
        /// The first step missing.
        missing: StepId,
    },
    /// Steps out of order: `found` where `expected` should come.
    #[error("{found} where {expected} should come")]
    OutOfOrder {
        /// The step that should come next.
        expected: StepId,
        /// The step given.
        found: StepId,
    },
    /// A phase with as many steps as file names allow.
    #[error("a phase holds at most {max} contributions")]
    TooManySteps {
        /// The largest index.
        max: u32,
    },
    /// A transcript without any step.
    #[error("the transcript has no step")]
    Empty,
    /// A file in the ceremony folder that is not a step of the sequence.
    #[error("{path}: not a step of the sequence (steps are phase1_NNNN.bin then phase2_NNNN.bin, numbered from 0000 without gaps)")]
    StrayFile {
        /// The file.
        path: PathBuf,
    },
    /// `init` on a folder that already holds a ceremony.
    #[error("{dir} already holds a ceremony")]
    AlreadyStarted {
        /// The folder.
        dir: PathBuf,
    },
    /// Phase 2 started already: phase 1 takes no more contributions.
    #[error("phase 2 has started: phase 1 is closed")]
    PhaseClosed,
    /// A phase that needs contributions has none.
    #[error("{phase} has no contribution: its secrets are known")]
    NoContribution {
        /// The phase.
        phase: Phase,
    },
    /// The circuit does not fit the ceremony's phase 1.
    #[error("the circuit needs a domain of 2^{needed}, phase 1 has 2^{available}")]
    DomainTooSmall {
        /// Power of two the circuit needs.
        needed: u32,
        /// Power of two of phase 1.
        available: u32,
    },
    /// A domain size outside what the ceremony supports.
    #[error("power {power} is outside 1..={max}")]
    Power {
        /// The power asked for.
        power: u32,
        /// The largest supported.
        max: u32,
    },
    /// A contributor name that is empty, too long or has control characters.
    #[error("contributor name: 1 to {max} bytes of UTF-8 without control characters")]
    Name {
        /// The longest name allowed.
        max: usize,
    },
    /// The snarkjs `.ptau` file is malformed or too small.
    #[error("ptau: {0}")]
    Ptau(#[from] super::ptau::PtauError),
    /// The circuit could not be synthesised.
    #[error("circuit: {0}")]
    Circuit(#[from] corridor_circuits::Error),
    /// The parameter folder could not be written.
    #[error(transparent)]
    Params(#[from] crate::ParamsError),
}

impl CeremonyError {
    /// The failure of `step`.
    pub(crate) fn at(step: StepId, failure: impl Into<StepFailure>) -> Self {
        CeremonyError::Step {
            step,
            failure: failure.into(),
        }
    }
}
