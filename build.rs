//! Generates the gRPC services the `corridor` package serves (DESIGN.md §5) with protox (pure
//! Rust, no protoc): prost messages and tonic servers and clients, one module per proto
//! package (`tonic::include_proto!("corridor.kyc.v1")`). The encoded descriptor set of all of
//! them is written to `$OUT_DIR/corridor_services_descriptor.bin` for server reflection
//! (`compile_fds` does not write one). A new service: add its file to [`SERVICES`].
use prost::Message;
use std::path::PathBuf;

/// The .proto files compiled, relative to `proto/`.
const SERVICES: &[&str] = &["corridor/kyc/v1/registry.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("proto");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let files: Vec<PathBuf> = SERVICES.iter().map(|f| root.join(f)).collect();
    // With their imports: a reflection client resolves every type from it.
    let fds = protox::compile(&files, [&root])?;
    for f in &fds.file {
        if let Some(name) = &f.name {
            println!("cargo:rerun-if-changed={}", root.join(name).display());
        }
    }
    std::fs::write(
        out.join("corridor_services_descriptor.bin"),
        fds.encode_to_vec(),
    )?;
    tonic_prost_build::configure()
        .extern_path(".corridor.v1", "::corridor_core::proto")
        .compile_fds(fds)?;
    Ok(())
}
