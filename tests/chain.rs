//! Must-show 3 (issue #2): the whole remittance chain
//! Mint → Transfer (treasury → customer) → Transfer (customer: 2 inputs, 2 outputs, fee) →
//! PublishQuote → remittance Transfer → Payout (HKD→PHP at num/den, remainder non-zero) → Burn
//! builds and verifies, and every balance comes out exact.
//!
//! The chain is built here with [`DemoNetwork`] and the [`Builder`] (keeping each committed
//! transaction, the state it was verified against and the sender's openings), with the amounts of
//! [`corridor::demo::amounts`]; every expected balance is derived from those inputs. The demo's
//! own [`run_remittance`] is checked against the same derivation.
use corridor::demo::amounts::*;
use corridor::demo::run_remittance;
use corridor::network::{DemoNetwork, LedgerError};
use corridor_core::address::Address;
use corridor_core::disclosure::{Disclosure, DisclosureKind};
use corridor_core::elgamal::{AmountOpening, DecryptionPath, EncryptedAmount, HintContext};
use corridor_core::genesis::Genesis;
use corridor_core::instruction;
use corridor_core::keys::{ViewKey, WalletKeys};
use corridor_core::note::Note;
use corridor_core::state::{MemoryState, PublicState};
use corridor_core::statement::StatementError;
use corridor_core::tx::{NoteId, PublishQuote, Transaction, TxBody};
use corridor_prover::builder::{Builder, OwnedNote, Payment, RemittanceRequest};
use corridor_prover::disclosure::{prove_recipient, prove_sender};
use corridor_prover::ProveError;
use corridor_verifier::disclosure::verify_disclosure;
use corridor_verifier::{verify_transaction, KycStatus, ProofError, VerifyError};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The seed of the network's keys and of every proof's randomness.
const SEED: u64 = 2026;
/// The UTC day customers' KYC sections claim.
const TODAY: u32 = 20_000;
/// The salt blinding Juan in the remittance's beneficiary commitment.
const SALT: [u8; 32] = [0x5a; 32];
/// The quote's operator.
const OPERATOR: &str = "ph-wallet";

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

/// One committed step.
struct Committed {
    name: &'static str,
    tx: Transaction,
    /// The state the ledger verified it against.
    before: MemoryState,
    /// The sender's openings of its outputs, in output order.
    openings: Vec<AmountOpening>,
    kyc: KycStatus,
}

/// The chain after its last step, and what the ledger said to forged payouts on the way.
struct Chain {
    net: DemoNetwork,
    maria: WalletKeys,
    ana: WalletKeys,
    juan: WalletKeys,
    steps: Vec<Committed>,
    /// Payouts whose beneficiary output differs from the committed beneficiary, each submitted
    /// (re-signed by the operator) just before the honest payout.
    forged_payouts: Vec<(&'static str, LedgerError)>,
    /// The builder asked to pay another beneficiary than the committed one.
    builder_other_beneficiary: ProveError,
}

impl Chain {
    fn step(&self, name: &str) -> &Committed {
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

fn ctx(note: &Note) -> HintContext<'_> {
    HintContext {
        asset: &note.asset,
        output_index: note.output_index,
    }
}

/// Submits `tx`, keeping the state it was verified against.
fn commit(
    net: &mut DemoNetwork,
    steps: &mut Vec<Committed>,
    name: &'static str,
    tx: Transaction,
    openings: Vec<AmountOpening>,
) -> Transaction {
    let before = net.state.clone();
    let verified = net
        .submit(&tx)
        .unwrap_or_else(|e| panic!("{name}: the ledger refused it: {e}"));
    steps.push(Committed {
        name,
        tx: tx.clone(),
        before,
        openings,
        kyc: verified.kyc(),
    });
    tx
}

fn build_chain() -> Chain {
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    let mut net = DemoNetwork::new(SEED);
    let maria = net.customer([0x4d; 32]);
    let ana = net.customer([0x41; 32]);
    let juan = net.customer([0x4a; 32]);
    let mut steps = Vec::new();
    let rng = &mut rng;

    // 1. Mint HKD into the treasury.
    let b = Builder::new(&net.genesis, &net.state);
    let built = b
        .mint("HKD", net.next_mint_nonce("HKD"), &[HKD_MINT], rng)
        .expect("mint HKD");
    let tx = built.tx.sign(&net.inst.hkd_issuer);
    commit(&mut net, &mut steps, "mint HKD", tx, built.openings);

    // 2. Treasury → Maria: two notes, change back to the treasury.
    let b = Builder::new(&net.genesis, &net.state);
    let inputs = net.owned(&net.inst.hkd_treasury, "HKD");
    let pay: Vec<Payment> = MARIA_NOTES
        .iter()
        .map(|v| Payment {
            to: maria.address(),
            value: *v,
        })
        .collect();
    let built = b
        .transfer(
            &net.inst.hkd_treasury,
            "HKD",
            &inputs,
            &pay,
            0,
            None,
            None,
            rng,
        )
        .expect("treasury → Maria");
    let tx = built.tx.sign(&net.inst.hkd_treasury.spend);
    commit(&mut net, &mut steps, "treasury → Maria", tx, built.openings);

    // 3. Maria pays Ana from both her notes: two inputs, two outputs (Ana, change), a fee.
    let b = Builder::new(&net.genesis, &net.state);
    let inputs = net.owned(&maria, "HKD");
    let pay = [Payment {
        to: ana.address(),
        value: ANA_PAYMENT,
    }];
    let kyc = Some(net.unproven_kyc_section(TODAY));
    let built = b
        .transfer(&maria, "HKD", &inputs, &pay, ANA_FEE, None, kyc, rng)
        .expect("Maria → Ana");
    let tx = built.tx.sign(&maria.spend);
    commit(&mut net, &mut steps, "Maria → Ana", tx, built.openings);

    // 4. Mint PHP, 5. PHP treasury → the PH operator's float.
    let b = Builder::new(&net.genesis, &net.state);
    let built = b
        .mint("PHP", net.next_mint_nonce("PHP"), &[PHP_MINT], rng)
        .expect("mint PHP");
    let tx = built.tx.sign(&net.inst.php_issuer);
    commit(&mut net, &mut steps, "mint PHP", tx, built.openings);

    let b = Builder::new(&net.genesis, &net.state);
    let inputs = net.owned(&net.inst.php_treasury, "PHP");
    let pay = [Payment {
        to: net.inst.ph_float.address(),
        value: PHP_FLOAT,
    }];
    let built = b
        .transfer(
            &net.inst.php_treasury,
            "PHP",
            &inputs,
            &pay,
            0,
            None,
            None,
            rng,
        )
        .expect("PHP treasury → float");
    let tx = built.tx.sign(&net.inst.php_treasury.spend);
    commit(
        &mut net,
        &mut steps,
        "PHP treasury → float",
        tx,
        built.openings,
    );

    // 6. The PH operator quotes HKD→PHP.
    let b = Builder::new(&net.genesis, &net.state);
    let quote = b
        .publish_quote(PublishQuote {
            operator: OPERATOR.into(),
            quote_id: QUOTE_ID,
            asset_from: "HKD".into(),
            asset_to: "PHP".into(),
            num: QUOTE_NUM,
            den: QUOTE_DEN,
            expiry_height: net.height + 100,
        })
        .expect("publish quote")
        .sign(&net.inst.ph_operator);
    commit(&mut net, &mut steps, "publish quote", quote, Vec::new());

    // 7. Maria remits to the PH operator for Juan.
    let b = Builder::new(&net.genesis, &net.state);
    let inputs = net.owned(&maria, "HKD");
    let req = RemittanceRequest {
        operator: OPERATOR.into(),
        quote_id: QUOTE_ID,
        beneficiary: juan.address(),
        salt: SALT,
        value: REMIT,
    };
    let kyc = Some(net.unproven_kyc_section(TODAY));
    let built = b
        .transfer(&maria, "HKD", &inputs, &[], REMIT_FEE, Some(&req), kyc, rng)
        .expect("remittance");
    let tx = built.tx.sign(&maria.spend);
    let remit_tx = commit(&mut net, &mut steps, "remittance", tx, built.openings);

    // The operator opens the instruction and decrypts the remittance note.
    let TxBody::Transfer(t) = remit_tx.body() else {
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
    let remit_note = net
        .state
        .note(&NoteId::derive(&remit_tx.id(), 0))
        .expect("the remittance note is on the ledger");
    let remit_note =
        OwnedNote::decrypt(remit_note, &net.inst.ph_settlement.view).expect("operator decrypts");
    assert_eq!(remit_note.value, REMIT);

    // 8. Payout to Juan in PHP. First the forgeries: the builder refuses another beneficiary,
    // and the ledger refuses payouts whose output 0 pays someone else than the committed one.
    let b = Builder::new(&net.genesis, &net.state);
    let floats = net.owned(&net.inst.ph_float, "PHP");
    let builder_other_beneficiary = b
        .payout(
            OPERATOR,
            &net.inst.ph_settlement.view,
            &net.inst.ph_float.view,
            &remit_note,
            &floats,
            ana.address(),
            salt,
            rng,
        )
        .expect_err("the builder pays only the committed beneficiary");
    let built = b
        .payout(
            OPERATOR,
            &net.inst.ph_settlement.view,
            &net.inst.ph_float.view,
            &remit_note,
            &floats,
            beneficiary,
            salt,
            rng,
        )
        .expect("payout");
    let mut forged_payouts = Vec::new();
    let forge = |edit: &dyn Fn(&mut corridor_core::tx::Payout)| {
        let mut unsigned = built.tx.clone();
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
    for (name, tx) in [
        ("output 0 pays Ana, beneficiary Juan", to_ana),
        ("output 0 and beneficiary Ana", reopened_to_ana),
    ] {
        let height = net.height;
        let err = net
            .submit(&tx)
            .expect_err("a payout to another beneficiary must be rejected");
        assert_eq!(net.height, height, "a rejected payout changed the ledger");
        forged_payouts.push((name, err));
    }
    let tx = built.tx.sign(&net.inst.ph_operator);
    commit(&mut net, &mut steps, "payout", tx, built.openings);

    // 9. Juan cashes out.
    let b = Builder::new(&net.genesis, &net.state);
    let inputs = net.owned(&juan, "PHP");
    let kyc = Some(net.unproven_kyc_section(TODAY));
    let built = b
        .burn(&juan, "PHP", &inputs, JUAN_BURN, JUAN_BURN_FEE, kyc, rng)
        .expect("burn");
    let tx = built.tx.sign(&juan.spend);
    commit(&mut net, &mut steps, "burn", tx, built.openings);

    Chain {
        net,
        maria,
        ana,
        juan,
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
    assert_eq!(
        names,
        [
            "mint HKD",
            "treasury → Maria",
            "Maria → Ana",
            "mint PHP",
            "PHP treasury → float",
            "publish quote",
            "remittance",
            "payout",
            "burn",
        ]
    );
    assert_eq!(c.net.height, c.steps.len() as u64);
    let customers = [c.maria.address(), c.ana.address(), c.juan.address()];
    for s in &c.steps {
        // The canonical encoding decodes to the same transaction, and that verifies against the
        // state the ledger saw.
        let bytes = s.tx.encode();
        let decoded = Transaction::decode(&bytes)
            .unwrap_or_else(|e| panic!("{}: its own encoding does not decode: {e}", s.name));
        assert_eq!(decoded, s.tx, "{}", s.name);
        let verified = verify_transaction(&decoded, &c.net.genesis, &s.before)
            .unwrap_or_else(|e| panic!("{}: does not verify: {e}", s.name));
        assert_eq!(verified.kyc(), s.kyc, "{}", s.name);
        // Customers' steps carry a KYC section the verifier reports as not yet verified;
        // institutions' steps need none.
        let customer = verified
            .statement()
            .signer_address
            .is_some_and(|a| customers.contains(&a));
        let expected_kyc = if customer {
            KycStatus::NotVerified
        } else {
            KycStatus::NotRequired
        };
        assert_eq!(s.kyc, expected_kyc, "{}", s.name);
        // Outputs = what the sender kept openings for.
        assert_eq!(s.tx.body().outputs().len(), s.openings.len(), "{}", s.name);
    }

    // The shapes the must-show names.
    let TxBody::Transfer(t) = c.step("Maria → Ana").tx.body() else {
        panic!("Maria → Ana is not a transfer");
    };
    assert_eq!((t.inputs.len(), t.outputs.len(), t.fee), (2, 2, ANA_FEE));
    assert!(t.kyc.is_some() && t.limit_w0.is_some() && t.remittance.is_none());
    let TxBody::Transfer(t) = c.step("remittance").tx.body() else {
        panic!("the remittance is not a transfer");
    };
    let rem = t.remittance.as_ref().expect("remittance fields");
    assert_eq!((rem.operator.as_str(), rem.quote_id), (OPERATOR, QUOTE_ID));
    assert_eq!(
        rem.beneficiary_commitment,
        instruction::beneficiary_commitment(&c.juan.address(), &SALT)
    );
    let TxBody::Payout(p) = c.step("payout").tx.body() else {
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
        .expect("the quote is on the ledger");
    assert_eq!((quote.num, quote.den), (QUOTE_NUM, QUOTE_DEN));
    let TxBody::Burn(b) = c.step("burn").tx.body() else {
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
    let payout = c.step("payout");
    assert_eq!(payout.openings[0].value, e.payout);
    assert_eq!(payout.openings[1].value, REMIT, "the A value returns");
    assert_eq!(payout.openings[2].value, e.ph_float, "float change");
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
    assert_eq!(report.steps.len(), 9);
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
    for s in &report.steps {
        assert!(s.bytes > 0, "{}", s.name);
    }
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
            TxBody::Payout(_) | TxBody::PublishQuote(_) => {}
            other => panic!("unexpected kind {}", other.kind()),
        }
    }
    assert_eq!(minted["HKD"], u128::from(HKD_MINT));
    assert_eq!(minted["PHP"], u128::from(PHP_MINT));
    assert_eq!(fees["HKD"], u128::from(e.hkd_fees), "HKD fee pool");
    assert_eq!(fees["PHP"], u128::from(e.php_fees), "PHP fee pool");
    for asset in ["HKD", "PHP"] {
        assert_eq!(
            c.net.state.fee_pool(asset),
            fees[asset],
            "{asset}: ledger fee pool"
        );
    }
    assert_eq!(burned.get("HKD"), None);
    assert_eq!(burned["PHP"], u128::from(e.php_burned));

    let mut held: BTreeMap<String, u128> = BTreeMap::new();
    for note in c.notes() {
        if c.net.state.is_spent(&note.id) {
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
    assert_eq!(notes.len(), 15);
    // Every opening the senders kept agrees with the owner's decryption.
    let openings: Vec<&AmountOpening> = c.steps.iter().flat_map(|s| &s.openings).collect();
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
    let s = c.step("remittance");
    let id = NoteId::derive(&s.tx.id(), 0);
    (
        c.net.state.note(&id).expect("remittance note"),
        &s.openings[0],
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
        .note(&NoteId::derive(&c.step("remittance").tx.id(), 1))
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
    let mut ledger = DemoNetwork::new(SEED);
    ledger.state = c.net.state.clone();
    ledger.height = c.net.height;
    let genesis: &Genesis = &ledger.genesis;
    assert_eq!(genesis, &c.net.genesis);
    for s in &c.steps {
        match ledger.submit(&s.tx) {
            Err(LedgerError::Rule(m)) => assert!(
                m.contains("already committed") && m.contains(&s.tx.id().to_string()),
                "{}: {m}",
                s.name
            ),
            Err(other) => panic!("{}: replay rejected for the wrong reason: {other}", s.name),
            Ok(_) => panic!("{}: a replay was accepted", s.name),
        }
    }
    assert_eq!(ledger.height, c.net.height);
    let e = expected();
    assert_eq!(ledger.balance(&c.maria, "HKD"), e.maria.into());
    assert_eq!(ledger.balance(&c.juan, "PHP"), e.juan.into());
}
