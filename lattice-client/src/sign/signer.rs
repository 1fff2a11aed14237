//! [`Signer`]: the signing steps of one request head.
//!
//! 1. host normalisation ([`super::host`]): the authority that is signed,
//!    and whether this signer may sign for it;
//! 2. parameters: algorithm, region or region set, and where it came from;
//! 3. the canonical request and string to sign ([`super::writer`]), hashed
//!    and signed with a cached key;
//! 4. the report.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_smithy_async::time::SharedTimeSource;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http::uri::{Authority, Uri};

use super::canonical::{Algorithm, EncodingMode, redact_for_log};
use super::crypto::{HmacKey, V4aSigningKey, derive_v4_key, push_hex};
use super::host::{self, HostKind};
use super::key::{KeyCache, Scope};
use super::writer::{self, Input, Layout, Scratch};
use super::{
    RegionSource, SIGNING_HEADERS, SIGNING_NAME, SignerBuilder, SigningAlgorithm, SigningRegion,
    SigningReport, UNSIGNED_PAYLOAD,
};
use crate::Error;
use crate::credentials::CredentialsCache;
use crate::name::{CustomDomains, DomainPattern, DomainRegion};

/// Access key ids whose derived keys a signer keeps (credentials rotate;
/// a few ids cover the overlap).
pub(super) const SIGNER_KEY_CACHE_IDS: usize = 8;

const X_AMZ_DATE: HeaderName = HeaderName::from_static("x-amz-date");
const X_AMZ_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-amz-content-sha256");
const X_AMZ_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-amz-security-token");
const X_AMZ_REGION_SET: HeaderName = HeaderName::from_static("x-amz-region-set");

/// Signs requests for VPC Lattice. Cheap to clone; clones share the
/// credentials cache.
#[derive(Clone)]
pub struct Signer {
    inner: Arc<Inner>,
    /// Sign for `localhost` names (set on this clone only).
    localhost: bool,
}

pub(super) struct Inner {
    pub(super) credentials: CredentialsCache,
    pub(super) time: SharedTimeSource,
    pub(super) region: Option<String>,
    pub(super) algorithm: SigningAlgorithm,
    /// Custom domains with a region or a SigV4A region set.
    pub(super) domains: CustomDomains,
    /// Custom domains signed with the default region.
    pub(super) default_region_domains: Vec<DomainPattern>,
    pub(super) sign_any_host: bool,
    /// Sign for `localhost` names with the default region.
    pub(super) allow_localhost: bool,
    /// Header names never signed (lower-case), besides `x-forwarded-*`.
    pub(super) excluded: Box<[HeaderName]>,
    /// Keep the canonical request and string to sign in the report.
    pub(super) capture: bool,
    /// Derived SigV4 signing keys.
    pub(super) v4_keys: KeyCache<HmacKey>,
    /// Derived SigV4A key pairs.
    pub(super) v4a_keys: KeyCache<V4aSigningKey>,
    /// Header values reused from one request to the next.
    pub(super) hot: Mutex<Hot>,
    pub(super) warned_http: Mutex<HashSet<String>>,
    pub(super) warned_region: Mutex<HashSet<String>>,
}

/// Header values that stay the same for many requests, kept so that signing
/// does not allocate them again: `x-amz-date` for the current second and the
/// session token of the current credentials.
#[derive(Default)]
pub(super) struct Hot {
    date: Option<(u64, [u8; 16], HeaderValue)>,
    token: Option<HeaderValue>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("signing_name", &SIGNING_NAME)
            .field("algorithm", &self.inner.algorithm)
            .field("region", &self.inner.region)
            .field("custom_domains", &self.inner.domains)
            .field("default_region_domains", &self.inner.default_region_domains)
            .field("sign_any_host", &self.inner.sign_any_host)
            .field(
                "allow_localhost",
                &(self.localhost || self.inner.allow_localhost),
            )
            .field("credentials", &self.inner.credentials)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A builder with SigV4, no default region and only Lattice hosts.
    pub fn builder() -> SignerBuilder {
        SignerBuilder::default()
    }

    /// The credentials cache (shared by clones of this signer).
    pub fn credentials(&self) -> &CredentialsCache {
        &self.inner.credentials
    }

    /// The configured algorithm.
    pub fn algorithm(&self) -> &SigningAlgorithm {
        &self.inner.algorithm
    }

    /// This signer, also signing for `localhost` names (`orders.localhost`,
    /// as the fake Lattice answers) with its default region when `yes`; see
    /// [`SignerBuilder::allow_localhost`] (`false` does not undo the
    /// builder's setting). Clones made before are unchanged; the
    /// credentials cache is shared.
    #[must_use]
    pub fn allow_localhost(mut self, yes: bool) -> Self {
        self.localhost = yes;
        self
    }

    /// Whether this signer would sign a request to `uri` (its scheme and
    /// authority are usable and its host is allowed). Redirect loops use it
    /// before following a `Location`.
    pub fn may_sign(&self, uri: &Uri) -> bool {
        match host::normalize_authority(uri) {
            Ok((_, authority)) => {
                host::allowed(&self.inner, self.localhost, authority.host()).is_ok()
            }
            Err(_) => false,
        }
    }

    /// Signs `request` in place with cached (refreshed when needed) credentials.
    ///
    /// # Errors
    ///
    /// See [`sign_with`](Self::sign_with); also [`Error::Credentials`] when the
    /// provider fails.
    pub async fn sign<B>(&self, request: &mut http::Request<B>) -> Result<SigningReport, Error> {
        let credentials = self.inner.credentials.get().await?;
        self.sign_with(request, &credentials)
    }

    /// Signs `request` in place with the given credentials at the signer's
    /// clock time. Never reads the body.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidUri`] (no scheme or authority), [`Error::HostNotAllowed`],
    /// [`Error::HostHeaderMismatch`], [`Error::InvalidHeaderValue`],
    /// [`Error::NoRegion`], [`Error::Signing`].
    pub fn sign_with<B>(
        &self,
        request: &mut http::Request<B>,
        credentials: &Credentials,
    ) -> Result<SigningReport, Error> {
        let method = request.method().clone();
        let region = request.extensions().get::<SigningRegion>().cloned();
        let now = self.inner.time.now();
        let mut uri = std::mem::take(request.uri_mut());
        let result = sign_head(
            self,
            &method,
            &mut uri,
            request.headers_mut(),
            region.as_ref().map(SigningRegion::as_str),
            credentials,
            now,
        );
        *request.uri_mut() = uri;
        result
    }

    /// Signs a request head in place with cached credentials.
    ///
    /// # Errors
    ///
    /// As [`sign`](Self::sign).
    pub async fn sign_parts(
        &self,
        parts: &mut http::request::Parts,
    ) -> Result<SigningReport, Error> {
        let credentials = self.inner.credentials.get().await?;
        self.sign_parts_with(parts, &credentials)
    }

    /// Signs a request head in place with the given credentials.
    ///
    /// # Errors
    ///
    /// As [`sign_with`](Self::sign_with).
    pub fn sign_parts_with(
        &self,
        parts: &mut http::request::Parts,
        credentials: &Credentials,
    ) -> Result<SigningReport, Error> {
        let override_region = parts.extensions.get::<SigningRegion>();
        let now = self.inner.time.now();
        sign_head(
            self,
            &parts.method,
            &mut parts.uri,
            &mut parts.headers,
            override_region.map(SigningRegion::as_str),
            credentials,
            now,
        )
    }
}

impl Signer {
    pub(super) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
            localhost: false,
        }
    }
}

/// The algorithm and region (or region set) of one request.
struct Params<'a> {
    algorithm: Algorithm,
    region: Cow<'a, str>,
    source: RegionSource,
}

fn sign_head(
    signer: &Signer,
    method: &http::Method,
    uri: &mut Uri,
    headers: &mut HeaderMap,
    override_region: Option<&str>,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<SigningReport, Error> {
    let (inner, localhost) = (&*signer.inner, signer.localhost);
    let authority = host::prepare_host(inner, localhost, uri, headers)?;
    let params = parameters(inner, localhost, authority.host(), override_region)?;
    for name in SIGNING_HEADERS {
        headers.remove(name);
    }
    writer::with_scratch(|scratch| {
        let layout = sign_into(
            inner,
            scratch,
            method,
            uri,
            headers,
            &authority,
            &params,
            credentials,
            now,
        )?;
        Ok(report(inner, scratch, &layout, &authority, params))
    })
}

/// The signing proper: canonical request, string to sign, signature, and
/// the headers added to the request.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the steps of one request"
)]
fn sign_into(
    inner: &Inner,
    scratch: &mut Scratch,
    method: &http::Method,
    uri: &Uri,
    headers: &mut HeaderMap,
    authority: &Authority,
    params: &Params<'_>,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<Layout, Error> {
    let (amz_date, date_value, token_value) = hot_values(inner, now, credentials.session_token())?;
    let amz_date = std::str::from_utf8(&amz_date).unwrap_or_default();
    let date = amz_date.get(..8).unwrap_or_default();
    let mut added: [(&str, &str); 4] = [
        ("x-amz-date", amz_date),
        ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
        ("", ""),
        ("", ""),
    ];
    let mut n_added = 2;
    if let Some(token) = credentials.session_token() {
        added[n_added] = ("x-amz-security-token", token);
        n_added += 1;
    }
    if params.algorithm == Algorithm::V4a {
        added[n_added] = ("x-amz-region-set", &params.region);
        n_added += 1;
    }
    let scope_region = (params.algorithm == Algorithm::V4).then_some(&*params.region);
    let input = Input {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query(),
        mode: EncodingMode::Double,
        host: authority.as_str(),
        headers,
        added: added.get(..n_added).unwrap_or_default(),
        payload_hash: UNSIGNED_PAYLOAD,
    };
    let layout = writer::write(
        scratch,
        &input,
        |name| is_excluded(inner, name),
        params.algorithm,
        amz_date,
        (date, scope_region, SIGNING_NAME),
    )
    .map_err(|unsignable| Error::InvalidHeaderValue {
        name: unsignable.0.to_owned(),
    })?;

    let Scratch { buf, signature, .. } = scratch;
    let string_to_sign = buf.get(layout.string_to_sign.clone()).unwrap_or_default();
    signature.clear();
    let akid = credentials.access_key_id();
    let secret = credentials.secret_access_key();
    match params.algorithm {
        Algorithm::V4 => {
            let region = scope_region.unwrap_or_default();
            let scope = Scope {
                date,
                region,
                service: SIGNING_NAME,
            };
            let key = inner.v4_keys.get_or_derive(akid, secret, scope, || {
                Ok::<_, Error>(derive_v4_key(secret, now, region, SIGNING_NAME))
            })?;
            push_hex(signature, &key.sign(string_to_sign));
        }
        _ => {
            let key = inner
                .v4a_keys
                .get_or_derive(akid, secret, Scope::NONE, || {
                    V4aSigningKey::derive(akid, secret).ok_or_else(|| {
                        Error::Config(
                            "the SigV4A key cannot be derived from these credentials".into(),
                        )
                    })
                })?;
            if !key.sign_hex(string_to_sign, signature) {
                return Err(Error::Config("the SigV4A signature failed".into()));
            }
        }
    }

    let authorization = authorization_value(
        params.algorithm,
        akid,
        (date, scope_region),
        buf.get(layout.signed_headers.clone()).unwrap_or_default(),
        signature,
    )?;
    headers.insert(X_AMZ_DATE, date_value);
    headers.insert(
        X_AMZ_CONTENT_SHA256,
        HeaderValue::from_static(UNSIGNED_PAYLOAD),
    );
    if let Some(token) = token_value {
        headers.insert(X_AMZ_SECURITY_TOKEN, token);
    }
    if params.algorithm == Algorithm::V4a {
        let value =
            HeaderValue::from_str(&params.region).map_err(|_| Error::InvalidHeaderValue {
                name: X_AMZ_REGION_SET.as_str().to_owned(),
            })?;
        headers.insert(X_AMZ_REGION_SET, value);
    }
    headers.insert(http::header::AUTHORIZATION, authorization);
    Ok(layout)
}

/// `<algorithm> Credential=<id>/<scope>, SignedHeaders=<names>, Signature=<hex>`,
/// built in one allocation of the exact size and marked sensitive.
fn authorization_value(
    algorithm: Algorithm,
    access_key_id: &str,
    (date, region): (&str, Option<&str>),
    signed_headers: &[u8],
    signature: &[u8],
) -> Result<HeaderValue, Error> {
    let scope_len = date.len() + region.map_or(0, |r| r.len() + 1) + SIGNING_NAME.len() + 15;
    let len = algorithm.as_str().len()
        + " Credential=".len()
        + access_key_id.len()
        + 1
        + scope_len
        + ", SignedHeaders=".len()
        + signed_headers.len()
        + ", Signature=".len()
        + signature.len();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(algorithm.as_str().as_bytes());
    out.extend_from_slice(b" Credential=");
    out.extend_from_slice(access_key_id.as_bytes());
    out.push(b'/');
    writer::write_scope(&mut out, (date, region, SIGNING_NAME));
    out.extend_from_slice(b", SignedHeaders=");
    out.extend_from_slice(signed_headers);
    out.extend_from_slice(b", Signature=");
    out.extend_from_slice(signature);
    let mut value = HeaderValue::from_maybe_shared(Bytes::from(out)).map_err(|_| {
        Error::InvalidHeaderValue {
            name: "authorization".to_owned(),
        }
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `x-amz-date` (text and header value) for `now`, and the session token
/// header value, reused while the second and the token are unchanged.
fn hot_values(
    inner: &Inner,
    now: SystemTime,
    token: Option<&str>,
) -> Result<([u8; 16], HeaderValue, Option<HeaderValue>), Error> {
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut hot = inner.hot.lock().unwrap_or_else(PoisonError::into_inner);
    let date = match &hot.date {
        Some((s, text, value)) if *s == secs => (*text, value.clone()),
        _ => {
            let text = super::date::amz_date_bytes(now);
            let value = HeaderValue::from_bytes(&text).map_err(|_| Error::InvalidHeaderValue {
                name: X_AMZ_DATE.as_str().to_owned(),
            })?;
            hot.date = Some((secs, text, value.clone()));
            (text, value)
        }
    };
    let token = match token {
        None => None,
        Some(token) => match &hot.token {
            Some(value) if value.as_bytes() == token.as_bytes() => Some(value.clone()),
            _ => {
                let mut value =
                    HeaderValue::from_str(token).map_err(|_| Error::InvalidHeaderValue {
                        name: X_AMZ_SECURITY_TOKEN.as_str().to_owned(),
                    })?;
                value.set_sensitive(true);
                hot.token = Some(value.clone());
                Some(value)
            }
        },
    };
    Ok((date.0, date.1, token))
}

fn is_excluded(inner: &Inner, name: &HeaderName) -> bool {
    name.as_str().starts_with("x-forwarded-") || inner.excluded.contains(name)
}

/// The report: what was signed, and the captured texts when asked for.
fn report(
    inner: &Inner,
    scratch: &Scratch,
    layout: &Layout,
    authority: &Authority,
    params: Params<'_>,
) -> SigningReport {
    let text = |range: std::ops::Range<usize>| {
        String::from_utf8_lossy(scratch.buf.get(range).unwrap_or_default()).into_owned()
    };
    let signed_headers = text(layout.signed_headers.clone());
    let (canonical_request, string_to_sign) = if inner.capture {
        (
            Some(text(layout.canonical_request.clone())),
            Some(text(layout.string_to_sign.clone())),
        )
    } else {
        (None, None)
    };
    let sts = scratch
        .buf
        .get(layout.string_to_sign.clone())
        .unwrap_or_default();
    // The third line of the string to sign is the scope.
    let scope = sts
        .split(|&b| b == b'\n')
        .nth(2)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default();
    if tracing::enabled!(tracing::Level::TRACE) {
        let creq = String::from_utf8_lossy(
            scratch
                .buf
                .get(layout.canonical_request.clone())
                .unwrap_or_default(),
        );
        tracing::trace!(
            canonical_request = %redact_for_log(&creq),
            string_to_sign = %String::from_utf8_lossy(sts),
            "signing parameters"
        );
    }
    tracing::debug!(
        host = %authority,
        algorithm = %params.algorithm,
        scope = %scope,
        signed_headers = %signed_headers,
        "signed request for VPC Lattice"
    );
    SigningReport {
        algorithm: params.algorithm,
        scope,
        host: authority.as_str().to_owned(),
        signed_headers,
        region: params.region.into_owned(),
        region_source: params.source,
        canonical_request,
        string_to_sign,
    }
}

/// Parameters: picks the algorithm and region for one request. Precedence: the configured SigV4A
/// region set; a per-request [`SigningRegion`]; the region inside a generated
/// name; the custom-domain table (a region, or a region set which selects
/// SigV4A for this request); the default region.
fn parameters<'a>(
    inner: &'a Inner,
    localhost: bool,
    host: &'a str,
    override_region: Option<&'a str>,
) -> Result<Params<'a>, Error> {
    let v4 = |region: &'a str, source| Params {
        algorithm: Algorithm::V4,
        region: Cow::Borrowed(region),
        source,
    };
    if let SigningAlgorithm::SigV4A { region_set } = &inner.algorithm {
        return Ok(Params {
            algorithm: Algorithm::V4a,
            region: Cow::Borrowed(region_set),
            source: RegionSource::Default,
        });
    }
    if let Some(region) = override_region {
        return Ok(v4(region, RegionSource::Request));
    }
    let kind = host::allowed(inner, localhost, host)?;
    let default = inner.region.as_deref();
    match kind {
        HostKind::Generated(region) => {
            if let Some(default) = default
                && default != region
            {
                host::warn_once(&inner.warned_region, host, || {
                    tracing::warn!(
                        host,
                        name_region = region,
                        default_region = default,
                        "the default signing region disagrees with the region in the Lattice name; \
                         signing for the name's region"
                    );
                });
            }
            Ok(v4(region, RegionSource::Name))
        }
        HostKind::Domain(DomainRegion::Region(region)) => {
            Ok(v4(region, RegionSource::CustomDomain))
        }
        HostKind::Domain(DomainRegion::RegionSet(set)) => Ok(Params {
            algorithm: Algorithm::V4a,
            region: Cow::Owned(set.join(",")),
            source: RegionSource::CustomDomain,
        }),
        HostKind::Default => default
            .map(|region| v4(region, RegionSource::Default))
            .ok_or_else(|| Error::NoRegion {
                host: host.to_owned(),
            }),
    }
}
