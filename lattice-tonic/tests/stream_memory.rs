//! A large client-streaming RPC through the signed channel does not grow the
//! heap with its size: the request stream is sent as it is produced.
//!
//! This test has its own binary because it installs a counting global
//! allocator (`peak_alloc`, which keeps the `unsafe impl GlobalAlloc` out of
//! this workspace) and measures the whole process — client and server. Run
//! it with `cargo test -p lattice-tonic --all-features --test stream_memory
//! -- --nocapture` to see the figures.

mod common;

use std::time::Instant;

use bytes::Bytes;
use common::{Options, TestServer, credentials};
use lattice_examples::grpc_echo::EchoRequest;
use lattice_examples::grpc_echo::echo_client::EchoClient;
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const MESSAGE: usize = 256 * 1024;
const TOTAL: usize = 256 * 1024 * 1024;
const LIMIT: usize = 16 * 1024 * 1024;

/// One payload every message points at: no per-message allocation of data.
static PAYLOAD: [u8; MESSAGE] = [0x5a; MESSAGE];

fn messages(total: usize) -> impl futures_util::Stream<Item = EchoRequest> {
    futures_util::stream::iter((0..total / MESSAGE).map(|_| EchoRequest {
        payload: Bytes::from_static(&PAYLOAD),
        ..Default::default()
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_256_mib_client_stream_stays_under_16_mib_of_heap_growth() {
    let server = TestServer::start(Options::default()).await.expect("server");
    let channel = server
        .endpoint()
        .credentials(credentials())
        .connect()
        .await
        .expect("channel");
    let mut client = EchoClient::new(channel);

    // Warm up: connection, buffers, lazily initialised statics.
    let warm = client
        .client_stream(messages(4 * MESSAGE))
        .await
        .expect("warm-up")
        .into_inner();
    assert_eq!(warm.messages_received, 4);

    let baseline = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let started = Instant::now();
    let reply = client
        .client_stream(messages(TOTAL))
        .await
        .expect("upload")
        .into_inner();
    let elapsed = started.elapsed();
    let peak = ALLOC.peak_usage();
    let growth = peak.saturating_sub(baseline);

    assert_eq!(reply.bytes_received, TOTAL as u64, "every byte arrived");
    assert_eq!(reply.messages_received, (TOTAL / MESSAGE) as u64);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter().all(|s| s.verified.is_ok()),
        "signed and verified"
    );
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "stream_memory (gRPC client stream): {} MiB in {} messages in {elapsed:.2?}; heap baseline {:.2} MiB, \
         peak {:.2} MiB, peak growth {:.2} MiB (limit {} MiB)",
        TOTAL / (1024 * 1024),
        TOTAL / MESSAGE,
        mib(baseline),
        mib(peak),
        mib(growth),
        LIMIT / (1024 * 1024),
    );
    assert!(
        growth < LIMIT,
        "peak heap growth {growth} bytes during a streamed RPC; the stream is being buffered"
    );
}
