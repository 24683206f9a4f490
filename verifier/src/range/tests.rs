//! Our range-proof verifier against bulletproofs' own, on the shapes the protocol produces
//! (`n = 32`; `m = 1, 2, 4, 8, 16`): thousands of random valid proofs, invalid ones (values out
//! of range, other commitments, other transcripts) and every single-byte mutation of a sample
//! proof of each shape. Both must accept or both reject, every time.
use super::*;
use crate::msm::Terms;
use bulletproofs::{BulletproofGens, PedersenGens, RangeProof};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

const LABEL: &[u8] = b"corridor/test/range-agreement";

fn bp_gens() -> &'static BulletproofGens {
    static GENS: OnceLock<BulletproofGens> = OnceLock::new();
    GENS.get_or_init(|| BulletproofGens::new(32, 64))
}

/// A proof of `values` (any u64: those ≥ 2^32 make proofs that do not verify).
fn prove(values: &[u64], rng: &mut ChaCha20Rng) -> (Vec<u8>, Vec<CompressedRistretto>) {
    let blindings: Vec<Scalar> = values.iter().map(|_| Scalar::random(rng)).collect();
    let (proof, commitments) = RangeProof::prove_multiple_with_rng(
        bp_gens(),
        &PedersenGens::default(),
        &mut Transcript::new(LABEL),
        values,
        &blindings,
        32,
        rng,
    )
    .expect("bulletproofs proves any u64 of a power-of-two count");
    (proof.to_bytes(), commitments)
}

fn crate_accepts(proof: &[u8], commitments: &[CompressedRistretto], rng: &mut ChaCha20Rng) -> bool {
    RangeProof::from_bytes(proof).is_ok_and(|p| {
        p.verify_multiple_with_rng(
            bp_gens(),
            &PedersenGens::default(),
            &mut Transcript::new(LABEL),
            commitments,
            32,
            rng,
        )
        .is_ok()
    })
}

fn ours_accepts(proof: &[u8], commitments: &[CompressedRistretto]) -> bool {
    verify_bulletproof(commitments, proof, &mut Transcript::new(LABEL)).is_ok()
}

fn random_values(m: usize, rng: &mut ChaCha20Rng) -> Vec<u64> {
    (0..m)
        .map(|_| match rng.next_u32() % 4 {
            0 => 0,
            1 => u64::from(u32::MAX),
            _ => u64::from(rng.next_u32()),
        })
        .collect()
}

/// How many random valid proofs per shape: thousands over all shapes, more of the cheap ones.
fn cases(m: usize) -> usize {
    match m {
        1 => 1200,
        2 => 800,
        4 => 500,
        8 => 300,
        _ => 200,
    }
}

#[test]
fn agrees_with_bulletproofs_on_random_valid_proofs() {
    let mut rng = ChaCha20Rng::seed_from_u64(20261127);
    let mut total = 0;
    for m in [1usize, 2, 4, 8, 16] {
        for case in 0..cases(m) {
            let (proof, commitments) = prove(&random_values(m, &mut rng), &mut rng);
            assert!(
                crate_accepts(&proof, &commitments, &mut rng),
                "m = {m}, case {case}"
            );
            assert!(ours_accepts(&proof, &commitments), "m = {m}, case {case}");
            total += 1;
        }
    }
    assert!(total >= 3000);
}

#[test]
fn agrees_with_bulletproofs_on_invalid_proofs() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    for m in [1usize, 2, 4, 8, 16] {
        for case in 0..20 {
            // One value out of range.
            let mut values = random_values(m, &mut rng);
            values[case % m] = (1u64 << 32) + u64::from(rng.next_u32());
            let (proof, commitments) = prove(&values, &mut rng);
            assert!(!crate_accepts(&proof, &commitments, &mut rng), "m = {m}");
            assert!(!ours_accepts(&proof, &commitments), "m = {m}");

            // A valid proof against another commitment list.
            let (proof, mut commitments) = prove(&random_values(m, &mut rng), &mut rng);
            let (_, other) = prove(&random_values(m, &mut rng), &mut rng);
            commitments[case % m] = other[case % m];
            assert!(!crate_accepts(&proof, &commitments, &mut rng), "m = {m}");
            assert!(!ours_accepts(&proof, &commitments), "m = {m}");

            // A valid proof on another transcript.
            let (proof, commitments) = prove(&random_values(m, &mut rng), &mut rng);
            assert!(
                verify_bulletproof(&commitments, &proof, &mut Transcript::new(b"other")).is_err()
            );
        }
    }
}

#[test]
fn agrees_with_bulletproofs_on_every_single_byte_mutation() {
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    for m in [1usize, 2, 4, 8, 16] {
        let (proof, commitments) = prove(&random_values(m, &mut rng), &mut rng);
        let mut rejected = 0;
        for position in 0..proof.len() {
            for flip in [0x01u8, (rng.next_u32() % 255 + 1) as u8] {
                let mut mutated = proof.clone();
                mutated[position] ^= flip;
                let theirs = crate_accepts(&mutated, &commitments, &mut rng);
                let ours = ours_accepts(&mutated, &commitments);
                assert_eq!(
                    theirs, ours,
                    "m = {m}: byte {position} ^ {flip:#04x}: bulletproofs {theirs}, ours {ours}"
                );
                rejected += usize::from(!ours);
            }
        }
        // Every mutation of a sound proof is rejected (a forgery would be a break).
        assert_eq!(rejected, 2 * proof.len(), "m = {m}");
    }
}

#[test]
fn each_check_holds_alone_and_under_any_weights() {
    let mut rng = ChaCha20Rng::seed_from_u64(13);
    for m in [1usize, 2, 4, 8, 16] {
        let (proof, commitments) = prove(&random_values(m, &mut rng), &mut rng);
        let points: Vec<Point> = commitments
            .iter()
            .map(|c| Point::new(c.decompress().unwrap()))
            .collect();
        let prepared = replay(&points, m, &proof, &mut Transcript::new(LABEL)).unwrap();
        let threads = Threads::current();
        let mut inner = Terms::default();
        prepared.add_inner_product_check(Fe::from_scalar(&Scalar::random(&mut rng)), &mut inner);
        assert!(inner.is_identity(&threads));
        let mut polynomial = Terms::default();
        prepared.add_polynomial_check(Fe::from_scalar(&Scalar::random(&mut rng)), &mut polynomial);
        assert!(polynomial.is_identity(&threads));
        // A value out of range breaks the polynomial check (the inner product still holds:
        // the prover ran honestly on the bits of v mod 2^32).
        let mut values = random_values(m, &mut rng);
        values[0] = 1 << 40;
        let (proof, commitments) = prove(&values, &mut rng);
        let points: Vec<Point> = commitments
            .iter()
            .map(|c| Point::new(c.decompress().unwrap()))
            .collect();
        let prepared = replay(&points, m, &proof, &mut Transcript::new(LABEL)).unwrap();
        let mut polynomial = Terms::default();
        prepared.add_polynomial_check(Fe::ONE, &mut polynomial);
        assert!(!polynomial.is_identity(&threads));
    }
}

#[test]
fn parsing_errors_are_the_crates() {
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    let (proof, commitments) = prove(&random_values(4, &mut rng), &mut rng);
    // Wrong length for m.
    assert!(matches!(
        verify_bulletproof(
            &commitments,
            &proof[..proof.len() - 32],
            &mut Transcript::new(LABEL)
        ),
        Err(ProofError::RangeLength { m: 4, .. })
    ));
    // A non-canonical t_x is a format error, with the crate's message.
    let mut bad = proof.clone();
    bad[4 * 32..5 * 32].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        verify_bulletproof(&commitments, &bad, &mut Transcript::new(LABEL)),
        Err(ProofError::RangeFormat(
            bulletproofs::ProofError::FormatError.to_string()
        ))
    );
    assert!(RangeProof::from_bytes(&bad).is_err());
    // An identity A is refused, as the crate refuses it.
    let mut bad = proof.clone();
    bad[..32].copy_from_slice(&[0; 32]);
    assert_eq!(
        verify_bulletproof(&commitments, &bad, &mut Transcript::new(LABEL)),
        Err(ProofError::Range)
    );
    assert!(!crate_accepts(&bad, &commitments, &mut rng));
}

#[test]
fn sum_of_powers_by_halves_is_the_plain_sum() {
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let x = Scalar::random(&mut rng);
    for count in [0usize, 1, 2, 3, 4, 8, 32, 256, 2048] {
        let plain: Scalar = (0..count)
            .scan(Scalar::ONE, |p, _| {
                let out = *p;
                *p *= x;
                Some(out)
            })
            .sum();
        assert_eq!(
            sum_of_powers(Fe::from_scalar(&x), count).to_scalar(),
            plain,
            "count {count}"
        );
    }
}
