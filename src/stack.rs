//! The whole system in one process on loopback, as `corridor demo` runs it: the embedded node
//! on a redb file, a KYC registry per issuer (Hong Kong's and the Philippines'), a prover
//! service per jurisdiction, and the PH operator's payout watcher — each a real gRPC server on
//! `127.0.0.1` with a port the system picks, talking to the others over gRPC as separate
//! processes would. [`Stack::stop`] stops them all.
use crate::client::{
    BackOffice, ClientError, Ledger, Operator, PayoutEvent, ProverEndpoint, Proving,
};
use crate::network::{
    demo_genesis, Institutions, DEV_PARAMS_SEED, KYC_ISSUER_ID, PH_KYC_ISSUER_ID,
};
use crate::services::kyc::{KycConfig, KycServer, KycServiceError};
use corridor_circuits::KycCircuit;
use corridor_core::genesis::Genesis;
use corridor_node::embedded::{Embedded, EmbeddedConfig, EmbeddedError};
use corridor_node::{Node, NodeConfig, NodeError, RedbKv};
use corridor_params::manifest::MANIFEST_FILE;
use corridor_params::{CircuitInfo, ParamsDir, ParamsError, ProvingKey};
use corridor_prover::service::{connect, serve, ProverConfig, ProverService, ServeError};
use corridor_prover::ViewWallet;
use corridor_verifier::groth16::PreparedKey;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

/// The operator whose payout watcher the stack runs.
pub const PAYOUT_OPERATOR: &str = "ph-wallet";

/// Why the stack could not start.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    /// The parameters could not be made, written or loaded.
    #[error("parameters in {dir}: {source}")]
    Params {
        /// The folder.
        dir: PathBuf,
        /// Why.
        #[source]
        source: ParamsError,
    },
    /// The prover could not prepare the proving key.
    #[error("preparing the KYC prover: {0}")]
    Prepare(String),
    /// A file or folder could not be made.
    #[error("{what}: {source}")]
    Io {
        /// What.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The node could not open.
    #[error("node: {0}")]
    Node(#[from] NodeError),
    /// The node's database could not open.
    #[error("node database: {0}")]
    Store(String),
    /// The node's API could not start.
    #[error("node API: {0}")]
    Embedded(#[from] EmbeddedError),
    /// A registry could not start.
    #[error("KYC registry: {0}")]
    Registry(#[from] KycServiceError),
    /// A prover service could not start.
    #[error("prover service: {0}")]
    Prover(#[from] ServeError),
    /// A client could not connect.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// What to start.
#[derive(Clone, Debug)]
pub struct StackConfig {
    /// Seed of the institutions' keys.
    pub seed: u64,
    /// The dev parameters' folder: made (dev seed [`DEV_PARAMS_SEED`]) when it holds none,
    /// loaded otherwise.
    pub params: PathBuf,
    /// Where the node's and the registries' databases go (made if missing).
    pub data: PathBuf,
    /// Node verification threads.
    pub threads: usize,
    /// Requests each prover service proves at once.
    pub max_concurrent: usize,
}

/// The KYC circuit's keys, made or loaded from the parameters folder.
#[derive(Debug)]
pub struct Params {
    /// The proving key (for the life of the process).
    pub proving: &'static ProvingKey,
    /// The prepared verifying key.
    pub verifying: PreparedKey,
    /// Whether they were made now (else loaded from the folder).
    pub made: bool,
}

/// Loads the dev parameters from `dir`, making and writing them first when `dir` has no
/// manifest (the demo's cache).
pub fn dev_params(dir: &Path) -> Result<Params, StackError> {
    let failed = |source| StackError::Params {
        dir: dir.to_path_buf(),
        source,
    };
    let info = CircuitInfo::kyc().map_err(failed)?;
    let made = !dir.join(MANIFEST_FILE).exists();
    let params = ParamsDir::new(dir);
    let proving = if made {
        std::fs::create_dir_all(dir).map_err(|source| StackError::Io {
            what: format!("creating {}", dir.display()),
            source,
        })?;
        let pk = corridor_params::setup::dev_setup(KycCircuit::for_setup(), DEV_PARAMS_SEED)
            .map_err(failed)?;
        params
            .write(&info, &pk, Some(DEV_PARAMS_SEED))
            .map_err(failed)?;
        pk
    } else {
        params.load_proving_key(&info).map_err(failed)?
    };
    let proving: &'static ProvingKey = Box::leak(Box::new(proving));
    // The prover's precomputation (constraint matrices, fixed-base tables), built once here
    // rather than by the first customer's proof.
    corridor_prover::kyc::kyc_prover(proving).map_err(|e| StackError::Prepare(e.to_string()))?;
    let verifying = PreparedKey::from_key(&proving.verifying_key());
    Ok(Params {
        proving,
        verifying,
        made,
    })
}

/// Where each service listens.
#[derive(Clone, Debug)]
pub struct Endpoints {
    /// The node's API.
    pub node: SocketAddr,
    /// Hong Kong's KYC registry (issuer [`KYC_ISSUER_ID`]).
    pub hk_registry: SocketAddr,
    /// The Philippines' KYC registry (issuer [`PH_KYC_ISSUER_ID`]).
    pub ph_registry: SocketAddr,
    /// The HK operator's prover service.
    pub hk_prover: SocketAddr,
    /// The PH operator's prover service.
    pub ph_prover: SocketAddr,
}

/// `http://addr`.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// The running system.
#[derive(Debug)]
pub struct Stack {
    /// The network's genesis.
    pub genesis: Arc<Genesis>,
    /// The institutions' keys.
    pub inst: Institutions,
    /// The parameters.
    pub params: Params,
    /// Where the services listen.
    pub endpoints: Endpoints,
    /// The bearer token of both prover services.
    token: Zeroizing<String>,
    /// The bearer token of both registries' back offices.
    registry_token: Zeroizing<String>,
    /// Each payout the watcher makes (or fails to make).
    pub payouts: mpsc::UnboundedReceiver<PayoutEvent>,
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<Result<(), String>>)>,
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

impl Stack {
    /// Starts every service of `config` on the current (multi-threaded) runtime.
    pub async fn start(config: &StackConfig) -> Result<Stack, StackError> {
        let params = dev_params(&config.params)?;
        let inst = Institutions::new(config.seed);
        let genesis = Arc::new(demo_genesis(&inst, params.proving.verifying_key().sha256()));
        std::fs::create_dir_all(&config.data).map_err(|source| StackError::Io {
            what: format!("creating {}", config.data.display()),
            source,
        })?;
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks: Vec<(&'static str, JoinHandle<Result<(), String>>)> = Vec::new();

        // The node.
        let kv = RedbKv::open(&config.data.join("ledger.redb"))
            .map_err(|e| StackError::Store(e.to_string()))?;
        let node = Arc::new(Node::open(
            (*genesis).clone(),
            Arc::new(kv),
            params.verifying.clone(),
            0,
            NodeConfig {
                threads: config.threads.max(1),
                ..NodeConfig::default()
            },
        )?);
        let embedded = Embedded::bind(node, EmbeddedConfig::new(loopback())).await?;
        let node_addr = embedded.grpc_addr();
        let rx = stop_rx.clone();
        tasks.push((
            "node",
            tokio::spawn(async move { embedded.run(stopped(rx)).await.map_err(|e| e.to_string()) }),
        ));

        // The registries; their back offices' token.
        let registry_token = Zeroizing::new(hex::encode(rand::random::<[u8; 16]>()));
        let mut registries = Vec::new();
        for (issuer, key, dir) in [
            (KYC_ISSUER_ID, &inst.kyc_issuer, "hk-kyc"),
            (PH_KYC_ISSUER_ID, &inst.ph_kyc_issuer, "ph-kyc"),
        ] {
            let server = KycServer::bind(KycConfig {
                tokens: vec![registry_token.clone()],
                ..KycConfig::new(
                    (*genesis).clone(),
                    issuer,
                    key.clone(),
                    config.data.join(dir),
                    url(node_addr),
                    loopback(),
                )
            })
            .await?;
            registries.push(server.local_addr());
            let rx = stop_rx.clone();
            tasks.push((
                "KYC registry",
                tokio::spawn(
                    async move { server.run(stopped(rx)).await.map_err(|e| e.to_string()) },
                ),
            ));
        }

        // The prover services, one per jurisdiction's operator, each with its own token.
        let token = Zeroizing::new(hex::encode(rand::random::<[u8; 16]>()));
        let mut provers = Vec::new();
        for _ in ["hk-wallet", PAYOUT_OPERATOR] {
            let client = connect(&url(node_addr))
                .await
                .map_err(|e| ClientError::Connect {
                    service: "node",
                    endpoint: e.endpoint,
                    source: e.source,
                })?;
            let service = ProverService::new(
                Arc::clone(&genesis),
                params.proving,
                client,
                tokio::runtime::Handle::current(),
                ProverConfig {
                    max_concurrent: config.max_concurrent.max(1),
                    tokens: vec![token.clone()],
                    ..ProverConfig::default()
                },
            );
            let listener = tokio::net::TcpListener::bind(loopback())
                .await
                .map_err(|source| StackError::Io {
                    what: "binding a prover service".into(),
                    source,
                })?;
            provers.push(listener.local_addr().map_err(|source| StackError::Io {
                what: "a prover service's address".into(),
                source,
            })?);
            let rx = stop_rx.clone();
            tasks.push((
                "prover service",
                tokio::spawn(async move {
                    serve(service, listener, None, stopped(rx))
                        .await
                        .map_err(|e| e.to_string())
                }),
            ));
        }
        let endpoints = Endpoints {
            node: node_addr,
            hk_registry: registries[0],
            ph_registry: registries[1],
            hk_prover: provers[0],
            ph_prover: provers[1],
        };

        // The PH operator's payout watcher, proving through the PH prover service.
        let ledger = Ledger::connect(&url(node_addr)).await?;
        let proving = Proving::Service(
            ProverEndpoint::connect(&url(endpoints.ph_prover), Some(token.clone())).await?,
        );
        let mut operator = Operator::new(
            PAYOUT_OPERATOR,
            inst.ph_operator.clone(),
            (
                ViewWallet::of(&inst.ph_settlement),
                ViewWallet::of(&inst.ph_float),
            ),
            Arc::clone(&genesis),
            ledger,
            proving,
        );
        let (events, payouts) = mpsc::unbounded_channel();
        let mut rx = stop_rx.clone();
        tasks.push((
            "payout watcher",
            tokio::spawn(async move {
                tokio::select! {
                    r = operator.watch_payouts(1, events) => r.map_err(|e| e.to_string()),
                    _ = rx.wait_for(|s| *s) => Ok(()),
                }
            }),
        ));
        Ok(Stack {
            genesis,
            inst,
            params,
            endpoints,
            token,
            registry_token,
            payouts,
            stop,
            tasks,
        })
    }

    /// A client of the node.
    pub async fn ledger(&self) -> Result<Ledger, ClientError> {
        Ledger::connect(&url(self.endpoints.node)).await
    }

    /// A client of a prover service (with the stack's token).
    pub async fn prover(&self, addr: SocketAddr) -> Result<Proving, ClientError> {
        Ok(Proving::Service(
            ProverEndpoint::connect(&url(addr), Some(self.token.clone())).await?,
        ))
    }

    /// The back office of the registry at `addr` (with the stack's registry token).
    pub async fn back_office(&self, addr: SocketAddr) -> Result<BackOffice, ClientError> {
        BackOffice::connect(&url(addr), Some(self.registry_token.clone())).await
    }

    /// Stops every service and waits for each; the first failure of any, named.
    pub async fn stop(self) -> Result<(), String> {
        let _ = self.stop.send(true);
        let mut first = Ok(());
        for (name, task) in self.tasks {
            let r = match task.await {
                Ok(r) => r,
                Err(e) => Err(e.to_string()),
            };
            if let (Err(e), Ok(())) = (r, &first) {
                first = Err(format!("{name}: {e}"));
            }
        }
        first
    }
}
