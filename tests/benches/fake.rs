//! The fake Lattice against a bare hyper server: start-up time with and
//! without TLS, requests per second through the fake's request path, and heap
//! per idle connection.
//!
//! Run with `cargo bench -p lattice-tests --bench fake` (a quick run:
//! `-- --measurement-time 3 --warm-up-time 1`). Everything runs in this
//! process on 127.0.0.1, servers and clients on one two-worker Tokio runtime.
//! Criterion measures its groups first; then the bench measures each figure
//! again in interleaved rounds and prints it with its ratio, one line per
//! figure, each line starting with `fake `:
//!
//! * **start**: `build()` + `start()` + `shutdown()` of five services with
//!   an `HTTP` listener each, against the same five with `HTTPS` listeners
//!   (a CA and five ECDSA P-256 leaf certificates generated on each start);
//!   ratio TLS/no-TLS.
//! * **requests**: GET round trips per second through the fake (the
//!   signature verified, an `AWS_IAM` network whose auth policy allows
//!   `vpc-lattice-svcs:Invoke`, one listener rule, an in-process
//!   `Target::service` answering a fixed 22-byte body, the access log)
//!   against a bare hyper-util auto server answering with the same
//!   `service_fn`, over `http://` HTTP/1.1 keep-alive and over `https://`
//!   HTTP/2 (ALPN; the bare server has an rcgen ECDSA P-256 certificate, as
//!   the fake does). Four cases, each with its own client:
//!   `fake-signed` (the signed hyper client), `fake-anonymous` (the same
//!   client without its signing layer: the policy allows anonymous callers,
//!   so this is the fake without signature verification), `bare-signed` and
//!   `bare-unsigned`. Ratios: fake-signed/bare-unsigned (the issue's goal is
//!   at least 0.5), fake-signed/bare-signed (the fake alone, same client),
//!   fake-anonymous/bare-unsigned (the fake without signature verification),
//!   bare-signed/bare-unsigned (the client's signing alone); then the extra
//!   time per request each part adds.
//! * **idle connections**: heap growth per HTTP/1.1 keep-alive connection
//!   that made one signed request and is now idle, for the fake and for the
//!   bare server, and for a listener that only keeps the accepted sockets
//!   (the share of the two socket handles, client and server side, which is
//!   part of both figures). The client writes the request and reads the
//!   response on a plain `TcpStream`, so it keeps nothing else per
//!   connection. The fake keeps no access-log records here (capacity 0).
//!
//! Allocations are counted by `peak_alloc` (the counting allocator of the
//! streaming-memory tests and bench). It counts every allocation of the
//! process, so the request measurements run on it too; a run with the
//! allocator removed gave the same request ratios within run-to-run noise.
//!
//! Under `cargo test --benches` (no `--bench` argument) criterion runs each
//! function once and the interleaved measurements run at a tiny size, as a
//! check that every path works.

use std::convert::Infallible;
use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use criterion::{BatchSize, Criterion};
use http::{Request, Response, StatusCode, Uri, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lattice_client::Signer;
use lattice_fake::access_log::ResolvedUser;
use lattice_fake::routing::{HttpMatch, PathMatch, Rule, RuleAction};
use lattice_fake::{
    FakeBody, FakeHandle, FakeLattice, FakeLatticeBuilder, Listener, Principal, Service,
    ServiceNetwork, Target, TargetGroup, boxed_body, full_body,
};
use lattice_tests::{Protocol, TestPki};
use lattice_tower::hyper::{Connector, HyperClientBuilder, SignedHyperClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

#[global_allocator]
static ALLOCATOR: peak_alloc::PeakAlloc = peak_alloc::PeakAlloc;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ROLE: &str = "arn:aws:sts::111122223333:assumed-role/bench-client/session-1";
/// Allows every caller, signed or anonymous.
const ALLOW_INVOKE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
/// What the target answers.
const BODY: &[u8] = b"hello from the target\n";
const PATH: &str = "/orders/42";
/// Services in the start-up measurement.
const SERVICES: usize = 5;
/// Concurrent requests in the second throughput measurement.
const IN_FLIGHT: usize = 16;

type Body = Full<Bytes>;

// ---------------------------------------------------------------------------
// The target and the bare server
// ---------------------------------------------------------------------------

/// The target's answer: a fixed body, whatever the request.
async fn answer(_request: Request<FakeBody>) -> Result<Response<FakeBody>, Infallible> {
    Ok(Response::new(full_body(Bytes::from_static(BODY))))
}

/// [`answer`] as the fake's `Target::service`; the bare server calls
/// [`answer`] directly.
fn handler() -> impl tower::Service<
    Request<FakeBody>,
    Response = Response<FakeBody>,
    Error = Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    tower::service_fn(answer)
}

/// A bare hyper-util auto server (HTTP/1.1, and HTTP/2 by preface or ALPN)
/// answering with [`answer`], over TLS when given a configuration. It stops
/// accepting when dropped.
struct Bare {
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Drop for Bare {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn spawn_bare(tls: Option<Arc<rustls::ServerConfig>>) -> anyhow::Result<Bare> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let accept = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|request: Request<Incoming>| {
                    answer(request.map(boxed_body))
                });
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = match acceptor {
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(tls) => builder.serve_connection(TokioIo::new(tls), service).await,
                        Err(_) => return,
                    },
                    None => {
                        builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                    }
                };
            });
        }
    });
    Ok(Bare { addr, accept })
}

// ---------------------------------------------------------------------------
// Fake models
// ---------------------------------------------------------------------------

/// The network every measurement uses: `AWS_IAM`, allowing `Invoke`.
fn network() -> ServiceNetwork {
    ServiceNetwork::new("bench")
        .all_services()
        .aws_iam(ALLOW_INVOKE)
}

/// `orders` with these listeners, each routing `/orders…` through one rule
/// to the in-process [`handler`] (anything else: a fixed 404).
fn orders(listeners: impl IntoIterator<Item = Listener>) -> FakeLatticeBuilder {
    let mut service = Service::new("orders");
    for listener in listeners {
        service = service.listener(
            listener
                .rule(Rule::new(
                    10,
                    HttpMatch::new().path(PathMatch::prefix("/orders")),
                    RuleAction::forward_to("orders-tg"),
                ))
                .default_action(RuleAction::fixed_response(404)),
        );
    }
    FakeLattice::builder()
        .service_network(network())
        .service(service)
        .target_group(TargetGroup::new("orders-tg", Target::service(handler())))
        .principal(Principal::new(AKID, SECRET, ROLE))
}

/// [`SERVICES`] services with one `HTTP` or `HTTPS` listener each, each
/// forwarding to its own echo target group.
fn start_model(tls: bool) -> FakeLatticeBuilder {
    let mut builder = FakeLattice::builder()
        .service_network(network())
        .principal(Principal::new(AKID, SECRET, ROLE));
    for i in 0..SERVICES {
        let listener = if tls {
            Listener::https(443)
        } else {
            Listener::http(80)
        };
        // A target group serves one service.
        builder = builder
            .service(
                Service::new(format!("shop-{i}"))
                    .listener(listener.forward_to(format!("echo-{i}"))),
            )
            .target_group(TargetGroup::request_echo(format!("echo-{i}")));
    }
    builder
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------
// 1. start()
// ---------------------------------------------------------------------------

async fn start_once(model: FakeLatticeBuilder) -> anyhow::Result<()> {
    let fake = model.build()?.start().await?;
    fake.shutdown().await;
    Ok(())
}

/// Median milliseconds of `rounds` interleaved starts: (HTTP, HTTPS).
async fn compare_start(rounds: usize) -> anyhow::Result<(f64, f64)> {
    let models = [start_model(false), start_model(true)];
    for model in &models {
        start_once(model.clone()).await?;
    }
    let mut times = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for k in 0..models.len() {
            let i = (round + k) % models.len();
            let model = models[i].clone();
            let start = Instant::now();
            start_once(model).await?;
            times[i].push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    let [plain, tls] = times;
    Ok((median(plain), median(tls)))
}

// ---------------------------------------------------------------------------
// 2. Requests per second
// ---------------------------------------------------------------------------

#[derive(Clone)]
enum Client {
    Signed(SignedHyperClient<Body>),
    Unsigned(hyper_util::client::legacy::Client<Connector, Body>),
}

impl Client {
    /// One GET round trip, body read to the end and checked; returns the
    /// HTTP version.
    async fn get(&self, url: &Uri) -> anyhow::Result<Version> {
        let request = Request::get(url.clone()).body(Full::new(Bytes::new()))?;
        let response = match self {
            Self::Signed(client) => client.request(request).await?,
            Self::Unsigned(client) => client.request(request).await?,
        };
        let status = response.status();
        let version = response.version();
        let body = response.into_body().collect().await?.to_bytes();
        anyhow::ensure!(
            status == StatusCode::OK && body == BODY,
            "{url}: {status} {body:?}"
        );
        Ok(version)
    }
}

/// One measured case: a client and the URL it calls.
struct Case {
    name: &'static str,
    url: Uri,
    client: Client,
}

/// One transport and its four cases, in the order
/// fake-signed, fake-anonymous, bare-signed, bare-unsigned.
struct Transport {
    label: &'static str,
    title: &'static str,
    cases: Vec<Case>,
}

/// The servers of the request measurements.
struct Servers {
    fake: FakeHandle,
    plain: Bare,
    tls: Bare,
    pki: TestPki,
}

impl Servers {
    async fn start() -> anyhow::Result<Self> {
        let fake = orders([Listener::http(80), Listener::https(443)])
            .build()?
            .start()
            .await?;
        let name = fake.service("orders").context("orders")?.dns_name.clone();
        let pki = TestPki::generate(&[&name])?;
        let plain = spawn_bare(None).await?;
        let tls = spawn_bare(Some(Arc::new(pki.server_config(Protocol::Auto)?))).await?;
        Ok(Servers {
            fake,
            plain,
            tls,
            pki,
        })
    }

    /// A client builder trusting the fake's CA and the bare server's.
    fn client_builder(&self) -> anyhow::Result<HyperClientBuilder> {
        Ok(HyperClientBuilder::new(self.fake.signer(AKID)?)
            .resolver(self.fake.resolver()?)
            .platform_roots(false)
            .add_root_certificate(self.fake.ca_der().context("fake CA")?.clone())
            .add_root_certificate(self.pki.ca.clone()))
    }

    fn signed(&self) -> anyhow::Result<Client> {
        Ok(Client::Signed(self.client_builder()?.build()?))
    }

    fn unsigned(&self) -> anyhow::Result<Client> {
        let client = self.client_builder()?.build::<Body>()?;
        Ok(Client::Unsigned(client.into_inner().into_inner()))
    }

    /// Both transports, each case checked once (status, body, version),
    /// and the fake's access log checked for a verified principal on the
    /// signed calls and an anonymous caller on the unsigned ones.
    async fn transports(&self) -> anyhow::Result<Vec<Transport>> {
        let host = &self.fake.service("orders").context("orders")?.dns_name;
        let mut transports = Vec::new();
        for (label, title, port, bare, scheme, version) in [
            (
                "http1",
                "http:// HTTP/1.1 keep-alive",
                80,
                &self.plain,
                "http",
                Version::HTTP_11,
            ),
            (
                "h2",
                "https:// HTTP/2 (TLS)",
                443,
                &self.tls,
                "https",
                Version::HTTP_2,
            ),
        ] {
            let listener = self.fake.listener("orders", port).context("listener")?;
            let fake_url: Uri = format!("{}{PATH}", listener.base_url).parse()?;
            let bare_url: Uri = format!("{scheme}://{host}:{}{PATH}", bare.addr.port()).parse()?;
            let cases = vec![
                Case {
                    name: "fake-signed",
                    url: fake_url.clone(),
                    client: self.signed()?,
                },
                Case {
                    name: "fake-anonymous",
                    url: fake_url,
                    client: self.unsigned()?,
                },
                Case {
                    name: "bare-signed",
                    url: bare_url.clone(),
                    client: self.signed()?,
                },
                Case {
                    name: "bare-unsigned",
                    url: bare_url,
                    client: self.unsigned()?,
                },
            ];
            for case in &cases {
                let got = case.client.get(&case.url).await?;
                anyhow::ensure!(got == version, "{label} {}: {got:?}", case.name);
            }
            transports.push(Transport {
                label,
                title,
                cases,
            });
        }

        // The record is written when the response body ends: wait for it.
        let log = self.fake.access_log();
        for _ in 0..200 {
            if log.len() >= 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let records = log.records();
        let signed = records
            .iter()
            .filter(|r| r.response_code == 200 && r.caller_principal.as_deref() == Some(ROLE))
            .count();
        let anonymous = records
            .iter()
            .filter(|r| r.response_code == 200 && r.resolved_user == Some(ResolvedUser::Anonymous))
            .count();
        anyhow::ensure!(
            (signed, anonymous) == (2, 2),
            "expected 2 verified and 2 anonymous calls in the access log, got {signed} and {anonymous}"
        );
        Ok(transports)
    }
}

/// Requests/s of `total` requests, `in_flight` at a time.
async fn rate(case: &Case, total: usize, in_flight: usize) -> anyhow::Result<f64> {
    let per_task = total.div_ceil(in_flight);
    let start = Instant::now();
    let tasks: Vec<_> = (0..in_flight)
        .map(|_| {
            let client = case.client.clone();
            let url = case.url.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    client.get(&url).await?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for task in tasks {
        task.await.context("request task")??;
    }
    Ok((per_task * in_flight) as f64 / start.elapsed().as_secs_f64())
}

/// Interleaved rounds over the cases (the order rotates every round);
/// the median rate of each case.
async fn compare_rates(
    cases: &[Case],
    rounds: usize,
    total: usize,
    in_flight: usize,
) -> anyhow::Result<Vec<f64>> {
    // Warm-up: opens the connections the measured rounds reuse.
    for case in cases {
        rate(case, total / 4, in_flight).await?;
    }
    let mut rates = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        for k in 0..cases.len() {
            let i = (round + k) % cases.len();
            rates[i].push(rate(&cases[i], total, in_flight).await?);
        }
    }
    Ok(rates.into_iter().map(median).collect())
}

fn print_rates(transport: &Transport, in_flight: usize, rates: &[f64]) -> anyhow::Result<()> {
    let &[fake_signed, fake_anonymous, bare_signed, bare_unsigned] = rates else {
        anyhow::bail!("expected four rates, got {}", rates.len());
    };
    let at = format!("{} {in_flight} in flight", transport.label);
    println!(
        "fake requests {at} ({}): fake-signed {fake_signed:.0} req/s, fake-anonymous \
         {fake_anonymous:.0} req/s, bare-signed {bare_signed:.0} req/s, bare-unsigned \
         {bare_unsigned:.0} req/s",
        transport.title,
    );
    let verdict = |ratio: f64| if ratio >= 0.5 { "met" } else { "NOT met" };
    let goal = fake_signed / bare_unsigned;
    let same_client = fake_signed / bare_signed;
    println!(
        "fake requests {at} ratios: fake-signed/bare-unsigned {goal:.2} (goal >= 0.50: {}), \
         fake-signed/bare-signed {same_client:.2} (the fake, same signed client; >= 0.50: {}), \
         fake-anonymous/bare-unsigned {:.2} (the fake without verification), \
         bare-signed/bare-unsigned {:.2} (client signing)",
        verdict(goal),
        verdict(same_client),
        fake_anonymous / bare_unsigned,
        bare_signed / bare_unsigned,
    );
    // Extra time per request, from the rates (not latencies when several
    // requests are in flight).
    let extra = |base: f64, slower: f64| (1.0 / slower - 1.0 / base) * 1e6;
    let fake = extra(bare_signed, fake_signed);
    let fake_anonymous = extra(bare_unsigned, fake_anonymous);
    println!(
        "fake requests {at} cost per request (1/rate): bare {:.1} µs; client signing +{:.1} µs; \
         the fake, signed +{fake:.1} µs, anonymous +{fake_anonymous:.1} µs, so verification \
         and per-principal work +{:.1} µs",
        1e6 / bare_unsigned,
        extra(bare_unsigned, bare_signed),
        fake - fake_anonymous,
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// 3. Idle connections
// ---------------------------------------------------------------------------

/// Opens a connection to `addr`, sends one GET signed for `url` and reads
/// the response; returns the connection, now idle.
async fn open_idle(signer: &Signer, url: &Uri, addr: SocketAddr) -> anyhow::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut request = Request::get(url.clone()).body(())?;
    signer.sign(&mut request).await?;
    let authority = request.uri().authority().context("authority")?.as_str();
    let mut head = format!("GET {PATH} HTTP/1.1\r\nhost: {authority}\r\n");
    for (name, value) in request.headers() {
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(value.to_str()?);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    drop(head);

    // The body comes last and ends the response (content-length framing).
    let mut buf = [0u8; 4096];
    let mut len = 0;
    while !buf[..len].ends_with(BODY) {
        anyhow::ensure!(len < buf.len(), "response longer than {} bytes", buf.len());
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf[len..]))
            .await
            .context("no response within 5 s")??;
        anyhow::ensure!(n > 0, "connection closed before the response ended");
        len += n;
    }
    anyhow::ensure!(
        buf.starts_with(b"HTTP/1.1 200 "),
        "{}",
        String::from_utf8_lossy(&buf[..len])
    );
    Ok(stream)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Idle {
    /// The fake, `HTTP` listener.
    Fake,
    /// The bare hyper server, `http://`.
    Bare,
    /// A listener that keeps the accepted sockets and never reads them.
    Sockets,
}

/// Heap growth in bytes per connection while `n` connections sit idle on
/// `server` (each after one request, except for [`Idle::Sockets`]).
async fn idle_growth(server: Idle, n: usize) -> anyhow::Result<f64> {
    let records = Arc::new(AtomicUsize::new(0));
    let counter = records.clone();
    let fake = orders([Listener::http(80)])
        .access_log_capacity(0)
        .build()?
        .on_access_log(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .start()
        .await?;
    let signer = fake.signer(AKID)?;
    let listener = fake.listener("orders", 80).context("listener")?;
    let url: Uri = format!("{}{PATH}", listener.base_url).parse()?;
    let bare = spawn_bare(None).await?;
    let held = Arc::new(Mutex::new(Vec::<TcpStream>::with_capacity(n + 1)));
    let sockets = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let sockets_addr = sockets.local_addr()?;
    let keep = held.clone();
    let holder = tokio::spawn(async move {
        while let Ok((stream, _)) = sockets.accept().await {
            keep.lock().unwrap_or_else(|e| e.into_inner()).push(stream);
        }
    });
    let held_count = || held.lock().unwrap_or_else(|e| e.into_inner()).len();
    let addr = match server {
        Idle::Fake => listener.address,
        Idle::Bare => bare.addr,
        Idle::Sockets => sockets_addr,
    };
    let open = async || -> anyhow::Result<TcpStream> {
        match server {
            Idle::Sockets => Ok(TcpStream::connect(addr).await?),
            Idle::Fake | Idle::Bare => open_idle(&signer, &url, addr).await,
        }
    };
    let settle = async |requests: usize, accepted: usize| -> anyhow::Result<()> {
        for _ in 0..400 {
            let done = match server {
                Idle::Fake => records.load(Ordering::SeqCst) >= requests,
                Idle::Bare => true,
                Idle::Sockets => held_count() >= accepted,
            };
            if done {
                // Let the connection tasks go idle.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        anyhow::bail!("{server:?}: the server did not finish in 2 s")
    };

    // Warm-up: one connection, one request, closed: lazily built state
    // (the signer's key, the runtime's buffers) exists before the baseline.
    drop(open().await?);
    settle(1, 1).await?;
    let mut streams = Vec::with_capacity(n);
    let before = ALLOCATOR.current_usage();
    for _ in 0..n {
        streams.push(open().await?);
    }
    settle(n + 1, n + 1).await?;
    let after = ALLOCATOR.current_usage();
    let growth = (after as f64 - before as f64) / n as f64;

    drop(streams);
    holder.abort();
    fake.shutdown().await;
    Ok(growth)
}

/// Median bytes per idle connection over `rounds` interleaved rounds:
/// (fake, bare, sockets only).
async fn compare_idle(n: usize, rounds: usize) -> anyhow::Result<(f64, f64, f64)> {
    let servers = [Idle::Fake, Idle::Bare, Idle::Sockets];
    let mut growth = [Vec::new(), Vec::new(), Vec::new()];
    for round in 0..rounds {
        for k in 0..servers.len() {
            let i = (round + k) % servers.len();
            growth[i].push(idle_growth(servers[i], n).await?);
        }
    }
    let [fake, bare, sockets] = growth;
    Ok((median(fake), median(bare), median(sockets)))
}

// ---------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------

struct Sizes {
    start_rounds: usize,
    request_rounds: usize,
    requests: usize,
    idle_connections: usize,
    idle_rounds: usize,
}

fn criterion_benches(c: &mut Criterion, runtime: &Runtime, transports: &[Transport]) {
    let mut group = c.benchmark_group("fake-start");
    for (name, tls) in [("http", false), ("https", true)] {
        let model = start_model(tls);
        group.bench_function(name, |b| {
            b.to_async(runtime).iter_batched(
                || model.clone(),
                |model| async { start_once(model).await.expect("start") },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();

    for transport in transports {
        let mut group = c.benchmark_group(format!("fake-request/{}", transport.label));
        for case in &transport.cases {
            group.bench_function(case.name, |b| {
                b.to_async(runtime).iter(|| async {
                    black_box(case.client.get(&case.url).await.expect("round trip"))
                });
            });
        }
        group.finish();
    }
}

fn main() -> anyhow::Result<()> {
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes = if bench {
        Sizes {
            start_rounds: 31,
            request_rounds: 5,
            requests: 1_600,
            idle_connections: 200,
            idle_rounds: 3,
        }
    } else {
        Sizes {
            start_rounds: 1,
            request_rounds: 1,
            requests: 32,
            idle_connections: 8,
            idle_rounds: 1,
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    // Idle connections first, while nothing else lives in the process.
    let (fake, bare, sockets) =
        runtime.block_on(compare_idle(sizes.idle_connections, sizes.idle_rounds))?;
    let idle = format!(
        "fake idle connections ({} HTTP/1.1 keep-alive, one signed request each)",
        sizes.idle_connections
    );
    println!(
        "{idle}: fake {:.1} KiB/conn, bare {:.1} KiB/conn, ratio fake/bare {:.2}",
        fake / 1024.0,
        bare / 1024.0,
        fake / bare,
    );
    println!(
        "{idle}: sockets only {:.2} KiB/conn (both ends; part of both figures); without them: \
         fake {:.1} KiB/conn, bare {:.1} KiB/conn, ratio {:.2}",
        sockets / 1024.0,
        (fake - sockets) / 1024.0,
        (bare - sockets) / 1024.0,
        (fake - sockets) / (bare - sockets),
    );

    let servers = runtime.block_on(Servers::start())?;
    let transports = runtime.block_on(servers.transports())?;
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    criterion_benches(&mut criterion, &runtime, &transports);
    criterion.final_summary();

    let (http, https) = runtime.block_on(compare_start(sizes.start_rounds))?;
    println!(
        "fake start ({SERVICES} services, build + start + shutdown): HTTP {http:.2} ms, \
         HTTPS {https:.2} ms, ratio TLS/no-TLS {:.2}",
        https / http,
    );

    runtime.block_on(async {
        for transport in &transports {
            for in_flight in [1, IN_FLIGHT] {
                let rates = compare_rates(
                    &transport.cases,
                    sizes.request_rounds,
                    sizes.requests,
                    in_flight,
                )
                .await?;
                print_rates(transport, in_flight, &rates)?;
            }
        }
        anyhow::Ok(())
    })
}
