//! A listener's validated rules and the matcher that picks one.

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderName, StatusCode};

use super::{
    DEFAULT_WEIGHT, FixedResponseAction, ForwardAction, HeaderMatch, HeaderMatchType,
    MAX_HEADER_MATCHES, MAX_HEADER_NAME_LEN, MAX_HEADER_VALUE_LEN, MAX_METHOD_LEN, MAX_PATH_LEN,
    MAX_PRIORITY, MAX_WEIGHT, MIN_PRIORITY, PathMatch, PathMatchType, RandomSource, RoutingError,
    Rule, RuleAction, RuleRef,
};
use crate::limits::Limits;

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
