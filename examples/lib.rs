//! Shared pieces of the example programs (`cargo run --example NAME`).
//!
//! [`echo`] is a loopback HTTP server that answers every request with a JSON
//! report of what it received, including what the signature covers; the
//! quickstart calls it. [`grpc_echo`] is a gRPC service with one RPC of each
//! kind, generated from `proto/echo.proto`, for the gRPC example, tests and
//! benchmarks.

pub mod echo;
pub mod grpc_echo;
