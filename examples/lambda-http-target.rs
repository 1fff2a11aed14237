//! An axum app served through `lambda_http::run` as a VPC Lattice Lambda
//! target (V2 events), answering with the caller it reads through
//! `lattice_client::lambda::http_bridge`: for functions that already use
//! lambda_http and want the SDK's typed identity without changing runtime.
//!
//! ```text
//! cargo run --example lambda-http-target -- --event tests/fixtures/lambda/event-v2-authenticated.json
//! ```
//!
//! prints exactly one JSON document on stdout, the Lattice response the
//! function would return, and nothing else (logs go to stderr). The event
//! goes through lambda_http's own parsing, request conversion and response
//! conversion (its `Adapter`), then the router. A file that is not a V2 event
//! lambda_http accepts exits with status 1 and a one-line error on stderr.
//! Without `--event` it runs under the Lambda runtime.
//!
//! The answer's body is JSON: `principal` (the ARN, or `null` for an
//! anonymous caller), `account` (its account id), `anonymous`,
//! `sourceVpc` (the VPC id) and `service` (the service ARN).

use std::process::ExitCode;

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use http::header::CONTENT_TYPE;
use lambda_http::lambda_runtime::{Context, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lattice_client::lambda::http_bridge::LatticeIdentityExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// The app: one fallback handler for every method and path.
fn app() -> Router {
    Router::new().fallback(whoami)
}

/// The caller, read from lambda_http's VPC Lattice request context.
async fn whoami(request: Request) -> impl IntoResponse {
    let caller = request.lattice_caller_identity().unwrap_or_default();
    let body: Value = json!({
        "principal": caller.principal,
        "account": caller.principal_account(),
        "anonymous": caller.is_anonymous(),
        "sourceVpc": caller.source_vpc().map(|v| v.to_string()),
        "service": caller.service_arn,
    });
    ([(CONTENT_TYPE, "application/json")], body.to_string())
}

/// One event through lambda_http's adapter and the app; the response JSON.
async fn run_once(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let event: LambdaRequest = serde_json::from_str(&text)
        .map_err(|e| format!("`{path}` is not a VPC Lattice V2 event lambda_http accepts: {e}"))?;
    let response = match lambda_http::Adapter::from(app())
        .oneshot(LambdaEvent::new(event, Context::default()))
        .await
    {
        Ok(response) => response,
        Err(never) => match never {},
    };
    serde_json::to_string(&response).map_err(|e| format!("cannot serialise the response: {e}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    lattice_examples::lambda_main::main(
        "lambda-http-target",
        |path| async move { run_once(&path).await },
        || lambda_http::run(app()),
    )
    .await
}
