//! corridor-prover: proof generation and the transaction builder.
//!
//! - [`sigma`]: the prover of every linear sigma relation of [`corridor_core::proofs`];
//! - [`range`]: the one aggregated bulletproof per transaction;
//! - [`builder`]: builds Mint, Transfer (with change, optionally a remittance), PublishQuote,
//!   Payout, Burn, RegisterAddress and KycRootUpdate from a view-only wallet and a request;
//! - [`request`]: the [`ViewWallet`] (address, view key, notes — never a spend key) and one
//!   request per kind, which the prover service's messages map onto;
//! - [`disclosure`]: recipient and sender receipts for one note;
//! - [`groth16`]: Groth16 proving over BN254 through an MSM backend (CPU by default, CUDA with
//!   the `gpu` feature), one proof or a batch;
//! - `service` (feature `service`): the network side: the node API's client and `RemoteState`,
//!   the node's committed state read over gRPC for the builder, and the prover service
//!   (`corridor.prover.v1.Prover`);
//! - `test_circuits` (tests and the `test-circuits` feature only): SYNTHETIC circuits for
//!   tests and benches.
//!
//! Every randomized function takes the caller's RNG; nothing here prints or does I/O, but the
//! `service` adapter, which talks to a node.
// `unsafe` is denied (workspace lint) and allowed in one module only, the CUDA device layer
// `groth16::gpu::device` (feature `gpu`), for cudarc's probing and kernel launches.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod builder;
pub mod disclosure;
pub mod error;
pub mod groth16;
pub mod kyc;
pub mod range;
pub mod request;
#[cfg(feature = "service")]
pub mod service;
pub mod sigma;
#[cfg(any(test, feature = "test-circuits"))]
pub mod test_circuits;

pub use builder::{Builder, BuiltTransaction, OwnedNote, Payment};
pub use error::{KycProveError, ProveError, RangeProveError};
pub use kyc::KycCredential;
pub use request::{BurnRequest, PayoutRequest, RegistrationRequest, TransferRequest, ViewWallet};
