//! Request bodies: the in-memory [`Body`], and text or Base64 in the JSON.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use bytes::Bytes;
use http::HeaderMap;
use http::header::CONTENT_TYPE;

use super::EventError;
use super::request::first_value;

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

pub(super) fn decode_base64(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    match B64_LENIENT.decode(s) {
        Ok(v) => Ok(v),
        Err(e) if s.bytes().any(|b| b.is_ascii_whitespace()) => {
            let compact: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            B64_LENIENT.decode(compact).map_err(|_| e)
        }
        Err(e) => Err(e),
    }
}

pub(super) fn event_body(body: Option<&str>, base64: bool) -> Result<Bytes, EventError> {
    match body {
        None => Ok(Bytes::new()),
        Some(b) if base64 => Ok(decode_base64(b)?.into()),
        Some(b) => Ok(Bytes::copy_from_slice(b.as_bytes())),
    }
}

/// The event body and its `isBase64Encoded` flag (text for text content
/// types, Base64 otherwise; see `docs/assumptions.md`, A22); `None` when empty.
pub(super) fn request_body(headers: &HeaderMap, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    let textual = first_value(headers, CONTENT_TYPE.as_str()).is_some_and(is_text_content_type);
    encode_body(textual, body)
}

pub(super) fn encode_body(textual: bool, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    if textual && let Ok(s) = std::str::from_utf8(body) {
        return (Some(s.to_owned()), false);
    }
    (Some(STANDARD.encode(body)), true)
}
