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
