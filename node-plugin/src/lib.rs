//! Corridor node: the validation pipeline of DESIGN.md §4 from raw transaction bytes to
//! committed state.
//!
//! - [`kv`]: the store as ordered key-value tables, in memory ([`kv::MemoryKv`]) or in a redb
//!   file ([`redb_kv::RedbKv`]); one atomic write per block.
//! - [`ledger`]: the typed ledger over them (notes, spends, registrations, quotes, KYC roots,
//!   nonces, blocks), reads through a block overlay, and the app hash.
//! - [`rules`]: the stateful rules, each its own [`rules::RuleError`].
//! - [`pipeline`]: admission, mempool, proposal, block execution as one batch, commit.
//! - [`genesis`]: the genesis file (TOML) and its validation.
//! - [`api`]: the gRPC API `corridor.node.v1.Node`; [`embedded`]: the embedded node serving
//!   it (with health, reflection and Prometheus metrics) and cutting blocks.
//! - [`abci`]: the ABCI 2.0 application (CometBFT v0.38) over the pipeline.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod abci;
pub mod api;
pub mod embedded;
pub mod genesis;
pub mod kv;
pub mod ledger;
pub mod memory;
pub mod mempool;
pub mod metrics;
pub mod pipeline;
pub mod redb_kv;
pub mod replay;
pub mod rules;

pub use genesis::{GenesisError, GenesisFile};
pub use kv::{Kv, MemoryKv};
pub use ledger::{Committed, View};
pub use memory::MemoryLedger;
pub use pipeline::{BlockError, ExecutedBlock, Node, NodeConfig, NodeError, TxError};
pub use redb_kv::RedbKv;
pub use rules::RuleError;
