use std::sync::{Arc, Mutex};

use http::{HeaderMap, HeaderValue, Method, StatusCode};

use super::*;

#[test]
fn grpc_paths() {
    assert_eq!(
        grpc_path("/lattice.echo.Echo/Unary"),
        Some(("lattice.echo.Echo", "Unary"))
    );
    assert_eq!(grpc_path("/Echo/Unary"), Some(("Echo", "Unary")));
    for bad in [
        "",
        "/",
        "/Echo",
        "/Echo/",
        "//Unary",
        "/a/b/c",
        "Echo/Unary",
    ] {
        assert_eq!(grpc_path(bad), None, "{bad}");
    }
    let mut headers = HeaderMap::new();
    assert!(!is_grpc_request(&headers));
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc+proto"),
    );
    assert!(is_grpc_request(&headers));
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    assert!(!is_grpc_request(&headers));
}

/// Everything a `fmt` subscriber writes, with span events on close.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture(f: impl FnOnce()) -> String {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let bytes = out.0.lock().expect("lock").clone();
    String::from_utf8(bytes).expect("utf-8")
}

#[test]
fn rpc_fields_and_the_other_method() {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    let out = capture(|| {
        let span = RequestSpan::start(&Method::POST, "/lattice.echo.Echo/Unary", &headers);
        assert!(!span.is_disabled());
        span.record_server("[::1]", None, true);
        let mut trailers_only = HeaderMap::new();
        trailers_only.insert("grpc-status", HeaderValue::from_static("7"));
        span.record_response(StatusCode::OK, &trailers_only);
        let other = Method::from_bytes(b"PURGE").expect("method");
        let span = RequestSpan::start(&other, "/x", &HeaderMap::new());
        span.record_response(StatusCode::NOT_FOUND, &HeaderMap::new());
    });
    let rpc = out.lines().find(|l| l.contains("POST")).expect("rpc span");
    for field in [
        "otel.name=lattice.echo.Echo/Unary",
        "rpc.system=\"grpc\"",
        "rpc.service=\"lattice.echo.Echo\"",
        "rpc.method=\"Unary\"",
        "server.address=\"::1\"",
        "server.port=443",
        "http.response.status_code=200",
        "rpc.grpc.status_code=7",
    ] {
        assert!(rpc.contains(field), "{field} in {rpc}");
    }
    assert!(!rpc.contains("error.type"), "{rpc}");
    let other = out
        .lines()
        .find(|l| l.contains("HTTP"))
        .expect("other span");
    for field in [
        "http.request.method=\"_OTHER\"",
        "http.request.method_original=\"PURGE\"",
        "error.type=\"404\"",
    ] {
        assert!(other.contains(field), "{field} in {other}");
    }
}

#[test]
fn nothing_is_recorded_without_a_subscriber() {
    let span = RequestSpan::start(&Method::GET, "/", &HeaderMap::new());
    assert!(span.is_disabled());
    assert!(!span.may_be_refusal(StatusCode::FORBIDDEN));
    assert!(RequestSpan::none().is_disabled());
}
