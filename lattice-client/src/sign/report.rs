//! What the signer did to one request.

use std::fmt;

pub use super::canonical::Algorithm;

/// Where the signing region of a request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RegionSource {
    /// A [`SigningRegion`](super::SigningRegion) request extension.
    Request,
    /// The region inside a generated Lattice name.
    Name,
    /// The region or region set registered for a custom domain.
    CustomDomain,
    /// The signer's configuration: the default
    /// [`region`](super::SignerBuilder::region), or the SigV4A region set of
    /// [`sigv4a`](super::SignerBuilder::sigv4a).
    Default,
}

impl fmt::Display for RegionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Request => "request",
            Self::Name => "name",
            Self::CustomDomain => "custom-domain",
            Self::Default => "default",
        })
    }
}

/// What the signer did to a request (for logs, and for the `-v` of the
/// `lattice` tool).
///
/// `Debug` never prints the session token: the captured canonical request
/// shows it only as its length. The public fields hold it raw when
/// [`capture_canonical`](super::SignerBuilder::capture_canonical) is on, so
/// redact before displaying them (see
/// [`canonical::redact_for_log`](super::canonical::redact_for_log)).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningReport {
    /// The algorithm used; `Display` gives `AWS4-HMAC-SHA256` or
    /// `AWS4-ECDSA-P256-SHA256`.
    pub algorithm: Algorithm,
    /// The credential scope, e.g. `20240101/us-west-2/vpc-lattice-svcs/aws4_request`.
    pub scope: String,
    /// The `host` that was signed (the normalised URI authority).
    pub host: String,
    /// The signed header names, `;`-separated, as in `authorization`.
    pub signed_headers: String,
    /// The signing region (SigV4) or the region set (SigV4A, as in
    /// `x-amz-region-set`).
    pub region: String,
    /// Where [`region`](Self::region) came from.
    pub region_source: RegionSource,
    /// With [`capture_canonical`](super::SignerBuilder::capture_canonical):
    /// the canonical request exactly as hashed (session token included).
    pub canonical_request: Option<String>,
    /// With [`capture_canonical`](super::SignerBuilder::capture_canonical):
    /// the string to sign exactly as signed.
    pub string_to_sign: Option<String>,
}

impl fmt::Debug for SigningReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = self
            .canonical_request
            .as_deref()
            .map(super::canonical::redact_for_log);
        f.debug_struct("SigningReport")
            .field("algorithm", &self.algorithm)
            .field("scope", &self.scope)
            .field("host", &self.host)
            .field("signed_headers", &self.signed_headers)
            .field("region", &self.region)
            .field("region_source", &self.region_source)
            .field("canonical_request", &redacted)
            .field("string_to_sign", &self.string_to_sign)
            .finish_non_exhaustive()
    }
}
