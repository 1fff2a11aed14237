//! Layers, decisions and the Lattice 403 lines.

use std::fmt;
use std::sync::Arc;

use super::condition::{Derived, Key, RequestValues};
use super::parse::{AuthPolicy, Document, Effect, IdentityPolicy, Statement};
use super::principal::ParsedCaller;
use super::request::AccessRequest;

/// What evaluation reads: the request and its caller, parsed once.
#[derive(Debug)]
pub(crate) struct Env<'a> {
    pub(crate) request: &'a AccessRequest,
    pub(crate) caller: ParsedCaller<'a>,
}

impl<'a> Env<'a> {
    fn new(request: &'a AccessRequest) -> Self {
        Env {
            request,
            caller: ParsedCaller::new(request.caller().as_arn()),
        }
    }

    /// The request's values for a key: the context first, then (for the
    /// three principal keys) what the caller implies. Empty = absent.
    pub(crate) fn lookup(&self, key: &Key) -> Option<RequestValues<'a>> {
        if let Some(values) = self.request.context().get_lower(&key.lower)
            && !values.is_empty()
        {
            return Some(RequestValues::Many(values));
        }
        match key.derived? {
            Derived::Type => self
                .caller
                .principal_type()
                .map(|t| RequestValues::One(t.into())),
            Derived::Account => self
                .caller
                .principal_account()
                .map(|a| RequestValues::One(a.into())),
            Derived::Arn => self.caller.principal_arn().map(RequestValues::One),
        }
    }
}

/// A service network's or a service's auth type.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub enum AuthType {
    /// `NONE`: the layer does not take part in authorization.
    #[default]
    None,
    /// `AWS_IAM` with its auth policy; `AWS_IAM` without a policy denies
    /// everything (implicitly).
    AwsIam(Option<AuthPolicy>),
}

impl AuthType {
    /// `AWS_IAM` with `policy`.
    pub fn aws_iam(policy: AuthPolicy) -> Self {
        AuthType::AwsIam(Some(policy))
    }

    /// `true` for `AWS_IAM`.
    pub fn is_aws_iam(&self) -> bool {
        matches!(self, AuthType::AwsIam(_))
    }
}

/// Everything that decides a request: the two auth policies and the
/// caller's identity policies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthConfig {
    network: AuthType,
    service: AuthType,
    identity: Vec<IdentityPolicy>,
}

impl AuthConfig {
    /// Both auth types `NONE`, no identity policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the service network's auth type and policy.
    pub fn network(mut self, auth: AuthType) -> Self {
        self.network = auth;
        self
    }

    /// Sets the service's auth type and policy.
    pub fn service(mut self, auth: AuthType) -> Self {
        self.service = auth;
        self
    }

    /// Adds one identity-based policy of the caller.
    pub fn identity_policy(mut self, policy: IdentityPolicy) -> Self {
        self.identity.push(policy);
        self
    }

    /// Replaces the caller's identity-based policies.
    pub fn identity_policies(mut self, policies: impl IntoIterator<Item = IdentityPolicy>) -> Self {
        self.identity = policies.into_iter().collect();
        self
    }

    /// The service network's auth type.
    pub fn network_auth(&self) -> &AuthType {
        &self.network
    }

    /// The service's auth type.
    pub fn service_auth(&self) -> &AuthType {
        &self.service
    }

    /// The caller's identity-based policies.
    pub fn identity(&self) -> &[IdentityPolicy] {
        &self.identity
    }

    /// Decides `request`; see [`evaluate`].
    pub fn evaluate(&self, request: &AccessRequest) -> Decision {
        evaluate(self, request)
    }
}

/// A policy layer, in the order denials are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The service network's auth policy.
    Network,
    /// The service's auth policy.
    Service,
    /// The caller's IAM identity-based policies.
    Identity,
}

impl Layer {
    /// The access-log `authDeniedReason`: `Network`, `Service`, `Identity`.
    pub fn access_log_label(self) -> &'static str {
        match self {
            Layer::Network => "Network",
            Layer::Service => "Service",
            Layer::Identity => "Identity",
        }
    }

    /// The word of the 403 line: `network`, `service`, `identity` (as in
    /// "no network-based policy allows").
    pub fn policy_word(self) -> &'static str {
        match self {
            Layer::Network => "network",
            Layer::Service => "service",
            Layer::Identity => "identity",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.access_log_label())
    }
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecisionEffect {
    /// Every applicable layer allows and none denies.
    Allow,
    /// A statement with `"Effect": "Deny"` matched.
    Deny,
    /// Some applicable layer has no matching `Allow`.
    ImplicitDeny,
}

impl DecisionEffect {
    /// `"Allow"`, `"Deny"`, `"ImplicitDeny"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionEffect::Allow => "Allow",
            DecisionEffect::Deny => "Deny",
            DecisionEffect::ImplicitDeny => "ImplicitDeny",
        }
    }
}

/// Which statement decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StatementRef {
    /// For the identity layer, the position of the policy in
    /// [`AuthConfig::identity`]; `None` for the network and service layers.
    pub policy: Option<usize>,
    /// Zero-based position of the statement in its policy.
    pub index: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<Arc<str>>,
}

impl StatementRef {
    fn new(policy: Option<usize>, statement: &Statement) -> Self {
        StatementRef {
            policy,
            index: statement.index(),
            sid: statement.sid_arc(),
        }
    }
}

impl fmt::Display for StatementRef {
    /// The `Sid`, or the index when there is none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) => f.write_str(sid),
            None => write!(f, "{}", self.index),
        }
    }
}

/// A decision that explains itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decision {
    /// Allow, explicit Deny or implicit deny.
    pub effect: DecisionEffect,
    /// The layer that denied (`None` when allowed).
    pub layer: Option<Layer>,
    /// The `Deny` statement that matched (explicit denies only).
    pub statement: Option<StatementRef>,
    /// The exact Lattice 403 body line (`None` when allowed).
    pub message: Option<String>,
}

impl Decision {
    /// `true` when the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.effect == DecisionEffect::Allow
    }

    /// The access-log `authDeniedReason` (`Network`, `Service`, `Identity`),
    /// `None` when allowed.
    pub fn access_log_label(&self) -> Option<&'static str> {
        self.layer.map(Layer::access_log_label)
    }

    fn allow() -> Self {
        Decision {
            effect: DecisionEffect::Allow,
            layer: None,
            statement: None,
            message: None,
        }
    }

    fn explicit(layer: Layer, statement: StatementRef, request: &AccessRequest) -> Self {
        Decision {
            effect: DecisionEffect::Deny,
            layer: Some(layer),
            statement: Some(statement),
            message: Some(format!(
                "AccessDeniedException: User: {} is not authorized to perform: {} on resource: {} with an explicit deny in a {}-based policy",
                request.caller().user_text(),
                request.action(),
                request.resource(),
                layer.policy_word(),
            )),
        }
    }

    fn implicit(layer: Layer, request: &AccessRequest) -> Self {
        Decision {
            effect: DecisionEffect::ImplicitDeny,
            layer: Some(layer),
            statement: None,
            message: Some(format!(
                "AccessDeniedException: User: {} is not authorized to perform: {action} on resource: {} because no {}-based policy allows the {action} action",
                request.caller().user_text(),
                request.resource(),
                layer.policy_word(),
                action = request.action(),
            )),
        }
    }
}

/// How one layer answered.
#[derive(Debug)]
enum Outcome {
    /// Auth type `NONE`, or the identity layer of an anonymous caller.
    NotApplicable,
    Allowed,
    NoAllow,
    Denied(StatementRef),
}

fn document_outcome(
    doc: &Document,
    policy: Option<usize>,
    env: &Env<'_>,
    allowed: &mut bool,
) -> Option<StatementRef> {
    for statement in doc.statements() {
        // Once something allows, only a `Deny` can still change the outcome.
        if *allowed && statement.effect() == Effect::Allow {
            continue;
        }
        if statement.applies(env) {
            match statement.effect() {
                Effect::Deny => return Some(StatementRef::new(policy, statement)),
                Effect::Allow => *allowed = true,
            }
        }
    }
    None
}

fn resource_layer(auth: &AuthType, env: &Env<'_>) -> Outcome {
    match auth {
        AuthType::None => Outcome::NotApplicable,
        AuthType::AwsIam(None) => Outcome::NoAllow,
        AuthType::AwsIam(Some(policy)) => {
            let mut allowed = false;
            match document_outcome(policy.document(), None, env, &mut allowed) {
                Some(deny) => Outcome::Denied(deny),
                None if allowed => Outcome::Allowed,
                None => Outcome::NoAllow,
            }
        }
    }
}

fn identity_layer(policies: &[IdentityPolicy], env: &Env<'_>) -> Outcome {
    if env.request.caller().is_anonymous() {
        return Outcome::NotApplicable;
    }
    let mut allowed = false;
    for (i, policy) in policies.iter().enumerate() {
        if let Some(deny) = document_outcome(policy.document(), Some(i), env, &mut allowed) {
            return Outcome::Denied(deny);
        }
    }
    if allowed {
        Outcome::Allowed
    } else {
        Outcome::NoAllow
    }
}

/// Decides a request the way Lattice does.
///
/// 1. If neither the service network nor the service uses `AWS_IAM`, no
///    authorization happens: allow (identity policies are not consulted).
/// 2. The applicable layers are: the network (auth type `AWS_IAM`), the
///    service (`AWS_IAM`) and, for signed callers only, the caller's
///    identity policies. `AWS_IAM` without a policy has no allow.
/// 3. A matching `Deny` in any applicable layer → [`DecisionEffect::Deny`].
/// 4. Else every applicable layer needs a matching `Allow`; the first
///    that has none → [`DecisionEffect::ImplicitDeny`].
///
/// When several layers deny (explicitly, or else implicitly), the one
/// reported is the first in the order network, service, identity
/// (assumed, to match the observed messages; see `docs/assumptions.md`, A40).
/// Within a layer the first matching `Deny` statement in document order
/// (identity: policy order, then statement order) is reported.
pub fn evaluate(config: &AuthConfig, request: &AccessRequest) -> Decision {
    if !config.network.is_aws_iam() && !config.service.is_aws_iam() {
        return Decision::allow();
    }
    let env = Env::new(request);
    let network = resource_layer(&config.network, &env);
    if let Outcome::Denied(s) = network {
        return Decision::explicit(Layer::Network, s, request);
    }
    let service = resource_layer(&config.service, &env);
    if let Outcome::Denied(s) = service {
        return Decision::explicit(Layer::Service, s, request);
    }
    let identity = identity_layer(&config.identity, &env);
    if let Outcome::Denied(s) = identity {
        return Decision::explicit(Layer::Identity, s, request);
    }
    for (layer, outcome) in [
        (Layer::Network, network),
        (Layer::Service, service),
        (Layer::Identity, identity),
    ] {
        if matches!(outcome, Outcome::NoAllow) {
            return Decision::implicit(layer, request);
        }
    }
    Decision::allow()
}
