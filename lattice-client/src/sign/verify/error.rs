//! Why a request failed verification; `Display` is the line Lattice answers with.

use http::StatusCode;

/// Why the `authorization` header could not be parsed (peer fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedAuthorization {
    /// More than one `authorization` header.
    #[error("The request carries more than one Authorization header.")]
    Repeated,
    /// Longer than [`MAX_AUTHORIZATION_LEN`](super::MAX_AUTHORIZATION_LEN).
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
    /// More than [`MAX_SIGNED_HEADERS`](super::MAX_SIGNED_HEADERS) names.
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
/// `<Code>: <message>`. Lines seen from Lattice are reproduced verbatim
/// (marked "observed"); the others follow AWS's usual wording (marked
/// "assumed; see docs/assumptions.md" on their variant). No line ever contains the
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
    /// The line is API Gateway's (assumed for Lattice; see docs/assumptions.md).
    #[error("MissingAuthenticationTokenException: Missing Authentication Token")]
    NotSigned,
    /// `X-Amz-Signature` / `X-Amz-Algorithm` in the query: presigned URLs are
    /// not supported by this verifier (whether Lattice accepts them is assumed; see docs/assumptions.md).
    #[error(
        "IncompleteSignatureException: Query-string (presigned URL) authentication is not supported."
    )]
    PresignedNotSupported,
    /// The `authorization` header cannot be parsed (our wording; assumed, see docs/assumptions.md).
    #[error("IncompleteSignatureException: {0}")]
    MalformedAuthorization(MalformedAuthorization),
    /// A header the profile requires is not in `SignedHeaders` (or not sent).
    /// Verbatim for `x-amz-content-sha256` (observed); the same pattern is
    /// used for `host`, `x-amz-date` and `x-amz-region-set` (assumed; see docs/assumptions.md).
    #[error("IncompleteSignatureException: Missing the '{0}' in canonical headers.")]
    RequiredHeaderNotSigned(&'static str),
    /// A name in `SignedHeaders` is absent from the request (observed line).
    #[error(
        "IncompleteSignatureException: '{0}' is named as a SignedHeader, but it does not exist in the HTTP request."
    )]
    SignedHeaderMissing(String),
    /// A header that must appear once appears several times (our wording).
    #[error("IncompleteSignatureException: The request carries more than one '{0}' header.")]
    RepeatedHeader(&'static str),
    /// Lattice: the payload hash is not `UNSIGNED-PAYLOAD` (observed line).
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
    /// `x-amz-date` is older than the window allows (AWS's line, observed).
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
    /// `x-amz-date` is further in the future than the window allows (AWS's line, observed).
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
    /// The access key id is unknown. AWS's usual line, assumed for Lattice (see docs/assumptions.md).
    #[error("UnrecognizedClientException: The security token included in the request is invalid.")]
    UnknownAccessKey,
    /// The session token is missing, wrong, or sent with long-term keys.
    /// AWS's usual line, assumed for Lattice (see docs/assumptions.md).
    #[error("UnrecognizedClientException: The security token included in the request is invalid.")]
    InvalidSessionToken(TokenProblem),
    /// The signature does not verify. AWS's usual line, assumed for Lattice (see docs/assumptions.md).
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
    /// Lattice profile: a query component percent-decodes to bytes that are
    /// not UTF-8, so its canonical form would not be unique. Our wording
    /// (assumed; see docs/assumptions.md).
    #[error("InvalidSignatureException: The query string does not percent-decode to UTF-8.")]
    NonUtf8Query,
    /// A signed header's value is not UTF-8. Our wording.
    #[error("InvalidSignatureException: The value of the signed header '{0}' is not valid UTF-8.")]
    NonUtf8HeaderValue(String),
    /// Caller or internal fault: [`PayloadPolicy::BodySha256`](super::PayloadPolicy::BodySha256) without a body
    /// hash, or a SigV4A key that cannot be derived.
    #[error("InternalFailure: {0}")]
    Internal(&'static str),
}

impl VerifyError {
    /// The HTTP status to answer with: 403 for every peer fault (Lattice's
    /// status for signature failures; assumed for the `Incomplete…` lines, see docs/assumptions.md),
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

/// Shortens a peer value for an error line and keeps only `[A-Za-z0-9-_.*,]`.
pub(super) fn sanitize(value: &str) -> String {
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

/// Longest peer value echoed in an error line.
const MAX_ECHO: usize = 64;
