//! The prover service's messages to the library's types and back: the one validation boundary
//! of a request. A field that does not decode is a [`FieldError`] naming it by path
//! (`payments[1].to_address`), which the service answers with INVALID_ARGUMENT.
use super::prover_api as api;
use crate::builder::{OwnedNote, Payment, RemittanceRequest};
use crate::request::ViewWallet;
use corridor_circuits::tree::MembershipWitness;
use corridor_circuits::{fr_from_bytes, Credential, CredentialAttributes, IdentitySecret};
use corridor_circuits::{Fr, TREE_DEPTH};
use corridor_core::address::Address;
use corridor_core::elgamal::AmountOpening;
use corridor_core::keys::ViewKey;
use corridor_core::tx::NoteId;
use curve25519_dalek::scalar::Scalar;
use zeroize::Zeroizing;

/// A request field that does not decode.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// Its path in the request.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FieldError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// `bytes` as exactly 32 bytes.
fn array32(bytes: &[u8], field: &str) -> Result<[u8; 32], FieldError> {
    bytes
        .try_into()
        .map_err(|_| FieldError::new(field, format!("{} bytes, expected 32", bytes.len())))
}

/// A bech32m address.
pub fn address(s: &str, field: &str) -> Result<Address, FieldError> {
    if s.is_empty() {
        return Err(FieldError::new(field, "missing"));
    }
    Address::decode(s).map_err(|e| FieldError::new(field, e.to_string()))
}

/// A present sub-message.
pub fn required<'m, T>(m: &'m Option<T>, field: &str) -> Result<&'m T, FieldError> {
    m.as_ref().ok_or_else(|| FieldError::new(field, "missing"))
}

/// A view-only wallet: its address and a view key that must be the address's.
pub fn view_wallet(m: &api::ViewWallet, field: &str) -> Result<ViewWallet, FieldError> {
    let address = address(&m.address, &format!("{field}.address"))?;
    let key_field = format!("{field}.view_key");
    let bytes = Zeroizing::new(array32(&m.view_key, &key_field)?);
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(*bytes))
        .ok_or_else(|| FieldError::new(&key_field, "not a canonical scalar"))?;
    let view = ViewKey::from_scalar(s).map_err(|e| FieldError::new(&key_field, e.to_string()))?;
    ViewWallet::new(address, view)
        .map_err(|_| FieldError::new(key_field, "not the view key of the address"))
}

/// Note ids: 32 bytes each, distinct, at least one and at most `max`.
pub fn note_ids(ids: &[Vec<u8>], field: &str, max: usize) -> Result<Vec<NoteId>, FieldError> {
    if ids.is_empty() || ids.len() > max {
        return Err(FieldError::new(
            field,
            format!("{} notes, expected 1..={max}", ids.len()),
        ));
    }
    let mut out: Vec<NoteId> = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let id = NoteId(array32(id, &format!("{field}[{i}]"))?);
        if out.contains(&id) {
            return Err(FieldError::new(format!("{field}[{i}]"), "repeated"));
        }
        out.push(id);
    }
    Ok(out)
}

/// One note id.
pub fn note_id(id: &[u8], field: &str) -> Result<NoteId, FieldError> {
    Ok(NoteId(array32(id, field)?))
}

/// Payments to bech32m addresses.
pub fn payments(m: &[api::Payment]) -> Result<Vec<Payment>, FieldError> {
    m.iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Payment {
                to: address(&p.to_address, &format!("payments[{i}].to_address"))?,
                value: p.value,
            })
        })
        .collect()
}

/// A 32-byte salt.
pub fn salt(bytes: &[u8], field: &str) -> Result<[u8; 32], FieldError> {
    array32(bytes, field)
}

/// A remittance.
pub fn remittance(m: &api::Remittance) -> Result<RemittanceRequest, FieldError> {
    if m.operator.is_empty() {
        return Err(FieldError::new("remittance.operator", "missing"));
    }
    Ok(RemittanceRequest {
        operator: m.operator.clone(),
        quote_id: m.quote_id,
        beneficiary: address(&m.beneficiary_address, "remittance.beneficiary_address")?,
        salt: salt(&m.salt, "remittance.salt")?,
        value: m.value,
    })
}

fn field_element(bytes: &[u8], field: &str) -> Result<Fr, FieldError> {
    let b = Zeroizing::new(array32(bytes, field)?);
    fr_from_bytes(&b, "field element")
        .map_err(|_| FieldError::new(field, "not a canonical field element"))
}

/// A KYC credential and its Merkle path (without the proving key, which the service adds).
pub fn credential(
    m: &api::KycCredential,
    field: &str,
) -> Result<(Credential, MembershipWitness), FieldError> {
    let secret = IdentitySecret::from_field(field_element(
        &m.identity_secret,
        &format!("{field}.identity_secret"),
    )?);
    let attributes = CredentialAttributes {
        jurisdiction: m.jurisdiction,
        expiry_day: m.expiry_day,
        tier: m.tier,
        issuer_id: m.issuer_id,
    };
    let credential = Credential::new(secret, attributes)
        .map_err(|e| FieldError::new(format!("{field}.jurisdiction"), e.to_string()))?;
    if m.siblings.len() != TREE_DEPTH {
        return Err(FieldError::new(
            format!("{field}.siblings"),
            format!("{} siblings, expected {TREE_DEPTH}", m.siblings.len()),
        ));
    }
    let mut siblings = [Fr::from(0u8); TREE_DEPTH];
    for (h, s) in m.siblings.iter().enumerate() {
        siblings[h] = field_element(s, &format!("{field}.siblings[{h}]"))?;
    }
    if TREE_DEPTH < 64 && m.path_bits >> TREE_DEPTH != 0 {
        return Err(FieldError::new(
            format!("{field}.path_bits"),
            format!("bits above {TREE_DEPTH} are set"),
        ));
    }
    let mut path_bits = [false; TREE_DEPTH];
    for (h, bit) in path_bits.iter_mut().enumerate() {
        *bit = m.path_bits >> h & 1 == 1;
    }
    Ok((
        credential,
        MembershipWitness {
            siblings,
            path_bits,
        },
    ))
}

/// The message of a credential and its path (what a wallet sends).
pub fn credential_message(credential: &Credential, path: &MembershipWitness) -> api::KycCredential {
    let a = credential.attributes();
    api::KycCredential {
        identity_secret: corridor_circuits::fr_to_bytes(
            credential.identity_secret().expose_secret(),
        )
        .to_vec(),
        jurisdiction: a.jurisdiction,
        expiry_day: a.expiry_day,
        tier: a.tier,
        issuer_id: a.issuer_id,
        siblings: path
            .siblings
            .iter()
            .map(|s| corridor_circuits::fr_to_bytes(s).to_vec())
            .collect(),
        path_bits: path
            .path_bits
            .iter()
            .enumerate()
            .fold(0u64, |bits, (h, &b)| bits | (u64::from(b) << h)),
    }
}

/// The message of a view-only wallet.
pub fn view_wallet_message(wallet: &ViewWallet) -> api::ViewWallet {
    api::ViewWallet {
        address: wallet.address().encode(),
        view_key: wallet.view().secret().to_bytes().to_vec(),
    }
}

/// An output's opening as sent back to the wallet.
pub fn opening_message(o: &AmountOpening) -> api::AmountOpening {
    api::AmountOpening {
        value: o.value,
        blinding_low: o.blindings[0].to_bytes().to_vec(),
        blinding_high: o.blindings[1].to_bytes().to_vec(),
    }
}

/// An opening sent back by the service.
pub fn opening(m: &api::AmountOpening, field: &str) -> Result<AmountOpening, FieldError> {
    let scalar = |b: &[u8], f: String| {
        let bytes = array32(b, &f)?;
        Option::<Scalar>::from(Scalar::from_canonical_bytes(bytes))
            .ok_or_else(|| FieldError::new(f, "not a canonical scalar"))
    };
    Ok(AmountOpening {
        value: m.value,
        blindings: [
            scalar(&m.blinding_low, format!("{field}.blinding_low"))?,
            scalar(&m.blinding_high, format!("{field}.blinding_high"))?,
        ],
    })
}

/// Whether `note` (read from the node) is owned by `wallet`; decrypted if so.
pub fn owned_note(
    wallet: &ViewWallet,
    note: corridor_core::note::Note,
    field: &str,
) -> Result<OwnedNote, FieldError> {
    if note.owner != wallet.address() {
        return Err(FieldError::new(field, "the note is not this wallet's"));
    }
    OwnedNote::decrypt(note, wallet.view()).map_err(|e| FieldError::new(field, e.to_string()))
}
