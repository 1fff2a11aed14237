use super::*;
use aws_credential_types::provider::future;
use aws_smithy_async::time::StaticTimeSource;
use std::sync::atomic::AtomicUsize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ok,
    Fail,
    Hang,
    Panic,
    Expired,
}

#[derive(Debug)]
struct Counting {
    calls: Arc<AtomicUsize>,
    mode: Arc<Mutex<Mode>>,
    lifetime: Duration,
    time: SharedTimeSource,
}

impl ProvideCredentials for Counting {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let mode = *self.mode.lock().expect("mode");
        let expiry = match mode {
            Mode::Ok => self.time.now() + self.lifetime,
            Mode::Expired => self.time.now() + Duration::from_millis(500),
            Mode::Fail => {
                return future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
                    "boom",
                )));
            }
            Mode::Hang => return future::ProvideCredentials::new(std::future::pending()),
            Mode::Panic => panic!("provider bug"),
        };
        future::ProvideCredentials::ready(Ok(Credentials::new(
            format!("AKIDEXAMPLE{n}"),
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            Some(expiry),
            "test",
        )))
    }
}

struct Fixture {
    cache: CredentialsCache,
    calls: Arc<AtomicUsize>,
    mode: Arc<Mutex<Mode>>,
}

impl Fixture {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().expect("mode") = mode;
    }
}

fn fixture(mode: Mode, time: SharedTimeSource, lifetime: Duration) -> Fixture {
    let calls = Arc::new(AtomicUsize::new(0));
    let mode = Arc::new(Mutex::new(mode));
    let provider = Counting {
        calls: calls.clone(),
        mode: mode.clone(),
        lifetime,
        time: time.clone(),
    };
    let cache = CredentialsCache::builder(SharedCredentialsProvider::new(provider))
        .time_source(time)
        .provider_timeout(Duration::from_millis(100))
        .build();
    Fixture { cache, calls, mode }
}

/// A clock that moves when the test moves it.
#[derive(Debug, Clone)]
struct Manual(Arc<Mutex<SystemTime>>);

impl Manual {
    fn new(secs: u64) -> Self {
        Self(Arc::new(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
        )))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock") += by;
    }
}

impl aws_smithy_async::time::TimeSource for Manual {
    fn now(&self) -> SystemTime {
        *self.0.lock().expect("clock")
    }
}

fn at(secs: u64) -> SharedTimeSource {
    SharedTimeSource::new(StaticTimeSource::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
    ))
}

fn cache(fail: bool, time: SharedTimeSource) -> (CredentialsCache, Arc<AtomicUsize>) {
    let mode = if fail { Mode::Fail } else { Mode::Ok };
    let f = fixture(mode, time, Duration::from_secs(3600));
    (f.cache, f.calls)
}

#[tokio::test]
async fn caches_until_window() {
    let (cache, calls) = cache(false, at(1_000_000));
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
    let f = fixture(Mode::Ok, at(1_000_000), Duration::from_secs(240));
    for _ in 0..100 {
        f.cache.get().await.expect("credentials");
        assert!(f.cache.try_get_now().is_some());
        tokio::task::yield_now().await;
    }
    assert_eq!(f.calls(), 1);
}

#[tokio::test]
async fn errors_back_off_instead_of_calling_the_provider_per_request() {
    let (cache, calls) = cache(true, at(1_000_000));
    let err = cache.get().await.expect_err("provider fails");
    assert!(matches!(err, Error::Credentials(_)));
    assert!(err.to_string().contains("credential chain"));
    for _ in 0..100 {
        let again = cache.get().await.expect_err("still failing");
        assert!(matches!(again, Error::Credentials(_)));
    }
    // The clock has not moved: the backoff (1 s) has not passed.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn backoff_doubles_from_the_floor_to_the_ceiling() {
    let (cache, calls) = cache(true, at(0));
    let inner = &cache.inner;
    let waits: Vec<u64> = (1..=9).map(|n| inner.backoff(n).as_secs()).collect();
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(inner.backoff(u32::MAX), DEFAULT_BACKOFF_CEILING);
    let _ = cache.get().await.expect_err("fails");
    let _ = cache.get().await.expect_err("fails");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(inner.lock().failures, 1);
}

#[tokio::test]
async fn spent_credentials_are_an_error_not_a_provider_call_per_request() {
    // Credentials expiring within a second are refused, and the refusal
    // backs off like any failure.
    let f = fixture(Mode::Expired, at(1_000_000), Duration::from_secs(3600));
    for _ in 0..100 {
        let err = f.cache.get().await.expect_err("spent credentials refused");
        let source = std::error::Error::source(&err).expect("source");
        let text = format!("{:?}", source);
        assert!(text.contains("expire in"), "{text}");
    }
    assert!(f.cache.try_get_now().is_none());
    assert_eq!(f.calls(), 1);
}

#[tokio::test]
async fn a_provider_panic_is_an_error_and_the_cache_keeps_working() {
    let manual = Manual::new(1_000_000);
    let time = SharedTimeSource::new(manual.clone());
    let f = fixture(Mode::Panic, time.clone(), Duration::from_secs(3600));
    let err = f.cache.get().await.expect_err("panic becomes an error");
    let text = format!("{:?}", std::error::Error::source(&err).expect("source"));
    assert!(text.contains("panicked: provider bug"), "{text}");
    f.set(Mode::Ok);
    manual.advance(Duration::from_secs(2));
    f.cache.get().await.expect("recovers after the backoff");
    assert_eq!(f.calls(), 2);
}

#[test]
fn a_hanging_provider_times_out_without_a_tokio_timer() {
    // A runtime without its time driver: the timeout still fires.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let f = fixture(Mode::Hang, at(1_000_000), Duration::from_secs(3600));
    let err = rt.block_on(f.cache.get()).expect_err("times out");
    let text = format!("{:?}", std::error::Error::source(&err).expect("source"));
    assert!(text.contains("ProviderTimedOut"), "{text}");
    assert!(!f.cache.inner.lock().refreshing());
}

#[tokio::test]
async fn an_abandoned_refresh_is_not_left_in_flight() {
    let f = fixture(Mode::Hang, at(1_000_000), Duration::from_secs(3600));
    let mut call = Box::pin(f.cache.get());
    assert!(futures_util::poll!(call.as_mut()).is_pending());
    assert!(f.cache.inner.lock().refreshing());
    drop(call);
    assert!(!f.cache.inner.lock().refreshing(), "the guard cleared it");
    f.set(Mode::Ok);
    f.cache.get().await.expect("a new refresh starts");
    assert_eq!(f.calls(), 2);
}

#[tokio::test]
async fn valid_credentials_are_served_while_refreshes_in_the_window_fail() {
    let manual = Manual::new(1_000_000);
    let time = SharedTimeSource::new(manual.clone());
    let f = fixture(Mode::Ok, time.clone(), Duration::from_secs(3600));
    let first = f.cache.get().await.expect("credentials");
    f.set(Mode::Fail);
    // 57 minutes on: inside the 5-minute window.
    manual.advance(Duration::from_secs(57 * 60));
    for _ in 0..100 {
        let creds = f.cache.get().await.expect("still valid");
        assert_eq!(creds.access_key_id(), first.access_key_id());
        tokio::task::yield_now().await;
    }
    assert_eq!(f.calls(), 2, "one refresh, then backoff");
}

#[test]
fn debug_hides_secrets() {
    let (cache, _) = cache(false, at(1_000_000));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(cache.get()).expect("credentials");
    let dbg = format!("{cache:?}");
    assert!(!dbg.contains("EXAMPLEKEY"), "{dbg}");
}
