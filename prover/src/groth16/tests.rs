//! The prover against ark-groth16: same randomness, same bytes; refusals instead of panics.
use super::*;
use crate::test_circuits::{BitDecomposition, MulChain};
use ark_bn254::{G1Affine, G2Affine, G2Projective};
use ark_ec::{AffineRepr, VariableBaseMSM};
use ark_ff::UniformRand;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{prepare_verifying_key, Groth16};
use ark_poly::GeneralEvaluationDomain;
use ark_serialize::CanonicalSerialize;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::Mutex;

type Ark = Groth16<Bn254, LibsnarkReduction>;

fn setup(circuit: impl ConstraintSynthesizer<Fr>, seed: u64) -> ProvingKey<Bn254> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    Ark::generate_random_parameters_with_reduction(circuit, &mut rng).unwrap()
}

fn bytes(proof: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    proof.serialize_compressed(&mut out).unwrap();
    out
}

/// The circuits of the equality test: (name, circuit, public inputs).
fn circuits() -> Vec<(&'static str, MulChain)> {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    vec![
        ("one step, no extra input", MulChain::random(&mut rng, 0, 1)),
        ("7 steps, 1 input", MulChain::random(&mut rng, 1, 7)),
        ("100 steps, 3 inputs", MulChain::random(&mut rng, 3, 100)),
        ("300 steps, 11 inputs", MulChain::random(&mut rng, 11, 300)),
    ]
}

#[test]
fn proofs_equal_ark_groth16_for_the_same_randomness() {
    for (name, circuit) in circuits() {
        let pk = setup(circuit.clone(), 1);
        let pvk = prepare_verifying_key(&pk.vk);
        for seed in [0u64, 1, 2, 0xdead_beef] {
            let ours = prove(&pk, circuit.clone(), &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
            let theirs = Ark::create_random_proof_with_reduction(
                circuit.clone(),
                &pk,
                &mut ChaCha20Rng::seed_from_u64(seed),
            )
            .unwrap();
            assert_eq!(bytes(&ours), bytes(&theirs), "{name}, seed {seed}");
            assert!(Ark::verify_proof(&pvk, &ours, &circuit.public_inputs()).unwrap());
        }
    }
}

#[test]
fn bit_decomposition_proofs_equal_ark_groth16() {
    // Mostly 0/1 witness scalars: the small-scalar paths of the MSMs.
    let pk = setup(BitDecomposition::new(0), 2);
    for (seed, value) in [
        (3u64, 0u64),
        (4, 1),
        (5, u64::MAX),
        (6, 0x8000_0000_0000_0001),
    ] {
        let circuit = BitDecomposition::new(value);
        let ours = prove(&pk, circuit, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
        let theirs = Ark::create_random_proof_with_reduction(
            circuit,
            &pk,
            &mut ChaCha20Rng::seed_from_u64(seed),
        )
        .unwrap();
        assert_eq!(bytes(&ours), bytes(&theirs), "value {value}");
    }
}

#[test]
fn fixed_randomness_including_zero_equals_ark() {
    // r = 0 takes ark's shortcut for B in G1; r = s = 0 is ark's non-zero-knowledge proof.
    let (_, circuit) = circuits().swap_remove(2);
    let pk = setup(circuit.clone(), 3);
    for (r, s) in [
        (Fr::zero(), Fr::zero()),
        (Fr::zero(), Fr::from(5u64)),
        (Fr::from(9u64), Fr::zero()),
        (Fr::from(11u64), Fr::from(13u64)),
    ] {
        let ours = prove_with_randomness(&pk, circuit.clone(), &CpuBackend, r, s).unwrap();
        let theirs = Ark::create_proof_with_reduction(circuit.clone(), &pk, r, s).unwrap();
        assert_eq!(bytes(&ours), bytes(&theirs), "r = {r}, s = {s}");
    }
}

/// Records every MSM, checks the bases are the proving key's own slices, and delegates.
struct Recording<'a> {
    pk: &'a ProvingKey<Bn254>,
    calls: Mutex<Vec<(Query, usize)>>,
    fail_on: Option<Query>,
}

impl<'a> Recording<'a> {
    fn new(pk: &'a ProvingKey<Bn254>) -> Self {
        Self {
            pk,
            calls: Mutex::new(Vec::new()),
            fail_on: None,
        }
    }

    fn record(&self, query: Query, len: usize) -> Result<(), MsmError> {
        self.calls.lock().unwrap().push((query, len));
        if self.fail_on == Some(query) {
            return Err(MsmError::Backend {
                query,
                backend: "recording",
                reason: "injected failure".into(),
            });
        }
        Ok(())
    }

    fn calls(&self) -> Vec<(Query, usize)> {
        self.calls.lock().unwrap().clone()
    }
}

impl MsmBackend for Recording<'_> {
    fn name(&self) -> &'static str {
        "recording"
    }

    fn msm_g1(
        &self,
        query: Query,
        bases: &[G1Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G1Projective, MsmError> {
        let expected: &[G1Affine] = match query {
            Query::A => &self.pk.a_query[1..],
            Query::BG1 => &self.pk.b_g1_query[1..],
            Query::H => &self.pk.h_query,
            Query::L => &self.pk.l_query,
            Query::BG2 => panic!("G2 query in msm_g1"),
        };
        assert!(
            std::ptr::eq(bases, expected),
            "{query}: not the key's slice"
        );
        self.record(query, bases.len())?;
        CpuBackend.msm_g1(query, bases, scalars)
    }

    fn msm_g2(
        &self,
        query: Query,
        bases: &[G2Affine],
        scalars: &[ScalarRepr],
    ) -> Result<G2Projective, MsmError> {
        assert_eq!(query, Query::BG2);
        assert!(std::ptr::eq(bases, &self.pk.b_g2_query[1..]));
        self.record(query, bases.len())?;
        CpuBackend.msm_g2(query, bases, scalars)
    }
}

#[test]
fn every_msm_goes_through_the_backend_on_the_keys_own_bases() {
    let (_, circuit) = circuits().swap_remove(2);
    let pk = setup(circuit.clone(), 4);
    let backend = Recording::new(&pk);
    let ours = prove_with_backend(
        &pk,
        circuit.clone(),
        &backend,
        &mut ChaCha20Rng::seed_from_u64(8),
    )
    .unwrap();
    let cpu = prove(&pk, circuit, &mut ChaCha20Rng::seed_from_u64(8)).unwrap();
    assert_eq!(ours, cpu);
    let n = pk.a_query.len() - 1;
    assert_eq!(
        backend.calls(),
        vec![
            (Query::H, pk.h_query.len()),
            (Query::L, pk.l_query.len()),
            (Query::A, n),
            (Query::BG1, n),
            (Query::BG2, n),
        ]
    );
}

#[test]
fn a_failing_backend_is_a_typed_error() {
    let (_, circuit) = circuits().swap_remove(1);
    let pk = setup(circuit.clone(), 5);
    for query in [Query::H, Query::L, Query::A, Query::BG1, Query::BG2] {
        let mut backend = Recording::new(&pk);
        backend.fail_on = Some(query);
        let err = prove_with_backend(
            &pk,
            circuit.clone(),
            &backend,
            &mut ChaCha20Rng::seed_from_u64(1),
        )
        .unwrap_err();
        assert!(
            matches!(err, Groth16ProveError::Msm(MsmError::Backend { query: q, .. }) if q == query),
            "{err}"
        );
    }
}

#[test]
fn an_unsatisfied_circuit_is_refused_before_any_msm() {
    let (_, circuit) = circuits().swap_remove(2);
    let pk = setup(circuit.clone(), 6);
    let backend = Recording::new(&pk);
    let err = prove_with_backend(
        &pk,
        circuit.with_wrong_output(),
        &backend,
        &mut ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap_err();
    // The last step's output is the public `out`: constraint 99 of 100 breaks.
    assert_eq!(
        err,
        Groth16ProveError::Unsatisfied {
            index: 99,
            total: 100
        }
    );
    assert!(backend.calls().is_empty());
}

#[test]
fn a_key_for_another_circuit_is_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let pk = setup(MulChain::random(&mut rng, 2, 50), 7);
    // More steps: more witness variables than the key has bases.
    let err = prove(&pk, MulChain::random(&mut rng, 2, 60), &mut rng).unwrap_err();
    assert!(
        matches!(
            err,
            Groth16ProveError::KeyMismatch {
                field: "a_query",
                ..
            }
        ),
        "{err}"
    );
    // More public inputs, same number of variables: caught on the l_query / gamma_abc sizes.
    let err = prove(&pk, MulChain::random(&mut rng, 3, 49), &mut rng).unwrap_err();
    assert!(
        matches!(err, Groth16ProveError::KeyMismatch { .. }),
        "{err}"
    );
}

struct Failing;

impl ConstraintSynthesizer<Fr> for Failing {
    fn generate_constraints(
        self,
        cs: ark_relations::gr1cs::ConstraintSystemRef<Fr>,
    ) -> Result<(), SynthesisError> {
        let _ = cs.new_witness_variable(|| Err(SynthesisError::AssignmentMissing))?;
        Ok(())
    }
}

#[test]
fn a_synthesis_failure_is_a_typed_error() {
    let pk = setup(
        MulChain::random(&mut ChaCha20Rng::seed_from_u64(1), 0, 3),
        8,
    );
    let err = prove(&pk, Failing, &mut ChaCha20Rng::seed_from_u64(1)).unwrap_err();
    assert_eq!(
        err,
        Groth16ProveError::Synthesis(SynthesisError::AssignmentMissing)
    );
}

#[test]
fn h_has_one_more_coefficient_than_h_query_and_it_is_zero() {
    for (name, circuit) in circuits() {
        let pk = setup(circuit.clone(), 10);
        let assigned = assign(circuit, true, &mut ProofTimings::default()).unwrap();
        let r1cs = assigned.r1cs.as_ref().unwrap();
        let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
            &r1cs.matrices,
            r1cs.num_instance,
            r1cs.num_constraints,
            &assigned.assignment,
        )
        .unwrap();
        assert_eq!(h.len(), pk.h_query.len() + 1, "{name}");
        assert!(h.last().unwrap().is_zero(), "{name}");
    }
}

#[test]
fn cpu_backend_refuses_mismatched_lengths() {
    let bases = vec![G1Affine::generator(); 3];
    let scalars = vec![Fr::from(1u64).into_bigint(); 2];
    assert_eq!(
        CpuBackend.msm_g1(Query::L, &bases, &scalars).unwrap_err(),
        MsmError::Length {
            query: Query::L,
            bases: 3,
            scalars: 2
        }
    );
    let g2 = vec![G2Affine::generator(); 1];
    assert!(CpuBackend.msm_g2(Query::BG2, &g2, &scalars).is_err());
}

#[test]
fn a_batch_equals_the_proofs_made_one_after_another() {
    let mut rng = ChaCha20Rng::seed_from_u64(40);
    let pk = setup(MulChain::random(&mut rng, 2, 60), 11);
    let circuits: Vec<MulChain> = (0..5).map(|_| MulChain::random(&mut rng, 2, 60)).collect();
    for backend in [&CpuBackend as &dyn MsmBackend, &ParallelCpuBackend::new(3)] {
        let (batch, timings) = prove_batch_timed(
            &pk,
            circuits.clone(),
            backend,
            &mut ChaCha20Rng::seed_from_u64(41),
        )
        .unwrap();
        assert!(timings.msm > std::time::Duration::ZERO);
        let mut seq = ChaCha20Rng::seed_from_u64(41);
        for (i, c) in circuits.iter().enumerate() {
            let one = prove(&pk, c.clone(), &mut seq).unwrap();
            assert_eq!(
                bytes(&batch[i]),
                bytes(&one),
                "proof {i}, {}",
                backend.name()
            );
        }
    }
    assert!(
        prove_batch(&pk, Vec::<MulChain>::new(), &CpuBackend, &mut rng)
            .unwrap()
            .is_empty()
    );
    // Mostly 0/1 witnesses, the first circuit's matrices shared by the others.
    let pk = setup(BitDecomposition::new(0), 13);
    let values = [0u64, 1, u64::MAX, 0x8000_0000_0000_0001, 12345];
    let circuits: Vec<BitDecomposition> =
        values.iter().map(|&v| BitDecomposition::new(v)).collect();
    let batch = prove_batch(
        &pk,
        circuits.clone(),
        &CpuBackend,
        &mut ChaCha20Rng::seed_from_u64(44),
    )
    .unwrap();
    let mut seq = ChaCha20Rng::seed_from_u64(44);
    for (i, c) in circuits.into_iter().enumerate() {
        let theirs = Ark::create_random_proof_with_reduction(c, &pk, &mut seq).unwrap();
        assert_eq!(bytes(&batch[i]), bytes(&theirs), "value {}", values[i]);
    }
}

#[test]
fn a_batch_refuses_a_circuit_of_another_shape() {
    let mut rng = ChaCha20Rng::seed_from_u64(45);
    let pk = setup(MulChain::random(&mut rng, 1, 30), 14);
    let mut circuits: Vec<MulChain> = (0..3).map(|_| MulChain::random(&mut rng, 1, 30)).collect();
    circuits.push(MulChain::random(&mut rng, 1, 31));
    let err = prove_batch(&pk, circuits, &CpuBackend, &mut rng).unwrap_err();
    assert!(
        matches!(&err, Groth16ProveError::InBatch { index: 3, source } if matches!(**source, Groth16ProveError::NotSameCircuit { .. })),
        "{err}"
    );
}

#[test]
fn a_batch_names_the_circuit_that_fails() {
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let pk = setup(MulChain::random(&mut rng, 1, 30), 12);
    let circuits: Vec<MulChain> = (0..10).map(|_| MulChain::random(&mut rng, 1, 30)).collect();
    for bad in [2usize, 9] {
        let mut circuits = circuits.clone();
        circuits[bad] = circuits[bad].clone().with_wrong_output();
        let err = prove_batch(&pk, circuits, &CpuBackend, &mut rng).unwrap_err();
        assert!(
            matches!(&err, Groth16ProveError::InBatch { index, source } if *index == bad && matches!(**source, Groth16ProveError::Unsatisfied { .. })),
            "{err}"
        );
    }
}

#[test]
fn batched_and_split_cpu_msms_equal_arkworks() {
    let mut rng = ChaCha20Rng::seed_from_u64(43);
    let bases: Vec<G1Affine> = (0..100).map(|_| G1Affine::rand(&mut rng)).collect();
    let g2: Vec<G2Affine> = (0..10).map(|_| G2Affine::rand(&mut rng)).collect();
    let vectors: Vec<Vec<ScalarRepr>> = (0..4)
        .map(|_| (0..100).map(|_| Fr::rand(&mut rng).into_bigint()).collect())
        .collect();
    let refs: Vec<&[ScalarRepr]> = vectors.iter().map(Vec::as_slice).collect();
    let batch = CpuBackend.msm_g1_batch(Query::A, &bases, &refs).unwrap();
    for (i, s) in refs.iter().enumerate() {
        let expected = G1Projective::msm_bigint(&bases, s);
        assert_eq!(batch[i], expected);
        assert_eq!(
            ParallelCpuBackend::new(7)
                .msm_g1(Query::A, &bases, s)
                .unwrap(),
            expected
        );
        assert_eq!(
            ParallelCpuBackend::new(3)
                .msm_g2(Query::BG2, &g2, &s[..10])
                .unwrap(),
            G2Projective::msm_bigint(&g2, &s[..10])
        );
    }
    assert!(ParallelCpuBackend::new(2)
        .msm_g1(Query::A, &bases, &vectors[0][1..])
        .is_err());
}

#[test]
fn the_prepared_prover_equals_ark_groth16_on_one_and_two_threads() {
    for (name, circuit) in circuits() {
        let pk = setup(circuit.clone(), 15);
        let prover = Prover::new(&pk, circuit.clone(), 1).unwrap();
        let two = Prover::new(&pk, circuit.clone(), 2).unwrap();
        for seed in [0u64, 3] {
            let theirs = Ark::create_random_proof_with_reduction(
                circuit.clone(),
                &pk,
                &mut ChaCha20Rng::seed_from_u64(seed),
            )
            .unwrap();
            for p in [&prover, &two] {
                let ours = p
                    .prove(&pk, circuit.clone(), &mut ChaCha20Rng::seed_from_u64(seed))
                    .unwrap();
                assert_eq!(bytes(&ours), bytes(&theirs), "{name}, seed {seed}");
            }
        }
        // r = 0 (B in G1 skipped) and r = s = 0.
        for (r, s) in [(Fr::zero(), Fr::zero()), (Fr::zero(), Fr::from(3u64))] {
            let (ours, _) = prover
                .prove_with_randomness(&pk, circuit.clone(), r, s)
                .unwrap();
            let theirs = Ark::create_proof_with_reduction(circuit.clone(), &pk, r, s).unwrap();
            assert_eq!(bytes(&ours), bytes(&theirs), "{name}, r = {r}, s = {s}");
        }
    }
    // Mostly 0/1 witnesses.
    let pk = setup(BitDecomposition::new(0), 16);
    let prover = Prover::new(&pk, BitDecomposition::new(0), 2).unwrap();
    for (seed, value) in [(1u64, 0u64), (2, u64::MAX), (3, 0x8000_0000_0000_0001)] {
        let circuit = BitDecomposition::new(value);
        let ours = prover
            .prove(&pk, circuit, &mut ChaCha20Rng::seed_from_u64(seed))
            .unwrap();
        let theirs = Ark::create_random_proof_with_reduction(
            circuit,
            &pk,
            &mut ChaCha20Rng::seed_from_u64(seed),
        )
        .unwrap();
        assert_eq!(bytes(&ours), bytes(&theirs), "value {value}");
    }
}

#[test]
fn a_stale_or_mismatched_precomputation_is_refused() {
    let mut rng = ChaCha20Rng::seed_from_u64(50);
    let circuit = MulChain::random(&mut rng, 2, 40);
    let old = setup(circuit.clone(), 17);
    // The same circuit after a new setup (a ceremony contribution): same sizes, other key.
    let new = setup(circuit.clone(), 18);
    let prover = Prover::new(&old, circuit.clone(), 1).unwrap();
    assert!(prover.memory_bytes() > 0);
    assert_eq!(
        prover.prove(&new, circuit.clone(), &mut rng).unwrap_err(),
        Groth16ProveError::StalePrecomputation { field: "vk" }
    );
    // Another circuit's key: other sizes.
    let other = setup(MulChain::random(&mut rng, 2, 41), 19);
    assert!(matches!(
        prover.prove(&other, circuit.clone(), &mut rng).unwrap_err(),
        Groth16ProveError::StalePrecomputation { .. }
    ));
    // The circuit's matrices against the new key, the old key's tables: every base compared.
    let mixed = Prover::with_backend(
        PreparedCircuit::new(&new, circuit.clone()).unwrap(),
        FixedBaseBackend::new(&old, 1),
    );
    assert!(matches!(
        mixed.prove(&new, circuit.clone(), &mut rng).unwrap_err(),
        Groth16ProveError::Msm(MsmError::NotPrepared {
            query: Query::H,
            ..
        })
    ));
    // A key changed in one base only is refused by the tables too.
    let mut tampered = old.clone();
    tampered.l_query[7] = (tampered.l_query[7] + tampered.l_query[8]).into_affine();
    assert!(matches!(
        prover
            .prove(&tampered, circuit.clone(), &mut rng)
            .unwrap_err(),
        Groth16ProveError::Msm(MsmError::NotPrepared {
            query: Query::L,
            ..
        })
    ));
    // A circuit of another shape under the right key.
    assert!(matches!(
        prover
            .prove(&old, MulChain::random(&mut rng, 3, 39), &mut rng)
            .unwrap_err(),
        Groth16ProveError::NotSameCircuit { .. }
    ));
    // Matrices of another circuit of the same shape: the key's identity bases do not match.
    assert!(prover.prove(&old, circuit, &mut rng).is_ok());
}

#[test]
fn matrices_of_another_circuit_of_the_same_size_are_refused() {
    // MulChain uses every witness in A; BitDecomposition leaves some variables out of B.
    let bits = BitDecomposition::new(5);
    let pk = setup(bits, 20);
    let n = pk.a_query.len();
    // Build a key whose A bases claim another usage: swap an identity and a non-identity base.
    let mut wrong = pk.clone();
    let zero_b = wrong
        .b_g1_query
        .iter()
        .position(|p| p.is_zero())
        .expect("some variable is not in B");
    wrong.b_g1_query[zero_b] = wrong.b_g1_query[(zero_b + 1) % n];
    assert!(matches!(
        PreparedCircuit::new(&wrong, bits).unwrap_err(),
        Groth16ProveError::NotTheKeysCircuit {
            matrix: "B",
            used: false,
            ..
        }
    ));
}

#[test]
fn the_timings_cover_every_stage() {
    let (_, circuit) = circuits().swap_remove(3);
    let pk = setup(circuit.clone(), 21);
    let (_, t) = prove_timed(
        &pk,
        circuit.clone(),
        &CpuBackend,
        &mut ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap();
    assert!(t.matrices > std::time::Duration::ZERO && t.msm_b_g2 > std::time::Duration::ZERO);
    let prover = Prover::new(&pk, circuit.clone(), 1).unwrap();
    let (_, t) = prover
        .prove_timed(&pk, circuit, &mut ChaCha20Rng::seed_from_u64(1))
        .unwrap();
    assert_eq!(t.matrices, std::time::Duration::ZERO);
    assert!(t.witness_map > std::time::Duration::ZERO && t.total() >= t.msm_h);
}
