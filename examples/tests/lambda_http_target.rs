//! Runs the `lambda-http-target` example binary on V2 events (the
//! repository's fixtures and the ones aws_lambda_events publishes) and checks
//! that the answer carries the caller's principal.
//!
//! `cargo test` builds the package's examples first; the binary is found
//! next to this test's executable (`target/<profile>/examples/`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn our_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/lambda")
}

/// `src/fixtures/` of the aws_lambda_events package lambda_http depends on,
/// found through `cargo metadata` (offline; nothing copied). Only the
/// host's packages are asked for: dependencies of other targets (a wasm
/// timer of reqwest-retry) are never downloaded by a host build.
fn published_fixtures() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            "host-tuple",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aws_lambda_events")
        .expect("aws_lambda_events in the dependency graph")["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    Path::new(&manifest).parent().unwrap().join("src/fixtures")
}

fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir.join("examples").join(format!(
        "lambda-http-target{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        bin.exists(),
        "{} is missing: run through `cargo test`",
        bin.display()
    );
    bin
}

fn run(args: &[&str]) -> Output {
    Command::new(example_binary())
        .args(args)
        .env("RUST_LOG", "debug")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .unwrap()
}

/// The response JSON for `file`, and the JSON of its body.
fn answer(file: &Path) -> (Value, Value) {
    let out = run(&["--event", file.to_str().unwrap()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "one JSON line only: {stdout}");
    let response: Value = serde_json::from_str(&stdout).unwrap();
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    (response, body)
}

#[test]
fn published_v2_fixtures_answer_with_the_principal() {
    let dir = published_fixtures();
    for (name, principal) in [
        (
            "example-vpc-lattice-v2-request.json",
            "arn:aws:iam::123456789012:role/service-role/HealthChecker",
        ),
        (
            "example-vpc-lattice-v2-request-base64.json",
            "arn:aws:iam::123456789012:user/john.developer",
        ),
        (
            "example-vpc-lattice-v2-request-roles-anywhere.json",
            "arn:aws:iam::123456789012:role/ExternalPartnerAccessRole",
        ),
    ] {
        let (response, body) = answer(&dir.join(name));
        assert_eq!(response["statusCode"], 200, "{name}");
        assert_eq!(response["isBase64Encoded"], false, "{name}");
        assert_eq!(body["principal"], principal, "{name}");
        assert_eq!(body["account"], "123456789012", "{name}");
        assert_eq!(body["anonymous"], false, "{name}");
    }
    // Every published V2 request answers with a principal.
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.starts_with("example-vpc-lattice-v2-request") {
            let (_, body) = answer(&path);
            assert!(
                body["principal"].as_str().unwrap().starts_with("arn:aws:"),
                "{name}"
            );
            seen += 1;
        }
    }
    assert!(seen >= 3, "{seen} published V2 fixtures");
}

#[test]
fn repository_v2_fixtures() {
    let dir = our_fixtures();
    let (_, body) = answer(&dir.join("event-v2-authenticated.json"));
    assert_eq!(
        body["principal"],
        "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7"
    );
    assert_eq!(body["sourceVpc"], "vpc-0b8276c84697e7339");
    assert_eq!(
        body["service"],
        "arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c"
    );

    let (_, body) = answer(&dir.join("event-v2-roles-anywhere.json"));
    assert_eq!(
        body["principal"],
        "arn:aws:sts::123456789012:assumed-role/device-role/7b1c0f6e0d6a4b3e"
    );

    let (response, body) = answer(&dir.join("event-v2-anonymous-no-identity.json"));
    assert_eq!(response["statusCode"], 200);
    assert_eq!(body["principal"], Value::Null);
    assert_eq!(body["anonymous"], true);
}

#[test]
fn bad_input_fails_with_one_line() {
    let out = run(&[
        "--event",
        our_fixtures().join("README.md").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("error: "), "{stderr}");
    assert!(last.contains("not a VPC Lattice V2 event"), "{stderr}");

    let out = run(&["--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1));
}
