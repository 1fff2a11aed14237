//! The caller identity of RPCs that VPC Lattice forwards to a tonic server.
//!
//! Lattice strips the `x-amzn-lattice-identity`, `-identity-tags`,
//! `-network`, `-target` and `x-amzn-source-vpc` headers from what clients
//! send and sets them itself. To a tonic handler
//! they are request metadata. [`CallerIdentityLayer`] parses them once per
//! RPC into a typed [`CallerIdentity`] — the same value the HTTP layer of
//! `lattice-tower` and the Lambda adapter of `lattice-client` produce — and
//! puts it into the request's extensions; handlers read it with
//! [`caller_identity`] or [`RequestExt::caller_identity`].
//!
//! ```
//! use lattice_tonic::identity::{CallerIdentityLayer, RequestExt};
//! use tonic::{Request, Status};
//!
//! // In a handler of a tonic-generated service trait:
//! fn who_called<T>(request: &Request<T>) -> Result<String, Status> {
//!     let caller = request.authenticated_caller()?;
//!     Ok(caller.principal.clone().unwrap_or_default())
//! }
//!
//! // When building the server:
//! let server = tonic::transport::Server::builder().layer(CallerIdentityLayer::new());
//! // server.add_service(MyServiceServer::new(handler)).serve(addr).await?;
//! # let _ = server;
//! # assert!(who_called(&Request::new(())).is_err());
//! ```
//!
//! [`CallerIdentityLayer`] is `lattice-tower`'s layer
//! ([`lattice_tower::identity::CallerIdentityLayer`]) with the gRPC
//! rejection, [`GrpcRejection`]; everything that layer's docs say holds
//! here, including that an identity already in the extensions is never
//! replaced.
//!
//! # When the metadata can be trusted
//!
//! Only when the server can be reached **through Lattice alone**: its security
//! group admits only Lattice's managed prefix list (`169.254.171.0/24` and
//! `fd00:ec2:80::/64`). A peer that reaches the server directly can send any
//! `x-amzn-lattice-identity` it likes.
//!
//! As a second line, opt in to a check of the peer address with
//! [`CallerIdentityLayer::trusted_peers`] and [`TrustedPeers::lattice`] (or
//! ranges of your own): an RPC from elsewhere fails with
//! **`PERMISSION_DENIED`** before any metadata is read. The peer address is
//! what tonic's server records, `TcpConnectInfo` or
//! `TlsConnectInfo<TcpConnectInfo>` (see [`peer_addr`]); reading them needs
//! this crate's feature **`server`**. Without it, or without a peer address,
//! every RPC is refused while the check is on.
//!
//! # Anonymous and malformed
//!
//! * **No identity metadata** (none of the five headers): nothing is
//!   inserted and [`caller_identity`] is `None`: the RPC did not come through
//!   Lattice. An unsigned caller that did come through Lattice gets an
//!   identity whose [`is_anonymous`](CallerIdentity::is_anonymous) is true.
//! * **Malformed identity metadata** (a header repeated, not UTF-8, an item
//!   without `=`, two values for one field; see [`IdentityError`]): the layer
//!   **fails the RPC with `INVALID_ARGUMENT`**, as a proper gRPC response
//!   (HTTP 200, `grpc-status: 3`), without calling the service, and logs the
//!   reason at `warn` level. Lattice never sends such metadata, so the RPC
//!   did not come through Lattice unchanged; treating it as anonymous would
//!   hide a forged or broken identity from handlers that only look for a
//!   principal. This mirrors the `400 Bad Request` of
//!   [`lattice_tower::identity::CallerIdentityLayer`]'s default rejection,
//!   which would not be a valid gRPC answer. The status message names the
//!   header and the problem, never a whole header value.
//!
//! # Where it sits
//!
//! As a layer of the tonic server (`Server::builder().layer(…)`), or around
//! one service; it reads only headers and never touches the body.

use std::net::IpAddr;

use http::{Extensions, Response};
use tower_layer::Layer;

pub use lattice_client::identity::{CallerIdentity, IdentityError};
pub use lattice_tower::identity::{
    IdentityRejection, RejectIdentity, ResponseFuture, TrustedPeers,
};

/// The gRPC answer to a refused RPC, as a proper gRPC response (HTTP 200
/// with `grpc-status`): `INVALID_ARGUMENT` for malformed identity metadata,
/// `PERMISSION_DENIED` for a peer outside the trusted ranges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GrpcRejection;

impl RejectIdentity for GrpcRejection {
    fn reject<B: Default>(&self, rejection: &IdentityRejection) -> Response<B> {
        let status = match rejection {
            IdentityRejection::Malformed(error) => tonic::Status::invalid_argument(format!(
                "malformed VPC Lattice caller identity metadata: {error}"
            )),
            IdentityRejection::UnknownPeer => tonic::Status::permission_denied(
                "the RPC has no peer address to check against the trusted ranges; enable lattice-tonic's `server` feature so tonic's connect info is read",
            ),
            other if other.is_untrusted_peer() => {
                tonic::Status::permission_denied(other.to_string())
            }
            other => tonic::Status::invalid_argument(other.to_string()),
        };
        status.into_http()
    }
}

/// Parses VPC Lattice's caller identity metadata into a [`CallerIdentity`]
/// request extension, refusing RPCs with a gRPC status; see the
/// [module docs](self).
///
/// `lattice-tower`'s layer with [`GrpcRejection`] and [`peer_addr`].
#[derive(Debug, Clone, Default)]
pub struct CallerIdentityLayer(lattice_tower::identity::CallerIdentityLayer<GrpcRejection>);

impl CallerIdentityLayer {
    /// A new layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opt in to the peer check: refuse (`PERMISSION_DENIED`) every RPC whose
    /// peer is not in `peers`; the address is read with [`peer_addr`].
    pub fn trusted_peers(self, peers: TrustedPeers) -> Self {
        Self(self.0.trusted_peers(peers.peer_lookup(peer_addr)))
    }
}

impl<S> Layer<S> for CallerIdentityLayer {
    type Service = CallerIdentityService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        self.0.layer(inner)
    }
}

/// The service of [`CallerIdentityLayer`].
pub type CallerIdentityService<S> =
    lattice_tower::identity::CallerIdentityService<S, GrpcRejection>;

/// The peer address of an RPC: tonic's `TcpConnectInfo`, or
/// `TlsConnectInfo<TcpConnectInfo>` when tonic's TLS is on (both with
/// feature `server`), else what [`lattice_tower::identity::peer_addr`]
/// finds (a `SocketAddr` or `IpAddr` in the extensions).
pub fn peer_addr(extensions: &Extensions) -> Option<IpAddr> {
    #[cfg(feature = "server")]
    {
        use tonic::transport::server::TcpConnectInfo;
        if let Some(addr) = extensions
            .get::<TcpConnectInfo>()
            .and_then(TcpConnectInfo::remote_addr)
        {
            return Some(addr.ip());
        }
        // `TlsConnectInfo` exists only when tonic is built with TLS; tonic's
        // own accessor knows whether it is.
        let request =
            tonic::Request::from_parts(tonic::metadata::MetadataMap::new(), extensions.clone(), ());
        if let Some(addr) = request.remote_addr() {
            return Some(addr.ip());
        }
    }
    lattice_tower::identity::peer_addr(extensions)
}

/// The caller identity [`CallerIdentityLayer`] put into `request`'s
/// extensions; `None` when the RPC carried no Lattice identity metadata or
/// the layer is not installed.
pub fn caller_identity<T>(request: &tonic::Request<T>) -> Option<&CallerIdentity> {
    request.extensions().get::<CallerIdentity>()
}

/// [`caller_identity`] as a method of [`tonic::Request`].
pub trait RequestExt {
    /// The caller identity [`CallerIdentityLayer`] put into the request's
    /// extensions; `None` when the RPC carried no Lattice identity metadata
    /// or the layer is not installed.
    fn caller_identity(&self) -> Option<&CallerIdentity>;

    /// The caller identity of an authenticated (SigV4-signed) caller.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED` when there is no identity or the caller is
    /// anonymous.
    fn authenticated_caller(&self) -> Result<&CallerIdentity, tonic::Status> {
        self.caller_identity()
            .filter(|c| !c.is_anonymous())
            .ok_or_else(|| {
                tonic::Status::unauthenticated(
                    "this RPC requires a caller authenticated by VPC Lattice (a SigV4-signed request)",
                )
            })
    }
}

impl<T> RequestExt for tonic::Request<T> {
    fn caller_identity(&self) -> Option<&CallerIdentity> {
        caller_identity(self)
    }
}

#[cfg(test)]
mod tests;
