//! `lattice call` against `lattice fake`: flags, exit statuses, one-line
//! errors, `-v`, bodies and the hint lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{Fake, READER, TEMP, error_lines, lattice, lattice_as, run, stderr, stdout};
use serde_json::Value;

fn echo(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the echo JSON ({e}): {}\nstderr: {}",
            stdout(out),
            stderr(out)
        )
    })
}

fn header(v: &Value, name: &str) -> String {
    v["headers"][name][0]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn generated_name_signs_for_its_region_through_both_clients() {
    let fake = Fake::start();
    let url = format!("{}/orders?id=1", fake.base_url("orders"));
    for via in ["reqwest", "hyper"] {
        let out = run(
            lattice(&[
                "call",
                "--via",
                via,
                "--resolve",
                &fake.resolve("orders"),
                &url,
            ]),
            None,
        );
        assert!(out.status.success(), "{via}: {}", stderr(&out));
        let v = echo(&out);
        assert!(
            header(&v, "authorization").contains("/us-west-2/vpc-lattice-svcs/aws4_request"),
            "{v}"
        );
        assert_eq!(header(&v, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
        assert_eq!(v["query"], "id=1");
    }
}

#[test]
fn custom_domain_over_https_with_cacert_and_region_flag() {
    let fake = Fake::start();
    let (resolve, base) = fake.resolve_domain("billing");
    for via in ["reqwest", "hyper"] {
        let out = run(
            lattice(&[
                "call",
                "--via",
                via,
                "--region",
                "us-west-2",
                "--resolve",
                &resolve,
                "--cacert",
                &fake.ca(),
                &format!("{base}/invoices"),
            ]),
            None,
        );
        assert!(out.status.success(), "{via}: {}", stderr(&out));
        assert!(header(&echo(&out), "authorization").contains("/us-west-2/"));
    }
}

#[test]
fn custom_domain_without_region_exits_2_with_one_line() {
    let fake = Fake::start();
    let (resolve, base) = fake.resolve_domain("billing");
    let out = run(
        lattice(&["call", "--resolve", &resolve, "--cacert", &fake.ca(), &base]),
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("lattice call: ") && lines[0].contains("--region"),
        "{lines:?}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn non_2xx_exits_1_with_or_without_fail_and_include_prints_the_head() {
    let fake = Fake::start();
    let url = format!("{}/", fake.base_url("orders"));
    // A host the network does not serve: 404.
    let unknown = url.replace("orders-", "nothing-");
    let resolve = fake.resolve("orders").replace("orders-", "nothing-");
    for via in ["reqwest", "hyper"] {
        let out = run(
            lattice(&["call", "-i", "--via", via, "--resolve", &resolve, &unknown]),
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{via}: {}", stderr(&out));
        let body = stdout(&out);
        assert!(
            body.lines().next().is_some_and(|l| l.contains("404")),
            "{body}"
        );
        assert!(body.contains("Non Existent Service"), "{body}");
        let lines = error_lines(&out);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("hint: ") && lines[0].contains("not associated"),
            "{lines:?}"
        );

        let out = run(
            lattice(&["call", "-f", "--via", via, "--resolve", &resolve, &unknown]),
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "-f prints no body");
        let lines = error_lines(&out);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0],
            "lattice call: HTTP 404 Not Found: Non Existent Service"
        );
        assert!(lines[1].starts_with("hint: "));

        let out = run(
            lattice(&["-q", "call", "--via", via, "--resolve", &resolve, &unknown]),
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stderr.is_empty(), "-q: {}", stderr(&out));
        assert!(
            stdout(&out).contains("Non Existent Service"),
            "-q keeps the body"
        );
    }
}

#[test]
fn data_at_file_sends_the_bytes_unchanged_and_at_dash_reads_stdin() {
    let fake = Fake::start();
    let url = format!("{}/upload", fake.base_url("orders"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.txt");
    let bytes = b"line one\r\nline two\n\n  spaced \ttabs\n";
    std::fs::write(&file, bytes).unwrap();
    let at_file = format!("@{}", file.display());
    for via in ["reqwest", "hyper"] {
        for flag in ["-d", "--data-binary"] {
            let out = run(
                lattice(&[
                    "call",
                    "--via",
                    via,
                    flag,
                    &at_file,
                    "--resolve",
                    &fake.resolve("orders"),
                    &url,
                ]),
                None,
            );
            assert!(out.status.success(), "{via} {flag}: {}", stderr(&out));
            let v = echo(&out);
            assert_eq!(v["method"], "POST");
            assert_eq!(
                v["body"].as_str().unwrap().as_bytes(),
                bytes,
                "{via} {flag}"
            );
            assert_eq!(header(&v, "content-length"), bytes.len().to_string());
        }
        let out = run(
            lattice(&[
                "call",
                "--via",
                via,
                "-X",
                "PUT",
                "-d",
                "@-",
                "--resolve",
                &fake.resolve("orders"),
                &url,
            ]),
            Some(b"from stdin\n"),
        );
        assert!(out.status.success(), "{via}: {}", stderr(&out));
        let v = echo(&out);
        assert_eq!(v["method"], "PUT");
        assert_eq!(v["body"], "from stdin\n");
        assert_eq!(header(&v, "transfer-encoding"), "chunked", "{v}");

        let out = run(
            lattice(&[
                "call",
                "--via",
                via,
                "-d",
                "@not-there.bin",
                "--resolve",
                &fake.resolve("orders"),
                &url,
            ]),
            None,
        );
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(error_lines(&out).len(), 1);
    }
}

#[test]
fn literal_data_and_output_file() {
    let fake = Fake::start();
    let url = format!("{}/x", fake.base_url("orders"));
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out.json");
    let out = run(
        lattice(&[
            "call",
            "-d",
            "@literal? no: text",
            "-o",
            out_file.to_str().unwrap(),
            "--resolve",
            &fake.resolve("orders"),
            &url,
        ]),
        None,
    );
    // `@literal? no: text` names a file that does not exist: exit 2.
    assert_eq!(out.status.code(), Some(2));
    let out = run(
        lattice(&[
            "call",
            "-d",
            "plain text",
            "-o",
            out_file.to_str().unwrap(),
            "--resolve",
            &fake.resolve("orders"),
            &url,
        ]),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let v: Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(v["body"], "plain text");
}

#[test]
fn verbose_shows_what_was_signed_where_it_went_and_the_answer() {
    let fake = Fake::start();
    let url = format!("{}/orders/a%20b?z=1&a=2", fake.base_url("orders"));
    let host = fake.listener("orders")["baseUrl"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_owned();
    let out = run(
        lattice_as(
            TEMP_KEYS,
            &[
                "call",
                "-v",
                "-H",
                "x-custom: Yes",
                "--resolve",
                &fake.resolve("orders"),
                &url,
            ],
        ),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let canonical: Vec<&str> = err
        .lines()
        .skip_while(|l| *l != "* canonical request:")
        .skip(1)
        .take_while(|l| l.starts_with("*   "))
        .map(|l| l.trim_start_matches("*   "))
        .collect();
    assert_eq!(canonical[0], "GET", "{err}");
    assert_eq!(
        canonical[1], "/orders/a%2520b",
        "double-encoded path: {err}"
    );
    assert_eq!(canonical[2], "a=2&z=1", "sorted query: {err}");
    assert_eq!(canonical[3], format!("host:{host}"));
    assert!(
        canonical.contains(&"x-amz-content-sha256:UNSIGNED-PAYLOAD"),
        "{err}"
    );
    assert!(canonical.contains(&"x-custom:Yes"), "{err}");
    assert!(
        canonical
            .iter()
            .any(|l| l.starts_with("x-amz-security-token:** redacted")),
        "token redacted: {err}"
    );
    assert_eq!(
        canonical[canonical.len() - 2],
        "host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-custom"
    );
    assert_eq!(canonical[canonical.len() - 1], "UNSIGNED-PAYLOAD");
    assert!(!err.contains(TEMP.2), "the session token never appears");
    assert!(
        err.contains("* string to sign:\n*   AWS4-HMAC-SHA256\n"),
        "{err}"
    );
    assert!(
        err.contains("/us-west-2/vpc-lattice-svcs/aws4_request\n"),
        "{err}"
    );
    assert!(
        err.contains("* region us-west-2 (from the generated Lattice name)"),
        "{err}"
    );
    assert!(err.contains("* algorithm AWS4-HMAC-SHA256"), "{err}");
    assert!(
        err.contains("> authorization: AWS4-HMAC-SHA256 Credential=ASIAEXAMPLETEMPORARY/"),
        "{err}"
    );
    assert!(err.contains("Signature=** redacted **"), "{err}");
    assert!(err.contains("> x-amz-security-token: ** redacted"), "{err}");
    assert!(err.contains("* connected to 127.0.0.1:"), "{err}");
    assert!(err.contains("(address from --resolve)"), "{err}");
    assert!(err.contains("* HTTP/1.1, no TLS"), "{err}");
    assert!(err.contains("< HTTP/1.1 200 OK"), "{err}");
    assert!(err.contains("< content-type: application/json"), "{err}");
}

const TEMP_KEYS: (&str, &str, Option<&str>) = (TEMP.0, TEMP.1, Some(TEMP.2));

#[test]
fn sign_json_and_call_carry_the_same_signature() {
    let fake = Fake::start();
    let url = format!("{}/orders/7?x=1", fake.base_url("orders"));
    // The fake checks the time: sign at its present, fixed for both runs.
    let now = {
        let out = run(lattice(&["sign", "--format", "json", &url]), None);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["headers"]["x-amz-date"].as_str().unwrap().to_owned()
    };
    for via in ["reqwest", "hyper"] {
        let sign = run(
            lattice(&[
                "sign",
                "--format",
                "json",
                "--time",
                &now,
                "-X",
                "PUT",
                "-H",
                "x-custom: 1",
                &url,
            ]),
            None,
        );
        assert!(sign.status.success(), "{}", stderr(&sign));
        let signed: Value = serde_json::from_slice(&sign.stdout).unwrap();
        let call = run(
            lattice(&[
                "call",
                "--via",
                via,
                "--time",
                &now,
                "-X",
                "PUT",
                "-H",
                "x-custom: 1",
                "--resolve",
                &fake.resolve("orders"),
                &url,
            ]),
            None,
        );
        assert!(call.status.success(), "{via}: {}", stderr(&call));
        let sent = echo(&call);
        assert_eq!(
            signed["headers"]["authorization"],
            header(&sent, "authorization"),
            "{via}"
        );
        assert_eq!(signed["headers"]["x-amz-date"], header(&sent, "x-amz-date"));
        let canonical = signed["canonicalRequest"].as_str().unwrap();
        assert!(
            canonical.starts_with("PUT\n/orders/7\nx=1\nhost:"),
            "{canonical}"
        );
        assert!(
            canonical
                .ends_with("\n\nhost;x-amz-content-sha256;x-amz-date;x-custom\nUNSIGNED-PAYLOAD")
        );
        let sts = signed["stringToSign"].as_str().unwrap();
        assert!(
            sts.starts_with(&format!(
                "AWS4-HMAC-SHA256\n{now}\n{}/us-west-2/vpc-lattice-svcs/aws4_request\n",
                &now[..8]
            )),
            "{sts}"
        );
        assert_eq!(signed["region"], "us-west-2");
        assert_eq!(signed["algorithm"], "AWS4-HMAC-SHA256");
    }
}

#[test]
fn sign_formats_headers_and_curl() {
    let url = "https://orders.example.internal/a";
    let out = run(
        lattice(&[
            "sign",
            "--region",
            "eu-central-1",
            "--time",
            "2024-01-01T00:00:00Z",
            url,
        ]),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("host: orders.example.internal\n"),
        "{text}"
    );
    assert!(text.contains("x-amz-date: 20240101T000000Z\n"), "{text}");
    assert!(
        text.contains("Credential=AKIDEXAMPLE/20240101/eu-central-1/vpc-lattice-svcs/aws4_request")
    );
    let out = run(
        lattice(&[
            "sign",
            "--format",
            "curl",
            "--region",
            "eu-central-1",
            "--time",
            "20240101T000000Z",
            url,
        ]),
        None,
    );
    let text = stdout(&out);
    assert!(
        text.starts_with("curl -X 'GET' -H 'x-amz-date: 20240101T000000Z'"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("'https://orders.example.internal/a'"),
        "{text}"
    );
    let out = run(lattice(&["sign", "--time", "yesterday", url]), None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(error_lines(&out).len(), 1, "{}", stderr(&out));
}

/// A call's stderr: exactly one error line (or none) and one hint line.
fn hint_of(out: &std::process::Output) -> String {
    let lines = error_lines(out);
    let hints: Vec<&String> = lines.iter().filter(|l| l.starts_with("hint: ")).collect();
    assert_eq!(hints.len(), 1, "one hint line: {lines:?}");
    assert!(lines.len() <= 2, "{lines:?}");
    hints[0].clone()
}

#[test]
fn connection_refused_is_one_line_and_a_hint() {
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let name = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
    let url = format!("http://{name}:{port}/");
    for via in ["reqwest", "hyper"] {
        let out = run(
            lattice(&[
                "call",
                "--via",
                via,
                "--resolve",
                &format!("{name}:{port}:127.0.0.1"),
                &url,
            ]),
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let lines = error_lines(&out);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("lattice call: ") && lines[0].contains("Connection refused"),
            "{lines:?}"
        );
        // The cause chain is printed once.
        assert_eq!(
            lines[0].matches("Connection refused").count(),
            1,
            "{lines:?}"
        );
        assert!(hint_of(&out).contains("Nothing accepts connections"));
    }
}

/// The DNS failure is injected with `--resolve-only` (the system resolver is
/// never asked), so no test depends on, or reaches, real DNS.
#[test]
fn dns_failure_on_a_generated_name_gets_the_vpc_association_hint() {
    let name = "orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
    for via in ["reqwest", "hyper"] {
        let out = run(
            lattice(&[
                "call",
                "--via",
                via,
                "--resolve-only",
                &format!("https://{name}/"),
            ]),
            None,
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let lines = error_lines(&out);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].contains(&format!("could not resolve `{name}`")),
            "{lines:?}"
        );
        assert_eq!(
            lines[0].matches("system resolver is disabled").count(),
            1,
            "cause once: {lines:?}"
        );
        let hint = hint_of(&out);
        assert!(
            hint.contains("associated with the service network"),
            "{hint}"
        );
        assert!(
            hint.contains("--resolve") && hint.contains("lattice fake"),
            "{hint}"
        );
    }
    let out = run(
        lattice(&[
            "call",
            "--region",
            "us-west-2",
            "--resolve-only",
            "https://orders.example.invalid/",
        ]),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(hint_of(&out).contains("custom domain"));
}

/// A 403 case: name, keys, arguments, the body's line, the hint's words.
type ForbiddenCase<'a> = (&'a str, Keys<'a>, Vec<String>, &'a str, &'a str);
type Keys<'a> = (&'a str, &'a str, Option<&'a str>);

#[test]
fn each_403_kind_on_the_fake_gets_its_hint() {
    let fake = Fake::start();
    let orders = fake.base_url("orders");
    let admin = fake.base_url("admin");
    let (billing_resolve, billing) = fake.resolve_domain("billing");
    let ca = fake.ca();
    let cases: Vec<ForbiddenCase> = vec![
        // A wrong secret: the signature does not match.
        (
            "signature",
            (
                "AKIDEXAMPLE",
                "wrong-secret-key-wrong-secret-key-0000",
                None,
            ),
            vec![
                "--resolve".into(),
                fake.resolve("orders"),
                format!("{orders}/"),
            ],
            "InvalidSignatureException: The request signature we calculated",
            "secret key",
        ),
        // Ten minutes late.
        (
            "skew",
            (common::AKID, common::SECRET, None),
            vec![
                "--time".into(),
                "2001-01-01T00:00:00Z".into(),
                "--resolve".into(),
                fake.resolve("orders"),
                format!("{orders}/"),
            ],
            "InvalidSignatureException: Signature expired",
            "clock",
        ),
        // A proxy dropped the signed session token.
        (
            "incomplete",
            TEMP_KEYS,
            vec![
                "--drop-signed-header".into(),
                "x-amz-security-token".into(),
                "--resolve".into(),
                fake.resolve("orders"),
                format!("{orders}/"),
            ],
            "IncompleteSignatureException: 'x-amz-security-token' is named as a SignedHeader",
            "dropped",
        ),
        // Temporary keys without their token: missing token.
        (
            "token",
            (TEMP.0, TEMP.1, None),
            vec![
                "--resolve".into(),
                fake.resolve("orders"),
                format!("{orders}/"),
            ],
            "UnrecognizedClientException: The security token included in the request is invalid.",
            "session token",
        ),
        // The network refuses the outsider; billing refuses the reporting
        // user; its identity policy refuses POST; admin denies /secret.
        (
            "network",
            common::OUTSIDER_KEYS,
            vec![
                "--resolve".into(),
                fake.resolve("orders"),
                format!("{orders}/"),
            ],
            "because no network-based policy allows",
            "network's auth policy",
        ),
        (
            "service",
            (READER.0, READER.1, None),
            vec![
                "--region".into(),
                "us-west-2".into(),
                "--cacert".into(),
                ca.clone(),
                "--resolve".into(),
                billing_resolve.clone(),
                format!("{billing}/invoices"),
            ],
            "because no service-based policy allows",
            "service's auth policy",
        ),
        (
            "identity",
            (READER.0, READER.1, None),
            vec![
                "-X".into(),
                "POST".into(),
                "--resolve".into(),
                fake.resolve("orders"),
                format!("{orders}/"),
            ],
            "because no identity-based policy allows",
            "identity policy",
        ),
        (
            "explicit",
            (common::AKID, common::SECRET, None),
            vec![
                "--resolve".into(),
                fake.resolve("admin"),
                format!("{admin}/secret"),
            ],
            "with an explicit deny in a service-based policy",
            "lattice policy why",
        ),
    ];
    for (name, keys, args, line, hint) in cases {
        let mut argv = vec!["call"];
        argv.extend(args.iter().map(String::as_str));
        let out = run(lattice_as(keys, &argv), None);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let body = stdout(&out);
        assert!(body.contains(line), "{name}: {body}");
        let h = hint_of(&out);
        assert!(h.contains(hint), "{name}: {h}");
    }
}

/// `lattice ARGS` with the fake's `LATTICE_RESOLVE` and `AWS_CA_BUNDLE`
/// (from its ready line) in the environment, and nothing else to find it.
fn lattice_with_env(fake: &Fake, args: &[&str]) -> std::process::Command {
    let env = &fake.ready["env"];
    let mut cmd = lattice(args);
    cmd.env("LATTICE_RESOLVE", env["LATTICE_RESOLVE"].as_str().unwrap())
        .env("AWS_CA_BUNDLE", env["AWS_CA_BUNDLE"].as_str().unwrap());
    cmd
}

#[test]
fn lattice_resolve_and_aws_ca_bundle_alone_reach_a_generated_name() {
    let fake = Fake::start();
    // HTTPS on the generated name: the address and the CA come from the
    // environment only (`--resolve-only`: never the system's DNS).
    let url = format!("{}/invoices", fake.base_url("billing"));
    assert!(url.starts_with("https://"), "{url}");
    for via in ["reqwest", "hyper"] {
        let out = run(
            lattice_with_env(&fake, &["call", "--resolve-only", "--via", via, &url]),
            None,
        );
        assert!(out.status.success(), "{via}: {}", stderr(&out));
        assert!(
            header(&echo(&out), "authorization").contains("/us-west-2/vpc-lattice-svcs/"),
            "{via}"
        );
    }
    // Without the CA bundle the same call fails verification.
    let mut cmd = lattice_with_env(&fake, &["call", "--resolve-only", &url]);
    cmd.env_remove("AWS_CA_BUNDLE");
    let out = run(cmd, None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Without LATTICE_RESOLVE the name does not resolve.
    let mut cmd = lattice_with_env(&fake, &["call", "--resolve-only", &url]);
    cmd.env_remove("LATTICE_RESOLVE");
    let out = run(cmd, None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn a_bad_lattice_resolve_entry_exits_2_naming_it() {
    let fake = Fake::start();
    let mut cmd = lattice_with_env(&fake, &["call", &fake.base_url("billing")]);
    cmd.env("LATTICE_RESOLVE", "billing.localhost:443:::1");
    let out = run(cmd, None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let lines = error_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("`billing.localhost:443:::1`") && lines[0].contains("brackets"),
        "{lines:?}"
    );
}

#[test]
fn a_resolve_flag_wins_over_lattice_resolve() {
    let fake = Fake::start();
    let url = format!("{}/", fake.base_url("orders"));
    let name = fake.listener("orders")["dnsName"]
        .as_str()
        .unwrap()
        .to_owned();
    let port = url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    // The environment points the name at an address nothing listens on;
    // the flag points it at the fake.
    let mut cmd = lattice_with_env(
        &fake,
        &[
            "call",
            "--resolve-only",
            "--resolve",
            &fake.resolve("orders"),
            &url,
        ],
    );
    cmd.env("LATTICE_RESOLVE", format!("{name}:{port}:127.0.0.9"));
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
}
