//! The credentials cache under load: waves of 200 concurrent requests across
//! several expiries and refresh windows. No request fails, and the provider
//! is called once per expiry or window, never once per request.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::time::SharedTimeSource;
use http::{Request, Response};
use lattice_client::Signer;
use lattice_client::credentials::CredentialsCache;
use lattice_tests::{CountingProvider, ManualClock, SERVICE_NAME, fixed_time};
use lattice_tower::SigV4Layer;
use tower::{ServiceBuilder, ServiceExt, service_fn};

const CONCURRENCY: usize = 200;
const LIFETIME: Duration = Duration::from_secs(15 * 60);
const WINDOW: Duration = Duration::from_secs(5 * 60);
const PROVIDER_DELAY: Duration = Duration::from_millis(20);

fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// Sends `CONCURRENCY` requests at once through `service`; returns the
/// session token each one was signed with. Panics if any request fails.
async fn wave<S>(service: &S) -> Vec<String>
where
    S: tower::Service<Request<()>, Response = Response<String>, Error = lattice_tower::BoxError>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..CONCURRENCY {
        let service = service.clone();
        tasks.spawn(async move {
            let request = Request::get(format!("https://{SERVICE_NAME}/orders/{i}"))
                .body(())
                .expect("request");
            service.oneshot(request).await
        });
    }
    let mut tokens = Vec::with_capacity(CONCURRENCY);
    while let Some(result) = tasks.join_next().await {
        let response = result.expect("task").expect("no request fails");
        tokens.push(response.into_body());
    }
    assert_eq!(tokens.len(), CONCURRENCY);
    tokens
}

fn distinct(tokens: &[String]) -> BTreeSet<String> {
    tokens.iter().cloned().collect()
}

fn only(n: usize) -> BTreeSet<String> {
    BTreeSet::from([CountingProvider::token(n)])
}

/// Waits until `current()` yields the token of provider call `n` (a
/// background refresh has landed in the cache).
async fn until_cached(current: impl Fn() -> Option<String>, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while current() != Some(CountingProvider::token(n)) {
        assert!(
            Instant::now() < deadline,
            "the background refresh never landed"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layer_refreshes_once_per_expiry_and_window_under_200_concurrent_requests() {
    let clock = ManualClock::new(fixed_time());
    let provider = CountingProvider::new(clock.clone(), LIFETIME, PROVIDER_DELAY);
    let signer = Signer::builder()
        .credentials_provider(provider.clone())
        .time_source(clock.clone())
        .refresh_window(WINDOW)
        .build()
        .expect("signer");
    let transport = service_fn(|req: Request<()>| async move {
        let token = req
            .headers()
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("<none>")
            .to_owned();
        assert_eq!(req.headers().get_all("authorization").iter().count(), 1);
        Ok::<_, Infallible>(Response::new(token))
    });
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::new(signer.clone()))
        .service(transport);
    let cached = || {
        signer
            .credentials()
            .try_get_now()
            .and_then(|c| c.session_token().map(str::to_owned))
    };

    // t0: nothing cached; every request waits on one shared refresh.
    assert_eq!(distinct(&wave(&service).await), only(1));
    assert_eq!(provider.calls(), 1);

    // t0+5m: still fresh (expires t0+15m, window opens t0+10m).
    clock.advance(minutes(5));
    assert_eq!(distinct(&wave(&service).await), only(1));
    assert_eq!(provider.calls(), 1);

    // t0+16m: expired; one refresh for the whole wave.
    clock.advance(minutes(11));
    assert_eq!(distinct(&wave(&service).await), only(2));
    assert_eq!(provider.calls(), 2);

    // t0+27m: inside the window of credentials #2 (t0+26m..t0+31m): one
    // background refresh, while requests keep using #2 (or #3 once it lands).
    clock.advance(minutes(11));
    let tokens = distinct(&wave(&service).await);
    assert!(
        tokens.is_subset(&BTreeSet::from([
            CountingProvider::token(2),
            CountingProvider::token(3)
        ])),
        "{tokens:?}"
    );
    until_cached(cached, 3).await;
    assert_eq!(provider.calls(), 3);
    assert_eq!(distinct(&wave(&service).await), only(3));
    assert_eq!(provider.calls(), 3);

    // Credentials #3 were fetched at t0+27m: they expire at t0+42m. A wave in
    // their window, then another wave past their expiry.
    clock.advance(minutes(12));
    let tokens = distinct(&wave(&service).await);
    assert!(
        tokens.is_subset(&BTreeSet::from([
            CountingProvider::token(3),
            CountingProvider::token(4)
        ])),
        "{tokens:?}"
    );
    until_cached(cached, 4).await;
    clock.advance(minutes(30));
    assert_eq!(distinct(&wave(&service).await), only(5));
    assert_eq!(
        provider.calls(),
        5,
        "1 first use + 2 expiries + 2 windows; {} requests in all",
        7 * CONCURRENCY
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_cache_direct_get_and_try_get_now_under_load() {
    let clock = ManualClock::new(fixed_time());
    let provider = CountingProvider::new(clock.clone(), LIFETIME, PROVIDER_DELAY);
    let cache = CredentialsCache::with_settings(
        SharedCredentialsProvider::new(provider.clone()),
        SharedTimeSource::new(clock.clone()),
        WINDOW,
    );
    assert!(cache.try_get_now().is_none(), "nothing cached yet");
    assert_eq!(provider.calls(), 0, "try_get_now never calls on empty");

    let get_wave = |cache: &CredentialsCache| {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let cache = cache.clone();
            tasks.spawn(async move {
                let creds = cache.get().await.expect("no call fails");
                creds.session_token().map(str::to_owned).unwrap_or_default()
            });
        }
        tasks
    };
    let collect = |mut tasks: tokio::task::JoinSet<String>| async move {
        let mut out = Vec::new();
        while let Some(t) = tasks.join_next().await {
            out.push(t.expect("task"));
        }
        assert_eq!(out.len(), CONCURRENCY);
        distinct(&out)
    };

    assert_eq!(collect(get_wave(&cache)).await, only(1));
    assert_eq!(provider.calls(), 1);

    // Past expiry: try_get_now refuses, get refreshes once for everyone.
    clock.advance(LIFETIME + Duration::from_secs(1));
    assert!(
        cache.try_get_now().is_none(),
        "expired credentials are not handed out"
    );
    assert_eq!(collect(get_wave(&cache)).await, only(2));
    assert_eq!(provider.calls(), 2);

    // In the window: 200 concurrent try_get_now calls all get #2 at once and
    // start exactly one background refresh.
    clock.advance(LIFETIME - WINDOW + Duration::from_secs(30));
    let cache2 = Arc::new(cache.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let cache = cache2.clone();
        tasks.spawn(async move {
            cache
                .try_get_now()
                .and_then(|c| c.session_token().map(str::to_owned))
        });
    }
    while let Some(t) = tasks.join_next().await {
        let token = t.expect("task").expect("usable inside the window");
        assert!(
            token == CountingProvider::token(2) || token == CountingProvider::token(3),
            "{token}"
        );
    }
    let c = cache.clone();
    until_cached(
        move || {
            c.try_get_now()
                .and_then(|c| c.session_token().map(str::to_owned))
        },
        3,
    )
    .await;
    assert_eq!(provider.calls(), 3);

    // Invalidate: the next wave refreshes once more.
    cache.invalidate();
    assert_eq!(collect(get_wave(&cache)).await, only(4));
    assert_eq!(provider.calls(), 4);
}
