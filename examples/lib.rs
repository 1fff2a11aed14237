//! Shared pieces of the example programs (`cargo run --example NAME`).
//!
//! [`grpc_echo`] is a gRPC service with one RPC of each kind, generated from
//! `proto/echo.proto`, for the gRPC examples, the tests and the benchmarks.
//! [`lambda_main`] is the shared `main` of the Lambda-target examples
//! (`--event FILE`, or the Lambda runtime).

pub mod grpc_echo;
pub mod lambda_main;
