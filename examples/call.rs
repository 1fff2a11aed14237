//! `call`: one signed request to a VPC Lattice service, curl-style.
//!
//! ```text
//! cargo run --example call -- [OPTIONS] URL
//!
//!   -X METHOD             request method (default GET, or POST with a body)
//!   -H 'Name: value'      add a header (repeatable)
//!   -d DATA               send DATA as the body
//!   --data-file PATH      stream a file as the body (Content-Length = its size);
//!                         `-` streams stdin (chunked)
//!   --via reqwest|hyper   the HTTP client (default reqwest)
//!   --region REGION       signing region for this request (generated Lattice
//!                         names carry their own; custom domains need one)
//!   --sigv4a REGION_SET   sign with SigV4A for a region set, e.g. `*`
//!   --resolve HOST:PORT:ADDR  use ADDR for HOST when the URL's host and port
//!                         match (repeatable, as curl)
//!   --cacert PEM          trust the certificates in PEM as well
//!   -L, --location        follow redirects to hosts the signer may sign for
//!                         (reqwest only; re-signed per hop)
//!   -i                    print the status line and response headers
//!   -v                    print what was signed (secrets redacted) to stderr
//! ```
//!
//! Credentials come from the standard AWS chain (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, profiles, SSO, …). The URL's
//! host counts as named by you, so `call` signs for it. The response body goes
//! to stdout. Exit status: 0 for a 2xx response, 1 for another status, 2 for
//! an error (one line on stderr).

use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use bytes::Bytes;
use futures_util::TryStreamExt;
use http::{HeaderName, HeaderValue, Method};
use http_body_util::{BodyExt, Full, StreamBody, combinators::UnsyncBoxBody};
use lattice_client::resolve::Resolver;
use lattice_client::{Signer, SigningRegion};
use lattice_tower::hyper::HyperClientBuilder;
use tokio_util::io::ReaderStream;

#[derive(Debug, Default)]
struct Args {
    url: Option<String>,
    method: Option<String>,
    headers: Vec<(String, String)>,
    data: Option<String>,
    data_file: Option<String>,
    via_hyper: bool,
    region: Option<String>,
    sigv4a: Option<String>,
    resolve: Vec<(String, u16, IpAddr)>,
    cacert: Option<String>,
    location: bool,
    include: bool,
    verbose: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next().ok_or_else(|| anyhow!("{flag} needs a value"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-X" | "--request" => args.method = Some(value(&mut it, &arg)?),
            "-H" | "--header" => {
                let h = value(&mut it, &arg)?;
                let (name, v) = h
                    .split_once(':')
                    .ok_or_else(|| anyhow!("header `{h}` is not `Name: value`"))?;
                args.headers
                    .push((name.trim().to_owned(), v.trim().to_owned()));
            }
            "-d" | "--data" => args.data = Some(value(&mut it, &arg)?),
            "--data-file" => args.data_file = Some(value(&mut it, &arg)?),
            "--via" => match value(&mut it, &arg)?.as_str() {
                "reqwest" => args.via_hyper = false,
                "hyper" => args.via_hyper = true,
                other => bail!("--via takes `reqwest` or `hyper`, not `{other}`"),
            },
            "--region" => args.region = Some(value(&mut it, &arg)?),
            "--sigv4a" => args.sigv4a = Some(value(&mut it, &arg)?),
            "--resolve" => {
                let r = value(&mut it, &arg)?;
                let mut parts = r.splitn(3, ':');
                let (Some(host), Some(port), Some(addr)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    bail!("--resolve takes HOST:PORT:ADDR, not `{r}`");
                };
                let port: u16 = port
                    .parse()
                    .with_context(|| format!("--resolve port `{port}` is not a number"))?;
                let addr = addr.trim_start_matches('[').trim_end_matches(']');
                let addr: IpAddr = addr
                    .parse()
                    .with_context(|| format!("--resolve address `{addr}` is not an IP address"))?;
                args.resolve.push((host.to_ascii_lowercase(), port, addr));
            }
            "--cacert" => args.cacert = Some(value(&mut it, &arg)?),
            "-L" | "--location" => args.location = true,
            "-i" | "--include" => args.include = true,
            "-v" | "--verbose" => args.verbose = true,
            "-h" | "--help" => {
                println!(
                    "usage: call [-X METHOD] [-H 'Name: value']... [-d DATA | --data-file PATH] [--via reqwest|hyper] [--region R] [--sigv4a SET] [--resolve HOST:PORT:ADDR]... [--cacert PEM] [-L] [-i] [-v] URL"
                );
                std::process::exit(0);
            }
            s if s.starts_with('-') && s.len() > 1 => bail!("unknown option `{s}`; see --help"),
            _ => {
                if args.url.replace(arg).is_some() {
                    bail!("more than one URL given");
                }
            }
        }
    }
    if args.data.is_some() && args.data_file.is_some() {
        bail!("use either -d or --data-file, not both");
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    init_logging(args.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&anyhow!(e)),
    };
    match runtime.block_on(run(args)) {
        Ok(status) if status.is_success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    // Exactly one line: the chain of causes joined.
    let line = format!("{e:#}").replace('\n', " ");
    let _ = writeln!(std::io::stderr(), "call: {line}");
    ExitCode::from(2)
}

fn init_logging(verbose: bool) {
    let filter = if verbose {
        "lattice_client=debug,lattice_tower=debug,warn"
    } else {
        "warn"
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .compact()
        .try_init();
}

enum Body {
    Empty,
    Bytes(Bytes),
    File { file: tokio::fs::File, len: u64 },
    Stdin,
}

async fn run(args: Args) -> anyhow::Result<http::StatusCode> {
    let url = args
        .url
        .clone()
        .ok_or_else(|| anyhow!("no URL given; see --help"))?;
    let uri: http::Uri = url
        .parse()
        .with_context(|| format!("`{url}` is not a URL"))?;
    let host = uri
        .host()
        .ok_or_else(|| anyhow!("`{url}` has no host; use an absolute https:// URL"))?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("http") {
            80
        } else {
            443
        });

    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let mut builder = Signer::builder().sdk_config(&config)?;
    if let Some(set) = &args.sigv4a {
        builder = builder.sigv4a(set.clone());
    }
    // The URL's host counts as named by the user.
    builder = builder.custom_domain(host.clone(), None);
    let signer = builder.build()?;

    let mut resolver = Resolver::new();
    for (h, p, addr) in &args.resolve {
        if *h == host && *p == port {
            resolver = resolver.with_override(h, [*addr])?;
        }
    }
    let mut extra_roots = Vec::new();
    if let Some(path) = &args.cacert {
        let pem = std::fs::read(path).with_context(|| format!("cannot read --cacert `{path}`"))?;
        extra_roots = lattice_client::tls::certificates_from_pem(&pem)?;
    }

    let method = match &args.method {
        Some(m) => Method::from_bytes(m.as_bytes())
            .with_context(|| format!("`{m}` is not an HTTP method"))?,
        None if args.data.is_some() || args.data_file.is_some() => Method::POST,
        None => Method::GET,
    };
    let mut headers = http::HeaderMap::new();
    for (name, value) in &args.headers {
        let n = HeaderName::from_bytes(name.as_bytes())
            .with_context(|| format!("`{name}` is not a header name"))?;
        let v = HeaderValue::from_str(value)
            .with_context(|| format!("header `{name}` has an invalid value"))?;
        headers.append(n, v);
    }
    let body = match (&args.data, &args.data_file) {
        (Some(d), _) => Body::Bytes(Bytes::from(d.clone())),
        (None, Some(p)) if p == "-" => Body::Stdin,
        (None, Some(p)) => {
            let file = tokio::fs::File::open(p)
                .await
                .with_context(|| format!("cannot open --data-file `{p}`"))?;
            let len = file.metadata().await?.len();
            Body::File { file, len }
        }
        (None, None) => Body::Empty,
    };
    if let Body::File { len, .. } = &body {
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(*len));
    }
    let region = args.region.clone().map(SigningRegion::new);

    if args.via_hyper {
        if args.location {
            bail!("-L is supported with --via reqwest only");
        }
        via_hyper(
            signer,
            resolver,
            extra_roots,
            method,
            uri,
            headers,
            body,
            region,
            args.include,
        )
        .await
    } else {
        via_reqwest(
            signer,
            resolver,
            extra_roots,
            method,
            &url,
            headers,
            body,
            region,
            &args,
        )
        .await
    }
}

fn print_head(
    status: http::StatusCode,
    version: http::Version,
    headers: &http::HeaderMap,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{version:?} {status}")?;
    for (name, value) in headers {
        writeln!(out, "{name}: {}", String::from_utf8_lossy(value.as_bytes()))?;
    }
    writeln!(out)
}

#[allow(clippy::too_many_arguments)]
async fn via_hyper(
    signer: Signer,
    resolver: Resolver,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    method: Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Body,
    region: Option<SigningRegion>,
    include: bool,
) -> anyhow::Result<http::StatusCode> {
    type HyperBody = UnsyncBoxBody<Bytes, std::io::Error>;
    let mut builder = HyperClientBuilder::new(signer).resolver(resolver);
    for cert in extra_roots {
        builder = builder.add_root_certificate(cert);
    }
    let client = builder.build::<HyperBody>()?;
    let body: HyperBody = match body {
        Body::Empty => Full::new(Bytes::new())
            .map_err(|never| match never {})
            .boxed_unsync(),
        Body::Bytes(b) => Full::new(b).map_err(|never| match never {}).boxed_unsync(),
        Body::File { file, .. } => stream_body(file),
        Body::Stdin => stream_body(tokio::io::stdin()),
    };
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(body)?;
    *request.headers_mut() = headers;
    if let Some(r) = region {
        request.extensions_mut().insert(r);
    }
    let response = client.request(request).await.map_err(|e| anyhow!(e))?;
    let status = response.status();
    if include {
        print_head(status, response.version(), response.headers())?;
    }
    let mut body = response.into_body();
    let mut out = tokio::io::stdout();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            tokio::io::AsyncWriteExt::write_all(&mut out, &data).await?;
        }
    }
    tokio::io::AsyncWriteExt::flush(&mut out).await?;
    Ok(status)
}

fn stream_body<R: tokio::io::AsyncRead + Send + 'static>(
    reader: R,
) -> UnsyncBoxBody<Bytes, std::io::Error> {
    let stream = ReaderStream::new(reader).map_ok(http_body::Frame::data);
    BodyExt::boxed_unsync(StreamBody::new(stream))
}

#[allow(clippy::too_many_arguments)]
async fn via_reqwest(
    signer: Signer,
    resolver: Resolver,
    extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    method: Method,
    url: &str,
    headers: http::HeaderMap,
    body: Body,
    region: Option<SigningRegion>,
    args: &Args,
) -> anyhow::Result<http::StatusCode> {
    let mut builder = lattice_client::reqwest::LatticeClient::builder(signer).resolver(resolver);
    for cert in extra_roots {
        builder = builder.add_root_certificate(cert);
    }
    if args.location {
        builder = builder.follow_redirects(10);
    }
    let client = builder.build()?;
    let mut request = client.request(method, url).headers(headers);
    if let Some(r) = region {
        request = request.region(r.as_str().to_owned());
    }
    request = match body {
        Body::Empty => request,
        Body::Bytes(b) => request.body(b),
        Body::File { file, .. } => {
            request.body(reqwest::Body::wrap_stream(ReaderStream::new(file)))
        }
        Body::Stdin => request.body(reqwest::Body::wrap_stream(ReaderStream::new(
            tokio::io::stdin(),
        ))),
    };
    let mut response = request.send().await?;
    let status = response.status();
    if args.include {
        print_head(status, response.version(), response.headers())?;
    }
    let mut out = tokio::io::stdout();
    while let Some(chunk) = response.chunk().await? {
        tokio::io::AsyncWriteExt::write_all(&mut out, &chunk).await?;
    }
    tokio::io::AsyncWriteExt::flush(&mut out).await?;
    Ok(status)
}
