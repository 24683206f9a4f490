//! `corridor kyc`: a KYC issuer's services.
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use corridor::client::BackOffice;
use corridor::keyfile::{read_spend_key, read_token, read_tokens};
use corridor::services::kyc::{KycConfig, KycServer};
use corridor_circuits::fr_from_bytes;
use corridor_node::GenesisFile;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::signal::unix::{signal, SignalKind};

/// The KYC issuer's commands.
#[derive(Subcommand)]
pub enum KycCommand {
    /// The issuer's credential registry (`corridor.kyc.v1.Registry`, health, reflection): enrols
    /// and revokes credentials in its database under `--data` and publishes each new root to
    /// the node as a signed KycRootUpdate. Prints `listening ADDR` once bound; stops on SIGINT
    /// or SIGTERM.
    Serve(ServeArgs),
    /// The issuer's back office enrols a customer's credential in its registry (the customer's
    /// `corridor wallet kyc-id` gives the id_commit); prints the leaf and what the customer's
    /// `wallet register` needs.
    Enroll(EnrollArgs),
    /// The issuer's back office revokes the credential at a leaf; prints the new root.
    Revoke(RevokeArgs),
}

/// Where the back office's registry is, and its token.
#[derive(Args)]
pub struct BackOfficeArgs {
    /// The registry (`http://127.0.0.1:50061`).
    #[arg(long)]
    pub registry: String,
    /// A file holding the back office's bearer token (its first line): one of the registry's
    /// `--tokens`.
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

impl BackOfficeArgs {
    async fn connect(&self) -> Result<BackOffice> {
        let token = self.token_file.as_deref().map(read_token).transpose()?;
        Ok(BackOffice::connect(&self.registry, token).await?)
    }
}

/// `kyc revoke`.
#[derive(Args)]
pub struct RevokeArgs {
    /// The registry and the token.
    #[command(flatten)]
    pub back_office: BackOfficeArgs,
    /// The credential's leaf (as `kyc enroll` printed it).
    #[arg(long)]
    pub leaf: u64,
}

fn revoke(args: &RevokeArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let r = runtime.block_on(async {
        anyhow::Ok(args.back_office.connect().await?.revoke(args.leaf).await?)
    })?;
    println!(
        "{}",
        serde_json::json!({"leaf": args.leaf, "seq": r.seq, "root": hex::encode(&r.root)})
    );
    Ok(())
}

/// `kyc enroll`.
#[derive(Args)]
pub struct EnrollArgs {
    /// The registry and the token.
    #[command(flatten)]
    pub back_office: BackOfficeArgs,
    /// The customer's id_commit (64 hex digits).
    #[arg(long)]
    pub id_commit: String,
    /// The jurisdiction code (`HK`).
    #[arg(long)]
    pub jurisdiction: String,
    /// The tier.
    #[arg(long, default_value_t = 1)]
    pub tier: u32,
    /// Days the credential stays valid from today.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
}

fn enroll(args: &EnrollArgs) -> Result<()> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(args.id_commit.trim(), &mut bytes)
        .context("--id-commit: expected 64 hex digits")?;
    let id_commit = fr_from_bytes(&bytes, "id_commit")
        .map_err(|_| anyhow::anyhow!("--id-commit: not a canonical field element"))?;
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let expiry_day = u32::try_from(today)? + args.days;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let r = runtime.block_on(async {
        let office = args.back_office.connect().await?;
        anyhow::Ok(
            office
                .enroll(&id_commit, &args.jurisdiction, args.tier, expiry_day)
                .await?,
        )
    })?;
    println!(
        "{}",
        serde_json::json!({
            "leaf": r.leaf_index, "seq": r.seq, "root": hex::encode(&r.root),
            "jurisdiction": args.jurisdiction, "tier": args.tier, "expiry_day": expiry_day,
        })
    );
    Ok(())
}

/// `kyc serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The network's genesis file (TOML).
    #[arg(long)]
    pub genesis: PathBuf,
    /// The issuer's id in genesis.
    #[arg(long)]
    pub issuer: u32,
    /// The issuer's signing key file (hex, as `node demo-genesis --keys` writes).
    #[arg(long)]
    pub key: PathBuf,
    /// The data folder (the database `registry.redb` lives there).
    #[arg(long)]
    pub data: PathBuf,
    /// The node's gRPC endpoint.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    pub node: String,
    /// Where the registry listens (port 0: any free port, printed).
    #[arg(long, default_value = "127.0.0.1:50061")]
    pub listen: SocketAddr,
    /// A file of the bearer tokens that Enroll and Revoke accept (the issuer's back offices),
    /// one per line. Without it (or the environment variable `CORRIDOR_KYC_TOKENS`, tokens
    /// separated by commas) anyone may enrol, and so the registry refuses to listen anywhere
    /// but on loopback. GetWitness and Root answer anyone.
    #[arg(long)]
    pub tokens: Option<PathBuf>,
}

fn serve(args: &ServeArgs) -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,corridor=info")),
        )
        .init();
    let tokens = read_tokens(args.tokens.as_deref(), "CORRIDOR_KYC_TOKENS")?;
    let genesis = GenesisFile::load(&args.genesis)
        .with_context(|| format!("genesis {}", args.genesis.display()))?;
    let key = read_spend_key(&args.key)?;
    let config = KycConfig {
        tokens,
        ..KycConfig::new(
            genesis,
            args.issuer,
            key,
            args.data.clone(),
            args.node.clone(),
            args.listen,
        )
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async {
        let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        let server = KycServer::bind(config).await?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening {}", server.local_addr())?;
        out.flush()?;
        drop(out);
        server
            .run(async move {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            })
            .await?;
        Ok(())
    })
}

/// Runs a `kyc` subcommand.
pub fn run(command: &KycCommand) -> Result<()> {
    match command {
        KycCommand::Serve(args) => serve(args),
        KycCommand::Enroll(args) => enroll(args),
        KycCommand::Revoke(args) => revoke(args),
    }
}
