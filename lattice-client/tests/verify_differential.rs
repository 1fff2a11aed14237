//! Differential test against `aws-sigv4`: for generated requests, our
//! canonical request + `aws-sigv4`'s key derivation and HMAC give exactly the
//! signature `aws_sigv4::http_request::sign` gives, and the Lattice verifier
//! accepts the signed request. A seeded generator keeps runs reproducible.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "verify_common/mod.rs"]
mod common;

use std::time::Duration;

use common::{AKID, PRINCIPAL, Rng, SECRET, SignSpec, TOKEN, sign_request, signed_headers_of, t0};
use http::{HeaderValue, Method, Request};
use lattice_client::sign::canonical::{
    Algorithm, CanonicalRequest, CredentialScope, EncodingMode, StringToSign, UNSIGNED_PAYLOAD,
};
use lattice_client::sign::verify::{
    FixedClock, KeyCredentials, Profile, StaticCredentials, Verifier, format_amz_date,
};

const AUTHORITY: &str = "svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

const SEGMENTS: &[&str] = &[
    "a",
    "users",
    "%20",
    "with%20space",
    "a%2Fb",
    "%25",
    "%2e%2e",
    ".",
    "..",
    "",
    "caf%C3%A9",
    "%e2%82%ac",
    "~t",
    "x:y",
    "@",
    "!$&'()*+,;=",
    "-._~",
    "A%2b",
    "%7E",
    "é",
    "€uro",
    "a+b",
    "%00x",
];
const QUERY_KEYS: &[&str] = &[
    "a",
    "b",
    "A",
    "",
    "k%20y",
    "x+y",
    "%E2%82%AC",
    "dup",
    "dup",
    "Param",
    "é",
    "%zz",
];
const QUERY_VALUES: &[&str] = &[
    "", "1", "v%20w", "a+b", "%zz", "=", "~", "%2F", "é", "%2B", "x/y", "?q",
];
const HEADER_NAMES: &[&str] = &[
    "x-custom",
    "x-multi",
    "x-multi",
    "content-type",
    "accept",
    "x-empty",
    "user-agent",
    "x-amzn-trace-id",
];
const HEADER_VALUES: &[&str] = &[
    "v",
    "  lead",
    "trail  ",
    "a   b    c",
    "",
    "tab\tinside",
    "MiXeD",
    "\"quoted  value\"",
    "x,y",
    " ",
];
const METHODS: &[Method] = &[
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::HEAD,
    Method::OPTIONS,
];

fn random_request(rng: &mut Rng) -> Request<()> {
    let mut path = String::new();
    if rng.chance(10) {
        path.push('/');
    }
    for _ in 0..rng.below(6) {
        path.push('/');
        path.push_str(rng.pick(SEGMENTS));
    }
    if path.is_empty() || rng.chance(20) {
        path.push('/');
    }
    let mut query = String::new();
    let pairs = rng.below(5);
    for i in 0..pairs {
        if i > 0 {
            query.push('&');
            if rng.chance(5) {
                query.push('&');
            }
        }
        query.push_str(rng.pick(QUERY_KEYS));
        if !rng.chance(15) {
            query.push('=');
            query.push_str(rng.pick(QUERY_VALUES));
        }
    }
    let uri = if pairs > 0 || rng.chance(5) {
        format!("https://{AUTHORITY}{path}?{query}")
    } else {
        format!("https://{AUTHORITY}{path}")
    };
    let mut req = Request::builder()
        .method(rng.pick(METHODS))
        .uri(uri)
        .body(())
        .unwrap();
    for _ in 0..rng.below(5) {
        let value = HeaderValue::from_str(rng.pick(HEADER_VALUES)).unwrap();
        req.headers_mut().append(rng.pick(HEADER_NAMES), value);
    }
    if rng.chance(50) {
        let host = if rng.chance(20) {
            AUTHORITY.to_ascii_uppercase()
        } else {
            AUTHORITY.to_owned()
        };
        req.headers_mut()
            .insert("host", HeaderValue::from_str(&host).unwrap());
    }
    req
}

fn verifier(token: Option<&str>, now: std::time::SystemTime) -> Verifier<StaticCredentials> {
    let mut creds = KeyCredentials::new(SECRET, PRINCIPAL.to_owned());
    if let Some(token) = token {
        creds = creds.with_session_token(token);
    }
    Verifier::builder(
        StaticCredentials::new().with(AKID, creds),
        Profile::lattice("us-west-2"),
    )
    .clock(FixedClock(now))
    .build()
    .unwrap()
}

/// Our canonical request for a request signed by `aws-sigv4`.
fn our_canonical(req: &Request<()>) -> CanonicalRequest {
    let authority = req
        .headers()
        .get("host")
        .map(|h| h.to_str().unwrap().to_owned())
        .unwrap_or_else(|| AUTHORITY.to_owned());
    let names = signed_headers_of(req);
    CanonicalRequest::new(
        req.method(),
        req.uri(),
        req.headers(),
        &names,
        UNSIGNED_PAYLOAD,
        &authority,
        EncodingMode::Double,
    )
    .unwrap()
}

#[test]
fn sigv4_matches_aws_sigv4_on_10k_generated_requests() {
    let mut rng = Rng::new(0x5EED_1A77_1CE5);
    let cases = 10_000;
    let (mut with_token, mut with_query, mut with_host) = (0, 0, 0);
    for i in 0..cases {
        let mut req = random_request(&mut rng);
        let token = rng.chance(50).then_some(TOKEN);
        let time = t0() + Duration::from_secs(rng.below(86_400 * 30) as u64);
        with_token += usize::from(token.is_some());
        with_query += usize::from(req.uri().query().is_some());
        with_host += usize::from(req.headers().contains_key("host"));
        let original = format!("{} {} {:?}", req.method(), req.uri(), req.headers());
        let theirs = sign_request(
            &mut req,
            &SignSpec {
                time,
                token,
                ..SignSpec::default()
            },
        );

        let creq = our_canonical(&req);
        let amz_date = format_amz_date(time);
        let scope = CredentialScope::v4(&amz_date[..8], "us-west-2", "vpc-lattice-svcs");
        let sts = StringToSign::new(Algorithm::V4, &amz_date, scope, &creq);
        let key = aws_sigv4::sign::v4::generate_signing_key(
            SECRET,
            time,
            "us-west-2",
            "vpc-lattice-svcs",
        );
        let ours = aws_sigv4::sign::v4::calculate_signature(key, sts.to_string().as_bytes());
        assert_eq!(
            ours, theirs,
            "case {i}: {original}\nour canonical request:\n{creq}"
        );

        let verified = verifier(
            token,
            time + Duration::from_secs(rng.below(600) as u64) - Duration::from_secs(300),
        )
        .verify(&req)
        .unwrap_or_else(|e| panic!("case {i}: {original}: {e}\n{creq}"));
        assert_eq!(verified.encoding, EncodingMode::Double);
        assert_eq!(verified.algorithm, Algorithm::V4);
        assert_eq!(verified.session_token, token.is_some());
    }
    println!(
        "{cases} cases: {with_token} with token, {with_query} with query, {with_host} with host header"
    );
    assert!(with_token > cases / 3 && with_query > cases / 3 && with_host > cases / 3);
}

#[test]
fn sigv4a_requests_signed_by_aws_sigv4_verify() {
    let mut rng = Rng::new(0xA11CE);
    for i in 0..150 {
        let mut req = random_request(&mut rng);
        let token = rng.chance(50).then_some(TOKEN);
        let set = rng.pick(&["*", "us-west-2", "us-*", "us-east-1,us-west-2"]);
        let time = t0() + Duration::from_secs(rng.below(86_400) as u64);
        let original = format!("{} {} {:?}", req.method(), req.uri(), req.headers());
        sign_request(
            &mut req,
            &SignSpec {
                time,
                token,
                region_set: Some(set),
                ..SignSpec::default()
            },
        );
        let verified = verifier(token, time)
            .verify(&req)
            .unwrap_or_else(|e| panic!("case {i}: {original}: {e}"));
        assert_eq!(verified.algorithm, Algorithm::V4a);
        assert_eq!(verified.region_set.as_deref(), Some(set));
    }
}
