//! Corridor Groth16 parameters: key types, files, manifest, loading, snarkjs export.
//!
//! This crate grows in later issues; it builds so the workspace and its dependency rules hold.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
