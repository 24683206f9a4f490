//! Criterion benches: prove and verify of every proof of DESIGN.md §3.5 except KYC, the
//! aggregated range proof of a two-output transfer (outputs alone, `m = 4`; with the limit's `W0`,
//! `W1`, `m = 8`), a whole 2-in/2-out transfer (`Builder::transfer` + signing,
//! `verify_transaction`), and, in the same run, the baseline: bulletproofs' own
//! `prove_single`/`verify_single` (64-bit) and `prove_multiple`/`verify_multiple` (`n = 32`,
//! `m = 4` and `8`, `BulletproofGens::new(32, 64)`). The fixtures are [`corridor::bench`]'s (the
//! same as `corridor bench`, which also prints the ratios).
//!
//! `cargo bench --bench proofs` (a few minutes on 2 cores); `cargo bench --bench proofs -- range`
//! runs the benches whose id contains `range`.
use corridor::bench::{Baseline, Fixtures, Op, Proof, DEFAULT_SEED};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Duration;

fn proofs(c: &mut Criterion) {
    let fixtures = match Fixtures::new(DEFAULT_SEED) {
        Ok(f) => f,
        Err(e) => panic!("building the benchmark fixtures: {e}"),
    };
    let mut rng = ChaCha20Rng::seed_from_u64(DEFAULT_SEED + 1);
    let groups = Baseline::ALL
        .iter()
        .map(|b| (b.name(), Bench::Baseline(*b)))
        .chain(
            Proof::ALL
                .iter()
                .map(|p| (p.name().to_string(), Bench::Ours(*p))),
        );
    for (name, bench) in groups {
        let mut group = c.benchmark_group(name.as_str());
        // Milliseconds per run: one flat batch per sample keeps the whole run to minutes.
        group.sampling_mode(SamplingMode::Flat);
        for op in Op::ALL {
            group.bench_function(op.name(), |b| {
                b.iter(|| {
                    let r = match bench {
                        Bench::Ours(p) => fixtures.run(p, op, &mut rng),
                        Bench::Baseline(base) => fixtures.run_baseline(base, op, &mut rng),
                    };
                    if let Err(e) = r {
                        panic!("{name} {}: {e}", op.name());
                    }
                })
            });
        }
        group.finish();
    }
}

#[derive(Clone, Copy)]
enum Bench {
    Ours(Proof),
    Baseline(Baseline),
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = proofs
}
criterion_main!(benches);
