//! An axum app served as a VPC Lattice Lambda target: it answers `200` to every
//! method and path and echoes the request it received as JSON, so you can see
//! what your handler sees for a given event without deploying.
//!
//! ```text
//! cargo run --example lambda-target -- --event tests/fixtures/lambda/event-v2-authenticated.json
//! ```
//!
//! prints exactly one JSON document on stdout — the Lattice response the
//! function would return — and nothing else (logs go to stderr). A malformed
//! event exits with status 1 and a one-line error on stderr. Without
//! `--event` it runs under the Lambda runtime (deploy it as a `provided.al2023`
//! function behind a Lattice target group, V1 or V2 events).
//!
//! The echoed JSON (the `body` of the response) has exactly these fields:
//!
//! * `method`; `path` (without the query);
//! * `query`: name → array of values, percent-decoded (`+` is kept), in order;
//! * `headers`: name → array of values, one element per header value as the
//!   app received it (values are never split);
//! * `body`: the exact text, or `bodyBase64` (standard alphabet, padded) when
//!   the bytes are not UTF-8 or the content type is binary — any content type
//!   Lattice itself would Base64-encode, i.e. not `text/*`,
//!   `application/json`, `application/xml` or `application/javascript`;
//! * `identity`: `null` for an anonymous caller (no authenticated principal:
//!   what the `Option<lattice_tower::identity::AuthenticatedCaller>` extractor
//!   gives), else each field of the typed identity as a string (`null` when
//!   absent): `type`, `principal`, `principalOrgId`, `principalOrgPath`,
//!   `sessionName`, the five `x509…` fields (`x509IssuerOu`, `x509SanDns`,
//!   `x509SanNameCn`, `x509SanUri`, `x509SubjectCn`), `sourceVpcArn`,
//!   `sourceVpc`, `serviceNetworkArn`, `serviceArn`, `targetGroupArn`, plus
//!   `principalTags` (tag → value, from `x-amzn-lattice-identity-tags`).

use std::process::ExitCode;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::StatusCode;
use http::header::CONTENT_TYPE;
use lattice_client::identity::CallerIdentity as Identity;
use lattice_client::lambda::{Adapter, is_text_content_type};
use lattice_tower::identity::AuthenticatedCaller;
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;

/// Largest request body the echo reads (Lattice's request limit is 6 MB).
const MAX_BODY: usize = 6 * 1024 * 1024;

/// The app: one fallback handler for every method and path.
fn app() -> Router {
    Router::new().fallback(echo)
}

async fn echo(caller: Option<AuthenticatedCaller>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the request body");
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
        }
    };

    let mut query: Map<String, Value> = Map::new();
    for pair in parts.uri.query().unwrap_or("").split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        push(&mut query, decode(k), decode(v));
    }

    let mut headers: Map<String, Value> = Map::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        push(&mut headers, name.as_str().to_owned(), value);
    }

    let binary = parts
        .headers
        .get(CONTENT_TYPE)
        .is_some_and(|ct| !ct.to_str().is_ok_and(is_text_content_type));
    let text = if binary {
        None
    } else {
        std::str::from_utf8(&bytes).ok()
    };

    let mut out = Map::new();
    out.insert("method".into(), json!(parts.method.as_str()));
    out.insert("path".into(), json!(parts.uri.path()));
    out.insert("query".into(), Value::Object(query));
    out.insert("headers".into(), Value::Object(headers));
    match text {
        Some(t) => out.insert("body".into(), json!(t)),
        None => out.insert(
            "bodyBase64".into(),
            json!(base64::engine::general_purpose::STANDARD.encode(&bytes)),
        ),
    };
    out.insert(
        "identity".into(),
        caller.map_or(Value::Null, |c| identity_json(&c)),
    );

    let mut response = Response::new(Body::from(Value::Object(out).to_string()));
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

fn push(map: &mut Map<String, Value>, key: String, value: String) {
    match map.get_mut(&key) {
        Some(Value::Array(values)) => values.push(Value::String(value)),
        _ => {
            map.insert(key, json!([value]));
        }
    }
}

fn identity_json(id: &Identity) -> Value {
    let tags: Map<String, Value> = id
        .principal_tags
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "type": id.auth_type,
        "principal": id.principal,
        "principalOrgId": id.principal_org_id,
        "principalOrgPath": id.principal_org_path,
        "sessionName": id.session_name,
        "x509IssuerOu": id.x509.issuer_ou,
        "x509SanDns": id.x509.san_dns,
        "x509SanNameCn": id.x509.san_name_cn,
        "x509SanUri": id.x509.san_uri,
        "x509SubjectCn": id.x509.subject_cn,
        "sourceVpcArn": id.source_vpc_arn,
        "sourceVpc": id.source_vpc().map(|v| v.to_string()).or_else(|| id.source_vpc_id.clone()),
        "serviceNetworkArn": id.service_network_arn,
        "serviceArn": id.service_arn,
        "targetGroupArn": id.target_group_arn,
        "principalTags": tags,
    })
}

/// Runs the app on one event file; the response JSON on success.
async fn run_once(path: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let event: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("`{path}` is not JSON: {e}"))?;
    let response = Adapter::new(app())
        .oneshot(event)
        .await
        .map_err(|e| format!("`{path}`: {e}"))?;
    serde_json::to_string(&response).map_err(|e| format!("cannot serialise the response: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    lattice_examples::lambda_main::main(
        "lambda-target",
        |path| async move { run_once(&path).await },
        || lattice_client::lambda::run(app()),
    )
    .await
}
