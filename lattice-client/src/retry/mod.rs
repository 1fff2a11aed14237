//! When the reqwest and hyper clients send a request again: the one retry
//! rule of [`LatticeClient`](crate::reqwest::LatticeClient) (feature
//! `reqwest`) and `lattice_tower::hyper::SignedHyperClient`.
//!
//! VPC Lattice closes a connection when it has been idle for 60 s and when
//! it reaches its 10-minute lifetime. A request that meets the close can
//! fail although Lattice never processed it. Such a request is sent
//! **once more** ([`MAX_RETRIES`]), on another connection, when:
//!
//! * it was never processed, whatever its method: hyper never sent it
//!   (the pooled connection closed first), or the server refused its
//!   HTTP/2 stream unprocessed (`GOAWAY` with `NO_ERROR` and the stream
//!   above the last one accepted, or `RST_STREAM` with `REFUSED_STREAM`,
//!   RFC 9113 §8.7); or
//! * its method is idempotent (`GET`, `HEAD`, `OPTIONS`, `TRACE`, `PUT`,
//!   `DELETE`, RFC 9110 §9.2.2) and the connection closed or was reset
//!   before a response arrived (an HTTP/1.1 connection closed by the server
//!   just as the request went out).
//!
//! and its body can be sent again (a body in memory with reqwest; with
//! hyper, bodies of at most [`REPLAY_LIMIT`] bytes, remembered while they
//! are sent). A response, whatever its status, is never retried, nor is a
//! `POST` or `PATCH` that may have reached the server. A connect timeout
//! (10 s by default, `TlsOptions::connect_timeout`) bounds each attempt's
//! connection; no total timeout is set by default, since bodies stream.
//!
//! [`is_retryable`] is the rule, for clients of your own; with the
//! `hyper` feature, [`Replay`] keeps a request's body so that it can be
//! sent again (the tonic channel uses it with its own rule, which retries
//! only [`is_unprocessed`] RPCs).

use std::error::Error as StdError;

use http::Method;

#[cfg(feature = "hyper")]
mod replay;
#[cfg(feature = "hyper")]
pub use replay::{Replay, ReplayBody, RequestHead};

/// How many times a request is sent again.
pub const MAX_RETRIES: u32 = 1;

/// Request body bytes the hyper client remembers for a retry; a longer body
/// is not retried.
pub const REPLAY_LIMIT: usize = 64 * 1024;

/// Whether `method` is idempotent (RFC 9110 §9.2.2).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// Whether a request with `method` that failed with `error` (and got no
/// response) may be sent again; see the [module docs](self).
///
/// ```
/// use lattice_client::retry::is_retryable;
///
/// let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
/// assert!(is_retryable(&http::Method::GET, &reset));
/// assert!(!is_retryable(&http::Method::POST, &reset));
/// let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
/// assert!(!is_retryable(&http::Method::GET, &refused));
/// ```
pub fn is_retryable(method: &Method, error: &(dyn StdError + 'static)) -> bool {
    match classify(error) {
        Some(Failure::Unprocessed) => true,
        Some(Failure::ClosedBeforeResponse) => is_idempotent(method),
        None => false,
    }
}

/// Whether `error` says the server did not process the request at all
/// (never sent, `GOAWAY` `NO_ERROR` above the last stream, `REFUSED_STREAM`):
/// sending it again cannot run it twice, whatever its method.
pub fn is_unprocessed(error: &(dyn StdError + 'static)) -> bool {
    matches!(classify(error), Some(Failure::Unprocessed))
}

enum Failure {
    /// Never processed by the server.
    Unprocessed,
    /// The connection closed before a response; maybe processed.
    ClosedBeforeResponse,
}

fn classify(error: &(dyn StdError + 'static)) -> Option<Failure> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(e) = e.downcast_ref::<hyper::Error>() {
            if e.is_canceled() {
                return Some(Failure::Unprocessed);
            }
            if e.is_incomplete_message() {
                return Some(Failure::ClosedBeforeResponse);
            }
        }
        if let Some(e) = e.downcast_ref::<h2::Error>() {
            let reason = e.reason();
            if e.is_remote()
                && ((e.is_go_away() && reason == Some(h2::Reason::NO_ERROR))
                    || (e.is_reset() && reason == Some(h2::Reason::REFUSED_STREAM)))
            {
                return Some(Failure::Unprocessed);
            }
            return None;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::{
                BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof,
            };
            if matches!(
                io.kind(),
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof
            ) {
                return Some(Failure::ClosedBeforeResponse);
            }
            // An `io::Error` hides its inner error from `source()`.
            cause = io.get_ref().map(|i| i as &(dyn StdError + 'static));
            continue;
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests;
