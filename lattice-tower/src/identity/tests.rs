use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderValue, Request, Response, StatusCode};
use lattice_client::identity::CallerIdentity as Identity;
use tower::{ServiceBuilder, ServiceExt, service_fn};

use super::*;

const IDENTITY: &str = "Principal=arn:aws:sts::123456789012:assumed-role/EnvoyFrontendTaskRole/503e18cee581465f914c75291291e98e; PrincipalOrgID=o-12345678; SessionName=503e18cee581465f914c75291291e98e; Type=AWS_IAM";
const NETWORK: &str = "SourceVpcArn=arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0";
const TARGET: &str = "ServiceArn=arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b; ServiceNetworkArn=arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0827fa025cfa385f2; TargetGroupArn=arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-02dd764d44bb49a8c";

/// A stack whose handler answers with what it found in the extensions.
async fn call(request: Request<String>) -> Response<String> {
    call_through(CallerIdentityLayer::new(), request).await
}

async fn call_through<R: RejectIdentity + Clone>(
    layer: CallerIdentityLayer<R>,
    request: Request<String>,
) -> Response<String> {
    ServiceBuilder::new()
        .layer(layer)
        .service(service_fn(|req: Request<String>| async move {
            let body = match req.extensions().get::<Identity>() {
                None => "none".to_owned(),
                Some(id) if id.is_anonymous() => {
                    format!("anonymous from {}", id.source_vpc().unwrap())
                }
                Some(id) => format!(
                    "{:?} {} {}",
                    id.principal_arn().unwrap().kind(),
                    id.principal_account().unwrap(),
                    id.service_arn().unwrap().id()
                ),
            };
            Ok::<_, Infallible>(Response::new(body))
        }))
        .oneshot(request)
        .await
        .unwrap()
}

fn request(headers: &[(&'static str, &[u8])]) -> Request<String> {
    let mut req = Request::new(String::new());
    for (name, value) in headers {
        req.headers_mut()
            .append(*name, HeaderValue::from_bytes(value).unwrap());
    }
    req
}

#[tokio::test]
async fn authenticated_caller_is_typed() {
    let response = call(request(&[
        ("x-amzn-lattice-identity", IDENTITY.as_bytes()),
        ("x-amzn-lattice-network", NETWORK.as_bytes()),
        ("x-amzn-lattice-target", TARGET.as_bytes()),
    ]))
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.body(),
        "AssumedRole 123456789012 svc-0725375ee8851076b"
    );
}

#[tokio::test]
async fn no_headers_is_anonymous_without_extension() {
    let response = call(request(&[("user-agent", b"curl")])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "none");
}

#[tokio::test]
async fn unsigned_caller_behind_lattice_is_anonymous() {
    let response = call(request(&[
        ("x-amzn-lattice-network", NETWORK.as_bytes()),
        ("x-amzn-lattice-target", TARGET.as_bytes()),
        ("x-amzn-source-vpc", b"vpc-0123456789abcdef0"),
    ]))
    .await;
    assert_eq!(response.body(), "anonymous from vpc-0123456789abcdef0");
}

#[tokio::test]
async fn malformed_headers_are_rejected_with_400_without_calling_the_service() {
    for headers in [
        &[("x-amzn-lattice-identity", b"Principal".as_slice())][..],
        &[("x-amzn-lattice-identity", b"Principal=\xff".as_slice())][..],
        &[
            ("x-amzn-lattice-network", NETWORK.as_bytes()),
            ("x-amzn-lattice-network", NETWORK.as_bytes()),
        ][..],
        &[(
            "x-amzn-lattice-identity",
            b"Principal=a; Principal=b".as_slice(),
        )][..],
    ] {
        let response = call(request(headers)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.body(), "", "the handler was not called");
    }
}

/// `req` with the identity a trusted source (the Lambda adapter) inserted;
/// the test handler answers `Role 123456789012 svc-0725375ee8851076b` for it.
fn with_trusted_identity(mut req: Request<String>) -> Request<String> {
    let mut id = Identity::default();
    id.principal = Some("arn:aws:iam::123456789012:role/r".into());
    id.service_arn =
        Some("arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b".into());
    req.extensions_mut().insert(id);
    req
}

#[tokio::test]
async fn an_existing_extension_is_kept_when_there_are_no_headers() {
    let req = with_trusted_identity(request(&[]));
    let response = call(req).await;
    assert_eq!(response.body(), "Role 123456789012 svc-0725375ee8851076b");
}

#[tokio::test]
async fn an_existing_extension_is_never_replaced_by_headers() {
    // As behind the Lambda adapter with a V2 event: the identity from
    // `requestContext` is in the extensions; headers claim someone else.
    for forged in [IDENTITY.as_bytes(), b"Principal".as_slice()] {
        let req = with_trusted_identity(request(&[("x-amzn-lattice-identity", forged)]));
        let response = call(req).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "Role 123456789012 svc-0725375ee8851076b");
    }
}

/// The layer with the peer check on, counting calls of the wrapped service.
async fn call_from(
    peers: TrustedPeers,
    peer: Option<&str>,
    headers: &[(&'static str, &[u8])],
) -> (Response<String>, usize) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let service = ServiceBuilder::new()
        .layer(CallerIdentityLayer::new().trusted_peers(peers))
        .service(service_fn(move |req: Request<String>| {
            counted.fetch_add(1, Ordering::SeqCst);
            let who = req
                .extensions()
                .get::<Identity>()
                .and_then(|id| id.principal.clone())
                .unwrap_or_else(|| "none".to_owned());
            async move { Ok::<_, Infallible>(Response::new(who)) }
        }));
    let mut req = request(headers);
    if let Some(peer) = peer {
        req.extensions_mut()
            .insert(peer.parse::<SocketAddr>().unwrap());
    }
    let response = service.oneshot(req).await.unwrap();
    (response, calls.load(Ordering::SeqCst))
}

#[tokio::test]
async fn peer_check_admits_lattice_ranges_only() {
    let signed: &[(&'static str, &[u8])] = &[("x-amzn-lattice-identity", IDENTITY.as_bytes())];
    for peer in [
        "169.254.171.65:40000",
        "[fd00:ec2:80::a9fe:ab41]:40000",
        // An IPv4 peer on a dual-stack socket.
        "[::ffff:169.254.171.9]:40000",
    ] {
        let (response, calls) = call_from(TrustedPeers::lattice(), Some(peer), signed).await;
        assert_eq!(response.status(), StatusCode::OK, "{peer}");
        assert!(response.body().starts_with("arn:aws:sts::"), "{peer}");
        assert_eq!(calls, 1);
    }
    for peer in [
        Some("10.0.0.7:40000"),
        Some("169.254.172.1:40000"),
        Some("[fd00:ec2:81::1]:40000"),
        Some("127.0.0.1:40000"),
        None,
    ] {
        let (response, calls) = call_from(TrustedPeers::lattice(), peer, signed).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{peer:?}");
        assert_eq!(response.body(), "", "{peer:?}");
        assert_eq!(calls, 0, "the service is not called for {peer:?}");
    }
    // Without identity headers too: the check is about the path, not the caller.
    let (response, calls) = call_from(TrustedPeers::lattice(), Some("10.0.0.7:1"), &[]).await;
    assert_eq!((response.status(), calls), (StatusCode::FORBIDDEN, 0));
}

#[tokio::test]
async fn peer_ranges_and_lookup_are_configurable() {
    let loopback = TrustedPeers::new(["127.0.0.0/8".parse().unwrap()]);
    assert_eq!(loopback.ranges().len(), 1);
    let (response, calls) = call_from(loopback.clone(), Some("127.0.0.1:1"), &[]).await;
    assert_eq!((response.status(), calls), (StatusCode::OK, 1));
    let (response, _) = call_from(loopback, Some("169.254.171.65:1"), &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A server that stores the peer in a type of its own.
    #[derive(Clone)]
    struct Peer(IpAddr);
    let custom = TrustedPeers::lattice().peer_lookup(|ext| ext.get::<Peer>().map(|p| p.0));
    let service = ServiceBuilder::new()
        .layer(CallerIdentityLayer::new().trusted_peers(custom))
        .service(service_fn(|_req: Request<String>| async {
            Ok::<_, Infallible>(Response::new(String::new()))
        }));
    let mut req = request(&[]);
    req.extensions_mut()
        .insert(Peer("169.254.171.1".parse().unwrap()));
    assert_eq!(service.oneshot(req).await.unwrap().status(), StatusCode::OK);

    let rejection = TrustedPeers::lattice()
        .check(&http::Extensions::new())
        .unwrap_err();
    assert_eq!(rejection, IdentityRejection::UnknownPeer);
    let mut ext = http::Extensions::new();
    ext.insert("10.1.2.3".parse::<IpAddr>().unwrap());
    let rejection = TrustedPeers::lattice().check(&ext).unwrap_err();
    assert!(rejection.to_string().contains("10.1.2.3"), "{rejection}");
}

#[tokio::test]
async fn a_trusted_identity_skips_the_peer_check() {
    // Behind the Lambda adapter there is no peer address; the adapter's
    // identity is trusted as it is.
    let req = with_trusted_identity(request(&[]));
    let response = call_through(
        CallerIdentityLayer::new().trusted_peers(TrustedPeers::lattice()),
        req,
    )
    .await;
    assert_eq!(response.body(), "Role 123456789012 svc-0725375ee8851076b");
}

#[tokio::test]
async fn a_custom_rejection_answers_refusals() {
    #[derive(Clone)]
    struct Teapot;
    impl RejectIdentity for Teapot {
        fn reject<B: Default>(&self, rejection: &IdentityRejection) -> Response<B> {
            let mut r = Response::new(B::default());
            *r.status_mut() = if matches!(rejection, IdentityRejection::Malformed(_)) {
                StatusCode::IM_A_TEAPOT
            } else {
                StatusCode::UNAUTHORIZED
            };
            r
        }
    }
    let layer = CallerIdentityLayer::with_rejection(Teapot);
    let response = call_through(
        layer.clone(),
        request(&[("x-amzn-lattice-identity", b"Principal".as_slice())]),
    )
    .await;
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    let response = call_through(layer.trusted_peers(TrustedPeers::lattice()), request(&[])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[cfg(feature = "axum")]
mod axum {
    use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
    use axum_core::response::IntoResponse;

    use super::*;
    use crate::identity::{AuthenticatedCaller, AuthenticatedCallerRejection};

    async fn extract(
        req: Request<String>,
    ) -> (
        Result<AuthenticatedCaller, AuthenticatedCallerRejection>,
        Result<Option<AuthenticatedCaller>, AuthenticatedCallerRejection>,
    ) {
        let (mut parts, _) = req.into_parts();
        let plain =
            <AuthenticatedCaller as FromRequestParts<()>>::from_request_parts(&mut parts, &())
                .await;
        let optional = <AuthenticatedCaller as OptionalFromRequestParts<()>>::from_request_parts(
            &mut parts,
            &(),
        )
        .await;
        (plain, optional)
    }

    #[tokio::test]
    async fn extractor_reads_the_layer_extension() {
        // Through the layer: the handler extracts from the parts.
        let service = ServiceBuilder::new()
            .layer(CallerIdentityLayer::new())
            .service(service_fn(|req: Request<String>| async move {
                // Headers removed to prove the extension is used.
                let (mut parts, _) = req.into_parts();
                parts.headers.clear();
                let caller = <AuthenticatedCaller as FromRequestParts<()>>::from_request_parts(
                    &mut parts,
                    &(),
                )
                .await
                .unwrap();
                Ok::<_, Infallible>(Response::new(
                    caller.session_name.clone().unwrap_or_default(),
                ))
            }));
        let response = service
            .oneshot(request(&[("x-amzn-lattice-identity", IDENTITY.as_bytes())]))
            .await
            .unwrap();
        assert_eq!(response.body(), "503e18cee581465f914c75291291e98e");
    }

    #[tokio::test]
    async fn peer_check_reads_axum_connect_info() {
        for (peer, status) in [
            ("169.254.171.200:5000", StatusCode::OK),
            ("192.0.2.10:5000", StatusCode::FORBIDDEN),
        ] {
            let mut req = request(&[
                ("x-amzn-lattice-identity", IDENTITY.as_bytes()),
                ("x-amzn-lattice-target", TARGET.as_bytes()),
            ]);
            req.extensions_mut().insert(::axum::extract::ConnectInfo(
                peer.parse::<SocketAddr>().unwrap(),
            ));
            let response = call_through(
                CallerIdentityLayer::new().trusted_peers(TrustedPeers::lattice()),
                req,
            )
            .await;
            assert_eq!(response.status(), status, "{peer}");
        }
    }

    #[tokio::test]
    async fn extractor_without_the_layer_parses_headers() {
        let (plain, optional) =
            extract(request(&[("x-amzn-lattice-identity", IDENTITY.as_bytes())])).await;
        assert_eq!(
            plain.unwrap().principal_org_id.as_deref(),
            Some("o-12345678")
        );
        assert!(optional.unwrap().is_some());
    }

    #[tokio::test]
    async fn anonymous_and_malformed() {
        let (plain, optional) = extract(request(&[])).await;
        let rejection = plain.unwrap_err();
        assert_eq!(rejection, AuthenticatedCallerRejection::Anonymous);
        assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(optional.unwrap(), None);
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        // Unsigned, but through Lattice: still anonymous for the extractor.
        let (plain, optional) = extract(request(&[
            ("x-amzn-lattice-network", NETWORK.as_bytes()),
            ("x-amzn-lattice-target", TARGET.as_bytes()),
        ]))
        .await;
        assert_eq!(plain.unwrap_err(), AuthenticatedCallerRejection::Anonymous);
        assert_eq!(optional.unwrap(), None);

        let (plain, optional) =
            extract(request(&[("x-amzn-lattice-target", b"=x".as_slice())])).await;
        let rejection = plain.unwrap_err();
        assert_eq!(rejection.status(), StatusCode::BAD_REQUEST);
        assert!(rejection.body_text().contains("Malformed"));
        let source = std::error::Error::source(&rejection).unwrap().to_string();
        assert!(source.contains("empty key"), "{source}");
        assert!(
            !rejection.to_string().contains("empty key"),
            "the cause is printed once"
        );
        assert_eq!(optional.unwrap_err().status(), StatusCode::BAD_REQUEST);
    }
}
