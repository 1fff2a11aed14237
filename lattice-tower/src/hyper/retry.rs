//! The hyper client's retry of requests a closing connection never
//! answered: [`lattice_client::retry`] has the rule and the replayable
//! body ([`Replay`]).

use std::future::Future;
use std::pin::Pin;

use http::{Request, Response};
use http_body::Body;
use hyper::body::Incoming;
use lattice_client::retry::{Replay, ReplayBody, RequestHead, is_retryable};
use tower_service::Service;

use crate::BoxError;

/// The future of one request and its retry.
pub(crate) type RetryFuture =
    Pin<Box<dyn Future<Output = Result<Response<Incoming>, BoxError>> + Send>>;

/// Sends `request` through `inner`, and once more when the rule allows.
pub(crate) fn call<S, B>(inner: &mut S, request: Request<B>, enabled: bool) -> RetryFuture
where
    S: Service<Request<ReplayBody<B>>, Response = Response<Incoming>, Error = BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Body + Send + Unpin + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let (parts, body) = request.into_parts();
    let replay = Replay::new(body, enabled);
    if !enabled {
        // No retry: no head to keep, no clone of the service.
        let first = inner.call(Request::from_parts(parts, replay.attempt()));
        return Box::pin(first);
    }
    let head = RequestHead::of(&parts);
    let first = inner.call(Request::from_parts(parts, replay.attempt()));
    let mut inner = inner.clone();
    Box::pin(async move {
        let error = match first.await {
            Ok(response) => {
                replay.commit();
                return Ok(response);
            }
            Err(error) => error,
        };
        if !is_retryable(head.method(), &*error) {
            return Err(error);
        }
        let Some(body) = replay.retry() else {
            return Err(error);
        };
        tracing::debug!(
            method = %head.method(),
            error = %error,
            "the connection closed before a response; sending the request again"
        );
        std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
        let result = inner.call(head.request(body)).await;
        replay.commit();
        result
    })
}
