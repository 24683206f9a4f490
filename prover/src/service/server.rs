//! The prover service, `corridor.prover.v1.Prover` (`proto/corridor/prover/v1/prover.proto`):
//! a thin adapter over [`Builder`] that proves a wallet's transaction against its node's
//! committed state ([`RemoteState`]) and returns it unsigned.
//!
//! - Proving runs on tokio's blocking threads, never on the async workers, behind a semaphore
//!   of `max_concurrent` permits: a request that finds none gets RESOURCE_EXHAUSTED at once
//!   (the caller retries or goes to another prover) instead of queueing without bound.
//! - Deadlines: the caller's `grpc-timeout`, capped by the service's own `max_prove_time`;
//!   past it the caller gets DEADLINE_EXCEEDED (the proof in flight finishes and is dropped,
//!   its permit released then).
//! - Bearer tokens ([`super::auth`]), compared in constant time; messages above `max_message_bytes`
//!   are refused by tonic (the server's decoding limit).
//! - Metrics ([`ProverMetrics`]): proofs by kind and outcome, prove seconds, requests in
//!   flight, refusals for lack of a permit; rendered in the Prometheus text format.
use super::convert::{self, FieldError};
use super::prover_api as api;
use super::{NodeClient, RemoteState};
use crate::builder::{Builder, BuiltTransaction, OwnedNote};
use crate::error::{KycProveError, ProveError};
use crate::kyc::KycCredential;
use crate::request::{
    BurnRequest, PayoutRequest, RegistrationRequest, TransferRequest, ViewWallet,
};
use corridor_core::genesis::Genesis;
use corridor_core::state::PublicState;
use corridor_core::statement::StatementError;
use corridor_core::tx::{NoteId, UnsignedTransaction, MAX_INPUTS};
use corridor_params::ProvingKey;
use rand_core::OsRng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::Semaphore;
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};
use zeroize::Zeroizing;

/// How the service runs.
#[derive(Clone)]
pub struct ProverConfig {
    /// Requests proven at once; more get RESOURCE_EXHAUSTED.
    pub max_concurrent: usize,
    /// The longest a proof may take, whatever the caller's deadline.
    pub max_prove_time: Duration,
    /// Accepted bearer tokens; none means no authentication (loopback development only).
    pub tokens: Vec<Zeroizing<String>>,
    /// The largest request accepted, in bytes.
    pub max_message_bytes: usize,
    /// The MSM backend, as GetInfo reports it.
    pub msm_backend: String,
}

impl std::fmt::Debug for ProverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProverConfig")
            .field("max_concurrent", &self.max_concurrent)
            .field("max_prove_time", &self.max_prove_time)
            .field("tokens", &self.tokens.len())
            .field("max_message_bytes", &self.max_message_bytes)
            .field("msm_backend", &self.msm_backend)
            .finish()
    }
}

impl Default for ProverConfig {
    /// Two proofs at once, 60 s each at most, no tokens, 256 KiB requests, the CPU backend.
    fn default() -> Self {
        ProverConfig {
            max_concurrent: 2,
            max_prove_time: Duration::from_secs(60),
            tokens: Vec::new(),
            max_message_bytes: 256 * 1024,
            msm_backend: "cpu".into(),
        }
    }
}

/// Buckets of the prove-seconds histogram.
const PROVE_BUCKETS: [f64; 8] = [0.1, 0.25, 0.5, 0.75, 1.0, 2.0, 5.0, 10.0];
/// The kinds proven, in metric order.
const KINDS: [&str; 4] = ["transfer", "payout", "burn", "registration"];
/// Outcomes counted per kind.
const OUTCOMES: [&str; 3] = ["ok", "refused", "failed"];

/// The service's counters.
#[derive(Debug, Default)]
pub struct ProverMetrics {
    /// `[kind][outcome]`.
    proofs: [[AtomicU64; 3]; 4],
    in_flight: AtomicU64,
    exhausted: AtomicU64,
    seconds: Mutex<Histogram>,
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; PROVE_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl ProverMetrics {
    fn proved(&self, kind: usize, outcome: usize, seconds: Option<f64>) {
        self.proofs[kind][outcome].fetch_add(1, Ordering::Relaxed);
        if let Some(s) = seconds {
            let mut h = self.seconds.lock().unwrap_or_else(PoisonError::into_inner);
            h.count += 1;
            h.sum += s;
            for (b, le) in h.buckets.iter_mut().zip(PROVE_BUCKETS) {
                if s <= le {
                    *b += 1;
                }
            }
        }
    }

    /// Proofs of `kind` (`transfer`, `payout`, `burn`, `registration`) that ended with
    /// `outcome` (`ok`, `refused`, `failed`).
    pub fn proofs(&self, kind: &str, outcome: &str) -> u64 {
        match (
            KINDS.iter().position(|k| *k == kind),
            OUTCOMES.iter().position(|o| *o == outcome),
        ) {
            (Some(k), Some(o)) => self.proofs[k][o].load(Ordering::Relaxed),
            _ => 0,
        }
    }

    /// Requests refused for lack of a permit.
    pub fn exhausted(&self) -> u64 {
        self.exhausted.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP corridor_prover_proofs_total Requests proven, by kind and outcome.\n");
        out.push_str("# TYPE corridor_prover_proofs_total counter\n");
        for (k, kind) in KINDS.iter().enumerate() {
            for (o, outcome) in OUTCOMES.iter().enumerate() {
                out.push_str(&format!(
                    "corridor_prover_proofs_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {}\n",
                    self.proofs[k][o].load(Ordering::Relaxed)
                ));
            }
        }
        out.push_str("# HELP corridor_prover_in_flight Requests being proven now (the queue).\n");
        out.push_str("# TYPE corridor_prover_in_flight gauge\n");
        out.push_str(&format!(
            "corridor_prover_in_flight {}\n",
            self.in_flight.load(Ordering::Relaxed)
        ));
        out.push_str(
            "# HELP corridor_prover_exhausted_total Requests refused: every permit was taken.\n",
        );
        out.push_str("# TYPE corridor_prover_exhausted_total counter\n");
        out.push_str(&format!(
            "corridor_prover_exhausted_total {}\n",
            self.exhausted()
        ));
        let h = self.seconds.lock().unwrap_or_else(PoisonError::into_inner);
        out.push_str(
            "# HELP corridor_prover_prove_seconds Seconds to build and prove a request.\n",
        );
        out.push_str("# TYPE corridor_prover_prove_seconds histogram\n");
        for (b, le) in h.buckets.iter().zip(PROVE_BUCKETS) {
            out.push_str(&format!(
                "corridor_prover_prove_seconds_bucket{{le=\"{le}\"}} {b}\n"
            ));
        }
        out.push_str(&format!(
            "corridor_prover_prove_seconds_bucket{{le=\"+Inf\"}} {}\n",
            h.count
        ));
        out.push_str(&format!("corridor_prover_prove_seconds_sum {}\n", h.sum));
        out.push_str(&format!(
            "corridor_prover_prove_seconds_count {}\n",
            h.count
        ));
        out
    }
}

/// Why a request was not proven, before it becomes a status.
#[derive(Debug)]
enum Refusal {
    /// A malformed field.
    Field(FieldError),
    /// A field the ledger's state refuses (unknown note, another wallet's note).
    State(FieldError),
    /// The builder refused or failed.
    Prove(ProveError),
    /// The node could not be read.
    Node(String),
    /// A blocking task failed.
    Internal(String),
}

impl Refusal {
    /// Whether it counts as `refused` (the request's fault) rather than `failed`.
    fn is_callers(&self) -> bool {
        match self {
            Refusal::Field(_) | Refusal::State(_) => true,
            Refusal::Prove(e) => prove_code(e) != tonic::Code::Internal,
            Refusal::Node(_) | Refusal::Internal(_) => false,
        }
    }
}

/// The status code of a builder error.
fn prove_code(e: &ProveError) -> tonic::Code {
    use tonic::Code;
    match e {
        ProveError::UnknownAsset { .. }
        | ProveError::UnknownOperator { .. }
        | ProveError::InputCount { .. }
        | ProveError::OutputCount { .. }
        | ProveError::ViewKeyMismatch
        | ProveError::Overflow(_) => Code::InvalidArgument,
        ProveError::InsufficientFunds { .. }
        | ProveError::OverLimit { .. }
        | ProveError::UnknownQuote { .. }
        | ProveError::InputAsset { .. }
        | ProveError::NotOwner { .. }
        | ProveError::NotRemittance { .. }
        | ProveError::Core(_)
        | ProveError::Decode(_) => Code::FailedPrecondition,
        ProveError::Statement(StatementError::Store(_)) => Code::Unavailable,
        ProveError::Statement(_) => Code::FailedPrecondition,
        ProveError::Kyc(
            KycProveError::CredentialRequired
            | KycProveError::InstitutionalSigner
            | KycProveError::Credential(_)
            | KycProveError::LinkMismatch,
        ) => Code::FailedPrecondition,
        ProveError::Kyc(_)
        | ProveError::WitnessCount { .. }
        | ProveError::WitnessSize { .. }
        | ProveError::Groth16(_)
        | ProveError::Range(_) => Code::Internal,
    }
}

impl From<Refusal> for Status {
    fn from(r: Refusal) -> Status {
        match r {
            Refusal::Field(e) => Status::invalid_argument(e.to_string()),
            Refusal::State(e) => Status::failed_precondition(e.to_string()),
            Refusal::Prove(e) => Status::new(prove_code(&e), e.to_string()),
            Refusal::Node(m) => Status::unavailable(m),
            Refusal::Internal(m) => Status::internal(m),
        }
    }
}

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Self {
        Refusal::Field(e)
    }
}

impl From<ProveError> for Refusal {
    fn from(e: ProveError) -> Self {
        Refusal::Prove(e)
    }
}

/// The prover service.
pub struct ProverService {
    genesis: Arc<Genesis>,
    proving_key: &'static ProvingKey,
    node: NodeClient,
    handle: Handle,
    config: ProverConfig,
    permits: Arc<Semaphore>,
    metrics: Arc<ProverMetrics>,
    info: api::GetInfoResponse,
}

impl std::fmt::Debug for ProverService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ProverService({}, {:?})",
            self.genesis.network, self.config
        )
    }
}

/// A built transaction and the block it was proven for.
struct Proven {
    built: BuiltTransaction,
    height: u64,
    seconds: f64,
}

impl ProverService {
    /// A service proving for `genesis`'s network with `proving_key` against the node behind
    /// `node`; its blocking reads run on `handle`'s runtime (multi-threaded). The key lives as
    /// long as the process (a service loads one and keeps it: `Box::leak` it at start-up).
    pub fn new(
        genesis: Arc<Genesis>,
        proving_key: &'static ProvingKey,
        node: NodeClient,
        handle: Handle,
        config: ProverConfig,
    ) -> Self {
        let info = api::GetInfoResponse {
            network: genesis.network.clone(),
            proving_key_sha256: sha256(&proving_key.to_bytes()).to_vec(),
            verifying_key_sha256: proving_key.verifying_key().sha256().to_vec(),
            msm_backend: config.msm_backend.clone(),
            max_concurrent: u32::try_from(config.max_concurrent).unwrap_or(u32::MAX),
            version: env!("CARGO_PKG_VERSION").into(),
        };
        ProverService {
            genesis,
            proving_key,
            node,
            handle,
            permits: Arc::new(Semaphore::new(config.max_concurrent)),
            metrics: Arc::new(ProverMetrics::default()),
            config,
            info,
        }
    }

    /// Its counters (shared with whoever renders them).
    pub fn metrics(&self) -> Arc<ProverMetrics> {
        Arc::clone(&self.metrics)
    }

    /// Checks the bearer token, if the service has tokens ([`super::auth::authorize`]).
    fn authorize(&self, metadata: &MetadataMap) -> Result<(), Status> {
        super::auth::authorize(&self.config.tokens, metadata)
    }

    /// Proves `job` on a blocking thread behind a permit, within the deadline; counts it. The
    /// handler has authorized the request (before parsing it: no field errors for strangers).
    async fn prove<F>(&self, kind: usize, metadata: &MetadataMap, job: F) -> Result<Proven, Status>
    where
        F: FnOnce(&Builder<'_>, &RemoteState) -> Result<BuiltTransaction, Refusal> + Send + 'static,
    {
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            self.metrics.exhausted.fetch_add(1, Ordering::Relaxed);
            return Err(Status::resource_exhausted(format!(
                "the prover is proving its maximum of {} requests; retry later",
                self.config.max_concurrent
            )));
        };
        let deadline = grpc_timeout(metadata).map_or(self.config.max_prove_time, |t| {
            t.min(self.config.max_prove_time)
        });
        let metrics = Arc::clone(&self.metrics);
        metrics.in_flight.fetch_add(1, Ordering::Relaxed);
        let genesis = Arc::clone(&self.genesis);
        let remote = RemoteState::new(self.node.clone(), self.handle.clone());
        let task = tokio::task::spawn_blocking(move || {
            let start = Instant::now();
            let result = remote
                .block_context()
                .map_err(|e| Refusal::Node(e.to_string()))
                .and_then(|block| {
                    let builder = Builder::new(&genesis, &remote, block);
                    job(&builder, &remote).map(|built| (built, block.height))
                });
            let seconds = start.elapsed().as_secs_f64();
            drop(permit);
            (result, seconds)
        });
        let outcome = tokio::time::timeout(deadline, task).await;
        metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
        let (result, seconds) = match outcome {
            Err(_) => {
                metrics.proved(kind, 2, None);
                return Err(Status::deadline_exceeded(format!(
                    "not proven within {:.1} s",
                    deadline.as_secs_f64()
                )));
            }
            Ok(Err(join)) => (Err(Refusal::Internal(format!("proving task: {join}"))), 0.0),
            Ok(Ok(r)) => r,
        };
        match result {
            Ok((built, height)) => {
                metrics.proved(kind, 0, Some(seconds));
                Ok(Proven {
                    built,
                    height,
                    seconds,
                })
            }
            Err(refusal) => {
                metrics.proved(kind, if refusal.is_callers() { 1 } else { 2 }, None);
                Err(refusal.into())
            }
        }
    }

    /// The KYC credential of a request, with the service's proving key.
    fn kyc(
        &self,
        m: &Option<api::KycCredential>,
        field: &str,
    ) -> Result<Option<KycCredential<'static>>, Status> {
        m.as_ref()
            .map(|c| {
                let (credential, membership) =
                    convert::credential(c, field).map_err(Refusal::Field)?;
                Ok(KycCredential {
                    proving_key: self.proving_key,
                    credential,
                    membership,
                })
            })
            .transpose()
            .map_err(|r: Refusal| Status::from(r))
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).into()
}

/// The caller's `grpc-timeout` (`<digits><unit>`, unit one of H M S m u n).
fn grpc_timeout(metadata: &MetadataMap) -> Option<Duration> {
    let v = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// Reads the notes `ids` from the node and decrypts them as `wallet`'s.
fn owned_notes(
    remote: &RemoteState,
    wallet: &ViewWallet,
    ids: &[NoteId],
    field: &str,
) -> Result<Vec<OwnedNote>, Refusal> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let f = format!("{field}[{i}]");
            let note = remote
                .note(id)
                .map_err(|e| Refusal::Node(format!("{f}: {e}")))?
                .ok_or_else(|| {
                    Refusal::State(FieldError {
                        field: f.clone(),
                        reason: format!("no note {} on the ledger", id.short()),
                    })
                })?;
            convert::owned_note(wallet, note, &f).map_err(Refusal::State)
        })
        .collect()
}

fn response(p: Proven) -> Response<api::ProveResponse> {
    let tx: &UnsignedTransaction = &p.built.tx;
    Response::new(api::ProveResponse {
        unsigned_tx: tx.signing_bytes(),
        tx_id: tx.id().0.to_vec(),
        openings: p
            .built
            .openings
            .iter()
            .map(convert::opening_message)
            .collect(),
        height: p.height,
        prove_seconds: p.seconds,
    })
}

/// The view-only wallet in field `name`.
fn wallet(m: &Option<api::ViewWallet>, name: &str) -> Result<ViewWallet, Status> {
    field(convert::required(m, name).and_then(|w| convert::view_wallet(w, name)))
}

fn field<T>(r: Result<T, FieldError>) -> Result<T, Status> {
    r.map_err(|e| Status::from(Refusal::Field(e)))
}

#[tonic::async_trait]
impl api::prover_server::Prover for ProverService {
    async fn prove_transfer(
        &self,
        request: Request<api::ProveTransferRequest>,
    ) -> Result<Response<api::ProveResponse>, Status> {
        let (metadata, _, m) = request.into_parts();
        self.authorize(&metadata)?;
        let wallet = wallet(&m.wallet, "wallet")?;
        let ids = field(convert::note_ids(
            &m.input_note_ids,
            "input_note_ids",
            MAX_INPUTS,
        ))?;
        let payments = field(convert::payments(&m.payments))?;
        let remittance = field(m.remittance.as_ref().map(convert::remittance).transpose())?;
        let kyc = self.kyc(&m.kyc, "kyc")?;
        let asset = m.asset.clone();
        let fee = m.fee;
        let proven = self
            .prove(0, &metadata, move |builder, remote| {
                let inputs = owned_notes(remote, &wallet, &ids, "input_note_ids")?;
                let request = TransferRequest {
                    asset,
                    inputs,
                    payments,
                    fee,
                    remittance,
                    kyc,
                };
                Ok(builder.transfer(&wallet, &request, &mut OsRng)?)
            })
            .await?;
        Ok(response(proven))
    }

    async fn prove_payout(
        &self,
        request: Request<api::ProvePayoutRequest>,
    ) -> Result<Response<api::ProveResponse>, Status> {
        let (metadata, _, m) = request.into_parts();
        self.authorize(&metadata)?;
        let settlement = wallet(&m.settlement, "settlement")?;
        let float = wallet(&m.float, "float")?;
        let remittance_id = field(convert::note_id(
            &m.remittance_note_id,
            "remittance_note_id",
        ))?;
        let float_ids = field(convert::note_ids(
            &m.float_note_ids,
            "float_note_ids",
            MAX_INPUTS,
        ))?;
        let beneficiary = field(convert::address(
            &m.beneficiary_address,
            "beneficiary_address",
        ))?;
        let salt = field(convert::salt(&m.salt, "salt"))?;
        let operator = m.operator.clone();
        let proven = self
            .prove(1, &metadata, move |builder, remote| {
                let remittance = owned_notes(
                    remote,
                    &settlement,
                    std::slice::from_ref(&remittance_id),
                    "remittance_note_id",
                )?
                .into_iter()
                .next()
                .ok_or_else(|| Refusal::Internal("no remittance note read".into()))?;
                let floats = owned_notes(remote, &float, &float_ids, "float_note_ids")?;
                let request = PayoutRequest {
                    operator,
                    remittance,
                    floats,
                    beneficiary,
                    salt,
                };
                Ok(builder.payout(&settlement, &float, &request, &mut OsRng)?)
            })
            .await?;
        Ok(response(proven))
    }

    async fn prove_burn(
        &self,
        request: Request<api::ProveBurnRequest>,
    ) -> Result<Response<api::ProveResponse>, Status> {
        let (metadata, _, m) = request.into_parts();
        self.authorize(&metadata)?;
        let wallet = wallet(&m.wallet, "wallet")?;
        let ids = field(convert::note_ids(
            &m.input_note_ids,
            "input_note_ids",
            MAX_INPUTS,
        ))?;
        let kyc = self.kyc(&m.kyc, "kyc")?;
        let (asset, burn_amount, fee) = (m.asset.clone(), m.burn_amount, m.fee);
        let proven = self
            .prove(2, &metadata, move |builder, remote| {
                let inputs = owned_notes(remote, &wallet, &ids, "input_note_ids")?;
                let request = BurnRequest {
                    asset,
                    inputs,
                    burn_amount,
                    fee,
                    kyc,
                };
                Ok(builder.burn(&wallet, &request, &mut OsRng)?)
            })
            .await?;
        Ok(response(proven))
    }

    async fn prove_registration(
        &self,
        request: Request<api::ProveRegistrationRequest>,
    ) -> Result<Response<api::ProveResponse>, Status> {
        let (metadata, _, m) = request.into_parts();
        self.authorize(&metadata)?;
        let wallet = wallet(&m.wallet, "wallet")?;
        let kyc = self
            .kyc(&m.kyc, "kyc")?
            .ok_or_else(|| Status::invalid_argument("kyc: missing"))?;
        let proven = self
            .prove(3, &metadata, move |builder, _| {
                let tx =
                    builder.register_address(&wallet, &RegistrationRequest { kyc }, &mut OsRng)?;
                Ok(BuiltTransaction {
                    tx,
                    openings: Vec::new(),
                })
            })
            .await?;
        Ok(response(proven))
    }

    async fn get_info(
        &self,
        request: Request<api::GetInfoRequest>,
    ) -> Result<Response<api::GetInfoResponse>, Status> {
        self.authorize(request.metadata())?;
        Ok(Response::new(self.info.clone()))
    }
}

/// Why the service could not be served.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reflection could not be built from the descriptor sets.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The transport failed (TLS configuration, accept).
    #[error("transport: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// The service has no tokens and the listener is not on loopback.
    #[error(transparent)]
    Unguarded(#[from] super::auth::Unguarded),
    /// The listener's address could not be read.
    #[error("the listener's address: {0}")]
    Listener(std::io::Error),
}

/// TLS of the service: its certificate chain and private key, PEM.
#[derive(Clone)]
pub struct TlsFiles {
    /// The certificate chain, PEM.
    pub cert_pem: Vec<u8>,
    /// The private key, PEM (zeroised when dropped).
    pub key_pem: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for TlsFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TlsFiles({} bytes of certificates)", self.cert_pem.len())
    }
}

/// Serves `service` beside health and reflection on `listener` (TLS if given, rustls) until
/// `shutdown` resolves.
///
/// # Errors
/// [`ServeError`] if reflection or TLS cannot be set up, or the transport fails;
/// [`ServeError::Unguarded`] if the service has no tokens and `listener` is not on loopback.
pub async fn serve(
    service: ProverService,
    listener: tokio::net::TcpListener,
    tls: Option<TlsFiles>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    type Server = api::prover_server::ProverServer<ProverService>;
    let addr = listener.local_addr().map_err(ServeError::Listener)?;
    super::auth::require_tokens_beyond_loopback(addr, &service.config.tokens)?;
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter.set_serving::<Server>().await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(super::PROVER_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;
    let limit = service.config.max_message_bytes;
    let mut builder = tonic::transport::Server::builder();
    if let Some(t) = tls {
        let identity = tonic::transport::Identity::from_pem(&t.cert_pem, &*t.key_pem);
        builder =
            builder.tls_config(tonic::transport::ServerTlsConfig::new().identity(identity))?;
    }
    builder
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(
            Server::new(service)
                .max_decoding_message_size(limit)
                .max_encoding_message_size(4 * 1024 * 1024),
        )
        .serve_with_incoming_shutdown(
            tokio_stream::StreamExt::map(
                tokio_stream::wrappers::TcpListenerStream::new(listener),
                |conn| {
                    // Small gRPC frames: without TCP_NODELAY each answer can wait ~40 ms on Nagle.
                    if let Ok(c) = &conn {
                        let _ = c.set_nodelay(true);
                    }
                    conn
                },
            ),
            shutdown,
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_in_every_unit_and_garbage_is_none() {
        let mut m = MetadataMap::new();
        for (v, d) in [
            ("2S", Duration::from_secs(2)),
            ("150m", Duration::from_millis(150)),
            ("1H", Duration::from_secs(3600)),
            ("3M", Duration::from_secs(180)),
            ("7u", Duration::from_micros(7)),
            ("9n", Duration::from_nanos(9)),
        ] {
            m.insert("grpc-timeout", v.parse().unwrap());
            assert_eq!(grpc_timeout(&m), Some(d), "{v}");
        }
        for v in ["", "S", "12", "1x", "-1S"] {
            m.insert("grpc-timeout", v.parse().unwrap());
            assert_eq!(grpc_timeout(&m), None, "{v:?}");
        }
    }

    #[test]
    fn metrics_count_by_kind_and_outcome_and_render_a_histogram() {
        let m = ProverMetrics::default();
        m.proved(0, 0, Some(0.6));
        m.proved(0, 1, None);
        m.proved(3, 2, None);
        assert_eq!(m.proofs("transfer", "ok"), 1);
        assert_eq!(m.proofs("transfer", "refused"), 1);
        assert_eq!(m.proofs("registration", "failed"), 1);
        assert_eq!(m.proofs("payout", "ok"), 0);
        let text = m.render();
        assert!(text.contains("corridor_prover_proofs_total{kind=\"transfer\",outcome=\"ok\"} 1"));
        assert!(text.contains("corridor_prover_prove_seconds_bucket{le=\"0.5\"} 0"));
        assert!(text.contains("corridor_prover_prove_seconds_bucket{le=\"0.75\"} 1"));
        assert!(text.contains("corridor_prover_prove_seconds_count 1"));
    }
}
