//! Target groups and their targets: HTTP services, upstreams, Lambda
//! functions, the built-in request and event echoes, and injected faults.

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{BoxError, FakeBody, boxed_body};
use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{Request, Response};
use http_body::Body as HttpBody;

/// A target group's `protocolVersion`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// `HTTP1` (the API default).
    #[default]
    #[serde(rename = "HTTP1")]
    Http1,
    /// `HTTP2`.
    #[serde(rename = "HTTP2")]
    Http2,
    /// `GRPC`.
    #[serde(rename = "GRPC")]
    Grpc,
}

impl ProtocolVersion {
    /// `HTTP1`, `HTTP2` or `GRPC`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolVersion::Http1 => "HTTP1",
            ProtocolVersion::Http2 => "HTTP2",
            ProtocolVersion::Grpc => "GRPC",
        }
    }
}

type TargetFuture = BoxFuture<'static, Result<Response<FakeBody>, BoxError>>;

/// An in-process target: any `tower::Service` over `http` types, boxed.
///
/// Built with [`Target::service`]; a tonic server's router, an axum
/// `Router` (through `tower::ServiceExt::map_request` if it wants another
/// body type) or a `tower::service_fn` all work.
#[derive(Clone)]
pub struct ServiceTarget {
    call: Arc<dyn Fn(Request<FakeBody>) -> TargetFuture + Send + Sync>,
}

impl fmt::Debug for ServiceTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServiceTarget(..)")
    }
}

impl ServiceTarget {
    /// Boxes `service`; each request is served by a clone of it.
    pub fn new<S, B>(service: S) -> Self
    where
        S: tower_service::Service<Request<FakeBody>, Response = Response<B>>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let fresh = clone_per_call(service);
        ServiceTarget {
            call: Arc::new(move |request| oneshot(fresh(), request)),
        }
    }

    pub(crate) fn call(&self, request: Request<FakeBody>) -> TargetFuture {
        (self.call)(request)
    }
}

/// A `Sync` source of clones of `service` (which need only be `Send`): each
/// request is served by its own clone, as Tower expects.
fn clone_per_call<S: Clone + Send>(service: S) -> impl Fn() -> S + Send + Sync {
    let service = Mutex::new(service);
    move || match service.lock() {
        Ok(s) => s.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// Drives `service` to readiness and calls it once.
pub(crate) fn call_once<S, R>(
    service: S,
    request: R,
) -> BoxFuture<'static, Result<S::Response, BoxError>>
where
    S: tower_service::Service<R> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    R: Send + 'static,
{
    let mut service = service;
    let mut request = Some(request);
    let mut called: Option<std::pin::Pin<Box<S::Future>>> = None;
    Box::pin(futures_util::future::poll_fn(move |cx| {
        use std::task::Poll;
        loop {
            if let Some(future) = called.as_mut() {
                return match future.as_mut().poll(cx) {
                    Poll::Ready(result) => Poll::Ready(result.map_err(Into::into)),
                    Poll::Pending => Poll::Pending,
                };
            }
            match service.poll_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e.into())),
                Poll::Ready(Ok(())) => {
                    let Some(request) = request.take() else {
                        return Poll::Ready(Err("service polled after completion".into()));
                    };
                    called = Some(Box::pin(service.call(request)));
                }
            }
        }
    }))
}

/// Drives `service` to readiness, calls it once, boxes the response body.
fn oneshot<S, B>(service: S, request: Request<FakeBody>) -> TargetFuture
where
    S: tower_service::Service<Request<FakeBody>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let call = call_once(service, request);
    Box::pin(async move { Ok(call.await?.map(boxed_body)) })
}

type LambdaFuture = BoxFuture<'static, Result<serde_json::Value, BoxError>>;

/// A Lambda function behind a `LAMBDA` target group: event JSON in,
/// response JSON out.
#[derive(Clone)]
pub struct LambdaFunction {
    call: Arc<dyn Fn(serde_json::Value) -> LambdaFuture + Send + Sync>,
}

impl fmt::Debug for LambdaFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LambdaFunction(..)")
    }
}

impl LambdaFunction {
    /// The same Tower service a production function passes to
    /// [`lattice_client::lambda::run()`]: each invocation goes through
    /// [`lattice_client::lambda::Adapter`] (event → `http::Request`, response → JSON).
    pub fn service<S, B>(service: S) -> Self
    where
        S: tower_service::Service<Request<lattice_client::lambda::Body>, Response = Response<B>>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: HttpBody + Send + 'static,
        B::Data: Send,
        B::Error: Into<BoxError>,
    {
        let fresh = clone_per_call(service);
        LambdaFunction {
            call: Arc::new(move |event| {
                call_once::<_, serde_json::Value>(
                    lattice_client::lambda::Adapter::new(fresh()),
                    event,
                )
            }),
        }
    }

    /// A handler over the raw JSON: the event in, the response object out
    /// (for tests of malformed responses and failing invocations).
    pub fn json_fn<F, Fut>(handler: F) -> Self
    where
        F: Fn(serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<serde_json::Value, BoxError>> + Send + 'static,
    {
        LambdaFunction {
            call: Arc::new(move |event| Box::pin(handler(event))),
        }
    }

    /// The built-in event echo: a function that answers `200` with the
    /// Lattice event it received as its JSON body (config files:
    /// `fake: {target: eventEcho}`, or `echo` in a `LAMBDA` target group).
    pub fn event_echo() -> Self {
        Self::json_fn(|event| async move {
            let body = serde_json::to_string(&event)?;
            Ok(serde_json::json!({
                "statusCode": 200,
                "headers": {"content-type": "application/json"},
                "isBase64Encoded": false,
                "body": body,
            }))
        })
    }

    pub(crate) fn call(&self, event: serde_json::Value) -> LambdaFuture {
        (self.call)(event)
    }
}

/// Failures a target group can be told to produce (the access log's failure
/// reasons). Fractions are of the requests forwarded to the group and are
/// drawn, in this order, from the fake's seeded random source.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct Faults {
    /// Added before the target is called.
    pub latency: Duration,
    /// Fraction refused at connect: `500`, `TargetConnectionError`.
    pub refuse: f64,
    /// Fraction whose connection drops before a response: `502`,
    /// `TargetConnectionClosed`.
    pub drop_connection: f64,
    /// Fraction that never answers: `504` after the target timeout,
    /// `TargetDataTimeout`.
    pub hang: f64,
    /// Fraction answered by the target with [`Faults::error_status`] (a
    /// target response: counted as `HTTPCode_Target_…`, no failure reason).
    pub error: f64,
    /// The status of injected target errors (default 503).
    pub error_status: Option<u16>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds `latency` before every call.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Refuses this fraction of connections.
    pub fn refuse(mut self, fraction: f64) -> Self {
        self.refuse = fraction;
        self
    }

    /// Drops this fraction of connections before a response.
    pub fn drop_connection(mut self, fraction: f64) -> Self {
        self.drop_connection = fraction;
        self
    }

    /// Never answers this fraction of requests.
    pub fn hang(mut self, fraction: f64) -> Self {
        self.hang = fraction;
        self
    }

    /// Answers this fraction of requests with `status` from the target.
    pub fn error(mut self, status: u16, fraction: f64) -> Self {
        self.error_status = Some(status);
        self.error = fraction;
        self
    }

    pub(crate) fn is_none(&self) -> bool {
        self.latency.is_zero()
            && self.refuse <= 0.0
            && self.drop_connection <= 0.0
            && self.hang <= 0.0
            && self.error <= 0.0
    }
}

/// Where a target group's requests go.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Target {
    /// An in-process Tower service.
    Service(ServiceTarget),
    /// An HTTP server on loopback, spoken to in the target group's protocol
    /// version (`HTTP1`: HTTP/1.1; `HTTP2` and `GRPC`: HTTP/2 with prior
    /// knowledge).
    Upstream(SocketAddr),
    /// An HTTP server by DNS name and port (a docker compose service, say),
    /// resolved at each request with the system resolver; otherwise as
    /// [`Target::Upstream`]. A name that does not resolve is a `500`
    /// (`TargetConnectionError`). See [`Target::upstream_host`].
    UpstreamHost(String, u16),
    /// The built-in request echo: answers `200` with a JSON object
    /// describing the HTTP request it received (`method`, `path`, `query`,
    /// `headers`, `body`, `bodyLength`), so a config file runs without code
    /// (`fake: {target: requestEcho}`, or `echo`).
    RequestEcho,
    /// A Lambda function fed `V1` or `V2` events (see [`lattice_client::lambda`]).
    Lambda(LambdaFunction, lattice_client::lambda::EventVersion),
}

impl Target {
    /// An in-process Tower service; see [`ServiceTarget::new`].
    pub fn service<S, B>(service: S) -> Self
    where
        S: tower_service::Service<Request<FakeBody>, Response = Response<B>>
            + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: HttpBody<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Target::Service(ServiceTarget::new(service))
    }

    /// An HTTP server at `addr` (must be a loopback address).
    pub fn upstream(addr: SocketAddr) -> Self {
        Target::Upstream(addr)
    }

    /// An HTTP server at `host:port`, `host` a DNS name resolved at each
    /// request (for example a compose service, `orders-api`); checked by
    /// [`build`](crate::FakeLatticeBuilder::build).
    pub fn upstream_host(host: impl Into<String>, port: u16) -> Self {
        Target::UpstreamHost(host.into(), port)
    }

    /// `IP:PORT` ([`Target::upstream`]) or `HOST:PORT`
    /// ([`Target::upstream_host`]), as a config file writes it.
    ///
    /// # Errors
    ///
    /// What is wrong with `value`, as one line.
    pub fn upstream_from_str(value: &str) -> Result<Self, String> {
        if let Ok(addr) = value.parse::<SocketAddr>() {
            return Ok(Target::Upstream(addr));
        }
        let Some((host, port)) = value.rsplit_once(':') else {
            return Err(
                "no port; write HOST:PORT, e.g. `orders-api:8080` or `127.0.0.1:8080`".to_owned(),
            );
        };
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("port `{port}` is not 1-65535"))?;
        check_upstream_host(host)?;
        Ok(Target::UpstreamHost(host.to_ascii_lowercase(), port))
    }
}

impl Target {
    /// An upstream IP address must be loopback; an upstream name must be a
    /// DNS name, and its port not 0.
    pub(crate) fn check_upstream(&self, target_group: &str) -> Result<(), crate::FakeError> {
        match self {
            Target::Upstream(addr) if !addr.ip().is_loopback() => {
                Err(crate::FakeError::NonLoopbackUpstream {
                    target_group: target_group.to_owned(),
                    addr: *addr,
                })
            }
            Target::UpstreamHost(host, port) => check_upstream_host(host)
                .and_then(|()| {
                    (*port != 0)
                        .then_some(())
                        .ok_or_else(|| "port 0; use 1-65535".to_owned())
                })
                .map_err(|reason| crate::FakeError::InvalidUpstream {
                    target_group: target_group.to_owned(),
                    value: format!("{host}:{port}"),
                    reason,
                }),
            _ => Ok(()),
        }
    }
}

/// A DNS name: dot-separated labels of letters, digits and hyphens (no
/// leading or trailing hyphen), each 1-63 bytes, at most 253 in all.
pub(crate) fn check_upstream_host(host: &str) -> Result<(), String> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
        return Err(format!(
            "`{host}` is not a DNS name; use letters, digits, hyphens and dots (e.g. `orders-api`), or an IP address"
        ));
    }
    Ok(())
}

/// A target group: name, protocol version and its target.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TargetGroup {
    /// Its name (3–128 characters: letters, digits, hyphens).
    pub name: String,
    /// An explicit id (`tg-` + 17 hex digits); generated from the name if unset.
    pub id: Option<String>,
    /// `HTTP1`, `HTTP2` or `GRPC`.
    pub protocol_version: ProtocolVersion,
    /// Where requests go.
    pub target: Target,
    /// Injected failures.
    pub faults: Faults,
}

impl TargetGroup {
    /// A target group named `name` sending to `target`, protocol version `HTTP1`.
    pub fn new(name: impl Into<String>, target: Target) -> Self {
        TargetGroup {
            name: name.into(),
            id: None,
            protocol_version: ProtocolVersion::Http1,
            target,
            faults: Faults::default(),
        }
    }

    /// A `LAMBDA` target group with `lambdaEventStructureVersion` `version`.
    pub fn lambda(
        name: impl Into<String>,
        version: lattice_client::lambda::EventVersion,
        function: LambdaFunction,
    ) -> Self {
        Self::new(name, Target::Lambda(function, version))
    }

    /// Injects failures.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// A target group served by the built-in request echo
    /// ([`Target::RequestEcho`]).
    pub fn request_echo(name: impl Into<String>) -> Self {
        Self::new(name, Target::RequestEcho)
    }

    /// Sets an explicit id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the protocol version.
    pub fn protocol_version(mut self, version: ProtocolVersion) -> Self {
        self.protocol_version = version;
        self
    }
}
