//! The KYC registry service (`corridor kyc serve`) against a node (`corridor node run`), both
//! as processes on 127.0.0.1 with ports they pick: an enrolment publishes the issuer's first
//! root (seq 1) to the node, its witness leads to that root, a revocation publishes seq 2 and
//! the revoked leaf gets no witness; back-to-back enrolments go out in order; a restart on the
//! same data serves the same root; malformed requests get INVALID_ARGUMENT naming the field;
//! a root the node missed (it was down) is published when the service starts again; a key that
//! is not the issuer's is refused; Enroll and Revoke need the back office's token while
//! GetWitness and Root answer anyone, and without tokens the registry serves loopback only.
mod support;

use ark_ff::Zero;
use corridor::services::proto::kyc::registry_client::RegistryClient;
use corridor::services::proto::kyc::{
    EnrollRequest, EnrollResponse, GetWitnessRequest, RevokeRequest, RootRequest, RootResponse,
};
use corridor_circuits::{
    fr_from_bytes, fr_to_bytes, CredentialAttributes, Fr, IdentitySecret, MembershipWitness,
    TREE_DEPTH,
};
use corridor_node::api::proto::node_client::NodeClient;
use corridor_node::api::proto::{GetKycRootsRequest, GetKycRootsResponse};
use corridor_node::api::unix_now;
use rand::SeedableRng;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::NodeProcess;
use tonic::codegen::InterceptedService;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};

/// The demo network's KYC issuer.
const ISSUER: u32 = 1;
/// The seed of the demo network's institutions.
const SEED: &str = "11";
/// The back office's bearer token (the registry's tokens file holds it and another).
const TOKEN: &str = "hk-back-office";

/// A client of the registry that sends the back office's token with every call.
type Client =
    RegistryClient<InterceptedService<Channel, fn(Request<()>) -> Result<Request<()>, Status>>>;

fn with_back_office_token(mut request: Request<()>) -> Result<Request<()>, Status> {
    let value = format!("Bearer {TOKEN}").parse().expect("ascii");
    request.metadata_mut().insert("authorization", value);
    Ok(request)
}

/// A folder with the demo genesis (`genesis.toml`), the dev parameters (`params/`) and the
/// institutions' dev keys (`keys/`), written by `corridor node demo-genesis --keys` once per
/// test binary.
fn network() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("corridor-kyc-registry-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = corridor(&[
            "node",
            "demo-genesis",
            "--seed",
            SEED,
            "--out",
            dir.join("genesis.toml").to_str().unwrap(),
            "--keys",
            dir.join("keys").to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        support::write_dev_params(&dir.join("params"));
        dir
    })
}

fn corridor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .output()
        .expect("corridor")
}

/// A `corridor kyc serve` process; killed on drop (its data stays, for a restart).
struct KycProcess {
    child: Child,
    _stdout: BufReader<ChildStdout>,
    addr: String,
}

impl Drop for KycProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl KycProcess {
    /// Serves issuer 1's registry on `data`, publishing to the node at `node`.
    fn start(data: &Path, node: &str) -> KycProcess {
        Self::start_with_key(data, node, "kyc-issuer.key")
    }

    fn start_with_key(data: &Path, node: &str, key: &str) -> KycProcess {
        let dir = network();
        let tokens = dir.join("registry.tokens");
        std::fs::write(&tokens, format!("{TOKEN}\nanother-office\n")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(["kyc", "serve", "--tokens"])
            .arg(&tokens)
            .arg("--genesis")
            .arg(dir.join("genesis.toml"))
            .args(["--issuer", &ISSUER.to_string(), "--key"])
            .arg(dir.join("keys").join(key))
            .arg("--data")
            .arg(data)
            .args([
                "--node",
                &format!("http://{node}"),
                "--listen",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("corridor kyc serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let n = stdout.read_line(&mut line).unwrap();
        assert!(n > 0, "kyc serve exited: {:?}", child.try_wait());
        let addr = line
            .trim_end()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("expected `listening ADDR`, got {line:?}"))
            .to_string();
        assert!(addr.starts_with("127.0.0.1:"), "{addr}");
        KycProcess {
            child,
            _stdout: stdout,
            addr,
        }
    }

    /// The back office's client (with its token).
    async fn client(&self) -> Client {
        let interceptor: fn(Request<()>) -> Result<Request<()>, Status> = with_back_office_token;
        let channel = Channel::from_shared(format!("http://{}", self.addr))
            .expect("uri")
            .connect()
            .await
            .expect("connect");
        RegistryClient::with_interceptor(channel, interceptor)
    }

    /// A client without a token.
    async fn stranger(&self) -> RegistryClient<Channel> {
        RegistryClient::connect(format!("http://{}", self.addr))
            .await
            .expect("connect")
    }
}

/// A fresh data folder under the network folder.
fn data_dir(name: &str) -> PathBuf {
    let data = network().join(format!("kyc-{name}"));
    let _ = std::fs::remove_dir_all(&data);
    data
}

fn today() -> u32 {
    u32::try_from(unix_now() / 86_400).unwrap()
}

/// A customer's enrolment request: `id_commit` of a fresh identity secret, and the leaf it
/// must get (jurisdiction `code` at genesis index `index`).
fn customer(seed: u64, code: &str, index: u32) -> (EnrollRequest, Fr) {
    let secret = IdentitySecret::random(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed));
    let attributes = CredentialAttributes {
        jurisdiction: index,
        expiry_day: today() + 365,
        tier: 2,
        issuer_id: ISSUER,
    };
    let request = EnrollRequest {
        id_commit: fr_to_bytes(&secret.id_commit()).to_vec(),
        jurisdiction: code.into(),
        tier: attributes.tier,
        expiry_day: attributes.expiry_day,
    };
    (request, attributes.leaf(secret.id_commit()))
}

fn field(bytes: &[u8]) -> Fr {
    fr_from_bytes(&bytes.try_into().expect("32 bytes"), "test").expect("canonical")
}

/// Waits until the node's current root of the issuer has `seq`; returns it.
async fn node_root(node: &mut NodeClient<Channel>, seq: u64) -> GetKycRootsResponse {
    let start = Instant::now();
    loop {
        match node
            .get_kyc_roots(GetKycRootsRequest { issuer: ISSUER })
            .await
        {
            Ok(r) if r.get_ref().seq >= seq => return r.into_inner(),
            Ok(_) => {}
            Err(s) if s.code() == Code::NotFound => {}
            Err(s) => panic!("GetKycRoots: {s}"),
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the node has no root seq {seq} after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn enroll(client: &mut Client, request: &EnrollRequest) -> EnrollResponse {
    client
        .enroll(request.clone())
        .await
        .expect("Enroll")
        .into_inner()
}

async fn root(client: &mut Client) -> RootResponse {
    client
        .root(RootRequest {})
        .await
        .expect("Root")
        .into_inner()
}

/// The witness of `index` leads `leaf` to the root it names, which is `expected`.
async fn check_witness(client: &mut Client, index: u64, leaf: Fr, expected: (u64, &[u8])) {
    let w = client
        .get_witness(GetWitnessRequest { leaf_index: index })
        .await
        .expect("GetWitness")
        .into_inner();
    assert_eq!(w.leaf_index, index);
    assert_eq!((w.siblings.len(), w.bits.len()), (TREE_DEPTH, TREE_DEPTH));
    let mut witness = MembershipWitness {
        siblings: [Fr::zero(); TREE_DEPTH],
        path_bits: [false; TREE_DEPTH],
    };
    for h in 0..TREE_DEPTH {
        witness.siblings[h] = field(&w.siblings[h]);
        witness.path_bits[h] = w.bits[h];
    }
    assert_eq!(witness.leaf_index(), index);
    assert_eq!(
        fr_to_bytes(&witness.root(leaf)).as_slice(),
        w.root.as_slice()
    );
    assert_eq!((w.seq, w.root.as_slice()), expected);
}

fn assert_code(result: Result<impl std::fmt::Debug, tonic::Status>, code: Code, starts: &str) {
    let status = result.expect_err("the call must fail");
    assert_eq!(status.code(), code, "{status:?}");
    assert!(
        status.message().starts_with(starts),
        "{:?} does not start with {starts:?}",
        status.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_publish_witness_revoke_restart() {
    let dir = network();
    let node = NodeProcess::start(dir, "flow");
    let mut node_client = node.client().await;
    let data = data_dir("flow");
    let kyc = KycProcess::start(&data, &node.grpc);
    let mut client = kyc.client().await;

    // An empty registry: nothing published, nothing to publish.
    let empty = root(&mut client).await;
    assert_eq!((empty.issuer, empty.seq, empty.leaves), (ISSUER, 0, 0));
    assert!(empty.published);

    // Enrol: the node admits root seq 1, then commits it.
    let (alice, alice_leaf) = customer(1, "PH", 1);
    let enrolled = enroll(&mut client, &alice).await;
    assert_eq!((enrolled.leaf_index, enrolled.seq), (0, 1));
    assert_ne!(enrolled.root, empty.root);
    let on_node = node_root(&mut node_client, 1).await;
    assert_eq!((on_node.seq, &on_node.root), (1, &enrolled.root));
    check_witness(&mut client, 0, alice_leaf, (1, &enrolled.root)).await;

    // The same live credential again.
    assert_code(
        client.enroll(alice.clone()).await,
        Code::AlreadyExists,
        "id_commit:",
    );

    // Revoke: seq 2; the revoked leaf has no witness and cannot be revoked again.
    let revoked = client
        .revoke(RevokeRequest { leaf_index: 0 })
        .await
        .expect("Revoke")
        .into_inner();
    assert_eq!(revoked.seq, 2);
    assert_ne!(revoked.root, enrolled.root);
    let on_node = node_root(&mut node_client, 2).await;
    assert_eq!((on_node.seq, &on_node.root), (2, &revoked.root));
    let witness = client
        .get_witness(GetWitnessRequest { leaf_index: 0 })
        .await;
    assert_code(
        witness,
        Code::FailedPrecondition,
        "leaf_index: leaf 0 is revoked",
    );
    let again = client.revoke(RevokeRequest { leaf_index: 0 }).await;
    assert_code(
        again,
        Code::FailedPrecondition,
        "leaf_index: leaf 0 is revoked",
    );
    let unknown = client
        .get_witness(GetWitnessRequest { leaf_index: 7 })
        .await;
    assert_code(
        unknown,
        Code::NotFound,
        "leaf_index: leaf 7 was never enrolled",
    );
    let unknown = client.revoke(RevokeRequest { leaf_index: 7 }).await;
    assert_code(
        unknown,
        Code::NotFound,
        "leaf_index: leaf 7 was never enrolled",
    );

    // Two enrolments back to back: the second waits for the first to commit, so both land.
    let (bob, bob_leaf) = customer(2, "HK", 0);
    let (carol, carol_leaf) = customer(3, "PH", 1);
    let b = enroll(&mut client, &bob).await;
    let c = enroll(&mut client, &carol).await;
    assert_eq!((b.leaf_index, b.seq, c.leaf_index, c.seq), (1, 3, 2, 4));
    let on_node = node_root(&mut node_client, 4).await;
    assert_eq!((on_node.seq, &on_node.root), (4, &c.root));
    check_witness(&mut client, 1, bob_leaf, (4, &c.root)).await;
    check_witness(&mut client, 2, carol_leaf, (4, &c.root)).await;

    // Malformed requests name their field and change nothing.
    let bad = |f: fn(&mut EnrollRequest)| {
        let mut r = customer(4, "HK", 0).0;
        f(&mut r);
        r
    };
    let cases: [(EnrollRequest, &str); 6] = [
        (
            bad(|r| r.id_commit.truncate(31)),
            "id_commit: expected 32 bytes",
        ),
        (
            bad(|r| r.id_commit = vec![0xff; 32]),
            "id_commit: not a canonical field element",
        ),
        (
            bad(|r| r.jurisdiction = "XX".into()),
            "jurisdiction: unknown code \"XX\"",
        ),
        (
            bad(|r| r.jurisdiction = "X".repeat(100)),
            "jurisdiction: unknown code of 100 bytes",
        ),
        (
            bad(|r| r.jurisdiction.clear()),
            "jurisdiction: unknown code \"\"",
        ),
        (
            bad(|r| r.expiry_day = 19_000),
            "expiry_day: day 19000 is before today",
        ),
    ];
    for (request, message) in cases {
        assert_code(client.enroll(request).await, Code::InvalidArgument, message);
    }
    let before_restart = root(&mut client).await;
    assert_eq!(
        (
            before_restart.seq,
            before_restart.leaves,
            before_restart.published
        ),
        (4, 3, true)
    );
    assert_eq!(before_restart.root, c.root);

    // Health.
    let channel = Channel::from_shared(format!("http://{}", kyc.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let serving = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "corridor.kyc.v1.Registry".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        serving.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    // Reflection, for a client that knows nothing of the project (when grpcurl is there).
    if let Some(grpcurl) = support::grpcurl() {
        let (ok, services, err) =
            support::run_grpcurl(&grpcurl, &["-plaintext", &kyc.addr, "list"]);
        assert!(ok, "{err}");
        for s in ["corridor.kyc.v1.Registry", "grpc.health.v1.Health"] {
            assert!(services.lines().any(|l| l == s), "{s} not in {services}");
        }
        let (ok, root_json, err) = support::run_grpcurl(
            &grpcurl,
            &["-plaintext", &kyc.addr, "corridor.kyc.v1.Registry/Root"],
        );
        assert!(
            ok && root_json.contains(r#""seq": "4""#),
            "{root_json}{err}"
        );
    }

    // Killed (no clean shutdown) and restarted on the same data: the same root and head.
    drop(client);
    drop(kyc);
    let kyc = KycProcess::start(&data, &node.grpc);
    let mut client = kyc.client().await;
    let after = root(&mut client).await;
    assert_eq!(after, before_restart);
    check_witness(&mut client, 2, carol_leaf, (4, &c.root)).await;
    let witness = client
        .get_witness(GetWitnessRequest { leaf_index: 0 })
        .await;
    assert_code(
        witness,
        Code::FailedPrecondition,
        "leaf_index: leaf 0 is revoked",
    );
    // The node's head did not move.
    assert_eq!(node_root(&mut node_client, 4).await.root, c.root);
    drop(kyc);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_root_the_node_missed_is_published_when_the_service_starts_again() {
    let dir = network();
    let data = data_dir("offline");
    // No node listens there.
    let nowhere = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let kyc = KycProcess::start(&data, &nowhere);
    let mut client = kyc.client().await;
    let (dave, dave_leaf) = customer(5, "HK", 0);
    let status = client.enroll(dave).await.expect_err("the node is down");
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert!(
        status.message().starts_with("enrolled at leaf 0"),
        "{status:?}"
    );
    let leaf = status
        .metadata()
        .get("corridor-leaf-index")
        .and_then(|v| v.to_str().ok());
    assert_eq!(leaf, Some("0"), "{status:?}");
    let offline = root(&mut client).await;
    assert_eq!(
        (offline.seq, offline.leaves, offline.published),
        (0, 1, false)
    );
    let witness = client
        .get_witness(GetWitnessRequest { leaf_index: 0 })
        .await;
    assert_code(
        witness,
        Code::Unavailable,
        "the current root is not published",
    );
    drop(client);
    drop(kyc);

    // With a node: the start publishes the enrolment's root as seq 1.
    let node = NodeProcess::start(dir, "offline");
    let mut node_client = node.client().await;
    let kyc = KycProcess::start(&data, &node.grpc);
    let on_node = node_root(&mut node_client, 1).await;
    assert_eq!((on_node.seq, &on_node.root), (1, &offline.root));
    let mut client = kyc.client().await;
    let online = root(&mut client).await;
    assert_eq!(
        (online.seq, online.published, &online.root),
        (1, true, &offline.root)
    );
    check_witness(&mut client, 0, dave_leaf, (1, &offline.root)).await;
    drop(kyc);
    let _ = std::fs::remove_dir_all(&data);
}

/// Enroll and Revoke are the back office's: without its token (none, another, a near miss)
/// they are UNAUTHENTICATED before the request is even read (a malformed one too), and the
/// registry and the node's root stay as they were; GetWitness and Root answer anyone. The CLI
/// back office enrols and revokes only with `--token-file`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enroll_and_revoke_need_the_back_offices_token() {
    let dir = network();
    let node = NodeProcess::start(dir, "auth");
    let mut node_client = node.client().await;
    let data = data_dir("auth");
    let kyc = KycProcess::start(&data, &node.grpc);
    let mut office = kyc.client().await;
    let (erin, erin_leaf) = customer(6, "HK", 0);
    let enrolled = enroll(&mut office, &erin).await;
    assert_eq!((enrolled.leaf_index, enrolled.seq), (0, 1));
    node_root(&mut node_client, 1).await;

    let mut stranger = kyc.stranger().await;
    let (frank, _) = customer(7, "PH", 1);
    let mut malformed = frank.clone();
    malformed.id_commit.truncate(3);
    for (token, message) in [
        (None, "a bearer token is required"),
        (Some(TOKEN), "a bearer token is required"),
        (Some("Basic hk-back-office"), "a bearer token is required"),
        (
            Some("Bearer hk-back-offic"),
            "the bearer token is not accepted",
        ),
        (
            Some("Bearer HK-BACK-OFFICE"),
            "the bearer token is not accepted",
        ),
    ] {
        for request in [frank.clone(), malformed.clone()] {
            assert_code(
                stranger.enroll(with(token, request)).await,
                Code::Unauthenticated,
                message,
            );
        }
        assert_code(
            stranger
                .revoke(with(token, RevokeRequest { leaf_index: 0 }))
                .await,
            Code::Unauthenticated,
            message,
        );
    }
    // Nothing changed, and the reads answer a stranger.
    let after = stranger
        .root(RootRequest {})
        .await
        .expect("Root answers anyone")
        .into_inner();
    assert_eq!(
        (after.seq, after.leaves, after.published, &after.root),
        (1, 1, true, &enrolled.root)
    );
    let w = stranger
        .get_witness(GetWitnessRequest { leaf_index: 0 })
        .await
        .expect("GetWitness answers anyone")
        .into_inner();
    assert_eq!((w.seq, &w.root), (1, &enrolled.root));
    check_witness(&mut office, 0, erin_leaf, (1, &enrolled.root)).await;
    assert_eq!(node_root(&mut node_client, 1).await.root, enrolled.root);

    // The CLI back office: refused without --token-file, served with it.
    let registry = format!("http://{}", kyc.addr);
    let id_commit = hex::encode(&frank.id_commit);
    let token_file = dir.join("back-office.token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let printed = refused_then_served(
        &[
            "kyc",
            "enroll",
            "--registry",
            &registry,
            "--id-commit",
            &id_commit,
            "--jurisdiction",
            "PH",
        ],
        "KYC registry Enroll: Unauthenticated: a bearer token is required",
        &token_file,
    );
    assert_eq!(
        (printed["leaf"].as_u64(), printed["seq"].as_u64()),
        (Some(1), Some(2))
    );
    let printed = refused_then_served(
        &["kyc", "revoke", "--registry", &registry, "--leaf", "1"],
        "KYC registry Revoke: Unauthenticated",
        &token_file,
    );
    assert_eq!(printed["seq"].as_u64(), Some(3));
    let on_node = node_root(&mut node_client, 3).await;
    assert_eq!(
        hex::encode(&on_node.root),
        printed["root"].as_str().unwrap()
    );
    drop(kyc);
    let _ = std::fs::remove_dir_all(&data);
}

/// `corridor ARGS` fails saying `refusal` without `--token-file`, and with it succeeds; its
/// JSON output.
fn refused_then_served(args: &[&str], refusal: &str, token_file: &Path) -> serde_json::Value {
    let out = corridor(args);
    assert!(!out.status.success(), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(refusal), "{stderr}");
    let mut with_token = args.to_vec();
    with_token.extend(["--token-file", token_file.to_str().unwrap()]);
    let out = corridor(&with_token);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Without tokens the registry lets anyone enrol, so it serves loopback only: any other
/// address is refused before its database is opened; an empty tokens file is refused too.
#[test]
fn without_tokens_the_registry_serves_loopback_only() {
    let dir = network();
    let data = data_dir("unguarded");
    let serve = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_corridor"))
            .args(["kyc", "serve", "--genesis"])
            .arg(dir.join("genesis.toml"))
            .args(["--issuer", "1", "--key"])
            .arg(dir.join("keys/kyc-issuer.key"))
            .arg("--data")
            .arg(&data)
            .args(extra)
            .env_remove("CORRIDOR_KYC_TOKENS")
            .output()
            .expect("corridor kyc serve")
    };
    for listen in ["0.0.0.0:0", "[::]:0"] {
        let out = serve(&["--listen", listen]);
        assert!(!out.status.success(), "{listen}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("refusing to serve {listen} without bearer tokens")),
            "{stderr}"
        );
        assert!(!data.exists(), "nothing is opened before the refusal");
    }
    let empty = dir.join("empty.tokens");
    std::fs::write(&empty, " \n,\n").unwrap();
    let out = serve(&[
        "--listen",
        "127.0.0.1:0",
        "--tokens",
        empty.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no token in it"), "{stderr}");
    assert!(!data.exists());
}

/// `message` with `authorization: TOKEN` if given.
fn with<T>(token: Option<&str>, message: T) -> Request<T> {
    let mut request = Request::new(message);
    if let Some(t) = token {
        request
            .metadata_mut()
            .insert("authorization", t.parse().unwrap());
    }
    request
}

#[test]
fn a_key_that_is_not_the_issuers_is_refused() {
    let dir = network();
    let data = data_dir("wrong-key");
    let out = corridor(&[
        "kyc",
        "serve",
        "--genesis",
        dir.join("genesis.toml").to_str().unwrap(),
        "--issuer",
        "1",
        "--key",
        dir.join("keys/hkd-issuer.key").to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the key is not issuer 1's"), "{stderr}");
    let out = corridor(&[
        "kyc",
        "serve",
        "--genesis",
        dir.join("genesis.toml").to_str().unwrap(),
        "--issuer",
        "9",
        "--key",
        dir.join("keys/kyc-issuer.key").to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("issuer 9 is not in genesis"), "{stderr}");
}
