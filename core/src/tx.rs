//! The transaction kinds of DESIGN.md §3.7 as validated domain types.
//!
//! `TryFrom<proto::…>` is the one validation boundary: every size, count, point, scalar, name and
//! static rule is checked there, and [`Transaction::decode`] first checks that the bytes are the
//! one canonical encoding of what they hold. A transaction goes `UnsignedTransaction` (what a
//! builder or prover service returns) → [`Transaction`] (signed, what a node accepts).
use crate::address::Address;
use crate::domain;
use crate::elgamal::{ChunkCiphertext, EncryptedAmount, CHUNKS, HINT_LEN};
use crate::error::DecodeError;
use crate::genesis::MAX_AUDITORS;
use crate::group::{decode_array, Point, CHUNK_BITS, MAX_RANGE_PARTIES};
use crate::hash::Hasher;
use crate::instruction::INSTRUCTION_BOX_LEN;
use crate::keys::{verify_signature, SpendKey};
use crate::proto;
use crate::sigma::SigmaProof;
use crate::PROTOCOL_VERSION;
use curve25519_dalek::traits::IsIdentity;
use prost::Message;
use std::collections::BTreeSet;
use std::fmt;

/// Most inputs a transaction spends.
pub const MAX_INPUTS: usize = 16;
/// Most outputs a transaction creates.
pub const MAX_OUTPUTS: usize = 16;
/// Size cap of an encoded transaction.
pub const MAX_TX_BYTES: usize = 256 * 1024;
/// Size of a compressed Groth16 proof on BN254 (A ‖ B ‖ C).
pub const GROTH16_PROOF_LEN: usize = 128;
/// Size of a schnorrkel signature.
pub const SIGNATURE_LEN: usize = 64;

/// Shapes (commitments, responses) of each sigma proof.
pub mod shape {
    /// Equality: 3 equations, witnesses (t, v, r').
    pub const EQUALITY: (usize, usize) = (3, 3);
    /// Grouped validity with `n` decryptors: 1 + n equations, witnesses (v, r).
    pub const fn validity(decryptors: usize) -> (usize, usize) {
        (1 + decryptors, 2)
    }
    /// Public amount with `n` decryptors: 1 + n equations, witness r.
    pub const fn public_amount(decryptors: usize) -> (usize, usize) {
        (1 + decryptors, 1)
    }
    /// Balance, FX, view-key possession: one equation, one witness.
    pub const SINGLE: (usize, usize) = (1, 1);
    /// Disclosures: two equations, one witness.
    pub const DISCLOSURE: (usize, usize) = (2, 1);
}

/// A 32-byte id, printed in hex.
macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; 32]);

        impl $name {
            /// The bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }
            /// Short hex form for messages: first and last bytes.
            pub fn short(&self) -> String {
                let h = hex::encode(self.0);
                format!("{}…{}", &h[..4], &h[60..])
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }
    };
}

id_type!(
    /// `tx_id = H("corridor/tx-id/v1", encoding without signatures and proofs)`.
    TxId
);
id_type!(
    /// `note_id = H("corridor/note-id/v1", tx_id, output index)`.
    NoteId
);

impl NoteId {
    /// The id of output `index` of transaction `tx`.
    pub fn derive(tx: &TxId, index: u32) -> Self {
        NoteId(
            Hasher::new(domain::NOTE_ID)
                .part(tx.as_bytes())
                .part(&index.to_le_bytes())
                .finish(),
        )
    }
}

/// A statement digest: `H("corridor/stmt/v1", network, kind, every field except the KYC proof,
/// the KYC nullifier, the sigma and range proofs, and the signatures)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Digest(pub [u8; 32]);

/// A BN254 scalar-field element in canonical little-endian bytes (KYC public inputs).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldBytes(pub [u8; 32]);

/// The BN254 scalar-field modulus r, little-endian.
const BN254_R_LE: [u8; 32] = [
    0x01, 0x00, 0x00, 0xf0, 0x93, 0xf5, 0xe1, 0x43, 0x91, 0x70, 0xb9, 0x79, 0x48, 0xe8, 0x33, 0x28,
    0x5d, 0x58, 0x81, 0x81, 0xb6, 0x45, 0x50, 0xb8, 0x29, 0xa0, 0x31, 0xe1, 0x72, 0x4e, 0x64, 0x30,
];

impl FieldBytes {
    /// Decodes 32 little-endian bytes below the BN254 scalar modulus.
    pub fn decode(bytes: &[u8], field: &str) -> Result<Self, DecodeError> {
        let arr: [u8; 32] = decode_array(bytes, field)?;
        // Compare as little-endian integers, most significant byte first.
        let below = arr
            .iter()
            .rev()
            .zip(BN254_R_LE.iter().rev())
            .find(|(a, r)| a != r)
            .is_some_and(|(a, r)| a < r);
        if !below {
            return Err(DecodeError::NonCanonicalScalar {
                field: field.to_string(),
            });
        }
        Ok(FieldBytes(arr))
    }
}

impl fmt::Debug for FieldBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fr({})", hex::encode(self.0))
    }
}

/// An aggregated bulletproof, kept as bytes whose length was checked against the number of
/// committed values; parsed by the verifier.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RangeProofBytes(pub Vec<u8>);

impl fmt::Debug for RangeProofBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RangeProof({} bytes)", self.0.len())
    }
}

/// The aggregation size `m` (a power of two, ≥ 1) for `values` range-proven values.
pub fn range_parties(values: usize) -> usize {
    values.max(1).next_power_of_two()
}

/// Byte length of an aggregated 32-bit range proof over `m` parties:
/// `(9 + 2·lg(32·m))·32` (A, S, T_1, T_2, t_x, t_x_blinding, e_blinding, a, b, and the L, R
/// vectors of the inner-product proof).
pub fn range_proof_len(m: usize) -> usize {
    let lg = (CHUNK_BITS * m).trailing_zeros() as usize;
    (9 + 2 * lg) * 32
}

impl RangeProofBytes {
    fn decode(bytes: &[u8], values: usize, field: &str) -> Result<Self, DecodeError> {
        if values == 0 {
            if !bytes.is_empty() {
                return Err(DecodeError::invalid(
                    field,
                    "a range proof is present but nothing is range-proven",
                ));
            }
            return Ok(RangeProofBytes(Vec::new()));
        }
        let m = range_parties(values);
        if m > MAX_RANGE_PARTIES {
            return Err(DecodeError::invalid(
                field,
                format!("{values} range-proven values exceed {MAX_RANGE_PARTIES}"),
            ));
        }
        let expected = range_proof_len(m);
        if bytes.len() != expected {
            return Err(DecodeError::Length {
                field: field.to_string(),
                expected,
                got: bytes.len(),
            });
        }
        Ok(RangeProofBytes(bytes.to_vec()))
    }
}

/// A confidential output: its owner and encrypted amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// The owner's address.
    pub owner: Address,
    /// The amount.
    pub amount: EncryptedAmount,
}

/// A spent note: id, fresh re-commitment `C'`, equality proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// The spent note.
    pub note_id: NoteId,
    /// `C' = v·G + r'·H`.
    pub recommitment: Point,
    /// Ciphertext–commitment equality proof.
    pub equality: SigmaProof,
}

/// The KYC section (DESIGN.md §3.6): what travels with the Groth16 proof.
#[derive(Clone, PartialEq, Eq)]
pub struct KycProof {
    /// Issuer id.
    pub issuer: u32,
    /// Tree root the credential is proven under.
    pub root: FieldBytes,
    /// UTC day the proof claims.
    pub epoch_day: u32,
    /// `Poseidon(identity_secret, scope)`.
    pub nullifier: FieldBytes,
    /// Escrow ephemeral `k·B8` (Baby Jubjub, compressed).
    pub escrow_r: [u8; 32],
    /// Escrow ciphertext.
    pub escrow_c: FieldBytes,
    /// RegisterAddress only.
    pub link: Option<FieldBytes>,
    /// Compressed Groth16 proof.
    pub proof: [u8; GROTH16_PROOF_LEN],
}

impl fmt::Debug for KycProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KycProof")
            .field("issuer", &self.issuer)
            .field("root", &self.root)
            .field("epoch_day", &self.epoch_day)
            .field("nullifier", &self.nullifier)
            .field("link", &self.link)
            .field("proof", &format_args!("{} bytes", self.proof.len()))
            .finish()
    }
}

/// Remittance fields of a Transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remittance {
    /// The quoting operator.
    pub operator: String,
    /// Its quote.
    pub quote_id: u64,
    /// `q = H("corridor/instr/v1", beneficiary address, salt)`.
    pub beneficiary_commitment: [u8; 32],
    /// Beneficiary and salt boxed to the operator's settlement view key.
    pub instruction: [u8; INSTRUCTION_BOX_LEN],
}

/// Mint: the issuer puts public amounts into its treasury.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mint {
    /// Asset code.
    pub asset: String,
    /// Issuer sequence number.
    pub nonce: u64,
    /// Outputs and their public amounts.
    pub outputs: Vec<(Output, u64)>,
    /// Public-amount proofs, two per output (low chunk, high chunk).
    pub public_amount: Vec<SigmaProof>,
}

/// Transfer: a confidential payment in one asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Asset code.
    pub asset: String,
    /// Distinct inputs, all owned by the signer.
    pub inputs: Vec<Input>,
    /// Outputs.
    pub outputs: Vec<Output>,
    /// Public fee.
    pub fee: u64,
    /// `W0` of the limit proof.
    pub limit_w0: Option<Point>,
    /// Optional remittance fields.
    pub remittance: Option<Remittance>,
    /// Customer KYC section.
    pub kyc: Option<KycProof>,
    /// Validity proofs, two per output.
    pub validity: Vec<SigmaProof>,
    /// The aggregated range proof.
    pub range_proof: RangeProofBytes,
    /// Balance proof.
    pub balance: SigmaProof,
}

/// PublishQuote: an operator's FX quote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishQuote {
    /// Operator name.
    pub operator: String,
    /// Unique per operator.
    pub quote_id: u64,
    /// Asset A (paid in).
    pub asset_from: String,
    /// Asset B (paid out).
    pub asset_to: String,
    /// Rate numerator.
    pub num: u32,
    /// Rate denominator (≥ 1).
    pub den: u32,
    /// Last height at which a Transfer may use it.
    pub expiry_height: u64,
}

/// Payout: the operator pays a remittance's beneficiary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payout {
    /// Operator name.
    pub operator: String,
    /// The remittance note (asset A).
    pub remittance_input: Input,
    /// Float notes (asset B).
    pub float_inputs: Vec<Input>,
    /// Opens `q`.
    pub beneficiary: Address,
    /// Opens `q`.
    pub salt: [u8; 32],
    /// `[0]` beneficiary (B), `[1]` settlement (A), `[2..]` float change (B).
    pub outputs: Vec<Output>,
    /// `W0` of asset B's limit.
    pub limit_w0: Option<Point>,
    /// `R`, the FX remainder commitment.
    pub fx_remainder: Point,
    /// Validity proofs, two per output.
    pub validity: Vec<SigmaProof>,
    /// The aggregated range proof.
    pub range_proof: RangeProofBytes,
    /// Balance of asset A.
    pub balance_from: SigmaProof,
    /// Balance of asset B.
    pub balance_to: SigmaProof,
    /// FX conversion proof.
    pub fx: SigmaProof,
}

/// Burn: notes returned to the issuer (fiat out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Burn {
    /// Asset code.
    pub asset: String,
    /// Inputs.
    pub inputs: Vec<Input>,
    /// Optional change to the owner.
    pub change: Option<Output>,
    /// Public amount returned to the issuer.
    pub burn_amount: u64,
    /// Public fee.
    pub fee: u64,
    /// Customer KYC section.
    pub kyc: Option<KycProof>,
    /// Validity proofs of the change (two or none).
    pub validity: Vec<SigmaProof>,
    /// Range proof of the change (empty without change).
    pub range_proof: RangeProofBytes,
    /// Balance proof.
    pub balance: SigmaProof,
}

/// RegisterAddress: a customer's address enters the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterAddress {
    /// The new address.
    pub address: Address,
    /// KYC section with `link` and the registration nullifier.
    pub kyc: KycProof,
    /// View-key possession proof.
    pub view_key_possession: SigmaProof,
}

/// KycRootUpdate: an issuer publishes a new tree root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycRootUpdate {
    /// Issuer id.
    pub issuer: u32,
    /// `last + 1`.
    pub seq: u64,
    /// The root it supersedes.
    pub previous_root: FieldBytes,
    /// The new root.
    pub new_root: FieldBytes,
}

/// The body of a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxBody {
    /// Mint.
    Mint(Mint),
    /// Transfer.
    Transfer(Transfer),
    /// PublishQuote.
    PublishQuote(PublishQuote),
    /// Payout.
    Payout(Payout),
    /// Burn.
    Burn(Burn),
    /// RegisterAddress.
    RegisterAddress(RegisterAddress),
    /// KycRootUpdate.
    KycRootUpdate(KycRootUpdate),
}

impl TxBody {
    /// The public fee (Transfer and Burn; 0 for the other kinds), in the spent asset.
    pub fn fee(&self) -> u64 {
        match self {
            TxBody::Transfer(t) => t.fee,
            TxBody::Burn(b) => b.fee,
            _ => 0,
        }
    }

    /// The kind's name, as bound into digests and transcripts.
    pub fn kind(&self) -> &'static str {
        match self {
            TxBody::Mint(_) => "mint",
            TxBody::Transfer(_) => "transfer",
            TxBody::PublishQuote(_) => "publish-quote",
            TxBody::Payout(_) => "payout",
            TxBody::Burn(_) => "burn",
            TxBody::RegisterAddress(_) => "register-address",
            TxBody::KycRootUpdate(_) => "kyc-root-update",
        }
    }

    /// Inputs, in statement order (Payout: the remittance note, then the float notes).
    pub fn inputs(&self) -> Vec<&Input> {
        match self {
            TxBody::Transfer(t) => t.inputs.iter().collect(),
            TxBody::Burn(b) => b.inputs.iter().collect(),
            TxBody::Payout(p) => std::iter::once(&p.remittance_input)
                .chain(p.float_inputs.iter())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Outputs, in order.
    pub fn outputs(&self) -> Vec<&Output> {
        match self {
            TxBody::Mint(m) => m.outputs.iter().map(|(o, _)| o).collect(),
            TxBody::Transfer(t) => t.outputs.iter().collect(),
            TxBody::Payout(p) => p.outputs.iter().collect(),
            TxBody::Burn(b) => b.change.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The sigma proofs in statement order (the order of [`crate::statement::Statement`]'s
    /// relations): equality per input, validity or public amount per output chunk, then
    /// balance(s), FX, view-key possession.
    pub fn sigma_proofs(&self) -> Vec<&SigmaProof> {
        match self {
            TxBody::Mint(m) => m.public_amount.iter().collect(),
            TxBody::Transfer(t) => t
                .inputs
                .iter()
                .map(|i| &i.equality)
                .chain(t.validity.iter())
                .chain(std::iter::once(&t.balance))
                .collect(),
            TxBody::Payout(p) => std::iter::once(&p.remittance_input.equality)
                .chain(p.float_inputs.iter().map(|i| &i.equality))
                .chain(p.validity.iter())
                .chain([&p.balance_from, &p.balance_to, &p.fx])
                .collect(),
            TxBody::Burn(b) => b
                .inputs
                .iter()
                .map(|i| &i.equality)
                .chain(b.validity.iter())
                .chain(std::iter::once(&b.balance))
                .collect(),
            TxBody::RegisterAddress(r) => vec![&r.view_key_possession],
            TxBody::PublishQuote(_) | TxBody::KycRootUpdate(_) => Vec::new(),
        }
    }

    /// Writes proofs given in statement order (see [`TxBody::sigma_proofs`]) into the body.
    /// Errors if the count does not fit the body.
    pub fn fill_proofs(
        &mut self,
        sigma: Vec<SigmaProof>,
        range: RangeProofBytes,
    ) -> Result<(), DecodeError> {
        let expected = self.sigma_proofs().len();
        if sigma.len() != expected {
            return Err(DecodeError::count(
                "sigma proofs",
                expected.to_string(),
                sigma.len(),
            ));
        }
        let mut it = sigma.into_iter();
        let mut next = || it.next().unwrap_or_else(SigmaProof::empty);
        match self {
            TxBody::Mint(m) => m.public_amount.iter_mut().for_each(|p| *p = next()),
            TxBody::Transfer(t) => {
                t.inputs.iter_mut().for_each(|i| i.equality = next());
                t.validity.iter_mut().for_each(|p| *p = next());
                t.balance = next();
                t.range_proof = range;
            }
            TxBody::Payout(p) => {
                p.remittance_input.equality = next();
                p.float_inputs.iter_mut().for_each(|i| i.equality = next());
                p.validity.iter_mut().for_each(|v| *v = next());
                p.balance_from = next();
                p.balance_to = next();
                p.fx = next();
                p.range_proof = range;
            }
            TxBody::Burn(b) => {
                b.inputs.iter_mut().for_each(|i| i.equality = next());
                b.validity.iter_mut().for_each(|p| *p = next());
                b.balance = next();
                b.range_proof = range;
            }
            TxBody::RegisterAddress(r) => r.view_key_possession = next(),
            TxBody::PublishQuote(_) | TxBody::KycRootUpdate(_) => {}
        }
        Ok(())
    }

    /// The range proof, for kinds that carry one.
    pub fn range_proof(&self) -> Option<&RangeProofBytes> {
        match self {
            TxBody::Transfer(t) => Some(&t.range_proof),
            TxBody::Payout(p) => Some(&p.range_proof),
            TxBody::Burn(b) => Some(&b.range_proof),
            _ => None,
        }
    }

    /// The KYC section, if any.
    pub fn kyc(&self) -> Option<&KycProof> {
        match self {
            TxBody::Transfer(t) => t.kyc.as_ref(),
            TxBody::Burn(b) => b.kyc.as_ref(),
            TxBody::RegisterAddress(r) => Some(&r.kyc),
            _ => None,
        }
    }

    /// The KYC section, mutable (a builder fills the nullifier and the proof last).
    pub fn kyc_mut(&mut self) -> Option<&mut KycProof> {
        match self {
            TxBody::Transfer(t) => t.kyc.as_mut(),
            TxBody::Burn(b) => b.kyc.as_mut(),
            TxBody::RegisterAddress(r) => Some(&mut r.kyc),
            _ => None,
        }
    }
}

/// A transaction before signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsignedTransaction {
    /// Network id.
    pub network: String,
    /// Body.
    pub body: TxBody,
}

/// A signed transaction: the only form a node accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    unsigned: UnsignedTransaction,
    signature: [u8; SIGNATURE_LEN],
}

impl UnsignedTransaction {
    /// The wire form (signature empty).
    pub fn to_proto(&self) -> proto::Transaction {
        proto::Transaction {
            version: PROTOCOL_VERSION,
            network: self.network.clone(),
            body: Some(body_to_proto(&self.body)),
            signature: Vec::new(),
        }
    }

    /// The canonical encoding without signature: what the signature covers.
    pub fn signing_bytes(&self) -> Vec<u8> {
        self.to_proto().encode_to_vec()
    }

    /// The transaction id.
    pub fn id(&self) -> TxId {
        let mut p = self.to_proto();
        strip(&mut p, Strip::ForId);
        TxId(Hasher::new(domain::TX_ID).part(&p.encode_to_vec()).finish())
    }

    /// The statement digest.
    pub fn digest(&self) -> Digest {
        let mut p = self.to_proto();
        strip(&mut p, Strip::ForDigest);
        Digest(
            Hasher::new(domain::STATEMENT)
                .part(self.network.as_bytes())
                .part(self.body.kind().as_bytes())
                .part(&p.encode_to_vec())
                .finish(),
        )
    }

    /// Signs with the signer's spend key.
    pub fn sign(self, key: &SpendKey) -> Transaction {
        let signature = key.sign(&self.signing_bytes());
        Transaction {
            unsigned: self,
            signature,
        }
    }

    /// Attaches a signature made elsewhere (checked by the verifier, not here).
    pub fn with_signature(self, signature: [u8; SIGNATURE_LEN]) -> Transaction {
        Transaction {
            unsigned: self,
            signature,
        }
    }

    /// Decodes the canonical encoding of an unsigned transaction (signature field empty).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let msg = decode_canonical(bytes)?;
        if !msg.signature.is_empty() {
            return Err(DecodeError::invalid(
                "signature",
                "an unsigned transaction carries a signature",
            ));
        }
        UnsignedTransaction::try_from(&msg)
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        self.signing_bytes()
    }
}

impl Transaction {
    /// The unsigned part.
    pub fn unsigned(&self) -> &UnsignedTransaction {
        &self.unsigned
    }

    /// Drops the signature (a tamperer re-signs after editing).
    pub fn into_unsigned(self) -> UnsignedTransaction {
        self.unsigned
    }

    /// The body.
    pub fn body(&self) -> &TxBody {
        &self.unsigned.body
    }

    /// The network id.
    pub fn network(&self) -> &str {
        &self.unsigned.network
    }

    /// The signature.
    pub fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        &self.signature
    }

    /// The transaction id.
    pub fn id(&self) -> TxId {
        self.unsigned.id()
    }

    /// Whether `signer` signed exactly this transaction.
    pub fn signature_valid(&self, signer: &Point) -> bool {
        verify_signature(signer, &self.unsigned.signing_bytes(), &self.signature)
    }

    /// The wire form.
    pub fn to_proto(&self) -> proto::Transaction {
        let mut p = self.unsigned.to_proto();
        p.signature = self.signature.to_vec();
        p
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        self.to_proto().encode_to_vec()
    }

    /// Decodes a canonical, signed transaction: the single entry point for outside bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let msg = decode_canonical(bytes)?;
        Transaction::try_from(&msg)
    }

    /// The notes this transaction creates, with their ids.
    pub fn new_notes(&self) -> Vec<(NoteId, &Output)> {
        let id = self.id();
        self.body()
            .outputs()
            .into_iter()
            .enumerate()
            .map(|(i, o)| (NoteId::derive(&id, i as u32), o))
            .collect()
    }
}

/// Parses `bytes` as protobuf and checks that they are the canonical encoding of the result:
/// re-encoding must give the same bytes, which rejects reordered, duplicated and unknown fields,
/// over-long varints, explicit default values and trailing bytes.
pub fn decode_canonical(bytes: &[u8]) -> Result<proto::Transaction, DecodeError> {
    if bytes.len() > MAX_TX_BYTES {
        return Err(DecodeError::TooLarge {
            size: bytes.len(),
            cap: MAX_TX_BYTES,
        });
    }
    let msg =
        proto::Transaction::decode(bytes).map_err(|e| DecodeError::Protobuf(e.to_string()))?;
    let again = msg.encode_to_vec();
    if again != bytes {
        return Err(DecodeError::NonCanonical {
            given: bytes.len(),
            reencoded: again.len(),
        });
    }
    Ok(msg)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Strip {
    /// Ids never depend on proof bytes (Groth16 proofs can be re-randomised).
    ForId,
    /// The digest also leaves out the KYC nullifier (it is derived from the digest).
    ForDigest,
}

/// Clears signatures and proofs (and, for the digest, the KYC nullifier).
fn strip(p: &mut proto::Transaction, what: Strip) {
    p.signature.clear();
    let kyc = |k: &mut Option<proto::KycProof>| {
        if let Some(k) = k.as_mut() {
            k.proof.clear();
            if what == Strip::ForDigest {
                k.nullifier.clear();
            }
        }
    };
    let inputs = |v: &mut Vec<proto::Input>| v.iter_mut().for_each(|i| i.equality = None);
    use proto::transaction::Body;
    match p.body.as_mut() {
        Some(Body::Mint(m)) => m.public_amount.clear(),
        Some(Body::Transfer(t)) => {
            inputs(&mut t.inputs);
            kyc(&mut t.kyc);
            t.validity.clear();
            t.range_proof.clear();
            t.balance = None;
        }
        Some(Body::Payout(t)) => {
            if let Some(i) = t.remittance_input.as_mut() {
                i.equality = None;
            }
            inputs(&mut t.float_inputs);
            t.validity.clear();
            t.range_proof.clear();
            t.balance_from = None;
            t.balance_to = None;
            t.fx = None;
        }
        Some(Body::Burn(t)) => {
            inputs(&mut t.inputs);
            kyc(&mut t.kyc);
            t.validity.clear();
            t.range_proof.clear();
            t.balance = None;
        }
        Some(Body::RegisterAddress(r)) => {
            kyc(&mut r.kyc);
            r.view_key_possession = None;
        }
        Some(Body::PublishQuote(_)) | Some(Body::KycRootUpdate(_)) | None => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Names

/// Network ids and operator names: 1–64 characters of `a-z 0-9 - .`.
pub fn check_name(s: &str, field: &str) -> Result<(), DecodeError> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(DecodeError::invalid(
            field,
            format!("{s:?} is not 1–64 characters of a-z, 0-9, '-', '.'"),
        ))
    }
}

/// Asset codes: 1–12 characters of `A-Z 0-9`.
pub fn check_asset_code(s: &str, field: &str) -> Result<(), DecodeError> {
    let ok = !s.is_empty()
        && s.len() <= 12
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(DecodeError::invalid(
            field,
            format!("{s:?} is not an asset code (1–12 characters of A-Z, 0-9)"),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Wire → domain

fn count(field: &str, got: usize, min: usize, max: usize) -> Result<(), DecodeError> {
    if got < min || got > max {
        let expected = if min == max {
            min.to_string()
        } else {
            format!("{min}..={max}")
        };
        return Err(DecodeError::count(field, expected, got));
    }
    Ok(())
}

impl Output {
    /// Decodes an output. Chunks: exactly two, each with the same number (1..=5) of handles;
    /// the ephemeral and the owner handle `D = D_0 + 2^32·D_1` must not be the identity.
    pub fn from_proto(msg: &proto::Output, field: &str) -> Result<Self, DecodeError> {
        let owner = Address::from_proto_required(&msg.owner, &format!("{field}.owner"))?;
        count(&format!("{field}.chunks"), msg.chunks.len(), CHUNKS, CHUNKS)?;
        let mut chunks = Vec::with_capacity(CHUNKS);
        let mut decryptors: Option<usize> = None;
        for (k, c) in msg.chunks.iter().enumerate() {
            let f = format!("{field}.chunks[{k}]");
            let n = c.handles.len();
            count(&format!("{f}.handles"), n, 1, 1 + MAX_AUDITORS)?;
            if let Some(d) = decryptors {
                if d != n {
                    return Err(DecodeError::count(format!("{f}.handles"), d.to_string(), n));
                }
            }
            decryptors = Some(n);
            let commitment = Point::decode(&c.commitment, &format!("{f}.commitment"))?;
            let handles = c
                .handles
                .iter()
                .enumerate()
                .map(|(j, h)| Point::decode(h, &format!("{f}.handles[{j}]")))
                .collect::<Result<Vec<_>, _>>()?;
            chunks.push(ChunkCiphertext {
                commitment,
                handles,
            });
        }
        let n = decryptors.unwrap_or(0);
        let ephemeral = Point::decode_nonidentity(&msg.ephemeral, &format!("{field}.ephemeral"))?;
        if !msg.hints.is_empty() && msg.hints.len() != n {
            return Err(DecodeError::count(
                format!("{field}.hints"),
                format!("0 or {n}"),
                msg.hints.len(),
            ));
        }
        let hints = msg
            .hints
            .iter()
            .enumerate()
            .map(|(j, h)| {
                if h.is_empty() {
                    Ok(None)
                } else {
                    decode_array::<HINT_LEN>(h, &format!("{field}.hints[{j}]")).map(Some)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !hints.is_empty() && hints.iter().all(Option::is_none) {
            // "No hints" has one encoding: the empty list.
            return Err(DecodeError::Invalid {
                field: format!("{field}.hints"),
                reason: "every hint empty: send no hints instead".into(),
            });
        }
        let chunks: [ChunkCiphertext; CHUNKS] = chunks
            .try_into()
            .map_err(|_| DecodeError::count(format!("{field}.chunks"), "2", msg.chunks.len()))?;
        let amount = EncryptedAmount {
            chunks,
            ephemeral,
            hints,
        };
        if amount.owner_handle().is_none_or(|d| d.is_identity()) {
            return Err(DecodeError::IdentityPoint {
                field: format!("{field}.owner handle D_0 + 2^32·D_1"),
            });
        }
        Ok(Output { owner, amount })
    }

    /// The wire form.
    pub fn to_proto(&self) -> proto::Output {
        proto::Output {
            owner: Some(self.owner.to_proto()),
            chunks: self
                .amount
                .chunks
                .iter()
                .map(|c| proto::Chunk {
                    commitment: c.commitment.to_bytes().to_vec(),
                    handles: c.handles.iter().map(|h| h.to_bytes().to_vec()).collect(),
                })
                .collect(),
            ephemeral: self.amount.ephemeral.to_bytes().to_vec(),
            hints: self
                .amount
                .hints
                .iter()
                .map(|h| h.map(|b| b.to_vec()).unwrap_or_default())
                .collect(),
        }
    }
}

fn outputs_from(
    msgs: &[proto::Output],
    field: &str,
    min: usize,
    max: usize,
) -> Result<Vec<Output>, DecodeError> {
    count(field, msgs.len(), min, max)?;
    msgs.iter()
        .enumerate()
        .map(|(i, o)| Output::from_proto(o, &format!("{field}[{i}]")))
        .collect()
}

fn validity_from(
    msgs: &[proto::SigmaProof],
    outputs: &[&Output],
    field: &str,
) -> Result<Vec<SigmaProof>, DecodeError> {
    count(field, msgs.len(), 2 * outputs.len(), 2 * outputs.len())?;
    msgs.iter()
        .enumerate()
        .map(|(i, p)| {
            let n = outputs[i / 2].amount.decryptors();
            SigmaProof::decode(p, &format!("{field}[{i}]"), shape::validity(n))
        })
        .collect()
}

impl Input {
    fn from_proto(msg: &proto::Input, field: &str) -> Result<Self, DecodeError> {
        Ok(Input {
            note_id: NoteId(decode_array(&msg.note_id, &format!("{field}.note_id"))?),
            recommitment: Point::decode(&msg.recommitment, &format!("{field}.recommitment"))?,
            equality: SigmaProof::decode_required(
                &msg.equality,
                &format!("{field}.equality"),
                shape::EQUALITY,
            )?,
        })
    }

    fn to_proto(&self) -> proto::Input {
        proto::Input {
            note_id: self.note_id.0.to_vec(),
            recommitment: self.recommitment.to_bytes().to_vec(),
            equality: Some(self.equality.to_proto()),
        }
    }
}

fn inputs_from(
    msgs: &[proto::Input],
    field: &str,
    min: usize,
    max: usize,
) -> Result<Vec<Input>, DecodeError> {
    count(field, msgs.len(), min, max)?;
    msgs.iter()
        .enumerate()
        .map(|(i, m)| Input::from_proto(m, &format!("{field}[{i}]")))
        .collect()
}

/// Inputs of one transaction are distinct.
fn check_distinct<'a>(
    inputs: impl IntoIterator<Item = &'a Input>,
    field: &str,
) -> Result<(), DecodeError> {
    let mut seen = BTreeSet::new();
    for (i, input) in inputs.into_iter().enumerate() {
        if !seen.insert(input.note_id) {
            return Err(DecodeError::invalid(
                format!("{field}[{i}]"),
                format!(
                    "note {} is spent twice in one transaction",
                    input.note_id.short()
                ),
            ));
        }
    }
    Ok(())
}

impl KycProof {
    fn from_proto(
        msg: &proto::KycProof,
        field: &str,
        with_link: bool,
    ) -> Result<Self, DecodeError> {
        let link = if with_link {
            Some(FieldBytes::decode(&msg.link, &format!("{field}.link"))?)
        } else if msg.link.is_empty() {
            None
        } else {
            return Err(DecodeError::invalid(
                format!("{field}.link"),
                "only RegisterAddress carries a link",
            ));
        };
        Ok(KycProof {
            issuer: msg.issuer,
            root: FieldBytes::decode(&msg.root, &format!("{field}.root"))?,
            epoch_day: msg.epoch_day,
            nullifier: FieldBytes::decode(&msg.nullifier, &format!("{field}.nullifier"))?,
            escrow_r: decode_array(&msg.escrow_r, &format!("{field}.escrow_r"))?,
            escrow_c: FieldBytes::decode(&msg.escrow_c, &format!("{field}.escrow_c"))?,
            link,
            proof: decode_array(&msg.proof, &format!("{field}.proof"))?,
        })
    }

    fn to_proto(&self) -> proto::KycProof {
        proto::KycProof {
            issuer: self.issuer,
            root: self.root.0.to_vec(),
            epoch_day: self.epoch_day,
            nullifier: self.nullifier.0.to_vec(),
            escrow_r: self.escrow_r.to_vec(),
            escrow_c: self.escrow_c.0.to_vec(),
            link: self.link.map(|l| l.0.to_vec()).unwrap_or_default(),
            proof: self.proof.to_vec(),
        }
    }
}

fn optional_point(bytes: &[u8], field: &str) -> Result<Option<Point>, DecodeError> {
    if bytes.is_empty() {
        Ok(None)
    } else {
        Point::decode(bytes, field).map(Some)
    }
}

fn point_bytes(p: &Option<Point>) -> Vec<u8> {
    p.map(|p| p.to_bytes().to_vec()).unwrap_or_default()
}

/// Number of values the range proof covers: two per output, two for a limit, two for FX.
fn range_values(outputs: usize, limit: bool, fx: bool) -> usize {
    2 * outputs + if limit { 2 } else { 0 } + if fx { 2 } else { 0 }
}

impl TryFrom<&proto::Mint> for Mint {
    type Error = DecodeError;
    fn try_from(m: &proto::Mint) -> Result<Self, DecodeError> {
        check_asset_code(&m.asset, "mint.asset")?;
        count("mint.outputs", m.outputs.len(), 1, MAX_OUTPUTS)?;
        let outputs = m
            .outputs
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let f = format!("mint.outputs[{i}]");
                let out = o
                    .output
                    .as_ref()
                    .ok_or_else(|| DecodeError::missing(format!("{f}.output")))?;
                Ok((Output::from_proto(out, &format!("{f}.output"))?, o.amount))
            })
            .collect::<Result<Vec<_>, DecodeError>>()?;
        let refs: Vec<&Output> = outputs.iter().map(|(o, _)| o).collect();
        count(
            "mint.public_amount",
            m.public_amount.len(),
            2 * refs.len(),
            2 * refs.len(),
        )?;
        let public_amount = m
            .public_amount
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let n = refs[i / 2].amount.decryptors();
                SigmaProof::decode(
                    p,
                    &format!("mint.public_amount[{i}]"),
                    shape::public_amount(n),
                )
            })
            .collect::<Result<_, _>>()?;
        Ok(Mint {
            asset: m.asset.clone(),
            nonce: m.nonce,
            outputs,
            public_amount,
        })
    }
}

impl TryFrom<&proto::Transfer> for Transfer {
    type Error = DecodeError;
    fn try_from(t: &proto::Transfer) -> Result<Self, DecodeError> {
        check_asset_code(&t.asset, "transfer.asset")?;
        let inputs = inputs_from(&t.inputs, "transfer.inputs", 1, MAX_INPUTS)?;
        check_distinct(&inputs, "transfer.inputs")?;
        let outputs = outputs_from(&t.outputs, "transfer.outputs", 1, MAX_OUTPUTS)?;
        let limit_w0 = optional_point(&t.limit_w0, "transfer.limit_w0")?;
        let remittance = t
            .remittance
            .as_ref()
            .map(|r| -> Result<Remittance, DecodeError> {
                check_name(&r.operator, "transfer.remittance.operator")?;
                Ok(Remittance {
                    operator: r.operator.clone(),
                    quote_id: r.quote_id,
                    beneficiary_commitment: decode_array(
                        &r.beneficiary_commitment,
                        "transfer.remittance.beneficiary_commitment",
                    )?,
                    instruction: decode_array(&r.instruction, "transfer.remittance.instruction")?,
                })
            })
            .transpose()?;
        let kyc = t
            .kyc
            .as_ref()
            .map(|k| KycProof::from_proto(k, "transfer.kyc", false))
            .transpose()?;
        let refs: Vec<&Output> = outputs.iter().collect();
        let validity = validity_from(&t.validity, &refs, "transfer.validity")?;
        let range_proof = RangeProofBytes::decode(
            &t.range_proof,
            range_values(outputs.len(), limit_w0.is_some(), false),
            "transfer.range_proof",
        )?;
        let balance = SigmaProof::decode_required(&t.balance, "transfer.balance", shape::SINGLE)?;
        Ok(Transfer {
            asset: t.asset.clone(),
            inputs,
            outputs,
            fee: t.fee,
            limit_w0,
            remittance,
            kyc,
            validity,
            range_proof,
            balance,
        })
    }
}

impl TryFrom<&proto::PublishQuote> for PublishQuote {
    type Error = DecodeError;
    fn try_from(q: &proto::PublishQuote) -> Result<Self, DecodeError> {
        check_name(&q.operator, "publish_quote.operator")?;
        check_asset_code(&q.asset_from, "publish_quote.asset_from")?;
        check_asset_code(&q.asset_to, "publish_quote.asset_to")?;
        if q.asset_from == q.asset_to {
            return Err(DecodeError::invalid(
                "publish_quote.asset_to",
                "a quote converts between two different assets",
            ));
        }
        if q.den == 0 {
            return Err(DecodeError::invalid("publish_quote.den", "den must be ≥ 1"));
        }
        if q.num == 0 {
            return Err(DecodeError::invalid("publish_quote.num", "num must be ≥ 1"));
        }
        Ok(PublishQuote {
            operator: q.operator.clone(),
            quote_id: q.quote_id,
            asset_from: q.asset_from.clone(),
            asset_to: q.asset_to.clone(),
            num: q.num,
            den: q.den,
            expiry_height: q.expiry_height,
        })
    }
}

impl TryFrom<&proto::Payout> for Payout {
    type Error = DecodeError;
    fn try_from(p: &proto::Payout) -> Result<Self, DecodeError> {
        check_name(&p.operator, "payout.operator")?;
        let remittance_input = Input::from_proto(
            p.remittance_input
                .as_ref()
                .ok_or_else(|| DecodeError::missing("payout.remittance_input"))?,
            "payout.remittance_input",
        )?;
        let float_inputs = inputs_from(&p.float_inputs, "payout.float_inputs", 0, MAX_INPUTS - 1)?;
        check_distinct(
            std::iter::once(&remittance_input).chain(float_inputs.iter()),
            "payout.inputs",
        )?;
        let beneficiary = Address::from_proto_required(&p.beneficiary, "payout.beneficiary")?;
        let salt = decode_array(&p.salt, "payout.salt")?;
        let outputs = outputs_from(&p.outputs, "payout.outputs", 2, MAX_OUTPUTS)?;
        let limit_w0 = optional_point(&p.limit_w0, "payout.limit_w0")?;
        let fx_remainder = Point::decode(&p.fx_remainder, "payout.fx_remainder")?;
        let refs: Vec<&Output> = outputs.iter().collect();
        let validity = validity_from(&p.validity, &refs, "payout.validity")?;
        let range_proof = RangeProofBytes::decode(
            &p.range_proof,
            range_values(outputs.len(), limit_w0.is_some(), true),
            "payout.range_proof",
        )?;
        Ok(Payout {
            operator: p.operator.clone(),
            remittance_input,
            float_inputs,
            beneficiary,
            salt,
            outputs,
            limit_w0,
            fx_remainder,
            validity,
            range_proof,
            balance_from: SigmaProof::decode_required(
                &p.balance_from,
                "payout.balance_from",
                shape::SINGLE,
            )?,
            balance_to: SigmaProof::decode_required(
                &p.balance_to,
                "payout.balance_to",
                shape::SINGLE,
            )?,
            fx: SigmaProof::decode_required(&p.fx, "payout.fx", shape::SINGLE)?,
        })
    }
}

impl TryFrom<&proto::Burn> for Burn {
    type Error = DecodeError;
    fn try_from(b: &proto::Burn) -> Result<Self, DecodeError> {
        check_asset_code(&b.asset, "burn.asset")?;
        let inputs = inputs_from(&b.inputs, "burn.inputs", 1, MAX_INPUTS)?;
        check_distinct(&inputs, "burn.inputs")?;
        let mut change = outputs_from(&b.change, "burn.change", 0, 1)?;
        let refs: Vec<&Output> = change.iter().collect();
        let validity = validity_from(&b.validity, &refs, "burn.validity")?;
        let range_proof = RangeProofBytes::decode(
            &b.range_proof,
            range_values(change.len(), false, false),
            "burn.range_proof",
        )?;
        let kyc = b
            .kyc
            .as_ref()
            .map(|k| KycProof::from_proto(k, "burn.kyc", false))
            .transpose()?;
        Ok(Burn {
            asset: b.asset.clone(),
            inputs,
            change: change.pop(),
            burn_amount: b.burn_amount,
            fee: b.fee,
            kyc,
            validity,
            range_proof,
            balance: SigmaProof::decode_required(&b.balance, "burn.balance", shape::SINGLE)?,
        })
    }
}

impl TryFrom<&proto::RegisterAddress> for RegisterAddress {
    type Error = DecodeError;
    fn try_from(r: &proto::RegisterAddress) -> Result<Self, DecodeError> {
        Ok(RegisterAddress {
            address: Address::from_proto_required(&r.address, "register_address.address")?,
            kyc: KycProof::from_proto(
                r.kyc
                    .as_ref()
                    .ok_or_else(|| DecodeError::missing("register_address.kyc"))?,
                "register_address.kyc",
                true,
            )?,
            view_key_possession: SigmaProof::decode_required(
                &r.view_key_possession,
                "register_address.view_key_possession",
                shape::SINGLE,
            )?,
        })
    }
}

impl TryFrom<&proto::KycRootUpdate> for KycRootUpdate {
    type Error = DecodeError;
    fn try_from(u: &proto::KycRootUpdate) -> Result<Self, DecodeError> {
        Ok(KycRootUpdate {
            issuer: u.issuer,
            seq: u.seq,
            previous_root: FieldBytes::decode(&u.previous_root, "kyc_root_update.previous_root")?,
            new_root: FieldBytes::decode(&u.new_root, "kyc_root_update.new_root")?,
        })
    }
}

impl TryFrom<&proto::Transaction> for UnsignedTransaction {
    type Error = DecodeError;
    fn try_from(t: &proto::Transaction) -> Result<Self, DecodeError> {
        if t.version != PROTOCOL_VERSION {
            return Err(DecodeError::UnsupportedVersion(t.version));
        }
        check_name(&t.network, "network")?;
        use proto::transaction::Body;
        let body = match t
            .body
            .as_ref()
            .ok_or_else(|| DecodeError::missing("body"))?
        {
            Body::Mint(m) => TxBody::Mint(m.try_into()?),
            Body::Transfer(m) => TxBody::Transfer(m.try_into()?),
            Body::PublishQuote(m) => TxBody::PublishQuote(m.try_into()?),
            Body::Payout(m) => TxBody::Payout(m.try_into()?),
            Body::Burn(m) => TxBody::Burn(m.try_into()?),
            Body::RegisterAddress(m) => TxBody::RegisterAddress(m.try_into()?),
            Body::KycRootUpdate(m) => TxBody::KycRootUpdate(m.try_into()?),
        };
        Ok(UnsignedTransaction {
            network: t.network.clone(),
            body,
        })
    }
}

impl TryFrom<&proto::Transaction> for Transaction {
    type Error = DecodeError;
    fn try_from(t: &proto::Transaction) -> Result<Self, DecodeError> {
        // The version first: another version may sign differently, and "unsupported version"
        // is what its sender needs to hear, not a signature length.
        let unsigned = UnsignedTransaction::try_from(t)?;
        let signature = decode_array::<SIGNATURE_LEN>(&t.signature, "signature")?;
        Ok(Transaction {
            unsigned,
            signature,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Domain → wire

fn body_to_proto(b: &TxBody) -> proto::transaction::Body {
    use proto::transaction::Body;
    let sigmas = |v: &[SigmaProof]| v.iter().map(SigmaProof::to_proto).collect::<Vec<_>>();
    match b {
        TxBody::Mint(m) => Body::Mint(proto::Mint {
            asset: m.asset.clone(),
            nonce: m.nonce,
            outputs: m
                .outputs
                .iter()
                .map(|(o, a)| proto::MintOutput {
                    output: Some(o.to_proto()),
                    amount: *a,
                })
                .collect(),
            public_amount: sigmas(&m.public_amount),
        }),
        TxBody::Transfer(t) => Body::Transfer(proto::Transfer {
            asset: t.asset.clone(),
            inputs: t.inputs.iter().map(Input::to_proto).collect(),
            outputs: t.outputs.iter().map(Output::to_proto).collect(),
            fee: t.fee,
            limit_w0: point_bytes(&t.limit_w0),
            remittance: t.remittance.as_ref().map(|r| proto::Remittance {
                operator: r.operator.clone(),
                quote_id: r.quote_id,
                beneficiary_commitment: r.beneficiary_commitment.to_vec(),
                instruction: r.instruction.to_vec(),
            }),
            kyc: t.kyc.as_ref().map(KycProof::to_proto),
            validity: sigmas(&t.validity),
            range_proof: t.range_proof.0.clone(),
            balance: Some(t.balance.to_proto()),
        }),
        TxBody::PublishQuote(q) => Body::PublishQuote(proto::PublishQuote {
            operator: q.operator.clone(),
            quote_id: q.quote_id,
            asset_from: q.asset_from.clone(),
            asset_to: q.asset_to.clone(),
            num: q.num,
            den: q.den,
            expiry_height: q.expiry_height,
        }),
        TxBody::Payout(p) => Body::Payout(proto::Payout {
            operator: p.operator.clone(),
            remittance_input: Some(p.remittance_input.to_proto()),
            float_inputs: p.float_inputs.iter().map(Input::to_proto).collect(),
            beneficiary: Some(p.beneficiary.to_proto()),
            salt: p.salt.to_vec(),
            outputs: p.outputs.iter().map(Output::to_proto).collect(),
            limit_w0: point_bytes(&p.limit_w0),
            fx_remainder: p.fx_remainder.to_bytes().to_vec(),
            validity: sigmas(&p.validity),
            range_proof: p.range_proof.0.clone(),
            balance_from: Some(p.balance_from.to_proto()),
            balance_to: Some(p.balance_to.to_proto()),
            fx: Some(p.fx.to_proto()),
        }),
        TxBody::Burn(b) => Body::Burn(proto::Burn {
            asset: b.asset.clone(),
            inputs: b.inputs.iter().map(Input::to_proto).collect(),
            change: b.change.iter().map(Output::to_proto).collect(),
            burn_amount: b.burn_amount,
            fee: b.fee,
            kyc: b.kyc.as_ref().map(KycProof::to_proto),
            validity: sigmas(&b.validity),
            range_proof: b.range_proof.0.clone(),
            balance: Some(b.balance.to_proto()),
        }),
        TxBody::RegisterAddress(r) => Body::RegisterAddress(proto::RegisterAddress {
            address: Some(r.address.to_proto()),
            kyc: Some(r.kyc.to_proto()),
            view_key_possession: Some(r.view_key_possession.to_proto()),
        }),
        TxBody::KycRootUpdate(u) => Body::KycRootUpdate(proto::KycRootUpdate {
            issuer: u.issuer,
            seq: u.seq,
            previous_root: u.previous_root.0.to_vec(),
            new_root: u.new_root.0.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_bytes_reject_modulus_and_above() {
        assert!(FieldBytes::decode(&BN254_R_LE, "r").is_err());
        let mut below = BN254_R_LE;
        below[0] = 0;
        assert!(FieldBytes::decode(&below, "r").is_ok());
        assert!(FieldBytes::decode(&[0xff; 32], "r").is_err());
        assert!(FieldBytes::decode(&[0; 32], "r").is_ok());
        assert!(FieldBytes::decode(&[0; 31], "r").is_err());
    }

    #[test]
    fn range_proof_lengths_match_bulletproofs() {
        // 32-bit, m = 1: 2·5 + 9 = 19 elements.
        assert_eq!(range_proof_len(1), 19 * 32);
        assert_eq!(range_proof_len(4), (9 + 14) * 32);
        assert_eq!(range_parties(0), 1);
        assert_eq!(range_parties(3), 4);
        assert_eq!(range_parties(36), 64);
    }

    #[test]
    fn names_and_codes() {
        assert!(check_name("corridor-dev", "n").is_ok());
        assert!(check_name("", "n").is_err());
        assert!(check_name("Caps", "n").is_err());
        assert!(check_asset_code("HKD", "a").is_ok());
        assert!(check_asset_code("hkd", "a").is_err());
        assert!(check_asset_code("TOOLONGASSETCODE", "a").is_err());
    }
}
