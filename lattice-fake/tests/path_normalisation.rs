//! One path for authorization, routing and the target (`docs/assumptions.md`,
//! A37): a `Deny` on `…/admin*` stops every spelling of `/admin`, listener
//! rules see the same path, the target gets it, and paths that cannot be
//! normalised are refused with 400.
//!
//! Paths such as `//admin` or `/./admin` are rewritten by URL parsers before
//! they are sent, so these tests write the request head over raw TCP.

use std::net::SocketAddr;

use serde_json::Value;

use lattice_fake::routing::{HttpMatch, PathMatch, Rule, RuleAction};
use lattice_fake::{FakeHandle, FakeLattice, Listener, Service, ServiceNetwork, TargetGroup};
use lattice_tests::fake_clients::{signed_client, wait_for_records};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/session-1";

/// Everyone may invoke anything except `/admin*` (by resource).
const DENY_ADMIN_RESOURCE: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
  {"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke",
   "Resource":"arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/admin*"}]}"#;

/// Everyone may invoke anything except `/admin*` (by `RequestPath`).
const DENY_ADMIN_PATH: &str = r#"{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
  {"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
   "Condition":{"StringLike":{"vpc-lattice-svcs:RequestPath":"/admin*"}}}]}"#;

/// The spellings of `/admin` that used to reach the target.
const ADMIN_SPELLINGS: [&str; 8] = [
    "/admin",
    "//admin",
    "/./admin",
    "/public/../admin",
    "/%61dmin",
    "/%2e/admin",
    "/public/%2E%2E/admin",
    "///public//..//admin/",
];

/// `guarded` denies `/admin*` by resource, `conditioned` by `RequestPath`;
/// `routed` sends `/admin*` to its own target group by a listener rule.
async fn fake() -> FakeHandle {
    FakeLattice::builder()
        .service_network(ServiceNetwork::new("shop").all_services())
        .service(
            Service::new("guarded")
                .id("svc-0123456789abcdef0")
                .aws_iam(DENY_ADMIN_RESOURCE)
                .listener(Listener::http(80).forward_to("guarded-tg")),
        )
        .service(
            Service::new("conditioned")
                .aws_iam(DENY_ADMIN_PATH)
                .listener(Listener::http(80).forward_to("conditioned-tg")),
        )
        .service(
            Service::new("routed").listener(
                Listener::http(80)
                    .rule(Rule::new(
                        10,
                        HttpMatch::new().path(PathMatch::prefix("/admin")),
                        RuleAction::forward_to("admin-tg"),
                    ))
                    .rule(Rule::new(
                        20,
                        HttpMatch::new().path(PathMatch::exact("/public/x")),
                        RuleAction::forward_to("public-tg"),
                    ))
                    .default_action(RuleAction::fixed_response(404)),
            ),
        )
        .target_group(TargetGroup::request_echo("guarded-tg"))
        .target_group(TargetGroup::request_echo("conditioned-tg"))
        .target_group(TargetGroup::request_echo("admin-tg"))
        .target_group(TargetGroup::request_echo("public-tg"))
        .principal(lattice_fake::Principal::new(AKID, SECRET, ROLE_SESSION))
        .build()
        .expect("valid model")
        .start()
        .await
        .expect("fake starts")
}

/// The listener address and `host` of a service.
fn endpoint(fake: &FakeHandle, service: &str) -> (SocketAddr, String) {
    let listener = fake
        .listeners()
        .iter()
        .find(|l| l.service == service)
        .expect("listener");
    (
        listener.address,
        format!("{}:{}", listener.dns_name, listener.address.port()),
    )
}

/// Sends `GET <target>` exactly as written and returns the status and body.
async fn raw_get(fake: &FakeHandle, service: &str, target: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (addr, host) = endpoint(fake, service);
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!("GET {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The echo target's JSON; the raw exchange is `connection: close`, so the
/// body is either plain or one chunk.
fn echo_json(body: &str) -> Value {
    let start = body.find('{').unwrap_or_else(|| panic!("no JSON: {body}"));
    let end = body.rfind('}').unwrap_or_else(|| panic!("no JSON: {body}"));
    let json = body.get(start..=end).expect("slice");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[tokio::test]
async fn a_resource_deny_on_admin_stops_every_spelling_of_admin() {
    let fake = fake().await;
    for target in ADMIN_SPELLINGS {
        let (status, body) = raw_get(&fake, "guarded", target).await;
        assert_eq!(status, 403, "{target} reached the target: {body}");
        assert!(
            body.starts_with("AccessDeniedException"),
            "{target}: {body}"
        );
    }
    // Paths near `/admin` that are not it still pass.
    for target in ["/public", "/public/admin", "/%41dmin", "/adm%69n/../public"] {
        let (status, body) = raw_get(&fake, "guarded", target).await;
        assert_eq!(status, 200, "{target}: {body}");
    }
}

#[tokio::test]
async fn a_request_path_deny_on_admin_stops_every_spelling_of_admin() {
    let fake = fake().await;
    for target in ADMIN_SPELLINGS {
        let (status, body) = raw_get(&fake, "conditioned", target).await;
        assert_eq!(status, 403, "{target} reached the target: {body}");
    }
    let (status, _) = raw_get(&fake, "conditioned", "/public/./x").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn listener_rules_and_the_target_see_the_normalised_path() {
    let fake = fake().await;
    let admin_arn = fake.target_group_arn("admin-tg").expect("arn").to_owned();
    for target in ADMIN_SPELLINGS {
        let (status, body) = raw_get(&fake, "routed", target).await;
        assert_eq!(status, 200, "{target}: {body}");
        let echo = echo_json(&body);
        let group = echo["headers"]["x-amzn-lattice-target"][0]
            .as_str()
            .expect("target header");
        assert!(group.contains(&admin_arn), "{target} routed to {group}");
        let path = echo["path"].as_str().expect("path");
        assert!(path == "/admin" || path == "/admin/", "{target} → {path}");
    }
    let (status, body) = raw_get(&fake, "routed", "/public/./y/../x?q=%2e%2E&a=1").await;
    assert_eq!(status, 200, "{body}");
    let echo = echo_json(&body);
    assert_eq!(echo["path"], "/public/x");
    // The query is forwarded as sent.
    assert_eq!(echo["query"], "q=%2e%2E&a=1");
    // Escapes of other characters are kept, their hex upper-cased.
    let (status, body) = raw_get(&fake, "routed", "/admin/caf%c3%a9%7e").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(echo_json(&body)["path"], "/admin/caf%C3%A9~");
}

#[tokio::test]
async fn paths_that_cannot_be_normalised_are_400_with_one_line() {
    let fake = fake().await;
    for target in [
        "/../admin",
        "/public/../../admin",
        "/%2e%2e/admin",
        "/%2Fadmin",
        "/public%2fadmin",
        "/bad%zzescape",
        "/cut%4",
    ] {
        let (status, body) = raw_get(&fake, "routed", target).await;
        assert_eq!(status, 400, "{target}: {body}");
        assert!(body.starts_with("Bad Request: "), "{target}: {body}");
        assert_eq!(body.trim_end().lines().count(), 1, "{target}: {body}");
    }
    let records = wait_for_records(&fake, 7).await;
    assert!(
        records.iter().all(|r| r.response_code == 400),
        "{records:?}"
    );
}

#[tokio::test]
async fn a_signed_client_still_verifies_and_is_denied_on_a_double_slash() {
    // The signature covers the request as sent; the normalised path decides.
    let fake = fake().await;
    let url = fake.url("conditioned").expect("url").to_owned();
    let client = signed_client(&fake, AKID);
    let ok = client
        .get(format!("{url}/public"))
        .send()
        .await
        .expect("call");
    assert_eq!(ok.status(), 200);
    let denied = client
        .get(format!("{url}//admin"))
        .send()
        .await
        .expect("call");
    assert_eq!(denied.status(), 403);
    let body = denied.text().await.expect("body");
    assert!(body.starts_with("AccessDeniedException"), "{body}");
}
