//! The fake's model from a config file: YAML, or JSON.
//!
//! The file describes the same model as [`FakeLatticeBuilder`]. Wherever the
//! VPC Lattice API has a shape, the file uses the API's own field names and
//! shapes, so listener, rule and policy JSON can be pasted from
//! infrastructure code. What only the fake needs sits under a key named
//! **`fake`**: at the top level (region, account, principals, clients,
//! timeouts, …) and inside service networks, services and target groups
//! (explicit ids, associations, where a target group's requests go).
//! Everything outside a `fake` block is an API field; everything inside one
//! is not.
//!
//! ```
//! use lattice_fake::FakeLatticeBuilder;
//!
//! let yaml = r#"
//! serviceNetworks:
//!   - name: shop
//!     authType: AWS_IAM
//!     authPolicy:                      # an object, or a string holding the JSON
//!       Version: "2012-10-17"
//!       Statement:
//!         - Effect: Allow
//!           Principal: "*"
//!           Action: vpc-lattice-svcs:Invoke
//!           Resource: "*"
//!           Condition:
//!             StringNotEqualsIgnoreCase: {aws:PrincipalType: anonymous}
//!     fake: {services: [orders]}
//! services:
//!   - name: orders
//!     listeners:
//!       - protocol: HTTP
//!         port: 80
//!         defaultAction:
//!           forward: {targetGroups: [{targetGroupIdentifier: orders-tg}]}
//! targetGroups:
//!   - name: orders-tg
//!     type: INSTANCE
//!     fake: {target: echo}
//! fake:
//!   principals:
//!     - accessKeyId: AKIDEXAMPLE
//!       secretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//!       arn: arn:aws:sts::111122223333:assumed-role/orders-client/session-1
//! "#;
//! let fake = FakeLatticeBuilder::from_yaml_str(yaml)?.build()?;
//! # let _ = fake;
//! # Ok::<(), lattice_fake::FakeError>(())
//! ```
//!
//! # Loading
//!
//! * [`FakeLatticeBuilder::from_config_file`] reads a file; the format is
//!   chosen by [`ConfigFormat::detect`] (`.json` → JSON, `.yaml`/`.yml` →
//!   YAML, otherwise JSON when the text starts with `{`, else YAML).
//! * [`FakeLatticeBuilder::from_yaml_str`], [`FakeLatticeBuilder::from_json_str`]
//!   and [`FakeLatticeBuilder::from_config_str`] parse text.
//! * [`FakeLattice::from_config_file`] loads and [builds](FakeLatticeBuilder::build)
//!   in one step.
//!
//! Loading checks the file's shape only: unknown fields are errors, so a
//! misspelt key cannot silently change the model. The message names the field
//! and its place (`services[0].listeners[0]: unknown field `prot`, expected
//! one of … at line 12 column 9`; JSON errors give the line and column). The
//! model is validated as a whole by [`FakeLatticeBuilder::build`]. Every error
//! is a [`FakeError::Config`] carrying the file name (`<string>` for text).
//!
//! # Schema
//!
//! API shapes (`CreateServiceNetwork`, `CreateService`,
//! `CreateListener`, `CreateRule`, `CreateTargetGroup`, `PutAuthPolicy`):
//!
//! ```yaml
//! serviceNetworks:                 # CreateServiceNetwork
//!   - name: shop                   # required
//!     authType: AWS_IAM            # NONE (default) | AWS_IAM
//!     authPolicy: {...}            # IAM JSON: an object, or a string holding it
//!     fake: {...}                  # see below
//! services:                        # CreateService
//!   - name: orders                 # required
//!     customDomainName: orders.example.internal
//!     authType: NONE               # NONE (default) | AWS_IAM
//!     authPolicy: {...}
//!     listeners:                   # CreateListener
//!       - name: orders-http        # default `<protocol>-<port>`, lower case
//!         protocol: HTTP           # HTTP | HTTPS (required)
//!         port: 80                 # default 80 (HTTP) / 443 (HTTPS)
//!         defaultAction:           # {forward: …} | {fixedResponse: …}; fixed 404 when absent
//!           forward: {targetGroups: [{targetGroupIdentifier: orders-tg, weight: 100}]}
//!         rules:                   # CreateRule (without listener/service ids and tags)
//!           - name: v2
//!             priority: 10
//!             match: {httpMatch: {method: GET,
//!                                 pathMatch: {match: {prefix: /v2}, caseSensitive: false},
//!                                 headerMatches: [{name: x-v, match: {exact: "2"}, caseSensitive: false}]}}
//!             action: {fixedResponse: {statusCode: 404}}
//!     fake: {...}
//! targetGroups:                    # CreateTargetGroup
//!   - name: orders-tg              # required
//!     type: INSTANCE               # INSTANCE | IP | ALB | LAMBDA (required)
//!     config:
//!       protocolVersion: HTTP1     # HTTP1 (default) | HTTP2 | GRPC
//!       lambdaEventStructureVersion: V2   # V1 | V2, LAMBDA groups only
//!       port: 8080                 # accepted and ignored: the fake's target decides
//!       protocol: HTTP             # accepted and ignored (HTTP | HTTPS | TCP)
//!       ipAddressType: IPV4        # accepted and ignored (IPV4 | IPV6)
//!       vpcIdentifier: vpc-...     # accepted and ignored
//!       healthCheck: {...}         # accepted and ignored (the fake has no health checks)
//!     fake: {...}
//! ```
//!
//! A `targetGroupIdentifier` may be the group's name, its id or its ARN.
//!
//! Fake-only fields, all optional:
//!
//! ```yaml
//! serviceNetworks:
//!   - fake:
//!       id: sn-0123456789abcdef0   # explicit id; derived from the name otherwise
//!       services: [orders]         # associated services (by name)
//!       allServices: false         # associate every service
//! services:
//!   - fake:
//!       id: svc-0123456789abcdef0
//!       serviceNetworks: [shop]    # the same association, written on the service
//! targetGroups:
//!   - fake:
//!       id: tg-0123456789abcdef0
//!       target: echo               # the built-in echo target, or:
//!       # target: {upstream: "127.0.0.1:8080"}   # an HTTP server on loopback
//!       faults:                    # optional injected failures (fractions of requests)
//!         latencyMs: 50            # added before every call
//!         refuse: 0.01             # 500, TargetConnectionError
//!         dropConnection: 0.01     # 502, TargetConnectionClosed
//!         hang: 0.01               # 504 after the target timeout, TargetDataTimeout
//!         error: {status: 503, fraction: 0.05}   # answered by the target
//! fake:
//!   region: us-west-2              # default us-west-2
//!   account: "111122223333"        # default 111122223333
//!   dnsLabel: 7d67968              # label of generated names; derived from the account
//!   seed: 1                        # weighted routing and request ids
//!   signatureWindowSeconds: 300    # allowed x-amz-date distance
//!   clockOffsetSeconds: 0          # the fake's clock: + ahead, - behind
//!   accessLogCapacity: 10000       # records the handle keeps
//!   timeouts: {idleSeconds: 60, lifetimeSeconds: 600, targetSeconds: 60}
//!   limits: {rulesPerListener: 10, listenersPerService: 2, targetGroupsPerService: 10,
//!            targetsPerTargetGroup: 1000, serviceAssociationsPerNetwork: 500,
//!            authPolicyBytes: 10240}
//!   principals:
//!     - accessKeyId: AKIDEXAMPLE   # required
//!       secretAccessKey: ...       # required
//!       sessionToken: ...          # the caller must send it (temporary credentials)
//!       arn: arn:aws:sts::111122223333:assumed-role/orders-client/s1   # required
//!       orgId: o-a1b2c3d4e5
//!       orgPath: o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/
//!       sessionName: s1
//!       tags: {team: payments}
//!       identityPolicies: [...]    # IAM JSON each; absent: allow Invoke on *; []: none
//!   clients:
//!     - vpcId: vpc-0a1b2c3d4e5f60718   # required
//!       ownerAccount: "111122223333"   # default: the fake's account
//!       serviceNetwork: shop           # default: the first network
//!       sourceIp: 127.0.0.2            # connections from this address; a client
//!                                      # without one is the default client (at most one)
//! ```
//!
//! # Documented choices
//!
//! * **Associations** may be written on the network (`fake.services`), on
//!   the service (`fake.serviceNetworks`) or both. Without any
//!   `serviceNetworks` every service sits in a network `default` with auth
//!   type `NONE` (as with the builder). A network without associations serves
//!   nothing (a warning is logged for services in no network).
//! * **`authPolicy` with `authType: NONE`** (or without `authType`) is an
//!   error: Lattice would keep the policy inactive, which in a test fixture is
//!   nearly always a forgotten `authType: AWS_IAM`.
//! * **`AWS_IAM` without `authPolicy`** denies everything, as in Lattice.
//! * **Policies written as YAML** are converted to JSON as written: quote
//!   `"*"` (YAML aliases start with `*`), `"2012-10-17"` and account ids
//!   (a leading zero would be lost). Numbers and booleans in conditions are
//!   accepted as IAM accepts them.
//! * **`LAMBDA` target groups** take `fake: {target: echo}`: a function
//!   that answers with the event it received, in the structure version of
//!   `config.lambdaEventStructureVersion` (default `V1`, the API's default).
//!   Functions written in Rust are given in code
//!   ([`LambdaFunction::service`](super::LambdaFunction::service)).
//! * **Target-group `config` fields** the fake has no use for (`port`,
//!   `protocol`, `ipAddressType`, `vpcIdentifier`, `healthCheck`) are
//!   accepted, so `CreateTargetGroup` input pastes as it is, and ignored.
//! * **YAML merge keys** (`<<`) are not supported (they would be unknown
//!   fields); anchors and aliases are.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::error::FakeError;
use super::model::{
    Auth, Client, FakeLatticeBuilder, Listener, ListenerProtocol, Principal, ProtocolVersion,
    Service, ServiceNetwork, Target, TargetGroup, Timeouts,
};
use super::routing::{Limits, Rule, RuleAction};
use super::server::FakeLattice;

/// The `path` of [`FakeError::Config`] for configs parsed from a string.
pub const STRING_SOURCE: &str = "<string>";

/// The format of a config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigFormat {
    /// YAML (a JSON document is also valid YAML). Enums use the API's
    /// single-key maps (`{prefix: /x}`), not YAML tags.
    Yaml,
    /// JSON.
    Json,
}

impl ConfigFormat {
    /// The format of `text` read from `path`: `.json` → JSON, `.yaml` or
    /// `.yml` → YAML (case-insensitive); any other name → JSON when the first
    /// character that is not whitespace (or a byte-order mark) is `{`, else
    /// YAML.
    pub fn detect(path: &Path, text: &str) -> Self {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => ConfigFormat::Json,
            Some("yaml" | "yml") => ConfigFormat::Yaml,
            _ if text
                .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
                .starts_with('{') =>
            {
                ConfigFormat::Json
            }
            _ => ConfigFormat::Yaml,
        }
    }
}

impl fmt::Display for ConfigFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigFormat::Yaml => "YAML",
            ConfigFormat::Json => "JSON",
        })
    }
}

impl FakeLatticeBuilder {
    /// A builder holding the model described by the config file at `path`
    /// (YAML or JSON, see [`ConfigFormat::detect`]); see the
    /// [module docs](super::config) for the schema.
    ///
    /// # Errors
    ///
    /// [`FakeError::Config`] when the file cannot be read, does not parse,
    /// has an unknown field or a value of the wrong shape, or refers to a
    /// service network that is not defined. The model itself is validated
    /// by [`build`](Self::build).
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self, FakeError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| FakeError::Config {
            path: origin.clone(),
            message: format!("cannot read it: {e}"),
        })?;
        from_text(&text, ConfigFormat::detect(path, &text), &origin)
    }

    /// A builder from config text in `format`.
    ///
    /// # Errors
    ///
    /// As [`from_config_file`](Self::from_config_file), with the path
    /// [`STRING_SOURCE`].
    pub fn from_config_str(text: &str, format: ConfigFormat) -> Result<Self, FakeError> {
        from_text(text, format, STRING_SOURCE)
    }

    /// A builder from YAML config text.
    ///
    /// # Errors
    ///
    /// As [`from_config_str`](Self::from_config_str).
    pub fn from_yaml_str(text: &str) -> Result<Self, FakeError> {
        Self::from_config_str(text, ConfigFormat::Yaml)
    }

    /// A builder from JSON config text.
    ///
    /// # Errors
    ///
    /// As [`from_config_str`](Self::from_config_str).
    pub fn from_json_str(text: &str) -> Result<Self, FakeError> {
        Self::from_config_str(text, ConfigFormat::Json)
    }
}

impl FakeLattice {
    /// Loads the config file at `path` and [builds](FakeLatticeBuilder::build)
    /// it: [`FakeLatticeBuilder::from_config_file`] then `build()`.
    ///
    /// # Errors
    ///
    /// [`FakeError::Config`] for the file, any other [`FakeError`] from
    /// [`FakeLatticeBuilder::build`].
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Self, FakeError> {
        FakeLatticeBuilder::from_config_file(path)?.build()
    }
}

fn from_text(
    text: &str,
    format: ConfigFormat,
    origin: &str,
) -> Result<FakeLatticeBuilder, FakeError> {
    let config_error = |message: String| FakeError::Config {
        path: origin.to_owned(),
        message,
    };
    let file: ConfigFile = match format {
        // serde_norway reads externally tagged enums from YAML tags
        // (`!prefix /x`); the API's shapes are single-key maps
        // (`{prefix: /x}`, `{forward: …}`), which this adapter reads.
        ConfigFormat::Yaml => serde_norway::with::singleton_map_recursive::deserialize(
            serde_norway::Deserializer::from_str(text),
        )
        .map_err(|e| config_error(e.to_string()))?,
        ConfigFormat::Json => {
            serde_json::from_str(text).map_err(|e| config_error(e.to_string()))?
        }
    };
    file.into_builder().map_err(|e| match e {
        Conversion::Config(message) => config_error(message),
        Conversion::Model(e) => e,
    })
}

// ---------------------------------------------------------------------------
// The file's shape
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    service_networks: Vec<NetworkSpec>,
    #[serde(default)]
    services: Vec<ServiceSpec>,
    #[serde(default)]
    target_groups: Vec<TargetGroupSpec>,
    #[serde(default)]
    fake: FakeSettings,
}

/// `NONE` or `AWS_IAM`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
enum AuthType {
    #[default]
    #[serde(rename = "NONE")]
    None,
    #[serde(rename = "AWS_IAM")]
    AwsIam,
}

/// An IAM policy document as JSON text: written as a string holding the
/// JSON, or as a YAML/JSON object (re-serialized to JSON).
struct PolicyDocument(String);

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
struct NetworkSpec {
    name: String,
    #[serde(default)]
    auth_type: Option<AuthType>,
    #[serde(default)]
    auth_policy: Option<PolicyDocument>,
    #[serde(default)]
    fake: NetworkFake,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NetworkFake {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    all_services: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ServiceSpec {
    name: String,
    #[serde(default)]
    custom_domain_name: Option<String>,
    #[serde(default)]
    auth_type: Option<AuthType>,
    #[serde(default)]
    auth_policy: Option<PolicyDocument>,
    #[serde(default)]
    listeners: Vec<ListenerSpec>,
    #[serde(default)]
    fake: ServiceFake,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ServiceFake {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    service_networks: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListenerSpec {
    #[serde(default)]
    name: Option<String>,
    protocol: ListenerProtocol,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    default_action: Option<RuleAction>,
    #[serde(default)]
    rules: Vec<Rule>,
}

/// A target group's `type`. `LAMBDA` is recognised and rejected with a
/// message saying why (at its place in the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
enum TargetGroupType {
    Instance,
    Ip,
    Alb,
    Lambda,
}

impl TargetGroupType {
    fn as_str(self) -> &'static str {
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
enum LambdaEventVersion {
    V1,
    V2,
}

/// A target group's `config.protocol` (accepted, not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum TargetProtocol {
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTPS")]
    Https,
    #[serde(rename = "TCP")]
    Tcp,
}

/// A target group's `config.ipAddressType` (accepted, not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum IpAddressType {
    #[serde(rename = "IPV4")]
    V4,
    #[serde(rename = "IPV6")]
    V6,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetGroupSpec {
    name: String,
    #[serde(rename = "type")]
    kind: TargetGroupType,
    #[serde(default)]
    config: TargetGroupConfig,
    #[serde(default)]
    fake: TargetGroupFake,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetGroupConfig {
    #[serde(default)]
    protocol_version: Option<ProtocolVersion>,
    #[serde(default)]
    lambda_event_structure_version: Option<LambdaEventVersion>,
    // Accepted so `CreateTargetGroup` input pastes; the fake's target decides.
    #[serde(default)]
    #[allow(dead_code)]
    port: Option<u16>,
    #[serde(default)]
    #[allow(dead_code)]
    protocol: Option<TargetProtocol>,
    #[serde(default)]
    #[allow(dead_code)]
    ip_address_type: Option<IpAddressType>,
    #[serde(default)]
    #[allow(dead_code)]
    vpc_identifier: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    health_check: Option<serde_json::Value>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TargetGroupFake {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    target: Option<TargetSpec>,
    #[serde(default)]
    faults: Option<FaultsSpec>,
}

/// `fake.faults` of a target group (see [`Faults`](super::Faults)).
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultsSpec {
    #[serde(default)]
    latency_ms: Option<u64>,
    #[serde(default)]
    refuse: Option<f64>,
    #[serde(default)]
    drop_connection: Option<f64>,
    #[serde(default)]
    hang: Option<f64>,
    #[serde(default)]
    error: Option<ErrorFaultSpec>,
}

/// `fake.faults.error`: `{status: 503, fraction: 0.1}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ErrorFaultSpec {
    status: u16,
    fraction: f64,
}

/// `echo` or `{upstream: "127.0.0.1:8080"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
enum TargetSpec {
    Echo,
    Upstream(SocketAddr),
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FakeSettings {
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    dns_label: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    signature_window_seconds: Option<f64>,
    #[serde(default)]
    clock_offset_seconds: Option<f64>,
    #[serde(default)]
    access_log_capacity: Option<usize>,
    #[serde(default)]
    timeouts: TimeoutsSpec,
    #[serde(default)]
    limits: LimitsSpec,
    #[serde(default)]
    principals: Vec<PrincipalSpec>,
    #[serde(default)]
    clients: Vec<ClientSpec>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TimeoutsSpec {
    #[serde(default)]
    idle_seconds: Option<f64>,
    #[serde(default)]
    lifetime_seconds: Option<f64>,
    #[serde(default)]
    target_seconds: Option<f64>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LimitsSpec {
    #[serde(default)]
    rules_per_listener: Option<usize>,
    #[serde(default)]
    listeners_per_service: Option<usize>,
    #[serde(default)]
    target_groups_per_service: Option<usize>,
    #[serde(default)]
    targets_per_target_group: Option<usize>,
    #[serde(default)]
    service_associations_per_network: Option<usize>,
    #[serde(default)]
    auth_policy_bytes: Option<usize>,
}

/// Holds a secret key: no `Debug`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PrincipalSpec {
    access_key_id: String,
    secret_access_key: String,
    #[serde(default)]
    session_token: Option<String>,
    arn: String,
    #[serde(default)]
    org_id: Option<String>,
    #[serde(default)]
    org_path: Option<String>,
    #[serde(default)]
    session_name: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    identity_policies: Option<Vec<PolicyDocument>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClientSpec {
    vpc_id: String,
    #[serde(default)]
    owner_account: Option<String>,
    #[serde(default)]
    service_network: Option<String>,
    #[serde(default)]
    source_ip: Option<IpAddr>,
}

// ---------------------------------------------------------------------------
// File → builder
// ---------------------------------------------------------------------------

/// Why the conversion failed: a file problem (becomes [`FakeError::Config`])
/// or a model error already typed.
enum Conversion {
    Config(String),
    Model(FakeError),
}

fn auth(
    owner: &str,
    auth_type: Option<AuthType>,
    policy: Option<PolicyDocument>,
) -> Result<Auth, Conversion> {
    match (auth_type.unwrap_or_default(), policy) {
        (AuthType::None, None) => Ok(Auth::None),
        (AuthType::None, Some(_)) => Err(Conversion::Config(format!(
            "{owner} has an `authPolicy` but its `authType` is {}; set `authType: AWS_IAM` \
             (with `NONE`, Lattice keeps the policy inactive)",
            if auth_type.is_some() {
                "NONE"
            } else {
                "not set (NONE)"
            }
        ))),
        (AuthType::AwsIam, policy) => Ok(Auth::AwsIam(policy.map(|p| p.0))),
    }
}

fn seconds(field: &str, value: f64) -> Result<Duration, Conversion> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        Conversion::Config(format!(
            "`fake.{field}` is {value}; use a number of seconds, 0 or more"
        ))
    })
}

impl ConfigFile {
    #[allow(clippy::too_many_lines)]
    fn into_builder(self) -> Result<FakeLatticeBuilder, Conversion> {
        let settings = self.fake;
        let mut b = FakeLatticeBuilder::new();
        let region = settings.region.clone();
        if let Some(region) = settings.region {
            b = b.region(region);
        }
        if let Some(account) = settings.account {
            b = b.account(account);
        }
        if let Some(label) = settings.dns_label {
            b = b.dns_label(label);
        }
        if let Some(seed) = settings.seed {
            b = b.seed(seed);
        }
        if let Some(window) = settings.signature_window_seconds {
            b = b.signature_window(seconds("signatureWindowSeconds", window)?);
        }
        if let Some(offset) = settings.clock_offset_seconds {
            let magnitude = seconds("clockOffsetSeconds", offset.abs())?;
            b = if offset < 0.0 {
                b.clock_behind(magnitude)
            } else {
                b.clock_ahead(magnitude)
            };
        }
        if let Some(capacity) = settings.access_log_capacity {
            b = b.access_log_capacity(capacity);
        }
        let t = settings.timeouts;
        let mut timeouts = Timeouts::default();
        if let Some(idle) = t.idle_seconds {
            timeouts.idle = seconds("timeouts.idleSeconds", idle)?;
        }
        if let Some(lifetime) = t.lifetime_seconds {
            timeouts.lifetime = seconds("timeouts.lifetimeSeconds", lifetime)?;
        }
        if let Some(target) = t.target_seconds {
            timeouts.target = seconds("timeouts.targetSeconds", target)?;
        }
        b = b.timeouts(timeouts);

        let l = settings.limits;
        let mut limits = Limits::for_region(region.as_deref().unwrap_or(super::DEFAULT_REGION));
        if let Some(n) = l.rules_per_listener {
            limits = limits.rules_per_listener(n);
        }
        if let Some(n) = l.listeners_per_service {
            limits = limits.listeners_per_service(n);
        }
        if let Some(n) = l.target_groups_per_service {
            limits = limits.target_groups_per_service(n);
        }
        if let Some(n) = l.targets_per_target_group {
            limits = limits.targets_per_target_group(n);
        }
        if let Some(n) = l.service_associations_per_network {
            limits = limits.service_associations_per_network(n);
        }
        if let Some(n) = l.auth_policy_bytes {
            limits = limits.auth_policy_bytes(n);
        }
        b = b.limits(limits);

        // Service networks, with the associations written on either side.
        let mut networks = Vec::with_capacity(self.service_networks.len());
        for spec in self.service_networks {
            let owner = format!("service network `{}`", spec.name);
            let mut network = ServiceNetwork::new(spec.name).auth(auth(
                &owner,
                spec.auth_type,
                spec.auth_policy,
            )?);
            if let Some(id) = spec.fake.id {
                network = network.id(id);
            }
            for service in spec.fake.services {
                network = network.service(service);
            }
            if spec.fake.all_services {
                network = network.all_services();
            }
            networks.push(network);
        }
        for spec in &self.services {
            for name in &spec.fake.service_networks {
                let Some(network) = networks.iter_mut().find(|n| &n.name == name) else {
                    return Err(Conversion::Model(FakeError::UnknownReference {
                        from: format!("service `{}` (`fake.serviceNetworks`)", spec.name),
                        kind: "service network",
                        name: name.clone(),
                    }));
                };
                if !network.services.contains(&spec.name) {
                    network.services.push(spec.name.clone());
                }
            }
        }
        if !networks.is_empty() {
            for spec in &self.services {
                let associated = networks
                    .iter()
                    .any(|n| n.all_services || n.services.contains(&spec.name));
                if !associated {
                    tracing::warn!(
                        service = %spec.name,
                        "service is in no service network: requests to it get 404; \
                         add it to a network's `fake.services` or its own `fake.serviceNetworks`"
                    );
                }
            }
        }
        for network in networks {
            b = b.service_network(network);
        }

        // Services and listeners.
        for spec in self.services {
            let owner = format!("service `{}`", spec.name);
            let mut service =
                Service::new(spec.name).auth(auth(&owner, spec.auth_type, spec.auth_policy)?);
            if let Some(id) = spec.fake.id {
                service = service.id(id);
            }
            if let Some(domain) = spec.custom_domain_name {
                service = service.custom_domain(domain);
            }
            for l in spec.listeners {
                let port = l.port.unwrap_or_else(|| l.protocol.default_port());
                let mut listener = Listener::new(l.protocol, port);
                if let Some(name) = l.name {
                    listener = listener.name(name);
                }
                for rule in l.rules {
                    listener = listener.rule(rule);
                }
                if let Some(action) = l.default_action {
                    listener = listener.default_action(action);
                }
                service = service.listener(listener);
            }
            b = b.service(service);
        }

        // Target groups.
        for spec in self.target_groups {
            let lambda = spec.kind == TargetGroupType::Lambda;
            if let (Some(version), false) = (spec.config.lambda_event_structure_version, lambda) {
                return Err(Conversion::Config(format!(
                    "target group `{}`: `config.lambdaEventStructureVersion` ({version:?}) is \
                     only valid for type LAMBDA, not {}",
                    spec.name,
                    spec.kind.as_str()
                )));
            }
            let target = match (spec.fake.target, lambda) {
                (Some(TargetSpec::Echo), false) => Target::Echo,
                (Some(TargetSpec::Upstream(addr)), false) => Target::upstream(addr),
                (Some(TargetSpec::Echo), true) => {
                    // The API's default structure version is V1.
                    let version = match spec.config.lambda_event_structure_version {
                        Some(LambdaEventVersion::V2) => lattice_client::lambda::EventVersion::V2,
                        _ => lattice_client::lambda::EventVersion::V1,
                    };
                    Target::Lambda(super::LambdaFunction::echo(), version)
                }
                (Some(TargetSpec::Upstream(_)), true) => {
                    return Err(Conversion::Config(format!(
                        "target group `{}` (type LAMBDA): an upstream is not a Lambda function; \
                         use `fake: {{target: echo}}` (a function answering with the event it \
                         received) or build the fake in code with `LambdaFunction::service`",
                        spec.name
                    )));
                }
                (None, _) => {
                    return Err(Conversion::Config(format!(
                        "target group `{}` (type {}) has no target: add `fake: {{target: echo}}` \
                         (the built-in echo) or `fake: {{target: {{upstream: \"127.0.0.1:PORT\"}}}}`",
                        spec.name,
                        spec.kind.as_str()
                    )));
                }
            };
            let mut group = TargetGroup::new(spec.name, target);
            if let Some(id) = spec.fake.id {
                group = group.id(id);
            }
            if let Some(f) = spec.fake.faults {
                let mut faults = super::Faults::none()
                    .latency(std::time::Duration::from_millis(f.latency_ms.unwrap_or(0)))
                    .refuse(f.refuse.unwrap_or(0.0))
                    .drop_connection(f.drop_connection.unwrap_or(0.0))
                    .hang(f.hang.unwrap_or(0.0));
                if let Some(e) = f.error {
                    faults = faults.error(e.status, e.fraction);
                }
                group = group.faults(faults);
            }
            if let Some(version) = spec.config.protocol_version {
                group = group.protocol_version(version);
            }
            b = b.target_group(group);
        }

        // Principals.
        for spec in settings.principals {
            let mut p = Principal::new(spec.access_key_id, spec.secret_access_key, spec.arn);
            if let Some(token) = spec.session_token {
                p = p.session_token(token);
            }
            if let Some(org) = spec.org_id {
                p = p.org_id(org);
            }
            if let Some(path) = spec.org_path {
                p = p.org_path(path);
            }
            if let Some(name) = spec.session_name {
                p = p.session_name(name);
            }
            for (k, v) in spec.tags {
                p = p.tag(k, v);
            }
            match spec.identity_policies {
                None => {}
                Some(list) if list.is_empty() => p = p.no_identity_policy(),
                Some(list) => {
                    for policy in list {
                        p = p.identity_policy(policy.0);
                    }
                }
            }
            b = b.principal(p);
        }

        // Clients: the one without a source address is the default.
        let mut default_seen: Option<String> = None;
        for spec in settings.clients {
            let mut client = Client::new(spec.vpc_id);
            if let Some(account) = spec.owner_account {
                client = client.owner_account(account);
            }
            if let Some(network) = spec.service_network {
                client = client.network(network);
            }
            match spec.source_ip {
                Some(ip) => b = b.client(client.source_ip(ip)),
                None => {
                    if let Some(first) = default_seen.replace(client.vpc_id.clone()) {
                        return Err(Conversion::Config(format!(
                            "clients `{first}` and `{}` both have no `sourceIp`; only the \
                             default client may omit it",
                            client.vpc_id
                        )));
                    }
                    b = b.default_client(client);
                }
            }
        }
        Ok(b)
    }
}
