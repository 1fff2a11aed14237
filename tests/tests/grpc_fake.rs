//! A long-lived `lattice-tonic` channel against the fake Lattice: it keeps
//! working across the fake's connection-lifetime limit (GOAWAY, reconnect)
//! and across credential refreshes, every RPC verified by the fake.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, future};
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_examples::grpc_echo::echo_server::EchoServer;
use lattice_examples::grpc_echo::{EchoRequest, EchoService};
use lattice_fake::{
    FakeLattice, Listener, Principal, ProtocolVersion, Service, Target, TargetGroup,
};
use lattice_tonic::{CallerIdentityLayer, LatticeEndpoint};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const PRINCIPAL: &str = "arn:aws:sts::111122223333:assumed-role/grpc-client/session";

/// Hands out the example keys, valid for `lifetime`, and counts its calls.
#[derive(Debug, Clone)]
struct ShortLived {
    calls: Arc<AtomicUsize>,
    lifetime: Duration,
}

impl ProvideCredentials for ShortLived {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.calls.fetch_add(1, Ordering::SeqCst);
        future::ProvideCredentials::ready(Ok(Credentials::new(
            AKID,
            SECRET,
            None,
            Some(SystemTime::now() + self.lifetime),
            "short-lived",
        )))
    }
}

#[tokio::test]
async fn a_channel_survives_connection_lifetime_and_credential_refresh() {
    let server = tower::ServiceBuilder::new()
        .layer(CallerIdentityLayer::new())
        .service(EchoServer::new(EchoService::new()));
    let fake = FakeLattice::builder()
        .service(
            Service::new("echo")
                .aws_iam(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#)
                .listener(Listener::https(443).forward_to("grpc")),
        )
        .target_group(
            TargetGroup::new("grpc", Target::service(server)).protocol_version(ProtocolVersion::Grpc),
        )
        .principal(Principal::new(AKID, SECRET, PRINCIPAL))
        .connection_lifetime(Duration::from_millis(200))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = ShortLived {
        calls: calls.clone(),
        // Over the cache's 1 s minimum remaining lifetime (spent credentials
        // are never handed out), short enough to refresh during the test.
        lifetime: Duration::from_millis(2400),
    };
    let channel = LatticeEndpoint::new(fake.url("echo").expect("url"))
        .expect("endpoint")
        .credentials_provider(provider)
        .region("us-west-2")
        .resolver(fake.resolver().expect("resolver"))
        .platform_roots(false)
        .add_root_pem(fake.ca_pem().expect("ca"))
        .expect("pem")
        .connect()
        .await
        .expect("channel");
    let mut client = EchoClient::new(channel);
    for i in 0..30 {
        let reply = client
            .unary(EchoRequest {
                message: format!("m{i}"),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("RPC {i}: {:?}: {}", s.code(), s.message()))
            .into_inner();
        assert_eq!(reply.message, format!("m{i}"));
        assert_eq!(reply.caller, PRINCIPAL);
        tokio::time::sleep(Duration::from_millis(70)).await;
    }
    let metrics = fake.metrics();
    let svc = &metrics.services["echo"];
    assert_eq!(svc.http_code_target_2xx, 30, "{svc:?}");
    assert!(
        svc.new_connection_count >= 3,
        "connections were not recycled: {svc:?}"
    );
    assert!(
        calls.load(Ordering::SeqCst) >= 2,
        "credentials were not refreshed"
    );
    let records = fake.access_log().records();
    assert!(records.iter().all(|r| r.grpc_response_code == Some(0)));
}
