//! The validation pipeline of DESIGN.md §4, from raw transaction bytes to committed state:
//! admission ([`Node::check_txs`]: size cap, canonical decode, the stateful rules against the
//! last committed state, full verification as one batch, then a bounded de-duplicating
//! mempool), proposal ([`Node::propose`]), block execution ([`Node::execute`]: every statement
//! resolved against the state at the start of the block, the block's proofs verified as ONE
//! batch except those whose verdict is cached, then the rules and the writes in block order)
//! and commit ([`Node::commit`], one atomic write with the app hash).
//!
//! The verdict cache is keyed by the SHA-256 of the transaction's whole wire bytes (its id
//! leaves out the signature and the proofs, so an id alone would let mauled proofs ride on a
//! verdict) and a fingerprint of its resolved statement; a proposer's word is never taken.
use crate::kv::Kv;
use crate::ledger::{genesis_batch, BlockWriter, Committed, SealedBlock, View};
use crate::mempool::{Mempool, MempoolEntry};
use crate::metrics::Metrics;
use crate::rules::{self, RuleError};
use corridor_core::domain;
use corridor_core::error::DecodeError;
use corridor_core::genesis::Genesis;
use corridor_core::hash::Hasher;
use corridor_core::state::{BlockContext, StoreError};
use corridor_core::statement::{resolve, Statement};
use corridor_core::tx::{Transaction, TxId};
use corridor_verifier::groth16::PreparedKey;
use corridor_verifier::{prepare_resolved, Batch, Threads, VerifyContext, VerifyError};
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Instant;
use thiserror::Error;

/// Why a transaction is refused (at admission or in a block).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum TxError {
    /// Over the size cap.
    #[error("transaction of {size} bytes is over the cap of {max}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// Not a canonical transaction encoding.
    #[error("decode: {0}")]
    Decode(#[from] DecodeError),
    /// A ledger rule.
    #[error("rule: {0}")]
    Rule(#[from] RuleError),
    /// The verifier refused it (statement, signature or proof).
    #[error("verify: {0}")]
    Verify(#[from] VerifyError),
    /// Already waiting in the mempool.
    #[error("transaction {0} is already in the mempool")]
    InMempool(TxId),
    /// The mempool is full.
    #[error("the mempool is full ({capacity} transactions)")]
    MempoolFull {
        /// Its capacity.
        capacity: usize,
    },
    /// The block's uncached proofs do not verify as one batch (a proposal is refused whole,
    /// without bisection).
    #[error("the block's proofs do not verify as one batch")]
    BatchRejected,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TxError {
    /// A short label for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            TxError::TooLarge { .. } => "too_large",
            TxError::Decode(_) => "decode",
            TxError::Rule(r) => r.reason(),
            TxError::Verify(VerifyError::Statement(_)) => "statement",
            TxError::Verify(VerifyError::Signature { .. }) => "signature",
            TxError::Verify(VerifyError::Proof(_)) => "proof",
            TxError::Verify(_) => "verify",
            TxError::InMempool(_) => "in_mempool",
            TxError::MempoolFull { .. } => "mempool_full",
            TxError::BatchRejected => "batch_rejected",
            TxError::Store(_) => "store",
        }
    }
}

/// Why the node cannot start or go on.
#[derive(Debug, Error)]
pub enum NodeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data folder belongs to another genesis.
    #[error("the store was initialised with genesis {stored}, this genesis is {expected}")]
    GenesisMismatch {
        /// Hex hash in the store.
        stored: String,
        /// Hex hash of the genesis given.
        expected: String,
    },
    /// The KYC verifying key is not the one genesis pins.
    #[error("kyc verifying key {found} is not the key genesis pins ({expected})")]
    KycKeyMismatch {
        /// Genesis's `vk_hash`, hex.
        expected: String,
        /// The key's SHA-256, hex.
        found: String,
    },
    /// Genesis is inconsistent.
    #[error("genesis: {0}")]
    Genesis(String),
    /// The verification threads could not start.
    #[error("threads: {0}")]
    Threads(String),
    /// A block at another height than the next one.
    #[error("block height {found}: the next block is {expected}")]
    Height {
        /// The next height.
        expected: u64,
        /// The block's.
        found: u64,
    },
    /// A block refused whole.
    #[error(transparent)]
    Block(#[from] BlockError),
    /// A block that does not follow the committed state it was executed on.
    #[error(
        "block {height} was executed on app hash {executed_on}, the committed one is {committed}"
    )]
    Stale {
        /// Its height.
        height: u64,
        /// The app hash it was built on, hex.
        executed_on: String,
        /// The committed app hash, hex.
        committed: String,
    },
}

/// A proposal that must be refused whole (ProcessProposal).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("transaction {index}: {error}")]
pub struct BlockError {
    /// The first bad transaction's position.
    pub index: usize,
    /// What is wrong with it.
    pub error: TxError,
}

/// The node's settings.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Verification threads.
    pub threads: usize,
    /// Most transactions waiting.
    pub mempool_capacity: usize,
    /// Largest transaction accepted, in bytes.
    pub max_tx_bytes: usize,
    /// Most transactions a proposal takes.
    pub max_block_txs: usize,
    /// Most verdicts remembered.
    pub cache_capacity: usize,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            mempool_capacity: 10_000,
            max_tx_bytes: 64 * 1024,
            max_block_txs: 1_000,
            cache_capacity: 50_000,
        }
    }
}

/// A block executed on the committed state, not yet committed.
#[derive(Clone, Debug)]
pub struct ExecutedBlock {
    /// Each transaction's outcome, in block order: its id, or why it was refused (it then
    /// changed nothing).
    pub results: Vec<Result<TxId, TxError>>,
    /// The writes and the block record.
    pub sealed: SealedBlock,
    /// The app hash it was executed on.
    pub parent: [u8; 32],
}

impl ExecutedBlock {
    /// The app hash after it.
    pub fn app_hash(&self) -> [u8; 32] {
        self.sealed.record.app_hash
    }
}

/// Recently verified transactions: `SHA-256(wire bytes)` → fingerprint of the statement they
/// were verified against.
#[derive(Debug, Default)]
struct VerdictCache {
    map: HashMap<[u8; 32], [u8; 32]>,
    order: VecDeque<[u8; 32]>,
    capacity: usize,
}

impl VerdictCache {
    fn hit(&self, bytes_hash: &[u8; 32], fingerprint: &[u8; 32]) -> bool {
        self.map.get(bytes_hash) == Some(fingerprint)
    }

    fn insert(&mut self, bytes_hash: [u8; 32], fingerprint: [u8; 32]) {
        if self.map.insert(bytes_hash, fingerprint).is_none() {
            self.order.push_back(bytes_hash);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

/// What a statement's verdict depends on: the resolved transcript (every public field, the
/// resolved notes, quote, policy and keys), the KYC public inputs, and the key.
fn fingerprint(statement: &Statement, key: &[u8; 32]) -> [u8; 32] {
    let mut challenge = [0u8; 32];
    statement
        .transcript()
        .challenge_bytes(domain::STATEMENT_FINGERPRINT, &mut challenge);
    let mut h = Hasher::new(domain::STATEMENT_FINGERPRINT)
        .part(&challenge)
        .part(key)
        .part(statement.kind.as_bytes());
    if let Some(k) = &statement.kyc {
        h = h
            .part(&k.allowed_mask.to_be_bytes())
            .part(&k.max_tier.to_be_bytes())
            .part(&k.escrow_pk)
            .part(&k.link.0)
            .part(format!("{:?}", k.scope).as_bytes())
            .part(&k.signer.to_bytes())
            .part(&k.digest.0);
    }
    h.finish()
}

/// The size of a `len`-byte transaction inside a block's data as CometBFT counts it: a
/// protobuf `bytes` field (tag, varint length, bytes).
fn proto_field_size(len: usize) -> usize {
    let mut varint = 1;
    let mut rest = len >> 7;
    while rest > 0 {
        varint += 1;
        rest >>= 7;
    }
    len.saturating_add(1 + varint)
}

fn bytes_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// One transaction on its way through a block.
struct InBlock {
    bytes_hash: [u8; 32],
    tx: Transaction,
    statement: Statement,
    fingerprint: [u8; 32],
}

/// The node: genesis, the store, the KYC key, the verification threads, the verdict cache and
/// the mempool. Shared between the API's tasks (`&self` everywhere; commits are serialised).
pub struct Node {
    genesis: Genesis,
    kv: Arc<dyn Kv>,
    key: PreparedKey,
    key_hash: [u8; 32],
    threads: Threads,
    config: NodeConfig,
    committed: RwLock<Committed>,
    cache: Mutex<VerdictCache>,
    mempool: Mutex<Mempool>,
    commit_lock: Mutex<()>,
    metrics: Metrics,
}

impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("network", &self.genesis.network)
            .field("committed", &self.committed())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind (a cache, a queue):
    // recover it rather than poisoning the node.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The hash of a genesis, the app hash before the first block: `H(GENESIS_HASH, canonical
/// genesis TOML)`.
pub fn genesis_hash(genesis: &Genesis) -> Result<[u8; 32], NodeError> {
    let text = crate::genesis::GenesisFile::from_genesis(genesis)
        .to_toml()
        .map_err(|e| NodeError::Genesis(e.to_string()))?;
    Ok(Hasher::new(domain::GENESIS_HASH)
        .part(text.as_bytes())
        .finish())
}

impl Node {
    /// Opens the node on `kv`: initialises an empty store for `genesis` (height 0 at
    /// `genesis_time`), or checks that a used one was initialised for the same genesis.
    ///
    /// # Errors
    /// [`NodeError::KycKeyMismatch`] if `key` is not the key genesis pins,
    /// [`NodeError::GenesisMismatch`] for another genesis's store, store errors.
    pub fn open(
        genesis: Genesis,
        kv: Arc<dyn Kv>,
        key: PreparedKey,
        genesis_time: u64,
        config: NodeConfig,
    ) -> Result<Self, NodeError> {
        genesis
            .validate()
            .map_err(|e| NodeError::Genesis(e.to_string()))?;
        let key_hash = key.sha256();
        if key_hash != genesis.vk_hash {
            return Err(NodeError::KycKeyMismatch {
                expected: hex::encode(genesis.vk_hash),
                found: hex::encode(key_hash),
            });
        }
        let hash = genesis_hash(&genesis)?;
        let view = View::committed(kv.as_ref());
        match view.genesis_hash()? {
            Some(stored) if stored != hash => {
                return Err(NodeError::GenesisMismatch {
                    stored: hex::encode(stored),
                    expected: hex::encode(hash),
                })
            }
            Some(_) => {}
            None => kv.write(&genesis_batch(
                &genesis.institutional_addresses(),
                &hash,
                genesis_time,
            ))?,
        }
        let committed = View::committed(kv.as_ref())
            .last_committed()?
            .ok_or_else(|| {
                StoreError::new(crate::ledger::Corrupt {
                    table: "meta",
                    what: "height missing after genesis",
                })
            })?;
        let threads =
            Threads::new(config.threads).map_err(|e| NodeError::Threads(e.to_string()))?;
        let metrics = Metrics::default();
        metrics.set_height(committed.height);
        Ok(Self {
            genesis,
            kv,
            key,
            key_hash,
            threads,
            cache: Mutex::new(VerdictCache {
                capacity: config.cache_capacity,
                ..VerdictCache::default()
            }),
            mempool: Mutex::new(Mempool::new(config.mempool_capacity)),
            config,
            committed: RwLock::new(committed),
            commit_lock: Mutex::new(()),
            metrics,
        })
    }

    /// Genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The last committed block.
    pub fn committed(&self) -> Committed {
        *self
            .committed
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads of the committed state.
    pub fn view(&self) -> View<'_> {
        View::committed(self.kv.as_ref())
    }

    /// The KYC verifying key.
    pub fn kyc_key(&self) -> &PreparedKey {
        &self.key
    }

    /// The node's counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The settings.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// Transactions waiting in the mempool.
    pub fn mempool_len(&self) -> usize {
        lock(&self.mempool).len()
    }

    /// The context of block `block` over the committed state.
    fn context<'a>(&'a self, view: &'a View<'a>, block: BlockContext) -> VerifyContext<'a> {
        VerifyContext {
            genesis: &self.genesis,
            state: view,
            block,
            kyc_key: &self.key,
        }
    }

    /// The block after the committed one, at `time` (never before the committed time).
    pub fn next_block(&self, time: u64) -> BlockContext {
        let c = self.committed();
        BlockContext {
            height: c.height + 1,
            time: time.max(c.time),
        }
    }

    /// Decodes `bytes`, checks the rules against the committed state (a rule broken before
    /// the block is named as the rule, before resolution would refuse it otherwise), and
    /// resolves the statement against the committed state for `block`.
    fn decode_resolve(&self, bytes: &[u8], block: BlockContext) -> Result<InBlock, TxError> {
        let tx = self.decode_checked(bytes, block.height)?;
        let view = self.view();
        let statement = resolve(tx.unsigned(), &self.genesis, &view, &block)
            .map_err(|e| TxError::Verify(e.into()))?;
        let fingerprint = fingerprint(&statement, &self.key_hash);
        Ok(InBlock {
            bytes_hash: bytes_hash(bytes),
            tx,
            statement,
            fingerprint,
        })
    }

    /// Verifies, as one batch, those of `items` whose verdict is not cached, and caches the
    /// new verdicts. `strict`: one combined check, no bisection (a failure is reported on the
    /// first uncached transaction; used for proposals that must verify whole).
    fn verify(
        &self,
        items: Vec<Result<InBlock, TxError>>,
        block: BlockContext,
        strict: bool,
    ) -> Vec<Result<InBlock, TxError>> {
        let start = Instant::now();
        let view = self.view();
        let ctx = self.context(&view, block);
        let cached: Vec<bool> = {
            let cache = lock(&self.cache);
            items
                .iter()
                .map(|i| {
                    i.as_ref()
                        .is_ok_and(|b| cache.hit(&b.bytes_hash, &b.fingerprint))
                })
                .collect()
        };
        // Prepare the uncached ones (decode every proof element), spread over the threads.
        let prepared = self.threads.map(
            &items.iter().zip(&cached).collect::<Vec<_>>(),
            |(item, hit)| match item {
                Ok(b) if !**hit => Some(
                    prepare_resolved(b.tx.clone(), b.statement.clone(), &ctx)
                        .map_err(TxError::from),
                ),
                _ => None,
            },
        );
        let mut batch = Batch::new(&self.key);
        let mut positions = Vec::new();
        let mut errors: Vec<Option<TxError>> = vec![None; items.len()];
        for (i, p) in prepared.into_iter().enumerate() {
            match p {
                Some(Ok(p)) => match batch.add(p) {
                    Ok(_) => positions.push(i),
                    Err(e) => errors[i] = Some(e.into()),
                },
                Some(Err(e)) => errors[i] = Some(e),
                None => {}
            }
        }
        if !batch.is_empty() {
            if strict {
                let (ok, _) = batch.check(&mut OsRng, &self.threads);
                if !ok {
                    if let Some(&first) = positions.first() {
                        errors[first] = Some(TxError::BatchRejected);
                    }
                    positions.clear();
                }
            } else {
                let outcome = batch.finish(&mut OsRng, &self.threads);
                for (&i, r) in positions.iter().zip(outcome.results) {
                    if let Err(e) = r {
                        errors[i] = Some(e.into());
                    }
                }
            }
        }
        self.metrics
            .add_verify_seconds(start.elapsed().as_secs_f64());
        {
            let mut cache = lock(&self.cache);
            for &i in &positions {
                if errors[i].is_none() {
                    if let Ok(b) = &items[i] {
                        cache.insert(b.bytes_hash, b.fingerprint);
                    }
                }
            }
        }
        items
            .into_iter()
            .zip(errors)
            .map(|(item, e)| match (item, e) {
                (Ok(_), Some(e)) => Err(e),
                (item, _) => item,
            })
            .collect()
    }

    /// Admission of each of `txs` up to the mempool: size cap, canonical decode, the rules
    /// against the last committed state, verification (one batch for all of them; bisection
    /// names the bad ones), for the next block at `time` (never before the committed time).
    fn admitted(&self, txs: &[Vec<u8>], time: u64) -> Vec<Result<InBlock, TxError>> {
        let block = self.next_block(time);
        let items: Vec<Result<InBlock, TxError>> = self
            .threads
            .map(txs, |bytes| self.decode_resolve(bytes, block));
        self.verify(items, block, false)
    }

    fn count_admissions(&self, results: &[Result<TxId, TxError>]) {
        for r in results {
            match r {
                Ok(_) => self.metrics.admitted(),
                Err(e) => self.metrics.rejected(e.reason()),
            }
        }
    }

    /// Admission (CheckTx) of each of `txs`: size cap, canonical decode, the rules against the
    /// last committed state, verification (one batch for all of them; bisection names the bad
    /// ones), then the mempool. Each result is the transaction's id or why it was refused.
    pub fn check_txs(&self, txs: &[Vec<u8>]) -> Vec<Result<TxId, TxError>> {
        self.check_txs_at(txs, self.committed().time)
    }

    /// Admission as [`Self::check_txs`], for the next block at `time` (never before the
    /// committed time): the embedded node admits at the wall clock it will cut the block at,
    /// so that a KYC proof of today's epoch day is judged against today.
    pub fn check_txs_at(&self, txs: &[Vec<u8>], time: u64) -> Vec<Result<TxId, TxError>> {
        let verified = self.admitted(txs, time);
        let mut mempool = lock(&self.mempool);
        let results: Vec<Result<TxId, TxError>> = verified
            .into_iter()
            .zip(txs)
            .map(|(item, bytes)| {
                let item = item?;
                mempool.insert(MempoolEntry {
                    id: item.tx.id(),
                    bytes: bytes.clone(),
                })
            })
            .collect();
        drop(mempool);
        self.count_admissions(&results);
        results
    }

    /// Admission of each of `txs` without the node's mempool, for a consensus engine that
    /// keeps its own (CometBFT's CheckTx): the same checks as [`Self::check_txs`].
    pub fn admit_txs(&self, txs: &[Vec<u8>]) -> Vec<Result<TxId, TxError>> {
        let results: Vec<Result<TxId, TxError>> = self
            .admitted(txs, self.committed().time)
            .into_iter()
            .map(|item| item.map(|i| i.tx.id()))
            .collect();
        self.count_admissions(&results);
        results
    }

    /// Whether a transaction admitted earlier still passes the rules against the committed
    /// state (CometBFT's recheck after each commit): size cap, decode and the rules only,
    /// its proofs were verified at admission.
    pub fn recheck(&self, bytes: &[u8]) -> Result<TxId, TxError> {
        let tx = self.decode_checked(bytes, self.committed().height + 1)?;
        Ok(tx.id())
    }

    /// The size cap, the canonical decode, and the rules against the committed state for a
    /// block at `height`.
    fn decode_checked(&self, bytes: &[u8], height: u64) -> Result<Transaction, TxError> {
        if bytes.len() > self.config.max_tx_bytes {
            return Err(TxError::TooLarge {
                size: bytes.len(),
                max: self.config.max_tx_bytes,
            });
        }
        let tx = Transaction::decode(bytes)?;
        let view = self.view();
        rules::check(&tx, &self.genesis, &view, &view, height)?;
        Ok(tx)
    }

    /// Admission of one transaction.
    pub fn check_tx(&self, bytes: &[u8]) -> Result<TxId, TxError> {
        self.check_tx_at(bytes, self.committed().time)
    }

    /// Admission of one transaction for the next block at `time`.
    pub fn check_tx_at(&self, bytes: &[u8], time: u64) -> Result<TxId, TxError> {
        self.check_txs_at(&[bytes.to_vec()], time)
            .pop()
            .unwrap_or(Err(TxError::MempoolFull { capacity: 0 }))
    }

    /// A proposal for block `block`: mempool transactions in arrival order that pass the
    /// rules in sequence (a transaction conflicting with an earlier one is left out), at most
    /// `max_txs` of them.
    pub fn propose(&self, block: BlockContext, max_txs: usize) -> Vec<Vec<u8>> {
        let candidates = lock(&self.mempool)
            .entries()
            .into_iter()
            .map(|e| e.bytes)
            .collect();
        self.propose_from(block, candidates, max_txs, usize::MAX)
    }

    /// A proposal for block `block` from `candidates` (CometBFT's PrepareProposal hands over
    /// its mempool's transactions): those that resolve and pass the rules in sequence, in
    /// their order, at most `max_txs` of them (and the node's `max_block_txs`) and at most
    /// `max_bytes` counted as CometBFT counts a block's data (each transaction as a protobuf
    /// `bytes` field: its length, a tag byte and the length's varint).
    pub fn propose_from(
        &self,
        block: BlockContext,
        candidates: Vec<Vec<u8>>,
        max_txs: usize,
        max_bytes: usize,
    ) -> Vec<Vec<u8>> {
        let view = self.view();
        let mut writer = BlockWriter::default();
        let mut out = Vec::new();
        let mut size = 0usize;
        for bytes in candidates {
            if out.len() >= max_txs.min(self.config.max_block_txs) {
                break;
            }
            let tx_size = proto_field_size(bytes.len());
            if size.saturating_add(tx_size) > max_bytes {
                continue;
            }
            let Ok(item) = self.decode_resolve(&bytes, block) else {
                continue;
            };
            let pending = View::with_pending(self.kv.as_ref(), writer.pending());
            if rules::check(&item.tx, &self.genesis, &view, &pending, block.height).is_err() {
                continue;
            }
            if writer
                .apply(
                    self.kv.as_ref(),
                    &item.tx,
                    &bytes,
                    &item.statement.output_assets,
                    block.height,
                )
                .is_err()
            {
                continue;
            }
            size += tx_size;
            out.push(bytes);
        }
        out
    }

    /// Executes block `block` of `txs` on the committed state: resolves every statement,
    /// verifies the uncached ones as one batch, then checks the rules and writes each in
    /// order. `strict` (ProcessProposal): the first bad transaction refuses the whole block;
    /// otherwise (FinalizeBlock, embedded blocks) a bad transaction is recorded with its error
    /// and changes nothing.
    ///
    /// # Errors
    /// [`BlockError`] in strict mode; never otherwise.
    pub fn execute(
        &self,
        txs: &[Vec<u8>],
        block: BlockContext,
        strict: bool,
    ) -> Result<ExecutedBlock, BlockError> {
        let parent = self.committed();
        let items = self
            .threads
            .map(txs, |bytes| self.decode_resolve(bytes, block));
        if strict {
            if let Some((index, Err(error))) = items.iter().enumerate().find(|(_, r)| r.is_err()) {
                return Err(BlockError {
                    index,
                    error: error.clone(),
                });
            }
        }
        let verified = self.verify(items, block, strict);
        let view = self.view();
        let mut writer = BlockWriter::default();
        let mut results = Vec::with_capacity(txs.len());
        for (index, (item, bytes)) in verified.into_iter().zip(txs).enumerate() {
            let outcome = item.and_then(|item| {
                let pending = View::with_pending(self.kv.as_ref(), writer.pending());
                rules::check(&item.tx, &self.genesis, &view, &pending, block.height)?;
                writer.apply(
                    self.kv.as_ref(),
                    &item.tx,
                    bytes,
                    &item.statement.output_assets,
                    block.height,
                )?;
                Ok(item.tx.id())
            });
            if strict {
                if let Err(error) = outcome {
                    return Err(BlockError { index, error });
                }
            }
            results.push(outcome);
        }
        Ok(ExecutedBlock {
            results,
            sealed: writer.seal(&parent.app_hash, block.height, block.time),
            parent: parent.app_hash,
        })
    }

    /// Commits an executed block in one atomic write, then drops its transactions and those
    /// it made invalid from the mempool.
    ///
    /// # Errors
    /// [`NodeError::Height`] or [`NodeError::Stale`] for a block that does not follow the
    /// committed state; store errors (nothing is then committed).
    pub fn commit(&self, block: ExecutedBlock) -> Result<Committed, NodeError> {
        let _serial = lock(&self.commit_lock);
        let current = self.committed();
        let height = block.sealed.record.height;
        if height != current.height + 1 {
            return Err(NodeError::Height {
                expected: current.height + 1,
                found: height,
            });
        }
        if block.parent != current.app_hash {
            return Err(NodeError::Stale {
                height,
                executed_on: hex::encode(block.parent),
                committed: hex::encode(current.app_hash),
            });
        }
        self.kv.write(&block.sealed.batch)?;
        let committed = Committed {
            height,
            app_hash: block.sealed.record.app_hash,
            time: block.sealed.record.time,
        };
        *self
            .committed
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = committed;
        self.metrics.set_height(height);
        for r in &block.results {
            if let Err(e) = r {
                self.metrics.rejected(e.reason());
            }
        }
        self.recheck_mempool();
        Ok(committed)
    }

    /// Drops from the mempool what the committed state now refuses (committed, spent inputs,
    /// used nullifiers...): the rules only, proofs were verified at admission.
    fn recheck_mempool(&self) {
        let entries = lock(&self.mempool).entries();
        let block = self.next_block(self.committed().time);
        let view = self.view();
        let stale: Vec<TxId> = entries
            .iter()
            .filter(|e| {
                Transaction::decode(&e.bytes).map_or(true, |tx| {
                    rules::check(&tx, &self.genesis, &view, &view, block.height).is_err()
                })
            })
            .map(|e| e.id)
            .collect();
        lock(&self.mempool).remove(&stale);
    }

    /// Proposes, executes and commits one block at `time` from the mempool (the embedded
    /// node's step). `None` if nothing waits.
    ///
    /// # Errors
    /// Store errors (nothing is then committed).
    pub fn step(&self, time: u64) -> Result<Option<ExecutedBlock>, NodeError> {
        if self.mempool_len() == 0 {
            return Ok(None);
        }
        let block = self.next_block(time);
        let txs = self.propose(block, self.config.max_block_txs);
        if txs.is_empty() {
            self.recheck_mempool();
            return Ok(None);
        }
        let executed = self.execute(&txs, block, false)?;
        self.commit(executed.clone())?;
        Ok(Some(executed))
    }
}
