//! A request signed by `aws-sigv4` for Lattice verifies unchanged; each
//! tampering is rejected with the right Lattice error line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "verify_common/mod.rs"]
mod common;

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{PayloadChecksumKind, PercentEncodingMode, SignableBody};
use common::{AKID, PRINCIPAL, SECRET, SignSpec, TOKEN, sign_request, t0};
use http::{HeaderValue, Method, Request, Uri, Version};
use lattice_client::sign::canonical::{Algorithm, EncodingMode};
use lattice_client::sign::verify::{
    FixedClock, KeyCredentials, Profile, StaticCredentials, TokenProblem, Verifier, VerifyError,
};

const HOST: &str = "svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
const MISMATCH: &str = "InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const BAD_TOKEN: &str =
    "UnrecognizedClientException: The security token included in the request is invalid.";

fn base_request() -> Request<()> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("https://{HOST}/orders/42?expand=items&b=2"))
        .header("host", HOST)
        .header("x-custom", "hello   world")
        .header("content-type", "application/json")
        .body(())
        .unwrap()
}

fn signed(token: Option<&str>) -> Request<()> {
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            token,
            ..SignSpec::default()
        },
    );
    req
}

fn verifier_at(now: SystemTime, token: Option<&str>) -> Verifier<StaticCredentials> {
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

fn verifier(token: Option<&str>) -> Verifier<StaticCredentials> {
    verifier_at(t0(), token)
}

fn rejected(v: &Verifier<StaticCredentials>, req: &Request<()>) -> VerifyError {
    match v.verify(req) {
        Ok(ok) => panic!("tampered request accepted: {ok:?}"),
        Err(e) => e,
    }
}

fn set_header(req: &mut Request<()>, name: &'static str, value: &str) {
    req.headers_mut()
        .insert(name, HeaderValue::from_str(value).unwrap());
}

fn replace_in_authorization(req: &mut Request<()>, from: &str, to: &str) {
    let auth = req.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace(from, to);
    set_header(req, "authorization", &auth);
}

#[test]
fn unchanged_request_verifies() {
    let req = signed(Some(TOKEN));
    let ok = verifier(Some(TOKEN)).verify(&req).unwrap();
    assert_eq!(ok.principal, PRINCIPAL);
    assert_eq!(ok.access_key_id, AKID);
    assert_eq!(ok.algorithm, Algorithm::V4);
    assert_eq!(ok.encoding, EncodingMode::Double);
    assert!(ok.session_token);
    assert_eq!(
        ok.signed_headers,
        [
            "content-type",
            "host",
            "x-amz-content-sha256",
            "x-amz-date",
            "x-amz-security-token",
            "x-custom"
        ]
    );
    assert_eq!(
        ok.scope.to_string(),
        "20150830/us-west-2/vpc-lattice-svcs/aws4_request"
    );
}

#[test]
fn tampered_method_path_query_header_rejected() {
    let v = verifier(None);
    let original = signed(None);

    let mut req = original.clone();
    *req.method_mut() = Method::PUT;
    assert_eq!(rejected(&v, &req).to_string(), MISMATCH);

    let mut req = original.clone();
    *req.uri_mut() = format!("https://{HOST}/orders/43?expand=items&b=2")
        .parse()
        .unwrap();
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);

    let mut req = original.clone();
    *req.uri_mut() = format!("https://{HOST}/orders/42?expand=all&b=2")
        .parse()
        .unwrap();
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);

    let mut req = original.clone();
    set_header(&mut req, "x-custom", "hello world!");
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);

    // Whitespace changes that canonicalise the same still verify.
    let mut req = original.clone();
    set_header(&mut req, "x-custom", "  hello world ");
    v.verify(&req).unwrap();

    let mut req = original.clone();
    req.headers_mut().remove("x-custom");
    assert_eq!(
        rejected(&v, &req).to_string(),
        "IncompleteSignatureException: 'x-custom' is named as a SignedHeader, but it does not exist in the HTTP request."
    );

    // An extra unsigned header is fine; a second value of a signed one is not.
    let mut req = original.clone();
    set_header(&mut req, "x-unsigned", "anything");
    v.verify(&req).unwrap();
    let mut req = original.clone();
    req.headers_mut()
        .append("x-custom", HeaderValue::from_static("again"));
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);
}

#[test]
fn date_outside_window_rejected_with_aws_lines() {
    let req = signed(None);
    let late = rejected(&verifier_at(t0() + Duration::from_secs(600), None), &req);
    assert_eq!(
        late.to_string(),
        "InvalidSignatureException: Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T124600Z - 5 min.)"
    );
    let early = rejected(&verifier_at(t0() - Duration::from_secs(600), None), &req);
    assert_eq!(
        early.to_string(),
        "InvalidSignatureException: Signature not yet current: 20150830T123600Z is still later than 20150830T123100Z (20150830T122600Z + 5 min.)"
    );
    // The edges of the window are accepted.
    verifier_at(t0() + Duration::from_secs(300), None)
        .verify(&req)
        .unwrap();
    verifier_at(t0() - Duration::from_secs(300), None)
        .verify(&req)
        .unwrap();
    // A configurable window.
    let wide = Verifier::builder(
        StaticCredentials::new().with(AKID, KeyCredentials::new(SECRET, PRINCIPAL.to_owned())),
        Profile::lattice("us-west-2"),
    )
    .clock(FixedClock(t0() + Duration::from_secs(600)))
    .window(Duration::from_secs(900))
    .build()
    .unwrap();
    wide.verify(&req).unwrap();

    // Changing x-amz-date itself breaks the scope date or the signature.
    let mut req2 = req.clone();
    req2.headers_mut()
        .insert("x-amz-date", HeaderValue::from_static("20150831T000000Z"));
    assert_eq!(
        rejected(
            &verifier_at(t0() + Duration::from_secs(41_040), None),
            &req2
        )
        .to_string(),
        "InvalidSignatureException: Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150830' != '20150831', from '20150831T000000Z'."
    );
    let mut req3 = req.clone();
    req3.headers_mut()
        .insert("x-amz-date", HeaderValue::from_static("20150830T123700Z"));
    assert_eq!(
        rejected(&verifier(None), &req3),
        VerifyError::SignatureMismatch
    );
}

#[test]
fn session_token_rules() {
    let with_token = signed(Some(TOKEN));
    // Swapped token.
    let mut req = with_token.clone();
    set_header(
        &mut req,
        "x-amz-security-token",
        "AQoDYXdzEPT//////////wEXAMPLE",
    );
    let err = rejected(&verifier(Some(TOKEN)), &req);
    assert_eq!(
        err,
        VerifyError::InvalidSessionToken(TokenProblem::Mismatch)
    );
    assert_eq!(err.to_string(), BAD_TOKEN);
    // The verifier knows another token for the key.
    let err = rejected(&verifier(Some("another-token")), &with_token);
    assert_eq!(
        err,
        VerifyError::InvalidSessionToken(TokenProblem::Mismatch)
    );
    // Token dropped although signed: the OBSERVED Lattice line.
    let mut req = with_token.clone();
    req.headers_mut().remove("x-amz-security-token");
    assert_eq!(
        rejected(&verifier(Some(TOKEN)), &req).to_string(),
        "IncompleteSignatureException: 'x-amz-security-token' is named as a SignedHeader, but it does not exist in the HTTP request."
    );
    // Temporary credentials but no token sent at all.
    let err = rejected(&verifier(Some(TOKEN)), &signed(None));
    assert_eq!(err, VerifyError::InvalidSessionToken(TokenProblem::Missing));
    // A token sent with long-term keys.
    let err = rejected(&verifier(None), &with_token);
    assert_eq!(
        err,
        VerifyError::InvalidSessionToken(TokenProblem::Unexpected)
    );
    assert_eq!(err.to_string(), BAD_TOKEN);
}

#[test]
fn scope_region_service_and_key_rejected() {
    let v = verifier(None);
    let original = signed(None);

    let mut req = original.clone();
    replace_in_authorization(&mut req, "/us-west-2/", "/us-east-1/");
    assert_eq!(
        rejected(&v, &req).to_string(),
        "InvalidSignatureException: Credential should be scoped to a valid region, not 'us-east-1'."
    );
    let mut req = original.clone();
    replace_in_authorization(&mut req, "/vpc-lattice-svcs/", "/vpc-lattice/");
    assert_eq!(
        rejected(&v, &req).to_string(),
        "InvalidSignatureException: Credential should be scoped to correct service: 'vpc-lattice-svcs'."
    );
    let mut req = original.clone();
    replace_in_authorization(&mut req, "/aws4_request", "/aws5_request");
    assert_eq!(
        rejected(&v, &req).to_string(),
        "InvalidSignatureException: Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
    );
    // Signed for a service in another region with a matching scope.
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            region: "us-east-1",
            ..SignSpec::default()
        },
    );
    assert!(matches!(
        rejected(&v, &req),
        VerifyError::WrongRegion { .. }
    ));
    // Signed for the control plane's name.
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            service: "vpc-lattice",
            ..SignSpec::default()
        },
    );
    assert!(matches!(
        rejected(&v, &req),
        VerifyError::WrongService { .. }
    ));
    // Unknown access key.
    let mut req = original.clone();
    replace_in_authorization(
        &mut req,
        "Credential=AKIDEXAMPLE/",
        "Credential=AKIDOTHEREXAMPLE/",
    );
    assert_eq!(
        rejected(&v, &req).to_string(),
        "UnrecognizedClientException: The security token included in the request is invalid."
    );
    // Wrong secret.
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ",
            ..SignSpec::default()
        },
    );
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);
    // A changed signature digit.
    let mut req = original.clone();
    let auth = req.headers()["authorization"].to_str().unwrap().to_owned();
    let (head, sig) = auth.rsplit_once("Signature=").unwrap();
    let last = if sig.ends_with('0') { "1" } else { "0" };
    let flipped = format!("{}{last}", &sig[..sig.len() - 1]);
    set_header(
        &mut req,
        "authorization",
        &format!("{head}Signature={flipped}"),
    );
    let err = rejected(&v, &req);
    assert_eq!(err, VerifyError::SignatureMismatch);
    assert!(
        !err.to_string().contains(sig),
        "error line must not echo signatures"
    );
}

#[test]
fn host_changes_rejected() {
    let v = verifier(None);
    let original = signed(None);
    // HTTP/1.1: another Host header (and URI) → signature mismatch.
    let mut req = original.clone();
    set_header(&mut req, "host", "other.example.com");
    *req.uri_mut() = Uri::from_static("/orders/42?expand=items&b=2");
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);
    // Host header disagreeing with the absolute URI.
    let mut req = original.clone();
    set_header(&mut req, "host", "other.example.com");
    assert_eq!(
        rejected(&v, &req).to_string(),
        "InvalidSignatureException: The 'host' header does not match the request authority."
    );
    // HTTP/2: authority from the URI; a disagreeing host header is an error.
    let mut req = original.clone();
    *req.version_mut() = Version::HTTP_2;
    v.verify(&req).unwrap();
    req.headers_mut().remove("host");
    v.verify(&req).unwrap();
    *req.uri_mut() = format!("https://{HOST}:443/orders/42?expand=items&b=2")
        .parse()
        .unwrap();
    v.verify(&req)
        .expect("default port is not part of the signed authority");
    set_header(&mut req, "host", "evil.example.com");
    assert_eq!(rejected(&v, &req), VerifyError::HostMismatch);
    let mut req = original.clone();
    *req.version_mut() = Version::HTTP_2;
    req.headers_mut().remove("host");
    *req.uri_mut() = "https://other.example.com/orders/42?expand=items&b=2"
        .parse()
        .unwrap();
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);
}

#[test]
fn payload_rules() {
    let v = verifier(None);
    // A hashed payload.
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            body: SignableBody::Bytes(b"{}"),
            ..SignSpec::default()
        },
    );
    assert_eq!(
        rejected(&v, &req).to_string(),
        "InvalidSignatureException: Signed payloads are not supported"
    );
    // No x-amz-content-sha256 at all.
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            checksum: PayloadChecksumKind::NoHeader,
            ..SignSpec::default()
        },
    );
    assert_eq!(
        rejected(&v, &req).to_string(),
        "IncompleteSignatureException: Missing the 'x-amz-content-sha256' in canonical headers."
    );
    // The header changed after signing.
    let mut req = signed(None);
    set_header(
        &mut req,
        "x-amz-content-sha256",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert_eq!(rejected(&v, &req), VerifyError::SignedPayloadNotSupported);
}

#[test]
fn single_encoding_accepted_and_reported() {
    let v = verifier(None);
    let mut req = base_request();
    *req.uri_mut() = format!("https://{HOST}/a%20b/c:d").parse().unwrap();
    sign_request(
        &mut req,
        &SignSpec {
            encoding: PercentEncodingMode::Single,
            ..SignSpec::default()
        },
    );
    assert_eq!(v.verify(&req).unwrap().encoding, EncodingMode::Single);
    let mut req = base_request();
    *req.uri_mut() = format!("https://{HOST}/a%20b/c:d").parse().unwrap();
    sign_request(&mut req, &SignSpec::default());
    assert_eq!(v.verify(&req).unwrap().encoding, EncodingMode::Double);
}

#[test]
fn sigv4a_region_sets_and_tampering() {
    let v = verifier(Some(TOKEN));
    for set in ["*", "us-west-2", "us-*", "eu-west-1,us-west-2"] {
        let mut req = base_request();
        sign_request(
            &mut req,
            &SignSpec {
                region_set: Some(set),
                token: Some(TOKEN),
                ..SignSpec::default()
            },
        );
        let ok = v.verify(&req).unwrap_or_else(|e| panic!("{set}: {e}"));
        assert_eq!(ok.algorithm, Algorithm::V4a);
        assert_eq!(
            ok.scope.to_string(),
            "20150830/vpc-lattice-svcs/aws4_request"
        );
        // Second verification hits the key cache.
        v.verify(&req).unwrap();
        let mut tampered = req.clone();
        set_header(&mut tampered, "x-custom", "tampered");
        assert_eq!(rejected(&v, &tampered), VerifyError::SignatureMismatch);
        let mut tampered = req.clone();
        *tampered.method_mut() = Method::GET;
        assert_eq!(rejected(&v, &tampered), VerifyError::SignatureMismatch);
    }
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            region_set: Some("eu-*"),
            token: Some(TOKEN),
            ..SignSpec::default()
        },
    );
    assert_eq!(
        rejected(&v, &req).to_string(),
        "InvalidSignatureException: The region set 'eu-*' in 'x-amz-region-set' does not include the region 'us-west-2'."
    );
    // Swapping the region set after signing breaks the signature.
    let mut req = base_request();
    sign_request(
        &mut req,
        &SignSpec {
            region_set: Some("us-west-2"),
            token: Some(TOKEN),
            ..SignSpec::default()
        },
    );
    set_header(&mut req, "x-amz-region-set", "*");
    assert_eq!(rejected(&v, &req), VerifyError::SignatureMismatch);
    // Region set header dropped.
    req.headers_mut().remove("x-amz-region-set");
    assert_eq!(
        rejected(&v, &req).to_string(),
        "IncompleteSignatureException: 'x-amz-region-set' is named as a SignedHeader, but it does not exist in the HTTP request."
    );
}

#[test]
fn unsigned_and_presigned_requests() {
    let v = verifier(None);
    let err = rejected(&v, &base_request());
    assert!(err.is_unsigned());
    assert_eq!(err.status(), http::StatusCode::FORBIDDEN);
    let mut req = base_request();
    *req.uri_mut() = format!("https://{HOST}/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00")
        .parse()
        .unwrap();
    assert_eq!(rejected(&v, &req), VerifyError::PresignedNotSupported);
}
