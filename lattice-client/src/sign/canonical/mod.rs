//! SigV4 / SigV4A canonical request and string to sign.
//!
//! `aws-sigv4` keeps its canonical request and string to sign private, so the
//! verifier builds its own. Each step is a value whose [`Display`](fmt::Display)
//! is the exact text the SigV4 specification defines:
//!
//! - [`CanonicalRequest`]: method, canonical URI, canonical query, canonical
//!   headers, signed headers and payload hash, one per line;
//! - [`CredentialScope`]: `YYYYMMDD/region/service/aws4_request` (SigV4) or
//!   `YYYYMMDD/service/aws4_request` (SigV4A);
//! - [`StringToSign`]: algorithm, `x-amz-date`, scope and the hex SHA-256 of
//!   the canonical request.
//!
//! The rules match `aws-sigv4` 1.6 (checked by a differential test):
//!
//! - canonical URI: [`EncodingMode::Double`] removes dot segments, collapses
//!   empty segments and then percent-encodes the (already encoded) path once
//!   more with the unreserved set, keeping `/`; [`EncodingMode::Single`] takes
//!   the path exactly as it appears in the request (no normalisation);
//! - canonical query: every `key=value` pair is decoded (`+` counts as a space,
//!   as `aws-sigv4` does), re-encoded with the unreserved set, sorted by key then
//!   value, and written as `key=` when the value is empty;
//! - canonical headers: lower-case names, values with leading and trailing
//!   spaces removed and inner runs of spaces collapsed to one, repeated headers
//!   joined with `,` in the order received, names sorted.
//!
//! Nothing here panics on peer input: every failure is a [`CanonicalError`].

use std::fmt;

use http::{HeaderMap, Method, Uri};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The payload hash a request carries when its body is not signed.
pub use super::UNSIGNED_PAYLOAD;

/// The credential scope terminator.
pub const AWS4_REQUEST: &str = "aws4_request";

/// The only header values [`CanonicalRequest::redacted`], `Debug` and
/// [`redact_for_log`] print; every other value is replaced by its length
/// (`authorization` shows its scope and `SignedHeaders` only).
const LOGGED_HEADERS: &[&str] = &["host", "x-amz-date", "x-amz-content-sha256"];

/// Everything except the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`.
const UNRESERVED_ONLY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// As [`UNRESERVED_ONLY`], but `/` is kept (path segments separator).
const PATH_SET: &AsciiSet = &UNRESERVED_ONLY.remove(b'/');

/// The signature algorithm named first in the `authorization` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// SigV4, `AWS4-HMAC-SHA256`: HMAC-SHA256 with a key bound to one region.
    V4,
    /// SigV4A, `AWS4-ECDSA-P256-SHA256`: ECDSA P-256 over a region set.
    V4a,
}

impl Algorithm {
    /// The algorithm token as it appears in the `authorization` header and the string to sign.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V4 => "AWS4-HMAC-SHA256",
            Self::V4a => "AWS4-ECDSA-P256-SHA256",
        }
    }

    /// Parses the algorithm token (exact, case-sensitive match).
    pub fn from_token(token: &str) -> Option<Self> {
        match token {
            "AWS4-HMAC-SHA256" => Some(Self::V4),
            "AWS4-ECDSA-P256-SHA256" => Some(Self::V4a),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the canonical URI is derived from the request path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum EncodingMode {
    /// The default of `aws-sigv4`, botocore and the CRT: remove dot segments,
    /// collapse `//`, then percent-encode the path (as sent, so already encoded
    /// once) a second time with the unreserved set, keeping `/`.
    #[default]
    Double,
    /// The mode of signers that disable double escaping (the Go SDK's
    /// `DisableURIPathEscaping`, S3): the path exactly as sent, encoded once by
    /// the client, with no normalisation.
    Single,
}

impl fmt::Display for EncodingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Double => "double",
            Self::Single => "single",
        })
    }
}

/// Why a canonical request could not be built.
///
/// The verifier maps each of these to a Lattice-style error line; on their own
/// they describe a request that does not match its signed header list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// A name in the signed header list is absent from the request (peer fault).
    #[error("'{0}' is named as a SignedHeader, but it does not exist in the HTTP request.")]
    MissingSignedHeader(String),
    /// A signed header's value is not valid UTF-8 (peer fault).
    #[error("the value of the signed header '{0}' is not valid UTF-8")]
    NonUtf8HeaderValue(String),
    /// A signed header name is empty or not a valid lower-case header token (peer fault).
    #[error("a name in SignedHeaders is not a valid lower-case header name")]
    InvalidSignedHeaderName,
}

/// A SigV4 canonical request.
///
/// `Display` yields the exact canonical request text; [`hash`](Self::hash) its
/// hex SHA-256. Because the text may contain the session token, `Debug` and
/// [`redacted`](Self::redacted) hide the values of sensitive headers.
#[derive(Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    method: String,
    uri: String,
    query: String,
    /// Sorted `(name, canonical value)` pairs, one per signed header.
    headers: Vec<(String, String)>,
    signed_headers: String,
    payload_hash: String,
}

impl CanonicalRequest {
    /// Builds the canonical request.
    ///
    /// - `signed_headers`: header names to sign; they are lower-cased, sorted
    ///   and de-duplicated here (a verifier checks the peer's list first).
    /// - `payload_hash`: the last line, e.g. [`UNSIGNED_PAYLOAD`] or a hex SHA-256.
    /// - `authority`: the value used for `host` when `host` is signed; the
    ///   request's own `host` header is ignored (the caller decides which
    ///   authority is authoritative, see the verifier).
    ///
    /// # Errors
    ///
    /// [`CanonicalError`] when a signed header (other than `host`) is absent,
    /// has a value that is not UTF-8, or when a name is not a valid header token.
    pub fn new<S: AsRef<str>>(
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        signed_headers: &[S],
        payload_hash: &str,
        authority: &str,
        mode: EncodingMode,
    ) -> Result<Self, CanonicalError> {
        let mut names: Vec<String> = signed_headers
            .iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        names.sort_unstable();
        names.dedup();

        let mut canonical_headers = Vec::with_capacity(names.len());
        for name in &names {
            if !is_header_token(name) {
                return Err(CanonicalError::InvalidSignedHeaderName);
            }
            let value = if name == "host" {
                canonical_header_value(authority)
            } else {
                canonical_header_values(headers, name)?
                    .ok_or_else(|| CanonicalError::MissingSignedHeader(name.clone()))?
            };
            canonical_headers.push((name.clone(), value));
        }

        Ok(Self {
            method: method.as_str().to_owned(),
            uri: canonical_uri(uri.path(), mode),
            query: canonical_query(uri.query()),
            headers: canonical_headers,
            signed_headers: names.join(";"),
            payload_hash: payload_hash.to_owned(),
        })
    }

    /// The HTTP method line.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The canonical URI line.
    pub fn canonical_uri(&self) -> &str {
        &self.uri
    }

    /// The canonical query line (empty when there is no query).
    pub fn canonical_query(&self) -> &str {
        &self.query
    }

    /// The signed headers line, e.g. `host;x-amz-date`.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// The payload hash line.
    pub fn payload_hash(&self) -> &str {
        &self.payload_hash
    }

    /// Lower-case hex SHA-256 of the canonical request text, as used in the string to sign.
    pub fn hash(&self) -> String {
        hex::encode(super::crypto::sha256(self.to_string().as_bytes()))
    }

    /// A `Display` of the canonical request that prints only the values of
    /// `host`, `x-amz-date` and `x-amz-content-sha256`; every other header
    /// value (the session token included) is replaced by its length. Use
    /// this, never the plain `Display`, in logs.
    pub fn redacted(&self) -> RedactedCanonicalRequest<'_> {
        RedactedCanonicalRequest(self)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, redact: bool) -> fmt::Result {
        writeln!(f, "{}", self.method)?;
        writeln!(f, "{}", self.uri)?;
        writeln!(f, "{}", self.query)?;
        for (name, value) in &self.headers {
            if redact {
                write_logged_header(f, name, value)?;
                writeln!(f)?;
            } else {
                writeln!(f, "{name}:{value}")?;
            }
        }
        writeln!(f)?;
        writeln!(f, "{}", self.signed_headers)?;
        f.write_str(&self.payload_hash)
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, false)
    }
}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CanonicalRequest")
            .field("text", &self.redacted().to_string())
            .finish()
    }
}

/// The redacted form of a [`CanonicalRequest`], for logs. See [`CanonicalRequest::redacted`].
#[derive(Debug, Clone, Copy)]
pub struct RedactedCanonicalRequest<'a>(&'a CanonicalRequest);

impl fmt::Display for RedactedCanonicalRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write(f, true)
    }
}

/// The credential scope: `YYYYMMDD/region/service/aws4_request` for SigV4,
/// `YYYYMMDD/service/aws4_request` for SigV4A (whose regions travel in the
/// signed `x-amz-region-set` header instead).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CredentialScope {
    date: String,
    region: Option<String>,
    service: String,
}

impl CredentialScope {
    /// A SigV4 scope. `date` is `YYYYMMDD`.
    pub fn v4(
        date: impl Into<String>,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Self {
            date: date.into(),
            region: Some(region.into()),
            service: service.into(),
        }
    }

    /// A SigV4A scope (no region). `date` is `YYYYMMDD`.
    pub fn v4a(date: impl Into<String>, service: impl Into<String>) -> Self {
        Self {
            date: date.into(),
            region: None,
            service: service.into(),
        }
    }

    /// The `YYYYMMDD` date.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// The region (SigV4 only).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The signing (service) name, e.g. `vpc-lattice-svcs`.
    pub fn service(&self) -> &str {
        &self.service
    }
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.region {
            Some(region) => write!(
                f,
                "{}/{}/{}/{AWS4_REQUEST}",
                self.date, region, self.service
            ),
            None => write!(f, "{}/{}/{AWS4_REQUEST}", self.date, self.service),
        }
    }
}

/// The SigV4 / SigV4A string to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign {
    algorithm: Algorithm,
    amz_date: String,
    scope: CredentialScope,
    canonical_request_hash: String,
}

impl StringToSign {
    /// Builds the string to sign for a canonical request. `amz_date` is the
    /// `x-amz-date` value (`YYYYMMDDTHHMMSSZ`).
    pub fn new(
        algorithm: Algorithm,
        amz_date: impl Into<String>,
        scope: CredentialScope,
        canonical_request: &CanonicalRequest,
    ) -> Self {
        Self::from_hash(algorithm, amz_date, scope, canonical_request.hash())
    }

    /// Builds the string to sign from an already computed canonical request hash.
    pub fn from_hash(
        algorithm: Algorithm,
        amz_date: impl Into<String>,
        scope: CredentialScope,
        canonical_request_hash: impl Into<String>,
    ) -> Self {
        Self {
            algorithm,
            amz_date: amz_date.into(),
            scope,
            canonical_request_hash: canonical_request_hash.into(),
        }
    }

    /// The algorithm line.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The credential scope line.
    pub fn scope(&self) -> &CredentialScope {
        &self.scope
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n{}\n{}\n{}",
            self.algorithm, self.amz_date, self.scope, self.canonical_request_hash
        )
    }
}

/// One canonical header line in its logged form: the value of `host`,
/// `x-amz-date` and `x-amz-content-sha256`; the scope and `SignedHeaders`
/// of `authorization`; the length of anything else.
fn write_logged_header(f: &mut impl fmt::Write, name: &str, value: &str) -> fmt::Result {
    if LOGGED_HEADERS.contains(&name) {
        return write!(f, "{name}:{value}");
    }
    if name == "authorization" {
        let scope = value
            .split("Credential=")
            .nth(1)
            .and_then(|c| c.split(',').next())
            .and_then(|c| c.split_once('/'))
            .map_or("?", |(_, scope)| scope.trim());
        let signed = value
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .map_or("?", str::trim);
        return write!(f, "{name}:** scope={scope} SignedHeaders={signed} **");
    }
    write!(f, "{name}:** redacted (length={}) **", value.len())
}

/// The logged form of a canonical request text (as captured in
/// [`SigningReport::canonical_request`](super::SigningReport::canonical_request)):
/// method, URI, query, signed header names and payload hash as they are,
/// and of the header values only those of `host`, `x-amz-date` and
/// `x-amz-content-sha256`; `authorization` shows its scope and
/// `SignedHeaders`, every other value (the session token included) only its
/// length.
pub fn redact_for_log(canonical_request: &str) -> String {
    let mut out = String::with_capacity(canonical_request.len());
    let mut in_headers = false;
    for (i, line) in canonical_request.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i == 3 {
            in_headers = true;
        }
        if in_headers && line.is_empty() {
            in_headers = false;
        }
        match line.split_once(':') {
            Some((name, value)) if in_headers => {
                let _ = write_logged_header(&mut out, name, value);
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The canonical URI for a request path (as it appears in the request, i.e.
/// percent-encoded once by the client) in the given mode.
pub fn canonical_uri(path: &str, mode: EncodingMode) -> String {
    match mode {
        EncodingMode::Double => utf8_percent_encode(&normalize_path(path), PATH_SET).to_string(),
        EncodingMode::Single => {
            if path.is_empty() {
                "/".to_owned()
            } else {
                path.to_owned()
            }
        }
    }
}

/// Removes `.` and `..` segments and empty segments (`//`), keeping a leading
/// `/` and a trailing `/` when the input ends in a directory.
fn normalize_path(path: &str) -> String {
    let needs_work =
        path.is_empty() || !path.starts_with('/') || path.contains("//") || path.contains('.');
    if !needs_work {
        return path.to_owned();
    }
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    let trailing = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|s| path.ends_with(s));
    if out.is_empty() || trailing {
        out.push('/');
    }
    // `out` may now be "//" only if it was empty and trailing; never the case
    // because an empty `out` gets exactly one '/'.
    out
}

/// The canonical query string for a raw (encoded) query, or `""` for none.
pub fn canonical_query(query: Option<&str>) -> String {
    let Some(query) = query else {
        return String::new();
    };
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (reencode_query_part(key), reencode_query_part(value))
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(query.len() + 8);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Decodes one query component (`+` is a space, bad escapes are kept as they
/// are, invalid UTF-8 becomes U+FFFD) and encodes it with the unreserved set.
fn reencode_query_part(part: &str) -> String {
    let plus_as_space: Vec<u8> = part
        .bytes()
        .map(|b| if b == b'+' { b' ' } else { b })
        .collect();
    let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
    let decoded = String::from_utf8_lossy(&decoded);
    utf8_percent_encode(&decoded, UNRESERVED_ONLY).to_string()
}

/// Trims leading/trailing spaces and collapses inner runs of spaces to one.
///
/// Only the space character is touched (tabs are kept), as in `aws-sigv4`.
pub fn canonical_header_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.trim_matches(' ').chars() {
        if c == ' ' {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// All values of `name`, each canonicalised, joined with `,`; `None` if absent.
fn canonical_header_values(
    headers: &HeaderMap,
    name: &str,
) -> Result<Option<String>, CanonicalError> {
    let mut out: Option<String> = None;
    for value in headers.get_all(name) {
        let text = std::str::from_utf8(value.as_bytes())
            .map_err(|_| CanonicalError::NonUtf8HeaderValue(name.to_owned()))?;
        let canonical = canonical_header_value(text);
        match &mut out {
            Some(acc) => {
                acc.push(',');
                acc.push_str(&canonical);
            }
            None => out = Some(canonical),
        }
    }
    Ok(out)
}

/// `true` for a non-empty lower-case RFC 9110 token.
pub(crate) fn is_header_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

#[cfg(test)]
mod tests;
