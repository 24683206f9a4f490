//! `corridor params ceremony`: the multi-party setup ceremony of the KYC circuit's Groth16
//! parameters (DESIGN.md §6), on a folder of step files that travel between organisations.
//!
//! - `init --dir C [--power K | --ptau FILE]`: phase 1's start, from the generators (sized for
//!   the KYC circuit unless `--power`) or from a snarkjs `.ptau` (after `prepare phase2` or not);
//! - `init --dir C --phase2`: closes phase 1 and starts phase 2 for the KYC circuit;
//! - `contribute --dir C --name NAME`: a contribution to the open phase with fresh OS
//!   randomness, zeroised when done; prints the hash to publish;
//! - `verify --dir C`: every step from the start against its predecessor; names the first bad
//!   one and the check it failed;
//! - `finalize --dir C --out DIR`: verifies, then writes the parameter folder (the files and
//!   manifest of `params setup`) and prints the transcript hash genesis pins.
//!
//! A thin adapter: the ceremony is corridor-params' ([`corridor_params::ceremony`]).
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use corridor_circuits::kyc::KYC_CIRCUIT_FINGERPRINT;
use corridor_params::ceremony::{
    CeremonyCircuit, CeremonyDir, Phase, Progress, StepSummary, Transcript,
};
use corridor_params::manifest::MANIFEST_FILE;
use corridor_params::ParamsDir;
use rand::rngs::OsRng;
use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::params::{print_manifest, Stage};

/// The subcommands of `corridor params ceremony`.
#[derive(Subcommand, Debug)]
pub enum CeremonyCommand {
    /// Start a ceremony in an empty folder: phase 1 from the generators or from a snarkjs
    /// `.ptau` file; or, with `--phase2`, close phase 1 and start phase 2 for the KYC circuit.
    Init {
        /// The ceremony folder.
        #[arg(long)]
        dir: PathBuf,
        /// Phase 1's domain is 2^power (default: the KYC circuit's).
        #[arg(long, conflicts_with_all = ["ptau", "phase2"])]
        power: Option<u32>,
        /// Start phase 1 from this snarkjs `.ptau` file (its powers, truncated to the KYC
        /// circuit's domain).
        #[arg(long, conflicts_with = "phase2")]
        ptau: Option<PathBuf>,
        /// Close phase 1 and start phase 2: the Lagrange bases and the KYC circuit's key.
        #[arg(long)]
        phase2: bool,
    },
    /// Add a contribution to the open phase (the folder may hold only its last step file):
    /// fresh secrets from the OS, zeroised when done; prints the hash to publish.
    Contribute {
        /// The ceremony folder.
        #[arg(long)]
        dir: PathBuf,
        /// Who contributes (recorded in the transcript).
        #[arg(long)]
        name: String,
    },
    /// Verify every step from the start; names the first bad step and the check it failed.
    Verify {
        /// The ceremony folder.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Verify, then write the parameter folder and print the hashes genesis pins.
    Finalize {
        /// The ceremony folder.
        #[arg(long)]
        dir: PathBuf,
        /// The parameter folder to write (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Overwrite a folder that already holds parameters.
        #[arg(long)]
        force: bool,
    },
}

/// Runs one `corridor params ceremony` subcommand.
pub fn run(command: &CeremonyCommand) -> Result<()> {
    match command {
        CeremonyCommand::Init {
            dir,
            power,
            ptau,
            phase2,
        } => match (phase2, ptau) {
            (true, _) => start_phase2(dir),
            (false, Some(ptau)) => import(dir, ptau),
            (false, None) => init(dir, *power),
        },
        CeremonyCommand::Contribute { dir, name } => contribute(dir, name),
        CeremonyCommand::Verify { dir } => verify(dir).map(|_| ()),
        CeremonyCommand::Finalize { dir, out, force } => finalize(dir, out, *force),
    }
}

/// Draws [`Progress`] on stderr: a percentage that updates in place on a terminal, one line
/// per task otherwise.
#[derive(Debug, Default)]
struct ProgressLine {
    task: Option<&'static str>,
}

impl ProgressLine {
    fn update(&mut self, p: Progress) {
        let tty = std::io::stderr().is_terminal();
        if self.task != Some(p.task) {
            self.task = Some(p.task);
            eprint!("      {} …", p.task);
        }
        let pct = (p.done * 100).checked_div(p.total).unwrap_or(100);
        if tty {
            eprint!("\r      {} … {pct:>3}%", p.task);
        }
        if p.done >= p.total {
            eprintln!("{}", if tty { "" } else { " done" });
            self.task = None;
        }
        // Best effort: progress shows as it happens.
        let _ = std::io::stderr().flush();
    }
}

/// The KYC circuit, checked against the committed fingerprint.
fn kyc_circuit() -> Result<CeremonyCircuit> {
    let circuit = CeremonyCircuit::kyc().context("synthesising the KYC circuit")?;
    let info = circuit.info();
    if !KYC_CIRCUIT_FINGERPRINT.ends_with(&format!("sha256={}", info.fingerprint)) {
        bail!(
            "the compiled KYC circuit has fingerprint {}, not the committed {KYC_CIRCUIT_FINGERPRINT}",
            info.fingerprint
        );
    }
    Ok(circuit)
}

fn print_step(s: &StepSummary) {
    println!(
        "  {:<44} {}  {}",
        s.id.to_string(),
        hex::encode(s.hash),
        s.name.as_deref().unwrap_or("")
    );
}

fn file_size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn wrote(dir: &CeremonyDir, s: &StepSummary) {
    let path = dir.step_path(s.id);
    println!(
        "wrote          {} ({} bytes)",
        path.display(),
        file_size(&path)
    );
}

fn init(dir: &Path, power: Option<u32>) -> Result<()> {
    let power = match power {
        Some(p) => p,
        None => {
            let stage = Stage::start(1, 2, "synthesising the KYC circuit for its domain size");
            let circuit = kyc_circuit()?;
            stage.done(&format!(
                "{} constraints, domain 2^{}",
                circuit.info().constraints,
                circuit.power()
            ));
            circuit.power()
        }
    };
    let stage = Stage::start(2, 2, &format!("phase 1 from the generators, 2^{power}"));
    let ceremony = CeremonyDir::new(dir);
    let s = ceremony.init(power)?;
    stage.done("ok");
    wrote(&ceremony, &s);
    println!("next: each contributor runs `corridor params ceremony contribute --dir … --name …`");
    Ok(())
}

fn import(dir: &Path, ptau: &Path) -> Result<()> {
    let stage = Stage::start(1, 2, "synthesising the KYC circuit for its domain size");
    let circuit = kyc_circuit()?;
    stage.done(&format!("domain 2^{}", circuit.power()));
    let stage = Stage::start(2, 2, &format!("importing {}", ptau.display()));
    let bytes = fs::read(ptau).with_context(|| format!("reading {}", ptau.display()))?;
    let ceremony = CeremonyDir::new(dir);
    let s = ceremony.import_ptau(&bytes, circuit.power())?;
    stage.done("every point valid; well-formedness is checked by verify");
    wrote(&ceremony, &s);
    println!(
        "phase 1 is snarkjs's: check its contributions with `snarkjs powersoftau verify {}`",
        ptau.display()
    );
    Ok(())
}

fn start_phase2(dir: &Path) -> Result<()> {
    let stage = Stage::start(1, 2, "synthesising the KYC circuit");
    let circuit = kyc_circuit()?;
    stage.done(&format!(
        "{} constraints, domain 2^{}",
        circuit.info().constraints,
        circuit.power()
    ));
    let stage = Stage::start(
        2,
        2,
        "phase 2's start: Lagrange bases and the circuit's key",
    );
    eprintln!();
    let ceremony = CeremonyDir::new(dir);
    let mut line = ProgressLine::default();
    let s = ceremony.start_phase2(&circuit, &mut |p| line.update(p))?;
    stage.done("ok");
    wrote(&ceremony, &s);
    Ok(())
}

fn contribute(dir: &Path, name: &str) -> Result<()> {
    let stage = Stage::start(1, 1, &format!("contribution by {name:?}"));
    eprintln!();
    let ceremony = CeremonyDir::new(dir);
    let mut line = ProgressLine::default();
    let s = ceremony.contribute(name, &mut OsRng, &mut |p| line.update(p))?;
    stage.done("secrets zeroised");
    wrote(&ceremony, &s);
    println!("{}", s.id);
    println!(
        "contribution hash (publish it; `verify` lists it): {}",
        hex::encode(s.hash)
    );
    Ok(())
}

fn verify(dir: &Path) -> Result<Transcript> {
    let stage = Stage::start(1, 2, "synthesising the KYC circuit");
    let circuit = kyc_circuit()?;
    stage.done("ok");
    let stage = Stage::start(2, 2, "verifying every step against its predecessor");
    eprintln!();
    let ceremony = CeremonyDir::new(dir);
    let mut line = ProgressLine::default();
    println!("steps");
    let transcript = ceremony
        .verify(
            &circuit,
            &mut OsRng,
            &mut |p| line.update(p),
            &mut print_step,
        )
        .with_context(|| format!("{} does not verify", dir.display()))?;
    stage.done("ok");
    print_transcript(&transcript);
    Ok(transcript)
}

fn print_transcript(t: &Transcript) {
    println!("phase 1 from   {}", t.origin);
    println!(
        "contributions  {} to phase 1, {} to phase 2",
        t.contributions(Phase::One),
        t.contributions(Phase::Two)
    );
    println!("transcript hash (the last step's): {}", hex::encode(t.head));
    match t.check_complete() {
        Ok(_) => println!("ok: every step verifies; the ceremony can be finalised"),
        Err(why) => println!("ok so far: every step verifies; not finalisable yet: {why}"),
    }
}

fn finalize(dir: &Path, out: &Path, force: bool) -> Result<()> {
    if out.join(MANIFEST_FILE).exists() && !force {
        bail!(
            "{} already holds parameters ({MANIFEST_FILE}); pass --force to overwrite them",
            out.display()
        );
    }
    let stage = Stage::start(1, 2, "synthesising the KYC circuit");
    let circuit = kyc_circuit()?;
    stage.done("ok");
    let stage = Stage::start(
        2,
        2,
        &format!("verifying every step, then writing {}", out.display()),
    );
    eprintln!();
    let mut line = ProgressLine::default();
    println!("steps");
    let (transcript, manifest) = CeremonyDir::new(dir)
        .finalize(
            &circuit,
            &ParamsDir::new(out),
            &mut OsRng,
            &mut |p| line.update(p),
            &mut print_step,
        )
        .with_context(|| format!("finalising {}", dir.display()))?;
    stage.done("ok");
    print_transcript(&transcript);
    print_manifest(out, &manifest);
    println!(
        "ceremony transcript hash (pinned by genesis as ceremony_hash): {}",
        hex::encode(transcript.head)
    );
    Ok(())
}
