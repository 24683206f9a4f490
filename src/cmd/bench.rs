//! `corridor bench`: times every proof's prove and verify, and a whole 2-in/2-out transfer, with
//! a plain loop (warm-up, then `--iters` timed runs, median), beside bulletproofs' own prove and
//! verify measured in the same loop (the two alternate run by run), and prints one JSON line per
//! measurement (DESIGN.md §7). The fixtures are those of the criterion bench
//! ([`corridor::bench`]).
//!
//! `corridor bench verify` times a block of transfers verified one by one and as one batch
//! ([`corridor::bench::verify`]).
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::bench::verify::{measure, VerifyFixture};
use corridor::bench::{median, BenchError, Fixtures, Measurement, Op, Proof};
use corridor_verifier::Threads;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `corridor bench`: the per-proof benchmarks, or a subcommand.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// A benchmark of its own (without one: every proof's prove and verify).
    #[command(subcommand)]
    command: Option<BenchCommand>,
    #[command(flatten)]
    proofs: ProofBenchArgs,
}

/// The benchmarks that are not per-proof.
#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// A block of N valid 2-in/2-out KYC-proven transfers verified one by one and as one batch,
    /// in the same run on the same threads; one JSON line.
    Verify(VerifyBenchArgs),
    /// Batches of KYC proofs on the CPU and GPU backends: proofs/s, latency, where time goes.
    Prove(crate::cmd::bench_prove::ProveArgs),
    /// One MSM of 2^k points on the GPU backend against arkworks on every core.
    Msm(crate::cmd::bench_prove::MsmArgs),
}

/// Options of `corridor bench verify`.
#[derive(Args, Debug)]
struct VerifyBenchArgs {
    /// Transfers in the block.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    transfers: u32,
    /// Threads both paths run on.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: u32,
    /// Timed iterations of each path (after one untimed round).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    iters: u32,
    /// Seed of the fixture and of the weights.
    #[arg(long, default_value_t = corridor::bench::DEFAULT_SEED)]
    seed: u64,
    /// Where the built transfers are cached (building costs a KYC proof each).
    #[arg(long, default_value = "out/bench-cache")]
    cache: PathBuf,
}

/// Options of the per-proof benchmarks.
#[derive(Args, Debug)]
struct ProofBenchArgs {
    /// Timed iterations per measurement (after a warm-up of a fifth of them, at least one).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    iters: u32,
    /// Only the benchmarks whose name contains this (e.g. `range`, `transfer`, `disclosure`).
    #[arg(long)]
    filter: Option<String>,
    /// Seed of the fixtures and of every random choice.
    #[arg(long, default_value_t = corridor::bench::DEFAULT_SEED)]
    seed: u64,
}

type Run<'a> = dyn FnMut() -> Result<(), BenchError> + 'a;

/// The median wall times, in microseconds, of `ours` and `baseline` over `iters` runs each after
/// a warm-up, the two alternating run by run so that both see the same machine.
fn paired_median_us(
    iters: usize,
    ours: &mut Run<'_>,
    baseline: &mut Run<'_>,
) -> Result<(f64, f64)> {
    for _ in 0..(iters / 5).max(1) {
        ours()?;
        baseline()?;
    }
    let (mut a, mut b) = (Vec::with_capacity(iters), Vec::with_capacity(iters));
    for _ in 0..iters {
        let t = Instant::now();
        ours()?;
        a.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        baseline()?;
        b.push(t.elapsed().as_secs_f64() * 1e6);
    }
    Ok((
        median(&mut a).context("no samples")?,
        median(&mut b).context("no samples")?,
    ))
}

/// Runs `corridor bench`.
pub fn run(args: &BenchArgs) -> Result<()> {
    match &args.command {
        Some(BenchCommand::Verify(v)) => run_verify(v),
        Some(BenchCommand::Prove(a)) => crate::cmd::bench_prove::run_prove(a),
        Some(BenchCommand::Msm(a)) => crate::cmd::bench_prove::run_msm(a),
        None => run_proofs(&args.proofs),
    }
}

/// `corridor bench verify`.
fn run_verify(args: &VerifyBenchArgs) -> Result<()> {
    let transfers = usize::try_from(args.transfers)?;
    let threads = Threads::new(usize::try_from(args.threads)?).context("starting the threads")?;
    let path = VerifyFixture::cache_path(&args.cache, args.seed, transfers);
    let started = Instant::now();
    let report = |done: usize| {
        if done % 32 == 0 || done == transfers {
            eprintln!(
                "built {done}/{transfers} transfers ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    };
    let (fixture, cache_error) =
        VerifyFixture::load_or_build(args.seed, transfers, &args.cache, &threads, &report)
            .context("building the fixture")?;
    if let Some(e) = cache_error {
        eprintln!("warning: the fixture was not cached: {e}");
    }
    eprintln!(
        "fixture: {transfers} transfers {} {} ({:.1} s)",
        if fixture.cached {
            "loaded from"
        } else {
            "built and cached in"
        },
        path.display(),
        started.elapsed().as_secs_f64()
    );
    let mut rng = ChaCha20Rng::from_entropy();
    let measurement = measure(&fixture, &threads, usize::try_from(args.iters)?, &mut rng)?;
    println!("{}", measurement.to_json());
    Ok(())
}

/// Runs the selected per-proof benchmarks and prints one JSON line per measurement.
fn run_proofs(args: &ProofBenchArgs) -> Result<()> {
    let selected: Vec<Proof> = Proof::ALL
        .into_iter()
        .filter(|p| {
            args.filter
                .as_ref()
                .is_none_or(|f| p.name().contains(f.as_str()))
        })
        .collect();
    if selected.is_empty() {
        let names: Vec<&str> = Proof::ALL.iter().map(|p| p.name()).collect();
        bail!(
            "no benchmark matches --filter {:?}; the benchmarks are: {}",
            args.filter.as_deref().unwrap_or_default(),
            names.join(", ")
        );
    }
    let iters = usize::try_from(args.iters)?;
    let fixtures = Fixtures::new(args.seed).context("building the benchmark fixtures")?;
    // Streams apart from the fixtures' (`seed`): the baseline's draws never shift ours.
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed.wrapping_add(1));
    let mut baseline_rng = ChaCha20Rng::seed_from_u64(args.seed.wrapping_add(2));
    for proof in selected {
        let baseline = proof.baseline();
        for op in Op::ALL {
            let (ours, base) = paired_median_us(
                iters,
                &mut || fixtures.run(proof, op, &mut rng),
                &mut || fixtures.run_baseline(baseline, op, &mut baseline_rng),
            )
            .with_context(|| format!("{} {}", proof.name(), op.name()))?;
            let line = Measurement {
                proof,
                op,
                median_us: ours,
                iters,
                baseline_median_us: base,
            };
            println!("{}", line.to_json());
        }
    }
    Ok(())
}
