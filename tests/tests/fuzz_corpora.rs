//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/`)
//! through the same function its `cargo fuzz` target calls, on the stable
//! compiler: a crash the fuzzer once found (and every seed) stays fixed.

#[path = "../../fuzz/src/lib.rs"]
pub mod targets;

use std::path::PathBuf;

/// Feeds every file of `fuzz/corpus/<target>` to `run`; returns how many.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).expect("corpus file");
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!("{target}: {} panics", file.display());
        }
    }
    assert!(!files.is_empty(), "{target}: empty corpus");
    files.len()
}

#[test]
fn identity_headers_corpus() {
    replay("identity_headers", targets::identity_headers);
}

#[test]
fn lambda_event_corpus() {
    replay("lambda_event", targets::lambda_event);
}

#[test]
fn auth_policy_corpus() {
    replay("auth_policy", targets::auth_policy);
}

#[test]
fn fake_config_corpus() {
    replay("fake_config", targets::fake_config);
}

#[test]
fn names_arns_corpus() {
    replay("names_arns", targets::names_arns);
}

#[test]
fn verifier_corpus() {
    replay("verifier", targets::verifier);
}
