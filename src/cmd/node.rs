//! `corridor node`: the ledger node (corridor-node) on a redb database.
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor_core::genesis::Genesis;
use corridor_node::replay::decode_blocks;
use corridor_node::{GenesisFile, Node, NodeConfig, RedbKv};
use corridor_params::{CircuitInfo, ParamsDir, ParamsPins};
use corridor_verifier::groth16::PreparedKey;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The node's commands.
#[derive(Subcommand)]
pub enum NodeCommand {
    /// Replays the blocks of a file into the node's database, resuming after its last committed
    /// block; prints `height app_hash` for each block it commits (determinism and crash checks).
    Replay(ReplayArgs),
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

/// `node replay`.
#[derive(Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub files: NodeFiles,
    /// The blocks file.
    #[arg(long)]
    pub blocks: PathBuf,
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

/// Runs a `node` subcommand.
pub fn run(command: &NodeCommand) -> Result<()> {
    match command {
        NodeCommand::Replay(args) => replay(args),
    }
}
