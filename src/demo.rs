//! The remittance demo: a Hong Kong domestic worker sends HKD to her family in the Philippines,
//! who receive PHP, every step built with real proofs and verified before it is applied.
//!
//! Mint HKD → Transfer (treasury → Maria, two notes) → Transfer (Maria pays Ana: two inputs,
//! two outputs, fee) → Mint PHP → Transfer (PHP treasury → the PH operator's float) →
//! PublishQuote (HKD→PHP) → remittance Transfer (Maria → PH operator, beneficiary Juan
//! committed) → Payout (PH operator pays Juan in PHP at the quote) → Burn (Juan cashes out).
use crate::network::{DemoNetwork, LedgerError, GENESIS_TIME};
use corridor_core::instruction;
use corridor_core::keys::WalletKeys;
use corridor_core::state::PublicState;
use corridor_core::tx::{NoteId, PublishQuote, Transaction, TxBody};
use corridor_prover::builder::{OwnedNote, Payment, RemittanceRequest};
use corridor_prover::ProveError;
use corridor_verifier::KycStatus;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::{Duration, Instant};

/// Amounts of the demo (in cents / centavos).
pub mod amounts {
    /// HKD minted into the treasury.
    pub const HKD_MINT: u64 = 100_000_000;
    /// Maria's two notes from the treasury.
    pub const MARIA_NOTES: [u64; 2] = [300_000, 200_000];
    /// Maria pays Ana.
    pub const ANA_PAYMENT: u64 = 123_456;
    /// Fee of that payment.
    pub const ANA_FEE: u64 = 500;
    /// PHP minted into the PHP treasury.
    pub const PHP_MINT: u64 = 50_000_000;
    /// PHP moved to the PH operator's float.
    pub const PHP_FLOAT: u64 = 10_000_000;
    /// Quote: 1 HKD = 7.2345 PHP.
    pub const QUOTE_NUM: u32 = 72_345;
    /// Quote denominator.
    pub const QUOTE_DEN: u32 = 10_000;
    /// Quote id.
    pub const QUOTE_ID: u64 = 7;
    /// Maria remits (HKD cents).
    pub const REMIT: u64 = 100_037;
    /// Fee of the remittance.
    pub const REMIT_FEE: u64 = 300;
    /// Juan cashes out (centavos).
    pub const JUAN_BURN: u64 = 500_000;
    /// Fee of the burn.
    pub const JUAN_BURN_FEE: u64 = 100;
}

/// Why the demo stopped.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Building a transaction failed.
    #[error("building {step}: {source}")]
    Build {
        /// Step.
        step: &'static str,
        /// Cause.
        source: ProveError,
    },
    /// The ledger refused a transaction.
    #[error("ledger refused {step}: {source}")]
    Ledger {
        /// Step.
        step: &'static str,
        /// Cause.
        source: LedgerError,
    },
    /// Something the demo expects did not hold.
    #[error("{0}")]
    Check(String),
}

/// One step of the demo.
#[derive(Clone, Debug)]
pub struct Step {
    /// What happened.
    pub name: &'static str,
    /// The committed transaction.
    pub tx: Transaction,
    /// Transaction id.
    pub tx_id: String,
    /// Encoded size.
    pub bytes: usize,
    /// Time to build (prove).
    pub build: Duration,
    /// Time to verify and apply.
    pub verify: Duration,
    /// KYC status the verifier reported.
    pub kyc: KycStatus,
}

/// The demo's outcome.
#[derive(Debug)]
pub struct DemoReport {
    /// The network after the demo.
    pub network: DemoNetwork,
    /// Maria (HK customer).
    pub maria: WalletKeys,
    /// Ana (HK customer).
    pub ana: WalletKeys,
    /// Juan (PH customer, the beneficiary).
    pub juan: WalletKeys,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// Juan's payout in PHP centavos.
    pub payout: u64,
    /// The FX remainder (centavos·den) the operator kept.
    pub fx_remainder: u64,
}

fn run_step(
    net: &mut DemoNetwork,
    steps: &mut Vec<Step>,
    name: &'static str,
    build: impl FnOnce(&DemoNetwork, &mut ChaCha20Rng) -> Result<Transaction, LedgerError>,
    rng: &mut ChaCha20Rng,
    progress: &mut dyn FnMut(&Step),
) -> Result<Transaction, DemoError> {
    let t0 = Instant::now();
    let tx = build(net, rng).map_err(|e| match e {
        LedgerError::Build(source) => DemoError::Build { step: name, source },
        source => DemoError::Ledger { step: name, source },
    })?;
    let built = t0.elapsed();
    let t1 = Instant::now();
    let verified = net
        .submit(&tx)
        .map_err(|source| DemoError::Ledger { step: name, source })?;
    let step = Step {
        name,
        tx: tx.clone(),
        tx_id: tx.id().short(),
        bytes: tx.encode().len(),
        build: built,
        verify: t1.elapsed(),
        // The node committed it, so its KYC proof (if the statement needs one) verified.
        kyc: if verified.kyc.is_some() {
            KycStatus::Verified
        } else {
            KycStatus::NotRequired
        },
    };
    progress(&step);
    steps.push(step);
    Ok(tx)
}

/// Runs the whole remittance on a fresh in-memory network; `progress` sees each step.
pub fn run_remittance(seed: u64, progress: &mut dyn FnMut(&Step)) -> Result<DemoReport, DemoError> {
    run_remittance_at(seed, GENESIS_TIME, progress)
}

/// [`run_remittance`] on a network whose genesis is at `genesis_time` (UTC seconds; block `h`
/// at `genesis_time + h * BLOCK_SECONDS`): a chain for a network with wall-clock block times.
pub fn run_remittance_at(
    seed: u64,
    genesis_time: u64,
    progress: &mut dyn FnMut(&Step),
) -> Result<DemoReport, DemoError> {
    use amounts::*;
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let setup = |source| DemoError::Ledger {
        step: "onboarding",
        source,
    };
    let mut net = DemoNetwork::starting_at(seed, genesis_time).map_err(setup)?;
    let maria = net.customer_in([0x4d; 32], "HK").map_err(setup)?;
    let ana = net.customer_in([0x41; 32], "HK").map_err(setup)?;
    let juan = net.customer_in([0x4a; 32], "PH").map_err(setup)?;
    let mut steps = Vec::new();

    run_step(
        &mut net,
        &mut steps,
        "mint HKD",
        |net, rng| {
            let b = net.builder();
            Ok(b.mint("HKD", net.next_mint_nonce("HKD"), &[HKD_MINT], rng)?
                .tx
                .sign(&net.inst.hkd_issuer))
        },
        &mut rng,
        progress,
    )?;

    run_step(
        &mut net,
        &mut steps,
        "transfer HKD treasury → Maria",
        |net, rng| {
            let pay = Payment::each(maria.address(), &MARIA_NOTES);
            net.transfer(&net.inst.hkd_treasury, "HKD", &pay, 0, None, rng)
        },
        &mut rng,
        progress,
    )?;

    run_step(
        &mut net,
        &mut steps,
        "transfer Maria → Ana (2 in, 2 out, fee)",
        |net, rng| {
            let pay = [Payment {
                to: ana.address(),
                value: ANA_PAYMENT,
            }];
            net.transfer(&maria, "HKD", &pay, ANA_FEE, None, rng)
        },
        &mut rng,
        progress,
    )?;

    run_step(
        &mut net,
        &mut steps,
        "mint PHP",
        |net, rng| {
            let b = net.builder();
            Ok(b.mint("PHP", net.next_mint_nonce("PHP"), &[PHP_MINT], rng)?
                .tx
                .sign(&net.inst.php_issuer))
        },
        &mut rng,
        progress,
    )?;

    run_step(
        &mut net,
        &mut steps,
        "transfer PHP treasury → PH float",
        |net, rng| {
            let pay = [Payment {
                to: net.inst.ph_float.address(),
                value: PHP_FLOAT,
            }];
            net.transfer(&net.inst.php_treasury, "PHP", &pay, 0, None, rng)
        },
        &mut rng,
        progress,
    )?;

    run_step(
        &mut net,
        &mut steps,
        "publish quote HKD→PHP",
        |net, _| {
            let b = net.builder();
            Ok(b.publish_quote(PublishQuote {
                operator: "ph-wallet".into(),
                quote_id: QUOTE_ID,
                asset_from: "HKD".into(),
                asset_to: "PHP".into(),
                num: QUOTE_NUM,
                den: QUOTE_DEN,
                expiry_height: net.height() + 100,
            })?
            .sign(&net.inst.ph_operator))
        },
        &mut rng,
        progress,
    )?;

    let salt = [0x5a; 32];
    let remit_tx = run_step(
        &mut net,
        &mut steps,
        "remittance Maria → PH wallet for Juan",
        |net, rng| {
            let req = RemittanceRequest {
                operator: "ph-wallet".into(),
                quote_id: QUOTE_ID,
                beneficiary: juan.address(),
                salt,
                value: REMIT,
            };
            net.transfer(&maria, "HKD", &[], REMIT_FEE, Some(&req), rng)
        },
        &mut rng,
        progress,
    )?;

    // The operator opens the instruction box of the remittance it received.
    let (remit_note, beneficiary, opened_salt) = {
        let TxBody::Transfer(t) = remit_tx.body() else {
            return Err(DemoError::Check("the remittance is not a transfer".into()));
        };
        let rem = t
            .remittance
            .as_ref()
            .ok_or_else(|| DemoError::Check("the remittance carries no instruction".into()))?;
        let (beneficiary, salt) = instruction::open(
            &rem.instruction,
            &net.inst.ph_settlement.view,
            &rem.beneficiary_commitment,
        )
        .map_err(|e| DemoError::Check(format!("PH wallet cannot open the instruction: {e}")))?;
        let id = NoteId::derive(&remit_tx.id(), 0);
        let note =
            net.state.note(&id).ok().flatten().ok_or_else(|| {
                DemoError::Check("the remittance note is not on the ledger".into())
            })?;
        let owned = OwnedNote::decrypt(note, &net.inst.ph_settlement.view).map_err(|source| {
            DemoError::Build {
                step: "decrypt remittance",
                source,
            }
        })?;
        (owned, beneficiary, salt)
    };

    let payout = u64::try_from(u128::from(REMIT) * u128::from(QUOTE_NUM) / u128::from(QUOTE_DEN))
        .map_err(|_| DemoError::Check("payout overflows".into()))?;
    let fx_remainder = ((u128::from(REMIT) * u128::from(QUOTE_NUM)) % u128::from(QUOTE_DEN)) as u64;
    run_step(
        &mut net,
        &mut steps,
        "payout PH wallet → Juan (PHP)",
        |net, rng| {
            let b = net.builder();
            let floats = net.owned(&net.inst.ph_float, "PHP");
            Ok(b.payout(
                "ph-wallet",
                &net.inst.ph_settlement.view,
                &net.inst.ph_float.view,
                &remit_note,
                &floats,
                beneficiary,
                opened_salt,
                rng,
            )?
            .tx
            .sign(&net.inst.ph_operator))
        },
        &mut rng,
        progress,
    )?;

    run_step(
        &mut net,
        &mut steps,
        "burn Juan cashes out PHP",
        |net, rng| {
            let b = net.builder();
            let inputs = net.owned(&juan, "PHP");
            let kyc = net.kyc_credential(&juan)?;
            Ok(b.burn(
                &juan,
                "PHP",
                &inputs,
                JUAN_BURN,
                JUAN_BURN_FEE,
                Some(&kyc),
                rng,
            )?
            .tx
            .sign(&juan.spend))
        },
        &mut rng,
        progress,
    )?;

    Ok(DemoReport {
        network: net,
        maria,
        ana,
        juan,
        steps,
        payout,
        fx_remainder,
    })
}

/// Whether `tx` is a remittance transfer (for tools that scan).
pub fn is_remittance(tx: &Transaction) -> bool {
    matches!(tx.body(), TxBody::Transfer(t) if t.remittance.is_some())
}
