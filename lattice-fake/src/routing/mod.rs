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
//! use lattice_fake::limits::Limits;
//! use lattice_fake::routing::{
//!     MatchedRule, RouteOutcome, RouteRequest, RouteTable, Rng, Rule, RuleAction,
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
//! let mut rng = Rng::with_seed(7);
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
//! * **Quotas** that are adjustable in Lattice are [`Limits`](crate::limits::Limits) fields with
//!   Lattice's defaults; the header-match count (5) and the ranges of
//!   priorities (1–100) and weights (0–999) are fixed, as in Lattice.
//!
//! # Layout
//!
//! `rule.rs` holds the API shapes, `error.rs` what [`RouteTable::build`]
//! rejects, `table.rs` the validated table and the matcher, and
//! `random.rs` the random source of weighted picks.

mod error;
mod random;
mod rule;
mod table;

pub use error::{RoutingError, RuleRef};
pub use random::{RandomSource, Rng};
pub use rule::{
    FixedResponseAction, ForwardAction, HeaderMatch, HeaderMatchType, HttpMatch, PathMatch,
    PathMatchType, Rule, RuleAction, RuleMatch, WeightedTargetGroup,
};
pub use table::{MatchedRule, Route, RouteOutcome, RouteRequest, RouteTable};

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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests;

#[cfg(test)]
mod proptests;
