//! The connector under the channel: TCP through hyper-util's `HttpConnector`
//! with the Lattice [`Resolver`], then TLS with rustls (aws-lc-rs passed
//! explicitly, ALPN `h2` only, server name = the URL's host).
//!
//! tonic's own TLS is not used: it takes its crypto provider from the
//! process default, cannot be given a complete rustls configuration, and
//! would make the channel depend on which tonic TLS features the application
//! enables.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use lattice_client::resolve::Resolver;
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tower_service::Service;

use crate::Error;

/// Connects to one origin over TLS with HTTP/2. Cheap to clone.
#[derive(Clone)]
pub(crate) struct TlsConnector {
    http: HttpConnector<Resolver>,
    tls: tokio_rustls::TlsConnector,
    server_name: ServerName<'static>,
    /// Where to connect: `https://host[:port]` (HttpConnector takes the port
    /// from it, 443 by default).
    target: Uri,
    authority: Arc<str>,
}

impl std::fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConnector")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl TlsConnector {
    pub(crate) fn new(
        resolver: Resolver,
        mut config: ClientConfig,
        target: Uri,
        host: &str,
        tcp_keepalive: Option<std::time::Duration>,
    ) -> Result<Self, Error> {
        // tonic's transport speaks HTTP/2 only: offer nothing else, so that
        // a server without HTTP/2 fails the handshake with a clear error
        // instead of receiving an HTTP/2 preface on HTTP/1.1.
        config.alpn_protocols = vec![b"h2".to_vec()];
        let server_name = ServerName::try_from(host.to_owned()).map_err(|_| Error::InvalidUrl {
            url: target.to_string(),
            reason: "its host is not a valid TLS server name",
        })?;
        let mut http = HttpConnector::new_with_resolver(resolver);
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_keepalive(tcp_keepalive);
        let authority = target
            .authority()
            .map_or_else(|| target.to_string(), |a| a.to_string());
        Ok(Self {
            http,
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            server_name,
            target,
            authority: authority.into(),
        })
    }
}

type Connecting =
    Pin<Box<dyn Future<Output = Result<TokioIo<TlsStream<TcpStream>>, Error>> + Send>>;

impl Service<Uri> for TlsConnector {
    type Response = TokioIo<TlsStream<TcpStream>>;
    type Error = Error;
    type Future = Connecting;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(|e| Error::Connect {
            authority: self.authority.to_string(),
            source: Box::new(e),
        })
    }

    /// Connects to the configured origin. tonic hands in its endpoint URI,
    /// which is built from the same origin; the origin is used so that the
    /// TLS server name, the signed authority and the address always agree.
    fn call(&mut self, _uri: Uri) -> Self::Future {
        let connecting = self.http.call(self.target.clone());
        let tls = self.tls.clone();
        let server_name = self.server_name.clone();
        let authority = self.authority.clone();
        Box::pin(async move {
            let tcp = connecting.await.map_err(|e| Error::Connect {
                authority: authority.to_string(),
                source: Box::new(e),
            })?;
            let stream = tls
                .connect(server_name, tcp.into_inner())
                .await
                .map_err(|source| Error::TlsHandshake {
                    authority: authority.to_string(),
                    source,
                })?;
            if stream.get_ref().1.alpn_protocol() != Some(b"h2") {
                return Err(Error::Http2NotNegotiated {
                    authority: authority.to_string(),
                });
            }
            tracing::debug!(%authority, "connected (TLS, HTTP/2)");
            Ok(TokioIo::new(stream))
        })
    }
}
