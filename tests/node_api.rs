//! The embedded node's API (`corridor node run`) on 127.0.0.1:0: a gRPC client that knows
//! nothing of the project (grpcurl, through server reflection) lists the services and calls
//! Status and SubmitTx; the generated client submits the demo's remittance chain and reads it
//! back (GetTx, GetNote, ListNotes, StreamBlocks, GetKycRoots, GetQuote, Status, metrics);
//! the reads of `PublicState` (GetRegistration, GetRegistrationNullifier, GetKycRootStanding)
//! answer as the node that committed the chain in process; bad input gets its status code and
//! moves nothing.
//!
//! The chain is built once ([`support::chain`]), on a demo network whose height 0 is an hour
//! ago: the node stamps its blocks with the wall clock, and the KYC proofs carry the epoch day
//! of the block they were built for, which must be the block's UTC day or the day before.
mod support;
use support::{chain, committed, grpcurl, http_get, run_grpcurl, submit_all, NodeProcess};

use corridor::network::{dev_kyc_keys, KYC_ISSUER_ID};
use corridor_core::group::Point;
use corridor_core::keys::{WalletKeys, WalletSeed};
use corridor_core::state::{PublicState, RootStanding};
use corridor_core::tx::{FieldBytes, NoteId, Output, Transaction, TxBody};
use corridor_node::api::proto::node_client::NodeClient;
use corridor_node::api::proto::{self, node_server::Node as _};
use corridor_node::api::{unix_now, Events, NodeApi};
use corridor_node::{MemoryKv, Node, NodeConfig};
use prost::Message;
use std::sync::Arc;
use std::time::Duration;
use tonic::transport::Channel;
use tonic::{Code, Request};

fn reason(s: &tonic::Status) -> &str {
    s.metadata()
        .get("corridor-reason")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Must show 6: a client that knows nothing of the project finds the services by reflection
/// and calls Status and SubmitTx.
#[test]
fn a_reflection_client_lists_the_services_and_calls_status_and_submit_tx() {
    let Some(grpcurl) = grpcurl() else {
        assert!(
            std::env::var_os("CORRIDOR_REQUIRE_GRPCURL").is_none(),
            "grpcurl not found (CORRIDOR_REQUIRE_GRPCURL is set)"
        );
        eprintln!(
            "SKIPPED: grpcurl not found; install it with \
             `go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3` or set GRPCURL"
        );
        return;
    };
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, "grpcurl");
    let addr = node.grpc.as_str();

    let (ok, services, err) = run_grpcurl(&grpcurl, &["-plaintext", addr, "list"]);
    assert!(ok, "{err}");
    for s in [
        "corridor.node.v1.Node",
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
    ] {
        assert!(services.lines().any(|l| l == s), "{s} not in {services}");
    }
    let (ok, described, err) = run_grpcurl(
        &grpcurl,
        &["-plaintext", addr, "describe", "corridor.node.v1.Node"],
    );
    assert!(ok, "{err}");
    for rpc in [
        "SubmitTx",
        "GetTx",
        "GetNote",
        "ListNotes",
        "StreamBlocks",
        "GetKycRoots",
        "GetKycRootStanding",
        "GetRegistration",
        "GetRegistrationNullifier",
        "GetQuote",
        "Status",
    ] {
        assert!(described.contains(&format!("rpc {rpc} (")), "{described}");
    }
    // The imported message resolves too.
    let (ok, output, err) = run_grpcurl(
        &grpcurl,
        &["-plaintext", addr, "describe", "corridor.v1.Output"],
    );
    assert!(ok && output.contains("ephemeral"), "{output}{err}");

    let (ok, health, err) = run_grpcurl(
        &grpcurl,
        &[
            "-plaintext",
            "-d",
            r#"{"service":"corridor.node.v1.Node"}"#,
            addr,
            "grpc.health.v1.Health/Check",
        ],
    );
    assert!(ok && health.contains("SERVING"), "{health}{err}");

    let (ok, status, err) = run_grpcurl(
        &grpcurl,
        &["-plaintext", addr, "corridor.node.v1.Node/Status"],
    );
    assert!(ok, "{err}");
    assert!(status.contains(r#""network": "corridor-demo""#), "{status}");

    // The chain's first transaction (the issuer's first KYC root) is admitted; its id comes
    // back (bytes are base64 in grpcurl's JSON).
    let tx = &chain.txs()[0];
    let request = format!(r#"{{"tx":"{}"}}"#, base64(&tx.encode()));
    let (ok, submitted, err) = run_grpcurl(
        &grpcurl,
        &[
            "-plaintext",
            "-d",
            &request,
            addr,
            "corridor.node.v1.Node/SubmitTx",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        submitted.contains(&format!(r#""txId": "{}""#, base64(&tx.id().0))),
        "{submitted}"
    );
    // Garbage is refused with INVALID_ARGUMENT.
    let (ok, _, err) = run_grpcurl(
        &grpcurl,
        &[
            "-plaintext",
            "-d",
            r#"{"tx":"3q2+7w=="}"#,
            addr,
            "corridor.node.v1.Node/SubmitTx",
        ],
    );
    assert!(!ok && err.contains("InvalidArgument"), "{err}");
    let rest = node.terminate(Duration::from_secs(20));
    assert!(rest.contains("stopped at height"), "{rest}");
}

/// The remittance chain through the API, and everything read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_api_serves_the_remittance_chain() {
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, "chain");
    let mut client = node.client().await;
    let reference = chain.report.network.node.view();

    let status = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.network, "corridor-demo");
    assert_eq!((status.height, status.mempool_size), (0, 0));

    // A subscriber from the start sees every block as it commits.
    let mut stream = client
        .stream_blocks(proto::StreamBlocksRequest { from_height: 0 })
        .await
        .unwrap()
        .into_inner();

    // Each transaction spends what the one before created: submit, wait for its block.
    let txs = chain.txs();
    for (i, (got, tx)) in submit_all(&mut client, txs)
        .await
        .iter()
        .zip(txs)
        .enumerate()
    {
        assert_eq!(got.tx, tx.encode());
        assert_eq!((got.height, got.index), (i as u64 + 1, 0));
    }
    let last = txs.len() as u64;

    let mut blocks = Vec::new();
    while blocks.len() < txs.len() {
        let b = tokio::time::timeout(Duration::from_secs(30), stream.message())
            .await
            .expect("a block within 30 s")
            .unwrap()
            .expect("the stream goes on");
        blocks.push(b);
    }
    for (i, (b, tx)) in blocks.iter().zip(txs).enumerate() {
        assert_eq!(b.height, i as u64 + 1);
        assert_eq!(b.tx_ids, vec![tx.id().0.to_vec()]);
        assert!(b.time + 3_600 >= unix_now(), "wall-clock time {}", b.time);
    }
    let status = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!((status.height, status.mempool_size), (last, 0));
    assert_eq!(status.app_hash, blocks[txs.len() - 1].app_hash);
    assert_eq!(status.time, blocks[txs.len() - 1].time);
    // From the store: a late subscriber gets the stored blocks first.
    let mut late = client
        .stream_blocks(proto::StreamBlocksRequest {
            from_height: last - 1,
        })
        .await
        .unwrap()
        .into_inner();
    for b in &blocks[txs.len() - 2..] {
        assert_eq!(&late.message().await.unwrap().unwrap(), b);
    }

    // Notes: the remittance note, spent by the payout, with its tag; what the node serves is
    // what the in-memory node of the demo holds (same transactions, same heights).
    let r = txs
        .iter()
        .position(corridor::demo::is_remittance)
        .expect("a remittance in the chain");
    let (remittance, payout) = (&txs[r], &txs[r + 1]);
    assert!(matches!(payout.body(), TxBody::Payout(_)));
    assert!(matches!(remittance.body(), TxBody::Transfer(_)));
    let note_id = NoteId::derive(&remittance.id(), 0);
    let note = client
        .get_note(proto::GetNoteRequest {
            note_id: note_id.0.to_vec(),
        })
        .await
        .unwrap()
        .into_inner()
        .note
        .unwrap();
    let expected = reference.stored_note(&note_id).unwrap().unwrap();
    assert_eq!(note.note_id, note_id.0.to_vec());
    assert_eq!(note.tx_id, remittance.id().0.to_vec());
    assert_eq!((note.output_index, note.asset.as_str()), (0, "HKD"));
    assert_eq!(note.owner_address, expected.note.owner.encode());
    assert_eq!(
        note.output,
        Some(
            Output {
                owner: expected.note.owner,
                amount: expected.note.amount.clone(),
            }
            .to_proto()
        )
    );
    let tag = note.remittance.unwrap();
    assert_eq!((tag.operator.as_str(), tag.quote_id), ("ph-wallet", 7));
    let remittance_height = committed(&mut client, &remittance.id().0).await.height;
    assert_eq!(note.height, remittance_height);
    assert_eq!(
        remittance_height + 1,
        committed(&mut client, &payout.id().0).await.height
    );
    let payout_height = committed(&mut client, &payout.id().0).await.height;
    assert_eq!(note.spent_height, Some(payout_height));

    // ListNotes: Juan's notes by address string and by bytes, and from a height on.
    let juan = chain.report.juan.address();
    let by_string = client
        .list_notes(proto::ListNotesRequest {
            owner_address: juan.encode(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .notes;
    let expected = reference.notes_of(&juan, 0, 100).unwrap();
    assert!(
        expected.len() >= 2,
        "the payout's note and the burn's change"
    );
    assert_eq!(
        by_string
            .iter()
            .map(|n| (n.note_id.clone(), n.height, n.spent_height))
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|(n, spent)| (n.note.id.0.to_vec(), n.height, *spent))
            .collect::<Vec<_>>()
    );
    let by_bytes = client
        .list_notes(proto::ListNotesRequest {
            owner: juan.to_bytes().to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .notes;
    assert_eq!(by_bytes, by_string);
    // Juan's burn is his last transaction: its change is his newest note.
    let burn = txs
        .iter()
        .rfind(|t| matches!(t.body(), TxBody::Burn(_)))
        .expect("Juan's burn");
    let burn_height = committed(&mut client, &burn.id().0).await.height;
    let since_last = client
        .list_notes(proto::ListNotesRequest {
            owner: juan.to_bytes().to_vec(),
            since: burn_height,
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .notes;
    assert_eq!(since_last.len(), 1);
    assert_eq!(since_last[0].height, burn_height);

    // KYC roots and the quote.
    let head = reference.kyc_root_head(1).unwrap().unwrap();
    let roots = client
        .get_kyc_roots(proto::GetKycRootsRequest { issuer: 1 })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((roots.issuer, roots.seq), (1, head.seq));
    assert_eq!(roots.root, head.root.0.to_vec());
    let quote = client
        .get_quote(proto::GetQuoteRequest {
            operator: "ph-wallet".into(),
            quote_id: 7,
        })
        .await
        .unwrap()
        .into_inner()
        .quote
        .unwrap();
    let expected = reference.quote("ph-wallet", 7).unwrap().unwrap();
    assert_eq!(
        (quote.num, quote.den, quote.expiry_height),
        (expected.num, expected.den, expected.expiry_height)
    );
    assert_eq!(
        (quote.asset_from.as_str(), quote.asset_to.as_str()),
        ("HKD", "PHP")
    );

    // Metrics over HTTP.
    let (status_line, body) = http_get(&node.metrics, "/metrics");
    assert!(status_line.contains("200"), "{status_line}");
    assert!(
        body.contains(&format!("corridor_height {last}\n")),
        "{body}"
    );
    assert!(
        body.contains(&format!("corridor_tx_accepted_total {last}\n")),
        "{body}"
    );
    assert!(body.contains("corridor_verify_seconds_total "), "{body}");
    assert!(body.contains("corridor_mempool_size 0\n"), "{body}");
    let (status_line, _) = http_get(&node.metrics, "/other");
    assert!(status_line.contains("404"), "{status_line}");

    // SIGTERM with a stream open: the node ends it, drains and exits 0.
    drop(client);
    let rest = tokio::task::spawn_blocking(move || node.terminate(Duration::from_secs(20)))
        .await
        .unwrap();
    assert!(
        rest.contains(&format!("stopped at height {last} ")),
        "{rest}"
    );
    assert!(late.message().await.map_or(true, |m| m.is_none()));
}

async fn registration(
    client: &mut NodeClient<Channel>,
    x: &Point,
) -> Result<proto::GetRegistrationResponse, tonic::Status> {
    client
        .get_registration(proto::GetRegistrationRequest {
            spend_key: x.to_bytes().to_vec(),
        })
        .await
        .map(|r| r.into_inner())
}

async fn nullifier(
    client: &mut NodeClient<Channel>,
    n: &FieldBytes,
) -> proto::GetRegistrationNullifierResponse {
    client
        .get_registration_nullifier(proto::GetRegistrationNullifierRequest {
            nullifier: n.0.to_vec(),
        })
        .await
        .unwrap()
        .into_inner()
}

async fn standing(
    client: &mut NodeClient<Channel>,
    issuer: u32,
    root: &FieldBytes,
) -> proto::GetKycRootStandingResponse {
    let r = client
        .get_kyc_root_standing(proto::GetKycRootStandingRequest {
            issuer,
            root: root.0.to_vec(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((r.issuer, r.root.as_slice()), (issuer, root.0.as_slice()));
    r
}

/// GetRegistration, GetRegistrationNullifier and GetKycRootStanding after the chain: each
/// answers what the in-process node that committed the same chain (same transactions, same
/// heights) answers through `PublicState`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_state_reads_answer_as_the_node_itself() {
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, "reads");
    let mut client = node.client().await;
    let reference = chain.report.network.node.view();
    let txs = chain.txs();
    let commits = submit_all(&mut client, txs).await;

    // Every customer's registration, with its link, and its nullifier used at its height.
    let mut customers = 0;
    for (tx, at) in txs.iter().zip(&commits) {
        let TxBody::RegisterAddress(r) = tx.body() else {
            continue;
        };
        customers += 1;
        let x = r.address.spend_key();
        let got = registration(&mut client, x).await.unwrap();
        assert_eq!(got.address, Some(r.address.to_proto()));
        let link = reference.registration_link(x).unwrap();
        assert!(link.is_some() && link == r.kyc.link);
        assert_eq!(got.link, link.map(|l| l.0.to_vec()));
        assert!(reference
            .registration_nullifier_used(&r.kyc.nullifier)
            .unwrap());
        let used = nullifier(&mut client, &r.kyc.nullifier).await;
        assert_eq!(used.nullifier, r.kyc.nullifier.0.to_vec());
        assert_eq!((used.used, used.height), (true, Some(at.height)));
    }
    assert_eq!(customers, 4, "Maria, Ana, Juan and Rosa");
    // An institution of genesis: registered, without a link.
    let treasury = chain.report.network.inst.hkd_treasury.address();
    assert!(reference
        .spend_key_registered(treasury.spend_key())
        .unwrap());
    let got = registration(&mut client, treasury.spend_key())
        .await
        .unwrap();
    assert_eq!((got.address, got.link), (Some(treasury.to_proto()), None));
    // A spend key nobody registered.
    let stranger = WalletKeys::from_seed(&WalletSeed::from_bytes([0x5a; 32]))
        .unwrap()
        .address();
    assert!(!reference
        .spend_key_registered(stranger.spend_key())
        .unwrap());
    let s = registration(&mut client, stranger.spend_key())
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::NotFound, "{s}");
    // A nullifier nobody used.
    let unused = FieldBytes([7; 32]);
    assert!(!reference.registration_nullifier_used(&unused).unwrap());
    let got = nullifier(&mut client, &unused).await;
    assert_eq!((got.used, got.height), (false, None));

    // Every root the issuer published: each superseded by the next update, at its height;
    // the last one current.
    let updates: Vec<(FieldBytes, u64)> = txs
        .iter()
        .zip(&commits)
        .filter_map(|(tx, at)| match tx.body() {
            TxBody::KycRootUpdate(u) => Some((u.new_root, at.height)),
            _ => None,
        })
        .collect();
    assert!(updates.len() >= 2, "{updates:?}");
    for (i, (root, _)) in updates.iter().enumerate() {
        let got = standing(&mut client, KYC_ISSUER_ID, root).await;
        let expected = reference.kyc_root(KYC_ISSUER_ID, root).unwrap();
        match updates.get(i + 1) {
            Some(&(_, next)) => {
                assert_eq!(expected, Some(RootStanding::SupersededAt(next)));
                assert_eq!(
                    (got.standing(), got.superseded_height),
                    (proto::KycRootStanding::Superseded, Some(next))
                );
            }
            None => {
                assert_eq!(expected, Some(RootStanding::Current));
                assert_eq!(
                    (got.standing(), got.superseded_height),
                    (proto::KycRootStanding::Current, None)
                );
                let head = reference.kyc_root_head(KYC_ISSUER_ID).unwrap().unwrap();
                assert_eq!(head.root, *root);
            }
        }
    }
    // Roots never published, by this issuer or another.
    let (current, _) = updates[updates.len() - 1];
    for (issuer, root) in [(KYC_ISSUER_ID, FieldBytes([9; 32])), (2, current)] {
        assert_eq!(reference.kyc_root(issuer, &root).unwrap(), None);
        let got = standing(&mut client, issuer, &root).await;
        assert_eq!(
            (got.standing(), got.superseded_height),
            (proto::KycRootStanding::Unknown, None)
        );
    }
    drop(client);
    tokio::task::spawn_blocking(move || node.terminate(Duration::from_secs(20)))
        .await
        .unwrap();
}

/// Bad input: each refusal with its code (and reason), and the node's state does not move.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_its_status_code_and_moves_nothing() {
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, "bad");
    let mut client = node.client().await;
    let before = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();

    let submitter = client.clone();
    let submit = |bytes: Vec<u8>| {
        let mut c = submitter.clone();
        async move { c.submit_tx(proto::SubmitTxRequest { tx: bytes }).await }
    };
    let s = submit(vec![0xde, 0xad, 0xbe, 0xef]).await.unwrap_err();
    assert_eq!(
        (s.code(), reason(&s)),
        (Code::InvalidArgument, "decode"),
        "{s}"
    );
    let s = submit(vec![0; 64 * 1024 + 1]).await.unwrap_err();
    assert_eq!(
        (s.code(), reason(&s)),
        (Code::InvalidArgument, "too_large"),
        "{s}"
    );
    assert!(s.message().contains("65537 bytes"), "{s}");
    // Far over the cap: refused by the transport before the node decodes it.
    let s = submit(vec![0; 1 << 20]).await.unwrap_err();
    assert_ne!(s.code(), Code::Ok);
    // A signature that does not verify.
    let mut forged = chain.txs()[0].to_proto();
    forged.signature[0] ^= 1;
    let s = submit(forged.encode_to_vec()).await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s}");
    // A transfer whose inputs this ledger never saw.
    let s = submit(chain.txs()[7].encode()).await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s}");
    // Resolution finds no such note before the rules do.
    assert!(["statement", "unknown_note"].contains(&reason(&s)), "{s}");

    let unknown = [0x42u8; 32].to_vec();
    let s = client
        .get_tx(proto::GetTxRequest {
            tx_id: unknown.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::NotFound);
    let s = client
        .get_tx(proto::GetTxRequest { tx_id: vec![1; 5] })
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument);
    let s = client
        .get_note(proto::GetNoteRequest { note_id: unknown })
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::NotFound);
    let s = client
        .get_quote(proto::GetQuoteRequest {
            operator: "ph-wallet".into(),
            quote_id: 7,
        })
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::NotFound);
    let s = client
        .get_kyc_roots(proto::GetKycRootsRequest { issuer: 1 })
        .await
        .unwrap_err();
    assert_eq!(s.code(), Code::NotFound);
    // Malformed keys, nullifiers and roots, named by their field.
    for spend_key in [vec![1; 31], vec![0xff; 32], vec![0; 32], Vec::new()] {
        let s = client
            .get_registration(proto::GetRegistrationRequest { spend_key })
            .await
            .unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument, "{s}");
        assert!(s.message().starts_with("spend_key"), "{s}");
    }
    for nullifier in [vec![1; 5], vec![0xff; 32], vec![1; 33]] {
        let s = client
            .get_registration_nullifier(proto::GetRegistrationNullifierRequest { nullifier })
            .await
            .unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument, "{s}");
        assert!(s.message().starts_with("nullifier"), "{s}");
    }
    for root in [Vec::new(), vec![0xff; 32], vec![2; 33]] {
        let s = client
            .get_kyc_root_standing(proto::GetKycRootStandingRequest { issuer: 1, root })
            .await
            .unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument, "{s}");
        assert!(s.message().starts_with("root"), "{s}");
    }
    // Well-formed, on the genesis state: an issuer without roots knows none; no nullifier is
    // used; institutions are registered from genesis on, without a link.
    let root = FieldBytes([9; 32]);
    let got = standing(&mut client, 1, &root).await;
    assert_eq!(got.standing(), proto::KycRootStanding::Unknown);
    assert!(!nullifier(&mut client, &FieldBytes([7; 32])).await.used);
    let float = chain.report.network.inst.ph_float.address();
    let got = registration(&mut client, float.spend_key()).await.unwrap();
    assert_eq!((got.address, got.link), (Some(float.to_proto()), None));
    for request in [
        proto::ListNotesRequest {
            owner_address: "crd1notanaddress".into(),
            ..Default::default()
        },
        proto::ListNotesRequest::default(),
        proto::ListNotesRequest {
            owner: vec![7; 64],
            ..Default::default()
        },
    ] {
        let s = client.list_notes(request).await.unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument, "{s}");
    }

    // Nothing moved.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after, before);
    let (_, metrics) = http_get(&node.metrics, "/metrics");
    assert!(metrics.contains("corridor_height 0\n"), "{metrics}");
    assert!(
        metrics.contains("corridor_tx_accepted_total 0\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("corridor_tx_rejected_total{reason=\"decode\"} 1\n"),
        "{metrics}"
    );

    // A good transaction goes through; the same again is a replay.
    let tx = chain.txs()[0].encode();
    let id = submit(tx.clone()).await.unwrap().into_inner().tx_id;
    assert_eq!(committed(&mut client, &id).await.height, 1);
    // (Resolution sees the issuer's sequence moved on before the rules see the replay.)
    let s = submit(tx).await.unwrap_err();
    assert_eq!(s.code(), Code::InvalidArgument, "{s}");
    assert!(["statement", "replayed"].contains(&reason(&s)), "{s}");
    let status = client
        .status(proto::StatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!((status.height, status.mempool_size), (1, 0));
}

/// The mempool's answers, on the service without a block loop (nothing leaves the mempool):
/// ALREADY_EXISTS for a transaction waiting, RESOURCE_EXHAUSTED when it is full.
#[tokio::test]
async fn a_waiting_transaction_and_a_full_mempool_have_their_codes() {
    let chain = chain();
    let node = Node::open(
        chain.report.network.genesis.clone(),
        Arc::new(MemoryKv::default()),
        dev_kyc_keys().unwrap().verifying.clone(),
        0,
        NodeConfig {
            threads: 1,
            mempool_capacity: 1,
            ..NodeConfig::default()
        },
    )
    .unwrap();
    let api = NodeApi::new(Arc::new(node), Arc::new(Events::new(0)));
    let submit =
        |tx: &Transaction| api.submit_tx(Request::new(proto::SubmitTxRequest { tx: tx.encode() }));
    let root = &chain.txs()[0];
    submit(root).await.unwrap();
    let s = submit(root).await.unwrap_err();
    assert_eq!(
        (s.code(), reason(&s)),
        (Code::AlreadyExists, "in_mempool"),
        "{s}"
    );
    // The HKD mint is valid on the genesis state too, but there is no room.
    let mint = chain
        .txs()
        .iter()
        .find(|t| matches!(t.body(), TxBody::Mint(_)))
        .unwrap();
    let s = submit(mint).await.unwrap_err();
    assert_eq!(
        (s.code(), reason(&s)),
        (Code::ResourceExhausted, "mempool_full"),
        "{s}"
    );
    let status = api
        .status(Request::new(proto::StatusRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((status.height, status.mempool_size), (0, 1));
}
