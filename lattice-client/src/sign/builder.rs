//! [`SignerBuilder`]: by-value setters, checks in `build`.

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource, TimeSource};
use http::header::HeaderName;

use super::key::KeyCache;
use super::signer::{Inner, SIGNER_KEY_CACHE_IDS};
use super::{Signer, SigningAlgorithm};
use crate::Error;
use crate::credentials::{CredentialsCache, DEFAULT_REFRESH_WINDOW};
use crate::name::{CustomDomains, DomainPattern, DomainRegion};

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

/// Builds a [`Signer`]. By-value setters; checks happen in [`build`](Self::build).
#[must_use]
pub struct SignerBuilder {
    provider: Option<SharedCredentialsProvider>,
    time: Option<SharedTimeSource>,
    region: Option<String>,
    algorithm: SigningAlgorithm,
    domains: Vec<(String, Option<DomainRegion>)>,
    sign_any_host: bool,
    allow_localhost: bool,
    extra_excluded: Vec<String>,
    refresh_window: Duration,
    capture: bool,
}

impl fmt::Debug for SignerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerBuilder")
            .field("has_credentials", &self.provider.is_some())
            .field("region", &self.region)
            .field("algorithm", &self.algorithm)
            .field("custom_domains", &self.domains)
            .field("sign_any_host", &self.sign_any_host)
            .field("allow_localhost", &self.allow_localhost)
            .field("capture_canonical", &self.capture)
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
            allow_localhost: false,
            extra_excluded: Vec::new(),
            refresh_window: DEFAULT_REFRESH_WINDOW,
            capture: false,
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

    /// Signs with the credentials of the IAM role `role_arn`, assumed through
    /// AWS STS with the credentials of `config` (aws-config's
    /// `AssumeRoleProvider`, refreshed before they expire), and takes the
    /// region and time source from `config` as [`sdk_config`](Self::sdk_config)
    /// does. For a caller in one account that calls a Lattice service through
    /// a role of another account (see the README's "gRPC across accounts").
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), lattice_client::Error> {
    /// let config = aws_config::load_from_env().await;
    /// let signer = lattice_client::Signer::builder()
    ///     .assume_role(&config, "arn:aws:iam::444455556666:role/orders-client", "orders")
    ///     .await?
    ///     .build()?;
    /// # let _ = signer; Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `config` has no credentials provider (the base
    /// credentials STS is called with).
    #[cfg(feature = "aws-config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "aws-config")))]
    pub async fn assume_role(
        self,
        config: &aws_config::SdkConfig,
        role_arn: impl Into<String>,
        session_name: impl Into<String>,
    ) -> Result<Self, Error> {
        let mut builder = self.sdk_config(config)?;
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .configure(config)
            .build()
            .await;
        builder = builder.credentials_provider(provider);
        Ok(builder)
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

    /// Sign for `localhost` names (`localhost`, `orders.localhost`: the
    /// names the fake Lattice answers to) with the default
    /// [`region`](Self::region) (default `false`: such requests fail with
    /// [`Error::LocalhostNotAllowed`]). The client builders' `with_env()`
    /// turns it on too. The signature binds the `.localhost` host, so it
    /// cannot be replayed against a real Lattice name.
    pub fn allow_localhost(mut self, yes: bool) -> Self {
        self.allow_localhost = yes;
        self
    }

    /// Never sign this header (for headers a proxy on your path rewrites).
    pub fn exclude_header(mut self, name: impl Into<String>) -> Self {
        self.extra_excluded.push(name.into());
        self
    }

    /// Keep the canonical request and the string to sign of every request in
    /// its [`SigningReport`](super::SigningReport) (`canonical_request`, `string_to_sign`): the
    /// exact bytes that were hashed and signed, session token included.
    /// Off by default (it costs two allocations per request); redact before
    /// display with [`canonical::redact_for_log`](super::canonical::redact_for_log).
    pub fn capture_canonical(mut self, yes: bool) -> Self {
        self.capture = yes;
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
        let mut excluded: Vec<HeaderName> = DEFAULT_EXCLUDED
            .iter()
            .map(|n| HeaderName::from_static(n))
            .collect();
        for n in &self.extra_excluded {
            let name = HeaderName::from_bytes(n.to_ascii_lowercase().as_bytes())
                .map_err(|_| Error::Config(format!("`{n}` is not a valid header name")))?;
            if !excluded.contains(&name) {
                excluded.push(name);
            }
        }
        let time = self
            .time
            .unwrap_or_else(|| SharedTimeSource::new(SystemTimeSource::new()));
        Ok(Signer::from_inner(Inner {
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
            allow_localhost: self.allow_localhost,
            excluded: excluded.into_boxed_slice(),
            capture: self.capture,
            v4_keys: KeyCache::new(SIGNER_KEY_CACHE_IDS),
            v4a_keys: KeyCache::new(SIGNER_KEY_CACHE_IDS),
            hot: Mutex::default(),
            warned_http: Mutex::new(HashSet::new()),
            warned_region: Mutex::new(HashSet::new()),
        }))
    }
}
