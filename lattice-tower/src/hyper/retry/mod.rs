//! The hyper client's retry of requests a closing connection never
//! answered ([`lattice_client::retry`] has the rule).
//!
//! To send a request again its body must still be there. The body is
//! wrapped so that the frames it yields are remembered — as `Bytes`, shared
//! when the body's data already is `Bytes` — until the response headers
//! arrive or [`REPLAY_LIMIT`] bytes have gone out; after that nothing is
//! remembered and the request is not retried. Streaming bodies keep
//! streaming: frames are passed on as they come, and the size hint is the
//! original body's, so `content-length` goes out as before.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use lattice_client::retry::{REPLAY_LIMIT, is_retryable};
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
    let head = Head {
        method: parts.method.clone(),
        uri: parts.uri.clone(),
        version: parts.version,
        headers: parts.headers.clone(),
        extensions: parts.extensions.clone(),
    };
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
        if !is_retryable(&head.method, &*error) {
            return Err(error);
        }
        let Some(body) = replay.retry() else {
            return Err(error);
        };
        tracing::debug!(
            method = %head.method,
            error = %error,
            "the connection closed before a response; sending the request again"
        );
        std::future::poll_fn(|cx| inner.poll_ready(cx)).await?;
        let result = inner.call(head.request(body)).await;
        replay.commit();
        result
    })
}

/// What is needed to send a request again (unsigned: the signing service
/// under the retry signs each attempt afresh).
struct Head {
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    headers: HeaderMap,
    extensions: http::Extensions,
}

impl Head {
    fn request<B>(&self, body: B) -> Request<B> {
        let mut request = Request::new(body);
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

struct State<B> {
    /// The original body; frames not yet taken from it.
    body: B,
    /// Frames taken from `body`, in order, while `replayable`.
    sent: Vec<Sent>,
    sent_len: usize,
    /// `body` has ended.
    ended: bool,
    /// Every frame taken is in `sent`.
    replayable: bool,
    /// The attempt allowed to read; older attempts' bodies yield nothing.
    generation: u64,
}

/// The shared body of all attempts of one request.
struct Replay<B> {
    state: Arc<Mutex<State<B>>>,
}

impl<B> Clone for Replay<B> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
        }
    }
}

impl<B> Replay<B> {
    fn new(body: B, replayable: bool) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                body,
                sent: Vec::new(),
                sent_len: 0,
                ended: false,
                replayable,
                generation: 0,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<B>> {
        // No code panics while holding the lock with the state half-updated.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn attempt(&self) -> ReplayBody<B> {
        ReplayBody {
            replay: self.clone(),
            generation: self.lock().generation,
            position: 0,
        }
    }

    /// The body of the next attempt, if the request can be sent again.
    fn retry(&self) -> Option<ReplayBody<B>> {
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

    /// No retry will happen: forget the frames.
    fn commit(&self) {
        let mut state = self.lock();
        state.replayable = false;
        state.sent = Vec::new();
    }
}

/// One attempt's view of a request body: first the frames an earlier
/// attempt already took, then the rest of the original body.
pub(crate) struct ReplayBody<B> {
    replay: Replay<B>,
    generation: u64,
    position: usize,
}

impl<B> std::fmt::Debug for ReplayBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayBody")
            .field("generation", &self.generation)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl<B> Body for ReplayBody<B>
where
    B: Body + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
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
        let Poll::Ready(polled) = Pin::new(&mut state.body).poll_frame(cx) else {
            return Poll::Pending;
        };
        let frame = match polled {
            None => {
                state.ended = true;
                return Poll::Ready(None);
            }
            Some(Err(e)) => {
                state.ended = true;
                state.replayable = false;
                state.sent = Vec::new();
                return Poll::Ready(Some(Err(e.into())));
            }
            Some(Ok(frame)) => frame.map_data(|mut data| data.copy_to_bytes(data.remaining())),
        };
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
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        let state = self.replay.lock();
        if state.generation != self.generation {
            return true;
        }
        if self.position < state.sent.len() {
            return false;
        }
        state.ended || state.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let state = self.replay.lock();
        if state.generation != self.generation {
            return SizeHint::with_exact(0);
        }
        let replayed: u64 = state
            .sent
            .get(self.position..)
            .unwrap_or_default()
            .iter()
            .map(|s| match s {
                Sent::Data(d) => d.len() as u64,
                Sent::Trailers(_) => 0,
            })
            .sum();
        let rest = if state.ended {
            SizeHint::with_exact(0)
        } else {
            state.body.size_hint()
        };
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower().saturating_add(replayed));
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(replayed));
        }
        hint
    }
}

#[cfg(test)]
mod tests;
