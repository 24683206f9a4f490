//! What the tests that start node processes share (`corridor node run`, `replay`, `abci`): the
//! genesis file and the dev-seed KYC parameter folder a node needs, and a `corridor node run`
//! process with its API client.
use corridor::demo::{run_remittance_at, DemoReport};
use corridor::network::{dev_kyc_keys, DEV_PARAMS_SEED};
use corridor_core::genesis::Genesis;
use corridor_core::tx::Transaction;
use corridor_node::api::proto::{self, node_client::NodeClient};
use corridor_node::api::unix_now;
use corridor_node::GenesisFile;
use corridor_params::{CircuitInfo, ParamsDir};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::Code;

/// Writes `genesis` as TOML to `path`.
pub fn write_genesis(path: &Path, genesis: &Genesis) {
    std::fs::write(path, GenesisFile::from_genesis(genesis).to_toml().unwrap()).unwrap();
}

/// Writes the dev-seed parameter folder (the demo network's KYC keys) to `dir`.
pub fn write_dev_params(dir: &Path) {
    ParamsDir::new(dir)
        .write(
            &CircuitInfo::kyc().unwrap(),
            &dev_kyc_keys().unwrap().proving,
            Some(DEV_PARAMS_SEED),
        )
        .unwrap();
}

/// Writes `genesis.toml` and the dev-seed parameter folder `params/` into `dir`.
#[allow(dead_code)] // not every test binary that includes this module writes both
pub fn write_network_files(dir: &Path, genesis: &Genesis) {
    write_genesis(&dir.join("genesis.toml"), genesis);
    write_dev_params(&dir.join("params"));
}

/// A `corridor node run` process on a data folder of its own; killed and removed on drop.
#[allow(dead_code)] // not every test binary that includes this module starts one
pub struct NodeProcess {
    child: Child,
    stdout: BufReader<ChildStdout>,
    data: PathBuf,
    /// Its gRPC address (`127.0.0.1:port`).
    pub grpc: String,
    /// Its metrics address (`127.0.0.1:port`).
    pub metrics: String,
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

#[allow(dead_code)]
impl NodeProcess {
    /// Starts `corridor node run` on `dir`'s `genesis.toml` and `params/` (see
    /// [`write_network_files`]), with data folder `dir/data-{name}`, gRPC and metrics on
    /// 127.0.0.1 ports of its choosing; returns once it printed `ready`.
    pub fn start(dir: &Path, name: &str) -> NodeProcess {
        let data = dir.join(format!("data-{name}"));
        let _ = std::fs::remove_dir_all(&data);
        let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(["node", "run", "--genesis"])
            .arg(dir.join("genesis.toml"))
            .arg("--params")
            .arg(dir.join("params"))
            .arg("--data")
            .arg(&data)
            .args(["--grpc", "127.0.0.1:0", "--metrics", "127.0.0.1:0"])
            .args(["--threads", "2"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("corridor node run");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut node = NodeProcess {
            child,
            stdout,
            data,
            grpc: String::new(),
            metrics: String::new(),
        };
        loop {
            let line = node.line();
            if let Some(addr) = line.strip_prefix("grpc ") {
                node.grpc = addr.to_string();
            } else if let Some(url) = line.strip_prefix("metrics http://") {
                node.metrics = url.trim_end_matches("/metrics").to_string();
            } else if line == "ready" {
                break;
            }
        }
        assert!(node.grpc.starts_with("127.0.0.1:"), "{}", node.grpc);
        assert!(node.metrics.starts_with("127.0.0.1:"), "{}", node.metrics);
        node
    }

    /// The next line the node prints.
    pub fn line(&mut self) -> String {
        let mut line = String::new();
        let n = self.stdout.read_line(&mut line).unwrap();
        assert!(n > 0, "the node exited: {:?}", self.child.try_wait());
        line.trim_end().to_string()
    }

    /// A client of its API.
    pub async fn client(&self) -> NodeClient<Channel> {
        NodeClient::connect(format!("http://{}", self.grpc))
            .await
            .expect("connect")
    }

    /// SIGTERM; the node must drain and exit 0 within `within`, printing its last height.
    pub fn terminate(mut self, within: Duration) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let start = Instant::now();
        let exit = loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                break exit;
            }
            assert!(start.elapsed() < within, "still running after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(exit.success(), "exit after SIGTERM: {exit}");
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        rest
    }
}

/// Waits until transaction `id` is committed.
#[allow(dead_code)]
pub async fn committed(client: &mut NodeClient<Channel>, id: &[u8]) -> proto::GetTxResponse {
    let start = Instant::now();
    loop {
        match client
            .get_tx(proto::GetTxRequest { tx_id: id.to_vec() })
            .await
        {
            Ok(r) => return r.into_inner(),
            Err(s) if s.code() == Code::NotFound => {}
            Err(s) => panic!("GetTx: {s}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "not committed after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Submits `txs` in order, each once the one before committed (each spends what the one before
/// created), and returns where each committed.
#[allow(dead_code)]
pub async fn submit_all(
    client: &mut NodeClient<Channel>,
    txs: &[Transaction],
) -> Vec<proto::GetTxResponse> {
    let mut out = Vec::new();
    for (i, tx) in txs.iter().enumerate() {
        let id = client
            .submit_tx(proto::SubmitTxRequest { tx: tx.encode() })
            .await
            .unwrap_or_else(|s| panic!("transaction {i}: {s}"))
            .into_inner()
            .tx_id;
        assert_eq!(id, tx.id().0.to_vec());
        out.push(committed(client, &id).await);
    }
    out
}

/// The demo's remittance chain on a network whose height 0 is an hour ago (a node stamps its
/// blocks with the wall clock, and the KYC proofs carry the epoch day of the block they were
/// built for, which must be the block's UTC day or the day before), with the folder holding its
/// `genesis.toml` and `params/` for node processes.
#[allow(dead_code)]
pub struct Chain {
    /// The folder of the network files.
    pub dir: PathBuf,
    /// The chain and the in-process network that committed it.
    pub report: DemoReport,
}

#[allow(dead_code)]
impl Chain {
    /// Every transaction of the chain, onboarding included, in commit order (one per block).
    pub fn txs(&self) -> &[Transaction] {
        self.report.network.committed()
    }
}

/// The chain, built once per test binary.
#[allow(dead_code)]
pub fn chain() -> &'static Chain {
    static CHAIN: OnceLock<Chain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("corridor-chain-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let report = run_remittance_at(5, unix_now() - 3_600, &mut |_| {}).expect("the chain");
        write_network_files(&dir, &report.network.genesis);
        Chain { dir, report }
    })
}

/// grpcurl: `$GRPCURL`, on the PATH, or where `go install` puts it.
#[allow(dead_code)]
pub fn grpcurl() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GRPCURL") {
        return Some(PathBuf::from(p));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("grpcurl"));
    let go_bin = std::env::var_os("HOME").map(|h| Path::new(&h).join("go/bin/grpcurl"));
    on_path.chain(go_bin).find(|p| p.is_file())
}

/// Runs grpcurl: (success, stdout, stderr).
#[allow(dead_code)]
pub fn run_grpcurl(grpcurl: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(grpcurl).args(args).output().expect("grpcurl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `GET path` on a metrics endpoint at `addr`: (status line, body).
#[allow(dead_code)]
pub fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_string(), body.to_string())
}
