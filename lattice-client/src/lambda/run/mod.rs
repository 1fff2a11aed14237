//! Serve a Tower service (an axum `Router`, a `tower::service_fn`, …) as a
//! Lattice Lambda target, like `lambda_http::run`.
//!
//! [`run`] starts [`lambda_runtime`] with an [`Adapter`] around your service.
//! For each invocation the adapter
//!
//! 1. parses the event, detecting V1 or V2 ([`LatticeEvent`]);
//! 2. turns it into an `http::Request<`[`Body`]`>` (identity, request context,
//!    event version and the invocation's [`lambda_runtime::Context`] in its
//!    extensions; see [`LatticeRequestExt`](super::LatticeRequestExt)), with
//!    the invocation's X-Ray trace id in [`x-amzn-trace-id`](TRACE_ID_HEADER)
//!    unless the event already has that header;
//! 3. calls your service and converts its `http::Response` into the JSON
//!    Lattice expects ([`LatticeResponse::from_http_response`]).
//!
//! [`run_concurrent`] does the same for Lambda Managed Instances, serving
//! several invocations at once on clones of the service.
//!
//! # The Lambda context in a handler
//!
//! The [`lambda_runtime::Context`] (request id, deadline, X-Ray trace id,
//! function ARN, …) is a request extension, so an axum handler takes it
//! with `Extension<lambda_runtime::Context>` and a Tower service with
//! `req.extensions().get::<lambda_runtime::Context>()`. It is there only
//! when the runtime delivered the event (not when [`Adapter`] is called with
//! bare event JSON).
//!
//! # Errors become responses, not failed invocations
//!
//! * An error returned by your service becomes a `500` response with the
//!   short text body `Internal Server Error` (the error is logged with
//!   `tracing` at `error` level, never sent to the client).
//! * A response that cannot be converted (too large for the 6 MB limit, a body
//!   that fails while being read) becomes a short `500` too.
//! * An event that is not a Lattice event, or that cannot be an HTTP request
//!   (invalid method, header, path or Base64 body, malformed identity
//!   headers), **fails the invocation** with [`RunError::Event`]: Lattice never
//!   sends one, so it means a misconfigured trigger or a hand-written test
//!   event, which the invoker should see.
//!
//! # Testing without the Lambda runtime API
//!
//! [`Adapter`] is also a plain Tower service over the event itself —
//! `Service<`[`serde_json::Value`]`>` (event JSON in, response JSON out) and
//! `Service<`[`LatticeEvent`]`>` (typed) — so a whole app can be driven with
//! fixture events in a unit test:
//!
//! ```
//! use lattice_client::lambda::{Adapter, Body};
//! use tower::{ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = service_fn(|req: http::Request<Body>| async move {
//!     let text = format!("{} {}", req.method(), req.uri().path());
//!     Ok::<_, std::convert::Infallible>(
//!         http::Response::builder()
//!             .header("content-type", "text/plain")
//!             .body(Body::from(text))
//!             .expect("valid response"),
//!     )
//! });
//! let event = serde_json::json!({
//!     "raw_path": "/hello?x=1", "method": "GET",
//!     "headers": {"host": "example.internal"},
//!     "query_string_parameters": {"x": "1"}, "is_base64_encoded": false
//! });
//! let response: serde_json::Value = Adapter::new(app).oneshot(event).await?;
//! assert_eq!(response["statusCode"], 200);
//! assert_eq!(response["body"], "GET /hello");
//! # Ok(())
//! # }
//! ```

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::Value;
use tower_service::Service;

use super::{Body, EventError, LatticeEvent, LatticeResponse, ResponseOptions};
use crate::BoxError;

/// The header that carries the invocation's X-Ray trace id into the request.
pub const TRACE_ID_HEADER: http::HeaderName = http::HeaderName::from_static("x-amzn-trace-id");

/// The body of the `500` response that stands in for a service error.
pub const SERVICE_ERROR_BODY: &str = "Internal Server Error";

/// Why an invocation failed. Errors of the service itself never fail an
/// invocation: they become `500` responses (see the [module docs](self)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A Lambda event is not a Lattice event or cannot be an HTTP request
    /// (the invoker: a misconfigured trigger or a hand-written test event).
    #[error(transparent)]
    Event(#[from] EventError),
    /// A Lambda response could not be converted (the handler's response, for
    /// example over the 6 MB limit).
    #[error(transparent)]
    Response(#[from] super::ResponseError),
    /// The service behind the Lambda target is no longer able to serve
    /// (`poll_ready` failed).
    #[error("the Lambda target's service cannot serve")]
    ServiceNotReady(#[source] BoxError),
}

/// Starts the Lambda runtime and serves every invocation with `service`,
/// as a VPC Lattice target (V1 or V2 events, detected per event).
///
/// Errors from `service` become `500` responses; see the
/// [module docs](self) for every rule.
///
/// ```no_run
/// use lattice_client::lambda::{Body, LatticeRequestExt};
/// use tower::service_fn;
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     lattice_client::lambda::run(service_fn(|req: http::Request<Body>| async move {
///         let who = req
///             .caller_identity()
///             .and_then(|c| c.principal.clone())
///             .unwrap_or_else(|| "anonymous".to_owned());
///         Ok::<_, std::convert::Infallible>(http::Response::new(Body::from(who)))
///     }))
///     .await
/// }
/// ```
///
/// # Errors
///
/// When the runtime itself fails (the Lambda runtime API is unreachable).
///
/// # Panics
///
/// As [`lambda_runtime::run`]: when the Lambda environment variables
/// (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_RUNTIME_API`, …) are missing,
/// that is, when not running inside Lambda. Use [`Adapter`] directly to run
/// the service elsewhere.
pub async fn run<S, B>(service: S) -> Result<(), lambda_runtime::Error>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    lambda_runtime::run(Adapter::new(service)).await
}

/// [`run`] for Lambda Managed Instances: several invocations at once, on
/// clones of `service` (the counterpart of `lambda_http::run_concurrent`).
///
/// When `AWS_LAMBDA_MAX_CONCURRENCY` is greater than 1, the runtime polls for
/// that many invocations at once, each on its own Tokio task with its own
/// clone of the service; otherwise it serves one at a time, as [`run`] does,
/// so the same function runs on classic Lambda too. Every rule of [`run`]
/// applies (see the [module docs](self)). State shared between invocations
/// must be shared through the clones (an `Arc`), as with any Tower service
/// an HTTP server clones per connection; an axum `Router` already is.
///
/// ```no_run
/// use lattice_client::lambda::{Body, LatticeRequestExt};
/// use tower::service_fn;
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     // `service_fn` of a closure without captures is `Clone`.
///     let app = service_fn(|req: http::Request<Body>| async move {
///         let who = req
///             .caller_identity()
///             .and_then(|c| c.principal.clone())
///             .unwrap_or_default();
///         Ok::<_, std::convert::Infallible>(http::Response::new(Body::from(who)))
///     });
///     lattice_client::lambda::run_concurrent(app).await
/// }
/// ```
///
/// # Errors
///
/// When the runtime itself fails (the Lambda runtime API is unreachable).
///
/// # Panics
///
/// As [`lambda_runtime::run_concurrent`]: outside a Tokio runtime, or when
/// the Lambda environment variables are missing (not running inside Lambda).
pub async fn run_concurrent<S, B>(service: S) -> Result<(), lambda_runtime::Error>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    lambda_runtime::run_concurrent(Adapter::new(service)).await
}

/// A Tower service (your HTTP app) seen as a Lattice Lambda handler.
///
/// It implements `Service<LambdaEvent<LatticeEvent>>` for [`lambda_runtime`],
/// and `Service<LatticeEvent>` and `Service<serde_json::Value>` for tests and
/// local runs. Created by [`run`], or with [`Adapter::new`].
#[derive(Clone)]
pub struct Adapter<S> {
    service: S,
    options: Arc<ResponseOptions>,
}

impl<S> fmt::Debug for Adapter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adapter")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<S> Adapter<S> {
    /// Wraps `service` with the default [`ResponseOptions`].
    pub fn new(service: S) -> Self {
        Self {
            service,
            options: Arc::new(ResponseOptions::default()),
        }
    }

    /// Sets the response options (size limit, `Set-Cookie` policy).
    pub fn with_options(mut self, options: ResponseOptions) -> Self {
        self.options = Arc::new(options);
        self
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.service
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.service
    }
}

/// The future of every [`Adapter`] service.
pub type AdapterFuture<T> = Pin<Box<dyn Future<Output = Result<T, RunError>> + Send>>;

impl<S, B> Adapter<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    /// Converts `event` and calls the service (which must be ready).
    fn handle(
        &mut self,
        event: LatticeEvent,
        context: Option<lambda_runtime::Context>,
    ) -> AdapterFuture<LatticeResponse> {
        let mut request = match event.into_http_request() {
            Ok(r) => r,
            Err(e) => return Box::pin(std::future::ready(Err(RunError::Event(e)))),
        };
        if let Some(context) = context {
            add_invocation(&mut request, context);
        }
        let call = self.service.call(request);
        let options = Arc::clone(&self.options);
        Box::pin(async move {
            let result: Result<_, Box<dyn StdError + Send + Sync>> = call.await.map_err(Into::into);
            match result {
                Ok(response) => Ok(LatticeResponse::from_http_response(response, &options).await),
                Err(e) => {
                    tracing::error!(error = %e, "the service failed; answering 500");
                    Ok(LatticeResponse::text(500, SERVICE_ERROR_BODY))
                }
            }
        })
    }
}

impl<S, B> Service<LatticeEvent> for Adapter<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = LatticeResponse;
    type Error = RunError;
    type Future = AdapterFuture<LatticeResponse>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), RunError>> {
        poll_inner(&mut self.service, cx)
    }

    fn call(&mut self, event: LatticeEvent) -> Self::Future {
        self.handle(event, None)
    }
}

impl<S, B> Service<Value> for Adapter<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Value;
    type Error = RunError;
    type Future = AdapterFuture<Value>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), RunError>> {
        poll_inner(&mut self.service, cx)
    }

    fn call(&mut self, event: Value) -> Self::Future {
        let event = match serde_json::from_value::<LatticeEvent>(event) {
            Ok(e) => e,
            Err(e) => {
                return Box::pin(std::future::ready(Err(RunError::Event(EventError::Json(
                    e,
                )))));
            }
        };
        let fut = self.handle(event, None);
        Box::pin(async move {
            let response = fut.await?;
            serde_json::to_value(&response).map_err(|e| RunError::Response(e.into()))
        })
    }
}

impl<S, B> Service<LambdaEvent<LatticeEvent>> for Adapter<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = LatticeResponse;
    type Error = RunError;
    type Future = AdapterFuture<LatticeResponse>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), RunError>> {
        poll_inner(&mut self.service, cx)
    }

    fn call(&mut self, event: LambdaEvent<LatticeEvent>) -> Self::Future {
        self.handle(event.payload, Some(event.context))
    }
}

/// What the handler sees of the invocation: the X-Ray trace id as
/// `x-amzn-trace-id` (unless the event already carried one, or the id is
/// not a valid header value), and the [`lambda_runtime::Context`] itself in
/// the extensions.
fn add_invocation(request: &mut http::Request<Body>, context: lambda_runtime::Context) {
    if let Some(trace_id) = context.xray_trace_id.as_deref()
        && !request.headers().contains_key(&TRACE_ID_HEADER)
        && let Ok(value) = http::HeaderValue::from_str(trace_id)
    {
        request.headers_mut().insert(TRACE_ID_HEADER, value);
    }
    request.extensions_mut().insert(context);
}

/// Polls the inner service; its error (which only a service that can never
/// serve again returns from `poll_ready`) fails the invocation.
fn poll_inner<S, R>(service: &mut S, cx: &mut Context<'_>) -> Poll<Result<(), RunError>>
where
    S: Service<R>,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    service
        .poll_ready(cx)
        .map_err(|e| RunError::ServiceNotReady(e.into()))
}

impl From<RunError> for Diagnostic {
    fn from(error: RunError) -> Self {
        let error_type = match &error {
            RunError::Event(_) => "Lattice.InvalidEvent",
            RunError::Response(_) => "Lattice.InvalidResponse",
            RunError::ServiceNotReady(_) => "Lattice.ServiceNotReady",
        };
        Diagnostic {
            error_type: error_type.to_owned(),
            error_message: error.to_string(),
        }
    }
}

#[cfg(test)]
#[expect(clippy::indexing_slicing)]
mod tests;
