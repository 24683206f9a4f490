//! The registry of domain-separation labels. Every hash, transcript, key derivation and
//! signature context of the protocol takes its label from here; each label is versioned and a
//! test checks that no two are equal.

/// Transaction ids: `H(TX_ID, encoding without signatures and proofs)`.
pub const TX_ID: &[u8] = b"corridor/tx-id/v1";
/// Note ids: `H(NOTE_ID, tx_id, output index)`.
pub const NOTE_ID: &[u8] = b"corridor/note-id/v1";
/// Statement digests.
pub const STATEMENT: &[u8] = b"corridor/stmt/v1";
/// Node: a block's app hash `H(APP_HASH, previous app hash, height, time, the block's state
/// changes in canonical order)`.
pub const APP_HASH: &[u8] = b"corridor/app-hash/v1";
/// Node: the app hash before the first block, `H(GENESIS_HASH, the canonical genesis file)`.
pub const GENESIS_HASH: &[u8] = b"corridor/genesis/v1";
/// Node: the verdict cache's fingerprint of a resolved statement.
pub const STATEMENT_FINGERPRINT: &[u8] = b"corridor/stmt-fingerprint/v1";
/// The per-transaction merlin transcript.
pub const TX_TRANSCRIPT: &[u8] = b"corridor/tx/v1";
/// The disclosure transcript.
pub const DISCLOSURE_TRANSCRIPT: &[u8] = b"corridor/disclosure/v1";
/// The schnorrkel signing context of transactions.
pub const TX_SIGNATURE: &[u8] = b"corridor/tx-sig/v1";
/// Remittance beneficiary commitment `q = H(INSTRUCTION, beneficiary address, salt)`.
pub const INSTRUCTION: &[u8] = b"corridor/instr/v1";
/// Key of the remittance instruction box.
pub const INSTRUCTION_BOX: &[u8] = b"corridor/instr-box/v1";
/// Key of an amount hint box.
pub const HINT_BOX: &[u8] = b"corridor/hint-box/v1";
/// Seed → spend key.
pub const SPEND_KEY: &[u8] = b"corridor/spend-key/v1";
/// Seed → view key.
pub const VIEW_KEY: &[u8] = b"corridor/view-key/v1";
/// KYC: `link = Poseidon(identity_secret, H_to_Fr(LINK, X, P))`.
pub const KYC_LINK: &[u8] = b"corridor/link/v1";
/// KYC: `binding = H_to_Fr(KYC_BINDING, X, digest)`.
pub const KYC_BINDING: &[u8] = b"corridor/kyc-binding/v1";
/// KYC: Transfer and Burn nullifier scope `H_to_Fr(KYC_SCOPE, digest)`.
pub const KYC_SCOPE: &[u8] = b"corridor/kyc-scope/v1";
/// KYC: RegisterAddress nullifier scope `H_to_Fr(KYC_REGISTER_SCOPE, network, "YYYY-MM")`.
pub const KYC_REGISTER_SCOPE: &[u8] = b"corridor/kyc-register-scope/v1";
/// KYC: the identity escrow's Poseidon tag `H_to_Fr(KYC_ESCROW)`.
pub const KYC_ESCROW: &[u8] = b"corridor/kyc-escrow/v1";

/// Dev-seed Groth16 setup: the RNG key `SHA-256(PARAMS_DEV_SEED ‖ seed as u64 LE)`.
pub const PARAMS_DEV_SEED: &[u8] = b"corridor/params-dev-seed/v1";
/// Setup ceremony: a step's hash `H(CEREMONY_STEP, the step file's bytes)`, the link the next
/// step names; the last step's is the transcript hash genesis pins.
pub const CEREMONY_STEP: &[u8] = b"corridor/ceremony-step/v1";
/// Setup ceremony: the seed of a proof of knowledge's G2 challenge
/// `H(CEREMONY_POK, previous step hash, secret, g1_s, g1_sx)`.
pub const CEREMONY_POK: &[u8] = b"corridor/ceremony-pok/v1";
/// Setup ceremony: try-and-increment hashing of a seed to G2,
/// `H(CEREMONY_HASH_TO_G2, seed, counter, coordinate)`.
pub const CEREMONY_HASH_TO_G2: &[u8] = b"corridor/ceremony-hash-to-g2/v1";

/// Sigma-proof separators inside the transaction transcript, one per relation.
pub mod proof {
    /// Ciphertext–commitment equality.
    pub const EQUALITY: &[u8] = b"corridor/proof/equality/v1";
    /// Grouped validity of one output chunk.
    pub const VALIDITY: &[u8] = b"corridor/proof/validity/v1";
    /// Public amount of one minted chunk.
    pub const PUBLIC_AMOUNT: &[u8] = b"corridor/proof/public-amount/v1";
    /// Balance of one asset.
    pub const BALANCE: &[u8] = b"corridor/proof/balance/v1";
    /// FX conversion.
    pub const FX: &[u8] = b"corridor/proof/fx/v1";
    /// View-key possession.
    pub const VIEW_KEY_POSSESSION: &[u8] = b"corridor/proof/view-key/v1";
    /// Recipient disclosure.
    pub const RECIPIENT_DISCLOSURE: &[u8] = b"corridor/proof/recipient-disclosure/v1";
    /// Sender disclosure.
    pub const SENDER_DISCLOSURE: &[u8] = b"corridor/proof/sender-disclosure/v1";
    /// The aggregated range proof (bulletproofs then appends its own `rangeproof v1`).
    pub const RANGE: &[u8] = b"corridor/proof/range/v1";
}

/// Every label above, for the uniqueness test and for audits.
pub const ALL: &[&[u8]] = &[
    TX_ID,
    NOTE_ID,
    STATEMENT,
    APP_HASH,
    GENESIS_HASH,
    STATEMENT_FINGERPRINT,
    TX_TRANSCRIPT,
    DISCLOSURE_TRANSCRIPT,
    TX_SIGNATURE,
    INSTRUCTION,
    INSTRUCTION_BOX,
    HINT_BOX,
    SPEND_KEY,
    VIEW_KEY,
    KYC_LINK,
    KYC_BINDING,
    KYC_SCOPE,
    KYC_REGISTER_SCOPE,
    KYC_ESCROW,
    PARAMS_DEV_SEED,
    CEREMONY_STEP,
    CEREMONY_POK,
    CEREMONY_HASH_TO_G2,
    proof::EQUALITY,
    proof::VALIDITY,
    proof::PUBLIC_AMOUNT,
    proof::BALANCE,
    proof::FX,
    proof::VIEW_KEY_POSSESSION,
    proof::RECIPIENT_DISCLOSURE,
    proof::SENDER_DISCLOSURE,
    proof::RANGE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn labels_are_unique_and_versioned() {
        let set: BTreeSet<&[u8]> = ALL.iter().copied().collect();
        assert_eq!(set.len(), ALL.len(), "two domain labels are equal");
        for l in ALL {
            let s = std::str::from_utf8(l).unwrap();
            assert!(s.starts_with("corridor/"), "{s} lacks the corridor/ prefix");
            assert!(s.ends_with("/v1"), "{s} is not versioned");
        }
    }
}
