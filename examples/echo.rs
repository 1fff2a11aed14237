//! A loopback echo server that reports what a signed request looked like on
//! arrival. It serves HTTP/1.1 and HTTP/2 (prior knowledge) on plain TCP.
//! `/status/NNN` answers with status NNN; every other path with 200.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

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
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let service = hyper::service::service_fn(handle);
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

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
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
