//! Call, serve behind and test against AWS VPC Lattice services.
//!
//! `lattice-client` signs HTTP requests for the VPC Lattice data plane
//! (signing name `vpc-lattice-svcs`) in-process — no sidecar proxy — with
//! credentials from the normal AWS chain, cached and refreshed, and bodies
//! streamed, never buffered.
//!
//! * [`sign::Signer`]: SigV4 / SigV4A signing of `http::Request`s.
//! * [`credentials::CredentialsCache`]: non-blocking cached credentials.
//! * [`resolve::Resolver`]: DNS with static overrides (tests, local endpoints).
//! * [`env`](mod@env): `LATTICE_RESOLVE` and `AWS_CA_BUNDLE`, read when you opt in with
//!   `with_env()` on a client builder (reqwest, hyper, tonic), the resolver or
//!   the TLS options; the same opt-in lets the signer sign `*.localhost`
//!   names (the fake Lattice's) for the default region.
//! * [`identity::CallerIdentity`]: who called a target behind Lattice, from the
//!   `x-amzn-lattice-*` headers or a V2 Lambda event.
//! * `lambda` (feature `lambda`): typed V1/V2 Lambda events, conversions to and
//!   from `http` types, and `lambda::run` to serve a Tower service (an axum
//!   `Router`) as a Lattice Lambda target.
//! * `reqwest` (feature `reqwest`): a signing client wrapper and a
//!   `reqwest-middleware` middleware.
//! * [`name`] and [`arn`]: typed Lattice DNS names, custom domains, ids and ARNs.
//! * [`trace`]: the one `tracing` span per signed request (OpenTelemetry
//!   field names) that the adapters open.
//! * `policy` (feature `policy`): IAM auth-policy evaluation that decides and
//!   explains as Lattice does.
//! * `tls` (feature `tls`): rustls configuration with aws-lc-rs.
//! * The fake Lattice data plane for tests is its own crate, `lattice-fake`
//!   (a dev-dependency).
//!
//! Tower layers and a ready signed hyper client live in `lattice-tower`.
//!
//! ```
//! use aws_credential_types::Credentials;
//! use lattice_client::sign::Signer;
//!
//! let signer = Signer::builder()
//!     .credentials(Credentials::for_tests())
//!     .custom_domain("orders.example.internal", Some("eu-central-1"))
//!     .build()
//!     .expect("valid configuration");
//! let mut request = http::Request::get("https://orders.example.internal/orders")
//!     .body(())
//!     .expect("valid request");
//! let report = signer
//!     .sign_with(&mut request, &Credentials::for_tests())
//!     .expect("signed");
//! assert!(report.scope.ends_with("/eu-central-1/vpc-lattice-svcs/aws4_request"));
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod arn;
pub mod credentials;
pub mod env;
mod error;
pub mod hint;
pub mod identity;
pub mod name;
pub mod path;
pub mod refusal;
pub mod resolve;
#[cfg(any(feature = "reqwest", feature = "hyper"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "reqwest", feature = "hyper"))))]
pub mod retry;
pub mod sign;
mod text;
pub mod trace;

#[cfg(feature = "policy")]
#[cfg_attr(docsrs, doc(cfg(feature = "policy")))]
pub mod policy;

#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub mod tls;

#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub mod reqwest;

#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub mod lambda;

pub use error::{BoxError, Error, redact_userinfo};
pub use refusal::Refusal;
pub use sign::{Signer, SignerBuilder, SigningRegion};

/// The credential types and provider trait (`ProvideCredentials`) this crate
/// is built on, re-exported for custom providers.
pub use aws_credential_types;
/// Re-exported so users need no direct dependency for static credentials.
pub use aws_credential_types::Credentials;
/// The address-range type of [`resolve::Resolver::with_lattice_ranges`] and
/// [`resolve::default_lattice_ranges`] (`ipnet::IpNet`), re-exported so users
/// need no direct dependency.
pub use ipnet;
