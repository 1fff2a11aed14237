//! Client configuration from the environment: `LATTICE_RESOLVE` and
//! `AWS_CA_BUNDLE`, read only when you opt in.
//!
//! The opt-in has one name everywhere: `with_env()` (and `with_env_from(lookup)`
//! to read another source than the process environment, as tests do):
//!
//! | where | what it applies |
//! |---|---|
//! | [`Resolver::with_env`] | the `LATTICE_RESOLVE` overrides |
//! | `TlsOptions::with_env` (feature `tls`) | the `AWS_CA_BUNDLE` roots |
//! | `LatticeClientBuilder::with_env` (feature `reqwest`) | both, and signing for `*.localhost` |
//! | `lattice_tower::hyper::HyperClientBuilder::with_env` | both, and signing for `*.localhost` |
//! | `lattice_tonic::LatticeEndpoint::with_env` | both, and signing for `*.localhost` |
//!
//! The `lattice call` command always reads both.
//!
//! # `LATTICE_RESOLVE`
//!
//! curl's `--resolve` syntax: `HOST:PORT:ADDR[,ADDR…]`, several entries
//! separated by whitespace or `;`, IPv6 addresses in brackets
//! (`orders.localhost:8443:[::1],127.0.0.1`). `HOST` is a DNS name or a
//! one-level wildcard (`*.example.internal`); `PORT` is `1`–`65535` or `*`.
//! The `lattice fake` ready line and `GET /_fake/env` print a value for the
//! running fake.
//!
//! The resolver of a client sees names, never ports (reqwest and hyper-util
//! hand it the host only), so an entry applies to its host **on every
//! port**. Two entries for one host must therefore give the same addresses
//! ([`EnvError::ConflictingResolve`] otherwise); the fake's entries for the
//! HTTP and HTTPS listeners of one name always do. `lattice call`, which
//! knows the URL, matches the port as curl does.
//!
//! # `AWS_CA_BUNDLE`
//!
//! The AWS SDKs' variable for a PEM bundle of certificate authorities to
//! trust. When it is set (and not empty), the bundle is trusted **instead
//! of** the platform's roots, as botocore and the AWS CLI do (see
//! `docs/assumptions.md`, A67); roots added in code stay trusted. A file
//! that cannot be read, or holds no certificate, is an error, never a
//! silent fallback.
//!
//! # `*.localhost` names
//!
//! The fake Lattice answers every service as `<service name>.localhost`. A
//! [`Signer`](crate::Signer) refuses to sign for such names
//! ([`Error::LocalhostNotAllowed`]) unless you opt in: through a client
//! builder's `with_env()`, or explicitly with
//! [`SignerBuilder::allow_localhost`](crate::SignerBuilder::allow_localhost)
//! or [`Signer::allow_localhost`](crate::Signer::allow_localhost). The
//! signature is made for the signer's default region and binds the
//! `.localhost` host, so it cannot be replayed against a real Lattice name.
//!
//! ```
//! use lattice_client::env::EnvConfig;
//!
//! let vars = [("LATTICE_RESOLVE", "orders.localhost:443:[::1] billing.example.internal:*:127.0.0.1")];
//! let config = EnvConfig::from_lookup(|name| {
//!     vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
//! })?;
//! assert_eq!(config.resolve_entries().len(), 2);
//! assert_eq!(config.resolve_entries()[1].port, None);
//!
//! let err = EnvConfig::from_lookup(|_| Some("orders.localhost:443:::1".to_owned()))
//!     .expect_err("unbracketed IPv6");
//! assert!(err.to_string().contains("`orders.localhost:443:::1`"), "{err}");
//! # Ok::<(), lattice_client::env::EnvError>(())
//! ```

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::resolve::{Resolver, valid_override_name};

/// The variable holding curl-style resolver overrides.
pub const LATTICE_RESOLVE: &str = "LATTICE_RESOLVE";
/// The variable naming a PEM bundle of certificate authorities to trust.
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";

/// A bad value in one of the variables (configuration).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// An entry of `LATTICE_RESOLVE` does not parse.
    #[error(
        "LATTICE_RESOLVE entry `{entry}` is not HOST:PORT:ADDR[,ADDR…] \
         (e.g. `orders.localhost:443:127.0.0.1` or `orders.localhost:443:[::1]`): {reason}"
    )]
    BadResolveEntry {
        /// The entry as written.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },

    /// Two entries of `LATTICE_RESOLVE` give one host different addresses.
    #[error(
        "LATTICE_RESOLVE entries `{first}` and `{second}` give `{host}` different addresses; \
         the resolver matches a name on every port, so give one name one address list"
    )]
    ConflictingResolve {
        /// The host.
        host: String,
        /// The first entry.
        first: String,
        /// The entry that disagrees.
        second: String,
    },

    /// A variable is set but is not valid UTF-8.
    #[error("{name} is set but is not valid UTF-8")]
    NotUnicode {
        /// The variable.
        name: &'static str,
    },

    /// The file named by `AWS_CA_BUNDLE` cannot be read.
    #[error("cannot read the CA bundle `{}` named by AWS_CA_BUNDLE", path.display())]
    CaBundleUnreadable {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// The file named by `AWS_CA_BUNDLE` holds no usable certificate.
    #[error(
        "the CA bundle `{}` named by AWS_CA_BUNDLE is not a PEM file of certificates: {reason}",
        path.display()
    )]
    CaBundleInvalid {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// One `HOST:PORT:ADDR[,ADDR…]` entry of `LATTICE_RESOLVE`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolveEntry {
    /// The host, lower-case, without a trailing dot (a DNS name or
    /// `*.suffix`).
    pub host: String,
    /// The port, `None` for `*`.
    pub port: Option<u16>,
    /// The addresses, in order.
    pub addrs: Vec<IpAddr>,
}

impl ResolveEntry {
    /// Parses one curl `--resolve` entry, `HOST:PORT:ADDR[,ADDR…]` (`PORT`
    /// may be `*`, IPv6 addresses in brackets).
    ///
    /// ```
    /// use lattice_client::env::ResolveEntry;
    ///
    /// let entry = ResolveEntry::parse("Orders.localhost:443:127.0.0.1,[::1]")?;
    /// assert_eq!(entry.host, "orders.localhost");
    /// assert!(entry.matches("orders.localhost", 443));
    /// assert!(ResolveEntry::parse("orders.localhost:443:::1").is_err());
    /// # Ok::<(), lattice_client::env::EnvError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`EnvError::BadResolveEntry`], whose `reason` says what is wrong.
    pub fn parse(text: &str) -> Result<Self, EnvError> {
        parse_entry(text).map_err(|reason| EnvError::BadResolveEntry {
            entry: text.to_owned(),
            reason,
        })
    }

    /// Whether this entry applies to `host` (normalised) on `port`, curl's
    /// rule: the port must match unless the entry says `*`.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        let host_matches = match self.host.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(_, parent)| parent == suffix),
            None => self.host == host,
        };
        host_matches && self.port.is_none_or(|p| p == port)
    }
}

/// Parses a `LATTICE_RESOLVE` value: entries separated by whitespace or `;`.
///
/// ```
/// use std::net::IpAddr;
/// use lattice_client::env::parse_resolve;
///
/// let entries = parse_resolve("a.localhost:8080:127.0.0.1,[::1]; b.localhost:*:10.0.0.5")?;
/// assert_eq!(entries[0].port, Some(8080));
/// assert_eq!(entries[0].addrs[1], "::1".parse::<IpAddr>()?);
/// assert!(parse_resolve("a.localhost:0:127.0.0.1").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`EnvError::BadResolveEntry`] naming the first entry that does not parse,
/// [`EnvError::ConflictingResolve`] when two entries give one host different
/// addresses.
pub fn parse_resolve(value: &str) -> Result<Vec<ResolveEntry>, EnvError> {
    let mut entries: Vec<(ResolveEntry, &str)> = Vec::new();
    for text in value
        .split(|c: char| c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let entry = ResolveEntry::parse(text)?;
        if let Some((first, first_text)) = entries.iter().find(|(e, _)| e.host == entry.host)
            && first.addrs != entry.addrs
        {
            return Err(EnvError::ConflictingResolve {
                host: entry.host,
                first: (*first_text).to_owned(),
                second: text.to_owned(),
            });
        }
        entries.push((entry, text));
    }
    Ok(entries.into_iter().map(|(e, _)| e).collect())
}

fn parse_entry(text: &str) -> Result<ResolveEntry, String> {
    if text.starts_with(['+', '-']) {
        return Err("curl's `+` and `-` prefixes are not supported".into());
    }
    let (host, rest) = text
        .split_once(':')
        .ok_or_else(|| "it has no `:PORT:ADDR`".to_owned())?;
    let (port, addrs) = rest
        .split_once(':')
        .ok_or_else(|| "it has no `:ADDR` after the port".to_owned())?;
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if host.is_empty() || !valid_override_name(&host) {
        return Err(format!(
            "the host `{host}` is not a DNS name or a one-level wildcard such as `*.example.internal`"
        ));
    }
    let port = match port {
        "*" => None,
        p => match p.parse::<u16>() {
            Ok(p) if p > 0 => Some(p),
            _ => {
                return Err(format!(
                    "the port `{p}` is not `*` or a number from 1 to 65535"
                ));
            }
        },
    };
    let mut parsed = Vec::new();
    for addr in addrs.split(',') {
        let ip = match addr.strip_prefix('[') {
            Some(inner) => inner
                .strip_suffix(']')
                .and_then(|a| a.parse::<std::net::Ipv6Addr>().ok())
                .map(IpAddr::V6),
            None if addr.contains(':') => {
                return Err(format!(
                    "`{addr}` looks like an IPv6 address: put it in brackets, as `[{addr}]`"
                ));
            }
            None => addr.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4),
        };
        match ip {
            Some(ip) => parsed.push(ip),
            None if addr.is_empty() => return Err("an address is empty".into()),
            None => return Err(format!("`{addr}` is not an IP address")),
        }
    }
    Ok(ResolveEntry {
        host,
        port,
        addrs: parsed,
    })
}

/// The CA bundle named by `AWS_CA_BUNDLE`, read when the configuration was.
#[derive(Clone)]
struct CaBundle {
    path: PathBuf,
    #[cfg(feature = "tls")]
    certificates: Vec<rustls_pki_types::CertificateDer<'static>>,
}

/// `LATTICE_RESOLVE` and `AWS_CA_BUNDLE`, read and checked once; see the
/// [module docs](self).
#[derive(Clone, Default)]
#[must_use]
pub struct EnvConfig {
    resolve: Vec<ResolveEntry>,
    ca_bundle: Option<CaBundle>,
}

impl std::fmt::Debug for EnvConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvConfig")
            .field("resolve", &self.resolve)
            .field("ca_bundle", &self.ca_bundle())
            .finish()
    }
}

impl EnvConfig {
    /// Reads the process environment.
    ///
    /// # Errors
    ///
    /// As [`from_lookup`](Self::from_lookup), and [`EnvError::NotUnicode`].
    pub fn from_env() -> Result<Self, EnvError> {
        for name in [LATTICE_RESOLVE, AWS_CA_BUNDLE] {
            if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(name) {
                return Err(EnvError::NotUnicode { name });
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` (a variable's value, `None` when
    /// unset): tests and applications with their own configuration source
    /// use it instead of the process environment.
    ///
    /// # Errors
    ///
    /// [`EnvError`]: a bad `LATTICE_RESOLVE` entry, or an `AWS_CA_BUNDLE`
    /// that cannot be read or holds no certificate.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let resolve = match lookup(LATTICE_RESOLVE) {
            Some(value) => parse_resolve(&value)?,
            None => Vec::new(),
        };
        let ca_bundle = match lookup(AWS_CA_BUNDLE).filter(|p| !p.trim().is_empty()) {
            Some(path) => Some(read_bundle(PathBuf::from(path))?),
            None => None,
        };
        Ok(Self { resolve, ca_bundle })
    }

    /// The `LATTICE_RESOLVE` entries.
    pub fn resolve_entries(&self) -> &[ResolveEntry] {
        &self.resolve
    }

    /// The path of the `AWS_CA_BUNDLE` bundle, when set.
    pub fn ca_bundle(&self) -> Option<&Path> {
        self.ca_bundle.as_ref().map(|b| b.path.as_path())
    }

    /// Whether neither variable is set.
    pub fn is_empty(&self) -> bool {
        self.resolve.is_empty() && self.ca_bundle.is_none()
    }

    /// Adds the `LATTICE_RESOLVE` overrides to `resolver` (they replace
    /// overrides of the same names).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when a name is refused (not expected: entries are
    /// checked when read).
    pub fn apply_to_resolver(&self, mut resolver: Resolver) -> Result<Resolver, Error> {
        for entry in &self.resolve {
            resolver = resolver.with_override(&entry.host, entry.addrs.iter().copied())?;
        }
        Ok(resolver)
    }

    /// Trusts the `AWS_CA_BUNDLE` certificates instead of the platform's
    /// roots (roots added to `options` stay); `options` unchanged when the
    /// variable is not set, or when they hold a complete configuration
    /// (`TlsOptions::with_client_config`, logged as a warning).
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn apply_to_tls(&self, options: crate::tls::TlsOptions) -> crate::tls::TlsOptions {
        let Some(bundle) = &self.ca_bundle else {
            return options;
        };
        if options.has_client_config() {
            tracing::warn!(
                path = %bundle.path.display(),
                "AWS_CA_BUNDLE is ignored: a complete rustls ClientConfig was given (TlsOptions::with_client_config)"
            );
            return options;
        }
        let mut options = options.platform_roots(false);
        for cert in &bundle.certificates {
            options = options.add_root_certificate(cert.clone());
        }
        options
    }
}

fn read_bundle(path: PathBuf) -> Result<CaBundle, EnvError> {
    let pem = match std::fs::read(&path) {
        Ok(pem) => pem,
        Err(source) => return Err(EnvError::CaBundleUnreadable { path, source }),
    };
    #[cfg(feature = "tls")]
    {
        match crate::tls::certificates_from_pem(&pem) {
            Ok(certificates) => Ok(CaBundle { path, certificates }),
            Err(e) => Err(EnvError::CaBundleInvalid {
                path,
                reason: match e {
                    Error::Tls(reason) => reason,
                    other => other.to_string(),
                },
            }),
        }
    }
    #[cfg(not(feature = "tls"))]
    {
        if !pem.windows(17).any(|w| w == b"BEGIN CERTIFICATE") {
            return Err(EnvError::CaBundleInvalid {
                path,
                reason: "it holds no `BEGIN CERTIFICATE` block".into(),
            });
        }
        Ok(CaBundle { path })
    }
}

impl Resolver {
    /// Adds the overrides of `LATTICE_RESOLVE` (see [`crate::env`]).
    ///
    /// # Errors
    ///
    /// [`Error::Env`] for a bad entry.
    pub fn with_env(self) -> Result<Self, Error> {
        if let Err(std::env::VarError::NotUnicode(_)) = std::env::var(LATTICE_RESOLVE) {
            return Err(EnvError::NotUnicode {
                name: LATTICE_RESOLVE,
            }
            .into());
        }
        self.with_env_from(|name| std::env::var(name).ok())
    }

    /// [`with_env`](Self::with_env), reading the variables through `lookup`.
    ///
    /// ```
    /// use lattice_client::resolve::Resolver;
    ///
    /// let resolver = Resolver::new()
    ///     .with_env_from(|name| (name == "LATTICE_RESOLVE").then(|| "orders.localhost:443:127.0.0.2".to_owned()))?;
    /// assert_eq!(resolver.lookup_override("orders.localhost"), Some(&["127.0.0.2".parse()?][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Env`] for a bad entry.
    pub fn with_env_from(self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        // The resolver needs no CA bundle: read only its variable.
        let config = EnvConfig::from_lookup(|name| {
            if name == LATTICE_RESOLVE {
                lookup(name)
            } else {
                None
            }
        })?;
        config.apply_to_resolver(self)
    }
}

#[cfg(test)]
mod tests;
