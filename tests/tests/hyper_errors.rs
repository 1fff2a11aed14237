//! The signed hyper client's errors are typed: signing, connect, TLS and
//! HTTP failures are told apart without downcasting, and each cause prints
//! once.

use std::error::Error as _;

use aws_smithy_async::time::StaticTimeSource;
use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use lattice_client::Signer;
use lattice_tests::{
    CaptureServer, Protocol, SERVICE_NAME, TestPki, fixed_time, loopback_resolver,
    temporary_credentials,
};
use lattice_tower::HyperError;
use lattice_tower::hyper::{HyperClientBuilder, SignedHyperClient};

fn client(trust: Option<&TestPki>) -> SignedHyperClient<Full<Bytes>> {
    let signer = Signer::builder()
        .credentials(temporary_credentials())
        .time_source(StaticTimeSource::new(fixed_time()))
        .build()
        .expect("signer");
    let mut builder = HyperClientBuilder::new(signer)
        .resolver(loopback_resolver().expect("resolver"))
        .platform_roots(false);
    if let Some(pki) = trust {
        builder = builder.add_root_certificate(pki.ca.clone());
    }
    builder.build().expect("client")
}

fn get(url: String) -> Request<Full<Bytes>> {
    Request::get(url).body(Full::default()).expect("request")
}

/// The error and its causes, one per line.
fn chain(err: &HyperError) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut cause = err.source();
    while let Some(e) = cause {
        out.push(e.to_string());
        cause = e.source();
    }
    out
}

fn assert_each_cause_once(err: &HyperError) {
    let lines = chain(err);
    for (i, line) in lines.iter().enumerate() {
        for later in &lines[i + 1..] {
            assert!(
                later.is_empty() || !line.contains(later.as_str()),
                "`{line}` repeats its cause `{later}`: {lines:?}"
            );
        }
    }
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let pki = TestPki::generate(&[SERVICE_NAME]).expect("pki");
    let server = CaptureServer::tls(Protocol::Http1, &pki)
        .await
        .expect("server");
    let err = client(None)
        .request(get(format!("{}/", server.origin(SERVICE_NAME))))
        .await
        .expect_err("unknown issuer");
    assert!(
        matches!(&err, HyperError::Tls { authority, .. } if authority.starts_with(SERVICE_NAME)),
        "{err:?}"
    );
    assert_each_cause_once(&err);
    // Trusted, the same request passes.
    let ok = client(Some(&pki))
        .request(get(format!("{}/", server.origin(SERVICE_NAME))))
        .await
        .expect("response");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    // A port that was just free: nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let err = client(None)
        .request(get(format!("http://{SERVICE_NAME}:{port}/")))
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, HyperError::Connect { authority, .. } if *authority == format!("{SERVICE_NAME}:{port}")),
        "{err:?}"
    );
    assert!(chain(&err).len() >= 2, "{:?}", chain(&err));
    assert_each_cause_once(&err);
}

#[tokio::test]
async fn a_closed_exchange_is_an_http_error() {
    // Accepts, reads the request, closes without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            drop(stream);
        }
    });
    let err = client(None)
        .request(get(format!("http://{SERVICE_NAME}:{port}/")))
        .await
        .expect_err("closed");
    assert!(matches!(&err, HyperError::Http { .. }), "{err:?}");
    assert_each_cause_once(&err);
}

#[tokio::test]
async fn a_refused_host_is_a_signing_error() {
    let err = client(None)
        .request(get("https://example.com/".to_owned()))
        .await
        .expect_err("not a Lattice name");
    assert!(
        matches!(
            &err,
            HyperError::Sign(lattice_client::Error::HostNotAllowed { .. })
        ),
        "{err:?}"
    );
}
