//! Requests signed by the reqwest and hyper adapters verify with the Lattice
//! verifier as they arrive on the wire, over HTTP/1.1 and HTTP/2 (TLS, ALPN),
//! with SigV4 and SigV4A; a tampered request is rejected with Lattice's line.

use std::time::Duration;

use aws_smithy_async::time::StaticTimeSource;
use bytes::Bytes;
use http_body_util::Full;
use lattice_client::Signer;
use lattice_client::reqwest::LatticeClient;
use lattice_client::sign::verify::{
    FixedClock, KeyCredentials, Profile, StaticCredentials, Verifier,
};
use lattice_client::tls::TlsOptions;
use lattice_tests::{
    ACCESS_KEY_ID, CaptureServer, CapturedRequest, Protocol, REGION, SECRET_ACCESS_KEY,
    SERVICE_NAME, SESSION_TOKEN, TestPki, fixed_time, loopback_resolver, temporary_credentials,
};
use lattice_tower::hyper::HyperClientBuilder;

const PRINCIPAL: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/e2e";

fn verifier() -> Verifier<StaticCredentials<String>> {
    let keys = StaticCredentials::new().with(
        ACCESS_KEY_ID,
        KeyCredentials::new(SECRET_ACCESS_KEY, PRINCIPAL.to_owned())
            .with_session_token(SESSION_TOKEN),
    );
    Verifier::builder(keys, Profile::lattice(REGION))
        .clock(FixedClock(fixed_time() + Duration::from_secs(30)))
        .build()
        .expect("verifier")
}

fn as_request(captured: &CapturedRequest) -> http::Request<()> {
    let mut request = http::Request::builder()
        .method(captured.method.clone())
        .uri(captured.uri.clone())
        .version(captured.version)
        .body(())
        .expect("request");
    *request.headers_mut() = captured.headers.clone();
    request
}

async fn send_both(server: &CaptureServer, pki: &TestPki, signer: &Signer) {
    let origin = server.origin(SERVICE_NAME);
    // One options value configures both clients.
    let tls = TlsOptions::new()
        .platform_roots(false)
        .add_root_certificate(pki.ca.clone());
    let reqwest = LatticeClient::builder(signer.clone())
        .resolver(loopback_resolver().expect("resolver"))
        .tls(tls.clone())
        .no_proxy()
        .build()
        .expect("reqwest client");
    let response = reqwest
        .post(format!("{origin}/orders/42?b=2&a=1&a=0"))
        .header("content-type", "application/json")
        .header("x-custom", "  spaced   value ")
        .body("{}")
        .send()
        .await
        .expect("reqwest call");
    assert_eq!(response.status(), 200);

    let hyper = HyperClientBuilder::new(signer.clone())
        .resolver(loopback_resolver().expect("resolver"))
        .tls(tls)
        .build::<Full<Bytes>>()
        .expect("hyper client");
    let request = http::Request::get(format!("{origin}/orders/with%20space/x"))
        .header("x-repeated", "one")
        .header("x-repeated", "two")
        .body(Full::new(Bytes::new()))
        .expect("request");
    let response = hyper.request(request).await.expect("hyper call");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn adapters_verify_over_h1_and_h2_with_sigv4_and_sigv4a() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    let verifier = verifier();
    for protocol in [Protocol::Http1, Protocol::Http2] {
        for sigv4a in [false, true] {
            let server = CaptureServer::tls(protocol, &pki).await.expect("server");
            let mut builder = Signer::builder()
                .credentials(temporary_credentials())
                .time_source(StaticTimeSource::new(fixed_time()));
            if sigv4a {
                builder = builder.sigv4a("us-*");
            }
            send_both(&server, &pki, &builder.build().expect("signer")).await;
            let requests = server.requests();
            assert_eq!(requests.len(), 2);
            for captured in &requests {
                let expected_version = match protocol {
                    Protocol::Http2 => http::Version::HTTP_2,
                    _ => http::Version::HTTP_11,
                };
                assert_eq!(captured.version, expected_version);
                let request = as_request(captured);
                let verified = verifier.verify(&request).unwrap_or_else(|e| {
                    panic!("{protocol:?} sigv4a={sigv4a} {}: {e}", captured.uri)
                });
                assert_eq!(verified.principal, PRINCIPAL);
                assert_eq!(verified.access_key_id, ACCESS_KEY_ID);

                // Any change to a signed part is caught with Lattice's line.
                let mut tampered = request;
                tampered.headers_mut().insert(
                    "x-amz-date",
                    http::HeaderValue::from_static("20240102T030406Z"),
                );
                let err = verifier.verify(&tampered).expect_err("tampered");
                assert!(
                    err.to_string().starts_with("InvalidSignatureException: "),
                    "{err}"
                );
            }
        }
    }
}

#[tokio::test]
async fn sigv4a_signature_verifies_with_the_public_key_derived_from_the_credentials() {
    let signer = Signer::builder()
        .credentials(temporary_credentials())
        .time_source(StaticTimeSource::new(fixed_time()))
        .sigv4a("*")
        .build()
        .expect("signer");
    let mut request = http::Request::get(format!("https://{SERVICE_NAME}/x"))
        .body(())
        .expect("request");
    signer.sign(&mut request).await.expect("signed");
    let key = lattice_client::sign::verify::sigv4a_public_key(ACCESS_KEY_ID, SECRET_ACCESS_KEY);
    assert!(key.is_some(), "a P-256 key derives from the credentials");
    let verified = verifier().verify(&request).expect("SigV4A verifies");
    assert_eq!(verified.principal, PRINCIPAL);
    // A verifier for a region outside the set's coverage rejects it.
    let keys = StaticCredentials::new().with(
        ACCESS_KEY_ID,
        KeyCredentials::new(SECRET_ACCESS_KEY, PRINCIPAL.to_owned())
            .with_session_token(SESSION_TOKEN),
    );
    let narrow = Signer::builder()
        .credentials(temporary_credentials())
        .time_source(StaticTimeSource::new(fixed_time()))
        .sigv4a("eu-*")
        .build()
        .expect("signer");
    let mut request = http::Request::get(format!("https://{SERVICE_NAME}/x"))
        .body(())
        .expect("request");
    narrow.sign(&mut request).await.expect("signed");
    let verifier = Verifier::builder(keys, Profile::lattice(REGION))
        .clock(FixedClock(fixed_time()))
        .build()
        .expect("verifier");
    assert!(verifier.verify(&request).is_err());
}
