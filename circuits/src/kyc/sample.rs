//! A sample KYC statement: an issuer's registry with a few customers, one credential among
//! them, the escrow key of a made-up regulator and a node context under which the credential
//! proves. Every value is valid and drawn from the caller's RNG; none is a real customer's.
//!
//! The one place that builds a valid witness and context outside a wallet: the circuit's
//! tests, the benches and `corridor params export-snarkjs` (its sample proof) use it.
//!
//! ```
//! use corridor_circuits::kyc::sample::KycSample;
//! use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
//!
//! let sample = KycSample::generate(&mut ChaCha20Rng::seed_from_u64(1)).unwrap();
//! let (_circuit, public) = sample.circuit().unwrap();
//! assert_eq!(public.root, sample.registry.root());
//! ```
use super::{KycCircuit, KycContext, KycPublicInputs, KycWitness};
use crate::credential::{Credential, CredentialAttributes, IdentitySecret};
use crate::escrow::{EscrowRandomness, EscrowSecretKey};
use crate::registry::KycRegistry;
use crate::Error;
use ark_bn254::Fr;
use ark_ff::UniformRand;
use ark_std::rand::{CryptoRng, RngCore};
use std::fmt;

/// The sample issuer.
pub const ISSUER: u32 = 7;
/// The sample credential's jurisdiction (bit index).
pub const JURISDICTION: u32 = 3;
/// The sample credential's last valid day.
pub const EXPIRY: u32 = 20_100;
/// The sample credential's tier.
pub const TIER: u32 = 2;
/// The sample context's day (before [`EXPIRY`]).
pub const TODAY: u32 = 20_000;
/// The sample context's highest admitted tier (above [`TIER`]).
pub const MAX_TIER: u32 = 3;

/// A valid KYC statement and everything around it (module doc). Fields are public so that
/// tests can make it false one part at a time.
pub struct KycSample {
    /// The issuer's registry: three other customers, then ours, then one more.
    pub registry: KycRegistry,
    /// Our customer's credential.
    pub credential: Credential,
    /// Its leaf index in the registry.
    pub index: u64,
    /// The private link tag (a wallet derives it from its address, [`super::link_tag`]).
    pub link_tag: Fr,
    /// The escrow randomness `k`.
    pub escrow_randomness: EscrowRandomness,
    /// The regulator whose key the escrow is for.
    pub regulator: EscrowSecretKey,
    /// The node-supplied inputs: [`TODAY`], a mask with [`JURISDICTION`], [`MAX_TIER`], random
    /// binding and scope, the regulator's key.
    pub ctx: KycContext,
}

impl fmt::Debug for KycSample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KycSample")
            .field("issuer", &self.registry.issuer_id())
            .field("index", &self.index)
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

/// The sample credential's attributes.
pub fn attributes() -> CredentialAttributes {
    CredentialAttributes {
        jurisdiction: JURISDICTION,
        expiry_day: EXPIRY,
        tier: TIER,
        issuer_id: ISSUER,
    }
}

impl KycSample {
    /// Draws a sample from `rng` (the same RNG state gives the same sample).
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Result<Self, Error> {
        let mut registry = KycRegistry::new(ISSUER);
        // Some other customers around ours.
        for jurisdiction in [0u32, 5, 3] {
            let other = Credential::new(
                IdentitySecret::random(rng),
                CredentialAttributes {
                    jurisdiction,
                    ..attributes()
                },
            )?;
            registry.enrol_credential(&other)?;
        }
        let credential = Credential::new(IdentitySecret::random(rng), attributes())?;
        let index = registry.enrol_credential(&credential)?;
        registry.enrol_credential(&Credential::new(IdentitySecret::random(rng), attributes())?)?;
        let regulator = EscrowSecretKey::random(rng);
        let ctx = KycContext {
            epoch_day: TODAY,
            allowed_mask: (1 << JURISDICTION) | (1 << 5) | 1,
            max_tier: MAX_TIER,
            binding: Fr::rand(rng),
            scope: Fr::rand(rng),
            escrow_pk: regulator.public_key(),
        };
        Ok(KycSample {
            registry,
            credential,
            index,
            link_tag: Fr::rand(rng),
            escrow_randomness: EscrowRandomness::random(rng),
            regulator,
            ctx,
        })
    }

    /// The witness: the credential, its path in the registry's current tree (revoked or not:
    /// tests revoke it to show the circuit refuses), the link tag and `k`.
    pub fn witness(&self) -> Result<KycWitness, Error> {
        Ok(KycWitness {
            credential: self.credential.clone(),
            membership: self.registry.tree().witness(self.index)?,
            link_tag: self.link_tag,
            escrow_randomness: self.escrow_randomness.clone(),
        })
    }

    /// The public inputs the witness gives under [`Self::ctx`] (the native twin; nothing
    /// checked).
    pub fn public_inputs(&self) -> Result<KycPublicInputs, Error> {
        Ok(self.witness()?.public_inputs(&self.ctx))
    }

    /// The circuit to prove and its public inputs, through the prover's entry
    /// ([`KycCircuit::from_witness`]: the policy checked natively).
    pub fn circuit(&self) -> Result<(KycCircuit, KycPublicInputs), Error> {
        KycCircuit::from_witness(self.witness()?, &self.ctx)
    }

    /// The circuit of another transaction of the same customer, under the same root: fresh
    /// binding, scope and escrow randomness from `rng`; the credential, its path and the link
    /// tag unchanged.
    pub fn another_transaction<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Result<(KycCircuit, KycPublicInputs), Error> {
        let ctx = KycContext {
            binding: Fr::rand(rng),
            scope: Fr::rand(rng),
            ..self.ctx
        };
        let mut witness = self.witness()?;
        witness.escrow_randomness = EscrowRandomness::random(rng);
        KycCircuit::from_witness(witness, &ctx)
    }
}
