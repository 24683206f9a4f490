//! A ledger in memory that owns its store: what the demo, the whole-flow tests and the benches
//! hold beside their [`crate::Node`] (they share one [`MemoryKv`]). Cloning it copies the
//! tables: a snapshot of the state at that instant.
use crate::kv::{Kv, MemoryKv};
use crate::ledger::View;
use corridor_core::address::Address;
use corridor_core::group::Point;
use corridor_core::note::Note;
use corridor_core::state::{PublicState, RootHead, RootStanding, StoreError};
use corridor_core::tx::{FieldBytes, NoteId, PublishQuote, TxId};
use std::sync::Arc;

/// A memory store and typed reads of its committed state.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    kv: Arc<MemoryKv>,
}

impl Clone for MemoryLedger {
    /// A snapshot: an independent copy of the tables.
    fn clone(&self) -> Self {
        Self {
            kv: Arc::new(self.kv.snapshot()),
        }
    }
}

impl MemoryLedger {
    /// An empty store (a [`crate::Node`] opened on [`Self::kv`] initialises it).
    pub fn new() -> Self {
        Self::default()
    }

    /// The store, to open a node on.
    pub fn kv(&self) -> Arc<dyn Kv> {
        self.kv.clone()
    }

    /// Reads of the committed state.
    pub fn view(&self) -> View<'_> {
        View::committed(self.kv.as_ref())
    }

    /// Notes owned by `owner` and not spent, oldest first.
    ///
    /// # Errors
    /// Store errors.
    pub fn unspent_of(&self, owner: &Address) -> Result<Vec<Note>, StoreError> {
        Ok(self
            .view()
            .notes_of(owner, 0, usize::MAX)?
            .into_iter()
            .filter(|(_, spent)| spent.is_none())
            .map(|(n, _)| n.note)
            .collect())
    }

    /// Whether a note was spent.
    ///
    /// # Errors
    /// Store errors.
    pub fn is_spent(&self, id: &NoteId) -> Result<bool, StoreError> {
        Ok(self.view().spent_at(id)?.is_some())
    }

    /// Whether a transaction was committed.
    ///
    /// # Errors
    /// Store errors.
    pub fn has_tx(&self, id: &TxId) -> Result<bool, StoreError> {
        self.view().has_tx(id)
    }

    /// Fees collected in `asset`.
    ///
    /// # Errors
    /// Store errors.
    pub fn fee_pool(&self, asset: &str) -> Result<u128, StoreError> {
        self.view().fee_pool(asset)
    }

    /// The last mint nonce of `asset`.
    ///
    /// # Errors
    /// Store errors.
    pub fn mint_nonce(&self, asset: &str) -> Result<Option<u64>, StoreError> {
        self.view().mint_nonce(asset)
    }
}

impl PublicState for MemoryLedger {
    fn note(&self, id: &NoteId) -> Result<Option<Note>, StoreError> {
        self.view().note(id)
    }

    fn is_registered(&self, address: &Address) -> Result<bool, StoreError> {
        self.view().is_registered(address)
    }

    fn quote(&self, operator: &str, quote_id: u64) -> Result<Option<PublishQuote>, StoreError> {
        self.view().quote(operator, quote_id)
    }

    fn spend_key_registered(&self, x: &Point) -> Result<bool, StoreError> {
        self.view().spend_key_registered(x)
    }

    fn registration_link(&self, x: &Point) -> Result<Option<FieldBytes>, StoreError> {
        self.view().registration_link(x)
    }

    fn registration_nullifier_used(&self, nullifier: &FieldBytes) -> Result<bool, StoreError> {
        self.view().registration_nullifier_used(nullifier)
    }

    fn kyc_root(&self, issuer: u32, root: &FieldBytes) -> Result<Option<RootStanding>, StoreError> {
        self.view().kyc_root(issuer, root)
    }

    fn kyc_root_head(&self, issuer: u32) -> Result<Option<RootHead>, StoreError> {
        self.view().kyc_root_head(issuer)
    }
}
