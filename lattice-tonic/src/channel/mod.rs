//! A signed gRPC channel to a VPC Lattice service.
//!
//! [`LatticeEndpoint`] is built like tonic's
//! [`Endpoint`] — by-value setters, then
//! [`connect`](LatticeEndpoint::connect) or
//! [`connect_lazy`](LatticeEndpoint::connect_lazy) — and gives a
//! [`LatticeChannel`], which any tonic-generated client accepts:
//!
//! ```no_run
//! use lattice_tonic::LatticeEndpoint;
//! # use lattice_examples::grpc_echo::{EchoRequest, echo_client::EchoClient};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let channel = LatticeEndpoint::new(
//!     "https://echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
//! )?
//! .sdk_config(&aws_config::load_from_env().await)?
//! .connect()
//! .await?;
//! let mut client = EchoClient::new(channel);
//! let reply = client.unary(EchoRequest { message: "hello".into(), ..Default::default() }).await?;
//! # let _ = reply;
//! # Ok(())
//! # }
//! ```
//!
//! # One URL, one authority
//!
//! The URL is normalised once (host lower-cased, one trailing dot removed,
//! port 443 dropped) and that single origin feeds everything: the `:scheme`
//! and `:authority` tonic puts on each request, the `host` the signer signs
//! ([`SigV4Layer::with_origin`]), the TLS server name, and the address the
//! connector dials (through the [`Resolver`], so tests can point a
//! generated Lattice name at `127.0.0.1`). The signature therefore always
//! covers exactly the authority that goes on the wire.
//!
//! # The stack
//!
//! ```text
//! LatticeChannel
//!   GrpcStatusLayer      non-gRPC answers (Lattice's 403 lines) and signing errors → Status
//!   SigV4Layer           scheme + authority onto `/pkg.Service/Method`, then SigV4/SigV4A
//!   (transparent retry)  RPCs the server never processed, sent again
//!   tonic Channel        buffer, reconnect, HTTP/2 (hyper), timeouts
//!     TlsConnector       HttpConnector + Resolver, rustls (aws-lc-rs), ALPN h2
//! ```
//!
//! Every RPC — unary or streaming — is one HTTP/2 `POST` to
//! `/package.Service/Method`. The signer adds `x-amz-date`,
//! `x-amz-content-sha256: UNSIGNED-PAYLOAD`, `x-amz-security-token` (with
//! temporary credentials) and `authorization`; it never adds a `host` header
//! (HTTP/2 carries the authority in `:authority`) and never reads the body,
//! so request streams go out message by message.
//!
//! # Long-lived channels
//!
//! Credentials are taken from the signer's cache for each RPC, so a channel
//! kept for hours signs with refreshed credentials. When the server closes a
//! connection (Lattice caps connections at 10 minutes and closes them after
//! 60 idle seconds), tonic's channel opens a new one for the next RPC;
//! in-flight RPCs finish on the old one when the server closes gracefully
//! (HTTP/2 `GOAWAY`). RPCs caught between — queued for the closing
//! connection, or opened after the server's last accepted stream, or
//! refused with `REFUSED_STREAM` — were not processed by the server and are
//! sent again on the new connection, at most 3 times, as gRPC's own clients
//! do ("transparent retry"). For that the first 64 KiB of each request body
//! are remembered (shared, not copied) until the response headers arrive; an
//! RPC that has sent more is not retried and fails with the transport's
//! status. No other failure is retried.
//!
//! # Timeouts
//!
//! * [`connect_timeout`](LatticeEndpoint::connect_timeout) (default 10 s)
//!   bounds TCP connect and TLS handshake.
//! * [`timeout`](LatticeEndpoint::timeout) (default none) bounds each RPC
//!   until its response headers arrive, as tonic's `Endpoint::timeout` does
//!   (failing with `Cancelled`); it also bounds reading the body of a
//!   non-gRPC answer. A per-RPC deadline set with
//!   [`tonic::Request::set_timeout`] is sent to the server as
//!   `grpc-timeout` and enforced too.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Request, Response, Uri};
use lattice_client::aws_credential_types::provider::ProvideCredentials;
use lattice_client::env::EnvConfig;
use lattice_client::name::LatticeName;
use lattice_client::resolve::Resolver;
use lattice_client::tls::TlsOptions;
use lattice_client::{Credentials, Signer, SignerBuilder, redact_userinfo};
use lattice_tower::sign::{SigV4Layer, SigV4Service};
use rustls_pki_types::CertificateDer;
use tonic::body::Body;
use tonic::transport::{Channel, Endpoint};
use tower_layer::Layer;
use tower_service::Service;

use crate::Error;
use crate::connect::TlsConnector;
use crate::retry::Retry;
use crate::status::{DEFAULT_BODY_TIMEOUT, GrpcStatusLayer, GrpcStatusService};

/// Default for [`LatticeEndpoint::connect_timeout`].
pub use lattice_client::tls::DEFAULT_CONNECT_TIMEOUT;

type EndpointFn = Box<dyn FnOnce(Endpoint) -> Endpoint + Send>;

/// Builds a [`LatticeChannel`] to one VPC Lattice service; see the
/// [module docs](self).
#[must_use]
pub struct LatticeEndpoint {
    url: String,
    origin: Uri,
    host: String,
    signer: Option<Signer>,
    pieces: Option<SignerBuilder>,
    region: Option<String>,
    region_set: Option<String>,
    resolver: Resolver,
    tls: TlsOptions,
    timeout: Option<Duration>,
    tcp_keepalive: Option<Duration>,
    endpoint_fns: Vec<EndpointFn>,
    env: Option<EnvConfig>,
}

impl fmt::Debug for LatticeEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatticeEndpoint")
            .field("origin", &self.origin)
            .field("signer", &self.signer)
            .field("signer_pieces", &self.pieces)
            .field("region", &self.region)
            .field("region_set", &self.region_set)
            .field("resolver", &self.resolver)
            .field("env", &self.env)
            .field("tls", &self.tls)
            .field("timeout", &self.timeout)
            .field("tcp_keepalive", &self.tcp_keepalive)
            .field("endpoint_fns", &self.endpoint_fns.len())
            .finish_non_exhaustive()
    }
}

impl LatticeEndpoint {
    /// An endpoint for the service at `url`: `https://` and a generated
    /// Lattice name (`https://<name>-<id>.<partition>.vpc-lattice-svcs.<region>.on.aws`)
    /// or a custom domain, with an optional port and no path.
    ///
    /// Defaults: platform root certificates, the system resolver, a 10 s
    /// connect timeout, no request timeout, and no signer — give one with
    /// [`signer`](Self::signer) or its pieces
    /// ([`credentials`](Self::credentials) and friends).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUrl`] when `url` is not an absolute `https://` URL
    /// with a host, or has a path, query or user information. The error
    /// shows `url` with any user information redacted (`https://***@host`).
    pub fn new(url: impl AsRef<str>) -> Result<Self, Error> {
        let url = url.as_ref();
        let uri: Uri = url.parse().map_err(|_| Error::InvalidUrl {
            url: redact_userinfo(url).into_owned(),
            reason: "it is not a URL; use `https://<service name or custom domain>`",
        })?;
        Self::from_uri_text(url, uri)
    }

    /// [`new`](Self::new) from a parsed URI.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn from_uri(uri: Uri) -> Result<Self, Error> {
        let text = uri.to_string();
        Self::from_uri_text(&text, uri)
    }

    /// [`new`](Self::new) for a URL known at compile time.
    ///
    /// # Panics
    ///
    /// When `url` is not valid for [`new`](Self::new).
    pub fn from_static(url: &'static str) -> Self {
        match Self::new(url) {
            Ok(endpoint) => endpoint,
            Err(e) => panic!("{e}"),
        }
    }

    fn from_uri_text(url: &str, uri: Uri) -> Result<Self, Error> {
        let invalid = |reason| Error::InvalidUrl {
            url: redact_userinfo(url).into_owned(),
            reason,
        };
        match uri.scheme() {
            Some(s) if *s == Scheme::HTTPS => {}
            Some(s) if *s == Scheme::HTTP => {
                return Err(invalid(
                    "gRPC through VPC Lattice needs an HTTPS listener (HTTP/2 over TLS); use `https://`",
                ));
            }
            _ => return Err(invalid("use an absolute `https://` URL")),
        }
        let authority = uri.authority().ok_or_else(|| {
            invalid("it has no host; use `https://<service name or custom domain>`")
        })?;
        if authority.as_str().contains('@') {
            return Err(invalid(
                "it carries user information before the host; remove it",
            ));
        }
        if uri.path() != "/" && !uri.path().is_empty() {
            return Err(invalid(
                "it has a path; give the service's origin only, RPC paths (`/package.Service/Method`) are added per call",
            ));
        }
        if uri.query().is_some() {
            return Err(invalid("it has a query; give the service's origin only"));
        }
        let host = authority.host();
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        if host.is_empty() || host.ends_with('.') {
            return Err(invalid("its host is not a valid name"));
        }
        let port = authority.port_u16().filter(|p| *p != 443);
        let normalised = match port {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let authority = Authority::try_from(normalised.as_str())
            .map_err(|_| invalid("its host is not a valid name"))?;
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(Scheme::HTTPS);
        parts.authority = Some(authority);
        parts.path_and_query = Some(PathAndQuery::from_static("/"));
        let origin = Uri::from_parts(parts).map_err(|_| invalid("its host is not a valid name"))?;
        Ok(Self {
            url: url.to_owned(),
            origin,
            host,
            signer: None,
            pieces: None,
            region: None,
            region_set: None,
            resolver: Resolver::new(),
            tls: TlsOptions::new(),
            timeout: None,
            tcp_keepalive: None,
            endpoint_fns: Vec::new(),
            env: None,
        })
    }

    /// The normalised origin (`https://host[:port]/`) every RPC is sent to
    /// and signed for.
    pub fn origin(&self) -> &Uri {
        &self.origin
    }

    /// Signs with this signer (its credentials cache, region rules,
    /// algorithm and custom domains). Use it, or the pieces below, not both.
    pub fn signer(mut self, signer: Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    fn piece(mut self, f: impl FnOnce(SignerBuilder) -> SignerBuilder) -> Self {
        self.pieces = Some(f(self.pieces.take().unwrap_or_default()));
        self
    }

    /// Signs with static credentials (tests, or keys you manage yourself).
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.piece(|b| b.credentials(credentials))
    }

    /// Signs with credentials from `provider`, cached and refreshed ahead of
    /// expiry.
    pub fn credentials_provider(self, provider: impl ProvideCredentials + 'static) -> Self {
        self.piece(|b| b.credentials_provider(provider))
    }

    /// Signs with the credentials provider of `config` (usually
    /// `aws_config::load_from_env().await`); its region is the default
    /// [`region`](Self::region) unless one is set.
    ///
    /// # Errors
    ///
    /// [`Error::Signer`] when the config has no credentials provider.
    #[cfg(feature = "aws-config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
    pub fn sdk_config(mut self, config: &aws_config::SdkConfig) -> Result<Self, Error> {
        let builder = self
            .pieces
            .take()
            .unwrap_or_default()
            .sdk_config(config)
            .map_err(Error::Signer)?;
        self.pieces = Some(builder);
        if self.region.is_none() {
            self.region = config.region().map(|r| r.as_ref().to_owned());
        }
        Ok(self)
    }

    /// The region of the service. Not needed for generated Lattice names
    /// (they carry their region); required for a custom domain unless
    /// [`sigv4a`](Self::sigv4a) is used.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Signs with SigV4A for `region_set` (`*`, or a comma-separated list
    /// such as `us-east-1,us-west-2`) instead of SigV4.
    pub fn sigv4a(mut self, region_set: impl Into<String>) -> Self {
        self.region_set = Some(region_set.into());
        self
    }

    /// The resolver: system DNS by default; tests map names to loopback with
    /// [`Resolver::with_override`]. The port always comes from the URL.
    pub fn resolver(mut self, resolver: Resolver) -> Self {
        self.resolver = resolver;
        self
    }

    /// The trusted roots and the connect timeout (default
    /// [`TlsOptions::new`]: platform roots, a 10 s bound on TCP connect plus
    /// TLS handshake), as every client builder of the workspace takes them.
    /// Replaces what [`platform_roots`](Self::platform_roots),
    /// [`add_root_certificate`](Self::add_root_certificate),
    /// [`add_root_pem`](Self::add_root_pem) and
    /// [`connect_timeout`](Self::connect_timeout) set before.
    ///
    /// ```
    /// use lattice_client::tls::TlsOptions;
    ///
    /// # fn run(ca_pem: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    /// let tls = TlsOptions::new().platform_roots(false).add_pem(ca_pem)?;
    /// let endpoint = lattice_tonic::LatticeEndpoint::new(
    ///     "https://echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
    /// )?
    /// .tls(tls);
    /// # let _ = endpoint;
    /// # Ok(())
    /// # }
    /// ```
    pub fn tls(mut self, options: TlsOptions) -> Self {
        self.tls = options;
        self
    }

    /// Whether to trust the platform's root certificates (default `true`):
    /// shorthand for [`TlsOptions::platform_roots`].
    pub fn platform_roots(mut self, yes: bool) -> Self {
        self.tls = self.tls.platform_roots(yes);
        self
    }

    /// Trusts an extra root certificate (DER), such as a test CA or the fake
    /// Lattice's CA: shorthand for [`TlsOptions::add_root_certificate`].
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.tls = self.tls.add_root_certificate(certificate);
        self
    }

    /// Trusts every certificate of a PEM document: shorthand for
    /// [`TlsOptions::add_pem`].
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when the PEM is malformed or holds no certificate.
    pub fn add_root_pem(mut self, pem: impl AsRef<[u8]>) -> Result<Self, Error> {
        self.tls = self.tls.add_pem(pem.as_ref()).map_err(tls_error)?;
        Ok(self)
    }

    /// Bounds TCP connect plus TLS handshake (default 10 s): shorthand for
    /// [`TlsOptions::connect_timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.tls = self.tls.connect_timeout(timeout);
        self
    }

    /// Bounds each RPC until its response headers arrive (default: none);
    /// see [Timeouts](self#timeouts).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// TCP keepalive on the connection (default: off).
    pub fn tcp_keepalive(mut self, interval: Option<Duration>) -> Self {
        self.tcp_keepalive = interval;
        self
    }

    /// Environment configuration, the opt-in of [`lattice_client::env`]:
    /// the `LATTICE_RESOLVE` overrides go to the resolver, the
    /// `AWS_CA_BUNDLE` bundle is trusted instead of the platform's roots,
    /// and the signer may sign for a `*.localhost` host with its default
    /// region. Read and checked now, applied when the channel is built.
    ///
    /// # Errors
    ///
    /// [`Error::Env`]: a bad `LATTICE_RESOLVE` entry, or an `AWS_CA_BUNDLE`
    /// that cannot be read or holds no certificate.
    pub fn with_env(mut self) -> Result<Self, Error> {
        self.env = Some(EnvConfig::from_env()?);
        Ok(self)
    }

    /// [`with_env`](Self::with_env), reading the variables through `lookup`.
    ///
    /// # Errors
    ///
    /// As [`with_env`](Self::with_env).
    pub fn with_env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        self.env = Some(EnvConfig::from_lookup(lookup)?);
        Ok(self)
    }

    /// Adjusts the underlying tonic [`Endpoint`] (HTTP/2 keep-alive, window
    /// sizes, concurrency and rate limits, user agent, …). The function
    /// must configure the endpoint it is given, not replace it; the origin
    /// is set again afterwards, so that it always matches the signed one.
    pub fn configure_endpoint(
        mut self,
        f: impl FnOnce(Endpoint) -> Endpoint + Send + 'static,
    ) -> Self {
        self.endpoint_fns.push(Box::new(f));
        self
    }

    /// Opens the channel: connects (TCP, TLS, HTTP/2) before returning.
    ///
    /// # Errors
    ///
    /// The configuration errors of [`connect_lazy`](Self::connect_lazy), and
    /// [`Error::Channel`] when the first connection fails (its source chain
    /// holds the cause, such as [`Error::TlsHandshake`]).
    pub async fn connect(self) -> Result<LatticeChannel, Error> {
        let authority = self.authority();
        let Prepared {
            endpoint,
            connector,
            stack,
        } = self.prepare()?;
        let channel = endpoint
            .connect_with_connector(connector)
            .await
            .map_err(|source| Error::Channel { authority, source })?;
        Ok(stack.finish(channel))
    }

    /// Builds the channel without connecting; the first RPC connects.
    ///
    /// # Errors
    ///
    /// [`Error::Signer`] (no credentials, a region problem, or a signer that
    /// would not sign for this host), [`Error::Config`] (a signer and signer
    /// pieces both given), [`Error::Tls`] (no root certificate).
    pub fn connect_lazy(self) -> Result<LatticeChannel, Error> {
        let Prepared {
            endpoint,
            connector,
            stack,
        } = self.prepare()?;
        let channel = endpoint.connect_with_connector_lazy(connector);
        Ok(stack.finish(channel))
    }

    fn authority(&self) -> String {
        self.origin
            .authority()
            .map_or_else(String::new, |a| a.to_string())
    }

    fn build_signer(&mut self) -> Result<Signer, Error> {
        let pieces = self.pieces.take();
        if let Some(signer) = self.signer.take() {
            if pieces.is_some() || self.region.is_some() || self.region_set.is_some() {
                return Err(Error::Config(
                    "both a ready `Signer` and signer settings (credentials, region, sigv4a) were given; \
                     configure the region and algorithm on the `Signer`'s builder instead"
                        .into(),
                ));
            }
            return Ok(signer);
        }
        let Some(mut builder) = pieces else {
            return Err(Error::Signer(lattice_client::Error::Config(
                "no credentials: call `signer`, `credentials`, `credentials_provider` or `sdk_config` on the endpoint"
                    .into(),
            )));
        };
        if let Some(region) = &self.region {
            builder = builder.region(region.clone());
        }
        if let Some(set) = &self.region_set {
            builder = builder.sigv4a(set.clone());
        }
        if !LatticeName::is_lattice_name(&self.host) {
            // A custom domain: register it, with the region to sign for.
            builder = match (&self.region_set, &self.region) {
                (Some(_), _) => builder.custom_domain(self.host.clone(), None),
                (None, Some(region)) => builder.custom_domain(self.host.clone(), Some(region)),
                (None, None) => {
                    return Err(Error::Signer(lattice_client::Error::NoRegion {
                        host: self.host.clone(),
                    }));
                }
            };
        }
        builder.build().map_err(Error::Signer)
    }

    fn prepare(mut self) -> Result<Prepared, Error> {
        let mut signer = self.build_signer()?;
        if let Some(env) = self.env.take() {
            self.tls = env.apply_to_tls(self.tls);
            self.resolver = env
                .apply_to_resolver(self.resolver)
                .map_err(|e| Error::Config(e.to_string()))?;
            signer = signer.allow_localhost(true);
        }
        probe(&signer, &self.origin)?;

        let tls = if self.tls.has_client_config() {
            self.tls.client_config().map_err(tls_error)?
        } else {
            let roots = self.tls.root_store();
            if roots.is_empty() {
                return Err(Error::Tls(
                    "no root certificate to verify the server with: keep `platform_roots(true)` (and install the \
                     platform's CA certificates) or add one with `add_root_pem` / `add_root_certificate`"
                        .into(),
                ));
            }
            lattice_client::tls::client_config_with(self.tls.provider(), roots)
                .map_err(tls_error)?
        };
        let server_name = self.host.trim_start_matches('[').trim_end_matches(']');
        let connector = TlsConnector::new(
            self.resolver.clone(),
            tls,
            self.origin.clone(),
            server_name,
            self.tcp_keepalive,
        )?;

        // tonic's endpoint URI only names the connection; the connector above
        // does TLS itself. It is `http://` so that tonic never applies TLS of
        // its own (whatever tonic features the application enables), with
        // an explicit port. Requests carry the `https` origin.
        let port = self.origin.port_u16().unwrap_or(443);
        let endpoint_uri = format!("http://{}:{port}", self.host);
        let mut endpoint = Endpoint::from_shared(endpoint_uri).map_err(|_| Error::InvalidUrl {
            url: self.url.clone(),
            reason: "its host is not a valid name",
        })?;
        if let Some(t) = self.tls.connect_timeout_limit() {
            endpoint = endpoint.connect_timeout(t);
        }
        if let Some(t) = self.timeout {
            endpoint = endpoint.timeout(t);
        }
        for f in self.endpoint_fns.drain(..) {
            endpoint = f(endpoint);
        }
        let endpoint = endpoint.origin(self.origin.clone());

        let sign = SigV4Layer::new(signer)
            .with_origin(self.origin.clone())
            .map_err(|e| Error::Config(e.to_string()))?;
        let status =
            GrpcStatusLayer::new().body_timeout(self.timeout.unwrap_or(DEFAULT_BODY_TIMEOUT));
        Ok(Prepared {
            endpoint,
            connector,
            stack: Stack {
                sign,
                status,
                origin: self.origin,
            },
        })
    }
}

/// The core crate's TLS error as ours, without saying "TLS configuration"
/// twice.
fn tls_error(error: lattice_client::Error) -> Error {
    match error {
        lattice_client::Error::Tls(message) => Error::Tls(message),
        other => Error::Tls(other.to_string()),
    }
}

/// Signs a throw-away request with throw-away credentials, so that a host the
/// signer would refuse, or a missing region, fails when the channel is built
/// instead of at the first RPC.
fn probe(signer: &Signer, origin: &Uri) -> Result<(), Error> {
    let probe_credentials =
        Credentials::new("AKIDPROBE", "probe", None, None, "lattice-tonic-probe");
    let mut request = Request::post(origin.clone())
        .body(())
        .map_err(|e| Error::Config(e.to_string()))?;
    signer
        .sign_with(&mut request, &probe_credentials)
        .map(|_| ())
        .map_err(Error::Signer)
}

struct Prepared {
    endpoint: Endpoint,
    connector: TlsConnector,
    stack: Stack,
}

/// The layers over tonic's channel.
struct Stack {
    sign: SigV4Layer,
    status: GrpcStatusLayer,
    origin: Uri,
}

impl Stack {
    fn finish(self, channel: Channel) -> LatticeChannel {
        LatticeChannel {
            inner: self.status.layer(self.sign.layer(Retry::new(channel))),
            origin: Arc::new(self.origin),
        }
    }
}

/// A signed gRPC channel to one VPC Lattice service, built by
/// [`LatticeEndpoint`]. Pass it to any tonic-generated client
/// (`FooClient::new(channel)`).
///
/// Cheap to clone; clones share the connection and the credentials cache,
/// and can be used from any task (`Send + Sync`). Errors are tonic
/// [`Status`](tonic::Status)es (see [`crate::status`]).
#[derive(Clone, Debug)]
pub struct LatticeChannel {
    inner: GrpcStatusService<SigV4Service<Retry<Channel>>>,
    origin: Arc<Uri>,
}

impl LatticeChannel {
    /// The origin (`https://host[:port]/`) every RPC is sent to and signed
    /// for.
    pub fn origin(&self) -> &Uri {
        &self.origin
    }

    /// The signer.
    pub fn signer(&self) -> &Signer {
        self.inner.get_ref().signer()
    }
}

impl Service<Request<Body>> for LatticeChannel {
    type Response = Response<Body>;
    type Error = tonic::Status;
    type Future = crate::status::ResponseFuture<
        lattice_tower::sign::ResponseFuture<crate::retry::RetryFuture>,
        Body,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // tonic's channel sends every request to the endpoint's origin,
        // whatever the request URI says (a generated client built
        // `with_origin`, for example). Put that origin on the request before
        // it is signed, so that the signed authority is the one on the wire.
        if request.uri().authority() != self.origin.authority() {
            let mut parts = std::mem::take(request.uri_mut()).into_parts();
            parts.scheme = self.origin.scheme().cloned();
            parts.authority = self.origin.authority().cloned();
            if parts.path_and_query.is_none() {
                parts.path_and_query = Some(PathAndQuery::from_static("/"));
            }
            // Cannot fail: scheme, authority and path are all set.
            *request.uri_mut() = Uri::from_parts(parts).unwrap_or_else(|_| (*self.origin).clone());
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests;
