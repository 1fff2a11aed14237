//! A signing [`reqwest`] client for VPC Lattice, and a
//! [`reqwest_middleware`] middleware.
//!
//! [`LatticeClient`] wraps a `reqwest::Client` and a [`Signer`]: every request
//! it sends is signed for `vpc-lattice-svcs` just before it goes out, with the
//! request builder feel of reqwest.
//!
//! ```
//! use lattice_client::reqwest::LatticeClient;
//! use lattice_client::{Credentials, Signer};
//!
//! # fn main() -> Result<(), lattice_client::reqwest::Error> {
//! let signer = Signer::builder()
//!     .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example"))
//!     .build()?;
//! let client = LatticeClient::builder(signer).build()?;
//! let request = client
//!     .post("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders")
//!     .header("content-type", "application/json")
//!     .body(r#"{"item":42}"#)
//!     .build()?;
//! assert_eq!(request.method(), "POST");
//! // `client.execute(request).await?` (or `.send().await?` on the builder)
//! // signs it and sends it.
//! # Ok(())
//! # }
//! ```
//!
//! # Signing never touches the body
//!
//! A `reqwest::Request` is split into its head ([`http::request::Parts`]) and
//! its body; only the head is signed (with `x-amz-content-sha256:
//! UNSIGNED-PAYLOAD`), then the two are put back together. Streaming bodies
//! ([`reqwest::Body::wrap_stream`](::reqwest::Body::wrap_stream)) stay
//! streaming: nothing is buffered or polled before the request is sent.
//!
//! The signer normalises the URL authority (lower-case host, no trailing dot,
//! no default port) and signs exactly that as `host`; the normalised authority
//! is written back into the URL, so the `Host` header (HTTP/1.1) or
//! `:authority` (HTTP/2) that goes out is what was signed.
//!
//! # Redirects
//!
//! reqwest follows redirects inside its own loop, where neither a
//! [`redirect::Policy`] nor a middleware can
//! change headers, and on a hop to another host it keeps
//! `x-amz-security-token` (it only strips `authorization`, cookies and
//! `proxy-authorization`). A session token could thus reach a host the signer
//! would never sign for. So the `reqwest::Client` inside [`LatticeClient`]
//! never follows redirects (`redirect::Policy::none()`).
//!
//! Following is opt-in, with [`LatticeClientBuilder::redirect`] (or its
//! shorthand [`LatticeClientBuilder::follow_redirects`]), in a loop of our
//! own. A [`RedirectPolicy`] says how many hops to follow and whether a hop
//! may leave the host: [`RedirectPolicy::same_host`] (what
//! `follow_redirects` gives) never follows a `Location` on another host;
//! [`RedirectPolicy::cross_host`] does, for hosts the signer may sign for,
//! and sends only a short allow-list of headers there. A `3xx` response is
//! returned as it is, unfollowed, unless all of these hold:
//!
//! * fewer than `max_hops` redirects were followed for this request;
//! * the status is 301, 302, 303, 307 or 308 and the response has a
//!   `Location` (relative locations are resolved against the current URL);
//! * the new URL is `http` or `https`, carries no user information and is not
//!   a downgrade from `https` to `http`;
//! * the new URL is on the same host (the port may differ), or the policy is
//!   [`cross_host`](RedirectPolicy::cross_host);
//! * [`Signer::may_sign`] accepts the new URL (a generated Lattice name, a
//!   registered custom domain, or any host under
//!   [`sign_any_host`](crate::SignerBuilder::sign_any_host));
//! * for 307 and 308, which keep the method and the body, the body can be
//!   replayed ([`reqwest::Request::try_clone`](::reqwest::Request::try_clone)
//!   returns `Some`); a streaming body is never re-sent. 301, 302 and 303 turn
//!   any method but `GET`/`HEAD` into `GET` and drop the body and its
//!   `content-*` headers, as browsers and reqwest do.
//!
//! Each hop is signed again from scratch: `authorization` and every `x-amz-*`
//! header are removed first. On a hop to another port or scheme of the same
//! host, `cookie`, `cookie2`, `proxy-authorization`, `www-authenticate` and
//! any `host` header are removed too. On a hop to another host every header
//! is removed except [`CROSS_HOST_HEADERS`] (`accept`, `accept-encoding`,
//! `accept-language`, `user-agent`) and, when the body is sent again (307,
//! 308), `content-type` and `content-encoding`: an API key, a tenant header
//! or a cookie meant for one service never reaches another.
//!
//! # Middleware
//!
//! [`SigV4Middleware`] signs each request of a
//! [`reqwest_middleware::ClientWithMiddleware`]. It cannot follow redirects
//! safely (see above), so the inner `reqwest::Client` must be built with
//! `redirect::Policy::none()`; [`LatticeClient::reqwest_client`] is such a
//! client.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ::reqwest::header::{
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, HeaderMap, HeaderName,
    HeaderValue, LOCATION, PROXY_AUTHORIZATION, TRANSFER_ENCODING, WWW_AUTHENTICATE,
};
use ::reqwest::{Body, IntoUrl, Method, Request, Response, StatusCode, Url, Version, redirect};
use http::Uri;
use rustls_pki_types::CertificateDer;

use crate::resolve::Resolver;
use crate::sign::{Signer, SigningRegion, SigningReport};
use crate::tls;

mod error;
pub use error::Error;

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
    platform_roots: bool,
    roots: Vec<CertificateDer<'static>>,
    roots_pem: Vec<Vec<u8>>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    redirect: RedirectPolicy,
    no_proxy: bool,
}

impl fmt::Debug for LatticeClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LatticeClientBuilder")
            .field("signer", &self.signer)
            .field("resolver", &self.resolver)
            .field("platform_roots", &self.platform_roots)
            .field("extra_roots", &(self.roots.len() + self.roots_pem.len()))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("redirect", &self.redirect)
            .field("no_proxy", &self.no_proxy)
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

    /// Whether the platform's root certificates are trusted (default `true`).
    /// With `false` only the roots added here are trusted.
    pub fn platform_roots(mut self, yes: bool) -> Self {
        self.platform_roots = yes;
        self
    }

    /// Trusts one more root certificate (for example a test CA), on top of
    /// the platform roots.
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.roots.push(certificate);
        self
    }

    /// Trusts every certificate of a PEM document, on top of the platform
    /// roots. The PEM is parsed in [`build`](Self::build).
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

    /// A timeout for establishing connections.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// A timeout for each read from a connection.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Which redirects to follow (default [`RedirectPolicy::none`]: return
    /// the `3xx`). Each hop is signed afresh; see the
    /// [module docs](self#redirects).
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
        let mut extra = self.roots;
        for pem in &self.roots_pem {
            extra.extend(tls::certificates_from_pem(pem)?);
        }
        let config = tls::client_config(tls::root_store(self.platform_roots, &extra))?;
        let mut builder = ::reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .dns_resolver(Arc::new(self.resolver))
            .tls_backend_preconfigured(config);
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            builder = builder.connect_timeout(t);
        }
        if let Some(t) = self.read_timeout {
            builder = builder.read_timeout(t);
        }
        if self.no_proxy {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(Error::Reqwest)?;
        Ok(LatticeClient {
            client,
            signer: self.signer,
            redirect: self.redirect,
        })
    }
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
            platform_roots: true,
            roots: Vec::new(),
            roots_pem: Vec::new(),
            timeout: None,
            connect_timeout: None,
            read_timeout: None,
            redirect: RedirectPolicy::none(),
            no_proxy: false,
        }
    }

    /// Wraps a client you built yourself; redirects are not followed unless
    /// [`follow_redirects`](Self::follow_redirects) is called.
    ///
    /// `client` **must** be built with `redirect::Policy::none()`: otherwise
    /// reqwest follows redirects itself and may carry `x-amz-security-token`
    /// to another host (see the [module docs](self#redirects)). A `tracing`
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
    /// for [`SigV4Middleware`].
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
    /// [`SigningRegion`] set with [`LatticeRequestBuilder::region`] is
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
            let replay = if hops < self.redirect.max_hops {
                Replay::capture(&mut request)
            } else {
                None
            };
            sign_in_place(&self.signer, &mut request, None).await?;
            let url = request.url().clone();
            let response = self.client.execute(request).await.map_err(Error::Reqwest)?;
            warn_if_reqwest_followed(&url, &response);
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

/// A request being built for a [`LatticeClient`]: reqwest's request builder
/// feel, plus a per-request signing [`region`](Self::region).
///
/// Errors (an invalid URL or header) are kept and reported by
/// [`build`](Self::build) or [`send`](Self::send).
///
/// ```
/// use std::time::Duration;
/// # use lattice_client::reqwest::LatticeClient;
/// # use lattice_client::{Credentials, Signer};
/// # fn main() -> Result<(), lattice_client::reqwest::Error> {
/// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
/// # let client = LatticeClient::builder(signer).build()?;
/// let request = client
///     .put("https://orders.example.internal/orders/42")
///     .query([("dry-run", "true")])
///     .header("content-type", "application/json")
///     .body(r#"{"state":"shipped"}"#)
///     .timeout(Duration::from_secs(5))
///     .region("eu-central-1")
///     .build()?;
/// assert_eq!(request.url().as_str(), "https://orders.example.internal/orders/42?dry-run=true");
/// assert_eq!(request.headers()["content-type"], "application/json");
/// # Ok(())
/// # }
/// ```
#[must_use = "a request builder does nothing until it is sent"]
pub struct LatticeRequestBuilder {
    client: LatticeClient,
    request: Result<Request, Error>,
    region: Option<SigningRegion>,
}

impl fmt::Debug for LatticeRequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("LatticeRequestBuilder");
        match &self.request {
            Ok(request) => {
                let names: Vec<&str> = request.headers().keys().map(HeaderName::as_str).collect();
                d.field("method", request.method())
                    .field("url", &redacted(request.url()))
                    .field("header_names", &names)
                    .field("has_body", &request.body().is_some());
            }
            Err(e) => {
                d.field("error", e);
            }
        }
        d.field("region", &self.region).finish_non_exhaustive()
    }
}

impl LatticeRequestBuilder {
    /// Appends a header.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let url = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/";
    /// let request = client.get(url).header("accept", "application/json").build()?;
    /// assert_eq!(request.headers()["accept"], "application/json");
    /// assert!(matches!(
    ///     client.get(url).header("bad header", "x").build(),
    ///     Err(lattice_client::reqwest::Error::InvalidRequest(_))
    /// ));
    /// # Ok(())
    /// # }
    /// ```
    pub fn header<K, V>(mut self, key: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: Into<http::Error>,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        if let Ok(request) = &mut self.request {
            let name = HeaderName::try_from(key).map_err(Into::into);
            let value = HeaderValue::try_from(value).map_err(Into::into);
            match (name, value) {
                (Ok(name), Ok(value)) => {
                    request.headers_mut().append(name, value);
                }
                (Err(e), _) | (_, Err(e)) => self.request = Err(Error::InvalidRequest(e)),
            }
        }
        self
    }

    /// Replaces the headers named in `headers` with their values there (as
    /// reqwest's `RequestBuilder::headers` does).
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// headers.insert("x-tenant", reqwest::header::HeaderValue::from_static("blue"));
    /// let request = client
    ///     .get("https://orders.example.internal/")
    ///     .header("x-tenant", "red")
    ///     .headers(headers)
    ///     .build()?;
    /// assert_eq!(request.headers().get_all("x-tenant").iter().count(), 1);
    /// assert_eq!(request.headers()["x-tenant"], "blue");
    /// # Ok(())
    /// # }
    /// ```
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        if let Ok(request) = &mut self.request {
            let target = request.headers_mut();
            let mut last: Option<HeaderName> = None;
            for (name, value) in headers {
                match name {
                    Some(name) => {
                        target.remove(&name);
                        target.append(name.clone(), value);
                        last = Some(name);
                    }
                    None => {
                        if let Some(name) = &last {
                            target.append(name.clone(), value);
                        }
                    }
                }
            }
        }
        self
    }

    /// Sets the body: bytes, a string, or a stream
    /// ([`reqwest::Body::wrap_stream`](::reqwest::Body::wrap_stream)), which is
    /// streamed, never buffered.
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("a"), Ok("b")]);
    /// let request = client
    ///     .post("https://orders.example.internal/upload")
    ///     .body(reqwest::Body::wrap_stream(chunks))
    ///     .build()?;
    /// assert!(request.body().is_some_and(|b| b.as_bytes().is_none()), "still a stream");
    /// # Ok(())
    /// # }
    /// ```
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        if let Ok(request) = &mut self.request {
            *request.body_mut() = Some(body.into());
        }
        self
    }

    /// Appends query pairs to the URL (percent-encoded as
    /// `application/x-www-form-urlencoded`).
    ///
    /// ```
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let request = client
    ///     .get("https://orders.example.internal/search?page=2")
    ///     .query([("q", "red shoes")])
    ///     .build()?;
    /// assert_eq!(request.url().query(), Some("page=2&q=red+shoes"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn query<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        if let Ok(request) = &mut self.request {
            let url = request.url_mut();
            url.query_pairs_mut().extend_pairs(pairs);
            if url.query() == Some("") {
                url.set_query(None);
            }
        }
        self
    }

    /// A total timeout for this request (overrides the client's).
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use lattice_client::reqwest::LatticeClient;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer).build()?;
    /// let request = client
    ///     .get("https://orders.example.internal/")
    ///     .timeout(Duration::from_secs(3))
    ///     .build()?;
    /// assert_eq!(request.timeout(), Some(&Duration::from_secs(3)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if let Ok(request) = &mut self.request {
            *request.timeout_mut() = Some(timeout);
        }
        self
    }

    /// The HTTP version to ask for (normally chosen by ALPN).
    pub fn version(mut self, version: Version) -> Self {
        if let Ok(request) = &mut self.request {
            *request.version_mut() = version;
        }
        self
    }

    /// Signs this request for `region` instead of the region of the host or
    /// the signer's default (stored as a [`SigningRegion`] in the request's
    /// extensions, so it survives [`build`](Self::build)). It applies to every
    /// redirect hop of the request. Ignored with SigV4A, whose region set
    /// covers every region.
    ///
    /// ```
    /// # use lattice_client::reqwest::{sign_request, LatticeClient};
    /// # use lattice_client::{Credentials, Signer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// # let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// # let client = LatticeClient::builder(signer.clone()).build()?;
    /// let mut request = client
    ///     .get("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/")
    ///     .region("us-east-1")
    ///     .build()?;
    /// let report = sign_request(&signer, &mut request).await?;
    /// assert!(report.scope.ends_with("/us-east-1/vpc-lattice-svcs/aws4_request"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn region(mut self, region: impl Into<Cow<'static, str>>) -> Self {
        self.region = Some(SigningRegion::new(region));
        self
    }

    /// Builds the request (unsigned: it is signed when executed).
    ///
    /// # Errors
    ///
    /// [`Error::Reqwest`] for a URL that does not parse,
    /// [`Error::InvalidRequest`] for an invalid header name or value,
    /// [`Error::Lattice`] with [`crate::Error::InvalidUri`] when a region is
    /// set on a URL that cannot be a request URI.
    pub fn build(self) -> Result<Request, Error> {
        let request = self.request?;
        match self.region {
            Some(region) => Ok(with_region(request, region)?),
            None => Ok(request),
        }
    }

    /// Signs and sends the request, as [`LatticeClient::execute`].
    ///
    /// ```no_run
    /// # use lattice_client::reqwest::LatticeClient;
    /// # async fn run(client: LatticeClient) -> Result<(), lattice_client::reqwest::Error> {
    /// let response = client
    ///     .get("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders/42")
    ///     .send()
    ///     .await?;
    /// let text = response.text().await?;
    /// # let _ = text;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Those of [`build`](Self::build) and [`LatticeClient::execute`].
    pub async fn send(self) -> Result<Response, Error> {
        let Self {
            client,
            request,
            region,
        } = self;
        let request = match region {
            Some(region) => with_region(request?, region)?,
            None => request?,
        };
        client.execute(request).await
    }
}

/// Signs a `reqwest::Request` in place for VPC Lattice, with the signer's
/// cached credentials. Only the head is signed; the body is not read or
/// polled. A [`SigningRegion`] set with [`LatticeRequestBuilder::region`]
/// is honoured; the normalised authority (lower-case host, no trailing dot,
/// no default port) is written back into the URL.
///
/// [`LatticeClient`] and [`SigV4Middleware`] call this; use it directly to
/// sign a request you send some other way.
///
/// ```
/// use lattice_client::reqwest::sign_request;
/// use lattice_client::{Credentials, Signer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), lattice_client::reqwest::Error> {
/// let signer = Signer::builder()
///     .credentials(Credentials::new(
///         "AKIDEXAMPLE",
///         "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///         Some("EXAMPLE-SESSION-TOKEN".to_owned()),
///         None,
///         "example",
///     ))
///     .build()?;
/// let url = "https://Orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws.:443/orders";
/// let mut request = reqwest::Request::new(reqwest::Method::GET, url.parse().expect("valid URL"));
/// let report = sign_request(&signer, &mut request).await?;
/// assert_eq!(report.host, "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws");
/// assert_eq!(request.url().host_str(), Some(report.host.as_str()));
/// assert_eq!(request.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
/// assert!(request.headers()["authorization"].is_sensitive());
/// assert!(request.headers()["x-amz-security-token"].is_sensitive());
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`crate::Error::InvalidUri`] (a URL with user information, or one that
/// cannot be an HTTP request URI), and every error of [`Signer::sign_parts`].
pub async fn sign_request(
    signer: &Signer,
    request: &mut Request,
) -> Result<SigningReport, crate::Error> {
    sign_in_place(signer, request, None).await
}

/// A [`reqwest_middleware::Middleware`] that signs each request for VPC
/// Lattice.
///
/// The inner `reqwest::Client` **must** be built with
/// `redirect::Policy::none()`: reqwest follows redirects inside the inner
/// client, after this middleware ran, where nothing can remove the signature
/// headers, and it keeps `x-amz-security-token` on a hop to another host. With
/// `Policy::none()` a `3xx` comes back to the caller; use [`LatticeClient`]
/// with [`follow_redirects`](LatticeClientBuilder::follow_redirects) to follow
/// redirects safely. [`LatticeClient::reqwest_client`] is a suitable inner
/// client. A `tracing` warning is logged when a response comes from another
/// URL than the one that was signed (reqwest followed a redirect).
///
/// Add it last (innermost), after retry middlewares, so that every attempt is
/// signed afresh with a current `x-amz-date`. A [`SigningRegion`] extension
/// (`.with_extension(SigningRegion::new("…"))`) overrides the region.
///
/// ```
/// use lattice_client::reqwest::{LatticeClient, SigV4Middleware};
/// use lattice_client::{Credentials, Signer, SigningRegion};
///
/// # fn main() -> Result<(), lattice_client::reqwest::Error> {
/// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
/// let transport = LatticeClient::builder(signer.clone()).build()?;
/// let client = reqwest_middleware::ClientBuilder::new(transport.reqwest_client().clone())
///     .with(SigV4Middleware::new(signer))
///     .build();
/// let request = client
///     .get("https://orders.example.internal/")
///     .with_extension(SigningRegion::new("eu-central-1"));
/// // `request.send().await` signs and sends it.
/// # let _ = request;
/// # Ok(())
/// # }
/// ```
///
/// Errors of the signer come back as `reqwest_middleware::Error::Middleware`
/// wrapping a [`crate::Error`]: `err.downcast_ref::<lattice_client::Error>()` on the
/// inner `anyhow::Error`.
#[derive(Clone, Debug)]
pub struct SigV4Middleware {
    signer: Signer,
}

impl SigV4Middleware {
    /// A middleware that signs with `signer`.
    ///
    /// ```
    /// # use lattice_client::reqwest::SigV4Middleware;
    /// # use lattice_client::{Credentials, Signer};
    /// # fn main() -> Result<(), lattice_client::reqwest::Error> {
    /// let signer = Signer::builder().credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example")).build()?;
    /// let middleware = SigV4Middleware::new(signer);
    /// # let _ = middleware;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(signer: Signer) -> Self {
        Self { signer }
    }
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for SigV4Middleware {
    async fn handle(
        &self,
        mut req: Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let region = extensions.get::<SigningRegion>().cloned();
        sign_in_place(&self.signer, &mut req, region.as_ref())
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
        let url = req.url().clone();
        let response = next.run(req, extensions).await?;
        warn_if_reqwest_followed(&url, &response);
        Ok(response)
    }
}

/// reqwest followed a redirect by itself (its client was not built with
/// `redirect::Policy::none()`): the signature headers, and on another host the
/// session token, may have gone where they should not.
fn warn_if_reqwest_followed(sent: &Url, response: &Response) {
    let reached = response.url();
    if reached != sent {
        let other_host = reached.host_str() != sent.host_str()
            || reached.port_or_known_default() != sent.port_or_known_default();
        tracing::warn!(
            sent = %redacted(sent),
            reached = %redacted(reached),
            other_host,
            "the reqwest client followed a redirect by itself, carrying the signature headers \
             (and x-amz-security-token even to another host); build it with `redirect::Policy::none()`"
        );
    }
}

/// The URL with any user information redacted, for errors and logs.
fn redacted(url: &Url) -> String {
    crate::redact_userinfo(url.as_str()).into_owned()
}

/// The authority as hyper sends it: host, and the port unless it is the
/// scheme's default (which `Url::port` already leaves out).
fn url_authority(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => String::new(),
    }
}

fn cannot_convert(url: &Url) -> crate::Error {
    crate::Error::InvalidUri {
        uri: redacted(url),
        reason: "it cannot be sent as an HTTP request URI",
    }
}

/// Puts `region` into the request's extensions (reqwest offers no public
/// access to them except through its `http::Request` conversions).
fn with_region(request: Request, region: SigningRegion) -> Result<Request, crate::Error> {
    let url = request.url().clone();
    let mut request: http::Request<Body> = request.try_into().map_err(|_| cannot_convert(&url))?;
    request.extensions_mut().insert(region);
    Request::try_from(request).map_err(|_| cannot_convert(&url))
}

/// Signs `request` in place: the head becomes `http::request::Parts`, the body
/// is set aside untouched, then both are put back.
async fn sign_in_place(
    signer: &Signer,
    request: &mut Request,
    region: Option<&SigningRegion>,
) -> Result<SigningReport, crate::Error> {
    let url = request.url().clone();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(crate::Error::InvalidUri {
            uri: redacted(&url),
            reason: "it carries user information before the host; remove it",
        });
    }
    // Checked first so that the conversions below cannot fail after the
    // request was taken apart.
    if url.as_str().parse::<Uri>().is_err() {
        return Err(cannot_convert(&url));
    }
    let placeholder = Request::new(request.method().clone(), url.clone());
    let taken = std::mem::replace(request, placeholder);
    let converted: http::Request<Body> = taken.try_into().map_err(|_| cannot_convert(&url))?;
    let (mut parts, body) = converted.into_parts();
    if let Some(region) = region {
        parts.extensions.insert(region.clone());
    }
    let result = signer.sign_parts(&mut parts).await;
    *request = Request::try_from(http::Request::from_parts(parts, body))
        .map_err(|_| cannot_convert(&url))?;
    let report = result?;
    if url_authority(request.url()) != report.host {
        return Err(crate::Error::InvalidUri {
            uri: redacted(&url),
            reason: "its host cannot be written back into the URL as it was signed",
        });
    }
    Ok(report)
}

/// Which redirects a [`LatticeClient`] follows; see the
/// [module docs](self#redirects).
///
/// ```
/// use lattice_client::reqwest::RedirectPolicy;
///
/// assert_eq!(RedirectPolicy::default(), RedirectPolicy::none());
/// assert_eq!(RedirectPolicy::same_host(3).max_hops(), 3);
/// assert!(!RedirectPolicy::same_host(3).follows_other_hosts());
/// assert!(RedirectPolicy::cross_host(3).follows_other_hosts());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RedirectPolicy {
    max_hops: usize,
    cross_host: bool,
}

impl RedirectPolicy {
    /// Never follow: every `3xx` is returned to the caller (the default).
    pub const fn none() -> Self {
        Self {
            max_hops: 0,
            cross_host: false,
        }
    }

    /// Follow at most `max_hops` redirects whose `Location` is on the same
    /// host as the request (another port or `http` → `https` is allowed).
    pub const fn same_host(max_hops: usize) -> Self {
        Self {
            max_hops,
            cross_host: false,
        }
    }

    /// Follow at most `max_hops` redirects, also to another host the signer
    /// may sign for. On such a hop only [`CROSS_HOST_HEADERS`] (and, when
    /// the body is sent again, `content-type` and `content-encoding`) are
    /// kept: every other header of the request is dropped.
    pub const fn cross_host(max_hops: usize) -> Self {
        Self {
            max_hops,
            cross_host: true,
        }
    }

    /// The most redirects followed for one request.
    pub const fn max_hops(&self) -> usize {
        self.max_hops
    }

    /// Whether a redirect to another host may be followed.
    pub const fn follows_other_hosts(&self) -> bool {
        self.cross_host
    }
}

/// The headers a redirect to another host keeps (with
/// [`RedirectPolicy::cross_host`]); every other header is dropped.
/// `content-type` and `content-encoding` are kept too when the body is sent
/// again (307, 308).
pub const CROSS_HOST_HEADERS: &[&str] =
    &["accept", "accept-encoding", "accept-language", "user-agent"];

/// Headers that describe a body, kept on a hop to another host only when the
/// body is sent again.
const CROSS_HOST_BODY_HEADERS: &[&str] = &["content-type", "content-encoding"];

/// What is kept of a request so that a redirect can be followed: the head,
/// and the body when it can be replayed.
struct Replay {
    request: Request,
    body_replayable: bool,
}

impl Replay {
    /// Copies the request before it is signed and sent.
    fn capture(request: &mut Request) -> Option<Self> {
        if let Some(copy) = request.try_clone() {
            return Some(Self {
                request: copy,
                body_replayable: true,
            });
        }
        // A streaming body: keep only the head (a 301/302/303 needs no body).
        let body = request.body_mut().take();
        let head = request.try_clone();
        *request.body_mut() = body;
        head.map(|request| Self {
            request,
            body_replayable: false,
        })
    }
}

/// The next request of a redirect chain, or `None` when the `3xx` (or any
/// other response) is to be returned as it is.
fn next_hop(
    signer: &Signer,
    policy: RedirectPolicy,
    current: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    replay: Replay,
) -> Option<Request> {
    let keeps_method = match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER => false,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => true,
        _ => return None,
    };
    let refuse = |why: &'static str| {
        tracing::debug!(from = %redacted(current), status = status.as_u16(), why, "not following redirect");
        None
    };
    let Some(location) = headers.get(LOCATION) else {
        return refuse("no location header");
    };
    let Some(next) = std::str::from_utf8(location.as_bytes())
        .ok()
        .and_then(|l| current.join(l).ok())
    else {
        return refuse("location is not a URL");
    };
    if !matches!(next.scheme(), "http" | "https") {
        return refuse("location is not http or https");
    }
    if current.scheme() == "https" && next.scheme() == "http" {
        return refuse("location downgrades https to http");
    }
    if !next.username().is_empty() || next.password().is_some() {
        return refuse("location carries user information");
    }
    let same_host = current.host_str() == next.host_str();
    if !same_host && !policy.cross_host {
        return refuse("location is on another host; allow it with `RedirectPolicy::cross_host`");
    }
    match next.as_str().parse::<Uri>() {
        Ok(uri) if signer.may_sign(&uri) => {}
        _ => return refuse("the signer may not sign for the location's host"),
    }
    let Replay {
        mut request,
        body_replayable,
    } = replay;
    if keeps_method {
        if !body_replayable {
            return refuse("the body is a stream and cannot be sent again");
        }
    } else {
        *request.body_mut() = None;
        for name in [
            TRANSFER_ENCODING,
            CONTENT_TYPE,
            CONTENT_LENGTH,
            CONTENT_ENCODING,
        ] {
            request.headers_mut().remove(name);
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            *request.method_mut() = Method::GET;
        }
    }
    let headers = request.headers_mut();
    let stale: Vec<HeaderName> = headers
        .keys()
        .filter(|n| n.as_str() == "authorization" || n.as_str().starts_with("x-amz-"))
        .cloned()
        .collect();
    for name in stale {
        headers.remove(name);
    }
    let same_origin = same_host
        && current.scheme() == next.scheme()
        && current.port_or_known_default() == next.port_or_known_default();
    if !same_host {
        let dropped: Vec<HeaderName> = headers
            .keys()
            .filter(|n| {
                !CROSS_HOST_HEADERS.contains(&n.as_str())
                    && !(keeps_method && CROSS_HOST_BODY_HEADERS.contains(&n.as_str()))
            })
            .cloned()
            .collect();
        for name in dropped {
            headers.remove(name);
        }
    } else if !same_origin {
        for name in [COOKIE, PROXY_AUTHORIZATION, WWW_AUTHENTICATE, HOST] {
            headers.remove(name);
        }
        headers.remove("cookie2");
    }
    *request.url_mut() = next;
    Some(request)
}

#[cfg(test)]
mod tests;
