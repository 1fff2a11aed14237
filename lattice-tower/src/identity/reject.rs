//! What the identity layer answers when it refuses a request.

use std::net::IpAddr;

use http::{Response, StatusCode};
use lattice_client::identity::IdentityError;

/// Why [`CallerIdentityLayer`](super::CallerIdentityLayer) refused a request
/// without calling the wrapped service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityRejection {
    /// The identity headers are malformed (repeated, not UTF-8, an item
    /// without `=`, two values for one field): the peer that set them is at
    /// fault, and the request did not come unchanged from Lattice.
    #[error("malformed VPC Lattice caller identity headers")]
    Malformed(#[source] IdentityError),
    /// The peer address is outside the trusted ranges
    /// ([`TrustedPeers`](super::TrustedPeers)): the request did not come
    /// through VPC Lattice, so its identity headers mean nothing.
    #[error(
        "peer {peer} is outside the trusted address ranges: the request did not come through VPC Lattice"
    )]
    UntrustedPeer {
        /// The peer's address.
        peer: IpAddr,
    },
    /// The peer check is on but the request carries no peer address (the
    /// server inserted none into the request extensions).
    #[error(
        "the request has no peer address to check against the trusted ranges; serve with connect info (axum `into_make_service_with_connect_info::<SocketAddr>()`, or insert the `SocketAddr` into the request extensions)"
    )]
    UnknownPeer,
}

impl IdentityRejection {
    /// True for the two peer-check rejections.
    pub fn is_untrusted_peer(&self) -> bool {
        matches!(self, Self::UntrustedPeer { .. } | Self::UnknownPeer)
    }
}

/// Turns an [`IdentityRejection`] into the response the client gets; the
/// one part of [`CallerIdentityLayer`](super::CallerIdentityLayer) that
/// differs between HTTP and gRPC servers.
///
/// [`HttpRejection`] is the default; `lattice-tonic` supplies the gRPC one.
/// Pass your own with
/// [`CallerIdentityLayer::with_rejection`](super::CallerIdentityLayer::with_rejection).
pub trait RejectIdentity {
    /// The response for a request the layer refuses. The wrapped service is
    /// not called.
    fn reject<B: Default>(&self, rejection: &IdentityRejection) -> Response<B>;
}

/// The HTTP rejection: `400 Bad Request` for malformed identity headers,
/// `403 Forbidden` for a peer outside the trusted ranges (or an unknown
/// peer); an empty body either way.
///
/// 403 and not 400 for the peer check: the request itself may be well
/// formed; it came by a path the server does not accept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRejection;

impl RejectIdentity for HttpRejection {
    fn reject<B: Default>(&self, rejection: &IdentityRejection) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() = if rejection.is_untrusted_peer() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::BAD_REQUEST
        };
        response
    }
}
