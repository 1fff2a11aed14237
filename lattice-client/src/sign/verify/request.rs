//! The request a verifier reads, and what it answers for a good one.

use std::time::SystemTime;

use http::{HeaderMap, Method, Uri, Version};

use super::super::canonical::{Algorithm, CredentialScope, EncodingMode};

/// The parts of a request the verifier reads. Built from `&http::Request<B>`
/// or `&http::request::Parts`; the body is never read.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    pub(super) method: &'a Method,
    pub(super) uri: &'a Uri,
    pub(super) version: Version,
    pub(super) headers: &'a HeaderMap,
    pub(super) body_sha256: Option<&'a str>,
}

impl<'a> RequestView<'a> {
    /// A view over the given parts.
    pub fn new(method: &'a Method, uri: &'a Uri, version: Version, headers: &'a HeaderMap) -> Self {
        Self {
            method,
            uri,
            version,
            headers,
            body_sha256: None,
        }
    }

    /// The lower-case hex SHA-256 of the body, for [`PayloadPolicy::BodySha256`](super::PayloadPolicy::BodySha256).
    pub fn with_body_sha256(mut self, body_sha256: &'a str) -> Self {
        self.body_sha256 = Some(body_sha256);
        self
    }
}

impl<'a, B> From<&'a http::Request<B>> for RequestView<'a> {
    fn from(req: &'a http::Request<B>) -> Self {
        Self::new(req.method(), req.uri(), req.version(), req.headers())
    }
}

impl<'a> From<&'a http::request::Parts> for RequestView<'a> {
    fn from(parts: &'a http::request::Parts) -> Self {
        Self::new(&parts.method, &parts.uri, parts.version, &parts.headers)
    }
}

/// A successfully verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified<P> {
    /// The principal of the access key.
    pub principal: P,
    /// The access key id that signed the request.
    pub access_key_id: String,
    /// SigV4 or SigV4A.
    pub algorithm: Algorithm,
    /// The canonical URI encoding that matched.
    pub encoding: EncodingMode,
    /// The signed header names, in `SignedHeaders` order.
    pub signed_headers: Vec<String>,
    /// The credential scope as sent.
    pub scope: CredentialScope,
    /// The SigV4A region set as sent (`None` for SigV4).
    pub region_set: Option<String>,
    /// The `x-amz-date` of the request.
    pub request_time: SystemTime,
    /// Whether the request carried a (matching) session token.
    pub session_token: bool,
}
