//! `corridor node abci`, the ABCI 2.0 application, as CometBFT v0.38 drives it.
//!
//! - Without CometBFT: a client that speaks the socket protocol (length-delimited protobuf
//!   over TCP, a Flush after each request, as CometBFT's socket client does) drives Info →
//!   InitChain → CheckTx → PrepareProposal → ProcessProposal → FinalizeBlock → Commit with the
//!   demo's remittance chain over 127.0.0.1, checks every app hash against an in-memory
//!   reference node, rejects a proposal holding a bad transaction, finalizes a block again
//!   after a SIGKILL before its Commit, and refuses an oversized frame and another chain.
//! - With CometBFT (`CORRIDOR_COMETBFT` names the binary; `.ci/run` installs v0.38 and sets
//!   it): four validators on 127.0.0.1, each with its own `corridor node abci`, carry the
//!   remittance chain; one validator (CometBFT and app) is SIGKILLed, blocks go on with three,
//!   and once restarted it catches up to the same app hashes. Without the variable that test
//!   says it is skipped.
mod support;

use corridor::demo::{run_remittance, run_remittance_at};
use corridor::network::{dev_kyc_keys, BLOCK_SECONDS, GENESIS_TIME};
use corridor_core::tx::{NoteId, Transaction};
use corridor_node::abci::code;
use corridor_node::{MemoryKv, Node, NodeConfig};
use prost013::Message;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tendermint_proto::google::protobuf::{Duration as PbDuration, Timestamp};
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::types as pbtypes;

// ---------------------------------------------------------------------------------------------
// Fixtures shared by both tests.

/// A scratch folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("corridor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        } else {
            eprintln!("kept {} for inspection", self.0.display());
        }
    }
}

/// A child process, SIGKILLed and reaped when dropped.
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- last lines of {} ---\n{}", self.name, self.tail());
        }
    }
}

/// `corridor node abci` on `data`, listening on a free port of 127.0.0.1.
struct AbciApp {
    proc: Proc,
    addr: SocketAddr,
    _stdout: BufReader<ChildStdout>,
}

fn spawn_app(dir: &Path, data: &Path, threads: usize, name: &str) -> AbciApp {
    let log = dir.join(format!("{name}.log"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["node", "abci", "--genesis"])
        .arg(dir.join("genesis.toml"))
        .arg("--params")
        .arg(dir.join("params"))
        .arg("--data")
        .arg(data)
        .args(["--listen", "127.0.0.1:0", "--threads", &threads.to_string()])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("corridor node abci");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let proc = Proc {
        name: name.into(),
        child,
        log,
    };
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("{name} printed {line:?}; log:\n{}", proc.tail()))
        .parse()
        .unwrap();
    AbciApp {
        proc,
        addr,
        _stdout: stdout,
    }
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------------------------------------
// The socket client.

/// One ABCI connection, as CometBFT's socket client uses it.
struct Client {
    stream: TcpStream,
}

fn write_frame(w: &mut impl Write, m: &impl Message) -> std::io::Result<()> {
    let mut buf = Vec::new();
    prost013::encoding::encode_varint(m.encoded_len() as u64, &mut buf);
    m.encode(&mut buf).unwrap();
    w.write_all(&buf)
}

fn read_frame(r: &mut impl Read) -> std::io::Result<pb::Response> {
    let mut len: u64 = 0;
    for i in 0..10 {
        let mut b = [0u8; 1];
        r.read_exact(&mut b)?;
        len |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] < 0x80 {
            break;
        }
    }
    let mut body = vec![0u8; len as usize];
    r.read_exact(&mut body)?;
    Ok(pb::Response::decode(body.as_slice()).unwrap())
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        Self { stream }
    }

    /// Sends `value` and a Flush; returns the answer (and checks the Flush's).
    fn call(&mut self, value: pb::request::Value) -> pb::response::Value {
        write_frame(&mut self.stream, &pb::Request { value: Some(value) }).unwrap();
        write_frame(
            &mut self.stream,
            &pb::Request {
                value: Some(pb::request::Value::Flush(pb::RequestFlush {})),
            },
        )
        .unwrap();
        let answer = read_frame(&mut self.stream).unwrap().value.unwrap();
        let flush = read_frame(&mut self.stream).unwrap().value.unwrap();
        assert!(matches!(flush, pb::response::Value::Flush(_)), "{flush:?}");
        answer
    }

    fn info(&mut self) -> pb::ResponseInfo {
        match self.call(pb::request::Value::Info(pb::RequestInfo {
            version: "0.38.25".into(),
            block_version: 11,
            p2p_version: 8,
            abci_version: "2.0.0".into(),
        })) {
            pb::response::Value::Info(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn init_chain(&mut self, chain_id: &str) -> pb::response::Value {
        self.call(pb::request::Value::InitChain(pb::RequestInitChain {
            time: Some(timestamp(GENESIS_TIME)),
            chain_id: chain_id.into(),
            consensus_params: Some(consensus_params()),
            validators: Vec::new(),
            app_state_bytes: Vec::new().into(),
            initial_height: 1,
        }))
    }

    fn check_tx(&mut self, tx: &[u8], recheck: bool) -> pb::ResponseCheckTx {
        match self.call(pb::request::Value::CheckTx(pb::RequestCheckTx {
            tx: tx.to_vec().into(),
            r#type: i32::from(recheck),
        })) {
            pb::response::Value::CheckTx(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn prepare(&mut self, height: u64, txs: &[Vec<u8>], max_tx_bytes: i64) -> Vec<Vec<u8>> {
        match self.call(pb::request::Value::PrepareProposal(
            pb::RequestPrepareProposal {
                max_tx_bytes,
                txs: txs.iter().map(|t| t.clone().into()).collect(),
                local_last_commit: Some(pb::ExtendedCommitInfo {
                    round: 0,
                    votes: Vec::new(),
                }),
                misbehavior: Vec::new(),
                height: height as i64,
                time: Some(timestamp(block_time(height))),
                next_validators_hash: vec![1; 32].into(),
                proposer_address: vec![2; 20].into(),
            },
        )) {
            pb::response::Value::PrepareProposal(r) => {
                r.txs.into_iter().map(|t| t.to_vec()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    /// ProcessProposal: whether the block is accepted.
    fn process(&mut self, height: u64, txs: &[Vec<u8>]) -> bool {
        match self.call(pb::request::Value::ProcessProposal(
            pb::RequestProcessProposal {
                txs: txs.iter().map(|t| t.clone().into()).collect(),
                proposed_last_commit: Some(pb::CommitInfo {
                    round: 0,
                    votes: Vec::new(),
                }),
                misbehavior: Vec::new(),
                hash: vec![3; 32].into(),
                height: height as i64,
                time: Some(timestamp(block_time(height))),
                next_validators_hash: vec![1; 32].into(),
                proposer_address: vec![2; 20].into(),
            },
        )) {
            pb::response::Value::ProcessProposal(r) => {
                let status = pb::response_process_proposal::ProposalStatus::try_from(r.status);
                match status {
                    Ok(pb::response_process_proposal::ProposalStatus::Accept) => true,
                    Ok(pb::response_process_proposal::ProposalStatus::Reject) => false,
                    other => panic!("status {other:?}"),
                }
            }
            other => panic!("{other:?}"),
        }
    }

    fn finalize(&mut self, height: u64, txs: &[Vec<u8>]) -> pb::ResponseFinalizeBlock {
        match self.call(pb::request::Value::FinalizeBlock(
            pb::RequestFinalizeBlock {
                txs: txs.iter().map(|t| t.clone().into()).collect(),
                decided_last_commit: Some(pb::CommitInfo {
                    round: 0,
                    votes: Vec::new(),
                }),
                misbehavior: Vec::new(),
                hash: vec![3; 32].into(),
                height: height as i64,
                time: Some(timestamp(block_time(height))),
                next_validators_hash: vec![1; 32].into(),
                proposer_address: vec![2; 20].into(),
            },
        )) {
            pb::response::Value::FinalizeBlock(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn commit(&mut self) -> pb::ResponseCommit {
        match self.call(pb::request::Value::Commit(pb::RequestCommit {})) {
            pb::response::Value::Commit(r) => r,
            other => panic!("{other:?}"),
        }
    }

    fn query(&mut self, path: &str, data: &[u8]) -> pb::ResponseQuery {
        match self.call(pb::request::Value::Query(pb::RequestQuery {
            data: data.to_vec().into(),
            path: path.into(),
            height: 0,
            prove: false,
        })) {
            pb::response::Value::Query(r) => r,
            other => panic!("{other:?}"),
        }
    }
}

fn timestamp(seconds: u64) -> Timestamp {
    Timestamp {
        seconds: seconds as i64,
        // Sub-second parts are dropped by the app: block times are whole UTC seconds.
        nanos: 250_000_000,
    }
}

/// The demo chain's block times.
fn block_time(height: u64) -> u64 {
    GENESIS_TIME + height * BLOCK_SECONDS
}

/// Consensus parameters as CometBFT's default genesis carries them.
fn consensus_params() -> pbtypes::ConsensusParams {
    pbtypes::ConsensusParams {
        block: Some(pbtypes::BlockParams {
            max_bytes: 22_020_096,
            max_gas: -1,
        }),
        evidence: Some(pbtypes::EvidenceParams {
            max_age_num_blocks: 100_000,
            max_age_duration: Some(PbDuration {
                seconds: 172_800,
                nanos: 0,
            }),
            max_bytes: 1_048_576,
        }),
        validator: Some(pbtypes::ValidatorParams {
            pub_key_types: vec!["ed25519".into()],
        }),
        version: Some(pbtypes::VersionParams { app: 0 }),
        abci: Some(pbtypes::AbciParams {
            vote_extensions_enable_height: 0,
        }),
    }
}

/// A copy of `tx` with one byte of its proofs flipped: it still decodes, and fails
/// verification.
fn corrupted(tx: &[u8]) -> Vec<u8> {
    for at in (tx.len() / 2..tx.len()).rev() {
        let mut bad = tx.to_vec();
        bad[at] ^= 0x01;
        if Transaction::decode(&bad).is_ok() {
            return bad;
        }
    }
    panic!("no decodable corruption of the transaction");
}

// ---------------------------------------------------------------------------------------------
// Without CometBFT: the socket protocol.

#[test]
fn abci_socket_drives_the_remittance_chain_and_matches_the_reference_node() {
    let scratch = Scratch::new("abci-socket");
    let dir = &scratch.0;
    let report = run_remittance(11, &mut |_| {}).expect("the remittance chain");
    let net = &report.network;
    let genesis = net.genesis.clone();
    let chain: Vec<Vec<u8>> = net.committed().iter().map(Transaction::encode).collect();
    assert!(
        chain.len() >= 5,
        "the chain has {} transactions",
        chain.len()
    );
    support::write_network_files(dir, &genesis);

    // The reference: the same blocks on an in-memory node, one thread.
    let reference = Node::open(
        genesis.clone(),
        Arc::new(MemoryKv::default()),
        dev_kyc_keys().unwrap().verifying.clone(),
        0,
        NodeConfig {
            threads: 1,
            ..NodeConfig::default()
        },
    )
    .unwrap();
    let reference_commit = |txs: &[Vec<u8>], height: u64| {
        let executed = reference
            .execute(txs, reference.next_block(block_time(height)), false)
            .unwrap();
        assert_eq!(executed.sealed.record.height, height);
        reference.commit(executed).unwrap().app_hash
    };
    let genesis_hash = reference.committed().app_hash;

    let data = dir.join("data");
    let mut app = spawn_app(dir, &data, 2, "app");
    let mut c = Client::connect(app.addr);

    // Echo, then the handshake: height 0, InitChain answers the genesis hash.
    match c.call(pb::request::Value::Echo(pb::RequestEcho {
        message: "ping".into(),
    })) {
        pb::response::Value::Echo(e) => assert_eq!(e.message, "ping"),
        other => panic!("{other:?}"),
    }
    let info = c.info();
    assert_eq!(info.last_block_height, 0);
    assert_eq!(info.last_block_app_hash.as_ref(), genesis_hash);
    match c.init_chain(&genesis.network) {
        pb::response::Value::InitChain(r) => {
            assert_eq!(r.app_hash.as_ref(), genesis_hash);
            assert!(r.validators.is_empty());
        }
        other => panic!("{other:?}"),
    }

    let crash_height = 3u64;
    let reject_height = 4u64;
    for (i, tx) in chain.iter().enumerate() {
        let height = i as u64 + 1;
        // CheckTx: admitted, its id as data; a corrupted copy refused with its reason.
        let admitted = c.check_tx(tx, false);
        assert_eq!(admitted.code, 0, "height {height}: {}", admitted.log);
        let id = Transaction::decode(tx).unwrap().id();
        assert_eq!(admitted.data.as_ref(), id.as_bytes());
        if height == 2 {
            let refused = c.check_tx(&corrupted(tx), false);
            assert_eq!(refused.code, code::VERIFY, "{}", refused.log);
            assert_eq!(refused.codespace, "corridor");
            assert!(!refused.log.is_empty());
            // The previous block's transaction (a KYC root update): a replay, refused (its
            // sequence is spent), also on recheck (the rules alone).
            let replay = c.check_tx(&chain[0], false);
            assert!(
                matches!(replay.code, code::RULE | code::VERIFY),
                "{}: {}",
                replay.code,
                replay.log
            );
            assert_ne!(c.check_tx(&chain[0], true).code, 0);
            assert_eq!(c.check_tx(tx, true).code, 0);
            assert_eq!(c.check_tx(b"not a transaction", false).code, code::DECODE);
        }

        // PrepareProposal: the request's transactions, in order, less those the rules refuse
        // (an already committed one, garbage) and within max_tx_bytes.
        let mut offered = vec![tx.clone()];
        if height > 1 {
            offered.push(chain[i - 1].clone());
        }
        offered.push(b"garbage".to_vec());
        assert_eq!(c.prepare(height, &offered, 1 << 22), vec![tx.clone()]);
        assert!(
            c.prepare(height, &offered, tx.len() as i64).is_empty(),
            "a transaction over max_tx_bytes (with its field overhead) is left out"
        );

        // ProcessProposal: the good block is accepted; a block with one bad transaction
        // beside good ones is rejected whole.
        assert!(
            c.process(height, std::slice::from_ref(tx)),
            "height {height}"
        );
        if height == reject_height {
            assert!(!c.process(height, &[tx.clone(), corrupted(tx)]));
            assert!(!c.process(height, &[corrupted(tx), tx.clone()]));
            assert!(
                !c.process(height, &[tx.clone(), tx.clone()]),
                "the same tx twice"
            );
            assert!(
                !c.process(height, &[chain[0].clone(), tx.clone()]),
                "a replay"
            );
            assert!(
                !c.process(height + 1, std::slice::from_ref(tx)),
                "wrong height"
            );
        }

        // FinalizeBlock: per-transaction codes and the reference's app hash.
        let expected = reference_commit(std::slice::from_ref(tx), height);
        let finalized = c.finalize(height, std::slice::from_ref(tx));
        assert_eq!(finalized.tx_results.len(), 1);
        assert_eq!(
            finalized.tx_results[0].code, 0,
            "{}",
            finalized.tx_results[0].log
        );
        assert_eq!(finalized.app_hash.as_ref(), expected, "height {height}");

        if height == crash_height {
            // SIGKILL after FinalizeBlock, before Commit: the restarted app is at the last
            // Commit and finalizes the same block again to the same app hash.
            app.proc.kill();
            app = spawn_app(dir, &data, 1, "app-restarted");
            c = Client::connect(app.addr);
            let info = c.info();
            assert_eq!(info.last_block_height, height as i64 - 1);
            let again = c.finalize(height, std::slice::from_ref(tx));
            assert_eq!(again.app_hash.as_ref(), expected, "after the restart");
        }

        let committed = c.commit();
        assert_eq!(committed.retain_height, 0);
        let info = c.info();
        assert_eq!(info.last_block_height, height as i64);
        assert_eq!(info.last_block_app_hash.as_ref(), expected);
    }

    // A finalized block with a bad transaction: it gets its own code, changes nothing, and
    // the app hash is still the reference's.
    let height = chain.len() as u64 + 1;
    let bad = corrupted(&chain[0]);
    let expected = reference_commit(std::slice::from_ref(&bad), height);
    let finalized = c.finalize(height, std::slice::from_ref(&bad));
    assert_ne!(finalized.tx_results[0].code, 0);
    assert!(!finalized.tx_results[0].log.is_empty());
    assert_eq!(finalized.app_hash.as_ref(), expected);
    c.commit();

    // Queries: a transaction by id, a note by id (its transaction and output index), status.
    let first = Transaction::decode(&chain[0]).unwrap().id();
    let q = c.query("tx", first.as_bytes());
    assert_eq!(q.code, 0, "{}", q.log);
    assert_eq!(q.value.as_ref(), chain[0].as_slice());
    assert_eq!(q.height, 1);
    let q = c.query("tx", hex::encode(first.as_bytes()).as_bytes());
    assert_eq!(q.value.as_ref(), chain[0].as_slice(), "hex ids too");
    // The first output of the first transaction that has one (the chain opens with KYC root
    // updates and registrations, which create no notes).
    let mut found = None;
    for (i, tx) in chain.iter().enumerate() {
        let note = NoteId::derive(&Transaction::decode(tx).unwrap().id(), 0);
        let q = c.query("note", note.as_bytes());
        if q.code == 0 {
            found = Some((i as i64 + 1, tx, q));
            break;
        }
        assert_eq!(q.code, code::NOT_FOUND, "{}", q.log);
    }
    let (note_height, tx, q) = found.expect("a transaction with an output");
    assert_eq!(q.value.as_ref(), tx.as_slice());
    assert_eq!((q.index, q.height), (0, note_height));
    assert_eq!(c.query("tx", &[0u8; 32]).code, code::NOT_FOUND);
    assert_eq!(c.query("tx", b"short").code, code::BAD_QUERY);
    assert_eq!(c.query("nope", b"").code, code::UNKNOWN_PATH);
    let status = c.query("status", b"");
    let status: serde_json::Value = serde_json::from_slice(&status.value).unwrap();
    assert_eq!(status["height"], height);
    assert_eq!(status["network"], genesis.network.as_str());
    assert_eq!(status["app_hash"], hex::encode(expected));

    // A frame whose length prefix is over the cap closes that connection only.
    let mut hostile = TcpStream::connect(app.addr).unwrap();
    hostile
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut prefix = Vec::new();
    prost013::encoding::encode_varint(1u64 << 40, &mut prefix);
    hostile.write_all(&prefix).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!(hostile.read(&mut buf).unwrap_or(0), 0, "closed");
    assert_eq!(c.info().last_block_height, height as i64, "still serving");
    drop(c);
    drop(app);

    // Another chain's InitChain stops the app without an answer.
    let mut other = spawn_app(dir, &dir.join("data-other"), 1, "app-other-chain");
    let mut c = Client::connect(other.addr);
    write_frame(
        &mut c.stream,
        &pb::Request {
            value: Some(pb::request::Value::InitChain(pb::RequestInitChain {
                time: Some(timestamp(GENESIS_TIME)),
                chain_id: "another-chain".into(),
                consensus_params: Some(consensus_params()),
                validators: Vec::new(),
                app_state_bytes: Vec::new().into(),
                initial_height: 1,
            })),
        },
    )
    .unwrap();
    let status = other.proc.child.wait().unwrap();
    assert!(!status.success());
    let log = std::fs::read_to_string(&other.proc.log).unwrap();
    assert!(
        log.contains(r#"InitChain for chain id "another-chain""#),
        "{log}"
    );
}

// ---------------------------------------------------------------------------------------------
// With CometBFT: four validators.

/// A free TCP port of 127.0.0.1 (bound and released: another process may take it in between,
/// which makes the test fail, not pass).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A GET on CometBFT's RPC (HTTP/1.0: the answer ends with the connection); the JSON body.
fn rpc(port: u16, path_and_query: &str) -> Result<serde_json::Value, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    write!(
        s,
        "GET {path_and_query} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut text = String::new();
    s.read_to_string(&mut text).map_err(|e| e.to_string())?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .ok_or("no HTTP body")?;
    serde_json::from_str(body).map_err(|e| format!("{e}: {body}"))
}

/// Sets `key = value` in `section` ("" for the top) of a CometBFT `config.toml`.
fn set_config(text: &str, settings: &[(&str, &str, String)]) -> String {
    let mut section = String::new();
    let mut out = Vec::new();
    let mut done = vec![false; settings.len()];
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.trim_matches(|c| c == '[' || c == ']').to_string();
        }
        let key = trimmed.split_once('=').map(|(k, _)| k.trim());
        let hit = settings
            .iter()
            .position(|(s, k, _)| *s == section && Some(*k) == key);
        match hit {
            Some(i) => {
                out.push(format!("{} = {}", settings[i].1, settings[i].2));
                done[i] = true;
            }
            None => out.push(line.to_string()),
        }
    }
    for (i, d) in done.iter().enumerate() {
        assert!(d, "config.toml has no {}.{}", settings[i].0, settings[i].1);
    }
    out.join("\n") + "\n"
}

struct Validator {
    home: PathBuf,
    data: PathBuf,
    rpc: u16,
    app: Option<AbciApp>,
    comet: Option<Proc>,
}

fn start_validator(dir: &Path, cometbft: &Path, v: &mut Validator, i: usize, round: usize) {
    // Validators verify on 1 or 2 threads: the app hash must not depend on it.
    let app = spawn_app(dir, &v.data, 1 + i % 2, &format!("app{i}-{round}"));
    let log = dir.join(format!("cometbft{i}-{round}.log"));
    let child = Command::new(cometbft)
        .arg("start")
        .arg("--home")
        .arg(&v.home)
        .arg("--proxy_app")
        .arg(format!("tcp://{}", app.addr))
        .env_remove("CMTHOME")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join(format!("cometbft{i}-{round}.err"))).unwrap(),
        ))
        .spawn()
        .expect("cometbft start");
    v.app = Some(app);
    v.comet = Some(Proc {
        name: format!("cometbft{i}-{round}"),
        child,
        log,
    });
}

/// The app's status (height, app hash) through a node's RPC `abci_query`.
fn app_status(port: u16) -> Option<(u64, String)> {
    let r = rpc(port, "/abci_query?path=%22status%22").ok()?;
    let value = r["result"]["response"]["value"].as_str()?;
    let json: serde_json::Value = serde_json::from_slice(&base64_decode(value)?).ok()?;
    Some((
        json["height"].as_u64()?,
        json["app_hash"].as_str()?.to_string(),
    ))
}

/// CometBFT's view: latest block height of a node (`/status`).
fn latest_height(port: u16) -> Option<u64> {
    rpc(port, "/status").ok()?["result"]["sync_info"]["latest_block_height"]
        .as_str()?
        .parse()
        .ok()
}

/// The app hash after block `height` as consensus recorded it: the header of `height + 1`.
fn header_app_hash(port: u16, height: u64) -> Option<String> {
    let r = rpc(port, &format!("/block?height={}", height + 1)).ok()?;
    Some(
        r["result"]["block"]["header"]["app_hash"]
            .as_str()?
            .to_lowercase(),
    )
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Broadcasts `tx` through node `port` and waits until its app has committed it; its height.
fn send(port: u16, tx: &[u8], step: usize) -> u64 {
    let r = rpc(
        port,
        &format!("/broadcast_tx_sync?tx=0x{}", hex::encode(tx)),
    )
    .unwrap_or_else(|e| panic!("step {step}: broadcast: {e}"));
    let code = r["result"]["code"].as_u64();
    assert_eq!(code, Some(0), "step {step}: CheckTx refused it: {r}");
    let id = hex::encode(Transaction::decode(tx).unwrap().id().as_bytes());
    wait_for(
        &format!("step {step} committed"),
        Duration::from_secs(90),
        || {
            let r = rpc(port, &format!("/abci_query?path=%22tx%22&data=0x{id}")).ok()?;
            let response = &r["result"]["response"];
            (response["code"].as_u64().unwrap_or(0) == 0)
                .then(|| response["height"].as_str()?.parse().ok())
                .flatten()
        },
    )
}

#[test]
fn four_cometbft_validators_carry_the_chain_and_a_killed_one_catches_up() {
    let Some(cometbft) = std::env::var_os("CORRIDOR_COMETBFT") else {
        eprintln!(
            "skipped: CORRIDOR_COMETBFT is not set (.ci/run installs CometBFT v0.38 and sets it)"
        );
        return;
    };
    let cometbft = PathBuf::from(cometbft);
    let started = Instant::now();
    let scratch = Scratch::new("cometbft");
    let dir = &scratch.0;

    // The chain, built for blocks a few minutes in the past: CometBFT's block times are the
    // wall clock, and KYC proofs name the block's UTC day or the day before.
    let report = run_remittance_at(13, now_seconds() - 600, &mut |_| {}).expect("the chain");
    let net = &report.network;
    let chain: Vec<Vec<u8>> = net.committed().iter().map(Transaction::encode).collect();
    support::write_network_files(dir, &net.genesis);

    // `cometbft testnet`: four validators; then one IP, distinct ports, the app's chain id.
    let out = Command::new(&cometbft)
        .args(["testnet", "--v", "4", "--o"])
        .arg(dir.join("net"))
        .args([
            "--node-dir-prefix",
            "node",
            "--starting-ip-address",
            "127.0.0.1",
        ])
        .env_remove("CMTHOME")
        .output()
        .expect("cometbft testnet");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut validators: Vec<Validator> = (0..4)
        .map(|i| Validator {
            home: dir.join("net").join(format!("node{i}")),
            data: dir.join(format!("data{i}")),
            rpc: free_port(),
            app: None,
            comet: None,
        })
        .collect();
    let p2p: Vec<u16> = (0..4).map(|_| free_port()).collect();
    let ids: Vec<String> = validators
        .iter()
        .map(|v| {
            let out = Command::new(&cometbft)
                .arg("show-node-id")
                .arg("--home")
                .arg(&v.home)
                .env_remove("CMTHOME")
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        })
        .collect();
    for (i, v) in validators.iter().enumerate() {
        let genesis_path = v.home.join("config/genesis.json");
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&genesis_path).unwrap()).unwrap();
        doc["chain_id"] = net.genesis.network.clone().into();
        std::fs::write(&genesis_path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        let peers: Vec<String> = (0..4)
            .filter(|&j| j != i)
            .map(|j| format!("{}@127.0.0.1:{}", ids[j], p2p[j]))
            .collect();
        let config_path = v.home.join("config/config.toml");
        let text = std::fs::read_to_string(&config_path).unwrap();
        let q = |s: &str| format!("\"{s}\"");
        let text = set_config(
            &text,
            &[
                ("", "proxy_app", q("tcp://127.0.0.1:26658")),
                ("rpc", "laddr", q(&format!("tcp://127.0.0.1:{}", v.rpc))),
                ("rpc", "pprof_laddr", q("")),
                ("p2p", "laddr", q(&format!("tcp://127.0.0.1:{}", p2p[i]))),
                ("p2p", "persistent_peers", q(&peers.join(","))),
                ("p2p", "addr_book_strict", "false".into()),
                ("p2p", "allow_duplicate_ip", "true".into()),
                ("p2p", "pex", "false".into()),
                ("consensus", "timeout_propose", q("1s")),
                ("consensus", "timeout_prevote", q("300ms")),
                ("consensus", "timeout_precommit", q("300ms")),
                ("consensus", "timeout_commit", q("100ms")),
                ("consensus", "create_empty_blocks", "true".into()),
                ("consensus", "create_empty_blocks_interval", q("1s")),
                ("instrumentation", "prometheus", "false".into()),
            ],
        );
        std::fs::write(&config_path, text).unwrap();
    }
    for (i, v) in validators.iter_mut().enumerate() {
        start_validator(dir, &cometbft, v, i, 0);
    }
    let ports: Vec<u16> = validators.iter().map(|v| v.rpc).collect();
    for &port in &ports {
        wait_for(
            "the network's first blocks",
            Duration::from_secs(120),
            || latest_height(port).filter(|&h| h >= 2),
        );
    }
    eprintln!("network up after {:?}", started.elapsed());

    // The first half of the chain, through validator 0.
    let half = chain.len() / 2;
    let mut landed = Vec::new();
    for (step, tx) in chain[..half].iter().enumerate() {
        landed.push(send(ports[0], tx, step));
    }

    // SIGKILL validator 3 (its CometBFT and its app); the other three go on: the rest of the
    // chain lands, and blocks keep coming.
    if let Some(c) = validators[3].comet.as_mut() {
        c.kill();
    }
    if let Some(a) = validators[3].app.as_mut() {
        a.proc.kill();
    }
    let killed_at = latest_height(ports[0]).unwrap();
    eprintln!(
        "validator 3 killed at height {killed_at} after {:?}",
        started.elapsed()
    );
    for (step, tx) in chain.iter().enumerate().skip(half) {
        landed.push(send(ports[0], tx, step));
    }
    let target = wait_for(
        "blocks without validator 3",
        Duration::from_secs(120),
        || latest_height(ports[0]).filter(|&h| h >= killed_at + 5),
    );
    assert!(
        landed.windows(2).all(|w| w[0] < w[1]),
        "in order: {landed:?}"
    );
    assert!(
        *landed.last().unwrap() > killed_at,
        "{landed:?} after {killed_at}"
    );

    // Restart it on its store and CometBFT home: it catches up.
    start_validator(dir, &cometbft, &mut validators[3], 3, 1);
    wait_for("validator 3 to catch up", Duration::from_secs(180), || {
        app_status(ports[3]).filter(|(h, _)| *h >= target)
    });
    eprintln!("validator 3 caught up after {:?}", started.elapsed());

    // Every app holds the same app hash at the same heights, the one consensus recorded, and
    // every transaction of the chain.
    let common = ports
        .iter()
        .map(|&p| app_status(p).unwrap().0)
        .min()
        .unwrap();
    for h in [landed[half - 1], *landed.last().unwrap(), target, common] {
        let recorded = wait_for("the next header", Duration::from_secs(60), || {
            header_app_hash(ports[0], h)
        });
        for (i, &p) in ports.iter().enumerate() {
            assert_eq!(
                wait_for("the header", Duration::from_secs(60), || header_app_hash(
                    p, h
                )),
                recorded,
                "validator {i}, height {h}"
            );
        }
    }
    for &p in &ports {
        for tx in &chain {
            let id = hex::encode(Transaction::decode(tx).unwrap().id().as_bytes());
            let r = rpc(p, &format!("/abci_query?path=%22tx%22&data=0x{id}")).unwrap();
            assert_eq!(
                r["result"]["response"]["code"].as_u64().unwrap_or(0),
                0,
                "{r}"
            );
        }
    }
    // And each app's own app hash, where it stands now, is the one consensus recorded.
    for (i, &p) in ports.iter().enumerate() {
        let (h, hash) = app_status(p).unwrap();
        let recorded = wait_for("the next header", Duration::from_secs(60), || {
            header_app_hash(ports[0], h)
        });
        assert_eq!(hash, recorded, "validator {i}'s app at height {h}");
    }
    eprintln!(
        "{} transactions at heights {landed:?}; validator 3 killed at {killed_at}, caught up past {target}; {:?} in all",
        chain.len(),
        started.elapsed()
    );
}
