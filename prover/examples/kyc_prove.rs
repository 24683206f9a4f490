//! Scratch measurement (removed before merge): ours vs ark on the KYC circuit.
use ark_bn254::Bn254;
use ark_groth16::r1cs_to_qap::LibsnarkReduction;
use ark_groth16::Groth16;
use corridor_circuits::kyc::sample::KycSample;
use corridor_circuits::KycCircuit;
use corridor_params::setup::dev_setup;
use corridor_prover::groth16::{prove_timed, CpuBackend, ProofTimings, Prover};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Instant;

type Ark = Groth16<Bn254, LibsnarkReduction>;

fn med(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn show(name: &str, t: &[ProofTimings]) {
    let f = |g: fn(&ProofTimings) -> std::time::Duration| {
        med(t.iter().map(|x| g(x).as_secs_f64() * 1e3).collect()).0
    };
    println!(
        "{name}: synth {:.1} fin {:.1} mat {:.1} wmap {:.1} A {:.1} B1 {:.1} B2 {:.1} L {:.1} H {:.1} asm {:.1} sum {:.1}",
        f(|t| t.synthesis), f(|t| t.finalize), f(|t| t.matrices), f(|t| t.witness_map),
        f(|t| t.msm_a), f(|t| t.msm_b_g1), f(|t| t.msm_b_g2), f(|t| t.msm_l), f(|t| t.msm_h),
        f(|t| t.assemble), f(|t| t.total())
    );
}

fn main() {
    let reps: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let pk = dev_setup(KycCircuit::for_setup(), 2026).unwrap().0;
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let sample = KycSample::generate(&mut rng).unwrap();
    let start = Instant::now();
    let mut prover = Prover::new(&pk, KycCircuit::for_setup(), 2).unwrap();
    println!("precompute {:.2}s {:.1} MiB (matrices {:.1})", start.elapsed().as_secs_f64(),
        prover.memory_bytes() as f64 / 1048576.0, prover.circuit().memory_bytes() as f64 / 1048576.0);
    let ts: Vec<usize> = std::env::args().nth(2).map(|s| s.split(',').map(|x| x.parse().unwrap()).collect()).unwrap_or(vec![1, 2]);
    for threads in ts {
        prover = prover.with_threads(threads);
        let (mut o, mut a, mut ot, mut bt) = (vec![], vec![], vec![], vec![]);
        for i in 0..=reps {
            let c = || sample.circuit().unwrap().0;
            let t0 = Instant::now();
            let (p1, t1) = prover.prove_timed(&pk, c(), &mut ChaCha20Rng::seed_from_u64(i as u64)).unwrap();
            let d1 = t0.elapsed().as_secs_f64() * 1e3;
            let t0 = Instant::now();
            let p2 = Ark::create_random_proof_with_reduction(c(), &pk, &mut ChaCha20Rng::seed_from_u64(i as u64)).unwrap();
            let d2 = t0.elapsed().as_secs_f64() * 1e3;
            assert_eq!(p1, p2);
            let (_, t3) = prove_timed(&pk, c(), &CpuBackend, &mut ChaCha20Rng::seed_from_u64(i as u64)).unwrap();
            if i > 0 { o.push(d1); a.push(d2); ot.push(t1); bt.push(t3); }
        }
        println!("threads {threads}: ours {:?} ark {:?} ratio {:.3}", med(o.clone()), med(a.clone()), med(o).0 / med(a).0);
        show("ours", &ot);
        show("unprepared", &bt);
    }
}
