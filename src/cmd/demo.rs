//! `corridor demo`: the HKD→PHP remittance end to end through the services (node, KYC
//! registries, prover services, payout watcher) on loopback, with real proofs; `--in-process`
//! plays the scripted chain on an in-memory ledger instead.
use anyhow::{bail, Context, Result};
use clap::Args;
use corridor::demo::{amounts, run_remittance};
use corridor::stack::{url, Stack, StackConfig};
use corridor::story::{play, StepRecord};
use corridor_core::state::PublicState;
use corridor_verifier::KycStatus;
use std::io::Write;
use std::path::PathBuf;

fn money(cents: u128) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// `corridor demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Seed of the institutions' keys (and, with `--in-process`, of every random choice).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Timed remittances after the story's own (p50 and p95 end-to-end latency).
    #[arg(long, default_value_t = 20)]
    pub remittances: usize,
    /// Print everything as one JSON document (on stdout) instead of lines.
    #[arg(long)]
    pub json: bool,
    /// The dev parameters' folder: made on first use, loaded after (default: the user's cache,
    /// `$XDG_CACHE_HOME/corridor/dev-params` or `~/.cache/corridor/dev-params`).
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Where the node and the registries keep their databases (default: a fresh temporary
    /// folder, removed at the end).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Node verification threads.
    #[arg(long, default_value_t = std::thread::available_parallelism().map_or(1, usize::from))]
    pub threads: usize,
    /// Play the scripted chain on an in-memory ledger, without services.
    #[arg(long)]
    pub in_process: bool,
}

fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("corridor")
        .join("dev-params")
}

/// Runs `corridor demo`.
pub fn run(args: &DemoArgs) -> Result<()> {
    if args.in_process {
        return run_in_process(args.seed);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let (data, temporary) = match &args.data {
        Some(d) => (d.clone(), false),
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            (
                std::env::temp_dir().join(format!("corridor-demo-{}-{nanos}", std::process::id())),
                true,
            )
        }
    };
    let result = runtime.block_on(services(args, data.clone()));
    if temporary {
        let _ = std::fs::remove_dir_all(&data);
    }
    result
}

async fn services(args: &DemoArgs, data: PathBuf) -> Result<()> {
    let json = args.json;
    let started = std::time::Instant::now();
    let params = args.params.clone().unwrap_or_else(cache_dir);
    let config = StackConfig {
        seed: args.seed,
        params: params.clone(),
        data,
        threads: args.threads,
        max_concurrent: 2,
    };
    if !json {
        println!(
            "Corridor remittance demo through the services (seed {}).",
            args.seed
        );
    }
    eprintln!(
        "note: KYC proofs use dev-seed Groth16 parameters (seed {}): anyone who knows the seed can \
         forge them; for dev networks only.",
        corridor::network::DEV_PARAMS_SEED
    );
    let mut stack = Stack::start(&config).await?;
    let setup = started.elapsed().as_secs_f64();
    let made = stack.params.made;
    let e = stack.endpoints.clone();
    if !json {
        println!(
            "Parameters {} {} ({setup:.1} s to start everything). Services on loopback:",
            if made {
                "made and cached in"
            } else {
                "loaded from"
            },
            params.display()
        );
        for (name, addr) in [
            ("node (corridor.node.v1.Node)", e.node),
            ("HK KYC registry, issuer 1", e.hk_registry),
            ("PH KYC registry, issuer 2", e.ph_registry),
            ("HK prover service", e.hk_prover),
            ("PH prover service", e.ph_prover),
        ] {
            println!("  {name:<30} {}", url(addr));
        }
        println!("  PH wallet payout watcher       following the node's blocks\n");
    }
    let mut print = |s: &StepRecord| {
        if !json {
            let tx = s
                .tx_id
                .as_deref()
                .map(|t| format!("tx {} h{}", &t[..8.min(t.len())], s.height.unwrap_or(0)))
                .unwrap_or_default();
            println!(
                "  ✓ {:<46} {:>7.3} s  {:<16} {}",
                s.name, s.seconds, tx, s.detail
            );
            let _ = std::io::stdout().flush();
        }
    };
    let played = play(&mut stack, args.remittances, &mut print).await;
    let stopped = stack.stop().await;
    let report = played?;
    if let Err(e) = stopped {
        bail!("a service failed: {e}");
    }
    if json {
        let doc = serde_json::json!({
            "seed": args.seed,
            "setup_seconds": setup,
            "params_made": made,
            "steps": report.steps,
            "balances": report.balances,
            "remittances": report.remittances,
            "remit_value": report.remit_value,
            "payout_value": report.payout_value,
            "audits": report.audits,
            "latency": report.latency,
            "ok": true,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!("\nThe regulators' audits of the story (over gRPC, with their view keys and the escrow key):");
    for a in &report.audits {
        println!(
            "  {} (audits {}): heights {}..={}, {} transactions, {} amounts decrypted, {} notes of \
             other assets left sealed, {:.3} s",
            a.regulator,
            a.entitled_assets.join(", "),
            a.from_height,
            a.to_height,
            a.transactions,
            a.notes_decrypted,
            a.notes_not_entitled,
            a.seconds
        );
        for t in &a.totals {
            println!(
                "    {} {:<9} {:>14}  {}",
                t.asset,
                t.figure,
                money(t.value),
                if t.exact { "= the story's" } else { "MISMATCH" }
            );
        }
        println!(
            "    escrows opened to: {}; flags: {}",
            a.escrows.join(", "),
            a.flags
        );
    }
    println!("\nBalances (each decrypted by its owner's view key from the node):");
    for b in &report.balances {
        println!(
            "  {:<22} {} {:>14}  {}",
            b.who,
            b.asset,
            money(b.value),
            if b.exact { "exact" } else { "MISMATCH" }
        );
    }
    let l = &report.latency;
    println!(
        "\n{} timed remittances, send → Juan's wallet shows the PHP: p50 {:.3} s, p95 {:.3} s, max {:.3} s",
        l.remittances, l.p50, l.p95, l.max
    );
    let m = &l.median_split;
    println!(
        "  median split: Maria's transfer committed {:.3} s (proving {:.3} s), payout {:.3} s \
         (proving {:.3} s), Juan's wallet sees it {:.3} s later",
        m.remit_committed, m.remit_prove, m.payout, m.payout_prove, m.wallet_sees
    );
    Ok(())
}

/// Runs the scripted chain on an in-memory ledger with every key and random choice derived
/// from `seed`, printing each step and the balances each owner decrypts.
pub fn run_in_process(seed: u64) -> Result<()> {
    println!("Corridor remittance demo (seed {seed}): every proof real, every step verified.");
    eprintln!(
        "note: KYC proofs use dev-seed Groth16 parameters (seed {}): anyone who knows the seed can \
         forge them; for dev networks only.",
        corridor::network::DEV_PARAMS_SEED
    );
    println!(
        "Onboarding Maria, Ana (HK) and Juan (PH): credential enrolled, KYC root published, \
         address registered with a Groth16 proof (Rosa's onboarding is the chain's last two \
         steps).\n"
    );
    let report = run_remittance(seed, &mut |s| {
        let kyc = match s.kyc {
            KycStatus::NotRequired => "institution, no KYC",
            KycStatus::Verified => "customer, KYC Groth16 proof verified",
        };
        println!(
            "  ✓ {:<44} tx {}  {:>6} B  prove {:>7.1} ms  verify {:>6.1} ms  [{kyc}]",
            s.name.label(),
            s.tx.id().short(),
            s.tx.encode().len(),
            s.build.as_secs_f64() * 1e3,
            s.verify.as_secs_f64() * 1e3,
        );
    })?;
    let net = &report.network;
    println!("\nBalances (decrypted by each owner):");
    let rows = [
        ("Maria (HK customer)", &report.maria, "HKD"),
        ("Ana (HK customer)", &report.ana, "HKD"),
        ("Juan (PH customer)", &report.juan, "PHP"),
        ("PH wallet settlement", &net.inst.ph_settlement, "HKD"),
        ("PH wallet float", &net.inst.ph_float, "PHP"),
        ("HKD treasury", &net.inst.hkd_treasury, "HKD"),
        ("PHP treasury", &net.inst.php_treasury, "PHP"),
    ];
    for (who, keys, asset) in rows {
        println!(
            "  {who:<22} {asset} {:>14}",
            money(net.balance(keys, asset))
        );
    }
    println!(
        "\nJuan received PHP {} for HKD {} at {}/{} (operator keeps remainder {}/{} centavo).",
        money(u128::from(report.payout)),
        money(u128::from(amounts::REMIT)),
        amounts::QUOTE_NUM,
        amounts::QUOTE_DEN,
        report.fx_remainder,
        amounts::QUOTE_DEN
    );
    // The regulators: the HKMA audits the remittance's amount, and the escrow key opens its
    // KYC escrow to the sender's identity commitment (de-anonymisation, when entitled).
    let remittance = report
        .steps
        .iter()
        .find(|s| corridor::demo::is_remittance(&s.tx))
        .ok_or_else(|| anyhow::anyhow!("no remittance step"))?;
    let note_id = corridor_core::tx::NoteId::derive(&remittance.tx.id(), 0);
    let note = net
        .state
        .note(&note_id)
        .ok()
        .flatten()
        .ok_or_else(|| anyhow::anyhow!("the remittance note is not on the ledger"))?;
    let audited = net
        .audit(&note, 0, &net.inst.hkma)
        .ok_or_else(|| anyhow::anyhow!("the HKMA cannot decrypt the remittance"))?;
    let kyc = remittance
        .tx
        .body()
        .kyc()
        .ok_or_else(|| anyhow::anyhow!("the remittance carries no KYC section"))?;
    let escrow = corridor_circuits::EscrowCiphertext {
        r: corridor_circuits::EscrowCiphertext::r_from_bytes(&kyc.escrow_r)?,
        c: corridor_circuits::fr_from_bytes(&kyc.escrow_c.0, "escrow_c")?,
    };
    let sender = net.inst.escrow.decrypt(&escrow);
    let is_maria = sender == net.kyc_credential(&report.maria)?.credential.id_commit();
    println!(
        "HKMA audits the remittance note: HKD {}. The regulators' escrow key opens its KYC \
         escrow to {} id_commit.",
        money(u128::from(audited)),
        if is_maria { "Maria's" } else { "an unexpected" }
    );
    if !is_maria || audited != amounts::REMIT {
        bail!("the regulators' view does not match the remittance");
    }
    let expected_juan = u128::from(report.payout - amounts::JUAN_BURN - amounts::JUAN_BURN_FEE);
    if net.balance(&report.juan, "PHP") != expected_juan {
        bail!("Juan's balance does not match the payout");
    }
    Ok(())
}
