//! `lattice policy lint FILE…`: check auth policies as IAM would before
//! they are attached, plus what only matters to Lattice.

use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use lattice_client::policy::AuthPolicy;
use serde_json::Value;

use crate::error::CliResult;

/// The largest auth policy Lattice accepts, in characters.
const MAX_POLICY_CHARS: usize = 10_000;

/// Check auth policies before attaching them.
///
/// Errors: a policy AWS would reject (grammar, principals, operators), a
/// `Resource` that is neither `*` (or `*/path`) nor an ARN, an `Action`
/// outside `vpc-lattice-svcs`, an unknown condition key, an operator that
/// does not suit its key's type, more than 10,000 characters. Warnings: a
/// plain operator on a multi-valued key, a set operator on a single-valued
/// one. Each finding names the file, the statement index, its Sid and the
/// field. Exit status 1 when any file has an error, else 0.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  lattice policy lint network.json service.json")]
pub(crate) struct LintArgs {
    /// The auth policies (JSON). Example: `service.json`.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) severity: Severity,
    /// The statement index (`None`: the document).
    pub(crate) statement: Option<usize>,
    pub(crate) sid: Option<String>,
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{severity}: ")?;
        match self.statement {
            Some(i) => write!(f, "statement {i}")?,
            None => f.write_str("policy")?,
        }
        if let Some(sid) = &self.sid {
            write!(f, " (Sid {sid:?})")?;
        }
        write!(f, ", {}: {}", self.field, self.message)
    }
}

/// Runs `lattice policy lint`.
pub(crate) fn run(args: &LintArgs, quiet: bool) -> CliResult<ExitCode> {
    let mut errors = 0;
    for path in &args.files {
        let text = std::fs::read_to_string(path).map_err(|e| {
            crate::error::CliError::usage(format!("cannot read {}: {e}", path.display()))
        })?;
        let findings = match serde_json::from_str::<Value>(&text) {
            Ok(value) => lint(&text, &value),
            Err(e) => vec![Finding {
                severity: Severity::Error,
                statement: None,
                sid: None,
                field: "document",
                message: format!("not JSON: {e}"),
            }],
        };
        for f in &findings {
            if f.severity == Severity::Error {
                errors += 1;
            }
            if !quiet {
                println!("{}: {f}", path.display());
            }
        }
        if findings.is_empty() && !quiet {
            println!("{}: ok", path.display());
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(crate::error::FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Every finding for one policy (`text` is its source, for the size).
pub(crate) fn lint(text: &str, policy: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let chars = text.chars().count();
    if chars > MAX_POLICY_CHARS {
        findings.push(Finding {
            severity: Severity::Error,
            statement: None,
            sid: None,
            field: "document",
            message: format!("{chars} characters; an auth policy holds at most {MAX_POLICY_CHARS}"),
        });
    }
    if let Err(e) = AuthPolicy::from_value(policy) {
        findings.push(match e.statement() {
            Some(s) => Finding {
                severity: Severity::Error,
                statement: Some(s.index),
                sid: s.sid.clone(),
                field: s.field.as_str(),
                message: s.problem.to_string(),
            },
            None => Finding {
                severity: Severity::Error,
                statement: None,
                sid: None,
                field: "document",
                message: e.to_string(),
            },
        });
    }
    let statements = match policy.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    };
    for (index, statement) in statements.iter().enumerate() {
        let sid = statement
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut push = |severity, field, message: String| {
            let finding = Finding {
                severity,
                statement: Some(index),
                sid: sid.clone(),
                field,
                message,
            };
            // The parser's finding for the same field says it already.
            if !findings.iter().any(|f| {
                f.statement == Some(index) && f.field == field && f.message == finding.message
            }) {
                findings.push(finding);
            }
        };
        for field in ["Resource", "NotResource"] {
            for value in strings(statement.get(field)) {
                if let Some(problem) = check_resource(&value) {
                    push(Severity::Error, field_name(field), problem);
                }
            }
        }
        for field in ["Action", "NotAction"] {
            for value in strings(statement.get(field)) {
                if let Some(problem) = check_action(&value) {
                    push(Severity::Error, field_name(field), problem);
                }
            }
        }
        if let Some(Value::Object(operators)) = statement.get("Condition") {
            for (operator, keys) in operators {
                let Value::Object(keys) = keys else { continue };
                for key in keys.keys() {
                    for (severity, problem) in check_condition(operator, key) {
                        push(severity, "Condition", problem);
                    }
                }
            }
        }
    }
    findings
}

fn field_name(field: &str) -> &'static str {
    match field {
        "Resource" => "Resource",
        "NotResource" => "NotResource",
        "Action" => "Action",
        _ => "NotAction",
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn check_resource(value: &str) -> Option<String> {
    if value == "*" || value.starts_with("*/") {
        return None;
    }
    if !value.starts_with("arn:") {
        return Some(format!(
            "{value:?} is neither \"*\" nor an ARN (e.g. arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/*)"
        ));
    }
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    match fields.as_slice() {
        [_, _, service, _, _, _] if *service == "vpc-lattice" || *service == "*" => None,
        [_, _, service, _, _, _] => Some(format!(
            "{value:?} is an ARN of `{service}`; Lattice auth policies name `vpc-lattice` services (…:service/svc-…/path)"
        )),
        _ => Some(format!(
            "{value:?} is not an ARN: expected 6 `:`-separated fields as in arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/*"
        )),
    }
}

/// The actions of `vpc-lattice-svcs`.
const ACTIONS: [&str; 2] = ["invoke", "connect"];

fn check_action(value: &str) -> Option<String> {
    if value == "*" {
        return None;
    }
    let Some((service, action)) = value.split_once(':') else {
        return Some(format!(
            "{value:?} is not \"*\" or \"vpc-lattice-svcs:ACTION\""
        ));
    };
    if !service.eq_ignore_ascii_case("vpc-lattice-svcs") {
        return Some(format!(
            "{value:?} is not an action of `vpc-lattice-svcs` (the only service whose actions Lattice auth policies decide)"
        ));
    }
    let action = action.to_ascii_lowercase();
    if ACTIONS.iter().any(|a| wildcard(&action, a)) {
        None
    } else {
        Some(format!(
            "{value:?} names no action of vpc-lattice-svcs (Invoke, Connect)"
        ))
    }
}

/// IAM wildcard match (`*`, `?`), both sides lower-case.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// The type of a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyType {
    String,
    Numeric,
    Arn,
    Date,
    Bool,
    Ip,
    /// Multi-valued strings.
    Strings,
}

/// Known keys: Lattice's (facts of the Service Authorization Reference) and
/// the global keys. Prefix keys end in `/`.
const KEYS: &[(&str, KeyType)] = &[
    ("vpc-lattice-svcs:port", KeyType::Numeric),
    ("vpc-lattice-svcs:requestmethod", KeyType::String),
    ("vpc-lattice-svcs:requestpath", KeyType::String),
    ("vpc-lattice-svcs:requestheader/", KeyType::String),
    ("vpc-lattice-svcs:requestquerystring/", KeyType::Strings),
    ("vpc-lattice-svcs:servicenetworkarn", KeyType::Arn),
    ("vpc-lattice-svcs:servicearn", KeyType::Arn),
    ("vpc-lattice-svcs:sourcevpc", KeyType::String),
    ("vpc-lattice-svcs:sourcevpcowneraccount", KeyType::String),
    ("aws:principalorgid", KeyType::String),
    ("aws:principalorgpaths", KeyType::Strings),
    ("aws:principaltype", KeyType::String),
    ("aws:principalarn", KeyType::Arn),
    ("aws:principalaccount", KeyType::String),
    ("aws:principaltag/", KeyType::String),
    ("aws:principalisawsservice", KeyType::Bool),
    ("aws:principalservicename", KeyType::String),
    ("aws:resourcetag/", KeyType::String),
    ("aws:sourceip", KeyType::Ip),
    ("aws:securetransport", KeyType::Bool),
    ("aws:currenttime", KeyType::Date),
    ("aws:epochtime", KeyType::Numeric),
    ("aws:userid", KeyType::String),
    ("aws:username", KeyType::String),
    ("aws:tagkeys", KeyType::Strings),
    ("aws:requestedregion", KeyType::String),
    ("aws:multifactorauthpresent", KeyType::Bool),
];

fn key_type(key: &str) -> Option<KeyType> {
    let lower = key.to_ascii_lowercase();
    KEYS.iter()
        .find(|(k, _)| {
            if k.ends_with('/') {
                lower.starts_with(k) && lower.len() > k.len()
            } else {
                lower == *k
            }
        })
        .map(|(_, t)| *t)
}

fn check_condition(operator: &str, key: &str) -> Vec<(Severity, String)> {
    let mut out = Vec::new();
    let Some(kind) = key_type(key) else {
        out.push((
            Severity::Error,
            format!(
                "unknown condition key {key:?} (Lattice keys start with `vpc-lattice-svcs:`, global keys with `aws:`)"
            ),
        ));
        return out;
    };
    let set = operator.starts_with("ForAnyValue:") || operator.starts_with("ForAllValues:");
    let base = operator
        .trim_start_matches("ForAnyValue:")
        .trim_start_matches("ForAllValues:");
    let base = base.strip_suffix("IfExists").unwrap_or(base);
    let suits = match base {
        "Null" => true,
        b if b.starts_with("String") => {
            matches!(kind, KeyType::String | KeyType::Strings | KeyType::Arn)
        }
        b if b.starts_with("Numeric") => kind == KeyType::Numeric,
        b if b.starts_with("Date") => kind == KeyType::Date,
        "Bool" => kind == KeyType::Bool,
        b if b.starts_with("Arn") => kind == KeyType::Arn,
        "IpAddress" | "NotIpAddress" => kind == KeyType::Ip,
        // Unknown operators are reported by the parser.
        _ => true,
    };
    if !suits {
        out.push((
            Severity::Error,
            format!("operator {operator:?} does not suit {key:?}, a {kind:?} key"),
        ));
    } else if kind == KeyType::Strings && !set && base != "Null" {
        out.push((
            Severity::Warning,
            format!(
                "{key:?} is multi-valued: say ForAnyValue:{base} or ForAllValues:{base} (plain {base} matches when any value matches)"
            ),
        ));
    } else if kind != KeyType::Strings && set {
        out.push((
            Severity::Warning,
            format!("{operator:?} is a set operator but {key:?} has one value"),
        ));
    }
    out
}

#[cfg(test)]
mod tests;
