//! A 256 MiB upload streamed through the signing reqwest client does not grow
//! the heap by more than 16 MiB.
//!
//! Its own binary, like `stream_memory_hyper`, because it installs a counting
//! global allocator (`peak_alloc`) and measures the whole process. Run it with
//! `cargo test -p lattice-tests --test stream_memory_reqwest -- --nocapture`
//! to see the figure.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream;
use lattice_client::Signer;
use lattice_client::reqwest::LatticeClient;
use lattice_tests::{
    CaptureServer, Protocol, SERVICE_NAME, loopback_resolver, temporary_credentials,
};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const CHUNK: usize = 64 * 1024;
const TOTAL: u64 = 256 * 1024 * 1024;
const LIMIT: usize = 16 * 1024 * 1024;

/// One 64 KiB chunk every frame points at: no per-chunk allocation of data.
static ZEROS: [u8; CHUNK] = [0; CHUNK];

fn body(bytes: u64) -> reqwest::Body {
    let chunks = bytes / CHUNK as u64;
    reqwest::Body::wrap_stream(stream::iter(
        (0..chunks).map(|_| Ok::<_, Infallible>(Bytes::from_static(&ZEROS))),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_256_mib_through_reqwest_stays_under_16_mib_of_heap_growth() {
    let server = CaptureServer::plain(Protocol::Http1).await.expect("server");
    let signer = Signer::builder()
        .credentials(temporary_credentials())
        .build()
        .expect("signer");
    let client = LatticeClient::builder(signer)
        .resolver(loopback_resolver().expect("resolver"))
        .platform_roots(false)
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("{}/upload", server.origin(SERVICE_NAME));

    // Warm up: connection, pools, buffers and lazily initialised statics.
    let warm = client
        .put(&url)
        .body(body(4 * CHUNK as u64))
        .send()
        .await
        .expect("warm-up");
    assert_eq!(warm.status(), 200);

    let baseline = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let started = Instant::now();
    let response = client
        .put(&url)
        .body(body(TOTAL))
        .send()
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
        "stream_memory_reqwest: uploaded {} MiB in {:.2?}; heap baseline {:.2} MiB, peak {:.2} MiB, peak growth {:.2} MiB (limit {} MiB)",
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
