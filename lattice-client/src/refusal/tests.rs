#![allow(clippy::unwrap_used, clippy::expect_used)]

use http::{HeaderMap, HeaderValue, StatusCode};

use super::*;
use crate::hint::{HINTS, HintId, Trigger};

fn refusal(status: u16, body: &str) -> Option<Refusal> {
    Refusal::from_response(
        StatusCode::from_u16(status).unwrap(),
        &HeaderMap::new(),
        body.as_bytes(),
    )
}

#[test]
fn every_line_of_the_hint_table_is_a_refusal_with_its_hint() {
    let mut seen = 0;
    for row in HINTS {
        let Trigger::Line { status, .. } = row.trigger else {
            continue;
        };
        let body = format!("{}\n", row.seen);
        let refusal =
            refusal(status, &body).unwrap_or_else(|| panic!("{:?}: {}", row.id, row.seen));
        assert_eq!(refusal.line(), row.seen, "{:?}", row.id);
        assert_eq!(refusal.hint().map(|h| h.id), Some(row.id), "{:?}", row.id);
        assert_eq!(refusal.to_string(), format!("{status} {}", row.seen));
        seen += 1;
    }
    assert!(seen >= 15, "only {seen} line rows");
}

#[test]
fn access_denials_name_layer_kind_principal_and_resource() {
    let cases = [
        (
            HintId::AccessDeniedExplicit,
            Layer::Service,
            true,
            "arn:aws:sts::111122223333:assumed-role/orders-client/s",
            "/admin",
        ),
        (
            HintId::AccessDeniedNetwork,
            Layer::Network,
            false,
            "anonymous",
            "/",
        ),
        (
            HintId::AccessDeniedService,
            Layer::Service,
            false,
            "arn:aws:iam::111122223333:user/reporting",
            "/invoices",
        ),
        (
            HintId::AccessDeniedIdentity,
            Layer::Identity,
            false,
            "arn:aws:sts::111122223333:assumed-role/orders-client/s",
            "/orders",
        ),
    ];
    for (id, layer, explicit, principal, path) in cases {
        let row = crate::hint::get(id).unwrap();
        let refusal = refusal(403, row.seen).unwrap();
        assert_eq!(refusal.code(), "AccessDeniedException");
        let denial = refusal.access_denial().unwrap_or_else(|| panic!("{id:?}"));
        assert_eq!(denial.layer(), layer, "{id:?}");
        assert_eq!(denial.is_explicit(), explicit, "{id:?}");
        assert_eq!(denial.principal(), principal, "{id:?}");
        assert_eq!(denial.action(), "vpc-lattice-svcs:Invoke");
        assert_eq!(
            denial.resource(),
            format!(
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0{path}"
            )
        );
    }
}

#[test]
fn a_targets_own_answers_are_not_refusals() {
    for (status, body) in [
        (403, "Forbidden"),
        (403, ""),
        (404, "Not Found"),
        (404, "{\"error\":\"Non Existent Service\"}"),
        (403, "accessDeniedException: lower-case name"),
        (403, "Exception: no name"),
        (403, "AccessDenied: not an exception name"),
        (403, "Access Denied Exception: spaces"),
        (500, "Internal Server Error"),
        // Lattice's lines on a success status are the target's body.
        (
            200,
            "AccessDeniedException: User: anonymous is not authorized",
        ),
        (404, "Non Existent Service, said the target"),
    ] {
        assert!(refusal(status, body).is_none(), "{status} {body:?}");
    }
    let not_utf8 = Refusal::from_response(
        StatusCode::FORBIDDEN,
        &HeaderMap::new(),
        b"\xffException: x",
    );
    assert!(not_utf8.is_none());
}

#[test]
fn non_existent_service_and_other_exceptions() {
    let r = refusal(404, "Non Existent Service\n").unwrap();
    assert_eq!(r.code(), NON_EXISTENT_SERVICE);
    assert_eq!(r.message(), "");
    assert_eq!(r.hint().map(|h| h.id), Some(HintId::NonExistentService));
    assert!(r.access_denial().is_none());
    // Only a 404 carries that line.
    assert!(refusal(403, "Non Existent Service").is_none());

    let r = refusal(500, "InternalFailureException: the verifier failed\r\n").unwrap();
    assert_eq!(r.code(), "InternalFailureException");
    assert_eq!(r.message(), "the verifier failed");
    // An access denial whose message has another shape keeps code and message.
    let r = refusal(403, "AccessDeniedException: access denied").unwrap();
    assert!(r.access_denial().is_none());
    assert_eq!(r.message(), "access denied");
}

#[test]
fn request_id_and_the_body_limit() {
    let mut headers = HeaderMap::new();
    headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("req-1"));
    let r = Refusal::from_response(
        StatusCode::FORBIDDEN,
        &headers,
        b"InvalidSignatureException: x",
    )
    .unwrap();
    assert_eq!(r.request_id(), Some("req-1"));
    assert!(r.to_string().ends_with("(request id req-1)"));

    // Only the first MAX_BODY bytes count, even when a character is cut.
    let mut body = b"AccessDeniedException: ".to_vec();
    while body.len() < MAX_BODY + 10 {
        body.extend_from_slice("é".as_bytes());
    }
    let r = Refusal::from_response(StatusCode::FORBIDDEN, &HeaderMap::new(), &body).unwrap();
    assert!(r.line().len() <= MAX_BODY);
}
