//! Differential test of the signer against `aws-sigv4`: 100,000 generated
//! requests (fixed seed) signed by [`Signer::sign_with`] and by
//! `aws_sigv4::http_request::sign` must carry the same `authorization`
//! header. With `capture_canonical`, the captured string to sign must hash
//! the captured canonical request and give `aws-sigv4`'s signature under
//! `aws-sigv4`'s own key derivation and HMAC, so the captured bytes are the
//! ones `aws-sigv4` hashed.
//!
//! Generated: odd paths (spaces, `%2F`, `~`, dot segments, `//`, non-ASCII
//! as UTF-8 escapes); queries with duplicate and unsorted keys, empty values,
//! `+`, lower-case hex and `%7E`; multi-value and space-padded headers,
//! excluded headers; session tokens; generated Lattice names and custom
//! domains with ports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_smithy_async::time::StaticTimeSource;
use aws_smithy_runtime_api::client::identity::Identity;
use http::HeaderValue;
use lattice_client::sign::{SIGNING_NAME, Signer};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed};

const GEN: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
const EXCLUDED: &[&str] = &[
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "expect",
];

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
}

fn credentials(token: bool) -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token.then(|| "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+with=chars".to_owned()),
        None,
        "test",
    )
}

fn segment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "orders",
        "%20",
        "a%20b",
        "a%2Fb",
        "%2f",
        "~",
        "~user",
        ".",
        "..",
        "",
        "%C3%A9",
        "caf%c3%a9",
        "%E2%82%AC",
        "%7E",
        "%7e",
        "x:y",
        "@",
        "!$&'()*+,;=",
        "-._~",
        "A%2b",
        "a+b",
        "%25",
        "%2e%2e",
        "%00x",
        "%zz",
    ])
}

fn query_part() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "b",
        "A",
        "",
        "k%20y",
        "x+y",
        "%7E",
        "%7e",
        "~",
        "dup",
        "dup",
        "Param",
        "%c3%a9",
        "%E2%82%AC",
        "%zz",
        "a%2Fb",
        "%2f",
        "v+w",
        "%20",
        "1",
        "%ff",
        "z=z",
    ])
}

fn header() -> impl Strategy<Value = (&'static str, &'static str)> {
    (
        prop::sample::select(vec![
            "content-type",
            "accept",
            "x-custom",
            "x-custom",
            "x-multi",
            "x-amz-meta-a",
            "zzz",
            "a",
            "user-agent",
            "x-forwarded-for",
            "connection",
            "x-amzn-trace-id",
        ]),
        prop::sample::select(vec![
            "v",
            "  padded  ",
            "a   b    c",
            "",
            "application/json",
            "with\ttab",
            " x ",
            "\"quoted   value\"",
            "1,2",
        ]),
    )
}

#[derive(Debug, Clone)]
struct Case {
    custom_domain: Option<u16>,
    path: Vec<&'static str>,
    trailing_slash: bool,
    query: Option<Vec<(&'static str, Option<&'static str>)>>,
    headers: Vec<(&'static str, &'static str)>,
    token: bool,
    method: &'static str,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::option::of(prop::sample::select(vec![443u16, 8443, 80, 1])),
        prop::collection::vec(segment(), 0..6),
        any::<bool>(),
        prop::option::of(prop::collection::vec(
            (query_part(), prop::option::of(query_part())),
            0..6,
        )),
        prop::collection::vec(header(), 0..8),
        any::<bool>(),
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
    )
        .prop_map(
            |(custom_domain, path, trailing_slash, query, headers, token, method)| Case {
                custom_domain,
                path,
                trailing_slash,
                query,
                headers,
                token,
                method,
            },
        )
}

fn build(case: &Case) -> Option<http::Request<()>> {
    let authority = match case.custom_domain {
        None => GEN.to_owned(),
        Some(443) => "api.example.internal".to_owned(),
        Some(port) => format!("api.example.internal:{port}"),
    };
    let mut uri = format!("https://{authority}/{}", case.path.join("/"));
    if case.trailing_slash {
        uri.push('/');
    }
    if let Some(pairs) = &case.query {
        uri.push('?');
        let text: Vec<String> = pairs
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => (*k).to_owned(),
            })
            .collect();
        uri.push_str(&text.join("&"));
    }
    let mut request = http::Request::builder().method(case.method).uri(uri);
    for (name, value) in &case.headers {
        request = request.header(*name, *value);
    }
    request.body(()).ok()
}

/// Signs with `aws-sigv4` directly; returns the `authorization` value.
fn reference(request: &http::Request<()>, credentials: &Credentials, region: &str) -> String {
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.excluded_headers = None;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(at())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let authority = request.uri().authority().unwrap().as_str();
    let host = authority.strip_suffix(":443").unwrap_or(authority);
    let mut headers: Vec<(&str, &str)> = vec![("host", host)];
    headers.extend(
        request
            .headers()
            .iter()
            .filter(|(n, _)| {
                !EXCLUDED.contains(&n.as_str()) && !n.as_str().starts_with("x-forwarded-")
            })
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap())),
    );
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri.as_str(),
        headers.into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .unwrap()
        .into_parts();
    instructions
        .headers()
        .find(|(n, _)| *n == "authorization")
        .map(|(_, v)| v.to_owned())
        .unwrap()
}

#[test]
fn signer_equals_aws_sigv4_on_100k_requests() {
    let signer = Signer::builder()
        .credentials(credentials(false))
        .time_source(StaticTimeSource::new(at()))
        .custom_domain("api.example.internal", Some("eu-central-1"))
        .capture_canonical(true)
        .build()
        .unwrap();
    let config = ProptestConfig {
        cases: 100_000,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x5167_4e41_7475_7265),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let signed = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&case(), |case| {
        let Some(original) = build(&case) else {
            return Ok(());
        };
        let creds = credentials(case.token);
        let region = if case.custom_domain.is_some() {
            "eu-central-1"
        } else {
            "us-west-2"
        };
        let expected = reference(&original, &creds, region);
        let mut ours = build(&case).unwrap();
        let report = signer.sign_with(&mut ours, &creds).unwrap();
        prop_assert_eq!(
            ours.headers()["authorization"].to_str().unwrap(),
            expected.as_str(),
            "{:?}",
            case
        );
        // The captured texts are the bytes that were hashed and signed.
        let creq = report.canonical_request.as_deref().unwrap();
        let sts = report.string_to_sign.as_deref().unwrap();
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(creq.as_bytes()));
        prop_assert_eq!(sts.lines().last(), Some(hash.as_str()));
        let key = aws_sigv4::sign::v4::generate_signing_key(
            creds.secret_access_key(),
            at(),
            region,
            SIGNING_NAME,
        );
        let signature = aws_sigv4::sign::v4::calculate_signature(key, sts.as_bytes());
        let tail = format!("Signature={signature}");
        prop_assert!(expected.ends_with(&tail));
        prop_assert_eq!(
            ours.headers().get("x-amz-security-token").is_some(),
            case.token
        );
        prop_assert_eq!(
            ours.headers()["x-amz-content-sha256"].clone(),
            HeaderValue::from_static("UNSIGNED-PAYLOAD")
        );
        signed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let signed = signed.into_inner();
    assert!(signed >= 90_000, "only {signed} requests were signed");
}
