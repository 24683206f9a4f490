//! Confidential amounts: chunked twisted ElGamal with hints (DESIGN.md §3.3).
//!
//! An amount `v < 2^64` is split `v = v0 + 2^32·v1` with `v0, v1 < 2^32`. For each chunk `k`, with
//! a fresh blinding `r_k`:
//!
//! - the commitment `C_k = v_k·G + r_k·H` (a bulletproofs commitment), and
//! - one handle `D_k^j = r_k·P_j` per decryptor `j`: the owner (`j = 0`), then each auditor of the
//!   asset in genesis order. `P_j = s_j·H` is the decryptor's view key.
//!
//! The amount's commitment is `C = C_0 + 2^32·C_1` and decryptor `j`'s handle is
//! `D^j = D_0^j + 2^32·D_1^j`; both are computed, never sent.
//!
//! Decryption: `C_k − s_j⁻¹·D_k^j = v_k·G`, then a baby-step giant-step discrete log bounded by
//! 2^32 ([`discrete_log`]). Hints make it fast: per amount an ephemeral `E = e·H` (`e` independent
//! of every `r_k`) and per decryptor a ChaCha20-Poly1305 box of `(v0, v1, r0, r1)` under
//! `HKDF-SHA512(e·P_j ‖ E ‖ P_j ‖ output index ‖ j)`, nonce 0, with AAD
//! `(asset, C_0, C_1, D_0^j, D_1^j)`. The decryptor computes `e·P_j = s_j·E`, checks both
//! `C_k = v_k·G + r_k·H` and `D_k^j = r_k·P_j`, and falls back to the discrete log when the hint
//! is absent, does not open, or lies. Nothing depends on hints: the chunk range proofs make every
//! handle decryptable.
//!
//! Why nonce 0 is safe: the key hashes `e·P_j` with `E`, `P_j`, the output index and `j`; `e` is
//! fresh per amount, so no key ever seals two messages.
use crate::domain;
use crate::error::{DecodeError, Error};
use crate::group::{chunk_scale, g, h, times_chunk_scale, Point, CHUNK_BITS};
use crate::keys::ViewKey;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;
use hkdf::Hkdf;
use rand_core::{CryptoRng, RngCore};
use sha2::Sha512;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Chunks per amount.
pub const CHUNKS: usize = 2;
/// Plaintext of a hint box: `v0` (u32 LE, 4 bytes) ‖ `v1` (4) ‖ `r0` (32) ‖ `r1` (32) = 72 bytes.
pub const HINT_PLAINTEXT_LEN: usize = 72;
/// A hint box: the ciphertext of the plaintext, then the 16-byte Poly1305 tag.
pub const HINT_LEN: usize = HINT_PLAINTEXT_LEN + TAG_LEN;

/// Length of a Poly1305 tag.
const TAG_LEN: usize = 16;
/// Baby steps of the discrete log: the table holds `i·G` for `i < 2^16`.
const BABY_STEPS: u32 = 1 << 16;
/// Giant steps of the discrete log: `2^16` steps of `2^16·G` cover `[0, 2^32)`.
const GIANT_STEPS: u32 = 1 << 16;

/// One 32-bit chunk: `C_k = v_k·G + r_k·H` and the handles `D_k^j = r_k·P_j` (`j = 0` the owner,
/// then each auditor in genesis order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkCiphertext {
    /// `C_k`.
    pub commitment: Point,
    /// `D_k^j`, one per decryptor.
    pub handles: Vec<Point>,
}

/// A confidential amount: two chunks, the hint ephemeral `E = e·H`, and the hints: either empty
/// (no hints at all) or exactly one entry per decryptor, `None` meaning no hint for that
/// decryptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedAmount {
    /// The chunks, low first.
    pub chunks: [ChunkCiphertext; CHUNKS],
    /// `E = e·H`.
    pub ephemeral: Point,
    /// One hint box per decryptor, or none at all.
    pub hints: Vec<Option<[u8; HINT_LEN]>>,
}

/// What the encryptor knows: the value and the per-chunk blindings. Zeroised on drop; its
/// `Debug` prints nothing.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct AmountOpening {
    /// `v`.
    pub value: u64,
    /// `[r0, r1]`.
    pub blindings: [Scalar; CHUNKS],
}

impl AmountOpening {
    /// `[v0, v1] = [v mod 2^32, v >> 32]`.
    pub fn chunk_values(&self) -> [u64; CHUNKS] {
        split(self.value)
    }

    /// `r0 + 2^32·r1`, the blinding of `C = C_0 + 2^32·C_1`.
    pub fn combined_blinding(&self) -> Scalar {
        self.blindings[0] + chunk_scale() * self.blindings[1]
    }
}

impl fmt::Debug for AmountOpening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AmountOpening(<redacted>)")
    }
}

/// How a decryptor recovered the amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecryptionPath {
    /// A hint that opened and satisfied both chunk equations.
    Hint,
    /// The bounded discrete log (no hint, or a wrong one).
    DiscreteLog,
}

/// A decrypted amount.
#[derive(Clone)]
pub struct Decrypted {
    /// `v`.
    pub value: u64,
    /// How it was found.
    pub path: DecryptionPath,
    /// The blindings, when a valid hint gave them.
    pub opening: Option<AmountOpening>,
}

impl fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decrypted")
            .field("value", &self.value)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The context bound into every hint key and AAD.
#[derive(Clone, Copy, Debug)]
pub struct HintContext<'a> {
    /// The asset code.
    pub asset: &'a str,
    /// The index of the output in its transaction.
    pub output_index: u32,
}

/// Encrypts `value` to `decryptors` (the owner first, then the auditors; none the identity) with
/// fresh chunk blindings and an independent hint ephemeral, writing a hint for every decryptor.
pub fn encrypt<R: RngCore + CryptoRng>(
    value: u64,
    decryptors: &[Point],
    ctx: HintContext<'_>,
    rng: &mut R,
) -> Result<(EncryptedAmount, AmountOpening), Error> {
    let opening = AmountOpening {
        value,
        blindings: [Scalar::random(rng), Scalar::random(rng)],
    };
    let amount = encrypt_chunks(
        opening.chunk_values(),
        opening.blindings,
        decryptors,
        ctx,
        rng,
    )?;
    Ok((amount, opening))
}

/// Encrypts the chunk values `[v0, v1]` with the caller's blindings: `C_k = v_k·G + r_k·H` with
/// `v_k` taken as `Scalar::from(u64)`. A chunk value may be `≥ 2^32` (tests of malicious
/// provers build such chunks); since a hint holds `u32` chunks, such an amount gets no hints
/// (`None` for every decryptor) and no decryptor can decrypt it.
pub fn encrypt_chunks<R: RngCore + CryptoRng>(
    chunk_values: [u64; CHUNKS],
    blindings: [Scalar; CHUNKS],
    decryptors: &[Point],
    ctx: HintContext<'_>,
    rng: &mut R,
) -> Result<EncryptedAmount, Error> {
    if decryptors.is_empty() {
        return Err(Error::Invalid(
            "an amount needs at least one decryptor (its owner)".into(),
        ));
    }
    if let Some(j) = decryptors.iter().position(Point::is_identity) {
        return Err(Error::Key(format!("decryptor {j}: the identity")));
    }
    let chunks = [0, 1].map(|k| ChunkCiphertext {
        commitment: Point::new(Scalar::from(chunk_values[k]) * g() + blindings[k] * h()),
        handles: decryptors
            .iter()
            .map(|p| Point::new(blindings[k] * p.point()))
            .collect(),
    });
    let mut e = nonzero_scalar(rng);
    let ephemeral = Point::new(e * h());
    let hint_values = match (
        u32::try_from(chunk_values[0]),
        u32::try_from(chunk_values[1]),
    ) {
        (Ok(v0), Ok(v1)) => Some([v0, v1]),
        _ => None,
    };
    let mut hints = Vec::with_capacity(decryptors.len());
    for (j, p) in decryptors.iter().enumerate() {
        // No hint at all is the empty list (one encoding of "no hints"; see `Output` decoding).
        let Some(values) = hint_values else {
            break;
        };
        let mut shared = e * p.point();
        let key = hint_key(&shared, &ephemeral, p, ctx.output_index, j);
        shared.zeroize();
        let key = key?;
        let mut plaintext = Zeroizing::new(hint_plaintext(values, &blindings));
        let aad = hint_aad(ctx.asset, &chunks, j)?;
        let tag = seal_in_place(&key, &aad, plaintext.as_mut_slice())?;
        let mut sealed = [0u8; HINT_LEN];
        sealed[..HINT_PLAINTEXT_LEN].copy_from_slice(plaintext.as_slice());
        sealed[HINT_PLAINTEXT_LEN..].copy_from_slice(&tag);
        hints.push(Some(sealed));
    }
    e.zeroize();
    Ok(EncryptedAmount {
        chunks,
        ephemeral,
        hints,
    })
}

impl EncryptedAmount {
    /// The number of decryptors: handles per chunk (that of the low chunk).
    pub fn decryptors(&self) -> usize {
        self.chunks[0].handles.len()
    }

    /// `C = C_0 + 2^32·C_1`.
    pub fn commitment(&self) -> RistrettoPoint {
        self.chunks[0].commitment.point() + times_chunk_scale(self.chunks[1].commitment.point())
    }

    /// `D^j = D_0^j + 2^32·D_1^j`, or `None` when a chunk has no handle `j`.
    pub fn handle(&self, j: usize) -> Option<RistrettoPoint> {
        let [d0, d1] = self.chunk_handles(j)?;
        Some(d0.point() + times_chunk_scale(d1.point()))
    }

    /// The owner's handle `D = D^0`.
    pub fn owner_handle(&self) -> Option<RistrettoPoint> {
        self.handle(0)
    }

    /// Decryptor `j`, holding `view`, decrypts: first the hint (checking `C_k = v_k·G + r_k·H`
    /// and `D_k^j = r_k·P_j` for both chunks), else `v_k·G = C_k − s⁻¹·D_k^j` and the bounded
    /// discrete log of each chunk. A chunk whose discrete log is not below 2^32 (a wrong key, or
    /// a chunk out of range) is an [`Error::Decryption`] naming the chunk.
    pub fn decrypt(
        &self,
        j: usize,
        view: &ViewKey,
        ctx: HintContext<'_>,
    ) -> Result<Decrypted, Error> {
        let handles = self.chunk_handles(j).ok_or_else(|| {
            Error::Decryption(format!(
                "decryptor {j}: the amount has handles for {} decryptors",
                self.decryptors()
            ))
        })?;
        if let Some(opening) = self.open_hint(j, view, ctx, &handles) {
            return Ok(Decrypted {
                value: opening.value,
                path: DecryptionPath::Hint,
                opening: Some(opening),
            });
        }
        let s_inv = Zeroizing::new(view.inverse());
        let mut chunk_values = [0u64; CHUNKS];
        for (k, (chunk, handle)) in self.chunks.iter().zip(handles.iter()).enumerate() {
            let m = chunk.commitment.point() - *s_inv * handle.point();
            let v = discrete_log(&m).ok_or_else(|| {
                Error::Decryption(format!(
                    "decryptor {j}, chunk {k}: no discrete log below 2^{CHUNK_BITS} \
                     (wrong view key, or a chunk out of range)"
                ))
            })?;
            chunk_values[k] = u64::from(v);
        }
        Ok(Decrypted {
            value: chunk_values[0] | (chunk_values[1] << CHUNK_BITS),
            path: DecryptionPath::DiscreteLog,
            opening: None,
        })
    }

    /// `[D_0^j, D_1^j]`.
    fn chunk_handles(&self, j: usize) -> Option<[Point; CHUNKS]> {
        Some([
            *self.chunks[0].handles.get(j)?,
            *self.chunks[1].handles.get(j)?,
        ])
    }

    /// Opens and checks decryptor `j`'s hint; `None` when it is absent, does not open, or lies.
    fn open_hint(
        &self,
        j: usize,
        view: &ViewKey,
        ctx: HintContext<'_>,
        handles: &[Point; CHUNKS],
    ) -> Option<AmountOpening> {
        let sealed = self.hints.get(j)?.as_ref()?;
        if self.ephemeral.is_identity() {
            return None;
        }
        let p = view.public();
        let mut shared = view.secret() * self.ephemeral.point();
        let key = hint_key(&shared, &self.ephemeral, &p, ctx.output_index, j);
        shared.zeroize();
        let key = key.ok()?;
        let aad = hint_aad(ctx.asset, &self.chunks, j).ok()?;
        let mut plaintext = Zeroizing::new([0u8; HINT_PLAINTEXT_LEN]);
        plaintext.copy_from_slice(&sealed[..HINT_PLAINTEXT_LEN]);
        open_in_place(
            &key,
            &aad,
            plaintext.as_mut_slice(),
            &sealed[HINT_PLAINTEXT_LEN..],
        )
        .ok()?;
        let opening = parse_hint_plaintext(&plaintext)?;
        let chunk_values = opening.chunk_values();
        let mut ok = subtle::Choice::from(1u8);
        for k in 0..CHUNKS {
            let r = opening.blindings[k];
            let c = Scalar::from(chunk_values[k]) * g() + r * h();
            ok &= c.compress().ct_eq(&self.chunks[k].commitment.compressed());
            ok &= (r * p.point()).compress().ct_eq(&handles[k].compressed());
        }
        bool::from(ok).then_some(opening)
    }
}

/// Baby-step giant-step discrete log of `point = v·G` for `v < 2^32`: a table of the 2^16 baby
/// steps `i·G` (built once, keyed by compressed bytes), then at most 2^16 giant steps of
/// `2^16·G`. `None` when no `v < 2^32` matches. Variable time: use it on values the caller may
/// learn.
///
/// Both sides are compressed in batches with [`RistrettoPoint::double_and_compress_batch`], which
/// shares one field inversion across a batch instead of one inverse square root per point; it
/// encodes `2·P` rather than `P`, and since doubling is a bijection of the prime-order group,
/// `2·Y = 2·(i·G)` exactly when `Y = i·G`, so keying both sides by the doubled encoding loses
/// nothing.
pub fn discrete_log(point: &RistrettoPoint) -> Option<u32> {
    let table = BabySteps::get();
    let mut y = *point;
    let mut batch = Vec::with_capacity(GIANT_BATCH as usize);
    for first in (0..GIANT_STEPS).step_by(GIANT_BATCH as usize) {
        batch.clear();
        for _ in 0..GIANT_BATCH {
            batch.push(y);
            y -= table.giant;
        }
        let encodings = RistrettoPoint::double_and_compress_batch(&batch);
        for (giant, encoding) in (first..).zip(encodings.iter()) {
            if let Some(&baby) = table.steps.get(encoding.as_bytes()) {
                return Some(giant * BABY_STEPS + u32::from(baby));
            }
        }
    }
    None
}

/// Giant steps compressed together.
const GIANT_BATCH: u32 = 256;

/// The baby-step table and the giant step.
struct BabySteps {
    /// `compress(2·i·G) → i` for `i < 2^16` (see [`discrete_log`] for the doubling).
    steps: HashMap<[u8; 32], u16>,
    /// `2^16·G`.
    giant: RistrettoPoint,
}

impl BabySteps {
    fn get() -> &'static BabySteps {
        static TABLE: OnceLock<BabySteps> = OnceLock::new();
        TABLE.get_or_init(|| {
            let base = g();
            let mut points = Vec::with_capacity(BABY_STEPS as usize);
            let mut p = RistrettoPoint::identity();
            for _ in 0..BABY_STEPS {
                points.push(p);
                p += base;
            }
            // After the loop p = 2^16·G.
            let steps = RistrettoPoint::double_and_compress_batch(&points)
                .into_iter()
                .zip(0..=u16::MAX)
                .map(|(encoding, i)| (encoding.to_bytes(), i))
                .collect();
            BabySteps { steps, giant: p }
        })
    }
}

/// `[v mod 2^32, v >> 32]`.
fn split(value: u64) -> [u64; CHUNKS] {
    [value & 0xffff_ffff, value >> CHUNK_BITS]
}

/// A uniformly random non-zero scalar.
fn nonzero_scalar<R: RngCore + CryptoRng>(rng: &mut R) -> Scalar {
    loop {
        let s = Scalar::random(rng);
        if s != Scalar::ZERO {
            return s;
        }
    }
}

/// `v0 ‖ v1 ‖ r0 ‖ r1`.
fn hint_plaintext(values: [u32; CHUNKS], blindings: &[Scalar; CHUNKS]) -> [u8; HINT_PLAINTEXT_LEN] {
    let mut out = [0u8; HINT_PLAINTEXT_LEN];
    out[0..4].copy_from_slice(&values[0].to_le_bytes());
    out[4..8].copy_from_slice(&values[1].to_le_bytes());
    out[8..40].copy_from_slice(blindings[0].as_bytes());
    out[40..72].copy_from_slice(blindings[1].as_bytes());
    out
}

/// Parses `v0 ‖ v1 ‖ r0 ‖ r1`; `None` when a scalar is not canonical.
fn parse_hint_plaintext(plaintext: &[u8; HINT_PLAINTEXT_LEN]) -> Option<AmountOpening> {
    let mut word = [0u8; 4];
    word.copy_from_slice(&plaintext[0..4]);
    let v0 = u32::from_le_bytes(word);
    word.copy_from_slice(&plaintext[4..8]);
    let v1 = u32::from_le_bytes(word);
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes.copy_from_slice(&plaintext[8..40]);
    let r0: Option<Scalar> = Scalar::from_canonical_bytes(*bytes).into();
    bytes.copy_from_slice(&plaintext[40..72]);
    let r1: Option<Scalar> = Scalar::from_canonical_bytes(*bytes).into();
    Some(AmountOpening {
        value: u64::from(v0) | (u64::from(v1) << CHUNK_BITS),
        blindings: [r0?, r1?],
    })
}

/// The key of decryptor `j`'s hint: `HKDF-SHA512(e·P_j ‖ E ‖ P_j ‖ output index ‖ j, HINT_BOX)`.
fn hint_key(
    shared: &RistrettoPoint,
    ephemeral: &Point,
    p: &Point,
    output_index: u32,
    j: usize,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let j = u32::try_from(j).map_err(|_| Error::Invalid(format!("decryptor index {j}")))?;
    let mut ikm = Zeroizing::new([0u8; 104]);
    ikm[0..32].copy_from_slice(shared.compress().as_bytes());
    ikm[32..64].copy_from_slice(ephemeral.as_bytes());
    ikm[64..96].copy_from_slice(p.as_bytes());
    ikm[96..100].copy_from_slice(&output_index.to_le_bytes());
    ikm[100..104].copy_from_slice(&j.to_le_bytes());
    box_key(ikm.as_slice(), domain::HINT_BOX)
}

/// The AAD of decryptor `j`'s hint: length-prefixed `(asset, C_0, C_1, D_0^j, D_1^j)`.
fn hint_aad(asset: &str, chunks: &[ChunkCiphertext; CHUNKS], j: usize) -> Result<Vec<u8>, Error> {
    let missing = || Error::Invalid(format!("decryptor {j}: a chunk lacks its handle"));
    let parts: [&[u8]; 5] = [
        asset.as_bytes(),
        chunks[0].commitment.as_bytes(),
        chunks[1].commitment.as_bytes(),
        chunks[0].handles.get(j).ok_or_else(missing)?.as_bytes(),
        chunks[1].handles.get(j).ok_or_else(missing)?.as_bytes(),
    ];
    let mut aad = Vec::with_capacity(parts.iter().map(|p| 8 + p.len()).sum());
    for part in parts {
        aad.extend_from_slice(&(part.len() as u64).to_le_bytes());
        aad.extend_from_slice(part);
    }
    Ok(aad)
}

/// A 32-byte ChaCha20-Poly1305 key: `HKDF-SHA512(ikm)` expanded under `info` (a
/// [`crate::domain`] label). Shared by the hint boxes and the instruction box.
pub(crate) fn box_key(ikm: &[u8], info: &[u8]) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha512>::new(None, ikm)
        .expand(info, key.as_mut_slice())
        .map_err(|e| Error::Key(format!("HKDF: {e}")))?;
    Ok(key)
}

/// Seals `buffer` in place under `key` with nonce 0 (each key seals one message) and returns the
/// tag.
pub(crate) fn seal_in_place(
    key: &[u8; 32],
    aad: &[u8],
    buffer: &mut [u8],
) -> Result<[u8; TAG_LEN], Error> {
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    let tag = cipher
        .encrypt_in_place_detached(&Nonce::default(), aad, buffer)
        .map_err(|_| Error::Invalid("ChaCha20-Poly1305: message too long".into()))?;
    Ok(tag.into())
}

/// Opens `buffer` in place under `key` with nonce 0, checking `tag`. On failure `buffer` is left
/// as it was given (ciphertext).
pub(crate) fn open_in_place(
    key: &[u8; 32],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8],
) -> Result<(), Error> {
    if tag.len() != TAG_LEN {
        return Err(DecodeError::Length {
            field: "tag".into(),
            expected: TAG_LEN,
            got: tag.len(),
        }
        .into());
    }
    let cipher = ChaCha20Poly1305::new(Key::from_slice(key));
    cipher
        .decrypt_in_place_detached(&Nonce::default(), aad, buffer, Tag::from_slice(tag))
        .map_err(|_| Error::Decryption("authentication failed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{RngCore, SeedableRng};

    const CTX: HintContext<'static> = HintContext {
        asset: "USDC",
        output_index: 3,
    };

    /// The owner and `auditors` auditors.
    fn keys(rng: &mut ChaCha20Rng, auditors: usize) -> (Vec<ViewKey>, Vec<Point>) {
        let views: Vec<ViewKey> = (0..=auditors).map(|_| ViewKey::random(rng)).collect();
        let publics = views.iter().map(ViewKey::public).collect();
        (views, publics)
    }

    fn strip_hints(amount: &EncryptedAmount) -> EncryptedAmount {
        EncryptedAmount {
            hints: Vec::new(),
            ..amount.clone()
        }
    }

    /// Re-boxes `plaintext` as decryptor `j`'s hint under the right key, so that the AEAD opens.
    fn rebox(
        amount: &mut EncryptedAmount,
        j: usize,
        view: &ViewKey,
        plaintext: [u8; HINT_PLAINTEXT_LEN],
    ) {
        let shared = view.secret() * amount.ephemeral.point();
        let key = hint_key(
            &shared,
            &amount.ephemeral,
            &view.public(),
            CTX.output_index,
            j,
        )
        .unwrap();
        let aad = hint_aad(CTX.asset, &amount.chunks, j).unwrap();
        let mut buf = plaintext;
        let tag = seal_in_place(&key, &aad, &mut buf).unwrap();
        let mut sealed = [0u8; HINT_LEN];
        sealed[..HINT_PLAINTEXT_LEN].copy_from_slice(&buf);
        sealed[HINT_PLAINTEXT_LEN..].copy_from_slice(&tag);
        amount.hints[j] = Some(sealed);
    }

    fn assert_hint_decrypts(amount: &EncryptedAmount, opening: &AmountOpening, views: &[ViewKey]) {
        for (j, view) in views.iter().enumerate() {
            let d = amount.decrypt(j, view, CTX).unwrap();
            assert_eq!(d.value, opening.value, "decryptor {j}");
            assert_eq!(d.path, DecryptionPath::Hint, "decryptor {j}");
            let o = d.opening.unwrap();
            assert_eq!(o.blindings, opening.blindings, "decryptor {j}");
        }
    }

    fn assert_dlog_decrypts(amount: &EncryptedAmount, value: u64, j: usize, view: &ViewKey) {
        let d = amount.decrypt(j, view, CTX).unwrap();
        assert_eq!(d.value, value, "decryptor {j}");
        assert_eq!(d.path, DecryptionPath::DiscreteLog, "decryptor {j}");
        assert!(d.opening.is_none());
    }

    #[test]
    fn discrete_log_bounds() {
        assert_eq!(discrete_log(&RistrettoPoint::identity()), Some(0));
        // Around the baby-step table's edge, around a batch of giant steps, and the top.
        for v in [
            1u32,
            0xffff,
            0x1_0000,
            0x1_0001,
            0x00ff_ffff,
            0x0100_0000,
            0xdead_beef,
            u32::MAX,
        ] {
            assert_eq!(discrete_log(&(Scalar::from(v) * g())), Some(v), "{v}");
        }
        assert_eq!(discrete_log(&(Scalar::from(1u64 << 32) * g())), None);
        assert_eq!(discrete_log(&(-g())), None);
        assert_eq!(discrete_log(&h()), None);
    }

    #[test]
    fn edge_amounts_decrypt_for_every_decryptor_by_hint_and_discrete_log() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (views, publics) = keys(&mut rng, 3);
        for value in [0, 1, (1 << 32) - 1, 1 << 32, u64::MAX] {
            let (amount, opening) = encrypt(value, &publics, CTX, &mut rng).unwrap();
            assert_eq!(amount.decryptors(), 4);
            assert_eq!(amount.hints.len(), 4);
            assert_eq!(opening.value, value);
            assert_hint_decrypts(&amount, &opening, &views);
            let stripped = strip_hints(&amount);
            for (j, view) in views.iter().enumerate() {
                assert_dlog_decrypts(&stripped, value, j, view);
            }
        }
    }

    #[test]
    fn random_amounts_decrypt_by_hint_and_discrete_log() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let (views, publics) = keys(&mut rng, 2);
        for i in 0..20 {
            let value = rng.next_u64();
            let (amount, opening) = encrypt(value, &publics, CTX, &mut rng).unwrap();
            assert_hint_decrypts(&amount, &opening, &views);
            // Full discrete logs cost up to 2·2^16 giant steps: one decryptor per amount, in turn.
            let j = i % views.len();
            assert_dlog_decrypts(&strip_hints(&amount), value, j, &views[j]);
        }
    }

    #[test]
    fn commitment_and_handles_combine_the_chunks() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let (views, publics) = keys(&mut rng, 2);
        let value = 0x0123_4567_89ab_cdef;
        let (amount, opening) = encrypt(value, &publics, CTX, &mut rng).unwrap();
        assert_eq!(opening.chunk_values(), [0x89ab_cdef, 0x0123_4567]);
        let r = opening.combined_blinding();
        assert_eq!(amount.commitment(), Scalar::from(value) * g() + r * h());
        for (j, view) in views.iter().enumerate() {
            assert_eq!(amount.handle(j), Some(r * view.public().point()));
            // The twisted ElGamal equation on the combined amount.
            assert_eq!(
                amount.commitment() - view.inverse() * amount.handle(j).unwrap(),
                Scalar::from(value) * g()
            );
        }
        assert_eq!(amount.owner_handle(), amount.handle(0));
        assert_eq!(amount.handle(3), None);
    }

    #[test]
    fn lying_hints_fall_back_to_the_discrete_log() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let (views, publics) = keys(&mut rng, 2);
        let value = 0x0000_0002_0000_0005;
        let (amount, opening) = encrypt(value, &publics, CTX, &mut rng).unwrap();
        let [v0, v1] = opening.chunk_values().map(|v| u32::try_from(v).unwrap());
        let [r0, r1] = opening.blindings;
        let other = Scalar::random(&mut rng);
        let lies: Vec<(&str, [u8; HINT_PLAINTEXT_LEN])> = vec![
            ("wrong low chunk", hint_plaintext([v0 + 1, v1], &[r0, r1])),
            ("wrong high chunk", hint_plaintext([v0, v1 + 1], &[r0, r1])),
            ("wrong blinding", hint_plaintext([v0, v1], &[other, r1])),
            ("swapped blindings", hint_plaintext([v0, v1], &[r1, r0])),
            ("non-canonical blinding", {
                let mut p = hint_plaintext([v0, v1], &[r0, r1]);
                p[40..72].copy_from_slice(&[0xff; 32]);
                p
            }),
        ];
        for (what, plaintext) in lies {
            for (j, view) in views.iter().enumerate() {
                let mut lying = amount.clone();
                rebox(&mut lying, j, view, plaintext);
                let d = lying.decrypt(j, view, CTX).unwrap();
                assert_eq!(d.value, value, "{what}, decryptor {j}");
                assert_eq!(d.path, DecryptionPath::DiscreteLog, "{what}, decryptor {j}");
            }
        }
        // Garbage that does not open, and a hint moved to another decryptor's slot.
        for (j, view) in views.iter().enumerate() {
            let mut garbage = amount.clone();
            let mut bytes = [0u8; HINT_LEN];
            rng.fill_bytes(&mut bytes);
            garbage.hints[j] = Some(bytes);
            assert_dlog_decrypts(&garbage, value, j, view);

            let mut moved = amount.clone();
            moved.hints[j] = amount.hints[(j + 1) % views.len()];
            assert_dlog_decrypts(&moved, value, j, view);

            let mut flipped = amount.clone();
            if let Some(h) = flipped.hints[j].as_mut() {
                h[HINT_LEN - 1] ^= 1;
            }
            assert_dlog_decrypts(&flipped, value, j, view);
        }
        // Another asset or output index changes the key or the AAD: the hint does not open.
        let d = amount
            .decrypt(
                0,
                &views[0],
                HintContext {
                    asset: "EURC",
                    ..CTX
                },
            )
            .unwrap();
        assert_eq!((d.value, d.path), (value, DecryptionPath::DiscreteLog));
        let d = amount
            .decrypt(
                0,
                &views[0],
                HintContext {
                    output_index: 4,
                    ..CTX
                },
            )
            .unwrap();
        assert_eq!((d.value, d.path), (value, DecryptionPath::DiscreteLog));
    }

    #[test]
    fn wrong_view_key_never_gets_the_value_by_hint() {
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let (views, publics) = keys(&mut rng, 2);
        let stranger = ViewKey::random(&mut rng);
        let value = 77;
        let (amount, _) = encrypt(value, &publics, CTX, &mut rng).unwrap();
        // A stranger, and the auditor 1 claiming the owner's slot.
        for (j, view) in [(0, &stranger), (2, &stranger), (0, &views[1])] {
            match amount.decrypt(j, view, CTX) {
                Err(Error::Decryption(msg)) => assert!(msg.contains("chunk 0"), "{msg}"),
                Err(e) => panic!("unexpected error {e}"),
                Ok(d) => {
                    assert_ne!(d.value, value);
                    assert_ne!(d.path, DecryptionPath::Hint);
                }
            }
        }
        assert!(matches!(
            amount.decrypt(3, &views[0], CTX),
            Err(Error::Decryption(_))
        ));
    }

    #[test]
    fn out_of_range_chunks_do_not_decrypt() {
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        let (views, publics) = keys(&mut rng, 1);
        for (chunk_values, bad) in [([1u64 << 32, 0], 0), ([5, 1 << 32], 1)] {
            let blindings = [Scalar::random(&mut rng), Scalar::random(&mut rng)];
            let amount = encrypt_chunks(chunk_values, blindings, &publics, CTX, &mut rng).unwrap();
            assert!(amount.hints.is_empty(), "no hints for out-of-range chunks");
            match amount.decrypt(0, &views[0], CTX) {
                Err(Error::Decryption(msg)) => {
                    assert!(msg.contains(&format!("chunk {bad}")), "{msg}")
                }
                other => panic!("expected a decryption error, got {other:?}"),
            }
        }
    }

    #[test]
    fn encrypt_chunks_matches_encrypt() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let (views, publics) = keys(&mut rng, 1);
        let blindings = [Scalar::random(&mut rng), Scalar::random(&mut rng)];
        let amount = encrypt_chunks([9, 4], blindings, &publics, CTX, &mut rng).unwrap();
        assert_eq!(
            amount.chunks[1].commitment.point(),
            Scalar::from(4u64) * g() + blindings[1] * h()
        );
        assert_eq!(
            amount.chunks[0].handles[1].point(),
            blindings[0] * publics[1].point()
        );
        let d = amount.decrypt(1, &views[1], CTX).unwrap();
        assert_eq!((d.value, d.path), ((4 << 32) | 9, DecryptionPath::Hint));
    }

    #[test]
    fn rejects_identity_and_missing_decryptors() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        let (_, mut publics) = keys(&mut rng, 1);
        assert!(matches!(
            encrypt(1, &[], CTX, &mut rng),
            Err(Error::Invalid(_))
        ));
        publics.push(Point::identity());
        assert!(matches!(
            encrypt(1, &publics, CTX, &mut rng),
            Err(Error::Key(msg)) if msg.contains("decryptor 2")
        ));
    }

    #[test]
    fn debug_prints_no_secret() {
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        let (views, publics) = keys(&mut rng, 0);
        let value = 0x4242_4242_4242;
        let (amount, opening) = encrypt(value, &publics, CTX, &mut rng).unwrap();
        let secret = hex::encode(opening.blindings[0].as_bytes());
        assert_eq!(format!("{opening:?}"), "AmountOpening(<redacted>)");
        let d = amount.decrypt(0, &views[0], CTX).unwrap();
        let dbg = format!("{d:?}");
        assert!(
            dbg.contains(&value.to_string()) && dbg.contains("Hint"),
            "{dbg}"
        );
        assert!(!dbg.contains(&secret), "{dbg}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn any_amount_roundtrips(value in any::<u64>(), seed in any::<u64>()) {
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            let (views, publics) = keys(&mut rng, 1);
            let (amount, opening) = encrypt(value, &publics, CTX, &mut rng).unwrap();
            for (j, view) in views.iter().enumerate() {
                let d = amount.decrypt(j, view, CTX).unwrap();
                prop_assert_eq!((d.value, d.path), (value, DecryptionPath::Hint));
            }
            let d = strip_hints(&amount).decrypt(1, &views[1], CTX).unwrap();
            prop_assert_eq!((d.value, d.path), (value, DecryptionPath::DiscreteLog));
            prop_assert_eq!(amount.commitment(),
                Scalar::from(value) * g() + opening.combined_blinding() * h());
        }
    }
}
