//! The API's rule shapes, with the VPC Lattice API's field names.

use serde::{Deserialize, Serialize};

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
