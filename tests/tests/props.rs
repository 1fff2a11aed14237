//! Property tests: random hosts, URIs and header bytes never make the signer
//! or the layer panic; for valid generated Lattice names written with random
//! case, a trailing dot or the default port, the normalised authority is what
//! is signed and what goes on the wire.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;

use aws_smithy_async::time::StaticTimeSource;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Request, Response, Uri, Version};
use http_body_util::Full;
use lattice_client::Signer;
use lattice_client::resolve::Resolver;
use lattice_tests::{
    CaptureServer, CapturedRequest, Protocol, expected_authorization, fixed_time,
    temporary_credentials,
};
use lattice_tower::SigV4Layer;
use lattice_tower::hyper::HyperClientBuilder;
use proptest::prelude::*;
use tower::{ServiceBuilder, ServiceExt, service_fn};

fn strict_signer() -> Signer {
    Signer::builder()
        .credentials(temporary_credentials())
        .time_source(StaticTimeSource::new(fixed_time()))
        .custom_domain("*.example.internal", Some("eu-west-1"))
        .build()
        .expect("signer")
}

fn any_host_signer() -> Signer {
    Signer::builder()
        .credentials(temporary_credentials())
        .time_source(StaticTimeSource::new(fixed_time()))
        .sign_any_host(true)
        .region("us-east-1")
        .build()
        .expect("signer")
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// A request built from arbitrary parts; `None` when `http` itself refuses
/// the URI (the signer never sees such a request).
fn arbitrary_request(uri: &str, headers: &[(Vec<u8>, Vec<u8>)]) -> Option<Request<()>> {
    let uri = Uri::try_from(uri).ok()?;
    let mut request = Request::new(());
    *request.uri_mut() = uri;
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            request.headers_mut().append(name, value);
        }
    }
    Some(request)
}

fn uri_strategy() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https://"),
        Just("http://"),
        Just("HTTPS://"),
        Just("ftp://"),
        Just(""),
        Just("//"),
    ];
    let host = prop_oneof![
        // Generated-name shaped, with random pieces.
        "[a-zA-Z0-9-]{0,12}-[0-9a-fA-F]{0,22}\\.[0-9a-z]{0,9}\\.vpc-lattice-svcs\\.[a-z0-9-]{0,14}\\.on\\.aws\\.?",
        "[a-zA-Z0-9.-]{0,30}\\.example\\.internal\\.{0,3}",
        "[a-zA-Z0-9_.~%@:\\[\\]-]{0,40}",
        "\\PC{0,20}",
    ];
    let port = prop_oneof![
        Just(String::new()),
        Just(":".to_owned()),
        (0u32..70_000).prop_map(|p| format!(":{p}")),
    ];
    let path =
        "(/[a-zA-Z0-9%._~!$&'()*+,;=:@ -]{0,12}){0,4}(\\?[a-zA-Z0-9%=&+ ]{0,20})?(#[a-z]{0,4})?";
    (scheme, host, port, path).prop_map(|(s, h, p, path)| format!("{s}{h}{p}{path}"))
}

fn headers_strategy() -> impl Strategy<Value = Vec<(Vec<u8>, Vec<u8>)>> {
    let name = prop_oneof![
        Just(b"host".to_vec()),
        Just(b"Host".to_vec()),
        Just(b"authorization".to_vec()),
        Just(b"x-amz-date".to_vec()),
        Just(b"x-amz-security-token".to_vec()),
        Just(b"x-forwarded-for".to_vec()),
        "[a-z][a-z0-9-]{0,10}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    let value = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..40),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        "[a-zA-Z0-9.:-]{0,60}".prop_map(String::into_bytes),
    ];
    proptest::collection::vec((name, value), 0..6)
}

/// After a successful signature the head is self-consistent.
fn check_signed(request: &Request<()>, host: &str) -> Result<(), TestCaseError> {
    let headers = request.headers();
    prop_assert_eq!(headers.get_all("authorization").iter().count(), 1);
    prop_assert_eq!(headers.get_all("x-amz-date").iter().count(), 1);
    prop_assert_eq!(
        headers
            .get("x-amz-content-sha256")
            .map(HeaderValue::as_bytes),
        Some(&b"UNSIGNED-PAYLOAD"[..])
    );
    prop_assert!(
        headers.get("host").is_none(),
        "the host header is left to hyper"
    );
    prop_assert_eq!(
        request.uri().authority().map(|a| a.as_str()),
        Some(host),
        "the signed host is the URI authority"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_with_never_panics(uri in uri_strategy(), headers in headers_strategy()) {
        let Some(request) = arbitrary_request(&uri, &headers) else {
            return Ok(());
        };
        for signer in [strict_signer(), any_host_signer()] {
            let mut request = Request::from_parts(request.clone().into_parts().0, ());
            if let Ok(report) = signer.sign_with(&mut request, &temporary_credentials()) {
                check_signed(&request, &report.host)?;
            }
        }
    }

    #[test]
    fn layer_never_panics(uri in uri_strategy(), headers in headers_strategy(), origin in any::<bool>()) {
        let Some(request) = arbitrary_request(&uri, &headers) else {
            return Ok(());
        };
        let transport = service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(Response::new(req))
        });
        let mut layer = SigV4Layer::new(any_host_signer());
        if origin {
            layer = layer
                .with_origin(Uri::from_static(
                    "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                ))
                .expect("origin");
        }
        let service = ServiceBuilder::new().layer(layer).service(transport);
        if let Ok(response) = runtime().block_on(service.oneshot(request)) {
            let seen = response.into_body();
            let host = seen.uri().authority().map(ToString::to_string).unwrap_or_default();
            check_signed(&seen, &host)?;
        }
    }
}

/// A valid generated name, its spellings, and the authority that must be
/// signed and sent.
#[derive(Debug, Clone)]
struct Spelling {
    /// Canonical lower-case name.
    name: String,
    /// The URI authority as the caller writes it.
    written: String,
    /// The authority after normalisation.
    expected: String,
    scheme: &'static str,
}

fn generated_name() -> impl Strategy<Value = String> {
    (
        "[a-z][a-z0-9-]{0,18}[a-z0-9]",
        "[0-9a-f]{17}",
        "[0-9a-f]{7}",
        prop_oneof![
            Just("us-west-2"),
            Just("us-east-1"),
            Just("eu-central-1"),
            Just("ap-southeast-2")
        ],
    )
        .prop_map(|(svc, id, partition, region)| {
            format!("{svc}-{id}.{partition}.vpc-lattice-svcs.{region}.on.aws")
        })
}

fn respell(name: &str, case_mask: u64, dot: bool) -> String {
    let mut out: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if case_mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    if dot {
        out.push('.');
    }
    out
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        generated_name(),
        any::<u64>(),
        any::<bool>(),
        prop_oneof![Just("https"), Just("http")],
        prop_oneof![Just(None), Just(Some(0u16)), (1u16..=65535).prop_map(Some)],
    )
        .prop_map(|(name, mask, dot, scheme, port)| {
            let default = if scheme == "https" { 443 } else { 80 };
            let host = respell(&name, mask, dot);
            // `Some(0)` stands for "the scheme's default port, written out".
            let (written, expected) = match port {
                None => (host, name.clone()),
                Some(0) => (format!("{host}:{default}"), name.clone()),
                Some(p) if p == default => (format!("{host}:{p}"), name.clone()),
                Some(p) => (format!("{host}:{p}"), format!("{name}:{p}")),
            };
            Spelling {
                name,
                written,
                expected,
                scheme,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// At the transport behind the layer, the URI carries the normalised
    /// authority (hyper derives `Host` / `:authority` from it), and
    /// `aws-sigv4` with that authority as `host` computes the same signature.
    #[test]
    fn generated_names_are_signed_with_the_normalised_authority(s in spelling(), path in "(/[a-z0-9]{1,8}){0,3}") {
        let transport = service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(Response::new(req))
        });
        let service = ServiceBuilder::new()
            .layer(SigV4Layer::new(strict_signer()))
            .service(transport);
        let request = Request::get(format!("{}://{}{path}", s.scheme, s.written))
            .body(())
            .expect("request");
        let seen = runtime()
            .block_on(service.oneshot(request))
            .expect("a valid generated name is signed")
            .into_body();
        check_signed(&seen, &s.expected)?;
        // What hyper would send on HTTP/1.1: origin-form and `Host`.
        let mut headers = seen.headers().clone();
        headers.insert("host", HeaderValue::from_str(&s.expected).expect("authority"));
        let captured = CapturedRequest {
            version: Version::HTTP_11,
            method: seen.method().clone(),
            uri: seen.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/").parse().expect("path"),
            headers,
            authority: None,
            tls: false,
            alpn: None,
            body_len: None,
        };
        let region = s.name.split('.').nth(3).expect("region label");
        let expected = expected_authorization(
            &captured,
            s.scheme,
            &temporary_credentials(),
            region,
            fixed_time(),
        )
        .expect("re-sign");
        prop_assert_eq!(
            seen.headers().get("authorization").and_then(|v| v.to_str().ok()),
            Some(expected.as_str())
        );
    }
}

/// Plain-HTTP capture servers for HTTP/1.1 and HTTP/2 (prior knowledge),
/// shared by every case of the wire property.
fn wire_servers() -> &'static (CaptureServer, CaptureServer) {
    static SERVERS: OnceLock<(CaptureServer, CaptureServer)> = OnceLock::new();
    SERVERS.get_or_init(|| {
        runtime().block_on(async {
            (
                CaptureServer::plain(Protocol::Http1)
                    .await
                    .expect("h1 server"),
                CaptureServer::plain(Protocol::Http2)
                    .await
                    .expect("h2 server"),
            )
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through the real hyper client: whatever the case or trailing dot, the
    /// server receives the lower-case name and port in `Host` (HTTP/1.1) or
    /// `:authority` (HTTP/2), and the signature verifies with it.
    #[test]
    fn generated_names_go_on_the_wire_normalised(name in generated_name(), mask in any::<u64>(), dot in any::<bool>()) {
        let (h1, h2) = wire_servers();
        for (server, http2) in [(h1, false), (h2, true)] {
            let resolver = Resolver::new()
                .with_override(&name, [IpAddr::V4(Ipv4Addr::LOCALHOST)])
                .expect("override")
                .without_system_fallback();
            let client = HyperClientBuilder::new(strict_signer())
                .resolver(resolver)
                .platform_roots(false)
                .http2_only(http2)
                .build::<Full<Bytes>>()
                .expect("client");
            let before = server.requests().len();
            let uri = format!("http://{}:{}/p", respell(&name, mask, dot), server.port());
            let response = runtime()
                .block_on(client.request(Request::get(uri).body(Full::default()).expect("request")))
                .expect("response");
            prop_assert_eq!(response.status(), 200);
            let requests = server.requests();
            prop_assert_eq!(requests.len(), before + 1);
            let r = &requests[before];
            let expected = format!("{name}:{}", server.port());
            prop_assert_eq!(r.wire_authority(), Some(expected.clone()));
            if http2 {
                prop_assert_eq!(r.version, Version::HTTP_2);
                prop_assert!(r.headers.get("host").is_none());
            } else {
                prop_assert_eq!(r.version, Version::HTTP_11);
                prop_assert_eq!(r.header_values("host"), vec![expected.clone()]);
            }
            let region = name.split('.').nth(3).expect("region label");
            let authorization = expected_authorization(r, "http", &temporary_credentials(), region, fixed_time())
                .expect("re-sign");
            prop_assert_eq!(r.header_values("authorization"), vec![authorization]);
        }
    }
}
