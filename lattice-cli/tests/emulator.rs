//! `lattice fake` as a local Lattice: `<service>.localhost` names reached by
//! curl and `lattice call` with no `--resolve`, and the admin API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command};

use common::{AKID, Fake, SECRET, fixture, lattice, run, spawn_fake, stderr, stdout};
use serde_json::Value;

/// The first listener's `localUrl` of `service`.
fn local_url(fake: &Fake, service: &str) -> String {
    fake.listener(service)["localUrl"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `curl -s ARGS`, or `None` (with one printed line) when curl is missing.
fn curl(args: &[&str]) -> Option<(String, String)> {
    let out = match Command::new("curl").arg("-sS").args(args).output() {
        Ok(out) => out,
        Err(e) => {
            // Straight to stderr: the test harness captures `println!`.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: the curl part of this test: cannot run curl ({e})"
            );
            return None;
        }
    };
    Some((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

#[test]
fn curl_reaches_localhost_names_over_http_and_https() {
    let fake = Fake::start();
    let sigv4 = "aws:amz:us-west-2:vpc-lattice-svcs";
    // Lattice requires the payload hash header to be signed; curl signs
    // the `x-amz-*` headers it is given.
    let payload = "x-amz-content-sha256: UNSIGNED-PAYLOAD";
    let user = format!("{AKID}:{SECRET}");
    let orders = local_url(&fake, "orders");
    assert!(orders.starts_with("http://orders.localhost:"), "{orders}");
    let Some((body, err)) = curl(&[
        "-w",
        "\n%{http_code}",
        "-H",
        payload,
        "--aws-sigv4",
        sigv4,
        "--user",
        &user,
        &format!("{orders}/hello"),
    ]) else {
        return;
    };
    assert!(body.ends_with("\n200"), "{body} {err}");
    let billing = local_url(&fake, "billing");
    assert!(
        billing.starts_with("https://billing.localhost:"),
        "{billing}"
    );
    let (body, err) = curl(&[
        "-w",
        "\n%{http_code}",
        "--cacert",
        &fake.ca(),
        "-H",
        payload,
        "--aws-sigv4",
        sigv4,
        "--user",
        &user,
        &format!("{billing}/invoices"),
    ])
    .unwrap();
    assert!(body.ends_with("\n200"), "{body} {err}");

    // The admin API on the same port, whatever the Host.
    let (health, err) = curl(&[&format!("{orders}/_fake/health")]).unwrap();
    let health: Value = serde_json::from_str(&health).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(health["status"], "ok");
    let (log, _) = curl(&[&format!("{orders}/_fake/access-log?since=1")]).unwrap();
    let seqs: Vec<u64> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, [2]);
    assert!(log.contains("billing.localhost"), "{log}");
}

#[test]
fn lattice_call_reaches_a_localhost_name_without_resolve() {
    let fake = Fake::start();
    let billing = local_url(&fake, "billing");
    let out = run(
        lattice(&[
            "call",
            "--region",
            "us-west-2",
            "--cacert",
            &fake.ca(),
            &format!("{billing}/invoices"),
        ]),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("billing.localhost"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_ready_line_carries_the_environment() {
    let fake = Fake::start();
    let env = &fake.ready["env"];
    assert_eq!(env["AWS_REGION"], "us-west-2");
    assert_eq!(env["AWS_CA_BUNDLE"].as_str(), Some(fake.ca().as_str()));
    let resolve = env["LATTICE_RESOLVE"].as_str().unwrap();
    assert!(resolve.contains(&fake.resolve("orders")), "{resolve}");
}

/// `lattice fake --config fake.yaml --gateway 127.0.0.1:0 --explain`.
struct GatewayFake {
    child: Child,
    ready: Value,
}

impl GatewayFake {
    fn start() -> GatewayFake {
        let (child, mut stdout, _, ready) = spawn_fake(&["--gateway", "127.0.0.1:0", "--explain"]);
        // Keep the pipe open (and drained) while the fake runs.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        GatewayFake { child, ready }
    }

    fn port(&self) -> u16 {
        let gateway = self.ready["gateway"].as_str().unwrap();
        assert!(gateway.starts_with("127.0.0.1:"), "{gateway}");
        gateway.rsplit(':').next().unwrap().parse().unwrap()
    }
}

impl Drop for GatewayFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `curl --aws-sigv4` as `user` (`AKID:SECRET`), with the status code on
/// a last line of its own.
fn signed_curl(user: &str, extra: &[&str], url: &str) -> Option<(String, String)> {
    let mut args = vec![
        "-w",
        "\n%{http_code}",
        "-H",
        "x-amz-content-sha256: UNSIGNED-PAYLOAD",
        "--aws-sigv4",
        "aws:amz:us-west-2:vpc-lattice-svcs",
        "--user",
        user,
    ];
    args.extend_from_slice(extra);
    args.push(url);
    curl(&args)
}

#[test]
fn one_gateway_port_serves_http_https_metrics_and_explanations() {
    let fake = GatewayFake::start();
    let port = fake.port();
    for listener in fake.ready["listeners"].as_array().unwrap() {
        let local = listener["localUrl"].as_str().unwrap();
        assert!(local.ends_with(&format!(".localhost:{port}")), "{local}");
    }
    let user = format!("{AKID}:{SECRET}");
    let Some((body, err)) =
        signed_curl(&user, &[], &format!("http://orders.localhost:{port}/hello"))
    else {
        return;
    };
    assert!(body.ends_with("\n200"), "{body} {err}");
    assert!(body.contains("\"x-forwarded-port\""), "{body}");
    let ca_file = fake.ready["caPem"].as_str().unwrap().to_owned();
    let (body, err) = signed_curl(
        &user,
        &["--cacert", &ca_file],
        &format!("https://billing.localhost:{port}/invoices"),
    )
    .unwrap();
    assert!(body.ends_with("\n200"), "{body} {err}");

    // The admin API on the gateway: metrics, and the log since record 1.
    let (metrics, err) = curl(&[&format!("http://127.0.0.1:{port}/_fake/metrics")]).unwrap();
    assert!(
        metrics.contains("TotalRequestCount_total{service=\"orders\"} 1\n"),
        "{metrics} {err}"
    );
    assert!(
        metrics.contains("HTTPCode_Target_2XX_Count_total{target_group=\"billing-echo\"} 1\n"),
        "{metrics}"
    );
    let (log, _) = curl(&[&format!(
        "http://billing.localhost:{port}/_fake/access-log?since=1"
    )])
    .unwrap();
    let records: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1, "{log}");
    assert_eq!(records[0]["seq"], 2);
    assert_eq!(records[0]["listenerType"], "HTTPS", "{log}");

    // A signature made with the wrong secret: Lattice's line, then what
    // the fake computed.
    let (body, err) = signed_curl(
        &format!("{AKID}:not-the-secret"),
        &[],
        &format!("http://orders.localhost:{port}/tampered?x=1"),
    )
    .unwrap();
    assert!(body.ends_with("\n403"), "{body} {err}");
    assert!(
        body.starts_with(
            "InvalidSignatureException: The request signature we calculated does not match"
        ),
        "{body}"
    );
    for expected in [
        "GET\n/tampered\nx=1\n",
        &format!("host:orders.localhost:{port}\n"),
        "The string to sign:\nAWS4-HMAC-SHA256\n",
        "Signed headers: host;x-amz-content-sha256;x-amz-date\n",
    ] {
        assert!(body.contains(expected), "{expected:?} not in:\n{body}");
    }
}

#[test]
fn a_bad_gateway_address_is_a_usage_error() {
    let config = fixture("fake.yaml");
    let out = run(
        lattice(&[
            "fake",
            "--config",
            config.to_str().unwrap(),
            "--gateway",
            "localhost-ish",
        ]),
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--gateway `localhost-ish`"), "{err}");
    assert!(err.contains("127.0.0.1:4566"), "{err}");
    assert!(stdout(&out).is_empty(), "no ready line: {}", stdout(&out));
}

/// One plain HTTP/1.1 request to the gateway's admin API: `(status, body)`.
fn admin(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// `lattice call` with the fake's `env` (LATTICE_RESOLVE, AWS_CA_BUNDLE,
/// AWS_REGION) and nothing else: no `--resolve`, no `--cacert`.
fn call_with_env(env: &Value, url: &str) -> std::process::Output {
    let mut cmd = lattice(&["call", url]);
    for name in ["LATTICE_RESOLVE", "AWS_CA_BUNDLE", "AWS_REGION"] {
        cmd.env(name, env[name].as_str().unwrap());
    }
    run(cmd, None)
}

/// The last access-log record after `seq`, read through the admin API.
fn last_record_since(port: u16, since: u64) -> Value {
    let (status, log) = admin(port, "GET", &format!("/_fake/access-log?since={since}"), "");
    assert_eq!(status, 200, "{log}");
    let last = log
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no record after {since}"));
    serde_json::from_str(last).unwrap()
}

#[test]
fn a_session_against_the_gateway_with_environment_and_admin_api() {
    let fake = GatewayFake::start();
    let port = fake.port();
    let env = fake.ready["env"].clone();
    let billing = fake.ready["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["service"] == "billing")
        .unwrap()["baseUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let orders = format!("http://orders.localhost:{port}/orders");

    // A generated HTTPS name, reached through the environment alone.
    let out = call_with_env(&env, &format!("{billing}/invoices"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = call_with_env(&env, &orders);
    assert!(out.status.success(), "{}", stderr(&out));

    let (status, health) = admin(port, "GET", "/_fake/health", "");
    assert_eq!(status, 200, "{health}");
    let health: Value = serde_json::from_str(&health).unwrap();
    assert_eq!(health["status"], "ok", "{health}");

    // A policy that leaves our caller out: the next request is refused by
    // the service layer, and the access log says so.
    let seen = last_record_since(port, 0)["seq"].as_u64().unwrap();
    let others_only = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/someone-else"},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
    let (status, body) = admin(
        port,
        "PUT",
        "/_fake/services/orders/auth-policy",
        others_only,
    );
    assert_eq!(status, 204, "{body}");
    let out = call_with_env(&env, &orders);
    assert!(!out.status.success());
    assert!(
        stdout(&out).starts_with("AccessDeniedException"),
        "{}",
        stdout(&out)
    );
    let record = last_record_since(port, seen);
    assert_eq!(record["responseCode"], 403, "{record}");
    assert_eq!(record["authDeniedReason"], "Service", "{record}");

    // A broken policy is refused with one line; the model is unchanged.
    let (status, reason) = admin(port, "PUT", "/_fake/services/orders/auth-policy", "{");
    assert_eq!(status, 400, "{reason}");
    assert_eq!(reason.trim_end().lines().count(), 1, "{reason}");

    // Deleted: AWS_IAM without a policy refuses everything.
    let (status, _) = admin(port, "DELETE", "/_fake/services/orders/auth-policy", "");
    assert_eq!(status, 204);
    let out = call_with_env(&env, &orders);
    assert!(!out.status.success());
    assert!(stdout(&out).starts_with("AccessDeniedException"));

    // Allow-all: requests pass again.
    let allow_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
    let (status, _) = admin(port, "PUT", "/_fake/services/orders/auth-policy", allow_all);
    assert_eq!(status, 204);
    let out = call_with_env(&env, &orders);
    assert!(out.status.success(), "{}", stderr(&out));
}
