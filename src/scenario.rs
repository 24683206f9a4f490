//! The remittance chain, scripted once: a Hong Kong domestic worker sends HKD to her family in
//! the Philippines, who receive PHP, every step built with real proofs, submitted to the node
//! (admission, batch verification, the rules, commit) and recorded with what tests and
//! benchmarks need: the transaction, the state and block it was verified against, its signer,
//! and the prover's secrets (input notes, output openings, KYC credential).
//!
//! The demo (`corridor demo`), the benchmarks (`corridor bench`) and the whole-flow tests
//! (`tests/chain.rs`, `tests/hostile_bytes.rs`, the soundness suite) all stand on it.
//!
//! Onboarding (not recorded: [`DemoNetwork::customer_in`]) of Maria, Ana (HK) and Juan (PH),
//! then the [`StepName`]s in order: Mint HKD (two notes) → Transfer (treasury → Maria, from the
//! first mint note: Maria's two notes and change) → Transfer (Maria pays Ana: two inputs, two
//! outputs, fee) → Mint PHP → Transfer (PHP treasury → the PH operator's float) → PublishQuote
//! (HKD→PHP) → remittance Transfer (Maria → PH operator, beneficiary Juan committed) → Payout (PH
//! operator pays Juan in PHP at the quote) → Burn (Juan cashes out, keeping change) →
//! KycRootUpdate (the issuer enrols Rosa) → RegisterAddress (Rosa).
use crate::network::{DemoNetwork, LedgerError, GENESIS_TIME};
use corridor_core::elgamal::AmountOpening;
use corridor_core::instruction;
use corridor_core::keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};
use corridor_core::state::{BlockContext, PublicState};
use corridor_core::tx::{NoteId, PublishQuote, Transaction, TxBody};
use corridor_node::MemoryLedger;
use corridor_prover::builder::{OwnedNote, Payment, RemittanceRequest};
use corridor_prover::{
    BurnRequest, KycCredential, PayoutRequest, ProveError, RegistrationRequest, TransferRequest,
    ViewWallet,
};
use corridor_verifier::KycStatus;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Amounts of the chain (in cents / centavos).
pub mod amounts {
    /// HKD minted into the treasury, as two notes.
    pub const HKD_MINT_NOTES: [u64; 2] = [60_000_000, 40_000_000];
    /// HKD minted in all.
    pub const HKD_MINT: u64 = HKD_MINT_NOTES[0] + HKD_MINT_NOTES[1];
    /// Maria's two notes from the treasury (paid from the first mint note).
    pub const MARIA_NOTES: [u64; 2] = [300_000, 200_000];
    /// Maria pays Ana.
    pub const ANA_PAYMENT: u64 = 123_456;
    /// Fee of that payment.
    pub const ANA_FEE: u64 = 500;
    /// PHP minted into the PHP treasury.
    pub const PHP_MINT: u64 = 50_000_000;
    /// PHP moved to the PH operator's float.
    pub const PHP_FLOAT: u64 = 10_000_000;
    /// Quote: 1 HKD = 7.2345 PHP.
    pub const QUOTE_NUM: u32 = 72_345;
    /// Quote denominator.
    pub const QUOTE_DEN: u32 = 10_000;
    /// Quote id.
    pub const QUOTE_ID: u64 = 7;
    /// Blocks the quote stays usable after the block that publishes it.
    pub const QUOTE_BLOCKS: u64 = 100;
    /// The quoting operator.
    pub const OPERATOR: &str = "ph-wallet";
    /// Maria remits (HKD cents).
    pub const REMIT: u64 = 100_037;
    /// Fee of the remittance.
    pub const REMIT_FEE: u64 = 300;
    /// The salt blinding Juan in the remittance's beneficiary commitment.
    pub const SALT: [u8; 32] = [0x5a; 32];
    /// Juan cashes out (centavos).
    pub const JUAN_BURN: u64 = 500_000;
    /// Fee of the burn.
    pub const JUAN_BURN_FEE: u64 = 100;
}

/// Wallet seeds of the chain's customers.
pub mod seeds {
    /// Maria (HK), the sender.
    pub const MARIA: [u8; 32] = [0x4d; 32];
    /// Ana (HK), paid by Maria.
    pub const ANA: [u8; 32] = [0x41; 32];
    /// Juan (PH), the beneficiary.
    pub const JUAN: [u8; 32] = [0x4a; 32];
    /// Rosa (HK), enrolled and registered at the end of the chain.
    pub const ROSA: [u8; 32] = [0x52; 32];
}

/// The steps of the chain, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepName {
    /// Mint HKD into the treasury (two notes).
    MintHkd,
    /// The HKD treasury pays Maria two notes from the first mint note.
    TreasuryToMaria,
    /// Maria pays Ana: two inputs, two outputs, a fee, a KYC proof.
    MariaToAna,
    /// Mint PHP into the PHP treasury.
    MintPhp,
    /// The PHP treasury fills the PH operator's float.
    PhpFloat,
    /// The PH operator quotes HKD→PHP.
    PublishQuote,
    /// Maria remits to the PH operator for Juan.
    Remittance,
    /// The PH operator pays Juan in PHP at the quote.
    Payout,
    /// Juan cashes out, keeping change.
    Burn,
    /// The KYC issuer enrols Rosa and publishes its new root.
    KycRootUpdate,
    /// Rosa registers her address.
    RegisterAddress,
}

impl StepName {
    /// Every step, in chain order.
    pub const ALL: [StepName; 11] = [
        StepName::MintHkd,
        StepName::TreasuryToMaria,
        StepName::MariaToAna,
        StepName::MintPhp,
        StepName::PhpFloat,
        StepName::PublishQuote,
        StepName::Remittance,
        StepName::Payout,
        StepName::Burn,
        StepName::KycRootUpdate,
        StepName::RegisterAddress,
    ];

    /// The last step.
    pub const LAST: StepName = StepName::RegisterAddress;

    /// What the step does, in words.
    pub fn label(self) -> &'static str {
        match self {
            StepName::MintHkd => "mint HKD",
            StepName::TreasuryToMaria => "transfer HKD treasury → Maria",
            StepName::MariaToAna => "transfer Maria → Ana (2 in, 2 out, fee)",
            StepName::MintPhp => "mint PHP",
            StepName::PhpFloat => "transfer PHP treasury → PH float",
            StepName::PublishQuote => "publish quote HKD→PHP",
            StepName::Remittance => "remittance Maria → PH wallet for Juan",
            StepName::Payout => "payout PH wallet → Juan (PHP)",
            StepName::Burn => "burn Juan cashes out PHP",
            StepName::KycRootUpdate => "KYC root update (Rosa enrolled)",
            StepName::RegisterAddress => "register Rosa's address",
        }
    }
}

impl fmt::Display for StepName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why the chain stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Building a transaction failed.
    #[error("building {step}: {source}")]
    Build {
        /// Step.
        step: &'static str,
        /// Cause.
        source: ProveError,
    },
    /// The ledger refused a transaction.
    #[error("ledger refused {step}: {source}")]
    Ledger {
        /// Step.
        step: &'static str,
        /// Cause.
        source: LedgerError,
    },
    /// Something the chain expects did not hold.
    #[error("{0}")]
    Check(String),
}

/// What a prover knows about a step's transaction beyond its public fields.
#[derive(Clone, Default)]
pub struct StepSecrets {
    /// The notes it spends, in input order, with their owner's view key.
    pub inputs: Vec<(ViewKey, OwnedNote)>,
    /// Per output, in output order: the sender's opening.
    pub outputs: Vec<AmountOpening>,
    /// RegisterAddress: the new address's view key.
    pub view: Option<ViewKey>,
    /// A customer's transaction: the credential it was proven with, with its path under the
    /// root the transaction claims.
    pub kyc: Option<Arc<KycCredential<'static>>>,
}

impl fmt::Debug for StepSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepSecrets")
            .field("inputs", &self.inputs.len())
            .field("outputs", &self.outputs.len())
            .field("view", &self.view.is_some())
            .field("kyc", &self.kyc.is_some())
            .finish()
    }
}

/// One committed step.
#[derive(Clone, Debug)]
pub struct Step {
    /// Which step.
    pub name: StepName,
    /// The committed transaction.
    pub tx: Transaction,
    /// The state the node verified it against (a snapshot).
    pub before: MemoryLedger,
    /// The block it was committed in.
    pub block: BlockContext,
    /// Its signer's key.
    pub signer: SpendKey,
    /// The prover's secrets.
    pub secrets: StepSecrets,
    /// Time to build (prove).
    pub build: Duration,
    /// Time for the node to admit, verify and commit it.
    pub verify: Duration,
    /// Whether a KYC proof was verified.
    pub kyc: KycStatus,
}

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct ScenarioConfig {
    /// Seed of the network's keys and of every proof's randomness.
    pub seed: u64,
    /// The time of height 0 (see [`DemoNetwork::at`]).
    pub genesis_time: u64,
    /// The last step to run.
    pub until: StepName,
}

impl ScenarioConfig {
    /// The whole chain from `seed`, at the demo's genesis time.
    pub fn new(seed: u64) -> Self {
        ScenarioConfig {
            seed,
            genesis_time: GENESIS_TIME,
            until: StepName::LAST,
        }
    }
}

/// The chain after its last step.
#[derive(Debug)]
pub struct Scenario {
    /// The network after the last step.
    pub network: DemoNetwork,
    /// Maria (HK customer, the sender).
    pub maria: WalletKeys,
    /// Ana (HK customer).
    pub ana: WalletKeys,
    /// Juan (PH customer, the beneficiary).
    pub juan: WalletKeys,
    /// Rosa (HK): registers in the last step.
    pub rosa: WalletKeys,
    /// The steps run, in order.
    pub steps: Vec<Step>,
    /// Juan's payout in PHP centavos.
    pub payout: u64,
    /// The FX remainder (centavos·den) the operator kept.
    pub fx_remainder: u64,
}

impl Scenario {
    /// Runs the chain `config` asks for on a fresh in-memory network; `progress` sees each
    /// step as it commits.
    pub fn run(
        config: ScenarioConfig,
        progress: &mut dyn FnMut(&Step),
    ) -> Result<Scenario, ScenarioError> {
        let setup = |source| ScenarioError::Ledger {
            step: "onboarding",
            source,
        };
        let mut net = DemoNetwork::at(config.seed, config.genesis_time).map_err(setup)?;
        let maria = net.customer_in(seeds::MARIA, "HK").map_err(setup)?;
        let ana = net.customer_in(seeds::ANA, "HK").map_err(setup)?;
        let juan = net.customer_in(seeds::JUAN, "PH").map_err(setup)?;
        let rosa = WalletKeys::from_seed(&WalletSeed::from_bytes(seeds::ROSA))
            .map_err(|e| ScenarioError::Check(format!("Rosa's keys: {e}")))?;
        let (payout, fx_remainder) = convert(amounts::REMIT)?;
        let mut s = Scenario {
            network: net,
            maria,
            ana,
            juan,
            rosa,
            steps: Vec::new(),
            payout,
            fx_remainder,
        };
        let mut rng = ChaCha20Rng::seed_from_u64(config.seed);
        for name in StepName::ALL {
            if name > config.until {
                break;
            }
            let t0 = Instant::now();
            let (tx, signer, secrets) = s.build(name, &mut rng).map_err(|e| e.at(name))?;
            let build = t0.elapsed();
            let before = s.network.state.clone();
            let block = s.network.block();
            let t1 = Instant::now();
            let statement = s
                .network
                .submit(&tx)
                .map_err(|source| ScenarioError::Ledger {
                    step: name.label(),
                    source,
                })?;
            let step = Step {
                name,
                tx,
                before,
                block,
                signer,
                secrets,
                build,
                verify: t1.elapsed(),
                // The node committed it, so its KYC proof (if the statement needs one) verified.
                kyc: if statement.kyc.is_some() {
                    KycStatus::Verified
                } else {
                    KycStatus::NotRequired
                },
            };
            progress(&step);
            s.steps.push(step);
        }
        Ok(s)
    }

    /// The step called `name`, if it ran.
    pub fn step(&self, name: StepName) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// The signed transaction of step `name` on the network as it is now, its signer and the
    /// prover's secrets.
    fn build(
        &mut self,
        name: StepName,
        rng: &mut ChaCha20Rng,
    ) -> Result<(Transaction, SpendKey, StepSecrets), Failure> {
        use amounts::*;
        let net = &self.network;
        let i = &net.inst;
        let inputs_of = |keys: &WalletKeys, notes: &[OwnedNote]| -> Vec<(ViewKey, OwnedNote)> {
            notes
                .iter()
                .map(|n| (keys.view.clone(), n.clone()))
                .collect()
        };
        Ok(match name {
            StepName::MintHkd => {
                let built =
                    net.builder()
                        .mint("HKD", net.next_mint_nonce("HKD"), &HKD_MINT_NOTES, rng)?;
                let secrets = StepSecrets {
                    outputs: built.openings,
                    ..StepSecrets::default()
                };
                (built.tx.sign(&i.hkd_issuer), i.hkd_issuer.clone(), secrets)
            }
            StepName::TreasuryToMaria => {
                let note = net
                    .owned(&i.hkd_treasury, "HKD")
                    .into_iter()
                    .find(|n| n.value == HKD_MINT_NOTES[0])
                    .ok_or_else(|| missing("the treasury's first mint note"))?;
                let request = TransferRequest {
                    asset: "HKD".into(),
                    inputs: vec![note],
                    payments: Payment::each(self.maria.address(), &MARIA_NOTES),
                    fee: 0,
                    remittance: None,
                    kyc: None,
                };
                let built =
                    net.builder()
                        .transfer(&ViewWallet::of(&i.hkd_treasury), &request, rng)?;
                let secrets = StepSecrets {
                    inputs: inputs_of(&i.hkd_treasury, &request.inputs),
                    outputs: built.openings,
                    ..StepSecrets::default()
                };
                let spend = i.hkd_treasury.spend.clone();
                (built.tx.sign(&spend), spend, secrets)
            }
            StepName::MariaToAna => {
                let pay = [Payment {
                    to: self.ana.address(),
                    value: ANA_PAYMENT,
                }];
                self.transfer(&self.maria, "HKD", &pay, ANA_FEE, None, rng)?
            }
            StepName::MintPhp => {
                let built =
                    net.builder()
                        .mint("PHP", net.next_mint_nonce("PHP"), &[PHP_MINT], rng)?;
                let secrets = StepSecrets {
                    outputs: built.openings,
                    ..StepSecrets::default()
                };
                (built.tx.sign(&i.php_issuer), i.php_issuer.clone(), secrets)
            }
            StepName::PhpFloat => {
                let pay = [Payment {
                    to: i.ph_float.address(),
                    value: PHP_FLOAT,
                }];
                self.transfer(&i.php_treasury, "PHP", &pay, 0, None, rng)?
            }
            StepName::PublishQuote => {
                let tx = net.builder().publish_quote(PublishQuote {
                    operator: OPERATOR.into(),
                    quote_id: QUOTE_ID,
                    asset_from: "HKD".into(),
                    asset_to: "PHP".into(),
                    num: QUOTE_NUM,
                    den: QUOTE_DEN,
                    expiry_height: net.block().height + QUOTE_BLOCKS,
                })?;
                (
                    tx.sign(&i.ph_operator),
                    i.ph_operator.clone(),
                    StepSecrets::default(),
                )
            }
            StepName::Remittance => {
                let req = RemittanceRequest {
                    operator: OPERATOR.into(),
                    quote_id: QUOTE_ID,
                    beneficiary: self.juan.address(),
                    salt: SALT,
                    value: REMIT,
                };
                self.transfer(&self.maria, "HKD", &[], REMIT_FEE, Some(&req), rng)?
            }
            StepName::Payout => {
                // The operator opens the instruction box of the remittance it received.
                let remit = self
                    .step(StepName::Remittance)
                    .ok_or_else(|| missing("the remittance step"))?;
                let TxBody::Transfer(t) = remit.tx.body() else {
                    return Err(missing("the remittance is a transfer"));
                };
                let rem = t
                    .remittance
                    .as_ref()
                    .ok_or_else(|| missing("the remittance's instruction"))?;
                let (beneficiary, salt) = instruction::open(
                    &rem.instruction,
                    &i.ph_settlement.view,
                    &rem.beneficiary_commitment,
                )
                .map_err(|e| {
                    Failure::Check(format!("the PH wallet cannot open the instruction: {e}"))
                })?;
                let note = net
                    .state
                    .note(&NoteId::derive(&remit.tx.id(), 0))
                    .ok()
                    .flatten()
                    .ok_or_else(|| missing("the remittance note on the ledger"))?;
                let remit_note = OwnedNote::decrypt(note, &i.ph_settlement.view)?;
                let request = PayoutRequest {
                    operator: OPERATOR.into(),
                    remittance: remit_note,
                    floats: net.owned(&i.ph_float, "PHP"),
                    beneficiary,
                    salt,
                };
                let built = net.builder().payout(
                    &ViewWallet::of(&i.ph_settlement),
                    &ViewWallet::of(&i.ph_float),
                    &request,
                    rng,
                )?;
                let mut inputs =
                    inputs_of(&i.ph_settlement, std::slice::from_ref(&request.remittance));
                inputs.extend(inputs_of(&i.ph_float, &request.floats));
                let secrets = StepSecrets {
                    inputs,
                    outputs: built.openings,
                    ..StepSecrets::default()
                };
                (
                    built.tx.sign(&i.ph_operator),
                    i.ph_operator.clone(),
                    secrets,
                )
            }
            StepName::Burn => {
                let juan = &self.juan;
                let request = BurnRequest {
                    asset: "PHP".into(),
                    inputs: net.owned(juan, "PHP"),
                    burn_amount: JUAN_BURN,
                    fee: JUAN_BURN_FEE,
                    kyc: Some(net.kyc_credential(juan)?),
                };
                let built = net.builder().burn(&ViewWallet::of(juan), &request, rng)?;
                let BurnRequest { inputs, kyc, .. } = request;
                let secrets = StepSecrets {
                    inputs: inputs_of(juan, &inputs),
                    outputs: built.openings,
                    kyc: kyc.map(Arc::new),
                    ..StepSecrets::default()
                };
                (built.tx.sign(&juan.spend), juan.spend.clone(), secrets)
            }
            StepName::KycRootUpdate => {
                self.network.enrol_keys(&self.rosa, "HK")?;
                let update = self.network.kyc_root_update()?;
                let issuer = self.network.inst.kyc_issuer.clone();
                (update, issuer, StepSecrets::default())
            }
            StepName::RegisterAddress => {
                let rosa = &self.rosa;
                let request = RegistrationRequest {
                    kyc: self.network.kyc_credential(rosa)?,
                };
                let tx = self
                    .network
                    .builder()
                    .register_address(&ViewWallet::of(rosa), &request, rng)?
                    .sign(&rosa.spend);
                let secrets = StepSecrets {
                    view: Some(rosa.view.clone()),
                    kyc: Some(Arc::new(request.kyc)),
                    ..StepSecrets::default()
                };
                (tx, rosa.spend.clone(), secrets)
            }
        })
    }

    /// A Transfer from `from` spending all its `asset` notes (with a KYC proof for a
    /// customer), signed, with its signer and the prover's secrets.
    fn transfer(
        &self,
        from: &WalletKeys,
        asset: &str,
        payments: &[Payment],
        fee: u64,
        remittance: Option<&RemittanceRequest>,
        rng: &mut ChaCha20Rng,
    ) -> Result<(Transaction, SpendKey, StepSecrets), Failure> {
        let (built, inputs, kyc) = self
            .network
            .build_transfer(from, asset, payments, fee, remittance, rng)?;
        let secrets = StepSecrets {
            inputs: inputs.into_iter().map(|n| (from.view.clone(), n)).collect(),
            outputs: built.openings,
            kyc: kyc.map(Arc::new),
            ..StepSecrets::default()
        };
        Ok((built.tx.sign(&from.spend), from.spend.clone(), secrets))
    }
}

/// Why building a step failed, before it is named.
enum Failure {
    Prove(ProveError),
    Ledger(LedgerError),
    Check(String),
}

impl Failure {
    fn at(self, step: StepName) -> ScenarioError {
        let step = step.label();
        match self {
            Failure::Prove(source) | Failure::Ledger(LedgerError::Build(source)) => {
                ScenarioError::Build { step, source }
            }
            Failure::Ledger(source) => ScenarioError::Ledger { step, source },
            Failure::Check(what) => ScenarioError::Check(format!("{step}: {what}")),
        }
    }
}

impl From<ProveError> for Failure {
    fn from(e: ProveError) -> Self {
        Failure::Prove(e)
    }
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Self {
        Failure::Ledger(e)
    }
}

fn missing(what: &str) -> Failure {
    Failure::Check(format!("expected {what}"))
}

/// `⌊a·num/den⌋` and `a·num mod den` at the chain's quote, in u128 so nothing overflows.
fn convert(a: u64) -> Result<(u64, u64), ScenarioError> {
    let scaled = u128::from(a) * u128::from(amounts::QUOTE_NUM);
    let den = u128::from(amounts::QUOTE_DEN);
    let payout = u64::try_from(scaled / den)
        .map_err(|_| ScenarioError::Check("the payout overflows".into()))?;
    let remainder = u64::try_from(scaled % den)
        .map_err(|_| ScenarioError::Check("the remainder overflows".into()))?;
    Ok((payout, remainder))
}

/// Whether `tx` is a remittance transfer (for tools that scan).
pub fn is_remittance(tx: &Transaction) -> bool {
    matches!(tx.body(), TxBody::Transfer(t) if t.remittance.is_some())
}
