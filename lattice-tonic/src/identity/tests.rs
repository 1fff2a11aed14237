//! Tests of `identity`.

use super::*;
use http::Request;
use tower::{ServiceBuilder, ServiceExt, service_fn};

async fn call(headers: &[(&str, &str)]) -> Response<String> {
    let service = ServiceBuilder::new()
        .layer(CallerIdentityLayer::new())
        .service(service_fn(|req: Request<()>| async move {
            // Through tonic's conversion, as a generated server does.
            let req = tonic::Request::from_http(req);
            let who = match req.caller_identity() {
                None => "none".to_owned(),
                Some(c) if c.is_anonymous() => "anonymous".to_owned(),
                Some(c) => c.principal.clone().unwrap_or_default(),
            };
            Ok::<_, std::convert::Infallible>(Response::new(who))
        }));
    let mut request = Request::post("/lattice.echo.Echo/Unary");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    service
        .oneshot(request.body(()).expect("request"))
        .await
        .expect("infallible")
}

#[tokio::test]
async fn identities() {
    assert_eq!(call(&[]).await.body(), "none");
    let response = call(&[(
        "x-amzn-lattice-identity",
        "Principal=arn:aws:sts::123456789012:assumed-role/app/s1; Type=AWS_IAM",
    )])
    .await;
    assert_eq!(
        response.body(),
        "arn:aws:sts::123456789012:assumed-role/app/s1"
    );
    let response = call(&[(
        "x-amzn-lattice-network",
        "SourceVpcArn=arn:aws:ec2:us-west-2:123456789012:vpc/vpc-0123456789abcdef0",
    )])
    .await;
    assert_eq!(response.body(), "anonymous");
}

#[tokio::test]
async fn malformed_identities_are_invalid_argument() {
    let response = call(&[("x-amzn-lattice-identity", "Principal")]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/grpc");
    assert_eq!(response.headers()["grpc-status"], "3");
    let status = tonic::Status::from_header_map(response.headers()).expect("status");
    assert!(
        status.message().contains("x-amzn-lattice-identity"),
        "{}",
        status.message()
    );
}

#[tokio::test]
async fn peers_outside_the_ranges_are_permission_denied() {
    let service = |peers: TrustedPeers| {
        ServiceBuilder::new()
            .layer(CallerIdentityLayer::new().trusted_peers(peers))
            .service(service_fn(|_req: Request<()>| async {
                Ok::<_, std::convert::Infallible>(Response::new(String::from("called")))
            }))
    };
    for (peer, code) in [
        (Some("169.254.171.7:443"), tonic::Code::Ok),
        (Some("203.0.113.9:443"), tonic::Code::PermissionDenied),
        (None, tonic::Code::PermissionDenied),
    ] {
        let mut request = Request::post("/lattice.echo.Echo/Unary")
            .body(())
            .expect("request");
        if let Some(peer) = peer {
            request
                .extensions_mut()
                .insert(peer.parse::<std::net::SocketAddr>().expect("addr"));
        }
        let response = service(TrustedPeers::lattice())
            .oneshot(request)
            .await
            .expect("infallible");
        assert_eq!(response.status(), 200);
        match tonic::Status::from_header_map(response.headers()) {
            None => {
                assert_eq!(code, tonic::Code::Ok);
                assert_eq!(response.body(), "called");
            }
            Some(status) => {
                assert_eq!(status.code(), code, "{peer:?}: {}", status.message());
                assert_eq!(response.body(), "", "the service was not called");
            }
        }
    }
}

#[tokio::test]
async fn an_identity_in_the_extensions_wins_over_metadata() {
    let service = ServiceBuilder::new()
        .layer(CallerIdentityLayer::new())
        .service(service_fn(|req: Request<()>| async move {
            let req = tonic::Request::from_http(req);
            let who = req
                .caller_identity()
                .and_then(|c| c.principal.clone())
                .unwrap_or_default();
            Ok::<_, std::convert::Infallible>(Response::new(who))
        }));
    let mut request = Request::post("/lattice.echo.Echo/Unary")
        .header(
            "x-amzn-lattice-identity",
            "Principal=arn:aws:iam::999999999999:role/admin",
        )
        .body(())
        .expect("request");
    let mut identity = CallerIdentity::default();
    identity.principal = Some("arn:aws:iam::123456789012:user/u".into());
    request.extensions_mut().insert(identity);
    let response = service.oneshot(request).await.expect("infallible");
    assert_eq!(response.body(), "arn:aws:iam::123456789012:user/u");
}

#[test]
fn authenticated_caller() {
    let request = tonic::Request::new(());
    assert_eq!(
        request.authenticated_caller().expect_err("none").code(),
        tonic::Code::Unauthenticated
    );
    let mut request = tonic::Request::new(());
    let mut identity = CallerIdentity::default();
    identity.principal = Some("arn:aws:iam::123456789012:user/u".into());
    identity.auth_type = Some("AWS_IAM".into());
    request.extensions_mut().insert(identity);
    assert!(request.authenticated_caller().is_ok());
}
