//! The reqwest adapter against loopback servers: what arrives on the wire is
//! signed (and the signature checks out), bodies stream, redirects never carry
//! credentials to a host the signer may not sign for.
#![cfg(feature = "reqwest")]
#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_smithy_async::time::StaticTimeSource;
use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderMap, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lattice_client::reqwest::{
    Error as ReqwestError, LatticeClient, RedirectPolicy, SigV4Middleware,
};
use lattice_client::resolve::Resolver;
use lattice_client::sign::SIGNING_HEADERS;
use lattice_client::{Credentials, Error, Signer, SigningRegion};
use tokio::net::TcpListener;
use tokio::sync::Notify;

const ORDERS: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
const PAYMENTS: &str = "payments-0fedcba98765432100.7d67968.vpc-lattice-svcs.eu-west-1.on.aws";
const OTHER: &str = "other.example.test";
const TOKEN: &str = "FAKE-SESSION-TOKEN-EXAMPLE";

fn credentials() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some(TOKEN.to_owned()),
        None,
        "test",
    )
}

fn signer() -> Signer {
    Signer::builder()
        .credentials(credentials())
        // 2024-01-02T03:04:05Z
        .time_source(StaticTimeSource::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645),
        ))
        .build()
        .unwrap()
}

fn resolver() -> Resolver {
    let lo = [IpAddr::V4(Ipv4Addr::LOCALHOST)];
    Resolver::new()
        .with_override(ORDERS, lo)
        .and_then(|r| r.with_override(PAYMENTS, lo))
        .and_then(|r| r.with_override(OTHER, lo))
        .unwrap()
        .without_system_fallback()
}

fn client(max_hops: usize) -> LatticeClient {
    client_with(RedirectPolicy::same_host(max_hops))
}

fn client_with(policy: RedirectPolicy) -> LatticeClient {
    LatticeClient::builder(signer())
        .resolver(resolver())
        .platform_roots(false)
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .redirect(policy)
        .build()
        .unwrap()
}

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    /// `Host` on HTTP/1.1, `:authority` on HTTP/2.
    fn host(&self) -> String {
        match self.headers.get("host") {
            Some(h) => h.to_str().unwrap().to_owned(),
            None => self.uri.authority().unwrap().to_string(),
        }
    }

    fn has_credentials(&self) -> bool {
        self.headers.contains_key("authorization")
            || self.headers.contains_key("x-amz-security-token")
    }

    /// Signs the received request again with the same signer and clock and
    /// compares the `authorization` headers.
    fn assert_signature(&self, scheme: &str, region: Option<&str>) {
        let auth = self.headers["authorization"].to_str().unwrap();
        let signed = auth
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap();
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(format!(
                "{scheme}://{}{}",
                self.host(),
                self.uri.path_and_query().unwrap()
            ))
            .body(())
            .unwrap();
        for name in signed.split(';') {
            if name == "host" || SIGNING_HEADERS.contains(&name) {
                continue;
            }
            for value in self.headers.get_all(name) {
                request.headers_mut().append(
                    http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.clone(),
                );
            }
        }
        if let Some(region) = region {
            request
                .extensions_mut()
                .insert(SigningRegion::new(region.to_owned()));
        }
        signer().sign_with(&mut request, &credentials()).unwrap();
        assert_eq!(request.headers()["authorization"], auth, "{self:?}");
    }
}

struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Notified when a request head has arrived (before its body is read).
    head: Arc<Notify>,
    /// Connections accepted so far.
    connections: Arc<AtomicUsize>,
}

impl Server {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }
}

fn route(port: u16, path: &str, body: Bytes) -> Response<Full<Bytes>> {
    let redirect = |status: StatusCode, location: String| {
        Response::builder()
            .status(status)
            .header("location", location)
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    let ok = |body: Bytes| Response::new(Full::new(body));
    match path {
        "/echo" => ok(body),
        "/to-other" => redirect(StatusCode::FOUND, format!("http://{OTHER}:{port}/landing")),
        "/to-other-307" => redirect(
            StatusCode::TEMPORARY_REDIRECT,
            format!("http://{OTHER}:{port}/landing"),
        ),
        "/to-payments" => redirect(StatusCode::FOUND, format!("http://{PAYMENTS}:{port}/ok")),
        "/see-other" => redirect(StatusCode::SEE_OTHER, "/ok".into()),
        "/temp" => redirect(StatusCode::TEMPORARY_REDIRECT, "/echo".into()),
        p if p.starts_with("/chain/") => match p["/chain/".len()..].parse::<u32>() {
            Ok(0) => ok(Bytes::from_static(b"end")),
            // A relative location: `/chain/3` -> `/chain/2`.
            Ok(n) => redirect(StatusCode::TEMPORARY_REDIRECT, (n - 1).to_string()),
            Err(_) => ok(Bytes::new()),
        },
        _ => ok(Bytes::from_static(b"ok")),
    }
}

async fn start(tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let head = Arc::new(Notify::new());
    let connections = Arc::new(AtomicUsize::new(0));
    let (seen2, head2, connections2) = (seen.clone(), head.clone(), connections.clone());
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            connections2.fetch_add(1, Ordering::SeqCst);
            let (seen, head, tls) = (seen2.clone(), head2.clone(), tls.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let (seen, head) = (seen.clone(), head.clone());
                    async move {
                        head.notify_one();
                        let (parts, body) = request.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        seen.lock().unwrap().push(Seen {
                            method: parts.method.clone(),
                            uri: parts.uri.clone(),
                            version: parts.version,
                            headers: parts.headers.clone(),
                            body: body.clone(),
                        });
                        Ok::<_, Infallible>(route(port, parts.uri.path(), body))
                    }
                });
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = match tls {
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(stream) => {
                            builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await
                        }
                        Err(_) => return,
                    },
                    None => builder.serve_connection(TokioIo::new(tcp), service).await,
                };
            });
        }
    });
    Server {
        port,
        seen,
        head,
        connections,
    }
}

fn assert_signed_for(seen: &Seen, host: &str, port: u16) {
    let auth = seen.headers["authorization"].to_str().unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/"),
        "{auth}"
    );
    assert_eq!(seen.headers["x-amz-date"], "20240102T030405Z");
    assert_eq!(seen.headers["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    assert_eq!(seen.headers["x-amz-security-token"], TOKEN);
    assert_eq!(seen.host(), format!("{host}:{port}"));
}

#[tokio::test]
async fn request_arrives_signed_for_the_host_it_reaches() {
    let server = start(None).await;
    // Upper case and a trailing dot: the signer normalises the authority and
    // the normalised one goes out.
    let url = server.url(&format!("{}.", ORDERS.to_uppercase()), "/ok?b=2&a=1");
    let response = client(0)
        .get(url)
        .header("x-custom", "value")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_signed_for(&seen[0], ORDERS, server.port);
    let auth = seen[0].headers["authorization"].to_str().unwrap();
    assert!(
        auth.contains("/us-west-2/vpc-lattice-svcs/aws4_request"),
        "{auth}"
    );
    assert!(
        auth.contains(
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-custom,"
        ),
        "{auth}"
    );
    seen[0].assert_signature("http", None);
}

#[tokio::test]
async fn region_override_is_signed() {
    let server = start(None).await;
    let response = client(0)
        .get(server.url(ORDERS, "/ok"))
        .region("us-east-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = server.seen();
    let auth = seen[0].headers["authorization"].to_str().unwrap();
    assert!(
        auth.contains("/us-east-1/vpc-lattice-svcs/aws4_request"),
        "{auth}"
    );
    seen[0].assert_signature("http", Some("us-east-1"));
}

#[tokio::test]
async fn refused_host_is_a_typed_error_and_nothing_is_sent() {
    let server = start(None).await;
    let err = client(0)
        .get(server.url(OTHER, "/ok"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReqwestError::Lattice(Error::HostNotAllowed { ref host }) if host == OTHER),
        "{err}"
    );
    assert!(server.seen().is_empty());
}

/// The error and each of its sources, outermost first, nothing skipped.
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut links = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        links.push(e.to_string());
        source = e.source();
    }
    links
}

#[tokio::test]
async fn a_transport_error_prints_each_cause_once() {
    let missing = "missing-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
    let err = client(0)
        .get(format!("http://{missing}:1/ok"))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, ReqwestError::Reqwest(_)), "{err:?}");
    let links = chain(&err);
    let line = links.join(": ");
    assert!(
        links.iter().any(|l| l.contains("could not resolve")),
        "{line}"
    );
    for link in &links {
        assert_eq!(
            line.matches(link.as_str()).count(),
            1,
            "`{link}` is printed more than once: {line}"
        );
    }
}

#[tokio::test]
async fn streaming_body_is_not_polled_before_the_head_is_sent() {
    let server = start(None).await;
    let head = server.head.clone();
    let first = async move {
        match tokio::time::timeout(Duration::from_secs(10), head.notified()).await {
            Ok(()) => Ok(Bytes::from_static(b"first ")),
            Err(_) => Err(io::Error::other(
                "the body was polled before the request head reached the server",
            )),
        }
    };
    let stream = futures_util::stream::once(first).chain(futures_util::stream::once(async {
        Ok::<_, io::Error>(Bytes::from_static(b"second"))
    }));
    let response = client(0)
        .post(server.url(ORDERS, "/echo"))
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), "first second");
    let seen = server.seen();
    assert_signed_for(&seen[0], ORDERS, server.port);
    seen[0].assert_signature("http", None);
}

#[tokio::test]
async fn cross_host_redirect_is_returned_when_not_following() {
    let server = start(None).await;
    let response = client(0)
        .get(server.url(ORDERS, "/to-other"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen.iter().all(|s| s.host().starts_with(ORDERS)));
}

#[tokio::test]
async fn cross_host_redirect_to_a_host_the_signer_refuses_is_not_followed() {
    let server = start(None).await;
    for path in ["/to-other", "/to-other-307"] {
        let response = client(5)
            .get(server.url(ORDERS, path))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{path}");
        assert_eq!(
            response.headers()["location"],
            server.url(OTHER, "/landing").as_str()
        );
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for s in seen.iter().filter(|s| s.host().starts_with(OTHER)) {
        assert!(!s.has_credentials(), "credentials leaked to {OTHER}: {s:?}");
    }
    assert!(seen.iter().all(|s| s.host().starts_with(ORDERS)));
}

#[tokio::test]
async fn by_default_a_redirect_to_another_lattice_service_is_not_followed() {
    let server = start(None).await;
    let response = client(5)
        .get(server.url(ORDERS, "/to-payments"))
        .header("x-api-key", "orders-only-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen.iter().all(|s| s.host().starts_with(ORDERS)));
}

#[tokio::test]
async fn cross_host_redirect_is_signed_for_the_new_host_and_drops_custom_headers() {
    let server = start(None).await;
    let response = client_with(RedirectPolicy::cross_host(5))
        .get(server.url(ORDERS, "/to-payments"))
        .header("cookie", "session=orders-only")
        .header("x-api-key", "orders-only-key")
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers["x-api-key"], "orders-only-key");
    assert_signed_for(&seen[1], PAYMENTS, server.port);
    let auth = seen[1].headers["authorization"].to_str().unwrap();
    assert!(
        auth.contains("/eu-west-1/vpc-lattice-svcs/aws4_request"),
        "{auth}"
    );
    assert!(!seen[1].headers.contains_key("cookie"));
    assert!(
        !seen[1].headers.contains_key("x-api-key"),
        "a custom header reached the second host: {:?}",
        seen[1].headers
    );
    assert_eq!(seen[1].headers["accept"], "application/json");
    seen[1].assert_signature("http", None);
}

#[tokio::test]
async fn same_host_redirects_are_resigned_and_followed() {
    let server = start(None).await;
    let response = client(5)
        .get(server.url(ORDERS, "/chain/3"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.url().path(), "/chain/0");
    assert_eq!(response.bytes().await.unwrap(), "end");
    let seen = server.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.uri.path()).collect();
    assert_eq!(paths, ["/chain/3", "/chain/2", "/chain/1", "/chain/0"]);
    let mut signatures = Vec::new();
    for s in &seen {
        assert_signed_for(s, ORDERS, server.port);
        s.assert_signature("http", None);
        assert_eq!(s.headers.get_all("authorization").iter().count(), 1);
        signatures.push(s.headers["authorization"].clone());
    }
    signatures.dedup();
    assert_eq!(signatures.len(), 4, "each hop has its own signature");
}

#[tokio::test]
async fn hop_limit_is_respected() {
    let server = start(None).await;
    let response = client(2)
        .get(server.url(ORDERS, "/chain/5"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(response.url().path(), "/chain/3");
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn replayable_body_is_resent_on_307_but_a_stream_is_not() {
    let server = start(None).await;
    let response = client(5)
        .post(server.url(ORDERS, "/temp"))
        .body("payload")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), "payload");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, Method::POST);
    assert_eq!(seen[1].uri.path(), "/echo");
    seen[1].assert_signature("http", None);

    let server = start(None).await;
    let stream = futures_util::stream::iter([Ok::<_, io::Error>("streamed")]);
    let response = client(5)
        .post(server.url(ORDERS, "/temp"))
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "the stream was not sent again");
    assert_eq!(seen[0].body, "streamed");
}

#[tokio::test]
async fn see_other_turns_a_streamed_post_into_a_get() {
    let server = start(None).await;
    let stream = futures_util::stream::iter([Ok::<_, io::Error>("form")]);
    let response = client(5)
        .post(server.url(ORDERS, "/see-other"))
        .header("content-type", "text/plain")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, Method::GET);
    assert_eq!(seen[1].uri.path(), "/ok");
    assert!(seen[1].body.is_empty());
    assert!(!seen[1].headers.contains_key("content-type"));
    seen[1].assert_signature("http", None);
}

fn middleware_client() -> reqwest_middleware::ClientWithMiddleware {
    // `client(0).reqwest_client()` never follows redirects by itself.
    reqwest_middleware::ClientBuilder::new(client(0).reqwest_client().clone())
        .with(SigV4Middleware::new(signer()))
        .build()
}

#[tokio::test]
async fn middleware_signs_each_request() {
    let server = start(None).await;
    let client = middleware_client();
    let response = client.get(server.url(ORDERS, "/ok")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = client
        .get(server.url(ORDERS, "/ok"))
        .with_extension(SigningRegion::new("us-east-2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = server.seen();
    assert_signed_for(&seen[0], ORDERS, server.port);
    seen[0].assert_signature("http", None);
    assert_signed_for(&seen[1], ORDERS, server.port);
    seen[1].assert_signature("http", Some("us-east-2"));
}

#[tokio::test]
async fn middleware_streams_and_does_not_follow_redirects() {
    let server = start(None).await;
    let head = server.head.clone();
    let first = async move {
        match tokio::time::timeout(Duration::from_secs(10), head.notified()).await {
            Ok(()) => Ok(Bytes::from_static(b"late chunk")),
            Err(_) => Err(io::Error::other(
                "the body was polled before the head was sent",
            )),
        }
    };
    let response = middleware_client()
        .post(server.url(ORDERS, "/to-other-307"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::once(
            first,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TEMPORARY_REDIRECT);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].body, "late chunk");
    assert!(seen.iter().all(|s| s.host().starts_with(ORDERS)));
    seen[0].assert_signature("http", None);
}

#[tokio::test]
async fn middleware_refused_host_is_a_typed_error() {
    let server = start(None).await;
    let err = middleware_client()
        .get(server.url(OTHER, "/ok"))
        .send()
        .await
        .unwrap_err();
    let reqwest_middleware::Error::Middleware(inner) = err else {
        panic!("expected a middleware error, got {err:?}");
    };
    assert!(matches!(
        inner.downcast_ref::<Error>(),
        Some(Error::HostNotAllowed { .. })
    ));
    assert!(server.seen().is_empty());
}

/// A CA and a server certificate for the Lattice names, and the CA as PEM.
fn tls_acceptor() -> (tokio_rustls::TlsAcceptor, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![ORDERS.to_owned(), PAYMENTS.to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(lattice_client::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        ca_cert.pem(),
    )
}

#[tokio::test]
async fn https_with_an_extra_root_negotiates_h2_and_signs_the_authority() {
    let (acceptor, ca_pem) = tls_acceptor();
    let server = start(Some(acceptor)).await;
    let client = LatticeClient::builder(signer())
        .resolver(resolver())
        .platform_roots(false)
        .add_root_certificates_pem(ca_pem)
        .no_proxy()
        .build()
        .unwrap();
    let url = format!("https://{ORDERS}:{}/ok", server.port);
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_2);
    let seen = server.seen();
    assert_eq!(seen[0].version, Version::HTTP_2);
    assert!(
        !seen[0].headers.contains_key("host"),
        "HTTP/2 sends :authority"
    );
    assert_signed_for(&seen[0], ORDERS, server.port);
    seen[0].assert_signature("https", None);

    // Without the CA the handshake fails: the extra root is what made it work.
    let untrusting = LatticeClient::builder(signer())
        .resolver(resolver())
        .platform_roots(false)
        .no_proxy()
        .build()
        .unwrap();
    let err = untrusting.get(&url).send().await.unwrap_err();
    assert!(matches!(err, ReqwestError::Reqwest(_)), "{err}");
}

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_user_client_that_follows_redirects_itself_is_reported() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = start(None).await;
    // Wrong on purpose: reqwest's own redirect policy.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .dns_resolver(Arc::new(resolver()))
        .no_proxy()
        .build()
        .unwrap();
    let response = LatticeClient::from_client(http, signer())
        .get(server.url(ORDERS, "/chain/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("followed a redirect by itself"), "{logs}");
    assert!(!logs.contains(TOKEN), "{logs}");
}

#[tokio::test]
async fn idle_connections_are_dropped_after_the_pool_idle_timeout() {
    // The default keeps a connection between two close requests.
    let server = start(None).await;
    let client = client(0);
    for _ in 0..2 {
        let response = client.get(server.url(ORDERS, "/ok")).send().await.unwrap();
        assert_eq!(response.bytes().await.unwrap(), "ok");
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);

    // A connection idle for longer than the pool idle timeout is not used
    // again: the next request opens a new one (as it must once Lattice has
    // closed an idle connection, after 60 s; the default is 50 s).
    let server = start(None).await;
    let client = LatticeClient::builder(signer())
        .resolver(resolver())
        .no_proxy()
        .pool_idle_timeout(Some(Duration::from_millis(50)))
        .build()
        .unwrap();
    for _ in 0..2 {
        let response = client.get(server.url(ORDERS, "/ok")).send().await.unwrap();
        assert_eq!(response.bytes().await.unwrap(), "ok");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn user_agent_defaults_to_the_crate_and_can_be_replaced() {
    let server = start(None).await;
    client(0)
        .get(server.url(ORDERS, "/ok"))
        .send()
        .await
        .unwrap();
    let custom = LatticeClient::builder(signer())
        .resolver(resolver())
        .no_proxy()
        .user_agent("orders-app/1.0")
        .unwrap()
        .build()
        .unwrap();
    custom.get(server.url(ORDERS, "/ok")).send().await.unwrap();
    custom
        .get(server.url(ORDERS, "/ok"))
        .header("user-agent", "per-request/2")
        .send()
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(
        seen[0].headers["user-agent"],
        format!("lattice-client/{}", env!("CARGO_PKG_VERSION")).as_str()
    );
    assert_eq!(seen[1].headers["user-agent"], "orders-app/1.0");
    assert_eq!(seen[2].headers["user-agent"], "per-request/2");
    assert!(
        LatticeClient::builder(signer())
            .user_agent("bad\nagent")
            .is_err()
    );
}

#[tokio::test]
async fn configure_reaches_the_reqwest_builder() {
    let server = start(None).await;
    let client = LatticeClient::builder(signer())
        .resolver(resolver())
        .no_proxy()
        .configure(|b| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert("x-configured", "yes".parse().unwrap());
            b.default_headers(headers)
        })
        .build()
        .unwrap();
    client.get(server.url(ORDERS, "/ok")).send().await.unwrap();
    assert_eq!(server.seen()[0].headers["x-configured"], "yes");
}

#[cfg(feature = "json")]
#[tokio::test]
async fn json_bodies_are_sent_and_read() {
    let server = start(None).await;
    let response = client(0)
        .post(server.url(ORDERS, "/echo"))
        .json(&serde_json::json!({ "item": 42 }))
        .send()
        .await
        .unwrap();
    let value: serde_json::Value = response.json().await.unwrap();
    assert_eq!(value["item"], 42);
    let seen = server.seen();
    assert_eq!(seen[0].headers["content-type"], "application/json");
    seen[0].assert_signature("http", None);
}
