//! gRPC over AWS VPC Lattice with [tonic](https://docs.rs/tonic).
//!
//! This crate will hold a signed channel builder for tonic-generated clients
//! and a caller-identity layer for tonic servers. Until then, sign gRPC calls
//! by wrapping a tonic `Channel` in [`lattice_tower::sign::SigV4Layer`] built
//! with [`SigV4Layer::with_origin`](lattice_tower::sign::SigV4Layer::with_origin).

pub use lattice_tower;
