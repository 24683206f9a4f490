//! With the `service` feature: generates the node API's client (`proto/corridor/node/v1/
//! node.proto`) with protox (pure Rust, no protoc), prost messages and the tonic client only,
//! and the prover service (`proto/corridor/prover/v1/prover.proto`), server and client, with
//! its encoded descriptor set for reflection.
//! The wire messages it imports (`corridor.v1`) are core's, mapped with `extern_path`, as
//! corridor-node's build script does. Without the feature it generates nothing.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_SERVICE").is_none() {
        return Ok(());
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../proto");
    let files = [root.join("corridor/node/v1/node.proto")];
    for f in files.iter().chain([&root.join("corridor/v1/tx.proto")]) {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let fds = protox::compile(&files, [&root])?;
    tonic_prost_build::configure()
        .build_server(false)
        .extern_path(".corridor.v1", "::corridor_core::proto")
        .compile_fds(fds)?;
    // The prover service's own API: server and client, and its descriptor set for reflection
    // (`compile_fds` does not write one).
    let prover = [root.join("corridor/prover/v1/prover.proto")];
    println!("cargo:rerun-if-changed={}", prover[0].display());
    let fds = protox::compile(&prover, [&root])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out.join("corridor_prover_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    tonic_prost_build::configure().compile_fds(fds)?;
    Ok(())
}
