//! SigV4 signing middleware for VPC Lattice.
//!
//! [`SigV4Layer`] wraps a service whose requests carry absolute URIs (a
//! hyper-util client) and signs every request with a
//! [`Signer`](lattice_client::Signer) before passing it on. For services that
//! receive path-only URIs, such as a tonic `Channel`,
//! [`SigV4Layer::with_origin`] fills in scheme and authority first, so that
//! the signed `host` is the authority that goes on the wire.
//!
//! ```
//! use std::time::Duration;
//! use lattice_client::{Credentials, Signer};
//! use lattice_tower::sign::SigV4Layer;
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
//! let transport = service_fn(|req: http::Request<String>| async move {
//!     Ok::<_, std::convert::Infallible>(http::Response::new(req.uri().to_string()))
//! });
//! let service = ServiceBuilder::new()
//!     // Outside the signer: every retry is signed afresh.
//!     .timeout(Duration::from_secs(10))
//!     .layer(
//!         SigV4Layer::new(signer).with_origin(
//!             "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws"
//!                 .parse()?,
//!         )?,
//!     )
//!     .service(transport);
//! let response = service
//!     .oneshot(http::Request::post("/orders.Orders/Get").body(String::new())?)
//!     .await?;
//! assert!(response.body().starts_with("https://orders-"));
//! # Ok(())
//! # }
//! ```
//!
//! # Where it sits
//!
//! Retries and redirects must go *outside* the signer (listed before it in a
//! `ServiceBuilder`), so that every attempt is signed again with a fresh
//! `x-amz-date` — the signer removes the previous attempt's `authorization`,
//! `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` and
//! `x-amz-region-set` first. Anything that changes the URI or signed headers
//! must also run before the signer.
//!
//! With tracing and retries the order, outermost first, is:
//!
//! ```text
//! ServiceBuilder::new()
//!     .layer(tower_http::trace::TraceLayer::new_for_http())  // one span per call
//!     .retry(policy)                                          // attempts
//!     .layer(SigV4Layer::new(signer))                         // signs each attempt; one `lattice` span each
//!     .service(transport)
//! ```
//!
//! The same holds for reqwest-middleware: `TracingMiddleware` (reqwest-tracing),
//! then `RetryTransientMiddleware` (reqwest-retry), then
//! `lattice_client::reqwest::SigV4Middleware` last. The `layer-order` example
//! (`cargo run --example layer-order`) runs both stacks against the fake
//! Lattice, each call retried once, every attempt signed and verified.
//!
//! # Spans
//!
//! Each request gets one `tracing` span, target `lattice`, level `INFO`,
//! opened before signing and entered while the wrapped service is polled:
//! method, path and the gRPC service and method at the start; the signed
//! host and port, the region and the algorithm after signing; the status
//! code when the response head arrives. The field names and what is recorded
//! when are in [`lattice_client::trace`]. Lattice's refusal code needs the
//! body, which this layer never reads: for a `4xx`/`5xx` (while the span is
//! enabled) the span is put into the response's extensions as a
//! [`RequestSpan`](lattice_client::trace::RequestSpan), open until the
//! response is dropped, for whoever parses the body to record it
//! (`lattice-tonic`'s status layer does):
//!
//! ```
//! # async fn check(response: http::Response<String>) {
//! use lattice_client::Refusal;
//! use lattice_client::trace::RequestSpan;
//!
//! let (parts, body) = response.into_parts();
//! if let Some(refusal) = Refusal::from_response(parts.status, &parts.headers, body.as_bytes())
//!     && let Some(span) = RequestSpan::from_extensions(&parts.extensions)
//! {
//!     span.record_refusal(&refusal);
//! }
//! # }
//! ```
//!
//! # `poll_ready` and credentials
//!
//! `poll_ready` is the wrapped service's. Credentials are taken in `call`:
//! when the cache holds usable credentials (the common case, including inside
//! the refresh window while a background refresh runs), the request is signed
//! synchronously and the wrapped service is called at once. When the cache
//! must wait for the provider (first use, or after expiry), `call` takes the
//! service that was driven ready, leaves a clone in its place (Tower's
//! recommended pattern; hence `S: Clone`), and the response future awaits the
//! shared refresh, signs, then calls the ready service. A credentials error
//! fails that request only; the next request asks the provider again.
//!
//! The body is never touched, so streaming request bodies stay streaming.

mod future;
mod layer;
mod service;
#[cfg(test)]
mod tests;

pub use future::ResponseFuture;
pub use layer::SigV4Layer;
pub use service::SigV4Service;
