//! The per-request work of signing: the canonical request and the string to
//! sign written straight into one reusable buffer.
//!
//! The rules are those of [`super::canonical`] (and so of `aws-sigv4`),
//! written without building intermediate values:
//!
//! - no `String` per header: header fields are borrowed from the request into
//!   an array on the stack (a heap array only past 48 fields) and sorted there
//!   by name, keeping the order of repeated headers;
//! - the canonical URI is normalised and encoded directly into the buffer;
//! - query pairs are re-encoded into a second reusable buffer and sorted as
//!   index ranges;
//! - the buffers live in a thread-local scratch, so after the first request
//!   on a thread signing allocates nothing here.
//!
//! The differential test `tests/sign_differential.rs` pins the output to
//! `aws-sigv4`'s on generated requests, and `sign/suite.rs` to the AWS signing
//! test suite.

use std::cell::RefCell;
use std::ops::Range;

use http::HeaderMap;

use super::canonical::{AWS4_REQUEST, Algorithm, EncodingMode};
use super::crypto::{push_hex, sha256};

/// Header fields kept on the stack before spilling to the heap.
const INLINE_FIELDS: usize = 48;

/// The reusable buffers of one thread.
#[derive(Default)]
pub(crate) struct Scratch {
    /// Canonical request, then string to sign.
    pub(crate) buf: Vec<u8>,
    /// Re-encoded query components.
    query: Vec<u8>,
    /// One decoded query component.
    decoded: Vec<u8>,
    /// `[key start, key end = value start, value end]` in `query`.
    pairs: Vec<[usize; 3]>,
    /// The signature as hex.
    pub(crate) signature: Vec<u8>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch (a fresh one if it is in use).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// What the canonical request is made of.
pub(crate) struct Input<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) mode: EncodingMode,
    /// The value signed as `host`; a `host` entry in `headers` is ignored.
    pub(crate) host: &'a str,
    /// The request's own headers.
    pub(crate) headers: &'a HeaderMap,
    /// Headers the signer adds (`x-amz-*`), as `(name, value)`; an entry of
    /// `headers` with one of these names is ignored.
    pub(crate) added: &'a [(&'a str, &'a str)],
    pub(crate) payload_hash: &'a str,
}

/// Where the parts of the text ended up in [`Scratch::buf`].
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub(crate) canonical_request: Range<usize>,
    pub(crate) signed_headers: Range<usize>,
    pub(crate) string_to_sign: Range<usize>,
}

/// A header field of the request that cannot be signed: its value is not
/// visible ASCII.
#[derive(Debug)]
pub(crate) struct Unsignable<'a>(pub(crate) &'a str);

#[derive(Clone, Copy)]
struct Field<'a> {
    name: &'a str,
    seq: usize,
    value: &'a str,
}

const EMPTY: Field<'static> = Field {
    name: "",
    seq: 0,
    value: "",
};

/// Writes the canonical request into `scratch.buf` (cleared first), hashes
/// it, and appends the string to sign for `algorithm`, `amz_date` and the
/// credential scope (`date/region/service/aws4_request`, or
/// `date/service/aws4_request` without a region).
///
/// `exclude` says which of the request's headers are not signed.
///
/// # Errors
///
/// The name of a signed header whose value is not visible ASCII.
pub(crate) fn write<'a>(
    scratch: &mut Scratch,
    input: &Input<'a>,
    exclude: impl Fn(&http::HeaderName) -> bool,
    algorithm: Algorithm,
    amz_date: &str,
    scope: (&str, Option<&str>, &str),
) -> Result<Layout, Unsignable<'a>> {
    let Scratch {
        buf,
        query,
        decoded,
        pairs,
        ..
    } = scratch;
    buf.clear();
    buf.extend_from_slice(input.method.as_bytes());
    buf.push(b'\n');
    write_path(buf, input.path, input.mode);
    buf.push(b'\n');
    if let Some(q) = input.query {
        write_query(buf, q, query, decoded, pairs);
    }
    buf.push(b'\n');
    let signed_headers = write_headers(buf, input, exclude)?;
    buf.push(b'\n');
    buf.extend_from_slice(input.payload_hash.as_bytes());
    let canonical_request = 0..buf.len();

    let digest = sha256(buf);
    let sts_start = buf.len();
    buf.extend_from_slice(algorithm.as_str().as_bytes());
    buf.push(b'\n');
    buf.extend_from_slice(amz_date.as_bytes());
    buf.push(b'\n');
    write_scope(buf, scope);
    buf.push(b'\n');
    push_hex(buf, &digest);
    Ok(Layout {
        canonical_request,
        signed_headers,
        string_to_sign: sts_start..buf.len(),
    })
}

/// `date/region/service/aws4_request`, or `date/service/aws4_request`.
pub(crate) fn write_scope(out: &mut Vec<u8>, (date, region, service): (&str, Option<&str>, &str)) {
    out.extend_from_slice(date.as_bytes());
    out.push(b'/');
    if let Some(region) = region {
        out.extend_from_slice(region.as_bytes());
        out.push(b'/');
    }
    out.extend_from_slice(service.as_bytes());
    out.push(b'/');
    out.extend_from_slice(AWS4_REQUEST.as_bytes());
}

/// Canonical headers (one `name:value` line each), a blank line, and the
/// signed header names; returns the range of the names line.
fn write_headers<'a>(
    buf: &mut Vec<u8>,
    input: &Input<'a>,
    exclude: impl Fn(&http::HeaderName) -> bool,
) -> Result<Range<usize>, Unsignable<'a>> {
    let total = input.headers.len() + input.added.len() + 1;
    let mut inline = [EMPTY; INLINE_FIELDS];
    let mut spilled;
    let fields: &mut [Field<'a>] = if total <= INLINE_FIELDS {
        &mut inline
    } else {
        spilled = vec![EMPTY; total];
        &mut spilled
    };
    let mut n = 0;
    let mut push = |fields: &mut [Field<'a>], field: Field<'a>| {
        if let Some(slot) = fields.get_mut(n) {
            *slot = field;
            n += 1;
        }
    };
    push(
        fields,
        Field {
            name: "host",
            seq: 0,
            value: input.host,
        },
    );
    for &(name, value) in input.added {
        push(
            fields,
            Field {
                name,
                seq: 0,
                value,
            },
        );
    }
    for (seq, (name, value)) in input.headers.iter().enumerate() {
        let text = name.as_str();
        if text == "host"
            || (text.starts_with("x-amz-") && input.added.iter().any(|(n, _)| *n == text))
            || exclude(name)
        {
            continue;
        }
        let value = value.to_str().map_err(|_| Unsignable(text))?;
        push(
            fields,
            Field {
                name: text,
                seq: seq + 1,
                value,
            },
        );
    }
    let fields = fields.get_mut(..n).unwrap_or_default();
    fields.sort_unstable_by(|a, b| a.name.cmp(b.name).then(a.seq.cmp(&b.seq)));

    let mut previous: Option<&str> = None;
    for field in fields.iter() {
        if previous == Some(field.name) {
            buf.push(b',');
        } else {
            if previous.is_some() {
                buf.push(b'\n');
            }
            buf.extend_from_slice(field.name.as_bytes());
            buf.push(b':');
            previous = Some(field.name);
        }
        push_canonical_value(buf, field.value);
    }
    buf.extend_from_slice(b"\n\n");
    let start = buf.len();
    previous = None;
    for field in fields.iter() {
        if previous == Some(field.name) {
            continue;
        }
        if previous.is_some() {
            buf.push(b';');
        }
        buf.extend_from_slice(field.name.as_bytes());
        previous = Some(field.name);
    }
    Ok(start..buf.len())
}

/// The value with leading and trailing spaces removed and inner runs of
/// spaces collapsed to one (only the space character, as `aws-sigv4`).
fn push_canonical_value(out: &mut Vec<u8>, value: &str) {
    let mut pending_space = false;
    for &b in value.trim_matches(' ').as_bytes() {
        if b == b' ' {
            pending_space = true;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b);
        }
    }
}

/// `true` for the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes `bytes` with the unreserved set (and `/` too when `keep_slash`).
fn push_encoded(out: &mut Vec<u8>, bytes: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
        }
    }
}

/// The canonical URI: in `Double` mode the path with dot segments and empty
/// segments removed, encoded once more; in `Single` mode the path as sent.
fn write_path(buf: &mut Vec<u8>, path: &str, mode: EncodingMode) {
    if mode == EncodingMode::Single {
        if path.is_empty() {
            buf.push(b'/');
        } else {
            buf.extend_from_slice(path.as_bytes());
        }
        return;
    }
    let plain =
        !path.is_empty() && path.starts_with('/') && !path.contains("//") && !path.contains('.');
    if plain {
        push_encoded(buf, path.as_bytes(), true);
        return;
    }
    let start = buf.len();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                // Drop the last kept segment: back to its `/`.
                let kept = buf.get(start..).unwrap_or_default();
                let cut = kept.iter().rposition(|&b| b == b'/').unwrap_or(0);
                buf.truncate(start + cut);
            }
            other => {
                buf.push(b'/');
                push_encoded(buf, other.as_bytes(), false);
            }
        }
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if buf.len() == start || trailing {
        buf.push(b'/');
    }
}

/// The canonical query: pairs decoded, re-encoded, sorted by key then value.
fn write_query(
    buf: &mut Vec<u8>,
    query: &str,
    enc: &mut Vec<u8>,
    decoded: &mut Vec<u8>,
    pairs: &mut Vec<[usize; 3]>,
) {
    enc.clear();
    pairs.clear();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key_start = enc.len();
        reencode(enc, key, decoded);
        let value_start = enc.len();
        reencode(enc, value, decoded);
        pairs.push([key_start, value_start, enc.len()]);
    }
    let part = |range: Range<usize>| enc.get(range).unwrap_or_default();
    pairs.sort_unstable_by(|a, b| {
        part(a[0]..a[1])
            .cmp(part(b[0]..b[1]))
            .then_with(|| part(a[1]..a[2]).cmp(part(b[1]..b[2])))
    });
    for (i, [k, v, end]) in pairs.iter().copied().enumerate() {
        if i > 0 {
            buf.push(b'&');
        }
        buf.extend_from_slice(part(k..v));
        buf.push(b'=');
        buf.extend_from_slice(part(v..end));
    }
}

/// Decodes one query component (`+` is a space, bad escapes are kept as
/// they are, invalid UTF-8 becomes U+FFFD) and encodes it with the
/// unreserved set.
fn reencode(out: &mut Vec<u8>, part: &str, decoded: &mut Vec<u8>) {
    let bytes = part.as_bytes();
    if bytes.iter().all(|&b| is_unreserved(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    decoded.clear();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => decoded.push(b' '),
            b'%' => {
                let hex = |j: usize| bytes.get(j).and_then(|&c| char::from(c).to_digit(16));
                if let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) {
                    // Two hex digits make one byte (< 256).
                    decoded.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                decoded.push(b'%');
            }
            other => decoded.push(other),
        }
        i += 1;
    }
    match std::str::from_utf8(decoded) {
        Ok(text) => push_encoded(out, text.as_bytes(), false),
        Err(_) => push_encoded(out, String::from_utf8_lossy(decoded).as_bytes(), false),
    }
}
