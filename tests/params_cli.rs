//! Whole flow of `corridor params` through the built binary: a dev-seed setup (once per test
//! binary) that warns loudly, `verify` accepting the folder and naming a corrupted key file,
//! `export-snarkjs` writing snarkjs-shaped JSON whose proof our verifier accepts once read back
//! from the JSON, and a non-dev loader refusing the dev-seed folder; a three-party ceremony of
//! the KYC circuit (`params ceremony init | contribute | verify | finalize`) whose folder every
//! other command accepts and a non-dev loader pinned to its hashes loads. (CI also has snarkjs
//! itself verify an export, and a phase 1 made by snarkjs go through our phase 2: `.ci/run`.)
use ark_bn254::{Bn254, Fq, Fq2, Fr, G1Affine, G2Affine};
use corridor_circuits::kyc::sample::{ISSUER, TODAY};
use corridor_circuits::kyc::NUM_PUBLIC_INPUTS;
use corridor_params::keys::sha256_hex;
use corridor_params::manifest::{MANIFEST_FILE, PROVING_KEY_FILE, VERIFYING_KEY_FILE};
use corridor_params::{CircuitInfo, ParamsDir, ParamsError, ParamsPins};
use corridor_verifier::groth16::{verify, Groth16VerifyError, PreparedKey};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

const DEV_SEED: u64 = 1;
const WARNING: &str = "WARNING: DEV-SEED PARAMETERS";

fn corridor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corridor"))
        .args(args)
        .output()
        .expect("run the corridor binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// This run's scratch folder under cargo's target tmp dir; folders of runs older than an hour
/// are removed (never a concurrent run's).
fn work_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    if let Ok(entries) = fs::read_dir(&root) {
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > Duration::from_secs(3600));
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("params_cli-")
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = root.join(format!("params_cli-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
}

struct Setup {
    work: PathBuf,
    params: PathBuf,
    stdout: String,
    stderr: String,
}

/// `corridor params setup --out WORK/params --dev-seed 1`, once for the whole test binary.
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let work = work_dir();
        let params = work.join("params");
        let seed = DEV_SEED.to_string();
        let out = corridor(&[
            "params",
            "setup",
            "--out",
            path_arg(&params),
            "--dev-seed",
            &seed,
        ]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "setup failed:\n{stdout}\n{stderr}");
        Setup {
            work,
            params,
            stdout,
            stderr,
        }
    })
}

/// A copy of the setup's folder that a test may damage.
fn copy_of_params(name: &str) -> PathBuf {
    let s = setup();
    let dir = s.work.join(name);
    fs::create_dir_all(&dir).unwrap();
    for file in [PROVING_KEY_FILE, VERIFYING_KEY_FILE, MANIFEST_FILE] {
        fs::copy(s.params.join(file), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn setup_warns_loudly_before_and_after_and_prints_the_pinned_hash() {
    let s = setup();
    // Loud, on stderr, before the first stage and after the last.
    let warnings: Vec<usize> = s.stderr.match_indices(WARNING).map(|(i, _)| i).collect();
    assert_eq!(warnings.len(), 2, "{}", s.stderr);
    let first_stage = s.stderr.find("[1/4]").expect("stages on stderr");
    let last_stage = s.stderr.find("[4/4]").expect("stages on stderr");
    assert!(warnings[0] < first_stage && last_stage < warnings[1]);
    assert!(s.stderr.contains("FORGE") && s.stderr.contains("dev networks ONLY"));
    assert!(
        s.stderr.contains("fingerprint matches the committed one"),
        "{}",
        s.stderr
    );
    assert!(!s.stdout.contains(WARNING), "the warning goes to stderr");

    // The manifest summary and the verifying-key hash genesis pins.
    let vk_hash = sha256_hex(&fs::read(s.params.join(VERIFYING_KEY_FILE)).unwrap());
    assert!(
        s.stdout.contains(&format!(
            "verifying-key SHA-256 (pinned by genesis): {vk_hash}"
        )),
        "{}",
        s.stdout
    );
    let info = CircuitInfo::kyc().unwrap();
    for line in [
        "circuit        corridor-kyc/v1".to_string(),
        format!("fingerprint    {}", info.fingerprint),
        format!("constraints    {}", info.constraints),
        format!("public inputs  {NUM_PUBLIC_INPUTS}"),
        format!("dev seed       {DEV_SEED}"),
    ] {
        assert!(s.stdout.contains(&line), "{line:?} missing:\n{}", s.stdout);
    }
    let manifest = ParamsDir::new(&s.params).verify().unwrap();
    assert_eq!(manifest.circuit, info);
    assert_eq!(manifest.dev_seed, Some(DEV_SEED));

    // A second setup into the same folder is refused before any work.
    let again = corridor(&[
        "params",
        "setup",
        "--out",
        path_arg(&s.params),
        "--dev-seed",
        "2",
    ]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already holds parameters"));
}

#[test]
fn verify_accepts_the_folder_names_a_corrupted_key_and_a_foreign_circuit() {
    let dir = copy_of_params("verify");
    let verify_dir = || corridor(&["params", "verify", "--dir", path_arg(&dir)]);
    let ok = verify_dir();
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let stdout = text(&ok.stdout);
    assert!(
        stdout.contains("corridor-kyc/v1") && stdout.contains("ok:"),
        "{stdout}"
    );
    let vk_hash = sha256_hex(&fs::read(dir.join(VERIFYING_KEY_FILE)).unwrap());
    assert!(stdout.contains(&vk_hash), "{stdout}");
    assert!(text(&ok.stderr).contains(WARNING));

    // One byte of the proving key flipped: verify names the file and fails; loading refuses it.
    let key_path = dir.join(PROVING_KEY_FILE);
    let original = fs::read(&key_path).unwrap();
    let mut corrupted = original.clone();
    corrupted[original.len() / 2] ^= 0x01;
    fs::write(&key_path, &corrupted).unwrap();
    let bad = verify_dir();
    let stderr = text(&bad.stderr);
    assert!(!bad.status.success(), "a corrupted key verified");
    assert!(
        stderr.contains(&format!("{PROVING_KEY_FILE}: SHA-256")),
        "{stderr}"
    );
    assert!(!stderr.contains(&format!("{VERIFYING_KEY_FILE}: SHA-256")));
    let info = CircuitInfo::kyc().unwrap();
    let loaded = ParamsDir::new(&dir).load_proving_key(&info);
    assert!(
        matches!(&loaded, Err(ParamsError::HashMismatch { file, .. }) if file == PROVING_KEY_FILE),
        "{loaded:?}"
    );

    // Restored: verifies again.
    fs::write(&key_path, &original).unwrap();
    assert!(verify_dir().status.success());

    // A manifest for another circuit (its hashes intact) is refused, naming the circuit.
    let manifest_path = dir.join(MANIFEST_FILE);
    let manifest = fs::read_to_string(&manifest_path).unwrap();
    fs::write(
        &manifest_path,
        manifest.replace(&info.fingerprint, &"ab".repeat(32)),
    )
    .unwrap();
    let foreign = verify_dir();
    let stderr = text(&foreign.stderr);
    assert!(!foreign.status.success());
    assert!(
        stderr.contains("this binary's KYC circuit") && stderr.contains(&"ab".repeat(32)),
        "{stderr}"
    );
}

fn decimal(v: &Value) -> &str {
    let s = v.as_str().expect("a decimal string");
    assert!(
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        "{s:?}"
    );
    s
}

fn fq(v: &Value) -> Fq {
    Fq::from_str(decimal(v)).expect("a base-field element")
}

/// A snarkjs G1 point `[x, y, "1"]`.
fn g1(v: &Value) -> G1Affine {
    let a = v.as_array().expect("a G1 point");
    assert_eq!(a.len(), 3);
    assert_eq!(a[2], "1");
    let p = G1Affine::new_unchecked(fq(&a[0]), fq(&a[1]));
    assert!(p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve());
    p
}

/// A snarkjs G2 point `[[x0, x1], [y0, y1], ["1", "0"]]`.
fn g2(v: &Value) -> G2Affine {
    let a = v.as_array().expect("a G2 point");
    assert_eq!(a.len(), 3);
    assert_eq!(a[2], serde_json::json!(["1", "0"]));
    let f = |c: &Value| {
        let c = c.as_array().expect("an Fq2 pair");
        assert_eq!(c.len(), 2);
        Fq2::new(fq(&c[0]), fq(&c[1]))
    };
    let p = G2Affine::new_unchecked(f(&a[0]), f(&a[1]));
    assert!(p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve());
    p
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

#[test]
fn export_snarkjs_writes_snarkjs_json_that_verifies() {
    let s = setup();
    let out = s.work.join("snarkjs");
    let run = corridor(&[
        "params",
        "export-snarkjs",
        "--dir",
        path_arg(&s.params),
        "--out",
        path_arg(&out),
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains(WARNING));
    check_export(&s.params, &out);
}

/// What `export-snarkjs` wrote to `out` from the folder `params`: the folder's verifying key
/// coordinate for coordinate, 14 public inputs with the sample's issuer and day, and a proof our
/// verifier accepts once read back from the JSON (and refuses for a changed input).
fn check_export(params: &Path, out: &Path) {
    let vk = read_json(&out.join("verification_key.json"));
    assert_eq!(vk["protocol"], "groth16");
    assert_eq!(vk["curve"], "bn128");
    assert_eq!(vk["nPublic"], 14);
    let ic = vk["IC"].as_array().expect("IC");
    assert_eq!(ic.len(), 15);
    let vk = ark_groth16::VerifyingKey::<Bn254> {
        alpha_g1: g1(&vk["vk_alpha_1"]),
        beta_g2: g2(&vk["vk_beta_2"]),
        gamma_g2: g2(&vk["vk_gamma_2"]),
        delta_g2: g2(&vk["vk_delta_2"]),
        gamma_abc_g1: ic.iter().map(g1).collect(),
    };
    // The JSON holds the folder's key, coordinate for coordinate.
    let loaded = ParamsDir::new(params)
        .load_verifying_key(&CircuitInfo::kyc().unwrap(), true)
        .unwrap();
    assert_eq!(vk, loaded.0);

    let public = read_json(&out.join("public.json"));
    let public = public.as_array().expect("public.json is an array");
    assert_eq!(public.len(), NUM_PUBLIC_INPUTS);
    let inputs: Vec<Fr> = public
        .iter()
        .map(|v| Fr::from_str(decimal(v)).expect("a scalar"))
        .collect();
    assert_eq!(public[1], ISSUER.to_string());
    assert_eq!(public[2], TODAY.to_string());

    let proof = read_json(&out.join("proof.json"));
    assert_eq!(proof["protocol"], "groth16");
    assert_eq!(proof["curve"], "bn128");
    let proof = ark_groth16::Proof::<Bn254> {
        a: g1(&proof["pi_a"]),
        b: g2(&proof["pi_b"]),
        c: g1(&proof["pi_c"]),
    };
    let key = PreparedKey::new(&vk);
    assert_eq!(verify(&key, &proof, &inputs), Ok(()));
    let mut wrong = inputs.clone();
    wrong[7] += Fr::from(1u64);
    assert_eq!(
        verify(&key, &proof, &wrong),
        Err(Groth16VerifyError::Rejected)
    );
}

#[test]
fn a_non_dev_loader_refuses_the_dev_seed_folder() {
    let s = setup();
    let dir = ParamsDir::new(&s.params);
    let info = CircuitInfo::kyc().unwrap();
    let refused = dir.load_verifying_key(&info, false);
    assert!(
        matches!(refused, Err(ParamsError::DevSeedRefused(DEV_SEED))),
        "{refused:?}"
    );
    let allowed = dir.load_verifying_key(&info, true).unwrap();
    assert!(s.stdout.contains(&allowed.hash_hex()));
}

/// The 64-hex-digit value after `label` on a line of `stdout`.
fn hash_after(stdout: &str, label: &str) -> String {
    let at = stdout
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} missing:\n{stdout}"));
    let hash: String = stdout[at + label.len()..]
        .trim_start()
        .chars()
        .take(64)
        .collect();
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash:?}"
    );
    hash
}

fn ceremony(args: &[&str]) -> (String, String) {
    let mut all = vec!["params", "ceremony"];
    all.extend_from_slice(args);
    let out = corridor(&all);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{args:?} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

/// Must show 1 and 4 of issue #11 at the KYC circuit's size (2^14): three parties contribute to
/// each phase, `verify` accepts the transcript and lists every published hash, `finalize` writes
/// a folder that `params verify` and `export-snarkjs` accept like a dev-seed one (its sample
/// KYC proof verifies), a non-dev loader pinned to its hashes loads it and refuses the dev-seed
/// folder; a swapped step file is named by `verify`.
///
/// The one KYC-sized ceremony of the test suite; CI's second test run (`--features gpu`, which
/// changes nothing here) skips it.
#[test]
#[cfg_attr(feature = "gpu", ignore = "run once, without --features gpu")]
fn a_three_party_kyc_ceremony_gives_parameters_every_command_accepts() {
    let work = setup().work.join("ceremony");
    let dir = work.join("transcript");
    let params = work.join("params");
    let d = path_arg(&dir);
    let (stdout, _) = ceremony(&["init", "--dir", d]);
    assert!(stdout.contains("phase1_0000.bin"), "{stdout}");

    let parties = [
        "HK Wallet Ltd",
        "PH Wallet Inc",
        "Hong Kong Monetary Authority",
    ];
    let mut published = Vec::new();
    for party in parties {
        let (stdout, stderr) = ceremony(&["contribute", "--dir", d, "--name", party]);
        assert!(
            stderr.contains("[τ^i]₁") && stderr.contains("secrets zeroised"),
            "{stderr}"
        );
        published.push(hash_after(
            &stdout,
            "contribution hash (publish it; `verify` lists it):",
        ));
    }
    let (stdout, _) = ceremony(&["init", "--dir", d, "--phase2"]);
    assert!(stdout.contains("phase2_0000.bin"), "{stdout}");
    for party in parties {
        let (stdout, _) = ceremony(&["contribute", "--dir", d, "--name", party]);
        assert!(stdout.contains("phase 2 contribution"), "{stdout}");
        published.push(hash_after(
            &stdout,
            "contribution hash (publish it; `verify` lists it):",
        ));
    }

    let (stdout, _) = ceremony(&["verify", "--dir", d]);
    for hash in &published {
        assert!(
            stdout.contains(hash.as_str()),
            "{hash} not listed:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("contributions  3 to phase 1, 3 to phase 2"),
        "{stdout}"
    );
    assert!(stdout.contains("ok: every step verifies"), "{stdout}");
    let transcript_hash = hash_after(&stdout, "transcript hash (the last step's):");
    assert_eq!(&transcript_hash, published.last().unwrap());

    let (stdout, _) = ceremony(&["finalize", "--dir", d, "--out", path_arg(&params)]);
    assert_eq!(
        hash_after(
            &stdout,
            "ceremony transcript hash (pinned by genesis as ceremony_hash):"
        ),
        transcript_hash
    );
    assert!(stdout.contains("dev seed       none"), "{stdout}");
    let vk_hash = hash_after(&stdout, "verifying-key SHA-256 (pinned by genesis):");

    // Every other command accepts the folder, without a dev-seed warning.
    let verified = corridor(&["params", "verify", "--dir", path_arg(&params)]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains(&transcript_hash));
    assert!(!text(&verified.stderr).contains(WARNING));
    let json = work.join("snarkjs");
    let exported = corridor(&[
        "params",
        "export-snarkjs",
        "--dir",
        path_arg(&params),
        "--out",
        path_arg(&json),
    ]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert!(!text(&exported.stderr).contains(WARNING));
    check_export(&params, &json);

    // A node of a non-dev network pinned to the ceremony's hashes loads it, and refuses the
    // dev-seed folder under the same pins.
    let info = CircuitInfo::kyc().unwrap();
    let mut pins = ParamsPins {
        dev_network: false,
        vk_hash: [0; 32],
        ceremony_hash: [0; 32],
    };
    hex::decode_to_slice(&vk_hash, &mut pins.vk_hash).unwrap();
    hex::decode_to_slice(&transcript_hash, &mut pins.ceremony_hash).unwrap();
    let vk = ParamsDir::new(&params)
        .load_pinned_verifying_key(&info, &pins)
        .unwrap();
    assert_eq!(vk.hash_hex(), vk_hash);
    let refused = ParamsDir::new(&setup().params).load_pinned_verifying_key(&info, &pins);
    assert!(
        matches!(refused, Err(ParamsError::DevSeedRefused(DEV_SEED))),
        "{refused:?}"
    );

    // Two step files swapped: verify names the first one out of place.
    let (one, two) = (dir.join("phase1_0001.bin"), dir.join("phase1_0002.bin"));
    let aside = dir.join("aside");
    fs::rename(&one, &aside).unwrap();
    fs::rename(&two, &one).unwrap();
    fs::rename(&aside, &two).unwrap();
    let bad = corridor(&["params", "ceremony", "verify", "--dir", d]);
    assert!(!bad.status.success());
    let stderr = text(&bad.stderr);
    assert!(
        stderr.contains(
            "phase 1 contribution 1 (phase1_0001.bin): the file holds phase 1 contribution 2"
        ),
        "{stderr}"
    );
}

/// Bad files on the command line: a `.ptau` that is not one, a step file of garbage, a truncated
/// step file. Each command exits non-zero with the typed error's message (naming the step or
/// the file), never a panic.
#[test]
fn ceremony_commands_refuse_bad_files_without_panicking() {
    let work = setup().work.join("ceremony-bad-files");
    fs::create_dir_all(&work).unwrap();
    let refused = |args: &[&str], expected: &str| {
        let mut all = vec!["params", "ceremony"];
        all.extend_from_slice(args);
        let out = corridor(&all);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
        assert!(
            stderr.contains(expected),
            "{args:?}: {expected:?} not in\n{stderr}"
        );
    };
    let garbage = work.join("garbage.ptau");
    fs::write(&garbage, b"this is not a ptau file, only text").unwrap();
    let dir = work.join("from-garbage");
    refused(
        &[
            "init",
            "--dir",
            path_arg(&dir),
            "--ptau",
            path_arg(&garbage),
        ],
        "ptau: not a version-1 .ptau file",
    );
    refused(
        &[
            "init",
            "--dir",
            path_arg(&dir),
            "--ptau",
            path_arg(&work.join("absent.ptau")),
        ],
        "absent.ptau",
    );

    // A step file of garbage, then a truncated one (a power-2 phase 1, cut).
    let dir = work.join("bad-steps");
    let d = path_arg(&dir);
    ceremony(&["init", "--dir", d, "--power", "2"]);
    let start = dir.join("phase1_0000.bin");
    let bytes = fs::read(&start).unwrap();
    fs::write(&start, &bytes[..bytes.len() - 3]).unwrap();
    refused(
        &["verify", "--dir", d],
        "phase 1 start (phase1_0000.bin): does not decode: [β]₂: truncated",
    );
    refused(
        &["contribute", "--dir", d, "--name", "HKMA"],
        "phase 1 start (phase1_0000.bin): does not decode",
    );
    fs::write(&start, b"CRDCRMv1 and then garbage").unwrap();
    refused(
        &["verify", "--dir", d],
        "phase 1 start (phase1_0000.bin): does not decode",
    );
    fs::write(&start, b"garbage").unwrap();
    refused(
        &["init", "--dir", d, "--phase2"],
        "not a corridor ceremony step file",
    );
    // An empty folder, and a contributor name the transcript refuses.
    refused(
        &["verify", "--dir", path_arg(&work.join("empty"))],
        "is missing",
    );
    fs::write(&start, &bytes).unwrap();
    refused(
        &["contribute", "--dir", d, "--name", "two\nlines"],
        "contributor name",
    );
}
