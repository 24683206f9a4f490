//! The verifier entry point: a signed transaction checked against genesis and the public data it
//! references (input notes, registered addresses, quotes), which the caller passes in. The
//! node's stateful rules (spent set, nonces, sequences, quote expiry by height, KYC root windows,
//! nullifiers) are the node's.
//!
//! Order: resolve the statement (static fit to state), the signature, every sigma proof in order,
//! the range proof, then the KYC proof. A tampered transaction that its signer re-signed
//! therefore fails on the proof it broke, not on the signature. Verification itself is
//! [`crate::batch`]'s, for one transaction as for a block.
use crate::batch::{prepare, Batch};
use crate::error::{ProofError, VerifyError};
use crate::groth16::{decode_proof, PreparedKey};
use crate::parallel::Threads;
use ark_bn254::{Bn254, Fr};
use corridor_circuits::statement::{public_inputs, public_inputs_for_proof_check};
use corridor_core::genesis::Genesis;
use corridor_core::state::{BlockContext, PublicState};
use corridor_core::statement::{KycPublicInputs, Statement};
use corridor_core::tx::Transaction;
use rand_core::OsRng;

/// Everything a transaction is checked against besides itself, supplied by the caller (the
/// node): genesis, the public state it references, the block it is validated for, and the
/// prepared KYC verifying key whose hash genesis pins.
#[derive(Clone, Copy)]
pub struct VerifyContext<'a> {
    /// Genesis.
    pub genesis: &'a Genesis,
    /// Committed public state (shared by the threads that prepare a batch).
    pub state: &'a (dyn PublicState + Sync),
    /// The block being validated.
    pub block: BlockContext,
    /// The KYC circuit's prepared verifying key.
    pub kyc_key: &'a PreparedKey,
}

impl std::fmt::Debug for VerifyContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyContext")
            .field("network", &self.genesis.network)
            .field("block", &self.block)
            .finish()
    }
}

/// What became of the KYC section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KycStatus {
    /// The signer is institutional or the kind needs no KYC.
    NotRequired,
    /// A customer's Groth16 KYC proof verified against the public inputs the verifier resolved
    /// (policy, root window, day, binding, scope, link, escrow key).
    Verified,
}

/// A transaction whose signature and every proof verified.
#[derive(Clone, Debug)]
pub struct VerifiedTransaction {
    tx: Transaction,
    statement: Statement,
    kyc: KycStatus,
}

impl VerifiedTransaction {
    pub(crate) fn new(tx: Transaction, statement: Statement, kyc: KycStatus) -> Self {
        Self { tx, statement, kyc }
    }

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
}

/// A customer's KYC proof and its public inputs in the circuit's order, resolved by the
/// verifier (never read from the proof): what a batch verifier needs.
pub fn kyc_claim(
    kyc: &KycPublicInputs,
) -> Result<(ark_groth16::Proof<Bn254>, Vec<Fr>), ProofError> {
    claim(public_inputs(kyc), kyc)
}

/// [`kyc_claim`] without the subgroup check of `escrow_R`, which a verifying Groth16 proof
/// implies (the circuit constrains `escrow_R = k·B8`): the batch path, which runs
/// [`kyc_claim`] on every transaction it refuses so that the error is the same.
pub(crate) fn kyc_claim_for_proof_check(
    kyc: &KycPublicInputs,
) -> Result<(ark_groth16::Proof<Bn254>, Vec<Fr>), ProofError> {
    claim(public_inputs_for_proof_check(kyc), kyc)
}

fn claim(
    inputs: Result<corridor_circuits::kyc::KycPublicInputs, corridor_circuits::Error>,
    kyc: &KycPublicInputs,
) -> Result<(ark_groth16::Proof<Bn254>, Vec<Fr>), ProofError> {
    let inputs = inputs
        .map_err(|e| ProofError::KycInputs(e.to_string()))?
        .to_field_elements();
    let proof = decode_proof(&kyc.proof.proof).map_err(|e| ProofError::KycFormat(e.to_string()))?;
    Ok((proof, inputs))
}

/// Verifies `tx` on its own: a batch of one ([`crate::batch`]) on the calling thread, with
/// weights from the operating system's CSPRNG. Errors, and their order, are those of a
/// transaction checked alone (see [`crate::batch`]): the statement, the signature, each sigma
/// proof in order, the range proof, then the KYC proof.
///
/// # Errors
/// Why `tx` is refused.
pub fn verify_transaction(
    tx: &Transaction,
    ctx: &VerifyContext<'_>,
) -> Result<VerifiedTransaction, VerifyError> {
    let mut batch = Batch::new(ctx.kyc_key);
    batch.add(prepare(tx.clone(), ctx)?)?;
    batch
        .finish(&mut OsRng, &Threads::current())
        .results
        .pop()
        .unwrap_or(Err(ProofError::BatchInconsistent.into()))
}
