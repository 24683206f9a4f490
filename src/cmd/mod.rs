//! The subcommands of `corridor`, one module each: thin adapters over the library.
pub mod audit;
pub mod bench;
pub mod bench_prove;
pub mod bench_prove_cpu;
pub mod ceremony;
pub mod demo;
pub mod disclose;
pub mod kyc;
pub mod node;
pub mod operator;
pub mod params;
pub mod prover;
pub mod wallet;
