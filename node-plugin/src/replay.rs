//! Blocks as a file, for replaying a chain into a node (`corridor node replay`): determinism
//! checks across thread counts and machines, and crash tests. The format is length-prefixed:
//! per block, `time (u64 BE) ‖ count (u32 BE) ‖ (len (u32 BE) ‖ tx bytes)*`.
use crate::kv::{Kv, Table};
use corridor_core::hash::Hasher;
use corridor_core::state::StoreError;
use thiserror::Error;

/// One block of a replay file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayBlock {
    /// Block time.
    pub time: u64,
    /// Its transactions' wire bytes.
    pub txs: Vec<Vec<u8>>,
}

/// A replay file that does not parse.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReplayError {
    /// The file ends inside a block.
    #[error("block {block}: truncated at byte {offset}")]
    Truncated {
        /// Block index.
        block: usize,
        /// Byte offset.
        offset: usize,
    },
    /// A transaction over the cap.
    #[error("block {block}: transaction of {len} bytes is over the cap of {max}")]
    TooLarge {
        /// Block index.
        block: usize,
        /// Its length.
        len: usize,
        /// The cap.
        max: usize,
    },
}

/// Encodes blocks.
pub fn encode_blocks(blocks: &[ReplayBlock]) -> Vec<u8> {
    let mut out = Vec::new();
    for b in blocks {
        out.extend_from_slice(&b.time.to_be_bytes());
        out.extend_from_slice(&(b.txs.len() as u32).to_be_bytes());
        for tx in &b.txs {
            out.extend_from_slice(&(tx.len() as u32).to_be_bytes());
            out.extend_from_slice(tx);
        }
    }
    out
}

/// Decodes blocks; no transaction may exceed `max_tx` bytes.
///
/// # Errors
/// [`ReplayError`] naming the block and where.
pub fn decode_blocks(bytes: &[u8], max_tx: usize) -> Result<Vec<ReplayBlock>, ReplayError> {
    let mut at = 0usize;
    let mut blocks = Vec::new();
    let take = |at: &mut usize, n: usize, block: usize| -> Result<&[u8], ReplayError> {
        let end = at.checked_add(n).filter(|&e| e <= bytes.len());
        let Some(end) = end else {
            return Err(ReplayError::Truncated { block, offset: *at });
        };
        let s = &bytes[*at..end];
        *at = end;
        Ok(s)
    };
    while at < bytes.len() {
        let block = blocks.len();
        let mut u64b = [0u8; 8];
        u64b.copy_from_slice(take(&mut at, 8, block)?);
        let mut u32b = [0u8; 4];
        u32b.copy_from_slice(take(&mut at, 4, block)?);
        let count = u32::from_be_bytes(u32b) as usize;
        let mut txs = Vec::new();
        for _ in 0..count {
            u32b.copy_from_slice(take(&mut at, 4, block)?);
            let len = u32::from_be_bytes(u32b) as usize;
            if len > max_tx {
                return Err(ReplayError::TooLarge {
                    block,
                    len,
                    max: max_tx,
                });
            }
            txs.push(take(&mut at, len, block)?.to_vec());
        }
        blocks.push(ReplayBlock {
            time: u64::from_be_bytes(u64b),
            txs,
        });
    }
    Ok(blocks)
}

/// A digest of every entry of every table: two stores with equal digests hold the same state.
///
/// # Errors
/// Store errors.
pub fn state_digest(kv: &dyn Kv) -> Result<[u8; 32], StoreError> {
    let mut h = Hasher::new(corridor_core::domain::APP_HASH).part(b"state-digest");
    for table in Table::ALL {
        for (k, v) in kv.scan(table, &[], None, usize::MAX)? {
            h = h.part(&[table.tag()]).part(&k).part(&v);
        }
    }
    Ok(h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let blocks = vec![
            ReplayBlock {
                time: 5,
                txs: vec![vec![1, 2, 3], vec![]],
            },
            ReplayBlock {
                time: 10,
                txs: vec![],
            },
        ];
        let bytes = encode_blocks(&blocks);
        assert_eq!(decode_blocks(&bytes, 10).unwrap(), blocks);
        let first = encode_blocks(&blocks[..1]).len();
        for cut in (1..bytes.len()).filter(|&c| c != first) {
            let r = decode_blocks(&bytes[..cut], 10);
            assert!(
                matches!(r, Err(ReplayError::Truncated { .. })),
                "cut {cut}: {r:?}"
            );
        }
        assert_eq!(
            decode_blocks(&bytes, 2),
            Err(ReplayError::TooLarge {
                block: 0,
                len: 3,
                max: 2
            })
        );
    }
}
