//! The fake Lattice: an in-process VPC Lattice data plane for tests
//! (in progress).
//!
//! # What exists now
//!
//! Self-contained building blocks, each fully tested:
//!
//! * [`routing`]: listener rules with the VPC Lattice API's shapes and field
//!   names (`match.httpMatch`, `action.forward.targetGroups`, …), validated as
//!   Lattice validates them (typed [`routing::RoutingError`]s, adjustable
//!   quotas as [`routing::Limits`]), and a matcher that picks a rule by
//!   priority, the default action last, and a target group by weight with an
//!   injectable random source.
//! * [`access_log`]: the service access-log record with Lattice's field
//!   names (`"-"` for empty values), JSON-lines rendering and a bounded
//!   in-memory [`access_log::AccessLogSink`].
//!
//! # What is to come
//!
//! * A builder for service networks, services, listeners, target groups,
//!   principals and clients, validated on `build()`.
//! * The server: one loopback socket per listener, HTTPS with certificates
//!   from a fresh in-memory CA (ALPN `h2` and `http/1.1`), the service chosen
//!   by `Host` / `:authority` and SNI.
//! * Per request, as Lattice does: spoofable identity headers stripped, SigV4
//!   verification with the verifier's Lattice profile, auth policies through
//!   `crate::policy`, routing through [`routing`], forwarding with the
//!   `x-forwarded-*`, `x-amzn-lattice-*` and `x-amzn-requestid` headers, and
//!   one access-log record per request.
//! * A YAML/JSON config file in the API's shapes and a runner example.

pub mod access_log;
pub mod routing;
