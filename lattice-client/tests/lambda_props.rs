//! Property tests: no parser panics on any input; conversions round-trip.
#![cfg(feature = "lambda")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use lattice_client::identity::{
    CallerIdentity, IdentityHeader, LATTICE_IDENTITY_HEADERS, UnknownField,
};
use lattice_client::lambda::{
    LatticeEvent, LatticeRequestExt, LatticeResponse, ResponseOptions, V1Event, V2Event,
    V2RequestContext,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Floats that serde_json's default parser reads back exactly.
        (-4000i32..4000).prop_map(|i| Value::from(f64::from(i) / 8.0)),
        ".{0,12}".prop_map(Value::String),
        // Values that look like real ones.
        prop_oneof![
            Just("2.0"),
            Just("1.0"),
            Just("/a?b=c&b=d"),
            Just("GET"),
            Just("arn:aws:sts::1:assumed-role/r/s"),
            Just("1724875399456789"),
            Just("aGk="),
            Just("text/plain"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("version"),
            Just("path"),
            Just("raw_path"),
            Just("method"),
            Just("headers"),
            Just("queryStringParameters"),
            Just("query_string_parameters"),
            Just("body"),
            Just("isBase64Encoded"),
            Just("is_base64_encoded"),
            Just("requestContext"),
            Just("identity"),
            Just("principal"),
            Just("principalOrgID"),
            Just("X509SubjectCn"),
            Just("timeEpoch"),
            Just("serviceArn"),
            Just("statusCode"),
            Just("host"),
            Just("content-type"),
            Just("x-amzn-lattice-identity"),
        ]
        .prop_map(str::to_owned);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop_oneof![key, ".{0,8}"], inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn exercise(bytes: &[u8]) {
    if let Ok(event) = LatticeEvent::from_slice(bytes) {
        let again = event.to_vec().unwrap();
        // Whatever parsed must re-parse to the same value.
        assert_eq!(LatticeEvent::from_slice(&again).unwrap(), event);
        if let Ok(req) = event.into_http_request() {
            let _ = req.caller_identity();
            let resp = http::Response::new(http_body_util::Full::new(req.into_body().into_bytes()));
            let _ = common::block_on(LatticeResponse::from_http_response(
                resp,
                &ResponseOptions::default(),
            ));
        }
    }
    if let Ok(e) = V1Event::from_slice(bytes) {
        let _ = e.into_http_request();
    }
    if let Ok(e) = V2Event::from_slice(bytes) {
        let _ = e.into_http_request();
    }
    if let Ok(r) = LatticeResponse::from_slice(bytes) {
        let again = LatticeResponse::from_slice(&r.to_vec().unwrap()).unwrap();
        assert_eq!(again, r);
        let _ = r.into_http_response();
    }
}

fn header_value_chars() -> impl Strategy<Value = String> {
    // Visible ASCII, space and a little UTF-8, as HTTP header values allow.
    "[ -~é✓]{0,40}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        exercise(&bytes);
    }

    #[test]
    fn random_json_never_panics(value in arb_json()) {
        exercise(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn event_shaped_json_never_panics(
        v2 in any::<bool>(),
        path in ".{0,24}",
        method in prop_oneof![Just("GET".to_owned()), "[A-Za-z ]{0,6}"],
        headers in prop::collection::vec(("[a-zA-Z0-9 :-]{0,10}", prop::collection::vec(".{0,16}", 0..3)), 0..5),
        query in prop::collection::vec((".{0,6}", prop::collection::vec(".{0,6}", 0..3)), 0..4),
        body in prop::option::of(".{0,16}"),
        b64 in any::<bool>(),
        identity in arb_json(),
    ) {
        let value = if v2 {
            serde_json::json!({
                "version": "2.0", "path": path, "method": method,
                "headers": headers.into_iter().map(|(k, v)| (k, Value::from(v))).collect::<Map<_, _>>(),
                "queryStringParameters": query.into_iter().map(|(k, v)| (k, Value::from(v))).collect::<Map<_, _>>(),
                "body": body, "isBase64Encoded": b64,
                "requestContext": {"identity": identity, "timeEpoch": "1"},
            })
        } else {
            serde_json::json!({
                "raw_path": path, "method": method,
                "headers": headers.into_iter().map(|(k, v)| (k, Value::String(v.join(", ")))).collect::<Map<_, _>>(),
                "query_string_parameters": query.into_iter().map(|(k, v)| (k, Value::String(v.join("")))).collect::<Map<_, _>>(),
                "body": body, "is_base64_encoded": b64,
            })
        };
        exercise(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn any_path_makes_a_request(path in ".{0,40}", host in "[a-z0-9.-]{0,20}") {
        let event = serde_json::json!({"version": "2.0", "path": path, "method": "GET", "headers": {"host": [host]}});
        let req = LatticeEvent::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap().into_http_request();
        prop_assert!(req.is_ok(), "{:?}", req.err());
    }

    #[test]
    fn identity_headers_never_panic(values in prop::collection::vec(prop::option::of(header_value_chars()), 5)) {
        let mut map = HeaderMap::new();
        for (name, value) in LATTICE_IDENTITY_HEADERS.iter().zip(values) {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                map.insert(name.clone(), v);
            }
        }
        if let Ok(Some(id)) = CallerIdentity::from_headers(&map) {
            let _ = id.principal_arn();
            let _ = id.source_vpc();
            let _ = id.to_headers();
        }
    }

    #[test]
    fn identity_raw_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(v) = HeaderValue::from_bytes(&bytes) {
            for name in &LATTICE_IDENTITY_HEADERS {
                let mut map = HeaderMap::new();
                map.insert(name.clone(), v.clone());
                let _ = CallerIdentity::from_headers(&map);
            }
        }
    }

    #[test]
    fn identity_grammar_tolerates_order_spaces_and_unknown_keys(
        mut items in prop::collection::vec(
            ("[A-Za-z][A-Za-z0-9/]{0,10}", "[ -~]{0,12}".prop_map(|s| s.trim().to_owned())),
            0..6,
        ),
        spaces in prop::collection::vec(0usize..3, 6),
        trailing in any::<bool>(),
        seed in any::<u64>(),
    ) {
        // Unique unknown keys (known ones are covered by unit tests).
        items.retain(|(k, _)| !["principal", "principalorgid", "principalorgpath", "principalorgpaths",
            "sessionname", "type", "x509issuer/ou", "x509san/dns", "x509san/namecn", "x509san/uri",
            "x509subject/cn"].contains(&k.to_ascii_lowercase().as_str()));
        let mut seen = std::collections::HashSet::new();
        items.retain(|(k, _)| seen.insert(k.clone()));
        // Any order.
        let n = items.len().max(1);
        items.rotate_left((seed as usize) % n);
        let mut value = String::new();
        for (i, (k, v)) in items.iter().enumerate() {
            if i > 0 {
                value.push(';');
                value.push_str(&" ".repeat(spaces[i % spaces.len()]));
            }
            value.push_str(k);
            value.push('=');
            value.push_str(&v.replace('\\', "\\\\").replace(';', "\\;"));
        }
        if trailing {
            value.push(';');
        }
        let mut map = HeaderMap::new();
        map.insert(HeaderName::from_static("x-amzn-lattice-identity"), HeaderValue::from_str(&value).unwrap());
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        let got: Vec<(String, String)> = id.unknown.iter().map(|f| (f.key.clone(), f.value.clone())).collect();
        prop_assert_eq!(got, items);
    }

    #[test]
    fn identity_to_headers_round_trips(
        principal in prop::option::of("[ -~]{0,30}".prop_map(|s| s.trim().to_owned())),
        org in prop::option::of("[a-z0-9-]{0,12}"),
        session in prop::option::of("[ -~é]{0,16}".prop_map(|s| s.trim().to_owned())),
        subject in prop::option::of("[ -~]{0,16}".prop_map(|s| s.trim().to_owned())),
        tags in prop::collection::vec(("[a-z][a-z0-9_.:/+@-]{0,8}", "[ -~]{0,12}".prop_map(|s| s.trim().to_owned())), 0..4),
        vpc in prop::option::of("vpc-[0-9a-f]{8,17}"),
        service in prop::option::of("[ -~]{1,30}".prop_map(|s| s.trim().to_owned())),
        unknown in prop::option::of(("X[a-z]{1,6}", "[ -~]{0,8}".prop_map(|s| s.trim().to_owned()))),
    ) {
        let mut id = CallerIdentity::default();
        id.principal = principal;
        id.principal_org_id = org;
        id.session_name = session;
        id.x509.subject_cn = subject;
        // Tags named like the principal or its organisation are refused by `to_headers`.
        id.principal_tags = tags.into_iter().filter(|(k, _)| !k.starts_with("principal")).collect();
        id.source_vpc_id = vpc;
        id.service_arn = service.filter(|s| !s.is_empty());
        id.unknown = unknown.into_iter().map(|(k, v)| UnknownField::new(IdentityHeader::Target, k, v)).collect();
        let headers = id.to_headers().unwrap();
        let back = CallerIdentity::from_headers(&headers).unwrap();
        if headers.is_empty() {
            prop_assert_eq!(back, None);
        } else {
            prop_assert_eq!(back, Some(id));
        }
    }

    #[test]
    fn request_v2_event_request_round_trip(
        segments in prop::collection::vec("[a-zA-Z0-9._~ %✓-]{1,8}", 1..4),
        query in prop::collection::vec(("[a-z]{1,4}", "[a-zA-Z0-9 &=+✓]{0,6}"), 0..4),
        headers in prop::collection::vec(("x-[a-z]{1,6}", "[!-~][ -~]{0,10}[!-~]"), 0..4),
        body in prop::collection::vec(any::<u8>(), 0..64),
        text in any::<bool>(),
    ) {
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let path = format!("/{}", segments.iter().map(|s| enc(s)).collect::<Vec<_>>().join("/"));
        let q = query.iter().map(|(k, v)| format!("{}={}", k, enc(v))).collect::<Vec<_>>().join("&");
        let uri = if q.is_empty() { format!("https://svc.example{path}") } else { format!("https://svc.example{path}?{q}") };
        let mut builder = Request::builder().method("POST").uri(&uri)
            .header("content-type", if text { "text/plain" } else { "application/octet-stream" });
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let req = builder.body(Bytes::from(body.clone())).unwrap();
        let event = V2Event::from_http_request(&req, V2RequestContext::default(), None);
        for (k, v) in &query {
            prop_assert!(event.query_string_parameters.get_exact(k).unwrap().contains(v));
        }
        let back = LatticeEvent::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap().into_http_request().unwrap();
        prop_assert_eq!(back.uri().to_string(), uri.clone());
        prop_assert_eq!(back.method(), "POST");
        prop_assert_eq!(back.body().as_bytes(), &body[..]);
        for (k, _) in &headers {
            let a: Vec<_> = req.headers().get_all(k.as_str()).iter().collect();
            let b: Vec<_> = back.headers().get_all(k.as_str()).iter().collect();
            prop_assert_eq!(a, b);
        }
        // V1 keeps the path and query the same way.
        let v1 = V1Event::from_http_request(&req, None);
        let back1 = LatticeEvent::from_slice(&serde_json::to_vec(&v1).unwrap()).unwrap().into_http_request().unwrap();
        prop_assert_eq!(back1.uri().to_string(), uri);
        prop_assert_eq!(back1.body().as_bytes(), &body[..]);
    }
}
