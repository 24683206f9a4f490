//! corridor-core: the protocol's nouns and its canonical bytes.
//!
//! Keys and addresses ([`keys`], [`address`]), chunked twisted ElGamal ([`elgamal`]), notes
//! ([`note`]), the transaction kinds of DESIGN.md §3.7 as validated domain types ([`tx`]) with
//! the wire format ([`proto`]) as the single validation boundary, digests and ids ([`hash`]),
//! the transcript ([`transcript`]) and the domain-label registry ([`domain`]), and the statements
//! of every proof ([`proofs`]) written as linear relations ([`sigma`]) so that a verifier can
//! check them one by one or fold them into one multiscalar multiplication.
//!
//! No I/O, no printing, no services: errors are typed and returned.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod address;
pub mod disclosure;
pub mod domain;
pub mod elgamal;
pub mod error;
pub mod genesis;
pub mod group;
pub mod hash;
pub mod instruction;
pub mod keys;
pub mod note;
pub mod proofs;
pub mod range;
pub mod sigma;
pub mod state;
pub mod statement;
pub mod transcript;
pub mod tx;

/// The prost messages of `proto/corridor/v1/tx.proto`. Wire types only parse; the conversions in
/// [`tx`] validate.
#[allow(missing_docs, missing_debug_implementations, clippy::all)]
pub mod proto {
    include!(concat!(env!("OUT_DIR"), "/corridor.v1.rs"));
}

pub use address::Address;
pub use error::{DecodeError, Error};
pub use keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};

/// The protocol version every transaction carries.
pub const PROTOCOL_VERSION: u32 = 1;
