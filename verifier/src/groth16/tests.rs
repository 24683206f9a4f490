//! Single and batched verification against proofs made by ark-groth16 itself, over the
//! SYNTHETIC circuits of `corridor_prover::test_circuits`.
use super::*;
use ark_bn254::G2Affine;
use ark_ec::AffineRepr;
use ark_ec::PrimeGroup;
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{Groth16, ProvingKey};
use ark_serialize::CanonicalSerialize;
use corridor_prover::test_circuits::MulChain;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

type Ark = Groth16<Bn254, LibsnarkReduction>;

/// A key and a few base statements with their proofs (made by ark-groth16).
struct Fixture {
    pk: ProvingKey<Bn254>,
    key: PreparedKey,
    base: Vec<(Proof<Bn254>, Vec<Fr>)>,
}

fn fixture(num_publics: usize, steps: usize, seed: u64) -> Fixture {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let pk = Ark::generate_random_parameters_with_reduction(
        MulChain::random(&mut rng, num_publics, steps),
        &mut rng,
    )
    .unwrap();
    let base = (0..4)
        .map(|_| {
            let circuit = MulChain::random(&mut rng, num_publics, steps);
            let inputs = circuit.public_inputs();
            let proof = Ark::create_random_proof_with_reduction(circuit, &pk, &mut rng).unwrap();
            (proof, inputs)
        })
        .collect();
    let key = PreparedKey::new(&pk.vk);
    Fixture { pk, key, base }
}

impl Fixture {
    /// `n` distinct valid proofs: re-randomised copies of the base proofs.
    fn many(&self, n: usize, rng: &mut ChaCha20Rng) -> Vec<(Proof<Bn254>, Vec<Fr>)> {
        (0..n)
            .map(|i| {
                let (proof, inputs) = &self.base[i % self.base.len()];
                (
                    Ark::rerandomize_proof(&self.pk.vk, proof, rng),
                    inputs.clone(),
                )
            })
            .collect()
    }
}

fn proof_bytes(proof: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    proof.serialize_compressed(&mut out).unwrap();
    out
}

fn vk_bytes(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    vk.serialize_compressed(&mut out).unwrap();
    out
}

fn entries(items: &[(Proof<Bn254>, Vec<Fr>)]) -> Vec<BatchEntry<'_>> {
    items.iter().map(|(p, x)| BatchEntry::new(p, x)).collect()
}

/// Makes entry `i` invalid in one of four ways (`kind` chooses): a wrong public input, a
/// tampered `A`, `B` or `C`.
fn spoil(item: &mut (Proof<Bn254>, Vec<Fr>), kind: usize) {
    let (proof, inputs) = item;
    match kind % 4 {
        0 => inputs[0] += Fr::from(1u64),
        1 => proof.a = (proof.a + G1Affine::generator()).into_affine(),
        2 => proof.b = (proof.b + G2Affine::generator()).into_affine(),
        _ => proof.c = (proof.c + G1Affine::generator()).into_affine(),
    }
}

#[test]
fn single_verify_accepts_valid_proofs_after_decoding() {
    for (publics, steps, seed) in [(0, 1, 1), (3, 30, 2), (11, 60, 3)] {
        let f = fixture(publics, steps, seed);
        let key = PreparedKey::from_bytes(&vk_bytes(&f.pk.vk)).unwrap();
        assert_eq!(key.num_public_inputs(), publics + 1);
        for (proof, inputs) in &f.base {
            let decoded = decode_proof(&proof_bytes(proof)).unwrap();
            assert_eq!(&decoded, proof);
            verify(&key, &decoded, inputs).unwrap();
        }
    }
}

#[test]
fn single_verify_rejects_every_wrong_input_and_other_statements() {
    let f = fixture(3, 20, 4);
    let (proof, inputs) = &f.base[0];
    for j in 0..inputs.len() {
        let mut wrong = inputs.clone();
        wrong[j] += Fr::from(1u64);
        assert_eq!(
            verify(&f.key, proof, &wrong),
            Err(Groth16VerifyError::Rejected),
            "input {j}"
        );
    }
    // A valid proof of another statement.
    assert_eq!(
        verify(&f.key, &f.base[1].0, inputs),
        Err(Groth16VerifyError::Rejected)
    );
    // A proof under another key.
    let other = fixture(3, 20, 5);
    assert_eq!(
        verify(&other.key, proof, inputs),
        Err(Groth16VerifyError::Rejected)
    );
}

#[test]
fn wrong_input_count_is_a_typed_error() {
    let f = fixture(2, 10, 6);
    let (proof, inputs) = &f.base[0];
    assert_eq!(inputs.len(), 3);
    for found in [0, 2, 4, 10] {
        let mut some = inputs.clone();
        some.resize(found, Fr::from(0u64));
        assert_eq!(
            verify(&f.key, proof, &some),
            Err(Groth16VerifyError::InputCount { expected: 3, found })
        );
    }
}

#[test]
fn tampered_proof_bytes_never_verify() {
    let f = fixture(1, 10, 7);
    let (proof, inputs) = &f.base[0];
    let bytes = proof_bytes(proof);
    assert_eq!(bytes.len(), PROOF_BYTES);
    for i in 0..PROOF_BYTES {
        for bit in [0u8, 6, 7] {
            let mut tampered = bytes.clone();
            tampered[i] ^= 1 << bit;
            if let Ok(decoded) = decode_proof(&tampered) {
                assert_eq!(
                    verify(&f.key, &decoded, inputs),
                    Err(Groth16VerifyError::Rejected),
                    "byte {i}, bit {bit}"
                );
            }
        }
    }
}

#[test]
fn prepared_keys_decode_with_the_strict_decoder_of_params() {
    // The decoder itself is tested in corridor-params (`encoding`); here, that the verifier's
    // entry points are that decoder: the same keys and the same named refusals.
    let f = fixture(3, 5, 10);
    let bytes = vk_bytes(&f.pk.vk);
    let key = PreparedKey::from_bytes(&bytes).unwrap();
    assert_eq!(key.verifying_key(), &f.pk.vk);
    let loaded = corridor_params::VerifyingKey::from_bytes(&bytes).unwrap();
    assert_eq!(PreparedKey::from_key(&loaded).verifying_key(), &f.pk.vk);
    let mut long = bytes.clone();
    long.push(0);
    assert_eq!(
        PreparedKey::from_bytes(&long).unwrap_err(),
        Groth16DecodeError::TrailingBytes { count: 1 }
    );
    let mut t = bytes.clone();
    t[G1_BYTES - 1] = (t[G1_BYTES - 1] & 0x3f) | 0x40; // the infinity flag over alpha's x bits
    assert_eq!(
        PreparedKey::from_bytes(&t).unwrap_err(),
        Groth16DecodeError::NonCanonical {
            element: Element::Alpha
        }
    );
    let proof = &f.base[0].0;
    assert_eq!(decode_proof(&encode_proof(proof)).unwrap(), *proof);
}

#[test]
fn batches_of_valid_proofs_verify() {
    let f = fixture(11, 20, 11);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    for n in [0, 1, 8, 64, 256] {
        let items = f.many(n, &mut rng);
        let batch = entries(&items);
        assert_eq!(check_batch(&f.key, &batch, &mut rng), Ok(()), "n = {n}");
        assert_eq!(verify_batch(&f.key, &batch, &mut rng), Ok(()), "n = {n}");
    }
}

#[test]
fn failed_batches_name_exactly_the_bad_proofs() {
    let f = fixture(11, 20, 13);
    let mut rng = ChaCha20Rng::seed_from_u64(14);
    for n in [1usize, 8, 64, 256] {
        let mut bad_sets = vec![vec![n / 3]];
        if n >= 3 {
            bad_sets.push(vec![0, n / 2, n - 1]);
            bad_sets.push(vec![n / 4, n / 4 + 1, n - 2]);
        }
        for (set, bad) in bad_sets.into_iter().enumerate() {
            let mut items = f.many(n, &mut rng);
            for (k, &i) in bad.iter().enumerate() {
                spoil(&mut items[i], set + k);
            }
            let batch = entries(&items);
            assert_eq!(
                check_batch(&f.key, &batch, &mut rng),
                Err(Groth16BatchError::Failed),
                "n = {n}, bad = {bad:?}"
            );
            assert_eq!(
                verify_batch(&f.key, &batch, &mut rng),
                Err(Groth16BatchError::Invalid { bad: bad.clone() }),
                "n = {n}"
            );
        }
    }
}

#[test]
fn a_wrong_input_count_in_a_batch_is_named_before_anything_is_verified() {
    let f = fixture(2, 10, 15);
    let mut rng = ChaCha20Rng::seed_from_u64(16);
    let mut items = f.many(8, &mut rng);
    items[5].1.push(Fr::from(0u64));
    items[6].1.clear();
    let batch = entries(&items);
    let expected = Groth16BatchError::InputCount {
        index: 5,
        expected: 3,
        found: 4,
    };
    assert_eq!(check_batch(&f.key, &batch, &mut rng), Err(expected.clone()));
    assert_eq!(verify_batch(&f.key, &batch, &mut rng), Err(expected));
}

#[test]
fn a_proof_valid_for_swapped_inputs_is_caught_in_a_batch() {
    // Two valid proofs with their input vectors exchanged: each entry is bad on its own,
    // although the multiset of (proof, inputs) pairs is "nearly" valid.
    let f = fixture(2, 10, 17);
    let mut rng = ChaCha20Rng::seed_from_u64(18);
    let mut items = f.many(16, &mut rng);
    let inputs_3 = items[3].1.clone();
    items[3].1 = items[4].1.clone();
    items[4].1 = inputs_3;
    assert_eq!(
        verify_batch(&f.key, &entries(&items), &mut rng),
        Err(Groth16BatchError::Invalid { bad: vec![3, 4] })
    );
}

/// Yields zeros for the first 16 bytes, then counts.
struct ZerosFirst(u64);

impl rand_core::RngCore for ZerosFirst {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 += 1;
        if self.0 <= 2 {
            0
        } else {
            self.0
        }
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for ZerosFirst {}

#[test]
fn weights_are_non_zero_and_multiply_by_the_endomorphism() {
    // The first 16 zero bytes are skipped: never the zero weight.
    let w = ProofWeight::draw(&mut ZerosFirst(0));
    assert_eq!(
        w.scalar(),
        Fr::from(3u64) + <G1Config as GLVConfig>::LAMBDA * Fr::from(4u64)
    );
    let mut rng = ChaCha20Rng::seed_from_u64(19);
    let a = (G1Projective::generator() * Fr::from(77u64)).into_affine();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..64 {
        let w = ProofWeight::draw(&mut rng);
        assert!(!w.scalar().is_zero());
        assert_eq!(w.times(&a), a * w.scalar());
        assert!(seen.insert(w.scalar()));
    }
    assert_eq!(w.times(&G1Affine::zero()), G1Projective::zero());
}

/// The lattice `{(a, b) : a + λ·b ≡ 0 mod r}` has the reduced basis below (entries of about
/// 2^126.8): no two weight pairs `(w0, w1)`, `(w0', w1')` with 64-bit entries are congruent,
/// so `ProofWeight` takes 2^128 − 1 distinct non-zero values.
#[test]
fn the_endomorphism_lattice_has_no_short_vectors() {
    let lambda = <G1Config as GLVConfig>::LAMBDA;
    let basis: [(i128, i128); 2] = [
        (
            147_946_756_881_789_319_000_765_030_803_803_410_728,
            -9_931_322_734_385_697_763,
        ),
        (
            9_931_322_734_385_697_763,
            147_946_756_881_789_319_010_696_353_538_189_108_491,
        ),
    ];
    let fr = |x: i128| {
        let f = Fr::from(x.unsigned_abs());
        if x < 0 {
            -f
        } else {
            f
        }
    };
    for (a, b) in basis {
        assert!(((fr(a) + lambda * fr(b)).is_zero()), "a lattice vector");
        assert!(a.unsigned_abs().max(b.unsigned_abs()) > 1u128 << 126);
    }
    // Nearly orthogonal: the inner product l1·s − s·l2 = −s² (s the short entry) is below
    // 2^127 while the norms' product is about 2^253.6, so every non-zero combination
    // x·v1 + y·v2 has a norm of at least about 2^126.8, hence an entry above 2^126: none lies
    // in the box of 64-bit differences.
    let (l1, s, l2) = (basis[0].0, basis[1].0, basis[1].1);
    assert_eq!(basis[0].1, -s);
    let dot = s * (l1 - l2);
    assert_eq!(dot.unsigned_abs(), s.unsigned_abs().pow(2));
    assert!(dot.unsigned_abs() < 1u128 << 127);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        rng_seed: RngSeed::Fixed(20),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn bisection_names_any_set_of_bad_proofs(
        bad in proptest::collection::vec(any::<bool>(), 12),
        seed in any::<u64>(),
    ) {
        let f = fixture(1, 5, 21);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let mut items = f.many(bad.len(), &mut rng);
        let expected: Vec<usize> = (0..bad.len()).filter(|&i| bad[i]).collect();
        for (k, &i) in expected.iter().enumerate() {
            spoil(&mut items[i], k);
        }
        let result = verify_batch(&f.key, &entries(&items), &mut rng);
        if expected.is_empty() {
            prop_assert_eq!(result, Ok(()));
        } else {
            prop_assert_eq!(result, Err(Groth16BatchError::Invalid { bad: expected }));
        }
    }
}

#[test]
fn batch_and_single_verification_agree_on_ark_verdicts() {
    // Sanity against ark-groth16's own verifier on a mixed set.
    let f = fixture(3, 15, 22);
    let mut rng = ChaCha20Rng::seed_from_u64(23);
    let mut items = f.many(8, &mut rng);
    spoil(&mut items[2], 3);
    let pvk = prepare_verifying_key(&f.pk.vk);
    for (proof, inputs) in &items {
        let ark = Ark::verify_proof(&pvk, proof, inputs).unwrap();
        assert_eq!(verify(&f.key, proof, inputs).is_ok(), ark);
    }
}

/// The Miller loop with one shared accumulator equals ark-ec's `multi_miller_loop` (which
/// shares squarings per four pairs) on the same pairs, identities included, for any count.
#[test]
fn shared_miller_loop_equals_arks() {
    use ark_bn254::G2Projective;
    use ark_ec::PrimeGroup;
    use ark_ff::UniformRand;
    let mut rng = ChaCha20Rng::seed_from_u64(21);
    for count in [1usize, 2, 3, 4, 5, 9, 17] {
        let mut a: Vec<G1Affine> = (0..count)
            .map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        let b: Vec<G2Affine> = (0..count)
            .map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        if count > 2 {
            a[1] = G1Affine::zero();
        }
        let prepared: Vec<PreparedB> = b.iter().map(|&q| q.into()).collect();
        let refs: Vec<&PreparedB> = prepared.iter().collect();
        let ours = miller_loop(&a, &refs).unwrap();
        let ark = Bn254::multi_miller_loop(a.iter().copied(), prepared.iter().cloned());
        assert_eq!(ours, ark.0, "{count} pairs");
        // Split anywhere, the partial products multiply to the same value.
        let (left, right) = (
            miller_loop(&a[..1], &refs[..1]),
            miller_loop(&a[1..], &refs[1..]),
        );
        assert_eq!(left.unwrap() * right.unwrap(), ours);
    }
    // A prepared point missing coefficients is refused, not a panic.
    let mut short: PreparedB = G2Affine::generator().into();
    short.ell_coeffs.truncate(10);
    assert!(miller_loop(&[G1Affine::generator()], &[&short]).is_none());
}
