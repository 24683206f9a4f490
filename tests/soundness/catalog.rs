//! The attacks, per transaction kind, each with the one verdict it must get.
//!
//! Every public field of every kind, every message of every sigma proof, every 32-byte element
//! of every range proof and every element of every Groth16 KYC proof. The re-signing attacker's
//! edits of statement fields break the FIRST sigma proof (the statement digest opens the
//! transcript, so every challenge moves) unless resolution refuses the statement first; the
//! re-proving attacker's edits break the relation that binds the field (see
//! [`super::harness`]) — for a KYC public input, the Groth16 proof.
use super::fixture::{Case, Fixture, OPERATOR, QUOTE_ID};
use super::forge::{inputs_mut, outputs_mut};
use super::harness::{
    dec, kyc, kyc_inputs, range, range_format, sigma, signature, stmt, stmt_kyc, Expect, Mutation,
};
use ark_bn254::{G1Affine, G2Affine};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use corridor::network::{KYC_ISSUER_ID, PH_KYC_ISSUER_ID};

/// An issuer id the demo genesis does not know.
const NO_SUCH_ISSUER: u32 = 0x7e57;
use corridor_circuits::kyc::{nullifier, registration_scope};
use corridor_circuits::{fr_to_bytes, EscrowCiphertext};
use corridor_core::address::Address;
use corridor_core::elgamal::HINT_LEN;
use corridor_core::group::{chunk_scale, g, Point};
use corridor_core::proto;
use corridor_core::sigma::SigmaProof;
use corridor_core::state::PublicState;
use corridor_core::state::{year_month, RootStanding};
use corridor_core::statement::StatementError;
use corridor_core::tx::{
    range_parties, range_proof_len, Burn, FieldBytes, KycProof, KycRootUpdate, Mint, NoteId,
    Payout, PublishQuote, RangeProofBytes, RegisterAddress, Remittance, Transfer, TxBody,
    UnsignedTransaction, GROTH16_PROOF_LEN,
};
use corridor_core::DecodeError;
use corridor_verifier::groth16::Element;
use curve25519_dalek::scalar::Scalar;
use prost::Message;

/// The network an attacker re-targets.
pub const OTHER_NETWORK: &str = "corridor-other";
/// An id no note has.
pub const UNKNOWN_NOTE: NoteId = NoteId([0xee; 32]);

/// `p + G`.
pub fn plus_g(p: &Point) -> Point {
    Point::new(p.point() + g())
}

/// Where each proof of a body sits: relation names, indices and wire paths.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// `transfer`, `payout`, ...
    pub kind: &'static str,
    /// Inputs.
    pub n_in: usize,
    /// Outputs.
    pub n_out: usize,
    /// Whether it carries a customer's KYC section.
    pub customer: bool,
}

impl Layout {
    /// The layout of `body`.
    pub fn of(body: &TxBody) -> Self {
        let kind = match body {
            TxBody::Mint(_) => "mint",
            TxBody::Transfer(_) => "transfer",
            TxBody::Payout(_) => "payout",
            TxBody::Burn(_) => "burn",
            TxBody::RegisterAddress(_) => "register_address",
            TxBody::PublishQuote(_) => "publish_quote",
            TxBody::KycRootUpdate(_) => "kyc_root_update",
        };
        Layout {
            kind,
            n_in: body.inputs().len(),
            n_out: body.outputs().len(),
            customer: body.kyc().is_some(),
        }
    }

    /// The re-proving attacker's verdict on an edit no sigma relation or range proof reads (a
    /// free choice of the prover, such as hints): accepted, or for a customer's transaction —
    /// whose digest the edit moves, and with it the KYC proof's `binding` — the stale Groth16
    /// proof's `ProofError::Kyc` (remade, it verifies: see
    /// `free_choices_verify_once_the_kyc_proof_is_remade`).
    pub fn free(&self) -> Expect {
        if self.customer {
            kyc()
        } else {
            Expect::Accepted
        }
    }

    /// The verdict of an edit bound only by the transcript: the first sigma proof fails on its
    /// first equation.
    pub fn first(&self) -> Expect {
        match self.kind {
            "mint" => sigma("public-amount", 0, 0),
            "transfer" | "payout" | "burn" => sigma("equality", 0, 0),
            "register_address" => sigma("view-key", 0, 0),
            _ => Expect::Accepted,
        }
    }

    /// The relation and index of output `o`'s chunk `k` proof.
    pub fn output_proof(&self, o: usize, k: usize) -> (&'static str, usize) {
        if self.kind == "mint" {
            ("public-amount", 2 * o + k)
        } else {
            ("validity", self.n_in + 2 * o + k)
        }
    }

    /// Index of the (first) balance proof.
    pub fn balance(&self) -> usize {
        self.n_in + 2 * self.n_out
    }

    /// The relation of sigma proof `i`.
    pub fn relation(&self, i: usize) -> &'static str {
        match self.kind {
            "mint" => "public-amount",
            "register_address" => "view-key",
            _ if i < self.n_in => "equality",
            _ if i < self.balance() => "validity",
            "payout" if i == self.balance() + 2 => "fx",
            _ => "balance",
        }
    }

    /// The wire path of sigma proof `i`.
    pub fn sigma_path(&self, i: usize) -> String {
        let k = self.kind;
        match k {
            "mint" => format!("mint.public_amount[{i}]"),
            "register_address" => "register_address.view_key_possession".into(),
            _ if i < self.n_in => format!("{}.equality", self.input_path(i)),
            _ if i < self.balance() => format!("{k}.validity[{}]", i - self.n_in),
            "payout" => {
                ["payout.balance_from", "payout.balance_to", "payout.fx"][i - self.balance()].into()
            }
            _ => format!("{k}.balance"),
        }
    }

    /// The wire path of output `o`.
    pub fn output_path(&self, o: usize) -> String {
        match self.kind {
            "mint" => format!("mint.outputs[{o}].output"),
            "burn" => format!("burn.change[{o}]"),
            k => format!("{k}.outputs[{o}]"),
        }
    }

    /// The wire path of input `i` (statement order).
    pub fn input_path(&self, i: usize) -> String {
        match (self.kind, i) {
            ("payout", 0) => "payout.remittance_input".into(),
            ("payout", i) => format!("payout.float_inputs[{}]", i - 1),
            (k, i) => format!("{k}.inputs[{i}]"),
        }
    }

    /// The field a repeated input `i` is reported at.
    pub fn repeated_path(&self, i: usize) -> String {
        format!("{}.inputs[{i}]", self.kind)
    }
}

/// The first equation of `relation` that involves witness `j` (a changed response breaks it).
pub fn first_equation(relation: &str, j: usize) -> usize {
    match relation {
        // H = t·P; C = v·G + t·D; C' = v·G + r'·H.
        "equality" => j,
        _ => 0,
    }
}

/// The sigma proofs of a body, statement order, mutable.
pub fn sigma_mut(body: &mut TxBody) -> Vec<&mut SigmaProof> {
    match body {
        TxBody::Mint(m) => m.public_amount.iter_mut().collect(),
        TxBody::Transfer(t) => t
            .inputs
            .iter_mut()
            .map(|i| &mut i.equality)
            .chain(t.validity.iter_mut())
            .chain(std::iter::once(&mut t.balance))
            .collect(),
        TxBody::Payout(p) => std::iter::once(&mut p.remittance_input.equality)
            .chain(p.float_inputs.iter_mut().map(|i| &mut i.equality))
            .chain(p.validity.iter_mut())
            .chain([&mut p.balance_from, &mut p.balance_to, &mut p.fx])
            .collect(),
        TxBody::Burn(b) => b
            .inputs
            .iter_mut()
            .map(|i| &mut i.equality)
            .chain(b.validity.iter_mut())
            .chain(std::iter::once(&mut b.balance))
            .collect(),
        TxBody::RegisterAddress(r) => vec![&mut r.view_key_possession],
        TxBody::PublishQuote(_) | TxBody::KycRootUpdate(_) => Vec::new(),
    }
}

/// The range proof of a body, mutable.
pub fn range_mut(body: &mut TxBody) -> &mut RangeProofBytes {
    match body {
        TxBody::Transfer(t) => &mut t.range_proof,
        TxBody::Payout(p) => &mut p.range_proof,
        TxBody::Burn(b) => &mut b.range_proof,
        _ => panic!("no range proof"),
    }
}

/// The KYC section of a body, mutable.
pub fn kyc_mut(body: &mut TxBody) -> Option<&mut KycProof> {
    match body {
        TxBody::Transfer(t) => t.kyc.as_mut(),
        TxBody::Burn(b) => b.kyc.as_mut(),
        TxBody::RegisterAddress(r) => Some(&mut r.kyc),
        _ => None,
    }
}

/// The wire outputs.
pub fn proto_outputs(p: &mut proto::Transaction) -> Vec<&mut proto::Output> {
    use proto::transaction::Body;
    match p.body.as_mut() {
        Some(Body::Mint(m)) => m
            .outputs
            .iter_mut()
            .filter_map(|o| o.output.as_mut())
            .collect(),
        Some(Body::Transfer(t)) => t.outputs.iter_mut().collect(),
        Some(Body::Payout(t)) => t.outputs.iter_mut().collect(),
        Some(Body::Burn(t)) => t.change.iter_mut().collect(),
        _ => Vec::new(),
    }
}

macro_rules! body_as {
    ($name:ident, $variant:ident, $ty:ty) => {
        /// The body as this kind (the catalog only edits the kind it was built for).
        pub fn $name(u: &mut UnsignedTransaction) -> &mut $ty {
            match &mut u.body {
                TxBody::$variant(x) => x,
                _ => unreachable!("not a {}", stringify!($variant)),
            }
        }
    };
}
body_as!(mint, Mint, Mint);
body_as!(transfer, Transfer, Transfer);
body_as!(payout, Payout, Payout);
body_as!(burn, Burn, Burn);
body_as!(register, RegisterAddress, RegisterAddress);
body_as!(quote, PublishQuote, PublishQuote);
body_as!(root_update, KycRootUpdate, KycRootUpdate);

/// The KYC section of the body.
fn kyc_of(u: &mut UnsignedTransaction) -> &mut KycProof {
    kyc_mut(&mut u.body).expect("a KYC section")
}

/// The remittance fields of a Transfer.
fn remittance_of(u: &mut UnsignedTransaction) -> &mut Remittance {
    transfer(u).remittance.as_mut().expect("remittance")
}

/// Replaces the one occurrence of `old` in the encoding with `new` (same length), as a wire
/// edit: how an attacker flips bytes the domain types could not hold.
pub fn replace_bytes(old: Vec<u8>, new: Vec<u8>) -> impl Fn(&mut proto::Transaction) {
    move |p: &mut proto::Transaction| {
        let mut enc = p.encode_to_vec();
        let at: Vec<usize> = enc
            .windows(old.len())
            .enumerate()
            .filter(|(_, w)| *w == &old[..])
            .map(|(i, _)| i)
            .collect();
        assert_eq!(at.len(), 1, "the bytes to flip occur once");
        enc[at[0]..at[0] + old.len()].copy_from_slice(&new);
        *p = proto::Transaction::decode(&enc[..]).expect("still protobuf");
    }
}

fn flip(bytes: &[u8], at: usize, mask: u8) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v[at] ^= mask;
    v
}

/// Every message of every sigma proof: commitments moved or zeroed (the challenge moves: the
/// proof's first equation fails), responses moved (the first equation using that witness
/// fails), bytes flipped on the wire (non-canonical bytes are refused at decode with the field's
/// path; canonical ones reach the proof), and counts changed.
pub fn sigma_mutations(case: &Case) -> Vec<Mutation> {
    let l = Layout::of(case.tx.body());
    let mut out = Vec::new();
    for (i, proof) in case.tx.body().sigma_proofs().into_iter().enumerate() {
        let rel = l.relation(i);
        let path = l.sigma_path(i);
        for (e, y) in proof.commitments.iter().enumerate() {
            let name = format!("{path}.commitments[{e}]");
            out.push(Mutation::body(
                format!("{name} + G"),
                move |u| {
                    let p = &mut sigma_mut(&mut u.body)[i].commitments[e];
                    *p = plus_g(p);
                },
                sigma(rel, i, 0),
                None,
            ));
            out.push(Mutation::body(
                format!("{name} = identity"),
                move |u| sigma_mut(&mut u.body)[i].commitments[e] = Point::identity(),
                sigma(rel, i, 0),
                None,
            ));
            for (at, mask) in [(0, 0x01), (9, 0x40)] {
                let new = flip(y.as_bytes(), at, mask);
                let expect = if Point::decode(&new, "").is_ok() {
                    sigma(rel, i, 0)
                } else {
                    dec(DecodeError::NonCanonicalPoint {
                        field: name.clone(),
                    })
                };
                out.push(Mutation::wire(
                    format!("{name} byte {at} ^ {mask:#04x}"),
                    replace_bytes(y.as_bytes().to_vec(), new),
                    expect,
                ));
            }
        }
        for (j, z) in proof.responses.iter().enumerate() {
            let name = format!("{path}.responses[{j}]");
            let eq = first_equation(rel, j);
            out.push(Mutation::body(
                format!("{name} + 1"),
                move |u| sigma_mut(&mut u.body)[i].responses[j] += Scalar::ONE,
                sigma(rel, i, eq),
                None,
            ));
            out.push(Mutation::body(
                format!("{name} = 0"),
                move |u| sigma_mut(&mut u.body)[i].responses[j] = Scalar::ZERO,
                sigma(rel, i, eq),
                None,
            ));
            for (at, mask) in [(0, 0x01), (31, 0x80)] {
                let new = flip(z.as_bytes(), at, mask);
                let canonical = bool::from(
                    Scalar::from_canonical_bytes(new.clone().try_into().expect("32 bytes"))
                        .is_some(),
                );
                let expect = if canonical {
                    sigma(rel, i, eq)
                } else {
                    dec(DecodeError::NonCanonicalScalar {
                        field: name.clone(),
                    })
                };
                out.push(Mutation::wire(
                    format!("{name} byte {at} ^ {mask:#04x}"),
                    replace_bytes(z.as_bytes().to_vec(), new),
                    expect,
                ));
            }
        }
        let (nc, nr) = (proof.commitments.len(), proof.responses.len());
        let short = proto::SigmaProof {
            commitments: proof
                .commitments
                .iter()
                .map(|c| c.to_bytes().to_vec())
                .collect(),
            responses: proof.responses[..nr - 1]
                .iter()
                .map(|s| s.to_bytes().to_vec())
                .collect(),
        };
        out.push(Mutation::wire(
            format!("{path}: a response dropped"),
            move |p| set_proto_sigma(p, i, short.clone()),
            dec(DecodeError::Count {
                field: format!("{path}.responses"),
                expected: nr.to_string(),
                got: nr - 1,
            }),
        ));
        let fewer = proto::SigmaProof {
            commitments: proof.commitments[..nc - 1]
                .iter()
                .map(|c| c.to_bytes().to_vec())
                .collect(),
            responses: proof
                .responses
                .iter()
                .map(|s| s.to_bytes().to_vec())
                .collect(),
        };
        out.push(Mutation::wire(
            format!("{path}: a commitment dropped"),
            move |p| set_proto_sigma(p, i, fewer.clone()),
            dec(DecodeError::Count {
                field: format!("{path}.commitments"),
                expected: nc.to_string(),
                got: nc - 1,
            }),
        ));
    }
    out
}

/// Replaces sigma proof `i` (statement order) of the wire message.
pub fn set_proto_sigma(p: &mut proto::Transaction, i: usize, proof: proto::SigmaProof) {
    use proto::transaction::Body;
    let mut slots: Vec<&mut proto::SigmaProof> = match p.body.as_mut() {
        Some(Body::Mint(m)) => m.public_amount.iter_mut().collect(),
        Some(Body::Transfer(t)) => t
            .inputs
            .iter_mut()
            .filter_map(|i| i.equality.as_mut())
            .chain(t.validity.iter_mut())
            .chain(t.balance.as_mut())
            .collect(),
        Some(Body::Payout(t)) => t
            .remittance_input
            .as_mut()
            .and_then(|i| i.equality.as_mut())
            .into_iter()
            .chain(
                t.float_inputs
                    .iter_mut()
                    .filter_map(|i| i.equality.as_mut()),
            )
            .chain(t.validity.iter_mut())
            .chain(t.balance_from.as_mut())
            .chain(t.balance_to.as_mut())
            .chain(t.fx.as_mut())
            .collect(),
        Some(Body::Burn(t)) => t
            .inputs
            .iter_mut()
            .filter_map(|i| i.equality.as_mut())
            .chain(t.validity.iter_mut())
            .chain(t.balance.as_mut())
            .collect(),
        Some(Body::RegisterAddress(r)) => r.view_key_possession.as_mut().into_iter().collect(),
        _ => Vec::new(),
    };
    *slots[i] = proof;
}

/// Where element `e` of an aggregated range proof with `elements` elements is a scalar:
/// `A, S, T_1, T_2` (points), `t_x, t_x_blinding, e_blinding` (scalars), the inner-product
/// proof's `L_i, R_i` (points), then `a, b` (scalars).
pub fn range_element_is_scalar(e: usize, elements: usize) -> bool {
    (4..7).contains(&e) || e + 2 >= elements
}

/// The verdict of range-proof bytes `bytes` in place of a valid proof: a non-canonical scalar
/// fails to parse; anything else parses and fails to verify.
pub fn range_verdict(bytes: &[u8]) -> Expect {
    let elements = bytes.len() / 32;
    let noncanonical = (0..elements)
        .filter(|&e| range_element_is_scalar(e, elements))
        .any(|e| {
            let s: [u8; 32] = bytes[32 * e..32 * e + 32].try_into().expect("32 bytes");
            bool::from(Scalar::from_canonical_bytes(s).is_none())
        });
    if noncanonical {
        range_format()
    } else {
        range()
    }
}

/// Flips of every 32-byte element of the range proof (`flips` gives the byte offsets and masks
/// within each element), its length and its replacement by another valid proof.
pub fn range_mutations(fx: &Fixture, case: &Case, flips: &[(usize, u8)]) -> Vec<Mutation> {
    let l = Layout::of(case.tx.body());
    let proof = case
        .tx
        .body()
        .range_proof()
        .expect("a range proof")
        .0
        .clone();
    let path = format!("{}.range_proof", l.kind);
    let mut out = Vec::new();
    for e in 0..proof.len() / 32 {
        for &(at, mask) in flips {
            let pos = 32 * e + at;
            let new = flip(&proof, pos, mask);
            let expect = range_verdict(&new);
            out.push(Mutation::body(
                format!("{path} element {e} byte {at} ^ {mask:#04x}"),
                move |u| range_mut(&mut u.body).0[pos] ^= mask,
                expect,
                None,
            ));
        }
    }
    let len = proof.len();
    for got in [0, len - 32, len + 32] {
        out.push(Mutation::body(
            format!("{path} of {got} bytes"),
            move |u| range_mut(&mut u.body).0.resize(got, 0),
            dec(DecodeError::Length {
                field: path.clone(),
                expected: len,
                got,
            }),
            None,
        ));
    }
    out.push(Mutation::body(
        format!("{path} all zero"),
        move |u| range_mut(&mut u.body).0 = vec![0; len],
        range(),
        None,
    ));
    if let Some(other) = fx
        .cases
        .iter()
        .filter(|c| c.name != case.name)
        .filter_map(|c| c.tx.body().range_proof())
        .find(|p| p.0.len() == len)
    {
        let other = other.clone();
        out.push(Mutation::body(
            format!("{path} of another transaction"),
            move |u| *range_mut(&mut u.body) = other.clone(),
            range(),
            None,
        ));
    }
    out
}

/// Edits of every output's chunks, handles, ephemeral, hints and keys.
fn output_mutations(case: &Case) -> Vec<Mutation> {
    let l = Layout::of(case.tx.body());
    let first = l.first();
    let mut out = Vec::new();
    for (o, output) in case.tx.body().outputs().into_iter().enumerate() {
        let path = l.output_path(o);
        let n = output.amount.decryptors();
        for k in 0..2 {
            let (rel, idx) = l.output_proof(o, k);
            out.push(Mutation::body(
                format!("{path}.chunks[{k}].commitment + G"),
                move |u| {
                    let c = &mut outputs_mut(&mut u.body)[o].amount.chunks[k].commitment;
                    *c = plus_g(c);
                },
                first.clone(),
                Some(sigma(rel, idx, 0)),
            ));
            out.push(Mutation::body(
                format!("{path}.chunks[{k}].commitment = identity"),
                move |u| {
                    outputs_mut(&mut u.body)[o].amount.chunks[k].commitment = Point::identity()
                },
                first.clone(),
                None,
            ));
            for j in 0..n {
                out.push(Mutation::body(
                    format!("{path}.chunks[{k}].handles[{j}] + G"),
                    move |u| {
                        let d = &mut outputs_mut(&mut u.body)[o].amount.chunks[k].handles[j];
                        *d = plus_g(d);
                    },
                    first.clone(),
                    Some(sigma(rel, idx, 1 + j)),
                ));
            }
            // Another handle than the owner's may be the identity on the wire; the proof then
            // refuses it (r·P_j = identity only for r = 0).
            out.push(Mutation::body(
                format!("{path}.chunks[{k}].handles[{}] = identity", n - 1),
                move |u| {
                    outputs_mut(&mut u.body)[o].amount.chunks[k].handles[n - 1] = Point::identity()
                },
                first.clone(),
                (k == 0).then(|| sigma(rel, idx, n)),
            ));
            out.push(Mutation::wire(
                format!("{path}.chunks[{k}].commitment not canonical"),
                move |p| proto_outputs(p)[o].chunks[k].commitment = vec![0xff; 32],
                dec(DecodeError::NonCanonicalPoint {
                    field: format!("{path}.chunks[{k}].commitment"),
                }),
            ));
        }
        let decryptors = |found: usize| {
            stmt(StatementError::Decryptors {
                index: o,
                expected: n,
                found,
            })
        };
        let proofs = [l.output_proof(o, 0).1, l.output_proof(o, 1).1];
        let shape = |found: usize| {
            let field = if l.kind == "mint" {
                format!("mint.public_amount[{}].commitments", 2 * o)
            } else {
                format!("{}.validity[{}].commitments", l.kind, 2 * o)
            };
            dec(DecodeError::Count {
                field,
                expected: (1 + found).to_string(),
                got: 1 + n,
            })
        };
        // One decryptor fewer or more: the proofs' shapes follow the handles, so the wire
        // refuses it unless the attacker reshapes the proofs too; then resolution refuses it.
        let drop = move |u: &mut UnsignedTransaction| {
            let a = &mut outputs_mut(&mut u.body)[o].amount;
            a.chunks.iter_mut().for_each(|c| {
                c.handles.pop();
            });
            a.hints.pop();
        };
        let extra = move |u: &mut UnsignedTransaction| {
            let a = &mut outputs_mut(&mut u.body)[o].amount;
            a.chunks.iter_mut().for_each(|c| {
                let h = c.handles[0];
                c.handles.push(h);
            });
            let h = a.hints[0];
            a.hints.push(h);
        };
        out.push(Mutation::same(
            format!("{path}: the last auditor dropped"),
            drop,
            shape(n - 1),
        ));
        out.push(Mutation::same(
            format!("{path}: an extra decryptor"),
            extra,
            shape(n + 1),
        ));
        out.push(Mutation::same(
            format!("{path}: the last auditor dropped, proofs reshaped"),
            move |u| {
                drop(u);
                let mut sigmas = sigma_mut(&mut u.body);
                for i in proofs {
                    sigmas[i].commitments.pop();
                }
            },
            decryptors(n - 1),
        ));
        out.push(Mutation::same(
            format!("{path}: an extra decryptor, proofs reshaped"),
            move |u| {
                extra(u);
                let mut sigmas = sigma_mut(&mut u.body);
                for i in proofs {
                    let y = sigmas[i].commitments[0];
                    sigmas[i].commitments.push(y);
                }
            },
            decryptors(n + 1),
        ));
        out.push(Mutation::body(
            format!("{path}.ephemeral + G"),
            move |u| {
                let e = &mut outputs_mut(&mut u.body)[o].amount.ephemeral;
                *e = plus_g(e);
            },
            first.clone(),
            Some(l.free()),
        ));
        for j in [0, n - 1] {
            for (at, mask) in [(0, 0x01), (HINT_LEN - 1, 0x80)] {
                out.push(Mutation::body(
                    format!("{path}.hints[{j}] byte {at} ^ {mask:#04x}"),
                    move |u| {
                        let mut outs = outputs_mut(&mut u.body);
                        let h = outs[o].amount.hints[j]
                            .as_mut()
                            .expect("the builder writes every hint");
                        h[at] ^= mask;
                    },
                    first.clone(),
                    None,
                ));
            }
            out.push(Mutation::body(
                format!("{path}.hints[{j}] absent"),
                move |u| outputs_mut(&mut u.body)[o].amount.hints[j] = None,
                first.clone(),
                None,
            ));
        }
        out.push(Mutation::body(
            format!("{path}.hints removed"),
            move |u| outputs_mut(&mut u.body)[o].amount.hints.clear(),
            first.clone(),
            Some(l.free()),
        ));
        out.push(Mutation::wire(
            format!("{path}.hints: one of {n}"),
            move |p| proto_outputs(p)[o].hints.truncate(1),
            dec(DecodeError::Count {
                field: format!("{path}.hints"),
                expected: format!("0 or {n}"),
                got: 1,
            }),
        ));
        out.push(Mutation::wire(
            format!("{path}.ephemeral = identity"),
            move |p| proto_outputs(p)[o].ephemeral = vec![0; 32],
            dec(DecodeError::IdentityPoint {
                field: format!("{path}.ephemeral"),
            }),
        ));
        let owner_handle = dec(DecodeError::IdentityPoint {
            field: format!("{path}.owner handle D_0 + 2^32·D_1"),
        });
        out.push(Mutation::same(
            format!("{path}: owner handles D_0 = D_1 = identity"),
            move |u| {
                for c in outputs_mut(&mut u.body)[o].amount.chunks.iter_mut() {
                    c.handles[0] = Point::identity();
                }
            },
            owner_handle.clone(),
        ));
        out.push(Mutation::same(
            format!("{path}: owner handles D_0 = −2^32·D_1"),
            move |u| {
                let a = &mut outputs_mut(&mut u.body)[o].amount;
                let d1 = a.chunks[1].handles[0].point();
                a.chunks[0].handles[0] = Point::new(-(chunk_scale() * d1));
            },
            owner_handle,
        ));
        for (which, field) in [(0, "spend_key"), (1, "view_key")] {
            out.push(Mutation::wire(
                format!("{path}.owner.{field} = identity"),
                move |p| {
                    let mut outs = proto_outputs(p);
                    let a = outs[o].owner.as_mut().expect("owner");
                    let key = if which == 0 {
                        &mut a.spend_key
                    } else {
                        &mut a.view_key
                    };
                    *key = vec![0; 32];
                },
                dec(DecodeError::IdentityPoint {
                    field: format!("{path}.owner.{field}"),
                }),
            ));
        }
    }
    out
}

/// Edits of every input's id and re-commitment.
fn input_mutations(case: &Case) -> Vec<Mutation> {
    let l = Layout::of(case.tx.body());
    let first = l.first();
    let mut out = Vec::new();
    for i in 0..l.n_in {
        let path = l.input_path(i);
        out.push(Mutation::body(
            format!("{path}.recommitment + G"),
            move |u| {
                let c = &mut inputs_mut(&mut u.body)[i].recommitment;
                *c = plus_g(c);
            },
            first.clone(),
            Some(sigma("equality", i, 2)),
        ));
        out.push(Mutation::body(
            format!("{path}.recommitment = identity"),
            move |u| inputs_mut(&mut u.body)[i].recommitment = Point::identity(),
            first.clone(),
            None,
        ));
        out.push(Mutation::same(
            format!("{path}.note_id unknown"),
            move |u| inputs_mut(&mut u.body)[i].note_id = UNKNOWN_NOTE,
            stmt(StatementError::UnknownNote {
                index: i,
                id: UNKNOWN_NOTE.short(),
            }),
        ));
        if i > 0 {
            out.push(Mutation::same(
                format!("{path} repeats input 0"),
                move |u| {
                    let id = inputs_mut(&mut u.body)[0].note_id;
                    inputs_mut(&mut u.body)[i].note_id = id;
                },
                Expect::DecodeInvalid(l.repeated_path(i)),
            ));
        }
        out.push(Mutation::wire(
            format!("{path}.recommitment not canonical"),
            {
                let old = case.tx.body().inputs()[i].recommitment.to_bytes().to_vec();
                replace_bytes(old, vec![0xff; 32])
            },
            dec(DecodeError::NonCanonicalPoint {
                field: format!("{path}.recommitment"),
            }),
        ));
    }
    out
}

/// Swaps input `i`'s id for `note`.
fn swap_input(name: &str, i: usize, note: NoteId, resigned: Expect, reproved: Expect) -> Mutation {
    Mutation::body(
        format!("input {i} → note {} ({name})", note.short()),
        move |u| inputs_mut(&mut u.body)[i].note_id = note,
        resigned,
        Some(reproved),
    )
}

/// Output `o`'s owner replaced by `to`.
fn reown(o: usize, what: &str, to: Address, resigned: Expect, reproved: Expect) -> Mutation {
    Mutation::body(
        format!("output {o} owner → {what}"),
        move |u| outputs_mut(&mut u.body)[o].owner = to,
        resigned,
        Some(reproved),
    )
}

/// A customer's KYC section, as a transaction carries it (Maria's, from her transfer to Ana).
pub fn customer_section(fx: &Fixture) -> KycProof {
    fx.case("transfer-customer")
        .tx
        .body()
        .kyc()
        .cloned()
        .expect("a KYC section")
}

/// Whether `bytes` hold one point of `T`'s group as [`corridor_verifier::groth16`] must accept
/// it: ark-serialize's compressed form, on the curve, in the prime-order subgroup, and the one
/// encoding of that point.
fn decodes<T: CanonicalDeserialize + CanonicalSerialize>(bytes: &[u8]) -> bool {
    T::deserialize_with_mode(bytes, Compress::Yes, Validate::Yes).is_ok_and(|p| {
        let mut again = Vec::new();
        p.serialize_compressed(&mut again).is_ok() && again == bytes
    })
}

/// The verdict of Groth16 proof bytes `A ‖ B ‖ C` in place of the valid proof, every other
/// proof intact: `KycFormat` naming the first element that does not decode, else `Kyc` (a proof
/// other than the one made for these public inputs does not verify).
pub fn groth16_verdict(bytes: &[u8; GROTH16_PROOF_LEN]) -> Expect {
    if !decodes::<G1Affine>(&bytes[..32]) {
        Expect::KycFormat(Element::ProofA)
    } else if !decodes::<G2Affine>(&bytes[32..96]) {
        Expect::KycFormat(Element::ProofB)
    } else if !decodes::<G1Affine>(&bytes[96..]) {
        Expect::KycFormat(Element::ProofC)
    } else {
        kyc()
    }
}

/// Byte offsets and masks flipped in each element of a Groth16 proof (`A` at 0, `B` at 32, `C`
/// at 96): the low bit of the first byte (usually off the curve), and the two flag bits of the
/// last byte (`0x80` negates the point, `0x40` claims the point at infinity).
pub const GROTH16_FLIPS: [(usize, u8); 9] = [
    (0, 0x01),
    (31, 0x80),
    (31, 0x40),
    (32, 0x01),
    (95, 0x80),
    (95, 0x40),
    (96, 0x01),
    (127, 0x80),
    (127, 0x40),
];

/// The name of the proof element holding byte `at`.
pub fn groth16_element(at: usize) -> &'static str {
    match at {
        0..32 => "A",
        32..96 => "B",
        _ => "C",
    }
}

/// Flips of the Groth16 proof at `path` (re-signed: the proof is in neither the digest nor the
/// transcript, so every sigma and range proof still holds and the Groth16 verdict is the one).
pub fn groth16_mutations(case: &Case, path: &str, flips: &[(usize, u8)]) -> Vec<Mutation> {
    let proof = case.tx.body().kyc().expect("a KYC section").proof;
    flips
        .iter()
        .map(|&(at, mask)| {
            let mut bytes = proof;
            bytes[at] ^= mask;
            Mutation::body(
                format!(
                    "{path}.proof byte {at} ({}) ^ {mask:#04x}",
                    groth16_element(at)
                ),
                move |u| kyc_of(u).proof[at] ^= mask,
                groth16_verdict(&bytes),
                None,
            )
        })
        .collect()
}

/// The re-proving attacker's verdict on `escrow_R` bytes: a point the verifier cannot decode is
/// `KycInputs`, any other escrow than the one proven is `Kyc`.
fn escrow_r_verdict(bytes: &[u8; 32]) -> Expect {
    match EscrowCiphertext::r_from_bytes(bytes) {
        Ok(_) => kyc(),
        Err(e) => kyc_inputs(e.to_string()),
    }
}

/// Edits of a customer's KYC section at `path` (`transfer.kyc`, `burn.kyc` or
/// `register_address.kyc`). Every traveling field is a public input of the Groth16 proof: the
/// re-signing attacker breaks the first sigma proof (the field is in the digest, or — the
/// nullifier — in the transcript) unless resolution refuses it first (unknown issuer or root, a
/// day out of range, a used registration nullifier); the re-proving attacker, whose sigma and
/// range proofs hold, is refused by the Groth16 proof.
fn kyc_mutations(fx: &Fixture, case: &Case, l: &Layout, path: &'static str) -> Vec<Mutation> {
    let first = l.first();
    let k = kyc_of;
    let section = case.tx.body().kyc().cloned().expect("a KYC section");
    let register = section.link.is_some();
    let today = case.block.epoch_day();
    assert_eq!(section.epoch_day, today, "the builder dates proofs today");
    let day_refused = move |day: u32| {
        stmt_kyc(format!(
            "epoch day {day} is neither the block's day {today} nor the day before"
        ))
    };
    let unknown_root = |root: FieldBytes| {
        stmt_kyc(format!(
            "root {root:?} was never published by issuer {KYC_ISSUER_ID}"
        ))
    };
    let mut flipped_root = section.root;
    flipped_root.0[0] ^= 1;
    let mut out = vec![
        Mutation::same(
            format!("{path}.issuer unknown"),
            move |u| k(u).issuer = NO_SUCH_ISSUER,
            stmt(StatementError::UnknownIssuer(NO_SUCH_ISSUER)),
        ),
        // Another genesis issuer never published this root: a root is looked up in its own
        // issuer's window only.
        Mutation::same(
            format!("{path}.issuer another known issuer"),
            move |u| k(u).issuer = PH_KYC_ISSUER_ID,
            stmt_kyc(format!(
                "root {:?} was never published by issuer {PH_KYC_ISSUER_ID}",
                section.root
            )),
        ),
        Mutation::same(
            format!("{path}.root byte flipped"),
            move |u| k(u).root.0[0] ^= 1,
            unknown_root(flipped_root),
        ),
        Mutation::same(
            format!("{path}.root not below the BN254 modulus"),
            move |u| k(u).root = FieldBytes([0xff; 32]),
            dec(DecodeError::NonCanonicalScalar {
                field: format!("{path}.root"),
            }),
        ),
        Mutation::same(
            format!("{path}.epoch_day + 1 (tomorrow)"),
            move |u| k(u).epoch_day += 1,
            day_refused(today + 1),
        ),
        // Yesterday is a day the node accepts: only the proof tells.
        Mutation::body(
            format!("{path}.epoch_day − 1 (yesterday)"),
            move |u| k(u).epoch_day -= 1,
            first.clone(),
            Some(kyc()),
        ),
        Mutation::same(
            format!("{path}.epoch_day − 2"),
            move |u| k(u).epoch_day -= 2,
            day_refused(today - 2),
        ),
        // Not in the digest (it is derived from it) but in the transcript.
        Mutation::body(
            format!("{path}.nullifier byte flipped"),
            move |u| k(u).nullifier.0[0] ^= 1,
            first.clone(),
            Some(kyc()),
        ),
        Mutation::same(
            format!("{path}.nullifier not below the BN254 modulus"),
            move |u| k(u).nullifier = FieldBytes([0xff; 32]),
            dec(DecodeError::NonCanonicalScalar {
                field: format!("{path}.nullifier"),
            }),
        ),
        Mutation::body(
            format!("{path}.escrow_c byte flipped"),
            move |u| k(u).escrow_c.0[0] ^= 1,
            first.clone(),
            Some(kyc()),
        ),
        Mutation::same(
            format!("{path}.escrow_c not below the BN254 modulus"),
            move |u| k(u).escrow_c = FieldBytes([0xff; 32]),
            dec(DecodeError::NonCanonicalScalar {
                field: format!("{path}.escrow_c"),
            }),
        ),
    ];
    // The root: another of the issuer's roots that the node still accepts (superseded within
    // its window), and one it has not published yet.
    let issuer_roots: Vec<(FieldBytes, Option<RootStanding>)> = fx
        .roots
        .iter()
        .map(|r| (*r, case.state.kyc_root(KYC_ISSUER_ID, r).unwrap()))
        .collect();
    let in_window = issuer_roots
        .iter()
        .find(|(r, s)| *r != section.root && matches!(s, Some(RootStanding::SupersededAt(_))))
        .map(|(r, _)| *r);
    if let Some(older) = in_window {
        out.push(Mutation::body(
            format!("{path}.root → an older root still in its window"),
            move |u| k(u).root = older,
            first.clone(),
            Some(kyc()),
        ));
    }
    if let Some((later, _)) = issuer_roots.iter().find(|(_, s)| s.is_none()) {
        let later = *later;
        out.push(Mutation::same(
            format!("{path}.root → a root not yet published"),
            move |u| k(u).root = later,
            unknown_root(later),
        ));
    }
    // The escrow point: its sign flag flipped (another valid point), its low byte flipped, the
    // identity (0, 1).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    for (what, bytes) in [
        ("sign flag flipped", {
            let mut b = section.escrow_r;
            b[31] ^= 0x80;
            b
        }),
        ("byte 0 flipped", {
            let mut b = section.escrow_r;
            b[0] ^= 0x01;
            b
        }),
        ("the identity", identity),
    ] {
        out.push(Mutation::body(
            format!("{path}.escrow_r {what}"),
            move |u| k(u).escrow_r = bytes,
            first.clone(),
            Some(escrow_r_verdict(&bytes)),
        ));
    }
    // The Groth16 proof.
    out.extend(groth16_mutations(case, path, &GROTH16_FLIPS));
    let proof = section.proof;
    let mut swapped = proof;
    swapped[..32].copy_from_slice(&proof[96..]);
    swapped[96..].copy_from_slice(&proof[..32]);
    for (what, bytes) in [
        ("all zero", [0u8; GROTH16_PROOF_LEN]),
        ("with A and C swapped", swapped),
    ] {
        out.push(Mutation::body(
            format!("{path}.proof {what}"),
            move |u| k(u).proof = bytes,
            groth16_verdict(&bytes),
            None,
        ));
    }
    // Sections (and proofs) of other transactions: of the same signer, and of another customer.
    let others = fx
        .cases
        .iter()
        .filter(|c| c.name != case.name)
        .filter_map(|c| c.tx.body().kyc().map(|s| (c, s.clone())))
        .filter(|(_, s)| s.link.is_some() == register);
    let same_signer = |c: &&Case| c.signer.public() == case.signer.public();
    let picks: Vec<(&str, KycProof)> = others
        .clone()
        .find(|(c, _)| same_signer(c))
        .map(|(_, s)| ("the same signer's other transaction", s))
        .into_iter()
        .chain(
            others
                .clone()
                .find(|(c, _)| !same_signer(c))
                .map(|(_, s)| ("another customer's transaction", s)),
        )
        .collect();
    for (what, other) in picks {
        let proof = other.proof;
        out.push(Mutation::body(
            format!("{path}.proof of {what}"),
            move |u| k(u).proof = proof,
            kyc(),
            None,
        ));
        // Binding (signer, digest), scope and, across customers, the link differ.
        out.push(Mutation::body(
            format!("{path} copied whole from {what}"),
            move |u| *k(u) = other.clone(),
            first.clone(),
            Some(kyc()),
        ));
    }
    if register {
        // Maria registered first, in the same month: her registration nullifier and link.
        let maria = fx
            .case("transfer-customer")
            .secrets
            .kyc
            .clone()
            .expect("Maria's credential");
        let (year, month) = year_month(today);
        let scope = registration_scope(&fx.genesis.network, year, month).expect("a month");
        let used = FieldBytes(fr_to_bytes(&nullifier(
            maria.credential.identity_secret(),
            scope,
        )));
        assert!(
            case.state.registration_nullifier_used(&used).unwrap(),
            "Maria's registration nullifier is recorded"
        );
        let maria_link = case
            .state
            .registration_link(fx.maria.address().spend_key())
            .unwrap()
            .expect("Maria's link");
        out.extend([
            Mutation::body(
                format!("{path}.link byte flipped"),
                move |u| k(u).link.as_mut().expect("link").0[0] ^= 1,
                first.clone(),
                Some(kyc()),
            ),
            Mutation::body(
                format!("{path}.link → Maria's registered link"),
                move |u| k(u).link = Some(maria_link),
                first.clone(),
                Some(kyc()),
            ),
            Mutation::same(
                format!("{path}.link missing"),
                move |u| k(u).link = None,
                dec(DecodeError::Length {
                    field: format!("{path}.link"),
                    expected: 32,
                    got: 0,
                }),
            ),
            Mutation::same(
                format!("{path}.nullifier → Maria's registration nullifier (used)"),
                move |u| k(u).nullifier = used,
                stmt_kyc(format!("registration nullifier {used:?} already used")),
            ),
        ]);
    } else {
        out.push(Mutation::same(
            format!("{path}.link present"),
            move |u| k(u).link = Some(FieldBytes([1; 32])),
            Expect::DecodeInvalid(format!("{path}.link")),
        ));
        out.push(Mutation::same(
            format!("{path} removed"),
            move |u| match &mut u.body {
                TxBody::Transfer(t) => t.kyc = None,
                TxBody::Burn(b) => b.kyc = None,
                _ => unreachable!(),
            },
            stmt_kyc("a customer's transaction must carry a KYC proof".into()),
        ));
    }
    out
}

/// Resolution's verdict on a transaction that pays others without `W0`.
fn w0_required() -> Expect {
    stmt(StatementError::Limit(
        "the asset has a limit and an output pays another address: W0 is required",
    ))
}

/// `W0` removed, the range proof kept: the wire refuses the proof's length unless the list
/// without `W0`, `W1` (`values_without` values) pads to the same `m`.
fn w0_removed(case: &Case, values_without: usize) -> Expect {
    let l = Layout::of(case.tx.body());
    let got = case.tx.body().range_proof().expect("range proof").0.len();
    let expected = range_proof_len(range_parties(values_without));
    if expected == got {
        w0_required()
    } else {
        dec(DecodeError::Length {
            field: format!("{}.range_proof", l.kind),
            expected,
            got,
        })
    }
}

/// Edits every kind shares.
fn common_mutations(l: &Layout) -> Vec<Mutation> {
    vec![
        Mutation::same(
            "network",
            |u| u.network = OTHER_NETWORK.into(),
            stmt(StatementError::WrongNetwork {
                expected: "corridor-demo".into(),
                found: OTHER_NETWORK.into(),
            }),
        ),
        Mutation::same(
            "network not a name",
            |u| u.network = "Corridor".into(),
            Expect::DecodeInvalid("network".into()),
        ),
        Mutation::wire(
            "version 2",
            |p| p.version = 2,
            dec(DecodeError::UnsupportedVersion(2)),
        ),
    ]
    .into_iter()
    .filter(|_| !l.kind.is_empty())
    .collect()
}

/// Every public-field attack on `case`.
pub fn field_mutations(fx: &Fixture, case: &Case) -> Vec<Mutation> {
    let l = Layout::of(case.tx.body());
    let mut out = common_mutations(&l);
    out.extend(output_mutations(case));
    out.extend(input_mutations(case));
    out.extend(match case.tx.body() {
        TxBody::Mint(_) => mint_mutations(fx, case, &l),
        TxBody::Transfer(_) => transfer_mutations(fx, case, &l),
        TxBody::Payout(_) => payout_mutations(fx, case, &l),
        TxBody::Burn(_) => burn_mutations(fx, case, &l),
        TxBody::RegisterAddress(_) => register_mutations(fx, case, &l),
        TxBody::PublishQuote(_) => quote_mutations(),
        TxBody::KycRootUpdate(_) => root_update_mutations(fx, case),
    });
    out
}

fn mint_mutations(fx: &Fixture, case: &Case, l: &Layout) -> Vec<Mutation> {
    let first = l.first();
    let mut out = vec![
        Mutation::body(
            "mint.nonce + 1",
            |u| mint(u).nonce += 1,
            first.clone(),
            Some(Expect::Accepted),
        ),
        Mutation::same(
            "mint.asset → PHP",
            |u| mint(u).asset = "PHP".into(),
            stmt(StatementError::WrongRecipient {
                index: 0,
                expected: "the PHP treasury".into(),
            }),
        ),
        Mutation::same(
            "mint.asset unknown",
            |u| mint(u).asset = "XYZ".into(),
            stmt(StatementError::UnknownAsset {
                field: "mint.asset".into(),
                code: "XYZ".into(),
            }),
        ),
        Mutation::wire(
            "mint.public_amount: one proof dropped",
            |p| {
                if let Some(proto::transaction::Body::Mint(m)) = p.body.as_mut() {
                    m.public_amount.pop();
                }
            },
            dec(DecodeError::Count {
                field: "mint.public_amount".into(),
                expected: (2 * l.n_out).to_string(),
                got: 2 * l.n_out - 1,
            }),
        ),
    ];
    for o in 0..l.n_out {
        out.push(Mutation::body(
            format!("mint.outputs[{o}].amount + 1"),
            move |u| mint(u).outputs[o].1 += 1,
            first.clone(),
            Some(sigma("public-amount", 2 * o, 0)),
        ));
        out.push(Mutation::body(
            format!("mint.outputs[{o}].amount + 2^32"),
            move |u| mint(u).outputs[o].1 += 1 << 32,
            first.clone(),
            Some(sigma("public-amount", 2 * o + 1, 0)),
        ));
        let wrong = stmt(StatementError::WrongRecipient {
            index: o,
            expected: "the HKD treasury".into(),
        });
        out.push(reown(o, "Maria", fx.maria.address(), wrong.clone(), wrong));
    }
    let _ = case;
    out
}

fn transfer_mutations(fx: &Fixture, case: &Case, l: &Layout) -> Vec<Mutation> {
    let first = l.first();
    let TxBody::Transfer(t) = case.tx.body() else {
        unreachable!()
    };
    let signer = case
        .state
        .note(&t.inputs[0].note_id)
        .unwrap()
        .expect("input note")
        .owner;
    let institutional = fx.genesis.is_institutional(&signer);
    let resized = range_proof_len(range_parties(2 * l.n_out));
    let mut out = vec![
        Mutation::body(
            "transfer.fee + 1",
            |u| transfer(u).fee += 1,
            first.clone(),
            Some(sigma("balance", l.balance(), 0)),
        ),
        Mutation::body(
            "transfer.fee = u64::MAX",
            |u| transfer(u).fee = u64::MAX,
            first.clone(),
            None,
        ),
        Mutation::same(
            "transfer.asset → PHP",
            |u| transfer(u).asset = "PHP".into(),
            stmt(StatementError::InputAsset {
                index: 0,
                found: "HKD".into(),
                expected: "PHP".into(),
            }),
        ),
        Mutation::same(
            "transfer.asset unknown",
            |u| transfer(u).asset = "XYZ".into(),
            stmt(StatementError::UnknownAsset {
                field: "transfer.asset".into(),
                code: "XYZ".into(),
            }),
        ),
        Mutation::same(
            "transfer.asset not a code",
            |u| transfer(u).asset = "hkd".into(),
            Expect::DecodeInvalid("transfer.asset".into()),
        ),
        Mutation::body(
            "transfer.limit_w0 + G",
            |u| {
                let w = transfer(u).limit_w0.as_mut().expect("W0");
                *w = plus_g(w);
            },
            first.clone(),
            Some(range()),
        ),
        Mutation::body(
            "transfer.limit_w0 = identity",
            |u| transfer(u).limit_w0 = Some(Point::identity()),
            first.clone(),
            None,
        ),
        Mutation::same(
            "transfer.limit_w0 removed",
            |u| transfer(u).limit_w0 = None,
            w0_removed(case, 2 * l.n_out),
        ),
        Mutation::same(
            "transfer.limit_w0 removed, range proof resized",
            move |u| {
                transfer(u).limit_w0 = None;
                transfer(u).range_proof.0.resize(resized, 0);
            },
            w0_required(),
        ),
        Mutation::wire(
            "transfer.limit_w0 not canonical",
            {
                let old = t.limit_w0.expect("W0").to_bytes().to_vec();
                replace_bytes(old, vec![0xff; 32])
            },
            dec(DecodeError::NonCanonicalPoint {
                field: "transfer.limit_w0".into(),
            }),
        ),
    ];
    // Output owners.
    let juan = fx.juan.address();
    let same_x =
        Address::from_keys(*signer.spend_key(), *fx.ana.address().view_key()).expect("keys");
    for (o, output) in t.outputs.iter().enumerate() {
        let (rel, idx) = l.output_proof(o, 0);
        let to_juan = if t.remittance.is_some() && o == 0 {
            let e = stmt(StatementError::WrongRecipient {
                index: 0,
                expected: format!("{OPERATOR}'s settlement address"),
            });
            (e.clone(), e)
        } else {
            (first.clone(), sigma(rel, idx, 1))
        };
        if output.owner != juan {
            out.push(reown(o, "Juan", juan, to_juan.0, to_juan.1));
        }
        for (what, addr) in [
            ("an unregistered address", fx.outsider.address()),
            ("the signer's X with another P", same_x),
        ] {
            let e = stmt(StatementError::Unregistered {
                index: o,
                address: addr.encode(),
            });
            out.push(reown(o, what, addr, e.clone(), e));
        }
    }
    // Inputs swapped for other notes.
    let hkd_treasury = fx.hkd_treasury.address();
    let treasury_notes = case.state.unspent_of(&hkd_treasury).unwrap();
    match case.name {
        "transfer-treasury" => {
            let other = treasury_notes
                .iter()
                .find(|n| n.id != t.inputs[0].note_id)
                .expect("the other mint note");
            out.push(swap_input(
                "the signer's other note",
                0,
                other.id,
                first.clone(),
                sigma("equality", 0, 1),
            ));
        }
        "transfer-customer" => {
            let other = treasury_notes.first().expect("a treasury note").id;
            let maria = fx.maria.address();
            let e = |owner: &Address, expected: &Address| {
                stmt(StatementError::InputOwner {
                    index: 1,
                    owner: owner.encode(),
                    expected: expected.encode(),
                })
            };
            out.push(swap_input(
                "the treasury's",
                1,
                other,
                e(&hkd_treasury, &maria),
                e(&hkd_treasury, &maria),
            ));
            out.push(swap_input(
                "the treasury's",
                0,
                other,
                e(&maria, &hkd_treasury),
                e(&maria, &hkd_treasury),
            ));
        }
        _ => {
            let ana = case.state.unspent_of(&fx.ana.address()).unwrap();
            let ana = ana.first().expect("Ana's note").id;
            out.push(swap_input(
                "Ana's",
                0,
                ana,
                signature("transfer"),
                signature("transfer"),
            ));
            let php = case.state.unspent_of(&fx.ph_float.address()).unwrap();
            let php = php.first().expect("a PHP note").id;
            let e = stmt(StatementError::InputAsset {
                index: 0,
                found: "PHP".into(),
                expected: "HKD".into(),
            });
            out.push(swap_input("a PHP note", 0, php, e.clone(), e));
        }
    }
    // KYC.
    if institutional {
        let kyc = customer_section(fx);
        out.push(Mutation::same(
            "transfer.kyc added to an institution's transfer",
            move |u| transfer(u).kyc = Some(kyc.clone()),
            stmt(StatementError::Kyc(
                "institutional addresses carry no KYC proof".into(),
            )),
        ));
    } else {
        out.extend(kyc_mutations(fx, case, l, "transfer.kyc"));
    }
    // Remittance.
    match &t.remittance {
        Some(_) => {
            let r = remittance_of;
            out.extend([
                Mutation::same(
                    "transfer.remittance.operator → hk-wallet",
                    move |u| r(u).operator = "hk-wallet".into(),
                    stmt(StatementError::Quote(format!(
                        "hk-wallet has no quote {QUOTE_ID}"
                    ))),
                ),
                Mutation::same(
                    "transfer.remittance.operator unknown",
                    move |u| r(u).operator = "nobody".into(),
                    stmt(StatementError::UnknownOperator("nobody".into())),
                ),
                Mutation::same(
                    "transfer.remittance.operator not a name",
                    move |u| r(u).operator = "Nobody".into(),
                    Expect::DecodeInvalid("transfer.remittance.operator".into()),
                ),
                Mutation::same(
                    "transfer.remittance.quote_id + 1",
                    move |u| r(u).quote_id += 1,
                    stmt(StatementError::Quote(format!(
                        "{OPERATOR} has no quote {}",
                        QUOTE_ID + 1
                    ))),
                ),
                Mutation::body(
                    "transfer.remittance.beneficiary_commitment byte flipped",
                    move |u| r(u).beneficiary_commitment[0] ^= 1,
                    first.clone(),
                    Some(l.free()),
                ),
                Mutation::body(
                    "transfer.remittance.instruction byte flipped",
                    move |u| r(u).instruction[40] ^= 1,
                    first.clone(),
                    Some(l.free()),
                ),
                Mutation::body(
                    "transfer.remittance removed",
                    |u| transfer(u).remittance = None,
                    first.clone(),
                    Some(l.free()),
                ),
            ]);
        }
        None => {
            out.push(Mutation::same(
                "transfer.remittance added",
                |u| {
                    transfer(u).remittance = Some(Remittance {
                        operator: OPERATOR.into(),
                        quote_id: QUOTE_ID,
                        beneficiary_commitment: [1; 32],
                        instruction: [2; corridor_core::instruction::INSTRUCTION_BOX_LEN],
                    })
                },
                // The quote is published later in the chain.
                stmt(StatementError::Quote(format!(
                    "{OPERATOR} has no quote {QUOTE_ID}"
                ))),
            ));
        }
    }
    out
}

fn payout_mutations(fx: &Fixture, case: &Case, l: &Layout) -> Vec<Mutation> {
    let first = l.first();
    let TxBody::Payout(p) = case.tx.body() else {
        unreachable!()
    };
    let fx_index = l.balance() + 2;
    let q_fails = stmt(StatementError::Remittance(
        "beneficiary and salt do not open the transfer's commitment q".into(),
    ));
    let rem_id = p.remittance_input.note_id;
    let resized = range_proof_len(range_parties(2 * l.n_out + 2));
    let mut out = vec![
        Mutation::same(
            "payout.operator → hk-wallet",
            |u| payout(u).operator = "hk-wallet".into(),
            stmt(StatementError::Remittance(format!(
                "note {} is not a remittance to hk-wallet",
                rem_id.short()
            ))),
        ),
        Mutation::same(
            "payout.operator unknown",
            |u| payout(u).operator = "nobody".into(),
            stmt(StatementError::UnknownOperator("nobody".into())),
        ),
        Mutation::same(
            "payout.beneficiary → Ana",
            {
                let ana = fx.ana.address();
                move |u| payout(u).beneficiary = ana
            },
            q_fails.clone(),
        ),
        Mutation::same(
            "payout.salt byte flipped",
            |u| payout(u).salt[0] ^= 1,
            q_fails,
        ),
        Mutation::body(
            "payout.fx_remainder + G",
            |u| {
                let r = &mut payout(u).fx_remainder;
                *r = plus_g(r);
            },
            first.clone(),
            Some(sigma("fx", fx_index, 0)),
        ),
        Mutation::body(
            "payout.fx_remainder = identity",
            |u| payout(u).fx_remainder = Point::identity(),
            first.clone(),
            None,
        ),
        Mutation::wire(
            "payout.fx_remainder not canonical",
            replace_bytes(p.fx_remainder.to_bytes().to_vec(), vec![0xff; 32]),
            dec(DecodeError::NonCanonicalPoint {
                field: "payout.fx_remainder".into(),
            }),
        ),
        Mutation::body(
            "payout.limit_w0 + G",
            |u| {
                let w = payout(u).limit_w0.as_mut().expect("W0");
                *w = plus_g(w);
            },
            first.clone(),
            Some(range()),
        ),
        Mutation::same(
            "payout.limit_w0 removed",
            |u| payout(u).limit_w0 = None,
            w0_removed(case, 2 * l.n_out + 2),
        ),
        Mutation::same(
            "payout.limit_w0 removed, range proof resized",
            move |u| {
                payout(u).limit_w0 = None;
                payout(u).range_proof.0.resize(resized, 0);
            },
            w0_required(),
        ),
        Mutation::body(
            "payout: the float input dropped",
            |u| {
                payout(u).float_inputs.clear();
            },
            first.clone(),
            None,
        ),
    ];
    // Output owners are fixed by position.
    let expected = [
        "the beneficiary",
        "the operator's settlement address",
        "the operator's float address",
    ];
    for o in 0..l.n_out {
        let e = stmt(StatementError::WrongRecipient {
            index: o,
            expected: expected[o.min(2)].into(),
        });
        for (what, addr) in [
            ("Ana", fx.ana.address()),
            ("an unregistered address", fx.outsider.address()),
        ] {
            out.push(reown(o, what, addr, e.clone(), e.clone()));
        }
    }
    // Inputs swapped for other notes.
    let maria_hkd = case.state.unspent_of(&fx.maria.address()).unwrap();
    let maria_hkd = maria_hkd.first().expect("Maria's change").id;
    let e = stmt(StatementError::Remittance(format!(
        "note {} is not a remittance to {OPERATOR}",
        maria_hkd.short()
    )));
    out.push(swap_input(
        "Maria's, not a remittance",
        0,
        maria_hkd,
        e.clone(),
        e,
    ));
    let php_treasury = case.state.unspent_of(&fx.php_treasury.address()).unwrap();
    let php_treasury = php_treasury.first().expect("a PHP treasury note").id;
    let e = stmt(StatementError::InputOwner {
        index: 1,
        owner: fx.php_treasury.address().encode(),
        expected: fx.ph_float.address().encode(),
    });
    out.push(swap_input(
        "the PHP treasury's",
        1,
        php_treasury,
        e.clone(),
        e,
    ));
    let ana = case.state.unspent_of(&fx.ana.address()).unwrap();
    let ana = ana.first().expect("Ana's note").id;
    let e = stmt(StatementError::InputAsset {
        index: 1,
        found: "HKD".into(),
        expected: "PHP".into(),
    });
    out.push(swap_input("Ana's HKD", 1, ana, e.clone(), e));
    out
}

fn burn_mutations(fx: &Fixture, case: &Case, l: &Layout) -> Vec<Mutation> {
    let first = l.first();
    let wrong = stmt(StatementError::WrongRecipient {
        index: 0,
        expected: "the owner of the inputs (change only)".into(),
    });
    let mut out = vec![
        Mutation::body(
            "burn.burn_amount + 1",
            |u| burn(u).burn_amount += 1,
            first.clone(),
            Some(sigma("balance", l.balance(), 0)),
        ),
        Mutation::body(
            "burn.fee + 1",
            |u| burn(u).fee += 1,
            first.clone(),
            Some(sigma("balance", l.balance(), 0)),
        ),
        Mutation::body(
            "burn.burn_amount − 1, fee + 1",
            |u| {
                burn(u).burn_amount -= 1;
                burn(u).fee += 1;
            },
            first.clone(),
            // The same sum: only the transcript (and the KYC binding) tells them apart.
            Some(l.free()),
        ),
        Mutation::same(
            "burn.asset → HKD",
            |u| burn(u).asset = "HKD".into(),
            stmt(StatementError::InputAsset {
                index: 0,
                found: "PHP".into(),
                expected: "HKD".into(),
            }),
        ),
        Mutation::same(
            "burn.change removed (its proofs kept)",
            |u| burn(u).change = None,
            dec(DecodeError::Count {
                field: "burn.validity".into(),
                expected: "0".into(),
                got: 2,
            }),
        ),
    ];
    for (what, addr) in [
        ("Ana", fx.ana.address()),
        ("an unregistered address", fx.outsider.address()),
    ] {
        out.push(reown(0, what, addr, wrong.clone(), wrong.clone()));
    }
    let float = case.state.unspent_of(&fx.ph_float.address()).unwrap();
    let float = float.first().expect("a float note").id;
    out.push(swap_input("the float's", 0, float, wrong.clone(), wrong));
    let ana = case.state.unspent_of(&fx.ana.address()).unwrap();
    let ana = ana.first().expect("Ana's note").id;
    let e = stmt(StatementError::InputAsset {
        index: 0,
        found: "HKD".into(),
        expected: "PHP".into(),
    });
    out.push(swap_input("Ana's HKD", 0, ana, e.clone(), e));
    out.extend(kyc_mutations(fx, case, l, "burn.kyc"));
    out
}

fn register_mutations(fx: &Fixture, case: &Case, l: &Layout) -> Vec<Mutation> {
    let first = l.first();
    let rosa = fx.rosa.address();
    let other_p =
        Address::from_keys(*rosa.spend_key(), *fx.ana.address().view_key()).expect("keys");
    let other_x =
        Address::from_keys(*fx.outsider.address().spend_key(), *rosa.view_key()).expect("keys");
    let mut out = vec![
        Mutation::body(
            "register_address.address: another P",
            move |u| register(u).address = other_p,
            first.clone(),
            Some(sigma("view-key", 0, 0)),
        ),
        // The holder of the other X and of Rosa's view key (and credential) may register (X', P):
        // a new, valid registration, signed by X', once its KYC proof is made for X' (the
        // binding holds X).
        Mutation::body(
            "register_address.address: another X, signed by it",
            move |u| register(u).address = other_x,
            first.clone(),
            Some(l.free()),
        )
        .signed_by(&fx.outsider.spend),
        Mutation::same(
            "register_address.address: another X, signed by Rosa",
            move |u| register(u).address = other_x,
            signature("register-address"),
        ),
        Mutation::same(
            "register_address.address → Ana (registered)",
            {
                let ana = fx.ana.address();
                move |u| register(u).address = ana
            },
            stmt(StatementError::AlreadyRegistered(fx.ana.address().encode())),
        )
        .signed_by(&fx.ana.spend),
        Mutation::same(
            "register_address.address → the HKD treasury",
            {
                let t = fx.hkd_treasury.address();
                move |u| register(u).address = t
            },
            stmt(StatementError::AlreadyRegistered(
                fx.hkd_treasury.address().encode(),
            )),
        )
        .signed_by(&fx.hkd_treasury.spend),
    ];
    for (which, field) in [(0, "spend_key"), (1, "view_key")] {
        out.push(Mutation::wire(
            format!("register_address.address.{field} = identity"),
            move |p| {
                if let Some(proto::transaction::Body::RegisterAddress(r)) = p.body.as_mut() {
                    let a = r.address.as_mut().expect("address");
                    let key = if which == 0 {
                        &mut a.spend_key
                    } else {
                        &mut a.view_key
                    };
                    *key = vec![0; 32];
                }
            },
            dec(DecodeError::IdentityPoint {
                field: format!("register_address.address.{field}"),
            }),
        ));
    }
    out.extend(kyc_mutations(fx, case, l, "register_address.kyc"));
    out
}

fn quote_mutations() -> Vec<Mutation> {
    let none =
        |name: &str, f: fn(&mut UnsignedTransaction), e: Expect| Mutation::body(name, f, e, None);
    vec![
        // The PH operator re-signs a quote of the HK operator: only the HK operator may.
        none(
            "publish_quote.operator → hk-wallet",
            |u| quote(u).operator = "hk-wallet".into(),
            signature("publish-quote"),
        ),
        none(
            "publish_quote.operator unknown",
            |u| quote(u).operator = "nobody".into(),
            stmt(StatementError::UnknownOperator("nobody".into())),
        ),
        none(
            "publish_quote.asset_from unknown",
            |u| quote(u).asset_from = "XYZ".into(),
            stmt(StatementError::UnknownAsset {
                field: "publish_quote.asset_from".into(),
                code: "XYZ".into(),
            }),
        ),
        none(
            "publish_quote.asset_to unknown",
            |u| quote(u).asset_to = "XYZ".into(),
            stmt(StatementError::UnknownAsset {
                field: "publish_quote.asset_to".into(),
                code: "XYZ".into(),
            }),
        ),
        none(
            "publish_quote.asset_to = asset_from",
            |u| quote(u).asset_to = "HKD".into(),
            Expect::DecodeInvalid("publish_quote.asset_to".into()),
        ),
        none(
            "publish_quote.num = 0",
            |u| quote(u).num = 0,
            Expect::DecodeInvalid("publish_quote.num".into()),
        ),
        none(
            "publish_quote.den = 0",
            |u| quote(u).den = 0,
            Expect::DecodeInvalid("publish_quote.den".into()),
        ),
        // The operator's own terms: nothing to prove, the signature is the authority.
        none(
            "publish_quote.quote_id + 1",
            |u| quote(u).quote_id += 1,
            Expect::Accepted,
        ),
        none(
            "publish_quote.num + 1",
            |u| quote(u).num += 1,
            Expect::Accepted,
        ),
        none(
            "publish_quote.den + 1",
            |u| quote(u).den += 1,
            Expect::Accepted,
        ),
        none(
            "publish_quote.expiry_height + 1",
            |u| quote(u).expiry_height += 1,
            Expect::Accepted,
        ),
    ]
}

fn root_update_mutations(fx: &Fixture, case: &Case) -> Vec<Mutation> {
    let r = root_update;
    let TxBody::KycRootUpdate(u) = case.tx.body() else {
        unreachable!()
    };
    let (seq, previous) = (u.seq, u.previous_root);
    let head = case
        .state
        .kyc_root_head(u.issuer)
        .unwrap()
        .expect("the issuer's head");
    assert_eq!((head.seq + 1, head.root), (seq, previous));
    let wrong_seq = move |found: u64| {
        stmt(StatementError::RootUpdate(format!(
            "issuer {KYC_ISSUER_ID}: seq {found}, expected {seq}"
        )))
    };
    let wrong_previous = move |found: FieldBytes| {
        stmt(StatementError::RootUpdate(format!(
            "issuer {KYC_ISSUER_ID}: previous root {found:?} is not the current root {previous:?}"
        )))
    };
    let mut flipped = previous;
    flipped.0[0] ^= 1;
    let older = fx.roots[0];
    assert_ne!(older, previous);
    let none = |name: &str, f: Box<dyn Fn(&mut UnsignedTransaction) + Send + Sync>, e: Expect| {
        Mutation::body(name, f, e, None)
    };
    vec![
        none(
            "kyc_root_update.issuer unknown",
            Box::new(move |u| r(u).issuer = NO_SUCH_ISSUER),
            stmt(StatementError::UnknownIssuer(NO_SUCH_ISSUER)),
        ),
        // Issuer 2 has published nothing: its chain starts at seq 1.
        none(
            "kyc_root_update.issuer another known issuer",
            Box::new(move |u| r(u).issuer = PH_KYC_ISSUER_ID),
            stmt(StatementError::RootUpdate(format!(
                "issuer {PH_KYC_ISSUER_ID}: seq {seq}, expected 1"
            ))),
        ),
        none(
            "kyc_root_update.new_root not below the BN254 modulus",
            Box::new(move |u| r(u).new_root = FieldBytes([0xff; 32])),
            dec(DecodeError::NonCanonicalScalar {
                field: "kyc_root_update.new_root".into(),
            }),
        ),
        // Sequences and the chain of roots are exact: a skipped or replayed update is refused.
        none(
            "kyc_root_update.seq + 1",
            Box::new(move |u| r(u).seq += 1),
            wrong_seq(seq + 1),
        ),
        none(
            "kyc_root_update.seq − 1",
            Box::new(move |u| r(u).seq -= 1),
            wrong_seq(seq - 1),
        ),
        none(
            "kyc_root_update.seq = 0",
            Box::new(move |u| r(u).seq = 0),
            wrong_seq(0),
        ),
        none(
            "kyc_root_update.previous_root byte flipped",
            Box::new(move |u| r(u).previous_root.0[0] ^= 1),
            wrong_previous(flipped),
        ),
        none(
            "kyc_root_update.previous_root → the issuer's first root",
            Box::new(move |u| r(u).previous_root = older),
            wrong_previous(older),
        ),
        none(
            "kyc_root_update.previous_root = 0 (as if first)",
            Box::new(move |u| r(u).previous_root = FieldBytes([0; 32])),
            wrong_previous(FieldBytes([0; 32])),
        ),
        // The issuer's own statement: the root it publishes is its word, nothing to prove.
        none(
            "kyc_root_update.new_root byte flipped",
            Box::new(move |u| r(u).new_root.0[0] ^= 1),
            Expect::Accepted,
        ),
        // Only the issuer's key may publish its roots.
        none(
            "kyc_root_update signed by the PH operator",
            Box::new(|_| {}),
            signature("kyc-root-update"),
        )
        .signed_by(&fx.ph_operator),
    ]
}
