use std::path::{Path, PathBuf};
use std::process::Command;

use lambda_http::aws_lambda_events::vpc_lattice::VpcLatticeRequestV2Context;

use super::*;
use crate::lambda::{LatticeEvent, LatticeRequestExt};

/// The repository's shared fixtures, `tests/fixtures/lambda/`.
fn our_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/lambda")
}

/// `src/fixtures/` of the aws_lambda_events package in the dependency
/// graph, through `cargo metadata` (offline; nothing is copied here). Only
/// the host's packages are asked for: dependencies of other targets (a wasm
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
    let dir = Path::new(&manifest).parent().unwrap().join("src/fixtures");
    assert!(dir.is_dir(), "{} not found", dir.display());
    dir
}

/// `(name, text)` of the files in `dir` whose names start with `prefix`.
fn files(dir: &Path, prefix: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".json"))
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).unwrap();
            (n, text)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no {prefix}* in {}", dir.display());
    out
}

/// What a handler sees when lambda_http converts `json`.
fn via_lambda_http(json: &str) -> lambda_http::Request {
    lambda_http::request::from_str(json).unwrap()
}

/// What a handler sees when this crate converts `json`.
fn via_lattice(json: &str) -> http::Request<crate::lambda::Body> {
    LatticeEvent::from_slice(json.as_bytes())
        .unwrap()
        .into_http_request()
        .unwrap()
}

#[test]
fn published_v2_fixtures_give_the_same_caller_as_our_parser() {
    let fixtures = files(&published_fixtures(), "example-vpc-lattice-v2-request");
    assert!(fixtures.len() >= 3, "{fixtures:?}");
    for (name, json) in fixtures {
        let theirs = via_lambda_http(&json);
        let ours = via_lattice(&json);
        let caller = theirs
            .lattice_caller_identity()
            .unwrap_or_else(|| panic!("{name}: no caller"));
        assert_eq!(Some(&caller), ours.caller_identity(), "{name}");
        assert!(caller.principal.is_some(), "{name}");
        assert_eq!(
            theirs.lattice_request_context().as_ref(),
            ours.extensions().get::<V2RequestContext>(),
            "{name}"
        );
    }
    let (_, json) = files(&published_fixtures(), "example-vpc-lattice-v2-request.json")
        .pop()
        .unwrap();
    let caller = via_lambda_http(&json).lattice_caller_identity().unwrap();
    assert_eq!(
        caller.principal.as_deref(),
        Some("arn:aws:iam::123456789012:role/service-role/HealthChecker")
    );
    assert_eq!(
        caller.principal_org_id.as_deref(),
        Some("o-50dc6c495c0c9188")
    );
    assert_eq!(caller.auth_type.as_deref(), Some("AWS_IAM"));
    assert_eq!(
        caller.source_vpc().map(|v| v.to_string()).as_deref(),
        Some("vpc-0b8276c84697e7339")
    );
    assert!(caller.service_arn().is_some());
}

#[test]
fn our_v2_fixtures_agree_where_lambda_http_parses_them() {
    // lambda_http needs every context member as a string and only knows the
    // documented spellings: these differ on purpose (see the module docs).
    const NOT_PARSED: &[&str] = &["event-v2-non-arn-identity.json"];
    const OTHER_SPELLINGS: &[&str] = &[
        "event-v2-casing-powertools-py.json",
        "event-v2-casing-powertools-ts.json",
    ];
    for (name, json) in files(&our_fixtures(), "event-v2-") {
        let parsed = lambda_http::request::from_str(&json);
        if NOT_PARSED.contains(&name.as_str()) {
            assert!(parsed.is_err(), "{name} now parses: update the docs");
            continue;
        }
        let theirs = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
        let caller = theirs.lattice_caller_identity().unwrap();
        let ours = via_lattice(&json);
        let expected = ours.caller_identity().unwrap();
        if OTHER_SPELLINGS.contains(&name.as_str()) {
            // The documented keys agree; the Powertools spellings are lost.
            assert_eq!(caller.principal, expected.principal, "{name}");
            assert_eq!(caller.session_name, expected.session_name, "{name}");
            assert_ne!(&caller, expected, "{name}");
            assert!(caller.x509.subject_cn.is_none(), "{name}");
            assert!(expected.x509.subject_cn.is_some(), "{name}");
        } else {
            assert_eq!(&caller, expected, "{name}");
        }
    }
}

#[test]
fn identity_headers_of_a_v2_event_are_never_read() {
    let json = r#"{"version":"2.0","path":"/","method":"GET",
      "headers":{"host":["h.example"],
        "x-amzn-lattice-identity":["Principal=arn:aws:iam::999999999999:role/forged"]},
      "queryStringParameters":{},"isBase64Encoded":false,
      "requestContext":{"serviceNetworkArn":"","serviceArn":"","targetGroupArn":"",
        "region":"us-east-2","timeEpoch":"1"}}"#;
    let request = via_lambda_http(json);
    // lambda_http hands the forged header to the handler ...
    assert!(request.headers().contains_key("x-amzn-lattice-identity"));
    // ... the bridge reads only the context, which has no caller.
    let caller = request.lattice_caller_identity().unwrap();
    assert!(caller.is_anonymous());
    assert_eq!(caller, CallerIdentity::default());
}

#[test]
fn requests_not_from_a_lattice_event() {
    let plain = http::Request::new(());
    assert_eq!(plain.lattice_caller_identity(), None);
    assert_eq!(plain.lattice_request_context(), None);

    // A request from this crate's own conversion: its stored identity.
    let json =
        std::fs::read_to_string(our_fixtures().join("event-v1-identity-headers.json")).unwrap();
    let ours = via_lattice(&json);
    let (parts, _) = ours.into_parts();
    assert_eq!(
        parts.lattice_caller_identity().as_ref(),
        parts.caller_identity()
    );
    assert!(parts.lattice_caller_identity().is_some());
    assert_eq!(parts.lattice_request_context(), None);
}

#[test]
fn context_conversion_keeps_every_field() {
    let mut c = VpcLatticeRequestV2Context::default();
    c.service_arn =
        "arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c".into();
    c.region = "us-east-2".into();
    c.time_epoch = "1724875399456789".into();
    let ours = V2RequestContext::from(&c);
    assert_eq!(ours.service_arn.as_deref(), Some(c.service_arn.as_str()));
    assert_eq!(ours.service_network_arn, None);
    assert_eq!(ours.target_group_arn, None);
    assert_eq!(ours.region.as_deref(), Some("us-east-2"));
    assert_eq!(
        ours.time_epoch,
        Some(TimeEpoch::from_micros(1_724_875_399_456_789))
    );
    assert!(ours.other.is_empty());
    let caller = CallerIdentity::from(c.clone());
    assert!(caller.is_anonymous());
    assert_eq!(caller.service_arn, ours.service_arn);

    c.time_epoch = "yesterday".into();
    let ours = V2RequestContext::from(c);
    assert_eq!(ours.time_epoch, None);
    assert_eq!(
        ours.other,
        vec![("timeEpoch".to_owned(), Value::String("yesterday".into()))]
    );

    // Nothing at all: an anonymous caller, not a panic.
    assert_eq!(
        CallerIdentity::from(VpcLatticeRequestV2Context::default()),
        CallerIdentity::default()
    );
}

/// What a handler sees on each side for the same V2 event: lambda_http
/// appends a second query to a `path` that already has one.
#[test]
fn uri_on_each_side() {
    let json = std::fs::read_to_string(our_fixtures().join("event-v2-authenticated.json")).unwrap();
    let host = "orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws";
    assert_eq!(
        via_lambda_http(&json).uri().to_string(),
        format!(
            "https://{host}/orders/42?expand=items&expand=customer?expand=items&expand=customer"
        )
    );
    assert_eq!(
        via_lattice(&json).uri().to_string(),
        format!("https://{host}/orders/42?expand=items&expand=customer")
    );

    let json = r#"{"version":"2.0","path":"/hello?name=a%20b","method":"GET",
      "headers":{"host":["h.example"]},"queryStringParameters":{"name":["a b"]},
      "isBase64Encoded":false,"requestContext":{"serviceNetworkArn":"","serviceArn":"",
        "targetGroupArn":"","region":"us-east-2","timeEpoch":"1"}}"#;
    let theirs = via_lambda_http(json);
    assert_eq!(
        theirs.uri().to_string(),
        "https://h.example/hello?name=a%20b?name=a+b"
    );
    assert_eq!(theirs.uri().query(), Some("name=a%20b?name=a+b"));
    let ours = via_lattice(json);
    assert_eq!(ours.uri().to_string(), "https://h.example/hello?name=a%20b");
    assert_eq!(ours.uri().query(), Some("name=a%20b"));

    // Older events whose `path` has no query agree.
    let json = json.replace("/hello?name=a%20b", "/hello");
    assert_eq!(
        via_lambda_http(&json).uri().to_string(),
        "https://h.example/hello?name=a+b"
    );
    assert_eq!(
        via_lattice(&json).uri().to_string(),
        "https://h.example/hello?name=a%20b"
    );
}
