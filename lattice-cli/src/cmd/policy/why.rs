//! `lattice policy why`: one ad-hoc authorization question, explained.
//!
//! The engine's [`Decision`] names the denying layer and an explicit
//! `Deny`; to name, per layer, the statement that decided (an `Allow` too),
//! each statement is evaluated alone against the same request.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use lattice_client::hint;
use lattice_client::name::LatticeName;
use lattice_client::policy::{
    AccessRequest, AuthConfig, AuthPolicy, AuthType, Caller, Decision, DecisionEffect,
    IdentityPolicy, Layer, RequestContext, keys,
};
use serde_json::{Value, json};

use super::read_json;
use crate::cmd::event::{
    DEFAULT_ACCOUNT, DEFAULT_NETWORK_ID, DEFAULT_SERVICE_ID, DEFAULT_SOURCE_VPC,
};
use crate::error::{CliError, CliResult, hint_line};
use crate::request::{self, Head};

/// Explain how Lattice would decide one request: each layer's decision, the
/// statement that decided it (index and Sid) and Lattice's exact 403 line.
///
/// A layer whose file is not given has auth type `NONE`. The resource is the
/// service ARN followed by the URL's path; the ARN comes from a generated
/// name in the URL (account 111122223333) or `--service-arn`. The context
/// holds the method, path, port, headers, query, service and network ARNs,
/// source VPC and its owner, plus any `--context KEY=VALUE`. Exit status 0
/// when allowed, 1 when denied, 2 for bad input.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  lattice policy why --network network.json --service service.json --identity role.json \\
      --principal arn:aws:sts::111122223333:assumed-role/app/s1 -X GET \\
      --context aws:PrincipalOrgID=o-a1b2c3d4e5 \\
      https://orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws/orders/7")]
pub(crate) struct WhyArgs {
    /// The request URL. Example: `https://orders.example.internal/orders/7`.
    url: String,

    /// The service network's auth policy (JSON). Example: `--network network.json`.
    #[arg(long, value_name = "FILE")]
    network: Option<PathBuf>,

    /// The service's auth policy (JSON). Example: `--service service.json`.
    #[arg(long, value_name = "FILE")]
    service: Option<PathBuf>,

    /// One of the caller's identity policies (repeatable). Example: `--identity role.json`.
    #[arg(long, value_name = "FILE")]
    identity: Vec<PathBuf>,

    /// The caller's ARN, or `anonymous` (the default).
    /// Example: `--principal arn:aws:iam::111122223333:role/app`.
    #[arg(long, value_name = "ARN", default_value = "anonymous")]
    principal: String,

    /// The request method. Example: `-X POST`.
    #[arg(
        short = 'X',
        long = "request",
        value_name = "METHOD",
        default_value = "GET"
    )]
    method: String,

    /// A request header (repeatable), for `vpc-lattice-svcs:RequestHeader/…`.
    /// Example: `-H 'x-api-version: v2'`.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = request::parse_header)]
    headers: Vec<(String, String)>,

    /// The caller's VPC. Example: `--source-vpc vpc-0a1b2c3d4e5f60718`.
    #[arg(long, value_name = "VPC", default_value = DEFAULT_SOURCE_VPC)]
    source_vpc: String,

    /// The service ARN (default: from a generated name in the URL).
    /// Example: `--service-arn arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0`.
    #[arg(long, value_name = "ARN")]
    service_arn: Option<String>,

    /// The service network ARN (default: sn-0123456789abcdef0 in the service's account and region).
    /// Example: `--service-network-arn arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0`.
    #[arg(long, value_name = "ARN")]
    service_network_arn: Option<String>,

    /// Another condition key (repeatable). Example: `--context aws:PrincipalOrgID=o-a1b2c3d4e5`.
    #[arg(long, value_name = "KEY=VALUE")]
    context: Vec<String>,

    /// Print the answer as JSON. Example: `--json`.
    #[arg(long)]
    json: bool,
}

/// How one layer answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LayerAnswer {
    NotApplicable(&'static str),
    Allow(StatementId),
    Deny(StatementId),
    NoAllow,
}

/// A statement: its policy (identity layer), index and Sid.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StatementId {
    policy: Option<usize>,
    index: usize,
    sid: Option<String>,
}

impl StatementId {
    fn text(&self) -> String {
        let mut s = match self.policy {
            Some(p) => format!("identity policy {p}, statement {}", self.index),
            None => format!("statement {}", self.index),
        };
        if let Some(sid) = &self.sid {
            s.push_str(&format!(" (Sid {sid:?})"));
        }
        s
    }

    fn json(&self) -> Value {
        json!({"policy": self.policy, "index": self.index, "sid": self.sid})
    }
}

/// Runs `lattice policy why`.
pub(crate) fn run(args: &WhyArgs, quiet: bool) -> CliResult<ExitCode> {
    let network = args.network.as_deref().map(read_json).transpose()?;
    let service = args.service.as_deref().map(read_json).transpose()?;
    let identity: Vec<Value> = args
        .identity
        .iter()
        .map(|p| read_json(p))
        .collect::<CliResult<_>>()?;
    let parse_auth = |v: &Option<Value>, path: &Option<PathBuf>| -> CliResult<AuthType> {
        match (v, path) {
            (Some(v), Some(p)) => AuthPolicy::from_value(v)
                .map(AuthType::aws_iam)
                .map_err(|e| CliError::config(&e).context(p.display())),
            _ => Ok(AuthType::None),
        }
    };
    let config = AuthConfig::new()
        .network(parse_auth(&network, &args.network)?)
        .service(parse_auth(&service, &args.service)?)
        .identity_policies(
            identity
                .iter()
                .zip(&args.identity)
                .map(|(v, p)| {
                    IdentityPolicy::from_value(v)
                        .map_err(|e| CliError::config(&e).context(p.display()))
                })
                .collect::<CliResult<Vec<_>>>()?,
        );
    let request = build_request(args)?;
    let decision = config.evaluate(&request);
    let answers = [
        (Layer::Network, network_answer(network.as_ref(), &request)),
        (Layer::Service, service_answer(service.as_ref(), &request)),
        (Layer::Identity, identity_answer(&identity, &request)),
    ];
    let hint = decision
        .message
        .as_deref()
        .and_then(|m| hint::for_response(403, m));
    if args.json {
        println!("{}", render_json(&request, &decision, &answers, hint));
    } else if !quiet {
        print!("{}", render_text(&request, &decision, &answers));
        if let Some(h) = hint {
            println!("{}", hint_line(h));
        }
    }
    Ok(if decision.is_allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::error::FAILED)
    })
}

fn build_request(args: &WhyArgs) -> CliResult<AccessRequest> {
    let head = Head::new(
        &args.url,
        Some(&args.method),
        &args.headers,
        false,
        None,
        None,
    )?;
    let host = head.host();
    let name = LatticeName::parse(&host).ok();
    let (region, account) = match &args.service_arn {
        Some(arn) => {
            let arn: lattice_client::arn::ServiceArn = arn
                .parse()
                .map_err(|e| CliError::config(&e).context("--service-arn"))?;
            (arn.region().to_owned(), arn.account().to_owned())
        }
        None => (
            name.as_ref()
                .map_or(super::super::event::DEFAULT_REGION, |n| n.region())
                .to_owned(),
            DEFAULT_ACCOUNT.to_owned(),
        ),
    };
    let service_arn = match (&args.service_arn, &name) {
        (Some(arn), _) => arn.clone(),
        (None, Some(n)) => format!(
            "arn:aws:vpc-lattice:{region}:{account}:service/{}",
            n.service_id().as_str()
        ),
        (None, None) => {
            return Err(CliError::usage(format!(
                "`{host}` is not a generated Lattice name: give the service's ARN with --service-arn (e.g. arn:aws:vpc-lattice:us-west-2:111122223333:service/{DEFAULT_SERVICE_ID})"
            )));
        }
    };
    let network_arn = args.service_network_arn.clone().unwrap_or_else(|| {
        format!("arn:aws:vpc-lattice:{region}:{account}:servicenetwork/{DEFAULT_NETWORK_ID}")
    });
    let principal = match args.principal.as_str() {
        "anonymous" => Caller::Anonymous,
        arn => Caller::arn(arn),
    };
    let mut context = RequestContext::new();
    context.insert(keys::REQUEST_METHOD, head.method.as_str());
    context.insert(keys::REQUEST_PATH, head.uri.path());
    context.insert(keys::PORT, head.port().to_string());
    context.insert(keys::SERVICE_ARN, service_arn.as_str());
    context.insert(keys::SERVICE_NETWORK_ARN, network_arn.as_str());
    context.insert(keys::SOURCE_VPC, args.source_vpc.as_str());
    context.insert(keys::SOURCE_VPC_OWNER_ACCOUNT, account.as_str());
    for (name, value) in &head.headers {
        context.append(
            &keys::request_header(name.as_str()),
            String::from_utf8_lossy(value.as_bytes()),
        );
    }
    if let Some(query) = head.uri.query() {
        for (k, v) in url_pairs(query) {
            context.append(&keys::request_query_string(&k), v);
        }
    }
    for entry in &args.context {
        let (k, v) = entry.split_once('=').ok_or_else(|| {
            CliError::usage(format!(
                "--context `{entry}` is not KEY=VALUE (e.g. aws:PrincipalOrgID=o-a1b2c3d4e5)"
            ))
        })?;
        context.append(k.trim(), v.trim());
    }
    Ok(AccessRequest::invoke(principal, &service_arn, head.uri.path()).with_context(context))
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// The statements of a policy document, as JSON.
fn statements(policy: &Value) -> Vec<Value> {
    match policy.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn single(policy: &Value, statement: &Value) -> Value {
    let mut doc = json!({"Statement": [statement]});
    if let (Some(v), Some(o)) = (policy.get("Version"), doc.as_object_mut()) {
        o.insert("Version".into(), v.clone());
    }
    doc
}

/// How one resource-policy layer answers, statement by statement.
fn resource_answer(
    policy: Option<&Value>,
    request: &AccessRequest,
    layer: Layer,
    config: impl Fn(AuthType) -> AuthConfig,
) -> LayerAnswer {
    let Some(policy) = policy else {
        return LayerAnswer::NotApplicable("auth type NONE");
    };
    let mut allow = None;
    for (index, statement) in statements(policy).iter().enumerate() {
        let Ok(one) = AuthPolicy::from_value(&single(policy, statement)) else {
            continue;
        };
        let d = config(AuthType::aws_iam(one)).evaluate(request);
        let id = StatementId {
            policy: None,
            index,
            sid: statement
                .get("Sid")
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        if d.effect == DecisionEffect::Deny {
            return LayerAnswer::Deny(id);
        }
        if allow.is_none() && d.layer != Some(layer) && is_allow(statement) {
            allow = Some(id);
        }
    }
    allow.map_or(LayerAnswer::NoAllow, LayerAnswer::Allow)
}

fn is_allow(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some("Allow")
}

fn network_answer(policy: Option<&Value>, request: &AccessRequest) -> LayerAnswer {
    resource_answer(policy, request, Layer::Network, |a| {
        AuthConfig::new().network(a)
    })
}

fn service_answer(policy: Option<&Value>, request: &AccessRequest) -> LayerAnswer {
    resource_answer(policy, request, Layer::Service, |a| {
        AuthConfig::new().service(a)
    })
}

/// A network policy allowing everything, so only the identity layer decides.
fn allow_all() -> Option<AuthPolicy> {
    AuthPolicy::from_json(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    )
    .ok()
}

fn identity_answer(policies: &[Value], request: &AccessRequest) -> LayerAnswer {
    if request.caller().is_anonymous() {
        return LayerAnswer::NotApplicable("anonymous callers have no identity policy");
    }
    let Some(everyone) = allow_all() else {
        return LayerAnswer::NoAllow;
    };
    let mut allow = None;
    for (p, policy) in policies.iter().enumerate() {
        for (index, statement) in statements(policy).iter().enumerate() {
            let Ok(one) = IdentityPolicy::from_value(&single(policy, statement)) else {
                continue;
            };
            let d = AuthConfig::new()
                .network(AuthType::aws_iam(everyone.clone()))
                .identity_policy(one)
                .evaluate(request);
            let id = StatementId {
                policy: Some(p),
                index,
                sid: statement
                    .get("Sid")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            if d.effect == DecisionEffect::Deny {
                return LayerAnswer::Deny(id);
            }
            if allow.is_none() && d.is_allowed() {
                allow = Some(id);
            }
        }
    }
    allow.map_or(LayerAnswer::NoAllow, LayerAnswer::Allow)
}

fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Network => "network",
        Layer::Service => "service",
        Layer::Identity => "identity",
    }
}

fn render_text(
    request: &AccessRequest,
    decision: &Decision,
    answers: &[(Layer, LayerAnswer)],
) -> String {
    let mut out = format!(
        "request: {} {} by {}\n",
        request.action(),
        request.resource(),
        request.caller().user_text()
    );
    for (layer, answer) in answers {
        let text = match answer {
            LayerAnswer::NotApplicable(why) => format!("not applied ({why})"),
            LayerAnswer::Allow(s) => format!("Allow by {}", s.text()),
            LayerAnswer::Deny(s) => format!("Deny by {}", s.text()),
            LayerAnswer::NoAllow => "no statement allows (implicit deny)".to_owned(),
        };
        out.push_str(&format!(
            "{:<9} {text}\n",
            format!("{}:", layer_name(*layer))
        ));
    }
    out.push_str(&format!("decision: {}\n", decision.effect.as_str()));
    if let Some(m) = &decision.message {
        out.push_str(&format!("403: {m}\n"));
    }
    out
}

fn render_json(
    request: &AccessRequest,
    decision: &Decision,
    answers: &[(Layer, LayerAnswer)],
    hint: Option<&hint::Hint>,
) -> Value {
    let layers: Vec<Value> = answers
        .iter()
        .map(|(layer, answer)| {
            let (result, statement, note) = match answer {
                LayerAnswer::NotApplicable(why) => ("NotApplicable", Value::Null, Some(*why)),
                LayerAnswer::Allow(s) => ("Allow", s.json(), None),
                LayerAnswer::Deny(s) => ("Deny", s.json(), None),
                LayerAnswer::NoAllow => ("NoAllow", Value::Null, None),
            };
            json!({"layer": layer.access_log_label(), "result": result, "statement": statement, "note": note})
        })
        .collect();
    json!({
        "principal": request.caller().user_text(),
        "action": request.action(),
        "resource": request.resource(),
        "decision": decision.effect.as_str(),
        "deniedBy": decision.access_log_label(),
        "layers": layers,
        "message": decision.message,
        "hint": hint.map(|h| json!({"cause": h.cause, "fix": h.fix})),
    })
}
