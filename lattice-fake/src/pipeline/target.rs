//! The target's side: in-process services, upstreams, Lambda functions,
//! the built-in request echo, injected faults, and the request body on its way.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HOST, HeaderValue};
use http::{Request, Response, StatusCode, Uri, Version};
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::State;
use super::respond::{Failure, Pending, millis};
use crate::access_log::FailureReason;
use crate::compile::CTargetGroup;
use crate::model::{
    BoxError, FakeBody, LambdaFunction, ProtocolVersion, Target, boxed_body, full_body,
};
use lattice_client::identity::{CallerIdentity, strip_identity_headers};

/// The Lambda request and response limit (6 MB; see `docs/assumptions.md`, A15).
pub const LAMBDA_MAX_BYTES: usize = 6 * 1024 * 1024;

/// What the access log shows as `targetIpPort` for in-process targets.
const IN_PROCESS_TARGET: &str = "127.0.0.1:0";
/// What the access log shows as `targetIpPort` for Lambda targets.
const LAMBDA_TARGET: &str = "lambda";

/// Sends `request` to the target group's target (after its injected
/// faults), within the target timeout, and records where it went.
pub(super) async fn call_target(
    state: &State,
    tg: &CTargetGroup,
    request: Request<FakeBody>,
    received: Arc<RequestProgress>,
    identity: &CallerIdentity,
    pending: &mut Pending,
) -> Result<Response<FakeBody>, Failure> {
    let timeout = state.c.timeouts.target;
    if let Some(answer) = inject_faults(state, tg, pending).await {
        return answer;
    }
    let (result, target_addr) = match &tg.target {
        Target::Service(svc) => (
            tokio::time::timeout(timeout, svc.call(request)).await,
            IN_PROCESS_TARGET.to_owned(),
        ),
        Target::Upstream(addr) => {
            let authority = addr.to_string();
            let call = forward_upstream(state, &authority, tg.protocol_version, request);
            (tokio::time::timeout(timeout, call).await, authority)
        }
        Target::UpstreamHost(host, port) => {
            // The connector resolves the name for each new connection
            // (every address in turn); a name that does not resolve is a
            // connection error. The log shows the address connected to.
            let authority = format!("{host}:{port}");
            let call = forward_upstream(state, &authority, tg.protocol_version, request);
            let result = tokio::time::timeout(timeout, call).await;
            let connected = match &result {
                Ok(Ok(response)) => response
                    .extensions()
                    .get::<hyper_util::client::legacy::connect::HttpInfo>()
                    .map(|info| info.remote_addr().to_string()),
                _ => None,
            };
            (result, connected.unwrap_or(authority))
        }
        Target::RequestEcho => (
            tokio::time::timeout(timeout, request_echo(request)).await,
            IN_PROCESS_TARGET.to_owned(),
        ),
        Target::Lambda(function, version) => {
            let call = invoke_lambda(state, function, *version, request, identity);
            pending.rec.target_ip_port = Some(LAMBDA_TARGET.to_owned());
            pending.progress = Some(received);
            let response = tokio::time::timeout(timeout, call)
                .await
                .map_err(|_elapsed| Failure::TIMEOUT)??;
            pending.from_target = true;
            return Ok(response);
        }
    };
    pending.rec.target_ip_port = Some(target_addr);
    pending.progress = Some(received);
    match result {
        Err(_elapsed) => Err(Failure::TIMEOUT),
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "fake lattice: target failed");
            if has_source::<BodyStalled>(&*err) {
                Err(STALLED)
            } else if is_connect_error(&*err) {
                Err(Failure::CONNECT)
            } else {
                Err(Failure::PROTOCOL)
            }
        }
        Ok(Ok(mut response)) => {
            for name in HOP_BY_HOP {
                response.headers_mut().remove(name);
            }
            pending.from_target = true;
            Ok(response)
        }
    }
}

/// The target group's injected faults (the access log's failure reasons):
/// `Some` answer when a fault fires, `None` to call the target.
async fn inject_faults(
    state: &State,
    tg: &CTargetGroup,
    pending: &mut Pending,
) -> Option<Result<Response<FakeBody>, Failure>> {
    let faults = &tg.faults;
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.is_none() {
        return None;
    }
    let roll = state.next_f64();
    let mut edge = faults.refuse;
    if roll < edge {
        return Some(Err(Failure::CONNECT));
    }
    pending.rec.target_ip_port = Some(IN_PROCESS_TARGET.to_owned());
    edge += faults.drop_connection;
    if roll < edge {
        return Some(Err(Failure::CLOSED));
    }
    edge += faults.hang;
    if roll < edge {
        tokio::time::sleep(state.c.timeouts.target).await;
        return Some(Err(Failure::TIMEOUT));
    }
    edge += faults.error;
    if roll < edge {
        let status = StatusCode::from_u16(faults.error_status.unwrap_or(503))
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        pending.from_target = true;
        let response = Response::builder()
            .status(status)
            .header(http::header::CONTENT_TYPE, "text/plain")
            .body(full_body("injected target error\n"))
            .map_err(|_| Failure::INTERNAL);
        return Some(response);
    }
    pending.rec.target_ip_port = None;
    None
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
    function: &LambdaFunction,
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
        Err(err) if has_source::<BodyStalled>(&err) => return Err(STALLED),
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
pub(super) fn check_protocol_version(
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

/// Whether `err` or one of its sources is an `E`.
fn has_source<E: std::error::Error + 'static>(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<E>() {
            return true;
        }
        source = e.source();
    }
    false
}

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

/// Forwards to the HTTP server at `authority` (`IP:PORT`, `[IPv6]:PORT` or
/// `HOST:PORT`).
async fn forward_upstream(
    state: &State,
    authority: &str,
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
    parts.uri = Uri::try_from(format!("http://{authority}{path}"))?;
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

/// The most the request echo reads of a body (as Lambda targets: 6 MB).
const ECHO_MAX_BYTES: usize = LAMBDA_MAX_BYTES;

/// The built-in request echo ([`Target::RequestEcho`]): reads at most
/// 6 MB of the body (`413` past that), within the target timeout.
async fn request_echo(request: Request<FakeBody>) -> Result<Response<FakeBody>, BoxError> {
    let (parts, body) = request.into_parts();
    let Some(bytes) = lattice_client::lambda::collect_limited(body, ECHO_MAX_BYTES).await? else {
        return Ok(Response::builder()
            .status(StatusCode::PAYLOAD_TOO_LARGE)
            .header(http::header::CONTENT_TYPE, "text/plain")
            .body(full_body(
                "Request Entity Too Large: the request echo reads at most 6 MB\n",
            ))?);
    };
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

/// How much of the request body went to the target, and when the last byte did.
#[derive(Debug, Default)]
pub(crate) struct RequestProgress {
    bytes: AtomicUsize,
    last: Mutex<Option<Instant>>,
}

impl RequestProgress {
    pub(super) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Acquire) as u64
    }

    pub(super) fn millis_since(&self, start: Instant) -> u64 {
        let last = *self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.map_or(0, |t| millis(t.duration_since(start)))
    }
}

pin_project_lite::pin_project! {
    /// The request body on its way to the target: counted, never buffered.
    pub(super) struct CountingBody<B> {
        #[pin]
        inner: B,
        progress: Arc<RequestProgress>,
        // Fires when the client sends nothing for `stall`.
        #[pin]
        deadline: tokio::time::Sleep,
        stall: Duration,
    }
}

impl<B> CountingBody<B> {
    /// Counts `inner` into `progress`, and fails with [`BodyStalled`] when
    /// no frame arrives for `stall` (the body read timeout).
    pub(super) fn new(inner: B, progress: Arc<RequestProgress>, stall: Duration) -> Self {
        CountingBody {
            inner,
            progress,
            deadline: tokio::time::sleep(stall),
            stall,
        }
    }
}

/// The request body sent nothing for the body read timeout.
#[derive(Debug, thiserror::Error)]
#[error("the request body sent nothing for {0:?}")]
pub(super) struct BodyStalled(Duration);

/// A request whose body stalled: `408` (`docs/assumptions.md`, A62).
const STALLED: Failure = Failure::new(
    StatusCode::REQUEST_TIMEOUT,
    "Request Timeout: the request body sent nothing for too long",
    FailureReason::ClientProtocolError,
);

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
        let mut this = self.project();
        match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = tokio::time::Instant::now() + *this.stall;
                this.deadline.as_mut().reset(next);
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
            Poll::Pending => match this.deadline.poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyStalled(*this.stall).into()))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
