//! `corridor wallet`: a customer's wallet on the command line. Its seed lives in a file of its
//! own (mode 0600); its spend key never leaves this process.
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::client::{KycHolder, Ledger, ProverEndpoint, Proving, Receipt, WalletClient};
use corridor::keyfile::{
    read_identity_secret, read_wallet_seed, write_identity_secret, write_wallet_seed,
};
use corridor_circuits::{fr_to_bytes, Credential, CredentialAttributes, IdentitySecret};
use corridor_core::address::Address;
use corridor_core::genesis::Genesis;
use corridor_core::keys::{WalletKeys, WalletSeed};
use corridor_node::GenesisFile;
use corridor_prover::builder::{Payment, RemittanceRequest};
use corridor_prover::service::{connect, RemoteState};
use corridor_prover::{OwnedNote, ViewWallet};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// The wallet's commands.
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
    /// Makes the wallet's KYC identity secret (`<wallet>.identity`, mode 0600; kept if it
    /// exists) and prints its `id_commit`, the only thing the issuer enrols.
    KycId(WalletFile),
    /// Registers the wallet's address with a KYC proof of the credential the issuer enrolled
    /// (remembered in `<wallet>.kyc.json` for later transactions).
    Register(RegisterArgs),
    /// Pays an address (a confidential transfer with a KYC proof).
    Send(SendArgs),
    /// Remits to an operator at its quote, for a beneficiary it pays out.
    Remit(RemitArgs),
    /// Every note the wallet received, with the transaction and block that made it and the
    /// block that spent it, as JSON.
    History(BalanceArgs),
    /// Proves one of the wallet's notes' value to a verifier who chose a nonce (a recipient
    /// disclosure, written as JSON; `corridor audit verify-disclosure` checks it).
    Disclose(super::disclose::DiscloseArgs),
}

/// How the wallet reaches the node and who proves for it.
#[derive(Args)]
pub struct Services {
    /// The node's API, e.g. `http://127.0.0.1:50051`.
    #[arg(long)]
    pub node: String,
    /// The operator's prover service (`http://…`); without it the wallet proves locally
    /// (`--genesis` and `--params` then needed).
    #[arg(long)]
    pub prover: Option<String>,
    /// A file holding the prover service's bearer token.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
    /// The genesis file (local proving; `register` reads the jurisdiction's position in it).
    #[arg(long)]
    pub genesis: Option<PathBuf>,
    /// The parameters folder (local proving).
    #[arg(long)]
    pub params: Option<PathBuf>,
}

/// `wallet register`.
#[derive(Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub file: WalletFile,
    #[command(flatten)]
    pub services: Services,
    /// The issuer's KYC registry (`http://…`), which serves the credential's Merkle path.
    #[arg(long)]
    pub registry: String,
    /// The issuer's id.
    #[arg(long)]
    pub issuer: u32,
    /// The leaf the issuer enrolled the credential at.
    #[arg(long)]
    pub leaf: u64,
    /// The credential's jurisdiction code (`HK`), as enrolled.
    #[arg(long)]
    pub jurisdiction: String,
    /// Its tier, as enrolled.
    #[arg(long, default_value_t = 1)]
    pub tier: u32,
    /// Its expiry (UTC day number), as enrolled.
    #[arg(long)]
    pub expiry_day: u32,
}

/// `wallet send`.
#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    pub file: WalletFile,
    #[command(flatten)]
    pub services: Services,
    /// The asset (`HKD`).
    #[arg(long)]
    pub asset: String,
    /// The payee's address (`crd1…`).
    #[arg(long)]
    pub to: String,
    /// The value, in the asset's minor unit (cents).
    #[arg(long)]
    pub value: u64,
    /// The fee, in the same unit.
    #[arg(long, default_value_t = 0)]
    pub fee: u64,
}

/// `wallet remit`.
#[derive(Args)]
pub struct RemitArgs {
    #[command(flatten)]
    pub file: WalletFile,
    #[command(flatten)]
    pub services: Services,
    /// The asset sent (the quote's source asset).
    #[arg(long)]
    pub asset: String,
    /// The operator paying out (`ph-wallet`).
    #[arg(long)]
    pub operator: String,
    /// Its quote.
    #[arg(long)]
    pub quote: u64,
    /// The beneficiary's address.
    #[arg(long)]
    pub to: String,
    /// The value sent, in the asset's minor unit.
    #[arg(long)]
    pub value: u64,
    /// The fee.
    #[arg(long, default_value_t = 0)]
    pub fee: u64,
}

/// What `<wallet>.kyc.json` remembers (no secret: the identity secret is in its own file).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct CredentialFile {
    registry: String,
    issuer: u32,
    leaf: u64,
    jurisdiction: String,
    /// The jurisdiction's position in genesis's list (what the credential commits to).
    jurisdiction_bit: u32,
    tier: u32,
    expiry_day: u32,
}

fn sibling(wallet: &Path, suffix: &str) -> PathBuf {
    let mut name = wallet.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub(crate) async fn proving(s: &Services) -> Result<Proving> {
    if let Some(url) = &s.prover {
        let token = s
            .token_file
            .as_deref()
            .map(corridor::keyfile::read_token)
            .transpose()?;
        return Ok(Proving::Service(ProverEndpoint::connect(url, token).await?));
    }
    let (Some(genesis), Some(params)) = (&s.genesis, &s.params) else {
        bail!("no --prover: proving locally needs --genesis and --params");
    };
    let genesis: Genesis =
        GenesisFile::load(genesis).with_context(|| format!("genesis {}", genesis.display()))?;
    let pk = super::prover::load_proving_key(params, &genesis)?;
    Ok(Proving::Local {
        genesis: Arc::new(genesis),
        proving_key: Box::leak(Box::new(pk)),
    })
}

/// The wallet of `file`, connected, with its credential if it registered one.
pub(crate) async fn client(
    file: &WalletFile,
    s: &Services,
    kyc: Option<CredentialFile>,
) -> Result<WalletClient> {
    let keys = keys(file)?;
    let ledger = Ledger::connect(&s.node).await?;
    let wallet = WalletClient::new(keys, ledger, proving(s).await?);
    let kyc = match kyc {
        Some(k) => Some(k),
        None => {
            let path = sibling(&file.wallet, ".kyc.json");
            if path.exists() {
                Some(serde_json::from_slice(
                    &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
                )?)
            } else {
                None
            }
        }
    };
    let Some(k) = kyc else {
        return Ok(wallet);
    };
    let secret = read_identity_secret(&sibling(&file.wallet, ".identity"))?;
    let credential = Credential::new(
        secret,
        CredentialAttributes {
            jurisdiction: k.jurisdiction_bit,
            expiry_day: k.expiry_day,
            tier: k.tier,
            issuer_id: k.issuer,
        },
    )?;
    Ok(wallet.with_kyc(KycHolder::connect(credential, k.leaf, &k.registry).await?))
}

fn print_receipt(out: &mut impl Write, what: &str, r: &Receipt) -> Result<()> {
    writeln!(
        out,
        "{}",
        serde_json::json!({
            "committed": what,
            "tx_id": r.tx_id.to_string(),
            "height": r.height,
            "prove_seconds": r.prove_seconds,
            "seconds": r.elapsed.as_secs_f64(),
        })
    )?;
    Ok(())
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
        WalletCommand::History(args) => {
            let keys = keys(&args.file)?;
            let report = balance(&ViewWallet::of(&keys), &args.node)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&report["notes"])?)?;
        }
        WalletCommand::Disclose(args) => super::disclose::run_disclose(args)?,
        WalletCommand::KycId(file) => {
            let path = sibling(&file.wallet, ".identity");
            let secret = if path.exists() {
                read_identity_secret(&path)?
            } else {
                let s = IdentitySecret::random(&mut rand::rngs::OsRng);
                write_identity_secret(&path, &s)?;
                s
            };
            writeln!(out, "{}", hex::encode(fr_to_bytes(&secret.id_commit())))?;
        }
        WalletCommand::Register(a) => {
            let Some(genesis) = &a.services.genesis else {
                bail!("register needs --genesis (the jurisdiction's position in it)");
            };
            let genesis: Genesis = GenesisFile::load(genesis)
                .with_context(|| format!("genesis {}", genesis.display()))?;
            let jurisdiction_bit = genesis
                .jurisdiction_bit(&a.jurisdiction)
                .with_context(|| format!("genesis has no jurisdiction {:?}", a.jurisdiction))?;
            let kyc = CredentialFile {
                registry: a.registry.clone(),
                issuer: a.issuer,
                leaf: a.leaf,
                jurisdiction: a.jurisdiction.clone(),
                jurisdiction_bit,
                tier: a.tier,
                expiry_day: a.expiry_day,
            };
            let json = serde_json::to_vec_pretty(&kyc)?;
            let r = runtime()?.block_on(async {
                let mut w = client(&a.file, &a.services, Some(kyc)).await?;
                anyhow::Ok(w.register().await?)
            })?;
            let path = sibling(&a.file.wallet, ".kyc.json");
            std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
            print_receipt(&mut out, "RegisterAddress", &r)?;
        }
        WalletCommand::Send(a) => {
            let to = Address::decode(&a.to).context("--to")?;
            let r = runtime()?.block_on(async {
                let mut w = client(&a.file, &a.services, None).await?;
                anyhow::Ok(
                    w.send(&a.asset, vec![Payment { to, value: a.value }], a.fee)
                        .await?,
                )
            })?;
            print_receipt(&mut out, "Transfer", &r)?;
        }
        WalletCommand::Remit(a) => {
            let beneficiary = Address::decode(&a.to).context("--to")?;
            let request = RemittanceRequest {
                operator: a.operator.clone(),
                quote_id: a.quote,
                beneficiary,
                salt: rand::random(),
                value: a.value,
            };
            let r = runtime()?.block_on(async {
                let mut w = client(&a.file, &a.services, None).await?;
                anyhow::Ok(w.remit(&a.asset, request, a.fee).await?)
            })?;
            print_receipt(&mut out, "Transfer (remittance)", &r)?;
        }
    }
    Ok(())
}

pub(crate) fn keys(file: &WalletFile) -> Result<WalletKeys> {
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
