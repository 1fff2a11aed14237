//! A loopback echo server that reports what a signed request looked like on
//! arrival. It serves HTTP/1.1 and HTTP/2 (prior knowledge) on plain TCP.
//! `/status/NNN` answers with status NNN; every other path with 200.
//!
//! Started with [`start_verifying`], it checks every signature as VPC Lattice
//! does ([`lattice_client::sign::verify`]): a good one is reported with the
//! principal it authenticated, a bad one is answered with a 403 and Lattice's
//! one-line error, an unsigned request is reported as anonymous.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use lattice_client::sign::verify::{StaticCredentials, Verifier};

/// The verifier the echo server checks signatures with.
pub type EchoVerifier = Verifier<StaticCredentials<String>>;

/// A running echo server; stops when dropped.
#[derive(Debug)]
pub struct EchoServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl EchoServer {
    /// The address it listens on (127.0.0.1 and an ephemeral port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the echo server on 127.0.0.1 with an ephemeral port.
///
/// # Errors
///
/// When the socket cannot be bound.
pub async fn start() -> std::io::Result<EchoServer> {
    serve(None).await
}

/// Starts the echo server with a signature verifier.
///
/// # Errors
///
/// When the socket cannot be bound.
pub async fn start_verifying(verifier: EchoVerifier) -> std::io::Result<EchoServer> {
    serve(Some(Arc::new(verifier))).await
}

async fn serve(verifier: Option<Arc<EchoVerifier>>) -> std::io::Result<EchoServer> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let verifier = verifier.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| handle(req, verifier.clone()));
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(EchoServer { addr, task })
}

/// What the `authorization` header says, as JSON (no signature value).
pub fn describe_authorization(value: Option<&str>) -> Value {
    let Some(value) = value else {
        return Value::Null;
    };
    let (algorithm, rest) = value.split_once(' ').unwrap_or((value, ""));
    let mut credential_scope = None;
    let mut signed_headers = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(c) = part.strip_prefix("Credential=") {
            // Drop the access key id: show only the scope.
            credential_scope = c.split_once('/').map(|(_, scope)| scope.to_owned());
        } else if let Some(h) = part.strip_prefix("SignedHeaders=") {
            signed_headers = h.split(';').map(str::to_owned).collect();
        }
    }
    json!({
        "algorithm": algorithm,
        "credentialScope": credential_scope,
        "signedHeaders": signed_headers,
    })
}

fn text(status: http::StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain"),
    );
    response
}

async fn handle(
    request: Request<Incoming>,
    verifier: Option<Arc<EchoVerifier>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let verified = match &verifier {
        None => Value::Null,
        Some(verifier) => match verifier.verify(&parts) {
            Ok(v) => json!({ "principal": v.principal, "encoding": format!("{:?}", v.encoding) }),
            Err(e) if e.is_unsigned() => json!({ "principal": "anonymous" }),
            Err(e) => return Ok(text(e.status(), e.to_string())),
        },
    };
    let body_bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes().len(),
        Err(_) => 0,
    };
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let host = header("host")
        .map(str::to_owned)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()));
    let report = json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path(),
        "query": parts.uri.query(),
        "httpVersion": format!("{:?}", parts.version),
        "host": host,
        "signature": describe_authorization(header("authorization")),
        "verified": verified,
        "x-amz-date": header("x-amz-date"),
        "x-amz-content-sha256": header("x-amz-content-sha256"),
        "sessionToken": parts.headers.contains_key("x-amz-security-token"),
        "contentLength": header("content-length"),
        "transferEncoding": header("transfer-encoding"),
        "bodyBytes": body_bytes,
    });
    // `/status/NNN` answers with that status (for clients' error paths).
    let status = parts
        .uri
        .path()
        .strip_prefix("/status/")
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| http::StatusCode::from_u16(s).ok())
        .unwrap_or(http::StatusCode::OK);
    let body = serde_json::to_vec_pretty(&report).unwrap_or_default();
    let response = Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())));
    Ok(response)
}
