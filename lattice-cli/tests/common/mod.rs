//! Shared helpers: the built `lattice` binary with a clean environment, and
//! a `lattice fake` child process on the test fixture.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

use serde_json::Value;

pub(crate) const AKID: &str = "AKIDEXAMPLE";
pub(crate) const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub(crate) const READER: (&str, &str) = (
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
);
pub(crate) const OUTSIDER_KEYS: (&str, &str, Option<&str>) = (
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    None,
);
pub(crate) const TEMP: (&str, &str, &str) = (
    "ASIAEXAMPLETEMPORARY",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLETEMP",
    "FQoGZXIvYXdzEXAMPLESESSIONTOKEN",
);

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `lattice ARGS` with static example keys and nothing else from the
/// environment (no profile, no IMDS, no region).
pub(crate) fn lattice(args: &[&str]) -> Command {
    lattice_as((AKID, SECRET, None), args)
}

pub(crate) fn lattice_as(keys: (&str, &str, Option<&str>), args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lattice"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", keys.0)
        .env("AWS_SECRET_ACCESS_KEY", keys.1)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(Stdio::null());
    if let Some(token) = keys.2 {
        cmd.env("AWS_SESSION_TOKEN", token);
    }
    cmd
}

/// Runs it, feeding `stdin`.
pub(crate) fn run(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the lattice binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr without `tracing` warnings (the plain-http warning).
pub(crate) fn error_lines(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter(|l| !l.trim_start().starts_with("WARN"))
        .map(str::to_owned)
        .collect()
}

/// A running `lattice fake --config tests/fixtures/fake.yaml`.
pub(crate) struct Fake {
    child: Child,
    pub(crate) stdout: BufReader<ChildStdout>,
    pub(crate) ready: Value,
    /// The ready line as printed.
    pub(crate) line: String,
}

/// `lattice fake --config tests/fixtures/fake.yaml EXTRA…`, started: the
/// child, its stdout after the ready line, the line and its JSON.
pub(crate) fn spawn_fake(extra: &[&str]) -> (Child, BufReader<ChildStdout>, String, Value) {
    let config = fixture("fake.yaml");
    let mut args = vec!["fake", "--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    let mut child = lattice(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("lattice fake runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the ready line");
    let ready: Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("the ready line is not JSON ({e}): {line}"));
    (child, stdout, line, ready)
}

impl Fake {
    pub(crate) fn start() -> Fake {
        let (child, stdout, line, ready) = spawn_fake(&[]);
        Fake {
            child,
            stdout,
            ready,
            line,
        }
    }

    /// The fake's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn listener(&self, service: &str) -> &Value {
        self.ready["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["service"] == service)
            .unwrap_or_else(|| panic!("no listener of {service}: {}", self.ready))
    }

    pub(crate) fn base_url(&self, service: &str) -> String {
        self.listener(service)["baseUrl"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `--resolve NAME:PORT:127.0.0.1` for a service's generated name.
    pub(crate) fn resolve(&self, service: &str) -> String {
        let l = self.listener(service);
        let port = l["address"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned();
        format!("{}:{port}:127.0.0.1", l["dnsName"].as_str().unwrap())
    }

    /// The same for the custom domain.
    pub(crate) fn resolve_domain(&self, service: &str) -> (String, String) {
        let l = self.listener(service);
        let port = l["address"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned();
        let domain = l["customDomain"].as_str().unwrap().to_owned();
        (
            format!("{domain}:{port}:127.0.0.1"),
            format!("https://{domain}:{port}"),
        )
    }

    pub(crate) fn ca(&self) -> String {
        self.ready["caPem"].as_str().unwrap().to_owned()
    }

    /// SIGINT, then the exit status.
    pub(crate) fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        self.child.wait().unwrap()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
