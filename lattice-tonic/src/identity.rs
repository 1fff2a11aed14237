//! The caller identity of RPCs that VPC Lattice forwards to a tonic server.
//!
//! Lattice strips the `x-amzn-lattice-identity`, `-identity-tags`,
//! `-network`, `-target` and `x-amzn-source-vpc` headers from what clients
//! send and sets them itself, so a target can trust them. To a tonic handler
//! they are request metadata. [`CallerIdentityLayer`] parses them once per
//! RPC into a typed [`CallerIdentity`] — the same value the HTTP layer of
//! `lattice-tower` and the Lambda adapter of `lattice-client` produce — and
//! puts it into the request's extensions; handlers read it with
//! [`caller_identity`] or [`RequestExt::caller_identity`].
//!
//! ```
//! use lattice_tonic::identity::{CallerIdentityLayer, RequestExt};
//! use tonic::{Request, Status};
//!
//! // In a handler of a tonic-generated service trait:
//! fn who_called<T>(request: &Request<T>) -> Result<String, Status> {
//!     let caller = request.authenticated_caller()?;
//!     Ok(caller.principal.clone().unwrap_or_default())
//! }
//!
//! // When building the server:
//! let server = tonic::transport::Server::builder().layer(CallerIdentityLayer::new());
//! // server.add_service(MyServiceServer::new(handler)).serve(addr).await?;
//! # let _ = server;
//! # assert!(who_called(&Request::new(())).is_err());
//! ```
//!
//! # Anonymous and malformed
//!
//! * **No identity metadata** (none of the five headers): nothing is
//!   inserted and [`caller_identity`] is `None`: the RPC did not come through
//!   Lattice. An unsigned caller that did come through Lattice gets an
//!   identity whose [`is_anonymous`](CallerIdentity::is_anonymous) is true.
//! * **Malformed identity metadata** (a header repeated, not UTF-8, an item
//!   without `=`, two values for one field; see [`IdentityError`]): the layer
//!   **fails the RPC with `INVALID_ARGUMENT`**, as a proper gRPC response
//!   (HTTP 200, `grpc-status: 3`), without calling the service, and logs the
//!   reason at `warn` level. Lattice never sends such metadata, so the RPC
//!   did not come through Lattice unchanged; treating it as anonymous would
//!   hide a forged or broken identity from handlers that only look for a
//!   principal. This mirrors the `400 Bad Request` of
//!   [`lattice_tower::identity::CallerIdentityLayer`], which would not be a
//!   valid gRPC answer. The status message names the header and the
//!   problem, never a whole header value.
//!
//! # Where it sits
//!
//! As a layer of the tonic server (`Server::builder().layer(…)`), or around
//! one service; it reads only headers and never touches the body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

pub use lattice_client::identity::{CallerIdentity, IdentityError};

/// Parses VPC Lattice's caller identity metadata into a [`CallerIdentity`]
/// request extension; see the [module docs](self).
#[derive(Debug, Clone, Default)]
pub struct CallerIdentityLayer {
    _private: (),
}

impl CallerIdentityLayer {
    /// A new layer.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<S> Layer<S> for CallerIdentityLayer {
    type Service = CallerIdentityService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallerIdentityService { inner }
    }
}

/// The service of [`CallerIdentityLayer`].
#[derive(Debug, Clone)]
pub struct CallerIdentityService<S> {
    inner: S,
}

impl<S> CallerIdentityService<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CallerIdentityService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        match CallerIdentity::from_headers(request.headers()) {
            Ok(Some(identity)) => {
                request.extensions_mut().insert(identity);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, path = request.uri().path(), "rejecting an RPC with malformed VPC Lattice identity metadata");
                let status = tonic::Status::invalid_argument(format!(
                    "malformed VPC Lattice caller identity metadata: {error}"
                ));
                return ResponseFuture {
                    state: State::Rejected {
                        response: Some(status.into_http()),
                    },
                };
            }
        }
        ResponseFuture {
            state: State::Called {
                future: self.inner.call(request),
            },
        }
    }
}

pin_project! {
    /// The response future of [`CallerIdentityService`].
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Called { #[pin] future: F },
        Rejected { response: Option<Response<B>> },
    }
}

impl<F, B> std::fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Called { future } => future.poll(cx),
            StateProj::Rejected { response } => {
                Poll::Ready(Ok(response.take().unwrap_or_else(|| {
                    // Polled again after completion: answer the same status.
                    tonic::Status::invalid_argument(
                        "malformed VPC Lattice caller identity metadata",
                    )
                    .into_http()
                })))
            }
        }
    }
}

/// The caller identity [`CallerIdentityLayer`] put into `request`'s
/// extensions; `None` when the RPC carried no Lattice identity metadata or
/// the layer is not installed.
pub fn caller_identity<T>(request: &tonic::Request<T>) -> Option<&CallerIdentity> {
    request.extensions().get::<CallerIdentity>()
}

/// [`caller_identity`] as a method of [`tonic::Request`].
pub trait RequestExt {
    /// The caller identity [`CallerIdentityLayer`] put into the request's
    /// extensions; `None` when the RPC carried no Lattice identity metadata
    /// or the layer is not installed.
    fn caller_identity(&self) -> Option<&CallerIdentity>;

    /// The caller identity of an authenticated (SigV4-signed) caller.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED` when there is no identity or the caller is
    /// anonymous.
    fn authenticated_caller(&self) -> Result<&CallerIdentity, tonic::Status> {
        self.caller_identity()
            .filter(|c| !c.is_anonymous())
            .ok_or_else(|| {
                tonic::Status::unauthenticated(
                    "this RPC requires a caller authenticated by VPC Lattice (a SigV4-signed request)",
                )
            })
    }
}

impl<T> RequestExt for tonic::Request<T> {
    fn caller_identity(&self) -> Option<&CallerIdentity> {
        caller_identity(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::{ServiceBuilder, ServiceExt, service_fn};

    async fn call(headers: &[(&str, &str)]) -> Response<String> {
        let service = ServiceBuilder::new()
            .layer(CallerIdentityLayer::new())
            .service(service_fn(|req: Request<()>| async move {
                // Through tonic's conversion, as a generated server does.
                let req = tonic::Request::from_http(req);
                let who = match req.caller_identity() {
                    None => "none".to_owned(),
                    Some(c) if c.is_anonymous() => "anonymous".to_owned(),
                    Some(c) => c.principal.clone().unwrap_or_default(),
                };
                Ok::<_, std::convert::Infallible>(Response::new(who))
            }));
        let mut request = Request::post("/lattice.echo.Echo/Unary");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        service
            .oneshot(request.body(()).expect("request"))
            .await
            .expect("infallible")
    }

    #[tokio::test]
    async fn identities() {
        assert_eq!(call(&[]).await.body(), "none");
        let response = call(&[(
            "x-amzn-lattice-identity",
            "Principal=arn:aws:sts::123456789012:assumed-role/app/s1; Type=AWS_IAM",
        )])
        .await;
        assert_eq!(
            response.body(),
            "arn:aws:sts::123456789012:assumed-role/app/s1"
        );
        let response = call(&[(
            "x-amzn-lattice-network",
            "SourceVpcArn=arn:aws:ec2:us-west-2:123456789012:vpc/vpc-0123456789abcdef0",
        )])
        .await;
        assert_eq!(response.body(), "anonymous");
    }

    #[tokio::test]
    async fn malformed_identities_are_invalid_argument() {
        let response = call(&[("x-amzn-lattice-identity", "Principal")]).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/grpc");
        assert_eq!(response.headers()["grpc-status"], "3");
        let status = tonic::Status::from_header_map(response.headers()).expect("status");
        assert!(
            status.message().contains("x-amzn-lattice-identity"),
            "{}",
            status.message()
        );
    }

    #[test]
    fn authenticated_caller() {
        let request = tonic::Request::new(());
        assert_eq!(
            request.authenticated_caller().expect_err("none").code(),
            tonic::Code::Unauthenticated
        );
        let mut request = tonic::Request::new(());
        let mut identity = CallerIdentity::default();
        identity.principal = Some("arn:aws:iam::123456789012:user/u".into());
        identity.auth_type = Some("AWS_IAM".into());
        request.extensions_mut().insert(identity);
        assert!(request.authenticated_caller().is_ok());
    }
}
