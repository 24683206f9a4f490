//! The node's ledger rules on real transactions (DESIGN.md §4.4): each broken rule is refused
//! with its own `RuleError` — at admission, and inside a block — and leaves the committed state
//! (height, app hash) as it was. Every network here is a fork of the demo's remittance chain.
use corridor::demo::{amounts, run_remittance, DemoReport};
use corridor::network::{DemoNetwork, LedgerError};
use corridor_core::state::PublicState;
use corridor_core::tx::{FieldBytes, NoteId, PublishQuote, Transaction, TxBody};
use corridor_node::rules;
use corridor_node::{BlockError, Committed, RuleError, TxError};
use corridor_prover::builder::{Payment, RemittanceRequest};
use corridor_verifier::{ProofError, VerifyError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

const SEED: u64 = 77;

/// The demo's whole remittance chain, made once.
fn base() -> &'static DemoReport {
    static BASE: OnceLock<DemoReport> = OnceLock::new();
    BASE.get_or_init(|| run_remittance(SEED, &mut |_| {}).expect("the remittance chain"))
}

fn fork() -> DemoNetwork {
    base().network.fork().expect("a fork of the chain")
}

fn rng(tag: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(SEED ^ tag)
}

/// Submits `tx`, expects the node to refuse it with exactly `expected`, and checks that the
/// committed state did not move.
fn refused(net: &mut DemoNetwork, tx: &Transaction, expected: RuleError) {
    let before: Committed = net.node.committed();
    match net.submit(tx) {
        Err(LedgerError::Node(TxError::Rule(e))) => assert_eq!(e, expected),
        Err(other) => panic!("refused for the wrong reason: {other} (expected {expected})"),
        Ok(_) => panic!("accepted; expected {expected}"),
    }
    assert_eq!(
        net.node.committed(),
        before,
        "a refused transaction moved the ledger"
    );
    assert_eq!(net.node.mempool_len(), 0);
}

/// Maria pays Ana `value` from all her HKD notes (built on the current state).
fn maria_pays_ana(net: &DemoNetwork, value: u64, tag: u64) -> Transaction {
    let b = base();
    let pay = [Payment {
        to: b.ana.address(),
        value,
    }];
    net.transfer(&b.maria, "HKD", &pay, 10, None, &mut rng(tag))
        .expect("Maria's transfer")
}

fn input_note(tx: &Transaction, index: usize) -> NoteId {
    tx.body().inputs()[index].note_id
}

#[test]
fn a_double_spend_across_blocks_is_refused() {
    let mut net = fork();
    let first = maria_pays_ana(&net, 1_000, 1);
    let second = maria_pays_ana(&net, 2_000, 2);
    net.submit(&first).expect("the first spend");
    let height = net.height();
    refused(
        &mut net,
        &second,
        RuleError::Spent {
            index: 0,
            note: input_note(&second, 0),
            height,
        },
    );
}

#[test]
fn a_double_spend_within_a_block_is_refused() {
    let net = fork();
    let first = maria_pays_ana(&net, 1_000, 1).encode();
    let second = maria_pays_ana(&net, 2_000, 2).encode();
    let note = input_note(&Transaction::decode(&second).unwrap(), 0);
    // Both pass admission on their own (against the committed state) …
    let admitted = net.node.check_txs(&[first.clone(), second.clone()]);
    assert!(admitted.iter().all(Result::is_ok), "{admitted:?}");
    let before = net.node.committed();
    let block = net.block();
    let both = vec![first.clone(), second.clone()];
    // … a proposal holding both is refused whole …
    assert_eq!(
        net.node.execute(&both, block, true).unwrap_err(),
        BlockError {
            index: 1,
            error: TxError::Rule(RuleError::SpentInBlock { index: 0, note }),
        }
    );
    // … a finalized block applies the first and records the second as refused, changing what
    // the first alone changes …
    let executed = net.node.execute(&both, block, false).unwrap();
    assert!(executed.results[0].is_ok());
    assert_eq!(
        executed.results[1],
        Err(TxError::Rule(RuleError::SpentInBlock { index: 0, note }))
    );
    let alone = net
        .node
        .execute(std::slice::from_ref(&first), block, false)
        .unwrap();
    assert_eq!(executed.app_hash(), alone.app_hash());
    // … and a proposer leaves the second out.
    assert_eq!(net.node.propose(block, 10), vec![first]);
    assert_eq!(net.node.committed(), before);
}

#[test]
fn a_double_spend_within_a_transaction_is_refused() {
    let net = fork();
    let tx = maria_pays_ana(&net, 1_000, 3);
    let mut unsigned = tx.into_unsigned();
    let TxBody::Transfer(t) = &mut unsigned.body else {
        panic!("a transfer");
    };
    let repeated = t.inputs[0].clone();
    t.inputs.push(repeated.clone());
    let index = t.inputs.len() - 1;
    let forged = unsigned.sign(&base().maria.spend);
    // The wire refuses it before any rule …
    assert!(matches!(
        net.node.check_tx(&forged.encode()),
        Err(TxError::Decode(_))
    ));
    // … and so does the rule, for a transaction that never went through the decoder.
    let view = net.node.view();
    assert_eq!(
        rules::check(&forged, &net.genesis, &view, &view, net.block().height),
        Err(RuleError::RepeatedInput {
            index,
            note: repeated.note_id,
        })
    );
}

#[test]
fn a_payment_to_an_unregistered_recipient_is_refused() {
    let mut net = fork();
    let stranger = net.enrol([0x53; 32], "HK").expect("enrolled");
    let before_registration = net.state.clone();
    let register = net.registration(&stranger, &stranger).unwrap();
    net.submit(&register).expect("registered");
    let b = base();
    let pay = [Payment {
        to: stranger.address(),
        value: 1_000,
    }];
    let tx = net
        .transfer(&b.maria, "HKD", &pay, 10, None, &mut rng(4))
        .unwrap();
    // The same payment on the ledger as it was before the registration.
    net.replace_state(before_registration).unwrap();
    refused(
        &mut net,
        &tx,
        RuleError::UnregisteredRecipient {
            index: 0,
            address: stranger.address().encode(),
        },
    );
}

#[test]
fn a_root_stays_usable_for_the_window_counted_from_its_supersession() {
    let mut net = fork();
    let tx = maria_pays_ana(&net, 1_000, 5);
    let root = tx.body().kyc().unwrap().root;
    // The issuer enrols someone: a new root supersedes Maria's at this height.
    net.enrol([0x54; 32], "PH").unwrap();
    let superseded_at = net.height();
    assert_eq!(
        net.state.kyc_root(1, &root).unwrap(),
        Some(corridor_core::state::RootStanding::SupersededAt(
            superseded_at
        ))
    );
    let window = net.genesis.root_window;
    net.advance(superseded_at + window - net.height() - 1)
        .unwrap();
    // The last block of the window accepts it …
    assert_eq!(net.block().height, superseded_at + window);
    let ok = net.node.execute(&[tx.encode()], net.block(), true).unwrap();
    assert!(ok.results[0].is_ok());
    // … the next one does not.
    net.advance(1).unwrap();
    let height = net.block().height;
    refused(
        &mut net,
        &tx,
        RuleError::StaleRoot {
            issuer: 1,
            superseded_at,
            window,
            height,
        },
    );
}

#[test]
fn a_registration_nullifier_is_used_once_across_and_within_blocks() {
    let mut net = fork();
    let holder = net.enrol([0x55; 32], "HK").unwrap();
    let twin =
        corridor_core::WalletKeys::from_seed(&corridor_core::WalletSeed::from_bytes([0x56; 32]))
            .unwrap();
    let first = net.registration(&holder, &holder).unwrap();
    let second = net.registration(&twin, &holder).unwrap();
    let nullifier = hex::encode(first.body().kyc().unwrap().nullifier.0);
    assert_eq!(
        second.body().kyc().unwrap().nullifier,
        first.body().kyc().unwrap().nullifier
    );
    let executed = net
        .node
        .execute(&[first.encode(), second.encode()], net.block(), false)
        .unwrap();
    assert!(executed.results[0].is_ok());
    assert_eq!(
        executed.results[1],
        Err(TxError::Rule(RuleError::NullifierUsed {
            nullifier: nullifier.clone()
        }))
    );
    net.submit(&first).expect("the first registration");
    refused(&mut net, &second, RuleError::NullifierUsed { nullifier });
    // The same address again: refused as registered.
    let again = net.registration(&holder, &holder);
    assert!(again.is_err(), "the builder refuses a registered address");
}

#[test]
fn replayed_transactions_mints_and_root_updates_are_refused() {
    let mut net = fork();
    // A committed transaction again.
    let step = &base().steps[2];
    let first_height = 1 + base()
        .network
        .committed()
        .iter()
        .position(|t| t.id() == step.tx.id())
        .unwrap() as u64;
    refused(
        &mut net,
        &step.tx,
        RuleError::Replayed {
            tx: step.tx.id(),
            height: first_height,
        },
    );
    // One transaction twice in a block.
    let tx = maria_pays_ana(&net, 1_000, 6).encode();
    let executed = net
        .node
        .execute(&[tx.clone(), tx.clone()], net.block(), false)
        .unwrap();
    assert_eq!(
        executed.results[1],
        Err(TxError::Rule(RuleError::ReplayedInBlock {
            tx: Transaction::decode(&tx).unwrap().id()
        }))
    );
    // Two mints with one nonce.
    let nonce = net.next_mint_nonce("HKD");
    let mint = |net: &DemoNetwork, amount: u64, tag: u64| {
        net.builder()
            .mint("HKD", nonce, &[amount], &mut rng(tag))
            .unwrap()
            .tx
            .sign(&net.inst.hkd_issuer)
    };
    let (a, b) = (mint(&net, 1_000, 7), mint(&net, 2_000, 8));
    net.submit(&a).unwrap();
    refused(
        &mut net,
        &b,
        RuleError::MintNonce {
            asset: "HKD".into(),
            expected: nonce + 1,
            found: nonce,
        },
    );
    // Two root updates with one sequence number.
    let head = net.state.kyc_root_head(1).unwrap().unwrap();
    let update = |net: &DemoNetwork, root: u8| {
        net.builder()
            .kyc_root_update(1, head.seq + 1, head.root, FieldBytes([root; 32]))
            .unwrap()
            .sign(&net.inst.kyc_issuer)
    };
    let (u1, u2) = (update(&net, 1), update(&net, 2));
    net.submit(&u1).unwrap();
    refused(
        &mut net,
        &u2,
        RuleError::RootSequence {
            issuer: 1,
            expected: head.seq + 2,
            found: head.seq + 1,
        },
    );
}

fn quote(net: &DemoNetwork, id: u64, num: u32, expiry_height: u64) -> Transaction {
    net.builder()
        .publish_quote(PublishQuote {
            operator: "ph-wallet".into(),
            quote_id: id,
            asset_from: "HKD".into(),
            asset_to: "PHP".into(),
            num,
            den: amounts::QUOTE_DEN,
            expiry_height,
        })
        .unwrap()
        .sign(&net.inst.ph_operator)
}

#[test]
fn a_quote_id_is_published_once() {
    let mut net = fork();
    let again = quote(&net, amounts::QUOTE_ID, 70_000, net.height() + 50);
    refused(
        &mut net,
        &again,
        RuleError::QuoteRepublished {
            operator: "ph-wallet".into(),
            quote_id: amounts::QUOTE_ID,
        },
    );
    let (a, b) = (
        quote(&net, 99, 70_000, net.height() + 50),
        quote(&net, 99, 71_000, net.height() + 50),
    );
    let executed = net
        .node
        .execute(&[a.encode(), b.encode()], net.block(), false)
        .unwrap();
    assert!(executed.results[0].is_ok());
    assert_eq!(
        executed.results[1],
        Err(TxError::Rule(RuleError::QuoteRepublished {
            operator: "ph-wallet".into(),
            quote_id: 99,
        }))
    );
}

#[test]
fn a_remittance_on_an_expired_quote_is_refused() {
    let mut net = fork();
    let expiry_height = net.height() + 3;
    let q = quote(&net, 42, 70_000, expiry_height);
    net.submit(&q).unwrap();
    let b = base();
    let req = RemittanceRequest {
        operator: "ph-wallet".into(),
        quote_id: 42,
        beneficiary: b.juan.address(),
        salt: [9; 32],
        value: 10_000,
    };
    let remit = net
        .transfer(&b.maria, "HKD", &[], 10, Some(&req), &mut rng(9))
        .unwrap();
    net.advance(expiry_height - net.height() - 1).unwrap();
    // At its expiry height the quote is still good …
    assert_eq!(net.block().height, expiry_height);
    let ok = net
        .node
        .execute(&[remit.encode()], net.block(), true)
        .unwrap();
    assert!(ok.results[0].is_ok());
    // … one block later it is not.
    net.advance(1).unwrap();
    refused(
        &mut net,
        &remit,
        RuleError::QuoteExpired {
            operator: "ph-wallet".into(),
            quote_id: 42,
            expiry_height,
            height: expiry_height + 1,
        },
    );
}

#[test]
fn a_payout_spends_exactly_its_remittance_note() {
    let mut net = fork();
    let b = base();
    let payout = b
        .steps
        .iter()
        .find(|s| s.tx.body().kind() == "payout")
        .unwrap();
    let remittance = b
        .steps
        .iter()
        .find(|s| corridor::demo::is_remittance(&s.tx))
        .unwrap();
    // The payout names another note (the remittance's change, not a remittance), re-signed by
    // the operator.
    let change = NoteId::derive(&remittance.tx.id(), 1);
    let mut unsigned = payout.tx.clone().into_unsigned();
    let TxBody::Payout(p) = &mut unsigned.body else {
        panic!("a payout");
    };
    p.remittance_input.note_id = change;
    p.float_inputs.clear();
    let forged = unsigned.sign(&net.inst.ph_operator);
    refused(
        &mut net,
        &forged,
        RuleError::NotARemittance {
            note: change,
            operator: "ph-wallet".into(),
        },
    );
    // A second payout of the paid remittance: its note is spent.
    let remit_note = NoteId::derive(&remittance.tx.id(), 0);
    let paid_at = net.state.view().spent_at(&remit_note).unwrap().unwrap();
    let mut unsigned = payout.tx.clone().into_unsigned();
    let TxBody::Payout(p) = &mut unsigned.body else {
        panic!("a payout");
    };
    p.float_inputs.clear();
    let again = unsigned.sign(&net.inst.ph_operator);
    refused(
        &mut net,
        &again,
        RuleError::Spent {
            index: 0,
            note: remit_note,
            height: paid_at,
        },
    );
}

/// `n` mints of HKD with consecutive nonces from the next one, built on the current state.
fn mints(net: &DemoNetwork, n: u64, tag: u64) -> Vec<Vec<u8>> {
    let first = net.next_mint_nonce("HKD");
    (0..n)
        .map(|i| {
            net.builder()
                .mint("HKD", first + i, &[1_000 + i], &mut rng(tag + i))
                .unwrap()
                .tx
                .sign(&net.inst.hkd_issuer)
                .encode()
        })
        .collect()
}

#[test]
fn one_bad_transaction_refuses_a_proposal_and_admission_names_it() {
    let net = fork();
    let good_transfer = maria_pays_ana(&net, 1_000, 20);
    // The same transfer with another fee, re-signed by Maria: every rule holds, its proofs do
    // not.
    let mut unsigned = good_transfer.clone().into_unsigned();
    let TxBody::Transfer(t) = &mut unsigned.body else {
        panic!("a transfer");
    };
    t.fee += 1;
    let bad = unsigned.sign(&base().maria.spend).encode();
    let b = base();
    let mut block_txs = mints(&net, 1, 30);
    for id in 500..504 {
        block_txs.push(quote(&net, id, 70_000 + id as u32, net.height() + 10).encode());
    }
    let treasury_pays = net
        .transfer(
            &net.inst.hkd_treasury,
            "HKD",
            &[Payment {
                to: b.ana.address(),
                value: 5_000,
            }],
            0,
            None,
            &mut rng(31),
        )
        .unwrap();
    block_txs.push(treasury_pays.encode());
    block_txs.insert(3, bad.clone());
    let block = net.block();
    // Without the bad one, the proposal verifies as one batch …
    let mut honest = block_txs.clone();
    honest.remove(3);
    honest.push(good_transfer.encode());
    let fresh = fork();
    assert!(fresh.node.execute(&honest, block, true).is_ok());
    // … with it, ProcessProposal refuses the block (a fresh node: nothing cached) …
    let fresh = fork();
    let refused = fresh.node.execute(&block_txs, block, true).unwrap_err();
    assert_eq!(refused.error, TxError::BatchRejected);
    // … and admission, verifying them as one batch, names exactly the bad one.
    let admitted = fresh.node.check_txs(&block_txs);
    for (i, r) in admitted.iter().enumerate() {
        if i == 3 {
            assert!(
                matches!(r, Err(TxError::Verify(VerifyError::Proof(_)))),
                "the bad transaction: {r:?}"
            );
        } else {
            assert!(r.is_ok(), "transaction {i}: {r:?}");
        }
    }
    // With every good one cached by admission, the proposal's batch holds the bad one alone.
    let refused = fresh.node.execute(&block_txs, block, true).unwrap_err();
    assert_eq!(
        refused,
        BlockError {
            index: 3,
            error: TxError::BatchRejected
        }
    );
}

#[test]
fn an_identity_escrow_r_is_refused() {
    let net = fork();
    let tx = maria_pays_ana(&net, 1_000, 40);
    let statement =
        corridor_core::statement::resolve(tx.unsigned(), &net.genesis, &net.state, &net.block())
            .unwrap();
    let mut kyc = statement.kyc.clone().unwrap();
    assert!(corridor_verifier::kyc_claim(&kyc).is_ok());
    // The escrow randomness 0: `escrow_R` the identity. The verifier refuses it when it maps
    // the KYC public inputs, before any pairing.
    kyc.proof.escrow_r = corridor_circuits::escrow::point_to_bytes(&Default::default());
    match corridor_verifier::kyc_claim(&kyc) {
        Err(ProofError::KycInputs(m)) => assert!(m.contains("identity"), "{m}"),
        other => panic!("an identity escrow_R: {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_root_update_at_or_above_the_modulus_is_refused_in_process_too() {
    let net = fork();
    let head = net.state.kyc_root_head(1).unwrap().unwrap();
    let body = TxBody::KycRootUpdate(corridor_core::tx::KycRootUpdate {
        issuer: 1,
        seq: head.seq + 1,
        previous_root: head.root,
        new_root: FieldBytes([0xff; 32]),
    });
    let tx = corridor_core::tx::UnsignedTransaction {
        network: net.genesis.network.clone(),
        body,
    }
    .sign(&net.inst.kyc_issuer);
    // The wire refuses it …
    assert!(matches!(
        net.node.check_tx(&tx.encode()),
        Err(TxError::Decode(_))
    ));
    // … and so does resolution, for the transaction built in process.
    let err = corridor_verifier::verify_transaction(&tx, &net.verify_context()).unwrap_err();
    assert!(
        matches!(
            &err,
            VerifyError::Statement(corridor_core::statement::StatementError::Field(_))
        ),
        "{err}"
    );
}

#[test]
fn a_cached_verdict_covers_exactly_the_bytes_it_was_given_for() {
    let net = fork();
    let honest = maria_pays_ana(&net, 1_000, 50);
    // The same transaction id (proofs and signature are outside it) with a mauled range
    // proof, re-signed by Maria.
    let mut unsigned = honest.clone().into_unsigned();
    let TxBody::Transfer(t) = &mut unsigned.body else {
        panic!("a transfer");
    };
    let at = t.range_proof.0.len() / 2;
    t.range_proof.0[at] ^= 1;
    let mauled = unsigned.sign(&base().maria.spend);
    assert_eq!(mauled.id(), honest.id());
    let block = net.block();
    // The honest one is admitted: its verdict is cached …
    net.node.check_tx(&honest.encode()).unwrap();
    let verified_before = net.node.metrics().render();
    // … a block of it executes from the cache …
    assert!(net.node.execute(&[honest.encode()], block, true).is_ok());
    // … and the mauled bytes of the same id are verified, and refused.
    let refused = net
        .node
        .execute(&[mauled.encode()], block, true)
        .unwrap_err();
    assert_eq!(refused.index, 0);
    assert!(
        matches!(
            refused.error,
            TxError::BatchRejected | TxError::Verify(VerifyError::Proof(_))
        ),
        "{refused}"
    );
    let lenient = net.node.execute(&[mauled.encode()], block, false).unwrap();
    assert!(
        matches!(
            lenient.results[0],
            Err(TxError::Verify(VerifyError::Proof(_)))
        ),
        "{:?}",
        lenient.results[0]
    );
    assert!(verified_before.contains("corridor_tx_accepted_total 1"));
}
