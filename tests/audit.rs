//! `corridor audit` against `corridor node run` after the demo's remittance chain, over real gRPC
//! on 127.0.0.1: what each regulator can decrypt (the HKMA audits HKD only, the BSP HKD and
//! PHP), the escrows opened to Maria's identity commitment, disclosures that verify for the
//! true amount only, a lying hint flagged, the payment threshold, CSV and JSON agreeing, and the
//! `corridor audit scan` command.
mod support;
use support::{chain, submit_all, NodeProcess};

use corridor::audit::{
    disclose_owned_note, scan, AuditError, AuditReport, Auditor, DisclosureDocument, EntryItem,
    FlagKind, HintCheck, NoteReading, OutputContext, ScanRange, TxPlace, ValueSource,
};
use corridor::keyfile::{read_escrow_key, read_view_key};
use corridor::scenario::{amounts, StepName};
use corridor_circuits::fr_to_bytes;
use corridor_core::elgamal::{encrypt_chunks, HintContext};
use corridor_core::note::Note;
use corridor_core::state::PublicState;
use corridor_core::tx::{NoteId, TxBody, TxId};
use corridor_prover::service::{connect, NodeClient, RemoteState};
use corridor_verifier::ProofError;
use curve25519_dalek::scalar::Scalar;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Command, Output};
use tokio::runtime::Runtime;

/// A node process with the whole chain committed, and a client of its API.
struct Loaded {
    rt: Runtime,
    client: NodeClient,
    uri: String,
    // Last: dropping it kills the process.
    _node: NodeProcess,
}

fn loaded(name: &str) -> Loaded {
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, name);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut node_client = rt.block_on(node.client());
    rt.block_on(submit_all(&mut node_client, chain.txs()));
    let uri = format!("http://{}", node.grpc);
    let client = rt.block_on(connect(&uri)).unwrap();
    Loaded {
        rt,
        client,
        uri,
        _node: node,
    }
}

/// Scans the whole chain as the holder of `view`, with or without the escrow key.
fn audit(
    l: &Loaded,
    view: &corridor_core::ViewKey,
    escrow: bool,
    thresholds: BTreeMap<String, u64>,
) -> AuditReport {
    let net = &chain().report.network;
    let escrow = escrow.then_some(&net.inst.escrow);
    let auditor = Auditor::new(&net.genesis, view, escrow, thresholds).unwrap();
    let mut calls = Vec::new();
    let report = scan(
        &l.client,
        l.rt.handle(),
        &auditor,
        ScanRange::default(),
        &mut |done, total| calls.push((done, total)),
    )
    .unwrap();
    // Progress: from 0 to every block of the chain, one call per block.
    let blocks = chain().txs().len() as u64;
    assert_eq!(calls.first(), Some(&(0, blocks)));
    assert_eq!(calls.last(), Some(&(blocks, blocks)));
    assert_eq!(calls.len() as u64, blocks + 1);
    assert_eq!(report.timing.blocks, blocks);
    assert_eq!(report.timing.transactions, blocks);
    report
}

/// What the chain put in each output: (tx id, output index) → (asset, value), from the openings
/// the senders kept.
fn sent() -> HashMap<(String, u32), (String, u64)> {
    let report = &chain().report;
    let mut out = HashMap::new();
    for step in &report.steps {
        let notes = step.tx.new_notes();
        assert_eq!(notes.len(), step.secrets.outputs.len(), "{:?}", step.name);
        for (i, opening) in step.secrets.outputs.iter().enumerate() {
            let note = report.network.state.note(&notes[i].0).unwrap().unwrap();
            out.insert(
                (step.tx.id().to_string(), i as u32),
                (note.asset, opening.value),
            );
        }
    }
    out
}

fn step_tx(name: StepName) -> TxId {
    chain()
        .report
        .steps
        .iter()
        .find(|s| s.name == name)
        .unwrap()
        .tx
        .id()
}

/// The output entries of `report`, keyed like [`sent`].
fn outputs(report: &AuditReport) -> HashMap<(String, u32), (String, Option<u64>)> {
    report
        .entries
        .iter()
        .filter(|e| e.item == EntryItem::Output)
        .map(|e| {
            (
                (e.tx_id.clone(), e.output_index.unwrap()),
                (e.asset.clone(), e.value),
            )
        })
        .collect()
}

#[test]
fn the_hkma_decrypts_exactly_the_hkd_amounts_and_no_php_while_the_bsp_gets_both() {
    let l = loaded("regulators");
    let net = &chain().report.network;
    let sent = sent();
    let hkd_sent: HashMap<_, _> = sent.iter().filter(|(_, (a, _))| a == "HKD").collect();
    let php_notes = sent.values().filter(|(a, _)| a == "PHP").count() as u64;
    assert!(
        hkd_sent.len() >= 6 && php_notes >= 4,
        "the chain moves both assets"
    );

    let hkma = audit(&l, &net.inst.hkma, false, BTreeMap::new());
    assert_eq!(hkma.entitled_assets, vec!["HKD".to_string()]);
    // Every HKD output, with exactly the value sent; nothing of PHP but a count.
    let seen = outputs(&hkma);
    assert_eq!(seen.len(), hkd_sent.len());
    for (key, (asset, value)) in &hkd_sent {
        assert_eq!(
            seen.get(*key),
            Some(&(asset.clone(), Some(*value))),
            "{key:?}"
        );
    }
    assert!(hkma.entries.iter().all(|e| e.asset == "HKD"));
    assert!(hkma.totals_of("PHP").is_none());
    assert!(hkma.days.iter().all(|d| d.asset == "HKD"));
    assert_eq!(hkma.not_entitled.get("PHP"), Some(&php_notes));
    assert_eq!(hkma.timing.notes_not_entitled, php_notes);
    // The demo's figures: the mint, Ana's payment and its fee, the remittance and its fee.
    let hkd = hkma.totals_of("HKD").unwrap();
    assert_eq!(hkd.minted, u128::from(amounts::HKD_MINT));
    assert_eq!(hkd.fees, u128::from(amounts::ANA_FEE + amounts::REMIT_FEE));
    assert_eq!(hkd.burned, 0);
    assert_eq!(
        hkd.output_value,
        hkd_sent.values().map(|(_, v)| u128::from(*v)).sum::<u128>()
    );
    let remit = (step_tx(StepName::Remittance).to_string(), 0);
    assert_eq!(seen[&remit].1, Some(amounts::REMIT));
    let ana = (step_tx(StepName::MariaToAna).to_string(), 0);
    assert_eq!(seen[&ana].1, Some(amounts::ANA_PAYMENT));
    // Honest builders: every decrypted amount came from its hint, nothing is flagged.
    assert!(hkma
        .entries
        .iter()
        .all(|e| matches!(e.source, ValueSource::Hint | ValueSource::Public)));
    assert!(hkma.flags.is_empty(), "{:?}", hkma.flags);

    let bsp = audit(&l, &net.inst.bsp, false, BTreeMap::new());
    assert_eq!(
        bsp.entitled_assets,
        vec!["HKD".to_string(), "PHP".to_string()]
    );
    assert!(bsp.not_entitled.is_empty());
    let seen = outputs(&bsp);
    assert_eq!(seen.len(), sent.len());
    for (key, (asset, value)) in &sent {
        assert_eq!(
            seen.get(key),
            Some(&(asset.clone(), Some(*value))),
            "{key:?}"
        );
    }
    let payout = (step_tx(StepName::Payout).to_string(), 0);
    assert_eq!(
        seen[&payout],
        ("PHP".to_string(), Some(chain().report.payout))
    );
    let php = bsp.totals_of("PHP").unwrap();
    assert_eq!(php.minted, u128::from(amounts::PHP_MINT));
    assert_eq!(php.burned, u128::from(amounts::JUAN_BURN));
    assert_eq!(php.fees, u128::from(amounts::JUAN_BURN_FEE));
    // The same HKD figures as the HKMA's.
    assert_eq!(bsp.totals_of("HKD"), hkma.totals_of("HKD"));
}

#[test]
fn the_escrow_key_opens_marias_kyc_transactions_to_her_id_commit() {
    let l = loaded("escrow");
    let report = &chain().report;
    let net = &report.network;
    let maria_id = hex::encode(fr_to_bytes(
        &net.kyc_credential(&report.maria)
            .unwrap()
            .credential
            .id_commit(),
    ));
    // Maria's KYC transactions: her registration, her payment to Ana, her remittance.
    let registration = chain()
        .txs()
        .iter()
        .find(|tx| {
            matches!(tx.body(), TxBody::RegisterAddress(r) if r.address == report.maria.address())
        })
        .unwrap()
        .id();
    let marias = [
        registration,
        step_tx(StepName::MariaToAna),
        step_tx(StepName::Remittance),
    ];
    let kyc_txs = chain()
        .txs()
        .iter()
        .filter(|tx| tx.body().kyc().is_some())
        .count();

    let hkma = audit(&l, &net.inst.hkma, true, BTreeMap::new());
    assert_eq!(hkma.escrows.len(), kyc_txs, "every KYC section opened");
    for id in &marias {
        let opened = hkma
            .escrows
            .iter()
            .find(|e| e.tx_id == id.to_string())
            .unwrap_or_else(|| panic!("no escrow opened for {id}"));
        assert_eq!(opened.id_commit, maria_id, "{}", opened.kind);
    }
    // The others' open to other identities (Juan's burn, the registrations of the others).
    let others: Vec<_> = hkma
        .escrows
        .iter()
        .filter(|e| !marias.iter().any(|m| m.to_string() == e.tx_id))
        .collect();
    assert!(others.len() >= 3);
    assert!(others.iter().all(|e| e.id_commit != maria_id));
    // Her entries carry her id_commit.
    let remittance = step_tx(StepName::Remittance).to_string();
    assert!(hkma
        .entries
        .iter()
        .filter(|e| e.tx_id == remittance)
        .all(|e| e.sender_id_commit.as_deref() == Some(maria_id.as_str())));

    // Without the escrow key nothing is opened.
    let plain = audit(&l, &net.inst.hkma, false, BTreeMap::new());
    assert!(plain.escrows.is_empty());
    assert!(plain.entries.iter().all(|e| e.sender_id_commit.is_none()));
}

fn sigma(relation: &'static str, equation: usize) -> ProofError {
    ProofError::Sigma {
        relation,
        index: 0,
        equation,
    }
}

fn proof_error(r: Result<(), AuditError>) -> ProofError {
    match r {
        Err(AuditError::DisclosureProof { source, .. }) => source,
        other => panic!("expected a proof failure, got {other:?}"),
    }
}

fn corridor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .output()
        .unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_disclosure_verifies_for_the_true_amount_and_fails_for_any_other() {
    let l = loaded("disclosure");
    let report = &chain().report;
    let network = report.network.genesis.network.clone();
    let remote = RemoteState::new(l.client.clone(), l.rt.handle().clone());
    let ana_note_id = NoteId::derive(&step_tx(StepName::MariaToAna), 0);
    let change_id = NoteId::derive(&step_tx(StepName::MariaToAna), 1);
    let note = remote.note(&ana_note_id).unwrap().unwrap();
    let change = remote.note(&change_id).unwrap().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(0xd15c);
    let mut nonce = [0u8; 32];
    rng.fill_bytes(&mut nonce);

    // Ana discloses her note from the node, with its true value.
    let doc = disclose_owned_note(
        &l.client,
        l.rt.handle(),
        &report.ana,
        ana_note_id,
        nonce,
        &mut rng,
    )
    .unwrap();
    assert_eq!(doc.value, amounts::ANA_PAYMENT);
    assert_eq!(doc.network, network);
    doc.verify(&note).unwrap();
    doc.verify_on(&network, &note).unwrap();
    // JSON round trip.
    let json = serde_json::to_string(&doc).unwrap();
    assert!(json.contains("\"kind\":\"recipient\""), "{json}");
    let back: DisclosureDocument = serde_json::from_str(&json).unwrap();
    back.verify(&note).unwrap();

    // Re-made for another value: the equation binding the value fails.
    let lie = DisclosureDocument::create_recipient(
        &network,
        &note,
        &report.ana.view,
        amounts::ANA_PAYMENT + 1,
        nonce,
        &mut rng,
    )
    .unwrap();
    assert_eq!(
        proof_error(lie.verify(&note)),
        sigma("recipient-disclosure", 1)
    );
    // The true one tampered: value, nonce, note id; another network.
    let tampered = DisclosureDocument {
        value: amounts::ANA_PAYMENT - 1,
        ..doc.clone()
    };
    assert_eq!(
        proof_error(tampered.verify(&note)),
        sigma("recipient-disclosure", 0)
    );
    let mut other_nonce = nonce;
    other_nonce[0] ^= 1;
    let tampered = DisclosureDocument {
        nonce: hex::encode(other_nonce),
        ..doc.clone()
    };
    assert_eq!(
        proof_error(tampered.verify(&note)),
        sigma("recipient-disclosure", 0)
    );
    let tampered = DisclosureDocument {
        note_id: change_id.to_string(),
        ..doc.clone()
    };
    assert!(matches!(
        tampered.verify(&note),
        Err(AuditError::DisclosureNote { document, note: n }) if document == change_id && n == ana_note_id
    ));
    assert_eq!(
        proof_error(tampered.verify(&change)),
        sigma("recipient-disclosure", 0)
    );
    let tampered = DisclosureDocument {
        network: "corridor-other".into(),
        ..doc.clone()
    };
    assert_eq!(
        proof_error(tampered.verify(&note)),
        sigma("recipient-disclosure", 0)
    );
    assert!(matches!(
        tampered.verify_on(&network, &note),
        Err(AuditError::DisclosureNetwork { .. })
    ));
    let mut bad_proof = doc.clone();
    bad_proof.proof.truncate(10);
    assert!(matches!(
        bad_proof.verify(&note),
        Err(AuditError::DisclosureDecode(_))
    ));

    // The sender's receipt: Maria kept the opening of Ana's note.
    let step = report
        .steps
        .iter()
        .find(|s| s.name == StepName::MariaToAna)
        .unwrap();
    let sender = DisclosureDocument::create_sender(
        &network,
        &note,
        &step.secrets.outputs[0],
        nonce,
        &mut rng,
    )
    .unwrap();
    assert_eq!(sender.value, amounts::ANA_PAYMENT);
    sender.verify(&note).unwrap();
    let tampered = DisclosureDocument {
        value: amounts::ANA_PAYMENT + 1,
        ..sender
    };
    assert_eq!(
        proof_error(tampered.verify(&note)),
        sigma("sender-disclosure", 0)
    );

    // A wallet cannot disclose a note that is not its own.
    assert!(matches!(
        disclose_owned_note(&l.client, l.rt.handle(), &report.juan, ana_note_id, nonce, &mut rng),
        Err(AuditError::NotOwner { note_id, .. }) if note_id == ana_note_id
    ));

    // `corridor audit verify-disclosure` against the node.
    let dir = chain().dir.join("disclosures");
    std::fs::create_dir_all(&dir).unwrap();
    let genesis = chain().dir.join("genesis.toml");
    let verify = |doc: &DisclosureDocument, name: &str| {
        let file = dir.join(name);
        std::fs::write(&file, serde_json::to_string_pretty(doc).unwrap()).unwrap();
        corridor(&[
            "audit",
            "verify-disclosure",
            "--genesis",
            path(&genesis),
            "--node",
            &l.uri,
            "--disclosure",
            path(&file),
        ])
    };
    let out = verify(&doc, "true.json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("valid: {} HKD", amounts::ANA_PAYMENT)
    );
    let out = verify(&lie, "lie.json");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("recipient-disclosure proof 0: equation 1 does not hold"),
        "{stderr}"
    );
    let out = verify(
        &DisclosureDocument {
            note_id: hex::encode([7u8; 32]),
            ..doc.clone()
        },
        "missing.json",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on the ledger"));
}

/// A note of `value` to `owner` in HKD whose decryptor `lying`'s hint box is `lie`'s: made
/// with the same blindings and the same hint ephemeral (the same RNG stream) for the chunk
/// values `lie`, so the box is sealed under the right key but over the lying amount.
fn note_with_lying_hint(value: u64, lie: [u64; 2], lying: usize) -> (Note, Vec<Option<[u8; 88]>>) {
    let net = &chain().report.network;
    let owner = chain().report.ana.address();
    let decryptors = net.genesis.asset("HKD").unwrap().decryptors(&owner);
    let ctx = HintContext {
        asset: "HKD",
        output_index: 0,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(0x11e);
    let blindings = [Scalar::random(&mut rng), Scalar::random(&mut rng)];
    let stream = ChaCha20Rng::seed_from_u64(0x5eed);
    let honest = [value & 0xffff_ffff, value >> 32];
    let mut amount =
        encrypt_chunks(honest, blindings, &decryptors, ctx, &mut stream.clone()).unwrap();
    let lying_amount =
        encrypt_chunks(lie, blindings, &decryptors, ctx, &mut stream.clone()).unwrap();
    assert_eq!(amount.ephemeral, lying_amount.ephemeral);
    let honest_hints = amount.hints.clone();
    amount.hints[lying] = lying_amount.hints[lying];
    let tx_id = TxId([0x7a; 32]);
    let note = Note {
        id: NoteId::derive(&tx_id, 0),
        tx_id,
        output_index: 0,
        asset: "HKD".into(),
        owner,
        amount,
        remittance: None,
    };
    (note, honest_hints)
}

#[test]
fn a_hint_that_lies_is_flagged_and_the_true_value_reported() {
    let net = &chain().report.network;
    let value = 0x0000_0001_0000_1234;
    // The HKMA is decryptor 1 of HKD: its hint says one more in the low chunk.
    let (note, honest_hints) = note_with_lying_hint(value, [0x1235, 1], 1);
    let hkma = Auditor::new(&net.genesis, &net.inst.hkma, None, BTreeMap::new()).unwrap();
    let bsp = Auditor::new(&net.genesis, &net.inst.bsp, None, BTreeMap::new()).unwrap();
    assert_eq!(hkma.decryptor("HKD"), Some(1));
    assert_eq!(bsp.decryptor("HKD"), Some(2));
    assert_eq!(
        hkma.read(&note),
        NoteReading::Decrypted {
            value,
            hint: HintCheck::Rejected
        }
    );
    // The BSP's own hint is honest.
    assert_eq!(
        bsp.read(&note),
        NoteReading::Decrypted {
            value,
            hint: HintCheck::Used
        }
    );
    // The honest note uses the HKMA's hint; without it the hint is missing.
    let mut honest = note.clone();
    honest.amount.hints = honest_hints;
    assert_eq!(
        hkma.read(&honest),
        NoteReading::Decrypted {
            value,
            hint: HintCheck::Used
        }
    );
    let mut missing = honest.clone();
    missing.amount.hints[1] = None;
    assert_eq!(
        hkma.read(&missing),
        NoteReading::Decrypted {
            value,
            hint: HintCheck::Missing
        }
    );

    // In a report: the entry has the true value, found by the discrete log, and one flag.
    let mut report = hkma.new_report(1, 1);
    let place = TxPlace {
        height: 1,
        time: 1_767_225_600,
        tx_id: note.tx_id,
    };
    let output = OutputContext {
        place,
        kind: "transfer",
        payment: true,
        public_value: None,
        sender_id_commit: None,
    };
    hkma.record_output(&mut report, &output, &note);
    hkma.record_output(&mut report, &output, &honest);
    hkma.record_output(&mut report, &output, &missing);
    assert_eq!(report.entries.len(), 3);
    assert_eq!(report.entries[0].value, Some(value));
    assert_eq!(report.entries[0].source, ValueSource::DiscreteLog);
    assert_eq!(report.entries[1].source, ValueSource::Hint);
    assert_eq!(report.entries[0].day, "2026-01-01");
    let flags: Vec<_> = report.flags.iter().map(|f| (f.kind, f.value)).collect();
    assert_eq!(
        flags,
        vec![
            (FlagKind::HintRejected, Some(value)),
            (FlagKind::HintMissing, Some(value))
        ]
    );
    assert_eq!(report.flags[0].note_id, Some(note.id.to_string()));
    assert_eq!(report.timing.notes_decrypted, 3);
}

#[test]
fn payments_above_the_threshold_are_flagged_and_own_change_is_not() {
    let l = loaded("threshold");
    let net = &chain().report.network;
    let threshold = amounts::REMIT - 1;
    let report = audit(
        &l,
        &net.inst.hkma,
        false,
        BTreeMap::from([("HKD".to_string(), threshold)]),
    );
    let flagged: Vec<(String, u32)> = report
        .flags
        .iter()
        .filter(|f| f.kind == FlagKind::LargePayment)
        .map(|f| {
            assert_eq!(f.threshold, Some(threshold));
            assert!(f.value.unwrap() > threshold);
            (f.tx_id.clone(), f.output_index.unwrap())
        })
        .collect();
    // Exactly the payments above the threshold: Ana's payment and the remittance (to the
    // operator), and the treasury's payments to Maria; never a change output or a mint.
    let expected: Vec<(String, u32)> = report
        .entries
        .iter()
        .filter(|e| e.item == EntryItem::Output && e.payment && e.value > Some(threshold))
        .map(|e| (e.tx_id.clone(), e.output_index.unwrap()))
        .collect();
    assert_eq!(flagged, expected);
    for key in [
        (step_tx(StepName::MariaToAna).to_string(), 0),
        (step_tx(StepName::Remittance).to_string(), 0),
    ] {
        assert!(flagged.contains(&key), "{key:?} not flagged");
    }
    // Maria's change from her payment to Ana is hers: above the threshold, not a payment.
    let change = report
        .entries
        .iter()
        .find(|e| e.tx_id == step_tx(StepName::MariaToAna).to_string() && e.output_index == Some(1))
        .unwrap();
    assert!(!change.payment && change.value > Some(threshold));
    assert!(report
        .entries
        .iter()
        .filter(|e| e.kind == "mint")
        .all(|e| !e.payment));
    // At exactly the remittance's value, the remittance is not above it.
    let report = audit(
        &l,
        &net.inst.hkma,
        false,
        BTreeMap::from([("HKD".to_string(), amounts::REMIT)]),
    );
    assert!(!report
        .flags
        .iter()
        .any(|f| f.tx_id == step_tx(StepName::Remittance).to_string()));
}

/// Per-asset (outputs, output value, fees) summed from CSV rows.
fn csv_totals(csv: &str) -> BTreeMap<String, (u64, u128, u128)> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (item, asset, value) = (col("item"), col("asset"), col("value"));
    let mut totals: BTreeMap<String, (u64, u128, u128)> = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        let t = totals.entry(cells[asset].to_string()).or_default();
        let v: u128 = cells[value].parse().unwrap();
        match cells[item] {
            "output" => {
                t.0 += 1;
                t.1 += v;
            }
            "fee" => t.2 += v,
            _ => {}
        }
    }
    totals
}

#[test]
fn the_cli_scan_exits_0_and_its_csv_and_json_totals_match_the_library() {
    let l = loaded("cli");
    let chain = chain();
    let net = &chain.report.network;
    // demo-genesis --keys writes the regulators' keys of the chain's network (seed 5).
    let keys = chain.dir.join("keys");
    let _ = std::fs::remove_dir_all(&keys);
    let out = corridor(&[
        "node",
        "demo-genesis",
        "--seed",
        "5",
        "--out",
        path(&chain.dir.join("demo-genesis.toml")),
        "--keys",
        path(&keys),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        read_view_key(&keys.join("hkma.view")).unwrap().public(),
        net.inst.hkma.public()
    );
    assert_eq!(
        read_view_key(&keys.join("bsp.view")).unwrap().public(),
        net.inst.bsp.public()
    );
    assert_eq!(
        read_escrow_key(&keys.join("escrow.key"))
            .unwrap()
            .public_key()
            .to_bytes(),
        net.inst.escrow.public_key().to_bytes()
    );

    let (json, csv) = (chain.dir.join("audit.json"), chain.dir.join("audit.csv"));
    let out = corridor(&[
        "audit",
        "scan",
        "--genesis",
        path(&chain.dir.join("genesis.toml")),
        "--node",
        &l.uri,
        "--view-key",
        path(&keys.join("bsp.view")),
        "--escrow-key",
        path(&keys.join("escrow.key")),
        "--threshold",
        &format!("HKD={}", amounts::REMIT - 1),
        "--json",
        path(&json),
        "--csv",
        path(&csv),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let from_cli: AuditReport =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();

    // The library's scan of the same node, as the same regulator.
    let lib = audit(
        &l,
        &net.inst.bsp,
        true,
        BTreeMap::from([("HKD".to_string(), amounts::REMIT - 1)]),
    );
    assert_eq!(from_cli.totals, lib.totals);
    assert_eq!(from_cli.days, lib.days);
    assert_eq!(from_cli.entries, lib.entries);
    assert_eq!(from_cli.escrows, lib.escrows);
    assert_eq!(from_cli.flags, lib.flags);
    assert!(!from_cli.flags.is_empty() && !from_cli.escrows.is_empty());

    // CSV and JSON agree: per asset, the outputs, their sum and the fees.
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    let totals = csv_totals(&csv_text);
    assert_eq!(totals.len(), from_cli.totals.len());
    for t in &from_cli.totals {
        assert_eq!(
            totals[&t.asset],
            (t.outputs, t.output_value, t.fees),
            "{}",
            t.asset
        );
    }
    assert_eq!(csv_text.lines().count(), from_cli.entries.len() + 1);
    // The JSON round-trips to the same report.
    let again: AuditReport = serde_json::from_str(&serde_json::to_string(&lib).unwrap()).unwrap();
    assert_eq!(again, lib);

    // The summary names the totals and the flags.
    for t in &from_cli.totals {
        assert!(
            stdout.contains(&format!(
                "  {}: {} outputs {}",
                t.asset, t.outputs, t.output_value
            )),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("flags: {}", from_cli.flags.len())),
        "{stdout}"
    );
    assert!(stdout.contains("elapsed "), "{stdout}");

    // A view key that audits nothing is refused, naming why.
    let stranger = chain.dir.join("stranger.view");
    corridor::keyfile::write_view_key(
        &stranger,
        &corridor_core::ViewKey::random(&mut ChaCha20Rng::seed_from_u64(1)),
    )
    .unwrap();
    let out = corridor(&[
        "audit",
        "scan",
        "--genesis",
        path(&chain.dir.join("genesis.toml")),
        "--node",
        &l.uri,
        "--view-key",
        path(&stranger),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is no auditor"));
    // A range beyond the node's height is refused.
    let out = corridor(&[
        "audit",
        "scan",
        "--genesis",
        path(&chain.dir.join("genesis.toml")),
        "--node",
        &l.uri,
        "--view-key",
        path(&keys.join("hkma.view")),
        "--to",
        "100000",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the node is at height"));
}

#[test]
fn an_unreachable_node_is_an_rpc_error_naming_the_rpc() {
    let net = &chain().report.network;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // A lazily connecting client to a port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let channel = {
        let _guard = rt.enter();
        tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_lazy()
    };
    let client = NodeClient::new(channel);
    let auditor = Auditor::new(&net.genesis, &net.inst.hkma, None, BTreeMap::new()).unwrap();
    match scan(
        &client,
        rt.handle(),
        &auditor,
        ScanRange::default(),
        &mut |_, _| {},
    ) {
        Err(AuditError::Rpc { rpc: "Status", .. }) => {}
        other => panic!("expected a Status RPC error, got {other:?}"),
    }
}
