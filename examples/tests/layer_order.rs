//! The layer-order example runs on the fake Lattice: each call is retried
//! once after a `503`, every attempt is signed and verified by the fake, and
//! the spans nest as documented: one `lattice` span per attempt inside one
//! reqwest-tracing / tower-http span per call.

#[test]
fn layer_order_runs_on_the_fake() {
    let mut exe = std::env::current_exe().expect("test binary path");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe
        .join("examples")
        .join(format!("layer-order{}", std::env::consts::EXE_SUFFIX));
    let out = std::process::Command::new(exe)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("RUST_LOG")
        .output()
        .expect("the layer-order example is built by `cargo test`");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("== reqwest GET /reqwest: 200 OK"),
        "{stdout}"
    );
    assert!(stdout.contains("== hyper GET /hyper: 200 OK"), "{stdout}");
    let log: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("== access log"))
        .skip(1)
        .collect();
    assert_eq!(
        log,
        [
            "   GET /reqwest 503",
            "   GET /reqwest 200",
            "   GET /hyper 503",
            "   GET /hyper 200"
        ],
        "{stdout}"
    );
    // Our span closes once per attempt, each time inside the caller's
    // tracing span (fmt prints the parent's name before ours).
    let ours: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("}: lattice: close"))
        .collect();
    assert_eq!(ours.len(), 4, "{stdout}");
    assert_eq!(
        ours.iter()
            .filter(|l| l.contains("HTTP request{") && l.contains("}:GET{"))
            .count(),
        2,
        "two attempts inside reqwest-tracing's span: {stdout}"
    );
    assert_eq!(
        ours.iter()
            .filter(|l| l.contains(" request{method=GET") && l.contains("}:GET{"))
            .count(),
        2,
        "two attempts inside tower-http's span: {stdout}"
    );
}
