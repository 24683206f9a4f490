//! `corridor wallet` against `corridor node run` after the demo's remittance chain: a wallet
//! made from a customer's seed has the customer's address; a wallet that was offline for the
//! whole chain catches up from the node and decrypts exactly its notes (its balances equal the
//! in-process network's, per asset, spent notes listed but not counted); another customer's
//! wallet sees none of them; a wallet file is never overwritten and a malformed one is refused.
mod support;
use support::{chain, submit_all, NodeProcess};

use corridor::scenario::seeds;
use std::path::Path;
use std::process::{Command, Output};

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

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn an_offline_wallet_catches_up_and_decrypts_exactly_its_notes() {
    let chain = chain();
    let report = &chain.report;
    let node = NodeProcess::start(&chain.dir, "wallet");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut client = rt.block_on(node.client());
    rt.block_on(submit_all(&mut client, chain.txs()));
    let node_uri = format!("http://{}", node.grpc);

    for (name, seed, keys) in [
        ("maria", seeds::MARIA, &report.maria),
        ("juan", seeds::JUAN, &report.juan),
    ] {
        let file = chain.dir.join(format!("{name}.wallet"));
        let _ = std::fs::remove_file(&file);
        let address = ok(corridor(&[
            "wallet",
            "new",
            "--wallet",
            path(&file),
            "--seed-hex",
            &hex::encode(seed),
        ]));
        assert_eq!(address.trim(), keys.address().encode());
        assert_eq!(
            ok(corridor(&["wallet", "address", "--wallet", path(&file)])).trim(),
            keys.address().encode()
        );
        // Never overwritten.
        let again = corridor(&["wallet", "new", "--wallet", path(&file)]);
        assert!(!again.status.success());

        let balance: serde_json::Value = serde_json::from_str(&ok(corridor(&[
            "wallet",
            "balance",
            "--wallet",
            path(&file),
            "--node",
            &node_uri,
        ])))
        .unwrap();
        for asset in ["HKD", "PHP"] {
            let expected = report.network.balance(keys, asset);
            let got = balance["balances"][asset]
                .as_str()
                .map_or(0, |v| v.parse::<u128>().unwrap());
            assert_eq!(got, expected, "{name} {asset}: {balance}");
        }
        // Exactly its notes: every note the chain made for this address, spent ones included.
        let mine: usize = chain
            .txs()
            .iter()
            .flat_map(|tx| tx.new_notes())
            .filter(|(_, o)| o.owner == keys.address())
            .count();
        let listed = balance["notes"].as_array().unwrap();
        assert_eq!(listed.len(), mine, "{name}: {balance}");
        assert!(mine > 0);
        let unspent = listed
            .iter()
            .filter(|n| n["spent_height"].is_null())
            .count();
        let owned =
            report.network.owned(keys, "HKD").len() + report.network.owned(keys, "PHP").len();
        assert_eq!(unspent, owned, "{name}");
    }

    // A malformed wallet file is refused, naming it.
    let bad = chain.dir.join("bad.wallet");
    std::fs::write(&bad, "not hex\n").unwrap();
    let out = corridor(&[
        "wallet",
        "balance",
        "--wallet",
        path(&bad),
        "--node",
        &node_uri,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.wallet"));
}
