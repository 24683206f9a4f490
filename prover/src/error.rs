//! Errors of proving and building. Every variant names what was wrong with typed fields (ids,
//! indices, counts), so that a caller — the prover service mapping them to gRPC status codes,
//! a wallet, a test — can tell them apart without parsing a message.
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
    /// Genesis has no such asset.
    #[error("unknown asset {asset}")]
    UnknownAsset {
        /// The asset code asked for.
        asset: String,
    },
    /// Genesis has no such operator.
    #[error("unknown operator {operator}")]
    UnknownOperator {
        /// The operator asked for.
        operator: String,
    },
    /// The operator has published no such quote.
    #[error("{operator} has no quote {quote_id}")]
    UnknownQuote {
        /// The operator.
        operator: String,
        /// The quote id asked for.
        quote_id: u64,
    },
    /// Too few or too many notes spent.
    #[error("a {kind} spends 1..={max} notes, not {count}")]
    InputCount {
        /// The transaction kind.
        kind: &'static str,
        /// Notes given.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// Too few or too many outputs.
    #[error("a {kind} makes 1..={max} outputs, not {count}")]
    OutputCount {
        /// The transaction kind.
        kind: &'static str,
        /// Outputs the request makes (payments, remittance, change).
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// An input note of another asset.
    #[error("input {index} is {found}, not {expected}")]
    InputAsset {
        /// Position among the inputs.
        index: usize,
        /// The note's asset.
        found: String,
        /// The transaction's asset.
        expected: String,
    },
    /// An input note the wallet does not own (its view key is not the note's owner's).
    #[error("input {index}: note {note} is not this wallet's")]
    NotOwner {
        /// Position among the inputs.
        index: usize,
        /// The note (short id).
        note: String,
    },
    /// A payout's remittance input is not the output of a remittance Transfer.
    #[error("note {note} is not a remittance")]
    NotRemittance {
        /// The note (short id).
        note: String,
    },
    /// A view-only wallet whose view key is not its address's.
    #[error("the view key does not belong to the address")]
    ViewKeyMismatch,
    /// The prover's witnesses do not match the resolved statement (a builder fault).
    #[error("{witnesses} witnesses for {relations} relations")]
    WitnessCount {
        /// Witnesses prepared.
        witnesses: usize,
        /// Relations resolved.
        relations: usize,
    },
    /// The relation and the witness have different sizes.
    #[error("witness of {got} scalars for a relation of {expected}")]
    WitnessSize {
        /// Relation's witness count.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// The statement does not resolve against public state.
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// Core failure (encryption, keys).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Malformed data.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A Groth16 (KYC) proof could not be made.
    #[error("groth16: {0}")]
    Groth16(#[from] crate::groth16::Groth16ProveError),
    /// The KYC statement cannot be proven with this credential.
    #[error("kyc: {0}")]
    Kyc(#[from] KycProveError),
    /// Range-proof openings that do not fit the statement.
    #[error("range proof: {0}")]
    Range(#[from] RangeProveError),
}

/// Why a KYC section or proof could not be made.
#[derive(Debug, Error)]
pub enum KycProveError {
    /// A customer's transaction needs a credential.
    #[error("a customer's transaction needs a KYC credential")]
    CredentialRequired,
    /// Institutional addresses carry no KYC proof.
    #[error("institutional addresses carry no KYC proof")]
    InstitutionalSigner,
    /// The statement resolved a KYC statement but the transaction has no KYC section.
    #[error("a KYC statement without a KYC section")]
    SectionMissing,
    /// Genesis's escrow key does not decode.
    #[error("genesis escrow key: {0}")]
    EscrowKey(#[source] corridor_circuits::Error),
    /// The resolved public inputs do not make a circuit context.
    #[error("public inputs: {0}")]
    Context(#[source] corridor_circuits::Error),
    /// The credential does not satisfy the statement (expired, tier, jurisdiction, root).
    #[error("credential: {0}")]
    Credential(#[source] corridor_circuits::Error),
    /// The credential's link is not the one registered for the signing address.
    #[error("the credential's link differs from the one registered for this address")]
    LinkMismatch,
    /// The proof did not encode to the wire length.
    #[error("proof encoding: {len} bytes")]
    ProofEncoding {
        /// Bytes the encoding gave.
        len: usize,
    },
}

/// Why a range proof could not be made.
#[derive(Debug, Error)]
pub enum RangeProveError {
    /// Not one opening per range-proven commitment.
    #[error("{openings} openings for {commitments} range-proven commitments")]
    OpeningCount {
        /// Openings given.
        openings: usize,
        /// Commitments in the statement.
        commitments: usize,
    },
    /// The openings commit to other values or blindings than the statement's commitments.
    #[error("range openings do not match the statement's commitments")]
    OpeningMismatch,
    /// bulletproofs refused to prove.
    #[error(transparent)]
    Bulletproofs(#[from] bulletproofs::ProofError),
}
