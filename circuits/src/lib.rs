//! corridor-circuits: the BN254 R1CS side of Corridor's KYC proofs (DESIGN.md §3.6) and the
//! native twin of every gadget.
//!
//! - [`poseidon`](mod@poseidon): circomlib's Poseidon, natively (light-poseidon) and as
//!   [`PoseidonVar`].
//! - [`tree`]: the depth-32 Poseidon Merkle tree of credentials and its membership gadget.
//! - [`credential`]: credentials, `id_commit` and leaves.
//! - [`jubjub`]: Baby Jubjub (ark-ed-on-bn254) point gadgets.
//! - [`escrow`]: the regulators' identity escrow (ElGamal-style on Baby Jubjub).
//! - [`kyc`]: the KYC circuit, its public inputs, its witness and the native twins; a valid
//!   sample statement in [`kyc::sample`] for tests, benches and the snarkjs export.
//! - [`registry`]: an issuer's credential registry (enrol, revoke, roots, witnesses).
//! - [`fingerprint`]: canonical R1CS matrices and the committed circuit fingerprint.
//! - [`field`]: `H_to_Fr` and canonical field bytes.
//! - [`statement`]: a resolved transaction's KYC inputs as the circuit's field elements.
//!
//! No I/O and no printing; errors are typed ([`Error`]).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod credential;
pub mod escrow;
pub mod field;
pub mod fingerprint;
pub mod jubjub;
pub mod kyc;
pub mod poseidon;
pub mod registry;
pub mod statement;
pub mod tree;

#[cfg(test)]
pub(crate) use fingerprint::testing;

pub use credential::{Credential, CredentialAttributes, IdentitySecret};
pub use escrow::{EscrowCiphertext, EscrowPublicKey, EscrowRandomness, EscrowSecretKey};
pub use field::{fr_from_bytes, fr_to_bytes, hash_to_fr};
pub use fingerprint::CircuitFingerprint;
pub use kyc::{KycCircuit, KycContext, KycPublicInputs, KycWitness};
pub use poseidon::{poseidon, PoseidonVar};
pub use registry::KycRegistry;
pub use tree::{MembershipVar, MembershipWitness, MerkleTree, TREE_DEPTH};

/// The BN254 scalar field, in which every circuit value lives.
pub use ark_bn254::Fr;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Poseidon was asked for an arity its circom parameters do not cover.
    #[error("poseidon: arity {arity} is outside 1..={max}", max = poseidon::MAX_ARITY)]
    PoseidonArity {
        /// The arity asked for.
        arity: usize,
    },
    /// light-poseidon refused the input.
    #[error("poseidon: {0}")]
    Poseidon(#[from] light_poseidon::PoseidonError),
    /// 32 bytes that are not a canonical field element (≥ r).
    #[error("{field}: not a canonical BN254 scalar (≥ r)")]
    NonCanonicalField {
        /// Which value.
        field: &'static str,
    },
    /// Bytes that are not a valid Baby Jubjub scalar for their use (a secret key).
    #[error("{field}: {reason}")]
    InvalidScalar {
        /// Which scalar.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Bytes that are not a valid Baby Jubjub point of the prime-order subgroup.
    #[error("{field}: {reason}")]
    InvalidPoint {
        /// Which value.
        field: &'static str,
        /// What was wrong.
        reason: &'static str,
    },
    /// The tree holds 2^32 leaves already.
    #[error("tree full: {capacity} leaves")]
    TreeFull {
        /// 2^depth.
        capacity: u64,
    },
    /// A leaf index the tree has not reached.
    #[error("leaf {index} does not exist (the tree holds {len} leaves)")]
    UnknownLeaf {
        /// The index asked for.
        index: u64,
        /// Leaves in the tree.
        len: u64,
    },
    /// A leaf that was revoked (it is zero).
    #[error("leaf {index} is revoked")]
    Revoked {
        /// The index.
        index: u64,
    },
    /// A credential attribute out of its range.
    #[error("credential: {0}")]
    Credential(String),
    /// A credential of another issuer offered to a registry.
    #[error("credential of issuer {got} offered to the registry of issuer {expected}")]
    WrongIssuer {
        /// The registry's issuer.
        expected: u32,
        /// The credential's issuer.
        got: u32,
    },
    /// The statement is false for this witness (the prover would produce no valid proof).
    #[error("kyc statement: {0}")]
    Statement(String),
    /// A circuit whose shape is not what the fingerprint expects.
    #[error("circuit shape: {0}")]
    Shape(String),
    /// Constraint synthesis failed.
    #[error("synthesis: {0}")]
    Synthesis(#[from] ark_relations::gr1cs::SynthesisError),
}
