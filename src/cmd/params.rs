//! `corridor params`: the Groth16 parameters of the KYC circuit (DESIGN.md §6).
//!
//! - `setup --out DIR --dev-seed N`: keys from the PUBLIC seed `N` (forgeable by anyone: dev
//!   networks only), written with their manifest;
//! - `verify --dir DIR`: every file against the manifest's SHA-256, the manifest's circuit
//!   against the circuit compiled into this binary, the keys decoded with validation;
//! - `ceremony init | contribute | verify | finalize`: the multi-party ceremony
//!   ([`super::ceremony`]), whose folder every other subcommand accepts;
//! - `export-snarkjs --dir DIR --out OUT`: `verification_key.json` and a freshly generated
//!   sample `proof.json` and `public.json`, in snarkjs's Groth16 bn128 JSON, checked by our
//!   verifier before they are written.
//!
//! A thin adapter: the folder format is corridor-params', the sample statement
//! corridor-circuits' ([`KycSample`]), proving corridor-prover's and verifying
//! corridor-verifier's.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use corridor_circuits::kyc::sample::KycSample;
use corridor_circuits::kyc::KYC_CIRCUIT_FINGERPRINT;
use corridor_circuits::KycCircuit;
use corridor_params::manifest::{MANIFEST_FILE, VERIFYING_KEY_FILE};
use corridor_params::{snarkjs, CircuitInfo, Manifest, ParamsDir, KYC_CIRCUIT_NAME};
use corridor_verifier::groth16::{decode_proof, encode_proof, verify, PreparedKey};
use rand::rngs::OsRng;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The subcommands of `corridor params`.
#[derive(Subcommand, Debug)]
pub enum ParamsCommand {
    /// Make Groth16 keys for the KYC circuit from a PUBLIC dev seed: anyone can forge proofs
    /// under them, so they are for dev networks only (real networks use the ceremony).
    Setup {
        /// The folder to write (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// The public seed of the setup randomness (required: real networks use
        /// `params ceremony`).
        #[arg(long)]
        dev_seed: u64,
        /// Overwrite a folder that already holds parameters.
        #[arg(long)]
        force: bool,
    },
    /// Check a parameter folder: every file against the manifest's SHA-256 (naming the file
    /// that differs), the manifest's circuit against the compiled one, the keys decoded with
    /// validation.
    Verify {
        /// The parameter folder.
        #[arg(long)]
        dir: PathBuf,
    },
    /// The multi-party setup ceremony: parameters nobody can forge with, if one contributor is
    /// honest (init, contribute, verify, finalize).
    Ceremony {
        #[command(subcommand)]
        command: super::ceremony::CeremonyCommand,
    },
    /// Write `verification_key.json` and a freshly generated sample `proof.json` and
    /// `public.json` in snarkjs's Groth16 bn128 JSON (check them with `snarkjs groth16 verify
    /// verification_key.json public.json proof.json`).
    ExportSnarkjs {
        /// The parameter folder.
        #[arg(long)]
        dir: PathBuf,
        /// The folder to write the three JSON files into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Runs one `corridor params` subcommand.
pub fn run(command: &ParamsCommand) -> Result<()> {
    match command {
        ParamsCommand::Setup {
            out,
            dev_seed,
            force,
        } => setup(out, *dev_seed, *force),
        ParamsCommand::Verify { dir } => verify_dir(dir),
        ParamsCommand::ExportSnarkjs { dir, out } => export_snarkjs(dir, out),
        ParamsCommand::Ceremony { command } => super::ceremony::run(command),
    }
}

/// The loud warning every dev-seed command prints to stderr.
fn warn_dev_seed(seed: u64) {
    let bar = "!".repeat(78);
    eprintln!("{bar}");
    eprintln!("!! WARNING: DEV-SEED PARAMETERS (dev seed {seed}).");
    eprintln!("!! The Groth16 setup randomness is derived from a PUBLIC seed: ANYONE can");
    eprintln!("!! recompute it and FORGE KYC proofs that these keys accept.");
    eprintln!("!! For dev networks ONLY. A node of a non-dev network refuses these keys;");
    eprintln!("!! real networks use the multi-party ceremony.");
    eprintln!("{bar}");
}

/// One stage of a long command, shown on stderr: `[i/n] what … result (time)`.
pub(crate) struct Stage {
    started: Instant,
}

impl Stage {
    pub(crate) fn start(index: usize, total: usize, what: &str) -> Self {
        eprint!("[{index}/{total}] {what} … ");
        // Best effort: the stage line shows before the work starts.
        let _ = std::io::stderr().flush();
        Stage {
            started: Instant::now(),
        }
    }

    pub(crate) fn done(self, result: &str) {
        eprintln!("{result} ({:.1} s)", self.started.elapsed().as_secs_f64());
    }
}

/// Prints a folder's manifest: circuit, dev seed or ceremony, files and the verifying-key hash.
pub(crate) fn print_manifest(dir: &Path, manifest: &Manifest) {
    let c = &manifest.circuit;
    println!("parameters     {}", dir.display());
    println!("format         {}", manifest.format);
    println!("circuit        {}", c.name);
    println!(
        "fingerprint    {} (sha256 of the R1CS matrices)",
        c.fingerprint
    );
    println!("constraints    {}", c.constraints);
    println!("public inputs  {}", c.public_inputs);
    match manifest.dev_seed {
        Some(seed) => println!("dev seed       {seed}  (FORGEABLE: dev networks only)"),
        None => println!("dev seed       none"),
    }
    if let Some(ceremony) = &manifest.ceremony {
        println!("ceremony       phase 1 from {}", ceremony.phase1_origin);
        for c in &ceremony.contributions {
            println!(
                "  phase {} contribution {:<3} {}  {}",
                c.phase, c.index, c.hash, c.name
            );
        }
        println!(
            "ceremony transcript hash (pinned by genesis): {}",
            ceremony.transcript_hash
        );
    }
    println!("files");
    for f in &manifest.files {
        println!(
            "  {:<24} sha256 {}  {:>10} bytes",
            f.name, f.sha256, f.bytes
        );
    }
    if let Some(vk) = manifest.files.iter().find(|f| f.name == VERIFYING_KEY_FILE) {
        println!("verifying-key SHA-256 (pinned by genesis): {}", vk.sha256);
    }
}

fn setup(out: &Path, seed: u64, force: bool) -> Result<()> {
    if out.join(MANIFEST_FILE).exists() && !force {
        bail!(
            "{} already holds parameters ({MANIFEST_FILE}); pass --force to overwrite them",
            out.display()
        );
    }
    warn_dev_seed(seed);

    let stage = Stage::start(
        1,
        4,
        "synthesising the KYC circuit and checking its fingerprint",
    );
    let fingerprint = KycCircuit::fingerprint().context("synthesising the KYC circuit")?;
    if fingerprint.to_string() != KYC_CIRCUIT_FINGERPRINT {
        bail!(
            "the compiled KYC circuit is {fingerprint}, not the committed {KYC_CIRCUIT_FINGERPRINT}"
        );
    }
    let info = CircuitInfo::from_fingerprint(KYC_CIRCUIT_NAME, &fingerprint);
    stage.done(&format!(
        "{} constraints, {} public inputs, fingerprint matches the committed one",
        info.constraints, info.public_inputs
    ));

    let stage = Stage::start(2, 4, &format!("Groth16 setup from dev seed {seed}"));
    let pk = corridor_params::setup::dev_setup(KycCircuit::for_setup(), seed)
        .context("Groth16 setup")?;
    stage.done("done");

    let stage = Stage::start(3, 4, &format!("writing {}", out.display()));
    let dir = ParamsDir::new(out);
    let written = dir
        .write(&info, &pk, Some(seed))
        .with_context(|| format!("writing the parameters to {}", out.display()))?;
    let bytes: u64 = written.files.iter().map(|f| f.bytes).sum();
    stage.done(&format!(
        "{} key files, {bytes} bytes, and {MANIFEST_FILE}",
        written.files.len()
    ));

    let stage = Stage::start(4, 4, "hashing the written files against the manifest");
    let manifest = dir.verify().context("re-reading the written parameters")?;
    if manifest != written {
        bail!("the manifest read back differs from the one written");
    }
    stage.done("ok");

    print_manifest(out, &manifest);
    warn_dev_seed(seed);
    Ok(())
}

fn verify_dir(path: &Path) -> Result<()> {
    let dir = ParamsDir::new(path);
    let manifest = dir
        .verify()
        .with_context(|| format!("{} does not verify", path.display()))?;
    let expected = CircuitInfo::kyc().context("synthesising the KYC circuit")?;
    if manifest.circuit != expected {
        bail!(
            "{} does not verify: its manifest is for circuit {} {} ({} constraints, {} public inputs), this binary's KYC circuit is {} {} ({} constraints, {} public inputs)",
            path.display(),
            manifest.circuit.name,
            manifest.circuit.fingerprint,
            manifest.circuit.constraints,
            manifest.circuit.public_inputs,
            expected.name,
            expected.fingerprint,
            expected.constraints,
            expected.public_inputs,
        );
    }
    // Decoding with validation (subgroup checks, canonical points, the pair): what every loader
    // does, so that a folder that verifies also loads.
    dir.load_proving_key(&expected)
        .with_context(|| format!("{} does not verify", path.display()))?;
    dir.load_verifying_key(&expected, true)
        .with_context(|| format!("{} does not verify", path.display()))?;
    print_manifest(path, &manifest);
    println!("ok: every file matches the manifest, the circuit is this binary's, the keys decode");
    if let Some(seed) = manifest.dev_seed {
        warn_dev_seed(seed);
    }
    Ok(())
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn export_snarkjs(dir_path: &Path, out: &Path) -> Result<()> {
    let dir = ParamsDir::new(dir_path);
    let info = CircuitInfo::kyc().context("synthesising the KYC circuit")?;
    let manifest = dir.manifest()?;
    if let Some(seed) = manifest.dev_seed {
        warn_dev_seed(seed);
    }

    let stage = Stage::start(1, 3, "loading the keys (hashes, validation)");
    let pk = dir
        .load_proving_key(&info)
        .with_context(|| format!("loading the proving key of {}", dir_path.display()))?;
    let vk = dir
        .load_verifying_key(&info, true)
        .with_context(|| format!("loading the verifying key of {}", dir_path.display()))?;
    stage.done("ok");

    let stage = Stage::start(2, 3, "proving a fresh sample KYC statement");
    let mut rng = OsRng;
    let sample = KycSample::generate(&mut rng).context("building the sample credential")?;
    let (circuit, public) = sample.circuit().context("the sample statement")?;
    let inputs = public.to_field_elements();
    // The precomputed prover every transaction uses (its proofs are ark-groth16's, byte for
    // byte, for the same randomness), so snarkjs checks the proofs customers send.
    let proof = corridor_prover::kyc::kyc_prover(&pk)
        .context("precomputing the KYC prover")?
        .prove(&pk.0, circuit, &mut rng)
        .context("proving the sample statement")?;
    stage.done("done");

    let stage = Stage::start(3, 3, "verifying it with corridor-verifier");
    // Through the canonical bytes, as a node receives it.
    let proof = decode_proof(&encode_proof(&proof)).context("decoding the sample proof")?;
    verify(&PreparedKey::from_key(&vk), &proof, &inputs)
        .context("the sample proof does not verify: refusing to export it")?;
    stage.done("ok");

    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let files = [
        ("verification_key.json", snarkjs::verification_key(&vk)),
        ("proof.json", snarkjs::proof(&proof)),
        ("public.json", snarkjs::public_inputs(&inputs)),
    ];
    for (name, value) in &files {
        write_json(&out.join(name), value)?;
    }
    println!("circuit        {} {}", info.name, info.fingerprint);
    println!("verifying key  sha256 {}", vk.hash_hex());
    for (name, _) in &files {
        println!("wrote          {}", out.join(name).display());
    }
    println!(
        "check with     snarkjs groth16 verify {} {} {}",
        out.join("verification_key.json").display(),
        out.join("public.json").display(),
        out.join("proof.json").display()
    );
    Ok(())
}
