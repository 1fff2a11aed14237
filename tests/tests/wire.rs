//! What a signed request looks like on the wire, through the hyper adapter,
//! over HTTP/1.1 and HTTP/2 (ALPN) with TLS, checked by a capturing server
//! and by re-signing the received head with `aws-sigv4` directly.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_smithy_async::time::StaticTimeSource;
use bytes::Bytes;
use http::{Request, Response, Version};
use http_body_util::Full;
use lattice_client::Signer;
use lattice_tests::{
    ACCESS_KEY_ID, CaptureServer, CapturedRequest, FIXED_AMZ_DATE, ManualClock, Protocol, REGION,
    SERVICE_NAME, SESSION_TOKEN, TestPki, expected_authorization, fixed_time, loopback_resolver,
    temporary_credentials,
};
use lattice_tower::hyper::{HyperClientBuilder, SignedHyperClient};
use lattice_tower::{BoxError, SigV4Layer};
use tower::{ServiceBuilder, ServiceExt};

const WAIT: Duration = Duration::from_secs(10);

fn signer() -> Signer {
    Signer::builder()
        .credentials(temporary_credentials())
        .time_source(StaticTimeSource::new(fixed_time()))
        .build()
        .expect("signer")
}

fn client(signer: Signer, pki: &TestPki) -> SignedHyperClient<Full<Bytes>> {
    HyperClientBuilder::new(signer)
        .resolver(loopback_resolver().expect("resolver"))
        .platform_roots(false)
        .add_root_certificate(pki.ca.clone())
        .build()
        .expect("client")
}

/// The checks every signed request must pass on the wire.
fn assert_signed(r: &CapturedRequest, authority: &str) {
    let auth = r.header_values("authorization");
    assert_eq!(auth.len(), 1, "exactly one authorization: {auth:?}");
    assert!(
        auth[0].starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/20240102/{REGION}/vpc-lattice-svcs/aws4_request, SignedHeaders="
        )),
        "{}",
        auth[0]
    );
    assert_eq!(
        r.header_values("x-amz-content-sha256"),
        ["UNSIGNED-PAYLOAD"]
    );
    assert_eq!(r.header_values("x-amz-date"), [FIXED_AMZ_DATE]);
    assert_eq!(r.header_values("x-amz-security-token"), [SESSION_TOKEN]);
    let signed = r.signed_headers();
    for name in [
        "host",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
    ] {
        assert!(signed.iter().any(|s| s == name), "{name} not in {signed:?}");
    }
    assert_eq!(r.wire_authority().as_deref(), Some(authority));
    let expected =
        expected_authorization(r, "https", &temporary_credentials(), REGION, fixed_time())
            .expect("re-sign");
    assert_eq!(auth[0], expected, "aws-sigv4 computes the same signature");

    // The check has teeth: the same head with the port dropped from the
    // authority does not verify.
    let mut tampered = r.clone();
    match tampered.authority.as_mut() {
        Some(a) => *a = SERVICE_NAME.to_owned(),
        None => {
            tampered
                .headers
                .insert("host", http::HeaderValue::from_static(SERVICE_NAME));
        }
    }
    let other = expected_authorization(
        &tampered,
        "https",
        &temporary_credentials(),
        REGION,
        fixed_time(),
    )
    .expect("re-sign");
    assert_ne!(
        auth[0], other,
        "a different host gives a different signature"
    );
}

#[tokio::test]
async fn http1_host_header_is_the_signed_normalised_authority() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    let server = CaptureServer::tls(Protocol::Http1, &pki)
        .await
        .expect("server");
    let client = client(signer(), &pki);
    let authority = format!("{SERVICE_NAME}:{}", server.port());
    // Upper case and a trailing dot: the signer normalises, and that is what
    // hyper then puts in `Host`.
    let shouting = SERVICE_NAME.to_ascii_uppercase();
    let uri = format!("https://{shouting}.:{}/orders/42?b=2&a=1", server.port());
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .header("x-custom", "one")
        .header("x-custom", "two")
        .body(Full::new(Bytes::from_static(br#"{"id":42}"#)))
        .expect("request");
    let response = client.request(request).await.expect("response");
    assert_eq!(response.status(), 200);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.version, Version::HTTP_11);
    assert!(r.tls);
    assert_eq!(r.alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(r.authority, None, "origin-form on HTTP/1.1");
    assert_eq!(r.uri, "/orders/42?b=2&a=1");
    assert_eq!(r.header_values("host"), [authority.as_str()]);
    assert_signed(r, &authority);
    let signed = r.signed_headers();
    assert!(signed.iter().any(|s| s == "x-custom"), "{signed:?}");
    assert!(signed.iter().any(|s| s == "content-type"), "{signed:?}");

    // The signer's own report names the same host.
    let mut again = Request::get(format!("https://{shouting}.:{}/", server.port()))
        .body(())
        .expect("request");
    let report = signer()
        .sign_with(&mut again, &temporary_credentials())
        .expect("signed");
    assert_eq!(report.host, authority);
    assert!(report.signed_headers.split(';').any(|h| h == "host"));
    assert_eq!(
        report.scope,
        format!("20240102/{REGION}/vpc-lattice-svcs/aws4_request")
    );
}

#[tokio::test]
async fn http2_authority_is_signed_and_no_host_header_is_sent() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    let server = CaptureServer::tls(Protocol::Http2, &pki)
        .await
        .expect("server");
    let client = client(signer(), &pki);
    let authority = format!("{SERVICE_NAME}:{}", server.port());
    for path in ["/orders/42", "/orders?state=open&limit=10"] {
        let request = Request::put(format!("https://{authority}{path}"))
            .header("content-type", "text/plain")
            .body(Full::new(Bytes::from_static(b"hello")))
            .expect("request");
        let response = client.request(request).await.expect("response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.version(), Version::HTTP_2);
    }
    server.wait_for_bodies(2, WAIT).await.expect("bodies");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(server.connections(), 1, "one multiplexed connection");
    for r in &requests {
        assert_eq!(r.version, Version::HTTP_2);
        assert!(r.tls);
        assert_eq!(r.alpn.as_deref(), Some(&b"h2"[..]));
        assert_eq!(r.authority.as_deref(), Some(authority.as_str()));
        assert!(
            r.headers.get("host").is_none(),
            "no host header next to :authority: {:?}",
            r.headers
        );
        assert_eq!(r.body_len, Some(5));
        assert_signed(r, &authority);
    }
}

#[tokio::test]
async fn tls_handshake_uses_the_explicit_aws_lc_provider_and_verifies_the_name() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    let server = CaptureServer::tls(Protocol::Auto, &pki)
        .await
        .expect("server");

    // A raw handshake with the workspace's client configuration.
    let roots = lattice_client::tls::root_store(false, std::slice::from_ref(&pki.ca));
    let config = lattice_client::tls::client_config(roots).expect("client config");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = rustls_pki_types::ServerName::try_from(SERVICE_NAME.to_owned()).expect("name");
    let tcp = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect");
    let tls = connector.connect(name, tcp).await.expect("handshake");
    let (_, conn) = tls.get_ref();
    assert_eq!(conn.alpn_protocol(), Some(&b"h2"[..]));
    assert!(conn.protocol_version().is_some());
    assert!(conn.negotiated_cipher_suite().is_some());
    assert_eq!(
        conn.peer_certificates().and_then(|c| c.first()),
        Some(&pki.server_cert)
    );
    drop(tls);

    // The same certificate does not pass for another name.
    let other = rustls_pki_types::ServerName::try_from(
        "billing-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
    )
    .expect("name");
    let tcp = tokio::net::TcpStream::connect(server.addr())
        .await
        .expect("connect");
    assert!(connector.connect(other, tcp).await.is_err());

    // Through the signed hyper client: trusted CA works, no CA fails.
    let ok = client(signer(), &pki)
        .request(
            Request::get(format!("{}/", server.origin(SERVICE_NAME)))
                .body(Full::default())
                .expect("request"),
        )
        .await
        .expect("response");
    assert_eq!(ok.status(), 200);
    let untrusting = HyperClientBuilder::new(signer())
        .resolver(loopback_resolver().expect("resolver"))
        .platform_roots(false)
        .build::<Full<Bytes>>()
        .expect("client");
    let err = untrusting
        .request(
            Request::get(format!("{}/", server.origin(SERVICE_NAME)))
                .body(Full::default())
                .expect("request"),
        )
        .await
        .expect_err("unknown issuer");
    assert!(!format!("{err:?}").is_empty());
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "the untrusted request never arrives");
    assert!(requests[0].tls);
}

/// Retries once, moving the signer's clock two seconds first.
#[derive(Clone)]
struct RetryOnce {
    attempts: Arc<AtomicUsize>,
    clock: ManualClock,
}

impl<E> tower::retry::Policy<Request<Full<Bytes>>, Response<hyper::body::Incoming>, E>
    for RetryOnce
{
    type Future = std::future::Ready<()>;

    fn retry(
        &mut self,
        _req: &mut Request<Full<Bytes>>,
        _result: &mut Result<Response<hyper::body::Incoming>, E>,
    ) -> Option<Self::Future> {
        if self.attempts.fetch_add(1, Ordering::SeqCst) == 0 {
            self.clock.advance(Duration::from_secs(2));
            Some(std::future::ready(()))
        } else {
            None
        }
    }

    fn clone_request(&mut self, req: &Request<Full<Bytes>>) -> Option<Request<Full<Bytes>>> {
        let mut clone = Request::new(req.body().clone());
        *clone.method_mut() = req.method().clone();
        *clone.uri_mut() = req.uri().clone();
        *clone.headers_mut() = req.headers().clone();
        Some(clone)
    }
}

#[tokio::test]
async fn retry_outside_the_signer_sends_fresh_signing_headers_each_attempt() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    let server = CaptureServer::tls(Protocol::Auto, &pki)
        .await
        .expect("server");
    let clock = ManualClock::new(fixed_time());
    let signer = Signer::builder()
        .credentials(temporary_credentials())
        .time_source(clock.clone())
        .build()
        .expect("signer");
    // hyper-util's client, unwrapped from the ready signed client.
    let transport = client(signer.clone(), &pki).into_inner().into_inner();
    let service = ServiceBuilder::new()
        .retry(RetryOnce {
            attempts: Arc::new(AtomicUsize::new(0)),
            clock: clock.clone(),
        })
        .layer(SigV4Layer::new(signer))
        .service(transport);
    // The request arrives carrying an earlier attempt's signing headers.
    let request = Request::post(format!("{}/orders", server.origin(SERVICE_NAME)))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=STALE/20000101/us-west-2/vpc-lattice-svcs/aws4_request, SignedHeaders=host, Signature=00",
        )
        .header("x-amz-date", "20000101T000000Z")
        .header("x-amz-security-token", "STALE-TOKEN")
        .header("x-amz-content-sha256", "STALE")
        .body(Full::new(Bytes::from_static(b"payload")))
        .expect("request");
    let response: Result<_, BoxError> = service.oneshot(request).await;
    assert_eq!(response.expect("response").status(), 200);

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "two attempts reached the server");
    let dates = ["20240102T030405Z", "20240102T030407Z"];
    let times = [fixed_time(), fixed_time() + Duration::from_secs(2)];
    for (i, r) in requests.iter().enumerate() {
        for name in [
            "authorization",
            "x-amz-date",
            "x-amz-security-token",
            "x-amz-content-sha256",
        ] {
            let values = r.header_values(name);
            assert_eq!(values.len(), 1, "attempt {i}: one {name}: {values:?}");
            assert!(!values[0].contains("STALE"), "attempt {i}: {values:?}");
        }
        assert_eq!(r.header_values("x-amz-date"), [dates[i]]);
        assert_eq!(r.header_values("x-amz-security-token"), [SESSION_TOKEN]);
        let expected =
            expected_authorization(r, "https", &temporary_credentials(), REGION, times[i])
                .expect("re-sign");
        assert_eq!(r.header_values("authorization"), [expected]);
    }
    assert_ne!(
        requests[0].header_values("authorization"),
        requests[1].header_values("authorization"),
        "the second attempt is signed afresh"
    );
}

#[tokio::test]
async fn received_signature_matches_aws_sigv4_over_both_versions() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    for protocol in [Protocol::Http1, Protocol::Http2] {
        let server = CaptureServer::tls(protocol, &pki).await.expect("server");
        let client = client(signer(), &pki);
        let authority = format!("{SERVICE_NAME}:{}", server.port());
        let request = Request::delete(format!(
            "https://{authority}/a/b/../c/%20space/caf%C3%A9?z=1&a=%2F&a=0"
        ))
        .header("x-amz-meta-note", "  spaced   value  ")
        .header("accept", "application/json")
        .header("user-agent", "lattice-tests/1.0")
        .header("x-forwarded-for", "10.0.0.1")
        .body(Full::default())
        .expect("request");
        let response = client.request(request).await.expect("response");
        assert_eq!(response.status(), 200);
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{protocol:?}");
        let r = &requests[0];
        let signed = r.signed_headers();
        assert!(signed.iter().any(|s| s == "x-amz-meta-note"), "{signed:?}");
        assert!(signed.iter().any(|s| s == "accept"), "{signed:?}");
        assert!(!signed.iter().any(|s| s == "user-agent"), "{signed:?}");
        assert!(!signed.iter().any(|s| s == "x-forwarded-for"), "{signed:?}");
        assert_signed(r, &authority);
    }
}
