//! gRPC across accounts: a service in account A, called by account B's
//! principals through a service network that A shares with B.
//!
//! In AWS, account A shares its service network with account B through AWS
//! RAM; B associates its VPC with it, and B's callers sign with their own
//! credentials. A's auth policy decides who gets in. This example runs the
//! same arrangement on the fake Lattice:
//!
//! * account A (`111122223333`) owns the service network `shared`, the
//!   service `orders` (HTTPS, a `GRPC` target group served by an in-process
//!   tonic server) and its auth policy;
//! * account B (`444455556666`) owns the client VPC associated with the
//!   network, and two roles: `orders-client` and `reporting`;
//! * account C (`777788889999`) has a role `partner`, outside the policy.
//!
//! The service's auth policy admits every principal of account B
//! (`aws:PrincipalAccount`), and only B's `orders-client` role may call the
//! method `lattice.echo.Echo/Admin`. The program prints one line per call:
//!
//! ```text
//! allowed: arn:aws:sts::444455556666:assumed-role/orders-client/session
//! denied: PermissionDenied: AccessDeniedException: User: arn:aws:sts::777788889999:… (C)
//! denied: PermissionDenied: AccessDeniedException: User: arn:aws:sts::444455556666:assumed-role/reporting/… (B, Admin)
//! allowed-admin: arn:aws:sts::444455556666:assumed-role/orders-client/session
//! ```
//!
//! then the access-log records as JSON lines (each with `sourceVpcId`, the
//! caller in `resolvedUser`, and `grpcResponseCode`), and exits 0 when every
//! answer is the expected one.
//!
//! ```text
//! cargo run --example grpc-cross-account
//! ```

use anyhow::Context;
use lattice_examples::grpc_echo::echo_client::EchoClient;
use lattice_examples::grpc_echo::echo_server::EchoServer;
use lattice_examples::grpc_echo::{EchoRequest, EchoResponse, EchoService};
use lattice_fake::{
    Client, FakeHandle, FakeLattice, Listener, Principal, ProtocolVersion, Service, ServiceNetwork,
    Target, TargetGroup,
};
use lattice_tonic::{CallerIdentityLayer, LatticeChannel, LatticeEndpoint};

/// The account that owns the service and the network.
const ACCOUNT_A: &str = "111122223333";
/// The consumer account the network is shared with.
const ACCOUNT_B: &str = "444455556666";

/// Example keys from the AWS documentation's style; never real ones.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const B_ORDERS_KEY: &str = "AKIDEXAMPLEB1";
const B_ORDERS: &str = "arn:aws:sts::444455556666:assumed-role/orders-client/session";
const B_REPORTING_KEY: &str = "AKIDEXAMPLEB2";
const B_REPORTING: &str = "arn:aws:sts::444455556666:assumed-role/reporting/session";
const C_PARTNER_KEY: &str = "AKIDEXAMPLEC1";
const C_PARTNER: &str = "arn:aws:sts::777788889999:assumed-role/partner/session";

/// B's VPC, associated with A's network.
const B_VPC: &str = "vpc-0b0b0b0b0b0b0b0b0";

/// The network admits signed callers only; the service decides who.
const NETWORK_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*",
     "Condition": {"StringNotEqualsIgnoreCase": {"aws:PrincipalType": "anonymous"}}}
  ]
}"#;

/// Account B may invoke the service; only B's `orders-client` role may call
/// `Admin`. The resource of an RPC is `<serviceArn>/<package.Service>/<Method>`.
const SERVICE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AccountB", "Effect": "Allow", "Principal": "*",
     "Action": "vpc-lattice-svcs:Invoke", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalAccount": "444455556666"}}},
    {"Sid": "AdminOnlyForOrdersClient", "Effect": "Deny", "Principal": "*",
     "Action": "vpc-lattice-svcs:Invoke", "Resource": "*/lattice.echo.Echo/Admin",
     "Condition": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::444455556666:role/orders-client"}}}
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

/// A signed channel for one principal of the fake.
async fn channel_for(fake: &FakeHandle, access_key: &str) -> anyhow::Result<LatticeChannel> {
    let url = fake.url("orders").context("orders has a listener")?;
    Ok(LatticeEndpoint::new(url)?
        .signer(fake.signer(access_key)?)
        .resolver(fake.resolver()?)
        .platform_roots(false)
        .add_root_pem(fake.ca_pem().context("HTTPS listener")?)?
        .connect()
        .await?)
}

/// Calls `Admin`, which the generated client does not have, by path.
async fn call_admin(
    channel: LatticeChannel,
) -> anyhow::Result<Result<EchoResponse, tonic::Status>> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| anyhow::anyhow!("channel not ready: {e}"))?;
    let codec = tonic_prost::ProstCodec::<EchoRequest, EchoResponse>::default();
    let path = http::uri::PathAndQuery::from_static("/lattice.echo.Echo/Admin");
    Ok(grpc
        .unary(tonic::Request::new(request("rotate")), path, codec)
        .await
        .map(tonic::Response::into_inner))
}

async fn run() -> anyhow::Result<bool> {
    // The gRPC target: tonic's generated server behind the caller-identity
    // layer, so each answer names the caller the server saw. `Admin` is not
    // implemented by the echo service; the target answers UNIMPLEMENTED
    // when the policy lets a call through.
    let server = tower::ServiceBuilder::new()
        .layer(CallerIdentityLayer::new())
        .service(EchoServer::new(EchoService::new()));
    let fake = FakeLattice::builder()
        .account(ACCOUNT_A)
        .service_network(
            ServiceNetwork::new("shared")
                .service("orders")
                .aws_iam(NETWORK_POLICY),
        )
        .service(
            Service::new("orders")
                .aws_iam(SERVICE_POLICY)
                .listener(Listener::https(443).forward_to("orders-grpc")),
        )
        .target_group(
            TargetGroup::new("orders-grpc", Target::service(server))
                .protocol_version(ProtocolVersion::Grpc),
        )
        .default_client(
            Client::new(B_VPC)
                .owner_account(ACCOUNT_B)
                .network("shared"),
        )
        .principal(Principal::new(B_ORDERS_KEY, SECRET, B_ORDERS))
        .principal(Principal::new(B_REPORTING_KEY, SECRET, B_REPORTING))
        .principal(Principal::new(C_PARTNER_KEY, SECRET, C_PARTNER))
        .build()?
        .start()
        .await?;

    let mut ok = true;
    let mut check = |line: String, good: bool| {
        println!("{line}");
        ok &= good;
    };

    // B's orders-client: admitted by account; the server sees its ARN.
    let mut orders = EchoClient::new(channel_for(&fake, B_ORDERS_KEY).await?);
    match orders.unary(request("hello from B")).await {
        Ok(r) => {
            let caller = r.into_inner().caller;
            check(format!("allowed: {caller}"), caller == B_ORDERS);
        }
        Err(s) => check(format!("error: {:?}: {}", s.code(), s.message()), false),
    }

    // C's partner: signed and known, but not in account B.
    let mut partner = EchoClient::new(channel_for(&fake, C_PARTNER_KEY).await?);
    match partner.unary(request("hello from C")).await {
        Ok(_) => check("denied: unexpectedly allowed (C)".to_owned(), false),
        Err(s) => check(
            format!("denied: {:?}: {}", s.code(), s.message()),
            s.code() == tonic::Code::PermissionDenied
                && s.message().starts_with("AccessDeniedException: User: ")
                && s.message().contains(C_PARTNER),
        ),
    }

    // B's reporting role: in account B, but not allowed to call Admin.
    match call_admin(channel_for(&fake, B_REPORTING_KEY).await?).await? {
        Ok(_) => check("denied: unexpectedly allowed (B, Admin)".to_owned(), false),
        Err(s) => check(
            format!("denied: {:?}: {}", s.code(), s.message()),
            s.code() == tonic::Code::PermissionDenied
                && s.message().contains(B_REPORTING)
                && s.message().contains("/lattice.echo.Echo/Admin")
                && s.message()
                    .ends_with("with an explicit deny in a service-based policy"),
        ),
    }

    // B's orders-client may call Admin: the policy lets it through, and the
    // echo target (which has no Admin method) answers UNIMPLEMENTED.
    match call_admin(channel_for(&fake, B_ORDERS_KEY).await?).await? {
        Err(s) if s.code() == tonic::Code::Unimplemented => {
            check(format!("allowed-admin: {B_ORDERS}"), true);
        }
        Ok(_) => check(format!("allowed-admin: {B_ORDERS}"), true),
        Err(s) => check(
            format!(
                "error: admin for orders-client: {:?}: {}",
                s.code(),
                s.message()
            ),
            false,
        ),
    }

    // The access log, as Lattice would write it: B's VPC as the source.
    let records = fake.access_log().records();
    for record in &records {
        println!("{}", record.to_json());
    }
    ok &= records.len() == 4;
    fake.shutdown().await;
    Ok(ok)
}
