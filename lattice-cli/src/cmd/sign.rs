//! `lattice sign`: the signed headers of a request, without sending it.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::error::{CliError, CliResult};
use crate::request::{self, Head, SigningArgs};
use crate::time_arg;

/// Sign a request without sending it, and print the result.
///
/// It signs exactly what `lattice call` would send for the same flags, with
/// the same code path. With `--time` the output is deterministic.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice sign https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders
  lattice sign --format json --time 20240101T120000Z -X POST URL
  lattice sign --format curl --region eu-central-1 https://orders.example.internal/ | sh")]
pub(crate) struct SignArgs {
    /// The URL to sign for. Example: `https://orders.example.internal/orders`.
    pub(crate) url: String,

    /// The request method. Example: `-X POST`.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        default_value = "GET"
    )]
    pub(crate) method: String,

    /// Add a header (repeatable); it is signed. Example: `-H 'content-type: application/json'`.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = request::parse_header)]
    pub(crate) headers: Vec<(String, String)>,

    #[command(flatten)]
    pub(crate) signing: SigningArgs,

    /// Sign at this time: `YYYYMMDDTHHMMSSZ` or RFC 3339 (default: now).
    /// Example: `--time 2024-01-01T12:00:00Z`.
    #[arg(long, value_parser = time_arg::parse)]
    pub(crate) time: Option<SystemTime>,

    /// What to print. Example: `--format json`.
    #[arg(long, value_enum, default_value = "headers")]
    pub(crate) format: Format,
}

/// Output formats of `lattice sign`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// `name: value` lines, every header the request carries.
    Headers,
    /// `{"headers", "canonicalRequest", "stringToSign", "region", "algorithm"}`.
    Json,
    /// A ready `curl` command line.
    Curl,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonOutput<'a> {
    headers: serde_json::Map<String, serde_json::Value>,
    canonical_request: &'a str,
    string_to_sign: &'a str,
    region: &'a str,
    algorithm: &'a str,
}

/// Runs `lattice sign`.
pub(crate) async fn run(args: SignArgs) -> CliResult<ExitCode> {
    let time = args.time.unwrap_or_else(SystemTime::now);
    let head = Head::new(
        &args.url,
        Some(&args.method),
        &args.headers,
        false,
        None,
        args.signing.region.as_deref(),
    )?;
    let signer = request::signer(&args.signing, &head.host(), time).await?;
    let signed = request::sign(&signer, &head).await?;
    let authority = signed
        .parts
        .uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_default();
    // Every header the request carries: `host` (from the URI), then the rest.
    let mut headers: Vec<(String, String)> = vec![("host".to_owned(), authority)];
    for (name, value) in &signed.parts.headers {
        let value = value
            .to_str()
            .map_err(|_| CliError::usage(format!("header `{name}` is not visible ASCII")))?;
        headers.push((name.as_str().to_owned(), value.to_owned()));
    }
    let text = match args.format {
        Format::Headers => headers.iter().fold(String::new(), |mut s, (n, v)| {
            let _ = writeln!(s, "{n}: {v}");
            s
        }),
        Format::Json => {
            let mut map = serde_json::Map::new();
            for (name, value) in &headers {
                match map.get_mut(name) {
                    Some(serde_json::Value::String(existing)) => {
                        existing.push_str(", ");
                        existing.push_str(value);
                    }
                    _ => {
                        map.insert(name.clone(), value.clone().into());
                    }
                }
            }
            let d = &signed.details;
            let out = JsonOutput {
                headers: map,
                canonical_request: &d.canonical_request,
                string_to_sign: &d.string_to_sign,
                region: &d.region,
                algorithm: &d.algorithm,
            };
            let mut s = serde_json::to_string_pretty(&out)
                .map_err(|e| CliError::usage(format!("cannot render JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Curl => {
            let mut s = format!("curl -X {}", shell_quote(signed.parts.method.as_str()));
            // curl sets `host` from the URL itself.
            for (name, value) in headers.iter().skip(1) {
                let _ = write!(s, " -H {}", shell_quote(&format!("{name}: {value}")));
            }
            let _ = writeln!(s, " {}", shell_quote(&signed.parts.uri.to_string()));
            s
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Single-quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
