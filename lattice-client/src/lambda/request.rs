//! Events to `http::Request`s and back, and what the conversions put in a
//! request's extensions.

use std::borrow::Cow;
use std::net::IpAddr;
use std::str::FromStr;

use bytes::Bytes;
use http::header::HOST;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri};
use percent_encoding::{
    AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode,
};

use super::body::{event_body, request_body};
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

fn is_list_header(name: &str) -> bool {
    V1_LIST_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h))
}

pub(super) fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
}

/// Splits a list header at commas outside quoted strings; trims and drops
/// empty elements.
pub(super) fn split_list(value: &str) -> Vec<&str> {
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

pub(super) fn first_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
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

pub(super) fn lossy(v: &HeaderValue) -> String {
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
