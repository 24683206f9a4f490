//! Credential shares: what a proof need not redo for a customer who proved before.
//!
//! The MSMs `A`, `B` (G1 and G2) and `L` are sums over the witness, `Σ z_i·Q_i`, so they split
//! over any set `S` of witness variables: `Σ_{i∈S} z_i·Q_i + Σ_{i∉S} z_i·Q_i`. In the KYC
//! circuit about two thirds of the witness — the identity commitment, the leaf, the path bits
//! and the membership hashes (`corridor_circuits::KycCircuit::credential_witness_ranges`) —
//! depends only on the customer's credential and its Merkle path, not on the transaction. A
//! [`super::Prover`] given those ranges keeps, per set of values they take, the share of the
//! four MSMs over them (three G1 points and one G2 point), and a later proof whose variables in
//! `S` take the same values computes only the rest (zero scalars cost nothing in the
//! fixed-base MSM) and adds the share. `H` is not linear in the witness and is always computed.
//!
//! Soundness of the reuse does not rest on the ranges being right: a share is looked up by the
//! SHA-256 of the values of every variable in `S` in this very proof, so it is used only when
//! those values are exactly the ones it was computed from — a proof with a stale path, another
//! credential or wrong ranges simply misses. The proof is the same group elements, so the same
//! bytes as without shares (tested against ark-groth16).
//!
//! The shares derive from secrets (a share is a fixed linear function of the identity secret
//! and its path): they live in this process's memory only, at most `capacity` of them (the
//! oldest goes first), and are wiped when dropped.
use super::msm::{MsmBackend, Query, ScalarRepr};
use super::{msms, timed, Groth16ProveError, MsmResults, MsmScalars, ProofTimings};
use ark_bn254::{Bn254, G1Projective, G2Projective};
use ark_groth16::ProvingKey;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use zeroize::Zeroize;

/// Domain of the fingerprint of a share's values.
const DOMAIN: &[u8] = b"corridor/groth16/credential-share/v1";

/// The four MSMs over the share's variables.
#[derive(Clone)]
struct Share {
    a: G1Projective,
    b_g1: G1Projective,
    b_g2: G2Projective,
    l: G1Projective,
}

impl Drop for Share {
    fn drop(&mut self) {
        self.a.zeroize();
        self.b_g1.zeroize();
        self.b_g2.zeroize();
        self.l.zeroize();
    }
}

#[derive(Default)]
struct Cache {
    shares: HashMap<[u8; 32], Share>,
    /// Insertion order, oldest first.
    order: VecDeque<[u8; 32]>,
}

/// Witness variables whose MSM shares a prover keeps (see the module doc).
pub(crate) struct Shares {
    ranges: Vec<Range<usize>>,
    capacity: usize,
    cache: Mutex<Cache>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for Shares {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shares")
            .field("variables", &self.variables())
            .field("capacity", &self.capacity)
            .field("hits", &self.hits.load(Ordering::Relaxed))
            .field("misses", &self.misses.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Shares {
    /// Shares over the witness variables in `ranges` (indices into the witness of a circuit
    /// with `witnesses` witness variables), at most `capacity` kept.
    ///
    /// # Errors
    /// [`Groth16ProveError::SharesOutOfRange`] when the ranges are not ascending, disjoint
    /// and within the witness.
    pub(super) fn new(
        ranges: Vec<Range<usize>>,
        witnesses: usize,
        capacity: usize,
    ) -> Result<Self, Groth16ProveError> {
        let ordered = ranges
            .windows(2)
            .all(|w| w[0].start <= w[0].end && w[0].end <= w[1].start);
        let end = ranges.last().map_or(0, |r| r.end);
        let start = ranges.last().map_or(0, |r| r.start);
        if !ordered || end > witnesses || start > end {
            return Err(Groth16ProveError::SharesOutOfRange { end, witnesses });
        }
        Ok(Shares {
            ranges,
            capacity: capacity.max(1),
            cache: Mutex::new(Cache::default()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    /// How many witness variables a share covers.
    pub(super) fn variables(&self) -> usize {
        self.ranges.iter().map(ExactSizeIterator::len).sum()
    }

    /// Proofs that found their share, and proofs that computed it.
    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Forgets every share (the next proof of each credential computes its share again).
    pub(super) fn forget(&self) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.shares.clear();
        cache.order.clear();
    }

    /// SHA-256 of the values of the share's variables in `witness`.
    fn fingerprint(&self, witness: &[ScalarRepr]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        for r in &self.ranges {
            h.update((r.start as u64).to_le_bytes());
            h.update((r.end as u64).to_le_bytes());
            for v in &witness[r.clone()] {
                for limb in v.0 {
                    h.update(limb.to_le_bytes());
                }
            }
        }
        h.finalize().into()
    }

    /// The five MSMs of a proof with scalars `z`: the share's four from the cache when this
    /// proof's values of its variables are those of a kept share, else computed (and kept);
    /// the rest computed with the share's scalars zeroed in `z`.
    pub(super) fn msms<B: MsmBackend + ?Sized>(
        &self,
        pk: &ProvingKey<Bn254>,
        z: &mut MsmScalars,
        backend: &B,
        r_is_zero: bool,
        t: &mut ProofTimings,
    ) -> Result<MsmResults, Groth16ProveError> {
        let key = self.fingerprint(z.witness());
        let kept = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .shares
            .get(&key)
            .cloned();
        // The share's scalars move out of `z`; a miss keeps them, alone, for its own MSMs.
        let zero = ScalarRepr::default();
        let p = z.num_public;
        let own_len = if kept.is_none() {
            z.assignment.len()
        } else {
            0
        };
        let mut own = MsmScalars {
            h: Vec::new(),
            assignment: vec![zero; own_len],
            num_public: p,
        };
        for r in &self.ranges {
            for i in r.clone() {
                let v = std::mem::replace(&mut z.assignment[p + i], zero);
                if let Some(slot) = own.assignment.get_mut(p + i) {
                    *slot = v;
                }
            }
        }
        let mut m = msms(pk, z, backend, r_is_zero, t)?;
        let share = if let Some(share) = kept {
            self.hits.fetch_add(1, Ordering::Relaxed);
            share
        } else {
            let share = Share {
                a: timed(&mut t.msm_a, || {
                    backend.msm_g1(Query::A, &pk.a_query[1..], &own.assignment)
                })?,
                b_g1: timed(&mut t.msm_b_g1, || {
                    backend.msm_g1(Query::BG1, &pk.b_g1_query[1..], &own.assignment)
                })?,
                b_g2: timed(&mut t.msm_b_g2, || {
                    backend.msm_g2(Query::BG2, &pk.b_g2_query[1..], &own.assignment)
                })?,
                l: timed(&mut t.msm_l, || {
                    backend.msm_g1(Query::L, &pk.l_query, own.witness())
                })?,
            };
            self.misses.fetch_add(1, Ordering::Relaxed);
            self.keep(key, share.clone());
            share
        };
        m.a += share.a;
        if !r_is_zero {
            m.b_g1 += share.b_g1;
        }
        m.b_g2 += share.b_g2;
        m.l += share.l;
        Ok(m)
    }

    fn keep(&self, key: [u8; 32], share: Share) {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.shares.insert(key, share).is_none() {
            cache.order.push_back(key);
        }
        while cache.order.len() > self.capacity {
            if let Some(oldest) = cache.order.pop_front() {
                cache.shares.remove(&oldest);
            }
        }
    }
}
