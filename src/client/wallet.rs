//! A wallet over the services: its notes caught up from the node, its KYC credential with a
//! path from its issuer's registry, and its transactions proven (by its operator's prover
//! service or locally), signed here, submitted and awaited.
use super::proving::{Membership, TransferSpec};
use super::{ClientError, Ledger, Proving};
use crate::services::proto::kyc as registry_api;
use corridor_circuits::tree::MembershipWitness;
use corridor_circuits::{fr_from_bytes, fr_to_bytes, Credential, Fr, TREE_DEPTH};
use corridor_core::address::Address;
use corridor_core::elgamal::AmountOpening;
use corridor_core::keys::WalletKeys;
use corridor_core::tx::TxId;
use corridor_prover::builder::{OwnedNote, Payment, RemittanceRequest};
use corridor_prover::ViewWallet;
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;
use tonic::transport::Channel;

const REGISTRY: &str = "KYC registry";

/// The most inputs a wallet spends in one transaction (the protocol's limit).
const MAX_INPUTS: usize = 16;

/// A view-only wallet kept up to date from the node: its unspent notes, decrypted.
#[derive(Clone, Debug)]
pub struct NoteBook {
    wallet: ViewWallet,
    /// The lowest creation height the next catch-up lists (notes at it come again and are
    /// skipped).
    since: u64,
}

impl NoteBook {
    /// An empty book of `wallet` (its first [`Self::sync`] lists from height 0).
    pub fn new(wallet: ViewWallet) -> Self {
        NoteBook { wallet, since: 0 }
    }

    /// The wallet, with its unspent notes.
    pub fn wallet(&self) -> &ViewWallet {
        &self.wallet
    }

    /// Catches up from the node: receives every note created since the last catch-up and drops
    /// the spent ones. Returns the new unspent notes with their heights.
    pub async fn sync(&mut self, ledger: &Ledger) -> Result<Vec<(OwnedNote, u64)>, ClientError> {
        let address = self.wallet.address();
        let since = self.since;
        let received = ledger
            .read(move |s| Ok(s.received_notes(&address, since)?))
            .await?;
        let mut fresh = Vec::new();
        for r in received {
            self.since = self.since.max(r.height);
            if r.spent_height.is_some() {
                self.wallet.forget(&r.note.id);
                continue;
            }
            if self.wallet.receive(r.note)? {
                if let Some(n) = self.wallet.notes().last() {
                    fresh.push((n.clone(), r.height));
                }
            }
        }
        Ok(fresh)
    }

    /// Drops notes this wallet just spent.
    pub fn spent(&mut self, notes: &[OwnedNote]) {
        for n in notes {
            self.wallet.forget(&n.note.id);
        }
    }

    /// The unspent balance of `asset`.
    pub fn balance(&self, asset: &str) -> u128 {
        self.wallet.balance(asset)
    }

    /// Notes of `asset` covering `needed`.
    pub fn select(&self, asset: &str, needed: u128) -> Result<Vec<OwnedNote>, ClientError> {
        Ok(self.wallet.select(asset, needed, MAX_INPUTS)?)
    }

    /// Waits until a note of `asset` created after height `after` arrives (following the
    /// node's blocks), and returns it with its height.
    pub async fn wait_for(
        &mut self,
        ledger: &Ledger,
        asset: &str,
        after: u64,
        timeout: Duration,
    ) -> Result<(OwnedNote, u64), ClientError> {
        let found = |fresh: Vec<(OwnedNote, u64)>| {
            fresh
                .into_iter()
                .find(|(n, h)| n.note.asset == asset && *h > after)
        };
        let deadline = tokio::time::Instant::now() + timeout;
        let mut blocks = ledger.blocks(after + 1).await?;
        loop {
            if let Some(hit) = found(self.sync(ledger).await?) {
                return Ok(hit);
            }
            match tokio::time::timeout_at(deadline, blocks.next()).await {
                Err(_) => {
                    return Err(ClientError::Missing(format!(
                        "no {asset} note arrived within {timeout:?}"
                    )))
                }
                Ok(None) => {
                    return Err(ClientError::Missing(
                        "the node ended its block stream".into(),
                    ))
                }
                Ok(Some(block)) => {
                    block.map_err(ClientError::of("node", "StreamBlocks"))?;
                }
            }
        }
    }
}

/// A customer's KYC credential (its identity secret and attributes), its leaf in its issuer's
/// tree, and the issuer's registry that serves its path.
#[derive(Clone)]
pub struct KycHolder {
    credential: Credential,
    leaf: u64,
    registry: registry_api::registry_client::RegistryClient<Channel>,
}

impl std::fmt::Debug for KycHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KycHolder")
            .field("issuer", &self.credential.issuer_id())
            .field("leaf", &self.leaf)
            .finish_non_exhaustive()
    }
}

impl KycHolder {
    /// `credential`, enrolled at `leaf` in the registry at `endpoint`.
    pub async fn connect(
        credential: Credential,
        leaf: u64,
        endpoint: &str,
    ) -> Result<Self, ClientError> {
        let channel = super::channel(REGISTRY, endpoint).await?;
        Ok(KycHolder {
            credential,
            leaf,
            registry: registry_api::registry_client::RegistryClient::new(channel),
        })
    }

    /// The credential.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The credential with its path under the registry's current root, once the node has
    /// committed that root (a proof under an unpublished root would be refused).
    async fn membership(&self, ledger: &Ledger) -> Result<Membership, ClientError> {
        const RPC: &str = "GetWitness";
        let r = self
            .registry
            .clone()
            .get_witness(registry_api::GetWitnessRequest {
                leaf_index: self.leaf,
            })
            .await
            .map_err(ClientError::of(REGISTRY, RPC))?
            .into_inner();
        let malformed = |field: &str, reason: &str| ClientError::Answer {
            service: REGISTRY,
            rpc: RPC,
            source: corridor_core::DecodeError::invalid(field, reason),
        };
        if r.siblings.len() != TREE_DEPTH || r.bits.len() != TREE_DEPTH {
            return Err(malformed("siblings", "not a path of the tree's depth"));
        }
        let field = |bytes: &[u8], name: &'static str| -> Result<Fr, ClientError> {
            let b: [u8; 32] = bytes
                .try_into()
                .map_err(|_| malformed(name, "not 32 bytes"))?;
            fr_from_bytes(&b, name).map_err(|_| malformed(name, "not a canonical field element"))
        };
        let mut membership = MembershipWitness {
            siblings: [Fr::from(0u8); TREE_DEPTH],
            path_bits: [false; TREE_DEPTH],
        };
        for h in 0..TREE_DEPTH {
            membership.siblings[h] = field(&r.siblings[h], "siblings")?;
            membership.path_bits[h] = r.bits[h];
        }
        let root = field(&r.root, "root")?;
        if membership.root(self.credential.leaf()) != root {
            return Err(ClientError::BadWitness { leaf: self.leaf });
        }
        let issuer = self.credential.issuer_id();
        let root = fr_to_bytes(&root);
        let start = Instant::now();
        while !ledger.kyc_root_published(issuer, &root).await? {
            if start.elapsed() > ledger.commit_timeout() {
                return Err(ClientError::RootNotPublished {
                    issuer,
                    waited: start.elapsed(),
                });
            }
            tokio::time::sleep(ledger.poll()).await;
        }
        Ok((self.credential.clone(), membership))
    }
}

/// What a wallet keeps of a committed transaction of its own.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// The transaction.
    pub tx_id: TxId,
    /// Its block.
    pub height: u64,
    /// Its outputs' openings, in output order (sender disclosures need them).
    pub openings: Vec<AmountOpening>,
    /// Seconds the prover spent on it.
    pub prove_seconds: f64,
    /// From the call to the commit.
    pub elapsed: Duration,
}

/// A wallet over the services: its keys stay here; its view key (and, for a customer, its
/// credential) go to the prover when it proves remotely.
#[derive(Debug)]
pub struct WalletClient {
    keys: WalletKeys,
    book: NoteBook,
    ledger: Ledger,
    proving: Proving,
    kyc: Option<KycHolder>,
}

impl WalletClient {
    /// An institution's wallet (its transactions carry no KYC proof), or a customer's before
    /// [`Self::with_kyc`].
    pub fn new(keys: WalletKeys, ledger: Ledger, proving: Proving) -> Self {
        WalletClient {
            book: NoteBook::new(ViewWallet::of(&keys)),
            keys,
            ledger,
            proving,
            kyc: None,
        }
    }

    /// A customer's wallet proving with `kyc`.
    pub fn with_kyc(mut self, kyc: KycHolder) -> Self {
        self.kyc = Some(kyc);
        self
    }

    /// Its address.
    pub fn address(&self) -> Address {
        self.keys.address()
    }

    /// Its notes.
    pub fn book(&self) -> &NoteBook {
        &self.book
    }

    /// Its notes, to wait on.
    pub fn book_mut(&mut self) -> &mut NoteBook {
        &mut self.book
    }

    /// The node.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Waits for a note of `asset` created after height `after` (see [`NoteBook::wait_for`]).
    pub async fn wait_for(
        &mut self,
        asset: &str,
        after: u64,
        timeout: Duration,
    ) -> Result<(OwnedNote, u64), ClientError> {
        self.book
            .wait_for(&self.ledger, asset, after, timeout)
            .await
    }

    /// Catches up from the node (see [`NoteBook::sync`]).
    pub async fn sync(&mut self) -> Result<Vec<(OwnedNote, u64)>, ClientError> {
        self.book.sync(&self.ledger).await
    }

    async fn membership(&self) -> Result<Option<Membership>, ClientError> {
        match &self.kyc {
            Some(k) => Ok(Some(k.membership(&self.ledger).await?)),
            None => Ok(None),
        }
    }

    /// Signs what the prover returned, submits it and waits for its commit.
    async fn finish(
        &mut self,
        proven: super::Proven,
        spent: &[OwnedNote],
        start: Instant,
    ) -> Result<Receipt, ClientError> {
        let tx = proven.tx.sign(&self.keys.spend);
        let committed = self.ledger.submit_and_wait(&tx).await?;
        self.book.spent(spent);
        Ok(Receipt {
            tx_id: committed.tx_id,
            height: committed.height,
            openings: proven.openings,
            prove_seconds: proven.prove_seconds,
            elapsed: start.elapsed(),
        })
    }

    /// Registers this wallet's address with a KYC proof (RegisterAddress).
    pub async fn register(&mut self) -> Result<Receipt, ClientError> {
        let start = Instant::now();
        let kyc = self.membership().await?.ok_or(ClientError::NoCredential)?;
        let proven = self
            .proving
            .register(&self.ledger, self.book.wallet(), kyc)
            .await?;
        self.finish(proven, &[], start).await
    }

    async fn transfer(
        &mut self,
        asset: &str,
        payments: Vec<Payment>,
        fee: u64,
        remittance: Option<RemittanceRequest>,
    ) -> Result<Receipt, ClientError> {
        let start = Instant::now();
        self.sync().await?;
        let needed = payments.iter().map(|p| u128::from(p.value)).sum::<u128>()
            + u128::from(fee)
            + remittance.as_ref().map_or(0, |r| u128::from(r.value));
        let inputs = self.book.select(asset, needed)?;
        let kyc = self.membership().await?;
        let spec = TransferSpec {
            asset: asset.to_string(),
            inputs: inputs.clone(),
            payments,
            fee,
            remittance,
        };
        let proven = self
            .proving
            .transfer(&self.ledger, self.book.wallet(), spec, kyc)
            .await?;
        self.finish(proven, &inputs, start).await
    }

    /// Pays `payments` in `asset` with `fee`, change back to this wallet.
    pub async fn send(
        &mut self,
        asset: &str,
        payments: Vec<Payment>,
        fee: u64,
    ) -> Result<Receipt, ClientError> {
        self.transfer(asset, payments, fee, None).await
    }

    /// Remits `remittance.value` in `asset` to `remittance.operator` at its quote, for the
    /// beneficiary the instruction names.
    pub async fn remit(
        &mut self,
        asset: &str,
        remittance: RemittanceRequest,
        fee: u64,
    ) -> Result<Receipt, ClientError> {
        self.transfer(asset, Vec::new(), fee, Some(remittance))
            .await
    }

    /// Returns `amount` of `asset` to its issuer (fiat out), with `fee`.
    pub async fn burn(
        &mut self,
        asset: &str,
        amount: u64,
        fee: u64,
    ) -> Result<Receipt, ClientError> {
        let start = Instant::now();
        self.sync().await?;
        let inputs = self
            .book
            .select(asset, u128::from(amount) + u128::from(fee))?;
        let kyc = self.membership().await?;
        let proven = self
            .proving
            .burn(
                &self.ledger,
                self.book.wallet(),
                asset.to_string(),
                inputs.clone(),
                (amount, fee),
                kyc,
            )
            .await?;
        self.finish(proven, &inputs, start).await
    }
}
