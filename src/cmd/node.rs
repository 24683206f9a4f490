//! `corridor node`: the ledger node (corridor-node) on a redb database.
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::keyfile::write_spend_key;
use corridor::network::DemoNetwork;
use corridor_core::genesis::Genesis;
use corridor_node::abci::{serve_blocking, AbciConfig};
use corridor_node::embedded::{Embedded, EmbeddedConfig};
use corridor_node::replay::decode_blocks;
use corridor_node::{GenesisFile, Node, NodeConfig, RedbKv};
use corridor_params::{CircuitInfo, ParamsDir, ParamsPins};
use corridor_verifier::groth16::PreparedKey;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::signal::unix::{signal, SignalKind};

/// The node's commands.
#[derive(Subcommand)]
pub enum NodeCommand {
    /// The embedded node (the default mode): serves the node API (`corridor.node.v1.Node`,
    /// health, reflection) and cuts a block as soon as transactions wait. Prints the addresses
    /// it listens on; stops cleanly on SIGINT or SIGTERM.
    Run(RunArgs),
    /// Replays the blocks of a file into the node's database, resuming after its last committed
    /// block; prints `height app_hash` for each block it commits (determinism and crash checks).
    Replay(ReplayArgs),
    /// Serves the node as an ABCI 2.0 application (CometBFT v0.38, socket protocol) on
    /// `--listen`; prints `listening ADDR` once it accepts connections. Point a CometBFT
    /// validator at it with `--proxy_app tcp://ADDR`.
    Abci(AbciArgs),
    /// Writes the demo network's genesis file (network `corridor-demo`; its institutions'
    /// keys derive from `--seed`, its KYC key is `params setup --dev-seed 2026`'s), and with
    /// `--keys DIR` the institutions' and regulators' dev keys.
    DemoGenesis(DemoGenesisArgs),
}

/// `node demo-genesis`.
#[derive(Args)]
pub struct DemoGenesisArgs {
    /// Seed of the institutions' keys.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Where to write the genesis file (TOML).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the institutions' keys into this folder (created if absent; mode 0600), one
    /// file each: the signing keys `kyc-issuer.key` (HK and PH, for `kyc serve`),
    /// `ph-kyc-issuer.key` (PH only), `hkd-issuer.key`, `php-issuer.key`, `hk-operator.key`,
    /// `ph-operator.key`; the regulators' view keys `hkma.view`, `bsp.view` and the escrow key
    /// `escrow.key` (for `audit`). DEV KEYS: they derive from `--seed`, so anyone who knows the
    /// seed has them; never for a real network.
    #[arg(long)]
    pub keys: Option<PathBuf>,
}

/// Where the node's inputs and database are.
#[derive(Args)]
pub struct NodeFiles {
    /// The genesis file (TOML).
    #[arg(long)]
    pub genesis: PathBuf,
    /// The Groth16 parameter folder (`params setup` or a ceremony's `finalize`).
    #[arg(long)]
    pub params: PathBuf,
    /// The data folder (the redb database `ledger.redb` lives there).
    #[arg(long)]
    pub data: PathBuf,
    /// Verification threads.
    #[arg(long, default_value_t = std::thread::available_parallelism().map_or(1, usize::from))]
    pub threads: usize,
}

/// `node run`.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub files: NodeFiles,
    /// Where the gRPC API listens (port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub grpc: SocketAddr,
    /// Where Prometheus metrics are served (`GET /metrics`); none if absent.
    #[arg(long)]
    pub metrics: Option<SocketAddr>,
}

/// `node replay`.
#[derive(Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub files: NodeFiles,
    /// The blocks file.
    #[arg(long)]
    pub blocks: PathBuf,
}

/// `node abci`.
#[derive(Args)]
pub struct AbciArgs {
    #[command(flatten)]
    pub files: NodeFiles,
    /// Where CometBFT connects (port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:26658")]
    pub listen: SocketAddr,
    /// Largest ABCI message accepted, in bytes.
    #[arg(long, default_value_t = AbciConfig::default().max_message_bytes)]
    pub max_message_bytes: usize,
}

/// Opens the node described by `files` on its redb database.
pub fn open(files: &NodeFiles) -> Result<Node> {
    let genesis: Genesis = GenesisFile::load(&files.genesis)
        .with_context(|| format!("genesis {}", files.genesis.display()))?;
    let key = load_key(&files.params, &genesis)?;
    std::fs::create_dir_all(&files.data)
        .with_context(|| format!("creating {}", files.data.display()))?;
    let kv = RedbKv::open(&files.data.join("ledger.redb"))?;
    let config = NodeConfig {
        threads: files.threads,
        ..NodeConfig::default()
    };
    Ok(Node::open(genesis, Arc::new(kv), key, 0, config)?)
}

/// The KYC verifying key of `dir`, through genesis's pins: its circuit checked, its hash the
/// one genesis pins, and on a non-dev network made by the ceremony genesis pins (dev-seed keys
/// refused).
fn load_key(dir: &Path, genesis: &Genesis) -> Result<PreparedKey> {
    let info = CircuitInfo::kyc()?;
    let vk = ParamsDir::new(dir)
        .load_pinned_verifying_key(&info, &ParamsPins::from_genesis(genesis))
        .with_context(|| format!("the verifying key of {}", dir.display()))?;
    Ok(PreparedKey::from_key(&vk))
}

fn replay(args: &ReplayArgs) -> Result<()> {
    let node = open(&args.files)?;
    let bytes = std::fs::read(&args.blocks)
        .with_context(|| format!("reading {}", args.blocks.display()))?;
    let blocks = decode_blocks(&bytes, node.config().max_tx_bytes)?;
    let mut out = std::io::stdout().lock();
    let start = node.committed().height;
    writeln!(out, "ready {start}")?;
    out.flush()?;
    for block in blocks.iter().skip(start as usize) {
        let context = node.next_block(block.time);
        let executed = node.execute(&block.txs, context, false)?;
        if let Some((i, Err(e))) = executed
            .results
            .iter()
            .enumerate()
            .find(|(_, r)| r.is_err())
        {
            bail!("block {}: transaction {i} refused: {e}", context.height);
        }
        let committed = node.commit(executed)?;
        writeln!(
            out,
            "{} {}",
            committed.height,
            hex::encode(committed.app_hash)
        )?;
        out.flush()?;
    }
    Ok(())
}

fn run_embedded(args: &RunArgs) -> Result<()> {
    let node = Arc::new(open(&args.files)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        let config = EmbeddedConfig {
            metrics: args.metrics,
            ..EmbeddedConfig::new(args.grpc)
        };
        // SIGINT or SIGTERM: drain and stop. Handled from before "ready" is printed.
        let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        let embedded = Embedded::bind(node.clone(), config).await?;
        let c = node.committed();
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "node {} height {} app_hash {}",
            node.genesis().network,
            c.height,
            hex::encode(c.app_hash)
        )?;
        writeln!(out, "grpc {}", embedded.grpc_addr())?;
        if let Some(addr) = embedded.metrics_addr() {
            writeln!(out, "metrics http://{addr}/metrics")?;
        }
        writeln!(out, "ready")?;
        out.flush()?;
        drop(out);
        embedded
            .run(async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            })
            .await?;
        let c = node.committed();
        println!(
            "stopped at height {} app_hash {}",
            c.height,
            hex::encode(c.app_hash)
        );
        Ok(())
    })
}

fn abci(args: &AbciArgs) -> Result<()> {
    // Opened before logging starts: with a subscriber installed, arkworks' constraint system
    // (the circuit fingerprint of the parameter check) records a trace per constraint.
    let node = Arc::new(open(&args.files)?);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,corridor_node=info,corridor=info")
            }),
        )
        .init();
    let committed = node.committed();
    tracing::info!(
        network = %node.genesis().network,
        height = committed.height,
        app_hash = %hex::encode(committed.app_hash),
        "node open"
    );
    let config = AbciConfig {
        max_message_bytes: args.max_message_bytes,
        ..AbciConfig::default()
    };
    serve_blocking(node, args.listen, config, |addr| {
        println!("listening {addr}");
        let _ = std::io::stdout().flush();
    })?;
    Ok(())
}

fn demo_genesis(args: &DemoGenesisArgs) -> Result<()> {
    let net = DemoNetwork::new(args.seed)?;
    std::fs::write(
        &args.out,
        GenesisFile::from_genesis(&net.genesis).to_toml()?,
    )
    .with_context(|| format!("writing {}", args.out.display()))?;
    if let Some(dir) = &args.keys {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let inst = &net.inst;
        for (name, key) in [
            ("kyc-issuer", &inst.kyc_issuer),
            ("ph-kyc-issuer", &inst.ph_kyc_issuer),
            ("hkd-issuer", &inst.hkd_issuer),
            ("php-issuer", &inst.php_issuer),
            ("hk-operator", &inst.hk_operator),
            ("ph-operator", &inst.ph_operator),
        ] {
            write_spend_key(&dir.join(format!("{name}.key")), key)?;
        }
        // The regulators' keys (`corridor audit`): their view keys and the escrow key.
        corridor::keyfile::write_view_key(&dir.join("hkma.view"), &inst.hkma)?;
        corridor::keyfile::write_view_key(&dir.join("bsp.view"), &inst.bsp)?;
        corridor::keyfile::write_escrow_key(&dir.join("escrow.key"), &inst.escrow)?;
    }
    Ok(())
}

/// Runs a `node` subcommand.
pub fn run(command: &NodeCommand) -> Result<()> {
    match command {
        NodeCommand::Run(args) => run_embedded(args),
        NodeCommand::Replay(args) => replay(args),
        NodeCommand::Abci(args) => abci(args),
        NodeCommand::DemoGenesis(args) => demo_genesis(args),
    }
}
