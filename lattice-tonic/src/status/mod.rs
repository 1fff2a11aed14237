//! Turns VPC Lattice's own (non-gRPC) answers and signing failures into gRPC
//! statuses.
//!
//! When Lattice refuses an RPC (a denied auth policy, an unknown service, a
//! throttled or unhealthy target) it answers as an HTTP proxy would: a status
//! such as `403` with a one-line `text/plain` body, not a gRPC response. tonic
//! on its own reports such an answer with a generic message derived from the
//! HTTP status. [`GrpcStatusLayer`] reads the first line of the body instead,
//! so that the RPC fails with, for a denial,
//! `Status { code: PermissionDenied, message: "AccessDeniedException: User: … is not authorized to perform: vpc-lattice-svcs:Invoke on resource: …" }`.
//!
//! A response is gRPC when its status is `200` and its content type starts
//! with `application/grpc`; it then passes through untouched, whatever
//! `grpc-status` it carries. Any other response becomes a [`Status`]:
//!
//! * code: 401 `Unauthenticated`, 403 `PermissionDenied`, 404
//!   `Unimplemented`, 429/502/503/504 `Unavailable`, anything else `Unknown`;
//! * message: the first line of the body (at most 4 KiB of it is read, for
//!   at most [`body_timeout`](GrpcStatusLayer::body_timeout)), or a
//!   description of the response when the body is empty;
//! * metadata: the response's headers (for example `x-amzn-requestid`);
//! * source: an [`Error::NotGrpc`] with the HTTP
//!   status and content type, and, when the body is one of Lattice's own
//!   answers, the parsed [`Refusal`] (see
//!   [`Error::refusal`]; a target's own `403` has none).
//!
//! A refusal is also recorded as `lattice.refusal.code` in the RPC's span
//! (see `lattice_client::trace`), which the signing layer leaves in the
//! extensions of a `4xx`/`5xx` answer.
//!
//! Errors of the wrapped service become statuses too: a signing or
//! credentials failure of [`lattice_tower::sign::SigV4Layer`] is a typed
//! [`crate::Error`] inside the status (see [`Error::code`](crate::Error::code)),
//! anything else is converted as tonic converts it.
//!
//! [`LatticeEndpoint`](crate::LatticeEndpoint) puts this layer in every
//! channel it builds. Use it directly when you assemble your own stack:
//!
//! ```
//! use lattice_client::{Credentials, Signer};
//! use lattice_tonic::status::GrpcStatusLayer;
//! use lattice_tower::sign::SigV4Layer;
//! use tower::ServiceBuilder;
//!
//! # fn wrap(channel: tonic::transport::Channel) -> Result<(), lattice_tonic::BoxError> {
//! let url = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
//! let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
//! let service = ServiceBuilder::new()
//!     .layer(GrpcStatusLayer::new())
//!     .layer(SigV4Layer::new(signer).with_origin(url.parse()?)?)
//!     .service(channel);
//! # let _ = service;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::BodyExt;
use lattice_client::Refusal;
use lattice_client::trace::RequestSpan;
use pin_project_lite::pin_project;
use tonic::Status;
use tonic::metadata::MetadataMap;
use tower_layer::Layer;
use tower_service::Service;

use crate::Error;
use crate::error::{BoxError, into_status};

/// At most this many bytes of a non-gRPC response body are read.
pub const MAX_ERROR_BODY: usize = 4 * 1024;

/// Default limit on the time spent reading a non-gRPC response body.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// A Tower layer that turns non-gRPC responses and service errors into gRPC
/// [`Status`]es; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct GrpcStatusLayer {
    body_timeout: Duration,
}

impl Default for GrpcStatusLayer {
    fn default() -> Self {
        Self {
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
    }
}

impl GrpcStatusLayer {
    /// A layer with the default body timeout (10 s).
    pub fn new() -> Self {
        Self::default()
    }

    /// How long to wait for the (at most 4 KiB) body of a non-gRPC response
    /// before reporting the status without it.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }
}

impl<S> Layer<S> for GrpcStatusLayer {
    type Service = GrpcStatusService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcStatusService {
            inner,
            body_timeout: self.body_timeout,
        }
    }
}

/// The service of [`GrpcStatusLayer`].
#[derive(Debug, Clone)]
pub struct GrpcStatusService<S> {
    inner: S,
    body_timeout: Duration,
}

impl<S> GrpcStatusService<S> {
    /// Wraps `inner` with the default body timeout.
    pub fn new(inner: S) -> Self {
        GrpcStatusLayer::new().layer(inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for GrpcStatusService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Error: Into<BoxError>,
    ResBody: Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
{
    type Response = Response<ResBody>;
    type Error = Status;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(|e| into_status(e.into()))
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        ResponseFuture {
            state: State::Waiting {
                future: self.inner.call(request),
            },
            body_timeout: self.body_timeout,
        }
    }
}

type Reading = Pin<Box<dyn Future<Output = Status> + Send>>;

pin_project! {
    /// The response future of [`GrpcStatusService`].
    ///
    /// # Panics
    ///
    /// When polled again after it returned its output, as futures may.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
        body_timeout: Duration,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Waiting { #[pin] future: F },
        // Reading the body of a non-gRPC response (rare: boxed).
        Reading { reading: Reading, _body: std::marker::PhantomData<fn() -> B> },
        // The output was returned.
        Done,
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: Into<BoxError>,
    B: Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response<B>, Status>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Waiting { future } => match ready!(future.poll(cx)) {
                    Err(e) => {
                        this.state.set(State::Done);
                        return Poll::Ready(Err(into_status(e.into())));
                    }
                    Ok(response) if is_grpc(&response) => {
                        this.state.set(State::Done);
                        return Poll::Ready(Ok(response));
                    }
                    Ok(response) => {
                        let reading = Box::pin(non_grpc_status(response, *this.body_timeout));
                        this.state.set(State::Reading {
                            reading,
                            _body: std::marker::PhantomData,
                        });
                    }
                },
                StateProj::Reading { reading, .. } => {
                    let status = ready!(reading.as_mut().poll(cx));
                    this.state.set(State::Done);
                    return Poll::Ready(Err(status));
                }
                StateProj::Done => panic!(
                    "`lattice_tonic::status::ResponseFuture` polled after it completed (a bug in the caller)"
                ),
            }
        }
    }
}

/// Whether `response` is a gRPC response: status 200 and a content type
/// starting with `application/grpc`.
pub fn is_grpc<B>(response: &Response<B>) -> bool {
    response.status() == StatusCode::OK
        && response
            .headers()
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
}

/// The status for a non-gRPC response (see the [module docs](self)): reads at
/// most [`MAX_ERROR_BODY`] bytes of the body, for at most `body_timeout`.
pub async fn non_grpc_status<B>(response: Response<B>, body_timeout: Duration) -> Status
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let (parts, body) = response.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let read = tokio::time::timeout(body_timeout, read_prefix(body, MAX_ERROR_BODY)).await;
    let refusal = match &read {
        Ok(Ok(bytes)) => Refusal::from_response(parts.status, &parts.headers, bytes),
        _ => None,
    };
    // The signing layer's span of this RPC, kept in the extensions of a
    // 4xx/5xx answer for this.
    if let (Some(refusal), Some(span)) = (&refusal, RequestSpan::from_extensions(&parts.extensions))
    {
        span.record_refusal(refusal);
    }
    let line = match (&refusal, &read) {
        (Some(refusal), _) => Some(refusal.line()),
        (None, Ok(Ok(bytes))) => first_line(bytes),
        _ => None,
    };
    let message = match line {
        Some(line) => line,
        None => {
            let why = match read {
                Ok(Ok(_)) => "an empty body".to_owned(),
                Ok(Err(e)) => format!("a body that could not be read ({e})"),
                Err(_) => format!("a body that did not arrive within {body_timeout:?}"),
            };
            format!(
                "HTTP {} ({}) with {why}: not a gRPC response",
                parts.status,
                content_type.as_deref().unwrap_or("no content type"),
            )
        }
    };
    tracing::debug!(
        status = %parts.status,
        %message,
        refusal_code = refusal.as_ref().map(Refusal::code),
        "non-gRPC response turned into a gRPC status"
    );
    let error = Error::NotGrpc {
        status: parts.status,
        content_type,
        message,
        refusal: refusal.map(Box::new),
    };
    let mut status = Status::with_metadata(
        error.code(),
        error.to_string(),
        MetadataMap::from_headers(parts.headers),
    );
    status.set_source(std::sync::Arc::new(error));
    status
}

/// Reads up to `limit` bytes of `body`, then stops (the rest is dropped).
async fn read_prefix<B>(body: B, limit: usize) -> Result<Bytes, BoxError>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut out = BytesMut::new();
    while out.len() < limit {
        let Some(frame) = body.frame().await else {
            break;
        };
        if let Ok(data) = frame.map_err(Into::into)?.into_data() {
            let take = data.len().min(limit - out.len());
            out.extend_from_slice(&data[..take]);
        }
    }
    Ok(out.freeze())
}

/// The first non-empty line of `bytes` as text, trimmed; `None` if there is
/// none.
fn first_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().filter(|c| !c.is_control()).collect())
}

#[cfg(test)]
mod tests;
