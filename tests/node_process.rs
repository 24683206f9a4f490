//! The node as a process on a redb database (`corridor node replay`): crash safety under
//! SIGKILL at random points while it commits blocks, and determinism across thread counts.
//! The blocks are the demo's remittance chain (one transaction per block, at the heights it was
//! built for) followed by empty blocks.
mod support;

use corridor::demo::run_remittance;
use corridor::network::{dev_kyc_keys, BLOCK_SECONDS, GENESIS_TIME};
use corridor_node::replay::{encode_blocks, state_digest, ReplayBlock};
use corridor_node::{Kv, MemoryKv, Node, NodeConfig, RedbKv, View};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

const BLOCKS: usize = 1_500;
const KILLS: usize = 100;

struct Fixture {
    dir: PathBuf,
    /// App hash and state digest after each height (index 0: genesis).
    reference: Vec<([u8; 32], [u8; 32])>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fixture(name: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!("corridor-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let report = run_remittance(5, &mut |_| {}).expect("the remittance chain");
    let net = &report.network;
    let genesis = net.genesis.clone();
    support::write_network_files(&dir, &genesis);
    let mut blocks: Vec<ReplayBlock> = net
        .committed()
        .iter()
        .enumerate()
        .map(|(i, tx)| ReplayBlock {
            time: GENESIS_TIME + (i as u64 + 1) * BLOCK_SECONDS,
            txs: vec![tx.encode()],
        })
        .collect();
    while blocks.len() < BLOCKS {
        let height = blocks.len() as u64 + 1;
        blocks.push(ReplayBlock {
            time: GENESIS_TIME + height * BLOCK_SECONDS,
            txs: Vec::new(),
        });
    }
    std::fs::write(dir.join("blocks.bin"), encode_blocks(&blocks)).unwrap();
    // The reference: the same blocks on a memory store, one thread.
    let kv = Arc::new(MemoryKv::default());
    let node = Node::open(
        genesis,
        kv.clone(),
        dev_kyc_keys().unwrap().verifying.clone(),
        0,
        NodeConfig {
            threads: 1,
            ..NodeConfig::default()
        },
    )
    .unwrap();
    let mut reference = vec![(
        node.committed().app_hash,
        state_digest(kv.as_ref()).unwrap(),
    )];
    for b in &blocks {
        let executed = node
            .execute(&b.txs, node.next_block(b.time), false)
            .unwrap();
        assert!(executed.results.iter().all(Result::is_ok));
        let c = node.commit(executed).unwrap();
        reference.push((c.app_hash, state_digest(kv.as_ref()).unwrap()));
    }
    Fixture { dir, reference }
}

/// `corridor node replay` on the genesis, parameters and blocks of folder `dir`.
fn spawn(dir: &Path, data: &Path, threads: usize) -> Child {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["node", "replay", "--genesis"])
        .arg(dir.join("genesis.toml"))
        .arg("--params")
        .arg(dir.join("params"))
        .arg("--data")
        .arg(data)
        .arg("--blocks")
        .arg(dir.join("blocks.bin"))
        .args(["--threads", &threads.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("corridor node replay")
}

/// `(height, app hash)` of a printed line.
fn parse(line: &str) -> (u64, [u8; 32]) {
    let (h, hash) = line.trim().split_once(' ').expect("height app_hash");
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash, &mut out).expect("hex app hash");
    (h.parse().expect("height"), out)
}

/// Runs the replay to its end; every printed app hash must be the reference's.
fn run_to_end(f: &Fixture, data: &Path, threads: usize) -> u64 {
    let out = spawn(&f.dir, data, threads).wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut last = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if line.starts_with("ready") {
            continue;
        }
        let (h, hash) = parse(line);
        assert_eq!(
            hash, f.reference[h as usize].0,
            "threads {threads}, height {h}"
        );
        last = h;
    }
    last
}

/// What the database holds: its last committed height, checked against the reference
/// (app hash and every table).
fn check_store(f: &Fixture, data: &Path) -> u64 {
    let kv = RedbKv::open(&data.join("ledger.redb")).expect("the store reopens");
    let c = View::committed(&kv as &dyn Kv)
        .last_committed()
        .unwrap()
        .expect("initialised");
    let (app, digest) = f.reference[c.height as usize];
    assert_eq!(c.app_hash, app, "app hash at height {}", c.height);
    assert_eq!(
        state_digest(&kv).unwrap(),
        digest,
        "the tables at height {} are not the committed state",
        c.height
    );
    c.height
}

#[test]
fn sigkill_at_random_points_loses_nothing_and_leaves_nothing_half_applied() {
    let f = fixture("crash");
    let data = f.dir.join("data");
    let mut rng = ChaCha20Rng::seed_from_u64(0xdead);
    let mut committed = 0u64;
    let mut kills = 0;
    while kills < KILLS {
        let mut child = spawn(&f.dir, &data, 2);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wait_for = rng.gen_range(0..12);
        let mut printed = committed;
        let mut ended = false;
        for _ in 0..=wait_for {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("ready") => {}
                Some(Ok(line)) => printed = parse(&line).0,
                _ => {
                    ended = true;
                    break;
                }
            }
        }
        if ended {
            let status = child.wait().unwrap();
            assert!(status.success(), "the replay ended with {status}");
            assert!(
                kills >= KILLS,
                "the chain ended after {kills} kills: make it longer"
            );
            break;
        }
        std::thread::sleep(std::time::Duration::from_micros(rng.gen_range(0..3_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        let height = check_store(&f, &data);
        // What was printed was committed (commit returns after the durable write); at most
        // the block being printed when the kill came is beyond it.
        assert!(
            height >= printed && height >= committed,
            "height {height} after printing {printed}"
        );
        committed = height;
    }
    eprintln!("{kills} kills; the last one left height {committed} of {BLOCKS}");
    assert_eq!(kills, KILLS);
    assert!(committed > 0, "no block was committed between the kills");
    assert!(
        (committed as usize) < BLOCKS,
        "the kills should land while blocks are committed"
    );
    // Restarted once more, it finishes the chain on the reference's app hashes.
    assert_eq!(run_to_end(&f, &data, 2), BLOCKS as u64);
    assert_eq!(check_store(&f, &data), BLOCKS as u64);
}

#[test]
fn node_processes_with_different_thread_counts_agree_on_every_app_hash() {
    let f = fixture("determinism");
    for threads in [1, 2, 3] {
        let data = f.dir.join(format!("data-{threads}"));
        assert_eq!(run_to_end(&f, &data, threads), BLOCKS as u64);
        assert_eq!(check_store(&f, &data), BLOCKS as u64);
    }
}

#[test]
fn a_non_dev_network_refuses_dev_seed_parameters() {
    let dir = std::env::temp_dir().join(format!("corridor-nondev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let net = corridor::network::DemoNetwork::new(3).unwrap();
    support::write_dev_params(&dir.join("params"));
    std::fs::write(dir.join("blocks.bin"), encode_blocks(&[])).unwrap();
    let run = |genesis: &corridor_core::genesis::Genesis| {
        support::write_genesis(&dir.join("genesis.toml"), genesis);
        spawn(&dir, &dir.join("data"), 1)
            .wait_with_output()
            .unwrap()
    };
    // The dev network takes them …
    let ok = run(&net.genesis);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // … the same genesis marked non-dev does not, and nothing is stored.
    let mut production = net.genesis.clone();
    production.dev = false;
    let _ = std::fs::remove_dir_all(dir.join("data"));
    let refused = run(&production);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("dev"), "{stderr}");
    assert!(!dir.join("data").join("ledger.redb").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
