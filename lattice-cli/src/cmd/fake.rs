//! `lattice fake`: a fake VPC Lattice from a config file, in the foreground.
//!
//! Every use of the fake's API (`lattice-fake`) in the tool goes through
//! this module.
//!
//! The first line on stdout, written as soon as every listener is bound, is
//! one compact JSON object: `{"listeners":[{"service","dnsName",
//! "customDomain","protocol","port","address","baseUrl","localUrl"}…],
//! "caPem":PATH,"env":{"LATTICE_RESOLVE","AWS_CA_BUNDLE","AWS_REGION"},
//! "gateway":"127.0.0.1:P"}` (`gateway` only with `--gateway`),
//! the CA file being removed on exit (`null` without HTTPS listeners). The
//! CA file gets a random name in the temporary directory, is created
//! exclusively (`O_EXCL`: a planted file or symlink is never followed) and
//! is readable by its owner only (mode 0600).
//! After it, stdout carries only access-log records, one JSON object per
//! line (unless `--access-log` sends them to a file); diagnostics go to
//! stderr. Ctrl-C (or SIGTERM) stops it: the metrics are printed to stderr
//! as one `fake: metrics {…}` line, in-flight requests finish, the service
//! map is written to `--map-out` if given, exit status 0 (1 when the map
//! cannot be written).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;

use clap::Args;
pub(crate) use lattice_fake::{FakeError, FakeHandle, FakeLattice};

use crate::error::{CliError, CliResult, ResultExt};

/// Run a fake VPC Lattice from a YAML or JSON model, in the foreground.
///
/// Point any client at a `localUrl` of the ready line
/// (`http://<service>.localhost:PORT`; curl and `lattice call` resolve
/// `*.localhost` to loopback themselves), or at a `baseUrl` with its name
/// resolved to 127.0.0.1 (`curl --resolve NAME:PORT:127.0.0.1 …`). The
/// admin API answers under `/_fake/` on every port (health, access-log,
/// ca.pem, env, metrics, map, auth policies, reset). With `--gateway`, one
/// more port serves every service, plaintext and TLS alike, routed by
/// `Host`. A bad config or a failed start is one line on stderr and exit
/// status 2.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice fake --config examples/fake/lattice.yaml
  lattice fake --config lattice.yaml --gateway 127.0.0.1:4566
  lattice fake --config lattice.yaml --bind 0.0.0.0 --gateway 0.0.0.0:4566 --explain
  lattice fake --config lattice.yaml --access-log access.log")]
pub(crate) struct FakeArgs {
    /// The model: YAML or JSON (see examples/fake/lattice.yaml).
    /// Example: `--config examples/fake/lattice.yaml`.
    #[arg(short = 'c', long, value_name = "FILE")]
    config: PathBuf,

    /// Append access-log records to PATH instead of stdout.
    /// Example: `--access-log access.log`.
    #[arg(long, value_name = "PATH")]
    access_log: Option<PathBuf>,

    /// Also serve every service on ADDR (`IP:PORT`, or a port alone on the
    /// `--bind` address; port 0 picks one): plaintext and TLS on one port,
    /// each request routed by its Host to its service's listener of that
    /// protocol. Example: `--gateway 127.0.0.1:4566`.
    #[arg(long, value_name = "ADDR")]
    gateway: Option<String>,

    /// The address the listeners bind (default 127.0.0.1). A non-loopback
    /// address exposes the fake to the network (a warning is printed).
    /// Example: `--bind 0.0.0.0` in a container.
    #[arg(long, value_name = "IP")]
    bind: Option<IpAddr>,

    /// Explain a refused signature: below Lattice's 403 line, the body
    /// shows the canonical request the fake computed, the string to sign
    /// and the signed headers (the session token redacted).
    /// Example: `--explain`.
    #[arg(long)]
    explain: bool,

    /// On exit, write the service map of the traffic seen (SVG, as
    /// `GET /_fake/map.svg`) to FILE, for example as a CI artefact.
    /// Example: `--map-out map.svg`.
    #[arg(long, value_name = "FILE")]
    map_out: Option<PathBuf>,
}

/// `--gateway`: `IP:PORT`, `[IPv6]:PORT`, or a port alone on `bind`.
fn gateway_addr(value: &str, bind: IpAddr) -> CliResult<SocketAddr> {
    if let Ok(port) = value.parse::<u16>() {
        return Ok(SocketAddr::new(bind, port));
    }
    value.parse::<SocketAddr>().map_err(|_| {
        CliError::usage(format!(
            "--gateway `{value}` is not IP:PORT or a port; write e.g. `127.0.0.1:4566`, `0.0.0.0:4566` or `4566`"
        ))
    })
}

/// What the access-log writer thread receives.
enum Log {
    Line(String),
    Stop,
}

/// Writes the CA to a new file with a random name (`O_EXCL`, mode 0600 on
/// Unix), removed when the returned value is dropped.
fn write_ca_file(pem: &str) -> CliResult<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("lattice-fake-")
        .suffix("-ca.pem")
        .tempfile()
        .usage_ctx(|| "cannot create a file for the CA in the temporary directory".to_owned())?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.flush())
        .usage_ctx(|| format!("cannot write the CA to {}", file.path().display()))?;
    Ok(file)
}

/// Loads a config file; the error names the file.
pub(crate) fn load(config: &std::path::Path) -> CliResult<FakeLattice> {
    FakeLattice::from_config_file(config).map_err(|e| match e {
        // Already names the file.
        FakeError::Config { .. } => CliError::config(&e),
        other => CliError::config(&other).context(format!("config file {}", config.display())),
    })
}

/// Runs `lattice fake`.
pub(crate) async fn run(args: FakeArgs) -> CliResult<ExitCode> {
    let mut fake = load(&args.config)?;
    let bind = args
        .bind
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    // A non-loopback address is warned about by the library (on stderr,
    // through the tool's log output).
    fake = fake.bind(bind).explain_signature_failures(args.explain);
    if let Some(value) = &args.gateway {
        let addr = gateway_addr(value, bind)?;
        fake = fake.gateway(addr);
    }
    // Records go through a channel to a writer thread, so a slow reader of
    // stdout never stalls the fake, and nothing precedes the ready line.
    let mut sink: Box<dyn Write + Send> = match &args.access_log {
        Some(path) => Box::new(BufWriter::new(
            File::options()
                .create(true)
                .append(true)
                .open(path)
                .usage_ctx(|| format!("cannot open --access-log `{}`", path.display()))?,
        )),
        None => Box::new(std::io::stdout()),
    };
    let (tx, rx) = mpsc::channel::<Log>();
    let hook_tx = tx.clone();
    let handle = fake
        .on_access_log(move |record| {
            let _ = hook_tx.send(Log::Line(record.to_json()));
        })
        .start()
        .await
        .usage_ctx(|| "cannot start the fake".to_owned())?;

    let ca_file = match handle.ca_pem() {
        Some(pem) => Some(write_ca_file(pem)?),
        None => None,
    };
    if let Some(file) = &ca_file {
        handle.set_ca_bundle_path(file.path().display().to_string());
    }
    let stop = Stop::install()?;
    let ready = ready_line(
        &handle,
        ca_file.as_ref().map(|f| f.path().display().to_string()),
    )?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{ready}")
            .and_then(|()| out.flush())
            .usage_ctx(|| "cannot write the ready line".to_owned())?;
    }

    let writer = std::thread::spawn(move || {
        let mut broken = false;
        for message in rx {
            let Log::Line(line) = message else { break };
            if broken {
                continue;
            }
            if let Err(e) = writeln!(sink, "{line}").and_then(|()| sink.flush()) {
                eprintln!("fake: cannot write access-log records ({e}); dropping them");
                broken = true;
            }
        }
    });

    if let Some(addr) = handle.gateway() {
        eprintln!("fake: gateway on {addr} (every service, HTTP and HTTPS, by Host)");
    }
    for l in handle.listeners() {
        eprintln!(
            "fake: {} {}:{} on {} ({})",
            l.service, l.protocol, l.port, l.address, l.base_url
        );
    }
    eprintln!("fake: ready; Ctrl-C stops");

    stop.wait().await;
    eprintln!("fake: stopping");
    // The metrics, with CloudWatch's names, as one JSON object on stderr.
    match serde_json::to_string(&handle.metrics()) {
        Ok(metrics) => eprintln!("fake: metrics {metrics}"),
        Err(e) => eprintln!("fake: cannot render the metrics ({e})"),
    }
    let map = handle.service_map();
    handle.shutdown().await;
    let mut code = ExitCode::SUCCESS;
    if let Some(path) = &args.map_out {
        match std::fs::write(path, map.svg()) {
            Ok(()) => eprintln!("fake: service map written to {}", path.display()),
            Err(e) => {
                eprintln!("fake: cannot write --map-out `{}` ({e})", path.display());
                code = ExitCode::FAILURE;
            }
        }
    }
    let _ = tx.send(Log::Stop);
    if writer.join().is_err() {
        eprintln!("fake: the access-log writer panicked");
    }
    drop(ca_file);
    Ok(code)
}

/// The ready line, written by hand to keep the documented key order
/// (`listeners` first; each listener's fields in `ListenerInfo`'s order).
pub(crate) fn ready_line(handle: &FakeHandle, ca_pem: Option<String>) -> CliResult<String> {
    let listeners = serde_json::to_string(handle.listeners())
        .map_err(|e| CliError::usage(format!("cannot render the listeners: {e}")))?;
    let ca = serde_json::to_string(&ca_pem)
        .map_err(|e| CliError::usage(format!("cannot render the CA path: {e}")))?;
    let env = serde_json::to_string(&handle.env())
        .map_err(|e| CliError::usage(format!("cannot render the environment: {e}")))?;
    // `gateway` only when there is one: the line's keys stay as they were
    // without `--gateway`.
    let gateway = match handle.gateway() {
        Some(addr) => format!(",\"gateway\":\"{addr}\""),
        None => String::new(),
    };
    Ok(format!(
        "{{\"listeners\":{listeners},\"caPem\":{ca},\"env\":{env}{gateway}}}"
    ))
}

/// Ctrl-C and SIGTERM, listened for before the ready line is written, so a
/// signal sent as soon as the ready line is read is never missed.
#[cfg(unix)]
struct Stop {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Stop {
    fn install() -> CliResult<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Stop {
            interrupt: signal(SignalKind::interrupt())
                .usage_ctx(|| "cannot listen for Ctrl-C".to_owned())?,
            terminate: signal(SignalKind::terminate())
                .usage_ctx(|| "cannot listen for SIGTERM".to_owned())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}

#[cfg(not(unix))]
struct Stop;

#[cfg(not(unix))]
impl Stop {
    fn install() -> CliResult<Self> {
        Ok(Stop)
    }

    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
