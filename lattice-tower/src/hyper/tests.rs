//! Tests of the hyper client builder.

use super::*;
use lattice_client::Credentials;

#[test]
fn build_does_not_panic_on_the_workspace_tls_config() {
    let signer = Signer::builder()
        .credentials(Credentials::for_tests())
        .build()
        .expect("signer");
    for http2_only in [false, true] {
        let client = HyperClientBuilder::new(signer.clone())
            .platform_roots(false)
            .http2_only(http2_only)
            .build::<http_body_util::Empty<bytes::Bytes>>();
        assert!(client.is_ok(), "http2_only={http2_only}");
    }
}
