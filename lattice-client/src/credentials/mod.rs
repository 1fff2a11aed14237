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
//!   provider call of its own.
//!
//! A misbehaving provider cannot take the cache down with it:
//!
//! * credentials that are expired, or expire within a second
//!   ([`MIN_REMAINING`]), are never handed out; a provider returning them has
//!   failed;
//! * a failed refresh (an error, expired credentials, a panic, or no answer
//!   within the provider timeout, default 5 seconds) backs off exponentially
//!   from a floor (default 1 second) to a ceiling (default 1 minute): until
//!   the next attempt is due, still-valid credentials keep being served and,
//!   once there are none, callers get the last error at once instead of
//!   calling the provider again;
//! * a provider panic becomes an error for the callers waiting on that
//!   refresh, and a refresh that every caller abandoned (dropped) no longer
//!   counts as in flight: the next caller starts a new one.
//!
//! Configure these with [`CredentialsCache::builder`].

mod timeout;

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
use futures_util::FutureExt;
use futures_util::future::{Shared, WeakShared};

use crate::Error;

/// The default refresh window: credentials are refreshed this long before
/// they expire.
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The default limit on one provider call.
pub const DEFAULT_PROVIDER_TIMEOUT: Duration = Duration::from_secs(5);

/// The default wait after a first failed refresh; it doubles with each
/// further failure, up to [`DEFAULT_BACKOFF_CEILING`].
pub const DEFAULT_BACKOFF_FLOOR: Duration = Duration::from_secs(1);

/// The default longest wait between failed refreshes.
pub const DEFAULT_BACKOFF_CEILING: Duration = Duration::from_secs(60);

/// Credentials with less than this left before their expiry are not handed
/// out (a request signed with them could arrive after they expired).
pub const MIN_REMAINING: Duration = Duration::from_secs(1);

type RefreshResult = Result<Credentials, Arc<CredentialsError>>;
type RefreshFuture = Pin<Box<dyn Future<Output = RefreshResult> + Send>>;

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
    provider_timeout: Duration,
    backoff_floor: Duration,
    backoff_ceiling: Duration,
    state: Mutex<State>,
}

/// The refresh in progress. The state holds it weakly: the callers awaiting
/// it (and a background task) own it, and when they all drop it the
/// provider call is dropped with it.
struct InFlight {
    generation: u64,
    /// Set by [`DoneGuard`] when the refresh future completes or is dropped.
    done: Arc<AtomicBool>,
    future: WeakShared<RefreshFuture>,
}

/// Marks its refresh as no longer in flight when dropped: on completion,
/// and when every caller abandoned the refresh. It takes no lock, so it may
/// run wherever the last handle on the refresh is dropped.
struct DoneGuard(Arc<AtomicBool>);

impl Drop for DoneGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

#[derive(Default)]
struct State {
    current: Option<Credentials>,
    /// When `current` was received (to cap the refresh window for
    /// short-lived credentials).
    received_at: Option<SystemTime>,
    in_flight: Option<InFlight>,
    generation: u64,
    /// Failed refreshes in a row.
    failures: u32,
    /// No refresh starts before this, after a failure.
    retry_at: Option<SystemTime>,
    /// The last refresh error, for callers arriving during the backoff with
    /// no usable credentials.
    last_error: Option<Arc<CredentialsError>>,
}

impl State {
    fn refreshing(&self) -> bool {
        self.in_flight
            .as_ref()
            .is_some_and(|f| !f.done.load(Ordering::Acquire))
    }

    /// The refresh in flight, to await.
    fn live_refresh(&self) -> Option<Shared<RefreshFuture>> {
        let f = self.in_flight.as_ref()?;
        if f.done.load(Ordering::Acquire) {
            return None;
        }
        f.future.upgrade()
    }

    fn backing_off(&self, now: SystemTime) -> bool {
        self.retry_at.is_some_and(|at| now < at)
    }
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials`' own Debug redacts the secret key and token; we show
        // only whether a snapshot exists.
        let state = self.inner.lock();
        f.debug_struct("CredentialsCache")
            .field("provider", &self.inner.provider)
            .field("refresh_window", &self.inner.refresh_window)
            .field("provider_timeout", &self.inner.provider_timeout)
            .field("cached", &state.current.is_some())
            .field("refreshing", &state.refreshing())
            .field("failures", &state.failures)
            .finish_non_exhaustive()
    }
}

/// What the snapshot says about the cached credentials at a given time.
enum Freshness {
    Fresh(Credentials),
    InWindow(Credentials),
    Stale,
}

/// Whether credentials expiring at `expiry` are past use at `now`.
fn spent(expiry: SystemTime, now: SystemTime) -> bool {
    now.checked_add(MIN_REMAINING).is_none_or(|t| t >= expiry)
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
                Some(expiry) if spent(expiry, now) => Freshness::Stale,
                Some(expiry)
                    if now
                        .checked_add(self.window(state.received_at, expiry))
                        .is_none_or(|t| t >= expiry) =>
                {
                    Freshness::InWindow(creds.clone())
                }
                Some(_) => Freshness::Fresh(creds.clone()),
            },
        }
    }

    /// The wait after `failures` failed refreshes in a row.
    fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.backoff_floor
            .checked_mul(1 << doublings)
            .unwrap_or(self.backoff_ceiling)
            .min(self.backoff_ceiling)
    }

    /// Records the outcome of refresh `generation`.
    fn settle(&self, generation: u64, result: &RefreshResult, now: SystemTime) {
        let mut state = self.lock();
        if !matches!(&state.in_flight, Some(f) if f.generation == generation) {
            return;
        }
        state.in_flight = None;
        match result {
            Ok(creds) => {
                state.current = Some(creds.clone());
                state.received_at = Some(now);
                state.failures = 0;
                state.retry_at = None;
                state.last_error = None;
            }
            Err(e) => {
                state.failures = state.failures.saturating_add(1);
                let wait = self.backoff(state.failures);
                state.retry_at = now.checked_add(wait);
                state.last_error = Some(e.clone());
                tracing::warn!(
                    error = %e,
                    failures = state.failures,
                    retry_in = ?wait,
                    "AWS credentials provider failed"
                );
            }
        }
    }
}

/// One provider call, bounded in time, with a panic turned into an error and
/// spent credentials refused.
async fn call_provider(
    provider: &SharedCredentialsProvider,
    limit: Duration,
    time: &SharedTimeSource,
) -> Result<Credentials, CredentialsError> {
    let call = AssertUnwindSafe(async { provider.provide_credentials().await }).catch_unwind();
    let creds = match timeout::within(limit, call).await {
        None => return Err(CredentialsError::provider_timed_out(limit)),
        Some(Err(panic)) => {
            return Err(CredentialsError::provider_error(format!(
                "the credentials provider panicked: {}",
                panic_message(panic.as_ref())
            )));
        }
        Some(Ok(result)) => result?,
    };
    let now = time.now();
    match creds.expiry() {
        Some(expiry) if spent(expiry, now) => {
            let when = match expiry.duration_since(now) {
                Ok(left) => format!("expire in {left:?}"),
                Err(past) => format!("expired {:?} ago", past.duration()),
            };
            Err(CredentialsError::provider_error(format!(
                "the credentials provider returned credentials that {when}; \
                 credentials need at least {MIN_REMAINING:?} before expiry"
            )))
        }
        _ => Ok(creds),
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

impl CredentialsCache {
    /// Caches credentials from `provider` with the default refresh window and
    /// the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::from_shared(SharedCredentialsProvider::new(provider))
    }

    /// Caches credentials from an already shared provider.
    pub fn from_shared(provider: SharedCredentialsProvider) -> Self {
        Self::builder(provider).build()
    }

    /// Caches credentials with an explicit clock and refresh window (tests use
    /// a fixed clock), and the default provider timeout and backoff.
    pub fn with_settings(
        provider: SharedCredentialsProvider,
        time: SharedTimeSource,
        refresh_window: Duration,
    ) -> Self {
        Self::builder(provider)
            .time_source(time)
            .refresh_window(refresh_window)
            .build()
    }

    /// A builder for a cache in front of `provider`, to set the clock, the
    /// refresh window, the provider timeout and the backoff.
    pub fn builder(provider: SharedCredentialsProvider) -> CredentialsCacheBuilder {
        CredentialsCacheBuilder {
            provider,
            time: None,
            refresh_window: DEFAULT_REFRESH_WINDOW,
            provider_timeout: DEFAULT_PROVIDER_TIMEOUT,
            backoff_floor: DEFAULT_BACKOFF_FLOOR,
            backoff_ceiling: DEFAULT_BACKOFF_CEILING,
        }
    }

    /// The refresh window.
    pub fn refresh_window(&self) -> Duration {
        self.inner.refresh_window
    }

    /// The limit on one provider call.
    pub fn provider_timeout(&self) -> Duration {
        self.inner.provider_timeout
    }

    /// Credentials usable right now without waiting, if there are any.
    ///
    /// Returns `None` when nothing is cached or the cached credentials have
    /// expired (or expire within [`MIN_REMAINING`]); then call
    /// [`get`](Self::get). Inside the refresh window this starts the single
    /// background refresh (when a Tokio runtime is running and no failed
    /// refresh is backing off) and still returns the current credentials.
    pub fn try_get_now(&self) -> Option<Credentials> {
        let now = self.inner.time.now();
        let mut state = self.inner.lock();
        match self.inner.freshness(&state, now) {
            Freshness::Fresh(creds) => Some(creds),
            Freshness::InWindow(creds) => {
                if !state.refreshing() && !state.backing_off(now) {
                    if let Ok(handle) = tokio::runtime::Handle::try_current() {
                        let fut = self.start_refresh(&mut state);
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
    /// [`Error::Credentials`] when the refresh fails (the provider fails,
    /// panics, times out or returns expired credentials); every caller
    /// waiting on that refresh gets the same error. Until the backoff after
    /// a failure has passed, callers without usable credentials get that
    /// error again without a provider call.
    pub async fn get(&self) -> Result<Credentials, Error> {
        // Usable credentials (or an in-window refresh started in the
        // background) need no waiting.
        if let Some(creds) = self.try_get_now() {
            return Ok(creds);
        }
        let now = self.inner.time.now();
        let mut still_valid = None;
        let fut = {
            let mut state = self.inner.lock();
            match self.inner.freshness(&state, now) {
                Freshness::Fresh(creds) => return Ok(creds),
                Freshness::InWindow(creds) => {
                    if state.refreshing() || state.backing_off(now) {
                        // Someone else is refreshing, or the provider failed
                        // lately; keep using what we have.
                        return Ok(creds);
                    }
                    still_valid = Some(creds);
                    self.start_refresh(&mut state)
                }
                Freshness::Stale => match state.live_refresh() {
                    Some(fut) => fut,
                    None => match &state.last_error {
                        Some(e) if state.backing_off(now) => {
                            return Err(Error::Credentials(e.clone()));
                        }
                        _ => self.start_refresh(&mut state),
                    },
                },
            }
        };
        match (fut.await, still_valid) {
            (Ok(creds), _) | (Err(_), Some(creds)) => Ok(creds),
            (Err(e), None) => Err(Error::Credentials(e)),
        }
    }

    /// Forgets the cached credentials: the next call asks the provider
    /// (once any backoff after a failed refresh has passed).
    pub fn invalidate(&self) {
        let mut state = self.inner.lock();
        state.current = None;
    }

    fn start_refresh(&self, state: &mut State) -> Shared<RefreshFuture> {
        state.generation = state.generation.wrapping_add(1);
        let generation = state.generation;
        let done = Arc::new(AtomicBool::new(false));
        let guard = DoneGuard(done.clone());
        let provider = self.inner.provider.clone();
        let time = self.inner.time.clone();
        let limit = self.inner.provider_timeout;
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let fut: RefreshFuture = Box::pin(async move {
            let _guard = guard;
            tracing::debug!("refreshing AWS credentials");
            let result = call_provider(&provider, limit, &time)
                .await
                .map_err(Arc::new);
            if let Some(inner) = weak.upgrade() {
                inner.settle(generation, &result, time.now());
            }
            result
        });
        let shared = fut.shared();
        state.in_flight = shared.downgrade().map(|future| InFlight {
            generation,
            done,
            future,
        });
        shared
    }
}

/// Builds a [`CredentialsCache`]; from [`CredentialsCache::builder`].
#[must_use]
pub struct CredentialsCacheBuilder {
    provider: SharedCredentialsProvider,
    time: Option<SharedTimeSource>,
    refresh_window: Duration,
    provider_timeout: Duration,
    backoff_floor: Duration,
    backoff_ceiling: Duration,
}

impl fmt::Debug for CredentialsCacheBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCacheBuilder")
            .field("provider", &self.provider)
            .field("refresh_window", &self.refresh_window)
            .field("provider_timeout", &self.provider_timeout)
            .field("backoff_floor", &self.backoff_floor)
            .field("backoff_ceiling", &self.backoff_ceiling)
            .finish_non_exhaustive()
    }
}

impl CredentialsCacheBuilder {
    /// The clock deciding expiry, refresh windows and backoff (default: the
    /// system clock). The provider timeout is always measured in real time.
    pub fn time_source(mut self, time: SharedTimeSource) -> Self {
        self.time = Some(time);
        self
    }

    /// How long before expiry credentials are refreshed (default 5 minutes;
    /// at most half the credentials' lifetime).
    pub fn refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self
    }

    /// The limit on one provider call (default 5 seconds); a call that takes
    /// longer fails the refresh with a timeout error.
    pub fn provider_timeout(mut self, limit: Duration) -> Self {
        self.provider_timeout = limit;
        self
    }

    /// The wait after a first failed refresh (`floor`, default 1 second),
    /// doubling with each further failure up to `ceiling` (default 1 minute;
    /// raised to `floor` if lower).
    pub fn backoff(mut self, floor: Duration, ceiling: Duration) -> Self {
        self.backoff_floor = floor;
        self.backoff_ceiling = ceiling.max(floor);
        self
    }

    /// The cache.
    pub fn build(self) -> CredentialsCache {
        CredentialsCache {
            inner: Arc::new(Inner {
                provider: self.provider,
                time: self
                    .time
                    .unwrap_or_else(|| SharedTimeSource::new(SystemTimeSource::new())),
                refresh_window: self.refresh_window,
                provider_timeout: self.provider_timeout,
                backoff_floor: self.backoff_floor,
                backoff_ceiling: self.backoff_ceiling,
                state: Mutex::new(State::default()),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
