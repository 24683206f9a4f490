//! `corridor audit bench`: the regulator's scan over N transfers, timed. Builds, on the demo
//! network (genesis an hour ago), two registered customers (a KYC proof each), enough HKD mints
//! into the treasury for one note per transfer, and N treasury→customer transfers (institutional:
//! no KYC proof, one input, a payment and the change); loads them into an in-process embedded
//! node served over gRPC on 127.0.0.1 (a free port); then scans the whole chain over gRPC as
//! the HKMA (auditor of HKD) with the escrow key, with the progress bar, and prints one JSON
//! line: the scan's time and rate beside what building and loading took. It checks that the
//! scan's HKD payments equal what the transfers paid.
use super::progress_bar;
use anyhow::{bail, Context, Result};
use clap::Args;
use corridor::audit::{scan, Auditor, ScanRange};
use corridor::network::DemoNetwork;
use corridor_core::keys::WalletKeys;
use corridor_core::tx::{Transaction, MAX_OUTPUTS};
use corridor_node::api::unix_now;
use corridor_node::embedded::{Embedded, EmbeddedConfig};
use corridor_node::{MemoryLedger, Node, NodeConfig};
use corridor_prover::service::{connect, node_api, NodeClient};
use corridor_prover::{Payment, TransferRequest, ViewWallet};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `corridor audit bench`.
#[derive(Args, Debug)]
pub struct AuditBenchArgs {
    /// Treasury→customer transfers to build and scan.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    transfers: u32,
    /// Seed of the network's keys and of every random choice.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// The value of each minted note, and of transfer `i`'s payment (below the HKD limit).
const NOTE_VALUE: u64 = 1_000_000;
fn payment_value(i: usize) -> u64 {
    10_000 + (i as u64 % 997) * 13
}

/// Runs `corridor audit bench`.
pub fn run(args: &AuditBenchArgs) -> Result<()> {
    let transfers = usize::try_from(args.transfers)?;
    let started = Instant::now();
    let mut net = DemoNetwork::at(args.seed, unix_now().saturating_sub(3_600))?;
    let mut rng = ChaCha20Rng::seed_from_u64(args.seed ^ 0xa0d1);
    eprintln!("registering 2 customers (a KYC proof each)");
    let customers: Vec<WalletKeys> = [[0xc1; 32], [0xc2; 32]]
        .into_iter()
        .map(|seed| net.customer(seed))
        .collect::<Result<_, _>>()?;
    let mints = transfers.div_ceil(MAX_OUTPUTS);
    eprintln!("minting {transfers} HKD notes in {mints} mints");
    for m in 0..mints {
        let n = MAX_OUTPUTS.min(transfers - m * MAX_OUTPUTS);
        let nonce = net.next_mint_nonce("HKD");
        let mint = net
            .builder()
            .mint("HKD", nonce, &vec![NOTE_VALUE; n], &mut rng)?
            .tx
            .sign(&net.inst.hkd_issuer);
        net.submit(&mint)?;
    }
    let treasury = net.inst.hkd_treasury.clone();
    let notes = net.owned(&treasury, "HKD");
    if notes.len() < transfers {
        bail!("{} treasury notes for {transfers} transfers", notes.len());
    }
    let bar = progress_bar();
    bar.set_length(transfers as u64);
    bar.set_message("building");
    let wallet = ViewWallet::of(&treasury);
    let builder = net.builder();
    let mut paid: u128 = 0;
    let mut batch: Vec<Transaction> = Vec::with_capacity(transfers);
    for (i, note) in notes.into_iter().take(transfers).enumerate() {
        let value = payment_value(i);
        let request = TransferRequest {
            asset: "HKD".into(),
            inputs: vec![note],
            payments: vec![Payment {
                to: customers[i % customers.len()].address(),
                value,
            }],
            fee: 0,
            remittance: None,
            kyc: None,
        };
        let built = builder
            .transfer(&wallet, &request, &mut rng)
            .with_context(|| format!("transfer {i}"))?;
        batch.push(built.tx.sign(&treasury.spend));
        paid += u128::from(value);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let build_s = started.elapsed().as_secs_f64();
    eprintln!("built {transfers} transfers in {build_s:.1} s; loading them into a node");

    // The node: embedded, on a memory store, serving gRPC on a free port of 127.0.0.1.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let node = Arc::new(Node::open(
        net.genesis.clone(),
        MemoryLedger::new().kv(),
        net.keys.verifying.clone(),
        net.genesis_time(),
        NodeConfig {
            threads: 2,
            ..NodeConfig::default()
        },
    )?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let embedded = runtime.block_on(Embedded::bind(
        node,
        EmbeddedConfig::new("127.0.0.1:0".parse()?),
    ))?;
    let uri = format!("http://{}", embedded.grpc_addr());
    let serving = runtime.spawn(embedded.run(async move {
        let _ = stopped.await;
    }));
    let loaded = Instant::now();
    let mut client = runtime.block_on(connect(&uri))?;
    // The onboarding and the mints one by one (each may depend on the one before), then the
    // transfers all at once (each spends its own minted note).
    for tx in net.committed() {
        runtime.block_on(submit(&mut client, tx))?;
        runtime.block_on(wait_committed(&mut client, tx))?;
    }
    for tx in &batch {
        runtime.block_on(submit(&mut client, tx))?;
    }
    for tx in &batch {
        runtime.block_on(wait_committed(&mut client, tx))?;
    }
    let load_s = loaded.elapsed().as_secs_f64();
    eprintln!("loaded in {load_s:.1} s; scanning as the HKMA");

    let auditor = Auditor::new(
        &net.genesis,
        &net.inst.hkma,
        Some(&net.inst.escrow),
        BTreeMap::new(),
    )?;
    let bar = progress_bar();
    let report = scan(
        &client,
        runtime.handle(),
        &auditor,
        ScanRange::default(),
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    let _ = stop.send(());
    runtime
        .block_on(serving)
        .context("the node's task")?
        .context("the node")?;

    let hkd = report
        .totals_of("HKD")
        .context("the report has no HKD totals")?;
    if hkd.payment_value != paid || hkd.payments != transfers as u64 {
        bail!(
            "the scan saw {} HKD payments of {} in all; the transfers paid {transfers} of {paid}",
            hkd.payments,
            hkd.payment_value
        );
    }
    let t = &report.timing;
    let line = serde_json::json!({
        "bench": "audit-scan",
        "transfers": transfers,
        "blocks": t.blocks,
        "transactions": t.transactions,
        "notes": t.notes,
        "notes_decrypted": t.notes_decrypted,
        "escrows_opened": report.escrows.len(),
        "scan_s": t.elapsed_s,
        "transactions_per_s": t.transactions as f64 / t.elapsed_s.max(1e-9),
        "notes_per_s": t.notes as f64 / t.elapsed_s.max(1e-9),
        "build_s": build_s,
        "load_s": load_s,
    });
    println!("{line}");
    Ok(())
}

async fn submit(client: &mut NodeClient, tx: &Transaction) -> Result<()> {
    client
        .submit_tx(node_api::SubmitTxRequest { tx: tx.encode() })
        .await
        .with_context(|| format!("SubmitTx {}", tx.id()))?;
    Ok(())
}

/// Waits until `tx` is committed (60 s at most).
async fn wait_committed(client: &mut NodeClient, tx: &Transaction) -> Result<()> {
    let start = Instant::now();
    loop {
        match client
            .get_tx(node_api::GetTxRequest {
                tx_id: tx.id().0.to_vec(),
            })
            .await
        {
            Ok(_) => return Ok(()),
            Err(s) if s.code() == tonic::Code::NotFound => {}
            Err(s) => bail!("GetTx {}: {s}", tx.id()),
        }
        if start.elapsed() > Duration::from_secs(60) {
            bail!("transaction {} not committed after 60 s", tx.id());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
