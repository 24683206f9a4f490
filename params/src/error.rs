//! Errors of parameter files, manifests and key encodings.

use std::path::PathBuf;

use crate::encoding::Groth16DecodeError;

/// What was wrong with a parameter folder, a key file or a key encoding.
#[derive(Debug, thiserror::Error)]
pub enum ParamsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file's SHA-256 differs from the manifest's.
    #[error("{file}: SHA-256 {actual} does not match the manifest's {expected}")]
    HashMismatch {
        /// The file, as named in the manifest.
        file: String,
        /// The manifest's hash (hex).
        expected: String,
        /// The file's hash (hex).
        actual: String,
    },
    /// The manifest is malformed or inconsistent.
    #[error("manifest: {0}")]
    Manifest(String),
    /// A verifying key's or proof's bytes do not decode: the element named, and why
    /// ([`crate::encoding`]).
    #[error(transparent)]
    Groth16Encoding(#[from] Groth16DecodeError),
    /// The proving key's bytes do not decode (bad point, not in the subgroup, truncated,
    /// trailing bytes, inconsistent query lengths).
    #[error("{what}: invalid encoding: {reason}")]
    Encoding {
        /// Which key or proof.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The parameters are for another circuit than the one expected.
    #[error("parameters are for {found}, expected {expected}")]
    CircuitMismatch {
        /// Name and fingerprint expected.
        expected: String,
        /// Name and fingerprint found.
        found: String,
    },
    /// The verifying key does not have one base per public input plus one.
    #[error("verifying key has {found} input bases, the circuit needs {expected}")]
    InputCount {
        /// `public inputs + 1`.
        expected: usize,
        /// `gamma_abc_g1.len()`.
        found: usize,
    },
    /// Dev-seed parameters presented where they are refused (a non-dev network).
    #[error("these parameters come from dev seed {0}: anyone can forge proofs with them; refused outside a dev network")]
    DevSeedRefused(u64),
    /// A non-dev network given keys that do not come from a ceremony.
    #[error("these parameters do not come from a ceremony (their manifest has no transcript hash); a non-dev network needs ceremony parameters")]
    NoCeremony,
    /// The ceremony's transcript hash is not the one genesis pins.
    #[error("ceremony transcript hash {} differs from genesis's pinned {}", hex::encode(.found), hex::encode(.expected))]
    CeremonyHashMismatch {
        /// Genesis's `ceremony_hash`.
        expected: [u8; 32],
        /// The manifest's.
        found: [u8; 32],
    },
    /// The verifying key's hash is not the one genesis pins.
    #[error("verifying key SHA-256 {} differs from genesis's pinned {}", hex::encode(.found), hex::encode(.expected))]
    VerifyingKeyHashMismatch {
        /// Genesis's `vk_hash`.
        expected: [u8; 32],
        /// The key's.
        found: [u8; 32],
    },
    /// The circuit could not be synthesised or fingerprinted.
    #[error("circuit: {0}")]
    Circuit(#[from] corridor_circuits::Error),
    /// Setup failed (the circuit did not synthesise).
    #[error("setup: {0}")]
    Setup(String),
}
