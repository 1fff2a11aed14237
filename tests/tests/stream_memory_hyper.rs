//! A 256 MiB upload streamed through the signed hyper client does not grow
//! the heap by more than 16 MiB.
//!
//! This test has its own binary because it installs a counting global
//! allocator (`peak_alloc`, which keeps the `unsafe impl GlobalAlloc` out of
//! this workspace) and measures the whole process. Run it with
//! `cargo test -p lattice-tests --test stream_memory_hyper -- --nocapture` to
//! see the figure.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream;
use http::Request;
use http_body::Frame;
use http_body_util::StreamBody;
use http_body_util::combinators::BoxBody;
use lattice_client::Signer;
use lattice_tests::{
    CaptureServer, Protocol, SERVICE_NAME, loopback_resolver, temporary_credentials,
};
use lattice_tower::hyper::HyperClientBuilder;
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const CHUNK: usize = 64 * 1024;
const TOTAL: u64 = 256 * 1024 * 1024;
const LIMIT: usize = 16 * 1024 * 1024;

/// One 64 KiB chunk every frame points at: no per-chunk allocation of data.
static ZEROS: [u8; CHUNK] = [0; CHUNK];

fn body(bytes: u64) -> BoxBody<Bytes, Infallible> {
    let chunks = bytes / CHUNK as u64;
    let frames = stream::iter(
        (0..chunks).map(|_| Ok::<_, Infallible>(Frame::data(Bytes::from_static(&ZEROS)))),
    );
    BoxBody::new(StreamBody::new(frames))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_256_mib_through_hyper_stays_under_16_mib_of_heap_growth() {
    let server = CaptureServer::plain(Protocol::Http1).await.expect("server");
    let signer = Signer::builder()
        .credentials(temporary_credentials())
        .build()
        .expect("signer");
    let client = HyperClientBuilder::new(signer)
        .resolver(loopback_resolver().expect("resolver"))
        .platform_roots(false)
        .build::<BoxBody<Bytes, Infallible>>()
        .expect("client");
    let url = format!("{}/upload", server.origin(SERVICE_NAME));

    // Warm up: connection, pools, buffers and lazily initialised statics.
    let warm = client
        .request(
            Request::put(&url)
                .body(body(4 * CHUNK as u64))
                .expect("request"),
        )
        .await
        .expect("warm-up");
    assert_eq!(warm.status(), 200);

    let baseline = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let started = Instant::now();
    let response = client
        .request(Request::put(&url).body(body(TOTAL)).expect("request"))
        .await
        .expect("upload");
    assert_eq!(response.status(), 200);
    server
        .wait_for_bodies(2, Duration::from_secs(60))
        .await
        .expect("body read");
    let elapsed = started.elapsed();
    let peak = ALLOC.peak_usage();
    let growth = peak.saturating_sub(baseline);

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].body_len, Some(TOTAL), "every byte arrived");
    assert!(requests[1].headers.contains_key("authorization"));
    println!(
        "stream_memory_hyper: uploaded {} MiB in {:.2?}; heap baseline {:.2} MiB, peak {:.2} MiB, peak growth {:.2} MiB (limit {} MiB)",
        TOTAL / (1024 * 1024),
        elapsed,
        baseline as f64 / (1024.0 * 1024.0),
        peak as f64 / (1024.0 * 1024.0),
        growth as f64 / (1024.0 * 1024.0),
        LIMIT / (1024 * 1024),
    );
    assert!(
        growth < LIMIT,
        "peak heap growth {growth} bytes during a streamed upload; the body is being buffered"
    );
}
