//! A single-process remittance network: genesis for a Hong Kong wallet, a Philippine wallet and
//! their regulators, the keys of every institution, and an embedded node (corridor-node on a
//! memory store) that admits, verifies, applies and commits each transaction in its own block.
//! The demo, the whole-flow tests and the benches stand on it.
use corridor_circuits::{
    fr_to_bytes, Credential, CredentialAttributes, EscrowSecretKey, IdentitySecret, KycCircuit,
    KycRegistry,
};
use corridor_core::address::Address;
use corridor_core::elgamal::HintContext;
use corridor_core::genesis::{AssetPolicy, Genesis, KycIssuer, Operator};
use corridor_core::keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};
use corridor_core::note::Note;
use corridor_core::state::{next_root_update, BlockContext, PublicState};
use corridor_core::statement::{resolve, Statement};
use corridor_core::tx::{FieldBytes, Transaction};
use corridor_node::{MemoryLedger, Node, NodeConfig, NodeError, TxError};
use corridor_params::ProvingKey;
use corridor_prover::builder::{BuiltTransaction, OwnedNote, Payment, RemittanceRequest};
use corridor_prover::{
    Builder, KycCredential, ProveError, RegistrationRequest, TransferRequest, ViewWallet,
};
use corridor_verifier::groth16::PreparedKey;
use corridor_verifier::{VerifyContext, VerifyError};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// Why the demo ledger refused a transaction.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The verifier refused it.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The node refused it otherwise (a ledger rule, its size, its encoding).
    #[error(transparent)]
    Node(TxError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] corridor_core::state::StoreError),
    /// The node failed.
    #[error("node: {0}")]
    NodeFailure(#[from] NodeError),
    /// The node refused a block.
    #[error("node: {0}")]
    Block(#[from] corridor_node::BlockError),
    /// A transaction the network builds for its institutions or customers could not be made.
    #[error("build: {0}")]
    Build(#[from] ProveError),
    /// The KYC issuer's registry or the parameters refused.
    #[error("kyc: {0}")]
    Kyc(String),
}

/// The dev seed of the demo network's Groth16 parameters. Dev-seed keys are forgeable by anyone
/// who knows the seed: for dev networks only (DESIGN.md §6).
pub const DEV_PARAMS_SEED: u64 = 2026;

/// The KYC circuit's Groth16 keys: the proving key and the prepared verifying key.
pub struct KycKeys {
    /// Proving key.
    pub proving: ProvingKey,
    /// Prepared verifying key.
    pub verifying: PreparedKey,
}

impl fmt::Debug for KycKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KycKeys")
            .field(
                "verifying_key_sha256",
                &self.proving.verifying_key().hash_hex(),
            )
            .finish()
    }
}

/// The demo's dev-seed KYC keys, made once per process (a Groth16 setup of the KYC circuit).
pub fn dev_kyc_keys() -> Result<&'static KycKeys, LedgerError> {
    static KEYS: OnceLock<Result<KycKeys, String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let proving = corridor_params::setup::dev_setup(KycCircuit::for_setup(), DEV_PARAMS_SEED)
            .map_err(|e| e.to_string())?;
        let verifying = PreparedKey::new(&proving.verifying_key().0);
        Ok(KycKeys { proving, verifying })
    })
    .as_ref()
    .map_err(|e| LedgerError::Kyc(e.clone()))
}

/// The demo's first block time: 2026-11-25 12:00 UTC.
pub const GENESIS_TIME: u64 = 20_782 * 86_400 + 12 * 3_600;
/// Seconds between demo blocks.
pub const BLOCK_SECONDS: u64 = 5;
/// Credentials the demo's issuer grants expire this many days after genesis.
pub const CREDENTIAL_DAYS: u32 = 365;

/// The keys of every institution of the demo network.
#[derive(Clone, Debug)]
pub struct Institutions {
    /// Signs HKD mints.
    pub hkd_issuer: SpendKey,
    /// Signs PHP mints.
    pub php_issuer: SpendKey,
    /// HKD treasury wallet.
    pub hkd_treasury: WalletKeys,
    /// PHP treasury wallet.
    pub php_treasury: WalletKeys,
    /// The Philippine operator's signing key.
    pub ph_operator: SpendKey,
    /// Receives HKD remittances.
    pub ph_settlement: WalletKeys,
    /// Pays PHP to beneficiaries.
    pub ph_float: WalletKeys,
    /// The Hong Kong operator's signing key.
    pub hk_operator: SpendKey,
    /// HK operator settlement.
    pub hk_settlement: WalletKeys,
    /// HK operator float.
    pub hk_float: WalletKeys,
    /// The HKMA's view key (auditor of HKD).
    pub hkma: ViewKey,
    /// The BSP's view key (auditor of PHP and of HKD).
    pub bsp: ViewKey,
    /// The KYC issuer's signing key (issuer [`KYC_ISSUER_ID`], Hong Kong's, covering HK and PH).
    pub kyc_issuer: SpendKey,
    /// The second KYC issuer's signing key (issuer [`PH_KYC_ISSUER_ID`], the Philippines', PH
    /// only): the services demo runs a registry for each.
    pub ph_kyc_issuer: SpendKey,
    /// The regulators' escrow secret key (its public key is in genesis).
    pub escrow: EscrowSecretKey,
}

/// The demo network: genesis, institutions and an in-memory ledger.
pub struct DemoNetwork {
    /// Genesis.
    pub genesis: Genesis,
    /// Institutions' keys.
    pub inst: Institutions,
    /// The committed state (the node's store; cloning it takes a snapshot).
    pub state: MemoryLedger,
    /// The embedded node (one transaction per block).
    pub node: Node,
    /// The KYC issuer's credential registry.
    pub kyc: KycRegistry,
    /// The KYC keys.
    pub keys: &'static KycKeys,
    /// The time of height 0; block `h` is at `genesis_time + h·BLOCK_SECONDS`.
    genesis_time: u64,
    /// Each customer's credential and leaf, by spend key.
    credentials: BTreeMap<[u8; 32], (Credential, u64)>,
    /// Every committed transaction, in order: replaying them on a fresh network of the same
    /// seed rebuilds the same state (the verify bench caches its set-up this way).
    committed: Vec<Transaction>,
    rng: ChaCha20Rng,
}

impl fmt::Debug for DemoNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DemoNetwork({}, height {})",
            self.genesis.network,
            self.height()
        )
    }
}

/// HKD's per-transaction limit on payments to others (in cents): HK$80,000.
pub const HKD_LIMIT: u64 = 8_000_000;
/// PHP's limit (in centavos): ₱5,000,000.
pub const PHP_LIMIT: u64 = 500_000_000;
/// The KYC issuer's id.
pub const KYC_ISSUER_ID: u32 = 1;
/// The second (Philippine) KYC issuer's id.
pub const PH_KYC_ISSUER_ID: u32 = 2;

fn wallet(rng: &mut ChaCha20Rng) -> WalletKeys {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    WalletKeys::from_seed(&WalletSeed::from_bytes(seed)).unwrap_or_else(|_| WalletKeys::random(rng))
}

impl Institutions {
    /// The institutions of the demo network of `seed` (what [`DemoNetwork::at`] uses).
    pub fn new(seed: u64) -> Self {
        Self::derive(seed).0
    }

    /// The institutions and the stream they were drawn from (the demo network goes on drawing
    /// from it).
    fn derive(seed: u64) -> (Self, ChaCha20Rng) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let inst = Institutions {
            hkd_issuer: SpendKey::random(&mut rng),
            php_issuer: SpendKey::random(&mut rng),
            hkd_treasury: wallet(&mut rng),
            php_treasury: wallet(&mut rng),
            ph_operator: SpendKey::random(&mut rng),
            ph_settlement: wallet(&mut rng),
            ph_float: wallet(&mut rng),
            hk_operator: SpendKey::random(&mut rng),
            hk_settlement: wallet(&mut rng),
            hk_float: wallet(&mut rng),
            hkma: ViewKey::random(&mut rng),
            bsp: ViewKey::random(&mut rng),
            kyc_issuer: SpendKey::random(&mut rng),
            escrow: EscrowSecretKey::random(&mut rng),
            // From a stream of its own, so that every other key (and the chain drawn after
            // them) stays what it was before the second issuer existed.
            ph_kyc_issuer: SpendKey::random(&mut ChaCha20Rng::seed_from_u64(
                seed ^ 0x5048_4b59_4332, // "PHKYC2"
            )),
        };
        (inst, rng)
    }
}

/// The demo network's genesis over `inst`, pinning the Groth16 verifying key of SHA-256
/// `vk_hash` (a dev network).
pub fn demo_genesis(inst: &Institutions, vk_hash: [u8; 32]) -> Genesis {
    Genesis {
        network: "corridor-demo".into(),
        dev: true,
        assets: vec![
            AssetPolicy {
                code: "HKD".into(),
                decimals: 2,
                issuer_key: inst.hkd_issuer.public(),
                treasury: inst.hkd_treasury.address(),
                auditors: vec![inst.hkma.public(), inst.bsp.public()],
                limit: Some(HKD_LIMIT),
                kyc_mask: 0b11,
                max_tier: 3,
            },
            AssetPolicy {
                code: "PHP".into(),
                decimals: 2,
                issuer_key: inst.php_issuer.public(),
                treasury: inst.php_treasury.address(),
                auditors: vec![inst.bsp.public()],
                limit: Some(PHP_LIMIT),
                kyc_mask: 0b11,
                max_tier: 3,
            },
        ],
        jurisdictions: vec!["HK".into(), "PH".into()],
        kyc_issuers: vec![
            KycIssuer {
                id: KYC_ISSUER_ID,
                key: inst.kyc_issuer.public(),
                jurisdictions: vec!["HK".into(), "PH".into()],
            },
            KycIssuer {
                id: PH_KYC_ISSUER_ID,
                key: inst.ph_kyc_issuer.public(),
                jurisdictions: vec!["PH".into()],
            },
        ],
        operators: vec![
            Operator {
                name: "hk-wallet".into(),
                key: inst.hk_operator.public(),
                settlement: inst.hk_settlement.address(),
                float: inst.hk_float.address(),
            },
            Operator {
                name: "ph-wallet".into(),
                key: inst.ph_operator.public(),
                settlement: inst.ph_settlement.address(),
                float: inst.ph_float.address(),
            },
        ],
        escrow_key: inst.escrow.public_key().to_bytes(),
        root_window: 100,
        registration_mask: 0b11,
        registration_max_tier: 3,
        vk_hash,
        ceremony_hash: [0u8; 32],
    }
}

impl DemoNetwork {
    /// A network whose keys derive from `seed` (deterministic: tests and the demo are repeatable),
    /// starting at [`GENESIS_TIME`].
    pub fn new(seed: u64) -> Result<Self, LedgerError> {
        Self::at(seed, GENESIS_TIME)
    }

    /// A network of `seed` whose height 0 is at `genesis_time` (UTC seconds): transactions built
    /// on it carry KYC epoch days of that time, so that a node stamping blocks with the wall
    /// clock accepts them when `genesis_time` is recent.
    pub fn at(seed: u64, genesis_time: u64) -> Result<Self, LedgerError> {
        let keys = dev_kyc_keys()?;
        let (inst, mut rng) = Institutions::derive(seed);
        let genesis = demo_genesis(&inst, keys.verifying.sha256());
        let state = MemoryLedger::new();
        let node = Self::open_node(&genesis, keys, &state, genesis_time)?;
        let kyc_rng = ChaCha20Rng::from_seed({
            let mut b = [0u8; 32];
            rng.fill_bytes(&mut b);
            b
        });
        Ok(DemoNetwork {
            genesis,
            inst,
            state,
            node,
            kyc: KycRegistry::new(KYC_ISSUER_ID),
            keys,
            genesis_time,
            credentials: BTreeMap::new(),
            committed: Vec::new(),
            rng: kyc_rng,
        })
    }

    fn open_node(
        genesis: &Genesis,
        keys: &KycKeys,
        state: &MemoryLedger,
        genesis_time: u64,
    ) -> Result<Node, LedgerError> {
        let config = NodeConfig {
            threads: 1,
            ..NodeConfig::default()
        };
        Ok(Node::open(
            genesis.clone(),
            state.kv(),
            keys.verifying.clone(),
            genesis_time,
            config,
        )?)
    }

    /// Puts the network on `state` (a snapshot of a network of the same seed): its node is
    /// reopened on it, at its height.
    pub fn replace_state(&mut self, state: MemoryLedger) -> Result<(), LedgerError> {
        self.node = Self::open_node(&self.genesis, self.keys, &state, self.genesis_time)?;
        self.state = state;
        Ok(())
    }

    /// An independent copy of the network as it is now (its state, keys, issuer registry and
    /// RNG), on a node of its own: tests try transactions on it without touching the original.
    pub fn fork(&self) -> Result<DemoNetwork, LedgerError> {
        let state = self.state.clone();
        let node = Self::open_node(&self.genesis, self.keys, &state, self.genesis_time)?;
        Ok(DemoNetwork {
            genesis: self.genesis.clone(),
            inst: self.inst.clone(),
            state,
            node,
            kyc: self.kyc.clone(),
            keys: self.keys,
            genesis_time: self.genesis_time,
            credentials: self.credentials.clone(),
            committed: self.committed.clone(),
            rng: self.rng.clone(),
        })
    }

    /// Commits `n` empty blocks (time passes: quotes expire, superseded roots leave their
    /// window).
    pub fn advance(&mut self, n: u64) -> Result<(), LedgerError> {
        for _ in 0..n {
            let executed = self.node.execute(&[], self.block(), false)?;
            self.node.commit(executed)?;
        }
        Ok(())
    }

    /// Height of the last committed block.
    pub fn height(&self) -> u64 {
        self.node.committed().height
    }

    /// The block the next transaction goes into.
    pub fn block(&self) -> BlockContext {
        let height = self.height() + 1;
        BlockContext {
            height,
            time: self.genesis_time + height * BLOCK_SECONDS,
        }
    }

    /// The time of height 0.
    pub fn genesis_time(&self) -> u64 {
        self.genesis_time
    }

    /// A builder against the committed state, for the next block.
    pub fn builder(&self) -> Builder<'_> {
        Builder::new(&self.genesis, &self.state, self.block())
    }

    /// The verifier's context for the next block.
    pub fn verify_context(&self) -> VerifyContext<'_> {
        VerifyContext {
            genesis: &self.genesis,
            state: &self.state,
            block: self.block(),
            kyc_key: &self.keys.verifying,
        }
    }

    /// A customer in Hong Kong (jurisdiction HK): see [`Self::customer_in`].
    pub fn customer(&mut self, seed: [u8; 32]) -> Result<WalletKeys, LedgerError> {
        self.customer_in(seed, "HK")
    }

    /// A customer wallet from a seed, onboarded for real: the issuer enrols a credential in
    /// `jurisdiction` (tier 1, a year's validity), publishes the new root (KycRootUpdate), and the
    /// wallet registers its address with a KYC proof (RegisterAddress, storing its `link`).
    pub fn customer_in(
        &mut self,
        seed: [u8; 32],
        jurisdiction: &str,
    ) -> Result<WalletKeys, LedgerError> {
        let keys = self.enrol(seed, jurisdiction)?;
        let register = self.registration(&keys, &keys)?;
        self.submit(&register)?;
        Ok(keys)
    }

    /// The first half of onboarding: the issuer enrols a credential for the wallet of `seed`
    /// in `jurisdiction` and publishes the new root; the wallet is not registered yet.
    pub fn enrol(&mut self, seed: [u8; 32], jurisdiction: &str) -> Result<WalletKeys, LedgerError> {
        let keys = WalletKeys::from_seed(&WalletSeed::from_bytes(seed))
            .map_err(|e| LedgerError::Kyc(format!("wallet seed: {e}")))?;
        self.enrol_keys(&keys, jurisdiction)?;
        self.publish_kyc_root()?;
        Ok(keys)
    }

    /// The issuer enrols a credential for `keys` in `jurisdiction` (tier 1, a year's validity)
    /// in its registry, without publishing the new root.
    pub fn enrol_keys(&mut self, keys: &WalletKeys, jurisdiction: &str) -> Result<(), LedgerError> {
        let j = self
            .genesis
            .jurisdiction_bit(jurisdiction)
            .ok_or_else(|| LedgerError::Kyc(format!("unknown jurisdiction {jurisdiction}")))?;
        let attributes = CredentialAttributes {
            jurisdiction: j,
            expiry_day: self.block().epoch_day() + CREDENTIAL_DAYS,
            tier: 1,
            issuer_id: KYC_ISSUER_ID,
        };
        let credential = Credential::new(IdentitySecret::random(&mut self.rng), attributes)
            .map_err(|e| LedgerError::Kyc(e.to_string()))?;
        let leaf = self
            .kyc
            .enrol_credential(&credential)
            .map_err(|e| LedgerError::Kyc(e.to_string()))?;
        self.credentials
            .insert(keys.spend.public().to_bytes(), (credential, leaf));
        Ok(())
    }

    /// A signed RegisterAddress of `wallet`, proven with the credential enrolled for `holder`
    /// (the same wallet, unless a test makes one identity register twice), for the next block.
    pub fn registration(
        &mut self,
        wallet: &WalletKeys,
        holder: &WalletKeys,
    ) -> Result<Transaction, LedgerError> {
        let kyc = self.kyc_credential(holder)?;
        let block = self.block();
        let register = Builder::new(&self.genesis, &self.state, block).register_address(
            &ViewWallet::of(wallet),
            &RegistrationRequest { kyc },
            &mut self.rng,
        )?;
        Ok(register.sign(&wallet.spend))
    }

    /// The issuer publishes its registry's current root (KycRootUpdate, signed by its key).
    pub fn publish_kyc_root(&mut self) -> Result<(), LedgerError> {
        let update = self.kyc_root_update()?;
        self.submit(&update)?;
        Ok(())
    }

    /// The issuer's signed KycRootUpdate of its registry's current root, for the next block.
    pub fn kyc_root_update(&self) -> Result<Transaction, LedgerError> {
        let (seq, previous) = next_root_update(self.state.kyc_root_head(KYC_ISSUER_ID)?);
        let update = self.builder().kyc_root_update(
            KYC_ISSUER_ID,
            seq,
            previous,
            FieldBytes(fr_to_bytes(&self.kyc.root())),
        )?;
        Ok(update.sign(&self.inst.kyc_issuer))
    }

    /// The credential and leaf of a customer of the demo's issuer.
    fn enrolled(&self, keys: &WalletKeys) -> Result<&(Credential, u64), LedgerError> {
        self.credentials
            .get(&keys.spend.public().to_bytes())
            .ok_or_else(|| LedgerError::Kyc("not a customer of the demo's issuer".into()))
    }

    /// The customer's credential with a fresh membership witness under the current root.
    pub fn kyc_credential(&self, keys: &WalletKeys) -> Result<KycCredential<'static>, LedgerError> {
        let (credential, leaf) = self.enrolled(keys)?;
        let membership = self
            .kyc
            .witness(*leaf)
            .map_err(|e| LedgerError::Kyc(e.to_string()))?;
        Ok(KycCredential {
            proving_key: &self.keys.proving,
            credential: credential.clone(),
            membership,
        })
    }

    /// A signed Transfer from `from` spending all its `asset` notes: `payments`, `fee`, an
    /// optional remittance, change back to `from`; a customer's KYC proof made with its
    /// credential under the current root, none for an institution.
    pub fn transfer<R: rand::RngCore + rand::CryptoRng>(
        &self,
        from: &WalletKeys,
        asset: &str,
        payments: &[Payment],
        fee: u64,
        remittance: Option<&RemittanceRequest>,
        rng: &mut R,
    ) -> Result<Transaction, LedgerError> {
        let (built, _, _) = self.build_transfer(from, asset, payments, fee, remittance, rng)?;
        Ok(built.tx.sign(&from.spend))
    }

    /// [`Self::transfer`] unsigned, with what the sender knows: the built transaction (its
    /// openings), the notes it spends and the customer's credential it was proven with.
    pub fn build_transfer<R: rand::RngCore + rand::CryptoRng>(
        &self,
        from: &WalletKeys,
        asset: &str,
        payments: &[Payment],
        fee: u64,
        remittance: Option<&RemittanceRequest>,
        rng: &mut R,
    ) -> Result<
        (
            BuiltTransaction,
            Vec<OwnedNote>,
            Option<KycCredential<'static>>,
        ),
        LedgerError,
    > {
        let kyc = match self.enrolled(from) {
            Ok(_) => Some(self.kyc_credential(from)?),
            Err(_) => None,
        };
        let request = TransferRequest {
            asset: asset.to_string(),
            inputs: self.owned(from, asset),
            payments: payments.to_vec(),
            fee,
            remittance: remittance.cloned(),
            kyc,
        };
        let built = self
            .builder()
            .transfer(&ViewWallet::of(from), &request, rng)?;
        Ok((built, request.inputs, request.kyc))
    }

    /// The issuer revokes a customer's credential and publishes the new root.
    pub fn revoke(&mut self, keys: &WalletKeys) -> Result<(), LedgerError> {
        let leaf = self.enrolled(keys)?.1;
        self.kyc
            .revoke(leaf)
            .map_err(|e| LedgerError::Kyc(e.to_string()))?;
        self.publish_kyc_root()
    }

    /// The next mint nonce of `asset`.
    pub fn next_mint_nonce(&self, asset: &str) -> u64 {
        self.state
            .mint_nonce(asset)
            .ok()
            .flatten()
            .map_or(0, |n| n + 1)
    }

    /// Submits `tx` to the node (admission: the rules and full verification), which commits
    /// it alone in the next block. Returns its statement resolved against the state before.
    pub fn submit(&mut self, tx: &Transaction) -> Result<Statement, LedgerError> {
        let block = self.block();
        let refused = |e: TxError| match e {
            TxError::Verify(v) => LedgerError::Verify(v),
            other => LedgerError::Node(other),
        };
        self.node.check_tx(&tx.encode()).map_err(refused)?;
        // Admitted, not committed yet: the state is still the one it was built on.
        let statement = resolve(tx.unsigned(), &self.genesis, &self.state, &block)
            .map_err(|e| LedgerError::Verify(e.into()))?;
        let executed = self
            .node
            .step(block.time)?
            .ok_or(LedgerError::Node(TxError::MempoolFull { capacity: 0 }))?;
        for r in executed.results {
            r.map_err(refused)?;
        }
        self.committed.push(tx.clone());
        Ok(statement)
    }

    /// Every transaction committed so far, in order.
    pub fn committed(&self) -> &[Transaction] {
        &self.committed
    }

    /// Unspent notes of `keys` in `asset`, decrypted.
    pub fn owned(&self, keys: &WalletKeys, asset: &str) -> Vec<OwnedNote> {
        // A memory store does not fail; if it did, the wallet would see no notes.
        self.state
            .unspent_of(&keys.address())
            .unwrap_or_default()
            .into_iter()
            .filter(|n| n.asset == asset)
            .filter_map(|n| OwnedNote::decrypt(n, &keys.view).ok())
            .collect()
    }

    /// The balance of `keys` in `asset`.
    pub fn balance(&self, keys: &WalletKeys, asset: &str) -> u128 {
        self.owned(keys, asset)
            .iter()
            .map(|n| u128::from(n.value))
            .sum()
    }

    /// Decrypts `note` as auditor `auditor` of its asset (position among the asset's auditors).
    pub fn audit(&self, note: &Note, auditor: usize, view: &ViewKey) -> Option<u64> {
        note.amount
            .decrypt(
                auditor + 1,
                view,
                HintContext {
                    asset: &note.asset,
                    output_index: note.output_index,
                },
            )
            .ok()
            .map(|d| d.value)
    }

    /// The address of a registered institution or customer.
    pub fn is_registered(&self, a: &Address) -> bool {
        self.state.is_registered(a).unwrap_or(false)
    }
}
