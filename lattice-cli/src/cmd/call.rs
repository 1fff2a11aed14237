//! `lattice call`: one signed request, curl-style.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use clap::Args;
use futures_util::TryStreamExt;
use lattice_client::env::EnvConfig;
use lattice_client::hint;
use lattice_client::resolve::Resolver;
use lattice_client::tls::TlsOptions;
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use crate::error::{CliError, CliResult, ResultExt, hint_line};
use crate::request::{self, ConnectArgs, Head, SigningArgs};
use crate::transport::{BodyStream, Client, ClientSetup, Response, Upload, Via};
use crate::{time_arg, verbose};

/// Uploads at least this large show a progress bar on a terminal.
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;
/// How much of an error body is kept for the error line and the hint.
const ERROR_PREFIX_BYTES: usize = 4096;

/// Send one signed request to a VPC Lattice service (awscurl for Lattice).
///
/// The body goes to stdout (or `-o`). Exit status 0 for a 2xx answer, 1 for
/// any other answer or a failed call (with a `hint:` line on stderr when the
/// cause is known), 2 for a usage or configuration error.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice call https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders
  lattice call -v -X POST -H 'content-type: application/json' -d @order.json URL
  lattice call --region eu-central-1 https://orders.example.internal/orders
  lattice call --resolve NAME:8080:127.0.0.1 --cacert ca.pem https://NAME:8080/
  LATTICE_RESOLVE=NAME:8443:127.0.0.1 AWS_CA_BUNDLE=ca.pem lattice call https://NAME:8443/

Environment: LATTICE_RESOLVE (curl --resolve entries, separated by spaces or
`;`; a --resolve flag for the same host and port wins) and AWS_CA_BUNDLE (a
PEM bundle trusted instead of the platform's roots; --cacert adds to it).")]
pub(crate) struct CallArgs {
    /// The URL to call. Example: `https://orders.example.internal/orders?id=7`.
    pub(crate) url: String,

    /// The request method (default GET, or POST with a body).
    /// Example: `-X PUT`.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub(crate) method: Option<String>,

    /// Add a header (repeatable). Example: `-H 'content-type: application/json'`.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = request::parse_header)]
    pub(crate) headers: Vec<(String, String)>,

    /// The body: literal text, `@FILE` (its bytes unchanged, streamed) or
    /// `@-` (stdin, streamed). Example: `-d '{"id":7}'` or `-d @order.json`.
    #[arg(short = 'd', long = "data", value_name = "DATA", group = "body")]
    pub(crate) data: Option<String>,

    /// The same as `-d` (bytes are never altered, unlike curl's `-d`).
    /// Example: `--data-binary @image.png`.
    #[arg(long = "data-binary", value_name = "DATA", group = "body")]
    pub(crate) data_binary: Option<String>,

    /// Stream a file as the body (`content-length` = its size); `-` streams
    /// stdin (chunked). Example: `--data-file big.tar`.
    #[arg(long = "data-file", value_name = "PATH", group = "body")]
    pub(crate) data_file: Option<String>,

    /// The HTTP client. Example: `--via hyper`.
    #[arg(long, value_enum, default_value = "reqwest")]
    pub(crate) via: Via,

    #[command(flatten)]
    pub(crate) signing: SigningArgs,

    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// Follow redirects to hosts the signer may sign for, signing each hop
    /// again (reqwest only). Example: `-L`.
    #[arg(short = 'L', long = "location")]
    pub(crate) location: bool,

    /// Print the status line and the response headers before the body.
    /// Example: `-i`.
    #[arg(short = 'i', long = "include")]
    pub(crate) include: bool,

    /// Print to stderr what was signed (canonical request, string to sign,
    /// headers; secrets redacted), where it went and what came back.
    /// Example: `-v`.
    #[arg(short = 'v', long = "verbose")]
    pub(crate) verbose: bool,

    /// Write the body to FILE instead of stdout. Example: `-o out.json`.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// No progress bar. Example: `-s`.
    #[arg(short = 's', long = "silent")]
    pub(crate) silent: bool,

    /// On a non-2xx answer print no body, only an error line (exit status
    /// is 1 either way). Example: `-f`.
    #[arg(short = 'f', long = "fail")]
    pub(crate) fail: bool,

    /// Give up after this many seconds in total. Example: `-m 30`.
    #[arg(short = 'm', long = "max-time", value_name = "SECONDS", value_parser = request::parse_seconds)]
    pub(crate) max_time: Option<Duration>,

    /// Sign at this time instead of now (tests; see `lattice sign --time`).
    #[arg(long, hide = true, value_parser = time_arg::parse)]
    pub(crate) time: Option<SystemTime>,

    /// Remove this header after signing, as a proxy that strips it would
    /// (tests; reproduces `IncompleteSignatureException`).
    #[arg(long, hide = true, value_name = "NAME")]
    pub(crate) drop_signed_header: Vec<String>,
}

/// Where the body comes from.
enum Data {
    Literal(Bytes),
    File(PathBuf),
    Stdin,
}

impl CallArgs {
    fn data(&self) -> Option<Data> {
        if let Some(d) = self.data.as_ref().or(self.data_binary.as_ref()) {
            return Some(match d.strip_prefix('@') {
                Some("-") => Data::Stdin,
                Some(path) => Data::File(PathBuf::from(path)),
                None => Data::Literal(Bytes::from(d.clone())),
            });
        }
        self.data_file.as_ref().map(|p| match p.as_str() {
            "-" => Data::Stdin,
            path => Data::File(PathBuf::from(path)),
        })
    }
}

/// Runs `lattice call`.
pub(crate) async fn run(args: CallArgs, quiet: bool) -> CliResult<ExitCode> {
    let time = args.time.unwrap_or_else(SystemTime::now);
    let data = args.data();
    let (file, content_length) = match &data {
        Some(Data::File(path)) => {
            let file = tokio::fs::File::open(path)
                .await
                .usage_ctx(|| format!("cannot open `{}`", path.display()))?;
            let len = file
                .metadata()
                .await
                .usage_ctx(|| format!("cannot read `{}`", path.display()))?
                .len();
            (Some(file), Some(len))
        }
        _ => (None, None),
    };
    let head = Head::new(
        &args.url,
        args.method.as_deref(),
        &args.headers,
        data.is_some(),
        content_length,
        args.signing.region.as_deref(),
    )?;
    let host = head.host();
    let signer = request::signer(&args.signing, &host, time).await?;
    let env = EnvConfig::from_env().map_err(|e| CliError::config(&e))?;
    let (resolver, overridden) = env_resolver(
        &env,
        request::resolver(&args.connect, &host, head.port())?,
        &host,
        head.port(),
    )?;
    let mut roots = request::extra_roots(&args.connect)?;
    // `AWS_CA_BUNDLE`: trusted instead of the platform's roots, as the AWS
    // SDKs do (docs/assumptions.md, A67); `--cacert` stays trusted.
    let bundle = env.apply_to_tls(TlsOptions::new().platform_roots(false));
    roots.extend(bundle.extra_roots().iter().cloned());
    let client = Client::new(ClientSetup {
        via: args.via,
        signer: signer.clone(),
        resolver,
        roots,
        platform_roots: env.ca_bundle().is_none(),
        connect_timeout: args.connect.connect_timeout,
        follow: args.location,
    })?;
    let mut signed = request::sign(&signer, &head).await?;
    let verbose = args.verbose && !quiet;
    if verbose {
        let authority = signed
            .parts
            .uri
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        verbose::print_signing(
            &signed.details,
            &signed.parts.headers,
            &authority,
            args.signing.sigv4a.is_some(),
        );
    }
    for name in &args.drop_signed_header {
        signed.parts.headers.remove(name.as_str());
    }
    let upload = match (data, file) {
        (None, _) => Upload::Empty,
        (Some(Data::Literal(b)), _) => Upload::Bytes(b),
        (Some(Data::Stdin), _) => Upload::Stream(Box::pin(ReaderStream::new(tokio::io::stdin()))),
        (Some(Data::File(_)), Some(file)) => {
            let show = !quiet && !args.silent && std::io::stderr().is_terminal();
            Upload::Stream(file_stream(file, content_length.unwrap_or(0), show))
        }
        (Some(Data::File(path)), None) => {
            return Err(CliError::usage(format!("cannot open `{}`", path.display())));
        }
    };
    let https = signed.parts.uri.scheme_str() == Some("https");
    let exchange = async {
        let response = client
            .send(signed.parts, upload)
            .await
            .map_err(|e| transport_error(&host, e.as_ref()))?;
        if verbose {
            verbose::print_connection(response.remote, overridden, response.version, https);
            verbose::print_response(response.status, response.version, &response.headers);
        }
        deliver(response, &args, quiet).await
    };
    match args.max_time {
        Some(limit) => tokio::time::timeout(limit, exchange).await.map_err(|_| {
            CliError::failed(format!(
                "the call took longer than --max-time ({} s)",
                limit.as_secs_f64()
            ))
        })?,
        None => exchange.await,
    }
}

/// Adds the `LATTICE_RESOLVE` entry for the URL's host and port (curl's
/// rule: the port must match unless the entry says `*`) when no `--resolve`
/// flag already did: flags win over the environment.
fn env_resolver(
    env: &EnvConfig,
    (resolver, overridden): (Resolver, bool),
    host: &str,
    port: u16,
) -> CliResult<(Resolver, bool)> {
    if overridden {
        return Ok((resolver, true));
    }
    match env.resolve_entries().iter().find(|e| e.matches(host, port)) {
        Some(entry) => {
            let resolver = resolver
                .with_override(host, entry.addrs.iter().copied())
                .map_err(|e| CliError::config(&e))?;
            Ok((resolver, true))
        }
        None => Ok((resolver, false)),
    }
}

/// A failed exchange, with its hint.
fn transport_error(
    host: &str,
    error: &(dyn std::error::Error + Send + Sync + 'static),
) -> CliError {
    CliError::failed_by(error).with_hint(hint::for_error(Some(host), error))
}

/// A file as a body stream, with a progress bar when asked and large.
fn file_stream(file: tokio::fs::File, len: u64, show_progress: bool) -> BodyStream {
    let stream = ReaderStream::new(file);
    if !show_progress || len < PROGRESS_MIN_BYTES {
        return Box::pin(stream);
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style);
    }
    Box::pin(stream.inspect_ok(move |chunk| {
        bar.inc(chunk.len() as u64);
        if bar.position() >= len {
            bar.finish_and_clear();
        }
    }))
}

/// Writes the head (`-i`) and the body, and decides the exit status.
async fn deliver(mut response: Response, args: &CallArgs, quiet: bool) -> CliResult<ExitCode> {
    let success = response.status.is_success();
    let mut out: Box<dyn tokio::io::AsyncWrite + Unpin + Send> = match &args.output {
        Some(path) => Box::new(
            tokio::fs::File::create(path)
                .await
                .usage_ctx(|| format!("cannot create `{}`", path.display()))?,
        ),
        None => Box::new(tokio::io::stdout()),
    };
    let write_body = success || !args.fail;
    let io_failed = |e: std::io::Error| CliError::failed_by(&e).context("cannot write the body");
    if args.include && write_body {
        let mut head = format!("{:?} {}\n", response.version, response.status);
        for (name, value) in &response.headers {
            head.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        head.push('\n');
        out.write_all(head.as_bytes()).await.map_err(io_failed)?;
    }
    let mut prefix = Vec::new();
    loop {
        let chunk = match response.body.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) => {
                return Err(CliError::failed_by(e.as_ref()).context("reading the response body"));
            }
        };
        if !success && prefix.len() < ERROR_PREFIX_BYTES {
            let take = (ERROR_PREFIX_BYTES - prefix.len()).min(chunk.len());
            prefix.extend_from_slice(chunk.get(..take).unwrap_or_default());
        }
        if write_body {
            out.write_all(&chunk).await.map_err(io_failed)?;
        } else if prefix.len() >= ERROR_PREFIX_BYTES {
            break;
        }
    }
    out.flush().await.map_err(io_failed)?;
    if success {
        return Ok(ExitCode::SUCCESS);
    }
    let text = String::from_utf8_lossy(&prefix);
    let hint = hint::for_response(response.status.as_u16(), &text);
    if args.fail {
        let first = text.lines().next().unwrap_or("").trim();
        let line = if first.is_empty() {
            format!("HTTP {}", response.status)
        } else {
            format!("HTTP {}: {first}", response.status)
        };
        return Err(CliError::failed(line).with_hint(hint));
    }
    if let (Some(hint), false) = (hint, quiet) {
        eprintln!("{}", hint_line(hint));
    }
    Ok(ExitCode::from(crate::error::FAILED))
}
