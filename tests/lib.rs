//! Shared helpers for end-to-end tests.
//!
//! * [`TestPki`]: a test CA and a server certificate (ECDSA P-256, from `lattice_fake::pki`) for
//!   a generated Lattice name such as [`SERVICE_NAME`].
//! * [`CaptureServer`]: a loopback hyper-util server, HTTP/1.1 only, HTTP/2
//!   only or both, over TLS or plain TCP, that records the head of every
//!   request it receives ([`CapturedRequest`]), counts and discards the body,
//!   and replies `200`.
//! * [`ManualClock`] and [`CountingProvider`]: a clock tests advance by hand
//!   and a credentials provider that counts its calls.
//! * [`expected_authorization`]: re-signs a received request head with
//!   `aws-sigv4` directly, as a verifier would.
//!
//! Nothing here reaches the network: servers bind `127.0.0.1`, resolvers
//! have overrides and no system fallback, credentials are static examples.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_async::time::TimeSource;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, Uri, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use lattice_client::resolve::Resolver;
use rustls_pki_types::CertificateDer;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A generated VPC Lattice service name (region `us-west-2`).
pub const SERVICE_NAME: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

/// The region inside [`SERVICE_NAME`].
pub const REGION: &str = "us-west-2";

/// The example access key id used by every test.
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";

/// The example secret access key used by every test; it must never appear
/// in logs, `Debug` or `Display` output.
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

/// A fake session token; it must never appear in logs, `Debug` or `Display`
/// output (it does appear, by design, in `x-amz-security-token` on the wire).
pub const SESSION_TOKEN: &str = "FAKE-SESSION-TOKEN-e2e-7f3c9a1b5d";

/// Temporary (session) credentials with no expiry.
pub fn temporary_credentials() -> Credentials {
    Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        Some(SESSION_TOKEN.to_owned()),
        None,
        "lattice-tests",
    )
}

/// A fixed signing time: 2024-01-02T03:04:05Z.
pub fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
}

/// `x-amz-date` for [`fixed_time`].
pub const FIXED_AMZ_DATE: &str = "20240102T030405Z";

/// A resolver that maps [`SERVICE_NAME`] (and every other name under its
/// partition) to `127.0.0.1` and never asks the system resolver.
///
/// # Errors
///
/// Only if the override names were invalid (a bug in this helper).
pub fn loopback_resolver() -> anyhow::Result<Resolver> {
    Ok(Resolver::new()
        .with_override(SERVICE_NAME, [IpAddr::V4(Ipv4Addr::LOCALHOST)])?
        .with_override(
            "*.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            [IpAddr::V4(Ipv4Addr::LOCALHOST)],
        )?
        .without_system_fallback())
}

/// A test certificate authority and one server certificate it issued, from
/// the fake's test PKI ([`lattice_fake::pki`]).
#[derive(Debug)]
pub struct TestPki {
    /// The CA certificate, to add to a client's roots.
    pub ca: CertificateDer<'static>,
    /// The CA certificate as PEM.
    pub ca_pem: String,
    /// The server certificate (valid for the names given to [`generate`](Self::generate)).
    pub server_cert: CertificateDer<'static>,
    leaf: lattice_fake::pki::Leaf,
}

/// Which application protocols a [`CaptureServer`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// HTTP/1.1 only (TLS: ALPN `http/1.1` only).
    Http1,
    /// HTTP/2 only (TLS: ALPN `h2` only; plain: prior knowledge).
    Http2,
    /// Both (TLS: ALPN `h2` and `http/1.1`; plain: detected from the preface).
    Auto,
}

impl TestPki {
    /// Generates a CA and a server certificate for `names` (ECDSA P-256).
    ///
    /// # Errors
    ///
    /// When a name is not a DNS name or address.
    pub fn generate(names: &[&str]) -> anyhow::Result<Self> {
        let pki = lattice_fake::pki::TestPki::new()?;
        let leaf = pki.issue(names)?;
        Ok(Self {
            ca: pki.ca_der().clone(),
            ca_pem: pki.ca_pem().to_owned(),
            server_cert: leaf.cert_der().clone(),
            leaf,
        })
    }

    /// A rustls server configuration (aws-lc-rs passed explicitly) offering
    /// the ALPN protocols of `protocol`.
    ///
    /// # Errors
    ///
    /// When rustls rejects the certificate or key (not expected).
    pub fn server_config(&self, protocol: Protocol) -> anyhow::Result<rustls::ServerConfig> {
        let alpn: &[&[u8]] = match protocol {
            Protocol::Http1 => &[b"http/1.1"],
            Protocol::Http2 => &[b"h2"],
            Protocol::Auto => &[b"h2", b"http/1.1"],
        };
        Ok(self.leaf.server_config(alpn)?)
    }
}

/// The head of one request as a [`CaptureServer`] received it.
#[derive(Debug, Clone)]
pub struct CapturedRequest {
    /// The HTTP version hyper's server saw.
    pub version: Version,
    /// The method.
    pub method: Method,
    /// The URI as received: origin-form (`/path?query`) on HTTP/1.1, absolute
    /// (from `:scheme` and `:authority`) on HTTP/2.
    pub uri: Uri,
    /// Every header as received.
    pub headers: HeaderMap,
    /// The `:authority` on HTTP/2 (hyper's server puts it in the URI); the
    /// authority of an absolute-form URI on HTTP/1.1 (normally `None`).
    pub authority: Option<String>,
    /// Whether the connection was TLS.
    pub tls: bool,
    /// The ALPN protocol negotiated on the connection, if any.
    pub alpn: Option<Vec<u8>>,
    /// Body bytes received; `None` while the body is still being read or if
    /// reading it failed.
    pub body_len: Option<u64>,
}

impl CapturedRequest {
    /// The authority the client sent: `:authority` on HTTP/2, else `Host`.
    pub fn wire_authority(&self) -> Option<String> {
        self.authority.clone().or_else(|| {
            self.headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
    }

    /// Every value of header `name`, as text (non-UTF-8 values lossily).
    pub fn header_values(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    /// The single value of header `name`; `None` when absent or repeated.
    pub fn single_header(&self, name: &str) -> Option<String> {
        let values = self.header_values(name);
        match values.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// The `SignedHeaders=` list of the `authorization` header, split.
    pub fn signed_headers(&self) -> Vec<String> {
        self.single_header("authorization")
            .and_then(|a| {
                a.split("SignedHeaders=")
                    .nth(1)
                    .and_then(|s| s.split(',').next())
                    .map(|s| s.split(';').map(str::to_owned).collect())
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
struct Recorded {
    requests: Mutex<Vec<CapturedRequest>>,
    connections: AtomicUsize,
}

impl Recorded {
    fn lock(&self) -> MutexGuard<'_, Vec<CapturedRequest>> {
        self.requests.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A capturing loopback server; stops (with every connection) when dropped.
#[derive(Debug)]
pub struct CaptureServer {
    addr: SocketAddr,
    protocol: Protocol,
    tls: bool,
    recorded: Arc<Recorded>,
    heads: watch::Receiver<usize>,
    done: watch::Receiver<usize>,
    task: JoinHandle<()>,
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl CaptureServer {
    /// Starts a plain-TCP server on `127.0.0.1` (ephemeral port).
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub async fn plain(protocol: Protocol) -> anyhow::Result<Self> {
        Self::start(protocol, None).await
    }

    /// Starts a TLS server on `127.0.0.1` with `pki`'s server certificate.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound or the TLS configuration is rejected.
    pub async fn tls(protocol: Protocol, pki: &TestPki) -> anyhow::Result<Self> {
        let config = pki.server_config(protocol)?;
        Self::start(
            protocol,
            Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
        )
        .await
    }

    async fn start(
        protocol: Protocol,
        acceptor: Option<tokio_rustls::TlsAcceptor>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let recorded = Arc::new(Recorded::default());
        let (heads_tx, heads) = watch::channel(0usize);
        let (done_tx, done) = watch::channel(0usize);
        let heads_tx = Arc::new(heads_tx);
        let done_tx = Arc::new(done_tx);
        let tls = acceptor.is_some();
        let state = recorded.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _peer)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                state.connections.fetch_add(1, Ordering::SeqCst);
                let conn = Connection {
                    recorded: state.clone(),
                    heads: heads_tx.clone(),
                    done: done_tx.clone(),
                    protocol,
                };
                let acceptor = acceptor.clone();
                connections.spawn(async move {
                    match acceptor {
                        Some(acceptor) => {
                            let Ok(stream) = acceptor.accept(stream).await else {
                                return;
                            };
                            let alpn = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                            conn.serve(stream, true, alpn).await;
                        }
                        None => conn.serve(stream, false, None).await,
                    }
                });
                // Reap finished connections so the set does not grow.
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(Self {
            addr,
            protocol,
            tls,
            recorded,
            heads,
            done,
            task,
        })
    }

    /// The bound address (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The protocols this server speaks.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// `https://<host>:<port>` or `http://<host>:<port>` for this server.
    pub fn origin(&self, host: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{host}:{}", self.port())
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.recorded.lock().clone()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.recorded.connections.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` request heads have arrived.
    ///
    /// # Errors
    ///
    /// After `timeout`.
    pub async fn wait_for_heads(&self, n: usize, timeout: Duration) -> anyhow::Result<()> {
        let mut rx = self.heads.clone();
        tokio::time::timeout(timeout, rx.wait_for(|v| *v >= n))
            .await
            .context("timed out waiting for request heads")??;
        Ok(())
    }

    /// Waits until at least `n` request bodies have been read to the end.
    ///
    /// # Errors
    ///
    /// After `timeout`.
    pub async fn wait_for_bodies(&self, n: usize, timeout: Duration) -> anyhow::Result<()> {
        let mut rx = self.done.clone();
        tokio::time::timeout(timeout, rx.wait_for(|v| *v >= n))
            .await
            .context("timed out waiting for request bodies")??;
        Ok(())
    }
}

#[derive(Clone)]
struct Connection {
    recorded: Arc<Recorded>,
    heads: Arc<watch::Sender<usize>>,
    done: Arc<watch::Sender<usize>>,
    protocol: Protocol,
}

impl Connection {
    async fn serve<IO>(self, io: IO, tls: bool, alpn: Option<Vec<u8>>)
    where
        IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        match self.protocol {
            Protocol::Http1 => builder = builder.http1_only(),
            Protocol::Http2 => builder = builder.http2_only(),
            Protocol::Auto => {}
        }
        let alpn = Arc::new(alpn);
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let this = self.clone();
            let alpn = alpn.clone();
            async move { Ok::<_, Infallible>(this.handle(req, tls, (*alpn).clone()).await) }
        });
        let _ = builder.serve_connection(TokioIo::new(io), service).await;
    }

    async fn handle(
        &self,
        req: Request<Incoming>,
        tls: bool,
        alpn: Option<Vec<u8>>,
    ) -> Response<Full<Bytes>> {
        let (parts, mut body) = req.into_parts();
        let index = {
            let mut requests = self.recorded.lock();
            requests.push(CapturedRequest {
                version: parts.version,
                method: parts.method,
                authority: parts.uri.authority().map(ToString::to_string),
                uri: parts.uri,
                headers: parts.headers,
                tls,
                alpn,
                body_len: None,
            });
            requests.len() - 1
        };
        self.heads.send_modify(|n| *n += 1);
        let mut len = 0u64;
        let mut ok = true;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => {
                    if let Some(data) = frame.data_ref() {
                        len += data.len() as u64;
                    }
                }
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && let Some(r) = self.recorded.lock().get_mut(index) {
            r.body_len = Some(len);
        }
        self.done.send_modify(|n| *n += 1);
        Response::new(Full::new(Bytes::from_static(b"ok")))
    }
}

/// A clock that moves only when a test moves it.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: SystemTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
}

impl TimeSource for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A credentials provider that counts its calls and hands out temporary
/// credentials living `lifetime` from the time on `clock`. The session token
/// of the `n`-th call (from 1) is `"<SESSION_TOKEN>-<n>"`.
#[derive(Debug, Clone)]
pub struct CountingProvider {
    calls: Arc<AtomicUsize>,
    clock: ManualClock,
    lifetime: Duration,
    delay: Duration,
}

impl CountingProvider {
    /// A provider whose credentials live `lifetime`; each call takes `delay`
    /// (a Tokio sleep) so that concurrent callers really overlap.
    pub fn new(clock: ManualClock, lifetime: Duration, delay: Duration) -> Self {
        Self {
            calls: Arc::new(AtomicUsize::new(0)),
            clock,
            lifetime,
            delay,
        }
    }

    /// How many times the provider was called.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The session token the `n`-th call (from 1) hands out.
    pub fn token(n: usize) -> String {
        format!("{SESSION_TOKEN}-{n}")
    }
}

impl ProvideCredentials for CountingProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let this = self.clone();
        future::ProvideCredentials::new(async move {
            tokio::time::sleep(this.delay).await;
            let n = this.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Credentials::new(
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
                Some(Self::token(n)),
                Some(this.clock.now() + this.lifetime),
                "counting",
            ))
        })
    }
}

/// Recomputes the `authorization` header of a received request with
/// `aws-sigv4` directly, the way a verifier does: the headers named in the
/// received `SignedHeaders` (with `host` taken from `:authority` or `Host`),
/// the received method and path, `UNSIGNED-PAYLOAD`, SigV4 for
/// `vpc-lattice-svcs` in `region` at `time` with `credentials`.
///
/// `scheme` completes an origin-form (HTTP/1.1) URI.
///
/// # Errors
///
/// When the request carries no usable `authorization` or authority, or
/// `aws-sigv4` rejects the input.
pub fn expected_authorization(
    request: &CapturedRequest,
    scheme: &str,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> anyhow::Result<String> {
    const ADDED_BY_SIGNER: [&str; 4] = [
        "authorization",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-security-token",
    ];
    let signed = request.signed_headers();
    anyhow::ensure!(!signed.is_empty(), "no SignedHeaders in the request");
    let host = request
        .wire_authority()
        .context("the request carries no authority")?;
    let mut headers: Vec<(&str, &str)> = vec![("host", host.as_str())];
    for (name, value) in &request.headers {
        let name = name.as_str();
        if name == "host" || ADDED_BY_SIGNER.contains(&name) || !signed.iter().any(|s| s == name) {
            continue;
        }
        headers.push((name, value.to_str()?));
    }
    let uri = if request.uri.authority().is_some() {
        request.uri.to_string()
    } else {
        let path = request
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        format!("{scheme}://{host}{path}")
    };
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("vpc-lattice-svcs")
        .time(time)
        .settings(settings)
        .build()?
        .into();
    let signable = SignableRequest::new(
        request.method.as_str(),
        uri.as_str(),
        headers.into_iter(),
        SignableBody::UnsignedPayload,
    )?;
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)?.into_parts();
    let (new_headers, _) = instructions.into_parts();
    new_headers
        .into_iter()
        .find(|h| h.name() == "authorization")
        .map(|h| h.value().to_owned())
        .context("aws-sigv4 produced no authorization header")
}

/// Clients for the fake Lattice.
pub mod fake_clients {
    use std::time::Duration;

    use lattice_client::reqwest::LatticeClient;
    use lattice_fake::FakeHandle;
    use lattice_fake::access_log::AccessLogRecord;

    /// A signing reqwest client for the principal `akid`, resolving the
    /// fake's names to loopback and trusting only its CA.
    ///
    /// # Panics
    ///
    /// When the fake has no such principal.
    pub fn signed_client(fake: &FakeHandle, akid: &str) -> LatticeClient {
        let mut builder = LatticeClient::builder(fake.signer(akid).expect("signer"))
            .resolver(fake.resolver().expect("resolver"))
            .platform_roots(false)
            .no_proxy();
        if let Some(ca) = fake.ca_der() {
            builder = builder.add_root_certificate(ca.clone());
        }
        builder.build().expect("client")
    }

    /// A plain (unsigned) reqwest client for the fake.
    ///
    /// # Panics
    ///
    /// When reqwest rejects the configuration (not expected).
    pub fn anonymous_client(fake: &FakeHandle) -> reqwest::Client {
        let mut builder = reqwest::Client::builder().no_proxy();
        for listener in fake.listeners() {
            builder = builder.resolve(&listener.dns_name, listener.address);
            if let Some(domain) = &listener.custom_domain {
                builder = builder.resolve(domain, listener.address);
            }
        }
        if let Some(pem) = fake.ca_pem() {
            builder = builder
                .tls_certs_only([reqwest::Certificate::from_pem(pem.as_bytes()).expect("ca")]);
        }
        builder.build().expect("anonymous client")
    }

    /// Waits (up to 1 s) until the fake holds `n` access-log records; returns them.
    pub async fn wait_for_records(fake: &FakeHandle, n: usize) -> Vec<AccessLogRecord> {
        for _ in 0..200 {
            if fake.access_log().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        fake.access_log().records()
    }
}
