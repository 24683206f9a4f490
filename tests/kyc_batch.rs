//! Batch verification of real KYC proofs (issue #3, must-show 5): proofs taken from customer
//! transactions of the demo network, their public inputs resolved by the verifier from the
//! statements, re-randomised into batches of 1, 8, 64 and 256 (cheap copies keep CI fast);
//! valid batches pass and every bad proof is named when 1 or 3 are bad.
use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, Proof};
use corridor::network::DemoNetwork;
use corridor_core::tx::Transaction;
use corridor_prover::builder::Payment;
use corridor_prover::{TransferRequest, ViewWallet};
use corridor_verifier::groth16::{check_batch, verify_batch, BatchEntry, Groth16BatchError};
use corridor_verifier::{kyc_claim, verify_transaction, VerifyError};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

struct Claims {
    net: DemoNetwork,
    /// (proof, public inputs) of each customer transaction.
    claims: Vec<(Proof<Bn254>, Vec<Fr>)>,
    /// The last customer transfer.
    last: Transaction,
}

/// Two customer transfers (two different statements), each verified on submission.
fn claims() -> &'static Claims {
    static CLAIMS: OnceLock<Claims> = OnceLock::new();
    CLAIMS.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(31);
        let mut net = DemoNetwork::new(31).unwrap();
        let maria = net.customer([0x4d; 32]).unwrap();
        let ana = net.customer([0x41; 32]).unwrap();
        let mint = net
            .builder()
            .mint("HKD", net.next_mint_nonce("HKD"), &[1_000_000], &mut rng)
            .unwrap()
            .tx
            .sign(&net.inst.hkd_issuer);
        net.submit(&mint).unwrap();
        let treasury = &net.inst.hkd_treasury;
        let funding = net
            .builder()
            .transfer(
                &ViewWallet::of(treasury),
                &TransferRequest {
                    asset: "HKD".into(),
                    inputs: net.owned(treasury, "HKD"),
                    payments: vec![Payment {
                        to: maria.address(),
                        value: 500_000,
                    }],
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
        let mut claims = Vec::new();
        let mut last = None;
        for value in [1_000, 2_000] {
            let kyc = net.kyc_credential(&maria).unwrap();
            let tx = net
                .builder()
                .transfer(
                    &ViewWallet::of(&maria),
                    &TransferRequest {
                        asset: "HKD".into(),
                        inputs: net.owned(&maria, "HKD"),
                        payments: vec![Payment {
                            to: ana.address(),
                            value,
                        }],
                        fee: 10,
                        remittance: None,
                        kyc: Some(kyc.clone()),
                    },
                    &mut rng,
                )
                .unwrap()
                .tx
                .sign(&maria.spend);
            let verified = net.submit(&tx).unwrap();
            let statement_kyc = verified.kyc.as_ref().unwrap();
            claims.push(kyc_claim(statement_kyc).unwrap());
            last = Some(tx);
        }
        Claims {
            net,
            claims,
            last: last.unwrap(),
        }
    })
}

/// `n` valid entries: re-randomised copies alternating between the two statements.
fn batch(n: usize, rng: &mut ChaCha20Rng) -> Vec<(Proof<Bn254>, Vec<Fr>)> {
    let c = claims();
    let vk = c.net.keys.proving.verifying_key().0;
    (0..n)
        .map(|i| {
            let (proof, inputs) = &c.claims[i % 2];
            let copy = Groth16::<Bn254>::rerandomize_proof(&vk, proof, rng);
            (copy, inputs.clone())
        })
        .collect()
}

fn entries(items: &[(Proof<Bn254>, Vec<Fr>)]) -> Vec<BatchEntry<'_>> {
    items.iter().map(|(p, i)| BatchEntry::new(p, i)).collect()
}

#[test]
fn valid_batches_of_kyc_proofs_pass() {
    let key = &claims().net.keys.verifying;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    for n in [1, 8, 64, 256] {
        let items = batch(n, &mut rng);
        assert_eq!(
            check_batch(key, &entries(&items), &mut rng),
            Ok(()),
            "n = {n}"
        );
        assert_eq!(
            verify_batch(key, &entries(&items), &mut rng),
            Ok(()),
            "n = {n}"
        );
    }
}

#[test]
fn every_bad_kyc_proof_is_named() {
    let key = &claims().net.keys.verifying;
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    for n in [1usize, 8, 64, 256] {
        let bad_sets: Vec<Vec<usize>> = if n == 1 {
            vec![vec![0]]
        } else {
            vec![vec![n / 2], vec![0, n / 3, n - 1]]
        };
        for bad in bad_sets {
            let mut items = batch(n, &mut rng);
            for (k, &i) in bad.iter().enumerate() {
                match k % 3 {
                    // A proof of the other statement: the inputs of this transaction are not
                    // what it proves (another binding and scope).
                    0 => items[i].1 = claims().claims[(i + 1) % 2].1.clone(),
                    // One public input changed: the nullifier.
                    1 => items[i].1[7] += Fr::from(1u64),
                    // A proof element changed.
                    _ => items[i].0.a = claims().claims[(i + 1) % 2].0.a,
                }
            }
            assert_eq!(
                check_batch(key, &entries(&items), &mut rng),
                Err(Groth16BatchError::Failed),
                "n = {n}, bad {bad:?}"
            );
            assert_eq!(
                verify_batch(key, &entries(&items), &mut rng),
                Err(Groth16BatchError::Invalid { bad: bad.clone() }),
                "n = {n}"
            );
        }
    }
}

/// The verifier refuses a KYC key other than the one genesis pins, before any pairing.
#[test]
fn a_key_other_than_the_pinned_one_is_refused() {
    let c = claims();
    // The transaction was committed at the previous height: verify it as of that block.
    let mut ctx = c.net.verify_context();
    ctx.block.height -= 1;
    // Control: with the pinned key it verifies.
    verify_transaction(&c.last, &ctx).unwrap();
    let mut genesis = c.net.genesis.clone();
    genesis.vk_hash[0] ^= 1;
    let with_other_pin = corridor_verifier::VerifyContext {
        genesis: &genesis,
        ..ctx
    };
    match verify_transaction(&c.last, &with_other_pin) {
        Err(VerifyError::KycKeyMismatch { expected, found }) => {
            assert_eq!(expected, hex::encode(genesis.vk_hash));
            assert_eq!(found, hex::encode(c.net.keys.verifying.sha256()));
        }
        other => panic!("expected KycKeyMismatch, got {other:?}"),
    }
}

/// The precomputed KYC prover every transaction uses (`kyc_prover`: matrices once per key,
/// fixed-base tables) makes ark-groth16's proof, byte for byte, for the same randomness, and it
/// verifies (issue #12, must-show 1, on the real circuit; the synthetic circuits are in
/// corridor-prover's tests).
#[test]
fn kyc_proofs_equal_ark_groth16_for_the_same_randomness() {
    use corridor_circuits::kyc::sample::KycSample;
    let c = claims();
    let pk = &c.net.keys.proving;
    let prover = corridor_prover::kyc::kyc_prover(pk).unwrap();
    // Built once per process and key: the next request gets the same precomputation.
    assert!(std::sync::Arc::ptr_eq(
        &prover,
        &corridor_prover::kyc::kyc_prover(pk).unwrap()
    ));
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    let sample = KycSample::generate(&mut rng).unwrap();
    for seed in [0u64, 12] {
        assert_proof_is_arks(&prover, &|| sample.circuit().unwrap(), seed);
    }
}

/// Credential shares (issue #12): a prover that keeps, per customer, the share of its MSMs over
/// the credential's wires makes ark-groth16's proof byte for byte whether it finds a share or
/// not; it finds one only for the same credential under the same path (another transaction of
/// the customer), never after the path changed or for another customer, and forgets the oldest
/// beyond its capacity; ranges that cover transaction wires too only miss; ranges that are not
/// ascending, disjoint and within the witness are refused.
#[test]
fn credential_shares_give_ark_groth16_proofs_and_only_for_the_same_wires() {
    use corridor_circuits::kyc::sample::{attributes, KycSample};
    use corridor_circuits::{Credential, IdentitySecret, KycCircuit};
    use corridor_prover::groth16::{Groth16ProveError, Prover};
    let c = claims();
    let pk = &c.net.keys.proving;
    let ranges = KycCircuit::credential_witness_ranges().unwrap();
    let prover = Prover::new(&pk.0, KycCircuit::for_setup(), 2)
        .unwrap()
        .with_credential_shares(ranges, 2)
        .unwrap();
    assert!(
        prover.share_variables() > 5_000,
        "{}",
        prover.share_variables()
    );
    let check = assert_proof_is_arks;
    let mut rng = ChaCha20Rng::seed_from_u64(120);
    let mut maria = KycSample::generate(&mut rng).unwrap();
    let juan = KycSample::generate(&mut rng).unwrap();

    check(&prover, &|| maria.circuit().unwrap(), 1);
    assert_eq!(prover.share_counts(), (0, 1), "first proof: computed");
    check(
        &prover,
        &|| {
            maria
                .another_transaction(&mut ChaCha20Rng::seed_from_u64(2))
                .unwrap()
        },
        2,
    );
    assert_eq!(
        prover.share_counts(),
        (1, 1),
        "same customer, same root: found"
    );
    check(&prover, &|| juan.circuit().unwrap(), 3);
    assert_eq!(prover.share_counts(), (1, 2), "another customer: computed");
    // Someone enrols: Maria's path (and so her wires) changed.
    maria
        .registry
        .enrol_credential(&Credential::new(IdentitySecret::random(&mut rng), attributes()).unwrap())
        .unwrap();
    check(&prover, &|| maria.circuit().unwrap(), 4);
    assert_eq!(prover.share_counts(), (1, 3), "a new path: computed");
    check(
        &prover,
        &|| {
            maria
                .another_transaction(&mut ChaCha20Rng::seed_from_u64(5))
                .unwrap()
        },
        5,
    );
    assert_eq!(prover.share_counts(), (2, 3));
    // Capacity 2: Maria's new share pushed out her old one (the oldest), not Juan's; a third
    // customer then pushes out Juan's.
    check(
        &prover,
        &|| {
            juan.another_transaction(&mut ChaCha20Rng::seed_from_u64(6))
                .unwrap()
        },
        6,
    );
    assert_eq!(prover.share_counts(), (3, 3));
    let ana = KycSample::generate(&mut rng).unwrap();
    check(&prover, &|| ana.circuit().unwrap(), 7);
    check(&prover, &|| juan.circuit().unwrap(), 8);
    assert_eq!(prover.share_counts(), (3, 5), "Juan's share was the oldest");
    prover.forget_shares();
    check(
        &prover,
        &|| {
            ana.another_transaction(&mut ChaCha20Rng::seed_from_u64(9))
                .unwrap()
        },
        9,
    );
    assert_eq!(prover.share_counts(), (3, 6), "forgotten");

    // Ranges over the whole witness (transaction wires included): every transaction misses,
    // and the proofs are still ark's.
    let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    ark_relations::gr1cs::ConstraintSynthesizer::generate_constraints(
        KycCircuit::for_setup(),
        cs.clone(),
    )
    .unwrap();
    let witnesses = cs.num_witness_variables();
    let everything = Prover::new(&pk.0, KycCircuit::for_setup(), 1)
        .unwrap()
        .with_credential_shares(std::iter::once(0..witnesses).collect(), 4)
        .unwrap();
    check(&everything, &|| maria.circuit().unwrap(), 10);
    check(
        &everything,
        &|| {
            maria
                .another_transaction(&mut ChaCha20Rng::seed_from_u64(11))
                .unwrap()
        },
        11,
    );
    assert_eq!(everything.share_counts(), (0, 2));

    // Bad ranges.
    for bad in [
        vec![0..10, 5..20],
        vec![10..20, 0..5],
        std::iter::once(0..witnesses + 1).collect(),
        vec![std::ops::Range { start: 7, end: 3 }],
    ] {
        let refused = Prover::new(&pk.0, KycCircuit::for_setup(), 1)
            .unwrap()
            .with_credential_shares(bad.clone(), 4)
            .unwrap_err();
        assert!(
            matches!(refused, Groth16ProveError::SharesOutOfRange { .. }),
            "{bad:?}: {refused}"
        );
    }
}

/// Proves the circuit `make` gives with `prover` and checks the proof is ark-groth16's for the
/// same randomness, byte for byte, and verifies.
fn assert_proof_is_arks(
    prover: &corridor_prover::groth16::Prover,
    make: &dyn Fn() -> (
        corridor_circuits::KycCircuit,
        corridor_circuits::KycPublicInputs,
    ),
    seed: u64,
) {
    use ark_groth16::r1cs_to_qap::LibsnarkReduction;
    use ark_serialize::CanonicalSerialize;
    let c = claims();
    let pk = &c.net.keys.proving;
    let bytes = |p: &Proof<Bn254>| {
        let mut v = Vec::new();
        p.serialize_compressed(&mut v).unwrap();
        v
    };
    let (circuit, public) = make();
    let theirs = Groth16::<Bn254, LibsnarkReduction>::create_random_proof_with_reduction(
        make().0,
        &pk.0,
        &mut ChaCha20Rng::seed_from_u64(seed),
    )
    .unwrap();
    let ours = prover
        .prove(&pk.0, circuit, &mut ChaCha20Rng::seed_from_u64(seed))
        .unwrap();
    assert_eq!(bytes(&ours), bytes(&theirs), "seed {seed}");
    corridor_verifier::groth16::verify(&c.net.keys.verifying, &ours, &public.to_field_elements())
        .unwrap();
}
