//! VPC Lattice auth-policy evaluation: parse IAM policies, decide a request
//! the way Lattice does, and explain the decision with Lattice's own 403 line.
//!
//! ```
//! use lattice_client::policy::{
//!     AccessRequest, AuthConfig, AuthPolicy, AuthType, Caller, DecisionEffect, IdentityPolicy,
//!     Layer, RequestContext, keys,
//! };
//!
//! let network = AuthPolicy::from_json(r#"{"Version":"2012-10-17","Statement":[{
//!     "Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
//!     "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-example"}}}]}"#)?;
//! let service = AuthPolicy::from_json(r#"{"Version":"2012-10-17","Statement":[{
//!     "Sid":"OrdersClientsRead","Effect":"Allow",
//!     "Principal":{"AWS":"arn:aws:iam::111122223333:role/orders-client"},
//!     "Action":"vpc-lattice-svcs:Invoke",
//!     "Resource":"arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/*",
//!     "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}}]}"#)?;
//! let identity = IdentityPolicy::from_json(r#"{"Version":"2012-10-17","Statement":[{
//!     "Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#)?;
//! let config = AuthConfig::new()
//!     .network(AuthType::aws_iam(network))
//!     .service(AuthType::aws_iam(service))
//!     .identity_policy(identity);
//!
//! let service_arn = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
//! let caller = Caller::arn("arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc");
//! let context = RequestContext::new()
//!     .with(keys::PRINCIPAL_ORG_ID, "o-example")
//!     .with(keys::REQUEST_METHOD, "GET");
//! let get = AccessRequest::invoke(caller.clone(), service_arn, "/orders/42").with_context(context.clone());
//! assert!(config.evaluate(&get).is_allowed());
//!
//! let post = AccessRequest::invoke(caller, service_arn, "/orders/42")
//!     .with_context(context.with(keys::REQUEST_METHOD, "POST"));
//! let decision = config.evaluate(&post);
//! assert_eq!(decision.effect, DecisionEffect::ImplicitDeny);
//! assert_eq!(decision.layer, Some(Layer::Service));
//! assert_eq!(decision.access_log_label(), Some("Service"));
//! assert_eq!(
//!     decision.message.as_deref(),
//!     Some("AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc \
//!           is not authorized to perform: vpc-lattice-svcs:Invoke on resource: \
//!           arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42 \
//!           because no service-based policy allows the vpc-lattice-svcs:Invoke action"),
//! );
//! # Ok::<(), lattice_client::policy::PolicyError>(())
//! ```
//!
//! # Policies
//!
//! [`AuthPolicy`] (a service network's or service's resource-based policy;
//! every statement needs `Principal` or `NotPrincipal`) and
//! [`IdentityPolicy`] (the caller's IAM policies; `Principal` is rejected)
//! are parsed from JSON. Whatever AWS would reject fails with a
//! [`PolicyError`]; statement problems carry the statement's index, `Sid`
//! and [`Field`]. Element and operator names are case-sensitive as in the
//! IAM grammar; unknown elements are rejected; `Sid`s must be unique;
//! `Version` is `2012-10-17` or `2008-10-17` (the default when omitted).
//! Policy variables (`${aws:username}`) are not expanded: they compare as
//! literal text. `BinaryEquals` is rejected as unsupported.
//!
//! # Requests
//!
//! An [`AccessRequest`] is one authorization question: a [`Caller`] (a
//! principal ARN, or anonymous), an action, a resource and a
//! [`RequestContext`] of condition keys. [`AccessRequest::invoke`] builds the
//! HTTP/gRPC form and [`AccessRequest::connect`] the TLS-passthrough form.
//!
//! # Matching
//!
//! - **Action**: case-insensitive, `*` and `?` wildcards.
//!   ([`INVOKE`] for HTTP/gRPC, [`CONNECT`] for TLS passthrough.)
//! - **Resource**: the service ARN immediately followed by the request path
//!   (`…:service/svc-0123456789abcdef0/orders/42`, see [`AccessRequest::invoke`]);
//!   case-sensitive, `*` (which may cross `:` and `/`) and `?`.
//! - **Principal**: `"*"` and `{"AWS": "*"}` match everyone, anonymous
//!   callers included. A 12-digit account id or `arn:…:iam::ACCOUNT:root`
//!   matches every signed principal of that account. A role
//!   `arn:P:iam::A:role/[PATH/]NAME` matches its sessions
//!   `arn:P:sts::A:assumed-role/NAME/*` (and the role ARN itself). User,
//!   assumed-role and federated-user ARNs match exactly. `Service`,
//!   `Federated` and `CanonicalUser` principals are accepted but never match
//!   a Lattice caller. Anonymous callers match only `"*"`.
//!
//! # Condition keys
//!
//! Lattice's documentation says "condition keys are case sensitive". This module
//! reads that as being about *values*, and follows IAM for *names*:
//!
//! - key **names** match case-insensitively (`aws:SourceIp` = `AWS:SOURCEIP`);
//!   both sides are lower-cased once (policy at parse time, [`RequestContext`] on
//!   insert). That includes the suffix of `vpc-lattice-svcs:RequestHeader/<name>`
//!   (header names are case-insensitive in HTTP, so the `<name>` is compared
//!   lower-cased), of `RequestQueryString/<key>` (so `?Tag=a&tag=b` are two
//!   values of one key: the [`RequestContext`] builder merges them) and of
//!   `aws:PrincipalTag/<key>`;
//! - **values** compare per operator: `StringEquals`/`StringLike` are
//!   case-sensitive, `…IgnoreCase` are not, `Bool` accepts any case of
//!   `true`/`false`, `Arn*` are case-sensitive per ARN part.
//!
//! `aws:PrincipalType` (`AssumedRole`, `User`, `FederatedUser`, `Account`,
//! `Anonymous`), `aws:PrincipalArn` (the role ARN, without path, for a role
//! session) and `aws:PrincipalAccount` are derived from the caller when the
//! context does not carry them; a value in the context wins. Every other key,
//! including `aws:CurrentTime`, comes from the context only.
//!
//! # Operators
//!
//! `String*`, `Numeric*`, `Date*`, `Bool`, `Null`, `Arn*`, `IpAddress`,
//! `NotIpAddress`, each with `…IfExists` (not `Null`) and `ForAnyValue:` /
//! `ForAllValues:` (not `Null`). Several values of one key are ORed; several
//! keys and operators are ANDed.
//!
//! - **Missing key** (absent, or present with no values): plain positive
//!   operators do not match; negated operators (`StringNotEquals`,
//!   `StringNotEqualsIgnoreCase`, `StringNotLike`, `NumericNotEquals`,
//!   `DateNotEquals`, `ArnNotEquals`, `ArnNotLike`, `NotIpAddress`) match,
//!   as IAM documents; `…IfExists` matches; `ForAnyValue:` does not match;
//!   `ForAllValues:` matches; `Null: true` matches.
//! - **Multi-valued keys under plain operators** (assumed for Lattice,
//!   chosen here): a positive operator matches when *any* request value
//!   matches (IAM's documented reading); a negated operator is its
//!   exact complement, matching when *no* request value matches. So
//!   `StringNotEquals` on `?tag=a&tag=b` against `"a"` does not match.
//!   Use `ForAllValues:` / `ForAnyValue:` to say otherwise.
//! - A request value the operator cannot read (text under `Numeric*`, a bad
//!   date or address) satisfies neither the operator nor its negation.
//!
//! # Decisions
//!
//! [`evaluate`] applies the layers: explicit deny anywhere wins; otherwise
//! every applicable layer must allow (see [`evaluate`] for which apply and
//! in which order denials are reported). The [`Decision`] names the layer,
//! the `Deny` statement, the access-log label and Lattice's exact 403 line.
//! Evaluation never fails and does not allocate on the allow path beyond a
//! derived `aws:PrincipalArn` when a policy tests it.
//!
//! This module never panics on any policy or request.

pub(crate) mod condition;
mod error;
mod eval;
mod parse;
pub(crate) mod principal;
mod request;
pub(crate) mod wildcard;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use error::{DocumentError, Field, PolicyError, Problem, StatementError, ValueKind};
pub use eval::{AuthConfig, AuthType, Decision, DecisionEffect, Layer, StatementRef, evaluate};
pub use parse::{AuthPolicy, Effect, IdentityPolicy, Statement, Version};
pub use request::{AccessRequest, CONNECT, Caller, INVOKE, RequestContext, keys};
