//! The `Condition` element: operators, typed values, evaluation.
//!
//! Everything that can be decided about a condition is decided at parse time:
//! the operator is split into qualifier (`ForAnyValue:` / `ForAllValues:`),
//! base test, negation and `…IfExists`; keys are lower-cased; values are
//! parsed into numbers, dates, CIDR blocks, booleans or compiled wildcard
//! patterns. Evaluation only parses the request's values.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::Value;

use super::error::{Problem, ValueKind};
use super::eval::Env;
use super::wildcard::{Pattern, eq_folded, fold_str};

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
    Ip(Vec<Cidr>),
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
            Base::IpAddress => Test::Ip(each(raw, ValueKind::IpAddress, Cidr::parse, &invalid)?),
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
                p.iter().any(|c| c.contains(v))
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

/// A date as milliseconds since the Unix epoch. Accepted forms:
/// epoch seconds (`1714564800`, optionally negative); `YYYY-MM-DD`;
/// `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by nothing (UTC), `Z`, or an
/// offset `±hh:mm` / `±hhmm`. Fractions beyond milliseconds are truncated.
pub(crate) fn parse_date(s: &str) -> Option<i64> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    let mut cur = Cursor(s.as_bytes());
    let year = i64::from(cur.digits(4)?);
    cur.require(b'-')?;
    let month = cur.digits(2)?;
    cur.require(b'-')?;
    let day = cur.digits(2)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis_of_day = 0i64;
    let mut offset_minutes = 0i64;
    if !cur.is_empty() {
        if !(cur.eat(b'T') || cur.eat(b't')) {
            return None;
        }
        let hour = cur.digits(2)?;
        cur.require(b':')?;
        let minute = cur.digits(2)?;
        let mut second = 0;
        let mut millis = 0;
        if cur.eat(b':') {
            second = cur.digits(2)?;
            if cur.eat(b'.') {
                let mut n = 0;
                while let Some(d) = cur.digit() {
                    if n < 3 {
                        millis = millis * 10 + d;
                    }
                    n += 1;
                }
                if n == 0 {
                    return None;
                }
                for _ in n..3 {
                    millis *= 10;
                }
            }
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        millis_of_day = ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second))
            * 1000
            + i64::from(millis);
        let utc = cur.eat(b'Z') || cur.eat(b'z');
        if !utc && let Some(sign) = cur.sign() {
            let oh = cur.digits(2)?;
            cur.eat(b':');
            let om = cur.digits(2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            offset_minutes = sign * (i64::from(oh) * 60 + i64::from(om));
        }
    }
    if !cur.is_empty() {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400_000 + millis_of_day - offset_minutes * 60_000)
}

/// A byte cursor that never indexes out of bounds.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn eat(&mut self, b: u8) -> bool {
        match self.0.split_first() {
            Some((first, rest)) if *first == b => {
                self.0 = rest;
                true
            }
            _ => false,
        }
    }
    fn require(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }
    fn digit(&mut self) -> Option<u32> {
        match self.0.split_first() {
            Some((first, rest)) if first.is_ascii_digit() => {
                self.0 = rest;
                Some(u32::from(first - b'0'))
            }
            _ => None,
        }
    }
    fn digits(&mut self, n: usize) -> Option<u32> {
        (0..n).try_fold(0u32, |acc, _| Some(acc * 10 + self.digit()?))
    }
    fn sign(&mut self) -> Option<i64> {
        if self.eat(b'+') {
            Some(1)
        } else if self.eat(b'-') {
            Some(-1)
        } else {
            None
        }
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days inverse).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An IPv4 or IPv6 network; a bare address is a /32 or /128.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|p| *p <= max)?
            }
            Some(_) => return None,
        };
        // Host bits are ignored: 10.1.2.3/8 is 10.0.0.0/8.
        let net = match addr {
            IpAddr::V4(a) => IpAddr::V4((u32::from(a) & mask32(prefix)).into()),
            IpAddr::V6(a) => IpAddr::V6((u128::from(a) & mask128(prefix)).into()),
        };
        Some(Cidr { net, prefix })
    }

    /// IPv4 networks also contain IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`).
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                u32::from(ip) & mask32(self.prefix) == u32::from(net)
            }
            (IpAddr::V4(_), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                u128::from(ip) & mask128(self.prefix) == u128::from(net)
            }
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

fn mask32(prefix: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0)
}

fn mask128(prefix: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix.min(128)))
        .unwrap_or(0)
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
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(parse_number("80"), Some(80.0));
        assert_eq!(parse_number("-1.5"), Some(-1.5));
        for bad in ["", "-", "1.", ".5", "1e3", "inf", "NaN", "+1", "0x10", "1 "] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_in_iso_8601_and_epoch_seconds() {
        let noon = parse_date("2024-05-01T12:00:00Z");
        assert_eq!(noon, Some(1_714_564_800_000));
        assert_eq!(parse_date("1714564800"), noon);
        assert_eq!(parse_date("2024-05-01T12:00:00"), noon);
        assert_eq!(parse_date("2024-05-01T12:00Z"), noon);
        assert_eq!(parse_date("2024-05-01T14:00:00+02:00"), noon);
        assert_eq!(parse_date("2024-05-01T07:00:00-0500"), noon);
        assert_eq!(
            parse_date("2024-05-01T12:00:00.250Z"),
            Some(1_714_564_800_250)
        );
        assert_eq!(
            parse_date("2024-05-01T12:00:00.1234567Z"),
            Some(1_714_564_800_123)
        );
        assert_eq!(parse_date("2024-05-01"), Some(1_714_521_600_000));
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("1969-12-31"), Some(-86_400_000));
        assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800_000));
        for bad in [
            "",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:60Z",
            "2024-05-01T12",
            "2024-05-01 12:00:00",
            "2024-05-01T12:00:00.Z",
            "24-05-01",
            "2024-5-1",
            "yesterday",
            "2024-05-01T12:00:00+2",
            "99999999999999999999",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_at_the_calendar_edges() {
        // Leap years: every 4th year, not every 100th, every 400th.
        assert_eq!(parse_date("2000-02-29"), Some(951_782_400_000));
        assert_eq!(
            parse_date("2024-02-29T23:59:59.999Z"),
            Some(1_709_251_199_999)
        );
        for bad in ["1900-02-29", "2100-02-29", "2023-02-29", "2024-02-30"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("1900-03-01"), Some(-2_203_891_200_000));
        // The ends of the four-digit years (year 0 is a leap year).
        assert_eq!(parse_date("0000-01-01"), Some(-62_167_219_200_000));
        assert_eq!(parse_date("0001-01-01"), Some(-62_135_596_800_000));
        assert_eq!(
            parse_date("9999-12-31T23:59:59.999Z"),
            Some(253_402_300_799_999)
        );
        assert_eq!(parse_date("253402300799"), Some(253_402_300_799_000));
        // Offsets may move the instant across a day, a leap day or a year.
        let leap_evening = parse_date("2024-02-29T23:30:00Z");
        assert_eq!(leap_evening, Some(1_709_249_400_000));
        assert_eq!(parse_date("2024-03-01T00:30:00+01:00"), leap_evening);
        assert_eq!(parse_date("2024-02-29T20:00:00-0330"), leap_evening);
        assert_eq!(
            parse_date("2023-12-31T23:00:00-01:00"),
            parse_date("2024-01-01")
        );
        assert_eq!(
            parse_date("9999-12-31T23:59-23:59"),
            Some(253_402_387_080_000)
        );
        assert_eq!(
            parse_date("0000-01-01T00:00+23:59"),
            Some(-62_167_305_540_000)
        );
        let noon = parse_date("2024-05-01T12:00:00Z");
        for same in [
            "2024-05-01T12:00:00+00:00",
            "2024-05-01T12:00:00-00:00",
            "2024-05-01T12:00:00+0000",
            "2024-05-01t12:00:00z",
            "2024-05-01T12:00:00.000Z",
        ] {
            assert_eq!(parse_date(same), noon, "{same}");
        }
        // Before the epoch, fractions still count forward from the second.
        assert_eq!(parse_date("1969-12-31T23:59:59.5Z"), Some(-500));
        // Epoch seconds: signed, whole, and within range once in milliseconds.
        assert_eq!(parse_date("0"), Some(0));
        assert_eq!(parse_date("-86400"), parse_date("1969-12-31"));
        assert_eq!(parse_date("-1"), Some(-1000));
        for bad in [
            "9223372036854775807",
            "-",
            "+1714564800",
            "1714564800.5",
            "2024-05-01T12:00:60Z",
            "2024-05-01T12:00:00+24:00",
            "2024-05-01T12:00:00+12:60",
            "2024-05-01T12:00:00+",
            "2024-05-01T12:00:00Z+01:00",
            "2024-05-01T12:00:00Zjunk",
            "2024-05-01T",
            "-2024-05-01",
            "10000-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cidr_blocks_v4_and_v6() {
        let c = |s| Cidr::parse(s);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::V4(0.into()));
        let net = c("10.0.0.0/8");
        assert!(net.is_some_and(|n| n.contains(ip("10.255.1.2"))));
        assert!(net.is_some_and(|n| !n.contains(ip("11.0.0.1"))));
        assert!(net.is_some_and(|n| n.contains(ip("::ffff:10.1.1.1"))));
        assert!(c("10.1.2.3/8") == net);
        assert!(c("0.0.0.0/0").is_some_and(|n| n.contains(ip("203.0.113.9"))));
        assert!(
            c("192.0.2.7")
                .is_some_and(|n| n.contains(ip("192.0.2.7")) && !n.contains(ip("192.0.2.8")))
        );
        let v6 = c("2001:db8::/32");
        assert!(v6.is_some_and(|n| n.contains(ip("2001:db8:1::5"))));
        assert!(v6.is_some_and(|n| !n.contains(ip("2001:db9::1"))));
        assert!(v6.is_some_and(|n| !n.contains(ip("10.0.0.1"))));
        assert!(c("::/0").is_some_and(|n| n.contains(ip("fe80::1"))));
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0/8",
            "2001:db8::/129",
            "10.0.0.0/-1",
            "10.0.0.0/08a",
            "x",
        ] {
            assert!(c(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn arn_patterns_match_per_component() {
        let p = ArnPattern::new("arn:aws:iam::*:role/orders-*");
        assert!(p.matches("arn:aws:iam::111122223333:role/orders-client"));
        assert!(!p.matches("arn:aws:iam::111122223333:user/orders-client"));
        // `*` in the account part does not swallow colons.
        assert!(!p.matches("arn:aws:iam::1:2:role/orders-x"));
        assert!(!p.matches("arn:aws:iam"));
        let any = ArnPattern::new("*");
        assert!(any.matches("anything"));
        let svc = ArnPattern::new("arn:aws:vpc-lattice:*:*:service/svc-*");
        assert!(
            svc.matches("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0")
        );
    }

    #[test]
    fn operator_names_are_case_sensitive_and_validated() {
        assert!(matches!(
            Operator::parse("stringequals"),
            Err(Problem::UnknownOperator(_))
        ));
        assert!(matches!(
            Operator::parse("StringEqualz"),
            Err(Problem::UnknownOperator(_))
        ));
        assert!(matches!(
            Operator::parse("ForSomeValues:StringEquals"),
            Err(Problem::UnknownOperator(_))
        ));
        assert!(matches!(
            Operator::parse("BinaryEquals"),
            Err(Problem::UnsupportedOperator(_))
        ));
        assert!(matches!(
            Operator::parse("NullIfExists"),
            Err(Problem::InvalidOperatorQualifier(_))
        ));
        assert!(matches!(
            Operator::parse("ForAllValues:Null"),
            Err(Problem::InvalidOperatorQualifier(_))
        ));
        assert!(matches!(
            Operator::parse("IfExists"),
            Err(Problem::UnknownOperator(_))
        ));
        let op = Operator::parse("ForAllValues:StringNotLikeIfExists");
        assert!(op.is_ok_and(|op| op.set == SetQualifier::ForAllValues
            && op.if_exists
            && op.negated
            && op.base == Base::StringLike));
    }
}
