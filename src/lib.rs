//! The `corridor` package: the command line (`src/main.rs`), and the single-process demo network
//! that the demo, the whole-flow tests (`tests/`) and the benches (`benches/`) share; [`bench`]
//! holds the benchmark fixtures that `benches/proofs.rs` and `corridor bench` share;
//! [`services`] holds the gRPC services the CLI serves (the KYC registry), [`keyfile`] the
//! institutions' key files.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod audit;
pub mod bench;
pub mod client;
pub mod demo;
pub mod keyfile;
pub mod network;
pub mod scenario;
pub mod services;
pub mod stack;
pub mod story;
