//! Tests of the retry rule.

use super::*;

#[test]
fn methods() {
    for m in [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::DELETE,
        Method::OPTIONS,
    ] {
        assert!(is_idempotent(&m), "{m}");
    }
    for m in [Method::POST, Method::PATCH, Method::CONNECT] {
        assert!(!is_idempotent(&m), "{m}");
    }
}

#[test]
fn local_h2_errors_are_not_retried_and_resets_follow_the_method() {
    let goaway = h2::Error::from(h2::Reason::NO_ERROR);
    // Built locally, not sent by the peer: not retried.
    assert!(!is_retryable(&Method::POST, &goaway));
    let wrapped = std::io::Error::other(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
    assert!(is_retryable(&Method::GET, &wrapped));
    assert!(!is_retryable(&Method::POST, &wrapped));
}
