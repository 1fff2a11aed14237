//! Host normalisation: which authority is signed, and whether this signer
//! may sign for it at all.

use std::collections::HashSet;
use std::sync::Mutex;

use http::header::{HOST, HeaderMap};
use http::uri::{Authority, Scheme, Uri};

use super::signer::Inner;
use crate::Error;
use crate::name::{DomainRegion, LatticeName};

/// Why a host may be signed for, and the region it implies.
pub(super) enum HostKind<'a> {
    /// A generated Lattice name and its region label.
    Generated(&'a str),
    /// A registered custom domain with its region or region set.
    Domain(&'a DomainRegion),
    /// A custom domain registered without a region, or any host when
    /// `sign_any_host` is on: the default region applies.
    Default,
}

/// Normalises the authority of `uri` in place, checks that this signer may
/// sign for its host, and reconciles a `Host` header with it (one that
/// agrees is removed: hyper writes it back from the URI; one that disagrees
/// is an error, since the connection goes to the URI host).
pub(super) fn prepare_host(
    inner: &Inner,
    localhost: bool,
    uri: &mut Uri,
    headers: &mut HeaderMap,
) -> Result<Authority, Error> {
    let (new_uri, authority) = normalize_authority(uri)?;
    if let Some(new_uri) = new_uri {
        *uri = new_uri;
    }
    allowed(inner, localhost, authority.host())?;
    if let Some(value) = headers.get(HOST) {
        let agrees = value.to_str().ok().is_some_and(|v| {
            let fake = format!("{}://{}/", uri.scheme_str().unwrap_or("https"), v);
            fake.parse::<Uri>()
                .ok()
                .and_then(|u| normalize_authority(&u).ok())
                .is_some_and(|(_, a)| a == authority)
        });
        if !agrees {
            return Err(Error::HostHeaderMismatch {
                header: String::from_utf8_lossy(value.as_bytes()).into_owned(),
                authority: authority.to_string(),
            });
        }
        headers.remove(HOST);
    }
    if uri.scheme() == Some(&Scheme::HTTP) {
        warn_plain_http(inner, authority.host());
    }
    Ok(authority)
}

/// Whether `host` (normalised: lower-case, no trailing dot, no port) may be
/// signed for, and what it says about the region.
///
/// `localhost` names (`orders.localhost`) are signed for the default region
/// only when `localhost` is set (the opt-in), unless registered as a custom
/// domain or `sign_any_host` is on.
pub(super) fn allowed<'a>(
    inner: &'a Inner,
    localhost: bool,
    host: &'a str,
) -> Result<HostKind<'a>, Error> {
    if let Some(region) = LatticeName::region_of(host) {
        return Ok(HostKind::Generated(region));
    }
    if let Some(region) = inner.domains.get(host) {
        return Ok(HostKind::Domain(region));
    }
    if inner.sign_any_host || inner.default_region_domains.iter().any(|p| p.matches(host)) {
        return Ok(HostKind::Default);
    }
    if crate::resolve::is_localhost(host) {
        if localhost || inner.allow_localhost {
            return Ok(HostKind::Default);
        }
        return Err(Error::LocalhostNotAllowed {
            host: host.to_owned(),
        });
    }
    Err(Error::HostNotAllowed {
        host: host.to_owned(),
    })
}

/// Normalises the authority of `uri`: lower-case host, one trailing dot
/// removed, the scheme's default port dropped. Returns the URI to use (only
/// rebuilt when something changed) and the normalised authority.
pub(super) fn normalize_authority(uri: &Uri) -> Result<(Option<Uri>, Authority), Error> {
    let scheme = uri.scheme().ok_or_else(|| {
        Error::invalid_uri(uri, "it has no scheme; use an absolute `https://` URI")
    })?;
    let authority = uri.authority().ok_or_else(|| {
        Error::invalid_uri(uri, "it has no authority (host); use an absolute URI")
    })?;
    let default_port = if *scheme == Scheme::HTTPS {
        443
    } else if *scheme == Scheme::HTTP {
        80
    } else {
        return Err(Error::invalid_uri(
            uri,
            "only `http` and `https` URIs can be signed",
        ));
    };
    if authority.as_str().contains('@') {
        return Err(Error::invalid_uri(
            uri,
            "it carries user information before the host; remove it",
        ));
    }
    let host = authority.host();
    if host.is_empty() {
        return Err(Error::invalid_uri(uri, "its host is empty"));
    }
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    if trimmed.is_empty() || trimmed.ends_with('.') {
        return Err(Error::invalid_uri(uri, "its host is not a valid name"));
    }
    let port = authority.port_u16();
    let drop_port = port == Some(default_port);
    // An explicit empty port (`host:`) is also dropped.
    let empty_port = port.is_none() && authority.as_str().ends_with(':');
    let needs_change = trimmed.len() != host.len()
        || host.bytes().any(|b| b.is_ascii_uppercase())
        || drop_port
        || empty_port;
    if !needs_change {
        return Ok((None, authority.clone()));
    }
    let mut text = trimmed.to_ascii_lowercase();
    if let (Some(p), false) = (port, drop_port) {
        text.push(':');
        text.push_str(&p.to_string());
    }
    let new_authority = Authority::try_from(text.as_str())
        .map_err(|_| Error::invalid_uri(uri, "its authority is not valid"))?;
    let mut parts = uri.clone().into_parts();
    parts.authority = Some(new_authority.clone());
    let new_uri = Uri::from_parts(parts)
        .map_err(|_| Error::invalid_uri(uri, "its authority is not valid"))?;
    Ok((Some(new_uri), new_authority))
}

/// Runs `log` the first time `key` is seen (bounded memory).
pub(super) fn warn_once(seen: &Mutex<HashSet<String>>, key: &str, log: impl FnOnce()) {
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    if seen.len() < 10_000 && !seen.contains(key) {
        seen.insert(key.to_owned());
        log();
    }
}

fn warn_plain_http(inner: &Inner, host: &str) {
    warn_once(&inner.warned_http, host, || {
        tracing::warn!(
            host,
            "signing a plain http:// request: the signature and any session token travel in clear text \
             and can be replayed for minutes; use https:// where the listener offers it"
        );
    });
}
