//! Fixture tests: every event and response parses, round-trips
//! (parse → serialise → parse) and converts; per-fixture expectations.
#![cfg(feature = "lambda")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::fixture;
use http::header::{
    ACCEPT, CONTENT_LENGTH, COOKIE, DATE, HOST, IF_NONE_MATCH, SET_COOKIE, USER_AGENT,
};
use lattice_client::identity::CallerIdentity;
use lattice_client::lambda::{
    EventVersion, LatticeEvent, LatticeRequestExt, LatticeResponse, V1Event, V2Event,
    V2RequestContext,
};

fn request(name: &str) -> http::Request<lattice_client::lambda::Body> {
    LatticeEvent::from_slice(&fixture(name))
        .unwrap()
        .into_http_request()
        .unwrap()
}

fn values(
    req: &http::Request<lattice_client::lambda::Body>,
    name: impl http::header::AsHeaderName,
) -> Vec<String> {
    req.headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn caller(req: &http::Request<lattice_client::lambda::Body>) -> &CallerIdentity {
    req.caller_identity()
        .expect("caller identity in extensions")
}

#[test]
fn every_event_fixture_round_trips_and_converts() {
    for (name, bytes) in common::fixtures("event-") {
        let first = LatticeEvent::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = if name.starts_with("event-v1") {
            EventVersion::V1
        } else {
            EventVersion::V2
        };
        assert_eq!(first.version(), expected, "{name}");
        let json = first.to_vec().unwrap();
        let second = LatticeEvent::from_slice(&json).unwrap();
        assert_eq!(first, second, "{name}: parse → serialise → parse");
        // And once more: serialisation is stable.
        assert_eq!(json, second.to_vec().unwrap(), "{name}");
        let req = first
            .into_http_request()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(req.event_version(), Some(expected));
        assert!(req.uri().path().starts_with('/'), "{name}");
    }
}

#[test]
fn version_specific_parsers_agree_with_detection() {
    for (name, bytes) in common::fixtures("event-v1") {
        let LatticeEvent::V1(e) = LatticeEvent::from_slice(&bytes).unwrap() else {
            panic!("{name}")
        };
        assert_eq!(V1Event::from_slice(&bytes).unwrap(), e);
        assert_eq!(serde_json::from_slice::<V1Event>(&bytes).unwrap(), e);
    }
    for (name, bytes) in common::fixtures("event-v2") {
        let LatticeEvent::V2(e) = LatticeEvent::from_slice(&bytes).unwrap() else {
            panic!("{name}")
        };
        assert_eq!(V2Event::from_slice(&bytes).unwrap(), e);
        assert_eq!(
            serde_json::from_slice::<LatticeEvent>(&bytes).unwrap(),
            LatticeEvent::V2(e)
        );
    }
}

#[test]
fn v2_authenticated() {
    let req = request("event-v2-authenticated.json");
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        req.uri().to_string(),
        "https://orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws/orders/42?expand=items&expand=customer"
    );
    assert_eq!(values(&req, "multi"), ["x", "y"]);
    assert_eq!(req.body().as_bytes(), br#"{"qty": 2}"#);
    let id = caller(&req);
    assert!(id.is_aws_iam());
    assert_eq!(id.principal_account(), Some("123456789012"));
    assert_eq!(id.principal_org_id.as_deref(), Some("o-50dc6c495c0c9188"));
    assert_eq!(id.session_name.as_deref(), Some("i-0c7de02a688bde9f7"));
    assert_eq!(
        id.source_vpc().map(|v| v.to_string()).as_deref(),
        Some("vpc-0b8276c84697e7339")
    );
    assert_eq!(
        id.service_arn().unwrap().id().as_str(),
        "svc-0a40eebed65f8d69c"
    );
    assert_eq!(
        id.target_group_arn().unwrap().id().as_str(),
        "tg-06d0ecf831eec9f09"
    );
    assert_eq!(
        id.principal_arn().unwrap().kind(),
        lattice_client::arn::PrincipalKind::AssumedRole
    );
    assert_eq!(id.source_vpc_arn().unwrap().region(), "us-east-2");
    let ctx = req.v2_request_context().unwrap();
    assert_eq!(ctx.region.as_deref(), Some("us-east-2"));
    let t = ctx.time_epoch.unwrap();
    assert_eq!(t.as_micros(), 1_724_875_399_456_789);
    assert_eq!(
        t.to_system_time(),
        Some(UNIX_EPOCH + Duration::from_micros(1_724_875_399_456_789))
    );
}

#[test]
fn v1_basic_keeps_joined_custom_header_whole() {
    let req = request("event-v1-basic.json");
    assert_eq!(values(&req, "multi"), ["abcd, DEF"]);
    assert_eq!(req.uri().query(), Some("category=tv&category=audio"));
    assert_eq!(values(&req, ACCEPT), ["*/*"]);
    assert!(req.body().is_empty());
    assert!(
        req.caller_identity().is_none(),
        "no identity headers → no identity"
    );
    assert_eq!(
        req.uri().host(),
        Some("catalog-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws")
    );
}

#[test]
fn v1_identity_headers_and_list_rule() {
    let req = request("event-v1-identity-headers.json");
    assert_eq!(
        values(&req, ACCEPT),
        ["text/html", "application/json;q=0.9"]
    );
    assert_eq!(
        values(&req, IF_NONE_MATCH),
        ["\"etag,with,commas\"", "W/\"weak\""]
    );
    assert_eq!(values(&req, DATE), ["Wed, 21 Oct 2015 07:28:00 GMT"]);
    assert_eq!(values(&req, USER_AGENT).len(), 1);
    assert_eq!(values(&req, COOKIE), ["session=abc; prefs=a,b"]);
    assert_eq!(req.uri().query(), Some("id=1&id=2&q=a%2Cb"));
    let id = caller(&req);
    assert!(id.is_aws_iam());
    assert_eq!(id.principal_org_id.as_deref(), Some("o-12345678"));
    assert_eq!(id.tag("team"), Some("payments;core"));
    assert_eq!(id.tag("env"), Some("prod"));
    assert_eq!(
        id.source_vpc().map(|v| v.to_string()).as_deref(),
        Some("vpc-0123456789abcdef0")
    );
    assert_eq!(
        id.service_network_arn().unwrap().id().as_str(),
        "sn-0bf3f2882e9cc805a"
    );
    // Same identity as an HTTP target would read from the same headers.
    assert_eq!(
        CallerIdentity::from_headers(req.headers())
            .unwrap()
            .as_ref(),
        Some(id)
    );
}

#[test]
fn v1_anonymous_headers() {
    let req = request("event-v1-anonymous-headers.json");
    let id = caller(&req);
    assert!(id.is_anonymous());
    assert!(!id.is_aws_iam());
    assert!(id.service_arn().is_some());
    assert_eq!(
        id.source_vpc().map(|v| v.to_string()).as_deref(),
        Some("vpc-0123456789abcdef0")
    );
}

#[test]
fn v1_base64_gzip() {
    let req = request("event-v1-base64-gzip.json");
    assert_eq!(&req.body().as_bytes()[..2], &[0x1f, 0x8b]);
    assert_eq!(
        req.headers()[CONTENT_LENGTH]
            .to_str()
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        req.body().len()
    );
}

#[test]
fn v2_anonymous_without_identity() {
    let req = request("event-v2-anonymous-no-identity.json");
    let id = caller(&req);
    assert!(id.is_anonymous());
    assert_eq!(id.source_vpc(), None);
    assert!(id.service_arn().is_some());
    assert!(req.v2_request_context().unwrap().identity.is_none());
    assert!(req.body().is_empty());
    assert_eq!(req.uri().query(), None);
}

#[test]
fn v2_anonymous_with_source_vpc() {
    let req = request("event-v2-anonymous-source-vpc.json");
    let id = caller(&req);
    assert!(id.is_anonymous());
    assert_eq!(
        id.source_vpc().map(|v| v.to_string()).as_deref(),
        Some("vpc-0b8276c84697e7339")
    );
    assert_eq!(req.uri().query(), Some("verbose"));
    assert!(req.body().is_empty());
}

#[test]
fn v2_roles_anywhere() {
    let req = request("event-v2-roles-anywhere.json");
    let x = &caller(&req).x509;
    assert_eq!(x.issuer_ou.as_deref(), Some("Devices"));
    assert_eq!(x.san_dns.as_deref(), Some("device7.example.com"));
    assert_eq!(x.san_name_cn.as_deref(), Some("device7"));
    assert_eq!(x.san_uri.as_deref(), Some("spiffe://example.com/device/7"));
    assert_eq!(x.subject_cn.as_deref(), Some("device7.example.com"));
}

#[test]
fn casing_variants_parse_and_emit_documented_spelling() {
    for (name, org, ou, cn) in [
        (
            "event-v2-casing-powertools-ts.json",
            "o-ts0000001",
            "TsOu",
            "ts-subject",
        ),
        (
            "event-v2-casing-powertools-py.json",
            "o-py0000001",
            "PyOu",
            "py-subject",
        ),
    ] {
        let event = LatticeEvent::from_slice(&fixture(name)).unwrap();
        let json = String::from_utf8(event.to_vec().unwrap()).unwrap();
        for documented in [
            "\"principalOrgID\"",
            "\"x509IssuerOu\"",
            "\"x509SanNameCn\"",
            "\"x509SubjectCn\"",
            "\"x509SanUri\"",
            "\"x509SanDns\"",
        ] {
            assert!(json.contains(documented), "{name}: {documented} in {json}");
        }
        assert!(
            !json.contains("X509") && !json.contains("principalOrgId"),
            "{name}: {json}"
        );
        let req = event.into_http_request().unwrap();
        let id = caller(&req);
        assert_eq!(id.principal_org_id.as_deref(), Some(org));
        assert_eq!(id.x509.issuer_ou.as_deref(), Some(ou));
        assert_eq!(id.x509.subject_cn.as_deref(), Some(cn));
        assert!(
            id.x509.san_dns.is_some() && id.x509.san_uri.is_some() && id.x509.san_name_cn.is_some()
        );
    }
}

#[test]
fn v2_base64_body_and_single_string_values() {
    let req = request("event-v2-base64-body.json");
    assert_eq!(&req.body().as_bytes()[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(req.body().len(), 18);
    assert_eq!(values(&req, "content-type"), ["image/png"]);
    assert_eq!(req.uri().path(), "/images/upload");
    // No `?` in the path: rebuilt from the parameters, every value.
    assert_eq!(req.uri().query(), Some("tag=a&size=1&size=2"));
}

#[test]
fn v2_comma_values_stay_whole() {
    let req = request("event-v2-comma-values.json");
    assert_eq!(values(&req, DATE), ["Wed, 21 Oct 2015 07:28:00 GMT"]);
    assert_eq!(values(&req, COOKIE), ["a=1, b=2", "c=3"]);
    assert_eq!(values(&req, ACCEPT), ["text/html", "application/xhtml+xml"]);
    assert_eq!(req.uri().query(), Some("list=a%2Cb%2Cc"));
    assert_eq!(values(&req, USER_AGENT).len(), 1);
}

#[test]
fn v2_non_arn_identity_is_kept() {
    let event = LatticeEvent::from_slice(&fixture("event-v2-non-arn-identity.json")).unwrap();
    let LatticeEvent::V2(v2) = &event else {
        panic!()
    };
    let ctx = &v2.request_context;
    assert_eq!(ctx.service_network_arn.as_deref(), Some("not-an-arn"));
    assert!(ctx.service_network_arn().is_none());
    assert_eq!(ctx.time_epoch.unwrap().as_micros(), 1_724_875_399_456_789);
    let identity = ctx.identity.as_ref().unwrap();
    assert_eq!(identity.other.len(), 1);
    assert_eq!(identity.other[0].0, "futureField");
    let req = event.into_http_request().unwrap();
    let id = caller(&req);
    assert!(id.is_anonymous(), "principal `anonymous`");
    assert_eq!(id.principal_arn(), None);
    assert_eq!(id.source_vpc(), None, "source VPC ARN is a bare id here");
    assert_eq!(id.source_vpc_arn.as_deref(), Some("vpc-0b8276c84697e7339"));
    assert!(id.source_vpc_arn().is_none());
    assert_eq!(id.auth_type.as_deref(), Some("NONE"));
    assert_eq!(req.method(), http::Method::DELETE);
}

#[test]
fn v2_old_path_without_query_rebuilds_it() {
    let req = request("event-v2-old-path-no-query.json");
    assert_eq!(req.uri().path(), "/search");
    assert_eq!(
        req.uri().query(),
        Some("q=rust%20lang&tag=a%26b&tag=c%3Dd&empty=")
    );
}

#[test]
fn content_length_is_informational() {
    let req = request("event-v2-content-length-mismatch.json");
    assert_eq!(req.body().as_bytes(), b"short");
    assert_eq!(req.headers()[CONTENT_LENGTH], "999");
}

#[test]
fn host_header_is_preserved() {
    for (name, bytes) in common::fixtures("event-") {
        let req = LatticeEvent::from_slice(&bytes)
            .unwrap()
            .into_http_request()
            .unwrap();
        let host = req.headers()[HOST].to_str().unwrap();
        assert_eq!(
            req.uri().authority().map(|a| a.as_str()),
            Some(host),
            "{name}"
        );
    }
}

#[test]
fn response_fixtures() {
    for (name, bytes) in common::fixtures("response-") {
        let first = LatticeResponse::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let second = LatticeResponse::from_slice(&first.to_vec().unwrap()).unwrap();
        assert_eq!(first, second, "{name}");
    }
    let text = LatticeResponse::from_slice(&fixture("response-text.json"))
        .unwrap()
        .into_http_response()
        .unwrap();
    assert_eq!(text.status(), 200);
    assert!(text.headers().get("connection").is_none());
    assert!(text.headers().get("transfer-encoding").is_none());
    assert_eq!(text.headers()[SET_COOKIE], "a=b");
    assert_eq!(text.headers()[CONTENT_LENGTH], "11");
    assert_eq!(text.body().as_bytes(), br#"{"ok":true}"#);

    let bin = LatticeResponse::from_slice(&fixture("response-base64.json"))
        .unwrap()
        .into_http_response()
        .unwrap();
    assert_eq!(bin.status(), 201);
    assert_eq!(bin.headers()[CONTENT_LENGTH], "18", "computed, not copied");
    assert_eq!(&bin.body().as_bytes()[..4], b"\x89PNG");

    let min = LatticeResponse::from_slice(&fixture("response-minimal.json"))
        .unwrap()
        .into_http_response()
        .unwrap();
    assert_eq!(min.status(), 204);
    assert!(min.headers().get(CONTENT_LENGTH).is_none());
    assert!(min.body().is_empty());
}

#[test]
fn detection_errors_are_specific() {
    use lattice_client::lambda::EventError;
    assert!(matches!(
        LatticeEvent::from_slice(b"{}"),
        Err(EventError::UnknownShape)
    ));
    assert!(
        matches!(LatticeEvent::from_slice(br#"{"version":"3.0","path":"/","method":"GET"}"#), Err(EventError::UnsupportedVersion(v)) if v == "3.0")
    );
    assert!(matches!(
        LatticeEvent::from_slice(br#"{"raw_path":"/"}"#),
        Err(EventError::MissingField("method"))
    ));
    assert!(matches!(
        LatticeEvent::from_slice(b"nope"),
        Err(EventError::Json(_))
    ));
    assert!(LatticeEvent::from_slice(b"[1]").is_err());
    let bad_b64 =
        br#"{"version":"2.0","path":"/","method":"GET","body":"***","isBase64Encoded":true}"#;
    assert!(matches!(
        LatticeEvent::from_slice(bad_b64)
            .unwrap()
            .into_http_request(),
        Err(EventError::InvalidBase64(_))
    ));
    let bad_method = br#"{"raw_path":"/","method":"G E T"}"#;
    assert!(matches!(
        LatticeEvent::from_slice(bad_method)
            .unwrap()
            .into_http_request(),
        Err(EventError::InvalidMethod(_))
    ));
    let bad_identity =
        br#"{"raw_path":"/","method":"GET","headers":{"x-amzn-lattice-identity":"Principal"}}"#;
    let err = LatticeEvent::from_slice(bad_identity)
        .unwrap()
        .into_http_request()
        .unwrap_err();
    assert!(
        err.to_string().contains("not of the form `Key=Value`"),
        "{err}"
    );
}

#[test]
fn context_from_caller_round_trips() {
    let req = request("event-v2-roles-anywhere.json");
    let id = caller(&req).clone();
    let ctx = V2RequestContext::from_caller(&id, Some("us-east-2".into()), None);
    assert_eq!(ctx.caller_identity(), Some(id));
}
