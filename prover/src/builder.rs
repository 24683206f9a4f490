//! The transaction builder: from a wallet's notes and keys to an unsigned transaction with every
//! proof made.
//!
//! Each kind is built in three steps: encrypt outputs and re-commit inputs; resolve the body
//! (proofs still empty) into its [`Statement`] exactly as a verifier will; prove each relation of
//! the statement in order with its witness, then the range proof, and write the proofs in. The
//! builder refuses what the protocol refuses (overspending, overflow, limits) before proving.
//!
//! KYC: a customer's Transfer, Burn and RegisterAddress carry a KYC section made from the
//! caller's [`KycCredential`]: the traveling part (root, day, escrow ciphertext, `link` for a
//! registration) goes into the body before the digest; once the statement is resolved, the
//! nullifier and the Groth16 proof over the resolved public inputs are filled in, and only then
//! are the sigma and range proofs made (their transcript holds the nullifier).
use crate::error::{KycProveError, ProveError};
use crate::kyc::{KycCredential, PendingKyc};
use crate::range::prove_range;
use crate::request::{
    BurnRequest, PayoutRequest, RegistrationRequest, TransferRequest, ViewWallet,
};
use crate::sigma::prove;
use corridor_core::address::Address;
use corridor_core::elgamal::{encrypt, AmountOpening, HintContext};
use corridor_core::genesis::{AssetPolicy, Genesis};
use corridor_core::group::{chunk_scale_inverse, pedersen, Point};
use corridor_core::instruction::{beneficiary_commitment, seal};
use corridor_core::keys::ViewKey;
use corridor_core::note::Note;
use corridor_core::sigma::SigmaProof;
use corridor_core::state::{BlockContext, PublicState};
use corridor_core::statement::{resolve, StatementError};
use corridor_core::tx::{
    Burn, FieldBytes, Input, KycProof, KycRootUpdate, Mint, Output, Payout, PublishQuote,
    RangeProofBytes, RegisterAddress, Remittance, Transfer, TxBody, UnsignedTransaction,
    MAX_INPUTS, MAX_OUTPUTS,
};
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use std::fmt;
use zeroize::Zeroize;

/// A note the wallet owns and has decrypted.
#[derive(Clone)]
pub struct OwnedNote {
    /// The note.
    pub note: Note,
    /// Its value.
    pub value: u64,
}

impl fmt::Debug for OwnedNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnedNote({} {})", self.note.id.short(), self.note.asset)
    }
}

impl OwnedNote {
    /// Decrypts a note with the owner's view key (decryptor 0).
    pub fn decrypt(note: Note, view: &ViewKey) -> Result<Self, ProveError> {
        let d = note.amount.decrypt(
            0,
            view,
            HintContext {
                asset: &note.asset,
                output_index: note.output_index,
            },
        )?;
        Ok(OwnedNote {
            value: d.value,
            note,
        })
    }
}

/// A payment to an address.
#[derive(Clone, Copy, Debug)]
pub struct Payment {
    /// Recipient.
    pub to: Address,
    /// Value.
    pub value: u64,
}

impl Payment {
    /// One payment to `to` per value (several notes to one recipient).
    pub fn each(to: Address, values: &[u64]) -> Vec<Payment> {
        values.iter().map(|&value| Payment { to, value }).collect()
    }
}

/// A remittance: pay `value` to the operator's settlement address at its quote, for the
/// beneficiary committed by `(beneficiary, salt)`.
#[derive(Clone, Debug)]
pub struct RemittanceRequest {
    /// The operator.
    pub operator: String,
    /// Its quote.
    pub quote_id: u64,
    /// Who receives the payout.
    pub beneficiary: Address,
    /// Blinds the beneficiary commitment.
    pub salt: [u8; 32],
    /// Value in asset A.
    pub value: u64,
}

/// A built transaction and the sender's secrets about its outputs (kept for sender receipts).
#[derive(Clone)]
pub struct BuiltTransaction {
    /// Ready to sign.
    pub tx: UnsignedTransaction,
    /// One opening per output, in output order.
    pub openings: Vec<AmountOpening>,
}

impl fmt::Debug for BuiltTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BuiltTransaction({}, {} outputs)",
            self.tx.body.kind(),
            self.openings.len()
        )
    }
}

/// Builds transactions against genesis, public state and the block the wallet expects them in.
pub struct Builder<'a> {
    genesis: &'a Genesis,
    state: &'a dyn PublicState,
    block: BlockContext,
}

impl fmt::Debug for Builder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Builder({})", self.genesis.network)
    }
}

/// Re-committed inputs and their equality witnesses.
struct Spent {
    inputs: Vec<Input>,
    witnesses: Vec<Vec<Scalar>>,
    blindings: Vec<Scalar>,
    total: u128,
}

/// Encrypted outputs with their openings.
struct Made {
    outputs: Vec<Output>,
    openings: Vec<AmountOpening>,
}

impl Made {
    fn validity_witnesses(&self) -> Vec<Vec<Scalar>> {
        self.openings
            .iter()
            .flat_map(|o| {
                let v = o.chunk_values();
                [
                    vec![Scalar::from(v[0]), o.blindings[0]],
                    vec![Scalar::from(v[1]), o.blindings[1]],
                ]
            })
            .collect()
    }

    fn range_openings(&self) -> Vec<(u64, Scalar)> {
        self.openings
            .iter()
            .flat_map(|o| {
                let v = o.chunk_values();
                [(v[0], o.blindings[0]), (v[1], o.blindings[1])]
            })
            .collect()
    }

    fn blinding_sum(&self, which: impl Fn(usize) -> bool) -> Scalar {
        self.openings
            .iter()
            .enumerate()
            .filter(|(i, _)| which(*i))
            .map(|(_, o)| o.combined_blinding())
            .sum()
    }
}

/// The limit's `W0` and the openings of `W0`, `W1` (see [`corridor_core::proofs`] and
/// DESIGN.md §3.5): `W = L·G − Σ C_o = w·G − (Σ r_o)·H`, `w = w0 + 2^32·w1`,
/// `W0 = w0·G + ρ·H`, `W1 = w1·G + 2^-32·(−Σ r_o − ρ)·H`.
pub struct LimitPart {
    /// `W0`, the value that travels.
    pub w0: Point,
    /// The openings `(w0, ρ)` of `W0` and `(w1, 2^-32·(−Σ r_o − ρ))` of the derived `W1`.
    pub openings: [(u64, Scalar); 2],
}

impl fmt::Debug for LimitPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LimitPart").field("w0", &self.w0).finish()
    }
}

/// The limit's part for payments of `paid` whose blindings sum to `payee_blindings`; `None`
/// when the asset has no limit.
pub fn limit_part<R: RngCore + CryptoRng>(
    policy: &AssetPolicy,
    paid: u128,
    payee_blindings: Scalar,
    rng: &mut R,
) -> Result<Option<LimitPart>, ProveError> {
    let Some(limit) = policy.limit else {
        return Ok(None);
    };
    let w = u128::from(limit)
        .checked_sub(paid)
        .ok_or_else(|| ProveError::OverLimit {
            asset: policy.code.clone(),
            paid,
            limit,
        })?;
    // w ≤ limit < 2^64.
    let w = w as u64;
    let (w0, w1) = (w & 0xffff_ffff, w >> 32);
    let rho = Scalar::random(rng);
    let b1 = chunk_scale_inverse() * (-payee_blindings - rho);
    Ok(Some(LimitPart {
        w0: Point::new(pedersen().commit(Scalar::from(w0), rho)),
        openings: [(w0, rho), (w1, b1)],
    }))
}

fn sum(values: impl IntoIterator<Item = u64>) -> u128 {
    values.into_iter().map(u128::from).sum()
}

impl<'a> Builder<'a> {
    /// A builder over genesis and state, for a block at `block` (its day dates KYC proofs).
    pub fn new(genesis: &'a Genesis, state: &'a dyn PublicState, block: BlockContext) -> Self {
        Builder {
            genesis,
            state,
            block,
        }
    }

    /// The traveling KYC section for `address`, if a credential is given.
    fn kyc_section<'c, 'k, R: RngCore + CryptoRng>(
        &self,
        credential: Option<&'c KycCredential<'k>>,
        address: Address,
        with_link: bool,
        rng: &mut R,
    ) -> Result<(Option<KycProof>, Option<PendingKyc<'c, 'k>>), ProveError> {
        match credential {
            None => Ok((None, None)),
            Some(c) => {
                let (section, pending) = c.section(
                    address,
                    &self.genesis.escrow_key,
                    self.block.epoch_day(),
                    with_link,
                    rng,
                )?;
                Ok((Some(section), Some(pending)))
            }
        }
    }

    fn policy(&self, asset: &str) -> Result<&'a AssetPolicy, ProveError> {
        self.genesis
            .asset(asset)
            .ok_or_else(|| ProveError::UnknownAsset {
                asset: asset.to_string(),
            })
    }

    fn unsigned(&self, body: TxBody) -> UnsignedTransaction {
        UnsignedTransaction {
            network: self.genesis.network.clone(),
            body,
        }
    }

    /// Re-commits each input to a fresh `C'` and prepares its equality witness `(s⁻¹, v, r')`.
    fn spend<R: RngCore + CryptoRng>(
        &self,
        view: &ViewKey,
        asset: &str,
        notes: &[OwnedNote],
        rng: &mut R,
    ) -> Result<Spent, ProveError> {
        let mut spent = Spent {
            inputs: Vec::new(),
            witnesses: Vec::new(),
            blindings: Vec::new(),
            total: 0,
        };
        for (i, n) in notes.iter().enumerate() {
            if n.note.asset != asset {
                return Err(ProveError::InputAsset {
                    index: i,
                    found: n.note.asset.clone(),
                    expected: asset.to_string(),
                });
            }
            if n.note.owner.view_key() != &view.public() {
                return Err(ProveError::NotOwner {
                    index: i,
                    note: n.note.id.short(),
                });
            }
            let r = Scalar::random(rng);
            spent.inputs.push(Input {
                note_id: n.note.id,
                recommitment: Point::new(pedersen().commit(Scalar::from(n.value), r)),
                equality: SigmaProof::empty(),
            });
            spent
                .witnesses
                .push(vec![view.inverse(), Scalar::from(n.value), r]);
            spent.blindings.push(r);
            spent.total += u128::from(n.value);
        }
        Ok(spent)
    }

    fn make_outputs<R: RngCore + CryptoRng>(
        &self,
        outputs: &[(Address, u64, &AssetPolicy)],
        rng: &mut R,
    ) -> Result<Made, ProveError> {
        let mut made = Made {
            outputs: Vec::new(),
            openings: Vec::new(),
        };
        for (i, (to, value, policy)) in outputs.iter().enumerate() {
            let (amount, opening) = encrypt(
                *value,
                &policy.decryptors(to),
                HintContext {
                    asset: &policy.code,
                    output_index: i as u32,
                },
                rng,
            )?;
            made.outputs.push(Output { owner: *to, amount });
            made.openings.push(opening);
        }
        Ok(made)
    }

    /// Resolves the body, proves every relation in statement order and the range proof, and
    /// writes the proofs in.
    fn prove_body<R: RngCore + CryptoRng>(
        &self,
        mut tx: UnsignedTransaction,
        mut witnesses: Vec<Vec<Scalar>>,
        mut range: Vec<(u64, Scalar)>,
        kyc: Option<PendingKyc<'_, '_>>,
        rng: &mut R,
    ) -> Result<UnsignedTransaction, ProveError> {
        let mut statement = resolve(&tx, self.genesis, self.state, &self.block)?;
        match (&statement.kyc, kyc) {
            (None, None) => {}
            (Some(public), Some(pending)) => {
                let (nullifier, proof) = pending.prove(public, rng)?;
                let section = tx.body.kyc_mut().ok_or(KycProveError::SectionMissing)?;
                section.nullifier = nullifier;
                section.proof = proof;
                // The digest leaves out the nullifier and the proof; the transcript holds the
                // nullifier, so resolve again before the sigma proofs.
                statement = resolve(&tx, self.genesis, self.state, &self.block)?;
            }
            (Some(_), None) => return Err(KycProveError::CredentialRequired.into()),
            (None, Some(_)) => return Err(KycProveError::InstitutionalSigner.into()),
        }
        if statement.relations.len() != witnesses.len() {
            return Err(ProveError::WitnessCount {
                witnesses: witnesses.len(),
                relations: statement.relations.len(),
            });
        }
        let mut t = statement.transcript();
        let mut proofs = Vec::with_capacity(witnesses.len());
        for (i, (rel, w)) in statement.relations.iter().zip(&witnesses).enumerate() {
            proofs.push(prove(rel, w, i as u64, &mut t, rng)?);
        }
        let range_proof = if statement.range.is_empty() {
            RangeProofBytes::default()
        } else {
            prove_range(
                &statement.range,
                &range,
                statement.relations.len() as u64,
                &mut t,
                rng,
            )?
        };
        witnesses.iter_mut().for_each(|w| w.zeroize());
        range.iter_mut().for_each(|(v, r)| {
            v.zeroize();
            r.zeroize();
        });
        tx.body.fill_proofs(proofs, range_proof)?;
        Ok(tx)
    }

    fn placeholders(n: usize) -> Vec<SigmaProof> {
        vec![SigmaProof::empty(); n]
    }

    /// Mint: public `amounts` into the asset's treasury.
    pub fn mint<R: RngCore + CryptoRng>(
        &self,
        asset: &str,
        nonce: u64,
        amounts: &[u64],
        rng: &mut R,
    ) -> Result<BuiltTransaction, ProveError> {
        let policy = self.policy(asset)?;
        if amounts.is_empty() || amounts.len() > MAX_OUTPUTS {
            return Err(ProveError::OutputCount {
                kind: "mint",
                count: amounts.len(),
                max: MAX_OUTPUTS,
            });
        }
        let outs: Vec<_> = amounts
            .iter()
            .map(|v| (policy.treasury, *v, policy))
            .collect();
        let made = self.make_outputs(&outs, rng)?;
        let witnesses = made
            .openings
            .iter()
            .flat_map(|o| [vec![o.blindings[0]], vec![o.blindings[1]]])
            .collect();
        let body = TxBody::Mint(Mint {
            asset: asset.to_string(),
            nonce,
            outputs: made
                .outputs
                .iter()
                .cloned()
                .zip(amounts.iter().copied())
                .collect(),
            public_amount: Self::placeholders(2 * amounts.len()),
        });
        let tx = self.prove_body(self.unsigned(body), witnesses, Vec::new(), None, rng)?;
        Ok(BuiltTransaction {
            tx,
            openings: made.openings,
        })
    }

    /// Transfer from `wallet`'s notes: optional remittance first (output 0), then the payments,
    /// then change to the sender if any.
    pub fn transfer<R: RngCore + CryptoRng>(
        &self,
        wallet: &ViewWallet,
        request: &TransferRequest<'_>,
        rng: &mut R,
    ) -> Result<BuiltTransaction, ProveError> {
        let TransferRequest {
            asset,
            inputs,
            payments,
            fee,
            remittance,
            kyc,
        } = request;
        let (asset, fee) = (asset.as_str(), *fee);
        let policy = self.policy(asset)?;
        let me = wallet.address();
        let (kyc, pending) = self.kyc_section(kyc.as_ref(), me, false, rng)?;
        if inputs.is_empty() || inputs.len() > MAX_INPUTS {
            return Err(ProveError::InputCount {
                kind: "transfer",
                count: inputs.len(),
                max: MAX_INPUTS,
            });
        }
        let spent = self.spend(wallet.view(), asset, inputs, rng)?;
        let mut outs: Vec<(Address, u64, &AssetPolicy)> = Vec::new();
        let rem = match remittance {
            Some(r) => {
                let op = self.genesis.operator(&r.operator).ok_or_else(|| {
                    ProveError::UnknownOperator {
                        operator: r.operator.clone(),
                    }
                })?;
                outs.push((op.settlement, r.value, policy));
                let q = beneficiary_commitment(&r.beneficiary, &r.salt);
                Some(Remittance {
                    operator: r.operator.clone(),
                    quote_id: r.quote_id,
                    beneficiary_commitment: q,
                    instruction: seal(&r.beneficiary, &r.salt, op.settlement.view_key(), rng)?,
                })
            }
            None => None,
        };
        outs.extend(payments.iter().map(|p| (p.to, p.value, policy)));
        let needed = sum(outs.iter().map(|o| o.1)) + u128::from(fee);
        let change = spent
            .total
            .checked_sub(needed)
            .ok_or(ProveError::InsufficientFunds {
                available: spent.total,
                needed,
            })?;
        if change > 0 {
            outs.push((
                me,
                u64::try_from(change).map_err(|_| ProveError::Overflow("change"))?,
                policy,
            ));
        }
        if outs.len() > MAX_OUTPUTS {
            return Err(ProveError::OutputCount {
                kind: "transfer",
                count: outs.len(),
                max: MAX_OUTPUTS,
            });
        }
        let made = self.make_outputs(&outs, rng)?;
        let payee = |i: usize| outs[i].0 != me;
        let paid = sum(outs.iter().filter(|o| o.0 != me).map(|o| o.1));
        let limit = if outs.iter().any(|o| o.0 != me) {
            limit_part(policy, paid, made.blinding_sum(payee), rng)?
        } else {
            None
        };
        let mut witnesses = spent.witnesses.clone();
        witnesses.extend(made.validity_witnesses());
        let e = spent.blindings.iter().sum::<Scalar>() - made.blinding_sum(|_| true);
        witnesses.push(vec![e]);
        let mut range = made.range_openings();
        if let Some(l) = &limit {
            range.extend(l.openings);
        }
        let n_out = made.outputs.len();
        let body = TxBody::Transfer(Transfer {
            asset: asset.to_string(),
            inputs: spent.inputs,
            outputs: made.outputs,
            fee,
            limit_w0: limit.as_ref().map(|l| l.w0),
            remittance: rem,
            kyc,
            validity: Self::placeholders(2 * n_out),
            range_proof: RangeProofBytes::default(),
            balance: SigmaProof::empty(),
        });
        let tx = self.prove_body(self.unsigned(body), witnesses, range, pending, rng)?;
        Ok(BuiltTransaction {
            tx,
            openings: made.openings,
        })
    }

    /// PublishQuote (signature only).
    pub fn publish_quote(&self, quote: PublishQuote) -> Result<UnsignedTransaction, ProveError> {
        let tx = self.unsigned(TxBody::PublishQuote(quote));
        resolve(&tx, self.genesis, self.state, &self.block)?;
        Ok(tx)
    }

    /// Payout of a remittance note at its quote: `b = ⌊a·num/den⌋` to the beneficiary from the
    /// float, the A value back to the settlement address, float change to the float address.
    /// `settlement` holds the remittance note, `float` the float notes.
    pub fn payout<R: RngCore + CryptoRng>(
        &self,
        settlement: &ViewWallet,
        float: &ViewWallet,
        request: &PayoutRequest,
        rng: &mut R,
    ) -> Result<BuiltTransaction, ProveError> {
        let PayoutRequest {
            operator,
            remittance,
            floats,
            beneficiary,
            salt,
        } = request;
        let (operator, beneficiary, salt) = (operator.as_str(), *beneficiary, *salt);
        let (settlement_view, float_view) = (settlement.view(), float.view());
        let op = self
            .genesis
            .operator(operator)
            .ok_or_else(|| ProveError::UnknownOperator {
                operator: operator.to_string(),
            })?;
        let tag = remittance
            .note
            .remittance
            .as_ref()
            .ok_or_else(|| ProveError::NotRemittance {
                note: remittance.note.id.short(),
            })?;
        let quote = self
            .state
            .quote(operator, tag.quote_id)
            .map_err(StatementError::from)?
            .ok_or_else(|| ProveError::UnknownQuote {
                operator: operator.to_string(),
                quote_id: tag.quote_id,
            })?;
        let from = self.policy(&quote.asset_from)?;
        let to = self.policy(&quote.asset_to)?;
        let a = u128::from(remittance.value);
        let scaled = a * u128::from(quote.num);
        let b = scaled / u128::from(quote.den);
        let rem = (scaled % u128::from(quote.den)) as u64;
        let b = u64::try_from(b).map_err(|_| ProveError::Overflow("payout amount"))?;
        let rem_spent = self.spend(
            settlement_view,
            &quote.asset_from,
            std::slice::from_ref(remittance),
            rng,
        )?;
        let float_spent = self.spend(float_view, &quote.asset_to, floats, rng)?;
        let change =
            float_spent
                .total
                .checked_sub(u128::from(b))
                .ok_or(ProveError::InsufficientFunds {
                    available: float_spent.total,
                    needed: u128::from(b),
                })?;
        let mut outs = vec![
            (beneficiary, b, to),
            (op.settlement, remittance.value, from),
        ];
        if change > 0 {
            outs.push((op.float, change as u64, to));
        }
        let made = self.make_outputs(&outs, rng)?;
        let payee = |i: usize| i == 0 && beneficiary != op.settlement && beneficiary != op.float;
        let limit = if payee(0) {
            limit_part(to, u128::from(b), made.blinding_sum(payee), rng)?
        } else {
            None
        };
        let r_r = Scalar::random(rng);
        let fx_remainder = Point::new(pedersen().commit(Scalar::from(rem), r_r));
        let r_rem = rem_spent.blindings[0];
        let r_out = |i: usize| made.openings[i].combined_blinding();
        let mut witnesses = rem_spent.witnesses.clone();
        witnesses.extend(float_spent.witnesses.clone());
        witnesses.extend(made.validity_witnesses());
        witnesses.push(vec![r_rem - r_out(1)]);
        witnesses.push(vec![
            float_spent.blindings.iter().sum::<Scalar>() - made.blinding_sum(|i| i != 1),
        ]);
        witnesses.push(vec![
            Scalar::from(quote.num) * r_rem - Scalar::from(quote.den) * r_out(0) - r_r,
        ]);
        let mut range = made.range_openings();
        if let Some(l) = &limit {
            range.extend(l.openings);
        }
        range.push((rem, r_r));
        range.push((u64::from(quote.den) - 1 - rem, -r_r));
        let n_out = made.outputs.len();
        let mut inputs = rem_spent.inputs.into_iter();
        let remittance_input = inputs.next().ok_or(ProveError::InputCount {
            kind: "payout",
            count: 0,
            max: MAX_INPUTS,
        })?;
        let body = TxBody::Payout(Payout {
            operator: operator.to_string(),
            remittance_input,
            float_inputs: float_spent.inputs,
            beneficiary,
            salt,
            outputs: made.outputs,
            limit_w0: limit.as_ref().map(|l| l.w0),
            fx_remainder,
            validity: Self::placeholders(2 * n_out),
            range_proof: RangeProofBytes::default(),
            balance_from: SigmaProof::empty(),
            balance_to: SigmaProof::empty(),
            fx: SigmaProof::empty(),
        });
        let tx = self.prove_body(self.unsigned(body), witnesses, range, None, rng)?;
        Ok(BuiltTransaction {
            tx,
            openings: made.openings,
        })
    }

    /// Burn of `wallet`'s notes back to the issuer, change to the owner.
    pub fn burn<R: RngCore + CryptoRng>(
        &self,
        wallet: &ViewWallet,
        request: &BurnRequest<'_>,
        rng: &mut R,
    ) -> Result<BuiltTransaction, ProveError> {
        let BurnRequest {
            asset,
            inputs,
            burn_amount,
            fee,
            kyc,
        } = request;
        let (asset, burn_amount, fee) = (asset.as_str(), *burn_amount, *fee);
        let policy = self.policy(asset)?;
        if inputs.is_empty() || inputs.len() > MAX_INPUTS {
            return Err(ProveError::InputCount {
                kind: "burn",
                count: inputs.len(),
                max: MAX_INPUTS,
            });
        }
        let (kyc, pending) = self.kyc_section(kyc.as_ref(), wallet.address(), false, rng)?;
        let spent = self.spend(wallet.view(), asset, inputs, rng)?;
        let needed = u128::from(burn_amount) + u128::from(fee);
        let change = spent
            .total
            .checked_sub(needed)
            .ok_or(ProveError::InsufficientFunds {
                available: spent.total,
                needed,
            })?;
        let outs: Vec<_> = if change > 0 {
            vec![(wallet.address(), change as u64, policy)]
        } else {
            Vec::new()
        };
        let made = self.make_outputs(&outs, rng)?;
        let mut witnesses = spent.witnesses.clone();
        witnesses.extend(made.validity_witnesses());
        witnesses.push(vec![
            spent.blindings.iter().sum::<Scalar>() - made.blinding_sum(|_| true),
        ]);
        let range = made.range_openings();
        let n_out = made.outputs.len();
        let body = TxBody::Burn(Burn {
            asset: asset.to_string(),
            inputs: spent.inputs,
            change: made.outputs.into_iter().next(),
            burn_amount,
            fee,
            kyc,
            validity: Self::placeholders(2 * n_out),
            range_proof: RangeProofBytes::default(),
            balance: SigmaProof::empty(),
        });
        let tx = self.prove_body(self.unsigned(body), witnesses, range, pending, rng)?;
        Ok(BuiltTransaction {
            tx,
            openings: made.openings,
        })
    }

    /// RegisterAddress for `wallet`'s address, proving the request's credential (its `link` is
    /// stored).
    pub fn register_address<R: RngCore + CryptoRng>(
        &self,
        wallet: &ViewWallet,
        request: &RegistrationRequest<'_>,
        rng: &mut R,
    ) -> Result<UnsignedTransaction, ProveError> {
        let (kyc, pending) = self.kyc_section(Some(&request.kyc), wallet.address(), true, rng)?;
        let kyc = kyc.ok_or(KycProveError::SectionMissing)?;
        let body = TxBody::RegisterAddress(RegisterAddress {
            address: wallet.address(),
            kyc,
            view_key_possession: SigmaProof::empty(),
        });
        self.prove_body(
            self.unsigned(body),
            vec![vec![*wallet.view().secret()]],
            Vec::new(),
            pending,
            rng,
        )
    }

    /// KycRootUpdate (signature only).
    pub fn kyc_root_update(
        &self,
        issuer: u32,
        seq: u64,
        previous_root: FieldBytes,
        new_root: FieldBytes,
    ) -> Result<UnsignedTransaction, ProveError> {
        let tx = self.unsigned(TxBody::KycRootUpdate(KycRootUpdate {
            issuer,
            seq,
            previous_root,
            new_root,
        }));
        resolve(&tx, self.genesis, self.state, &self.block)?;
        Ok(tx)
    }
}
