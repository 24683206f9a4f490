//! `corridor kyc`: a KYC issuer's services.
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use corridor::keyfile::read_spend_key;
use corridor::services::kyc::{KycConfig, KycServer};
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
}

/// `kyc enroll`.
#[derive(Args)]
pub struct EnrollArgs {
    /// The registry (`http://127.0.0.1:50061`).
    #[arg(long)]
    pub registry: String,
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
    use corridor::services::proto::kyc::{registry_client::RegistryClient, EnrollRequest};
    let id_commit = hex::decode(args.id_commit.trim()).context("--id-commit: not hex")?;
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let expiry_day = u32::try_from(today)? + args.days;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let r = runtime.block_on(async {
        let mut client = RegistryClient::connect(args.registry.clone())
            .await
            .with_context(|| format!("connecting to {}", args.registry))?;
        let r = client
            .enroll(EnrollRequest {
                id_commit,
                jurisdiction: args.jurisdiction.clone(),
                tier: args.tier,
                expiry_day,
            })
            .await
            .map_err(|s| anyhow::anyhow!("Enroll: {:?}: {}", s.code(), s.message()))?;
        anyhow::Ok(r.into_inner())
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
    let genesis = GenesisFile::load(&args.genesis)
        .with_context(|| format!("genesis {}", args.genesis.display()))?;
    let key = read_spend_key(&args.key)?;
    let config = KycConfig::new(
        genesis,
        args.issuer,
        key,
        args.data.clone(),
        args.node.clone(),
        args.listen,
    );
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
    }
}
