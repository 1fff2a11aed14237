//! A ready signed hyper client for VPC Lattice.
//!
//! [`HyperClientBuilder`] builds hyper-util's client with HTTP/1.1 and HTTP/2
//! over hyper-rustls (aws-lc-rs passed explicitly, ALPN `h2` and `http/1.1`,
//! so HTTP/2 is used whenever the server offers it), on an `HttpConnector`
//! that resolves through [`lattice_client::resolve::Resolver`], wrapped in a
//! [`SigV4Layer`](crate::SigV4Layer). `http://` and `https://` URIs both work.
//!
//! ```no_run
//! use http_body_util::Empty;
//! use bytes::Bytes;
//! use lattice_client::Signer;
//! use lattice_tower::hyper::HyperClientBuilder;
//!
//! # async fn run() -> Result<(), lattice_tower::BoxError> {
//! let config = aws_config::load_from_env().await;
//! let signer = Signer::builder().sdk_config(&config)?.build()?;
//! let client = HyperClientBuilder::new(signer).build::<Empty<Bytes>>()?;
//! let request = http::Request::get(
//!     "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders",
//! )
//! .body(Empty::new())?;
//! let response = client.request(request).await?;
//! println!("{}", response.status());
//! # Ok(())
//! # }
//! ```
//!
//! # Connections, retries and timeouts
//!
//! VPC Lattice closes a connection after 60 s idle and at its 10-minute
//! lifetime. The client keeps idle pooled connections for 50 s
//! ([`HyperClientBuilder::pool_idle_timeout`]), so it does not pick one
//! Lattice is closing, and sends a request once more, on another
//! connection and signed afresh, when the connection closed under it
//! before a response: a request never processed, whatever its method, or
//! an idempotent one (`GET`, `HEAD`, `PUT`, `DELETE`, …) whose body is at
//! most 64 KiB ([`lattice_client::retry`] has the rule;
//! [`HyperClientBuilder::retry_closed_connections`] turns it off).
//! Responses are never retried, `5xx` included. TCP connects time out after
//! 10 s ([`HyperClientBuilder::connect_timeout`]); there is no total
//! timeout, since bodies stream: wrap the client in `tower::timeout` for
//! one.
//!
//! [`HyperClientBuilder::with_env`] reads `LATTICE_RESOLVE` and
//! `AWS_CA_BUNDLE` ([`lattice_client::env`]); [`HyperClientBuilder::tls`]
//! takes another crypto provider or a complete rustls configuration
//! ([`TlsOptions`]).
//!
//! # Lattice's refusals
//!
//! To tell a `403` written by Lattice itself (a bad signature, an auth policy
//! that denies; `404` `Non Existent Service`) from your target's own `403`,
//! read at most the first [`MAX_BODY`](lattice_client::refusal::MAX_BODY)
//! (4 KiB) bytes of an error body and give them, with the status and the
//! headers, to [`Refusal::from_response`](lattice_client::Refusal::from_response).
//! Keep the frames you read if you still need the body.
//!
//! ```
//! use bytes::{Buf as _, Bytes};
//! use http_body_util::{BodyExt, Full};
//! use lattice_client::Refusal;
//! use lattice_client::refusal::MAX_BODY;
//!
//! /// Lattice's refusal, from the head and the first 4 KiB of the body.
//! async fn lattice_refusal<B: http_body::Body + Unpin>(
//!     response: http::Response<B>,
//! ) -> Result<Option<Refusal>, B::Error> {
//!     let (parts, mut body) = response.into_parts();
//!     if !(parts.status.is_client_error() || parts.status.is_server_error()) {
//!         return Ok(None);
//!     }
//!     let mut prefix = Vec::new();
//!     while prefix.len() < MAX_BODY {
//!         let Some(frame) = body.frame().await else { break };
//!         if let Some(data) = frame?.data_ref() {
//!             prefix.extend_from_slice(data.chunk());
//!         }
//!     }
//!     Ok(Refusal::from_response(parts.status, &parts.headers, &prefix))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // `client.request(request).await?` gives an `http::Response<Incoming>`.
//! let lattice = http::Response::builder()
//!     .status(403)
//!     .body(Full::new(Bytes::from_static(b"InvalidSignatureException: Signature expired\n")))?;
//! let refusal = lattice_refusal(lattice).await?.expect("Lattice's line");
//! assert_eq!(refusal.code(), "InvalidSignatureException");
//!
//! let target = http::Response::builder().status(403).body(Full::new(Bytes::from_static(b"Forbidden")))?;
//! assert!(lattice_refusal(target).await?.is_none());
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lattice_client::Signer;
use lattice_client::env::EnvConfig;
use lattice_client::resolve::Resolver;
use lattice_client::tls::TlsOptions;
use rustls::pki_types::CertificateDer;
use tower_service::Service;

use crate::sign::SigV4Service;

mod retry;

use crate::{BoxError, Error, HyperError};
use lattice_client::retry::ReplayBody;
use retry::RetryFuture;

/// The connector under the signed client.
pub type Connector = HttpsConnector<HttpConnector<Resolver>>;

/// A signed hyper client; cheap to clone, clones share connections and the
/// credentials cache. Use [`request`](Self::request), or use it as a Tower
/// `Service`.
#[derive(Debug)]
pub struct SignedHyperClient<B> {
    inner: SigV4Service<Client<Connector, ReplayBody<B>>>,
    retry: bool,
    /// What [`into_inner`](Self::into_inner) builds its client from.
    parts: Arc<Parts>,
}

/// The settings of a [`SignedHyperClient`]'s hyper-util client.
#[derive(Debug)]
struct Parts {
    builder: hyper_util::client::legacy::Builder,
    connector: Connector,
    signer: Signer,
}

impl<B> Clone for SignedHyperClient<B> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            retry: self.retry,
            parts: self.parts.clone(),
        }
    }
}

impl<B> SignedHyperClient<B>
where
    B: http_body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    /// Signs and sends `request`. Its URI must be absolute.
    ///
    /// # Errors
    ///
    /// A [`HyperError`]: signing failed ([`HyperError::Sign`]), or no
    /// connection ([`HyperError::Connect`]), a failed TLS handshake
    /// ([`HyperError::Tls`]) or a failed exchange ([`HyperError::Http`]).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body_util::Empty;
    /// use lattice_client::{Credentials, Signer};
    /// use lattice_tower::HyperError;
    /// use lattice_tower::hyper::HyperClientBuilder;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), lattice_tower::BoxError> {
    /// let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
    /// let client = HyperClientBuilder::new(signer).platform_roots(false).build::<Empty<Bytes>>()?;
    /// // Not a name the signer may sign for: nothing is sent.
    /// let request = http::Request::get("https://example.com/").body(Empty::new())?;
    /// let err = client.request(request).await.expect_err("refused");
    /// assert!(matches!(err, HyperError::Sign(lattice_client::Error::HostNotAllowed { .. })));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn request(&self, request: Request<B>) -> Result<Response<Incoming>, HyperError> {
        let mut service = self.clone();
        std::future::poll_fn(|cx| Service::<Request<B>>::poll_ready(&mut service, cx)).await?;
        service.call(request).await
    }

    /// A signing service around a hyper-util client with this client's
    /// settings (connector, TLS, resolver, pool) and signer, but its own
    /// connection pool and without the retry of
    /// [`retry_closed_connections`](HyperClientBuilder::retry_closed_connections).
    pub fn into_inner(self) -> SigV4Service<Client<Connector, B>> {
        let parts = &*self.parts;
        SigV4Service::new(
            parts.builder.build(parts.connector.clone()),
            parts.signer.clone(),
        )
    }
}

impl<B> Service<Request<B>> for SignedHyperClient<B>
where
    B: http_body::Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<Incoming>;
    type Error = HyperError;
    type Future = HyperResponseFuture<RetryFuture>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        Service::<Request<ReplayBody<B>>>::poll_ready(&mut self.inner, cx)
            .map_err(|e| HyperError::classify(e, ""))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let authority = request
            .uri()
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        HyperResponseFuture {
            inner: retry::call(&mut self.inner, request, self.retry),
            authority,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`SignedHyperClient`]: the signing service's
    /// future, its error typed as a [`HyperError`].
    #[derive(Debug)]
    pub struct HyperResponseFuture<F> {
        #[pin]
        inner: F,
        authority: String,
    }
}

impl<F, T> std::future::Future for HyperResponseFuture<F>
where
    F: std::future::Future<Output = Result<T, BoxError>>,
{
    type Output = Result<T, HyperError>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        this.inner
            .poll(cx)
            .map_err(|e| HyperError::classify(e, this.authority))
    }
}

/// Builds a [`SignedHyperClient`]. By-value setters; checks in
/// [`build`](Self::build).
#[derive(Debug)]
#[must_use]
pub struct HyperClientBuilder {
    signer: Signer,
    resolver: Resolver,
    tls: TlsOptions,
    pool_idle_timeout: Option<Duration>,
    http2_only: bool,
    env: Option<EnvConfig>,
    retry: bool,
}

impl HyperClientBuilder {
    /// A builder that signs with `signer`, resolves through the system
    /// resolver and trusts the platform's root certificates.
    pub fn new(signer: Signer) -> Self {
        Self {
            signer,
            resolver: Resolver::new(),
            tls: TlsOptions::new(),
            pool_idle_timeout: Some(Duration::from_secs(50)),
            http2_only: false,
            env: None,
            retry: true,
        }
    }

    /// The resolver (overrides name → IP for tests and local endpoints).
    pub fn resolver(mut self, resolver: Resolver) -> Self {
        self.resolver = resolver;
        self
    }

    /// The trusted roots and the connect timeout (default
    /// [`TlsOptions::new`]: platform roots, a 10 s TCP connect timeout), as
    /// every client builder of the workspace takes them. Replaces what
    /// [`platform_roots`](Self::platform_roots),
    /// [`add_root_certificate`](Self::add_root_certificate),
    /// [`add_root_pem`](Self::add_root_pem) and
    /// [`connect_timeout`](Self::connect_timeout) set before.
    ///
    /// ```
    /// use lattice_client::tls::TlsOptions;
    /// use lattice_client::{Credentials, Signer};
    /// use lattice_tower::hyper::HyperClientBuilder;
    ///
    /// # fn main() -> Result<(), lattice_tower::BoxError> {
    /// let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
    /// let tls = TlsOptions::new().connect_timeout(std::time::Duration::from_secs(3));
    /// let client = HyperClientBuilder::new(signer)
    ///     .tls(tls)
    ///     .build::<http_body_util::Empty<bytes::Bytes>>()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn tls(mut self, options: TlsOptions) -> Self {
        self.tls = options;
        self
    }

    /// Trust an extra root certificate (for example the fake Lattice's CA):
    /// shorthand for [`TlsOptions::add_root_certificate`].
    pub fn add_root_certificate(mut self, cert: CertificateDer<'static>) -> Self {
        self.tls = self.tls.add_root_certificate(cert);
        self
    }

    /// Trust every certificate in a PEM document: shorthand for
    /// [`TlsOptions::add_pem`].
    ///
    /// # Errors
    ///
    /// [`Error::Sign`] wrapping a TLS error when the PEM holds no certificate.
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.tls = self.tls.add_pem(pem)?;
        Ok(self)
    }

    /// Whether to trust the platform's root certificates (default `true`):
    /// shorthand for [`TlsOptions::platform_roots`].
    pub fn platform_roots(mut self, yes: bool) -> Self {
        self.tls = self.tls.platform_roots(yes);
        self
    }

    /// TCP connect timeout (default 10 s; `None` for none): shorthand for
    /// [`TlsOptions::connect_timeout`].
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.tls = self.tls.connect_timeout(timeout);
        self
    }

    /// How long idle pooled connections are kept (default 50 s, under
    /// Lattice's 60 s idle timeout).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Environment configuration, the opt-in of [`lattice_client::env`]:
    /// the `LATTICE_RESOLVE` overrides go to the resolver (on top of
    /// [`resolver`](Self::resolver)'s), the `AWS_CA_BUNDLE` bundle is
    /// trusted instead of the platform's roots, and the signer may sign for
    /// `*.localhost` names with its default region. Read and checked now,
    /// applied in [`build`](Self::build).
    ///
    /// # Errors
    ///
    /// [`Error::Sign`] wrapping [`lattice_client::Error::Env`]: a bad
    /// `LATTICE_RESOLVE` entry, or an `AWS_CA_BUNDLE` that cannot be read or
    /// holds no certificate.
    pub fn with_env(mut self) -> Result<Self, Error> {
        self.env = Some(EnvConfig::from_env().map_err(lattice_client::Error::from)?);
        Ok(self)
    }

    /// [`with_env`](Self::with_env), reading the variables through `lookup`.
    ///
    /// ```
    /// use lattice_client::{Credentials, Signer};
    /// use lattice_tower::hyper::HyperClientBuilder;
    ///
    /// # fn main() -> Result<(), lattice_tower::BoxError> {
    /// let signer = Signer::builder().credentials(Credentials::for_tests()).region("us-west-2").build()?;
    /// let vars = |name: &str| (name == "LATTICE_RESOLVE").then(|| "orders.localhost:8080:127.0.0.1".to_owned());
    /// let client = HyperClientBuilder::new(signer)
    ///     .with_env_from(vars)?
    ///     .build::<http_body_util::Empty<bytes::Bytes>>()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`with_env`](Self::with_env).
    pub fn with_env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        self.env = Some(EnvConfig::from_lookup(lookup).map_err(lattice_client::Error::from)?);
        Ok(self)
    }

    /// Send a request once more, on another connection, when the
    /// connection closed under it before a response (default `true`): a
    /// request never processed, whatever its method, or an idempotent one
    /// whose body is at most [`REPLAY_LIMIT`](lattice_client::retry::REPLAY_LIMIT)
    /// bytes. Each attempt is signed afresh. The rule is
    /// [`lattice_client::retry`]'s.
    pub fn retry_closed_connections(mut self, yes: bool) -> Self {
        self.retry = yes;
        self
    }

    /// Speak HTTP/2 only, also over `http://` (prior knowledge).
    pub fn http2_only(mut self, yes: bool) -> Self {
        self.http2_only = yes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Sign`] wrapping a TLS error if the TLS configuration cannot be
    /// built.
    pub fn build<B>(self) -> Result<SignedHyperClient<B>, Error>
    where
        B: http_body::Body + Send + Unpin + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let (mut options, mut resolver, mut signer) = (self.tls, self.resolver, self.signer);
        if let Some(env) = &self.env {
            options = env.apply_to_tls(options);
            resolver = env.apply_to_resolver(resolver)?;
            signer = signer.allow_localhost(true);
        }
        let mut tls = if options.has_client_config() {
            options.client_config()?
        } else {
            let roots = options.root_store();
            if roots.is_empty() {
                tracing::warn!(
                    "the hyper client trusts no root certificate: https:// requests will fail verification"
                );
            }
            lattice_client::tls::client_config_with(options.provider(), roots)?
        };
        // hyper-rustls panics ("ALPN protocols should not be pre-defined") on
        // a config that already lists ALPN protocols, and sets them itself
        // from the versions enabled below.
        tls.alpn_protocols.clear();
        let mut http = HttpConnector::new_with_resolver(resolver);
        http.enforce_http(false);
        http.set_connect_timeout(options.connect_timeout_limit());
        http.set_nodelay(true);
        let versions = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        // HTTP/2 only: offer only `h2`, so that a server without HTTP/2 fails
        // the handshake instead of receiving an HTTP/2 preface on HTTP/1.1.
        let versions = if self.http2_only {
            versions.enable_http2()
        } else {
            versions.enable_all_versions()
        };
        let connector = versions.wrap_connector(http);
        let mut builder = Client::builder(TokioExecutor::new());
        builder.pool_idle_timeout(self.pool_idle_timeout);
        if self.http2_only {
            builder.http2_only(true);
        }
        let client = builder.build(connector.clone());
        Ok(SignedHyperClient {
            inner: SigV4Service::new(client, signer.clone()),
            retry: self.retry,
            parts: Arc::new(Parts {
                builder,
                connector,
                signer,
            }),
        })
    }
}

#[cfg(test)]
mod tests;
