//! The caller identity of requests that VPC Lattice forwards to a server
//! (ECS, EC2, IP or ALB targets), as a typed request extension.
//!
//! Lattice strips the `x-amzn-lattice-identity`, `-identity-tags`, `-network`,
//! `-target` and `x-amzn-source-vpc` headers from incoming requests and sets
//! them itself. [`CallerIdentityLayer`] parses
//! them with [`lattice_client::identity::CallerIdentity::from_headers`] (the
//! same parser V1 Lambda events use, giving the same value V2 events give)
//! and inserts the result into the request's extensions, so a handler reads
//! its caller the same way behind Lambda or behind ECS.
//!
//! ```
//! use lattice_client::identity::CallerIdentity;
//! use lattice_tower::identity::CallerIdentityLayer;
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! let service = ServiceBuilder::new()
//!     .layer(CallerIdentityLayer::new())
//!     .service(service_fn(|req: http::Request<String>| async move {
//!         let caller = req.extensions().get::<CallerIdentity>();
//!         let who = caller
//!             .and_then(|c| c.principal_arn())
//!             .map_or_else(|| "anonymous".to_owned(), |p| p.to_string());
//!         Ok::<_, std::convert::Infallible>(http::Response::new(who))
//!     }));
//! let request = http::Request::get("/")
//!     .header(
//!         "x-amzn-lattice-identity",
//!         "Principal=arn:aws:sts::123456789012:assumed-role/app/s1; Type=AWS_IAM",
//!     )
//!     .body(String::new())?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.body(), "arn:aws:sts::123456789012:assumed-role/app/s1");
//! # Ok(())
//! # }
//! ```
//!
//! # When the headers can be trusted
//!
//! Only when the server can be reached **through Lattice alone**: its security
//! group admits only Lattice's managed prefix list (`169.254.171.0/24` and
//! `fd00:ec2:80::/64`). Any peer that reaches the server directly can send
//! `x-amzn-lattice-identity: Principal=<anyone>`, and this layer (like any
//! reader of those headers) would believe it.
//!
//! As a second line, opt in to a check of the peer address:
//! [`CallerIdentityLayer::trusted_peers`] with [`TrustedPeers::lattice`] (or
//! ranges of your own) refuses every request from elsewhere with
//! `403 Forbidden` before any header is read. The peer address comes from the
//! request extensions ([`peer_addr`]): a [`SocketAddr`](std::net::SocketAddr)
//! that a hyper-util accept loop inserts, or axum's `ConnectInfo<SocketAddr>`
//! (feature `axum`; serve the router with
//! `into_make_service_with_connect_info::<SocketAddr>()`). A request without
//! a peer address is refused too; [`TrustedPeers::peer_lookup`] reads other
//! types.
//!
//! ```
//! use std::net::SocketAddr;
//! use lattice_tower::identity::{CallerIdentityLayer, TrustedPeers};
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), tower::BoxError> {
//! let service = ServiceBuilder::new()
//!     .layer(CallerIdentityLayer::new().trusted_peers(TrustedPeers::lattice()))
//!     .service(service_fn(|_req: http::Request<String>| async move {
//!         Ok::<_, std::convert::Infallible>(http::Response::new(String::from("hello")))
//!     }));
//! let mut request = http::Request::new(String::new());
//! request
//!     .extensions_mut()
//!     .insert("10.0.0.7:50000".parse::<SocketAddr>()?);
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.status(), http::StatusCode::FORBIDDEN);
//! # Ok(())
//! # }
//! ```
//!
//! # An identity already present wins
//!
//! A request that already carries a
//! [`CallerIdentity`](lattice_client::identity::CallerIdentity) extension is
//! passed on untouched: no header is read and no peer is checked. Only server
//! code can insert extensions, so the identity came from a trusted source;
//! behind the Lambda adapter of `lattice-client` it is the one from the V2
//! `requestContext.identity` (whose event headers lose every
//! `x-amzn-lattice-*` header, `docs/assumptions.md` A20) or from the V1
//! event's headers.
//!
//! # Where it sits
//!
//! Anywhere before the handlers that read the identity; it only reads headers
//! and never touches the body. Behind the Lambda adapter of `lattice-client`
//! (`lattice_client::lambda::run`) it is not needed — the adapter already
//! puts the identity of V1 and V2 events into the extensions — but it is
//! harmless: that identity is kept (see above).
//!
//! # Anonymous and malformed
//!
//! * **No identity header** (none of the five): nothing is inserted; the
//!   caller is anonymous (or the request did not come through Lattice). An
//!   unsigned caller that did come through Lattice has the network and
//!   target headers, so it gets an identity whose
//!   [`is_anonymous`](lattice_client::identity::CallerIdentity::is_anonymous)
//!   is true.
//! * **Malformed headers** (repeated, not UTF-8, an item without `=`, two
//!   values for one field; see
//!   [`IdentityError`](lattice_client::identity::IdentityError)): the layer
//!   **rejects the request with `400 Bad Request`** and an empty body, without
//!   calling the wrapped service, and logs the reason at `warn` level
//!   ([`IdentityRejection::Malformed`]). Lattice
//!   never sends such headers, so the request did not come through Lattice
//!   unchanged; silently treating it as anonymous would hide a forged or
//!   broken identity from handlers that only check for a principal.
//!
//! # Rejections
//!
//! What the client gets for a refused request is the one thing that differs
//! between an HTTP and a gRPC server, so it is a parameter:
//! [`HttpRejection`] (400 for [`IdentityRejection::Malformed`], 403 for the
//! peer check) by default, the gRPC status in `lattice-tonic`, or your own
//! [`RejectIdentity`] with [`CallerIdentityLayer::with_rejection`].
//!
//! # axum (feature `axum`)
//!
//! [`AuthenticatedCaller`] is an extractor for an authenticated caller
//! (rejecting anonymous callers with `401`), and `Option<AuthenticatedCaller>`
//! is `None` for anonymous callers (the name matches `lattice-tonic`'s
//! `authenticated_caller()`; the data type stays
//! [`lattice_client::identity::CallerIdentity`]). Both read the extension the layer inserted, or parse the
//! headers themselves when the layer is not installed (a malformed header then
//! rejects with `400`). A handler that wants the source VPC or target ARNs of
//! an anonymous caller reads the extension itself
//! (`Extension<lattice_client::identity::CallerIdentity>`).

#[cfg(feature = "axum")]
mod axum;
mod future;
mod layer;
mod peer;
mod reject;
#[cfg(test)]
mod tests;

#[cfg(feature = "axum")]
pub use self::axum::{AuthenticatedCaller, AuthenticatedCallerRejection};
pub use future::ResponseFuture;
pub use layer::{CallerIdentityLayer, CallerIdentityService};
pub use peer::{PeerLookup, TrustedPeers, peer_addr};
pub use reject::{HttpRejection, IdentityRejection, RejectIdentity};
