//! The fixture chain of the soundness suite: one valid, signed transaction of every kind, each
//! kept with the state it was verified against, its signer's key and the secrets a (cheating)
//! prover needs to prove it again.
//!
//! Mint HKD (two notes) → Transfer treasury → Maria (one of the two mint notes, 3 outputs with
//! limit) → Transfer Maria → Ana (2 in, 2 out, fee) → Mint PHP → Transfer PHP treasury → PH float
//! → PublishQuote → remittance Transfer Maria → PH wallet for Juan → Payout → Burn (with change)
//! → RegisterAddress (Rosa) → KycRootUpdate.
use corridor::network::DemoNetwork;
use corridor_core::elgamal::AmountOpening;
use corridor_core::genesis::Genesis;
use corridor_core::keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};
use corridor_core::state::{MemoryState, PublicState};
use corridor_core::tx::{
    FieldBytes, KycProof, NoteId, PublishQuote, Transaction, GROTH16_PROOF_LEN,
};
use corridor_prover::builder::{Builder, OwnedNote, Payment, RemittanceRequest};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

/// Seed of the network's keys and of every proof's randomness.
pub const SEED: u64 = 0x500d_2e55;
/// The UTC day customers' KYC sections claim.
pub const TODAY: u32 = 20_000;
/// The two HKD mint notes.
pub const HKD_MINT: [u64; 2] = [60_000_000, 40_000_000];
/// Maria's two notes from the treasury.
pub const MARIA_NOTES: [u64; 2] = [300_000, 200_000];
/// Maria pays Ana.
pub const ANA_PAYMENT: u64 = 123_456;
/// Its fee.
pub const ANA_FEE: u64 = 500;
/// PHP minted.
pub const PHP_MINT: u64 = 50_000_000;
/// PHP moved to the PH operator's float.
pub const PHP_FLOAT: u64 = 10_000_000;
/// The quote: 1 HKD = 7.2345 PHP.
pub const QUOTE_NUM: u32 = 72_345;
/// Its denominator.
pub const QUOTE_DEN: u32 = 10_000;
/// Its id.
pub const QUOTE_ID: u64 = 7;
/// The quote's operator.
pub const OPERATOR: &str = "ph-wallet";
/// Maria remits (HKD cents).
pub const REMIT: u64 = 100_037;
/// Its fee.
pub const REMIT_FEE: u64 = 300;
/// The beneficiary commitment's salt.
pub const SALT: [u8; 32] = [0x5a; 32];
/// Juan cashes out.
pub const JUAN_BURN: u64 = 500_000;
/// Its fee.
pub const JUAN_BURN_FEE: u64 = 100;

/// What a prover knows about a transaction beyond its public fields.
#[derive(Clone, Default)]
pub struct Secrets {
    /// Per input, in statement order: the owner's view key and the note's value.
    pub inputs: Vec<(ViewKey, u64)>,
    /// Per output, in output order: the sender's opening.
    pub outputs: Vec<AmountOpening>,
    /// RegisterAddress: the new address's view key.
    pub view: Option<ViewKey>,
}

/// One valid, signed transaction.
pub struct Case {
    /// Its name in messages.
    pub name: &'static str,
    /// The transaction as the ledger accepted it.
    pub tx: Transaction,
    /// The state it was verified against.
    pub state: MemoryState,
    /// Its signer's key.
    pub signer: SpendKey,
    /// The prover's secrets.
    pub secrets: Secrets,
}

/// The chain and every key of it.
pub struct Fixture {
    /// Genesis.
    pub genesis: Genesis,
    /// The cases, in chain order.
    pub cases: Vec<Case>,
    /// The state after the last step.
    pub last_state: MemoryState,
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

/// Keys from a seed (a customer not registered by `DemoNetwork::customer`).
pub fn wallet(seed: u8) -> WalletKeys {
    WalletKeys::from_seed(&WalletSeed::from_bytes([seed; 32])).expect("seed derives keys")
}

/// The customer KYC section: public values and no Groth16 proof (the KYC prover lands in the
/// next issue; the verifier reports `KycStatus::NotVerified`).
pub fn kyc_section() -> KycProof {
    KycProof {
        issuer: corridor::network::KYC_ISSUER_ID,
        root: FieldBytes([3; 32]),
        epoch_day: TODAY,
        nullifier: FieldBytes([4; 32]),
        escrow_r: [5; 32],
        escrow_c: FieldBytes([6; 32]),
        link: None,
        proof: [0; GROTH16_PROOF_LEN],
    }
}

fn secrets_of(inputs: &[(&WalletKeys, &OwnedNote)], outputs: Vec<AmountOpening>) -> Secrets {
    Secrets {
        inputs: inputs
            .iter()
            .map(|(k, n)| (k.view.clone(), n.value))
            .collect(),
        outputs,
        view: None,
    }
}

struct Chain {
    net: DemoNetwork,
    rng: ChaCha20Rng,
    cases: Vec<Case>,
}

impl Chain {
    /// Submits `tx` (built on the current state) and records it as a case when `name` is set.
    fn commit(
        &mut self,
        name: Option<&'static str>,
        tx: Transaction,
        signer: &SpendKey,
        s: Secrets,
    ) {
        let before = self.net.state.clone();
        if let Err(e) = self.net.submit(&tx) {
            panic!("fixture step {name:?} ({}) refused: {e}", tx.body().kind());
        }
        if let Some(name) = name {
            self.cases.push(Case {
                name,
                tx,
                state: before,
                signer: signer.clone(),
                secrets: s,
            });
        }
    }
}

fn build() -> Fixture {
    let net = DemoNetwork::new(SEED);
    let mut c = Chain {
        net,
        rng: ChaCha20Rng::seed_from_u64(SEED),
        cases: Vec::new(),
    };
    let maria = c.net.customer([0x4d; 32]);
    let ana = c.net.customer([0x41; 32]);
    let juan = c.net.customer([0x4a; 32]);
    let rosa = wallet(0x52);
    let outsider = wallet(0x4f);
    let i = &c.net.inst;
    let hkd_treasury = i.hkd_treasury.clone();
    let php_treasury = i.php_treasury.clone();
    let ph_settlement = i.ph_settlement.clone();
    let ph_float = i.ph_float.clone();
    let hkd_issuer = i.hkd_issuer.clone();
    let php_issuer = i.php_issuer.clone();
    let ph_operator = i.ph_operator.clone();
    let hk_operator = i.hk_operator.clone();
    let kyc_issuer = i.kyc_issuer.clone();
    let hkma = i.hkma.clone();

    // Mint HKD: two notes.
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .mint("HKD", 0, &HKD_MINT, &mut c.rng)
        .expect("mint HKD");
    let s = Secrets {
        outputs: built.openings,
        ..Secrets::default()
    };
    c.commit(Some("mint"), built.tx.sign(&hkd_issuer), &hkd_issuer, s);

    // Treasury → Maria, spending only the first mint note.
    let note = c
        .net
        .owned(&hkd_treasury, "HKD")
        .into_iter()
        .find(|n| n.value == HKD_MINT[0])
        .expect("the first mint note");
    let pay: Vec<Payment> = MARIA_NOTES
        .iter()
        .map(|v| Payment {
            to: maria.address(),
            value: *v,
        })
        .collect();
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .transfer(
            &hkd_treasury,
            "HKD",
            std::slice::from_ref(&note),
            &pay,
            0,
            None,
            None,
            &mut c.rng,
        )
        .expect("treasury transfer");
    let s = secrets_of(&[(&hkd_treasury, &note)], built.openings);
    c.commit(
        Some("transfer-treasury"),
        built.tx.sign(&hkd_treasury.spend),
        &hkd_treasury.spend,
        s,
    );

    // Maria → Ana: two inputs, two outputs, fee.
    let notes = c.net.owned(&maria, "HKD");
    assert_eq!(notes.len(), 2);
    let pay = [Payment {
        to: ana.address(),
        value: ANA_PAYMENT,
    }];
    let kyc = Some(kyc_section());
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .transfer(&maria, "HKD", &notes, &pay, ANA_FEE, None, kyc, &mut c.rng)
        .expect("customer transfer");
    let s = secrets_of(&[(&maria, &notes[0]), (&maria, &notes[1])], built.openings);
    c.commit(
        Some("transfer-customer"),
        built.tx.sign(&maria.spend),
        &maria.spend,
        s,
    );

    // Mint PHP, fill the PH float.
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .mint("PHP", 0, &[PHP_MINT], &mut c.rng)
        .expect("mint PHP");
    c.commit(
        None,
        built.tx.sign(&php_issuer),
        &php_issuer,
        Secrets::default(),
    );
    let notes = c.net.owned(&php_treasury, "PHP");
    let pay = [Payment {
        to: ph_float.address(),
        value: PHP_FLOAT,
    }];
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .transfer(
            &php_treasury,
            "PHP",
            &notes,
            &pay,
            0,
            None,
            None,
            &mut c.rng,
        )
        .expect("PHP float");
    c.commit(
        None,
        built.tx.sign(&php_treasury.spend),
        &php_treasury.spend,
        Secrets::default(),
    );

    // PublishQuote.
    let tx = Builder::new(&c.net.genesis, &c.net.state)
        .publish_quote(PublishQuote {
            operator: OPERATOR.into(),
            quote_id: QUOTE_ID,
            asset_from: "HKD".into(),
            asset_to: "PHP".into(),
            num: QUOTE_NUM,
            den: QUOTE_DEN,
            expiry_height: 1_000,
        })
        .expect("quote");
    c.commit(
        Some("publish-quote"),
        tx.sign(&ph_operator),
        &ph_operator,
        Secrets::default(),
    );

    // Remittance Maria → PH wallet for Juan.
    let notes = c.net.owned(&maria, "HKD");
    let req = RemittanceRequest {
        operator: OPERATOR.into(),
        quote_id: QUOTE_ID,
        beneficiary: juan.address(),
        salt: SALT,
        value: REMIT,
    };
    let kyc = Some(kyc_section());
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .transfer(
            &maria,
            "HKD",
            &notes,
            &[],
            REMIT_FEE,
            Some(&req),
            kyc,
            &mut c.rng,
        )
        .expect("remittance");
    let pairs: Vec<(&WalletKeys, &OwnedNote)> = notes.iter().map(|n| (&maria, n)).collect();
    let s = secrets_of(&pairs, built.openings);
    let remit_tx = built.tx.sign(&maria.spend);
    c.commit(
        Some("transfer-remittance"),
        remit_tx.clone(),
        &maria.spend,
        s,
    );

    // Payout to Juan.
    let remit_note = c
        .net
        .state
        .note(&NoteId::derive(&remit_tx.id(), 0))
        .expect("remittance note");
    let remit_note = OwnedNote::decrypt(remit_note, &ph_settlement.view).expect("decrypts");
    let floats = c.net.owned(&ph_float, "PHP");
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .payout(
            OPERATOR,
            &ph_settlement.view,
            &ph_float.view,
            &remit_note,
            &floats,
            juan.address(),
            SALT,
            &mut c.rng,
        )
        .expect("payout");
    let mut pairs = vec![(&ph_settlement, &remit_note)];
    pairs.extend(floats.iter().map(|n| (&ph_float, n)));
    let s = secrets_of(&pairs, built.openings);
    c.commit(Some("payout"), built.tx.sign(&ph_operator), &ph_operator, s);

    // Juan burns, keeping change.
    let notes = c.net.owned(&juan, "PHP");
    let kyc = Some(kyc_section());
    let built = Builder::new(&c.net.genesis, &c.net.state)
        .burn(
            &juan,
            "PHP",
            &notes,
            JUAN_BURN,
            JUAN_BURN_FEE,
            kyc,
            &mut c.rng,
        )
        .expect("burn");
    let pairs: Vec<(&WalletKeys, &OwnedNote)> = notes.iter().map(|n| (&juan, n)).collect();
    let s = secrets_of(&pairs, built.openings);
    c.commit(Some("burn"), built.tx.sign(&juan.spend), &juan.spend, s);

    // Rosa registers.
    let kyc = KycProof {
        link: Some(FieldBytes([7; 32])),
        ..kyc_section()
    };
    let tx = Builder::new(&c.net.genesis, &c.net.state)
        .register_address(&rosa, kyc, &mut c.rng)
        .expect("registration");
    let s = Secrets {
        view: Some(rosa.view.clone()),
        ..Secrets::default()
    };
    c.commit(
        Some("register-address"),
        tx.sign(&rosa.spend),
        &rosa.spend,
        s,
    );

    // The KYC issuer publishes a new root.
    let tx = Builder::new(&c.net.genesis, &c.net.state)
        .kyc_root_update(
            corridor::network::KYC_ISSUER_ID,
            1,
            FieldBytes([0; 32]),
            FieldBytes([9; 32]),
        )
        .expect("root update");
    c.commit(
        Some("kyc-root-update"),
        tx.sign(&kyc_issuer),
        &kyc_issuer,
        Secrets::default(),
    );

    Fixture {
        genesis: c.net.genesis.clone(),
        cases: c.cases,
        last_state: c.net.state.clone(),
        maria,
        ana,
        juan,
        rosa,
        outsider,
        hkd_treasury,
        php_treasury,
        ph_settlement,
        ph_float,
        ph_operator,
        hk_operator,
        kyc_issuer,
        hkma,
    }
}
