//! Typed events for Lambda functions behind a VPC Lattice target group.
//!
//! Lattice invokes a Lambda target with one of two event shapes, chosen per
//! target group (`lambdaEventStructureVersion`):
//!
//! * [`V1Event`]: snake_case keys, one string per header
//!   (repeats joined with `", "`), the last value of each query key;
//! * [`V2Event`]: camelCase keys, `version: "2.0"`, arrays of
//!   header and query values, and a typed `requestContext` with the caller's
//!   identity.
//!
//! [`LatticeEvent::from_slice`] detects the version and parses leniently (see
//! [`LatticeEvent`]); [`LatticeEvent::into_http_request`] turns either shape
//! into an `http::Request<`[`Body`]`>` whose extensions hold the
//! [`CallerIdentity`](crate::identity::CallerIdentity) (V1: from its `x-amzn-lattice-*` headers, V2: from
//! `requestContext`), the V2 request context and the [`EventVersion`]. A
//! handler's `http::Response` goes back through
//! [`LatticeResponse::from_http_response`](convert::LatticeResponse::from_http_response).
//!
//! ```
//! use lattice_client::lambda::{LatticeEvent, LatticeRequestExt, LatticeResponse, ResponseOptions};
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! let json = br#"{"version":"2.0","path":"/hello?name=a%20b","method":"GET",
//!   "headers":{"host":["svc-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws"]},
//!   "queryStringParameters":{"name":["a b"]},"isBase64Encoded":false,
//!   "requestContext":{"identity":{"principal":"arn:aws:sts::123456789012:assumed-role/r/s"},
//!   "region":"us-east-2","timeEpoch":"1724875399456789"}}"#;
//! let request = LatticeEvent::from_slice(json)?.into_http_request()?;
//! assert_eq!(request.uri().query(), Some("name=a%20b"));
//! let caller = request.caller_identity().expect("V2 events carry the identity");
//! assert_eq!(caller.principal_account(), Some("123456789012"));
//!
//! let response = http::Response::builder()
//!     .header("content-type", "text/plain")
//!     .body(http_body_util::Full::new(bytes::Bytes::from("hi")))?;
//! let out = block_on(LatticeResponse::from_http_response(response, &ResponseOptions::default()));
//! assert_eq!(out.body.as_deref(), Some("hi"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To serve a whole app (an axum `Router`, any `tower::Service`) as a Lambda
//! target, pass it to [`run()`]; [`Adapter`] is the same thing as a plain Tower
//! service over event JSON, for tests and local runs.
//!
//! # Rules chosen here
//!
//! * **V1 list headers.** V1 joins repeated headers with `", "`, which cannot be
//!   told apart from one value that contains a comma (dates, user agents,
//!   cookies). Only the headers in [`V1_LIST_HEADERS`] — fields whose syntax
//!   is a comma-separated list and whose elements hold commas only inside
//!   quoted strings — are split back into several values (quote-aware, empty
//!   elements dropped). Every other header stays one value, which is always
//!   correct HTTP: a list header may legally be sent joined.
//! * **Response headers.** Repeated response headers are joined with `", "`
//!   into the single string Lattice documents. `Set-Cookie` cannot be joined
//!   without loss; [`SetCookiePolicy`] chooses (default
//!   [`SetCookiePolicy::Join`], what Powertools does; assumed whether
//!   Lattice splits it again).
//! * **Bodies.** A body is sent as text when its content type is `text/*`,
//!   `application/json`, `application/xml` or `application/javascript`
//!   (parameters ignored) **and** it is valid UTF-8; otherwise it is Base64.
//!   This follows the documented request rule; compressed text fails the
//!   UTF-8 test and so is Base64, as it must be.
//! * **Size.** A response's serialised JSON may not exceed
//!   [`ResponseOptions::max_json_bytes`] (6 MiB by default); the body is
//!   collected only up to the budget that fits and an oversize response
//!   becomes a short 500.
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod body;
pub mod convert;
mod event;
#[cfg(feature = "lambda-http")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda-http")))]
pub mod http_bridge;
mod maps;
mod request;
mod response;
pub mod run;
pub mod v1;
pub mod v2;

pub use body::{Body, is_text_content_type};
use event::RawEvent;
pub use event::{EventError, EventVersion, LatticeEvent};
/// The Lambda runtime [`run()`] is built on, re-exported for its `Context` (in
/// each request's extensions) and `Error` types.
pub use lambda_runtime;
pub use maps::{MultiValueMap, SingleValueMap};
pub(crate) use maps::{Scalar, lenient_opt_bool};
pub use request::{LatticeRequestExt, V1_LIST_HEADERS};
pub use response::{
    DEFAULT_MAX_JSON_BYTES, LatticeResponse, ResponseError, ResponseOptions, SetCookiePolicy,
    collect_limited,
};
pub use run::{Adapter, RunError, run, run_concurrent};
pub use v1::V1Event;
pub use v2::{TimeEpoch, V2Event, V2Identity, V2RequestContext};
