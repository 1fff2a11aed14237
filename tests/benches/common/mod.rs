//! What the `roundtrip` and `stream_memory` benches share: a minimal in-process
//! hyper server on loopback, a test CA, a signer with static example
//! credentials and a resolver that maps a generated Lattice name to 127.0.0.1
//! without ever asking the system resolver.

// Each bench uses a subset of these helpers.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lattice_client::resolve::Resolver;
use lattice_client::{Credentials, Signer};
use lattice_tower::hyper::HyperClientBuilder;
use rustls::ServerConfig;
use rustls_pki_types::CertificateDer;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A generated VPC Lattice service name (region `us-west-2`).
pub(crate) const LATTICE_NAME: &str =
    "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

/// Static example credentials with a session token.
pub(crate) fn credentials() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("EXAMPLE-SESSION-TOKEN".to_owned()),
        None,
        "bench",
    )
}

/// A SigV4 signer on the system clock with the static credentials.
pub(crate) fn signer() -> anyhow::Result<Signer> {
    Ok(Signer::builder().credentials(credentials()).build()?)
}

/// `LATTICE_NAME` → 127.0.0.1; every other name fails (no system DNS).
pub(crate) fn resolver() -> anyhow::Result<Resolver> {
    Ok(Resolver::new()
        .with_override(LATTICE_NAME, [IpAddr::V4(Ipv4Addr::LOCALHOST)])?
        .without_system_fallback())
}

/// A client builder on the loopback resolver that trusts only `ca` (if any),
/// never the platform's roots.
pub(crate) fn client_builder(
    ca: Option<&CertificateDer<'static>>,
) -> anyhow::Result<HyperClientBuilder> {
    let mut builder = HyperClientBuilder::new(signer()?)
        .resolver(resolver()?)
        .platform_roots(false);
    if let Some(ca) = ca {
        builder = builder.add_root_certificate(ca.clone());
    }
    Ok(builder)
}

/// A test CA and a server configuration for `LATTICE_NAME` issued by it
/// (ALPN `h2`, `http/1.1`).
pub(crate) struct TestCa {
    /// The CA certificate for the client to trust.
    pub(crate) ca: CertificateDer<'static>,
    /// The server's TLS configuration.
    pub(crate) server: Arc<ServerConfig>,
}

/// Generates a CA and a leaf certificate for `LATTICE_NAME`.
pub(crate) fn test_ca() -> anyhow::Result<TestCa> {
    let pki = lattice_fake::pki::TestPki::new()?;
    let server = pki
        .issue(&[LATTICE_NAME])?
        .server_config(&[b"h2", b"http/1.1"])?;
    Ok(TestCa {
        ca: pki.ca_der().clone(),
        server: Arc::new(server),
    })
}

/// What the server has seen.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Requests answered.
    pub(crate) requests: AtomicU64,
    /// Requests that carried an `authorization` header.
    pub(crate) signed: AtomicU64,
    /// Request body bytes received (and discarded).
    pub(crate) body_bytes: AtomicU64,
}

/// A running loopback server.
pub(crate) struct Server {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// What it has seen.
    pub(crate) counters: Arc<Counters>,
}

impl Server {
    /// `scheme://LATTICE_NAME:port/path`.
    pub(crate) fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{LATTICE_NAME}:{}{path}", self.addr.port())
    }
}

/// Starts a minimal hyper server (HTTP/1.1 and HTTP/2, over TLS when `tls`
/// is given) that reads and discards each request body, counting its bytes,
/// and answers `200` with the byte count as text.
pub(crate) async fn spawn_server(tls: Option<Arc<ServerConfig>>) -> anyhow::Result<Server> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let counters = Arc::new(Counters::default());
    let acceptor = tls.map(TlsAcceptor::from);
    let shared = counters.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let counters = shared.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| handle(counters.clone(), request));
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = match acceptor {
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(tls) => builder.serve_connection(TokioIo::new(tls), service).await,
                        Err(_) => return,
                    },
                    None => {
                        builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                    }
                };
            });
        }
    });
    Ok(Server { addr, counters })
}

async fn handle(
    counters: Arc<Counters>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    if request.headers().contains_key(http::header::AUTHORIZATION) {
        counters.signed.fetch_add(1, Ordering::Relaxed);
    }
    let mut body = request.into_body();
    let mut received = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            received += data.len() as u64;
        }
    }
    counters.body_bytes.fetch_add(received, Ordering::Relaxed);
    counters.requests.fetch_add(1, Ordering::Relaxed);
    Ok(Response::new(Full::new(Bytes::from(received.to_string()))))
}

/// Reads a response body to the end and returns it as text.
pub(crate) async fn read_text(response: Response<Incoming>) -> anyhow::Result<String> {
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    anyhow::ensure!(status.is_success(), "status {status}");
    String::from_utf8(body.to_vec()).context("UTF-8 body")
}
