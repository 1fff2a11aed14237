//! Shared pieces of the example programs (`cargo run --example NAME`).
//!
//! [`grpc_echo`] is a gRPC service with one RPC of each kind, generated from
//! `proto/echo.proto`, for the gRPC examples, the tests and the benchmarks.

pub mod grpc_echo;
