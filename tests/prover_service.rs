//! The prover service (`corridor.prover.v1.Prover`, the prover crate's `service` feature) over
//! real gRPC on 127.0.0.1, proving against `corridor node run` after the demo's remittance chain:
//! a customer's transfer proven by the service, signed by the wallet, is committed by the node;
//! tokens (none, wrong, right); a burst above the concurrency limit gets RESOURCE_EXHAUSTED while
//! the requests below it complete; malformed requests get INVALID_ARGUMENT naming the field;
//! state the ledger refuses gets FAILED_PRECONDITION; TLS; and no request message can carry a
//! spend key.
mod support;
use support::{chain, committed, http_get, submit_all, NodeProcess};

use corridor_core::tx::{NoteId, UnsignedTransaction};
use corridor_node::api::proto as node;
use corridor_params::ProvingKey;
use corridor_prover::service::convert::{credential_message, view_wallet_message};
use corridor_prover::service::prover_api::prover_client::ProverClient;
use corridor_prover::service::prover_api::{
    GetInfoRequest, Payment, ProveRegistrationRequest, ProveTransferRequest,
};
use corridor_prover::service::{
    connect, serve, ProverConfig, ProverMetrics, ProverService, TlsFiles, PROVER_DESCRIPTOR_SET,
};
use corridor_prover::ViewWallet;
use prost::Message;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Runtime;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Request};
use zeroize::Zeroizing;

const TOKEN: &str = "prover-test-token-1";

fn proving_key() -> &'static ProvingKey {
    &corridor::network::dev_kyc_keys().unwrap().proving
}

/// A prover service in this process on 127.0.0.1:0, proving against the node at `node`.
struct Service {
    addr: String,
    metrics: Arc<ProverMetrics>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Service {
    fn start(rt: &Runtime, node: &str, config: ProverConfig, tls: Option<TlsFiles>) -> Service {
        let genesis = Arc::new(chain().report.network.genesis.clone());
        let client = rt.block_on(connect(&format!("http://{node}"))).unwrap();
        let service =
            ProverService::new(genesis, proving_key(), client, rt.handle().clone(), config);
        let metrics = service.metrics();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = rt.spawn(async move {
            serve(service, listener, tls, async move {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        Service {
            addr,
            metrics,
            stop: Some(stop),
            task: Some(task),
        }
    }

    fn stop(mut self, rt: &Runtime) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            rt.block_on(t).unwrap();
        }
    }

    fn client(&self, rt: &Runtime) -> ProverClient<Channel> {
        rt.block_on(ProverClient::connect(format!("http://{}", self.addr)))
            .unwrap()
    }
}

fn with_token<T>(message: T, token: &str) -> Request<T> {
    let mut r = Request::new(message);
    r.metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    r
}

fn config(max_concurrent: usize) -> ProverConfig {
    ProverConfig {
        max_concurrent,
        tokens: vec![Zeroizing::new(TOKEN.to_string())],
        ..ProverConfig::default()
    }
}

/// Maria's unspent HKD notes on the node.
fn marias_notes(rt: &Runtime, client: &mut node::node_client::NodeClient<Channel>) -> Vec<Vec<u8>> {
    let maria = chain().report.maria.address().encode();
    let notes = rt
        .block_on(client.list_notes(node::ListNotesRequest {
            owner_address: maria,
            ..Default::default()
        }))
        .unwrap()
        .into_inner()
        .notes;
    notes
        .into_iter()
        .filter(|n| n.spent_height.is_none() && n.asset == "HKD")
        .map(|n| n.note_id)
        .collect()
}

/// A transfer request of Maria's: 1,000 to Ana from her first unspent note, with her credential.
fn marias_transfer(inputs: Vec<Vec<u8>>) -> ProveTransferRequest {
    let r = &chain().report;
    let kyc = r.network.kyc_credential(&r.maria).unwrap();
    ProveTransferRequest {
        wallet: Some(view_wallet_message(&ViewWallet::of(&r.maria))),
        asset: "HKD".into(),
        input_note_ids: inputs,
        payments: vec![Payment {
            to_address: r.ana.address().encode(),
            value: 1_000,
        }],
        fee: 10,
        remittance: None,
        kyc: Some(credential_message(&kyc.credential, &kyc.membership)),
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_service_proves_what_the_node_commits_and_refuses_what_it_must() {
    let rt = runtime();
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, "prover");
    let mut node_client = rt.block_on(node.client());
    rt.block_on(submit_all(&mut node_client, chain.txs()));
    let service = Service::start(&rt, &node.grpc, config(2), None);
    let mut client = service.client(&rt);

    // GetInfo: the network and the keys' hashes, with the token only.
    let info = rt
        .block_on(client.get_info(with_token(GetInfoRequest {}, TOKEN)))
        .unwrap()
        .into_inner();
    assert_eq!(info.network, chain.report.network.genesis.network);
    assert_eq!(
        info.verifying_key_sha256,
        chain.report.network.genesis.vk_hash.to_vec()
    );
    assert_eq!(info.max_concurrent, 2);
    for request in [
        Request::new(GetInfoRequest {}),
        with_token(GetInfoRequest {}, "prover-test-token-2"),
        with_token(GetInfoRequest {}, ""),
    ] {
        let err = rt.block_on(client.get_info(request)).unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "{err}");
    }
    let err = rt
        .block_on(client.prove_transfer(Request::new(marias_transfer(Vec::new()))))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Code::Unauthenticated,
        "no token, no proof: {err}"
    );

    // A transfer proven by the service, signed by Maria's wallet, committed by the node.
    let notes = marias_notes(&rt, &mut node_client);
    assert!(!notes.is_empty(), "Maria has HKD notes after the chain");
    let proven = rt
        .block_on(client.prove_transfer(with_token(marias_transfer(vec![notes[0].clone()]), TOKEN)))
        .unwrap()
        .into_inner();
    let unsigned = UnsignedTransaction::decode(&proven.unsigned_tx).unwrap();
    assert_eq!(unsigned.id().0.to_vec(), proven.tx_id);
    assert!(!proven.openings.is_empty());
    assert!(proven.prove_seconds > 0.0);
    let signed = unsigned.sign(&chain.report.maria.spend);
    let id = rt
        .block_on(node_client.submit_tx(node::SubmitTxRequest {
            tx: signed.encode(),
        }))
        .unwrap()
        .into_inner()
        .tx_id;
    rt.block_on(committed(&mut node_client, &id));
    assert_eq!(service.metrics.proofs("transfer", "ok"), 1);

    // Malformed requests: INVALID_ARGUMENT naming the field.
    let notes = marias_notes(&rt, &mut node_client);
    let good = || marias_transfer(vec![notes[0].clone()]);
    let other = ViewWallet::of(&chain.report.ana);
    let cases: Vec<(&str, ProveTransferRequest)> = vec![
        (
            "wallet: missing",
            ProveTransferRequest {
                wallet: None,
                ..good()
            },
        ),
        ("wallet.address", {
            let mut m = good();
            m.wallet.as_mut().unwrap().address = "crd1notanaddress".into();
            m
        }),
        ("wallet.view_key: 31 bytes", {
            let mut m = good();
            m.wallet.as_mut().unwrap().view_key.pop();
            m
        }),
        ("wallet.view_key: not the view key of the address", {
            let mut m = good();
            m.wallet.as_mut().unwrap().view_key = view_wallet_message(&other).view_key;
            m
        }),
        (
            "input_note_ids: 0 notes",
            ProveTransferRequest {
                input_note_ids: Vec::new(),
                ..good()
            },
        ),
        (
            "input_note_ids[1]: repeated",
            ProveTransferRequest {
                input_note_ids: vec![notes[0].clone(), notes[0].clone()],
                ..good()
            },
        ),
        (
            "input_note_ids[0]: 3 bytes",
            ProveTransferRequest {
                input_note_ids: vec![vec![1, 2, 3]],
                ..good()
            },
        ),
        ("payments[0].to_address", {
            let mut m = good();
            m.payments[0].to_address = "nope".into();
            m
        }),
        ("kyc.siblings: 31 siblings", {
            let mut m = good();
            m.kyc.as_mut().unwrap().siblings.pop();
            m
        }),
        ("kyc.identity_secret: not a canonical field element", {
            let mut m = good();
            m.kyc.as_mut().unwrap().identity_secret = vec![0xff; 32];
            m
        }),
        (
            "unknown asset XYZ",
            ProveTransferRequest {
                asset: "XYZ".into(),
                ..good()
            },
        ),
    ];
    for (needle, request) in cases {
        let err = rt
            .block_on(client.prove_transfer(with_token(request, TOKEN)))
            .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{needle}: {err}");
        assert!(err.message().contains(needle), "{needle}: {err}");
    }

    // What the ledger refuses: FAILED_PRECONDITION.
    let unknown = NoteId([0x42; 32]).0.to_vec();
    let ana_note = {
        let ana = chain.report.ana.address().encode();
        rt.block_on(node_client.list_notes(node::ListNotesRequest {
            owner_address: ana,
            ..Default::default()
        }))
        .unwrap()
        .into_inner()
        .notes[0]
            .note_id
            .clone()
    };
    for (needle, request) in [
        ("input_note_ids[0]: no note", marias_transfer(vec![unknown])),
        (
            "input_note_ids[0]: the note is not this wallet's",
            marias_transfer(vec![ana_note]),
        ),
        ("insufficient funds", {
            let mut m = good();
            m.payments[0].value = u64::MAX / 2;
            m
        }),
    ] {
        let err = rt
            .block_on(client.prove_transfer(with_token(request, TOKEN)))
            .unwrap_err();
        assert_eq!(err.code(), Code::FailedPrecondition, "{needle}: {err}");
        assert!(err.message().contains(needle), "{needle}: {err}");
    }
    // An already registered address cannot register again (the statement refuses it).
    let r = &chain.report;
    let kyc = r.network.kyc_credential(&r.maria).unwrap();
    let err = rt
        .block_on(client.prove_registration(with_token(
            ProveRegistrationRequest {
                wallet: Some(view_wallet_message(&ViewWallet::of(&r.maria))),
                kyc: Some(credential_message(&kyc.credential, &kyc.membership)),
            },
            TOKEN,
        )))
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition, "{err}");

    // A burst of four at a limit of two: two proven, two RESOURCE_EXHAUSTED at once.
    let burst: Vec<_> = (0..4)
        .map(|_| {
            let mut c = client.clone();
            let request = with_token(good(), TOKEN);
            rt.spawn(async move { c.prove_transfer(request).await })
        })
        .collect();
    let results: Vec<_> = burst.into_iter().map(|t| rt.block_on(t).unwrap()).collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let exhausted = results
        .iter()
        .filter(|r| matches!(r, Err(s) if s.code() == Code::ResourceExhausted))
        .count();
    assert_eq!((ok, exhausted), (2, 2), "{results:?}");
    assert_eq!(service.metrics.exhausted(), 2);
    // Below the limit, every request completes.
    let pair: Vec<_> = (0..2)
        .map(|_| {
            let mut c = client.clone();
            let request = with_token(good(), TOKEN);
            rt.spawn(async move { c.prove_transfer(request).await })
        })
        .collect();
    for t in pair {
        rt.block_on(t).unwrap().unwrap();
    }
    assert_eq!(service.metrics.proofs("transfer", "ok"), 5);
    assert!(service
        .metrics
        .render()
        .contains("corridor_prover_exhausted_total 2"));

    // A deadline shorter than a proof: DEADLINE_EXCEEDED.
    let mut request = with_token(good(), TOKEN);
    request.set_timeout(Duration::from_millis(30));
    let err = rt.block_on(client.prove_transfer(request)).unwrap_err();
    assert!(
        matches!(err.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{err}"
    );
    service.stop(&rt);
}

#[test]
fn tls_serves_tls_clients_only() {
    let rt = runtime();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let tls = TlsFiles {
        cert_pem: cert.cert.pem().into_bytes(),
        key_pem: Zeroizing::new(cert.key_pair.serialize_pem().into_bytes()),
    };
    // GetInfo needs no node: the channel to it is never used.
    let node = "127.0.0.1:9";
    let genesis = Arc::new(chain().report.network.genesis.clone());
    let lazy = {
        let _runtime = rt.enter();
        Endpoint::from_static("http://127.0.0.1:9").connect_lazy()
    };
    let service = ProverService::new(
        genesis,
        proving_key(),
        corridor_prover::service::NodeClient::new(lazy),
        rt.handle().clone(),
        config(1),
    );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = rt.spawn(serve(service, listener, Some(tls), async move {
        let _ = stopped.await;
    }));
    let _ = node;

    let tls_client = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(cert.cert.pem()))
        .domain_name("localhost");
    let channel = rt
        .block_on(
            Endpoint::from_shared(format!("https://{addr}"))
                .unwrap()
                .tls_config(tls_client)
                .unwrap()
                .connect(),
        )
        .unwrap();
    let info = rt
        .block_on(ProverClient::new(channel).get_info(with_token(GetInfoRequest {}, TOKEN)))
        .unwrap()
        .into_inner();
    assert_eq!(info.network, chain().report.network.genesis.network);
    // A plaintext client gets no answer from a TLS server.
    let plain = rt.block_on(async {
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await?;
        ProverClient::new(channel)
            .get_info(with_token(GetInfoRequest {}, TOKEN))
            .await
            .map_err(|s| s.into())
            .map(|_| ())
    });
    let plain: Result<(), Box<dyn std::error::Error>> = plain;
    assert!(plain.is_err(), "a plaintext call succeeded against TLS");
    let _ = stop.send(());
    rt.block_on(task).unwrap().unwrap();
}

#[test]
fn no_request_message_has_a_field_for_a_spend_key() {
    let fds = prost_types::FileDescriptorSet::decode(PROVER_DESCRIPTOR_SET).unwrap();
    let file = fds
        .file
        .iter()
        .find(|f| f.package() == "corridor.prover.v1")
        .unwrap();
    let mut fields = 0;
    for message in &file.message_type {
        for field in &message.field {
            fields += 1;
            let name = field.name().to_lowercase();
            assert!(
                !name.contains("spend")
                    && !name.contains("signing")
                    && !name.contains("secret_key"),
                "{}.{}",
                message.name(),
                field.name()
            );
        }
    }
    assert!(fields > 20, "{fields} fields read");
    // The wallet part of every request is a ViewWallet: an address and a view key, no more.
    let wallet = file
        .message_type
        .iter()
        .find(|m| m.name() == "ViewWallet")
        .unwrap();
    let names: Vec<&str> = wallet.field.iter().map(|f| f.name()).collect();
    assert_eq!(names, ["address", "view_key"]);
}

/// `corridor prover serve` as a process: it refuses a proving key of another network, an
/// address beyond loopback without tokens and an empty tokens file, then,
/// with the right one, prints where it listens, answers GetInfo with a token from its tokens
/// file only, serves its metrics, and exits 0 on SIGTERM.
#[test]
fn the_prover_serve_command_runs_and_stops_cleanly() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let rt = runtime();
    let chain = chain();
    let node = NodeProcess::start(&chain.dir, "prover-cli");
    let tokens = chain.dir.join("prover.tokens");
    std::fs::write(&tokens, format!("\n{TOKEN}\nanother-token\n")).unwrap();
    let serve = |genesis: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(["prover", "serve", "--genesis"])
            .arg(genesis)
            .arg("--params")
            .arg(chain.dir.join("params"))
            .args(["--node", &format!("http://{}", node.grpc)])
            .args(["--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0"])
            .arg("--tokens")
            .arg(&tokens)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // A genesis pinning another verifying key: the service refuses to start.
    let mut other = chain.report.network.genesis.clone();
    other.vk_hash = [7; 32];
    let other_path = chain.dir.join("other-genesis.toml");
    support::write_genesis(&other_path, &other);
    let refused = serve(&other_path).wait_with_output().unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not for this network"), "{stderr}");

    // Open to anyone (no tokens) only on loopback: an address beyond it is refused before
    // anything binds, as is a tokens file without a token.
    let open_to_all = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(["prover", "serve", "--genesis"])
            .arg(chain.dir.join("genesis.toml"))
            .arg("--params")
            .arg(chain.dir.join("params"))
            .args(["--node", &format!("http://{}", node.grpc)])
            .args(extra)
            .env_remove("CORRIDOR_PROVER_TOKENS")
            .output()
            .unwrap()
    };
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let refused = open_to_all(&["--listen", listen]);
        assert!(!refused.status.success(), "{listen}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            stderr.contains(&format!("refusing to serve {listen} without bearer tokens")),
            "{stderr}"
        );
    }
    let empty = chain.dir.join("empty.tokens");
    std::fs::write(&empty, "\n  \n").unwrap();
    let refused = open_to_all(&[
        "--listen",
        "127.0.0.1:0",
        "--tokens",
        empty.to_str().unwrap(),
    ]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("no token in it"), "{stderr}");

    let mut child = serve(&chain.dir.join("genesis.toml"));
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening ").unwrap().to_string();
    line.clear();
    out.read_line(&mut line).unwrap();
    let metrics = line
        .trim()
        .strip_prefix("metrics http://")
        .unwrap()
        .trim_end_matches("/metrics")
        .to_string();
    let mut client = rt
        .block_on(ProverClient::connect(format!("http://{addr}")))
        .unwrap();
    for token in [TOKEN, "another-token"] {
        let info = rt
            .block_on(client.get_info(with_token(GetInfoRequest {}, token)))
            .unwrap()
            .into_inner();
        assert_eq!(info.network, chain.report.network.genesis.network);
    }
    let err = rt
        .block_on(client.get_info(with_token(GetInfoRequest {}, "not-in-the-file")))
        .unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let (status, body) = http_get(&metrics, "/metrics");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("corridor_prover_in_flight 0"), "{body}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit after SIGTERM: {exit}");
}
