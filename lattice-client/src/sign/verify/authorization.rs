//! Parsing the `authorization` header.

use http::Uri;

use super::super::canonical::{Algorithm, is_header_token};
use super::{MAX_SIGNED_HEADERS, MalformedAuthorization};

/// The parsed `authorization` header.
pub(super) struct Authorization<'a> {
    pub(super) algorithm: Algorithm,
    pub(super) access_key_id: &'a str,
    pub(super) scope_date: &'a str,
    pub(super) scope_region: Option<&'a str>,
    pub(super) scope_service: &'a str,
    pub(super) terminator: &'a str,
    pub(super) signed_headers: Vec<&'a str>,
    pub(super) signature: &'a str,
}

/// Whether the query carries presigned-URL parameters.
pub(super) fn is_presigned(uri: &Uri) -> bool {
    uri.query().is_some_and(|q| {
        q.split('&').any(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            key.eq_ignore_ascii_case("X-Amz-Signature")
                || key.eq_ignore_ascii_case("X-Amz-Algorithm")
        })
    })
}

pub(super) fn parse_authorization(text: &str) -> Result<Authorization<'_>, MalformedAuthorization> {
    use MalformedAuthorization as M;

    let (algorithm, params) = text.trim().split_once(' ').ok_or(M::Syntax)?;
    let algorithm = Algorithm::from_token(algorithm).ok_or(M::UnsupportedAlgorithm)?;

    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in params.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, value) = part.split_once('=').ok_or(M::Syntax)?;
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.replace(value.trim()).is_some() {
            return Err(M::RepeatedParameter);
        }
    }
    let credential = credential.ok_or(M::MissingCredential)?;
    let signed_headers = signed_headers.ok_or(M::MissingSignedHeaders)?;
    let signature = signature.ok_or(M::MissingSignature)?;

    let parts: Vec<&str> = credential.split('/').collect();
    let (access_key_id, scope_date, scope_region, scope_service, terminator) =
        match (algorithm, parts.as_slice()) {
            (Algorithm::V4, [key, date, region, service, term]) => {
                (*key, *date, Some(*region), *service, *term)
            }
            (Algorithm::V4a, [key, date, service, term]) => (*key, *date, None, *service, *term),
            _ => return Err(M::Credential),
        };
    if access_key_id.is_empty()
        || scope_date.is_empty()
        || scope_service.is_empty()
        || scope_region == Some("")
    {
        return Err(M::Credential);
    }

    let names: Vec<&str> = signed_headers
        .split(';')
        .take(MAX_SIGNED_HEADERS + 1)
        .collect();
    if names.len() > MAX_SIGNED_HEADERS {
        return Err(M::TooManySignedHeaders);
    }
    if !names.iter().all(|n| is_header_token(n))
        || !names.windows(2).all(|w| matches!(w, [a, b] if a < b))
    {
        return Err(M::SignedHeadersNotCanonical);
    }

    Ok(Authorization {
        algorithm,
        access_key_id,
        scope_date,
        scope_region,
        scope_service,
        terminator,
        signed_headers: names,
        signature,
    })
}
