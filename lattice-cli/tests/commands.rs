//! The other subcommands through the built binary: help and completions,
//! `policy eval|why|lint`, `name`, `event make|show`, `fake`, `probe`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::Path;

use common::{Fake, TEMP, error_lines, lattice, lattice_as, run, stderr, stdout};
use serde_json::Value;

fn examples(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn help_lists_every_subcommand_and_each_help_has_an_example() {
    let out = run(lattice(&["--help"]), None);
    assert!(out.status.success());
    let text = stdout(&out);
    for sub in [
        "call",
        "sign",
        "policy",
        "name",
        "event",
        "fake",
        "probe",
        "completions",
    ] {
        assert!(text.contains(&format!("  {sub} ")), "{sub} missing: {text}");
    }
    for sub in [
        &["call"][..],
        &["sign"],
        &["policy", "eval"],
        &["policy", "why"],
        &["policy", "lint"],
        &["name"],
        &["event", "make"],
        &["event", "show"],
        &["fake"],
        &["probe"],
        &["completions"],
    ] {
        let mut args = sub.to_vec();
        args.push("--help");
        let out = run(lattice(&args), None);
        assert!(out.status.success(), "{sub:?}");
        let help = stdout(&out);
        assert!(help.contains("Example"), "{sub:?}: {help}");
        // Every flag's help carries an example.
        for block in help
            .split("\n\n")
            .filter(|b| b.trim_start().starts_with('-'))
        {
            if block.contains("--help") || block.contains("--quiet") && block.contains("body") {
                continue;
            }
            assert!(
                block.contains("Example"),
                "{sub:?}: a flag without an example: {block}"
            );
        }
    }
}

#[test]
fn completions_for_three_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(lattice(&["completions", shell]), None);
        assert!(out.status.success(), "{shell}");
        let text = stdout(&out);
        assert!(
            text.contains("lattice") && text.contains("probe"),
            "{shell}"
        );
    }
    let out = run(lattice(&["completions", "tcsh"]), None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_lines(&out).len(), 1);
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for args in [
        &["call", "--via", "curl", "http://x/"][..],
        &["call", "-H", "no-colon", "http://x/"],
        &[],
        &["call"],
        &["nope"],
    ] {
        let out = run(lattice(args), None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn policy_eval_prints_one_decision_line_per_case_in_order() {
    let cases = examples("policy/cases.json");
    let out = run(lattice(&["policy", "eval", &cases]), None);
    assert!(out.status.success(), "{}", stderr(&out));
    let input: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&cases).unwrap()).unwrap();
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), input.len());
    for (case, line) in input.iter().zip(&lines) {
        assert_eq!(case["name"], line["name"]);
        for key in ["decision", "layer", "statement", "message"] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
    }
    let by_name = |n: &str| lines.iter().find(|l| l["name"] == n).unwrap();
    assert_eq!(by_name("get-orders")["decision"], "Allow");
    assert_eq!(by_name("explicit-deny-admin")["decision"], "Deny");
    assert_eq!(by_name("explicit-deny-admin")["statement"], "NoAdmin");
    assert_eq!(by_name("bad-policy")["decision"], "Error");
    let out = run(
        lattice(&["policy", "eval", "/nonexistent/cases.json"]),
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1);
}

const NAME: &str = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn policy_why_names_each_layer_the_statement_and_the_403_line() {
    let dir = tempfile::tempdir().unwrap();
    let network = write(
        dir.path(),
        "n.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Signed","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*","Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}}]}"#,
    );
    let service = write(
        dir.path(),
        "s.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*","Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}},{"Sid":"NoAdmin","Effect":"Deny","Principal":"*","Action":"*","Resource":"*/admin*"}]}"#,
    );
    let identity = write(
        dir.path(),
        "i.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#,
    );
    let role = "arn:aws:sts::111122223333:assumed-role/app/s1";
    let url = format!("https://{NAME}/orders");
    let why = |extra: &[&str]| {
        let mut args = vec![
            "policy",
            "why",
            "--network",
            &network,
            "--service",
            &service,
            "--identity",
            &identity,
        ];
        args.extend_from_slice(extra);
        run(lattice(&args), None)
    };
    let out = why(&["--principal", role, &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("network:  Allow by statement 0 (Sid \"Signed\")"),
        "{text}"
    );
    assert!(
        text.contains("service:  Allow by statement 0 (Sid \"Read\")"),
        "{text}"
    );
    assert!(
        text.contains("identity: Allow by identity policy 0, statement 0"),
        "{text}"
    );
    assert!(text.contains("decision: Allow"), "{text}");

    let out = why(&[&url]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("network:  no statement allows"), "{text}");
    assert!(text.contains("identity: not applied"), "{text}");
    assert!(text.contains("403: AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders because no network-based policy allows the vpc-lattice-svcs:Invoke action"), "{text}");
    assert!(text.contains("hint: "), "{text}");

    let out = why(&[
        "--json",
        "--principal",
        role,
        &format!("https://{NAME}/admin/x"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "Deny");
    assert_eq!(v["deniedBy"], "Service");
    assert_eq!(v["layers"][1]["result"], "Deny");
    assert_eq!(v["layers"][1]["statement"]["index"], 1);
    assert_eq!(v["layers"][1]["statement"]["sid"], "NoAdmin");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .ends_with("with an explicit deny in a service-based policy")
    );

    let out = why(&["--principal", role, "https://orders.example.internal/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--service-arn"));
}

#[test]
fn policy_lint_reports_findings_and_exits_1_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#,
    );
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let out = run(lattice(&["policy", "lint", &good]), None);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with(": ok\n"));
    let out = run(lattice(&["policy", "lint", &good, &bad]), None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("bad.json: error: statement 0 (Sid \"X\"), Action: "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn name_prints_the_parts_or_the_parsers_message() {
    let out = run(lattice(&["name", NAME]), None);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "generatedName");
    assert_eq!(v["serviceName"], "orders");
    assert_eq!(v["serviceId"], "svc-0123456789abcdef0");
    assert_eq!(v["partition"], "7d67968");
    assert_eq!(v["region"], "us-west-2");
    assert_eq!(v["suffix"], "vpc-lattice-svcs.us-west-2.on.aws");
    let out = run(
        lattice(&[
            "name",
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
        ]),
        None,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["arnType"], "service");
    assert_eq!(v["account"], "111122223333");
    assert_eq!(v["serviceId"], "svc-0123456789abcdef0");
    let out = run(
        lattice(&["name", "arn:aws:sts::111122223333:assumed-role/app/s1"]),
        None,
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["arnType"], "principal");
    assert_eq!(v["session"], "s1");
    for bad in ["orders.example.com", "arn:aws:vpc-lattice"] {
        let out = run(lattice(&["name", bad]), None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let lines = error_lines(&out);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("lattice name: invalid"), "{lines:?}");
    }
}

#[test]
fn event_make_builds_both_versions_and_show_reads_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("https://{NAME}/orders?id=7&id=8");
    let role = "arn:aws:sts::111122223333:assumed-role/app/s1";
    let common = [
        "-X",
        "POST",
        "-H",
        "content-type: application/json",
        "-d",
        r#"{"n":1}"#,
        "--principal",
        role,
        "--time",
        "2024-01-01T00:00:00Z",
    ];
    let mut args = vec!["event", "make", "--version", "v2"];
    args.extend_from_slice(&common);
    args.push(&url);
    let out = run(lattice(&args), None);
    assert!(out.status.success(), "{}", stderr(&out));
    let v2: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v2["version"], "2.0");
    assert_eq!(v2["method"], "POST");
    assert_eq!(v2["body"], r#"{"n":1}"#);
    assert_eq!(
        v2["queryStringParameters"]["id"],
        serde_json::json!(["7", "8"])
    );
    assert_eq!(v2["requestContext"]["identity"]["principal"], role);
    assert_eq!(
        v2["requestContext"]["serviceArn"],
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
    );
    assert_eq!(v2["requestContext"]["timeEpoch"], "1704067200000000");
    assert_eq!(
        v2["requestContext"]["identity"]["sourceVpcArn"],
        "arn:aws:ec2:us-west-2:111122223333:vpc/vpc-0a1b2c3d4e5f60718"
    );
    let file = write(dir.path(), "v2.json", &stdout(&out));
    let out = run(lattice(&["event", "show", &file]), None);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("version: V2\nmethod: POST\n"), "{text}");
    assert!(text.contains("path: /orders\nquery: id=7&id=8\n"), "{text}");
    assert!(text.contains(&format!("  principal: {role}\n")), "{text}");
    assert!(
        text.contains("  principalAccount: 111122223333\n"),
        "{text}"
    );
    assert!(
        text.contains("body (7 bytes, text):\n{\"n\":1}\n"),
        "{text}"
    );

    let mut args = vec!["event", "make", "--version", "v1"];
    args.extend_from_slice(&common);
    args.push(&url);
    let out = run(lattice(&args), None);
    let v1: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v1.get("version").is_none());
    assert_eq!(v1["raw_path"], "/orders?id=7&id=8");
    assert_eq!(v1["query_string_parameters"]["id"], "8");
    assert!(
        v1["headers"]["x-amzn-lattice-identity"]
            .as_str()
            .unwrap()
            .contains(role)
    );
    let file = write(dir.path(), "v1.json", &stdout(&out));
    let out = run(lattice(&["event", "show", &file]), None);
    assert!(
        stdout(&out).contains(&format!("  principal: {role}\n")),
        "{}",
        stdout(&out)
    );

    let bad = write(dir.path(), "bad.json", "[1,2]");
    let out = run(lattice(&["event", "show", &bad]), None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_lines(&out).len(), 1);
}

#[test]
fn fake_prints_the_ready_line_and_stops_cleanly_on_sigint() {
    let fake = Fake::start();
    let line = fake.line.trim_end();
    assert!(
        line.starts_with(r#"{"listeners":[{"service":"orders","dnsName":"#),
        "{line}"
    );
    assert!(
        line.contains(&format!(r#"],"caPem":"{}","env":{{"#, fake.ca())),
        "{line}"
    );
    let listeners = fake.ready["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 3);
    let ca = std::path::PathBuf::from(fake.ca());
    assert!(ca.exists());
    // A random name, not one derived from the process id that another user
    // could plant as a symlink beforehand, and readable by its owner only.
    let name = ca.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("lattice-fake-") && name.ends_with("-ca.pem"),
        "{name}"
    );
    assert_ne!(
        name,
        format!("lattice-fake-{}-ca.pem", fake.pid()),
        "{name}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ca).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "CA file mode {mode:o}");
    }
    let status = fake.stop();
    assert!(status.success(), "{status}");
    assert!(!ca.exists(), "the CA file is removed on exit");

    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.yaml",
        "services:\n  - name: orders\n    listeners:\n      - protocol: HTTP\n        prot: 80\n",
    );
    let out = run(lattice(&["fake", "--config", &bad]), None);
    assert_eq!(out.status.code(), Some(2));
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("lattice fake: ") && lines[0].contains("unknown field `prot`"),
        "{lines:?}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn probe_against_the_fake_agrees_on_every_judged_probe() {
    let fake = Fake::start();
    let url = format!("{}/", fake.base_url("orders"));
    // Temporary credentials, so the missing-token probe runs too.
    let keys = (TEMP.0, TEMP.1, Some(TEMP.2));
    let out = run(
        lattice_as(
            keys,
            &[
                "probe",
                "--json",
                "--resolve",
                &fake.resolve("orders"),
                &url,
            ],
        ),
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = results
        .iter()
        .map(|r| r["probe"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "unsigned",
            "signed",
            "wrong-signature",
            "signed-payload",
            "path-double",
            "path-single",
            "missing-session-token",
            "skewed-clock"
        ]
    );
    for r in &results {
        for key in ["probe", "status", "line", "expected", "agree"] {
            assert!(r.get(key).is_some(), "{key}: {r}");
        }
        let judged = !matches!(r["probe"].as_str(), Some("unsigned" | "signed"));
        assert_eq!(
            r["agree"],
            if judged {
                Value::Bool(true)
            } else {
                Value::Null
            },
            "{r}"
        );
    }
    // The fake refuses anonymous callers at the network; signed ones pass.
    assert_eq!(results[0]["status"], 403);
    assert_eq!(results[1]["status"], 200);

    // Text output with long-term keys: the token probe is skipped, not judged.
    let out = run(
        lattice(&["probe", "--resolve", &fake.resolve("orders"), &url]),
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("missing-session-token  -"), "{text}");
    assert!(text.contains("skewed-clock           agree  403"), "{text}");
}
