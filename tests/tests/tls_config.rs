//! A caller-supplied rustls `ClientConfig` or `CryptoProvider` is really
//! what the reqwest, hyper and tonic clients use: a configuration that
//! trusts only the fake's CA reaches it although the options around it
//! trust nothing else, one that trusts nothing fails although the options
//! around it hold the fake's CA, and a provider without cipher suites is a
//! typed configuration error.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Empty;
use lattice_client::reqwest::LatticeClient;
use lattice_client::tls::TlsOptions;
use lattice_client::{Credentials, Signer};
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_examples::grpc_echo::echo_server::EchoServer;
use lattice_examples::grpc_echo::{EchoRequest, EchoService};
use lattice_fake::{
    FakeHandle, FakeLattice, Listener, Principal, ProtocolVersion, Service, Target, TargetGroup,
};
use lattice_tonic::LatticeEndpoint;
use lattice_tower::hyper::HyperClientBuilder;
use rustls::{ClientConfig, RootCertStore};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ALLOW_ALL: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

async fn fake() -> FakeHandle {
    FakeLattice::builder()
        .service(
            Service::new("orders")
                .aws_iam(ALLOW_ALL)
                .listener(Listener::https(443).forward_to("orders-tg")),
        )
        .service(
            Service::new("echo")
                .aws_iam(ALLOW_ALL)
                .listener(Listener::https(443).forward_to("grpc")),
        )
        .target_group(TargetGroup::request_echo("orders-tg"))
        .target_group(
            TargetGroup::new("grpc", Target::service(EchoServer::new(EchoService::new())))
                .protocol_version(ProtocolVersion::Grpc),
        )
        .principal(Principal::new(
            AKID,
            SECRET,
            "arn:aws:sts::111122223333:assumed-role/tls/session",
        ))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start")
}

fn signer() -> Signer {
    Signer::builder()
        .credentials(Credentials::new(AKID, SECRET, None, None, "example"))
        .build()
        .expect("signer")
}

fn config(roots: RootCertStore) -> ClientConfig {
    ClientConfig::builder_with_provider(lattice_client::tls::provider())
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

/// The supplied configuration trusts the fake's CA; the options around it
/// trust nothing.
fn trusting_the_fake(fake: &FakeHandle) -> TlsOptions {
    TlsOptions::new()
        .platform_roots(false)
        .with_client_config(config(fake.root_store()))
}

/// The supplied configuration trusts nothing; the options around it hold
/// the fake's CA.
fn trusting_nothing(fake: &FakeHandle) -> TlsOptions {
    TlsOptions::new()
        .platform_roots(false)
        .add_pem(fake.ca_pem().expect("ca").as_bytes())
        .expect("pem")
        .with_client_config(config(RootCertStore::empty()))
}

#[tokio::test]
async fn reqwest_uses_the_supplied_client_config() {
    let fake = fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let client = |tls: TlsOptions| {
        LatticeClient::builder(signer())
            .resolver(fake.resolver().expect("resolver"))
            .no_proxy()
            .tls(tls)
            .build()
            .expect("client")
    };
    let ok = client(trusting_the_fake(&fake))
        .get(&url)
        .send()
        .await
        .expect("trusted through the supplied config");
    assert_eq!(ok.status(), 200);
    let err = client(trusting_nothing(&fake))
        .get(&url)
        .send()
        .await
        .expect_err("the supplied config trusts nothing");
    assert!(
        matches!(err, lattice_client::reqwest::Error::Reqwest(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn hyper_uses_the_supplied_client_config() {
    let fake = fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let client = |tls: TlsOptions| {
        HyperClientBuilder::new(signer())
            .resolver(fake.resolver().expect("resolver"))
            .tls(tls)
            .build::<Empty<Bytes>>()
            .expect("client")
    };
    let get = || {
        http::Request::get(&url)
            .body(Empty::new())
            .expect("request")
    };
    let ok = client(trusting_the_fake(&fake))
        .request(get())
        .await
        .expect("trusted through the supplied config");
    assert_eq!(ok.status(), 200);
    let err = client(trusting_nothing(&fake))
        .request(get())
        .await
        .expect_err("the supplied config trusts nothing");
    assert!(
        matches!(err, lattice_tower::HyperError::Tls { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn tonic_uses_the_supplied_client_config() {
    let fake = fake().await;
    let url = fake.url("echo").expect("url").to_owned();
    let endpoint = |tls: TlsOptions| {
        LatticeEndpoint::new(&url)
            .expect("endpoint")
            .signer(signer())
            .resolver(fake.resolver().expect("resolver"))
            .tls(tls)
    };
    let channel = endpoint(trusting_the_fake(&fake))
        .connect()
        .await
        .expect("trusted through the supplied config");
    let reply = EchoClient::new(channel)
        .unary(EchoRequest {
            message: "hi".into(),
            ..Default::default()
        })
        .await
        .expect("rpc");
    assert_eq!(reply.into_inner().message, "hi");
    let err = endpoint(trusting_nothing(&fake))
        .connect()
        .await
        .expect_err("the supplied config trusts nothing");
    assert!(
        matches!(err, lattice_tonic::Error::Channel { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_supplied_crypto_provider_is_the_one_used() {
    let fake = fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let with_fake_ca = || {
        TlsOptions::new()
            .platform_roots(false)
            .add_pem(fake.ca_pem().expect("ca").as_bytes())
            .expect("pem")
    };
    // A provider with no cipher suite cannot make a configuration: every
    // builder reports it as a TLS configuration error.
    let mut empty = rustls::crypto::aws_lc_rs::default_provider();
    empty.cipher_suites.clear();
    let empty = Arc::new(empty);
    let err = LatticeClient::builder(signer())
        .tls(with_fake_ca().crypto_provider(empty.clone()))
        .build()
        .expect_err("no cipher suite");
    assert!(
        matches!(
            err,
            lattice_client::reqwest::Error::Lattice(lattice_client::Error::Tls(_))
        ),
        "{err:?}"
    );
    let err = HyperClientBuilder::new(signer())
        .tls(with_fake_ca().crypto_provider(empty.clone()))
        .build::<Empty<Bytes>>()
        .expect_err("no cipher suite");
    assert!(err.to_string().contains("crypto provider"), "{err}");
    let err = LatticeEndpoint::new(fake.url("echo").expect("url"))
        .expect("endpoint")
        .signer(signer())
        .tls(with_fake_ca().crypto_provider(empty))
        .connect_lazy()
        .expect_err("no cipher suite");
    assert!(matches!(err, lattice_tonic::Error::Tls(_)), "{err:?}");

    // A provider restricted to one TLS 1.3 suite works end to end.
    let mut one = rustls::crypto::aws_lc_rs::default_provider();
    one.cipher_suites
        .retain(|s| s.suite() == rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    assert_eq!(one.cipher_suites.len(), 1);
    let client = LatticeClient::builder(signer())
        .resolver(fake.resolver().expect("resolver"))
        .no_proxy()
        .tls(with_fake_ca().crypto_provider(Arc::new(one)))
        .build()
        .expect("client");
    let ok = client.get(&url).send().await.expect("one suite is enough");
    assert_eq!(ok.status(), 200);
}
