use super::*;
use crate::text::excerpt;
use proptest::prelude::*;

/// (name, service name, service id, partition, region) from AWS documentation
/// and published examples.
const REAL: &[(&str, &str, &str, &str, &str)] = &[
    (
        "test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws",
        "test2",
        "svc-0cfe1f49ff3266204",
        "7d67968",
        "ap-southeast-2",
    ),
    (
        // 18-character id in the AWS document.
        "my-service-02031c045478f6ddf1.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
        "my-service",
        "svc-02031c045478f6ddf1",
        "7d67968",
        "us-west-2",
    ),
    (
        "lattice-svc-027b423199122da5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws",
        "lattice-svc",
        "svc-027b423199122da5f",
        "7d67968",
        "us-east-1",
    ),
    (
        "vpclatticealp-mylatticeserv-nrrcexutsqpe-0b17e5b0e8a993adf.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
        "vpclatticealp-mylatticeserv-nrrcexutsqpe",
        "svc-0b17e5b0e8a993adf",
        "7d67968",
        "us-west-2",
    ),
    (
        "orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws",
        "orders",
        "svc-0a40eebed65f8d69c",
        "7d67968",
        "us-east-2",
    ),
    (
        "catalog-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws",
        "catalog",
        "svc-0a40eebed65f8d69c",
        "7d67968",
        "us-east-2",
    ),
];

fn check(name: &LatticeName, row: &(&str, &str, &str, &str, &str)) {
    let (host, service, id, partition, region) = *row;
    assert_eq!(name.host(), host);
    assert_eq!(name.to_string(), host);
    assert_eq!(name.service_name(), service);
    assert_eq!(name.service_id(), &id);
    assert_eq!(name.partition(), partition);
    assert_eq!(name.region(), region);
}

#[test]
fn real_names() {
    for row in REAL {
        let host = row.0;
        check(&host.parse().unwrap(), row);
        check(&LatticeName::parse(&format!("{host}.")).unwrap(), row);
        check(
            &LatticeName::parse(&host.to_ascii_uppercase()).unwrap(),
            row,
        );
        check(
            &LatticeName::parse(&format!("{}.", host.to_ascii_uppercase())).unwrap(),
            row,
        );
        assert_eq!(LatticeName::region_of(host), Some(row.4));
        assert_eq!(LatticeName::region_of(&format!("{host}.")), Some(row.4));
        assert!(LatticeName::is_lattice_name(host));
        // Built from parts gives the same name (all real service names follow the rules).
        let id: crate::arn::ServiceId = row.2.parse().unwrap();
        assert_eq!(
            LatticeName::from_parts(row.1, &id, row.3, row.4)
                .unwrap()
                .host(),
            host
        );
    }
}

#[test]
fn region_of_keeps_input_case() {
    let host = "test2-0cfe1f49ff3266204.7d67968.VPC-LATTICE-SVCS.AP-SOUTHEAST-2.ON.AWS.";
    assert_eq!(LatticeName::region_of(host), Some("AP-SOUTHEAST-2"));
    assert_eq!(LatticeName::parse(host).unwrap().region(), "ap-southeast-2");
}

#[test]
fn placeholder_with_short_id_is_rejected() {
    // The AWS sample's `data-svc-022f67d3a42` has an 11-character id: a placeholder.
    let err = LatticeName::parse("data-svc-022f67d3a42.1234abc.vpc-lattice-svcs.us-west-2.on.aws")
        .unwrap_err();
    assert!(matches!(
        err,
        NameError::LatticeName { problem: LatticeNameProblem::ServiceId(ref id), .. } if id == "022f67d3a42"
    ));
}

#[test]
fn error_message_names_the_part() {
    let err = LatticeName::parse("x-0123456789abcdef0.7d67968.vpc-lattice-svcs.US_WEST.on.aws")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid Lattice service name `x-0123456789abcdef0.7d67968.vpc-lattice-svcs.US_WEST.on.aws`: the region label `US_WEST` is not a region such as `us-west-2`"
    );
}

#[test]
fn rejections() {
    use LatticeNameProblem as P;
    let cases: &[(&str, P)] = &[
        ("", P::Empty),
        (".", P::Empty),
        ("orders.example.com", P::Suffix),
        ("on.aws", P::Suffix),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice.us-west-2.on.aws",
            P::Suffix,
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws.com",
            P::Suffix,
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.amazonaws.com",
            P::Suffix,
        ),
        (
            "7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::LabelCount(5),
        ),
        ("vpc-lattice-svcs.us-west-2.on.aws", P::LabelCount(4)),
        (
            "a.x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::LabelCount(7),
        ),
        (
            "x-0123456789abcdef0..vpc-lattice-svcs.us-west-2.on.aws",
            P::EmptyLabel,
        ),
        (
            ".x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::EmptyLabel,
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws..",
            P::EmptyLabel,
        ),
        (
            "myservice.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::MissingId("myservice".into()),
        ),
        (
            "0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::MissingId("0123456789abcdef0".into()),
        ),
        (
            "my-service.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::ServiceId("service".into()),
        ),
        (
            "my-svc-.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::ServiceId("".into()),
        ),
        (
            "my-svc-0123456789abcdef01234.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::ServiceId("0123456789abcdef01234".into()),
        ),
        (
            "my-svc-0123456789abcde.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::ServiceId("0123456789abcde".into()),
        ),
        (
            "-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::ServiceName("".into()),
        ),
        (
            "my_svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::ServiceName("my_svc".into()),
        ),
        (
            "x-0123456789abcdef0.7d-67968.vpc-lattice-svcs.us-west-2.on.aws",
            P::Partition("7d-67968".into()),
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.US_WEST.on.aws",
            P::Region("US_WEST".into()),
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west.on.aws",
            P::Region("us-west".into()),
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.uswest2.on.aws",
            P::Region("uswest2".into()),
        ),
        (
            "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-*.on.aws",
            P::Region("us-*".into()),
        ),
    ];
    for (input, want) in cases {
        match LatticeName::parse(input) {
            Err(NameError::LatticeName { problem, .. }) => {
                assert_eq!(&problem, want, "{input}")
            }
            other => panic!("{input}: {other:?}"),
        }
        assert_eq!(LatticeName::region_of(input), None, "{input}");
    }
    // 20-character id is the upper bound that still parses.
    assert!(
        LatticeName::parse("my-svc-0123456789abcdef0123.7d67968.vpc-lattice-svcs.us-west-2.on.aws")
            .is_ok()
    );
    let long_first = format!(
        "{}-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
        "a".repeat(50)
    );
    assert!(matches!(
        LatticeName::parse(&long_first),
        Err(NameError::LatticeName {
            problem: LatticeNameProblem::FirstLabelTooLong(_),
            ..
        })
    ));
    let too_long = format!("{}.vpc-lattice-svcs.us-west-2.on.aws", "a.".repeat(120));
    assert!(matches!(
        LatticeName::parse(&too_long),
        Err(NameError::LatticeName {
            problem: LatticeNameProblem::TooLong(_),
            ..
        })
    ));
}

#[test]
fn parse_is_lenient_on_service_name_rules_but_from_parts_is_not() {
    // Two hyphens in a row and a 2-character name break the creation rules,
    // but a generated name carrying them still parses.
    let name =
        LatticeName::parse("my--svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws")
            .unwrap();
    assert_eq!(name.service_name(), "my--svc");
    assert!(
        LatticeName::parse("ab-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws")
            .is_ok()
    );
    let id: crate::arn::ServiceId = "svc-0123456789abcdef0".parse().unwrap();
    for bad in ["my--svc", "ab", "-abc", "abc-", "My-Svc", &"a".repeat(41)] {
        assert!(
            matches!(
                LatticeName::from_parts(bad, &id, "7d67968", "us-west-2"),
                Err(NameError::ServiceName { .. })
            ),
            "{bad}"
        );
    }
    assert!(LatticeName::from_parts("abc", &id, "7d-67968", "us-west-2").is_err());
    assert!(LatticeName::from_parts("abc", &id, "7d67968", "moon-1").is_err());
}

#[test]
fn service_name_rules() {
    for ok in ["abc", "my-service", "a1-b2-c3", &"a".repeat(40)] {
        assert!(validate_service_name(ok).is_ok(), "{ok}");
    }
    let problem = |s: &str| match validate_service_name(s) {
        Err(NameError::ServiceName { problem, .. }) => problem,
        other => panic!("{s}: {other:?}"),
    };
    assert_eq!(problem("ab"), ServiceNameProblem::Length(2));
    assert_eq!(problem(&"a".repeat(41)), ServiceNameProblem::Length(41));
    assert_eq!(problem("My-svc"), ServiceNameProblem::Characters);
    assert_eq!(problem("my_svc"), ServiceNameProblem::Characters);
    assert_eq!(problem("-my-svc"), ServiceNameProblem::Edge);
    assert_eq!(problem("my-svc-"), ServiceNameProblem::Edge);
    assert_eq!(problem("my--svc"), ServiceNameProblem::DoubleHyphen);
}

// ----- regions -----

#[test]
fn regions() {
    for ok in [
        "us-west-2",
        "eu-central-1",
        "us-gov-west-1",
        "cn-north-1",
        "ap-southeast-2",
        "il-central-1",
        "us-isob-east-1",
        "eusc-de-east-1",
    ] {
        assert!(is_region(ok), "{ok}");
        assert!(DomainRegion::region(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "us",
        "us-west",
        "uswest2",
        "US-WEST-2",
        "us_west_2",
        "-us-west-2",
        "us--west-2",
        "us-west-2-",
        "u-west-2",
        "us-west-1234",
        "us-west-2a",
        "us-west-*",
        "*",
        "us-1",
    ] {
        assert!(!is_region(bad), "{bad}");
        assert!(DomainRegion::region(bad).is_err(), "{bad}");
    }
    let err = DomainRegion::region("*").unwrap_err();
    assert!(matches!(
        err,
        NameError::Region {
            problem: RegionProblem::WildcardNeedsRegionSet,
            ..
        }
    ));
    let err = DomainRegion::region("US-WEST-2").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid signing region `US-WEST-2`: it is not a region such as `us-west-2`, `eu-central-1` or `us-gov-west-1`"
    );
}

#[test]
fn region_sets() {
    for ok in [
        vec!["*"],
        vec!["us-*"],
        vec!["us-east-*", "eu-west-1"],
        vec!["us-east-1", "us-west-2"],
        vec!["us-gov-*"],
    ] {
        let set = DomainRegion::region_set(ok.clone()).unwrap();
        assert!(set.is_region_set());
        assert_eq!(set.to_string(), ok.join(","));
    }
    for bad in [
        vec![],
        vec!["us*"],
        vec!["*-east-1"],
        vec!["**"],
        vec!["us-east-1", ""],
        vec!["u-*"],
        vec!["US-*"],
    ] {
        assert!(DomainRegion::region_set(bad.clone()).is_err(), "{bad:?}");
    }
    assert!(matches!(
        DomainRegion::region_set(Vec::<String>::new()),
        Err(NameError::Region {
            problem: RegionProblem::EmptySet,
            ..
        })
    ));
    let err = DomainRegion::region_set(["us-east-1", "mars"]).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "invalid signing region `mars`: it is not a region such as `us-west-2`, `*`"
        ),
        "{err}"
    );
}

// ----- domains -----

/// Four labels of 63 characters: 255 characters, longer than a domain may be.
fn four_full_labels() -> String {
    ["a", "b", "c", "d"].map(|c| c.repeat(63)).join(".")
}

#[test]
fn domain_patterns() {
    for (input, canonical, wildcard) in [
        ("orders.example.internal", "orders.example.internal", false),
        ("Orders.Example.Internal.", "orders.example.internal", false),
        ("*.example.internal", "*.example.internal", true),
        ("*.EXAMPLE.internal.", "*.example.internal", true),
        ("localhost", "localhost", false),
        ("*.internal", "*.internal", true),
        ("a-b.c1.d", "a-b.c1.d", false),
    ] {
        let p = DomainPattern::parse(input).unwrap();
        assert_eq!(p.as_str(), canonical);
        assert_eq!(p.is_wildcard(), wildcard);
        assert_eq!(p.to_string().parse::<DomainPattern>().unwrap(), p);
    }
    use DomainProblem as D;
    let label63 = "a".repeat(63);
    let label64 = "a".repeat(64);
    assert!(DomainPattern::parse(&format!("{label63}.example")).is_ok());
    let long = four_full_labels();
    let cases: Vec<(String, D)> = vec![
        ("".into(), D::Empty),
        (".".into(), D::Empty),
        ("*".into(), D::WildcardAlone),
        ("*.".into(), D::WildcardAlone),
        ("*..".into(), D::WildcardAlone),
        ("a..b".into(), D::EmptyLabel),
        (".a.b".into(), D::EmptyLabel),
        ("a.b..".into(), D::EmptyLabel),
        ("a.*.example.internal".into(), D::Wildcard),
        ("*.*.example.internal".into(), D::Wildcard),
        ("foo*.example.internal".into(), D::Wildcard),
        ("**.example.internal".into(), D::Wildcard),
        (
            format!("{label64}.example"),
            D::LabelTooLong(label64.clone()),
        ),
        (
            "my_svc.example.internal".into(),
            D::LabelCharacters("my_svc".into()),
        ),
        ("a b.example".into(), D::LabelCharacters("a b".into())),
        (
            "ex\u{e4}mple.internal".into(),
            D::LabelCharacters("ex\u{e4}mple".into()),
        ),
        ("-a.example".into(), D::LabelHyphen("-a".into())),
        ("a.example-".into(), D::LabelHyphen("example-".into())),
        (long.clone(), D::TooLong(long.len())),
        (
            "orders.example.internal:443".into(),
            D::LabelCharacters("internal:443".into()),
        ),
    ];
    for (input, want) in cases {
        match DomainPattern::parse(&input) {
            Err(NameError::Domain { problem, .. }) => assert_eq!(problem, want, "{input}"),
            other => panic!("{input}: {other:?}"),
        }
    }
    let err = DomainPattern::parse("a.*.example.internal").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid domain `a.*.example.internal`: `*` is only allowed as the whole first label, as in `*.example.internal`"
    );
}

#[test]
fn custom_domains() {
    // The fake's example configuration and what its own check accepted.
    for ok in [
        "billing.example.internal",
        "Orders.Example.Internal.",
        "a-b.c1.d",
        "x.y",
    ] {
        validate_custom_domain(ok).unwrap();
    }
    use DomainProblem as D;
    let long = four_full_labels();
    let cases: Vec<(String, D)> = vec![
        ("".into(), D::Empty),
        (".".into(), D::Empty),
        ("*".into(), D::WildcardNotAllowed),
        ("*.example.internal".into(), D::WildcardNotAllowed),
        ("a.*.example.internal".into(), D::WildcardNotAllowed),
        ("localhost".into(), D::SingleLabel),
        ("localhost.".into(), D::SingleLabel),
        ("a..b".into(), D::EmptyLabel),
        ("-a.example".into(), D::LabelHyphen("-a".into())),
        ("my_svc.example".into(), D::LabelCharacters("my_svc".into())),
        (
            "orders.example.internal:443".into(),
            D::LabelCharacters("internal:443".into()),
        ),
        (
            format!("{}.example", "a".repeat(64)),
            D::LabelTooLong("a".repeat(64)),
        ),
        (long.clone(), D::TooLong(long.len())),
    ];
    for (input, want) in cases {
        match validate_custom_domain(&input) {
            Err(NameError::Domain {
                problem,
                input: shown,
            }) => {
                assert_eq!(problem, want, "{input}");
                assert_eq!(shown, crate::text::excerpt(&input));
            }
            other => panic!("{input}: {other:?}"),
        }
    }
    assert_eq!(
        validate_custom_domain("*.example.internal")
            .unwrap_err()
            .to_string(),
        "invalid domain `*.example.internal`: a service's custom domain is one exact name such as `orders.example.internal`; `*` is not allowed"
    );
    assert_eq!(
        validate_custom_domain("localhost").unwrap_err().to_string(),
        "invalid domain `localhost`: a custom domain needs at least two labels, such as `orders.example.internal`"
    );
}

/// The trait set every string newtype of this module has, all by text.
#[test]
fn string_newtype_traits() {
    use std::collections::HashSet;
    let a = LatticeName::parse(REAL[0].0).unwrap();
    let b = LatticeName::parse(REAL[2].0).unwrap();
    assert_eq!(format!("{a:?}"), format!("LatticeName({:?})", REAL[0].0));
    assert_eq!(a.as_ref(), REAL[0].0);
    assert_eq!(LatticeName::try_from(REAL[0].0).unwrap(), a);
    assert_eq!(a.cmp(&b), REAL[0].0.cmp(REAL[2].0));
    let names: HashSet<LatticeName> = [a.clone(), b, a.clone()].into_iter().collect();
    assert_eq!(names.len(), 2);

    let p = DomainPattern::parse("*.example.internal").unwrap();
    let q = DomainPattern::try_from("orders.example.internal").unwrap();
    assert_eq!(format!("{p:?}"), "DomainPattern(\"*.example.internal\")");
    assert_eq!(p.as_ref(), "*.example.internal");
    assert!(p < q);
    let patterns: HashSet<DomainPattern> = [p.clone(), q, p].into_iter().collect();
    assert_eq!(patterns.len(), 2);
}

#[test]
fn wildcard_matches_one_label() {
    let p = DomainPattern::parse("*.example.internal").unwrap();
    assert!(p.matches("orders.example.internal"));
    assert!(p.matches("ORDERS.Example.Internal."));
    assert!(!p.matches("a.b.example.internal"));
    assert!(!p.matches("example.internal"));
    assert!(!p.matches(".example.internal"));
    assert!(!p.matches("*.example.internal"));
    assert!(!p.matches("orders.example.internal.evil"));
    assert!(!p.matches("ordersexample.internal"));
    let exact = DomainPattern::parse("orders.example.internal").unwrap();
    assert!(exact.matches("Orders.Example.Internal."));
    assert!(!exact.matches("x.orders.example.internal"));
    assert_eq!(exact.domain(), "orders.example.internal");
}

// ----- custom domain table -----

fn region(r: &str) -> DomainRegion {
    DomainRegion::region(r).unwrap()
}

#[test]
fn exact_wins_over_wildcard() {
    // Insert in both orders: precedence must not depend on it.
    for flip in [false, true] {
        let mut table = CustomDomains::new();
        let entries = [
            ("*.example.internal", region("us-west-2")),
            ("billing.example.internal", region("eu-central-1")),
        ];
        let order: Vec<_> = if flip {
            entries.iter().rev().collect()
        } else {
            entries.iter().collect()
        };
        for (p, r) in order {
            assert_eq!(table.insert(p.parse().unwrap(), r.clone()).unwrap(), None);
        }
        assert_eq!(
            table.get("billing.example.internal"),
            Some(&region("eu-central-1"))
        );
        assert_eq!(
            table.get("orders.example.internal"),
            Some(&region("us-west-2"))
        );
        let (pattern, _) = table.lookup("orders.example.internal").unwrap();
        assert_eq!(pattern.as_str(), "*.example.internal");
        assert_eq!(table.len(), 2);
    }
}

#[test]
fn lookup_ignores_case_and_trailing_dot() {
    let table = CustomDomains::new()
        .with("Orders.Example.Internal", region("us-east-1"))
        .unwrap()
        .with(
            "*.svc.example.internal.",
            DomainRegion::region_set(["*"]).unwrap(),
        )
        .unwrap();
    for host in [
        "orders.example.internal",
        "ORDERS.EXAMPLE.INTERNAL",
        "orders.example.internal.",
        "oRdErS.example.INTERNAL.",
    ] {
        assert_eq!(table.get(host), Some(&region("us-east-1")), "{host}");
    }
    for host in ["a.svc.example.internal", "A.SVC.EXAMPLE.INTERNAL."] {
        assert!(
            table.get(host).is_some_and(DomainRegion::is_region_set),
            "{host}"
        );
    }
    for host in [
        "",
        ".",
        "svc.example.internal",
        "a.b.svc.example.internal",
        "*.svc.example.internal",
        ".svc.example.internal",
        "orders.example.internal..",
        "orders.example.internal:443",
        "example.internal",
        "xorders.example.internal",
    ] {
        assert_eq!(table.get(host), None, "{host}");
    }
}

#[test]
fn insert_replace_remove() {
    let mut table = CustomDomains::new();
    let p: DomainPattern = "orders.example.internal".parse().unwrap();
    assert_eq!(table.insert(p.clone(), region("us-east-1")).unwrap(), None);
    assert_eq!(
        table.insert(p.clone(), region("us-west-2")).unwrap(),
        Some(region("us-east-1"))
    );
    assert_eq!(table.len(), 1);
    // Invalid regions are rejected and leave the table unchanged.
    assert!(
        table
            .insert(p.clone(), DomainRegion::Region("*".into()))
            .is_err()
    );
    assert!(
        table
            .insert(p.clone(), DomainRegion::RegionSet(vec![]))
            .is_err()
    );
    assert!(
        table
            .insert(
                "x.example".parse().unwrap(),
                DomainRegion::Region("US-EAST-1".into())
            )
            .is_err()
    );
    assert_eq!(
        table.get("orders.example.internal"),
        Some(&region("us-west-2"))
    );
    assert_eq!(table.len(), 1);
    assert!(
        CustomDomains::new()
            .with("bad_domain", region("us-east-1"))
            .is_err()
    );
    assert_eq!(table.remove(&p), Some(region("us-west-2")));
    assert_eq!(table.remove(&p), None);
    assert!(table.is_empty());
}

#[test]
fn iter_is_sorted() {
    let table = CustomDomains::new()
        .with("b.example", region("us-east-1"))
        .unwrap()
        .with("*.example", region("us-east-2"))
        .unwrap()
        .with("a.example", region("us-west-1"))
        .unwrap();
    let keys: Vec<_> = table.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(keys, ["*.example", "a.example", "b.example"]);
}

#[test]
fn excerpt_shortens_on_char_boundary() {
    let s = "é".repeat(300);
    let e = excerpt(&s);
    assert!(e.len() <= 204);
    assert!(e.ends_with('…'));
    assert_eq!(excerpt("short"), "short");
}

// ----- properties -----

fn service_name() -> impl Strategy<Value = String> {
    // Valid creation names: 3–40, alnum at both ends, no `--`.
    "[a-z0-9]{1,5}(-[a-z0-9]{1,5}){0,5}"
        .prop_filter("3..=40 chars", |s| (3..=40).contains(&s.len()))
}
fn region_s() -> impl Strategy<Value = String> {
    "[a-z]{2,4}(-[a-z]{1,9}){1,2}-[0-9]{1,2}"
}
fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?"
}

proptest! {
    #[test]
    fn names_round_trip(
        name in service_name(),
        id in "[0-9a-z]{16,20}",
        partition in "[0-9a-z]{1,12}",
        region in region_s(),
    ) {
        let sid = crate::arn::ServiceId::from_suffix(&id).unwrap();
        let built = LatticeName::from_parts(&name, &sid, &partition, &region).unwrap();
        let text = built.to_string();
        let back: LatticeName = text.parse().unwrap();
        prop_assert_eq!(&back, &built);
        prop_assert_eq!(back.service_name(), name.as_str());
        prop_assert_eq!(back.service_id(), &sid);
        prop_assert_eq!(back.partition(), partition.as_str());
        prop_assert_eq!(back.region(), region.as_str());
        prop_assert_eq!(LatticeName::region_of(&text), Some(region.as_str()));
        // Case and trailing dot do not change the parsed value.
        let upper = format!("{}.", text.to_ascii_uppercase());
        prop_assert_eq!(LatticeName::parse(&upper).unwrap(), built);
    }

    #[test]
    fn domain_patterns_round_trip(labels in proptest::collection::vec(label(), 1..5), wild in any::<bool>(), dot in any::<bool>()) {
        let domain = labels.join(".");
        let text = if wild { format!("*.{domain}") } else { domain.clone() };
        let p = DomainPattern::parse(&if dot { format!("{text}.") } else { text.clone() }).unwrap();
        prop_assert_eq!(p.as_str(), text.as_str());
        prop_assert_eq!(p.to_string().parse::<DomainPattern>().unwrap(), p.clone());
        prop_assert_eq!(p.domain(), domain.as_str());
        // A wildcard matches exactly one more label; an exact pattern only itself.
        prop_assert_eq!(p.matches(&format!("x.{domain}")), wild);
        prop_assert_eq!(p.matches(&domain), !wild);
        let two_deeper = format!("x.y.{domain}");
        prop_assert!(!p.matches(&two_deeper));
        let table = CustomDomains::new().with(&text, DomainRegion::region("us-east-1").unwrap()).unwrap();
        prop_assert_eq!(table.get(&format!("x.{}", domain.to_ascii_uppercase())).is_some(), wild);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_all(&s);
    }

    #[test]
    fn name_like_strings_never_panic(s in "[a-zA-Z0-9.*_-]{0,40}(\\.vpc-lattice-svcs\\.[a-zA-Z0-9-]{0,12}\\.on\\.aws\\.?)?") {
        check_all(&s);
    }

    #[test]
    fn parse_and_region_of_agree(s in "([a-z0-9-]{0,24}\\.){0,3}(vpc-lattice-svcs\\.)?[a-z0-9-]{0,12}(\\.on\\.aws)?\\.?") {
        let parsed = LatticeName::parse(&s);
        prop_assert_eq!(parsed.is_ok(), LatticeName::region_of(&s).is_some());
        if let Ok(name) = parsed {
            prop_assert_eq!(Some(name.region()), LatticeName::region_of(&s));
            prop_assert_eq!(name.to_string().parse::<LatticeName>().unwrap(), name.clone());
        }
    }
}

fn check_all(s: &str) {
    let parsed = LatticeName::parse(s);
    assert_eq!(parsed.is_ok(), LatticeName::region_of(s).is_some());
    if let Ok(name) = parsed {
        let _ = (
            name.service_name(),
            name.service_id(),
            name.partition(),
            name.region(),
        );
    } else if let Err(e) = parsed {
        let _ = e.to_string();
    }
    let _ = is_region(s);
    let _ = validate_service_name(s);
    if validate_custom_domain(s).is_ok() {
        assert!(DomainPattern::parse(s).is_ok_and(|p| !p.is_wildcard() && p.matches(s)));
    }
    let _ = DomainRegion::region(s);
    let _ = DomainRegion::region_set(s.split(','));
    if let Ok(p) = DomainPattern::parse(s) {
        assert!(p.is_wildcard() || p.matches(s));
    }
    let table = CustomDomains::new()
        .with(
            "*.example.internal",
            DomainRegion::region("us-east-1").unwrap(),
        )
        .unwrap()
        .with(
            "a.example.internal",
            DomainRegion::region("us-east-2").unwrap(),
        )
        .unwrap();
    let _ = table.lookup(s);
}
