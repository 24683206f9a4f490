//! KYC credentials (DESIGN.md §3.6).
//!
//! `id_commit = Poseidon(identity_secret)`,
//! `attributes = Poseidon(jurisdiction, expiry_day, tier, issuer_id)`,
//! `leaf = Poseidon(id_commit, attributes)`.
//!
//! The customer keeps `identity_secret`; the issuer enrols `(id_commit, attributes)` and never
//! needs the secret. `jurisdiction` is a bit index into the 32-bit jurisdiction masks (genesis
//! order), so it is below 32; days and tiers are u32.
use crate::poseidon::{poseidon, poseidon2};
use crate::Error;
use ark_bn254::Fr;
use ark_ff::UniformRand;
use ark_std::rand::{CryptoRng, RngCore};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// How many jurisdictions a mask can name (the circuit decomposes masks into this many bits).
pub const MAX_JURISDICTIONS: u32 = 32;

/// The customer's identity secret. Zeroised on drop; `Debug` prints nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct IdentitySecret(Fr);

impl IdentitySecret {
    /// A fresh uniformly random secret.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        IdentitySecret(Fr::rand(rng))
    }

    /// Wraps a secret field element (for a wallet restoring its secret).
    pub fn from_field(secret: Fr) -> Self {
        IdentitySecret(secret)
    }

    /// The secret value, for the prover and the native twins only.
    pub fn expose_secret(&self) -> &Fr {
        &self.0
    }

    /// `id_commit = Poseidon(identity_secret)`.
    pub fn id_commit(&self) -> Fr {
        id_commit(&self.0)
    }
}

impl fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentitySecret(<redacted>)")
    }
}

/// `Poseidon(secret)` (arity 1 is always supported).
fn id_commit(secret: &Fr) -> Fr {
    poseidon(std::slice::from_ref(secret)).unwrap_or_default()
}

/// What an issuer vouches for: public to the issuer, private in the proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Zeroize)]
pub struct CredentialAttributes {
    /// Jurisdiction bit index (< [`MAX_JURISDICTIONS`]).
    pub jurisdiction: u32,
    /// Last valid UTC day (days since 1970-01-01).
    pub expiry_day: u32,
    /// KYC tier; a policy admits tiers `≤ max_tier`.
    pub tier: u32,
    /// The issuing KYC provider.
    pub issuer_id: u32,
}

impl CredentialAttributes {
    /// Checks the jurisdiction index.
    pub fn validate(&self) -> Result<(), Error> {
        if self.jurisdiction >= MAX_JURISDICTIONS {
            return Err(Error::Credential(format!(
                "jurisdiction {} is not below {MAX_JURISDICTIONS}",
                self.jurisdiction
            )));
        }
        Ok(())
    }

    /// `Poseidon(jurisdiction, expiry_day, tier, issuer_id)`.
    pub fn hash(&self) -> Fr {
        poseidon(&[
            Fr::from(self.jurisdiction),
            Fr::from(self.expiry_day),
            Fr::from(self.tier),
            Fr::from(self.issuer_id),
        ])
        .unwrap_or_default()
    }

    /// `leaf = Poseidon(id_commit, attributes)`.
    pub fn leaf(&self, id_commit: Fr) -> Fr {
        poseidon2(id_commit, self.hash())
    }
}

/// A customer's credential: the secret and the attributes the issuer enrolled.
#[derive(Clone, Debug, Zeroize, ZeroizeOnDrop)]
pub struct Credential {
    identity_secret: IdentitySecret,
    attributes: CredentialAttributes,
}

impl Credential {
    /// A credential; refuses a jurisdiction index ≥ 32.
    pub fn new(
        identity_secret: IdentitySecret,
        attributes: CredentialAttributes,
    ) -> Result<Self, Error> {
        attributes.validate()?;
        Ok(Credential {
            identity_secret,
            attributes,
        })
    }

    /// The secret.
    pub fn identity_secret(&self) -> &IdentitySecret {
        &self.identity_secret
    }

    /// The attributes.
    pub fn attributes(&self) -> &CredentialAttributes {
        &self.attributes
    }

    /// Jurisdiction bit index.
    pub fn jurisdiction(&self) -> u32 {
        self.attributes.jurisdiction
    }

    /// Last valid day.
    pub fn expiry_day(&self) -> u32 {
        self.attributes.expiry_day
    }

    /// Tier.
    pub fn tier(&self) -> u32 {
        self.attributes.tier
    }

    /// Issuer.
    pub fn issuer_id(&self) -> u32 {
        self.attributes.issuer_id
    }

    /// `id_commit = Poseidon(identity_secret)`.
    pub fn id_commit(&self) -> Fr {
        self.identity_secret.id_commit()
    }

    /// `leaf = Poseidon(id_commit, Poseidon(jurisdiction, expiry_day, tier, issuer_id))`.
    pub fn leaf(&self) -> Fr {
        self.attributes.leaf(self.id_commit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;

    fn attrs() -> CredentialAttributes {
        CredentialAttributes {
            jurisdiction: 3,
            expiry_day: 20_000,
            tier: 2,
            issuer_id: 7,
        }
    }

    #[test]
    fn leaf_is_the_documented_composition() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let secret = IdentitySecret::random(&mut rng);
        let s = *secret.expose_secret();
        let c = Credential::new(secret, attrs()).unwrap();
        let id = poseidon(&[s]).unwrap();
        assert_eq!(c.id_commit(), id);
        let a = poseidon(&[3u64.into(), 20_000u64.into(), 2u64.into(), 7u64.into()]).unwrap();
        assert_eq!(c.leaf(), poseidon(&[id, a]).unwrap());
        // Each attribute changes the leaf.
        for f in [
            |a: &mut CredentialAttributes| a.jurisdiction += 1,
            |a: &mut CredentialAttributes| a.expiry_day += 1,
            |a: &mut CredentialAttributes| a.tier += 1,
            |a: &mut CredentialAttributes| a.issuer_id += 1,
        ] {
            let mut other = attrs();
            f(&mut other);
            assert_ne!(other.leaf(id), c.leaf());
        }
    }

    #[test]
    fn jurisdiction_must_be_a_mask_bit() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
        let mut a = attrs();
        a.jurisdiction = 31;
        assert!(Credential::new(IdentitySecret::random(&mut rng), a).is_ok());
        a.jurisdiction = 32;
        assert!(matches!(
            Credential::new(IdentitySecret::random(&mut rng), a),
            Err(Error::Credential(_))
        ));
    }

    #[test]
    fn debug_redacts_the_secret() {
        let secret = IdentitySecret::from_field(Fr::from(123_456_789u64));
        let c = Credential::new(secret, attrs()).unwrap();
        let s = format!("{c:?}");
        assert!(s.contains("redacted"));
        assert!(!s.contains("123456789"));
    }
}
