//! The users' commands over the services, each a process against `corridor node run` after the
//! demo's chain, with `corridor kyc serve` (the Philippine issuer) and `corridor prover serve`:
//! a new customer makes her identity secret and gives only its id_commit to the issuer
//! (`kyc enroll`), registers her address with a proof from the prover service, is credited by
//! the HKD treasury, pays Maria (`wallet send`), remits to Juan through the PH wallet
//! (`wallet remit`) while the operator's payout watcher (`operator payout`) pays Juan PHP at the
//! quote, cashes out (`operator burn`); the issuer mints (`operator mint`, next nonce) and the
//! operator quotes (`operator quote`). Balances are checked against what each step moved.
mod support;
use support::{chain, submit_all, NodeProcess};

use corridor::client::{Ledger, Proving, WalletClient};
use corridor::keyfile::write_spend_key;
use corridor::scenario::amounts;
use corridor_prover::builder::Payment;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;

fn corridor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(out: Output) -> serde_json::Value {
    serde_json::from_str(ok(out).trim()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A server process printing `prefix ADDR` once it listens; killed on drop.
struct Server(Child, BufReader<std::process::ChildStdout>);

impl Server {
    fn start(args: &[&str], prefix: &str) -> (Server, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut s = Server(child, out);
        loop {
            let line = s.line();
            if let Some(rest) = line.strip_prefix(prefix) {
                return (s, rest.trim().to_string());
            }
        }
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        assert!(
            self.1.read_line(&mut line).unwrap() > 0,
            "the server exited"
        );
        line.trim_end().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn balance(wallet: &Path, node: &str, asset: &str) -> u128 {
    let v = json(corridor(&[
        "wallet",
        "balance",
        "--wallet",
        path(wallet),
        "--node",
        node,
    ]));
    v["balances"][asset]
        .as_str()
        .map_or(0, |s| s.parse().unwrap())
}

#[test]
fn a_customer_onboards_sends_remits_and_cashes_out_through_the_services() {
    let chain = chain();
    let net = &chain.report.network;
    let inst = &net.inst;
    let node = NodeProcess::start(&chain.dir, "services-cli");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut client = rt.block_on(node.client());
    rt.block_on(submit_all(&mut client, chain.txs()));
    let node_uri = format!("http://{}", node.grpc);
    let dir = chain.dir.join("services-cli");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let genesis = chain.dir.join("genesis.toml");
    let params = chain.dir.join("params");
    for (name, key) in [
        ("ph-kyc", &inst.ph_kyc_issuer),
        ("hkd-issuer", &inst.hkd_issuer),
        ("ph-operator", &inst.ph_operator),
    ] {
        write_spend_key(&dir.join(format!("{name}.key")), key).unwrap();
    }
    for (name, view) in [
        ("settlement", &inst.ph_settlement.view),
        ("float", &inst.ph_float.view),
    ] {
        std::fs::write(
            dir.join(format!("{name}.view")),
            hex::encode(view.secret().to_bytes()),
        )
        .unwrap();
    }
    std::fs::write(dir.join("tokens"), "lena-token\n").unwrap();
    std::fs::write(dir.join("registry.tokens"), "ph-back-office\n").unwrap();

    let (_registry, registry) = Server::start(
        &[
            "kyc",
            "serve",
            "--genesis",
            path(&genesis),
            "--issuer",
            "2",
            "--key",
            path(&dir.join("ph-kyc.key")),
            "--data",
            path(&dir.join("ph-kyc")),
            "--node",
            &node_uri,
            "--listen",
            "127.0.0.1:0",
            "--tokens",
            path(&dir.join("registry.tokens")),
        ],
        "listening ",
    );
    let registry = format!("http://{registry}");
    let (_prover, prover) = Server::start(
        &[
            "prover",
            "serve",
            "--genesis",
            path(&genesis),
            "--params",
            path(&params),
            "--node",
            &node_uri,
            "--listen",
            "127.0.0.1:0",
            "--tokens",
            path(&dir.join("tokens")),
        ],
        "listening ",
    );
    let prover = format!("http://{prover}");
    let via_prover = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.extend(
            [
                "--node",
                &node_uri,
                "--prover",
                &prover,
                "--token-file",
                path(&dir.join("tokens")),
            ]
            .map(String::from),
        );
        v
    };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        json(corridor(&refs))
    };

    // Lena: a new wallet and identity; only the id_commit reaches the issuer.
    let lena = dir.join("lena.wallet");
    let lena_address = ok(corridor(&["wallet", "new", "--wallet", path(&lena)]))
        .trim()
        .to_string();
    let id_commit = ok(corridor(&["wallet", "kyc-id", "--wallet", path(&lena)]))
        .trim()
        .to_string();
    assert_eq!(id_commit.len(), 64);
    let identity = std::fs::read_to_string(dir.join("lena.wallet.identity")).unwrap();
    assert_ne!(
        identity.trim(),
        id_commit,
        "the id_commit is not the secret"
    );
    let enrolled = json(corridor(&[
        "kyc",
        "enroll",
        "--registry",
        &registry,
        "--id-commit",
        &id_commit,
        "--jurisdiction",
        "PH",
        "--token-file",
        path(&dir.join("registry.tokens")),
    ]));
    let leaf = enrolled["leaf"].as_u64().unwrap().to_string();
    let expiry = enrolled["expiry_day"].as_u64().unwrap().to_string();
    let register_via = |prover: &str| {
        corridor(&[
            "wallet",
            "register",
            "--wallet",
            path(&lena),
            "--node",
            &node_uri,
            "--prover",
            prover,
            "--genesis",
            path(&genesis),
            "--registry",
            &registry,
            "--issuer",
            "2",
            "--leaf",
            &leaf,
            "--jurisdiction",
            "PH",
            "--expiry-day",
            &expiry,
        ])
    };
    // No service: a port nobody listens on is a connection error naming the prover.
    let nobody = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let refused = register_via(&nobody);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&format!("connecting to the prover at \"{nobody}\"")),
        "{stderr}"
    );
    // No token: the prover service refuses, nothing is registered.
    let refused = register_via(&prover);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("Unauthenticated"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let registered = run(via_prover(&[
        "wallet",
        "register",
        "--wallet",
        path(&lena),
        "--genesis",
        path(&genesis),
        "--registry",
        &registry,
        "--issuer",
        "2",
        "--leaf",
        &leaf,
        "--jurisdiction",
        "PH",
        "--expiry-day",
        &expiry,
    ]));
    assert_eq!(registered["committed"], "RegisterAddress");

    // The HKD issuer mints with the next nonce; its treasury credits Lena.
    let minted = json(corridor(&[
        "operator",
        "mint",
        "--genesis",
        path(&genesis),
        "--node",
        &node_uri,
        "--key",
        path(&dir.join("hkd-issuer.key")),
        "--asset",
        "HKD",
        "--value",
        "700000",
        "--value",
        "300000",
    ]));
    assert_eq!(minted["committed"], "Mint");
    let lena_addr = corridor_core::address::Address::decode(&lena_address).unwrap();
    const CREDIT: u64 = 500_000;
    rt.block_on(async {
        let ledger = Ledger::connect(&node_uri).await.unwrap();
        assert_eq!(ledger.mint_nonce("HKD").await.unwrap(), Some(1));
        let proving = Proving::Local {
            genesis: Arc::new(net.genesis.clone()),
            proving_key: &net.keys.proving,
        };
        let mut treasury = WalletClient::new(inst.hkd_treasury.clone(), ledger, proving);
        treasury
            .send(
                "HKD",
                vec![Payment {
                    to: lena_addr,
                    value: CREDIT,
                }],
                0,
            )
            .await
            .unwrap();
    });
    assert_eq!(balance(&lena, &node_uri, "HKD"), u128::from(CREDIT));

    // Lena pays Maria.
    let maria = chain.report.maria.address().encode();
    let maria_before = chain.report.network.balance(&chain.report.maria, "HKD");
    let sent = run(via_prover(&[
        "wallet",
        "send",
        "--wallet",
        path(&lena),
        "--asset",
        "HKD",
        "--to",
        &maria,
        "--value",
        "12345",
        "--fee",
        "100",
    ]));
    assert_eq!(sent["committed"], "Transfer");

    // The operator quotes again (a new id); the watcher pays Lena's remittance to Juan.
    let quoted = json(corridor(&[
        "operator",
        "quote",
        "--genesis",
        path(&genesis),
        "--node",
        &node_uri,
        "--key",
        path(&dir.join("ph-operator.key")),
        "--operator",
        "ph-wallet",
        "--id",
        "8",
        "--from",
        "HKD",
        "--to",
        "PHP",
        "--num",
        "72000",
        "--den",
        "10000",
    ]));
    assert_eq!(quoted["committed"], "PublishQuote");
    let (mut watcher, _) = Server::start(
        &[
            "operator",
            "payout",
            "--genesis",
            path(&genesis),
            "--node",
            &node_uri,
            "--key",
            path(&dir.join("ph-operator.key")),
            "--operator",
            "ph-wallet",
            "--settlement-view",
            path(&dir.join("settlement.view")),
            "--float-view",
            path(&dir.join("float.view")),
            "--prover",
            &prover,
            "--token-file",
            path(&dir.join("tokens")),
        ],
        "watching ",
    );
    // The chain's own remittance was paid already.
    let first: serde_json::Value = serde_json::from_str(&watcher.line()).unwrap();
    assert_eq!(first["already_paid"], true, "{first}");
    let juan_file = dir.join("juan.wallet");
    ok(corridor(&[
        "wallet",
        "new",
        "--wallet",
        path(&juan_file),
        "--seed-hex",
        &hex::encode(corridor::scenario::seeds::JUAN),
    ]));
    let juan_before = balance(&juan_file, &node_uri, "PHP");
    let juan = chain.report.juan.address().encode();
    let remitted = run(via_prover(&[
        "wallet",
        "remit",
        "--wallet",
        path(&lena),
        "--asset",
        "HKD",
        "--operator",
        "ph-wallet",
        "--quote",
        "8",
        "--to",
        &juan,
        "--value",
        "100000",
        "--fee",
        "50",
    ]));
    assert_eq!(remitted["committed"], "Transfer (remittance)");
    let paid: serde_json::Value = serde_json::from_str(&watcher.line()).unwrap();
    assert_eq!(paid["remittance"], remitted["tx_id"], "{paid}");
    assert_eq!(paid["paid"], 720_000, "{paid}"); // ⌊100000·72000/10000⌋
    assert_eq!(paid["beneficiary"], juan);
    assert_eq!(balance(&juan_file, &node_uri, "PHP"), juan_before + 720_000);
    drop(watcher);

    // Lena cashes out part of what is left.
    let burned = run(via_prover(&[
        "operator",
        "burn",
        "--wallet",
        path(&lena),
        "--asset",
        "HKD",
        "--value",
        "200000",
        "--fee",
        "10",
    ]));
    assert_eq!(burned["committed"], "Burn");
    assert_eq!(
        balance(&lena, &node_uri, "HKD"),
        u128::from(CREDIT - 12_345 - 100 - 100_000 - 50 - 200_000 - 10)
    );
    let maria_file = dir.join("maria.wallet");
    ok(corridor(&[
        "wallet",
        "new",
        "--wallet",
        path(&maria_file),
        "--seed-hex",
        &hex::encode(corridor::scenario::seeds::MARIA),
    ]));
    assert_eq!(
        balance(&maria_file, &node_uri, "HKD"),
        maria_before + 12_345
    );
    let history: serde_json::Value = serde_json::from_str(&ok(corridor(&[
        "wallet",
        "history",
        "--wallet",
        path(&lena),
        "--node",
        &node_uri,
    ])))
    .unwrap();
    let notes = history.as_array().unwrap();
    assert!(notes.len() >= 4, "{history}");
    assert!(notes
        .iter()
        .any(|n| n["value"] == CREDIT && !n["spent_height"].is_null()));
    let _ = amounts::REMIT;
}
