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

fn usage() -> ExitCode {
    eprintln!(
        "usage: lambda-http-target [--event FILE]   (without --event: run under the Lambda runtime)"
    );
    ExitCode::from(2)
}

/// One line, whatever the error's `Display` holds.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .init();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let event = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--event" => Some(file.clone()),
        [arg] if arg.starts_with("--event=") => Some(arg.trim_start_matches("--event=").to_owned()),
        _ => return usage(),
    };

    match event {
        Some(path) => match run_once(&path).await {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}", one_line(&e));
                ExitCode::FAILURE
            }
        },
        None => {
            if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
                eprintln!(
                    "error: not running inside AWS Lambda (AWS_LAMBDA_RUNTIME_API is not set); pass --event FILE to run one event locally"
                );
                return ExitCode::FAILURE;
            }
            match lambda_http::run(app()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {}", one_line(&e.to_string()));
                    ExitCode::FAILURE
                }
            }
        }
    }
}
