//! The quickstart runs on the fake Lattice: both signed calls succeed
//! (reqwest to the HTTP target, hyper to the Lambda target), the DELETE gets
//! Lattice's explicit-deny line, and the access log lists all three.

use std::time::{Duration, Instant};

#[test]
fn quickstart_runs_on_the_fake() {
    let mut exe = std::env::current_exe().expect("test binary path");
    exe.pop();
    if exe.ends_with("deps") {
        exe.pop();
    }
    let exe = exe
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    let started = Instant::now();
    let out = std::process::Command::new(exe)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("the quickstart example is built by `cargo test`");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A budget for a loaded CI machine; it takes well under a second here.
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert!(
        stdout.contains("== reqwest GET /orders/42: 200 OK (HTTP/2.0)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("orders for arn:aws:sts::111122223333:assumed-role/quickstart/session"),
        "{stdout}"
    );
    assert!(
        stdout.contains("== hyper GET /invoices/7: 200 OK"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "invoices (from Lambda) for arn:aws:sts::111122223333:assumed-role/quickstart/session"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("== reqwest DELETE /orders/42: 403 Forbidden"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/quickstart/session is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("with an explicit deny in a service-based policy"),
        "{stdout}"
    );
    let log: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("== access log"))
        .skip(2)
        .collect();
    assert_eq!(log.len(), 3, "{stdout}");
    assert!(
        log[2].contains("403")
            && log[2].contains("Service")
            && log[2].contains("ClientAccessDenied"),
        "{stdout}"
    );
}
