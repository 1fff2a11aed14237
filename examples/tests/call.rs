//! Runs the `call` example against the loopback echo server.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

const EU_WEST_3: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-3.on.aws";

/// `target/<profile>/examples/call`, built by `cargo test` with the package.
fn call_binary() -> PathBuf {
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop(); // the test binary
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join("examples")
        .join(format!("call{}", std::env::consts::EXE_SUFFIX))
}

async fn run_call(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = tokio::process::Command::new(call_binary());
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd
        .spawn()
        .expect("the call example is built by `cargo test`");
    if let Some(mut input) = child.stdin.take() {
        if let Some(bytes) = stdin {
            tokio::io::AsyncWriteExt::write_all(&mut input, bytes)
                .await
                .expect("stdin");
        }
        drop(input);
    }
    child.wait_with_output().await.expect("call runs")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the echo JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn scope(v: &Value) -> &str {
    v["signature"]["credentialScope"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn generated_name_signs_for_its_region_through_both_clients() {
    let echo = lattice_examples::echo::start().await.expect("echo server");
    let port = echo.addr().port();
    let url = format!("http://{EU_WEST_3}:{port}/orders?id=1");
    let resolve = format!("{EU_WEST_3}:{port}:127.0.0.1");
    for via in ["reqwest", "hyper"] {
        let out = run_call(&["--via", via, "--resolve", &resolve, &url], None).await;
        assert!(
            out.status.success(),
            "{via}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = report(&out);
        assert!(
            scope(&v).contains("/eu-west-3/vpc-lattice-svcs/aws4_request"),
            "{via}: {v}"
        );
        assert_eq!(v["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
        assert_eq!(v["host"], format!("{EU_WEST_3}:{port}"));
        assert_eq!(v["query"], "id=1");
    }
}

#[tokio::test]
async fn custom_domain_with_region_flag() {
    let echo = lattice_examples::echo::start().await.expect("echo server");
    let port = echo.addr().port();
    let host = "orders.example.internal";
    let resolve = format!("{host}:{port}:127.0.0.1");
    let url = format!("http://{host}:{port}/");
    for via in ["reqwest", "hyper"] {
        let out = run_call(
            &[
                "--via",
                via,
                "--region",
                "eu-central-1",
                "--resolve",
                &resolve,
                &url,
            ],
            None,
        )
        .await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(scope(&report(&out)).contains("/eu-central-1/"));
    }
}

#[tokio::test]
async fn custom_domain_without_region_exits_2_with_one_line() {
    let echo = lattice_examples::echo::start().await.expect("echo server");
    let port = echo.addr().port();
    let host = "orders.example.internal";
    let resolve = format!("{host}:{port}:127.0.0.1");
    let out = run_call(
        &["--resolve", &resolve, &format!("http://{host}:{port}/")],
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Exactly one error line; anything else is a one-line warning (here: the
    // plain-http warning).
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim_start().starts_with("WARN"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].starts_with("call: ") && errors[0].contains("region"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn non_2xx_exits_1_and_include_prints_the_head() {
    let echo = lattice_examples::echo::start().await.expect("echo server");
    let port = echo.addr().port();
    let resolve = format!("{EU_WEST_3}:{port}:127.0.0.1");
    for via in ["reqwest", "hyper"] {
        let url = format!("http://{EU_WEST_3}:{port}/status/404");
        let out = run_call(&["-i", "--via", via, "--resolve", &resolve, &url], None).await;
        assert_eq!(out.status.code(), Some(1), "{via}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.lines().next().is_some_and(|l| l.contains("404")),
            "{stdout}"
        );
        assert!(
            stdout
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{stdout}"
        );
    }
}

#[tokio::test]
async fn data_file_is_streamed_with_its_length_and_stdin_chunked() {
    let echo = lattice_examples::echo::start().await.expect("echo server");
    let port = echo.addr().port();
    let resolve = format!("{EU_WEST_3}:{port}:127.0.0.1");
    let url = format!("http://{EU_WEST_3}:{port}/upload");
    let dir = std::env::temp_dir().join(format!("lattice-call-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("body.bin");
    std::fs::write(&file, vec![7u8; 300_000]).expect("write body");
    let file = file.to_string_lossy().into_owned();
    for via in ["reqwest", "hyper"] {
        let out = run_call(
            &[
                "--via",
                via,
                "-X",
                "PUT",
                "--data-file",
                &file,
                "--resolve",
                &resolve,
                &url,
            ],
            None,
        )
        .await;
        assert!(
            out.status.success(),
            "{via}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = report(&out);
        assert_eq!(v["method"], "PUT");
        assert_eq!(v["bodyBytes"], 300_000, "{via}");
        assert_eq!(v["contentLength"], "300000", "{via}");

        let out = run_call(
            &[
                "--via",
                via,
                "--data-file",
                "-",
                "--resolve",
                &resolve,
                &url,
            ],
            Some(b"from stdin"),
        )
        .await;
        assert!(
            out.status.success(),
            "{via}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = report(&out);
        assert_eq!(v["method"], "POST");
        assert_eq!(v["bodyBytes"], 10, "{via}");
        assert_eq!(v["transferEncoding"], "chunked", "{via}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn bad_arguments_exit_2() {
    for args in [
        &["--via", "curl", "http://x/"][..],
        &["-H", "no-colon", "http://x/"],
        &[],
    ] {
        let out = run_call(args, None).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{args:?}"
        );
    }
}
