//! Quickstart: call a VPC Lattice service with SigV4, through reqwest and
//! through hyper — against the in-process fake Lattice, no AWS account.
//!
//! The fake plays a service network whose `orders` service uses `AWS_IAM`
//! with an auth policy: `GET` is allowed, `DELETE` is not. `/orders` goes to
//! an in-process HTTP target; `/invoices` to a Lambda target (the same Tower
//! handler you would pass to `lattice_client::lambda::run`). Calls go over
//! real TLS to the service's generated DNS name, resolved to loopback.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::convert::Infallible;

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lattice_client::identity::CallerIdentity;
use lattice_client::lambda::{Body as LambdaBody, EventVersion};
use lattice_client::reqwest::LatticeClient;
use lattice_fake::routing::{HttpMatch, PathMatch, Rule, RuleAction};
use lattice_fake::{
    FakeBody, FakeLattice, LambdaFunction, Listener, Principal, Service, ServiceNetwork, Target,
    TargetGroup, full_body,
};
use lattice_tower::hyper::HyperClientBuilder;

/// Any signed caller of our account may invoke; nobody may `DELETE`.
const SERVICE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "111122223333"},
     "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*",
     "Action": "vpc-lattice-svcs:Invoke", "Resource": "*",
     "Condition": {"StringEquals": {"vpc-lattice-svcs:RequestMethod": "DELETE"}}}
  ]
}"#;

const ACCESS_KEY: &str = "AKIDEXAMPLE";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // An HTTP target: an in-process Tower service that reads the caller
    // identity Lattice adds.
    let orders = tower::service_fn(|req: http::Request<FakeBody>| async move {
        let caller = CallerIdentity::from_headers(req.headers())
            .ok()
            .flatten()
            .and_then(|id| id.principal)
            .unwrap_or_else(|| "anonymous".to_owned());
        Ok::<_, Infallible>(http::Response::new(full_body(format!(
            "orders for {caller}\n"
        ))))
    });
    // A Lambda target: the handler a production function passes to
    // `lattice_client::lambda::run`, fed V2 events by the fake.
    let invoices = tower::service_fn(|req: http::Request<LambdaBody>| async move {
        let caller = req
            .extensions()
            .get::<CallerIdentity>()
            .and_then(|id| id.principal.clone())
            .unwrap_or_else(|| "anonymous".to_owned());
        Ok::<_, Infallible>(http::Response::new(LambdaBody::from(format!(
            "invoices (from Lambda) for {caller}\n"
        ))))
    });

    let fake = FakeLattice::builder()
        .service_network(ServiceNetwork::new("quickstart").all_services())
        .service(
            Service::new("orders").aws_iam(SERVICE_POLICY).listener(
                Listener::https(443)
                    .rule(Rule::new(
                        10,
                        HttpMatch::new().path(PathMatch::prefix("/invoices")),
                        RuleAction::forward_to("invoices"),
                    ))
                    .forward_to("orders"),
            ),
        )
        .target_group(TargetGroup::new("orders", Target::service(orders)))
        .target_group(TargetGroup::lambda(
            "invoices",
            EventVersion::V2,
            LambdaFunction::service(invoices),
        ))
        // Static example keys; in production the signer takes credentials
        // from `aws_config::load_from_env()` instead.
        .principal(Principal::new(
            ACCESS_KEY,
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "arn:aws:sts::111122223333:assumed-role/quickstart/session",
        ))
        .build()?
        .start()
        .await?;
    let url = fake
        .url("orders")
        .context("orders has a listener")?
        .to_owned();
    println!("fake Lattice service: {url}");

    // reqwest: a signing client that resolves the fake's names to loopback
    // and trusts the fake's CA.
    let signer = fake.signer(ACCESS_KEY)?;
    let ca = fake.ca_der().context("HTTPS listener")?.clone();
    let client = LatticeClient::builder(signer.clone())
        .resolver(fake.resolver()?)
        .platform_roots(false)
        .add_root_certificate(ca.clone())
        .build()?;
    let response = client.get(format!("{url}/orders/42")).send().await?;
    println!(
        "== reqwest GET /orders/42: {} ({:?})",
        response.status(),
        response.version()
    );
    print!("   {}", response.text().await?);

    // hyper: the same signer through the Tower layer.
    let hyper = HyperClientBuilder::new(signer)
        .resolver(fake.resolver()?)
        .platform_roots(false)
        .add_root_certificate(ca)
        .build::<Full<Bytes>>()?;
    let request = http::Request::get(format!("{url}/invoices/7")).body(Full::new(Bytes::new()))?;
    let response = hyper.request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    println!("== hyper GET /invoices/7: {status}");
    print!("   {}", String::from_utf8_lossy(&body));

    // The auth policy denies DELETE: Lattice's 403 line comes back.
    let response = client.delete(format!("{url}/orders/42")).send().await?;
    println!("== reqwest DELETE /orders/42: {}", response.status());
    print!("   {}", response.text().await?);

    // What Lattice would have written to the access log.
    println!("\n== access log");
    println!(
        "{:<7} {:<14} {:>4} {:<10} {:<8} {:<20} {:>5}",
        "method", "path", "code", "denied", "proto", "failure", "ms"
    );
    for record in fake.access_log().records() {
        let dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        println!(
            "{:<7} {:<14} {:>4} {:<10} {:<8} {:<20} {:>5}",
            dash(record.request_method),
            dash(record.request_path),
            record.response_code,
            dash(record.auth_denied_reason.map(|r| r.to_string())),
            dash(record.protocol),
            dash(record.failure_reason.map(|r| r.to_string())),
            record.duration,
        );
    }
    fake.shutdown().await;
    Ok(())
}
