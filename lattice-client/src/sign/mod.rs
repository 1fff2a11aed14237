//! SigV4 and SigV4A request signing for VPC Lattice (`vpc-lattice-svcs`).
//!
//! A [`Signer`] adds `x-amz-date`, `x-amz-content-sha256: UNSIGNED-PAYLOAD`,
//! `x-amz-security-token` (temporary credentials), `x-amz-region-set` (SigV4A)
//! and `authorization` to a request head. It never reads the body, so bodies
//! stream.
//!
//! ```
//! use aws_credential_types::Credentials;
//! use lattice_client::sign::Signer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), lattice_client::Error> {
//! let signer = Signer::builder()
//!     .credentials(Credentials::for_tests())
//!     .build()?;
//! let mut request = http::Request::get(
//!     "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders/42",
//! )
//! .body(())
//! .expect("valid request");
//! signer.sign(&mut request).await?;
//! assert_eq!(request.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
//! assert!(request.headers()["authorization"]
//!     .to_str()
//!     .unwrap()
//!     .contains("/us-west-2/vpc-lattice-svcs/aws4_request"));
//! # Ok(())
//! # }
//! ```
//!
//! # What is signed
//!
//! * `host`: the URI authority after normalisation — host lower-cased, one
//!   trailing dot removed, the scheme's default port dropped — written back
//!   into the URI. hyper derives `Host` (HTTP/1.1) and `:authority` (HTTP/2)
//!   from the URI, so this single rule is right whichever version ALPN picks.
//!   The signer never adds a `Host` header; a `Host` header that agrees with
//!   the authority is removed (hyper puts it back from the URI on HTTP/1.1),
//!   one that disagrees is an [`Error::HostHeaderMismatch`](crate::Error::HostHeaderMismatch).
//! * Every other header, except those a proxy or HTTP/2 may drop or rewrite:
//!   `authorization`, `user-agent`, `x-amzn-trace-id`, `transfer-encoding`,
//!   `connection`, `keep-alive`, `proxy-connection`, `te`, `trailer`,
//!   `upgrade`, `expect` and every `x-forwarded-*` (extend the list with
//!   [`SignerBuilder::exclude_header`]).
//! * The payload hash is the literal `UNSIGNED-PAYLOAD`: Lattice rejects
//!   signed payloads.
//! * The path is double-encoded and normalised (the SigV4 default that
//!   botocore and AWS's Python, Java and Node samples use).
//!
//! # Hosts
//!
//! By default only VPC Lattice hosts are signed: generated service names
//! (`<name>-<id>.<partition>.vpc-lattice-svcs.<region>.on.aws`) and the custom
//! domains registered with [`SignerBuilder::custom_domain`]. The check is made
//! on the URI host, where the connection goes, so a signature or session token
//! never reaches a host the user did not name. [`SignerBuilder::sign_any_host`]
//! lifts the restriction.
//!
//! # Regions
//!
//! The first of: a [`SigningRegion`] request extension; the region inside a
//! generated Lattice name; the region of the matching custom domain; the
//! builder's default [`region`](SignerBuilder::region). With SigV4A the region
//! set replaces all of these.
//!
//! # Plain HTTP
//!
//! Signing an `http://` request logs one `tracing` warning per host: the
//! signature and session token travel in clear text and can be replayed by
//! anyone on the path for as long as the signature is valid (five minutes)
//! and the token lives.

mod builder;
pub mod canonical;
pub(crate) mod crypto;
mod date;
mod host;
pub(crate) mod key;
mod report;
mod signer;
pub mod verify;
mod writer;

use std::borrow::Cow;

pub use builder::SignerBuilder;
pub use report::{Algorithm, RegionSource, SigningReport};
pub use signer::Signer;

/// The SigV4 signing name of the VPC Lattice data plane.
///
/// (The control plane is `vpc-lattice`; never sign data-plane calls with it.)
pub const SIGNING_NAME: &str = "vpc-lattice-svcs";

/// The payload hash Lattice requires.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Headers the signer sets; they are removed before every signing so that a
/// retried request never carries stale values.
pub const SIGNING_HEADERS: [&str; 5] = [
    "authorization",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
    "x-amz-region-set",
];

/// The signature algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningAlgorithm {
    /// `AWS4-HMAC-SHA256`, bound to one region (the default).
    SigV4,
    /// `AWS4-ECDSA-P256-SHA256`, valid in every region of `region_set`
    /// (`*`, or a comma-separated list such as `us-east-1,us-west-2`).
    SigV4A {
        /// The value of `x-amz-region-set`.
        region_set: String,
    },
}

/// A per-request signing region: put it in the request's extensions to
/// override every other source of the region.
///
/// ```
/// let mut request = http::Request::get("https://orders.example.internal/").body(()).unwrap();
/// request.extensions_mut().insert(lattice_client::sign::SigningRegion::new("eu-central-1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningRegion(Cow<'static, str>);

impl SigningRegion {
    /// A region such as `us-west-2`.
    pub fn new(region: impl Into<Cow<'static, str>>) -> Self {
        Self(region.into())
    }

    /// The region.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests;
