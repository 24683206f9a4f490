//! Disclosure documents (DESIGN.md §3.5): the receipt a wallet hands a verifier (a regulator, a
//! bank) proving one note's value, as a small JSON document:
//!
//! ```json
//! {"network":"corridor-demo","note_id":"<64 hex>","kind":"recipient","value":100037,
//!  "nonce":"<64 hex>","proof":"<192 hex>"}
//! ```
//!
//! `nonce` is chosen by the verifier (so a receipt cannot be replayed to another), `proof` is
//! the sigma proof's canonical bytes: its commitments then its responses, 32 bytes each
//! ([`encode_proof`]; a disclosure's proof has 2 and 1). The recipient proves with its view key
//! (∃ `t`: `H = t·P ∧ C − v·G = t·D`), the sender with the amount's opening it kept
//! (∃ `r`: `C − v·G = r·H ∧ D = r·P`); [`DisclosureDocument::verify`] checks either against the
//! note as the ledger holds it.
use super::AuditError;
use corridor_core::disclosure::{Disclosure, DisclosureKind};
use corridor_core::elgamal::AmountOpening;
use corridor_core::keys::ViewKey;
use corridor_core::keys::WalletKeys;
use corridor_core::note::Note;
use corridor_core::proto;
use corridor_core::sigma::SigmaProof;
use corridor_core::state::PublicState;
use corridor_core::tx::NoteId;
use corridor_core::DecodeError;
use corridor_prover::disclosure::{prove_recipient, prove_sender};
use corridor_prover::service::{node_api, NodeClient, RemoteState};
use corridor_prover::OwnedNote;
use corridor_verifier::disclosure::verify_disclosure;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use tokio::runtime::Handle;

/// Who made a disclosure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisclosureSide {
    /// The note's owner, with its view key.
    Recipient,
    /// The payer, with the opening it kept.
    Sender,
}

impl From<DisclosureSide> for DisclosureKind {
    fn from(side: DisclosureSide) -> Self {
        match side {
            DisclosureSide::Recipient => DisclosureKind::Recipient,
            DisclosureSide::Sender => DisclosureKind::Sender,
        }
    }
}

impl From<DisclosureKind> for DisclosureSide {
    fn from(kind: DisclosureKind) -> Self {
        match kind {
            DisclosureKind::Recipient => DisclosureSide::Recipient,
            DisclosureKind::Sender => DisclosureSide::Sender,
        }
    }
}

/// A disclosure as a document: hex in JSON, decoded and checked by [`Self::verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureDocument {
    /// The network the note is on.
    pub network: String,
    /// The note, hex of its id.
    pub note_id: String,
    /// Who disclosed.
    pub kind: DisclosureSide,
    /// The disclosed value, minor units.
    pub value: u64,
    /// The verifier's nonce, 64 hex digits.
    pub nonce: String,
    /// The proof, hex of [`encode_proof`].
    pub proof: String,
}

/// The canonical bytes of a sigma proof: its commitments, then its responses, 32 bytes each.
pub fn encode_proof(proof: &SigmaProof) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 * (proof.commitments.len() + proof.responses.len()));
    for c in &proof.commitments {
        out.extend_from_slice(c.as_bytes());
    }
    for r in &proof.responses {
        out.extend_from_slice(r.as_bytes());
    }
    out
}

/// Decodes [`encode_proof`]'s bytes for a proof of `shape` (commitments, responses): the length
/// first, then each point (canonical) and scalar (canonical), by field path under `field`.
pub fn decode_proof(
    bytes: &[u8],
    field: &str,
    shape: (usize, usize),
) -> Result<SigmaProof, DecodeError> {
    let (nc, nr) = shape;
    if bytes.len() != 32 * (nc + nr) {
        return Err(DecodeError::Length {
            field: field.to_string(),
            expected: 32 * (nc + nr),
            got: bytes.len(),
        });
    }
    let mut words = bytes.chunks_exact(32).map(<[u8]>::to_vec);
    let msg = proto::SigmaProof {
        commitments: words.by_ref().take(nc).collect(),
        responses: words.collect(),
    };
    SigmaProof::decode(&msg, field, shape)
}

/// Decodes 64 hex digits.
fn hex32(s: &str, field: &str) -> Result<[u8; 32], DecodeError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out)
        .map_err(|_| DecodeError::invalid(field, "expected 64 hex digits"))?;
    Ok(out)
}

impl DisclosureDocument {
    fn from_disclosure(network: &str, note: &Note, d: &Disclosure) -> Self {
        Self {
            network: network.to_string(),
            note_id: note.id.to_string(),
            kind: d.kind.into(),
            value: d.value,
            nonce: hex::encode(d.nonce),
            proof: hex::encode(encode_proof(&d.proof)),
        }
    }

    /// The owner of `note` (holding `view`) discloses `value` to the verifier who chose `nonce`.
    ///
    /// # Errors
    /// [`AuditError::DisclosureProve`]. A false `value` still gives a document (that does not
    /// verify): the prover does not check the claim.
    pub fn create_recipient<R: RngCore + CryptoRng>(
        network: &str,
        note: &Note,
        view: &ViewKey,
        value: u64,
        nonce: [u8; 32],
        rng: &mut R,
    ) -> Result<Self, AuditError> {
        let d = prove_recipient(network, note, view, value, nonce, rng).map_err(|source| {
            AuditError::DisclosureProve {
                note_id: note.id,
                source,
            }
        })?;
        Ok(Self::from_disclosure(network, note, &d))
    }

    /// The payer of `note` discloses its value with the `opening` it kept (value and chunk
    /// blindings) to the verifier who chose `nonce`.
    ///
    /// # Errors
    /// [`AuditError::DisclosureProve`].
    pub fn create_sender<R: RngCore + CryptoRng>(
        network: &str,
        note: &Note,
        opening: &AmountOpening,
        nonce: [u8; 32],
        rng: &mut R,
    ) -> Result<Self, AuditError> {
        let d = prove_sender(network, note, opening, nonce, rng).map_err(|source| {
            AuditError::DisclosureProve {
                note_id: note.id,
                source,
            }
        })?;
        Ok(Self::from_disclosure(network, note, &d))
    }

    /// The note id the document names.
    ///
    /// # Errors
    /// [`AuditError::DisclosureDecode`] when it is not 64 hex digits.
    pub fn note_id(&self) -> Result<NoteId, AuditError> {
        hex32(&self.note_id, "disclosure.note_id")
            .map(NoteId)
            .map_err(AuditError::DisclosureDecode)
    }

    /// The decoded disclosure (for [`Self::verify`] and callers that check it themselves).
    ///
    /// # Errors
    /// [`AuditError::DisclosureDecode`] naming the field.
    pub fn disclosure(&self) -> Result<Disclosure, AuditError> {
        let nonce = hex32(&self.nonce, "disclosure.nonce").map_err(AuditError::DisclosureDecode)?;
        let bytes = hex::decode(&self.proof).map_err(|_| {
            AuditError::DisclosureDecode(DecodeError::invalid("disclosure.proof", "not hex"))
        })?;
        let proof = decode_proof(
            &bytes,
            "disclosure.proof",
            corridor_core::tx::shape::DISCLOSURE,
        )
        .map_err(AuditError::DisclosureDecode)?;
        Ok(Disclosure {
            kind: self.kind.into(),
            value: self.value,
            nonce,
            proof,
        })
    }

    /// Verifies the document against `note` as the ledger holds it, on the document's network:
    /// the note must be the one it names, and the proof must prove `value` for this nonce.
    ///
    /// # Errors
    /// [`AuditError::DisclosureNote`] for another note, [`AuditError::DisclosureDecode`] for
    /// malformed fields, [`AuditError::DisclosureProof`] naming the equation that fails (a
    /// changed value, nonce, note or network fails the proof).
    pub fn verify(&self, note: &Note) -> Result<(), AuditError> {
        let document = self.note_id()?;
        if document != note.id {
            return Err(AuditError::DisclosureNote {
                document,
                note: note.id,
            });
        }
        let d = self.disclosure()?;
        verify_disclosure(&self.network, note, &d, &d.nonce).map_err(|source| {
            AuditError::DisclosureProof {
                note_id: note.id,
                value: d.value,
                source,
            }
        })
    }

    /// [`Self::verify`] for a verifier on `network`: a document made for another network is
    /// refused first.
    ///
    /// # Errors
    /// [`AuditError::DisclosureNetwork`], then those of [`Self::verify`].
    pub fn verify_on(&self, network: &str, note: &Note) -> Result<(), AuditError> {
        if self.network != network {
            return Err(AuditError::DisclosureNetwork {
                document: self.network.clone(),
                network: network.to_string(),
            });
        }
        self.verify(note)
    }
}

/// The wallet holding `keys` discloses note `note_id`, fetched from the node behind `client`,
/// with its true value (decrypted with the wallet's view key) to the verifier who chose `nonce`,
/// on the node's network. Blocks the calling thread on `handle` (see [`super::scan`]).
///
/// # Errors
/// [`AuditError::Rpc`] / [`AuditError::Note`] when the node fails, [`AuditError::NoteNotFound`],
/// [`AuditError::NotOwner`] for a note of another address, [`AuditError::NoteUndecryptable`].
pub fn disclose_owned_note<R: RngCore + CryptoRng>(
    client: &NodeClient,
    handle: &Handle,
    keys: &WalletKeys,
    note_id: NoteId,
    nonce: [u8; 32],
    rng: &mut R,
) -> Result<DisclosureDocument, AuditError> {
    let mut c = client.clone();
    let network = handle
        .block_on(c.status(node_api::StatusRequest {}))
        .map_err(AuditError::rpc("Status"))?
        .into_inner()
        .network;
    let remote = RemoteState::new(client.clone(), handle.clone());
    let note = remote
        .note(&note_id)
        .map_err(|source| AuditError::Note { note_id, source })?
        .ok_or(AuditError::NoteNotFound { note_id })?;
    if note.owner != keys.address() {
        return Err(AuditError::NotOwner {
            note_id,
            owner: note.owner.encode(),
        });
    }
    let value = OwnedNote::decrypt(note.clone(), &keys.view)
        .map_err(|_| AuditError::NoteUndecryptable { note_id })?
        .value;
    DisclosureDocument::create_recipient(&network, &note, &keys.view, value, nonce, rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::scalar::Scalar;

    #[test]
    fn proof_bytes_round_trip_and_bad_bytes_are_refused() {
        let p = corridor_core::group::Point::new(corridor_core::group::g());
        let proof = SigmaProof {
            commitments: vec![p, corridor_core::group::Point::identity()],
            responses: vec![Scalar::from(7u64)],
        };
        let bytes = encode_proof(&proof);
        assert_eq!(bytes.len(), 96);
        assert_eq!(decode_proof(&bytes, "p", (2, 1)).unwrap(), proof);
        assert!(matches!(
            decode_proof(&bytes[..64], "p", (2, 1)),
            Err(DecodeError::Length {
                expected: 96,
                got: 64,
                ..
            })
        ));
        let mut bad = bytes.clone();
        bad[64..].copy_from_slice(&[0xff; 32]); // a non-canonical scalar
        assert!(decode_proof(&bad, "p", (2, 1)).is_err());
    }
}
