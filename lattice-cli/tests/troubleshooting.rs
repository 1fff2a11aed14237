//! `docs/troubleshooting.md` is rendered from `lattice_client::hint::HINTS`;
//! this test fails when they disagree. To regenerate the page:
//! `LATTICE_WRITE_DOCS=1 cargo test -p lattice-cli --test troubleshooting`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::Path;

use lattice_client::hint::{self, HINTS, HintId, Trigger};

fn render() -> String {
    let mut page = String::from(
        "# Troubleshooting calls to VPC Lattice services\n\
         \n\
         Each entry is an error a caller meets, its likely cause and the fix.\n\
         `lattice call` prints the matching cause and fix as a `hint:` line after a\n\
         failed call, and `lattice policy why` after a denial. The entries come from\n\
         one table in the SDK, `lattice_client::hint::HINTS`; this page is generated\n\
         from it (`LATTICE_WRITE_DOCS=1 cargo test -p lattice-cli --test troubleshooting`).\n\
         Error lines that AWS has not confirmed for Lattice are listed in\n\
         [assumptions.md](assumptions.md).\n",
    );
    for (title, transport) in [
        ("Before any answer: DNS, connection, TLS", true),
        ("Answers from Lattice: 403 and 404", false),
    ] {
        page.push_str(&format!("\n## {title}\n"));
        for h in HINTS
            .iter()
            .filter(|h| (h.trigger == Trigger::Transport) == transport)
        {
            let status = match h.trigger {
                Trigger::Line { status, .. } => format!(" ({status})"),
                _ => String::new(),
            };
            page.push_str(&format!(
                "\n### {:?}{status}\n\n```text\n{}\n```\n\n**Cause.** {}\n\n**Fix.** {}\n",
                h.id, h.seen, h.cause, h.fix
            ));
        }
    }
    page
}

#[test]
fn the_page_is_the_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/troubleshooting.md");
    let expected = render();
    if std::env::var_os("LATTICE_WRITE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        page == expected,
        "docs/troubleshooting.md disagrees with lattice_client::hint::HINTS; regenerate it with \
         LATTICE_WRITE_DOCS=1 cargo test -p lattice-cli --test troubleshooting"
    );
}

#[test]
fn every_row_has_a_unique_id_and_its_example_matches_itself() {
    let mut ids = HashSet::new();
    for h in HINTS {
        assert!(ids.insert(h.id), "{:?} twice", h.id);
        assert_eq!(hint::get(h.id).map(|x| x.id), Some(h.id));
        if let Trigger::Line { status, .. } = h.trigger {
            // Its own example line finds it (earlier rows are more specific).
            assert_eq!(
                hint::for_response(status, h.seen).map(|x| x.id),
                Some(h.id),
                "{:?}",
                h.id
            );
        }
    }
}

#[test]
fn lattice_lines_from_the_verifier_and_the_policy_engine_are_known() {
    use lattice_client::policy::{AccessRequest, AuthConfig, AuthPolicy, AuthType, Caller};
    use lattice_client::sign::verify::{TokenProblem, VerifyError};
    let cases = [
        (VerifyError::SignatureMismatch, HintId::SignatureMismatch),
        (
            VerifyError::SignedPayloadNotSupported,
            HintId::SignedPayload,
        ),
        (
            VerifyError::RequiredHeaderNotSigned("x-amz-content-sha256"),
            HintId::ContentSha256NotSigned,
        ),
        (
            VerifyError::SignedHeaderMissing("x-amz-security-token".into()),
            HintId::SignedHeaderMissing,
        ),
        (VerifyError::MissingDate, HintId::IncompleteSignature),
        (
            VerifyError::InvalidSessionToken(TokenProblem::Missing),
            HintId::InvalidToken,
        ),
        (VerifyError::UnknownAccessKey, HintId::InvalidToken),
        (
            VerifyError::WrongRegion {
                expected: "us-west-2".into(),
                found: "us-east-1".into(),
            },
            HintId::WrongRegion,
        ),
        (
            VerifyError::WrongService {
                expected: "vpc-lattice-svcs".into(),
                found: "vpc-lattice".into(),
            },
            HintId::WrongService,
        ),
        (
            VerifyError::Expired {
                request_time: "20240101T000000Z".into(),
                earliest: "20240101T001000Z".into(),
                now: "20240101T001500Z".into(),
                window: "5 min".into(),
            },
            HintId::ClockSkew,
        ),
        (VerifyError::HostMismatch, HintId::InvalidSignature),
    ];
    for (error, id) in cases {
        let line = error.to_string();
        assert_eq!(
            hint::for_response(error.status().as_u16(), &line).map(|h| h.id),
            Some(id),
            "{line}"
        );
    }
    let arn = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
    let deny_all = AuthPolicy::from_json(
        r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let none = AuthPolicy::from_json(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*/nothing"}]}"#,
    )
    .unwrap();
    let all = AuthPolicy::from_json(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let signed = Caller::arn("arn:aws:iam::111122223333:user/u");
    let layers = [
        (
            AuthConfig::new().network(AuthType::aws_iam(none.clone())),
            Caller::Anonymous,
            HintId::AccessDeniedNetwork,
        ),
        (
            AuthConfig::new().service(AuthType::aws_iam(none)),
            Caller::Anonymous,
            HintId::AccessDeniedService,
        ),
        (
            AuthConfig::new().network(AuthType::aws_iam(all)),
            signed.clone(),
            HintId::AccessDeniedIdentity,
        ),
        (
            AuthConfig::new().service(AuthType::aws_iam(deny_all)),
            signed,
            HintId::AccessDeniedExplicit,
        ),
    ];
    for (config, principal, id) in layers {
        let decision = config.evaluate(&AccessRequest::invoke(principal, arn, "/x"));
        let line = decision.message.unwrap();
        assert_eq!(
            hint::for_response(403, &line).map(|h| h.id),
            Some(id),
            "{line}"
        );
    }
    assert_eq!(hint::for_response(200, "fine"), None);
    assert_eq!(hint::for_response(403, "Something: else"), None);
}

#[test]
fn transport_failures_map_by_kind_and_host() {
    let generated = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
    let dns = lattice_client::Error::Resolve {
        host: generated.into(),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "failed to lookup address information",
        ),
    };
    assert_eq!(
        hint::for_error(Some(generated), &dns).map(|h| h.id),
        Some(HintId::DnsGeneratedName)
    );
    assert_eq!(
        hint::for_error(Some("a.example.internal"), &dns).map(|h| h.id),
        Some(HintId::DnsOtherName)
    );
    let tls =
        std::io::Error::other("invalid peer certificate: certificate not valid for name \"a\"");
    assert_eq!(
        hint::for_error(None, &tls).map(|h| h.id),
        Some(HintId::TlsNameMismatch)
    );
    let other = std::io::Error::other("something else");
    assert_eq!(hint::for_error(None, &other), None);
}
