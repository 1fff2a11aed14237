//! The reqwest pool test (and the same for hyper): a fake Lattice whose
//! idle timeout is far shorter than the clients' pool idle timeout closes
//! every pooled connection between requests spaced beyond it, and every
//! request still succeeds, over HTTP/1.1 (`http://`) and HTTP/2
//! (`https://`, ALPN). The fake counts the connections, so the test knows
//! the closes happened.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use lattice_client::reqwest::{DEFAULT_POOL_IDLE_TIMEOUT, LatticeClient};
use lattice_client::tls::TlsOptions;
use lattice_client::{Credentials, Signer};
use lattice_fake::{FakeHandle, FakeLattice, Listener, Principal, Service, TargetGroup};
use lattice_tower::hyper::HyperClientBuilder;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ALLOW_ALL: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

/// The fake's idle timeout; requests are spaced by [`SPACING`], beyond it.
const FAKE_IDLE: Duration = Duration::from_millis(300);
const SPACING: Duration = Duration::from_millis(700);
const REQUESTS: u64 = 4;

async fn fake() -> FakeHandle {
    assert!(FAKE_IDLE < DEFAULT_POOL_IDLE_TIMEOUT);
    FakeLattice::builder()
        .service(
            Service::new("orders")
                .aws_iam(ALLOW_ALL)
                .listener(Listener::http(80).forward_to("orders-tg"))
                .listener(Listener::https(443).forward_to("orders-tg")),
        )
        .target_group(TargetGroup::request_echo("orders-tg"))
        .principal(Principal::new(
            AKID,
            SECRET,
            "arn:aws:sts::111122223333:assumed-role/pool/session",
        ))
        .idle_timeout(FAKE_IDLE)
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

fn tls(fake: &FakeHandle) -> TlsOptions {
    TlsOptions::new()
        .platform_roots(false)
        .add_pem(fake.ca_pem().expect("ca").as_bytes())
        .expect("pem")
}

fn urls(fake: &FakeHandle) -> [String; 2] {
    let name = &fake.listeners()[0].dns_name;
    let port = |p| fake.listener("orders", p).expect("listener").address.port();
    [
        format!("http://{name}:{}/orders", port(80)),
        format!("https://{name}:{}/orders", port(443)),
    ]
}

/// Every request went out on a new connection: the fake closed each one.
fn assert_each_on_a_new_connection(fake: &FakeHandle, base: u64) {
    let metrics = fake.metrics();
    let orders = &metrics.services["orders"];
    assert_eq!(orders.total_request_count, base + REQUESTS);
    assert_eq!(orders.new_connection_count, base + REQUESTS);
}

#[tokio::test]
async fn reqwest_requests_spaced_beyond_the_fakes_idle_timeout_all_succeed() {
    let fake = fake().await;
    let client = LatticeClient::builder(signer())
        .resolver(fake.resolver().expect("resolver"))
        .tls(tls(&fake))
        .no_proxy()
        .build()
        .expect("client");
    for (i, url) in urls(&fake).into_iter().enumerate() {
        for _ in 0..REQUESTS {
            let response = client.get(&url).send().await.expect(&url);
            assert_eq!(response.status(), 200, "{url}");
            response.bytes().await.expect("body");
            tokio::time::sleep(SPACING).await;
        }
        assert_each_on_a_new_connection(&fake, i as u64 * REQUESTS);
    }
}

#[tokio::test]
async fn hyper_requests_spaced_beyond_the_fakes_idle_timeout_all_succeed() {
    let fake = fake().await;
    let client = HyperClientBuilder::new(signer())
        .resolver(fake.resolver().expect("resolver"))
        .tls(tls(&fake))
        .build::<Empty<Bytes>>()
        .expect("client");
    for (i, url) in urls(&fake).into_iter().enumerate() {
        for _ in 0..REQUESTS {
            let request = http::Request::get(&url)
                .body(Empty::new())
                .expect("request");
            let response = client.request(request).await.expect(&url);
            assert_eq!(response.status(), 200, "{url}");
            response.into_body().collect().await.expect("body");
            tokio::time::sleep(SPACING).await;
        }
        assert_each_on_a_new_connection(&fake, i as u64 * REQUESTS);
    }
}
