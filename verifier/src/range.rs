//! Verification of the aggregated range proof over the list the verifier built
//! ([`corridor_core::range::RangeStatement`]), padded with identities to `m`; the length is
//! checked against `m` before the bytes are parsed.
//!
//! This is our own verifier of bulletproofs 5's proofs (the crate stays for proving): it reads
//! the crate's proof bytes, replays its exact transcript and reproduces its checks, so that it
//! accepts and rejects exactly what the crate's `verify_multiple` does, and hands out the
//! proof's two verification equations as weighted terms for a block-wide multiscalar
//! multiplication ([`crate::batch`]) instead of checking them with a hidden random combination.
//!
//! # What is checked, and where (`n = 32`, `N = n·m`, `lg N` rounds)
//! - Parsing ([`prepare_range`]), as `RangeProof::from_bytes`: the length is exactly
//!   `(9 + 2·lg N)·32` for the statement's `m` (`m` is not in the bytes: `(32, 2)` and `(64, 1)`
//!   proofs have the same length); `t_x`, `t_x_blinding`, `e_blinding`, `a`, `b` canonical
//!   (else [`ProofError::RangeFormat`] with the crate's message).
//! - The transcript, as the crate: `"rangeproof v1"` with `n`, `m`; the padded `V`s; `A`, `S` →
//!   `y`, `z`; `T_1`, `T_2` → `x`; `t_x`, `t_x_blinding`, `e_blinding` → `w`; `"ipp v1"` with
//!   `N`; `L_k`, `R_k` → `u_k`. `A`, `S`, `T_1`, `T_2`, `L_k`, `R_k` whose encoding is all zeros
//!   (the identity) are refused, as is any that does not decompress ([`ProofError::Range`]).
//! - The inner-product check (weight `ω₁`), with `s_i = Π_k u_k^{±1}` (sign by bit `k` of `i`)
//!   and `j = ⌊i/n⌋`, `k = i mod n`:
//!   `A + x·S + Σ u_k²·L_k + Σ u_k⁻²·R_k − e_blinding·H + w·(t_x − a·b)·G
//!    + Σ_i (−z − a·s_i)·G_i + Σ_i (z + y⁻ⁱ·(z^{2+j}·2^k − b·s_{N−1−i}))·H_i = 0`.
//! - The polynomial check (weight `ω₂`):
//!   `Σ_j z^{2+j}·V_j + x·T_1 + x²·T_2 − t_x_blinding·H + (δ(y, z) − t_x)·G = 0`,
//!   `δ(y, z) = (z − z²)·Σ_{i<N} yⁱ − z³·(2^n − 1)·Σ_{j<m} z^j`.
//!
//! The crate checks `check₁ + c·check₂ = 0` for one random `c`; with independent weights the
//! two checks fold into a block's MSM like any other equation. Padding `V`s are identities and
//! drop out.
use crate::error::ProofError;
use crate::field::Fe;
use crate::msm::Terms;
use crate::parallel::Threads;
use corridor_core::domain::proof as sep;
use corridor_core::group::{Point, CHUNK_BITS, MAX_RANGE_PARTIES};
use corridor_core::range::RangeStatement;
use corridor_core::transcript::TranscriptProtocol;
use corridor_core::tx::{range_proof_len, RangeProofBytes};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;

/// bulletproofs' message for malformed proof bytes, so that errors stay what the crate's
/// parser gave.
fn format_error() -> ProofError {
    ProofError::RangeFormat(bulletproofs::ProofError::FormatError.to_string())
}

/// A range proof parsed, its transcript replayed and its points decompressed: its two checks,
/// ready to be weighted.
#[derive(Clone)]
pub struct PreparedRange {
    /// Parties (the padded length of the list).
    m: usize,
    /// The listed commitments, unpadded.
    v: Vec<Point>,
    a_commit: RistrettoPoint,
    s_commit: RistrettoPoint,
    t_1: RistrettoPoint,
    t_2: RistrettoPoint,
    l_vec: Vec<RistrettoPoint>,
    r_vec: Vec<RistrettoPoint>,
    t_x: Fe,
    t_x_blinding: Fe,
    e_blinding: Fe,
    a: Fe,
    b: Fe,
    x: Fe,
    y_inv: Fe,
    z: Fe,
    w: Fe,
    /// `Σ_{i<N} yⁱ` (for δ).
    sum_y: Fe,
    u_sq: Vec<Fe>,
    u_inv_sq: Vec<Fe>,
    /// `Π_k u_k⁻¹` = `s_0`.
    s_0: Fe,
}

impl std::fmt::Debug for PreparedRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PreparedRange(m = {}, {} values)", self.m, self.v.len())
    }
}

/// The 32 bytes at element `i` of the proof.
fn element(bytes: &[u8], i: usize) -> Option<[u8; 32]> {
    bytes.get(32 * i..32 * (i + 1))?.try_into().ok()
}

fn canonical_scalar(bytes: &[u8], i: usize) -> Result<Scalar, ProofError> {
    let b = element(bytes, i).ok_or_else(format_error)?;
    Option::from(Scalar::from_canonical_bytes(b)).ok_or_else(format_error)
}

/// The crate's `validate_and_append_point`, then the decompression its final multiplication
/// would do: an all-zero encoding or one that does not decompress is [`ProofError::Range`].
fn transcript_point(
    t: &mut Transcript,
    label: &'static [u8],
    bytes: [u8; 32],
) -> Result<RistrettoPoint, ProofError> {
    if bytes == [0u8; 32] {
        return Err(ProofError::Range);
    }
    t.append_message(label, &bytes);
    CompressedRistretto(bytes)
        .decompress()
        .ok_or(ProofError::Range)
}

/// `Σ_{i<count} xⁱ`, for `count` a power of two in `lg count` steps (bulletproofs'
/// `sum_of_powers`): `S_{2k} = S_k + x^k·S_k`.
fn sum_of_powers(x: Fe, count: usize) -> Fe {
    if count <= 1 || !count.is_power_of_two() {
        let mut sum = Fe::ZERO;
        let mut power = Fe::ONE;
        for _ in 0..count {
            sum += power;
            power *= x;
        }
        return sum;
    }
    let mut sum = Fe::ONE + x;
    let mut power = x;
    let mut k = 2;
    while k < count {
        power *= power;
        sum += power * sum;
        k *= 2;
    }
    sum
}

/// Parses and replays a proof of `statement` as sub-proof `index` of `transcript`, leaving the
/// transcript where the crate's verifier would. `Ok(None)` when nothing is range-proven and no
/// proof travels.
///
/// # Errors
/// [`ProofError::RangeLength`] before anything is parsed; [`ProofError::RangeFormat`] for
/// non-canonical scalars; [`ProofError::Range`] for identity or undecodable points.
pub fn prepare_range(
    statement: &RangeStatement,
    proof: &RangeProofBytes,
    index: usize,
    transcript: &mut Transcript,
) -> Result<Option<PreparedRange>, ProofError> {
    if statement.is_empty() {
        return if proof.0.is_empty() {
            Ok(None)
        } else {
            Err(ProofError::RangeLength {
                m: 0,
                expected: 0,
                found: proof.0.len(),
            })
        };
    }
    let m = statement.parties();
    let expected = range_proof_len(m);
    if proof.0.len() != expected {
        return Err(ProofError::RangeLength {
            m,
            expected,
            found: proof.0.len(),
        });
    }
    transcript.start_proof(sep::RANGE, index as u64);
    replay(&statement.commitments, m, &proof.0, transcript).map(Some)
}

/// The crate's `verify_multiple` up to its final multiplication, on the unpadded
/// `commitments` padded to `m` parties (`n = 32`).
fn replay(
    commitments: &[Point],
    m: usize,
    bytes: &[u8],
    t: &mut Transcript,
) -> Result<PreparedRange, ProofError> {
    // `RangeProof::from_bytes` (the caller checked the exact length).
    if bytes.len() % 32 != 0 || bytes.len() < 9 * 32 {
        return Err(format_error());
    }
    let lg_n = (bytes.len() / 32 - 9) / 2;
    let t_x = canonical_scalar(bytes, 4)?;
    let t_x_blinding = canonical_scalar(bytes, 5)?;
    let e_blinding = canonical_scalar(bytes, 6)?;
    let a = canonical_scalar(bytes, 7 + 2 * lg_n)?;
    let b = canonical_scalar(bytes, 8 + 2 * lg_n)?;
    let point_bytes = |i: usize| element(bytes, i).ok_or_else(format_error);

    // `verify_multiple`'s checks of its parameters.
    let n = CHUNK_BITS;
    if m == 0 || m > MAX_RANGE_PARTIES || commitments.len() > m || n * m != 1 << lg_n {
        return Err(ProofError::Range);
    }
    t.append_message(b"dom-sep", b"rangeproof v1");
    t.append_u64(b"n", n as u64);
    t.append_u64(b"m", m as u64);
    let identity = [0u8; 32];
    for i in 0..m {
        t.append_message(b"V", commitments.get(i).map_or(&identity, |v| v.as_bytes()));
    }
    let a_commit = transcript_point(t, b"A", point_bytes(0)?)?;
    let s_commit = transcript_point(t, b"S", point_bytes(1)?)?;
    let y = t.challenge_scalar(b"y");
    let z = t.challenge_scalar(b"z");
    let t_1 = transcript_point(t, b"T_1", point_bytes(2)?)?;
    let t_2 = transcript_point(t, b"T_2", point_bytes(3)?)?;
    let x = t.challenge_scalar(b"x");
    t.append_scalar(b"t_x", &t_x);
    t.append_scalar(b"t_x_blinding", &t_x_blinding);
    t.append_scalar(b"e_blinding", &e_blinding);
    let w = t.challenge_scalar(b"w");

    // The inner-product proof's `verification_scalars`.
    t.append_message(b"dom-sep", b"ipp v1");
    t.append_u64(b"n", (n * m) as u64);
    let mut l_vec = Vec::with_capacity(lg_n);
    let mut r_vec = Vec::with_capacity(lg_n);
    let mut u = Vec::with_capacity(lg_n);
    for k in 0..lg_n {
        l_vec.push(transcript_point(t, b"L", point_bytes(7 + 2 * k)?)?);
        r_vec.push(transcript_point(t, b"R", point_bytes(8 + 2 * k)?)?);
        u.push(t.challenge_scalar(b"u"));
    }
    // A zero challenge has probability 2^-252; refusing it keeps the inversions total.
    if y == Scalar::ZERO || u.contains(&Scalar::ZERO) {
        return Err(ProofError::Range);
    }
    let mut u_inv = u.clone();
    let s_0 = Scalar::batch_invert(&mut u_inv);
    let fe = |s: &Scalar| Fe::from_scalar(s);
    let square = |s: &Scalar| {
        let f = fe(s);
        f * f
    };
    Ok(PreparedRange {
        m,
        v: commitments.to_vec(),
        a_commit,
        s_commit,
        t_1,
        t_2,
        l_vec,
        r_vec,
        t_x: fe(&t_x),
        t_x_blinding: fe(&t_x_blinding),
        e_blinding: fe(&e_blinding),
        a: fe(&a),
        b: fe(&b),
        x: fe(&x),
        y_inv: fe(&y.invert()),
        z: fe(&z),
        w: fe(&w),
        sum_y: sum_of_powers(fe(&y), n * m),
        u_sq: u.iter().map(square).collect(),
        u_inv_sq: u_inv.iter().map(square).collect(),
        s_0: fe(&s_0),
    })
}

impl PreparedRange {
    /// The number of generator pairs the proof uses, `N = 32·m`.
    pub fn generators(&self) -> usize {
        CHUNK_BITS * self.m
    }

    /// Adds `ω₁·check₁` (the inner-product check, module doc) to `terms`.
    pub(crate) fn add_inner_product_check(&self, w1: Fe, terms: &mut Terms) {
        let n = CHUNK_BITS;
        let big_n = self.generators();
        let lg_n = self.u_sq.len();
        terms.add_unique(w1, self.a_commit);
        terms.add_unique(w1 * self.x, self.s_commit);
        for k in 0..lg_n {
            terms.add_unique(w1 * self.u_sq[k], self.l_vec[k]);
            terms.add_unique(w1 * self.u_inv_sq[k], self.r_vec[k]);
        }
        terms.add_h(-(w1 * self.e_blinding));
        terms.add_g(w1 * self.w * (self.t_x - self.a * self.b));

        // s_i by recurrence, scaled by ω₁·a and ω₁·b: s_i = s_{i−2^⌊lg i⌋}·u²_{lg N − 1 − ⌊lg i⌋}.
        let mut sa = Vec::with_capacity(big_n);
        let mut sb = Vec::with_capacity(big_n);
        sa.push(w1 * self.a * self.s_0);
        sb.push(w1 * self.b * self.s_0);
        for i in 1..big_n {
            let lg_i = (usize::BITS - 1 - i.leading_zeros()) as usize;
            let k = 1 << lg_i;
            let u = self.u_sq[lg_n - 1 - lg_i];
            sa.push(sa[i - k] * u);
            sb.push(sb[i - k] * u);
        }
        let w1z = w1 * self.z;
        let (g_coeffs, h_coeffs) = terms.generators_mut(big_n);
        for (c, s) in g_coeffs.iter_mut().zip(&sa) {
            *c -= w1z + *s;
        }
        let mut y_inv_pow = Fe::ONE;
        let mut z_party = w1z * self.z;
        for j in 0..self.m {
            let mut z_two = z_party;
            for k in 0..n {
                let i = j * n + k;
                h_coeffs[i] += w1z + y_inv_pow * (z_two - sb[big_n - 1 - i]);
                z_two = z_two.double();
                y_inv_pow *= self.y_inv;
            }
            z_party *= self.z;
        }
    }

    /// Adds `ω₂·check₂` (the polynomial check, module doc) to `terms`.
    pub(crate) fn add_polynomial_check(&self, w2: Fe, terms: &mut Terms) {
        let z = self.z;
        let zz = z * z;
        let two_n_minus_1 = Fe::from_u128(u128::from(u32::MAX));
        let delta = (z - zz) * self.sum_y - zz * z * two_n_minus_1 * sum_of_powers(z, self.m);
        let w2x = w2 * self.x;
        terms.add_unique(w2x, self.t_1);
        terms.add_unique(w2x * self.x, self.t_2);
        terms.add_h(-(w2 * self.t_x_blinding));
        terms.add_g(w2 * (delta - self.t_x));
        let mut coefficient = w2 * zz;
        for v in &self.v {
            terms.add_point(coefficient, v);
            coefficient *= z;
        }
    }

    /// Both checks, each on its own (weight 1): what a single verification does.
    pub(crate) fn check_alone(&self, threads: &Threads) -> Result<(), ProofError> {
        let mut inner = Terms::default();
        self.add_inner_product_check(Fe::ONE, &mut inner);
        let mut polynomial = Terms::default();
        self.add_polynomial_check(Fe::ONE, &mut polynomial);
        if inner.is_identity(threads) && polynomial.is_identity(threads) {
            Ok(())
        } else {
            Err(ProofError::Range)
        }
    }
}

/// Verifies the range proof as sub-proof `index` of `transcript`, on its own.
///
/// # Errors
/// As [`prepare_range`]; [`ProofError::Range`] if either check fails.
pub fn verify_range(
    statement: &RangeStatement,
    proof: &RangeProofBytes,
    index: usize,
    transcript: &mut Transcript,
) -> Result<(), ProofError> {
    match prepare_range(statement, proof, index, transcript)? {
        None => Ok(()),
        Some(prepared) => prepared.check_alone(&Threads::current()),
    }
}

/// Verifies a proof of bulletproofs' `verify_multiple` shape (`n = 32`, the `m` padded
/// commitments given) on a transcript as the crate takes it: for the agreement tests and the
/// benches.
///
/// # Errors
/// [`ProofError::RangeLength`] if the bytes do not have the length of an `m`-party proof, else
/// as [`verify_range`].
pub fn verify_bulletproof(
    commitments: &[CompressedRistretto],
    proof: &[u8],
    transcript: &mut Transcript,
) -> Result<(), ProofError> {
    let m = commitments.len();
    let expected = range_proof_len(m.max(1));
    if !m.is_power_of_two() || proof.len() != expected {
        return Err(ProofError::RangeLength {
            m,
            expected,
            found: proof.len(),
        });
    }
    let points = commitments
        .iter()
        .map(|c| c.decompress().map(Point::new).ok_or(ProofError::Range))
        .collect::<Result<Vec<_>, _>>()?;
    replay(&points, m, proof, transcript)?.check_alone(&Threads::current())
}

#[cfg(test)]
mod tests;
