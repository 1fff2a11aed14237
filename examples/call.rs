//! The `call` example (placeholder until it is written).

fn main() {}
