//! Tests of the resolver.

use super::*;

#[tokio::test]
async fn localhost_names_resolve_to_loopback_without_the_system() {
    let resolver = Resolver::new().without_system_fallback();
    for name in ["orders.localhost", "ORDERS.Localhost.", "localhost"] {
        let addrs = resolver.resolve(name).await.expect(name);
        let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
        assert_eq!(
            ips,
            [
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            ]
        );
    }
    assert!(resolver.resolve("localhost.example").await.is_err());
    assert!(resolver.resolve("notlocalhost").await.is_err());
    // An override still wins.
    let resolver = resolver
        .with_override(
            "orders.localhost",
            [IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))],
        )
        .expect("override");
    let addrs = resolver
        .resolve("orders.localhost")
        .await
        .expect("resolves");
    assert_eq!(addrs.len(), 1);
}
use std::net::Ipv4Addr;

const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

#[tokio::test]
async fn overrides() {
    let r = Resolver::new()
        .with_override("Exact.Example.Internal.", [LO])
        .and_then(|r| {
            r.with_override(
                "*.example.internal",
                [IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))],
            )
        })
        .expect("valid")
        .without_system_fallback();
    assert_eq!(
        r.resolve("exact.example.internal").await.expect("exact")[0].ip(),
        LO
    );
    assert_eq!(
        r.resolve("other.example.internal.")
            .await
            .expect("wildcard")[0]
            .ip(),
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))
    );
    assert!(r.resolve("a.b.example.internal").await.is_err());
    assert!(r.resolve("example.internal").await.is_err());
    let err = r.resolve("nowhere.test").await.expect_err("no fallback");
    assert!(err.to_string().contains("nowhere.test"));
}

const NAME: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

#[tokio::test]
async fn diagnostics_modes() {
    let outside = IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3));
    let inside = IpAddr::V4(Ipv4Addr::new(169, 254, 171, 65));
    let inside6: IpAddr = "fd00:ec2:80::a9fe:ab41".parse().expect("ip");
    let deny = |addr: IpAddr| {
        Resolver::new()
            .with_override(NAME, [addr])
            .expect("valid")
            .diagnostics(Diagnostics::Deny)
            .without_system_fallback()
    };
    let err = deny(outside).resolve(NAME).await.expect_err("outside");
    assert!(matches!(err, Error::OutsideLattice { .. }), "{err}");
    assert!(err.to_string().contains("associated"), "{err}");
    assert!(deny(inside).resolve(NAME).await.is_ok());
    assert!(deny(inside6).resolve(NAME).await.is_ok());
    // Loopback overrides are exempt unless asked.
    assert!(deny(LO).resolve(NAME).await.is_ok());
    assert!(
        deny(LO)
            .check_loopback_overrides(true)
            .resolve(NAME)
            .await
            .is_err()
    );
    // Other names are never checked.
    let other = Resolver::new()
        .with_override("orders.example.internal", [outside])
        .expect("valid")
        .diagnostics(Diagnostics::Deny);
    assert!(other.resolve("orders.example.internal").await.is_ok());
    // Warn and Off never fail.
    for mode in [Diagnostics::Warn, Diagnostics::Off] {
        assert!(deny(outside).diagnostics(mode).resolve(NAME).await.is_ok());
    }
    // Ranges are configurable.
    let custom = deny(outside).with_lattice_ranges(["10.0.0.0/8".parse::<IpNet>().expect("cidr")]);
    assert!(custom.resolve(NAME).await.is_ok());
}

#[test]
fn default_ranges_are_lattices_client_ranges() {
    let ranges = default_lattice_ranges();
    let text: Vec<String> = ranges.iter().map(ToString::to_string).collect();
    assert_eq!(text, ["169.254.171.0/24", "fd00:ec2:80::/64"]);
    let inside = |ip: &str| {
        let ip: IpAddr = ip.parse().expect("ip");
        ranges.iter().any(|r| r.contains(&ip))
    };
    assert!(inside("169.254.171.0"));
    assert!(inside("169.254.171.255"));
    assert!(!inside("169.254.172.0"));
    assert!(!inside("169.254.170.255"));
    assert!(inside("fd00:ec2:80::a9fe:ab41"));
    assert!(inside("fd00:ec2:80:0:ffff:ffff:ffff:ffff"));
    assert!(!inside("fd00:ec2:81::1"));
    // Families do not mix: a mapped address is not in the IPv4 range.
    assert!(!inside("::ffff:169.254.171.1"));
}

#[test]
fn bad_overrides() {
    assert!(Resolver::new().with_override("", [LO]).is_err());
    assert!(Resolver::new().with_override("a..b", [LO]).is_err());
    assert!(Resolver::new().with_override("ok.test", []).is_err());
}
