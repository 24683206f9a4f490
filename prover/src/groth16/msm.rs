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
//! # Batches
//! [`MsmBackend::msm_g1_batch`] and [`MsmBackend::msm_g2_batch`] take several scalar vectors
//! against the same bases (one per proof of [`super::prove_batch`]): a device backend runs them
//! in one pass over its resident bases, [`CpuBackend`] spreads them over the cores.
//!
//! # Backends
//! [`CpuBackend`] (arkworks' `VariableBaseMSM`, on the calling thread; batches on all cores) is
//! the default. [`ParallelCpuBackend`] splits each MSM across threads (one large MSM on a
//! many-core machine; the CPU baseline of the GPU benchmarks). The CUDA backend is
//! `super::gpu::GpuBackend` behind the `gpu` feature; [`super::backend::select_backend`] picks
//! one and says why the GPU is not used when it is not.
use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{PrimeField, Zero};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
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
    /// The backend holds precomputed tables of other bases than these (another proving key,
    /// or the key changed since the tables were built): refused rather than computed wrong.
    #[error("{query}: these bases are not the ones the {backend} backend was prepared for (a stale or another key's precomputation)")]
    NotPrepared {
        /// Which query.
        query: Query,
        /// The backend's name.
        backend: &'static str,
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

    /// The device this backend computes on and its state, for diagnostics (`None`: the CPU).
    fn device(&self) -> Option<String> {
        None
    }

    /// One G1 MSM per scalar vector, all against `bases`, results in order. The default runs
    /// [`Self::msm_g1`] for each.
    fn msm_g1_batch(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<G1Projective>, MsmError> {
        scalars
            .iter()
            .map(|s| self.msm_g1(query, bases, s))
            .collect()
    }

    /// One G2 MSM per scalar vector, all against `bases`, results in order. The default runs
    /// [`Self::msm_g2`] for each.
    fn msm_g2_batch(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<G2Projective>, MsmError> {
        scalars
            .iter()
            .map(|s| self.msm_g2(query, bases, s))
            .collect()
    }
}

/// The default backend: arkworks' Pippenger (`VariableBaseMSM::msm_bigint`) on the CPU, each
/// MSM on the calling thread; the vectors of a batch on all cores (one vector per thread, split
/// over several when the batch is smaller than the number of cores).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

/// arkworks' Pippenger with each MSM split into `threads` contiguous parts summed on their own
/// threads (the workspace builds arkworks without its `parallel` feature); batches go vector by
/// vector, each over all threads.
#[derive(Clone, Copy, Debug)]
pub struct ParallelCpuBackend {
    threads: usize,
}

impl ParallelCpuBackend {
    /// A backend over `threads` threads (at least one).
    #[must_use]
    pub fn new(threads: usize) -> Self {
        Self {
            threads: threads.max(1),
        }
    }

    /// A backend over all the cores the OS gives this process.
    #[must_use]
    pub fn all_cores() -> Self {
        Self::new(available_threads())
    }

    /// The number of threads.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }
}

/// The threads the OS gives this process (1 if it does not say).
pub(crate) fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `f` over every item on up to [`available_threads`] scoped threads, results in input order
/// (items are handed out one at a time, so uneven items balance).
pub(crate) fn parallel_map<T, U, F>(items: Vec<T>, f: F) -> Vec<U>
where
    T: Send,
    U: Send,
    F: Fn(usize, T) -> U + Sync,
{
    let threads = available_threads().min(items.len());
    if threads <= 1 {
        return items
            .into_iter()
            .enumerate()
            .map(|(i, t)| f(i, t))
            .collect();
    }
    let slots: Vec<Mutex<Option<T>>> = items.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let results: Vec<Mutex<Option<U>>> = slots.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = slots.get(i) else { break };
                let item = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                if let Some(item) = item {
                    let out = f(i, item);
                    *results[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(out);
                }
            });
        }
    });
    // Every index below the item count was taken exactly once by some thread.
    results
        .into_iter()
        .filter_map(|r| r.into_inner().unwrap_or_else(PoisonError::into_inner))
        .collect()
}

pub(crate) fn check_lengths(query: Query, bases: usize, scalars: usize) -> Result<(), MsmError> {
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

    fn msm_g1_batch(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<G1Projective>, MsmError> {
        batch_on_all_cores(query, bases, scalars)
    }

    fn msm_g2_batch(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[&[ScalarRepr]],
    ) -> Result<Vec<G2Projective>, MsmError> {
        batch_on_all_cores(query, bases, scalars)
    }
}

/// The vectors of a batch on all cores: one vector per thread, each split over its share of the
/// cores when there are fewer vectors than cores (a batch of one uses them all).
fn batch_on_all_cores<A, P>(
    query: Query,
    bases: &[A],
    scalars: &[&[ScalarRepr]],
) -> Result<Vec<P>, MsmError>
where
    A: Sync,
    P: VariableBaseMSM<MulBase = A, ScalarField = Fr> + Send + Zero + core::ops::AddAssign,
{
    let per_vector = available_threads() / scalars.len().max(1);
    parallel_map(scalars.to_vec(), |_, s| {
        check_lengths(query, bases.len(), s.len())?;
        Ok(split_msm(per_vector, bases, s))
    })
    .into_iter()
    .collect()
}

/// `Σ scalars[i]·bases[i]` with the slices cut into `threads` parts, one MSM per thread.
fn split_msm<A, P>(threads: usize, bases: &[A], scalars: &[ScalarRepr]) -> P
where
    A: Sync,
    P: VariableBaseMSM<MulBase = A, ScalarField = Fr> + Send + Zero + core::ops::AddAssign,
{
    if threads <= 1 {
        return P::msm_bigint(bases, scalars);
    }
    let part = bases.len().div_ceil(threads).max(1);
    let parts: Vec<(&[A], &[ScalarRepr])> = bases.chunks(part).zip(scalars.chunks(part)).collect();
    let sums: Vec<P> = std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|(b, s)| scope.spawn(move || P::msm_bigint(b, s)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut total = P::zero();
    for s in sums {
        total += s;
    }
    total
}

impl MsmBackend for ParallelCpuBackend {
    fn name(&self) -> &'static str {
        "cpu-parallel"
    }

    fn msm_g1(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G1Projective, MsmError> {
        check_lengths(query, bases.len(), scalars.len())?;
        Ok(split_msm(self.threads, bases, scalars))
    }

    fn msm_g2(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G2Projective, MsmError> {
        check_lengths(query, bases.len(), scalars.len())?;
        Ok(split_msm(self.threads, bases, scalars))
    }
}
