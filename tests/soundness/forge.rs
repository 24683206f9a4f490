//! A cheating prover: it knows (or chooses) every opening of a transaction — input values and
//! re-commitment blindings, output chunk values and blindings, the limit's `W0`/`W1` openings,
//! the FX remainder — and proves whatever statement it is handed with the witnesses those
//! openings give, true or not. Values are `i128` so that it can claim negative or oversized
//! values; a value with no `u64` form has no bulletproofs opening at all, and the forger then
//! hands bulletproofs `0` (its range proof cannot verify, which is the point).
//!
//! The builder refuses what the protocol refuses before proving; this prover never does, so the
//! verifier alone stands between it and the ledger.
//!
//! KYC: a customer's Groth16 proof is bound to the statement digest (through `binding` and, for
//! a Transfer or Burn, `scope`), and the forger re-randomises input re-commitments, so its
//! re-proof of a customer's transaction needs a new Groth16 proof. That costs about a second, so
//! the forger makes it only when asked ([`Forged::remake_kyc`]): once per case for the
//! [`Forged::baseline`] every re-proving attack starts from, and in the few tests whose honest
//! control moves the digest. Otherwise the KYC section stays as it was: an attack whose edit
//! moves the digest and survives every sigma and range proof then meets a Groth16 proof made for
//! another statement, which is what the re-proving attacker of a KYC field faces (a proof for
//! the edited public inputs needs a credential that proves them).
use super::fixture::{Case, Fixture};
use bulletproofs::RangeProof;
use corridor_circuits::escrow::point_to_bytes;
use corridor_circuits::kyc::{link, link_tag};
use corridor_circuits::statement::context;
use corridor_circuits::{
    fr_to_bytes, EscrowCiphertext, EscrowPublicKey, EscrowRandomness, KycCircuit, KycWitness,
};
use corridor_core::domain::proof as sep;
use corridor_core::elgamal::{encrypt_chunks, HintContext};
use corridor_core::genesis::{AssetPolicy, Genesis};
use corridor_core::group::{
    bulletproof_gens, chunk_scale, chunk_scale_inverse, g, h, pedersen, Point, CHUNK_BITS,
};
use corridor_core::range::RangeStatement;
use corridor_core::state::PublicState;
use corridor_core::statement::{resolve, StatementError};
use corridor_core::transcript::TranscriptProtocol;
use corridor_core::tx::{
    FieldBytes, Input, Output, PublishQuote, RangeProofBytes, TxBody, UnsignedTransaction,
    GROTH16_PROOF_LEN,
};
use corridor_node::MemoryLedger;
use corridor_prover::sigma::prove;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// `v` as a scalar, negative values included.
pub fn scalar(v: i128) -> Scalar {
    if v >= 0 {
        Scalar::from(v.unsigned_abs())
    } else {
        -Scalar::from(v.unsigned_abs())
    }
}

/// An opening `(value, blinding)` of `value·G + blinding·H`.
#[derive(Clone, Copy, Debug)]
pub struct Opening {
    /// The value, possibly out of range.
    pub value: i128,
    /// The blinding.
    pub blinding: Scalar,
}

impl Opening {
    /// The commitment.
    pub fn commit(&self) -> Point {
        Point::new(scalar(self.value) * g() + self.blinding * h())
    }

    /// What the forger hands bulletproofs: the value if it has a `u64` form, else 0.
    fn range_value(&self) -> u64 {
        u64::try_from(self.value).unwrap_or(0)
    }
}

/// A spent note's equality witness `(t = s⁻¹, v, r')`.
#[derive(Clone, Copy, Debug)]
pub struct InputWitness {
    /// `s⁻¹` of the view key the prover uses.
    pub t: Scalar,
    /// The value it claims.
    pub value: i128,
    /// The re-commitment blinding.
    pub r: Scalar,
}

/// The FX part of a Payout.
#[derive(Clone, Copy, Debug)]
pub struct FxWitness {
    /// Quote numerator.
    pub num: u32,
    /// Quote denominator.
    pub den: u32,
    /// `R`'s opening.
    pub remainder: Opening,
}

/// Everything the prover knows.
#[derive(Clone, Debug, Default)]
pub struct Witness {
    /// Per input, statement order.
    pub inputs: Vec<InputWitness>,
    /// Per output, the two chunk openings.
    pub outputs: Vec<[Opening; 2]>,
    /// `W0`, `W1`.
    pub limit: Option<[Opening; 2]>,
    /// FX.
    pub fx: Option<FxWitness>,
    /// RegisterAddress: `s`.
    pub view: Option<Scalar>,
}

fn combined_value(o: &[Opening; 2]) -> i128 {
    o[0].value + (o[1].value << CHUNK_BITS)
}

fn combined_blinding(o: &[Opening; 2]) -> Scalar {
    o[0].blinding + chunk_scale() * o[1].blinding
}

/// The inputs of a body, statement order, mutable.
pub fn inputs_mut(body: &mut TxBody) -> Vec<&mut Input> {
    match body {
        TxBody::Transfer(t) => t.inputs.iter_mut().collect(),
        TxBody::Burn(b) => b.inputs.iter_mut().collect(),
        TxBody::Payout(p) => std::iter::once(&mut p.remittance_input)
            .chain(p.float_inputs.iter_mut())
            .collect(),
        _ => Vec::new(),
    }
}

/// The outputs of a body, in order, mutable.
pub fn outputs_mut(body: &mut TxBody) -> Vec<&mut Output> {
    match body {
        TxBody::Mint(m) => m.outputs.iter_mut().map(|(o, _)| o).collect(),
        TxBody::Transfer(t) => t.outputs.iter_mut().collect(),
        TxBody::Payout(p) => p.outputs.iter_mut().collect(),
        TxBody::Burn(b) => b.change.iter_mut().collect(),
        _ => Vec::new(),
    }
}

/// The quote a Payout's remittance note was made at.
pub fn payout_quote(state: &MemoryLedger, body: &TxBody) -> Option<PublishQuote> {
    let TxBody::Payout(p) = body else {
        return None;
    };
    let note = state.note(&p.remittance_input.note_id).unwrap()?;
    let tag = note.remittance?;
    state.quote(&p.operator, tag.quote_id).unwrap()
}

/// The asset policy of output `o`.
fn output_policy<'g>(
    genesis: &'g Genesis,
    state: &MemoryLedger,
    body: &TxBody,
    o: usize,
) -> &'g AssetPolicy {
    let code = match body {
        TxBody::Mint(m) => m.asset.clone(),
        TxBody::Transfer(t) => t.asset.clone(),
        TxBody::Burn(b) => b.asset.clone(),
        TxBody::Payout(_) => {
            let q = payout_quote(state, body).expect("the payout's quote");
            if o == 1 {
                q.asset_from
            } else {
                q.asset_to
            }
        }
        _ => panic!("no outputs"),
    };
    genesis.asset(&code).expect("known asset")
}

/// A transaction body with every opening known.
#[derive(Clone, Debug)]
pub struct Forged {
    /// The body (its proofs are stale until [`Forged::prove`]).
    pub tx: UnsignedTransaction,
    /// The openings.
    pub w: Witness,
}

impl Forged {
    /// The case's body with every witness known, its KYC proof remade for it (once per case,
    /// then cloned): proving it verifies. Every re-proving attack starts here.
    pub fn baseline(fx: &Fixture, case: &Case) -> Self {
        case.baseline
            .get_or_init(|| {
                let mut rng = ChaCha20Rng::seed_from_u64(0xba5e);
                let mut f = Forged::from_case(fx, case, &mut rng);
                if case.is_customer() {
                    f.remake_kyc(fx, case, &mut rng)
                        .expect("the baseline's KYC proof");
                }
                f
            })
            .clone()
    }

    /// Takes a fixture case and re-randomises what the fixture's prover kept to itself (input
    /// re-commitments, `W0`, `R`), so that every witness is known. Proving the result verifies,
    /// except for a customer's, whose KYC proof must be remade first ([`Forged::remake_kyc`]).
    pub fn from_case(fx: &Fixture, case: &Case, rng: &mut ChaCha20Rng) -> Self {
        let s = &case.secrets;
        let w = Witness {
            inputs: s
                .inputs
                .iter()
                .map(|(view, v)| InputWitness {
                    t: view.inverse(),
                    value: i128::from(*v),
                    r: Scalar::random(rng),
                })
                .collect(),
            outputs: s
                .outputs
                .iter()
                .map(|o| {
                    let v = o.chunk_values();
                    [0, 1].map(|k| Opening {
                        value: i128::from(v[k]),
                        blinding: o.blindings[k],
                    })
                })
                .collect(),
            limit: None,
            fx: None,
            view: s.view.as_ref().map(|k| *k.secret()),
        };
        let mut f = Forged {
            tx: case.tx.clone().into_unsigned(),
            w,
        };
        f.refresh_inputs();
        f.refresh_limit(&fx.genesis, &case.state, rng);
        f.refresh_fx(&case.state, rng);
        f
    }

    /// Writes each input's re-commitment from its witness.
    pub fn refresh_inputs(&mut self) {
        let ws = self.w.inputs.clone();
        for (input, w) in inputs_mut(&mut self.tx.body).into_iter().zip(ws) {
            input.recommitment = Opening {
                value: w.value,
                blinding: w.r,
            }
            .commit();
        }
    }

    /// Re-encrypts output `o` to the same owner with the chunk values `chunks` (which may be out
    /// of range) and fresh blindings.
    pub fn set_output(
        &mut self,
        genesis: &Genesis,
        state: &MemoryLedger,
        o: usize,
        chunks: [u64; 2],
        rng: &mut ChaCha20Rng,
    ) {
        let policy = output_policy(genesis, state, &self.tx.body, o);
        let blindings = [Scalar::random(rng), Scalar::random(rng)];
        let mut outputs = outputs_mut(&mut self.tx.body);
        let out = &mut outputs[o];
        out.amount = encrypt_chunks(
            chunks,
            blindings,
            &policy.decryptors(&out.owner),
            HintContext {
                asset: &policy.code,
                output_index: o as u32,
            },
            rng,
        )
        .expect("encrypts");
        self.w.outputs[o] = [0, 1].map(|k| Opening {
            value: i128::from(chunks[k]),
            blinding: blindings[k],
        });
    }

    /// Re-derives `W0` and the openings of `W0`, `W1` from the outputs as they are now (the
    /// slack `L − paid` may be negative: then `W1` has no opening).
    pub fn refresh_limit(
        &mut self,
        genesis: &Genesis,
        state: &MemoryLedger,
        rng: &mut ChaCha20Rng,
    ) {
        let (limit, payees): (u64, Vec<usize>) = match &self.tx.body {
            TxBody::Transfer(t) if t.limit_w0.is_some() => {
                let policy = genesis.asset(&t.asset).expect("asset");
                let signer = state
                    .note(&t.inputs[0].note_id)
                    .unwrap()
                    .expect("input note")
                    .owner;
                let payees = (0..t.outputs.len())
                    .filter(|&i| t.outputs[i].owner != signer)
                    .collect();
                (policy.limit.expect("limit"), payees)
            }
            TxBody::Payout(p) if p.limit_w0.is_some() => {
                let op = genesis.operator(&p.operator).expect("operator");
                let policy = output_policy(genesis, state, &self.tx.body, 0);
                let payees = (0..p.outputs.len())
                    .filter(|&i| {
                        p.outputs[i].owner != op.settlement && p.outputs[i].owner != op.float
                    })
                    .collect();
                (policy.limit.expect("limit"), payees)
            }
            _ => {
                self.w.limit = None;
                return;
            }
        };
        let paid: i128 = payees
            .iter()
            .map(|&i| combined_value(&self.w.outputs[i]))
            .sum();
        let blinding: Scalar = payees
            .iter()
            .map(|&i| combined_blinding(&self.w.outputs[i]))
            .sum();
        let slack = i128::from(limit) - paid;
        let w0 = slack.rem_euclid(1 << CHUNK_BITS);
        let w1 = (slack - w0) >> CHUNK_BITS;
        let rho = Scalar::random(rng);
        let openings = [
            Opening {
                value: w0,
                blinding: rho,
            },
            Opening {
                value: w1,
                blinding: chunk_scale_inverse() * (-blinding - rho),
            },
        ];
        let w0_point = openings[0].commit();
        match &mut self.tx.body {
            TxBody::Transfer(t) => t.limit_w0 = Some(w0_point),
            TxBody::Payout(p) => p.limit_w0 = Some(w0_point),
            _ => unreachable!(),
        }
        self.w.limit = Some(openings);
    }

    /// Re-derives the FX remainder `R` so that the FX equation holds for the values as they are
    /// now: `rem = a·num − den·b`, whatever its sign and size.
    pub fn refresh_fx(&mut self, state: &MemoryLedger, rng: &mut ChaCha20Rng) {
        let Some(q) = payout_quote(state, &self.tx.body) else {
            self.w.fx = None;
            return;
        };
        let a = self.w.inputs[0].value;
        let b = combined_value(&self.w.outputs[0]);
        self.set_fx_remainder(
            q.num,
            q.den,
            a * i128::from(q.num) - i128::from(q.den) * b,
            rng,
        );
    }

    /// Sets `R` to commit `rem`.
    pub fn set_fx_remainder(&mut self, num: u32, den: u32, rem: i128, rng: &mut ChaCha20Rng) {
        let remainder = Opening {
            value: rem,
            blinding: Scalar::random(rng),
        };
        if let TxBody::Payout(p) = &mut self.tx.body {
            p.fx_remainder = remainder.commit();
        }
        self.w.fx = Some(FxWitness {
            num,
            den,
            remainder,
        });
    }

    /// The sigma witnesses in statement order.
    pub fn sigma_witnesses(&self) -> Vec<Vec<Scalar>> {
        let w = &self.w;
        let equality = w.inputs.iter().map(|i| vec![i.t, scalar(i.value), i.r]);
        let validity = w.outputs.iter().flat_map(|o| {
            [
                vec![scalar(o[0].value), o[0].blinding],
                vec![scalar(o[1].value), o[1].blinding],
            ]
        });
        let r_in: Vec<Scalar> = w.inputs.iter().map(|i| i.r).collect();
        let r_out: Vec<Scalar> = w.outputs.iter().map(combined_blinding).collect();
        match &self.tx.body {
            TxBody::Mint(_) => w
                .outputs
                .iter()
                .flat_map(|o| [vec![o[0].blinding], vec![o[1].blinding]])
                .collect(),
            TxBody::Transfer(_) | TxBody::Burn(_) => equality
                .chain(validity)
                .chain(std::iter::once(vec![
                    r_in.iter().sum::<Scalar>() - r_out.iter().sum::<Scalar>(),
                ]))
                .collect(),
            TxBody::Payout(_) => {
                let fx = w.fx.expect("fx witness");
                let balance_to = r_in[1..].iter().sum::<Scalar>()
                    - r_out
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != 1)
                        .map(|(_, r)| r)
                        .sum::<Scalar>();
                equality
                    .chain(validity)
                    .chain([
                        vec![r_in[0] - r_out[1]],
                        vec![balance_to],
                        vec![
                            Scalar::from(fx.num) * r_in[0]
                                - Scalar::from(fx.den) * r_out[0]
                                - fx.remainder.blinding,
                        ],
                    ])
                    .collect()
            }
            TxBody::RegisterAddress(_) => vec![vec![w.view.expect("view key")]],
            TxBody::PublishQuote(_) | TxBody::KycRootUpdate(_) => Vec::new(),
        }
    }

    /// The range openings in the verifier's list order: output chunks, `W0`, `W1`, `R`,
    /// `(den−1)·G − R`.
    pub fn range_openings(&self) -> Vec<(u64, Scalar)> {
        let mut v: Vec<(u64, Scalar)> = self
            .w
            .outputs
            .iter()
            .flatten()
            .map(|o| (o.range_value(), o.blinding))
            .collect();
        if let Some(l) = &self.w.limit {
            v.extend(l.iter().map(|o| (o.range_value(), o.blinding)));
        }
        if let Some(fx) = &self.w.fx {
            let r = fx.remainder;
            let complement = Opening {
                value: i128::from(fx.den) - 1 - r.value,
                blinding: -r.blinding,
            };
            v.push((r.range_value(), r.blinding));
            v.push((complement.range_value(), complement.blinding));
        }
        if matches!(self.tx.body, TxBody::Mint(_)) {
            v.clear();
        }
        v
    }

    /// Remakes the customer's KYC section for the body as it is now, as the honest builder
    /// does: a fresh escrow of the credential's `id_commit`, then — once the statement (and so
    /// the digest) is resolved — the nullifier and a Groth16 proof of the resolved public inputs
    /// with the case's credential (and, for a registration, the link of the address it
    /// registers). The root stays the section's (the credential's path is under it). Fails where the statement does not resolve or the credential cannot prove it.
    pub fn remake_kyc(
        &mut self,
        fx: &Fixture,
        case: &Case,
        rng: &mut ChaCha20Rng,
    ) -> Result<(), String> {
        let cred = case
            .secrets
            .kyc
            .clone()
            .ok_or("the case has no KYC credential")?;
        let escrow_pk =
            EscrowPublicKey::from_bytes(&fx.genesis.escrow_key).map_err(|e| e.to_string())?;
        let k = EscrowRandomness::random(rng);
        let escrow = EscrowCiphertext::encrypt(&escrow_pk, cred.credential.id_commit(), &k);
        // A registration carries the link of its identity and address.
        if let TxBody::RegisterAddress(r) = &mut self.tx.body {
            let tag = link_tag(&r.address);
            r.kyc.link = Some(FieldBytes(fr_to_bytes(&link(
                cred.credential.identity_secret(),
                tag,
            ))));
        }
        {
            let section = self.tx.body.kyc_mut().ok_or("no KYC section")?;
            section.escrow_r = point_to_bytes(&escrow.r);
            section.escrow_c = FieldBytes(fr_to_bytes(&escrow.c));
            section.nullifier = FieldBytes([0; 32]);
            section.proof = [0; GROTH16_PROOF_LEN];
        }
        let statement =
            resolve(&self.tx, &fx.genesis, &case.state, &case.block).map_err(|e| e.to_string())?;
        let public = statement.kyc.ok_or("no KYC statement")?;
        let address = statement.signer_address.ok_or("no signer address")?;
        let ctx = context(&public).map_err(|e| e.to_string())?;
        let witness = KycWitness {
            credential: cred.credential.clone(),
            membership: cred.membership.clone(),
            link_tag: link_tag(&address),
            escrow_randomness: k,
        };
        let (circuit, inputs) =
            KycCircuit::from_witness(witness, &ctx).map_err(|e| e.to_string())?;
        let proof = corridor_prover::groth16::prove(&cred.proving_key.0, circuit, rng)
            .map_err(|e| e.to_string())?;
        let bytes: [u8; GROTH16_PROOF_LEN] = corridor_params::encoding::encode_proof(&proof)
            .try_into()
            .map_err(|_| "proof encoding of the wrong length")?;
        let section = self.tx.body.kyc_mut().ok_or("no KYC section")?;
        section.nullifier = FieldBytes(fr_to_bytes(&inputs.nullifier));
        section.proof = bytes;
        Ok(())
    }

    /// Resolves the body as it is (against the case's state and block) and proves every
    /// relation with the witnesses above, then the range proof, whether or not they hold. The
    /// KYC section is left as it is.
    pub fn prove(
        &self,
        fx: &Fixture,
        case: &Case,
        rng: &mut ChaCha20Rng,
    ) -> Result<UnsignedTransaction, StatementError> {
        let statement = resolve(&self.tx, &fx.genesis, &case.state, &case.block)?;
        let witnesses = self.sigma_witnesses();
        assert_eq!(
            witnesses.len(),
            statement.relations.len(),
            "the forger's witnesses follow the statement"
        );
        let mut t = statement.transcript();
        let proofs = statement
            .relations
            .iter()
            .zip(&witnesses)
            .enumerate()
            .map(|(i, (rel, w))| prove(rel, w, i as u64, &mut t, rng).expect("witness sizes"))
            .collect();
        let range = prove_range_unchecked(
            &statement.range,
            &self.range_openings(),
            statement.relations.len() as u64,
            &mut t,
            rng,
        );
        let mut tx = self.tx.clone();
        tx.body.fill_proofs(proofs, range).expect("proof counts");
        Ok(tx)
    }
}

/// The prover's range proof without its check that the openings give the listed commitments:
/// bulletproofs commits to the openings it is given, so a list the openings do not open yields
/// a proof over other commitments, which the verifier (who builds the list itself) rejects.
pub fn prove_range_unchecked(
    statement: &RangeStatement,
    openings: &[(u64, Scalar)],
    index: u64,
    t: &mut Transcript,
    rng: &mut ChaCha20Rng,
) -> RangeProofBytes {
    if statement.is_empty() {
        return RangeProofBytes::default();
    }
    let m = statement.parties();
    let mut values: Vec<u64> = openings.iter().map(|(v, _)| *v).collect();
    let mut blindings: Vec<Scalar> = openings.iter().map(|(_, r)| *r).collect();
    values.resize(m, 0);
    blindings.resize(m, Scalar::ZERO);
    t.start_proof(sep::RANGE, index);
    let (proof, _) = RangeProof::prove_multiple_with_rng(
        bulletproof_gens(),
        &pedersen(),
        t,
        &values,
        &blindings,
        CHUNK_BITS,
        rng,
    )
    .expect("bulletproofs proves any u64 values");
    RangeProofBytes(proof.to_bytes())
}
