//! What the signer signed: the canonical request, the string to sign, the
//! region and where it came from.
//!
//! SHIM: this whole file re-derives, from today's `SigningReport`, what the
//! signer's report is about to carry itself. When `lattice-client` gains
//! `SignerBuilder::capture_canonical` and the new `SigningReport` fields
//! (`canonical_request`, `string_to_sign`, `region`, `region_source`, and
//! `algorithm` as an enum), replace the bodies below:
//!
//! - [`capture`] becomes `builder.capture_canonical(true)`;
//! - [`details`] copies `report.canonical_request`, `report.string_to_sign`,
//!   `report.region`, `report.region_source` and `report.algorithm.to_string()`;
//! - [`RegionSource`] becomes `lattice_client::sign::RegionSource`.
//!
//! The re-derivation uses `lattice_client::sign::canonical`, which a
//! differential test proves equal to `aws-sigv4`'s, on the signed head
//! itself (its `authorization`, `x-amz-date` and headers).

use http::request::Parts;
use lattice_client::SignerBuilder;
use lattice_client::name::LatticeName;
use lattice_client::sign::SigningReport;
use lattice_client::sign::canonical::{
    Algorithm, CanonicalRequest, CredentialScope, EncodingMode, StringToSign, UNSIGNED_PAYLOAD,
};

/// Where the signing region came from.
// SHIM: `lattice_client::sign::RegionSource`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegionSource {
    /// A per-request region (`--region`).
    Request,
    /// The region inside a generated Lattice name.
    Name,
    /// The custom-domain table.
    #[expect(
        dead_code,
        reason = "mirrors the signer's enum; the tool registers the URL's host without a region"
    )]
    CustomDomain,
    /// The signer's default region (the AWS config), or its SigV4A region set.
    Default,
}

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

/// Asks the signer to keep the canonical request in its report.
// SHIM: `builder.capture_canonical(true)`.
pub(crate) fn capture(builder: SignerBuilder) -> SignerBuilder {
    builder
}

/// The details of one signing. `parts` is the head as signed;
/// `request_region` the per-request region that was given.
// SHIM: read the report's own fields instead.
pub(crate) fn details(
    report: SigningReport,
    parts: &Parts,
    request_region: Option<&str>,
) -> Result<SignedDetails, String> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| format!("the signed request has no `{name}` header"))
    };
    let amz_date = header("x-amz-date")?;
    let algorithm = Algorithm::from_token(report.algorithm)
        .ok_or_else(|| format!("unknown algorithm {}", report.algorithm))?;
    let names: Vec<&str> = report.signed_headers.split(';').collect();
    let canonical = CanonicalRequest::new(
        &parts.method,
        &parts.uri,
        &parts.headers,
        &names,
        UNSIGNED_PAYLOAD,
        &report.host,
        EncodingMode::Double,
    )
    .map_err(|e| e.to_string())?;
    let date = amz_date.get(..8).unwrap_or_default().to_owned();
    let mut scope_parts = report.scope.split('/');
    let (scope, region, region_source) = match algorithm {
        Algorithm::V4 => {
            let region = scope_parts.nth(1).unwrap_or_default().to_owned();
            let host = report.host.split(':').next().unwrap_or_default();
            let source = if request_region.is_some() {
                RegionSource::Request
            } else if LatticeName::is_lattice_name(host) {
                RegionSource::Name
            } else {
                // The tool registers the URL's host without a region, so the
                // region is the signer's default.
                RegionSource::Default
            };
            (
                CredentialScope::v4(date, region.clone(), lattice_client::sign::SIGNING_NAME),
                region,
                source,
            )
        }
        _ => (
            CredentialScope::v4a(date, lattice_client::sign::SIGNING_NAME),
            header("x-amz-region-set")?,
            RegionSource::Default,
        ),
    };
    let string_to_sign = StringToSign::new(algorithm, amz_date, scope, &canonical);
    Ok(SignedDetails {
        canonical_request: canonical.to_string(),
        string_to_sign: string_to_sign.to_string(),
        region,
        region_source,
        algorithm: report.algorithm.to_owned(),
        scope: report.scope,
        signed_headers: report.signed_headers,
    })
}
