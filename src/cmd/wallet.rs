//! `corridor wallet`: a customer's wallet on the command line. Its seed lives in a file of its
//! own (mode 0600); its spend key never leaves this process.
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::keyfile::{read_wallet_seed, write_wallet_seed};
use corridor_core::keys::{WalletKeys, WalletSeed};
use corridor_prover::service::{connect, RemoteState};
use corridor_prover::{OwnedNote, ViewWallet};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

/// The wallet's commands (more — register, send, remit, history, disclose — come with the
/// services demo).
#[derive(Subcommand)]
pub enum WalletCommand {
    /// Creates a wallet file holding a fresh random seed (or the one given) and prints its
    /// address. Refuses to overwrite a file.
    New(NewArgs),
    /// Prints the wallet's address (bech32m).
    Address(WalletFile),
    /// Catches up from the node: lists every note the wallet received, decrypts each with its
    /// view key and prints, as one JSON document, the unspent balance per asset and the notes.
    Balance(BalanceArgs),
}

/// The wallet file.
#[derive(Args)]
pub struct WalletFile {
    /// The wallet file (`corridor wallet new` writes it).
    #[arg(long)]
    pub wallet: PathBuf,
}

/// `wallet new`.
#[derive(Args)]
pub struct NewArgs {
    #[command(flatten)]
    pub file: WalletFile,
    /// A known seed, 64 hex digits (tests, recovery); a random one otherwise.
    #[arg(long)]
    pub seed_hex: Option<String>,
}

/// `wallet balance`.
#[derive(Args)]
pub struct BalanceArgs {
    #[command(flatten)]
    pub file: WalletFile,
    /// The node's API, e.g. `http://127.0.0.1:50051`.
    #[arg(long)]
    pub node: String,
}

/// Runs a wallet command.
pub fn run(command: &WalletCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match command {
        WalletCommand::New(args) => {
            let path = &args.file.wallet;
            if path.exists() {
                bail!(
                    "{} exists; a wallet file is never overwritten",
                    path.display()
                );
            }
            let seed = match &args.seed_hex {
                Some(h) => {
                    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
                    hex::decode_to_slice(h.trim(), &mut bytes[..])
                        .context("--seed-hex: expected 64 hex digits")?;
                    WalletSeed::from_bytes(*bytes)
                }
                None => WalletSeed::random(&mut rand::rngs::OsRng),
            };
            let keys = WalletKeys::from_seed(&seed)?;
            write_wallet_seed(path, &seed)?;
            writeln!(out, "{}", keys.address().encode())?;
        }
        WalletCommand::Address(file) => {
            writeln!(out, "{}", keys(file)?.address().encode())?;
        }
        WalletCommand::Balance(args) => {
            let keys = keys(&args.file)?;
            let report = balance(&ViewWallet::of(&keys), &args.node)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        }
    }
    Ok(())
}

fn keys(file: &WalletFile) -> Result<WalletKeys> {
    let seed = read_wallet_seed(&file.wallet)?;
    Ok(WalletKeys::from_seed(&seed)?)
}

/// The wallet's notes from the node, decrypted: balances of the unspent ones per asset, and
/// every note.
fn balance(wallet: &ViewWallet, node: &str) -> Result<serde_json::Value> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let client = runtime.block_on(connect(node))?;
    let remote = RemoteState::new(client, runtime.handle().clone());
    // `received_notes` lists only this address's notes, each once.
    let received = remote.received_notes(&wallet.address(), 0)?;
    let mut balances: BTreeMap<String, u128> = BTreeMap::new();
    let mut notes = Vec::new();
    for r in received {
        let id = r.note.id;
        let owned = OwnedNote::decrypt(r.note, wallet.view())
            .with_context(|| format!("note {}", id.short()))?;
        if r.spent_height.is_none() {
            *balances.entry(owned.note.asset.clone()).or_default() += u128::from(owned.value);
        }
        notes.push(serde_json::json!({
            "note_id": hex::encode(id.0),
            "asset": owned.note.asset,
            "value": owned.value,
            "height": r.height,
            "spent_height": r.spent_height,
        }));
    }
    Ok(serde_json::json!({
        "address": wallet.address().encode(),
        "balances": balances.into_iter().map(|(a, v)| (a, v.to_string())).collect::<BTreeMap<_, _>>(),
        "notes": notes,
    }))
}
