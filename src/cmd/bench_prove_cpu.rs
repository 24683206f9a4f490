//! `corridor bench prove`, single proofs: our precomputed CPU prover ([`Prover`]: matrices once
//! per key, fixed-base tables) against ark-groth16's own `create_random_proof_with_reduction`,
//! on the KYC circuit, at each thread count, alternating run by run so that both see the same
//! machine (DESIGN.md §7: every benchmark reports its baseline from the same run).
//!
//! Prints, one JSON line each:
//! - `prove_kyc_precompute`: the precomputation's build time and memory (matrices and tables);
//! - `prove_kyc_vs_ark` per thread count: both medians with their min and max, the ratio of
//!   the medians and the median of the rounds' own ratios (each round runs both, in
//!   alternating order, so that drift of the machine's speed cancels), and the median of each
//!   stage for both provers (ark's stages timed by
//!   replaying its prover's own calls, [`ark_stages`], whose proof is checked equal to ark's);
//!   our proofs are checked byte-equal to ark-groth16's for the same randomness and verified.
//!   Ours runs twice per round: cold (`ours_ms`, `ratio`: no credential share kept) and warm
//!   (`ours_warm_ms`, `ratio_warm`: the same customer's next transaction under the same root,
//!   with fresh binding, scope and escrow randomness, reusing the credential share the cold
//!   proof kept; checked to find it, and verified).
//!
//! ark-groth16 runs on as many threads as its build allows: without the root package's
//! `ark-parallel` feature arkworks is built serial (the workspace default) and uses one thread
//! whatever the count; with it, each count runs inside a rayon pool of that many threads. The
//! line says which (`ark_threads`).
use anyhow::{ensure, Context, Result};
use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, UniformRand, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Groth16, Proof, ProvingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode, R1CS_PREDICATE_LABEL,
};
use corridor_circuits::kyc::sample::KycSample;
use corridor_circuits::KycCircuit;
use corridor_prover::groth16::{ProofTimings, Prover};
use corridor_verifier::groth16::{verify, PreparedKey};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;
use std::time::{Duration, Instant};

type Ark = Groth16<Bn254, LibsnarkReduction>;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `f` with arkworks' rayon pool limited to `threads` (the `ark-parallel` build), else `f` as
/// is (serial arkworks).
fn in_ark_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    #[cfg(feature = "ark-parallel")]
    {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .context("starting arkworks' thread pool")?;
        Ok(pool.install(f))
    }
    #[cfg(not(feature = "ark-parallel"))]
    {
        let _ = threads;
        Ok(f())
    }
}

/// The threads arkworks uses when asked for `threads`.
fn ark_threads(threads: usize) -> usize {
    if cfg!(feature = "ark-parallel") {
        threads
    } else {
        1
    }
}

/// ark-groth16's `create_proof_with_reduction` (LibsnarkReduction, version 0.6), call for call,
/// with each stage timed: synthesis with matrices, inlining, matrices, witness map, the five
/// MSMs, assembly. Its proof is checked equal to ark's own by the caller.
fn ark_stages(
    pk: &ProvingKey<Bn254>,
    circuit: KycCircuit,
    r: Fr,
    s: Fr,
) -> Result<(Proof<Bn254>, ProofTimings)> {
    let mut t = ProofTimings::default();
    let mut clock = Instant::now();
    let mut lap = |slot: &mut Duration| {
        *slot += clock.elapsed();
        clock = Instant::now();
    };
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    circuit.generate_constraints(cs.clone())?;
    lap(&mut t.synthesis);
    cs.finalize();
    lap(&mut t.finalize);
    let all = cs.to_matrices()?;
    let matrices = all
        .get(R1CS_PREDICATE_LABEL)
        .context("the KYC circuit has R1CS matrices")?;
    lap(&mut t.matrices);
    let inner = cs.borrow().context("constraint system")?;
    let instance = inner.instance_assignment()?;
    let witness = inner.witness_assignment()?;
    let full = [instance, witness].concat();
    let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        matrices,
        cs.num_instance_variables(),
        cs.num_constraints(),
        &full,
    )?;
    let h: Vec<_> = h.iter().map(|x| x.into_bigint()).collect();
    let aux: Vec<_> = witness.iter().map(|x| x.into_bigint()).collect();
    let input: Vec<_> = instance[1..].iter().map(|x| x.into_bigint()).collect();
    let assignment = [&input[..], &aux[..]].concat();
    lap(&mut t.witness_map);
    let m_h = G1Projective::msm_bigint(&pk.h_query, &h);
    lap(&mut t.msm_h);
    let m_l = G1Projective::msm_bigint(&pk.l_query, &aux);
    lap(&mut t.msm_l);
    let m_a = G1Projective::msm_bigint(&pk.a_query[1..], &assignment);
    lap(&mut t.msm_a);
    let m_b1 = if r.is_zero() {
        G1Projective::zero()
    } else {
        G1Projective::msm_bigint(&pk.b_g1_query[1..], &assignment)
    };
    lap(&mut t.msm_b_g1);
    let m_b2 = G2Projective::msm_bigint(&pk.b_g2_query[1..], &assignment);
    lap(&mut t.msm_b_g2);
    let g_a = pk.delta_g1 * r + pk.a_query[0] + m_a + pk.vk.alpha_g1;
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        pk.delta_g1 * s + pk.b_g1_query[0] + m_b1 + pk.beta_g1
    };
    let g2_b = pk.vk.delta_g2 * s + pk.b_g2_query[0] + m_b2 + pk.vk.beta_g2;
    let g_c = g_a * s + g1_b * r - pk.delta_g1 * (r * s) + m_l + m_h;
    let proof = Proof {
        a: g_a.into_affine(),
        b: g2_b.into_affine(),
        c: g_c.into_affine(),
    };
    lap(&mut t.assemble);
    Ok((proof, t))
}

/// Median, min and max of milliseconds.
fn spread(mut v: Vec<f64>) -> serde_json::Value {
    let median = corridor::bench::median(&mut v).unwrap_or(f64::NAN);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    json!({"median": median, "min": min, "max": max})
}

/// The median of each stage over `runs`, in milliseconds.
fn stages(runs: &[ProofTimings]) -> serde_json::Value {
    let pick = |f: fn(&ProofTimings) -> Duration| {
        corridor::bench::median(&mut runs.iter().map(|t| ms(f(t))).collect::<Vec<_>>())
            .unwrap_or(f64::NAN)
    };
    json!({
        "synthesis": pick(|t| t.synthesis),
        "finalize": pick(|t| t.finalize),
        "matrices": pick(|t| t.matrices),
        "witness_map": pick(|t| t.witness_map),
        "msm_a": pick(|t| t.msm_a),
        "msm_b_g1": pick(|t| t.msm_b_g1),
        "msm_b_g2": pick(|t| t.msm_b_g2),
        "msm_c_l": pick(|t| t.msm_l),
        "msm_h": pick(|t| t.msm_h),
        "assemble": pick(|t| t.assemble),
        "sum": pick(|t| t.total()),
    })
}

/// Runs the single-proof comparison at each of `threads`, `reps` timed rounds after one
/// warm-up round (each round: ours, ark-groth16, ark's stages).
pub fn run(
    pk: &ProvingKey<Bn254>,
    samples: &[KycSample],
    threads: &[usize],
    reps: u32,
    seed: u64,
) -> Result<()> {
    ensure!(!samples.is_empty(), "no sample statement");
    let max_threads = threads.iter().copied().max().unwrap_or(1).max(1);
    let start = Instant::now();
    let mut prover = Prover::new(pk, KycCircuit::for_setup(), max_threads)
        .context("precomputing the KYC prover")?
        .with_credential_shares(
            KycCircuit::credential_witness_ranges().context("the credential's wires")?,
            samples.len(),
        )
        .context("the credential shares")?;
    let build = start.elapsed();
    println!(
        "{}",
        json!({
            "bench": "prove_kyc_precompute",
            "threads": max_threads,
            "build_s": build.as_secs_f64(),
            "memory_mib": prover.memory_bytes() as f64 / (1024.0 * 1024.0),
            "matrices_mib": prover.circuit().memory_bytes() as f64 / (1024.0 * 1024.0),
            "tables_mib": prover.backend().memory_bytes() as f64 / (1024.0 * 1024.0),
            "constraints": prover.circuit().num_constraints(),
            "share_variables": prover.share_variables(),
        })
    );
    let key = PreparedKey::new(&pk.vk);
    let inputs = samples
        .iter()
        .map(|s| Ok(s.circuit()?.1.to_field_elements()))
        .collect::<Result<Vec<_>>>()?;
    for &t in threads {
        let t = t.max(1);
        prover = prover.with_threads(t);
        let (mut ours_ms, mut ark_ms, mut warm_ms) = (Vec::new(), Vec::new(), Vec::new());
        let (mut ours_t, mut ark_t, mut warm_t) = (Vec::new(), Vec::new(), Vec::new());
        let (mut round_ratios, mut warm_ratios) = (Vec::new(), Vec::new());
        for round in 0..=reps {
            let i = round as usize % samples.len();
            let circuit = || -> Result<KycCircuit> { Ok(samples[i].circuit()?.0) };
            let rng_seed = seed.wrapping_add(u64::from(round));

            // Ours inside the same pool as ark-groth16, so that arkworks' own parallel code
            // (its FFTs, with `ark-parallel`) uses no more threads than asked; the order
            // alternates round by round so that neither always runs on a warmer machine.
            // Cold: no credential share kept, every MSM over the whole witness.
            let ours_run = || -> Result<_> {
                let c = circuit()?;
                prover.forget_shares();
                let clock = Instant::now();
                let out = in_ark_pool(t, || {
                    prover.prove_timed(pk, c, &mut ChaCha20Rng::seed_from_u64(rng_seed))
                })??;
                Ok((out, clock.elapsed()))
            };
            let ark_run = || -> Result<_> {
                let c = circuit()?;
                let clock = Instant::now();
                let out = in_ark_pool(t, || {
                    Ark::create_random_proof_with_reduction(
                        c,
                        pk,
                        &mut ChaCha20Rng::seed_from_u64(rng_seed),
                    )
                })??;
                Ok((out, clock.elapsed()))
            };
            let (((ours, timings), ours_elapsed), (theirs, ark_elapsed)) = if round % 2 == 0 {
                let o = ours_run()?;
                (o, ark_run()?)
            } else {
                let a = ark_run()?;
                (ours_run()?, a)
            };

            let mut rng = ChaCha20Rng::seed_from_u64(rng_seed);
            let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
            let replay_circuit = circuit()?;
            let (replayed, ark_timings) = in_ark_pool(t, || ark_stages(pk, replay_circuit, r, s))??;

            ensure!(
                ours == theirs,
                "round {round}: our proof differs from ark-groth16's"
            );
            ensure!(
                replayed == theirs,
                "round {round}: the replayed ark stages differ from ark"
            );
            verify(&key, &ours, &inputs[i]).context("our proof does not verify")?;

            // Warm: the same customer's next transaction under the same root (fresh binding,
            // scope and escrow randomness), with the credential share the cold proof kept.
            let (warm_circuit, warm_public) = samples[i]
                .another_transaction(&mut ChaCha20Rng::seed_from_u64(rng_seed ^ 0x5eed))?;
            let hits = prover.share_counts().0;
            let clock = Instant::now();
            let (warm, warm_timings) = in_ark_pool(t, || {
                prover.prove_timed(pk, warm_circuit, &mut ChaCha20Rng::seed_from_u64(rng_seed))
            })??;
            let warm_elapsed = clock.elapsed();
            ensure!(
                prover.share_counts().0 == hits + 1,
                "round {round}: the warm proof did not find the customer's share"
            );
            verify(&key, &warm, &warm_public.to_field_elements())
                .context("our warm proof does not verify")?;
            if round > 0 {
                ours_ms.push(ms(ours_elapsed));
                ark_ms.push(ms(ark_elapsed));
                warm_ms.push(ms(warm_elapsed));
                round_ratios.push(ms(ours_elapsed) / ms(ark_elapsed));
                warm_ratios.push(ms(warm_elapsed) / ms(ark_elapsed));
                ours_t.push(timings);
                ark_t.push(ark_timings);
                warm_t.push(warm_timings);
            }
        }
        let ours_median = corridor::bench::median(&mut ours_ms.clone()).unwrap_or(f64::NAN);
        let ark_median = corridor::bench::median(&mut ark_ms.clone()).unwrap_or(f64::NAN);
        let warm_median = corridor::bench::median(&mut warm_ms.clone()).unwrap_or(f64::NAN);
        println!(
            "{}",
            json!({
                "bench": "prove_kyc_vs_ark",
                "threads": t,
                "ark_threads": ark_threads(t),
                "reps": reps,
                "ours_ms": spread(ours_ms),
                "ark_ms": spread(ark_ms),
                "ratio": ours_median / ark_median,
                "ratio_median_of_rounds": corridor::bench::median(&mut round_ratios).unwrap_or(f64::NAN),
                "ours_warm_ms": spread(warm_ms),
                "ratio_warm": warm_median / ark_median,
                "ratio_warm_median_of_rounds": corridor::bench::median(&mut warm_ratios).unwrap_or(f64::NAN),
                "proofs_equal_ark": true,
                "ours_stages_ms": stages(&ours_t),
                "ours_warm_stages_ms": stages(&warm_t),
                "ark_stages_ms": stages(&ark_t),
            })
        );
    }
    Ok(())
}
