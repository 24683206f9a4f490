//! The bounded, de-duplicating mempool: admitted transactions in arrival order.
use crate::pipeline::TxError;
use corridor_core::tx::TxId;
use std::collections::{BTreeMap, HashMap};

/// An admitted transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MempoolEntry {
    /// Its id.
    pub id: TxId,
    /// Its wire bytes.
    pub bytes: Vec<u8>,
}

/// Admitted transactions waiting for a block, at most `capacity`, one per id.
#[derive(Debug)]
pub struct Mempool {
    by_arrival: BTreeMap<u64, MempoolEntry>,
    arrival: HashMap<TxId, u64>,
    next: u64,
    capacity: usize,
}

impl Mempool {
    /// An empty mempool holding at most `capacity` transactions.
    pub fn new(capacity: usize) -> Self {
        Self {
            by_arrival: BTreeMap::new(),
            arrival: HashMap::new(),
            next: 0,
            capacity,
        }
    }

    /// Adds `entry`.
    ///
    /// # Errors
    /// [`TxError::InMempool`] if its id waits already, [`TxError::MempoolFull`] at capacity.
    pub fn insert(&mut self, entry: MempoolEntry) -> Result<TxId, TxError> {
        if self.arrival.contains_key(&entry.id) {
            return Err(TxError::InMempool(entry.id));
        }
        if self.by_arrival.len() >= self.capacity {
            return Err(TxError::MempoolFull {
                capacity: self.capacity,
            });
        }
        let id = entry.id;
        self.arrival.insert(id, self.next);
        self.by_arrival.insert(self.next, entry);
        self.next += 1;
        Ok(id)
    }

    /// Removes these ids (those that are there).
    pub fn remove(&mut self, ids: &[TxId]) {
        for id in ids {
            if let Some(at) = self.arrival.remove(id) {
                self.by_arrival.remove(&at);
            }
        }
    }

    /// Every waiting transaction, in arrival order.
    pub fn entries(&self) -> Vec<MempoolEntry> {
        self.by_arrival.values().cloned().collect()
    }

    /// How many wait.
    pub fn len(&self) -> usize {
        self.by_arrival.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.by_arrival.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(b: u8) -> MempoolEntry {
        MempoolEntry {
            id: TxId([b; 32]),
            bytes: vec![b],
        }
    }

    #[test]
    fn dedupes_bounds_and_keeps_arrival_order() {
        let mut m = Mempool::new(2);
        m.insert(entry(2)).unwrap();
        assert_eq!(
            m.insert(entry(2)).unwrap_err(),
            TxError::InMempool(TxId([2; 32]))
        );
        m.insert(entry(1)).unwrap();
        assert_eq!(
            m.insert(entry(3)).unwrap_err(),
            TxError::MempoolFull { capacity: 2 }
        );
        assert_eq!(m.entries(), vec![entry(2), entry(1)]);
        m.remove(&[TxId([2; 32]), TxId([9; 32])]);
        assert_eq!(m.entries(), vec![entry(1)]);
        m.insert(entry(3)).unwrap();
        assert_eq!(m.len(), 2);
    }
}
