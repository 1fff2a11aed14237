//! The cost of signing with [`Signer::sign_with`] against `aws-sigv4` called
//! directly on the same request.
//!
//! Run with `cargo bench -p lattice-client --bench sign`. Criterion measures
//! each variant; afterwards, in the same process, the SigV4 and SigV4A paths
//! are timed again in interleaved rounds and the medians, the speedup and the
//! allocations per sign (counted by a `stats_alloc` global allocator) are
//! printed, then the hash and HMAC primitives of both backends (aws-lc-rs and
//! RustCrypto `sha2`/`hmac`) on inputs of the same sizes:
//!
//! ```text
//! sigv4: ours 1.9 µs (4 allocs), aws-sigv4 10.9 µs (71 allocs), speedup 5.7× (target ≥ 3×)
//! ```
//!
//! `cargo bench -p lattice-client --no-default-features --bench sign` measures
//! the signer on the RustCrypto backend.
//!
//! Both paths start from the same unsigned request (a POST to a generated
//! Lattice name with eight headers, a query and a session token), sign at the
//! same fixed time and must produce the same `authorization` header; the bench
//! checks that before measuring anything. The direct path does what a caller
//! of `aws-sigv4` must do for every request: turn the credentials into an
//! `Identity`, build `SigningSettings` (`PayloadChecksumKind::XAmzSha256`) and
//! `SigningParams`, a `SignableRequest` with `host` and the request's headers
//! and `SignableBody::UnsignedPayload`, sign, and apply the instructions.

use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningParams, SigningSettings,
};
use aws_sigv4::sign::{v4, v4a};
use aws_smithy_async::time::StaticTimeSource;
use aws_smithy_runtime_api::client::identity::Identity;
use criterion::{BatchSize, Criterion};
use http::Request;
use lattice_client::{Credentials, Signer};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const URI: &str = "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws\
                   /v1/orders/42/items?limit=10&cursor=abc%2Fdef&expand=true";
const REGION: &str = "us-west-2";
const SIGNING_NAME: &str = "vpc-lattice-svcs";
/// The SigV4A region set used by both SigV4A variants.
const REGION_SET: &str = "*";
/// The speedup (direct / ours) we aim for, SigV4 and SigV4A.
const TARGET_V4: f64 = 3.0;
const TARGET_V4A: f64 = 2.5;

fn at() -> SystemTime {
    // 2024-01-02T03:04:05Z
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645)
}

fn credentials() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN/////////wEaCXVzLXdlc3QtMiJHMEUCIQD".to_owned()),
        None,
        "bench",
    )
}

/// The unsigned request both paths sign.
fn template() -> Request<()> {
    Request::post(URI)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("accept-encoding", "gzip, br")
        .header("content-length", "348")
        .header("user-agent", "lattice-bench/0.1")
        .header("x-request-id", "5f0c6a1e-8b7d-4c1e-9a57-0d9e3c2b1a00")
        .header("x-tenant-id", "tenant-0042")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(())
        .expect("valid request")
}

fn signer(sigv4a: bool) -> Signer {
    let builder = Signer::builder()
        .credentials(credentials())
        .time_source(StaticTimeSource::new(at()));
    let builder = if sigv4a {
        builder.sigv4a(REGION_SET)
    } else {
        builder
    };
    builder.build().expect("valid signer")
}

/// Signs with `aws-sigv4` directly, as a caller without this crate would.
#[inline(never)]
fn sign_direct(request: &mut Request<()>, credentials: &Credentials, sigv4a: bool) {
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params: SigningParams<'_> = if sigv4a {
        v4a::SigningParams::builder()
            .identity(&identity)
            .region_set(REGION_SET)
            .name(SIGNING_NAME)
            .time(at())
            .settings(settings)
            .build()
            .expect("valid params")
            .into()
    } else {
        v4::SigningParams::builder()
            .identity(&identity)
            .region(REGION)
            .name(SIGNING_NAME)
            .time(at())
            .settings(settings)
            .build()
            .expect("valid params")
            .into()
    };
    let instructions = {
        let uri = request.uri().to_string();
        let host = request.uri().authority().expect("absolute URI").as_str();
        let headers = std::iter::once(("host", host)).chain(
            request
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str(), value.to_str().expect("ASCII header"))),
        );
        let signable = SignableRequest::new(
            request.method().as_str(),
            &uri,
            headers,
            SignableBody::UnsignedPayload,
        )
        .expect("signable request");
        let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params)
            .expect("signed")
            .into_parts();
        instructions
    };
    instructions.apply_to_request_http1x(request);
}

#[inline(never)]
fn sign_ours(signer: &Signer, request: &mut Request<()>, credentials: &Credentials) {
    black_box(signer.sign_with(request, credentials).expect("signed"));
}

/// Both paths must produce the same signature, or the comparison means nothing.
fn check_same_signature(signer: &Signer, credentials: &Credentials) {
    let mut ours = template();
    sign_ours(signer, &mut ours, credentials);
    let mut direct = template();
    sign_direct(&mut direct, credentials, false);
    assert_eq!(
        ours.headers()["authorization"],
        direct.headers()["authorization"],
        "the two paths must sign identically"
    );
}

fn criterion_benches(c: &mut Criterion, credentials: &Credentials) {
    for (group_name, sigv4a) in [("sign/sigv4", false), ("sign/sigv4a", true)] {
        let signer = signer(sigv4a);
        let mut group = c.benchmark_group(group_name);
        group.bench_function("lattice", |b| {
            b.iter_batched_ref(
                template,
                |request| sign_ours(&signer, request, credentials),
                BatchSize::SmallInput,
            );
        });
        group.bench_function("aws-sigv4", |b| {
            b.iter_batched_ref(
                template,
                |request| sign_direct(request, credentials, sigv4a),
                BatchSize::SmallInput,
            );
        });
        group.finish();
    }
}

/// Mean time per request of `sign` over `n` fresh requests (cloned beforehand,
/// outside the timed loop).
fn time_batch(n: usize, mut sign: impl FnMut(&mut Request<()>)) -> Duration {
    let mut requests: Vec<Request<()>> = (0..n).map(|_| template()).collect();
    let start = Instant::now();
    for request in &mut requests {
        sign(request);
    }
    let elapsed = start.elapsed();
    black_box(&requests);
    elapsed / u32::try_from(n).expect("small batch")
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Interleaved rounds of both paths; returns the medians (ours, direct).
fn compare(
    rounds: usize,
    batch: usize,
    signer: &Signer,
    credentials: &Credentials,
    sigv4a: bool,
) -> (Duration, Duration) {
    let mut ours = Vec::with_capacity(rounds);
    let mut direct = Vec::with_capacity(rounds);
    // Warm up both paths.
    time_batch(batch, |r| sign_ours(signer, r, credentials));
    time_batch(batch, |r| sign_direct(r, credentials, sigv4a));
    for round in 0..rounds {
        // Alternate which path goes first so neither always gets the warmer cache.
        if round % 2 == 0 {
            ours.push(time_batch(batch, |r| sign_ours(signer, r, credentials)));
            direct.push(time_batch(batch, |r| sign_direct(r, credentials, sigv4a)));
        } else {
            direct.push(time_batch(batch, |r| sign_direct(r, credentials, sigv4a)));
            ours.push(time_batch(batch, |r| sign_ours(signer, r, credentials)));
        }
    }
    (median(ours), median(direct))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let credentials = credentials();
    check_same_signature(&signer(false), &credentials);

    let mut criterion = Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    criterion_benches(&mut criterion, &credentials);
    criterion.final_summary();

    // `cargo test --benches` runs each benchmark once without `--bench`, and
    // `--profile-time` is for profilers: skip the timed comparison there.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--profile-time") {
        return;
    }

    for (label, sigv4a, rounds, batch, target) in [
        ("sigv4", false, 31, 2_000, TARGET_V4),
        ("sigv4a", true, 15, 200, TARGET_V4A),
    ] {
        let signer = signer(sigv4a);
        let (ours, direct) = compare(rounds, batch, &signer, &credentials, sigv4a);
        let ours_allocs = allocations(|r| sign_ours(&signer, r, &credentials));
        let direct_allocs = allocations(|r| sign_direct(r, &credentials, sigv4a));
        let speedup = direct.as_secs_f64() / ours.as_secs_f64();
        println!(
            "{label}: ours {:.2} µs ({} ns, {ours_allocs} allocs/sign), aws-sigv4 {:.2} µs \
             ({direct_allocs} allocs/sign), speedup {speedup:.2}× (target ≥ {target:.1}×){}",
            micros(ours),
            ours.as_nanos(),
            micros(direct),
            if speedup < target {
                " BELOW TARGET"
            } else {
                ""
            },
        );
    }
    primitives();
}

/// Allocations per call of `sign` on a fresh request (the request itself is
/// built before counting).
fn allocations(mut sign: impl FnMut(&mut Request<()>)) -> u64 {
    const N: usize = 1_000;
    let mut requests: Vec<Request<()>> = (0..N).map(|_| template()).collect();
    sign(&mut template());
    let region = Region::new(GLOBAL);
    for request in &mut requests {
        sign(request);
    }
    let change = region.change();
    black_box(&requests);
    (change.allocations + change.reallocations) as u64 / N as u64
}

/// SHA-256 of a canonical request (600 bytes) plus HMAC-SHA256 of a string
/// to sign (150 bytes) with a prepared key: the per-request crypto of SigV4,
/// in both backends.
fn primitives() {
    use hmac::{KeyInit, Mac};
    use sha2::Digest;
    let creq = vec![b'a'; 600];
    let sts = vec![b'b'; 150];
    let lc_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &[7u8; 32]);
    let rc_key = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&[7u8; 32]).expect("key");
    let lc = || {
        black_box(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            black_box(&creq),
        ));
        black_box(aws_lc_rs::hmac::sign(&lc_key, black_box(&sts)));
    };
    let rc = || {
        black_box(sha2::Sha256::digest(black_box(&creq)));
        let mut mac = rc_key.clone();
        mac.update(black_box(&sts));
        black_box(mac.finalize());
    };
    let time = |f: &dyn Fn()| {
        let n = 20_000u32;
        let start = Instant::now();
        for _ in 0..n {
            f();
        }
        start.elapsed() / n
    };
    let mut lc_times = Vec::new();
    let mut rc_times = Vec::new();
    for _ in 0..15 {
        lc_times.push(time(&lc));
        rc_times.push(time(&rc));
    }
    let (lc, rc) = (median(lc_times), median(rc_times));
    println!(
        "primitives (sha256 600 B + hmac 150 B): aws-lc-rs {} ns, RustCrypto sha2/hmac {} ns, ratio {:.2}",
        lc.as_nanos(),
        rc.as_nanos(),
        rc.as_secs_f64() / lc.as_secs_f64(),
    );
}
