//! `lattice name NAME_OR_ARN`: what the SDK understands of a name or ARN.

use std::process::ExitCode;

use clap::Args;
use lattice_client::arn::{
    Arn, ListenerArn, PrincipalArn, RuleArn, ServiceArn, ServiceNetworkArn, TargetGroupArn, VpcArn,
};
use lattice_client::name::LatticeName;
use serde_json::{Value, json};

use crate::error::{CliError, CliResult};

/// Print what a generated Lattice name or an ARN holds, as JSON.
///
/// A generated name gives `kind: "generatedName"`, the service name, the
/// service id, the label after the id (`partition`), the region and the
/// suffix. An ARN gives its parts, and the typed fields of Lattice, VPC and
/// IAM/STS principal ARNs. Anything else is exit status 2 with the parser's
/// message.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  lattice name orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws
  lattice name arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0")]
pub(crate) struct NameArgs {
    /// A generated name or an ARN. Example: `arn:aws:iam::111122223333:role/app`.
    input: String,
}

/// Runs `lattice name`.
pub(crate) fn run(args: &NameArgs) -> CliResult<ExitCode> {
    let value = describe(args.input.trim())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

fn describe(input: &str) -> CliResult<Value> {
    if input.starts_with("arn:") {
        let arn = Arn::parse(input).map_err(|e| CliError::config(&e))?;
        return Ok(describe_arn(&arn));
    }
    let name = LatticeName::parse(input).map_err(|e| CliError::config(&e))?;
    let suffix = format!("vpc-lattice-svcs.{}.on.aws", name.region());
    Ok(json!({
        "kind": "generatedName",
        "host": name.host(),
        "serviceName": name.service_name(),
        "serviceId": name.service_id().as_str(),
        "partition": name.partition(),
        "region": name.region(),
        "suffix": suffix,
    }))
}

fn describe_arn(arn: &Arn) -> Value {
    let mut value = json!({
        "kind": "arn",
        "arn": arn.as_str(),
        "partition": arn.partition(),
        "service": arn.service(),
        "region": arn.region(),
        "account": arn.account(),
        "resource": arn.resource(),
    });
    let (resource_type, resource_id) = match arn.resource().split_once('/') {
        Some((t, rest)) => (Some(t), Some(rest)),
        None => (None, None),
    };
    if let Some(object) = value.as_object_mut() {
        object.insert("resourceType".into(), resource_type.into());
        object.insert("resourceId".into(), resource_id.into());
        let text = arn.as_str();
        let typed: Option<(&str, Value)> = if let Ok(a) = ServiceArn::parse(text) {
            Some(("service", json!({"serviceId": a.id().as_str()})))
        } else if let Ok(a) = ServiceNetworkArn::parse(text) {
            Some((
                "serviceNetwork",
                json!({"serviceNetworkId": a.id().as_str()}),
            ))
        } else if let Ok(a) = TargetGroupArn::parse(text) {
            Some(("targetGroup", json!({"targetGroupId": a.id().as_str()})))
        } else if let Ok(a) = ListenerArn::parse(text) {
            Some((
                "listener",
                json!({"serviceId": a.service_id().as_str(), "listenerId": a.id().as_str()}),
            ))
        } else if let Ok(a) = RuleArn::parse(text) {
            Some((
                "rule",
                json!({"serviceId": a.service_id().as_str(),
                       "listenerId": a.listener_id().as_str(), "ruleId": a.id().as_str()}),
            ))
        } else if let Ok(a) = VpcArn::parse(text) {
            Some(("vpc", json!({"vpcId": a.id().as_str()})))
        } else {
            None
        };
        if let Some((kind, ids)) = typed {
            object.insert("arnType".into(), kind.into());
            if let Value::Object(ids) = ids {
                object.extend(ids);
            }
        }
        if let Ok(p) = PrincipalArn::parse(text) {
            object.insert("arnType".into(), "principal".into());
            object.insert("principalKind".into(), format!("{:?}", p.kind()).into());
            object.insert("name".into(), p.name().into());
            object.insert("path".into(), p.path().into());
            object.insert("session".into(), p.session().into());
        }
    }
    value
}
