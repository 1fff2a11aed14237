//! SigV4 / SigV4A request verification, as VPC Lattice does it.
//!
//! A [`Verifier`] checks the `authorization` header of an incoming request
//! against secret keys it gets from a [`CredentialsLookup`], and returns the
//! authenticated principal ([`Verified`]) or a [`VerifyError`] whose `Display`
//! is the single-line body Lattice answers with (facts sheet §1.7).
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
//! Which canonical URI encoding Lattice verifies is UNCONFIRMED (facts §1.4),
//! so the Lattice profile accepts [`EncodingMode::Double`] and then
//! [`EncodingMode::Single`]. The price: a signature made in `Double` mode for a
//! path `P` also verifies, in `Single` mode, for the path whose text is
//! `Double(P)` (e.g. a signature for `/a%20b` also fits `/a%2520b`), so anyone
//! who sees a signed request can replay it, within the window, against that
//! second path. Paths made of unreserved characters are not affected. Use
//! [`Profile::Generic`] with [`EncodingPolicy::Only`] where that matters.
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

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, Method, StatusCode, Uri, Version};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::canonical::{
    AWS4_REQUEST, Algorithm, CanonicalError, CanonicalRequest, CredentialScope, EncodingMode,
    StringToSign, UNSIGNED_PAYLOAD, is_header_token,
};

/// The signing (service) name of the Lattice data plane.
pub const LATTICE_SIGNING_NAME: &str = super::SIGNING_NAME;
/// Longest `authorization` header accepted, in bytes.
pub const MAX_AUTHORIZATION_LEN: usize = 8 * 1024;
/// Most names accepted in `SignedHeaders`.
pub const MAX_SIGNED_HEADERS: usize = 100;
/// Default accepted distance between the clock and `x-amz-date`.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Default number of SigV4A public keys kept in the per-verifier cache.
pub const DEFAULT_KEY_CACHE_CAPACITY: usize = 1024;

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
const X_AMZ_REGION_SET: &str = "x-amz-region-set";
const HOST: &str = "host";
/// A DER ECDSA P-256 signature is at most 72 bytes, 144 hex digits.
const MAX_V4A_SIGNATURE_HEX: usize = 144;
/// Longest peer value echoed in an error line.
const MAX_ECHO: usize = 64;

// ---------------------------------------------------------------------------
// Credentials and clock inputs
// ---------------------------------------------------------------------------

/// What the verifier knows about one access key id.
///
/// `Debug` hides the secret key and the session token.
#[derive(Clone)]
pub struct KeyCredentials<P> {
    secret_access_key: String,
    session_token: Option<String>,
    principal: P,
}

impl<P> KeyCredentials<P> {
    /// Long-term credentials (no session token) for `principal`.
    pub fn new(secret_access_key: impl Into<String>, principal: P) -> Self {
        Self {
            secret_access_key: secret_access_key.into(),
            session_token: None,
            principal,
        }
    }

    /// Marks these as temporary credentials: requests must carry exactly this
    /// `x-amz-security-token`.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, for temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// The principal a verified request is attributed to.
    pub fn principal(&self) -> &P {
        &self.principal
    }
}

impl<P: fmt::Debug> fmt::Debug for KeyCredentials<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCredentials")
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("principal", &self.principal)
            .finish()
    }
}

/// Maps an access key id to its secret, session token and principal.
///
/// The lookup is synchronous: the verifier runs inside request handling and
/// keeps no state per request. Back it with an in-memory table (as
/// [`StaticCredentials`] does) or a cache refreshed elsewhere.
pub trait CredentialsLookup: Send + Sync {
    /// The principal value handed back in [`Verified::principal`]: an ARN
    /// string or any opaque value.
    type Principal: Clone + Send + Sync + 'static;

    /// The credentials of `access_key_id`, or `None` when it is unknown.
    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<Self::Principal>>;
}

impl<L: CredentialsLookup + ?Sized> CredentialsLookup for Arc<L> {
    type Principal = L::Principal;

    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<Self::Principal>> {
        (**self).lookup(access_key_id)
    }
}

/// A fixed table of credentials, keyed by access key id.
#[derive(Clone, Debug, Default)]
pub struct StaticCredentials<P = String> {
    keys: HashMap<String, KeyCredentials<P>>,
}

impl<P> StaticCredentials<P> {
    /// An empty table.
    pub fn new() -> Self {
        Self {
            keys: HashMap::new(),
        }
    }

    /// Adds or replaces the credentials of `access_key_id`.
    pub fn insert(&mut self, access_key_id: impl Into<String>, credentials: KeyCredentials<P>) {
        self.keys.insert(access_key_id.into(), credentials);
    }

    /// By-value form of [`insert`](Self::insert).
    pub fn with(
        mut self,
        access_key_id: impl Into<String>,
        credentials: KeyCredentials<P>,
    ) -> Self {
        self.insert(access_key_id, credentials);
        self
    }
}

impl<P: Clone + Send + Sync + 'static> CredentialsLookup for StaticCredentials<P> {
    type Principal = P;

    fn lookup(&self, access_key_id: &str) -> Option<KeyCredentials<P>> {
        self.keys.get(access_key_id).cloned()
    }
}

/// The verifier's notion of "now".
///
/// Implemented for [`SystemClock`], [`FixedClock`] and any
/// `Fn() -> SystemTime + Send + Sync` (e.g. `move || time_source.now()` over an
/// `aws_smithy_async::time::SharedTimeSource`).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// [`SystemTime::now`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at the given time (tests).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

// ---------------------------------------------------------------------------
// Profiles
// ---------------------------------------------------------------------------

/// Which canonical URI encodings a verifier accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingPolicy {
    /// Only this mode.
    Only(EncodingMode),
    /// [`EncodingMode::Double`] first, then [`EncodingMode::Single`].
    Either,
}

impl EncodingPolicy {
    fn modes(self) -> &'static [EncodingMode] {
        match self {
            Self::Only(EncodingMode::Double) => &[EncodingMode::Double],
            Self::Only(EncodingMode::Single) => &[EncodingMode::Single],
            Self::Either => &[EncodingMode::Double, EncodingMode::Single],
        }
    }
}

/// Where the payload hash (last line of the canonical request) comes from, in
/// the generic profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadPolicy {
    /// The literal `UNSIGNED-PAYLOAD`; an `x-amz-content-sha256` header, if
    /// sent, must say the same.
    Unsigned,
    /// The value of the `x-amz-content-sha256` header, which must be present
    /// and signed. The caller must check the body against it afterwards
    /// (unless it is `UNSIGNED-PAYLOAD`).
    FromHeader,
    /// The body hash the caller supplies with
    /// [`RequestView::with_body_sha256`]; an `x-amz-content-sha256` header, if
    /// sent, must say the same.
    BodySha256,
}

/// Parameters of the generic profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericProfile {
    service: String,
    region: String,
    encoding: EncodingPolicy,
    payload: PayloadPolicy,
}

impl GenericProfile {
    /// Signing name and region; [`EncodingMode::Double`] and
    /// [`PayloadPolicy::BodySha256`] until changed.
    pub fn new(service: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            region: region.into(),
            encoding: EncodingPolicy::Only(EncodingMode::Double),
            payload: PayloadPolicy::BodySha256,
        }
    }

    /// Sets the accepted canonical URI encodings.
    pub fn encoding(mut self, encoding: EncodingPolicy) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets where the payload hash comes from.
    pub fn payload(mut self, payload: PayloadPolicy) -> Self {
        self.payload = payload;
        self
    }
}

/// The rules a [`Verifier`] applies.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// The Lattice data plane of one service, in `region`.
    Lattice {
        /// The service's region, e.g. `us-west-2`.
        region: String,
    },
    /// Caller-chosen rules (AWS test suite, other services).
    Generic(GenericProfile),
}

impl Profile {
    /// The Lattice profile for a service in `region`.
    pub fn lattice(region: impl Into<String>) -> Self {
        Self::Lattice {
            region: region.into(),
        }
    }
}

/// Why a [`VerifierBuilder`] refused its configuration (caller fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The region is empty or not made of `a-z`, `0-9` and `-`.
    #[error("invalid region {0:?}: use a region name such as `us-west-2`")]
    InvalidRegion(String),
    /// The signing name is empty or contains `/` or whitespace.
    #[error("invalid signing name {0:?}: use a name such as `vpc-lattice-svcs`")]
    InvalidService(String),
}

// ---------------------------------------------------------------------------
// Request input and result
// ---------------------------------------------------------------------------

/// The parts of a request the verifier reads. Built from `&http::Request<B>`
/// or `&http::request::Parts`; the body is never read.
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    method: &'a Method,
    uri: &'a Uri,
    version: Version,
    headers: &'a HeaderMap,
    body_sha256: Option<&'a str>,
}

impl<'a> RequestView<'a> {
    /// A view over the given parts.
    pub fn new(method: &'a Method, uri: &'a Uri, version: Version, headers: &'a HeaderMap) -> Self {
        Self {
            method,
            uri,
            version,
            headers,
            body_sha256: None,
        }
    }

    /// The lower-case hex SHA-256 of the body, for [`PayloadPolicy::BodySha256`].
    pub fn with_body_sha256(mut self, body_sha256: &'a str) -> Self {
        self.body_sha256 = Some(body_sha256);
        self
    }
}

impl<'a, B> From<&'a http::Request<B>> for RequestView<'a> {
    fn from(req: &'a http::Request<B>) -> Self {
        Self::new(req.method(), req.uri(), req.version(), req.headers())
    }
}

impl<'a> From<&'a http::request::Parts> for RequestView<'a> {
    fn from(parts: &'a http::request::Parts) -> Self {
        Self::new(&parts.method, &parts.uri, parts.version, &parts.headers)
    }
}

/// A successfully verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified<P> {
    /// The principal of the access key.
    pub principal: P,
    /// The access key id that signed the request.
    pub access_key_id: String,
    /// SigV4 or SigV4A.
    pub algorithm: Algorithm,
    /// The canonical URI encoding that matched.
    pub encoding: EncodingMode,
    /// The signed header names, in `SignedHeaders` order.
    pub signed_headers: Vec<String>,
    /// The credential scope as sent.
    pub scope: CredentialScope,
    /// The SigV4A region set as sent (`None` for SigV4).
    pub region_set: Option<String>,
    /// The `x-amz-date` of the request.
    pub request_time: SystemTime,
    /// Whether the request carried a (matching) session token.
    pub session_token: bool,
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Why the `authorization` header could not be parsed (peer fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedAuthorization {
    /// More than one `authorization` header.
    #[error("The request carries more than one Authorization header.")]
    Repeated,
    /// Longer than [`MAX_AUTHORIZATION_LEN`].
    #[error("Authorization header exceeds 8192 bytes.")]
    TooLong,
    /// Not visible ASCII, or not `<algorithm> <parameters>`.
    #[error("Authorization header is malformed.")]
    Syntax,
    /// Neither `AWS4-HMAC-SHA256` nor `AWS4-ECDSA-P256-SHA256`.
    #[error("Unsupported AWS 'algorithm': use 'AWS4-HMAC-SHA256' or 'AWS4-ECDSA-P256-SHA256'.")]
    UnsupportedAlgorithm,
    /// No `Credential=`.
    #[error("Authorization header requires 'Credential' parameter.")]
    MissingCredential,
    /// No `SignedHeaders=`.
    #[error("Authorization header requires 'SignedHeaders' parameter.")]
    MissingSignedHeaders,
    /// No `Signature=`.
    #[error("Authorization header requires 'Signature' parameter.")]
    MissingSignature,
    /// A parameter appears twice.
    #[error("Authorization header repeats a parameter.")]
    RepeatedParameter,
    /// `Credential` is not `<key>/<date>/<region>/<service>/aws4_request`
    /// (SigV4) or `<key>/<date>/<service>/aws4_request` (SigV4A).
    #[error(
        "Credential must have the form '<access key>/<YYYYMMDD>[/<region>]/<service>/aws4_request'."
    )]
    Credential,
    /// More than [`MAX_SIGNED_HEADERS`] names.
    #[error("SignedHeaders names more than 100 headers.")]
    TooManySignedHeaders,
    /// Names not lower-case, not sorted, repeated or not header tokens.
    #[error("SignedHeaders must be lower-case header names, sorted and without duplicates.")]
    SignedHeadersNotCanonical,
}

/// What was wrong with the session token (all render the same line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenProblem {
    /// Temporary credentials, but no `x-amz-security-token`.
    Missing,
    /// A token other than the one issued with the key.
    Mismatch,
    /// A token sent with long-term credentials.
    Unexpected,
}

/// Why a request failed verification.
///
/// `Display` renders the one-line body Lattice answers with:
/// `<Code>: <message>`. Lines marked OBSERVED in the facts sheet (§1.1, §1.2,
/// §1.6) are reproduced verbatim; the others follow AWS's usual wording and
/// are marked UNCONFIRMED on their variant. No line ever contains the
/// expected signature, a secret key or a session token; the few peer values
/// echoed are shortened to 64 characters and restricted to
/// `[A-Za-z0-9-_.*,]` (others shown as `?`).
///
/// Every variant is the peer's fault except [`VerifyError::Internal`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `authorization` header. Lattice treats such requests as anonymous;
    /// callers that allow anonymous access check [`VerifyError::is_unsigned`].
    /// The line is API Gateway's (UNCONFIRMED for Lattice).
    #[error("MissingAuthenticationTokenException: Missing Authentication Token")]
    NotSigned,
    /// `X-Amz-Signature` / `X-Amz-Algorithm` in the query: presigned URLs are
    /// not supported by this verifier (UNCONFIRMED whether Lattice accepts them).
    #[error(
        "IncompleteSignatureException: Query-string (presigned URL) authentication is not supported."
    )]
    PresignedNotSupported,
    /// The `authorization` header cannot be parsed (our wording, UNCONFIRMED).
    #[error("IncompleteSignatureException: {0}")]
    MalformedAuthorization(MalformedAuthorization),
    /// A header the profile requires is not in `SignedHeaders` (or not sent).
    /// Verbatim for `x-amz-content-sha256` (OBSERVED); the same pattern is
    /// used for `host`, `x-amz-date` and `x-amz-region-set` (UNCONFIRMED).
    #[error("IncompleteSignatureException: Missing the '{0}' in canonical headers.")]
    RequiredHeaderNotSigned(&'static str),
    /// A name in `SignedHeaders` is absent from the request (OBSERVED line).
    #[error(
        "IncompleteSignatureException: '{0}' is named as a SignedHeader, but it does not exist in the HTTP request."
    )]
    SignedHeaderMissing(String),
    /// A header that must appear once appears several times (our wording).
    #[error("IncompleteSignatureException: The request carries more than one '{0}' header.")]
    RepeatedHeader(&'static str),
    /// Lattice: the payload hash is not `UNSIGNED-PAYLOAD` (OBSERVED line).
    #[error("InvalidSignatureException: Signed payloads are not supported")]
    SignedPayloadNotSupported,
    /// Generic profile: `x-amz-content-sha256` disagrees with the payload hash
    /// in force (our wording, after S3's `XAmzContentSHA256Mismatch`).
    #[error(
        "InvalidSignatureException: The provided 'x-amz-content-sha256' header does not match what was computed."
    )]
    PayloadHashMismatch,
    /// No `x-amz-date` header (AWS's usual line; `Date` is not supported).
    #[error(
        "IncompleteSignatureException: Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    )]
    MissingDate,
    /// `x-amz-date` is not `YYYYMMDDTHHMMSSZ` (our wording).
    #[error(
        "IncompleteSignatureException: X-Amz-Date must be in ISO-8601 basic format 'YYYYMMDDTHHMMSSZ'."
    )]
    MalformedDate,
    /// The scope date differs from the date of `x-amz-date` (AWS's usual line).
    #[error(
        "InvalidSignatureException: Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{date}', from '{amz_date}'."
    )]
    ScopeDateMismatch {
        /// The scope's date (echoed, sanitised).
        scope_date: String,
        /// The date part of `x-amz-date`.
        date: String,
        /// `x-amz-date`.
        amz_date: String,
    },
    /// The scope does not end in `aws4_request` (AWS's usual line).
    #[error(
        "InvalidSignatureException: Credential should be scoped with a valid terminator: 'aws4_request', not '{0}'."
    )]
    WrongTerminator(String),
    /// The scope names another service (AWS's usual line).
    #[error(
        "InvalidSignatureException: Credential should be scoped to correct service: '{expected}'."
    )]
    WrongService {
        /// The service this verifier checks for.
        expected: String,
        /// The service in the scope (sanitised).
        found: String,
    },
    /// SigV4: the scope names another region (AWS's usual line).
    #[error(
        "InvalidSignatureException: Credential should be scoped to a valid region, not '{found}'."
    )]
    WrongRegion {
        /// The region this verifier checks for.
        expected: String,
        /// The region in the scope (sanitised).
        found: String,
    },
    /// SigV4A: the region set does not cover the service's region (our wording).
    #[error(
        "InvalidSignatureException: The region set '{found}' in 'x-amz-region-set' does not include the region '{expected}'."
    )]
    RegionSetMismatch {
        /// The region this verifier checks for.
        expected: String,
        /// The region set as sent (sanitised).
        found: String,
    },
    /// `x-amz-date` is older than the window allows (AWS's line, §1.6).
    #[error(
        "InvalidSignatureException: Signature expired: {request_time} is now earlier than {earliest} ({now} - {window}.)"
    )]
    Expired {
        /// `x-amz-date`.
        request_time: String,
        /// Now minus the window.
        earliest: String,
        /// Now.
        now: String,
        /// The window, e.g. `5 min`.
        window: String,
    },
    /// `x-amz-date` is further in the future than the window allows (AWS's line, §1.6).
    #[error(
        "InvalidSignatureException: Signature not yet current: {request_time} is still later than {latest} ({now} + {window}.)"
    )]
    NotYetCurrent {
        /// `x-amz-date`.
        request_time: String,
        /// Now plus the window.
        latest: String,
        /// Now.
        now: String,
        /// The window, e.g. `5 min`.
        window: String,
    },
    /// The access key id is unknown. AWS's usual line, UNCONFIRMED for Lattice.
    #[error("UnrecognizedClientException: The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// The session token is missing, wrong, or sent with long-term keys.
    /// AWS's usual line, UNCONFIRMED for Lattice.
    #[error("UnrecognizedClientException: The security token included in the request is invalid.")]
    InvalidSessionToken(TokenProblem),
    /// The signature does not verify. AWS's usual line, UNCONFIRMED for Lattice.
    #[error(
        "InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    SignatureMismatch,
    /// The `host` header disagrees with the URI authority (`:authority` on
    /// HTTP/2). Our wording.
    #[error("InvalidSignatureException: The 'host' header does not match the request authority.")]
    HostMismatch,
    /// Neither a `host` header nor a URI authority. Our wording.
    #[error(
        "IncompleteSignatureException: The request has neither a 'host' header nor an authority."
    )]
    MissingHost,
    /// A signed header's value is not UTF-8. Our wording.
    #[error("InvalidSignatureException: The value of the signed header '{0}' is not valid UTF-8.")]
    NonUtf8HeaderValue(String),
    /// Caller or internal fault: [`PayloadPolicy::BodySha256`] without a body
    /// hash, or a SigV4A key that cannot be derived.
    #[error("InternalFailure: {0}")]
    Internal(&'static str),
}

impl VerifyError {
    /// The HTTP status to answer with: 403 for every peer fault (Lattice's
    /// status for signature failures; UNCONFIRMED for the `Incomplete…` lines),
    /// 500 for [`VerifyError::Internal`].
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::FORBIDDEN,
        }
    }

    /// The error code, the part of the line before `:`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSigned => "MissingAuthenticationTokenException",
            Self::PresignedNotSupported
            | Self::MalformedAuthorization(_)
            | Self::RequiredHeaderNotSigned(_)
            | Self::SignedHeaderMissing(_)
            | Self::RepeatedHeader(_)
            | Self::MissingDate
            | Self::MalformedDate
            | Self::MissingHost => "IncompleteSignatureException",
            Self::UnknownAccessKey | Self::InvalidSessionToken(_) => "UnrecognizedClientException",
            Self::Internal(_) => "InternalFailure",
            _ => "InvalidSignatureException",
        }
    }

    /// `true` when the request carried no signature at all (Lattice then
    /// evaluates it as anonymous).
    pub fn is_unsigned(&self) -> bool {
        matches!(self, Self::NotSigned)
    }
}

// ---------------------------------------------------------------------------
// Verifier
// ---------------------------------------------------------------------------

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
                service: LATTICE_SIGNING_NAME.to_owned(),
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
            keys: KeyCache::new(self.key_cache_capacity),
            v4_keys: V4KeyCache::new(self.key_cache_capacity),
        })
    }
}

/// Verifies SigV4 / SigV4A signed requests. Cheap to share (`&self` only).
pub struct Verifier<L> {
    lookup: L,
    rules: Rules,
    clock: Arc<dyn Clock>,
    window: Duration,
    keys: KeyCache,
    v4_keys: V4KeyCache,
}

impl<L> fmt::Debug for Verifier<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("rules", &self.rules)
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

/// The parsed `authorization` header.
struct Authorization<'a> {
    algorithm: Algorithm,
    access_key_id: &'a str,
    scope_date: &'a str,
    scope_region: Option<&'a str>,
    scope_service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
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
        let headers = req.headers;

        // 1. The authorization header.
        let mut auth_values = headers.get_all(http::header::AUTHORIZATION).iter();
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
        let auth = parse_authorization(auth_text).map_err(VerifyError::MalformedAuthorization)?;

        // 2. Headers the profile requires to be signed.
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

        // 3. The authority signed as `host`.
        let authority = request_authority(req)?;

        // 4. Every signed header is present.
        for name in &auth.signed_headers {
            if *name != HOST && !headers.contains_key(*name) {
                return Err(VerifyError::SignedHeaderMissing((*name).to_owned()));
            }
        }

        // 5. Payload hash.
        let content_sha256 = single_header(headers, X_AMZ_CONTENT_SHA256)?;
        let payload_hash: &str = match self.rules.payload {
            PayloadRule::Lattice => {
                if content_sha256 != Some(UNSIGNED_PAYLOAD.as_bytes()) {
                    return Err(VerifyError::SignedPayloadNotSupported);
                }
                UNSIGNED_PAYLOAD
            }
            PayloadRule::Generic(PayloadPolicy::Unsigned) => {
                check_optional_hash(content_sha256, UNSIGNED_PAYLOAD)?;
                UNSIGNED_PAYLOAD
            }
            PayloadRule::Generic(PayloadPolicy::FromHeader) => content_sha256
                .and_then(|v| std::str::from_utf8(v).ok())
                .ok_or(VerifyError::RequiredHeaderNotSigned(X_AMZ_CONTENT_SHA256))?,
            PayloadRule::Generic(PayloadPolicy::BodySha256) => {
                let body = req.body_sha256.ok_or(VerifyError::Internal(
                    "no body hash supplied for PayloadPolicy::BodySha256",
                ))?;
                check_optional_hash(content_sha256, body)?;
                body
            }
        };

        // 6. Date and scope.
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
                region_set = Some(set.to_owned());
            }
            _ => {
                return Err(VerifyError::MalformedAuthorization(
                    MalformedAuthorization::Credential,
                ));
            }
        }

        // 7. Clock window.
        self.check_window(request_time, amz_date)?;

        // 8. Credentials and session token.
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

        // 9. Canonical request(s) and signature.
        let scope = match auth.scope_region {
            Some(region) => CredentialScope::v4(auth.scope_date, region, auth.scope_service),
            None => CredentialScope::v4a(auth.scope_date, auth.scope_service),
        };
        let mut previous_uri: Option<String> = None;
        let mut matched = None;
        for &mode in self.rules.encoding.modes() {
            let creq = CanonicalRequest::new(
                req.method,
                req.uri,
                headers,
                &auth.signed_headers,
                payload_hash,
                &authority,
                mode,
            )
            .map_err(map_canonical_error)?;
            if previous_uri.as_deref() == Some(creq.canonical_uri()) {
                continue;
            }
            previous_uri = Some(creq.canonical_uri().to_owned());
            let sts = StringToSign::new(auth.algorithm, amz_date, scope.clone(), &creq);
            let ok = match auth.algorithm {
                Algorithm::V4 => {
                    let key = self.v4_keys.get_or_derive(
                        auth.access_key_id,
                        creds.secret_access_key(),
                        request_time,
                        scope.region().unwrap_or_default(),
                        scope.service(),
                    );
                    verify_v4(&key, &sts, auth.signature)
                }
                Algorithm::V4a => {
                    let key = self
                        .keys
                        .get_or_derive(auth.access_key_id, creds.secret_access_key())?;
                    verify_v4a(&key, &sts, auth.signature)
                }
            };
            if ok {
                matched = Some(mode);
                break;
            }
            tracing::trace!(encoding = %mode, canonical_request = %creq.redacted(), "signature does not match");
        }
        let encoding = matched.ok_or(VerifyError::SignatureMismatch)?;

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
            region_set,
            request_time,
            session_token: sent_token.is_some(),
        })
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

fn is_presigned(uri: &Uri) -> bool {
    uri.query().is_some_and(|q| {
        q.split('&').any(|pair| {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            key.eq_ignore_ascii_case("X-Amz-Signature")
                || key.eq_ignore_ascii_case("X-Amz-Algorithm")
        })
    })
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

fn parse_authorization(text: &str) -> Result<Authorization<'_>, MalformedAuthorization> {
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

fn verify_v4(key: &[u8; 32], sts: &StringToSign, provided: &str) -> bool {
    let expected = aws_sigv4::sign::v4::calculate_signature(key, sts.to_string().as_bytes());
    bool::from(expected.as_bytes().ct_eq(provided.as_bytes()))
}

fn verify_v4a(key: &VerifyingKey, sts: &StringToSign, provided: &str) -> bool {
    if provided.len() > MAX_V4A_SIGNATURE_HEX {
        return false;
    }
    let Ok(der) = hex::decode(provided) else {
        return false;
    };
    let Ok(signature) = DerSignature::try_from(der.as_slice()) else {
        return false;
    };
    key.verify(sts.to_string().as_bytes(), &signature).is_ok()
}

/// Derives the SigV4A ECDSA P-256 public key of an access key pair, as
/// `aws-sigv4` derives the private key. `None` only if the derived scalar is
/// not a valid key, which the derivation rules out.
pub fn sigv4a_public_key(access_key_id: &str, secret_access_key: &str) -> Option<VerifyingKey> {
    let private = aws_sigv4::sign::v4a::generate_signing_key(access_key_id, secret_access_key);
    let signing_key = SigningKey::from_slice(private.as_ref()).ok()?;
    Some(*signing_key.verifying_key())
}

// ---------------------------------------------------------------------------
// SigV4 signing-key cache
// ---------------------------------------------------------------------------

/// The SigV4 signing key of one access key for one day, region and service.
struct V4Entry {
    day: u64,
    region: Box<str>,
    service: Box<str>,
    /// The secret it was derived from (compared in constant time, so a
    /// rotated secret is noticed).
    secret: Box<str>,
    key: [u8; 32],
}

/// Bounded cache of derived SigV4 signing keys (four HMACs each), one per
/// access key id: the key changes only with the day, region and service.
struct V4KeyCache {
    capacity: usize,
    entries: Mutex<HashMap<String, V4Entry>>,
}

impl V4KeyCache {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get_or_derive(
        &self,
        access_key_id: &str,
        secret: &str,
        request_time: SystemTime,
        region: &str,
        service: &str,
    ) -> [u8; 32] {
        let day = request_time
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            / 86_400;
        if self.capacity > 0 {
            let entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(hit) = entries.get(access_key_id)
                && hit.day == day
                && *hit.region == *region
                && *hit.service == *service
                && bool::from(hit.secret.as_bytes().ct_eq(secret.as_bytes()))
            {
                return hit.key;
            }
        }
        let derived =
            aws_sigv4::sign::v4::generate_signing_key(secret, request_time, region, service);
        let mut key = [0u8; 32];
        let bytes = derived.as_ref();
        let n = bytes.len().min(32);
        if let (Some(dst), Some(src)) = (key.get_mut(..n), bytes.get(..n)) {
            dst.copy_from_slice(src);
        }
        if self.capacity > 0 {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if entries.len() >= self.capacity
                && !entries.contains_key(access_key_id)
                && let Some(victim) = entries.keys().next().cloned()
            {
                entries.remove(&victim);
            }
            entries.insert(
                access_key_id.to_owned(),
                V4Entry {
                    day,
                    region: region.into(),
                    service: service.into(),
                    secret: secret.into(),
                    key,
                },
            );
        }
        key
    }
}

// ---------------------------------------------------------------------------
// SigV4A public key cache
// ---------------------------------------------------------------------------

struct CachedKey {
    /// SHA-256 of the secret the key was derived from, to notice rotation.
    secret_digest: [u8; 32],
    key: VerifyingKey,
}

/// Bounded cache of derived SigV4A public keys, per access key id.
struct KeyCache {
    capacity: usize,
    entries: Mutex<HashMap<String, CachedKey>>,
}

impl KeyCache {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get_or_derive(
        &self,
        access_key_id: &str,
        secret: &str,
    ) -> Result<VerifyingKey, VerifyError> {
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if self.capacity > 0 {
            let entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(hit) = entries.get(access_key_id)
                && hit.secret_digest == digest
            {
                return Ok(hit.key);
            }
        }
        // Derive outside the lock: a scalar multiplication.
        let key = sigv4a_public_key(access_key_id, secret)
            .ok_or(VerifyError::Internal("SigV4A key derivation failed"))?;
        if self.capacity > 0 {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if entries.len() >= self.capacity && !entries.contains_key(access_key_id) {
                // Evict an arbitrary entry; the cache only saves a derivation.
                if let Some(victim) = entries.keys().next().cloned() {
                    entries.remove(&victim);
                }
            }
            entries.insert(
                access_key_id.to_owned(),
                CachedKey {
                    secret_digest: digest,
                    key,
                },
            );
        }
        Ok(key)
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Parses `YYYYMMDDTHHMMSSZ` (UTC) strictly.
pub fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let bytes = text.as_bytes();
    if bytes.len() != 16 || bytes.get(8) != Some(&b'T') || bytes.get(15) != Some(&b'Z') {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let part = text.get(from..to)?;
        if !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (num(0, 4)?, num(4, 6)?, num(6, 8)?);
    let (hour, minute, second) = (num(9, 11)?, num(11, 13)?, num(13, 15)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(secs.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))
    }
}

/// Formats a time as `YYYYMMDDTHHMMSSZ` (UTC), truncating sub-seconds.
pub fn format_amz_date(time: SystemTime) -> String {
    let secs: i64 = match time.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (era-based algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

/// Shortens a peer value for an error line and keeps only `[A-Za-z0-9-_.*,]`.
fn sanitize(value: &str) -> String {
    value
        .chars()
        .take(MAX_ECHO)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*' | ',') {
                c
            } else {
                '?'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_key_cache_follows_day_scope_and_secret() {
        let cache = V4KeyCache::new(2);
        let t = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let derive = |secret: &str, time: SystemTime, region: &str| {
            let k = aws_sigv4::sign::v4::generate_signing_key(secret, time, region, "svc");
            let mut out = [0u8; 32];
            out.copy_from_slice(k.as_ref());
            out
        };
        let a = cache.get_or_derive("AKID", "secret-a", t, "us-west-2", "svc");
        assert_eq!(a, derive("secret-a", t, "us-west-2"));
        // Cached: the same answer.
        assert_eq!(
            cache.get_or_derive("AKID", "secret-a", t, "us-west-2", "svc"),
            a
        );
        // A rotated secret, another region or another day is derived afresh.
        assert_eq!(
            cache.get_or_derive("AKID", "secret-b", t, "us-west-2", "svc"),
            derive("secret-b", t, "us-west-2")
        );
        assert_eq!(
            cache.get_or_derive("AKID", "secret-b", t, "eu-west-1", "svc"),
            derive("secret-b", t, "eu-west-1")
        );
        let next_day = t + Duration::from_secs(86_400);
        assert_eq!(
            cache.get_or_derive("AKID", "secret-b", next_day, "eu-west-1", "svc"),
            derive("secret-b", next_day, "eu-west-1")
        );
        // Bounded.
        for id in ["A1", "A2", "A3"] {
            cache.get_or_derive(id, "s", t, "us-west-2", "svc");
        }
        assert!(cache.entries.lock().unwrap().len() <= 2);
    }

    #[test]
    fn amz_date_round_trip() {
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(t, UNIX_EPOCH + Duration::from_secs(1_440_938_160));
        assert_eq!(format_amz_date(t), "20150830T123600Z");
        assert_eq!(
            format_amz_date(parse_amz_date("20000229T235959Z").unwrap()),
            "20000229T235959Z"
        );
        assert_eq!(
            format_amz_date(parse_amz_date("19691231T235959Z").unwrap()),
            "19691231T235959Z"
        );
        for bad in [
            "",
            "20150830T123600",
            "2015083OT123600Z",
            "20150230T000000Z",
            "20151301T000000Z",
            "+0150830T123600Z",
            "20150830T246000Z",
            "２015083T123600Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn region_sets() {
        assert!(region_set_covers("*", "us-west-2"));
        assert!(region_set_covers("us-east-1, us-west-2", "us-west-2"));
        assert!(region_set_covers("us-*", "us-west-2"));
        assert!(!region_set_covers("eu-*", "us-west-2"));
        assert!(!region_set_covers("us-east-1", "us-west-2"));
        assert!(!region_set_covers("", "us-west-2"));
        assert!(!region_set_covers("u*-*", "us-west-2"));
    }

    #[test]
    fn authorization_parsing() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .map_err(|_| ())
        .unwrap();
        assert_eq!(a.access_key_id, "AKIDEXAMPLE");
        assert_eq!(a.scope_region, Some("us-east-1"));
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        let err = |s: &str| parse_authorization(s).err();
        assert_eq!(
            err("AWS4-HMAC-SHA1 Credential=a"),
            Some(MalformedAuthorization::UnsupportedAlgorithm)
        );
        assert_eq!(
            err(
                "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=x-amz-date;host, Signature=1"
            ),
            Some(MalformedAuthorization::SignedHeadersNotCanonical)
        );
        assert_eq!(
            err(
                "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=Host, Signature=1"
            ),
            Some(MalformedAuthorization::SignedHeadersNotCanonical)
        );
        assert_eq!(
            err(
                "AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=1"
            ),
            Some(MalformedAuthorization::Credential)
        );
        assert_eq!(
            err("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=1"),
            Some(MalformedAuthorization::MissingCredential)
        );
        let many = (0..101)
            .map(|i| format!("h{i:03}"))
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(
            err(&format!(
                "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders={many}, Signature=1"
            )),
            Some(MalformedAuthorization::TooManySignedHeaders)
        );
    }

    #[test]
    fn secrets_hidden_from_debug() {
        let creds = KeyCredentials::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "p")
            .with_session_token("TOKENVALUE");
        let text = format!("{creds:?}");
        assert!(
            !text.contains("EXAMPLEKEY") && !text.contains("TOKENVALUE"),
            "{text}"
        );
    }

    #[test]
    fn window_rendering() {
        assert_eq!(window_text(Duration::from_secs(300)), "5 min");
        assert_eq!(window_text(Duration::from_secs(90)), "90 sec");
    }
}
