//! A Lattice-like gRPC test server: a tonic server over TLS (a test CA, a
//! certificate for a generated Lattice name, ALPN `h2`) on 127.0.0.1, behind
//! a layer that verifies every RPC's SigV4/SigV4A signature as Lattice does,
//! answers some paths the way Lattice refuses (a 403 line, a 404, an HTML
//! page), adds Lattice's caller identity headers, and records what it saw.
//!
//! Nothing here reaches the network: the client resolves the Lattice name to
//! 127.0.0.1 through resolver overrides with no system fallback, and
//! credentials are AWS's documentation examples.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Version};
use http_body::Frame;
use lattice_client::aws_credential_types::provider::{ProvideCredentials, future};
use lattice_client::resolve::Resolver;
use lattice_client::sign::verify::{CredentialsLookup, KeyCredentials, Profile, Verifier};
use lattice_client::{Credentials, aws_credential_types};
use lattice_examples::grpc_echo::{EchoService, echo_server::EchoServer};
use lattice_tonic::LatticeEndpoint;
use lattice_tonic::identity::CallerIdentityLayer;
use pin_project_lite::pin_project;
use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tonic::body::Body;
use tonic::transport::server::Connected;
use tower::{Layer, Service};

/// A generated VPC Lattice service name (region `us-west-2`).
pub const NAME: &str = "echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
/// A custom domain the test certificate also covers.
pub const CUSTOM_DOMAIN: &str = "echo.example.internal";
/// The service's region.
pub const REGION: &str = "us-west-2";
/// The service ARN in denial lines.
pub const SERVICE_ARN: &str =
    "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0";
/// AWS's documentation example access key id.
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// AWS's documentation example secret key.
pub const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// The principal the verifier attributes the example keys to.
pub const PRINCIPAL: &str = "arn:aws:sts::123456789012:assumed-role/echo-client/session-1";

/// Long-term example credentials.
pub fn credentials() -> Credentials {
    Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None, "tests")
}

/// Temporary credentials of generation `n`: key `AKIDEXAMPLE<n>`, token
/// `token-<n>` (the verifier knows every generation).
pub fn temporary_credentials(n: usize, expiry: Option<std::time::SystemTime>) -> Credentials {
    Credentials::new(
        format!("{ACCESS_KEY_ID}{n}"),
        SECRET_ACCESS_KEY,
        Some(format!("token-{n}")),
        expiry,
        "tests",
    )
}

/// The verifier's key table: `AKIDEXAMPLE` (long-term) and
/// `AKIDEXAMPLE<n>` with session token `token-<n>`.
#[derive(Debug, Clone)]
struct Keys;

impl CredentialsLookup for Keys {
    type Principal = String;

    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<String>> {
        let suffix = access_key_id.strip_prefix(ACCESS_KEY_ID)?;
        let key = KeyCredentials::new(SECRET_ACCESS_KEY, PRINCIPAL.to_owned());
        if suffix.is_empty() {
            Some(key)
        } else {
            suffix.parse::<usize>().ok()?;
            Some(key.with_session_token(format!("token-{suffix}")))
        }
    }
}

/// A credentials provider that hands out [`temporary_credentials`] of a new
/// generation on every call, valid for `lifetime`, and counts its calls.
#[derive(Debug, Clone)]
pub struct RotatingProvider {
    pub calls: Arc<AtomicUsize>,
    pub lifetime: Duration,
}

impl ProvideCredentials for RotatingProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let expiry = std::time::SystemTime::now() + self.lifetime;
        future::ProvideCredentials::ready(Ok(temporary_credentials(n, Some(expiry))))
    }
}

/// A credentials provider that always fails.
#[derive(Debug, Clone)]
pub struct FailingProvider;

impl ProvideCredentials for FailingProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no credentials in this test",
            ),
        ))
    }
}

/// A test CA and a server certificate for [`NAME`] and [`CUSTOM_DOMAIN`],
/// from the fake's test PKI.
pub struct Pki {
    pub ca_pem: String,
    pub ca: CertificateDer<'static>,
    leaf: lattice_fake::pki::Leaf,
}

impl Pki {
    pub fn generate() -> anyhow::Result<Self> {
        let pki = lattice_fake::pki::TestPki::new()?;
        let leaf = pki.issue(&[NAME, CUSTOM_DOMAIN])?;
        Ok(Self {
            ca_pem: pki.ca_pem().to_owned(),
            ca: pki.ca_der().clone(),
            leaf,
        })
    }

    fn server_config(&self) -> anyhow::Result<rustls::ServerConfig> {
        // Lattice's HTTPS listeners prefer h2.
        Ok(self.leaf.server_config(&[b"h2", b"http/1.1"])?)
    }
}

/// What the server saw of one RPC.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: http::Method,
    pub path: String,
    pub authority: Option<String>,
    pub version: Version,
    pub host_header: bool,
    pub content_sha256: Option<String>,
    pub security_token: Option<String>,
    pub content_type: Option<String>,
    /// The verified access key id, signed headers and algorithm, or the
    /// verifier's error line.
    pub verified: Result<Verified, String>,
}

/// What the verifier accepted.
#[derive(Debug, Clone)]
pub struct Verified {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub algorithm: String,
}

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Paths refused with Lattice's 403 `AccessDeniedException` line.
    pub deny: Vec<String>,
    /// Paths answered with a fixed `(status, content type, body)`.
    pub canned: Vec<(String, u16, &'static str, &'static str)>,
    /// tonic's `max_connection_age`: connections are closed gracefully
    /// (HTTP/2 GOAWAY, in-flight streams finish) after it.
    pub max_connection_age: Option<Duration>,
    /// tonic's `max_connection_age_grace`: with it, tonic 0.14 closes
    /// connections *abruptly* (TCP close, no GOAWAY) after age plus grace.
    pub max_connection_age_grace: Option<Duration>,
    /// Forward every request untouched: no verification, no recording (the
    /// benchmark's server, reached by signed and unsigned clients alike).
    pub passthrough: bool,
}

/// A running test server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub pki: Arc<Pki>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// TLS connections accepted.
    pub connections: Arc<AtomicUsize>,
    /// Request body bytes received so far, over all RPCs.
    pub body_bytes: watch::Receiver<u64>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A resolver mapping [`NAME`] and [`CUSTOM_DOMAIN`] to 127.0.0.1, with no
/// system fallback.
pub fn resolver() -> Resolver {
    Resolver::new()
        .with_override(NAME, [IpAddr::V4(Ipv4Addr::LOCALHOST)])
        .and_then(|r| r.with_override(CUSTOM_DOMAIN, [IpAddr::V4(Ipv4Addr::LOCALHOST)]))
        .expect("valid overrides")
        .without_system_fallback()
}

impl TestServer {
    pub async fn start(options: Options) -> anyhow::Result<Self> {
        let pki = Arc::new(Pki::generate()?);
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(pki.server_config()?));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let connections = Arc::new(AtomicUsize::new(0));
        let (conn_tx, conn_rx) = mpsc::channel::<Result<TlsIo, std::io::Error>>(16);
        {
            let connections = connections.clone();
            tokio::spawn(async move {
                while let Ok((tcp, _)) = listener.accept().await {
                    let acceptor = acceptor.clone();
                    let conn_tx = conn_tx.clone();
                    let connections = connections.clone();
                    tokio::spawn(async move {
                        if let Ok(tls) = acceptor.accept(tcp).await {
                            connections.fetch_add(1, Ordering::SeqCst);
                            let _ = conn_tx.send(Ok(TlsIo { inner: tls })).await;
                        }
                    });
                }
            });
        }
        let incoming = futures_util::stream::unfold(conn_rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });

        let seen = Arc::new(Mutex::new(Vec::new()));
        let (bytes_tx, body_bytes) = watch::channel(0u64);
        let verifier = Verifier::builder(Keys, Profile::lattice(REGION))
            .build()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let lattice = LatticeLayer {
            verifier: Arc::new(verifier),
            options: Arc::new(options.clone()),
            seen: seen.clone(),
            bytes: Arc::new(bytes_tx),
            total: Arc::new(AtomicU64::new(0)),
        };
        let mut server = tonic::transport::Server::builder();
        if let Some(age) = options.max_connection_age {
            server = server.max_connection_age(age);
        }
        if let Some(grace) = options.max_connection_age_grace {
            server = server.max_connection_age_grace(grace);
        }
        let router = server
            .layer(lattice)
            .layer(CallerIdentityLayer::new())
            .add_service(EchoServer::new(EchoService::new()));
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = router
                .serve_with_incoming_shutdown(incoming, async {
                    let _ = shutdown_rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            pki,
            seen,
            connections,
            body_bytes,
            shutdown: Some(shutdown_tx),
        })
    }

    /// An endpoint for `https://<host>:<port>` that resolves to this server
    /// and trusts only its CA; no signer yet.
    pub fn endpoint_for(&self, host: &str) -> LatticeEndpoint {
        LatticeEndpoint::new(format!("https://{host}:{}", self.addr.port()))
            .expect("valid url")
            .resolver(resolver())
            .platform_roots(false)
            .add_root_pem(&self.pki.ca_pem)
            .expect("valid pem")
            .connect_timeout(Duration::from_secs(5))
    }

    /// [`endpoint_for`](Self::endpoint_for) the generated name.
    pub fn endpoint(&self) -> LatticeEndpoint {
        self.endpoint_for(NAME)
    }

    /// The authority clients send: `NAME:port`.
    pub fn authority(&self) -> String {
        format!("{NAME}:{}", self.addr.port())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

/// A server-side TLS stream tonic accepts as a connection.
pub struct TlsIo {
    inner: tokio_rustls::server::TlsStream<TcpStream>,
}

impl Connected for TlsIo {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for TlsIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// What Lattice does in front of the target, as far as these tests need.
#[derive(Clone)]
struct LatticeLayer {
    verifier: Arc<Verifier<Keys>>,
    options: Arc<Options>,
    seen: Arc<Mutex<Vec<Seen>>>,
    bytes: Arc<watch::Sender<u64>>,
    total: Arc<AtomicU64>,
}

impl<S> Layer<S> for LatticeLayer {
    type Service = LatticeService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LatticeService {
            inner,
            lattice: self.clone(),
        }
    }
}

#[derive(Clone)]
struct LatticeService<S> {
    inner: S,
    lattice: LatticeLayer,
}

fn text(status: u16, content_type: &str, body: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .header("x-amzn-requestid", "00000000-0000-4000-8000-000000000000")
        .body(Body::new(http_body_util::Full::new(Bytes::from(body))))
        .expect("valid response")
}

impl<S> Service<Request<Body>> for LatticeService<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if self.lattice.options.passthrough {
            return Box::pin(self.inner.call(request));
        }
        let lattice = &self.lattice;
        let headers = request.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let verified = lattice.verifier.verify(&request);
        let path = request.uri().path().to_owned();
        lattice.seen.lock().expect("lock").push(Seen {
            method: request.method().clone(),
            path: path.clone(),
            authority: request.uri().authority().map(|a| a.to_string()),
            version: request.version(),
            host_header: headers.contains_key(http::header::HOST),
            content_sha256: header("x-amz-content-sha256"),
            security_token: header("x-amz-security-token"),
            content_type: header("content-type"),
            verified: match &verified {
                Ok(v) => Ok(Verified {
                    access_key_id: v.access_key_id.clone(),
                    signed_headers: v.signed_headers.clone(),
                    algorithm: format!("{:?}", v.algorithm),
                }),
                Err(e) => Err(e.to_string()),
            },
        });
        let principal = match verified {
            Ok(v) => v.principal,
            Err(e) => {
                let status = e.status().as_u16();
                return Box::pin(async move { Ok(text(status, "text/plain", e.to_string())) });
            }
        };
        if lattice.options.deny.contains(&path) {
            let line = format!(
                "AccessDeniedException: User: {principal} is not authorized to perform: vpc-lattice-svcs:Invoke \
                 on resource: {SERVICE_ARN}{path} because no service-based policy allows the \
                 vpc-lattice-svcs:Invoke action"
            );
            return Box::pin(async move { Ok(text(403, "text/plain", line)) });
        }
        if let Some((_, status, ct, body)) = lattice.options.canned.iter().find(|c| c.0 == path) {
            let response = text(*status, ct, (*body).to_owned());
            return Box::pin(async move { Ok(response) });
        }

        // Forward as Lattice does: identity headers replaced, body counted.
        let (mut parts, body) = request.into_parts();
        lattice_client::identity::strip_identity_headers(&mut parts.headers);
        let identity = format!("Principal={principal}; SessionName=session-1; Type=AWS_IAM");
        parts.headers.insert(
            "x-amzn-lattice-identity",
            identity.parse().expect("valid header"),
        );
        parts.headers.insert(
            "x-amzn-lattice-target",
            format!("ServiceArn={SERVICE_ARN}")
                .parse()
                .expect("valid header"),
        );
        let body = Body::new(CountingBody {
            inner: body,
            total: lattice.total.clone(),
            watch: lattice.bytes.clone(),
        });
        // The clone that was not driven ready stays; the ready one is used.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move { inner.call(Request::from_parts(parts, body)).await })
    }
}

pin_project! {
    /// Counts request body bytes as the server reads them.
    struct CountingBody {
        #[pin]
        inner: Body,
        total: Arc<AtomicU64>,
        watch: Arc<watch::Sender<u64>>,
    }
}

impl http_body::Body for CountingBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.project();
        let frame = std::task::ready!(this.inner.poll_frame(cx));
        if let Some(Ok(frame)) = &frame
            && let Some(data) = frame.data_ref()
        {
            let len = data.len() as u64;
            let total = this.total.fetch_add(len, Ordering::SeqCst) + len;
            this.watch.send_replace(total);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The path of an echo method.
pub fn echo_path(method: &str) -> String {
    format!("/lattice.echo.Echo/{method}")
}
