//! Corridor node: validation pipeline, state, ABCI application.
//!
//! This crate grows in later issues; it builds so the workspace and its dependency rules hold.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
