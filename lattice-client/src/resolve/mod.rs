//! A DNS resolver with static overrides, for clients of VPC Lattice services.
//!
//! Overrides map an exact name, or a one-level wildcard such as
//! `*.example.internal`, to IP addresses; every other name goes to the system
//! resolver (unless [`Resolver::without_system_fallback`] is set, which tests
//! use to be sure they never touch real DNS). The port always comes from the
//! URL: reqwest and hyper-util replace the port of resolved addresses.
//!
//! # Diagnostics for generated Lattice names
//!
//! Inside a VPC associated with the service network, a generated Lattice name
//! resolves to Lattice's client addresses (`169.254.171.0/24` and
//! `fd00:ec2:80::/64`). In a VPC that is *not* associated, the name resolves
//! elsewhere (or not at all) and calls fail in confusing ways. When a
//! generated name resolves to an address outside those ranges the resolver
//! reacts per [`Diagnostics`]: a `tracing` warning once per name (the
//! default), a typed error ([`Error::OutsideLattice`]), or nothing. AWS's
//! managed prefix lists (`com.amazonaws.<region>.vpc-lattice`) are
//! authoritative, so the ranges are configurable
//! ([`Resolver::with_lattice_ranges`]). Overrides to loopback addresses (tests,
//! the fake Lattice) are exempt unless [`Resolver::check_loopback_overrides`]
//! is set.
//!
//! # `localhost` names
//!
//! `localhost` and every name under it (`orders.localhost`) resolve to
//! `127.0.0.1` then `::1` without asking the system resolver (RFC 6761;
//! curl and browsers do the same, glibc does not), unless an override
//! names them. The fake Lattice answers each service as
//! `<service name>.localhost`.
//!
//! The resolver plugs into reqwest (feature `reqwest`, as a
//! `reqwest::dns::Resolve`) and into hyper-util's `HttpConnector` (feature
//! `hyper`, as a `tower::Service<Name>`).
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use lattice_client::resolve::Resolver;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), lattice_client::Error> {
//! let resolver = Resolver::new()
//!     .with_override("*.vpc-lattice-svcs.us-west-2.on.aws", [IpAddr::V4(Ipv4Addr::LOCALHOST)])?
//!     .without_system_fallback();
//! let addrs = resolver.resolve("orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws").await;
//! assert!(addrs.is_err(), "a wildcard covers one label only");
//! let addrs = resolver.resolve("name.vpc-lattice-svcs.us-west-2.on.aws").await?;
//! assert_eq!(addrs[0].ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
//! # Ok(())
//! # }
//! ```

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::name::LatticeName;

use crate::Error;

/// A resolver with static overrides and the system resolver as fallback.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct Resolver {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    exact: HashMap<String, Vec<IpAddr>>,
    /// Keyed by the part after `*.`.
    wildcard: HashMap<String, Vec<IpAddr>>,
    system_fallback: bool,
    diagnostics: Diagnostics,
    ranges: Vec<IpNet>,
    check_loopback_overrides: bool,
    warned: Arc<Mutex<HashSet<String>>>,
}

/// What to do when a generated Lattice name resolves outside Lattice's
/// client address ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Diagnostics {
    /// Log one `tracing` warning per name and go on (the default).
    #[default]
    Warn,
    /// Fail the lookup with [`Error::OutsideLattice`].
    Deny,
    /// Do not check.
    Off,
}

/// Lattice's client address ranges as documented: `169.254.171.0/24` and
/// `fd00:ec2:80::/64`.
pub fn default_lattice_ranges() -> Vec<IpNet> {
    vec![
        IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(169, 254, 171, 0), 24)),
        IpNet::V6(Ipv6Net::new_assert(
            Ipv6Addr::new(0xfd00, 0xec2, 0x80, 0, 0, 0, 0, 0),
            64,
        )),
    ]
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
}

/// `localhost` or a name under it (any case, one trailing dot allowed).
pub fn is_localhost(name: &str) -> bool {
    let name = normalize(name);
    name == "localhost" || name.ends_with(".localhost")
}

/// Whether `name` (lower-case, no trailing dot) is a DNS name, or `*.`
/// followed by one: what [`Resolver::with_override`] accepts.
pub(crate) fn valid_override_name(name: &str) -> bool {
    valid_dns_name(name.strip_prefix("*.").unwrap_or(name))
}

fn valid_dns_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

fn normalize(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

impl Resolver {
    /// A resolver with no overrides that falls back to the system resolver.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                exact: HashMap::new(),
                wildcard: HashMap::new(),
                system_fallback: true,
                diagnostics: Diagnostics::Warn,
                ranges: default_lattice_ranges(),
                check_loopback_overrides: false,
                warned: Arc::new(Mutex::new(HashSet::new())),
            }),
        }
    }

    /// Maps `name` (exact, or `*.suffix` for one label under `suffix`) to
    /// `addrs`. Matching ignores case and one trailing dot. Later overrides of
    /// the same name replace earlier ones.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `addrs` is empty or `name` is not a DNS name.
    pub fn with_override(
        mut self,
        name: &str,
        addrs: impl IntoIterator<Item = IpAddr>,
    ) -> Result<Self, Error> {
        let addrs: Vec<IpAddr> = addrs.into_iter().collect();
        if addrs.is_empty() {
            return Err(Error::Config(format!(
                "resolver override for `{name}` has no addresses"
            )));
        }
        let name = normalize(name);
        let (key, wildcard) = match name.strip_prefix("*.") {
            Some(rest) => (rest.to_owned(), true),
            None => (name, false),
        };
        if !valid_dns_name(&key) {
            return Err(Error::Config(format!(
                "resolver override name `{key}` is not a DNS name or a one-level wildcard such as `*.example.internal`"
            )));
        }
        let inner = Arc::make_mut(&mut self.inner);
        if wildcard {
            inner.wildcard.insert(key, addrs);
        } else {
            inner.exact.insert(key, addrs);
        }
        Ok(self)
    }

    /// Never ask the system resolver: names without an override fail. Tests
    /// use this so that nothing reaches real DNS.
    pub fn without_system_fallback(mut self) -> Self {
        Arc::make_mut(&mut self.inner).system_fallback = false;
        self
    }

    /// What to do when a generated Lattice name resolves outside Lattice's
    /// client ranges (default [`Diagnostics::Warn`]).
    pub fn diagnostics(mut self, mode: Diagnostics) -> Self {
        Arc::make_mut(&mut self.inner).diagnostics = mode;
        self
    }

    /// Replaces Lattice's client address ranges (for example with the
    /// entries of the managed prefix lists of your region). The ranges are
    /// [`ipnet::IpNet`]s, re-exported as `lattice_client::ipnet`:
    ///
    /// ```
    /// use lattice_client::ipnet::IpNet;
    /// use lattice_client::resolve::Resolver;
    ///
    /// let ranges: Vec<IpNet> = ["169.254.171.0/24", "fd00:ec2:80::/64"]
    ///     .iter()
    ///     .map(|r| r.parse())
    ///     .collect::<Result<_, _>>()?;
    /// let resolver = Resolver::new().with_lattice_ranges(ranges);
    /// # let _ = resolver;
    /// # Ok::<(), lattice_client::ipnet::AddrParseError>(())
    /// ```
    pub fn with_lattice_ranges(mut self, ranges: impl IntoIterator<Item = IpNet>) -> Self {
        Arc::make_mut(&mut self.inner).ranges = ranges.into_iter().collect();
        self
    }

    /// Also check overrides that point at loopback addresses (exempt by
    /// default: tests and the fake Lattice use them).
    pub fn check_loopback_overrides(mut self, yes: bool) -> Self {
        Arc::make_mut(&mut self.inner).check_loopback_overrides = yes;
        self
    }

    /// Applies the [`Diagnostics`] to the addresses `name` resolved to.
    fn diagnose(&self, name: &str, addrs: &[IpAddr], from_override: bool) -> Result<(), Error> {
        let inner = &self.inner;
        if inner.diagnostics == Diagnostics::Off || addrs.is_empty() {
            return Ok(());
        }
        let lower = normalize(name);
        if !LatticeName::is_lattice_name(&lower) {
            return Ok(());
        }
        let outside: Vec<IpAddr> = addrs
            .iter()
            .copied()
            .filter(|ip| !(from_override && ip.is_loopback() && !inner.check_loopback_overrides))
            .filter(|ip| !inner.ranges.iter().any(|r| r.contains(ip)))
            .collect();
        if outside.is_empty() {
            return Ok(());
        }
        match inner.diagnostics {
            Diagnostics::Deny => Err(Error::OutsideLattice {
                host: lower,
                addrs: outside,
            }),
            _ => {
                let mut warned = inner.warned.lock().unwrap_or_else(|e| e.into_inner());
                if warned.len() < 10_000 && warned.insert(lower.clone()) {
                    tracing::warn!(
                        host = %lower,
                        addrs = ?outside,
                        "this VPC Lattice name resolved outside Lattice's client address ranges \
                         (169.254.171.0/24, fd00:ec2:80::/64): the VPC is probably not associated with the \
                         service network. Check the service network's VPC associations, that the VPC has \
                         DNS resolution and DNS hostnames enabled, and that no other DNS zone answers for the name"
                    );
                }
                Ok(())
            }
        }
    }

    /// The override addresses for `name`, if any (exact overrides win over
    /// wildcards).
    pub fn lookup_override(&self, name: &str) -> Option<&[IpAddr]> {
        let name = normalize(name);
        if let Some(a) = self.inner.exact.get(&name) {
            return Some(a);
        }
        let (_, parent) = name.split_once('.')?;
        self.inner.wildcard.get(parent).map(Vec::as_slice)
    }

    /// Resolves `name` to socket addresses with port 0 (the caller sets the
    /// port from the URL).
    ///
    /// # Errors
    ///
    /// [`Error::Resolve`] when the name has no override and the system
    /// resolver fails or is disabled.
    pub async fn resolve(&self, name: &str) -> Result<Vec<SocketAddr>, Error> {
        if let Some(addrs) = self.lookup_override(name) {
            tracing::debug!(name, ?addrs, "resolved through override");
            self.diagnose(name, addrs, true)?;
            return Ok(addrs.iter().map(|ip| SocketAddr::new(*ip, 0)).collect());
        }
        if is_localhost(name) {
            tracing::debug!(name, "resolved as a localhost name");
            return Ok(vec![
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
                SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 0),
            ]);
        }
        if !self.inner.system_fallback {
            return Err(Error::Resolve {
                host: name.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::NotFound,
                    "no resolver override matches and the system resolver is disabled",
                ),
            });
        }
        let addrs = tokio::net::lookup_host((name, 0))
            .await
            .map_err(|source| Error::Resolve {
                host: name.to_owned(),
                source,
            })?;
        let addrs: Vec<SocketAddr> = addrs.collect();
        let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
        self.diagnose(name, &ips, false)?;
        Ok(addrs)
    }
}

#[cfg(feature = "reqwest")]
impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        Box::pin(async move {
            let addrs = Resolver::resolve(&this, name.as_str()).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(feature = "hyper")]
mod hyper_impl {
    use super::*;
    use hyper_util::client::legacy::connect::dns::Name;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    impl tower_service::Service<Name> for Resolver {
        type Response = std::vec::IntoIter<SocketAddr>;
        type Error = Error;
        type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>> + Send>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, name: Name) -> Self::Future {
            let this = self.clone();
            Box::pin(async move { Ok(this.resolve(name.as_str()).await?.into_iter()) })
        }
    }
}

#[cfg(test)]
mod tests;
