//! Wallet keys (DESIGN.md §3.2). A 32-byte seed derives, by labelled HKDF-SHA512:
//! - the spend key, schnorrkel sr25519, public `X` (authorises spending, signs transactions);
//! - the view key, scalar `s`, public `P = s·H` (decrypts, never spends).
use crate::address::Address;
use crate::domain;
use crate::error::Error;
use crate::group::{h, Point};
use curve25519_dalek::scalar::Scalar;
use hkdf::Hkdf;
use rand_core::{CryptoRng, RngCore};
use schnorrkel::{ExpansionMode, Keypair, MiniSecretKey, PublicKey, SecretKey, Signature};
use sha2::Sha512;
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A wallet seed. Zeroised on drop; its `Debug` is redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct WalletSeed([u8; 32]);

impl WalletSeed {
    /// Wraps 32 secret bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        WalletSeed(bytes)
    }

    /// A fresh random seed.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut b);
        let seed = WalletSeed(b);
        b.zeroize();
        seed
    }

    /// The secret bytes (to store the seed, encrypted, by the caller's means).
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    fn derive(&self, label: &[u8], out: &mut [u8]) -> Result<(), Error> {
        Hkdf::<Sha512>::new(None, &self.0)
            .expand(label, out)
            .map_err(|e| Error::Key(format!("HKDF: {e}")))
    }
}

impl fmt::Debug for WalletSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WalletSeed(<redacted>)")
    }
}

/// Length of a spend key's secret half ([`SpendKey::to_secret_bytes`]).
pub const SPEND_KEY_SECRET_BYTES: usize = 64;

/// The spend key: an sr25519 keypair. Its secret half zeroises on drop (schnorrkel).
#[derive(Clone)]
pub struct SpendKey(Keypair);

impl SpendKey {
    /// The public key `X`.
    pub fn public(&self) -> Point {
        Point::new(*self.0.public.as_point())
    }

    /// Signs `message` under the transaction signing context.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.0
            .sign(schnorrkel::signing_context(domain::TX_SIGNATURE).bytes(message))
            .to_bytes()
    }

    /// A random spend key (institutions that hold no wallet seed; tests).
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        SpendKey(MiniSecretKey::generate_with(rng).expand_to_keypair(ExpansionMode::Ed25519))
    }

    /// The secret half as [`SPEND_KEY_SECRET_BYTES`] bytes: the sr25519 secret scalar
    /// (canonical, little-endian) then the nonce seed, as schnorrkel encodes it. For an
    /// institution's key file; the bytes are zeroised on drop.
    pub fn to_secret_bytes(&self) -> Zeroizing<[u8; SPEND_KEY_SECRET_BYTES]> {
        Zeroizing::new(self.0.secret.to_bytes())
    }

    /// The key whose secret half [`Self::to_secret_bytes`] gave.
    ///
    /// # Errors
    /// A secret scalar that is not canonical, or one whose public key is the identity.
    pub fn from_secret_bytes(bytes: &[u8; SPEND_KEY_SECRET_BYTES]) -> Result<Self, Error> {
        let secret = SecretKey::from_bytes(bytes)
            .map_err(|e| Error::Key(format!("spend key secret: {e}")))?;
        let key = SpendKey(secret.to_keypair());
        if key.public().is_identity() {
            return Err(Error::Key("spend key is the identity".into()));
        }
        Ok(key)
    }
}

impl fmt::Debug for SpendKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SpendKey(public {})",
            hex::encode(self.public().as_bytes())
        )
    }
}

/// Verifies a transaction signature by `x` over `message`. Returns false for malformed bytes.
pub fn verify_signature(x: &Point, message: &[u8], signature: &[u8; 64]) -> bool {
    let Ok(sig) = Signature::from_bytes(signature) else {
        return false;
    };
    PublicKey::from_point(x.point())
        .verify(
            schnorrkel::signing_context(domain::TX_SIGNATURE).bytes(message),
            &sig,
        )
        .is_ok()
}

/// The view key: a scalar `s ≠ 0`; public `P = s·H`. Zeroised on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ViewKey {
    s: Scalar,
}

impl ViewKey {
    /// Wraps a non-zero scalar.
    pub fn from_scalar(s: Scalar) -> Result<Self, Error> {
        if s == Scalar::ZERO {
            return Err(Error::Key("view key scalar is zero".into()));
        }
        Ok(ViewKey { s })
    }

    /// A random view key.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        loop {
            let s = Scalar::random(rng);
            if s != Scalar::ZERO {
                return ViewKey { s };
            }
        }
    }

    /// The secret scalar `s`.
    pub fn secret(&self) -> &Scalar {
        &self.s
    }

    /// `s⁻¹`, the witness `t` of equality proofs and recipient disclosures.
    pub fn inverse(&self) -> Scalar {
        self.s.invert()
    }

    /// `P = s·H`.
    pub fn public(&self) -> Point {
        Point::new(self.s * h())
    }
}

impl fmt::Debug for ViewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ViewKey(public {})",
            hex::encode(self.public().as_bytes())
        )
    }
}

/// A wallet's two keys.
#[derive(Clone, Debug)]
pub struct WalletKeys {
    /// Spends.
    pub spend: SpendKey,
    /// Decrypts.
    pub view: ViewKey,
}

impl WalletKeys {
    /// Derives both keys from a seed.
    pub fn from_seed(seed: &WalletSeed) -> Result<Self, Error> {
        let mut spend_bytes = [0u8; 32];
        seed.derive(domain::SPEND_KEY, &mut spend_bytes)?;
        let mini = MiniSecretKey::from_bytes(&spend_bytes)
            .map_err(|e| Error::Key(format!("spend key: {e}")));
        spend_bytes.zeroize();
        let spend = SpendKey(mini?.expand_to_keypair(ExpansionMode::Ed25519));
        let mut view_bytes = [0u8; 64];
        seed.derive(domain::VIEW_KEY, &mut view_bytes)?;
        let s = Scalar::from_bytes_mod_order_wide(&view_bytes);
        view_bytes.zeroize();
        let view = ViewKey::from_scalar(s)?;
        if spend.public().is_identity() {
            return Err(Error::Key("spend key is the identity".into()));
        }
        Ok(WalletKeys { spend, view })
    }

    /// Random keys (institutions, tests).
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        WalletKeys {
            spend: SpendKey::random(rng),
            view: ViewKey::random(rng),
        }
    }

    /// The address `(X, P)`.
    pub fn address(&self) -> Address {
        Address::new(self.spend.public(), self.view.public())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_separated() {
        let a = WalletKeys::from_seed(&WalletSeed::from_bytes([7; 32])).unwrap();
        let b = WalletKeys::from_seed(&WalletSeed::from_bytes([7; 32])).unwrap();
        let c = WalletKeys::from_seed(&WalletSeed::from_bytes([8; 32])).unwrap();
        assert_eq!(a.address(), b.address());
        assert_ne!(a.address(), c.address());
        assert_eq!(a.view.public().point(), a.view.secret() * h());
        assert_ne!(a.spend.public(), a.view.public());
    }

    #[test]
    fn spend_key_secret_bytes_round_trip() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(3);
        let a = SpendKey::random(&mut rng);
        let b = SpendKey::from_secret_bytes(&a.to_secret_bytes()).unwrap();
        assert_eq!(a.public(), b.public());
        assert!(verify_signature(&a.public(), b"m", &b.sign(b"m")));
        // A non-canonical scalar (all ones is above the group order).
        assert!(SpendKey::from_secret_bytes(&[0xff; SPEND_KEY_SECRET_BYTES]).is_err());
        // The zero scalar: its public key is the identity.
        assert!(SpendKey::from_secret_bytes(&[0; SPEND_KEY_SECRET_BYTES]).is_err());
    }

    #[test]
    fn signatures_verify_only_for_their_key_and_message() {
        let a = WalletKeys::from_seed(&WalletSeed::from_bytes([1; 32])).unwrap();
        let b = WalletKeys::from_seed(&WalletSeed::from_bytes([2; 32])).unwrap();
        let sig = a.spend.sign(b"msg");
        assert!(verify_signature(&a.spend.public(), b"msg", &sig));
        assert!(!verify_signature(&a.spend.public(), b"msg2", &sig));
        assert!(!verify_signature(&b.spend.public(), b"msg", &sig));
    }

    #[test]
    fn debug_is_redacted() {
        let seed = WalletSeed::from_bytes([0x41; 32]);
        assert!(!format!("{seed:?}").contains("41"));
        let keys = WalletKeys::from_seed(&seed).unwrap();
        let dbg = format!("{:?}", keys.view);
        assert!(!dbg.contains(&hex::encode(keys.view.secret().as_bytes())));
    }
}
