//! Tests of the replayable body.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};

use super::Replay;
use crate::retry::{REPLAY_LIMIT, is_unprocessed};

#[tokio::test]
async fn a_retry_replays_the_frames_and_keeps_the_size_hint() {
    let replay = Replay::new(Full::new(Bytes::from_static(b"hello")), true);
    let first = replay.attempt();
    assert_eq!(
        first.size_hint().exact(),
        Some(5),
        "content-length survives"
    );
    assert!(!first.is_end_stream());
    let bytes = first.collect().await.expect("body").to_bytes();
    assert_eq!(bytes, "hello");
    let second = replay.retry().expect("replayable");
    assert_eq!(second.size_hint().exact(), Some(5));
    let bytes = second.collect().await.expect("body").to_bytes();
    assert_eq!(bytes, "hello");
    // After the response: nothing is kept, no retry.
    replay.commit();
    assert!(replay.retry().is_none());
}

#[tokio::test]
async fn an_empty_body_is_the_end_of_the_stream() {
    let replay = Replay::new(http_body_util::Empty::<Bytes>::new(), true);
    let body = replay.attempt();
    assert!(body.is_end_stream());
    assert_eq!(body.size_hint().exact(), Some(0));
}

#[tokio::test]
async fn bodies_over_the_limit_or_disabled_are_not_retried() {
    let chunks = (0..3)
        .map(|_| Bytes::from(vec![0u8; REPLAY_LIMIT / 2]))
        .collect();
    let replay = Replay::new(Chunks(chunks), true);
    let total = replay
        .attempt()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .len();
    assert_eq!(total, REPLAY_LIMIT / 2 * 3, "streamed whole");
    assert!(replay.retry().is_none());

    let off = Replay::new(Full::new(Bytes::from_static(b"x")), false);
    let _ = off.attempt().collect().await.expect("body");
    assert!(off.retry().is_none());
}

/// A streaming body of unknown length.
pub(super) struct Chunks(std::collections::VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }
}

#[test]
fn only_the_peers_refusals_are_unprocessed() {
    let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    // Maybe processed: retried for idempotent methods only, never as unprocessed.
    assert!(!is_unprocessed(&reset));
    // A locally built GOAWAY is not the peer's.
    assert!(!is_unprocessed(&h2::Error::from(h2::Reason::NO_ERROR)));
}
