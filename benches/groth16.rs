//! Groth16 benches on the KYC circuit (DESIGN.md §3.6: depth-32 membership, policy, nullifier,
//! link and escrow; 13,393 constraints, 14 public inputs), with keys from a dev-seed setup made
//! once and valid statements from `corridor_circuits::kyc::sample`. Each group measures its
//! baseline in the same run:
//! - `groth16_prove_kyc`: our prover on the CPU backend (ark's work, our MSM backend), our
//!   precomputed prover (`Prover`: matrices once per key, fixed-base tables, on every core) vs
//!   ark-groth16's own `create_random_proof_with_reduction` (same key, same statement);
//! - `groth16_verify_kyc`: single verification (ours, and ark-groth16's `verify_proof`) vs
//!   `verify_batch` of 64 and 256 proofs; batch throughput is per proof
//!   (`Throughput::Elements(n)`), so divide the batch time by `n` to compare with single.
//!
//! Deterministic RNGs throughout; small sample sizes (proving takes ~1 s per sample on 2 cores).
use ark_bn254::{Bn254, Fr};
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{prepare_verifying_key, Groth16, Proof, ProvingKey};
use corridor_circuits::kyc::sample::KycSample;
use corridor_circuits::KycCircuit;
use corridor_params::setup::dev_setup;
use corridor_prover::groth16::{prove, Prover};
use corridor_verifier::groth16::{verify, verify_batch, BatchEntry, PreparedKey};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::hint::black_box;
use std::time::Duration;

type Ark = Groth16<Bn254, LibsnarkReduction>;

/// The dev seed of the benches' keys.
const DEV_SEED: u64 = 2026;

struct Setup {
    pk: ProvingKey<Bn254>,
    /// The statement proven in the prove group.
    sample: KycSample,
    /// 256 distinct valid proofs (re-randomised copies of proofs of 4 statements) with their
    /// inputs.
    proofs: Vec<(Proof<Bn254>, Vec<Fr>)>,
}

fn setup() -> Setup {
    let pk = dev_setup(KycCircuit::for_setup(), DEV_SEED)
        .expect("dev-seed setup of the KYC circuit")
        .0;
    let mut rng = ChaCha20Rng::seed_from_u64(DEV_SEED);
    let samples: Vec<KycSample> = (0..4)
        .map(|_| KycSample::generate(&mut rng).expect("sample statement"))
        .collect();
    let base: Vec<_> = samples
        .iter()
        .map(|sample| {
            let (circuit, public) = sample.circuit().expect("valid sample");
            let proof = prove(&pk, circuit, &mut rng).expect("prove");
            (proof, public.to_field_elements())
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
    let sample = samples.into_iter().next().expect("four samples");
    Setup { pk, sample, proofs }
}

fn benches(c: &mut Criterion) {
    let s = setup();

    let mut prove_group = c.benchmark_group("groth16_prove_kyc");
    prove_group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    prove_group.bench_function("corridor_cpu_backend", |b| {
        b.iter_batched(
            || s.sample.circuit().expect("valid sample").0,
            |circuit| prove(&s.pk, circuit, &mut rng).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    // The precomputed prover (matrices once per key, fixed-base tables; built once, on every
    // core, before the timing), as customer transactions use it (`kyc_prover`).
    let prover = Prover::new(
        &s.pk,
        KycCircuit::for_setup(),
        std::thread::available_parallelism().map_or(1, usize::from),
    )
    .expect("precomputed KYC prover");
    prove_group.bench_function("corridor_precomputed", |b| {
        b.iter_batched(
            || s.sample.circuit().expect("valid sample").0,
            |circuit| prover.prove(&s.pk, circuit, &mut rng).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    prove_group.bench_function("ark_groth16_baseline", |b| {
        b.iter_batched(
            || s.sample.circuit().expect("valid sample").0,
            |circuit| {
                Ark::create_random_proof_with_reduction(circuit, &s.pk, &mut rng).expect("prove")
            },
            BatchSize::SmallInput,
        )
    });
    prove_group.finish();

    let key = PreparedKey::new(&s.pk.vk);
    let pvk = prepare_verifying_key(&s.pk.vk);
    let mut verify_group = c.benchmark_group("groth16_verify_kyc");
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
