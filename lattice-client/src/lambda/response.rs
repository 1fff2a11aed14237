//! A handler's `http::Response` to the response JSON, and back.

use std::error::Error as StdError;
use std::fmt;

use bytes::{BufMut, Bytes};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::BodyExt as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::body::{decode_base64, encode_body, is_text_content_type};
use super::request::{first_value, is_hop_by_hop, lossy, split_list};
use super::{Body, SingleValueMap};

/// The default limit on a response's serialised JSON: 6 MiB (the documented
/// "6 MB"; whether AWS means 10^6 or 2^20 bytes is not documented (assumed), the larger is
/// used so valid responses are never refused here).
pub const DEFAULT_MAX_JSON_BYTES: usize = 6 * 1024 * 1024;

/// What to do with several `Set-Cookie` headers, which the single-string
/// header map of a Lattice Lambda response cannot carry (the JSON shape of
/// multi-value response headers is assumed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetCookiePolicy {
    /// Join them with `", "` like every other header (what Powertools emits).
    /// Lossy if Lattice does not split them again: a client would then see
    /// one cookie with the others glued into its attributes.
    #[default]
    Join,
    /// Send only the first `Set-Cookie`; the others are dropped.
    First,
}

/// Options for [`LatticeResponse::from_http_response`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseOptions {
    /// Largest serialised response JSON; default [`DEFAULT_MAX_JSON_BYTES`].
    pub max_json_bytes: usize,
    /// Several `Set-Cookie` headers; default [`SetCookiePolicy::Join`].
    pub set_cookie: SetCookiePolicy,
}

impl Default for ResponseOptions {
    fn default() -> Self {
        Self {
            max_json_bytes: DEFAULT_MAX_JSON_BYTES,
            set_cookie: SetCookiePolicy::default(),
        }
    }
}

impl ResponseOptions {
    /// Sets [`max_json_bytes`](Self::max_json_bytes).
    pub fn max_json_bytes(mut self, limit: usize) -> Self {
        self.max_json_bytes = limit;
        self
    }
    /// Sets [`set_cookie`](Self::set_cookie).
    pub fn set_cookie(mut self, policy: SetCookiePolicy) -> Self {
        self.set_cookie = policy;
        self
    }
}

/// Why a response could not be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The response JSON would exceed the limit (the handler's fault); the
    /// body was read no further than the limit allows.
    #[error(
        "the Lambda response does not fit in the {limit}-byte JSON limit of Lattice (Base64 bodies grow by 4/3)"
    )]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The handler's response body failed while being read.
    #[error("the response body failed: {0}")]
    Body(#[source] Box<dyn StdError + Send + Sync>),
    /// The bytes are not a Lattice Lambda response.
    #[error("not a Lattice Lambda response: {0}")]
    Json(#[from] serde_json::Error),
    /// `statusCode` is not an HTTP status (100–999).
    #[error("statusCode {0} is not a valid HTTP status")]
    InvalidStatus(u16),
    /// `isBase64Encoded` is true but the body is not Base64.
    #[error("`isBase64Encoded` is true but the body is not valid Base64: {0}")]
    InvalidBase64(#[from] base64::DecodeError),
    /// A header name is not valid in HTTP.
    #[error("response header name {0:?} is not valid in HTTP")]
    InvalidHeaderName(String),
    /// A header value holds characters HTTP cannot carry.
    #[error("response header `{0}` has a value with characters not allowed in HTTP")]
    InvalidHeaderValue(String),
}

impl ResponseError {
    /// The short 500 response that stands in for a response that could not
    /// be converted.
    pub fn to_lattice_response(&self) -> LatticeResponse {
        let msg = match self {
            Self::TooLarge { .. } => "Internal Server Error: response too large for Lattice",
            _ => "Internal Server Error: invalid response",
        };
        LatticeResponse::text(500, msg)
    }
}

/// What a Lambda function returns to Lattice (both event versions):
/// `{"isBase64Encoded", "statusCode", "headers", "body"}`.
///
/// Parsing is lenient: `statusCode` as a number or a string of digits;
/// `headers` values as strings or arrays (one entry per element); `body`
/// absent or `null`; `isBase64Encoded` absent or `null` (false). Other keys
/// (`statusDescription`, `cookies`, `multiValueHeaders`) are ignored: Lattice
/// does not document them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LatticeResponse {
    /// Whether `body` is Base64.
    pub is_base64_encoded: bool,
    /// The HTTP status.
    pub status_code: u16,
    /// One string per header.
    pub headers: SingleValueMap,
    /// The body, text or Base64; omitted when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResponse {
    #[serde(default, deserialize_with = "super::lenient_opt_bool")]
    is_base64_encoded: Option<bool>,
    #[serde(deserialize_with = "lenient_status")]
    status_code: u16,
    #[serde(default)]
    headers: Option<SingleValueMap>,
    #[serde(default)]
    body: Option<String>,
}

fn lenient_status<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let v = super::Scalar::deserialize(d)?.0;
    v.as_deref()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| serde::de::Error::custom("statusCode: expected an integer from 100 to 999"))
}

impl<'de> Deserialize<'de> for LatticeResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawResponse::deserialize(deserializer)?;
        Ok(Self {
            is_base64_encoded: raw.is_base64_encoded.unwrap_or(false),
            status_code: raw.status_code,
            headers: raw.headers.unwrap_or_default(),
            body: raw.body,
        })
    }
}

struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn json_len<T: Serialize>(value: &T) -> usize {
    let mut c = Counter(0);
    match serde_json::to_writer(&mut c, value) {
        Ok(()) => c.0,
        Err(_) => usize::MAX,
    }
}

impl LatticeResponse {
    /// A response with a `text/plain` body.
    pub fn text(status_code: u16, body: impl Into<String>) -> Self {
        let mut headers = SingleValueMap::new();
        headers.push("content-type", "text/plain; charset=utf-8");
        Self {
            is_base64_encoded: false,
            status_code,
            headers,
            body: Some(body.into()),
        }
    }

    /// Parses a response as a Lambda function returns it.
    ///
    /// # Errors
    ///
    /// [`ResponseError::Json`] when it is not one.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ResponseError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Serialises the response.
    ///
    /// # Errors
    ///
    /// Only if serde_json fails, which it does not for this type.
    pub fn to_vec(&self) -> Result<Vec<u8>, ResponseError> {
        Ok(serde_json::to_vec(self)?)
    }

    /// The size of [`to_vec`](Self::to_vec)'s output, computed without
    /// allocating it.
    pub fn json_len(&self) -> usize {
        json_len(self)
    }

    /// Converts a handler's response; never fails: an oversize response or a
    /// failing body becomes a short 500 ([`ResponseError::to_lattice_response`]).
    /// Use [`try_from_http_response`](Self::try_from_http_response) to see the
    /// error.
    pub async fn from_http_response<B>(response: Response<B>, options: &ResponseOptions) -> Self
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn StdError + Send + Sync>>,
    {
        match Self::try_from_http_response(response, options).await {
            Ok(r) => r,
            Err(e) => e.to_lattice_response(),
        }
    }

    /// Converts a handler's response.
    ///
    /// * headers: names lower-case; several values of one name joined with
    ///   `", "`, `Set-Cookie` per [`ResponseOptions::set_cookie`]; hop-by-hop
    ///   headers and `content-length` left out (Lattice computes it); values
    ///   that are not UTF-8 converted lossily;
    /// * body: text when `content-type` is textual ([`is_text_content_type`])
    ///   and the bytes are UTF-8, else Base64; omitted when empty;
    /// * size: the body is read only up to what can fit in
    ///   `max_json_bytes` (3/4 of the room left for a Base64 body), and the
    ///   final JSON is measured.
    ///
    /// # Errors
    ///
    /// [`ResponseError::TooLarge`] or [`ResponseError::Body`].
    pub async fn try_from_http_response<B>(
        response: Response<B>,
        options: &ResponseOptions,
    ) -> Result<Self, ResponseError>
    where
        B: http_body::Body,
        B::Error: Into<Box<dyn StdError + Send + Sync>>,
    {
        let limit = options.max_json_bytes;
        let (parts, body) = response.into_parts();
        let headers = response_headers(&parts.headers, options.set_cookie);
        let textual =
            first_value(&parts.headers, CONTENT_TYPE.as_str()).is_some_and(is_text_content_type);
        let mut out = Self {
            is_base64_encoded: true,
            status_code: parts.status.as_u16(),
            headers,
            body: Some(String::new()),
        };
        let room = limit
            .checked_sub(out.json_len())
            .ok_or(ResponseError::TooLarge { limit })?;
        let budget = if textual { room } else { room / 4 * 3 };
        let bytes = collect_limited(body, budget)
            .await?
            .ok_or(ResponseError::TooLarge { limit })?;
        let (body, b64) = encode_body(textual, &bytes);
        out.body = body;
        out.is_base64_encoded = b64;
        if out.json_len() > limit {
            return Err(ResponseError::TooLarge { limit });
        }
        Ok(out)
    }

    /// Converts to the HTTP response a client receives (for a fake data
    /// plane): Base64 body decoded, hop-by-hop headers (and those named in
    /// `connection`) dropped, `content-length` computed (not for 1xx, 204,
    /// 304). Header values are not split.
    ///
    /// # Errors
    ///
    /// [`ResponseError`] for an invalid status, header or Base64 body.
    pub fn into_http_response(self) -> Result<Response<Body>, ResponseError> {
        let status = StatusCode::from_u16(self.status_code)
            .map_err(|_| ResponseError::InvalidStatus(self.status_code))?;
        let body: Bytes = match (self.body, self.is_base64_encoded) {
            (None, _) => Bytes::new(),
            (Some(b), true) => decode_base64(&b)?.into(),
            (Some(b), false) => b.into(),
        };
        let connection_tokens: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, v)| split_list(v))
            .collect();
        let mut headers = HeaderMap::with_capacity(self.headers.len() + 1);
        for (name, value) in self.headers.iter() {
            if is_hop_by_hop(name)
                || name.eq_ignore_ascii_case("content-length")
                || connection_tokens
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(name))
            {
                continue;
            }
            let hn = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| ResponseError::InvalidHeaderName(name.chars().take(64).collect()))?;
            let hv = HeaderValue::from_str(value)
                .map_err(|_| ResponseError::InvalidHeaderValue(hn.to_string()))?;
            headers.append(hn, hv);
        }
        if !(status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED)
        {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        let mut resp = Response::new(Body::from(body));
        *resp.status_mut() = status;
        *resp.headers_mut() = headers;
        Ok(resp)
    }
}

impl fmt::Display for LatticeResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lattice Lambda response {}", self.status_code)
    }
}

fn response_headers(headers: &HeaderMap, set_cookie: SetCookiePolicy) -> SingleValueMap {
    let mut out = SingleValueMap::new();
    for name in headers.keys() {
        let n = name.as_str();
        if is_hop_by_hop(n) || *name == CONTENT_LENGTH {
            continue;
        }
        let mut values = headers.get_all(name).iter().map(lossy);
        let joined = if *name == http::header::SET_COOKIE && set_cookie == SetCookiePolicy::First {
            values.next().unwrap_or_default()
        } else {
            values.collect::<Vec<_>>().join(", ")
        };
        out.push(n, joined);
    }
    out
}

/// Collects a body of at most `limit` bytes, the way a Lambda target's
/// payload limit applies: `Ok(None)` as soon as the body (or its size hint)
/// is larger, without reading the rest. A body that arrives in one frame is
/// returned without copying.
///
/// ```
/// # async fn demo() -> Result<(), lattice_client::lambda::ResponseError> {
/// use http_body_util::Full;
/// use lattice_client::lambda::collect_limited;
///
/// let small = collect_limited(Full::new(bytes::Bytes::from_static(b"hi")), 4).await?;
/// assert_eq!(small.as_deref(), Some(&b"hi"[..]));
/// let large = collect_limited(Full::new(bytes::Bytes::from_static(b"hello")), 4).await?;
/// assert!(large.is_none());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`ResponseError::Body`] when the body itself fails.
pub async fn collect_limited<B>(body: B, limit: usize) -> Result<Option<Bytes>, ResponseError>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    if body.size_hint().lower() > limit as u64 {
        return Ok(None);
    }
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut buf: Vec<u8> = Vec::new();
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ResponseError::Body(e.into()))?;
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        let n = bytes::Buf::remaining(&data);
        len = len.saturating_add(n);
        if len > limit {
            return Ok(None);
        }
        if n == 0 {
            continue;
        }
        match first.take() {
            None if buf.is_empty() => first = Some(bytes::Buf::copy_to_bytes(&mut data, n)),
            prev => {
                if let Some(p) = prev {
                    buf.put(p);
                }
                buf.put(data);
            }
        }
    }
    Ok(Some(match first {
        Some(b) => b,
        None => buf.into(),
    }))
}
