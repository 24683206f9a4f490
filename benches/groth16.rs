//! Groth16 benches on a SYNTHETIC circuit (`MulChain::synthetic_kyc_sized`: 15,000
//! multiplication constraints, 12 public inputs), a stand-in of the KYC circuit's size until
//! that circuit lands. Each group measures its baseline in the same run:
//! - `groth16_prove_synthetic_15k`: our prover on the CPU backend vs ark-groth16's own
//!   `create_random_proof_with_reduction` (same key, same circuit);
//! - `groth16_verify_synthetic_15k`: single verification (ours, and ark-groth16's
//!   `verify_proof`) vs `verify_batch` of 64 and 256 proofs; batch throughput is per proof
//!   (`Throughput::Elements(n)`), so divide the batch time by `n` to compare with single.
//!
//! Deterministic RNGs throughout; small sample sizes (proving takes ~1 s per sample).
use ark_bn254::{Bn254, Fr};
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{prepare_verifying_key, Groth16, Proof, ProvingKey};
use corridor_prover::groth16::prove;
use corridor_prover::test_circuits::MulChain;
use corridor_verifier::groth16::{verify, verify_batch, BatchEntry, PreparedKey};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;
use std::time::Duration;

type Ark = Groth16<Bn254, LibsnarkReduction>;

struct Setup {
    pk: ProvingKey<Bn254>,
    circuit: MulChain,
    /// 256 distinct valid proofs (re-randomised copies of 4) with their inputs.
    proofs: Vec<(Proof<Bn254>, Vec<Fr>)>,
}

fn setup() -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let circuit = MulChain::synthetic_kyc_sized(&mut rng);
    let pk = Ark::generate_random_parameters_with_reduction(circuit.clone(), &mut rng)
        .expect("setup of the synthetic circuit");
    let base: Vec<_> = (0..4)
        .map(|_| {
            let c = MulChain::synthetic_kyc_sized(&mut rng);
            let inputs = c.public_inputs();
            (prove(&pk, c, &mut rng).expect("prove"), inputs)
        })
        .collect();
    let proofs = (0..256)
        .map(|i| {
            let (proof, inputs) = &base[i % base.len()];
            (
                Ark::rerandomize_proof(&pk.vk, proof, &mut rng),
                inputs.clone(),
            )
        })
        .collect();
    Setup {
        pk,
        circuit,
        proofs,
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();

    let mut prove_group = c.benchmark_group("groth16_prove_synthetic_15k");
    prove_group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    prove_group.bench_function("corridor_cpu_backend", |b| {
        b.iter_batched(
            || s.circuit.clone(),
            |circuit| prove(&s.pk, circuit, &mut rng).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    prove_group.bench_function("ark_groth16_baseline", |b| {
        b.iter_batched(
            || s.circuit.clone(),
            |circuit| {
                Ark::create_random_proof_with_reduction(circuit, &s.pk, &mut rng).expect("prove")
            },
            BatchSize::SmallInput,
        )
    });
    prove_group.finish();

    let key = PreparedKey::new(&s.pk.vk);
    let pvk = prepare_verifying_key(&s.pk.vk);
    let mut verify_group = c.benchmark_group("groth16_verify_synthetic_15k");
    verify_group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let (proof, inputs) = &s.proofs[0];
    verify_group.throughput(Throughput::Elements(1));
    verify_group.bench_function("single", |b| {
        b.iter(|| verify(&key, black_box(proof), black_box(inputs)).expect("valid"))
    });
    verify_group.bench_function("single_ark_groth16_baseline", |b| {
        b.iter(
            || assert!(Ark::verify_proof(&pvk, black_box(proof), black_box(inputs)).expect("ok")),
        )
    });
    for n in [64usize, 256] {
        let entries: Vec<BatchEntry<'_>> = s.proofs[..n]
            .iter()
            .map(|(p, x)| BatchEntry::new(p, x))
            .collect();
        verify_group.throughput(Throughput::Elements(n as u64));
        verify_group.bench_function(format!("batch_{n}"), |b| {
            b.iter(|| verify_batch(&key, black_box(&entries), &mut rng).expect("valid"))
        });
    }
    verify_group.finish();
}

criterion_group!(groth16, benches);
criterion_main!(groth16);
