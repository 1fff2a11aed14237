use std::sync::Arc;
use std::task::{Context, Poll};

use http::Request;
use http::uri::{Scheme, Uri};
use lattice_client::Signer;
use lattice_client::sign::SigningReport;
use lattice_client::trace::RequestSpan;
use tower_service::Service;

use super::future::ResponseFuture;
use super::layer::Origin;
use crate::{BoxError, Error};

/// A service that signs every request for VPC Lattice, then calls `S`. Built
/// by [`SigV4Layer`](super::SigV4Layer); see the [module docs](crate::sign).
#[derive(Clone, Debug)]
pub struct SigV4Service<S> {
    inner: S,
    signer: Signer,
    origin: Option<Arc<Origin>>,
}

impl<S> SigV4Service<S> {
    /// Wraps `inner` so that every request is signed with `signer`.
    pub fn new(inner: S, signer: Signer) -> Self {
        Self::from_parts(inner, signer, None)
    }

    pub(crate) fn from_parts(inner: S, signer: Signer, origin: Option<Arc<Origin>>) -> Self {
        Self {
            inner,
            signer,
            origin,
        }
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

    /// The signer.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }
}

fn apply_origin(origin: &Origin, uri: &mut Uri) -> Result<(), Error> {
    if uri.authority().is_some() {
        return Ok(());
    }
    let mut parts = std::mem::take(uri).into_parts();
    parts.scheme = Some(origin.scheme.clone());
    parts.authority = Some(origin.authority.clone());
    if parts.path_and_query.is_none() {
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    }
    match Uri::from_parts(parts) {
        Ok(new) => {
            *uri = new;
            Ok(())
        }
        Err(e) => Err(Error::InvalidRequestUri(e.to_string())),
    }
}

/// Records the signed authority, region and algorithm into `span`.
fn record_signed<B>(span: &RequestSpan, request: &Request<B>, report: &SigningReport) {
    if span.is_disabled() {
        return;
    }
    let uri = request.uri();
    span.record_server(
        uri.host().unwrap_or_default(),
        uri.port_u16(),
        uri.scheme() != Some(&Scheme::HTTP),
    );
    span.record_signing(report);
}

impl<S, B, ResBody> Service<Request<B>> for SigV4Service<S>
where
    S: Service<Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let span = RequestSpan::start(request.method(), request.uri().path(), request.headers());
        let entered = span.span().enter();
        if let Some(origin) = &self.origin
            && let Err(e) = apply_origin(origin, request.uri_mut())
        {
            drop(entered);
            return ResponseFuture::failed(e, span);
        }
        // Fast path: credentials are at hand, sign now and call at once.
        if let Some(credentials) = self.signer.credentials().try_get_now() {
            let future = match self.signer.sign_with(&mut request, &credentials) {
                Ok(report) => {
                    record_signed(&span, &request, &report);
                    Ok(self.inner.call(request))
                }
                Err(e) => Err(e),
            };
            drop(entered);
            return match future {
                Ok(future) => ResponseFuture::called(future, span),
                Err(e) => ResponseFuture::failed(e.into(), span),
            };
        }
        drop(entered);
        // Slow path: wait for the shared refresh. Take the service that was
        // driven ready and leave a clone in its place. The response future
        // enters the span while it polls this.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let signer = self.signer.clone();
        let in_span = span.clone();
        ResponseFuture::preparing(
            Box::pin(async move {
                let credentials = signer.credentials().get().await?;
                let report = signer.sign_with(&mut request, &credentials)?;
                record_signed(&in_span, &request, &report);
                Ok(inner.call(request))
            }),
            span,
        )
    }
}
