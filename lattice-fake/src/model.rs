//! The fake's model: service networks, services, listeners, target groups,
//! principals and clients, written the way a user writes Terraform, and
//! validated on [`FakeLatticeBuilder::build`].

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use http::{Request, Response};
use http_body::Body as HttpBody;
use http_body_util::BodyExt;

use super::routing::{Limits, Rule, RuleAction};
use lattice_client::policy::{AuthPolicy, IdentityPolicy};

/// The error type of bodies and targets inside the fake.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The body of requests handed to targets and of responses taken from them.
pub type FakeBody = http_body_util::combinators::UnsyncBoxBody<Bytes, BoxError>;

/// Boxes any body into a [`FakeBody`].
pub fn boxed_body<B>(body: B) -> FakeBody
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    body.map_err(Into::into).boxed_unsync()
}

/// A body holding `bytes`.
pub fn full_body(bytes: impl Into<Bytes>) -> FakeBody {
    boxed_body(http_body_util::Full::new(bytes.into()))
}

/// An empty body.
pub fn empty_body() -> FakeBody {
    boxed_body(http_body_util::Empty::<Bytes>::new())
}

// ---------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------

/// A service network's or service's auth type, as the API spells it
/// (`NONE` / `AWS_IAM`), with the auth policy as IAM JSON (parsed on
/// [`FakeLatticeBuilder::build`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// `NONE`: the layer does not take part in authorization.
    #[default]
    None,
    /// `AWS_IAM` with an auth policy (IAM JSON); `None` denies everything,
    /// as Lattice does for `AWS_IAM` without a policy.
    AwsIam(Option<String>),
}

impl Auth {
    /// `AWS_IAM` with `policy_json`.
    pub fn aws_iam(policy_json: impl Into<String>) -> Self {
        Auth::AwsIam(Some(policy_json.into()))
    }

    /// The API's name: `NONE` or `AWS_IAM`.
    pub fn auth_type(&self) -> &'static str {
        match self {
            Auth::None => "NONE",
            Auth::AwsIam(_) => "AWS_IAM",
        }
    }
}

// ---------------------------------------------------------------------------
// Service network
// ---------------------------------------------------------------------------

/// A service network: its auth type and policy, and the services associated
/// with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceNetwork {
    /// Its name (3–63 characters: lower-case letters, digits, hyphens).
    pub name: String,
    /// An explicit id (`sn-` + 17 hex digits); generated from the name if unset.
    pub id: Option<String>,
    /// Auth type and policy.
    pub auth: Auth,
    /// Names of the associated services.
    pub services: Vec<String>,
    /// Associate every service of the fake.
    pub all_services: bool,
}

impl ServiceNetwork {
    /// A network named `name`, auth type `NONE`, no services.
    pub fn new(name: impl Into<String>) -> Self {
        ServiceNetwork {
            name: name.into(),
            id: None,
            auth: Auth::None,
            services: Vec::new(),
            all_services: false,
        }
    }

    /// Sets an explicit id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the auth type and policy.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// `AWS_IAM` with this auth policy (IAM JSON).
    pub fn aws_iam(self, policy_json: impl Into<String>) -> Self {
        self.auth(Auth::aws_iam(policy_json))
    }

    /// Associates the service named `name`.
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.services.push(name.into());
        self
    }

    /// Associates every service of the fake.
    pub fn all_services(mut self) -> Self {
        self.all_services = true;
        self
    }
}

// ---------------------------------------------------------------------------
// Service and listeners
// ---------------------------------------------------------------------------

/// A service: name, optional explicit id and custom domain, auth, listeners.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Service {
    /// Its name (3–40 characters: lower-case letters, digits, hyphens; no
    /// leading, trailing or double hyphen; not starting with `svc-`).
    pub name: String,
    /// An explicit id (`svc-` + 17 hex digits); generated from the name if unset.
    pub id: Option<String>,
    /// A custom domain name served next to the generated name.
    pub custom_domain_name: Option<String>,
    /// Auth type and policy.
    pub auth: Auth,
    /// Its listeners (at most [`Limits::listeners_per_service`]).
    pub listeners: Vec<Listener>,
}

impl Service {
    /// A service named `name`, auth type `NONE`, no listeners.
    pub fn new(name: impl Into<String>) -> Self {
        Service {
            name: name.into(),
            id: None,
            custom_domain_name: None,
            auth: Auth::None,
            listeners: Vec::new(),
        }
    }

    /// Sets an explicit id (`svc-0123456789abcdef0`).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the custom domain name.
    pub fn custom_domain(mut self, domain: impl Into<String>) -> Self {
        self.custom_domain_name = Some(domain.into());
        self
    }

    /// Sets the auth type and policy.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// `AWS_IAM` with this auth policy (IAM JSON).
    pub fn aws_iam(self, policy_json: impl Into<String>) -> Self {
        self.auth(Auth::aws_iam(policy_json))
    }

    /// Adds a listener.
    pub fn listener(mut self, listener: Listener) -> Self {
        self.listeners.push(listener);
        self
    }
}

/// A listener protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum ListenerProtocol {
    /// `HTTP`: plain text, HTTP/1.1 (and h2 with prior knowledge, assumed for Lattice).
    #[serde(rename = "HTTP")]
    Http,
    /// `HTTPS`: TLS terminated by the fake, ALPN `h2` and `http/1.1`.
    #[serde(rename = "HTTPS")]
    Https,
}

impl ListenerProtocol {
    /// `HTTP` or `HTTPS`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListenerProtocol::Http => "HTTP",
            ListenerProtocol::Https => "HTTPS",
        }
    }

    /// The URL scheme: `http` or `https`.
    pub fn scheme(self) -> &'static str {
        match self {
            ListenerProtocol::Http => "http",
            ListenerProtocol::Https => "https",
        }
    }

    /// The API's default port: 80 or 443.
    pub fn default_port(self) -> u16 {
        match self {
            ListenerProtocol::Http => 80,
            ListenerProtocol::Https => 443,
        }
    }
}

impl fmt::Display for ListenerProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A listener: protocol, the modelled port, rules and the default action.
///
/// The modelled port is what Lattice would listen on (80, 443, …); the fake
/// serves it on an ephemeral loopback port and passes the modelled one to
/// targets (`x-forwarded-port`) and policies (`vpc-lattice-svcs:Port`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listener {
    /// Its name; `<protocol>-<port>` in lower case when unset.
    pub name: Option<String>,
    /// `HTTP` or `HTTPS`.
    pub protocol: ListenerProtocol,
    /// The modelled port (1–65535).
    pub port: u16,
    /// Its rules (the default excluded).
    pub rules: Vec<Rule>,
    /// The default action; a fixed 404 when unset.
    pub default_action: Option<RuleAction>,
}

impl Listener {
    /// An `HTTP` listener on the modelled `port`.
    pub fn http(port: u16) -> Self {
        Self::new(ListenerProtocol::Http, port)
    }

    /// An `HTTPS` listener on the modelled `port`.
    pub fn https(port: u16) -> Self {
        Self::new(ListenerProtocol::Https, port)
    }

    /// A listener of `protocol` on the modelled `port`.
    pub fn new(protocol: ListenerProtocol, port: u16) -> Self {
        Listener {
            name: None,
            protocol,
            port,
            rules: Vec::new(),
            default_action: None,
        }
    }

    /// Sets its name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the default action.
    pub fn default_action(mut self, action: RuleAction) -> Self {
        self.default_action = Some(action);
        self
    }

    /// Sets the default action to forward to one target group (by name, id
    /// or ARN).
    pub fn forward_to(self, target_group: impl Into<String>) -> Self {
        self.default_action(RuleAction::forward_to(target_group))
    }

    /// The name, or `<protocol>-<port>` in lower case.
    pub fn effective_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            format!(
                "{}-{}",
                self.protocol.as_str().to_ascii_lowercase(),
                self.port
            )
        })
    }
}

// ---------------------------------------------------------------------------
// Target groups
// ---------------------------------------------------------------------------

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

    /// The built-in echo function: answers `200` with the event it received
    /// as its JSON body.
    pub fn echo() -> Self {
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
    /// The built-in echo target: answers `200` with a JSON object describing
    /// the request it received (`method`, `path`, `query`, `headers`,
    /// `body`, `bodyLength`), so a config file runs without code.
    Echo,
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

    /// A target group served by the built-in echo target.
    pub fn echo(name: impl Into<String>) -> Self {
        Self::new(name, Target::Echo)
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

// ---------------------------------------------------------------------------
// Principals and clients
// ---------------------------------------------------------------------------

/// A caller the fake knows: static keys and the IAM facts Lattice would
/// learn about it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Principal {
    /// The access key id (`AKIDEXAMPLE`, `ASIA…`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// A session token the caller must send (temporary credentials).
    pub session_token: Option<String>,
    /// The principal ARN Lattice reports (`arn:aws:sts::…:assumed-role/…`).
    pub arn: String,
    /// `aws:PrincipalOrgID`.
    pub org_id: Option<String>,
    /// `aws:PrincipalOrgPaths` (one path).
    pub org_path: Option<String>,
    /// `SessionName`; for an assumed-role ARN, its session part when unset.
    pub session_name: Option<String>,
    /// Principal tags (`aws:PrincipalTag/<key>`, `x-amzn-lattice-identity-tags`).
    pub tags: Vec<(String, String)>,
    /// The principal's identity-based policies (IAM JSON). `None`: one
    /// policy allowing `vpc-lattice-svcs:Invoke` on `*`.
    pub identity_policies: Option<Vec<String>>,
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Principal")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("arn", &self.arn)
            .field("org_id", &self.org_id)
            .field("org_path", &self.org_path)
            .field("session_name", &self.session_name)
            .field("tags", &self.tags)
            .field("identity_policies", &self.identity_policies)
            .finish()
    }
}

/// The identity policy a principal gets when none is given.
pub const DEFAULT_IDENTITY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

impl Principal {
    /// A principal with these static keys and ARN.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        arn: impl Into<String>,
    ) -> Self {
        Principal {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            arn: arn.into(),
            org_id: None,
            org_path: None,
            session_name: None,
            tags: Vec::new(),
            identity_policies: None,
        }
    }

    /// Requires this session token (temporary credentials).
    pub fn session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Sets the organization id.
    pub fn org_id(mut self, org_id: impl Into<String>) -> Self {
        self.org_id = Some(org_id.into());
        self
    }

    /// Sets the organization path (`o-…/r-…/ou-…/`).
    pub fn org_path(mut self, path: impl Into<String>) -> Self {
        self.org_path = Some(path.into());
        self
    }

    /// Sets the session name.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// Adds a principal tag.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Adds an identity-based policy (IAM JSON); the default allow-all
    /// policy no longer applies.
    pub fn identity_policy(mut self, policy_json: impl Into<String>) -> Self {
        self.identity_policies
            .get_or_insert_with(Vec::new)
            .push(policy_json.into());
        self
    }

    /// Gives the principal no identity-based policy at all (a role that
    /// lacks `vpc-lattice-svcs:Invoke`).
    pub fn no_identity_policy(mut self) -> Self {
        self.identity_policies = Some(Vec::new());
        self
    }

    /// Static credentials for a client of the fake.
    pub fn credentials(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
            None,
            "lattice-fake",
        )
    }
}

/// A client VPC: where callers come from.
///
/// Requests are attributed to the first client whose `source_ip` equals the
/// connection's peer address, else to the default client
/// ([`FakeLatticeBuilder::default_client`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Client {
    /// The VPC id (`vpc-…`).
    pub vpc_id: String,
    /// The account owning the VPC; the fake's account when unset.
    pub owner_account: Option<String>,
    /// The service network the VPC is associated with; the first network
    /// when unset.
    pub network: Option<String>,
    /// The loopback address this client's connections come from.
    pub source_ip: Option<IpAddr>,
}

impl Client {
    /// A client VPC with this id.
    pub fn new(vpc_id: impl Into<String>) -> Self {
        Client {
            vpc_id: vpc_id.into(),
            owner_account: None,
            network: None,
            source_ip: None,
        }
    }

    /// Sets the owner account.
    pub fn owner_account(mut self, account: impl Into<String>) -> Self {
        self.owner_account = Some(account.into());
        self
    }

    /// Sets the associated service network.
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.network = Some(network.into());
        self
    }

    /// Attributes connections from `ip` to this client.
    pub fn source_ip(mut self, ip: IpAddr) -> Self {
        self.source_ip = Some(ip);
        self
    }
}

/// The VPC id of the default client.
pub const DEFAULT_CLIENT_VPC: &str = "vpc-0a1b2c3d4e5f60718";

// ---------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------

/// Connection timeouts (Lattice's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Close a connection with no active request for this long (Lattice: 1 min).
    pub idle: Duration,
    /// Stop taking new requests on a connection this old and close it once
    /// in-flight requests finish (Lattice: 10 min).
    pub lifetime: Duration,
    /// How long a target may take to answer (its response head).
    pub target: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            idle: Duration::from_secs(60),
            lifetime: Duration::from_secs(600),
            target: Duration::from_secs(60),
        }
    }
}

// ---------------------------------------------------------------------------
// Builder
// ---------------------------------------------------------------------------

/// The default account of the fake.
pub const DEFAULT_ACCOUNT: &str = "111122223333";
/// The default region of the fake.
pub const DEFAULT_REGION: &str = "us-west-2";

/// Describes a fake Lattice; [`build`](Self::build) validates it.
#[derive(Debug, Clone)]
#[must_use]
pub struct FakeLatticeBuilder {
    pub(crate) region: String,
    pub(crate) account: String,
    pub(crate) dns_label: Option<String>,
    pub(crate) networks: Vec<ServiceNetwork>,
    pub(crate) services: Vec<Service>,
    pub(crate) target_groups: Vec<TargetGroup>,
    pub(crate) principals: Vec<Principal>,
    pub(crate) clients: Vec<Client>,
    pub(crate) default_client: Client,
    pub(crate) limits: Limits,
    pub(crate) timeouts: Timeouts,
    pub(crate) signature_window: Duration,
    pub(crate) clock_offset: (bool, Duration),
    pub(crate) seed: u64,
    pub(crate) access_log_capacity: usize,
}

impl Default for FakeLatticeBuilder {
    fn default() -> Self {
        FakeLatticeBuilder {
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            dns_label: None,
            networks: Vec::new(),
            services: Vec::new(),
            target_groups: Vec::new(),
            principals: Vec::new(),
            clients: Vec::new(),
            default_client: Client::new(DEFAULT_CLIENT_VPC),
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            signature_window: lattice_client::sign::verify::DEFAULT_WINDOW,
            clock_offset: (false, Duration::ZERO),
            seed: 0x5eed_1a77_1ce0_0001,
            access_log_capacity: super::access_log::AccessLogSink::DEFAULT_CAPACITY,
        }
    }
}

impl FakeLatticeBuilder {
    /// A builder for region `us-west-2`, account `111122223333`, nothing else.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the region (names, ARNs, the verifier's region).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sets the account owning the networks, services and target groups.
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    /// Sets the 7-hex-digit label of generated names
    /// (`svc-name-<id>.<label>.vpc-lattice-svcs.<region>.on.aws`); derived
    /// from the account when unset.
    pub fn dns_label(mut self, label: impl Into<String>) -> Self {
        self.dns_label = Some(label.into());
        self
    }

    /// Adds a service network.
    pub fn service_network(mut self, network: ServiceNetwork) -> Self {
        self.networks.push(network);
        self
    }

    /// Adds a service.
    pub fn service(mut self, service: Service) -> Self {
        self.services.push(service);
        self
    }

    /// Adds a target group.
    pub fn target_group(mut self, target_group: TargetGroup) -> Self {
        self.target_groups.push(target_group);
        self
    }

    /// Adds a principal.
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// Adds a client VPC selected by source address.
    pub fn client(mut self, client: Client) -> Self {
        self.clients.push(client);
        self
    }

    /// Sets the client VPC of connections no other client claims.
    pub fn default_client(mut self, client: Client) -> Self {
        self.default_client = client;
        self
    }

    /// Sets Lattice's adjustable quotas.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the connection and target timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the idle timeout of client connections.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.timeouts.idle = idle;
        self
    }

    /// Sets the maximum lifetime of client connections.
    pub fn connection_lifetime(mut self, lifetime: Duration) -> Self {
        self.timeouts.lifetime = lifetime;
        self
    }

    /// Sets how far a request's `x-amz-date` may be from the fake's clock
    /// (default ±5 minutes).
    pub fn signature_window(mut self, window: Duration) -> Self {
        self.signature_window = window;
        self
    }

    /// Runs the fake's clock `offset` ahead of the system clock (clock-skew
    /// tests).
    pub fn clock_ahead(mut self, offset: Duration) -> Self {
        self.clock_offset = (false, offset);
        self
    }

    /// Runs the fake's clock `offset` behind the system clock.
    pub fn clock_behind(mut self, offset: Duration) -> Self {
        self.clock_offset = (true, offset);
        self
    }

    /// Seeds the random source of weighted routing and request ids.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many access-log records the handle keeps (oldest dropped first).
    pub fn access_log_capacity(mut self, capacity: usize) -> Self {
        self.access_log_capacity = capacity;
        self
    }
}

/// Parsed policies kept next to the model (so `build` reports syntax errors).
#[derive(Debug, Clone)]
pub(crate) enum ParsedAuth {
    None,
    AwsIam(Option<AuthPolicy>),
}

impl ParsedAuth {
    pub(crate) fn to_policy_auth(&self) -> lattice_client::policy::AuthType {
        match self {
            ParsedAuth::None => lattice_client::policy::AuthType::None,
            ParsedAuth::AwsIam(p) => lattice_client::policy::AuthType::AwsIam(p.clone()),
        }
    }
}

pub(crate) fn parse_identity_policies(
    principal: &Principal,
) -> Result<Vec<IdentityPolicy>, lattice_client::policy::PolicyError> {
    match &principal.identity_policies {
        None => Ok(vec![IdentityPolicy::from_json(DEFAULT_IDENTITY_POLICY)?]),
        Some(list) => list
            .iter()
            .map(|json| IdentityPolicy::from_json(json))
            .collect(),
    }
}
