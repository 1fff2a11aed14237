//! The steps of the crate docs' list. Each returns `Result<_, Rejection>`
//! and writes what it learnt into the access-log record.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HOST, HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode, Uri, Version};
use http_body::Body as HttpBody;

use super::respond::{Failure, Pending, REQUEST_ID, Rejection, header_stats};
use super::target::{RequestProgress, call_target, check_protocol_version};
use super::{ConnInfo, MAX_HEADER_BYTES, MAX_HEADERS, State};
use crate::access_log::{AuthDeniedReason, FailureReason, ResolvedUser};
use crate::compile::{CClient, CListener, CNetwork, CService, Compiled, NeededKeys};
use crate::model::boxed_body;
use crate::model::{BoxError, FakeBody, ListenerProtocol, Principal, ProtocolVersion, Target};
use crate::routing::{RouteOutcome, RouteRequest};
use lattice_client::identity::{CallerIdentity, strip_identity_headers};
// The policy engine's request types, in one place.
use lattice_client::policy::{AccessRequest, Caller, Layer, RequestContext, keys};

static EMPTY_KEYS: NeededKeys = NeededKeys::EMPTY;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// The service a request is for, found by [`find_service`].
pub(super) struct Found<'c> {
    service_index: usize,
    service: &'c CService,
    network_index: usize,
    network: Option<&'c CNetwork>,
    listener: &'c CListener,
}

impl Found<'_> {
    fn network_arn(&self) -> Option<&str> {
        self.network.map(|n| n.arn.as_str())
    }
}

/// Step 1: Header limits (100 headers, 60 KB) and the request path, normalised
/// once (`docs/assumptions.md`, A37, A47). Returns the normalised path.
pub(super) fn check_limits<B>(req: &Request<B>) -> Result<String, Rejection> {
    let (count, bytes) = header_stats(req.headers());
    if count > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return Err(Failure::bad_request(
            "Bad Request: request headers exceed 100 headers or 60 KB in total".to_owned(),
        )
        .into());
    }
    match lattice_client::path::normalize(req.uri().path()) {
        Ok(path) => Ok(path.into_owned()),
        Err(err) => Err(Failure::bad_request(format!("Bad Request: {err}")).into()),
    }
}

/// Step 2: The service by `Host` / `:authority`, which the TLS server name must
/// agree with; the caller's network must hold it, and it must have a
/// listener on the connection's port and protocol.
pub(super) fn find_service<'c, B>(
    c: &'c Compiled,
    conn: &ConnInfo,
    pending: &mut Pending,
    req: &Request<B>,
) -> Result<Found<'c>, Rejection> {
    let Some(host) = host_of(req) else {
        return Err(Failure::bad_request(
            "Bad Request: missing or invalid Host / :authority".to_owned(),
        )
        .into());
    };
    let Some(&service_index) = c.hosts.get(&host) else {
        return Err(Failure::NOT_FOUND.into());
    };
    // On the gateway the server name only picks the certificate: HTTP/2
    // clients send requests for several names on one connection.
    if let (Some(sni), Some(_)) = (&conn.sni, conn.port)
        && c.hosts.get(&sni.to_ascii_lowercase()) != Some(&service_index)
    {
        return Err(Failure::new(
            StatusCode::MISDIRECTED_REQUEST,
            "Misdirected Request: the TLS server name and the Host header name different services",
            FailureReason::ClientProtocolError,
        )
        .into());
    }
    let service = c.services.get(service_index).ok_or(Failure::NOT_FOUND)?;
    pending.service = Some(service_index);
    pending.rec.service_arn = Some(service.arn.clone());
    let network_index = conn
        .client
        .network
        .filter(|n| service.networks.contains(n))
        .ok_or(Failure::NOT_FOUND)?;
    let network = c.networks.get(network_index);
    pending.rec.service_network_arn = network.map(|n| n.arn.clone());
    let listener = match conn.port {
        Some(port) => service
            .listeners
            .iter()
            .find(|l| l.port == port && l.protocol == conn.protocol)
            .ok_or(Failure::NOT_FOUND)?,
        None => crate::gateway::pick_listener(service, conn.protocol).ok_or_else(|| Failure {
            status: StatusCode::MISDIRECTED_REQUEST,
            line: format!(
                "Misdirected Request: service `{}` has no {} listener",
                service.name,
                conn.protocol.as_str()
            )
            .into(),
            reason: FailureReason::ClientProtocolError,
        })?,
    };
    pending.rec.listener_id = Some(listener.id.clone());
    Ok(Found {
        service_index,
        service,
        network_index,
        network,
        listener,
    })
}

/// Step 3: The signature, over the request as the client sent it (a client may
/// have signed a spoofed identity header; it is removed next). Returns the
/// caller's principal index, `None` for an anonymous caller.
pub(super) fn authenticate(
    state: &State,
    pending: &mut Pending,
    parts: &http::request::Parts,
) -> Result<Option<usize>, Rejection> {
    let principal = if is_aws_signed(parts) {
        match state.verifier.verify(parts) {
            Ok(verified) => Some(verified.principal),
            Err(err) if err.is_unsigned() => None,
            Err(err) => {
                pending.rec.resolved_user = Some(ResolvedUser::Unknown);
                let mut line = err.to_string();
                if state.c.serving.explain
                    && matches!(
                        err,
                        lattice_client::sign::verify::VerifyError::SignatureMismatch
                    )
                    && let Some(explanation) = super::explain::explain(parts)
                {
                    line.push('\n');
                    line.push_str(explanation.trim_end());
                }
                return Err(Failure {
                    status: err.status(),
                    line: line.into(),
                    reason: FailureReason::ClientAccessDenied,
                }
                .into());
            }
        }
    } else {
        None
    };
    let caller = principal.and_then(|i| state.c.principals.get(i));
    match caller {
        Some(p) => {
            pending.rec.resolved_user = Some(ResolvedUser::Arn(p.spec.arn.clone()));
            pending.rec.caller_principal = Some(p.spec.arn.clone());
            pending.rec.caller_principal_org_id = p.spec.org_id.clone();
            if !p.spec.tags.is_empty() {
                let tags: BTreeMap<&str, &str> = p
                    .spec
                    .tags
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                pending.rec.caller_principal_tags = serde_json::to_string(&tags).ok();
            }
        }
        None => pending.rec.resolved_user = Some(ResolvedUser::Anonymous),
    }
    Ok(principal.filter(|_| caller.is_some()))
}

/// Step 4: The identity headers a caller could spoof go, and the normalised
/// path replaces the one sent: from here on, every step sees one path.
pub(super) fn strip_identity(
    parts: &mut http::request::Parts,
    path: &str,
) -> Result<(), Rejection> {
    strip_identity_headers(&mut parts.headers);
    parts.uri = with_path(&parts.uri, path).ok_or(Failure::INTERNAL)?;
    Ok(())
}

/// Step 5: Auth policies, when the network or the service uses `AWS_IAM`.
pub(super) fn authorize(
    state: &State,
    conn: &ConnInfo,
    found: &Found<'_>,
    caller: Option<usize>,
    pending: &mut Pending,
    parts: &http::request::Parts,
) -> Result<(), Rejection> {
    let c = &state.c;
    let key = (found.service_index, found.network_index);
    // A snapshot: the admin API may replace the policies meanwhile.
    let tables = state.auth_tables();
    let Some(config) = tables
        .configs
        .get(&key)
        .and_then(|v| v.get(caller.map_or(0, |i| i + 1)))
    else {
        return Ok(());
    };
    if !(config.network_auth().is_aws_iam() || config.service_auth().is_aws_iam()) {
        return Ok(());
    }
    let principal = caller.and_then(|i| c.principals.get(i));
    let policy_principal = match principal {
        Some(p) => Caller::arn(p.spec.arn.clone()),
        None => Caller::Anonymous,
    };
    let context = policy_context(
        parts,
        principal.map(|p| &p.spec),
        conn,
        found,
        pending.rec.start_time,
        tables.needed_keys.get(&key).unwrap_or(&EMPTY_KEYS),
    );
    let request = AccessRequest::invoke(policy_principal, &found.service.arn, parts.uri.path())
        .with_context(context);
    let decision = config.evaluate(&request);
    if decision.is_allowed() {
        return Ok(());
    }
    if let Some(layer) = decision.layer {
        pending.rec.access_denied(match layer {
            Layer::Network => AuthDeniedReason::Network,
            Layer::Service => AuthDeniedReason::Service,
            _ => AuthDeniedReason::Identity,
        });
    }
    let line = decision
        .message
        .unwrap_or_else(|| "AccessDeniedException: access denied".to_owned());
    Err(Failure {
        status: StatusCode::FORBIDDEN,
        line: line.into(),
        reason: FailureReason::ClientAccessDenied,
    }
    .into())
}

/// Step 6: The listener's rules: a fixed response, or the index of the target
/// group to forward to.
pub(super) fn route(
    state: &State,
    found: &Found<'_>,
    pending: &mut Pending,
    parts: &http::request::Parts,
) -> Result<usize, Rejection> {
    let outcome = {
        let mut rng = state.rng.lock().unwrap_or_else(|e| e.into_inner());
        let view = RouteRequest::new(parts.method.as_str(), parts.uri.path(), &parts.headers);
        let route = found.listener.table.route(&view, &mut *rng);
        pending.rec.matched_rule = Some(crate::map::rule_label(route.matched));
        match route.outcome {
            RouteOutcome::Forward { target_group } => found
                .listener
                .target_groups
                .get(target_group)
                .copied()
                .ok_or(Rejection::Fixed(StatusCode::INTERNAL_SERVER_ERROR)),
            RouteOutcome::FixedResponse { status } => Err(Rejection::Fixed(status)),
            _ => Err(Rejection::Fixed(StatusCode::INTERNAL_SERVER_ERROR)),
        }
    };
    let tg_index = outcome?;
    let tg = state
        .c
        .target_groups
        .get(tg_index)
        .ok_or(Failure::INTERNAL)?;
    pending.rec.target_group_arn = Some(tg.arn.clone());
    Ok(tg_index)
}

/// Step 7: The request goes to the target in the target group's protocol
/// version, with Lattice's headers.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per thing a step learnt"
)]
pub(super) async fn forward<B>(
    state: &State,
    conn: &ConnInfo,
    found: &Found<'_>,
    caller: Option<usize>,
    tg_index: usize,
    pending: &mut Pending,
    mut parts: http::request::Parts,
    body: B,
) -> Result<Response<FakeBody>, Rejection>
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let tg = state
        .c
        .target_groups
        .get(tg_index)
        .ok_or(Failure::INTERNAL)?;
    if !matches!(tg.target, Target::Lambda(..)) {
        fit_protocol_version(tg.protocol_version, &mut parts)?;
    }
    let caller = caller.and_then(|i| state.c.principals.get(i));
    let identity = caller_identity(
        caller.map(|p| (&p.spec, p.session_name.as_deref())),
        &conn.client,
        &found.service.arn,
        found.network_arn(),
        &tg.arn,
    );
    identity
        .write_headers(&mut parts.headers)
        .map_err(|_| Failure::INTERNAL)?;
    forwarding_headers(
        conn,
        found.listener.port,
        pending.request_id(),
        &mut parts.headers,
    );
    let received = Arc::new(RequestProgress::default());
    let body = boxed_body(super::target::CountingBody::new(
        body,
        received.clone(),
        state.c.timeouts.body_read,
    ));
    pending.tg = Some(tg_index);
    let request = Request::from_parts(parts, body);
    Ok(call_target(state, tg, request, received, &identity, pending).await?)
}

/// Lattice's protocol-version table (`docs/assumptions.md`, A51): refuses
/// what does not fit; HTTP/2 to an `HTTP1` group is converted down.
fn fit_protocol_version(
    version: ProtocolVersion,
    parts: &mut http::request::Parts,
) -> Result<(), Rejection> {
    let grpc = is_grpc(&parts.headers);
    check_protocol_version(version, parts, grpc).map_err(Failure::bad_request)?;
    if version == ProtocolVersion::Http1 && parts.version == Version::HTTP_2 {
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
    Ok(())
}

/// `x-forwarded-for` (appended), `x-forwarded-port`, `x-forwarded-proto`
/// and `x-amzn-requestid` (`docs/assumptions.md`, A49).
fn forwarding_headers(
    conn: &ConnInfo,
    port: u16,
    request_id: HeaderValue,
    headers: &mut HeaderMap,
) {
    let peer_ip = conn.peer.ip().to_string();
    let xff = match headers.get(&X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
        Some(existing) => format!("{existing}, {peer_ip}"),
        None => peer_ip,
    };
    if let Ok(v) = HeaderValue::from_str(&xff) {
        headers.insert(X_FORWARDED_FOR, v);
    }
    headers.insert(X_FORWARDED_PORT, HeaderValue::from(port));
    headers.insert(
        X_FORWARDED_PROTO,
        HeaderValue::from_static(conn.protocol.scheme()),
    );
    headers.insert(REQUEST_ID, request_id);
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

/// The request context of the policy keys in `needed` :
/// only the keys some policy tests are computed.
fn policy_context(
    parts: &http::request::Parts,
    principal: Option<&Principal>,
    conn: &ConnInfo,
    found: &Found<'_>,
    now: SystemTime,
    needed: &NeededKeys,
) -> RequestContext {
    let service_arn = found.service.arn.as_str();
    let network_arn = found.network_arn();
    let mut ctx = RequestContext::new();
    let want = |key: &str| needed.wants(key);
    if want(keys::PORT) {
        ctx.insert(keys::PORT, found.listener.port.to_string());
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
        ctx.insert(keys::CURRENT_TIME, crate::access_log::format_time(now));
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
    caller: Option<(&Principal, Option<&str>)>,
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
