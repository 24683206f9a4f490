//! Errors of proving and building.
use corridor_core::statement::StatementError;
use corridor_core::{DecodeError, Error as CoreError};
use thiserror::Error;

/// Why a proof or a transaction could not be made.
#[derive(Debug, Error)]
pub enum ProveError {
    /// The inputs do not cover outputs and fee.
    #[error("insufficient funds: inputs hold {available}, outputs and fee need {needed}")]
    InsufficientFunds {
        /// Sum of input values.
        available: u128,
        /// Sum of outputs, fee and burn.
        needed: u128,
    },
    /// Payments exceed the asset's limit.
    #[error("payments of {paid} exceed the {asset} limit of {limit}")]
    OverLimit {
        /// Asset.
        asset: String,
        /// Paid to others.
        paid: u128,
        /// The limit.
        limit: u64,
    },
    /// A sum that does not fit a u64.
    #[error("{0} overflows 64 bits")]
    Overflow(&'static str),
    /// A request the protocol does not allow.
    #[error("{0}")]
    Invalid(String),
    /// The statement does not resolve against public state.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// Core failure (encryption, keys).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Malformed data.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The relation and the witness have different sizes.
    #[error("witness of {got} scalars for a relation of {expected}")]
    WitnessSize {
        /// Relation's witness count.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// A Groth16 (KYC) proof could not be made.
    #[error("groth16: {0}")]
    Groth16(#[from] crate::groth16::Groth16ProveError),
    /// The KYC statement cannot be proven with this credential (expired, tier, jurisdiction,
    /// a root or link that does not match, a malformed escrow key).
    #[error("kyc: {0}")]
    Kyc(String),
    /// bulletproofs refused to prove.
    #[error("range proof: {0}")]
    Range(String),
}
