//! `corridor audit`: the regulator's tool. `scan` reads a height range of a node over its gRPC
//! API and decrypts the amounts of the assets the regulator audits ([`corridor::audit`]), with a
//! progress bar on stderr, a summary on stdout and the report as JSON and CSV files;
//! `verify-disclosure` checks a wallet's disclosure document against the note on the node;
//! `bench` times a scan over N transfers on an in-process node.
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::audit::{scan, AuditReport, Auditor, DisclosureDocument, ScanRange};
use corridor::keyfile::{read_escrow_key, read_view_key};
use corridor_core::genesis::Genesis;
use corridor_core::state::PublicState;
use corridor_node::GenesisFile;
use corridor_prover::service::{connect, RemoteState};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

mod bench;

/// The regulator's commands.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Scans heights FROM..=TO of a node: decrypts the amounts of the assets the view key
    /// audits, opens KYC escrows (with --escrow-key), totals per asset and per UTC day, flags
    /// large payments and hints that lie; prints a summary, writes --json and --csv.
    Scan(ScanArgs),
    /// Verifies a disclosure document against the note the node holds: prints
    /// `valid: <value> <asset>`, or fails naming why.
    VerifyDisclosure(VerifyDisclosureArgs),
    /// Builds N treasury→customer transfers on an in-process node served over gRPC on
    /// 127.0.0.1, then scans them as the HKMA with the progress bar; prints the time and rate as
    /// one JSON line.
    Bench(bench::AuditBenchArgs),
}

/// `audit scan`.
#[derive(Args)]
pub struct ScanArgs {
    /// The network's genesis file (TOML): the assets and their auditors.
    #[arg(long)]
    pub genesis: PathBuf,
    /// The node's API, e.g. `http://127.0.0.1:50051`.
    #[arg(long)]
    pub node: String,
    /// The regulator's view key file (64 hex digits; `node demo-genesis --keys` writes the
    /// demo's `hkma.view` and `bsp.view`).
    #[arg(long)]
    pub view_key: PathBuf,
    /// The regulators' escrow key file (`escrow.key`): opens each KYC escrow to the sender's
    /// `id_commit`.
    #[arg(long)]
    pub escrow_key: Option<PathBuf>,
    /// First height.
    #[arg(long, default_value_t = 1)]
    pub from: u64,
    /// Last height (default: the node's height when the scan starts).
    #[arg(long)]
    pub to: Option<u64>,
    /// Flag payments above a threshold, `ASSET=MINOR_UNITS` (e.g. `HKD=5000000`); repeatable.
    #[arg(long = "threshold", value_parser = parse_threshold)]
    pub thresholds: Vec<(String, u64)>,
    /// Write the entries as CSV here.
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Write the whole report as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// `audit verify-disclosure`.
#[derive(Args)]
pub struct VerifyDisclosureArgs {
    /// The network's genesis file (TOML).
    #[arg(long)]
    pub genesis: PathBuf,
    /// The node's API, e.g. `http://127.0.0.1:50051`.
    #[arg(long)]
    pub node: String,
    /// The disclosure document (JSON, `corridor wallet disclose` writes it).
    #[arg(long)]
    pub disclosure: PathBuf,
}

/// `ASSET=CENTS`.
fn parse_threshold(s: &str) -> Result<(String, u64), String> {
    let (asset, value) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected ASSET=MINOR_UNITS"))?;
    let value = value
        .parse::<u64>()
        .map_err(|e| format!("{s:?}: the amount: {e}"))?;
    Ok((asset.to_string(), value))
}

/// Runs an `audit` subcommand.
pub fn run(command: &AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Scan(args) => run_scan(args),
        AuditCommand::VerifyDisclosure(args) => run_verify(args),
        AuditCommand::Bench(args) => bench::run(args),
    }
}

fn load_genesis(path: &Path) -> Result<Genesis> {
    GenesisFile::load(path).with_context(|| format!("genesis {}", path.display()))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// A progress bar of blocks on stderr (hidden when stderr is not a terminal).
pub(crate) fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} scanning blocks {bar:40} {pos}/{len} ({per_sec}, {elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn run_scan(args: &ScanArgs) -> Result<()> {
    let genesis = load_genesis(&args.genesis)?;
    let view = read_view_key(&args.view_key)?;
    let escrow = args
        .escrow_key
        .as_deref()
        .map(read_escrow_key)
        .transpose()?;
    let thresholds: BTreeMap<String, u64> = args.thresholds.iter().cloned().collect();
    for asset in thresholds.keys() {
        if genesis.asset(asset).is_none() {
            bail!("--threshold {asset}: no such asset in the genesis");
        }
    }
    let auditor = Auditor::new(&genesis, &view, escrow.as_ref(), thresholds)?;
    let runtime = runtime()?;
    let client = runtime.block_on(connect(&args.node))?;
    let bar = progress_bar();
    let range = ScanRange {
        from: args.from,
        to: args.to,
    };
    let report = scan(
        &client,
        runtime.handle(),
        &auditor,
        range,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.csv {
        std::fs::write(path, report.to_csv())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    print_summary(&mut std::io::stdout().lock(), &report)?;
    Ok(())
}

/// The summary: the range, totals per asset and per day, escrows, flags, timing.
fn print_summary(out: &mut impl Write, r: &AuditReport) -> Result<()> {
    writeln!(
        out,
        "audit of {} heights {}..={} by auditor of {}",
        r.network,
        r.from_height,
        r.to_height,
        r.entitled_assets.join(", ")
    )?;
    writeln!(out, "totals per asset (minor units):")?;
    for t in &r.totals {
        writeln!(
            out,
            "  {}: {} outputs {} | {} payments {} | minted {} burned {} fees {}",
            t.asset,
            t.outputs,
            t.output_value,
            t.payments,
            t.payment_value,
            t.minted,
            t.burned,
            t.fees
        )?;
    }
    for (asset, n) in &r.not_entitled {
        writeln!(out, "  {asset}: {n} notes not entitled (not decrypted)")?;
    }
    writeln!(out, "totals per UTC day:")?;
    for d in &r.days {
        writeln!(
            out,
            "  {} {}: {} outputs {} | {} payments {}",
            d.day, d.asset, d.outputs, d.output_value, d.payments, d.payment_value
        )?;
    }
    writeln!(out, "escrows opened: {}", r.escrows.len())?;
    for e in &r.escrows {
        writeln!(
            out,
            "  height {} {} {}: id_commit {}",
            e.height, e.kind, e.tx_id, e.id_commit
        )?;
    }
    writeln!(out, "flags: {}", r.flags.len())?;
    for f in &r.flags {
        writeln!(
            out,
            "  {:?} height {} tx {} output {} {} value {} threshold {}",
            f.kind,
            f.height,
            f.tx_id,
            f.output_index.map_or("-".into(), |i| i.to_string()),
            f.asset,
            f.value.map_or("-".into(), |v| v.to_string()),
            f.threshold.map_or("-".into(), |v| v.to_string()),
        )?;
    }
    let t = &r.timing;
    writeln!(
        out,
        "elapsed {:.3} s: {} blocks, {} transactions, {} notes ({} decrypted, {} not entitled)",
        t.elapsed_s, t.blocks, t.transactions, t.notes, t.notes_decrypted, t.notes_not_entitled
    )?;
    Ok(())
}

fn run_verify(args: &VerifyDisclosureArgs) -> Result<()> {
    let genesis = load_genesis(&args.genesis)?;
    let text = std::fs::read_to_string(&args.disclosure)
        .with_context(|| format!("reading {}", args.disclosure.display()))?;
    let document: DisclosureDocument = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a disclosure document", args.disclosure.display()))?;
    let note_id = document.note_id()?;
    let runtime = runtime()?;
    let client = runtime.block_on(connect(&args.node))?;
    let remote = RemoteState::new(client, runtime.handle().clone());
    let note = remote
        .note(&note_id)
        .with_context(|| format!("fetching note {note_id}"))?
        .with_context(|| format!("note {note_id}: not on the ledger"))?;
    document.verify_on(&genesis.network, &note)?;
    writeln!(
        std::io::stdout().lock(),
        "valid: {} {}",
        document.value,
        note.asset
    )?;
    Ok(())
}
