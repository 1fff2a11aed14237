//! Typed events for Lambda functions behind a VPC Lattice target group.
//!
//! Lattice invokes a Lambda target with one of two event shapes, chosen per
//! target group (`lambdaEventStructureVersion`):
//!
//! * [`V1Event`]: snake_case keys, one string per header
//!   (repeats joined with `", "`), the last value of each query key;
//! * [`V2Event`]: camelCase keys, `version: "2.0"`, arrays of
//!   header and query values, and a typed `requestContext` with the caller's
//!   identity.
//!
//! [`LatticeEvent::from_slice`] detects the version and parses leniently (see
//! [`LatticeEvent`]); [`LatticeEvent::into_http_request`] turns either shape
//! into an `http::Request<`[`Body`]`>` whose extensions hold the
//! [`CallerIdentity`] (V1: from its `x-amzn-lattice-*` headers, V2: from
//! `requestContext`), the V2 request context and the [`EventVersion`]. A
//! handler's `http::Response` goes back through
//! [`LatticeResponse::from_http_response`](convert::LatticeResponse::from_http_response).
//!
//! ```
//! use lattice_client::lambda::{LatticeEvent, LatticeRequestExt, LatticeResponse, ResponseOptions};
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! let json = br#"{"version":"2.0","path":"/hello?name=a%20b","method":"GET",
//!   "headers":{"host":["svc-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws"]},
//!   "queryStringParameters":{"name":["a b"]},"isBase64Encoded":false,
//!   "requestContext":{"identity":{"principal":"arn:aws:sts::123456789012:assumed-role/r/s"},
//!   "region":"us-east-2","timeEpoch":"1724875399456789"}}"#;
//! let request = LatticeEvent::from_slice(json)?.into_http_request()?;
//! assert_eq!(request.uri().query(), Some("name=a%20b"));
//! let caller = request.caller_identity().expect("V2 events carry the identity");
//! assert_eq!(caller.principal_account(), Some("123456789012"));
//!
//! let response = http::Response::builder()
//!     .header("content-type", "text/plain")
//!     .body(http_body_util::Full::new(bytes::Bytes::from("hi")))?;
//! let out = block_on(LatticeResponse::from_http_response(response, &ResponseOptions::default()));
//! assert_eq!(out.body.as_deref(), Some("hi"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To serve a whole app (an axum `Router`, any `tower::Service`) as a Lambda
//! target, pass it to [`run()`]; [`Adapter`] is the same thing as a plain Tower
//! service over event JSON, for tests and local runs.
//!
//! # Rules chosen here
//!
//! * **V1 list headers.** V1 joins repeated headers with `", "`, which cannot be
//!   told apart from one value that contains a comma (dates, user agents,
//!   cookies). Only the headers in [`V1_LIST_HEADERS`] — fields whose syntax
//!   is a comma-separated list and whose elements hold commas only inside
//!   quoted strings — are split back into several values (quote-aware, empty
//!   elements dropped). Every other header stays one value, which is always
//!   correct HTTP: a list header may legally be sent joined.
//! * **Response headers.** Repeated response headers are joined with `", "`
//!   into the single string Lattice documents. `Set-Cookie` cannot be joined
//!   without loss; [`SetCookiePolicy`] chooses (default
//!   [`SetCookiePolicy::Join`], what Powertools does; assumed whether
//!   Lattice splits it again).
//! * **Bodies.** A body is sent as text when its content type is `text/*`,
//!   `application/json`, `application/xml` or `application/javascript`
//!   (parameters ignored) **and** it is valid UTF-8; otherwise it is Base64.
//!   This follows the documented request rule; compressed text fails the
//!   UTF-8 test and so is Base64, as it must be.
//! * **Size.** A response's serialised JSON may not exceed
//!   [`ResponseOptions::max_json_bytes`] (6 MiB by default); the body is
//!   collected only up to the budget that fits and an oversize response
//!   becomes a short 500.
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod convert;
pub mod run;
pub mod v1;
pub mod v2;

use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::identity::{CallerIdentity, IdentityError};

pub use convert::{
    DEFAULT_MAX_JSON_BYTES, LatticeResponse, ResponseError, ResponseOptions, SetCookiePolicy,
    V1_LIST_HEADERS, collect_limited, is_text_content_type,
};
/// The Lambda runtime [`run()`] is built on, re-exported for its `Context` (in
/// each request's extensions) and `Error` types.
pub use lambda_runtime;
pub use run::{Adapter, run};
pub use v1::V1Event;
pub use v2::{TimeEpoch, V2Event, V2Identity, V2RequestContext};

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
#[allow(clippy::large_enum_variant)]
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
struct RawEvent {
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
    fn into_event(self) -> Result<LatticeEvent, EventError> {
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

    fn into_v1(self) -> Result<V1Event, EventError> {
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

    fn into_v2(self) -> Result<V2Event, EventError> {
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

/// The request body type the conversions produce: one in-memory chunk.
///
/// A newtype over [`Bytes`] implementing [`http_body::Body`] (one data frame,
/// no trailers, exact size hint, never fails), so it fits any `http`-based
/// stack; convert with `From`/[`Body::into_bytes`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body(Bytes);

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Self(Bytes::new())
    }
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Bytes> for Body {
    fn from(value: Bytes) -> Self {
        Self(value)
    }
}
impl From<Vec<u8>> for Body {
    fn from(value: Vec<u8>) -> Self {
        Self(value.into())
    }
}
impl From<String> for Body {
    fn from(value: String) -> Self {
        Self(value.into())
    }
}
impl From<&'static str> for Body {
    fn from(value: &'static str) -> Self {
        Self(Bytes::from_static(value.as_bytes()))
    }
}
impl From<&'static [u8]> for Body {
    fn from(value: &'static [u8]) -> Self {
        Self(Bytes::from_static(value))
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.0.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Ready(Some(Ok(http_body::Frame::data(std::mem::take(
                &mut this.0,
            )))))
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.0.len() as u64)
    }
}

/// Read access to what the conversions put in a request's extensions.
///
/// Implemented for `http::Request<B>`, `http::request::Parts` and
/// `http::Extensions`; each getter is a plain `extensions().get::<T>()`.
pub trait LatticeRequestExt {
    /// The caller, if Lattice said who it is (see
    /// [`CallerIdentity::is_anonymous`] for unsigned callers).
    fn caller_identity(&self) -> Option<&CallerIdentity>;
    /// The V2 `requestContext` (V2 events only).
    fn v2_request_context(&self) -> Option<&V2RequestContext>;
    /// Which event structure the request came from.
    fn event_version(&self) -> Option<EventVersion>;
}

impl LatticeRequestExt for http::Extensions {
    fn caller_identity(&self) -> Option<&CallerIdentity> {
        self.get()
    }
    fn v2_request_context(&self) -> Option<&V2RequestContext> {
        self.get()
    }
    fn event_version(&self) -> Option<EventVersion> {
        self.get().copied()
    }
}

impl<B> LatticeRequestExt for http::Request<B> {
    fn caller_identity(&self) -> Option<&CallerIdentity> {
        self.extensions().caller_identity()
    }
    fn v2_request_context(&self) -> Option<&V2RequestContext> {
        self.extensions().v2_request_context()
    }
    fn event_version(&self) -> Option<EventVersion> {
        self.extensions().event_version()
    }
}

impl LatticeRequestExt for http::request::Parts {
    fn caller_identity(&self) -> Option<&CallerIdentity> {
        self.extensions.caller_identity()
    }
    fn v2_request_context(&self) -> Option<&V2RequestContext> {
        self.extensions.v2_request_context()
    }
    fn event_version(&self) -> Option<EventVersion> {
        self.extensions.event_version()
    }
}

/// An ordered map from names to several string values: V2 `headers` and
/// `queryStringParameters`.
///
/// Keeps keys in document order (and a key repeated in the JSON as a second
/// entry). Parsing accepts, per key, an array of strings, a single string,
/// `null` (no values) or a number/boolean (its JSON text); it serialises
/// arrays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultiValueMap(Vec<(String, Vec<String>)>);

impl MultiValueMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The values of the first entry whose key equals `key`, ignoring ASCII
    /// case (header names are case-insensitive; use on query keys with care).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }
    /// The values of the first entry whose key is exactly `key`.
    pub fn get_exact(&self, key: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }
    /// Appends `value` to the entry with exactly this key, creating it at the
    /// end if missing.
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value.into()),
            None => self.0.push((key, vec![value.into()])),
        }
    }
    /// Iterates entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

impl FromIterator<(String, Vec<String>)> for MultiValueMap {
    fn from_iter<T: IntoIterator<Item = (String, Vec<String>)>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl IntoIterator for MultiValueMap {
    type Item = (String, Vec<String>);
    type IntoIter = std::vec::IntoIter<(String, Vec<String>)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Serialize for MultiValueMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for MultiValueMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MultiValueMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings or arrays of strings")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MultiValueMap::new())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
                while let Some(key) = map.next_key::<String>()? {
                    let Values(values) = map.next_value()?;
                    out.push((key, values));
                }
                Ok(MultiValueMap(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An ordered list of `name: value` string pairs: V1 `headers` and
/// `query_string_parameters`, and response `headers`.
///
/// A name may occur more than once (parsing an array value gives one entry
/// per element); parsing accepts strings, `null` (entry dropped) and numbers
/// or booleans (their JSON text); it serialises strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SingleValueMap(Vec<(String, String)>);

impl SingleValueMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The value of the **last** entry whose key equals `key` ignoring ASCII
    /// case.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
    /// The value of the last entry whose key is exactly `key`.
    pub fn get_exact(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// Sets `key` (exact match) to `value`: the first entry with that key
    /// gets the value and later ones are removed; appended when missing.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into();
        let mut value = Some(value.into());
        let mut first = true;
        self.0.retain_mut(|(k, v)| {
            if *k != key {
                return true;
            }
            if first {
                first = false;
                if let Some(val) = value.take() {
                    *v = val;
                }
                true
            } else {
                false
            }
        });
        if let Some(val) = value {
            self.0.push((key, val));
        }
    }
    /// Adds an entry at the end, even if the key exists.
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.push((key.into(), value.into()));
    }
    /// Iterates entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl FromIterator<(String, String)> for SingleValueMap {
    fn from_iter<T: IntoIterator<Item = (String, String)>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl IntoIterator for SingleValueMap {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Serialize for SingleValueMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for SingleValueMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SingleValueMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(SingleValueMap::new())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(256));
                while let Some(key) = map.next_key::<String>()? {
                    let Values(values) = map.next_value()?;
                    for v in values {
                        out.push((key.clone(), v));
                    }
                }
                Ok(SingleValueMap(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A lenient list of strings: array, single string, null, number or bool.
struct Values(Vec<String>);

impl<'de> Deserialize<'de> for Values {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Values;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Values, E> {
                Ok(Values(vec![v.to_owned()]))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Values, E> {
                Ok(Values(vec![v]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Values, E> {
                Ok(Values(vec![v.to_string()]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Values, E> {
                Ok(Values(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Values, E> {
                Ok(Values(vec![v.to_string()]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Values, E> {
                Ok(Values(vec![v.to_string()]))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Values, E> {
                Ok(Values(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Values, E> {
                Ok(Values(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Values, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(64));
                while let Some(Scalar(s)) = seq.next_element()? {
                    if let Some(s) = s {
                        out.push(s);
                    }
                }
                Ok(Values(out))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A lenient scalar: string, number or bool as text; null as `None`.
pub(crate) struct Scalar(pub(crate) Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(Some(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(None))
            }
        }
        deserializer.deserialize_any(V)
    }
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Scalar::deserialize(d).map(|s| s.0)
}

pub(crate) fn lenient_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<bool>, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<bool>, E> {
            if v.eq_ignore_ascii_case("true") {
                Ok(Some(true))
            } else if v.eq_ignore_ascii_case("false") || v.is_empty() {
                Ok(Some(false))
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<bool>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<bool>, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}
