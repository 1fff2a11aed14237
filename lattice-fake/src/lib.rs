//! The fake Lattice: an in-process VPC Lattice data plane for tests.
//!
//! A `#[tokio::test]` describes a service network the way a user writes
//! Terraform, starts it in milliseconds on loopback, and points its real,
//! signed client at it over real TLS. The fake answers as Lattice does.
//!
//! ```no_run
//! use lattice_fake::{
//!     FakeLattice, Listener, Principal, Service, ServiceNetwork, TargetGroup,
//! };
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeLattice::builder()
//!     .service_network(ServiceNetwork::new("shop").all_services().aws_iam(
//!         r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
//!             "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
//!             "Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}}]}"#,
//!     ))
//!     .service(Service::new("orders").listener(Listener::https(443).forward_to("orders-tg")))
//!     .target_group(TargetGroup::request_echo("orders-tg"))
//!     .principal(Principal::new(
//!         "AKIDEXAMPLE",
//!         "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!         "arn:aws:sts::111122223333:assumed-role/orders-client/session-1",
//!     ))
//!     .build()?
//!     .start()
//!     .await?;
//! let url = fake.url("orders").expect("orders has a listener");
//! let signer = fake.signer("AKIDEXAMPLE")?;
//! let resolver = fake.resolver()?;
//! let roots = fake.root_store();
//! // … build a reqwest or hyper client from these and call `url`.
//! # let _ = (url, signer, resolver, roots);
//! # Ok(()) }
//! ```
//!
//! # What a request goes through
//!
//! Seven steps, each a function of the same name in the fake's pipeline.
//! The first that refuses the request answers it.
//!
//! 1. **`check_limits`**: more than 100 headers or over 60 KB of them →
//!    `400`. The path is normalised once ([`lattice_client::path::normalize`]:
//!    escapes of unreserved characters decoded, `//` collapsed, dot
//!    segments removed); a path with no normal form (`..` above the root,
//!    `%2F`, a bad escape) → `400`.
//! 2. **`find_service`**: the service is chosen by `Host` / `:authority`
//!    (port removed); an unknown name, a service not associated with the
//!    caller's network, or no listener of that service on the socket's
//!    modelled port → `404` `Non Existent Service`. Over HTTPS, an SNI
//!    naming another service than the host → `421` (assumed: Lattice's
//!    behaviour is not documented).
//! 3. **`authenticate`**: a request with an AWS `authorization` header
//!    (`AWS4-…`) must verify with the verifier's Lattice profile and the
//!    fake's clock, whatever the auth types; a failure is a `403` with the
//!    verifier's one-line error. Other requests are anonymous. The
//!    signature is checked over the request as sent, so a client that
//!    signed a spoofed identity header still verifies (the header is
//!    removed next).
//! 4. **`strip_identity`**: the identity headers a caller could spoof
//!    (`x-amzn-lattice-*`, `x-amzn-source-vpc`) are removed, and the
//!    normalised path replaces the one sent: policies, rules and the target
//!    all see that one path.
//! 5. **`authorize`**: if the network or the service uses `AWS_IAM`, the
//!    policy engine decides (network, service, and the caller's identity
//!    policies); a denial is a `403` with Lattice's `AccessDeniedException`
//!    line.
//! 6. **`route`**: the listener's rules route it ([`routing`]); fixed
//!    responses have an empty body.
//! 7. **`forward`**: the request is forwarded in the target group's
//!    protocol version: HTTP/2 to an `HTTP1` group is converted to
//!    HTTP/1.1; HTTP/1.1 to an `HTTP2` or `GRPC` group, gRPC to an `HTTP1`
//!    group, and a non-`POST` to a `GRPC` group are refused with `400` (the
//!    status is assumed). The target gets `x-forwarded-for` (appended to an
//!    incoming value, ALB-style; assumed), `x-forwarded-port` (the modelled
//!    port), `x-forwarded-proto`, the identity headers, and
//!    `x-amzn-requestid` (the client's value cut to 512 bytes, else a fresh
//!    UUID), which is also returned to the client. The `Host` is kept; the
//!    SigV4 headers are forwarded (assumed; a target must not rely on
//!    them). Anonymous callers get no `x-amzn-lattice-identity` header
//!    (assumed). A target that cannot be reached → `500`
//!    (`TargetConnectionError`); one that answers badly → `502`
//!    (`TargetProtocolError`); one that takes longer than the target
//!    timeout → `504` (`TargetDataTimeout`).
//!
//! Every step writes what it learnt into the request's access-log record
//! ([`access_log`]), written once when the response body ends. Every
//! assumed behaviour is listed, with its reason, in the repository's
//! `docs/assumptions.md`.
//!
//! Connections close after the idle timeout and, gracefully, at the end of
//! their lifetime ([`Timeouts`]): HTTP/2 gets `GOAWAY`, HTTP/1.1 a
//! `connection: close`, and in-flight requests finish within a grace
//! period (5 s), after which the connection is closed hard. A request body
//! that stalls for the body read timeout is answered `408`. Each listener
//! holds at most [`DEFAULT_MAX_CONNECTIONS_PER_LISTENER`] connections
//! (configurable); a full one sheds its oldest idle connection.
//!
//! # The admin API
//!
//! Paths under `/_fake/` ([`ADMIN_PREFIX`]) are answered by the fake itself
//! on every listener's port, whatever the `Host`, unsigned and unlogged:
//! `GET /_fake/health`, `GET /_fake/access-log?since=N&service=NAME` (JSON
//! lines, each record with its `seq`), `GET /_fake/ca.pem`,
//! `GET /_fake/env` ([`FakeEnv`] as `export` lines), `GET /_fake/metrics`
//! (Prometheus text: [`metrics::MetricsSnapshot::to_prometheus_text`]),
//! `PUT`/`DELETE /_fake/services/{name}/auth-policy` and
//! `/_fake/service-networks/{name}/auth-policy`, `POST /_fake/reset`, and
//! the service map, `GET /_fake/map.svg` and the live page `GET /_fake/map`
//! ([`map`]).
//! A target never sees these paths. [`FakeHandle`] has the same operations
//! in code ([`FakeHandle::put_service_auth_policy`], …).
//!
//! # One port for every service
//!
//! [`FakeLatticeBuilder::gateway`] adds one socket serving every service,
//! plaintext and TLS alike (told apart by the first byte), each request
//! routed by `Host` / `:authority` to its service's listener of the
//! connection's protocol (the lowest modelled port when there are two;
//! `421` when there is none). [`FakeLatticeBuilder::bind`] picks the listen
//! address (default 127.0.0.1), and
//! [`FakeLatticeBuilder::explain_signature_failures`] adds what the fake
//! computed below a signature-mismatch `403`. A target group may forward to
//! an upstream by name ([`Target::upstream_host`]).
//!
//! # Defaults
//!
//! * Without any [`ServiceNetwork`], every service sits in a network named
//!   `default` with auth type `NONE`.
//! * A [`Principal`] without identity policies gets one allowing
//!   `vpc-lattice-svcs:Invoke` on `*` ([`DEFAULT_IDENTITY_POLICY`]); use
//!   [`Principal::no_identity_policy`] to model a role without it.
//! * Ids (`svc-…`, `sn-…`, `tg-…`) are derived from the account and the
//!   name, so names and URLs are the same on every run.
//! * The default client VPC is [`DEFAULT_CLIENT_VPC`] in the fake's account,
//!   associated with the first network.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod access_log;
mod admin;
mod certs;
mod compile;
pub mod config;
mod connection;
mod error;
mod gateway;
pub mod limits;
pub mod map;
pub mod metrics;
mod model;
mod pipeline;
pub mod pki;
pub mod routing;
mod server;

pub use admin::{ADMIN_PREFIX, FakeEnv};
pub use config::ConfigFormat;
pub use error::{FakeError, ObjectKind};
pub use limits::Limits;
pub use model::{
    Auth, BoxError, Client, DEFAULT_ACCOUNT, DEFAULT_CLIENT_VPC, DEFAULT_IDENTITY_POLICY,
    DEFAULT_MAX_CONNECTIONS_PER_LISTENER, DEFAULT_REGION, FakeBody, FakeLatticeBuilder, Faults,
    LambdaFunction, Listener, ListenerProtocol, MAX_TIMEOUT, Principal, ProtocolVersion, Service,
    ServiceNetwork, ServiceTarget, Target, TargetGroup, Timeouts, boxed_body, empty_body,
    full_body,
};
pub use pipeline::{LAMBDA_MAX_BYTES, MAX_HEADER_BYTES, MAX_HEADERS, MAX_REQUEST_ID};
pub use server::{FakeHandle, FakeLattice, ListenerInfo, ServiceInfo};
