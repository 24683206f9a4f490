//! The depth-32 Poseidon Merkle tree of credential leaves, natively and as a gadget.
//!
//! Relation (membership): `root = fold(leaf, (sibling_i, bit_i) for i in 0..32)` where each step
//! is `node = Poseidon(node, sibling)` if `bit_i = 0` and `Poseidon(sibling, node)` if
//! `bit_i = 1`, and every `bit_i ∈ {0, 1}` (bit `i` is bit `i` of the leaf index).
//!
//! An empty leaf is `0`, an empty subtree of height `h` is `Z_h` with `Z_0 = 0`,
//! `Z_{h+1} = Poseidon(Z_h, Z_h)`. Revocation sets a leaf back to `0`.
//!
//! Storage: the tree keeps, for every height, the nodes of the occupied prefix only (the
//! leaves, then ⌈n/2⌉ nodes, …): about `2n` field elements for `n` leaves, never `2^32`. That is
//! what an issuer needs to hand out a witness for any leaf and to revoke any leaf in 32 hashes.
//!
//! Gadget cost per level: one booleanity constraint, one for the ordered pair, 240 for
//! Poseidon: 7,744 for the 32 levels.
use crate::poseidon::{poseidon2, PoseidonVar};
use crate::Error;
use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use std::sync::OnceLock;
use zeroize::Zeroize;

/// The depth of every credential tree.
pub const TREE_DEPTH: usize = 32;

/// `Z_h`, the root of an empty subtree of height `h`, for `h = 0..=TREE_DEPTH`.
pub fn empty_roots() -> &'static [Fr; TREE_DEPTH + 1] {
    static Z: OnceLock<[Fr; TREE_DEPTH + 1]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [Fr::zero(); TREE_DEPTH + 1];
        for h in 0..TREE_DEPTH {
            z[h + 1] = poseidon2(z[h], z[h]);
        }
        z
    })
}

/// A Poseidon Merkle tree of depth [`TREE_DEPTH`] filled left to right.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    /// `levels[h]`: the nodes of height `h` covering the occupied leaves; `levels[0]` are the
    /// leaves. Nodes past the end are `Z_h`.
    levels: Vec<Vec<Fr>>,
    /// Every root the tree has had, oldest first, starting with the empty tree's.
    history: Vec<Fr>,
}

impl Default for MerkleTree {
    fn default() -> Self {
        Self::new()
    }
}

impl MerkleTree {
    /// The capacity, `2^32` leaves.
    pub const CAPACITY: u64 = 1 << TREE_DEPTH;

    /// An empty tree (root `Z_32`).
    pub fn new() -> Self {
        MerkleTree {
            levels: vec![Vec::new(); TREE_DEPTH + 1],
            history: vec![empty_roots()[TREE_DEPTH]],
        }
    }

    /// Number of leaves appended (revoked ones included).
    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The current root.
    pub fn root(&self) -> Fr {
        self.node(TREE_DEPTH, 0)
    }

    /// Every root the tree has had, oldest first (the last is [`Self::root`]).
    pub fn root_history(&self) -> &[Fr] {
        &self.history
    }

    /// Whether `root` is the current root or an earlier one.
    pub fn is_known_root(&self, root: &Fr) -> bool {
        self.history.iter().rev().any(|r| r == root)
    }

    /// The leaf at `index`, if appended (`0` once revoked).
    pub fn leaf(&self, index: u64) -> Option<Fr> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels[0].get(i).copied())
    }

    /// Appends `leaf` and returns its index.
    pub fn append(&mut self, leaf: Fr) -> Result<u64, Error> {
        let index = self.len();
        if index >= Self::CAPACITY {
            return Err(Error::TreeFull {
                capacity: Self::CAPACITY,
            });
        }
        self.levels[0].push(leaf);
        self.update_path(index as usize);
        Ok(index)
    }

    /// Sets the leaf at `index` to `0` (revocation) and publishes the new root.
    pub fn revoke(&mut self, index: u64) -> Result<(), Error> {
        let i = self.existing(index)?;
        if self.levels[0][i].is_zero() {
            return Err(Error::Revoked { index });
        }
        self.levels[0][i] = Fr::zero();
        self.update_path(i);
        Ok(())
    }

    /// The membership witness of the leaf at `index` under the current root.
    pub fn witness(&self, index: u64) -> Result<MembershipWitness, Error> {
        let mut pos = self.existing(index)?;
        let mut siblings = [Fr::zero(); TREE_DEPTH];
        let mut path_bits = [false; TREE_DEPTH];
        for h in 0..TREE_DEPTH {
            siblings[h] = self.node(h, pos ^ 1);
            path_bits[h] = pos & 1 == 1;
            pos >>= 1;
        }
        Ok(MembershipWitness {
            siblings,
            path_bits,
        })
    }

    fn existing(&self, index: u64) -> Result<usize, Error> {
        usize::try_from(index)
            .ok()
            .filter(|&i| i < self.levels[0].len())
            .ok_or(Error::UnknownLeaf {
                index,
                len: self.len(),
            })
    }

    /// The node at height `h`, position `pos` (`Z_h` past the occupied prefix).
    fn node(&self, h: usize, pos: usize) -> Fr {
        self.levels[h].get(pos).copied().unwrap_or(empty_roots()[h])
    }

    /// Recomputes the nodes above leaf `pos` and records the new root.
    fn update_path(&mut self, mut pos: usize) {
        for h in 0..TREE_DEPTH {
            let parent = pos >> 1;
            let left = self.node(h, parent << 1);
            let right = self.node(h, (parent << 1) | 1);
            let value = poseidon2(left, right);
            let level = &mut self.levels[h + 1];
            if parent < level.len() {
                level[parent] = value;
            } else {
                level.push(value);
            }
            pos = parent;
        }
        let root = self.root();
        self.history.push(root);
    }
}

/// The path of one leaf: its 32 siblings, bottom up, and the bits of its index.
#[derive(Clone, Debug, PartialEq, Eq, Zeroize)]
pub struct MembershipWitness {
    /// `siblings[h]`: the sibling at height `h`.
    pub siblings: [Fr; TREE_DEPTH],
    /// `path_bits[h]`: whether the path node at height `h` is a right child.
    pub path_bits: [bool; TREE_DEPTH],
}

impl MembershipWitness {
    /// The root this path gives `leaf` (the native twin of [`MembershipVar::root`]).
    pub fn root(&self, leaf: Fr) -> Fr {
        self.siblings
            .iter()
            .zip(self.path_bits)
            .fold(leaf, |node, (sib, right)| {
                if right {
                    poseidon2(*sib, node)
                } else {
                    poseidon2(node, *sib)
                }
            })
    }

    /// The leaf index the path bits spell.
    pub fn leaf_index(&self) -> u64 {
        self.path_bits
            .iter()
            .rev()
            .fold(0u64, |acc, b| (acc << 1) | u64::from(*b))
    }
}

/// The membership gadget: siblings and path bits as variables, the bits constrained boolean.
#[derive(Clone, Debug)]
pub struct MembershipVar {
    siblings: Vec<FpVar<Fr>>,
    path_bits: Vec<FpVar<Fr>>,
}

impl MembershipVar {
    /// Allocates a witness path (`None` in setup mode) and constrains its bits boolean.
    pub fn new_witness(
        cs: ConstraintSystemRef<Fr>,
        witness: Option<&MembershipWitness>,
    ) -> Result<Self, SynthesisError> {
        let bits = (0..TREE_DEPTH)
            .map(|h| witness.map(|w| Fr::from(w.path_bits[h])))
            .collect::<Vec<_>>();
        Self::new_witness_raw(cs, witness.map(|w| &w.siblings[..]), &bits)
    }

    /// Allocates siblings and path bits from raw field values (a bit that is not 0 or 1 makes
    /// the system unsatisfiable) and constrains the bits boolean.
    pub(crate) fn new_witness_raw(
        cs: ConstraintSystemRef<Fr>,
        siblings: Option<&[Fr]>,
        bits: &[Option<Fr>],
    ) -> Result<Self, SynthesisError> {
        let siblings = (0..TREE_DEPTH)
            .map(|h| {
                FpVar::new_witness(cs.clone(), || {
                    siblings
                        .and_then(|s| s.get(h).copied())
                        .ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let path_bits = (0..TREE_DEPTH)
            .map(|h| {
                FpVar::new_witness(cs.clone(), || {
                    bits.get(h)
                        .copied()
                        .flatten()
                        .ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(siblings, path_bits)
    }

    /// Wraps allocated siblings and bits (32 each), enforcing `bit·(bit − 1) = 0` for each bit.
    pub fn new(
        siblings: Vec<FpVar<Fr>>,
        path_bits: Vec<FpVar<Fr>>,
    ) -> Result<Self, SynthesisError> {
        if siblings.len() != TREE_DEPTH || path_bits.len() != TREE_DEPTH {
            return Err(SynthesisError::Unsatisfiable);
        }
        for b in &path_bits {
            enforce_boolean(b)?;
        }
        Ok(MembershipVar {
            siblings,
            path_bits,
        })
    }

    /// The root of `leaf` along this path: per level one constraint orders the pair
    /// (`left = node + bit·(sibling − node)`, `right = node + sibling − left`), then Poseidon.
    pub fn root(&self, leaf: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        let mut node = leaf.clone();
        for (sib, bit) in self.siblings.iter().zip(&self.path_bits) {
            let left = &node + bit * &(sib - &node);
            let right = &node + sib - &left;
            node = PoseidonVar::hash(&[left, right])?;
        }
        Ok(node)
    }
}

/// Enforces `b·(b − 1) = 0`: one constraint.
pub(crate) fn enforce_boolean(b: &FpVar<Fr>) -> Result<(), SynthesisError> {
    b.mul_equals(&(b - Fr::one()), &FpVar::zero())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::GR1CSVar;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand_chacha::rand_core::SeedableRng;

    fn rng() -> rand_chacha::ChaCha20Rng {
        rand_chacha::ChaCha20Rng::seed_from_u64(32)
    }

    /// The root of `leaves` by hashing a full depth-32 tree level by level (the slow way).
    fn reference_root(leaves: &[Fr]) -> Fr {
        let mut level: Vec<Fr> = leaves.to_vec();
        for h in 0..TREE_DEPTH {
            if level.len() % 2 == 1 {
                level.push(empty_roots()[h]);
            }
            level = level.chunks(2).map(|p| poseidon2(p[0], p[1])).collect();
            if level.is_empty() {
                level.push(empty_roots()[h + 1]);
            }
        }
        level[0]
    }

    #[test]
    fn empty_tree_root_is_the_empty_subtree_root() {
        let t = MerkleTree::new();
        assert_eq!(t.root(), empty_roots()[TREE_DEPTH]);
        assert_eq!(t.root_history(), &[t.root()]);
        assert!(t.is_empty());
        assert_eq!(
            empty_roots()[1],
            crate::poseidon::poseidon(&[Fr::zero(), Fr::zero()]).unwrap()
        );
    }

    #[test]
    fn append_matches_the_reference_and_witnesses_open_every_leaf() {
        let mut rng = rng();
        let mut t = MerkleTree::new();
        let mut leaves = Vec::new();
        for i in 0..9u64 {
            let leaf = Fr::rand(&mut rng);
            assert_eq!(t.append(leaf).unwrap(), i);
            leaves.push(leaf);
            assert_eq!(t.root(), reference_root(&leaves), "after {} leaves", i + 1);
        }
        for (i, leaf) in leaves.iter().enumerate() {
            let w = t.witness(i as u64).unwrap();
            assert_eq!(w.leaf_index(), i as u64);
            assert_eq!(w.root(*leaf), t.root());
            assert_ne!(w.root(*leaf + Fr::one()), t.root());
        }
        assert_eq!(t.root_history().len(), 10);
        assert!(matches!(
            t.witness(9),
            Err(Error::UnknownLeaf { index: 9, len: 9 })
        ));
    }

    #[test]
    fn revocation_zeroes_the_leaf_and_keeps_the_old_root_in_history() {
        let mut rng = rng();
        let mut t = MerkleTree::new();
        let leaves: Vec<Fr> = (0..5).map(|_| Fr::rand(&mut rng)).collect();
        for l in &leaves {
            t.append(*l).unwrap();
        }
        let before = t.root();
        let old_witness = t.witness(2).unwrap();
        t.revoke(2).unwrap();
        assert_eq!(t.leaf(2), Some(Fr::zero()));
        let mut expected = leaves.clone();
        expected[2] = Fr::zero();
        assert_eq!(t.root(), reference_root(&expected));
        assert_ne!(t.root(), before);
        // The old path still opens to the old root only.
        assert_eq!(old_witness.root(leaves[2]), before);
        assert_ne!(t.witness(2).unwrap().root(leaves[2]), t.root());
        assert!(t.is_known_root(&before) && t.is_known_root(&t.root()));
        assert!(matches!(t.revoke(2), Err(Error::Revoked { index: 2 })));
        assert!(t.revoke(5).is_err());
        // Other leaves still open under the new root.
        let w = t.witness(3).unwrap();
        assert_eq!(w.root(leaves[3]), t.root());
    }

    #[test]
    fn high_leaf_indices_use_all_32_bits() {
        // A witness built by hand for leaf 2^32 − 1 (rightmost) opens to the root natively and
        // in-circuit.
        let mut rng = rng();
        let leaf = Fr::rand(&mut rng);
        let w = MembershipWitness {
            siblings: std::array::from_fn(|_| Fr::rand(&mut rng)),
            path_bits: [true; TREE_DEPTH],
        };
        assert_eq!(w.leaf_index(), u64::from(u32::MAX));
        let root = w.root(leaf);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let l = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let m = MembershipVar::new_witness(cs.clone(), Some(&w)).unwrap();
        let r = m.root(&l).unwrap();
        assert_eq!(r.value().unwrap(), root);
        assert!(cs.is_satisfied().unwrap());
    }

    fn membership_cs(leaf: Fr, w: &MembershipWitness, bits: &[Option<Fr>], root: Fr) -> bool {
        membership_rows(leaf, w, bits, root).is_empty()
    }

    /// The violated rows (rows `0..32` are the booleanity constraints).
    fn membership_rows(
        leaf: Fr,
        w: &MembershipWitness,
        bits: &[Option<Fr>],
        root: Fr,
    ) -> Vec<usize> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let public_root = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
        let l = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let m = MembershipVar::new_witness_raw(cs.clone(), Some(&w.siblings[..]), bits).unwrap();
        assert_eq!(cs.num_constraints(), TREE_DEPTH);
        m.root(&l).unwrap().enforce_equal(&public_root).unwrap();
        cs.finalize();
        let rows =
            crate::testing::r1cs_matrices(&cs).unsatisfied_rows(&crate::testing::assignment(&cs));
        assert_eq!(cs.is_satisfied().unwrap(), rows.is_empty());
        rows
    }

    #[test]
    fn gadget_matches_native_and_costs_242_per_level() {
        let mut rng = rng();
        let mut t = MerkleTree::new();
        let leaves: Vec<Fr> = (0..6).map(|_| Fr::rand(&mut rng)).collect();
        for l in &leaves {
            t.append(*l).unwrap();
        }
        for i in [0usize, 3, 5] {
            let w = t.witness(i as u64).unwrap();
            let bits: Vec<Option<Fr>> = w.path_bits.iter().map(|b| Some(Fr::from(*b))).collect();
            assert!(membership_cs(leaves[i], &w, &bits, t.root()));
            assert!(!membership_cs(leaves[i] + Fr::one(), &w, &bits, t.root()));
            assert!(!membership_cs(leaves[i], &w, &bits, t.root() + Fr::one()));
        }
        let cs = ConstraintSystem::<Fr>::new_ref();
        let l = FpVar::new_witness(cs.clone(), || Ok(leaves[0])).unwrap();
        let m = MembershipVar::new_witness(cs.clone(), Some(&t.witness(0).unwrap())).unwrap();
        let _ = m.root(&l).unwrap();
        assert_eq!(cs.num_constraints(), TREE_DEPTH * 242);
    }

    #[test]
    fn a_non_boolean_path_bit_is_refused_even_when_it_hashes_to_the_root() {
        // bit = 2 orders the pair as (2·sib − node, 2·node − sib): compute the root that gives
        // and claim it, so only booleanity stands in the way.
        let mut rng = rng();
        let mut t = MerkleTree::new();
        let leaf = Fr::rand(&mut rng);
        t.append(leaf).unwrap();
        t.append(Fr::rand(&mut rng)).unwrap();
        let w = t.witness(0).unwrap();
        let mut bits: Vec<Option<Fr>> = w.path_bits.iter().map(|b| Some(Fr::from(*b))).collect();
        bits[0] = Some(Fr::from(2u64));
        let two = Fr::from(2u64);
        let mut node = poseidon2(two * w.siblings[0] - leaf, two * leaf - w.siblings[0]);
        for h in 1..TREE_DEPTH {
            node = if w.path_bits[h] {
                poseidon2(w.siblings[h], node)
            } else {
                poseidon2(node, w.siblings[h])
            };
        }
        assert_eq!(membership_rows(leaf, &w, &bits, node), vec![0]);
    }
}
