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
    }
}
