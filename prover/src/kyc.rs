//! A customer's KYC credential, ready to prove membership for a transaction (DESIGN.md §3.6).
//!
//! The builder asks it twice: first for the traveling section (issuer, root, day, escrow
//! ciphertext under the genesis escrow key, and the `link` for a registration) before the
//! statement digest exists, then, once the statement is resolved, for the nullifier and the
//! Groth16 proof over the public inputs the statement resolved (the same mapping the verifier
//! uses, [`corridor_circuits::statement`]).

use corridor_circuits::escrow::EscrowCiphertext;
use corridor_circuits::kyc::{link, link_tag};
use corridor_circuits::statement::context;
use corridor_circuits::{
    fr_to_bytes, Credential, EscrowPublicKey, EscrowRandomness, KycCircuit, KycWitness,
    MembershipWitness,
};
use corridor_core::address::Address;
use corridor_core::statement::KycPublicInputs;
use corridor_core::tx::{FieldBytes, KycProof, GROTH16_PROOF_LEN};
use corridor_params::encoding::encode_proof;
use corridor_params::ProvingKey;
use rand_core::{CryptoRng, RngCore};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{KycProveError, ProveError};
use crate::groth16::{Groth16ProveError, Prover};

/// Proving keys whose precomputation a process keeps (the oldest is dropped beyond).
const KEPT_PROVERS: usize = 2;

/// Customers whose credential share a KYC prover keeps (about 0.5 KiB each; the oldest is
/// dropped beyond). See [`crate::groth16::Prover::with_credential_shares`].
const KEPT_SHARES: usize = 4096;

/// The KYC prover of `pk`: its precomputation (constraint matrices, fixed-base tables; see
/// [`crate::groth16::Prover`]) is built on first use, on every core, and then kept for the
/// life of the process, shared by every proof under that key; it keeps the credential shares
/// of the last [`KEPT_SHARES`] customers it proved for (their next proof under the same root
/// skips most of the MSM work; the proofs are the same).
///
/// # Errors
/// [`Groth16ProveError`] when `pk` was not made for the KYC circuit.
pub fn kyc_prover(pk: &ProvingKey) -> Result<Arc<Prover>, Groth16ProveError> {
    static PROVERS: Mutex<Vec<Arc<Prover>>> = Mutex::new(Vec::new());
    let mut provers = PROVERS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(p) = provers.iter().find(|p| p.circuit().is_for(&pk.0)) {
        return Ok(Arc::clone(p));
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let prover = Arc::new(
        Prover::new(&pk.0, KycCircuit::for_setup(), threads)?
            .with_credential_shares(KycCircuit::credential_witness_ranges()?, KEPT_SHARES)?,
    );
    if provers.len() >= KEPT_PROVERS {
        provers.remove(0);
    }
    provers.push(Arc::clone(&prover));
    Ok(prover)
}

/// A credential with its membership witness under a published root, and the KYC proving key.
#[derive(Clone)]
pub struct KycCredential<'a> {
    /// The Groth16 proving key of the KYC circuit.
    pub proving_key: &'a ProvingKey,
    /// The customer's credential (identity secret and attributes).
    pub credential: Credential,
    /// Its path under the root the proof claims.
    pub membership: MembershipWitness,
}

impl fmt::Debug for KycCredential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KycCredential(<redacted>)")
    }
}

/// The traveling KYC section drawn before the digest, with the escrow randomness it used.
pub(crate) struct PendingKyc<'c, 'a> {
    credential: &'c KycCredential<'a>,
    address: Address,
    escrow_randomness: EscrowRandomness,
}

impl<'a> KycCredential<'a> {
    /// The traveling section for a transaction signed by `address` on day `epoch_day`, with a
    /// zero nullifier and proof (filled by [`PendingKyc::prove`]). `with_link` for a
    /// RegisterAddress.
    pub(crate) fn section<'c, R: RngCore + CryptoRng>(
        &'c self,
        address: Address,
        escrow_key: &[u8; 32],
        epoch_day: u32,
        with_link: bool,
        rng: &mut R,
    ) -> Result<(KycProof, PendingKyc<'c, 'a>), ProveError> {
        let escrow_pk =
            EscrowPublicKey::from_bytes(escrow_key).map_err(KycProveError::EscrowKey)?;
        let k = EscrowRandomness::random(rng);
        let c = &self.credential;
        let escrow = EscrowCiphertext::encrypt(&escrow_pk, c.id_commit(), &k);
        let link = with_link
            .then(|| FieldBytes(fr_to_bytes(&link(c.identity_secret(), link_tag(&address)))));
        let section = KycProof {
            issuer: c.issuer_id(),
            root: FieldBytes(fr_to_bytes(&self.membership.root(c.leaf()))),
            epoch_day,
            nullifier: FieldBytes([0u8; 32]),
            escrow_r: corridor_circuits::escrow::point_to_bytes(&escrow.r),
            escrow_c: FieldBytes(fr_to_bytes(&escrow.c)),
            link,
            proof: [0u8; GROTH16_PROOF_LEN],
        };
        Ok((
            section,
            PendingKyc {
                credential: self,
                address,
                escrow_randomness: k,
            },
        ))
    }
}

impl PendingKyc<'_, '_> {
    /// The nullifier and the Groth16 proof for the public inputs `public` the statement
    /// resolved. Refuses, naming why, when the credential cannot prove them.
    pub(crate) fn prove<R: RngCore + CryptoRng>(
        self,
        public: &KycPublicInputs,
        rng: &mut R,
    ) -> Result<(FieldBytes, [u8; GROTH16_PROOF_LEN]), ProveError> {
        let ctx = context(public).map_err(KycProveError::Context)?;
        let witness = KycWitness {
            credential: self.credential.credential.clone(),
            membership: self.credential.membership.clone(),
            link_tag: link_tag(&self.address),
            escrow_randomness: self.escrow_randomness,
        };
        let (circuit, inputs) =
            KycCircuit::from_witness(witness, &ctx).map_err(KycProveError::Credential)?;
        let link = FieldBytes(fr_to_bytes(&inputs.link));
        if link != public.link {
            return Err(KycProveError::LinkMismatch.into());
        }
        let pk = self.credential.proving_key;
        let proof = kyc_prover(pk)?.prove(&pk.0, circuit, rng)?;
        let bytes: [u8; GROTH16_PROOF_LEN] = encode_proof(&proof)
            .try_into()
            .map_err(|b: Vec<u8>| KycProveError::ProofEncoding { len: b.len() })?;
        Ok((FieldBytes(fr_to_bytes(&inputs.nullifier)), bytes))
    }
}
