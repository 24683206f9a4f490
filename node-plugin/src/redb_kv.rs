//! The ledger's tables in a redb database file: every [`Kv::write`] is one redb write
//! transaction with the default `Durability::Immediate` (durable when `commit` returns; a crash
//! at any instant leaves the last committed transaction whole).
use crate::kv::{Entries, Kv, Table, WriteBatch};
use corridor_core::state::StoreError;
use redb::{Database, ReadableDatabase, TableDefinition};
use std::fmt;
use std::path::Path;

fn definition(table: Table) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
    TableDefinition::new(table.name())
}

fn store_error(e: impl Into<redb::Error>) -> StoreError {
    StoreError::new(e.into())
}

/// A redb database holding the ledger.
pub struct RedbKv {
    db: Database,
}

impl fmt::Debug for RedbKv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedbKv")
    }
}

impl RedbKv {
    /// Opens the database at `path`, creating it (and every table) if it does not exist. An
    /// unclean shutdown is repaired by redb on open.
    ///
    /// # Errors
    /// If the file cannot be opened or is not a redb database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(store_error)?;
        let txn = db.begin_write().map_err(store_error)?;
        for table in Table::ALL {
            txn.open_table(definition(table)).map_err(store_error)?;
        }
        txn.commit().map_err(store_error)?;
        Ok(Self { db })
    }
}

impl Kv for RedbKv {
    fn get(&self, table: Table, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let txn = self.db.begin_read().map_err(store_error)?;
        let t = txn.open_table(definition(table)).map_err(store_error)?;
        Ok(t.get(key).map_err(store_error)?.map(|v| v.value().to_vec()))
    }

    fn scan(
        &self,
        table: Table,
        start: &[u8],
        end: Option<&[u8]>,
        limit: usize,
    ) -> Result<Entries, StoreError> {
        let txn = self.db.begin_read().map_err(store_error)?;
        let t = txn.open_table(definition(table)).map_err(store_error)?;
        let range = match end {
            Some(end) => t.range::<&[u8]>(start..end),
            None => t.range::<&[u8]>(start..),
        }
        .map_err(store_error)?;
        let mut out = Vec::new();
        for entry in range.take(limit) {
            let (k, v) = entry.map_err(store_error)?;
            out.push((k.value().to_vec(), v.value().to_vec()));
        }
        Ok(out)
    }

    fn write(&self, batch: &WriteBatch) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(store_error)?;
        {
            type Open<'t> = Option<(Table, redb::Table<'t, &'static [u8], &'static [u8]>)>;
            let mut open: Open<'_> = None;
            for (table, key, value) in batch.iter() {
                if open.as_ref().map(|(t, _)| *t) != Some(table) {
                    open = Some((
                        table,
                        txn.open_table(definition(table)).map_err(store_error)?,
                    ));
                }
                if let Some((_, t)) = open.as_mut() {
                    t.insert(key, value).map_err(store_error)?;
                }
            }
        }
        txn.commit().map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redb_round_trip_and_reopen() {
        let dir = std::env::temp_dir().join(format!("corridor-redb-kv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ledger.redb");
        let _ = std::fs::remove_file(&path);
        {
            let kv = RedbKv::open(&path).unwrap();
            let mut b = WriteBatch::default();
            b.put(Table::Notes, vec![1, 2], vec![3]);
            b.put(Table::Meta, b"height".to_vec(), 7u64.to_be_bytes().to_vec());
            b.put(Table::Notes, vec![1, 3], vec![4]);
            kv.write(&b).unwrap();
            assert_eq!(kv.scan(Table::Notes, &[1], Some(&[2]), 9).unwrap().len(), 2);
        }
        let kv = RedbKv::open(&path).unwrap();
        assert_eq!(kv.get(Table::Notes, &[1, 2]).unwrap(), Some(vec![3]));
        assert_eq!(
            kv.get(Table::Meta, b"height").unwrap(),
            Some(7u64.to_be_bytes().to_vec())
        );
        assert_eq!(kv.get(Table::Spent, &[1]).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_typed_error() {
        let dir = std::env::temp_dir().join(format!("corridor-redb-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ledger.redb");
        std::fs::write(&path, vec![0x5a; 4096]).unwrap();
        let err = RedbKv::open(&path).unwrap_err();
        assert!(err.to_string().contains("state store"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
