//! SigV4 and SigV4A request signing for VPC Lattice (`vpc-lattice-svcs`).
//!
//! A [`Signer`] adds `x-amz-date`, `x-amz-content-sha256: UNSIGNED-PAYLOAD`,
//! `x-amz-security-token` (temporary credentials), `x-amz-region-set` (SigV4A)
//! and `authorization` to a request head. It never reads the body, so bodies
//! stream.
//!
//! ```
//! use aws_credential_types::Credentials;
//! use lattice_client::sign::Signer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), lattice_client::Error> {
//! let signer = Signer::builder()
//!     .credentials(Credentials::for_tests())
//!     .build()?;
//! let mut request = http::Request::get(
//!     "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders/42",
//! )
//! .body(())
//! .expect("valid request");
//! signer.sign(&mut request).await?;
//! assert_eq!(request.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
//! assert!(request.headers()["authorization"]
//!     .to_str()
//!     .unwrap()
//!     .contains("/us-west-2/vpc-lattice-svcs/aws4_request"));
//! # Ok(())
//! # }
//! ```
//!
//! # What is signed
//!
//! * `host`: the URI authority after normalisation — host lower-cased, one
//!   trailing dot removed, the scheme's default port dropped — written back
//!   into the URI. hyper derives `Host` (HTTP/1.1) and `:authority` (HTTP/2)
//!   from the URI, so this single rule is right whichever version ALPN picks.
//!   The signer never adds a `Host` header; a `Host` header that agrees with
//!   the authority is removed (hyper puts it back from the URI on HTTP/1.1),
//!   one that disagrees is an [`Error::HostHeaderMismatch`].
//! * Every other header, except those a proxy or HTTP/2 may drop or rewrite:
//!   `authorization`, `user-agent`, `x-amzn-trace-id`, `transfer-encoding`,
//!   `connection`, `keep-alive`, `proxy-connection`, `te`, `trailer`,
//!   `upgrade`, `expect` and every `x-forwarded-*` (extend the list with
//!   [`SignerBuilder::exclude_header`]).
//! * The payload hash is the literal `UNSIGNED-PAYLOAD`: Lattice rejects
//!   signed payloads.
//! * The path is double-encoded and normalised (the SigV4 default that
//!   botocore and AWS's Python, Java and Node samples use).
//!
//! # Hosts
//!
//! By default only VPC Lattice hosts are signed: generated service names
//! (`<name>-<id>.<partition>.vpc-lattice-svcs.<region>.on.aws`) and the custom
//! domains registered with [`SignerBuilder::custom_domain`]. The check is made
//! on the URI host, where the connection goes, so a signature or session token
//! never reaches a host the user did not name. [`SignerBuilder::sign_any_host`]
//! lifts the restriction.
//!
//! # Regions
//!
//! The first of: a [`SigningRegion`] request extension; the region inside a
//! generated Lattice name; the region of the matching custom domain; the
//! builder's default [`region`](SignerBuilder::region). With SigV4A the region
//! set replaces all of these.
//!
//! # Plain HTTP
//!
//! Signing an `http://` request logs one `tracing` warning per host: the
//! signature and session token travel in clear text and can be replayed by
//! anyone on the path for as long as the signature is valid (five minutes)
//! and the token lives.

pub mod canonical;
pub mod verify;

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::{v4, v4a};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource, TimeSource};
use aws_smithy_runtime_api::client::identity::Identity;
use http::header::{HOST, HeaderMap, HeaderName, HeaderValue};
use http::uri::{Authority, Scheme, Uri};

use crate::Error;
use crate::credentials::{CredentialsCache, DEFAULT_REFRESH_WINDOW};
use crate::name::{CustomDomains, DomainPattern, DomainRegion, LatticeName};

/// The SigV4 signing name of the VPC Lattice data plane.
///
/// (The control plane is `vpc-lattice`; never sign data-plane calls with it.)
pub const SIGNING_NAME: &str = "vpc-lattice-svcs";

/// The payload hash Lattice requires.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Headers the signer sets; they are removed before every signing so that a
/// retried request never carries stale values.
pub const SIGNING_HEADERS: [&str; 5] = [
    "authorization",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
    "x-amz-region-set",
];

/// Headers never signed by default (in addition to any `x-forwarded-*`).
const DEFAULT_EXCLUDED: [&str; 11] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
    "expect",
];

/// The signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// `AWS4-HMAC-SHA256`, bound to one region (the default).
    SigV4,
    /// `AWS4-ECDSA-P256-SHA256`, valid in every region of `region_set`
    /// (`*`, or a comma-separated list such as `us-east-1,us-west-2`).
    SigV4A {
        /// The value of `x-amz-region-set`.
        region_set: String,
    },
}

/// A per-request signing region: put it in the request's extensions to
/// override every other source of the region.
///
/// ```
/// let mut request = http::Request::get("https://orders.example.internal/").body(()).unwrap();
/// request.extensions_mut().insert(lattice_client::sign::SigningRegion::new("eu-central-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningRegion(Cow<'static, str>);

impl SigningRegion {
    /// A region such as `us-west-2`.
    pub fn new(region: impl Into<Cow<'static, str>>) -> Self {
        Self(region.into())
    }

    /// The region.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the signer did to a request (for logs and for the `-v` of the `call`
/// example). Contains no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningReport {
    /// The algorithm used.
    pub algorithm: &'static str,
    /// The credential scope, e.g. `20240101/us-west-2/vpc-lattice-svcs/aws4_request`.
    pub scope: String,
    /// The `host` that was signed (the normalised URI authority).
    pub host: String,
    /// The signed header names, `;`-separated, as in `authorization`.
    pub signed_headers: String,
}

/// Signs requests for VPC Lattice. Cheap to clone; clones share the
/// credentials cache.
#[derive(Clone)]
pub struct Signer {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: CredentialsCache,
    time: SharedTimeSource,
    region: Option<String>,
    algorithm: SigningAlgorithm,
    /// Custom domains with a region or a SigV4A region set.
    domains: CustomDomains,
    /// Custom domains signed with the default region.
    default_region_domains: Vec<DomainPattern>,
    sign_any_host: bool,
    extra_excluded: Vec<HeaderName>,
    warned_http: Mutex<HashSet<String>>,
    warned_region: Mutex<HashSet<String>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("signing_name", &SIGNING_NAME)
            .field("algorithm", &self.inner.algorithm)
            .field("region", &self.inner.region)
            .field("custom_domains", &self.inner.domains)
            .field("default_region_domains", &self.inner.default_region_domains)
            .field("sign_any_host", &self.inner.sign_any_host)
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Signer`]. By-value setters; checks happen in [`build`](Self::build).
#[must_use]
pub struct SignerBuilder {
    provider: Option<SharedCredentialsProvider>,
    time: Option<SharedTimeSource>,
    region: Option<String>,
    algorithm: SigningAlgorithm,
    domains: Vec<(String, Option<DomainRegion>)>,
    sign_any_host: bool,
    extra_excluded: Vec<String>,
    refresh_window: Duration,
}

impl fmt::Debug for SignerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerBuilder")
            .field("has_credentials", &self.provider.is_some())
            .field("region", &self.region)
            .field("algorithm", &self.algorithm)
            .field("custom_domains", &self.domains)
            .field("sign_any_host", &self.sign_any_host)
            .finish_non_exhaustive()
    }
}

impl Default for SignerBuilder {
    fn default() -> Self {
        Self {
            provider: None,
            time: None,
            region: None,
            algorithm: SigningAlgorithm::SigV4,
            domains: Vec::new(),
            sign_any_host: false,
            extra_excluded: Vec::new(),
            refresh_window: DEFAULT_REFRESH_WINDOW,
        }
    }
}

impl SignerBuilder {
    /// Credentials from any provider (the default chain, a role provider, …).
    /// They are cached and refreshed ahead of expiry.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.provider = Some(SharedCredentialsProvider::new(provider));
        self
    }

    /// Static credentials (tests, or keys you manage yourself).
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(credentials)
    }

    /// Credentials provider, default region and clock from an
    /// [`aws_config::SdkConfig`] (usually `aws_config::load_from_env().await`).
    /// Values set on this builder before or after win over the config's,
    /// except the credentials provider, which this call replaces.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the config has no credentials provider.
    #[cfg(feature = "aws-config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
    pub fn sdk_config(mut self, config: &aws_config::SdkConfig) -> Result<Self, Error> {
        let provider = config.credentials_provider().ok_or_else(|| {
            Error::Config(
                "the SdkConfig has no credentials provider; load it with `aws_config::load_from_env()` \
                 or set credentials explicitly"
                    .into(),
            )
        })?;
        self.provider = Some(provider);
        if self.region.is_none() {
            self.region = config.region().map(|r| r.as_ref().to_owned());
        }
        if self.time.is_none() {
            self.time = config.time_source();
        }
        Ok(self)
    }

    /// The default signing region, used when neither the request nor its host
    /// names one.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sign with SigV4A for a region set (`*` or `us-east-1,us-west-2`).
    pub fn sigv4a(mut self, region_set: impl Into<String>) -> Self {
        self.algorithm = SigningAlgorithm::SigV4A {
            region_set: region_set.into(),
        };
        self
    }

    /// The signature algorithm (SigV4 by default).
    pub fn algorithm(mut self, algorithm: SigningAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The clock used for `x-amz-date` and credential expiry (tests pass a
    /// fixed one).
    pub fn time_source(mut self, time: impl TimeSource + 'static) -> Self {
        self.time = Some(SharedTimeSource::new(time));
        self
    }

    /// Registers a custom domain the signer may sign for: an exact name or a
    /// one-level wildcard such as `*.example.internal`, with the region its
    /// service lives in (`None`: use the default [`region`](Self::region)).
    ///
    /// A custom domain carries no region of its own, so requests to it are
    /// signed for this region.
    pub fn custom_domain(mut self, pattern: impl Into<String>, region: Option<&str>) -> Self {
        self.domains.push((
            pattern.into(),
            region.map(|r| DomainRegion::Region(r.to_owned())),
        ));
        self
    }

    /// Registers a custom domain served from several regions (for example
    /// Route 53 failover or latency routing between two regions): requests to
    /// it are signed with SigV4A for `regions` (`*`, exact regions or prefix
    /// wildcards such as `us-*`), whatever the signer's algorithm.
    pub fn custom_domain_region_set<I>(mut self, pattern: impl Into<String>, regions: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let regions = regions.into_iter().map(Into::into).collect();
        self.domains
            .push((pattern.into(), Some(DomainRegion::RegionSet(regions))));
        self
    }

    /// Registers every domain of a prepared table (see
    /// [`CustomDomains`]).
    pub fn custom_domains(mut self, table: CustomDomains) -> Self {
        for (pattern, region) in table.iter() {
            self.domains
                .push((pattern.as_str().to_owned(), Some(region.clone())));
        }
        self
    }

    /// Sign for any host, not only Lattice names and registered custom domains.
    ///
    /// Only turn this on when every host the client may reach is trusted with
    /// your signatures and session token.
    pub fn sign_any_host(mut self, yes: bool) -> Self {
        self.sign_any_host = yes;
        self
    }

    /// Never sign this header (for headers a proxy on your path rewrites).
    pub fn exclude_header(mut self, name: impl Into<String>) -> Self {
        self.extra_excluded.push(name.into());
        self
    }

    /// How long before expiry credentials are refreshed (default 5 minutes).
    pub fn refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self
    }

    /// Checks the configuration and builds the signer.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when no credentials were given, a region or region
    /// set is empty or malformed, a custom domain is not a DNS name, or an
    /// excluded header name is invalid.
    pub fn build(self) -> Result<Signer, Error> {
        let provider = self.provider.ok_or_else(|| {
            Error::Config(
                "no credentials: call `credentials`, `credentials_provider` or `sdk_config` on the builder".into(),
            )
        })?;
        if let Some(region) = &self.region {
            DomainRegion::region(region.as_str())?;
        }
        if let SigningAlgorithm::SigV4A { region_set } = &self.algorithm {
            DomainRegion::region_set(region_set.split(',').map(str::trim))?;
        }
        let mut domains = CustomDomains::new();
        let mut default_region_domains = Vec::new();
        for (pattern, region) in self.domains {
            let parsed = DomainPattern::parse(&pattern)?;
            match region {
                Some(region) => {
                    region.validate()?;
                    domains.insert(parsed, region)?;
                }
                None => default_region_domains.push(parsed),
            }
        }
        let extra_excluded = self
            .extra_excluded
            .iter()
            .map(|n| {
                HeaderName::from_bytes(n.to_ascii_lowercase().as_bytes())
                    .map_err(|_| Error::Config(format!("`{n}` is not a valid header name")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let time = self
            .time
            .unwrap_or_else(|| SharedTimeSource::new(SystemTimeSource::new()));
        Ok(Signer {
            inner: Arc::new(Inner {
                credentials: CredentialsCache::with_settings(
                    provider,
                    time.clone(),
                    self.refresh_window,
                ),
                time,
                region: self.region,
                algorithm: self.algorithm,
                domains,
                default_region_domains,
                sign_any_host: self.sign_any_host,
                extra_excluded,
                warned_http: Mutex::new(HashSet::new()),
                warned_region: Mutex::new(HashSet::new()),
            }),
        })
    }
}

/// The region (SigV4) or region set (SigV4A) one request is signed for.
enum Region<'a> {
    V4(&'a str),
    V4a(Cow<'a, str>),
}

/// Why a host may be signed for, and the region it implies.
enum HostKind<'a> {
    /// A generated Lattice name and its region label.
    Generated(&'a str),
    /// A registered custom domain with its region or region set.
    Domain(&'a DomainRegion),
    /// A custom domain registered without a region, or any host when
    /// `sign_any_host` is on: the default region applies.
    Default,
}

impl Signer {
    /// A builder with SigV4, no default region and only Lattice hosts.
    pub fn builder() -> SignerBuilder {
        SignerBuilder::default()
    }

    /// The credentials cache (shared by clones of this signer).
    pub fn credentials(&self) -> &CredentialsCache {
        &self.inner.credentials
    }

    /// The configured algorithm.
    pub fn algorithm(&self) -> &SigningAlgorithm {
        &self.inner.algorithm
    }

    /// Whether this signer would sign a request to `uri` (its scheme and
    /// authority are usable and its host is allowed). Redirect loops use it
    /// before following a `Location`.
    pub fn may_sign(&self, uri: &Uri) -> bool {
        match normalize_authority(uri) {
            Ok((_, authority)) => allowed(&self.inner, authority.host()).is_ok(),
            Err(_) => false,
        }
    }

    /// Signs `request` in place with cached (refreshed when needed) credentials.
    ///
    /// # Errors
    ///
    /// See [`sign_with`](Self::sign_with); also [`Error::Credentials`] when the
    /// provider fails.
    pub async fn sign<B>(&self, request: &mut http::Request<B>) -> Result<SigningReport, Error> {
        let credentials = self.inner.credentials.get().await?;
        self.sign_with(request, &credentials)
    }

    /// Signs `request` in place with the given credentials at the signer's
    /// clock time. Never reads the body.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUri`] (no scheme or authority), [`Error::HostNotAllowed`],
    /// [`Error::HostHeaderMismatch`], [`Error::InvalidHeaderValue`],
    /// [`Error::NoRegion`], [`Error::Signing`].
    pub fn sign_with<B>(
        &self,
        request: &mut http::Request<B>,
        credentials: &Credentials,
    ) -> Result<SigningReport, Error> {
        let method = request.method().clone();
        let region = request.extensions().get::<SigningRegion>().cloned();
        let now = self.inner.time.now();
        let mut uri = std::mem::take(request.uri_mut());
        let result = sign_head(
            &self.inner,
            &method,
            &mut uri,
            request.headers_mut(),
            region.as_ref().map(SigningRegion::as_str),
            credentials,
            now,
        );
        *request.uri_mut() = uri;
        result
    }

    /// Signs a request head in place with cached credentials.
    ///
    /// # Errors
    ///
    /// As [`sign`](Self::sign).
    pub async fn sign_parts(
        &self,
        parts: &mut http::request::Parts,
    ) -> Result<SigningReport, Error> {
        let credentials = self.inner.credentials.get().await?;
        self.sign_parts_with(parts, &credentials)
    }

    /// Signs a request head in place with the given credentials.
    ///
    /// # Errors
    ///
    /// As [`sign_with`](Self::sign_with).
    pub fn sign_parts_with(
        &self,
        parts: &mut http::request::Parts,
        credentials: &Credentials,
    ) -> Result<SigningReport, Error> {
        let override_region = parts.extensions.get::<SigningRegion>();
        let now = self.inner.time.now();
        sign_head(
            &self.inner,
            &parts.method,
            &mut parts.uri,
            &mut parts.headers,
            override_region.map(SigningRegion::as_str),
            credentials,
            now,
        )
    }
}

/// Whether `host` (normalised: lower-case, no trailing dot, no port) may be
/// signed for, and what it says about the region.
fn allowed<'a>(inner: &'a Inner, host: &'a str) -> Result<HostKind<'a>, Error> {
    if let Some(region) = LatticeName::region_of(host) {
        return Ok(HostKind::Generated(region));
    }
    if let Some(region) = inner.domains.get(host) {
        return Ok(HostKind::Domain(region));
    }
    if inner.sign_any_host || inner.default_region_domains.iter().any(|p| p.matches(host)) {
        return Ok(HostKind::Default);
    }
    Err(Error::HostNotAllowed {
        host: host.to_owned(),
    })
}

/// Normalises the authority of `uri`: lower-case host, one trailing dot
/// removed, the scheme's default port dropped. Returns the URI to use (only
/// rebuilt when something changed) and the normalised authority.
fn normalize_authority(uri: &Uri) -> Result<(Option<Uri>, Authority), Error> {
    let scheme = uri.scheme().ok_or_else(|| {
        Error::invalid_uri(uri, "it has no scheme; use an absolute `https://` URI")
    })?;
    let authority = uri.authority().ok_or_else(|| {
        Error::invalid_uri(uri, "it has no authority (host); use an absolute URI")
    })?;
    let default_port = if *scheme == Scheme::HTTPS {
        443
    } else if *scheme == Scheme::HTTP {
        80
    } else {
        return Err(Error::invalid_uri(
            uri,
            "only `http` and `https` URIs can be signed",
        ));
    };
    if authority.as_str().contains('@') {
        return Err(Error::invalid_uri(
            uri,
            "it carries user information before the host; remove it",
        ));
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(Error::invalid_uri(uri, "its host is empty"));
    }
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    if trimmed.is_empty() || trimmed.ends_with('.') {
        return Err(Error::invalid_uri(uri, "its host is not a valid name"));
    }
    let port = authority.port_u16();
    let drop_port = port == Some(default_port);
    // An explicit empty port (`host:`) is also dropped.
    let empty_port = port.is_none() && authority.as_str().ends_with(':');
    let needs_change = trimmed.len() != host.len()
        || host.bytes().any(|b| b.is_ascii_uppercase())
        || drop_port
        || empty_port;
    if !needs_change {
        return Ok((None, authority.clone()));
    }
    let mut text = trimmed.to_ascii_lowercase();
    if let (Some(p), false) = (port, drop_port) {
        text.push(':');
        text.push_str(&p.to_string());
    }
    let new_authority = Authority::try_from(text.as_str())
        .map_err(|_| Error::invalid_uri(uri, "its authority is not valid"))?;
    let mut parts = uri.clone().into_parts();
    parts.authority = Some(new_authority.clone());
    let new_uri = Uri::from_parts(parts)
        .map_err(|_| Error::invalid_uri(uri, "its authority is not valid"))?;
    Ok((Some(new_uri), new_authority))
}

fn is_excluded(inner: &Inner, name: &HeaderName) -> bool {
    let s = name.as_str();
    DEFAULT_EXCLUDED.contains(&s)
        || s.starts_with("x-forwarded-")
        || inner.extra_excluded.iter().any(|n| n == name)
}

fn sign_head(
    inner: &Inner,
    method: &http::Method,
    uri: &mut Uri,
    headers: &mut HeaderMap,
    override_region: Option<&str>,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<SigningReport, Error> {
    let (new_uri, authority) = normalize_authority(uri)?;
    if let Some(new_uri) = new_uri {
        *uri = new_uri;
    }
    let host = authority.host();
    let host_kind = allowed(inner, host)?;

    // A `Host` header must agree with the URI: the connection goes to the URI host.
    if let Some(value) = headers.get(HOST) {
        let agrees = value.to_str().ok().is_some_and(|v| {
            let fake = format!("{}://{}/", uri.scheme_str().unwrap_or("https"), v);
            fake.parse::<Uri>()
                .ok()
                .and_then(|u| normalize_authority(&u).ok())
                .is_some_and(|(_, a)| a == authority)
        });
        if !agrees {
            return Err(Error::HostHeaderMismatch {
                header: String::from_utf8_lossy(value.as_bytes()).into_owned(),
                authority: authority.to_string(),
            });
        }
        headers.remove(HOST);
    }

    if uri.scheme() == Some(&Scheme::HTTP) {
        warn_plain_http(inner, host);
    }

    let region = pick_region(inner, host, host_kind, override_region)?;

    for name in SIGNING_HEADERS {
        headers.remove(name);
    }

    // The headers to sign, as text: `host` first, then every non-excluded header.
    let mut signable: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
    signable.push(("host", authority.as_str()));
    for (name, value) in headers.iter() {
        if is_excluded(inner, name) {
            continue;
        }
        let value = value.to_str().map_err(|_| Error::InvalidHeaderValue {
            name: name.as_str().to_owned(),
        })?;
        signable.push((name.as_str(), value));
    }

    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.signature_location = SignatureLocation::Headers;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    settings.session_token_mode = SessionTokenMode::Include;
    // We filtered excluded headers above; nothing more to drop.
    settings.excluded_headers = None;

    let uri_text = uri.to_string();
    let request = SignableRequest::new(
        method.as_str(),
        uri_text.as_str(),
        signable.into_iter(),
        SignableBody::UnsignedPayload,
    )
    .map_err(Error::Signing)?;

    let (algorithm, scope_region, params) = match &region {
        Region::V4(region) => (
            "AWS4-HMAC-SHA256",
            *region,
            v4::SigningParams::builder()
                .identity(&identity)
                .region(region)
                .name(SIGNING_NAME)
                .time(now)
                .settings(settings)
                .build()
                .map(aws_sigv4::http_request::SigningParams::from)
                .map_err(|e| Error::Config(e.to_string()))?,
        ),
        Region::V4a(set) => (
            "AWS4-ECDSA-P256-SHA256",
            set.as_ref(),
            v4a::SigningParams::builder()
                .identity(&identity)
                .region_set(set.as_ref())
                .name(SIGNING_NAME)
                .time(now)
                .settings(settings)
                .build()
                .map(aws_sigv4::http_request::SigningParams::from)
                .map_err(|e| Error::Config(e.to_string()))?,
        ),
    };

    let output = aws_sigv4::http_request::sign(request, &params).map_err(Error::Signing)?;
    let (instructions, _signature) = output.into_parts();
    let (new_headers, _params) = instructions.into_parts();
    let mut signed_headers = String::new();
    for header in new_headers {
        let mut value =
            HeaderValue::from_str(header.value()).map_err(|_| Error::InvalidHeaderValue {
                name: header.name().to_owned(),
            })?;
        let sensitive = header.sensitive() || header.name() == "authorization";
        value.set_sensitive(sensitive);
        if header.name() == "authorization"
            && let Some(sh) = value
                .to_str()
                .ok()
                .and_then(|v| v.split("SignedHeaders=").nth(1))
                .and_then(|v| v.split(',').next())
        {
            signed_headers = sh.to_owned();
        }
        headers.insert(header.name(), value);
    }

    let date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.get(..8))
        .unwrap_or_default();
    let scope = match algorithm {
        "AWS4-HMAC-SHA256" => format!("{date}/{scope_region}/{SIGNING_NAME}/aws4_request"),
        _ => format!("{date}/{SIGNING_NAME}/aws4_request"),
    };
    tracing::debug!(
        host = %authority,
        algorithm,
        scope = %scope,
        signed_headers = %signed_headers,
        "signed request for VPC Lattice"
    );
    Ok(SigningReport {
        algorithm,
        scope,
        host: authority.to_string(),
        signed_headers,
    })
}

/// Picks the region for one request. Precedence: the configured SigV4A
/// region set; a per-request [`SigningRegion`]; the region inside a generated
/// name; the custom-domain table (a region, or a region set which selects
/// SigV4A for this request); the default region.
fn pick_region<'a>(
    inner: &'a Inner,
    host: &str,
    kind: HostKind<'a>,
    override_region: Option<&'a str>,
) -> Result<Region<'a>, Error> {
    if let SigningAlgorithm::SigV4A { region_set } = &inner.algorithm {
        return Ok(Region::V4a(Cow::Borrowed(region_set)));
    }
    if let Some(region) = override_region {
        return Ok(Region::V4(region));
    }
    let default = inner.region.as_deref();
    match kind {
        HostKind::Generated(region) => {
            if let Some(default) = default
                && default != region
            {
                warn_once(&inner.warned_region, host, || {
                    tracing::warn!(
                        host,
                        name_region = region,
                        default_region = default,
                        "the default signing region disagrees with the region in the Lattice name; \
                         signing for the name's region"
                    );
                });
            }
            Ok(Region::V4(region))
        }
        HostKind::Domain(DomainRegion::Region(region)) => Ok(Region::V4(region)),
        HostKind::Domain(DomainRegion::RegionSet(set)) => {
            Ok(Region::V4a(Cow::Owned(set.join(","))))
        }
        HostKind::Default => default.map(Region::V4).ok_or_else(|| Error::NoRegion {
            host: host.to_owned(),
        }),
    }
}

/// Runs `log` the first time `key` is seen (bounded memory).
fn warn_once(seen: &Mutex<HashSet<String>>, key: &str, log: impl FnOnce()) {
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    if seen.len() < 10_000 && !seen.contains(key) {
        seen.insert(key.to_owned());
        log();
    }
}

fn warn_plain_http(inner: &Inner, host: &str) {
    warn_once(&inner.warned_http, host, || {
        tracing::warn!(
            host,
            "signing a plain http:// request: the signature and any session token travel in clear text \
             and can be replayed for minutes; use https:// where the listener offers it"
        );
    });
}

#[cfg(test)]
mod tests;
