//! Generates the prost messages of the wire format from `proto/` with protox (pure Rust, no
//! protoc). Only messages: services generate their tonic stubs where they serve or call them and
//! map these messages with `extern_path`.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../proto");
    let files = [root.join("corridor/v1/tx.proto")];
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let fds = protox::compile(&files, [&root])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(false)
        .compile_fds(fds)?;
    Ok(())
}
