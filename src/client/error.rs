//! What can go wrong between a client and the services.
use corridor_core::error::DecodeError;
use corridor_core::tx::TxId;
use corridor_prover::service::RemoteStateError;
use corridor_prover::ProveError;
use std::time::Duration;

/// Why a client's operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A service could not be reached.
    #[error("connecting to the {service} at {endpoint:?}: {source}")]
    Connect {
        /// Which service (`node`, `prover`, `KYC registry`).
        service: &'static str,
        /// The endpoint as given.
        endpoint: String,
        /// Why.
        #[source]
        source: tonic::transport::Error,
    },
    /// A call answered with an error status.
    #[error("{service} {rpc}: {code:?}: {message}")]
    Rpc {
        /// Which service.
        service: &'static str,
        /// The RPC.
        rpc: &'static str,
        /// Its status code.
        code: tonic::Code,
        /// Its message.
        message: String,
    },
    /// An answer did not decode.
    #[error("{service} {rpc} answered something malformed: {source}")]
    Answer {
        /// Which service.
        service: &'static str,
        /// The RPC.
        rpc: &'static str,
        /// What was wrong.
        #[source]
        source: DecodeError,
    },
    /// A read of the node's state failed.
    #[error(transparent)]
    State(#[from] RemoteStateError),
    /// A read of the node's state through [`corridor_core::state::PublicState`] failed.
    #[error("reading the node's state: {0}")]
    Store(#[from] corridor_core::state::StoreError),
    /// Proving (locally) or building failed.
    #[error(transparent)]
    Prove(#[from] ProveError),
    /// The transaction was admitted but not committed in time.
    #[error("transaction {tx_id} was not committed within {waited:?}")]
    NotCommitted {
        /// Its id.
        tx_id: TxId,
        /// How long the client waited.
        waited: Duration,
    },
    /// The wallet needs a KYC credential for this and has none.
    #[error("this wallet holds no KYC credential (a customer's transactions need one)")]
    NoCredential,
    /// The registry's Merkle path does not lead to the root it claims.
    #[error("the KYC registry's path for leaf {leaf} does not lead to its root")]
    BadWitness {
        /// The leaf.
        leaf: u64,
    },
    /// The node does not know the registry's root in time.
    #[error("the node has not committed issuer {issuer}'s root within {waited:?}")]
    RootNotPublished {
        /// The issuer.
        issuer: u32,
        /// How long the client waited.
        waited: Duration,
    },
    /// A remittance's instruction box did not open with the settlement view key.
    #[error("remittance {tx_id}: the instruction does not open: {source}")]
    Instruction {
        /// The remittance.
        tx_id: TxId,
        /// Why.
        #[source]
        source: corridor_core::error::Error,
    },
    /// Something the ledger should hold is not there.
    #[error("{0}")]
    Missing(String),
    /// A bearer token cannot go in a header (it must be visible ASCII).
    #[error("the bearer token for the {service} is not visible ASCII")]
    BadToken {
        /// Which service it is for.
        service: &'static str,
    },
    /// A blocking task died.
    #[error("a blocking task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl ClientError {
    /// The error of `rpc` of `service` answering `status`.
    pub(crate) fn rpc(service: &'static str, rpc: &'static str, status: &tonic::Status) -> Self {
        ClientError::Rpc {
            service,
            rpc,
            code: status.code(),
            message: status.message().to_string(),
        }
    }

    /// A closure mapping a status of `rpc` of `service`.
    pub(crate) fn of(
        service: &'static str,
        rpc: &'static str,
    ) -> impl Fn(tonic::Status) -> ClientError {
        move |s| ClientError::rpc(service, rpc, &s)
    }

    /// A closure mapping a decoding failure of `rpc`'s answer.
    pub(crate) fn answer(
        service: &'static str,
        rpc: &'static str,
    ) -> impl Fn(DecodeError) -> ClientError {
        move |source| ClientError::Answer {
            service,
            rpc,
            source,
        }
    }
}
