//! corridor-params: Groth16 parameters of the KYC circuit (DESIGN.md §6).
//!
//! - [`keys`]: the proving and verifying key types, with canonical, validating byte encodings
//!   (G2 subgroup checks always) and the verifying-key hash that genesis pins;
//! - [`manifest`]: the parameter folder: key files plus `manifest.json` with the SHA-256 of each
//!   file; [`manifest::verify_dir`] names the file whose hash does not match, and loading refuses
//!   it;
//! - [`snarkjs`]: the verifying key, proofs and public inputs in snarkjs's Groth16 bn128 JSON;
//! - `setup` (feature `setup`, never enabled by the verifier or the node): dev-seed setup.
//!
//! The crate is generic over the circuit: callers describe it with a [`CircuitInfo`]
//! (name, constraint count, public-input count, fingerprint) and pass the circuit to the setup.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod error;
pub mod keys;
pub mod manifest;
#[cfg(feature = "setup")]
pub mod setup;
pub mod snarkjs;

pub use error::ParamsError;
pub use keys::{ProvingKey, VerifyingKey};
pub use manifest::{CircuitInfo, Manifest, ParamsDir};

#[cfg(test)]
mod testing;
