//! `corridor operator`: an issuer's mints, an operator's quotes and its payout watcher, and
//! burns (an institution's or a customer's wallet returning notes to the issuer).
use super::wallet::{client, proving, runtime, Services, WalletFile};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::client::{publish_quote, Issuer, Ledger, Operator, PayoutOutcome, Quote};
use corridor::keyfile::{read_spend_key, read_view_key};
use corridor_core::genesis::Genesis;
use corridor_node::GenesisFile;
use corridor_prover::ViewWallet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::signal::unix::{signal, SignalKind};

/// The institutions' commands.
#[derive(Subcommand)]
pub enum OperatorCommand {
    /// The asset's issuer mints into its treasury (public amounts, the next nonce).
    Mint(MintArgs),
    /// The operator publishes an FX quote.
    Quote(QuoteArgs),
    /// The operator's payout watcher: follows the node's blocks and pays out every remittance
    /// sent to the operator at its quote, from its float; one JSON line per remittance; stops on
    /// SIGINT or SIGTERM.
    Payout(PayoutArgs),
    /// A wallet (a treasury, or a customer with its `<wallet>.kyc.json`) returns notes to the
    /// issuer (fiat out).
    Burn(BurnArgs),
}

/// The network and the node.
#[derive(Args)]
pub struct Network {
    /// The genesis file.
    #[arg(long)]
    pub genesis: PathBuf,
    /// The node's API.
    #[arg(long)]
    pub node: String,
    /// The signing key file (issuer or operator key, as `node demo-genesis --keys` writes).
    #[arg(long)]
    pub key: PathBuf,
}

/// `operator mint`.
#[derive(Args)]
pub struct MintArgs {
    #[command(flatten)]
    pub network: Network,
    /// The asset.
    #[arg(long)]
    pub asset: String,
    /// A note's value in minor units; repeat for several notes.
    #[arg(long = "value", required = true)]
    pub values: Vec<u64>,
}

/// `operator quote`.
#[derive(Args)]
pub struct QuoteArgs {
    #[command(flatten)]
    pub network: Network,
    /// The operator's name in genesis.
    #[arg(long)]
    pub operator: String,
    /// The quote's id (unique per operator).
    #[arg(long)]
    pub id: u64,
    /// Source asset.
    #[arg(long)]
    pub from: String,
    /// Target asset.
    #[arg(long)]
    pub to: String,
    /// 1 `from` = num/den `to`.
    #[arg(long)]
    pub num: u32,
    /// Denominator.
    #[arg(long)]
    pub den: u32,
    /// Blocks the quote stays usable after the one publishing it.
    #[arg(long, default_value_t = 1_000)]
    pub blocks: u64,
}

/// `operator payout`.
#[derive(Args)]
pub struct PayoutArgs {
    #[command(flatten)]
    pub network: Network,
    /// The operator's name in genesis.
    #[arg(long)]
    pub operator: String,
    /// The settlement address's view key file (hex of the scalar).
    #[arg(long)]
    pub settlement_view: PathBuf,
    /// The float address's view key file.
    #[arg(long)]
    pub float_view: PathBuf,
    /// The operator's prover service; locally with `--params` otherwise.
    #[arg(long)]
    pub prover: Option<String>,
    /// The prover's bearer token file.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// The parameters folder (local proving).
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// The first block looked at (remittances already paid are passed).
    #[arg(long, default_value_t = 1)]
    pub from_height: u64,
}

/// `operator burn`.
#[derive(Args)]
pub struct BurnArgs {
    #[command(flatten)]
    pub file: WalletFile,
    #[command(flatten)]
    pub services: Services,
    /// The asset.
    #[arg(long)]
    pub asset: String,
    /// The value returned to the issuer, in minor units.
    #[arg(long)]
    pub value: u64,
    /// The fee.
    #[arg(long, default_value_t = 0)]
    pub fee: u64,
}

fn genesis(path: &Path) -> Result<Arc<Genesis>> {
    Ok(Arc::new(
        GenesisFile::load(path).with_context(|| format!("genesis {}", path.display()))?,
    ))
}

/// Runs an `operator` subcommand.
pub fn run(command: &OperatorCommand) -> Result<()> {
    let rt = runtime()?;
    if let OperatorCommand::Payout(a) = command {
        // Its printer task takes stdout's lock per line: this thread must not hold it.
        return rt.block_on(payout(a));
    }
    let mut out = std::io::stdout().lock();
    match command {
        OperatorCommand::Mint(a) => {
            let r = rt.block_on(async {
                let issuer = Issuer::new(
                    &a.asset,
                    read_spend_key(&a.network.key)?,
                    genesis(&a.network.genesis)?,
                    Ledger::connect(&a.network.node).await?,
                );
                anyhow::Ok(issuer.mint(&a.values).await?)
            })?;
            writeln!(
                out,
                "{}",
                serde_json::json!({"committed": "Mint", "tx_id": r.tx_id.to_string(), "height": r.height})
            )?;
        }
        OperatorCommand::Quote(a) => {
            let c = rt.block_on(async {
                let quote = Quote {
                    operator: &a.operator,
                    quote_id: a.id,
                    assets: (&a.from, &a.to),
                    rate: (a.num, a.den),
                    blocks: a.blocks,
                };
                let ledger = Ledger::connect(&a.network.node).await?;
                let key = read_spend_key(&a.network.key)?;
                anyhow::Ok(
                    publish_quote(&ledger, &genesis(&a.network.genesis)?, &key, quote).await?,
                )
            })?;
            writeln!(
                out,
                "{}",
                serde_json::json!({"committed": "PublishQuote", "tx_id": c.tx_id.to_string(), "height": c.height})
            )?;
        }
        OperatorCommand::Payout(_) => {}
        OperatorCommand::Burn(a) => {
            let r = rt.block_on(async {
                let mut w = client(&a.file, &a.services, None).await?;
                anyhow::Ok(w.burn(&a.asset, a.value, a.fee).await?)
            })?;
            writeln!(
                out,
                "{}",
                serde_json::json!({"committed": "Burn", "tx_id": r.tx_id.to_string(), "height": r.height})
            )?;
        }
    }
    Ok(())
}

async fn payout(a: &PayoutArgs) -> Result<()> {
    let g = genesis(&a.network.genesis)?;
    let Some(op) = g.operators.iter().find(|o| o.name == a.operator) else {
        bail!("genesis has no operator {:?}", a.operator);
    };
    let settlement = ViewWallet::new(op.settlement, read_view_key(&a.settlement_view)?)
        .context("--settlement-view: not the view key of the operator's settlement address")?;
    let float = ViewWallet::new(op.float, read_view_key(&a.float_view)?)
        .context("--float-view: not the view key of the operator's float address")?;
    if a.prover.is_none() && a.params.is_none() {
        bail!("payout needs --prover or --params");
    }
    let proving = proving(&Services {
        node: a.network.node.clone(),
        prover: a.prover.clone(),
        token_file: a.token_file.clone(),
        genesis: Some(a.network.genesis.clone()),
        params: a.params.clone(),
    })
    .await?;
    let mut operator = Operator::new(
        &a.operator,
        read_spend_key(&a.network.key)?,
        (settlement, float),
        Arc::clone(&g),
        Ledger::connect(&a.network.node).await?,
        proving,
    );
    let (events, mut rx) = tokio::sync::mpsc::unbounded_channel::<corridor::client::PayoutEvent>();
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let printer = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            let line = match e.outcome {
                PayoutOutcome::Paid(p) => serde_json::json!({
                    "remittance": e.remittance.to_string(), "height": e.height,
                    "paid": p.paid, "asset": p.asset, "received": p.received,
                    "beneficiary": p.beneficiary.encode(),
                    "payout_tx": p.payout.tx_id.to_string(), "payout_height": p.payout.height,
                    "seconds": p.payout.elapsed.as_secs_f64(),
                }),
                PayoutOutcome::AlreadyPaid => serde_json::json!({
                    "remittance": e.remittance.to_string(), "height": e.height, "already_paid": true,
                }),
                PayoutOutcome::Failed(why) => serde_json::json!({
                    "remittance": e.remittance.to_string(), "height": e.height, "failed": why,
                }),
            };
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    });
    println!("watching {} from height {}", a.operator, a.from_height);
    let _ = std::io::stdout().flush();
    let result = tokio::select! {
        r = operator.watch_payouts(a.from_height, events) => r.map_err(anyhow::Error::from),
        _ = interrupt.recv() => Ok(()),
        _ = terminate.recv() => Ok(()),
    };
    let _ = printer.await;
    result
}
