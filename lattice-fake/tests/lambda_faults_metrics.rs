//! The fake Lattice, complete: Lambda targets (V1 and V2), injected faults,
//! metrics, and a 50-service configuration — through real clients.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use http::{Request, Response};
use serde_json::{Value, json};

use lattice_client::lambda::{Body, EventVersion};
use lattice_fake::access_log::FailureReason;
use lattice_fake::routing::{HttpMatch, PathMatch, Rule, RuleAction};
use lattice_fake::{
    FakeHandle, FakeLattice, Faults, LambdaFunction, Listener, Principal, Service, TargetGroup,
    Timeouts,
};
use lattice_tests::fake_clients::{anonymous_client, signed_client, wait_for_records};

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/session-1";

async fn lambda_fake(version: EventVersion) -> FakeHandle {
    FakeLattice::builder()
        .service(
            Service::new("fn-svc").listener(
                Listener::https(443)
                    .rule(Rule::new(
                        1,
                        HttpMatch::new().path(PathMatch::prefix("/app")),
                        RuleAction::forward_to("app"),
                    ))
                    .forward_to("echo"),
            ),
        )
        .target_group(TargetGroup::lambda(
            "echo",
            version,
            LambdaFunction::event_echo(),
        ))
        .target_group(TargetGroup::lambda(
            "app",
            version,
            LambdaFunction::service(tower::service_fn(|req: Request<Body>| async move {
                let identity = req
                    .extensions()
                    .get::<lattice_client::identity::CallerIdentity>()
                    .and_then(|i| i.principal.clone())
                    .unwrap_or_else(|| "anonymous".to_owned());
                let body = req.into_body();
                let mut response = Response::new(Body::from(body.into_bytes()));
                response.headers_mut().insert(
                    "content-type",
                    http::HeaderValue::from_static("application/octet-stream"),
                );
                response.headers_mut().insert(
                    "x-caller",
                    http::HeaderValue::from_str(&identity).expect("ascii"),
                );
                response
                    .headers_mut()
                    .insert("connection", http::HeaderValue::from_static("keep-alive"));
                Ok::<_, Infallible>(response)
            })),
        ))
        .principal(Principal::new(AKID, SECRET, ROLE_SESSION).org_id("o-exampleorgid"))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start")
}

async fn event_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    serde_json::from_str(&response.text().await.expect("body")).expect("event JSON")
}

#[tokio::test]
async fn v1_events_have_joined_headers_last_query_value_and_identity_headers() {
    let fake = lambda_fake(EventVersion::V1).await;
    let url = fake.url("fn-svc").expect("url").to_owned();
    let event = event_of(
        signed_client(&fake, AKID)
            .post(format!("{url}/echo?tag=a&tag=b&x=1"))
            .header("x-multi", "one")
            .header("x-multi", "two")
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert_eq!(event["raw_path"], "/echo?tag=a&tag=b&x=1");
    assert_eq!(event["method"], "POST");
    assert_eq!(event["headers"]["x-multi"], "one, two");
    assert_eq!(event["query_string_parameters"]["tag"], "b");
    assert_eq!(event["body"], "hello");
    assert_eq!(event["is_base64_encoded"], false);
    assert!(event.get("version").is_none());
    assert!(event.get("requestContext").is_none());
    let identity = event["headers"]["x-amzn-lattice-identity"]
        .as_str()
        .expect("identity");
    assert!(identity.contains(ROLE_SESSION), "{identity}");
    assert!(
        event["headers"]["x-forwarded-for"]
            .as_str()
            .expect("xff")
            .contains("127.0.0.1")
    );
}

#[tokio::test]
async fn v2_events_have_arrays_and_request_context_identity() {
    let fake = lambda_fake(EventVersion::V2).await;
    let url = fake.url("fn-svc").expect("url").to_owned();
    let event = event_of(
        signed_client(&fake, AKID)
            .get(format!("{url}/echo?tag=a&tag=b"))
            .header("x-multi", "one")
            .header("x-multi", "two")
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["path"], "/echo?tag=a&tag=b");
    assert_eq!(event["headers"]["x-multi"], json!(["one", "two"]));
    assert_eq!(event["queryStringParameters"]["tag"], json!(["a", "b"]));
    let context = &event["requestContext"];
    assert_eq!(context["identity"]["principal"], ROLE_SESSION);
    assert_eq!(context["identity"]["principalOrgID"], "o-exampleorgid");
    assert_eq!(context["identity"]["type"], "AWS_IAM");
    assert_eq!(
        context["serviceArn"],
        fake.service("fn-svc").expect("svc").arn
    );
    assert_eq!(
        context["targetGroupArn"],
        fake.target_group_arn("echo").expect("arn")
    );
    assert_eq!(context["region"], "us-west-2");
    assert!(event["headers"].get("x-amzn-lattice-identity").is_none());
    assert!(event["headers"].get("x-forwarded-for").is_some());

    // Anonymous caller: no principal in the identity.
    let event = event_of(
        anonymous_client(&fake)
            .get(format!("{url}/anon"))
            .send()
            .await
            .expect("call"),
    )
    .await;
    assert!(
        event["requestContext"]["identity"]
            .get("principal")
            .is_none()
    );
}

#[tokio::test]
async fn binary_bodies_round_trip_through_a_tower_lambda_handler() {
    for version in [EventVersion::V1, EventVersion::V2] {
        let fake = lambda_fake(version).await;
        let url = fake.url("fn-svc").expect("url").to_owned();
        let payload: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let response = signed_client(&fake, AKID)
            .post(format!("{url}/app/bin"))
            .header("content-type", "application/octet-stream")
            .body(payload.clone())
            .send()
            .await
            .expect("call");
        assert_eq!(response.status(), 200, "{version:?}");
        assert_eq!(response.headers()["x-caller"], ROLE_SESSION);
        assert!(response.headers().get("connection").is_none());
        assert_eq!(response.headers()["content-length"], "70000");
        assert_eq!(
            response.bytes().await.expect("body").as_ref(),
            payload.as_slice()
        );
    }
}

#[tokio::test]
async fn lambda_limits_errors_and_malformed_responses() {
    let fake = FakeLattice::builder()
        .service(
            Service::new("fn-bad").listener(
                Listener::http(80)
                    .rule(Rule::new(
                        1,
                        HttpMatch::new().path(PathMatch::prefix("/fail")),
                        RuleAction::forward_to("fail"),
                    ))
                    .rule(Rule::new(
                        2,
                        HttpMatch::new().path(PathMatch::prefix("/junk")),
                        RuleAction::forward_to("junk"),
                    ))
                    .rule(Rule::new(
                        3,
                        HttpMatch::new().path(PathMatch::prefix("/huge")),
                        RuleAction::forward_to("huge"),
                    ))
                    .forward_to("echo"),
            ),
        )
        .target_group(TargetGroup::lambda(
            "echo",
            EventVersion::V2,
            LambdaFunction::event_echo(),
        ))
        .target_group(TargetGroup::lambda(
            "fail",
            EventVersion::V2,
            LambdaFunction::json_fn(|_| async { Err("handler panicked".into()) }),
        ))
        .target_group(TargetGroup::lambda(
            "junk",
            EventVersion::V1,
            LambdaFunction::json_fn(|_| async { Ok(json!({"statusCode": "teapot"})) }),
        ))
        .target_group(TargetGroup::lambda(
            "huge",
            EventVersion::V1,
            LambdaFunction::json_fn(|_| async {
                Ok(json!({"statusCode": 200, "body": "x".repeat(7 * 1024 * 1024)}))
            }),
        ))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("fn-bad").expect("url").to_owned();
    let client = anonymous_client(&fake);

    let too_big = client
        .post(format!("{url}/big"))
        .body(vec![b'a'; 6 * 1024 * 1024 + 1])
        .send()
        .await
        .expect("call");
    assert_eq!(too_big.status(), 413);
    let fail = client
        .get(format!("{url}/fail"))
        .send()
        .await
        .expect("call");
    assert_eq!(fail.status(), 502);
    let junk = client
        .get(format!("{url}/junk"))
        .send()
        .await
        .expect("call");
    assert_eq!(junk.status(), 502);
    let huge = client
        .get(format!("{url}/huge"))
        .send()
        .await
        .expect("call");
    assert_eq!(huge.status(), 502);
    assert!(huge.text().await.expect("body").contains("6 MB"));

    let records = wait_for_records(&fake, 4).await;
    let reasons: Vec<Option<FailureReason>> = records.iter().map(|r| r.failure_reason).collect();
    assert_eq!(
        reasons,
        vec![
            Some(FailureReason::ClientProtocolError),
            Some(FailureReason::TargetConnectionError),
            Some(FailureReason::TargetProtocolError),
            Some(FailureReason::TargetProtocolError),
        ]
    );
}

#[tokio::test]
async fn each_fault_has_its_status_and_failure_reason() {
    let fake = FakeLattice::builder()
        .service(
            Service::new("faulty").listener(
                Listener::http(80)
                    .rule(Rule::new(
                        1,
                        HttpMatch::new().path(PathMatch::prefix("/refuse")),
                        RuleAction::forward_to("refuse"),
                    ))
                    .rule(Rule::new(
                        2,
                        HttpMatch::new().path(PathMatch::prefix("/drop")),
                        RuleAction::forward_to("drop"),
                    ))
                    .rule(Rule::new(
                        3,
                        HttpMatch::new().path(PathMatch::prefix("/hang")),
                        RuleAction::forward_to("hang"),
                    ))
                    .rule(Rule::new(
                        4,
                        HttpMatch::new().path(PathMatch::prefix("/error")),
                        RuleAction::forward_to("error"),
                    ))
                    .forward_to("slow"),
            ),
        )
        .target_group(TargetGroup::request_echo("refuse").faults(Faults::none().refuse(1.0)))
        .target_group(TargetGroup::request_echo("drop").faults(Faults::none().drop_connection(1.0)))
        .target_group(TargetGroup::request_echo("hang").faults(Faults::none().hang(1.0)))
        .target_group(TargetGroup::request_echo("error").faults(Faults::none().error(503, 1.0)))
        .target_group(
            TargetGroup::request_echo("slow")
                .faults(Faults::none().latency(Duration::from_millis(150))),
        )
        .timeouts({
            let mut t = Timeouts::default();
            t.target = Duration::from_millis(200);
            t
        })
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("faulty").expect("url").to_owned();
    let client = anonymous_client(&fake);
    let status = |path: &'static str| {
        let client = client.clone();
        let url = url.clone();
        async move {
            client
                .get(format!("{url}{path}"))
                .send()
                .await
                .expect("call")
                .status()
                .as_u16()
        }
    };
    assert_eq!(status("/refuse").await, 500);
    assert_eq!(status("/drop").await, 502);
    let started = Instant::now();
    assert_eq!(status("/hang").await, 504);
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(status("/error").await, 503);
    let started = Instant::now();
    assert_eq!(status("/slow").await, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));

    let records = wait_for_records(&fake, 5).await;
    let reasons: Vec<Option<FailureReason>> = records.iter().map(|r| r.failure_reason).collect();
    assert_eq!(
        reasons,
        vec![
            Some(FailureReason::TargetConnectionError),
            Some(FailureReason::TargetConnectionClosed),
            Some(FailureReason::TargetDataTimeout),
            None,
            None,
        ]
    );
    assert!(records[4].duration >= 150, "{:?}", records[4].duration);

    let metrics = fake.metrics();
    let svc = &metrics.services["faulty"];
    assert_eq!(svc.total_request_count, 5);
    assert_eq!(svc.http_code_target_2xx, 1);
    assert_eq!(
        svc.http_code_target_5xx, 1,
        "only the injected 503 came from a target"
    );
    assert_eq!(svc.http_code_5xx, 4);
    assert_eq!(svc.request_time.sample_count, 5);
    assert!(svc.request_time.maximum >= 150);
    assert_eq!(metrics.target_groups["error"].http_code_target_5xx, 1);
    assert_eq!(metrics.target_groups["slow"].http_code_target_2xx, 1);
}

#[tokio::test]
async fn metrics_count_requests_and_connections_after_a_scripted_run() {
    let fake = FakeLattice::builder()
        .service(
            Service::new("counted")
                .aws_iam(
                    r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}}]}"#,
                )
                .listener(
                    Listener::http(80)
                        .rule(Rule::new(
                            1,
                            HttpMatch::new().path(PathMatch::exact("/missing")),
                            RuleAction::fixed_response(404),
                        ))
                        .forward_to("echo"),
                ),
        )
        .target_group(TargetGroup::request_echo("echo"))
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let url = fake.url("counted").expect("url").to_owned();
    let client = anonymous_client(&fake);
    for _ in 0..7 {
        assert_eq!(
            client
                .get(format!("{url}/ok"))
                .send()
                .await
                .expect("call")
                .status(),
            200
        );
    }
    assert_eq!(
        client
            .post(format!("{url}/ok"))
            .send()
            .await
            .expect("call")
            .status(),
        403
    );
    assert_eq!(
        client
            .get(format!("{url}/missing"))
            .send()
            .await
            .expect("call")
            .status(),
        404
    );
    wait_for_records(&fake, 9).await;
    let m = fake.metrics();
    let svc = &m.services["counted"];
    assert_eq!(svc.total_request_count, 9);
    assert_eq!(svc.http_code_target_2xx, 7);
    assert_eq!(svc.http_code_target_4xx, 0);
    assert_eq!(svc.http_code_4xx, 2);
    assert_eq!(
        svc.new_connection_count, 1,
        "reqwest keeps one connection alive"
    );
    assert_eq!(svc.active_connection_count, 1);
    assert_eq!(m.target_groups["echo"].total_request_count, 7);
    let json = serde_json::to_value(&m).expect("serializes");
    assert_eq!(json["services"]["counted"]["HTTPCode_Target_2XX_Count"], 7);
    assert_eq!(json["services"]["counted"]["RequestTime"]["SampleCount"], 9);
}

#[tokio::test]
async fn fifty_services_with_ten_rules_each_start_and_route() {
    let mut builder = FakeLattice::builder();
    for s in 0..50 {
        let name = format!("svc-number-{s}");
        let mut listener = Listener::http(80).forward_to(format!("tg-{s}-default"));
        for r in 0..10u32 {
            listener = listener.rule(Rule::new(
                r + 1,
                HttpMatch::new().path(PathMatch::prefix(format!("/r{r}/"))),
                RuleAction::forward_to(format!("tg-{s}-{}", r % 9)),
            ));
        }
        builder =
            builder.service(Service::new(name.replace("svc-", "service-")).listener(listener));
        builder = builder.target_group(TargetGroup::request_echo(format!("tg-{s}-default")));
        for t in 0..9 {
            builder = builder.target_group(TargetGroup::request_echo(format!("tg-{s}-{t}")));
        }
    }
    let started = Instant::now();
    let fake = builder
        .build()
        .expect("model")
        .start()
        .await
        .expect("start");
    let startup = started.elapsed();
    eprintln!("50 services, 500 rules: build + start in {startup:?}");
    assert_eq!(fake.listeners().len(), 50);
    let client = anonymous_client(&fake);
    for s in [0usize, 17, 49] {
        let url = fake
            .url(&format!("service-number-{s}"))
            .expect("url")
            .to_owned();
        for r in [0u32, 5, 9] {
            let echo: Value = serde_json::from_str(
                &client
                    .get(format!("{url}/r{r}/x"))
                    .send()
                    .await
                    .expect("call")
                    .text()
                    .await
                    .expect("body"),
            )
            .expect("json");
            let target = echo["headers"]["x-amzn-lattice-target"][0]
                .as_str()
                .expect("target");
            let expected = fake
                .target_group_arn(&format!("tg-{s}-{}", r % 9))
                .expect("arn");
            assert!(target.contains(expected), "service {s} rule {r}: {target}");
        }
        let echo: Value = serde_json::from_str(
            &client
                .get(format!("{url}/none"))
                .send()
                .await
                .expect("call")
                .text()
                .await
                .expect("body"),
        )
        .expect("json");
        let target = echo["headers"]["x-amzn-lattice-target"][0]
            .as_str()
            .expect("target");
        assert!(
            target.contains(
                fake.target_group_arn(&format!("tg-{s}-default"))
                    .expect("arn")
            )
        );
    }
}

#[tokio::test]
async fn failing_fault_fractions_are_rejected_on_build() {
    let err = FakeLattice::builder()
        .target_group(TargetGroup::request_echo("bad").faults(Faults::none().refuse(0.7).hang(0.6)))
        .build()
        .expect_err("fractions over 1");
    assert!(err.to_string().contains("fault fractions"), "{err}");
}
