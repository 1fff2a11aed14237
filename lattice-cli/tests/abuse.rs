//! `lattice fake` under load and abuse: idle connections, slowloris
//! clients, HTTP/2 stream and reset floods, oversized headers and a soak of
//! signed requests.
//!
//! The fake runs as its own process (the built `lattice` binary), so its
//! memory is measured alone, from `/proc/PID/status`. While each attack
//! runs, a well-behaved client sends a signed request every 200 ms; every
//! one of them must be answered `200` within the probe deadline, and the
//! fake's resident memory must not grow between two rounds of the same
//! attack (the first round warms the allocator; a leak shows in the second).
//!
//! The short versions here run in `.ci/run` in a few seconds each. The long
//! versions (1,000 idle connections held for 70 s, 200 slowloris clients
//! for 45 s, 30 s floods, 100,000 signed requests) run with
//!
//! ```text
//! LATTICE_ABUSE=long cargo test --release -p lattice-cli --test abuse -- --nocapture --test-threads 1
//! ```
//!
//! and print the figures the README's reliability table quotes. Everything
//! stays on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use lattice_client::reqwest::LatticeClient;
use lattice_client::resolve::Resolver;
use lattice_client::{Credentials, Signer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::{AKID, SECRET, spawn_fake};

/// How hard the tests push: the short CI version or the long one.
#[derive(Debug, Clone, Copy)]
struct Scale {
    long: bool,
    idle_connections: usize,
    idle_hold: Duration,
    slowloris_connections: usize,
    slowloris_for: Duration,
    flood_for: Duration,
    resets: usize,
    oversized_requests: usize,
    soak_requests: usize,
    /// The probe deadline: 1 s in the long run (the target); more in the
    /// short run, which shares two cores with the rest of the test suite.
    probe_deadline: Duration,
}

impl Scale {
    fn get() -> Scale {
        let long = std::env::var("LATTICE_ABUSE").is_ok_and(|v| v == "long");
        if long {
            Scale {
                long,
                idle_connections: 1_000,
                // Past the fake's 60 s idle timeout: it closes them itself.
                idle_hold: Duration::from_secs(70),
                slowloris_connections: 200,
                // Past hyper's 30 s header-read timeout.
                slowloris_for: Duration::from_secs(45),
                flood_for: Duration::from_secs(30),
                resets: 100_000,
                oversized_requests: 1_000,
                soak_requests: 100_000,
                probe_deadline: Duration::from_secs(1),
            }
        } else {
            Scale {
                long,
                idle_connections: 1_000,
                idle_hold: Duration::from_secs(2),
                slowloris_connections: 200,
                slowloris_for: Duration::from_secs(3),
                flood_for: Duration::from_secs(2),
                resets: 5_000,
                oversized_requests: 100,
                soak_requests: 2_000,
                probe_deadline: Duration::from_secs(5),
            }
        }
    }
}

/// Memory of a process, from `/proc/PID/status`, in KiB.
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss: u64,
    peak: u64,
}

impl Memory {
    fn of(pid: u32) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .expect("/proc/PID/status (these tests need Linux)");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
        };
        Memory {
            rss: field("VmRSS:"),
            peak: field("VmHWM:"),
        }
    }
}

/// A running `lattice fake` on the CLI tests' fixture, its access log
/// discarded, with a signing client for its `orders` service (HTTP).
struct Subject {
    child: Child,
    /// The `orders` listener's address.
    addr: SocketAddr,
    /// `NAME:PORT`, the `Host` of `orders`.
    host: String,
    url: String,
    client: LatticeClient,
}

impl Subject {
    fn start() -> Subject {
        // The access log would fill the pipe: discard it.
        let (child, _, _, ready) = spawn_fake(&["--access-log", "/dev/null"]);
        let orders = ready["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["service"] == "orders")
            .unwrap();
        let addr: SocketAddr = orders["address"].as_str().unwrap().parse().unwrap();
        let dns = orders["dnsName"].as_str().unwrap().to_owned();
        let host = format!("{dns}:{}", addr.port());
        let resolver = Resolver::new()
            .without_system_fallback()
            .with_override(&dns, [IpAddr::V4(Ipv4Addr::LOCALHOST)])
            .unwrap();
        let signer = Signer::builder()
            .credentials(Credentials::new(AKID, SECRET, None, None, "abuse-test"))
            .build()
            .unwrap();
        let client = LatticeClient::builder(signer)
            .resolver(resolver)
            .build()
            .unwrap();
        Subject {
            child,
            addr,
            url: format!("http://{host}/"),
            host,
            client,
        }
    }

    fn memory(&self) -> Memory {
        Memory::of(self.child.id())
    }

    /// One signed `GET`: `Ok` with its latency when answered `200`.
    async fn call(&self, deadline: Duration) -> Result<Duration, String> {
        let start = Instant::now();
        let sent = tokio::time::timeout(deadline, async {
            let response = self
                .client
                .get(&self.url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let body = response.bytes().await.map_err(|e| e.to_string())?;
            if status == 200 {
                Ok(())
            } else {
                Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
            }
        })
        .await;
        match sent {
            Ok(Ok(())) => Ok(start.elapsed()),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(format!("no answer within {deadline:?}")),
        }
    }
}

impl Drop for Subject {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A well-behaved client probing every 200 ms while an attack runs.
struct Probe {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<(usize, Duration, Vec<String>)>,
}

impl Probe {
    fn start(subject: &Arc<Subject>, deadline: Duration) -> Probe {
        let stop = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn({
            let subject = subject.clone();
            let stop = stop.clone();
            async move {
                let (mut answered, mut worst, mut failures) = (0, Duration::ZERO, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    match subject.call(deadline).await {
                        Ok(latency) => {
                            answered += 1;
                            worst = worst.max(latency);
                        }
                        Err(e) => failures.push(e),
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                (answered, worst, failures)
            }
        });
        Probe { stop, task }
    }

    /// Stops probing; panics unless every probe was answered in time.
    async fn finish(self, attack: &str) -> Duration {
        self.stop.store(true, Ordering::Relaxed);
        let (answered, worst, failures) = self.task.await.unwrap();
        assert!(
            failures.is_empty(),
            "{attack}: {} of {} probes failed: {:?}",
            failures.len(),
            answered + failures.len(),
            &failures[..failures.len().min(5)]
        );
        assert!(answered > 0, "{attack}: no probe ran");
        println!("{attack}: {answered} probes answered, slowest {worst:?}");
        worst
    }
}

/// Runs `attack` twice with a probe; asserts memory does not grow between
/// the rounds by more than `slack_kib`, and prints the figures.
async fn two_rounds<F, Fut>(subject: &Arc<Subject>, name: &str, slack_kib: u64, attack: F)
where
    F: Fn(Arc<Subject>) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let scale = Scale::get();
    // Warm the client's pool and the fake before the first reading.
    subject.call(scale.probe_deadline).await.unwrap();
    let start = subject.memory();
    let mut after = Vec::new();
    for round in 1..=2 {
        let probe = Probe::start(subject, scale.probe_deadline);
        let summary = attack(subject.clone()).await;
        let worst = probe.finish(name).await;
        // Let the fake finish closing what the attack left behind.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let memory = subject.memory();
        println!(
            "{name} round {round}: {summary}; fake RSS {} KiB (start {} KiB, peak {} KiB); slowest probe {worst:?}",
            memory.rss, start.rss, memory.peak
        );
        after.push(memory);
    }
    let growth = after[1].rss.saturating_sub(after[0].rss);
    assert!(
        growth <= slack_kib,
        "{name}: the fake's RSS grew by {growth} KiB in the second round ({} → {} KiB)",
        after[0].rss,
        after[1].rss
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_connections_do_not_starve_other_clients() {
    let subject = Arc::new(Subject::start());
    let scale = Scale::get();
    two_rounds(&subject, "idle connections", 16 * 1024, |s| async move {
        let mut held = Vec::with_capacity(scale.idle_connections);
        for _ in 0..scale.idle_connections {
            held.push(TcpStream::connect(s.addr).await.expect("connect"));
        }
        tokio::time::sleep(scale.idle_hold).await;
        // In the long run the fake's idle timeout (60 s) has closed them all.
        let mut closed_by_fake = 0;
        for stream in &mut held {
            let mut byte = [0u8; 1];
            if let Ok(Ok(0)) =
                tokio::time::timeout(Duration::from_millis(1), stream.read(&mut byte)).await
            {
                closed_by_fake += 1;
            }
        }
        if scale.long {
            assert_eq!(closed_by_fake, held.len(), "idle connections outlived 60 s");
        }
        format!(
            "{} connections held {:?}, {closed_by_fake} closed by the fake",
            held.len(),
            scale.idle_hold
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_clients_do_not_starve_other_clients() {
    let subject = Arc::new(Subject::start());
    let scale = Scale::get();
    two_rounds(&subject, "slowloris", 16 * 1024, |s| async move {
        let head = format!("GET / HTTP/1.1\r\nhost: {}\r\nx-slow: ", s.host);
        let closed = Arc::new(AtomicU64::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..scale.slowloris_connections {
            let (head, closed, addr) = (head.clone(), closed.clone(), s.addr);
            tasks.spawn(async move {
                let mut stream = TcpStream::connect(addr).await.expect("connect");
                let until = Instant::now() + scale.slowloris_for;
                // One header byte per second, never finishing the head.
                for byte in head.bytes().chain(std::iter::repeat(b'a')) {
                    if Instant::now() >= until {
                        break;
                    }
                    if stream.write_all(&[byte]).await.is_err() {
                        closed.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        let closed = closed.load(Ordering::Relaxed);
        if scale.long {
            // hyper's header-read timeout (30 s) cut every one of them.
            assert_eq!(closed as usize, scale.slowloris_connections);
        }
        format!(
            "{} clients for {:?}, {closed} cut off by the fake",
            scale.slowloris_connections, scale.slowloris_for
        )
    })
    .await;
}

/// An HTTP/2 (prior knowledge) connection to the `orders` listener.
async fn h2_connection(s: &Subject) -> Option<h2::client::SendRequest<Bytes>> {
    let tcp = TcpStream::connect(s.addr).await.ok()?;
    let (send, connection) = h2::client::handshake(tcp).await.ok()?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Some(send)
}

/// Reads a response to its end (an unread body would be reset).
async fn read_h2_response(response: h2::client::ResponseFuture) -> Result<(), h2::Error> {
    let mut body = response.await?.into_body();
    while let Some(chunk) = body.data().await {
        let chunk = chunk?;
        let _ = body.flow_control().release_capacity(chunk.len());
    }
    Ok(())
}

fn h2_request(s: &Subject) -> http::Request<()> {
    http::Request::get(format!("http://{}/flood", s.host))
        .body(())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_stream_flood_does_not_starve_other_clients() {
    let subject = Arc::new(Subject::start());
    let scale = Scale::get();
    two_rounds(&subject, "h2 stream flood", 32 * 1024, |s| async move {
        let until = Instant::now() + scale.flood_for;
        let (mut opened, mut answered, mut connections) = (0u64, 0u64, 0u64);
        let mut ended = Vec::new();
        'connections: while Instant::now() < until {
            let Some(mut send) = h2_connection(&s).await else {
                continue;
            };
            connections += 1;
            let mut pending = futures_util::stream::FuturesUnordered::new();
            while Instant::now() < until {
                // As many streams as the fake's concurrency limit lets in.
                send = match send.ready().await {
                    Ok(ready) => ready,
                    Err(e) => {
                        ended.push(e.to_string());
                        continue 'connections;
                    }
                };
                let response = match send.send_request(h2_request(&s), true) {
                    Ok((response, _)) => response,
                    Err(e) => {
                        // The connection ended (GOAWAY or its lifetime).
                        ended.push(e.to_string());
                        continue 'connections;
                    }
                };
                opened += 1;
                pending.push(read_h2_response(response));
                while pending.len() > 256 {
                    use futures_util::StreamExt as _;
                    match pending.next().await {
                        Some(Ok(())) => answered += 1,
                        Some(Err(e)) => ended.push(e.to_string()),
                        None => {}
                    }
                }
            }
            use futures_util::StreamExt as _;
            while let Some(r) = pending.next().await {
                match r {
                    Ok(()) => answered += 1,
                    Err(e) => ended.push(e.to_string()),
                }
            }
        }
        ended.sort();
        ended.dedup();
        format!(
            "{opened} streams opened on {connections} connections, {answered} answered; errors: {ended:?}"
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http2_reset_flood_does_not_starve_other_clients() {
    let subject = Arc::new(Subject::start());
    let scale = Scale::get();
    two_rounds(&subject, "h2 reset flood", 32 * 1024, |s| async move {
        let (mut reset, mut connections) = (0usize, 0u64);
        let started = Instant::now();
        'connections: while reset < scale.resets {
            // The fake may answer a flood of resets with GOAWAY: reconnect.
            let Some(mut send) = h2_connection(&s).await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            connections += 1;
            while reset < scale.resets {
                send = match send.ready().await {
                    Ok(send) => send,
                    Err(_) => continue 'connections,
                };
                // Open a stream and cancel it at once (RST_STREAM): the
                // "rapid reset" pattern.
                let Ok((response, _)) = send.send_request(h2_request(&s), true) else {
                    continue 'connections;
                };
                drop(response);
                reset += 1;
            }
        }
        format!(
            "{reset} streams reset on {connections} connections in {:?}",
            started.elapsed()
        )
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_headers_are_refused_without_harm() {
    let subject = Arc::new(Subject::start());
    let scale = Scale::get();
    two_rounds(&subject, "oversized headers", 16 * 1024, |s| async move {
        let mut statuses = std::collections::BTreeMap::<String, usize>::new();
        for i in 0..scale.oversized_requests {
            // 64 KiB: past the fake's (Lattice's) 60 KB; 1 MiB: past
            // hyper's read buffer.
            let size = if i % 2 == 0 { 64 * 1024 } else { 1024 * 1024 };
            let mut stream = TcpStream::connect(s.addr).await.expect("connect");
            let request = format!(
                "GET / HTTP/1.1\r\nhost: {}\r\nx-big: {}\r\nconnection: close\r\n\r\n",
                s.host,
                "a".repeat(size)
            );
            // The fake may stop reading (and close) before the whole head
            // is written.
            let _ = stream.write_all(request.as_bytes()).await;
            let mut answer = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
                    .await;
            assert!(read.is_ok(), "no answer and no close within 10 s");
            let status = String::from_utf8_lossy(&answer)
                .get(9..12)
                .unwrap_or("closed")
                .to_owned();
            assert!(
                status == "closed" || status.starts_with('4'),
                "a {size}-byte header got {status}"
            );
            *statuses.entry(format!("{size} B → {status}")).or_default() += 1;
        }
        format!("{statuses:?}")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_soak_of_signed_requests_has_no_errors_and_flat_memory() {
    let subject = Arc::new(Subject::start());
    let scale = Scale::get();
    subject.call(scale.probe_deadline).await.unwrap();
    let before = subject.memory();
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (subject, next) = (subject.clone(), next.clone());
        workers.spawn(async move {
            let mut errors = Vec::new();
            let mut midway = None;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= scale.soak_requests as u64 {
                    break;
                }
                if n == scale.soak_requests as u64 / 2 {
                    midway = Some(subject.memory());
                }
                if let Err(e) = subject.call(Duration::from_secs(30)).await {
                    errors.push(e);
                }
            }
            (errors, midway)
        });
    }
    let (mut errors, mut midway) = (Vec::new(), None);
    while let Some(done) = workers.join_next().await {
        let (e, m) = done.unwrap();
        errors.extend(e);
        midway = midway.or(m);
    }
    let elapsed = started.elapsed();
    let after = subject.memory();
    let midway = midway.expect("a worker read the memory midway");
    println!(
        "soak: {} signed requests in {elapsed:?} ({:.0}/s), {} errors; fake RSS before {} KiB, midway {} KiB, after {} KiB; peak before {} KiB, after {} KiB",
        scale.soak_requests,
        scale.soak_requests as f64 / elapsed.as_secs_f64(),
        errors.len(),
        before.rss,
        midway.rss,
        after.rss,
        before.peak,
        after.peak
    );
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(5)]);
    // The second half of the soak must not grow the fake: the access log it
    // keeps for `/_fake/access-log` is bounded, and nothing else is held.
    let growth = after.rss.saturating_sub(midway.rss);
    assert!(
        growth <= 16 * 1024,
        "the fake's RSS grew by {growth} KiB in the second half of the soak"
    );
}
