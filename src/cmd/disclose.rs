//! The wallet side of disclosures (`corridor wallet disclose`): the owner of a note proves its
//! true value to a verifier who chose a nonce, and writes the document
//! ([`corridor::audit::DisclosureDocument`]) that `corridor audit verify-disclosure` checks.
use anyhow::{Context, Result};
use clap::Args;
use corridor::audit::disclose_owned_note;
use corridor::keyfile::read_wallet_seed;
use corridor_core::keys::WalletKeys;
use corridor_core::tx::NoteId;
use corridor_prover::service::connect;
use std::io::Write;
use std::path::PathBuf;

/// `wallet disclose`.
#[derive(Args, Debug)]
pub struct DiscloseArgs {
    /// The wallet file (`corridor wallet new` writes it).
    #[arg(long)]
    pub wallet: PathBuf,
    /// The node's API, e.g. `http://127.0.0.1:50051`.
    #[arg(long)]
    pub node: String,
    /// The note to disclose, its id in hex (64 digits).
    #[arg(long)]
    pub note: String,
    /// The verifier's nonce, 64 hex digits (chosen by the verifier: a receipt made for one
    /// verifier does not verify for another).
    #[arg(long)]
    pub nonce: String,
    /// Where to write the disclosure document (JSON).
    #[arg(long)]
    pub out: PathBuf,
}

/// Makes a recipient disclosure of a note the wallet owns, with its true (decrypted) value, on
/// the node's network, writes it to `--out` and prints `disclosed <value> of note <id> on
/// <network> to <file>`.
///
/// # Errors
/// An unreadable wallet file, malformed `--note`/`--nonce`, an unreachable node, a note that is
/// not on the ledger or not the wallet's, or a file that cannot be written.
pub fn run_disclose(args: &DiscloseArgs) -> Result<()> {
    let mut id = [0u8; 32];
    hex::decode_to_slice(args.note.trim(), &mut id)
        .context("--note: expected 64 hex digits (a note id)")?;
    let mut nonce = [0u8; 32];
    hex::decode_to_slice(args.nonce.trim(), &mut nonce)
        .context("--nonce: expected 64 hex digits")?;
    let keys = WalletKeys::from_seed(&read_wallet_seed(&args.wallet)?)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    let client = runtime.block_on(connect(&args.node))?;
    let document = disclose_owned_note(
        &client,
        runtime.handle(),
        &keys,
        NoteId(id),
        nonce,
        &mut rand::rngs::OsRng,
    )?;
    std::fs::write(&args.out, serde_json::to_string_pretty(&document)?)
        .with_context(|| format!("writing {}", args.out.display()))?;
    writeln!(
        std::io::stdout().lock(),
        "disclosed {} of note {} on {} to {}",
        document.value,
        document.note_id,
        document.network,
        args.out.display()
    )?;
    Ok(())
}
