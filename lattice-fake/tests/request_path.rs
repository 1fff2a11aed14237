//! The fake Lattice end to end, through real clients: the reqwest and hyper
//! adapters (signed), plain reqwest (anonymous) and raw HTTP/1.1.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

use lattice_client::reqwest::LatticeClient;
use lattice_fake::access_log::{AuthDeniedReason, FailureReason};
use lattice_fake::routing::{HeaderMatch, HttpMatch, PathMatch, Rule, RuleAction};
use lattice_fake::{
    FakeBody, FakeHandle, FakeLattice, Listener, Principal, ProtocolVersion, Service,
    ServiceNetwork, Target, TargetGroup, full_body,
};
use lattice_tests::fake_clients::{anonymous_client, signed_client, wait_for_records};
use lattice_tower::hyper::HyperClientBuilder;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/session-1";
const AKID2: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET2: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const USER2: &str = "arn:aws:iam::444455556666:user/no-invoke";

/// Allows any signed caller; anonymous callers get no allow.
const SIGNED_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
  "Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"Anonymous"}}}]}"#;

async fn json(response: reqwest::Response) -> Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// One network (signed callers only), an `orders` service over HTTP with
/// rules, and an echo target behind every group.
async fn orders_fake() -> FakeHandle {
    FakeLattice::builder()
        .service_network(
            ServiceNetwork::new("shop")
                .all_services()
                .aws_iam(SIGNED_ONLY),
        )
        .service(
            Service::new("orders").listener(
                Listener::http(80)
                    .rule(Rule::new(
                        10,
                        HttpMatch::new()
                            .method("POST")
                            .path(PathMatch::prefix("/orders")),
                        RuleAction::forward_to("writes"),
                    ))
                    .rule(Rule::new(
                        20,
                        HttpMatch::new().header(HeaderMatch::exact("x-canary", "yes")),
                        RuleAction::forward_to("canary"),
                    ))
                    .rule(Rule::new(
                        30,
                        HttpMatch::new().path(PathMatch::exact("/Broken").case_sensitive(true)),
                        RuleAction::fixed_response(500),
                    ))
                    .rule(Rule::new(
                        40,
                        HttpMatch::new().path(PathMatch::prefix("/orders")),
                        RuleAction::forward_to("reads"),
                    ))
                    .default_action(RuleAction::fixed_response(404)),
            ),
        )
        .target_group(TargetGroup::request_echo("reads"))
        .target_group(TargetGroup::request_echo("writes"))
        .target_group(TargetGroup::request_echo("canary"))
        .principal(
            Principal::new(AKID, SECRET, ROLE_SESSION)
                .org_id("o-exampleorgid")
                .tag("team", "orders"),
        )
        .principal(Principal::new(AKID2, SECRET2, USER2).no_identity_policy())
        .build()
        .expect("valid model")
        .start()
        .await
        .expect("fake starts")
}

fn target_group_of(echo: &Value) -> String {
    echo["headers"]["x-amzn-lattice-target"][0]
        .as_str()
        .expect("target header")
        .to_owned()
}

#[tokio::test]
async fn signed_request_is_routed_and_forwarded_with_lattice_headers() {
    let fake = orders_fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let client = signed_client(&fake, AKID);

    let response = client
        .get(format!("{url}/orders/42?x=1"))
        .header(
            "x-amzn-lattice-identity",
            "Principal=arn:aws:iam::999999999999:root",
        )
        .header("x-amzn-source-vpc", "vpc-spoofed")
        .header("x-forwarded-for", "10.9.9.9")
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 200);
    let request_id = response
        .headers()
        .get("x-amzn-requestid")
        .expect("request id returned")
        .to_str()
        .expect("ascii")
        .to_owned();
    let echo = json(response).await;
    assert_eq!(echo["path"], "/orders/42");
    assert_eq!(echo["query"], "x=1");
    let headers = &echo["headers"];
    let identity = headers["x-amzn-lattice-identity"][0]
        .as_str()
        .expect("identity");
    assert!(
        identity.contains(&format!("Principal={ROLE_SESSION}")),
        "{identity}"
    );
    assert!(
        identity.contains("PrincipalOrgID=o-exampleorgid"),
        "{identity}"
    );
    assert!(identity.contains("SessionName=session-1"), "{identity}");
    assert!(identity.contains("Type=AWS_IAM"), "{identity}");
    assert!(
        !identity.contains("999999999999"),
        "spoofed identity kept: {identity}"
    );
    assert_eq!(
        headers["x-amzn-lattice-identity"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(headers["x-amzn-source-vpc"][0], "vpc-0a1b2c3d4e5f60718");
    let tags = headers["x-amzn-lattice-identity-tags"][0]
        .as_str()
        .expect("tags");
    assert!(tags.contains("team=orders"), "{tags}");
    assert_eq!(headers["x-forwarded-for"][0], "10.9.9.9, 127.0.0.1");
    assert_eq!(headers["x-forwarded-port"][0], "80");
    assert_eq!(headers["x-forwarded-proto"][0], "http");
    assert_eq!(headers["x-amzn-requestid"][0], request_id.as_str());
    let host = headers["host"][0].as_str().expect("host");
    assert!(
        host.starts_with(&fake.service("orders").expect("svc").dns_name),
        "{host}"
    );
    let target = target_group_of(&echo);
    assert!(
        target.contains(fake.target_group_arn("reads").expect("arn")),
        "{target}"
    );
    assert!(
        target.contains(&fake.service("orders").expect("svc").arn),
        "{target}"
    );
    assert!(
        target.contains(fake.network_arn("shop").expect("arn")),
        "{target}"
    );

    let records = wait_for_records(&fake, 1).await;
    let record = records.last().expect("one record");
    assert_eq!(record.response_code, 200);
    assert_eq!(record.request_id.as_deref(), Some(request_id.as_str()));
    assert_eq!(record.caller_principal.as_deref(), Some(ROLE_SESSION));
    assert_eq!(record.request_path.as_deref(), Some("/orders/42"));
    assert_eq!(record.request_method.as_deref(), Some("GET"));
    assert_eq!(
        record.service_arn.as_deref(),
        Some(fake.service("orders").expect("svc").arn.as_str())
    );
    assert_eq!(
        record.target_group_arn.as_deref(),
        fake.target_group_arn("reads")
    );
    assert_eq!(record.failure_reason, None);
    assert_eq!(record.auth_denied_reason, None);
    assert_eq!(record.protocol.as_deref(), Some("HTTP/1.1"));
    assert_eq!(record.listener_type.as_deref(), Some("HTTP"));
    assert_eq!(
        record.source_vpc_id.as_deref(),
        Some("vpc-0a1b2c3d4e5f60718")
    );
    assert_eq!(
        record.caller_principal_tags.as_deref(),
        Some(r#"{"team":"orders"}"#)
    );
    assert!(record.bytes_sent > 0 && record.bytes_received > 0);
    let line = record.to_json();
    assert!(line.contains(r#""authDeniedReason":"-""#), "{line}");
}

#[tokio::test]
async fn rules_pick_groups_by_method_path_and_header_then_default() {
    let fake = orders_fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let client = signed_client(&fake, AKID);
    let arn = |name: &str| fake.target_group_arn(name).expect("arn").to_owned();

    // POST /orders → writes (priority 10), case-insensitive prefix by default.
    let echo = json(
        client
            .post(format!("{url}/ORDERS/1"))
            .body("{}")
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert!(target_group_of(&echo).contains(&arn("writes")));
    // Header match, value case-insensitive by default.
    let echo = json(
        client
            .get(format!("{url}/anything"))
            .header("X-Canary", "YES")
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert!(target_group_of(&echo).contains(&arn("canary")));
    // Case-sensitive exact path: `/Broken` is a fixed 500, `/broken` falls to the default 404.
    let response = client
        .get(format!("{url}/Broken"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 500);
    assert_eq!(response.text().await.expect("body"), "");
    let response = client
        .get(format!("{url}/broken"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 404);
    // GET /orders → reads (priority 40).
    let echo = json(
        client
            .get(format!("{url}/orders"))
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert!(target_group_of(&echo).contains(&arn("reads")));
}

#[tokio::test]
async fn anonymous_callers_get_the_network_denial_line() {
    let fake = orders_fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let service_arn = fake.service("orders").expect("svc").arn.clone();
    let response = anonymous_client(&fake)
        .get(format!("{url}/orders/7"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.text().await.expect("body"),
        format!(
            "AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: {service_arn}/orders/7 because no network-based policy allows the vpc-lattice-svcs:Invoke action\n"
        )
    );
    let record = wait_for_records(&fake, 1).await.pop().expect("record");
    assert_eq!(record.response_code, 403);
    assert_eq!(record.auth_denied_reason, Some(AuthDeniedReason::Network));
    assert_eq!(
        record.failure_reason,
        Some(FailureReason::ClientAccessDenied)
    );
    assert_eq!(record.target_ip_port, None);
    assert_eq!(
        record.resolved_user.map(|u| u.to_string()).as_deref(),
        Some("Anonymous")
    );
}

#[tokio::test]
async fn a_principal_without_identity_policy_gets_the_identity_denial() {
    let fake = orders_fake().await;
    let url = fake.url("orders").expect("url").to_owned();
    let service_arn = fake.service("orders").expect("svc").arn.clone();
    let response = signed_client(&fake, AKID2)
        .get(format!("{url}/orders"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.text().await.expect("body").trim_end(),
        format!(
            "AccessDeniedException: User: {USER2} is not authorized to perform: vpc-lattice-svcs:Invoke on resource: {service_arn}/orders because no identity-based policy allows the vpc-lattice-svcs:Invoke action"
        )
    );
    let record = wait_for_records(&fake, 1).await.pop().expect("record");
    assert_eq!(record.auth_denied_reason, Some(AuthDeniedReason::Identity));
}

#[tokio::test]
async fn service_policy_denials_and_explicit_deny_lines() {
    let deny_delete = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"},
        {"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
         "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"DELETE"}}}]}"#;
    let only_other_account = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":{"AWS":"777788889999"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
    let fake = FakeLattice::builder()
        .service(
            Service::new("deny")
                .aws_iam(deny_delete)
                .listener(Listener::http(80).forward_to("a")),
        )
        .service(
            Service::new("other")
                .aws_iam(only_other_account)
                .listener(Listener::http(80).forward_to("b")),
        )
        .target_group(TargetGroup::request_echo("a"))
        .target_group(TargetGroup::request_echo("b"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let client = signed_client(&fake, AKID);
    let deny = fake.url("deny").expect("url").to_owned();
    assert_eq!(
        client
            .get(format!("{deny}/x"))
            .send()
            .await
            .expect("call")
            .status(),
        200
    );
    let response = client
        .delete(format!("{deny}/x"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 403);
    let arn = fake.service("deny").expect("svc").arn.clone();
    assert_eq!(
        response.text().await.expect("body").trim_end(),
        format!(
            "AccessDeniedException: User: {ROLE_SESSION} is not authorized to perform: vpc-lattice-svcs:Invoke on resource: {arn}/x with an explicit deny in a service-based policy"
        )
    );
    let other = fake.url("other").expect("url").to_owned();
    let response = client.get(format!("{other}/")).send().await.expect("call");
    assert_eq!(response.status(), 403);
    let arn = fake.service("other").expect("svc").arn.clone();
    assert_eq!(
        response.text().await.expect("body").trim_end(),
        format!(
            "AccessDeniedException: User: {ROLE_SESSION} is not authorized to perform: vpc-lattice-svcs:Invoke on resource: {arn}/ because no service-based policy allows the vpc-lattice-svcs:Invoke action"
        )
    );
    let record = wait_for_records(&fake, 3).await.pop().expect("record");
    assert_eq!(record.auth_denied_reason, Some(AuthDeniedReason::Service));
}

/// Auth type NONE everywhere: anonymous and signed callers both pass, but a
/// bad signature is still a 403 (`docs/assumptions.md`, A11).
#[tokio::test]
async fn signatures_are_checked_even_without_auth() {
    let fake = FakeLattice::builder()
        .service(Service::new("open").listener(Listener::http(80).forward_to("echo")))
        .target_group(TargetGroup::request_echo("echo"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("open").expect("url").to_owned();
    let anonymous = json(
        anonymous_client(&fake)
            .get(format!("{url}/"))
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert!(
        anonymous["headers"]
            .get("x-amzn-lattice-identity")
            .is_none()
    );
    assert_eq!(
        anonymous["headers"]["x-amzn-source-vpc"][0],
        "vpc-0a1b2c3d4e5f60718"
    );
    let signed = json(
        signed_client(&fake, AKID)
            .get(format!("{url}/"))
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert!(
        signed["headers"]["x-amzn-lattice-identity"][0]
            .as_str()
            .expect("identity")
            .contains(ROLE_SESSION)
    );

    // An unknown access key.
    let stranger = lattice_client::Signer::builder()
        .credentials(lattice_client::Credentials::new(
            "AKIDUNKNOWN",
            SECRET,
            None,
            None,
            "test",
        ))
        .region("us-west-2")
        .build()
        .expect("signer");
    let client = LatticeClient::builder(stranger)
        .resolver(fake.resolver().expect("resolver"))
        .no_proxy()
        .build()
        .expect("client");
    let response = client.get(format!("{url}/")).send().await.expect("call");
    assert_eq!(response.status(), 403);
    let body = response.text().await.expect("body");
    assert!(body.starts_with("UnrecognizedClientException: "), "{body}");

    // A tampered signature, sent raw.
    let (status, body) = raw_tampered_request(&fake, "open").await;
    assert_eq!(status, 403);
    assert!(
        body.starts_with(
            "InvalidSignatureException: The request signature we calculated does not match"
        ),
        "{body}"
    );
    // A signed payload hash.
    let record_count = fake.access_log().len();
    assert!(record_count >= 3);
}

/// Signs a request with the fake's signer, breaks the signature and sends it
/// over a raw HTTP/1.1 connection.
async fn raw_tampered_request(fake: &FakeHandle, service: &str) -> (u16, String) {
    let listener = fake
        .listeners()
        .iter()
        .find(|l| l.service == service)
        .expect("listener");
    let authority = format!("{}:{}", listener.dns_name, listener.address.port());
    let signer = fake.signer(AKID).expect("signer");
    let mut request = Request::get(format!("http://{authority}/tampered"))
        .body(())
        .expect("request");
    signer.sign(&mut request).await.expect("signed");
    let auth = request.headers()["authorization"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let tampered = format!("{}0000", auth.get(..auth.len() - 4).expect("long"));
    let mut head = format!("GET /tampered HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n");
    for (name, value) in request.headers() {
        if name == "authorization" || name == "host" {
            continue;
        }
        head.push_str(&format!("{name}: {}\r\n", value.to_str().expect("ascii")));
    }
    head.push_str(&format!("authorization: {tampered}\r\n\r\n"));
    raw_exchange(listener.address, &head).await
}

async fn raw_exchange(addr: SocketAddr, request: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status: u16 = text
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn unknown_host_is_404_non_existent_service_and_header_limits_are_400() {
    let fake = orders_fake().await;
    let addr = fake.listeners()[0].address;
    let (status, body) = raw_exchange(
        addr,
        "GET / HTTP/1.1\r\nhost: nothing-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws\r\nconnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 404);
    assert!(body.contains("Non Existent Service"), "{body}");

    let host = format!(
        "{}:{}",
        fake.service("orders").expect("svc").dns_name,
        addr.port()
    );
    let mut many = format!("GET / HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    for i in 0..100 {
        many.push_str(&format!("x-h{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let (status, _) = raw_exchange(addr, &many).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn client_request_id_is_kept_and_cut_to_512_bytes() {
    let fake = FakeLattice::builder()
        .service(Service::new("open").listener(Listener::http(80).forward_to("echo")))
        .target_group(TargetGroup::request_echo("echo"))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("open").expect("url").to_owned();
    let long = "r".repeat(600);
    let response = anonymous_client(&fake)
        .get(format!("{url}/"))
        .header("x-amzn-requestid", &long)
        .send()
        .await
        .expect("call");
    let returned = response.headers()["x-amzn-requestid"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(returned.len(), 512);
    let echo = json(response).await;
    assert_eq!(
        echo["headers"]["x-amzn-requestid"][0]
            .as_str()
            .map(str::len),
        Some(512)
    );
    let generated = anonymous_client(&fake)
        .get(format!("{url}/"))
        .send()
        .await
        .expect("call");
    let id = generated.headers()["x-amzn-requestid"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(id.len(), 36, "{id}");
}

#[tokio::test]
async fn weighted_forward_splits_within_statistical_bounds() {
    let fake = FakeLattice::builder()
        .service(
            Service::new("split").listener(
                Listener::http(80)
                    .default_action(RuleAction::forward_weighted([("blue", 10), ("green", 30)])),
            ),
        )
        .target_group(TargetGroup::new(
            "blue",
            Target::service(tag_service("blue")),
        ))
        .target_group(TargetGroup::new(
            "green",
            Target::service(tag_service("green")),
        ))
        .access_log_capacity(0)
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("split").expect("url").to_owned();
    let client = anonymous_client(&fake);
    let mut counts: HashMap<String, u32> = HashMap::new();
    let n = 2000;
    for _ in 0..n {
        let body = client
            .get(format!("{url}/"))
            .send()
            .await
            .expect("call")
            .text()
            .await
            .expect("body");
        *counts.entry(body).or_default() += 1;
    }
    let green = f64::from(counts.get("green").copied().unwrap_or(0));
    // Expected 0.75 · 2000 = 1500, σ ≈ 19.4; ±5σ.
    assert!((green - 1500.0).abs() < 97.0, "{counts:?}");
    assert_eq!(counts.values().sum::<u32>(), n);
}

fn tag_service(
    tag: &'static str,
) -> impl tower::Service<
    Request<FakeBody>,
    Response = Response<FakeBody>,
    Error = Infallible,
    Future = impl Send,
> + Clone
+ Send
+ 'static {
    tower::service_fn(move |_req: Request<FakeBody>| async move {
        Ok::<_, Infallible>(Response::new(full_body(tag)))
    })
}

#[tokio::test]
async fn https_listener_serves_h2_and_h1_with_generated_certificates_and_custom_domain() {
    let fake = FakeLattice::builder()
        .service(
            Service::new("secure")
                .custom_domain("secure.example.internal")
                .listener(Listener::https(443).forward_to("echo")),
        )
        .target_group(TargetGroup::request_echo("echo"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("secure").expect("url").to_owned();
    assert!(url.starts_with("https://secure-"), "{url}");
    let client = signed_client(&fake, AKID);
    let response = client.get(format!("{url}/h2")).send().await.expect("call");
    assert_eq!(response.version(), http::Version::HTTP_2);
    let echo = json(response).await;
    assert_eq!(echo["headers"]["x-forwarded-proto"][0], "https");
    assert_eq!(echo["headers"]["x-forwarded-port"][0], "443");
    let port = fake.listeners()[0].address.port();
    let custom = format!("https://secure.example.internal:{port}/custom");
    let response = client
        .get(&custom)
        .send()
        .await
        .expect("custom domain call");
    assert_eq!(response.status(), 200);

    // HTTP/1.1 through the hyper adapter.
    let hyper = HyperClientBuilder::new(fake.signer(AKID).expect("signer"))
        .resolver(fake.resolver().expect("resolver"))
        .platform_roots(false)
        .add_root_certificate(fake.ca_der().expect("ca").clone())
        .build::<Full<Bytes>>()
        .expect("hyper client");
    let response = hyper
        .request(
            Request::get(format!("{url}/h1"))
                .version(http::Version::HTTP_11)
                .body(Full::new(Bytes::new()))
                .expect("req"),
        )
        .await
        .expect("hyper call");
    assert_eq!(response.status(), StatusCode::OK);

    let records = wait_for_records(&fake, 3).await;
    let first = &records[0];
    assert_eq!(
        first
            .tls_version
            .as_deref()
            .map(|v| v.starts_with("TLSv1.")),
        Some(true)
    );
    assert!(first.ssl_cipher.is_some());
    assert_eq!(
        first.server_name_indication.as_deref(),
        Some(fake.service("secure").expect("svc").dns_name.as_str())
    );
    assert_eq!(first.protocol.as_deref(), Some("HTTP/2"));
}

#[tokio::test]
async fn http_upstream_target_and_connection_errors() {
    let upstream = lattice_tests::CaptureServer::plain(lattice_tests::Protocol::Http1)
        .await
        .expect("upstream");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let fake = FakeLattice::builder()
        .service(
            Service::new("upstream").listener(
                Listener::http(80)
                    .rule(Rule::new(
                        1,
                        HttpMatch::new().path(PathMatch::prefix("/down")),
                        RuleAction::forward_to("down"),
                    ))
                    .forward_to("up"),
            ),
        )
        .target_group(TargetGroup::new("up", Target::upstream(upstream.addr())))
        .target_group(TargetGroup::new("down", Target::upstream(closed)))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("upstream").expect("url").to_owned();
    let client = anonymous_client(&fake);
    let response = client
        .post(format!("{url}/up?q=1"))
        .body("hello")
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 200);
    let seen = upstream.requests();
    let captured = seen.last().expect("upstream saw the request");
    assert_eq!(captured.uri.path(), "/up");
    assert!(captured.headers.contains_key("x-amzn-lattice-target"));
    assert!(
        captured.headers["host"]
            .to_str()
            .expect("host")
            .starts_with("upstream-")
    );

    let response = client
        .get(format!("{url}/down"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 500);
    let record = wait_for_records(&fake, 2).await.pop().expect("record");
    assert_eq!(
        record.failure_reason,
        Some(FailureReason::TargetConnectionError)
    );
}

#[tokio::test]
async fn in_process_http2_target_over_https() {
    let fake = FakeLattice::builder()
        .service(Service::new("h2svc").listener(Listener::https(443).forward_to("h2")))
        .target_group(
            TargetGroup::new(
                "h2",
                Target::service(tower::service_fn(|req: Request<FakeBody>| async move {
                    let version = format!("{:?}", req.version());
                    let body = req
                        .into_body()
                        .collect()
                        .await
                        .map(|b| b.to_bytes().len())
                        .unwrap_or(0);
                    Ok::<_, Infallible>(Response::new(full_body(format!("{version} {body}"))))
                })),
            )
            .protocol_version(ProtocolVersion::Http2),
        )
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("h2svc").expect("url").to_owned();
    let response = signed_client(&fake, AKID)
        .post(format!("{url}/stream"))
        .body(vec![7u8; 100_000])
        .send()
        .await
        .expect("call");
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.text().await.expect("body"), "HTTP/2.0 100000");
}

#[tokio::test]
async fn clock_skew_beyond_the_window_is_rejected() {
    let fake = FakeLattice::builder()
        .service(Service::new("skew").listener(Listener::http(80).forward_to("echo")))
        .target_group(TargetGroup::request_echo("echo"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
        .clock_ahead(Duration::from_secs(600))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("skew").expect("url").to_owned();
    let response = signed_client(&fake, AKID)
        .get(format!("{url}/"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 403);
    let body = response.text().await.expect("body");
    assert!(
        body.starts_with("InvalidSignatureException: Signature expired"),
        "{body}"
    );
}

#[tokio::test]
async fn session_tokens_must_match() {
    let fake = FakeLattice::builder()
        .service(Service::new("tok").listener(Listener::http(80).forward_to("echo")))
        .target_group(TargetGroup::request_echo("echo"))
        .principal(
            Principal::new(AKID, SECRET, ROLE_SESSION).session_token("session-token-example"),
        )
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("tok").expect("url").to_owned();
    let ok = signed_client(&fake, AKID)
        .get(format!("{url}/"))
        .send()
        .await
        .expect("call");
    assert_eq!(ok.status(), 200);
    let wrong = lattice_client::Signer::builder()
        .credentials(lattice_client::Credentials::new(
            AKID,
            SECRET,
            Some("other-token".into()),
            None,
            "t",
        ))
        .region("us-west-2")
        .build()
        .expect("signer");
    let client = LatticeClient::builder(wrong)
        .resolver(fake.resolver().expect("resolver"))
        .no_proxy()
        .build()
        .expect("client");
    let response = client.get(format!("{url}/")).send().await.expect("call");
    assert_eq!(response.status(), 403);
    let missing = lattice_client::Signer::builder()
        .credentials(lattice_client::Credentials::new(
            AKID, SECRET, None, None, "t",
        ))
        .region("us-west-2")
        .build()
        .expect("signer");
    let client = LatticeClient::builder(missing)
        .resolver(fake.resolver().expect("resolver"))
        .no_proxy()
        .build()
        .expect("client");
    let response = client.get(format!("{url}/")).send().await.expect("call");
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn connection_lifetime_closes_h1_connections_gracefully() {
    let fake = FakeLattice::builder()
        .service(Service::new("life").listener(Listener::http(80).forward_to("echo")))
        .target_group(TargetGroup::request_echo("echo"))
        .connection_lifetime(Duration::from_millis(300))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("life").expect("url").to_owned();
    let client = anonymous_client(&fake);
    let mut ports = std::collections::HashSet::new();
    for _ in 0..4 {
        let response = client.get(format!("{url}/")).send().await.expect("call");
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for record in fake.access_log().records() {
        ports.insert(record.source_ip_port.expect("source"));
    }
    assert!(ports.len() >= 2, "connections were not recycled: {ports:?}");
}

/// An error and its sources, as `anyhow`'s `{:#}` prints them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

#[test]
fn build_rejects_what_lattice_rejects() {
    let bad_priority = FakeLattice::builder()
        .service(
            Service::new("a-svc").listener(
                Listener::http(80)
                    .rule(Rule::new(
                        5,
                        HttpMatch::new(),
                        RuleAction::fixed_response(404),
                    ))
                    .rule(Rule::new(
                        5,
                        HttpMatch::new(),
                        RuleAction::fixed_response(404),
                    )),
            ),
        )
        .build()
        .expect_err("duplicate priority");
    assert!(
        chain(&bad_priority).contains("priority 5"),
        "{bad_priority}"
    );
    let unknown_tg = FakeLattice::builder()
        .service(Service::new("a-svc").listener(Listener::http(80).forward_to("nope")))
        .build()
        .expect_err("unknown target group");
    assert!(chain(&unknown_tg).contains("`nope`"), "{unknown_tg}");
    let bad_policy = FakeLattice::builder()
        .service(Service::new("a-svc").aws_iam("{\"Statement\": 3}"))
        .build()
        .expect_err("bad policy");
    assert!(chain(&bad_policy).contains("auth policy"), "{bad_policy}");
    let bad_name = FakeLattice::builder()
        .service(Service::new("Bad_Name"))
        .build()
        .expect_err("name");
    assert!(chain(&bad_name).contains("Bad_Name"), "{bad_name}");
    let three = FakeLattice::builder()
        .service(
            Service::new("many")
                .listener(Listener::http(80))
                .listener(Listener::http(81))
                .listener(Listener::http(82)),
        )
        .build()
        .expect_err("listener quota");
    assert!(chain(&three).contains("quota"), "{three}");
    let fixed = FakeLattice::builder()
        .service(
            Service::new("fixed")
                .listener(Listener::http(80).default_action(RuleAction::fixed_response(503))),
        )
        .build()
        .expect_err("fixed 503");
    assert!(chain(&fixed).contains("503"), "{fixed}");
}

/// Facts §7.3: HTTP/1.1 cannot reach an `HTTP2` group; HTTP/2 reaches an
/// `HTTP1` group converted to HTTP/1.1 (with a `host` header); a gRPC
/// request cannot reach an `HTTP1` group; a `GRPC` group takes only POST.
#[tokio::test]
async fn protocol_versions_follow_the_lattice_table() {
    let version_of = || {
        tower::service_fn(|req: Request<FakeBody>| async move {
            let host = req
                .headers()
                .get("host")
                .map(|h| h.to_str().unwrap_or("?").to_owned())
                .unwrap_or_default();
            Ok::<_, Infallible>(Response::new(full_body(format!(
                "{:?} {host}",
                req.version()
            ))))
        })
    };
    let fake = FakeLattice::builder()
        .service(
            Service::new("versions").listener(
                Listener::https(443)
                    .rule(Rule::new(
                        1,
                        HttpMatch::new().path(PathMatch::prefix("/h2")),
                        RuleAction::forward_to("h2"),
                    ))
                    .rule(Rule::new(
                        2,
                        HttpMatch::new().path(PathMatch::prefix("/grpc")),
                        RuleAction::forward_to("grpc"),
                    ))
                    .forward_to("h1"),
            ),
        )
        .target_group(TargetGroup::new("h1", Target::service(version_of())))
        .target_group(
            TargetGroup::new("h2", Target::service(version_of()))
                .protocol_version(ProtocolVersion::Http2),
        )
        .target_group(
            TargetGroup::new("grpc", Target::service(version_of()))
                .protocol_version(ProtocolVersion::Grpc),
        )
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("versions").expect("url").to_owned();
    let h2 = anonymous_client(&fake);
    let h1 = {
        let listener = &fake.listeners()[0];
        reqwest::Client::builder()
            .no_proxy()
            .http1_only()
            .resolve(&listener.dns_name, listener.address)
            .tls_certs_only([
                reqwest::Certificate::from_pem(fake.ca_pem().expect("ca").as_bytes()).expect("pem"),
            ])
            .build()
            .expect("h1 client")
    };
    let text =
        |r: reqwest::Response| async move { (r.status().as_u16(), r.text().await.expect("body")) };

    let (status, body) = text(h2.get(format!("{url}/any")).send().await.expect("call")).await;
    assert_eq!(status, 200);
    assert!(
        body.starts_with("HTTP/1.1 versions-"),
        "h2 → HTTP1 group is converted: {body}"
    );
    let (status, body) = text(h2.get(format!("{url}/h2")).send().await.expect("call")).await;
    assert_eq!(
        (status, body.starts_with("HTTP/2.0")),
        (200, true),
        "{body}"
    );
    let (status, _) = text(h1.get(format!("{url}/h2")).send().await.expect("call")).await;
    assert_eq!(status, 400, "HTTP/1.1 → HTTP2 group");
    let (status, _) = text(h2.get(format!("{url}/grpc")).send().await.expect("call")).await;
    assert_eq!(status, 400, "GET → GRPC group");
    let (status, _) = text(h2.post(format!("{url}/grpc")).send().await.expect("call")).await;
    assert_eq!(status, 200, "POST over h2 → GRPC group");
    let (status, _) = text(
        h2.post(format!("{url}/any"))
            .header("content-type", "application/grpc")
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert_eq!(status, 400, "gRPC → HTTP1 group");
}

/// At the end of its lifetime an HTTP/2 connection gets GOAWAY: the request
/// in flight finishes, the next one opens a new connection. An idle
/// connection is closed after the idle timeout.
#[tokio::test]
async fn h2_lifetime_lets_in_flight_streams_finish_and_idle_connections_close() {
    let slow = tower::service_fn(|_req: Request<FakeBody>| async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        Ok::<_, Infallible>(Response::new(full_body("slow done")))
    });
    let fake = FakeLattice::builder()
        .service(
            Service::new("lifetime").listener(
                Listener::https(443)
                    .rule(Rule::new(
                        1,
                        HttpMatch::new().path(PathMatch::prefix("/slow")),
                        RuleAction::forward_to("slow"),
                    ))
                    .forward_to("echo"),
            ),
        )
        .target_group(
            TargetGroup::new("slow", Target::service(slow))
                .protocol_version(ProtocolVersion::Http2),
        )
        .target_group(TargetGroup::request_echo("echo"))
        .connection_lifetime(Duration::from_millis(150))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("lifetime").expect("url").to_owned();
    let client = anonymous_client(&fake);
    let response = client
        .get(format!("{url}/slow"))
        .send()
        .await
        .expect("in-flight call");
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.text().await.expect("body"), "slow done");
    let response = client
        .get(format!("{url}/after"))
        .send()
        .await
        .expect("next call");
    assert_eq!(response.status(), 200);
    let records = wait_for_records(&fake, 2).await;
    assert_ne!(
        records[0].source_ip_port, records[1].source_ip_port,
        "the second request came on a new connection"
    );
    assert_eq!(fake.metrics().services["lifetime"].new_connection_count, 2);

    let idle = FakeLattice::builder()
        .service(Service::new("idle").listener(Listener::http(80).forward_to("echo")))
        .target_group(TargetGroup::request_echo("echo"))
        .idle_timeout(Duration::from_millis(150))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = idle.url("idle").expect("url").to_owned();
    let client = anonymous_client(&idle);
    let _ = client
        .get(format!("{url}/"))
        .send()
        .await
        .expect("call")
        .bytes()
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        idle.metrics().services["idle"].active_connection_count,
        0,
        "idle connection closed"
    );
    let _ = client
        .get(format!("{url}/"))
        .send()
        .await
        .expect("call after idle close")
        .bytes()
        .await;
    assert_eq!(idle.metrics().services["idle"].new_connection_count, 2);
}

/// Policies that test request headers, query strings, the port and principal
/// tags get those values in their context.
#[tokio::test]
async fn policy_conditions_on_headers_query_port_and_tags() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
      "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
      "Condition":{
        "StringEquals":{"vpc-lattice-svcs:RequestHeader/X-Tenant":"blue",
                        "vpc-lattice-svcs:RequestQueryString/mode":"read",
                        "aws:PrincipalTag/team":"orders"},
        "NumericEquals":{"vpc-lattice-svcs:Port":"80"}}}]}"#;
    let fake = FakeLattice::builder()
        .service(
            Service::new("conds")
                .aws_iam(policy)
                .listener(Listener::http(80).forward_to("echo")),
        )
        .target_group(TargetGroup::request_echo("echo"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION).tag("team", "orders"))
        .principal(
            Principal::new(AKID2, SECRET2, "arn:aws:iam::111122223333:user/other")
                .tag("team", "billing"),
        )
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("conds").expect("url").to_owned();
    let orders = signed_client(&fake, AKID);
    let status = |c: &LatticeClient, path: &str, tenant: &str| {
        c.get(format!("{url}{path}"))
            .header("x-tenant", tenant)
            .send()
    };
    assert_eq!(
        status(&orders, "/x?mode=read", "blue")
            .await
            .expect("call")
            .status(),
        200
    );
    assert_eq!(
        status(&orders, "/x?mode=write", "blue")
            .await
            .expect("call")
            .status(),
        403
    );
    assert_eq!(
        status(&orders, "/x?mode=read", "green")
            .await
            .expect("call")
            .status(),
        403
    );
    let billing = signed_client(&fake, AKID2);
    assert_eq!(
        status(&billing, "/x?mode=read", "blue")
            .await
            .expect("call")
            .status(),
        403
    );
}
