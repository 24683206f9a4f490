//! Must-show 4 (issue #2): soundness tests that cannot pass for the wrong reason.
//!
//! A fixture chain ([`fixture`]) gives one valid, signed transaction of every kind, each with
//! the state and block it was verified against; its customers are onboarded for real and every
//! customer transaction carries a Groth16 KYC proof. Every attack edits one thing, RE-SIGNS the
//! result with the true signer's key (the attacker is the signer), sends the canonical bytes
//! through decode and verification as a node would, and expects ONE specific verdict
//! ([`harness`]): the sigma proof, equation and index that must fail, the range proof, the KYC
//! proof, or the statement or decode error that legitimately comes first — never "some error".
//! Every catalog first checks its controls: the untampered transaction verifies, and so does the
//! cheating prover's honest re-proof of it.
//!
//! - `fields_*`: every public field of each kind ([`catalog::field_mutations`]), against two
//!   attackers: one who only re-signs (the statement digest opens the transcript, so the FIRST
//!   sigma proof fails on its first equation), and one who also re-proves every sigma relation
//!   and the range proof with the honest witnesses (the relation that binds the field fails;
//!   fields no relation reads, the prover's free choices such as hints, verify — in a customer's
//!   transaction once its KYC proof is remade). The KYC section's fields (issuer, root, day,
//!   nullifier, escrow, link) are public inputs of the Groth16 proof: resolution refuses what
//!   the node can check (unknown issuer or root, a day out of range, a used registration
//!   nullifier), the re-signed edit breaks the first sigma proof, the re-proved one the Groth16
//!   proof (`ProofError::Kyc`); every element of the Groth16 proof, re-signed, gets `KycFormat`
//!   (naming the element) or `Kyc`; a section from another transaction gets `Kyc`; a root update
//!   out of sequence or not chaining from the current root, `StatementError::RootUpdate`;
//! - `sigma_proofs_*`: every commitment and response of every sigma proof, as values and as
//!   wire bytes;
//! - `range_proof_*`: three bytes of every 32-byte element of every range proof, and every
//!   byte of one (the burn's); `kyc_proof_every_byte`: every byte of a Groth16 proof;
//! - the named rejections of the issue, each its own test, and the KYC rules (root window,
//!   day, registration nullifier, sections moved between transactions, the link);
//! - property tests over random valid and invalid statements.
//!
//! Cost: the chain makes 7 Groth16 proofs, the re-proving attacker one per customer case (its
//! baseline), a few tests one or two each; the property test that builds transfers is capped
//! at 4 cases.
#[path = "soundness/catalog.rs"]
mod catalog;
#[path = "soundness/fixture.rs"]
mod fixture;
#[path = "soundness/forge.rs"]
mod forge;
#[path = "soundness/harness.rs"]
mod harness;

use catalog::{field_mutations, range_mutations, sigma_mutations};
use fixture::fixture;
use harness::run;

fn fields(name: &str, seed: u64) {
    let fx = fixture();
    let case = fx.case(name);
    let n = run(fx, case, &field_mutations(fx, case), seed);
    assert!(n > 0);
}

fn sigma_proofs(name: &str, seed: u64) {
    let fx = fixture();
    let case = fx.case(name);
    let muts = sigma_mutations(case);
    assert!(!muts.is_empty(), "{name} carries sigma proofs");
    run(fx, case, &muts, seed);
}

/// Byte offsets and masks flipped in each 32-byte element of a range proof: the low bit of the
/// first byte, a middle bit, and the top bit of the last byte (which makes a scalar
/// non-canonical).
const RANGE_FLIPS: [(usize, u8); 3] = [(0, 0x01), (15, 0x10), (31, 0x80)];

fn range_proof(name: &str, seed: u64, flips: &[(usize, u8)]) {
    let fx = fixture();
    let case = fx.case(name);
    run(fx, case, &range_mutations(fx, case, flips), seed);
}

#[test]
fn fixture_every_kind_verifies() {
    let fx = fixture();
    let kinds: Vec<&str> = fx.cases.iter().map(|c| c.tx.body().kind()).collect();
    for kind in [
        "mint",
        "transfer",
        "publish-quote",
        "payout",
        "burn",
        "register-address",
        "kyc-root-update",
    ] {
        assert!(kinds.contains(&kind), "the fixture has a {kind}");
    }
    for case in &fx.cases {
        harness::controls(fx, case, &mut rand::SeedableRng::seed_from_u64(1));
    }
}

#[test]
fn fields_mint() {
    fields("mint", 11);
}

#[test]
fn fields_transfer_treasury() {
    fields("transfer-treasury", 12);
}

#[test]
fn fields_transfer_customer() {
    fields("transfer-customer", 13);
}

#[test]
fn fields_transfer_remittance() {
    fields("transfer-remittance", 14);
}

#[test]
fn fields_publish_quote() {
    fields("publish-quote", 15);
}

#[test]
fn fields_payout() {
    fields("payout", 16);
}

#[test]
fn fields_burn() {
    fields("burn", 17);
}

#[test]
fn fields_register_address() {
    fields("register-address", 18);
}

#[test]
fn fields_kyc_root_update() {
    fields("kyc-root-update", 19);
}

#[test]
fn sigma_proofs_mint() {
    sigma_proofs("mint", 21);
}

#[test]
fn sigma_proofs_transfer_treasury() {
    sigma_proofs("transfer-treasury", 22);
}

#[test]
fn sigma_proofs_transfer_customer() {
    sigma_proofs("transfer-customer", 23);
}

#[test]
fn sigma_proofs_transfer_remittance() {
    sigma_proofs("transfer-remittance", 24);
}

#[test]
fn sigma_proofs_payout() {
    sigma_proofs("payout", 26);
}

#[test]
fn sigma_proofs_burn() {
    sigma_proofs("burn", 27);
}

#[test]
fn sigma_proofs_register_address() {
    sigma_proofs("register-address", 28);
}

#[test]
fn range_proof_transfer_treasury() {
    range_proof("transfer-treasury", 32, &RANGE_FLIPS);
}

#[test]
fn range_proof_transfer_customer() {
    range_proof("transfer-customer", 33, &RANGE_FLIPS);
}

#[test]
fn range_proof_transfer_remittance() {
    range_proof("transfer-remittance", 34, &RANGE_FLIPS);
}

#[test]
fn range_proof_payout() {
    range_proof("payout", 36, &RANGE_FLIPS);
}

#[test]
fn range_proof_burn_every_byte() {
    let every_byte: Vec<(usize, u8)> = (0..32).map(|at| (at, 0x01)).collect();
    range_proof("burn", 37, &every_byte);
}

// ---------------------------------------------------------------------------------------------
// The named rejections of the issue, each its own test.

use catalog::{first_equation, Layout};
use corridor::network::{DemoNetwork, HKD_LIMIT, KYC_ISSUER_ID};
use corridor_circuits::fr_to_bytes;
use corridor_circuits::kyc::{link, link_tag};
use corridor_core::disclosure::DisclosureKind;
use corridor_core::elgamal::{encrypt, AmountOpening, HintContext};
use corridor_core::genesis::Genesis;
use corridor_core::group::{g, Point};
use corridor_core::keys::SpendKey;
use corridor_core::proto;
use corridor_core::state::{BlockContext, PublicState, RootStanding};
use corridor_core::statement::StatementError;
use corridor_core::tx::{
    FieldBytes, NoteId, Transaction, TxBody, UnsignedTransaction, GROTH16_PROOF_LEN,
};
use corridor_core::{DecodeError, Error as CoreError};
use corridor_node::MemoryLedger;
use corridor_prover::builder::{Builder, OwnedNote, Payment};
use corridor_prover::disclosure::{prove_recipient, prove_sender};
use corridor_prover::{KycCredential, ProveError, TransferRequest, ViewWallet};
use corridor_verifier::disclosure::verify_disclosure;
use corridor_verifier::{verify_transaction, ProofError, VerifyError};
use curve25519_dalek::scalar::Scalar;
use fixture::{Case, Fixture, Secrets};
use forge::Forged;
use harness::{
    assert_only, dec, each_proof, range, sigma, signature, stmt, submit, Expect, Mutation,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// `[v mod 2^32, v >> 32]`.
fn split(v: u64) -> [u64; 2] {
    [v & 0xffff_ffff, v >> 32]
}

/// Proves `f`, signs it with `key` and verifies the bytes; returns the verdict and the signed
/// transaction.
fn prove_and_submit(
    fx: &Fixture,
    case: &Case,
    f: &Forged,
    key: &SpendKey,
    rng: &mut ChaCha20Rng,
) -> (harness::Verdict, Transaction) {
    let u = f.prove(fx, case, rng).expect("resolves");
    let tx = u.clone().sign(key);
    (submit(fx, case, u, key), tx)
}

/// The case's KYC credential (a customer's case).
fn credential(case: &Case) -> &KycCredential<'static> {
    case.secrets
        .kyc
        .as_deref()
        .expect("a customer's credential")
}

fn check(v: &harness::Verdict, want: &Expect, what: &str) {
    assert!(
        want.matches(v),
        "{what}: expected {want:?}, got {:?}",
        v.as_ref().map(|_| "accepted")
    );
}

#[test]
fn unbalanced_transfer_fails_only_its_balance_proof() {
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let l = Layout::of(case.tx.body());
    let mut rng = ChaCha20Rng::seed_from_u64(41);
    // Output 0 pays Ana: re-encrypted with `delta` more (value created) or less (value burnt),
    // its validity proofs, the limit and the range proof all honest; only the balance is not.
    // (The KYC proof is remade for the balanced control only: the balance proof, verified before
    // it, refuses the others.)
    for delta in [0i64, 1, -1, 1_000, -1_000] {
        let mut f = Forged::from_case(fx, case, &mut rng);
        let v = fixture::ANA_PAYMENT
            .checked_add_signed(delta)
            .expect("fits");
        f.set_output(&fx.genesis, &case.state, 0, split(v), &mut rng);
        f.refresh_limit(&fx.genesis, &case.state, &mut rng);
        if delta == 0 {
            f.remake_kyc(fx, case, &mut rng).expect("KYC proof");
        }
        let (verdict, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
        if delta == 0 {
            check(&verdict, &Expect::Accepted, "balanced control");
            continue;
        }
        let what = format!("Ana paid {delta:+}");
        check(&verdict, &sigma("balance", l.balance(), 0), &what);
        let balance = format!("balance {}", l.balance());
        assert_only(&each_proof(fx, case, &tx), &[&balance]);
    }
    // The fee: one more than the inputs cover.
    let mut f = Forged::from_case(fx, case, &mut rng);
    if let TxBody::Transfer(t) = &mut f.tx.body {
        t.fee += 1;
    }
    let (verdict, _) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
    check(&verdict, &sigma("balance", l.balance(), 0), "fee + 1");
    // The honest builder refuses to overspend.
    let notes = owned(&case.state, &fx.maria);
    let err = Builder::new(&fx.genesis, &case.state, case.block)
        .transfer(
            &ViewWallet::of(&fx.maria),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: notes.to_vec(),
                payments: vec![Payment {
                    to: fx.ana.address(),
                    value: 500_000,
                }],
                fee: 1,
                remittance: None,
                kyc: Some(credential(case).clone()),
            },
            &mut rng,
        )
        .expect_err("overspends");
    assert!(matches!(
        err,
        ProveError::InsufficientFunds {
            available: 500_000,
            needed: 500_001
        }
    ));
}

/// `keys`' unspent notes in `state`, decrypted, in id order.
fn owned(state: &MemoryLedger, keys: &corridor_core::keys::WalletKeys) -> Vec<OwnedNote> {
    state
        .unspent_of(&keys.address())
        .unwrap()
        .into_iter()
        .map(|n| OwnedNote::decrypt(n, &keys.view).expect("decrypts"))
        .collect()
}

#[test]
fn repeated_input_is_rejected() {
    let fx = fixture();
    // On the wire: the decoder refuses it, naming the second occurrence.
    for (name, i, field) in [
        ("transfer-customer", 1, "transfer.inputs[1]"),
        ("payout", 1, "payout.inputs[1]"),
    ] {
        let case = fx.case(name);
        let mut u = case.tx.clone().into_unsigned();
        let id = forge::inputs_mut(&mut u.body)[0].note_id;
        forge::inputs_mut(&mut u.body)[i].note_id = id;
        let v = submit(fx, case, u, &case.signer);
        let want = dec(DecodeError::Invalid {
            field: field.into(),
            reason: format!("note {} is spent twice in one transaction", id.short()),
        });
        check(&v, &want, name);
    }
    // In process (a transaction built and handed to the verifier without bytes): resolution
    // refuses it too, and so the builder cannot make one.
    let case = fx.case("transfer-customer");
    let mut u = case.tx.clone().into_unsigned();
    if let TxBody::Transfer(t) = &mut u.body {
        t.inputs[1] = t.inputs[0].clone();
    }
    let id = case.tx.body().inputs()[0].note_id;
    let repeated = StatementError::RepeatedInput {
        index: 1,
        id: id.short(),
    };
    let v = harness::verify_in(fx, case, &u.sign(&case.signer));
    assert_eq!(v.map(|_| ()), Err(VerifyError::Statement(repeated.clone())));
    let notes = owned(&case.state, &fx.maria);
    let twice = [notes[0].clone(), notes[0].clone()];
    let err = Builder::new(&fx.genesis, &case.state, case.block)
        .transfer(
            &ViewWallet::of(&fx.maria),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: twice.to_vec(),
                payments: vec![Payment {
                    to: fx.ana.address(),
                    value: 2 * notes[0].value - 1,
                }],
                fee: 0,
                remittance: None,
                kyc: Some(credential(case).clone()),
            },
            &mut ChaCha20Rng::seed_from_u64(42),
        )
        .expect_err("one note cannot pay twice its value");
    assert!(matches!(err, ProveError::Statement(e) if e == repeated));
}

/// A network whose HKD treasury holds notes of 2^64 − 1 and 1: together they pass 2^64.
fn wrap_case() -> (Case, Fixture) {
    let mut net = DemoNetwork::new(fixture::SEED).expect("the demo network");
    let mut rng = ChaCha20Rng::seed_from_u64(43);
    let inst = &net.inst;
    let (issuer, treasury) = (inst.hkd_issuer.clone(), inst.hkd_treasury.clone());
    let mint = net
        .builder()
        .mint("HKD", 0, &[u64::MAX, 1], &mut rng)
        .expect("mint");
    net.submit(&mint.tx.sign(&issuer)).expect("mint verifies");
    let notes = owned(&net.state, &treasury);
    // The builder will not make an output of 2^64.
    let err = net
        .builder()
        .transfer(
            &ViewWallet::of(&treasury),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: notes.to_vec(),
                payments: vec![],
                fee: 0,
                remittance: None,
                kyc: None,
            },
            &mut rng,
        )
        .expect_err("2^64 does not fit a u64");
    assert!(matches!(err, ProveError::Overflow("change")));
    // With a fee of 1 the change is 2^64 − 1: a valid transfer to itself.
    let built = net
        .builder()
        .transfer(
            &ViewWallet::of(&treasury),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: notes.to_vec(),
                payments: vec![],
                fee: 1,
                remittance: None,
                kyc: None,
            },
            &mut rng,
        )
        .expect("merge");
    let case = Case::new(
        "merge",
        built.tx.sign(&treasury.spend),
        net.state.clone(),
        net.block(),
        treasury.spend.clone(),
        Secrets {
            inputs: notes
                .iter()
                .map(|n| (treasury.view.clone(), n.value))
                .collect(),
            outputs: built.openings,
            ..Secrets::default()
        },
    );
    let f = fixture();
    let fx = Fixture {
        genesis: net.genesis.clone(),
        keys: net.keys,
        cases: Vec::new(),
        last_state: net.state.clone(),
        last_block: net.block(),
        roots: Vec::new(),
        maria: f.maria.clone(),
        ana: f.ana.clone(),
        juan: f.juan.clone(),
        rosa: f.rosa.clone(),
        outsider: f.outsider.clone(),
        hkd_treasury: treasury,
        php_treasury: f.php_treasury.clone(),
        ph_settlement: f.ph_settlement.clone(),
        ph_float: f.ph_float.clone(),
        ph_operator: f.ph_operator.clone(),
        hk_operator: f.hk_operator.clone(),
        kyc_issuer: f.kyc_issuer.clone(),
        hkma: f.hkma.clone(),
    };
    (case, fx)
}

#[test]
fn amount_wrapping_past_2_64_fails_the_range_proof() {
    let (case, fx) = wrap_case();
    let mut rng = ChaCha20Rng::seed_from_u64(44);
    harness::controls(&fx, &case, &mut rng);
    // (2^64 − 1) + 1 = 2^64, as one output with fee 0: in a u64 it wraps to 0. As chunks it
    // needs a chunk of 2^32: [0, 2^32] or [2^32, 2^32 − 1]. The sum balances over scalars; the
    // only broken proof is the range proof.
    for chunks in [[0, 1 << 32], [1 << 32, (1 << 32) - 1]] {
        let mut f = Forged::from_case(&fx, &case, &mut rng);
        if let TxBody::Transfer(t) = &mut f.tx.body {
            t.fee = 0;
        }
        f.set_output(&fx.genesis, &case.state, 0, chunks, &mut rng);
        let (verdict, tx) = prove_and_submit(&fx, &case, &f, &case.signer, &mut rng);
        check(&verdict, &range(), &format!("chunks {chunks:?}"));
        assert_only(&each_proof(&fx, &case, &tx), &["range"]);
    }
    // Control: the same merge with in-range chunks [2^32 − 1, 2^32 − 1] and fee 1 verifies.
    let mut f = Forged::from_case(&fx, &case, &mut rng);
    f.set_output(&fx.genesis, &case.state, 0, split(u64::MAX), &mut rng);
    let (verdict, _) = prove_and_submit(&fx, &case, &f, &case.signer, &mut rng);
    check(&verdict, &Expect::Accepted, "in-range control");
}

#[test]
fn u64_wrapping_sum_does_not_balance() {
    // Maria's 500,000 pays Ana 123,456, keeps change 2^64 − 1 and a fee of 376,545: every value
    // is a valid u64 with in-range chunks and the u64 sum wraps to exactly 500,000; over the
    // scalars it does not balance.
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let l = Layout::of(case.tx.body());
    let mut rng = ChaCha20Rng::seed_from_u64(45);
    let mut f = Forged::from_case(fx, case, &mut rng);
    let fee = 376_545u64;
    assert_eq!(
        fixture::ANA_PAYMENT
            .wrapping_add(u64::MAX)
            .wrapping_add(fee),
        500_000
    );
    if let TxBody::Transfer(t) = &mut f.tx.body {
        t.fee = fee;
    }
    f.set_output(&fx.genesis, &case.state, 1, split(u64::MAX), &mut rng);
    let (verdict, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
    check(&verdict, &sigma("balance", l.balance(), 0), "wrapping sum");
    let balance = format!("balance {}", l.balance());
    assert_only(&each_proof(fx, case, &tx), &[&balance]);
}

#[test]
fn payees_over_the_limit_fail_the_range_proof() {
    // The treasury pays Maria 300,000 + 200,000 and keeps the change. Raise output 0 so that
    // the payees get L + 1 (the change pays for it: balanced), with W0 the forger's best: the
    // slack L − paid = −1 has no opening in [0, 2^32) × [0, 2^32).
    let fx = fixture();
    let case = fx.case("transfer-treasury");
    let mut rng = ChaCha20Rng::seed_from_u64(46);
    let total = fixture::HKD_MINT_NOTES[0];
    let second = fixture::MARIA_NOTES[1];
    for excess in [0u64, 1, 2, 1_000_000] {
        let paid = HKD_LIMIT + excess;
        let mut f = Forged::from_case(fx, case, &mut rng);
        f.set_output(&fx.genesis, &case.state, 0, split(paid - second), &mut rng);
        f.set_output(&fx.genesis, &case.state, 2, split(total - paid), &mut rng);
        f.refresh_limit(&fx.genesis, &case.state, &mut rng);
        let (verdict, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
        if excess == 0 {
            check(&verdict, &Expect::Accepted, "paying exactly L");
            continue;
        }
        check(&verdict, &range(), &format!("L + {excess}"));
        assert_only(&each_proof(fx, case, &tx), &["range"]);
    }
    // The builder refuses before proving.
    let notes: Vec<OwnedNote> = owned(&case.state, &fx.hkd_treasury)
        .into_iter()
        .filter(|n| n.value == total)
        .collect();
    let err = Builder::new(&fx.genesis, &case.state, case.block)
        .transfer(
            &ViewWallet::of(&fx.hkd_treasury),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: notes.to_vec(),
                payments: vec![Payment {
                    to: fx.maria.address(),
                    value: HKD_LIMIT + 1,
                }],
                fee: 0,
                remittance: None,
                kyc: None,
            },
            &mut rng,
        )
        .expect_err("over the limit");
    assert!(matches!(
        err,
        ProveError::OverLimit {
            limit: HKD_LIMIT,
            ..
        }
    ));
}

#[test]
fn fx_rounding_off_by_one_either_way_fails_the_range_proof() {
    let fx = fixture();
    let case = fx.case("payout");
    let l = Layout::of(case.tx.body());
    let mut rng = ChaCha20Rng::seed_from_u64(47);
    let (num, den) = (
        u128::from(fixture::QUOTE_NUM),
        u128::from(fixture::QUOTE_DEN),
    );
    let scaled = u128::from(fixture::REMIT) * num;
    let b = u64::try_from(scaled / den).expect("fits");
    let rem = scaled % den;
    assert_ne!(rem, 0, "the fixture's conversion has a remainder");
    for offset in [0i64, 1, -1] {
        // The beneficiary gets b ± 1, the float change ∓ 1 (balanced), the limit is re-derived,
        // and R commits whatever makes the FX equation hold: rem − den (negative) for b + 1,
        // rem + den (then den − 1 − R is negative) for b − 1.
        let paid = b.checked_add_signed(offset).expect("fits");
        let mut f = Forged::from_case(fx, case, &mut rng);
        f.set_output(&fx.genesis, &case.state, 0, split(paid), &mut rng);
        f.set_output(
            &fx.genesis,
            &case.state,
            2,
            split(fixture::PHP_FLOAT - paid),
            &mut rng,
        );
        f.refresh_limit(&fx.genesis, &case.state, &mut rng);
        f.refresh_fx(&case.state, &mut rng);
        let r = f.w.fx.expect("fx").remainder.value;
        assert_eq!(r, rem as i128 - i128::from(offset) * den as i128);
        let (verdict, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
        if offset == 0 {
            check(&verdict, &Expect::Accepted, "b = ⌊a·num/den⌋");
            continue;
        }
        check(&verdict, &range(), &format!("b {offset:+}"));
        assert_only(&each_proof(fx, case, &tx), &["range"]);
        // Keeping R honest instead breaks the FX equation itself.
        f.set_fx_remainder(
            fixture::QUOTE_NUM,
            fixture::QUOTE_DEN,
            rem as i128,
            &mut rng,
        );
        let (verdict, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
        let fx_index = l.balance() + 2;
        check(
            &verdict,
            &sigma("fx", fx_index, 0),
            &format!("b {offset:+}, R honest"),
        );
        assert_only(&each_proof(fx, case, &tx), &[&format!("fx {fx_index}")]);
    }
}

#[test]
fn spend_by_a_key_that_does_not_own_the_input_is_rejected() {
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let mut rng = ChaCha20Rng::seed_from_u64(48);
    // Ana spends Maria's notes: whatever she proves, the statement's signer is the notes' owner.
    let mut f = Forged::from_case(fx, case, &mut rng);
    for w in &mut f.w.inputs {
        w.t = fx.ana.view.inverse();
    }
    let (verdict, _) = prove_and_submit(fx, case, &f, &fx.ana.spend, &mut rng);
    check(&verdict, &signature("transfer"), "signed by Ana");
    // A thief with Maria's spend key but not her view key: the equality proofs fail, each on
    // H = t·P, and nothing else does.
    let (verdict, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
    check(&verdict, &sigma("equality", 0, 0), "without the view key");
    let verdicts = each_proof(fx, case, &tx);
    assert_only(&verdicts, &["equality 0", "equality 1"]);
    assert!(verdicts[..2]
        .iter()
        .all(|(_, r)| matches!(r, Err(ProofError::Sigma { equation: 0, .. }))));
    // Inputs of two owners.
    let mut u = case.tx.clone().into_unsigned();
    let treasury_note = case.state.unspent_of(&fx.hkd_treasury.address()).unwrap()[0].id;
    forge::inputs_mut(&mut u.body)[1].note_id = treasury_note;
    let v = submit(fx, case, u, &case.signer);
    let want = stmt(StatementError::InputOwner {
        index: 1,
        owner: fx.hkd_treasury.address().encode(),
        expected: fx.maria.address().encode(),
    });
    check(&v, &want, "two owners");
    // The builder refuses notes that are not the wallet's.
    let err = Builder::new(&fx.genesis, &case.state, case.block)
        .transfer(
            &ViewWallet::of(&fx.ana),
            &TransferRequest {
                asset: "HKD".into(),
                inputs: owned(&case.state, &fx.maria),
                payments: vec![],
                fee: 0,
                remittance: None,
                kyc: Some(credential(case).clone()),
            },
            &mut rng,
        )
        .expect_err("not Ana's notes");
    assert!(
        matches!(err, ProveError::NotOwner { index: 0, .. }),
        "{err}"
    );
}

/// Sets a key of an address on the wire to the identity, and expects the decoder to name it.
fn identity_key_attacks(key: &'static str) {
    let fx = fixture();
    let which = move |a: &mut proto::Address| {
        if key == "spend_key" {
            a.spend_key = vec![0; 32];
        } else {
            a.view_key = vec![0; 32];
        }
    };
    let attacks: Vec<(&str, Mutation)> = vec![
        (
            "transfer-customer",
            Mutation::wire(
                "output owner",
                move |p| which(catalog::proto_outputs(p)[0].owner.as_mut().expect("owner")),
                dec(DecodeError::IdentityPoint {
                    field: format!("transfer.outputs[0].owner.{key}"),
                }),
            ),
        ),
        (
            "payout",
            Mutation::wire(
                "beneficiary",
                move |p| {
                    if let Some(proto::transaction::Body::Payout(b)) = p.body.as_mut() {
                        which(b.beneficiary.as_mut().expect("beneficiary"));
                    }
                },
                dec(DecodeError::IdentityPoint {
                    field: format!("payout.beneficiary.{key}"),
                }),
            ),
        ),
        (
            "register-address",
            Mutation::wire(
                "registered address",
                move |p| {
                    if let Some(proto::transaction::Body::RegisterAddress(r)) = p.body.as_mut() {
                        which(r.address.as_mut().expect("address"));
                    }
                },
                dec(DecodeError::IdentityPoint {
                    field: format!("register_address.address.{key}"),
                }),
            ),
        ),
    ];
    for (name, m) in attacks {
        let case = fx.case(name);
        let v = harness::resigned(fx, case, &m);
        check(&v, &m.resigned, &format!("{name}: {} {key}", m.name));
    }
    // The domain type cannot hold one either.
    let a = fx.maria.address();
    let (x, p) = (*a.spend_key(), *a.view_key());
    let field = format!("address.{key}");
    let made = if key == "spend_key" {
        corridor_core::Address::from_keys(Point::identity(), p)
    } else {
        corridor_core::Address::from_keys(x, Point::identity())
    };
    assert_eq!(made, Err(DecodeError::IdentityPoint { field }));
}

#[test]
fn identity_spend_key_x_is_rejected() {
    identity_key_attacks("spend_key");
}

#[test]
fn identity_view_key_p_is_rejected() {
    identity_key_attacks("view_key");
}

#[test]
fn identity_auditor_key_is_rejected() {
    let fx = fixture();
    let mut genesis: Genesis = fx.genesis.clone();
    genesis.validate().expect("the fixture's genesis is valid");
    genesis.assets[0].auditors[1] = Point::identity();
    assert_eq!(
        genesis.validate(),
        Err(CoreError::Invalid(
            "genesis: asset HKD has an identity key".into()
        ))
    );
    // Nothing encrypts to it: a handle r·0 would prove nothing about r.
    let decryptors = genesis.assets[0].decryptors(&fx.maria.address());
    let err = encrypt(
        1,
        &decryptors,
        HintContext {
            asset: "HKD",
            output_index: 0,
        },
        &mut ChaCha20Rng::seed_from_u64(49),
    )
    .map(|_| ())
    .expect_err("identity decryptor");
    assert_eq!(err, CoreError::Key("decryptor 2: the identity".into()));
    // Nor may issuer or operator keys be the identity.
    let mut g2 = fx.genesis.clone();
    g2.assets[1].issuer_key = Point::identity();
    assert!(
        matches!(g2.validate(), Err(CoreError::Invalid(m)) if m.contains("PHP has an identity key"))
    );
    let mut g3 = fx.genesis.clone();
    g3.operators[0].key = Point::identity();
    assert!(matches!(g3.validate(), Err(CoreError::Invalid(m)) if m.contains("identity key")));
}

#[test]
fn identity_ephemeral_is_rejected() {
    let fx = fixture();
    for name in ["mint", "transfer-customer", "payout", "burn"] {
        let case = fx.case(name);
        let l = Layout::of(case.tx.body());
        for o in 0..l.n_out {
            let m = Mutation::wire(
                "E = identity",
                move |p| catalog::proto_outputs(p)[o].ephemeral = vec![0; 32],
                dec(DecodeError::IdentityPoint {
                    field: format!("{}.ephemeral", l.output_path(o)),
                }),
            );
            check(&harness::resigned(fx, case, &m), &m.resigned, name);
        }
    }
}

#[test]
fn owner_handle_equal_to_the_identity_is_rejected() {
    let fx = fixture();
    for name in ["mint", "transfer-customer", "payout", "burn"] {
        let case = fx.case(name);
        let l = Layout::of(case.tx.body());
        for o in 0..l.n_out {
            let want = dec(DecodeError::IdentityPoint {
                field: format!("{}.owner handle D_0 + 2^32·D_1", l.output_path(o)),
            });
            // Both chunk handles the identity, and two non-identity handles that cancel.
            let zero = Mutation::same(
                "D_0 = D_1 = identity",
                move |u| {
                    for c in forge::outputs_mut(&mut u.body)[o].amount.chunks.iter_mut() {
                        c.handles[0] = Point::identity();
                    }
                },
                want.clone(),
            );
            let cancel = Mutation::same(
                "D_0 = −2^32·D_1",
                move |u| {
                    let a = &mut forge::outputs_mut(&mut u.body)[o].amount;
                    let d1 = a.chunks[1].handles[0].point();
                    assert!(!a.chunks[1].handles[0].is_identity());
                    a.chunks[0].handles[0] =
                        Point::new(-(corridor_core::group::chunk_scale() * d1));
                },
                want,
            );
            for m in [zero, cancel] {
                check(&harness::resigned(fx, case, &m), &m.resigned, name);
            }
            // An auditor's handle may be the identity on the wire: the proof refuses it.
            let n = case.tx.body().outputs()[o].amount.decryptors();
            let (rel, idx) = l.output_proof(o, 0);
            let auditor = Mutation::body(
                "auditor handle = identity",
                move |u| {
                    forge::outputs_mut(&mut u.body)[o].amount.chunks[0].handles[n - 1] =
                        Point::identity()
                },
                l.first(),
                Some(sigma(rel, idx, n)),
            );
            check(
                &harness::resigned(fx, case, &auditor),
                &auditor.resigned,
                name,
            );
            let v = harness::reproved(fx, case, &auditor, &mut ChaCha20Rng::seed_from_u64(50));
            check(&v, auditor.reproved.as_ref().expect("re-proved"), name);
        }
    }
}

#[test]
fn kyc_proof_every_byte() {
    // Every byte of Maria's Groth16 proof, its low bit flipped, re-signed: the proof is in
    // neither the digest nor the transcript, so every sigma and range proof holds; the bytes
    // either stop decoding (`KycFormat`, naming A, B or C) or decode to a proof of nothing.
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let flips: Vec<(usize, u8)> = (0..GROTH16_PROOF_LEN).map(|at| (at, 0x01)).collect();
    let muts = catalog::groth16_mutations(case, "transfer.kyc", &flips);
    // Both verdicts occur: the test cannot pass on one alone.
    assert!(muts.iter().any(|m| m.resigned == harness::kyc()));
    assert!(muts
        .iter()
        .any(|m| matches!(m.resigned, Expect::KycFormat(_))));
    harness::run(fx, case, &muts, 61);
}

#[test]
fn kyc_sections_do_not_move_between_transactions() {
    // Maria's two transfers: each one's KYC section (or only its Groth16 proof) in the other,
    // re-signed by Maria, every sigma and range proof made again: the proof is for another
    // statement digest (binding and scope), so the Groth16 verification refuses it. Juan's
    // section in Maria's transfer: another link as well.
    let fx = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(62);
    for (to, from) in [
        ("transfer-customer", "transfer-remittance"),
        ("transfer-remittance", "transfer-customer"),
        ("transfer-customer", "burn"),
    ] {
        let case = fx.case(to);
        let other = fx
            .case(from)
            .tx
            .body()
            .kyc()
            .cloned()
            .expect("a KYC section");
        let proof = other.proof;
        let whole = Mutation::body(
            format!("{from}'s KYC section"),
            move |u| *u.body.kyc_mut().expect("a KYC section") = other.clone(),
            Layout::of(case.tx.body()).first(),
            Some(harness::kyc()),
        );
        check(&harness::resigned(fx, case, &whole), &whole.resigned, to);
        let v = harness::reproved(fx, case, &whole, &mut rng);
        check(&v, &harness::kyc(), &format!("{to} with {from}'s section"));
        let only_proof = Mutation::body(
            format!("{from}'s Groth16 proof"),
            move |u| u.body.kyc_mut().expect("a KYC section").proof = proof,
            harness::kyc(),
            None,
        );
        let v = harness::resigned(fx, case, &only_proof);
        check(&v, &harness::kyc(), &format!("{to} with {from}'s proof"));
    }
}

#[test]
fn kyc_root_window_is_counted_from_supersession() {
    // Maria's transfer proves membership under the root that Rosa's enrolment superseded. The
    // unmodified transaction is accepted until `root_window` blocks after that supersession and
    // refused one block later.
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let root = case.tx.body().kyc().expect("a KYC section").root;
    let Some(RootStanding::SupersededAt(at)) =
        fx.last_state.kyc_root(KYC_ISSUER_ID, &root).unwrap()
    else {
        panic!("Maria's root is superseded by the end of the chain");
    };
    let window = fx.genesis.root_window;
    let at_height = |height: u64| {
        let block = BlockContext {
            height,
            time: case.block.time,
        };
        verify_transaction(&case.tx, &harness::context(fx, &fx.last_state, block))
    };
    check(&at_height(at), &Expect::Accepted, "superseded this block");
    check(
        &at_height(at + window),
        &Expect::Accepted,
        "last block of the window",
    );
    let want = harness::stmt_kyc(format!(
        "root {root:?} of issuer {KYC_ISSUER_ID} was superseded at height {at}, more than \
         {window} blocks before {}",
        at + window + 1
    ));
    check(
        &at_height(at + window + 1),
        &want,
        "one block past the window",
    );
}

#[test]
fn kyc_epoch_day_is_the_block_day_or_the_day_before() {
    // Maria's unmodified transfer, dated on its block's day, in later blocks: accepted the next
    // day, refused the day after.
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let day = case.tx.body().kyc().expect("a KYC section").epoch_day;
    let on = |later_days: u64| {
        let block = BlockContext {
            height: case.block.height,
            time: case.block.time + later_days * 86_400,
        };
        verify_transaction(&case.tx, &harness::context(fx, &case.state, block))
    };
    check(&on(1), &Expect::Accepted, "the next day");
    let want = harness::stmt_kyc(format!(
        "epoch day {day} is neither the block's day {} nor the day before",
        day + 2
    ));
    check(&on(2), &want, "two days later");
}

#[test]
fn kyc_registration_nullifier_is_single_use() {
    // Rosa's registration, replayed for another address (the outsider's keys, signed by them)
    // once hers is committed: the same identity in the same month has the same registration
    // nullifier, which the node has recorded.
    let fx = fixture();
    let case = fx.case("register-address");
    let mut u = case.tx.clone().into_unsigned();
    catalog::register(&mut u).address = fx.outsider.address();
    let nullifier = catalog::register(&mut u).kyc.nullifier;
    assert!(fx
        .last_state
        .registration_nullifier_used(&nullifier)
        .unwrap());
    let v = verify_transaction(
        &u.clone().sign(&fx.outsider.spend),
        &harness::context(fx, &fx.last_state, fx.last_block),
    );
    let want = harness::stmt_kyc(format!("registration nullifier {nullifier:?} already used"));
    check(&v, &want, "a second registration of Rosa's identity");
    // Before Rosa's registration the nullifier is unused: the same edit then fails only on
    // its proofs (the digest moved).
    let v = submit(fx, case, u, &fx.outsider.spend);
    check(&v, &sigma("view-key", 0, 0), "before Rosa registered");
}

#[test]
fn free_choices_verify_once_the_kyc_proof_is_remade() {
    // The edits no sigma relation reads (`Layout::free`) move a customer's digest, so the
    // re-proving attacker's stale Groth16 proof refuses them. A customer re-proving the KYC
    // statement as well — her own credential, for her own transaction — makes them valid: they
    // are hers to choose.
    let fx = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(63);
    type Edit = fn(&mut UnsignedTransaction);
    let cases: [(&str, &str, Edit); 4] = [
        ("transfer-customer", "hints removed, E + G", |u| {
            let out = &mut forge::outputs_mut(&mut u.body)[0].amount;
            out.hints.clear();
            out.ephemeral = catalog::plus_g(&out.ephemeral);
        }),
        (
            "transfer-remittance",
            "q and the instruction box edited",
            |u| {
                let r = catalog::transfer(u)
                    .remittance
                    .as_mut()
                    .expect("remittance");
                r.beneficiary_commitment[0] ^= 1;
                r.instruction[40] ^= 1;
            },
        ),
        ("burn", "burn − 1, fee + 1", |u| {
            catalog::burn(u).burn_amount -= 1;
            catalog::burn(u).fee += 1;
        }),
        ("register-address", "another X, signed by it", |_| {}),
    ];
    for (name, what, edit) in cases {
        let case = fx.case(name);
        let mut f = Forged::baseline(fx, case);
        edit(&mut f.tx);
        let mut signer = &case.signer;
        if name == "register-address" {
            let other_x = corridor_core::Address::from_keys(
                *fx.outsider.address().spend_key(),
                *fx.rosa.address().view_key(),
            )
            .expect("keys");
            catalog::register(&mut f.tx).address = other_x;
            signer = &fx.outsider.spend;
        }
        let stale = submit(
            fx,
            case,
            f.prove(fx, case, &mut rng).expect("resolves"),
            signer,
        );
        check(&stale, &harness::kyc(), &format!("{name}: {what}, stale"));
        f.remake_kyc(fx, case, &mut rng).expect("KYC proof");
        let (v, _) = prove_and_submit(fx, case, &f, signer, &mut rng);
        check(&v, &Expect::Accepted, &format!("{name}: {what}, remade"));
    }
}

#[test]
fn a_link_on_a_transfer_is_refused_even_in_process() {
    // A Transfer or Burn proves the credential its address registered with: the node supplies
    // the stored `link`. One built in process (the decoder refuses it on the wire) that carried a
    // `link` was once resolved as a registration — the carried link, the monthly registration
    // scope — so Maria could spend with a proof of any other enrolled identity whose registration
    // nullifier was unused that month. Here: Rosa's, enrolled and not yet registered.
    let fx = fixture();
    let base = fx.case("transfer-customer");
    let reg = fx.case("register-address");
    let case = Case::new(
        "Maria's transfer, proven with Rosa's credential",
        base.tx.clone(),
        reg.state.clone(),
        reg.block,
        base.signer.clone(),
        Secrets {
            kyc: reg.secrets.kyc.clone(),
            ..base.secrets.clone()
        },
    );
    // Control: at that state Maria's transfer verifies (her root is still in its window).
    check(
        &harness::verify_in(fx, &case, &case.tx),
        &Expect::Accepted,
        "control",
    );
    let rosa = credential(reg);
    let mut rng = ChaCha20Rng::seed_from_u64(64);
    let mut f = Forged::from_case(fx, &case, &mut rng);
    let section = f.tx.body.kyc_mut().expect("a KYC section");
    section.link = Some(FieldBytes(fr_to_bytes(&link(
        rosa.credential.identity_secret(),
        link_tag(&fx.maria.address()),
    ))));
    section.root = reg.tx.body().kyc().expect("Rosa's section").root;
    let refused = StatementError::Kyc("only RegisterAddress carries a link".into());
    // The cheating prover cannot get a statement to prove, and the stale proofs are refused.
    assert_eq!(f.remake_kyc(fx, &case, &mut rng), Err(refused.to_string()));
    let v = harness::verify_in(fx, &case, &f.tx.clone().sign(&case.signer));
    check(&v, &stmt(refused), "a Transfer carrying a link");
    // On the wire the decoder refuses it first.
    let v = harness::verify_bytes_unchecked(fx, &case, &f.tx.clone().sign(&case.signer).encode());
    check(
        &v,
        &Expect::DecodeInvalid("transfer.kyc.link".into()),
        "on the wire",
    );
    // A registration without its link, in process.
    let mut u = reg.tx.clone().into_unsigned();
    catalog::register(&mut u).kyc.link = None;
    let v = harness::verify_in(fx, reg, &u.sign(&reg.signer));
    let want = harness::stmt_kyc("a registration carries its link".into());
    check(&v, &want, "a RegisterAddress without its link");
}

#[test]
fn disclosure_of_a_wrong_amount_is_rejected() {
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let network = &fx.genesis.network;
    let note = fx
        .last_state
        .note(&NoteId::derive(&case.tx.id(), 0))
        .unwrap()
        .expect("Ana's note");
    assert_eq!(note.owner, fx.ana.address());
    let v = fixture::ANA_PAYMENT;
    let opening: &AmountOpening = &case.secrets.outputs[0];
    assert_eq!(opening.value, v);
    let nonce = [0x77; 32];
    let mut rng = ChaCha20Rng::seed_from_u64(51);
    let wrong = |kind: DisclosureKind, equation: usize| {
        let relation = match kind {
            DisclosureKind::Recipient => "recipient-disclosure",
            DisclosureKind::Sender => "sender-disclosure",
        };
        Err(ProofError::Sigma {
            relation,
            index: 0,
            equation,
        })
    };
    // Recipient (Ana, with her view key).
    let honest = prove_recipient(network, &note, &fx.ana.view, v, nonce, &mut rng).expect("proves");
    assert_eq!(verify_disclosure(network, &note, &honest, &nonce), Ok(()));
    for claimed in [v + 1, v - 1, 0, u64::MAX] {
        let d = prove_recipient(network, &note, &fx.ana.view, claimed, nonce, &mut rng)
            .expect("proves");
        // H = t·P holds; C − v·G = t·D does not.
        assert_eq!(
            verify_disclosure(network, &note, &d, &nonce),
            wrong(DisclosureKind::Recipient, 1),
            "recipient claims {claimed}"
        );
    }
    // Sender (Maria, with the opening she kept).
    let honest = prove_sender(network, &note, opening, nonce, &mut rng).expect("proves");
    assert_eq!(verify_disclosure(network, &note, &honest, &nonce), Ok(()));
    for claimed in [v + 1, v - 1] {
        let lying = AmountOpening {
            value: claimed,
            blindings: opening.blindings,
        };
        let d = prove_sender(network, &note, &lying, nonce, &mut rng).expect("proves");
        // C − v·G = r·H fails first.
        assert_eq!(
            verify_disclosure(network, &note, &d, &nonce),
            wrong(DisclosureKind::Sender, 0),
            "sender claims {claimed}"
        );
    }
    // An honest disclosure with its value edited, or shown for another nonce: the transcript
    // moves, the first equation fails.
    let mut edited = honest.clone();
    edited.value += 1;
    assert_eq!(
        verify_disclosure(network, &note, &edited, &nonce),
        wrong(DisclosureKind::Sender, 0)
    );
    assert_eq!(
        verify_disclosure(network, &note, &honest, &[0x78; 32]),
        wrong(DisclosureKind::Sender, 0)
    );
    // Someone else's view key cannot make a recipient disclosure: H = t·P fails.
    let d = prove_recipient(network, &note, &fx.maria.view, v, nonce, &mut rng).expect("proves");
    assert_eq!(
        verify_disclosure(network, &note, &d, &nonce),
        wrong(DisclosureKind::Recipient, 0)
    );
}

#[test]
fn without_re_signing_every_edit_is_a_signature_error() {
    // The control of the whole suite: every edit that resolves, kept with the ORIGINAL
    // signature, is refused as unsigned. So the re-signed attacks above are refused by the
    // proofs, not by the signature.
    let fx = fixture();
    for case in &fx.cases {
        let kind = case.tx.body().kind();
        let mut muts = catalog::field_mutations(fx, case);
        if !case.tx.body().sigma_proofs().is_empty() {
            muts.extend(catalog::sigma_mutations(case));
        }
        if case.tx.body().range_proof().is_some() {
            muts.extend(catalog::range_mutations(fx, case, &[(0, 1)]));
        }
        let mut checked = 0;
        for m in muts.iter().filter(|m| m.signer.is_none()) {
            if !m.resigned.resolves() {
                continue;
            }
            let mut p = case.tx.to_proto();
            match &m.edit {
                harness::Edit::Body(f) => {
                    let mut u = case.tx.clone().into_unsigned();
                    f(&mut u);
                    p = u.to_proto();
                }
                harness::Edit::Wire(f) => f(&mut p),
            }
            p.signature = case.tx.signature().to_vec();
            let v = harness::verify_bytes_unchecked(fx, case, &prost::Message::encode_to_vec(&p));
            let want = signature(kind);
            check(
                &v,
                &want,
                &format!("{}: {} kept its old signature", case.name, m.name),
            );
            checked += 1;
        }
        assert!(checked > 0, "{}: some edits resolve", case.name);
    }
}

#[test]
fn counts_and_shapes_are_checked_without_the_decoder() {
    // A transaction built in process never meets the decoder: the verifier checks what the
    // decoder would have refused.
    let fx = fixture();
    let case = fx.case("transfer-customer");
    let l = Layout::of(case.tx.body());
    let verify =
        |u: UnsignedTransaction| harness::verify_in(fx, case, &u.sign(&case.signer)).map(|_| ());
    let mut u = case.tx.clone().into_unsigned();
    catalog::sigma_mut(&mut u.body)[l.balance()].responses.pop();
    assert_eq!(
        verify(u),
        Err(VerifyError::Proof(ProofError::SigmaShape {
            relation: "balance",
            index: l.balance(),
            expected_commitments: 1,
            expected_responses: 1,
        }))
    );
    let mut u = case.tx.clone().into_unsigned();
    catalog::transfer(&mut u).validity.pop();
    let n = case.tx.body().sigma_proofs().len();
    assert_eq!(
        verify(u),
        Err(VerifyError::Proof(ProofError::SigmaCount {
            expected: n,
            found: n - 1,
        }))
    );
    let mut u = case.tx.clone().into_unsigned();
    let len = catalog::transfer(&mut u).range_proof.0.len();
    catalog::transfer(&mut u).range_proof.0.truncate(len - 32);
    assert_eq!(
        verify(u),
        Err(VerifyError::Proof(ProofError::RangeLength {
            m: 8,
            expected: len,
            found: len - 32,
        }))
    );
    // A chunk that leaves out an auditor's handle, re-proved: the decoder would refuse the
    // uneven chunks; resolution refuses the missing handle.
    let mut rng = ChaCha20Rng::seed_from_u64(52);
    let mut f = Forged::from_case(fx, case, &mut rng);
    {
        let mut outs = forge::outputs_mut(&mut f.tx.body);
        outs[0].amount.chunks[1].handles.pop();
        outs[0].amount.hints.clear();
    }
    assert_eq!(
        f.prove(fx, case, &mut rng).map(|_| ()),
        Err(StatementError::Decryptors {
            index: 0,
            expected: 3,
            found: 2,
        })
    );
    assert_eq!(
        verify(f.tx.clone()),
        Err(VerifyError::Statement(StatementError::Decryptors {
            index: 0,
            expected: 3,
            found: 2,
        }))
    );
    // A quote the decoder refuses (den = 0) does not resolve either.
    let quote = fx.case("publish-quote");
    let mut u = quote.tx.clone().into_unsigned();
    catalog::quote(&mut u).den = 0;
    let v = harness::verify_in(fx, quote, &u.sign(&quote.signer)).map(|_| ());
    assert_eq!(
        v,
        Err(VerifyError::Statement(StatementError::Quote(format!(
            "quote {}: num and den must be ≥ 1 and the assets must differ",
            fixture::QUOTE_ID
        ))))
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests: random valid statements verify, random invalid ones get their one verdict.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// A deterministic proptest configuration with few cases (each case proves a transaction).
fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

/// The cases that carry sigma proofs.
const PROVEN: [&str; 7] = [
    "mint",
    "transfer-treasury",
    "transfer-customer",
    "transfer-remittance",
    "payout",
    "burn",
    "register-address",
];

proptest! {
    // Each case makes a Groth16 KYC proof (about a second): few cases.
    #![proptest_config(config(4, 0x5001))]

    /// Maria pays up to two random payees random amounts with a random fee: the honest builder's
    /// transaction verifies, its KYC proof with it; the same transaction with its change moved by
    /// a random non-zero amount (re-encrypted, re-proved) fails its balance proof and no other
    /// sigma or range proof.
    #[test]
    fn random_transfers_verify_and_random_imbalances_do_not(
        payments in prop::collection::vec((any::<bool>(), 1u64..=100_000), 0..=2),
        fee in 0u64..=1_000,
        delta in prop_oneof![-1_000i64..=-1, 1i64..=1_000],
        seed in any::<u64>(),
    ) {
        let fx = fixture();
        let base = fx.case("transfer-customer");
        let state = &base.state;
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let notes = owned(state, &fx.maria);
        let pay: Vec<Payment> = payments
            .iter()
            .map(|(to_ana, value)| Payment {
                to: if *to_ana { fx.ana.address() } else { fx.juan.address() },
                value: *value,
            })
            .collect();
        let built = Builder::new(&fx.genesis, state, base.block)
            .transfer(
                &ViewWallet::of(&fx.maria),
                &TransferRequest {
                    asset: "HKD".into(),
                    inputs: notes.to_vec(),
                    payments: pay,
                    fee,
                    remittance: None,
                    kyc: Some(credential(base).clone()),
                },
                &mut rng,
            )
            .expect("builds");
        let case = Case::new(
            "random transfer",
            built.tx.sign(&fx.maria.spend),
            state.clone(),
            base.block,
            fx.maria.spend.clone(),
            Secrets {
                inputs: notes.iter().map(|n| (fx.maria.view.clone(), n.value)).collect(),
                outputs: built.openings,
                ..base.secrets.clone()
            },
        );
        let v = harness::verify_bytes(fx, &case, &case.tx.encode(), &case.signer);
        prop_assert!(Expect::Accepted.matches(&v), "valid: {}", harness::describe(&v));
        let l = Layout::of(case.tx.body());
        let change = l.n_out - 1;
        let value = case.secrets.outputs[change].value;
        let mut f = Forged::from_case(fx, &case, &mut rng);
        f.set_output(&fx.genesis, state, change, split(value.checked_add_signed(delta).expect("fits")), &mut rng);
        let (v, tx) = prove_and_submit(fx, &case, &f, &case.signer, &mut rng);
        prop_assert!(sigma("balance", l.balance(), 0).matches(&v), "unbalanced by {}: {:?}", delta, v.map(|_| ()));
        assert_only(&each_proof(fx, &case, &tx), &[&format!("balance {}", l.balance())]);
    }
}

proptest! {
    #![proptest_config(config(32, 0x5002))]

    /// One random change to a random transaction, re-signed: a random response (the first
    /// equation using it fails), a random commitment (the proof's first equation fails), a
    /// random byte of the range proof XOR a random mask (it fails to parse or to verify), a
    /// random byte of a customer's Groth16 proof XOR a random mask (it fails to decode or to
    /// verify), or a random public-field attack of the catalog.
    #[test]
    fn random_single_mutations_get_their_verdict(
        which in 0usize..PROVEN.len(),
        kind in 0u8..5,
        pick in any::<prop::sample::Index>(),
        bytes in any::<[u8; 32]>(),
        mask in 1u8..=255,
    ) {
        let fx = fixture();
        let case = fx.case(PROVEN[which]);
        let l = Layout::of(case.tx.body());
        let proofs = case.tx.body().sigma_proofs();
        let range_proof = case.tx.body().range_proof().cloned();
        let kind = match kind {
            2 if range_proof.is_none() => 0,
            4 if !case.is_customer() => 0,
            k => k,
        };
        let i = pick.index(proofs.len());
        let rel = l.relation(i);
        let m = match kind {
            0 => {
                let j = usize::from(bytes[0]) % proofs[i].responses.len();
                let z = Scalar::from_bytes_mod_order(bytes);
                prop_assume!(z != proofs[i].responses[j]);
                Mutation::body(
                    format!("proof {i} response {j} random"),
                    move |u| catalog::sigma_mut(&mut u.body)[i].responses[j] = z,
                    sigma(rel, i, first_equation(rel, j)),
                    None,
                )
            }
            1 => {
                let e = usize::from(bytes[0]) % proofs[i].commitments.len();
                let y = Point::new(Scalar::from_bytes_mod_order(bytes) * g());
                prop_assume!(y != proofs[i].commitments[e]);
                Mutation::body(
                    format!("proof {i} commitment {e} random"),
                    move |u| catalog::sigma_mut(&mut u.body)[i].commitments[e] = y,
                    sigma(rel, i, 0),
                    None,
                )
            }
            2 => {
                let mut rp = range_proof.expect("a range proof").0;
                let pos = pick.index(rp.len());
                rp[pos] ^= mask;
                Mutation::body(
                    format!("range proof byte {pos} ^ {mask:#04x}"),
                    move |u| catalog::range_mut(&mut u.body).0[pos] ^= mask,
                    catalog::range_verdict(&rp),
                    None,
                )
            }
            3 => {
                let muts = field_mutations(fx, case);
                muts[pick.index(muts.len())].clone()
            }
            _ => {
                let pos = pick.index(GROTH16_PROOF_LEN);
                let mut proof = case.tx.body().kyc().expect("a KYC section").proof;
                proof[pos] ^= mask;
                Mutation::body(
                    format!("KYC proof byte {pos} ^ {mask:#04x}"),
                    move |u| u.body.kyc_mut().expect("a KYC section").proof[pos] ^= mask,
                    catalog::groth16_verdict(&proof),
                    None,
                )
            }
        };
        let v = harness::resigned(fx, case, &m);
        prop_assert!(
            m.resigned.matches(&v),
            "{} / {}: expected {:?}, got {:?}",
            case.name,
            m.name,
            m.resigned,
            v.map(|_| ())
        );
    }
}

proptest! {
    #![proptest_config(config(10, 0x5003))]

    /// Random payments around the limit (L − 3 ..= L + 3) and random FX payouts around the
    /// exact conversion (b − 3 ..= b + 3), each balanced and re-proved: those within the rule
    /// verify, the others fail the range proof and nothing else.
    #[test]
    fn random_limits_and_fx_conversions(
        excess in -3i64..=3,
        offset in -3i64..=3,
        seed in any::<u64>(),
    ) {
        let fx = fixture();
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let case = fx.case("transfer-treasury");
        let paid = HKD_LIMIT.checked_add_signed(excess).expect("fits");
        let second = fixture::MARIA_NOTES[1];
        let mut f = Forged::from_case(fx, case, &mut rng);
        f.set_output(&fx.genesis, &case.state, 0, split(paid - second), &mut rng);
        f.set_output(&fx.genesis, &case.state, 2, split(fixture::HKD_MINT_NOTES[0] - paid), &mut rng);
        f.refresh_limit(&fx.genesis, &case.state, &mut rng);
        let (v, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
        if excess <= 0 {
            prop_assert!(Expect::Accepted.matches(&v), "L {:+}: {:?}", excess, v.map(|_| ()));
        } else {
            prop_assert!(range().matches(&v), "L {:+}: {:?}", excess, v.map(|_| ()));
            assert_only(&each_proof(fx, case, &tx), &["range"]);
        }

        let case = fx.case("payout");
        let scaled = u128::from(fixture::REMIT) * u128::from(fixture::QUOTE_NUM);
        let b = u64::try_from(scaled / u128::from(fixture::QUOTE_DEN)).expect("fits");
        let paid = b.checked_add_signed(offset).expect("fits");
        let mut f = Forged::from_case(fx, case, &mut rng);
        f.set_output(&fx.genesis, &case.state, 0, split(paid), &mut rng);
        f.set_output(&fx.genesis, &case.state, 2, split(fixture::PHP_FLOAT - paid), &mut rng);
        f.refresh_limit(&fx.genesis, &case.state, &mut rng);
        f.refresh_fx(&case.state, &mut rng);
        let (v, tx) = prove_and_submit(fx, case, &f, &case.signer, &mut rng);
        if offset == 0 {
            prop_assert!(Expect::Accepted.matches(&v), "b {:+}: {:?}", offset, v.map(|_| ()));
        } else {
            prop_assert!(range().matches(&v), "b {:+}: {:?}", offset, v.map(|_| ()));
            assert_only(&each_proof(fx, case, &tx), &["range"]);
        }
    }
}
