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
//!       target: echo               # the built-in echo (requestEcho; eventEcho in a LAMBDA group), or:
//!       # target: {upstream: "127.0.0.1:8080"}   # an HTTP server on loopback, or
//!       # target: {upstream: "orders-api:8080"}  # HOST:PORT, resolved at each request
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
//!   maxConnectionsPerListener: 10000  # a full listener closes its oldest idle connection
//!   timeouts: {idleSeconds: 60, lifetimeSeconds: 600, targetSeconds: 60,
//!              bodyReadSeconds: 60, closeGraceSeconds: 5,
//!              handshakeSeconds: 10}   # each at most one year
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
//! * **`LAMBDA` target groups** take `fake: {target: echo}` (or
//!   `eventEcho`; `requestEcho` is for the other types): a function
//!   that answers with the event it received, in the structure version of
//!   `config.lambdaEventStructureVersion` (default `V1`, the API's default).
//!   Functions written in Rust are given in code
//!   ([`LambdaFunction::service`](super::LambdaFunction::service)).
//! * **Target-group `config` fields** the fake has no use for (`port`,
//!   `protocol`, `ipAddressType`, `vpcIdentifier`, `healthCheck`) are
//!   accepted, so `CreateTargetGroup` input pastes as it is, and ignored.
//! * **YAML merge keys** (`<<`) are not supported (they would be unknown
//!   fields); anchors and aliases are.

use std::fmt;
use std::path::Path;

mod convert;
mod file;

use crate::error::FakeError;
use crate::model::FakeLatticeBuilder;
use crate::server::FakeLattice;
use convert::Conversion;
use file::ConfigFile;

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
