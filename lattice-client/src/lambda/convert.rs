//! Conversions between Lattice Lambda JSON and `http` types, both ways.
//!
//! | from | to | function |
//! |---|---|---|
//! | V1/V2 event | `http::Request<Body>` | [`V1Event::into_http_request`], [`V2Event::into_http_request`] |
//! | `http::Request` | V1/V2 event | [`V1Event::from_http_request`], [`V2Event::from_http_request`] (fake data plane) |
//! | `http::Response<B>` | response JSON | [`LatticeResponse::from_http_response`] |
//! | response JSON | `http::Response<Body>` | [`LatticeResponse::from_slice`] + [`LatticeResponse::into_http_response`] (fake data plane) |
//!
//! The rules (list headers, `Set-Cookie`, Base64, size) are described in the
//! [module docs](super#rules-chosen-here) and on each item.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use bytes::{BufMut, Bytes};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::BodyExt as _;
use percent_encoding::{
    AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode,
};
use serde::{Deserialize, Deserializer, Serialize};

use super::{
    Body, EventError, EventVersion, MultiValueMap, SingleValueMap, V1Event, V2Event,
    V2RequestContext,
};
use crate::identity::{CallerIdentity, LATTICE_IDENTITY_HEADERS};

/// Headers whose V1 value is split back at commas into several values.
///
/// Each is a comma-separated list in RFC 9110 (or a well-known extension)
/// whose elements can hold a comma only inside a quoted string, so a
/// quote-aware split is exact. Everything else — `date`, `user-agent`,
/// `cookie`, `authorization`, `x-forwarded-for` (kept whole, as proxies pass
/// it), custom `x-*` headers — stays one value.
pub const V1_LIST_HEADERS: &[&str] = &[
    "accept",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "access-control-request-headers",
    "cache-control",
    "content-encoding",
    "content-language",
    "forwarded",
    "if-match",
    "if-none-match",
    "pragma",
    "prefer",
    "te",
    "via",
];

/// Hop-by-hop headers, never copied between the Lambda JSON and HTTP.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// The default limit on a response's serialised JSON: 6 MiB (the documented
/// "6 MB"; whether AWS means 10^6 or 2^20 bytes is not documented (assumed), the larger is
/// used so valid responses are never refused here).
pub const DEFAULT_MAX_JSON_BYTES: usize = 6 * 1024 * 1024;

const PATH_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

const COMPONENT_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// True when a body with this `content-type` is sent as text (when it is
/// also valid UTF-8): `text/*`, `application/json`, `application/xml`,
/// `application/javascript`, ASCII-case-insensitive, parameters ignored.
pub fn is_text_content_type(content_type: &str) -> bool {
    let media = content_type.split(';').next().unwrap_or("").trim();
    let starts_text = media
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("text/"));
    starts_text
        || [
            "application/json",
            "application/xml",
            "application/javascript",
        ]
        .iter()
        .any(|t| media.eq_ignore_ascii_case(t))
}

fn is_list_header(name: &str) -> bool {
    V1_LIST_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// Splits a list header at commas outside quoted strings; trims and drops
/// empty elements.
fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                if let Some(part) = value.get(start..i) {
                    out.push(part);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(part) = value.get(start..) {
        out.push(part);
    }
    out.into_iter()
        .map(|p| p.trim_matches([' ', '\t']))
        .filter(|p| !p.is_empty())
        .collect()
}

fn decode_base64(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    match B64_LENIENT.decode(s) {
        Ok(v) => Ok(v),
        Err(e) if s.bytes().any(|b| b.is_ascii_whitespace()) => {
            let compact: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            B64_LENIENT.decode(compact).map_err(|_| e)
        }
        Err(e) => Err(e),
    }
}

fn event_body(body: Option<&str>, base64: bool) -> Result<Bytes, EventError> {
    match body {
        None => Ok(Bytes::new()),
        Some(b) if base64 => Ok(decode_base64(b)?.into()),
        Some(b) => Ok(Bytes::copy_from_slice(b.as_bytes())),
    }
}

/// Splits `path` at its first `?` and percent-encodes what a URI cannot hold.
fn path_and_query(path: &str, rebuild: impl FnOnce() -> Option<String>) -> String {
    let (p, q) = match path.split_once('?') {
        Some((p, q)) => (
            p,
            Some(Cow::Owned(utf8_percent_encode(q, PATH_SET).to_string())),
        ),
        None => (path, rebuild().map(Cow::Owned)),
    };
    let mut out = String::with_capacity(path.len() + 8);
    if !p.starts_with('/') {
        out.push('/');
    }
    out.extend(utf8_percent_encode(p, PATH_SET));
    if let Some(q) = q {
        out.push('?');
        out.push_str(&q);
    }
    out
}

fn encode_query<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, COMPONENT_SET));
        out.push('=');
        out.extend(utf8_percent_encode(v, COMPONENT_SET));
    }
    (!out.is_empty()).then_some(out)
}

fn first_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn build_uri(headers: &HeaderMap, pq: String) -> Result<Uri, EventError> {
    let pq_parsed = PathAndQuery::from_str(&pq).map_err(|_| EventError::InvalidPath(pq.clone()))?;
    let authority =
        first_value(headers, HOST.as_str()).and_then(|h| Authority::from_str(h.trim()).ok());
    if let Some(authority) = authority {
        // Assumed (docs/assumptions.md): the listener protocol is not in the event; use
        // x-forwarded-proto when it says http/https, else https.
        let scheme = match first_value(headers, "x-forwarded-proto")
            .and_then(|p| split_list(p).first().copied())
        {
            Some(p) if p.eq_ignore_ascii_case("http") => Scheme::HTTP,
            _ => Scheme::HTTPS,
        };
        if let Ok(uri) = Uri::builder()
            .scheme(scheme)
            .authority(authority)
            .path_and_query(pq_parsed.clone())
            .build()
        {
            return Ok(uri);
        }
    }
    Ok(Uri::from(pq_parsed))
}

/// A header only Lattice may set: `x-amzn-lattice-*` (the identity headers
/// and any Lattice adds later) and `x-amzn-source-vpc`.
fn is_identity_header(name: &HeaderName) -> bool {
    name.as_str().starts_with("x-amzn-lattice-") || LATTICE_IDENTITY_HEADERS.contains(name)
}

fn header_name(name: &str) -> Result<HeaderName, EventError> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| EventError::InvalidHeaderName(name.chars().take(64).collect()))
}

fn header_value(name: &HeaderName, value: &str) -> Result<HeaderValue, EventError> {
    HeaderValue::from_str(value).map_err(|_| EventError::InvalidHeaderValue(name.to_string()))
}

fn method(m: &str) -> Result<Method, EventError> {
    Method::from_bytes(m.as_bytes())
        .map_err(|_| EventError::InvalidMethod(m.chars().take(32).collect()))
}

fn assemble(method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Request<Body> {
    let mut req = Request::new(Body::from(body));
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    req
}

impl V1Event {
    /// Converts to an `http::Request`.
    ///
    /// * URI: path and query from `raw_path` (its query string when it has
    ///   one, else rebuilt from `query_string_parameters`, percent-encoded);
    ///   scheme and authority from `x-forwarded-proto` (default `https`) and
    ///   `host` when there is a valid host header.
    /// * Headers: [`V1_LIST_HEADERS`] split at commas, the rest one value
    ///   each; `content-length` copied, never checked.
    /// * Body: decoded per `is_base64_encoded`.
    /// * Extensions: [`EventVersion::V1`] and, when the
    ///   `x-amzn-lattice-*` headers are present, the [`CallerIdentity`] they
    ///   describe.
    ///
    /// # Errors
    ///
    /// [`EventError`] for an invalid method, header, path or Base64 body, or
    /// malformed identity headers.
    pub fn into_http_request(self) -> Result<Request<Body>, EventError> {
        let method = method(&self.method)?;
        let mut headers = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in self.headers.iter() {
            let hn = header_name(name)?;
            if is_list_header(name) {
                for part in split_list(value) {
                    headers.append(hn.clone(), header_value(&hn, part)?);
                }
            } else {
                headers.append(hn.clone(), header_value(&hn, value)?);
            }
        }
        let query = &self.query_string_parameters;
        let pq = path_and_query(&self.raw_path, || encode_query(query.iter()));
        let uri = build_uri(&headers, pq)?;
        let body = event_body(self.body.as_deref(), self.is_base64_encoded)?;
        let identity = CallerIdentity::from_headers(&headers)?;
        let mut req = assemble(method, uri, headers, body);
        req.extensions_mut().insert(EventVersion::V1);
        if let Some(id) = identity {
            req.extensions_mut().insert(id);
        }
        Ok(req)
    }

    /// Builds the V1 event Lattice would send for `request`; see
    /// [`from_parts`](Self::from_parts).
    pub fn from_http_request<B: AsRef<[u8]>>(
        request: &Request<B>,
        client_ip: Option<IpAddr>,
    ) -> Self {
        let (parts, body) = (request_parts(request), request.body().as_ref());
        Self::from_parts_inner(parts, body, client_ip)
    }

    /// Builds the V1 event Lattice would send for a request (for a fake data
    /// plane; strip and re-add the identity headers first, see
    /// [`CallerIdentity::write_headers`]).
    ///
    /// * `raw_path`: path with its query string, as sent;
    /// * headers: every value of a name joined with `", "` (`cookie` with
    ///   `"; "`, RFC 9113 §8.2.3; what Lattice does is assumed); `host`
    ///   added from the URI authority when missing (HTTP/2); `client_ip`
    ///   appended to `x-forwarded-for` (append vs replace is assumed);
    ///   values that are not UTF-8 are converted lossily;
    /// * `query_string_parameters`: percent-decoded (`+` kept; assumed),
    ///   the last value of a repeated key;
    /// * body: text when the content type is textual and the bytes are UTF-8,
    ///   else Base64; empty body → `""`.
    pub fn from_parts(
        parts: &http::request::Parts,
        body: &[u8],
        client_ip: Option<IpAddr>,
    ) -> Self {
        Self::from_parts_inner(
            PartsRef {
                method: &parts.method,
                uri: &parts.uri,
                headers: &parts.headers,
            },
            body,
            client_ip,
        )
    }

    fn from_parts_inner(parts: PartsRef<'_>, body: &[u8], client_ip: Option<IpAddr>) -> Self {
        let headers = collect_headers(&parts, client_ip)
            .into_iter()
            .map(|(k, v)| {
                let sep = if k == "cookie" { "; " } else { ", " };
                let joined = v.join(sep);
                (k, joined)
            })
            .collect();
        let mut query = SingleValueMap::new();
        for (k, v) in parse_query(parts.uri.query()) {
            query.insert(k, v);
        }
        let (body, b64) = request_body(parts.headers, body);
        Self {
            raw_path: raw_path(parts.uri),
            method: parts.method.as_str().to_owned(),
            headers,
            query_string_parameters: query,
            body: Some(body.unwrap_or_default()),
            is_base64_encoded: b64,
        }
    }
}

impl V2Event {
    /// Converts to an `http::Request`.
    ///
    /// * URI: path and query from `path` (its query string when it has one,
    ///   repeats and order kept; else rebuilt from `queryStringParameters`,
    ///   every value, percent-encoded); scheme and authority from
    ///   `x-forwarded-proto` (default `https`) and `host`.
    /// * Headers: every array element is one value. Every `x-amzn-lattice-*`
    ///   header and `x-amzn-source-vpc` is left out: in a V2 event
    ///   `requestContext` is the only source of the caller, and a copy in the
    ///   headers must not reach a layer or handler that reads identity
    ///   headers (`docs/assumptions.md`, A20).
    /// * Body: decoded per `isBase64Encoded`.
    /// * Extensions: [`EventVersion::V2`], the [`V2RequestContext`], and the
    ///   [`CallerIdentity`] from it (see [`V2RequestContext::caller_identity`]).
    ///
    /// # Errors
    ///
    /// [`EventError`] for an invalid method, header, path or Base64 body.
    pub fn into_http_request(self) -> Result<Request<Body>, EventError> {
        let method = method(&self.method)?;
        let mut headers = HeaderMap::with_capacity(self.headers.len());
        for (name, values) in self.headers.iter() {
            let hn = header_name(name)?;
            if is_identity_header(&hn) {
                continue;
            }
            for value in values {
                headers.append(hn.clone(), header_value(&hn, value)?);
            }
        }
        let query = &self.query_string_parameters;
        let pq = path_and_query(&self.path, || {
            encode_query(
                query
                    .iter()
                    .flat_map(|(k, vs)| vs.iter().map(move |v| (k, v.as_str()))),
            )
        });
        let uri = build_uri(&headers, pq)?;
        let body = event_body(self.body.as_deref(), self.is_base64_encoded)?;
        let identity = self.request_context.caller_identity();
        let mut req = assemble(method, uri, headers, body);
        let ext = req.extensions_mut();
        ext.insert(EventVersion::V2);
        if let Some(id) = identity {
            ext.insert(id);
        }
        ext.insert(self.request_context);
        Ok(req)
    }

    /// Builds the V2 event Lattice would send for `request`; see
    /// [`from_parts`](Self::from_parts).
    pub fn from_http_request<B: AsRef<[u8]>>(
        request: &Request<B>,
        context: V2RequestContext,
        client_ip: Option<IpAddr>,
    ) -> Self {
        Self::from_parts_inner(
            request_parts(request),
            request.body().as_ref(),
            context,
            client_ip,
        )
    }

    /// Builds the V2 event Lattice would send for a request (for a fake data
    /// plane; build `context` with [`V2RequestContext::from_caller`]).
    ///
    /// * `path`: path with its query string, as sent;
    /// * headers: every value kept as an array element (`host` added from the
    ///   URI authority when missing; `client_ip` appended to
    ///   `x-forwarded-for`, which then becomes one element; values that are
    ///   not UTF-8 converted lossily);
    /// * `queryStringParameters`: percent-decoded, every value in order;
    /// * body: text when the content type is textual and the bytes are UTF-8,
    ///   else Base64; absent when empty.
    pub fn from_parts(
        parts: &http::request::Parts,
        body: &[u8],
        context: V2RequestContext,
        client_ip: Option<IpAddr>,
    ) -> Self {
        let parts = PartsRef {
            method: &parts.method,
            uri: &parts.uri,
            headers: &parts.headers,
        };
        Self::from_parts_inner(parts, body, context, client_ip)
    }

    fn from_parts_inner(
        parts: PartsRef<'_>,
        body: &[u8],
        context: V2RequestContext,
        client_ip: Option<IpAddr>,
    ) -> Self {
        let headers = collect_headers(&parts, client_ip).into_iter().collect();
        let mut query = MultiValueMap::new();
        for (k, v) in parse_query(parts.uri.query()) {
            query.append(k, v);
        }
        let (body, b64) = request_body(parts.headers, body);
        Self {
            version: "2.0".to_owned(),
            path: raw_path(parts.uri),
            method: parts.method.as_str().to_owned(),
            headers,
            query_string_parameters: query,
            body,
            is_base64_encoded: b64,
            request_context: context,
        }
    }
}

struct PartsRef<'a> {
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
}

fn request_parts<B>(request: &Request<B>) -> PartsRef<'_> {
    PartsRef {
        method: request.method(),
        uri: request.uri(),
        headers: request.headers(),
    }
}

fn raw_path(uri: &Uri) -> String {
    match uri.path_and_query() {
        Some(pq) if !pq.as_str().is_empty() => pq.as_str().to_owned(),
        _ => "/".to_owned(),
    }
}

fn lossy(v: &HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

fn collect_headers(parts: &PartsRef<'_>, client_ip: Option<IpAddr>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::with_capacity(parts.headers.keys_len() + 2);
    if !parts.headers.contains_key(HOST)
        && let Some(a) = parts.uri.authority()
    {
        out.push(("host".to_owned(), vec![a.as_str().to_owned()]));
    }
    for name in parts.headers.keys() {
        let values = parts.headers.get_all(name).iter().map(lossy).collect();
        out.push((name.as_str().to_owned(), values));
    }
    if let Some(ip) = client_ip {
        let ip = ip.to_string();
        match out.iter_mut().find(|(k, _)| k == "x-forwarded-for") {
            Some((_, values)) => {
                let mut joined = values.join(", ");
                if !joined.is_empty() {
                    joined.push_str(", ");
                }
                joined.push_str(&ip);
                *values = vec![joined];
            }
            None => out.push(("x-forwarded-for".to_owned(), vec![ip])),
        }
    }
    out
}

fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = query else { return Vec::new() };
    q.split('&')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (k, v) = s.split_once('=').unwrap_or((s, ""));
            (
                percent_decode_str(k).decode_utf8_lossy().into_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            )
        })
        .collect()
}

/// The event body and its `isBase64Encoded` flag (text for text content
/// types, Base64 otherwise; see `docs/assumptions.md`, A22); `None` when empty.
fn request_body(headers: &HeaderMap, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    let textual = first_value(headers, CONTENT_TYPE.as_str()).is_some_and(is_text_content_type);
    encode_body(textual, body)
}

fn encode_body(textual: bool, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    if textual && let Ok(s) = std::str::from_utf8(body) {
        return (Some(s.to_owned()), false);
    }
    (Some(STANDARD.encode(body)), true)
}

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
