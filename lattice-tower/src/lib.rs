//! Tower middleware for AWS VPC Lattice.
//!
//! * [`sign::SigV4Layer`] signs every request for `vpc-lattice-svcs` with a
//!   [`lattice_client::Signer`]: put it in front of any
//!   `Service<http::Request<B>>` — a hyper-util client, a tonic `Channel`, your
//!   own transport.
//! * [`identity::CallerIdentityLayer`] puts the caller identity Lattice sends
//!   to servers (`x-amzn-lattice-*` headers) into request extensions, typed;
//!   with feature `axum`, `identity::AuthenticatedCaller` is an axum extractor.
//! * [`hyper`] (feature `hyper`): a ready signed hyper client over rustls with
//!   HTTP/1.1 and HTTP/2 (ALPN), and the Lattice resolver.
//!
//! ```
//! use lattice_client::{Credentials, Signer};
//! use lattice_tower::sign::SigV4Layer;
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! let signer = Signer::builder().credentials(Credentials::for_tests()).build()?;
//! let service = ServiceBuilder::new()
//!     .layer(SigV4Layer::new(signer))
//!     .service(service_fn(|req: http::Request<()>| async move {
//!         // The transport sees a signed request.
//!         assert!(req.headers().contains_key("authorization"));
//!         Ok::<_, std::convert::Infallible>(http::Response::new(()))
//!     }));
//! let request = http::Request::get(
//!     "https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders",
//! )
//! .body(())?;
//! service.oneshot(request).await?;
//! # Ok(())
//! # }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
pub mod identity;
pub mod sign;

#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub mod hyper;

#[cfg(feature = "hyper")]
pub use error::HyperError;
pub use error::{BoxError, Error};
pub use identity::{CallerIdentityLayer, CallerIdentityService};
pub use sign::{SigV4Layer, SigV4Service};
