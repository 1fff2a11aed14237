//! [`LatticeClient`] and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ::reqwest::header::HeaderValue;
use ::reqwest::{IntoUrl, Method, Request, Response, redirect};
use rustls_pki_types::CertificateDer;

use super::Error;
use super::redirect::{RedirectPolicy, Replay, next_hop};
use super::request::LatticeRequestBuilder;
use super::sign::{redacted, send_signed};
use crate::env::EnvConfig;
use crate::resolve::Resolver;
use crate::sign::Signer;
use crate::tls::TlsOptions;

/// A `reqwest` client that signs every request for VPC Lattice.
///
/// Built with [`LatticeClient::builder`] (our TLS, resolver and a client that
/// never follows redirects by itself) or [`LatticeClient::from_client`].
/// Cheap to clone: clones share the connection pool and the credentials cache.
///
/// ```no_run
/// use lattice_client::reqwest::LatticeClient;
/// use lattice_client::Signer;
///
/// # #[cfg(feature = "aws-config")]
/// # async fn run() -> Result<(), lattice_client::reqwest::Error> {
/// // Credentials and region from the standard AWS chain (feature `aws-config`).
/// let config = aws_config::load_from_env().await;
/// let signer = Signer::builder().sdk_config(&config)?.build()?;
/// let client = LatticeClient::builder(signer).build()?;
/// let response = client
///     .get("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders/42")
///     .send()
///     .await?;
/// println!("{}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LatticeClient {
    client: ::reqwest::Client,
    signer: Signer,
    redirect: RedirectPolicy,
}

impl fmt::Debug for LatticeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatticeClient")
            .field("signer", &self.signer)
            .field("redirect", &self.redirect)
            .finish_non_exhaustive()
    }
}

/// Builds a [`LatticeClient`]. By-value setters; checks happen in
/// [`build`](Self::build).
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use std::time::Duration;
/// use lattice_client::reqwest::LatticeClient;
/// use lattice_client::resolve::Resolver;
/// use lattice_client::{Credentials, Signer};
///
/// # fn main() -> Result<(), lattice_client::reqwest::Error> {
/// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
/// let resolver = Resolver::new()
///     .with_override("*.7d67968.vpc-lattice-svcs.us-west-2.on.aws", [IpAddr::V4(Ipv4Addr::LOCALHOST)])?
///     .without_system_fallback();
/// let client = LatticeClient::builder(signer)
///     .resolver(resolver)
///     .platform_roots(false)
///     .timeout(Duration::from_secs(10))
///     .follow_redirects(3)
///     .no_proxy()
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[must_use]
pub struct LatticeClientBuilder {
    signer: Signer,
    resolver: Resolver,
    tls: TlsOptions,
    roots_pem: Vec<Vec<u8>>,
    timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    redirect: RedirectPolicy,
    no_proxy: bool,
    pool_idle_timeout: Option<Duration>,
    user_agent: HeaderValue,
    configure: Vec<ConfigureFn>,
    env: Option<EnvConfig>,
    retry: bool,
}

type ConfigureFn = Box<dyn FnOnce(::reqwest::ClientBuilder) -> ::reqwest::ClientBuilder + Send>;

/// How long [`LatticeClientBuilder`] keeps idle pooled connections by
/// default: under the 60 s after which VPC Lattice closes an idle connection,
/// so that a request never goes out on a connection Lattice is closing.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(50);

/// The `user-agent` a [`LatticeClient`] sends unless told otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("lattice-client/", env!("CARGO_PKG_VERSION"));

impl fmt::Debug for LatticeClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatticeClientBuilder")
            .field("signer", &self.signer)
            .field("resolver", &self.resolver)
            .field("tls", &self.tls)
            .field("roots_pem", &self.roots_pem.len())
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("redirect", &self.redirect)
            .field("no_proxy", &self.no_proxy)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("user_agent", &self.user_agent)
            .field("configure", &self.configure.len())
            .field("env", &self.env)
            .field("retry_closed_connections", &self.retry)
            .finish()
    }
}

impl LatticeClientBuilder {
    /// The resolver for host names (default: [`Resolver::new`], the system
    /// resolver). Tests map Lattice names to loopback with overrides.
    pub fn resolver(mut self, resolver: Resolver) -> Self {
        self.resolver = resolver;
        self
    }

    /// The trusted roots and the connect timeout (default [`TlsOptions::new`]:
    /// platform roots, a 10 s connect timeout), as every client builder of
    /// the workspace takes them. Replaces what [`platform_roots`](Self::platform_roots),
    /// [`add_root_certificate`](Self::add_root_certificate) and
    /// [`connect_timeout`](Self::connect_timeout) set before.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::tls::TlsOptions;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
    /// # let ca_pem = rcgen::generate_simple_self_signed(vec!["ca.example".to_owned()]).expect("ca").cert.pem();
    /// let tls = TlsOptions::new().platform_roots(false).add_pem(ca_pem.as_bytes())?;
    /// let client = LatticeClient::builder(signer).tls(tls).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn tls(mut self, options: TlsOptions) -> Self {
        self.tls = options;
        self
    }

    /// Whether the platform's root certificates are trusted (default `true`):
    /// shorthand for [`TlsOptions::platform_roots`].
    pub fn platform_roots(mut self, yes: bool) -> Self {
        self.tls = self.tls.platform_roots(yes);
        self
    }

    /// Trusts one more root certificate (for example a test CA): shorthand
    /// for [`TlsOptions::add_root_certificate`].
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.tls = self.tls.add_root_certificate(certificate);
        self
    }

    /// Trusts every certificate of a PEM document, like
    /// [`TlsOptions::add_pem`] but parsed in [`build`](Self::build), which
    /// reports a malformed document.
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots_pem.push(pem.into());
        self
    }

    /// A total timeout for each request, from sending until the response body
    /// is read (a [`LatticeRequestBuilder::timeout`] overrides it). When
    /// redirects are followed it applies to each hop.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// A timeout for establishing connections (default 10 s): shorthand for
    /// [`TlsOptions::connect_timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.tls = self.tls.connect_timeout(timeout);
        self
    }

    /// A timeout for each read from a connection.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Which redirects to follow (default [`RedirectPolicy::none`]: return
    /// the `3xx`). Each hop is signed afresh; see the
    /// [module docs](super#redirects).
    ///
    /// ```
    /// # use lattice_client::reqwest::{LatticeClient, RedirectPolicy};
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
    /// // Also follow a `Location` on another Lattice service, without the
    /// // request's own headers (API keys, cookies, …).
    /// let client = LatticeClient::builder(signer)
    ///     .redirect(RedirectPolicy::cross_host(3))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn redirect(mut self, policy: RedirectPolicy) -> Self {
        self.redirect = policy;
        self
    }

    /// Follow at most `max_hops` redirects per request on the same host
    /// (default 0: never follow, return the `3xx`): shorthand for
    /// [`redirect(RedirectPolicy::same_host(max_hops))`](Self::redirect).
    pub fn follow_redirects(self, max_hops: usize) -> Self {
        self.redirect(RedirectPolicy::same_host(max_hops))
    }

    /// How long idle pooled connections are kept (default
    /// [`DEFAULT_POOL_IDLE_TIMEOUT`], 50 s, under Lattice's 60 s idle close;
    /// `None` keeps them until the server closes them).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Send a request once more, on another connection, when the
    /// connection closed under it before a response (default `true`): a
    /// request never processed, whatever its method, or an idempotent one
    /// with a body in memory. The rule is [`crate::retry`]'s; with `false`
    /// only reqwest's own default applies (HTTP/2 streams refused
    /// unprocessed). A [`configure`](Self::configure) hook that sets
    /// `retry` replaces both.
    pub fn retry_closed_connections(mut self, yes: bool) -> Self {
        self.retry = yes;
        self
    }

    /// The `user-agent` of every request (default [`DEFAULT_USER_AGENT`],
    /// `lattice-client/<version>`). A `user-agent` header set on a request
    /// wins.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when `user_agent` is not a valid header
    /// value.
    pub fn user_agent<V>(mut self, user_agent: V) -> Result<Self, Error>
    where
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.user_agent =
            HeaderValue::try_from(user_agent).map_err(|e| Error::InvalidRequest(e.into()))?;
        Ok(self)
    }

    /// Adjusts the underlying `reqwest::ClientBuilder` (HTTP/2 settings,
    /// default headers, local address, …) after this builder has set its own
    /// options, like tonic's `configure_endpoint`. Called in order, in
    /// [`build`](Self::build).
    ///
    /// Do not turn reqwest's own redirects back on, or replace the TLS
    /// configuration or the resolver, unless you mean to: see the
    /// [module docs](super#redirects).
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
    /// let client = LatticeClient::builder(signer)
    ///     .configure(|b| b.http2_keep_alive_interval(std::time::Duration::from_secs(30)))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn configure(
        mut self,
        f: impl FnOnce(::reqwest::ClientBuilder) -> ::reqwest::ClientBuilder + Send + 'static,
    ) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Environment configuration, the opt-in of [`crate::env`]: the
    /// `LATTICE_RESOLVE` overrides go to the resolver (on top of
    /// [`resolver`](Self::resolver)'s, replacing the same names), the
    /// `AWS_CA_BUNDLE` bundle is trusted instead of the platform's roots,
    /// and the signer may sign for `*.localhost` names with its default
    /// region. The variables are read and checked now and applied in
    /// [`build`](Self::build), whatever the order of the other setters.
    ///
    /// ```no_run
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::for_tests()).region("us-west-2").build()?;
    /// // LATTICE_RESOLVE='orders-0123….vpc-lattice-svcs.us-west-2.on.aws:443:127.0.0.1'
    /// // AWS_CA_BUNDLE=/tmp/lattice-fake-ca.pem
    /// let client = LatticeClient::builder(signer).with_env()?.build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Lattice`] wrapping [`crate::Error::Env`]: a bad
    /// `LATTICE_RESOLVE` entry, or an `AWS_CA_BUNDLE` that cannot be read or
    /// holds no certificate.
    pub fn with_env(mut self) -> Result<Self, Error> {
        self.env = Some(EnvConfig::from_env().map_err(crate::Error::from)?);
        Ok(self)
    }

    /// [`with_env`](Self::with_env), reading the variables through `lookup`
    /// (tests, or another configuration source).
    ///
    /// # Errors
    ///
    /// As [`with_env`](Self::with_env).
    pub fn with_env_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        self.env = Some(EnvConfig::from_lookup(lookup).map_err(crate::Error::from)?);
        Ok(self)
    }

    /// Ignore proxies from the environment (`HTTP_PROXY`, …). Tests and
    /// examples that talk to loopback servers use it.
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Builds the client: rustls with the aws-lc-rs provider (ALPN `h2` and
    /// `http/1.1`), the resolver, and `redirect::Policy::none()`.
    ///
    /// # Errors
    ///
    /// [`Error::Lattice`] wrapping [`crate::Error::Tls`] when a PEM document is
    /// malformed or holds no certificate; [`Error::Reqwest`] when reqwest
    /// rejects the configuration.
    pub fn build(self) -> Result<LatticeClient, Error> {
        let mut options = self.tls;
        for pem in &self.roots_pem {
            options = options.add_pem(pem)?;
        }
        let mut resolver = self.resolver;
        let mut signer = self.signer;
        if let Some(env) = &self.env {
            options = env.apply_to_tls(options);
            resolver = env.apply_to_resolver(resolver)?;
            signer = signer.allow_localhost(true);
        }
        let config = options.client_config()?;
        let mut builder = ::reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .dns_resolver(Arc::new(resolver))
            .tls_backend_preconfigured(config);
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        if let Some(t) = options.connect_timeout_limit() {
            builder = builder.connect_timeout(t);
        }
        if let Some(t) = self.read_timeout {
            builder = builder.read_timeout(t);
        }
        if self.no_proxy {
            builder = builder.no_proxy();
        }
        builder = builder
            .pool_idle_timeout(self.pool_idle_timeout)
            .user_agent(self.user_agent);
        if self.retry {
            builder = builder.retry(retry_policy());
        }
        for f in self.configure {
            builder = f(builder);
        }
        let client = builder.build().map_err(Error::Reqwest)?;
        Ok(LatticeClient {
            client,
            signer,
            redirect: self.redirect,
        })
    }
}

/// Every host: the retry rule applies to every request of the client.
struct AnyHost;

impl PartialEq<&str> for AnyHost {
    fn eq(&self, _host: &&str) -> bool {
        true
    }
}

/// [`crate::retry`]'s rule as reqwest's retry policy (with reqwest's retry
/// budget: at most 20 % extra requests beyond 10 per second).
fn retry_policy() -> ::reqwest::retry::Builder {
    ::reqwest::retry::for_host(AnyHost)
        .max_retries_per_request(crate::retry::MAX_RETRIES)
        .classify_fn(|attempt| match attempt.error() {
            Some(error) if crate::retry::is_retryable(attempt.method(), error) => {
                tracing::debug!(
                    method = %attempt.method(),
                    error = %error,
                    "the connection closed before a response; sending the request again"
                );
                attempt.retryable()
            }
            _ => attempt.success(),
        })
}

impl LatticeClient {
    /// A builder for a client that signs with `signer`.
    ///
    /// ```
    /// use lattice_client::reqwest::LatticeClient;
    /// use lattice_client::{Credentials, Signer};
    ///
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// let client = LatticeClient::builder(signer).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(signer: Signer) -> LatticeClientBuilder {
        LatticeClientBuilder {
            signer,
            resolver: Resolver::new(),
            tls: TlsOptions::new(),
            roots_pem: Vec::new(),
            timeout: None,
            read_timeout: None,
            redirect: RedirectPolicy::none(),
            no_proxy: false,
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            configure: Vec::new(),
            env: None,
            retry: true,
        }
    }

    /// Wraps a client you built yourself; redirects are not followed unless
    /// [`follow_redirects`](Self::follow_redirects) is called.
    ///
    /// `client` **must** be built with `redirect::Policy::none()`: otherwise
    /// reqwest follows redirects itself and may carry `x-amz-security-token`
    /// to another host (see the [module docs](super#redirects)). A `tracing`
    /// warning is logged when a response comes from another URL than the one
    /// that was signed, which only happens when reqwest followed a redirect.
    ///
    /// ```
    /// use lattice_client::reqwest::LatticeClient;
    /// use lattice_client::{Credentials, Signer};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = LatticeClient::from_client(http, signer);
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_client(client: ::reqwest::Client, signer: Signer) -> Self {
        Self {
            client,
            signer,
            redirect: RedirectPolicy::none(),
        }
    }

    /// Follow at most `max_hops` redirects per request on the same host (0:
    /// never); see [`LatticeClientBuilder::follow_redirects`].
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()?;
    /// let client = LatticeClient::from_client(http, signer).follow_redirects(2);
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn follow_redirects(self, max_hops: usize) -> Self {
        self.redirect(RedirectPolicy::same_host(max_hops))
    }

    /// Which redirects to follow; see [`LatticeClientBuilder::redirect`].
    #[must_use]
    pub fn redirect(mut self, policy: RedirectPolicy) -> Self {
        self.redirect = policy;
        self
    }

    /// The signer.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The inner `reqwest::Client`. It does not sign; when this client was
    /// made by [`LatticeClient::builder`] it never follows redirects and uses
    /// the configured resolver and TLS, which makes it the right inner client
    /// for [`SigV4Middleware`](super::SigV4Middleware).
    pub fn reqwest_client(&self) -> &::reqwest::Client {
        &self.client
    }

    /// Starts a `GET` request.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let request = client
    ///     .get("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders")
    ///     .build()?;
    /// assert_eq!(request.method(), "GET");
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(&self, url: impl IntoUrl) -> LatticeRequestBuilder {
        self.request(Method::GET, url)
    }

    /// Starts a `POST` request (see [`get`](Self::get)).
    pub fn post(&self, url: impl IntoUrl) -> LatticeRequestBuilder {
        self.request(Method::POST, url)
    }

    /// Starts a `PUT` request (see [`get`](Self::get)).
    pub fn put(&self, url: impl IntoUrl) -> LatticeRequestBuilder {
        self.request(Method::PUT, url)
    }

    /// Starts a `DELETE` request (see [`get`](Self::get)).
    pub fn delete(&self, url: impl IntoUrl) -> LatticeRequestBuilder {
        self.request(Method::DELETE, url)
    }

    /// Starts a `PATCH` request (see [`get`](Self::get)).
    pub fn patch(&self, url: impl IntoUrl) -> LatticeRequestBuilder {
        self.request(Method::PATCH, url)
    }

    /// Starts a `HEAD` request (see [`get`](Self::get)).
    pub fn head(&self, url: impl IntoUrl) -> LatticeRequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// Starts a request with any method. A URL that does not parse is
    /// reported by [`LatticeRequestBuilder::build`] or `send`.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let method = reqwest::Method::from_bytes(b"PURGE").expect("valid method");
    /// let request = client
    ///     .request(method, "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/cache")
    ///     .build()?;
    /// assert_eq!(request.method().as_str(), "PURGE");
    /// assert!(client.get("not a url").build().is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(&self, method: Method, url: impl IntoUrl) -> LatticeRequestBuilder {
        let request = self
            .client
            .request(method, url)
            .build()
            .map_err(Error::Reqwest);
        LatticeRequestBuilder {
            client: self.clone(),
            request,
            region: None,
        }
    }

    /// Signs `request` and sends it, following redirects when
    /// [enabled](LatticeClientBuilder::follow_redirects). A
    /// [`SigningRegion`](crate::SigningRegion) set with [`LatticeRequestBuilder::region`] is
    /// honoured.
    ///
    /// ```no_run
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # async fn run(client: LatticeClient) -> Result<(), lattice_client::reqwest::Error> {
    /// let url = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders";
    /// let request = reqwest::Request::new(reqwest::Method::GET, url.parse().expect("valid URL"));
    /// let response = client.execute(request).await?;
    /// # let _ = response;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Lattice`] with the signer's errors
    /// ([`HostNotAllowed`](crate::Error::HostNotAllowed),
    /// [`InvalidUri`](crate::Error::InvalidUri),
    /// [`NoRegion`](crate::Error::NoRegion),
    /// [`Credentials`](crate::Error::Credentials), …) and
    /// [`Error::Reqwest`] for transport failures. A redirect that is not
    /// followed is not an error: the `3xx` response is returned.
    pub async fn execute(&self, request: Request) -> Result<Response, Error> {
        let mut request = request;
        let mut hops = 0usize;
        loop {
            let replay = if hops < self.redirect.max_hops() {
                Replay::capture(&mut request)
            } else {
                None
            };
            let (url, response) = send_signed(&self.signer, &self.client, request).await?;
            let Some(replay) = replay else {
                return Ok(response);
            };
            match next_hop(
                &self.signer,
                self.redirect,
                &url,
                response.status(),
                response.headers(),
                replay,
            ) {
                Some(next) => {
                    hops += 1;
                    tracing::debug!(
                        from = %redacted(&url),
                        to = %redacted(next.url()),
                        status = response.status().as_u16(),
                        hop = hops,
                        "following redirect"
                    );
                    request = next;
                }
                None => return Ok(response),
            }
        }
    }
}
