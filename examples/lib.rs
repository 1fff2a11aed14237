//! Shared pieces of the example programs (`cargo run --example NAME`).
//!
//! [`echo`] is a loopback HTTP server that answers every request with a JSON
//! report of what it received, including what the signature covers; the
//! quickstart calls it.

pub mod echo;
