//! The clients of the services (DESIGN.md §1, §5): what `corridor wallet`, `corridor operator`
//! and the services demo run. A wallet or an operator talks to a node ([`Ledger`]: submit,
//! wait for the commit, read state) and proves its transactions either through its operator's
//! prover service or locally with the same library ([`Proving`]); it signs what comes back
//! itself: spend keys never leave the process that holds them.
//!
//! - [`WalletClient`]: a customer's (or an institution's) wallet: catch-up from the node
//!   ([`NoteBook`]), register, send, remit, burn, each proven, signed, submitted and awaited;
//! - [`BackOffice`]: a KYC issuer's back office, enrolling and revoking credentials in its
//!   registry with its bearer token;
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
mod registry;
mod wallet;

pub use error::ClientError;
pub use ledger::{Committed, Ledger};
pub use operator::{publish_quote, Issuer, Operator, PaidOut, PayoutEvent, PayoutOutcome, Quote};
pub use proving::{Proven, ProverEndpoint, Proving};
pub use registry::BackOffice;
pub use wallet::{KycHolder, NoteBook, Receipt, WalletClient};

/// `message` as a request to `service`, with `authorization: Bearer TOKEN` if a token is
/// given.
fn authorized<T>(
    service: &'static str,
    message: T,
    token: Option<&zeroize::Zeroizing<String>>,
) -> Result<tonic::Request<T>, ClientError> {
    let mut request = tonic::Request::new(message);
    if let Some(token) = token {
        let value = zeroize::Zeroizing::new(format!("Bearer {}", token.as_str()))
            .parse()
            .map_err(|_| ClientError::BadToken { service })?;
        request.metadata_mut().insert("authorization", value);
    }
    Ok(request)
}

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
