use super::redirect::{Replay, next_hop};
use super::*;
use crate::Credentials;
use crate::sign::Signer;
use ::reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use ::reqwest::{Body, Method, Request, StatusCode, Url};
use aws_smithy_async::time::StaticTimeSource;
use std::time::{Duration, SystemTime};

const ORDERS: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FAKE-SESSION-TOKEN-EXAMPLE";

fn signer() -> Signer {
    Signer::builder()
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            SECRET,
            Some(TOKEN.to_owned()),
            None,
            "test",
        ))
        .time_source(StaticTimeSource::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        ))
        .custom_domain("orders.example.internal", Some("eu-central-1"))
        .build()
        .expect("valid signer")
}

fn url(s: &str) -> Url {
    s.parse().expect("valid URL")
}

fn replay(method: Method, u: &str, body: Option<Body>) -> Replay {
    let mut request = Request::new(method, url(u));
    request
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/plain"));
    request
        .headers_mut()
        .insert("authorization", HeaderValue::from_static("stale"));
    request
        .headers_mut()
        .insert("x-amz-security-token", HeaderValue::from_static("stale"));
    request
        .headers_mut()
        .insert("x-amz-date", HeaderValue::from_static("stale"));
    request
        .headers_mut()
        .insert("cookie", HeaderValue::from_static("a=b"));
    request
        .headers_mut()
        .insert("x-keep", HeaderValue::from_static("yes"));
    *request.body_mut() = body;
    Replay::capture(&mut request).expect("a head can always be copied")
}

fn location(l: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(LOCATION, HeaderValue::from_str(l).expect("valid location"));
    h
}

#[test]
fn relative_location_same_origin_keeps_cookie_strips_signature() {
    let current = url(&format!("https://{ORDERS}/a/b"));
    let next = next_hop(
        &signer(),
        RedirectPolicy::same_host(5),
        &current,
        StatusCode::TEMPORARY_REDIRECT,
        &location("c?x=1"),
        replay(Method::PUT, current.as_str(), Some(Body::from("payload"))),
    )
    .expect("followed");
    assert_eq!(next.url().as_str(), format!("https://{ORDERS}/a/c?x=1"));
    assert_eq!(next.method(), Method::PUT);
    assert_eq!(next.body().and_then(Body::as_bytes), Some(&b"payload"[..]));
    assert!(next.headers().get("authorization").is_none());
    assert!(next.headers().get("x-amz-security-token").is_none());
    assert!(next.headers().get("x-amz-date").is_none());
    assert_eq!(next.headers()["cookie"], "a=b");
    assert_eq!(next.headers()["x-keep"], "yes");
    assert_eq!(next.headers()["content-type"], "text/plain");
}

#[test]
fn see_other_turns_post_into_get_without_body() {
    let current = url(&format!("https://{ORDERS}/orders"));
    for status in [
        StatusCode::MOVED_PERMANENTLY,
        StatusCode::FOUND,
        StatusCode::SEE_OTHER,
    ] {
        let next = next_hop(
            &signer(),
            RedirectPolicy::same_host(5),
            &current,
            status,
            &location("/orders/1"),
            replay(Method::POST, current.as_str(), Some(Body::from("x"))),
        )
        .expect("followed");
        assert_eq!(next.method(), Method::GET, "{status}");
        assert!(next.body().is_none());
        assert!(next.headers().get("content-type").is_none());
    }
    let head = next_hop(
        &signer(),
        RedirectPolicy::same_host(5),
        &current,
        StatusCode::SEE_OTHER,
        &location("/orders/1"),
        replay(Method::HEAD, current.as_str(), None),
    )
    .expect("followed");
    assert_eq!(head.method(), Method::HEAD);
}

#[test]
fn streaming_body_only_follows_method_changing_redirects() {
    let current = url(&format!("https://{ORDERS}/upload"));
    let stream = || {
        Some(Body::wrap_stream(futures_util::stream::iter([Ok::<
            _,
            std::io::Error,
        >(
            "chunk"
        )])))
    };
    for status in [
        StatusCode::TEMPORARY_REDIRECT,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        assert!(
            next_hop(
                &signer(),
                RedirectPolicy::cross_host(5),
                &current,
                status,
                &location("/elsewhere"),
                replay(Method::POST, current.as_str(), stream()),
            )
            .is_none(),
            "{status}"
        );
    }
    let next = next_hop(
        &signer(),
        RedirectPolicy::same_host(5),
        &current,
        StatusCode::SEE_OTHER,
        &location("/status"),
        replay(Method::POST, current.as_str(), stream()),
    )
    .expect("a 303 needs no body");
    assert_eq!(next.method(), Method::GET);
    assert!(next.body().is_none());
}

#[test]
fn refused_redirects() {
    let current = url(&format!("https://{ORDERS}/"));
    let cases = [
        (StatusCode::FOUND, Some("https://example.com/")),
        (StatusCode::FOUND, Some(&*format!("http://{ORDERS}/"))),
        (StatusCode::FOUND, Some(&*format!("https://u:p@{ORDERS}/"))),
        (StatusCode::FOUND, Some("ftp://orders.example.internal/")),
        (StatusCode::FOUND, None),
        (StatusCode::MULTIPLE_CHOICES, Some("/x")),
        (StatusCode::NOT_MODIFIED, Some("/x")),
        (StatusCode::OK, Some("/x")),
    ];
    for (status, loc) in cases {
        let headers = loc.map(location).unwrap_or_default();
        assert!(
            next_hop(
                &signer(),
                RedirectPolicy::cross_host(5),
                &current,
                status,
                &headers,
                replay(Method::GET, current.as_str(), None)
            )
            .is_none(),
            "{status} {loc:?}"
        );
    }
}

#[test]
fn another_host_is_refused_unless_the_policy_allows_it() {
    let current = url(&format!("https://{ORDERS}/"));
    let to_custom_domain = || {
        next_hop(
            &signer(),
            RedirectPolicy::same_host(5),
            &current,
            StatusCode::FOUND,
            &location("https://orders.example.internal/x"),
            replay(Method::GET, current.as_str(), None),
        )
    };
    assert!(
        to_custom_domain().is_none(),
        "same_host does not leave the host, even for a host the signer may sign for"
    );
    // Another port or an upgrade to https on the same host is the same host.
    let http = url(&format!("http://{ORDERS}/"));
    let next = next_hop(
        &signer(),
        RedirectPolicy::same_host(5),
        &http,
        StatusCode::FOUND,
        &location(&format!("https://{ORDERS}:8443/x")),
        replay(Method::GET, http.as_str(), None),
    )
    .expect("same host");
    assert_eq!(next.headers()["x-keep"], "yes");
    assert!(
        next.headers().get("cookie").is_none(),
        "another origin loses cookies"
    );
}

#[test]
fn cross_host_keeps_only_the_allow_list() {
    let current = url(&format!("https://{ORDERS}/"));
    let with_allowed = |method: Method, body: Option<Body>| {
        let mut replay = replay(method, current.as_str(), body);
        for (name, value) in [
            ("accept", "application/json"),
            ("accept-encoding", "gzip"),
            ("accept-language", "en"),
            ("user-agent", "test/1"),
            ("x-api-key", "secret-key"),
            ("content-encoding", "gzip"),
        ] {
            replay
                .request
                .headers_mut()
                .insert(name, HeaderValue::from_static(value));
        }
        replay
    };
    for (status, method, body, keeps_body_headers) in [
        (StatusCode::FOUND, Method::GET, None, false),
        (
            StatusCode::TEMPORARY_REDIRECT,
            Method::PUT,
            Some(Body::from("payload")),
            true,
        ),
    ] {
        let next = next_hop(
            &signer(),
            RedirectPolicy::cross_host(5),
            &current,
            status,
            &location("https://orders.example.internal/x"),
            with_allowed(method, body),
        )
        .expect("a registered custom domain may be signed");
        let mut names: Vec<&str> = next.headers().keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        let mut expected = vec!["accept", "accept-encoding", "accept-language", "user-agent"];
        if keeps_body_headers {
            expected.extend(["content-encoding", "content-type"]);
            expected.sort_unstable();
        }
        assert_eq!(names, expected, "{status}");
    }
}

#[tokio::test]
async fn sign_request_marks_secrets_and_keeps_streams() {
    let signer = signer();
    let mut request = Request::new(
        Method::POST,
        url(&format!("https://{}.:443/up", ORDERS.to_uppercase())),
    );
    *request.body_mut() = Some(Body::wrap_stream(futures_util::stream::iter([Ok::<
        _,
        std::io::Error,
    >(
        "chunk"
    )])));
    *request.timeout_mut() = Some(Duration::from_secs(7));
    let report = sign_request(&signer, &mut request).await.expect("signed");
    assert_eq!(report.host, ORDERS);
    assert_eq!(request.url().as_str(), format!("https://{ORDERS}/up"));
    assert!(request.headers()["authorization"].is_sensitive());
    assert!(request.headers()["x-amz-security-token"].is_sensitive());
    assert_eq!(request.headers()["x-amz-security-token"], TOKEN);
    assert_eq!(request.timeout(), Some(&Duration::from_secs(7)));
    assert!(
        request.body().is_some_and(|b| b.as_bytes().is_none()),
        "the body is still a stream"
    );
    let debug = format!("{request:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains(SECRET), "{debug}");
}

#[tokio::test]
async fn refused_urls_are_typed_errors() {
    let signer = signer();
    let mut request = Request::new(Method::GET, url("https://example.com/"));
    assert!(matches!(
        sign_request(&signer, &mut request).await,
        Err(crate::Error::HostNotAllowed { .. })
    ));
    assert!(request.headers().get("authorization").is_none());

    let mut request = Request::new(Method::GET, url(&format!("ftp://{ORDERS}/")));
    assert!(matches!(
        sign_request(&signer, &mut request).await,
        Err(crate::Error::InvalidUri { .. })
    ));

    let mut request = Request::new(Method::GET, url(&format!("https://user:hunter2@{ORDERS}/")));
    let err = sign_request(&signer, &mut request)
        .await
        .expect_err("user information is refused");
    assert!(matches!(err, crate::Error::InvalidUri { .. }));
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn builder_errors_and_debug() {
    let client = LatticeClient::builder(signer())
        .platform_roots(false)
        .build()
        .expect("client");
    assert!(matches!(
        client.get("not a url").build(),
        Err(Error::Reqwest(_))
    ));
    assert!(matches!(
        client
            .get(format!("https://{ORDERS}/"))
            .header("x-ok", "bad\nvalue")
            .build(),
        Err(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        client.get("https://example.com/").send().await,
        Err(Error::Lattice(crate::Error::HostNotAllowed { .. }))
    ));
    let builder = client
        .get(format!("https://{ORDERS}/"))
        .header("x-api-key", "do-not-print")
        .region("us-east-1");
    let debug = format!("{builder:?} {client:?}");
    assert!(!debug.contains("do-not-print"), "{debug}");
    assert!(!debug.contains(SECRET), "{debug}");
    assert!(!debug.contains(TOKEN), "{debug}");

    let bad_pem = LatticeClient::builder(signer())
        .add_root_certificates_pem("not a certificate")
        .build();
    assert!(matches!(bad_pem, Err(Error::Lattice(crate::Error::Tls(_)))));
}

/// A response whose body arrives in `chunks`, with `url` as its `url()`.
fn chunked_response(status: u16, chunks: &[&'static str], url: &str) -> ::reqwest::Response {
    use ::reqwest::ResponseBuilderExt;
    let frames = chunks
        .iter()
        .map(|c| {
            Ok::<_, std::io::Error>(hyper::body::Frame::data(bytes::Bytes::from_static(
                c.as_bytes(),
            )))
        })
        .collect::<Vec<_>>();
    let body = Body::wrap(http_body_util::StreamBody::new(futures_util::stream::iter(
        frames,
    )));
    http::Response::builder()
        .status(status)
        .header("x-amzn-requestid", "req-1")
        .url(self::url(url))
        .body(body)
        .expect("response")
        .into()
}

#[tokio::test]
async fn refusal_parses_lattice_lines_and_keeps_the_whole_body() {
    let line = "AccessDeniedException: User: anonymous is not authorized to perform: \
                vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/a \
                with an explicit deny in a identity-based policy\n";
    let filler: &'static str = Box::leak("x".repeat(5000).into_boxed_str());
    let u = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/a";
    let response = chunked_response(403, &["Access", &line[6..], filler, "tail"], u);
    let (response, refusal) = response.refusal().await.expect("readable");
    let refusal = refusal.expect("Lattice's line");
    assert_eq!(refusal.code(), "AccessDeniedException");
    assert_eq!(refusal.request_id(), Some("req-1"));
    let denial = refusal.access_denial().expect("a denial");
    assert_eq!(denial.layer(), crate::refusal::Layer::Identity);
    assert!(denial.is_explicit());
    assert_eq!(response.url().as_str(), u);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let text = response.text().await.expect("body");
    assert_eq!(text, format!("{line}{filler}tail"));
}

#[tokio::test]
async fn refusal_is_none_for_a_targets_403_and_skips_successes() {
    let u = "https://orders.example.internal/";
    let (response, refusal) = chunked_response(403, &["Forbidden"], u)
        .refusal()
        .await
        .expect("readable");
    assert!(refusal.is_none());
    assert_eq!(response.text().await.expect("body"), "Forbidden");
    // A 200 whose body looks like a refusal is not one, and is not read.
    let (response, refusal) = chunked_response(200, &["AccessDeniedException: no"], u)
        .refusal()
        .await
        .expect("readable");
    assert!(refusal.is_none());
    assert_eq!(
        response.text().await.expect("body"),
        "AccessDeniedException: no"
    );
}
