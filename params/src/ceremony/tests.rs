//! Whole ceremonies on a small circuit (`a·b = c`, domain 8): three contributors per phase,
//! verification, finalisation, proofs under the result; an import from a snarkjs `.ptau`;
//! contributions travelling as single files; and the tamper matrix, each tampered transcript
//! named by `verify` with its own typed error.

use super::*;
use crate::ceremony::group::{hash_to_g2, nonzero_scalar};
use crate::ceremony::phase2::contribute_key;
use crate::ceremony::step::step_hash;
use crate::testing::{product_circuit, ProductCircuit};
use crate::{ParamsDir, ParamsError, ParamsPins};
use ark_bn254::{Bn254, Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::Groth16;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::fs;
use std::path::PathBuf;

const PARTIES: [&str; 3] = [
    "HK Wallet Ltd",
    "PH Wallet Inc",
    "Hong Kong Monetary Authority",
];

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "corridor-ceremony-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn circuit() -> CeremonyCircuit {
    CeremonyCircuit::new("corridor-test-product/v1", ProductCircuit::blank()).unwrap()
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A finished ceremony: three contributions to each phase.
fn ceremony(name: &str, seed: u64) -> (CeremonyDir, CeremonyCircuit) {
    let c = circuit();
    let dir = CeremonyDir::new(temp_dir(name));
    let mut rng = rng(seed);
    dir.init(c.power()).unwrap();
    for party in PARTIES {
        dir.contribute(party, &mut rng, &mut |_| {}).unwrap();
    }
    dir.start_phase2(&c, &mut |_| {}).unwrap();
    for party in PARTIES {
        dir.contribute(party, &mut rng, &mut |_| {}).unwrap();
    }
    (dir, c)
}

fn verify(dir: &CeremonyDir, c: &CeremonyCircuit) -> Result<Transcript, CeremonyError> {
    dir.verify(c, &mut rng(99), &mut |_| {}, &mut |_| {})
}

fn read_step(dir: &CeremonyDir, id: StepId) -> Step {
    Step::from_bytes(&fs::read(dir.step_path(id)).unwrap()).unwrap()
}

fn write_step(dir: &CeremonyDir, file: StepId, step: &Step) {
    fs::write(dir.step_path(file), step.to_bytes()).unwrap();
}

fn step_hash_of(dir: &CeremonyDir, id: StepId) -> StepHash {
    step_hash(&fs::read(dir.step_path(id)).unwrap())
}

/// `verify` fails at `step` with `failure`.
fn assert_named(dir: &CeremonyDir, c: &CeremonyCircuit, step: StepId, failure: StepFailure) {
    match verify(dir, c) {
        Err(CeremonyError::Step {
            step: named,
            failure: found,
        }) => {
            assert_eq!((named, &found), (step, &failure), "{found}");
            // The message names the step and the check.
            let text = CeremonyError::Step {
                step: named,
                failure: found,
            }
            .to_string();
            assert!(text.starts_with(&step.to_string()), "{text}");
        }
        other => panic!("expected {step}: {failure}, got {other:?}"),
    }
}

const P1: Phase = Phase::One;
const P2: Phase = Phase::Two;

fn id(phase: Phase, index: u32) -> StepId {
    StepId::new(phase, index)
}

#[test]
fn three_party_ceremony_verifies_finalizes_and_proves() {
    let (dir, c) = ceremony("three-party", 1);
    let mut seen = Vec::new();
    let transcript = dir
        .verify(&c, &mut rng(2), &mut |_| {}, &mut |s| seen.push(s.clone()))
        .unwrap();
    assert_eq!(transcript.steps, seen);
    assert_eq!(transcript.steps.len(), 8);
    assert_eq!(transcript.contributions(P1), 3);
    assert_eq!(transcript.contributions(P2), 3);
    assert_eq!(transcript.origin, Origin::Generators);
    assert_eq!(transcript.head, step_hash_of(&dir, id(P2, 3)));
    assert_eq!(transcript.steps[3].name.as_deref(), Some(PARTIES[2]));

    let out = ParamsDir::new(temp_dir("three-party-params"));
    let (_, manifest) = dir
        .finalize(&c, &out, &mut rng(3), &mut |_| {}, &mut |_| {})
        .unwrap();
    let record = manifest.ceremony.clone().unwrap();
    assert_eq!(record.transcript_hash, hex::encode(transcript.head));
    assert_eq!(record.contributions.len(), 6);
    assert_eq!(record.contributions[5].name, PARTIES[2]);
    assert_eq!(manifest.dev_seed, None);
    assert_eq!(out.verify().unwrap(), manifest);

    // The folder loads like a dev-seed one, and proofs under it verify.
    let pk = out.load_proving_key(c.info()).unwrap();
    let vk = out.load_verifying_key(c.info(), false).unwrap();
    let mut r = rng(4);
    let proof = Groth16::<Bn254>::create_random_proof_with_reduction(
        product_circuit(Fr::from(6u64), Fr::from(7u64)),
        &pk.0,
        &mut r,
    )
    .unwrap();
    let pvk = ark_groth16::prepare_verifying_key(&vk.0);
    assert!(
        Groth16::<Bn254>::verify_proof(&pvk, &proof, &[Fr::from(42u64), Fr::from(13u64)]).unwrap()
    );
    assert!(
        !Groth16::<Bn254>::verify_proof(&pvk, &proof, &[Fr::from(43u64), Fr::from(13u64)]).unwrap()
    );

    // A non-dev node with the genesis pins loads it; other pins are refused, named.
    let pins = ParamsPins {
        dev_network: false,
        vk_hash: vk.sha256(),
        ceremony_hash: transcript.head,
    };
    assert_eq!(out.load_pinned_verifying_key(c.info(), &pins).unwrap(), vk);
    let other = ParamsPins {
        ceremony_hash: [7; 32],
        ..pins
    };
    assert!(matches!(
        out.load_pinned_verifying_key(c.info(), &other),
        Err(ParamsError::CeremonyHashMismatch { expected, found })
            if expected == [7; 32] && found == transcript.head
    ));
    fs::remove_dir_all(dir.path()).unwrap();
    fs::remove_dir_all(out.path()).unwrap();
}

#[test]
fn contributions_travel_as_single_files() {
    let c = circuit();
    let dir = CeremonyDir::new(temp_dir("travel"));
    let mut r = rng(5);
    dir.init(c.power()).unwrap();
    dir.contribute("coordinator", &mut r, &mut |_| {}).unwrap();
    dir.start_phase2(&c, &mut |_| {}).unwrap();
    // The contributor receives the last file alone, contributes, sends the new file back.
    let away = CeremonyDir::new(temp_dir("travel-away"));
    fs::create_dir_all(away.path()).unwrap();
    fs::copy(dir.step_path(id(P2, 0)), away.step_path(id(P2, 0))).unwrap();
    let summary = away.contribute("BSP", &mut r, &mut |_| {}).unwrap();
    assert_eq!(summary.id, id(P2, 1));
    fs::copy(away.step_path(id(P2, 1)), dir.step_path(id(P2, 1))).unwrap();
    let transcript = verify(&dir, &c).unwrap();
    // The hash the contributor published is the one in the transcript.
    assert_eq!(transcript.steps.last().unwrap().hash, summary.hash);
    assert_eq!(transcript.head, summary.hash);
    fs::remove_dir_all(dir.path()).unwrap();
    fs::remove_dir_all(away.path()).unwrap();
}

#[test]
fn a_snarkjs_phase_1_imports_and_gives_working_parameters() {
    let c = circuit();
    let dir = CeremonyDir::new(temp_dir("import"));
    let ptau = include_bytes!("testdata/snarkjs_power4.ptau");
    dir.import_ptau(ptau, c.power()).unwrap();
    // Phase 2 straight away: the imported phase 1 counts as contributed.
    dir.start_phase2(&c, &mut |_| {}).unwrap();
    let mut r = rng(6);
    dir.contribute("BSP", &mut r, &mut |_| {}).unwrap();
    let out = ParamsDir::new(temp_dir("import-params"));
    let (transcript, manifest) = dir
        .finalize(&c, &out, &mut r, &mut |_| {}, &mut |_| {})
        .unwrap();
    match transcript.origin {
        Origin::Ptau { sha256, power } => {
            assert_eq!(hex::encode(sha256), crate::keys::sha256_hex(ptau));
            assert_eq!(power, 4);
        }
        other => panic!("{other:?}"),
    }
    assert!(manifest.ceremony.unwrap().phase1_origin.contains("snarkjs"));
    let pk = out.load_proving_key(c.info()).unwrap();
    let proof = Groth16::<Bn254>::create_random_proof_with_reduction(
        product_circuit(Fr::from(3u64), Fr::from(5u64)),
        &pk.0,
        &mut r,
    )
    .unwrap();
    let pvk = ark_groth16::prepare_verifying_key(&pk.0.vk);
    assert!(
        Groth16::<Bn254>::verify_proof(&pvk, &proof, &[Fr::from(15u64), Fr::from(8u64)]).unwrap()
    );
    // A fresh phase 1 without a contribution cannot start phase 2; a .ptau too small is refused.
    let fresh = CeremonyDir::new(temp_dir("import-fresh"));
    fresh.init(c.power()).unwrap();
    assert!(matches!(
        fresh.start_phase2(&c, &mut |_| {}),
        Err(CeremonyError::NoContribution { phase: Phase::One })
    ));
    let big = CeremonyDir::new(temp_dir("import-big"));
    assert!(matches!(
        big.import_ptau(ptau, 5),
        Err(CeremonyError::Ptau(ptau::PtauError::TooSmall {
            needed: 5,
            found: 4
        }))
    ));
    for d in [dir.path(), out.path(), fresh.path()] {
        fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn finalize_refuses_an_unfinished_ceremony_and_commands_their_misuse() {
    let c = circuit();
    let dir = CeremonyDir::new(temp_dir("unfinished"));
    let mut r = rng(7);
    assert!(matches!(
        dir.contribute("x", &mut r, &mut |_| {}),
        Err(CeremonyError::Missing { .. })
    ));
    dir.init(c.power()).unwrap();
    assert!(matches!(
        dir.init(c.power()),
        Err(CeremonyError::AlreadyStarted { .. })
    ));
    assert!(matches!(
        dir.contribute("", &mut r, &mut |_| {}),
        Err(CeremonyError::Name { .. })
    ));
    dir.contribute("HKMA", &mut r, &mut |_| {}).unwrap();
    let out = ParamsDir::new(temp_dir("unfinished-params"));
    let finalize =
        |dir: &CeremonyDir| dir.finalize(&c, &out, &mut rng(8), &mut |_| {}, &mut |_| {});
    assert!(matches!(
        finalize(&dir),
        Err(CeremonyError::NoContribution { phase: Phase::Two })
    ));
    dir.start_phase2(&c, &mut |_| {}).unwrap();
    assert!(matches!(
        dir.start_phase2(&c, &mut |_| {}),
        Err(CeremonyError::PhaseClosed)
    ));
    assert!(matches!(
        finalize(&dir),
        Err(CeremonyError::NoContribution { phase: Phase::Two })
    ));
    assert!(!out.path().exists(), "nothing written");
    // A circuit bigger than phase 1: refused.
    let big = CeremonyDir::new(temp_dir("unfinished-big"));
    big.init(1).unwrap();
    big.contribute("HKMA", &mut r, &mut |_| {}).unwrap();
    assert!(matches!(
        big.start_phase2(&c, &mut |_| {}),
        Err(CeremonyError::DomainTooSmall {
            needed: 3,
            available: 1
        })
    ));
    fs::remove_dir_all(dir.path()).unwrap();
    fs::remove_dir_all(big.path()).unwrap();
}

// ---------------------------------------------------------------- the tamper matrix

/// Rewrites step `at` with `edit` applied, keeping every later link intact is NOT attempted:
/// `verify` must stop at `at`, the first bad step.
fn tamper(dir: &CeremonyDir, at: StepId, edit: impl FnOnce(&mut Step)) {
    let mut step = read_step(dir, at);
    edit(&mut step);
    write_step(dir, at, &step);
}

/// A tampering of one step file.
type Edit = Box<dyn Fn(&mut Step)>;

fn powers_mut(step: &mut Step) -> &mut Powers {
    match &mut step.body {
        StepBody::Phase1Start { powers, .. } | StepBody::Phase1Contribution { powers, .. } => {
            powers
        }
        _ => panic!("not a phase-1 step"),
    }
}

fn key_mut(step: &mut Step) -> &mut ark_groth16::ProvingKey<Bn254> {
    match &mut step.body {
        StepBody::Phase2Start { key, .. } | StepBody::Phase2Contribution { key, .. } => key,
        _ => panic!("not a phase-2 step"),
    }
}

fn proofs_mut(step: &mut Step) -> &mut Vec<ProofOfKnowledge> {
    match &mut step.body {
        StepBody::Phase1Contribution { contribution, .. }
        | StepBody::Phase2Contribution { contribution, .. } => &mut contribution.proofs,
        _ => panic!("not a contribution"),
    }
}

#[test]
fn tampered_proofs_of_knowledge_are_named() {
    let (dir, c) = ceremony("tamper-pok", 10);
    let original = fs::read(dir.step_path(id(P1, 2))).unwrap();
    let restore = || fs::write(dir.step_path(id(P1, 2)), &original).unwrap();

    // g2_spx of another exponent: the proof of knowledge of α fails.
    tamper(&dir, id(P1, 2), |s| {
        let p = &mut proofs_mut(s)[1];
        p.g2_spx = (p.g2_spx * Fr::from(2u64)).into_affine();
    });
    assert_named(
        &dir,
        &c,
        id(P1, 2),
        StepFailure::ProofOfKnowledge {
            secret: Secret::Alpha,
        },
    );
    restore();

    // A valid proof of another secret: the proof holds, the update does not.
    tamper(&dir, id(P1, 2), |s| {
        let previous = s.previous;
        let y = nonzero_scalar(&mut rng(11));
        proofs_mut(s)[0] = ProofOfKnowledge::prove(&y, Secret::Tau, &previous, &mut rng(12));
    });
    assert_named(
        &dir,
        &c,
        id(P1, 2),
        StepFailure::NotUpdated {
            secret: Secret::Tau,
            element: Element::TauG1,
        },
    );
    restore();

    // A proof made for another position (another previous hash): its challenge differs.
    tamper(&dir, id(P1, 2), |s| {
        let y = nonzero_scalar(&mut rng(13));
        proofs_mut(s)[2] = ProofOfKnowledge::prove(&y, Secret::Beta, &[0xaa; 32], &mut rng(14));
    });
    assert_named(
        &dir,
        &c,
        id(P1, 2),
        StepFailure::ProofOfKnowledge {
            secret: Secret::Beta,
        },
    );
    restore();

    // The identity as g1_s.
    tamper(&dir, id(P2, 1), |s| {
        proofs_mut(s)[0].g1_s = G1Affine::zero()
    });
    assert_named(
        &dir,
        &c,
        id(P2, 1),
        StepFailure::Identity {
            element: Element::ProofOfKnowledge,
        },
    );
    fs::remove_dir_all(dir.path()).unwrap();
}

#[test]
fn reused_and_trivial_contributions_are_named() {
    let (dir, c) = ceremony("tamper-reuse", 20);
    // A lazy contributor copies the previous contribution (proof and key), renumbered and
    // linked: the repeated proof is named.
    let mut copy = read_step(&dir, id(P2, 1));
    copy.id = id(P2, 2);
    copy.previous = step_hash_of(&dir, id(P2, 1));
    write_step(&dir, id(P2, 2), &copy);
    assert_named(
        &dir,
        &c,
        id(P2, 2),
        StepFailure::ReusedProof {
            secret: Secret::Delta,
            earlier: id(P2, 1),
        },
    );

    // A contribution with secret 1: it proves it and changes nothing.
    let prev = read_step(&dir, id(P2, 1));
    let previous = step_hash_of(&dir, id(P2, 1));
    let one = Fr::from(1u64);
    let trivial = Step {
        id: id(P2, 2),
        previous,
        body: StepBody::Phase2Contribution {
            contribution: step::Contribution {
                name: "lazy".into(),
                proofs: vec![ProofOfKnowledge::prove(
                    &one,
                    Secret::Delta,
                    &previous,
                    &mut rng(21),
                )],
            },
            key: match prev.body {
                StepBody::Phase2Contribution { key, .. } => contribute_key(&key, &one, &mut |_| {}),
                _ => unreachable!(),
            },
        },
    };
    write_step(&dir, id(P2, 2), &trivial);
    assert_named(
        &dir,
        &c,
        id(P2, 2),
        StepFailure::TrivialSecret {
            secret: Secret::Delta,
        },
    );

    // The previous state copied unchanged, with a fresh valid proof of some δ.
    let mut unchanged = read_step(&dir, id(P2, 1));
    unchanged.id = id(P2, 2);
    unchanged.previous = previous;
    let d = nonzero_scalar(&mut rng(22));
    proofs_mut(&mut unchanged)[0] =
        ProofOfKnowledge::prove(&d, Secret::Delta, &previous, &mut rng(23));
    write_step(&dir, id(P2, 2), &unchanged);
    assert_named(
        &dir,
        &c,
        id(P2, 2),
        StepFailure::NotUpdated {
            secret: Secret::Delta,
            element: Element::Delta,
        },
    );
    fs::remove_dir_all(dir.path()).unwrap();
}

#[test]
fn inconsistent_elements_are_named() {
    let (dir, c) = ceremony("tamper-elements", 30);
    let cases: Vec<(StepId, Edit, StepFailure)> = vec![
        (
            id(P1, 1),
            Box::new(|s| {
                let p = powers_mut(s);
                p.tau_g1[5] = p.tau_g1[4];
            }),
            StepFailure::NotPowers {
                element: Element::TauG1,
            },
        ),
        (
            id(P1, 2),
            Box::new(|s| {
                let p = powers_mut(s);
                p.tau_g2[1] = p.tau_g2[2];
            }),
            StepFailure::Inconsistent {
                element: Element::TauG2,
            },
        ),
        (
            id(P1, 3),
            Box::new(|s| {
                let p = powers_mut(s);
                p.beta_tau_g1[6] = G1Affine::generator();
            }),
            StepFailure::NotPowers {
                element: Element::BetaTauG1,
            },
        ),
        (
            id(P1, 3),
            Box::new(|s| {
                let p = powers_mut(s);
                p.beta_g2 = hash_to_g2(&[3; 32]);
            }),
            StepFailure::Inconsistent {
                element: Element::BetaG2,
            },
        ),
        (
            id(P1, 0),
            Box::new(|s| {
                let p = powers_mut(s);
                p.alpha_tau_g1[1] = (p.alpha_tau_g1[1] * Fr::from(3u64)).into_affine();
            }),
            StepFailure::NotGenerators {
                element: Element::AlphaTauG1,
            },
        ),
        (
            id(P2, 0),
            Box::new(|s| {
                let k = key_mut(s);
                k.vk.gamma_abc_g1[1] = k.vk.gamma_abc_g1[2];
            }),
            StepFailure::NotDerived {
                element: Element::GammaAbcG1,
            },
        ),
        (
            id(P2, 0),
            Box::new(|s| {
                if let StepBody::Phase2Start { lagrange, .. } = &mut s.body {
                    lagrange.alpha_g1.swap(0, 1);
                }
            }),
            StepFailure::NotLagrange {
                element: Element::LagrangeAlphaG1,
            },
        ),
        (
            id(P2, 0),
            Box::new(|s| {
                if let StepBody::Phase2Start { circuit, .. } = &mut s.body {
                    circuit.constraints += 1;
                }
            }),
            StepFailure::Circuit {
                expected: Box::new(circuit().info().clone()),
                found: Box::new(crate::CircuitInfo {
                    constraints: circuit().info().constraints + 1,
                    ..circuit().info().clone()
                }),
            },
        ),
        (
            id(P2, 2),
            Box::new(|s| {
                let k = key_mut(s);
                k.b_g2_query.swap(0, 4);
            }),
            StepFailure::Changed {
                element: Element::BG2Query,
            },
        ),
        (
            id(P2, 2),
            Box::new(|s| {
                let k = key_mut(s);
                k.l_query[0] = (k.l_query[0] * Fr::from(5u64)).into_affine();
            }),
            StepFailure::NotScaled {
                element: Element::LQuery,
            },
        ),
        (
            id(P2, 3),
            Box::new(|s| {
                let k = key_mut(s);
                k.vk.delta_g2 = hash_to_g2(&[4; 32]);
            }),
            StepFailure::Inconsistent {
                element: Element::Delta,
            },
        ),
    ];
    for (at, edit, failure) in cases {
        let original = fs::read(dir.step_path(at)).unwrap();
        tamper(&dir, at, edit);
        assert_named(&dir, &c, at, failure);
        fs::write(dir.step_path(at), original).unwrap();
    }
    verify(&dir, &c).unwrap();
    fs::remove_dir_all(dir.path()).unwrap();
}

#[test]
fn broken_links_swapped_and_missing_files_are_named() {
    let (dir, c) = ceremony("tamper-files", 40);
    let path = |i: StepId| dir.step_path(i);

    // A step naming another predecessor.
    let original = fs::read(path(id(P1, 3))).unwrap();
    tamper(&dir, id(P1, 3), |s| s.previous = [5; 32]);
    assert_named(
        &dir,
        &c,
        id(P1, 3),
        StepFailure::BrokenLink {
            expected: step_hash_of(&dir, id(P1, 2)),
            found: [5; 32],
        },
    );
    fs::write(path(id(P1, 3)), &original).unwrap();

    // Two files swapped: the first out of place is named with what it holds.
    let (one, two) = (
        fs::read(path(id(P1, 1))).unwrap(),
        fs::read(path(id(P1, 2))).unwrap(),
    );
    fs::write(path(id(P1, 1)), &two).unwrap();
    fs::write(path(id(P1, 2)), &one).unwrap();
    assert_named(
        &dir,
        &c,
        id(P1, 1),
        StepFailure::WrongPosition { found: id(P1, 2) },
    );
    fs::write(path(id(P1, 1)), &one).unwrap();
    fs::write(path(id(P1, 2)), &two).unwrap();

    // A step of another ceremony in its place (same position): the link breaks there.
    let (other, _) = ceremony("tamper-files-other", 41);
    let saved = fs::read(path(id(P2, 2))).unwrap();
    fs::copy(other.step_path(id(P2, 2)), path(id(P2, 2))).unwrap();
    assert_named(
        &dir,
        &c,
        id(P2, 2),
        StepFailure::BrokenLink {
            expected: step_hash_of(&dir, id(P2, 1)),
            found: step_hash_of(&other, id(P2, 1)),
        },
    );
    fs::write(path(id(P2, 2)), &saved).unwrap();
    fs::remove_dir_all(other.path()).unwrap();

    // One flipped byte in a point: the file no longer decodes, named.
    let mut bytes = saved.clone();
    let at = bytes.len() - 10;
    bytes[at] ^= 0x40;
    fs::write(path(id(P2, 2)), &bytes).unwrap();
    match verify(&dir, &c) {
        Err(CeremonyError::Step {
            step,
            failure: StepFailure::Decode(StepDecodeError::InvalidPoint { field, .. }),
        }) => {
            assert_eq!(step, id(P2, 2));
            assert_eq!(field, "key l_query");
        }
        other => panic!("{other:?}"),
    }
    fs::write(path(id(P2, 2)), &saved).unwrap();

    // A missing file: named by the folder.
    fs::rename(path(id(P1, 2)), dir.path().join("aside")).unwrap();
    assert!(matches!(
        verify(&dir, &c),
        Err(CeremonyError::Missing { missing, .. }) if missing == id(P1, 2)
    ));
    fs::rename(dir.path().join("aside"), path(id(P1, 2))).unwrap();
    // A stray step-like file.
    fs::write(dir.path().join("phase1_2.bin"), b"x").unwrap();
    assert!(matches!(
        verify(&dir, &c),
        Err(CeremonyError::StrayFile { .. })
    ));
    fs::remove_file(dir.path().join("phase1_2.bin")).unwrap();

    verify(&dir, &c).unwrap();
    fs::remove_dir_all(dir.path()).unwrap();
}

#[test]
fn verifying_for_another_circuit_names_phase_2s_start() {
    let (dir, _) = ceremony("tamper-circuit", 50);
    let other = CeremonyCircuit::new("corridor-test-other/v1", ProductCircuit::blank()).unwrap();
    assert!(matches!(
        verify(&dir, &other),
        Err(CeremonyError::Step {
            step,
            failure: StepFailure::Circuit { .. }
        }) if step == id(P2, 0)
    ));
    fs::remove_dir_all(dir.path()).unwrap();
}

// ---------------------------------------------------------------- bad input files

/// Truncated, garbage and empty files: every command and the verifier answer with a typed
/// error naming the step (or the `.ptau`), never a panic.
#[test]
fn truncated_and_garbage_files_are_typed_errors() {
    let (dir, c) = ceremony("bad-files", 60);
    // Every prefix of a phase-1 contribution, and of phase 2's start at a stride, fails to decode
    // with a named field.
    for at in [id(P1, 1), id(P2, 0), id(P2, 1)] {
        let bytes = fs::read(dir.step_path(at)).unwrap();
        let stride = if at == id(P2, 0) { 7 } else { 1 };
        for len in (0..bytes.len()).step_by(stride) {
            match Step::from_bytes(&bytes[..len]) {
                Err(StepDecodeError::Magic | StepDecodeError::Truncated { .. }) => {}
                other => panic!("{at} cut at {len}: {other:?}"),
            }
        }
    }
    // In the folder: verify names the step; contribute and start_phase2 on a bad last step too.
    let mut r = rng(61);
    let saved = fs::read(dir.step_path(id(P2, 3))).unwrap();
    let garbage: Vec<u8> = (0..saved.len()).map(|i| (i * 131 % 251) as u8).collect();
    for bad in [
        saved[..saved.len() / 2].to_vec(),
        Vec::new(),
        garbage.clone(),
        [&saved[..8], &garbage[8..]].concat(),
    ] {
        fs::write(dir.step_path(id(P2, 3)), &bad).unwrap();
        assert!(
            matches!(
                verify(&dir, &c),
                Err(CeremonyError::Step { step, failure: StepFailure::Decode(_) }) if step == id(P2, 3)
            ),
            "{:?}",
            verify(&dir, &c)
        );
        assert!(matches!(
            dir.contribute("next", &mut r, &mut |_| {}),
            Err(CeremonyError::Step { step, failure: StepFailure::Decode(_) }) if step == id(P2, 3)
        ));
    }
    fs::write(dir.step_path(id(P2, 3)), &saved).unwrap();
    let p1 = CeremonyDir::new(temp_dir("bad-files-p1"));
    fs::create_dir_all(p1.path()).unwrap();
    fs::write(p1.step_path(id(P1, 0)), &garbage[..1000]).unwrap();
    assert!(matches!(
        p1.start_phase2(&c, &mut |_| {}),
        Err(CeremonyError::Step { step, failure: StepFailure::Decode(StepDecodeError::Magic) }) if step == id(P1, 0)
    ));

    // A .ptau: every prefix, garbage, and a valid header over garbage are refused, typed.
    let ptau = include_bytes!("testdata/snarkjs_power4.ptau");
    for len in 0..ptau.len() {
        assert!(ptau::read_powers(&ptau[..len], 3).is_err(), "prefix {len}");
    }
    assert_eq!(
        ptau::read_powers(&garbage, 3).unwrap_err(),
        ptau::PtauError::Header
    );
    let mut header_only = ptau[..12].to_vec();
    header_only.extend_from_slice(&garbage);
    assert!(ptau::read_powers(&header_only, 3).is_err());
    let fresh = CeremonyDir::new(temp_dir("bad-files-ptau"));
    assert!(matches!(
        fresh.import_ptau(&garbage, c.power()),
        Err(CeremonyError::Ptau(ptau::PtauError::Header))
    ));
    assert!(!fresh.path().exists(), "nothing written");
    for d in [dir.path(), p1.path()] {
        fs::remove_dir_all(d).unwrap();
    }
}

/// A `.ptau` nobody contributed to (`snarkjs powersoftau new` alone: τ = α = β = 1) is refused
/// at import and, forged into a start step, by verify.
#[test]
fn an_uncontributed_ptau_is_refused() {
    let c = circuit();
    let dir = CeremonyDir::new(temp_dir("uncontributed"));
    // The generators in snarkjs's layout (a .ptau of power 3 that nobody contributed to).
    let generators = Powers::generators(3).unwrap();
    let ptau = ptau::tests::write_ptau(&generators);
    assert!(matches!(
        dir.import_ptau(&ptau, c.power()),
        Err(CeremonyError::Step {
            step,
            failure: StepFailure::Uncontributed { element: Element::TauG1 }
        }) if step == id(P1, 0)
    ));
    // Forged start step claiming a .ptau origin over the generators.
    let step = Step {
        id: id(P1, 0),
        previous: [0; 32],
        body: StepBody::Phase1Start {
            origin: Origin::Ptau {
                sha256: [1; 32],
                power: 3,
            },
            powers: generators,
        },
    };
    fs::create_dir_all(dir.path()).unwrap();
    write_step(&dir, id(P1, 0), &step);
    assert_named(
        &dir,
        &c,
        id(P1, 0),
        StepFailure::Uncontributed {
            element: Element::TauG1,
        },
    );
    fs::remove_dir_all(dir.path()).unwrap();
}
