//! Must-show 3 (issue #2): the whole remittance chain
//! Mint → Transfer (treasury → customer) → Transfer (customer: 2 inputs, 2 outputs, fee) →
//! PublishQuote → remittance Transfer → Payout (HKD→PHP at num/den, remainder non-zero) → Burn
//! builds and verifies, and every balance comes out exact.
//!
//! The chain is built here with [`DemoNetwork`] and the [`Builder`] (keeping each committed
//! transaction, the state it was verified against and the sender's openings), with the amounts of
//! [`corridor::demo::amounts`]; every expected balance is derived from those inputs. The demo's
//! own [`run_remittance`] is checked against the same derivation.
//!
//! KYC (DESIGN.md §3.6): the customers are onboarded for real (credential, root update,
//! RegisterAddress with a Groth16 proof) and every customer transaction carries a Groth16 KYC
//! proof the verifier checks. A second network, [`kyc_world`], holds what the KYC rules need:
//! a revoked customer, registrations that collide on an address or a registration nullifier.
use corridor::demo::run_remittance;
use corridor::network::{
    DemoNetwork, LedgerError, BLOCK_SECONDS, CREDENTIAL_DAYS, GENESIS_TIME, KYC_ISSUER_ID,
};
use corridor::scenario::amounts::*;
use corridor::scenario::{Scenario, ScenarioConfig, Step, StepName};
use corridor_circuits::escrow::EscrowCiphertext;
use corridor_circuits::{
    fr_from_bytes, fr_to_bytes, Credential, CredentialAttributes, EscrowSecretKey, Fr,
    IdentitySecret,
};
use corridor_core::address::Address;
use corridor_core::disclosure::{Disclosure, DisclosureKind};
use corridor_core::elgamal::{AmountOpening, DecryptionPath, EncryptedAmount, HintContext};
use corridor_core::genesis::Genesis;
use corridor_core::instruction;
use corridor_core::keys::{ViewKey, WalletKeys, WalletSeed};
use corridor_core::note::Note;
use corridor_core::state::{year_month, BlockContext, PublicState, RootStanding};
use corridor_core::statement::{resolve, StatementError};
use corridor_core::tx::{FieldBytes, KycProof, NoteId, Transaction, TxBody};
use corridor_node::{MemoryLedger, RuleError, TxError};
use corridor_prover::builder::{Builder, OwnedNote, Payment};
use corridor_prover::disclosure::{prove_recipient, prove_sender};
use corridor_prover::{
    KycCredential, PayoutRequest, ProveError, RegistrationRequest, TransferRequest, ViewWallet,
};
use corridor_verifier::disclosure::verify_disclosure;
use corridor_verifier::groth16::{verify as verify_groth16, Groth16VerifyError};
use corridor_verifier::{
    kyc_claim, verify_transaction, KycStatus, ProofError, VerifiedTransaction, VerifyContext,
    VerifyError,
};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The seed of the network's keys and of every proof's randomness.
const SEED: u64 = 2026;
/// Blocks each onboarding takes: the issuer's KycRootUpdate, then the RegisterAddress.
const ONBOARDING_BLOCKS: u64 = 2;

/// `⌊a·num/den⌋` and `a·num mod den`, in u128 so nothing overflows.
fn convert(a: u64, num: u32, den: u32) -> (u64, u64) {
    let scaled = u128::from(a) * u128::from(num);
    let b = u64::try_from(scaled / u128::from(den)).expect("the payout fits a u64");
    (b, (scaled % u128::from(den)) as u64)
}

/// Every balance of the chain, derived from the demo's amounts.
struct Expected {
    maria: u64,
    ana: u64,
    juan: u64,
    hkd_treasury: u64,
    php_treasury: u64,
    ph_settlement: u64,
    ph_float: u64,
    payout: u64,
    fx_remainder: u64,
    hkd_fees: u64,
    php_fees: u64,
    php_burned: u64,
}

fn expected() -> Expected {
    let (payout, fx_remainder) = convert(REMIT, QUOTE_NUM, QUOTE_DEN);
    let maria_received: u64 = MARIA_NOTES.iter().sum();
    Expected {
        maria: maria_received - ANA_PAYMENT - ANA_FEE - REMIT - REMIT_FEE,
        ana: ANA_PAYMENT,
        juan: payout - JUAN_BURN - JUAN_BURN_FEE,
        hkd_treasury: HKD_MINT - maria_received,
        php_treasury: PHP_MINT - PHP_FLOAT,
        ph_settlement: REMIT,
        ph_float: PHP_FLOAT - payout,
        payout,
        fx_remainder,
        hkd_fees: ANA_FEE + REMIT_FEE,
        php_fees: JUAN_BURN_FEE,
        php_burned: JUAN_BURN,
    }
}

#[test]
fn the_derivation_is_the_one_the_issue_states() {
    let e = expected();
    // 100037·72345 = 7_237_176_765 = 723_717·10_000 + 6_765.
    assert_eq!((e.payout, e.fx_remainder), (723_717, 6_765));
    assert_ne!(e.fx_remainder, 0, "the FX remainder must be non-zero");
    assert_eq!(e.maria, 275_707);
    assert_eq!(e.ana, 123_456);
    assert_eq!(e.ph_settlement, 100_037);
    assert_eq!(e.ph_float, 10_000_000 - 723_717);
    assert_eq!(e.juan, 723_717 - 500_100);
    assert_eq!(e.hkd_treasury, 99_500_000);
    assert_eq!(e.php_treasury, 40_000_000);
}

/// The chain after its last step, and what the ledger said to forged payouts on the way.
struct Chain {
    net: DemoNetwork,
    maria: WalletKeys,
    ana: WalletKeys,
    juan: WalletKeys,
    rosa: WalletKeys,
    steps: Vec<Step>,
    /// Payouts whose beneficiary output differs from the committed beneficiary, each submitted
    /// (re-signed by the operator) on the state the honest payout was verified against.
    forged_payouts: Vec<(&'static str, LedgerError)>,
    /// The builder asked to pay another beneficiary than the committed one.
    builder_other_beneficiary: ProveError,
}

impl Chain {
    /// Verifies `tx` against `state` for `block`, with the network's genesis and KYC key.
    fn verify_at(
        &self,
        tx: &Transaction,
        state: &MemoryLedger,
        block: BlockContext,
    ) -> Result<VerifiedTransaction, VerifyError> {
        verify_transaction(tx, &context(&self.net, state, block))
    }

    fn step(&self, name: StepName) -> &Step {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no step {name}"))
    }

    /// Every wallet of the chain, to find a note owner's view key.
    fn wallets(&self) -> Vec<(&'static str, &WalletKeys)> {
        let i = &self.net.inst;
        vec![
            ("Maria", &self.maria),
            ("Ana", &self.ana),
            ("Juan", &self.juan),
            ("HKD treasury", &i.hkd_treasury),
            ("PHP treasury", &i.php_treasury),
            ("PH settlement", &i.ph_settlement),
            ("PH float", &i.ph_float),
            ("HK settlement", &i.hk_settlement),
            ("HK float", &i.hk_float),
        ]
    }

    fn owner_view(&self, owner: &Address) -> &ViewKey {
        self.wallets()
            .into_iter()
            .find(|(_, w)| w.address() == *owner)
            .map(|(_, w)| &w.view)
            .unwrap_or_else(|| panic!("no wallet owns {}", owner.encode()))
    }

    /// Every note the chain created, as the ledger stores it.
    fn notes(&self) -> Vec<Note> {
        self.steps
            .iter()
            .flat_map(|s| s.tx.new_notes())
            .map(|(id, _)| {
                self.net
                    .state
                    .note(&id)
                    .unwrap()
                    .unwrap_or_else(|| panic!("note {} is not on the ledger", id.short()))
            })
            .collect()
    }

    /// The auditors' view keys of `asset`, in genesis order.
    fn auditors(&self, asset: &str) -> Vec<(&'static str, &ViewKey)> {
        let i = &self.net.inst;
        let keys = match asset {
            "HKD" => vec![("HKMA", &i.hkma), ("BSP", &i.bsp)],
            "PHP" => vec![("BSP", &i.bsp)],
            other => panic!("unknown asset {other}"),
        };
        let policy = self.net.genesis.asset(asset).expect("asset in genesis");
        let publics: Vec<_> = keys.iter().map(|(_, k)| k.public()).collect();
        assert_eq!(
            publics, policy.auditors,
            "{asset}: auditors out of genesis order"
        );
        keys
    }
}

/// The verifier's context on `net`'s genesis and KYC key, for `state` and `block`.
fn context<'a>(
    net: &'a DemoNetwork,
    state: &'a MemoryLedger,
    block: BlockContext,
) -> VerifyContext<'a> {
    VerifyContext {
        genesis: &net.genesis,
        state,
        block,
        kyc_key: &net.keys.verifying,
    }
}

/// The block at `height`, timed as the demo network times its blocks.
fn block_at(height: u64) -> BlockContext {
    BlockContext {
        height,
        time: GENESIS_TIME + height * BLOCK_SECONDS,
    }
}

/// A wallet from a one-byte seed.
fn wallet(byte: u8) -> WalletKeys {
    WalletKeys::from_seed(&WalletSeed::from_bytes([byte; 32])).expect("wallet keys")
}

fn ctx(note: &Note) -> HintContext<'_> {
    HintContext {
        asset: &note.asset,
        output_index: note.output_index,
    }
}

/// The scenario's chain, then the payout forgeries on the state the honest payout saw.
fn build_chain() -> Chain {
    let Scenario {
        network: net,
        maria,
        ana,
        juan,
        rosa,
        steps,
        ..
    } = Scenario::run(ScenarioConfig::new(SEED), &mut |_| {}).expect("the chain runs");
    let mut rng = ChaCha20Rng::seed_from_u64(SEED ^ 0xf0);
    let payout = steps
        .iter()
        .find(|s| s.name == StepName::Payout)
        .expect("a payout step");
    let remittance = steps
        .iter()
        .find(|s| s.name == StepName::Remittance)
        .expect("a remittance step");

    // The operator opens the instruction and decrypts the remittance note.
    let TxBody::Transfer(t) = remittance.tx.body() else {
        panic!("the remittance is not a transfer");
    };
    let rem = t.remittance.as_ref().expect("remittance fields");
    let (beneficiary, salt) = instruction::open(
        &rem.instruction,
        &net.inst.ph_settlement.view,
        &rem.beneficiary_commitment,
    )
    .expect("the operator opens the instruction");
    assert_eq!((beneficiary, salt), (juan.address(), SALT));
    let remit_note = payout
        .before
        .note(&NoteId::derive(&remittance.tx.id(), 0))
        .unwrap()
        .expect("the remittance note is on the ledger before the payout");
    let remit_note =
        OwnedNote::decrypt(remit_note, &net.inst.ph_settlement.view).expect("operator decrypts");
    assert_eq!(remit_note.value, REMIT);

    // The builder refuses another beneficiary, and the ledger refuses payouts whose output 0
    // pays someone else than the committed one.
    let floats: Vec<OwnedNote> = payout
        .secrets
        .inputs
        .iter()
        .skip(1)
        .map(|(_, n)| n.clone())
        .collect();
    let builder_other_beneficiary = Builder::new(&net.genesis, &payout.before, payout.block)
        .payout(
            &ViewWallet::of(&net.inst.ph_settlement),
            &ViewWallet::of(&net.inst.ph_float),
            &PayoutRequest {
                operator: OPERATOR.into(),
                remittance: remit_note.clone(),
                floats,
                beneficiary: ana.address(),
                salt,
            },
            &mut rng,
        )
        .expect_err("the builder pays only the committed beneficiary");
    let mut at_payout = net.fork().expect("a fork");
    at_payout
        .replace_state(payout.before.clone())
        .expect("the state before the payout");
    let forge = |edit: &dyn Fn(&mut corridor_core::tx::Payout)| {
        let mut unsigned = payout.tx.clone().into_unsigned();
        let TxBody::Payout(p) = &mut unsigned.body else {
            panic!("not a payout");
        };
        edit(p);
        unsigned.sign(&net.inst.ph_operator)
    };
    let to_ana = forge(&|p| p.outputs[0].owner = ana.address());
    let reopened_to_ana = forge(&|p| {
        p.outputs[0].owner = ana.address();
        p.beneficiary = ana.address();
    });
    let mut forged_payouts = Vec::new();
    for (name, tx) in [
        ("output 0 pays Ana, beneficiary Juan", to_ana),
        ("output 0 and beneficiary Ana", reopened_to_ana),
    ] {
        let height = at_payout.height();
        let err = at_payout
            .submit(&tx)
            .expect_err("a payout to another beneficiary must be rejected");
        assert_eq!(
            at_payout.height(),
            height,
            "a rejected payout changed the ledger"
        );
        forged_payouts.push((name, err));
    }
    // The honest payout, on the same state, is what the chain committed.
    at_payout
        .submit(&payout.tx)
        .expect("the honest payout on the same state");

    Chain {
        net,
        maria,
        ana,
        juan,
        rosa,
        steps,
        forged_payouts,
        builder_other_beneficiary,
    }
}

fn chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(build_chain)
}

#[test]
fn every_step_builds_verifies_and_round_trips() {
    let c = chain();
    let names: Vec<_> = c.steps.iter().map(|s| s.name).collect();
    assert_eq!(names, StepName::ALL);
    // Three onboardings, then one block per step.
    let onboarding = 3 * ONBOARDING_BLOCKS;
    assert_eq!(c.net.height(), onboarding + c.steps.len() as u64);
    let customers = [
        c.maria.address(),
        c.ana.address(),
        c.juan.address(),
        c.rosa.address(),
    ];
    for (i, s) in c.steps.iter().enumerate() {
        assert_eq!(s.block, block_at(onboarding + 1 + i as u64), "{}", s.name);
        // The canonical encoding decodes to the same transaction, and that verifies against the
        // state the ledger saw.
        let bytes = s.tx.encode();
        let decoded = Transaction::decode(&bytes)
            .unwrap_or_else(|e| panic!("{}: its own encoding does not decode: {e}", s.name));
        assert_eq!(decoded, s.tx, "{}", s.name);
        let verified = c
            .verify_at(&decoded, &s.before, s.block)
            .unwrap_or_else(|e| panic!("{}: does not verify: {e}", s.name));
        assert_eq!(verified.kyc(), s.kyc, "{}", s.name);
        // Customers' steps carry a Groth16 KYC proof the verifier checked; institutions' steps
        // carry none and need none.
        let customer = verified
            .statement()
            .signer_address
            .is_some_and(|a| customers.contains(&a));
        let expected_kyc = if customer {
            KycStatus::Verified
        } else {
            KycStatus::NotRequired
        };
        assert_eq!(s.kyc, expected_kyc, "{}", s.name);
        assert_eq!(s.tx.body().kyc().is_some(), customer, "{}", s.name);
        // Outputs = what the sender kept openings for.
        assert_eq!(
            s.tx.body().outputs().len(),
            s.secrets.outputs.len(),
            "{}",
            s.name
        );
    }

    // The shapes the must-show names.
    let TxBody::Transfer(t) = c.step(StepName::MariaToAna).tx.body() else {
        panic!("Maria → Ana is not a transfer");
    };
    assert_eq!((t.inputs.len(), t.outputs.len(), t.fee), (2, 2, ANA_FEE));
    assert!(t.kyc.is_some() && t.limit_w0.is_some() && t.remittance.is_none());
    let TxBody::Transfer(t) = c.step(StepName::Remittance).tx.body() else {
        panic!("the remittance is not a transfer");
    };
    let rem = t.remittance.as_ref().expect("remittance fields");
    assert_eq!((rem.operator.as_str(), rem.quote_id), (OPERATOR, QUOTE_ID));
    assert_eq!(
        rem.beneficiary_commitment,
        instruction::beneficiary_commitment(&c.juan.address(), &SALT)
    );
    let TxBody::Payout(p) = c.step(StepName::Payout).tx.body() else {
        panic!("the payout is not a payout");
    };
    assert_eq!(p.beneficiary, c.juan.address());
    assert_eq!(p.outputs[0].owner, c.juan.address());
    assert_eq!(p.outputs[1].owner, c.net.inst.ph_settlement.address());
    assert_eq!(p.outputs[2].owner, c.net.inst.ph_float.address());
    let quote = c
        .net
        .state
        .quote(OPERATOR, QUOTE_ID)
        .unwrap()
        .expect("the quote is on the ledger");
    assert_eq!((quote.num, quote.den), (QUOTE_NUM, QUOTE_DEN));
    let TxBody::Burn(b) = c.step(StepName::Burn).tx.body() else {
        panic!("the burn is not a burn");
    };
    assert_eq!((b.burn_amount, b.fee), (JUAN_BURN, JUAN_BURN_FEE));
}

#[test]
fn every_balance_is_exact() {
    let c = chain();
    let e = expected();
    let i = &c.net.inst;
    let bal = |w: &WalletKeys, asset| c.net.balance(w, asset);
    assert_eq!(bal(&c.maria, "HKD"), e.maria.into(), "Maria HKD");
    assert_eq!(bal(&c.ana, "HKD"), e.ana.into(), "Ana HKD");
    assert_eq!(bal(&c.juan, "PHP"), e.juan.into(), "Juan PHP");
    assert_eq!(
        bal(&i.hkd_treasury, "HKD"),
        e.hkd_treasury.into(),
        "HKD treasury"
    );
    assert_eq!(
        bal(&i.php_treasury, "PHP"),
        e.php_treasury.into(),
        "PHP treasury"
    );
    assert_eq!(
        bal(&i.ph_settlement, "HKD"),
        e.ph_settlement.into(),
        "PH settlement HKD"
    );
    assert_eq!(bal(&i.ph_float, "PHP"), e.ph_float.into(), "PH float PHP");
    // Nobody holds what the chain never paid them.
    for (who, w, asset) in [
        ("Maria", &c.maria, "PHP"),
        ("Ana", &c.ana, "PHP"),
        ("Juan", &c.juan, "HKD"),
        ("PH settlement", &i.ph_settlement, "PHP"),
        ("PH float", &i.ph_float, "HKD"),
        ("HK settlement", &i.hk_settlement, "HKD"),
        ("HK float", &i.hk_float, "PHP"),
    ] {
        assert_eq!(bal(w, asset), 0, "{who} {asset}");
    }

    // The payout note is ⌊REMIT·num/den⌋ and the FX remainder R commits the non-zero rest.
    let payout = c.step(StepName::Payout);
    assert_eq!(payout.secrets.outputs[0].value, e.payout);
    assert_eq!(
        payout.secrets.outputs[1].value, REMIT,
        "the A value returns"
    );
    assert_eq!(payout.secrets.outputs[2].value, e.ph_float, "float change");
    assert!(e.fx_remainder > 0 && e.fx_remainder < u64::from(QUOTE_DEN));
    assert_eq!(
        u128::from(e.payout) * u128::from(QUOTE_DEN) + u128::from(e.fx_remainder),
        u128::from(REMIT) * u128::from(QUOTE_NUM)
    );
}

#[test]
fn the_demo_report_agrees() {
    let e = expected();
    let mut seen = Vec::new();
    let report = run_remittance(SEED, &mut |s| seen.push(s.name)).expect("the demo runs");
    assert_eq!(seen.len(), report.steps.len());
    assert_eq!(seen, StepName::ALL);
    assert_eq!(
        (report.payout, report.fx_remainder),
        (e.payout, e.fx_remainder)
    );
    let n = &report.network;
    let i = &n.inst;
    assert_eq!(n.balance(&report.maria, "HKD"), e.maria.into());
    assert_eq!(n.balance(&report.ana, "HKD"), e.ana.into());
    assert_eq!(n.balance(&report.juan, "PHP"), e.juan.into());
    assert_eq!(n.balance(&i.hkd_treasury, "HKD"), e.hkd_treasury.into());
    assert_eq!(n.balance(&i.php_treasury, "PHP"), e.php_treasury.into());
    assert_eq!(n.balance(&i.ph_settlement, "HKD"), e.ph_settlement.into());
    assert_eq!(n.balance(&i.ph_float, "PHP"), e.ph_float.into());
    // The demo's steps are the chain's, kind by kind; each carries its committed transaction,
    // and the customers' ones a KYC proof the verifier checked, whose escrow the regulator
    // opens to the signer's id_commit.
    let demo_kinds: Vec<&str> = report.steps.iter().map(|s| s.tx.body().kind()).collect();
    let chain_kinds: Vec<&str> = chain().steps.iter().map(|s| s.tx.body().kind()).collect();
    assert_eq!(demo_kinds, chain_kinds);
    let id_commit = |w: &WalletKeys| {
        n.kyc_credential(w)
            .expect("a customer of the demo")
            .credential
            .id_commit()
    };
    let mut customer_steps = Vec::new();
    for s in &report.steps {
        assert!(n.state.has_tx(&s.tx.id()).unwrap(), "{}", s.name);
        let Some(k) = s.tx.body().kyc() else {
            assert_eq!(s.kyc, KycStatus::NotRequired, "{}", s.name);
            continue;
        };
        assert_eq!(s.kyc, KycStatus::Verified, "{}", s.name);
        let signer = match s.tx.body() {
            TxBody::Burn(_) => &report.juan,
            TxBody::RegisterAddress(_) => &report.rosa,
            _ => &report.maria,
        };
        assert_eq!(
            n.inst.escrow.decrypt(&escrow_of(k)),
            id_commit(signer),
            "{}",
            s.name
        );
        customer_steps.push(s.tx.body().kind());
    }
    assert_eq!(
        customer_steps,
        ["transfer", "transfer", "burn", "register-address"]
    );
}

/// Per asset: minted = held in unspent notes + fee pool + burned. The ledger's fee pool equals
/// the sum of the public fees of the committed transactions.
#[test]
fn fee_pools_and_supply_are_conserved() {
    let c = chain();
    let e = expected();
    let mut minted: BTreeMap<&str, u128> = BTreeMap::new();
    let mut fees: BTreeMap<&str, u128> = BTreeMap::new();
    let mut burned: BTreeMap<&str, u128> = BTreeMap::new();
    for s in &c.steps {
        match s.tx.body() {
            TxBody::Mint(m) => {
                *minted.entry(&m.asset).or_default() +=
                    m.outputs.iter().map(|(_, a)| u128::from(*a)).sum::<u128>()
            }
            TxBody::Transfer(t) => *fees.entry(&t.asset).or_default() += u128::from(t.fee),
            TxBody::Burn(b) => {
                *fees.entry(&b.asset).or_default() += u128::from(b.fee);
                *burned.entry(&b.asset).or_default() += u128::from(b.burn_amount);
            }
            TxBody::Payout(_)
            | TxBody::PublishQuote(_)
            | TxBody::KycRootUpdate(_)
            | TxBody::RegisterAddress(_) => {}
        }
    }
    assert_eq!(minted["HKD"], u128::from(HKD_MINT));
    assert_eq!(minted["PHP"], u128::from(PHP_MINT));
    assert_eq!(fees["HKD"], u128::from(e.hkd_fees), "HKD fee pool");
    assert_eq!(fees["PHP"], u128::from(e.php_fees), "PHP fee pool");
    for asset in ["HKD", "PHP"] {
        assert_eq!(
            c.net.state.fee_pool(asset).unwrap(),
            fees[asset],
            "{asset}: ledger fee pool"
        );
    }
    assert_eq!(burned.get("HKD"), None);
    assert_eq!(burned["PHP"], u128::from(e.php_burned));

    let mut held: BTreeMap<String, u128> = BTreeMap::new();
    for note in c.notes() {
        if c.net.state.is_spent(&note.id).unwrap() {
            continue;
        }
        let v = note
            .amount
            .decrypt(0, c.owner_view(&note.owner), ctx(&note))
            .expect("owner decrypts")
            .value;
        *held.entry(note.asset.clone()).or_default() += u128::from(v);
    }
    for asset in ["HKD", "PHP"] {
        assert_eq!(
            held[asset] + fees[asset] + burned.get(asset).copied().unwrap_or(0),
            minted[asset],
            "{asset}: value was created or destroyed"
        );
    }
    // And the holdings are the expected balances.
    assert_eq!(
        held["HKD"],
        u128::from(e.maria + e.ana + e.hkd_treasury + e.ph_settlement)
    );
    assert_eq!(
        held["PHP"],
        u128::from(e.juan + e.php_treasury + e.ph_float)
    );
}

#[test]
fn every_auditor_decrypts_every_note_of_its_asset_like_the_owner() {
    let c = chain();
    let notes = c.notes();
    assert_eq!(notes.len(), 16);
    // Every opening the senders kept agrees with the owner's decryption.
    let openings: Vec<&AmountOpening> = c.steps.iter().flat_map(|s| &s.secrets.outputs).collect();
    assert_eq!(openings.len(), notes.len());
    for (note, opening) in notes.iter().zip(openings) {
        let owner = note
            .amount
            .decrypt(0, c.owner_view(&note.owner), ctx(note))
            .expect("owner decrypts");
        assert_eq!(owner.path, DecryptionPath::Hint);
        assert_eq!(owner.value, opening.value, "note {}", note.id.short());
        // Without hints, every decryptor falls back to the discrete log and finds the same value.
        let hintless = EncryptedAmount {
            hints: Vec::new(),
            ..note.amount.clone()
        };
        let dl = hintless
            .decrypt(0, c.owner_view(&note.owner), ctx(note))
            .expect("owner decrypts by discrete log");
        assert_eq!(
            (dl.path, dl.value),
            (DecryptionPath::DiscreteLog, owner.value)
        );
        let auditors = c.auditors(&note.asset);
        assert_eq!(note.amount.decryptors(), 1 + auditors.len());
        for (j, (who, view)) in auditors.iter().enumerate() {
            let by_hint = note
                .amount
                .decrypt(j + 1, view, ctx(note))
                .unwrap_or_else(|e| panic!("{who} cannot decrypt {}: {e}", note.id.short()));
            assert_eq!(
                (by_hint.path, by_hint.value),
                (DecryptionPath::Hint, owner.value),
                "{who} by hint, note {}",
                note.id.short()
            );
            let by_dl = hintless
                .decrypt(j + 1, view, ctx(note))
                .unwrap_or_else(|e| panic!("{who} cannot decrypt {}: {e}", note.id.short()));
            assert_eq!(
                (by_dl.path, by_dl.value),
                (DecryptionPath::DiscreteLog, owner.value),
                "{who} by discrete log, note {}",
                note.id.short()
            );
            assert_eq!(c.net.audit(note, j, view), Some(owner.value));
        }
    }
    // The HKMA audits HKD only: a PHP note has no handle for it, and BSP's handle does not open
    // with the HKMA's key.
    let php = notes.iter().find(|n| n.asset == "PHP").expect("a PHP note");
    assert_eq!(php.amount.decryptors(), 2);
    assert!(php.amount.decrypt(2, &c.net.inst.hkma, ctx(php)).is_err());
    assert!(php.amount.decrypt(1, &c.net.inst.hkma, ctx(php)).is_err());
}

/// The remittance note (output 0 of the remittance Transfer, owned by the PH settlement address)
/// and the sender's opening of it.
fn remittance_note(c: &Chain) -> (Note, &AmountOpening) {
    let s = c.step(StepName::Remittance);
    let id = NoteId::derive(&s.tx.id(), 0);
    (
        c.net.state.note(&id).unwrap().expect("remittance note"),
        &s.secrets.outputs[0],
    )
}

fn sigma_failure(relation: &'static str, equation: usize) -> ProofError {
    ProofError::Sigma {
        relation,
        index: 0,
        equation,
    }
}

#[test]
fn remittance_disclosures_verify_and_lies_fail_with_the_specific_error() {
    let c = chain();
    let network = c.net.genesis.network.as_str();
    let mut rng = ChaCha20Rng::seed_from_u64(SEED ^ 0xd15c);
    let mut nonce = [0u8; 32];
    rng.fill_bytes(&mut nonce);
    let mut other_nonce = [0u8; 32];
    rng.fill_bytes(&mut other_nonce);
    let (note, opening) = remittance_note(c);
    assert_eq!(opening.value, REMIT);
    // Another note: Maria's change from the same remittance.
    let other_note = c
        .net
        .state
        .note(&NoteId::derive(&c.step(StepName::Remittance).tx.id(), 1))
        .unwrap()
        .expect("change note");
    let settlement = &c.net.inst.ph_settlement.view;

    let recipient = prove_recipient(network, &note, settlement, REMIT, nonce, &mut rng)
        .expect("recipient disclosure");
    let sender = prove_sender(network, &note, opening, nonce, &mut rng).expect("sender disclosure");
    assert_eq!(recipient.kind, DisclosureKind::Recipient);
    assert_eq!(sender.kind, DisclosureKind::Sender);
    assert_eq!((recipient.value, sender.value), (REMIT, REMIT));
    verify_disclosure(network, &note, &recipient, &nonce).expect("recipient disclosure verifies");
    verify_disclosure(network, &note, &sender, &nonce).expect("sender disclosure verifies");

    for (d, relation) in [
        (&recipient, "recipient-disclosure"),
        (&sender, "sender-disclosure"),
    ] {
        // An honest proof presented for another amount: the challenge changes, equation 0 fails.
        let wrong_amount = Disclosure {
            value: REMIT + 1,
            ..d.clone()
        };
        assert_eq!(
            verify_disclosure(network, &note, &wrong_amount, &nonce),
            Err(sigma_failure(relation, 0)),
            "{relation}: wrong amount"
        );
        // Another verifier's nonce: a replayed receipt.
        assert_eq!(
            verify_disclosure(network, &note, d, &other_nonce),
            Err(sigma_failure(relation, 0)),
            "{relation}: wrong nonce"
        );
        // Another note.
        assert_eq!(
            verify_disclosure(network, &other_note, d, &nonce),
            Err(sigma_failure(relation, 0)),
            "{relation}: wrong note"
        );
        // Another network.
        assert_eq!(
            verify_disclosure("corridor-other", &note, d, &nonce),
            Err(sigma_failure(relation, 0)),
            "{relation}: wrong network"
        );
    }

    // Lying provers: a proof made for a false amount fails on the equation that binds the value
    // (the recipient's `C − v·G = t·D`, the sender's `C − v·G = r·H`).
    let lie = prove_recipient(network, &note, settlement, REMIT - 1, nonce, &mut rng)
        .expect("a lying recipient still produces bytes");
    assert_eq!(
        verify_disclosure(network, &note, &lie, &nonce),
        Err(sigma_failure("recipient-disclosure", 1))
    );
    let false_opening = AmountOpening {
        value: REMIT + 1,
        blindings: opening.blindings,
    };
    let lie = prove_sender(network, &note, &false_opening, nonce, &mut rng)
        .expect("a lying sender still produces bytes");
    assert_eq!(
        verify_disclosure(network, &note, &lie, &nonce),
        Err(sigma_failure("sender-disclosure", 0))
    );
    // Someone else's view key cannot make the owner's receipt.
    let stranger =
        prove_recipient(network, &note, &c.maria.view, REMIT, nonce, &mut rng).expect("bytes");
    assert_eq!(
        verify_disclosure(network, &note, &stranger, &nonce),
        Err(sigma_failure("recipient-disclosure", 0))
    );
}

#[test]
fn a_payout_to_another_beneficiary_is_rejected() {
    let c = chain();
    assert!(
        matches!(
            &c.builder_other_beneficiary,
            ProveError::Statement(StatementError::Remittance(_))
        ),
        "the builder: {:?}",
        c.builder_other_beneficiary
    );
    assert_eq!(c.forged_payouts.len(), 2);
    for (name, err) in &c.forged_payouts {
        let LedgerError::Verify(VerifyError::Statement(s)) = err else {
            panic!("{name}: rejected for the wrong reason: {err}");
        };
        match *name {
            "output 0 pays Ana, beneficiary Juan" => assert!(
                matches!(s, StatementError::WrongRecipient { index: 0, expected } if expected == "the beneficiary"),
                "{name}: {s}"
            ),
            _ => assert!(
                matches!(s, StatementError::Remittance(m) if m.contains("do not open")),
                "{name}: {s}"
            ),
        }
    }
    // The honest payout after them went to Juan.
    assert_eq!(c.net.balance(&c.juan, "PHP"), u128::from(expected().juan));
    assert_eq!(c.net.balance(&c.ana, "PHP"), 0);
}

#[test]
fn replaying_a_committed_transaction_is_rejected() {
    let c = chain();
    // A ledger in the chain's final state (same keys: the network derives them from the seed).
    let mut ledger = DemoNetwork::new(SEED).expect("the demo network");
    ledger
        .replace_state(c.net.state.clone())
        .expect("the chain's final state");
    let genesis: &Genesis = &ledger.genesis;
    assert_eq!(genesis, &c.net.genesis);
    for s in &c.steps {
        match ledger.submit(&s.tx) {
            Err(LedgerError::Node(TxError::Rule(RuleError::Replayed { tx, height }))) => {
                assert_eq!(tx, s.tx.id(), "{}", s.name);
                assert!(
                    height >= 1 && height <= c.net.height(),
                    "{}: {height}",
                    s.name
                );
            }
            Err(other) => panic!("{}: replay rejected for the wrong reason: {other}", s.name),
            Ok(_) => panic!("{}: a replay was accepted", s.name),
        }
    }
    assert_eq!(ledger.height(), c.net.height());
    let e = expected();
    assert_eq!(ledger.balance(&c.maria, "HKD"), e.maria.into());
    assert_eq!(ledger.balance(&c.juan, "PHP"), e.juan.into());
}

// ---------------------------------------------------------------------------------------------
// KYC (DESIGN.md §3.6): escrow, binding to the transaction, day, roots, registrations.

/// The escrow ciphertext `(escrow_R, escrow_c)` a KYC section carries.
fn escrow_of(k: &KycProof) -> EscrowCiphertext {
    EscrowCiphertext {
        r: EscrowCiphertext::r_from_bytes(&k.escrow_r).expect("escrow_R is a subgroup point"),
        c: fr_from_bytes(&k.escrow_c.0, "escrow_c").expect("escrow_c is a field element"),
    }
}

#[test]
fn the_regulator_opens_each_customer_escrow_to_that_customers_id_commit() {
    let c = chain();
    let customers = [
        ("Maria", &c.maria),
        ("Ana", &c.ana),
        ("Juan", &c.juan),
        ("Rosa", &c.rosa),
    ];
    let ids: Vec<(&str, Address, Fr)> = customers
        .iter()
        .map(|(who, w)| {
            let credential = c.net.kyc_credential(w).expect("a customer").credential;
            (*who, w.address(), credential.id_commit())
        })
        .collect();
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            assert_ne!(a.2, b.2, "{} and {} share an id_commit", a.0, b.0);
        }
    }
    let stranger = EscrowSecretKey::random(&mut ChaCha20Rng::seed_from_u64(SEED ^ 0xe5c));
    let mut opened: Vec<(StepName, &str, &KycProof)> = Vec::new();
    for s in &c.steps {
        let Some(k) = s.tx.body().kyc() else {
            continue;
        };
        let signer = resolve(s.tx.unsigned(), &c.net.genesis, &s.before, &s.block)
            .expect("the step resolves")
            .signer_address
            .expect("a customer signs with an address");
        let &(who, _, id_commit) = ids
            .iter()
            .find(|(_, a, _)| *a == signer)
            .unwrap_or_else(|| panic!("{}: signed by a non-customer", s.name));
        let ct = escrow_of(k);
        let opened_id = c.net.inst.escrow.decrypt(&ct);
        assert_eq!(opened_id, id_commit, "{}: the escrow names {who}", s.name);
        for (other, _, other_id) in &ids {
            if *other != who {
                assert_ne!(opened_id, *other_id, "{}: the escrow names {other}", s.name);
            }
        }
        assert_ne!(stranger.decrypt(&ct), id_commit, "{}: another key", s.name);
        opened.push((s.name, who, k));
    }
    let names: Vec<(StepName, &str)> = opened.iter().map(|(n, w, _)| (*n, *w)).collect();
    assert_eq!(
        names,
        [
            (StepName::MariaToAna, "Maria"),
            (StepName::Remittance, "Maria"),
            (StepName::Burn, "Juan"),
            (StepName::RegisterAddress, "Rosa"),
        ]
    );
    // Maria's two transactions: fresh escrow randomness and a per-transaction scope make them
    // unlinkable to anyone but the regulator.
    let (a, b) = (opened[0].2, opened[1].2);
    assert_ne!(a.escrow_r, b.escrow_r);
    assert_ne!(a.escrow_c, b.escrow_c);
    assert_ne!(a.nullifier, b.nullifier);
    // Each customer's registration stored its own link, and RegisterAddress links travel only
    // in registrations.
    let links: Vec<FieldBytes> = customers
        .iter()
        .map(|(who, w)| {
            c.net
                .state
                .registration_link(w.address().spend_key())
                .unwrap()
                .unwrap_or_else(|| panic!("{who} has no registration link"))
        })
        .collect();
    for (i, a) in links.iter().enumerate() {
        assert!(
            !links[i + 1..].contains(a),
            "{}: a shared link",
            customers[i].0
        );
    }
    assert!(opened
        .iter()
        .all(|(n, _, k)| k.link.is_some() == (*n == StepName::RegisterAddress)));
}

#[test]
fn a_kyc_proof_made_for_another_transaction_is_rejected() {
    let c = chain();
    let target = c.step(StepName::Remittance);
    let target_kyc = target.tx.body().kyc().expect("a KYC section");
    // Maria's own earlier transfer (same root, same day) and Juan's burn.
    for donor_name in [StepName::MariaToAna, StepName::Burn] {
        let donor = c.step(donor_name);
        let donor_kyc = donor.tx.body().kyc().expect("a KYC section").clone();
        assert_eq!(donor_kyc.root, target_kyc.root, "{donor_name}");
        // The Groth16 proof moved into the remittance, re-signed by Maria: the proof bytes are
        // outside the digest and the transcript, so the sigma and range proofs still hold, and
        // the KYC proof fails against the remittance's binding, scope, nullifier and escrow.
        let mut unsigned = target.tx.clone().into_unsigned();
        unsigned.body.kyc_mut().expect("a KYC section").proof = donor_kyc.proof;
        let forged = unsigned.sign(&c.maria.spend);
        assert_eq!(
            c.verify_at(&forged, &target.before, target.block)
                .map(|_| ()),
            Err(VerifyError::Proof(ProofError::Kyc)),
            "{donor_name}'s proof in the remittance"
        );
        // The whole section: its escrow, day and root are in the digest and its nullifier in
        // the transcript, so the first sigma proof already fails …
        let mut unsigned = target.tx.clone().into_unsigned();
        *unsigned.body.kyc_mut().expect("a KYC section") = donor_kyc.clone();
        let forged = unsigned.sign(&c.maria.spend);
        let err = c
            .verify_at(&forged, &target.before, target.block)
            .map(|_| ())
            .expect_err("a copied KYC section verified");
        assert!(
            matches!(err, VerifyError::Proof(ProofError::Sigma { index: 0, .. })),
            "{donor_name}'s section in the remittance: {err}"
        );
        // … and the Groth16 proof fails too against what the verifier resolves for the
        // remittance (another binding and scope), while it holds for its own transaction.
        let claim = |tx: &Transaction, s: &Step| {
            let statement =
                resolve(tx.unsigned(), &c.net.genesis, &s.before, &s.block).expect("resolves");
            kyc_claim(statement.kyc.as_ref().expect("KYC inputs")).expect("well-formed")
        };
        let (proof, inputs) = claim(&forged, target);
        assert_eq!(
            verify_groth16(&c.net.keys.verifying, &proof, &inputs),
            Err(Groth16VerifyError::Rejected),
            "{donor_name}"
        );
        let (proof, inputs) = claim(&donor.tx, donor);
        assert_eq!(
            verify_groth16(&c.net.keys.verifying, &proof, &inputs),
            Ok(()),
            "{donor_name}"
        );
    }
}

#[test]
fn the_kyc_epoch_day_is_the_blocks_day_or_the_day_before() {
    let c = chain();
    let s = c.step(StepName::MariaToAna);
    let k = s.tx.body().kyc().expect("a KYC section");
    assert_eq!(k.epoch_day, s.block.epoch_day());
    let shifted = |seconds: i64| BlockContext {
        height: s.block.height,
        time: s.block.time.checked_add_signed(seconds).expect("a time"),
    };
    const DAY: i64 = 86_400;
    // The block's day and the next day accept the proof.
    for (what, block) in [("same day", s.block), ("a day old", shifted(DAY))] {
        let verified = c
            .verify_at(&s.tx, &s.before, block)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(verified.kyc(), KycStatus::Verified, "{what}");
    }
    // Two days old, or dated tomorrow: the day is refused before any proof is checked.
    for (what, block) in [
        ("two days old", shifted(2 * DAY)),
        ("tomorrow", shifted(-DAY)),
    ] {
        match c.verify_at(&s.tx, &s.before, block).map(|_| ()) {
            Err(VerifyError::Statement(StatementError::Kyc(m))) => assert!(
                m.contains(&format!("epoch day {}", k.epoch_day)),
                "{what}: {m}"
            ),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// A network for the KYC rules: Rosa registers by hand (so that her registration and the ones
/// colliding with it are at hand), Pedro is onboarded, funded and revoked.
struct KycWorld {
    net: DemoNetwork,
    rosa: WalletKeys,
    /// Rosa's credential under the root current when she registered.
    rosa_credential: KycCredential<'static>,
    /// The state and block Rosa's registration was verified for.
    before_rosa: MemoryLedger,
    rosa_block: BlockContext,
    rosa_register: Transaction,
    /// Built against `before_rosa` too: Rosa's `X` with another view key.
    rosa_again: Transaction,
    /// Built against `before_rosa` too: another address with Rosa's credential, same month.
    twin: WalletKeys,
    twin_register: Transaction,
    /// The state and the next block once Rosa's registration is committed.
    after_rosa: MemoryLedger,
    after_rosa_block: BlockContext,
    /// Another address with Rosa's credential, proven on 2026-12-01 against `after_rosa`.
    next_month_register: Transaction,
    next_month_block: BlockContext,
    pedro: WalletKeys,
    /// Pedro's credential with its witness under the root before his revocation.
    pedro_old_credential: KycCredential<'static>,
    /// The height of the root update that revoked him.
    revoked_at: u64,
    /// What the network said when asked for Pedro's credential after the revocation.
    revoked_credential: LedgerError,
    /// Pedro's transfer to Rosa, proven after his revocation against the superseded root.
    before_stale: MemoryLedger,
    stale_block: BlockContext,
    stale: Transaction,
}

fn build_kyc_world() -> KycWorld {
    let seed = SEED ^ 0x6b79;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let rng = &mut rng;
    let mut net = DemoNetwork::new(seed).expect("the demo network");
    let keys = net.keys;

    // Rosa, by hand: the issuer enrols her credential and publishes the root; her registration,
    // and three that collide with it, are built but only hers is committed.
    let rosa = wallet(0x52);
    let credential = Credential::new(
        IdentitySecret::random(rng),
        CredentialAttributes {
            jurisdiction: 0,
            expiry_day: net.block().epoch_day() + CREDENTIAL_DAYS,
            tier: 1,
            issuer_id: KYC_ISSUER_ID,
        },
    )
    .expect("a credential");
    let leaf = net.kyc.enrol_credential(&credential).expect("enrolled");
    net.publish_kyc_root().expect("root published");
    let rosa_credential = KycCredential {
        proving_key: &keys.proving,
        credential,
        membership: net.kyc.witness(leaf).expect("a witness"),
    };
    let before_rosa = net.state.clone();
    let rosa_block = net.block();
    let register =
        |net: &DemoNetwork, block: BlockContext, who: &WalletKeys, rng: &mut ChaCha20Rng| {
            Builder::new(&net.genesis, &net.state, block)
                .register_address(
                    &ViewWallet::of(who),
                    &RegistrationRequest {
                        kyc: rosa_credential.clone(),
                    },
                    rng,
                )
                .expect("a registration")
                .sign(&who.spend)
        };
    let rosa_register = register(&net, rosa_block, &rosa, rng);
    let other_view = WalletKeys {
        spend: rosa.spend.clone(),
        view: wallet(0x56).view,
    };
    let rosa_again = register(&net, rosa_block, &other_view, rng);
    let twin = wallet(0x54);
    let twin_register = register(&net, rosa_block, &twin, rng);
    net.submit(&rosa_register).expect("Rosa registers");
    let after_rosa = net.state.clone();
    let after_rosa_block = net.block();
    // 2026-11-25 is day 20_782; 2026-12-01 is day 20_788.
    let next_month_block = BlockContext {
        height: after_rosa_block.height,
        time: 20_788 * 86_400 + 12 * 3_600,
    };
    let next_month_register = register(&net, next_month_block, &wallet(0x33), rng);

    // Pedro: onboarded, paid, revoked.
    let pedro = net.customer_in([0x50; 32], "PH").expect("Pedro onboards");
    let mint = net
        .builder()
        .mint("HKD", net.next_mint_nonce("HKD"), &[1_000_000], rng)
        .expect("mint")
        .tx
        .sign(&net.inst.hkd_issuer);
    net.submit(&mint).expect("mint");
    let pay = [Payment {
        to: pedro.address(),
        value: 50_000,
    }];
    let funding = net
        .transfer(&net.inst.hkd_treasury, "HKD", &pay, 0, None, rng)
        .expect("treasury → Pedro");
    net.submit(&funding).expect("treasury → Pedro");
    let pedro_old_credential = net.kyc_credential(&pedro).expect("Pedro's credential");
    net.revoke(&pedro).expect("revoked");
    let revoked_at = net.height();
    let revoked_credential = net
        .kyc_credential(&pedro)
        .expect_err("a revoked credential has no witness");
    let before_stale = net.state.clone();
    let stale_block = net.block();
    let inputs = net.owned(&pedro, "HKD");
    let pay = [Payment {
        to: rosa.address(),
        value: 1_000,
    }];
    let stale = net
        .builder()
        .transfer(
            &ViewWallet::of(&pedro),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: inputs.to_vec(),
                payments: pay.to_vec(),
                fee: 10,
                remittance: None,
                kyc: Some(pedro_old_credential.clone()),
            },
            rng,
        )
        .expect("a proof against the superseded root, within its window")
        .tx
        .sign(&pedro.spend);

    KycWorld {
        net,
        rosa,
        rosa_credential,
        before_rosa,
        rosa_block,
        rosa_register,
        rosa_again,
        twin,
        twin_register,
        after_rosa,
        after_rosa_block,
        next_month_register,
        next_month_block,
        pedro,
        pedro_old_credential,
        revoked_at,
        revoked_credential,
        before_stale,
        stale_block,
        stale,
    }
}

fn kyc_world() -> &'static KycWorld {
    static WORLD: OnceLock<KycWorld> = OnceLock::new();
    WORLD.get_or_init(build_kyc_world)
}

impl KycWorld {
    fn verify_at(
        &self,
        tx: &Transaction,
        state: &MemoryLedger,
        block: BlockContext,
    ) -> Result<KycStatus, VerifyError> {
        verify_transaction(tx, &context(&self.net, state, block)).map(|v| v.kyc())
    }
}

fn kyc_rule(err: Result<KycStatus, VerifyError>, what: &str) -> String {
    match err {
        Err(VerifyError::Statement(StatementError::Kyc(m))) => m,
        other => panic!("{what}: expected a KYC statement error, got {other:?}"),
    }
}

#[test]
fn a_revoked_customer_loses_the_current_root_and_the_old_one_after_its_window() {
    let w = kyc_world();
    let window = w.net.genesis.root_window;
    // Later blocks are simulated as the network makes its own.
    assert_eq!(block_at(w.net.height() + 1), w.net.block());
    // No witness under the current root: the issuer's registry refuses the revoked leaf.
    assert!(
        matches!(&w.revoked_credential, LedgerError::Kyc(m) if m.contains("revoked")),
        "{}",
        w.revoked_credential
    );
    let current = FieldBytes(fr_to_bytes(&w.net.kyc.root()));
    assert_eq!(
        w.net
            .state
            .kyc_root_head(KYC_ISSUER_ID)
            .unwrap()
            .map(|h| h.root),
        Some(current)
    );
    // The old witness proves the root before the revocation, superseded at `revoked_at`.
    let old = &w.pedro_old_credential;
    let old_root = FieldBytes(fr_to_bytes(&old.membership.root(old.credential.leaf())));
    assert_ne!(old_root, current);
    let TxBody::Transfer(t) = w.stale.body() else {
        panic!("not a transfer");
    };
    assert_eq!(t.kyc.as_ref().map(|k| k.root), Some(old_root));
    assert_eq!(
        w.before_stale.kyc_root(KYC_ISSUER_ID, &old_root).unwrap(),
        Some(RootStanding::SupersededAt(w.revoked_at))
    );
    // Accepted while the old root is in its window (counted from its supersession) …
    assert!(w.stale_block.height > w.revoked_at);
    for height in [w.stale_block.height, w.revoked_at + window] {
        assert_eq!(
            w.verify_at(&w.stale, &w.before_stale, block_at(height)),
            Ok(KycStatus::Verified),
            "height {height}"
        );
    }
    // … and refused one block after it.
    let late = block_at(w.revoked_at + window + 1);
    let m = kyc_rule(
        w.verify_at(&w.stale, &w.before_stale, late),
        "after the window",
    );
    assert!(m.contains("superseded"), "{m}");
    // The builder refuses it then too, before proving.
    let inputs = w.net.owned(&w.pedro, "HKD");
    let pay = [Payment {
        to: w.rosa.address(),
        value: 1_000,
    }];
    let err = Builder::new(&w.net.genesis, &w.before_stale, late)
        .transfer(
            &ViewWallet::of(&w.pedro),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: inputs.to_vec(),
                payments: pay.to_vec(),
                fee: 10,
                remittance: None,
                kyc: Some(old.clone()),
            },
            &mut ChaCha20Rng::seed_from_u64(SEED),
        )
        .expect_err("a proof against an expired root");
    assert!(
        matches!(&err, ProveError::Statement(StatementError::Kyc(m)) if m.contains("superseded")),
        "{err}"
    );
}

#[test]
fn an_address_registers_once() {
    let w = kyc_world();
    let rosa = w.rosa.address();
    assert_eq!(
        w.verify_at(&w.rosa_register, &w.before_rosa, w.rosa_block),
        Ok(KycStatus::Verified)
    );
    assert_eq!(
        w.verify_at(&w.rosa_again, &w.before_rosa, w.rosa_block),
        Ok(KycStatus::Verified)
    );
    assert!(w.after_rosa.is_registered(&rosa).unwrap());
    // Once Rosa is registered: her registration again, and a registration of her X with
    // another view key.
    let already = Err(VerifyError::Statement(StatementError::AlreadyRegistered(
        rosa.encode(),
    )));
    assert_eq!(
        w.verify_at(&w.rosa_register, &w.after_rosa, w.after_rosa_block),
        already
    );
    let TxBody::RegisterAddress(again) = w.rosa_again.body() else {
        panic!("not a registration");
    };
    assert_eq!(again.address.spend_key(), rosa.spend_key());
    assert_ne!(again.address, rosa);
    assert_eq!(
        w.verify_at(&w.rosa_again, &w.after_rosa, w.after_rosa_block),
        Err(VerifyError::Statement(StatementError::AlreadyRegistered(
            again.address.encode()
        )))
    );
    assert!(!w.after_rosa.is_registered(&again.address).unwrap());
    // The builder refuses them before proving, and so an institution's address.
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    let b = Builder::new(&w.net.genesis, &w.after_rosa, w.after_rosa_block);
    let other_view = WalletKeys {
        spend: w.rosa.spend.clone(),
        view: wallet(0x56).view,
    };
    for (who, keys) in [
        ("Rosa", &w.rosa),
        ("Rosa's X with another view key", &other_view),
        ("the HKD treasury", &w.net.inst.hkd_treasury),
    ] {
        match b.register_address(
            &ViewWallet::of(keys),
            &RegistrationRequest {
                kyc: w.rosa_credential.clone(),
            },
            &mut rng,
        ) {
            Err(ProveError::Statement(StatementError::AlreadyRegistered(a))) => {
                assert_eq!(a, keys.address().encode(), "{who}")
            }
            other => panic!("{who}: {other:?}"),
        }
    }
}

#[test]
fn a_registration_nullifier_is_used_once_a_month() {
    let w = kyc_world();
    let kyc = |tx: &Transaction| tx.body().kyc().expect("a KYC section").clone();
    let (rosa, twin, next) = (
        kyc(&w.rosa_register),
        kyc(&w.twin_register),
        kyc(&w.next_month_register),
    );
    // One identity, one month: one nullifier, whatever the address (the links differ).
    assert_eq!(twin.nullifier, rosa.nullifier);
    assert_ne!(twin.link, rosa.link);
    assert_eq!(
        w.verify_at(&w.twin_register, &w.before_rosa, w.rosa_block),
        Ok(KycStatus::Verified),
        "the twin alone"
    );
    assert!(w
        .after_rosa
        .registration_nullifier_used(&rosa.nullifier)
        .unwrap());
    let m = kyc_rule(
        w.verify_at(&w.twin_register, &w.after_rosa, w.after_rosa_block),
        "the twin after Rosa",
    );
    assert!(
        m.contains("registration nullifier") && m.contains("already used"),
        "{m}"
    );
    assert!(!w.after_rosa.is_registered(&w.twin.address()).unwrap());
    // The next month's scope gives a fresh nullifier.
    assert_eq!(year_month(w.rosa_block.epoch_day()), (2026, 11));
    assert_eq!(year_month(w.next_month_block.epoch_day()), (2026, 12));
    assert_ne!(next.nullifier, rosa.nullifier);
    assert_eq!(
        w.verify_at(&w.next_month_register, &w.after_rosa, w.next_month_block),
        Ok(KycStatus::Verified)
    );
}

/// Re-proves a registration's view-key possession for its current body, as its owner can.
fn reprove_registration(
    tx: &mut corridor_core::tx::UnsignedTransaction,
    keys: &WalletKeys,
    w: &KycWorld,
    state: &MemoryLedger,
    block: BlockContext,
) {
    let statement = resolve(tx, &w.net.genesis, state, &block).expect("resolves");
    assert_eq!(statement.relations.len(), 1);
    let proof = corridor_prover::sigma::prove(
        &statement.relations[0],
        &[*keys.view.secret()],
        0,
        &mut statement.transcript(),
        &mut ChaCha20Rng::seed_from_u64(SEED),
    )
    .expect("a possession proof");
    let TxBody::RegisterAddress(r) = &mut tx.body else {
        panic!("not a registration");
    };
    r.view_key_possession = proof;
}

#[test]
fn a_registration_carrying_another_registrations_kyc_section_is_rejected() {
    let w = kyc_world();
    let rosa_kyc = w.rosa_register.body().kyc().expect("a KYC section").clone();
    // The twin's registration with Rosa's whole KYC section (her link, nullifier, escrow and
    // proof), its possession proof re-made and re-signed by the twin, so that every check but
    // the Groth16 one passes: the proof was bound to Rosa's X and digest.
    let mut unsigned = w.twin_register.clone().into_unsigned();
    *unsigned.body.kyc_mut().expect("a KYC section") = rosa_kyc.clone();
    reprove_registration(&mut unsigned, &w.twin, w, &w.before_rosa, w.rosa_block);
    let forged = unsigned.sign(&w.twin.spend);
    assert_eq!(
        w.verify_at(&forged, &w.before_rosa, w.rosa_block),
        Err(VerifyError::Proof(ProofError::Kyc))
    );
    // Only Rosa's proof bytes: the twin's section otherwise.
    let mut unsigned = w.twin_register.clone().into_unsigned();
    unsigned.body.kyc_mut().expect("a KYC section").proof = rosa_kyc.proof;
    let forged = unsigned.sign(&w.twin.spend);
    assert_eq!(
        w.verify_at(&forged, &w.before_rosa, w.rosa_block),
        Err(VerifyError::Proof(ProofError::Kyc))
    );
}
