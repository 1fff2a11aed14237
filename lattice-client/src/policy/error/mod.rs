//! Errors for policies AWS would reject. Every one is the policy author's
//! fault; none comes from a request (evaluation cannot fail).

use std::fmt;

/// A policy document that AWS would reject.
///
/// Problems inside a statement carry the statement's position and `Sid`
/// ([`StatementError`]); problems with the document as a whole are
/// [`DocumentError`]s.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The text is not JSON at all. The source says where (line and column).
    #[error("policy is not valid JSON")]
    Json(#[source] serde_json::Error),
    /// The top-level object is wrong (see [`DocumentError`]).
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// One statement is wrong (see [`StatementError`]).
    #[error(transparent)]
    Statement(#[from] StatementError),
}

impl PolicyError {
    /// The statement error, when the problem is inside a statement.
    pub fn statement(&self) -> Option<&StatementError> {
        match self {
            PolicyError::Statement(e) => Some(e),
            _ => None,
        }
    }
}

/// A problem with the top-level policy object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The policy is JSON but not an object.
    #[error("a policy must be a JSON object")]
    NotAnObject,
    /// A top-level element other than `Version`, `Id` and `Statement`.
    #[error("unknown element `{0}` (allowed: `Version`, `Id`, `Statement`)")]
    UnknownElement(String),
    /// `Version` is not `"2012-10-17"` or `"2008-10-17"`.
    #[error("`Version` must be \"2012-10-17\" or \"2008-10-17\", not {0}")]
    InvalidVersion(String),
    /// `Id` is not a string.
    #[error("`Id` must be a string")]
    InvalidId,
    /// There is no `Statement` element.
    #[error("`Statement` is missing")]
    MissingStatement,
    /// `Statement` is neither an object nor an array.
    #[error("`Statement` must be an object or an array of objects")]
    InvalidStatement,
}

/// A problem inside one statement: where it is and what is wrong.
///
/// `Display` reads like
/// `statement 1 (Sid "AllowGet"), Condition: unknown condition operator "StringEqualz"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct StatementError {
    /// Zero-based position of the statement (0 when `Statement` is a single object).
    pub index: usize,
    /// The statement's `Sid`, when it has a valid one.
    pub sid: Option<String>,
    /// The element at fault.
    pub field: Field,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "statement {}", self.index)?;
        if let Some(sid) = &self.sid {
            write!(f, " (Sid {sid:?})")?;
        }
        write!(f, ", {}: {}", self.field, self.problem)
    }
}

/// A statement element, named as in the policy grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The statement object itself.
    Statement,
    /// `Sid`.
    Sid,
    /// `Effect`.
    Effect,
    /// `Principal`.
    Principal,
    /// `NotPrincipal`.
    NotPrincipal,
    /// `Action`.
    Action,
    /// `NotAction`.
    NotAction,
    /// `Resource`.
    Resource,
    /// `NotResource`.
    NotResource,
    /// `Condition`.
    Condition,
}

impl Field {
    /// The element name as written in a policy (`"NotAction"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Statement => "Statement",
            Field::Sid => "Sid",
            Field::Effect => "Effect",
            Field::Principal => "Principal",
            Field::NotPrincipal => "NotPrincipal",
            Field::Action => "Action",
            Field::NotAction => "NotAction",
            Field::Resource => "Resource",
            Field::NotResource => "NotResource",
            Field::Condition => "Condition",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with a statement element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The statement is not a JSON object.
    #[error("a statement must be a JSON object")]
    NotAnObject,
    /// An element the grammar does not know (names are case-sensitive).
    #[error("unknown element {0:?}")]
    UnknownElement(String),
    /// A required element is absent.
    #[error(
        "missing (every statement needs `Effect`, `Action` or `NotAction`, `Resource` or `NotResource`; auth policies also `Principal` or `NotPrincipal`)"
    )]
    Missing,
    /// The element and its `Not…` twin are both present.
    #[error("cannot be combined with `{0}` in one statement")]
    Conflict(Field),
    /// The JSON type is wrong.
    #[error("must be {expected}")]
    WrongType {
        /// What the grammar expects here.
        expected: &'static str,
    },
    /// An empty string or an empty array.
    #[error("must not be empty")]
    Empty,
    /// `Effect` other than `"Allow"` / `"Deny"` (case-sensitive).
    #[error("must be \"Allow\" or \"Deny\", not {0:?}")]
    InvalidEffect(String),
    /// `Principal`/`NotPrincipal` in an identity-based policy.
    #[error("not allowed in an identity-based policy (the principal is whoever holds the policy)")]
    NotAllowedInIdentityPolicy,
    /// A principal value that is not `*`, an account id or an IAM/STS principal ARN.
    #[error(
        "invalid principal {0:?} (expected \"*\", a 12-digit account id, or an iam root/user/role or sts assumed-role/federated-user ARN without wildcards)"
    )]
    InvalidPrincipal(String),
    /// A principal type other than `AWS`, `Service`, `Federated`, `CanonicalUser`.
    #[error(
        "unknown principal type {0:?} (expected \"AWS\", \"Service\", \"Federated\" or \"CanonicalUser\")"
    )]
    UnknownPrincipalType(String),
    /// An action that is not `*` or `service:action`.
    #[error(
        "invalid action {0:?} (expected \"*\" or \"service-prefix:ActionName\", wildcards only after the colon)"
    )]
    InvalidAction(String),
    /// A `Sid` already used by an earlier statement of the same policy.
    #[error("duplicate Sid (Sids must be unique within a policy)")]
    DuplicateSid,
    /// A condition operator IAM does not define.
    #[error("unknown condition operator {0:?}")]
    UnknownOperator(String),
    /// A condition operator IAM defines but this evaluator does not.
    #[error("condition operator {0:?} is not supported by this evaluator")]
    UnsupportedOperator(String),
    /// A valid operator with a prefix or suffix it does not take
    /// (`NullIfExists`, `ForAnyValue:Null`).
    #[error("condition operator {0:?} combines a qualifier with an operator that does not take it")]
    InvalidOperatorQualifier(String),
    /// A condition key that is empty.
    #[error("empty condition key under {operator:?}")]
    EmptyConditionKey {
        /// The operator, as written.
        operator: String,
    },
    /// A condition value that does not fit the operator.
    #[error("{operator:?} on {key:?}: {value:?} is not {expected}")]
    InvalidConditionValue {
        /// The operator, as written.
        operator: String,
        /// The condition key, as written.
        key: String,
        /// The offending value (JSON text for non-strings).
        value: String,
        /// What the operator needs.
        expected: ValueKind,
    },
}

/// The kind of value a condition operator needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// A string, number or boolean (a JSON scalar).
    Scalar,
    /// A decimal number such as `80` or `-1.5`.
    Number,
    /// An ISO 8601 date/time or a count of seconds since the Unix epoch.
    Date,
    /// `true` or `false`.
    Bool,
    /// An IPv4/IPv6 address or CIDR block.
    IpAddress,
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueKind::Scalar => "a string, number or boolean",
            ValueKind::Number => "a decimal number",
            ValueKind::Date => {
                "an ISO 8601 date (2024-05-01 or 2024-05-01T12:00:00Z) or epoch seconds"
            }
            ValueKind::Bool => "\"true\" or \"false\"",
            ValueKind::IpAddress => "an IPv4/IPv6 address or CIDR block",
        })
    }
}

#[cfg(test)]
mod tests;
