//! The axum extractor (feature `axum`).

use std::fmt;
use std::ops::Deref;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use lattice_client::identity::CallerIdentity as Identity;

/// axum extractor for the caller's VPC Lattice identity (feature `axum`).
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
/// * `CallerIdentity`: rejects anonymous callers with `401`
///   ([`CallerIdentityRejection::Anonymous`]).
/// * `Option<CallerIdentity>`: `None` for anonymous callers.
///
/// Both reject malformed headers with `400`
/// ([`CallerIdentityRejection::Malformed`]). The source VPC and target
/// ARNs of an anonymous caller stay readable in the
/// [`lattice_client::identity::CallerIdentity`] extension.
///
/// ```
/// use lattice_tower::identity::CallerIdentity;
///
/// async fn handler(caller: Option<CallerIdentity>) -> String {
///     match caller.as_deref().and_then(|c| c.principal.as_deref()) {
///         Some(principal) => format!("hello {principal}"),
///         None => "hello, anonymous".to_owned(),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity(pub Identity);

impl CallerIdentity {
    /// The identity.
    pub fn into_inner(self) -> Identity {
        self.0
    }
}

impl Deref for CallerIdentity {
    type Target = Identity;
    fn deref(&self) -> &Identity {
        &self.0
    }
}

/// Why [`CallerIdentity`] could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallerIdentityRejection {
    /// No authenticated principal: the caller did not sign its request,
    /// or the request did not come through Lattice (the caller's fault:
    /// `401 Unauthorized`).
    Anonymous,
    /// The identity headers are malformed (the peer that set them: `400 Bad
    /// Request`); the error says why.
    Malformed(lattice_client::identity::IdentityError),
}

impl CallerIdentityRejection {
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

impl fmt::Display for CallerIdentityRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Anonymous => f.write_str(
                "the request has no authenticated VPC Lattice caller (no principal in the x-amzn-lattice-* headers)",
            ),
            Self::Malformed(e) => write!(f, "malformed VPC Lattice caller identity: {e}"),
        }
    }
}

impl std::error::Error for CallerIdentityRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Anonymous => None,
            Self::Malformed(e) => Some(e),
        }
    }
}

impl IntoResponse for CallerIdentityRejection {
    fn into_response(self) -> Response {
        (self.status(), self.body_text()).into_response()
    }
}

/// The authenticated caller, `None` for an anonymous one.
fn extract(parts: &Parts) -> Result<Option<CallerIdentity>, CallerIdentityRejection> {
    let identity = match parts.extensions.get::<Identity>() {
        Some(identity) => Some(identity.clone()),
        None => {
            Identity::from_headers(&parts.headers).map_err(CallerIdentityRejection::Malformed)?
        }
    };
    Ok(identity.filter(|id| !id.is_anonymous()).map(CallerIdentity))
}

impl<S: Send + Sync> FromRequestParts<S> for CallerIdentity {
    type Rejection = CallerIdentityRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        extract(parts)?.ok_or(CallerIdentityRejection::Anonymous)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CallerIdentity {
    type Rejection = CallerIdentityRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        extract(parts)
    }
}
