//! `lattice probe URL`: settle the behaviours `docs/assumptions.md` lists as
//! unconfirmed, by sending a fixed set of requests to a real service.
//!
//! | probe | what is sent | expected |
//! |---|---|---|
//! | `unsigned` | no signature | not judged (the auth policies decide) |
//! | `signed` | a normal SigV4 request | not judged (the auth policies decide) |
//! | `wrong-signature` | the signature's last digit changed | 403 `InvalidSignatureException: The request signature we calculated does not match …` |
//! | `signed-payload` | `x-amz-content-sha256` = the body's SHA-256 | 403 `InvalidSignatureException: Signed payloads are not supported` |
//! | `path-double` | `…/lattice-probe/a%20b`, the path encoded twice in the canonical request | no signature error |
//! | `path-single` | the same path encoded once | no signature error |
//! | `missing-session-token` | signed with the token, the token header removed | 403 `IncompleteSignatureException: 'x-amz-security-token' is named as a SignedHeader, …` (skipped without a session token) |
//! | `skewed-clock` | signed ten minutes in the past | 403 `InvalidSignatureException: Signature expired: …` |
//!
//! Every expectation is in [`PROBES`], each with the assumption it relies on.

use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use clap::Args;
use http::{HeaderValue, Uri};
use serde_json::{Value, json};

use crate::error::{CliError, CliResult};
use crate::request::{self, ConnectArgs, Head, SigningArgs};
use crate::transport::{Client, ClientSetup, Upload, Via};

/// The path the two path probes append to the URL's path.
const PROBE_PATH: &str = "lattice-probe/a%20b";
/// How far in the past the skewed-clock probe signs.
const SKEW: Duration = Duration::from_secs(600);

/// Check Lattice's unconfirmed behaviours against a real service.
///
/// Sends a fixed, documented set of requests (unsigned, signed, a wrong
/// signature, a signed payload, single and double path encodings, a missing
/// session token, a skewed clock) and prints, per probe, the status and
/// first line observed next to what `docs/assumptions.md` expects, marked
/// `agree` or `DIFFER` (`-` where the auth policies decide). Exit status 0
/// when no judged probe differs, 1 otherwise.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice probe https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/
  lattice probe --json --region eu-central-1 https://orders.example.internal/ > probe.json")]
pub(crate) struct ProbeArgs {
    /// A URL of the service. Example: `https://orders.example.internal/`.
    url: String,

    #[command(flatten)]
    signing: SigningArgs,

    #[command(flatten)]
    connect: ConnectArgs,

    /// Print a JSON array of `{probe, status, line, expected, agree}`.
    /// Example: `--json`.
    #[arg(long)]
    json: bool,
}

/// What a probe expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The service's auth policies decide: reported, not judged.
    NotJudged,
    /// This status and a first line starting with this text.
    Line(u16, &'static str),
    /// Any answer but a signature error.
    SignatureAccepted,
}

/// One probe of the table.
#[derive(Debug, Clone, Copy)]
struct Probe {
    name: &'static str,
    expect: Expect,
}

/// The probes, in order, with the assumption each expectation relies on.
const PROBES: [Probe; 8] = [
    // Depends on the auth policies (docs/assumptions.md, A29 and A42).
    Probe {
        name: "unsigned",
        expect: Expect::NotJudged,
    },
    // Depends on the auth policies and the caller's identity policies.
    Probe {
        name: "signed",
        expect: Expect::NotJudged,
    },
    // Assumption: a wrong signature gets AWS's usual line (docs/assumptions.md,
    // A7).
    Probe {
        name: "wrong-signature",
        expect: Expect::Line(
            403,
            "InvalidSignatureException: The request signature we calculated does not match",
        ),
    },
    // Observed line (docs/assumptions.md, A7 and A8).
    Probe {
        name: "signed-payload",
        expect: Expect::Line(
            403,
            "InvalidSignatureException: Signed payloads are not supported",
        ),
    },
    // Assumption: the double-encoded canonical URI (the SigV4 default) is
    // accepted (docs/assumptions.md, A1).
    Probe {
        name: "path-double",
        expect: Expect::SignatureAccepted,
    },
    // Assumption: the single-encoded canonical URI is accepted too
    // (docs/assumptions.md, A1: the fake accepts both).
    Probe {
        name: "path-single",
        expect: Expect::SignatureAccepted,
    },
    // Observed line (docs/assumptions.md, A7).
    Probe {
        name: "missing-session-token",
        expect: Expect::Line(
            403,
            "IncompleteSignatureException: 'x-amz-security-token' is named as a SignedHeader",
        ),
    },
    // Assumption: a ±5 minute window with AWS's usual line
    // (docs/assumptions.md, A6).
    Probe {
        name: "skewed-clock",
        expect: Expect::Line(403, "InvalidSignatureException: Signature expired"),
    },
];

/// What one probe observed.
#[derive(Debug)]
struct Observed {
    probe: &'static str,
    status: Option<u16>,
    line: String,
    expected: String,
    agree: Option<bool>,
}

/// Runs `lattice probe`.
pub(crate) async fn run(args: ProbeArgs) -> CliResult<ExitCode> {
    let now = SystemTime::now();
    let head = Head::new(
        &args.url,
        Some("GET"),
        &[],
        false,
        None,
        args.signing.region.as_deref(),
    )?;
    let host = head.host();
    let signer = request::signer(&args.signing, &host, now).await?;
    let skewed = request::signer(&args.signing, &host, now - SKEW).await?;
    let (resolver, _) = request::resolver(&args.connect, &host, head.port())?;
    let client = Client::new(ClientSetup {
        via: Via::Reqwest,
        signer: signer.clone(),
        resolver,
        roots: request::extra_roots(&args.connect)?,
        platform_roots: true,
        connect_timeout: args.connect.connect_timeout,
        follow: false,
    })?;
    let credentials = signer
        .credentials()
        .get()
        .await
        .map_err(|e| CliError::config(&e))?;
    let signed = request::sign(&signer, &head).await?;
    let region = signed.details.region.clone();
    let path_uri = with_probe_path(&head.uri)?;
    let path_head = Head {
        uri: path_uri.clone(),
        ..head.clone()
    };

    let mut results = Vec::new();
    for probe in PROBES {
        let parts = match probe.name {
            "unsigned" => Some(unsigned(&head)?),
            "signed" => Some(signed.parts.clone()),
            "wrong-signature" => {
                let mut parts = signed.parts.clone();
                corrupt_signature(&mut parts.headers);
                Some(parts)
            }
            "signed-payload" => Some(sign_custom(
                &credentials,
                &region,
                &head.uri,
                now,
                Mode::SignedPayload,
            )?),
            "path-double" => Some(request::sign(&signer, &path_head).await?.parts),
            "path-single" => Some(sign_custom(
                &credentials,
                &region,
                &path_uri,
                now,
                Mode::SinglePath,
            )?),
            "missing-session-token" => credentials.session_token().map(|_| {
                let mut parts = signed.parts.clone();
                parts.headers.remove("x-amz-security-token");
                parts
            }),
            _ => Some(request::sign(&skewed, &head).await?.parts),
        };
        let observed = match parts {
            None => Observed {
                probe: probe.name,
                status: None,
                line: "skipped: the credentials have no session token".to_owned(),
                expected: expected_text(probe.expect),
                agree: None,
            },
            Some(parts) => {
                let (status, line) = exchange(&client, parts).await;
                let agree = judge(probe.expect, status, &line);
                Observed {
                    probe: probe.name,
                    status,
                    line,
                    expected: expected_text(probe.expect),
                    agree,
                }
            }
        };
        results.push(observed);
    }
    print_results(&results, args.json);
    let differs = results.iter().any(|r| r.agree == Some(false));
    Ok(if differs {
        ExitCode::from(crate::error::FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// The URI with [`PROBE_PATH`] appended to its path.
fn with_probe_path(uri: &Uri) -> CliResult<Uri> {
    let base = uri.path().trim_end_matches('/');
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(
        format!("{base}/{PROBE_PATH}")
            .parse()
            .map_err(|_| CliError::usage("cannot build the probe path"))?,
    );
    Uri::from_parts(parts).map_err(|_| CliError::usage("cannot build the probe URL"))
}

fn unsigned(head: &Head) -> CliResult<http::request::Parts> {
    let request = http::Request::builder()
        .method(head.method.clone())
        .uri(head.uri.clone())
        .body(())
        .map_err(|e| CliError::usage(format!("invalid request: {e}")))?;
    Ok(request.into_parts().0)
}

/// Changes the last hex digit of the `authorization` signature.
fn corrupt_signature(headers: &mut http::HeaderMap) {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return;
    };
    let mut text = value.to_owned();
    if let Some(last) = text.pop() {
        text.push(if last == '0' { '1' } else { '0' });
    }
    if let Ok(v) = HeaderValue::from_str(&text) {
        headers.insert("authorization", v);
    }
}

/// The two probes the SDK's signer never produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `x-amz-content-sha256` = SHA-256 of the (empty) body.
    SignedPayload,
    /// The canonical URI encoded once, not normalised.
    SinglePath,
}

/// Signs a GET with `aws-sigv4` directly, in a mode the SDK never uses.
fn sign_custom(
    credentials: &lattice_client::Credentials,
    region: &str,
    uri: &Uri,
    time: SystemTime,
    mode: Mode,
) -> CliResult<http::request::Parts> {
    let fail = |e: &dyn std::fmt::Display| CliError::usage(format!("cannot sign the probe: {e}"));
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_default();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.signature_location = SignatureLocation::Headers;
    settings.session_token_mode = SessionTokenMode::Include;
    settings.excluded_headers = None;
    if mode == Mode::SinglePath {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    } else {
        settings.percent_encoding_mode = PercentEncodingMode::Double;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    }
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(lattice_client::sign::SIGNING_NAME)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| fail(&e))?
        .into();
    let body = match mode {
        Mode::SignedPayload => SignableBody::Bytes(b""),
        Mode::SinglePath => SignableBody::UnsignedPayload,
    };
    let uri_text = uri.to_string();
    let signable = SignableRequest::new(
        "GET",
        uri_text.as_str(),
        std::iter::once(("host", authority.as_str())),
        body,
    )
    .map_err(|e| fail(&e))?;
    let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| fail(&e))?
        .into_parts();
    let mut request = http::Request::builder()
        .method("GET")
        .uri(uri.clone())
        .body(())
        .map_err(|e| fail(&e))?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(request.into_parts().0)
}

/// Sends one probe; the status and the first line of the body (or the
/// transport error).
async fn exchange(client: &Client, parts: http::request::Parts) -> (Option<u16>, String) {
    match client.send(parts, Upload::Empty).await {
        Err(e) => (None, crate::error::chain_line(e.as_ref())),
        Ok(mut response) => {
            let mut body = Vec::new();
            while body.len() < 4096 {
                match response.body.chunk().await {
                    Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            let text = String::from_utf8_lossy(&body);
            let line = text.lines().next().unwrap_or("").trim().to_owned();
            (Some(response.status.as_u16()), line)
        }
    }
}

/// Whether an observation agrees (`None`: not judged).
fn judge(expect: Expect, status: Option<u16>, line: &str) -> Option<bool> {
    match expect {
        Expect::NotJudged => None,
        Expect::Line(s, prefix) => Some(status == Some(s) && line.starts_with(prefix)),
        Expect::SignatureAccepted => Some(status.is_some() && !is_signature_error(status, line)),
    }
}

fn is_signature_error(status: Option<u16>, line: &str) -> bool {
    status == Some(403)
        && [
            "InvalidSignatureException",
            "IncompleteSignatureException",
            "UnrecognizedClientException",
        ]
        .iter()
        .any(|code| line.starts_with(code))
}

fn expected_text(expect: Expect) -> String {
    match expect {
        Expect::NotJudged => "depends on the auth policies (not judged)".to_owned(),
        Expect::Line(status, prefix) => format!("{status} {prefix}…"),
        Expect::SignatureAccepted => "no signature error".to_owned(),
    }
}

fn print_results(results: &[Observed], as_json: bool) {
    if as_json {
        let array: Vec<Value> = results
            .iter()
            .map(|r| {
                json!({
                    "probe": r.probe,
                    "status": r.status,
                    "line": r.line,
                    "expected": r.expected,
                    "agree": r.agree,
                })
            })
            .collect();
        println!("{}", Value::Array(array));
        return;
    }
    for r in results {
        let verdict = match r.agree {
            Some(true) => "agree",
            Some(false) => "DIFFER",
            None => "-",
        };
        let status = r.status.map_or_else(|| "---".to_owned(), |s| s.to_string());
        println!("{:<22} {verdict:<6} {status}  {}", r.probe, r.line);
        println!("{:<22} {:<6} expected: {}", "", "", r.expected);
    }
}
