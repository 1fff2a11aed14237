//! The admin API under `/_fake/`: health, the numbered access log, the CA,
//! the environment, auth policies replaced while the fake runs, reset.

use http::StatusCode;
use serde_json::Value;

use lattice_fake::{
    FakeHandle, FakeLattice, Listener, Principal, Service, ServiceNetwork, TargetGroup,
};
use lattice_tests::fake_clients::{anonymous_client, signed_client, wait_for_records};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/session-1";

const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

/// Allows only a role the test's caller is not.
const OTHER_ROLE_ONLY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"AWS":"arn:aws:iam::111122223333:role/someone-else"},
  "Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

async fn fake() -> FakeHandle {
    FakeLattice::builder()
        .service_network(ServiceNetwork::new("shop").all_services())
        .service(
            Service::new("orders")
                .aws_iam(ALLOW_ALL)
                .listener(Listener::http(80).forward_to("orders-tg")),
        )
        .service(Service::new("billing").listener(Listener::https(443).forward_to("billing-tg")))
        .target_group(TargetGroup::request_echo("orders-tg"))
        .target_group(TargetGroup::request_echo("billing-tg"))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION))
        .build()
        .expect("valid model")
        .start()
        .await
        .expect("fake starts")
}

/// `GET`/`PUT`/… an admin path on the orders listener, with any `Host`.
async fn admin(
    fake: &FakeHandle,
    method: reqwest::Method,
    path: &str,
    body: &str,
) -> (StatusCode, String) {
    let address = fake.listener("orders", 80).expect("listener").address;
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .request(method, format!("http://{address}{path}"))
        .body(body.to_owned())
        .send()
        .await
        .expect("admin request");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

async fn get(fake: &FakeHandle, path: &str) -> (StatusCode, String) {
    admin(fake, reqwest::Method::GET, path, "").await
}

async fn call_orders(fake: &FakeHandle) -> StatusCode {
    let url = fake.url("orders").expect("orders url");
    signed_client(fake, AKID)
        .get(url)
        .send()
        .await
        .expect("signed request")
        .status()
}

fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[tokio::test]
async fn health_lists_services_and_listeners() {
    let fake = fake().await;
    let (status, body) = get(&fake, "/_fake/health").await;
    assert_eq!(status, StatusCode::OK);
    let json: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["status"], "ok");
    assert_eq!(json["services"], serde_json::json!(["orders", "billing"]));
    assert_eq!(json["listeners"].as_array().map(Vec::len), Some(2));
    assert!(json["uptimeSeconds"].is_u64(), "{json}");
    // Reserved whatever the Host: the generated name gets it too, unsigned.
    let url = fake.url("orders").expect("url");
    let response = anonymous_client(&fake)
        .get(format!("{url}/_fake/health"))
        .send()
        .await
        .expect("health by name");
    assert_eq!(response.status(), StatusCode::OK);
    // Never logged.
    assert!(fake.access_log().is_empty());
}

#[tokio::test]
async fn access_log_is_numbered_and_filtered() {
    let fake = fake().await;
    for _ in 0..3 {
        assert_eq!(call_orders(&fake).await, StatusCode::OK);
    }
    wait_for_records(&fake, 3).await;
    let (status, body) = get(&fake, "/_fake/access-log").await;
    assert_eq!(status, StatusCode::OK);
    let all = lines(&body);
    let seqs: Vec<u64> = all.iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert_eq!(seqs, [1, 2, 3]);
    let (_, body) = get(&fake, "/_fake/access-log?since=2").await;
    let after: Vec<u64> = lines(&body)
        .iter()
        .filter_map(|r| r["seq"].as_u64())
        .collect();
    assert_eq!(after, [3]);
    let (_, body) = get(&fake, "/_fake/access-log?service=billing").await;
    assert!(body.is_empty(), "{body}");
    let (_, body) = get(&fake, "/_fake/access-log?service=orders&since=0").await;
    assert_eq!(lines(&body).len(), 3);

    let (status, body) = get(&fake, "/_fake/access-log?since=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body.lines().count(), 1, "{body}");
    let (status, _) = get(&fake, "/_fake/access-log?service=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Reset clears the log and the metrics; numbering goes on.
    let (status, _) = admin(&fake, reqwest::Method::POST, "/_fake/reset", "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(fake.access_log().is_empty());
    assert_eq!(fake.metrics().services["orders"].total_request_count, 0);
    assert_eq!(call_orders(&fake).await, StatusCode::OK);
    wait_for_records(&fake, 1).await;
    let (_, body) = get(&fake, "/_fake/access-log?since=3").await;
    let after: Vec<u64> = lines(&body)
        .iter()
        .filter_map(|r| r["seq"].as_u64())
        .collect();
    assert_eq!(after, [4]);
}

#[tokio::test]
async fn ca_and_env() {
    let fake = fake().await;
    let (status, pem) = get(&fake, "/_fake/ca.pem").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(Some(pem.as_str()), fake.ca_pem());

    fake.set_ca_bundle_path("/tmp/it's-ca.pem");
    let (status, env) = get(&fake, "/_fake/env").await;
    assert_eq!(status, StatusCode::OK);
    let billing = fake.listener("billing", 443).expect("billing");
    let entry = format!("{}:{}:127.0.0.1", billing.dns_name, billing.address.port());
    assert!(env.contains(&entry), "{env}");
    assert!(
        env.contains(r"export AWS_CA_BUNDLE='/tmp/it'\''s-ca.pem'"),
        "{env}"
    );
    assert!(env.contains("export AWS_REGION='us-west-2'"), "{env}");
    assert_eq!(fake.env().to_export_lines(), env);
}

#[tokio::test]
async fn auth_policies_replaced_while_running() {
    let fake = fake().await;
    assert_eq!(call_orders(&fake).await, StatusCode::OK);

    // A policy that does not name the caller: refused by the service layer.
    let (status, body) = admin(
        &fake,
        reqwest::Method::PUT,
        "/_fake/services/orders/auth-policy",
        OTHER_ROLE_ONLY,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(call_orders(&fake).await, StatusCode::FORBIDDEN);
    let records = wait_for_records(&fake, 2).await;
    let last = records.last().expect("record");
    assert_eq!(
        last.auth_denied_reason.map(|r| r.to_string()).as_deref(),
        Some("Service")
    );

    // Bad input: one line, 400, model unchanged.
    for (path, body) in [
        ("/_fake/services/orders/auth-policy", "{not json"),
        (
            "/_fake/services/orders/auth-policy",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}"#,
        ),
        ("/_fake/services/nope/auth-policy", ALLOW_ALL),
        ("/_fake/service-networks/nope/auth-policy", ALLOW_ALL),
    ] {
        let (status, reason) = admin(&fake, reqwest::Method::PUT, path, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {reason}");
        assert_eq!(reason.trim_end().lines().count(), 1, "{reason}");
    }
    assert_eq!(call_orders(&fake).await, StatusCode::FORBIDDEN);

    // Allow-all again: passes.
    let (status, _) = admin(
        &fake,
        reqwest::Method::PUT,
        "/_fake/services/orders/auth-policy",
        ALLOW_ALL,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(call_orders(&fake).await, StatusCode::OK);

    // A policy put on the (open) network makes it AWS_IAM; deleting the
    // policy leaves AWS_IAM without a policy: everything refused, by the
    // network layer.
    let (status, _) = admin(
        &fake,
        reqwest::Method::PUT,
        "/_fake/service-networks/shop/auth-policy",
        ALLOW_ALL,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(call_orders(&fake).await, StatusCode::OK);
    let (status, _) = admin(
        &fake,
        reqwest::Method::DELETE,
        "/_fake/service-networks/shop/auth-policy",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(call_orders(&fake).await, StatusCode::FORBIDDEN);
    let records = wait_for_records(&fake, 6).await;
    assert_eq!(
        records
            .last()
            .and_then(|r| r.auth_denied_reason)
            .map(|r| r.to_string())
            .as_deref(),
        Some("Network")
    );

    // The same operations in code.
    fake.put_service_network_auth_policy("shop", ALLOW_ALL)
        .expect("put network policy");
    assert_eq!(call_orders(&fake).await, StatusCode::OK);
    fake.delete_service_auth_policy("orders").expect("delete");
    assert_eq!(call_orders(&fake).await, StatusCode::FORBIDDEN);
    assert!(fake.put_service_auth_policy("orders", "{").is_err());
    assert!(fake.delete_service_network_auth_policy("nope").is_err());
    fake.put_service_auth_policy("orders", ALLOW_ALL)
        .expect("put");
    assert_eq!(call_orders(&fake).await, StatusCode::OK);
}

#[tokio::test]
async fn deleting_the_policy_of_an_open_layer_keeps_it_open() {
    let fake = fake().await;
    // The network's auth type is NONE: `DeleteAuthPolicy` leaves it so.
    let (status, _) = admin(
        &fake,
        reqwest::Method::DELETE,
        "/_fake/service-networks/shop/auth-policy",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(call_orders(&fake).await, StatusCode::OK);
    fake.delete_service_network_auth_policy("shop")
        .expect("delete");
    assert_eq!(call_orders(&fake).await, StatusCode::OK);
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let fake = fake().await;
    let (status, _) = get(&fake, "/_fake/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = admin(&fake, reqwest::Method::POST, "/_fake/health", "").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = get(&fake, "/_fake/services/orders/auth-policy").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn localhost_names_over_http_and_https() {
    let fake = fake().await;
    let client = signed_client(&fake, AKID);
    let orders = fake.listener("orders", 80).expect("orders");
    let billing = fake.listener("billing", 443).expect("billing");
    assert_eq!(
        orders.local_url,
        format!("http://orders.localhost:{}", orders.address.port())
    );
    for url in [&orders.local_url, &billing.local_url] {
        let response = client.get(url.as_str()).send().await.expect(url);
        assert_eq!(response.status(), StatusCode::OK, "{url}");
    }
    let records = wait_for_records(&fake, 2).await;
    assert_eq!(
        records
            .last()
            .and_then(|r| r.host_header.clone())
            .as_deref(),
        Some(format!("billing.localhost:{}", billing.address.port()).as_str())
    );
}
