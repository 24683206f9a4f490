//! The fixture chain of the soundness suite: one valid, signed transaction of every kind, each
//! kept with the state and block it was verified against, its signer's key and the secrets a
//! (cheating) prover needs to prove it again — for a customer, the KYC credential too.
//!
//! Customers are onboarded for real ([`DemoNetwork::customer_in`]: credential enrolled,
//! KycRootUpdate, RegisterAddress with a Groth16 proof): Maria, Ana (HK) and Juan (PH). Then:
//! Mint HKD (two notes) → Transfer treasury → Maria (one of the two mint notes, 3 outputs with
//! limit) → Transfer Maria → Ana (2 in, 2 out, fee) → Mint PHP → Transfer PHP treasury → PH float
//! → PublishQuote → remittance Transfer Maria → PH wallet for Juan → Payout → Burn (Juan, with
//! change) → KycRootUpdate (Rosa enrolled) → RegisterAddress (Rosa).
//!
//! Every customer transaction costs a Groth16 proof (7 in all, the registrations included), so
//! the chain is built once per test binary and keeps to one transaction per kind and role.
use super::forge::Forged;
use corridor::network::{DemoNetwork, KycKeys, CREDENTIAL_DAYS, KYC_ISSUER_ID};
use corridor_circuits::{fr_to_bytes, Credential, CredentialAttributes, IdentitySecret};
use corridor_core::elgamal::AmountOpening;
use corridor_core::genesis::Genesis;
use corridor_core::keys::{SpendKey, ViewKey, WalletKeys, WalletSeed};
use corridor_core::state::{BlockContext, PublicState};
use corridor_core::tx::{FieldBytes, NoteId, PublishQuote, Transaction};
use corridor_node::MemoryLedger;
use corridor_prover::builder::{OwnedNote, Payment, RemittanceRequest};
use corridor_prover::KycCredential;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::{Arc, OnceLock};

/// Seed of the network's keys and of every proof's randomness.
pub const SEED: u64 = 0x500d_2e55;
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

fn secrets_of(
    inputs: &[(&WalletKeys, &OwnedNote)],
    outputs: Vec<AmountOpening>,
    kyc: Option<KycCredential<'static>>,
) -> Secrets {
    Secrets {
        inputs: inputs
            .iter()
            .map(|(k, n)| (k.view.clone(), n.value))
            .collect(),
        outputs,
        view: None,
        kyc: kyc.map(Arc::new),
    }
}

struct Chain {
    net: DemoNetwork,
    rng: ChaCha20Rng,
    cases: Vec<Case>,
    roots: Vec<FieldBytes>,
}

impl Chain {
    /// Submits `tx` (built on the current state, for the next block) and records it as a case
    /// when `name` is set.
    fn commit(
        &mut self,
        name: Option<&'static str>,
        tx: Transaction,
        signer: &SpendKey,
        s: Secrets,
    ) {
        let before = self.net.state.clone();
        let block = self.net.block();
        if let Err(e) = self.net.submit(&tx) {
            panic!("fixture step {name:?} ({}) refused: {e}", tx.body().kind());
        }
        self.note_root();
        if let Some(name) = name {
            self.cases
                .push(Case::new(name, tx, before, block, signer.clone(), s));
        }
    }

    /// Records the issuer's root if it is new.
    fn note_root(&mut self) {
        if let Some(head) = self.net.state.kyc_root_head(KYC_ISSUER_ID).unwrap() {
            if self.roots.last() != Some(&head.root) {
                self.roots.push(head.root);
            }
        }
    }

    /// A customer onboarded for real in `jurisdiction`.
    fn customer(&mut self, seed: u8, jurisdiction: &str) -> WalletKeys {
        let keys = self
            .net
            .customer_in([seed; 32], jurisdiction)
            .unwrap_or_else(|e| panic!("onboarding customer {seed:#04x}: {e}"));
        self.note_root();
        keys
    }

    /// `keys`' credential with its path under the current root.
    fn credential(&self, keys: &WalletKeys) -> KycCredential<'static> {
        self.net.kyc_credential(keys).expect("a customer")
    }
}

fn build() -> Fixture {
    let net = DemoNetwork::new(SEED).expect("the demo network");
    let mut c = Chain {
        net,
        rng: ChaCha20Rng::seed_from_u64(SEED),
        cases: Vec::new(),
        roots: Vec::new(),
    };
    let maria = c.customer(0x4d, "HK");
    let ana = c.customer(0x41, "HK");
    let juan = c.customer(0x4a, "PH");
    let rosa = wallet(0x52);
    let outsider = wallet(0x4f);
    let keys: &'static KycKeys = c.net.keys;
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
    let built = c
        .net
        .builder()
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
    let pay = Payment::each(maria.address(), &MARIA_NOTES);
    let built = c
        .net
        .builder()
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
    let s = secrets_of(&[(&hkd_treasury, &note)], built.openings, None);
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
    let kyc = c.credential(&maria);
    let built = c
        .net
        .builder()
        .transfer(
            &maria,
            "HKD",
            &notes,
            &pay,
            ANA_FEE,
            None,
            Some(&kyc),
            &mut c.rng,
        )
        .expect("customer transfer");
    let s = secrets_of(
        &[(&maria, &notes[0]), (&maria, &notes[1])],
        built.openings,
        Some(kyc),
    );
    c.commit(
        Some("transfer-customer"),
        built.tx.sign(&maria.spend),
        &maria.spend,
        s,
    );

    // Mint PHP, fill the PH float.
    let built = c
        .net
        .builder()
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
    let built = c
        .net
        .builder()
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
    let tx = c
        .net
        .builder()
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
    let kyc = c.credential(&maria);
    let built = c
        .net
        .builder()
        .transfer(
            &maria,
            "HKD",
            &notes,
            &[],
            REMIT_FEE,
            Some(&req),
            Some(&kyc),
            &mut c.rng,
        )
        .expect("remittance");
    let pairs: Vec<(&WalletKeys, &OwnedNote)> = notes.iter().map(|n| (&maria, n)).collect();
    let s = secrets_of(&pairs, built.openings, Some(kyc));
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
        .unwrap()
        .expect("remittance note");
    let remit_note = OwnedNote::decrypt(remit_note, &ph_settlement.view).expect("decrypts");
    let floats = c.net.owned(&ph_float, "PHP");
    let built = c
        .net
        .builder()
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
    let s = secrets_of(&pairs, built.openings, None);
    c.commit(Some("payout"), built.tx.sign(&ph_operator), &ph_operator, s);

    // Juan burns, keeping change.
    let notes = c.net.owned(&juan, "PHP");
    let kyc = c.credential(&juan);
    let built = c
        .net
        .builder()
        .burn(
            &juan,
            "PHP",
            &notes,
            JUAN_BURN,
            JUAN_BURN_FEE,
            Some(&kyc),
            &mut c.rng,
        )
        .expect("burn");
    let pairs: Vec<(&WalletKeys, &OwnedNote)> = notes.iter().map(|n| (&juan, n)).collect();
    let s = secrets_of(&pairs, built.openings, Some(kyc));
    c.commit(Some("burn"), built.tx.sign(&juan.spend), &juan.spend, s);

    // The KYC issuer enrols Rosa and publishes its new root.
    let credential = Credential::new(
        IdentitySecret::random(&mut c.rng),
        CredentialAttributes {
            jurisdiction: 0,
            expiry_day: c.net.block().epoch_day() + CREDENTIAL_DAYS,
            tier: 1,
            issuer_id: KYC_ISSUER_ID,
        },
    )
    .expect("a credential");
    let leaf = c.net.kyc.enrol_credential(&credential).expect("enrols");
    let head = c
        .net
        .state
        .kyc_root_head(KYC_ISSUER_ID)
        .unwrap()
        .expect("the issuer published roots");
    let tx = c
        .net
        .builder()
        .kyc_root_update(
            KYC_ISSUER_ID,
            head.seq + 1,
            head.root,
            FieldBytes(fr_to_bytes(&c.net.kyc.root())),
        )
        .expect("root update");
    c.commit(
        Some("kyc-root-update"),
        tx.sign(&kyc_issuer),
        &kyc_issuer,
        Secrets::default(),
    );

    // Rosa registers.
    let kyc = KycCredential {
        proving_key: &keys.proving,
        credential,
        membership: c.net.kyc.witness(leaf).expect("Rosa's path"),
    };
    let tx = c
        .net
        .builder()
        .register_address(&rosa, &kyc, &mut c.rng)
        .expect("registration");
    let s = Secrets {
        view: Some(rosa.view.clone()),
        kyc: Some(Arc::new(kyc)),
        ..Secrets::default()
    };
    c.commit(
        Some("register-address"),
        tx.sign(&rosa.spend),
        &rosa.spend,
        s,
    );

    Fixture {
        genesis: c.net.genesis.clone(),
        keys,
        cases: c.cases,
        last_state: c.net.state.clone(),
        last_block: c.net.block(),
        roots: c.roots,
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
