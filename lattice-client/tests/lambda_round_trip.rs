//! Event → request → (echo handler) → response, request → event → request,
//! and the response rules (Set-Cookie, size limit, failing bodies).
#![cfg(feature = "lambda")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use base64::Engine as _;
use bytes::Bytes;
use common::block_on;
use http::{HeaderValue, Request, Response};
use http_body_util::{Empty, Full};
use lattice_client::identity::CallerIdentity;
use lattice_client::lambda::{
    Body, LatticeEvent, LatticeRequestExt, LatticeResponse, ResponseOptions, SetCookiePolicy,
    TimeEpoch, V1Event, V2Event, V2RequestContext,
};

/// A handler that answers with the request's body and content type.
fn echo(req: Request<Body>) -> Response<Full<Bytes>> {
    let mut builder = Response::builder()
        .status(200)
        .header("x-method", req.method().as_str());
    if let Some(ct) = req.headers().get("content-type") {
        builder = builder.header("content-type", ct);
    }
    builder
        .body(Full::new(req.into_body().into_bytes()))
        .unwrap()
}

fn decoded_body(r: &LatticeResponse) -> Vec<u8> {
    match (&r.body, r.is_base64_encoded) {
        (None, _) => Vec::new(),
        (Some(b), true) => base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
        (Some(b), false) => b.clone().into_bytes(),
    }
}

#[test]
fn every_fixture_through_an_echo_handler() {
    for (name, bytes) in common::fixtures("event-") {
        let req = LatticeEvent::from_slice(&bytes)
            .unwrap()
            .into_http_request()
            .unwrap();
        let sent = req.body().as_bytes().to_vec();
        let method = req.method().clone();
        let textual = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(lattice_client::lambda::is_text_content_type);
        let out = block_on(LatticeResponse::from_http_response(
            echo(req),
            &ResponseOptions::default(),
        ));
        assert_eq!(out.status_code, 200, "{name}");
        assert_eq!(out.headers.get("x-method"), Some(method.as_str()), "{name}");
        assert_eq!(decoded_body(&out), sent, "{name}");
        if !sent.is_empty() {
            let utf8 = std::str::from_utf8(&sent).is_ok();
            assert_eq!(out.is_base64_encoded, !(textual && utf8), "{name}");
        }
        // And back to the client, as the data plane would.
        let back = LatticeResponse::from_slice(&out.to_vec().unwrap())
            .unwrap()
            .into_http_response()
            .unwrap();
        assert_eq!(back.body().as_bytes(), &sent[..], "{name}");
        assert_eq!(
            back.headers()["content-length"],
            sent.len().to_string().as_str()
        );
    }
}

fn sample_caller() -> CallerIdentity {
    // The identity types are `#[non_exhaustive]`: start from `default()`.
    let mut id = CallerIdentity::default();
    id.auth_type = Some("AWS_IAM".into());
    id.principal = Some("arn:aws:sts::123456789012:assumed-role/client/s1".into());
    id.principal_org_id = Some("o-abc".into());
    id.session_name = Some("s1".into());
    id.x509.subject_cn = Some("dev".into());
    id.source_vpc_arn = Some("arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339".into());
    id.service_network_arn = Some(
        "arn:aws:vpc-lattice:us-east-2:123456789012:servicenetwork/sn-0bf3f2882e9cc805a".into(),
    );
    id.service_arn =
        Some("arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c".into());
    id.target_group_arn =
        Some("arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-06d0ecf831eec9f09".into());
    id
}

fn client_request() -> Request<Bytes> {
    Request::builder()
        .method("PATCH")
        .uri("https://orders.example.com/a%20b/c?x=1&y=%E2%9C%93&x=2&flag")
        .header("accept", "text/html")
        .header("accept", "application/json")
        .header("date", "Wed, 21 Oct 2015 07:28:00 GMT")
        .header("content-type", "application/octet-stream")
        .header("x-forwarded-for", "192.0.2.1")
        .body(Bytes::from_static(b"\x00\x01\xff binary"))
        .unwrap()
}

#[test]
fn request_to_v2_event_and_back() {
    let client = client_request();
    let ip = Some(IpAddr::V4(Ipv4Addr::new(10, 0, 2, 100)));
    let ctx = V2RequestContext::from_caller(
        &sample_caller(),
        Some("us-east-2".into()),
        Some(TimeEpoch::from_micros(1)),
    );
    let event = V2Event::from_http_request(&client, ctx, ip);
    assert_eq!(event.path, "/a%20b/c?x=1&y=%E2%9C%93&x=2&flag");
    assert_eq!(
        event.query_string_parameters.get_exact("x"),
        Some(&["1".to_owned(), "2".to_owned()][..])
    );
    assert_eq!(
        event.query_string_parameters.get_exact("y"),
        Some(&["✓".to_owned()][..])
    );
    assert_eq!(
        event.query_string_parameters.get_exact("flag"),
        Some(&[String::new()][..])
    );
    assert!(event.is_base64_encoded);
    assert_eq!(
        event.headers.get("host"),
        Some(&["orders.example.com".to_owned()][..])
    );
    assert_eq!(
        event.headers.get("x-forwarded-for"),
        Some(&["192.0.2.1, 10.0.2.100".to_owned()][..])
    );

    let json = serde_json::to_vec(&event).unwrap();
    let req = LatticeEvent::from_slice(&json)
        .unwrap()
        .into_http_request()
        .unwrap();
    assert_eq!(req.method(), "PATCH");
    assert_eq!(
        req.uri().to_string(),
        "https://orders.example.com/a%20b/c?x=1&y=%E2%9C%93&x=2&flag"
    );
    assert_eq!(req.headers().get_all("accept").iter().count(), 2);
    assert_eq!(req.headers()["date"], "Wed, 21 Oct 2015 07:28:00 GMT");
    assert_eq!(req.body().as_bytes(), b"\x00\x01\xff binary");
    assert_eq!(req.caller_identity(), Some(&sample_caller()));
}

#[test]
fn request_to_v1_event_and_back() {
    let mut client = client_request();
    sample_caller().write_headers(client.headers_mut()).unwrap();
    client
        .headers_mut()
        .append("cookie", HeaderValue::from_static("a=1"));
    client
        .headers_mut()
        .append("cookie", HeaderValue::from_static("b=2"));
    let event = V1Event::from_http_request(&client, None);
    assert_eq!(event.raw_path, "/a%20b/c?x=1&y=%E2%9C%93&x=2&flag");
    assert_eq!(
        event.query_string_parameters.get("x"),
        Some("2"),
        "last value wins"
    );
    assert_eq!(
        event.headers.get("accept"),
        Some("text/html, application/json")
    );
    assert_eq!(event.headers.get("cookie"), Some("a=1; b=2"));
    assert_eq!(event.headers.get("x-forwarded-for"), Some("192.0.2.1"));
    let json = serde_json::to_vec(&event).unwrap();
    let req = LatticeEvent::from_slice(&json)
        .unwrap()
        .into_http_request()
        .unwrap();
    let accept: Vec<_> = req.headers().get_all("accept").iter().collect();
    assert_eq!(accept, ["text/html", "application/json"]);
    assert_eq!(req.headers()["date"], "Wed, 21 Oct 2015 07:28:00 GMT");
    assert_eq!(req.body().as_bytes(), b"\x00\x01\xff binary");
    assert_eq!(req.caller_identity(), Some(&sample_caller()));
}

#[test]
fn text_body_event_is_not_base64() {
    let client = Request::builder()
        .method("POST")
        .uri("/x")
        .header("host", "h.example")
        .header("content-type", "application/json; charset=utf-8")
        .body(Bytes::from_static(br#"{"a":1}"#))
        .unwrap();
    let v2 = V2Event::from_http_request(&client, V2RequestContext::default(), None);
    assert!(!v2.is_base64_encoded);
    assert_eq!(v2.body.as_deref(), Some(r#"{"a":1}"#));
    let v1 = V1Event::from_http_request(&client, None);
    assert!(!v1.is_base64_encoded);
    // gzip-compressed JSON is not UTF-8 → Base64 even though the type is textual.
    let gz = Request::builder()
        .uri("/x")
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(Bytes::from_static(b"\x1f\x8b\x08\x00\xff"))
        .unwrap();
    assert!(V2Event::from_http_request(&gz, V2RequestContext::default(), None).is_base64_encoded);
    // Empty bodies: absent in V2, "" in V1.
    let empty = Request::builder().uri("/").body(Bytes::new()).unwrap();
    assert_eq!(
        V2Event::from_http_request(&empty, V2RequestContext::default(), None).body,
        None
    );
    assert_eq!(
        V1Event::from_http_request(&empty, None).body.as_deref(),
        Some("")
    );
}

fn with_cookies() -> Response<Full<Bytes>> {
    Response::builder()
        .header("set-cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
        .header("set-cookie", "b=2")
        .header("vary", "accept")
        .header("vary", "origin")
        .header("connection", "close")
        .header("content-length", "2")
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from_static(b"ok")))
        .unwrap()
}

#[test]
fn response_header_rules() {
    let joined = block_on(LatticeResponse::from_http_response(
        with_cookies(),
        &ResponseOptions::default(),
    ));
    assert_eq!(
        joined.headers.get("set-cookie"),
        Some("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT, b=2")
    );
    assert_eq!(joined.headers.get("vary"), Some("accept, origin"));
    assert_eq!(joined.headers.get("connection"), None);
    assert_eq!(joined.headers.get("content-length"), None);
    assert_eq!(joined.body.as_deref(), Some("ok"));
    let first = block_on(LatticeResponse::from_http_response(
        with_cookies(),
        &ResponseOptions::default().set_cookie(SetCookiePolicy::First),
    ));
    assert_eq!(
        first.headers.get("set-cookie"),
        Some("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
    );
    let json = String::from_utf8(first.to_vec().unwrap()).unwrap();
    assert!(
        json.starts_with(r#"{"isBase64Encoded":false,"statusCode":200,"headers":{"#),
        "{json}"
    );
}

#[test]
fn empty_and_binary_responses() {
    let empty = Response::builder()
        .status(204)
        .body(Empty::<Bytes>::new())
        .unwrap();
    let out = block_on(LatticeResponse::from_http_response(
        empty,
        &ResponseOptions::default(),
    ));
    assert_eq!(out.status_code, 204);
    assert_eq!(out.body, None);
    assert!(!out.is_base64_encoded);
    let bin = Response::new(Full::new(Bytes::from_static(b"\x00\x01")));
    let out = block_on(LatticeResponse::from_http_response(
        bin,
        &ResponseOptions::default(),
    ));
    assert!(out.is_base64_encoded, "no content type → binary");
    assert_eq!(out.body.as_deref(), Some("AAE="));
}

#[test]
fn binary_over_about_4_5_mib_is_a_500() {
    let opts = ResponseOptions::default();
    let ok = Response::builder()
        .header("content-type", "application/octet-stream")
        .body(Full::new(Bytes::from(vec![7u8; 4 * 1024 * 1024])))
        .unwrap();
    let out = block_on(LatticeResponse::from_http_response(ok, &opts));
    assert_eq!(out.status_code, 200);
    assert!(out.json_len() <= opts.max_json_bytes);

    let big = Response::builder()
        .header("content-type", "application/octet-stream")
        .body(Full::new(Bytes::from(vec![
            7u8;
            4 * 1024 * 1024 + 700 * 1024
        ])))
        .unwrap();
    let out = block_on(LatticeResponse::from_http_response(big, &opts));
    assert_eq!(out.status_code, 500);
    assert!(out.body.as_deref().unwrap().len() < 100);

    // The same size as text fits (no Base64 inflation).
    let text = Response::builder()
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from(vec![
            b'a';
            4 * 1024 * 1024 + 700 * 1024
        ])))
        .unwrap();
    assert_eq!(
        block_on(LatticeResponse::from_http_response(text, &opts)).status_code,
        200
    );

    // Text that needs JSON escaping is measured after escaping.
    let quotes = Response::builder()
        .header("content-type", "text/plain")
        .body(Full::new(Bytes::from(vec![b'"'; 4 * 1024 * 1024])))
        .unwrap();
    let err = block_on(LatticeResponse::try_from_http_response(quotes, &opts)).unwrap_err();
    assert!(err.to_string().contains("6291456-byte"), "{err}");
}

/// An endless body of 64 KiB frames that counts how many were read.
struct Endless(Arc<AtomicUsize>);

impl http_body::Body for Endless {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from_static(
            &[b'x'; 64 * 1024],
        )))))
    }
}

#[test]
fn streaming_body_is_not_buffered_past_the_limit() {
    let frames = Arc::new(AtomicUsize::new(0));
    let resp = Response::builder()
        .header("content-type", "text/plain")
        .body(Endless(frames.clone()))
        .unwrap();
    let opts = ResponseOptions::default().max_json_bytes(1024 * 1024);
    let out = block_on(LatticeResponse::from_http_response(resp, &opts));
    assert_eq!(out.status_code, 500);
    // 15 frames fit in 1 MiB less the JSON envelope; the 16th crosses the
    // budget and reading stops there.
    assert_eq!(frames.load(Ordering::SeqCst), 16);
}

/// A body that fails.
struct Failing;

impl http_body::Body for Failing {
    type Data = Bytes;
    type Error = std::io::Error;
    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other("boom"))))
    }
}

#[test]
fn failing_body_is_a_500() {
    let out = block_on(LatticeResponse::from_http_response(
        Response::new(Failing),
        &ResponseOptions::default(),
    ));
    assert_eq!(out.status_code, 500);
    let err = block_on(LatticeResponse::try_from_http_response(
        Response::new(Failing),
        &ResponseOptions::default(),
    ))
    .unwrap_err();
    assert!(err.to_string().contains("boom"));
}

#[test]
fn lattice_response_to_http_and_back() {
    let json = br#"{"statusCode":302,"headers":{"Location":"/next","Set-Cookie":["a=1","b=2"],"Keep-Alive":"timeout=5","Connection":"x-private","X-Private":"drop me"},"body":"aGk=","isBase64Encoded":true}"#;
    let resp = LatticeResponse::from_slice(json)
        .unwrap()
        .into_http_response()
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers()["location"], "/next");
    assert_eq!(resp.headers().get_all("set-cookie").iter().count(), 2);
    assert!(resp.headers().get("keep-alive").is_none());
    assert!(
        resp.headers().get("x-private").is_none(),
        "named in Connection"
    );
    assert_eq!(resp.body().as_bytes(), b"hi");
    assert_eq!(resp.headers()["content-length"], "2");
    let again = block_on(LatticeResponse::from_http_response(
        resp,
        &ResponseOptions::default(),
    ));
    assert_eq!(again.status_code, 302);
    assert_eq!(again.headers.get("set-cookie"), Some("a=1, b=2"));
    assert_eq!(decoded_body(&again), b"hi");
    assert!(
        LatticeResponse::from_slice(br#"{"statusCode":42}"#)
            .unwrap()
            .into_http_response()
            .is_err()
    );
    assert!(LatticeResponse::from_slice(br#"{"statusCode":70000}"#).is_err());
}

/// A V2 event carries the caller in `requestContext`; an identity header in
/// its `headers` (set by whoever built the event, or forged upstream) must
/// neither replace that caller nor reach a layer that reads the headers.
#[test]
fn v2_identity_headers_in_the_event_are_dropped() {
    let event = br#"{"version":"2.0","path":"/","method":"GET",
      "headers":{"host":["svc-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws"],
        "x-amzn-lattice-identity":["Principal=arn:aws:iam::999999999999:role/admin; PrincipalOrgID=o-victim; Type=AWS_IAM"],
        "X-Amzn-Lattice-Identity-Tags":["team=admins"],
        "x-amzn-lattice-network":["SourceVpcArn=arn:aws:ec2:us-east-2:999999999999:vpc/vpc-0123456789abcdef0"],
        "x-amzn-lattice-something-new":["x"],
        "x-amzn-source-vpc":["vpc-0123456789abcdef0"],
        "x-custom":["kept"]},
      "requestContext":{"identity":{"principal":"arn:aws:sts::123456789012:assumed-role/r/s","type":"AWS_IAM",
        "sourceVpcArn":"arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0fedcba9876543210"},
        "region":"us-east-2","timeEpoch":"1724875399456789"}}"#;
    let req = LatticeEvent::from_slice(event)
        .unwrap()
        .into_http_request()
        .unwrap();
    let names: Vec<&str> = req.headers().keys().map(|n| n.as_str()).collect();
    assert_eq!(names, ["host", "x-custom"]);
    assert_eq!(CallerIdentity::from_headers(req.headers()).unwrap(), None);
    let caller = req.caller_identity().unwrap();
    assert_eq!(
        caller.principal.as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/r/s")
    );
    assert_eq!(caller.principal_org_id, None);
    assert!(caller.principal_tags.is_empty());

    // Without `requestContext.identity` the headers are dropped all the same:
    // no caller at all rather than one the event's headers invent.
    let event = br#"{"version":"2.0","path":"/","method":"GET",
      "headers":{"x-amzn-lattice-identity":["Principal=arn:aws:iam::999999999999:role/admin"]}}"#;
    let req = LatticeEvent::from_slice(event)
        .unwrap()
        .into_http_request()
        .unwrap();
    assert!(req.headers().is_empty());
    assert_eq!(req.caller_identity(), None);
}
