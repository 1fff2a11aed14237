//! Transparent retries of RPCs the server never processed.
//!
//! When a server closes an HTTP/2 connection gracefully (VPC Lattice does so
//! at the 10-minute connection lifetime), RPCs that were being dispatched at
//! that moment fail although the server never saw them:
//!
//! * the request was still queued for the closing connection (hyper:
//!   "operation was canceled: connection closed");
//! * the stream was opened after the server's last accepted stream
//!   (`GOAWAY` with `NO_ERROR`, RFC 9113 §6.8: such streams "can be safely
//!   retried");
//! * the server refused the stream (`RST_STREAM` with `REFUSED_STREAM`,
//!   RFC 9113 §8.7: "no processing has been performed").
//!
//! As gRPC's own clients do ("transparent retry"), such RPCs are sent again,
//! at most [`MAX_RETRIES`] times, on the connection tonic's channel opens
//! next. No other failure is retried: a retry never runs an RPC twice.
//!
//! To send a request again its body must still be there:
//! [`lattice_client::retry::Replay`] remembers the frames it yields until
//! the response headers arrive or
//! [`REPLAY_LIMIT`](lattice_client::retry::REPLAY_LIMIT) bytes have gone
//! out; after that the RPC is not retried. Streaming bodies keep
//! streaming.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response};
use lattice_client::retry::{Replay, RequestHead, is_unprocessed};
use tonic::body::Body;
use tower_service::Service;

use crate::error::BoxError;

/// How many times an unprocessed RPC is sent again.
pub(crate) const MAX_RETRIES: usize = 3;

/// Retries unprocessed RPCs over `S` (tonic's channel).
#[derive(Clone, Debug)]
pub(crate) struct Retry<S> {
    inner: S,
}

impl<S> Retry<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self { inner }
    }
}

pub(crate) type RetryFuture =
    Pin<Box<dyn Future<Output = Result<Response<Body>, BoxError>> + Send>>;

impl<S> Service<Request<Body>> for Retry<S>
where
    S: Service<Request<Body>, Response = Response<Body>> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    type Response = Response<Body>;
    type Error = BoxError;
    type Future = RetryFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let (parts, body) = request.into_parts();
        let replay = Replay::new(body, true);
        let head = RequestHead::of(&parts);
        let first = self
            .inner
            .call(Request::from_parts(parts, Body::new(replay.attempt())));
        // For retries: a clone, driven ready when needed.
        let mut inner = self.inner.clone();
        Box::pin(async move {
            let mut result = first.await.map_err(Into::into);
            let mut retries = 0;
            loop {
                match &result {
                    Ok(_) => {
                        replay.commit();
                        return result;
                    }
                    Err(e) if retries < MAX_RETRIES && is_unprocessed(e.as_ref()) => {
                        let Some(body) = replay.retry() else {
                            return result;
                        };
                        retries += 1;
                        tracing::debug!(
                            error = %e,
                            retry = retries,
                            path = head.uri().path(),
                            "the server did not process the RPC (connection closing); sending it again"
                        );
                        result = async {
                            std::future::poll_fn(|cx| inner.poll_ready(cx))
                                .await
                                .map_err(Into::into)?;
                            inner
                                .call(head.request(Body::new(body)))
                                .await
                                .map_err(Into::into)
                        }
                        .await;
                    }
                    Err(_) => return result,
                }
            }
        })
    }
}
