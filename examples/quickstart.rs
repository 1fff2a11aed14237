//! The `quickstart` example (placeholder until it is written).

fn main() {}
