//! One request, as Lattice handles it (see the crate docs): service by host, spoofable
//! headers stripped, signature verified, policies evaluated, rule matched,
//! request forwarded with Lattice's headers, one access-log record written.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::header::{HOST, HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode, Uri, Version};
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;

use super::access_log::{AccessLogRecord, AccessLogSink, FailureReason, ResolvedUser};
use super::compile::{CClient, Compiled};
use super::model::{
    BoxError, FakeBody, ListenerProtocol, ProtocolVersion, Target, boxed_body, empty_body,
    full_body,
};
use super::routing::{RouteOutcome, RouteRequest, XorShift64};
use lattice_client::identity::{CallerIdentity, strip_identity_headers};
use lattice_client::policy::{
    Context as PolicyContext, Principal as PolicyPrincipal, Request as PolicyRequest, keys,
};
use lattice_client::sign::verify::{StaticCredentials, Verifier};

static EMPTY_KEYS: super::compile::NeededKeys = super::compile::NeededKeys::EMPTY;

/// Most request headers Lattice accepts.
pub const MAX_HEADERS: usize = 100;
/// Most header bytes (names and values) Lattice accepts.
pub const MAX_HEADER_BYTES: usize = 60 * 1024;
/// Longest `x-amzn-requestid` kept.
pub const MAX_REQUEST_ID: usize = 512;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// A callback that sees every access-log record.
pub(crate) type LogHook = Arc<dyn Fn(&AccessLogRecord) + Send + Sync>;

/// Everything the request path reads; shared by all connections.
pub(crate) struct State {
    pub(crate) c: Compiled,
    pub(crate) verifier: Verifier<StaticCredentials<usize>>,
    pub(crate) rng: Mutex<XorShift64>,
    pub(crate) log: AccessLogSink,
    pub(crate) hook: Option<LogHook>,
    pub(crate) upstream_h1: HyperClient<HttpConnector, FakeBody>,
    pub(crate) upstream_h2: HyperClient<HttpConnector, FakeBody>,
    /// Listener key (service, listener) → the base port it is served on.
    pub(crate) now: Arc<dyn Fn() -> SystemTime + Send + Sync>,
    pub(crate) metrics: super::metrics::Metrics,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}

impl State {
    fn next_u64(&self) -> u64 {
        use super::routing::RandomSource;
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        rng.next_u64()
    }

    /// A uniform draw in `[0, 1)`.
    fn next_f64(&self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn request_id(&self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        // A version-4-shaped UUID from the fake's random source.
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            (a & 0x0fff) as u16,
            ((b >> 48) as u16 & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    pub(crate) fn push_log(&self, record: AccessLogRecord) {
        if let Some(hook) = &self.hook {
            hook(&record);
        }
        self.log.push(record);
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
    pub(crate) port: u16,
    pub(crate) peer: SocketAddr,
    pub(crate) sni: Option<String>,
    pub(crate) tls_version: Option<&'static str>,
    pub(crate) cipher: Option<String>,
    pub(crate) client: CClient,
    pub(crate) activity: Arc<Activity>,
}

/// The lower-cased host of `Host` (else the URI authority), port and
/// trailing dot removed.
fn host_of<B>(req: &Request<B>) -> Option<String> {
    let host = match req.headers().get(HOST) {
        Some(v) => http::uri::Authority::try_from(v.as_bytes())
            .ok()?
            .host()
            .to_owned(),
        None => req.uri().authority()?.host().to_owned(),
    };
    let mut host = host;
    if host.ends_with('.') {
        host.pop();
    }
    host.make_ascii_lowercase();
    Some(host)
}

/// The number of headers and the bytes of their names and values.
fn header_stats(headers: &HeaderMap) -> (usize, usize) {
    headers.iter().fold((0, 0), |(n, bytes), (name, value)| {
        (n + 1, bytes + name.as_str().len() + value.len())
    })
}

/// Bytes of the request head on the wire (HTTP/1.1 framing): request line,
/// headers as `name: value\r\n`, the blank line.
fn head_bytes<B>(req: &Request<B>, (count, header_bytes): (usize, usize)) -> u64 {
    let line = req.method().as_str().len()
        + req.uri().path_and_query().map_or(1, |p| p.as_str().len())
        + 12;
    (line + header_bytes + 4 * count + 2) as u64
}

fn response_head_bytes<B>(res: &Response<B>) -> u64 {
    let headers: usize = res
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    (17 + headers + 2) as u64
}

/// Whether the request carries an AWS signature (header or presigned query).
fn is_aws_signed(parts: &http::request::Parts) -> bool {
    let header = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .is_some_and(|v| {
            v.as_bytes()
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"AWS4-"))
        });
    header
        || parts
            .uri
            .query()
            .is_some_and(|q| q.contains("X-Amz-Signature=") || q.contains("X-Amz-Algorithm="))
}

fn is_grpc(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/grpc"))
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
    let guard = conn.activity.begin();
    let started = Instant::now();
    let start_time = (state.now)();
    let mut rec = AccessLogRecord::from_request(&req, start_time);
    rec.source_ip_port = Some(conn.peer.to_string());
    rec.listener_type = Some(conn.protocol.as_str().to_owned());
    rec.server_name_indication = conn.sni.clone();
    rec.tls_version = conn.tls_version.map(str::to_owned);
    rec.ssl_cipher = conn.cipher.clone();
    rec.source_vpc_id = Some(conn.client.vpc_id.clone());
    rec.source_vpc_arn = Some(conn.client.vpc_arn.clone());
    let stats = header_stats(req.headers());
    rec.bytes_received = head_bytes(&req, stats);

    let mut ctx = Pending {
        state: state.clone(),
        rec,
        started,
        guard: Some(guard),
        request_id: None,
        progress: None,
        service: None,
        tg: None,
        from_target: false,
    };

    // Request id: the client's (cut to 512 bytes) or a fresh one.
    let request_id = match req.headers().get(&REQUEST_ID) {
        Some(v) => {
            let bytes = v.as_bytes();
            let cut = bytes.get(..MAX_REQUEST_ID).unwrap_or(bytes);
            HeaderValue::from_bytes(cut).unwrap_or_else(|_| HeaderValue::from_static("-"))
        }
        None => HeaderValue::from_str(&state.request_id())
            .unwrap_or_else(|_| HeaderValue::from_static("-")),
    };
    ctx.rec.request_id = Some(String::from_utf8_lossy(request_id.as_bytes()).into_owned());
    ctx.request_id = Some(request_id.clone());

    // 1. Header limits.
    let (count, bytes) = stats;
    if count > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ctx.error(
            StatusCode::BAD_REQUEST,
            "Bad Request: request headers exceed 100 headers or 60 KB in total",
            FailureReason::ClientProtocolError,
        );
    }

    // One path for policies, rules and the target (`docs/assumptions.md`, A37).
    let path = match lattice_client::path::normalize(req.uri().path()) {
        Ok(path) => path.into_owned(),
        Err(err) => {
            return ctx.error(
                StatusCode::BAD_REQUEST,
                &format!("Bad Request: {err}"),
                FailureReason::ClientProtocolError,
            );
        }
    };

    // Service by host; SNI must agree.
    let Some(host) = host_of(&req) else {
        return ctx.error(
            StatusCode::BAD_REQUEST,
            "Bad Request: missing or invalid Host / :authority",
            FailureReason::ClientProtocolError,
        );
    };
    let c = &state.c;
    let Some(&service_index) = c.hosts.get(&host) else {
        return ctx.not_found();
    };
    if let Some(sni) = &conn.sni
        && c.hosts.get(&sni.to_ascii_lowercase()) != Some(&service_index)
    {
        return ctx.error(
            StatusCode::MISDIRECTED_REQUEST,
            "Misdirected Request: the TLS server name and the Host header name different services",
            FailureReason::ClientProtocolError,
        );
    }
    let Some(service) = c.services.get(service_index) else {
        return ctx.not_found();
    };
    ctx.service = Some(service_index);
    ctx.rec.service_arn = Some(service.arn.clone());
    let Some(network_index) = conn.client.network.filter(|n| service.networks.contains(n)) else {
        return ctx.not_found();
    };
    let network = c.networks.get(network_index);
    ctx.rec.service_network_arn = network.map(|n| n.arn.clone());
    let Some(listener) = service
        .listeners
        .iter()
        .find(|l| l.port == conn.port && l.protocol == conn.protocol)
    else {
        return ctx.not_found();
    };
    ctx.rec.listener_id = Some(listener.id.clone());

    // 3. Signature, over the request as the client sent it (a client may
    // have signed a spoofed identity header; it is removed right after).
    let (mut parts, body) = req.into_parts();
    let principal = if is_aws_signed(&parts) {
        match state.verifier.verify(&parts) {
            Ok(verified) => Some(verified.principal),
            Err(err) if err.is_unsigned() => None,
            Err(err) => {
                ctx.rec.resolved_user = Some(ResolvedUser::Unknown);
                return ctx.error(
                    err.status(),
                    &err.to_string(),
                    FailureReason::ClientAccessDenied,
                );
            }
        }
    } else {
        None
    };
    // 2. Spoofable identity headers go; the normalised path replaces the
    // one sent.
    strip_identity_headers(&mut parts.headers);
    match with_path(&parts.uri, &path) {
        Some(uri) => parts.uri = uri,
        None => return ctx.fail(Failure::INTERNAL),
    }
    let caller = principal.and_then(|i| c.principals.get(i));
    match caller {
        Some(p) => {
            ctx.rec.resolved_user = Some(ResolvedUser::Arn(p.spec.arn.clone()));
            ctx.rec.caller_principal = Some(p.spec.arn.clone());
            ctx.rec.caller_principal_org_id = p.spec.org_id.clone();
            if !p.spec.tags.is_empty() {
                let tags: BTreeMap<&str, &str> = p
                    .spec
                    .tags
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                ctx.rec.caller_principal_tags = serde_json::to_string(&tags).ok();
            }
        }
        None => ctx.rec.resolved_user = Some(ResolvedUser::Anonymous),
    }

    // 4. Auth policies.
    let configs = c.auth.get(&(service_index, network_index));
    let config = configs.and_then(|v| v.get(principal.map_or(0, |i| i + 1)));
    if let Some(config) = config
        && (config.network_auth().is_aws_iam() || config.service_auth().is_aws_iam())
    {
        let policy_principal = match caller {
            Some(p) => PolicyPrincipal::arn(p.spec.arn.clone()),
            None => PolicyPrincipal::Anonymous,
        };
        let context = policy_context(
            &parts,
            caller.map(|p| &p.spec),
            &conn,
            &service.arn,
            network.map(|n| n.arn.as_str()),
            start_time,
            c.needed_keys
                .get(&(service_index, network_index))
                .unwrap_or(&EMPTY_KEYS),
        );
        let request = PolicyRequest::invoke(policy_principal, &service.arn, parts.uri.path())
            .with_context(context);
        let decision = config.evaluate(&request);
        if !decision.is_allowed() {
            if let Some(layer) = decision.layer {
                ctx.rec.access_denied(match layer {
                    lattice_client::policy::Layer::Network => {
                        super::access_log::AuthDeniedReason::Network
                    }
                    lattice_client::policy::Layer::Service => {
                        super::access_log::AuthDeniedReason::Service
                    }
                    _ => super::access_log::AuthDeniedReason::Identity,
                });
            }
            let line = decision
                .message
                .unwrap_or_else(|| "AccessDeniedException: access denied".to_owned());
            return ctx.error(
                StatusCode::FORBIDDEN,
                &line,
                FailureReason::ClientAccessDenied,
            );
        }
    }

    // 5. Routing.
    let outcome = {
        let mut rng = state.rng.lock().unwrap_or_else(|e| e.into_inner());
        let view = RouteRequest::new(parts.method.as_str(), parts.uri.path(), &parts.headers);
        match listener.table.route(&view, &mut *rng).outcome {
            RouteOutcome::Forward { target_group } => listener
                .target_groups
                .get(target_group)
                .copied()
                .ok_or(500u16),
            RouteOutcome::FixedResponse { status } => Err(status.as_u16()),
            _ => Err(500),
        }
    };
    let tg_index = match outcome {
        Ok(i) => i,
        Err(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::NOT_FOUND);
            return ctx.respond(Response::builder().status(status).body(empty_body()));
        }
    };
    let Some(tg) = c.target_groups.get(tg_index) else {
        return ctx.fail(Failure::INTERNAL);
    };
    ctx.rec.target_group_arn = Some(tg.arn.clone());

    // 6. Forwarding, in the target group's protocol version.
    let grpc = is_grpc(&parts.headers);
    if !matches!(tg.target, Target::Lambda(..)) {
        if let Err(line) = check_protocol_version(tg.protocol_version, &parts, grpc) {
            return ctx.error(
                StatusCode::BAD_REQUEST,
                &line,
                FailureReason::ClientProtocolError,
            );
        }
        if tg.protocol_version == ProtocolVersion::Http1 && parts.version == Version::HTTP_2 {
            // Lattice converts HTTP/2 down for HTTP1 target groups.
            parts.version = Version::HTTP_11;
            if !parts.headers.contains_key(HOST)
                && let Some(v) = parts
                    .uri
                    .authority()
                    .and_then(|a| HeaderValue::from_str(a.as_str()).ok())
            {
                parts.headers.insert(HOST, v);
            }
        }
    }
    let identity = caller_identity(
        caller.map(|p| (&p.spec, p.session_name.as_deref())),
        &conn.client,
        &service.arn,
        network.map(|n| n.arn.as_str()),
        &tg.arn,
    );
    if identity.write_headers(&mut parts.headers).is_err() {
        return ctx.fail(Failure::INTERNAL);
    }
    let peer_ip = conn.peer.ip().to_string();
    let xff = match parts
        .headers
        .get(&X_FORWARDED_FOR)
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) => format!("{existing}, {peer_ip}"),
        None => peer_ip,
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        parts.headers.insert(X_FORWARDED_FOR, v);
    }
    parts
        .headers
        .insert(X_FORWARDED_PORT, HeaderValue::from(conn.port));
    parts.headers.insert(
        X_FORWARDED_PROTO,
        HeaderValue::from_static(conn.protocol.scheme()),
    );
    parts.headers.insert(REQUEST_ID, request_id);

    let received = Arc::new(RequestProgress::default());
    let body = boxed_body(CountingBody {
        inner: body,
        progress: received.clone(),
    });
    let target_request = Request::from_parts(parts, body);
    let timeout = c.timeouts.target;
    ctx.tg = Some(tg_index);

    // Injected faults (the access log's failure reasons).
    let faults = &tg.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if !faults.is_none() {
        let roll = state.next_f64();
        let mut edge = faults.refuse;
        if roll < edge {
            return ctx.fail(Failure::CONNECT);
        }
        ctx.rec.target_ip_port = Some(IN_PROCESS_TARGET.to_owned());
        edge += faults.drop_connection;
        if roll < edge {
            return ctx.fail(Failure::CLOSED);
        }
        edge += faults.hang;
        if roll < edge {
            tokio::time::sleep(timeout).await;
            return ctx.fail(Failure::TIMEOUT);
        }
        edge += faults.error;
        if roll < edge {
            let status = StatusCode::from_u16(faults.error_status.unwrap_or(503))
                .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            ctx.from_target = true;
            return ctx.respond(
                Response::builder()
                    .status(status)
                    .header(http::header::CONTENT_TYPE, "text/plain")
                    .body(full_body("injected target error\n")),
            );
        }
        ctx.rec.target_ip_port = None;
    }

    let (result, target_addr) = match &tg.target {
        Target::Service(svc) => (
            tokio::time::timeout(timeout, svc.call(target_request)).await,
            IN_PROCESS_TARGET.to_owned(),
        ),
        Target::Upstream(addr) => {
            let call = forward_upstream(&state, *addr, tg.protocol_version, target_request);
            (tokio::time::timeout(timeout, call).await, addr.to_string())
        }
        Target::Echo => (Ok(echo(target_request).await), IN_PROCESS_TARGET.to_owned()),
        Target::Lambda(function, version) => {
            let call = invoke_lambda(&state, function, *version, target_request, &identity);
            ctx.rec.target_ip_port = Some(LAMBDA_TARGET.to_owned());
            ctx.progress = Some(received);
            return match tokio::time::timeout(timeout, call).await {
                Ok(Ok(response)) => {
                    ctx.from_target = true;
                    ctx.respond(Ok::<_, BoxError>(response))
                }
                Ok(Err(failure)) => ctx.fail(failure),
                Err(_elapsed) => ctx.fail(Failure::TIMEOUT),
            };
        }
    };
    ctx.rec.target_ip_port = Some(target_addr);
    ctx.progress = Some(received);
    match result {
        Err(_elapsed) => ctx.fail(Failure::TIMEOUT),
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "fake lattice: target failed");
            if is_connect_error(&*err) {
                ctx.fail(Failure::CONNECT)
            } else {
                ctx.fail(Failure::PROTOCOL)
            }
        }
        Ok(Ok(mut response)) => {
            for name in HOP_BY_HOP {
                response.headers_mut().remove(name);
            }
            ctx.from_target = true;
            ctx.respond(Ok::<_, BoxError>(response))
        }
    }
}

/// The Lambda request and response limit (6 MB; see `docs/assumptions.md`, A15).
pub const LAMBDA_MAX_BYTES: usize = 6 * 1024 * 1024;

/// What the access log shows as `targetIpPort` for in-process targets.
const IN_PROCESS_TARGET: &str = "127.0.0.1:0";
/// What the access log shows as `targetIpPort` for Lambda targets.
const LAMBDA_TARGET: &str = "lambda";

/// A request the fake answers itself when a target fails: the status, the
/// one-line body and the access log's `failureReason`.
#[derive(Debug, Clone, Copy)]
struct Failure {
    status: StatusCode,
    line: &'static str,
    reason: FailureReason,
}

impl Failure {
    const fn new(status: StatusCode, line: &'static str, reason: FailureReason) -> Self {
        Failure {
            status,
            line,
            reason,
        }
    }

    /// The target cannot be reached.
    const CONNECT: Failure = Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Server Error: cannot connect to the target",
        FailureReason::TargetConnectionError,
    );
    /// The target closed the connection before answering.
    const CLOSED: Failure = Failure::new(
        StatusCode::BAD_GATEWAY,
        "Bad Gateway: the target closed the connection",
        FailureReason::TargetConnectionClosed,
    );
    /// The target did not answer within the target timeout.
    const TIMEOUT: Failure = Failure::new(
        StatusCode::GATEWAY_TIMEOUT,
        "Gateway Timeout: the target did not answer in time",
        FailureReason::TargetDataTimeout,
    );
    /// The target answered with something that is not a valid response.
    const PROTOCOL: Failure = Failure::new(
        StatusCode::BAD_GATEWAY,
        "Bad Gateway: the target's response is invalid",
        FailureReason::TargetProtocolError,
    );
    /// The fake itself failed.
    const INTERNAL: Failure = Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Error",
        FailureReason::InternalError,
    );
}

/// Builds the event , invokes the function, and turns its answer
/// into the client's response.
///
/// Statuses (assumed; see `docs/assumptions.md`, A16): a request body over 6 MB → `413`
/// (`ClientProtocolError`); a failed invocation → `502`
/// (`TargetConnectionError`); a response that is not Lattice's JSON shape or
/// over 6 MB → `502` (`TargetProtocolError`).
async fn invoke_lambda(
    state: &State,
    function: &super::model::LambdaFunction,
    version: lattice_client::lambda::EventVersion,
    request: Request<FakeBody>,
    identity: &CallerIdentity,
) -> Result<Response<FakeBody>, Failure> {
    use lattice_client::lambda::{
        EventVersion, LatticeEvent, LatticeResponse, V1Event, V2Event, V2RequestContext,
    };
    let (mut parts, body) = request.into_parts();
    let bytes = match lattice_client::lambda::collect_limited(body, LAMBDA_MAX_BYTES).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request Entity Too Large: Lambda targets accept at most 6 MB",
                FailureReason::ClientProtocolError,
            ));
        }
        Err(_) => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "Bad Request: the request body could not be read",
                FailureReason::ClientConnectionClosed,
            ));
        }
    };
    let event = match version {
        EventVersion::V1 => LatticeEvent::V1(V1Event::from_parts(&parts, &bytes, None)),
        _ => {
            // V2 carries the caller in `requestContext`, not in headers.
            strip_identity_headers(&mut parts.headers);
            let context = V2RequestContext::from_caller(
                identity,
                Some(state.c.region.clone()),
                lattice_client::lambda::TimeEpoch::from_system_time((state.now)()),
            );
            LatticeEvent::V2(V2Event::from_parts(&parts, &bytes, context, None))
        }
    };
    let value = serde_json::to_value(&event).map_err(|_| Failure::INTERNAL)?;
    let answer = function.call(value).await.map_err(|err| {
        tracing::debug!(error = %err, "fake lattice: Lambda invocation failed");
        Failure::new(
            StatusCode::BAD_GATEWAY,
            "Bad Gateway: the Lambda function failed",
            FailureReason::TargetConnectionError,
        )
    })?;
    let malformed = |line: &'static str| {
        Failure::new(
            StatusCode::BAD_GATEWAY,
            line,
            FailureReason::TargetProtocolError,
        )
    };
    const INVALID: &str = "Bad Gateway: the Lambda function returned an invalid response";
    let json = serde_json::to_vec(&answer).map_err(|_| malformed(INVALID))?;
    if json.len() > LAMBDA_MAX_BYTES {
        return Err(malformed(
            "Bad Gateway: the Lambda function returned a response over 6 MB",
        ));
    }
    let response = LatticeResponse::from_slice(&json)
        .map_err(|_| malformed(INVALID))?
        .into_http_response()
        .map_err(|_| malformed(INVALID))?;
    Ok(response.map(|b| full_body(b.into_bytes())))
}

/// Lattice's request / target-group protocol-version table (`docs/assumptions.md`, A51):
/// gRPC needs `GRPC` or `HTTP2`; HTTP/1.1 cannot go to `HTTP2` or `GRPC`;
/// HTTP/2 to `GRPC` only with `POST`. The answer to a mismatch (`400`,
/// `ClientProtocolError`) is assumed (`docs/assumptions.md`).
fn check_protocol_version(
    version: ProtocolVersion,
    parts: &http::request::Parts,
    grpc: bool,
) -> Result<(), String> {
    let h2 = parts.version == Version::HTTP_2;
    match version {
        ProtocolVersion::Http1 if grpc => Err(
            "Bad Request: gRPC requests need a target group of protocol version GRPC or HTTP2"
                .to_owned(),
        ),
        ProtocolVersion::Http2 | ProtocolVersion::Grpc if !h2 => Err(format!(
            "Bad Request: HTTP/1.1 requests cannot be forwarded to a target group of protocol version {}",
            version.as_str()
        )),
        ProtocolVersion::Grpc if !grpc && parts.method != http::Method::POST => {
            Err("Bad Request: a GRPC target group takes only POST requests".to_owned())
        }
        _ => Ok(()),
    }
}

const HOP_BY_HOP: [&str; 6] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
];

fn is_connect_error(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(h) = e.downcast_ref::<hyper_util::client::legacy::Error>()
            && h.is_connect()
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = e.source();
    }
    false
}

async fn forward_upstream(
    state: &State,
    addr: SocketAddr,
    version: ProtocolVersion,
    request: Request<FakeBody>,
) -> Result<Response<FakeBody>, BoxError> {
    let (mut parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.as_str().to_owned()));
    parts.uri = Uri::try_from(format!("http://{addr}{path}"))?;
    let response = match version {
        ProtocolVersion::Http1 => {
            parts.version = Version::HTTP_11;
            // HTTP/2 requests carry `:authority`; HTTP/1.1 targets need `host`.
            if let Some(host) = host
                && !parts.headers.contains_key(HOST)
            {
                parts.headers.insert(HOST, HeaderValue::from_str(&host)?);
            }
            state
                .upstream_h1
                .request(Request::from_parts(parts, body))
                .await?
        }
        _ => {
            parts.version = Version::HTTP_2;
            parts.headers.remove(HOST);
            state
                .upstream_h2
                .request(Request::from_parts(parts, body))
                .await?
        }
    };
    Ok(response.map(boxed_body))
}

/// `uri` with its path replaced by `path` (the query kept as sent).
fn with_path(uri: &Uri, path: &str) -> Option<Uri> {
    if uri.path() == path {
        return Some(uri.clone());
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().ok()?);
    Uri::from_parts(parts).ok()
}

/// The built-in echo target.
pub(crate) async fn echo(request: Request<FakeBody>) -> Result<Response<FakeBody>, BoxError> {
    let (parts, body) = request.into_parts();
    let bytes = body.collect().await?.to_bytes();
    let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in &parts.headers {
        headers
            .entry(name.as_str().to_owned())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    if let Some(authority) = parts.uri.authority() {
        headers
            .entry(":authority".to_owned())
            .or_default()
            .push(authority.as_str().to_owned());
    }
    let doc = serde_json::json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "version": format!("{:?}", parts.version),
        "headers": headers,
        "body": String::from_utf8_lossy(&bytes),
        "bodyLength": bytes.len(),
    });
    let json = serde_json::to_vec(&doc)?;
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(full_body(json))?)
}

/// The request context of the policy keys in `needed` :
/// only the keys some policy tests are computed.
fn policy_context(
    parts: &http::request::Parts,
    principal: Option<&super::model::Principal>,
    conn: &ConnInfo,
    service_arn: &str,
    network_arn: Option<&str>,
    now: SystemTime,
    needed: &super::compile::NeededKeys,
) -> PolicyContext {
    let mut ctx = PolicyContext::new();
    let want = |key: &str| needed.wants(key);
    if want(keys::PORT) {
        ctx.insert(keys::PORT, conn.port.to_string());
    }
    if want(keys::REQUEST_METHOD) {
        ctx.insert(keys::REQUEST_METHOD, parts.method.as_str());
    }
    if want(keys::REQUEST_PATH) {
        ctx.insert(keys::REQUEST_PATH, parts.uri.path());
    }
    if want(keys::SERVICE_ARN) {
        ctx.insert(keys::SERVICE_ARN, service_arn);
    }
    if let (Some(arn), true) = (network_arn, want(keys::SERVICE_NETWORK_ARN)) {
        ctx.insert(keys::SERVICE_NETWORK_ARN, arn);
    }
    if want(keys::SOURCE_VPC) {
        ctx.insert(keys::SOURCE_VPC, conn.client.vpc_id.clone());
    }
    if want(keys::SOURCE_VPC_OWNER_ACCOUNT) {
        ctx.insert(
            keys::SOURCE_VPC_OWNER_ACCOUNT,
            conn.client.owner_account.clone(),
        );
    }
    if want(keys::SOURCE_IP) {
        ctx.insert(keys::SOURCE_IP, conn.peer.ip().to_string());
    }
    if want(keys::SECURE_TRANSPORT) {
        let secure = conn.protocol == ListenerProtocol::Https;
        ctx.insert(
            keys::SECURE_TRANSPORT,
            if secure { "true" } else { "false" },
        );
    }
    if want(keys::EPOCH_TIME) {
        let secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        ctx.insert(keys::EPOCH_TIME, secs.to_string());
    }
    if want(keys::CURRENT_TIME) {
        ctx.insert(keys::CURRENT_TIME, super::access_log::format_time(now));
    }
    for name in needed.suffixes(keys::REQUEST_HEADER_PREFIX) {
        for value in parts.headers.get_all(name) {
            if let Ok(v) = value.to_str() {
                ctx.append(&keys::request_header(name), v);
            }
        }
    }
    let mut query_keys = needed
        .suffixes(keys::REQUEST_QUERY_STRING_PREFIX)
        .peekable();
    if let (Some(query), true) = (parts.uri.query(), query_keys.peek().is_some()) {
        let wanted: Vec<&str> = query_keys.collect();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = percent_encoding::percent_decode_str(k).decode_utf8_lossy();
            if wanted.iter().any(|w| w.eq_ignore_ascii_case(&k)) {
                let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                ctx.append(&keys::request_query_string(&k), v.into_owned());
            }
        }
    }
    if let Some(p) = principal {
        if let (Some(org), true) = (&p.org_id, want(keys::PRINCIPAL_ORG_ID)) {
            ctx.insert(keys::PRINCIPAL_ORG_ID, org.clone());
        }
        if let (Some(path), true) = (&p.org_path, want(keys::PRINCIPAL_ORG_PATHS)) {
            ctx.insert(keys::PRINCIPAL_ORG_PATHS, path.clone());
        }
        if needed.suffixes(keys::PRINCIPAL_TAG_PREFIX).next().is_some() {
            for (k, v) in &p.tags {
                ctx.insert(&format!("{}{k}", keys::PRINCIPAL_TAG_PREFIX), v.clone());
            }
        }
    }
    ctx
}

fn caller_identity(
    caller: Option<(&super::model::Principal, Option<&str>)>,
    client: &CClient,
    service_arn: &str,
    network_arn: Option<&str>,
    target_group_arn: &str,
) -> CallerIdentity {
    let mut id = CallerIdentity::default();
    if let Some((p, session)) = caller {
        id.auth_type = Some("AWS_IAM".to_owned());
        id.principal = Some(p.arn.clone());
        id.principal_org_id = p.org_id.clone();
        id.principal_org_path = p.org_path.clone();
        id.session_name = session.map(str::to_owned);
        id.principal_tags = p.tags.clone();
    }
    id.source_vpc_arn = Some(client.vpc_arn.clone());
    id.source_vpc_id = Some(client.vpc_id.clone());
    id.service_arn = Some(service_arn.to_owned());
    id.service_network_arn = network_arn.map(str::to_owned);
    id.target_group_arn = Some(target_group_arn.to_owned());
    id
}

// ---------------------------------------------------------------------------
// Responses and their access-log record
// ---------------------------------------------------------------------------

/// A request on its way to a response; owns the access-log record.
struct Pending {
    state: Arc<State>,
    rec: AccessLogRecord,
    started: Instant,
    guard: Option<ActiveGuard>,
    request_id: Option<HeaderValue>,
    progress: Option<Arc<RequestProgress>>,
    service: Option<usize>,
    tg: Option<usize>,
    from_target: bool,
}

impl Pending {
    fn not_found(self) -> Response<FakeBody> {
        self.error(
            StatusCode::NOT_FOUND,
            "Non Existent Service",
            FailureReason::ClientProtocolError,
        )
    }

    /// The fake's answer to a failed target (or its own failure).
    fn fail(self, failure: Failure) -> Response<FakeBody> {
        self.error(failure.status, failure.line, failure.reason)
    }

    /// A short text response from the fake itself.
    fn error(
        mut self,
        status: StatusCode,
        line: &str,
        reason: FailureReason,
    ) -> Response<FakeBody> {
        self.rec.failure_reason = Some(reason);
        let response = Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "text/plain")
            .body(full_body(format!("{line}\n")));
        self.respond(response)
    }

    fn respond(
        mut self,
        response: Result<Response<FakeBody>, impl Into<BoxError>>,
    ) -> Response<FakeBody> {
        let mut response = match response {
            Ok(r) => r,
            Err(_) => {
                let mut r = Response::new(full_body("Internal Error\n"));
                *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                self.rec.failure_reason = Some(FailureReason::InternalError);
                r
            }
        };
        if let Some(id) = self.request_id.take() {
            response.headers_mut().insert(REQUEST_ID, id);
        }
        self.rec.response_code = response.status().as_u16();
        if let Some(code) = grpc_status(response.headers()) {
            self.rec.grpc_response_code = Some(code);
        }
        self.rec.bytes_sent = response_head_bytes(&response);
        let (parts, body) = response.into_parts();
        let logged = LoggedBody {
            inner: body,
            finish: Some(Finish {
                state: self.state,
                rec: self.rec,
                started: self.started,
                first_byte: Instant::now(),
                progress: self.progress,
                service: self.service,
                tg: self.tg,
                from_target: self.from_target,
                _guard: self.guard,
            }),
        };
        Response::from_parts(parts, boxed_body(logged))
    }
}

fn grpc_status(headers: &HeaderMap) -> Option<i32> {
    headers
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse().ok())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

struct Finish {
    state: Arc<State>,
    rec: AccessLogRecord,
    started: Instant,
    first_byte: Instant,
    progress: Option<Arc<RequestProgress>>,
    service: Option<usize>,
    tg: Option<usize>,
    from_target: bool,
    _guard: Option<ActiveGuard>,
}

impl Finish {
    fn done(mut self, complete: bool) {
        let now = Instant::now();
        self.rec.duration = millis(now.duration_since(self.started));
        if let Some(progress) = &self.progress {
            self.rec.bytes_received += progress.bytes();
            self.rec.request_to_target_duration = progress.millis_since(self.started);
        }
        if self.rec.target_group_arn.is_some() && self.rec.target_ip_port.is_some() {
            self.rec.response_from_target_duration = millis(now.duration_since(self.first_byte));
        }
        if !complete && self.rec.failure_reason.is_none() {
            self.rec.failure_reason = Some(FailureReason::ClientConnectionClosed);
        }
        let status = self.rec.response_code;
        let metrics = &self.state.metrics;
        if let Some(counters) = self.service.and_then(|s| metrics.service(s)) {
            counters.request(status, self.from_target, self.rec.duration);
        }
        if let Some(counters) = self.tg.and_then(|t| metrics.target_group(t)) {
            counters.request(status, self.from_target, self.rec.duration);
        }
        self.state.push_log(self.rec);
    }
}

pin_project_lite::pin_project! {
    /// The response body: counts bytes out, reads `grpc-status` from the
    /// trailers, and writes the access-log record when it ends or is dropped.
    struct LoggedBody {
        #[pin]
        inner: FakeBody,
        finish: Option<Finish>,
    }

    impl PinnedDrop for LoggedBody {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(finish) = this.finish.take() {
                let complete = this.inner.is_end_stream();
                finish.done(complete);
            }
        }
    }
}

impl HttpBody for LoggedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(finish) = this.finish.as_mut() {
                    if let Some(data) = frame.data_ref() {
                        finish.rec.bytes_sent += data.len() as u64;
                    } else if let Some(trailers) = frame.trailers_ref()
                        && let Some(code) = grpc_status(trailers)
                    {
                        finish.rec.grpc_response_code = Some(code);
                    }
                }
            }
            Poll::Ready(Some(Err(_))) => {
                if let Some(mut finish) = this.finish.take() {
                    finish.rec.failure_reason = Some(FailureReason::TargetConnectionClosed);
                    finish.done(true);
                }
            }
            Poll::Ready(None) => {
                if let Some(finish) = this.finish.take() {
                    finish.done(true);
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// How much of the request body went to the target, and when the last byte did.
#[derive(Debug, Default)]
pub(crate) struct RequestProgress {
    bytes: AtomicUsize,
    last: Mutex<Option<Instant>>,
}

impl RequestProgress {
    fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Acquire) as u64
    }

    fn millis_since(&self, start: Instant) -> u64 {
        let last = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.map_or(0, |t| millis(t.duration_since(start)))
    }
}

pin_project_lite::pin_project! {
    /// The request body on its way to the target: counted, never buffered.
    struct CountingBody<B> {
        #[pin]
        inner: B,
        progress: Arc<RequestProgress>,
    }
}

impl<B> HttpBody for CountingBody<B>
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.progress.bytes.fetch_add(data.len(), Ordering::AcqRel);
                }
                *this.progress.last.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(Instant::now());
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => {
                *this.progress.last.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(Instant::now());
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
