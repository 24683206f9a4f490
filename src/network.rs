//! A single-process remittance network: genesis for a Hong Kong wallet, a Philippine wallet and
//! their regulators, the keys of every institution, and a small in-memory ledger that verifies
//! each transaction and applies it. The demo, the whole-flow tests and the benches stand on it;
//! the real node (redb, ABCI) comes with its own issue.
use corridor_core::address::Address;
use corridor_core::elgamal::HintContext;
use corridor_core::genesis::{AssetPolicy, Genesis, KycIssuer, Operator};
use corridor_core::keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};
use corridor_core::note::Note;
use corridor_core::state::{MemoryState, PublicState};
use corridor_core::tx::{FieldBytes, KycProof, Transaction, TxBody, GROTH16_PROOF_LEN};
use corridor_prover::builder::OwnedNote;
use corridor_verifier::{verify_transaction, VerifiedTransaction, VerifyError};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::fmt;

/// Why the demo ledger refused a transaction.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The verifier refused it.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A stateful rule refused it.
    #[error("{0}")]
    Rule(String),
}

/// The keys of every institution of the demo network.
#[derive(Debug)]
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
    /// The KYC issuer's signing key.
    pub kyc_issuer: SpendKey,
}

/// The demo network: genesis, institutions and an in-memory ledger.
pub struct DemoNetwork {
    /// Genesis.
    pub genesis: Genesis,
    /// Institutions' keys.
    pub inst: Institutions,
    /// Committed state.
    pub state: MemoryState,
    /// Committed transactions.
    pub height: u64,
    mint_nonces: std::collections::BTreeMap<String, u64>,
}

impl fmt::Debug for DemoNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DemoNetwork({}, height {})",
            self.genesis.network, self.height
        )
    }
}

/// HKD's per-transaction limit on payments to others (in cents): HK$80,000.
pub const HKD_LIMIT: u64 = 8_000_000;
/// PHP's limit (in centavos): ₱5,000,000.
pub const PHP_LIMIT: u64 = 500_000_000;
/// The KYC issuer's id.
pub const KYC_ISSUER_ID: u32 = 1;

fn wallet(rng: &mut ChaCha20Rng) -> WalletKeys {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    WalletKeys::from_seed(&WalletSeed::from_bytes(seed)).unwrap_or_else(|_| WalletKeys::random(rng))
}

impl DemoNetwork {
    /// A network whose keys derive from `seed` (deterministic: tests and the demo are repeatable).
    pub fn new(seed: u64) -> Self {
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
        };
        let genesis = Genesis {
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
            kyc_issuers: vec![KycIssuer {
                id: KYC_ISSUER_ID,
                key: inst.kyc_issuer.public(),
                jurisdictions: vec!["HK".into(), "PH".into()],
            }],
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
            escrow_key: [0u8; 32],
            root_window: 100,
            registration_mask: 0b11,
            registration_max_tier: 3,
            vk_hash: [0u8; 32],
            ceremony_hash: [0u8; 32],
        };
        let state = MemoryState::from_genesis(&genesis);
        DemoNetwork {
            genesis,
            inst,
            state,
            height: 0,
            mint_nonces: Default::default(),
        }
    }

    /// A customer wallet from a seed, registered directly in state. (RegisterAddress with a real
    /// KYC proof comes with the KYC issue; the demo registers customers at setup.)
    pub fn customer(&mut self, seed: [u8; 32]) -> WalletKeys {
        let keys = WalletKeys::from_seed(&WalletSeed::from_bytes(seed))
            .unwrap_or_else(|_| WalletKeys::random(&mut ChaCha20Rng::from_seed(seed)));
        self.state.register(&keys.address());
        keys
    }

    /// The next mint nonce of `asset`.
    pub fn next_mint_nonce(&self, asset: &str) -> u64 {
        self.mint_nonces.get(asset).map_or(0, |n| n + 1)
    }

    /// Verifies `tx` against committed state, enforces the ledger's stateful rules (no replay,
    /// no double spend, exact mint nonces, unique quotes) and applies it.
    pub fn submit(&mut self, tx: &Transaction) -> Result<VerifiedTransaction, LedgerError> {
        if self.state.has_tx(&tx.id()) {
            return Err(LedgerError::Rule(format!(
                "transaction {} already committed",
                tx.id()
            )));
        }
        for (i, input) in tx.body().inputs().iter().enumerate() {
            if self.state.is_spent(&input.note_id) {
                return Err(LedgerError::Rule(format!(
                    "input {i}: note {} already spent",
                    input.note_id.short()
                )));
            }
        }
        match tx.body() {
            TxBody::Mint(m) if m.nonce != self.next_mint_nonce(&m.asset) => {
                return Err(LedgerError::Rule(format!(
                    "mint nonce {} of {}: expected {}",
                    m.nonce,
                    m.asset,
                    self.next_mint_nonce(&m.asset)
                )))
            }
            TxBody::PublishQuote(q) if self.state.quote(&q.operator, q.quote_id).is_some() => {
                return Err(LedgerError::Rule(format!(
                    "{} already published quote {}",
                    q.operator, q.quote_id
                )))
            }
            _ => {}
        }
        let verified = verify_transaction(tx, &self.genesis, &self.state)?;
        if let TxBody::Mint(m) = tx.body() {
            self.mint_nonces.insert(m.asset.clone(), m.nonce);
        }
        self.state.apply(tx, &verified.statement().output_assets);
        self.height += 1;
        Ok(verified)
    }

    /// Unspent notes of `keys` in `asset`, decrypted.
    pub fn owned(&self, keys: &WalletKeys, asset: &str) -> Vec<OwnedNote> {
        self.state
            .unspent_of(&keys.address())
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

    /// The KYC section a customer attaches until the Groth16 prover lands (next issue): the public
    /// values it claims, and NO proof (all-zero bytes). The verifier reports such a transaction
    /// as `KycStatus::NotVerified`; nothing treats it as fully verified.
    pub fn unproven_kyc_section(&self, epoch_day: u32) -> KycProof {
        KycProof {
            issuer: KYC_ISSUER_ID,
            root: FieldBytes([0u8; 32]),
            epoch_day,
            nullifier: FieldBytes([0u8; 32]),
            escrow_r: [0u8; 32],
            escrow_c: FieldBytes([0u8; 32]),
            link: None,
            proof: [0u8; GROTH16_PROOF_LEN],
        }
    }

    /// The address of a registered institution or customer.
    pub fn is_registered(&self, a: &Address) -> bool {
        self.state.is_registered(a)
    }
}
