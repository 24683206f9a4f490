//! The node's gRPC API, `corridor.node.v1.Node` (`proto/corridor/node/v1/node.proto`): a thin
//! adapter over [`Node`]. SubmitTx runs admission on a blocking thread (verification takes
//! milliseconds) and wakes the block loop; the reads go to the committed state; StreamBlocks
//! sends the stored blocks, then follows commits. Every read of
//! [`corridor_core::state::PublicState`] has its RPC (GetNote, GetQuote, GetRegistration,
//! GetRegistrationNullifier, GetKycRoots, GetKycRootStanding), answered from the committed
//! state exactly as the node's own [`crate::View`] answers it, so that a prover or a wallet can
//! build transactions against a node it does not run.
//!
//! Status codes: INVALID_ARGUMENT for what is wrong with the caller's bytes (a malformed id,
//! spend key, root or nullifier, named by its field; an oversized or undecodable transaction, a
//! ledger rule, a proof that does not verify), ALREADY_EXISTS for a transaction already waiting,
//! RESOURCE_EXHAUSTED for a full mempool, NOT_FOUND for an unknown id or an unregistered spend
//! key, INTERNAL for a store failure. A refused transaction's status carries the metrics'
//! reason label in the `corridor-reason` metadata.
use crate::ledger::{BlockRecord, StoredNote};
use crate::pipeline::{Node, TxError};
use corridor_core::address::Address;
use corridor_core::group::Point;
use corridor_core::state::{PublicState, RootStanding, StoreError};
use corridor_core::tx::{FieldBytes, NoteId, Output, TxId};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, watch, Notify};
use tokio_stream::wrappers::ReceiverStream;
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status};

/// The generated messages, server and client of `corridor.node.v1`, and the encoded descriptor
/// set (with its import `corridor/v1/tx.proto`) that reflection serves.
#[allow(missing_docs, missing_debug_implementations, clippy::all)]
pub mod proto {
    tonic::include_proto!("corridor.node.v1");

    /// `FileDescriptorSet` of `corridor/node/v1/node.proto` and its imports, encoded.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        tonic::include_file_descriptor_set!("corridor_node_descriptor");
}

use proto::node_server::NodeServer;

/// Most notes one ListNotes answers.
pub const MAX_LIST_NOTES: u32 = 1_000;
/// Notes ListNotes answers when the request says 0.
pub const DEFAULT_LIST_NOTES: u32 = 100;

/// Seconds since the Unix epoch, UTC (0 if the clock is before it).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the API and the block loop tell each other: a transaction waits, a block committed,
/// the node stops.
#[derive(Debug)]
pub struct Events {
    waiting: Notify,
    committed: watch::Sender<u64>,
    stopping: watch::Sender<bool>,
}

impl Events {
    /// Events of a node whose last committed height is `height`.
    pub fn new(height: u64) -> Self {
        Self {
            waiting: Notify::new(),
            committed: watch::Sender::new(height),
            stopping: watch::Sender::new(false),
        }
    }

    /// A transaction entered the mempool.
    pub fn tx_waiting(&self) {
        self.waiting.notify_one();
    }

    /// Resolves when [`Self::tx_waiting`] was called (since the last time this resolved).
    pub async fn wait_for_tx(&self) {
        self.waiting.notified().await;
    }

    /// Block `height` committed.
    pub fn committed(&self, height: u64) {
        self.committed.send_replace(height);
    }

    /// The node stops: streams end, servers drain.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once [`Self::stop`] was called.
    pub async fn stopped(&self) {
        let mut rx = self.stopping.subscribe();
        // Err: the sender is gone, which only happens when `self` is: stop as well.
        let _ = rx.wait_for(|s| *s).await;
    }
}

/// The `corridor.node.v1.Node` service over a node.
#[derive(Clone, Debug)]
pub struct NodeApi {
    node: Arc<Node>,
    events: Arc<Events>,
}

impl NodeApi {
    /// The service of `node`; `events` connects it to the block loop.
    pub fn new(node: Arc<Node>, events: Arc<Events>) -> Self {
        Self { node, events }
    }

    /// As a tonic service, accepting requests up to the node's transaction cap (plus room for
    /// the envelope) so that a slightly oversized transaction gets the node's own answer.
    pub fn into_server(self) -> NodeServer<Self> {
        let max = self.node.config().max_tx_bytes.saturating_add(4096);
        NodeServer::new(self).max_decoding_message_size(max)
    }
}

/// The status of a refused transaction.
pub fn tx_status(e: &TxError) -> Status {
    let code = match e {
        TxError::InMempool(_) => tonic::Code::AlreadyExists,
        TxError::MempoolFull { .. } => tonic::Code::ResourceExhausted,
        TxError::Store(_) => tonic::Code::Internal,
        TxError::TooLarge { .. }
        | TxError::Decode(_)
        | TxError::Rule(_)
        | TxError::Verify(_)
        | TxError::BatchRejected => tonic::Code::InvalidArgument,
    };
    let mut status = Status::new(code, e.to_string());
    if let Ok(reason) = MetadataValue::try_from(e.reason()) {
        status.metadata_mut().insert("corridor-reason", reason);
    }
    status
}

fn store_status(e: StoreError) -> Status {
    Status::internal(e.to_string())
}

fn id32(bytes: &[u8], field: &str) -> Result<[u8; 32], Status> {
    <[u8; 32]>::try_from(bytes).map_err(|_| {
        Status::invalid_argument(format!("{field}: {} bytes, expected 32", bytes.len()))
    })
}

/// A BN254 field element (KYC roots, nullifiers): 32 canonical little-endian bytes.
fn field_element(bytes: &[u8], field: &str) -> Result<FieldBytes, Status> {
    FieldBytes::decode(bytes, field).map_err(|e| Status::invalid_argument(e.to_string()))
}

fn note_record(stored: StoredNote, spent_height: Option<u64>) -> proto::NoteRecord {
    let note = stored.note;
    proto::NoteRecord {
        note_id: note.id.0.to_vec(),
        tx_id: note.tx_id.0.to_vec(),
        output_index: note.output_index,
        asset: note.asset,
        owner_address: note.owner.encode(),
        output: Some(
            Output {
                owner: note.owner,
                amount: note.amount,
            }
            .to_proto(),
        ),
        remittance: note.remittance.map(|t| proto::RemittanceTag {
            operator: t.operator,
            quote_id: t.quote_id,
            beneficiary_commitment: t.beneficiary_commitment.to_vec(),
        }),
        height: stored.height,
        spent_height,
    }
}

fn block_message(b: BlockRecord) -> proto::Block {
    proto::Block {
        height: b.height,
        time: b.time,
        app_hash: b.app_hash.to_vec(),
        tx_ids: b.txs.iter().map(|id| id.0.to_vec()).collect(),
    }
}

/// The owner a ListNotes names: exactly one of its address string and its bytes.
fn list_owner(r: &proto::ListNotesRequest) -> Result<Address, Status> {
    match (r.owner_address.is_empty(), r.owner.is_empty()) {
        (false, true) => Address::decode(&r.owner_address)
            .map_err(|e| Status::invalid_argument(format!("owner_address: {e}"))),
        (true, false) => Address::from_bytes(&r.owner, "owner")
            .map_err(|e| Status::invalid_argument(e.to_string())),
        (true, true) => Err(Status::invalid_argument(
            "owner: give owner_address or owner",
        )),
        (false, false) => Err(Status::invalid_argument(
            "owner: give owner_address or owner, not both",
        )),
    }
}

/// The stream StreamBlocks answers with.
pub type BlockStream =
    Pin<Box<dyn tokio_stream::Stream<Item = Result<proto::Block, Status>> + Send>>;

/// Sends the committed blocks from `next` on into `out`, then each new one, until the client
/// goes away or the node stops.
async fn follow_blocks(
    node: Arc<Node>,
    events: Arc<Events>,
    mut next: u64,
    out: mpsc::Sender<Result<proto::Block, Status>>,
) {
    let mut committed = events.committed.subscribe();
    let mut stopping = events.stopping.subscribe();
    loop {
        // The node's own height, not the channel's value: a commit between the two is caught
        // by `changed` below.
        let _ = committed.borrow_and_update();
        let head = node.committed().height;
        while next <= head {
            let message = match node.view().block(next) {
                Ok(Some(b)) => Ok(block_message(b)),
                Ok(None) => Err(Status::internal(format!(
                    "block {next} missing from the store"
                ))),
                Err(e) => Err(store_status(e)),
            };
            let failed = message.is_err();
            tokio::select! {
                sent = out.send(message) => if sent.is_err() { return },
                _ = stopping.wait_for(|s| *s) => return,
            }
            if failed {
                return;
            }
            next += 1;
        }
        tokio::select! {
            changed = committed.changed() => if changed.is_err() { return },
            _ = stopping.wait_for(|s| *s) => return,
            () = out.closed() => return,
        }
    }
}

#[tonic::async_trait]
impl proto::node_server::Node for NodeApi {
    async fn submit_tx(
        &self,
        request: Request<proto::SubmitTxRequest>,
    ) -> Result<Response<proto::SubmitTxResponse>, Status> {
        let bytes = request.into_inner().tx;
        let node = self.node.clone();
        let admitted = tokio::task::spawn_blocking(move || node.check_tx_at(&bytes, unix_now()))
            .await
            .map_err(|e| Status::internal(format!("admission: {e}")))?;
        match admitted {
            Ok(id) => {
                self.events.tx_waiting();
                Ok(Response::new(proto::SubmitTxResponse {
                    tx_id: id.0.to_vec(),
                }))
            }
            Err(e) => Err(tx_status(&e)),
        }
    }

    async fn get_tx(
        &self,
        request: Request<proto::GetTxRequest>,
    ) -> Result<Response<proto::GetTxResponse>, Status> {
        let id = TxId(id32(&request.get_ref().tx_id, "tx_id")?);
        let record = self
            .node
            .view()
            .tx(&id)
            .map_err(store_status)?
            .ok_or_else(|| Status::not_found(format!("transaction {id}")))?;
        Ok(Response::new(proto::GetTxResponse {
            tx_id: id.0.to_vec(),
            tx: record.bytes,
            height: record.height,
            index: record.index,
        }))
    }

    async fn get_note(
        &self,
        request: Request<proto::GetNoteRequest>,
    ) -> Result<Response<proto::GetNoteResponse>, Status> {
        let id = NoteId(id32(&request.get_ref().note_id, "note_id")?);
        let view = self.node.view();
        let stored = view
            .stored_note(&id)
            .map_err(store_status)?
            .ok_or_else(|| Status::not_found(format!("note {id}")))?;
        let spent = view.spent_at(&id).map_err(store_status)?;
        Ok(Response::new(proto::GetNoteResponse {
            note: Some(note_record(stored, spent)),
        }))
    }

    async fn list_notes(
        &self,
        request: Request<proto::ListNotesRequest>,
    ) -> Result<Response<proto::ListNotesResponse>, Status> {
        let r = request.into_inner();
        let owner = list_owner(&r)?;
        let limit = match r.limit {
            0 => DEFAULT_LIST_NOTES,
            n => n.min(MAX_LIST_NOTES),
        };
        let notes = self
            .node
            .view()
            .notes_of(&owner, r.since, limit as usize)
            .map_err(store_status)?
            .into_iter()
            .map(|(stored, spent)| note_record(stored, spent))
            .collect();
        Ok(Response::new(proto::ListNotesResponse { notes }))
    }

    type StreamBlocksStream = BlockStream;

    async fn stream_blocks(
        &self,
        request: Request<proto::StreamBlocksRequest>,
    ) -> Result<Response<Self::StreamBlocksStream>, Status> {
        let from = request.get_ref().from_height.max(1);
        let (tx, rx) = mpsc::channel(16);
        tokio::spawn(follow_blocks(
            self.node.clone(),
            self.events.clone(),
            from,
            tx,
        ));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn get_kyc_roots(
        &self,
        request: Request<proto::GetKycRootsRequest>,
    ) -> Result<Response<proto::GetKycRootsResponse>, Status> {
        let issuer = request.get_ref().issuer;
        let head = self
            .node
            .view()
            .kyc_root_head(issuer)
            .map_err(store_status)?
            .ok_or_else(|| Status::not_found(format!("issuer {issuer} has published no root")))?;
        Ok(Response::new(proto::GetKycRootsResponse {
            issuer,
            seq: head.seq,
            root: head.root.0.to_vec(),
        }))
    }

    async fn get_kyc_root_standing(
        &self,
        request: Request<proto::GetKycRootStandingRequest>,
    ) -> Result<Response<proto::GetKycRootStandingResponse>, Status> {
        let r = request.get_ref();
        let root = field_element(&r.root, "root")?;
        let standing = self
            .node
            .view()
            .kyc_root(r.issuer, &root)
            .map_err(store_status)?;
        let (standing, superseded_height) = match standing {
            None => (proto::KycRootStanding::Unknown, None),
            Some(RootStanding::Current) => (proto::KycRootStanding::Current, None),
            Some(RootStanding::SupersededAt(h)) => (proto::KycRootStanding::Superseded, Some(h)),
        };
        Ok(Response::new(proto::GetKycRootStandingResponse {
            issuer: r.issuer,
            root: root.0.to_vec(),
            standing: standing.into(),
            superseded_height,
        }))
    }

    async fn get_registration(
        &self,
        request: Request<proto::GetRegistrationRequest>,
    ) -> Result<Response<proto::GetRegistrationResponse>, Status> {
        let x = Point::decode_nonidentity(&request.get_ref().spend_key, "spend_key")
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let registration = self
            .node
            .view()
            .registration(&x)
            .map_err(store_status)?
            .ok_or_else(|| {
                Status::not_found(format!(
                    "spend key {} is not registered",
                    hex::encode(x.to_bytes())
                ))
            })?;
        Ok(Response::new(proto::GetRegistrationResponse {
            address: Some(registration.address.to_proto()),
            link: registration.link.map(|l| l.0.to_vec()),
        }))
    }

    async fn get_registration_nullifier(
        &self,
        request: Request<proto::GetRegistrationNullifierRequest>,
    ) -> Result<Response<proto::GetRegistrationNullifierResponse>, Status> {
        let nullifier = field_element(&request.get_ref().nullifier, "nullifier")?;
        let height = self
            .node
            .view()
            .registration_nullifier_height(&nullifier)
            .map_err(store_status)?;
        Ok(Response::new(proto::GetRegistrationNullifierResponse {
            nullifier: nullifier.0.to_vec(),
            used: height.is_some(),
            height,
        }))
    }

    async fn get_quote(
        &self,
        request: Request<proto::GetQuoteRequest>,
    ) -> Result<Response<proto::GetQuoteResponse>, Status> {
        let r = request.get_ref();
        let q = self
            .node
            .view()
            .quote(&r.operator, r.quote_id)
            .map_err(store_status)?
            .ok_or_else(|| {
                Status::not_found(format!(
                    "operator {:?} has no quote {}",
                    r.operator, r.quote_id
                ))
            })?;
        Ok(Response::new(proto::GetQuoteResponse {
            quote: Some(corridor_core::proto::PublishQuote {
                operator: q.operator,
                quote_id: q.quote_id,
                asset_from: q.asset_from,
                asset_to: q.asset_to,
                num: q.num,
                den: q.den,
                expiry_height: q.expiry_height,
            }),
        }))
    }

    async fn get_mint_nonce(
        &self,
        request: Request<proto::GetMintNonceRequest>,
    ) -> Result<Response<proto::GetMintNonceResponse>, Status> {
        let asset = &request.get_ref().asset;
        if !self.node.genesis().assets.iter().any(|a| &a.code == asset) {
            return Err(Status::not_found(format!(
                "asset {asset:?} is not in genesis"
            )));
        }
        let last = self.node.view().mint_nonce(asset).map_err(store_status)?;
        Ok(Response::new(proto::GetMintNonceResponse { last }))
    }

    async fn status(
        &self,
        _request: Request<proto::StatusRequest>,
    ) -> Result<Response<proto::StatusResponse>, Status> {
        let c = self.node.committed();
        Ok(Response::new(proto::StatusResponse {
            network: self.node.genesis().network.clone(),
            height: c.height,
            app_hash: c.app_hash.to_vec(),
            time: c.time,
            mempool_size: self.node.mempool_len() as u64,
        }))
    }
}
