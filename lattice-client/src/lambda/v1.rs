//! The V1 event structure (snake_case keys, one string per header).
//!
//! V1 has no `version` and no `requestContext`: the caller identity comes
//! from the `x-amzn-lattice-identity`, `-identity-tags`, `-network`, `-target`
//! and `x-amzn-source-vpc` headers (third-party sources; not confirmed in AWS
//! docs), read with the same parser as HTTP targets use
//! ([`CallerIdentity::from_headers`](crate::identity::CallerIdentity::from_headers)).
//!
//! ```json
//! {
//!   "raw_path": "/api/product?category=tv&category=audio",
//!   "method": "GET",
//!   "headers": { "host": "catalog-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws",
//!                "multi": "abcd, DEF" },
//!   "query_string_parameters": { "category": "audio" },
//!   "body": "",
//!   "is_base64_encoded": false
//! }
//! ```

use serde::{Deserialize, Deserializer, Serialize};

use super::{EventError, RawEvent, SingleValueMap};

/// A V1 Lattice Lambda event.
///
/// Build one from an `http::Request` with
/// [`V1Event::from_http_request`](Self::from_http_request) (what a fake data
/// plane does) and turn it into one with
/// [`V1Event::into_http_request`](Self::into_http_request); both live in
/// [`convert`](super::convert).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct V1Event {
    /// The path as the client sent it, including the query string.
    pub raw_path: String,
    /// The HTTP method.
    pub method: String,
    /// Headers; repeated headers joined with `", "` into one string.
    pub headers: SingleValueMap,
    /// Query parameters; the last value of a repeated key.
    pub query_string_parameters: SingleValueMap,
    /// The body, text or Base64 (see `is_base64_encoded`); absent or `null`
    /// when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Whether `body` is Base64.
    pub is_base64_encoded: bool,
}

impl V1Event {
    /// Parses a V1 event, whatever its `version` says (see
    /// [`LatticeEvent::from_slice`](super::LatticeEvent::from_slice) to detect
    /// the version). Leniency as described there.
    ///
    /// # Errors
    ///
    /// [`EventError`] when the bytes are not an event.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EventError> {
        let raw: RawEvent = serde_json::from_slice(bytes)?;
        raw.into_v1()
    }
}

impl<'de> Deserialize<'de> for V1Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawEvent::deserialize(deserializer)?
            .into_v1()
            .map_err(serde::de::Error::custom)
    }
}
