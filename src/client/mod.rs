//! The clients of the services (DESIGN.md §1, §5): what `corridor wallet`, `corridor operator`
//! and the services demo run. A wallet or an operator talks to a node ([`Ledger`]: submit,
//! wait for the commit, read state) and proves its transactions either through its operator's
//! prover service or locally with the same library ([`Proving`]); it signs what comes back
//! itself: spend keys never leave the process that holds them.
//!
//! - [`WalletClient`]: a customer's (or an institution's) wallet: catch-up from the node
//!   ([`NoteBook`]), register, send, remit, burn, each proven, signed, submitted and awaited;
//! - [`Issuer`]: an asset issuer's mints; [`Operator`]: an operator's quotes and its payout
//!   watcher ([`Operator::watch_payouts`]), which pays each remittance to the operator out as
//!   soon as its block commits.
//!
//! Everything here is async (tokio); local proving and the blocking reads of
//! [`corridor_prover::service::RemoteState`] run on blocking threads.
mod error;
mod ledger;
mod operator;
mod proving;
mod wallet;

pub use error::ClientError;
pub use ledger::{Committed, Ledger};
pub use operator::{publish_quote, Issuer, Operator, PaidOut, PayoutEvent, PayoutOutcome, Quote};
pub use proving::{Proven, ProverEndpoint, Proving};
pub use wallet::{KycHolder, NoteBook, Receipt, WalletClient};

/// A channel to `service` at `endpoint` (`http://127.0.0.1:50071`).
async fn channel(
    service: &'static str,
    endpoint: &str,
) -> Result<tonic::transport::Channel, ClientError> {
    let failed = |source| ClientError::Connect {
        service,
        endpoint: endpoint.to_string(),
        source,
    };
    tonic::transport::Endpoint::from_shared(endpoint.to_string())
        .map_err(failed)?
        .connect()
        .await
        .map_err(failed)
}
