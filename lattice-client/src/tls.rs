//! rustls configuration with the aws-lc-rs provider passed explicitly, and
//! [`TlsOptions`]: the trusted roots and connect timeout that every client
//! builder of the workspace takes the same way.
//!
//! ```
//! use std::time::Duration;
//! use lattice_client::tls::TlsOptions;
//!
//! # fn main() -> Result<(), lattice_client::Error> {
//! # let ca_pem = rcgen::generate_simple_self_signed(vec!["ca.example".to_owned()])
//! #     .expect("certificate")
//! #     .cert
//! #     .pem();
//! let options = TlsOptions::new()
//!     .platform_roots(false)
//!     .add_pem(ca_pem.as_bytes())?
//!     .connect_timeout(Duration::from_secs(5));
//! assert_eq!(options.extra_roots().len(), 1);
//! // The same value configures each client:
//! // `LatticeClient::builder(signer).tls(options.clone())` (reqwest),
//! // `HyperClientBuilder::new(signer).tls(options.clone())` (lattice-tower),
//! // `LatticeEndpoint::new(url)?.tls(options)` (lattice-tonic).
//! # Ok(())
//! # }
//! ```
//!
//! No function here installs or relies on a process-wide default provider:
//! with two providers compiled into one program rustls would otherwise panic
//! at run time.
//!
//! # Crypto provider
//!
//! aws-lc-rs is the default provider: it has a FIPS-validated build (rustls's
//! `fips` feature) and it is what the AWS SDK for Rust uses, so an
//! application that also calls AWS services links one crypto library, not
//! two. An application that already ships another provider (ring, or a
//! FIPS build configured its own way) passes it, or a complete
//! `ClientConfig`, to every builder through [`TlsOptions`]:
//!
//! ```
//! use std::sync::Arc;
//! use lattice_client::tls::TlsOptions;
//!
//! # fn main() -> Result<(), lattice_client::Error> {
//! // With rustls's `ring` feature: `rustls::crypto::ring::default_provider()`.
//! let provider = rustls::crypto::aws_lc_rs::default_provider();
//! let options = TlsOptions::new().crypto_provider(Arc::new(provider));
//! let config = options.client_config()?;
//! # let _ = config;
//!
//! // Or a complete configuration (roots, provider, client certificate, …):
//! let config = rustls::ClientConfig::builder_with_provider(lattice_client::tls::provider())
//!     .with_safe_default_protocol_versions()
//!     .map_err(|e| lattice_client::Error::Tls(e.to_string()))?
//!     .with_root_certificates(rustls::RootCertStore::empty())
//!     .with_no_client_auth();
//! let options = TlsOptions::new().with_client_config(config);
//! assert!(options.has_client_config());
//! # Ok(())
//! # }
//! ```
//!
//! Building aws-lc-rs needs a C compiler for the target. Cross-compiling for
//! AWS Lambda works with cargo-lambda, whose zig toolchain compiles it
//! (`cargo lambda build --release --arm64`); see `docs/tls.md`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;

use crate::Error;

/// The crypto provider every TLS configuration of this workspace uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Root certificates: the platform's (unless `platform` is false) plus `extra`
/// (for example a test CA).
///
/// Platform certificates that fail to load are skipped with a `tracing`
/// warning; an empty store is not an error here (connections will then fail
/// certificate verification with a clear TLS error).
pub fn root_store(platform: bool, extra: &[CertificateDer<'static>]) -> RootCertStore {
    let mut roots = RootCertStore::empty();
    if platform {
        let loaded = rustls_native_certs::load_native_certs();
        for e in &loaded.errors {
            tracing::warn!(error = %e, "could not load a platform root certificate");
        }
        let (_, ignored) = roots.add_parsable_certificates(loaded.certs);
        if ignored > 0 {
            tracing::debug!(ignored, "ignored unparsable platform root certificates");
        }
    }
    for cert in extra {
        if let Err(e) = roots.add(cert.clone()) {
            tracing::warn!(error = %e, "could not add an extra root certificate");
        }
    }
    roots
}

/// Parses every certificate in a PEM document.
///
/// # Errors
///
/// [`Error::Tls`] when the PEM is malformed or holds no certificate.
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, Error> {
    use rustls_pki_types::pem::PemObject;
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Tls(format!("malformed PEM: {e}")))?;
    if certs.is_empty() {
        return Err(Error::Tls(
            "the PEM data holds no `BEGIN CERTIFICATE` block".into(),
        ));
    }
    Ok(certs)
}

/// A client configuration over `roots`, offering ALPN `h2` and `http/1.1`.
///
/// # Errors
///
/// [`Error::Tls`] if the provider supports no safe protocol version (not
/// expected with aws-lc-rs).
pub fn client_config(roots: RootCertStore) -> Result<ClientConfig, Error> {
    client_config_with(provider(), roots)
}

/// [`client_config`] with another crypto provider.
///
/// # Errors
///
/// [`Error::Tls`] if `provider` supports no safe protocol version.
pub fn client_config_with(
    provider: Arc<CryptoProvider>,
    roots: RootCertStore,
) -> Result<ClientConfig, Error> {
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(format!("the crypto provider cannot be used: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The default connect timeout of [`TlsOptions`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a client trusts servers and how long it waits for a connection: the
/// platform's root certificates (on or off), extra roots (a private CA, the
/// fake Lattice's CA) and a connect timeout.
///
/// `LatticeClientBuilder::tls` (reqwest), `HyperClientBuilder::tls`
/// (lattice-tower) and `LatticeEndpoint::tls` (lattice-tonic) each take one.
/// Defaults: platform roots, no extra root, a
/// [10 s](DEFAULT_CONNECT_TIMEOUT) connect timeout.
#[derive(Clone)]
#[must_use]
pub struct TlsOptions {
    platform_roots: bool,
    extra_roots: Vec<CertificateDer<'static>>,
    connect_timeout: Option<Duration>,
    provider: Option<Arc<CryptoProvider>>,
    client_config: Option<Arc<ClientConfig>>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field("platform_roots", &self.platform_roots)
            .field("extra_roots", &self.extra_roots.len())
            .field("connect_timeout", &self.connect_timeout)
            .field("custom_provider", &self.provider.is_some())
            .field("client_config", &self.client_config.is_some())
            .finish()
    }
}

impl TlsOptions {
    /// The defaults: platform roots, no extra root, a 10 s connect timeout.
    pub fn new() -> Self {
        Self {
            platform_roots: true,
            extra_roots: Vec::new(),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            provider: None,
            client_config: None,
        }
    }

    /// The crypto provider of the configuration built from these options
    /// (default: aws-lc-rs, [`provider`]). Not used when a complete
    /// configuration is given with [`with_client_config`](Self::with_client_config).
    pub fn crypto_provider(mut self, provider: Arc<CryptoProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Uses `config` as it is — its roots, crypto provider, protocol
    /// versions, client certificate — instead of building one from these
    /// options: the platform-roots switch, the extra roots, the
    /// [`crypto_provider`](Self::crypto_provider) and `AWS_CA_BUNDLE`
    /// (`with_env`) are then ignored. Only the ALPN protocols are set by
    /// each client (`h2` and `http/1.1` for reqwest and hyper, `h2` for
    /// tonic). The connect timeout still applies.
    pub fn with_client_config(mut self, config: impl Into<Arc<ClientConfig>>) -> Self {
        self.client_config = Some(config.into());
        self
    }

    /// The crypto provider a configuration built from these options uses:
    /// the one set with [`crypto_provider`](Self::crypto_provider), else
    /// aws-lc-rs ([`provider`]).
    pub fn provider(&self) -> Arc<CryptoProvider> {
        self.provider.clone().unwrap_or_else(provider)
    }

    /// Whether a complete configuration was given
    /// ([`with_client_config`](Self::with_client_config)).
    pub fn has_client_config(&self) -> bool {
        self.client_config.is_some()
    }

    /// Whether the platform's root certificates are trusted (default
    /// `true`). With `false` only the extra roots are.
    pub fn platform_roots(mut self, yes: bool) -> Self {
        self.platform_roots = yes;
        self
    }

    /// Trusts one more root certificate (DER).
    pub fn add_root_certificate(mut self, certificate: CertificateDer<'static>) -> Self {
        self.extra_roots.push(certificate);
        self
    }

    /// Trusts every certificate of a PEM document.
    ///
    /// ```
    /// use lattice_client::tls::TlsOptions;
    ///
    /// let err = TlsOptions::new().add_pem(b"not a certificate").expect_err("no PEM block");
    /// assert!(matches!(err, lattice_client::Error::Tls(_)));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when the PEM is malformed or holds no certificate.
    pub fn add_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.extra_roots.extend(certificates_from_pem(pem)?);
        Ok(self)
    }

    /// Bounds opening a connection (default 10 s; `None` for no bound). With
    /// reqwest and tonic it covers the TLS handshake too; with the hyper
    /// client, the TCP connect.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Trusts the PEM bundle named by `AWS_CA_BUNDLE`, instead of the
    /// platform's roots, when that variable is set (see [`crate::env`]);
    /// unchanged otherwise.
    ///
    /// # Errors
    ///
    /// [`Error::Env`] when the bundle cannot be read or holds no certificate.
    pub fn with_env(self) -> Result<Self, Error> {
        Ok(crate::env::EnvConfig::from_env()?.apply_to_tls(self))
    }

    /// [`with_env`](Self::with_env), reading the variables through `lookup`.
    ///
    /// # Errors
    ///
    /// As [`with_env`](Self::with_env).
    pub fn with_env_from(self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let config = crate::env::EnvConfig::from_lookup(|name| {
            (name == crate::env::AWS_CA_BUNDLE)
                .then(|| lookup(name))
                .flatten()
        })?;
        Ok(config.apply_to_tls(self))
    }

    /// Whether the platform's root certificates are trusted.
    pub fn uses_platform_roots(&self) -> bool {
        self.platform_roots
    }

    /// The extra root certificates.
    pub fn extra_roots(&self) -> &[CertificateDer<'static>] {
        &self.extra_roots
    }

    /// The connect timeout, if any.
    pub fn connect_timeout_limit(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// The root store these options describe (see [`root_store`]).
    pub fn root_store(&self) -> RootCertStore {
        root_store(self.platform_roots, &self.extra_roots)
    }

    /// The client configuration: the one given with
    /// [`with_client_config`](Self::with_client_config), ALPN `h2` and
    /// `http/1.1` added when it lists none; otherwise one over
    /// [`root_store`](Self::root_store) with the
    /// [`crypto_provider`](Self::crypto_provider) (see [`client_config`]).
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] if the provider supports no safe protocol version
    /// (for example a provider with no cipher suite).
    pub fn client_config(&self) -> Result<ClientConfig, Error> {
        if let Some(config) = &self.client_config {
            let mut config = ClientConfig::clone(config);
            if config.alpn_protocols.is_empty() {
                config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            }
            return Ok(config);
        }
        client_config_with(self.provider(), self.root_store())
    }
}
