//! Layered verification errors: what failed (decoding, statement, signature, which proof) and
//! where.
use corridor_core::statement::StatementError;
use corridor_core::DecodeError;
use thiserror::Error;

/// A proof that does not verify.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ProofError {
    /// A sigma proof of the wrong shape.
    #[error("{relation} proof {index}: expected {expected_commitments} commitments and {expected_responses} responses")]
    SigmaShape {
        /// Relation name.
        relation: &'static str,
        /// Sub-proof index.
        index: usize,
        /// Required commitments.
        expected_commitments: usize,
        /// Required responses.
        expected_responses: usize,
    },
    /// A sigma proof whose equation does not hold.
    #[error("{relation} proof {index}: equation {equation} does not hold")]
    Sigma {
        /// Relation name.
        relation: &'static str,
        /// Sub-proof index (position among the transaction's sigma proofs).
        index: usize,
        /// Which equation.
        equation: usize,
    },
    /// The number of sigma proofs does not fit the statement.
    #[error("{found} sigma proofs for a statement of {expected}")]
    SigmaCount {
        /// Required.
        expected: usize,
        /// Found.
        found: usize,
    },
    /// The range proof's length does not fit the list.
    #[error("range proof: {found} bytes, {m} parties need {expected}")]
    RangeLength {
        /// Aggregation size.
        m: usize,
        /// Required length.
        expected: usize,
        /// Found.
        found: usize,
    },
    /// The range proof bytes do not parse.
    #[error("range proof: malformed ({0})")]
    RangeFormat(String),
    /// The range proof does not verify: some value is outside [0, 2^32).
    #[error("range proof: does not verify (a committed value is outside [0, 2^32))")]
    Range,
    /// A KYC public input that is not a valid field element or escrow point.
    #[error("kyc public inputs: {0}")]
    KycInputs(String),
    /// The KYC proof bytes do not decode (off-curve, off-subgroup or non-canonical point).
    #[error("kyc proof: malformed ({0})")]
    KycFormat(String),
    /// The KYC Groth16 proof does not verify against the public inputs the node resolved.
    #[error("kyc proof: does not verify against the resolved public inputs")]
    Kyc,
    /// A batch failed although none of its transactions fails alone: a verifier fault, never
    /// expected; every transaction of that batch is refused rather than accepted.
    #[error("the batch does not verify, yet no transaction fails alone")]
    BatchInconsistent,
}

/// Why a transaction is rejected.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum VerifyError {
    /// Malformed bytes.
    #[error("decode: {0}")]
    Decode(#[from] DecodeError),
    /// Does not fit the public data it references.
    #[error("statement: {0}")]
    Statement(#[from] StatementError),
    /// Not signed by its signer.
    #[error("signature: not signed by the {kind} signer")]
    Signature {
        /// Transaction kind.
        kind: &'static str,
    },
    /// A proof fails.
    #[error("proof: {0}")]
    Proof(#[from] ProofError),
    /// The KYC verifying key the caller supplied is not the one genesis pins.
    #[error("kyc verifying key {found} is not the key genesis pins ({expected})")]
    KycKeyMismatch {
        /// Genesis's `vk_hash`, hex.
        expected: String,
        /// The supplied key's SHA-256, hex.
        found: String,
    },
}
