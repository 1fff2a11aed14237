//! gRPC across Lattice: a tonic client calls a gRPC service behind the fake
//! Lattice through a SigV4-signed channel.
//!
//! The fake serves the service `echo` on an HTTPS listener (ALPN `h2`) with
//! a `GRPC` target group backed by an in-process tonic server. Its auth
//! policy allows every method of `lattice.echo.Echo` except `Admin`. The
//! client makes one RPC of each kind and one call of `Admin`, prints one line
//! per RPC, then the access-log records as JSON lines (facts §5.1 names).
//! It exits 0 when every result is the expected one, the denial included.
//!
//! ```text
//! cargo run --example grpc
//! ```

use anyhow::Context;
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_examples::grpc_echo::echo_server::EchoServer;
use lattice_examples::grpc_echo::{EchoRequest, EchoResponse, EchoService};
use lattice_fake::{
    FakeLattice, Listener, Principal, ProtocolVersion, Service, Target, TargetGroup,
};
use lattice_tonic::{CallerIdentityLayer, LatticeEndpoint};
use tonic::codegen::tokio_stream::{self, StreamExt};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const PRINCIPAL: &str = "arn:aws:sts::111122223333:assumed-role/grpc-client/session";

/// Every signed caller of the account may call the echo service, but nobody
/// may call `Admin`. The resource is `<serviceArn>/<package.Service>/<Method>`.
const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "111122223333"},
     "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*",
     "Action": "vpc-lattice-svcs:Invoke", "Resource": "*/lattice.echo.Echo/Admin"}
  ]
}"#;

fn request(message: &str) -> EchoRequest {
    EchoRequest {
        message: message.to_owned(),
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let ok = run().await?;
    std::process::exit(if ok { 0 } else { 1 });
}

async fn run() -> anyhow::Result<bool> {
    // The gRPC target: tonic's generated server, with the caller-identity
    // layer so that each answer names its caller.
    let server = tower::ServiceBuilder::new()
        .layer(CallerIdentityLayer::new())
        .service(EchoServer::new(EchoService::new()));
    let fake = FakeLattice::builder()
        .service(
            Service::new("echo")
                .aws_iam(POLICY)
                .listener(Listener::https(443).forward_to("echo-grpc")),
        )
        .target_group(
            TargetGroup::new("echo-grpc", Target::service(server))
                .protocol_version(ProtocolVersion::Grpc),
        )
        .principal(Principal::new(
            ACCESS_KEY,
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            PRINCIPAL,
        ))
        .build()?
        .start()
        .await?;
    let url = fake.url("echo").context("echo has a listener")?.to_owned();

    let channel = LatticeEndpoint::new(&url)?
        .signer(fake.signer(ACCESS_KEY)?)
        .resolver(fake.resolver()?)
        .platform_roots(false)
        .add_root_pem(fake.ca_pem().context("HTTPS listener")?)?
        .connect()
        .await?;
    let mut client = EchoClient::new(channel.clone());
    let mut ok = true;
    let mut check = |line: String, good: bool| {
        println!("{line}");
        ok &= good;
    };

    // Unary.
    match client.unary(request("hello")).await {
        Ok(r) => {
            let r = r.into_inner();
            check(
                format!("unary: ok message={:?} caller={}", r.message, r.caller),
                r.message == "hello" && r.caller == PRINCIPAL,
            );
        }
        Err(s) => check(
            format!("unary: error {:?}: {}", s.code(), s.message()),
            false,
        ),
    }

    // Server streaming.
    let mut req = request("tick");
    req.repeat = 3;
    match client.server_stream(req).await {
        Ok(r) => {
            let mut stream = r.into_inner();
            let mut got: Vec<EchoResponse> = Vec::new();
            while let Some(item) = stream.next().await {
                match item {
                    Ok(item) => got.push(item),
                    Err(s) => {
                        check(
                            format!("server-stream: error {:?}: {}", s.code(), s.message()),
                            false,
                        );
                        break;
                    }
                }
            }
            check(
                format!("server-stream: ok {} responses", got.len()),
                got.len() == 3 && got.iter().all(|r| r.message == "tick"),
            );
        }
        Err(s) => check(
            format!("server-stream: error {:?}: {}", s.code(), s.message()),
            false,
        ),
    }

    // Client streaming.
    let outbound = tokio_stream::iter(["a", "b", "c", "d"].map(request));
    match client.client_stream(outbound).await {
        Ok(r) => {
            let r = r.into_inner();
            check(
                format!(
                    "client-stream: ok messages_received={} message={:?}",
                    r.messages_received, r.message
                ),
                r.messages_received == 4,
            );
        }
        Err(s) => check(
            format!("client-stream: error {:?}: {}", s.code(), s.message()),
            false,
        ),
    }

    // Bidirectional streaming.
    let outbound = tokio_stream::iter(["x", "y"].map(request));
    match client.bidi(outbound).await {
        Ok(r) => {
            let mut stream = r.into_inner();
            let mut echoed = Vec::new();
            while let Some(Ok(item)) = stream.next().await {
                echoed.push(item.message);
            }
            check(format!("bidi: ok echoed={echoed:?}"), echoed == ["x", "y"]);
        }
        Err(s) => check(
            format!("bidi: error {:?}: {}", s.code(), s.message()),
            false,
        ),
    }

    // `Admin` is not in the generated client: call it by path. The fake
    // denies it before any target sees it.
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| anyhow::anyhow!("channel not ready: {e}"))?;
    let codec = tonic_prost::ProstCodec::<EchoRequest, EchoResponse>::default();
    let path = http::uri::PathAndQuery::from_static("/lattice.echo.Echo/Admin");
    match grpc
        .unary(tonic::Request::new(request("reset")), path, codec)
        .await
    {
        Ok(_) => check("denied: unexpectedly allowed".to_owned(), false),
        Err(s) => check(
            format!("denied: {:?}: {}", s.code(), s.message()),
            s.code() == tonic::Code::PermissionDenied
                && s.message().starts_with("AccessDeniedException: ")
                && s.message().contains("/lattice.echo.Echo/Admin"),
        ),
    }

    // The access log, as Lattice would write it.
    let records = fake.access_log().records();
    for record in &records {
        println!("{}", record.to_json());
    }
    ok &= records.len() == 5;
    fake.shutdown().await;
    Ok(ok)
}
