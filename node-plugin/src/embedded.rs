//! The embedded single-node ledger (DESIGN.md §4, the default mode): the node API with health
//! and reflection, Prometheus metrics over HTTP, and a block loop that cuts a block as soon as
//! transactions wait — woken by SubmitTx, or at the latest every [`EmbeddedConfig::tick`] —
//! stamped with the wall clock (UTC seconds).
//!
//! [`Embedded::bind`] binds the listeners first (port 0 works: [`Embedded::grpc_addr`] says
//! which port), [`Embedded::run`] serves until its shutdown future resolves, then drains: the
//! block loop finishes the block it is committing, streams end, connections close.
use crate::api::{unix_now, Events, NodeApi};
use crate::pipeline::{Node, NodeError};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_stream::wrappers::TcpListenerStream;

/// Where the embedded node listens and how often its block loop looks at the mempool.
#[derive(Clone, Debug)]
pub struct EmbeddedConfig {
    /// The gRPC API.
    pub grpc: SocketAddr,
    /// The Prometheus endpoint (`GET /metrics`), if any.
    pub metrics: Option<SocketAddr>,
    /// The block loop's longest wait between looks at the mempool (it is also woken at once by
    /// each admitted transaction).
    pub tick: Duration,
    /// How long a shutdown waits for open connections before dropping them.
    pub drain: Duration,
}

impl EmbeddedConfig {
    /// Listening on `grpc`, no metrics, a 25 ms tick, 5 s to drain.
    pub fn new(grpc: SocketAddr) -> Self {
        Self {
            grpc,
            metrics: None,
            tick: Duration::from_millis(25),
            drain: Duration::from_secs(5),
        }
    }
}

/// Why the embedded node stopped on its own.
#[derive(Debug, Error)]
pub enum EmbeddedError {
    /// A listener could not bind.
    #[error("binding {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// Reflection could not load the descriptor sets.
    #[error("reflection: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    /// The gRPC server failed.
    #[error("grpc server: {0}")]
    Serve(#[from] tonic::transport::Error),
    /// The node could not commit a block (the store failed).
    #[error("block loop: {0}")]
    Node(#[from] NodeError),
    /// A task panicked.
    #[error("task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The embedded node, listening.
#[derive(Debug)]
pub struct Embedded {
    node: Arc<Node>,
    config: EmbeddedConfig,
    grpc: TcpListener,
    metrics: Option<TcpListener>,
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, EmbeddedError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| EmbeddedError::Bind { addr, source })
}

impl Embedded {
    /// Binds the API (and the metrics endpoint) of `node`.
    ///
    /// # Errors
    /// [`EmbeddedError::Bind`].
    pub async fn bind(node: Arc<Node>, config: EmbeddedConfig) -> Result<Self, EmbeddedError> {
        let grpc = bind(config.grpc).await?;
        let metrics = match config.metrics {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        Ok(Self {
            node,
            config,
            grpc,
            metrics,
        })
    }

    /// The API's address.
    pub fn grpc_addr(&self) -> SocketAddr {
        self.grpc.local_addr().unwrap_or(self.config.grpc)
    }

    /// The metrics endpoint's address.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` resolves (or the block loop fails), then drains.
    ///
    /// # Errors
    /// The block loop's store error, the server's failure, a panicked task.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), EmbeddedError> {
        let node = self.node;
        let events = Arc::new(Events::new(node.committed().height));
        let (health_reporter, health) = tonic_health::server::health_reporter();
        health_reporter
            .set_serving::<crate::api::proto::node_server::NodeServer<NodeApi>>()
            .await;
        let reflection = || {
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(crate::api::proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        };
        let reflection_v1 = reflection().build_v1()?;
        // Older clients (grpcurl before 1.8.8, some IDEs) only speak v1alpha.
        let reflection_v1alpha = reflection().build_v1alpha()?;
        let server = tonic::transport::Server::builder()
            .add_service(health)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha)
            .add_service(NodeApi::new(node.clone(), events.clone()).into_server())
            .serve_with_incoming_shutdown(
                tokio_stream::StreamExt::map(TcpListenerStream::new(self.grpc), |conn| {
                    // Small gRPC frames: without TCP_NODELAY each answer can wait ~40 ms on Nagle.
                    if let Ok(c) = &conn {
                        let _ = c.set_nodelay(true);
                    }
                    conn
                }),
                {
                    let events = events.clone();
                    async move { events.stopped().await }
                },
            );
        let mut server = tokio::spawn(server);
        let blocks = tokio::spawn(cut_blocks(node.clone(), events.clone(), self.config.tick));
        let metrics = self
            .metrics
            .map(|l| tokio::spawn(serve_metrics(l, node.clone(), events.clone())));

        // Until the signal, a failed block loop (which stops the events), or a server that
        // ended on its own (an accept error).
        let ended = tokio::select! {
            () = shutdown => None,
            () = events.stopped() => None,
            joined = &mut server => Some(joined),
        };
        events.stop();
        health_reporter
            .set_not_serving::<crate::api::proto::node_server::NodeServer<NodeApi>>()
            .await;
        let blocks = blocks.await;
        let served = match ended {
            Some(joined) => Ok(joined),
            None => tokio::time::timeout(self.config.drain, server).await,
        };
        if let Some(m) = metrics {
            m.abort();
        }
        blocks??;
        match served {
            Ok(joined) => joined??,
            // Connections still open after the drain time are dropped with the runtime.
            Err(_elapsed) => {}
        }
        Ok(())
    }
}

/// The block loop: whenever transactions wait, propose, execute and commit one block from the
/// mempool at the wall clock's time (on a blocking thread), and tell the streams.
async fn cut_blocks(
    node: Arc<Node>,
    events: Arc<Events>,
    tick: Duration,
) -> Result<(), EmbeddedError> {
    let mut more = false;
    loop {
        if !more {
            tokio::select! {
                () = events.wait_for_tx() => {}
                () = tokio::time::sleep(tick) => {}
                () = events.stopped() => return Ok(()),
            }
        }
        if node.mempool_len() == 0 {
            more = false;
            continue;
        }
        let n = node.clone();
        let stepped = tokio::task::spawn_blocking(move || n.step(unix_now())).await;
        match stepped {
            Ok(Ok(Some(block))) => {
                events.committed(block.sealed.record.height);
                // What did not fit waits for the next block at once.
                more = node.mempool_len() > 0;
            }
            Ok(Ok(None)) => more = false,
            Ok(Err(e)) => {
                events.stop();
                return Err(e.into());
            }
            Err(e) => {
                events.stop();
                return Err(e.into());
            }
        }
    }
}

/// The node's metrics endpoint: [`serve_metrics_with`] over [`render_metrics`] until the node
/// stops.
async fn serve_metrics(listener: TcpListener, node: Arc<Node>, events: Arc<Events>) {
    let render = move || render_metrics(&node);
    serve_metrics_with(listener, Arc::new(render), async move {
        events.stopped().await;
    })
    .await;
}

/// The text a metrics endpoint serves, rendered at each request.
pub type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

/// A tiny HTTP/1.1 responder: `GET /metrics` answers `render()` (the Prometheus text
/// exposition); anything else 404 (or 405 for another method). One request per connection,
/// 5 s at most each; returns when `stop` resolves. The node serves its own with it, and the
/// command line serves the prover service's.
pub async fn serve_metrics_with(
    listener: TcpListener,
    render: RenderMetrics,
    stop: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let render = render.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(
                            Duration::from_secs(5),
                            answer_metrics(stream, &*render),
                        )
                        .await;
                    });
                }
            }
            () = &mut stop => return,
        }
    }
}

/// The longest request head read.
const MAX_HEAD: usize = 8 * 1024;

/// The exposition of `node`: its counters and the mempool's size.
pub fn render_metrics(node: &Node) -> String {
    let mut body = node.metrics().render();
    body.push_str("# HELP corridor_mempool_size Transactions waiting in the mempool.\n");
    body.push_str("# TYPE corridor_mempool_size gauge\n");
    body.push_str(&format!("corridor_mempool_size {}\n", node.mempool_len()));
    body
}

async fn answer_metrics(
    mut stream: TcpStream,
    render: &(dyn Fn() -> String + Send + Sync),
) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let line = head
        .split(|&b| b == b'\r' || b == b'\n')
        .next()
        .unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("").split('?').next().unwrap_or("");
    let (status, content_type, body) = match (method, path) {
        ("GET", "/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            render(),
        ),
        ("GET", _) => ("404 Not Found", "text/plain", "not found\n".to_string()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "method not allowed\n".to_string(),
        ),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
