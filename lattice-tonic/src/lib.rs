//! gRPC over AWS VPC Lattice with [tonic](https://docs.rs/tonic).
//!
//! * [`LatticeEndpoint`] → [`LatticeChannel`]: a channel for any
//!   tonic-generated client that signs every RPC (unary and streaming) with
//!   SigV4 or SigV4A for `vpc-lattice-svcs`, over HTTPS and HTTP/2, with
//!   credentials from the AWS chain cached and refreshed, and Lattice's own
//!   refusals turned into meaningful gRPC statuses ([`status`]).
//! * [`identity`]: for tonic servers behind Lattice, the caller identity from
//!   the `x-amzn-lattice-*` metadata as a typed request extension.
//!
//! ```no_run
//! use lattice_tonic::LatticeEndpoint;
//! # use lattice_examples::grpc_echo::{EchoRequest, echo_client::EchoClient};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Credentials from the environment, profile, SSO, IMDS, …
//! let config = aws_config::load_from_env().await;
//! let channel = LatticeEndpoint::new(
//!     "https://echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
//! )?
//! .sdk_config(&config)?
//! .connect()
//! .await?;
//!
//! // Any tonic-generated client.
//! let mut client = EchoClient::new(channel);
//! match client.unary(EchoRequest { message: "hello".into(), ..Default::default() }).await {
//!     Ok(reply) => println!("{}", reply.into_inner().message),
//!     // A denial by the auth policy:
//!     // PermissionDenied: AccessDeniedException: User: arn:aws:sts::… is not authorized …
//!     Err(status) => println!("{:?}: {}", status.code(), status.message()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A custom domain needs its region (or SigV4A):
//!
//! ```no_run
//! # async fn run(config: aws_config::SdkConfig) -> Result<(), lattice_tonic::Error> {
//! let channel = lattice_tonic::LatticeEndpoint::new("https://orders.example.com")?
//!     .sdk_config(&config)?
//!     .region("eu-central-1") // or .sigv4a("*")
//!     .connect_lazy()?;
//! # let _ = channel;
//! # Ok(())
//! # }
//! ```
//!
//! In tests, point the name at a local server and trust its CA:
//!
//! ```no_run
//! # fn run(ca_pem: &str, credentials: lattice_client::Credentials) -> Result<(), Box<dyn std::error::Error>> {
//! use std::net::{IpAddr, Ipv4Addr};
//! use lattice_client::resolve::Resolver;
//!
//! let name = "echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
//! let channel = lattice_tonic::LatticeEndpoint::new(format!("https://{name}:8443"))?
//!     .credentials(credentials)
//!     .resolver(
//!         Resolver::new()
//!             .with_override(name, [IpAddr::V4(Ipv4Addr::LOCALHOST)])?
//!             .without_system_fallback(),
//!     )
//!     .platform_roots(false)
//!     .add_root_pem(ca_pem)?
//!     .connect_lazy()?;
//! # let _ = channel;
//! # Ok(())
//! # }
//! ```
//!
//! Why a Tower layer and not a tonic interceptor: interceptors cannot await
//! (credentials may need refreshing) and never see the RPC path or the
//! authority, both of which are signed.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod channel;
mod connect;
mod error;
pub mod identity;
mod retry;
pub mod status;

pub use channel::{LatticeChannel, LatticeEndpoint};
pub use error::{BoxError, Error};
pub use identity::CallerIdentityLayer;

pub use lattice_client;
pub use lattice_tower;
