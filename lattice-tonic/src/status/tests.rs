//! Tests of `status`.

use super::*;
use http_body_util::{Full, StreamBody};
use std::error::Error as _;
use tonic::Code;
use tower::{ServiceBuilder, ServiceExt, service_fn};

fn respond(
    status: u16,
    content_type: Option<&'static str>,
    body: &'static str,
) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header(CONTENT_TYPE, ct);
    }
    builder
        .header("x-amzn-requestid", "req-1")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("response")
}

async fn call(response: Response<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Status> {
    let service = ServiceBuilder::new()
        .layer(GrpcStatusLayer::new())
        .service(service_fn(move |_req: Request<()>| {
            let response = response.clone();
            async move { Ok::<_, std::convert::Infallible>(response) }
        }));
    service.oneshot(Request::new(())).await
}

#[tokio::test]
async fn grpc_responses_pass() {
    for ct in ["application/grpc", "application/grpc+proto"] {
        let response = call(respond(200, Some(ct), "")).await.expect("passes");
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn lattice_denial_becomes_permission_denied() {
    let line = "AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized \
                to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:123456789012:\
                service/svc-0123456789abcdef0/lattice.echo.Echo/Unary because no service-based policy allows \
                the vpc-lattice-svcs:Invoke action";
    let body: &'static str = Box::leak(format!("{line}\r\nsecond line\n").into_boxed_str());
    let status = call(respond(403, Some("text/plain"), body))
        .await
        .expect_err("denied");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(status.message(), line);
    assert_eq!(
        status.metadata().get("x-amzn-requestid").expect("metadata"),
        "req-1"
    );
    let source = status
        .source()
        .and_then(|e| e.downcast_ref::<Error>())
        .expect("typed source");
    assert!(
        matches!(source, Error::NotGrpc { status, content_type: Some(ct), .. } if status.as_u16() == 403 && ct == "text/plain")
    );
    let refusal = source.refusal().expect("Lattice's refusal");
    assert_eq!(refusal.code(), "AccessDeniedException");
    assert_eq!(refusal.request_id(), Some("req-1"));
    assert_eq!(
        refusal.access_denial().map(|d| d.layer()),
        Some(lattice_client::refusal::Layer::Service)
    );
}

#[tokio::test]
async fn a_targets_own_403_is_no_refusal() {
    let status = call(respond(403, Some("text/plain"), "Forbidden"))
        .await
        .expect_err("403");
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(status.message(), "Forbidden");
    let source = status
        .source()
        .and_then(|e| e.downcast_ref::<Error>())
        .expect("typed source");
    assert!(source.refusal().is_none());

    let status = call(respond(404, Some("text/plain"), "Non Existent Service"))
        .await
        .expect_err("404");
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(status.message(), "Non Existent Service");
    let source = status
        .source()
        .and_then(|e| e.downcast_ref::<Error>())
        .expect("typed source");
    assert_eq!(
        source.refusal().map(|r| r.code()),
        Some("Non Existent Service")
    );
}

#[tokio::test]
async fn other_responses() {
    let status = call(respond(404, Some("text/plain"), "Not Found"))
        .await
        .expect_err("404");
    assert_eq!(status.code(), Code::Unimplemented);
    assert_eq!(status.message(), "Not Found");

    let status = call(respond(200, Some("text/html"), "<html>hello</html>"))
        .await
        .expect_err("html");
    assert_eq!(status.code(), Code::Unknown);
    assert_eq!(status.message(), "<html>hello</html>");

    let status = call(respond(503, None, "")).await.expect_err("503");
    assert_eq!(status.code(), Code::Unavailable);
    assert!(
        status.message().contains("503") && status.message().contains("empty body"),
        "{}",
        status.message()
    );

    let status = call(respond(200, None, "")).await.expect_err("no ct");
    assert_eq!(status.code(), Code::Unknown);
}

#[tokio::test]
async fn reads_at_most_4_kib_of_an_endless_body() {
    // An endless body of `a`s: only 4 KiB are read.
    let stream = futures_util::stream::repeat_with(|| {
        Ok::<_, std::convert::Infallible>(http_body::Frame::data(Bytes::from_static(&[b'a'; 1000])))
    });
    let response = Response::builder()
        .status(403)
        .body(StreamBody::new(stream))
        .expect("response");
    let status = non_grpc_status(response, DEFAULT_BODY_TIMEOUT).await;
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(status.message().len(), MAX_ERROR_BODY);
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let stream = futures_util::stream::pending::<
        Result<http_body::Frame<Bytes>, std::convert::Infallible>,
    >();
    let response = Response::builder()
        .status(502)
        .body(StreamBody::new(stream))
        .expect("response");
    let status = non_grpc_status(response, Duration::from_millis(20)).await;
    assert_eq!(status.code(), Code::Unavailable);
    assert!(
        status.message().contains("did not arrive"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn service_errors_become_statuses() {
    let service = ServiceBuilder::new()
        .layer(GrpcStatusLayer::new())
        .service(service_fn(|_req: Request<()>| async {
            Err::<Response<Full<Bytes>>, _>(lattice_tower::Error::Sign(
                lattice_client::Error::NoRegion {
                    host: "orders.example.internal".into(),
                },
            ))
        }));
    let status = service.oneshot(Request::new(())).await.expect_err("error");
    assert_eq!(status.code(), Code::Internal);
    assert!(
        status.message().contains("no signing region"),
        "{}",
        status.message()
    );
    assert!(matches!(
        status.source().and_then(|e| e.downcast_ref::<Error>()),
        Some(Error::Sign(_))
    ));
}

#[test]
#[should_panic(expected = "polled after it completed")]
fn polling_a_finished_future_panics() {
    let mut service = GrpcStatusLayer::new().layer(service_fn(|_req: Request<()>| async {
        Ok::<_, std::convert::Infallible>(respond(200, Some("application/grpc"), ""))
    }));
    let mut future = std::pin::pin!(service.call(Request::new(())));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_ready());
    let _ = future.as_mut().poll(&mut cx);
}
