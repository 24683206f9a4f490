//! The multiscalar-multiplication backend of the Groth16 prover.
//!
//! A Groth16 proof costs five MSMs over the proving key: `A` (G1, `a_query`), `B` in G1
//! (`b_g1_query`), `B` in G2 (`b_g2_query`), `H` (G1, `h_query`) and `L` (G1, `l_query`).
//! [`super::prove_with_backend`] performs every one of them through an [`MsmBackend`] and
//! nothing else; the few fixed-base multiplications by `r` and `s` stay on the CPU.
//!
//! # Bases stay with the key
//! The bases are always handed over as sub-slices of the caller's
//! [`ark_groth16::ProvingKey`] (for a given key, the same slice every call: `a_query[1..]`,
//! `b_g1_query[1..]`, `b_g2_query[1..]`, the whole `h_query`, the whole `l_query`), tagged with
//! the [`Query`] they come from, and never copied by the prover. A device backend can
//! therefore upload a key's bases once, keep them resident keyed by the query, and move only
//! the scalars per proof: that is what makes a GPU worthwhile for a prover service that proves
//! many requests against one key (DESIGN.md §7).
//!
//! Scalars are passed in canonical (non-Montgomery) form, [`ScalarRepr`], the form both
//! arkworks' Pippenger and GPU kernels consume; the witness is converted once and shared by
//! the `A`, `B` (G1) and `B` (G2) MSMs.
//!
//! # Backends
//! [`CpuBackend`] (arkworks' `VariableBaseMSM`, on the calling thread) is the default. A GPU
//! backend behind a `gpu` feature is left to a later issue; until then there is no `gpu`
//! feature and nothing pretends to be one.
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::PrimeField;
use thiserror::Error;

/// A scalar of BN254's scalar field in canonical (non-Montgomery) form.
pub type ScalarRepr = <Fr as PrimeField>::BigInt;

/// Which part of the proving key the bases of an MSM are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Query {
    /// `a_query[1..]` (G1), against the full assignment without the constant 1.
    A,
    /// `b_g1_query[1..]` (G1), against the same assignment.
    BG1,
    /// `b_g2_query[1..]` (G2), against the same assignment.
    BG2,
    /// `h_query` (G1), against the quotient polynomial's coefficients.
    H,
    /// `l_query` (G1), against the private witness.
    L,
}

impl Query {
    /// The proving-key field (and range) the bases come from.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Query::A => "a_query[1..]",
            Query::BG1 => "b_g1_query[1..]",
            Query::BG2 => "b_g2_query[1..]",
            Query::H => "h_query",
            Query::L => "l_query",
        }
    }
}

impl core::fmt::Display for Query {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a backend could not compute an MSM.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum MsmError {
    /// Bases and scalars differ in length (the prover checks this first; a backend checks it
    /// again rather than truncating).
    #[error("{query}: {bases} bases but {scalars} scalars")]
    Length {
        /// Which query.
        query: Query,
        /// Number of bases.
        bases: usize,
        /// Number of scalars.
        scalars: usize,
    },
    /// The backend failed (device error, out of memory, …).
    #[error("{query}: {backend} backend failed: {reason}")]
    Backend {
        /// Which query.
        query: Query,
        /// The backend's name.
        backend: &'static str,
        /// What went wrong.
        reason: String,
    },
}

/// Computes `Σ scalars[i]·bases[i]` over BN254's G1 and G2.
///
/// Implementations must return exactly the group element (any algorithm will do, the result is
/// unique) and must refuse slices of different lengths with [`MsmError::Length`] rather than
/// truncate. `bases` is always a slice of the proving key (see the module doc), so an
/// implementation may cache device copies per [`Query`]. `Send + Sync` because a prover
/// service shares one backend between concurrent requests.
pub trait MsmBackend: Send + Sync {
    /// A short name for diagnostics and the prover service's `GetInfo` (`"cpu"`).
    fn name(&self) -> &'static str;

    /// `Σ scalars[i]·bases[i]` in G1.
    fn msm_g1(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G1Projective, MsmError>;

    /// `Σ scalars[i]·bases[i]` in G2.
    fn msm_g2(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G2Projective, MsmError>;
}

/// The default backend: arkworks' Pippenger (`VariableBaseMSM::msm_bigint`) on the CPU.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

fn check_lengths(query: Query, bases: usize, scalars: usize) -> Result<(), MsmError> {
    if bases == scalars {
        Ok(())
    } else {
        Err(MsmError::Length {
            query,
            bases,
            scalars,
        })
    }
}

impl MsmBackend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn msm_g1(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G1Projective, MsmError> {
        check_lengths(query, bases.len(), scalars.len())?;
        Ok(G1Projective::msm_bigint(bases, scalars))
    }

    fn msm_g2(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G2Projective, MsmError> {
        check_lengths(query, bases.len(), scalars.len())?;
        Ok(G2Projective::msm_bigint(bases, scalars))
    }
}
