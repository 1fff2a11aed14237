//! The `grpc` example: one RPC of each kind through the signed channel to a
//! tonic server behind the fake Lattice, one RPC the auth policy denies, and
//! the access-log records with `grpcResponseCode`.

#[test]
fn grpc_example_calls_each_kind_and_is_denied_once() {
    let mut exe = std::env::current_exe().expect("test binary path");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe
        .join("examples")
        .join(format!("grpc{}", std::env::consts::EXE_SUFFIX));
    let out = std::process::Command::new(exe)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the grpc example is built by `cargo test`");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    for prefix in [
        "unary: ok",
        "server-stream: ok 3",
        "client-stream: ok",
        "bidi: ok",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(prefix)),
            "{prefix}: {stdout}"
        );
    }
    let denied = lines
        .iter()
        .find(|l| l.starts_with("denied: "))
        .unwrap_or_else(|| panic!("no denied line: {stdout}"));
    assert!(
        denied.starts_with("denied: PermissionDenied: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/grpc-client/session is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-"),
        "{denied}"
    );
    assert!(
        denied
            .ends_with("/lattice.echo.Echo/Admin with an explicit deny in a service-based policy"),
        "{denied}"
    );

    let records: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("JSON record"))
        .collect();
    assert_eq!(records.len(), 5, "{stdout}");
    for record in &records[..4] {
        assert_eq!(record["responseCode"], 200, "{record}");
        assert_eq!(record["grpcResponseCode"], 0, "{record}");
        assert_eq!(record["protocol"], "HTTP/2", "{record}");
        assert_eq!(record["requestMethod"], "POST", "{record}");
        assert!(
            record["requestPath"]
                .as_str()
                .expect("path")
                .starts_with("/lattice.echo.Echo/")
        );
    }
    let denied = &records[4];
    assert_eq!(denied["responseCode"], 403);
    assert_eq!(denied["authDeniedReason"], "Service");
    assert_eq!(denied["failureReason"], "ClientAccessDenied");
    assert_eq!(denied["requestPath"], "/lattice.echo.Echo/Admin");
    assert_eq!(denied["grpcResponseCode"], "-");
}
