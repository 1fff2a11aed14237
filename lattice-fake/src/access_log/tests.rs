use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;

/// The documented access-log field names, plus the extras seen in real records.
const FIELDS: &[&str] = &[
    "callerPrincipalTags",
    "hostHeader",
    "sslCipher",
    "serviceNetworkArn",
    "resolvedUser",
    "authDeniedReason",
    "requestMethod",
    "targetGroupArn",
    "tlsVersion",
    "userAgent",
    "serverNameIndication",
    "destinationVpcId",
    "sourceIpPort",
    "targetIpPort",
    "serviceArn",
    "sourceVpcId",
    "requestPath",
    "startTime",
    "protocol",
    "responseCode",
    "bytesReceived",
    "bytesSent",
    "duration",
    "requestToTargetDuration",
    "responseFromTargetDuration",
    "grpcResponseCode",
    "requestId",
    "callerPrincipal",
    "callerX509SubjectCN",
    "callerX509IssuerOU",
    "callerX509SANNameCN",
    "callerX509SANDNS",
    "callerX509SANURI",
    "sourceVpcArn",
    "failureReason",
    "listenerType",
    "listenerId",
    "callerPrincipalOrgID",
];

const NUMBERS: &[&str] = &[
    "responseCode",
    "bytesReceived",
    "bytesSent",
    "duration",
    "requestToTargetDuration",
    "responseFromTargetDuration",
];

fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_164_645) // 2024-01-02T03:04:05Z
}

fn object(record: &AccessLogRecord) -> serde_json::Map<String, Value> {
    match serde_json::from_str(&record.to_json()).unwrap() {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn empty_record_has_every_field_and_dashes() {
    let map = object(&AccessLogRecord::new(at()));
    let mut names: Vec<_> = map.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut expected = FIELDS.to_vec();
    expected.sort_unstable();
    assert_eq!(names, expected);
    for (name, value) in &map {
        if NUMBERS.contains(&name.as_str()) {
            assert_eq!(value, &json!(0), "{name}");
        } else if name == "startTime" {
            assert_eq!(value, "2024-01-02T03:04:05Z");
        } else {
            assert_eq!(value, "-", "{name}");
        }
    }
}

#[test]
fn empty_strings_are_dashes_too() {
    let mut r = AccessLogRecord::new(at());
    r.user_agent = Some(String::new());
    r.resolved_user = Some(ResolvedUser::Arn(String::new()));
    let map = object(&r);
    assert_eq!(map["userAgent"], "-");
    assert_eq!(map["resolvedUser"], "-");
}

#[test]
fn full_record_serializes_with_documented_names_and_types() {
    let mut r = AccessLogRecord::new(at());
    r.caller_principal_tags = Some(r#"{"team":"orders"}"#.into());
    r.host_header = Some("orders.example.internal".into());
    r.ssl_cipher = Some("TLS_AES_128_GCM_SHA256".into());
    r.service_network_arn = Some(
        "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0".into(),
    );
    r.resolved_user = Some(ResolvedUser::Arn(
        "arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc".into(),
    ));
    r.request_method = Some("POST".into());
    r.target_group_arn =
        Some("arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0123456789abcdef0".into());
    r.tls_version = Some("TLSv1.3".into());
    r.user_agent = Some("grpc-rust/0.14".into());
    r.server_name_indication = Some("orders.example.internal".into());
    r.destination_vpc_id = Some("vpc-0b".into());
    r.source_ip_port = Some("127.0.0.1:50000".into());
    r.target_ip_port = Some("127.0.0.1:8080".into());
    r.service_arn =
        Some("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0".into());
    r.source_vpc_id = Some("vpc-0a".into());
    r.request_path = Some("/orders.Orders/Get".into());
    r.protocol = Some("HTTP/2".into());
    r.response_code = 200;
    r.bytes_received = 321;
    r.bytes_sent = 654;
    r.duration = 12;
    r.request_to_target_duration = 3;
    r.response_from_target_duration = 4;
    r.grpc_response_code = Some(5);
    r.request_id = Some("11111111-2222-3333-4444-555555555555".into());
    r.caller_principal = Some("arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc".into());
    r.caller_x509_subject_cn = Some("cn".into());
    r.caller_x509_issuer_ou = Some("ou".into());
    r.caller_x509_san_name_cn = Some("san-cn".into());
    r.caller_x509_san_dns = Some("dns".into());
    r.caller_x509_san_uri = Some("uri".into());
    r.source_vpc_arn = Some("arn:aws:ec2:us-west-2:111122223333:vpc/vpc-0a".into());
    r.failure_reason = Some(FailureReason::TargetDataTimeout);
    r.listener_type = Some("HTTPS".into());
    r.listener_id = Some("listener-0123456789abcdef0".into());
    r.caller_principal_org_id = Some("o-example".into());

    let map = object(&r);
    assert_eq!(map.len(), FIELDS.len());
    assert_eq!(map["grpcResponseCode"], json!(5));
    assert_eq!(map["responseCode"], json!(200));
    assert_eq!(map["bytesSent"], json!(654));
    assert_eq!(map["callerX509SANURI"], "uri");
    assert_eq!(map["callerPrincipalOrgID"], "o-example");
    assert_eq!(map["failureReason"], "TargetDataTimeout");
    assert_eq!(map["authDeniedReason"], "-");
    assert_eq!(map["callerPrincipalTags"], r#"{"team":"orders"}"#);
    for name in FIELDS.iter().filter(|n| **n != "authDeniedReason") {
        assert_ne!(map[*name], json!("-"), "{name} should be set");
    }

    // Round trip through a JSON line.
    let mut line = Vec::new();
    r.write_json_line(&mut line).unwrap();
    assert_eq!(line.last(), Some(&b'\n'));
    assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
    let back = AccessLogRecord::from_json(std::str::from_utf8(&line).unwrap().trim_end()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn from_request_takes_the_request_facts() {
    let request = http::Request::get("http://svc.example:40123/a/b?c=d")
        .version(http::Version::HTTP_2)
        .header("user-agent", "curl/8.5.0")
        .header("x-amzn-requestid", "abc")
        .body(())
        .unwrap();
    let r = AccessLogRecord::from_request(&request, at());
    assert_eq!(r.host_header.as_deref(), Some("svc.example:40123"));
    assert_eq!(r.request_method.as_deref(), Some("GET"));
    assert_eq!(r.request_path.as_deref(), Some("/a/b"));
    assert_eq!(r.user_agent.as_deref(), Some("curl/8.5.0"));
    assert_eq!(r.protocol.as_deref(), Some("HTTP/2"));
    assert_eq!(r.request_id.as_deref(), Some("abc"));

    let request = http::Request::get("/x")
        .header("host", "orders.example.internal")
        .body(())
        .unwrap();
    let r = AccessLogRecord::from_request(&request, at());
    assert_eq!(r.host_header.as_deref(), Some("orders.example.internal"));
    assert_eq!(r.protocol.as_deref(), Some("HTTP/1.1"));
    assert_eq!(r.user_agent, None);
    assert_eq!(r.request_id, None);
}

#[test]
fn denied_record_matches_the_observed_shape() {
    let mut r = AccessLogRecord::new(at());
    r.resolved_user = Some(ResolvedUser::Arn("arn:aws:iam::111122223333:role/x".into()));
    r.target_ip_port = Some("10.0.0.1:80".into());
    r.access_denied(AuthDeniedReason::Service)
        .finish_at(at() + Duration::from_millis(7));
    let map = object(&r);
    assert_eq!(map["resolvedUser"], "arn:aws:iam::111122223333:role/x");
    assert_eq!(map["authDeniedReason"], "Service");
    assert_eq!(map["responseCode"], json!(403));
    assert_eq!(map["failureReason"], "ClientAccessDenied");
    assert_eq!(map["targetIpPort"], "-");
    assert_eq!(map["requestToTargetDuration"], json!(0));
    assert_eq!(map["duration"], json!(7));
}

#[test]
fn enumerations_round_trip() {
    for reason in FailureReason::ALL {
        assert_eq!(reason.as_str().parse::<FailureReason>().unwrap(), *reason);
    }
    assert_eq!(FailureReason::ALL.len(), 10);
    for layer in [
        AuthDeniedReason::Service,
        AuthDeniedReason::Network,
        AuthDeniedReason::Identity,
    ] {
        assert_eq!(layer.as_str().parse::<AuthDeniedReason>().unwrap(), layer);
    }
    assert!("Other".parse::<AuthDeniedReason>().is_err());
    assert!("Nope".parse::<FailureReason>().is_err());
    assert_eq!(
        "Anonymous".parse::<ResolvedUser>().unwrap(),
        ResolvedUser::Anonymous
    );
    assert_eq!(
        "Unknown".parse::<ResolvedUser>().unwrap(),
        ResolvedUser::Unknown
    );
}

#[test]
fn reads_lattice_style_records() {
    // The documentation's example writes "null" as a string; real records "-".
    let mut value = serde_json::to_value(AccessLogRecord::new(at())).unwrap();
    value["authDeniedReason"] = json!("null");
    value["resolvedUser"] = json!("Anonymous");
    value["grpcResponseCode"] = json!("-");
    let r: AccessLogRecord = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(r.auth_denied_reason, None);
    assert_eq!(r.resolved_user, Some(ResolvedUser::Anonymous));
    value["failureReason"] = json!("Bogus");
    assert!(serde_json::from_value::<AccessLogRecord>(value).is_err());
}

#[test]
fn time_format_and_parse() {
    for (secs, text) in [
        (0, "1970-01-01T00:00:00Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (1_704_164_645, "2024-01-02T03:04:05Z"),
        (4_107_542_399, "2100-02-28T23:59:59Z"),
    ] {
        let t = UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(format_time(t), text);
        assert_eq!(parse_time(text), Some(secs));
    }
    assert_eq!(
        format_time(UNIX_EPOCH - Duration::from_secs(5)),
        "1970-01-01T00:00:00Z"
    );
    // Sub-second precision is dropped.
    assert_eq!(
        format_time(at() + Duration::from_millis(999)),
        "2024-01-02T03:04:05Z"
    );
    // Far beyond year 9999: no panic, the last second of 9999.
    assert_eq!(
        format_time(UNIX_EPOCH + Duration::from_secs(1 << 40)),
        "9999-12-31T23:59:59Z"
    );
    for bad in [
        "",
        "1969-12-31T23:59:59Z",
        "2023-02-29T00:00:00Z",
        "2024-01-02T03:04:60Z",
        "2024-01-02 03:04:05Z",
        "2024-02-30T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-02T24:00:00Z",
        "+024-01-02T03:04:05Z",
        "2024-01-02T03:04:05",
    ] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
}

#[test]
fn sink_is_bounded_shared_and_readable() {
    let sink = AccessLogSink::new(3);
    let shared = sink.clone();
    for code in [200, 201, 202, 203, 204] {
        let mut r = AccessLogRecord::new(at());
        r.response_code = code;
        shared.push(r);
    }
    assert_eq!(sink.len(), 3);
    assert_eq!(sink.dropped(), 2);
    let codes: Vec<_> = sink.records().iter().map(|r| r.response_code).collect();
    assert_eq!(codes, [202, 203, 204]);
    assert_eq!(sink.last().map(|r| r.response_code), Some(204));

    let lines = sink.to_json_lines();
    assert_eq!(lines.lines().count(), 3);
    for line in lines.lines() {
        AccessLogRecord::from_json(line).unwrap();
    }

    assert_eq!(sink.take().len(), 3);
    assert!(sink.is_empty());
    assert!(format!("{sink:?}").contains("dropped: 2"));

    let none = AccessLogSink::new(0);
    none.push(AccessLogRecord::new(at()));
    assert!(none.is_empty());
    assert_eq!(none.dropped(), 1);
}

#[test]
fn sink_accepts_records_from_many_threads() {
    let sink = AccessLogSink::default();
    std::thread::scope(|s| {
        for _ in 0..4 {
            let sink = sink.clone();
            s.spawn(move || {
                for _ in 0..250 {
                    sink.push(AccessLogRecord::new(at()));
                }
            });
        }
    });
    assert_eq!(sink.len(), 1_000);
}
