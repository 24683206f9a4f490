//! The KYC circuit (DESIGN.md §3.6).
//!
//! Relation: ∃ `identity_secret, jurisdiction, expiry_day, tier, path, link_tag, k` such that,
//! with `id_commit = Poseidon(identity_secret)` and
//! `leaf = Poseidon(id_commit, Poseidon(jurisdiction, expiry_day, tier, issuer_id))`:
//! 1. the path bits are boolean and `leaf` is in the depth-32 tree under `root`;
//! 2. `expiry_day, epoch_day, tier, max_tier < 2^32`, `expiry_day ≥ epoch_day`,
//!    `tier ≤ max_tier`;
//! 3. `allowed_mask < 2^32` and its bit number `jurisdiction` (`< 32`) is 1;
//! 4. `nullifier = Poseidon(identity_secret, scope)`;
//! 5. `link = Poseidon(identity_secret, link_tag)`;
//! 6. `k < 2^251` (bits), `escrow_R = k·B8`,
//!    `escrow_c = id_commit + Poseidon(TAG, (k·escrow_pk).x, (k·escrow_pk).y)`;
//! 7. `binding² = b2` for a witness `b2` (so `binding` is a constrained public input and a proof
//!    holds for its `binding` only).
//!
//! Public inputs, in this order ([`KycPublicInputs::to_field_elements`]): `root, issuer_id,
//! epoch_day, allowed_mask, max_tier, binding, scope, nullifier, link, escrow_pk.x, escrow_pk.y,
//! escrow_R.x, escrow_R.y, escrow_c`. Private: [`KycWitness`].
//!
//! How the address enters `link`: DESIGN.md defines
//! `link = Poseidon(identity_secret, H_to_Fr("corridor/link/v1", X, P))`. SHA-512 cannot be
//! opened in the circuit at a sane cost and `(X, P)` is no public input, so `link_tag =
//! H_to_Fr("corridor/link/v1", X, P)` ([`link_tag`]) is a *private witness* computed by the
//! wallet, and `link` is the public input. The node supplies `link` itself: at RegisterAddress
//! it stores the `link` the transaction carries; at Transfer and Burn it passes the value stored
//! for the signer. Soundness of what the link is for holds without binding the tag in-circuit:
//! `link` is a Poseidon commitment to `(identity_secret, link_tag)`, so a Transfer or Burn proof
//! that matches the stored `link` proves the same `identity_secret` as the registration did. A
//! wallet that picks another tag only hurts its own unlinkability (its links across addresses
//! could repeat); it cannot borrow someone else's identity, which needs their secret.
//!
//! Constraint budget (depth 32, see the `constraint_count_breakdown` test): Merkle path 7,744 +
//! 1, leaf and `id_commit` 750, nullifier and link 482, range checks and comparisons 196, mask
//! and jurisdiction 69, escrow 4,150, binding 1: 13,393 in all.
use crate::credential::{Credential, IdentitySecret};
use crate::escrow::{escrow_gadget, EscrowCiphertext, EscrowPublicKey, EscrowRandomness};
use crate::field::hash_to_fr;
use crate::fingerprint::{fingerprint, CircuitFingerprint};
use crate::jubjub::{JubjubPoint, PointVar, ScalarBitsVar};
use crate::poseidon::{poseidon2, PoseidonVar};
use crate::tree::{enforce_boolean, MembershipVar, MembershipWitness, TREE_DEPTH};
use crate::Error;
use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, SynthesisError,
};
use corridor_core::address::Address;
use corridor_core::domain;
use corridor_core::group::Point;
use corridor_core::tx::Digest;
use std::fmt;
use std::ops::Range;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bits of `allowed_mask` (so at most 32 jurisdictions).
pub const MASK_BITS: usize = 32;
/// Bits of the day and tier values.
pub const RANGE_BITS: usize = 32;
/// Bits of the jurisdiction index.
const JURISDICTION_BITS: usize = 5;
/// Field elements of the public input.
pub const NUM_PUBLIC_INPUTS: usize = 14;

/// The committed fingerprint of the depth-32 KYC circuit (count and SHA-256 of its canonical
/// matrices, [`crate::fingerprint`]). A change means new Groth16 parameters.
pub const KYC_CIRCUIT_FINGERPRINT: &str = "constraints=13393 public_inputs=14 witnesses=13415 sha256=16bcd0179cbfa682a808a6ecdac44e30dc1435dc193e940a5d9815ef0e757e2a";

/// `H_to_Fr("corridor/link/v1", X, P)`: the wallet's private link tag for address `(X, P)`.
pub fn link_tag(address: &Address) -> Fr {
    hash_to_fr(
        domain::KYC_LINK,
        &[
            address.spend_key().as_bytes(),
            address.view_key().as_bytes(),
        ],
    )
}

/// `binding = H_to_Fr("corridor/kyc-binding/v1", X, digest)`.
pub fn binding(spend_key: &Point, digest: &Digest) -> Fr {
    hash_to_fr(domain::KYC_BINDING, &[spend_key.as_bytes(), &digest.0])
}

/// The nullifier scope of a Transfer or Burn: `H_to_Fr("corridor/kyc-scope/v1", digest)`.
pub fn transaction_scope(digest: &Digest) -> Fr {
    hash_to_fr(domain::KYC_SCOPE, &[&digest.0])
}

/// The nullifier scope of a RegisterAddress in month `year-month`:
/// `H_to_Fr("corridor/kyc-register-scope/v1", network, "YYYY-MM")`.
pub fn registration_scope(network: &str, year: u32, month: u32) -> Result<Fr, Error> {
    if !(1..=12).contains(&month) || year > 9999 {
        return Err(Error::Statement(format!(
            "registration scope: {year}-{month} is not a month"
        )));
    }
    let ym = format!("{year:04}-{month:02}");
    Ok(hash_to_fr(
        domain::KYC_REGISTER_SCOPE,
        &[network.as_bytes(), ym.as_bytes()],
    ))
}

/// `nullifier = Poseidon(identity_secret, scope)`.
pub fn nullifier(secret: &IdentitySecret, scope: Fr) -> Fr {
    poseidon2(*secret.expose_secret(), scope)
}

/// `link = Poseidon(identity_secret, link_tag)`.
pub fn link(secret: &IdentitySecret, link_tag: Fr) -> Fr {
    poseidon2(*secret.expose_secret(), link_tag)
}

/// The inputs the node supplies (DESIGN.md §3.6): the day, the policy, the binding and scope of
/// the transaction, and the escrow key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KycContext {
    /// UTC day of the block time or the day before.
    pub epoch_day: u32,
    /// Policy mask ∧ the issuer's jurisdictions.
    pub allowed_mask: u32,
    /// Highest tier the policy admits.
    pub max_tier: u32,
    /// [`binding`] of the signer and the statement digest.
    pub binding: Fr,
    /// [`transaction_scope`] or [`registration_scope`].
    pub scope: Fr,
    /// The regulators' escrow key from genesis.
    pub escrow_pk: EscrowPublicKey,
}

/// The public inputs of the KYC circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KycPublicInputs {
    /// A root of the issuer's tree within its window.
    pub root: Fr,
    /// That root's issuer.
    pub issuer_id: u32,
    /// The day the proof claims.
    pub epoch_day: u32,
    /// Jurisdictions admitted.
    pub allowed_mask: u32,
    /// Highest tier admitted.
    pub max_tier: u32,
    /// Binds the proof to the signer and the transaction.
    pub binding: Fr,
    /// Nullifier scope.
    pub scope: Fr,
    /// `Poseidon(identity_secret, scope)`.
    pub nullifier: Fr,
    /// `Poseidon(identity_secret, link_tag)`.
    pub link: Fr,
    /// The regulators' escrow key.
    pub escrow_pk: EscrowPublicKey,
    /// `k·B8`.
    pub escrow_r: JubjubPoint,
    /// `id_commit + Poseidon(TAG, k·escrow_pk)`.
    pub escrow_c: Fr,
}

impl KycPublicInputs {
    /// The public input vector in the circuit's order (module doc), for Groth16.
    pub fn to_field_elements(&self) -> Vec<Fr> {
        let pk = self.escrow_pk.point();
        vec![
            self.root,
            Fr::from(self.issuer_id),
            Fr::from(self.epoch_day),
            Fr::from(self.allowed_mask),
            Fr::from(self.max_tier),
            self.binding,
            self.scope,
            self.nullifier,
            self.link,
            pk.x,
            pk.y,
            self.escrow_r.x,
            self.escrow_r.y,
            self.escrow_c,
        ]
    }

    /// The escrow ciphertext the proof carries.
    pub fn escrow(&self) -> EscrowCiphertext {
        EscrowCiphertext {
            r: self.escrow_r,
            c: self.escrow_c,
        }
    }
}

/// The private witness. Zeroised on drop; `Debug` prints nothing of it.
#[derive(Clone)]
pub struct KycWitness {
    /// The credential (secret and attributes).
    pub credential: Credential,
    /// Its path in the issuer's tree.
    pub membership: MembershipWitness,
    /// [`link_tag`] of the address the proof is for.
    pub link_tag: Fr,
    /// The escrow randomness `k`.
    pub escrow_randomness: EscrowRandomness,
}

impl Drop for KycWitness {
    fn drop(&mut self) {
        self.membership.zeroize();
        self.link_tag.zeroize();
    }
}

impl ZeroizeOnDrop for KycWitness {}

impl fmt::Debug for KycWitness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KycWitness(<redacted>)")
    }
}

impl KycWitness {
    /// The native twin of the circuit: every public input, from the witness and the context.
    /// It checks nothing ([`Self::check`] does); a false statement gives inputs the circuit
    /// refuses.
    pub fn public_inputs(&self, ctx: &KycContext) -> KycPublicInputs {
        let c = &self.credential;
        let escrow =
            EscrowCiphertext::encrypt(&ctx.escrow_pk, c.id_commit(), &self.escrow_randomness);
        KycPublicInputs {
            root: self.membership.root(c.leaf()),
            issuer_id: c.issuer_id(),
            epoch_day: ctx.epoch_day,
            allowed_mask: ctx.allowed_mask,
            max_tier: ctx.max_tier,
            binding: ctx.binding,
            scope: ctx.scope,
            nullifier: nullifier(c.identity_secret(), ctx.scope),
            link: link(c.identity_secret(), self.link_tag),
            escrow_pk: ctx.escrow_pk,
            escrow_r: escrow.r,
            escrow_c: escrow.c,
        }
    }

    /// Checks natively that the policy part of the statement holds, naming what fails.
    pub fn check(&self, ctx: &KycContext) -> Result<(), Error> {
        let c = &self.credential;
        if c.expiry_day() < ctx.epoch_day {
            return Err(Error::Statement(format!(
                "credential expired on day {}, before day {}",
                c.expiry_day(),
                ctx.epoch_day
            )));
        }
        if c.tier() > ctx.max_tier {
            return Err(Error::Statement(format!(
                "tier {} is above the policy's {}",
                c.tier(),
                ctx.max_tier
            )));
        }
        if ctx.allowed_mask >> c.jurisdiction() & 1 != 1 {
            return Err(Error::Statement(format!(
                "jurisdiction {} is not in the allowed mask {:#010x}",
                c.jurisdiction(),
                ctx.allowed_mask
            )));
        }
        Ok(())
    }
}

/// The KYC circuit: the public inputs and the witness, or neither for the setup.
pub struct KycCircuit {
    public: Option<KycPublicInputs>,
    witness: Option<KycWitness>,
    /// Test hook: replaces path bit `i` by a raw field value at allocation.
    #[cfg(test)]
    raw_path_bit: Option<(usize, Fr)>,
}

impl fmt::Debug for KycCircuit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KycCircuit")
            .field("public", &self.public)
            .field("witness", &self.witness.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Constraint index ranges of each part of the circuit, in synthesis order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    pub(crate) sections: Vec<(&'static str, Range<usize>)>,
    /// Each section's witness variables (indices into the witness assignment).
    pub(crate) witnesses: Vec<(&'static str, Range<usize>)>,
}

impl Layout {
    fn mark(&mut self, cs: &ConstraintSystemRef<Fr>, name: &'static str, start: usize) -> usize {
        let end = cs.num_constraints();
        self.sections.push((name, start..end));
        let witness_start = self.witnesses.last().map_or(0, |(_, r)| r.end);
        self.witnesses
            .push((name, witness_start..cs.num_witness_variables()));
        end
    }

    #[cfg(test)]
    pub(crate) fn section_of(&self, row: usize) -> Option<&'static str> {
        self.sections
            .iter()
            .find(|(_, r)| r.contains(&row))
            .map(|(n, _)| *n)
    }
}

/// The sections whose witness variables are functions of the credential and its membership
/// path alone (see [`KycCircuit::credential_witness_ranges`]).
const CREDENTIAL_SECTIONS: [&str; 4] = ["id_commit", "leaf", "path_bits", "membership"];

impl KycCircuit {
    /// The witness variables (indices into the witness assignment, in ranges) whose values
    /// depend only on the credential and its membership path, not on the transaction: the
    /// identity commitment, the leaf, the path bits and the membership hashes — about two
    /// thirds of the witness. A prover may keep their share of the MSMs for a credential and
    /// reuse it while the credential's path stays the same (`corridor_prover::groth16::Prover`
    /// checks their values each time, so a stale share is never used).
    ///
    /// # Errors
    /// The circuit does not synthesize (a bug).
    pub fn credential_witness_ranges() -> Result<Vec<Range<usize>>, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
        let layout = Self::for_setup().synthesize(cs)?;
        Ok(layout
            .witnesses
            .into_iter()
            .filter(|(name, r)| CREDENTIAL_SECTIONS.contains(name) && !r.is_empty())
            .map(|(_, r)| r)
            .collect())
    }

    /// A circuit to prove `public` with `witness`.
    pub fn new(public: KycPublicInputs, witness: KycWitness) -> Self {
        KycCircuit {
            public: Some(public),
            witness: Some(witness),
            #[cfg(test)]
            raw_path_bit: None,
        }
    }

    /// The prover's entry: checks the policy natively ([`KycWitness::check`]), computes the
    /// public inputs with the native twin and returns them with the circuit to prove.
    pub fn from_witness(
        witness: KycWitness,
        ctx: &KycContext,
    ) -> Result<(Self, KycPublicInputs), Error> {
        witness.check(ctx)?;
        let public = witness.public_inputs(ctx);
        Ok((Self::new(public, witness), public))
    }

    /// The circuit without values, for the parameter setup (the shape is all that counts).
    pub fn for_setup() -> Self {
        KycCircuit {
            public: None,
            witness: None,
            #[cfg(test)]
            raw_path_bit: None,
        }
    }

    /// The fingerprint of the circuit (compare with [`KYC_CIRCUIT_FINGERPRINT`]).
    pub fn fingerprint() -> Result<CircuitFingerprint, Error> {
        fingerprint(Self::for_setup())
    }

    /// Synthesises every constraint of the module doc and returns where each part lies.
    pub(crate) fn synthesize(&self, cs: ConstraintSystemRef<Fr>) -> Result<Layout, SynthesisError> {
        let p = self.public.as_ref();
        let w = self.witness.as_ref();
        let mut layout = Layout::default();
        let input = |f: &dyn Fn(&KycPublicInputs) -> Fr| {
            FpVar::new_input(cs.clone(), || {
                p.map(f).ok_or(SynthesisError::AssignmentMissing)
            })
        };

        // Public inputs, in order.
        let root = input(&|p| p.root)?;
        let issuer_id = input(&|p| Fr::from(p.issuer_id))?;
        let epoch_day = input(&|p| Fr::from(p.epoch_day))?;
        let allowed_mask = input(&|p| Fr::from(p.allowed_mask))?;
        let max_tier = input(&|p| Fr::from(p.max_tier))?;
        let binding = input(&|p| p.binding)?;
        let scope = input(&|p| p.scope)?;
        let nullifier = input(&|p| p.nullifier)?;
        let link = input(&|p| p.link)?;
        let escrow_pk = PointVar::new_input(cs.clone(), p.map(|p| p.escrow_pk.point()))?;
        let escrow_r = PointVar::new_input(cs.clone(), p.map(|p| &p.escrow_r))?;
        let escrow_c = input(&|p| p.escrow_c)?;

        let witness = |f: &dyn Fn(&KycWitness) -> Fr| {
            FpVar::new_witness(cs.clone(), || {
                w.map(f).ok_or(SynthesisError::AssignmentMissing)
            })
        };
        let credential = w.map(|w| &w.credential);
        let mut at = cs.num_constraints();

        // id_commit = Poseidon(identity_secret).
        let secret = witness(&|w| *w.credential.identity_secret().expose_secret())?;
        let id_commit = PoseidonVar::hash(std::slice::from_ref(&secret))?;
        at = layout.mark(&cs, "id_commit", at);

        // Range checks: the witnesses are their bits, the public inputs must equal theirs.
        let expiry_day = pack(&alloc_bits(
            &cs,
            credential.map(|c| Fr::from(c.expiry_day())),
            RANGE_BITS,
        )?);
        let tier = pack(&alloc_bits(
            &cs,
            credential.map(|c| Fr::from(c.tier())),
            RANGE_BITS,
        )?);
        enforce_range(
            &cs,
            &epoch_day,
            p.map(|p| Fr::from(p.epoch_day)),
            RANGE_BITS,
        )?;
        enforce_range(&cs, &max_tier, p.map(|p| Fr::from(p.max_tier)), RANGE_BITS)?;
        at = layout.mark(&cs, "range", at);

        // expiry_day ≥ epoch_day: their difference has 32 bits.
        let diff = |a: &FpVar<Fr>, b: &FpVar<Fr>| -> Option<Fr> {
            use ark_r1cs_std::GR1CSVar;
            Some(a.value().ok()? - b.value().ok()?)
        };
        enforce_range(
            &cs,
            &(&expiry_day - &epoch_day),
            diff(&expiry_day, &epoch_day),
            RANGE_BITS,
        )?;
        at = layout.mark(&cs, "expiry", at);

        // tier ≤ max_tier.
        enforce_range(
            &cs,
            &(&max_tier - &tier),
            diff(&max_tier, &tier),
            RANGE_BITS,
        )?;
        at = layout.mark(&cs, "tier", at);

        // allowed_mask's bit number `jurisdiction` is 1.
        let mask_bits = enforce_range(
            &cs,
            &allowed_mask,
            p.map(|p| Fr::from(p.allowed_mask)),
            MASK_BITS,
        )?;
        let jurisdiction_bits = alloc_bits(
            &cs,
            credential.map(|c| Fr::from(c.jurisdiction())),
            JURISDICTION_BITS,
        )?;
        let jurisdiction = pack(&jurisdiction_bits);
        enforce_selected_bit_is_one(&mask_bits, &jurisdiction_bits)?;
        at = layout.mark(&cs, "mask", at);

        // leaf = Poseidon(id_commit, Poseidon(jurisdiction, expiry_day, tier, issuer_id)).
        let attributes = PoseidonVar::hash(&[jurisdiction, expiry_day, tier, issuer_id])?;
        let leaf = PoseidonVar::hash(&[id_commit.clone(), attributes])?;
        at = layout.mark(&cs, "leaf", at);

        // Boolean path bits, membership under root.
        let bits: Vec<Option<Fr>> = (0..TREE_DEPTH)
            .map(|h| w.map(|w| Fr::from(w.membership.path_bits[h])))
            .collect();
        #[cfg(test)]
        let bits = {
            let mut bits = bits;
            if let Some((i, v)) = self.raw_path_bit {
                bits[i] = Some(v);
            }
            bits
        };
        let path = MembershipVar::new_witness_raw(
            cs.clone(),
            w.map(|w| &w.membership.siblings[..]),
            &bits,
        )?;
        at = layout.mark(&cs, "path_bits", at);
        path.root(&leaf)?.enforce_equal(&root)?;
        at = layout.mark(&cs, "membership", at);

        // nullifier = Poseidon(identity_secret, scope).
        PoseidonVar::hash(&[secret.clone(), scope])?.enforce_equal(&nullifier)?;
        at = layout.mark(&cs, "nullifier", at);

        // link = Poseidon(identity_secret, link_tag).
        let link_tag = witness(&|w| w.link_tag)?;
        PoseidonVar::hash(&[secret, link_tag])?.enforce_equal(&link)?;
        at = layout.mark(&cs, "link", at);

        // Escrow to escrow_pk.
        let k =
            ScalarBitsVar::new_witness(cs.clone(), w.map(|w| w.escrow_randomness.expose_secret()))?;
        let (r, c) = escrow_gadget(&k, &escrow_pk, &id_commit)?;
        r.enforce_equal(&escrow_r)?;
        c.enforce_equal(&escrow_c)?;
        at = layout.mark(&cs, "escrow", at);

        // binding² = b2.
        let b2 = FpVar::new_witness(cs.clone(), || {
            p.map(|p| p.binding.square())
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        binding.square_equals(&b2)?;
        layout.mark(&cs, "binding", at);
        Ok(layout)
    }
}

impl ConstraintSynthesizer<Fr> for KycCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

/// Allocates the low `n` bits of `value` as boolean witnesses (one constraint each).
fn alloc_bits(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<Fr>,
    n: usize,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    let bits = value.map(|v| v.into_bigint().to_bits_le());
    (0..n)
        .map(|i| {
            let b = FpVar::new_witness(cs.clone(), || {
                bits.as_ref()
                    .and_then(|b| b.get(i).copied())
                    .map(Fr::from)
                    .ok_or(SynthesisError::AssignmentMissing)
            })?;
            enforce_boolean(&b)?;
            Ok(b)
        })
        .collect()
}

/// `Σ 2^i·bits[i]` (a linear combination, no constraint).
fn pack(bits: &[FpVar<Fr>]) -> FpVar<Fr> {
    let coeffs: Vec<Fr> = (0..bits.len())
        .map(|i| Fr::from(2u64).pow([i as u64]))
        .collect();
    crate::poseidon::linear_combination(&coeffs, bits)
}

/// Enforces `x < 2^n` by decomposing it into `n` boolean bits (`n + 1` constraints); returns
/// the bits. `value` is `x`'s value (its low bits are what the prover claims).
fn enforce_range(
    cs: &ConstraintSystemRef<Fr>,
    x: &FpVar<Fr>,
    value: Option<Fr>,
    n: usize,
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    let bits = alloc_bits(cs, value, n)?;
    pack(&bits).enforce_equal(x)?;
    Ok(bits)
}

/// Enforces `mask_bits[index] = 1` where `index = Σ 2^i·index_bits[i]`: a multiplexer tree
/// over the index bits, least significant first (`2^m − 1` constraints for `2^m` mask bits, the
/// last one enforcing the result).
fn enforce_selected_bit_is_one(
    mask_bits: &[FpVar<Fr>],
    index_bits: &[FpVar<Fr>],
) -> Result<(), SynthesisError> {
    if mask_bits.len() != 1 << index_bits.len() || index_bits.is_empty() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let mut level: Vec<FpVar<Fr>> = mask_bits.to_vec();
    let (last, inner) = index_bits
        .split_last()
        .ok_or(SynthesisError::Unsatisfiable)?;
    for bit in inner {
        level = level
            .chunks_exact(2)
            .map(|pair| &pair[0] + bit * &(&pair[1] - &pair[0]))
            .collect();
    }
    match level.as_slice() {
        // lo + last·(hi − lo) = 1
        [lo, hi] => last.mul_equals(&(hi - lo), &(FpVar::one() - lo)),
        _ => Err(SynthesisError::Unsatisfiable),
    }
}

pub mod sample;

#[cfg(test)]
mod tests;
