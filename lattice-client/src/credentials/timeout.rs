//! A deadline on a future that needs no async runtime timer: the provider
//! may be driven by a caller outside Tokio, or on a runtime built without
//! its time driver. A short-lived thread waits for the deadline and is
//! released as soon as the future finishes or is dropped. Refreshes are rare
//! (once per expiry, window or backoff step), so this is one thread per
//! provider call, not per request.

use std::future::Future;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use futures_util::future::{Either, select};

/// Runs `fut` for at most `limit`: `None` when the deadline passed first.
pub(super) async fn within<F: Future>(limit: Duration, fut: F) -> Option<F::Output> {
    let (fire, fired) = tokio::sync::oneshot::channel::<()>();
    // Dropping `stop` (when this future ends or is dropped) releases the
    // timer thread at once.
    let (stop, stopped) = mpsc::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("lattice-credentials-timeout".into())
        .spawn(move || {
            if matches!(stopped.recv_timeout(limit), Err(RecvTimeoutError::Timeout)) {
                let _ = fire.send(());
            }
        });
    let fut = std::pin::pin!(fut);
    if spawned.is_err() {
        // No thread to keep time: no deadline rather than no credentials.
        return Some(fut.await);
    }
    let out = match select(fut, fired).await {
        Either::Left((out, _)) => Some(out),
        Either::Right((Ok(()), _)) => None,
        // The timer thread ended without firing: finish without a deadline.
        Either::Right((Err(_), fut)) => Some(fut.await),
    };
    drop(stop);
    out
}
