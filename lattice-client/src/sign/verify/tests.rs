use super::*;
use std::time::UNIX_EPOCH;

#[test]
fn key_cache_follows_scope_and_secret() {
    let cache: KeyCache<String> = KeyCache::new(2);
    let derivations = std::cell::Cell::new(0);
    let get = |id: &str, secret: &str, date: &str, region: &str| -> String {
        let scope = Scope {
            date,
            region,
            service: "svc",
        };
        let value = cache
            .get_or_derive(id, secret, scope, || {
                derivations.set(derivations.get() + 1);
                Ok::<_, ()>(format!("{secret}/{date}/{region}"))
            })
            .unwrap();
        (*value).clone()
    };
    assert_eq!(
        get("AKID", "secret-a", "20150830", "us-west-2"),
        "secret-a/20150830/us-west-2"
    );
    // Cached: the same answer, no new derivation.
    assert_eq!(
        get("AKID", "secret-a", "20150830", "us-west-2"),
        "secret-a/20150830/us-west-2"
    );
    assert_eq!(derivations.get(), 1);
    // A rotated secret, another region or another day is derived afresh.
    assert_eq!(
        get("AKID", "secret-b", "20150830", "us-west-2"),
        "secret-b/20150830/us-west-2"
    );
    assert_eq!(
        get("AKID", "secret-b", "20150830", "eu-west-1"),
        "secret-b/20150830/eu-west-1"
    );
    assert_eq!(
        get("AKID", "secret-b", "20150831", "eu-west-1"),
        "secret-b/20150831/eu-west-1"
    );
    assert_eq!(derivations.get(), 4);
    // Both regions of the rotated secret stay cached; the old secret does not.
    assert_eq!(
        get("AKID", "secret-b", "20150830", "us-west-2"),
        "secret-b/20150830/us-west-2"
    );
    assert_eq!(derivations.get(), 4);
    assert_eq!(
        get("AKID", "secret-a", "20150830", "us-west-2"),
        "secret-a/20150830/us-west-2"
    );
    assert_eq!(derivations.get(), 5);
    // Bounded.
    for id in ["A1", "A2", "A3"] {
        get(id, "s", "20150830", "us-west-2");
    }
    assert!(cache.len() <= 2);
}

#[test]
fn amz_date_round_trip() {
    let t = parse_amz_date("20150830T123600Z").unwrap();
    assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_440_938_160));
    assert_eq!(format_amz_date(t), "20150830T123600Z");
    assert_eq!(
        format_amz_date(parse_amz_date("20000229T235959Z").unwrap()),
        "20000229T235959Z"
    );
    assert_eq!(
        format_amz_date(parse_amz_date("19691231T235959Z").unwrap()),
        "19691231T235959Z"
    );
    for bad in [
        "",
        "20150830T123600",
        "2015083OT123600Z",
        "20150230T000000Z",
        "20151301T000000Z",
        "+0150830T123600Z",
        "20150830T246000Z",
        "２015083T123600Z",
    ] {
        assert_eq!(parse_amz_date(bad), None, "{bad}");
    }
}

#[test]
fn region_sets() {
    assert!(region_set_covers("*", "us-west-2"));
    assert!(region_set_covers("us-east-1, us-west-2", "us-west-2"));
    assert!(region_set_covers("us-*", "us-west-2"));
    assert!(!region_set_covers("eu-*", "us-west-2"));
    assert!(!region_set_covers("us-east-1", "us-west-2"));
    assert!(!region_set_covers("", "us-west-2"));
    assert!(!region_set_covers("u*-*", "us-west-2"));
}

#[test]
fn authorization_parsing() {
    let a = parse_authorization(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
    )
    .map_err(|_| ())
    .unwrap();
    assert_eq!(a.access_key_id, "AKIDEXAMPLE");
    assert_eq!(a.scope_region, Some("us-east-1"));
    assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
    let err = |s: &str| parse_authorization(s).err();
    assert_eq!(
        err("AWS4-HMAC-SHA1 Credential=a"),
        Some(MalformedAuthorization::UnsupportedAlgorithm)
    );
    assert_eq!(
        err(
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=x-amz-date;host, Signature=1"
        ),
        Some(MalformedAuthorization::SignedHeadersNotCanonical)
    );
    assert_eq!(
        err("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=Host, Signature=1"),
        Some(MalformedAuthorization::SignedHeadersNotCanonical)
    );
    assert_eq!(
        err(
            "AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=1"
        ),
        Some(MalformedAuthorization::Credential)
    );
    assert_eq!(
        err("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=1"),
        Some(MalformedAuthorization::MissingCredential)
    );
    let many = (0..101)
        .map(|i| format!("h{i:03}"))
        .collect::<Vec<_>>()
        .join(";");
    assert_eq!(
        err(&format!(
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders={many}, Signature=1"
        )),
        Some(MalformedAuthorization::TooManySignedHeaders)
    );
}

#[test]
fn secrets_hidden_from_debug() {
    let creds = KeyCredentials::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "p")
        .with_session_token("TOKENVALUE");
    let text = format!("{creds:?}");
    assert!(
        !text.contains("EXAMPLEKEY") && !text.contains("TOKENVALUE"),
        "{text}"
    );
}

#[test]
fn window_rendering() {
    assert_eq!(window_text(Duration::from_secs(300)), "5 min");
    assert_eq!(window_text(Duration::from_secs(90)), "90 sec");
}

/// A Lattice verifier for the example key, and a signer for the same key,
/// both at 2024-01-02T03:04:05Z.
fn lattice_pair() -> (Verifier<StaticCredentials>, crate::sign::Signer) {
    let at = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
    let verifier = Verifier::builder(
        StaticCredentials::new().with(
            "AKIDEXAMPLE",
            KeyCredentials::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "p".to_owned()),
        ),
        Profile::lattice("us-west-2"),
    )
    .clock(FixedClock(at))
    .build()
    .unwrap();
    let signer = crate::sign::Signer::builder()
        .credentials(aws_credential_types::Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        ))
        .time_source(aws_smithy_async::time::StaticTimeSource::new(at))
        .build()
        .unwrap();
    (verifier, signer)
}

#[test]
fn lattice_profile_refuses_queries_that_are_not_utf8() {
    let (verifier, signer) = lattice_pair();
    let host = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
    for (query, ok) in [
        ("k=%FF", false),
        ("k=%FE", false),
        ("%C0=v", false),
        ("k=%C3%A9", true),
        ("k=%7E&a=b+c", true),
    ] {
        let mut request = http::Request::get(format!("https://{host}/p?{query}"))
            .body(())
            .unwrap();
        signer
            .sign_with(
                &mut request,
                &aws_credential_types::Credentials::new(
                    "AKIDEXAMPLE",
                    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    None,
                    None,
                    "test",
                ),
            )
            .unwrap();
        let result = verifier.verify(&request);
        if ok {
            assert!(result.is_ok(), "{query}: {result:?}");
        } else {
            assert_eq!(result.unwrap_err(), VerifyError::NonUtf8Query, "{query}");
        }
    }
}

#[test]
fn sigv4a_signatures_verify_with_ours_and_with_p256() {
    use p256::ecdsa::signature::Verifier as _;
    let (verifier, _) = lattice_pair();
    let at = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
    let creds = aws_credential_types::Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "test",
    );
    let signer = crate::sign::Signer::builder()
        .credentials(creds.clone())
        .time_source(aws_smithy_async::time::StaticTimeSource::new(at))
        .sigv4a("us-*")
        .capture_canonical(true)
        .build()
        .unwrap();
    let public =
        sigv4a_public_key("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
    let host = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
    for i in 0..20 {
        let mut request = http::Request::post(format!("https://{host}/orders/{i}?x={i}"))
            .header("x-n", i.to_string())
            .body(())
            .unwrap();
        let report = signer.sign_with(&mut request, &creds).unwrap();
        assert_eq!(report.algorithm, Algorithm::V4a);
        verifier.verify(&request).unwrap();
        let auth = request.headers()["authorization"].to_str().unwrap();
        let signature = hex::decode(auth.rsplit("Signature=").next().unwrap()).unwrap();
        let signature = p256::ecdsa::DerSignature::try_from(signature.as_slice()).unwrap();
        public
            .verify(report.string_to_sign.unwrap().as_bytes(), &signature)
            .unwrap();
    }
}
