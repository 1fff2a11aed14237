//! Cached, refreshed AWS credentials for signing.
//!
//! [`CredentialsCache`] wraps any [`ProvideCredentials`] (the default AWS chain,
//! static keys, a role provider, …) and hands out credentials without awaiting
//! on the hot path:
//!
//! * credentials that are not near expiry are returned from a snapshot;
//! * inside the refresh window before expiry (default 5 minutes) exactly one
//!   refresh starts — in the background when a Tokio runtime is running, else
//!   driven by the caller that noticed — while every other caller keeps using
//!   the still-valid credentials;
//! * after expiry every caller waits on the same shared refresh, never on a
//!   provider call of its own;
//! * a provider error is handed to the callers waiting on that refresh and is
//!   not cached: the next call asks the provider again.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use futures_util::FutureExt;
use futures_util::future::Shared;

use crate::Error;

/// The default refresh window: credentials are refreshed this long before
/// they expire.
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

type RefreshResult = Result<Credentials, Arc<CredentialsError>>;
type RefreshFuture = Shared<Pin<Box<dyn Future<Output = RefreshResult> + Send>>>;

/// A cache in front of a credentials provider. Cheap to clone; clones share
/// the cache.
#[derive(Clone)]
pub struct CredentialsCache {
    inner: Arc<Inner>,
}

struct Inner {
    provider: SharedCredentialsProvider,
    time: SharedTimeSource,
    refresh_window: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Credentials>,
    /// When `current` was received (to cap the refresh window for
    /// short-lived credentials).
    received_at: Option<SystemTime>,
    in_flight: Option<(u64, RefreshFuture)>,
    generation: u64,
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts the secret key and token; we show
        // only whether a snapshot exists.
        let state = self.inner.lock();
        f.debug_struct("CredentialsCache")
            .field("provider", &self.inner.provider)
            .field("refresh_window", &self.inner.refresh_window)
            .field("cached", &state.current.is_some())
            .field("refreshing", &state.in_flight.is_some())
            .finish_non_exhaustive()
    }
}

/// What the snapshot says about the cached credentials at a given time.
enum Freshness {
    Fresh(Credentials),
    InWindow(Credentials),
    Stale,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state inconsistent
        // (every update is a single assignment), so poisoning is ignored.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The refresh window for credentials received at `received_at` that
    /// expire at `expiry`: the configured window, but at most half their
    /// lifetime, so that short-lived credentials are not refreshed on every
    /// request.
    fn window(&self, received_at: Option<SystemTime>, expiry: SystemTime) -> Duration {
        let lifetime = received_at
            .and_then(|r| expiry.duration_since(r).ok())
            .unwrap_or(self.refresh_window.saturating_mul(2));
        self.refresh_window.min(lifetime / 2)
    }

    fn freshness(&self, state: &State, now: SystemTime) -> Freshness {
        match &state.current {
            None => Freshness::Stale,
            Some(creds) => match creds.expiry() {
                None => Freshness::Fresh(creds.clone()),
                Some(expiry) if now >= expiry => Freshness::Stale,
                Some(expiry) if now + self.window(state.received_at, expiry) >= expiry => {
                    Freshness::InWindow(creds.clone())
                }
                Some(_) => Freshness::Fresh(creds.clone()),
            },
        }
    }
}

impl CredentialsCache {
    /// Caches credentials from `provider` with the default refresh window and
    /// the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_shared(SharedCredentialsProvider::new(provider))
    }

    /// Caches credentials from an already shared provider.
    pub fn from_shared(provider: SharedCredentialsProvider) -> Self {
        Self::with_settings(
            provider,
            SharedTimeSource::new(SystemTimeSource::new()),
            DEFAULT_REFRESH_WINDOW,
        )
    }

    /// Caches credentials with an explicit clock and refresh window (tests use
    /// a fixed clock).
    pub fn with_settings(
        provider: SharedCredentialsProvider,
        time: SharedTimeSource,
        refresh_window: Duration,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                provider,
                time,
                refresh_window,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The refresh window.
    pub fn refresh_window(&self) -> Duration {
        self.inner.refresh_window
    }

    /// Credentials usable right now without waiting, if there are any.
    ///
    /// Returns `None` when nothing is cached or the cached credentials have
    /// expired; then call [`get`](Self::get). Inside the refresh window this
    /// starts the single background refresh (when a Tokio runtime is running)
    /// and still returns the current credentials.
    pub fn try_get_now(&self) -> Option<Credentials> {
        let now = self.inner.time.now();
        let mut state = self.inner.lock();
        match self.inner.freshness(&state, now) {
            Freshness::Fresh(creds) => Some(creds),
            Freshness::InWindow(creds) => {
                if state.in_flight.is_none() {
                    if let Ok(handle) = tokio::runtime::Handle::try_current() {
                        let (_, fut) = self.start_refresh(&mut state);
                        drop(state);
                        handle.spawn(async move {
                            let _ = fut.await;
                        });
                    } else {
                        // No runtime to refresh in the background: let the
                        // caller drive the refresh through `get`.
                        return None;
                    }
                }
                Some(creds)
            }
            Freshness::Stale => None,
        }
    }

    /// Credentials for signing, refreshed if needed.
    ///
    /// # Errors
    ///
    /// [`Error::Credentials`] when the provider fails; every caller waiting on
    /// that refresh gets the same error, and the next call tries again.
    pub async fn get(&self) -> Result<Credentials, Error> {
        // Usable credentials (or an in-window refresh started in the
        // background) need no waiting.
        if let Some(creds) = self.try_get_now() {
            return Ok(creds);
        }
        let now = self.inner.time.now();
        let fut = {
            let mut state = self.inner.lock();
            match self.inner.freshness(&state, now) {
                Freshness::Fresh(creds) => return Ok(creds),
                Freshness::InWindow(creds) => {
                    if state.in_flight.is_some() {
                        // Someone else is refreshing; keep using what we have.
                        return Ok(creds);
                    }
                    self.start_refresh(&mut state).1
                }
                Freshness::Stale => match &state.in_flight {
                    Some((_, fut)) => fut.clone(),
                    None => self.start_refresh(&mut state).1,
                },
            }
        };
        fut.await.map_err(Error::Credentials)
    }

    /// Forgets the cached credentials: the next call asks the provider.
    pub fn invalidate(&self) {
        let mut state = self.inner.lock();
        state.current = None;
    }

    fn start_refresh(&self, state: &mut State) -> (u64, RefreshFuture) {
        state.generation = state.generation.wrapping_add(1);
        let generation = state.generation;
        let provider = self.inner.provider.clone();
        let time = self.inner.time.clone();
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let fut: Pin<Box<dyn Future<Output = RefreshResult> + Send>> = Box::pin(async move {
            tracing::debug!("refreshing AWS credentials");
            let result = provider.provide_credentials().await.map_err(Arc::new);
            if let Some(inner) = weak.upgrade() {
                let mut state = inner.lock();
                if matches!(&state.in_flight, Some((g, _)) if *g == generation) {
                    state.in_flight = None;
                    if let Ok(creds) = &result {
                        state.current = Some(creds.clone());
                        state.received_at = Some(time.now());
                    }
                }
            }
            if let Err(e) = &result {
                tracing::warn!(error = %e, "AWS credentials provider failed");
            }
            result
        });
        let shared = fut.shared();
        state.in_flight = Some((generation, shared.clone()));
        (generation, shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::provider::future;
    use aws_smithy_async::time::StaticTimeSource;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        fail: bool,
        lifetime: Duration,
        time: SharedTimeSource,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
                    "boom",
                )));
            }
            let expiry = self.time.now() + self.lifetime;
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("AKIDEXAMPLE{n}"),
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                None,
                Some(expiry),
                "test",
            )))
        }
    }

    fn cache(fail: bool, at: SystemTime) -> (CredentialsCache, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let time = SharedTimeSource::new(StaticTimeSource::new(at));
        let provider = Counting {
            calls: calls.clone(),
            fail,
            lifetime: Duration::from_secs(3600),
            time: time.clone(),
        };
        (
            CredentialsCache::with_settings(
                SharedCredentialsProvider::new(provider),
                time,
                DEFAULT_REFRESH_WINDOW,
            ),
            calls,
        )
    }

    #[tokio::test]
    async fn caches_until_window() {
        let (cache, calls) = cache(
            false,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000),
        );
        let a = cache.get().await.expect("credentials");
        let b = cache.get().await.expect("credentials");
        assert_eq!(a.access_key_id(), b.access_key_id());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.try_get_now().is_some());
    }

    #[tokio::test]
    async fn short_lived_credentials_are_not_refreshed_on_every_call() {
        // 4-minute credentials under a 5-minute window: the window shrinks to
        // half the lifetime, so the cache settles instead of refreshing again
        // on every call.
        let calls = Arc::new(AtomicUsize::new(0));
        let time = SharedTimeSource::new(StaticTimeSource::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000),
        ));
        let provider = Counting {
            calls: calls.clone(),
            fail: false,
            lifetime: Duration::from_secs(240),
            time: time.clone(),
        };
        let cache = CredentialsCache::with_settings(
            SharedCredentialsProvider::new(provider),
            time,
            DEFAULT_REFRESH_WINDOW,
        );
        for _ in 0..100 {
            cache.get().await.expect("credentials");
            assert!(cache.try_get_now().is_some());
            tokio::task::yield_now().await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn errors_are_not_cached() {
        let (cache, calls) = cache(
            true,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000),
        );
        let err = cache.get().await.expect_err("provider fails");
        assert!(matches!(err, Error::Credentials(_)));
        assert!(err.to_string().contains("credential chain"));
        let _ = cache.get().await.expect_err("provider fails again");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn debug_hides_secrets() {
        let (cache, _) = cache(
            false,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        rt.block_on(cache.get()).expect("credentials");
        let dbg = format!("{cache:?}");
        assert!(!dbg.contains("EXAMPLEKEY"), "{dbg}");
    }
}
