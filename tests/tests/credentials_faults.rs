//! The credentials cache in front of a misbehaving provider: a provider
//! scripted to return expired credentials, fail, hang and panic, under waves
//! of 200 concurrent requests. Counts provider calls, failed requests and
//! panicked requests per phase, prints them, then checks them.
//!
//! Print the figures with
//! `cargo test -p lattice-tests --test credentials_faults -- --nocapture`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_async::time::{SharedTimeSource, TimeSource};
use lattice_client::credentials::CredentialsCache;
use lattice_tests::{ManualClock, fixed_time};

const CONCURRENCY: usize = 200;
const LIFETIME: Duration = Duration::from_secs(15 * 60);
const WINDOW: Duration = Duration::from_secs(5 * 60);
const PROVIDER_TIMEOUT: Duration = Duration::from_millis(200);
const FLOOR: Duration = Duration::from_secs(1);
const CEILING: Duration = Duration::from_secs(8);
/// A liveness bound on one wave, so that a hanging cache shows up as hung
/// requests instead of a hung test.
const WAVE_BOUND: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy)]
enum Act {
    Ok,
    Expired,
    Fail,
    Hang,
    Panic,
}

/// A provider that plays `script` one act per call (the last act repeats).
#[derive(Debug, Clone)]
struct Scripted {
    clock: ManualClock,
    script: Arc<Mutex<VecDeque<Act>>>,
    calls: Arc<AtomicUsize>,
}

impl Scripted {
    fn new(clock: ManualClock) -> Self {
        Self {
            clock,
            script: Arc::new(Mutex::new(VecDeque::from([Act::Ok]))),
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn play(&self, act: Act) {
        *self.script.lock().expect("script") = VecDeque::from([act]);
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn creds(&self, n: usize, lifetime: Duration) -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some(format!("token-{n}")),
            Some(self.clock.now() + lifetime),
            "scripted",
        )
    }
}

impl ProvideCredentials for Scripted {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let act = {
            let mut script = self.script.lock().expect("script");
            if script.len() > 1 {
                script.pop_front().expect("non-empty")
            } else {
                *script.front().expect("non-empty")
            }
        };
        match act {
            Act::Ok => future::ProvideCredentials::ready(Ok(self.creds(n, LIFETIME))),
            Act::Expired => future::ProvideCredentials::ready(Ok(Credentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                Some(format!("token-{n}")),
                Some(self.clock.now() - Duration::from_secs(60)),
                "scripted",
            ))),
            Act::Fail => future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
                "scripted failure",
            ))),
            Act::Hang => future::ProvideCredentials::new(std::future::pending()),
            Act::Panic => future::ProvideCredentials::new(async move {
                tokio::task::yield_now().await;
                panic!("scripted provider panic");
            }),
        }
    }
}

/// What one wave of requests saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Wave {
    calls: usize,
    ok: usize,
    failed: usize,
    panicked: usize,
    hung: usize,
}

async fn wave(cache: &CredentialsCache, provider: &Scripted) -> Wave {
    let before = provider.calls();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let cache = cache.clone();
        tasks.spawn(async move { tokio::time::timeout(WAVE_BOUND, cache.get()).await });
    }
    let mut out = Wave::default();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(Ok(Ok(_))) => out.ok += 1,
            Ok(Ok(Err(_))) => out.failed += 1,
            Ok(Err(_elapsed)) => out.hung += 1,
            Err(e) if e.is_panic() => out.panicked += 1,
            Err(e) => panic!("task cancelled: {e}"),
        }
    }
    // Let any background refresh started by the wave finish before counting.
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    out.calls = provider.calls() - before;
    out
}

fn expect(name: &str, got: Wave, calls: usize, ok: usize) {
    let want = Wave {
        calls,
        ok,
        failed: CONCURRENCY - ok,
        panicked: 0,
        hung: 0,
    };
    assert_eq!(got, want, "phase `{name}`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_provider_is_called_with_backoff_and_never_breaks_the_cache() {
    let clock = ManualClock::new(fixed_time());
    let provider = Scripted::new(clock.clone());
    let cache = CredentialsCache::builder(SharedCredentialsProvider::new(provider.clone()))
        .time_source(SharedTimeSource::new(clock.clone()))
        .refresh_window(WINDOW)
        .provider_timeout(PROVIDER_TIMEOUT)
        .backoff(FLOOR, CEILING)
        .build();

    let mut phases: Vec<(&str, Wave)> = Vec::new();
    let mut run = async |name: &'static str, act: Option<Act>, advance: Duration| {
        if let Some(act) = act {
            provider.play(act);
        }
        clock.advance(advance);
        let got = wave(&cache, &provider).await;
        eprintln!("{name:<40} {got:?}");
        phases.push((name, got));
    };

    // Expired credentials from the provider are an error, and back off.
    run("expired credentials", Some(Act::Expired), Duration::ZERO).await;
    run("expired again, inside the backoff", None, Duration::ZERO).await;
    // A failing provider, after the first backoff (1 s), then inside the
    // second (2 s).
    run("failing provider", Some(Act::Fail), FLOOR).await;
    run("failing, inside the backoff", None, FLOOR).await;
    // A hanging provider times out; the cache is not stuck.
    run("hanging provider", Some(Act::Hang), 2 * FLOOR).await;
    run("hanging, inside the backoff", None, Duration::ZERO).await;
    // A panicking provider is an error; later requests still work.
    run("panicking provider", Some(Act::Panic), CEILING).await;
    run("panicking, inside the backoff", None, Duration::ZERO).await;
    // Recovery once the backoff has passed.
    run("healthy provider", Some(Act::Ok), CEILING).await;
    run("healthy, cached", None, Duration::from_secs(60)).await;
    // Inside the refresh window a failing provider is called once (in the
    // background), and the still-valid credentials keep being served.
    run(
        "window, failing provider",
        Some(Act::Fail),
        LIFETIME - WINDOW,
    )
    .await;
    run("window, failing, inside the backoff", None, Duration::ZERO).await;
    run("window, after the backoff", None, 2 * FLOOR).await;
    run("window, panicking provider", Some(Act::Panic), 4 * FLOOR).await;
    // Past expiry with the provider still failing: errors, not expired
    // credentials.
    run("expired cache, failing provider", Some(Act::Fail), WINDOW).await;
    run("expired cache, recovered", Some(Act::Ok), CEILING).await;

    let total_calls: usize = phases.iter().map(|(_, w)| w.calls).sum();
    let total_failed: usize = phases
        .iter()
        .map(|(_, w)| w.failed + w.panicked + w.hung)
        .sum();
    eprintln!(
        "{} requests, {total_calls} provider calls, {total_failed} failed requests",
        phases.len() * CONCURRENCY
    );

    let all = CONCURRENCY;
    let want = [
        (1, 0),
        (0, 0),
        (1, 0),
        (0, 0),
        (1, 0),
        (0, 0),
        (1, 0),
        (0, 0),
        (1, all),
        (0, all),
        (1, all),
        (0, all),
        (1, all),
        (1, all),
        (1, 0),
        (1, all),
    ];
    assert_eq!(phases.len(), want.len());
    for ((name, got), (calls, ok)) in phases.into_iter().zip(want) {
        expect(name, got, calls, ok);
    }
}
