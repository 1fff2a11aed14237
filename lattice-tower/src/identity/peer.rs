//! The opt-in check that a request came from VPC Lattice's address ranges.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use http::Extensions;
use lattice_client::ipnet::IpNet;
use lattice_client::resolve::default_lattice_ranges;

use super::IdentityRejection;

/// Reads the peer's address from a request's extensions.
pub type PeerLookup = fn(&Extensions) -> Option<IpAddr>;

/// The address ranges a request must come from for its identity headers to
/// count: by default VPC Lattice's, `169.254.171.0/24` and
/// `fd00:ec2:80::/64` (the managed prefix list a target's security group
/// should admit, and nothing else).
///
/// The peer address is read from the request extensions by a
/// [`PeerLookup`]; the default, [`peer_addr`], finds a [`SocketAddr`] or an
/// [`IpAddr`] (what a hyper-util server loop can insert) and, with feature
/// `axum`, axum's `ConnectInfo<SocketAddr>`. An IPv4 peer seen on a
/// dual-stack socket (`::ffff:169.254.171.9`) counts as its IPv4 address.
///
/// ```
/// use lattice_tower::identity::TrustedPeers;
///
/// let lattice = TrustedPeers::lattice();
/// assert!(lattice.contains("169.254.171.65".parse()?));
/// assert!(!lattice.contains("10.0.0.1".parse()?));
/// // Your own ranges, e.g. a test network:
/// let mine = TrustedPeers::new(["127.0.0.0/8".parse()?, "::1/128".parse()?]);
/// assert!(mine.contains("::1".parse()?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TrustedPeers {
    ranges: Arc<[IpNet]>,
    lookup: PeerLookup,
}

impl TrustedPeers {
    /// VPC Lattice's ranges: `169.254.171.0/24` and `fd00:ec2:80::/64`.
    pub fn lattice() -> Self {
        Self::new(default_lattice_ranges())
    }

    /// Exactly these ranges (parse them with `"10.0.0.0/8".parse::<IpNet>()`).
    pub fn new(ranges: impl IntoIterator<Item = IpNet>) -> Self {
        Self {
            ranges: ranges.into_iter().collect(),
            lookup: peer_addr,
        }
    }

    /// Reads the peer address with `lookup` instead of [`peer_addr`], for a
    /// server that stores it in a type of its own.
    pub fn peer_lookup(mut self, lookup: PeerLookup) -> Self {
        self.lookup = lookup;
        self
    }

    /// The ranges.
    pub fn ranges(&self) -> &[IpNet] {
        &self.ranges
    }

    /// Whether `ip` lies in one of the ranges.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.ranges.iter().any(|r| r.contains(&ip))
    }

    /// Checks the peer of a request with these extensions.
    ///
    /// # Errors
    ///
    /// [`IdentityRejection::UnknownPeer`] when the lookup finds no address,
    /// [`IdentityRejection::UntrustedPeer`] when it is outside the ranges.
    pub fn check(&self, extensions: &Extensions) -> Result<(), IdentityRejection> {
        let peer = (self.lookup)(extensions).ok_or(IdentityRejection::UnknownPeer)?;
        if self.contains(peer) {
            Ok(())
        } else {
            Err(IdentityRejection::UntrustedPeer {
                peer: peer.to_canonical(),
            })
        }
    }
}

impl Default for TrustedPeers {
    /// [`TrustedPeers::lattice`].
    fn default() -> Self {
        Self::lattice()
    }
}

impl fmt::Debug for TrustedPeers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustedPeers")
            .field("ranges", &self.ranges)
            .finish_non_exhaustive()
    }
}

/// The default [`PeerLookup`]: a [`SocketAddr`] or [`IpAddr`] in the
/// extensions, or (feature `axum`) axum's `ConnectInfo<SocketAddr>`.
pub fn peer_addr(extensions: &Extensions) -> Option<IpAddr> {
    if let Some(addr) = extensions.get::<SocketAddr>() {
        return Some(addr.ip());
    }
    if let Some(ip) = extensions.get::<IpAddr>() {
        return Some(*ip);
    }
    #[cfg(feature = "axum")]
    if let Some(info) = extensions.get::<::axum::extract::ConnectInfo<SocketAddr>>() {
        return Some(info.0.ip());
    }
    None
}
