//! Tests of `error`.

use super::*;
use std::error::Error as _;

#[test]
fn http_status_codes() {
    let cases = [
        (401, Code::Unauthenticated),
        (403, Code::PermissionDenied),
        (404, Code::Unimplemented),
        (429, Code::Unavailable),
        (502, Code::Unavailable),
        (503, Code::Unavailable),
        (504, Code::Unavailable),
        (400, Code::Unknown),
        (500, Code::Unknown),
        (200, Code::Unknown),
    ];
    for (status, code) in cases {
        let status = http::StatusCode::from_u16(status).expect("status");
        assert_eq!(code_for_http_status(status), code, "{status}");
    }
}

#[test]
fn statuses_keep_the_typed_error() {
    let status: Status = Error::NotGrpc {
        status: http::StatusCode::FORBIDDEN,
        content_type: Some("text/plain".into()),
        message: "AccessDeniedException: no".into(),
        refusal: None,
    }
    .into();
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(status.message(), "AccessDeniedException: no");
    let source = status
        .source()
        .and_then(|e| e.downcast_ref::<Error>())
        .expect("typed source");
    assert!(matches!(source, Error::NotGrpc { .. }));
}

#[test]
fn wrapped_errors_are_found() {
    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Error);
    let inner = Error::Http2NotNegotiated {
        authority: "a.example:443".into(),
    };
    let status = into_status(Box::new(Outer(inner)));
    assert_eq!(status.code(), Code::Unavailable);
    assert!(status.message().contains("HTTP/2"), "{}", status.message());

    let status = into_status(Box::new(lattice_tower::Error::Sign(
        lattice_client::Error::InvalidHeaderValue { name: "x".into() },
    )));
    assert_eq!(status.code(), Code::InvalidArgument);

    let status = into_status("something else".into());
    assert_eq!(status.code(), Code::Unknown);
}

/// The error and its sources joined with `: `, without skipping anything.
fn plain_chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = vec![error.to_string()];
    let mut source = error.source();
    while let Some(e) = source {
        out.push(e.to_string());
        source = e.source();
    }
    out
}

#[test]
fn no_message_repeats_its_source() {
    let errors = [
        Error::Signer(lattice_client::Error::NoRegion {
            host: "a.example".into(),
        }),
        Error::Credentials(lattice_client::Error::Config("no key".into())),
        Error::Sign(lattice_client::Error::InvalidHeaderValue { name: "x".into() }),
        Error::Connect {
            authority: "a.example:443".into(),
            source: Box::new(std::io::Error::other("connection refused")),
        },
        Error::TlsHandshake {
            authority: "a.example:443".into(),
            source: std::io::Error::other("invalid peer certificate: UnknownIssuer"),
        },
    ];
    for error in &errors {
        let links = plain_chain(error);
        let line = links.join(": ");
        for cause in &links[1..] {
            assert_eq!(line.matches(cause.as_str()).count(), 1, "{line}");
        }
        // The status message has every cause, once.
        assert_eq!(chain(error), line);
    }
    let status: Status = errors.into_iter().nth(4).expect("five").into();
    assert_eq!(
        status.message().matches("UnknownIssuer").count(),
        1,
        "{}",
        status.message()
    );
    assert!(
        status.message().contains("add_root_pem"),
        "{}",
        status.message()
    );
}

#[test]
fn chains_skip_repeats() {
    #[derive(Debug, thiserror::Error)]
    #[error("transport error")]
    struct Outer(#[source] std::io::Error);
    let e = Outer(std::io::Error::other("refused"));
    assert_eq!(chain(&e), "transport error: refused");
}
