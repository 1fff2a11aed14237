//! The caller of a [`lambda_http`] request, for Lambda targets that already
//! serve with `lambda_http::run(router)` (feature `lambda-http`).
//!
//! lambda_http's `vpc_lattice` feature parses VPC Lattice V2 events and puts
//! their `requestContext` in the request's extensions as
//! `lambda_http::request::RequestContext::VpcLattice`. This module reads it
//! back in this crate's types, without changing the runtime:
//!
//! * [`LatticeIdentityExt::lattice_caller_identity`] on any
//!   `http::Request<B>` (so on `lambda_http::Request`): the
//!   [`CallerIdentity`];
//! * [`LatticeIdentityExt::lattice_request_context`]: the whole context as a
//!   [`V2RequestContext`];
//! * `From<&VpcLatticeRequestV2Context>` for [`CallerIdentity`] and for
//!   [`V2RequestContext`] (the context type is aws_lambda_events', which
//!   lambda_http re-exports).
//!
//! ```
//! use lattice_client::lambda::http_bridge::LatticeIdentityExt;
//!
//! let event = r#"{"version":"2.0","path":"/orders","method":"GET",
//!   "headers":{"host":["orders.example"]},"queryStringParameters":{},
//!   "isBase64Encoded":false,"requestContext":{
//!     "serviceNetworkArn":"arn:aws:vpc-lattice:us-east-2:123456789012:servicenetwork/sn-0bf3f2882e9cc805a",
//!     "serviceArn":"arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c",
//!     "targetGroupArn":"arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-6d0ecf831eec9f09",
//!     "identity":{"type":"AWS_IAM","principal":"arn:aws:iam::123456789012:role/orders-client"},
//!     "region":"us-east-2","timeEpoch":"1724875399456789"}}"#;
//! // What lambda_http hands to the handler.
//! let request: lambda_http::Request = lambda_http::request::from_str(event)?;
//! let caller = request.lattice_caller_identity().expect("a VPC Lattice request");
//! assert_eq!(caller.principal.as_deref(), Some("arn:aws:iam::123456789012:role/orders-client"));
//! assert_eq!(caller.principal_account(), Some("123456789012"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Which source is read
//!
//! Only the request context. lambda_http passes a V2 event's headers through
//! unchanged, so a copy of the `x-amzn-lattice-*` headers in them reaches the
//! handler; those are never read here, as [`run`](super::run()) leaves them
//! out (`docs/assumptions.md`, A20). A request that did not come from a
//! Lattice event (another lambda_http event source, a request built in a
//! test) has no Lattice caller: `None`. A request built by this crate's own
//! [`run`](super::run()) or [`LatticeEvent`](super::LatticeEvent) conversion
//! carries its [`CallerIdentity`] in the extensions, and that is returned
//! too, so one router can be served either way. The conversion cannot fail:
//! every field of the context is copied as found (see
//! [`V2RequestContext::caller_identity`]).
//!
//! # Where lambda_http's V2 handling differs from [`run`](super::run())
//!
//! * **URI.** A V2 event's `path` already carries the query string
//!   (`/orders?expand=items`). lambda_http builds the URI from that `path`
//!   and then appends `?` and a query re-encoded from
//!   `queryStringParameters`, so the handler sees two query strings joined by
//!   a second `?` (`/orders?expand=items?expand=items`): `uri().query()` is
//!   `expand=items?expand=items`, and a query extractor reads the first
//!   key's value with `?expand=items` glued to it. The re-encoded part uses
//!   form encoding (`+` for a space) in hash-map order. This crate's
//!   conversion takes the query from `path` as sent, and rebuilds it from
//!   `queryStringParameters` only when `path` has none (older events). The
//!   test `uri_on_each_side` shows both. Read queries through lambda_http's
//!   `RequestExt::query_string_parameters()` when serving with lambda_http.
//! * **Strictness.** lambda_http needs `serviceNetworkArn`, `serviceArn`,
//!   `targetGroupArn`, `region` and `timeEpoch` as strings, and the
//!   documented key spellings; an event without one is not parsed at all.
//!   This crate's parser accepts each as absent or misspelt (Powertools'
//!   `principalOrgId`, `X509IssuerOu`, …).
//! * **Identity headers.** lambda_http keeps `x-amzn-lattice-*` headers of a
//!   V2 event; this crate drops them (A20).
//! * **Trace id.** Both put the invocation's X-Ray trace id in
//!   `x-amzn-trace-id`; lambda_http replaces a header the event had, this
//!   crate keeps it.

use lambda_http::aws_lambda_events::vpc_lattice::{
    VpcLatticeRequestV2Context, VpcLatticeRequestV2Identity,
};
use lambda_http::request::RequestContext;
use serde_json::Value;

use super::{TimeEpoch, V2Identity, V2RequestContext};
use crate::identity::{CallerIdentity, X509Identity};

/// Lattice's view of a request served by lambda_http: the caller and the
/// VPC Lattice V2 request context. Implemented for `http::Request<B>` (so
/// for `lambda_http::Request`), `http::request::Parts` and
/// `http::Extensions`. See the [module docs](self) for which source is read.
pub trait LatticeIdentityExt {
    /// The caller from the VPC Lattice V2 request context, or the
    /// [`CallerIdentity`] this crate's own conversion stored; `None` when the
    /// request came from neither. For an unsigned caller it is
    /// [anonymous](CallerIdentity::is_anonymous), not `None`.
    fn lattice_caller_identity(&self) -> Option<CallerIdentity>;

    /// The VPC Lattice V2 request context in this crate's type; `None` when
    /// the request has none.
    fn lattice_request_context(&self) -> Option<V2RequestContext>;
}

impl LatticeIdentityExt for http::Extensions {
    fn lattice_caller_identity(&self) -> Option<CallerIdentity> {
        match self.get::<RequestContext>() {
            Some(RequestContext::VpcLattice(context)) => Some(CallerIdentity::from(context)),
            // Another lambda_http event source: not a Lattice caller.
            Some(_) => None,
            None => self.get::<CallerIdentity>().cloned(),
        }
    }

    fn lattice_request_context(&self) -> Option<V2RequestContext> {
        match self.get::<RequestContext>() {
            Some(RequestContext::VpcLattice(context)) => Some(V2RequestContext::from(context)),
            // Another lambda_http event source: not a Lattice caller.
            Some(_) => None,
            None => self.get::<V2RequestContext>().cloned(),
        }
    }
}

impl<B> LatticeIdentityExt for http::Request<B> {
    fn lattice_caller_identity(&self) -> Option<CallerIdentity> {
        self.extensions().lattice_caller_identity()
    }

    fn lattice_request_context(&self) -> Option<V2RequestContext> {
        self.extensions().lattice_request_context()
    }
}

impl LatticeIdentityExt for http::request::Parts {
    fn lattice_caller_identity(&self) -> Option<CallerIdentity> {
        self.extensions.lattice_caller_identity()
    }

    fn lattice_request_context(&self) -> Option<V2RequestContext> {
        self.extensions.lattice_request_context()
    }
}

/// An empty string (aws_lambda_events' default for a missing member) is
/// absent.
fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl From<&VpcLatticeRequestV2Identity> for V2Identity {
    fn from(i: &VpcLatticeRequestV2Identity) -> Self {
        Self {
            source_vpc_arn: i.source_vpc_arn.clone(),
            identity_type: i.identity_type.clone(),
            principal: i.principal.clone(),
            principal_org_id: i.principal_org_id.clone(),
            session_name: i.session_name.clone(),
            x509: X509Identity {
                issuer_ou: i.x509_issuer_ou.clone(),
                san_dns: i.x509_san_dns.clone(),
                san_name_cn: i.x509_san_name_cn.clone(),
                san_uri: i.x509_san_uri.clone(),
                subject_cn: i.x509_subject_cn.clone(),
            },
            other: Vec::new(),
        }
    }
}

/// Copies every field; a `timeEpoch` that is not an integer of microseconds
/// is kept in [`other`](V2RequestContext::other) as a string, as this
/// crate's own parser does.
impl From<&VpcLatticeRequestV2Context> for V2RequestContext {
    fn from(c: &VpcLatticeRequestV2Context) -> Self {
        let mut other = Vec::new();
        let time_epoch = match c.time_epoch.parse::<u64>() {
            Ok(micros) => Some(TimeEpoch::from_micros(micros)),
            Err(_) if c.time_epoch.is_empty() => None,
            Err(_) => {
                other.push(("timeEpoch".to_owned(), Value::String(c.time_epoch.clone())));
                None
            }
        };
        Self {
            service_network_arn: non_empty(&c.service_network_arn),
            service_arn: non_empty(&c.service_arn),
            target_group_arn: non_empty(&c.target_group_arn),
            identity: c.identity.as_ref().map(V2Identity::from),
            region: non_empty(&c.region),
            time_epoch,
            other,
        }
    }
}

impl From<VpcLatticeRequestV2Context> for V2RequestContext {
    fn from(c: VpcLatticeRequestV2Context) -> Self {
        Self::from(&c)
    }
}

/// The caller of a VPC Lattice V2 request context: its `identity` with the
/// service, network and target group ARNs (as
/// [`V2RequestContext::caller_identity`]). A context without `identity`
/// gives an anonymous caller.
impl From<&VpcLatticeRequestV2Context> for CallerIdentity {
    fn from(c: &VpcLatticeRequestV2Context) -> Self {
        V2RequestContext::from(c)
            .caller_identity()
            .unwrap_or_default()
    }
}

impl From<VpcLatticeRequestV2Context> for CallerIdentity {
    fn from(c: VpcLatticeRequestV2Context) -> Self {
        Self::from(&c)
    }
}

#[cfg(test)]
#[expect(clippy::indexing_slicing, clippy::panic)]
mod tests;
