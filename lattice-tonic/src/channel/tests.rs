//! Tests of `channel`.

use super::*;
use crate::error::chain;

const NAME: &str = "echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

fn creds() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "test",
    )
}

#[test]
fn urls_are_normalised() {
    let e = LatticeEndpoint::new(format!("https://{}.:443", NAME.to_uppercase())).expect("url");
    assert_eq!(e.origin().to_string(), format!("https://{NAME}/"));
    let e = LatticeEndpoint::new(format!("https://{NAME}:8443/")).expect("url");
    assert_eq!(e.origin().to_string(), format!("https://{NAME}:8443/"));
}

#[test]
fn bad_urls_say_why() {
    for (url, needle) in [
        (format!("http://{NAME}"), "HTTPS listener"),
        (format!("https://{NAME}/pkg.Svc/Method"), "has a path"),
        (format!("https://{NAME}/?a=b"), "query"),
        (format!("https://user@{NAME}"), "user information"),
        ("orders".to_owned(), "absolute"),
        ("https://".to_owned(), "not a URL"),
    ] {
        let err = LatticeEndpoint::new(&url).expect_err(&url);
        assert!(err.to_string().contains(needle), "{url}: {err}");
    }
}

#[test]
fn user_information_is_redacted_in_errors() {
    for url in [
        format!("https://user:hunter2@{NAME}"),
        format!("https://user:hunter2@{NAME}/a/path"),
        format!("http://user:hunter2@{NAME}"),
        format!("https://user:hunter 2@{NAME}"),
    ] {
        let err = LatticeEndpoint::new(&url).expect_err(&url);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("hunter"), "{shown}");
        assert!(shown.contains("***@"), "{shown}");
        let err = LatticeEndpoint::from_uri(
            url.parse()
                .unwrap_or_else(|_| Uri::from_static("https://a@b")),
        )
        .expect_err(&url);
        assert!(!err.to_string().contains("hunter"), "{err}");
    }
}

#[tokio::test]
async fn configuration_errors_come_before_any_rpc() {
    // No credentials.
    let err = LatticeEndpoint::new(format!("https://{NAME}"))
        .expect("url")
        .connect_lazy()
        .expect_err("no credentials");
    let text = chain(&err);
    assert!(text.contains("no credentials"), "{text}");

    // A custom domain without a region.
    let err = LatticeEndpoint::new("https://echo.example.internal")
        .expect("url")
        .credentials(creds())
        .connect_lazy()
        .expect_err("no region");
    let text = chain(&err);
    assert!(text.contains("no signing region"), "{text}");

    // A ready signer that does not sign for the host.
    let signer = Signer::builder()
        .credentials(creds())
        .build()
        .expect("signer");
    let err = LatticeEndpoint::new("https://echo.example.internal")
        .expect("url")
        .signer(signer.clone())
        .connect_lazy()
        .expect_err("host not allowed");
    let text = chain(&err);
    assert!(text.contains("refusing to sign"), "{text}");

    // A signer and pieces.
    let err = LatticeEndpoint::new(format!("https://{NAME}"))
        .expect("url")
        .signer(signer)
        .region("us-west-2")
        .connect_lazy()
        .expect_err("both");
    assert!(matches!(err, Error::Config(_)), "{err}");

    // No roots at all.
    let err = LatticeEndpoint::new(format!("https://{NAME}"))
        .expect("url")
        .credentials(creds())
        .platform_roots(false)
        .connect_lazy()
        .expect_err("no roots");
    assert!(matches!(err, Error::Tls(_)), "{err}");
    let err = LatticeEndpoint::new(format!("https://{NAME}"))
        .expect("url")
        .credentials(creds())
        .tls(TlsOptions::new().platform_roots(false))
        .connect_lazy()
        .expect_err("no roots through TlsOptions either");
    assert!(matches!(err, Error::Tls(_)), "{err}");

    let err = LatticeEndpoint::new(format!("https://{NAME}"))
        .expect("url")
        .add_root_pem("not pem")
        .expect_err("bad pem");
    assert!(matches!(err, Error::Tls(_)), "{err}");
    assert_eq!(
        err.to_string().matches("TLS configuration").count(),
        1,
        "{err}"
    );
}

#[tokio::test]
async fn custom_domains_are_registered_with_the_region() {
    let channel = LatticeEndpoint::new("https://Echo.Example.Internal")
        .expect("url")
        .credentials(creds())
        .region("eu-central-1")
        .add_root_certificate(CertificateDer::from(vec![0u8; 4]))
        .platform_roots(true)
        .connect_lazy();
    // Platform roots may be absent in a minimal container; only the
    // signer is checked here.
    if let Ok(channel) = channel {
        let uri: Uri = "https://echo.example.internal/x".parse().expect("uri");
        assert!(channel.signer().may_sign(&uri));
        assert_eq!(
            channel.origin().to_string(),
            "https://echo.example.internal/"
        );
    }
    let channel = LatticeEndpoint::new("https://echo.example.internal")
        .expect("url")
        .credentials(creds())
        .sigv4a("*")
        .connect_lazy();
    if let Ok(channel) = channel {
        assert!(matches!(
            channel.signer().algorithm(),
            lattice_client::sign::SigningAlgorithm::SigV4A { .. }
        ));
    }
}

#[test]
fn channels_are_send_sync_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<LatticeChannel>();
}
