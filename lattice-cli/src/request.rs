//! What `call`, `sign` and `probe` share: the connection flags, the request
//! head, the signer, and signing itself — one code path, so `sign` prints
//! exactly what `call` sends.

use std::time::{Duration, SystemTime};

use aws_smithy_async::time::StaticTimeSource;
use clap::Args;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use lattice_client::env::{EnvError, ResolveEntry};
use lattice_client::resolve::Resolver;
use lattice_client::{Signer, SigningRegion};
use rustls::pki_types::CertificateDer;

use crate::error::{CliError, CliResult, ResultExt};
use crate::report::{self, SignedDetails};

/// Flags about where to connect and how to sign (shared by `call`, `sign`
/// and `probe`).
#[derive(Debug, Clone, Args)]
pub(crate) struct SigningArgs {
    /// Signing region for this request. Generated Lattice names carry their
    /// own; a custom domain needs one (or `AWS_REGION`).
    /// Example: `--region eu-central-1`.
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,

    /// Sign with SigV4A for a region set instead of SigV4.
    /// Example: `--sigv4a '*'` or `--sigv4a us-east-1,us-west-2`.
    #[arg(long, value_name = "SET")]
    pub(crate) sigv4a: Option<String>,

    /// Credentials and default region from this profile of `~/.aws/config`.
    /// Example: `--profile prod`.
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
}

/// Flags about the connection (shared by `call` and `probe`).
#[derive(Debug, Clone, Args)]
pub(crate) struct ConnectArgs {
    /// Use ADDR for HOST when the URL's host and port match (repeatable, as
    /// curl: PORT may be `*`, several addresses separated by `,`, IPv6 in
    /// brackets). Example: `--resolve orders.example.internal:443:10.0.0.5`.
    #[arg(long, value_name = "HOST:PORT:ADDR", value_parser = parse_resolve)]
    pub(crate) resolve: Vec<ResolveEntry>,

    /// Trust the certificates in this PEM file as well (e.g. the fake's
    /// `caPem`). Example: `--cacert /tmp/lattice-fake-4242-ca.pem`.
    #[arg(long, value_name = "PEM")]
    pub(crate) cacert: Option<std::path::PathBuf>,

    /// Give up connecting after this many seconds.
    /// Example: `--connect-timeout 2.5`.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) connect_timeout: Option<Duration>,

    /// Never ask the system's DNS: a name without a matching `--resolve`
    /// fails to resolve. Example: `--resolve-only --resolve NAME:443:10.0.0.5`.
    #[arg(long)]
    pub(crate) resolve_only: bool,
}

/// One `--resolve HOST:PORT:ADDR[,ADDR…]`, parsed as `LATTICE_RESOLVE`'s
/// entries are (curl's syntax: `PORT` may be `*`, IPv6 in brackets).
fn parse_resolve(text: &str) -> Result<ResolveEntry, String> {
    ResolveEntry::parse(text).map_err(|e| match e {
        EnvError::BadResolveEntry { reason, .. } => format!(
            "`{text}` is not HOST:PORT:ADDR[,ADDR…] (e.g. orders.example.internal:443:127.0.0.1 or NAME:443:[::1]): {reason}"
        ),
        other => other.to_string(),
    })
}

/// Seconds, fractions allowed (a clap value parser).
pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{text}` is not a positive number of seconds"))
}

/// Parses `Name: value`.
pub(crate) fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header `{text}` is not `Name: value`"))?;
    let name = name.trim();
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{name}` is not a header name"))?;
    let value = value.trim();
    HeaderValue::from_str(value).map_err(|_| format!("header `{name}` has an invalid value"))?;
    Ok((name.to_owned(), value.to_owned()))
}

/// The request line and headers, before signing.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    /// `--region`: the per-request region.
    pub(crate) region: Option<String>,
}

impl Head {
    /// Builds the head. `has_body` makes the default method `POST`;
    /// `content_length` is set (and so signed) for bodies of known length.
    pub(crate) fn new(
        url: &str,
        method: Option<&str>,
        headers: &[(String, String)],
        has_body: bool,
        content_length: Option<u64>,
        region: Option<&str>,
    ) -> CliResult<Self> {
        let uri = normalize_url(url)?;
        let method = match method {
            Some(m) => Method::from_bytes(m.as_bytes())
                .map_err(|_| CliError::usage(format!("`{m}` is not an HTTP method")))?,
            None if has_body => Method::POST,
            None => Method::GET,
        };
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let n = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| CliError::usage(format!("`{name}` is not a header name")))?;
            let v = HeaderValue::from_str(value)
                .map_err(|_| CliError::usage(format!("header `{name}` has an invalid value")))?;
            map.append(n, v);
        }
        if let Some(len) = content_length {
            map.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
        }
        Ok(Self {
            method,
            uri,
            headers: map,
            region: region.map(str::to_owned),
        })
    }

    /// The URI's host, lower-case, without a trailing dot.
    pub(crate) fn host(&self) -> String {
        self.uri
            .host()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_ascii_lowercase()
    }

    /// The URI's port, or the scheme's default.
    pub(crate) fn port(&self) -> u16 {
        self.uri
            .port_u16()
            .unwrap_or(if self.uri.scheme_str() == Some("http") {
                80
            } else {
                443
            })
    }
}

/// The URL as the HTTP clients will send it: parsed by the URL standard
/// (what reqwest does), the fragment dropped, then as an `http::Uri`.
fn normalize_url(url: &str) -> CliResult<Uri> {
    let mut parsed = reqwest::Url::parse(url)
        .map_err(|e| CliError::usage(format!("`{url}` is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CliError::usage(format!(
            "`{url}` is not an http:// or https:// URL"
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(CliError::usage(format!("`{url}` has no host")));
    }
    parsed.set_fragment(None);
    parsed
        .as_str()
        .parse()
        .map_err(|_| CliError::usage(format!("`{url}` is not a valid request URI")))
}

/// Builds the signer: credentials and default region from the AWS chain
/// (or `--profile`), a clock frozen at `time` (so every signature of one run
/// is identical), SigV4A when asked, and the URL's host allowed.
pub(crate) async fn signer(args: &SigningArgs, host: &str, time: SystemTime) -> CliResult<Signer> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    let config = loader.load().await;
    let mut builder = Signer::builder()
        .sdk_config(&config)
        .usage_ctx(|| "cannot load AWS credentials".to_owned())?
        .time_source(StaticTimeSource::new(time));
    if let Some(set) = &args.sigv4a {
        builder = builder.sigv4a(set.clone());
    }
    // The URL's host counts as named by the user.
    builder = report::capture(builder.custom_domain(host.to_owned(), None));
    builder
        .build()
        .usage_ctx(|| "invalid signing setup".to_owned())
}

/// A signed head: the request parts as they go out, and what was signed.
#[derive(Debug)]
pub(crate) struct Signed {
    pub(crate) parts: http::request::Parts,
    pub(crate) details: SignedDetails,
}

/// Signs `head` with the signer's cached credentials. Configuration errors
/// (no region, bad header value, no credentials) are exit status 2.
pub(crate) async fn sign(signer: &Signer, head: &Head) -> CliResult<Signed> {
    let mut request = http::Request::builder()
        .method(head.method.clone())
        .uri(head.uri.clone())
        .body(())
        .map_err(|e| CliError::usage(format!("invalid request: {e}")))?;
    *request.headers_mut() = head.headers.clone();
    if let Some(region) = &head.region {
        request
            .extensions_mut()
            .insert(SigningRegion::new(region.clone()));
    }
    let (mut parts, ()) = request.into_parts();
    let signing = signer.sign_parts(&mut parts).await.map_err(|e| match e {
        lattice_client::Error::NoRegion { host } => CliError::usage(format!(
            "no signing region for `{host}`: a custom domain carries none; pass --region REGION \
             (or set AWS_REGION, or a region in the --profile), or call the service's generated name"
        )),
        e => CliError::config(&e),
    })?;
    let details = report::details(signing)
        .map_err(|e| CliError::usage(format!("cannot read the signing report: {e}")))?;
    Ok(Signed { parts, details })
}

/// The resolver: `--resolve` entries for the URL's host and port, system
/// DNS otherwise. Returns whether an override applies.
pub(crate) fn resolver(args: &ConnectArgs, host: &str, port: u16) -> CliResult<(Resolver, bool)> {
    let mut resolver = Resolver::new();
    if args.resolve_only {
        resolver = resolver.without_system_fallback();
    }
    let mut overridden = false;
    if let Some(r) = args.resolve.iter().find(|r| r.matches(host, port)) {
        resolver = resolver
            .with_override(host, r.addrs.iter().copied())
            .map_err(|e| CliError::config(&e))?;
        overridden = true;
    }
    Ok((resolver, overridden))
}

/// The extra roots of `--cacert`.
pub(crate) fn extra_roots(args: &ConnectArgs) -> CliResult<Vec<CertificateDer<'static>>> {
    let Some(path) = &args.cacert else {
        return Ok(Vec::new());
    };
    let pem =
        std::fs::read(path).usage_ctx(|| format!("cannot read --cacert `{}`", path.display()))?;
    lattice_client::tls::certificates_from_pem(&pem)
        .usage_ctx(|| format!("--cacert `{}`", path.display()))
}
