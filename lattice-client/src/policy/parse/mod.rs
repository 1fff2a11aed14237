//! Policy documents: JSON (through `serde_json::Value`) into typed, compiled
//! statements, rejecting what AWS would reject.

use std::collections::HashSet;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::condition::{Condition, parse_conditions};
use super::error::{DocumentError, Field, PolicyError, Problem, StatementError};
use super::eval::Env;
use super::principal::PrincipalPattern;
use super::wildcard::Pattern;

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Version {
    /// `"2012-10-17"`, the current one.
    V2012_10_17,
    /// `"2008-10-17"`, also what Lattice stores when `Version` is omitted.
    V2008_10_17,
}

impl Version {
    /// The version string as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2012_10_17 => "2012-10-17",
            Version::V2008_10_17 => "2008-10-17",
        }
    }
}

/// A statement's `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Allow"`.
    Allow,
    /// `"Deny"`.
    Deny,
}

/// Which grammar a document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Resource-based (a Lattice auth policy): `Principal` required.
    Auth,
    /// Identity-based: `Principal` forbidden.
    Identity,
}

/// `Principal` or `NotPrincipal`, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PrincipalElement {
    not: bool,
    entries: Vec<PrincipalPattern>,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PatternElement {
    not: bool,
    patterns: Vec<Pattern>,
}

impl PatternElement {
    fn matches(&self, subject: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(subject)) != self.not
    }
}

/// One statement of a policy, compiled for evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    index: usize,
    sid: Option<Arc<str>>,
    effect: Effect,
    principal: Option<PrincipalElement>,
    action: PatternElement,
    resource: PatternElement,
    conditions: Vec<Condition>,
}

impl Statement {
    /// Zero-based position in the policy.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The `Sid`, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// `Allow` or `Deny`.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    pub(crate) fn condition_key_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.conditions.iter().map(|c| c.key_name())
    }

    pub(crate) fn sid_arc(&self) -> Option<Arc<str>> {
        self.sid.clone()
    }

    /// Does this statement apply to the request (principal, action,
    /// resource and every condition)?
    pub(crate) fn applies(&self, env: &Env<'_>) -> bool {
        self.action.matches(env.request.action())
            && self.resource.matches(env.request.resource())
            && self
                .principal
                .as_ref()
                .is_none_or(|p| p.entries.iter().any(|e| e.matches(&env.caller)) != p.not)
            && self.conditions.iter().all(|c| c.evaluate(env))
    }
}

/// A parsed policy document (shared by both policy kinds).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Document {
    version: Version,
    id: Option<String>,
    statements: Vec<Statement>,
}

impl Document {
    pub(crate) fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

macro_rules! policy_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            doc: Document,
        }

        impl $name {
            /// Parses a policy from JSON text.
            ///
            /// # Errors
            ///
            /// [`PolicyError`] when the text is not JSON or the policy is one
            /// AWS would reject; statement problems carry the statement's
            /// index, `Sid` and field.
            pub fn from_json(json: &str) -> Result<Self, PolicyError> {
                let value: Value = serde_json::from_str(json).map_err(PolicyError::Json)?;
                Self::from_value(&value)
            }

            /// Parses a policy from a JSON value.
            ///
            /// # Errors
            ///
            /// As [`Self::from_json`], without the JSON syntax error.
            pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
                Ok($name {
                    doc: parse_document(value, $kind)?,
                })
            }

            /// The `Version` (`2008-10-17` when the document omits it).
            pub fn version(&self) -> Version {
                self.doc.version
            }

            /// The `Id`, if any.
            pub fn id(&self) -> Option<&str> {
                self.doc.id.as_deref()
            }

            /// The condition keys the policy tests, lower-cased (condition
            /// key names are case-insensitive), each once, in document order.
            /// A caller that builds request contexts can insert only these.
            pub fn condition_keys(&self) -> Vec<&str> {
                let mut keys: Vec<&str> = Vec::new();
                for statement in self.doc.statements() {
                    for key in statement.condition_key_names() {
                        if !keys.contains(&key) {
                            keys.push(key);
                        }
                    }
                }
                keys
            }

            /// The statements, in document order.
            pub fn statements(&self) -> &[Statement] {
                &self.doc.statements
            }

            pub(crate) fn document(&self) -> &Document {
                &self.doc
            }
        }

        impl FromStr for $name {
            type Err = PolicyError;

            fn from_str(json: &str) -> Result<Self, PolicyError> {
                Self::from_json(json)
            }
        }
    };
}

policy_type!(
    /// A Lattice auth policy: the resource-based policy of a service network
    /// or a service. Every statement names a `Principal` or `NotPrincipal`.
    AuthPolicy,
    Kind::Auth
);

policy_type!(
    /// An IAM identity-based policy of the caller. Statements must not name a
    /// principal: they apply to whoever holds the policy.
    IdentityPolicy,
    Kind::Identity
);

fn parse_document(value: &Value, kind: Kind) -> Result<Document, PolicyError> {
    let Value::Object(top) = value else {
        return Err(DocumentError::NotAnObject.into());
    };
    if let Some(unknown) = top
        .keys()
        .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
    {
        return Err(DocumentError::UnknownElement(unknown.clone()).into());
    }
    let version = match top.get("Version") {
        None => Version::V2008_10_17,
        Some(Value::String(v)) if v == "2012-10-17" => Version::V2012_10_17,
        Some(Value::String(v)) if v == "2008-10-17" => Version::V2008_10_17,
        Some(other) => return Err(DocumentError::InvalidVersion(other.to_string()).into()),
    };
    let id = match top.get("Id") {
        None => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err(DocumentError::InvalidId.into()),
    };
    let raw: Vec<&Value> = match top.get("Statement") {
        None => return Err(DocumentError::MissingStatement.into()),
        Some(one @ Value::Object(_)) => vec![one],
        Some(Value::Array(many)) => many.iter().collect(),
        Some(_) => return Err(DocumentError::InvalidStatement.into()),
    };
    let mut sids = HashSet::new();
    let mut statements = Vec::with_capacity(raw.len());
    for (index, value) in raw.into_iter().enumerate() {
        let statement = parse_statement(index, value, kind)?;
        if let Some(sid) = &statement.sid
            && !sids.insert(sid.clone())
        {
            return Err(StatementError {
                index,
                sid: Some(sid.to_string()),
                field: Field::Sid,
                problem: Problem::DuplicateSid,
            }
            .into());
        }
        statements.push(statement);
    }
    Ok(Document {
        version,
        id,
        statements,
    })
}

fn parse_statement(index: usize, value: &Value, kind: Kind) -> Result<Statement, StatementError> {
    let err = |sid: Option<&str>, field, problem| StatementError {
        index,
        sid: sid.map(str::to_owned),
        field,
        problem,
    };
    let Value::Object(obj) = value else {
        return Err(err(None, Field::Statement, Problem::NotAnObject));
    };
    let sid: Option<Arc<str>> = match obj.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str().into()),
        Some(_) => {
            return Err(err(
                None,
                Field::Sid,
                Problem::WrongType {
                    expected: "a string",
                },
            ));
        }
    };
    let err = |field, problem| err(sid.as_deref(), field, problem);

    const KNOWN: [&str; 9] = [
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    ];
    if let Some(unknown) = obj.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(err(
            Field::Statement,
            Problem::UnknownElement(unknown.clone()),
        ));
    }

    let effect = match obj.get("Effect") {
        None => return Err(err(Field::Effect, Problem::Missing)),
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(e)) => {
            return Err(err(Field::Effect, Problem::InvalidEffect(e.clone())));
        }
        Some(other) => {
            return Err(err(
                Field::Effect,
                Problem::InvalidEffect(other.to_string()),
            ));
        }
    };

    let principal = match (kind, pick(obj, Field::Principal, Field::NotPrincipal)) {
        (_, Err((field, problem))) => return Err(err(field, problem)),
        (Kind::Identity, Ok(None)) => None,
        (Kind::Identity, Ok(Some((field, _)))) => {
            return Err(err(field, Problem::NotAllowedInIdentityPolicy));
        }
        (Kind::Auth, Ok(None)) => return Err(err(Field::Principal, Problem::Missing)),
        (Kind::Auth, Ok(Some((field, v)))) => Some(PrincipalElement {
            not: field == Field::NotPrincipal,
            entries: parse_principal(v).map_err(|p| err(field, p))?,
        }),
    };

    let action = match pick(obj, Field::Action, Field::NotAction) {
        Err((field, problem)) => return Err(err(field, problem)),
        Ok(None) => return Err(err(Field::Action, Problem::Missing)),
        Ok(Some((field, v))) => PatternElement {
            not: field == Field::NotAction,
            patterns: strings(v)
                .and_then(|s| s.into_iter().map(action_pattern).collect())
                .map_err(|p| err(field, p))?,
        },
    };

    let resource = match pick(obj, Field::Resource, Field::NotResource) {
        Err((field, problem)) => return Err(err(field, problem)),
        Ok(None) => return Err(err(Field::Resource, Problem::Missing)),
        Ok(Some((field, v))) => PatternElement {
            not: field == Field::NotResource,
            patterns: strings(v)
                .and_then(|s| {
                    s.into_iter()
                        .map(|r| {
                            if r.is_empty() {
                                Err(Problem::Empty)
                            } else {
                                Ok(Pattern::new(r, false))
                            }
                        })
                        .collect()
                })
                .map_err(|p| err(field, p))?,
        },
    };

    let conditions = match obj.get("Condition") {
        None => Vec::new(),
        Some(v) => parse_conditions(v).map_err(|p| err(Field::Condition, p))?,
    };

    Ok(Statement {
        index,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

/// The element `yes` or its negation `no`, never both.
fn pick(
    obj: &Map<String, Value>,
    yes: Field,
    no: Field,
) -> Result<Option<(Field, &Value)>, (Field, Problem)> {
    match (obj.get(yes.as_str()), obj.get(no.as_str())) {
        (Some(_), Some(_)) => Err((yes, Problem::Conflict(no))),
        (Some(v), None) => Ok(Some((yes, v))),
        (None, Some(v)) => Ok(Some((no, v))),
        (None, None) => Ok(None),
    }
}

/// A string or a non-empty array of strings.
fn strings(value: &Value) -> Result<Vec<&str>, Problem> {
    const EXPECTED: &str = "a string or an array of strings";
    match value {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if items.is_empty() => Err(Problem::Empty),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().ok_or(Problem::WrongType { expected: EXPECTED }))
            .collect(),
        _ => Err(Problem::WrongType { expected: EXPECTED }),
    }
}

/// `*` or `service-prefix:ActionPattern`; the prefix has no wildcard.
fn action_pattern(action: &str) -> Result<Pattern, Problem> {
    let valid = action == "*"
        || action.split_once(':').is_some_and(|(prefix, name)| {
            !prefix.is_empty()
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !name.is_empty()
                && !name.contains(':')
        });
    if valid {
        Ok(Pattern::new(action, true))
    } else {
        Err(Problem::InvalidAction(action.to_owned()))
    }
}

/// `"*"` or `{"AWS"|"Service"|"Federated"|"CanonicalUser": string | [strings]}`.
fn parse_principal(value: &Value) -> Result<Vec<PrincipalPattern>, Problem> {
    match value {
        Value::String(s) if s == "*" => Ok(vec![PrincipalPattern::Everyone]),
        Value::String(s) => Err(Problem::InvalidPrincipal(s.clone())),
        Value::Object(types) if types.is_empty() => Err(Problem::Empty),
        Value::Object(types) => {
            let mut out = Vec::new();
            for (ty, v) in types {
                let values = strings(v)?;
                match ty.as_str() {
                    "AWS" => {
                        for p in values {
                            out.push(
                                PrincipalPattern::aws(p)
                                    .ok_or_else(|| Problem::InvalidPrincipal(p.to_owned()))?,
                            );
                        }
                    }
                    "Service" | "Federated" | "CanonicalUser" => {
                        if values.iter().any(|v| v.is_empty()) {
                            return Err(Problem::Empty);
                        }
                        out.push(PrincipalPattern::Never);
                    }
                    other => return Err(Problem::UnknownPrincipalType(other.to_owned())),
                }
            }
            Ok(out)
        }
        _ => Err(Problem::WrongType {
            expected: "\"*\" or an object such as {\"AWS\": [...]}",
        }),
    }
}

#[cfg(test)]
mod tests;
