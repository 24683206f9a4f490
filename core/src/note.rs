//! Notes (DESIGN.md §3.4): outputs once committed, spent whole, by id.
use crate::address::Address;
use crate::elgamal::EncryptedAmount;
use crate::group::Point;
use crate::tx::{NoteId, TxId};

/// What a remittance Transfer records on its output 0: the quote it used and the beneficiary
/// commitment the Payout must open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemittanceTag {
    /// The operator paid.
    pub operator: String,
    /// The quote used.
    pub quote_id: u64,
    /// `q`.
    pub beneficiary_commitment: [u8; 32],
}

/// A note as the ledger stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// `H(note-id, tx_id, output index)`.
    pub id: NoteId,
    /// The creating transaction.
    pub tx_id: TxId,
    /// Index among that transaction's outputs (bound into hint keys).
    pub output_index: u32,
    /// Asset code.
    pub asset: String,
    /// Owner.
    pub owner: Address,
    /// The encrypted amount.
    pub amount: EncryptedAmount,
    /// Set on output 0 of a remittance Transfer.
    pub remittance: Option<RemittanceTag>,
}

impl Note {
    /// The owner handle `D = D_0 + 2^32·D_1` (never the identity: outputs are checked at decode).
    pub fn owner_handle(&self) -> Point {
        Point::new(self.amount.owner_handle().unwrap_or_default())
    }
}
