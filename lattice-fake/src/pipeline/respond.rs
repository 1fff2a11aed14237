//! Answers and their access-log record: the fake's own one-line answers
//! ([`Rejection`]), and the response body that writes the record when it
//! ends.

use std::borrow::Cow;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::target::RequestProgress;
use super::{ActiveGuard, ConnInfo, MAX_REQUEST_ID, State};
use crate::access_log::{AccessLogRecord, FailureReason};
use crate::model::{BoxError, FakeBody, boxed_body, empty_body, full_body};

pub(super) const REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// Why a request ends with an answer from the fake instead of the target's.
#[derive(Debug)]
pub(super) enum Rejection {
    /// A one-line text answer, with its failure reason.
    Fake(Failure),
    /// A rule's fixed response: the status and an empty body.
    Fixed(StatusCode),
}

impl From<Failure> for Rejection {
    fn from(failure: Failure) -> Self {
        Rejection::Fake(failure)
    }
}

/// A request the fake answers itself when a target fails: the status, the
/// one-line body and the access log's `failureReason`.
#[derive(Debug, Clone)]
pub(super) struct Failure {
    pub(super) status: StatusCode,
    pub(super) line: Cow<'static, str>,
    pub(super) reason: FailureReason,
}

impl Failure {
    pub(super) const fn new(status: StatusCode, line: &'static str, reason: FailureReason) -> Self {
        Failure {
            status,
            line: Cow::Borrowed(line),
            reason,
        }
    }

    /// A `400 Bad Request` the client caused (`ClientProtocolError`).
    pub(super) fn bad_request(line: String) -> Self {
        Failure {
            status: StatusCode::BAD_REQUEST,
            line: Cow::Owned(line),
            reason: FailureReason::ClientProtocolError,
        }
    }

    /// `404 Non Existent Service` (`docs/assumptions.md`, A46).
    pub(super) const NOT_FOUND: Failure = Failure::new(
        StatusCode::NOT_FOUND,
        "Non Existent Service",
        FailureReason::ClientProtocolError,
    );

    /// The target cannot be reached.
    pub(super) const CONNECT: Failure = Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Server Error: cannot connect to the target",
        FailureReason::TargetConnectionError,
    );
    /// The target closed the connection before answering.
    pub(super) const CLOSED: Failure = Failure::new(
        StatusCode::BAD_GATEWAY,
        "Bad Gateway: the target closed the connection",
        FailureReason::TargetConnectionClosed,
    );
    /// The target did not answer within the target timeout.
    pub(super) const TIMEOUT: Failure = Failure::new(
        StatusCode::GATEWAY_TIMEOUT,
        "Gateway Timeout: the target did not answer in time",
        FailureReason::TargetDataTimeout,
    );
    /// The target answered with something that is not a valid response.
    pub(super) const PROTOCOL: Failure = Failure::new(
        StatusCode::BAD_GATEWAY,
        "Bad Gateway: the target's response is invalid",
        FailureReason::TargetProtocolError,
    );
    /// The fake itself failed.
    pub(super) const INTERNAL: Failure = Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Error",
        FailureReason::InternalError,
    );
}

/// A request on its way to a response; owns the access-log record.
pub(super) struct Pending {
    state: Arc<State>,
    pub(super) rec: AccessLogRecord,
    started: Instant,
    guard: Option<ActiveGuard>,
    request_id: Option<HeaderValue>,
    pub(super) progress: Option<Arc<RequestProgress>>,
    pub(super) service: Option<usize>,
    pub(super) tg: Option<usize>,
    pub(super) from_target: bool,
}

impl Pending {
    /// The record of a request that just arrived: what the connection and
    /// the request head tell, and a request id (the client's, cut to 512
    /// bytes, or a fresh one).
    pub(super) fn new<B>(state: &Arc<State>, conn: &ConnInfo, req: &Request<B>) -> Self {
        let guard = conn.activity.begin();
        let mut rec = AccessLogRecord::from_request(req, (state.now)());
        rec.source_ip_port = Some(conn.peer.to_string());
        rec.listener_type = Some(conn.protocol.as_str().to_owned());
        rec.server_name_indication = conn.sni.clone();
        rec.tls_version = conn.tls_version.map(str::to_owned);
        rec.ssl_cipher = conn.cipher.clone();
        rec.source_vpc_id = Some(conn.client.vpc_id.clone());
        rec.source_vpc_arn = Some(conn.client.vpc_arn.clone());
        rec.bytes_received = head_bytes(req, header_stats(req.headers()));
        let request_id = match req.headers().get(&REQUEST_ID) {
            Some(v) => {
                let bytes = v.as_bytes();
                let cut = bytes.get(..MAX_REQUEST_ID).unwrap_or(bytes);
                HeaderValue::from_bytes(cut).unwrap_or_else(|_| HeaderValue::from_static("-"))
            }
            None => HeaderValue::from_str(&State::request_id())
                .unwrap_or_else(|_| HeaderValue::from_static("-")),
        };
        rec.request_id = Some(String::from_utf8_lossy(request_id.as_bytes()).into_owned());
        Pending {
            state: state.clone(),
            rec,
            started: Instant::now(),
            guard: Some(guard),
            request_id: Some(request_id),
            progress: None,
            service: None,
            tg: None,
            from_target: false,
        }
    }

    /// The request id sent back to the client and on to the target.
    pub(super) fn request_id(&self) -> HeaderValue {
        self.request_id
            .clone()
            .unwrap_or_else(|| HeaderValue::from_static("-"))
    }

    /// The fake's answer to a rejected request.
    pub(super) fn reject(mut self, rejection: Rejection) -> Response<FakeBody> {
        match rejection {
            Rejection::Fixed(status) => {
                self.respond(Response::builder().status(status).body(empty_body()))
            }
            Rejection::Fake(failure) => {
                self.rec.failure_reason = Some(failure.reason);
                self.rec.refusal_line = failure.line.lines().next().map(str::to_owned);
                let response = Response::builder()
                    .status(failure.status)
                    .header(http::header::CONTENT_TYPE, "text/plain")
                    .body(full_body(format!("{}\n", failure.line)));
                self.respond(response)
            }
        }
    }

    pub(super) fn respond(
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

pub(super) fn millis(d: Duration) -> u64 {
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

/// The number of headers and the bytes of their names and values.
pub(super) fn header_stats(headers: &HeaderMap) -> (usize, usize) {
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
