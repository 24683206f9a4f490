//! The verifier entry point: a signed transaction checked against genesis and the public data it
//! references (input notes, registered addresses, quotes), which the caller passes in. The
//! node's stateful rules (spent set, nonces, sequences, quote expiry by height, KYC root windows,
//! nullifiers) are the node's.
//!
//! Order: resolve the statement (static fit to state), the signature, every sigma proof in order,
//! then the range proof. A tampered transaction that its signer re-signed therefore fails on the
//! proof it broke, not on the signature.
use crate::error::{ProofError, VerifyError};
use crate::range::verify_range;
use crate::sigma::verify;
use corridor_core::genesis::Genesis;
use corridor_core::state::PublicState;
use corridor_core::statement::{resolve, Statement};
use corridor_core::tx::Transaction;

/// What became of the KYC section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KycStatus {
    /// The signer is institutional or the kind needs no KYC.
    NotRequired,
    /// A customer's KYC section was decoded, size-checked and bound into the digest and the
    /// transcript, but its Groth16 proof was NOT verified (the KYC verifier lands in the next
    /// issue). Such a transaction is not fully verified.
    NotVerified,
}

/// A transaction whose signature and confidential-amount proofs verified.
#[derive(Clone, Debug)]
pub struct VerifiedTransaction {
    tx: Transaction,
    statement: Statement,
    kyc: KycStatus,
}

impl VerifiedTransaction {
    /// The transaction.
    pub fn tx(&self) -> &Transaction {
        &self.tx
    }

    /// Its resolved statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// What became of its KYC section.
    pub fn kyc(&self) -> KycStatus {
        self.kyc
    }

    /// Whether every check, KYC included, was made. False while the KYC proof is not verified:
    /// nothing may treat such a result as fully verified.
    pub fn is_fully_verified(&self) -> bool {
        self.kyc == KycStatus::NotRequired
    }
}

/// Verifies `tx` against `genesis` and `state`.
pub fn verify_transaction(
    tx: &Transaction,
    genesis: &Genesis,
    state: &dyn PublicState,
) -> Result<VerifiedTransaction, VerifyError> {
    let statement = resolve(tx.unsigned(), genesis, state)?;
    if !tx.signature_valid(&statement.signer) {
        return Err(VerifyError::Signature {
            kind: statement.kind,
        });
    }
    let proofs = tx.body().sigma_proofs();
    if proofs.len() != statement.relations.len() {
        return Err(ProofError::SigmaCount {
            expected: statement.relations.len(),
            found: proofs.len(),
        }
        .into());
    }
    let mut t = statement.transcript();
    for (i, (rel, proof)) in statement.relations.iter().zip(proofs).enumerate() {
        verify(rel, proof, i, &mut t)?;
    }
    if let Some(rp) = tx.body().range_proof() {
        verify_range(&statement.range, rp, statement.relations.len(), &mut t)?;
    }
    let kyc = if statement.kyc.is_some() {
        KycStatus::NotVerified
    } else {
        KycStatus::NotRequired
    };
    Ok(VerifiedTransaction {
        tx: tx.clone(),
        statement,
        kyc,
    })
}
