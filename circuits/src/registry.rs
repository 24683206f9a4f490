//! An issuer's credential registry: the tree an issuer keeps and serves (the KYC service of a
//! later issue wraps it).
//!
//! `enrol` appends `leaf = Poseidon(id_commit, attributes)` and returns its index; `revoke` sets
//! a leaf to zero; every change publishes a new root (the issuer then signs a KycRootUpdate);
//! `witness` hands a customer the path of its leaf under the current root. The registry never
//! sees an identity secret: the customer sends `id_commit`.
use crate::credential::{Credential, CredentialAttributes};
use crate::tree::{MembershipWitness, MerkleTree};
use crate::Error;
use ark_bn254::Fr;
use ark_ff::Zero;

/// One issuer's registry of credentials.
#[derive(Clone, Debug)]
pub struct KycRegistry {
    issuer_id: u32,
    tree: MerkleTree,
}

impl KycRegistry {
    /// An empty registry of issuer `issuer_id`.
    pub fn new(issuer_id: u32) -> Self {
        KycRegistry {
            issuer_id,
            tree: MerkleTree::new(),
        }
    }

    /// The issuer.
    pub fn issuer_id(&self) -> u32 {
        self.issuer_id
    }

    /// Enrols the credential `(id_commit, attributes)`; returns its leaf index.
    pub fn enrol(
        &mut self,
        id_commit: Fr,
        attributes: &CredentialAttributes,
    ) -> Result<u64, Error> {
        if attributes.issuer_id != self.issuer_id {
            return Err(Error::WrongIssuer {
                expected: self.issuer_id,
                got: attributes.issuer_id,
            });
        }
        attributes.validate()?;
        let leaf = attributes.leaf(id_commit);
        if leaf.is_zero() {
            // Zero marks a revoked leaf; Poseidon never gives it in practice.
            return Err(Error::Credential("the leaf hashes to zero".into()));
        }
        self.tree.append(leaf)
    }

    /// Enrols a credential whose holder is at hand (tests, demos).
    pub fn enrol_credential(&mut self, credential: &Credential) -> Result<u64, Error> {
        self.enrol(credential.id_commit(), credential.attributes())
    }

    /// Revokes the credential at `index` (its leaf becomes zero).
    pub fn revoke(&mut self, index: u64) -> Result<(), Error> {
        self.tree.revoke(index)
    }

    /// Whether the leaf at `index` is live (enrolled, not revoked).
    pub fn is_live(&self, index: u64) -> bool {
        self.tree.leaf(index).is_some_and(|l| !l.is_zero())
    }

    /// The current root.
    pub fn root(&self) -> Fr {
        self.tree.root()
    }

    /// Every root so far, oldest first.
    pub fn root_history(&self) -> &[Fr] {
        self.tree.root_history()
    }

    /// Number of enrolments (revoked ones included).
    pub fn len(&self) -> u64 {
        self.tree.len()
    }

    /// Whether nothing was enrolled.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The path of a live leaf under the current root.
    pub fn witness(&self, index: u64) -> Result<MembershipWitness, Error> {
        let w = self.tree.witness(index)?;
        if !self.is_live(index) {
            return Err(Error::Revoked { index });
        }
        Ok(w)
    }

    /// The tree itself.
    pub fn tree(&self) -> &MerkleTree {
        &self.tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::IdentitySecret;
    use rand_chacha::rand_core::SeedableRng;

    fn credential(rng: &mut rand_chacha::ChaCha20Rng, issuer_id: u32) -> Credential {
        Credential::new(
            IdentitySecret::random(rng),
            CredentialAttributes {
                jurisdiction: 1,
                expiry_day: 21_000,
                tier: 1,
                issuer_id,
            },
        )
        .unwrap()
    }

    #[test]
    fn enrol_witness_revoke() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let mut reg = KycRegistry::new(7);
        let creds: Vec<Credential> = (0..4).map(|_| credential(&mut rng, 7)).collect();
        for (i, c) in creds.iter().enumerate() {
            assert_eq!(reg.enrol_credential(c).unwrap(), i as u64);
        }
        assert_eq!(reg.len(), 4);
        assert_eq!(reg.root_history().len(), 5);
        for (i, c) in creds.iter().enumerate() {
            let w = reg.witness(i as u64).unwrap();
            assert_eq!(w.root(c.leaf()), reg.root());
        }
        let before = reg.root();
        reg.revoke(1).unwrap();
        assert!(!reg.is_live(1) && reg.is_live(0));
        assert_ne!(reg.root(), before);
        assert!(matches!(reg.witness(1), Err(Error::Revoked { index: 1 })));
        assert!(matches!(reg.revoke(1), Err(Error::Revoked { index: 1 })));
        assert!(matches!(reg.witness(4), Err(Error::UnknownLeaf { .. })));
        assert_eq!(reg.root_history().last(), Some(&reg.root()));
        assert!(reg.root_history().contains(&before));
    }

    #[test]
    fn refuses_another_issuers_credential() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(6);
        let mut reg = KycRegistry::new(7);
        let c = credential(&mut rng, 8);
        assert!(matches!(
            reg.enrol_credential(&c),
            Err(Error::WrongIssuer {
                expected: 7,
                got: 8
            })
        ));
        assert!(reg.is_empty());
    }
}
