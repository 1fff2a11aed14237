use super::*;
use http::HeaderValue;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.append(*k, HeaderValue::from_str(v).unwrap());
    }
    map
}

#[test]
fn parses_observed_identity_with_spaces() {
    let map = headers(&[(
        "x-amzn-lattice-identity",
        "Principal=arn:aws:sts::123456789012:assumed-role/EnvoyFrontendTaskRole/503e18cee581465f914c75291291e98e; PrincipalOrgID=o-12345678; SessionName=503e18cee581465f914c75291291e98e; Type=AWS_IAM",
    )]);
    let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
    assert_eq!(id.principal_account(), Some("123456789012"));
    assert_eq!(id.principal_org_id.as_deref(), Some("o-12345678"));
    assert_eq!(
        id.session_name.as_deref(),
        Some("503e18cee581465f914c75291291e98e")
    );
    assert_eq!(id.auth_type.as_deref(), Some("AWS_IAM"));
    assert!(id.is_aws_iam());
    assert_eq!(
        id.principal_arn().unwrap().kind(),
        crate::arn::PrincipalKind::AssumedRole
    );
}

#[test]
fn any_order_unknown_keys_empty_values_trailing_semicolon() {
    let map = headers(&[(
        "x-amzn-lattice-identity",
        "Type=AWS_IAM;NewKey=;  principal=arn:aws:iam::111122223333:role/r;SessionName=;PrincipalOrgPaths=o-1/r-2/ou-3;",
    )]);
    let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
    assert_eq!(
        id.principal.as_deref(),
        Some("arn:aws:iam::111122223333:role/r")
    );
    assert_eq!(id.session_name.as_deref(), Some(""));
    assert_eq!(id.principal_org_path.as_deref(), Some("o-1/r-2/ou-3"));
    assert_eq!(
        id.unknown,
        vec![UnknownField::new(IdentityHeader::Identity, "NewKey", "")]
    );
}

#[test]
fn tags_with_escapes_and_equals() {
    let map = headers(&[(
        "x-amzn-lattice-identity-tags",
        r"principal=arn:aws:iam::1:role/r;principalorgid=o-1;team=a\;b;expr=x=y;back=c\\;last=",
    )]);
    let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
    assert_eq!(id.tag("team"), Some("a;b"));
    assert_eq!(id.tag("expr"), Some("x=y"));
    assert_eq!(id.tag("back"), Some("c\\"));
    assert_eq!(id.tag("last"), Some(""));
    // Lattice's copies of the principal are tags like any other.
    assert_eq!(id.tag("principalorgid"), Some("o-1"));
    assert_eq!(id.principal_org_id, None);
}

#[test]
fn a_callers_tags_never_fill_identity_fields() {
    // A caller outside any organisation tags its session with names that
    // look like the identity keys (sts:TagSession lets it choose both).
    let map = headers(&[
        (
            "x-amzn-lattice-identity",
            "Principal=arn:aws:sts::111122223333:assumed-role/r/s; Type=AWS_IAM",
        ),
        (
            "x-amzn-lattice-identity-tags",
            "PrincipalOrgID=o-victim;principalorgpath=o-victim/r-1/ou-2;Principal=arn:aws:iam::999999999999:role/admin;PRINCIPALORGPATHS=x",
        ),
    ]);
    let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
    assert_eq!(id.principal_org_id, None);
    assert_eq!(id.principal_org_path, None);
    assert_eq!(
        id.principal.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/r/s")
    );
    // They stay readable as what they are: tags.
    assert_eq!(id.tag("PrincipalOrgID"), Some("o-victim"));
    assert_eq!(
        id.tag("Principal"),
        Some("arn:aws:iam::999999999999:role/admin")
    );
    assert_eq!(id.principal_tags.len(), 4);
    // Tags alone never make an authenticated caller.
    let tags_only = headers(&[(
        "x-amzn-lattice-identity-tags",
        "principal=arn:aws:iam::1:role/r",
    )]);
    let id = CallerIdentity::from_headers(&tags_only).unwrap().unwrap();
    assert!(id.is_anonymous());
}

#[test]
fn to_headers_refuses_tags_named_like_identity_keys() {
    for key in [
        "PrincipalOrgID",
        "principalorgid",
        "Principal",
        "PrincipalOrgPath",
        "principalorgpaths",
    ] {
        let id = CallerIdentity {
            principal_tags: vec![("team".into(), "a".into()), (key.into(), "o-victim".into())],
            ..CallerIdentity::default()
        };
        assert_eq!(
            id.to_headers(),
            Err(IdentityError::ReservedTagKey { key: key.into() }),
            "{key}"
        );
        let mut map = headers(&[("x-amzn-lattice-network", "SourceVpcArn=a")]);
        assert!(id.write_headers(&mut map).is_err());
        assert_eq!(map.len(), 1, "headers unchanged on error");
    }
    // A tag that only starts like one is fine, and reads back as a tag.
    let id = CallerIdentity {
        principal_tags: vec![("principalteam".into(), "a".into())],
        ..CallerIdentity::default()
    };
    let back = CallerIdentity::from_headers(&id.to_headers().unwrap()).unwrap();
    assert_eq!(back, Some(id));
}

#[test]
fn network_target_and_source_vpc() {
    let map = headers(&[
        (
            "x-amzn-lattice-network",
            "SourceVpcArn=arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0",
        ),
        (
            "x-amzn-lattice-target",
            "ServiceArn=arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b; ServiceNetworkArn=arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0827fa025cfa385f2; TargetGroupArn=arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-02dd764d44bb49a8c",
        ),
    ]);
    let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
    assert!(id.is_anonymous());
    assert_eq!(id.source_vpc().unwrap().as_str(), "vpc-0123456789abcdef0");
    assert_eq!(
        id.service_arn().unwrap().id().as_str(),
        "svc-0725375ee8851076b"
    );
    assert_eq!(id.target_group_arn().unwrap().region(), "us-east-1");
    assert_eq!(
        id.service_network_arn().unwrap().id().as_str(),
        "sn-0827fa025cfa385f2"
    );
}

#[test]
fn absent_is_none_and_errors_are_specific() {
    assert_eq!(
        CallerIdentity::from_headers(&HeaderMap::new()).unwrap(),
        None
    );
    let e = CallerIdentity::from_headers(&headers(&[("x-amzn-lattice-identity", "Principal")]));
    assert!(matches!(e, Err(IdentityError::MissingEquals { .. })));
    let e = CallerIdentity::from_headers(&headers(&[("x-amzn-lattice-identity", "=x")]));
    assert!(matches!(e, Err(IdentityError::EmptyKey { .. })));
    let e = CallerIdentity::from_headers(&headers(&[
        ("x-amzn-lattice-network", "SourceVpcArn=a"),
        ("x-amzn-lattice-network", "SourceVpcArn=a"),
    ]));
    assert!(matches!(e, Err(IdentityError::RepeatedHeader { .. })));
    let e = CallerIdentity::from_headers(&headers(&[(
        "x-amzn-lattice-identity",
        "Principal=a; principal=b",
    )]));
    assert_eq!(
        e,
        Err(IdentityError::ConflictingValues { field: "Principal" })
    );
    let mut map = HeaderMap::new();
    map.insert(
        IDENTITY_HEADER,
        HeaderValue::from_bytes(b"Principal=\xff").unwrap(),
    );
    assert!(matches!(
        CallerIdentity::from_headers(&map),
        Err(IdentityError::NotUtf8 { .. })
    ));
}

#[test]
fn non_arn_values_are_kept() {
    let map = headers(&[(
        "x-amzn-lattice-identity",
        "Principal=not an arn; Type=AWS_IAM",
    )]);
    let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
    assert_eq!(id.principal.as_deref(), Some("not an arn"));
    assert_eq!(id.principal_arn(), None);
    assert_eq!(id.principal_account(), None);
}

#[test]
fn to_headers_round_trips() {
    let id = CallerIdentity {
        auth_type: Some("AWS_IAM".into()),
        principal: Some("arn:aws:sts::1:assumed-role/r/s".into()),
        principal_org_id: Some("o-1".into()),
        session_name: Some("s".into()),
        x509: X509Identity {
            subject_cn: Some("device; 1".into()),
            san_uri: Some("spiffe://x/y".into()),
            ..X509Identity::default()
        },
        principal_tags: vec![("team".into(), "a;b\\c".into())],
        source_vpc_arn: Some("arn:aws:ec2:us-east-1:1:vpc/vpc-1".into()),
        source_vpc_id: Some("vpc-1".into()),
        service_arn: Some("arn:aws:vpc-lattice:us-east-1:1:service/svc-1".into()),
        unknown: vec![
            // Parsing reads the headers in a fixed order (identity,
            // network, target), so keep unknown fields in that order.
            UnknownField::new(IdentityHeader::Network, "Extra", ""),
            UnknownField::new(IdentityHeader::Target, "Listener", "l-1"),
        ],
        ..CallerIdentity::default()
    };
    let map = id.to_headers().unwrap();
    assert_eq!(
        map.get(&IDENTITY_HEADER).unwrap(),
        "Principal=arn:aws:sts::1:assumed-role/r/s; PrincipalOrgID=o-1; SessionName=s; X509SAN/URI=spiffe://x/y; X509Subject/CN=device\\; 1; Type=AWS_IAM"
    );
    assert_eq!(CallerIdentity::from_headers(&map).unwrap(), Some(id));
}

#[test]
fn typed_accessors_use_the_crate_arn_types() {
    let id = CallerIdentity {
        principal: Some("arn:aws:iam::111122223333:role/path/name".into()),
        source_vpc_arn: Some("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1a2b3c4d".into()),
        source_vpc_id: Some("not-a-vpc".into()),
        service_arn: Some("arn:aws:vpc-lattice:us-east-1:1:service/svc-1".into()),
        ..CallerIdentity::default()
    };
    let p = id.principal_arn().unwrap();
    assert_eq!(p.kind(), crate::arn::PrincipalKind::Role);
    assert_eq!(p.name(), Some("name"));
    assert_eq!(id.principal_account(), Some("111122223333"));
    // A malformed `x-amzn-source-vpc` falls back to the ARN's id.
    assert_eq!(id.source_vpc().unwrap().as_str(), "vpc-1a2b3c4d");
    // Kept as a string, but not a well-formed service ARN.
    assert_eq!(
        id.service_arn.as_deref(),
        Some("arn:aws:vpc-lattice:us-east-1:1:service/svc-1")
    );
    assert!(id.service_arn().is_none());
}
