//! Clients configured by `LATTICE_RESOLVE` and `AWS_CA_BUNDLE` alone (the
//! `with_env` opt-in) reach the fake Lattice over HTTPS: reqwest, hyper and
//! tonic, a generated name and a `*.localhost` name. The variables come
//! through `with_env_from`, never the test process's environment.

use std::path::PathBuf;

use bytes::Bytes;
use http_body_util::Empty;
use lattice_client::reqwest::LatticeClient;
use lattice_client::resolve::Resolver;
use lattice_client::{Credentials, Signer};
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_examples::grpc_echo::echo_server::EchoServer;
use lattice_examples::grpc_echo::{EchoRequest, EchoService};
use lattice_fake::{
    FakeHandle, FakeLattice, Listener, Principal, ProtocolVersion, Service, Target, TargetGroup,
};
use lattice_tonic::LatticeEndpoint;
use lattice_tower::hyper::HyperClientBuilder;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const PRINCIPAL: &str = "arn:aws:sts::111122223333:assumed-role/env-client/session";
const ALLOW_ALL: &str = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

struct Setup {
    fake: FakeHandle,
    vars: Vec<(String, String)>,
    dir: PathBuf,
}

impl Setup {
    async fn start(name: &str) -> Setup {
        let fake = FakeLattice::builder()
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
            .principal(Principal::new(AKID, SECRET, PRINCIPAL))
            .build()
            .expect("model")
            .start()
            .await
            .expect("start");
        let dir = std::env::temp_dir().join(format!("lattice-env-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, fake.ca_pem().expect("ca")).expect("write the CA");
        fake.set_ca_bundle_path(ca.to_str().expect("utf-8"));
        let env = fake.env();
        let vars = vec![
            ("LATTICE_RESOLVE".to_owned(), env.lattice_resolve.clone()),
            (
                "AWS_CA_BUNDLE".to_owned(),
                env.aws_ca_bundle.clone().expect("CA bundle path"),
            ),
        ];
        Setup { fake, vars, dir }
    }

    fn lookup(&self) -> impl Fn(&str) -> Option<String> + use<> {
        let vars = self.vars.clone();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn url(&self, service: &str) -> String {
        self.fake.url(service).expect("url").to_owned()
    }

    /// `https://<service>.localhost:<port>` on the service's HTTPS listener.
    fn localhost_url(&self, service: &str) -> String {
        let port = self
            .fake
            .listener(service, 443)
            .expect("listener")
            .address
            .port();
        format!("https://{service}.localhost:{port}")
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn signer() -> Signer {
    Signer::builder()
        .credentials(Credentials::new(AKID, SECRET, None, None, "example"))
        .region("us-west-2")
        .build()
        .expect("signer")
}

/// No system DNS: only the environment's overrides (and `*.localhost`)
/// resolve.
fn offline() -> Resolver {
    Resolver::new().without_system_fallback()
}

#[tokio::test]
async fn reqwest_client_from_the_environment_alone() {
    let setup = Setup::start("reqwest").await;
    let client = LatticeClient::builder(signer())
        .resolver(offline())
        .no_proxy()
        .with_env_from(setup.lookup())
        .expect("valid environment")
        .build()
        .expect("client");
    for url in [setup.url("orders"), setup.localhost_url("orders")] {
        let response = client
            .get(format!("{url}/orders"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(response.status(), 200, "{url}");
    }

    // Without the opt-in: the name does not resolve, and `*.localhost` is
    // not signed.
    let plain = LatticeClient::builder(signer())
        .resolver(offline())
        .no_proxy()
        .build()
        .expect("client");
    assert!(plain.get(setup.url("orders")).send().await.is_err());
    let err = plain
        .get(setup.localhost_url("orders"))
        .send()
        .await
        .expect_err("not opted in");
    assert!(
        matches!(
            err,
            lattice_client::reqwest::Error::Lattice(
                lattice_client::Error::LocalhostNotAllowed { .. }
            )
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn hyper_client_from_the_environment_alone() {
    let setup = Setup::start("hyper").await;
    let client = HyperClientBuilder::new(signer())
        .resolver(offline())
        .with_env_from(setup.lookup())
        .expect("valid environment")
        .build::<Empty<Bytes>>()
        .expect("client");
    for url in [setup.url("orders"), setup.localhost_url("orders")] {
        let request = http::Request::get(format!("{url}/orders"))
            .body(Empty::new())
            .expect("request");
        let response = client
            .request(request)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(response.status(), 200, "{url}");
    }
    // The CA bundle replaces the platform's roots: without it nothing is
    // trusted, and the handshake fails.
    let vars = setup.vars.clone();
    let no_ca = HyperClientBuilder::new(signer())
        .resolver(offline())
        .platform_roots(false)
        .with_env_from(move |name| {
            (name == "LATTICE_RESOLVE")
                .then(|| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
                .flatten()
        })
        .expect("valid environment")
        .build::<Empty<Bytes>>()
        .expect("client");
    let request = http::Request::get(setup.url("orders"))
        .body(Empty::new())
        .expect("request");
    let err = no_ca.request(request).await.expect_err("untrusted");
    assert!(
        matches!(err, lattice_tower::HyperError::Tls { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn tonic_channel_from_the_environment_alone() {
    let setup = Setup::start("tonic").await;
    for url in [setup.url("echo"), setup.localhost_url("echo")] {
        let channel = LatticeEndpoint::new(&url)
            .expect("endpoint")
            .signer(signer())
            .resolver(offline())
            .with_env_from(setup.lookup())
            .expect("valid environment")
            .connect()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        let reply = EchoClient::new(channel)
            .unary(EchoRequest {
                message: "hello".into(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(reply.into_inner().message, "hello");
    }
    // A bad entry is a typed error naming it.
    let err = LatticeEndpoint::new(setup.url("echo"))
        .expect("endpoint")
        .with_env_from(|name| (name == "LATTICE_RESOLVE").then(|| "echo:443".to_owned()))
        .expect_err("bad entry");
    assert!(matches!(err, lattice_tonic::Error::Env(_)), "{err:?}");
    assert!(err.to_string().contains("`echo:443`"), "{err}");
}
