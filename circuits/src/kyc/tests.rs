//! One test per constraint of the KYC circuit, each showing the constraint bites: a false
//! statement leaves the system unsatisfied, and the violated rows lie in the part of the circuit
//! that states it (and nowhere else). Proof-level checks (binding, tampered public inputs) use
//! one dev-seed Groth16 setup for the whole test binary.
use super::sample::{KycSample, EXPIRY, ISSUER, JURISDICTION, TIER, TODAY};
use super::*;
use crate::escrow::EscrowSecretKey;
use crate::fingerprint::R1csMatrices;
use crate::registry::KycRegistry;
use crate::testing::assignment;
use ark_bn254::Bn254;
use ark_ff::{One, UniformRand, Zero};
use ark_groth16::{Groth16, PreparedVerifyingKey, ProvingKey};
use ark_relations::gr1cs::ConstraintSystem;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeSet;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// The sample statement of [`sample`], with infallible accessors for the tests.
struct Fixture(KycSample);

impl Deref for Fixture {
    type Target = KycSample;
    fn deref(&self) -> &KycSample {
        &self.0
    }
}

impl DerefMut for Fixture {
    fn deref_mut(&mut self) -> &mut KycSample {
        &mut self.0
    }
}

fn fixture() -> Fixture {
    Fixture(KycSample::generate(&mut ChaCha20Rng::seed_from_u64(2024)).unwrap())
}

impl Fixture {
    fn witness(&self) -> KycWitness {
        self.0.witness().unwrap()
    }

    fn public(&self) -> KycPublicInputs {
        self.0.public_inputs().unwrap()
    }
}

/// What a synthesis says: whether `is_satisfied()` holds and which parts hold violated rows.
#[derive(Debug)]
struct Outcome {
    satisfied: bool,
    failing: BTreeSet<&'static str>,
}

fn run(circuit: KycCircuit) -> Outcome {
    let cs = ConstraintSystem::<Fr>::new_ref();
    let layout = circuit.synthesize(cs.clone()).unwrap();
    cs.finalize();
    let satisfied = cs.is_satisfied().unwrap();
    let m = R1csMatrices::from_cs(&cs).unwrap();
    let rows = m.unsatisfied_rows(&assignment(&cs));
    assert_eq!(
        satisfied,
        rows.is_empty(),
        "is_satisfied and the row check disagree"
    );
    let failing = rows
        .iter()
        .map(|r| layout.section_of(*r).unwrap_or("<outside every section>"))
        .collect();
    Outcome { satisfied, failing }
}

fn assert_bites(outcome: Outcome, section: &'static str) {
    assert!(
        !outcome.satisfied,
        "{section}: the false statement is satisfied"
    );
    assert_eq!(
        outcome.failing,
        BTreeSet::from([section]),
        "{section}: violated rows lie elsewhere"
    );
}

#[test]
fn a_valid_witness_satisfies_the_circuit() {
    let f = fixture();
    f.witness().check(&f.ctx).unwrap();
    let public = f.public();
    assert_eq!(public.root, f.registry.root());
    let out = run(KycCircuit::new(public, f.witness()));
    assert!(out.satisfied, "{out:?}");
}

#[test]
fn from_witness_checks_the_policy_and_uses_the_native_twin() {
    let mut f = fixture();
    let (circuit, public) = KycCircuit::from_witness(f.witness(), &f.ctx).unwrap();
    assert_eq!(public, f.public());
    assert!(run(circuit).satisfied);
    f.ctx.max_tier = 0;
    assert!(matches!(
        KycCircuit::from_witness(f.witness(), &f.ctx),
        Err(Error::Statement(_))
    ));
}

#[test]
fn public_inputs_are_allocated_in_the_documented_order() {
    let f = fixture();
    let public = f.public();
    let cs = ConstraintSystem::<Fr>::new_ref();
    KycCircuit::new(public, f.witness())
        .synthesize(cs.clone())
        .unwrap();
    let z = assignment(&cs);
    let elements = public.to_field_elements();
    assert_eq!(elements.len(), NUM_PUBLIC_INPUTS);
    assert_eq!(cs.num_instance_variables(), NUM_PUBLIC_INPUTS + 1);
    assert_eq!(&z[1..=NUM_PUBLIC_INPUTS], &elements[..]);
    let pk = public.escrow_pk.point();
    assert_eq!(
        elements,
        vec![
            public.root,
            Fr::from(ISSUER),
            Fr::from(TODAY),
            Fr::from(f.ctx.allowed_mask),
            Fr::from(super::sample::MAX_TIER),
            f.ctx.binding,
            f.ctx.scope,
            public.nullifier,
            public.link,
            pk.x,
            pk.y,
            public.escrow_r.x,
            public.escrow_r.y,
            public.escrow_c,
        ]
    );
}

#[test]
fn expired_credential() {
    let mut f = fixture();
    // The last valid day still proves.
    f.ctx.epoch_day = EXPIRY;
    assert!(run(KycCircuit::new(f.public(), f.witness())).satisfied);
    f.ctx.epoch_day = EXPIRY + 1;
    assert!(matches!(
        f.witness().check(&f.ctx),
        Err(Error::Statement(_))
    ));
    assert_bites(run(KycCircuit::new(f.public(), f.witness())), "expiry");
    // Far in the future: the difference wraps around the field and is refused all the same.
    f.ctx.epoch_day = u32::MAX;
    assert_bites(run(KycCircuit::new(f.public(), f.witness())), "expiry");
}

#[test]
fn jurisdiction_not_in_the_mask() {
    let mut f = fixture();
    f.ctx.allowed_mask = !(1u32 << JURISDICTION);
    assert!(f.witness().check(&f.ctx).is_err());
    assert_bites(run(KycCircuit::new(f.public(), f.witness())), "mask");
    f.ctx.allowed_mask = 0;
    assert_bites(run(KycCircuit::new(f.public(), f.witness())), "mask");
    f.ctx.allowed_mask = 1 << JURISDICTION;
    assert!(run(KycCircuit::new(f.public(), f.witness())).satisfied);
}

#[test]
fn tier_too_high() {
    let mut f = fixture();
    f.ctx.max_tier = TIER;
    assert!(run(KycCircuit::new(f.public(), f.witness())).satisfied);
    f.ctx.max_tier = TIER - 1;
    assert!(f.witness().check(&f.ctx).is_err());
    assert_bites(run(KycCircuit::new(f.public(), f.witness())), "tier");
}

#[test]
fn revoked_leaf() {
    let mut f = fixture();
    let old_root = f.registry.root();
    let old_witness = f.witness();
    let index = f.index;
    f.registry.revoke(index).unwrap();
    // Against the new root, neither the old path nor the new one opens the credential.
    let mut public = f.public();
    assert_ne!(public.root, f.registry.root());
    public.root = f.registry.root();
    assert_bites(run(KycCircuit::new(public, f.witness())), "membership");
    assert_bites(
        run(KycCircuit::new(public, old_witness.clone())),
        "membership",
    );
    // The superseded root still proves: refusing it once its window ends is the node's job.
    public.root = old_root;
    assert!(run(KycCircuit::new(public, old_witness)).satisfied);
}

#[test]
fn unknown_root() {
    let f = fixture();
    let mut public = f.public();
    let mut other = KycRegistry::new(ISSUER);
    other.enrol_credential(&f.credential).unwrap();
    public.root = other.root();
    assert_bites(run(KycCircuit::new(public, f.witness())), "membership");
    public.root = Fr::zero();
    assert_bites(run(KycCircuit::new(public, f.witness())), "membership");
}

#[test]
fn credential_of_another_issuer() {
    let f = fixture();
    let mut public = f.public();
    public.issuer_id = ISSUER + 1;
    assert_bites(run(KycCircuit::new(public, f.witness())), "membership");
}

/// The root a path gives when its bits may be any field element:
/// `left = node + b·(sib − node)`, `right = node + sib − left`.
fn root_with_raw_bits(leaf: Fr, siblings: &[Fr], bits: &[Fr]) -> Fr {
    siblings.iter().zip(bits).fold(leaf, |node, (sib, b)| {
        let left = node + *b * (*sib - node);
        poseidon2(left, node + sib - left)
    })
}

#[test]
fn a_non_boolean_path_bit() {
    let f = fixture();
    let w = f.witness();
    let mut bits: Vec<Fr> = w
        .membership
        .path_bits
        .iter()
        .map(|b| Fr::from(*b))
        .collect();
    assert_eq!(
        root_with_raw_bits(f.credential.leaf(), &w.membership.siblings, &bits),
        f.registry.root()
    );
    for (level, value) in [
        (0usize, Fr::from(2u64)),
        (5, -Fr::one()),
        (31, Fr::from(7u64)),
    ] {
        let saved = bits[level];
        bits[level] = value;
        // Claim the root the bogus bit leads to: only booleanity stands in the way.
        let mut public = f.public();
        public.root = root_with_raw_bits(f.credential.leaf(), &w.membership.siblings, &bits);
        let mut circuit = KycCircuit::new(public, f.witness());
        circuit.raw_path_bit = Some((level, value));
        assert_bites(run(circuit), "path_bits");
        bits[level] = saved;
    }
}

#[test]
fn wrong_nullifier_for_the_scope() {
    let f = fixture();
    let secret = f.credential.identity_secret();
    let mut public = f.public();
    assert_eq!(public.nullifier, nullifier(secret, f.ctx.scope));
    // The nullifier of another scope, under this scope.
    public.nullifier = nullifier(secret, f.ctx.scope + Fr::one());
    assert_bites(run(KycCircuit::new(public, f.witness())), "nullifier");
    // This nullifier, under another scope.
    let mut public = f.public();
    public.scope += Fr::one();
    assert_bites(run(KycCircuit::new(public, f.witness())), "nullifier");
}

#[test]
fn a_link_of_another_identity() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(99);
    let other = IdentitySecret::random(&mut rng);
    let mut public = f.public();
    public.link = link(&other, f.link_tag);
    assert_bites(run(KycCircuit::new(public, f.witness())), "link");
    // Nor the link of this identity for another address than the witness's tag.
    let mut public = f.public();
    public.link = link(f.credential.identity_secret(), f.link_tag + Fr::one());
    assert_bites(run(KycCircuit::new(public, f.witness())), "link");
}

#[test]
fn escrow_to_a_key_other_than_the_nodes() {
    let f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(98);
    let mallory = EscrowSecretKey::random(&mut rng);
    // The prover escrows to its own key but the node supplies the regulators' key.
    let mut ctx = f.ctx;
    ctx.escrow_pk = mallory.public_key();
    let mut public = f.witness().public_inputs(&ctx);
    assert_eq!(mallory.decrypt(&public.escrow()), f.credential.id_commit());
    public.escrow_pk = f.ctx.escrow_pk;
    assert_bites(run(KycCircuit::new(public, f.witness())), "escrow");
    // A ciphertext of another id_commit, or with another R.
    let mut public = f.public();
    public.escrow_c += Fr::one();
    assert_bites(run(KycCircuit::new(public, f.witness())), "escrow");
    let mut public = f.public();
    public.escrow_r = crate::jubjub::base_point();
    assert_bites(run(KycCircuit::new(public, f.witness())), "escrow");
}

#[test]
fn the_regulator_decrypts_the_escrow_to_id_commit() {
    let f = fixture();
    let public = f.public();
    assert!(run(KycCircuit::new(public, f.witness())).satisfied);
    assert_eq!(
        f.regulator.decrypt(&public.escrow()),
        f.credential.id_commit()
    );
}

#[test]
fn binding_is_a_constrained_input() {
    // In the system, `binding` sits in `binding² = b2`: another binding with the prover's `b2`
    // violates exactly that row. (That a proof holds for one binding only is shown by
    // `groth16_proof_verifies_and_tampered_inputs_fail`.)
    let f = fixture();
    let cs = ConstraintSystem::<Fr>::new_ref();
    let layout = KycCircuit::new(f.public(), f.witness())
        .synthesize(cs.clone())
        .unwrap();
    cs.finalize();
    let m = R1csMatrices::from_cs(&cs).unwrap();
    let mut z = assignment(&cs);
    assert!(m.unsatisfied_rows(&z).is_empty());
    z[6] += Fr::one(); // binding is public input 6 (after the constant one)
    let rows = m.unsatisfied_rows(&z);
    let sections: BTreeSet<_> = rows.iter().filter_map(|r| layout.section_of(*r)).collect();
    assert_eq!(sections, BTreeSet::from(["binding"]));
}

#[test]
fn tampering_with_any_public_input_or_sampled_witness_unsatisfies() {
    let f = fixture();
    let cs = ConstraintSystem::<Fr>::new_ref();
    KycCircuit::new(f.public(), f.witness())
        .synthesize(cs.clone())
        .unwrap();
    cs.finalize();
    let m = R1csMatrices::from_cs(&cs).unwrap();
    let z = assignment(&cs);
    assert!(m.unsatisfied_rows(&z).is_empty());
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let n_inst = cs.num_instance_variables();
    let mut indices: Vec<usize> = (1..n_inst).collect();
    indices.extend((0..300).map(|_| n_inst + (u64::rand(&mut rng) as usize) % m.num_witness));
    for i in indices {
        let mut bad = z.clone();
        bad[i] += Fr::one();
        assert!(!m.is_satisfied_by(&bad), "variable {i} changes freely");
    }
}

#[test]
fn range_check_refuses_33_bit_and_negative_values() {
    for (value, ok) in [
        (Fr::from(u32::MAX), true),
        (Fr::zero(), true),
        (Fr::from(1u64 << 32), false),
        (-Fr::one(), false),
    ] {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = FpVar::new_input(cs.clone(), || Ok(value)).unwrap();
        enforce_range(&cs, &x, Some(value), RANGE_BITS).unwrap();
        assert_eq!(cs.num_constraints(), RANGE_BITS + 1);
        assert_eq!(cs.is_satisfied().unwrap(), ok, "{value}");
    }
}

#[test]
fn mask_selection_reads_exactly_the_jurisdictions_bit() {
    for j in 0..32u32 {
        for (mask, ok) in [(1u32 << j, true), (!(1u32 << j), false), (u32::MAX, true)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let m = FpVar::new_input(cs.clone(), || Ok(Fr::from(mask))).unwrap();
            let bits = enforce_range(&cs, &m, Some(Fr::from(mask)), MASK_BITS).unwrap();
            let jb = alloc_bits(&cs, Some(Fr::from(j)), JURISDICTION_BITS).unwrap();
            let before = cs.num_constraints();
            enforce_selected_bit_is_one(&bits, &jb).unwrap();
            assert_eq!(cs.num_constraints() - before, 31);
            assert_eq!(cs.is_satisfied().unwrap(), ok, "j={j} mask={mask:#x}");
        }
    }
}

#[test]
fn setup_and_prove_modes_have_the_same_shape() {
    let f = fixture();
    let setup = crate::fingerprint::setup_matrices(KycCircuit::for_setup()).unwrap();
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(ark_relations::gr1cs::OptimizationGoal::Constraints);
    KycCircuit::new(f.public(), f.witness())
        .generate_constraints(cs.clone())
        .unwrap();
    cs.finalize();
    assert_eq!(R1csMatrices::from_cs(&cs).unwrap(), setup);
}

#[test]
fn constraint_count_breakdown() {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    let layout = KycCircuit::for_setup().synthesize(cs.clone()).unwrap();
    let sizes: Vec<(&str, usize)> = layout.sections.iter().map(|(n, r)| (*n, r.len())).collect();
    assert_eq!(
        sizes,
        vec![
            ("id_commit", 213),
            ("range", 32 + 32 + 33 + 33),
            ("expiry", 33),
            ("tier", 33),
            ("mask", 33 + 5 + 31),
            ("leaf", 297 + 240),
            ("path_bits", 32),
            ("membership", 32 * 241 + 1),
            ("nullifier", 241),
            ("link", 241),
            ("escrow", 251 + 125 + 750 + 2763 + 258 + 3),
            ("binding", 1),
        ]
    );
    let total: usize = sizes.iter().map(|(_, n)| n).sum();
    assert_eq!(total, cs.num_constraints());
    assert!(total <= 16_000, "{total} constraints");
}

#[test]
fn circuit_fingerprint_is_the_committed_one() {
    let fp = KycCircuit::fingerprint().unwrap();
    assert_eq!(fp.num_public_inputs, NUM_PUBLIC_INPUTS);
    assert_eq!(
        fp.to_string(),
        KYC_CIRCUIT_FINGERPRINT,
        "the KYC circuit changed"
    );
}

/// One dev-seed Groth16 setup for this test binary.
fn keys() -> &'static (ProvingKey<Bn254>, PreparedVerifyingKey<Bn254>) {
    static KEYS: OnceLock<(ProvingKey<Bn254>, PreparedVerifyingKey<Bn254>)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0xdead_5eed);
        let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(
            KycCircuit::for_setup(),
            &mut rng,
        )
        .unwrap();
        let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
        (pk, pvk)
    })
}

#[test]
fn groth16_proof_verifies_and_tampered_inputs_fail() {
    use corridor_core::keys::WalletKeys;
    let mut f = fixture();
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let alice = WalletKeys::random(&mut rng).address();
    let bob = WalletKeys::random(&mut rng).address();
    let digest = Digest([1u8; 32]);
    let other_digest = Digest([2u8; 32]);
    f.ctx.binding = binding(alice.spend_key(), &digest);
    f.ctx.scope = transaction_scope(&digest);
    f.link_tag = link_tag(&alice);
    let public = f.public();

    let (pk, pvk) = keys();
    assert_eq!(pk.vk.gamma_abc_g1.len(), NUM_PUBLIC_INPUTS + 1);
    let proof = Groth16::<Bn254>::create_random_proof_with_reduction(
        KycCircuit::new(public, f.witness()),
        pk,
        &mut rng,
    )
    .unwrap();
    let inputs = public.to_field_elements();
    assert!(Groth16::<Bn254>::verify_proof(pvk, &proof, &inputs).unwrap());

    // Wrong binding: another key, another transaction.
    for wrong in [
        binding(bob.spend_key(), &digest),
        binding(alice.spend_key(), &other_digest),
    ] {
        let mut bad = public;
        bad.binding = wrong;
        assert!(!Groth16::<Bn254>::verify_proof(pvk, &proof, &bad.to_field_elements()).unwrap());
    }
    // Every other public input, tampered one at a time.
    for i in 0..NUM_PUBLIC_INPUTS {
        let mut bad = inputs.clone();
        bad[i] += Fr::one();
        assert!(
            !Groth16::<Bn254>::verify_proof(pvk, &proof, &bad).unwrap(),
            "public input {i} is not bound"
        );
    }
    // The regulator opens the proof's escrow.
    assert_eq!(
        f.regulator.decrypt(&public.escrow()),
        f.credential.id_commit()
    );
}

#[test]
fn domain_helpers_separate_their_inputs() {
    let mut rng = ChaCha20Rng::seed_from_u64(78);
    let a = corridor_core::keys::WalletKeys::random(&mut rng).address();
    let b = corridor_core::keys::WalletKeys::random(&mut rng).address();
    let d = Digest([3u8; 32]);
    assert_ne!(link_tag(&a), link_tag(&b));
    assert_ne!(binding(a.spend_key(), &d), binding(b.spend_key(), &d));
    assert_ne!(transaction_scope(&d), binding(a.spend_key(), &d));
    let march = registration_scope("corridor-dev", 2026, 3).unwrap();
    assert_ne!(march, registration_scope("corridor-dev", 2026, 4).unwrap());
    assert_ne!(march, registration_scope("corridor-main", 2026, 3).unwrap());
    assert!(registration_scope("corridor-dev", 2026, 13).is_err());
    assert!(registration_scope("corridor-dev", 2026, 0).is_err());
}

/// The witness of `circuit` (prove mode, as the prover synthesizes it).
fn witness_of(circuit: KycCircuit) -> Vec<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit.generate_constraints(cs.clone()).unwrap();
    cs.finalize();
    let inner = cs.borrow().unwrap();
    inner.assignments.witness_assignment.clone()
}

#[test]
fn the_credential_wires_depend_on_the_credential_and_its_path_only() {
    let ranges = KycCircuit::credential_witness_ranges().unwrap();
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    KycCircuit::for_setup().synthesize(cs.clone()).unwrap();
    let witnesses = cs.num_witness_variables();
    let credential: usize = ranges.iter().map(ExactSizeIterator::len).sum();
    assert!(ranges.windows(2).all(|w| w[0].end <= w[1].start));
    assert!(ranges.last().unwrap().end <= witnesses);
    // About two thirds of the witness (the membership hashes dominate).
    assert!(
        credential * 2 >= witnesses && credential < witnesses,
        "{credential} of {witnesses}"
    );
    let in_ranges = |i: usize| ranges.iter().any(|r| r.contains(&i));

    // Two transactions of one customer under one root: equal on every credential wire, and
    // different on most others (binding, scope, escrow randomness).
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let mut f = fixture();
    let one = witness_of(f.circuit().unwrap().0);
    let two = witness_of(f.another_transaction(&mut rng).unwrap().0);
    assert_eq!(one.len(), witnesses);
    assert!((0..witnesses)
        .filter(|&i| in_ranges(i))
        .all(|i| one[i] == two[i]));
    let differ = (0..witnesses).filter(|&i| one[i] != two[i]).count();
    assert!(differ > witnesses / 5, "{differ}");

    // Another customer enrolled: the path changed, and with it credential wires.
    f.registry
        .enrol_credential(
            &Credential::new(
                IdentitySecret::random(&mut rng),
                super::sample::attributes(),
            )
            .unwrap(),
        )
        .unwrap();
    let three = witness_of(f.circuit().unwrap().0);
    assert!((0..witnesses).any(|i| in_ranges(i) && one[i] != three[i]));
}
