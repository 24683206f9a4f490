//! The CUDA backend against the CPU: MSMs on random and edge inputs, and Groth16 proofs.
//!
//! Every test first asks for the device ([`device`]). On a machine without one (CI) it asserts
//! the typed reason — no CUDA driver library, no NVRTC, or no device — and that the backend
//! `select_backend` returns instead (the CPU) proves the same bytes; with
//! `CORRIDOR_REQUIRE_GPU=1` (the device checks) a missing device fails the test instead.
//! On a device the MSMs are compared with the CPU's at sizes 1, 2, 255, 2^12, 2^16 and 2^20 (G1)
//! and 1, 2, 255, 2^12 (G2), with zero scalars, r − 1, repeated, opposite and identity points,
//! and batches; proofs made through the device equal the CPU's byte for byte and verify.
use super::*;
use crate::groth16::backend::select_backend;
use crate::groth16::msm::ParallelCpuBackend;
use crate::groth16::{prove_batch, prove_with_backend, BackendKind};
use crate::test_circuits::MulChain;
use ark_bn254::Bn254;
use ark_ff::{BigInt, UniformRand};
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::{prepare_verifying_key, Groth16};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

type Ark = Groth16<Bn254, LibsnarkReduction>;

fn require_gpu() -> bool {
    std::env::var("CORRIDOR_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// The options of the tests: the kernel cache of `CORRIDOR_KERNEL_CACHE` (the device checks
/// carry compiled kernels there).
fn options() -> GpuOptions {
    GpuOptions::from_env()
}

/// The device backend, or `None` after asserting why there is none (see the module doc).
fn device() -> Option<&'static GpuBackend> {
    static BACKEND: OnceLock<Result<GpuBackend, GpuUnavailable>> = OnceLock::new();
    match BACKEND.get_or_init(|| {
        let backend = GpuBackend::new(&options());
        if matches!(backend, Err(GpuUnavailable::SelfTest { .. })) {
            diagnose();
        }
        backend
    }) {
        Ok(gpu) => Some(gpu),
        Err(why) => {
            assert!(
                !require_gpu(),
                "CORRIDOR_REQUIRE_GPU=1 but the GPU backend is unavailable: {why}"
            );
            assert!(
                why.is_no_gpu(),
                "a machine without a GPU must say so, not: {why}"
            );
            None
        }
    }
}

/// After a failed self-test: small MSMs on the device, without the self-test, each printed
/// beside the CPU's (to see what breaks: a base's round trip, doubling, a window, G2 only).
#[allow(clippy::print_stderr)]
fn diagnose() {
    fn run<P: DeviceCurve<ScalarField = Fr>>(
        device: &Device,
        what: &str,
        bases: &[Affine<P>],
        s: &[u64],
    ) where
        P::BaseField: FieldLimbs,
    {
        let mut all: Vec<ScalarRepr> = s.iter().map(|&x| Fr::from(x).into_bigint()).collect();
        all.resize(bases.len(), Fr::zero().into_bigint());
        let expected = <Projective<P> as ark_ec::VariableBaseMSM>::msm_bigint(bases, &all);
        let got = device
            .upload::<P>(bases)
            .and_then(|b| device.msm::<P>(&b, &[&all]));
        match got {
            Ok(g) if g.first() == Some(&expected) => eprintln!("diagnose {} {what}: ok", P::NAME),
            Ok(g) => eprintln!(
                "diagnose {} {what}: MISMATCH gpu {:?} cpu {:?}",
                P::NAME,
                g.first().map(|p| p.into_affine()),
                expected.into_affine()
            ),
            Err(e) => eprintln!("diagnose {} {what}: device error {e}", P::NAME),
        }
    }
    fn suite<P: DeviceCurve<ScalarField = Fr>>(device: &Device)
    where
        P::BaseField: FieldLimbs,
    {
        let g = Affine::<P>::generator();
        let g2 = Projective::<P>::from(g).double().into_affine();
        for (what, s) in [
            ("1·G", 1u64),
            ("2·G", 2),
            ("3·G", 3),
            ("7·G", 7),
            ("9·G", 9),
            ("2^16·G", 1 << 16),
            ("(2^40+5)·G", (1 << 40) + 5),
        ] {
            run::<P>(device, what, &[g], &[s]);
        }
        run::<P>(device, "G + 2G", &[g, g2], &[1, 1]);
        run::<P>(device, "G + G (repeated base)", &[g, g], &[1, 1]);
        run::<P>(device, "G − G", &[g, -g], &[1, 1]);
        run::<P>(device, "5·G + 3·2G", &[g, g2], &[5, 3]);
        let many: Vec<Affine<P>> = test_bases::<P>(64);
        run::<P>(device, "64 bases, all 1", &many, &[1; 64]);
        let ramp: Vec<u64> = (1..=64).collect();
        run::<P>(device, "64 bases, 1..64", &many, &ramp);
    }
    let Ok(device) = Device::open(&options()) else {
        eprintln!("diagnose: the device does not open");
        return;
    };
    suite::<ark_bn254::g1::Config>(&device);
    suite::<ark_bn254::g2::Config>(&device);
}

/// `n` distinct G1 points, fast: consecutive steps from random starts on all cores.
fn g1_points(n: usize, seed: u64) -> Vec<G1Affine> {
    points::<ark_bn254::g1::Config>(n, seed)
}

fn g2_points(n: usize, seed: u64) -> Vec<G2Affine> {
    points::<ark_bn254::g2::Config>(n, seed)
}

fn points<P: DeviceCurve<ScalarField = Fr>>(n: usize, seed: u64) -> Vec<Affine<P>>
where
    P::BaseField: FieldLimbs,
{
    let threads = crate::groth16::msm::available_threads();
    let part = n.div_ceil(threads).max(1);
    let starts: Vec<usize> = (0..n).step_by(part).collect();
    let mut out = Vec::with_capacity(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .iter()
            .map(|&start| {
                scope.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ (start as u64) << 20);
                    let step = Projective::<P>::rand(&mut rng);
                    let mut acc = Projective::<P>::rand(&mut rng);
                    let len = part.min(n - start);
                    let mut chunk = Vec::with_capacity(len);
                    for _ in 0..len {
                        chunk.push(acc);
                        acc += step;
                    }
                    Projective::normalize_batch(&chunk)
                })
            })
            .collect();
        for h in handles {
            out.extend(h.join().unwrap());
        }
    });
    out
}

fn random_scalars(n: usize, seed: u64) -> Vec<ScalarRepr> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect()
}

fn r_minus_one() -> ScalarRepr {
    (-Fr::one()).into_bigint()
}

/// The device's batch against the CPU's, vector by vector.
fn check_g1(gpu: &GpuBackend, what: &str, bases: &[G1Affine], vectors: &[Vec<ScalarRepr>]) {
    let refs: Vec<&[ScalarRepr]> = vectors.iter().map(Vec::as_slice).collect();
    let got = gpu.msm_g1_batch(Query::A, bases, &refs).unwrap();
    let cpu = ParallelCpuBackend::all_cores();
    for (i, s) in refs.iter().enumerate() {
        let expected = cpu.msm_g1(Query::A, bases, s).unwrap();
        assert_eq!(got[i], expected, "G1 {what}, vector {i}");
    }
    assert_eq!(gpu.device_failures(), 0, "{:?}", gpu.last_failure());
}

fn check_g2(gpu: &GpuBackend, what: &str, bases: &[G2Affine], vectors: &[Vec<ScalarRepr>]) {
    let refs: Vec<&[ScalarRepr]> = vectors.iter().map(Vec::as_slice).collect();
    let got = gpu.msm_g2_batch(Query::BG2, bases, &refs).unwrap();
    let cpu = ParallelCpuBackend::all_cores();
    for (i, s) in refs.iter().enumerate() {
        let expected = cpu.msm_g2(Query::BG2, bases, s).unwrap();
        assert_eq!(got[i], expected, "G2 {what}, vector {i}");
    }
    assert!(gpu.g2_on_cpu().is_none(), "{:?}", gpu.g2_on_cpu());
    assert_eq!(gpu.device_failures(), 0, "{:?}", gpu.last_failure());
}

/// Random, zero, r − 1, all-one and small scalars.
fn edge_vectors(n: usize, seed: u64) -> Vec<Vec<ScalarRepr>> {
    vec![
        random_scalars(n, seed),
        vec![BigInt::zero(); n],
        vec![r_minus_one(); n],
        vec![Fr::one().into_bigint(); n],
        (0..n)
            .map(|i| match i % 4 {
                0 => BigInt::zero(),
                1 => r_minus_one(),
                2 => BigInt::from(i as u64 % 3),
                _ => Fr::from(i as u64).into_bigint(),
            })
            .collect(),
    ]
}

#[test]
fn g1_msms_equal_the_cpu_from_one_point_to_two_to_the_twenty() {
    let Some(gpu) = device() else { return };
    for (log, n) in [
        (0, 1usize),
        (1, 2),
        (8, 255),
        (12, 1 << 12),
        (16, 1 << 16),
        (20, 1 << 20),
    ] {
        let bases = g1_points(n, 100 + log);
        let vectors = if n <= 1 << 16 {
            edge_vectors(n, 200 + log)
        } else {
            vec![random_scalars(n, 200 + log)]
        };
        check_g1(gpu, &format!("n = {n}"), &bases, &vectors);
    }
}

#[test]
fn g1_repeated_opposite_and_identity_points() {
    let Some(gpu) = device() else { return };
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let p = G1Affine::rand(&mut rng);
    let q = G1Affine::rand(&mut rng);
    // P = Q in a bucket (doubling), P = −Q (identity), identity bases (left out of the upload).
    let mut bases = vec![p, p, p, -p, q, -q, G1Affine::zero(), q, p, G1Affine::zero()];
    bases.extend(g1_points(300, 12));
    bases.extend([p; 100]);
    let n = bases.len();
    check_g1(gpu, "repeated points", &bases, &edge_vectors(n, 13));
    // Only identities: nothing on the device, the identity back.
    let zeros = vec![G1Affine::zero(); 5];
    check_g1(gpu, "identity bases", &zeros, &edge_vectors(5, 14));
}

#[test]
fn g2_msms_equal_the_cpu() {
    let Some(gpu) = device() else { return };
    for (log, n) in [(0, 1usize), (1, 2), (8, 255), (12, 1 << 12)] {
        let mut bases = g2_points(n, 300 + log);
        if n > 4 {
            bases[1] = bases[0];
            bases[2] = -bases[0];
            bases[3] = G2Affine::zero();
        }
        check_g2(
            gpu,
            &format!("n = {n}"),
            &bases,
            &edge_vectors(n, 400 + log),
        );
    }
}

#[test]
fn resident_bases_are_reused_and_refreshed_when_the_content_changes() {
    let Some(gpu) = device() else { return };
    let bases = g1_points(1000, 21);
    let s = random_scalars(1000, 22);
    let first = gpu.msm_g1(Query::L, &bases, &s).unwrap();
    let again = gpu.msm_g1(Query::L, &bases, &s).unwrap();
    assert_eq!(first, again);
    assert_eq!(first, CpuBackend.msm_g1(Query::L, &bases, &s).unwrap());
    // Same query and length, other points: uploaded again.
    let other = g1_points(1000, 23);
    assert_eq!(
        gpu.msm_g1(Query::L, &other, &s).unwrap(),
        CpuBackend.msm_g1(Query::L, &other, &s).unwrap()
    );
    assert!(gpu.resident_bytes() > 0);
    // Wrong lengths are refused, as by the CPU backend.
    assert!(matches!(
        gpu.msm_g1(Query::L, &bases, &s[1..]),
        Err(MsmError::Length { .. })
    ));
}

/// Proofs through the selected backend (the device, or the CPU it falls back to) equal the
/// CPU's byte for byte, singly and in a batch, and verify.
#[test]
fn proofs_through_the_gpu_backend_equal_the_cpus_and_verify() {
    let on_device = device().is_some();
    let selected = select_backend(BackendKind::Gpu, &options());
    assert_eq!(selected.gpu_unavailable.is_none(), on_device);
    let backend = selected.backend.as_ref();
    let mut rng = ChaCha20Rng::seed_from_u64(31);
    let pk = Ark::generate_random_parameters_with_reduction(
        MulChain::random(&mut rng, 2, 250),
        &mut rng,
    )
    .unwrap();
    let pvk = prepare_verifying_key(&pk.vk);
    // Circuits of the key's shape (2 inputs, 250 steps), other witnesses.
    let same_shape: Vec<MulChain> = (0..6).map(|_| MulChain::random(&mut rng, 2, 250)).collect();
    let single = prove_with_backend(
        &pk,
        same_shape[0].clone(),
        backend,
        &mut ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap();
    let cpu_single = crate::groth16::prove(
        &pk,
        same_shape[0].clone(),
        &mut ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap();
    assert_eq!(single, cpu_single);
    let batch = prove_batch(
        &pk,
        same_shape.clone(),
        backend,
        &mut ChaCha20Rng::seed_from_u64(2),
    )
    .unwrap();
    let mut seq_rng = ChaCha20Rng::seed_from_u64(2);
    for (i, c) in same_shape.iter().enumerate() {
        let expected = crate::groth16::prove(&pk, c.clone(), &mut seq_rng).unwrap();
        assert_eq!(batch[i], expected, "proof {i} of the batch");
        assert!(Ark::verify_proof(&pvk, &batch[i], &c.public_inputs()).unwrap());
    }
    // On a device, the proofs came from it: no MSM fell back to the CPU.
    if on_device {
        let state = backend.device().unwrap();
        assert!(state.contains("; 0 device failures"), "{state}");
    }
}

#[test]
fn self_test_inputs_hold_the_edge_cases() {
    let bases = test_bases::<ark_bn254::g1::Config>(300);
    assert!(bases.iter().any(|p| p.is_zero()));
    let g = G1Affine::generator();
    assert!(bases.contains(&g) && bases.contains(&-g));
    let vectors = test_scalars(300);
    assert!(vectors[0].contains(&Fr::zero().into_bigint()));
    assert!(vectors[0].contains(&(-Fr::one()).into_bigint()));
    assert!(vectors.iter().flatten().all(is_canonical));
    assert!(!is_canonical(&Fr::MODULUS));
}

#[test]
fn samples_differ_when_any_sampled_point_differs() {
    let bases = test_bases::<ark_bn254::g1::Config>(1000);
    let mut other = bases.clone();
    other[999] = G1Affine::generator();
    assert_ne!(sample(&bases), sample(&other));
    assert_eq!(sample(&bases), sample(&bases.clone()));
}

/// NVRTC alone (no device) compiles the kernels into a cache folder for an H100/H200
/// (`precompile_kernels`), or the library says NVRTC is missing. `CORRIDOR_PRECOMPILE_DIR` keeps
/// the folder (to carry the cache to a GPU machine); `CORRIDOR_NVRTC_LIB` points at an NVRTC.
#[test]
fn kernels_compile_with_nvrtc_alone_or_nvrtc_is_reported_missing() {
    let keep = std::env::var_os("CORRIDOR_PRECOMPILE_DIR").map(std::path::PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("corridor-kernels-test-{}", std::process::id()))
    });
    match precompile_kernels(&dir, (9, 0)) {
        Ok(file) => {
            assert!(file.is_file(), "{}", file.display());
            assert!(file.to_string_lossy().ends_with(".cubin"));
        }
        Err(GpuUnavailable::NoNvrtcLibrary) => assert!(!require_gpu(), "no NVRTC on a GPU machine"),
        Err(e) => panic!("{e}"),
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
