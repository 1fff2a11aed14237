//! Tests of the signing layer.

use std::sync::Arc;

use http::Request;
use lattice_client::Signer;
use lattice_client::trace::RequestSpan;
use tower_service::Service;

use crate::{Error, SigV4Layer};
use lattice_client::Credentials;
use lattice_client::aws_credential_types;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::{ServiceBuilder, ServiceExt, service_fn};

const GEN: &str = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

#[derive(Debug, Clone)]
struct SlowProvider {
    calls: Arc<AtomicUsize>,
    fail: bool,
}

impl aws_credential_types::provider::ProvideCredentials for SlowProvider {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let calls = self.calls.clone();
        let fail = self.fail;
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            calls.fetch_add(1, Ordering::SeqCst);
            if fail {
                Err(
                    aws_credential_types::provider::error::CredentialsError::not_loaded(
                        "no credentials here",
                    ),
                )
            } else {
                Ok(Credentials::new(
                    "AKIDEXAMPLE",
                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    Some("EXAMPLE-TOKEN".into()),
                    None,
                    "slow",
                ))
            }
        })
    }
}

fn echo() -> impl Service<
    Request<()>,
    Response = http::Response<Request<()>>,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    service_fn(|req: Request<()>| async move { Ok(http::Response::new(req)) })
}

#[tokio::test]
async fn slow_path_waits_for_credentials_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = Signer::builder()
        .credentials_provider(SlowProvider {
            calls: calls.clone(),
            fail: false,
        })
        .build()
        .expect("signer");
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::new(signer))
        .service(echo());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let svc = service.clone();
        tasks.push(tokio::spawn(async move {
            let req = Request::get(format!("{GEN}/x")).body(()).expect("request");
            svc.oneshot(req).await.expect("signed").into_body()
        }));
    }
    for t in tasks {
        let req = t.await.expect("task");
        assert!(req.headers().contains_key("authorization"));
        assert_eq!(req.headers()["x-amz-security-token"], "EXAMPLE-TOKEN");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one shared refresh");
}

#[tokio::test]
async fn credential_errors_fail_the_request_and_back_off() {
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = Signer::builder()
        .credentials_provider(SlowProvider {
            calls: calls.clone(),
            fail: true,
        })
        .build()
        .expect("signer");
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::new(signer))
        .service(echo());
    for _ in 0..2 {
        let req = Request::get(format!("{GEN}/x")).body(()).expect("request");
        let err = service
            .clone()
            .oneshot(req)
            .await
            .expect_err("no credentials");
        let err = err.downcast_ref::<Error>().expect("our error");
        assert!(
            matches!(err, Error::Sign(lattice_client::Error::Credentials(_))),
            "{err}"
        );
    }
    // The second request fails with the same error without calling the
    // provider again: failed refreshes back off.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn origin_fills_path_only_uris() {
    let signer = Signer::builder()
        .credentials(Credentials::for_tests())
        .build()
        .expect("signer");
    let layer = SigV4Layer::new(signer)
        .with_origin(GEN.parse().expect("uri"))
        .expect("origin");
    let service = ServiceBuilder::new().layer(layer).service(echo());
    let req = Request::post("/pkg.Svc/Method").body(()).expect("request");
    let out = service.oneshot(req).await.expect("signed").into_body();
    assert_eq!(out.uri().to_string(), format!("{GEN}/pkg.Svc/Method"));
    assert!(out.headers().contains_key("authorization"));
    assert!(!out.headers().contains_key("host"));
    assert!(
        SigV4Layer::new(
            Signer::builder()
                .credentials(Credentials::for_tests())
                .build()
                .expect("signer")
        )
        .with_origin("/relative".parse().expect("uri"))
        .is_err()
    );
}

#[tokio::test]
async fn signing_errors_are_typed() {
    let signer = Signer::builder()
        .credentials(Credentials::for_tests())
        .build()
        .expect("signer");
    let service = ServiceBuilder::new()
        .layer(SigV4Layer::new(signer))
        .service(echo());
    let req = Request::get("https://example.com/")
        .body(())
        .expect("request");
    let err = service.oneshot(req).await.expect_err("host not allowed");
    let err = err.downcast_ref::<Error>().expect("our error");
    assert!(
        matches!(
            err,
            Error::Sign(lattice_client::Error::HostNotAllowed { .. })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn retries_outside_are_resigned() {
    #[derive(Clone)]
    struct RetryOnce(Arc<AtomicUsize>);
    impl<E> tower::retry::Policy<Request<()>, http::Response<Request<()>>, E> for RetryOnce {
        type Future = std::future::Ready<()>;
        fn retry(
            &mut self,
            _req: &mut Request<()>,
            _res: &mut Result<http::Response<Request<()>>, E>,
        ) -> Option<Self::Future> {
            (self.0.fetch_add(1, Ordering::SeqCst) == 0).then(|| std::future::ready(()))
        }
        fn clone_request(&mut self, req: &Request<()>) -> Option<Request<()>> {
            let mut r = Request::new(());
            *r.uri_mut() = req.uri().clone();
            *r.headers_mut() = req.headers().clone();
            Some(r)
        }
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let transport = service_fn(move |req: Request<()>| {
        let seen = seen2.clone();
        async move {
            seen.lock()
                .expect("lock")
                .push(req.headers().get_all("authorization").iter().count());
            Ok::<_, std::convert::Infallible>(http::Response::new(req))
        }
    });
    let signer = Signer::builder()
        .credentials(Credentials::for_tests())
        .build()
        .expect("signer");
    let service = ServiceBuilder::new()
        .retry(RetryOnce(Arc::new(AtomicUsize::new(0))))
        .layer(SigV4Layer::new(signer))
        .service(transport);
    let req = Request::get(format!("{GEN}/x")).body(()).expect("request");
    service.oneshot(req).await.expect("ok");
    assert_eq!(
        *seen.lock().expect("lock"),
        vec![1, 1],
        "each attempt has exactly one authorization"
    );
}

fn poll_twice<F: std::future::Future>(future: F) {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_ready());
    let _ = future.as_mut().poll(&mut cx);
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn a_failed_future_polled_again_panics() {
    let future = crate::sign::ResponseFuture::<
        std::future::Ready<Result<http::Response<()>, std::convert::Infallible>>,
    >::failed(Error::InvalidRequestUri("x".into()), RequestSpan::none());
    poll_twice(future);
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn a_called_future_polled_again_panics() {
    let future = crate::sign::ResponseFuture::called(
        std::future::ready(Ok::<_, std::convert::Infallible>(http::Response::new(()))),
        RequestSpan::none(),
    );
    poll_twice(future);
}
