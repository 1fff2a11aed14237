//! `lattice policy eval CASES.json`: one decision line per case.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use lattice_client::policy::{
    AccessRequest, AuthConfig, AuthPolicy, AuthType, Caller, Decision, INVOKE, IdentityPolicy,
    RequestContext,
};
use serde_json::Value;

use crate::error::{CliError, CliResult};

/// Evaluate authorization cases from a JSON file, one JSON line per case.
///
/// The file holds an array of `{name, serviceNetworkPolicy, servicePolicy,
/// identityPolicies, principal, action, resource, context}`. A policy absent
/// or `null` means auth type `NONE`; `principal` is an ARN or `"anonymous"`;
/// `action` defaults to `vpc-lattice-svcs:Invoke`; `context` maps condition
/// keys to a string or an array of strings. Each output line is
/// `{"name","decision","layer","statement","message"}` with `decision` one
/// of `Allow`, `Deny`, `ImplicitDeny` or `Error`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  lattice policy eval examples/policy/cases.json")]
pub(crate) struct EvalArgs {
    /// The JSON file of cases. Example: `examples/policy/cases.json`.
    cases: PathBuf,
}

/// Runs `lattice policy eval`.
pub(crate) fn run(args: &EvalArgs) -> CliResult<ExitCode> {
    let path = &args.cases;
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))?;
    let cases = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(cases)) => cases,
        Ok(_) => {
            return Err(CliError::usage(format!(
                "{} must hold a JSON array of cases",
                path.display()
            )));
        }
        Err(e) => {
            return Err(CliError::usage(format!(
                "{} is not JSON: {e}",
                path.display()
            )));
        }
    };
    let mut out = std::io::stdout().lock();
    for case in &cases {
        if writeln!(out, "{}", line(case)).is_err() {
            // stdout closed (e.g. piped into `head`): nothing left to do.
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One output line for one case.
fn line(case: &Value) -> String {
    let name = case.get("name").cloned().unwrap_or(Value::Null);
    match decide(case) {
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

fn decide(case: &Value) -> Result<Decision, String> {
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
