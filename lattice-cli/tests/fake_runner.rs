//! Runs `lattice fake` on the committed `examples/fake/lattice.yaml`:
//! the ready line's shape, an anonymous 403 and signed 200s through real
//! clients, access-log records on stdout (or in `--access-log`), a clean
//! stop on SIGINT, and exit status 2 for a bad config.
//! (Ported from the tests of the former `fake` example, which the tool
//! replaces.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use lattice_client::Signer;
use lattice_client::reqwest::LatticeClient;
use lattice_client::resolve::Resolver;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;

const ORG_MEMBER: (&str, &str) = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
const ORG_MEMBER_ARN: &str =
    "arn:aws:sts::111122223333:assumed-role/orders-client/orders-client-session";
const READER: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
const ORDERS_ARN: &str = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
const CLIENT_VPC: &str = "vpc-0a1b2c3d4e5f60718";

/// The documented field names of a service access-log record (facts §5.1).
const ACCESS_LOG_FIELDS: [&str; 35] = [
    "callerPrincipalTags",
    "hostHeader",
    "sslCipher",
    "serviceNetworkArn",
    "resolvedUser",
    "authDeniedReason",
    "requestMethod",
    "targetGroupArn",
    "tlsVersion",
    "userAgent",
    "serverNameIndication",
    "destinationVpcId",
    "sourceIpPort",
    "targetIpPort",
    "serviceArn",
    "sourceVpcId",
    "requestPath",
    "startTime",
    "protocol",
    "responseCode",
    "bytesReceived",
    "bytesSent",
    "duration",
    "requestToTargetDuration",
    "responseFromTargetDuration",
    "grpcResponseCode",
    "requestId",
    "callerPrincipal",
    "callerX509SubjectCN",
    "callerX509IssuerOU",
    "callerX509SANNameCN",
    "callerX509SANDNS",
    "callerX509SANURI",
    "sourceVpcArn",
    "failureReason",
];

fn config_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fake/lattice.yaml")
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lattice"));
    cmd.arg("fake")
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// A running `fake` example: its ready line and the rest of its stdout.
struct Running {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: JoinHandle<String>,
    ready: Value,
}

impl Running {
    async fn start(args: &[&str]) -> Running {
        let started = Instant::now();
        let mut child = command(args).spawn().expect("the fake example runs");
        let mut stderr = child.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text).await;
            text
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        // The runner promises 2 s; a loaded debug build gets some slack.
        let line = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
            .await
            .expect("the ready line within 10 s")
            .unwrap()
            .expect("a ready line before stdout closes");
        eprintln!("ready line after {:?}", started.elapsed());
        let ready: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the ready line is not JSON ({e}): {line}"));
        assert!(!line.contains(": "), "not compact: {line}");
        // The documented key order: listeners first, each in ListenerInfo's order.
        assert!(line.starts_with(r#"{"listeners":[{"service":""#), "{line}");
        assert!(
            line.contains(r#"],"caPem":"#) && line.ends_with('}'),
            "{line}"
        );
        Running {
            child,
            stdout,
            stderr,
            ready,
        }
    }

    /// The next stdout line, as JSON.
    async fn next_record(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(10), self.stdout.next_line())
            .await
            .expect("an access-log record within 10 s")
            .unwrap()
            .expect("a record before stdout closes");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }

    fn listener(&self, service: &str) -> &Value {
        self.ready["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["service"] == service)
            .unwrap_or_else(|| panic!("no listener of {service}: {}", self.ready))
    }

    /// Ctrl-C (SIGINT); the exit status, the rest of stdout and stderr.
    async fn stop(mut self) -> (ExitStatus, Vec<String>, String) {
        interrupt(&mut self.child).await;
        let status = tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .expect("the fake stops within 15 s of SIGINT")
            .unwrap();
        let mut rest = Vec::new();
        while let Some(line) = self.stdout.next_line().await.unwrap() {
            rest.push(line);
        }
        (status, rest, self.stderr.await.unwrap())
    }
}

#[cfg(unix)]
async fn interrupt(child: &mut Child) {
    let pid = child.id().expect("still running").to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(status.success());
}

#[cfg(not(unix))]
async fn interrupt(child: &mut Child) {
    child.start_kill().unwrap();
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

/// A client of the fake for `(access key, secret)`: names resolve to
/// loopback only; the fake's CA is the only root.
fn signed_client(running: &Running, (akid, secret): (&str, &str)) -> LatticeClient {
    let mut resolver = Resolver::new().without_system_fallback();
    for l in running.ready["listeners"].as_array().unwrap() {
        resolver = resolver
            .with_override(
                l["dnsName"].as_str().unwrap(),
                [IpAddr::V4(Ipv4Addr::LOCALHOST)],
            )
            .unwrap();
    }
    let signer = Signer::builder()
        .credentials(Credentials::new(akid, secret, None, None, "fake-test"))
        .region("us-west-2")
        .build()
        .unwrap();
    let pem = std::fs::read(running.ready["caPem"].as_str().unwrap()).unwrap();
    LatticeClient::builder(signer)
        .resolver(resolver)
        .platform_roots(false)
        .add_root_certificates_pem(pem)
        .no_proxy()
        .build()
        .unwrap()
}

/// A plain, unsigned reqwest client that resolves `listener`'s name to its
/// loopback address.
fn anonymous_client(listener: &Value) -> reqwest::Client {
    let address: SocketAddr = listener["address"].as_str().unwrap().parse().unwrap();
    reqwest::Client::builder()
        .no_proxy()
        .resolve(listener["dnsName"].as_str().unwrap(), address)
        .build()
        .unwrap()
}

fn check_ready_line(ready: &Value) {
    assert_eq!(keys(ready), ["caPem", "env", "listeners"], "{ready}");
    let listeners = ready["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 2, "{ready}");
    for l in listeners {
        assert_eq!(
            keys(l),
            [
                "address",
                "baseUrl",
                "customDomain",
                "dnsName",
                "localUrl",
                "port",
                "protocol",
                "service"
            ],
            "{l}"
        );
        let service = l["service"].as_str().unwrap();
        let dns = l["dnsName"].as_str().unwrap();
        // <name>-<svc id>.<7 hex>.vpc-lattice-svcs.<region>.on.aws
        let labels: Vec<&str> = dns.split('.').collect();
        assert_eq!(labels.len(), 6, "{dns}");
        assert!(labels[0].starts_with(&format!("{service}-")), "{dns}");
        let id = &labels[0][service.len() + 1..];
        assert_eq!(id.len(), 17, "{dns}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{dns}");
        assert_eq!(labels[1].len(), 7, "{dns}");
        assert_eq!(&labels[2..], ["vpc-lattice-svcs", "us-west-2", "on", "aws"]);
        let address: SocketAddr = l["address"].as_str().unwrap().parse().unwrap();
        assert_eq!(address.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_ne!(address.port(), 0);
        let scheme = match l["protocol"].as_str().unwrap() {
            "HTTP" => "http",
            "HTTPS" => "https",
            other => panic!("protocol {other}"),
        };
        assert_eq!(
            l["baseUrl"],
            format!("{scheme}://{dns}:{}", address.port()),
            "{l}"
        );
    }
    let orders = &listeners[0];
    assert_eq!(orders["service"], "orders");
    assert_eq!(orders["protocol"], "HTTP");
    assert_eq!(orders["port"], 80);
    assert_eq!(orders["customDomain"], Value::Null);
    assert!(
        orders["dnsName"]
            .as_str()
            .unwrap()
            .starts_with("orders-0123456789abcdef0."),
        "the explicit id names it: {orders}"
    );
    let billing = &listeners[1];
    assert_eq!(billing["service"], "billing");
    assert_eq!(billing["protocol"], "HTTPS");
    assert_eq!(billing["port"], 443);
    assert_eq!(billing["customDomain"], "billing.example.internal");

    let pem_path = ready["caPem"].as_str().expect("caPem is a path");
    let pem = std::fs::read_to_string(pem_path).expect("the CA PEM file exists");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert!(
        pem.trim_end().ends_with("-----END CERTIFICATE-----"),
        "{pem}"
    );
    assert!(
        !pem.contains("PRIVATE KEY"),
        "the CA key never leaves memory"
    );
}

fn check_record_fields(record: &Value) {
    for field in ACCESS_LOG_FIELDS {
        assert!(record.get(field).is_some(), "no {field}: {record}");
    }
}

#[tokio::test]
async fn runs_the_committed_config_end_to_end() {
    let config = config_file();
    let mut fake = Running::start(&["--config", config.to_str().unwrap()]).await;
    check_ready_line(&fake.ready);
    let orders = fake.listener("orders").clone();
    let orders_url = orders["baseUrl"].as_str().unwrap().to_owned();
    let orders_dns = orders["dnsName"].as_str().unwrap().to_owned();
    let orders_port = orders["address"]
        .as_str()
        .unwrap()
        .parse::<SocketAddr>()
        .unwrap()
        .port();

    // 1. Anonymous: the network policy admits signed callers only.
    let response = anonymous_client(&orders)
        .get(format!("{orders_url}/api/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body = response.text().await.unwrap();
    assert_eq!(
        body.lines().next().unwrap(),
        format!(
            "AccessDeniedException: User: anonymous is not authorized to perform: \
             vpc-lattice-svcs:Invoke on resource: {ORDERS_ARN}/api/orders because no \
             network-based policy allows the vpc-lattice-svcs:Invoke action"
        )
    );
    let record = fake.next_record().await;
    check_record_fields(&record);
    assert_eq!(record["responseCode"], 403, "{record}");
    assert_eq!(record["authDeniedReason"], "Network", "{record}");
    assert_eq!(record["failureReason"], "ClientAccessDenied", "{record}");
    assert_eq!(record["resolvedUser"], "Anonymous", "{record}");
    assert_eq!(record["requestMethod"], "GET");
    assert_eq!(record["requestPath"], "/api/orders");
    assert_eq!(record["hostHeader"], format!("{orders_dns}:{orders_port}"));
    assert_eq!(record["serviceArn"], ORDERS_ARN);
    assert_eq!(record["sourceVpcId"], CLIENT_VPC);
    assert_eq!(record["targetIpPort"], "-");

    // 2. Signed by the org member: allowed, routed to an echo target, which
    //    sees Lattice's identity headers.
    let member = signed_client(&fake, ORG_MEMBER);
    let response = member
        .get(format!("{orders_url}/api/orders?id=7"))
        .header("x-api-version", "v2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let echo: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(echo["path"], "/api/orders");
    assert_eq!(echo["query"], "id=7");
    assert_eq!(echo["headers"]["x-amzn-source-vpc"][0], CLIENT_VPC);
    assert_eq!(echo["headers"]["x-forwarded-port"][0], "80");
    let identity = echo["headers"]["x-amzn-lattice-identity"][0]
        .as_str()
        .unwrap();
    assert!(identity.contains(ORG_MEMBER_ARN), "{identity}");
    let record = fake.next_record().await;
    check_record_fields(&record);
    assert_eq!(record["responseCode"], 200, "{record}");
    assert_eq!(record["resolvedUser"], ORG_MEMBER_ARN, "{record}");
    assert_eq!(record["authDeniedReason"], "-", "{record}");
    assert_eq!(record["failureReason"], "-", "{record}");
    assert!(
        record["targetGroupArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-"),
        "{record}"
    );

    // 3. The fixed-response rule.
    let response = member
        .get(format!("{orders_url}/internal/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(fake.next_record().await["responseCode"], 404);

    // 4. HTTPS with the CA from caPem: billing admits the organization only.
    let billing_url = fake.listener("billing")["baseUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = member
        .post(format!("{billing_url}/invoices"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // `/invoices` goes to the LAMBDA group's echo function: the V2 event.
    let event: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(event["version"], "2.0", "{event}");
    assert_eq!(event["path"], "/invoices", "{event}");
    assert!(
        event["requestContext"]["identity"]["principal"].is_string(),
        "{event}"
    );
    let record = fake.next_record().await;
    assert_eq!(record["responseCode"], 200, "{record}");
    assert_eq!(record["requestMethod"], "POST");
    assert!(
        record["tlsVersion"].as_str().unwrap().starts_with("TLSv1."),
        "{record}"
    );

    // 5. The reporting user: GET on orders only (its identity policy).
    let reader = signed_client(&fake, READER);
    let response = reader
        .get(format!("{orders_url}/api/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(fake.next_record().await["responseCode"], 200);
    let response = reader
        .get(format!("{billing_url}/invoices"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let record = fake.next_record().await;
    assert_eq!(record["responseCode"], 403, "{record}");
    assert_eq!(record["failureReason"], "ClientAccessDenied", "{record}");
    assert_eq!(
        record["resolvedUser"], "arn:aws:iam::111122223333:user/reporting",
        "{record}"
    );

    // Ctrl-C: exit 0, nothing more on stdout, the CA file removed.
    let pem_path = PathBuf::from(fake.ready["caPem"].as_str().unwrap());
    let (status, rest, stderr) = fake.stop().await;
    assert!(status.success(), "{status}: {stderr}");
    assert!(rest.is_empty(), "{rest:?}");
    assert!(!pem_path.exists(), "{} is left behind", pem_path.display());
    assert!(stderr.contains("ready"), "{stderr}");
    // The metrics line on exit, with CloudWatch's names.
    let metrics = stderr
        .lines()
        .find_map(|l| l.strip_prefix("fake: metrics "))
        .unwrap_or_else(|| panic!("no metrics line: {stderr}"));
    let metrics: serde_json::Value = serde_json::from_str(metrics).unwrap();
    let orders = &metrics["services"]["orders"];
    assert!(
        orders["TotalRequestCount"].as_u64().unwrap() >= 3,
        "{metrics}"
    );
    assert!(
        orders["HTTPCode_Target_2XX_Count"].as_u64().unwrap() >= 1,
        "{metrics}"
    );
    assert!(
        metrics["targetGroups"]["billing-fn"]["TotalRequestCount"]
            .as_u64()
            .unwrap()
            >= 1,
        "{metrics}"
    );
}

#[tokio::test]
async fn access_log_flag_sends_records_to_the_file() {
    let dir = std::env::temp_dir().join(format!("lattice-fake-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("access.log");
    let _ = std::fs::remove_file(&log);
    let config = config_file();
    let fake = Running::start(&[
        "--config",
        config.to_str().unwrap(),
        "--access-log",
        log.to_str().unwrap(),
    ])
    .await;
    let orders = fake.listener("orders").clone();
    for path in ["/a", "/b"] {
        let response = anonymous_client(&orders)
            .get(format!("{}{path}", orders["baseUrl"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
    }
    let (status, rest, stderr) = fake.stop().await;
    assert!(status.success(), "{status}: {stderr}");
    assert!(rest.is_empty(), "stdout has only the ready line: {rest:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    for (record, path) in records.iter().zip(["/a", "/b"]) {
        check_record_fields(record);
        assert_eq!(record["requestPath"], path);
        assert_eq!(record["responseCode"], 403);
        assert_eq!(record["authDeniedReason"], "Network");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_bad_config_is_one_line_on_stderr_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("lattice-fake-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "unknown.yaml",
            "services:\n  - name: orders\n    listeners:\n      - protocol: HTTP\n        prot: 80\n",
            "unknown field `prot`",
        ),
        (
            "lambda.yaml",
            "targetGroups:\n  - {name: fn, type: LAMBDA, fake: {target: {upstream: \"127.0.0.1:9\"}}}\n",
            "not a Lambda function",
        ),
        (
            "build.json",
            r#"{"services": [{"name": "Orders"}]}"#,
            "Orders",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = command(&["--config", path.to_str().unwrap()])
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with("lattice fake: "), "{name}: {stderr}");
        assert!(stderr.contains(path.to_str().unwrap()), "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
    }
    let out = command(&[]).output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
