//! The fake's config file: every section parses into the builder, policies
//! come as strings or objects, unknown fields are errors with their place,
//! and the committed example loads and builds.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use lattice_fake::{
    Auth, ConfigFormat, FakeError, FakeLattice, FakeLatticeBuilder, ListenerProtocol,
    ProtocolVersion,
};

fn example_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fake/lattice.yaml")
}

/// The message of a `FakeError::Config`, or a panic naming what came instead.
fn config_message(result: Result<FakeLatticeBuilder, FakeError>) -> String {
    match result {
        Err(FakeError::Config { path, message }) => {
            assert_eq!(path, "<string>");
            message
        }
        Err(other) => panic!("expected a config error, got {other:?}"),
        Ok(_) => panic!("expected a config error, got a builder"),
    }
}

const ANON_DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*","Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}}]}"#;

/// Every section, fake-only fields included.
const FULL: &str = r#"
fake:
  region: eu-west-3
  account: "444455556666"
  dnsLabel: 0abcdef
  seed: 7
  signatureWindowSeconds: 60
  clockOffsetSeconds: -2.5
  accessLogCapacity: 50
  timeouts: {idleSeconds: 0.5, lifetimeSeconds: 2, targetSeconds: 3}
  limits:
    rulesPerListener: 3
    listenersPerService: 3
    targetGroupsPerService: 4
    targetsPerTargetGroup: 5
    serviceAssociationsPerNetwork: 6
    authPolicyBytes: 2048
  principals:
    - accessKeyId: AKIDEXAMPLE
      secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
      sessionToken: token-1
      arn: arn:aws:sts::444455556666:assumed-role/orders-client/s1
      orgId: o-a1b2c3d4e5
      orgPath: o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/
      sessionName: s1
      tags: {team: payments, cost-center: 42}
    - accessKeyId: AKIAIOSFODNN7EXAMPLE
      secretAccessKey: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
      arn: arn:aws:iam::444455556666:user/reporting
      identityPolicies: []
    - accessKeyId: AKIAI44QH8DHBEXAMPLE
      secretAccessKey: je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
      arn: arn:aws:iam::444455556666:user/ops
      identityPolicies:
        - '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}'
        - Version: "2012-10-17"
          Statement: [{Effect: Deny, Action: "vpc-lattice-svcs:Invoke", Resource: "*",
                       Condition: {StringEquals: {vpc-lattice-svcs:RequestMethod: DELETE}}}]
  clients:
    - vpcId: vpc-0a1b2c3d4e5f60718
      serviceNetwork: shop
    - vpcId: vpc-0f1e2d3c4b5a69788
      ownerAccount: "777788889999"
      serviceNetwork: other
      sourceIp: 127.0.0.2
serviceNetworks:
  - name: shop
    authType: AWS_IAM
    authPolicy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*",
                 Action: "vpc-lattice-svcs:Invoke", Resource: "*"}]}
    fake:
      id: sn-0123456789abcdef0
      services: [orders]
  - name: other
    fake: {allServices: true}
services:
  - name: orders
    customDomainName: orders.example.internal
    authType: AWS_IAM
    authPolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}'
    fake: {id: svc-0123456789abcdef0, serviceNetworks: [shop]}
    listeners:
      - name: orders-http
        protocol: HTTP
        rules:
          - name: v2
            priority: 10
            match:
              httpMatch:
                method: GET
                pathMatch: {match: {exact: /v2}, caseSensitive: true}
                headerMatches:
                  - {name: x-a, match: {exact: "1"}}
                  - {name: x-b, match: {prefix: "p"}, caseSensitive: true}
                  - {name: x-c, match: {contains: "c"}}
            action:
              forward:
                targetGroups:
                  - {targetGroupIdentifier: orders-v1, weight: 1}
                  - {targetGroupIdentifier: tg-0123456789abcdef0, weight: 3}
          - priority: 20
            match: {httpMatch: {pathMatch: {match: {prefix: /gone}}}}
            action: {fixedResponse: {statusCode: 500}}
        defaultAction: {fixedResponse: {statusCode: 404}}
      - protocol: HTTPS
        defaultAction: {forward: {targetGroups: [{targetGroupIdentifier: orders-v1}]}}
  - name: billing
    listeners:
      - {protocol: HTTPS, port: 8443, defaultAction: {forward: {targetGroups: [{targetGroupIdentifier: billing-grpc}]}}}
targetGroups:
  - name: orders-v1
    type: INSTANCE
    config: {protocolVersion: HTTP1}
    fake: {target: echo}
  - name: orders-v2
    type: IP
    config:
      port: 8080
      protocol: HTTP
      ipAddressType: IPV4
      vpcIdentifier: vpc-0a1b2c3d4e5f60718
      healthCheck: {enabled: true, path: /health, matcher: {httpCode: "200-299"}}
    fake: {id: tg-0123456789abcdef0, target: {upstream: "127.0.0.1:9"}}
  - name: billing-grpc
    type: ALB
    config: {protocolVersion: GRPC}
    fake: {target: echo}
"#;

#[test]
fn every_section_parses_into_the_builder_and_builds() {
    let builder = FakeLatticeBuilder::from_yaml_str(FULL).unwrap();
    // The builder's fields are crate-private; its Debug shows what was set.
    let debug = format!("{builder:?}");
    for expected in [
        "eu-west-3",
        "444455556666",
        "0abcdef",
        "seed: 7",
        "signature_window: 60s",
        "clock_offset: (true, 2.5s)",
        "access_log_capacity: 50",
        "idle: 500ms",
        "lifetime: 2s",
        "target: 3s",
        "rules_per_listener: 3",
        "listeners_per_service: 3",
        "target_groups_per_service: 4",
        "targets_per_target_group: 5",
        "service_associations_per_network: 6",
        "auth_policy_bytes: 2048",
        "sn-0123456789abcdef0",
        "svc-0123456789abcdef0",
        "tg-0123456789abcdef0",
        "orders.example.internal",
        "orders-http",
        "Upstream(127.0.0.1:9)",
        "Echo",
        "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/",
        "session_name: Some(\"s1\")",
        "(\"cost-center\", \"42\")",
        "(\"team\", \"payments\")",
        "identity_policies: Some([])",
        "vpc-0f1e2d3c4b5a69788",
        "777788889999",
        "source_ip: Some(127.0.0.2)",
        "network: Some(\"other\")",
    ] {
        assert!(debug.contains(expected), "missing {expected}: {debug}");
    }
    // Secrets stay out of Debug.
    assert!(!debug.contains("EXAMPLEKEY"), "{debug}");
    assert!(!debug.contains("token-1"), "{debug}");
    // The client with `sourceIp` is an extra client; the other is the default.
    assert!(
        debug.contains("default_client: Client { vpc_id: \"vpc-0a1b2c3d4e5f60718\""),
        "{debug}"
    );
    let fake = builder.build().unwrap();
    let _ = fake;
}

#[tokio::test]
async fn the_full_config_starts_with_the_modelled_listeners() {
    let handle = FakeLatticeBuilder::from_yaml_str(FULL)
        .unwrap()
        .build()
        .unwrap()
        .start()
        .await
        .unwrap();
    let shape: Vec<(&str, ListenerProtocol, u16)> = handle
        .listeners()
        .iter()
        .map(|l| (l.service.as_str(), l.protocol, l.port))
        .collect();
    assert_eq!(
        shape,
        [
            ("orders", ListenerProtocol::Http, 80),
            ("orders", ListenerProtocol::Https, 443),
            ("billing", ListenerProtocol::Https, 8443),
        ]
    );
    let orders = handle.service("orders").unwrap();
    assert_eq!(
        orders.dns_name,
        "orders-0123456789abcdef0.0abcdef.vpc-lattice-svcs.eu-west-3.on.aws"
    );
    assert_eq!(
        orders.arn,
        "arn:aws:vpc-lattice:eu-west-3:444455556666:service/svc-0123456789abcdef0"
    );
    assert_eq!(
        handle.network_arn("shop"),
        Some("arn:aws:vpc-lattice:eu-west-3:444455556666:servicenetwork/sn-0123456789abcdef0")
    );
    assert_eq!(
        handle.credentials("AKIDEXAMPLE").unwrap().session_token(),
        Some("token-1")
    );
    assert!(handle.ca_pem().is_some());
    handle.shutdown().await;
}

#[test]
fn json_config_is_the_same_model() {
    let json = r#"{
      "serviceNetworks": [{"name": "shop", "authType": "AWS_IAM", "authPolicy": ANON,
                           "fake": {"allServices": true}}],
      "services": [{"name": "orders", "authType": "AWS_IAM",
                    "authPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                       "Principal": "*", "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"}]},
                    "listeners": [{"protocol": "HTTP", "port": 8080,
                                   "defaultAction": {"forward": {"targetGroups": [{"targetGroupIdentifier": "tg"}]}}}]}],
      "targetGroups": [{"name": "tg", "type": "INSTANCE", "config": {"protocolVersion": "HTTP2"},
                        "fake": {"target": "echo"}}],
      "fake": {"principals": [{"accessKeyId": "AKIDEXAMPLE",
                               "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                               "arn": "arn:aws:iam::111122223333:user/u"}]}
    }"#
    .replace("ANON", &serde_json::to_string(ANON_DENY).unwrap());
    let builder = FakeLatticeBuilder::from_json_str(&json).unwrap();
    let debug = format!("{builder:?}");
    assert!(debug.contains("protocol_version: Http2"), "{debug}");
    assert!(debug.contains("port: 8080"), "{debug}");
    builder.build().unwrap();
    // The same text read as YAML (JSON is YAML) gives the same model.
    let yaml = FakeLatticeBuilder::from_yaml_str(&json).unwrap();
    assert_eq!(format!("{yaml:?}"), debug);
}

#[test]
fn a_policy_as_a_string_and_as_an_object_are_the_same_json() {
    let as_string =
        format!("serviceNetworks: [{{name: shop, authType: AWS_IAM, authPolicy: '{ANON_DENY}'}}]");
    let as_object = r#"
serviceNetworks:
  - name: shop
    authType: AWS_IAM
    authPolicy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: "*"
          Action: vpc-lattice-svcs:Invoke
          Resource: "*"
          Condition:
            StringNotEqualsIgnoreCase:
              aws:PrincipalType: anonymous
"#;
    let policy = |text: &str| -> serde_json::Value {
        let debug = format!("{:?}", FakeLatticeBuilder::from_yaml_str(text).unwrap());
        // `auth: AwsIam(Some("<json>"))` — pull the JSON back out of Debug.
        let start = debug.find("AwsIam(Some(").unwrap() + "AwsIam(Some(".len();
        let quoted = &debug[start..];
        let end = quoted.find("\"))").unwrap() + 1;
        let json: String = serde_json::from_str(&quoted[..end]).unwrap();
        serde_json::from_str(&json).unwrap()
    };
    let expected: serde_json::Value = serde_json::from_str(ANON_DENY).unwrap();
    assert_eq!(policy(&as_string), expected);
    assert_eq!(policy(as_object), expected);

    // AWS_IAM without a policy: Auth::AwsIam(None) (deny everything).
    let none =
        FakeLatticeBuilder::from_yaml_str("services: [{name: orders, authType: AWS_IAM}]").unwrap();
    assert!(format!("{none:?}").contains(&format!("{:?}", Auth::AwsIam(None))));
}

#[test]
fn a_policy_of_the_wrong_shape_is_an_error() {
    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "serviceNetworks: [{name: shop, authType: AWS_IAM, authPolicy: [1, 2]}]",
    ));
    assert!(message.contains("IAM policy document"), "{message}");
    assert!(message.contains("found a list"), "{message}");
    assert!(message.contains("line 1"), "{message}");
}

#[test]
fn a_policy_with_auth_type_none_is_an_error() {
    let message = config_message(FakeLatticeBuilder::from_yaml_str(&format!(
        "services: [{{name: orders, authPolicy: '{ANON_DENY}'}}]"
    )));
    assert!(message.contains("service `orders`"), "{message}");
    assert!(message.contains("authType: AWS_IAM"), "{message}");
}

#[test]
fn a_policy_that_does_not_parse_is_rejected_by_build() {
    let builder = FakeLatticeBuilder::from_yaml_str(
        "serviceNetworks: [{name: shop, authType: AWS_IAM, authPolicy: '{\"Version\": 1'}]",
    )
    .unwrap();
    match builder.build() {
        Err(FakeError::Policy { owner, .. }) => {
            assert_eq!(owner, "service network `shop` auth policy");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_fields_are_errors_with_field_and_location() {
    let yaml = "\
services:
  - name: orders
    listeners:
      - protocol: HTTP
        prot: 80
";
    let message = config_message(FakeLatticeBuilder::from_yaml_str(yaml));
    assert!(message.contains("unknown field `prot`"), "{message}");
    assert!(message.contains("services[0].listeners[0]"), "{message}");
    assert!(message.contains("line 5 column 9"), "{message}");

    // Inside an API shape taken from the routing module.
    let yaml = "\
services:
  - name: orders
    listeners:
      - protocol: HTTP
        rules:
          - priority: 1
            match: {httpMatch: {pathMatch: {match: {prefix: /}, casesensitive: true}}}
            action: {fixedResponse: {statusCode: 404}}
";
    let message = config_message(FakeLatticeBuilder::from_yaml_str(yaml));
    assert!(
        message.contains("unknown field `casesensitive`"),
        "{message}"
    );
    assert!(message.contains("line 7"), "{message}");

    // Inside a `fake` block, and at the top level.
    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "fake:\n  principals: []\n  regoin: us-east-1\n",
    ));
    assert!(message.contains("unknown field `regoin`"), "{message}");
    assert!(message.contains("fake"), "{message}");
    assert!(message.contains("line 3 column 3"), "{message}");
    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "services: []\nlisteners: []\n",
    ));
    assert!(message.contains("unknown field `listeners`"), "{message}");
    assert!(message.contains("line 2 column 1"), "{message}");

    // JSON: the field and its line and column.
    let message = config_message(FakeLatticeBuilder::from_json_str(
        "{\n  \"services\": [\n    {\"name\": \"orders\", \"customDomain\": \"x.example\"}\n  ]\n}",
    ));
    assert!(
        message.contains("unknown field `customDomain`"),
        "{message}"
    );
    assert!(message.contains("line 3"), "{message}");
}

#[test]
fn wrong_values_are_errors_with_location() {
    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "services:\n  - name: orders\n    listeners: [{protocol: TLS_PASSTHROUGH}]\n",
    ));
    assert!(message.contains("TLS_PASSTHROUGH"), "{message}");
    assert!(message.contains("line 3"), "{message}");

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "targetGroups:\n  - name: tg\n    type: INSTANCE\n    config: {protocolVersion: HTTP3}\n",
    ));
    assert!(message.contains("HTTP3"), "{message}");

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "targetGroups:\n  - name: tg\n    type: INSTANCE\n    fake: {target: {upstream: not-an-address}}\n",
    ));
    assert!(message.contains("line 4"), "{message}");

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "fake: {timeouts: {idleSeconds: -1}}",
    ));
    assert!(message.contains("timeouts.idleSeconds"), "{message}");
}

#[test]
fn a_lambda_target_group_takes_the_echo_function_and_not_an_upstream() {
    let yaml = "\
services:
  - name: fn-svc
    listeners: [{protocol: HTTP, defaultAction: {forward: {targetGroups: [{targetGroupIdentifier: fn}]}}}]
targetGroups:
  - name: fn
    type: LAMBDA
    config: {lambdaEventStructureVersion: V2}
    fake: {target: echo}
";
    FakeLatticeBuilder::from_yaml_str(yaml)
        .expect("LAMBDA with the echo function loads")
        .build()
        .expect("and builds");

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "targetGroups: [{name: fn, type: LAMBDA, fake: {target: {upstream: \"127.0.0.1:9\"}}}]",
    ));
    assert!(message.contains("not a Lambda function"), "{message}");

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "targetGroups: [{name: tg, type: INSTANCE, config: {lambdaEventStructureVersion: V1}, fake: {target: echo}}]",
    ));
    assert!(message.contains("only valid for type LAMBDA"), "{message}");

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "targetGroups: [{name: tg, type: INSTANCE}]",
    ));
    assert!(message.contains("target group `tg`"), "{message}");
    assert!(message.contains("fake: {target: echo}"), "{message}");
}

#[test]
fn echo_targets_have_a_name_per_meaning_and_echo_still_parses() {
    let load = |kind: &str, target: &str| {
        FakeLatticeBuilder::from_yaml_str(&format!(
            "targetGroups: [{{name: tg, type: {kind}, fake: {{target: {target}}}}}]"
        ))
    };
    for (kind, target, want) in [
        ("INSTANCE", "echo", "RequestEcho"),
        ("INSTANCE", "requestEcho", "RequestEcho"),
        ("IP", "requestEcho", "RequestEcho"),
        ("LAMBDA", "echo", "Lambda("),
        ("LAMBDA", "eventEcho", "Lambda("),
    ] {
        let builder = load(kind, target).unwrap_or_else(|e| panic!("{kind} {target}: {e}"));
        let debug = format!("{builder:?}");
        assert!(debug.contains(want), "{kind} {target}: {debug}");
        builder.build().expect("builds");
    }
    let message = config_message(load("INSTANCE", "eventEcho"));
    assert!(message.contains("requestEcho"), "{message}");
    let message = config_message(load("LAMBDA", "requestEcho"));
    assert!(message.contains("eventEcho"), "{message}");
}

#[test]
fn associations_written_on_the_service_must_name_a_network() {
    let result = FakeLatticeBuilder::from_yaml_str(
        "serviceNetworks: [{name: shop}]\nservices: [{name: orders, fake: {serviceNetworks: [shpo]}}]",
    );
    match result {
        Err(FakeError::UnknownReference { kind, name, .. }) => {
            assert_eq!(kind, lattice_fake::ObjectKind::ServiceNetwork);
            assert_eq!(name, "shpo");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn only_one_client_may_omit_its_source_ip() {
    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "fake: {clients: [{vpcId: vpc-0a1b2c3d}, {vpcId: vpc-1a2b3c4d}]}",
    ));
    assert!(message.contains("vpc-0a1b2c3d"), "{message}");
    assert!(message.contains("sourceIp"), "{message}");
}

#[test]
fn unquoted_yaml_scalars_are_read_as_strings() {
    let builder = FakeLatticeBuilder::from_yaml_str(
        "fake: {account: 011122223333, dnsLabel: 0123456, clients: [{vpcId: vpc-0a1b2c3d, ownerAccount: 444455556666}]}",
    )
    .unwrap();
    let debug = format!("{builder:?}");
    assert!(debug.contains("account: \"011122223333\""), "{debug}");
    assert!(debug.contains("dns_label: Some(\"0123456\")"), "{debug}");
    assert!(
        debug.contains("owner_account: Some(\"444455556666\")"),
        "{debug}"
    );
    builder.build().unwrap();
}

#[test]
fn format_detection() {
    let p = Path::new;
    assert_eq!(
        ConfigFormat::detect(p("a.json"), "x: 1"),
        ConfigFormat::Json
    );
    assert_eq!(ConfigFormat::detect(p("a.YML"), "{}"), ConfigFormat::Yaml);
    assert_eq!(ConfigFormat::detect(p("a.yaml"), "{}"), ConfigFormat::Yaml);
    assert_eq!(
        ConfigFormat::detect(p("a.conf"), " \n{}"),
        ConfigFormat::Json
    );
    assert_eq!(
        ConfigFormat::detect(p("a"), "\u{feff}{\"services\": []}"),
        ConfigFormat::Json
    );
    assert_eq!(
        ConfigFormat::detect(p("a"), "services: []"),
        ConfigFormat::Yaml
    );
}

#[test]
fn a_missing_file_names_the_path() {
    match FakeLatticeBuilder::from_config_file("/nonexistent/lattice.yaml") {
        Err(FakeError::Config { path, message }) => {
            assert_eq!(path, "/nonexistent/lattice.yaml");
            assert!(message.contains("cannot read"), "{message}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn the_committed_example_loads_builds_and_starts() {
    let fake = FakeLattice::from_config_file(example_file()).unwrap();
    let handle = fake.start().await.unwrap();
    let listeners: Vec<(&str, ListenerProtocol, u16, Option<&str>)> = handle
        .listeners()
        .iter()
        .map(|l| {
            (
                l.service.as_str(),
                l.protocol,
                l.port,
                l.custom_domain.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        listeners,
        [
            ("orders", ListenerProtocol::Http, 80, None),
            (
                "billing",
                ListenerProtocol::Https,
                443,
                Some("billing.example.internal")
            ),
        ]
    );
    assert!(
        handle
            .service("orders")
            .unwrap()
            .dns_name
            .starts_with("orders-0123456789abcdef0.")
    );
    assert!(handle.credentials("AKIDEXAMPLE").is_some());
    assert!(handle.credentials("AKIAIOSFODNN7EXAMPLE").is_some());
    assert!(handle.ca_pem().is_some());
    handle.shutdown().await;

    // The example's target groups use the API's protocol versions.
    let debug = format!(
        "{:?}",
        FakeLatticeBuilder::from_config_file(example_file()).unwrap()
    );
    assert!(
        debug.contains(&format!("{:?}", ProtocolVersion::Http1)),
        "{debug}"
    );
}

#[tokio::test]
async fn target_group_faults_come_from_the_file() {
    let yaml = "\
services:
  - name: faulty
    listeners: [{protocol: HTTP, defaultAction: {forward: {targetGroups: [{targetGroupIdentifier: tg}]}}}]
targetGroups:
  - name: tg
    type: INSTANCE
    fake:
      target: echo
      faults: {error: {status: 418, fraction: 1.0}}
";
    let fake = FakeLatticeBuilder::from_yaml_str(yaml)
        .expect("loads")
        .build()
        .expect("builds")
        .start()
        .await
        .expect("starts");
    let listener = &fake.listeners()[0];
    let client = reqwest::Client::builder()
        .no_proxy()
        .resolve(&listener.dns_name, listener.address)
        .build()
        .expect("client");
    let response = client
        .get(format!("{}/", listener.base_url))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 418);

    let message = config_message(FakeLatticeBuilder::from_yaml_str(
        "targetGroups: [{name: tg, type: IP, fake: {target: echo, faults: {drop: 0.5}}}]",
    ));
    assert!(message.contains("unknown field"), "{message}");
}

#[test]
fn a_principal_tag_with_a_reserved_key_is_refused_at_build() {
    for key in [
        "principal",
        "PrincipalOrgID",
        "principalorgpath",
        "PrincipalOrgPaths",
    ] {
        let yaml = format!(
            "fake:\n  principals:\n    - accessKeyId: AKIDEXAMPLE\n      secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n      arn: arn:aws:iam::111122223333:user/tagged\n      tags: {{{key}: x}}\n"
        );
        let builder = FakeLatticeBuilder::from_yaml_str(&yaml).expect("the file parses");
        let err = builder.build().expect_err("a reserved tag key").to_string();
        assert!(
            err.contains("principal `AKIDEXAMPLE`")
                && err.contains(key)
                && err.contains("rename the tag"),
            "{err}"
        );
    }
    // An ordinary tag builds.
    let yaml = "fake:\n  principals:\n    - accessKeyId: AKIDEXAMPLE\n      secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n      arn: arn:aws:iam::111122223333:user/tagged\n      tags: {team: payments}\n";
    FakeLatticeBuilder::from_yaml_str(yaml)
        .expect("the file parses")
        .build()
        .expect("an ordinary tag");
}
