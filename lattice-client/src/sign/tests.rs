use super::*;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_async::time::StaticTimeSource;
use aws_smithy_runtime_api::client::identity::Identity;
use http::header::{HOST, HeaderValue};
use http::uri::Uri;

use crate::Error;
use crate::name::{DomainPattern, LatticeName};
use proptest::prelude::*;

const GEN: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

fn at() -> SystemTime {
    // 2024-01-02T03:04:05Z
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
}

fn creds(token: bool) -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token.then(|| "EXAMPLE-SESSION-TOKEN".to_owned()),
        None,
        "test",
    )
}

fn signer() -> SignerBuilder {
    Signer::builder()
        .credentials(creds(false))
        .time_source(StaticTimeSource::new(at()))
}

fn request(uri: &str) -> http::Request<()> {
    http::Request::post(uri)
        .header("content-type", "application/json")
        .header("x-custom", "  a   b  ")
        .header("x-custom", "c")
        .header("user-agent", "test/1.0")
        .header("x-forwarded-for", "10.0.0.1")
        .header("connection", "keep-alive")
        .body(())
        .expect("valid request")
}

/// Signs the same request with aws-sigv4 directly, as the issue prescribes.
fn reference_authorization(
    req: &http::Request<()>,
    host: &str,
    creds: &Credentials,
    region: &str,
) -> String {
    let identity: Identity = creds.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let mut excluded = settings.excluded_headers.take().unwrap_or_default();
    for h in ["connection", "x-forwarded-for"] {
        excluded.push(Cow::Borrowed(h));
    }
    settings.excluded_headers = Some(excluded);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SIGNING_NAME)
        .time(at())
        .settings(settings)
        .build()
        .expect("params")
        .into();
    let mut headers: Vec<(&str, &str)> = vec![("host", host)];
    headers.extend(
        req.headers()
            .iter()
            .filter(|(n, _)| !SIGNING_HEADERS.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.to_str().expect("ascii"))),
    );
    let uri = req.uri().to_string();
    let signable = SignableRequest::new(
        req.method().as_str(),
        uri.as_str(),
        headers.into_iter(),
        SignableBody::UnsignedPayload,
    )
    .expect("signable");
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .expect("signed")
        .into_parts();
    instructions
        .headers()
        .find(|(n, _)| *n == "authorization")
        .map(|(_, v)| v.to_owned())
        .expect("authorization")
}

#[test]
fn equals_aws_sigv4_direct() {
    for token in [false, true] {
        let s = signer().credentials(creds(token)).build().expect("signer");
        let mut req = request(&format!("https://{GEN}/orders/42?b=2&a=1"));
        let report = s.sign_with(&mut req, &creds(token)).expect("signed");
        let expected = reference_authorization(&req, GEN, &creds(token), "us-west-2");
        assert_eq!(
            req.headers()["authorization"],
            expected.as_str(),
            "token={token}"
        );
        assert_eq!(req.headers()["x-amz-content-sha256"], UNSIGNED_PAYLOAD);
        assert_eq!(req.headers()["x-amz-date"], "20240102T030405Z");
        assert_eq!(
            report.scope,
            "20240102/us-west-2/vpc-lattice-svcs/aws4_request"
        );
        assert_eq!(req.headers().contains_key("x-amz-security-token"), token);
        assert!(!report.signed_headers.contains("user-agent"));
        assert!(!report.signed_headers.contains("x-forwarded-for"));
        assert!(!report.signed_headers.contains("connection"));
        assert!(report.signed_headers.contains("x-custom"));
        assert!(
            report
                .signed_headers
                .starts_with("content-type;host;x-amz-content-sha256;x-amz-date")
        );
        assert!(req.headers()["authorization"].is_sensitive());
        if token {
            assert!(req.headers()["x-amz-security-token"].is_sensitive());
        }
        assert!(
            !req.headers().contains_key("host"),
            "the signer never adds a Host header"
        );
    }
}

#[test]
fn authority_is_normalised_and_signed() {
    let s = signer().build().expect("signer");
    let upper = GEN.to_ascii_uppercase();
    let mut req = request(&format!("https://{upper}.:443/x"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert_eq!(req.uri().to_string(), format!("https://{GEN}/x"));
    assert_eq!(report.host, GEN);

    let mut req = request(&format!("http://{GEN}:8080/x"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert_eq!(report.host, format!("{GEN}:8080"));
    assert_eq!(
        req.uri().authority().map(|a| a.as_str()),
        Some(format!("{GEN}:8080").as_str())
    );

    let mut req = request(&format!("http://{GEN}:80/x"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert_eq!(report.host, GEN);
}

#[test]
fn host_header_must_agree() {
    let s = signer().build().expect("signer");
    let mut req = request(&format!("https://{GEN}/"));
    req.headers_mut()
        .insert(HOST, HeaderValue::from_static("evil.example.com"));
    let err = s.sign_with(&mut req, &creds(false)).expect_err("mismatch");
    assert!(matches!(err, Error::HostHeaderMismatch { .. }), "{err}");

    let mut req = request(&format!("https://{GEN}/"));
    req.headers_mut().insert(
        HOST,
        HeaderValue::from_str(&format!("{}:443", GEN.to_uppercase())).expect("valid"),
    );
    s.sign_with(&mut req, &creds(false))
        .expect("agreeing host header");
    assert!(!req.headers().contains_key(HOST));
}

#[test]
fn only_named_hosts() {
    let s = signer().region("us-east-1").build().expect("signer");
    for uri in [
        "https://example.com/",
        "https://vpc-lattice-svcs.us-west-2.on.aws/",
        "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws.evil.com/",
        "https://127.0.0.1/",
    ] {
        let mut req = request(uri);
        let err = s.sign_with(&mut req, &creds(false)).expect_err(uri);
        assert!(matches!(err, Error::HostNotAllowed { .. }), "{uri}: {err}");
        assert!(!req.headers().contains_key("authorization"));
    }
    let any = signer()
        .region("us-east-1")
        .sign_any_host(true)
        .build()
        .expect("signer");
    let mut req = request("https://127.0.0.1:8443/");
    any.sign_with(&mut req, &creds(false)).expect("any host");
    assert!(!any.may_sign(&"/relative".parse().expect("uri")));
    assert!(s.may_sign(&format!("https://{GEN}/").parse().expect("uri")));
    assert!(!s.may_sign(&"https://example.com/".parse().expect("uri")));
}

#[test]
fn bad_uris_and_headers() {
    let s = signer()
        .sign_any_host(true)
        .region("us-east-1")
        .build()
        .expect("signer");
    for uri in [
        "/path-only",
        "ftp://example.com/",
        "https://user@example.com/",
    ] {
        let mut req = request(uri);
        let err = s.sign_with(&mut req, &creds(false)).expect_err(uri);
        assert!(matches!(err, Error::InvalidUri { .. }), "{uri}: {err}");
    }
    let mut req = request("https://example.com/");
    req.headers_mut().insert(
        "x-binary",
        HeaderValue::from_bytes(b"caf\xc3\xa9").expect("valid bytes"),
    );
    let err = s.sign_with(&mut req, &creds(false)).expect_err("non-ascii");
    assert!(err.to_string().contains("x-binary"), "{err}");
    // Excluded headers may hold anything.
    let mut req = request("https://example.com/");
    req.headers_mut().insert(
        "user-agent",
        HeaderValue::from_bytes(b"caf\xc3\xa9").expect("valid bytes"),
    );
    s.sign_with(&mut req, &creds(false))
        .expect("user-agent is not signed");
}

#[test]
fn resigning_replaces_stale_headers() {
    let s = signer().build().expect("signer");
    let mut req = request(&format!("https://{GEN}/"));
    req.headers_mut()
        .insert("x-amz-security-token", HeaderValue::from_static("stale"));
    req.headers_mut()
        .insert("x-amz-date", HeaderValue::from_static("19990101T000000Z"));
    req.headers_mut()
        .insert("authorization", HeaderValue::from_static("stale"));
    req.headers_mut()
        .insert("x-amz-region-set", HeaderValue::from_static("*"));
    s.sign_with(&mut req, &creds(false)).expect("signed");
    let first = req.headers()["authorization"].clone();
    assert!(!req.headers().contains_key("x-amz-security-token"));
    assert!(!req.headers().contains_key("x-amz-region-set"));
    assert_eq!(req.headers()["x-amz-date"], "20240102T030405Z");
    s.sign_with(&mut req, &creds(false)).expect("signed again");
    assert_eq!(req.headers()["authorization"], first);
    assert_eq!(req.headers().get_all("authorization").iter().count(), 1);
}

#[test]
fn region_precedence() {
    let s = signer()
        .region("eu-west-1")
        .custom_domain("*.example.internal", Some("ap-south-1"))
        .custom_domain("plain.example.com", None)
        .custom_domain("noregion.example.com", None)
        .build()
        .expect("signer");
    let scope = |uri: &str, ext: Option<&'static str>| {
        let mut req = request(uri);
        if let Some(r) = ext {
            req.extensions_mut().insert(SigningRegion::new(r));
        }
        s.sign_with(&mut req, &creds(false)).map(|r| r.scope)
    };
    let gen_uri = format!("https://{GEN}/");
    assert!(
        scope(&gen_uri, Some("ca-central-1"))
            .expect("ok")
            .contains("/ca-central-1/")
    );
    assert!(scope(&gen_uri, None).expect("ok").contains("/us-west-2/"));
    assert!(
        scope("https://a.example.internal/", None)
            .expect("ok")
            .contains("/ap-south-1/")
    );
    assert!(
        scope("https://plain.example.com/", None)
            .expect("ok")
            .contains("/eu-west-1/")
    );
    let no_default = signer()
        .custom_domain("noregion.example.com", None)
        .build()
        .expect("signer");
    let mut req = request("https://noregion.example.com/");
    let err = no_default
        .sign_with(&mut req, &creds(false))
        .expect_err("no region");
    assert!(matches!(err, Error::NoRegion { .. }));
    assert!(err.to_string().contains("region"));
}

#[test]
fn domain_region_set_selects_sigv4a() {
    let s = signer()
        .region("eu-west-1")
        .custom_domain_region_set("global.example.internal", ["us-east-1", "us-west-2"])
        .build()
        .expect("signer");
    let mut req = request("https://global.example.internal/");
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert_eq!(report.algorithm, Algorithm::V4a);
    assert_eq!(req.headers()["x-amz-region-set"], "us-east-1,us-west-2");
    // A per-request region still wins for SigV4.
    let mut req = request("https://global.example.internal/");
    req.extensions_mut()
        .insert(SigningRegion::new("eu-central-1"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert_eq!(report.algorithm, Algorithm::V4);
    assert!(report.scope.contains("/eu-central-1/"));
    assert!(
        signer()
            .custom_domain_region_set("bad.example.internal", Vec::<String>::new())
            .build()
            .is_err()
    );
}

#[test]
fn default_region_never_beats_the_name() {
    let s = signer().region("eu-west-3").build().expect("signer");
    let mut req = request(&format!("https://{GEN}/"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert!(report.scope.contains("/us-west-2/"), "{}", report.scope);
}

#[test]
fn sigv4a_headers() {
    let s = signer().sigv4a("*").build().expect("signer");
    let mut req = request(&format!("https://{GEN}/"));
    let report = s.sign_with(&mut req, &creds(true)).expect("signed");
    assert_eq!(report.algorithm, Algorithm::V4a);
    assert_eq!(report.scope, "20240102/vpc-lattice-svcs/aws4_request");
    assert_eq!(req.headers()["x-amz-region-set"], "*");
    assert!(report.signed_headers.contains("x-amz-region-set"));
    assert!(
        req.headers()["authorization"]
            .to_str()
            .expect("ascii")
            .starts_with("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20240102/vpc-lattice-svcs/aws4_request")
    );
}

#[test]
fn builder_checks() {
    assert!(Signer::builder().build().is_err());
    assert!(signer().region("US_WEST").build().is_err());
    assert!(signer().sigv4a("").build().is_err());
    assert!(signer().sigv4a("us-east-1,us-west-2").build().is_ok());
    assert!(signer().sigv4a("us-*").build().is_ok());
    assert!(signer().custom_domain("bad domain", None).build().is_err());
    assert!(signer().exclude_header("bad header").build().is_err());
    let s = signer()
        .exclude_header("X-Proxy-Rewritten")
        .build()
        .expect("signer");
    let mut req = request(&format!("https://{GEN}/"));
    req.headers_mut()
        .insert("x-proxy-rewritten", HeaderValue::from_static("v"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    assert!(!report.signed_headers.contains("x-proxy-rewritten"));
}

#[test]
fn debug_has_no_secrets() {
    let s = signer().credentials(creds(true)).build().expect("signer");
    let mut req = request(&format!("https://{GEN}/"));
    s.sign_with(&mut req, &creds(true)).expect("signed");
    let text = format!("{s:?} {:?} {:?}", req.headers(), signer());
    assert!(!text.contains("EXAMPLEKEY"), "{text}");
    assert!(!text.contains("EXAMPLE-SESSION-TOKEN"), "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_hosts_never_panic(host in "[A-Za-z0-9.:\\[\\]@_-]{0,80}", path in "[ -~]{0,40}") {
        let s = signer().sign_any_host(true).region("us-east-1").build().expect("signer");
        if let Ok(uri) = format!("https://{host}/{path}").parse::<Uri>() {
            let mut req = http::Request::get(uri).body(()).expect("valid");
            let _ = s.sign_with(&mut req, &creds(true));
        }
        let _ = LatticeName::region_of(&host);
        let _ = DomainPattern::parse(&host);
    }

    #[test]
    fn random_header_bytes_never_panic(value in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = signer().build().expect("signer");
        let mut req = request(&format!("https://{GEN}/"));
        if let Ok(v) = HeaderValue::from_bytes(&value) {
            req.headers_mut().insert("x-random", v.clone());
            let result = s.sign_with(&mut req, &creds(false));
            prop_assert_eq!(result.is_ok(), v.to_str().is_ok());
        }
    }

    #[test]
    fn normalised_authority_is_idempotent(host in "[a-z0-9]{1,10}(\\.[a-zA-Z0-9]{1,10}){0,3}\\.?", port in proptest::option::of(1u16..)) {
        let authority = match port { Some(p) => format!("{host}:{p}"), None => host.clone() };
        if let Ok(uri) = format!("https://{authority}/").parse::<Uri>()
            && let Ok((new_uri, a)) = host::normalize_authority(&uri)
        {
            {
                let again = new_uri.unwrap_or(uri);
                let (second, b) = host::normalize_authority(&again).expect("normalised URI stays valid");
                prop_assert!(second.is_none());
                prop_assert_eq!(a, b);
            }
        }
    }
}

/// Collects everything a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn trace_logs_print_only_host_date_and_payload_hash_values() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let s = signer().credentials(creds(true)).build().expect("signer");
        let mut req = request(&format!("https://{GEN}/orders?q=1"));
        req.headers_mut().insert(
            "x-tenant-secret",
            HeaderValue::from_static("TENANT-SECRET-VALUE"),
        );
        s.sign_with(&mut req, &creds(true)).expect("signed");
        // The verifier's trace on a mismatch goes through the same redaction.
        let verifier = verify::Verifier::builder(
            verify::StaticCredentials::new().with(
                "AKIDEXAMPLE",
                verify::KeyCredentials::new("wrong-secret", "p".to_owned())
                    .with_session_token("EXAMPLE-SESSION-TOKEN"),
            ),
            verify::Profile::lattice("us-west-2"),
        )
        .clock(verify::FixedClock(at()))
        .build()
        .expect("verifier");
        assert!(verifier.verify(&req).is_err());
    });
    let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(text.contains("signature does not match"), "{text}");
    assert!(text.contains(&format!("host:{GEN}")), "{text}");
    assert!(text.contains("x-amz-date:20240102T030405Z"), "{text}");
    assert!(
        text.contains("x-amz-content-sha256:UNSIGNED-PAYLOAD"),
        "{text}"
    );
    for secret in [
        "TENANT-SECRET-VALUE",
        "EXAMPLE-SESSION-TOKEN",
        "application/json",
        "Signature=",
        "EXAMPLEKEY",
    ] {
        assert!(!text.contains(secret), "{secret} in logs: {text}");
    }
}

#[test]
fn captured_canonical_request_is_aws_sigv4s() {
    // aws-sigv4 logs its canonical request at trace level (redacting only the
    // session token, absent here): capture it and compare with ours.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .without_time()
        .finish();
    let s = signer().capture_canonical(true).build().expect("signer");
    let mut req = request(&format!("https://{GEN}/a/../b%20c//d?z=1&a=%7e&a=&b=x+y"));
    let report = s.sign_with(&mut req, &creds(false)).expect("signed");
    tracing::subscriber::with_default(subscriber, || {
        reference_authorization(&req, GEN, &creds(false), "us-west-2");
    });
    let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    let ours = report.canonical_request.clone().expect("captured");
    let theirs = text
        .split("canonical_request=")
        .nth(1)
        .and_then(|t| t.split(" string_to_sign=").next())
        .expect("aws-sigv4 logged its canonical request");
    // The log line ends the field with a newline of its own.
    assert_eq!(theirs.strip_suffix('\n').unwrap_or(theirs), ours);
    assert!(format!("{report:?}").contains("redacted"));
}
