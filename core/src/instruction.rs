//! The remittance instruction (DESIGN.md §3.7): a remittance Transfer commits to its beneficiary
//! with `q = H(INSTRUCTION, beneficiary address, salt)` and carries a box that only the
//! operator, holding its settlement address's view key, can open to learn `(beneficiary, salt)`
//! and pay out.
//!
//! The box is `E' ‖ ChaCha20-Poly1305(beneficiary ‖ salt) ‖ tag` with `E' = e'·H` for a fresh
//! `e'`, key `HKDF-SHA512(e'·P ‖ E' ‖ P, INSTRUCTION_BOX)` where `P = s·H` is the operator's view
//! key, and nonce 0 (the key is fresh with `e'`, so it seals one message). The operator computes
//! `e'·P = s·E'`. Opening also checks the plaintext against `q`, so a box that opens to another
//! beneficiary than the one committed is rejected.
use crate::address::Address;
use crate::domain;
use crate::elgamal::{box_key, open_in_place, seal_in_place};
use crate::error::{DecodeError, Error};
use crate::group::{h, Point};
use crate::hash::hash32;
use crate::keys::ViewKey;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// `E'` (32) ‖ ciphertext of the beneficiary address (64) and the salt (32) ‖ tag (16).
pub const INSTRUCTION_BOX_LEN: usize = 32 + PLAINTEXT_LEN + 16;

/// Beneficiary address ‖ salt.
const PLAINTEXT_LEN: usize = 64 + 32;
/// Where the tag starts.
const TAG_START: usize = 32 + PLAINTEXT_LEN;

/// `q = H(INSTRUCTION, beneficiary address, salt)`.
pub fn beneficiary_commitment(beneficiary: &Address, salt: &[u8; 32]) -> [u8; 32] {
    hash32(domain::INSTRUCTION, &[&beneficiary.to_bytes(), salt])
}

/// Seals `(beneficiary, salt)` to the operator's view key `P`. Fails when `P` is the identity
/// (anyone could open the box).
pub fn seal<R: RngCore + CryptoRng>(
    beneficiary: &Address,
    salt: &[u8; 32],
    operator_view_key: &Point,
    rng: &mut R,
) -> Result<[u8; INSTRUCTION_BOX_LEN], Error> {
    if operator_view_key.is_identity() {
        return Err(Error::Key(
            "instruction box: operator view key is the identity".into(),
        ));
    }
    let mut e = loop {
        let e = Scalar::random(rng);
        if e != Scalar::ZERO {
            break e;
        }
    };
    let ephemeral = Point::new(e * h());
    let mut shared = e * operator_view_key.point();
    e.zeroize();
    let key = instruction_key(&shared, &ephemeral, operator_view_key);
    shared.zeroize();
    let key = key?;
    let mut out = [0u8; INSTRUCTION_BOX_LEN];
    out[..32].copy_from_slice(ephemeral.as_bytes());
    out[32..96].copy_from_slice(&beneficiary.to_bytes());
    out[96..TAG_START].copy_from_slice(salt);
    let tag = seal_in_place(&key, &[], &mut out[32..TAG_START])?;
    out[TAG_START..].copy_from_slice(&tag);
    Ok(out)
}

/// Opens an instruction box with the operator's view key and checks it against the Transfer's
/// commitment `q`. Errors name what failed: the length, the ephemeral point, the authentication,
/// the address bytes, or the commitment.
pub fn open(sealed: &[u8], view: &ViewKey, q: &[u8; 32]) -> Result<(Address, [u8; 32]), Error> {
    if sealed.len() != INSTRUCTION_BOX_LEN {
        return Err(DecodeError::Length {
            field: "instruction_box".into(),
            expected: INSTRUCTION_BOX_LEN,
            got: sealed.len(),
        }
        .into());
    }
    let (ephemeral_bytes, rest) = sealed.split_at(32);
    let (ciphertext, tag) = rest.split_at(PLAINTEXT_LEN);
    let ephemeral = Point::decode_nonidentity(ephemeral_bytes, "instruction_box.ephemeral")?;
    let mut shared = view.secret() * ephemeral.point();
    let key = instruction_key(&shared, &ephemeral, &view.public());
    shared.zeroize();
    let key = key?;
    let mut plaintext = Zeroizing::new([0u8; PLAINTEXT_LEN]);
    plaintext.copy_from_slice(ciphertext);
    open_in_place(&key, &[], plaintext.as_mut_slice(), tag).map_err(|_| {
        Error::Decryption(
            "instruction box: authentication failed (another operator's box, or altered bytes)"
                .into(),
        )
    })?;
    let (address_bytes, salt_bytes) = plaintext.split_at(64);
    let beneficiary = Address::from_bytes(address_bytes, "instruction_box.beneficiary")?;
    let mut salt = [0u8; 32];
    salt.copy_from_slice(salt_bytes);
    if !bool::from(beneficiary_commitment(&beneficiary, &salt).ct_eq(q)) {
        return Err(Error::Decryption(
            "instruction box: the beneficiary and salt do not match the commitment q".into(),
        ));
    }
    Ok((beneficiary, salt))
}

/// `HKDF-SHA512(e'·P ‖ E' ‖ P, INSTRUCTION_BOX)`.
fn instruction_key(
    shared: &RistrettoPoint,
    ephemeral: &Point,
    p: &Point,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut ikm = Zeroizing::new([0u8; 96]);
    ikm[..32].copy_from_slice(shared.compress().as_bytes());
    ikm[32..64].copy_from_slice(ephemeral.as_bytes());
    ikm[64..].copy_from_slice(p.as_bytes());
    box_key(ikm.as_slice(), domain::INSTRUCTION_BOX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::WalletKeys;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    struct Fixture {
        beneficiary: Address,
        salt: [u8; 32],
        q: [u8; 32],
        operator: ViewKey,
        sealed: [u8; INSTRUCTION_BOX_LEN],
    }

    fn fixture(seed: u64) -> Fixture {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let beneficiary = WalletKeys::random(&mut rng).address();
        let operator = ViewKey::random(&mut rng);
        let mut salt = [0u8; 32];
        rng.fill_bytes(&mut salt);
        let q = beneficiary_commitment(&beneficiary, &salt);
        let sealed = seal(&beneficiary, &salt, &operator.public(), &mut rng).unwrap();
        Fixture {
            beneficiary,
            salt,
            q,
            operator,
            sealed,
        }
    }

    #[test]
    fn roundtrip() {
        let f = fixture(1);
        let (beneficiary, salt) = open(&f.sealed, &f.operator, &f.q).unwrap();
        assert_eq!((beneficiary, salt), (f.beneficiary, f.salt));
        // A fresh ephemeral each time.
        let again = seal(
            &f.beneficiary,
            &f.salt,
            &f.operator.public(),
            &mut ChaCha20Rng::seed_from_u64(2),
        )
        .unwrap();
        assert_ne!(again[..32], f.sealed[..32]);
        assert_eq!(open(&again, &f.operator, &f.q).unwrap().0, f.beneficiary);
    }

    #[test]
    fn commitment_binds_address_and_salt() {
        let f = fixture(3);
        let other = fixture(4);
        assert_ne!(f.q, beneficiary_commitment(&other.beneficiary, &f.salt));
        assert_ne!(f.q, beneficiary_commitment(&f.beneficiary, &other.salt));
        assert_eq!(f.q, beneficiary_commitment(&f.beneficiary, &f.salt));
    }

    #[test]
    fn wrong_key_fails() {
        let f = fixture(5);
        let stranger = ViewKey::random(&mut ChaCha20Rng::seed_from_u64(6));
        let err = open(&f.sealed, &stranger, &f.q).unwrap_err();
        assert!(
            matches!(&err, Error::Decryption(m) if m.contains("authentication")),
            "{err}"
        );
    }

    #[test]
    fn any_flipped_byte_fails() {
        let f = fixture(7);
        for i in 0..INSTRUCTION_BOX_LEN {
            for bit in [0x01u8, 0x80] {
                let mut bad = f.sealed;
                bad[i] ^= bit;
                assert!(
                    open(&bad, &f.operator, &f.q).is_err(),
                    "byte {i} bit {bit:#x}"
                );
            }
        }
    }

    #[test]
    fn wrong_q_fails() {
        let f = fixture(8);
        let mut q = f.q;
        q[0] ^= 1;
        let err = open(&f.sealed, &f.operator, &q).unwrap_err();
        assert!(
            matches!(&err, Error::Decryption(m) if m.contains("commitment q")),
            "{err}"
        );
    }

    #[test]
    fn malformed_boxes_name_what_failed() {
        let f = fixture(9);
        assert!(matches!(
            open(&f.sealed[1..], &f.operator, &f.q),
            Err(Error::Decode(DecodeError::Length { got, .. })) if got == INSTRUCTION_BOX_LEN - 1
        ));
        let mut identity = f.sealed;
        identity[..32].fill(0);
        assert!(matches!(
            open(&identity, &f.operator, &f.q),
            Err(Error::Decode(DecodeError::IdentityPoint { field })) if field.contains("ephemeral")
        ));
        let mut noncanonical = f.sealed;
        noncanonical[..32].fill(0xff);
        assert!(matches!(
            open(&noncanonical, &f.operator, &f.q),
            Err(Error::Decode(DecodeError::NonCanonicalPoint { .. }))
        ));
        // A box that authenticates but holds an identity spend key: the address bytes fail.
        let mut rng = ChaCha20Rng::seed_from_u64(10);
        let e = Scalar::random(&mut rng);
        let ephemeral = Point::new(e * h());
        let p = f.operator.public();
        let key = instruction_key(&(e * p.point()), &ephemeral, &p).unwrap();
        let mut bad = [0u8; INSTRUCTION_BOX_LEN];
        bad[..32].copy_from_slice(ephemeral.as_bytes());
        bad[64..96].copy_from_slice(&f.beneficiary.to_bytes()[32..]);
        let tag = seal_in_place(&key, &[], &mut bad[32..TAG_START]).unwrap();
        bad[TAG_START..].copy_from_slice(&tag);
        assert!(matches!(
            open(&bad, &f.operator, &f.q),
            Err(Error::Decode(DecodeError::IdentityPoint { field })) if field.contains("beneficiary")
        ));
    }

    #[test]
    fn identity_operator_key_is_rejected() {
        let f = fixture(11);
        assert!(matches!(
            seal(
                &f.beneficiary,
                &f.salt,
                &Point::identity(),
                &mut ChaCha20Rng::seed_from_u64(12)
            ),
            Err(Error::Key(_))
        ));
    }
}
