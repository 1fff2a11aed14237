use super::*;
use proptest::prelude::*;

// ----- ids and ARNs from AWS documentation and published examples -----

#[test]
fn documented_service_arns() {
    for (s, region, account, id) in [
        (
            "arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c",
            "us-east-2",
            "123456789012",
            "svc-0a40eebed65f8d69c",
        ),
        (
            "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b",
            "us-east-1",
            "123456789012",
            "svc-0725375ee8851076b",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0",
            "us-west-2",
            "123456789012",
            "svc-0123456789abcdef0",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0e5f3d2b3db4c7962",
            "us-west-2",
            "111122223333",
            "svc-0e5f3d2b3db4c7962",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0b1f56d26672bf677",
            "us-west-2",
            "111122223333",
            "svc-0b1f56d26672bf677",
        ),
    ] {
        let arn: ServiceArn = s.parse().unwrap();
        assert_eq!(arn.partition(), "aws");
        assert_eq!(arn.region(), region);
        assert_eq!(arn.account(), account);
        assert_eq!(arn.id(), &id);
        assert_eq!(arn.to_string(), s);
        let generic: Arn = s.parse().unwrap();
        assert_eq!(generic.service(), "vpc-lattice");
        assert_eq!(ServiceArn::try_from(generic).unwrap(), arn);
    }
}

#[test]
fn documented_other_arns() {
    for s in [
        "arn:aws:vpc-lattice:us-east-2:123456789012:servicenetwork/sn-0bf3f2882e9cc805a",
        "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0827fa025cfa385f2",
        "arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-0123456789abcdef0",
    ] {
        let arn: ServiceNetworkArn = s.parse().unwrap();
        assert_eq!(arn.to_string(), s);
        assert!(arn.id().as_str().starts_with("sn-"));
    }
    for (s, id) in [
        (
            "arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-06d0ecf831eec9f09",
            "tg-06d0ecf831eec9f09",
        ),
        // 16 characters after `tg-` in the Service Authorization Reference example.
        (
            "arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-6d0ecf831eec9f09",
            "tg-6d0ecf831eec9f09",
        ),
        (
            "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-02dd764d44bb49a8c",
            "tg-02dd764d44bb49a8c",
        ),
    ] {
        let arn: TargetGroupArn = s.parse().unwrap();
        assert_eq!(arn.id(), &id);
        assert_eq!(arn.to_string(), s);
    }
    for (s, region) in [
        (
            "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339",
            "us-east-2",
        ),
        (
            "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0",
            "us-east-1",
        ),
    ] {
        let arn: VpcArn = s.parse().unwrap();
        assert_eq!(arn.region(), region);
        assert_eq!(arn.to_string(), s);
    }
    // Bare ids from the same sources.
    assert!("vpc-0123456789abcdef0".parse::<VpcId>().is_ok());
    assert!("vpc-1a2b3c4d".parse::<VpcId>().is_ok());
    assert!("svc-0cfe1f49ff3266204".parse::<ServiceId>().is_ok());
    assert!("svc-0b17e5b0e8a993adf".parse::<ServiceId>().is_ok());
}

#[test]
fn documented_principals() {
    let p: PrincipalArn = "arn:aws:iam::123456789012:role/rates-client"
        .parse()
        .unwrap();
    assert_eq!(p.kind(), PrincipalKind::Role);
    assert_eq!(p.service(), "iam");
    assert_eq!(p.account(), "123456789012");
    assert_eq!(p.name(), Some("rates-client"));
    assert_eq!(p.path(), Some("/"));
    assert_eq!(p.session(), None);

    for (s, role, session) in [
        (
            "arn:aws:sts::123456789012:assumed-role/my-role/my-session",
            "my-role",
            "my-session",
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7",
            "orders-client",
            "i-0c7de02a688bde9f7",
        ),
        (
            "arn:aws:sts::123456789012:assumed-role/EnvoyFrontendTaskRole/503e18cee581465f914c75291291e98e",
            "EnvoyFrontendTaskRole",
            "503e18cee581465f914c75291291e98e",
        ),
    ] {
        let p: PrincipalArn = s.parse().unwrap();
        assert_eq!(p.kind(), PrincipalKind::AssumedRole);
        assert_eq!(p.service(), "sts");
        assert_eq!(p.name(), Some(role));
        assert_eq!(p.session(), Some(session));
        assert_eq!(p.path(), None);
        assert_eq!(p.to_string(), s);
    }
}

#[test]
fn principal_kinds() {
    let root: PrincipalArn = "arn:aws:iam::111122223333:root".parse().unwrap();
    assert_eq!(root.kind(), PrincipalKind::Root);
    assert_eq!(
        (root.name(), root.path(), root.session()),
        (None, None, None)
    );

    let user: PrincipalArn = "arn:aws-cn:iam::111122223333:user/division_abc/subdivision_xyz/Jane"
        .parse()
        .unwrap();
    assert_eq!(user.kind(), PrincipalKind::User);
    assert_eq!(user.partition(), "aws-cn");
    assert_eq!(user.path(), Some("/division_abc/subdivision_xyz/"));
    assert_eq!(user.name(), Some("Jane"));

    let role: PrincipalArn = "arn:aws:iam::111122223333:role/service-role/my.role@x"
        .parse()
        .unwrap();
    assert_eq!(role.path(), Some("/service-role/"));
    assert_eq!(role.name(), Some("my.role@x"));

    let fed: PrincipalArn = "arn:aws:sts::111122223333:federated-user/Bob"
        .parse()
        .unwrap();
    assert_eq!(fed.kind(), PrincipalKind::FederatedUser);
    assert_eq!(fed.name(), Some("Bob"));
    assert_eq!(fed.session(), None);

    let generic: Arn = "arn:aws:iam::111122223333:root".parse().unwrap();
    assert_eq!(PrincipalArn::try_from(generic).unwrap(), root);
}

#[test]
fn principal_rejections() {
    for (s, needle) in [
        ("arn:aws:iam::111122223333:assumed-role/r/s", "the resource"),
        ("arn:aws:sts::111122223333:role/r", "the resource"),
        (
            "arn:aws:sts::111122223333:assumed-role/only-role",
            "the resource",
        ),
        (
            "arn:aws:sts::111122223333:assumed-role/r/s/extra",
            "the resource",
        ),
        ("arn:aws:sts::111122223333:assumed-role//s", "the name ``"),
        (
            "arn:aws:sts::111122223333:assumed-role/r/",
            "the session name ``",
        ),
        ("arn:aws:iam::111122223333:role/", "the name ``"),
        ("arn:aws:iam::111122223333:role/path//", "the name ``"),
        (
            "arn:aws:iam::111122223333:role/bad name",
            "the name `bad name`",
        ),
        ("arn:aws:iam::111122223333:role//x", "the path `//`"),
        ("arn:aws:iam::111122223333:rootx", "the resource"),
        ("arn:aws:iam::111122223333:group/admins", "the resource"),
        ("arn:aws:iam:us-east-1:111122223333:root", "must be empty"),
        ("arn:aws:iam::11112222333:root", "12-digit"),
        ("arn:aws:iam::aws:root", "12-digit"),
        ("arn:aws:s3::111122223333:root", "is not `iam` or `sts`"),
        ("arn:aws:sts::111122223333:federated-user/", "the name ``"),
    ] {
        let err = s.parse::<PrincipalArn>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(needle), "{s}: {msg}");
        assert!(msg.starts_with("invalid principal ARN `"), "{msg}");
    }
}

// ----- ids -----

#[test]
fn id_lengths_and_alphabet() {
    assert!(ServiceId::parse("svc-0123456789abcdef").is_ok()); // 16
    assert!(ServiceId::parse("svc-0123456789abcdef0123").is_ok()); // 20
    assert!(ServiceId::parse("svc-0123456789abcde").is_err()); // 15
    assert!(ServiceId::parse("svc-0123456789abcdef01234").is_err()); // 21
    assert!(ServiceId::parse("svc-0123456789ABCDEF0").is_err());
    assert!(ServiceId::parse("svc_0123456789abcdef0").is_err());
    assert!(ServiceId::parse("sn-0123456789abcdef0").is_err());
    assert!(ServiceId::parse("").is_err());
    assert!(ServiceId::parse("svc-").is_err());
    assert!(ServiceId::parse("svc-0123456789abcdé0").is_err());
    assert!(ListenerId::parse("listener-0123456789abcdef0123").is_ok());
    assert!(VpcId::parse("vpc-1a2b3c4").is_err());
    assert!(ServiceId::from_suffix("0123456789abcdef0").is_ok());
    assert!(ServiceId::from_suffix("0123456789abcdef0123456789").is_err());
    assert!(ServiceId::from_suffix("svc-0123456789abcdef0").is_err());
}

#[test]
fn id_error_message() {
    let err = "svc-123".parse::<ServiceId>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid service id `svc-123`: expected `svc-` followed by 16–20 lower-case letters or digits, such as `svc-0123456789abcdef0`"
    );
    assert!(matches!(
        err,
        ArnError::Id {
            kind: IdKind::Service,
            ..
        }
    ));
}

#[test]
fn id_traits() {
    use std::collections::HashMap;
    let id: ServiceId = "svc-0123456789abcdef0".parse().unwrap();
    assert_eq!(format!("{id:?}"), "ServiceId(\"svc-0123456789abcdef0\")");
    let mut map = HashMap::new();
    map.insert(id.clone(), 1);
    assert_eq!(map.get("svc-0123456789abcdef0"), Some(&1));
    let other: ServiceId = "svc-0123456789abcdef1".parse().unwrap();
    assert!(id < other);
    let short: ServiceId = "svc-0123456789abcdef".parse().unwrap();
    assert!(short < id);
}

#[test]
fn account_ids() {
    let account = AccountId::parse("111122223333").unwrap();
    assert_eq!(account.as_str(), "111122223333");
    assert_eq!(account, "111122223333");
    assert_eq!(format!("{account:?}"), "AccountId(\"111122223333\")");
    assert_eq!(account.to_string().parse::<AccountId>().unwrap(), account);
    for bad in [
        "",
        "11112222333",
        "1111222233334",
        "1111-2222-333",
        "11112222333a",
        "aws",
        "１１１１２２２２３３３３",
    ] {
        let err = AccountId::parse(bad).unwrap_err();
        assert!(
            matches!(err, ArnError::Account { ref input } if input == bad),
            "{bad}"
        );
    }
    assert_eq!(
        AccountId::parse("1234").unwrap_err().to_string(),
        "invalid account id `1234`: expected 12 digits such as `111122223333`"
    );
}

/// Every value the fake's own checks accept today (ids of `svc-`/`sn-`/`tg-`
/// and 17 lower-case hex digits, VPC ids of 8 or 17, 12-digit accounts) and
/// every value of `examples/fake/lattice.yaml` parses with this module.
#[test]
fn values_the_fake_accepts_today_parse() {
    for id in ["svc-0123456789abcdef0", "svc-0a40eebed65f8d69c"] {
        ServiceId::parse(id).unwrap();
    }
    ServiceNetworkId::parse("sn-0123456789abcdef0").unwrap();
    TargetGroupId::parse("tg-0123456789abcdef0").unwrap();
    for vpc in [
        "vpc-0a1b2c3d4e5f60718",
        "vpc-0f1e2d3c4b5a69788",
        "vpc-1a2b3c4d",
    ] {
        VpcId::parse(vpc).unwrap();
    }
    AccountId::parse("111122223333").unwrap();
}

/// The trait set every string newtype of this module has.
#[test]
fn every_type_has_the_string_newtype_traits() {
    fn check<T>(text: &str, other: &str)
    where
        T: std::fmt::Debug
            + std::fmt::Display
            + std::str::FromStr<Err = ArnError>
            + for<'a> TryFrom<&'a str, Error = ArnError>
            + AsRef<str>
            + Clone
            + Eq
            + std::hash::Hash
            + Ord,
    {
        use std::collections::HashSet;
        let a: T = text.parse().unwrap();
        let b = T::try_from(other).unwrap();
        assert_eq!(a.to_string(), text);
        assert_eq!(a.as_ref(), text);
        assert!(
            format!("{a:?}").ends_with(&format!("(\"{text}\")")),
            "{a:?}"
        );
        // Ordered, compared and hashed by text.
        assert_eq!(a.cmp(&b), text.cmp(other));
        assert_eq!(a.partial_cmp(&b), Some(text.cmp(other)));
        assert_ne!(a, b);
        let set: HashSet<T> = [a.clone(), b, a.clone()].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains(&a));
        assert!("not one of these".parse::<T>().is_err());
    }
    fn check_borrow<T>(value: T, text: &str)
    where
        T: std::borrow::Borrow<str> + Eq + std::hash::Hash + PartialEq<str>,
        for<'a> T: PartialEq<&'a str>,
    {
        assert!(value == *text);
        assert!(value == text);
        let set: std::collections::HashSet<T> = [value].into_iter().collect();
        assert!(set.contains(text));
    }
    let svc = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
    let svc2 = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef1";
    check::<Arn>("arn:aws:s3:::a-bucket", "arn:aws:s3:::b-bucket");
    check::<ServiceArn>(svc, svc2);
    check::<ServiceNetworkArn>(
        "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0",
        "arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0",
    );
    check::<TargetGroupArn>(
        "arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0123456789abcdef0",
        "arn:aws:vpc-lattice:us-west-2:111122223334:targetgroup/tg-0123456789abcdef0",
    );
    check::<ListenerArn>(
        &format!("{svc}/listener/listener-0123456789abcdef0"),
        &format!("{svc2}/listener/listener-0123456789abcdef0"),
    );
    check::<RuleArn>(
        &format!("{svc}/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0"),
        &format!("{svc}/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef1"),
    );
    check::<VpcArn>(
        "arn:aws:ec2:us-west-2:111122223333:vpc/vpc-1a2b3c4d",
        "arn:aws:ec2:us-west-2:111122223333:vpc/vpc-1a2b3c4e",
    );
    check::<PrincipalArn>(
        "arn:aws:iam::111122223333:role/a",
        "arn:aws:sts::111122223333:assumed-role/a/s",
    );
    check::<AccountId>("111122223333", "111122223334");
    for (a, b) in [
        ("svc-0123456789abcdef0", "svc-0123456789abcdef1"),
        ("sn-0123456789abcdef0", "sn-0123456789abcdef"),
        ("tg-0123456789abcdef0", "tg-1123456789abcdef0"),
        ("listener-0123456789abcdef0", "listener-0123456789abcdef00"),
        ("rule-0123456789abcdef0", "rule-0123456789abcdefa"),
        ("vpc-1a2b3c4d", "vpc-0123456789abcdef0"),
    ] {
        match a.split_once('-').map(|(p, _)| p) {
            Some("svc") => check::<ServiceId>(a, b),
            Some("sn") => check::<ServiceNetworkId>(a, b),
            Some("tg") => check::<TargetGroupId>(a, b),
            Some("listener") => check::<ListenerId>(a, b),
            Some("rule") => check::<RuleId>(a, b),
            _ => check::<VpcId>(a, b),
        }
    }
    check_borrow(
        ServiceId::parse("svc-0123456789abcdef0").unwrap(),
        "svc-0123456789abcdef0",
    );
    check_borrow(VpcId::parse("vpc-1a2b3c4d").unwrap(), "vpc-1a2b3c4d");
    check_borrow(AccountId::parse("111122223333").unwrap(), "111122223333");
}

// ----- invoke resource -----

#[test]
fn invoke_resource() {
    let arn: ServiceArn =
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
            .parse()
            .unwrap();
    let base = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
    for (path, want) in [
        ("/orders/42", format!("{base}/orders/42")),
        ("/orders/42?expand=items&x=1", format!("{base}/orders/42")),
        ("/", format!("{base}/")),
        ("", format!("{base}/")),
        ("?q=1", format!("{base}/")),
        ("/pkg.Svc/Method", format!("{base}/pkg.Svc/Method")),
        (
            "/api.parking/GetRates",
            format!("{base}/api.parking/GetRates"),
        ),
        ("rates", format!("{base}/rates")),
        ("/a%20b", format!("{base}/a%20b")),
        ("/x#frag", format!("{base}/x")),
    ] {
        assert_eq!(arn.invoke_resource(path), want, "{path:?}");
    }
    // The observed denial texts.
    let svc: ServiceArn =
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0e5f3d2b3db4c7962"
            .parse()
            .unwrap();
    assert_eq!(
        svc.invoke_resource("/"),
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0e5f3d2b3db4c7962/"
    );
    let svc: ServiceArn =
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0b1f56d26672bf677"
            .parse()
            .unwrap();
    assert!(
        svc.invoke_resource("/parking")
            .ends_with("/svc-0b1f56d26672bf677/parking")
    );
}

#[test]
fn from_parts() {
    let id: ServiceId = "svc-0123456789abcdef0".parse().unwrap();
    let arn = ServiceArn::from_parts("aws", "us-west-2", "111122223333", id.clone()).unwrap();
    assert_eq!(
        arn.as_str(),
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
    );
    let err = ServiceArn::from_parts("aws", "us-west-2", "1111", id.clone()).unwrap_err();
    assert!(
        err.to_string()
            .contains("the account `1111` is not a 12-digit account id")
    );
    assert!(ServiceArn::from_parts("aws", "", "111122223333", id.clone()).is_err());
    assert!(ServiceArn::from_parts("AWS", "us-west-2", "111122223333", id).is_err());

    let listener = ListenerArn::from_parts(&arn, "listener-0123456789abcdef0".parse().unwrap());
    assert_eq!(
        listener,
        listener.to_string().parse::<ListenerArn>().unwrap()
    );
    assert_eq!(listener.service_arn(), arn);
    let rule = RuleArn::from_parts(&listener, "rule-0123456789abcdef0".parse().unwrap());
    assert_eq!(rule, rule.to_string().parse::<RuleArn>().unwrap());
    assert_eq!(rule.listener_arn(), listener);
    assert_eq!(rule.service_arn(), arn);
    assert_eq!(rule.region(), "us-west-2");

    let vpc = VpcArn::from_parts(
        "aws",
        "us-east-2",
        "123456789012",
        "vpc-0b8276c84697e7339".parse().unwrap(),
    )
    .unwrap();
    assert_eq!(
        vpc.as_str(),
        "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339"
    );
}

// ----- rejections -----

#[test]
fn service_arn_rejections() {
    let ok = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
    assert!(ok.parse::<ServiceArn>().is_ok());
    for (s, needle) in [
        ("", "does not start with `arn:`"),
        ("svc-0123456789abcdef0", "does not start with `arn:`"),
        (
            "ARN:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
            "does not start with `arn:`",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333",
            "it has 5 `:`-separated fields",
        ),
        ("arn:", "it has 2 `:`-separated fields"),
        (
            "arn::vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
            "the partition ``",
        ),
        (
            "arn:aws:ec2:us-west-2:111122223333:service/svc-0123456789abcdef0",
            "the service `ec2` is not `vpc-lattice`",
        ),
        (
            "arn:aws:vpc-lattice-svcs:us-west-2:111122223333:service/svc-0123456789abcdef0",
            "is not `vpc-lattice`",
        ),
        (
            "arn:aws:vpc-lattice::111122223333:service/svc-0123456789abcdef0",
            "the region is empty",
        ),
        (
            "arn:aws:vpc-lattice:US-WEST-2:111122223333:service/svc-0123456789abcdef0",
            "the region `US-WEST-2` is not a region such as `us-west-2`",
        ),
        (
            "arn:aws:vpc-lattice:us-west:111122223333:service/svc-0123456789abcdef0",
            "the region `us-west`",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:11112222333:service/svc-0123456789abcdef0",
            "the account `11112222333` is not a 12-digit",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:1111222233334:service/svc-0123456789abcdef0",
            "the account `1111222233334`",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:11112222333a:service/svc-0123456789abcdef0",
            "the account `11112222333a`",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2::service/svc-0123456789abcdef0",
            "the account ``",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0",
            "is not of the form `service/svc-…`",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/rates",
            "is not of the form `service/svc-…`",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/",
            "the service id ``",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-XYZ",
            "the service id `svc-XYZ` is not `svc-` followed by",
        ),
        (
            "arn:aws:vpc-lattice:us-west-2:111122223333:service:svc-0123456789abcdef0",
            "is not of the form",
        ),
    ] {
        let err = s.parse::<ServiceArn>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("invalid service ARN `"), "{msg}");
        assert!(msg.contains(needle), "{s}: {msg}");
    }
}

#[test]
fn other_typed_rejections() {
    // Wrong type of resource for each typed ARN.
    let svc = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
    assert!(svc.parse::<ServiceNetworkArn>().is_err());
    assert!(svc.parse::<TargetGroupArn>().is_err());
    assert!(svc.parse::<ListenerArn>().is_err());
    assert!(svc.parse::<RuleArn>().is_err());
    assert!(svc.parse::<VpcArn>().is_err());
    assert!(svc.parse::<PrincipalArn>().is_err());
    assert!(
        "arn:aws:vpc-lattice:us-west-2:111122223333:vpc/vpc-0b8276c84697e7339"
            .parse::<VpcArn>()
            .is_err()
    );
    assert!(
        "arn:aws:ec2:us-west-2:111122223333:vpc/svc-0123456789abcdef0"
            .parse::<VpcArn>()
            .is_err()
    );
    assert!("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/rule-0123456789abcdef0"
        .parse::<ListenerArn>()
        .is_err());
    let err = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-x"
        .parse::<ListenerArn>()
        .unwrap_err();
    assert!(
        err.to_string().contains("the listener id `listener-x`"),
        "{err}"
    );
    assert!(ServiceArn::try_from(Arn::parse(svc).unwrap().clone()).is_ok());
    assert!(TargetGroupArn::try_from(Arn::parse(svc).unwrap()).is_err());
}

#[test]
fn generic_arn() {
    for s in [
        "arn:aws:s3:::my-bucket",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:lambda:us-east-1:123456789012:function:my-fn:alias",
        "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:vpc/vpc-1a2b3c4d",
        "arn:aws-cn:vpc-lattice:cn-north-1:123456789012:service/svc-0123456789abcdef0",
    ] {
        let arn: Arn = s.parse().unwrap();
        assert_eq!(arn.to_string(), s);
    }
    let lambda: Arn = "arn:aws:lambda:us-east-1:123456789012:function:my-fn:alias"
        .parse()
        .unwrap();
    assert_eq!(lambda.resource(), "function:my-fn:alias");
    assert_eq!(lambda.region(), Some("us-east-1"));
    let s3: Arn = "arn:aws:s3:::my-bucket".parse().unwrap();
    assert_eq!((s3.region(), s3.account()), (None, None));
    for s in [
        "arn:aws:s3:::",
        "arn:aws:S3:::bucket",
        "arn:aws::::bucket",
        "arn:aws:s3:not-a-region:123456789012:bucket",
        "arn:aws:s3::1234:bucket",
        "arn:aws:s3:::bucket\nx",
    ] {
        assert!(s.parse::<Arn>().is_err(), "{s}");
    }
    let cn: ServiceArn =
        "arn:aws-cn:vpc-lattice:cn-north-1:123456789012:service/svc-0123456789abcdef0"
            .parse()
            .unwrap();
    assert_eq!(cn.partition(), "aws-cn");
    assert_eq!(cn.region(), "cn-north-1");
}

#[test]
fn long_input_is_shortened_in_errors() {
    let long = format!(
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/{}",
        "x".repeat(10_000)
    );
    let msg = long.parse::<ServiceArn>().unwrap_err().to_string();
    assert!(msg.len() < 1_000, "{}", msg.len());
}

// ----- properties -----

fn region() -> impl Strategy<Value = String> {
    "[a-z]{2,4}(-[a-z]{1,9}){1,2}-[0-9]{1,2}"
}
fn account() -> impl Strategy<Value = String> {
    "[0-9]{12}"
}
fn partition() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("aws".to_owned()),
        Just("aws-cn".to_owned()),
        Just("aws-us-gov".to_owned())
    ]
}
fn suffix() -> impl Strategy<Value = String> {
    "[0-9a-z]{16,20}"
}
fn iam_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9+=,.@_-]{1,64}"
}

proptest! {
    /// The fake's own checks accept 17 lower-case hex digits after `svc-`,
    /// `sn-` and `tg-`, 8 or 17 after `vpc-`, and 12-digit accounts; all of
    /// those parse here too, so the fake can call these parsers instead.
    #[test]
    fn ids_the_fake_accepts_parse(
        hex in "[0-9a-f]{17}",
        old_vpc in "[0-9a-f]{8}",
        account in account(),
    ) {
        let ids = [
            ServiceId::parse(&format!("svc-{hex}")).map(|id| id.to_string()),
            ServiceNetworkId::parse(&format!("sn-{hex}")).map(|id| id.to_string()),
            TargetGroupId::parse(&format!("tg-{hex}")).map(|id| id.to_string()),
            ListenerId::parse(&format!("listener-{hex}")).map(|id| id.to_string()),
            RuleId::parse(&format!("rule-{hex}")).map(|id| id.to_string()),
            VpcId::parse(&format!("vpc-{hex}")).map(|id| id.to_string()),
            VpcId::parse(&format!("vpc-{old_vpc}")).map(|id| id.to_string()),
        ];
        for id in ids {
            let id = id.unwrap();
            prop_assert!(id.ends_with(hex.as_str()) || id.ends_with(old_vpc.as_str()));
        }
        let parsed = AccountId::parse(&account).unwrap();
        prop_assert_eq!(parsed.as_str(), account.as_str());
    }

    #[test]
    fn ids_round_trip(s in suffix()) {
        let svc = ServiceId::from_suffix(&s).unwrap();
        prop_assert_eq!(svc.suffix(), s.as_str());
        prop_assert_eq!(svc.to_string().parse::<ServiceId>().unwrap(), svc.clone());
        for (kind, text) in [
            (IdKind::ServiceNetwork, format!("sn-{s}")),
            (IdKind::TargetGroup, format!("tg-{s}")),
            (IdKind::Listener, format!("listener-{s}")),
            (IdKind::Rule, format!("rule-{s}")),
            (IdKind::Vpc, format!("vpc-{s}")),
        ] {
            prop_assert!(kind.accepts(&text));
        }
        prop_assert_eq!(ServiceNetworkId::parse(&format!("sn-{s}")).unwrap().to_string(), format!("sn-{s}"));
        prop_assert_eq!(TargetGroupId::parse(&format!("tg-{s}")).unwrap().to_string(), format!("tg-{s}"));
        prop_assert_eq!(ListenerId::parse(&format!("listener-{s}")).unwrap().to_string(), format!("listener-{s}"));
        prop_assert_eq!(RuleId::parse(&format!("rule-{s}")).unwrap().to_string(), format!("rule-{s}"));
        prop_assert_eq!(VpcId::parse(&format!("vpc-{s}")).unwrap().to_string(), format!("vpc-{s}"));
    }

    #[test]
    fn lattice_arns_round_trip(
        p in partition(), r in region(), a in account(),
        svc in suffix(), lis in suffix(), rule in suffix(), tg in suffix(), sn in suffix(), vpc in suffix(),
    ) {
        let id = ServiceId::from_suffix(&svc).unwrap();
        let arn = ServiceArn::from_parts(&p, &r, &a, id.clone()).unwrap();
        let back: ServiceArn = arn.to_string().parse().unwrap();
        prop_assert_eq!(&back, &arn);
        prop_assert_eq!((back.partition(), back.region(), back.account()), (p.as_str(), r.as_str(), a.as_str()));
        prop_assert_eq!(back.id(), &id);

        let listener = ListenerArn::from_parts(&arn, ListenerId::from_suffix(&lis).unwrap());
        prop_assert_eq!(listener.to_string().parse::<ListenerArn>().unwrap(), listener.clone());
        let rule = RuleArn::from_parts(&listener, RuleId::from_suffix(&rule).unwrap());
        let rule_back: RuleArn = rule.to_string().parse().unwrap();
        prop_assert_eq!(&rule_back, &rule);
        prop_assert_eq!(rule_back.service_arn(), arn.clone());

        let tg = TargetGroupArn::from_parts(&p, &r, &a, TargetGroupId::from_suffix(&tg).unwrap()).unwrap();
        prop_assert_eq!(tg.to_string().parse::<TargetGroupArn>().unwrap(), tg);
        let sn = ServiceNetworkArn::from_parts(&p, &r, &a, ServiceNetworkId::from_suffix(&sn).unwrap()).unwrap();
        prop_assert_eq!(sn.to_string().parse::<ServiceNetworkArn>().unwrap(), sn);
        let vpc = VpcArn::from_parts(&p, &r, &a, VpcId::from_suffix(&vpc).unwrap()).unwrap();
        prop_assert_eq!(vpc.to_string().parse::<VpcArn>().unwrap(), vpc);

        let generic: Arn = arn.to_string().parse().unwrap();
        prop_assert_eq!(generic.region(), Some(r.as_str()));
        prop_assert_eq!(Arn::from(arn), generic);
    }

    #[test]
    fn principals_round_trip(
        p in partition(), a in account(), name in iam_name(), session in iam_name(),
        path in proptest::collection::vec("[A-Za-z0-9_.-]{1,10}", 0..4),
        which in 0u8..5,
    ) {
        let path = if path.is_empty() { "/".to_owned() } else { format!("/{}/", path.join("/")) };
        let (s, kind) = match which {
            0 => (format!("arn:{p}:iam::{a}:root"), PrincipalKind::Root),
            1 => (format!("arn:{p}:iam::{a}:user{path}{name}"), PrincipalKind::User),
            2 => (format!("arn:{p}:iam::{a}:role{path}{name}"), PrincipalKind::Role),
            3 => (format!("arn:{p}:sts::{a}:assumed-role/{name}/{session}"), PrincipalKind::AssumedRole),
            _ => (format!("arn:{p}:sts::{a}:federated-user/{name}"), PrincipalKind::FederatedUser),
        };
        let parsed: PrincipalArn = s.parse().unwrap();
        prop_assert_eq!(parsed.kind(), kind);
        prop_assert_eq!(parsed.to_string(), s.clone());
        prop_assert_eq!(parsed.account(), a.as_str());
        prop_assert_eq!(parsed.partition(), p.as_str());
        match kind {
            PrincipalKind::Root => prop_assert_eq!(parsed.name(), None),
            PrincipalKind::User | PrincipalKind::Role => {
                prop_assert_eq!(parsed.name(), Some(name.as_str()));
                prop_assert_eq!(parsed.path(), Some(path.as_str()));
            }
            PrincipalKind::AssumedRole => {
                prop_assert_eq!(parsed.name(), Some(name.as_str()));
                prop_assert_eq!(parsed.session(), Some(session.as_str()));
            }
            _ => prop_assert_eq!(parsed.name(), Some(name.as_str())),
        }
        prop_assert_eq!(s.parse::<PrincipalArn>().unwrap(), parsed);
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        check_all_parsers(&s);
    }

    #[test]
    fn arn_like_strings_never_panic(s in "(arn:)?[a-z0-9:/*.@_ -]{0,80}") {
        check_all_parsers(&s);
    }

    #[test]
    fn mutated_arns_never_panic(
        base in prop_oneof![
            Just("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0"),
            Just("arn:aws:sts::111122223333:assumed-role/my-role/my-session"),
            Just("arn:aws:iam::111122223333:role/a/b/name"),
        ],
        cut in 0usize..140, insert in "[:/a-zé]{0,3}",
    ) {
        let cut = cut.min(base.len());
        let s = format!("{}{}{}", &base[..cut], insert, &base[cut..]);
        check_all_parsers(&s);
        // Whatever parses prints back unchanged.
        if let Ok(arn) = s.parse::<Arn>() { prop_assert_eq!(arn.to_string(), s.clone()); }
        if let Ok(arn) = s.parse::<RuleArn>() { prop_assert_eq!(arn.to_string(), s.clone()); }
        if let Ok(arn) = s.parse::<PrincipalArn>() { prop_assert_eq!(arn.to_string(), s.clone()); }
    }
}

fn check_all_parsers(s: &str) {
    let _ = AccountId::parse(s);
    let _ = ServiceId::parse(s);
    let _ = ServiceId::from_suffix(s);
    let _ = ServiceNetworkId::parse(s);
    let _ = TargetGroupId::parse(s);
    let _ = ListenerId::parse(s);
    let _ = RuleId::parse(s);
    let _ = VpcId::parse(s);
    if let Ok(arn) = Arn::parse(s) {
        let _ = (
            arn.partition(),
            arn.service(),
            arn.region(),
            arn.account(),
            arn.resource(),
        );
        let _ = ServiceArn::try_from(arn.clone());
        let _ = PrincipalArn::try_from(arn);
    }
    if let Ok(arn) = ServiceArn::parse(s) {
        let _ = arn.invoke_resource(s);
    }
    let _ = ServiceNetworkArn::parse(s);
    let _ = TargetGroupArn::parse(s);
    if let Ok(arn) = ListenerArn::parse(s) {
        let _ = arn.service_arn();
    }
    if let Ok(arn) = RuleArn::parse(s) {
        let _ = arn.listener_arn();
    }
    let _ = VpcArn::parse(s);
    if let Ok(p) = PrincipalArn::parse(s) {
        let _ = (p.name(), p.path(), p.session(), p.account());
    }
    if let Err(e) = PrincipalArn::parse(s) {
        let _ = e.to_string();
    }
}
