//! Notes (DESIGN.md §3.4): outputs once committed, spent whole, by id.
use crate::address::Address;
use crate::elgamal::EncryptedAmount;
use crate::group::Point;
use crate::tx::{NoteId, Transaction, TxBody, TxId};

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
    /// The notes `tx` creates, as the ledger stores them: one per output, in output order,
    /// output 0 of a remittance Transfer tagged with its operator, quote and beneficiary
    /// commitment. `output_assets` gives each output's asset (from the resolved statement).
    pub fn created_by(tx: &Transaction, output_assets: &[String]) -> Vec<Note> {
        let tx_id = tx.id();
        let remittance = match tx.body() {
            TxBody::Transfer(t) => t.remittance.as_ref().map(|r| RemittanceTag {
                operator: r.operator.clone(),
                quote_id: r.quote_id,
                beneficiary_commitment: r.beneficiary_commitment,
            }),
            _ => None,
        };
        tx.new_notes()
            .into_iter()
            .zip(output_assets)
            .enumerate()
            .map(|(i, ((id, output), asset))| Note {
                id,
                tx_id,
                output_index: i as u32,
                asset: asset.clone(),
                owner: output.owner,
                amount: output.amount.clone(),
                remittance: if i == 0 { remittance.clone() } else { None },
            })
            .collect()
    }

    /// The owner handle `D = D_0 + 2^32·D_1` (never the identity: outputs are checked at decode).
    pub fn owner_handle(&self) -> Point {
        Point::new(self.amount.owner_handle().unwrap_or_default())
    }
}
