//! The layer and its service.

use std::task::{Context, Poll};

use http::{Request, Response};
use lattice_client::identity::CallerIdentity;
use tower_layer::Layer;
use tower_service::Service;

use super::{HttpRejection, IdentityRejection, RejectIdentity, ResponseFuture, TrustedPeers};

/// Parses Lattice's caller identity headers into a
/// [`lattice_client::identity::CallerIdentity`] request extension; see the
/// [module docs](super).
///
/// `R` answers the requests the layer refuses: [`HttpRejection`] (400/403)
/// by default, the gRPC status in `lattice-tonic`.
#[derive(Debug, Clone, Default)]
pub struct CallerIdentityLayer<R = HttpRejection> {
    rejection: R,
    peers: Option<TrustedPeers>,
}

impl CallerIdentityLayer {
    /// A layer that answers refusals over HTTP ([`HttpRejection`]).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<R> CallerIdentityLayer<R> {
    /// A layer that answers refusals with `rejection` (as tower-http's
    /// `ValidateRequestHeaderLayer::custom` takes its validator).
    pub fn with_rejection(rejection: R) -> Self {
        Self {
            rejection,
            peers: None,
        }
    }

    /// Opt in to the peer check: refuse every request whose peer address is
    /// not in `peers` (or is unknown), before reading any header. Use
    /// [`TrustedPeers::lattice`] for VPC Lattice's ranges.
    pub fn trusted_peers(mut self, peers: TrustedPeers) -> Self {
        self.peers = Some(peers);
        self
    }
}

impl<S, R: Clone> Layer<S> for CallerIdentityLayer<R> {
    type Service = CallerIdentityService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        CallerIdentityService {
            inner,
            rejection: self.rejection.clone(),
            peers: self.peers.clone(),
        }
    }
}

/// The service of [`CallerIdentityLayer`].
#[derive(Debug, Clone)]
pub struct CallerIdentityService<S, R = HttpRejection> {
    inner: S,
    rejection: R,
    peers: Option<TrustedPeers>,
}

impl<S> CallerIdentityService<S> {
    /// Wraps `inner`, answering refusals over HTTP, without the peer check.
    pub fn new(inner: S) -> Self {
        CallerIdentityLayer::new().layer(inner)
    }
}

impl<S, R> CallerIdentityService<S, R> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// What to do with `request`: `Ok` to call the wrapped service (with the
    /// identity inserted), `Err` to refuse it.
    fn admit<B>(&self, request: &mut Request<B>) -> Result<(), IdentityRejection> {
        if request.extensions().get::<CallerIdentity>().is_some() {
            // Set by a trusted source (the Lambda adapter, an outer layer):
            // never replaced, never second-guessed.
            return Ok(());
        }
        if let Some(peers) = &self.peers {
            peers.check(request.extensions())?;
        }
        if let Some(identity) =
            CallerIdentity::from_headers(request.headers()).map_err(IdentityRejection::Malformed)?
        {
            request.extensions_mut().insert(identity);
        }
        Ok(())
    }
}

impl<S, R, ReqBody, ResBody> Service<Request<ReqBody>> for CallerIdentityService<S, R>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    R: RejectIdentity,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        match self.admit(&mut request) {
            Ok(()) => ResponseFuture::called(self.inner.call(request)),
            Err(rejection) => {
                tracing::warn!(
                    error = &rejection as &dyn std::error::Error,
                    path = request.uri().path(),
                    "refusing a request: VPC Lattice caller identity"
                );
                ResponseFuture::rejected(self.rejection.reject(&rejection))
            }
        }
    }
}
