//! `fake`: a fake VPC Lattice from a config file, in the foreground.
//!
//! ```text
//! cargo run --example fake -- --config FILE [--access-log PATH]
//!
//!   --config FILE       the model: YAML or JSON (see examples/fake/lattice.yaml)
//!   --access-log PATH   append access-log records to PATH instead of stdout
//! ```
//!
//! The first line on stdout, written as soon as every listener is bound, is
//! one compact JSON object:
//!
//! ```text
//! {"listeners":[{"service":"orders","dnsName":"orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
//!   "customDomain":null,"protocol":"HTTP","port":80,"address":"127.0.0.1:40123",
//!   "baseUrl":"http://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws:40123"}],
//!  "caPem":"/tmp/lattice-fake-4242-ca.pem"}
//! ```
//!
//! (on one line): one flat object per listener, and the path of the PEM file
//! holding the CA that issued the HTTPS listeners' certificates (`null`
//! without HTTPS listeners; the file is removed on exit). After it, stdout
//! carries only access-log records, one JSON object per line (unless
//! `--access-log` sends them to a file); diagnostics go to stderr. Point any
//! client at a `baseUrl` with its name resolved to 127.0.0.1, e.g.
//!
//! ```text
//! curl --resolve NAME:PORT:127.0.0.1 --aws-sigv4 aws:amz:us-west-2:vpc-lattice-svcs \
//!      --user AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
//!      -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' BASE_URL/api/orders
//! ```
//!
//! Ctrl-C (or SIGTERM) stops it: the metrics (CloudWatch names, per service
//! and target group) are printed to stderr as one `fake: metrics {…}` line,
//! in-flight requests finish, exit status 0.
//! A bad config or a failed start is one line on stderr and exit status 2.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;

use anyhow::{Context, anyhow, bail};
use lattice_fake::{FakeError, FakeLattice};

#[derive(Debug, Default)]
struct Args {
    config: Option<PathBuf>,
    access_log: Option<PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next().ok_or_else(|| anyhow!("{flag} needs a value"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-c" | "--config" => args.config = Some(value(&mut it, &arg)?.into()),
            "--access-log" => args.access_log = Some(value(&mut it, &arg)?.into()),
            "-h" | "--help" => {
                println!("usage: fake --config FILE [--access-log PATH]");
                std::process::exit(0);
            }
            s if s.starts_with('-') => bail!("unknown option `{s}`; see --help"),
            s => bail!("unexpected argument `{s}`; see --help"),
        }
    }
    if args.config.is_none() {
        bail!("no config given: use --config FILE (e.g. examples/fake/lattice.yaml)");
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow!(e)),
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    // Exactly one line: the chain of causes joined.
    let line = format!("{e:#}").replace('\n', " ");
    let _ = writeln!(std::io::stderr(), "fake: {line}");
    ExitCode::from(2)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .compact()
        .try_init();
}

/// What the access-log writer thread receives.
enum Log {
    Line(String),
    Stop,
}

/// A file removed when dropped (the CA PEM).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let config = args.config.context("no config given")?;
    let fake = FakeLattice::from_config_file(&config).map_err(|e| match e {
        // Already names the file.
        FakeError::Config { .. } => anyhow!(e),
        other => anyhow!(other).context(format!("config file {}", config.display())),
    })?;

    // Records go through a channel to a writer thread, so a slow reader of
    // stdout never stalls the fake, and nothing precedes the ready line.
    let mut sink: Box<dyn Write + Send> = match &args.access_log {
        Some(path) => Box::new(BufWriter::new(
            File::options()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open --access-log `{}`", path.display()))?,
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
        .context("cannot start the fake")?;

    let ca_file = match handle.ca_pem() {
        Some(pem) => {
            let path =
                std::env::temp_dir().join(format!("lattice-fake-{}-ca.pem", std::process::id()));
            std::fs::write(&path, pem)
                .with_context(|| format!("cannot write the CA to {}", path.display()))?;
            Some(TempFile(path))
        }
        None => None,
    };
    // Written by hand to keep the documented key order (`listeners` first;
    // each listener's fields in `ListenerInfo`'s order).
    let ready = format!(
        "{{\"listeners\":{},\"caPem\":{}}}",
        serde_json::to_string(handle.listeners())?,
        serde_json::to_string(&ca_file.as_ref().map(|f| f.0.display().to_string()))?,
    );
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{ready}")?;
        out.flush()?;
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

    for l in handle.listeners() {
        eprintln!(
            "fake: {} {}:{} on {} ({})",
            l.service, l.protocol, l.port, l.address, l.base_url
        );
    }
    eprintln!("fake: ready; Ctrl-C stops");

    wait_for_stop().await?;
    eprintln!("fake: stopping");
    // The metrics, with CloudWatch's names, as one JSON object on stderr.
    match serde_json::to_string(&handle.metrics()) {
        Ok(metrics) => eprintln!("fake: metrics {metrics}"),
        Err(e) => eprintln!("fake: cannot render the metrics ({e})"),
    }
    handle.shutdown().await;
    let _ = tx.send(Log::Stop);
    if writer.join().is_err() {
        eprintln!("fake: the access-log writer panicked");
    }
    drop(ca_file);
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C"),
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_stop() -> anyhow::Result<()> {
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")
}
