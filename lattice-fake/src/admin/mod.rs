//! The admin API: paths under `/_fake/`, answered by the fake itself
//! whatever the `Host`, before any Lattice step (so they are never routed
//! to a target, signed or logged).
//!
//! | Request | Answer |
//! |---|---|
//! | `GET /_fake/health` | `200`, JSON: `status`, `uptimeSeconds`, `region`, `gateway` (with one), `services`, `listeners` |
//! | `GET /_fake/access-log[?since=N][&service=NAME]` | `200`, the records held as JSON lines, each with `seq` |
//! | `GET /_fake/ca.pem` | `200`, the CA of the HTTPS listeners (`404` without one) |
//! | `GET /_fake/env` | `200`, `export NAME='value'` lines ([`FakeEnv`]) |
//! | `GET /_fake/metrics` | `200`, the metrics in the Prometheus text format ([`crate::metrics::MetricsSnapshot::to_prometheus_text`]) |
//! | `PUT /_fake/services/{name}/auth-policy` | `204`; the body is the policy JSON |
//! | `DELETE /_fake/services/{name}/auth-policy` | `204`; the auth type stays (`AWS_IAM` without a policy: every request refused) |
//! | `PUT`/`DELETE /_fake/service-networks/{name}/auth-policy` | the same for a service network |
//! | `POST /_fake/reset` | `204`; the access log and the metrics are cleared |
//! | `GET /_fake/map.svg` | `200`, the service map as SVG ([`crate::map`]) |
//! | `GET /_fake/map` | `200`, an HTML page showing the map live |
//!
//! A bad request (invalid JSON or policy, unknown name, bad query) gets
//! `400` with one line of text, and the running model is unchanged.
//! Putting a policy also sets the layer's auth type to `AWS_IAM`; deleting
//! one keeps the auth type, as `DeleteAuthPolicy` does (docs/assumptions.md
//! A65).

use std::fmt::Write as _;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body::Body as HttpBody;
use http_body_util::{BodyExt, Limited};
use serde::Serialize;

use crate::compile::{AuthTables, parse_auth};
use crate::error::{FakeError, ObjectKind};
use crate::model::{Auth, BoxError, FakeBody, ParsedAuth, full_body};
use crate::pipeline::State;
use crate::server::ListenerInfo;

/// The path prefix of the admin API.
pub const ADMIN_PREFIX: &str = "/_fake/";

/// How long the admin API waits for a request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `path` belongs to the admin API.
pub(crate) fn is_admin_path(path: &str) -> bool {
    path.starts_with(ADMIN_PREFIX) || path == "/_fake"
}

/// What the admin API reports about the running fake.
#[derive(Debug)]
pub(crate) struct RunInfo {
    pub(crate) started: Instant,
    /// The gateway's address, when there is one.
    pub(crate) gateway: Option<std::net::SocketAddr>,
    pub(crate) listeners: Vec<ListenerInfo>,
    pub(crate) ca_pem: Option<String>,
    /// Where the CA was written for clients, if somewhere.
    pub(crate) ca_bundle: RwLock<Option<String>>,
}

/// The environment a client needs to reach the running fake: what
/// `GET /_fake/env` writes as `export` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FakeEnv {
    /// `HOST:PORT:127.0.0.1` for every listener's generated name and custom
    /// domain, separated by spaces (curl's `--resolve` syntax).
    #[serde(rename = "LATTICE_RESOLVE")]
    pub lattice_resolve: String,
    /// The CA file, when one was written
    /// ([`FakeHandle::set_ca_bundle_path`](crate::FakeHandle::set_ca_bundle_path)).
    #[serde(rename = "AWS_CA_BUNDLE")]
    pub aws_ca_bundle: Option<String>,
    /// The fake's region.
    #[serde(rename = "AWS_REGION")]
    pub aws_region: String,
}

impl FakeEnv {
    /// `export NAME='value'` lines (single-quoted for a POSIX shell), an
    /// absent value left out.
    pub fn to_export_lines(&self) -> String {
        let mut out = String::new();
        let mut line = |name: &str, value: &str| {
            let _ = writeln!(out, "export {name}='{}'", value.replace('\'', r"'\''"));
        };
        line("LATTICE_RESOLVE", &self.lattice_resolve);
        if let Some(path) = &self.aws_ca_bundle {
            line("AWS_CA_BUNDLE", path);
        }
        line("AWS_REGION", &self.aws_region);
        out
    }
}

/// Which layer's policy an admin call changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PolicyOwner {
    Service,
    Network,
}

impl State {
    /// The environment of [`FakeEnv`].
    pub(crate) fn env(&self) -> FakeEnv {
        let mut resolve: Vec<String> = Vec::new();
        for l in &self.info.listeners {
            let ip = match l.address.ip() {
                // Bound to every address (`--bind 0.0.0.0`): a client on this
                // host reaches it on loopback.
                std::net::IpAddr::V4(v4) if v4.is_unspecified() => {
                    std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
                }
                std::net::IpAddr::V6(v6) if v6.is_unspecified() => {
                    std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
                }
                ip => ip,
            };
            let ip = if ip.is_ipv6() {
                format!("[{ip}]")
            } else {
                ip.to_string()
            };
            for name in std::iter::once(&l.dns_name).chain(l.custom_domain.as_ref()) {
                let entry = format!("{name}:{}:{ip}", l.address.port());
                if !resolve.contains(&entry) {
                    resolve.push(entry);
                }
            }
        }
        FakeEnv {
            lattice_resolve: resolve.join(" "),
            aws_ca_bundle: self
                .info
                .ca_bundle
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            aws_region: self.c.region.clone(),
        }
    }

    /// Puts (`Some`) or deletes (`None`) the auth policy of the service or
    /// network `name`, as `PutAuthPolicy` / `DeleteAuthPolicy` would, for
    /// the next request. Putting makes the layer's auth type `AWS_IAM`;
    /// deleting keeps it (docs/assumptions.md A65).
    pub(crate) fn set_auth_policy(
        &self,
        owner: PolicyOwner,
        name: &str,
        policy_json: Option<&str>,
    ) -> Result<(), FakeError> {
        let (index, kind, label) = match owner {
            PolicyOwner::Service => (
                self.c.services.iter().position(|s| s.name == name),
                ObjectKind::Service,
                "service",
            ),
            PolicyOwner::Network => (
                self.c.networks.iter().position(|n| n.name == name),
                ObjectKind::ServiceNetwork,
                "service network",
            ),
        };
        let index = index.ok_or_else(|| FakeError::UnknownReference {
            from: "the admin API".to_owned(),
            kind,
            name: name.to_owned(),
        })?;
        let parsed = match policy_json {
            Some(json) => Some(parse_auth(
                &Auth::AwsIam(Some(json.to_owned())),
                &format!("{label} `{name}` auth policy"),
                self.c.auth_policy_bytes,
            )?),
            None => None,
        };
        let mut current = self.auth.write().unwrap_or_else(|e| e.into_inner());
        let mut services = current.services.clone();
        let mut networks = current.networks.clone();
        let slot = match owner {
            PolicyOwner::Service => services.get_mut(index),
            PolicyOwner::Network => networks.get_mut(index),
        };
        if let Some(slot) = slot {
            *slot = match parsed {
                Some(parsed) => parsed,
                // As `DeleteAuthPolicy`: the auth type stays; `AWS_IAM`
                // without a policy refuses every request, `NONE` stays open.
                None => match slot {
                    ParsedAuth::None => ParsedAuth::None,
                    ParsedAuth::AwsIam(_) => ParsedAuth::AwsIam(None),
                },
            };
        }
        *current = Arc::new(AuthTables::build(
            &self.c.services,
            services,
            networks,
            &self.c.identity,
        ));
        Ok(())
    }

    /// Clears the access log and the metrics.
    pub(crate) fn reset(&self) {
        self.log.clear();
        self.metrics.reset();
    }
}

/// The error and its causes on one line.
pub(crate) fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line.replace(['\n', '\r'], " ")
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<FakeBody> {
    let mut body = body.into();
    if !body.ends_with('\n') {
        body.push('\n');
    }
    typed(status, "text/plain; charset=utf-8", body)
}

fn typed(status: StatusCode, content_type: &'static str, body: String) -> Response<FakeBody> {
    let mut response = Response::new(full_body(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn no_content() -> Response<FakeBody> {
    let mut response = Response::new(crate::model::empty_body());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// The query's `name=value` pairs, percent-decoded.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health<'a> {
    status: &'static str,
    uptime_seconds: u64,
    region: &'a str,
    /// `IP:PORT` of the gateway; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    gateway: Option<std::net::SocketAddr>,
    services: Vec<&'a str>,
    listeners: &'a [ListenerInfo],
}

/// Answers one admin request.
pub(crate) async fn serve<B>(state: &State, req: Request<B>) -> Response<FakeBody>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let path = req.uri().path().to_owned();
    let rest = path.strip_prefix(ADMIN_PREFIX).unwrap_or("");
    let segments: Vec<&str> = rest.split('/').collect();
    let method = req.method().clone();
    match (segments.as_slice(), &method) {
        (["health"], &Method::GET) => health(state),
        (["access-log"], &Method::GET) => access_log(state, req.uri().query()),
        (["ca.pem"], &Method::GET) => match &state.info.ca_pem {
            Some(pem) => typed(StatusCode::OK, "application/x-pem-file", pem.clone()),
            None => text(
                StatusCode::NOT_FOUND,
                "the fake has no HTTPS listener, so no CA",
            ),
        },
        (["env"], &Method::GET) => text(StatusCode::OK, state.env().to_export_lines()),
        (["metrics"], &Method::GET) => crate::metrics::serve_prometheus(&state.metrics),
        (["map.svg"], &Method::GET) => typed(StatusCode::OK, "image/svg+xml", state.map_svg()),
        (["map"], &Method::GET) => {
            typed(StatusCode::OK, "text/html; charset=utf-8", state.map_page())
        }
        (["reset"], &Method::POST) => {
            state.reset();
            no_content()
        }
        (
            [
                kind @ ("services" | "service-networks"),
                name,
                "auth-policy",
            ],
            m,
        ) if m == Method::PUT || m == Method::DELETE => {
            let owner = if *kind == "services" {
                PolicyOwner::Service
            } else {
                PolicyOwner::Network
            };
            let name = (*name).to_owned();
            let json = if method == Method::PUT {
                match read_body(req.into_body(), state.c.auth_policy_bytes).await {
                    Ok(json) => Some(json),
                    Err(line) => return text(StatusCode::BAD_REQUEST, line),
                }
            } else {
                None
            };
            match state.set_auth_policy(owner, &name, json.as_deref()) {
                Ok(()) => no_content(),
                Err(e) => text(StatusCode::BAD_REQUEST, one_line(&e)),
            }
        }
        (
            [
                "health" | "access-log" | "ca.pem" | "env" | "reset" | "metrics" | "map"
                | "map.svg",
            ]
            | ["services" | "service-networks", _, "auth-policy"],
            _,
        ) => text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not allowed on {path}"),
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            format!(
                "no admin endpoint {path}; the endpoints: GET /_fake/health, /_fake/access-log, /_fake/metrics, /_fake/ca.pem, /_fake/env, /_fake/map, /_fake/map.svg; PUT or DELETE /_fake/services/NAME/auth-policy, /_fake/service-networks/NAME/auth-policy; POST /_fake/reset"
            ),
        ),
    }
}

fn health(state: &State) -> Response<FakeBody> {
    let health = Health {
        status: "ok",
        uptime_seconds: state.info.started.elapsed().as_secs(),
        region: &state.c.region,
        gateway: state.info.gateway,
        services: state.c.services.iter().map(|s| s.name.as_str()).collect(),
        listeners: &state.info.listeners,
    };
    match serde_json::to_string(&health) {
        Ok(json) => typed(StatusCode::OK, "application/json", json),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn access_log(state: &State, query: Option<&str>) -> Response<FakeBody> {
    let mut since = 0;
    let mut service_arn = None;
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "since" => match value.parse::<u64>() {
                Ok(n) => since = n,
                Err(_) => {
                    return text(
                        StatusCode::BAD_REQUEST,
                        format!("`since` is `{value}`; use a record's seq (an integer, 0 for all)"),
                    );
                }
            },
            "service" => match state.c.services.iter().find(|s| s.name == value) {
                Some(s) => service_arn = Some(s.arn.clone()),
                None => {
                    return text(
                        StatusCode::BAD_REQUEST,
                        format!("the fake has no service named `{value}`"),
                    );
                }
            },
            other => {
                return text(
                    StatusCode::BAD_REQUEST,
                    format!("unknown query parameter `{other}`; use `since` and `service`"),
                );
            }
        }
    }
    let mut out = String::new();
    for record in state.log.since(since) {
        if service_arn.is_some() && record.service_arn != service_arn {
            continue;
        }
        out.push_str(&record.to_json());
        out.push('\n');
    }
    typed(StatusCode::OK, "application/x-ndjson", out)
}

/// The body as UTF-8 text, at most `limit` bytes, within [`BODY_TIMEOUT`].
async fn read_body<B>(body: B, limit: usize) -> Result<String, String>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let collected = tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, limit).collect())
        .await
        .map_err(|_| format!("the policy did not arrive within {BODY_TIMEOUT:?}"))?
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                format!("the policy is over the quota of {limit} bytes")
            } else {
                format!("cannot read the policy: {e}")
            }
        })?;
    String::from_utf8(collected.to_bytes().to_vec())
        .map_err(|_| "the policy is not UTF-8 text".to_owned())
}
