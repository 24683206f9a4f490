//! Block-wide batch verification (DESIGN.md §4.3): [`prepare`] each transaction against its
//! context → [`Batch::add`] it → [`Batch::finish`] (or [`Batch::check`]).
//!
//! - *Prepare* does all the work that can fail for one transaction alone: resolve the
//!   statement, parse the signature and derive its challenge, replay the transcript of every
//!   sigma proof and of the range proof (decoding and decompressing every point), decode the
//!   Groth16 proof and resolve its public inputs (and prepare its `B` for the Miller loop).
//!   One check is left to the proof: that `escrow_R` lies in Baby Jubjub's prime-order
//!   subgroup (a scalar multiplication by the group order) is implied by a verifying KYC proof,
//!   whose circuit constrains `escrow_R = k·B8`; preparation checks that it is a canonical
//!   point of the curve, and a transaction checked alone (every refused one) gets the full
//!   check, so the error for such a point is the same typed one as ever.
//!   A transaction that fails here never enters a batch, and gets the error an unbatched
//!   verifier gives: the checks before the one that failed to prepare are verified alone
//!   first, in the order below.
//! - *Finish* draws, from the caller's CSPRNG and only then, an independent, uniform,
//!   non-zero 128-bit weight for every equation of every sigma proof, every signature and each
//!   of the two checks of every range proof, and folds all of them into ONE Ristretto
//!   multiscalar multiplication ([`crate::msm`]) in which `G`, `H` and the bulletproofs
//!   generators appear once; every KYC proof gets its own weight in ONE multi-pairing
//!   ([`crate::groth16`]). Both must hold. A batch whose transactions are all valid always
//!   passes; one holding an invalid equation passes with probability at most about `2^-128`
//!   per draw (the weighted sum of non-zero error points vanishes only for weights in a set
//!   of that density). If it fails, [`crate::bisect`] splits it, redrawing weights per half,
//!   down to single transactions, each verified alone with its own error.
//! - Alone, a transaction's checks run in this order, and the first that fails is its error:
//!   the signature ([`VerifyError::Signature`]), each sigma proof's equations in proof order
//!   ([`ProofError::Sigma`]), the range proof ([`ProofError::Range`]), the KYC proof
//!   ([`ProofError::Kyc`]). [`crate::verify_transaction`] is a batch of one.
//!
//! Preparation, the scalar work, the MSM's chunks and the Miller loops run on [`Threads`].
use crate::bisect::{bisect, nonzero_u128, BatchCheck};
use crate::error::{ProofError, VerifyError};
use crate::field::Fe;
use crate::groth16::{
    prepare_b, verify as verify_groth16, weighted_holds, Groth16VerifyError, PairingTerm,
    PreparedB, PreparedKey, ProofWeight,
};
use crate::msm::Terms;
use crate::parallel::Threads;
use crate::range::{prepare_range, PreparedRange};
use crate::sigma::{equations, relation_name};
use crate::signature::SignatureCheck;
use crate::transaction::{
    kyc_claim, kyc_claim_for_proof_check, KycStatus, VerifiedTransaction, VerifyContext,
};
use ark_bn254::{Bn254, Fr};
use ark_groth16::Proof;
use corridor_core::sigma::Equation;
use corridor_core::statement::{resolve, Statement};
use corridor_core::tx::Transaction;
use curve25519_dalek::traits::IsIdentity;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore};
use std::fmt;
use std::time::{Duration, Instant};

/// A sigma proof's equations, its transcript replayed.
#[derive(Clone, Debug)]
struct SigmaCheck {
    relation: &'static str,
    index: usize,
    equations: Vec<Equation>,
}

/// A customer's KYC proof: decoded with validation, its public inputs resolved by the
/// verifier, its `B` prepared.
#[derive(Clone)]
struct KycCheck {
    proof: Proof<Bn254>,
    b: PreparedB,
    inputs: Vec<Fr>,
}

/// A transaction prepared for a batch: its statement resolved and every proof element
/// decoded; nothing verified yet.
#[derive(Clone)]
pub struct PreparedTransaction {
    tx: Transaction,
    statement: Statement,
    signature: SignatureCheck,
    sigma: Vec<SigmaCheck>,
    range: Option<PreparedRange>,
    kyc: Option<KycCheck>,
    /// SHA-256 of the KYC verifying key it was prepared against.
    key: [u8; 32],
}

impl fmt::Debug for PreparedTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedTransaction")
            .field("id", &self.tx.id())
            .field("kind", &self.statement.kind)
            .field("sigma_proofs", &self.sigma.len())
            .field("range", &self.range.is_some())
            .field("kyc", &self.kyc.is_some())
            .finish()
    }
}

/// Prepares `tx` against `ctx` (see the module doc).
///
/// # Errors
/// What an unbatched verifier would say first: a statement error, a signature that does not
/// parse, or a structural proof error (counts, shapes, lengths, non-canonical or undecodable
/// elements, a KYC key other than genesis's) after verifying alone the checks that come
/// before it.
pub fn prepare(
    tx: Transaction,
    ctx: &VerifyContext<'_>,
) -> Result<PreparedTransaction, VerifyError> {
    let statement = resolve(tx.unsigned(), ctx.genesis, ctx.state, &ctx.block)?;
    prepare_resolved(tx, statement, ctx)
}

/// [`prepare`] for a transaction whose statement the caller already resolved against
/// `ctx` (the node resolves first to look up its verdict cache).
///
/// # Errors
/// As [`prepare`], after resolution.
pub fn prepare_resolved(
    tx: Transaction,
    statement: Statement,
    ctx: &VerifyContext<'_>,
) -> Result<PreparedTransaction, VerifyError> {
    let kind = statement.kind;
    let signature = SignatureCheck::new(
        &statement.signer,
        &tx.unsigned().signing_bytes(),
        tx.signature(),
    )
    .ok_or(VerifyError::Signature { kind })?;
    let mut prepared = PreparedTransaction {
        tx,
        statement,
        signature,
        sigma: Vec::new(),
        range: None,
        kyc: None,
        key: ctx.kyc_key.sha256(),
    };
    if let Err(e) = prepared.prepare_proofs(ctx) {
        // What was prepared before the failure is checked first, as it would be alone.
        prepared.check_alone(ctx.kyc_key, &Threads::current())?;
        return Err(e);
    }
    Ok(prepared)
}

/// Decodes (the canonical wire bytes, [`Transaction::decode`]) and prepares every transaction
/// of `encoded` against `ctx`, spread over `threads`, in order.
pub fn prepare_all(
    encoded: &[Vec<u8>],
    ctx: &VerifyContext<'_>,
    threads: &Threads,
) -> Vec<Result<PreparedTransaction, VerifyError>> {
    threads.map(encoded, |bytes| {
        Transaction::decode(bytes)
            .map_err(VerifyError::from)
            .and_then(|tx| prepare(tx, ctx))
    })
}

/// A uniform, non-zero 128-bit weight modulo `ℓ`.
fn scalar_weight<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Fe {
    Fe::from_u128(nonzero_u128(rng))
}

impl PreparedTransaction {
    /// The transaction.
    pub fn tx(&self) -> &Transaction {
        &self.tx
    }

    /// Its resolved statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    fn prepare_proofs(&mut self, ctx: &VerifyContext<'_>) -> Result<(), VerifyError> {
        let relations = &self.statement.relations;
        let proofs = self.tx.body().sigma_proofs();
        if proofs.len() != relations.len() {
            return Err(ProofError::SigmaCount {
                expected: relations.len(),
                found: proofs.len(),
            }
            .into());
        }
        let mut t = self.statement.transcript();
        for (index, (relation, proof)) in relations.iter().zip(proofs).enumerate() {
            let eqs = equations(relation, proof, index, &mut t)?;
            self.sigma.push(SigmaCheck {
                relation: relation_name(relation),
                index,
                equations: eqs,
            });
        }
        if let Some(rp) = self.tx.body().range_proof() {
            self.range = prepare_range(&self.statement.range, rp, relations.len(), &mut t)?;
        }
        if let Some(k) = &self.statement.kyc {
            if ctx.kyc_key.sha256() != ctx.genesis.vk_hash {
                return Err(VerifyError::KycKeyMismatch {
                    expected: hex::encode(ctx.genesis.vk_hash),
                    found: hex::encode(ctx.kyc_key.sha256()),
                });
            }
            let (proof, inputs) = kyc_claim_for_proof_check(k)?;
            ctx.kyc_key
                .input_count_fits(inputs.len())
                .map_err(|e| ProofError::KycInputs(e.to_string()))?;
            self.kyc = Some(KycCheck {
                b: prepare_b(&proof),
                proof,
                inputs,
            });
        }
        Ok(())
    }

    /// How many Ristretto weights its checks take.
    fn weight_count(&self) -> usize {
        1 + self.sigma.iter().map(|s| s.equations.len()).sum::<usize>()
            + if self.range.is_some() { 2 } else { 0 }
    }

    /// Adds every check, each times its own weight, to `terms`; false if `weights` is short
    /// (then the caller must not trust `terms`).
    fn add_weighted(&self, weights: &[Fe], terms: &mut Terms) -> bool {
        let mut weights = weights.iter().copied();
        let Some(w) = weights.next() else {
            return false;
        };
        self.signature.add(w, terms);
        for sigma in &self.sigma {
            for equation in &sigma.equations {
                let Some(w) = weights.next() else {
                    return false;
                };
                for (s, base) in &equation.terms {
                    terms.add_base(w * Fe::from_scalar(s), base);
                }
            }
        }
        if let Some(range) = &self.range {
            let (Some(w1), Some(w2)) = (weights.next(), weights.next()) else {
                return false;
            };
            range.add_inner_product_check(w1, terms);
            range.add_polynomial_check(w2, terms);
        }
        true
    }

    /// Verifies every prepared check alone, in the order of the module doc.
    fn check_alone(&self, key: &PreparedKey, threads: &Threads) -> Result<(), VerifyError> {
        let mut signature = Terms::default();
        self.signature.add(Fe::ONE, &mut signature);
        if !signature.is_identity(threads) {
            return Err(VerifyError::Signature {
                kind: self.statement.kind,
            });
        }
        for sigma in &self.sigma {
            for (equation, eq) in sigma.equations.iter().enumerate() {
                if !eq.holds() {
                    return Err(ProofError::Sigma {
                        relation: sigma.relation,
                        index: sigma.index,
                        equation,
                    }
                    .into());
                }
            }
        }
        if let Some(range) = &self.range {
            range.check_alone(threads)?;
        }
        if let Some(kyc) = &self.kyc {
            // The checks preparation left to the proof (escrow_R's subgroup), named first.
            if let Some(inputs) = &self.statement.kyc {
                kyc_claim(inputs)?;
            }
            match verify_groth16(key, &kyc.proof, &kyc.inputs) {
                Ok(()) => {}
                Err(Groth16VerifyError::Rejected) => return Err(ProofError::Kyc.into()),
                Err(e) => return Err(ProofError::KycInputs(e.to_string()).into()),
            }
        }
        Ok(())
    }

    fn into_verified(self) -> VerifiedTransaction {
        let kyc = if self.kyc.is_some() {
            KycStatus::Verified
        } else {
            KycStatus::NotRequired
        };
        VerifiedTransaction::new(self.tx, self.statement, kyc)
    }
}

/// Where a batch's time went (preparation, measured by the caller, excluded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchTimings {
    /// Drawing weights and multiplying them into every term, summing the shared bases'
    /// coefficients; the Groth16 input scalars.
    pub scalar: Duration,
    /// The Ristretto multiscalar multiplication.
    pub msm: Duration,
    /// The Groth16 side: weighted `A`s, the small G1 MSMs, Miller loops and the final
    /// exponentiation.
    pub pairing: Duration,
    /// Naming the bad transactions of a failed batch (zero when it passed).
    pub bisection: Duration,
}

/// A batch's verdict: one result per transaction, in the order they were added.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Each transaction verified, or its own error.
    pub results: Vec<Result<VerifiedTransaction, VerifyError>>,
    /// Where the time went.
    pub timings: BatchTimings,
}

/// Transactions prepared against one KYC verifying key, verified together.
pub struct Batch<'k> {
    key: &'k PreparedKey,
    txs: Vec<PreparedTransaction>,
}

impl fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Batch({} transactions)", self.txs.len())
    }
}

/// The whole check of [`Batch`] over a slice of its transactions, for [`bisect`].
struct TransactionCheck<'a> {
    key: &'a PreparedKey,
    threads: &'a Threads,
}

impl BatchCheck for TransactionCheck<'_> {
    type Item = PreparedTransaction;
    type Error = VerifyError;

    fn holds<R: RngCore + CryptoRng + ?Sized>(
        &self,
        items: &[PreparedTransaction],
        rng: &mut R,
    ) -> bool {
        holds(
            self.key,
            items,
            rng,
            self.threads,
            &mut BatchTimings::default(),
        )
    }

    fn single(&self, item: &PreparedTransaction) -> Result<(), VerifyError> {
        item.check_alone(self.key, self.threads)
    }
}

/// The combined check of `items` with fresh weights (module doc).
fn holds<R: RngCore + CryptoRng + ?Sized>(
    key: &PreparedKey,
    items: &[PreparedTransaction],
    rng: &mut R,
    threads: &Threads,
    timings: &mut BatchTimings,
) -> bool {
    let start = Instant::now();
    // Every weight is drawn now, after every proof was fixed: the KYC weights from `rng`, the
    // Ristretto weights from one ChaCha20 stream per chunk of transactions, seeded from `rng`
    // (so that the chunks draw theirs side by side).
    let kyc: Vec<PairingTerm<'_>> = items
        .iter()
        .filter_map(|tx| tx.kyc.as_ref())
        .map(|k| PairingTerm {
            proof: &k.proof,
            b: Some(&k.b),
            inputs: &k.inputs,
        })
        .collect();
    let kyc_weights: Vec<ProofWeight> = kyc.iter().map(|_| ProofWeight::draw(rng)).collect();
    let chunks = threads.count().max(1);
    let size = items.len().div_ceil(chunks).max(1);
    let ranges: Vec<(usize, usize, [u8; 32])> = (0..items.len())
        .step_by(size)
        .map(|a| {
            let mut seed = [0u8; 32];
            rng.fill_bytes(&mut seed);
            (a, (a + size).min(items.len()), seed)
        })
        .collect();

    // One `Terms` per chunk of transactions, then one for the batch.
    let parts = threads.map(&ranges, |&(a, b, seed)| {
        let mut stream = ChaCha20Rng::from_seed(seed);
        let mut terms = Terms::default();
        let mut weights = Vec::new();
        for tx in &items[a..b] {
            weights.clear();
            weights.extend((0..tx.weight_count()).map(|_| scalar_weight(&mut stream)));
            if !tx.add_weighted(&weights, &mut terms) {
                return None;
            }
        }
        Some(terms)
    });
    let Some(parts) = parts.into_iter().collect::<Option<Vec<Terms>>>() else {
        return false;
    };
    timings.scalar += start.elapsed();

    let start = Instant::now();
    let msm_holds = Terms::sum_parts(&parts, threads).is_identity();
    timings.msm += start.elapsed();
    if !msm_holds {
        return false;
    }
    let start = Instant::now();
    let pairing_holds = weighted_holds(key, &kyc, &kyc_weights, threads);
    timings.pairing += start.elapsed();
    pairing_holds
}

impl<'k> Batch<'k> {
    /// An empty batch for transactions whose KYC proofs verify under `key`.
    #[must_use]
    pub fn new(key: &'k PreparedKey) -> Self {
        Self {
            key,
            txs: Vec::new(),
        }
    }

    /// Adds a prepared transaction; its position is the batch's length before.
    ///
    /// # Errors
    /// [`VerifyError::KycKeyMismatch`] if it carries a KYC proof and was prepared against
    /// another key than the batch's.
    pub fn add(&mut self, tx: PreparedTransaction) -> Result<usize, VerifyError> {
        if tx.kyc.is_some() && tx.key != self.key.sha256() {
            return Err(VerifyError::KycKeyMismatch {
                expected: hex::encode(self.key.sha256()),
                found: hex::encode(tx.key),
            });
        }
        self.txs.push(tx);
        Ok(self.txs.len() - 1)
    }

    /// Transactions in the batch.
    #[must_use]
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Whether the batch is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Whether every transaction verifies, with one combined check and no bisection (a
    /// proposal that must verify whole). `rng` must be a CSPRNG the transactions' authors
    /// cannot predict.
    pub fn check<R: RngCore + CryptoRng + ?Sized>(
        &self,
        rng: &mut R,
        threads: &Threads,
    ) -> (bool, BatchTimings) {
        let mut timings = BatchTimings::default();
        let ok = holds(self.key, &self.txs, rng, threads, &mut timings);
        (ok, timings)
    }

    /// Verifies the batch; if the combined check fails, names every bad transaction with the
    /// error it gets alone (bisection, weights redrawn per half). `rng` must be a CSPRNG the
    /// transactions' authors cannot predict.
    pub fn finish<R: RngCore + CryptoRng + ?Sized>(
        self,
        rng: &mut R,
        threads: &Threads,
    ) -> BatchOutcome {
        let mut timings = BatchTimings::default();
        if holds(self.key, &self.txs, rng, threads, &mut timings) {
            return BatchOutcome {
                results: self
                    .txs
                    .into_iter()
                    .map(|tx| Ok(tx.into_verified()))
                    .collect(),
                timings,
            };
        }
        let start = Instant::now();
        let check = TransactionCheck {
            key: self.key,
            threads,
        };
        let mut bad = bisect(&check, &self.txs, true, rng).into_iter().peekable();
        timings.bisection = start.elapsed();
        // No transaction failing alone after a failed batch contradicts completeness: refuse
        // them all rather than accept a batch that did not verify.
        let consistent = bad.peek().is_some();
        let results = self
            .txs
            .into_iter()
            .enumerate()
            .map(|(i, tx)| match bad.peek() {
                Some((at, _)) if *at == i => Err(bad.next().map_or(
                    VerifyError::Proof(ProofError::BatchInconsistent),
                    |(_, e)| e,
                )),
                _ if !consistent => Err(ProofError::BatchInconsistent.into()),
                _ => Ok(tx.into_verified()),
            })
            .collect();
        BatchOutcome { results, timings }
    }
}
