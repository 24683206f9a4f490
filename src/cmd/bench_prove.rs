//! `corridor bench prove` and `corridor bench msm`: the MSM backends (DESIGN.md §7, "Proving
//! lever"), each beside its CPU baseline measured in the same run, one JSON line per
//! measurement.
//!
//! - `prove`: batches of KYC proofs (`--proofs 1,16,128`) with `prove_batch`, on the CPU backend
//!   (every core busy: proofs and their MSMs spread over threads) and, with `--backend gpu`, on
//!   the GPU backend (MSMs of the whole batch in one device pass; synthesis and FFTs on every
//!   core). Prints proofs/s, the batch's latency and where the time went (witness, MSM,
//!   assembly); checks that the GPU's proofs are byte for byte the CPU's and verify.
//! - `msm`: one G1 MSM of 2^k random points (`--log-sizes 16,18,20`, and G2 at
//!   `--g2-log-sizes`) on the GPU backend with its bases resident, against arkworks split over
//!   every core; checks the results are equal.
//!
//! - `prove` first compares single proofs with ark-groth16's prover at each `--threads` count
//!   ([`crate::cmd::bench_prove_cpu`]): our precomputed CPU prover, its precomputation's cost,
//!   and the stage-by-stage split of both (`--single-only` stops there).
//!
//! Without a usable GPU (`--backend gpu` on a build without `--features gpu`, or a machine
//! without CUDA) the first line says why and the CPU backend stands in.
use anyhow::{bail, ensure, Context, Result};
use ark_bn254::{Fr, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, UniformRand};
use clap::{Args, ValueEnum};
use corridor_circuits::kyc::sample::KycSample;
use corridor_circuits::KycCircuit;
use corridor_params::manifest::{CircuitInfo, ParamsDir};
use corridor_params::setup::dev_setup;
use corridor_prover::groth16::{
    prove_batch_timed, select_backend, BackendKind, BatchTimings, CpuBackend, GpuOptions,
    MsmBackend, ParallelCpuBackend, Query, ScalarRepr,
};
use corridor_verifier::groth16::{verify, PreparedKey};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The dev seed of the KYC keys when no `--params` folder is given (the criterion bench's).
const DEV_SEED: u64 = 2026;

/// Which MSM backend to measure (the CPU is always measured as the baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// The CPU backend only.
    Cpu,
    /// The GPU backend, beside the CPU baseline.
    Gpu,
}

/// Options of `corridor bench prove`.
#[derive(Args, Debug)]
pub struct ProveArgs {
    /// The backend to measure beside the CPU baseline.
    #[arg(long, value_enum, default_value_t = Backend::Gpu)]
    backend: Backend,
    /// Batch sizes: proofs proven together (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 16, 128])]
    proofs: Vec<usize>,
    /// Timed runs per batch size and backend (median), after one warm-up run.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=100))]
    reps: u32,
    /// KYC parameters folder (`corridor params setup`); without it, keys from dev seed 2026.
    #[arg(long)]
    params: Option<PathBuf>,
    /// Seed of the statements and of the proofs' randomness.
    #[arg(long, default_value_t = corridor::bench::DEFAULT_SEED)]
    seed: u64,
    /// Folder of compiled GPU kernels (default `$CORRIDOR_KERNEL_CACHE`, else
    /// `~/.cache/corridor/kernels`).
    #[arg(long)]
    kernel_cache: Option<PathBuf>,
    /// Thread counts of the single-proof comparison with ark-groth16 (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 2])]
    threads: Vec<usize>,
    /// Timed rounds of the single-proof comparison (each: ours, then ark-groth16), after one
    /// warm-up round; 0 skips it.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..=1000))]
    single_reps: u32,
    /// Only the single-proof comparison, no batches.
    #[arg(long)]
    single_only: bool,
}

/// Options of `corridor bench msm`.
#[derive(Args, Debug)]
pub struct MsmArgs {
    /// The backend to measure beside the CPU baseline.
    #[arg(long, value_enum, default_value_t = Backend::Gpu)]
    backend: Backend,
    /// G1 sizes as powers of two (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [16u32, 18, 20])]
    log_sizes: Vec<u32>,
    /// G2 sizes as powers of two (comma-separated; empty for none).
    #[arg(long, value_delimiter = ',', default_values_t = [16u32])]
    g2_log_sizes: Vec<u32>,
    /// Timed runs per size and backend (median), after one warm-up run.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    reps: u32,
    /// Seed of the points and scalars.
    #[arg(long, default_value_t = corridor::bench::DEFAULT_SEED)]
    seed: u64,
    /// Folder of compiled GPU kernels (as for `prove`).
    #[arg(long)]
    kernel_cache: Option<PathBuf>,
}

/// The backend to measure beside the CPU, after printing what was found.
fn measured_backend(backend: Backend, cache: Option<&PathBuf>) -> Box<dyn MsmBackend> {
    let kind = match backend {
        Backend::Cpu => BackendKind::Cpu,
        Backend::Gpu => BackendKind::Gpu,
    };
    let start = Instant::now();
    let mut options = GpuOptions::from_env();
    if let Some(dir) = cache {
        options.kernel_cache = Some(dir.clone());
    }
    let selected = select_backend(kind, &options);
    println!(
        "{}",
        json!({
            "bench": "backend",
            "asked": format!("{backend:?}").to_lowercase(),
            "backend": selected.backend.name(),
            "device": selected.backend.device(),
            "gpu_unavailable": selected.gpu_unavailable.as_ref().map(ToString::to_string),
            "setup_ms": ms(start.elapsed()),
            "cpu_threads": std::thread::available_parallelism().map_or(1, usize::from),
        })
    );
    selected.backend
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    corridor::bench::median(&mut v).unwrap_or(f64::NAN)
}

/// One batch: the proofs and each stage's time.
struct Timed {
    proofs: Vec<ark_groth16::Proof<ark_bn254::Bn254>>,
    total: Duration,
    timings: BatchTimings,
}

fn prove_once(
    pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>,
    samples: &[KycSample],
    n: usize,
    backend: &dyn MsmBackend,
    seed: u64,
) -> Result<Timed> {
    let circuits = (0..n)
        .map(|i| Ok(samples[i % samples.len()].circuit()?.0))
        .collect::<Result<Vec<KycCircuit>>>()?;
    let start = Instant::now();
    let (proofs, timings) =
        prove_batch_timed(pk, circuits, backend, &mut ChaCha20Rng::seed_from_u64(seed))?;
    Ok(Timed {
        proofs,
        total: start.elapsed(),
        timings,
    })
}

/// Median over `reps` timed batches (after one warm-up), and the last batch's proofs.
fn prove_median(
    pk: &ark_groth16::ProvingKey<ark_bn254::Bn254>,
    samples: &[KycSample],
    n: usize,
    backend: &dyn MsmBackend,
    seed: u64,
    reps: u32,
) -> Result<(Timed, [f64; 4])> {
    prove_once(pk, samples, n.min(4), backend, seed)?;
    let mut runs = Vec::new();
    for _ in 0..reps {
        runs.push(prove_once(pk, samples, n, backend, seed)?);
    }
    let pick = |f: fn(&Timed) -> Duration| median(runs.iter().map(|t| ms(f(t))).collect());
    let figures = [
        pick(|t| t.total),
        pick(|t| t.timings.witness),
        pick(|t| t.timings.msm),
        pick(|t| t.timings.assemble),
    ];
    let last = runs.pop().context("no timed run")?;
    Ok((last, figures))
}

fn stage_json(n: usize, f: [f64; 4]) -> serde_json::Value {
    json!({
        "proofs_per_s": n as f64 / (f[0] / 1e3),
        "latency_ms": f[0],
        "witness_ms": f[1],
        "msm_ms": f[2],
        "assemble_ms": f[3],
    })
}

/// Runs `corridor bench prove`.
pub fn run_prove(args: &ProveArgs) -> Result<()> {
    ensure!(
        args.proofs.iter().all(|&n| n >= 1),
        "--proofs takes batch sizes of at least 1"
    );
    let backend = measured_backend(args.backend, args.kernel_cache.as_ref());
    let start = Instant::now();
    let pk = match &args.params {
        Some(dir) => {
            ParamsDir::new(dir)
                .load_proving_key(&CircuitInfo::kyc()?)
                .with_context(|| format!("loading the KYC proving key from {}", dir.display()))?
                .0
        }
        None => {
            dev_setup(KycCircuit::for_setup(), DEV_SEED)
                .context("dev-seed setup of the KYC circuit")?
                .0
        }
    };
    let key = PreparedKey::new(&pk.vk);
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed);
    let samples = (0..4)
        .map(|_| KycSample::generate(&mut rng))
        .collect::<Result<Vec<_>, _>>()?;
    let inputs: Vec<Vec<Fr>> = samples
        .iter()
        .map(|s| Ok(s.circuit()?.1.to_field_elements()))
        .collect::<Result<_>>()?;
    println!(
        "{}",
        json!({"bench": "prove_kyc_setup", "keys_ms": ms(start.elapsed()), "h_query": pk.h_query.len(), "a_query": pk.a_query.len(), "l_query": pk.l_query.len()})
    );
    if args.single_reps > 0 {
        crate::cmd::bench_prove_cpu::run(
            &pk,
            &samples,
            &args.threads,
            args.single_reps,
            args.seed,
        )?;
    }
    if args.single_only {
        return Ok(());
    }
    for &n in &args.proofs {
        let seed = args.seed.wrapping_add(n as u64);
        let (cpu, cpu_f) = prove_median(&pk, &samples, n, &CpuBackend, seed, args.reps)?;
        let mut line = json!({
            "bench": "prove_kyc",
            "proofs": n,
            "reps": args.reps,
            "cpu": stage_json(n, cpu_f),
        });
        if args.backend == Backend::Gpu {
            let (gpu, gpu_f) = prove_median(&pk, &samples, n, backend.as_ref(), seed, args.reps)?;
            let equal = gpu.proofs == cpu.proofs;
            let verified = gpu
                .proofs
                .iter()
                .enumerate()
                .filter(|(i, p)| verify(&key, p, &inputs[i % inputs.len()]).is_ok())
                .count();
            line["backend"] = json!(backend.name());
            line["gpu"] = stage_json(n, gpu_f);
            line["ratio_proofs_per_s"] = json!(cpu_f[0] / gpu_f[0]);
            line["gpu_proofs_equal_cpu"] = json!(equal);
            line["gpu_proofs_verified"] = json!(verified);
            line["device"] = json!(backend.device());
            println!("{line}");
            ensure!(
                equal,
                "batch of {n}: the GPU's proofs differ from the CPU's"
            );
            ensure!(
                verified == n,
                "batch of {n}: {} GPU proofs do not verify",
                n - verified
            );
        } else {
            println!("{line}");
        }
    }
    Ok(())
}

/// `n` distinct points, fast: consecutive steps from random starts, on every core.
fn points<P: SWCurveConfig>(n: usize, seed: u64) -> Vec<Affine<P>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let part = n.div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(part)
            .map(|start| {
                scope.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ ((start as u64) << 24));
                    let step = Projective::<P>::rand(&mut rng);
                    let mut acc = Projective::<P>::rand(&mut rng);
                    let chunk: Vec<Projective<P>> = (0..part.min(n - start))
                        .map(|_| {
                            let p = acc;
                            acc += step;
                            p
                        })
                        .collect();
                    Projective::normalize_batch(&chunk)
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn scalars(n: usize, seed: u64) -> Vec<ScalarRepr> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect()
}

/// Median time of `reps` runs of `f` after one warm-up, and the last result.
fn time_median<T>(reps: u32, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut last = f()?;
    let mut times = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        last = f()?;
        times.push(ms(start.elapsed()));
    }
    Ok((median(times), last))
}

/// Median times of `run` on the CPU and (when `with_gpu`) on `gpu`, and whether the GPU's
/// result was the expected one.
fn paired(
    reps: u32,
    with_gpu: bool,
    cpu: &dyn MsmBackend,
    gpu: &dyn MsmBackend,
    run: &dyn Fn(&dyn MsmBackend) -> Result<bool>,
) -> Result<(f64, Option<f64>, Option<bool>)> {
    let (cpu_ms, _) = time_median(reps, || run(cpu))?;
    if !with_gpu {
        return Ok((cpu_ms, None, None));
    }
    let (gpu_ms, equal) = time_median(reps, || run(gpu))?;
    Ok((cpu_ms, Some(gpu_ms), Some(equal)))
}

/// Runs `corridor bench msm`.
pub fn run_msm(args: &MsmArgs) -> Result<()> {
    if args
        .log_sizes
        .iter()
        .chain(&args.g2_log_sizes)
        .any(|&k| k > 26)
    {
        bail!("sizes above 2^26 are not supported here");
    }
    let backend = measured_backend(args.backend, args.kernel_cache.as_ref());
    let cpu = ParallelCpuBackend::all_cores();
    let curves = args
        .log_sizes
        .iter()
        .map(|&k| ("G1", k))
        .chain(args.g2_log_sizes.iter().map(|&k| ("G2", k)));
    for (curve, k) in curves {
        let n = 1usize << k;
        let s = scalars(n, args.seed ^ u64::from(k));
        let seed = args.seed.wrapping_add(u64::from(k));
        let compare = |run: &dyn Fn(&dyn MsmBackend) -> Result<bool>| {
            paired(
                args.reps,
                args.backend == Backend::Gpu,
                &cpu,
                backend.as_ref(),
                run,
            )
        };
        let (cpu_ms, gpu_ms, equal) = if curve == "G1" {
            let bases: Vec<G1Affine> = points(n, seed);
            let expected = cpu.msm_g1(Query::A, &bases, &s)?.into_affine();
            compare(&|b| Ok(b.msm_g1(Query::A, &bases, &s)?.into_affine() == expected))?
        } else {
            let bases: Vec<G2Affine> = points(n, seed);
            let expected = cpu.msm_g2(Query::BG2, &bases, &s)?.into_affine();
            compare(&|b| Ok(b.msm_g2(Query::BG2, &bases, &s)?.into_affine() == expected))?
        };
        println!(
            "{}",
            json!({
                "bench": format!("msm_{}", curve.to_lowercase()),
                "log_size": k,
                "points": n,
                "reps": args.reps,
                "cpu_threads": cpu.threads(),
                "cpu_ms": cpu_ms,
                "backend": backend.name(),
                "gpu_ms": gpu_ms,
                "ratio": gpu_ms.map(|g| cpu_ms / g),
                "equal": equal,
                "device": backend.device(),
            })
        );
        if equal == Some(false) {
            bail!("{curve} 2^{k}: the GPU's MSM differs from the CPU's");
        }
    }
    Ok(())
}
