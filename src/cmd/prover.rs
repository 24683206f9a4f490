//! `corridor prover serve`: the prover service (`corridor.prover.v1.Prover`) of an operator.
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use corridor::keyfile::read_tokens;
use corridor_core::genesis::Genesis;
use corridor_node::embedded::serve_metrics_with;
use corridor_node::GenesisFile;
use corridor_params::{CircuitInfo, ParamsDir, ProvingKey};
use corridor_prover::service::auth::require_tokens_beyond_loopback;
use corridor_prover::service::{connect, serve, ProverConfig, ProverService, TlsFiles};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use zeroize::Zeroizing;

/// The prover's commands.
#[derive(Subcommand)]
pub enum ProverCommand {
    /// Serves `corridor.prover.v1.Prover` (with health and reflection) for the network of
    /// `--genesis`, proving against the node at `--node`. Prints `listening ADDR` (and
    /// `metrics http://ADDR/metrics`) once bound; stops on SIGINT or SIGTERM.
    Serve(ServeArgs),
}

/// `prover serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The network's genesis (TOML).
    #[arg(long)]
    pub genesis: PathBuf,
    /// The parameter folder holding the KYC proving key (its verifying key must be the one
    /// genesis pins).
    #[arg(long)]
    pub params: PathBuf,
    /// The node's API, e.g. `http://127.0.0.1:50051`.
    #[arg(long)]
    pub node: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:50061")]
    pub listen: SocketAddr,
    /// Where to serve Prometheus metrics (`GET /metrics`); none if absent.
    #[arg(long)]
    pub metrics: Option<SocketAddr>,
    /// Requests proven at once; more get RESOURCE_EXHAUSTED.
    #[arg(long, default_value_t = ProverConfig::default().max_concurrent)]
    pub max_concurrent: usize,
    /// The longest one proof may take, in seconds.
    #[arg(long, default_value_t = 60)]
    pub max_prove_seconds: u64,
    /// A file of accepted bearer tokens, one per line. Without it (or the environment
    /// variable `CORRIDOR_PROVER_TOKENS`, tokens separated by commas) the service accepts any
    /// caller, and so refuses to listen anywhere but on loopback.
    #[arg(long)]
    pub tokens: Option<PathBuf>,
    /// TLS certificate chain (PEM); with `--tls-key`.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM); with `--tls-cert`.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
}

/// Runs a prover command.
pub fn run(command: &ProverCommand) -> Result<()> {
    match command {
        ProverCommand::Serve(args) => serve_blocking(args),
    }
}

/// The KYC proving key of `dir`, checked against genesis's verifying-key pin.
pub fn load_proving_key(dir: &Path, genesis: &Genesis) -> Result<ProvingKey> {
    let pk = ParamsDir::new(dir)
        .load_proving_key(&CircuitInfo::kyc()?)
        .with_context(|| format!("the proving key of {}", dir.display()))?;
    if pk.verifying_key().sha256() != genesis.vk_hash {
        bail!(
            "the proving key of {} is not for this network: its verifying key's hash {} is not \
             the one genesis pins, {}",
            dir.display(),
            pk.verifying_key().hash_hex(),
            hex::encode(genesis.vk_hash)
        );
    }
    Ok(pk)
}

fn serve_blocking(args: &ServeArgs) -> Result<()> {
    // Before anything slow: a service open to anyone serves loopback only.
    let tokens = read_tokens(args.tokens.as_deref(), "CORRIDOR_PROVER_TOKENS")?;
    require_tokens_beyond_loopback(args.listen, &tokens)?;
    let genesis: Genesis = GenesisFile::load(&args.genesis)
        .with_context(|| format!("genesis {}", args.genesis.display()))?;
    let proving_key: &'static ProvingKey =
        Box::leak(Box::new(load_proving_key(&args.params, &genesis)?));
    // Its precomputation, built before serving rather than by the first request.
    corridor_prover::kyc::kyc_prover(proving_key).context("preparing the KYC prover")?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert_pem: std::fs::read(cert).with_context(|| format!("reading {}", cert.display()))?,
            key_pem: Zeroizing::new(
                std::fs::read(key).with_context(|| format!("reading {}", key.display()))?,
            ),
        }),
        _ => None,
    };
    let config = ProverConfig {
        max_concurrent: args.max_concurrent.max(1),
        max_prove_time: Duration::from_secs(args.max_prove_seconds.max(1)),
        tokens,
        ..ProverConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let node = connect(&args.node).await?;
        let service = ProverService::new(
            Arc::new(genesis),
            proving_key,
            node,
            tokio::runtime::Handle::current(),
            config,
        );
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening {}", listener.local_addr()?)?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let metrics = match args.metrics {
            Some(addr) => {
                let l = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding {addr}"))?;
                writeln!(out, "metrics http://{}/metrics", l.local_addr()?)?;
                let m = service.metrics();
                let mut stop = stop_rx.clone();
                Some(tokio::spawn(serve_metrics_with(
                    l,
                    Arc::new(move || m.render()),
                    async move {
                        let _ = stop.wait_for(|s| *s).await;
                    },
                )))
            }
            None => None,
        };
        out.flush()?;
        drop(out);
        let mut term = signal(SignalKind::terminate())?;
        let shutdown = async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            let _ = stop_tx.send(true);
        };
        serve(service, listener, tls, shutdown).await?;
        if let Some(m) = metrics {
            let _ = m.await;
        }
        Ok(())
    })
}
