//! Groth16 verification over BN254: validated decoding, single verification with a prepared
//! key, and batch verification by a random linear combination with bisection.
//!
//! Relation checked, for a proof `(A, B, C)`, public inputs `x_1…x_l` supplied by the caller
//! and a verifying key `(α, β, γ, δ, γ_abc_0…γ_abc_l)`:
//! `e(A, B) = e(α, β) · e(IC, γ) · e(C, δ)` with `IC = γ_abc_0 + Σ_j x_j·γ_abc_j`.
//!
//! What is checked, and where:
//! - Decoding ([`decode_proof`], [`decode_verifying_key`], [`PreparedKey::from_bytes`]) is
//!   corridor-params' one strict decoder ([`corridor_params::encoding`], re-exported here):
//!   compressed points only, each on its curve and in the prime-order subgroup (the G2 check
//!   matters: BN254's G2 has a large cofactor), each encoded canonically (re-encoding gives the
//!   same bytes, so one proof has one encoding), exact lengths, no trailing bytes. Errors name
//!   the element ([`Element`]) and what was wrong with it. The batch verifier relies on this:
//!   its soundness argument needs every point in its prime-order group, so proofs must come
//!   from [`decode_proof`] (or from an honest prover), never from unchecked bytes.
//! - Public inputs come from the caller (the node resolves them from its state), never from the
//!   proof bytes; their number must be `gamma_abc_g1.len() − 1` (ark-groth16 would silently
//!   ignore extra inputs or missing ones).
//! - [`verify`]: one multi-Miller loop of three pairs and one final exponentiation against the
//!   prepared `e(α, β)`.
//! - [`check_batch`] / [`verify_batch`]: for `n` proofs with independent weights `w_i`, each
//!   uniform over 2^128 − 1 non-zero values (`w0 + λ·w1`, see `ProofWeight`), drawn from the
//!   caller's CSPRNG after the proofs are fixed,
//!   `Π e(w_i·A_i, B_i) · e(−(Σ w_i)·α, β) · e(−Σ w_i·IC_i, γ) · e(−Σ w_i·C_i, δ) = 1`:
//!   `n + 3` pairs in ONE multi-Miller loop and ONE final exponentiation (`Σ w_i·IC_i` is one
//!   small MSM over `γ_abc`, `Σ w_i·C_i` one MSM over the `C_i`). A batch of valid proofs
//!   always passes; a batch holding an invalid proof passes with probability at most
//!   `1/(2^128 − 1)` over the weights. [`verify_batch`] then bisects (fresh weights for every
//!   sub-batch, single verification at the leaves, [`crate::bisect`]) and names every bad
//!   proof.
//! - `weighted_holds` is the same equation with weights the caller drew: the block-wide
//!   batch of [`crate::batch`] folds every KYC proof of a block into it, the Miller loops
//!   spread over its threads.
use crate::bisect::{bisect, nonzero_u128, BatchCheck};
use crate::parallel::Threads;
use ark_bn254::g1::Config as G1Config;
use ark_bn254::{Bn254, Fq12, Fr, G1Affine, G1Projective};
use ark_ec::bn::g2::EllCoeff;
use ark_ec::bn::BnConfig;
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{AdditiveGroup, CyclotomicMultSubgroup, Field, One, Zero};
use ark_groth16::{prepare_verifying_key, PreparedVerifyingKey, Proof, VerifyingKey};
use rand_core::{CryptoRng, RngCore};
use thiserror::Error;

/// The canonical encodings and their strict decoder live in corridor-params (one place for
/// keys and proofs alike); they are re-exported here for the verifier's callers.
pub use corridor_params::encoding::{
    decode_proof, decode_verifying_key, encode_proof, Element, Groth16DecodeError, G1_BYTES,
    G2_BYTES, PROOF_BYTES,
};

#[cfg(test)]
mod tests;

/// Why a single proof was rejected.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Groth16VerifyError {
    /// The caller supplied a number of public inputs the key was not made for.
    #[error("{found} public inputs for a verifying key of {expected}")]
    InputCount {
        /// `gamma_abc_g1.len() − 1`.
        expected: usize,
        /// Supplied.
        found: usize,
    },
    /// The pairing equation does not hold: the proof is not valid for these public inputs.
    #[error("the Groth16 pairing equation does not hold for these public inputs")]
    Rejected,
}

/// Why a batch was rejected.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum Groth16BatchError {
    /// Entry `index` has a number of public inputs the key was not made for; nothing was
    /// verified.
    #[error("batch entry {index}: {found} public inputs for a verifying key of {expected}")]
    InputCount {
        /// Position in the batch.
        index: usize,
        /// `gamma_abc_g1.len() − 1`.
        expected: usize,
        /// Supplied.
        found: usize,
    },
    /// The combined equation does not hold: at least one proof is invalid ([`check_batch`]
    /// does not say which).
    #[error("the batch does not verify: at least one proof is invalid")]
    Failed,
    /// These entries (positions in the batch, ascending) do not verify; every other does.
    #[error("batch entries {bad:?} do not verify")]
    Invalid {
        /// Positions of the invalid proofs.
        bad: Vec<usize>,
    },
}

/// A Groth16 verifying key prepared once for many verifications: ark's
/// [`PreparedVerifyingKey`] (`e(α, β)`, `−γ` and `−δ` prepared) plus `β` prepared for the
/// batch equation.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pvk: PreparedVerifyingKey<Bn254>,
    beta_g2: <Bn254 as Pairing>::G2Prepared,
    sha256: [u8; 32],
}

impl PreparedKey {
    /// Prepares `vk`. The key must be validated already (decoded by [`decode_verifying_key`],
    /// or made by the setup in this process).
    #[must_use]
    pub fn new(vk: &VerifyingKey<Bn254>) -> Self {
        Self {
            pvk: prepare_verifying_key(vk),
            beta_g2: vk.beta_g2.into(),
            sha256: corridor_params::encoding::verifying_key_sha256(vk),
        }
    }

    /// SHA-256 of the key's canonical bytes: the hash genesis pins (`vk_hash`).
    #[must_use]
    pub fn sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// Decodes (with corridor-params' strict decoder, [`decode_verifying_key`]) and prepares
    /// a verifying key.
    ///
    /// # Errors
    /// As [`decode_verifying_key`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Groth16DecodeError> {
        Ok(Self::new(&decode_verifying_key(bytes)?))
    }

    /// Prepares a verifying key loaded by corridor-params (decoded with validation already).
    #[must_use]
    pub fn from_key(vk: &corridor_params::VerifyingKey) -> Self {
        Self::new(&vk.0)
    }

    /// The verifying key.
    #[must_use]
    pub fn verifying_key(&self) -> &VerifyingKey<Bn254> {
        &self.pvk.vk
    }

    /// The number of public inputs the key was made for, `gamma_abc_g1.len() − 1`.
    #[must_use]
    pub fn num_public_inputs(&self) -> usize {
        self.pvk.vk.gamma_abc_g1.len().saturating_sub(1)
    }

    /// `Ok` iff `inputs.len() + 1 == gamma_abc_g1.len()`.
    fn check_input_count(&self, found: usize) -> Result<(), Groth16VerifyError> {
        if found.checked_add(1) == Some(self.pvk.vk.gamma_abc_g1.len()) {
            Ok(())
        } else {
            Err(Groth16VerifyError::InputCount {
                expected: self.num_public_inputs(),
                found,
            })
        }
    }
}

/// `IC = γ_abc_0 + Σ_j x_j·γ_abc_j` (the input count is checked by the caller).
fn input_commitment(key: &PreparedKey, inputs: &[Fr]) -> G1Projective {
    let bases = &key.pvk.vk.gamma_abc_g1;
    match bases.split_first() {
        Some((first, rest)) => G1Projective::msm_unchecked(rest, inputs) + first,
        None => G1Projective::zero(),
    }
}

/// Verifies one proof against caller-supplied public inputs: checks the input count, then
/// `e(A, B)·e(IC, −γ)·e(C, −δ) = e(α, β)` (one multi-Miller loop, one final exponentiation).
///
/// `proof` must have been decoded with validation ([`decode_proof`]).
///
/// # Errors
/// [`Groth16VerifyError::InputCount`] if `public_inputs.len() + 1 != gamma_abc_g1.len()`;
/// [`Groth16VerifyError::Rejected`] if the equation does not hold.
pub fn verify(
    key: &PreparedKey,
    proof: &Proof<Bn254>,
    public_inputs: &[Fr],
) -> Result<(), Groth16VerifyError> {
    key.check_input_count(public_inputs.len())?;
    let ic = input_commitment(key, public_inputs).into_affine();
    let miller = Bn254::multi_miller_loop(
        [proof.a, ic, proof.c],
        [
            proof.b.into(),
            key.pvk.gamma_g2_neg_pc.clone(),
            key.pvk.delta_g2_neg_pc.clone(),
        ],
    );
    match Bn254::final_exponentiation(miller) {
        Some(out) if out.0 == key.pvk.alpha_g1_beta_g2 => Ok(()),
        _ => Err(Groth16VerifyError::Rejected),
    }
}

/// One entry of a batch: a proof and the public inputs the caller (never the proof bytes)
/// supplies for it.
#[derive(Clone, Copy, Debug)]
pub struct BatchEntry<'a> {
    /// The proof, decoded with validation.
    pub proof: &'a Proof<Bn254>,
    /// Its public inputs, from the caller.
    pub public_inputs: &'a [Fr],
}

impl<'a> BatchEntry<'a> {
    /// An entry.
    #[must_use]
    pub fn new(proof: &'a Proof<Bn254>, public_inputs: &'a [Fr]) -> Self {
        Self {
            proof,
            public_inputs,
        }
    }
}

/// A proof's weight in a batch: `w = w0 + λ·w1 mod r` for `(w0, w1)` uniform 64-bit integers,
/// not both zero, `λ` the eigenvalue of BN254's G1 endomorphism `φ(x, y) = (β·x, y) = [λ]·`.
///
/// Why it is as good as a uniform 128-bit weight: distinct pairs give distinct weights modulo
/// `r` (two pairs with the same weight would make `(w0 − w0', w1 − w1')`, both entries below
/// 2^64, a non-zero vector of the lattice `{(a, b) : a + λb ≡ 0 mod r}`, whose reduced basis
/// has entries of 2^126.8 — checked in the tests), so the weight is uniform over 2^128 − 1
/// non-zero values and a batch with a bad proof passes for at most one of them. Why it is
/// used: `w·A = [w0]A + [w1]φ(A)` is a joint double-and-add over 64 bits, less than half of
/// a 128-bit multiplication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ProofWeight {
    w0: u64,
    w1: u64,
}

impl ProofWeight {
    /// Draws a weight from `rng` (a CSPRNG drawn after the proofs are fixed).
    pub fn draw<R: RngCore + CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let w = nonzero_u128(rng);
        Self {
            w0: w as u64,
            w1: (w >> 64) as u64,
        }
    }

    /// `w0 + λ·w1` as a scalar.
    pub fn scalar(&self) -> Fr {
        Fr::from(self.w0) + <G1Config as GLVConfig>::LAMBDA * Fr::from(self.w1)
    }

    /// `w·a`, as `[w0]a + [w1]φ(a)` by one joint double-and-add.
    pub fn times(&self, a: &G1Affine) -> G1Projective {
        if a.is_zero() {
            return G1Projective::zero();
        }
        let beta = <G1Config as GLVConfig>::ENDO_COEFFS[0];
        let phi = G1Affine::new_unchecked(a.x * beta, a.y);
        let both = (*a + phi).into_affine();
        let mut acc = G1Projective::zero();
        for bit in (0..64).rev() {
            acc.double_in_place();
            match ((self.w0 >> bit) & 1, (self.w1 >> bit) & 1) {
                (1, 0) => acc += a,
                (0, 1) => acc += phi,
                (1, 1) => acc += both,
                _ => {}
            }
        }
        acc
    }
}

fn check_counts(key: &PreparedKey, entries: &[BatchEntry<'_>]) -> Result<(), Groth16BatchError> {
    for (index, entry) in entries.iter().enumerate() {
        if let Err(Groth16VerifyError::InputCount { expected, found }) =
            key.check_input_count(entry.public_inputs.len())
        {
            return Err(Groth16BatchError::InputCount {
                index,
                expected,
                found,
            });
        }
    }
    Ok(())
}

impl PreparedKey {
    /// Checks that `found` public inputs fit the key, as [`verify`] does first.
    ///
    /// # Errors
    /// [`Groth16VerifyError::InputCount`].
    pub fn input_count_fits(&self, found: usize) -> Result<(), Groth16VerifyError> {
        self.check_input_count(found)
    }
}

/// `B` of a proof prepared for the Miller loop (its line coefficients): independent of the
/// batch's weights, so a caller may compute it once, when it decodes the proof.
pub type PreparedB = <Bn254 as Pairing>::G2Prepared;

/// Prepares `B` of `proof` for the Miller loop.
#[must_use]
pub fn prepare_b(proof: &Proof<Bn254>) -> PreparedB {
    proof.b.into()
}

/// One proof of a weighted pairing check: the proof, its `B` prepared where the caller has
/// it, and its public inputs (counts already checked against the key).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PairingTerm<'a> {
    pub proof: &'a Proof<Bn254>,
    pub b: Option<&'a PreparedB>,
    pub inputs: &'a [Fr],
}

/// The combined equation of the module doc over `terms` with the given weights (one per term,
/// drawn by the caller from a CSPRNG after the proofs were fixed): the small MSMs, the
/// weighted `A`s and the Miller loops spread over `threads`, one final exponentiation.
pub(crate) fn weighted_holds(
    key: &PreparedKey,
    terms: &[PairingTerm<'_>],
    weights: &[ProofWeight],
    threads: &Threads,
) -> bool {
    if terms.is_empty() {
        return true;
    }
    if terms.len() != weights.len() {
        return false;
    }
    let vk = &key.pvk.vk;
    // Per chunk of proofs, one chunk per thread: the weighted input sums, Σ w_i·C_i, and the
    // w_i·A_i (the weights' endomorphism form, `ProofWeight::times`).
    let chunks = threads.count().max(1);
    let size = terms.len().div_ceil(chunks).max(1);
    let ranges: Vec<(usize, usize)> = (0..terms.len())
        .step_by(size)
        .map(|start| (start, (start + size).min(terms.len())))
        .collect();
    let parts = threads.map(&ranges, |&(lo, hi)| {
        let scalars: Vec<Fr> = weights[lo..hi].iter().map(ProofWeight::scalar).collect();
        let mut input_scalars = vec![Fr::zero(); vk.gamma_abc_g1.len()];
        for (term, w) in terms[lo..hi].iter().zip(&scalars) {
            input_scalars[0] += w;
            for (scalar, x) in input_scalars[1..].iter_mut().zip(term.inputs) {
                *scalar += *w * x;
            }
        }
        let cs: Vec<G1Affine> = terms[lo..hi].iter().map(|t| t.proof.c).collect();
        let c = G1Projective::msm_unchecked(&cs, &scalars);
        let a: Vec<G1Projective> = terms[lo..hi]
            .iter()
            .zip(&weights[lo..hi])
            .map(|(t, w)| w.times(&t.proof.a))
            .collect();
        (input_scalars, c, a)
    });
    // Σ w_i·IC_i = (Σ w_i)·γ_abc_0 + Σ_j (Σ_i w_i·x_ij)·γ_abc_j: one MSM over γ_abc.
    let mut input_scalars = vec![Fr::zero(); vk.gamma_abc_g1.len()];
    let mut c = G1Projective::zero();
    let mut g1: Vec<G1Projective> = Vec::with_capacity(terms.len() + 3);
    for (inputs, part_c, a) in parts {
        for (sum, x) in input_scalars.iter_mut().zip(&inputs) {
            *sum += x;
        }
        c += part_c;
        g1.extend(a);
    }
    let weight_sum = input_scalars[0];
    let ic = G1Projective::msm_unchecked(&vk.gamma_abc_g1, &input_scalars);
    g1.push(-(vk.alpha_g1 * weight_sum));
    g1.push(ic);
    g1.push(c);
    let g1 = G1Projective::normalize_batch(&g1);
    let fixed = [
        &key.beta_g2,
        &key.pvk.gamma_g2_neg_pc,
        &key.pvk.delta_g2_neg_pc,
    ];
    let computed: Vec<Option<PreparedB>> = threads.map(terms, |t| match t.b {
        Some(_) => None,
        None => Some(prepare_b(t.proof)),
    });
    let g2: Vec<&PreparedB> = terms
        .iter()
        .zip(&computed)
        .filter_map(|(t, c)| t.b.or(c.as_ref()))
        .chain(fixed)
        .collect();
    if g2.len() != g1.len() {
        return false;
    }

    // Miller loops of contiguous chunks of pairs, one chunk per thread, multiplied together.
    let pairs = g1.len();
    let chunks = threads.count().max(1);
    let size = pairs.div_ceil(chunks).max(1);
    let ranges: Vec<(usize, usize)> = (0..pairs)
        .step_by(size)
        .map(|start| (start, (start + size).min(pairs)))
        .collect();
    let partial = threads.map(&ranges, |&(start, end)| {
        miller_loop(&g1[start..end], &g2[start..end])
    });
    let mut product = Fq12::one();
    for f in partial {
        match f {
            Some(f) => product *= f,
            None => return false,
        }
    }
    Bn254::final_exponentiation(MillerLoopOutput(product)).is_some_and(|out| out.0.is_one())
}

/// `f ← f·ℓ(P)`: one line of the Miller loop evaluated at `P` (ark's `Bn::ell`, D-type twist).
fn ell(f: &mut Fq12, coeffs: &EllCoeff<ark_bn254::Config>, p: &G1Affine) {
    let (mut c0, mut c1, c2) = *coeffs;
    c0.mul_assign_by_fp(&p.y);
    c1.mul_assign_by_fp(&p.x);
    f.mul_by_034(&c0, &c1, &c2);
}

/// The product of the Miller loops of the pairs `(a_i, b_i)` (pairs with an identity skipped,
/// as ark-ec skips them), with ONE accumulator: the squarings are shared by every pair, where
/// ark-ec's `multi_miller_loop` squares once per four pairs. `None` if a prepared `B` holds
/// fewer line coefficients than the loop needs (never, for a key or proof prepared here).
fn miller_loop(a: &[G1Affine], b: &[&PreparedB]) -> Option<Fq12> {
    let loop_count = <ark_bn254::Config as BnConfig>::ATE_LOOP_COUNT;
    let mut pairs: Vec<(&G1Affine, std::slice::Iter<'_, EllCoeff<ark_bn254::Config>>)> = a
        .iter()
        .zip(b)
        .filter(|(p, q)| !p.is_zero() && !q.infinity)
        .map(|(p, q)| (p, q.ell_coeffs.iter()))
        .collect();
    let mut f = Fq12::one();
    let mut step = |f: &mut Fq12| -> Option<()> {
        for (p, coeffs) in pairs.iter_mut() {
            ell(f, coeffs.next()?, p);
        }
        Some(())
    };
    for i in (1..loop_count.len()).rev() {
        if i != loop_count.len() - 1 {
            f.square_in_place();
        }
        step(&mut f)?;
        let bit = loop_count[i - 1];
        if bit == 1 || bit == -1 {
            step(&mut f)?;
        }
    }
    if <ark_bn254::Config as BnConfig>::X_IS_NEGATIVE {
        f.cyclotomic_inverse_in_place();
    }
    step(&mut f)?;
    step(&mut f)?;
    Some(f)
}

/// The combined equation over `entries` with fresh weights (counts already checked).
fn batch_holds<R: RngCore + CryptoRng + ?Sized>(
    key: &PreparedKey,
    entries: &[BatchEntry<'_>],
    rng: &mut R,
) -> bool {
    let weights: Vec<ProofWeight> = entries.iter().map(|_| ProofWeight::draw(rng)).collect();
    let terms: Vec<PairingTerm<'_>> = entries
        .iter()
        .map(|e| PairingTerm {
            proof: e.proof,
            b: None,
            inputs: e.public_inputs,
        })
        .collect();
    weighted_holds(key, &terms, &weights, &Threads::current())
}

/// Checks a whole batch with one combined equation (see the module doc) and says only whether
/// every proof is valid: the cheap path for a block that must verify whole (a failed batch
/// rejects the proposal). Weights are drawn from `rng`, which must be a CSPRNG the proofs'
/// authors cannot predict, after the batch is fixed.
///
/// # Errors
/// [`Groth16BatchError::InputCount`] naming the first entry with a wrong input count (checked
/// before anything else); [`Groth16BatchError::Failed`] if the equation does not hold.
pub fn check_batch<R: RngCore + CryptoRng + ?Sized>(
    key: &PreparedKey,
    entries: &[BatchEntry<'_>],
    rng: &mut R,
) -> Result<(), Groth16BatchError> {
    check_counts(key, entries)?;
    if batch_holds(key, entries, rng) {
        Ok(())
    } else {
        Err(Groth16BatchError::Failed)
    }
}

/// The Groth16 batch as a [`BatchCheck`], for [`crate::bisect`].
struct Groth16Batch<'k> {
    key: &'k PreparedKey,
}

impl<'a> BatchCheck for Groth16Batch<'a> {
    type Item = BatchEntry<'a>;
    type Error = Groth16VerifyError;

    fn holds<R: RngCore + CryptoRng + ?Sized>(
        &self,
        items: &[BatchEntry<'a>],
        rng: &mut R,
    ) -> bool {
        batch_holds(self.key, items, rng)
    }

    fn single(&self, item: &BatchEntry<'a>) -> Result<(), Groth16VerifyError> {
        verify(self.key, item.proof, item.public_inputs)
    }
}

/// Verifies a batch like [`check_batch`] and, if it fails, names every invalid entry by
/// bisection ([`crate::bisect`]): each half is re-checked with fresh weights, and single
/// entries are verified with [`verify`], unbatched.
///
/// # Errors
/// [`Groth16BatchError::InputCount`] as [`check_batch`]; [`Groth16BatchError::Invalid`] with
/// the positions of exactly the entries that fail [`verify`].
pub fn verify_batch<R: RngCore + CryptoRng + ?Sized>(
    key: &PreparedKey,
    entries: &[BatchEntry<'_>],
    rng: &mut R,
) -> Result<(), Groth16BatchError> {
    check_counts(key, entries)?;
    let batch = Groth16Batch { key };
    if batch.holds(entries, rng) {
        return Ok(());
    }
    let bad: Vec<usize> = bisect(&batch, entries, true, rng)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    if bad.is_empty() {
        // Unreachable (a batch of valid proofs always holds); kept so that a failed batch is
        // never reported as a success.
        Err(Groth16BatchError::Failed)
    } else {
        Err(Groth16BatchError::Invalid { bad })
    }
}
