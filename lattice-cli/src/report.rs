//! What the signer signed: the canonical request, the string to sign, the
//! region and where it came from — read from the signer's own report
//! ([`SigningReport`]), so `-v` and `sign --format json` show the exact
//! bytes that were hashed, never a re-derivation.

use lattice_client::SignerBuilder;
pub(crate) use lattice_client::sign::RegionSource;
use lattice_client::sign::SigningReport;

/// What was hashed and signed, for `-v` and `sign --format json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SignedDetails {
    /// The exact canonical request (session token included: redact before
    /// printing it anywhere but `sign --format json`).
    pub(crate) canonical_request: String,
    /// The exact string to sign.
    pub(crate) string_to_sign: String,
    /// The region, or the SigV4A region set.
    pub(crate) region: String,
    /// Where the region came from.
    pub(crate) region_source: RegionSource,
    /// `AWS4-HMAC-SHA256` or `AWS4-ECDSA-P256-SHA256`.
    pub(crate) algorithm: String,
    /// The credential scope.
    pub(crate) scope: String,
    /// The signed header names, `;`-separated.
    pub(crate) signed_headers: String,
}

/// Asks the signer to keep the canonical request and string to sign in its
/// report.
pub(crate) fn capture(builder: SignerBuilder) -> SignerBuilder {
    builder.capture_canonical(true)
}

/// The details of one signing, from the report of a signer built with
/// [`capture`].
pub(crate) fn details(report: SigningReport) -> Result<SignedDetails, String> {
    let missing = || "the signer did not capture the canonical request".to_owned();
    Ok(SignedDetails {
        canonical_request: report.canonical_request.clone().ok_or_else(missing)?,
        string_to_sign: report.string_to_sign.clone().ok_or_else(missing)?,
        region: report.region.clone(),
        region_source: report.region_source,
        algorithm: report.algorithm.to_string(),
        scope: report.scope,
        signed_headers: report.signed_headers,
    })
}
