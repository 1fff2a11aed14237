//! Verifications per second (SigV4, SigV4A) against signing the same request
//! with `aws-sigv4`. Criterion prints `thrpt` in elements (requests) per second.
//!
//! `cargo bench --bench verify`
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/verify_common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{AKID, PRINCIPAL, SECRET, SignSpec, TOKEN, sign_request, t0};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{Method, Request};
use lattice_client::sign::verify::{
    FixedClock, KeyCredentials, Profile, StaticCredentials, Verifier,
};

const HOST: &str = "svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

fn request() -> Request<()> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("https://{HOST}/orders/42?expand=items&page=2"))
        .header("host", HOST)
        .header("content-type", "application/json")
        .header("x-custom", "some value")
        .body(())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let verifier = Verifier::builder(
        StaticCredentials::new().with(
            AKID,
            KeyCredentials::new(SECRET, PRINCIPAL.to_owned()).with_session_token(TOKEN),
        ),
        Profile::lattice("us-west-2"),
    )
    .clock(FixedClock(t0()))
    .build()
    .unwrap();

    for (label, region_set) in [("sigv4", None), ("sigv4a", Some("*"))] {
        let spec = SignSpec {
            token: Some(TOKEN),
            region_set,
            ..SignSpec::default()
        };
        let mut signed = request();
        sign_request(&mut signed, &spec);
        verifier.verify(&signed).expect("signed request verifies");

        let mut group = c.benchmark_group(label);
        group.throughput(Throughput::Elements(1));
        group.bench_function("verify (ours)", |b| {
            b.iter(|| black_box(verifier.verify(black_box(&signed)).is_ok()))
        });
        group.bench_function("sign (aws-sigv4)", |b| {
            b.iter(|| {
                let mut req = request();
                black_box(sign_request(&mut req, &spec))
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
