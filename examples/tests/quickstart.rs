//! The quickstart runs, its signed calls verify, and the tampered one is
//! rejected with Lattice's line.

#[test]
fn quickstart_runs_and_verifies() {
    let mut exe = std::env::current_exe().expect("test binary path");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    let out = std::process::Command::new(exe)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the quickstart example is built by `cargo test`");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("== reqwest: 200 OK"), "{stdout}");
    assert!(stdout.contains("== hyper: 200 OK"), "{stdout}");
    assert_eq!(
        stdout
            .matches("arn:aws:sts::111122223333:assumed-role/quickstart/session")
            .count(),
        2,
        "both calls authenticated: {stdout}"
    );
    assert!(stdout.contains("403 Forbidden"), "{stdout}");
    assert!(
        stdout.contains(
            "InvalidSignatureException: The request signature we calculated does not match"
        ),
        "{stdout}"
    );
}
