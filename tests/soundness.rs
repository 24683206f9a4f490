//! Must-show 4 (issue #2): soundness tests that cannot pass for the wrong reason.
//!
//! A fixture chain ([`fixture`]) gives one valid, signed transaction of every kind, each with
//! the state it was verified against. Every attack edits one thing, RE-SIGNS the result with the
//! true signer's key (the attacker is the signer), sends the canonical bytes through decode and
//! verification as a node would, and expects ONE specific verdict ([`harness`]): the sigma proof,
//! equation and index that must fail, the range proof, or the statement or decode error that
//! legitimately comes first — never "some error". Every catalog first checks its controls: the
//! untampered transaction verifies, and so does the cheating prover's honest re-proof of it.
//!
//! - `fields_*`: every public field of each kind ([`catalog::field_mutations`]), against two
//!   attackers: one who only re-signs (the statement digest opens the transcript, so the FIRST
//!   sigma proof fails on its first equation), and one who also re-proves every relation with
//!   the honest witnesses (the relation that binds the field fails; fields no relation reads,
//!   the prover's free choices such as hints, verify);
//! - `sigma_proofs_*`: every commitment and response of every sigma proof, as values and as
//!   wire bytes;
//! - `range_proof_*`: bytes of every 32-byte element of every range proof (every byte of one);
//! - the named rejections of the issue, each its own test;
//! - property tests over random valid and invalid statements.
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
fn range_proof_transfer_customer_every_byte() {
    range_proof("transfer-customer", 33, &[(0, 0x01)]);
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
fn range_proof_burn() {
    range_proof("burn", 37, &RANGE_FLIPS);
}

#[test]
fn zz_timing() {
    use rand::SeedableRng;
    let fx = fixture();
    for name in ["payout", "transfer-customer", "burn", "mint"] {
        let case = fx.case(name);
        let muts = field_mutations(fx, case);
        let n_re = muts.iter().filter(|m| m.reproved.is_some()).count();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let t = std::time::Instant::now();
        for _ in 0..5 { let _ = forge::Forged::from_case(fx, case, &mut rng); }
        let a = t.elapsed() / 5;
        let f = forge::Forged::from_case(fx, case, &mut rng);
        let t = std::time::Instant::now();
        for _ in 0..5 { let _ = f.prove(&fx.genesis, &case.state, &mut rng).unwrap(); }
        let b = t.elapsed() / 5;
        let t = std::time::Instant::now();
        for _ in 0..5 { let _ = harness::verify_bytes(fx, &case.state, &case.tx.encode(), &case.signer); }
        let c = t.elapsed() / 5;
        let t = std::time::Instant::now();
        for _ in 0..5 { let _ = corridor_core::statement::resolve(case.tx.unsigned(), &fx.genesis, &case.state); }
        let d = t.elapsed() / 5;
        eprintln!("{name}: {} muts ({n_re} reproved), from_case {a:?}, prove {b:?}, verify {c:?}, resolve {d:?}", muts.len());
    }
}
