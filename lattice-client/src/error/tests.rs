use super::*;
use crate::{Credentials, Signer};

#[test]
fn redact_userinfo_cases() {
    for (input, expected) in [
        ("https://u:p@a.example/", "https://***@a.example/"),
        ("https://u@a.example:8443", "https://***@a.example:8443"),
        (
            "https://a:b@c@d.example/x?y=@",
            "https://***@d.example/x?y=@",
        ),
        ("https://a.example/p@th", "https://a.example/p@th"),
        ("https://a.example?q=u:p@x", "https://a.example?q=u:p@x"),
        ("u:p@a.example/x", "***@a.example/x"),
        ("", ""),
    ] {
        assert_eq!(redact_userinfo(input), expected, "{input}");
    }
}

#[test]
fn the_signer_does_not_echo_a_password() {
    let signer = Signer::builder()
        .credentials(Credentials::for_tests())
        .build()
        .expect("signer");
    let mut request = http::Request::get(
        "https://user:hunter2@orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/",
    )
    .body(())
    .expect("request");
    let err = signer
        .sign_with(&mut request, &Credentials::for_tests())
        .expect_err("user information is refused");
    assert!(matches!(err, Error::InvalidUri { .. }), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("***@orders-"), "{shown}");
}
