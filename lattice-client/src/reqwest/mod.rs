//! A signing [`reqwest`] client for VPC Lattice, and a
//! [`reqwest_middleware`] middleware.
//!
//! [`LatticeClient`] wraps a `reqwest::Client` and a [`Signer`](crate::Signer): every request
//! it sends is signed for `vpc-lattice-svcs` just before it goes out, with the
//! request builder feel of reqwest.
//!
//! ```
//! use lattice_client::reqwest::LatticeClient;
//! use lattice_client::{Credentials, Signer};
//!
//! # fn main() -> Result<(), lattice_client::reqwest::Error> {
//! let signer = Signer::builder()
//!     .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None, None, "example"))
//!     .build()?;
//! let client = LatticeClient::builder(signer).build()?;
//! let request = client
//!     .post("https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders")
//!     .header("content-type", "application/json")
//!     .body(r#"{"item":42}"#)
//!     .build()?;
//! assert_eq!(request.method(), "POST");
//! // `client.execute(request).await?` (or `.send().await?` on the builder)
//! // signs it and sends it.
//! # Ok(())
//! # }
//! ```
//!
//! # Signing never touches the body
//!
//! A `reqwest::Request` is split into its head ([`http::request::Parts`]) and
//! its body; only the head is signed (with `x-amz-content-sha256:
//! UNSIGNED-PAYLOAD`), then the two are put back together. Streaming bodies
//! ([`reqwest::Body::wrap_stream`](::reqwest::Body::wrap_stream)) stay
//! streaming: nothing is buffered or polled before the request is sent.
//!
//! The signer normalises the URL authority (lower-case host, no trailing dot,
//! no default port) and signs exactly that as `host`; the normalised authority
//! is written back into the URL, so the `Host` header (HTTP/1.1) or
//! `:authority` (HTTP/2) that goes out is what was signed.
//!
//! # Lattice's refusals
//!
//! [`RefusalExt::refusal`] tells a `403` written by Lattice (a bad signature,
//! an auth policy that denies) from your target's own `403`, and gives the
//! response back with its body intact.
//!
//! # Redirects
//!
//! reqwest follows redirects inside its own loop, where neither a
//! [`redirect::Policy`](::reqwest::redirect::Policy) nor a middleware can
//! change headers, and on a hop to another host it keeps
//! `x-amz-security-token` (it only strips `authorization`, cookies and
//! `proxy-authorization`). A session token could thus reach a host the signer
//! would never sign for. So the `reqwest::Client` inside [`LatticeClient`]
//! never follows redirects (`redirect::Policy::none()`).
//!
//! Following is opt-in, with [`LatticeClientBuilder::redirect`] (or its
//! shorthand [`LatticeClientBuilder::follow_redirects`]), in a loop of our
//! own. A [`RedirectPolicy`] says how many hops to follow and whether a hop
//! may leave the host: [`RedirectPolicy::same_host`] (what
//! `follow_redirects` gives) never follows a `Location` on another host;
//! [`RedirectPolicy::cross_host`] does, for hosts the signer may sign for,
//! and sends only a short allow-list of headers there. A `3xx` response is
//! returned as it is, unfollowed, unless all of these hold:
//!
//! * fewer than `max_hops` redirects were followed for this request;
//! * the status is 301, 302, 303, 307 or 308 and the response has a
//!   `Location` (relative locations are resolved against the current URL);
//! * the new URL is `http` or `https`, carries no user information and is not
//!   a downgrade from `https` to `http`;
//! * the new URL is on the same host (the port may differ), or the policy is
//!   [`cross_host`](RedirectPolicy::cross_host);
//! * [`Signer::may_sign`](crate::Signer::may_sign) accepts the new URL (a generated Lattice name, a
//!   registered custom domain, or any host under
//!   [`sign_any_host`](crate::SignerBuilder::sign_any_host));
//! * for 307 and 308, which keep the method and the body, the body can be
//!   replayed ([`reqwest::Request::try_clone`](::reqwest::Request::try_clone)
//!   returns `Some`); a streaming body is never re-sent. 301, 302 and 303 turn
//!   any method but `GET`/`HEAD` into `GET` and drop the body and its
//!   `content-*` headers, as browsers and reqwest do.
//!
//! Each hop is signed again from scratch: `authorization` and every `x-amz-*`
//! header are removed first. On a hop to another port or scheme of the same
//! host, `cookie`, `cookie2`, `proxy-authorization`, `www-authenticate` and
//! any `host` header are removed too. On a hop to another host every header
//! is removed except [`CROSS_HOST_HEADERS`] (`accept`, `accept-encoding`,
//! `accept-language`, `user-agent`) and, when the body is sent again (307,
//! 308), `content-type` and `content-encoding`: an API key, a tenant header
//! or a cookie meant for one service never reaches another.
//!
//! # Connections, retries and timeouts
//!
//! VPC Lattice closes a connection after 60 s idle and at its 10-minute
//! lifetime. The client keeps idle pooled connections for
//! [`DEFAULT_POOL_IDLE_TIMEOUT`] (50 s), so it does not pick a connection
//! Lattice is closing, and sends a request once more, on another
//! connection, when the connection closed under it before a response
//! arrived: a request never processed, whatever its method, or an idempotent
//! one (`GET`, `HEAD`, `PUT`, `DELETE`, …) whose body is in memory
//! ([`crate::retry`] has the rule; [`LatticeClientBuilder::retry_closed_connections`]
//! turns it off). Responses are never retried, `5xx` included: put a retry
//! policy of your own (reqwest-retry, tower's `retry`) in front for those.
//! Connections time out after 10 s ([`LatticeClientBuilder::connect_timeout`]);
//! there is no total timeout unless you set one
//! ([`LatticeClientBuilder::timeout`]), since bodies stream.
//!
//! # Environment configuration
//!
//! [`LatticeClientBuilder::with_env`] reads `LATTICE_RESOLVE` and
//! `AWS_CA_BUNDLE` (see [`crate::env`]): how an application reaches the fake
//! Lattice without code changes.
//!
//! # Middleware
//!
//! [`SigV4Middleware`] signs each request of a
//! [`reqwest_middleware::ClientWithMiddleware`]. It cannot follow redirects
//! safely (see above), so the inner `reqwest::Client` must be built with
//! `redirect::Policy::none()`; [`LatticeClient::reqwest_client`] is such a
//! client.

mod client;
mod error;
mod middleware;
mod redirect;
mod refusal;
mod request;
mod sign;

pub use client::{
    DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_USER_AGENT, LatticeClient, LatticeClientBuilder,
};
pub use error::Error;
pub use middleware::SigV4Middleware;
pub use redirect::{CROSS_HOST_HEADERS, RedirectPolicy};
pub use refusal::RefusalExt;
pub use request::LatticeRequestBuilder;
pub use sign::sign_request;

#[cfg(test)]
mod tests;
