//! The node, as a client sees it: submit a transaction and wait for its commit; read blocks,
//! transactions, notes, quotes and mint nonces.
use super::ClientError;
use corridor_core::state::PublicState;
use corridor_core::tx::{NoteId, PublishQuote, Transaction, TxId};
use corridor_prover::service::node_api as api;
use corridor_prover::service::{connect, NodeClient, ReceivedNote, RemoteState};
use std::time::{Duration, Instant};

const NODE: &str = "node";

/// A transaction the node committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// Its id.
    pub tx_id: TxId,
    /// The height of its block.
    pub height: u64,
}

/// A node's API, with how a client waits for commits.
#[derive(Clone, Debug)]
pub struct Ledger {
    node: NodeClient,
    poll: Duration,
    commit_timeout: Duration,
}

impl Ledger {
    /// Over `node`; waits for commits polling every 5 ms, for at most 60 s.
    pub fn new(node: NodeClient) -> Self {
        Ledger {
            node,
            poll: Duration::from_millis(5),
            commit_timeout: Duration::from_secs(60),
        }
    }

    /// Connects to the node API at `endpoint` (`http://127.0.0.1:50051`).
    pub async fn connect(endpoint: &str) -> Result<Self, ClientError> {
        let node = connect(endpoint).await.map_err(|e| ClientError::Connect {
            service: NODE,
            endpoint: e.endpoint,
            source: e.source,
        })?;
        Ok(Self::new(node))
    }

    /// The node's client.
    pub fn node(&self) -> &NodeClient {
        &self.node
    }

    /// [`PublicState`] over this node, for the current runtime's blocking threads.
    pub fn remote_state(&self) -> RemoteState {
        RemoteState::new(self.node.clone(), tokio::runtime::Handle::current())
    }

    /// Runs `f` over [`Self::remote_state`] on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ClientError>
    where
        T: Send + 'static,
        F: FnOnce(&RemoteState) -> Result<T, ClientError> + Send + 'static,
    {
        let state = self.remote_state();
        tokio::task::spawn_blocking(move || f(&state)).await?
    }

    /// The node's network and last committed block.
    pub async fn status(&self) -> Result<api::StatusResponse, ClientError> {
        Ok(self
            .node
            .clone()
            .status(api::StatusRequest {})
            .await
            .map_err(ClientError::of(NODE, "Status"))?
            .into_inner())
    }

    /// Hands `tx` to the node (admission verifies it in full).
    pub async fn submit(&self, tx: &Transaction) -> Result<TxId, ClientError> {
        self.node
            .clone()
            .submit_tx(api::SubmitTxRequest { tx: tx.encode() })
            .await
            .map_err(ClientError::of(NODE, "SubmitTx"))?;
        Ok(tx.id())
    }

    /// Waits until `id` is committed: the height of its block.
    pub async fn wait_committed(&self, id: &TxId) -> Result<u64, ClientError> {
        let start = Instant::now();
        loop {
            if let Some(height) = self.committed_height(id).await? {
                return Ok(height);
            }
            if start.elapsed() > self.commit_timeout {
                return Err(ClientError::NotCommitted {
                    tx_id: *id,
                    waited: start.elapsed(),
                });
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// Submits `tx` and waits for its commit.
    pub async fn submit_and_wait(&self, tx: &Transaction) -> Result<Committed, ClientError> {
        let tx_id = self.submit(tx).await?;
        let height = self.wait_committed(&tx_id).await?;
        Ok(Committed { tx_id, height })
    }

    /// The height `id` was committed at, `None` if it is not (yet).
    pub async fn committed_height(&self, id: &TxId) -> Result<Option<u64>, ClientError> {
        match self
            .node
            .clone()
            .get_tx(api::GetTxRequest {
                tx_id: id.0.to_vec(),
            })
            .await
        {
            Ok(r) => Ok(Some(r.into_inner().height)),
            Err(s) if s.code() == tonic::Code::NotFound => Ok(None),
            Err(s) => Err(ClientError::rpc(NODE, "GetTx", &s)),
        }
    }

    /// A committed transaction and its height.
    pub async fn transaction(&self, id: &TxId) -> Result<(Transaction, u64), ClientError> {
        const RPC: &str = "GetTx";
        let r = self
            .node
            .clone()
            .get_tx(api::GetTxRequest {
                tx_id: id.0.to_vec(),
            })
            .await
            .map_err(ClientError::of(NODE, RPC))?
            .into_inner();
        let tx = Transaction::decode(&r.tx).map_err(ClientError::answer(NODE, RPC))?;
        if tx.id() != *id {
            return Err(ClientError::Answer {
                service: NODE,
                rpc: RPC,
                source: corridor_core::DecodeError::invalid("tx", "not the transaction asked"),
            });
        }
        Ok((tx, r.height))
    }

    /// A note by id, with the heights that created and spent it (`None` if the ledger has
    /// none).
    pub async fn note(&self, id: NoteId) -> Result<Option<ReceivedNote>, ClientError> {
        self.read(move |s| Ok(s.note_record(&id)?)).await
    }

    /// An operator's quote.
    pub async fn quote(
        &self,
        operator: &str,
        quote_id: u64,
    ) -> Result<Option<PublishQuote>, ClientError> {
        let operator = operator.to_string();
        self.read(move |s| Ok(s.quote(&operator, quote_id)?)).await
    }

    /// The nonce of `asset`'s last mint (`None` before its first).
    pub async fn mint_nonce(&self, asset: &str) -> Result<Option<u64>, ClientError> {
        Ok(self
            .node
            .clone()
            .get_mint_nonce(api::GetMintNonceRequest {
                asset: asset.to_string(),
            })
            .await
            .map_err(ClientError::of(NODE, "GetMintNonce"))?
            .into_inner()
            .last)
    }

    /// Whether the node holds `root` as one of `issuer`'s published roots (current, or
    /// superseded: the node's window decides whether a proof under it is still accepted).
    pub async fn kyc_root_published(
        &self,
        issuer: u32,
        root: &[u8; 32],
    ) -> Result<bool, ClientError> {
        let r = self
            .node
            .clone()
            .get_kyc_root_standing(api::GetKycRootStandingRequest {
                issuer,
                root: root.to_vec(),
            })
            .await
            .map_err(ClientError::of(NODE, "GetKycRootStanding"))?
            .into_inner();
        Ok(r.standing() != api::KycRootStanding::Unknown)
    }

    /// Blocks from `from` on: the committed ones, then each new one as it commits.
    pub async fn blocks(&self, from: u64) -> Result<tonic::Streaming<api::Block>, ClientError> {
        Ok(self
            .node
            .clone()
            .stream_blocks(api::StreamBlocksRequest { from_height: from })
            .await
            .map_err(ClientError::of(NODE, "StreamBlocks"))?
            .into_inner())
    }

    /// How long to wait before polling again.
    pub(crate) fn poll(&self) -> Duration {
        self.poll
    }

    /// The longest wait for a commit.
    pub(crate) fn commit_timeout(&self) -> Duration {
        self.commit_timeout
    }
}
