//! Tests of the `LATTICE_RESOLVE` parser and the configuration source.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

#[test]
fn good_entries() {
    let entries = parse_resolve(
        " Orders.Localhost.:8080:127.0.0.1\tbilling.example.internal:443:[::1],10.0.0.5;\n\
         *.7d67968.vpc-lattice-svcs.us-west-2.on.aws:*:[fd00:ec2:80::a9fe:ab41] ;; ",
    )
    .expect("valid");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].host, "orders.localhost");
    assert_eq!(entries[0].port, Some(8080));
    assert_eq!(entries[0].addrs, [IpAddr::V4(Ipv4Addr::LOCALHOST)]);
    assert_eq!(
        entries[1].addrs,
        [
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))
        ]
    );
    assert_eq!(entries[2].port, None);
    assert_eq!(
        entries[2].addrs,
        ["fd00:ec2:80::a9fe:ab41".parse::<IpAddr>().expect("ip")]
    );
    assert!(parse_resolve("").expect("empty").is_empty());
    assert!(parse_resolve(" ; ").expect("separators only").is_empty());
}

#[test]
fn matching_follows_curl() {
    let entries =
        parse_resolve("a.localhost:8080:127.0.0.1 *.example.internal:*:127.0.0.1").expect("valid");
    assert!(entries[0].matches("A.localhost.", 8080));
    assert!(!entries[0].matches("a.localhost", 8081));
    assert!(!entries[0].matches("b.localhost", 8080));
    assert!(entries[1].matches("orders.example.internal", 1));
    assert!(!entries[1].matches("a.b.example.internal", 1));
    assert!(!entries[1].matches("example.internal", 1));
}

#[test]
fn bad_entries_name_the_entry() {
    let cases = [
        ("orders.localhost", "no `:PORT:ADDR`"),
        ("orders.localhost:443", "no `:ADDR`"),
        ("orders.localhost:443:", "empty"),
        ("orders.localhost:0:127.0.0.1", "1 to 65535"),
        ("orders.localhost:65536:127.0.0.1", "1 to 65535"),
        ("orders.localhost:http:127.0.0.1", "`http`"),
        ("orders.localhost:443:::1", "brackets"),
        ("orders.localhost:443:[::1", "not an IP address"),
        ("orders.localhost:443:[127.0.0.1]", "not an IP address"),
        ("orders.localhost:443:127.0.0.1,", "empty"),
        ("orders.localhost:443:localhost", "not an IP address"),
        (":443:127.0.0.1", "not a DNS name"),
        ("a..b:443:127.0.0.1", "not a DNS name"),
        ("[::1]:443:127.0.0.1", "not a DNS name"),
        ("+orders.localhost:443:127.0.0.1", "prefixes"),
        ("-orders.localhost:443:127.0.0.1", "prefixes"),
    ];
    for (entry, reason) in cases {
        let value = format!("good.localhost:443:127.0.0.1 {entry}");
        let err = parse_resolve(&value).expect_err(entry);
        let EnvError::BadResolveEntry { entry: named, .. } = &err else {
            panic!("{entry}: {err:?}");
        };
        assert_eq!(named, entry);
        let text = err.to_string();
        assert!(text.contains(&format!("`{entry}`")), "{text}");
        assert!(text.contains(reason), "{entry}: {text}");
    }
}

#[test]
fn one_host_one_address_list() {
    // The fake's HTTP and HTTPS listeners of one name: same address.
    let ok = parse_resolve("a.localhost:80:127.0.0.1 a.localhost:443:127.0.0.1").expect("same");
    assert_eq!(ok.len(), 2);
    let err = parse_resolve("a.localhost:80:127.0.0.1 A.localhost:443:127.0.0.2")
        .expect_err("different addresses");
    assert!(matches!(err, EnvError::ConflictingResolve { .. }), "{err}");
    assert!(
        err.to_string().contains("A.localhost:443:127.0.0.2"),
        "{err}"
    );
}

#[tokio::test]
async fn the_resolver_takes_the_overrides_from_the_lookup() {
    let resolver = Resolver::new()
        .without_system_fallback()
        .with_env_from(lookup(&[(
            LATTICE_RESOLVE,
            "orders.example.internal:443:[::1],127.0.0.2",
        )]))
        .expect("valid");
    let addrs = resolver
        .resolve("orders.example.internal")
        .await
        .expect("override");
    let ips: Vec<IpAddr> = addrs.iter().map(std::net::SocketAddr::ip).collect();
    assert_eq!(
        ips,
        [
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))
        ]
    );
    let err = Resolver::new()
        .with_env_from(lookup(&[(LATTICE_RESOLVE, "nope")]))
        .expect_err("bad entry");
    assert!(
        matches!(err, Error::Env(EnvError::BadResolveEntry { .. })),
        "{err}"
    );
    // The resolver reads no CA bundle, even a bad one.
    assert!(
        Resolver::new()
            .with_env_from(lookup(&[(AWS_CA_BUNDLE, "/nonexistent/ca.pem")]))
            .is_ok()
    );
}

#[test]
fn ca_bundle_errors_are_typed() {
    let err = EnvConfig::from_lookup(lookup(&[(AWS_CA_BUNDLE, "/nonexistent/lattice-ca.pem")]))
        .expect_err("missing file");
    assert!(matches!(err, EnvError::CaBundleUnreadable { .. }), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/lattice-ca.pem"),
        "{err}"
    );
    let dir = std::env::temp_dir().join(format!("lattice-env-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("not-a-ca.pem");
    std::fs::write(&path, b"hello").expect("write");
    let err = EnvConfig::from_lookup(lookup(&[(AWS_CA_BUNDLE, path.to_str().expect("utf-8"))]))
        .expect_err("no certificate");
    assert!(matches!(err, EnvError::CaBundleInvalid { .. }), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    // Empty means unset.
    let config = EnvConfig::from_lookup(lookup(&[(AWS_CA_BUNDLE, ""), (LATTICE_RESOLVE, "")]))
        .expect("empty values");
    assert!(config.is_empty());
}

#[cfg(feature = "tls")]
#[test]
fn ca_bundle_replaces_the_platform_roots() {
    let ca = rcgen::generate_simple_self_signed(vec!["ca.example".to_owned()])
        .expect("certificate")
        .cert
        .pem();
    let dir = std::env::temp_dir().join(format!("lattice-env-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("ca.pem");
    std::fs::write(&path, ca.as_bytes()).expect("write");
    let config = EnvConfig::from_lookup(lookup(&[(AWS_CA_BUNDLE, path.to_str().expect("utf-8"))]))
        .expect("valid bundle");
    assert_eq!(config.ca_bundle(), Some(path.as_path()));
    let options = config.apply_to_tls(crate::tls::TlsOptions::new());
    assert!(!options.uses_platform_roots());
    assert_eq!(options.extra_roots().len(), 1);
    // Unset: unchanged.
    let options = EnvConfig::default().apply_to_tls(crate::tls::TlsOptions::new());
    assert!(options.uses_platform_roots());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn localhost_names_are_signed_only_on_the_opt_in() {
    use crate::{Credentials, Signer};
    let signer = Signer::builder()
        .credentials(Credentials::for_tests())
        .region("eu-west-1")
        .build()
        .expect("signer");
    let request = || {
        http::Request::get("https://orders.localhost:8443/")
            .body(())
            .expect("request")
    };
    let err = signer
        .sign_with(&mut request(), &Credentials::for_tests())
        .expect_err("no opt-in");
    assert!(matches!(err, Error::LocalhostNotAllowed { .. }), "{err}");
    assert!(err.to_string().contains("with_env()"), "{err}");
    assert!(!signer.may_sign(&"https://orders.localhost/".parse().expect("uri")));

    for signer in [
        signer.clone().allow_localhost(true),
        Signer::builder()
            .credentials(Credentials::for_tests())
            .region("eu-west-1")
            .allow_localhost(true)
            .build()
            .expect("signer"),
    ] {
        let report = signer
            .sign_with(&mut request(), &Credentials::for_tests())
            .expect("opted in");
        assert!(
            report.scope.contains("/eu-west-1/vpc-lattice-svcs/"),
            "{}",
            report.scope
        );
        // Other hosts are still refused.
        let mut other = http::Request::get("https://example.com/")
            .body(())
            .expect("request");
        assert!(matches!(
            signer.sign_with(&mut other, &Credentials::for_tests()),
            Err(Error::HostNotAllowed { .. })
        ));
    }
    // The flag is per clone.
    assert!(
        signer
            .sign_with(&mut request(), &Credentials::for_tests())
            .is_err()
    );
    // Opted in without a default region: the typed region error.
    let no_region = Signer::builder()
        .credentials(Credentials::for_tests())
        .allow_localhost(true)
        .build()
        .expect("signer");
    assert!(matches!(
        no_region.sign_with(&mut request(), &Credentials::for_tests()),
        Err(Error::NoRegion { .. })
    ));
}
