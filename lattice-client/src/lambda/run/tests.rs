use std::convert::Infallible;

use serde_json::json;
use tower::{ServiceExt, service_fn};

use super::*;
use crate::lambda::{EventVersion, LatticeRequestExt};

/// Answers with the path, the event version and the caller's principal.
fn app() -> impl Service<
    http::Request<Body>,
    Response = http::Response<Body>,
    Error = Infallible,
    Future = impl Future<Output = Result<http::Response<Body>, Infallible>> + Send,
> + Clone {
    service_fn(|req: http::Request<Body>| async move {
        let text = format!(
            "{} {:?} {} {}",
            req.uri().path(),
            req.event_version().unwrap(),
            req.caller_identity()
                .and_then(|c| c.principal.clone())
                .unwrap_or_default(),
            req.extensions()
                .get::<lambda_runtime::Context>()
                .map_or("-", |c| c.request_id.as_str()),
        );
        Ok(http::Response::builder()
            .header("content-type", "text/plain")
            .body(Body::from(text))
            .unwrap())
    })
}

fn v2() -> Value {
    json!({
        "version": "2.0", "path": "/a?x=1", "method": "GET",
        "headers": {"host": ["h.example"]},
        "requestContext": {"identity": {"principal": "arn:aws:iam::123456789012:role/r"}}
    })
}

#[tokio::test]
async fn value_in_value_out_both_versions() {
    let out: Value = Adapter::new(app()).oneshot(v2()).await.unwrap();
    assert_eq!(out["statusCode"], 200);
    assert_eq!(out["isBase64Encoded"], false);
    assert_eq!(out["body"], "/a V2 arn:aws:iam::123456789012:role/r -");

    let v1 = json!({
        "raw_path": "/b", "method": "POST", "headers": {
            "x-amzn-lattice-identity": "Principal=arn:aws:iam::123456789012:user/u"
        }
    });
    let out: Value = Adapter::new(app()).oneshot(v1).await.unwrap();
    assert_eq!(out["body"], "/b V1 arn:aws:iam::123456789012:user/u -");
}

#[tokio::test]
async fn lambda_event_puts_the_context_in_extensions() {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "req-1".into();
    let event = LambdaEvent::new(
        serde_json::from_value::<LatticeEvent>(v2()).unwrap(),
        context,
    );
    let out = Adapter::new(app()).oneshot(event).await.unwrap();
    assert_eq!(
        out.body.as_deref(),
        Some("/a V2 arn:aws:iam::123456789012:role/r req-1")
    );
    assert_eq!(
        serde_json::from_value::<LatticeEvent>(v2())
            .unwrap()
            .version(),
        EventVersion::V2
    );
}

#[tokio::test]
async fn service_errors_become_a_short_500() {
    let failing = service_fn(|_req: http::Request<Body>| async move {
        Err::<http::Response<Body>, _>(std::io::Error::other("database down: secret details"))
    });
    let out: Value = Adapter::new(failing).oneshot(v2()).await.unwrap();
    assert_eq!(out["statusCode"], 500);
    assert_eq!(out["body"], SERVICE_ERROR_BODY);
    assert!(!out.to_string().contains("secret"));
}

#[tokio::test]
async fn oversize_responses_become_a_500() {
    let big = service_fn(|_req: http::Request<Body>| async move {
        Ok::<_, Infallible>(http::Response::new(Body::from(vec![0u8; 4096])))
    });
    let out = Adapter::new(big)
        .with_options(ResponseOptions::default().max_json_bytes(1024))
        .oneshot(serde_json::from_value::<LatticeEvent>(v2()).unwrap())
        .await
        .unwrap();
    assert_eq!(out.status_code, 500);
}

#[tokio::test]
async fn malformed_events_fail_with_typed_errors() {
    for bad in [
        json!([1, 2]),
        json!({"foo": 1}),
        json!({"version": "3.0", "path": "/", "method": "GET"}),
        json!({"version": "2.0", "path": "/", "method": "G E T"}),
        json!({"version": "2.0", "path": "/", "method": "GET", "body": "***", "isBase64Encoded": true}),
        json!({"raw_path": "/", "method": "GET", "headers": {"x-amzn-lattice-identity": "Principal"}}),
    ] {
        let err = Adapter::new(app()).oneshot(bad.clone()).await.unwrap_err();
        assert!(matches!(err, RunError::Event(_)), "{bad}: {err}");
        let diagnostic = Diagnostic::from(err);
        assert_eq!(diagnostic.error_type, "Lattice.InvalidEvent");
        assert!(!diagnostic.error_message.is_empty());
    }
}

fn lambda_event(trace_id: Option<&str>, event: Value) -> LambdaEvent<LatticeEvent> {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "req-2".into();
    context.xray_trace_id = trace_id.map(str::to_owned);
    LambdaEvent::new(
        serde_json::from_value::<LatticeEvent>(event).unwrap(),
        context,
    )
}

/// Answers with the request's `x-amzn-trace-id` values and the trace id of
/// the Lambda context in its extensions.
fn trace_echo() -> impl Service<
    http::Request<Body>,
    Response = http::Response<Body>,
    Error = Infallible,
    Future = impl Future<Output = Result<http::Response<Body>, Infallible>> + Send,
> + Clone {
    service_fn(|req: http::Request<Body>| async move {
        let headers: Vec<_> = req
            .headers()
            .get_all(TRACE_ID_HEADER)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let context = req.extensions().get::<lambda_runtime::Context>().unwrap();
        let text = format!(
            "{} | {} {}",
            headers.join(","),
            context.request_id,
            context.xray_trace_id.as_deref().unwrap_or("-")
        );
        Ok(http::Response::builder()
            .header("content-type", "text/plain")
            .body(Body::from(text))
            .unwrap())
    })
}

const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

#[tokio::test]
async fn the_trace_id_becomes_x_amzn_trace_id() {
    let out = Adapter::new(trace_echo())
        .oneshot(lambda_event(Some(TRACE), v2()))
        .await
        .unwrap();
    assert_eq!(
        out.body.as_deref(),
        Some(format!("{TRACE} | req-2 {TRACE}").as_str())
    );
    // V1 events too.
    let v1 = json!({"raw_path": "/b", "method": "GET", "headers": {"host": "h.example"}});
    let out = Adapter::new(trace_echo())
        .oneshot(lambda_event(Some(TRACE), v1))
        .await
        .unwrap();
    assert_eq!(
        out.body.as_deref(),
        Some(format!("{TRACE} | req-2 {TRACE}").as_str())
    );
}

#[tokio::test]
async fn an_event_trace_header_is_kept() {
    let mut event = v2();
    event["headers"]["x-amzn-trace-id"] = json!(["Root=1-00000000-000000000000000000000001"]);
    let out = Adapter::new(trace_echo())
        .oneshot(lambda_event(Some(TRACE), event))
        .await
        .unwrap();
    assert_eq!(
        out.body.as_deref(),
        Some(format!("Root=1-00000000-000000000000000000000001 | req-2 {TRACE}").as_str())
    );
}

#[tokio::test]
async fn no_or_invalid_trace_id_adds_no_header() {
    for trace in [None, Some("bad\nvalue")] {
        let out = Adapter::new(trace_echo())
            .oneshot(lambda_event(trace, v2()))
            .await
            .unwrap();
        let body = out.body.unwrap();
        assert!(body.starts_with(" | req-2 "), "{trace:?}: {body}");
    }
}

/// `run_concurrent` takes a `Clone` service (an axum `Router`, a
/// `service_fn`), and its future can be spawned. The runtime itself needs the
/// Lambda runtime API, so the future is built, checked and dropped unpolled.
#[test]
fn run_concurrent_accepts_a_cloneable_service() {
    fn spawnable<F: Future + Send + 'static>(f: F) -> F {
        f
    }
    let future = spawnable(run_concurrent(app()));
    drop(future);
    // The adapter the runtime clones per worker is `Clone + Send + 'static`.
    fn worker<T: Clone + Send + 'static>(_: &T) {}
    worker(&Adapter::new(app()));
}
