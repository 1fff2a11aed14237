//! A DNS resolver with static overrides, for clients of VPC Lattice services.
//!
//! Overrides map an exact name, or a one-level wildcard such as
//! `*.example.internal`, to IP addresses; every other name goes to the system
//! resolver (unless [`Resolver::without_system_fallback`] is set, which tests
//! use to be sure they never touch real DNS). The port always comes from the
//! URL: reqwest and hyper-util replace the port of resolved addresses.
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

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

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
}

impl Default for Resolver {
    fn default() -> Self {
        Self::new()
    }
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
        let valid = !key.is_empty()
            && key.len() <= 253
            && key.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            });
        if !valid {
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
            return Ok(addrs.iter().map(|ip| SocketAddr::new(*ip, 0)).collect());
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
        Ok(addrs.collect())
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
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[tokio::test]
    async fn overrides() {
        let r = Resolver::new()
            .with_override("Exact.Example.Internal.", [LO])
            .and_then(|r| {
                r.with_override(
                    "*.example.internal",
                    [IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))],
                )
            })
            .expect("valid")
            .without_system_fallback();
        assert_eq!(
            r.resolve("exact.example.internal").await.expect("exact")[0].ip(),
            LO
        );
        assert_eq!(
            r.resolve("other.example.internal.")
                .await
                .expect("wildcard")[0]
                .ip(),
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))
        );
        assert!(r.resolve("a.b.example.internal").await.is_err());
        assert!(r.resolve("example.internal").await.is_err());
        let err = r.resolve("nowhere.test").await.expect_err("no fallback");
        assert!(err.to_string().contains("nowhere.test"));
    }

    #[test]
    fn bad_overrides() {
        assert!(Resolver::new().with_override("", [LO]).is_err());
        assert!(Resolver::new().with_override("a..b", [LO]).is_err());
        assert!(Resolver::new().with_override("ok.test", []).is_err());
    }
}
