//! A request body that can be sent again: the frames it yields are
//! remembered — as `Bytes`, shared when the body's data already is
//! `Bytes` — until the response headers arrive ([`Replay::commit`]) or
//! [`REPLAY_LIMIT`] bytes have gone out; after that nothing is remembered
//! and the request is not retried. Streaming bodies keep streaming: frames
//! are passed on as they come, and the size hint is the original body's,
//! so `content-length` goes out as before. Used by the signed hyper client
//! and the tonic channel.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use http::{HeaderMap, Request};
use http_body::{Body, Frame, SizeHint};

use super::REPLAY_LIMIT;
use crate::BoxError;

/// What is needed to send a request again: its method, URI, version,
/// headers and extensions (a signing layer under the retry signs each
/// attempt afresh).
#[derive(Debug, Clone)]
pub struct RequestHead {
    method: http::Method,
    uri: http::Uri,
    version: http::Version,
    headers: HeaderMap,
    extensions: http::Extensions,
}

impl RequestHead {
    /// The head of `parts`.
    pub fn of(parts: &http::request::Parts) -> Self {
        RequestHead {
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            version: parts.version,
            headers: parts.headers.clone(),
            extensions: parts.extensions.clone(),
        }
    }

    /// The method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The URI.
    pub fn uri(&self) -> &http::Uri {
        &self.uri
    }

    /// A request with this head and `body`.
    pub fn request<B>(&self, body: B) -> Request<B> {
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

/// The shared body of all attempts of one request: create it with
/// [`Replay::new`], give each attempt [`Replay::attempt`] or
/// [`Replay::retry`], and [`Replay::commit`] once a response arrives.
pub struct Replay<B> {
    state: Arc<Mutex<State<B>>>,
}

impl<B> std::fmt::Debug for Replay<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Replay")
            .field("replayable", &state.replayable)
            .field("sent_len", &state.sent_len)
            .field("generation", &state.generation)
            .finish_non_exhaustive()
    }
}

impl<B> Clone for Replay<B> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
        }
    }
}

impl<B> Replay<B> {
    /// Wraps `body`; with `replayable` false it is passed through and
    /// never retried.
    pub fn new(body: B, replayable: bool) -> Self {
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

    /// The body of the first attempt.
    pub fn attempt(&self) -> ReplayBody<B> {
        ReplayBody {
            replay: self.clone(),
            generation: self.lock().generation,
            position: 0,
        }
    }

    /// The body of the next attempt, if the request can be sent again.
    pub fn retry(&self) -> Option<ReplayBody<B>> {
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
    pub fn commit(&self) {
        let mut state = self.lock();
        state.replayable = false;
        state.sent = Vec::new();
    }
}

/// One attempt's view of a request body: first the frames an earlier
/// attempt already took, then the rest of the original body.
pub struct ReplayBody<B> {
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
