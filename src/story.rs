//! The remittance story played through the services of a [`Stack`] (what `corridor demo`
//! runs): the issuers enrol Maria (HK) and Juan (PH) in their registries; both register their
//! addresses with KYC proofs from their operators' prover services; the HK issuer mints HKD
//! and its treasury credits Maria; the PHP issuer mints PHP and its treasury fills the PH
//! operator's float; the PH operator publishes a quote; Maria remits HKD to Juan; the PH
//! operator's payout watcher pays him PHP; Juan's wallet shows it; the HKMA and the BSP audit
//! the story's blocks over gRPC (totals equal to the amounts sent, no amount of an asset they do
//! not audit, every KYC escrow opened to its customer). Then `remittances` more, each timed from
//! "send" to Juan's wallet showing the PHP.
use crate::client::{
    ClientError, Issuer, KycHolder, Operator, PayoutEvent, PayoutOutcome, Proving, Receipt,
    WalletClient,
};
use crate::scenario::{amounts, seeds};
use crate::stack::{url, Stack, PAYOUT_OPERATOR};
use corridor_circuits::{fr_to_bytes, Credential, CredentialAttributes, IdentitySecret};
use corridor_core::keys::{WalletKeys, WalletSeed};
use corridor_prover::builder::{Payment, RemittanceRequest};
use corridor_prover::ViewWallet;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Maria's credit from the HKD treasury (cents): HK$50,000.
pub const MARIA_CREDIT: u64 = 5_000_000;
/// The PH operator's float (centavos): ₱300,000.
pub const PH_FLOAT: u64 = 30_000_000;
/// Blocks the story's quote stays usable.
pub const QUOTE_BLOCKS: u64 = 100_000;
/// Longest wait for a payout or for Juan's wallet to see it.
const WAIT: Duration = Duration::from_secs(120);

/// Why the story stopped.
#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    /// A step's call failed.
    #[error("{step}: {source}")]
    Step {
        /// The step.
        step: String,
        /// Why.
        #[source]
        source: ClientError,
    },
    /// A regulator's audit failed.
    #[error("{step}: {source}")]
    Audit {
        /// The step.
        step: String,
        /// Why.
        #[source]
        source: crate::audit::AuditError,
    },
    /// A step's outcome is not what the story expects.
    #[error("{step}: {what}")]
    Check {
        /// The step.
        step: String,
        /// What did not hold.
        what: String,
    },
}

/// One step, as printed.
#[derive(Clone, Debug, Serialize)]
pub struct StepRecord {
    /// What it did.
    pub name: String,
    /// Seconds it took.
    pub seconds: f64,
    /// Its transaction, if it made one (hex).
    pub tx_id: Option<String>,
    /// Its block.
    pub height: Option<u64>,
    /// Seconds spent proving, where a prover did.
    pub prove_seconds: Option<f64>,
    /// What came of it.
    pub detail: String,
    /// It succeeded (a failed step ends the story with an error instead).
    pub ok: bool,
}

/// One timed remittance: from Maria's "send" to Juan's wallet showing the PHP.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Latency {
    /// End to end.
    pub total: f64,
    /// Maria's transfer: prove (HK prover service, KYC proof included).
    pub remit_prove: f64,
    /// Maria's transfer: from send to its commit (prove, sign, submit, block).
    pub remit_committed: f64,
    /// The payout: from the remittance's commit to the payout's commit (the watcher's read,
    /// prove, submit, block).
    pub payout: f64,
    /// Of which proving (PH prover service).
    pub payout_prove: f64,
    /// From the payout's commit to Juan's wallet showing it.
    pub wallet_sees: f64,
}

/// Latency figures over the timed remittances.
#[derive(Clone, Debug, Serialize)]
pub struct LatencyReport {
    /// How many.
    pub remittances: usize,
    /// Median end to end, seconds.
    pub p50: f64,
    /// 95th percentile, seconds.
    pub p95: f64,
    /// Slowest.
    pub max: f64,
    /// The medians of each part.
    pub median_split: Latency,
    /// Each one.
    pub samples: Vec<Latency>,
}

/// A balance the story checks.
#[derive(Clone, Debug, Serialize)]
pub struct Balance {
    /// Whose.
    pub who: String,
    /// Asset.
    pub asset: String,
    /// Decrypted by the owner's view key, from the node.
    pub value: u128,
    /// What the story's amounts make it.
    pub expected: u128,
    /// They agree.
    pub exact: bool,
}

/// One total of a regulator's report beside what the story sent.
#[derive(Clone, Debug, Serialize)]
pub struct AuditTotal {
    /// Asset.
    pub asset: String,
    /// Which total: `minted`, `payments` or `fees`.
    pub figure: &'static str,
    /// The report's.
    pub value: u128,
    /// The story's amounts.
    pub expected: u128,
    /// They agree.
    pub exact: bool,
}

/// What one regulator's audit of the story's blocks found.
#[derive(Clone, Debug, Serialize)]
pub struct AuditSummary {
    /// The regulator.
    pub regulator: String,
    /// The assets genesis entitles it to.
    pub entitled_assets: Vec<String>,
    /// Heights scanned.
    pub from_height: u64,
    /// Last height scanned.
    pub to_height: u64,
    /// Seconds the scan took (over gRPC).
    pub seconds: f64,
    /// Transactions read.
    pub transactions: u64,
    /// Confidential amounts it decrypted.
    pub notes_decrypted: u64,
    /// Notes of assets it does not audit (counted, never decrypted).
    pub notes_not_entitled: u64,
    /// Amounts of assets it does not audit in its report (must be none).
    pub foreign_amounts: usize,
    /// Its totals beside the story's.
    pub totals: Vec<AuditTotal>,
    /// KYC escrows it opened, each to the sender's identity commitment: who they name.
    pub escrows: Vec<String>,
    /// Flags raised (large payments, lying hints, undecryptable notes).
    pub flags: usize,
}

/// What the story did.
#[derive(Debug, Serialize)]
pub struct StoryReport {
    /// The steps, in order.
    pub steps: Vec<StepRecord>,
    /// The balances after every remittance.
    pub balances: Vec<Balance>,
    /// Remittances sent in all (the story's first and the timed ones).
    pub remittances: usize,
    /// HKD each remittance sends (cents).
    pub remit_value: u64,
    /// PHP each pays out (centavos).
    pub payout_value: u64,
    /// Both regulators' audits of the story (before the timed remittances).
    pub audits: Vec<AuditSummary>,
    /// The timed remittances.
    pub latency: LatencyReport,
}

fn today() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs / 86_400).unwrap_or(u32::MAX)
}

fn step_err(step: &str) -> impl Fn(ClientError) -> StoryError + '_ {
    move |source| StoryError::Step {
        step: step.to_string(),
        source,
    }
}

fn record(name: &str, start: Instant, receipt: Option<&Receipt>, detail: String) -> StepRecord {
    StepRecord {
        name: name.to_string(),
        seconds: start.elapsed().as_secs_f64(),
        tx_id: receipt.map(|r| r.tx_id.to_string()),
        height: receipt.map(|r| r.height),
        prove_seconds: receipt.map(|r| r.prove_seconds),
        detail,
        ok: true,
    }
}

fn money(cents: u128) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The story's driver: the stack, its clients and the steps so far.
struct Story<'s, 'p> {
    stack: &'s mut Stack,
    steps: Vec<StepRecord>,
    /// Each customer's name and identity commitment (hex), which only its issuer and the
    /// escrow key holders may learn.
    customers: Vec<(String, String)>,
    progress: &'p mut dyn FnMut(&StepRecord),
}

impl Story<'_, '_> {
    fn push(&mut self, r: StepRecord) {
        (self.progress)(&r);
        self.steps.push(r);
    }

    async fn proving(&self, addr: SocketAddr, step: &str) -> Result<Proving, StoryError> {
        self.stack.prover(addr).await.map_err(step_err(step))
    }

    /// `who`'s issuer (at `registry`) enrols a fresh identity of `jurisdiction`; the wallet of
    /// `seed` keeps the credential.
    async fn customer(
        &mut self,
        (who, pronoun): (&str, &str),
        (seed, jurisdiction, issuer): ([u8; 32], &str, u32),
        (registry, prover): (SocketAddr, SocketAddr),
    ) -> Result<WalletClient, StoryError> {
        let step = format!("{jurisdiction} issuer enrols {who}");
        let start = Instant::now();
        let keys = WalletKeys::from_seed(&WalletSeed::from_bytes(seed)).map_err(|e| {
            StoryError::Check {
                step: step.clone(),
                what: e.to_string(),
            }
        })?;
        let bit = self
            .stack
            .genesis
            .jurisdiction_bit(jurisdiction)
            .ok_or_else(|| StoryError::Check {
                step: step.clone(),
                what: format!("no jurisdiction {jurisdiction} in genesis"),
            })?;
        let attributes = CredentialAttributes {
            jurisdiction: bit,
            expiry_day: today() + 365,
            tier: 1,
            issuer_id: issuer,
        };
        let credential =
            Credential::new(IdentitySecret::random(&mut rand::rngs::OsRng), attributes).map_err(
                |e| StoryError::Check {
                    step: step.clone(),
                    what: e.to_string(),
                },
            )?;
        let endpoint = url(registry);
        let enrolled = self
            .stack
            .back_office(registry)
            .await
            .map_err(step_err(&step))?
            .enroll(
                &credential.id_commit(),
                jurisdiction,
                attributes.tier,
                attributes.expiry_day,
            )
            .await
            .map_err(step_err(&step))?;
        self.customers.push((
            who.to_string(),
            hex::encode(fr_to_bytes(&credential.id_commit())),
        ));
        let holder = KycHolder::connect(credential, enrolled.leaf_index, &endpoint)
            .await
            .map_err(step_err(&step))?;
        self.push(record(
            &step,
            start,
            None,
            format!(
                "leaf {}, root published as update {} (only id_commit left the wallet)",
                enrolled.leaf_index, enrolled.seq
            ),
        ));
        let ledger = self.stack.ledger().await.map_err(step_err(&step))?;
        let proving = self.proving(prover, &step).await?;
        let mut wallet = WalletClient::new(keys, ledger, proving).with_kyc(holder);
        let step = format!("{who} registers {pronoun} address");
        let start = Instant::now();
        let r = wallet.register().await.map_err(step_err(&step))?;
        self.push(record(
            &step,
            start,
            Some(&r),
            format!(
                "{} (KYC proof by the {jurisdiction} prover service)",
                wallet.address().encode()
            ),
        ));
        Ok(wallet)
    }

    async fn mint(
        &mut self,
        asset: &str,
        key: corridor_core::keys::SpendKey,
        amounts: &[u64],
    ) -> Result<(), StoryError> {
        let step = format!("{asset} issuer mints {asset}");
        let start = Instant::now();
        let ledger = self.stack.ledger().await.map_err(step_err(&step))?;
        let issuer = Issuer::new(asset, key, Arc::clone(&self.stack.genesis), ledger);
        let r = issuer.mint(amounts).await.map_err(step_err(&step))?;
        let total: u128 = amounts.iter().map(|&a| u128::from(a)).sum();
        self.push(record(
            &step,
            start,
            Some(&r),
            format!("{asset} {} into its treasury", money(total)),
        ));
        Ok(())
    }

    /// An institution's wallet (no KYC) proving through `prover`.
    async fn institution(
        &self,
        keys: &WalletKeys,
        prover: SocketAddr,
        step: &str,
    ) -> Result<WalletClient, StoryError> {
        let ledger = self.stack.ledger().await.map_err(step_err(step))?;
        let proving = self.proving(prover, step).await?;
        Ok(WalletClient::new(keys.clone(), ledger, proving))
    }

    /// The next payout event (the watcher's).
    async fn payout(&mut self, step: &str) -> Result<PayoutEvent, StoryError> {
        match tokio::time::timeout(WAIT, self.stack.payouts.recv()).await {
            Ok(Some(e)) => Ok(e),
            Ok(None) => Err(StoryError::Check {
                step: step.to_string(),
                what: "the payout watcher stopped".into(),
            }),
            Err(_) => Err(StoryError::Check {
                step: step.to_string(),
                what: format!("no payout within {WAIT:?}"),
            }),
        }
    }

    /// Maria remits once; the watcher pays; Juan's wallet sees it. The timings.
    async fn remit(
        &mut self,
        maria: &mut WalletClient,
        juan: &mut WalletClient,
        juan_after: u64,
        record_steps: bool,
    ) -> Result<(Latency, u64), StoryError> {
        let step = "Maria remits HKD to Juan through the PH wallet";
        let start = Instant::now();
        let request = RemittanceRequest {
            operator: PAYOUT_OPERATOR.into(),
            quote_id: amounts::QUOTE_ID,
            beneficiary: juan.address(),
            salt: rand::random(),
            value: amounts::REMIT,
        };
        let sent = maria
            .remit("HKD", request, amounts::REMIT_FEE)
            .await
            .map_err(step_err(step))?;
        let remit_committed = start.elapsed();
        if record_steps {
            self.push(record(
                step,
                start,
                Some(&sent),
                format!(
                    "HKD {} + fee {} at quote {} (KYC proof by the HK prover service)",
                    money(u128::from(amounts::REMIT)),
                    money(u128::from(amounts::REMIT_FEE)),
                    amounts::QUOTE_ID
                ),
            ));
        }
        let step = "PH wallet's watcher pays Juan PHP";
        let t_payout = Instant::now();
        let event = self.payout(step).await?;
        if event.remittance != sent.tx_id {
            return Err(StoryError::Check {
                step: step.into(),
                what: format!("paid {} instead of {}", event.remittance, sent.tx_id),
            });
        }
        let (payout, paid) = match event.outcome {
            PayoutOutcome::Paid(p) => (p.payout, p.paid),
            other => {
                return Err(StoryError::Check {
                    step: step.into(),
                    what: format!("{other:?}"),
                })
            }
        };
        let payout_done = t_payout.elapsed();
        if record_steps {
            self.push(StepRecord {
                seconds: payout_done.as_secs_f64(),
                ..record(
                    step,
                    t_payout,
                    Some(&payout),
                    format!(
                        "PHP {} at the quote (payout proven by the PH prover service)",
                        money(u128::from(paid))
                    ),
                )
            });
        }
        let step = "Juan's wallet shows the PHP";
        let t_sees = Instant::now();
        let (note, height) = juan
            .wait_for("PHP", juan_after, WAIT)
            .await
            .map_err(step_err(step))?;
        let total = start.elapsed();
        if note.value != paid {
            return Err(StoryError::Check {
                step: step.into(),
                what: format!("Juan decrypted {} but the watcher paid {paid}", note.value),
            });
        }
        if record_steps {
            self.push(record(
                step,
                t_sees,
                None,
                format!(
                    "PHP {} in Juan's wallet, {:.3} s after Maria's send",
                    money(u128::from(note.value)),
                    total.as_secs_f64()
                ),
            ));
        }
        Ok((
            Latency {
                total: total.as_secs_f64(),
                remit_prove: sent.prove_seconds,
                remit_committed: remit_committed.as_secs_f64(),
                payout: payout_done.as_secs_f64(),
                payout_prove: payout.prove_seconds,
                wallet_sees: t_sees.elapsed().as_secs_f64(),
            },
            height,
        ))
    }
}

impl Story<'_, '_> {
    /// The regulator holding `view` (and the network's escrow key) scans heights
    /// `from..=tip` over gRPC. Its totals must equal the story's amounts (`expected`: asset,
    /// figure, value) for each asset it is entitled to; it must hold no amount of any other
    /// asset; the escrows must open to the customers whose KYC proofs the story made, in
    /// ledger order (`escrows_expected`).
    async fn audit(
        &mut self,
        name: &str,
        view: corridor_core::keys::ViewKey,
        from: u64,
        expected: &[(&str, &'static str, u128)],
        escrows_expected: &[&str],
    ) -> Result<AuditSummary, StoryError> {
        let step = format!("{name} audits the ledger");
        let start = Instant::now();
        let node = self
            .stack
            .ledger()
            .await
            .map_err(step_err(&step))?
            .node()
            .clone();
        let genesis = Arc::clone(&self.stack.genesis);
        let escrow = self.stack.inst.escrow.clone();
        let handle = tokio::runtime::Handle::current();
        let report = tokio::task::spawn_blocking(move || {
            let auditor = crate::audit::Auditor::new(
                &genesis,
                &view,
                Some(&escrow),
                std::collections::BTreeMap::new(),
            )?;
            crate::audit::scan(
                &node,
                &handle,
                &auditor,
                crate::audit::ScanRange { from, to: None },
                &mut |_, _| {},
            )
        })
        .await
        .map_err(|e| StoryError::Check {
            step: step.clone(),
            what: format!("the scan's thread: {e}"),
        })?
        .map_err(|source| StoryError::Audit {
            step: step.clone(),
            source,
        })?;
        let check = |what: String| StoryError::Check {
            step: step.clone(),
            what,
        };
        let entitled = &report.entitled_assets;
        let totals: Vec<AuditTotal> = expected
            .iter()
            .filter(|(asset, _, _)| entitled.iter().any(|a| a == asset))
            .map(|&(asset, figure, expected)| {
                let t = report.totals.iter().find(|t| t.asset == asset);
                let value = t.map_or(0, |t| match figure {
                    "minted" => t.minted,
                    "payments" => t.payment_value,
                    _ => t.fees,
                });
                AuditTotal {
                    asset: asset.to_string(),
                    figure,
                    value,
                    expected,
                    exact: value == expected,
                }
            })
            .collect();
        if let Some(t) = totals.iter().find(|t| !t.exact) {
            return Err(check(format!(
                "{} {} total {} but the story sent {}",
                t.asset, t.figure, t.value, t.expected
            )));
        }
        let foreign_amounts = report
            .entries
            .iter()
            .filter(|e| !entitled.contains(&e.asset))
            .count()
            + report
                .totals
                .iter()
                .filter(|t| !entitled.contains(&t.asset))
                .count();
        if foreign_amounts > 0 {
            return Err(check(format!(
                "its report holds {foreign_amounts} amounts of assets it does not audit"
            )));
        }
        let mut escrows = Vec::new();
        for e in &report.escrows {
            let who = self
                .customers
                .iter()
                .find(|(_, id)| *id == e.id_commit)
                .ok_or_else(|| {
                    check(format!(
                        "the escrow of {} opened to an unknown id_commit",
                        e.tx_id
                    ))
                })?;
            escrows.push(who.0.clone());
        }
        if escrows != escrows_expected {
            return Err(check(format!(
                "escrows opened to {escrows:?}, the story's KYC proofs were {escrows_expected:?}"
            )));
        }
        let summary = AuditSummary {
            regulator: name.to_string(),
            entitled_assets: entitled.clone(),
            from_height: report.from_height,
            to_height: report.to_height,
            seconds: report.timing.elapsed_s,
            transactions: report.timing.transactions,
            notes_decrypted: report.timing.notes_decrypted,
            notes_not_entitled: report.timing.notes_not_entitled,
            foreign_amounts,
            totals,
            escrows,
            flags: report.flags.len(),
        };
        let figures: Vec<String> = summary
            .totals
            .iter()
            .filter(|t| t.figure == "payments")
            .map(|t| format!("{} payments {}", t.asset, money(t.value)))
            .collect();
        self.push(record(
            &step,
            start,
            None,
            format!(
                "{} (exact); {} amounts decrypted, {} notes of other assets left sealed; \
                 {} escrows opened to the customers' id_commits",
                figures.join(", "),
                summary.notes_decrypted,
                summary.notes_not_entitled,
                summary.escrows.len()
            ),
        ));
        Ok(summary)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median_of(samples: &[Latency], f: impl Fn(&Latency) -> f64) -> f64 {
    let mut v: Vec<f64> = samples.iter().map(f).collect();
    v.sort_by(f64::total_cmp);
    percentile(&v, 50.0)
}

/// Plays the story on `stack`, then `remittances` timed ones; `progress` sees each step.
pub async fn play(
    stack: &mut Stack,
    remittances: usize,
    progress: &mut dyn FnMut(&StepRecord),
) -> Result<StoryReport, StoryError> {
    let endpoints = stack.endpoints.clone();
    let inst = stack.inst.clone();
    let mut story = Story {
        stack,
        steps: Vec::new(),
        customers: Vec::new(),
        progress,
    };
    let first_height = story
        .stack
        .ledger()
        .await
        .map_err(step_err("reading the node's height"))?
        .status()
        .await
        .map_err(step_err("reading the node's height"))?
        .height
        + 1;
    let mut maria = story
        .customer(
            ("Maria", "her"),
            (seeds::MARIA, "HK", crate::network::KYC_ISSUER_ID),
            (endpoints.hk_registry, endpoints.hk_prover),
        )
        .await?;
    let mut juan = story
        .customer(
            ("Juan", "his"),
            (seeds::JUAN, "PH", crate::network::PH_KYC_ISSUER_ID),
            (endpoints.ph_registry, endpoints.ph_prover),
        )
        .await?;

    story
        .mint("HKD", inst.hkd_issuer.clone(), &amounts::HKD_MINT_NOTES)
        .await?;
    let step = "HKD treasury credits Maria";
    let start = Instant::now();
    let mut treasury = story
        .institution(&inst.hkd_treasury, endpoints.hk_prover, step)
        .await?;
    let r = treasury
        .send(
            "HKD",
            vec![Payment {
                to: maria.address(),
                value: MARIA_CREDIT,
            }],
            0,
        )
        .await
        .map_err(step_err(step))?;
    story.push(record(
        step,
        start,
        Some(&r),
        format!(
            "HKD {} (confidential transfer)",
            money(u128::from(MARIA_CREDIT))
        ),
    ));

    story
        .mint("PHP", inst.php_issuer.clone(), &[amounts::PHP_MINT])
        .await?;
    let step = "PHP treasury fills the PH wallet's float";
    let start = Instant::now();
    let mut php_treasury = story
        .institution(&inst.php_treasury, endpoints.ph_prover, step)
        .await?;
    let r = php_treasury
        .send(
            "PHP",
            vec![Payment {
                to: inst.ph_float.address(),
                value: PH_FLOAT,
            }],
            0,
        )
        .await
        .map_err(step_err(step))?;
    story.push(record(
        step,
        start,
        Some(&r),
        format!("PHP {}", money(u128::from(PH_FLOAT))),
    ));

    let step = "PH wallet publishes its HKD→PHP quote";
    let start = Instant::now();
    let ledger = story.stack.ledger().await.map_err(step_err(step))?;
    let proving = story.proving(endpoints.ph_prover, step).await?;
    let quoting = Operator::new(
        PAYOUT_OPERATOR,
        inst.ph_operator.clone(),
        (
            ViewWallet::of(&inst.ph_settlement),
            ViewWallet::of(&inst.ph_float),
        ),
        Arc::clone(&story.stack.genesis),
        ledger,
        proving,
    );
    let q = quoting
        .publish_quote(
            amounts::QUOTE_ID,
            ("HKD", "PHP"),
            (amounts::QUOTE_NUM, amounts::QUOTE_DEN),
            QUOTE_BLOCKS,
        )
        .await
        .map_err(step_err(step))?;
    story.push(StepRecord {
        tx_id: Some(q.tx_id.to_string()),
        height: Some(q.height),
        ..record(
            step,
            start,
            None,
            format!(
                "quote {}: 1 HKD = {}/{} PHP",
                amounts::QUOTE_ID,
                amounts::QUOTE_NUM,
                amounts::QUOTE_DEN
            ),
        )
    });

    // The story's remittance, then the timed ones.
    let (first, mut juan_after) = story.remit(&mut maria, &mut juan, 0, true).await?;
    let payout = u128::from(amounts::REMIT) * u128::from(amounts::QUOTE_NUM)
        / u128::from(amounts::QUOTE_DEN);
    let expected = [
        ("HKD", "minted", u128::from(amounts::HKD_MINT)),
        (
            "HKD",
            "payments",
            u128::from(MARIA_CREDIT) + u128::from(amounts::REMIT),
        ),
        ("HKD", "fees", u128::from(amounts::REMIT_FEE)),
        ("PHP", "minted", u128::from(amounts::PHP_MINT)),
        ("PHP", "payments", u128::from(PH_FLOAT) + payout),
        ("PHP", "fees", 0),
    ];
    let mut audits = Vec::new();
    for (name, view) in [("HKMA", inst.hkma.clone()), ("BSP", inst.bsp.clone())] {
        // Escrows: the two registrations, then Maria's remittance.
        let escrows = ["Maria", "Juan", "Maria"];
        audits.push(
            story
                .audit(name, view, first_height, &expected, &escrows)
                .await?,
        );
    }
    let mut samples = vec![first];
    for _ in 0..remittances {
        let (l, h) = story
            .remit(&mut maria, &mut juan, juan_after, false)
            .await?;
        juan_after = h;
        samples.push(l);
    }
    let timed: Vec<Latency> = samples[1..].to_vec();
    let timed = if timed.is_empty() {
        samples.clone()
    } else {
        timed
    };
    let mut totals: Vec<f64> = timed.iter().map(|l| l.total).collect();
    totals.sort_by(f64::total_cmp);
    let latency = LatencyReport {
        remittances: timed.len(),
        p50: percentile(&totals, 50.0),
        p95: percentile(&totals, 95.0),
        max: totals.last().copied().unwrap_or(0.0),
        median_split: Latency {
            total: median_of(&timed, |l| l.total),
            remit_prove: median_of(&timed, |l| l.remit_prove),
            remit_committed: median_of(&timed, |l| l.remit_committed),
            payout: median_of(&timed, |l| l.payout),
            payout_prove: median_of(&timed, |l| l.payout_prove),
            wallet_sees: median_of(&timed, |l| l.wallet_sees),
        },
        samples: timed,
    };

    // Balances, each decrypted by its owner from the node.
    let sent = remittances as u128 + 1;
    let remit = u128::from(amounts::REMIT);
    let step = "balances";
    let mut balances = Vec::new();
    let mut settlement = story
        .institution(&inst.ph_settlement, endpoints.ph_prover, step)
        .await?;
    let mut float = story
        .institution(&inst.ph_float, endpoints.ph_prover, step)
        .await?;
    let rows: [(&str, &mut WalletClient, &str, u128); 6] = [
        (
            "Maria (HK customer)",
            &mut maria,
            "HKD",
            u128::from(MARIA_CREDIT) - sent * (remit + u128::from(amounts::REMIT_FEE)),
        ),
        ("Juan (PH customer)", &mut juan, "PHP", sent * payout),
        (
            "HKD treasury",
            &mut treasury,
            "HKD",
            u128::from(amounts::HKD_MINT) - u128::from(MARIA_CREDIT),
        ),
        (
            "PHP treasury",
            &mut php_treasury,
            "PHP",
            u128::from(amounts::PHP_MINT) - u128::from(PH_FLOAT),
        ),
        ("PH wallet settlement", &mut settlement, "HKD", sent * remit),
        (
            "PH wallet float",
            &mut float,
            "PHP",
            u128::from(PH_FLOAT) - sent * payout,
        ),
    ];
    for (who, wallet, asset, expected) in rows {
        wallet.sync().await.map_err(step_err(step))?;
        let value = wallet.book().balance(asset);
        balances.push(Balance {
            who: who.to_string(),
            asset: asset.to_string(),
            value,
            expected,
            exact: value == expected,
        });
    }
    if let Some(b) = balances.iter().find(|b| !b.exact) {
        return Err(StoryError::Check {
            step: step.into(),
            what: format!(
                "{} holds {} {} but the story makes it {}",
                b.who, b.asset, b.value, b.expected
            ),
        });
    }
    Ok(StoryReport {
        steps: story.steps,
        balances,
        remittances: remittances + 1,
        remit_value: amounts::REMIT,
        payout_value: u64::try_from(payout).unwrap_or(u64::MAX),
        audits,
        latency,
    })
}
