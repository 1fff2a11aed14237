//! `lattice fake` as a local Lattice: `<service>.localhost` names reached by
//! curl and `lattice call` with no `--resolve`, and the admin API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{AKID, Fake, SECRET, lattice, run, stderr, stdout};
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
            println!("skipping the curl part: cannot run curl ({e})");
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
