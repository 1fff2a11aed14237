//! Evaluates VPC Lattice authorization cases from a JSON file.
//!
//! ```text
//! cargo run --example policy-eval -- examples/policy/cases.json
//! ```
//!
//! The file holds a JSON array of cases:
//!
//! ```json
//! [{"name": "get-orders",
//!   "serviceNetworkPolicy": {"Version": "2012-10-17", "Statement": []},
//!   "servicePolicy": {"Version": "2012-10-17", "Statement": []},
//!   "identityPolicies": [{"Version": "2012-10-17", "Statement": []}],
//!   "principal": "arn:aws:iam::111122223333:role/orders-client",
//!   "action": "vpc-lattice-svcs:Invoke",
//!   "resource": "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42",
//!   "context": {"vpc-lattice-svcs:RequestMethod": "GET", "aws:PrincipalOrgID": "o-example"}}]
//! ```
//!
//! - `serviceNetworkPolicy` / `servicePolicy` absent or `null`: that layer's
//!   auth type is `NONE`; any policy object means `AWS_IAM` with it.
//! - `identityPolicies` absent or `null`: the caller has none.
//! - `principal`: a principal ARN, or `"anonymous"` (also when absent or `null`).
//! - `action`: defaults to `vpc-lattice-svcs:Invoke`.
//! - `context`: condition key → a string or an array of strings.
//!
//! For each case, in order, one compact JSON line:
//!
//! ```json
//! {"name":"get-orders","decision":"ImplicitDeny","layer":"Identity","statement":null,"message":"AccessDeniedException: ..."}
//! ```
//!
//! - `decision`: `Allow`, `Deny` (an explicit `Deny` statement matched),
//!   `ImplicitDeny`, or `Error` when the case is malformed or one of its
//!   policies does not parse (`message` then says why; other cases still run).
//! - `layer`: the access-log label of the denying layer (`Network`,
//!   `Service`, `Identity`), else `null`.
//! - `statement`: for `Deny`, the matching statement's `Sid`, or its
//!   zero-based index as a string when it has none; else `null`.
//! - `message`: the Lattice 403 line for denials, the error for `Error`,
//!   else `null`.
//!
//! Exit status 0, or 2 (with one line on stderr) when the file cannot be
//! read or is not a JSON array.

use std::io::Write;
use std::process::ExitCode;

use lattice_client::policy::{
    AccessRequest, AuthConfig, AuthPolicy, AuthType, Caller, Decision, INVOKE, IdentityPolicy,
    RequestContext,
};
use serde_json::Value;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: policy-eval CASES.json");
        return ExitCode::from(2);
    };
    let path = std::path::PathBuf::from(path);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("policy-eval: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let cases = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(cases)) => cases,
        Ok(_) => {
            eprintln!(
                "policy-eval: {} must hold a JSON array of cases",
                path.display()
            );
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("policy-eval: {} is not JSON: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    for case in &cases {
        if writeln!(out, "{}", line(case)).is_err() {
            // stdout closed (e.g. piped into `head`): nothing left to do.
            break;
        }
    }
    ExitCode::SUCCESS
}

/// One output line for one case.
fn line(case: &Value) -> String {
    let name = case.get("name").cloned().unwrap_or(Value::Null);
    match run(case) {
        Ok(d) => render(
            &name,
            d.effect.as_str(),
            d.access_log_label(),
            d.statement.map(|s| s.to_string()),
            d.message,
        ),
        Err(message) => render(&name, "Error", None, None, Some(message)),
    }
}

/// A compact JSON object with the fields in a fixed order.
fn render(
    name: &Value,
    decision: &str,
    layer: Option<&str>,
    statement: Option<String>,
    message: Option<String>,
) -> String {
    let json = |v: Value| v.to_string();
    format!(
        r#"{{"name":{},"decision":{},"layer":{},"statement":{},"message":{}}}"#,
        json(name.clone()),
        json(Value::from(decision)),
        json(layer.map_or(Value::Null, Value::from)),
        json(statement.map_or(Value::Null, Value::from)),
        json(message.map_or(Value::Null, Value::from)),
    )
}

fn run(case: &Value) -> Result<Decision, String> {
    if !case.is_object() {
        return Err("a case must be a JSON object".into());
    }
    let config = AuthConfig::new()
        .network(layer(case, "serviceNetworkPolicy")?)
        .service(layer(case, "servicePolicy")?)
        .identity_policies(identity_policies(case)?);
    let principal = match case.get("principal") {
        None | Some(Value::Null) => Caller::Anonymous,
        Some(Value::String(p)) if p == "anonymous" => Caller::Anonymous,
        Some(Value::String(p)) => Caller::arn(p.as_str()),
        Some(_) => return Err("principal must be a string".into()),
    };
    let action = match case.get("action") {
        None | Some(Value::Null) => INVOKE,
        Some(Value::String(a)) => a.as_str(),
        Some(_) => return Err("action must be a string".into()),
    };
    let Some(Value::String(resource)) = case.get("resource") else {
        return Err("resource must be a string".into());
    };
    let request =
        AccessRequest::new(principal, action, resource.as_str()).with_context(context(case)?);
    Ok(config.evaluate(&request))
}

fn layer(case: &Value, field: &str) -> Result<AuthType, String> {
    match case.get(field) {
        None | Some(Value::Null) => Ok(AuthType::None),
        Some(policy) => AuthPolicy::from_value(policy)
            .map(AuthType::aws_iam)
            .map_err(|e| format!("{field}: {e}")),
    }
}

fn identity_policies(case: &Value) -> Result<Vec<IdentityPolicy>, String> {
    match case.get("identityPolicies") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(policies)) => policies
            .iter()
            .enumerate()
            .map(|(i, p)| {
                IdentityPolicy::from_value(p).map_err(|e| format!("identityPolicies[{i}]: {e}"))
            })
            .collect(),
        Some(_) => Err("identityPolicies must be an array of policies".into()),
    }
}

fn context(case: &Value) -> Result<RequestContext, String> {
    let mut context = RequestContext::new();
    match case.get("context") {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (key, value) in entries {
                match value {
                    Value::String(v) => {
                        context.insert(key, v.as_str());
                    }
                    Value::Array(values) => {
                        let values: Option<Vec<&str>> = values.iter().map(Value::as_str).collect();
                        let values = values
                            .ok_or_else(|| format!("context {key:?}: values must be strings"))?;
                        context.insert_values(key, values);
                    }
                    _ => return Err(format!("context {key:?}: a string or an array of strings")),
                }
            }
        }
        Some(_) => return Err("context must be an object".into()),
    }
    Ok(context)
}
