//! Statements: a transaction resolved against genesis and public state into everything its
//! proofs speak about (DESIGN.md §3.1, §3.5, §3.7).
//!
//! [`resolve`] is shared by the prover and the verifier, so both see the same relations in the
//! same order and the same transcript: `corridor/tx/v1`, the network id, the kind, then EVERY
//! value of the statement — the transaction's public fields and the values resolved from state
//! (input notes' chunk commitments and owner handles, owner addresses, auditor keys, the limit,
//! quote terms, fee) and the KYC public inputs — each vector preceded by its length, before any
//! prover message. Proof fields are never read here: a builder resolves a body whose proofs are
//! still empty.
use crate::address::Address;
use crate::elgamal::EncryptedAmount;
use crate::genesis::{AssetPolicy, Genesis};
use crate::group::{g, Point};
use crate::instruction::beneficiary_commitment;
use crate::note::Note;
use crate::proofs;
use crate::range::{limit_w1, RangeStatement};
use crate::sigma::LinearRelation;
use crate::state::{
    next_root_update, year_month, BlockContext, PublicState, RootStanding, StoreError,
};
use crate::transcript::{tx_transcript, TranscriptProtocol};
use crate::tx::{
    Burn, Digest, FieldBytes, Input, KycProof, Mint, Output, Payout, PublishQuote, RegisterAddress,
    Transfer, TxBody, UnsignedTransaction,
};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use merlin::Transcript;
use thiserror::Error;

/// A transaction that does not fit the public data it references.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum StatementError {
    /// Signed for another network.
    #[error("network {found:?}: this ledger is {expected:?}")]
    WrongNetwork {
        /// The ledger's.
        expected: String,
        /// The transaction's.
        found: String,
    },
    /// An asset genesis does not list.
    #[error("{field}: unknown asset {code:?}")]
    UnknownAsset {
        /// Where.
        field: String,
        /// The code.
        code: String,
    },
    /// An operator genesis does not list.
    #[error("unknown operator {0:?}")]
    UnknownOperator(String),
    /// A KYC issuer genesis does not list.
    #[error("unknown KYC issuer {0}")]
    UnknownIssuer(u32),
    /// An input that is not a committed note.
    #[error("input {index}: note {id} does not exist")]
    UnknownNote {
        /// Input index.
        index: usize,
        /// Short note id.
        id: String,
    },
    /// An input of another asset.
    #[error("input {index}: note is {found}, expected {expected}")]
    InputAsset {
        /// Input index.
        index: usize,
        /// The note's asset.
        found: String,
        /// The transaction's.
        expected: String,
    },
    /// The same note spent twice in one transaction. (The wire decoder refuses it first; this
    /// holds for transactions built in process, which never pass the decoder.)
    #[error("input {index}: note {id} is spent twice in one transaction")]
    RepeatedInput {
        /// Input index (statement order).
        index: usize,
        /// Short note id.
        id: String,
    },
    /// Inputs of more than one owner, or not the owner the kind requires.
    #[error("input {index}: note belongs to {owner}, not to {expected}")]
    InputOwner {
        /// Input index.
        index: usize,
        /// The note's owner.
        owner: String,
        /// Who must own it.
        expected: String,
    },
    /// An output to an address that is not registered with exactly these keys.
    #[error("output {index}: recipient {address} is not registered")]
    Unregistered {
        /// Output index.
        index: usize,
        /// The address.
        address: String,
    },
    /// An output whose handles do not match the owner plus the asset's auditors.
    #[error(
        "output {index}: {found} decryption handles, the asset needs {expected} (owner + auditors)"
    )]
    Decryptors {
        /// Output index.
        index: usize,
        /// Required.
        expected: usize,
        /// Found.
        found: usize,
    },
    /// An output whose owner handle or hint ephemeral is the identity (DESIGN.md §3.1), or whose
    /// hints are neither absent nor one per decryptor.
    #[error("output {index}: {reason}")]
    MalformedOutput {
        /// Output index.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// An output to an address the kind does not allow.
    #[error("output {index}: must pay {expected}")]
    WrongRecipient {
        /// Output index.
        index: usize,
        /// Who it must pay.
        expected: String,
    },
    /// The limit's `W0` is present when it must be absent or the reverse.
    #[error("limit_w0: {0}")]
    Limit(&'static str),
    /// The KYC section is missing for a customer or present for an institution.
    #[error("kyc: {0}")]
    Kyc(String),
    /// A quote that does not exist or does not fit.
    #[error("quote: {0}")]
    Quote(String),
    /// A Payout that does not fit its remittance.
    #[error("remittance: {0}")]
    Remittance(String),
    /// A registration of an address that already exists.
    #[error("address {0} is already registered")]
    AlreadyRegistered(String),
    /// A KYC root update out of sequence or not chaining from the issuer's current root.
    #[error("kyc root update: {0}")]
    RootUpdate(String),
    /// A field the wire decoder refuses (a field element at or above the BN254 modulus), in
    /// a transaction built in process: resolution re-checks the decoder's invariants.
    #[error("{0}")]
    Field(#[from] crate::error::DecodeError),
    /// The state store failed while the statement was resolved.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the KYC proof's `scope` is derived from (DESIGN.md §3.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KycScope {
    /// Transfer and Burn: `H_to_Fr(digest)`; their nullifiers are unlinkable and not recorded.
    Transaction(Digest),
    /// RegisterAddress: one registration nullifier per identity, network and month. The month
    /// is that of the proof's `epoch_day`, which the node checks is the block's day or the day
    /// before, so it is the block's month or the previous one.
    Registration {
        /// Network id.
        network: String,
        /// Year of `epoch_day`.
        year: u32,
        /// Month of `epoch_day`, 1–12.
        month: u32,
    },
}

/// Every public input of a customer's KYC proof, as bytes: those that travel with the
/// transaction and those the node supplies (policy, escrow key, the registration's `link`, the
/// scope and the binding's preimage). The verifier maps them to field elements in the circuit's
/// order; none of them is taken from the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KycPublicInputs {
    /// The traveling section (issuer, root, epoch day, nullifier, escrow ciphertext, proof).
    pub proof: KycProof,
    /// The policy mask ∧ the issuer's jurisdictions.
    pub allowed_mask: u32,
    /// Highest tier.
    pub max_tier: u32,
    /// The regulators' escrow key.
    pub escrow_pk: [u8; 32],
    /// `link`: carried by RegisterAddress, the registration's stored value for Transfer and Burn.
    pub link: crate::tx::FieldBytes,
    /// What `scope` is derived from.
    pub scope: KycScope,
    /// The signer's spend key `X`: `binding = H_to_Fr("corridor/kyc-binding/v1", X, digest)`.
    pub signer: Point,
    /// The statement digest.
    pub digest: Digest,
}

/// A resolved statement.
#[derive(Clone)]
pub struct Statement {
    /// The transaction kind.
    pub kind: &'static str,
    /// The statement digest.
    pub digest: Digest,
    /// The key that must have signed.
    pub signer: Point,
    /// The signer's address, for kinds signed by an address.
    pub signer_address: Option<Address>,
    /// The sigma relations, in proof order.
    pub relations: Vec<LinearRelation>,
    /// The range-proven commitments.
    pub range: RangeStatement,
    /// Each output's asset.
    pub output_assets: Vec<String>,
    /// The resolved input notes, in statement order.
    pub inputs: Vec<Note>,
    /// KYC public inputs of a customer's transaction.
    pub kyc: Option<KycPublicInputs>,
    transcript: Transcript,
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement")
            .field("kind", &self.kind)
            .field("digest", &self.digest)
            .field("relations", &self.relations.len())
            .field("range", &self.range.commitments.len())
            .finish()
    }
}

impl Statement {
    /// The transcript with the statement appended, ready for the first sub-proof.
    pub fn transcript(&self) -> Transcript {
        self.transcript.clone()
    }
}

/// Resolves `tx` against genesis and state.
pub fn resolve(
    tx: &UnsignedTransaction,
    genesis: &Genesis,
    state: &dyn PublicState,
    block: &BlockContext,
) -> Result<Statement, StatementError> {
    if tx.network != genesis.network {
        return Err(StatementError::WrongNetwork {
            expected: genesis.network.clone(),
            found: tx.network.clone(),
        });
    }
    let kind = tx.body.kind();
    let digest = tx.digest();
    let mut r = Resolver {
        genesis,
        state,
        block,
        digest,
        t: tx_transcript(&tx.network, kind),
        relations: Vec::new(),
        range: RangeStatement::default(),
        output_assets: Vec::new(),
        inputs: Vec::new(),
        kyc: None,
        spent: Default::default(),
    };
    r.t.append_bytes(b"digest", &digest.0);
    let (signer, signer_address) = match &tx.body {
        TxBody::Mint(m) => r.mint(m)?,
        TxBody::Transfer(t) => r.transfer(t)?,
        TxBody::PublishQuote(q) => r.publish_quote(q)?,
        TxBody::Payout(p) => r.payout(p)?,
        TxBody::Burn(b) => r.burn(b)?,
        TxBody::RegisterAddress(a) => r.register(a)?,
        TxBody::KycRootUpdate(u) => {
            FieldBytes::decode(&u.previous_root.0, "kyc_root_update.previous_root")?;
            FieldBytes::decode(&u.new_root.0, "kyc_root_update.new_root")?;
            let issuer = genesis
                .kyc_issuer(u.issuer)
                .ok_or(StatementError::UnknownIssuer(u.issuer))?;
            let (expected_seq, expected_previous) =
                next_root_update(state.kyc_root_head(u.issuer)?);
            if u.seq != expected_seq {
                return Err(StatementError::RootUpdate(format!(
                    "issuer {}: seq {}, expected {expected_seq}",
                    u.issuer, u.seq
                )));
            }
            if u.previous_root != expected_previous {
                return Err(StatementError::RootUpdate(format!(
                    "issuer {}: previous root {:?} is not the current root {:?}",
                    u.issuer, u.previous_root, expected_previous
                )));
            }
            r.t.append_u64_value(b"issuer", u64::from(u.issuer));
            r.t.append_point(b"issuer-key", &issuer.key);
            r.t.append_u64_value(b"seq", u.seq);
            r.t.append_bytes(b"previous-root", &u.previous_root.0);
            r.t.append_bytes(b"new-root", &u.new_root.0);
            (issuer.key, None)
        }
    };
    r.t.append_point(b"signer", &signer);
    Ok(Statement {
        kind,
        digest,
        signer,
        signer_address,
        relations: r.relations,
        range: r.range,
        output_assets: r.output_assets,
        inputs: r.inputs,
        kyc: r.kyc,
        transcript: r.t,
    })
}

/// Every chunk of an output carries exactly one handle per decryptor (owner + auditors). The
/// wire decoder also requires both chunks to carry the same number; checking each chunk here
/// keeps a transaction built in process from leaving a chunk without an auditor's handle (the
/// validity relation pairs handles with decryptors and would prove only the pairs present).
fn check_decryptors(
    index: usize,
    amount: &EncryptedAmount,
    expected: usize,
) -> Result<(), StatementError> {
    match amount
        .chunks
        .iter()
        .map(|c| c.handles.len())
        .find(|&n| n != expected)
    {
        Some(found) => Err(StatementError::Decryptors {
            index,
            expected,
            found,
        }),
        None => check_output_points(index, amount, expected),
    }
}

/// The checks the wire decoder makes on an output, repeated for transactions built in process:
/// a non-identity owner handle and ephemeral, and hints either absent or one per decryptor.
fn check_output_points(
    index: usize,
    amount: &EncryptedAmount,
    decryptors: usize,
) -> Result<(), StatementError> {
    let malformed = |reason| Err(StatementError::MalformedOutput { index, reason });
    if amount.owner_handle().is_none_or(|d| d.is_identity()) {
        return malformed("the owner handle D_0 + 2^32·D_1 is the identity");
    }
    if amount.ephemeral.is_identity() {
        return malformed("the hint ephemeral E is the identity");
    }
    if !amount.hints.is_empty() && amount.hints.len() != decryptors {
        return malformed("hints must be absent or one per decryptor");
    }
    Ok(())
}

struct Resolver<'a> {
    genesis: &'a Genesis,
    state: &'a dyn PublicState,
    block: &'a BlockContext,
    digest: Digest,
    t: Transcript,
    relations: Vec<LinearRelation>,
    range: RangeStatement,
    output_assets: Vec<String>,
    inputs: Vec<Note>,
    kyc: Option<KycPublicInputs>,
    /// Input notes seen so far (a Payout resolves its inputs in two calls).
    spent: std::collections::BTreeSet<crate::tx::NoteId>,
}

type Signer = (Point, Option<Address>);

impl Resolver<'_> {
    fn asset(&self, code: &str, field: &str) -> Result<&AssetPolicy, StatementError> {
        self.genesis
            .asset(code)
            .ok_or_else(|| StatementError::UnknownAsset {
                field: field.to_string(),
                code: code.to_string(),
            })
    }

    fn append_address(&mut self, label: &'static [u8], a: &Address) {
        self.t.append_bytes(label, &a.to_bytes());
    }

    fn append_policy(&mut self, a: &AssetPolicy) {
        self.t.append_bytes(b"asset", a.code.as_bytes());
        self.t.append_len(b"auditors", a.auditors.len());
        for k in &a.auditors {
            self.t.append_point(b"auditor", k);
        }
        match a.limit {
            Some(l) => {
                self.t.append_u64_value(b"has-limit", 1);
                self.t.append_u64_value(b"limit", l);
            }
            None => self.t.append_u64_value(b"has-limit", 0),
        }
    }

    fn append_amount(&mut self, a: &EncryptedAmount) {
        self.t.append_len(b"chunks", a.chunks.len());
        for c in &a.chunks {
            self.t.append_point(b"commitment", &c.commitment);
            self.t.append_len(b"handles", c.handles.len());
            for h in &c.handles {
                self.t.append_point(b"handle", h);
            }
        }
        self.t.append_point(b"ephemeral", &a.ephemeral);
        self.t.append_len(b"hints", a.hints.len());
        for h in &a.hints {
            self.t
                .append_bytes(b"hint", h.as_ref().map(|b| &b[..]).unwrap_or(&[]));
        }
    }

    /// Binds, checks and range-lists outputs in `asset`, adding their validity relations.
    fn outputs<'o>(
        &mut self,
        outputs: impl IntoIterator<Item = (usize, &'o Output)>,
        policy: &AssetPolicy,
    ) -> Result<(), StatementError> {
        for (index, o) in outputs {
            if !self.state.is_registered(&o.owner)? {
                return Err(StatementError::Unregistered {
                    index,
                    address: o.owner.encode(),
                });
            }
            let decryptors = policy.decryptors(&o.owner);
            check_decryptors(index, &o.amount, decryptors.len())?;
            self.t.append_u64_value(b"output", index as u64);
            self.t.append_bytes(b"output-asset", policy.code.as_bytes());
            self.append_address(b"owner", &o.owner);
            self.append_amount(&o.amount);
            for c in &o.amount.chunks {
                self.relations.push(proofs::validity(c, &decryptors));
                self.range.commitments.push(c.commitment);
            }
            self.output_assets.push(policy.code.clone());
        }
        Ok(())
    }

    /// Resolves inputs: each a note of `asset` owned by `owner` (or, if `owner` is None, by the
    /// first input's owner). Adds equality relations. Returns the owner.
    fn inputs(
        &mut self,
        inputs: &[&Input],
        first_index: usize,
        asset: &str,
        owner: Option<Address>,
    ) -> Result<Address, StatementError> {
        let mut owner = owner;
        self.t.append_len(b"inputs", inputs.len());
        for (k, input) in inputs.iter().enumerate() {
            let index = first_index + k;
            if !self.spent.insert(input.note_id) {
                return Err(StatementError::RepeatedInput {
                    index,
                    id: input.note_id.short(),
                });
            }
            let note =
                self.state
                    .note(&input.note_id)?
                    .ok_or_else(|| StatementError::UnknownNote {
                        index,
                        id: input.note_id.short(),
                    })?;
            if note.asset != asset {
                return Err(StatementError::InputAsset {
                    index,
                    found: note.asset.clone(),
                    expected: asset.to_string(),
                });
            }
            let expected = *owner.get_or_insert(note.owner);
            if note.owner != expected {
                return Err(StatementError::InputOwner {
                    index,
                    owner: note.owner.encode(),
                    expected: expected.encode(),
                });
            }
            let d = note.owner_handle();
            self.t.append_bytes(b"note-id", input.note_id.as_bytes());
            self.append_address(b"note-owner", &note.owner);
            for c in &note.amount.chunks {
                self.t.append_point(b"note-commitment", &c.commitment);
                // The owner's handle of each chunk (handles[0]).
                if let Some(h) = c.handles.first() {
                    self.t.append_point(b"note-owner-handle", h);
                }
            }
            self.t.append_point(b"recommitment", &input.recommitment);
            self.relations.push(proofs::equality(
                note.owner.view_key(),
                &note.amount,
                &d,
                &input.recommitment,
            ));
            self.inputs.push(note);
        }
        owner.ok_or_else(|| StatementError::Remittance("no inputs".into()))
    }

    /// The limit of `policy` over `payees`: appends W0 (and lists W0, W1 for the range proof).
    fn limit(
        &mut self,
        policy: &AssetPolicy,
        payees: &[&Output],
        w0: &Option<Point>,
    ) -> Result<(), StatementError> {
        match (policy.limit, payees.is_empty(), w0) {
            (Some(l), false, Some(w0)) => {
                self.t.append_point(b"limit-w0", w0);
                let w1 = limit_w1(l, payees.iter().map(|o| o.amount.commitment()), w0);
                self.range.commitments.push(*w0);
                self.range.commitments.push(w1);
                Ok(())
            }
            (Some(_), false, None) => Err(StatementError::Limit(
                "the asset has a limit and an output pays another address: W0 is required",
            )),
            (_, _, Some(_)) => Err(StatementError::Limit(
                "no limit applies to this transaction: W0 must be absent",
            )),
            (_, _, None) => Ok(()),
        }
    }

    /// KYC: required from customers, refused from institutions. Resolves every public input
    /// of the proof: the root must be the issuer's current root or superseded less than
    /// `root_window` blocks ago; `epoch_day` the block's UTC day or the day before; `link` the
    /// registration's (Transfer, Burn) or the one carried (RegisterAddress, whose nullifier must
    /// be unused); all of them go into the transcript. Whether the proof is a `registration`'s
    /// comes from the kind, never from the section: a Transfer or Burn built in process (the
    /// decoder refuses it on the wire) that carried a `link` would otherwise be resolved as a
    /// registration and prove any credential instead of the one its address registered with.
    fn kyc(
        &mut self,
        signer: &Address,
        kyc: Option<&KycProof>,
        mask: u64,
        max_tier: u32,
        registration: bool,
    ) -> Result<(), StatementError> {
        let institutional = self.genesis.is_institutional(signer);
        let k = match (institutional, kyc) {
            (true, None) => {
                self.t.append_u64_value(b"kyc", 0);
                return Ok(());
            }
            (true, Some(_)) => {
                return Err(StatementError::Kyc(
                    "institutional addresses carry no KYC proof".into(),
                ))
            }
            (false, None) => {
                return Err(StatementError::Kyc(
                    "a customer's transaction must carry a KYC proof".into(),
                ))
            }
            (false, Some(k)) => k,
        };
        // The decoder's invariants, again for sections built in process.
        FieldBytes::decode(&k.root.0, "kyc.root")?;
        FieldBytes::decode(&k.nullifier.0, "kyc.nullifier")?;
        FieldBytes::decode(&k.escrow_c.0, "kyc.escrow_c")?;
        if let Some(link) = &k.link {
            FieldBytes::decode(&link.0, "kyc.link")?;
        }
        let issuer = self
            .genesis
            .kyc_issuer(k.issuer)
            .ok_or(StatementError::UnknownIssuer(k.issuer))?;
        match self.state.kyc_root(k.issuer, &k.root)? {
            Some(RootStanding::Current) => {}
            Some(RootStanding::SupersededAt(at))
                if self.block.height <= at.saturating_add(self.genesis.root_window) => {}
            Some(RootStanding::SupersededAt(at)) => {
                return Err(StatementError::Kyc(format!(
                    "root {:?} of issuer {} was superseded at height {at}, more than {} blocks before {}",
                    k.root, k.issuer, self.genesis.root_window, self.block.height
                )))
            }
            None => {
                return Err(StatementError::Kyc(format!(
                    "root {:?} was never published by issuer {}",
                    k.root, k.issuer
                )))
            }
        }
        let today = self.block.epoch_day();
        if k.epoch_day != today && k.epoch_day.checked_add(1) != Some(today) {
            return Err(StatementError::Kyc(format!(
                "epoch day {} is neither the block's day {today} nor the day before",
                k.epoch_day
            )));
        }
        let (link, scope) = match (registration, k.link) {
            (true, None) => {
                return Err(StatementError::Kyc(
                    "a registration carries its link".into(),
                ))
            }
            (false, Some(_)) => {
                return Err(StatementError::Kyc(
                    "only RegisterAddress carries a link".into(),
                ))
            }
            // RegisterAddress: the link it carries is stored; the nullifier is recorded.
            (true, Some(link)) => {
                if self.state.registration_nullifier_used(&k.nullifier)? {
                    return Err(StatementError::Kyc(format!(
                        "registration nullifier {:?} already used",
                        k.nullifier
                    )));
                }
                let (year, month) = year_month(k.epoch_day);
                let scope = KycScope::Registration {
                    network: self.genesis.network.clone(),
                    year,
                    month,
                };
                (link, scope)
            }
            (false, None) => {
                let link = self
                    .state
                    .registration_link(signer.spend_key())?
                    .ok_or_else(|| {
                        StatementError::Kyc(format!(
                            "{} has no KYC registration to link the proof to",
                            signer.encode()
                        ))
                    })?;
                (link, KycScope::Transaction(self.digest))
            }
        };
        let issuer_mask = self
            .genesis
            .jurisdictions
            .iter()
            .enumerate()
            .filter(|(_, j)| issuer.jurisdictions.contains(j))
            .fold(0u64, |m, (i, _)| m | (1u64 << i));
        let allowed_mask = u32::try_from(mask & issuer_mask).map_err(|_| {
            StatementError::Kyc("the allowed mask does not fit the circuit's 32 bits".into())
        })?;
        let public = KycPublicInputs {
            proof: k.clone(),
            allowed_mask,
            max_tier,
            escrow_pk: self.genesis.escrow_key,
            link,
            scope,
            signer: *signer.spend_key(),
            digest: self.digest,
        };
        self.t.append_u64_value(b"kyc", 1);
        self.t.append_u64_value(b"kyc-issuer", u64::from(k.issuer));
        self.t.append_bytes(b"kyc-root", &k.root.0);
        self.t
            .append_u64_value(b"kyc-epoch-day", u64::from(k.epoch_day));
        self.t.append_bytes(b"kyc-nullifier", &k.nullifier.0);
        self.t.append_bytes(b"kyc-escrow-r", &k.escrow_r);
        self.t.append_bytes(b"kyc-escrow-c", &k.escrow_c.0);
        self.t.append_bytes(b"kyc-link", &public.link.0);
        match &public.scope {
            KycScope::Transaction(d) => self.t.append_bytes(b"kyc-scope-digest", &d.0),
            KycScope::Registration {
                network,
                year,
                month,
            } => {
                self.t
                    .append_bytes(b"kyc-scope-register", network.as_bytes());
                self.t.append_u64_value(b"kyc-scope-year", u64::from(*year));
                self.t
                    .append_u64_value(b"kyc-scope-month", u64::from(*month));
            }
        }
        self.t.append_point(b"kyc-binding-key", &public.signer);
        self.t
            .append_u64_value(b"kyc-allowed-mask", u64::from(public.allowed_mask));
        self.t
            .append_u64_value(b"kyc-max-tier", u64::from(max_tier));
        self.t.append_bytes(b"kyc-escrow-pk", &public.escrow_pk);
        self.kyc = Some(public);
        Ok(())
    }

    fn mint(&mut self, m: &Mint) -> Result<Signer, StatementError> {
        let policy = self.asset(&m.asset, "mint.asset")?.clone();
        self.append_policy(&policy);
        self.t.append_u64_value(b"nonce", m.nonce);
        self.t.append_len(b"outputs", m.outputs.len());
        for (index, (o, amount)) in m.outputs.iter().enumerate() {
            if o.owner != policy.treasury {
                return Err(StatementError::WrongRecipient {
                    index,
                    expected: format!("the {} treasury", policy.code),
                });
            }
            let decryptors = policy.decryptors(&o.owner);
            check_decryptors(index, &o.amount, decryptors.len())?;
            self.t.append_u64_value(b"output", index as u64);
            self.append_address(b"owner", &o.owner);
            self.append_amount(&o.amount);
            self.t.append_u64_value(b"amount", *amount);
            let chunks = [amount & 0xffff_ffff, amount >> 32];
            for (c, v) in o.amount.chunks.iter().zip(chunks) {
                self.relations
                    .push(proofs::public_amount(c, v, &decryptors));
            }
            self.output_assets.push(policy.code.clone());
        }
        Ok((policy.issuer_key, None))
    }

    fn transfer(&mut self, t: &Transfer) -> Result<Signer, StatementError> {
        let policy = self.asset(&t.asset, "transfer.asset")?.clone();
        self.append_policy(&policy);
        self.t.append_u64_value(b"fee", t.fee);
        let inputs: Vec<&Input> = t.inputs.iter().collect();
        let owner = self.inputs(&inputs, 0, &t.asset, None)?;
        self.append_address(b"signer-address", &owner);
        self.t.append_len(b"outputs", t.outputs.len());
        self.outputs(t.outputs.iter().enumerate(), &policy)?;
        // Remittance: output 0 pays the quote operator's settlement address.
        match &t.remittance {
            Some(rem) => {
                let op = self
                    .genesis
                    .operator(&rem.operator)
                    .ok_or_else(|| StatementError::UnknownOperator(rem.operator.clone()))?
                    .clone();
                let quote = self
                    .state
                    .quote(&rem.operator, rem.quote_id)?
                    .ok_or_else(|| {
                        StatementError::Quote(format!(
                            "{} has no quote {}",
                            rem.operator, rem.quote_id
                        ))
                    })?;
                if quote.asset_from != t.asset {
                    return Err(StatementError::Quote(format!(
                        "quote {} converts {}, the transfer is in {}",
                        rem.quote_id, quote.asset_from, t.asset
                    )));
                }
                if t.outputs.first().map(|o| o.owner) != Some(op.settlement) {
                    return Err(StatementError::WrongRecipient {
                        index: 0,
                        expected: format!("{}'s settlement address", op.name),
                    });
                }
                self.t.append_u64_value(b"remittance", 1);
                self.t.append_bytes(b"operator", rem.operator.as_bytes());
                self.append_quote(&quote);
                self.t
                    .append_bytes(b"beneficiary-commitment", &rem.beneficiary_commitment);
                self.t.append_bytes(b"instruction", &rem.instruction);
            }
            None => self.t.append_u64_value(b"remittance", 0),
        }
        let payees: Vec<&Output> = t.outputs.iter().filter(|o| o.owner != owner).collect();
        self.limit(&policy, &payees, &t.limit_w0)?;
        self.kyc(
            &owner,
            t.kyc.as_ref(),
            policy.kyc_mask,
            policy.max_tier,
            false,
        )?;
        let recommitments: Vec<&Point> = t.inputs.iter().map(|i| &i.recommitment).collect();
        let outs: Vec<&EncryptedAmount> = t.outputs.iter().map(|o| &o.amount).collect();
        self.relations
            .push(proofs::balance(&recommitments, &outs, &[t.fee]));
        Ok((*owner.spend_key(), Some(owner)))
    }

    fn append_quote(&mut self, q: &PublishQuote) {
        self.t
            .append_bytes(b"quote-operator", q.operator.as_bytes());
        self.t.append_u64_value(b"quote-id", q.quote_id);
        self.t.append_bytes(b"quote-from", q.asset_from.as_bytes());
        self.t.append_bytes(b"quote-to", q.asset_to.as_bytes());
        self.t.append_u64_value(b"quote-num", u64::from(q.num));
        self.t.append_u64_value(b"quote-den", u64::from(q.den));
        self.t.append_u64_value(b"quote-expiry", q.expiry_height);
    }

    fn publish_quote(&mut self, q: &PublishQuote) -> Result<Signer, StatementError> {
        let op = self
            .genesis
            .operator(&q.operator)
            .ok_or_else(|| StatementError::UnknownOperator(q.operator.clone()))?;
        let key = op.key;
        self.asset(&q.asset_from, "publish_quote.asset_from")?;
        self.asset(&q.asset_to, "publish_quote.asset_to")?;
        // The decoder's rules, again for quotes built in process: a Payout computes `den − 1`.
        if q.den == 0 || q.num == 0 || q.asset_from == q.asset_to {
            return Err(StatementError::Quote(format!(
                "quote {}: num and den must be ≥ 1 and the assets must differ",
                q.quote_id
            )));
        }
        self.append_quote(q);
        Ok((key, None))
    }

    fn payout(&mut self, p: &Payout) -> Result<Signer, StatementError> {
        let op = self
            .genesis
            .operator(&p.operator)
            .ok_or_else(|| StatementError::UnknownOperator(p.operator.clone()))?
            .clone();
        let rem_note = self
            .state
            .note(&p.remittance_input.note_id)?
            .ok_or_else(|| StatementError::UnknownNote {
                index: 0,
                id: p.remittance_input.note_id.short(),
            })?;
        let tag = rem_note
            .remittance
            .clone()
            .filter(|t| t.operator == p.operator)
            .ok_or_else(|| {
                StatementError::Remittance(format!(
                    "note {} is not a remittance to {}",
                    p.remittance_input.note_id.short(),
                    p.operator
                ))
            })?;
        let quote = self
            .state
            .quote(&p.operator, tag.quote_id)?
            .ok_or_else(|| StatementError::Quote(format!("quote {} is unknown", tag.quote_id)))?;
        let from = self.asset(&quote.asset_from, "quote.asset_from")?.clone();
        let to = self.asset(&quote.asset_to, "quote.asset_to")?.clone();
        if beneficiary_commitment(&p.beneficiary, &p.salt) != tag.beneficiary_commitment {
            return Err(StatementError::Remittance(
                "beneficiary and salt do not open the transfer's commitment q".into(),
            ));
        }
        self.t.append_bytes(b"operator", p.operator.as_bytes());
        self.append_quote(&quote);
        self.append_policy(&from);
        self.append_policy(&to);
        self.t
            .append_bytes(b"beneficiary-commitment", &tag.beneficiary_commitment);
        self.append_address(b"beneficiary", &p.beneficiary);
        self.t.append_bytes(b"salt", &p.salt);
        self.append_address(b"settlement", &op.settlement);
        self.append_address(b"float", &op.float);
        self.inputs(&[&p.remittance_input], 0, &from.code, Some(op.settlement))?;
        let floats: Vec<&Input> = p.float_inputs.iter().collect();
        self.inputs(&floats, 1, &to.code, Some(op.float))?;
        // Outputs: [0] beneficiary in B, [1] settlement in A, [2..] float change in B.
        let expected = |i: usize| match i {
            0 => (p.beneficiary, "the beneficiary"),
            1 => (op.settlement, "the operator's settlement address"),
            _ => (op.float, "the operator's float address"),
        };
        for (i, o) in p.outputs.iter().enumerate() {
            let (addr, what) = expected(i);
            if o.owner != addr {
                return Err(StatementError::WrongRecipient {
                    index: i,
                    expected: what.to_string(),
                });
            }
        }
        self.t.append_len(b"outputs", p.outputs.len());
        let [beneficiary_out, settlement_out, change @ ..] = p.outputs.as_slice() else {
            return Err(StatementError::Remittance(
                "a payout has at least two outputs".into(),
            ));
        };
        self.outputs([(0, beneficiary_out)], &to)?;
        self.outputs([(1, settlement_out)], &from)?;
        self.outputs(change.iter().enumerate().map(|(i, o)| (i + 2, o)), &to)?;
        let payees: Vec<&Output> = p
            .outputs
            .iter()
            .filter(|o| o.owner != op.settlement && o.owner != op.float)
            .collect();
        self.limit(&to, &payees, &p.limit_w0)?;
        // FX: R and (den − 1)·G − R are range-proven.
        self.t.append_point(b"fx-remainder", &p.fx_remainder);
        self.range.commitments.push(p.fx_remainder);
        self.range.commitments.push(Point::new(
            Scalar::from(u64::from(quote.den) - 1) * g() - p.fx_remainder.point(),
        ));
        let rem_c = &p.remittance_input.recommitment;
        self.relations
            .push(proofs::balance(&[rem_c], &[&settlement_out.amount], &[]));
        let float_c: Vec<&Point> = p.float_inputs.iter().map(|i| &i.recommitment).collect();
        let outs_b: Vec<&EncryptedAmount> = std::iter::once(&beneficiary_out.amount)
            .chain(change.iter().map(|o| &o.amount))
            .collect();
        self.relations.push(proofs::balance(&float_c, &outs_b, &[]));
        self.relations.push(proofs::fx(
            rem_c,
            &beneficiary_out.amount,
            &p.fx_remainder,
            quote.num,
            quote.den,
        ));
        Ok((op.key, None))
    }

    fn burn(&mut self, b: &Burn) -> Result<Signer, StatementError> {
        let policy = self.asset(&b.asset, "burn.asset")?.clone();
        self.append_policy(&policy);
        self.t.append_u64_value(b"fee", b.fee);
        self.t.append_u64_value(b"burn", b.burn_amount);
        let inputs: Vec<&Input> = b.inputs.iter().collect();
        let owner = self.inputs(&inputs, 0, &b.asset, None)?;
        self.append_address(b"signer-address", &owner);
        self.t
            .append_len(b"outputs", usize::from(b.change.is_some()));
        if let Some(c) = &b.change {
            if c.owner != owner {
                return Err(StatementError::WrongRecipient {
                    index: 0,
                    expected: "the owner of the inputs (change only)".into(),
                });
            }
        }
        self.outputs(b.change.iter().enumerate(), &policy)?;
        self.kyc(
            &owner,
            b.kyc.as_ref(),
            policy.kyc_mask,
            policy.max_tier,
            false,
        )?;
        let recommitments: Vec<&Point> = b.inputs.iter().map(|i| &i.recommitment).collect();
        let outs: Vec<&EncryptedAmount> = b.change.iter().map(|o| &o.amount).collect();
        self.relations.push(proofs::balance(
            &recommitments,
            &outs,
            &[b.fee, b.burn_amount],
        ));
        Ok((*owner.spend_key(), Some(owner)))
    }

    fn register(&mut self, a: &RegisterAddress) -> Result<Signer, StatementError> {
        if self.state.is_registered(&a.address)?
            || self.state.spend_key_registered(a.address.spend_key())?
            || self.genesis.is_institutional(&a.address)
        {
            return Err(StatementError::AlreadyRegistered(a.address.encode()));
        }
        self.append_address(b"address", &a.address);
        self.kyc(
            &a.address,
            Some(&a.kyc),
            self.genesis.registration_mask,
            self.genesis.registration_max_tier,
            true,
        )?;
        self.relations
            .push(proofs::view_key_possession(a.address.view_key()));
        Ok((*a.address.spend_key(), Some(a.address)))
    }
}
