//! The ledger's stateful rules (DESIGN.md §4.4), checked in block order before a transaction
//! is applied, each broken rule its own [`RuleError`].
//!
//! Two views: `committed`, the state at the start of the block (what height `h` creates —
//! notes, registrations, quotes, roots — is usable from `h + 1`, as resolution sees it), and
//! `block`, the same state with the writes of the block's earlier transactions over it (what
//! is consumed or claimed once — spent notes, transaction ids, nullifiers, addresses, quote
//! ids, mint nonces, root sequences — counts from the transaction that consumed it).
//! Resolution re-checks some of these for the verifier used alone; in the node the rule
//! answers first.
use crate::ledger::View;
use corridor_core::genesis::Genesis;
use corridor_core::state::{next_root_update, PublicState, RootStanding, StoreError};
use corridor_core::tx::{FieldBytes, NoteId, Transaction, TxBody, TxId};
use std::collections::BTreeSet;
use thiserror::Error;

/// A broken ledger rule.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum RuleError {
    /// The transaction id was committed before.
    #[error("transaction {tx} was already committed at height {height}")]
    Replayed {
        /// The id.
        tx: TxId,
        /// Where it was committed.
        height: u64,
    },
    /// The transaction id is already in this block.
    #[error("transaction {tx} is already in this block")]
    ReplayedInBlock {
        /// The id.
        tx: TxId,
    },
    /// One note spent twice by one transaction.
    #[error("input {index}: note {note} is spent twice in one transaction")]
    RepeatedInput {
        /// Input index (statement order).
        index: usize,
        /// The note.
        note: NoteId,
    },
    /// An input that is not a committed note.
    #[error("input {index}: note {note} does not exist")]
    UnknownNote {
        /// Input index.
        index: usize,
        /// The note.
        note: NoteId,
    },
    /// An input spent by an earlier block.
    #[error("input {index}: note {note} already spent at height {height}")]
    Spent {
        /// Input index.
        index: usize,
        /// The note.
        note: NoteId,
        /// Where it was spent.
        height: u64,
    },
    /// An input spent by an earlier transaction of this block.
    #[error("input {index}: note {note} already spent in this block")]
    SpentInBlock {
        /// Input index.
        index: usize,
        /// The note.
        note: NoteId,
    },
    /// An output to an address that is not registered (before this block).
    #[error("output {index}: recipient {address} is not registered")]
    UnregisteredRecipient {
        /// Output index.
        index: usize,
        /// The address (bech32m).
        address: String,
    },
    /// A mint nonce that is not the next one.
    #[error("mint of {asset}: nonce {found}, expected {expected}")]
    MintNonce {
        /// Asset.
        asset: String,
        /// The next nonce.
        expected: u64,
        /// The transaction's.
        found: u64,
    },
    /// A KYC root update out of sequence.
    #[error("kyc root update of issuer {issuer}: seq {found}, expected {expected}")]
    RootSequence {
        /// Issuer.
        issuer: u32,
        /// The next sequence number.
        expected: u64,
        /// The transaction's.
        found: u64,
    },
    /// A KYC root update that does not chain from the issuer's current root.
    #[error("kyc root update of issuer {issuer}: previous root is not the current root")]
    RootPrevious {
        /// Issuer.
        issuer: u32,
    },
    /// A KYC proof under a root its issuer never published (before this block).
    #[error("kyc: issuer {issuer} never published root {root}")]
    UnknownRoot {
        /// Issuer.
        issuer: u32,
        /// The root, hex.
        root: String,
    },
    /// A KYC proof under a root superseded more than the window ago.
    #[error(
        "kyc: root of issuer {issuer} superseded at height {superseded_at}, outside the window of \
         {window} blocks at height {height}"
    )]
    StaleRoot {
        /// Issuer.
        issuer: u32,
        /// Where it was superseded.
        superseded_at: u64,
        /// Genesis's `root_window`.
        window: u64,
        /// The block's height.
        height: u64,
    },
    /// A registration nullifier used before (in an earlier block or this one).
    #[error("registration nullifier {nullifier} was already used")]
    NullifierUsed {
        /// The nullifier, hex.
        nullifier: String,
    },
    /// A registration of an address, or of a spend key, that is already registered (in an
    /// earlier block or this one).
    #[error("address {address} (or its spend key) is already registered")]
    AddressRegistered {
        /// The address (bech32m).
        address: String,
    },
    /// A quote id the operator already published (in an earlier block or this one).
    #[error("{operator} already published quote {quote_id}")]
    QuoteRepublished {
        /// Operator.
        operator: String,
        /// Quote id.
        quote_id: u64,
    },
    /// A remittance on a quote that was never published (before this block).
    #[error("{operator} has no quote {quote_id}")]
    UnknownQuote {
        /// Operator.
        operator: String,
        /// Quote id.
        quote_id: u64,
    },
    /// A remittance on a quote past its `expiry_height`.
    #[error(
        "quote {quote_id} of {operator} expired at height {expiry_height}, the block is {height}"
    )]
    QuoteExpired {
        /// Operator.
        operator: String,
        /// Quote id.
        quote_id: u64,
        /// The quote's last usable height.
        expiry_height: u64,
        /// The block's height.
        height: u64,
    },
    /// A Payout whose remittance input is not output 0 of a remittance Transfer to this
    /// operator.
    #[error("payout: note {note} is not a remittance to {operator}")]
    NotARemittance {
        /// The note.
        note: NoteId,
        /// The paying operator.
        operator: String,
    },
    /// The store failed while a rule was checked.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RuleError {
    /// A short label for metrics.
    pub fn reason(&self) -> &'static str {
        match self {
            RuleError::Replayed { .. } | RuleError::ReplayedInBlock { .. } => "replayed",
            RuleError::RepeatedInput { .. } => "repeated_input",
            RuleError::UnknownNote { .. } => "unknown_note",
            RuleError::Spent { .. } | RuleError::SpentInBlock { .. } => "double_spend",
            RuleError::UnregisteredRecipient { .. } => "unregistered_recipient",
            RuleError::MintNonce { .. } => "mint_nonce",
            RuleError::RootSequence { .. } | RuleError::RootPrevious { .. } => "root_sequence",
            RuleError::UnknownRoot { .. } | RuleError::StaleRoot { .. } => "stale_root",
            RuleError::NullifierUsed { .. } => "nullifier_used",
            RuleError::AddressRegistered { .. } => "address_registered",
            RuleError::QuoteRepublished { .. } => "quote_republished",
            RuleError::UnknownQuote { .. } | RuleError::QuoteExpired { .. } => "quote",
            RuleError::NotARemittance { .. } => "not_a_remittance",
            RuleError::Store(_) => "store",
        }
    }
}

/// Checks every stateful rule for `tx` at `height`: `committed` is the state at the start of
/// the block, `block` the same with the block's earlier transactions applied.
pub fn check(
    tx: &Transaction,
    genesis: &Genesis,
    committed: &View<'_>,
    block: &View<'_>,
    height: u64,
) -> Result<(), RuleError> {
    let id = tx.id();
    if let Some(record) = committed.tx(&id)? {
        return Err(RuleError::Replayed {
            tx: id,
            height: record.height,
        });
    }
    if block.has_tx(&id)? {
        return Err(RuleError::ReplayedInBlock { tx: id });
    }
    let mut seen = BTreeSet::new();
    for (index, input) in tx.body().inputs().into_iter().enumerate() {
        let note = input.note_id;
        if !seen.insert(note) {
            return Err(RuleError::RepeatedInput { index, note });
        }
        if committed.stored_note(&note)?.is_none() {
            return Err(RuleError::UnknownNote { index, note });
        }
        if let Some(height) = committed.spent_at(&note)? {
            return Err(RuleError::Spent {
                index,
                note,
                height,
            });
        }
        if block.spent_at(&note)?.is_some() {
            return Err(RuleError::SpentInBlock { index, note });
        }
    }
    match tx.body() {
        TxBody::Mint(m) => {
            let expected = block
                .mint_nonce(&m.asset)?
                .map_or(0, |n| n.saturating_add(1));
            if m.nonce != expected {
                return Err(RuleError::MintNonce {
                    asset: m.asset.clone(),
                    expected,
                    found: m.nonce,
                });
            }
        }
        TxBody::PublishQuote(q) => {
            if block.quote(&q.operator, q.quote_id)?.is_some() {
                return Err(RuleError::QuoteRepublished {
                    operator: q.operator.clone(),
                    quote_id: q.quote_id,
                });
            }
        }
        TxBody::KycRootUpdate(u) => {
            let (expected, previous) = next_root_update(block.kyc_root_head(u.issuer)?);
            if u.seq != expected {
                return Err(RuleError::RootSequence {
                    issuer: u.issuer,
                    expected,
                    found: u.seq,
                });
            }
            if u.previous_root != previous {
                return Err(RuleError::RootPrevious { issuer: u.issuer });
            }
        }
        TxBody::RegisterAddress(r) => {
            if block.is_registered(&r.address)?
                || block.spend_key_registered(r.address.spend_key())?
            {
                return Err(RuleError::AddressRegistered {
                    address: r.address.encode(),
                });
            }
            if block.registration_nullifier_used(&r.kyc.nullifier)? {
                return Err(RuleError::NullifierUsed {
                    nullifier: hex(&r.kyc.nullifier),
                });
            }
        }
        TxBody::Transfer(t) => {
            if let Some(rem) = &t.remittance {
                let quote = committed
                    .quote(&rem.operator, rem.quote_id)?
                    .ok_or_else(|| RuleError::UnknownQuote {
                        operator: rem.operator.clone(),
                        quote_id: rem.quote_id,
                    })?;
                if height > quote.expiry_height {
                    return Err(RuleError::QuoteExpired {
                        operator: rem.operator.clone(),
                        quote_id: rem.quote_id,
                        expiry_height: quote.expiry_height,
                        height,
                    });
                }
            }
        }
        TxBody::Payout(p) => {
            let note = p.remittance_input.note_id;
            let is_remittance = committed
                .stored_note(&note)?
                .and_then(|n| n.note.remittance)
                .is_some_and(|tag| tag.operator == p.operator);
            if !is_remittance {
                return Err(RuleError::NotARemittance {
                    note,
                    operator: p.operator.clone(),
                });
            }
        }
        TxBody::Burn(_) => {}
    }
    for (index, output) in tx.body().outputs().into_iter().enumerate() {
        if !committed.is_registered(&output.owner)? {
            return Err(RuleError::UnregisteredRecipient {
                index,
                address: output.owner.encode(),
            });
        }
    }
    if let Some(kyc) = tx.body().kyc() {
        root_in_window(genesis, committed, kyc.issuer, &kyc.root, height)?;
    }
    Ok(())
}

/// A customer's proof must be under a root its issuer published before this block, current or
/// superseded at most `root_window` blocks ago (counted from the supersession).
fn root_in_window(
    genesis: &Genesis,
    committed: &View<'_>,
    issuer: u32,
    root: &FieldBytes,
    height: u64,
) -> Result<(), RuleError> {
    match committed.kyc_root(issuer, root)? {
        Some(RootStanding::Current) => Ok(()),
        Some(RootStanding::SupersededAt(at))
            if height <= at.saturating_add(genesis.root_window) =>
        {
            Ok(())
        }
        Some(RootStanding::SupersededAt(at)) => Err(RuleError::StaleRoot {
            issuer,
            superseded_at: at,
            window: genesis.root_window,
            height,
        }),
        None => Err(RuleError::UnknownRoot {
            issuer,
            root: hex(root),
        }),
    }
}

fn hex(f: &FieldBytes) -> String {
    hex::encode(f.0)
}
