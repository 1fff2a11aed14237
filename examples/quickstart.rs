//! Quickstart: sign calls for VPC Lattice through reqwest and through hyper.
//!
//! Runs entirely on this machine: a small echo server on 127.0.0.1 plays the
//! Lattice service, a resolver override points a generated Lattice name at
//! it, and static example credentials sign the calls. The echo server checks
//! each signature as Lattice does and reports what arrived: the principal it
//! authenticated and which headers the signature covers. A tampered request
//! at the end shows the error line Lattice answers with.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use std::net::{IpAddr, Ipv4Addr};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use lattice_client::resolve::Resolver;
use lattice_client::sign::verify::{KeyCredentials, Profile, StaticCredentials, Verifier};
use lattice_client::{Credentials, Signer};
use lattice_tower::hyper::HyperClientBuilder;

/// A generated VPC Lattice service name: the region (`us-west-2`) is taken
/// from it, so no region needs configuring.
const SERVICE: &str = "quickstart-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The endpoint knows our example key, as IAM would.
    let keys = StaticCredentials::new().with(
        "AKIDEXAMPLE",
        KeyCredentials::new(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "arn:aws:sts::111122223333:assumed-role/quickstart/session".to_owned(),
        )
        .with_session_token("EXAMPLE-SESSION-TOKEN"),
    );
    let verifier = Verifier::builder(keys, Profile::lattice("us-west-2")).build()?;
    let echo = lattice_examples::echo::start_verifying(verifier).await?;
    let port = echo.addr().port();
    println!(
        "local Lattice-like endpoint: http://{SERVICE}:{port} -> {}",
        echo.addr()
    );

    // Static example credentials; in production use
    // `Signer::builder().sdk_config(&aws_config::load_from_env().await)?`.
    let credentials = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("EXAMPLE-SESSION-TOKEN".to_owned()),
        None,
        "quickstart",
    );
    let signer = Signer::builder().credentials(credentials).build()?;
    // Tests and local endpoints: resolve the name to loopback, never real DNS.
    let resolver = Resolver::new()
        .with_override(SERVICE, [IpAddr::V4(Ipv4Addr::LOCALHOST)])?
        .without_system_fallback();

    // 1. reqwest
    let client = lattice_client::reqwest::LatticeClient::builder(signer.clone())
        .resolver(resolver.clone())
        .no_proxy()
        .build()?;
    let response = client
        .post(format!("http://{SERVICE}:{port}/orders?id=42"))
        .header("content-type", "application/json")
        .body(r#"{"item":"book"}"#)
        .send()
        .await?;
    println!("\n== reqwest: {}", response.status());
    println!("{}", response.text().await?);

    // 2. hyper (HTTP/1.1 and HTTP/2 over rustls; plain HTTP here)
    let client = HyperClientBuilder::new(signer.clone())
        .resolver(resolver.clone())
        .platform_roots(false)
        .build::<Full<Bytes>>()?;
    let request = http::Request::get(format!("http://{SERVICE}:{port}/orders/42"))
        .body(Full::new(Bytes::new()))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| anyhow::anyhow!(e))
        .context("hyper call")?;
    println!("\n== hyper: {}", response.status());
    let body = response.into_body().collect().await?.to_bytes();
    println!("{}", String::from_utf8_lossy(&body));

    // 3. A request signed for one path and sent to another: rejected.
    let mut request = http::Request::get(format!("http://{SERVICE}:{port}/orders/42"))
        .body(Full::new(Bytes::new()))?;
    signer.sign(&mut request).await?;
    *request.uri_mut() = format!("http://{SERVICE}:{port}/orders/43").parse()?;
    let plain = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(resolver));
    let response = plain.request(request).await?;
    println!(
        "\n== tampered (signed for /orders/42, sent to /orders/43): {}",
        response.status()
    );
    let body = response.into_body().collect().await?.to_bytes();
    println!("{}", String::from_utf8_lossy(&body));
    Ok(())
}
