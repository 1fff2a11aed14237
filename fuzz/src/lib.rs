//! The fuzzed functions, one per target. The `cargo fuzz` binaries in
//! `fuzz_targets/` call them, and `tests/tests/fuzz_corpora.rs` replays the
//! committed corpora through them on the stable compiler (it includes this
//! file by path). Each one must never panic on any input; the assertions
//! inside are properties of what does parse.

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri, Version};
use lattice_client::arn::{
    Arn, ListenerArn, PrincipalArn, RuleArn, ServiceArn, ServiceId, ServiceNetworkArn,
    ServiceNetworkId, TargetGroupArn, VpcArn,
};
use lattice_client::identity::{CallerIdentity, LATTICE_IDENTITY_HEADERS};
use lattice_client::lambda::{LatticeEvent, LatticeResponse};
use lattice_client::name::{
    DomainPattern, LatticeName, validate_custom_domain, validate_service_name,
};
use lattice_client::policy::{AuthPolicy, IdentityPolicy};
use lattice_client::sign::canonical::{CanonicalRequest, EncodingMode};
use lattice_client::sign::verify::{
    KeyCredentials, Profile, RequestView, StaticCredentials, Verifier,
};
use lattice_fake::FakeLatticeBuilder;

/// The caller identity header parser: each line is one header, its first
/// byte picks which of the identity headers (so a header can repeat), the
/// rest is the value. What parses writes back to headers that parse to the
/// same identity.
pub fn identity_headers(data: &[u8]) {
    let names = LATTICE_IDENTITY_HEADERS;
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let Some((&pick, value)) = line.split_first() else {
            continue;
        };
        let Some(name) = names.get(usize::from(pick) % names.len()) else {
            continue;
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name.clone(), value);
        }
    }
    let Ok(Some(identity)) = CallerIdentity::from_headers(&headers) else {
        return;
    };
    let _ = (
        identity.principal_arn(),
        identity.principal_account(),
        identity.source_vpc_arn(),
        identity.source_vpc(),
        identity.service_arn(),
        identity.service_network_arn(),
        identity.target_group_arn(),
        identity.is_anonymous(),
    );
    if let Ok(written) = identity.to_headers() {
        let back = CallerIdentity::from_headers(&written)
            .expect("headers written by to_headers parse")
            .unwrap_or_default();
        assert_eq!(back, identity, "to_headers round trip");
    }
}

/// The Lambda event and response parsers: whatever parses serialises to
/// JSON that parses again.
pub fn lambda_event(data: &[u8]) {
    if let Ok(event) = LatticeEvent::from_slice(data) {
        let version = event.version();
        let json = event.to_vec().expect("a parsed event serialises");
        let again = LatticeEvent::from_slice(&json).expect("a serialised event parses again");
        assert_eq!(
            again.version(),
            version,
            "the version survives a round trip"
        );
        if let Ok(request) = event.into_http_request() {
            assert!(
                !request.uri().path().contains('?'),
                "the path holds no query"
            );
        }
    }
    if let Ok(response) = LatticeResponse::from_slice(data) {
        let json = response.to_vec().expect("a parsed response serialises");
        LatticeResponse::from_slice(&json).expect("a serialised response parses again");
        let _ = response.into_http_response();
    }
}

/// The auth-policy and identity-policy JSON parsers.
pub fn auth_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(policy) = AuthPolicy::from_json(text) {
        let _ = format!("{policy:?}");
    }
    let _ = IdentityPolicy::from_json(text);
}

/// The fake's YAML and JSON configuration parsers.
pub fn fake_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = [
        FakeLatticeBuilder::from_yaml_str(text),
        FakeLatticeBuilder::from_json_str(text),
    ];
    for builder in parsed.into_iter().flatten() {
        // The model checks run without starting a server.
        let _ = builder.build();
    }
}

/// Lattice names, domains and ARNs: every parser on every line.
pub fn names_arns(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for s in text.lines() {
        if let Ok(name) = LatticeName::parse(s) {
            let _ = format!("{name:?}");
        }
        let _ = DomainPattern::parse(s);
        let _ = validate_custom_domain(s);
        let _ = validate_service_name(s);
        if let Ok(arn) = Arn::parse(s) {
            assert_eq!(arn.as_str(), s, "an ARN keeps its text");
            let _ = (
                arn.partition(),
                arn.service(),
                arn.region(),
                arn.account(),
                arn.resource(),
            );
        }
        let _ = ServiceArn::parse(s);
        let _ = ServiceNetworkArn::parse(s);
        let _ = TargetGroupArn::parse(s);
        let _ = ListenerArn::parse(s);
        let _ = RuleArn::parse(s);
        let _ = VpcArn::parse(s);
        let _ = ServiceId::parse(s);
        let _ = ServiceNetworkId::parse(s);
        if let Ok(p) = PrincipalArn::parse(s) {
            let _ = (p.kind(), p.service(), p.name(), p.path(), p.session());
        }
    }
}

/// The verifier on a request built from the input: the first line is the
/// `authorization` value, the second the request target (path and query),
/// the third `x-amz-date`; every further line is a `name:value` header.
/// The canonicaliser also runs on the same request, signing every header
/// the input named.
pub fn verifier(data: &[u8]) {
    let mut lines = data.split(|b| *b == b'\n');
    let authorization = lines.next().unwrap_or_default();
    let target = lines.next().unwrap_or_default();
    let date = lines.next().unwrap_or_default();
    let uri = std::str::from_utf8(target)
        .ok()
        .and_then(|t| {
            format!("https://svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws{t}")
                .parse::<Uri>()
                .ok()
        })
        .unwrap_or_else(|| Uri::from_static("https://example.com/"));
    let mut headers = HeaderMap::new();
    let mut names = vec!["host".to_owned()];
    if let Ok(v) = HeaderValue::from_bytes(authorization) {
        headers.insert(http::header::AUTHORIZATION, v);
    }
    if let Ok(v) = HeaderValue::from_bytes(date) {
        headers.insert("x-amz-date", v);
    }
    for line in lines {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            names.push(n.as_str().to_owned());
            headers.append(n, v);
        }
    }
    let verifier = Verifier::builder(
        StaticCredentials::new().with(
            "AKIDEXAMPLE",
            KeyCredentials::new(
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "fuzz".to_owned(),
            ),
        ),
        Profile::lattice("us-west-2"),
    )
    .build()
    .expect("a valid verifier configuration");
    let view = RequestView::new(&Method::GET, &uri, Version::HTTP_11, &headers);
    let _ = verifier.verify(view);
    for mode in [EncodingMode::Double, EncodingMode::Single] {
        if let Ok(canonical) = CanonicalRequest::new(
            &Method::GET,
            &uri,
            &headers,
            &names,
            "UNSIGNED-PAYLOAD",
            "example.com",
            mode,
        ) {
            let _ = (
                canonical.hash(),
                canonical.signed_headers(),
                canonical.canonical_uri(),
            );
        }
    }
}
