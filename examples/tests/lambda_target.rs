//! Runs the `lambda-target` example binary on the fixture events and checks
//! the JSON it prints: one Lattice response whose body is the echo.
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

use base64::Engine as _;
use serde_json::{Value, json};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/lambda")
}

/// `target/<profile>/examples/lambda-target`: `cargo test` builds the
/// package's examples before it runs its tests.
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/lambda_target-<hash>
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir
        .join("examples")
        .join(format!("lambda-target{}", std::env::consts::EXE_SUFFIX));
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

/// Runs one fixture; the response JSON and the echo inside its body.
fn echo(fixture: &str) -> (Value, Value) {
    let path = fixtures_dir().join(fixture);
    let out = run(&["--event", path.to_str().unwrap()]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{fixture}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Exactly one JSON document and nothing else on stdout.
    let mut docs = serde_json::Deserializer::from_str(&stdout).into_iter::<Value>();
    let response = docs.next().unwrap().unwrap();
    assert!(docs.next().is_none(), "{fixture}: more than one document");
    assert_eq!(stdout.trim_end().lines().count(), 1, "{fixture}: {stdout}");
    assert_eq!(response["statusCode"], 200, "{fixture}: {response}");
    assert_eq!(response["isBase64Encoded"], false);
    assert_eq!(response["headers"]["content-type"], "application/json");
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    (response, body)
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn every_event_fixture_echoes_with_the_documented_shape() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("event-") && n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 10);
    for name in names {
        let (_, body) = echo(&name);
        let mut expected = vec!["headers", "identity", "method", "path", "query"];
        expected.push(if body.get("body").is_some() {
            "body"
        } else {
            "bodyBase64"
        });
        expected.sort_unstable();
        assert_eq!(keys(&body), expected, "{name}");
        assert!(body["method"].is_string());
        assert!(!body["path"].as_str().unwrap().contains('?'), "{name}");
        for map in ["query", "headers"] {
            for (k, v) in body[map].as_object().unwrap() {
                assert!(
                    v.as_array().unwrap().iter().all(Value::is_string),
                    "{name}: {map}.{k}"
                );
            }
        }
        match &body["identity"] {
            Value::Null => {}
            Value::Object(id) => {
                for (k, v) in id {
                    assert!(
                        v.is_string() || v.is_null() || k == "principalTags",
                        "{name}: identity.{k}"
                    );
                }
            }
            other => panic!("{name}: identity {other}"),
        }
    }
}

#[test]
fn v2_authenticated_echo() {
    let (_, body) = echo("event-v2-authenticated.json");
    assert_eq!(body["method"], "POST");
    assert_eq!(body["path"], "/orders/42");
    assert_eq!(body["query"], json!({"expand": ["items", "customer"]}));
    assert_eq!(body["headers"]["multi"], json!(["x", "y"]));
    assert_eq!(
        body["headers"]["host"],
        json!(["orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws"])
    );
    assert_eq!(body["body"], "{\"qty\": 2}");
    let id = &body["identity"];
    assert_eq!(
        id["principal"],
        "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7"
    );
    assert_eq!(id["principalOrgId"], "o-50dc6c495c0c9188");
    assert_eq!(id["sessionName"], "i-0c7de02a688bde9f7");
    assert_eq!(id["type"], "AWS_IAM");
    assert_eq!(
        id["sourceVpcArn"],
        "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339"
    );
    assert_eq!(id["sourceVpc"], "vpc-0b8276c84697e7339");
    assert_eq!(
        id["serviceArn"],
        "arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c"
    );
}

#[test]
fn v1_identity_headers_and_comma_values() {
    let (_, body) = echo("event-v1-identity-headers.json");
    assert_eq!(body["query"], json!({"id": ["1", "2"], "q": ["a,b"]}));
    assert_eq!(
        body["headers"]["date"],
        json!(["Wed, 21 Oct 2015 07:28:00 GMT"])
    );
    assert_eq!(body["headers"]["cookie"], json!(["session=abc; prefs=a,b"]));
    assert_eq!(
        body["headers"]["accept"],
        json!(["text/html", "application/json;q=0.9"])
    );
    let id = &body["identity"];
    assert_eq!(id["principalOrgId"], "o-12345678");
    assert_eq!(id["principalTags"]["team"], "payments;core");
    assert_eq!(id["sourceVpc"], "vpc-0123456789abcdef0");
}

#[test]
fn anonymous_callers() {
    let (_, body) = echo("event-v2-anonymous-no-identity.json");
    assert_eq!(body["identity"], Value::Null);
    let (_, body) = echo("event-v1-basic.json");
    assert_eq!(body["identity"], Value::Null);
    // Unsigned callers that came through Lattice (source VPC, target ARNs,
    // or the literal principal `anonymous`) are anonymous too.
    for fixture in [
        "event-v2-anonymous-source-vpc.json",
        "event-v1-anonymous-headers.json",
        "event-v2-non-arn-identity.json",
    ] {
        let (_, body) = echo(fixture);
        assert_eq!(body["identity"], Value::Null, "{fixture}");
    }
    let (_, body) = echo("event-v2-roles-anywhere.json");
    assert!(body["identity"]["x509SubjectCn"].is_string());
}

#[test]
fn binary_body_is_base64() {
    let event = fixtures_dir().join("event-v2-base64-body.json");
    let raw: Value = serde_json::from_slice(&std::fs::read(event).unwrap()).unwrap();
    let sent = base64::engine::general_purpose::STANDARD
        .decode(raw["body"].as_str().unwrap())
        .unwrap();
    let (_, body) = echo("event-v2-base64-body.json");
    let echoed = base64::engine::general_purpose::STANDARD
        .decode(body["bodyBase64"].as_str().unwrap())
        .unwrap();
    assert_eq!(echoed, sent);
}

#[test]
fn malformed_events_exit_non_zero_with_one_line() {
    let dir = std::env::temp_dir().join(format!("lambda-target-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, content) in [
        "not json",
        "[1, 2]",
        "{\"foo\": 1}",
        "{\"version\": \"3.0\", \"path\": \"/\", \"method\": \"GET\"}",
        "{\"version\": \"2.0\", \"path\": \"/\", \"method\": \"G E T\"}",
        "{\"version\": \"2.0\", \"path\": \"/\", \"method\": \"GET\", \"body\": \"***\", \"isBase64Encoded\": true}",
        "{\"raw_path\": \"/\", \"method\": \"GET\", \"headers\": {\"x-amzn-lattice-identity\": \"Principal\"}}",
    ]
    .iter()
    .enumerate()
    {
        let path = dir.join(format!("bad-{i}.json"));
        std::fs::write(&path, content).unwrap();
        let out = run(&["--event", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{content}");
        assert!(out.stdout.is_empty(), "{content}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: ")).collect();
        assert_eq!(errors.len(), 1, "{content}: {stderr}");
        assert!(!stderr.contains("panicked"), "{content}: {stderr}");
    }
    let out = run(&["--event", dir.join("missing.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    // Without --event and outside Lambda: a clear error, not a panic.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
