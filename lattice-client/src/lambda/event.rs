//! The event of either structure version, its detection and its errors.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::maps::lenient_opt_string;
use super::{Body, MultiValueMap, V1Event, V2Event, V2RequestContext, lenient_opt_bool};
use crate::identity::IdentityError;

/// Why an event could not be parsed or turned into an `http::Request`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The bytes are not JSON, or a field has a type no leniency accepts.
    #[error("not a Lattice Lambda event: {0}")]
    Json(#[from] serde_json::Error),
    /// `version` names a structure version this crate does not know.
    #[error("unsupported Lattice event version `{0}` (expected V1 without `version`, or \"2.0\")")]
    UnsupportedVersion(String),
    /// The JSON object has neither V1 (`raw_path`, snake_case) nor V2
    /// (`version`, `path`, `requestContext`, camelCase) keys.
    #[error(
        "JSON object is neither a V1 (`raw_path`) nor a V2 (`version`/`path`/`requestContext`) Lattice event"
    )]
    UnknownShape,
    /// A required key is missing.
    #[error("the event has no `{0}`")]
    MissingField(&'static str),
    /// `method` is not a valid HTTP method token.
    #[error("`method` {0:?} is not a valid HTTP method")]
    InvalidMethod(String),
    /// A header name is not a valid HTTP header name.
    #[error("header name {0:?} is not valid in HTTP")]
    InvalidHeaderName(String),
    /// A header value holds characters HTTP headers cannot carry.
    #[error("header `{0}` has a value with characters not allowed in HTTP (control characters)")]
    InvalidHeaderValue(String),
    /// The path (with its query) does not make a valid URI even after
    /// percent-encoding.
    #[error("path {0:?} does not make a valid request URI")]
    InvalidPath(String),
    /// `isBase64Encoded` is true but the body is not Base64.
    #[error("`isBase64Encoded` is true but the body is not valid Base64: {0}")]
    InvalidBase64(#[from] base64::DecodeError),
    /// A V1 event's `x-amzn-lattice-*` headers are malformed.
    #[error("caller identity headers in the event: {0}")]
    Identity(#[from] IdentityError),
}

/// Which event structure a request came from; stored in the request's
/// extensions by the conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventVersion {
    /// `V1` (snake_case).
    V1,
    /// `V2` (`version: "2.0"`).
    V2,
}

/// A Lattice Lambda event of either structure version.
///
/// # Version detection
///
/// `version` starting with `2` → V2, starting with `1` → V1, anything else
/// is [`EventError::UnsupportedVersion`]. Without `version`, a `requestContext`,
/// `path`, `queryStringParameters` or `isBase64Encoded` key means V2, and
/// `raw_path`, `query_string_parameters` or `is_base64_encoded` means V1.
///
/// # Leniency
///
/// * header and query values may be arrays or single strings (and numbers or
///   booleans, kept as their JSON text) in both versions; `null` means none;
/// * `body` may be absent or `null`; `isBase64Encoded` may be absent or `null`
///   (false);
/// * `requestContext` and `requestContext.identity` may be absent; identity
///   keys are matched case-insensitively (`principalOrgID`, `principalOrgId`,
///   `X509IssuerOu`, ...), a value that is not a string is kept aside, and a
///   value that is not an ARN is kept as a string;
/// * `content-length` in the headers is informational and never checked.
///
/// Serialising always writes AWS's documented spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
// One event per invocation, consumed at once: boxing V2 would only add an
// allocation and make matching clumsier.
#[expect(clippy::large_enum_variant)]
pub enum LatticeEvent {
    /// A V1 event.
    V1(V1Event),
    /// A V2 event.
    V2(V2Event),
}

impl LatticeEvent {
    /// Parses an event of either version, detecting which.
    ///
    /// # Errors
    ///
    /// [`EventError`] when the bytes are not a Lattice event.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EventError> {
        let raw: RawEvent = serde_json::from_slice(bytes)?;
        raw.into_event()
    }

    /// The structure version.
    pub fn version(&self) -> EventVersion {
        match self {
            Self::V1(_) => EventVersion::V1,
            Self::V2(_) => EventVersion::V2,
        }
    }

    /// Serialises the event as Lattice would send it.
    ///
    /// # Errors
    ///
    /// Only if serde_json fails, which it does not for these types.
    pub fn to_vec(&self) -> Result<Vec<u8>, EventError> {
        Ok(serde_json::to_vec(self)?)
    }

    /// Converts to an `http::Request`; see [`V1Event::into_http_request`] and
    /// [`V2Event::into_http_request`].
    ///
    /// # Errors
    ///
    /// [`EventError`] when the method, a header, the path or the Base64 body
    /// is invalid, or (V1) the identity headers are malformed.
    pub fn into_http_request(self) -> Result<http::Request<Body>, EventError> {
        match self {
            Self::V1(e) => e.into_http_request(),
            Self::V2(e) => e.into_http_request(),
        }
    }
}

impl Serialize for LatticeEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::V1(e) => e.serialize(serializer),
            Self::V2(e) => e.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for LatticeEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawEvent::deserialize(deserializer)?
            .into_event()
            .map_err(de::Error::custom)
    }
}

/// Every key either version may have; parsed once, then shaped.
#[derive(Deserialize)]
pub(super) struct RawEvent {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    version: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    raw_path: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    headers: Option<MultiValueMap>,
    #[serde(default, rename = "queryStringParameters")]
    query_v2: Option<MultiValueMap>,
    #[serde(default, rename = "query_string_parameters")]
    query_v1: Option<MultiValueMap>,
    #[serde(default)]
    body: Option<String>,
    #[serde(
        default,
        rename = "isBase64Encoded",
        deserialize_with = "lenient_opt_bool"
    )]
    b64_v2: Option<bool>,
    #[serde(
        default,
        rename = "is_base64_encoded",
        deserialize_with = "lenient_opt_bool"
    )]
    b64_v1: Option<bool>,
    #[serde(default, rename = "requestContext")]
    request_context: Option<V2RequestContext>,
}

impl RawEvent {
    pub(super) fn into_event(self) -> Result<LatticeEvent, EventError> {
        let version = match self.version.as_deref() {
            Some(v) if v.starts_with('2') => EventVersion::V2,
            Some(v) if v.starts_with('1') => EventVersion::V1,
            Some(v) => return Err(EventError::UnsupportedVersion(v.chars().take(32).collect())),
            None if self.request_context.is_some()
                || self.query_v2.is_some()
                || self.b64_v2.is_some()
                || (self.path.is_some() && self.raw_path.is_none()) =>
            {
                EventVersion::V2
            }
            None if self.raw_path.is_some() || self.query_v1.is_some() || self.b64_v1.is_some() => {
                EventVersion::V1
            }
            None => return Err(EventError::UnknownShape),
        };
        match version {
            EventVersion::V1 => self.into_v1().map(LatticeEvent::V1),
            EventVersion::V2 => self.into_v2().map(LatticeEvent::V2),
        }
    }

    pub(super) fn into_v1(self) -> Result<V1Event, EventError> {
        let raw_path = self
            .raw_path
            .or(self.path)
            .ok_or(EventError::MissingField("raw_path"))?;
        let method = self.method.ok_or(EventError::MissingField("method"))?;
        let headers = self
            .headers
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, v.join(", ")))
            .collect();
        let query_string_parameters = self
            .query_v1
            .or(self.query_v2)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, mut v)| v.pop().map(|last| (k, last)))
            .collect();
        Ok(V1Event {
            raw_path,
            method,
            headers,
            query_string_parameters,
            body: self.body,
            is_base64_encoded: self.b64_v1.or(self.b64_v2).unwrap_or(false),
        })
    }

    pub(super) fn into_v2(self) -> Result<V2Event, EventError> {
        let path = self
            .path
            .or(self.raw_path)
            .ok_or(EventError::MissingField("path"))?;
        let method = self.method.ok_or(EventError::MissingField("method"))?;
        Ok(V2Event {
            version: self.version.unwrap_or_else(|| "2.0".to_owned()),
            path,
            method,
            headers: self.headers.unwrap_or_default(),
            query_string_parameters: self.query_v2.or(self.query_v1).unwrap_or_default(),
            body: self.body,
            is_base64_encoded: self.b64_v2.or(self.b64_v1).unwrap_or(false),
            request_context: self.request_context.unwrap_or_default(),
        })
    }
}
