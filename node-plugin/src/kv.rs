//! The node's storage, as ordered key-value tables: an in-memory implementation and a redb one
//! ([`crate::redb_kv`]) behind one trait, so that the typed ledger ([`crate::ledger`]) is
//! written once and both stores behave alike. A block's changes are written in ONE atomic
//! [`Kv::write`] (one redb write transaction).
use corridor_core::state::StoreError;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::RwLock;

/// The tables of the ledger. Keys and values are the encodings of [`crate::ledger`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// `"height"`, `"app_hash"`, `"time"`, `"genesis"`: the last committed block.
    Meta,
    /// Note id → note record.
    Notes,
    /// Spent note id → height it was spent at.
    Spent,
    /// Transaction id → (height, index in block, wire bytes).
    Txs,
    /// Address (64 bytes) → empty.
    Addresses,
    /// Spend key `X` → the registration's `link` (empty for institutions).
    SpendKeys,
    /// Registration nullifier → height.
    Nullifiers,
    /// `operator ‖ 0 ‖ quote id (BE)` → the quote's transaction bytes.
    Quotes,
    /// Issuer id (BE) → `seq ‖ root`.
    KycHeads,
    /// `issuer (BE) ‖ root` → height the root was superseded at.
    KycSuperseded,
    /// Asset code → last mint nonce (BE).
    MintNonces,
    /// Asset code → fees collected (u128 BE).
    FeePools,
    /// Height (BE) → block record.
    Blocks,
    /// `owner (64) ‖ height (BE) ‖ note id` → empty: the notes an owner received, by height.
    OwnerNotes,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 14] = [
        Table::Meta,
        Table::Notes,
        Table::Spent,
        Table::Txs,
        Table::Addresses,
        Table::SpendKeys,
        Table::Nullifiers,
        Table::Quotes,
        Table::KycHeads,
        Table::KycSuperseded,
        Table::MintNonces,
        Table::FeePools,
        Table::Blocks,
        Table::OwnerNotes,
    ];

    /// The table's name in the database file.
    pub fn name(self) -> &'static str {
        match self {
            Table::Meta => "meta",
            Table::Notes => "notes",
            Table::Spent => "spent",
            Table::Txs => "txs",
            Table::Addresses => "addresses",
            Table::SpendKeys => "spend_keys",
            Table::Nullifiers => "nullifiers",
            Table::Quotes => "quotes",
            Table::KycHeads => "kyc_heads",
            Table::KycSuperseded => "kyc_superseded",
            Table::MintNonces => "mint_nonces",
            Table::FeePools => "fee_pools",
            Table::Blocks => "blocks",
            Table::OwnerNotes => "owner_notes",
        }
    }

    /// A one-byte tag for hashing.
    pub fn tag(self) -> u8 {
        self as u8
    }
}

/// Puts to apply atomically, in a canonical order (sorted by table then key; a later put of
/// the same key replaces an earlier one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteBatch {
    puts: BTreeMap<(Table, Vec<u8>), Vec<u8>>,
}

impl WriteBatch {
    /// Puts `value` under `key`.
    pub fn put(&mut self, table: Table, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.puts.insert((table, key.into()), value.into());
    }

    /// The value this batch puts under `key`, if any.
    pub fn get(&self, table: Table, key: &[u8]) -> Option<&[u8]> {
        self.puts.get(&(table, key.to_vec())).map(|v| v.as_slice())
    }

    /// The puts, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (Table, &[u8], &[u8])> {
        self.puts
            .iter()
            .map(|((t, k), v)| (*t, k.as_slice(), v.as_slice()))
    }

    /// How many puts.
    pub fn len(&self) -> usize {
        self.puts.len()
    }

    /// Whether nothing is put.
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty()
    }
}

/// Key-value entries of a scan, in key order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// The tables of a [`MemoryKv`].
type Tables = BTreeMap<Table, BTreeMap<Vec<u8>, Vec<u8>>>;

/// Ordered key-value tables.
pub trait Kv: Send + Sync {
    /// The value under `key`.
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Entries with keys in `[start, end)` (`end` `None`: to the end), in key order, at most
    /// `limit`.
    fn scan(
        &self,
        table: Table,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, StoreError>;
    /// Applies every put of `batch` atomically and durably: after a crash, either all of it or
    /// none of it is there.
    fn write(&self, batch: &WriteBatch) -> Result<(), StoreError>;
}

/// Tables in memory (tests, benches, the demo).
#[derive(Debug, Default)]
pub struct MemoryKv {
    tables: RwLock<Tables>,
}

/// A poisoned lock of [`MemoryKv`] (a writer panicked).
#[derive(Debug, thiserror::Error)]
#[error("memory store: a writer panicked")]
struct Poisoned;

impl MemoryKv {
    /// A copy of every table as it is now (an independent store).
    pub fn snapshot(&self) -> MemoryKv {
        let tables = self
            .tables
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        MemoryKv {
            tables: RwLock::new(tables),
        }
    }
}

impl Kv for MemoryKv {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let tables = self.tables.read().map_err(|_| StoreError::new(Poisoned))?;
        Ok(tables.get(&table).and_then(|t| t.get(key)).cloned())
    }

    fn scan(
        &self,
        table: Table,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, StoreError> {
        let tables = self.tables.read().map_err(|_| StoreError::new(Poisoned))?;
        let Some(t) = tables.get(&table) else {
            return Ok(Vec::new());
        };
        let upper = end.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(t.range::<[u8], _>((Bound::Included(start), upper))
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn write(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        let mut tables = self.tables.write().map_err(|_| StoreError::new(Poisoned))?;
        for (table, key, value) in batch.iter() {
            tables
                .entry(table)
                .or_default()
                .insert(key.to_vec(), value.to_vec());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_scan_and_overwrite() {
        let kv = MemoryKv::default();
        let mut b = WriteBatch::default();
        b.put(Table::Notes, vec![1], vec![10]);
        b.put(Table::Notes, vec![2], vec![20]);
        b.put(Table::Notes, vec![3], vec![30]);
        b.put(Table::Spent, vec![2], vec![]);
        kv.write(&b).unwrap();
        assert_eq!(kv.get(Table::Notes, &[2]).unwrap(), Some(vec![20]));
        assert_eq!(kv.get(Table::Spent, &[1]).unwrap(), None);
        let s = kv.scan(Table::Notes, &[2], None, 10).unwrap();
        assert_eq!(s, vec![(vec![2], vec![20]), (vec![3], vec![30])]);
        let s = kv.scan(Table::Notes, &[1], Some(&[3]), 10).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(kv.scan(Table::Notes, &[1], None, 1).unwrap().len(), 1);
        let mut b = WriteBatch::default();
        b.put(Table::Notes, vec![1], vec![11]);
        kv.write(&b).unwrap();
        assert_eq!(kv.get(Table::Notes, &[1]).unwrap(), Some(vec![11]));
    }
}
