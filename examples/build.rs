//! Generates the gRPC echo service (`lattice_examples::grpc_echo`) from
//! `proto/echo.proto` with protox, a protobuf compiler in pure Rust: no
//! `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=proto/echo.proto");
    let files = protox::compile(["echo.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .build_transport(false)
        // Payloads as `bytes::Bytes`: large streams are not copied per message.
        .bytes(".lattice.echo")
        .compile_fds(files)?;
    Ok(())
}
