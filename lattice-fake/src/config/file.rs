//! The config file's shape: the API's field names, plus a `fake` block per
//! object and one for the whole fake.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::model::{ListenerProtocol, ProtocolVersion};
use crate::routing::{Rule, RuleAction};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ConfigFile {
    #[serde(default)]
    pub(super) service_networks: Vec<NetworkSpec>,
    #[serde(default)]
    pub(super) services: Vec<ServiceSpec>,
    #[serde(default)]
    pub(super) target_groups: Vec<TargetGroupSpec>,
    #[serde(default)]
    pub(super) fake: FakeSettings,
}

/// `NONE` or `AWS_IAM`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub(super) enum AuthType {
    #[default]
    #[serde(rename = "NONE")]
    None,
    #[serde(rename = "AWS_IAM")]
    AwsIam,
}

/// An IAM policy document as JSON text: written as a string holding the
/// JSON, or as a YAML/JSON object (re-serialized to JSON).
pub(super) struct PolicyDocument(pub(super) String);

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(json) => Ok(PolicyDocument(json)),
            value @ serde_json::Value::Object(_) => serde_json::to_string(&value)
                .map(PolicyDocument)
                .map_err(de::Error::custom),
            other => Err(de::Error::custom(format!(
                "a policy is an IAM policy document: an object, or a string holding its JSON; found {}",
                json_kind(&other)
            ))),
        }
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct NetworkSpec {
    pub(super) name: String,
    #[serde(default)]
    pub(super) auth_type: Option<AuthType>,
    #[serde(default)]
    pub(super) auth_policy: Option<PolicyDocument>,
    #[serde(default)]
    pub(super) fake: NetworkFake,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct NetworkFake {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) services: Vec<String>,
    #[serde(default)]
    pub(super) all_services: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ServiceSpec {
    pub(super) name: String,
    #[serde(default)]
    pub(super) custom_domain_name: Option<String>,
    #[serde(default)]
    pub(super) auth_type: Option<AuthType>,
    #[serde(default)]
    pub(super) auth_policy: Option<PolicyDocument>,
    #[serde(default)]
    pub(super) listeners: Vec<ListenerSpec>,
    #[serde(default)]
    pub(super) fake: ServiceFake,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ServiceFake {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) service_networks: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ListenerSpec {
    #[serde(default)]
    pub(super) name: Option<String>,
    pub(super) protocol: ListenerProtocol,
    #[serde(default)]
    pub(super) port: Option<u16>,
    #[serde(default)]
    pub(super) default_action: Option<RuleAction>,
    #[serde(default)]
    pub(super) rules: Vec<Rule>,
}

/// A target group's `type`. `LAMBDA` is recognised and rejected with a
/// message saying why (at its place in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(super) enum TargetGroupType {
    Instance,
    Ip,
    Alb,
    Lambda,
}

impl TargetGroupType {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            TargetGroupType::Instance => "INSTANCE",
            TargetGroupType::Ip => "IP",
            TargetGroupType::Alb => "ALB",
            TargetGroupType::Lambda => "LAMBDA",
        }
    }
}

impl TryFrom<String> for TargetGroupType {
    type Error = String;

    fn try_from(value: String) -> Result<Self, String> {
        match value.as_str() {
            "INSTANCE" => Ok(TargetGroupType::Instance),
            "IP" => Ok(TargetGroupType::Ip),
            "ALB" => Ok(TargetGroupType::Alb),
            "LAMBDA" => Ok(TargetGroupType::Lambda),
            other => Err(format!(
                "unknown target group type `{other}`, expected `INSTANCE`, `IP`, `ALB` or `LAMBDA`"
            )),
        }
    }
}

/// `lambdaEventStructureVersion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(super) enum LambdaEventVersion {
    V1,
    V2,
}

/// A target group's `config.protocol` (accepted, not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(super) enum TargetProtocol {
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTPS")]
    Https,
    #[serde(rename = "TCP")]
    Tcp,
}

/// A target group's `config.ipAddressType` (accepted, not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub(super) enum IpAddressType {
    #[serde(rename = "IPV4")]
    V4,
    #[serde(rename = "IPV6")]
    V6,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TargetGroupSpec {
    pub(super) name: String,
    #[serde(rename = "type")]
    pub(super) kind: TargetGroupType,
    #[serde(default)]
    pub(super) config: TargetGroupConfig,
    #[serde(default)]
    pub(super) fake: TargetGroupFake,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TargetGroupConfig {
    #[serde(default)]
    pub(super) protocol_version: Option<ProtocolVersion>,
    #[serde(default)]
    pub(super) lambda_event_structure_version: Option<LambdaEventVersion>,
    // Accepted so `CreateTargetGroup` input pastes; the fake's target decides.
    #[serde(default)]
    #[expect(dead_code, reason = "accepted so API input pastes; not used")]
    pub(super) port: Option<u16>,
    #[serde(default)]
    #[expect(dead_code, reason = "accepted so API input pastes; not used")]
    pub(super) protocol: Option<TargetProtocol>,
    #[serde(default)]
    #[expect(dead_code, reason = "accepted so API input pastes; not used")]
    pub(super) ip_address_type: Option<IpAddressType>,
    #[serde(default)]
    #[expect(dead_code, reason = "accepted so API input pastes; not used")]
    pub(super) vpc_identifier: Option<String>,
    #[serde(default)]
    #[expect(dead_code, reason = "accepted so API input pastes; not used")]
    pub(super) health_check: Option<serde_json::Value>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TargetGroupFake {
    #[serde(default)]
    pub(super) id: Option<String>,
    #[serde(default)]
    pub(super) target: Option<TargetSpec>,
    #[serde(default)]
    pub(super) faults: Option<FaultsSpec>,
}

/// `fake.faults` of a target group (see [`Faults`](super::Faults)).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct FaultsSpec {
    #[serde(default)]
    pub(super) latency_ms: Option<u64>,
    #[serde(default)]
    pub(super) refuse: Option<f64>,
    #[serde(default)]
    pub(super) drop_connection: Option<f64>,
    #[serde(default)]
    pub(super) hang: Option<f64>,
    #[serde(default)]
    pub(super) error: Option<ErrorFaultSpec>,
}

/// `fake.faults.error`: `{status: 503, fraction: 0.1}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ErrorFaultSpec {
    pub(super) status: u16,
    pub(super) fraction: f64,
}

/// `echo`, `requestEcho`, `eventEcho` or `{upstream: "127.0.0.1:8080"}`
/// (or `{upstream: "orders-api:8080"}`, a name resolved per request).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum TargetSpec {
    /// The built-in echo of the group's type: the request echo, or the
    /// event echo in a `LAMBDA` group.
    Echo,
    /// The request echo (not in `LAMBDA` groups).
    RequestEcho,
    /// The event echo (`LAMBDA` groups only).
    EventEcho,
    /// `IP:PORT` or `HOST:PORT`.
    Upstream(UpstreamSpec),
}

/// An upstream as written, `IP:PORT` or `HOST:PORT`, checked when read (so
/// an error names the line).
pub(super) struct UpstreamSpec(pub(super) crate::model::Target);

impl<'de> Deserialize<'de> for UpstreamSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        crate::model::Target::upstream_from_str(&value)
            .map(UpstreamSpec)
            .map_err(|reason| serde::de::Error::custom(format!("upstream `{value}`: {reason}")))
    }
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct FakeSettings {
    #[serde(default)]
    pub(super) region: Option<String>,
    #[serde(default)]
    pub(super) account: Option<String>,
    #[serde(default)]
    pub(super) dns_label: Option<String>,
    #[serde(default)]
    pub(super) seed: Option<u64>,
    #[serde(default)]
    pub(super) signature_window_seconds: Option<f64>,
    #[serde(default)]
    pub(super) clock_offset_seconds: Option<f64>,
    #[serde(default)]
    pub(super) access_log_capacity: Option<usize>,
    #[serde(default)]
    pub(super) max_connections_per_listener: Option<usize>,
    #[serde(default)]
    pub(super) timeouts: TimeoutsSpec,
    #[serde(default)]
    pub(super) limits: LimitsSpec,
    #[serde(default)]
    pub(super) principals: Vec<PrincipalSpec>,
    #[serde(default)]
    pub(super) clients: Vec<ClientSpec>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TimeoutsSpec {
    #[serde(default)]
    pub(super) idle_seconds: Option<f64>,
    #[serde(default)]
    pub(super) lifetime_seconds: Option<f64>,
    #[serde(default)]
    pub(super) target_seconds: Option<f64>,
    #[serde(default)]
    pub(super) body_read_seconds: Option<f64>,
    #[serde(default)]
    pub(super) close_grace_seconds: Option<f64>,
    #[serde(default)]
    pub(super) handshake_seconds: Option<f64>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct LimitsSpec {
    #[serde(default)]
    pub(super) rules_per_listener: Option<usize>,
    #[serde(default)]
    pub(super) listeners_per_service: Option<usize>,
    #[serde(default)]
    pub(super) target_groups_per_service: Option<usize>,
    #[serde(default)]
    pub(super) targets_per_target_group: Option<usize>,
    #[serde(default)]
    pub(super) service_associations_per_network: Option<usize>,
    #[serde(default)]
    pub(super) auth_policy_bytes: Option<usize>,
}

/// Holds a secret key: no `Debug`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct PrincipalSpec {
    pub(super) access_key_id: String,
    pub(super) secret_access_key: String,
    #[serde(default)]
    pub(super) session_token: Option<String>,
    pub(super) arn: String,
    #[serde(default)]
    pub(super) org_id: Option<String>,
    #[serde(default)]
    pub(super) org_path: Option<String>,
    #[serde(default)]
    pub(super) session_name: Option<String>,
    #[serde(default)]
    pub(super) tags: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) identity_policies: Option<Vec<PolicyDocument>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ClientSpec {
    pub(super) vpc_id: String,
    #[serde(default)]
    pub(super) owner_account: Option<String>,
    #[serde(default)]
    pub(super) service_network: Option<String>,
    #[serde(default)]
    pub(super) source_ip: Option<IpAddr>,
}
