//! Property tests: nothing a peer sends makes the canonicaliser or the
//! verifier panic. Random `authorization` strings (free-form and near-valid),
//! random header maps, paths and queries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "verify_common/mod.rs"]
mod common;

use common::{AKID, PRINCIPAL, SECRET, t0};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Uri, Version};
use lattice_client::sign::canonical::{
    CanonicalRequest, EncodingMode, canonical_query, canonical_uri,
};
use lattice_client::sign::verify::{
    EncodingPolicy, FixedClock, GenericProfile, KeyCredentials, PayloadPolicy, Profile,
    RequestView, StaticCredentials, Verifier, parse_amz_date,
};
use proptest::prelude::*;

fn lattice() -> Verifier<StaticCredentials> {
    Verifier::builder(
        StaticCredentials::new().with(AKID, KeyCredentials::new(SECRET, PRINCIPAL.to_owned())),
        Profile::lattice("us-west-2"),
    )
    .clock(FixedClock(t0()))
    .build()
    .unwrap()
}

fn generic() -> Verifier<StaticCredentials> {
    Verifier::builder(
        StaticCredentials::new().with(
            AKID,
            KeyCredentials::new(SECRET, PRINCIPAL.to_owned()).with_session_token("t"),
        ),
        Profile::Generic(
            GenericProfile::new("service", "us-east-1")
                .encoding(EncodingPolicy::Either)
                .payload(PayloadPolicy::FromHeader),
        ),
    )
    .clock(FixedClock(t0()))
    .build()
    .unwrap()
}

/// Near-valid authorization headers: right shape, random pieces.
fn auth_strategy() -> impl Strategy<Value = String> {
    let algorithm = prop_oneof![
        Just("AWS4-HMAC-SHA256".to_owned()),
        Just("AWS4-ECDSA-P256-SHA256".to_owned()),
        "[A-Z0-9-]{0,24}",
    ];
    let credential = prop_oneof![
        Just("AKIDEXAMPLE/20150830/us-west-2/vpc-lattice-svcs/aws4_request".to_owned()),
        Just("AKIDEXAMPLE/20150830/vpc-lattice-svcs/aws4_request".to_owned()),
        "[A-Za-z0-9/=_*-]{0,80}",
    ];
    let signed = prop_oneof![
        Just("host;x-amz-content-sha256;x-amz-date".to_owned()),
        Just("host;x-amz-content-sha256;x-amz-date;x-amz-region-set".to_owned()),
        "[a-zA-Z0-9;:_ -]{0,60}",
    ];
    let signature = prop_oneof!["[0-9a-f]{64}", "[0-9a-f]{0,160}", "[ -~]{0,40}"];
    let sep = prop_oneof![Just(", "), Just(","), Just(" , "), Just(";")];
    (algorithm, credential, signed, signature, sep, any::<bool>()).prop_map(
        |(a, c, s, g, sep, swap)| {
            if swap {
                format!("{a} Signature={g}{sep}SignedHeaders={s}{sep}Credential={c}")
            } else {
                format!("{a} Credential={c}{sep}SignedHeaders={s}{sep}Signature={g}")
            }
        },
    )
}

fn header_map_strategy() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        Just("host"),
        Just("x-amz-date"),
        Just("x-amz-content-sha256"),
        Just("x-amz-security-token"),
        Just("x-amz-region-set"),
        Just("authorization"),
        Just("x-custom"),
    ]
    .prop_map(str::to_owned)
    .boxed()
    .prop_union("[a-z][a-z0-9-]{0,12}".boxed());
    let value = prop_oneof![
        Just(b"20150830T123600Z".to_vec()),
        Just(b"UNSIGNED-PAYLOAD".to_vec()),
        Just(b"*".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec((name, value), 0..12).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (n, v) in pairs {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_bytes(&v),
            ) {
                map.append(n, v);
            }
        }
        map
    })
}

fn uri_strategy() -> impl Strategy<Value = Uri> {
    (
        "(/[a-zA-Z0-9%._~:@!$&'()*+,;=-]{0,12}){0,5}",
        prop::option::of("[a-zA-Z0-9%=&+._~/?-]{0,30}"),
        any::<bool>(),
    )
        .prop_filter_map("valid uri", |(path, query, absolute)| {
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            let target = match query {
                Some(q) => format!("{path}?{q}"),
                None => path,
            };
            let text = if absolute {
                format!("https://example.com{target}")
            } else {
                target
            };
            text.parse().ok()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_authorization_never_panics(auth in auth_strategy(), free in "\\PC{0,200}", mut headers in header_map_strategy(), uri in uri_strategy(), h2 in any::<bool>(), base in any::<bool>()) {
        let (lattice, generic) = (lattice(), generic());
        if base {
            // Reach the checks behind the required-header ones.
            headers.insert("host", HeaderValue::from_static("example.com"));
            headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
            headers.insert("x-amz-content-sha256", HeaderValue::from_static("UNSIGNED-PAYLOAD"));
            headers.insert("x-amz-region-set", HeaderValue::from_static("*"));
        }
        for text in [auth.as_str(), free.as_str()] {
            if let Ok(value) = HeaderValue::from_str(text) {
                headers.insert("authorization", value);
                let mut req = Request::builder().method(Method::POST).uri(uri.clone()).body(()).unwrap();
                *req.headers_mut() = headers.clone();
                if h2 {
                    *req.version_mut() = Version::HTTP_2;
                }
                let _ = lattice.verify(&req);
                let _ = generic.verify(RequestView::from(&req).with_body_sha256("abc"));
            }
        }
    }

    #[test]
    fn random_header_maps_never_panic(headers in header_map_strategy(), uri in uri_strategy(), names in prop::collection::vec("[ -~]{0,10}", 0..6)) {
        let mut req = Request::builder().method(Method::GET).uri(uri.clone()).body(()).unwrap();
        *req.headers_mut() = headers.clone();
        let _ = lattice().verify(&req);
        let _ = generic().verify(&req);
        for mode in [EncodingMode::Double, EncodingMode::Single] {
            let _ = CanonicalRequest::new(&Method::GET, &uri, &headers, &names, "UNSIGNED-PAYLOAD", "example.com", mode);
        }
    }

    #[test]
    fn canonical_helpers_never_panic(path in "\\PC{0,40}", query in "\\PC{0,40}", date in "[0-9TZ]{0,20}") {
        let _ = canonical_uri(&path, EncodingMode::Double);
        let _ = canonical_uri(&path, EncodingMode::Single);
        let _ = canonical_query(Some(&query));
        let _ = parse_amz_date(&date);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Byte-level mutations of a genuine SigV4 / SigV4A authorization header.
    #[test]
    fn mutated_genuine_authorization_never_panics(v4a in any::<bool>(), pos in any::<prop::sample::Index>(), byte in 0x20u8..0x7f, delete in any::<bool>()) {
        let mut req = Request::builder()
            .method(Method::GET)
            .uri("https://example.com/a%20b?x=1")
            .body(())
            .unwrap();
        let spec = common::SignSpec { region_set: v4a.then_some("*"), ..common::SignSpec::default() };
        common::sign_request(&mut req, &spec);
        let auth = req.headers()["authorization"].to_str().unwrap().to_owned();
        let mut bytes = auth.clone().into_bytes();
        let i = pos.index(bytes.len());
        if delete { bytes.remove(i); } else { bytes[i] = byte; }
        let mutated = String::from_utf8(bytes).unwrap();
        req.headers_mut().insert("authorization", HeaderValue::from_str(&mutated).unwrap());
        let result = lattice().verify(&req);
        if mutated != auth && result.is_ok() {
            // Only changes the parser legitimately ignores may still verify.
            prop_assert!(mutated.contains("Signature=") && mutated.contains("SignedHeaders="), "{mutated}");
        }
    }
}
