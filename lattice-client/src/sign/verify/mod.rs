//! SigV4 / SigV4A request verification, as VPC Lattice does it.
//!
//! A [`Verifier`] checks the `authorization` header of an incoming request
//! against secret keys it gets from a [`CredentialsLookup`], and returns the
//! authenticated principal ([`Verified`]) or a [`VerifyError`] whose `Display`
//! is the single-line body Lattice answers with.
//!
//! Two profiles:
//!
//! - [`Profile::Lattice`]: the rules of the Lattice data plane (signing name
//!   `vpc-lattice-svcs`, `x-amz-content-sha256: UNSIGNED-PAYLOAD` signed,
//!   both canonical URI encodings accepted, the service's region or a SigV4A
//!   region set covering it);
//! - [`Profile::Generic`]: signing name, region, encoding mode and payload
//!   hash are parameters. Used to run the AWS signing test suite.
//!
//! Only header-based signatures are supported; presigned URLs (query-string
//! authentication) are rejected with [`VerifyError::PresignedNotSupported`].
//!
//! # Accepting both URI encodings
//!
//! Which canonical URI encoding Lattice verifies is not documented (assumed;
//! see docs/assumptions.md), so the Lattice profile accepts [`EncodingMode::Double`] and then
//! [`EncodingMode::Single`]. The price: a signature made in `Double` mode for a
//! path `P` also verifies, in `Single` mode, for the path whose text is
//! `Double(P)` (e.g. a signature for `/a%20b` also fits `/a%2520b`), so anyone
//! who sees a signed request can replay it, within the window, against that
//! second path. Paths made of unreserved characters are not affected. Use
//! [`Profile::Generic`] with [`EncodingPolicy::Only`] where that matters.
//!
//! # What a signature binds
//!
//! A verified signature binds, byte for byte after canonicalisation:
//!
//! - the method;
//! - the path after dot-segment removal and `//` collapsing (`Double`) or
//!   as sent (`Single`), so `/a/./b` and `/a/b` carry the same signature;
//! - the query as a sorted multiset of decoded `key=value` pairs: pair
//!   order, `+` versus `%20`, `%7E` versus `~`, and the case of hex digits
//!   are not bound. In the Lattice profile a query component whose
//!   percent-decoding is not UTF-8 is refused
//!   ([`VerifyError::NonUtf8Query`]), so every accepted query has exactly one
//!   decoded form (otherwise `%FF`, `%FE` and `%C0` would all decode to
//!   U+FFFD and share a signature);
//! - `host` (the authority, default port dropped), `x-amz-date`,
//!   `x-amz-content-sha256`, `x-amz-security-token`, `x-amz-region-set`
//!   and every other header named in `SignedHeaders`, each value with
//!   leading and trailing spaces removed and inner runs of spaces collapsed;
//! - the date, region (SigV4) or region set (SigV4A), service and access key.
//!
//! It does not bind: the body (Lattice signs `UNSIGNED-PAYLOAD`); headers
//! not named in `SignedHeaders` (a proxy may add, change or drop them);
//! the HTTP version; the order of pairs in the query; and, in the Lattice
//! profile, the choice between the two path encodings (above). A signed
//! request can be replayed unchanged within the clock window.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use lattice_client::sign::verify::{
//!     FixedClock, KeyCredentials, Profile, StaticCredentials, Verifier,
//! };
//!
//! let mut keys = StaticCredentials::new();
//! keys.insert(
//!     "AKIDEXAMPLE",
//!     KeyCredentials::new(
//!         "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!         "arn:aws:iam::123456789012:user/example".to_owned(),
//!     ),
//! );
//! let verifier = Verifier::builder(keys, Profile::lattice("us-west-2"))
//!     .clock(FixedClock(SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160)))
//!     .build()
//!     .expect("valid configuration");
//! let unsigned = http::Request::get("https://svc.example/").body(()).unwrap();
//! let err = verifier.verify(&unsigned).unwrap_err();
//! assert!(err.is_unsigned());
//! ```

mod authorization;
mod credentials;
mod error;
mod profile;
mod request;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Uri, Version};
use subtle::ConstantTimeEq;

use self::authorization::{Authorization, is_presigned, parse_authorization};
pub use self::credentials::{
    Clock, CredentialsLookup, FixedClock, KeyCredentials, StaticCredentials, SystemClock,
};
use self::error::sanitize;
pub use self::error::{MalformedAuthorization, TokenProblem, VerifyError};
pub use self::profile::{ConfigError, EncodingPolicy, GenericProfile, PayloadPolicy, Profile};
pub use self::request::{RequestView, Verified};
use super::SIGNING_NAME;
use super::canonical::{
    AWS4_REQUEST, Algorithm, CanonicalError, CanonicalRequest, CredentialScope, EncodingMode,
    StringToSign, UNSIGNED_PAYLOAD,
};
use super::crypto::{HmacKey, V4aSigningKey, V4aVerifyingKey, derive_v4_key};
pub use super::date::{format_amz_date, parse_amz_date};
use super::key::{KeyCache, Scope};

/// Longest `authorization` header accepted, in bytes.
pub const MAX_AUTHORIZATION_LEN: usize = 8 * 1024;
/// Most names accepted in `SignedHeaders`.
pub const MAX_SIGNED_HEADERS: usize = 100;
/// Default accepted distance between the clock and `x-amz-date`.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Default number of access keys whose derived keys the verifier caches.
pub const DEFAULT_KEY_CACHE_CAPACITY: usize = 1024;

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_REGION_SET: &str = "x-amz-region-set";
const HOST: &str = "host";
/// A DER ECDSA P-256 signature is at most 72 bytes, 144 hex digits.
const MAX_V4A_SIGNATURE_HEX: usize = 144;

/// Where the canonical payload hash comes from (resolved profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PayloadRule {
    Lattice,
    Generic(PayloadPolicy),
}

#[derive(Clone, Debug)]
struct Rules {
    service: String,
    region: String,
    encoding: EncodingPolicy,
    payload: PayloadRule,
}

/// Builds a [`Verifier`]. See [`Verifier::builder`].
pub struct VerifierBuilder<L> {
    lookup: L,
    profile: Profile,
    clock: Arc<dyn Clock>,
    window: Duration,
    key_cache_capacity: usize,
}

impl<L> fmt::Debug for VerifierBuilder<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("profile", &self.profile)
            .field("window", &self.window)
            .field("key_cache_capacity", &self.key_cache_capacity)
            .finish_non_exhaustive()
    }
}

impl<L: CredentialsLookup> VerifierBuilder<L> {
    /// The clock (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The accepted distance between the clock and `x-amz-date`, both ways
    /// (default [`DEFAULT_WINDOW`], ±5 minutes).
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// How many access keys' derived keys to cache: SigV4A public keys and
    /// SigV4 signing keys (one per access key, for its current day, region
    /// and service), each cache this size (default
    /// [`DEFAULT_KEY_CACHE_CAPACITY`]; `0` disables both). A cached key is
    /// used only while the secret it came from is unchanged.
    pub fn key_cache_capacity(mut self, capacity: usize) -> Self {
        self.key_cache_capacity = capacity;
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an empty or malformed region or signing name.
    pub fn build(self) -> Result<Verifier<L>, ConfigError> {
        let rules = match self.profile {
            Profile::Lattice { region } => Rules {
                service: SIGNING_NAME.to_owned(),
                region,
                encoding: EncodingPolicy::Either,
                payload: PayloadRule::Lattice,
            },
            Profile::Generic(g) => Rules {
                service: g.service,
                region: g.region,
                encoding: g.encoding,
                payload: PayloadRule::Generic(g.payload),
            },
        };
        if rules.region.is_empty()
            || !rules
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ConfigError::InvalidRegion(rules.region));
        }
        if rules.service.is_empty()
            || rules
                .service
                .bytes()
                .any(|b| b == b'/' || !b.is_ascii_graphic())
        {
            return Err(ConfigError::InvalidService(rules.service));
        }
        Ok(Verifier {
            lookup: self.lookup,
            rules,
            clock: self.clock,
            window: self.window,
            v4_keys: KeyCache::new(self.key_cache_capacity),
            v4a_keys: KeyCache::new(self.key_cache_capacity),
        })
    }
}

/// Verifies SigV4 / SigV4A signed requests. Cheap to share (`&self` only).
pub struct Verifier<L> {
    lookup: L,
    rules: Rules,
    clock: Arc<dyn Clock>,
    window: Duration,
    /// Derived SigV4 signing keys.
    v4_keys: KeyCache<HmacKey>,
    /// Derived SigV4A public keys.
    v4a_keys: KeyCache<V4aVerifyingKey>,
}

impl<L> fmt::Debug for Verifier<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("rules", &self.rules)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

/// The date and scope of a request, checked.
struct Dated<'a> {
    amz_date: &'a str,
    request_time: SystemTime,
    region_set: Option<&'a str>,
}

impl<L: CredentialsLookup> Verifier<L> {
    /// Starts a builder for `profile`, with credentials from `lookup`.
    pub fn builder(lookup: L, profile: Profile) -> VerifierBuilder<L> {
        VerifierBuilder {
            lookup,
            profile,
            clock: Arc::new(SystemClock),
            window: DEFAULT_WINDOW,
            key_cache_capacity: DEFAULT_KEY_CACHE_CAPACITY,
        }
    }

    /// Verifies one request.
    ///
    /// # Errors
    ///
    /// A [`VerifyError`] whose `Display` is the line to answer with.
    pub fn verify<'a>(
        &self,
        request: impl Into<RequestView<'a>>,
    ) -> Result<Verified<L::Principal>, VerifyError> {
        let request = request.into();
        let result = self.verify_view(&request);
        if let Err(err) = &result {
            tracing::debug!(code = err.code(), error = %err, "request signature rejected");
        }
        result
    }

    fn verify_view(&self, req: &RequestView<'_>) -> Result<Verified<L::Principal>, VerifyError> {
        let auth = authorization(req)?;
        self.required_signed_headers(req, &auth)?;
        let authority = request_authority(req)?;
        for name in &auth.signed_headers {
            if *name != HOST && !req.headers.contains_key(*name) {
                return Err(VerifyError::SignedHeaderMissing((*name).to_owned()));
            }
        }
        if self.rules.payload == PayloadRule::Lattice {
            check_query_utf8(req.uri)?;
        }
        let payload_hash = self.payload_hash(req)?;
        let dated = self.scope(req.headers, &auth)?;
        let (creds, token_sent) = self.token(req.headers, &auth)?;
        let (scope, encoding) = self.signature(
            req,
            &auth,
            &authority,
            payload_hash,
            &dated,
            creds.secret_access_key(),
        )?;
        Ok(Verified {
            principal: creds.principal().clone(),
            access_key_id: auth.access_key_id.to_owned(),
            algorithm: auth.algorithm,
            encoding,
            signed_headers: auth
                .signed_headers
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            scope,
            region_set: dated.region_set.map(str::to_owned),
            request_time: dated.request_time,
            session_token: token_sent,
        })
    }

    /// Headers the profile requires to be signed.
    fn required_signed_headers(
        &self,
        _req: &RequestView<'_>,
        auth: &Authorization<'_>,
    ) -> Result<(), VerifyError> {
        let signed = |name: &str| auth.signed_headers.binary_search(&name).is_ok();
        let header_required = match self.rules.payload {
            PayloadRule::Lattice | PayloadRule::Generic(PayloadPolicy::FromHeader) => true,
            PayloadRule::Generic(_) => false,
        };
        if header_required && !signed(X_AMZ_CONTENT_SHA256) {
            return Err(VerifyError::RequiredHeaderNotSigned(X_AMZ_CONTENT_SHA256));
        }
        if !signed(HOST) {
            return Err(VerifyError::RequiredHeaderNotSigned(HOST));
        }
        if !signed(X_AMZ_DATE) {
            return Err(VerifyError::RequiredHeaderNotSigned(X_AMZ_DATE));
        }
        if auth.algorithm == Algorithm::V4a && !signed(X_AMZ_REGION_SET) {
            return Err(VerifyError::RequiredHeaderNotSigned(X_AMZ_REGION_SET));
        }
        Ok(())
    }

    /// The payload hash (last line of the canonical request).
    fn payload_hash<'r>(&self, req: &RequestView<'r>) -> Result<&'r str, VerifyError> {
        let content_sha256 = single_header(req.headers, X_AMZ_CONTENT_SHA256)?;
        match self.rules.payload {
            PayloadRule::Lattice => {
                if content_sha256 != Some(UNSIGNED_PAYLOAD.as_bytes()) {
                    return Err(VerifyError::SignedPayloadNotSupported);
                }
                Ok(UNSIGNED_PAYLOAD)
            }
            PayloadRule::Generic(PayloadPolicy::Unsigned) => {
                check_optional_hash(content_sha256, UNSIGNED_PAYLOAD)?;
                Ok(UNSIGNED_PAYLOAD)
            }
            PayloadRule::Generic(PayloadPolicy::FromHeader) => content_sha256
                .and_then(|v| std::str::from_utf8(v).ok())
                .ok_or(VerifyError::RequiredHeaderNotSigned(X_AMZ_CONTENT_SHA256)),
            PayloadRule::Generic(PayloadPolicy::BodySha256) => {
                let body = req.body_sha256.ok_or(VerifyError::Internal(
                    "no body hash supplied for PayloadPolicy::BodySha256",
                ))?;
                check_optional_hash(content_sha256, body)?;
                Ok(body)
            }
        }
    }

    /// Date, scope (terminator, service, region or region set) and clock window.
    fn scope<'h>(
        &self,
        headers: &'h HeaderMap,
        auth: &Authorization<'_>,
    ) -> Result<Dated<'h>, VerifyError> {
        let amz_date_bytes = single_header(headers, X_AMZ_DATE)?.ok_or(VerifyError::MissingDate)?;
        let amz_date =
            std::str::from_utf8(amz_date_bytes).map_err(|_| VerifyError::MalformedDate)?;
        let request_time = parse_amz_date(amz_date).ok_or(VerifyError::MalformedDate)?;
        let date = amz_date.get(..8).ok_or(VerifyError::MalformedDate)?;
        if auth.scope_date != date {
            return Err(VerifyError::ScopeDateMismatch {
                scope_date: sanitize(auth.scope_date),
                date: date.to_owned(),
                amz_date: amz_date.to_owned(),
            });
        }
        if auth.terminator != AWS4_REQUEST {
            return Err(VerifyError::WrongTerminator(sanitize(auth.terminator)));
        }
        if auth.scope_service != self.rules.service {
            return Err(VerifyError::WrongService {
                expected: self.rules.service.clone(),
                found: sanitize(auth.scope_service),
            });
        }
        let mut region_set = None;
        match (auth.algorithm, auth.scope_region) {
            (Algorithm::V4, Some(region)) => {
                if region != self.rules.region {
                    return Err(VerifyError::WrongRegion {
                        expected: self.rules.region.clone(),
                        found: sanitize(region),
                    });
                }
            }
            (Algorithm::V4a, None) => {
                let set = single_header(headers, X_AMZ_REGION_SET)?
                    .ok_or(VerifyError::RequiredHeaderNotSigned(X_AMZ_REGION_SET))?;
                let set = std::str::from_utf8(set)
                    .map_err(|_| VerifyError::NonUtf8HeaderValue(X_AMZ_REGION_SET.to_owned()))?;
                if !region_set_covers(set, &self.rules.region) {
                    return Err(VerifyError::RegionSetMismatch {
                        expected: self.rules.region.clone(),
                        found: sanitize(set),
                    });
                }
                region_set = Some(set);
            }
            _ => {
                return Err(VerifyError::MalformedAuthorization(
                    MalformedAuthorization::Credential,
                ));
            }
        }
        self.check_window(request_time, amz_date)?;
        Ok(Dated {
            amz_date,
            request_time,
            region_set,
        })
    }

    /// The credentials of the access key, and the session token against them.
    fn token(
        &self,
        headers: &HeaderMap,
        auth: &Authorization<'_>,
    ) -> Result<(KeyCredentials<L::Principal>, bool), VerifyError> {
        let creds = self
            .lookup
            .lookup(auth.access_key_id)
            .ok_or(VerifyError::UnknownAccessKey)?;
        let sent_token = single_header(headers, X_AMZ_SECURITY_TOKEN)?;
        match (creds.session_token(), sent_token) {
            (Some(_), None) => return Err(VerifyError::InvalidSessionToken(TokenProblem::Missing)),
            (None, Some(_)) => {
                return Err(VerifyError::InvalidSessionToken(TokenProblem::Unexpected));
            }
            (Some(expected), Some(sent)) => {
                if !bool::from(expected.as_bytes().ct_eq(sent)) {
                    return Err(VerifyError::InvalidSessionToken(TokenProblem::Mismatch));
                }
            }
            (None, None) => {}
        }
        Ok((creds, sent_token.is_some()))
    }

    /// The canonical request in each accepted encoding, and the signature
    /// against it with the cached key.
    fn signature(
        &self,
        req: &RequestView<'_>,
        auth: &Authorization<'_>,
        authority: &str,
        payload_hash: &str,
        dated: &Dated<'_>,
        secret: &str,
    ) -> Result<(CredentialScope, EncodingMode), VerifyError> {
        let scope = match auth.scope_region {
            Some(region) => CredentialScope::v4(auth.scope_date, region, auth.scope_service),
            None => CredentialScope::v4a(auth.scope_date, auth.scope_service),
        };
        let mut previous_uri: Option<String> = None;
        for &mode in self.rules.encoding.modes() {
            let creq = CanonicalRequest::new(
                req.method,
                req.uri,
                req.headers,
                &auth.signed_headers,
                payload_hash,
                authority,
                mode,
            )
            .map_err(map_canonical_error)?;
            if previous_uri.as_deref() == Some(creq.canonical_uri()) {
                continue;
            }
            previous_uri = Some(creq.canonical_uri().to_owned());
            let sts =
                StringToSign::new(auth.algorithm, dated.amz_date, scope.clone(), &creq).to_string();
            let ok = match auth.algorithm {
                Algorithm::V4 => {
                    let region = scope.region().unwrap_or_default();
                    let key_scope = Scope {
                        date: scope.date(),
                        region,
                        service: scope.service(),
                    };
                    let key = self.v4_keys.get_or_derive(
                        auth.access_key_id,
                        secret,
                        key_scope,
                        || {
                            Ok::<_, VerifyError>(derive_v4_key(
                                secret,
                                dated.request_time,
                                region,
                                scope.service(),
                            ))
                        },
                    )?;
                    verify_v4(&key, &sts, auth.signature)
                }
                _ => {
                    let key = self.v4a_keys.get_or_derive(
                        auth.access_key_id,
                        secret,
                        Scope::NONE,
                        || {
                            V4aSigningKey::derive(auth.access_key_id, secret)
                                .as_ref()
                                .and_then(V4aVerifyingKey::of)
                                .ok_or(VerifyError::Internal("SigV4A key derivation failed"))
                        },
                    )?;
                    verify_v4a(&key, &sts, auth.signature)
                }
            };
            if ok {
                return Ok((scope, mode));
            }
            tracing::trace!(encoding = %mode, canonical_request = %creq.redacted(), "signature does not match");
        }
        Err(VerifyError::SignatureMismatch)
    }

    fn check_window(&self, request_time: SystemTime, amz_date: &str) -> Result<(), VerifyError> {
        let now = self.clock.now();
        if let Some(earliest) = now.checked_sub(self.window)
            && request_time < earliest
        {
            return Err(VerifyError::Expired {
                request_time: amz_date.to_owned(),
                earliest: format_amz_date(earliest),
                now: format_amz_date(now),
                window: window_text(self.window),
            });
        }
        if let Some(latest) = now.checked_add(self.window)
            && request_time > latest
        {
            return Err(VerifyError::NotYetCurrent {
                request_time: amz_date.to_owned(),
                latest: format_amz_date(latest),
                now: format_amz_date(now),
                window: window_text(self.window),
            });
        }
        Ok(())
    }
}

/// Parses the `authorization` header (or tells an unsigned or presigned request).
fn authorization<'r>(req: &RequestView<'r>) -> Result<Authorization<'r>, VerifyError> {
    let mut auth_values = req.headers.get_all(http::header::AUTHORIZATION).iter();
    let Some(auth_value) = auth_values.next() else {
        return Err(if is_presigned(req.uri) {
            VerifyError::PresignedNotSupported
        } else {
            VerifyError::NotSigned
        });
    };
    if auth_values.next().is_some() {
        return Err(VerifyError::MalformedAuthorization(
            MalformedAuthorization::Repeated,
        ));
    }
    if auth_value.len() > MAX_AUTHORIZATION_LEN {
        return Err(VerifyError::MalformedAuthorization(
            MalformedAuthorization::TooLong,
        ));
    }
    let auth_text = auth_value
        .to_str()
        .map_err(|_| VerifyError::MalformedAuthorization(MalformedAuthorization::Syntax))?;
    parse_authorization(auth_text).map_err(VerifyError::MalformedAuthorization)
}

/// Refuses a query with a component whose percent-decoding is not UTF-8:
/// those decode lossily, so several byte strings would share one signature.
fn check_query_utf8(uri: &Uri) -> Result<(), VerifyError> {
    let Some(query) = uri.query() else {
        return Ok(());
    };
    for pair in query.split('&') {
        for part in pair.splitn(2, '=') {
            let decoded: Vec<u8> = percent_encoding::percent_decode_str(part).collect();
            if std::str::from_utf8(&decoded).is_err() {
                return Err(VerifyError::NonUtf8Query);
            }
        }
    }
    Ok(())
}

fn map_canonical_error(err: CanonicalError) -> VerifyError {
    match err {
        CanonicalError::MissingSignedHeader(name) => VerifyError::SignedHeaderMissing(name),
        CanonicalError::NonUtf8HeaderValue(name) => VerifyError::NonUtf8HeaderValue(name),
        _ => VerifyError::MalformedAuthorization(MalformedAuthorization::SignedHeadersNotCanonical),
    }
}

fn check_optional_hash(header: Option<&[u8]>, expected: &str) -> Result<(), VerifyError> {
    match header {
        Some(sent) if sent != expected.as_bytes() => Err(VerifyError::PayloadHashMismatch),
        _ => Ok(()),
    }
}

/// The only value of `name`, `None` if absent, an error if repeated.
fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h [u8]>, VerifyError> {
    let mut values = headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return Err(VerifyError::RepeatedHeader(name));
    }
    Ok(first.map(|v| v.as_bytes()))
}

/// The authority signed as `host`.
///
/// - HTTP/2 and later: the URI's authority (`:authority`), without user info
///   and without a port that is the scheme's default; a `host` header, if
///   sent, must name the same authority.
/// - HTTP/1.x: the `host` header as sent; if the URI also has an authority
///   (absolute form) the two must agree. Without a `host` header, the URI's
///   authority as above.
fn request_authority(req: &RequestView<'_>) -> Result<String, VerifyError> {
    let host_header = match single_header(req.headers, HOST)? {
        Some(bytes) => Some(
            std::str::from_utf8(bytes)
                .map_err(|_| VerifyError::NonUtf8HeaderValue(HOST.to_owned()))?,
        ),
        None => None,
    };
    let scheme = req.uri.scheme_str();
    let uri_authority = req.uri.authority().map(|a| {
        let without_userinfo = a
            .as_str()
            .rsplit_once('@')
            .map_or(a.as_str(), |(_, host)| host);
        strip_default_port(without_userinfo, scheme).to_owned()
    });
    if let (Some(host), Some(uri_auth)) = (host_header, uri_authority.as_deref())
        && !strip_default_port(host.trim(), scheme).eq_ignore_ascii_case(uri_auth)
    {
        return Err(VerifyError::HostMismatch);
    }
    let http2_or_later = matches!(req.version, Version::HTTP_2 | Version::HTTP_3);
    match (http2_or_later, uri_authority, host_header) {
        (true, Some(uri_auth), _) => Ok(uri_auth),
        (_, _, Some(host)) => Ok(host.to_owned()),
        (_, Some(uri_auth), None) => Ok(uri_auth),
        (_, None, None) => Err(VerifyError::MissingHost),
    }
}

fn strip_default_port<'s>(authority: &'s str, scheme: Option<&str>) -> &'s str {
    let default = match scheme {
        Some(s) if s.eq_ignore_ascii_case("https") => ":443",
        Some(s) if s.eq_ignore_ascii_case("http") => ":80",
        _ => return authority,
    };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// `true` when a region set (`*`, `us-east-1,us-west-2`, `us-*`) covers `region`.
fn region_set_covers(set: &str, region: &str) -> bool {
    set.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            true
        } else if let Some(prefix) = entry.strip_suffix('*') {
            !prefix.contains('*')
                && region
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        } else {
            entry.eq_ignore_ascii_case(region)
        }
    })
}

fn verify_v4(key: &HmacKey, sts: &str, provided: &str) -> bool {
    let expected = hex::encode(key.sign(sts.as_bytes()));
    bool::from(expected.as_bytes().ct_eq(provided.as_bytes()))
}

fn verify_v4a(key: &V4aVerifyingKey, sts: &str, provided: &str) -> bool {
    if provided.len() > MAX_V4A_SIGNATURE_HEX {
        return false;
    }
    let Ok(der) = hex::decode(provided) else {
        return false;
    };
    key.verify(sts.as_bytes(), &der)
}

/// Derives the SigV4A ECDSA P-256 public key of an access key pair, as
/// `aws-sigv4` derives the private key. `None` only if the derived scalar is
/// not a valid key, which the derivation rules out.
pub fn sigv4a_public_key(
    access_key_id: &str,
    secret_access_key: &str,
) -> Option<p256::ecdsa::VerifyingKey> {
    let private = aws_sigv4::sign::v4a::generate_signing_key(access_key_id, secret_access_key);
    let signing_key = p256::ecdsa::SigningKey::from_slice(private.as_ref()).ok()?;
    Some(*signing_key.verifying_key())
}

/// `5 min` for whole minutes, otherwise `N sec`.
fn window_text(window: Duration) -> String {
    let secs = window.as_secs();
    if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} sec")
    }
}
