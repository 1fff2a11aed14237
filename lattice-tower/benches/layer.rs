//! The cost of the signing layer's span, against signing alone.
//!
//! Run with `cargo bench -p lattice-tower --bench layer`. Criterion measures
//! four variants of one signed GET through `SigV4Layer` over a service that
//! answers at once; afterwards, in the same process, each is timed again in
//! rounds and the medians are printed with their ratio to the baseline,
//! `Signer::sign_with` called directly on the same request:
//!
//! ```text
//! sign_with (baseline)               7.42 µs  1.00×
//! layer, no subscriber               8.20 µs  1.10×
//! layer, `lattice` filtered out      8.01 µs  1.08×
//! layer, span recorded (fmt)        13.64 µs  1.84×
//! ```
//!
//! (a debug-info-free bench build on a shared 2-core machine under load; the
//! "no subscriber" and "filtered out" rows include the layer's own work —
//! the credentials cache lookup and the response future — besides the span).
//!
//! "no subscriber" is what an application without `tracing` pays; "filtered
//! out" one with a subscriber whose filter leaves out target `lattice` at
//! `INFO`; "recorded" one that formats every field of the span (a `fmt`
//! subscriber writing to a sink).

use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::Criterion;
use http::{Request, Response};
use lattice_client::{Credentials, Signer};
use lattice_tower::SigV4Layer;
use tower::{Layer, Service, service_fn};

const URL: &str = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/v1/orders/42?limit=10";

fn credentials() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("EXAMPLE-SESSION-TOKEN".to_owned()),
        None,
        "bench",
    )
}

fn request() -> Request<()> {
    Request::get(URL)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(())
        .expect("request")
}

/// One request through the layer, polled to completion (the inner service
/// is ready at once).
fn through_layer(signer: &Signer) -> impl FnMut() + '_ {
    let mut service = SigV4Layer::new(signer.clone()).layer(service_fn(|_req: Request<()>| {
        std::future::ready(Ok::<_, std::convert::Infallible>(Response::new(())))
    }));
    move || {
        let mut cx = Context::from_waker(Waker::noop());
        let mut future = std::pin::pin!(service.call(request()));
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(response)) => {
                black_box(response);
            }
            _ => panic!("the layer must answer at once"),
        }
    }
}

fn direct(signer: &Signer, credentials: &Credentials) -> impl FnMut() {
    let signer = signer.clone();
    let credentials = credentials.clone();
    move || {
        let mut req = request();
        let report = signer.sign_with(&mut req, &credentials).expect("signed");
        black_box((req, report));
    }
}

/// Median time per call over `rounds` rounds of `n` calls.
fn median(mut f: impl FnMut(), rounds: usize, n: u32) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed() / n
        })
        .collect();
    times.sort();
    times[rounds / 2]
}

fn filtered_out() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_env_filter("info,lattice=warn")
        .with_writer(std::io::sink)
        .finish()
}

fn recorded() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_env_filter("warn,lattice=info")
        .with_writer(std::io::sink)
        .finish()
}

fn main() {
    let signer = Signer::builder()
        .credentials(credentials())
        .build()
        .expect("signer");
    let creds = credentials();
    // Credentials are in the cache before anything is measured.
    through_layer(&signer)();

    let mut criterion = Criterion::default().configure_from_args();
    criterion.bench_function("sign_with", |b| b.iter(direct(&signer, &creds)));
    criterion.bench_function("layer/no-subscriber", |b| b.iter(through_layer(&signer)));
    tracing::subscriber::with_default(filtered_out(), || {
        criterion.bench_function("layer/filtered-out", |b| b.iter(through_layer(&signer)));
    });
    tracing::subscriber::with_default(recorded(), || {
        criterion.bench_function("layer/recorded", |b| b.iter(through_layer(&signer)));
    });
    criterion.final_summary();

    let (rounds, n) = (15, 5_000);
    let base = median(direct(&signer, &creds), rounds, n);
    let none = median(through_layer(&signer), rounds, n);
    let off = tracing::subscriber::with_default(filtered_out(), || {
        median(through_layer(&signer), rounds, n)
    });
    let on =
        tracing::subscriber::with_default(recorded(), || median(through_layer(&signer), rounds, n));
    let ratio = |d: Duration| d.as_secs_f64() / base.as_secs_f64();
    println!();
    for (name, d) in [
        ("sign_with (baseline)", base),
        ("layer, no subscriber", none),
        ("layer, `lattice` filtered out", off),
        ("layer, span recorded (fmt)", on),
    ] {
        println!(
            "{name:<30} {:>8.2} µs  {:.2}×",
            d.as_secs_f64() * 1e6,
            ratio(d)
        );
    }
}
