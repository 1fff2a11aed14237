//! Following redirects in our own loop: which hops are followed, and what a
//! hop keeps of the request (see the [module docs](super#redirects)).

use ::reqwest::header::{
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, HeaderMap, HeaderName, LOCATION,
    PROXY_AUTHORIZATION, TRANSFER_ENCODING, WWW_AUTHENTICATE,
};
use ::reqwest::{Method, Request, StatusCode, Url};
use http::Uri;

use super::sign::redacted;
use crate::sign::Signer;

/// Which redirects a [`LatticeClient`](super::LatticeClient) follows; see the
/// [module docs](super#redirects).
///
/// ```
/// use lattice_client::reqwest::RedirectPolicy;
///
/// assert_eq!(RedirectPolicy::default(), RedirectPolicy::none());
/// assert_eq!(RedirectPolicy::same_host(3).max_hops(), 3);
/// assert!(!RedirectPolicy::same_host(3).follows_other_hosts());
/// assert!(RedirectPolicy::cross_host(3).follows_other_hosts());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RedirectPolicy {
    max_hops: usize,
    cross_host: bool,
}

impl RedirectPolicy {
    /// Never follow: every `3xx` is returned to the caller (the default).
    pub const fn none() -> Self {
        Self {
            max_hops: 0,
            cross_host: false,
        }
    }

    /// Follow at most `max_hops` redirects whose `Location` is on the same
    /// host as the request (another port or `http` → `https` is allowed).
    pub const fn same_host(max_hops: usize) -> Self {
        Self {
            max_hops,
            cross_host: false,
        }
    }

    /// Follow at most `max_hops` redirects, also to another host the signer
    /// may sign for. On such a hop only [`CROSS_HOST_HEADERS`] (and, when
    /// the body is sent again, `content-type` and `content-encoding`) are
    /// kept: every other header of the request is dropped.
    pub const fn cross_host(max_hops: usize) -> Self {
        Self {
            max_hops,
            cross_host: true,
        }
    }

    /// The most redirects followed for one request.
    pub const fn max_hops(&self) -> usize {
        self.max_hops
    }

    /// Whether a redirect to another host may be followed.
    pub const fn follows_other_hosts(&self) -> bool {
        self.cross_host
    }
}

/// The headers a redirect to another host keeps (with
/// [`RedirectPolicy::cross_host`]); every other header is dropped.
/// `content-type` and `content-encoding` are kept too when the body is sent
/// again (307, 308).
pub const CROSS_HOST_HEADERS: &[&str] =
    &["accept", "accept-encoding", "accept-language", "user-agent"];

/// Headers that describe a body, kept on a hop to another host only when the
/// body is sent again.
const CROSS_HOST_BODY_HEADERS: &[&str] = &["content-type", "content-encoding"];

/// What is kept of a request so that a redirect can be followed: the head,
/// and the body when it can be replayed.
pub(super) struct Replay {
    pub(super) request: Request,
    body_replayable: bool,
}

impl Replay {
    /// Copies the request before it is signed and sent.
    pub(super) fn capture(request: &mut Request) -> Option<Self> {
        if let Some(copy) = request.try_clone() {
            return Some(Self {
                request: copy,
                body_replayable: true,
            });
        }
        // A streaming body: keep only the head (a 301/302/303 needs no body).
        let body = request.body_mut().take();
        let head = request.try_clone();
        *request.body_mut() = body;
        head.map(|request| Self {
            request,
            body_replayable: false,
        })
    }
}

/// The next request of a redirect chain, or `None` when the `3xx` (or any
/// other response) is to be returned as it is.
pub(super) fn next_hop(
    signer: &Signer,
    policy: RedirectPolicy,
    current: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    replay: Replay,
) -> Option<Request> {
    let keeps_method = match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER => false,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => true,
        _ => return None,
    };
    let refuse = |why: &'static str| {
        tracing::debug!(from = %redacted(current), status = status.as_u16(), why, "not following redirect");
        None
    };
    let Some(location) = headers.get(LOCATION) else {
        return refuse("no location header");
    };
    let Some(next) = std::str::from_utf8(location.as_bytes())
        .ok()
        .and_then(|l| current.join(l).ok())
    else {
        return refuse("location is not a URL");
    };
    if !matches!(next.scheme(), "http" | "https") {
        return refuse("location is not http or https");
    }
    if current.scheme() == "https" && next.scheme() == "http" {
        return refuse("location downgrades https to http");
    }
    if !next.username().is_empty() || next.password().is_some() {
        return refuse("location carries user information");
    }
    let same_host = current.host_str() == next.host_str();
    if !same_host && !policy.cross_host {
        return refuse("location is on another host; allow it with `RedirectPolicy::cross_host`");
    }
    match next.as_str().parse::<Uri>() {
        Ok(uri) if signer.may_sign(&uri) => {}
        _ => return refuse("the signer may not sign for the location's host"),
    }
    let Replay {
        mut request,
        body_replayable,
    } = replay;
    if keeps_method {
        if !body_replayable {
            return refuse("the body is a stream and cannot be sent again");
        }
    } else {
        *request.body_mut() = None;
        for name in [
            TRANSFER_ENCODING,
            CONTENT_TYPE,
            CONTENT_LENGTH,
            CONTENT_ENCODING,
        ] {
            request.headers_mut().remove(name);
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            *request.method_mut() = Method::GET;
        }
    }
    let headers = request.headers_mut();
    let stale: Vec<HeaderName> = headers
        .keys()
        .filter(|n| n.as_str() == "authorization" || n.as_str().starts_with("x-amz-"))
        .cloned()
        .collect();
    for name in stale {
        headers.remove(name);
    }
    let same_origin = same_host
        && current.scheme() == next.scheme()
        && current.port_or_known_default() == next.port_or_known_default();
    if !same_host {
        let dropped: Vec<HeaderName> = headers
            .keys()
            .filter(|n| {
                let kept = CROSS_HOST_HEADERS.contains(&n.as_str())
                    || (keeps_method && CROSS_HOST_BODY_HEADERS.contains(&n.as_str()));
                !kept
            })
            .cloned()
            .collect();
        for name in dropped {
            headers.remove(name);
        }
    } else if !same_origin {
        for name in [COOKIE, PROXY_AUTHORIZATION, WWW_AUTHENTICATE, HOST] {
            headers.remove(name);
        }
        headers.remove("cookie2");
    }
    *request.url_mut() = next;
    Some(request)
}
