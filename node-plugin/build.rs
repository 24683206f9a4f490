//! Generates the node API (`proto/corridor/node/v1/node.proto`) with protox (pure Rust, no
//! protoc): prost messages and the tonic server and client. The wire messages it imports
//! (`corridor.v1`) are core's, mapped with `extern_path`. The descriptor set is written to
//! `$OUT_DIR/corridor_node_descriptor.bin` for server reflection (`compile_fds` does not).
use prost::Message;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let files = [root.join("corridor/node/v1/node.proto")];
    for f in files.iter().chain([&root.join("corridor/v1/tx.proto")]) {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    // With its imports: a reflection client resolves `corridor.v1.Output` from it too.
    let fds = protox::compile(&files, [&root])?;
    std::fs::write(
        out.join("corridor_node_descriptor.bin"),
        fds.encode_to_vec(),
    )?;
    tonic_prost_build::configure()
        .extern_path(".corridor.v1", "::corridor_core::proto")
        .compile_fds(fds)?;
    Ok(())
}
