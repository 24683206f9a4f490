//! How an attack runs: edit a valid transaction, RE-SIGN it with the true signer's key (the
//! attacker is the signer), send the canonical bytes through `Transaction::decode` and
//! `verify_transaction` exactly as a node would (the case's state and block, the KYC verifying
//! key), and compare the verdict with the one error the edit must produce.
//!
//! Two attackers:
//! - *re-signed*: edits a field or a proof byte, keeps the other proofs, re-signs;
//! - *re-proved*: edits a public field, then proves every sigma relation and the range proof of
//!   the edited statement again with the honest witnesses (see [`super::forge`]) and re-signs.
//!   The transcript no longer betrays the edit, so the relation that binds the field has to
//!   catch it. A customer's Groth16 KYC proof is not remade ([`super::forge`]): an edit that
//!   every sigma and range proof lets through meets the KYC proof, which is verified last.
use super::fixture::{Case, Fixture};
use super::forge::Forged;
use corridor_core::keys::SpendKey;
use corridor_core::proto;
use corridor_core::state::BlockContext;
use corridor_core::statement::StatementError;
use corridor_core::tx::{Transaction, UnsignedTransaction};
use corridor_core::DecodeError;
use corridor_node::MemoryLedger;
use corridor_verifier::groth16::Element;
use corridor_verifier::{
    verify_transaction, KycStatus, ProofError, VerifiedTransaction, VerifyContext, VerifyError,
};
use prost::Message;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::fmt;
use std::sync::Arc;

/// A verdict.
pub type Verdict = Result<VerifiedTransaction, VerifyError>;

/// The one verdict an attack must get.
#[derive(Clone, PartialEq, Eq)]
pub enum Expect {
    /// It verifies: the edit is a statement its signer may make and nothing needs proving (a
    /// quote's terms, a root update), or a value no relation depends on by design (hints). A
    /// customer's transaction verifies with its KYC proof `Verified`, any other `NotRequired`.
    Accepted,
    /// Exactly this error.
    Err(VerifyError),
    /// `DecodeError::Invalid` of exactly this field (its reason is prose).
    DecodeInvalid(String),
    /// `ProofError::KycFormat` naming exactly this element of the Groth16 proof (the rest of
    /// the message is prose).
    KycFormat(Element),
}

impl fmt::Debug for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Accepted => f.write_str("accepted"),
            Expect::Err(e) => write!(f, "{e:?}"),
            Expect::DecodeInvalid(field) => write!(f, "Decode(Invalid {{ field: {field:?}, .. }})"),
            Expect::KycFormat(element) => write!(f, "Proof(KycFormat(\"{element}: ..\"))"),
        }
    }
}

impl Expect {
    /// Whether `v` is this verdict.
    pub fn matches(&self, v: &Verdict) -> bool {
        match (self, v) {
            (Expect::Accepted, Ok(t)) => {
                let expected = if t.statement().kyc.is_some() {
                    KycStatus::Verified
                } else {
                    KycStatus::NotRequired
                };
                t.kyc() == expected
            }
            (Expect::Err(e), Err(got)) => e == got,
            (
                Expect::DecodeInvalid(f),
                Err(VerifyError::Decode(DecodeError::Invalid { field, .. })),
            ) => field == f,
            (Expect::KycFormat(element), Err(VerifyError::Proof(ProofError::KycFormat(m)))) => {
                m.starts_with(&format!("{element}: "))
            }
            _ => false,
        }
    }

    /// Whether this verdict comes after the statement resolved (a proof's or the signature's
    /// verdict, or acceptance).
    pub fn resolves(&self) -> bool {
        matches!(
            self,
            Expect::Accepted
                | Expect::KycFormat(_)
                | Expect::Err(VerifyError::Proof(_))
                | Expect::Err(VerifyError::Signature { .. })
        )
    }
}

/// `ProofError::Sigma { relation, index, equation }`.
pub fn sigma(relation: &'static str, index: usize, equation: usize) -> Expect {
    Expect::Err(VerifyError::Proof(ProofError::Sigma {
        relation,
        index,
        equation,
    }))
}

/// `ProofError::Range`.
pub fn range() -> Expect {
    Expect::Err(VerifyError::Proof(ProofError::Range))
}

/// `ProofError::RangeFormat` with bulletproofs' message.
pub fn range_format() -> Expect {
    Expect::Err(VerifyError::Proof(ProofError::RangeFormat(
        bulletproofs::ProofError::FormatError.to_string(),
    )))
}

/// `ProofError::Kyc`: the Groth16 proof does not verify against the public inputs the verifier
/// resolved.
pub fn kyc() -> Expect {
    Expect::Err(VerifyError::Proof(ProofError::Kyc))
}

/// `ProofError::KycInputs` with this message.
pub fn kyc_inputs(message: String) -> Expect {
    Expect::Err(VerifyError::Proof(ProofError::KycInputs(message)))
}

/// A statement error.
pub fn stmt(e: StatementError) -> Expect {
    Expect::Err(VerifyError::Statement(e))
}

/// `StatementError::Kyc` with this message.
pub fn stmt_kyc(message: String) -> Expect {
    stmt(StatementError::Kyc(message))
}

/// A decode error.
pub fn dec(e: DecodeError) -> Expect {
    Expect::Err(VerifyError::Decode(e))
}

/// A signature error.
pub fn signature(kind: &'static str) -> Expect {
    Expect::Err(VerifyError::Signature { kind })
}

/// An edit of a valid transaction.
#[derive(Clone)]
pub enum Edit {
    /// Of the domain value (anything the types can hold).
    Body(Arc<dyn Fn(&mut UnsignedTransaction) + Send + Sync>),
    /// Of the wire message (what the domain types cannot hold: identity keys, non-canonical
    /// bytes).
    Wire(Arc<dyn Fn(&mut proto::Transaction) + Send + Sync>),
}

/// One attack and its verdicts.
#[derive(Clone)]
pub struct Mutation {
    /// What it changes.
    pub name: String,
    /// The change.
    pub edit: Edit,
    /// The verdict when the attacker re-signs.
    pub resigned: Expect,
    /// The verdict when the attacker re-proves and re-signs (`None`: the edit is of a proof or of
    /// bytes, where re-proving means nothing).
    pub reproved: Option<Expect>,
    /// Who re-signs, when not the case's signer.
    pub signer: Option<SpendKey>,
}

impl Mutation {
    /// A domain edit.
    pub fn body(
        name: impl Into<String>,
        f: impl Fn(&mut UnsignedTransaction) + Send + Sync + 'static,
        resigned: Expect,
        reproved: Option<Expect>,
    ) -> Self {
        Mutation {
            name: name.into(),
            edit: Edit::Body(Arc::new(f)),
            resigned,
            reproved,
            signer: None,
        }
    }

    /// A domain edit whose verdict does not depend on re-proving.
    pub fn same(
        name: impl Into<String>,
        f: impl Fn(&mut UnsignedTransaction) + Send + Sync + 'static,
        expect: Expect,
    ) -> Self {
        Self::body(name, f, expect.clone(), Some(expect))
    }

    /// A wire edit.
    pub fn wire(
        name: impl Into<String>,
        f: impl Fn(&mut proto::Transaction) + Send + Sync + 'static,
        expect: Expect,
    ) -> Self {
        Mutation {
            name: name.into(),
            edit: Edit::Wire(Arc::new(f)),
            resigned: expect,
            reproved: None,
            signer: None,
        }
    }

    /// Re-signed by `key` instead of the case's signer.
    pub fn signed_by(mut self, key: &SpendKey) -> Self {
        self.signer = Some(key.clone());
        self
    }
}

/// Signs the wire message (signature cleared) with `key` and encodes it.
pub fn sign_wire(mut p: proto::Transaction, key: &SpendKey) -> Vec<u8> {
    p.signature.clear();
    let sig = key.sign(&p.encode_to_vec());
    p.signature = sig.to_vec();
    p.encode_to_vec()
}

/// What the verifier is given besides a transaction: genesis, `state`, `block` and the KYC
/// verifying key.
pub fn context<'a>(
    fx: &'a Fixture,
    state: &'a MemoryLedger,
    block: BlockContext,
) -> VerifyContext<'a> {
    VerifyContext {
        genesis: &fx.genesis,
        state,
        block,
        kyc_key: &fx.keys.verifying,
    }
}

/// Verifies `tx` as a node validating the case's block does.
pub fn verify_in(fx: &Fixture, case: &Case, tx: &Transaction) -> Verdict {
    verify_transaction(tx, &context(fx, &case.state, case.block))
}

/// What a node does with bytes: canonical decode, then verification against the case's state
/// and block. Checks first that the attacker's signature is valid, so that no verdict comes from
/// a bad re-signing.
pub fn verify_bytes(fx: &Fixture, case: &Case, bytes: &[u8], signer: &SpendKey) -> Verdict {
    let tx = Transaction::decode(bytes)?;
    assert!(
        tx.signature_valid(&signer.public()),
        "the attacker's re-signature must be valid"
    );
    verify_in(fx, case, &tx)
}

/// Verifies `u` signed by `key` against the case's state and block.
pub fn submit(fx: &Fixture, case: &Case, u: UnsignedTransaction, key: &SpendKey) -> Verdict {
    verify_bytes(fx, case, &u.sign(key).encode(), key)
}

/// The re-signing attacker.
pub fn resigned(fx: &Fixture, case: &Case, m: &Mutation) -> Verdict {
    let signer = m.signer.as_ref().unwrap_or(&case.signer);
    let bytes = match &m.edit {
        Edit::Body(f) => {
            let mut u = case.tx.clone().into_unsigned();
            f(&mut u);
            u.sign(signer).encode()
        }
        Edit::Wire(f) => {
            let mut p = case.tx.unsigned().to_proto();
            f(&mut p);
            sign_wire(p, signer)
        }
    };
    verify_bytes(fx, case, &bytes, signer)
}

/// The re-proving attacker: the case's [`Forged::baseline`], edited, every sigma and range
/// proof made again.
pub fn reproved(fx: &Fixture, case: &Case, m: &Mutation, rng: &mut ChaCha20Rng) -> Verdict {
    let signer = m.signer.as_ref().unwrap_or(&case.signer);
    let Edit::Body(f) = &m.edit else {
        panic!("{}: only domain edits are re-proved", m.name);
    };
    let mut forged = Forged::baseline(fx, case);
    f(&mut forged.tx);
    // A body the wire refuses never reaches the prover's statement.
    if let Err(e) = UnsignedTransaction::decode(&forged.tx.encode()) {
        return Err(VerifyError::Decode(e));
    }
    // A statement that does not resolve cannot be proven; the stale proofs go out and the
    // verifier's resolution must refuse it the same way.
    let u = forged
        .prove(fx, case, rng)
        .unwrap_or_else(|_| forged.tx.clone());
    submit(fx, case, u, signer)
}

/// A verdict in a message.
pub fn describe(v: &Verdict) -> String {
    match v {
        Ok(t) => format!("accepted (kyc {:?})", t.kyc()),
        Err(e) => format!("{e:?}"),
    }
}

/// The controls of a case: the fixture transaction verifies (a customer's with its KYC proof
/// verified), and so does the re-proving attacker's transaction before any edit (so a rejection
/// never comes from a broken fixture or a broken forger).
pub fn controls(fx: &Fixture, case: &Case, rng: &mut ChaCha20Rng) {
    let v = verify_bytes(fx, case, &case.tx.encode(), &case.signer);
    let want = if case.is_customer() {
        KycStatus::Verified
    } else {
        KycStatus::NotRequired
    };
    assert_eq!(
        v.as_ref().map(|t| t.kyc()).ok(),
        Some(want),
        "{}: the fixture must verify: {}",
        case.name,
        describe(&v)
    );
    let u = Forged::baseline(fx, case)
        .prove(fx, case, rng)
        .expect("resolves");
    let v = submit(fx, case, u, &case.signer);
    assert!(
        Expect::Accepted.matches(&v),
        "{}: the forger's honest proof must verify: {}",
        case.name,
        describe(&v)
    );
}

/// Runs every mutation (both attackers where they apply) in parallel and fails with the list of
/// every verdict that differs from its expectation.
pub fn run(fx: &Fixture, case: &Case, muts: &[Mutation], seed: u64) -> usize {
    controls(fx, case, &mut ChaCha20Rng::seed_from_u64(seed));
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get().min(8));
    let chunk = muts.len().div_ceil(threads).max(1);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = muts
            .chunks(chunk)
            .enumerate()
            .map(|(t, ms)| {
                s.spawn(move || {
                    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ ((t as u64 + 1) << 32));
                    let mut out = Vec::new();
                    for m in ms {
                        let got = resigned(fx, case, m);
                        if !m.resigned.matches(&got) {
                            out.push(format!(
                                "{} / {} [re-signed]: expected {:?}, got {}",
                                case.name,
                                m.name,
                                m.resigned,
                                describe(&got)
                            ));
                        }
                        if let Some(want) = &m.reproved {
                            let got = reproved(fx, case, m, &mut rng);
                            if !want.matches(&got) {
                                out.push(format!(
                                    "{} / {} [re-proved]: expected {:?}, got {}",
                                    case.name,
                                    m.name,
                                    want,
                                    describe(&got)
                                ));
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("attack thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} attacks got the wrong verdict:\n{}",
        failures.len(),
        muts.len(),
        failures.join("\n")
    );
    muts.len()
}

/// Each sigma and range proof's own verdict, in verification order: every sigma proof (labelled
/// `relation index`), then the range proof (`range`). The transcript advances exactly as the
/// verifier's does whether or not a proof holds, so a failing proof does not disturb the
/// verdicts after it: this shows which proofs an attack breaks, and that it breaks only those.
/// (The Groth16 KYC proof, verified after them, is the forger's to remake or not: see
/// [`super::forge`].)
pub fn each_proof(
    fx: &Fixture,
    case: &Case,
    tx: &Transaction,
) -> Vec<(String, Result<(), ProofError>)> {
    use corridor_verifier::sigma::{relation_name, verify};
    let st =
        corridor_core::statement::resolve(tx.unsigned(), &fx.genesis, &case.state, &case.block)
            .expect("resolves");
    let mut t = st.transcript();
    let mut out: Vec<(String, Result<(), ProofError>)> = st
        .relations
        .iter()
        .zip(tx.body().sigma_proofs())
        .enumerate()
        .map(|(i, (rel, p))| {
            (
                format!("{} {i}", relation_name(rel)),
                verify(rel, p, i, &mut t),
            )
        })
        .collect();
    if let Some(rp) = tx.body().range_proof() {
        let r = corridor_verifier::range::verify_range(&st.range, rp, st.relations.len(), &mut t);
        out.push(("range".into(), r));
    }
    out
}

/// Asserts that exactly the proofs labelled `failing` fail.
pub fn assert_only(verdicts: &[(String, Result<(), ProofError>)], failing: &[&str]) {
    let failed: Vec<&str> = verdicts
        .iter()
        .filter(|(_, r)| r.is_err())
        .map(|(l, _)| l.as_str())
        .collect();
    assert_eq!(failed, failing, "the proofs that fail: {verdicts:?}");
}

/// Decode and verify against the case's state and block, with whatever signature the bytes
/// carry.
pub fn verify_bytes_unchecked(fx: &Fixture, case: &Case, bytes: &[u8]) -> Verdict {
    let tx = Transaction::decode(bytes)?;
    verify_in(fx, case, &tx)
}
