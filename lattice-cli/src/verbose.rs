//! `-v`: what was signed, where it went, and what came back, on stderr.
//!
//! Lines start with `*` (information), `>` (request) or `<` (response), as
//! curl's do. The session token and the signature are never printed.

use std::net::SocketAddr;

use http::HeaderMap;

use crate::report::{RegionSource, SignedDetails};

const TOKEN: &str = "x-amz-security-token";

/// The canonical request with the session token's value replaced.
pub(crate) fn redact_canonical(canonical: &str) -> String {
    canonical
        .lines()
        .map(|line| match line.strip_prefix("x-amz-security-token:") {
            Some(value) => format!("{TOKEN}:** redacted (length={}) **", value.len()),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A header value safe to print: the token hidden, the signature hidden.
pub(crate) fn redact_header(name: &str, value: &str) -> String {
    match name {
        TOKEN => format!("** redacted (length={}) **", value.len()),
        "authorization" => match value.split_once("Signature=") {
            Some((head, _)) => format!("{head}Signature=** redacted **"),
            None => "** redacted **".to_owned(),
        },
        _ => value.to_owned(),
    }
}

/// Where the region came from, in words.
pub(crate) fn region_source(source: RegionSource, sigv4a: bool) -> &'static str {
    match source {
        _ if sigv4a => "--sigv4a",
        RegionSource::Request => "--region",
        RegionSource::Name => "the generated Lattice name",
        RegionSource::CustomDomain => "the custom-domain table",
        RegionSource::Default => "the default region of the AWS config (AWS_REGION or the profile)",
        _ => "the signer",
    }
}

/// The signing part of `-v`.
pub(crate) fn print_signing(
    details: &SignedDetails,
    headers: &HeaderMap,
    host: &str,
    sigv4a: bool,
) {
    let what = if sigv4a { "region set" } else { "region" };
    eprintln!(
        "* {what} {} (from {})",
        details.region,
        region_source(details.region_source, sigv4a)
    );
    let algorithm_source = if sigv4a {
        "--sigv4a"
    } else {
        "the default, SigV4"
    };
    eprintln!(
        "* algorithm {} (from {algorithm_source})",
        details.algorithm
    );
    eprintln!("* canonical request:");
    for line in redact_canonical(&details.canonical_request).lines() {
        eprintln!("*   {line}");
    }
    eprintln!("* string to sign:");
    for line in details.string_to_sign.lines() {
        eprintln!("*   {line}");
    }
    eprintln!("* signed headers: {}", details.signed_headers);
    eprintln!("> host: {host}");
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        eprintln!("> {name}: {}", redact_header(name.as_str(), &value));
    }
}

/// The connection part of `-v`.
pub(crate) fn print_connection(
    remote: Option<SocketAddr>,
    overridden: bool,
    version: http::Version,
    https: bool,
) {
    let how = if overridden { "--resolve" } else { "DNS" };
    match remote {
        Some(addr) => eprintln!("* connected to {addr} (address from {how})"),
        None => eprintln!("* connected (the client does not expose the address; from {how})"),
    }
    let tls = if https {
        "TLS version not exposed by the client"
    } else {
        "no TLS (plain http://)"
    };
    eprintln!("* {version:?}, {tls}");
}

/// The response head part of `-v`.
pub(crate) fn print_response(
    status: http::StatusCode,
    version: http::Version,
    headers: &HeaderMap,
) {
    eprintln!("< {version:?} {status}");
    for (name, value) in headers {
        eprintln!("< {name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
}
