//! `corridor`: the command line. Each subcommand lives in `src/cmd/`.
#![forbid(unsafe_code)]
use anyhow::Result;
use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "corridor",
    version,
    about = "Privacy-preserving cross-border payments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HKD→PHP remittance end to end through the services on loopback (node, KYC
    /// registries, prover services, payout watcher), with real proofs, then time more.
    Demo(cmd::demo::DemoArgs),
    /// Time every proof's prove and verify and a whole 2-in/2-out transfer beside bulletproofs'
    /// own prove and verify, measured in the same run; one JSON line per measurement.
    Bench(cmd::bench::BenchArgs),
    /// The ledger node on a redb database.
    Node {
        #[command(subcommand)]
        command: cmd::node::NodeCommand,
    },
    /// A KYC issuer's services: its credential registry (`kyc serve`).
    Kyc {
        #[command(subcommand)]
        command: cmd::kyc::KycCommand,
    },
    /// Groth16 parameters of the KYC circuit: the multi-party ceremony, dev-seed setup,
    /// verification of a folder against its manifest, export of the verifying key and a sample
    /// proof to snarkjs.
    Params {
        #[command(subcommand)]
        command: cmd::params::ParamsCommand,
    },
    /// A customer's wallet: its seed file, its address, its balance caught up from the node.
    Wallet {
        #[command(subcommand)]
        command: cmd::wallet::WalletCommand,
    },
    /// Institutions: an issuer's mints, an operator's quotes and payout watcher, burns.
    Operator {
        #[command(subcommand)]
        command: cmd::operator::OperatorCommand,
    },
    /// The prover service of an operator: proves its customers' transactions, unsigned.
    Prover {
        #[command(subcommand)]
        command: cmd::prover::ProverCommand,
    },
    /// The regulator's tool: scans the ledger decrypting its jurisdiction's amounts, opens KYC
    /// escrows, verifies disclosures.
    Audit {
        #[command(subcommand)]
        command: cmd::audit::AuditCommand,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo(args) => cmd::demo::run(&args),
        Command::Bench(args) => cmd::bench::run(&args),
        Command::Params { command } => cmd::params::run(&command),
        Command::Node { command } => cmd::node::run(&command),
        Command::Prover { command } => cmd::prover::run(&command),
        Command::Wallet { command } => cmd::wallet::run(&command),
        Command::Operator { command } => cmd::operator::run(&command),
        Command::Kyc { command } => cmd::kyc::run(&command),
        Command::Audit { command } => cmd::audit::run(&command),
    }
}
