//! Peak memory of a large streamed upload through the signed hyper client.
//!
//! Run with `cargo bench -p lattice-tests --bench stream_memory` (a release
//! build). It uploads 1 GiB over `http://` HTTP/1.1 to an in-process hyper
//! server on loopback that counts and discards the bytes, checks that every
//! byte arrived, and prints the growth of live heap allocations over the
//! upload:
//!
//! ```text
//! 1 GiB streamed: peak allocation growth 0.42 MiB
//! ```
//!
//! Set `LATTICE_STREAM_MIB` to upload less (e.g. `LATTICE_STREAM_MIB=64` for a
//! quick run). Without `--bench` (as under `cargo test --benches`) the default
//! is 8 MiB.
//!
//! Allocations are counted by `peak_alloc` (the same counting allocator as
//! the streaming-memory tests; the workspace forbids `unsafe_code`, so the
//! bench cannot implement `GlobalAlloc` itself). The peak is reset after the
//! warm-up, so the figure is the upload's own peak growth.

mod common;

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Instant;

use anyhow::Context as _;
use bytes::Bytes;
use http::Request;
use http_body::{Body, Frame, SizeHint};
use lattice_tower::hyper::SignedHyperClient;

use common::{client_builder, read_text, spawn_server};

#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

const MIB: u64 = 1024 * 1024;
/// The body is this static block repeated: producing it allocates nothing.
static CHUNK: [u8; 64 * 1024] = [0x5a; 64 * 1024];

/// A request body of `remaining` bytes, produced chunk by chunk.
#[derive(Debug)]
struct Repeat {
    remaining: u64,
}

impl Body for Repeat {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(CHUNK.len() as u64);
        self.remaining -= n;
        let chunk: &'static [u8] = &CHUNK[..n as usize];
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Uploads `bytes` bytes; returns the count the server reports.
async fn upload(client: &SignedHyperClient<Repeat>, url: &str, bytes: u64) -> anyhow::Result<u64> {
    let request = Request::put(url).body(Repeat { remaining: bytes })?;
    let response = client.request(request).await?;
    read_text(response)
        .await?
        .parse()
        .context("the server answers with a byte count")
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / MIB as f64
}

fn describe(bytes: u64) -> String {
    if bytes.is_multiple_of(1024 * MIB) {
        format!("{} GiB", bytes / (1024 * MIB))
    } else if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn main() -> anyhow::Result<()> {
    let bench = std::env::args().any(|a| a == "--bench");
    let size_mib: u64 = match std::env::var("LATTICE_STREAM_MIB") {
        Ok(v) => v
            .parse()
            .with_context(|| format!("LATTICE_STREAM_MIB={v} is not a number of MiB"))?,
        Err(_) if bench => 1024,
        Err(_) => 8,
    };
    let total = size_mib * MIB;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let server = spawn_server(None).await?;
        let client = client_builder(None)?.build::<Repeat>()?;
        let url = server.url("http", "/upload");

        // Warm up with a small body: open the connection and build lazily
        // created state, without reaching the streaming buffers' high-water
        // mark (so that the upload itself sets the peak).
        let warm_up = 4096;
        anyhow::ensure!(upload(&client, &url, warm_up).await? == warm_up);

        let received_before = server.counters.body_bytes.load(Ordering::SeqCst);
        let baseline = ALLOCATOR.current_usage();
        ALLOCATOR.reset_peak_usage();
        let start = Instant::now();
        let echoed = upload(&client, &url, total).await?;
        let elapsed = start.elapsed();
        let peak = ALLOCATOR.peak_usage();
        let received = server.counters.body_bytes.load(Ordering::SeqCst) - received_before;

        anyhow::ensure!(
            echoed == total,
            "the server reported {echoed} bytes, sent {total}"
        );
        anyhow::ensure!(
            received == total,
            "the server counted {received} bytes, sent {total}"
        );
        anyhow::ensure!(
            server.counters.signed.load(Ordering::SeqCst) == 2,
            "both uploads must be signed"
        );

        let growth = peak.saturating_sub(baseline);
        println!(
            "{} streamed: peak allocation growth {:.2} MiB \
             (live heap before {:.2} MiB, {:.0} MiB/s)",
            describe(total),
            mib(growth),
            mib(baseline),
            total as f64 / MIB as f64 / elapsed.as_secs_f64(),
        );
        anyhow::Ok(())
    })
}
