//! corridor-prover: proof generation and the transaction builder.
//!
//! - [`sigma`]: the prover of every linear sigma relation of [`corridor_core::proofs`];
//! - [`range`]: the one aggregated bulletproof per transaction;
//! - [`builder`]: builds Mint, Transfer (with change, optionally a remittance), PublishQuote,
//!   Payout, Burn, RegisterAddress and KycRootUpdate from a wallet's notes and keys;
//! - [`disclosure`]: recipient and sender receipts for one note.
//!
//! Every randomized function takes the caller's RNG; nothing here prints or does I/O.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod builder;
pub mod disclosure;
pub mod error;
pub mod range;
pub mod sigma;

pub use builder::{Builder, BuiltTransaction, OwnedNote, Payment};
pub use error::ProveError;
