//! The axum extractor (feature `axum`).

use std::fmt;
use std::ops::Deref;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use lattice_client::identity::CallerIdentity as Identity;

/// axum extractor for the caller VPC Lattice authenticated (feature
/// `axum`): the axum counterpart of `lattice-tonic`'s
/// `authenticated_caller()`. Dereferences to the
/// [`lattice_client::identity::CallerIdentity`] data type.
///
/// Reads the [`lattice_client::identity::CallerIdentity`] extension that
/// [`CallerIdentityLayer`](super::CallerIdentityLayer) (or the Lambda
/// adapter of `lattice-client`) inserted; without one, parses the
/// `x-amzn-lattice-*` headers itself. As a parts-only extractor it runs in
/// any position among a handler's arguments.
///
/// An anonymous caller is one without an authenticated principal
/// ([`is_anonymous`](lattice_client::identity::CallerIdentity::is_anonymous)):
/// no identity headers at all, or only the network and target headers
/// Lattice sends for unsigned requests.
///
/// * `AuthenticatedCaller`: rejects anonymous callers with `401`
///   ([`AuthenticatedCallerRejection::Anonymous`]).
/// * `Option<AuthenticatedCaller>`: `None` for anonymous callers.
///
/// Both reject malformed headers with `400`
/// ([`AuthenticatedCallerRejection::Malformed`]). The source VPC and target
/// ARNs of an anonymous caller stay readable in the
/// [`lattice_client::identity::CallerIdentity`] extension.
///
/// The headers are trustworthy only when the server is reachable through
/// Lattice alone (its security group admits only Lattice's managed prefix
/// list, `169.254.171.0/24` and `fd00:ec2:80::/64`). To check the peer as
/// well, put [`CallerIdentityLayer`](super::CallerIdentityLayer) with
/// [`trusted_peers`](super::CallerIdentityLayer::trusted_peers) on the
/// router and serve it with `into_make_service_with_connect_info::<SocketAddr>()`:
/// the layer reads axum's `ConnectInfo<SocketAddr>` and refuses other peers
/// with `403` before this extractor runs.
///
/// ```
/// use lattice_tower::identity::AuthenticatedCaller;
///
/// async fn handler(caller: Option<AuthenticatedCaller>) -> String {
///     match caller.as_deref().and_then(|c| c.principal.as_deref()) {
///         Some(principal) => format!("hello {principal}"),
///         None => "hello, anonymous".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedCaller(pub Identity);

impl AuthenticatedCaller {
    /// The identity.
    pub fn into_inner(self) -> Identity {
        self.0
    }
}

impl Deref for AuthenticatedCaller {
    type Target = Identity;
    fn deref(&self) -> &Identity {
        &self.0
    }
}

/// Why [`AuthenticatedCaller`] could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthenticatedCallerRejection {
    /// No authenticated principal: the caller did not sign its request,
    /// or the request did not come through Lattice (the caller's fault:
    /// `401 Unauthorized`).
    Anonymous,
    /// The identity headers are malformed (the peer that set them: `400 Bad
    /// Request`); the error says why.
    Malformed(lattice_client::identity::IdentityError),
}

impl AuthenticatedCallerRejection {
    /// The response status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Anonymous => StatusCode::UNAUTHORIZED,
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The response body.
    pub fn body_text(&self) -> String {
        match self {
            Self::Anonymous => "No authenticated VPC Lattice caller".to_owned(),
            Self::Malformed(_) => "Malformed VPC Lattice caller identity headers".to_owned(),
        }
    }
}

impl fmt::Display for AuthenticatedCallerRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Anonymous => f.write_str(
                "the request has no authenticated VPC Lattice caller (no principal in the x-amzn-lattice-* headers)",
            ),
            // The cause is the source; printed once, by whoever walks the chain.
            Self::Malformed(_) => f.write_str("malformed VPC Lattice caller identity headers"),
        }
    }
}

impl std::error::Error for AuthenticatedCallerRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Anonymous => None,
            Self::Malformed(e) => Some(e),
        }
    }
}

impl IntoResponse for AuthenticatedCallerRejection {
    fn into_response(self) -> Response {
        (self.status(), self.body_text()).into_response()
    }
}

/// The authenticated caller, `None` for an anonymous one.
fn extract(parts: &Parts) -> Result<Option<AuthenticatedCaller>, AuthenticatedCallerRejection> {
    let identity = match parts.extensions.get::<Identity>() {
        Some(identity) => Some(identity.clone()),
        None => Identity::from_headers(&parts.headers)
            .map_err(AuthenticatedCallerRejection::Malformed)?,
    };
    Ok(identity
        .filter(|id| !id.is_anonymous())
        .map(AuthenticatedCaller))
}

impl<S: Send + Sync> FromRequestParts<S> for AuthenticatedCaller {
    type Rejection = AuthenticatedCallerRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        extract(parts)?.ok_or(AuthenticatedCallerRejection::Anonymous)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for AuthenticatedCaller {
    type Rejection = AuthenticatedCallerRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        extract(parts)
    }
}
