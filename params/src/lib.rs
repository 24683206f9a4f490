//! corridor-params: Groth16 parameters of the KYC circuit (DESIGN.md §6).
//!
//! - [`encoding`]: the canonical bytes of Groth16 proofs and verifying keys and their one strict
//!   decoder (canonical points, subgroup checks, bounded counts, errors naming the element),
//!   which the verifier uses too;
//! - [`keys`]: the proving and verifying key types, with canonical, validating byte encodings
//!   (G2 subgroup checks always) and the verifying-key hash that genesis pins;
//! - [`manifest`]: the parameter folder: key files plus `manifest.json` with the SHA-256 of each
//!   file; [`ParamsDir::verify`] names the file whose hash does not match, and loading refuses
//!   it;
//! - [`snarkjs`]: the verifying key, proofs and public inputs in snarkjs's Groth16 bn128 JSON;
//! - [`subgroup`]: BN254's G2 subgroup test, twice as fast as ark-bn254's, which every decoder
//!   here uses;
//! - `setup` (feature `setup`, never enabled by the verifier or the node): dev-seed setup;
//! - `ceremony` (feature `setup`): the multi-party setup ceremony (phase 1 powers of τ, which
//!   can also come from a snarkjs `.ptau`; phase 2 δ), its transcript verification, and the
//!   parameter folder it finalises into.
//!
//! Folders, keys and setup are generic over the circuit: callers describe it with a
//! [`CircuitInfo`] (name, constraint count, public-input count, fingerprint) and pass the
//! circuit to the setup; [`CircuitInfo::kyc`] describes the KYC circuit compiled into the
//! binary, which is what every loader of the real parameters expects.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

#[cfg(feature = "setup")]
pub mod ceremony;
pub mod encoding;
pub mod error;
pub mod keys;
pub mod manifest;
#[cfg(feature = "setup")]
pub mod setup;
pub mod snarkjs;
pub mod subgroup;

pub use error::ParamsError;
pub use keys::{ProvingKey, VerifyingKey};
pub use manifest::{CircuitInfo, Manifest, ParamsDir, ParamsPins, KYC_CIRCUIT_NAME};

#[cfg(test)]
mod testing;
