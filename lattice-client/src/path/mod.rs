//! One spelling per request path, so that authorization, routing and the
//! target agree on what was requested.
//!
//! `/admin`, `//admin`, `/./admin`, `/public/../admin` and `/%61dmin` all
//! name the same resource, but a policy or a rule that compares strings sees
//! five different paths. A server that authorizes one spelling and serves
//! another can be bypassed. [`normalize`] turns every spelling into one,
//! and a server uses that one path for the auth-policy resource,
//! `vpc-lattice-svcs:RequestPath`, its routing rules and the request it
//! hands on. The fake Lattice (`lattice-fake`) does exactly that; the
//! repository's `docs/assumptions.md` (row A37) records the choice.
//!
//! # The rule
//!
//! The input is a request path as it appears on the wire (percent-encoded
//! once, without the query). In this order (RFC 3986 §6.2.2):
//!
//! 1. **Escapes.** `%XX` of an unreserved character (`A`–`Z`, `a`–`z`,
//!    `0`–`9`, `-`, `.`, `_`, `~`) is decoded: `%61` → `a`, `%2E` → `.`.
//!    Every other escape is kept, with upper-case hex: `%c3%a9` → `%C3%A9`.
//! 2. **Empty segments.** `//` becomes `/`.
//! 3. **Dot segments** are removed (RFC 3986 §5.2.4): `/a/./b` → `/a/b`,
//!    `/a/b/../c` → `/a/c`. A path that ends in a dot segment keeps a
//!    trailing `/` (`/a/b/..` → `/a/`).
//!
//! An empty path is `/`. Any other character is kept as it is.
//!
//! # What is refused
//!
//! Some paths have no safe single spelling; [`normalize`] refuses them
//! with a [`PathError`] (a server answers `400`):
//!
//! * a path that does not start with `/` (`*`, `orders/42`);
//! * `..` that climbs above the root (`/../admin`, `/%2e%2e/admin`);
//! * an escaped `/` (`%2F`): decoding it would create a new segment
//!   boundary, keeping it lets `/public%2F..%2Fadmin` mean `/admin` to a
//!   target that decodes before it splits;
//! * a `%` not followed by two hexadecimal digits.
//!
//! ```
//! use lattice_client::path::{PathError, normalize};
//!
//! assert_eq!(normalize("//public/./../%61dmin/")?, "/admin/");
//! assert_eq!(normalize("/orders/caf%c3%a9")?, "/orders/caf%C3%A9");
//! assert!(matches!(normalize("/../etc"), Err(PathError::AboveRoot { .. })));
//! // An already normal path is borrowed, not copied.
//! assert!(matches!(normalize("/orders/42")?, std::borrow::Cow::Borrowed(_)));
//! # Ok::<(), PathError>(())
//! ```
//!
//! Normalising is idempotent: a normal path comes back unchanged.

use std::borrow::Cow;

use crate::text::excerpt;

/// Why a request path has no normal form (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The path does not start with `/`.
    #[error(
        "request path `{path}` does not start with `/`; send an absolute path such as `/orders`"
    )]
    NotAbsolute {
        /// The path given (shortened when long).
        path: String,
    },
    /// A `..` segment climbs above the root.
    #[error(
        "request path `{path}` climbs above the root with `..`; remove the extra `..` segments"
    )]
    AboveRoot {
        /// The path given (shortened when long).
        path: String,
    },
    /// The path contains `%2F`, an escaped `/`.
    #[error(
        "request path `{path}` contains an escaped `/` (`%2F`), which would change where segments end; send `/` itself or escape the data differently"
    )]
    EncodedSlash {
        /// The path given (shortened when long).
        path: String,
    },
    /// A `%` is not followed by two hexadecimal digits.
    #[error(
        "request path `{path}` has an invalid percent escape at byte {at}; write `%` itself as `%25`"
    )]
    InvalidEscape {
        /// The path given (shortened when long).
        path: String,
        /// Byte offset of the `%`.
        at: usize,
    },
}

/// The normal form of a request path: escapes of unreserved characters
/// decoded (other escapes upper-cased), `//` collapsed, dot segments
/// removed. Borrows `path` when it is already normal.
///
/// # Errors
///
/// [`PathError`] for a path that does not start with `/`, climbs above the
/// root, contains `%2F`, or has a malformed escape.
pub fn normalize(path: &str) -> Result<Cow<'_, str>, PathError> {
    if path.is_empty() {
        return Ok(Cow::Borrowed("/"));
    }
    if !path.starts_with('/') {
        return Err(PathError::NotAbsolute {
            path: excerpt(path),
        });
    }
    if is_normal(path) {
        return Ok(Cow::Borrowed(path));
    }
    let decoded = normalize_escapes(path)?;
    let out = remove_dot_segments(&decoded).ok_or_else(|| PathError::AboveRoot {
        path: excerpt(path),
    })?;
    if out == path {
        Ok(Cow::Borrowed(path))
    } else {
        Ok(Cow::Owned(out))
    }
}

/// Whether `path` (starting with `/`) has no escape, no empty segment
/// before its end and no dot segment: the common case, with no copy.
fn is_normal(path: &str) -> bool {
    if path.contains('%') {
        return false;
    }
    let rest = path.get(1..).unwrap_or("");
    let mut segments = rest.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "." | ".." => return false,
            "" if !last => return false,
            _ => {}
        }
    }
    true
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Step 1: unreserved escapes decoded, the others upper-cased.
fn normalize_escapes(path: &str) -> Result<String, PathError> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    let mut offset = 0;
    while let Some(i) = rest.find('%') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let at = offset + i;
        let escape = rest.as_bytes().get(i + 1..i + 3);
        let value = escape.and_then(|pair| match pair {
            [hi, lo] => Some((hex_value(*hi)? << 4) | hex_value(*lo)?),
            _ => None,
        });
        let Some(value) = value else {
            return Err(PathError::InvalidEscape {
                path: excerpt(path),
                at,
            });
        };
        if value == b'/' {
            return Err(PathError::EncodedSlash {
                path: excerpt(path),
            });
        }
        if is_unreserved(value) {
            out.push(char::from(value));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(value >> 4)]));
            out.push(char::from(HEX[usize::from(value & 0x0f)]));
        }
        // The escape is three ASCII bytes, so `i + 3` is a boundary.
        rest = rest.get(i + 3..).unwrap_or("");
        offset = at + 3;
    }
    out.push_str(rest);
    Ok(out)
}

/// Steps 2 and 3 on a path that starts with `/`; `None` when `..` climbs
/// above the root.
fn remove_dot_segments(path: &str) -> Option<String> {
    let mut kept: Vec<&str> = Vec::new();
    let mut trailing = false;
    for segment in path.get(1..).unwrap_or("").split('/') {
        trailing = true;
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop()?;
            }
            other => {
                kept.push(other);
                trailing = false;
            }
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &kept {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() || trailing {
        out.push('/');
    }
    Some(out)
}

#[cfg(test)]
mod tests;
