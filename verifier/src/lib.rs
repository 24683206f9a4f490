//! corridor-verifier: verification of every proof of a transaction.
//!
//! - [`sigma`]: the equations of a linear sigma proof, checked one by one (and, later, folded
//!   into a block-wide multiscalar multiplication);
//! - [`range`]: the aggregated range proof over the list the verifier builds itself;
//! - [`transaction`]: the entry point: a signed transaction checked against genesis and the
//!   public state it references, passed in by the caller;
//! - [`disclosure`]: receipts (recipient and sender disclosures);
//! - [`groth16`]: Groth16 (KYC) proofs: validated decoding, single and batched verification;
//! - [`batch`]: block-wide batch verification: every sigma equation, signature and range check
//!   of many transactions in one Ristretto MSM, every KYC proof in one multi-pairing;
//!   [`verify_transaction`] is a batch of one;
//! - [`bisect`]: naming the bad entries of a failed batch, for either proof system;
//! - [`parallel`]: the threads a batch runs on.
//!
//! Never links proving or setup code.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod batch;
pub mod bisect;
pub mod disclosure;
pub mod error;
mod field;
pub mod groth16;
mod msm;
pub mod parallel;
pub mod range;
pub mod sigma;
mod signature;
pub mod transaction;

pub use batch::{
    prepare, prepare_all, prepare_resolved, Batch, BatchOutcome, BatchTimings, PreparedTransaction,
};
pub use error::{ProofError, VerifyError};
pub use parallel::Threads;
pub use transaction::{
    kyc_claim, verify_transaction, KycStatus, VerifiedTransaction, VerifyContext,
};
