//! The public data a transaction references. Looking it up is the node's job; the verifier takes
//! it through this trait from its caller. [`MemoryState`] is a plain in-memory ledger for
//! tests, benches and the single-process demo.
use crate::address::Address;
use crate::genesis::Genesis;
use crate::group::Point;
use crate::note::Note;
use crate::tx::{FieldBytes, NoteId, PublishQuote, Transaction, TxBody, TxId};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use thiserror::Error;

/// The block a transaction is validated for, supplied by the node (never by the transaction):
/// its height and its time (UTC seconds since the Unix epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockContext {
    /// Block height.
    pub height: u64,
    /// Block time, UTC seconds since 1970-01-01.
    pub time: u64,
}

impl BlockContext {
    /// The UTC day of the block time (days since 1970-01-01).
    pub fn epoch_day(&self) -> u32 {
        u32::try_from(self.time / 86_400).unwrap_or(u32::MAX)
    }
}

/// The `(year, month)` of a day counted from 1970-01-01 (proleptic Gregorian, UTC).
pub fn year_month(epoch_day: u32) -> (u32, u32) {
    // Howard Hinnant's civil-from-days, on non-negative days.
    let z = u64::from(epoch_day) + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (u32::try_from(year).unwrap_or(u32::MAX), month as u32)
}

/// A KYC root's standing for its issuer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootStanding {
    /// The issuer's current root.
    Current,
    /// Superseded by the update committed at this height.
    SupersededAt(u64),
}

/// An issuer's latest root update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootHead {
    /// Its sequence number.
    pub seq: u64,
    /// The root it published.
    pub root: FieldBytes,
}

/// A spend key's registration: the address it registered (`X` registers once, with one view
/// key `P`) and the `link` its RegisterAddress stored (`None` for an institution of genesis).
/// One read answers [`PublicState::spend_key_registered`], [`PublicState::registration_link`]
/// and, for this `X`, [`PublicState::is_registered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The registered address.
    pub address: Address,
    /// The `link` its RegisterAddress stored; `None` for an institution of genesis.
    pub link: Option<FieldBytes>,
}

/// The `(seq, previous root)` an issuer's next KycRootUpdate must carry after `head`:
/// `(1, zero)` for its first, then `(last + 1, last root)`.
pub fn next_root_update(head: Option<RootHead>) -> (u64, FieldBytes) {
    head.map_or((1, FieldBytes([0u8; 32])), |h| {
        (h.seq.saturating_add(1), h.root)
    })
}

/// A failure of the store behind a [`PublicState`] (a database error, a corrupted record):
/// whoever implements the trait says what, and resolution stops with it. Compared by message.
#[derive(Clone, Debug, Error)]
#[error("state store: {0}")]
pub struct StoreError(Arc<dyn std::error::Error + Send + Sync>);

impl StoreError {
    /// Wraps the store's own error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError(Arc::new(e))
    }
}

impl PartialEq for StoreError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for StoreError {}

/// Read access to committed public state. Every read can fail (the node's store is a
/// database); an in-memory state never does.
pub trait PublicState {
    /// A committed note (spent or not: the spent set is the node's rule).
    fn note(&self, id: &NoteId) -> Result<Option<Note>, StoreError>;
    /// Whether `address` is registered with exactly these `(X, P)`.
    fn is_registered(&self, address: &Address) -> Result<bool, StoreError>;
    /// A published quote.
    fn quote(&self, operator: &str, quote_id: u64) -> Result<Option<PublishQuote>, StoreError>;
    /// Whether spend key `X` is registered (with any view key): an `X` registers once.
    fn spend_key_registered(&self, x: &Point) -> Result<bool, StoreError>;
    /// The `link` stored when `X` registered through RegisterAddress.
    fn registration_link(&self, x: &Point) -> Result<Option<FieldBytes>, StoreError>;
    /// Whether a registration nullifier was already used.
    fn registration_nullifier_used(&self, nullifier: &FieldBytes) -> Result<bool, StoreError>;
    /// The standing of `root` among `issuer`'s published roots, if it was ever published.
    fn kyc_root(&self, issuer: u32, root: &FieldBytes) -> Result<Option<RootStanding>, StoreError>;
    /// `issuer`'s latest root update, if any.
    fn kyc_root_head(&self, issuer: u32) -> Result<Option<RootHead>, StoreError>;
}

/// An issuer's roots in [`MemoryState`].
#[derive(Clone, Debug, Default)]
struct IssuerRoots {
    head: Option<RootHead>,
    superseded: BTreeMap<[u8; 32], u64>,
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
    spend_keys: BTreeSet<[u8; 32]>,
    links: BTreeMap<[u8; 32], FieldBytes>,
    registration_nullifiers: BTreeSet<[u8; 32]>,
    kyc_roots: BTreeMap<u32, IssuerRoots>,
}

impl MemoryState {
    /// A state holding genesis's institutional registrations.
    pub fn from_genesis(genesis: &Genesis) -> Self {
        let mut s = MemoryState::default();
        for a in genesis.institutional_addresses() {
            s.registered.insert(a.to_bytes());
            s.spend_keys.insert(a.spend_key().to_bytes());
        }
        s
    }

    /// Registers an address directly (tests).
    pub fn register(&mut self, address: &Address) {
        self.registered.insert(address.to_bytes());
        self.spend_keys.insert(address.spend_key().to_bytes());
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

    /// Applies a verified transaction committed at `height`: marks inputs spent and stores its
    /// notes, quote, registration (address, link, nullifier) or KYC root. `output_assets` gives
    /// each output's asset (from the resolved statement).
    pub fn apply(&mut self, tx: &Transaction, output_assets: &[String], height: u64) {
        let tx_id = tx.id();
        self.txs.insert(tx_id);
        let fee = tx.body().fee();
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
        for note in Note::created_by(tx, output_assets) {
            self.notes.insert(note.id, note);
        }
        match tx.body() {
            TxBody::PublishQuote(q) => {
                self.quotes
                    .insert((q.operator.clone(), q.quote_id), q.clone());
            }
            TxBody::RegisterAddress(r) => {
                self.registered.insert(r.address.to_bytes());
                self.spend_keys.insert(r.address.spend_key().to_bytes());
                if let Some(link) = r.kyc.link {
                    self.links.insert(r.address.spend_key().to_bytes(), link);
                }
                self.registration_nullifiers.insert(r.kyc.nullifier.0);
            }
            TxBody::KycRootUpdate(u) => {
                let roots = self.kyc_roots.entry(u.issuer).or_default();
                if let Some(old) = roots.head {
                    roots.superseded.insert(old.root.0, height);
                }
                // A root published again is current again.
                roots.superseded.remove(&u.new_root.0);
                roots.head = Some(RootHead {
                    seq: u.seq,
                    root: u.new_root,
                });
            }
            _ => {}
        }
    }
}

/// The reads of [`PublicState`], infallible: a memory state cannot fail. The trait's methods
/// wrap these.
impl MemoryState {
    /// A committed note.
    pub fn note(&self, id: &NoteId) -> Option<Note> {
        self.notes.get(id).cloned()
    }

    /// Whether `address` is registered with exactly these keys.
    pub fn is_registered(&self, address: &Address) -> bool {
        self.registered.contains(&address.to_bytes())
    }

    /// A published quote.
    pub fn quote(&self, operator: &str, quote_id: u64) -> Option<PublishQuote> {
        self.quotes.get(&(operator.to_string(), quote_id)).cloned()
    }

    /// Whether spend key `X` is registered.
    pub fn spend_key_registered(&self, x: &Point) -> bool {
        self.spend_keys.contains(&x.to_bytes())
    }

    /// The `link` stored when `X` registered.
    pub fn registration_link(&self, x: &Point) -> Option<FieldBytes> {
        self.links.get(&x.to_bytes()).copied()
    }

    /// Whether a registration nullifier was used.
    pub fn registration_nullifier_used(&self, nullifier: &FieldBytes) -> bool {
        self.registration_nullifiers.contains(&nullifier.0)
    }

    /// The standing of `root` among `issuer`'s roots.
    pub fn kyc_root(&self, issuer: u32, root: &FieldBytes) -> Option<RootStanding> {
        let roots = self.kyc_roots.get(&issuer)?;
        if roots.head.is_some_and(|h| h.root == *root) {
            return Some(RootStanding::Current);
        }
        roots
            .superseded
            .get(&root.0)
            .map(|&h| RootStanding::SupersededAt(h))
    }

    /// `issuer`'s latest root update.
    pub fn kyc_root_head(&self, issuer: u32) -> Option<RootHead> {
        self.kyc_roots.get(&issuer).and_then(|r| r.head)
    }
}

impl PublicState for MemoryState {
    fn note(&self, id: &NoteId) -> Result<Option<Note>, StoreError> {
        Ok(MemoryState::note(self, id))
    }

    fn is_registered(&self, address: &Address) -> Result<bool, StoreError> {
        Ok(MemoryState::is_registered(self, address))
    }

    fn quote(&self, operator: &str, quote_id: u64) -> Result<Option<PublishQuote>, StoreError> {
        Ok(MemoryState::quote(self, operator, quote_id))
    }

    fn spend_key_registered(&self, x: &Point) -> Result<bool, StoreError> {
        Ok(MemoryState::spend_key_registered(self, x))
    }

    fn registration_link(&self, x: &Point) -> Result<Option<FieldBytes>, StoreError> {
        Ok(MemoryState::registration_link(self, x))
    }

    fn registration_nullifier_used(&self, nullifier: &FieldBytes) -> Result<bool, StoreError> {
        Ok(MemoryState::registration_nullifier_used(self, nullifier))
    }

    fn kyc_root(&self, issuer: u32, root: &FieldBytes) -> Result<Option<RootStanding>, StoreError> {
        Ok(MemoryState::kyc_root(self, issuer, root))
    }

    fn kyc_root_head(&self, issuer: u32) -> Result<Option<RootHead>, StoreError> {
        Ok(MemoryState::kyc_root_head(self, issuer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_month_of_known_days() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(30), (1970, 1));
        assert_eq!(year_month(31), (1970, 2));
        // 2000-02-29 is day 11_016; 2000-03-01 is 11_017.
        assert_eq!(year_month(11_016), (2000, 2));
        assert_eq!(year_month(11_017), (2000, 3));
        // 2026-11-25 is day 20_782; 2026-12-31 is 20_818; 2027-01-01 is 20_819.
        assert_eq!(year_month(20_782), (2026, 11));
        assert_eq!(year_month(20_818), (2026, 12));
        assert_eq!(year_month(20_819), (2027, 1));
        let block = BlockContext {
            height: 1,
            time: 20_782 * 86_400 + 86_399,
        };
        assert_eq!(block.epoch_day(), 20_782);
    }
}
