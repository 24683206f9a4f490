//! The public data a transaction references. Looking it up is the node's job; the verifier takes
//! it through this trait from its caller. [`MemoryState`] is a plain in-memory ledger for
//! tests, benches and the single-process demo.
use crate::address::Address;
use crate::genesis::Genesis;
use crate::note::{Note, RemittanceTag};
use crate::tx::{NoteId, PublishQuote, Transaction, TxBody, TxId};
use std::collections::{BTreeMap, BTreeSet};

/// Read access to committed public state.
pub trait PublicState {
    /// A committed note (spent or not: the spent set is the node's rule).
    fn note(&self, id: &NoteId) -> Option<Note>;
    /// Whether `address` is registered with exactly these `(X, P)`.
    fn is_registered(&self, address: &Address) -> bool;
    /// A published quote.
    fn quote(&self, operator: &str, quote_id: u64) -> Option<PublishQuote>;
}

/// An in-memory ledger state.
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    notes: BTreeMap<NoteId, Note>,
    spent: BTreeSet<NoteId>,
    registered: BTreeSet<[u8; 64]>,
    quotes: BTreeMap<(String, u64), PublishQuote>,
    txs: BTreeSet<TxId>,
    fee_pools: BTreeMap<String, u128>,
}

impl MemoryState {
    /// A state holding genesis's institutional registrations.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let mut s = MemoryState::default();
        for a in genesis.institutional_addresses() {
            s.registered.insert(a.to_bytes());
        }
        s
    }

    /// Registers an address directly (tests).
    pub fn register(&mut self, address: &Address) {
        self.registered.insert(address.to_bytes());
    }

    /// Whether a note was spent.
    pub fn is_spent(&self, id: &NoteId) -> bool {
        self.spent.contains(id)
    }

    /// Whether a transaction id was applied.
    pub fn has_tx(&self, id: &TxId) -> bool {
        self.txs.contains(id)
    }

    /// The fees collected in `asset` so far (DESIGN.md §3.7: fees accrue to a per-asset pool).
    pub fn fee_pool(&self, asset: &str) -> u128 {
        self.fee_pools.get(asset).copied().unwrap_or(0)
    }

    /// Notes owned by `owner` and not spent.
    pub fn unspent_of(&self, owner: &Address) -> Vec<Note> {
        self.notes
            .values()
            .filter(|n| n.owner == *owner && !self.spent.contains(&n.id))
            .cloned()
            .collect()
    }

    /// Applies a verified transaction: marks inputs spent and stores its notes, quote or
    /// registration. `output_assets` gives each output's asset (from the resolved statement).
    pub fn apply(&mut self, tx: &Transaction, output_assets: &[String]) {
        let tx_id = tx.id();
        self.txs.insert(tx_id);
        let fee = match tx.body() {
            TxBody::Transfer(t) => t.fee,
            TxBody::Burn(b) => b.fee,
            _ => 0,
        };
        // The fee is in the spent asset: the first input's (all inputs share it).
        let fee_asset = tx
            .body()
            .inputs()
            .first()
            .and_then(|i| self.notes.get(&i.note_id))
            .map(|n| n.asset.clone());
        if let (Some(asset), true) = (fee_asset, fee > 0) {
            *self.fee_pools.entry(asset).or_default() += u128::from(fee);
        }
        for input in tx.body().inputs() {
            self.spent.insert(input.note_id);
        }
        let remittance = match tx.body() {
            TxBody::Transfer(t) => t.remittance.as_ref().map(|r| RemittanceTag {
                operator: r.operator.clone(),
                quote_id: r.quote_id,
                beneficiary_commitment: r.beneficiary_commitment,
            }),
            _ => None,
        };
        for (i, ((id, output), asset)) in tx.new_notes().into_iter().zip(output_assets).enumerate()
        {
            self.notes.insert(
                id,
                Note {
                    id,
                    tx_id,
                    output_index: i as u32,
                    asset: asset.clone(),
                    owner: output.owner,
                    amount: output.amount.clone(),
                    remittance: if i == 0 { remittance.clone() } else { None },
                },
            );
        }
        match tx.body() {
            TxBody::PublishQuote(q) => {
                self.quotes
                    .insert((q.operator.clone(), q.quote_id), q.clone());
            }
            TxBody::RegisterAddress(r) => {
                self.registered.insert(r.address.to_bytes());
            }
            _ => {}
        }
    }
}

impl PublicState for MemoryState {
    fn note(&self, id: &NoteId) -> Option<Note> {
        self.notes.get(id).cloned()
    }

    fn is_registered(&self, address: &Address) -> bool {
        self.registered.contains(&address.to_bytes())
    }

    fn quote(&self, operator: &str, quote_id: u64) -> Option<PublishQuote> {
        self.quotes.get(&(operator.to_string(), quote_id)).cloned()
    }
}
