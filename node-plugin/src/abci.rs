//! The ABCI 2.0 application (CometBFT v0.38) over the node's pipeline: a thin adapter from
//! tower-abci's `v038` services to [`Node`].
//!
//! | ABCI call | the node |
//! |---|---|
//! | Info | the last committed height and app hash, from the store |
//! | InitChain | the chain id must be genesis's network, the store at height 0; answers the genesis hash |
//! | CheckTx (new) | [`Node::admit_txs`]: size cap, decode, rules, full verification |
//! | CheckTx (recheck) | [`Node::recheck`]: the rules only |
//! | PrepareProposal | [`Node::propose_from`] over the request's transactions, within `max_tx_bytes` |
//! | ProcessProposal | [`Node::execute`] strict: one bad transaction rejects the block |
//! | FinalizeBlock | [`Node::execute`] on the last committed state; held until Commit |
//! | Commit | [`Node::commit`]: one atomic write; `retain_height` 0 |
//! | Query | `tx` (id → wire bytes), `note` (id → its transaction), `status` |
//!
//! Crashes: FinalizeBlock persists nothing and Commit persists before it answers, so after a
//! restart CometBFT finds the app at its last Commit (Info) and finalizes the next block again
//! from that state; the same block gives the same app hash.
//!
//! The adapter never returns an error to tower-abci (an error panics its connection task and
//! CometBFT stops): refusals are response codes. Where the app cannot answer truthfully (the
//! store fails in Commit, CometBFT sends a block out of sequence or another chain's
//! InitChain), [`serve`] returns [`AbciError::Fatal`] without answering: the process stops,
//! and so does CometBFT, rather than vote on a state the node does not hold.
//!
//! tower-abci's own `Server` has no cap on a message's length and panics on a malformed
//! frame; the connections here are read by a length-delimited codec with a cap
//! ([`AbciConfig::max_message_bytes`]) and a bad frame closes that connection only. Consensus
//! requests are served one at a time, in order (`buffer` + `concurrency_limit(1)`); the node's
//! work runs on blocking threads.
//!
//! tendermint / tendermint-proto 0.40 and prost 0.13 (pinned by tower-abci) stay inside this
//! module.
use crate::ledger::Committed;
use crate::pipeline::{Node, TxError};
use bytes::{Buf, Bytes, BytesMut};
use corridor_core::state::BlockContext;
use corridor_core::tx::{NoteId, TxId};
use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use futures::{FutureExt, SinkExt, StreamExt};
use prost013::Message;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tendermint::abci::{response as rsp, Code};
use tendermint::v0_38::abci::{
    ConsensusRequest, ConsensusResponse, InfoRequest, InfoResponse, MempoolRequest,
    MempoolResponse, Request, Response, SnapshotRequest, SnapshotResponse,
};
use tendermint_proto::v0_38::abci as pb;
use thiserror::Error;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::{Decoder, Encoder, FramedRead, FramedWrite};
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_abci::v038::split;
use tower_abci::BoxError;

/// The codespace of every nonzero code.
pub const CODESPACE: &str = "corridor";

/// CheckTx and ExecTxResult codes (0 is success).
pub mod code {
    /// Over the size cap.
    pub const TOO_LARGE: u32 = 1;
    /// Not a canonical transaction encoding.
    pub const DECODE: u32 = 2;
    /// A ledger rule refuses it.
    pub const RULE: u32 = 3;
    /// Its statement, signature or proofs do not verify.
    pub const VERIFY: u32 = 4;
    /// Already waiting (the embedded node's mempool).
    pub const IN_MEMPOOL: u32 = 5;
    /// The mempool is full.
    pub const MEMPOOL_FULL: u32 = 6;
    /// The block's proofs failed as one batch.
    pub const BATCH_REJECTED: u32 = 7;
    /// The store failed.
    pub const STORE: u32 = 8;
    /// Query: the request is malformed (an id that is not 32 bytes or 64 hex digits).
    pub const BAD_QUERY: u32 = 20;
    /// Query: nothing under that id.
    pub const NOT_FOUND: u32 = 21;
    /// Query: a path the node does not serve.
    pub const UNKNOWN_PATH: u32 = 22;
}

/// The code of a refused transaction.
pub fn tx_code(e: &TxError) -> u32 {
    match e {
        TxError::TooLarge { .. } => code::TOO_LARGE,
        TxError::Decode(_) => code::DECODE,
        TxError::Rule(_) => code::RULE,
        TxError::Verify(_) => code::VERIFY,
        TxError::InMempool(_) => code::IN_MEMPOOL,
        TxError::MempoolFull { .. } => code::MEMPOOL_FULL,
        TxError::BatchRejected => code::BATCH_REJECTED,
        TxError::Store(_) => code::STORE,
    }
}

/// The server's settings.
#[derive(Clone, Debug)]
pub struct AbciConfig {
    /// Largest ABCI message read, in bytes (its length prefix is checked before anything is
    /// buffered). CometBFT's default block is at most 21 MiB (`max_bytes` 22020096); the
    /// default leaves room above it.
    pub max_message_bytes: usize,
    /// CheckTx requests served at once.
    pub mempool_concurrency: usize,
}

impl Default for AbciConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: 64 << 20,
            mempool_concurrency: 2,
        }
    }
}

/// Why the ABCI server stopped.
#[derive(Debug, Error)]
pub enum AbciError {
    /// The listener failed.
    #[error("abci listener: {0}")]
    Io(#[from] std::io::Error),
    /// The app cannot go on truthfully (see the module doc).
    #[error("abci: {0}")]
    Fatal(String),
}

/// Why one connection was closed.
#[derive(Debug, Error)]
enum ConnectionError {
    #[error("socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("message of {length} bytes is over the cap of {max}")]
    TooLarge { length: u64, max: usize },
    #[error("length prefix is not a varint")]
    BadPrefix,
    #[error("undecodable message: {0}")]
    Decode(#[from] prost013::DecodeError),
    #[error("unusable request: {0}")]
    Request(tendermint::Error),
    #[error("service: {0}")]
    Service(BoxError),
}

/// Length-delimited protobuf frames (an unsigned varint, then the message), as CometBFT's
/// socket client writes them, with a cap on the length.
struct Frames<M> {
    max: usize,
    _message: std::marker::PhantomData<M>,
}

impl<M> Frames<M> {
    fn new(max: usize) -> Self {
        Self {
            max,
            _message: std::marker::PhantomData,
        }
    }
}

impl<M: Message + Default> Decoder for Frames<M> {
    type Item = M;
    type Error = ConnectionError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<M>, ConnectionError> {
        let mut length: u64 = 0;
        let mut header = None;
        for (i, &b) in src.iter().take(10).enumerate() {
            length |= u64::from(b & 0x7f) << (7 * i);
            if b < 0x80 {
                header = Some(i + 1);
                break;
            }
        }
        let Some(header) = header else {
            return if src.len() >= 10 {
                Err(ConnectionError::BadPrefix)
            } else {
                Ok(None)
            };
        };
        let body = usize::try_from(length)
            .ok()
            .filter(|&l| l <= self.max)
            .ok_or(ConnectionError::TooLarge {
                length,
                max: self.max,
            })?;
        if src.len() < header + body {
            src.reserve(header + body - src.len());
            return Ok(None);
        }
        src.advance(header);
        let message = M::decode(src.split_to(body))?;
        Ok(Some(message))
    }
}

impl<M: Message> Encoder<M> for Frames<M> {
    type Error = ConnectionError;

    fn encode(&mut self, item: M, dst: &mut BytesMut) -> Result<(), ConnectionError> {
        let len = item.encoded_len();
        dst.reserve(len + 10);
        prost013::encoding::encode_varint(len as u64, dst);
        item.encode(dst)
            .map_err(|e| ConnectionError::Io(std::io::Error::other(e)))
    }
}

/// The application: the node, the block finalized and not yet committed, and where fatal
/// conditions are reported.
#[derive(Clone)]
pub struct App {
    node: Arc<Node>,
    pending: Arc<Mutex<Option<crate::pipeline::ExecutedBlock>>>,
    fatal: mpsc::UnboundedSender<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("node", &self.node).finish()
    }
}

/// What the app cannot answer truthfully.
struct Fatal(String);

fn height(h: u64) -> tendermint::block::Height {
    tendermint::block::Height::try_from(h).unwrap_or_default()
}

fn app_hash(h: &[u8; 32]) -> tendermint::AppHash {
    tendermint::AppHash::try_from(h.to_vec()).unwrap_or_default()
}

/// UTC seconds of a block time (times before 1970 count as 0).
fn seconds(t: tendermint::Time) -> u64 {
    u64::try_from(t.unix_timestamp()).unwrap_or(0)
}

/// A 32-byte id given raw or as 64 hex digits.
fn parse_id(data: &[u8]) -> Option<[u8; 32]> {
    if let Ok(id) = <[u8; 32]>::try_from(data) {
        return Some(id);
    }
    let mut id = [0u8; 32];
    hex::decode_to_slice(data, &mut id).ok().map(|()| id)
}

impl App {
    /// The app over `node`; fatal conditions go to `fatal`.
    fn new(node: Arc<Node>, fatal: mpsc::UnboundedSender<String>) -> Self {
        Self {
            node,
            pending: Arc::new(Mutex::new(None)),
            fatal,
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Option<crate::pipeline::ExecutedBlock>> {
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn handle(&self, request: Request) -> Result<Response, Fatal> {
        Ok(match request {
            Request::Echo(e) => Response::Echo(rsp::Echo { message: e.message }),
            Request::Flush => Response::Flush,
            Request::Info(_) => Response::Info(self.info()),
            Request::Query(q) => Response::Query(self.query(&q)),
            Request::CheckTx(c) => Response::CheckTx(self.check_tx(&c)),
            Request::InitChain(i) => Response::InitChain(self.init_chain(&i)?),
            Request::PrepareProposal(p) => Response::PrepareProposal(self.prepare(p)),
            Request::ProcessProposal(p) => Response::ProcessProposal(self.process(&p)),
            Request::FinalizeBlock(f) => Response::FinalizeBlock(self.finalize(&f)?),
            Request::Commit => Response::Commit(self.commit()?),
            Request::ExtendVote(_) => Response::ExtendVote(rsp::ExtendVote {
                vote_extension: Bytes::new(),
            }),
            Request::VerifyVoteExtension(_) => {
                Response::VerifyVoteExtension(rsp::VerifyVoteExtension::Accept)
            }
            Request::ListSnapshots => Response::ListSnapshots(rsp::ListSnapshots::default()),
            Request::OfferSnapshot(_) => Response::OfferSnapshot(rsp::OfferSnapshot::Reject),
            Request::LoadSnapshotChunk(_) => {
                Response::LoadSnapshotChunk(rsp::LoadSnapshotChunk::default())
            }
            Request::ApplySnapshotChunk(_) => {
                Response::ApplySnapshotChunk(rsp::ApplySnapshotChunk {
                    result: rsp::ApplySnapshotChunkResult::Abort,
                    refetch_chunks: Vec::new(),
                    reject_senders: Vec::new(),
                })
            }
        })
    }

    fn info(&self) -> rsp::Info {
        let c = self.node.committed();
        rsp::Info {
            data: format!("corridor {}", self.node.genesis().network),
            version: env!("CARGO_PKG_VERSION").into(),
            app_version: 1,
            last_block_height: height(c.height),
            last_block_app_hash: app_hash(&c.app_hash),
        }
    }

    fn init_chain(
        &self,
        r: &tendermint::abci::request::InitChain,
    ) -> Result<rsp::InitChain, Fatal> {
        let network = &self.node.genesis().network;
        if &r.chain_id != network {
            return Err(Fatal(format!(
                "InitChain for chain id {:?}, genesis is network {network:?}",
                r.chain_id
            )));
        }
        if r.initial_height.value() > 1 {
            return Err(Fatal(format!(
                "InitChain with initial height {}: the ledger starts at 1",
                r.initial_height
            )));
        }
        let c = self.node.committed();
        if c.height != 0 {
            return Err(Fatal(format!(
                "InitChain on a store committed up to height {}",
                c.height
            )));
        }
        Ok(rsp::InitChain {
            consensus_params: None,
            validators: Vec::new(),
            app_hash: app_hash(&c.app_hash),
        })
    }

    fn check_tx(&self, c: &tendermint::abci::request::CheckTx) -> rsp::CheckTx {
        let outcome = match c.kind {
            tendermint::abci::request::CheckTxKind::Recheck => self.node.recheck(&c.tx),
            tendermint::abci::request::CheckTxKind::New => self
                .node
                .admit_txs(&[c.tx.to_vec()])
                .pop()
                .unwrap_or(Err(TxError::MempoolFull { capacity: 0 })),
        };
        match outcome {
            Ok(id) => rsp::CheckTx {
                data: Bytes::copy_from_slice(id.as_bytes()),
                ..rsp::CheckTx::default()
            },
            Err(e) => rsp::CheckTx {
                code: Code::from(tx_code(&e)),
                log: e.to_string(),
                info: e.reason().into(),
                codespace: CODESPACE.into(),
                ..rsp::CheckTx::default()
            },
        }
    }

    /// The block after the committed one, if `h` is its height.
    fn next(
        &self,
        h: tendermint::block::Height,
        t: tendermint::Time,
    ) -> Result<BlockContext, Committed> {
        let c = self.node.committed();
        if h.value() == c.height + 1 {
            Ok(self.node.next_block(seconds(t)))
        } else {
            Err(c)
        }
    }

    fn prepare(&self, p: tendermint::abci::request::PrepareProposal) -> rsp::PrepareProposal {
        let Ok(block) = self.next(p.height, p.time) else {
            return rsp::PrepareProposal { txs: Vec::new() };
        };
        let max_bytes = usize::try_from(p.max_tx_bytes).unwrap_or(0);
        let candidates = p.txs.iter().map(|t| t.to_vec()).collect();
        let txs = self
            .node
            .propose_from(block, candidates, usize::MAX, max_bytes)
            .into_iter()
            .map(Bytes::from)
            .collect();
        rsp::PrepareProposal { txs }
    }

    fn process(&self, p: &tendermint::abci::request::ProcessProposal) -> rsp::ProcessProposal {
        let Ok(block) = self.next(p.height, p.time) else {
            return rsp::ProcessProposal::Reject;
        };
        let txs: Vec<Vec<u8>> = p.txs.iter().map(|t| t.to_vec()).collect();
        match self.node.execute(&txs, block, true) {
            Ok(_) => rsp::ProcessProposal::Accept,
            Err(e) => {
                tracing::info!(height = block.height, error = %e, "proposal rejected");
                rsp::ProcessProposal::Reject
            }
        }
    }

    fn finalize(
        &self,
        f: &tendermint::abci::request::FinalizeBlock,
    ) -> Result<rsp::FinalizeBlock, Fatal> {
        let block = self.next(f.height, f.time).map_err(|c| {
            Fatal(format!(
                "FinalizeBlock at height {}, the app committed height {}",
                f.height, c.height
            ))
        })?;
        let txs: Vec<Vec<u8>> = f.txs.iter().map(|t| t.to_vec()).collect();
        let executed = self
            .node
            .execute(&txs, block, false)
            .map_err(|e| Fatal(format!("FinalizeBlock at height {}: {e}", block.height)))?;
        let tx_results = executed
            .results
            .iter()
            .map(|r| match r {
                Ok(id) => tendermint::abci::types::ExecTxResult {
                    data: Bytes::copy_from_slice(id.as_bytes()),
                    ..Default::default()
                },
                Err(e) => tendermint::abci::types::ExecTxResult {
                    code: Code::from(tx_code(e)),
                    log: e.to_string(),
                    info: e.reason().into(),
                    codespace: CODESPACE.into(),
                    ..Default::default()
                },
            })
            .collect();
        let hash = executed.app_hash();
        *self.pending() = Some(executed);
        Ok(rsp::FinalizeBlock {
            events: Vec::new(),
            tx_results,
            validator_updates: Vec::new(),
            consensus_param_updates: None,
            app_hash: app_hash(&hash),
        })
    }

    fn commit(&self) -> Result<rsp::Commit, Fatal> {
        let executed = self
            .pending()
            .take()
            .ok_or_else(|| Fatal("Commit without a finalized block".into()))?;
        let height = executed.sealed.record.height;
        self.node
            .commit(executed)
            .map_err(|e| Fatal(format!("Commit of height {height}: {e}")))?;
        Ok(rsp::Commit {
            data: Bytes::new(),
            retain_height: height_zero(),
        })
    }

    fn query(&self, q: &tendermint::abci::request::Query) -> rsp::Query {
        let fail = |code: u32, log: String| rsp::Query {
            code: Code::from(code),
            log,
            codespace: CODESPACE.into(),
            ..rsp::Query::default()
        };
        let view = self.node.view();
        let committed = self.node.committed();
        match q.path.trim_start_matches('/') {
            "status" => rsp::Query {
                value: Bytes::from(format!(
                    "{{\"network\":\"{}\",\"height\":{},\"app_hash\":\"{}\",\"time\":{}}}",
                    self.node.genesis().network.escape_default(),
                    committed.height,
                    hex::encode(committed.app_hash),
                    committed.time
                )),
                height: height(committed.height),
                ..rsp::Query::default()
            },
            "tx" => {
                let Some(id) = parse_id(&q.data) else {
                    return fail(
                        code::BAD_QUERY,
                        "a tx id is 32 bytes or 64 hex digits".into(),
                    );
                };
                let id = TxId(id);
                match view.tx(&id) {
                    Ok(Some(record)) => rsp::Query {
                        key: Bytes::copy_from_slice(id.as_bytes()),
                        value: Bytes::from(record.bytes),
                        index: i64::from(record.index),
                        height: height(record.height),
                        ..rsp::Query::default()
                    },
                    Ok(None) => fail(code::NOT_FOUND, format!("no transaction {id}")),
                    Err(e) => fail(code::STORE, e.to_string()),
                }
            }
            "note" => {
                let Some(id) = parse_id(&q.data) else {
                    return fail(
                        code::BAD_QUERY,
                        "a note id is 32 bytes or 64 hex digits".into(),
                    );
                };
                let id = NoteId(id);
                let found = view.stored_note(&id).and_then(|n| match n {
                    Some(n) => Ok(view.tx(&n.note.tx_id)?.map(|t| (n, t))),
                    None => Ok(None),
                });
                match found {
                    // The note is output `index` of the transaction in `value`.
                    Ok(Some((n, tx))) => rsp::Query {
                        key: Bytes::copy_from_slice(id.as_bytes()),
                        value: Bytes::from(tx.bytes),
                        index: i64::from(n.note.output_index),
                        height: height(n.height),
                        ..rsp::Query::default()
                    },
                    Ok(None) => fail(code::NOT_FOUND, format!("no note {id}")),
                    Err(e) => fail(code::STORE, e.to_string()),
                }
            }
            other => fail(
                code::UNKNOWN_PATH,
                format!("unknown path {other:?} (tx, note, status)"),
            ),
        }
    }
}

fn height_zero() -> tendermint::block::Height {
    height(0)
}

impl Service<Request> for App {
    type Response = Response;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let app = self.clone();
        async move {
            let fatal = app.fatal.clone();
            let outcome = tokio::task::spawn_blocking(move || app.handle(request)).await;
            let message = match outcome {
                Ok(Ok(response)) => return Ok(response),
                Ok(Err(Fatal(message))) => message,
                Err(e) => format!("the handler failed: {e}"),
            };
            tracing::error!(%message, "the app stops");
            let _ = fatal.send(message);
            // Never answered: the server stops and closes every connection.
            std::future::pending::<Result<Response, BoxError>>().await
        }
        .boxed()
    }
}

/// Serves `node` as an ABCI application on `listener` until a fatal condition.
///
/// # Errors
/// [`AbciError::Fatal`] (see the module doc), listener errors.
pub async fn serve(
    node: Arc<Node>,
    listener: TcpListener,
    config: AbciConfig,
) -> Result<(), AbciError> {
    let (fatal_tx, mut fatal_rx) = mpsc::unbounded_channel();
    let app = App::new(node, fatal_tx);
    let (consensus, mempool, snapshot, info) = split::service(app, 64);
    let consensus = ServiceBuilder::new()
        .buffer(64)
        .concurrency_limit(1)
        .service(consensus);
    let mempool = ServiceBuilder::new()
        .buffer(1024)
        .concurrency_limit(config.mempool_concurrency.max(1))
        .service(mempool);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (socket, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                tracing::debug!(%peer, "abci connection");
                let conn = connection(
                    socket,
                    consensus.clone(),
                    mempool.clone(),
                    info.clone(),
                    snapshot.clone(),
                    config.max_message_bytes,
                );
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::warn!(%peer, error = %e, "abci connection closed");
                    }
                });
            }
            message = fatal_rx.recv() => {
                return Err(AbciError::Fatal(message.unwrap_or_default()));
            }
        }
    }
}

/// Binds `addr`, calls `listening` with the bound address, and serves `node` (see [`serve`])
/// on a runtime of its own.
///
/// # Errors
/// As [`serve`]; binding errors.
pub fn serve_blocking(
    node: Arc<Node>,
    addr: SocketAddr,
    config: AbciConfig,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), AbciError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(addr).await?;
        listening(listener.local_addr()?);
        serve(node, listener, config).await
    })
}

type Pending = FuturesOrdered<BoxFuture<'static, Result<Response, BoxError>>>;

async fn connection<C, M, I, S>(
    socket: TcpStream,
    mut consensus: C,
    mut mempool: M,
    mut info: I,
    mut snapshot: S,
    max: usize,
) -> Result<(), ConnectionError>
where
    C: Service<ConsensusRequest, Response = ConsensusResponse, Error = BoxError> + Send,
    C::Future: Send + 'static,
    M: Service<MempoolRequest, Response = MempoolResponse, Error = BoxError> + Send,
    M::Future: Send + 'static,
    I: Service<InfoRequest, Response = InfoResponse, Error = BoxError> + Send,
    I::Future: Send + 'static,
    S: Service<SnapshotRequest, Response = SnapshotResponse, Error = BoxError> + Send,
    S::Future: Send + 'static,
{
    let _ = socket.set_nodelay(true);
    let (read, write) = socket.into_split();
    let mut requests = FramedRead::new(read, Frames::<pb::Request>::new(max));
    let mut responses = FramedWrite::new(write, Frames::<pb::Response>::new(max));
    let mut pending: Pending = FuturesOrdered::new();
    let service = ConnectionError::Service;
    loop {
        tokio::select! {
            request = requests.next() => {
                let Some(request) = request.transpose()? else {
                    return Ok(());
                };
                let request = Request::try_from(request).map_err(ConnectionError::Request)?;
                let future: BoxFuture<'static, Result<Response, BoxError>> = match request {
                    Request::Flush => {
                        while let Some(r) = pending.next().await {
                            responses.send(pb::Response::from(r.map_err(service)?)).await?;
                        }
                        responses.send(pb::Response::from(Response::Flush)).await?;
                        continue;
                    }
                    Request::Echo(r) => call(&mut info, InfoRequest::Echo(r)).await?,
                    Request::Info(r) => call(&mut info, InfoRequest::Info(r)).await?,
                    Request::Query(r) => call(&mut info, InfoRequest::Query(r)).await?,
                    Request::CheckTx(r) => call(&mut mempool, MempoolRequest::CheckTx(r)).await?,
                    Request::InitChain(r) => call(&mut consensus, ConsensusRequest::InitChain(r)).await?,
                    Request::PrepareProposal(r) => {
                        call(&mut consensus, ConsensusRequest::PrepareProposal(r)).await?
                    }
                    Request::ProcessProposal(r) => {
                        call(&mut consensus, ConsensusRequest::ProcessProposal(r)).await?
                    }
                    Request::FinalizeBlock(r) => {
                        call(&mut consensus, ConsensusRequest::FinalizeBlock(r)).await?
                    }
                    Request::Commit => call(&mut consensus, ConsensusRequest::Commit).await?,
                    Request::ExtendVote(r) => call(&mut consensus, ConsensusRequest::ExtendVote(r)).await?,
                    Request::VerifyVoteExtension(r) => {
                        call(&mut consensus, ConsensusRequest::VerifyVoteExtension(r)).await?
                    }
                    Request::ListSnapshots => call(&mut snapshot, SnapshotRequest::ListSnapshots).await?,
                    Request::OfferSnapshot(r) => {
                        call(&mut snapshot, SnapshotRequest::OfferSnapshot(r)).await?
                    }
                    Request::LoadSnapshotChunk(r) => {
                        call(&mut snapshot, SnapshotRequest::LoadSnapshotChunk(r)).await?
                    }
                    Request::ApplySnapshotChunk(r) => {
                        call(&mut snapshot, SnapshotRequest::ApplySnapshotChunk(r)).await?
                    }
                };
                pending.push_back(future);
            }
            response = pending.next(), if !pending.is_empty() => {
                if let Some(r) = response {
                    responses.send(pb::Response::from(r.map_err(service)?)).await?;
                }
            }
        }
    }
}

/// Hands `request` to `svc` once it is ready; the answer as a boxed future of the whole
/// [`Response`].
async fn call<R, T, V>(
    svc: &mut T,
    request: R,
) -> Result<BoxFuture<'static, Result<Response, BoxError>>, ConnectionError>
where
    T: Service<R, Response = V, Error = BoxError>,
    T::Future: Send + 'static,
    V: Into<Response> + 'static,
{
    let ready = svc.ready().await.map_err(ConnectionError::Service)?;
    Ok(ready.call(request).map(|r| r.map(Into::into)).boxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_refuse_a_length_over_the_cap_before_buffering_it() {
        let mut codec = Frames::<pb::Request>::new(100);
        let mut buf = BytesMut::new();
        prost013::encoding::encode_varint(1 << 40, &mut buf);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(ConnectionError::TooLarge { .. })
        ));
        let mut buf = BytesMut::from(&[0xffu8; 10][..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Err(ConnectionError::BadPrefix)
        ));
    }

    #[test]
    fn frames_round_trip_and_wait_for_whole_messages() {
        let message = pb::Request {
            value: Some(pb::request::Value::Echo(pb::RequestEcho {
                message: "hello".into(),
            })),
        };
        let mut buf = BytesMut::new();
        Frames::<pb::Request>::new(100)
            .encode(message.clone(), &mut buf)
            .unwrap();
        let mut decoder = Frames::<pb::Request>::new(100);
        let mut partial = BytesMut::from(&buf[..buf.len() - 1]);
        assert!(decoder.decode(&mut partial).unwrap().is_none());
        partial.extend_from_slice(&buf[buf.len() - 1..]);
        assert_eq!(decoder.decode(&mut partial).unwrap(), Some(message));
        assert!(partial.is_empty());
    }

    #[test]
    fn ids_parse_raw_or_hex() {
        assert_eq!(parse_id(&[7u8; 32]), Some([7u8; 32]));
        assert_eq!(parse_id(hex::encode([9u8; 32]).as_bytes()), Some([9u8; 32]));
        assert_eq!(parse_id(b"short"), None);
    }
}
