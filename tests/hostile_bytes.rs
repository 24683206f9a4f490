//! Must-show 5 (issue #2): hostile bytes — truncated, trailing, reordered or duplicated fields,
//! non-canonical points or scalars, unknown versions, oversized counts — give typed errors and
//! never panic.
//!
//! Valid encodings of every transaction kind come from a fixture chain on the demo network. Each
//! hostile class below is made from them, by hand at the protobuf wire level (tags, lengths,
//! varints) or by editing the prost message and re-encoding it, and each asserts the exact
//! [`DecodeError`] — variant and field path. Property tests then feed random bytes and random
//! mutations (flip, set, insert, delete, truncate, splice) of the valid encodings: decoding never
//! panics, and whatever still decodes is rejected by the verifier unless it is the original.
//!
//! The customers' fixtures carry real Groth16 KYC proofs. Their proof bytes are outside ids,
//! digests and transcripts, so a re-signed edit of them meets the KYC check itself, which must
//! refuse it: as malformed (off-curve, off-subgroup, non-canonical: `KycFormat`) or as false
//! (`Kyc`). An escrow point outside Baby Jubjub's prime-order subgroup is a typed `KycInputs`.
use corridor::network::KycKeys;
use corridor::scenario::{Scenario, ScenarioConfig, StepName};
use corridor_circuits::escrow::point_to_bytes;
use corridor_circuits::jubjub::{base_point, JubjubPoint};
use corridor_circuits::Fr;
use corridor_core::elgamal::HINT_LEN;
use corridor_core::genesis::Genesis;
use corridor_core::instruction::INSTRUCTION_BOX_LEN;
use corridor_core::keys::{SpendKey, WalletKeys};
use corridor_core::proto::{self, transaction::Body};
use corridor_core::state::BlockContext;
use corridor_core::statement::{resolve, StatementError};
use corridor_core::tx::{
    range_parties, range_proof_len, Transaction, TxBody, UnsignedTransaction, GROTH16_PROOF_LEN,
    MAX_TX_BYTES,
};
use corridor_core::DecodeError;
use corridor_node::MemoryLedger;
use corridor_verifier::groth16::{Element, Groth16DecodeError};
use corridor_verifier::{
    kyc_claim, verify_transaction, KycStatus, ProofError, VerifiedTransaction, VerifyContext,
    VerifyError,
};
use curve25519_dalek::scalar::Scalar;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use prost::Message;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::sync::OnceLock;

const SEED: u64 = 2026;

// ---------------------------------------------------------------------------------------------
// Fixture: one valid, committed transaction of every kind.

/// A committed transaction, the state and block it was verified for and the key that signed it.
struct Fixture {
    name: &'static str,
    tx: Transaction,
    bytes: Vec<u8>,
    before: MemoryLedger,
    block: BlockContext,
    signer: SpendKey,
}

struct Fixtures {
    genesis: Genesis,
    keys: &'static KycKeys,
    /// The customer whose registration is the "register" fixture.
    rosa: WalletKeys,
    all: Vec<Fixture>,
}

impl Fixtures {
    /// Verifies `tx` as the ledger verified fixture `f`: same genesis, state and block.
    fn verify(&self, tx: &Transaction, f: &Fixture) -> Result<VerifiedTransaction, VerifyError> {
        verify_transaction(
            tx,
            &VerifyContext {
                genesis: &self.genesis,
                state: &f.before,
                block: f.block,
                kyc_key: &self.keys.verifying,
            },
        )
    }

    fn get(&self, name: &str) -> &Fixture {
        self.all
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no fixture {name}"))
    }
}

/// The fixture name of each step of the scenario.
fn fixture_name(step: StepName) -> &'static str {
    match step {
        StepName::MintHkd => "mint",
        StepName::TreasuryToMaria => "treasury-transfer",
        StepName::MariaToAna => "transfer",
        StepName::MintPhp => "mint-php",
        StepName::PhpFloat => "float-transfer",
        StepName::PublishQuote => "quote",
        StepName::Remittance => "remittance",
        StepName::Payout => "payout",
        StepName::Burn => "burn",
        StepName::KycRootUpdate => "root-update",
        StepName::RegisterAddress => "register",
    }
}

/// Every step of the remittance scenario ([`corridor::scenario`]) as a fixture: one valid
/// transaction of every kind, with the state and block it was verified against.
fn build_fixtures() -> Fixtures {
    let scenario =
        Scenario::run(ScenarioConfig::new(SEED), &mut |_| {}).expect("the scenario runs");
    let all = scenario
        .steps
        .iter()
        .map(|step| Fixture {
            name: fixture_name(step.name),
            bytes: step.tx.encode(),
            tx: step.tx.clone(),
            before: step.before.clone(),
            block: step.block,
            signer: step.signer.clone(),
        })
        .collect();
    Fixtures {
        genesis: scenario.network.genesis.clone(),
        keys: scenario.network.keys,
        rosa: scenario.rosa.clone(),
        all,
    }
}

fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(build_fixtures)
}

#[test]
fn the_fixtures_cover_every_kind_and_verify() {
    let fx = fixtures();
    let kinds: std::collections::BTreeSet<_> = fx.all.iter().map(|f| f.tx.body().kind()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "burn",
            "kyc-root-update",
            "mint",
            "payout",
            "publish-quote",
            "register-address",
            "transfer"
        ]
    );
    for f in &fx.all {
        let tx = Transaction::decode(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(tx, f.tx, "{}", f.name);
        let verified = fx
            .verify(&tx, f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert!(f.tx.signature_valid(&f.signer.public()), "{}", f.name);
        // Customers' transactions carry a Groth16 KYC proof, and it verified.
        let expected = if f.tx.body().kyc().is_some() {
            KycStatus::Verified
        } else {
            KycStatus::NotRequired
        };
        assert_eq!(verified.kyc(), expected, "{}", f.name);
    }
    let with_kyc: Vec<&str> = fx
        .all
        .iter()
        .filter(|f| f.tx.body().kyc().is_some())
        .map(|f| f.name)
        .collect();
    assert_eq!(with_kyc, ["transfer", "remittance", "burn", "register"]);
}

// ---------------------------------------------------------------------------------------------
// Helpers: decoding, prost-level edits, wire-level edits.

/// Decodes bytes that must not decode, and returns the error.
fn reject(bytes: &[u8], what: &str) -> DecodeError {
    match Transaction::decode(bytes) {
        Ok(_) => panic!("{what}: hostile bytes decoded"),
        Err(e) => e,
    }
}

/// The fixture's wire message, edited and re-encoded (canonically: prost writes fields in order).
fn edited(f: &Fixture, edit: impl FnOnce(&mut proto::Transaction)) -> Vec<u8> {
    let mut p = f.tx.to_proto();
    edit(&mut p);
    p.encode_to_vec()
}

macro_rules! body_accessor {
    ($name:ident, $variant:ident, $ty:ty) => {
        fn $name(p: &mut proto::Transaction) -> &mut $ty {
            match p.body.as_mut() {
                Some(Body::$variant(b)) => b,
                _ => panic!(concat!("not a ", stringify!($variant))),
            }
        }
    };
}
body_accessor!(mint, Mint, proto::Mint);
body_accessor!(transfer, Transfer, proto::Transfer);
body_accessor!(quote, PublishQuote, proto::PublishQuote);
body_accessor!(payout, Payout, proto::Payout);
body_accessor!(burn, Burn, proto::Burn);
body_accessor!(register, RegisterAddress, proto::RegisterAddress);
body_accessor!(root_update, KycRootUpdate, proto::KycRootUpdate);

fn kyc_of(k: &mut Option<proto::KycProof>) -> &mut proto::KycProof {
    k.as_mut().expect("a KYC section")
}

/// Decodes 64 hex digits.
fn hex32(s: &str) -> [u8; 32] {
    assert_eq!(s.len(), 64, "{s}");
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex");
    }
    out
}

/// A protobuf varint.
fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

fn read_varint(bytes: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = bytes[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return v;
        }
    }
    panic!("varint too long in a fixture")
}

/// One field of a message on the wire: its number, wire type, and its value (the varint's
/// bytes, or a length-delimited field's payload).
#[derive(Clone, Debug, PartialEq, Eq)]
struct WireField {
    number: u32,
    wire_type: u8,
    value: Vec<u8>,
}

impl WireField {
    fn len_delimited(number: u32, payload: Vec<u8>) -> Self {
        WireField {
            number,
            wire_type: 2,
            value: payload,
        }
    }

    fn varint(number: u32, v: u64) -> Self {
        WireField {
            number,
            wire_type: 0,
            value: varint(v),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = varint(u64::from(self.number) << 3 | u64::from(self.wire_type));
        if self.wire_type == 2 {
            out.extend(varint(self.value.len() as u64));
        }
        out.extend(&self.value);
        out
    }
}

/// Splits a (valid) message into its fields.
fn wire_fields(bytes: &[u8]) -> Vec<WireField> {
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let key = read_varint(bytes, &mut pos);
        let (number, wire_type) = ((key >> 3) as u32, (key & 7) as u8);
        let value = match wire_type {
            0 => {
                let start = pos;
                read_varint(bytes, &mut pos);
                bytes[start..pos].to_vec()
            }
            2 => {
                let len = read_varint(bytes, &mut pos) as usize;
                pos += len;
                bytes[pos - len..pos].to_vec()
            }
            w => panic!("wire type {w} in a fixture"),
        };
        out.push(WireField {
            number,
            wire_type,
            value,
        });
    }
    out
}

fn join(fields: &[WireField]) -> Vec<u8> {
    fields.iter().flat_map(WireField::encode).collect()
}

/// Edits the fields of the message found by following `path` — (field number, occurrence) at
/// each level — rewrapping every enclosing length.
fn edit_wire(
    bytes: &[u8],
    path: &[(u32, usize)],
    edit: &mut dyn FnMut(&mut Vec<WireField>),
) -> Vec<u8> {
    let mut fields = wire_fields(bytes);
    let Some(&(number, occurrence)) = path.first() else {
        edit(&mut fields);
        return join(&fields);
    };
    let i = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.number == number)
        .nth(occurrence)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no occurrence {occurrence} of field {number}"));
    let inner = edit_wire(&fields[i].value, &path[1..], edit);
    fields[i] = WireField::len_delimited(number, inner);
    join(&fields)
}

// Field numbers of proto/corridor/v1/tx.proto used at the wire level: `Transaction`'s version,
// network, signature and body variants, then fields of `Transfer`, `Output` and `Mint`.
const VERSION: u32 = 1;
const NETWORK: u32 = 2;
const SIGNATURE: u32 = 15;
const BODY_MINT: u32 = 3;
const BODY_TRANSFER: u32 = 4;
const BODY_QUOTE: u32 = 5;
const TRANSFER_ASSET: u32 = 1;
const TRANSFER_INPUTS: u32 = 2;
const TRANSFER_OUTPUTS: u32 = 3;
const TRANSFER_FEE: u32 = 4;
const TRANSFER_BALANCE: u32 = 10;
const OUTPUT_OWNER: u32 = 1;
const MINT_NONCE: u32 = 2;

fn non_canonical(given: usize, reencoded: usize) -> DecodeError {
    DecodeError::NonCanonical { given, reencoded }
}

// ---------------------------------------------------------------------------------------------
// Framing: truncation, trailing bytes, order, duplicates, unknown fields, varints.

#[test]
fn truncated_at_every_offset() {
    for f in &fixtures().all {
        // Where the top-level fields end: a prefix ending there is a well-formed message
        // missing its later fields; any other prefix cuts a tag, varint or length.
        let top = wire_fields(&f.bytes);
        assert_eq!(
            top.iter().map(|w| w.number).collect::<Vec<_>>()[..2],
            [VERSION, NETWORK]
        );
        assert_eq!(top.last().map(|w| w.number), Some(SIGNATURE));
        let mut ends = vec![0];
        for w in &top {
            ends.push(ends[ends.len() - 1] + w.encode().len());
        }
        assert_eq!(ends.pop(), Some(f.bytes.len()));
        for cut in 0..f.bytes.len() {
            let err = reject(&f.bytes[..cut], &format!("{} cut at {cut}", f.name));
            let expected = match ends.iter().position(|&e| e == cut) {
                Some(0) => Some(DecodeError::UnsupportedVersion(0)),
                Some(1) => Some(DecodeError::invalid(
                    "network",
                    "\"\" is not 1–64 characters of a-z, 0-9, '-', '.'",
                )),
                Some(2) => Some(DecodeError::missing("body")),
                Some(3) => Some(DecodeError::Length {
                    field: "signature".into(),
                    expected: 64,
                    got: 0,
                }),
                Some(k) => panic!("unexpected boundary {k}"),
                None => None,
            };
            match expected {
                Some(e) => assert_eq!(err, e, "{} cut at {cut}", f.name),
                None => assert!(
                    matches!(err, DecodeError::Protobuf(_)),
                    "{} cut at {cut}: {err}",
                    f.name
                ),
            }
        }
    }
}

#[test]
fn trailing_bytes() {
    for f in &fixtures().all {
        let len = f.bytes.len();
        let with = |tail: &[u8]| [f.bytes.as_slice(), tail].concat();
        // Not protobuf: tag 0, a cut varint, a length past the end.
        for tail in [&[0x00][..], &[0xff], &[0x7a, 0x05, 0x01]] {
            assert!(
                matches!(reject(&with(tail), f.name), DecodeError::Protobuf(_)),
                "{} + {tail:02x?}",
                f.name
            );
        }
        // Protobuf, but not the encoding of what it holds: a second version, an unknown field,
        // a second signature, the whole transaction twice.
        for tail in [vec![0x08, 0x01], vec![0x70, 0x01], {
            let mut s = vec![0x7a, 0x40];
            s.extend(f.tx.signature());
            s
        }] {
            assert_eq!(
                reject(&with(&tail), f.name),
                non_canonical(len + tail.len(), len),
                "{} + {tail:02x?}",
                f.name
            );
        }
        assert!(matches!(
            reject(&with(&f.bytes), f.name),
            DecodeError::NonCanonical { given, .. } if given == 2 * len
        ));
    }
}

#[test]
fn reordered_fields() {
    let fx = fixtures();
    for f in &fx.all {
        let len = f.bytes.len();
        // Top level: network before version, signature before body.
        for (a, b) in [(0, 1), (2, 3)] {
            let mut top = wire_fields(&f.bytes);
            top.swap(a, b);
            assert_eq!(
                reject(&join(&top), f.name),
                non_canonical(len, len),
                "{}: top-level fields {a} and {b} swapped",
                f.name
            );
        }
        // Inside the body: its first two fields swapped.
        let body = wire_fields(&f.bytes)[2].number;
        let bytes = edit_wire(&f.bytes, &[(body, 0)], &mut |fields| fields.swap(0, 1));
        assert_eq!(bytes.len(), len);
        assert_eq!(
            reject(&bytes, f.name),
            non_canonical(len, len),
            "{}",
            f.name
        );
    }
    // Three levels down: the first input's note id after its re-commitment.
    let t = fx.get("transfer");
    let len = t.bytes.len();
    let bytes = edit_wire(
        &t.bytes,
        &[(BODY_TRANSFER, 0), (TRANSFER_INPUTS, 0)],
        &mut |fields| fields.swap(0, 1),
    );
    assert_eq!(reject(&bytes, "input fields"), non_canonical(len, len));
    // Swapping two elements of a repeated field is canonical: it is another transaction, which
    // decodes and which the signature rejects.
    let bytes = edit_wire(&t.bytes, &[(BODY_TRANSFER, 0)], &mut |fields| {
        let inputs: Vec<usize> = (0..fields.len())
            .filter(|&i| fields[i].number == TRANSFER_INPUTS)
            .collect();
        fields.swap(inputs[0], inputs[1]);
    });
    let swapped = Transaction::decode(&bytes).expect("swapped inputs are canonical");
    assert_ne!(swapped, t.tx);
    assert!(matches!(
        fx.verify(&swapped, t),
        Err(VerifyError::Signature { kind: "transfer" })
    ));
}

#[test]
fn duplicated_fields() {
    let fx = fixtures();
    for f in &fx.all {
        let len = f.bytes.len();
        // Each top-level field written twice in a row.
        for i in 0..4 {
            let mut top = wire_fields(&f.bytes);
            let dup = top[i].clone();
            let extra = dup.encode().len();
            top.insert(i, dup);
            let err = reject(&join(&top), f.name);
            if i == 2 {
                // Two bodies merge into one (repeated fields concatenate).
                assert!(
                    matches!(err, DecodeError::NonCanonical { given, .. } if given == len + extra),
                    "{}: body twice: {err}",
                    f.name
                );
            } else {
                assert_eq!(
                    err,
                    non_canonical(len + extra, len),
                    "{}: field {i}",
                    f.name
                );
            }
        }
    }
    let t = fx.get("transfer");
    let len = t.bytes.len();
    // A singular scalar and a singular message inside the body, twice.
    for number in [TRANSFER_FEE, TRANSFER_BALANCE, TRANSFER_ASSET] {
        let mut extra = 0;
        let bytes = edit_wire(&t.bytes, &[(BODY_TRANSFER, 0)], &mut |fields| {
            let i = fields
                .iter()
                .position(|w| w.number == number)
                .expect("field");
            extra = fields[i].encode().len();
            fields.insert(i, fields[i].clone());
        });
        let err = reject(&bytes, "transfer field twice");
        assert!(
            matches!(err, DecodeError::NonCanonical { given, .. } if given == len + extra),
            "transfer field {number} twice: {err}"
        );
    }
    // A second body of another kind: the oneof keeps the last, so the bytes are not canonical.
    let mut top = wire_fields(&t.bytes);
    let q = wire_fields(&fx.get("quote").bytes)[2].clone();
    assert_eq!(q.number, BODY_QUOTE);
    top.insert(3, q);
    assert!(matches!(
        reject(&join(&top), "two bodies"),
        DecodeError::NonCanonical { .. }
    ));
    // A repeated element twice is canonical protobuf, and the same note spent twice.
    let bytes = edit_wire(&t.bytes, &[(BODY_TRANSFER, 0)], &mut |fields| {
        let i = fields
            .iter()
            .position(|w| w.number == TRANSFER_INPUTS)
            .expect("an input");
        fields.insert(i + 1, fields[i].clone());
    });
    match reject(&bytes, "input twice") {
        DecodeError::Invalid { field, reason } => {
            assert_eq!(field, "transfer.inputs[1]");
            assert!(reason.contains("spent twice"), "{reason}");
        }
        other => panic!("input twice: {other}"),
    }
    let p = fx.get("payout");
    let bytes = edited(p, |m| {
        let r = payout(m)
            .remittance_input
            .clone()
            .expect("remittance input");
        payout(m).float_inputs.push(r);
    });
    assert!(matches!(
        reject(&bytes, "payout input twice"),
        DecodeError::Invalid { field, .. } if field == "payout.inputs[2]"
    ));
}

#[test]
fn unknown_fields_and_wrong_wire_types() {
    let fx = fixtures();
    let t = fx.get("transfer");
    let len = t.bytes.len();
    // Unknown fields at each level: top (before the signature, and past it), body, nested
    // address. Each is well-formed protobuf that prost would skip; canonical decoding refuses.
    let mut top = wire_fields(&t.bytes);
    top.insert(3, WireField::varint(14, 1));
    assert_eq!(
        reject(&join(&top), "unknown 14"),
        non_canonical(len + 2, len)
    );
    let mut top = wire_fields(&t.bytes);
    top.push(WireField::len_delimited(1000, vec![1, 2, 3]));
    let extra = top[top.len() - 1].encode().len();
    assert_eq!(
        reject(&join(&top), "unknown 1000"),
        non_canonical(len + extra, len)
    );
    for path in [
        &[(BODY_TRANSFER, 0)][..],
        &[(BODY_TRANSFER, 0), (TRANSFER_OUTPUTS, 1), (OUTPUT_OWNER, 0)],
        &[(BODY_TRANSFER, 0), (TRANSFER_INPUTS, 1)],
    ] {
        let bytes = edit_wire(&t.bytes, path, &mut |fields| {
            fields.push(WireField::len_delimited(99, vec![0xab; 4]))
        });
        assert!(
            matches!(reject(&bytes, "nested unknown"), DecodeError::NonCanonical { given, reencoded } if given > reencoded && reencoded == len),
            "unknown field at {path:?}"
        );
    }
    // A known field with the wrong wire type, and the group / reserved wire types.
    let mut top = wire_fields(&t.bytes);
    top[0] = WireField::len_delimited(VERSION, vec![1]);
    assert!(matches!(
        reject(&join(&top), "version as bytes"),
        DecodeError::Protobuf(_)
    ));
    let mut top = wire_fields(&t.bytes);
    top[1] = WireField {
        number: NETWORK,
        wire_type: 0,
        value: vec![1],
    };
    assert!(matches!(
        reject(&join(&top), "network as varint"),
        DecodeError::Protobuf(_)
    ));
    for wire_type in [3u8, 4, 6, 7] {
        let bytes = [vec![(14 << 3) | wire_type], t.bytes.clone()].concat();
        assert!(
            matches!(reject(&bytes, "wire type"), DecodeError::Protobuf(_)),
            "wire type {wire_type}"
        );
    }
}

#[test]
fn over_long_varints_and_explicit_defaults() {
    let fx = fixtures();
    for f in &fx.all {
        let len = f.bytes.len();
        // version 1 as two bytes; its key as two bytes; the network's length as two bytes.
        let v = &f.bytes;
        assert_eq!(v[..2], [0x08, 0x01]);
        for (what, bytes) in [
            ("version", [&[0x08, 0x81, 0x00][..], &v[2..]].concat()),
            ("key", [&[0x88, 0x00, 0x01][..], &v[2..]].concat()),
            (
                "length",
                [&[0x08, 0x01, 0x12, v[3] | 0x80, 0x00][..], &v[4..]].concat(),
            ),
        ] {
            assert_eq!(
                reject(&bytes, what),
                non_canonical(len + 1, len),
                "{}: over-long {what}",
                f.name
            );
        }
        // A varint of 11 bytes is not protobuf at all.
        let bytes = [&[0x08][..], &[0xff; 10], &[0x01], &v[2..]].concat();
        assert!(matches!(
            reject(&bytes, "11-byte varint"),
            DecodeError::Protobuf(_)
        ));
        // version 2^32 + 1 is truncated to 1 by a uint32 decoder: it must not alias version 1.
        let bytes = [&[0x08][..], &varint((1 << 32) + 1), &v[2..]].concat();
        assert!(matches!(
            reject(&bytes, "version 2^32+1"),
            DecodeError::NonCanonical { given, reencoded } if given > reencoded && reencoded == len
        ));
    }
    // Explicit defaults: the treasury transfer's fee 0, the first mint's nonce 0, an empty
    // network string.
    let t = fx.get("treasury-transfer");
    let bytes = edit_wire(&t.bytes, &[(BODY_TRANSFER, 0)], &mut |fields| {
        let i = fields
            .iter()
            .position(|w| w.number > TRANSFER_FEE)
            .expect("a field after the fee");
        fields.insert(i, WireField::varint(TRANSFER_FEE, 0));
    });
    assert_eq!(
        reject(&bytes, "explicit fee 0"),
        non_canonical(t.bytes.len() + 2, t.bytes.len())
    );
    let m = fx.get("mint");
    let bytes = edit_wire(&m.bytes, &[(BODY_MINT, 0)], &mut |fields| {
        assert!(fields.iter().all(|w| w.number != MINT_NONCE));
        fields.insert(1, WireField::varint(MINT_NONCE, 0));
    });
    assert_eq!(
        reject(&bytes, "explicit nonce 0"),
        non_canonical(m.bytes.len() + 2, m.bytes.len())
    );
}

// ---------------------------------------------------------------------------------------------
// Points, scalars, field elements.

/// Bad Ristretto255 encodings (RFC 9496 Appendix A.2), one or two per category, and two of ours.
fn bad_points() -> Vec<(&'static str, [u8; 32])> {
    let valid = corridor_core::group::h().compress().to_bytes();
    let mut low_bit = valid;
    low_bit[0] |= 1;
    let mut high_bit = valid;
    high_bit[31] |= 0x80;
    vec![
        // p = 2^255 − 19 and p + 1, a field element ≥ p (not reduced).
        (
            "s = p",
            hex32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        (
            "s = p + 1 (even, ≥ p)",
            hex32("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        (
            "s ≥ 2^255",
            hex32("00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
        ),
        (
            "negative s",
            hex32("ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20"),
        ),
        (
            "non-square x²",
            hex32("26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371"),
        ),
        (
            "non-square x² (2)",
            hex32("2810e5cbc2cc4d4eece54f61c6f69758e289aa7ab440b3cbeaa21995c2f4232b"),
        ),
        (
            "negative xy",
            hex32("3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e"),
        ),
        (
            "s = −1 (y = 0)",
            hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        ),
        ("a valid encoding with its low bit set", low_bit),
        ("a valid encoding with bit 255 set", high_bit),
    ]
}

/// A 32-byte field of some fixture.
type Slot = fn(&mut proto::Transaction) -> &mut Vec<u8>;

struct Loc {
    fixture: &'static str,
    field: &'static str,
    slot: Slot,
}

/// Every kind of point field, in every kind that carries one.
fn point_fields() -> Vec<(Loc, Forbids)> {
    use Forbids::*;
    vec![
        (
            Loc {
                fixture: "transfer",
                field: "transfer.outputs[0].chunks[0].commitment",
                slot: |p| &mut transfer(p).outputs[0].chunks[0].commitment,
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.outputs[1].chunks[1].handles[2]",
                slot: |p| &mut transfer(p).outputs[1].chunks[1].handles[2],
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.outputs[0].ephemeral",
                slot: |p| &mut transfer(p).outputs[0].ephemeral,
            },
            ForbidsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.outputs[1].owner.spend_key",
                slot: |p| {
                    &mut transfer(p).outputs[1]
                        .owner
                        .as_mut()
                        .expect("owner")
                        .spend_key
                },
            },
            ForbidsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.inputs[1].recommitment",
                slot: |p| &mut transfer(p).inputs[1].recommitment,
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.inputs[0].equality.commitments[2]",
                slot: |p| {
                    &mut transfer(p).inputs[0]
                        .equality
                        .as_mut()
                        .expect("proof")
                        .commitments[2]
                },
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.limit_w0",
                slot: |p| &mut transfer(p).limit_w0,
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.validity[3].commitments[1]",
                slot: |p| &mut transfer(p).validity[3].commitments[1],
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "transfer",
                field: "transfer.balance.commitments[0]",
                slot: |p| &mut transfer(p).balance.as_mut().expect("balance").commitments[0],
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "mint",
                field: "mint.outputs[0].output.chunks[1].handles[0]",
                slot: |p| {
                    &mut mint(p).outputs[0].output.as_mut().expect("output").chunks[1].handles[0]
                },
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "mint",
                field: "mint.outputs[0].output.owner.view_key",
                slot: |p| {
                    &mut mint(p).outputs[0]
                        .output
                        .as_mut()
                        .expect("output")
                        .owner
                        .as_mut()
                        .expect("owner")
                        .view_key
                },
            },
            ForbidsIdentity,
        ),
        (
            Loc {
                fixture: "payout",
                field: "payout.fx_remainder",
                slot: |p| &mut payout(p).fx_remainder,
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "payout",
                field: "payout.beneficiary.view_key",
                slot: |p| {
                    &mut payout(p)
                        .beneficiary
                        .as_mut()
                        .expect("beneficiary")
                        .view_key
                },
            },
            ForbidsIdentity,
        ),
        (
            Loc {
                fixture: "payout",
                field: "payout.remittance_input.recommitment",
                slot: |p| {
                    &mut payout(p)
                        .remittance_input
                        .as_mut()
                        .expect("input")
                        .recommitment
                },
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "payout",
                field: "payout.outputs[2].ephemeral",
                slot: |p| &mut payout(p).outputs[2].ephemeral,
            },
            ForbidsIdentity,
        ),
        (
            Loc {
                fixture: "burn",
                field: "burn.change[0].chunks[0].commitment",
                slot: |p| &mut burn(p).change[0].chunks[0].commitment,
            },
            AllowsIdentity,
        ),
        (
            Loc {
                fixture: "register",
                field: "register_address.address.spend_key",
                slot: |p| &mut register(p).address.as_mut().expect("address").spend_key,
            },
            ForbidsIdentity,
        ),
        (
            Loc {
                fixture: "register",
                field: "register_address.view_key_possession.commitments[0]",
                slot: |p| {
                    &mut register(p)
                        .view_key_possession
                        .as_mut()
                        .expect("proof")
                        .commitments[0]
                },
            },
            AllowsIdentity,
        ),
    ]
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Forbids {
    ForbidsIdentity,
    AllowsIdentity,
}

#[test]
fn non_canonical_points() {
    let fx = fixtures();
    for (bad_name, bad) in bad_points() {
        assert!(
            curve25519_dalek::ristretto::CompressedRistretto(bad)
                .decompress()
                .is_none(),
            "{bad_name} is a valid encoding"
        );
        for (loc, _) in point_fields() {
            let bytes = edited(fx.get(loc.fixture), |p| *(loc.slot)(p) = bad.to_vec());
            assert_eq!(
                reject(&bytes, loc.field),
                DecodeError::NonCanonicalPoint {
                    field: loc.field.into()
                },
                "{bad_name} at {}",
                loc.field
            );
        }
    }
}

#[test]
fn identity_where_forbidden_and_where_allowed() {
    let fx = fixtures();
    for (loc, forbids) in point_fields() {
        let f = fx.get(loc.fixture);
        let bytes = edited(f, |p| *(loc.slot)(p) = vec![0; 32]);
        match forbids {
            Forbids::ForbidsIdentity => assert_eq!(
                reject(&bytes, loc.field),
                DecodeError::IdentityPoint {
                    field: loc.field.into()
                },
                "{}",
                loc.field
            ),
            // Allowed by the encoding; the signature (and the proofs) still reject it.
            Forbids::AllowsIdentity => {
                let tx = Transaction::decode(&bytes)
                    .unwrap_or_else(|e| panic!("identity at {}: {e}", loc.field));
                assert!(
                    fx.verify(&tx, f).is_err(),
                    "identity at {} verified",
                    loc.field
                );
                let resigned = tx.into_unsigned().sign(&f.signer);
                assert!(
                    fx.verify(&resigned, f).is_err(),
                    "identity at {} verified after re-signing",
                    loc.field
                );
            }
        }
    }
    // The owner handle D = D_0 + 2^32·D_1 (computed, never sent) must not be the identity.
    let t = fx.get("transfer");
    let bytes = edited(t, |p| {
        for c in &mut transfer(p).outputs[1].chunks {
            c.handles[0] = vec![0; 32];
        }
    });
    assert_eq!(
        reject(&bytes, "owner handle"),
        DecodeError::IdentityPoint {
            field: "transfer.outputs[1].owner handle D_0 + 2^32·D_1".into()
        }
    );
}

#[test]
fn non_canonical_scalars() {
    let fx = fixtures();
    // ℓ = 2^252 + 27742317777372353535851937790883648493, from ℓ − 1.
    let mut ell = (-Scalar::ONE).to_bytes();
    ell[0] += 1;
    assert_eq!(
        ell,
        hex32("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
    );
    let mut ell_plus_one = ell;
    ell_plus_one[0] += 1;
    let mut high_bit = [0u8; 32];
    high_bit[31] = 0x80;
    let bad = [
        ("ℓ", ell),
        ("ℓ + 1", ell_plus_one),
        ("2^255", high_bit),
        ("2^256 − 1", [0xff; 32]),
    ];
    let locs = [
        Loc {
            fixture: "transfer",
            field: "transfer.balance.responses[0]",
            slot: |p| &mut transfer(p).balance.as_mut().expect("balance").responses[0],
        },
        Loc {
            fixture: "transfer",
            field: "transfer.inputs[1].equality.responses[2]",
            slot: |p| {
                &mut transfer(p).inputs[1]
                    .equality
                    .as_mut()
                    .expect("proof")
                    .responses[2]
            },
        },
        Loc {
            fixture: "transfer",
            field: "transfer.validity[0].responses[1]",
            slot: |p| &mut transfer(p).validity[0].responses[1],
        },
        Loc {
            fixture: "mint",
            field: "mint.public_amount[1].responses[0]",
            slot: |p| &mut mint(p).public_amount[1].responses[0],
        },
        Loc {
            fixture: "payout",
            field: "payout.fx.responses[0]",
            slot: |p| &mut payout(p).fx.as_mut().expect("fx").responses[0],
        },
        Loc {
            fixture: "burn",
            field: "burn.balance.responses[0]",
            slot: |p| &mut burn(p).balance.as_mut().expect("balance").responses[0],
        },
        Loc {
            fixture: "register",
            field: "register_address.view_key_possession.responses[0]",
            slot: |p| {
                &mut register(p)
                    .view_key_possession
                    .as_mut()
                    .expect("proof")
                    .responses[0]
            },
        },
    ];
    for (name, value) in bad {
        for loc in &locs {
            let bytes = edited(fx.get(loc.fixture), |p| *(loc.slot)(p) = value.to_vec());
            assert_eq!(
                reject(&bytes, loc.field),
                DecodeError::NonCanonicalScalar {
                    field: loc.field.into()
                },
                "{name} at {}",
                loc.field
            );
        }
    }
    // ℓ − 1 is canonical: it decodes, and the proof fails.
    let t = fx.get("transfer");
    let bytes = edited(t, |p| {
        *(locs[0].slot)(p) = (-Scalar::ONE).to_bytes().to_vec()
    });
    let tx = Transaction::decode(&bytes).expect("ℓ − 1 is canonical");
    assert!(fx.verify(&tx.into_unsigned().sign(&t.signer), t).is_err());
}

#[test]
fn bn254_field_elements_at_or_above_r() {
    let fx = fixtures();
    // r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.
    let mut r = hex32("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001");
    r.reverse();
    let mut r_plus_one = r;
    r_plus_one[0] += 1;
    let mut r_minus_one = r;
    r_minus_one[0] -= 1;
    let mut top_bit = [0u8; 32];
    top_bit[31] = 0x80;
    let locs = [
        Loc {
            fixture: "transfer",
            field: "transfer.kyc.root",
            slot: |p| &mut kyc_of(&mut transfer(p).kyc).root,
        },
        Loc {
            fixture: "transfer",
            field: "transfer.kyc.nullifier",
            slot: |p| &mut kyc_of(&mut transfer(p).kyc).nullifier,
        },
        Loc {
            fixture: "remittance",
            field: "transfer.kyc.escrow_c",
            slot: |p| &mut kyc_of(&mut transfer(p).kyc).escrow_c,
        },
        Loc {
            fixture: "burn",
            field: "burn.kyc.root",
            slot: |p| &mut kyc_of(&mut burn(p).kyc).root,
        },
        Loc {
            fixture: "register",
            field: "register_address.kyc.link",
            slot: |p| &mut register(p).kyc.as_mut().expect("kyc").link,
        },
        Loc {
            fixture: "root-update",
            field: "kyc_root_update.previous_root",
            slot: |p| &mut root_update(p).previous_root,
        },
        Loc {
            fixture: "root-update",
            field: "kyc_root_update.new_root",
            slot: |p| &mut root_update(p).new_root,
        },
    ];
    for loc in &locs {
        let f = fx.get(loc.fixture);
        for (name, value) in [
            ("r", r),
            ("r + 1", r_plus_one),
            ("2^255", top_bit),
            ("2^256 − 1", [0xff; 32]),
        ] {
            let bytes = edited(f, |p| *(loc.slot)(p) = value.to_vec());
            assert_eq!(
                reject(&bytes, loc.field),
                DecodeError::NonCanonicalScalar {
                    field: loc.field.into()
                },
                "{name} at {}",
                loc.field
            );
        }
        // r − 1 is a field element.
        let bytes = edited(f, |p| *(loc.slot)(p) = r_minus_one.to_vec());
        Transaction::decode(&bytes).unwrap_or_else(|e| panic!("r − 1 at {}: {e}", loc.field));
    }
}

// ---------------------------------------------------------------------------------------------
// KYC: Groth16 proof points (BN254 G1, G2) and the escrow point (Baby Jubjub). The wire decoder
// passes both as bytes; the verifier decodes them with validation.

/// BN254's base field modulus `p`, little-endian.
fn bn254_p() -> [u8; 32] {
    let mut p = hex32("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
    p.reverse();
    p
}

/// The compressed encoding (little-endian, flags 0) of a small `x`.
fn small_x(x: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(&x.to_le_bytes());
    out
}

/// An `x` with no point on G1 (`x³ + 3` a non-residue).
fn g1_x_off_curve() -> [u8; 32] {
    let x = (2u64..)
        .find(|x| ark_bn254::G1Affine::get_ys_from_x_unchecked(ark_bn254::Fq::from(*x)).is_none())
        .expect("a non-residue");
    small_x(x)
}

/// `x = c0 + c1·u` with `c1 = 1` and the first small `c0` for which `choose` holds, as
/// compressed G2 bytes `c0 ‖ c1` (flags 0: either `y` has the property sought).
fn g2_x(choose: impl Fn(ark_bn254::Fq2) -> bool) -> [u8; 64] {
    let fq2 = |c0: u64| ark_bn254::Fq2::new(ark_bn254::Fq::from(c0), ark_bn254::Fq::from(1u64));
    let c0 = (1u64..).find(|c0| choose(fq2(*c0))).expect("an x");
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&small_x(c0));
    out[32..].copy_from_slice(&small_x(1));
    out
}

/// The Groth16 decoding error `e`, as the verifier reports it.
fn kyc_format(e: Groth16DecodeError) -> Result<KycStatus, VerifyError> {
    Err(VerifyError::Proof(ProofError::KycFormat(e.to_string())))
}

#[test]
fn kyc_proof_points_off_curve_off_subgroup_or_non_canonical_are_kyc_format_errors() {
    use Element::{ProofA, ProofB, ProofC};
    let fx = fixtures();
    let (a, b, c) = (0..32, 32..96, 96..128);
    let off_curve = g1_x_off_curve();
    let b_off_twist = g2_x(|x| ark_bn254::G2Affine::get_ys_from_x_unchecked(x).is_none());
    let b_off_subgroup = g2_x(|x| {
        ark_bn254::G2Affine::get_point_from_x_unchecked(x, true)
            .is_some_and(|p| p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve())
    });
    // The generator of G1 is (1, 2), encoded as x = 1 with flags 0; x = 1 + p is not reduced.
    let generator = small_x(1);
    let mut unreduced = bn254_p();
    unreduced[0] += 1;
    let mut identity = [0u8; 32];
    identity[31] = 0x40;
    for name in ["transfer", "burn", "register"] {
        let f = fx.get(name);
        let proof = f.tx.body().kyc().expect("a KYC section").proof;
        let with = |range: std::ops::Range<usize>, bytes: &[u8]| {
            let mut p = proof;
            p[range].copy_from_slice(bytes);
            p
        };
        // The infinity flag (bit 6 of the last byte) alone over the point's x bits: it decodes
        // to the identity, whose canonical encoding has no x bits. (With the y-sign bit 7 also
        // set the flags themselves are invalid.)
        let flagged = |byte: usize| {
            let mut p = proof;
            p[byte] = (p[byte] & 0x3f) | 0x40;
            p
        };
        let cases: Vec<(
            &str,
            [u8; GROTH16_PROOF_LEN],
            Result<KycStatus, VerifyError>,
        )> = vec![
            (
                "A off the curve",
                with(a.clone(), &off_curve),
                kyc_format(Groth16DecodeError::InvalidPoint { element: ProofA }),
            ),
            (
                "C off the curve",
                with(c.clone(), &off_curve),
                kyc_format(Groth16DecodeError::InvalidPoint { element: ProofC }),
            ),
            (
                "B's x off the twist",
                with(b.clone(), &b_off_twist),
                kyc_format(Groth16DecodeError::InvalidPoint { element: ProofB }),
            ),
            (
                "B on the twist, outside the prime-order subgroup",
                with(b.clone(), &b_off_subgroup),
                kyc_format(Groth16DecodeError::NotInSubgroup { element: ProofB }),
            ),
            (
                "A with the infinity flag over its x",
                flagged(a.end - 1),
                kyc_format(Groth16DecodeError::NonCanonical { element: ProofA }),
            ),
            (
                "B with the infinity flag over its x",
                flagged(b.end - 1),
                kyc_format(Groth16DecodeError::NonCanonical { element: ProofB }),
            ),
            (
                "C = the generator with x written as 1 + p",
                with(c.clone(), &unreduced),
                kyc_format(Groth16DecodeError::InvalidPoint { element: ProofC }),
            ),
            // Valid encodings of other points decode, and the pairing check refuses them.
            (
                "C = the generator",
                with(c.clone(), &generator),
                Err(VerifyError::Proof(ProofError::Kyc)),
            ),
            (
                "A = the identity",
                with(a.clone(), &identity),
                Err(VerifyError::Proof(ProofError::Kyc)),
            ),
        ];
        for (what, bytes, expected) in cases {
            let mut unsigned = f.tx.unsigned().clone();
            unsigned.body.kyc_mut().expect("a KYC section").proof = bytes;
            let tx = unsigned.sign(&f.signer);
            // The wire carries them (the decoder does not parse proof points) …
            assert_eq!(
                Transaction::decode(&tx.encode()),
                Ok(tx.clone()),
                "{name}: {what}"
            );
            // … and the verifier refuses them at the KYC check, naming the element.
            assert_eq!(
                fx.verify(&tx, f).map(|v| v.kyc()),
                expected,
                "{name}: {what}"
            );
        }
    }
}

/// Re-proves the "register" fixture's view-key possession for its (edited) body, as Rosa can:
/// the edit then meets the KYC check rather than the sigma proof it would otherwise break.
fn reprove_registration(fx: &Fixtures, mut unsigned: UnsignedTransaction) -> Transaction {
    let f = fx.get("register");
    let statement = resolve(&unsigned, &fx.genesis, &f.before, &f.block).expect("resolves");
    assert_eq!(statement.relations.len(), 1);
    let proof = corridor_prover::sigma::prove(
        &statement.relations[0],
        &[*fx.rosa.view.secret()],
        0,
        &mut statement.transcript(),
        &mut ChaCha20Rng::seed_from_u64(SEED),
    )
    .expect("a possession proof");
    match &mut unsigned.body {
        TxBody::RegisterAddress(r) => r.view_key_possession = proof,
        _ => panic!("not a registration"),
    }
    unsigned.sign(&fx.rosa.spend)
}

#[test]
fn an_escrow_r_outside_baby_jubjubs_subgroup_is_a_typed_error() {
    let fx = fixtures();
    let on_curve = |y: u64| JubjubPoint::get_point_from_y_unchecked(Fr::from(y), false);
    let low_order = (2u64..)
        .filter_map(on_curve)
        .find(|p| !p.is_in_correct_subgroup_assuming_on_curve())
        .expect("a point outside the subgroup");
    let off_curve = (2u64..)
        .find(|y| on_curve(*y).is_none())
        .expect("a y with no x");
    let identity = point_to_bytes(&JubjubPoint::new(Fr::from(0u64), Fr::from(1u64)));
    assert_eq!(identity, small_x(1));
    let mut identity_negative_x = identity;
    identity_negative_x[31] |= 0x80;
    let subgroup = |reason| {
        Err(VerifyError::Proof(ProofError::KycInputs(format!(
            "escrow_R: {reason}"
        ))))
    };
    let refused = "not a canonical Baby Jubjub point of the prime-order subgroup";
    let cases: Vec<(&str, [u8; 32], Result<KycStatus, VerifyError>)> = vec![
        (
            "a point outside the prime-order subgroup",
            point_to_bytes(&low_order),
            subgroup(refused),
        ),
        ("a y with no point", small_x(off_curve), subgroup(refused)),
        ("0xff…ff", [0xff; 32], subgroup(refused)),
        (
            "the identity with the sign of x set",
            identity_negative_x,
            subgroup("non-canonical encoding"),
        ),
        // The identity (escrow randomness 0 would link the customer's transactions): refused
        // by name before any pairing.
        (
            "the identity",
            identity,
            subgroup("the identity (escrow randomness 0 links the customer's transactions)"),
        ),
        // Subgroup points other than the proof's: the Groth16 check refuses them.
        (
            "the base point B8",
            point_to_bytes(&base_point()),
            Err(VerifyError::Proof(ProofError::Kyc)),
        ),
    ];
    let register = fx.get("register");
    let transfer = fx.get("transfer");
    for (what, escrow_r, expected) in cases {
        // A registration whose owner re-proves its possession proof for the edited body: the
        // verifier reaches the KYC public inputs and names the escrow point.
        let mut unsigned = register.tx.unsigned().clone();
        unsigned.body.kyc_mut().expect("a KYC section").escrow_r = escrow_r;
        let tx = reprove_registration(fx, unsigned.clone());
        assert_eq!(Transaction::decode(&tx.encode()), Ok(tx.clone()), "{what}");
        assert_eq!(
            fx.verify(&tx, register).map(|v| v.kyc()),
            expected,
            "register: {what}"
        );
        // Merely re-signed, the edit breaks the first sigma proof (escrow_R is in the digest).
        let resigned = unsigned.sign(&register.signer);
        assert!(
            matches!(
                fx.verify(&resigned, register).map(|_| ()),
                Err(VerifyError::Proof(ProofError::Sigma { index: 0, .. }))
            ),
            "register re-signed: {what}"
        );
        // A transfer's KYC inputs, resolved by the verifier, refuse it the same way.
        let mut unsigned = transfer.tx.unsigned().clone();
        unsigned.body.kyc_mut().expect("a KYC section").escrow_r = escrow_r;
        let statement =
            resolve(&unsigned, &fx.genesis, &transfer.before, &transfer.block).expect("resolves");
        let claim = kyc_claim(statement.kyc.as_ref().expect("KYC inputs")).map(|_| ());
        match &expected {
            Err(VerifyError::Proof(e @ ProofError::KycInputs(_))) => {
                assert_eq!(claim, Err(e.clone()), "transfer: {what}")
            }
            _ => assert_eq!(claim, Ok(()), "transfer: {what}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Versions, networks, counts, lengths, missing and invalid fields, size.

#[test]
fn unknown_versions_and_wrong_networks() {
    let fx = fixtures();
    for f in &fx.all {
        for v in [0u32, 2, 3, u32::MAX] {
            // A signature of another version's format must not mask the version.
            for sig in [f.tx.signature().to_vec(), vec![0xee; 96]] {
                let bytes = edited(f, |p| {
                    p.version = v;
                    p.signature = sig.clone();
                });
                assert_eq!(
                    reject(&bytes, "version"),
                    DecodeError::UnsupportedVersion(v),
                    "{}: version {v}",
                    f.name
                );
            }
        }
        for bad in [
            "",
            "Corridor-Demo",
            "corridor demo",
            "corridor_demo",
            &"a".repeat(65),
        ] {
            assert!(
                matches!(
                    reject(&edited(f, |p| p.network = bad.into()), "network"),
                    DecodeError::Invalid { field, .. } if field == "network"
                ),
                "{}: network {bad:?}",
                f.name
            );
        }
        // A well-formed network id of another ledger decodes; the verifier names the mismatch,
        // before and after re-signing.
        let bytes = edited(f, |p| p.network = "corridor-mainnet".into());
        let tx = Transaction::decode(&bytes).expect("another network decodes");
        let wrong = StatementError::WrongNetwork {
            expected: "corridor-demo".into(),
            found: "corridor-mainnet".into(),
        };
        assert_eq!(
            fx.verify(&tx, f).map(|_| ()),
            Err(VerifyError::Statement(wrong.clone())),
            "{}",
            f.name
        );
        let resigned = tx.into_unsigned().sign(&f.signer);
        assert_eq!(
            fx.verify(&resigned, f).map(|_| ()),
            Err(VerifyError::Statement(wrong)),
            "{}",
            f.name
        );
    }
}

fn count(field: &str, expected: &str, got: usize) -> DecodeError {
    DecodeError::count(field, expected, got)
}

#[test]
fn oversized_counts() {
    let fx = fixtures();
    let t = fx.get("transfer");
    let cases: Vec<(&str, Vec<u8>, DecodeError)> = vec![
        (
            "17 inputs",
            edited(t, |p| {
                let tr = transfer(p);
                for i in 0..15u8 {
                    let mut extra = tr.inputs[0].clone();
                    extra.note_id[0] ^= i + 1;
                    tr.inputs.push(extra);
                }
            }),
            count("transfer.inputs", "1..=16", 17),
        ),
        (
            "no input",
            edited(t, |p| transfer(p).inputs.clear()),
            count("transfer.inputs", "1..=16", 0),
        ),
        (
            "50 000 empty inputs",
            edited(t, |p| {
                transfer(p).inputs = vec![proto::Input::default(); 50_000]
            }),
            count("transfer.inputs", "1..=16", 50_000),
        ),
        (
            "17 outputs",
            edited(t, |p| {
                let tr = transfer(p);
                let o = tr.outputs[0].clone();
                tr.outputs.resize(17, o);
            }),
            count("transfer.outputs", "1..=16", 17),
        ),
        (
            "6 handles (5 auditors)",
            edited(t, |p| {
                for c in &mut transfer(p).outputs[0].chunks {
                    let h = c.handles[1].clone();
                    c.handles.resize(6, h);
                }
            }),
            count("transfer.outputs[0].chunks[0].handles", "1..=5", 6),
        ),
        (
            "100 000 empty handles",
            edited(t, |p| {
                transfer(p).outputs[0].chunks[0].handles = vec![Vec::new(); 100_000]
            }),
            count("transfer.outputs[0].chunks[0].handles", "1..=5", 100_000),
        ),
        (
            "no handle",
            edited(t, |p| transfer(p).outputs[0].chunks[0].handles.clear()),
            count("transfer.outputs[0].chunks[0].handles", "1..=5", 0),
        ),
        (
            "chunks with different decryptors",
            edited(t, |p| {
                transfer(p).outputs[0].chunks[1].handles.pop();
            }),
            count("transfer.outputs[0].chunks[1].handles", "3", 2),
        ),
        (
            "3 chunks",
            edited(t, |p| {
                let o = &mut transfer(p).outputs[0];
                let c = o.chunks[0].clone();
                o.chunks.push(c);
            }),
            count("transfer.outputs[0].chunks", "2", 3),
        ),
        (
            "hints for 2 of 3 decryptors",
            edited(t, |p| {
                transfer(p).outputs[0].hints.pop();
            }),
            count("transfer.outputs[0].hints", "0 or 3", 2),
        ),
        (
            "a validity proof short",
            edited(t, |p| {
                transfer(p).validity.pop();
            }),
            count("transfer.validity", "4", 3),
        ),
        (
            "a balance proof with 2 commitments",
            edited(t, |p| {
                let b = transfer(p).balance.as_mut().expect("balance");
                b.commitments.push(b.commitments[0].clone());
            }),
            count("transfer.balance.commitments", "1", 2),
        ),
        (
            "an equality proof with 4 responses",
            edited(t, |p| {
                let e = transfer(p).inputs[1].equality.as_mut().expect("proof");
                e.responses.push(e.responses[0].clone());
            }),
            count("transfer.inputs[1].equality.responses", "3", 4),
        ),
        (
            "17 mint outputs",
            edited(fx.get("mint"), |p| {
                let m = mint(p);
                let o = m.outputs[0].clone();
                m.outputs.resize(17, o);
            }),
            count("mint.outputs", "1..=16", 17),
        ),
        (
            "5 mint public-amount proofs (two outputs)",
            edited(fx.get("mint"), |p| {
                let m = mint(p);
                let a = m.public_amount[0].clone();
                m.public_amount.push(a);
            }),
            count("mint.public_amount", "4", 5),
        ),
        (
            "16 float inputs",
            edited(fx.get("payout"), |p| {
                let po = payout(p);
                for i in 0..15u8 {
                    let mut extra = po.float_inputs[0].clone();
                    extra.note_id[0] ^= i + 1;
                    po.float_inputs.push(extra);
                }
            }),
            count("payout.float_inputs", "0..=15", 16),
        ),
        (
            "a payout with one output",
            edited(fx.get("payout"), |p| payout(p).outputs.truncate(1)),
            count("payout.outputs", "2..=16", 1),
        ),
        (
            "two burn change outputs",
            edited(fx.get("burn"), |p| {
                let b = burn(p);
                let c = b.change[0].clone();
                b.change.push(c);
            }),
            count("burn.change", "0..=1", 2),
        ),
    ];
    for (what, bytes, expected) in cases {
        assert!(bytes.len() <= MAX_TX_BYTES, "{what}: too big a test case");
        assert_eq!(reject(&bytes, what), expected, "{what}");
    }
}

#[test]
fn wrong_lengths() {
    let fx = fixtures();
    let len = |field: &str, expected: usize, got: usize| DecodeError::Length {
        field: field.into(),
        expected,
        got,
    };
    let t = fx.get("transfer");
    // Maria → Ana: 2 outputs (4 chunks) and a limit (W0, W1) are 6 values, m = 8.
    let rp = range_proof_len(range_parties(6));
    assert_eq!(rp, (9 + 2 * 8) * 32);
    let p = fx.get("payout");
    // 3 outputs, a limit, FX: 10 values, m = 16.
    let prp = range_proof_len(range_parties(10));
    let cases: Vec<(&str, Vec<u8>, DecodeError)> = vec![
        (
            "a short hint",
            edited(t, |m| {
                transfer(m).outputs[0].hints[1].pop();
            }),
            len("transfer.outputs[0].hints[1]", HINT_LEN, HINT_LEN - 1),
        ),
        (
            "a long hint",
            edited(t, |m| transfer(m).outputs[1].hints[2].push(0)),
            len("transfer.outputs[1].hints[2]", HINT_LEN, HINT_LEN + 1),
        ),
        (
            "a range proof one element short",
            edited(t, |m| transfer(m).range_proof.truncate(rp - 32)),
            len("transfer.range_proof", rp, rp - 32),
        ),
        (
            "a range proof for m = 16",
            edited(t, |m| {
                transfer(m).range_proof.resize(range_proof_len(16), 0)
            }),
            len("transfer.range_proof", rp, range_proof_len(16)),
        ),
        (
            "no range proof",
            edited(t, |m| transfer(m).range_proof.clear()),
            len("transfer.range_proof", rp, 0),
        ),
        (
            "a payout range proof for m = 8",
            edited(p, |m| payout(m).range_proof.truncate(range_proof_len(8))),
            len("payout.range_proof", prp, range_proof_len(8)),
        ),
        (
            "a KYC proof of 127 bytes",
            edited(t, |m| {
                kyc_of(&mut transfer(m).kyc).proof.pop();
            }),
            len(
                "transfer.kyc.proof",
                GROTH16_PROOF_LEN,
                GROTH16_PROOF_LEN - 1,
            ),
        ),
        (
            "a KYC proof of 192 bytes (uncompressed G2)",
            edited(t, |m| kyc_of(&mut transfer(m).kyc).proof.resize(192, 0)),
            len("transfer.kyc.proof", GROTH16_PROOF_LEN, 192),
        ),
        (
            "a 31-byte escrow R",
            edited(fx.get("burn"), |m| {
                kyc_of(&mut burn(m).kyc).escrow_r.pop();
            }),
            len("burn.kyc.escrow_r", 32, 31),
        ),
        (
            "a 33-byte KYC root",
            edited(fx.get("register"), |m| {
                register(m).kyc.as_mut().expect("kyc").root.push(0)
            }),
            len("register_address.kyc.root", 32, 33),
        ),
        (
            "a 33-byte commitment",
            edited(t, |m| transfer(m).outputs[0].chunks[0].commitment.push(0)),
            len("transfer.outputs[0].chunks[0].commitment", 32, 33),
        ),
        (
            "a 31-byte response",
            edited(t, |m| {
                transfer(m).validity[2].responses[0].pop();
            }),
            len("transfer.validity[2].responses[0]", 32, 31),
        ),
        (
            "a 31-byte note id",
            edited(t, |m| {
                transfer(m).inputs[0].note_id.pop();
            }),
            len("transfer.inputs[0].note_id", 32, 31),
        ),
        (
            "a short instruction box",
            edited(fx.get("remittance"), |m| {
                transfer(m)
                    .remittance
                    .as_mut()
                    .expect("remittance")
                    .instruction
                    .pop();
            }),
            len(
                "transfer.remittance.instruction",
                INSTRUCTION_BOX_LEN,
                INSTRUCTION_BOX_LEN - 1,
            ),
        ),
        (
            "a 31-byte beneficiary commitment",
            edited(fx.get("remittance"), |m| {
                transfer(m)
                    .remittance
                    .as_mut()
                    .expect("remittance")
                    .beneficiary_commitment
                    .pop();
            }),
            len("transfer.remittance.beneficiary_commitment", 32, 31),
        ),
        (
            "a 33-byte salt",
            edited(p, |m| payout(m).salt.push(0)),
            len("payout.salt", 32, 33),
        ),
        (
            "a 63-byte signature",
            edited(t, |m| {
                m.signature.pop();
            }),
            len("signature", 64, 63),
        ),
        (
            "no signature",
            edited(t, |m| m.signature.clear()),
            len("signature", 64, 0),
        ),
    ];
    for (what, bytes, expected) in cases {
        assert_eq!(reject(&bytes, what), expected, "{what}");
    }
}

#[test]
fn missing_and_invalid_fields() {
    let fx = fixtures();
    let t = fx.get("transfer");
    let invalid_at = |bytes: &[u8], what: &str, at: &str| match reject(bytes, what) {
        DecodeError::Invalid { field, reason } => {
            assert_eq!(field, at, "{what}");
            assert!(!reason.is_empty(), "{what}");
        }
        other => panic!("{what}: {other}"),
    };
    for (what, bytes, at) in [
        ("no body", edited(t, |m| m.body = None), "body"),
        (
            "no balance proof",
            edited(t, |m| transfer(m).balance = None),
            "transfer.balance",
        ),
        (
            "an output without owner",
            edited(t, |m| transfer(m).outputs[1].owner = None),
            "transfer.outputs[1].owner",
        ),
        (
            "an input without equality proof",
            edited(t, |m| transfer(m).inputs[0].equality = None),
            "transfer.inputs[0].equality",
        ),
        (
            "a mint output without output",
            edited(fx.get("mint"), |m| mint(m).outputs[0].output = None),
            "mint.outputs[0].output",
        ),
        (
            "a payout without remittance input",
            edited(fx.get("payout"), |m| payout(m).remittance_input = None),
            "payout.remittance_input",
        ),
        (
            "a payout without beneficiary",
            edited(fx.get("payout"), |m| payout(m).beneficiary = None),
            "payout.beneficiary",
        ),
        (
            "a registration without KYC",
            edited(fx.get("register"), |m| register(m).kyc = None),
            "register_address.kyc",
        ),
    ] {
        assert_eq!(reject(&bytes, what), DecodeError::missing(at), "{what}");
    }
    invalid_at(
        &edited(t, |m| transfer(m).asset = "hkd".into()),
        "lower-case asset",
        "transfer.asset",
    );
    invalid_at(
        &edited(t, |m| kyc_of(&mut transfer(m).kyc).link = vec![0; 32]),
        "a link outside RegisterAddress",
        "transfer.kyc.link",
    );
    invalid_at(
        &edited(fx.get("remittance"), |m| {
            transfer(m)
                .remittance
                .as_mut()
                .expect("remittance")
                .operator = "PH Wallet".into()
        }),
        "an operator name",
        "transfer.remittance.operator",
    );
    let q = fx.get("quote");
    invalid_at(
        &edited(q, |m| quote(m).den = 0),
        "den 0",
        "publish_quote.den",
    );
    invalid_at(
        &edited(q, |m| quote(m).num = 0),
        "num 0",
        "publish_quote.num",
    );
    invalid_at(
        &edited(q, |m| quote(m).asset_to = "HKD".into()),
        "a quote from HKD to HKD",
        "publish_quote.asset_to",
    );
    invalid_at(
        &edited(fx.get("burn"), |m| {
            let b = burn(m);
            b.change.clear();
            b.validity.clear();
        }),
        "a range proof with nothing to prove",
        "burn.range_proof",
    );
    // An unsigned transaction carries no signature; a signed one needs one.
    let err = UnsignedTransaction::decode(&t.bytes).expect_err("signed bytes as unsigned");
    assert!(matches!(err, DecodeError::Invalid { field, .. } if field == "signature"));
    let unsigned = t.tx.unsigned().encode();
    assert_eq!(
        UnsignedTransaction::decode(&unsigned).expect("unsigned decodes"),
        *t.tx.unsigned()
    );
    assert_eq!(
        reject(&unsigned, "unsigned as signed"),
        DecodeError::Length {
            field: "signature".into(),
            expected: 64,
            got: 0
        }
    );
}

#[test]
fn oversize_messages() {
    let fx = fixtures();
    let t = fx.get("transfer");
    let too_large = |size| DecodeError::TooLarge {
        size,
        cap: MAX_TX_BYTES,
    };
    // Garbage, zeros, and a well-formed transaction grown past the cap.
    assert_eq!(
        reject(&vec![0u8; MAX_TX_BYTES + 1], "zeros"),
        too_large(MAX_TX_BYTES + 1)
    );
    assert_eq!(
        reject(&vec![0xffu8; 4 * MAX_TX_BYTES], "garbage"),
        too_large(4 * MAX_TX_BYTES)
    );
    let bytes = edited(t, |m| transfer(m).range_proof.resize(MAX_TX_BYTES, 0));
    assert_eq!(reject(&bytes, "a huge range proof"), too_large(bytes.len()));
    // At exactly the cap, the size is fine and the next check speaks: an unknown field fills
    // the transaction up to the cap.
    let padded = |filler: usize| {
        let mut top = wire_fields(&t.bytes);
        top.push(WireField::len_delimited(1000, vec![0; filler]));
        join(&top)
    };
    let mut filler = MAX_TX_BYTES - t.bytes.len();
    let bytes = loop {
        let bytes = padded(filler);
        match bytes.len().cmp(&MAX_TX_BYTES) {
            std::cmp::Ordering::Equal => break bytes,
            std::cmp::Ordering::Greater => filler -= bytes.len() - MAX_TX_BYTES,
            std::cmp::Ordering::Less => filler += MAX_TX_BYTES - bytes.len(),
        }
    };
    assert_eq!(bytes.len(), MAX_TX_BYTES);
    assert_eq!(
        reject(&bytes, "at the cap"),
        non_canonical(MAX_TX_BYTES, t.bytes.len())
    );
}

/// Proof bytes of the right size decode (the verifier parses them); signed by their signer they
/// are typed verifier errors, never a panic.
#[test]
fn proof_bytes_of_the_right_size_are_typed_verifier_errors() {
    let fx = fixtures();
    let mut rng = ChaCha20Rng::seed_from_u64(SEED);
    for name in ["transfer", "treasury-transfer", "payout", "burn"] {
        let f = fx.get(name);
        let n = f.tx.body().range_proof().expect("a range proof").0.len();
        let mut random = vec![0u8; n];
        rand::RngCore::fill_bytes(&mut rng, &mut random);
        for (what, fill) in [
            ("zeros", vec![0u8; n]),
            ("0xff", vec![0xff; n]),
            ("random", random),
        ] {
            let bytes = edited(f, |p| match p.body.as_mut() {
                Some(Body::Transfer(t)) => t.range_proof = fill.clone(),
                Some(Body::Payout(t)) => t.range_proof = fill.clone(),
                Some(Body::Burn(t)) => t.range_proof = fill.clone(),
                _ => panic!("no range proof"),
            });
            let tx = Transaction::decode(&bytes)
                .unwrap_or_else(|e| panic!("{name}: {what} range proof: {e}"));
            let resigned = tx.into_unsigned().sign(&f.signer);
            let err = fx
                .verify(&resigned, f)
                .map(|_| ())
                .expect_err("a forged range proof verified");
            match what {
                // Identities and zero scalars parse, and the proof does not hold.
                "zeros" => assert_eq!(err, VerifyError::Proof(ProofError::Range), "{name}"),
                // Scalars ≥ ℓ do not parse.
                "0xff" => assert!(
                    matches!(err, VerifyError::Proof(ProofError::RangeFormat(_))),
                    "{name}: {err}"
                ),
                _ => assert!(
                    matches!(
                        err,
                        VerifyError::Proof(ProofError::RangeFormat(_) | ProofError::Range)
                    ),
                    "{name}: {err}"
                ),
            }
        }
    }
    // A zero response: the sigma proof it belongs to fails, by name and index.
    let t = fx.get("transfer");
    let bytes = edited(t, |p| {
        transfer(p).balance.as_mut().expect("balance").responses[0] = vec![0; 32]
    });
    let tx = Transaction::decode(&bytes).expect("zero is canonical");
    let resigned = tx.into_unsigned().sign(&t.signer);
    // Proofs in order: 2 equalities, 4 validities, then the balance (index 6).
    assert_eq!(
        fx.verify(&resigned, t).map(|_| ()),
        Err(VerifyError::Proof(ProofError::Sigma {
            relation: "balance",
            index: 6,
            equation: 0
        }))
    );
}

// ---------------------------------------------------------------------------------------------
// Property tests: random and mutated encodings.

/// A runner with a fixed seed and no failure files.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// One edit of an encoding; positions are fractions of its current length.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, Vec<u8>),
    Delete(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
    /// Copies `len` bytes of fixture `donor` from `from` over this encoding at `at`.
    Splice {
        at: prop::sample::Index,
        donor: prop::sample::Index,
        from: prop::sample::Index,
        len: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<prop::sample::Index>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => (any::<prop::sample::Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        1 => (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            1usize..256
        )
            .prop_map(|(at, donor, from, len)| Mutation::Splice { at, donor, from, len }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation, donors: &[Fixture]) {
    let pos = |i: &prop::sample::Index, len: usize| if len == 0 { 0 } else { i.index(len) };
    match m {
        Mutation::Flip(i, bit) => {
            if !bytes.is_empty() {
                let p = pos(i, bytes.len());
                bytes[p] ^= 1 << bit;
            }
        }
        Mutation::Set(i, b) => {
            if !bytes.is_empty() {
                let p = pos(i, bytes.len());
                bytes[p] = *b;
            }
        }
        Mutation::Insert(i, b) => {
            let p = pos(i, bytes.len() + 1);
            bytes.splice(p..p, b.iter().copied());
        }
        Mutation::Delete(i, n) => {
            if !bytes.is_empty() {
                let p = pos(i, bytes.len());
                let end = (p + n).min(bytes.len());
                bytes.drain(p..end);
            }
        }
        Mutation::Truncate(i) => {
            let p = pos(i, bytes.len() + 1);
            bytes.truncate(p);
        }
        Mutation::Splice {
            at,
            donor,
            from,
            len,
        } => {
            let d = &donors[donor.index(donors.len())].bytes;
            let from = from.index(d.len());
            let src = &d[from..(from + len).min(d.len())];
            if !bytes.is_empty() {
                let p = pos(at, bytes.len());
                let end = (p + src.len()).min(bytes.len());
                bytes.splice(p..end, src.iter().copied());
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let fx = fixtures();
    // Plain random bytes, and random bytes after a valid prefix (so that parsing gets deep).
    let strategy = (
        prop::collection::vec(any::<u8>(), 0..4096),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    );
    runner(256)
        .run(&strategy, |(random, which, cut)| {
            prop_assert!(Transaction::decode(&random).is_err());
            let f = &fx.all[which.index(fx.all.len())];
            let prefix = &f.bytes[..cut.index(f.bytes.len())];
            let bytes = [prefix, &random].concat();
            if let Ok(tx) = Transaction::decode(&bytes) {
                if bytes != f.bytes {
                    prop_assert!(fx.verify(&tx, f).is_err());
                }
            }
            let _ = UnsignedTransaction::decode(&bytes);
            Ok(())
        })
        .expect("random bytes");
}

/// Whether `a` and `b` differ at most in their KYC proof bytes and signature: the Groth16 proof
/// is outside ids, digests and transcripts (it can be re-randomised), so only the KYC check
/// itself stands between a re-signed change of those bytes and acceptance.
fn same_but_kyc_proof(a: &Transaction, b: &Transaction) -> bool {
    let strip = |t: &Transaction| {
        let mut u = t.unsigned().clone();
        if let Some(k) = u.body.kyc_mut() {
            k.proof = [0; GROTH16_PROOF_LEN];
        }
        u
    };
    strip(a) == strip(b)
}

#[test]
fn mutated_encodings_never_panic_and_never_verify() {
    let fx = fixtures();
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 1..4),
    );
    let decoded = std::cell::Cell::new(0u32);
    let resigned_checked = std::cell::Cell::new(0u32);
    runner(256)
        .run(&strategy, |(which, mutations)| {
            let f = &fx.all[which.index(fx.all.len())];
            let mut bytes = f.bytes.clone();
            for m in &mutations {
                apply(&mut bytes, m, &fx.all);
            }
            let Ok(tx) = Transaction::decode(&bytes) else {
                return Ok(());
            };
            decoded.set(decoded.get() + 1);
            // What decodes is canonical: it re-encodes to the same bytes.
            prop_assert_eq!(tx.encode(), bytes.clone());
            let verdict = fx.verify(&tx, f);
            if bytes == f.bytes {
                prop_assert!(verdict.is_ok(), "the original must verify");
                return Ok(());
            }
            prop_assert!(verdict.is_err(), "a mutated encoding verified");
            // The signer re-signs the mutation: still no panic, and only a signature-only kind
            // may verify. A change of the Groth16 proof bytes alone reaches the KYC check, which
            // refuses it as malformed or as not verifying.
            let resigned = tx.clone().into_unsigned().sign(&f.signer);
            resigned_checked.set(resigned_checked.get() + 1);
            let verdict = fx.verify(&resigned, f);
            if resigned.unsigned() == f.tx.unsigned() {
                // Only the signature was hit: re-signing restores the original.
                prop_assert!(verdict.is_ok(), "the re-signed original must verify");
            } else if same_but_kyc_proof(&resigned, &f.tx) {
                prop_assert!(
                    matches!(
                        verdict,
                        Err(VerifyError::Proof(
                            ProofError::Kyc | ProofError::KycFormat(_)
                        ))
                    ),
                    "a re-signed change of the KYC proof bytes: {:?}",
                    verdict.map(|v| v.kyc())
                );
            } else if verdict.is_ok() {
                let kind = resigned.body().kind();
                prop_assert!(
                    kind == "publish-quote" || kind == "kyc-root-update",
                    "a re-signed mutation of a {} verified",
                    kind
                );
            }
            Ok(())
        })
        .expect("mutated encodings");
    // The property is not vacuous: some mutations decode and go through the verifier.
    let (decoded, resigned) = (decoded.get(), resigned_checked.get());
    assert!(decoded >= 16, "only {decoded} of 256 mutations decoded");
    assert!(
        resigned >= 16,
        "only {resigned} re-signed mutations verified"
    );
}

/// Random edits of the Groth16 proof bytes alone (the rest of each KYC fixture unchanged),
/// re-signed by the signer: every one reaches the KYC check and is refused, as malformed
/// (off-curve, off-subgroup, non-canonical) or as not verifying.
#[test]
fn mutated_kyc_proofs_never_verify() {
    let fx = fixtures();
    let with_kyc: Vec<&Fixture> = fx
        .all
        .iter()
        .filter(|f| f.tx.body().kyc().is_some())
        .collect();
    let edit = prop_oneof![
        (0..GROTH16_PROOF_LEN, 0u8..8).prop_map(|(i, bit)| (i, 1u8 << bit, false)),
        (0..GROTH16_PROOF_LEN, any::<u8>()).prop_map(|(i, b)| (i, b, true)),
    ];
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(edit, 1..4),
    );
    let (malformed, rejected) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner(64)
        .run(&strategy, |(which, edits)| {
            let f = with_kyc[which.index(with_kyc.len())];
            let mut unsigned = f.tx.unsigned().clone();
            let proof = &mut unsigned.body.kyc_mut().expect("a KYC section").proof;
            for &(i, b, set) in &edits {
                if set {
                    proof[i] = b;
                } else {
                    proof[i] ^= b;
                }
            }
            if unsigned == *f.tx.unsigned() {
                return Ok(());
            }
            let tx = unsigned.sign(&f.signer);
            // It travels: the wire decoder does not parse proof points.
            prop_assert_eq!(Transaction::decode(&tx.encode()), Ok(tx.clone()));
            match fx.verify(&tx, f).map(|v| v.kyc()) {
                Err(VerifyError::Proof(ProofError::KycFormat(_))) => {
                    malformed.set(malformed.get() + 1)
                }
                Err(VerifyError::Proof(ProofError::Kyc)) => rejected.set(rejected.get() + 1),
                other => prop_assert!(false, "{}: {:?}", f.name, other),
            }
            Ok(())
        })
        .expect("mutated KYC proofs");
    // Both refusals occur: most edits break a point's encoding, some land on another point.
    assert!(malformed.get() >= 8, "{} malformed", malformed.get());
    assert!(
        rejected.get() >= 1,
        "{} well-formed but false",
        rejected.get()
    );
}
