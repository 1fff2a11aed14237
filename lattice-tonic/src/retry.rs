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
//! To send a request again its body must still be there. The body is
//! wrapped so that the frames it yields are remembered — the `Bytes` are
//! shared, not copied — until the response headers arrive or
//! [`REPLAY_LIMIT`] bytes have gone out; after that nothing is remembered
//! and the RPC is not retried. Streaming bodies keep streaming: frames are
//! passed on as they come.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body::Frame;
use tonic::body::Body;
use tower_service::Service;

use crate::error::BoxError;

/// How many times an unprocessed RPC is sent again.
pub(crate) const MAX_RETRIES: usize = 3;

/// Request body bytes remembered for a retry, per RPC.
pub(crate) const REPLAY_LIMIT: usize = 64 * 1024;

/// Whether `error` says the server did not process the request.
pub(crate) fn unprocessed(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(error);
    while let Some(e) = source {
        if let Some(e) = e.downcast_ref::<hyper::Error>()
            && e.is_canceled()
        {
            return true;
        }
        if let Some(e) = e.downcast_ref::<h2::Error>() {
            let reason = e.reason();
            return e.is_remote()
                && ((e.is_go_away() && reason == Some(h2::Reason::NO_ERROR))
                    || (e.is_reset() && reason == Some(h2::Reason::REFUSED_STREAM)));
        }
        source = e.source();
    }
    false
}

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
        let replay = Replay::new(body);
        let head = Head {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            version: parts.version,
            headers: parts.headers.clone(),
            extensions: parts.extensions.clone(),
        };
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
                    Err(e) if retries < MAX_RETRIES && unprocessed(e.as_ref()) => {
                        let Some(body) = replay.retry() else {
                            return result;
                        };
                        retries += 1;
                        tracing::debug!(
                            error = %e,
                            retry = retries,
                            path = head.uri.path(),
                            "the server did not process the RPC (connection closing); sending it again"
                        );
                        result = async {
                            std::future::poll_fn(|cx| inner.poll_ready(cx))
                                .await
                                .map_err(Into::into)?;
                            inner.call(head.request(body)).await.map_err(Into::into)
                        }
                        .await;
                    }
                    Err(_) => return result,
                }
            }
        })
    }
}

/// What is needed to send a request again.
struct Head {
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    headers: HeaderMap,
    extensions: http::Extensions,
}

impl Head {
    fn request(&self, body: ReplayBody) -> Request<Body> {
        let mut request = Request::new(Body::new(body));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.version_mut() = self.version;
        *request.headers_mut() = self.headers.clone();
        *request.extensions_mut() = self.extensions.clone();
        request
    }
}

/// A frame that went out, remembered for a retry.
enum Sent {
    Data(Bytes),
    Trailers(HeaderMap),
}

struct State {
    /// The original body; frames not yet taken from it.
    body: Body,
    /// Frames taken from `body`, in order, while `replayable`.
    sent: Vec<Sent>,
    sent_len: usize,
    /// `body` has ended.
    ended: bool,
    /// Every frame taken is in `sent` (false once over the limit, after a
    /// body error, or once committed).
    replayable: bool,
    /// The attempt allowed to read; older attempts' bodies yield nothing.
    generation: u64,
}

/// The shared body of all attempts of one RPC.
#[derive(Clone)]
struct Replay {
    state: Arc<Mutex<State>>,
}

impl Replay {
    fn new(body: Body) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                body,
                sent: Vec::new(),
                sent_len: 0,
                ended: false,
                replayable: true,
                generation: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No code panics while holding the lock with the state half-updated.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn attempt(&self) -> ReplayBody {
        ReplayBody {
            replay: self.clone(),
            generation: self.lock().generation,
            position: 0,
        }
    }

    /// The body of the next attempt, if the RPC can be sent again.
    fn retry(&self) -> Option<ReplayBody> {
        let mut state = self.lock();
        if !state.replayable {
            return None;
        }
        state.generation += 1;
        Some(ReplayBody {
            replay: self.clone(),
            generation: state.generation,
            position: 0,
        })
    }

    /// The response headers arrived: no retry will happen, forget the frames.
    fn commit(&self) {
        let mut state = self.lock();
        state.replayable = false;
        state.sent = Vec::new();
    }
}

/// One attempt's view of the shared body: first the frames an earlier
/// attempt already took, then the rest of the original body.
struct ReplayBody {
    replay: Replay,
    generation: u64,
    position: usize,
}

impl http_body::Body for ReplayBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        let mut state = this.replay.lock();
        if state.generation != this.generation {
            // Superseded by a retry; hyper is dropping this attempt.
            return Poll::Ready(None);
        }
        if let Some(sent) = state.sent.get(this.position) {
            this.position += 1;
            let frame = match sent {
                Sent::Data(data) => Frame::data(data.clone()),
                Sent::Trailers(trailers) => Frame::trailers(trailers.clone()),
            };
            return Poll::Ready(Some(Ok(frame)));
        }
        if state.ended {
            return Poll::Ready(None);
        }
        let polled = Pin::new(&mut state.body).poll_frame(cx);
        let Poll::Ready(frame) = polled else {
            return Poll::Pending;
        };
        match &frame {
            None => state.ended = true,
            Some(Err(_)) => {
                state.ended = true;
                state.replayable = false;
                state.sent = Vec::new();
            }
            Some(Ok(frame)) => {
                if state.replayable {
                    let remembered = if let Some(data) = frame.data_ref() {
                        state.sent_len = state.sent_len.saturating_add(data.len());
                        Some(Sent::Data(data.clone()))
                    } else {
                        frame.trailers_ref().map(|t| Sent::Trailers(t.clone()))
                    };
                    if state.sent_len > REPLAY_LIMIT {
                        state.replayable = false;
                        state.sent = Vec::new();
                    } else if let Some(remembered) = remembered {
                        state.sent.push(remembered);
                        this.position += 1;
                    }
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        let state = self.replay.lock();
        state.generation != self.generation || (state.ended && self.position >= state.sent.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn stream_body(chunks: Vec<&'static [u8]>) -> Body {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, tonic::Status>(Frame::data(Bytes::from_static(c)))),
        );
        Body::new(http_body_util::StreamBody::new(stream))
    }

    async fn collect(body: ReplayBody) -> Vec<u8> {
        body.collect().await.expect("body").to_bytes().to_vec()
    }

    #[tokio::test]
    async fn a_partly_read_body_is_replayed_in_full() {
        let replay = Replay::new(stream_body(vec![b"ab", b"cd", b"ef"]));
        let mut first = replay.attempt();
        let frame = first.frame().await.expect("frame").expect("ok");
        assert_eq!(frame.into_data().expect("data"), "ab");
        let second = replay.retry().expect("replayable");
        // The first attempt is superseded.
        assert!(first.frame().await.is_none());
        assert_eq!(collect(second).await, b"abcdef");
        let third = replay.retry().expect("still replayable");
        assert_eq!(collect(third).await, b"abcdef");
        replay.commit();
        assert!(replay.retry().is_none());
    }

    #[tokio::test]
    async fn large_bodies_are_not_remembered() {
        static BIG: [u8; REPLAY_LIMIT] = [1; REPLAY_LIMIT];
        let replay = Replay::new(stream_body(vec![&BIG, b"more"]));
        let body = replay.attempt();
        assert_eq!(collect(body).await.len(), REPLAY_LIMIT + 4);
        assert!(replay.retry().is_none());
        assert!(replay.lock().sent.is_empty(), "nothing kept");
    }

    #[test]
    fn only_unprocessed_errors_are_retried() {
        let canceled_like = std::io::Error::other("x");
        assert!(!unprocessed(&canceled_like));
        let go_away = h2::Error::from(h2::Reason::NO_ERROR);
        // A locally created error is not the peer's GOAWAY.
        assert!(!unprocessed(&go_away));
    }
}
