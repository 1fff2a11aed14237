//! Listener rules as VPC Lattice evaluates them: the API's rule shapes, their
//! validation, and a matcher that picks a rule and a target group.
//!
//! The shapes ([`Rule`], [`RuleMatch`], [`HttpMatch`], [`PathMatch`],
//! [`HeaderMatch`], [`RuleAction`], …) use the VPC Lattice API's field names,
//! so rule JSON from infrastructure code deserializes as it is.
//! [`RouteTable::build`] validates them as Lattice does and sorts them once;
//! [`RouteTable::route`] then picks a rule for a request without allocating.
//!
//! ```
//! use lattice_fake::routing::{
//!     Limits, MatchedRule, RouteOutcome, RouteRequest, RouteTable, Rule, RuleAction, XorShift64,
//! };
//!
//! let rules: Vec<Rule> = serde_json::from_str(r#"[
//!   {"name": "orders-v2", "priority": 10,
//!    "match": {"httpMatch": {"method": "GET",
//!                            "pathMatch": {"match": {"prefix": "/orders"}},
//!                            "headerMatches": [{"name": "x-version", "match": {"exact": "v2"}}]}},
//!    "action": {"forward": {"targetGroups": [{"targetGroupIdentifier": "tg-00000000000000002"}]}}},
//!   {"priority": 20,
//!    "match": {"httpMatch": {"pathMatch": {"match": {"prefix": "/orders"}}}},
//!    "action": {"forward": {"targetGroups": [
//!      {"targetGroupIdentifier": "tg-00000000000000001", "weight": 90},
//!      {"targetGroupIdentifier": "tg-00000000000000002", "weight": 10}]}}}
//! ]"#)?;
//! let table = RouteTable::build(rules, RuleAction::fixed_response(404), &Limits::default())?;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("X-Version", http::HeaderValue::from_static("V2"));
//! let mut rng = XorShift64::new(7);
//! let route = table.route(&RouteRequest::new("GET", "/Orders/42", &headers), &mut rng);
//! assert_eq!(route.matched, MatchedRule::Rule { priority: 10, name: Some("orders-v2") });
//! assert_eq!(route.outcome, RouteOutcome::Forward { target_group: "tg-00000000000000002" });
//!
//! let route = table.route(&RouteRequest::new("GET", "/health", &headers), &mut rng);
//! assert_eq!(route.matched, MatchedRule::Default);
//! assert_eq!(route.outcome, RouteOutcome::FixedResponse { status: http::StatusCode::NOT_FOUND });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Semantics
//!
//! * Rules are evaluated by priority, lowest number first; the first match
//!   wins; the listener's default action is evaluated last and always matches.
//! * A match is the AND of the parts present: `method` (exact and
//!   case-sensitive), `pathMatch` (exact or prefix; `caseSensitive` defaults to
//!   `false`) and up to five `headerMatches` (exact, prefix or contains;
//!   `caseSensitive` defaults to `false`). A rule with no parts matches every
//!   request.
//! * `forward` picks one target group at random in proportion to the
//!   weights; a group with weight 0 is never picked.
//!
//! # Documented choices (see `docs/assumptions.md`, A54)
//!
//! * **Header names** are always compared case-insensitively, as HTTP defines
//!   them (HTTP/2 even lowercases them on the wire); `caseSensitive` governs
//!   the header *value* only.
//! * **Repeated headers**: a header match holds when any one of the request's
//!   values for that name matches.
//! * **Case folding** is ASCII-only (paths and header values in rules are
//!   ASCII; other bytes compare exactly).
//! * **Path**: the matcher compares the string it is given; the fake passes
//!   the URI path without the query string ([`RouteRequest::from_request`]).
//! * **Missing weight**: a single target group without `weight` gets 100 (the
//!   API default); with several groups, every group needs a weight
//!   ([`RoutingError::MissingWeight`]), as the API requires.
//! * **All weights 0**: accepted (the API accepts weight 0); such a forward
//!   action has no eligible target group and routes to
//!   [`RouteOutcome::NoEligibleTargetGroup`], which the server answers with a
//!   500 (Lattice's "cannot reach targets").
//! * **Fixed responses** accept 404 and 500 only (current documentation).
//! * **Empty `headerMatches`**: an empty list is the same as no list (no
//!   header condition); the API's minimum of one item is not enforced.
//! * **Unknown JSON fields** are rejected (`deny_unknown_fields`) so that a
//!   misspelt `caseSensitive` cannot silently change a match; request-only
//!   `CreateRule` fields (`listenerIdentifier`, `tags`, …) must be left out.
//! * **Quotas** that are adjustable in Lattice are [`Limits`] fields with
//!   Lattice's defaults; the header-match count (5) and the ranges of
//!   priorities (1–100) and weights (0–999) are fixed, as in Lattice.

use std::collections::BTreeMap;
use std::fmt;

use http::{HeaderMap, HeaderName, StatusCode};
use serde::{Deserialize, Serialize};

/// Lowest rule priority Lattice accepts.
pub const MIN_PRIORITY: u32 = 1;
/// Highest rule priority Lattice accepts.
pub const MAX_PRIORITY: u32 = 100;
/// Most header matches one rule may hold.
pub const MAX_HEADER_MATCHES: usize = 5;
/// Highest target-group weight Lattice accepts.
pub const MAX_WEIGHT: u32 = 999;
/// The weight of a lone target group given without one.
pub const DEFAULT_WEIGHT: u32 = 100;
/// Longest `method` value.
pub const MAX_METHOD_LEN: usize = 16;
/// Longest path-match value.
pub const MAX_PATH_LEN: usize = 200;
/// Longest header-match name.
pub const MAX_HEADER_NAME_LEN: usize = 100;
/// Longest header-match value.
pub const MAX_HEADER_VALUE_LEN: usize = 128;

// ---------------------------------------------------------------------------
// API shapes
// ---------------------------------------------------------------------------

/// A listener rule, as the API's `CreateRule` takes it (other than the
/// listener and service identifiers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Rule {
    /// The rule's name (shown in errors and routes; not matched on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Priority, 1–100, unique per listener; lower numbers are evaluated first.
    pub priority: u32,
    /// The conditions.
    #[serde(rename = "match")]
    pub rule_match: RuleMatch,
    /// What a matching request gets.
    pub action: RuleAction,
}

impl Rule {
    /// A rule with this priority, match and action, and no name.
    pub fn new(priority: u32, rule_match: impl Into<RuleMatch>, action: RuleAction) -> Self {
        Rule {
            name: None,
            priority,
            rule_match: rule_match.into(),
            action,
        }
    }

    /// Sets the rule's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A rule's conditions: `{"httpMatch": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RuleMatch {
    /// The HTTP conditions.
    pub http_match: HttpMatch,
}

impl From<HttpMatch> for RuleMatch {
    fn from(http_match: HttpMatch) -> Self {
        RuleMatch { http_match }
    }
}

/// HTTP conditions; every part present must match (AND).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct HttpMatch {
    /// The method, compared exactly and case-sensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_match: Option<PathMatch>,
    /// Up to five header conditions. An empty list means no header condition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header_matches: Vec<HeaderMatch>,
}

impl HttpMatch {
    /// No conditions: matches every request until parts are added.
    pub fn new() -> Self {
        HttpMatch::default()
    }

    /// Requires this method (exact, case-sensitive).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Requires this path condition.
    pub fn path(mut self, path_match: PathMatch) -> Self {
        self.path_match = Some(path_match);
        self
    }

    /// Adds a header condition.
    pub fn header(mut self, header_match: HeaderMatch) -> Self {
        self.header_matches.push(header_match);
        self
    }
}

/// A path condition: `{"match": {"exact"|"prefix": "/x"}, "caseSensitive": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct PathMatch {
    /// Exact or prefix.
    #[serde(rename = "match")]
    pub path: PathMatchType,
    /// Compare case-sensitively; `false` when absent.
    #[serde(default)]
    pub case_sensitive: bool,
}

impl PathMatch {
    /// The path must equal `path` (case-insensitively unless made sensitive).
    pub fn exact(path: impl Into<String>) -> Self {
        PathMatch {
            path: PathMatchType::Exact(path.into()),
            case_sensitive: false,
        }
    }

    /// The path must start with `prefix` (case-insensitively unless made sensitive).
    pub fn prefix(prefix: impl Into<String>) -> Self {
        PathMatch {
            path: PathMatchType::Prefix(prefix.into()),
            case_sensitive: false,
        }
    }

    /// Sets `caseSensitive`.
    pub fn case_sensitive(mut self, yes: bool) -> Self {
        self.case_sensitive = yes;
        self
    }
}

/// `{"exact": "/x"}` or `{"prefix": "/x"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum PathMatchType {
    /// The whole path.
    Exact(String),
    /// The start of the path.
    Prefix(String),
}

/// A header condition:
/// `{"name": "...", "match": {"exact"|"prefix"|"contains": "..."}, "caseSensitive": bool}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct HeaderMatch {
    /// The header name (always compared case-insensitively).
    pub name: String,
    /// How the value is compared.
    #[serde(rename = "match")]
    pub value: HeaderMatchType,
    /// Compare the value case-sensitively; `false` when absent.
    #[serde(default)]
    pub case_sensitive: bool,
}

impl HeaderMatch {
    /// A header condition with `caseSensitive` false.
    pub fn new(name: impl Into<String>, value: HeaderMatchType) -> Self {
        HeaderMatch {
            name: name.into(),
            value,
            case_sensitive: false,
        }
    }

    /// The value must equal `value`.
    pub fn exact(name: impl Into<String>, value: impl Into<String>) -> Self {
        HeaderMatch::new(name, HeaderMatchType::Exact(value.into()))
    }

    /// The value must start with `value`.
    pub fn prefix(name: impl Into<String>, value: impl Into<String>) -> Self {
        HeaderMatch::new(name, HeaderMatchType::Prefix(value.into()))
    }

    /// The value must contain `value`.
    pub fn contains(name: impl Into<String>, value: impl Into<String>) -> Self {
        HeaderMatch::new(name, HeaderMatchType::Contains(value.into()))
    }

    /// Sets `caseSensitive`.
    pub fn case_sensitive(mut self, yes: bool) -> Self {
        self.case_sensitive = yes;
        self
    }
}

/// `{"exact"|"prefix"|"contains": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum HeaderMatchType {
    /// The whole value.
    Exact(String),
    /// The start of the value.
    Prefix(String),
    /// Anywhere in the value.
    Contains(String),
}

/// A rule's or listener's action: `{"forward": {...}}` or `{"fixedResponse": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum RuleAction {
    /// Forward to one of the target groups.
    Forward(ForwardAction),
    /// Answer with a status code and no body.
    FixedResponse(FixedResponseAction),
}

impl RuleAction {
    /// Forward everything to one target group (weight 100).
    pub fn forward_to(target_group: impl Into<String>) -> Self {
        RuleAction::Forward(ForwardAction {
            target_groups: vec![WeightedTargetGroup {
                target_group_identifier: target_group.into(),
                weight: None,
            }],
        })
    }

    /// Forward to weighted target groups.
    pub fn forward_weighted<I, S>(groups: I) -> Self
    where
        I: IntoIterator<Item = (S, u32)>,
        S: Into<String>,
    {
        RuleAction::Forward(ForwardAction {
            target_groups: groups
                .into_iter()
                .map(|(id, weight)| WeightedTargetGroup {
                    target_group_identifier: id.into(),
                    weight: Some(weight),
                })
                .collect(),
        })
    }

    /// A fixed response (404 or 500 pass validation).
    pub fn fixed_response(status_code: u16) -> Self {
        RuleAction::FixedResponse(FixedResponseAction { status_code })
    }
}

/// `{"targetGroups": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ForwardAction {
    /// The target groups and their weights.
    pub target_groups: Vec<WeightedTargetGroup>,
}

/// `{"targetGroupIdentifier": "tg-...", "weight": N}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct WeightedTargetGroup {
    /// The target group's id, ARN or (in the fake's config) name.
    pub target_group_identifier: String,
    /// 0–999; optional only when the action has one target group (then 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

/// `{"statusCode": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct FixedResponseAction {
    /// 404 or 500.
    pub status_code: u16,
}

// ---------------------------------------------------------------------------
// Limits and errors
// ---------------------------------------------------------------------------

/// Lattice's adjustable quotas , with Lattice's defaults.
///
/// The routing table checks `rules_per_listener` and
/// `target_groups_per_service` (a listener cannot use more groups than its
/// service has); the other quotas are for the fake's builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Rules per listener, default rule excluded: 10 (5 in `il-central-1`).
    pub rules_per_listener: usize,
    /// Listeners per service: 2.
    pub listeners_per_service: usize,
    /// Target groups per service: 10.
    pub target_groups_per_service: usize,
    /// Targets per target group: 1,000.
    pub targets_per_target_group: usize,
    /// Service associations per service network: 500.
    pub service_associations_per_network: usize,
    /// Auth-policy size in bytes: 10 KB.
    pub auth_policy_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rules_per_listener: 10,
            listeners_per_service: 2,
            target_groups_per_service: 10,
            targets_per_target_group: 1_000,
            service_associations_per_network: 500,
            auth_policy_bytes: 10 * 1024,
        }
    }
}

impl Limits {
    /// Lattice's defaults in `region` (`il-central-1` allows 5 rules per listener).
    pub fn for_region(region: &str) -> Self {
        let mut limits = Limits::default();
        if region == "il-central-1" {
            limits.rules_per_listener = 5;
        }
        limits
    }

    /// Sets the rules-per-listener quota.
    pub fn rules_per_listener(mut self, n: usize) -> Self {
        self.rules_per_listener = n;
        self
    }

    /// Sets the listeners-per-service quota.
    pub fn listeners_per_service(mut self, n: usize) -> Self {
        self.listeners_per_service = n;
        self
    }

    /// Sets the target-groups-per-service quota.
    pub fn target_groups_per_service(mut self, n: usize) -> Self {
        self.target_groups_per_service = n;
        self
    }

    /// Sets the targets-per-target-group quota.
    pub fn targets_per_target_group(mut self, n: usize) -> Self {
        self.targets_per_target_group = n;
        self
    }

    /// Sets the service-associations-per-network quota.
    pub fn service_associations_per_network(mut self, n: usize) -> Self {
        self.service_associations_per_network = n;
        self
    }

    /// Sets the auth-policy size quota in bytes.
    pub fn auth_policy_bytes(mut self, n: usize) -> Self {
        self.auth_policy_bytes = n;
        self
    }
}

/// Which rule a [`RoutingError`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleRef {
    /// The listener's default action.
    Default,
    /// A rule, by its position in the list given to [`RouteTable::build`].
    Rule {
        /// Position in the given list (0-based).
        index: usize,
        /// The rule's name, if it has one.
        name: Option<String>,
    },
}

impl RuleRef {
    fn of(index: usize, rule: &Rule) -> Self {
        RuleRef::Rule {
            index,
            name: rule.name.clone(),
        }
    }
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleRef::Default => f.write_str("default action"),
            RuleRef::Rule {
                index,
                name: Some(name),
            } => write!(f, "rule #{index} (`{name}`)"),
            RuleRef::Rule { index, name: None } => write!(f, "rule #{index}"),
        }
    }
}

/// A listener's rules that Lattice would reject. Every variant is the
/// configuration's fault; the message names the rule and the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    /// A priority outside 1–100.
    #[error("{rule}: priority {priority} is out of range; use 1-100")]
    PriorityOutOfRange {
        /// The rule.
        rule: RuleRef,
        /// The priority given.
        priority: u32,
    },
    /// Two rules of one listener share a priority.
    #[error(
        "{second}: priority {priority} is already used by {first}; priorities are unique per listener"
    )]
    DuplicatePriority {
        /// The shared priority.
        priority: u32,
        /// The rule that had it first.
        first: RuleRef,
        /// The rule that repeats it.
        second: RuleRef,
    },
    /// More rules than the rules-per-listener quota.
    #[error(
        "{count} rules on one listener exceed the quota of {limit}; raise `Limits::rules_per_listener`"
    )]
    TooManyRules {
        /// Rules given (default excluded).
        count: usize,
        /// The quota.
        limit: usize,
    },
    /// The listener's actions name more target groups than a service may have.
    #[error(
        "the listener forwards to {count} target groups, over the quota of {limit} per service; raise `Limits::target_groups_per_service`"
    )]
    TooManyTargetGroups {
        /// Distinct target groups named.
        count: usize,
        /// The quota.
        limit: usize,
    },
    /// A `method` that is empty or longer than 16 characters, or not an HTTP token.
    #[error("{rule}: method `{method}` is invalid: {reason}")]
    InvalidMethod {
        /// The rule.
        rule: RuleRef,
        /// The method given.
        method: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A path-match value Lattice rejects.
    #[error("{rule}: path match `{path}` is invalid: {reason}")]
    InvalidPath {
        /// The rule.
        rule: RuleRef,
        /// The value given.
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// More than five header matches.
    #[error("{rule}: {count} header matches given; a rule takes at most 5")]
    TooManyHeaderMatches {
        /// The rule.
        rule: RuleRef,
        /// How many were given.
        count: usize,
    },
    /// A header-match name Lattice or HTTP rejects.
    #[error("{rule}: header match name `{name}` is invalid: {reason}")]
    InvalidHeaderName {
        /// The rule.
        rule: RuleRef,
        /// The name given.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A header-match value that is empty or longer than 128 characters.
    #[error("{rule}: the value matched against header `{name}` is invalid: {reason}")]
    InvalidHeaderValue {
        /// The rule.
        rule: RuleRef,
        /// The header's name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A `forward` action without target groups.
    #[error("{rule}: a forward action needs at least one target group")]
    EmptyForward {
        /// The rule.
        rule: RuleRef,
    },
    /// A weight above 999.
    #[error("{rule}: weight {weight} of target group `{target_group}` is out of range; use 0-999")]
    WeightOutOfRange {
        /// The rule.
        rule: RuleRef,
        /// The target group.
        target_group: String,
        /// The weight given.
        weight: u32,
    },
    /// A weight left out although the action has several target groups.
    #[error(
        "{rule}: target group `{target_group}` needs a weight when a forward action has several target groups"
    )]
    MissingWeight {
        /// The rule.
        rule: RuleRef,
        /// The target group.
        target_group: String,
    },
    /// A target-group identifier that is empty.
    #[error("{rule}: a target group identifier is empty")]
    EmptyTargetGroup {
        /// The rule.
        rule: RuleRef,
    },
    /// A fixed response other than 404 or 500.
    #[error("{rule}: fixed response status {status} is not supported; Lattice accepts 404 and 500")]
    UnsupportedFixedResponse {
        /// The rule.
        rule: RuleRef,
        /// The status given.
        status: u16,
    },
}

// ---------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------

/// A source of random numbers for weighted picks; inject a seeded one for
/// deterministic tests.
pub trait RandomSource {
    /// The next uniformly distributed 64-bit value.
    fn next_u64(&mut self) -> u64;
}

impl<R: RandomSource + ?Sized> RandomSource for &mut R {
    fn next_u64(&mut self) -> u64 {
        (**self).next_u64()
    }
}

/// Marsaglia's xorshift64: small, fast and good enough for traffic splits
/// (not for anything secret).
#[derive(Debug, Clone)]
pub struct XorShift64 {
    state: u64,
}

impl XorShift64 {
    /// A generator from `seed` (a zero seed is replaced, as xorshift needs a
    /// non-zero state).
    pub fn new(seed: u64) -> Self {
        XorShift64 {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }
}

impl RandomSource for XorShift64 {
    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }
}

// ---------------------------------------------------------------------------
// Compiled table
// ---------------------------------------------------------------------------

/// What a request is matched on: method, path (without query) and headers.
#[derive(Debug, Clone, Copy)]
pub struct RouteRequest<'a> {
    method: &'a str,
    path: &'a str,
    headers: &'a HeaderMap,
}

impl<'a> RouteRequest<'a> {
    /// A request view from its parts.
    pub fn new(method: &'a str, path: &'a str, headers: &'a HeaderMap) -> Self {
        RouteRequest {
            method,
            path,
            headers,
        }
    }

    /// The view of an `http::Request`: its method, URI path (no query) and headers.
    pub fn from_request<B>(request: &'a http::Request<B>) -> Self {
        RouteRequest::new(
            request.method().as_str(),
            request.uri().path(),
            request.headers(),
        )
    }
}

/// Which rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MatchedRule<'a> {
    /// A rule with this priority and name.
    Rule {
        /// Its priority.
        priority: u8,
        /// Its name, if any.
        name: Option<&'a str>,
    },
    /// No rule matched; the listener's default action applies.
    Default,
}

/// What the matched action decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteOutcome<'a> {
    /// Forward to this target group (its identifier as configured).
    Forward {
        /// The picked target group.
        target_group: &'a str,
    },
    /// Answer with this status and an empty body.
    FixedResponse {
        /// 404 or 500.
        status: StatusCode,
    },
    /// A forward action whose weights are all 0: no group can be picked.
    NoEligibleTargetGroup,
}

/// The result of routing one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route<'a> {
    /// The rule that matched.
    pub matched: MatchedRule<'a>,
    /// What its action decided.
    pub outcome: RouteOutcome<'a>,
}

/// A listener's validated rules, sorted by priority, and its default action.
#[derive(Debug, Clone)]
pub struct RouteTable {
    rules: Box<[CompiledRule]>,
    default: CompiledAction,
}

#[derive(Debug, Clone)]
struct CompiledRule {
    priority: u8,
    name: Option<Box<str>>,
    method: Option<Box<str>>,
    path: Option<CompiledPath>,
    headers: Box<[CompiledHeader]>,
    action: CompiledAction,
}

#[derive(Debug, Clone)]
struct CompiledPath {
    value: Box<str>,
    prefix: bool,
    case_sensitive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderOp {
    Exact,
    Prefix,
    Contains,
}

#[derive(Debug, Clone)]
struct CompiledHeader {
    name: HeaderName,
    value: Box<[u8]>,
    op: HeaderOp,
    case_sensitive: bool,
}

#[derive(Debug, Clone)]
enum CompiledAction {
    Forward {
        /// Target-group identifiers, weight 0 groups left out.
        groups: Box<[Box<str>]>,
        /// Running sums of the weights, parallel to `groups`.
        cumulative: Box<[u64]>,
    },
    Fixed(StatusCode),
}

impl RouteTable {
    /// Validates `rules` and `default_action` as Lattice does and sorts the
    /// rules by priority.
    ///
    /// # Errors
    ///
    /// A [`RoutingError`] for the first problem found: rules in list order,
    /// then the default action, then the listener-wide quotas.
    pub fn build(
        rules: Vec<Rule>,
        default_action: RuleAction,
        limits: &Limits,
    ) -> Result<Self, RoutingError> {
        let mut by_priority: BTreeMap<u32, usize> = BTreeMap::new();
        let mut target_groups: Vec<&str> = Vec::new();
        let mut compiled = Vec::with_capacity(rules.len());
        for (index, rule) in rules.iter().enumerate() {
            let at = || RuleRef::of(index, rule);
            let priority = match u8::try_from(rule.priority) {
                Ok(p) if (MIN_PRIORITY..=MAX_PRIORITY).contains(&rule.priority) => p,
                _ => {
                    return Err(RoutingError::PriorityOutOfRange {
                        rule: at(),
                        priority: rule.priority,
                    });
                }
            };
            if let Some(&first) = by_priority.get(&rule.priority) {
                let first_rule = rules.get(first).map(|r| RuleRef::of(first, r));
                return Err(RoutingError::DuplicatePriority {
                    priority: rule.priority,
                    first: first_rule.unwrap_or(RuleRef::Default),
                    second: at(),
                });
            }
            by_priority.insert(rule.priority, index);
            let m = &rule.rule_match.http_match;
            let method = match &m.method {
                Some(method) => Some(compile_method(method, at)?),
                None => None,
            };
            let path = match &m.path_match {
                Some(p) => Some(compile_path(p, at)?),
                None => None,
            };
            if m.header_matches.len() > MAX_HEADER_MATCHES {
                return Err(RoutingError::TooManyHeaderMatches {
                    rule: at(),
                    count: m.header_matches.len(),
                });
            }
            let headers = m
                .header_matches
                .iter()
                .map(|h| compile_header(h, at))
                .collect::<Result<Box<[_]>, _>>()?;
            let action = compile_action(&rule.action, at, &mut target_groups)?;
            compiled.push(CompiledRule {
                priority,
                name: rule.name.as_deref().map(Box::from),
                method,
                path,
                headers,
                action,
            });
        }
        let default = compile_action(&default_action, || RuleRef::Default, &mut target_groups)?;
        if rules.len() > limits.rules_per_listener {
            return Err(RoutingError::TooManyRules {
                count: rules.len(),
                limit: limits.rules_per_listener,
            });
        }
        target_groups.sort_unstable();
        target_groups.dedup();
        if target_groups.len() > limits.target_groups_per_service {
            return Err(RoutingError::TooManyTargetGroups {
                count: target_groups.len(),
                limit: limits.target_groups_per_service,
            });
        }
        compiled.sort_unstable_by_key(|r| r.priority);
        Ok(RouteTable {
            rules: compiled.into_boxed_slice(),
            default,
        })
    }

    /// The number of rules, the default excluded.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the listener has only its default action.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The priorities in evaluation order.
    pub fn priorities(&self) -> impl Iterator<Item = u8> + '_ {
        self.rules.iter().map(|r| r.priority)
    }

    /// Picks the rule for `request` (lowest priority first, the default last)
    /// and, for a forward action, a target group with `rng`. Never allocates.
    pub fn route<R: RandomSource + ?Sized>(
        &self,
        request: &RouteRequest<'_>,
        rng: &mut R,
    ) -> Route<'_> {
        for rule in self.rules.iter() {
            if rule.matches(request) {
                return Route {
                    matched: MatchedRule::Rule {
                        priority: rule.priority,
                        name: rule.name.as_deref(),
                    },
                    outcome: rule.action.decide(rng),
                };
            }
        }
        Route {
            matched: MatchedRule::Default,
            outcome: self.default.decide(rng),
        }
    }
}

impl CompiledRule {
    fn matches(&self, request: &RouteRequest<'_>) -> bool {
        self.method.as_deref().is_none_or(|m| m == request.method)
            && self.path.as_ref().is_none_or(|p| p.matches(request.path))
            && self.headers.iter().all(|h| h.matches(request.headers))
    }
}

impl CompiledPath {
    fn matches(&self, path: &str) -> bool {
        let (want, have) = (self.value.as_bytes(), path.as_bytes());
        if self.prefix {
            starts_with(have, want, self.case_sensitive)
        } else {
            equals(have, want, self.case_sensitive)
        }
    }
}

impl CompiledHeader {
    fn matches(&self, headers: &HeaderMap) -> bool {
        headers.get_all(&self.name).iter().any(|value| {
            let have = value.as_bytes();
            match self.op {
                HeaderOp::Exact => equals(have, &self.value, self.case_sensitive),
                HeaderOp::Prefix => starts_with(have, &self.value, self.case_sensitive),
                HeaderOp::Contains => contains(have, &self.value, self.case_sensitive),
            }
        })
    }
}

impl CompiledAction {
    fn decide<R: RandomSource + ?Sized>(&self, rng: &mut R) -> RouteOutcome<'_> {
        match self {
            CompiledAction::Fixed(status) => RouteOutcome::FixedResponse { status: *status },
            CompiledAction::Forward { groups, cumulative } => {
                let Some(&total) = cumulative.last() else {
                    return RouteOutcome::NoEligibleTargetGroup;
                };
                let pick = if groups.len() == 1 {
                    0
                } else {
                    // Lemire's multiply-shift: a uniform value in 0..total.
                    let r = ((u128::from(rng.next_u64()) * u128::from(total)) >> 64) as u64;
                    cumulative.partition_point(|&c| c <= r)
                };
                match groups.get(pick) {
                    Some(group) => RouteOutcome::Forward {
                        target_group: group,
                    },
                    None => RouteOutcome::NoEligibleTargetGroup,
                }
            }
        }
    }
}

fn equals(have: &[u8], want: &[u8], case_sensitive: bool) -> bool {
    if case_sensitive {
        have == want
    } else {
        have.eq_ignore_ascii_case(want)
    }
}

fn starts_with(have: &[u8], want: &[u8], case_sensitive: bool) -> bool {
    have.get(..want.len())
        .is_some_and(|head| equals(head, want, case_sensitive))
}

fn contains(have: &[u8], want: &[u8], case_sensitive: bool) -> bool {
    want.is_empty()
        || have
            .windows(want.len())
            .any(|window| equals(window, want, case_sensitive))
}

fn compile_method(method: &str, at: impl Fn() -> RuleRef) -> Result<Box<str>, RoutingError> {
    let reason = if method.is_empty() {
        Some("it is empty")
    } else if method.len() > MAX_METHOD_LEN {
        Some("it is longer than 16 characters")
    } else if http::Method::from_bytes(method.as_bytes()).is_err() {
        Some("it is not an HTTP method token")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(RoutingError::InvalidMethod {
            rule: at(),
            method: method.to_owned(),
            reason,
        }),
        None => Ok(method.into()),
    }
}

fn compile_path(p: &PathMatch, at: impl Fn() -> RuleRef) -> Result<CompiledPath, RoutingError> {
    let (value, prefix) = match &p.path {
        PathMatchType::Exact(v) => (v, false),
        PathMatchType::Prefix(v) => (v, true),
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@:%_+.~#?&/=-".contains(c);
    let reason = if value.is_empty() {
        Some("it is empty")
    } else if value.len() > MAX_PATH_LEN {
        Some("it is longer than 200 characters")
    } else if !value.starts_with('/') {
        Some("it must start with `/`")
    } else if !value.chars().all(allowed) {
        Some("only letters, digits and @:%_+.~#?&/=- are allowed")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(RoutingError::InvalidPath {
            rule: at(),
            path: value.clone(),
            reason,
        }),
        None => Ok(CompiledPath {
            value: value.as_str().into(),
            prefix,
            case_sensitive: p.case_sensitive,
        }),
    }
}

fn compile_header(
    h: &HeaderMatch,
    at: impl Fn() -> RuleRef,
) -> Result<CompiledHeader, RoutingError> {
    let bad_name = |reason| RoutingError::InvalidHeaderName {
        rule: at(),
        name: h.name.clone(),
        reason,
    };
    if h.name.is_empty() {
        return Err(bad_name("it is empty"));
    }
    if h.name.len() > MAX_HEADER_NAME_LEN {
        return Err(bad_name("it is longer than 100 characters"));
    }
    let name = HeaderName::from_bytes(h.name.as_bytes())
        .map_err(|_| bad_name("it is not an HTTP header name"))?;
    let (value, op) = match &h.value {
        HeaderMatchType::Exact(v) => (v, HeaderOp::Exact),
        HeaderMatchType::Prefix(v) => (v, HeaderOp::Prefix),
        HeaderMatchType::Contains(v) => (v, HeaderOp::Contains),
    };
    let bad_value = |reason| RoutingError::InvalidHeaderValue {
        rule: at(),
        name: h.name.clone(),
        reason,
    };
    if value.is_empty() {
        return Err(bad_value("it is empty"));
    }
    if value.len() > MAX_HEADER_VALUE_LEN {
        return Err(bad_value("it is longer than 128 characters"));
    }
    Ok(CompiledHeader {
        name,
        value: value.as_bytes().into(),
        op,
        case_sensitive: h.case_sensitive,
    })
}

fn compile_action<'r>(
    action: &'r RuleAction,
    at: impl Fn() -> RuleRef,
    seen: &mut Vec<&'r str>,
) -> Result<CompiledAction, RoutingError> {
    match action {
        RuleAction::FixedResponse(FixedResponseAction { status_code }) => match *status_code {
            404 => Ok(CompiledAction::Fixed(StatusCode::NOT_FOUND)),
            500 => Ok(CompiledAction::Fixed(StatusCode::INTERNAL_SERVER_ERROR)),
            status => Err(RoutingError::UnsupportedFixedResponse { rule: at(), status }),
        },
        RuleAction::Forward(ForwardAction { target_groups }) => {
            if target_groups.is_empty() {
                return Err(RoutingError::EmptyForward { rule: at() });
            }
            let lone = target_groups.len() == 1;
            let mut groups = Vec::with_capacity(target_groups.len());
            let mut cumulative = Vec::with_capacity(target_groups.len());
            let mut total = 0u64;
            for tg in target_groups {
                let id = tg.target_group_identifier.as_str();
                if id.is_empty() {
                    return Err(RoutingError::EmptyTargetGroup { rule: at() });
                }
                let weight = match tg.weight {
                    Some(w) if w > MAX_WEIGHT => {
                        return Err(RoutingError::WeightOutOfRange {
                            rule: at(),
                            target_group: id.to_owned(),
                            weight: w,
                        });
                    }
                    Some(w) => w,
                    None if lone => DEFAULT_WEIGHT,
                    None => {
                        return Err(RoutingError::MissingWeight {
                            rule: at(),
                            target_group: id.to_owned(),
                        });
                    }
                };
                seen.push(id);
                if weight > 0 {
                    total += u64::from(weight);
                    groups.push(Box::from(id));
                    cumulative.push(total);
                }
            }
            Ok(CompiledAction::Forward {
                groups: groups.into_boxed_slice(),
                cumulative: cumulative.into_boxed_slice(),
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;

#[cfg(test)]
mod proptests;
