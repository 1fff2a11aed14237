//! Secrets never appear in logs, `Debug` or `Display`: every `tracing` event
//! at TRACE level (ours, aws-sigv4's canonical requests, hyper's) and every
//! formatted signer, cache, header map and error is searched for the secret
//! access key and the session token.

use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use lattice_client::Signer;
use lattice_tests::{
    CaptureServer, Protocol, SECRET_ACCESS_KEY, SERVICE_NAME, SESSION_TOKEN, TestPki,
    loopback_resolver, temporary_credentials,
};
use lattice_tower::SigV4Layer;
use lattice_tower::hyper::HyperClientBuilder;
use tower::{ServiceBuilder, ServiceExt, service_fn};

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

/// A provider that fails with a message naming no secret.
#[derive(Debug)]
struct Failing;

impl ProvideCredentials for Failing {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
            "the test provider is down",
        )))
    }
}

fn keep(formatted: &mut Vec<(String, String)>, what: &str, text: String) {
    formatted.push((what.to_owned(), text));
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET_ACCESS_KEY),
        "{what} shows the secret access key:\n{text}"
    );
    assert!(
        !text.contains(SESSION_TOKEN),
        "{what} shows the session token:\n{text}"
    );
}

// current_thread: `set_default` is per thread, and every task (hyper's
// connection tasks included) then runs on this thread.
#[tokio::test(flavor = "current_thread")]
async fn secrets_never_reach_logs_debug_display_or_errors() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut formatted: Vec<(String, String)> = Vec::new();

    let signer = Signer::builder()
        .credentials(temporary_credentials())
        .build()
        .expect("signer");
    keep(
        &mut formatted,
        "Credentials {:?}",
        format!("{:?}", temporary_credentials()),
    );
    keep(
        &mut formatted,
        "SignerBuilder {:?}",
        format!(
            "{:?}",
            Signer::builder().credentials(temporary_credentials())
        ),
    );

    // 1. Through the hyper client, over HTTP/2 and HTTP/1.1 with TLS.
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    for protocol in [Protocol::Http2, Protocol::Http1] {
        let server = CaptureServer::tls(protocol, &pki).await.expect("server");
        let client = HyperClientBuilder::new(signer.clone())
            .resolver(loopback_resolver().expect("resolver"))
            .platform_roots(false)
            .add_root_certificate(pki.ca.clone())
            .build::<Full<Bytes>>()
            .expect("client");
        let response = client
            .request(
                Request::post(format!("{}/orders", server.origin(SERVICE_NAME)))
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from_static(b"{}")))
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(response.status(), 200);
        keep(
            &mut formatted,
            "hyper Response {:?}",
            format!("{response:?}"),
        );
        keep(
            &mut formatted,
            "SignedHyperClient {:?}",
            format!("{client:?}"),
        );
        // The token does travel, by design, in `x-amz-security-token`.
        let received = server.requests();
        assert_eq!(
            received[0].header_values("x-amz-security-token"),
            [SESSION_TOKEN],
            "{protocol:?}"
        );
    }

    // 2. Through the layer: format the signed request as the transport sees it.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let transport = service_fn(move |req: Request<()>| {
        let sink = sink.clone();
        async move {
            sink.lock().expect("lock").push((
                format!("{:?}", req.headers()),
                format!("{req:?}"),
                req.headers()
                    .get("x-amz-security-token")
                    .map(|v| v.is_sensitive()),
                req.headers().get("authorization").map(|v| v.is_sensitive()),
            ));
            Ok::<_, Infallible>(Response::new(()))
        }
    });
    let layer = SigV4Layer::new(signer.clone());
    keep(&mut formatted, "SigV4Layer {:?}", format!("{layer:?}"));
    let service = ServiceBuilder::new().layer(layer).service(transport);
    keep(&mut formatted, "SigV4Service {:?}", format!("{service:?}"));
    service
        .clone()
        .oneshot(
            Request::get(format!("https://{SERVICE_NAME}/orders"))
                .body(())
                .expect("request"),
        )
        .await
        .expect("signed");
    for (headers, request, token_sensitive, auth_sensitive) in seen.lock().expect("lock").iter() {
        assert_eq!(
            *token_sensitive,
            Some(true),
            "x-amz-security-token is sensitive"
        );
        assert_eq!(*auth_sensitive, Some(true), "authorization is sensitive");
        formatted.push(("signed HeaderMap {:?}".into(), headers.clone()));
        formatted.push(("signed Request {:?}".into(), request.clone()));
    }

    // 3. Directly, and the errors on the way.
    let mut request = Request::get(format!("https://{SERVICE_NAME}/x"))
        .body(())
        .expect("request");
    let report = signer.sign(&mut request).await.expect("signed");
    formatted.push(("SigningReport {:?}".into(), format!("{report:?}")));
    formatted.push(("signed Request {:?}".into(), format!("{request:?}")));
    formatted.push(("Signer {:?}".into(), format!("{signer:?}")));
    formatted.push((
        "CredentialsCache {:?}".into(),
        format!("{:?}", signer.credentials()),
    ));

    let refused = service
        .clone()
        .oneshot(
            Request::get("https://example.com/")
                .body(())
                .expect("request"),
        )
        .await
        .expect_err("host not allowed");
    formatted.push(("layer error {}".into(), refused.to_string()));
    formatted.push(("layer error {:?}".into(), format!("{refused:?}")));

    let failing = Signer::builder()
        .credentials_provider(Failing)
        .build()
        .expect("signer");
    let err = failing
        .sign(
            &mut Request::get(format!("https://{SERVICE_NAME}/"))
                .body(())
                .expect("request"),
        )
        .await
        .expect_err("provider fails");
    formatted.push(("credentials error {}".into(), err.to_string()));
    formatted.push(("credentials error {:?}".into(), format!("{err:?}")));

    let mut mismatched = Request::get(format!("https://{SERVICE_NAME}/"))
        .header("host", "elsewhere.example")
        .body(())
        .expect("request");
    let err = signer
        .sign_with(&mut mismatched, &temporary_credentials())
        .expect_err("host mismatch");
    formatted.push(("host mismatch error {}".into(), err.to_string()));
    formatted.push(("host mismatch error {:?}".into(), format!("{err:?}")));

    let mut bad_value = Request::get(format!("https://{SERVICE_NAME}/"))
        .header(
            "x-secret-bytes",
            http::HeaderValue::from_bytes(&[0xff, b'a']).expect("obs-text"),
        )
        .body(())
        .expect("request");
    let err = signer
        .sign_with(&mut bad_value, &temporary_credentials())
        .expect_err("invalid header value");
    formatted.push(("header error {}".into(), err.to_string()));
    formatted.push(("header error {:?}".into(), format!("{err:?}")));

    for (what, text) in &formatted {
        assert!(!text.is_empty(), "{what} printed nothing");
        assert_clean(what, text);
    }

    let log = logs.text();
    // The capture really saw trace-level signing output, so a clean log is
    // not an empty one.
    assert!(log.contains("signed request for VPC Lattice"), "{log}");
    assert!(
        log.contains("canonical_request"),
        "aws-sigv4 trace output:\n{log}"
    );
    assert!(
        log.contains("x-amz-security-token:** redacted"),
        "aws-sigv4 redacts the token in its canonical request:\n{log}"
    );
    assert!(log.contains("refreshing AWS credentials"), "{log}");
    assert_clean("tracing output at TRACE", &log);
}
