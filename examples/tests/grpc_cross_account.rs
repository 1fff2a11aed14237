//! The `grpc-cross-account` example: account B's principals call account A's
//! gRPC service through a shared network; account C is refused, and only B's
//! `orders-client` role may call `Admin`.

#[test]
fn grpc_cross_account_admits_b_and_refuses_c() {
    let mut exe = std::env::current_exe().expect("test binary path");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe.join("examples").join(format!(
        "grpc-cross-account{}",
        std::env::consts::EXE_SUFFIX
    ));
    let out = std::process::Command::new(exe)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the grpc-cross-account example is built by `cargo test`");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("allowed: arn:aws:sts::444455556666:assumed-role/orders-client/session"),
        "{stdout}"
    );
    let denied: Vec<&&str> = lines.iter().filter(|l| l.starts_with("denied: ")).collect();
    assert_eq!(denied.len(), 2, "{stdout}");
    assert!(
        denied[0].starts_with(
            "denied: PermissionDenied: AccessDeniedException: User: arn:aws:sts::777788889999:assumed-role/partner/session is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-"
        ),
        "{}",
        denied[0]
    );
    assert!(
        denied[0]
            .ends_with("because no service-based policy allows the vpc-lattice-svcs:Invoke action"),
        "{}",
        denied[0]
    );
    assert!(
        denied[1].starts_with(
            "denied: PermissionDenied: AccessDeniedException: User: arn:aws:sts::444455556666:assumed-role/reporting/session is not authorized"
        ) && denied[1].ends_with(
            "/lattice.echo.Echo/Admin with an explicit deny in a service-based policy"
        ),
        "{}",
        denied[1]
    );

    let records: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("JSON record"))
        .collect();
    assert_eq!(records.len(), 4, "{stdout}");
    for record in &records {
        assert_eq!(record["sourceVpcId"], "vpc-0b0b0b0b0b0b0b0b0", "{record}");
        assert!(
            record["serviceArn"].as_str().is_some_and(
                |a| a.starts_with("arn:aws:vpc-lattice:us-west-2:111122223333:service/")
            ),
            "{record}"
        );
    }
    assert_eq!(records[0]["responseCode"], 200, "{}", records[0]);
    assert_eq!(records[0]["grpcResponseCode"], 0, "{}", records[0]);
    assert_eq!(records[1]["responseCode"], 403, "{}", records[1]);
    assert_eq!(records[2]["responseCode"], 403, "{}", records[2]);
    assert!(
        records[0]["resolvedUser"]
            .as_str()
            .is_some_and(|u| u.contains("444455556666")),
        "{}",
        records[0]
    );
}
