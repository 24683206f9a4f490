//! `corridor.kyc.v1.Registry` (`proto/corridor/kyc/v1/registry.proto`): one KYC issuer's
//! credential registry as a gRPC service, a thin adapter over [`KycRegistry`] (the tree),
//! [`RegistryStore`] (its redb file) and the node's API (where roots are published).
//!
//! Every change (Enroll, Revoke) is written to the database in one write transaction, applied
//! to the tree, then published: the issuer's signed KycRootUpdate of the new root, with
//! `seq` = the node's current seq + 1 and `previous_root` = the node's current root
//! (GetKycRoots; NOT_FOUND there means the issuer's first root), goes to the node's SubmitTx.
//! The call answers once the node admitted it; a refusal or an unreachable node leaves the
//! change in place (FAILED_PRECONDITION / UNAVAILABLE) and the next change, GetWitness, Root or
//! a restart publishes the latest root. An update the node admitted but has not committed yet
//! is waited for (up to [`KycConfig::commit_wait`]) before the next one is built on it.
//!
//! Enroll and Revoke are the issuer's back office's: with tokens configured
//! ([`KycConfig::tokens`]) they need one (`authorization: Bearer TOKEN`, compared in constant
//! time) and a caller without gets UNAUTHENTICATED before its request is read; without tokens
//! the service listens on loopback only ([`KycServer::bind`] refuses anything else). GetWitness
//! and Root answer anyone: the root is on the ledger and a path holds only other leaves
//! (hashes of hiding commitments), and a customer's wallet needs its witness to prove.
//!
//! One lock serialises the changes and their publication, so that updates go out in order;
//! a slow node slows every call down to [`KycConfig::node_timeout`].
use super::kyc_store::{Published, RegistryStore, RegistryStoreError, StoredCredential};
use super::proto;
use super::proto::kyc::registry_server::{Registry, RegistryServer};
use super::proto::kyc::{
    EnrollRequest, EnrollResponse, GetWitnessRequest, GetWitnessResponse, RevokeRequest,
    RevokeResponse, RootRequest, RootResponse,
};
use ark_bn254::Fr;
use ark_ff::Zero;
use corridor_circuits::{
    fr_from_bytes, fr_to_bytes, CredentialAttributes, KycRegistry, MerkleTree,
};
use corridor_core::address::Address;
use corridor_core::genesis::Genesis;
use corridor_core::group::Point;
use corridor_core::keys::SpendKey;
use corridor_core::note::Note;
use corridor_core::state::{
    next_root_update, BlockContext, PublicState, RootHead, RootStanding, StoreError,
};
use corridor_core::tx::{FieldBytes, NoteId, PublishQuote};
use corridor_node::api::proto::node_client::NodeClient;
use corridor_node::api::proto::{GetKycRootsRequest, SubmitTxRequest};
use corridor_node::api::unix_now;
use corridor_prover::service::auth::{authorize, require_tokens_beyond_loopback, Unguarded};
use corridor_prover::{Builder, ProveError};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Response, Status};
use zeroize::Zeroizing;

/// The database file in the data folder.
pub const DATABASE_FILE: &str = "registry.redb";

/// Metadata key of a failed Enroll's status: the leaf the credential was enrolled at.
pub const LEAF_INDEX_METADATA: &str = "corridor-leaf-index";

/// What a registry service needs.
pub struct KycConfig {
    /// The network's genesis (the issuer's key and jurisdictions, the network id).
    pub genesis: Genesis,
    /// The issuer this service runs for.
    pub issuer: u32,
    /// The issuer's signing key (its public key must be the issuer's in genesis).
    pub key: SpendKey,
    /// The data folder (the database [`DATABASE_FILE`] lives there).
    pub data: PathBuf,
    /// The node's gRPC endpoint (`http://127.0.0.1:50051`).
    pub node: String,
    /// Where the service listens (port 0: any free port, see [`KycServer::local_addr`]).
    pub listen: SocketAddr,
    /// Longest wait for one call to the node.
    pub node_timeout: Duration,
    /// Longest wait for the previous update to commit before the next is built.
    pub commit_wait: Duration,
    /// Bearer tokens that Enroll and Revoke accept; none: anyone on loopback (the service
    /// then refuses to listen anywhere else).
    pub tokens: Vec<Zeroizing<String>>,
}

impl fmt::Debug for KycConfig {
    // The key and the tokens are secrets: neither is printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KycConfig")
            .field("issuer", &self.issuer)
            .field("data", &self.data)
            .field("node", &self.node)
            .field("listen", &self.listen)
            .field("node_timeout", &self.node_timeout)
            .field("commit_wait", &self.commit_wait)
            .field("tokens", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl KycConfig {
    /// A configuration with the default timeouts (10 s per node call, 10 s for a commit) and
    /// no tokens (loopback only; set [`KycConfig::tokens`] to serve beyond it).
    pub fn new(
        genesis: Genesis,
        issuer: u32,
        key: SpendKey,
        data: PathBuf,
        node: String,
        listen: SocketAddr,
    ) -> Self {
        KycConfig {
            genesis,
            issuer,
            key,
            data,
            node,
            listen,
            node_timeout: Duration::from_secs(10),
            commit_wait: Duration::from_secs(10),
            tokens: Vec::new(),
        }
    }
}

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum KycServiceError {
    /// The issuer is not in genesis.
    #[error("issuer {0} is not in genesis")]
    UnknownIssuer(u32),
    /// The key is not the issuer's.
    #[error(
        "the key is not issuer {issuer}'s: genesis has {}, the key gives {}",
        hex::encode(.expected), hex::encode(.got)
    )]
    WrongKey {
        /// The issuer.
        issuer: u32,
        /// Its public key in genesis.
        expected: [u8; 32],
        /// The public key of the key given.
        got: [u8; 32],
    },
    /// The data folder could not be created.
    #[error("creating {path}: {source}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The database refused.
    #[error(transparent)]
    Store(#[from] RegistryStoreError),
    /// The node's endpoint is not a valid URI.
    #[error("node endpoint {url}: {source}")]
    Endpoint {
        /// The endpoint given.
        url: String,
        /// Why it is invalid.
        source: tonic::transport::Error,
    },
    /// No tokens, and an address that is not loopback.
    #[error(transparent)]
    Unguarded(#[from] Unguarded),
    /// The listener could not bind.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reflection could not be built.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The gRPC server failed.
    #[error("grpc server: {0}")]
    Serve(#[from] tonic::transport::Error),
}

/// Why a root could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The node could not be reached or did not answer in time.
    #[error("node unreachable: {}", .0.message())]
    Unreachable(Status),
    /// The node refused the update (its message says why).
    #[error("the node refused root update seq {seq}: {}", .status.message())]
    Refused {
        /// The update's seq.
        seq: u64,
        /// The node's status.
        status: Status,
    },
    /// The node's GetKycRoots answer is malformed.
    #[error("the node's GetKycRoots answer: root is not 32 bytes")]
    MalformedHead,
    /// The update could not be built (the issuer's genesis entry refused it).
    #[error("building the root update: {0}")]
    Build(#[from] ProveError),
    /// The database failed recording the publication.
    #[error(transparent)]
    Store(#[from] RegistryStoreError),
}

impl PublishError {
    /// The status a caller gets.
    pub fn code(&self) -> Code {
        match self {
            PublishError::Unreachable(_) => Code::Unavailable,
            PublishError::Refused { .. } | PublishError::MalformedHead => Code::FailedPrecondition,
            PublishError::Build(_) | PublishError::Store(_) => Code::Internal,
        }
    }
}

fn internal(e: impl fmt::Display) -> Status {
    Status::internal(e.to_string())
}

/// The node's state as far as a root update needs it: the issuer's head, nothing else (the
/// builder checks the update's seq and previous root against it).
struct NodeView {
    issuer: u32,
    head: Option<RootHead>,
}

impl PublicState for NodeView {
    fn note(&self, _: &NoteId) -> Result<Option<Note>, StoreError> {
        Ok(None)
    }
    fn is_registered(&self, _: &Address) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn quote(&self, _: &str, _: u64) -> Result<Option<PublishQuote>, StoreError> {
        Ok(None)
    }
    fn spend_key_registered(&self, _: &Point) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn registration_link(&self, _: &Point) -> Result<Option<FieldBytes>, StoreError> {
        Ok(None)
    }
    fn registration_nullifier_used(&self, _: &FieldBytes) -> Result<bool, StoreError> {
        Ok(false)
    }
    fn kyc_root(&self, _: u32, _: &FieldBytes) -> Result<Option<RootStanding>, StoreError> {
        Ok(None)
    }
    fn kyc_root_head(&self, issuer: u32) -> Result<Option<RootHead>, StoreError> {
        Ok(self.head.filter(|_| issuer == self.issuer))
    }
}

/// The registry and its database, behind the service's lock.
struct State {
    store: RegistryStore,
    registry: KycRegistry,
    credentials: Vec<StoredCredential>,
    /// Live leaves (their bytes) → index: an identical live credential is not enrolled twice.
    live: HashMap<[u8; 32], u64>,
    published: Option<Published>,
}

impl State {
    /// Whether the node admitted an update carrying the current root (an empty registry that
    /// never published has nothing to publish).
    fn is_published(&self) -> bool {
        match self.published {
            Some(p) => p.root == self.registry.root(),
            None => self.registry.is_empty(),
        }
    }

    /// The credential at `index`: NOT_FOUND if never enrolled.
    fn credential(&self, index: u64) -> Result<StoredCredential, Status> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.credentials.get(i))
            .copied()
            .ok_or_else(|| {
                Status::not_found(format!(
                    "leaf_index: leaf {index} was never enrolled (the registry holds {} leaves)",
                    self.registry.len()
                ))
            })
    }

    /// The live credential at `index`: NOT_FOUND if never enrolled, FAILED_PRECONDITION if
    /// revoked.
    fn live_credential(&self, index: u64) -> Result<StoredCredential, Status> {
        let credential = self.credential(index)?;
        if credential.revoked {
            return Err(Status::failed_precondition(format!(
                "leaf_index: leaf {index} is revoked"
            )));
        }
        Ok(credential)
    }
}

struct Inner {
    genesis: Genesis,
    issuer: u32,
    key: SpendKey,
    node: NodeClient<Channel>,
    commit_wait: Duration,
    tokens: Vec<Zeroizing<String>>,
    state: Mutex<State>,
}

/// The `corridor.kyc.v1.Registry` service of one issuer.
#[derive(Clone)]
pub struct RegistryService {
    inner: Arc<Inner>,
}

impl fmt::Debug for RegistryService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegistryService(issuer {})", self.inner.issuer)
    }
}

impl RegistryService {
    /// Opens the issuer's database in `config.data` (created if absent), rebuilds its tree and
    /// connects (lazily) to the node.
    ///
    /// # Errors
    /// The issuer is not in genesis or the key is not its key; the database refused; the node
    /// endpoint is not a URI.
    pub fn open(config: KycConfig) -> Result<Self, KycServiceError> {
        let issuer = config
            .genesis
            .kyc_issuer(config.issuer)
            .ok_or(KycServiceError::UnknownIssuer(config.issuer))?;
        if issuer.key != config.key.public() {
            return Err(KycServiceError::WrongKey {
                issuer: config.issuer,
                expected: issuer.key.to_bytes(),
                got: config.key.public().to_bytes(),
            });
        }
        std::fs::create_dir_all(&config.data).map_err(|source| KycServiceError::DataDir {
            path: config.data.clone(),
            source,
        })?;
        let (store, loaded) = RegistryStore::open(&config.data.join(DATABASE_FILE), config.issuer)?;
        let live = loaded
            .credentials
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.revoked)
            .map(|(i, c)| (fr_to_bytes(&c.leaf()), i as u64))
            .collect();
        let endpoint = Endpoint::from_shared(config.node.clone())
            .map_err(|source| KycServiceError::Endpoint {
                url: config.node.clone(),
                source,
            })?
            .connect_timeout(config.node_timeout)
            .timeout(config.node_timeout);
        Ok(RegistryService {
            inner: Arc::new(Inner {
                genesis: config.genesis,
                issuer: config.issuer,
                key: config.key,
                node: NodeClient::new(endpoint.connect_lazy()),
                commit_wait: config.commit_wait,
                tokens: config.tokens,
                state: Mutex::new(State {
                    store,
                    registry: loaded.registry,
                    credentials: loaded.credentials,
                    live,
                    published: loaded.published,
                }),
            }),
        })
    }

    /// The issuer.
    pub fn issuer(&self) -> u32 {
        self.inner.issuer
    }

    /// Publishes the current root unless the node admitted it already (a restart, a node that
    /// was down); returns the update that carries it (`None`: an empty registry that never
    /// published).
    ///
    /// # Errors
    /// The node could not be reached or refused; the database failed.
    pub async fn publish_if_needed(&self) -> Result<Option<Published>, PublishError> {
        let mut state = self.inner.state.lock().await;
        if !state.is_published() {
            self.inner.publish(&mut state).await?;
        }
        Ok(state.published)
    }

    /// As a tonic service.
    pub fn into_server(self) -> RegistryServer<Self> {
        RegistryServer::new(self)
    }

    /// Checks an Enroll request's fields: INVALID_ARGUMENT naming the first bad one.
    fn enrolment(&self, req: &EnrollRequest) -> Result<(Fr, CredentialAttributes), Status> {
        let bytes: [u8; 32] = req.id_commit.as_slice().try_into().map_err(|_| {
            Status::invalid_argument(format!(
                "id_commit: expected 32 bytes, got {}",
                req.id_commit.len()
            ))
        })?;
        let id_commit = fr_from_bytes(&bytes, "id_commit")
            .map_err(|_| Status::invalid_argument("id_commit: not a canonical field element"))?;
        let genesis = &self.inner.genesis;
        // Echoed back only when short: the message never carries a caller's megabytes.
        let code = if req.jurisdiction.len() <= 16 {
            format!("{:?}", req.jurisdiction)
        } else {
            format!("of {} bytes", req.jurisdiction.len())
        };
        let jurisdiction = genesis.jurisdiction_bit(&req.jurisdiction).ok_or_else(|| {
            Status::invalid_argument(format!("jurisdiction: unknown code {code}"))
        })?;
        let covered = genesis
            .kyc_issuer(self.inner.issuer)
            .is_some_and(|i| i.jurisdictions.contains(&req.jurisdiction));
        if !covered {
            return Err(Status::invalid_argument(format!(
                "jurisdiction: issuer {} does not cover {code}",
                self.inner.issuer
            )));
        }
        let today = u32::try_from(unix_now() / 86_400).unwrap_or(u32::MAX);
        if req.expiry_day < today {
            return Err(Status::invalid_argument(format!(
                "expiry_day: day {} is before today (day {today})",
                req.expiry_day
            )));
        }
        let attributes = CredentialAttributes {
            jurisdiction,
            expiry_day: req.expiry_day,
            tier: req.tier,
            issuer_id: self.inner.issuer,
        };
        attributes
            .validate()
            .map_err(|e| Status::invalid_argument(format!("jurisdiction: {e}")))?;
        Ok((id_commit, attributes))
    }
}

/// A change that stands but whose root could not be published: the publication's code, the
/// change and the reason.
fn unpublished(what: String, e: &PublishError) -> Status {
    Status::new(
        e.code(),
        format!("{what}, but the new root is not published: {e}"),
    )
}

impl Inner {
    /// The node's head for this issuer (`None`: it has published nothing).
    async fn node_head(&self) -> Result<Option<RootHead>, PublishError> {
        let mut node = self.node.clone();
        match node
            .get_kyc_roots(GetKycRootsRequest {
                issuer: self.issuer,
            })
            .await
        {
            Ok(r) => {
                let r = r.into_inner();
                let root: [u8; 32] = r
                    .root
                    .as_slice()
                    .try_into()
                    .map_err(|_| PublishError::MalformedHead)?;
                Ok(Some(RootHead {
                    seq: r.seq,
                    root: FieldBytes(root),
                }))
            }
            Err(s) if s.code() == Code::NotFound => Ok(None),
            Err(s) => Err(PublishError::Unreachable(s)),
        }
    }

    /// Publishes the current root: waits for our previous update if the node has not
    /// committed it yet, then submits the next one (unless the node's head is our root
    /// already) and records it.
    async fn publish(&self, state: &mut State) -> Result<Published, PublishError> {
        let root = state.registry.root();
        let root_bytes = FieldBytes(fr_to_bytes(&root));
        let mut head = self.node_head().await?;
        if let Some(ours) = state.published {
            // Our last update, admitted but not committed yet, is the node's next: wait for
            // it so that this one builds on it (a larger gap is a chain that is not ours).
            let deadline = tokio::time::Instant::now() + self.commit_wait;
            while head.map_or(0, |h| h.seq) + 1 == ours.seq
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
                head = self.node_head().await?;
            }
        }
        let published = match head {
            Some(h) if h.root == root_bytes => Published { seq: h.seq, root },
            _ => {
                let (seq, previous) = next_root_update(head);
                let view = NodeView {
                    issuer: self.issuer,
                    head,
                };
                // Root updates carry no KYC proof: the block's day does not matter.
                let block = BlockContext {
                    height: 0,
                    time: unix_now(),
                };
                let tx = Builder::new(&self.genesis, &view, block)
                    .kyc_root_update(self.issuer, seq, previous, root_bytes)?
                    .sign(&self.key);
                let mut node = self.node.clone();
                match node.submit_tx(SubmitTxRequest { tx: tx.encode() }).await {
                    // ALREADY_EXISTS: this very update waits in the mempool.
                    Ok(_) => {}
                    Err(s) if s.code() == Code::AlreadyExists => {}
                    Err(s)
                        if matches!(
                            s.code(),
                            Code::Unavailable
                                | Code::DeadlineExceeded
                                | Code::Cancelled
                                | Code::Unknown
                                | Code::ResourceExhausted
                                | Code::Internal
                        ) =>
                    {
                        return Err(PublishError::Unreachable(s))
                    }
                    Err(status) => return Err(PublishError::Refused { seq, status }),
                }
                tracing::info!(issuer = self.issuer, seq, root = %hex::encode(root_bytes.0), "root update admitted");
                Published { seq, root }
            }
        };
        if state.published != Some(published) {
            state.store.set_published(published)?;
            state.published = Some(published);
        }
        Ok(published)
    }
}

#[tonic::async_trait]
impl Registry for RegistryService {
    async fn enroll(
        &self,
        request: Request<EnrollRequest>,
    ) -> Result<Response<EnrollResponse>, Status> {
        authorize(&self.inner.tokens, request.metadata())?;
        let (id_commit, attributes) = self.enrolment(request.get_ref())?;
        let leaf = attributes.leaf(id_commit);
        if leaf.is_zero() {
            return Err(Status::invalid_argument(
                "id_commit: the credential's leaf hashes to zero",
            ));
        }
        let leaf_bytes = fr_to_bytes(&leaf);
        let mut state = self.inner.state.lock().await;
        if let Some(index) = state.live.get(&leaf_bytes) {
            return Err(Status::already_exists(format!(
                "id_commit: this credential is enrolled and live at leaf {index}"
            )));
        }
        let index = state.registry.len();
        if index >= MerkleTree::CAPACITY {
            return Err(Status::resource_exhausted(format!(
                "the tree is full ({} leaves)",
                MerkleTree::CAPACITY
            )));
        }
        let credential = StoredCredential {
            id_commit,
            attributes,
            revoked: false,
        };
        // The file first: the tree only changes once the change is durable.
        state.store.put(index, &credential).map_err(internal)?;
        let enrolled = state
            .registry
            .enrol(id_commit, &attributes)
            .map_err(internal)?;
        state.credentials.push(credential);
        state.live.insert(leaf_bytes, enrolled);
        let root = state.registry.root();
        match self.inner.publish(&mut state).await {
            Ok(published) => Ok(Response::new(EnrollResponse {
                leaf_index: enrolled,
                root: fr_to_bytes(&root).to_vec(),
                seq: published.seq,
            })),
            Err(e) => {
                tracing::warn!(leaf = enrolled, error = %e, "enrolled, root not published");
                let mut status = unpublished(format!("enrolled at leaf {enrolled}"), &e);
                status
                    .metadata_mut()
                    .insert(LEAF_INDEX_METADATA, enrolled.into());
                Err(status)
            }
        }
    }

    async fn revoke(
        &self,
        request: Request<RevokeRequest>,
    ) -> Result<Response<RevokeResponse>, Status> {
        authorize(&self.inner.tokens, request.metadata())?;
        let index = request.get_ref().leaf_index;
        let mut state = self.inner.state.lock().await;
        let credential = state.live_credential(index)?;
        let revoked = StoredCredential {
            revoked: true,
            ..credential
        };
        state.store.put(index, &revoked).map_err(internal)?;
        state.registry.revoke(index).map_err(internal)?;
        if let Some(slot) = usize::try_from(index)
            .ok()
            .and_then(|i| state.credentials.get_mut(i))
        {
            *slot = revoked;
        }
        state.live.remove(&fr_to_bytes(&credential.leaf()));
        let root = state.registry.root();
        match self.inner.publish(&mut state).await {
            Ok(published) => Ok(Response::new(RevokeResponse {
                root: fr_to_bytes(&root).to_vec(),
                seq: published.seq,
            })),
            Err(e) => {
                tracing::warn!(leaf = index, error = %e, "revoked, root not published");
                Err(unpublished(format!("revoked leaf {index}"), &e))
            }
        }
    }

    async fn get_witness(
        &self,
        request: Request<GetWitnessRequest>,
    ) -> Result<Response<GetWitnessResponse>, Status> {
        let index = request.get_ref().leaf_index;
        let mut state = self.inner.state.lock().await;
        state.live_credential(index)?;
        if !state.is_published() {
            self.inner.publish(&mut state).await.map_err(|e| {
                Status::new(e.code(), format!("the current root is not published: {e}"))
            })?;
        }
        let witness = state.registry.witness(index).map_err(internal)?;
        Ok(Response::new(GetWitnessResponse {
            leaf_index: index,
            siblings: witness
                .siblings
                .iter()
                .map(|s| fr_to_bytes(s).to_vec())
                .collect(),
            bits: witness.path_bits.to_vec(),
            root: fr_to_bytes(&state.registry.root()).to_vec(),
            seq: state.published.map_or(0, |p| p.seq),
        }))
    }

    async fn root(&self, _: Request<RootRequest>) -> Result<Response<RootResponse>, Status> {
        let mut state = self.inner.state.lock().await;
        if !state.is_published() {
            if let Err(e) = self.inner.publish(&mut state).await {
                tracing::warn!(error = %e, "the current root is not published");
            }
        }
        Ok(Response::new(RootResponse {
            issuer: self.inner.issuer,
            root: fr_to_bytes(&state.registry.root()).to_vec(),
            seq: state.published.map_or(0, |p| p.seq),
            published: state.is_published(),
            leaves: state.registry.len(),
        }))
    }
}

/// A registry service bound to its address, not serving yet.
#[derive(Debug)]
pub struct KycServer {
    listener: TcpListener,
    addr: SocketAddr,
    service: RegistryService,
}

impl KycServer {
    /// Opens the service ([`RegistryService::open`]) and binds `config.listen`.
    ///
    /// # Errors
    /// [`KycServiceError::Unguarded`] (before anything is opened) if there are no tokens and
    /// `config.listen` is not loopback; as [`RegistryService::open`]; the address cannot be
    /// bound.
    pub async fn bind(config: KycConfig) -> Result<Self, KycServiceError> {
        let listen = config.listen;
        require_tokens_beyond_loopback(listen, &config.tokens)?;
        let service = RegistryService::open(config)?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| KycServiceError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| KycServiceError::Bind {
                addr: listen,
                source,
            })?;
        Ok(KycServer {
            listener,
            addr,
            service,
        })
    }

    /// The address bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves the registry, `grpc.health.v1.Health` and server reflection until `shutdown`
    /// resolves; first publishes the current root if the node lacks it (in the background: a
    /// node that is down only logs a warning).
    ///
    /// # Errors
    /// Reflection could not be built; the server failed.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), KycServiceError> {
        let (health_reporter, health) = tonic_health::server::health_reporter();
        health_reporter
            .set_serving::<RegistryServer<RegistryService>>()
            .await;
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        };
        let reflection_v1 = reflection().build_v1()?;
        let reflection_v1alpha = reflection().build_v1alpha()?;
        let startup = self.service.clone();
        let publishing = tokio::spawn(async move {
            match startup.publish_if_needed().await {
                Ok(Some(p)) => tracing::info!(seq = p.seq, "the current root is published"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "the current root is not published"),
            }
        });
        let served = tonic::transport::Server::builder()
            .add_service(health)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha)
            .add_service(self.service.into_server())
            .serve_with_incoming_shutdown(
                tokio_stream::StreamExt::map(TcpListenerStream::new(self.listener), |conn| {
                    // Small gRPC frames: without TCP_NODELAY each answer can wait ~40 ms on Nagle.
                    if let Ok(c) = &conn {
                        let _ = c.set_nodelay(true);
                    }
                    conn
                }),
                shutdown,
            )
            .await;
        publishing.abort();
        Ok(served?)
    }
}
