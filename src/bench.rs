//! Benchmark fixtures, shared by the criterion bench (`benches/proofs.rs`) and `corridor bench`.
//!
//! [`Fixtures::new`] builds, with the project's own APIs and a seeded ChaCha20 RNG, a demo
//! network on which Maria holds two HKD notes and pays Ana (two inputs, two outputs — Ana's
//! payment and Maria's change — a fee, the HKD limit), and from it one instance of every proof of
//! DESIGN.md §3.5 except KYC, each with a proof made once (and checked to verify) so that
//! [`Fixtures::run`] can time proving and verifying separately:
//!
//! | [`Proof`] | prove | verify |
//! |---|---|---|
//! | validity | one output chunk, 3 decryptors (owner, HKMA, BSP) | its 4 equations |
//! | equality | one spent note re-committed | its 3 equations |
//! | public-amount | one minted chunk, 3 decryptors | its 4 equations |
//! | balance | 2 re-committed inputs, 2 outputs, fee | its equation |
//! | limit | `W0` and the openings of `W0`, `W1` | deriving `W1` (the range part is in the range proof) |
//! | fx | `num·C'_a − den·C_b − R = e·H` | its equation |
//! | view-key-possession | `P = s·H` | its equation |
//! | recipient-disclosure, sender-disclosure | a receipt for Ana's note | the receipt |
//! | range-outputs | the 4 output chunks (`m = 4`) | the proof |
//! | range-transfer | the transfer's list: 4 output chunks, `W0`, `W1` (`m = 8`) | the proof |
//! | transfer-2in-2out | `Builder::transfer` and signing | `verify_transaction` |
//!
//! The whole transfer includes its KYC section: building it makes the Groth16 proof (about
//! 0.7 s on one core, most of the transfer's proving time) and verifying it checks that proof
//! (about 1.6 ms); `cargo bench --bench groth16` measures the Groth16 side on its own.
//!
//! Every measurement is set beside a [`Baseline`], bulletproofs' own prove and verify, measured
//! in the same run: the range proofs and the whole transfer beside the aggregated proof of the
//! same shape (`n = 32`, same `m`, `BulletproofGens::new(32, 64)`), every other proof beside one
//! 64-bit proof (`prove_single`, `verify_single`) as the unit.
pub mod verify;

use crate::network::{KycKeys, LedgerError};
use crate::scenario::{amounts, Scenario, ScenarioConfig, ScenarioError, StepName};
use bulletproofs::{BulletproofGens, RangeProof};
use corridor_core::disclosure::Disclosure;
use corridor_core::elgamal::{encrypt, AmountOpening, EncryptedAmount, HintContext};
use corridor_core::genesis::{AssetPolicy, Genesis};
use corridor_core::group::{bulletproof_gens, pedersen, Point, CHUNK_BITS};
use corridor_core::keys::{ViewKey, WalletKeys};
use corridor_core::note::Note;
use corridor_core::proofs;
use corridor_core::range::{limit_w1, RangeStatement};
use corridor_core::sigma::{LinearRelation, SigmaProof};
use corridor_core::state::BlockContext;
use corridor_core::state::PublicState;
use corridor_core::statement::{resolve, StatementError};
use corridor_core::transcript::tx_transcript;
use corridor_core::tx::{NoteId, RangeProofBytes, Transaction, TxBody};
use corridor_node::MemoryLedger;
use corridor_prover::builder::{limit_part, Builder, OwnedNote, Payment};
use corridor_prover::disclosure::{prove_recipient, prove_sender};
use corridor_prover::range::prove_range;
use corridor_prover::{KycCredential, ProveError, TransferRequest, ViewWallet};
use corridor_verifier::disclosure::verify_disclosure;
use corridor_verifier::range::verify_range;
use corridor_verifier::{verify_transaction, ProofError, VerifyContext, VerifyError};
use curve25519_dalek::ristretto::CompressedRistretto;
use curve25519_dalek::scalar::Scalar;
use merlin::Transcript;
use rand::{CryptoRng, Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::fmt;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::OnceLock;

/// The seed of the fixtures and of the measuring RNG, unless a caller picks another.
pub const DEFAULT_SEED: u64 = 2026;

/// The transcript label of the baseline proofs (a bench label, not a protocol one).
const BASELINE_TRANSCRIPT: &[u8] = b"corridor/bench/bulletproofs-baseline";

/// Why a fixture could not be built or an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Proving or building failed.
    #[error("prove: {0}")]
    Prove(#[from] ProveError),
    /// A proof did not verify.
    #[error("verify: {0}")]
    Proof(#[from] ProofError),
    /// A transaction did not verify.
    #[error("verify: {0}")]
    Verify(#[from] VerifyError),
    /// The demo ledger refused a setup transaction.
    #[error("setup: {0}")]
    Ledger(#[from] LedgerError),
    /// The remittance chain the fixtures come from stopped.
    #[error("setup: {0}")]
    Scenario(#[from] ScenarioError),
    /// A statement did not resolve.
    #[error("statement: {0}")]
    Statement(#[from] StatementError),
    /// Core failure (encryption).
    #[error(transparent)]
    Core(#[from] corridor_core::Error),
    /// bulletproofs refused to prove or to verify a baseline proof.
    #[error("bulletproofs baseline: {0}")]
    Bulletproofs(bulletproofs::ProofError),
    /// The fixture is not what the benchmarks expect.
    #[error("fixture: {0}")]
    Fixture(String),
}

/// The two operations timed for each proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Making the proof.
    Prove,
    /// Checking it.
    Verify,
}

impl Op {
    /// Both, in the order they are reported.
    pub const ALL: [Op; 2] = [Op::Prove, Op::Verify];

    /// `prove` or `verify`.
    pub fn name(self) -> &'static str {
        match self {
            Op::Prove => "prove",
            Op::Verify => "verify",
        }
    }
}

/// A benchmarked proof (DESIGN.md §3.5, KYC excepted), the aggregated range proof, or the whole
/// transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proof {
    /// Grouped validity of one output chunk (3 decryptors).
    Validity,
    /// Ciphertext–commitment equality of one spent note.
    Equality,
    /// Public amount of one minted chunk (3 decryptors).
    PublicAmount,
    /// Balance of a 2-in/2-out transfer with a fee.
    Balance,
    /// The limit outside its range part: `W0` (prove), `W1` (verify).
    Limit,
    /// FX conversion.
    Fx,
    /// View-key possession.
    ViewKeyPossession,
    /// Recipient disclosure.
    RecipientDisclosure,
    /// Sender disclosure.
    SenderDisclosure,
    /// The aggregated range proof of two outputs' chunks alone (`m = 4`).
    RangeOutputs,
    /// The aggregated range proof of the 2-in/2-out transfer: 4 chunks, `W0`, `W1` (`m = 8`).
    RangeTransfer,
    /// The whole 2-in/2-out transfer: `Builder::transfer` + signing, `verify_transaction`.
    Transfer,
}

impl Proof {
    /// Every benchmark, in the order they are reported.
    pub const ALL: [Proof; 12] = [
        Proof::Validity,
        Proof::Equality,
        Proof::PublicAmount,
        Proof::Balance,
        Proof::Limit,
        Proof::Fx,
        Proof::ViewKeyPossession,
        Proof::RecipientDisclosure,
        Proof::SenderDisclosure,
        Proof::RangeOutputs,
        Proof::RangeTransfer,
        Proof::Transfer,
    ];

    /// The benchmark's name (criterion group, `"bench"` of the JSON line).
    pub fn name(self) -> &'static str {
        match self {
            Proof::Validity => "validity",
            Proof::Equality => "equality",
            Proof::PublicAmount => "public-amount",
            Proof::Balance => "balance",
            Proof::Limit => "limit",
            Proof::Fx => "fx",
            Proof::ViewKeyPossession => "view-key-possession",
            Proof::RecipientDisclosure => "recipient-disclosure",
            Proof::SenderDisclosure => "sender-disclosure",
            Proof::RangeOutputs => "range-outputs",
            Proof::RangeTransfer => "range-transfer",
            Proof::Transfer => "transfer-2in-2out",
        }
    }

    /// What it is measured against.
    pub fn baseline(self) -> Baseline {
        match self {
            Proof::RangeOutputs => Baseline::Aggregated { m: 4 },
            Proof::RangeTransfer | Proof::Transfer => Baseline::Aggregated { m: 8 },
            _ => Baseline::Single64,
        }
    }
}

/// bulletproofs' own prove and verify, the reference every measurement is reported against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Baseline {
    /// `RangeProof::prove_single` / `verify_single`, one 64-bit value.
    Single64,
    /// `RangeProof::prove_multiple` / `verify_multiple`, `m` 32-bit values,
    /// `BulletproofGens::new(32, 64)`.
    Aggregated {
        /// Aggregation size.
        m: usize,
    },
}

impl Baseline {
    /// Every baseline, in the order they are reported.
    pub const ALL: [Baseline; 3] = [
        Baseline::Single64,
        Baseline::Aggregated { m: 4 },
        Baseline::Aggregated { m: 8 },
    ];

    /// Its name (criterion group, `"baseline"` of the JSON line): `bulletproofs/n{bits}-m{m}`.
    pub fn name(self) -> String {
        match self {
            Baseline::Single64 => "bulletproofs/n64-m1".to_string(),
            Baseline::Aggregated { m } => format!("bulletproofs/n{CHUNK_BITS}-m{m}"),
        }
    }
}

/// One line of `corridor bench`: a median beside its baseline's, measured in the same run.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// What was measured.
    pub proof: Proof,
    /// Which operation.
    pub op: Op,
    /// Median in microseconds.
    pub median_us: f64,
    /// Timed iterations (after warm-up) of each of the two.
    pub iters: usize,
    /// The baseline's median in microseconds.
    pub baseline_median_us: f64,
}

impl Measurement {
    /// `median / baseline median`.
    pub fn ratio(&self) -> f64 {
        self.median_us / self.baseline_median_us
    }

    /// The JSON line: `{"bench", "op", "median_us", "iters", "baseline", "baseline_median_us",
    /// "ratio"}`.
    pub fn to_json(&self) -> serde_json::Value {
        let round = |x: f64, k: f64| (x * k).round() / k;
        serde_json::json!({
            "bench": self.proof.name(),
            "op": self.op.name(),
            "median_us": round(self.median_us, 10.0),
            "iters": self.iters,
            "baseline": self.proof.baseline().name(),
            "baseline_median_us": round(self.baseline_median_us, 10.0),
            "ratio": round(self.ratio(), 1000.0),
        })
    }
}

/// The median of `samples` (the mean of the two middle ones for an even count); `None` if empty.
pub fn median(samples: &mut [f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    Some(if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    })
}

/// One sigma relation with its witness, the transcript it runs in, and a proof of it.
struct SigmaCase {
    relation: LinearRelation,
    witness: Vec<Scalar>,
    transcript: Transcript,
    index: u64,
    proof: SigmaProof,
}

impl SigmaCase {
    fn new<R: RngCore + CryptoRng>(
        relation: LinearRelation,
        witness: Vec<Scalar>,
        transcript: Transcript,
        index: u64,
        rng: &mut R,
    ) -> Result<Self, BenchError> {
        if !relation.is_satisfied(&witness) {
            return Err(BenchError::Fixture(format!(
                "the {} witness does not satisfy its relation",
                corridor_verifier::sigma::relation_name(&relation)
            )));
        }
        let mut case = SigmaCase {
            relation,
            witness,
            transcript,
            index,
            proof: SigmaProof::empty(),
        };
        case.proof = case.prove(rng)?;
        case.verify()?;
        Ok(case)
    }

    fn prove<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<SigmaProof, BenchError> {
        Ok(corridor_prover::sigma::prove(
            &self.relation,
            &self.witness,
            self.index,
            &mut self.transcript.clone(),
            rng,
        )?)
    }

    fn verify(&self) -> Result<(), BenchError> {
        Ok(corridor_verifier::sigma::verify(
            &self.relation,
            &self.proof,
            self.index as usize,
            &mut self.transcript.clone(),
        )?)
    }
}

/// The limit of one asset over the payee outputs of a transaction, outside its range part.
struct LimitCase {
    policy: AssetPolicy,
    paid: u64,
    payee_blindings: Scalar,
    payees: Vec<EncryptedAmount>,
    w0: Point,
}

impl LimitCase {
    /// The prover's part, the builder's [`limit_part`]: `w = L − paid = w0 + 2^32·w1`,
    /// `W0 = w0·G + ρ·H`, and the openings of `W0` and of `W1 = w1·G + 2^-32·(−Σ r_o − ρ)·H`.
    fn prove<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Result<(Point, [(u64, Scalar); 2]), BenchError> {
        let part = limit_part(
            &self.policy,
            u128::from(self.paid),
            self.payee_blindings,
            rng,
        )?
        .ok_or_else(|| fixture("the asset has no limit"))?;
        Ok((part.w0, part.openings))
    }

    /// The verifier's part, the statement resolver's [`limit_w1`]:
    /// `W1 = 2^-32·(L·G − Σ C_o − W0)`.
    fn verify(&self, w0: &Point) -> Result<Point, BenchError> {
        let limit = self
            .policy
            .limit
            .ok_or_else(|| fixture("the asset has no limit"))?;
        Ok(limit_w1(
            limit,
            self.payees.iter().map(|o| o.commitment()),
            w0,
        ))
    }
}

/// An aggregated range proof in a transaction transcript.
struct RangeCase {
    statement: RangeStatement,
    openings: Vec<(u64, Scalar)>,
    transcript: Transcript,
    index: u64,
    proof: RangeProofBytes,
}

impl RangeCase {
    fn new<R: RngCore + CryptoRng>(
        statement: RangeStatement,
        openings: Vec<(u64, Scalar)>,
        transcript: Transcript,
        index: u64,
        rng: &mut R,
    ) -> Result<Self, BenchError> {
        let mut case = RangeCase {
            statement,
            openings,
            transcript,
            index,
            proof: RangeProofBytes::default(),
        };
        case.proof = case.prove(rng)?;
        case.verify()?;
        Ok(case)
    }

    fn prove<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<RangeProofBytes, BenchError> {
        Ok(prove_range(
            &self.statement,
            &self.openings,
            self.index,
            &mut self.transcript.clone(),
            rng,
        )?)
    }

    fn verify(&self) -> Result<(), BenchError> {
        Ok(verify_range(
            &self.statement,
            &self.proof,
            self.index as usize,
            &mut self.transcript.clone(),
        )?)
    }
}

/// A receipt for one note, from its recipient or its sender.
struct DisclosureCase {
    network: String,
    note: Note,
    view: ViewKey,
    opening: AmountOpening,
    nonce: [u8; 32],
    recipient: Disclosure,
    sender: Disclosure,
}

impl DisclosureCase {
    fn prove_recipient<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Result<Disclosure, BenchError> {
        Ok(prove_recipient(
            &self.network,
            &self.note,
            &self.view,
            self.opening.value,
            self.nonce,
            rng,
        )?)
    }

    fn prove_sender<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Disclosure, BenchError> {
        Ok(prove_sender(
            &self.network,
            &self.note,
            &self.opening,
            self.nonce,
            rng,
        )?)
    }

    fn verify(&self, d: &Disclosure) -> Result<(), BenchError> {
        Ok(verify_disclosure(
            &self.network,
            &self.note,
            d,
            &self.nonce,
        )?)
    }
}

/// The whole transfer: Maria's two notes, one payment to Ana, change, fee.
struct TransferCase {
    genesis: Genesis,
    /// The state the transfer was built on (Maria's notes unspent).
    state: MemoryLedger,
    sender: WalletKeys,
    inputs: Vec<OwnedNote>,
    payment: Payment,
    fee: u64,
    kyc: Arc<KycCredential<'static>>,
    block: BlockContext,
    keys: &'static KycKeys,
    tx: Transaction,
}

impl TransferCase {
    fn prove<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<Transaction, BenchError> {
        let request = TransferRequest {
            asset: "HKD".into(),
            inputs: self.inputs.clone(),
            payments: vec![self.payment],
            fee: self.fee,
            remittance: None,
            kyc: Some((*self.kyc).clone()),
        };
        let built = Builder::new(&self.genesis, &self.state, self.block).transfer(
            &ViewWallet::of(&self.sender),
            &request,
            rng,
        )?;
        Ok(built.tx.sign(&self.sender.spend))
    }

    fn verify(&self) -> Result<(), BenchError> {
        let ctx = VerifyContext {
            genesis: &self.genesis,
            state: &self.state,
            block: self.block,
            kyc_key: &self.keys.verifying,
        };
        verify_transaction(&self.tx, &ctx)?;
        Ok(())
    }
}

/// `BulletproofGens::new(64, 1)`, for the 64-bit baseline (the shared `(32, 64)` generators
/// hold only 32 per party).
fn gens_64() -> &'static BulletproofGens {
    static GENS: OnceLock<BulletproofGens> = OnceLock::new();
    GENS.get_or_init(|| BulletproofGens::new(64, 1))
}

/// bulletproofs' own proof of random values, outside any corridor transcript.
struct BaselineCase {
    kind: Baseline,
    values: Vec<u64>,
    blindings: Vec<Scalar>,
    commitments: Vec<CompressedRistretto>,
    proof: Vec<u8>,
}

impl BaselineCase {
    fn new<R: RngCore + CryptoRng>(kind: Baseline, rng: &mut R) -> Result<Self, BenchError> {
        let values: Vec<u64> = match kind {
            Baseline::Single64 => vec![rng.next_u64()],
            Baseline::Aggregated { m } => (0..m).map(|_| u64::from(rng.next_u32())).collect(),
        };
        let blindings = values.iter().map(|_| Scalar::random(rng)).collect();
        let mut case = BaselineCase {
            kind,
            values,
            blindings,
            commitments: Vec::new(),
            proof: Vec::new(),
        };
        let (proof, commitments) = case.prove(rng)?;
        case.proof = proof.to_bytes();
        case.commitments = commitments;
        case.verify(rng)?;
        Ok(case)
    }

    fn prove<R: RngCore + CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Result<(RangeProof, Vec<CompressedRistretto>), BenchError> {
        let mut t = Transcript::new(BASELINE_TRANSCRIPT);
        match self.kind {
            Baseline::Single64 => RangeProof::prove_single_with_rng(
                gens_64(),
                &pedersen(),
                &mut t,
                self.values[0],
                &self.blindings[0],
                64,
                rng,
            )
            .map(|(p, c)| (p, vec![c])),
            Baseline::Aggregated { .. } => RangeProof::prove_multiple_with_rng(
                bulletproof_gens(),
                &pedersen(),
                &mut t,
                &self.values,
                &self.blindings,
                CHUNK_BITS,
                rng,
            ),
        }
        .map_err(BenchError::Bulletproofs)
    }

    /// Parses the proof bytes and verifies, as a verifier receiving bytes does.
    fn verify<R: RngCore + CryptoRng>(&self, rng: &mut R) -> Result<(), BenchError> {
        let proof = RangeProof::from_bytes(&self.proof).map_err(BenchError::Bulletproofs)?;
        let mut t = Transcript::new(BASELINE_TRANSCRIPT);
        match self.kind {
            Baseline::Single64 => proof.verify_single_with_rng(
                gens_64(),
                &pedersen(),
                &mut t,
                &self.commitments[0],
                64,
                rng,
            ),
            Baseline::Aggregated { .. } => proof.verify_multiple_with_rng(
                bulletproof_gens(),
                &pedersen(),
                &mut t,
                &self.commitments,
                CHUNK_BITS,
                rng,
            ),
        }
        .map_err(BenchError::Bulletproofs)
    }
}

/// Every benchmarked proof, ready to prove and holding a proof to verify, and the baselines.
pub struct Fixtures {
    validity: SigmaCase,
    equality: SigmaCase,
    public_amount: SigmaCase,
    balance: SigmaCase,
    limit: LimitCase,
    fx: SigmaCase,
    view_key: SigmaCase,
    disclosure: DisclosureCase,
    range_outputs: RangeCase,
    range_transfer: RangeCase,
    transfer: TransferCase,
    baselines: Vec<BaselineCase>,
}

impl fmt::Debug for Fixtures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Fixtures({} benchmarks, {} baselines)",
            Proof::ALL.len(),
            self.baselines.len()
        )
    }
}

/// Keeps a made proof from being optimised away, then drops it.
fn consume<T>(made: T) {
    black_box(made);
}

fn fixture(what: &str) -> BenchError {
    BenchError::Fixture(what.to_string())
}

fn chunk_witness(o: &AmountOpening, k: usize) -> (u64, Scalar) {
    (o.chunk_values()[k], o.blindings[k])
}

impl Fixtures {
    /// Builds every fixture from `seed` and checks that each prepared proof verifies.
    pub fn new(seed: u64) -> Result<Self, BenchError> {
        use amounts::*;
        // The chain up to Maria's payment to Ana: the mint, the funding, the transfer, each
        // with the state it was verified against and the builder's openings.
        let scenario = Scenario::run(
            ScenarioConfig {
                until: StepName::MariaToAna,
                ..ScenarioConfig::new(seed)
            },
            &mut |_| {},
        )?;
        let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0xbe9c);
        let Scenario {
            network: net,
            maria,
            ana,
            juan,
            steps,
            ..
        } = scenario;
        let network = net.genesis.network.clone();
        let hkd = net
            .genesis
            .asset("HKD")
            .ok_or_else(|| fixture("no HKD"))?
            .clone();
        let php = net
            .genesis
            .asset("PHP")
            .ok_or_else(|| fixture("no PHP"))?
            .clone();
        let step = |name: StepName| {
            steps
                .iter()
                .find(|s| s.name == name)
                .ok_or_else(|| fixture(name.label()))
        };

        // The minted notes, their openings and the mint's statement.
        let mint = step(StepName::MintHkd)?;
        let mint_tx = &mint.tx;
        let mint_statement = resolve(mint_tx.unsigned(), &net.genesis, &mint.before, &mint.block)?;

        // The benchmarked transfer: Maria pays Ana from her two notes, change to Maria, fee.
        let paid = step(StepName::MariaToAna)?;
        let inputs: Vec<OwnedNote> = paid.secrets.inputs.iter().map(|(_, n)| n.clone()).collect();
        if inputs.len() != 2 {
            return Err(fixture("Maria should hold two notes"));
        }
        let payment = Payment {
            to: ana.address(),
            value: ANA_PAYMENT,
        };
        let kyc = paid
            .secrets
            .kyc
            .clone()
            .ok_or_else(|| fixture("Maria's transfer carries her credential"))?;
        let state = paid.before.clone();
        let block = paid.block;
        let tx = paid.tx.clone();
        let statement = resolve(tx.unsigned(), &net.genesis, &state, &block)?;
        let TxBody::Transfer(body) = tx.body() else {
            return Err(fixture("the transfer is not a Transfer"));
        };
        let [out_ana, out_change] = &body.outputs[..] else {
            return Err(fixture("the transfer should have two outputs"));
        };
        let [open_ana, open_change] = &paid.secrets.outputs[..] else {
            return Err(fixture("the transfer should have two openings"));
        };
        if out_ana.owner != ana.address() || out_change.owner != maria.address() {
            return Err(fixture("outputs: Ana's payment, then Maria's change"));
        }
        let t = statement.transcript();
        let first_validity = inputs.len() as u64;
        let balance_index = first_validity + 2 * body.outputs.len() as u64;

        // Grouped validity: Ana's low chunk, owner + 2 auditors.
        let (v0, r0) = chunk_witness(open_ana, 0);
        let validity = SigmaCase::new(
            proofs::validity(&out_ana.amount.chunks[0], &hkd.decryptors(&out_ana.owner)),
            vec![Scalar::from(v0), r0],
            t.clone(),
            first_validity,
            &mut rng,
        )?;

        // Equality and balance, over inputs re-committed here (the builder keeps its `r'`).
        let recommit: Vec<(Scalar, Point)> = inputs
            .iter()
            .map(|n| {
                let r = Scalar::random(&mut rng);
                (r, Point::new(pedersen().commit(Scalar::from(n.value), r)))
            })
            .collect();
        let note = &inputs[0].note;
        let equality = SigmaCase::new(
            proofs::equality(
                note.owner.view_key(),
                &note.amount,
                &note.owner_handle(),
                &recommit[0].1,
            ),
            vec![
                maria.view.inverse(),
                Scalar::from(inputs[0].value),
                recommit[0].0,
            ],
            t.clone(),
            0,
            &mut rng,
        )?;
        let e = recommit.iter().map(|(r, _)| r).sum::<Scalar>()
            - open_ana.combined_blinding()
            - open_change.combined_blinding();
        let balance = SigmaCase::new(
            proofs::balance(
                &recommit.iter().map(|(_, c)| c).collect::<Vec<_>>(),
                &[&out_ana.amount, &out_change.amount],
                &[ANA_FEE],
            ),
            vec![e],
            t.clone(),
            balance_index,
            &mut rng,
        )?;

        // Public amount: the mint's low chunk, treasury + 2 auditors.
        let TxBody::Mint(m) = mint_tx.body() else {
            return Err(fixture("the mint is not a Mint"));
        };
        let (minted, _) = m.outputs.first().ok_or_else(|| fixture("empty mint"))?;
        let mint_opening = mint
            .secrets
            .outputs
            .first()
            .ok_or_else(|| fixture("no opening"))?;
        let (mv0, mr0) = chunk_witness(mint_opening, 0);
        let public_amount = SigmaCase::new(
            proofs::public_amount(
                &minted.amount.chunks[0],
                mv0,
                &hkd.decryptors(&minted.owner),
            ),
            vec![mr0],
            mint_statement.transcript(),
            0,
            &mut rng,
        )?;

        // The limit over Ana's output, and the transfer's range list built with it.
        let limit = {
            let mut case = LimitCase {
                policy: hkd.clone(),
                paid: ANA_PAYMENT,
                payee_blindings: open_ana.combined_blinding(),
                payees: vec![out_ana.amount.clone()],
                w0: Point::identity(),
            };
            case.w0 = case.prove(&mut rng)?.0;
            case
        };
        let (w0, limit_openings) = limit.prove(&mut rng)?;
        let w1 = limit.verify(&w0)?;
        if w1.point() != pedersen().commit(Scalar::from(limit_openings[1].0), limit_openings[1].1) {
            return Err(fixture("W1 does not open as the prover says"));
        }
        let chunks: Vec<Point> = body
            .outputs
            .iter()
            .flat_map(|o| o.amount.chunks.iter().map(|c| c.commitment))
            .collect();
        let chunk_openings: Vec<(u64, Scalar)> = paid
            .secrets
            .outputs
            .iter()
            .flat_map(|o| [chunk_witness(o, 0), chunk_witness(o, 1)])
            .collect();
        if statement.range.commitments.len() != chunks.len() + 2
            || statement.range.commitments[..chunks.len()] != chunks[..]
        {
            return Err(fixture(
                "the transfer's range list is not its output chunks, W0, W1",
            ));
        }
        let range_index = statement.relations.len() as u64;
        let range_outputs = RangeCase::new(
            RangeStatement {
                commitments: chunks.clone(),
            },
            chunk_openings.clone(),
            t.clone(),
            range_index,
            &mut rng,
        )?;
        let range_transfer = RangeCase::new(
            RangeStatement {
                commitments: chunks.into_iter().chain([w0, w1]).collect(),
            },
            chunk_openings.into_iter().chain(limit_openings).collect(),
            t.clone(),
            range_index,
            &mut rng,
        )?;

        // FX conversion at the demo's quote: Maria's remittance into a PHP output to Juan.
        let scaled = u128::from(REMIT) * u128::from(QUOTE_NUM);
        let b = u64::try_from(scaled / u128::from(QUOTE_DEN))
            .map_err(|_| fixture("payout overflows"))?;
        let rem = (scaled % u128::from(QUOTE_DEN)) as u64;
        let (output_b, open_b) = encrypt(
            b,
            &php.decryptors(&juan.address()),
            HintContext {
                asset: &php.code,
                output_index: 0,
            },
            &mut rng,
        )?;
        let (r_a, r_r) = (Scalar::random(&mut rng), Scalar::random(&mut rng));
        let fx = SigmaCase::new(
            proofs::fx(
                &Point::new(pedersen().commit(Scalar::from(REMIT), r_a)),
                &output_b,
                &Point::new(pedersen().commit(Scalar::from(rem), r_r)),
                QUOTE_NUM,
                QUOTE_DEN,
            ),
            vec![
                Scalar::from(QUOTE_NUM) * r_a
                    - Scalar::from(QUOTE_DEN) * open_b.combined_blinding()
                    - r_r,
            ],
            tx_transcript(&network, "payout"),
            0,
            &mut rng,
        )?;

        // View-key possession of Maria's address.
        let view_key = SigmaCase::new(
            proofs::view_key_possession(&maria.view.public()),
            vec![*maria.view.secret()],
            tx_transcript(&network, "register-address"),
            0,
            &mut rng,
        )?;

        // Receipts for Ana's note: from Ana (view key), from Maria (the opening she kept).
        let ana_note = net
            .state
            .note(&NoteId::derive(&tx.id(), 0))
            .ok()
            .flatten()
            .ok_or_else(|| fixture("Ana's note is not on the ledger"))?;
        let mut nonce = [0u8; 32];
        rng.fill(&mut nonce);
        let mut disclosure = DisclosureCase {
            network: network.clone(),
            note: ana_note,
            view: ana.view.clone(),
            opening: open_ana.clone(),
            nonce,
            recipient: Disclosure {
                kind: corridor_core::disclosure::DisclosureKind::Recipient,
                value: 0,
                nonce,
                proof: SigmaProof::empty(),
            },
            sender: Disclosure {
                kind: corridor_core::disclosure::DisclosureKind::Sender,
                value: 0,
                nonce,
                proof: SigmaProof::empty(),
            },
        };
        disclosure.recipient = disclosure.prove_recipient(&mut rng)?;
        disclosure.sender = disclosure.prove_sender(&mut rng)?;
        disclosure.verify(&disclosure.recipient)?;
        disclosure.verify(&disclosure.sender)?;

        let transfer = TransferCase {
            genesis: net.genesis.clone(),
            state,
            sender: maria,
            inputs,
            payment,
            fee: ANA_FEE,
            kyc,
            block,
            keys: net.keys,
            tx,
        };
        transfer.verify()?;

        let baselines = Baseline::ALL
            .iter()
            .map(|b| BaselineCase::new(*b, &mut rng))
            .collect::<Result<_, _>>()?;

        Ok(Fixtures {
            validity,
            equality,
            public_amount,
            balance,
            limit,
            fx,
            view_key,
            disclosure,
            range_outputs,
            range_transfer,
            transfer,
            baselines,
        })
    }

    fn sigma(&self, p: Proof) -> Option<&SigmaCase> {
        match p {
            Proof::Validity => Some(&self.validity),
            Proof::Equality => Some(&self.equality),
            Proof::PublicAmount => Some(&self.public_amount),
            Proof::Balance => Some(&self.balance),
            Proof::Fx => Some(&self.fx),
            Proof::ViewKeyPossession => Some(&self.view_key),
            _ => None,
        }
    }

    /// Runs `op` of `proof` once. Proving makes a fresh proof (and drops it); verifying checks
    /// the proof made when the fixtures were built.
    pub fn run<R: RngCore + CryptoRng>(
        &self,
        proof: Proof,
        op: Op,
        rng: &mut R,
    ) -> Result<(), BenchError> {
        if let Some(case) = self.sigma(proof) {
            return match op {
                Op::Prove => case.prove(rng).map(consume),
                Op::Verify => case.verify(),
            };
        }
        match (proof, op) {
            (Proof::Limit, Op::Prove) => self.limit.prove(rng).map(consume),
            (Proof::Limit, Op::Verify) => self.limit.verify(black_box(&self.limit.w0)).map(consume),
            (Proof::RecipientDisclosure, Op::Prove) => {
                self.disclosure.prove_recipient(rng).map(consume)
            }
            (Proof::RecipientDisclosure, Op::Verify) => {
                self.disclosure.verify(&self.disclosure.recipient)
            }
            (Proof::SenderDisclosure, Op::Prove) => self.disclosure.prove_sender(rng).map(consume),
            (Proof::SenderDisclosure, Op::Verify) => {
                self.disclosure.verify(&self.disclosure.sender)
            }
            (Proof::RangeOutputs, Op::Prove) => self.range_outputs.prove(rng).map(consume),
            (Proof::RangeOutputs, Op::Verify) => self.range_outputs.verify(),
            (Proof::RangeTransfer, Op::Prove) => self.range_transfer.prove(rng).map(consume),
            (Proof::RangeTransfer, Op::Verify) => self.range_transfer.verify(),
            (Proof::Transfer, Op::Prove) => self.transfer.prove(rng).map(consume),
            (Proof::Transfer, Op::Verify) => self.transfer.verify(),
            (p, _) => Err(fixture(&format!("no fixture for {}", p.name()))),
        }
    }

    /// Runs `op` of `baseline` once: bulletproofs' own prove, or parse-and-verify of its proof.
    pub fn run_baseline<R: RngCore + CryptoRng>(
        &self,
        baseline: Baseline,
        op: Op,
        rng: &mut R,
    ) -> Result<(), BenchError> {
        let case = self
            .baselines
            .iter()
            .find(|c| c.kind == baseline)
            .ok_or_else(|| fixture(&format!("no baseline {}", baseline.name())))?;
        match op {
            Op::Prove => case.prove(rng).map(consume),
            Op::Verify => case.verify(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn names_are_unique_and_every_proof_has_a_measured_baseline() {
        let names: std::collections::BTreeSet<_> = Proof::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names.len(), Proof::ALL.len());
        for p in Proof::ALL {
            assert!(Baseline::ALL.contains(&p.baseline()), "{}", p.name());
        }
    }

    #[test]
    fn json_line_has_the_fields_and_the_ratio() {
        let m = Measurement {
            proof: Proof::RangeTransfer,
            op: Op::Verify,
            median_us: 3000.0,
            iters: 5,
            baseline_median_us: 2000.0,
        };
        let j = m.to_json();
        assert_eq!(j["bench"], "range-transfer");
        assert_eq!(j["op"], "verify");
        assert_eq!(j["baseline"], "bulletproofs/n32-m8");
        assert_eq!(j["iters"], 5);
        assert_eq!(j["ratio"], 1.5);
    }
}
