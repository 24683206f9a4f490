//! Block-wide batch verification on real transactions (issue #7, must-show 2): among 255 good
//! transactions of one block — treasury payments (signature, sigma and range proofs) and
//! customer transfers (with Groth16 KYC proofs) — 1 bad one, and separately 3, make the batch
//! fail, and bisection names exactly the bad ones, each with the error it gets alone from
//! `verify_transaction`: a bad sigma response, a bad range proof, a bad signature and a bad
//! Groth16 proof, each in its own test. Every tampered transaction is re-signed by its owner
//! (the attacker holds the key), so only the tampered proof is wrong. Two bad proofs crafted to
//! cancel each other under equal weights (errors `+δ·H` and `−δ·H`) are still rejected, across
//! two transactions and inside one.
use corridor::network::DemoNetwork;
use corridor_core::keys::{SpendKey, WalletKeys};
use corridor_core::proto::{self, transaction::Body};
use corridor_core::tx::Transaction;
use corridor_prover::builder::Payment;
use corridor_prover::{TransferRequest, ViewWallet};
use corridor_verifier::{
    prepare, verify_transaction, Batch, ProofError, Threads, VerifyContext, VerifyError,
};
use curve25519_dalek::scalar::Scalar;
use prost::Message;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

/// Good transactions in every batch.
const GOOD: usize = 255;
/// Customers, each with one KYC-proven transfer among the good ones.
const CUSTOMERS: usize = 6;

struct Block {
    net: DemoNetwork,
    /// The good transactions, all valid against `net`'s state in its next block.
    good: Vec<Transaction>,
    /// Who signed each good transaction.
    signers: Vec<SpendKey>,
    /// Positions of the customers' KYC-proven transfers in `good`.
    kyc_positions: Vec<usize>,
}

/// A network where the HKD treasury holds 249 notes and six customers one each, and 255
/// transactions built against that one state: 249 treasury payments, 6 customer transfers.
fn block() -> &'static Block {
    static BLOCK: OnceLock<Block> = OnceLock::new();
    BLOCK.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(77);
        let mut net = DemoNetwork::new(77).unwrap();
        let customers: Vec<WalletKeys> = (0..CUSTOMERS)
            .map(|i| net.customer([0x60 + i as u8; 32]).unwrap())
            .collect();
        let treasury = net.inst.hkd_treasury.clone();
        let treasury_notes = GOOD - CUSTOMERS;
        // Mints of 16 notes into the treasury, then one note to each customer.
        let mut minted = 0;
        while minted < treasury_notes + 1 {
            let count = (treasury_notes + 1 - minted).min(16);
            let mint = net
                .builder()
                .mint(
                    "HKD",
                    net.next_mint_nonce("HKD"),
                    &vec![5_000; count],
                    &mut rng,
                )
                .unwrap()
                .tx
                .sign(&net.inst.hkd_issuer);
            net.submit(&mint).unwrap();
            minted += count;
        }
        let one = net.owned(&treasury, "HKD").remove(0);
        let payments: Vec<Payment> = customers
            .iter()
            .map(|c| Payment {
                to: c.address(),
                value: 500,
            })
            .collect();
        let funding = net
            .builder()
            .transfer(
                &ViewWallet::of(&treasury),
                &TransferRequest {
                    asset: "HKD".into(),
                    inputs: vec![one],
                    payments: payments.to_vec(),
                    fee: 0,
                    remittance: None,
                    kyc: None,
                },
                &mut rng,
            )
            .unwrap()
            .tx
            .sign(&treasury.spend);
        net.submit(&funding).unwrap();

        // The block: treasury payments spending one note each, then the customer transfers.
        let notes: Vec<_> = net
            .owned(&treasury, "HKD")
            .into_iter()
            .filter(|n| n.value == 5_000)
            .collect();
        assert!(notes.len() >= treasury_notes);
        let threads = Threads::new(2).unwrap();
        let net_ref = &net;
        let indices: Vec<usize> = (0..treasury_notes).collect();
        let mut good = threads.map(&indices, |&i| {
            let mut rng = ChaCha20Rng::seed_from_u64(1000 + i as u64);
            net_ref
                .builder()
                .transfer(
                    &ViewWallet::of(&treasury),
                    &TransferRequest {
                        asset: "HKD".into(),
                        inputs: notes[i..=i].to_vec(),
                        payments: vec![Payment {
                            to: customers[i % CUSTOMERS].address(),
                            value: 100 + i as u64,
                        }],
                        fee: 0,
                        remittance: None,
                        kyc: None,
                    },
                    &mut rng,
                )
                .unwrap()
                .tx
                .sign(&treasury.spend)
        });
        let mut signers = vec![treasury.spend.clone(); treasury_notes];
        let customer_txs = threads.map(&(0..CUSTOMERS).collect::<Vec<_>>(), |&c| {
            let mut rng = ChaCha20Rng::seed_from_u64(2000 + c as u64);
            let payment = Payment {
                to: customers[(c + 1) % CUSTOMERS].address(),
                value: 300,
            };
            net_ref
                .transfer(&customers[c], "HKD", &[payment], 10, None, &mut rng)
                .unwrap()
        });
        // Spread the customer transfers through the block.
        let mut inserted = Vec::new();
        for (c, tx) in customer_txs.into_iter().enumerate() {
            let at = c * GOOD / CUSTOMERS + 3;
            good.insert(at, tx);
            signers.insert(at, customers[c].spend.clone());
            inserted.push(at);
        }
        let kyc_positions = good_positions_of_kyc(&good);
        assert_eq!(kyc_positions, inserted);
        Block {
            net,
            good,
            signers,
            kyc_positions,
        }
    })
}

fn good_positions_of_kyc(txs: &[Transaction]) -> Vec<usize> {
    txs.iter()
        .enumerate()
        .filter(|(_, tx)| tx.body().kyc().is_some())
        .map(|(i, _)| i)
        .collect()
}

fn ctx(b: &Block) -> VerifyContext<'_> {
    b.net.verify_context()
}

/// Edits a transaction's wire form and re-signs it with `key`.
fn tamper(
    tx: &Transaction,
    key: &SpendKey,
    edit: impl FnOnce(&mut proto::Transfer),
) -> Transaction {
    let mut p = tx.to_proto();
    match p.body.as_mut() {
        Some(Body::Transfer(t)) => edit(t),
        _ => panic!("not a transfer"),
    }
    Transaction::decode(&p.encode_to_vec())
        .expect("the tampered transaction still decodes")
        .into_unsigned()
        .sign(key)
}

/// `bytes` (a canonical scalar) plus `delta`.
fn shifted(bytes: &[u8], delta: Scalar) -> Vec<u8> {
    let s = Scalar::from_canonical_bytes(bytes.try_into().unwrap()).unwrap();
    (s + delta).to_bytes().to_vec()
}

/// The balance proof's response moved by `delta`: its equation is off by `delta·H`.
fn bad_balance(tx: &Transaction, key: &SpendKey, delta: Scalar) -> Transaction {
    tamper(tx, key, |t| {
        let r = &mut t.balance.as_mut().unwrap().responses[0];
        *r = shifted(r, delta);
    })
}

/// A range proof whose `t_x` is off by one.
fn bad_range(tx: &Transaction, key: &SpendKey) -> Transaction {
    tamper(tx, key, |t| {
        let tx_bytes = t.range_proof[4 * 32..5 * 32].to_vec();
        t.range_proof[4 * 32..5 * 32].copy_from_slice(&shifted(&tx_bytes, Scalar::ONE));
    })
}

/// Signed by a key other than its signer's.
fn bad_signature(tx: &Transaction) -> Transaction {
    let other = SpendKey::random(&mut ChaCha20Rng::seed_from_u64(5));
    tx.clone().into_unsigned().sign(&other)
}

/// Carries another customer transfer's (valid, decodable) Groth16 proof.
fn bad_groth16(tx: &Transaction, key: &SpendKey, other: &Transaction) -> Transaction {
    let proof = other.to_proto();
    let Some(Body::Transfer(o)) = proof.body else {
        panic!("not a transfer")
    };
    tamper(tx, key, |t| {
        t.kyc.as_mut().unwrap().proof = o.kyc.unwrap().proof;
    })
}

/// Verifies `txs` as one batch on two threads: asserts whether the combined check passes, and
/// returns each transaction's result after bisection.
fn run(b: &Block, txs: &[Transaction], expect_pass: bool) -> Vec<Result<(), VerifyError>> {
    let ctx = ctx(b);
    let threads = Threads::new(2).unwrap();
    let mut rng = ChaCha20Rng::from_entropy();
    let mut batch = Batch::new(ctx.kyc_key);
    for tx in txs {
        batch
            .add(prepare(tx.clone(), &ctx).expect("every transaction prepares"))
            .unwrap();
    }
    assert_eq!(batch.check(&mut rng, &threads).0, expect_pass);
    batch
        .finish(&mut rng, &threads)
        .results
        .into_iter()
        .map(|r| r.map(|_| ()))
        .collect()
}

/// The good block with `bad` transactions inserted at `at`; asserts that the batch fails and
/// that exactly those are named, each with the error `verify_transaction` gives it alone,
/// which must be `expected`.
fn names_exactly(bad: Vec<(usize, Transaction)>, expected: &dyn Fn(&Transaction) -> VerifyError) {
    let b = block();
    let mut txs = b.good.clone();
    let mut positions = Vec::new();
    for (at, tx) in bad {
        txs.insert(at, tx);
        positions.push(at);
    }
    assert!(txs.len() > GOOD);
    let results = run(b, &txs, false);
    let ctx = ctx(b);
    for (i, (tx, result)) in txs.iter().zip(&results).enumerate() {
        if positions.contains(&i) {
            let alone = verify_transaction(tx, &ctx).map(|_| ());
            let err = result.clone().expect_err("a bad transaction passed");
            assert_eq!(Err(err.clone()), alone, "transaction {i}: batch vs alone");
            assert_eq!(err, expected(tx), "transaction {i}");
        } else {
            assert_eq!(*result, Ok(()), "good transaction {i} refused");
        }
    }
}

fn kind_of(tx: &Transaction) -> &'static str {
    tx.body().kind()
}

#[test]
fn the_good_block_verifies_as_one_batch_and_alone() {
    let b = block();
    assert_eq!(b.good.len(), GOOD);
    assert_eq!(b.kyc_positions.len(), CUSTOMERS);
    assert!(run(b, &b.good, true).iter().all(Result::is_ok));
    let ctx = ctx(b);
    for i in [0, b.kyc_positions[0], GOOD - 1] {
        verify_transaction(&b.good[i], &ctx).unwrap();
    }
}

#[test]
fn a_bad_sigma_response_is_named() {
    let b = block();
    let bad = |i: usize| (i, bad_balance(&b.good[i], &b.signers[i], Scalar::ONE));
    let expected = |tx: &Transaction| -> VerifyError {
        // The balance proof comes after one equality proof per input and one validity proof
        // per output chunk.
        let body = tx.body();
        let index = body.inputs().len() + 2 * body.outputs().len();
        ProofError::Sigma {
            relation: "balance",
            index,
            equation: 0,
        }
        .into()
    };
    names_exactly(vec![bad(77)], &expected);
    names_exactly(vec![bad(0), bad(b.kyc_positions[2]), bad(200)], &expected);
}

#[test]
fn a_bad_range_proof_is_named() {
    let b = block();
    let bad = |i: usize| (i, bad_range(&b.good[i], &b.signers[i]));
    let expected = |_: &Transaction| -> VerifyError { ProofError::Range.into() };
    names_exactly(vec![bad(b.kyc_positions[1])], &expected);
    names_exactly(vec![bad(5), bad(130), bad(GOOD - 1)], &expected);
}

#[test]
fn a_bad_signature_is_named() {
    let b = block();
    let bad = |i: usize| (i, bad_signature(&b.good[i]));
    let expected =
        |tx: &Transaction| -> VerifyError { VerifyError::Signature { kind: kind_of(tx) } };
    names_exactly(vec![bad(128)], &expected);
    names_exactly(vec![bad(1), bad(b.kyc_positions[3]), bad(250)], &expected);
}

#[test]
fn a_bad_groth16_proof_is_named() {
    let b = block();
    let k = &b.kyc_positions;
    let bad = |i: usize, other: usize| {
        (
            k[i],
            bad_groth16(&b.good[k[i]], &b.signers[k[i]], &b.good[k[other]]),
        )
    };
    let expected = |_: &Transaction| -> VerifyError { ProofError::Kyc.into() };
    names_exactly(vec![bad(2, 3)], &expected);
    names_exactly(vec![bad(0, 1), bad(3, 4), bad(5, 0)], &expected);
}

/// Errors `+δ·H` and `−δ·H` sum to the identity: a batch with equal weights (or none) would
/// accept both transactions. Independent weights reject them, and bisection names both.
#[test]
fn bad_proofs_that_cancel_under_equal_weights_are_rejected() {
    let b = block();
    let delta = Scalar::from(0x5eed_u64);
    let (i, j) = (40, 41);
    let plus = bad_balance(&b.good[i], &b.signers[i], delta);
    let minus = bad_balance(&b.good[j], &b.signers[j], -delta);
    let expected = |tx: &Transaction| -> VerifyError {
        let body = tx.body();
        ProofError::Sigma {
            relation: "balance",
            index: body.inputs().len() + 2 * body.outputs().len(),
            equation: 0,
        }
        .into()
    };
    names_exactly(vec![(i, plus.clone()), (j, minus.clone())], &expected);
    // The two alone, side by side, still fail as a batch of two.
    assert!(run(b, &[plus, minus], false).iter().all(Result::is_err));
}

/// Inside one transaction: the first equality proof's `r'` response moved by `+δ` (its third
/// equation is off by `δ·H`) and the balance response by `−δ` (off by `−δ·H`).
#[test]
fn bad_proofs_that_cancel_inside_one_transaction_are_rejected() {
    let b = block();
    let delta = Scalar::from(0xcafe_u64);
    let i = 100;
    let tx = tamper(&b.good[i], &b.signers[i], |t| {
        let eq = t.inputs[0].equality.as_mut().unwrap();
        eq.responses[2] = shifted(&eq.responses[2], delta);
        let balance = t.balance.as_mut().unwrap();
        balance.responses[0] = shifted(&balance.responses[0], -delta);
    });
    let expected = |_: &Transaction| -> VerifyError {
        ProofError::Sigma {
            relation: "equality",
            index: 0,
            equation: 2,
        }
        .into()
    };
    names_exactly(vec![(i, tx)], &expected);
}
