//! What [`RouteTable::build`](super::RouteTable::build) rejects.

use std::fmt;

use super::Rule;

/// Which rule a [`RoutingError`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleRef {
    /// The listener's default action.
    Default,
    /// A rule, by its position in the list given to [`RouteTable::build`](super::RouteTable::build).
    Rule {
        /// Position in the given list (0-based).
        index: usize,
        /// The rule's name, if it has one.
        name: Option<String>,
    },
}

impl RuleRef {
    pub(super) fn of(index: usize, rule: &Rule) -> Self {
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
