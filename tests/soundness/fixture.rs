//! The fixture chain of the soundness suite: one valid, signed transaction of every kind, each
//! kept with the state and block it was verified against, its signer's key and the secrets a
//! (cheating) prover needs to prove it again — for a customer, the KYC credential too.
//!
//! The chain is the remittance scenario ([`corridor::scenario`]), run whole from [`SEED`]:
//! customers onboarded for real (Maria, Ana in HK, Juan in PH), Mint HKD (two notes) → Transfer
//! treasury → Maria (one of the two mint notes, 3 outputs with limit) → Transfer Maria → Ana (2
//! in, 2 out, fee) → Mint PHP → Transfer PHP treasury → PH float → PublishQuote → remittance
//! Transfer Maria → PH wallet for Juan → Payout → Burn (Juan, with change) → KycRootUpdate (Rosa
//! enrolled) → RegisterAddress (Rosa); each step but the PHP funding is a case.
//!
//! Every customer transaction costs a Groth16 proof (7 in all, the registrations included), so
//! the chain is built once per test binary and keeps to one transaction per kind and role.
use super::forge::Forged;
use corridor::network::KycKeys;
pub use corridor::scenario::amounts::*;
use corridor::scenario::{Scenario, ScenarioConfig, StepName};
use corridor_core::elgamal::AmountOpening;
use corridor_core::genesis::Genesis;
use corridor_core::keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};
use corridor_core::state::BlockContext;
use corridor_core::tx::{FieldBytes, Transaction, TxBody};
use corridor_node::MemoryLedger;
use corridor_prover::KycCredential;
use std::sync::{Arc, OnceLock};

/// Seed of the network's keys and of every proof's randomness.
pub const SEED: u64 = 0x500d_2e55;

/// What a prover knows about a transaction beyond its public fields.
#[derive(Clone, Default)]
pub struct Secrets {
    /// Per input, in statement order: the owner's view key and the note's value.
    pub inputs: Vec<(ViewKey, u64)>,
    /// Per output, in output order: the sender's opening.
    pub outputs: Vec<AmountOpening>,
    /// RegisterAddress: the new address's view key.
    pub view: Option<ViewKey>,
    /// A customer's transaction: the credential (and its path under the root the transaction
    /// claims) it was proven with.
    pub kyc: Option<Arc<KycCredential<'static>>>,
}

/// One valid, signed transaction.
pub struct Case {
    /// Its name in messages.
    pub name: &'static str,
    /// The transaction as the ledger accepted it.
    pub tx: Transaction,
    /// The state it was verified against.
    pub state: MemoryLedger,
    /// The block it was verified for.
    pub block: BlockContext,
    /// Its signer's key.
    pub signer: SpendKey,
    /// The prover's secrets.
    pub secrets: Secrets,
    /// The cheating prover's honest re-proof of it, made once ([`Forged::baseline`]).
    pub baseline: OnceLock<Forged>,
}

impl Case {
    /// A case without its baseline (made on first use).
    pub fn new(
        name: &'static str,
        tx: Transaction,
        state: MemoryLedger,
        block: BlockContext,
        signer: SpendKey,
        secrets: Secrets,
    ) -> Self {
        Case {
            name,
            tx,
            state,
            block,
            signer,
            secrets,
            baseline: OnceLock::new(),
        }
    }

    /// Whether its signer is a customer (it carries a KYC section).
    pub fn is_customer(&self) -> bool {
        self.tx.body().kyc().is_some()
    }
}

/// The chain and every key of it.
pub struct Fixture {
    /// Genesis.
    pub genesis: Genesis,
    /// The KYC circuit's Groth16 keys.
    pub keys: &'static KycKeys,
    /// The cases, in chain order.
    pub cases: Vec<Case>,
    /// The state after the last step.
    pub last_state: MemoryLedger,
    /// The block after the last step.
    pub last_block: BlockContext,
    /// The KYC issuer's roots, in publication order.
    pub roots: Vec<FieldBytes>,
    /// Customers.
    pub maria: WalletKeys,
    /// Ana.
    pub ana: WalletKeys,
    /// Juan, the beneficiary.
    pub juan: WalletKeys,
    /// Rosa registers herself.
    pub rosa: WalletKeys,
    /// Never registered.
    pub outsider: WalletKeys,
    /// Institutions.
    pub hkd_treasury: WalletKeys,
    /// PHP treasury.
    pub php_treasury: WalletKeys,
    /// PH settlement.
    pub ph_settlement: WalletKeys,
    /// PH float.
    pub ph_float: WalletKeys,
    /// The PH operator.
    pub ph_operator: SpendKey,
    /// The HK operator.
    pub hk_operator: SpendKey,
    /// The KYC issuer.
    pub kyc_issuer: SpendKey,
    /// The HKMA (HKD auditor 0).
    pub hkma: ViewKey,
}

impl Fixture {
    /// The case called `name`.
    pub fn case(&self, name: &str) -> &Case {
        self.cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name}"))
    }
}

/// The chain, built once.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build)
}

/// Keys from a seed (a wallet `DemoNetwork::customer` did not onboard).
pub fn wallet(seed: u8) -> WalletKeys {
    WalletKeys::from_seed(&WalletSeed::from_bytes([seed; 32])).expect("seed derives keys")
}

/// The case name of each step of the scenario (the steps without one fund the others).
fn case_name(step: StepName) -> Option<&'static str> {
    Some(match step {
        StepName::MintHkd => "mint",
        StepName::TreasuryToMaria => "transfer-treasury",
        StepName::MariaToAna => "transfer-customer",
        StepName::MintPhp | StepName::PhpFloat => return None,
        StepName::PublishQuote => "publish-quote",
        StepName::Remittance => "transfer-remittance",
        StepName::Payout => "payout",
        StepName::Burn => "burn",
        StepName::KycRootUpdate => "kyc-root-update",
        StepName::RegisterAddress => "register-address",
    })
}

fn build() -> Fixture {
    let scenario =
        Scenario::run(ScenarioConfig::new(SEED), &mut |_| {}).expect("the scenario runs");
    let net = &scenario.network;
    let cases = scenario
        .steps
        .iter()
        .filter_map(|step| {
            let name = case_name(step.name)?;
            let secrets = Secrets {
                inputs: step
                    .secrets
                    .inputs
                    .iter()
                    .map(|(view, note)| (view.clone(), note.value))
                    .collect(),
                outputs: step.secrets.outputs.clone(),
                view: step.secrets.view.clone(),
                kyc: step.secrets.kyc.clone(),
            };
            Some(Case::new(
                name,
                step.tx.clone(),
                step.before.clone(),
                step.block,
                step.signer.clone(),
                secrets,
            ))
        })
        .collect();
    // The issuer's roots in publication order: the onboardings' and the chain's root updates.
    let roots = net
        .committed()
        .iter()
        .filter_map(|tx| match tx.body() {
            TxBody::KycRootUpdate(u) => Some(u.new_root),
            _ => None,
        })
        .collect();
    let i = &net.inst;
    Fixture {
        genesis: net.genesis.clone(),
        keys: net.keys,
        cases,
        last_state: net.state.clone(),
        last_block: net.block(),
        roots,
        maria: scenario.maria.clone(),
        ana: scenario.ana.clone(),
        juan: scenario.juan.clone(),
        rosa: scenario.rosa.clone(),
        outsider: wallet(0x4f),
        hkd_treasury: i.hkd_treasury.clone(),
        php_treasury: i.php_treasury.clone(),
        ph_settlement: i.ph_settlement.clone(),
        ph_float: i.ph_float.clone(),
        ph_operator: i.ph_operator.clone(),
        hk_operator: i.hk_operator.clone(),
        kyc_issuer: i.kyc_issuer.clone(),
        hkma: i.hkma.clone(),
    }
}
