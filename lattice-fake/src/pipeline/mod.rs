//! One request, as Lattice handles it (see the crate docs' list, whose
//! steps are the functions of [`steps`]): limits and path, service by
//! host, signature, spoofable headers stripped, policies, rule, target,
//! one access-log record.
//!
//! [`handle`] runs the steps in order. Each step returns
//! `Result<_, Rejection>` and writes what it learnt into the request's
//! access-log record ([`Pending`]); the first rejection becomes the
//! response.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body as HttpBody;

use crate::access_log::{AccessLogRecord, AccessLogSink};
use crate::compile::{AuthTables, CClient, Compiled};
use crate::model::{BoxError, FakeBody, ListenerProtocol};
use crate::routing::Rng;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use lattice_client::sign::verify::{StaticCredentials, Verifier};

mod explain;
mod respond;
mod steps;
mod target;

use respond::{Pending, Rejection};
pub use target::LAMBDA_MAX_BYTES;

/// Most request headers Lattice accepts.
pub const MAX_HEADERS: usize = 100;
/// Most header bytes (names and values) Lattice accepts.
pub const MAX_HEADER_BYTES: usize = 60 * 1024;
/// Longest `x-amzn-requestid` kept.
pub const MAX_REQUEST_ID: usize = 512;

/// A callback that sees every access-log record.
pub(crate) type LogHook = Arc<dyn Fn(&AccessLogRecord) + Send + Sync>;

/// Everything the request path reads; shared by all connections.
pub(crate) struct State {
    pub(crate) c: Compiled,
    pub(crate) verifier: Verifier<StaticCredentials<usize>>,
    pub(crate) rng: Mutex<Rng>,
    pub(crate) log: AccessLogSink,
    pub(crate) hook: Option<LogHook>,
    pub(crate) upstream_h1: HyperClient<HttpConnector, FakeBody>,
    pub(crate) upstream_h2: HyperClient<HttpConnector, FakeBody>,
    pub(crate) now: Arc<dyn Fn() -> SystemTime + Send + Sync>,
    pub(crate) metrics: super::metrics::Metrics,
    /// The auth types and policies in force; the admin API replaces them.
    pub(crate) auth: RwLock<Arc<AuthTables>>,
    /// What the admin API reports about the running fake.
    pub(crate) info: crate::admin::RunInfo,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}

impl State {
    /// A uniform draw in `[0, 1)` from the seeded generator.
    fn next_f64(&self) -> f64 {
        self.rng.lock().unwrap_or_else(|e| e.into_inner()).f64()
    }

    /// A fresh request id: a random version-4 UUID from the operating
    /// system's generator, not the seeded one, so clients cannot predict it.
    fn request_id() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// Numbers the record, keeps it, and hands it to the hook.
    pub(crate) fn push_log(&self, record: AccessLogRecord) {
        let record = self.log.push_numbered(record);
        if let Some(hook) = &self.hook {
            hook(&record);
        }
    }

    /// The auth tables in force now.
    pub(crate) fn auth_tables(&self) -> Arc<AuthTables> {
        self.auth.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Activity of one client connection (for the idle timeout).
#[derive(Debug)]
pub(crate) struct Activity {
    active: AtomicUsize,
    last: Mutex<Instant>,
}

impl Activity {
    pub(crate) fn new() -> Self {
        Activity {
            active: AtomicUsize::new(0),
            last: Mutex::new(Instant::now()),
        }
    }

    pub(crate) fn active(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }

    pub(crate) fn last(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn begin(self: &Arc<Self>) -> ActiveGuard {
        self.active.fetch_add(1, Ordering::AcqRel);
        ActiveGuard(self.clone())
    }
}

/// Marks a request in flight until dropped.
#[derive(Debug)]
struct ActiveGuard(Arc<Activity>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        *self.0.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What the server knows about the connection a request came on.
#[derive(Debug)]
pub(crate) struct ConnInfo {
    pub(crate) protocol: ListenerProtocol,
    /// The listener's modelled port; `None` on the gateway, where each
    /// request picks its listener ([`crate::gateway::pick_listener`]).
    pub(crate) port: Option<u16>,
    pub(crate) peer: SocketAddr,
    pub(crate) sni: Option<String>,
    pub(crate) tls_version: Option<&'static str>,
    pub(crate) cipher: Option<String>,
    pub(crate) client: CClient,
    pub(crate) activity: Arc<Activity>,
}

/// Handles one request end to end. Never fails: every problem becomes a
/// Lattice-shaped response.
pub(crate) async fn handle<B>(
    state: Arc<State>,
    conn: Arc<ConnInfo>,
    req: Request<B>,
) -> Response<FakeBody>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    if crate::admin::is_admin_path(req.uri().path()) {
        return crate::admin::serve(&state, req).await;
    }
    let mut pending = Pending::new(&state, &conn, &req);
    match serve(&state, &conn, &mut pending, req).await {
        Ok(response) => pending.respond(Ok::<_, BoxError>(response)),
        Err(rejection) => pending.reject(rejection),
    }
}

/// The steps, in the order of the crate docs' list.
async fn serve<B>(
    state: &State,
    conn: &ConnInfo,
    pending: &mut Pending,
    req: Request<B>,
) -> Result<Response<FakeBody>, Rejection>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let path = steps::check_limits(&req)?;
    let found = steps::find_service(&state.c, conn, pending, &req)?;
    let (mut parts, body) = req.into_parts();
    let caller = steps::authenticate(state, pending, &parts)?;
    steps::strip_identity(&mut parts, &path)?;
    steps::authorize(state, conn, &found, caller, pending, &parts)?;
    let target_group = steps::route(state, &found, pending, &parts)?;
    steps::forward(
        state,
        conn,
        &found,
        caller,
        target_group,
        pending,
        parts,
        body,
    )
    .await
}
