//! `corridor demo` as a user runs it, a process: on a machine without parameters it makes and
//! caches them, starts every service on loopback, plays the story through them and exits 0; its
//! JSON says every step succeeded, every balance is exact, both regulators' audit totals equal
//! the amounts the story sent (and neither holds an amount of an asset it does not audit), and
//! gives the latency figures. A second run loads the cached parameters.
use corridor::scenario::amounts;
use corridor::story::{MARIA_CREDIT, PH_FLOAT};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn demo(params: &Path, remittances: usize) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(["demo", "--json", "--threads", "2", "--remittances"])
        .arg(remittances.to_string())
        .arg("--params")
        .arg(params)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "corridor demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

fn u128_of(v: &Value) -> u128 {
    v.as_u64()
        .map(u128::from)
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not an amount: {v}"))
}

#[test]
fn the_demo_plays_the_story_through_the_services_and_reports_it() {
    let dir = std::env::temp_dir().join(format!("corridor-demo-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let params = dir.join("params");

    let doc = demo(&params, 2);
    assert_eq!(doc["ok"], true);
    assert_eq!(
        doc["params_made"], true,
        "a fresh folder: the demo makes them"
    );

    // Every step succeeded, in the story's order.
    let steps = doc["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["ok"] == true), "{steps:#?}");
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    for (i, expected) in [
        "HK issuer enrols Maria",
        "Maria registers her address",
        "PH issuer enrols Juan",
        "Juan registers his address",
        "HKD issuer mints HKD",
        "HKD treasury credits Maria",
        "PHP issuer mints PHP",
        "PHP treasury fills the PH wallet's float",
        "PH wallet publishes its HKD→PHP quote",
        "Maria remits HKD to Juan through the PH wallet",
        "PH wallet's watcher pays Juan PHP",
        "Juan's wallet shows the PHP",
        "HKMA audits the ledger",
        "BSP audits the ledger",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(names.get(i), Some(expected), "step {i}: {names:?}");
    }
    for s in steps.iter().filter(|s| !s["tx_id"].is_null()) {
        assert!(s["height"].as_u64().unwrap() > 0, "{s}");
    }

    // Balances: each owner's decryption equals what the story's amounts make it.
    let sent = 3u128; // the story's remittance and the two timed ones
    assert_eq!(doc["remittances"], 3);
    let remit = u128::from(amounts::REMIT);
    let payout = remit * u128::from(amounts::QUOTE_NUM) / u128::from(amounts::QUOTE_DEN);
    assert_eq!(u128_of(&doc["payout_value"]), payout);
    let balances = doc["balances"].as_array().unwrap();
    assert_eq!(balances.len(), 6);
    for b in balances {
        assert_eq!(b["exact"], true, "{b}");
        assert_eq!(u128_of(&b["value"]), u128_of(&b["expected"]), "{b}");
    }
    let balance = |who: &str| {
        u128_of(
            &balances
                .iter()
                .find(|b| b["who"].as_str().unwrap().starts_with(who))
                .unwrap()["value"],
        )
    };
    assert_eq!(balance("Juan"), sent * payout);
    assert_eq!(
        balance("Maria"),
        u128::from(MARIA_CREDIT) - sent * (remit + u128::from(amounts::REMIT_FEE))
    );
    assert_eq!(
        balance("PH wallet float"),
        u128::from(PH_FLOAT) - sent * payout
    );

    // The audits, of the story before the timed remittances: one remittance.
    let audits = doc["audits"].as_array().unwrap();
    let audit = |name: &str| {
        audits
            .iter()
            .find(|a| a["regulator"] == name)
            .unwrap_or_else(|| panic!("no {name} audit"))
    };
    let total = |a: &Value, asset: &str, figure: &str| {
        let t = a["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["asset"] == asset && t["figure"] == figure)
            .unwrap_or_else(|| panic!("no {asset} {figure} in {a}"));
        assert_eq!(t["exact"], true, "{t}");
        u128_of(&t["value"])
    };
    let (hkma, bsp) = (audit("HKMA"), audit("BSP"));
    assert_eq!(hkma["entitled_assets"], serde_json::json!(["HKD"]));
    assert_eq!(bsp["entitled_assets"], serde_json::json!(["HKD", "PHP"]));
    for a in [hkma, bsp] {
        assert_eq!(total(a, "HKD", "minted"), u128::from(amounts::HKD_MINT));
        assert_eq!(
            total(a, "HKD", "payments"),
            u128::from(MARIA_CREDIT) + remit
        );
        assert_eq!(total(a, "HKD", "fees"), u128::from(amounts::REMIT_FEE));
        assert_eq!(a["foreign_amounts"], 0);
        assert_eq!(a["escrows"], serde_json::json!(["Maria", "Juan", "Maria"]));
        assert!(a["notes_decrypted"].as_u64().unwrap() > 0);
    }
    assert_eq!(total(bsp, "PHP", "payments"), u128::from(PH_FLOAT) + payout);
    assert_eq!(total(bsp, "PHP", "minted"), u128::from(amounts::PHP_MINT));
    // The HKMA has no PHP figure, and left the PHP notes sealed.
    assert!(hkma["totals"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["asset"] == "HKD"));
    assert!(hkma["notes_not_entitled"].as_u64().unwrap() > 0);
    assert_eq!(bsp["notes_not_entitled"], 0);

    // Latency of the timed remittances.
    let l = &doc["latency"];
    assert_eq!(l["remittances"], 2);
    let (p50, p95, max) = (
        l["p50"].as_f64().unwrap(),
        l["p95"].as_f64().unwrap(),
        l["max"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p95 && p95 <= max, "{l}");
    assert_eq!(l["samples"].as_array().unwrap().len(), 2);
    assert!(l["median_split"]["remit_prove"].as_f64().unwrap() > 0.0);

    // A second run loads the cached parameters.
    let again = demo(&params, 0);
    assert_eq!(again["params_made"], false);
    assert_eq!(again["ok"], true);
    std::fs::remove_dir_all(&dir).unwrap();
}
