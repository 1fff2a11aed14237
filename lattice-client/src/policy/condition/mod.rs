//! The `Condition` element: operators, typed values, evaluation.
//!
//! Everything that can be decided about a condition is decided at parse time:
//! the operator is split into qualifier (`ForAnyValue:` / `ForAllValues:`),
//! base test, negation and `…IfExists`; keys are lower-cased; values are
//! parsed into numbers, dates, CIDR blocks, booleans or compiled wildcard
//! patterns. Evaluation only parses the request's values.
//!
//! Dates are read in [`date`] and CIDR blocks in [`network`].

mod date;
mod network;

use std::borrow::Cow;
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::error::{Problem, ValueKind};
use super::eval::Env;
use super::wildcard::{Pattern, eq_folded, fold_str};

pub(crate) use date::parse_date;
pub(crate) use network::parse_network;

/// `ForAnyValue:` / `ForAllValues:` / neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    Plain,
    ForAnyValue,
    ForAllValues,
}

/// Comparison of a request value (left) with a policy value (right).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// The base test of an operator (its positive form) with the policy values.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    /// `StringEquals`: case-sensitive.
    Str(Vec<Box<str>>),
    /// `StringEqualsIgnoreCase`: policy values pre-folded.
    StrFolded(Vec<Box<str>>),
    /// `StringLike`: case-sensitive wildcards.
    Like(Vec<Pattern>),
    /// `Numeric*`.
    Num(Cmp, Vec<f64>),
    /// `Date*`, as milliseconds since the Unix epoch.
    Date(Cmp, Vec<i64>),
    /// `Bool`.
    Bool(Vec<bool>),
    /// `IpAddress`.
    Ip(Vec<IpNet>),
    /// `ArnEquals` / `ArnLike` (identical in IAM).
    Arn(Vec<ArnPattern>),
    /// `Null`: `true` = "the key is absent".
    Null(Vec<bool>),
}

/// Condition keys the evaluator can derive from the caller when the request
/// context does not carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derived {
    /// `aws:PrincipalType`.
    Type,
    /// `aws:PrincipalArn`.
    Arn,
    /// `aws:PrincipalAccount`.
    Account,
}

/// A condition key, lower-cased once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) lower: Box<str>,
    pub(crate) derived: Option<Derived>,
}

impl Key {
    pub(crate) fn new(name: &str) -> Self {
        let lower: Box<str> = name.to_lowercase().into();
        let derived = match &*lower {
            "aws:principaltype" => Some(Derived::Type),
            "aws:principalarn" => Some(Derived::Arn),
            "aws:principalaccount" => Some(Derived::Account),
            _ => None,
        };
        Key { lower, derived }
    }
}

/// The request's values for one key: never empty.
#[derive(Debug)]
pub(crate) enum RequestValues<'a> {
    /// From the request context.
    Many(&'a [String]),
    /// Derived from the caller.
    One(Cow<'a, str>),
}

impl RequestValues<'_> {
    fn any(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        match self {
            RequestValues::Many(v) => v.iter().any(|s| f(s)),
            RequestValues::One(s) => f(s),
        }
    }

    fn all(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        match self {
            RequestValues::Many(v) => v.iter().all(|s| f(s)),
            RequestValues::One(s) => f(s),
        }
    }
}

/// One `operator → key → values` triple of a `Condition` element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    set: SetQualifier,
    if_exists: bool,
    negated: bool,
    key: Key,
    test: Test,
}

impl Condition {
    /// The key, lower-cased.
    pub(crate) fn key_name(&self) -> &str {
        &self.key.lower
    }
}

/// Parses a whole `Condition` element into its triples (all must hold).
pub(crate) fn parse_conditions(value: &Value) -> Result<Vec<Condition>, Problem> {
    let Value::Object(operators) = value else {
        return Err(Problem::WrongType {
            expected: "an object mapping condition operators to {key: values} objects",
        });
    };
    let mut out = Vec::new();
    for (operator, block) in operators {
        let op = Operator::parse(operator)?;
        let Value::Object(keys) = block else {
            return Err(Problem::WrongType {
                expected: "an object mapping condition keys to values under each operator",
            });
        };
        for (key, values) in keys {
            if key.is_empty() {
                return Err(Problem::EmptyConditionKey {
                    operator: operator.clone(),
                });
            }
            let invalid = |value: String, expected| Problem::InvalidConditionValue {
                operator: operator.clone(),
                key: key.clone(),
                value,
                expected,
            };
            let raw = scalars(values).map_err(|v| invalid(v, ValueKind::Scalar))?;
            let test = op.compile(&raw, |v, kind| invalid(v.to_owned(), kind))?;
            out.push(Condition {
                set: op.set,
                if_exists: op.if_exists,
                negated: op.negated,
                key: Key::new(key),
                test,
            });
        }
    }
    Ok(out)
}

/// A condition value (or array of them) as strings; JSON numbers and
/// booleans are accepted and used in their JSON spelling, as IAM does.
/// On error returns the offending JSON text.
fn scalars(value: &Value) -> Result<Vec<Cow<'_, str>>, String> {
    fn one(v: &Value) -> Result<Cow<'_, str>, String> {
        match v {
            Value::String(s) => Ok(Cow::Borrowed(s)),
            Value::Number(n) => Ok(Cow::Owned(n.to_string())),
            Value::Bool(b) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
            other => Err(other.to_string()),
        }
    }
    match value {
        Value::Array(items) if items.is_empty() => Err("[]".to_owned()),
        Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|v| vec![v]),
    }
}

/// An operator name taken apart.
#[derive(Debug, Clone, Copy)]
struct Operator {
    set: SetQualifier,
    if_exists: bool,
    negated: bool,
    base: Base,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    IpAddress,
    Arn,
    Null,
}

impl Operator {
    /// Operator names are matched case-sensitively, as written in the IAM
    /// grammar (`StringEquals`, not `stringequals`).
    fn parse(name: &str) -> Result<Self, Problem> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (SetQualifier::ForAnyValue, rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (SetQualifier::ForAllValues, rest)
        } else {
            (SetQualifier::Plain, name)
        };
        let (if_exists, base) = match rest.strip_suffix("IfExists") {
            Some(base) => (true, base),
            None => (false, rest),
        };
        let (base, negated) = match base {
            "StringEquals" => (Base::StringEquals, false),
            "StringNotEquals" => (Base::StringEquals, true),
            "StringEqualsIgnoreCase" => (Base::StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Base::StringEqualsIgnoreCase, true),
            "StringLike" => (Base::StringLike, false),
            "StringNotLike" => (Base::StringLike, true),
            "NumericEquals" => (Base::Numeric(Cmp::Eq), false),
            "NumericNotEquals" => (Base::Numeric(Cmp::Eq), true),
            "NumericLessThan" => (Base::Numeric(Cmp::Lt), false),
            "NumericLessThanEquals" => (Base::Numeric(Cmp::Le), false),
            "NumericGreaterThan" => (Base::Numeric(Cmp::Gt), false),
            "NumericGreaterThanEquals" => (Base::Numeric(Cmp::Ge), false),
            "DateEquals" => (Base::Date(Cmp::Eq), false),
            "DateNotEquals" => (Base::Date(Cmp::Eq), true),
            "DateLessThan" => (Base::Date(Cmp::Lt), false),
            "DateLessThanEquals" => (Base::Date(Cmp::Le), false),
            "DateGreaterThan" => (Base::Date(Cmp::Gt), false),
            "DateGreaterThanEquals" => (Base::Date(Cmp::Ge), false),
            "Bool" => (Base::Bool, false),
            "IpAddress" => (Base::IpAddress, false),
            "NotIpAddress" => (Base::IpAddress, true),
            "ArnEquals" | "ArnLike" => (Base::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Base::Arn, true),
            "Null" => (Base::Null, false),
            "BinaryEquals" => return Err(Problem::UnsupportedOperator(name.to_owned())),
            _ => return Err(Problem::UnknownOperator(name.to_owned())),
        };
        if base == Base::Null && (if_exists || set != SetQualifier::Plain) {
            return Err(Problem::InvalidOperatorQualifier(name.to_owned()));
        }
        Ok(Operator {
            set,
            if_exists,
            negated,
            base,
        })
    }

    fn compile(
        &self,
        raw: &[Cow<'_, str>],
        invalid: impl Fn(&str, ValueKind) -> Problem,
    ) -> Result<Test, Problem> {
        fn each<T>(
            raw: &[Cow<'_, str>],
            kind: ValueKind,
            parse: impl Fn(&str) -> Option<T>,
            invalid: &impl Fn(&str, ValueKind) -> Problem,
        ) -> Result<Vec<T>, Problem> {
            raw.iter()
                .map(|v| parse(v).ok_or_else(|| invalid(v, kind)))
                .collect()
        }
        Ok(match self.base {
            Base::StringEquals => Test::Str(raw.iter().map(|v| v.as_ref().into()).collect()),
            Base::StringEqualsIgnoreCase => {
                Test::StrFolded(raw.iter().map(|v| fold_str(v).into()).collect())
            }
            Base::StringLike => Test::Like(raw.iter().map(|v| Pattern::new(v, false)).collect()),
            Base::Numeric(cmp) => {
                Test::Num(cmp, each(raw, ValueKind::Number, parse_number, &invalid)?)
            }
            Base::Date(cmp) => Test::Date(cmp, each(raw, ValueKind::Date, parse_date, &invalid)?),
            Base::Bool => Test::Bool(each(raw, ValueKind::Bool, parse_bool, &invalid)?),
            Base::Null => Test::Null(each(raw, ValueKind::Bool, parse_bool, &invalid)?),
            Base::IpAddress => Test::Ip(each(raw, ValueKind::IpAddress, parse_network, &invalid)?),
            Base::Arn => Test::Arn(raw.iter().map(|v| ArnPattern::new(v)).collect()),
        })
    }
}

impl Condition {
    /// Does the request satisfy this condition?
    ///
    /// - key absent (or present with no values): `…IfExists` → true;
    ///   `ForAllValues:` → true; `ForAnyValue:` → false; otherwise negated
    ///   operators → true and positive ones → false. `Null` tests absence.
    /// - plain operator, several request values: positive → any value
    ///   matches; negated → no value matches (the exact complement).
    /// - `ForAnyValue:` → some request value passes the (possibly negated)
    ///   operator; `ForAllValues:` → every request value does.
    /// - a request value the operator cannot read (a non-number under
    ///   `Numeric*`, ...) satisfies neither the operator nor its negation.
    pub(crate) fn evaluate(&self, env: &Env<'_>) -> bool {
        let values = env.lookup(&self.key);
        if let Test::Null(expect_absent) = &self.test {
            let absent = values.is_none();
            return expect_absent.contains(&absent);
        }
        let Some(values) = values else {
            return self.if_exists
                || match self.set {
                    SetQualifier::ForAnyValue => false,
                    SetQualifier::ForAllValues => true,
                    SetQualifier::Plain => self.negated,
                };
        };
        match self.set {
            SetQualifier::Plain if self.negated => values.all(|v| self.positive(v) == Some(false)),
            SetQualifier::Plain => values.any(|v| self.positive(v) == Some(true)),
            SetQualifier::ForAnyValue => values.any(|v| self.passes(v)),
            SetQualifier::ForAllValues => values.all(|v| self.passes(v)),
        }
    }

    /// One request value against the operator, negation included.
    fn passes(&self, value: &str) -> bool {
        self.positive(value).is_some_and(|hit| hit != self.negated)
    }

    /// One request value against the positive test: does it equal / match /
    /// compare with any policy value? `None` when the value is unreadable.
    fn positive(&self, value: &str) -> Option<bool> {
        Some(match &self.test {
            Test::Str(p) => p.iter().any(|p| **p == *value),
            Test::StrFolded(p) => p.iter().any(|p| eq_folded(p, value)),
            Test::Like(p) => p.iter().any(|p| p.matches(value)),
            Test::Num(cmp, p) => {
                let v = parse_number(value)?;
                p.iter().any(|p| cmp.holds(v, *p))
            }
            Test::Date(cmp, p) => {
                let v = parse_date(value)?;
                p.iter().any(|p| cmp.holds(v, *p))
            }
            Test::Bool(p) => {
                let v = parse_bool(value)?;
                p.contains(&v)
            }
            Test::Ip(p) => {
                let v: IpAddr = value.parse().ok()?;
                p.iter().any(|net| network::contains(net, v))
            }
            Test::Arn(p) => p.iter().any(|p| p.matches(value)),
            Test::Null(_) => return None,
        })
    }
}

/// `true` / `false`, ASCII case-insensitive.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A plain decimal: `-?DIGITS(.DIGITS)?` (no exponent, no `inf`/`NaN`).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (body, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `ArnEquals`/`ArnLike` value: each of the six `:`-separated parts is
/// matched separately with wildcards, so `*` never crosses a colon (the last
/// part, the resource, may itself contain colons). A value with fewer than
/// six parts (such as `"*"`) is matched against the whole ARN instead.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArnPattern {
    Parts(Vec<Pattern>),
    Whole(Pattern),
}

impl ArnPattern {
    fn new(s: &str) -> Self {
        let parts: Vec<&str> = s.splitn(6, ':').collect();
        if parts.len() == 6 {
            ArnPattern::Parts(parts.iter().map(|p| Pattern::new(p, false)).collect())
        } else {
            ArnPattern::Whole(Pattern::new(s, false))
        }
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            ArnPattern::Whole(p) => p.matches(value),
            ArnPattern::Parts(parts) => {
                let mut values = value.splitn(6, ':');
                parts
                    .iter()
                    .all(|p| values.next().is_some_and(|v| p.matches(v)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
