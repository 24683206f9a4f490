//! The regulator's audit (DESIGN.md §1, §3.3, §3.6; `corridor audit`): a scan of the ledger over
//! the node's gRPC API that decrypts the amounts the regulator is entitled to, opens the KYC
//! identity escrows, totals what it saw and flags what deserves a look; and disclosure documents
//! ([`disclosure`]), the receipts a wallet hands a verifier.
//!
//! Entitlement is genesis's: a regulator whose view key `P` is auditor `i` of an asset
//! (`Genesis.assets[..].auditors[i]`) is decryptor `j = i + 1` of every amount of that asset
//! (the owner is `j = 0`). It decrypts those amounts and only those: a note of another asset is
//! counted ([`AuditReport::not_entitled`]) and never decrypted, and the public amounts of other
//! assets (their mints, burns, fees) are left out too, so that a report never carries another
//! jurisdiction's figures.
//!
//! What counts as a **payment** (the threshold flag, [`AssetTotals::payment_value`]) is what the
//! ledger's limit proof counts as paid (`core/src/statement.rs`, the `payees` of a Transfer and a
//! Payout): in a Transfer, an output whose owner is not the owner of the inputs (the signer); in
//! a Payout, an output to neither the operator's settlement nor its float address (the
//! beneficiary's). Change back to the signer, a Mint into the issuer's treasury, a Burn's change
//! and a Payout's legs to the operator's own addresses are not payments.
//!
//! Hints ([`HintCheck`]): an honest builder writes a hint for every decryptor. A regulator's
//! decryption that fell back to the discrete log although its hint slot held a box is a hint that
//! did not open or lied ([`FlagKind::HintRejected`]: the AEAD failed, or the plaintext disagreed
//! with the chunk equations, so the value the discrete log found is the true one); an empty slot
//! is [`FlagKind::HintMissing`]. Both still give the true value: nothing depends on hints.
//!
//! [`scan`] is synchronous: it blocks the calling thread on each RPC with the given runtime
//! handle, like [`RemoteState`]. Call it from a thread that is not a runtime's worker (the main
//! thread of a CLI, a test, `spawn_blocking`), with a multi-threaded runtime.
pub mod disclosure;
mod report;

pub use disclosure::{disclose_owned_note, DisclosureDocument, DisclosureSide};
pub use report::{
    AssetTotals, AuditEntry, AuditReport, DayTotals, EntryItem, EscrowOpening, Flag, FlagKind,
    ScanTiming, ValueSource,
};

use corridor_circuits::{fr_from_bytes, fr_to_bytes, EscrowCiphertext, EscrowSecretKey};
use corridor_core::address::Address;
use corridor_core::elgamal::{DecryptionPath, HintContext};
use corridor_core::genesis::Genesis;
use corridor_core::keys::ViewKey;
use corridor_core::note::Note;
use corridor_core::state::{PublicState, StoreError};
use corridor_core::tx::{KycProof, NoteId, Transaction, TxBody, TxId};
use corridor_core::DecodeError;
use corridor_prover::service::{node_api, NodeClient, RemoteState};
use corridor_prover::ProveError;
use corridor_verifier::ProofError;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::time::Instant;
use tokio::runtime::Handle;
use tonic::{Code, Status};

/// Why an audit, or a disclosure, failed. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A node RPC failed (unreachable node, or an error status).
    #[error("node RPC {rpc}: {code:?}: {message}")]
    Rpc {
        /// The RPC, e.g. `StreamBlocks`.
        rpc: &'static str,
        /// Its status code.
        code: Code,
        /// The status message.
        message: String,
    },
    /// GetNote failed for a note, or its answer did not decode.
    #[error("node RPC GetNote, note {note_id}: {source}")]
    Note {
        /// The note asked for.
        note_id: NoteId,
        /// What the read said (the RPC's status or the decoding error).
        #[source]
        source: StoreError,
    },
    /// The node does not have a note that a committed transaction created or spent.
    #[error("note {note_id}: the node does not have it (GetNote: NOT_FOUND)")]
    NoteNotFound {
        /// The note.
        note_id: NoteId,
    },
    /// The node's record of a note differs from the output of the transaction that created it.
    #[error("note {note_id} (output {output_index} of transaction {tx_id}): the node's record is not that output")]
    NoteMismatch {
        /// The note.
        note_id: NoteId,
        /// Its transaction.
        tx_id: TxId,
        /// Its output index.
        output_index: u32,
    },
    /// A block's transaction id is not 32 bytes.
    #[error("block {height}: transaction id {index} is {len} bytes, not 32")]
    TxIdLength {
        /// The block.
        height: u64,
        /// The id's position in the block.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// The bytes the node returned for a transaction do not decode.
    #[error("transaction {tx_id} (block {height}): the node's bytes do not decode: {source}")]
    TxDecode {
        /// The transaction asked for.
        tx_id: TxId,
        /// Its block.
        height: u64,
        /// The decoding error, by field path.
        #[source]
        source: DecodeError,
    },
    /// The node returned another transaction than the one asked for.
    #[error("transaction {asked}: the node returned transaction {got}")]
    TxMismatch {
        /// The id asked for.
        asked: TxId,
        /// The id of what came back.
        got: TxId,
    },
    /// The block stream skipped or repeated a height.
    #[error("StreamBlocks: expected block {expected}, got block {got}")]
    BlockOrder {
        /// The height expected next.
        expected: u64,
        /// The height received.
        got: u64,
    },
    /// The block stream ended before the last height of the range.
    #[error("StreamBlocks: the stream ended after block {last}, before block {to}")]
    StreamEnded {
        /// The last block received (`from − 1` if none).
        last: u64,
        /// The last height of the range.
        to: u64,
    },
    /// The range asks for blocks the node has not committed.
    #[error("heights {from}..={to}: the node is at height {height}")]
    BeyondTip {
        /// First height asked.
        from: u64,
        /// Last height asked.
        to: u64,
        /// The node's height.
        height: u64,
    },
    /// The range is empty.
    #[error("heights {from}..={to}: an empty range")]
    EmptyRange {
        /// First height asked.
        from: u64,
        /// Last height asked.
        to: u64,
    },
    /// The node serves another network than the genesis given.
    #[error("the node serves network {node:?}, the genesis is network {genesis:?}")]
    WrongNetwork {
        /// The node's network.
        node: String,
        /// The genesis's network.
        genesis: String,
    },
    /// The view key audits no asset of the network.
    #[error("view key {view_key} is no auditor of any asset of network {network:?}")]
    NotAnAuditor {
        /// The view key's public part, hex.
        view_key: String,
        /// The network.
        network: String,
    },
    /// A disclosure document's fields do not decode.
    #[error("disclosure document: {0}")]
    DisclosureDecode(#[source] DecodeError),
    /// A disclosure is presented for another network than its own.
    #[error("disclosure made for network {document:?}, verified on network {network:?}")]
    DisclosureNetwork {
        /// The document's network.
        document: String,
        /// The verifier's network.
        network: String,
    },
    /// A disclosure is presented with another note than the one it names.
    #[error("disclosure of note {document} checked against note {note}")]
    DisclosureNote {
        /// The note the document names.
        document: NoteId,
        /// The note it was checked against.
        note: NoteId,
    },
    /// A disclosure's proof does not verify: the value, nonce, note or network is not the one
    /// proven.
    #[error("disclosure of note {note_id} for value {value}: {source}")]
    DisclosureProof {
        /// The note.
        note_id: NoteId,
        /// The value claimed.
        value: u64,
        /// Which equation failed.
        #[source]
        source: ProofError,
    },
    /// A wallet asked to disclose a note that is not its own.
    #[error("note {note_id} belongs to {owner}, not to this wallet")]
    NotOwner {
        /// The note.
        note_id: NoteId,
        /// Its owner, bech32m.
        owner: String,
    },
    /// A wallet's own note does not decrypt with its view key.
    #[error("note {note_id}: does not decrypt with this wallet's view key")]
    NoteUndecryptable {
        /// The note.
        note_id: NoteId,
    },
    /// Making a disclosure failed.
    #[error("making the disclosure of note {note_id}: {source}")]
    DisclosureProve {
        /// The note.
        note_id: NoteId,
        /// The prover's error.
        #[source]
        source: ProveError,
    },
}

impl AuditError {
    fn rpc(rpc: &'static str) -> impl Fn(Status) -> AuditError {
        move |s| AuditError::Rpc {
            rpc,
            code: s.code(),
            message: s.message().to_string(),
        }
    }
}

/// How a regulator's decryption of one note went (see the module doc on hints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HintCheck {
    /// The regulator's hint opened and satisfied both chunk equations.
    Used,
    /// The regulator's hint slot held a box, yet the decryption fell back to the discrete log:
    /// the box did not open, or opened to a value or blinding that the chunks contradict.
    Rejected,
    /// No hint for the regulator: found by the discrete log.
    Missing,
}

/// What the regulator can read of one note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteReading {
    /// The regulator is no auditor of the note's asset: nothing is decrypted.
    NotEntitled,
    /// The value, and how the regulator's hint fared.
    Decrypted {
        /// `v`.
        value: u64,
        /// The hint.
        hint: HintCheck,
    },
    /// The regulator is entitled but no value below 2^64 decrypts (not expected: range proofs
    /// make every handle decryptable).
    Undecryptable,
}

/// Where a transaction sits: its block and its id, as the scan found them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxPlace {
    /// The block's height.
    pub height: u64,
    /// The block's time (UTC seconds).
    pub time: u64,
    /// The transaction.
    pub tx_id: TxId,
}

/// An output as the scan found it: where, in which kind of transaction, whether it is a payment
/// (see the module doc), its public amount (a Mint's), and the sender's `id_commit` when the
/// transaction's escrow was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputContext<'a> {
    /// Its transaction.
    pub place: TxPlace,
    /// The transaction's kind (`TxBody::kind`).
    pub kind: &'a str,
    /// Whether it pays someone other than the signer.
    pub payment: bool,
    /// A Mint's public amount.
    pub public_value: Option<u64>,
    /// The opened escrow of its transaction, hex.
    pub sender_id_commit: Option<&'a str>,
}

/// A regulator: its view key, the assets it audits, its escrow key (optional) and its payment
/// thresholds.
pub struct Auditor<'a> {
    genesis: &'a Genesis,
    view: &'a ViewKey,
    escrow: Option<&'a EscrowSecretKey>,
    thresholds: BTreeMap<String, u64>,
    /// Asset → decryptor index `j` (auditor position + 1).
    decryptors: BTreeMap<String, usize>,
}

impl std::fmt::Debug for Auditor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auditor")
            .field("network", &self.genesis.network)
            .field("assets", &self.decryptors)
            .field("escrow", &self.escrow.is_some())
            .field("thresholds", &self.thresholds)
            .finish_non_exhaustive()
    }
}

impl<'a> Auditor<'a> {
    /// The regulator holding `view` on `genesis`'s network, opening escrows with `escrow` when
    /// given, flagging payments above `thresholds` (asset → minor units; a payment of exactly
    /// the threshold is not flagged).
    ///
    /// # Errors
    /// [`AuditError::NotAnAuditor`] when `view` audits no asset of the network.
    pub fn new(
        genesis: &'a Genesis,
        view: &'a ViewKey,
        escrow: Option<&'a EscrowSecretKey>,
        thresholds: BTreeMap<String, u64>,
    ) -> Result<Self, AuditError> {
        let p = view.public();
        let decryptors: BTreeMap<String, usize> = genesis
            .assets
            .iter()
            .filter_map(|a| {
                let i = a.auditors.iter().position(|k| *k == p)?;
                Some((a.code.clone(), i + 1))
            })
            .collect();
        if decryptors.is_empty() {
            return Err(AuditError::NotAnAuditor {
                view_key: hex::encode(p.to_bytes()),
                network: genesis.network.clone(),
            });
        }
        Ok(Self {
            genesis,
            view,
            escrow,
            thresholds,
            decryptors,
        })
    }

    /// The regulator's decryptor index for `asset` (`None`: not entitled).
    pub fn decryptor(&self, asset: &str) -> Option<usize> {
        self.decryptors.get(asset).copied()
    }

    /// The assets the regulator audits, by code.
    pub fn entitled_assets(&self) -> Vec<String> {
        self.decryptors.keys().cloned().collect()
    }

    /// Reads `note` as its asset's auditor: decrypts it if entitled, and says how the hint fared.
    pub fn read(&self, note: &Note) -> NoteReading {
        let Some(j) = self.decryptor(&note.asset) else {
            return NoteReading::NotEntitled;
        };
        let ctx = HintContext {
            asset: &note.asset,
            output_index: note.output_index,
        };
        match note.amount.decrypt(j, self.view, ctx) {
            Ok(d) => {
                let boxed = note.amount.hints.get(j).is_some_and(Option::is_some);
                let hint = match (d.path, boxed) {
                    (DecryptionPath::Hint, _) => HintCheck::Used,
                    (DecryptionPath::DiscreteLog, true) => HintCheck::Rejected,
                    (DecryptionPath::DiscreteLog, false) => HintCheck::Missing,
                };
                NoteReading::Decrypted {
                    value: d.value,
                    hint,
                }
            }
            Err(_) => NoteReading::Undecryptable,
        }
    }

    /// Opens a KYC section's identity escrow with the regulators' escrow key: the sender's
    /// `id_commit`, hex of its 32 bytes. `None` without an escrow key; `Some(Err(..))` when
    /// the escrow does not decode (the node checked it, so not expected).
    pub fn open_escrow(&self, kyc: &KycProof) -> Option<Result<String, corridor_circuits::Error>> {
        let key = self.escrow?;
        Some((|| {
            let ct = EscrowCiphertext {
                r: EscrowCiphertext::r_from_bytes(&kyc.escrow_r)?,
                c: fr_from_bytes(&kyc.escrow_c.0, "escrow_c")?,
            };
            Ok(hex::encode(fr_to_bytes(&key.decrypt(&ct))))
        })())
    }

    /// An empty report of heights `from..=to` for this regulator.
    pub fn new_report(&self, from: u64, to: u64) -> AuditReport {
        AuditReport {
            network: self.genesis.network.clone(),
            view_key: hex::encode(self.view.public().to_bytes()),
            entitled_assets: self.entitled_assets(),
            thresholds: self.thresholds.clone(),
            from_height: from,
            to_height: to,
            ..AuditReport::default()
        }
    }

    /// Records output `note` of a transaction into `report`: nothing but a count if the
    /// regulator is not entitled; else an entry with its value (the public amount of a Mint,
    /// otherwise decrypted) and the flags it raises.
    pub fn record_output(&self, report: &mut AuditReport, output: &OutputContext<'_>, note: &Note) {
        let OutputContext {
            place,
            kind,
            payment,
            public_value,
            sender_id_commit,
        } = *output;
        report.timing.notes += 1;
        let reading = match public_value {
            Some(v) if self.decryptor(&note.asset).is_some() => Some((Some(v), None)),
            Some(_) => None,
            None => match self.read(note) {
                NoteReading::NotEntitled => None,
                NoteReading::Decrypted { value, hint } => Some((Some(value), Some(hint))),
                NoteReading::Undecryptable => Some((None, None)),
            },
        };
        let Some((value, hint)) = reading else {
            *report.not_entitled.entry(note.asset.clone()).or_default() += 1;
            report.timing.notes_not_entitled += 1;
            return;
        };
        let source = match (public_value, hint) {
            (Some(_), _) => ValueSource::Public,
            (None, Some(HintCheck::Used)) => ValueSource::Hint,
            (None, Some(_)) => ValueSource::DiscreteLog,
            (None, None) => ValueSource::Undecryptable,
        };
        if public_value.is_none() && value.is_some() {
            report.timing.notes_decrypted += 1;
        }
        let flag = |kind: FlagKind, threshold: Option<u64>| Flag {
            kind,
            height: place.height,
            tx_id: place.tx_id.to_string(),
            output_index: Some(note.output_index),
            note_id: Some(note.id.to_string()),
            asset: note.asset.clone(),
            value,
            threshold,
        };
        match hint {
            Some(HintCheck::Rejected) => report.flags.push(flag(FlagKind::HintRejected, None)),
            Some(HintCheck::Missing) => report.flags.push(flag(FlagKind::HintMissing, None)),
            _ => {}
        }
        if value.is_none() {
            report.flags.push(flag(FlagKind::Undecryptable, None));
        }
        if let (true, Some(v), Some(&limit)) = (payment, value, self.thresholds.get(&note.asset)) {
            if v > limit {
                report.flags.push(flag(FlagKind::LargePayment, Some(limit)));
            }
        }
        report.entries.push(AuditEntry {
            height: place.height,
            day: report::utc_day(place.time),
            time: place.time,
            tx_id: place.tx_id.to_string(),
            kind: kind.to_string(),
            item: EntryItem::Output,
            output_index: Some(note.output_index),
            note_id: Some(note.id.to_string()),
            asset: note.asset.clone(),
            owner: Some(note.owner.encode()),
            value,
            source,
            payment,
            remittance_operator: note.remittance.as_ref().map(|r| r.operator.clone()),
            remittance_quote_id: note.remittance.as_ref().map(|r| r.quote_id),
            sender_id_commit: sender_id_commit.map(str::to_string),
        });
    }

    /// Records a public amount of the transaction at `place` (a Burn's burn amount, a fee) if
    /// the regulator audits `asset`.
    fn record_public(
        &self,
        report: &mut AuditReport,
        place: &TxPlace,
        kind: &str,
        (item, asset, value): (EntryItem, &str, u64),
        sender_id_commit: Option<&str>,
    ) {
        if self.decryptor(asset).is_none() {
            return;
        }
        report.entries.push(AuditEntry {
            height: place.height,
            day: report::utc_day(place.time),
            time: place.time,
            tx_id: place.tx_id.to_string(),
            kind: kind.to_string(),
            item,
            output_index: None,
            note_id: None,
            asset: asset.to_string(),
            owner: None,
            value: Some(value),
            source: ValueSource::Public,
            payment: false,
            remittance_operator: None,
            remittance_quote_id: None,
            sender_id_commit: sender_id_commit.map(str::to_string),
        });
    }

    /// Records transaction `tx` at `place` into `report`: its escrow (if it carries a KYC
    /// section and the regulator has the escrow key), each of its output notes `notes` (the
    /// node's records, in output order), and its public amounts (Mint outputs, a Burn's burn
    /// amount, fees). `signer` is the owner of its inputs (Transfer, Burn), which decides what
    /// counts as a payment.
    pub fn record_transaction(
        &self,
        report: &mut AuditReport,
        place: &TxPlace,
        tx: &Transaction,
        notes: &[Note],
        signer: Option<&Address>,
    ) {
        report.timing.transactions += 1;
        let body = tx.body();
        let kind = body.kind();
        let id_commit = match body.kyc().and_then(|k| self.open_escrow(k)) {
            Some(Ok(id)) => {
                report.escrows.push(EscrowOpening {
                    height: place.height,
                    tx_id: place.tx_id.to_string(),
                    kind: kind.to_string(),
                    id_commit: id.clone(),
                });
                Some(id)
            }
            Some(Err(_)) => {
                report.flags.push(Flag {
                    kind: FlagKind::EscrowUnreadable,
                    height: place.height,
                    tx_id: place.tx_id.to_string(),
                    output_index: None,
                    note_id: None,
                    asset: String::new(),
                    value: None,
                    threshold: None,
                });
                None
            }
            None => None,
        };
        let id_commit = id_commit.as_deref();
        for note in notes {
            let index = note.output_index as usize;
            let (payment, public_value) = match body {
                TxBody::Mint(m) => (false, m.outputs.get(index).map(|(_, v)| *v)),
                TxBody::Transfer(_) => (signer.is_some_and(|s| note.owner != *s), None),
                TxBody::Payout(p) => (
                    self.genesis
                        .operator(&p.operator)
                        .is_some_and(|op| note.owner != op.settlement && note.owner != op.float),
                    None,
                ),
                _ => (false, None),
            };
            let output = OutputContext {
                place: *place,
                kind,
                payment,
                public_value,
                sender_id_commit: id_commit,
            };
            self.record_output(report, &output, note);
        }
        match body {
            TxBody::Transfer(t) if t.fee > 0 => {
                self.record_public(
                    report,
                    place,
                    kind,
                    (EntryItem::Fee, &t.asset, t.fee),
                    id_commit,
                );
            }
            TxBody::Burn(b) => {
                let burn = (EntryItem::Burn, b.asset.as_str(), b.burn_amount);
                self.record_public(report, place, kind, burn, id_commit);
                if b.fee > 0 {
                    let fee = (EntryItem::Fee, b.asset.as_str(), b.fee);
                    self.record_public(report, place, kind, fee, id_commit);
                }
            }
            _ => {}
        }
    }
}

/// Which blocks a scan reads: heights `from..=to`; `to` defaults to the node's height when the
/// scan starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanRange {
    /// First height (height 0 is genesis and holds no transaction: 0 reads from 1).
    pub from: u64,
    /// Last height; `None`: the node's height at the start.
    pub to: Option<u64>,
}

impl Default for ScanRange {
    fn default() -> Self {
        Self { from: 1, to: None }
    }
}

/// RPCs in flight at once during a scan (transactions fetched ahead of the one recorded).
const IN_FLIGHT: usize = 32;

/// Scans heights `range` of the node behind `client` as `auditor`: StreamBlocks for the blocks,
/// GetTx for each transaction, GetNote for each output (and for a Transfer's or Burn's first
/// input, whose owner is the signer), up to 32 transactions fetched ahead of the one being
/// recorded (the RPCs overlap; the report keeps ledger order). `progress(done, total)` is
/// called with 0 first, then after each block. Blocks the calling thread on `handle` (see the
/// module doc).
///
/// # Errors
/// An RPC that fails ([`AuditError::Rpc`], [`AuditError::Note`]), an answer that does not decode
/// or is not what was asked, a range beyond the node's height or a stream that ends early.
pub fn scan(
    client: &NodeClient,
    handle: &Handle,
    auditor: &Auditor<'_>,
    range: ScanRange,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<AuditReport, AuditError> {
    let started = Instant::now();
    let remote = RemoteState::new(client.clone(), handle.clone());
    let mut c = client.clone();
    let status = handle
        .block_on(c.status(node_api::StatusRequest {}))
        .map_err(AuditError::rpc("Status"))?
        .into_inner();
    if status.network != auditor.genesis.network {
        return Err(AuditError::WrongNetwork {
            node: status.network,
            genesis: auditor.genesis.network.clone(),
        });
    }
    let from = range.from.max(1);
    let to = range.to.unwrap_or(status.height);
    if to > status.height {
        return Err(AuditError::BeyondTip {
            from,
            to,
            height: status.height,
        });
    }
    let mut report = auditor.new_report(from, to);
    if from > to {
        // Nothing committed yet (height 0) with the default range is an empty report; an
        // explicit empty range is a mistake.
        if range.to.is_some() || range.from > 1 {
            return Err(AuditError::EmptyRange { from, to });
        }
        report.finish(started.elapsed());
        return Ok(report);
    }
    let total = to - from + 1;
    progress(0, total);
    let blocks = handle.block_on(read_blocks(c, from, to))?;
    // Every transaction of the range in ledger order, with the index of its block.
    let mut places = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        for (index, raw) in block.tx_ids.iter().enumerate() {
            let tx_id = TxId(
                raw.as_slice()
                    .try_into()
                    .map_err(|_| AuditError::TxIdLength {
                        height: block.height,
                        index,
                        len: raw.len(),
                    })?,
            );
            let place = TxPlace {
                height: block.height,
                time: block.time,
                tx_id,
            };
            places.push((b, index + 1 == block.tx_ids.len(), place));
        }
    }
    // Blocks without transactions are done as soon as the ones before them are.
    let mut done = 0usize;
    let mut advance = |done: &mut usize, upto: usize, report: &mut AuditReport| {
        while *done < upto || (*done < blocks.len() && blocks[*done].tx_ids.is_empty()) {
            *done += 1;
            report.timing.blocks += 1;
            progress(*done as u64, total);
        }
    };
    advance(&mut done, 0, &mut report);
    let fetched = futures::stream::iter(places.iter().map(|&(_, _, place)| {
        let (client, remote) = (client.clone(), remote.clone());
        async move { fetch_tx(client, remote, place).await }
    }))
    .buffered(IN_FLIGHT);
    let mut fetched = Box::pin(fetched);
    for &(b, last, place) in &places {
        let next = handle.block_on(fetched.next());
        let (tx, notes, signer) = next.ok_or(AuditError::StreamEnded {
            last: place.height.saturating_sub(1),
            to,
        })??;
        auditor.record_transaction(&mut report, &place, &tx, &notes, signer.as_ref());
        if last {
            advance(&mut done, b + 1, &mut report);
        }
    }
    report.finish(started.elapsed());
    Ok(report)
}

/// The blocks `from..=to` from StreamBlocks (which goes on following new commits: read up to
/// `to`, then drop it), checked to come in order.
async fn read_blocks(
    mut client: NodeClient,
    from: u64,
    to: u64,
) -> Result<Vec<node_api::Block>, AuditError> {
    let mut stream = client
        .stream_blocks(node_api::StreamBlocksRequest { from_height: from })
        .await
        .map_err(AuditError::rpc("StreamBlocks"))?
        .into_inner();
    let mut blocks = Vec::new();
    let mut expected = from;
    while expected <= to {
        let block = stream
            .message()
            .await
            .map_err(AuditError::rpc("StreamBlocks"))?
            .ok_or(AuditError::StreamEnded {
                last: expected - 1,
                to,
            })?;
        if block.height != expected {
            return Err(AuditError::BlockOrder {
                expected,
                got: block.height,
            });
        }
        blocks.push(block);
        expected += 1;
    }
    Ok(blocks)
}

/// A note read through `remote` (GetNote) on a blocking thread.
async fn fetch_note(remote: RemoteState, note_id: NoteId) -> Result<Note, AuditError> {
    tokio::task::spawn_blocking(move || remote.note(&note_id))
        .await
        .map_err(|e| AuditError::Rpc {
            rpc: "GetNote",
            code: Code::Internal,
            message: format!("the reading task failed: {e}"),
        })?
        .map_err(|source| AuditError::Note { note_id, source })?
        .ok_or(AuditError::NoteNotFound { note_id })
}

/// The transaction at `place` (GetTx), checked to be the one asked; its output notes (GetNote),
/// checked against its outputs; and its signer (the owner of its first input) for a Transfer or
/// a Burn.
async fn fetch_tx(
    mut client: NodeClient,
    remote: RemoteState,
    place: TxPlace,
) -> Result<(Transaction, Vec<Note>, Option<Address>), AuditError> {
    let answer = client
        .get_tx(node_api::GetTxRequest {
            tx_id: place.tx_id.0.to_vec(),
        })
        .await
        .map_err(AuditError::rpc("GetTx"))?
        .into_inner();
    let tx = Transaction::decode(&answer.tx).map_err(|source| AuditError::TxDecode {
        tx_id: place.tx_id,
        height: place.height,
        source,
    })?;
    if tx.id() != place.tx_id {
        return Err(AuditError::TxMismatch {
            asked: place.tx_id,
            got: tx.id(),
        });
    }
    let signer_input = match tx.body() {
        TxBody::Transfer(_) | TxBody::Burn(_) => tx.body().inputs().first().map(|i| i.note_id),
        _ => None,
    };
    let new_notes = tx.new_notes();
    let reads = new_notes
        .iter()
        .map(|(id, _)| *id)
        .chain(signer_input)
        .map(|id| fetch_note(remote.clone(), id));
    let mut notes = futures::future::try_join_all(reads).await?;
    let signer = signer_input.and_then(|_| notes.pop()).map(|n| n.owner);
    let body_asset = match tx.body() {
        TxBody::Mint(m) => Some(&m.asset),
        TxBody::Transfer(t) => Some(&t.asset),
        TxBody::Burn(b) => Some(&b.asset),
        _ => None,
    };
    for (i, ((note_id, output), n)) in new_notes.iter().zip(&notes).enumerate() {
        if n.tx_id != place.tx_id
            || n.output_index as usize != i
            || n.owner != output.owner
            || n.amount != output.amount
            || body_asset.is_some_and(|a| *a != n.asset)
        {
            return Err(AuditError::NoteMismatch {
                note_id: *note_id,
                tx_id: place.tx_id,
                output_index: i as u32,
            });
        }
    }
    Ok((tx, notes, signer))
}
