//! `explain_signature_failures`: what the fake computed for a signature
//! that does not match, appended below Lattice's one-line `403` body.
//!
//! The text shows the canonical request (with the path double-encoded, as
//! the AWS SDKs sign it), the string to sign and the signed headers, so a
//! client's own canonical request can be compared line by line. The
//! session token never appears: its header line reads `<redacted>`, and any
//! other occurrence of its value (a signed custom header, the query) is
//! replaced too.

use http::header::{AUTHORIZATION, HOST};
use http::{HeaderMap, Version};
use lattice_client::sign::canonical::{
    Algorithm, CanonicalRequest, CredentialScope, EncodingMode, StringToSign, UNSIGNED_PAYLOAD,
};

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const REDACTED: &str = "<redacted>";

/// The explanation for `parts`, or `None` when its `authorization` header
/// cannot be read back into a canonical request.
pub(super) fn explain(parts: &http::request::Parts) -> Option<String> {
    let authorization = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (algorithm, rest) = authorization.trim().split_once(' ')?;
    let algorithm = Algorithm::from_token(algorithm)?;
    let field = |name: &str| {
        rest.split(',')
            .map(str::trim)
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
    };
    let credential: Vec<&str> = field("Credential")?.split('/').collect();
    let signed: Vec<&str> = field("SignedHeaders")?.split(';').collect();
    let scope = match (algorithm, credential.as_slice()) {
        (Algorithm::V4, [_, date, region, service, _]) => {
            CredentialScope::v4(*date, *region, *service)
        }
        (Algorithm::V4a, [_, date, service, _]) => CredentialScope::v4a(*date, *service),
        _ => return None,
    };
    let payload = header(&parts.headers, X_AMZ_CONTENT_SHA256).unwrap_or(UNSIGNED_PAYLOAD);
    let creq = CanonicalRequest::new(
        &parts.method,
        &parts.uri,
        &parts.headers,
        &signed,
        payload,
        &authority(parts)?,
        EncodingMode::Double,
    )
    .ok()?;
    let amz_date = header(&parts.headers, X_AMZ_DATE).unwrap_or("");
    let sts = StringToSign::new(algorithm, amz_date, scope, &creq);
    let canonical = creq
        .to_string()
        .lines()
        .map(|line| match line.strip_prefix(X_AMZ_SECURITY_TOKEN) {
            Some(value) if value.starts_with(':') => format!("{X_AMZ_SECURITY_TOKEN}:{REDACTED}"),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let text = format!(
        "\nThe canonical request the fake computed (path double-encoded, as the AWS SDKs sign; \
         compare it with your client's, e.g. `lattice call -v`):\n{canonical}\n\n\
         The string to sign:\n{sts}\n\n\
         Signed headers: {}\n",
        creq.signed_headers()
    );
    Some(redact_token(text, &parts.headers))
}

/// `text` with every occurrence of the session token replaced.
fn redact_token(text: String, headers: &HeaderMap) -> String {
    match header(headers, X_AMZ_SECURITY_TOKEN).map(str::trim) {
        // A value this short cannot be told from ordinary text; its own
        // line is redacted already.
        Some(token) if token.len() >= 8 => text.replace(token, REDACTED),
        _ => text,
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The authority the signature binds: `:authority` on HTTP/2, else the
/// `Host` header (the verifier's rule), the default port dropped.
fn authority(parts: &http::request::Parts) -> Option<String> {
    let from_uri = parts.uri.authority().map(|a| a.as_str());
    let host = if parts.version == Version::HTTP_2 {
        from_uri.or_else(|| header(&parts.headers, HOST.as_str()))
    } else {
        header(&parts.headers, HOST.as_str()).or(from_uri)
    }?;
    let default = match parts.uri.scheme_str() {
        Some("https") => Some(":443"),
        Some("http") => Some(":80"),
        _ => None,
    };
    Some(match default.and_then(|d| host.strip_suffix(d)) {
        Some(stripped) => stripped.to_owned(),
        None => host.to_owned(),
    })
}
