//! `SignerBuilder::assume_role`: the signer signs with the assumed role's
//! credentials from STS, not with the base credentials of the config. STS is
//! pointed at a closed loopback port, so the assumption fails without any
//! traffic leaving the machine, and signing must fail with a credentials
//! error (with the base credentials it would succeed).
#![cfg(feature = "aws-config")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use aws_config::{BehaviorVersion, Region};
use lattice_client::{Credentials, Error, Signer};

async fn config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "static",
        ))
        // STS (and any other AWS endpoint) at a closed loopback port.
        .endpoint_url("http://127.0.0.1:1")
        .load()
        .await
}

fn request() -> http::Request<()> {
    http::Request::get(
        "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/",
    )
    .body(())
    .unwrap()
}

#[tokio::test]
async fn assume_role_signs_with_the_roles_credentials() {
    let config = config().await;

    // The base credentials sign.
    let base = Signer::builder()
        .sdk_config(&config)
        .unwrap()
        .build()
        .unwrap();
    base.sign(&mut request())
        .await
        .expect("base credentials sign");

    // The assumed role needs STS, which is unreachable: a credentials error.
    let assumed = Signer::builder()
        .assume_role(
            &config,
            "arn:aws:iam::444455556666:role/orders-client",
            "lattice-test",
        )
        .await
        .unwrap()
        .build()
        .unwrap();
    let err = assumed
        .sign(&mut request())
        .await
        .expect_err("STS is unreachable");
    assert!(matches!(err, Error::Credentials(_)), "{err}");
}
