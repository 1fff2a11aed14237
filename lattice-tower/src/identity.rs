//! The caller identity of requests that VPC Lattice forwards to a server
//! (ECS, EC2, IP or ALB targets), as a typed request extension.
//!
//! Lattice strips the `x-amzn-lattice-identity`, `-identity-tags`, `-network`,
//! `-target` and `x-amzn-source-vpc` headers from incoming requests and sets
//! them itself, so a target can trust them. [`CallerIdentityLayer`] parses
//! them with [`lattice_client::identity::CallerIdentity::from_headers`] (the
//! same parser V1 Lambda events use, giving the same value V2 events give)
//! and inserts the result into the request's extensions, so a handler reads
//! its caller the same way behind Lambda or behind ECS.
//!
//! ```
//! use lattice_client::identity::CallerIdentity;
//! use lattice_tower::identity::CallerIdentityLayer;
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! let service = ServiceBuilder::new()
//!     .layer(CallerIdentityLayer::new())
//!     .service(service_fn(|req: http::Request<String>| async move {
//!         let caller = req.extensions().get::<CallerIdentity>();
//!         let who = caller
//!             .and_then(|c| c.principal_arn())
//!             .map_or_else(|| "anonymous".to_owned(), |p| p.to_string());
//!         Ok::<_, std::convert::Infallible>(http::Response::new(who))
//!     }));
//! let request = http::Request::get("/")
//!     .header(
//!         "x-amzn-lattice-identity",
//!         "Principal=arn:aws:sts::123456789012:assumed-role/app/s1; Type=AWS_IAM",
//!     )
//!     .body(String::new())?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.body(), "arn:aws:sts::123456789012:assumed-role/app/s1");
//! # Ok(())
//! # }
//! ```
//!
//! # Where it sits
//!
//! Anywhere before the handlers that read the identity; it only reads headers
//! and never touches the body. Behind the Lambda adapter of `lattice-client`
//! (`lattice_client::lambda::run`) it is not needed — the adapter already
//! puts the identity of V1 and V2 events into the extensions — but it is
//! harmless: a request without identity headers keeps the extension it has.
//!
//! # Anonymous and malformed
//!
//! * **No identity header** (none of the five): nothing is inserted; the
//!   caller is anonymous (or the request did not come through Lattice). An
//!   unsigned caller that did come through Lattice has the network and
//!   target headers, so it gets an identity whose
//!   [`is_anonymous`](lattice_client::identity::CallerIdentity::is_anonymous)
//!   is true.
//! * **Malformed headers** (repeated, not UTF-8, an item without `=`, two
//!   values for one field; see
//!   [`IdentityError`](lattice_client::identity::IdentityError)): the layer
//!   **rejects the request with `400 Bad Request`** and an empty body, without
//!   calling the wrapped service, and logs the reason at `warn` level. Lattice
//!   never sends such headers, so the request did not come through Lattice
//!   unchanged; silently treating it as anonymous would hide a forged or
//!   broken identity from handlers that only check for a principal.
//!
//! # axum (feature `axum`)
//!
//! [`CallerIdentity`] is an extractor for an authenticated caller (rejecting
//! anonymous callers with `401`), and `Option<CallerIdentity>` is `None` for
//! anonymous callers. Both read the extension the layer inserted, or parse the
//! headers themselves when the layer is not installed (a malformed header then
//! rejects with `400`). A handler that wants the source VPC or target ARNs of
//! an anonymous caller reads the extension itself
//! (`Extension<lattice_client::identity::CallerIdentity>`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use lattice_client::identity::CallerIdentity as Identity;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

/// Parses Lattice's caller identity headers into a
/// [`lattice_client::identity::CallerIdentity`] request extension; see the
/// [module docs](self).
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
        match Identity::from_headers(request.headers()) {
            Ok(Some(identity)) => {
                request.extensions_mut().insert(identity);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "rejecting a request with malformed VPC Lattice identity headers");
                let mut response = Response::new(ResBody::default());
                *response.status_mut() = StatusCode::BAD_REQUEST;
                return ResponseFuture {
                    state: State::Rejected {
                        response: Some(response),
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

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
                // Polled again after completion: answer the same status.
                let response = response.take().unwrap_or_else(|| {
                    let mut r = Response::new(B::default());
                    *r.status_mut() = StatusCode::BAD_REQUEST;
                    r
                });
                Poll::Ready(Ok(response))
            }
        }
    }
}

#[cfg(feature = "axum")]
pub use self::axum::{CallerIdentity, CallerIdentityRejection};

#[cfg(feature = "axum")]
mod axum {
    use std::fmt;
    use std::ops::Deref;

    use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
    use axum_core::response::{IntoResponse, Response};
    use http::StatusCode;
    use http::request::Parts;
    use lattice_client::identity::CallerIdentity as Identity;

    /// axum extractor for the caller's VPC Lattice identity (feature `axum`).
    ///
    /// Reads the [`lattice_client::identity::CallerIdentity`] extension that
    /// [`CallerIdentityLayer`](super::CallerIdentityLayer) (or the Lambda
    /// adapter of `lattice-client`) inserted; without one, parses the
    /// `x-amzn-lattice-*` headers itself. As a parts-only extractor it runs in
    /// any position among a handler's arguments.
    ///
    /// An anonymous caller is one without an authenticated principal
    /// ([`is_anonymous`](lattice_client::identity::CallerIdentity::is_anonymous)):
    /// no identity headers at all, or only the network and target headers
    /// Lattice sends for unsigned requests.
    ///
    /// * `CallerIdentity`: rejects anonymous callers with `401`
    ///   ([`CallerIdentityRejection::Anonymous`]).
    /// * `Option<CallerIdentity>`: `None` for anonymous callers.
    ///
    /// Both reject malformed headers with `400`
    /// ([`CallerIdentityRejection::Malformed`]). The source VPC and target
    /// ARNs of an anonymous caller stay readable in the
    /// [`lattice_client::identity::CallerIdentity`] extension.
    ///
    /// ```
    /// use lattice_tower::identity::CallerIdentity;
    ///
    /// async fn handler(caller: Option<CallerIdentity>) -> String {
    ///     match caller.as_deref().and_then(|c| c.principal.as_deref()) {
    ///         Some(principal) => format!("hello {principal}"),
    ///         None => "hello, anonymous".to_owned(),
    ///     }
    /// }
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CallerIdentity(pub Identity);

    impl CallerIdentity {
        /// The identity.
        pub fn into_inner(self) -> Identity {
            self.0
        }
    }

    impl Deref for CallerIdentity {
        type Target = Identity;
        fn deref(&self) -> &Identity {
            &self.0
        }
    }

    /// Why [`CallerIdentity`] could not be extracted.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[non_exhaustive]
    pub enum CallerIdentityRejection {
        /// No authenticated principal: the caller did not sign its request,
        /// or the request did not come through Lattice (the caller's fault:
        /// `401 Unauthorized`).
        Anonymous,
        /// The identity headers are malformed (the peer that set them: `400 Bad
        /// Request`); the error says why.
        Malformed(lattice_client::identity::IdentityError),
    }

    impl CallerIdentityRejection {
        /// The response status.
        pub fn status(&self) -> StatusCode {
            match self {
                Self::Anonymous => StatusCode::UNAUTHORIZED,
                Self::Malformed(_) => StatusCode::BAD_REQUEST,
            }
        }

        /// The response body.
        pub fn body_text(&self) -> String {
            match self {
                Self::Anonymous => "No authenticated VPC Lattice caller".to_owned(),
                Self::Malformed(_) => "Malformed VPC Lattice caller identity headers".to_owned(),
            }
        }
    }

    impl fmt::Display for CallerIdentityRejection {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::Anonymous => f.write_str(
                    "the request has no authenticated VPC Lattice caller (no principal in the x-amzn-lattice-* headers)",
                ),
                Self::Malformed(e) => write!(f, "malformed VPC Lattice caller identity: {e}"),
            }
        }
    }

    impl std::error::Error for CallerIdentityRejection {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            match self {
                Self::Anonymous => None,
                Self::Malformed(e) => Some(e),
            }
        }
    }

    impl IntoResponse for CallerIdentityRejection {
        fn into_response(self) -> Response {
            (self.status(), self.body_text()).into_response()
        }
    }

    /// The authenticated caller, `None` for an anonymous one.
    fn extract(parts: &Parts) -> Result<Option<CallerIdentity>, CallerIdentityRejection> {
        let identity = match parts.extensions.get::<Identity>() {
            Some(identity) => Some(identity.clone()),
            None => Identity::from_headers(&parts.headers)
                .map_err(CallerIdentityRejection::Malformed)?,
        };
        Ok(identity.filter(|id| !id.is_anonymous()).map(CallerIdentity))
    }

    impl<S: Send + Sync> FromRequestParts<S> for CallerIdentity {
        type Rejection = CallerIdentityRejection;

        async fn from_request_parts(
            parts: &mut Parts,
            _state: &S,
        ) -> Result<Self, Self::Rejection> {
            extract(parts)?.ok_or(CallerIdentityRejection::Anonymous)
        }
    }

    impl<S: Send + Sync> OptionalFromRequestParts<S> for CallerIdentity {
        type Rejection = CallerIdentityRejection;

        async fn from_request_parts(
            parts: &mut Parts,
            _state: &S,
        ) -> Result<Option<Self>, Self::Rejection> {
            extract(parts)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::convert::Infallible;

    use http::HeaderValue;
    use tower::{ServiceBuilder, ServiceExt, service_fn};

    use super::*;

    const IDENTITY: &str = "Principal=arn:aws:sts::123456789012:assumed-role/EnvoyFrontendTaskRole/503e18cee581465f914c75291291e98e; PrincipalOrgID=o-12345678; SessionName=503e18cee581465f914c75291291e98e; Type=AWS_IAM";
    const NETWORK: &str =
        "SourceVpcArn=arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0";
    const TARGET: &str = "ServiceArn=arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b; ServiceNetworkArn=arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0827fa025cfa385f2; TargetGroupArn=arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-02dd764d44bb49a8c";

    /// A stack whose handler answers with what it found in the extensions.
    async fn call(request: Request<String>) -> Response<String> {
        ServiceBuilder::new()
            .layer(CallerIdentityLayer::new())
            .service(service_fn(|req: Request<String>| async move {
                let body = match req.extensions().get::<Identity>() {
                    None => "none".to_owned(),
                    Some(id) if id.is_anonymous() => {
                        format!("anonymous from {}", id.source_vpc().unwrap())
                    }
                    Some(id) => format!(
                        "{:?} {} {}",
                        id.principal_arn().unwrap().kind(),
                        id.principal_account().unwrap(),
                        id.service_arn().unwrap().id()
                    ),
                };
                Ok::<_, Infallible>(Response::new(body))
            }))
            .oneshot(request)
            .await
            .unwrap()
    }

    fn request(headers: &[(&'static str, &[u8])]) -> Request<String> {
        let mut req = Request::new(String::new());
        for (name, value) in headers {
            req.headers_mut()
                .append(*name, HeaderValue::from_bytes(value).unwrap());
        }
        req
    }

    #[tokio::test]
    async fn authenticated_caller_is_typed() {
        let response = call(request(&[
            ("x-amzn-lattice-identity", IDENTITY.as_bytes()),
            ("x-amzn-lattice-network", NETWORK.as_bytes()),
            ("x-amzn-lattice-target", TARGET.as_bytes()),
        ]))
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.body(),
            "AssumedRole 123456789012 svc-0725375ee8851076b"
        );
    }

    #[tokio::test]
    async fn no_headers_is_anonymous_without_extension() {
        let response = call(request(&[("user-agent", b"curl")])).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "none");
    }

    #[tokio::test]
    async fn unsigned_caller_behind_lattice_is_anonymous() {
        let response = call(request(&[
            ("x-amzn-lattice-network", NETWORK.as_bytes()),
            ("x-amzn-lattice-target", TARGET.as_bytes()),
            ("x-amzn-source-vpc", b"vpc-0123456789abcdef0"),
        ]))
        .await;
        assert_eq!(response.body(), "anonymous from vpc-0123456789abcdef0");
    }

    #[tokio::test]
    async fn malformed_headers_are_rejected_with_400_without_calling_the_service() {
        for headers in [
            &[("x-amzn-lattice-identity", b"Principal".as_slice())][..],
            &[("x-amzn-lattice-identity", b"Principal=\xff".as_slice())][..],
            &[
                ("x-amzn-lattice-network", NETWORK.as_bytes()),
                ("x-amzn-lattice-network", NETWORK.as_bytes()),
            ][..],
            &[(
                "x-amzn-lattice-identity",
                b"Principal=a; Principal=b".as_slice(),
            )][..],
        ] {
            let response = call(request(headers)).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            assert_eq!(response.body(), "", "the handler was not called");
        }
    }

    #[tokio::test]
    async fn an_existing_extension_is_kept_when_there_are_no_headers() {
        let mut req = request(&[]);
        let mut id = Identity::default();
        id.principal = Some("arn:aws:iam::123456789012:role/r".into());
        id.service_arn =
            Some("arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b".into());
        req.extensions_mut().insert(id);
        let response = call(req).await;
        assert_eq!(response.body(), "Role 123456789012 svc-0725375ee8851076b");
    }

    #[cfg(feature = "axum")]
    mod axum {
        use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
        use axum_core::response::IntoResponse;

        use super::*;
        use crate::identity::{CallerIdentity, CallerIdentityRejection};

        async fn extract(
            req: Request<String>,
        ) -> (
            Result<CallerIdentity, CallerIdentityRejection>,
            Result<Option<CallerIdentity>, CallerIdentityRejection>,
        ) {
            let (mut parts, _) = req.into_parts();
            let plain =
                <CallerIdentity as FromRequestParts<()>>::from_request_parts(&mut parts, &()).await;
            let optional = <CallerIdentity as OptionalFromRequestParts<()>>::from_request_parts(
                &mut parts,
                &(),
            )
            .await;
            (plain, optional)
        }

        #[tokio::test]
        async fn extractor_reads_the_layer_extension() {
            // Through the layer: the handler extracts from the parts.
            let service = ServiceBuilder::new()
                .layer(CallerIdentityLayer::new())
                .service(service_fn(|req: Request<String>| async move {
                    // Headers removed to prove the extension is used.
                    let (mut parts, _) = req.into_parts();
                    parts.headers.clear();
                    let caller = <CallerIdentity as FromRequestParts<()>>::from_request_parts(
                        &mut parts,
                        &(),
                    )
                    .await
                    .unwrap();
                    Ok::<_, Infallible>(Response::new(
                        caller.session_name.clone().unwrap_or_default(),
                    ))
                }));
            let response = service
                .oneshot(request(&[("x-amzn-lattice-identity", IDENTITY.as_bytes())]))
                .await
                .unwrap();
            assert_eq!(response.body(), "503e18cee581465f914c75291291e98e");
        }

        #[tokio::test]
        async fn extractor_without_the_layer_parses_headers() {
            let (plain, optional) =
                extract(request(&[("x-amzn-lattice-identity", IDENTITY.as_bytes())])).await;
            assert_eq!(
                plain.unwrap().principal_org_id.as_deref(),
                Some("o-12345678")
            );
            assert!(optional.unwrap().is_some());
        }

        #[tokio::test]
        async fn anonymous_and_malformed() {
            let (plain, optional) = extract(request(&[])).await;
            let rejection = plain.unwrap_err();
            assert_eq!(rejection, CallerIdentityRejection::Anonymous);
            assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(optional.unwrap(), None);
            let response = rejection.into_response();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

            // Unsigned, but through Lattice: still anonymous for the extractor.
            let (plain, optional) = extract(request(&[
                ("x-amzn-lattice-network", NETWORK.as_bytes()),
                ("x-amzn-lattice-target", TARGET.as_bytes()),
            ]))
            .await;
            assert_eq!(plain.unwrap_err(), CallerIdentityRejection::Anonymous);
            assert_eq!(optional.unwrap(), None);

            let (plain, optional) =
                extract(request(&[("x-amzn-lattice-target", b"=x".as_slice())])).await;
            let rejection = plain.unwrap_err();
            assert_eq!(rejection.status(), StatusCode::BAD_REQUEST);
            assert!(rejection.body_text().contains("Malformed"));
            assert!(rejection.to_string().contains("empty key"));
            assert_eq!(optional.unwrap_err().status(), StatusCode::BAD_REQUEST);
        }
    }
}
