//! Layer order: tracing outermost, retries in the middle, signing innermost.
//!
//! Signing must run after the retry layer, closest to the transport, so
//! that every attempt is signed afresh (a current `x-amz-date`, a new
//! signature); a tracing layer outside the retries sees one logical call,
//! and the signing layer's own `lattice` span (see `lattice_client::trace`)
//! is opened once per attempt, inside it.
//!
//! ```text
//! reqwest-middleware:  TracingMiddleware → RetryTransientMiddleware → SigV4Middleware → reqwest
//! tower / hyper:       TraceLayer        → tower::retry             → SigV4Layer       → hyper
//! ```
//!
//! The fake Lattice's target answers `503` to the first request of each
//! path, so each call below takes two attempts; both are signed and checked
//! by the fake, and the access log shows them.
//!
//! ```text
//! cargo run --example layer-order
//! ```

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lattice_client::reqwest::{LatticeClient, SigV4Middleware};
use lattice_fake::{FakeBody, FakeLattice, Listener, Principal, Service, Target, TargetGroup};
use lattice_tower::hyper::HyperClientBuilder;
use reqwest_retry::RetryTransientMiddleware;
use reqwest_retry::policies::ExponentialBackoff;
use reqwest_tracing::TracingMiddleware;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::trace::TraceLayer;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const POLICY: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

/// Retries a `5xx` answer once; the request body is a `Full`, so it can be
/// sent again.
#[derive(Clone, Debug)]
struct RetryServerErrors {
    left: usize,
}

impl<Res, E> tower::retry::Policy<http::Request<Full<Bytes>>, http::Response<Res>, E>
    for RetryServerErrors
{
    type Future = std::future::Ready<()>;

    fn retry(
        &mut self,
        _request: &mut http::Request<Full<Bytes>>,
        result: &mut Result<http::Response<Res>, E>,
    ) -> Option<Self::Future> {
        let server_error = matches!(result, Ok(r) if r.status().is_server_error());
        (server_error && self.left > 0).then(|| {
            self.left -= 1;
            std::future::ready(())
        })
    }

    fn clone_request(
        &mut self,
        request: &http::Request<Full<Bytes>>,
    ) -> Option<http::Request<Full<Bytes>>> {
        let mut copy = http::Request::new(request.body().clone());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.version_mut() = request.version();
        *copy.headers_mut() = request.headers().clone();
        Some(copy)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Spans on stdout when they close: reqwest-tracing's and tower-http's
    // (one per call) and ours (target `lattice`, one per signed attempt).
    tracing_subscriber::fmt()
        .with_env_filter("warn,lattice=info,reqwest_tracing=info,tower_http=debug")
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_target(true)
        .init();

    // A target that answers 503 to the first request of each path.
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let flaky = tower::service_fn(move |req: http::Request<FakeBody>| {
        let first = seen
            .lock()
            .map(|mut s| s.insert(req.uri().path().to_owned()))
            .unwrap_or(false);
        async move {
            let mut response = http::Response::new(lattice_fake::full_body(if first {
                "try again\n"
            } else {
                "ok\n"
            }));
            if first {
                *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            }
            Ok::<_, Infallible>(response)
        }
    });
    let fake = FakeLattice::builder()
        .service(
            Service::new("orders")
                .aws_iam(POLICY)
                .listener(Listener::https(443).forward_to("orders")),
        )
        .target_group(TargetGroup::new("orders", Target::service(flaky)))
        .principal(Principal::new(
            ACCESS_KEY,
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "arn:aws:sts::111122223333:assumed-role/layers/session",
        ))
        .build()?
        .start()
        .await?;
    let url = fake.url("orders").context("a listener")?.to_owned();
    let signer = fake.signer(ACCESS_KEY)?;
    let ca = fake.ca_der().context("an HTTPS listener")?.clone();

    // reqwest-middleware: tracing, then retries, then signing (innermost).
    // The inner reqwest client never follows redirects (see
    // `lattice_client::reqwest`): `LatticeClient::reqwest_client` is one.
    let transport = LatticeClient::builder(signer.clone())
        .resolver(fake.resolver()?)
        .platform_roots(false)
        .add_root_certificate(ca.clone())
        .build()?;
    let backoff = ExponentialBackoff::builder()
        .retry_bounds(Duration::from_millis(10), Duration::from_millis(50))
        .build_with_max_retries(2);
    let client = reqwest_middleware::ClientBuilder::new(transport.reqwest_client().clone())
        .with(TracingMiddleware::default())
        .with(RetryTransientMiddleware::new_with_policy(backoff))
        .with(SigV4Middleware::new(signer.clone()))
        .build();
    let response = client.get(format!("{url}/reqwest")).send().await?;
    println!("== reqwest GET /reqwest: {}", response.status());

    // tower / hyper: TraceLayer, then retries, then the signed hyper client
    // (its SigV4Layer sits right on the hyper-util client).
    let hyper = HyperClientBuilder::new(signer)
        .resolver(fake.resolver()?)
        .platform_roots(false)
        .add_root_certificate(ca)
        .build::<Full<Bytes>>()?;
    let service = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .retry(RetryServerErrors { left: 1 })
        .service(hyper);
    let request = http::Request::get(format!("{url}/hyper")).body(Full::new(Bytes::new()))?;
    let response = service.oneshot(request).await?;
    let status = response.status();
    response.into_body().collect().await?;
    println!("== hyper GET /hyper: {status}");

    // Every attempt reached the fake signed, and was verified there.
    println!("== access log");
    for record in fake.access_log().records() {
        println!(
            "   {} {} {}",
            record.request_method.unwrap_or_default(),
            record.request_path.unwrap_or_default(),
            record.response_code,
        );
    }
    fake.shutdown().await;
    Ok(())
}
