//! Errors of the fake's builder, config file and server.
//!
//! Each message names the object at fault and what to change. Where a
//! parser of `lattice-client` (ids, ARNs, names, policies, rules) found the
//! problem, its error is the [`source`](std::error::Error::source) and is
//! not repeated in the message: print the chain (`{:#}` with `anyhow`) to
//! see both.

use std::fmt;
use std::io;

use crate::routing::RoutingError;
use lattice_client::arn::ArnError;
use lattice_client::name::NameError;
use lattice_client::policy::PolicyError;

/// The kind of object an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// A service network.
    ServiceNetwork,
    /// A service.
    Service,
    /// A target group.
    TargetGroup,
    /// A listener.
    Listener,
    /// A listener's port.
    ListenerPort,
    /// A custom domain name (or a generated service name).
    CustomDomain,
    /// A principal's access key id.
    AccessKey,
    /// A client VPC.
    Client,
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::ServiceNetwork => "service network",
            ObjectKind::Service => "service",
            ObjectKind::TargetGroup => "target group",
            ObjectKind::Listener => "listener",
            ObjectKind::ListenerPort => "listener port",
            ObjectKind::CustomDomain => "custom domain",
            ObjectKind::AccessKey => "access key",
            ObjectKind::Client => "client",
        })
    }
}

/// What [`FakeLatticeBuilder::build`](super::FakeLatticeBuilder::build),
/// [`FakeLattice::start`](super::FakeLattice::start) and the config loader
/// reject. Each message names the object at fault and what to change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeError {
    /// The region is not a region name.
    #[error("region `{0}` is not a valid AWS region name (e.g. us-west-2)")]
    InvalidRegion(String),
    /// The account is not 12 digits.
    #[error("the fake's account `{account}` is invalid")]
    InvalidAccount {
        /// The account given.
        account: String,
        /// What is wrong.
        source: ArnError,
    },
    /// The DNS label is not 7 lower-case hex digits.
    #[error("DNS label `{0}` is not 7 lower-case hexadecimal digits (e.g. 7d67968)")]
    InvalidDnsLabel(String),
    /// A name breaks Lattice's naming rules.
    #[error("{kind} name `{name}` is invalid: {reason}")]
    InvalidName {
        /// The kind of object.
        kind: ObjectKind,
        /// The name given.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A service name breaks the generated-name rules.
    #[error("service `{service}` cannot be named so")]
    ServiceName {
        /// The service.
        service: String,
        /// What is wrong.
        source: Box<NameError>,
    },
    /// An explicit id has the wrong format.
    #[error("{kind} `{name}`: its id is invalid")]
    InvalidId {
        /// The kind of object.
        kind: ObjectKind,
        /// The object's name.
        name: String,
        /// What is wrong (names the id and the expected form).
        source: ArnError,
    },
    /// Two objects of one kind share a name, id, domain, access key or port.
    #[error("{kind} `{value}` is defined twice; {what} must be unique")]
    Duplicate {
        /// The kind of object.
        kind: ObjectKind,
        /// The repeated value.
        value: String,
        /// What must be unique.
        what: &'static str,
    },
    /// A reference names nothing.
    #[error("{from} refers to {kind} `{name}`, which is not defined")]
    UnknownReference {
        /// Where the reference is.
        from: String,
        /// The kind of object referred to.
        kind: ObjectKind,
        /// The name, id or ARN used.
        name: String,
    },
    /// A custom domain name is not a valid DNS name.
    #[error("service `{service}`: its custom domain is invalid")]
    InvalidCustomDomain {
        /// The service.
        service: String,
        /// What is wrong (names the domain).
        source: Box<NameError>,
    },
    /// A client's VPC id is invalid.
    #[error("a client's VPC id is invalid")]
    InvalidClientVpc {
        /// What is wrong (names the id and the expected form).
        source: ArnError,
    },
    /// A listener has port 0.
    #[error("service `{service}`: listener `{listener}` has port 0; use 1-65535")]
    InvalidPort {
        /// The service.
        service: String,
        /// The listener.
        listener: String,
    },
    /// A service has more listeners than the quota.
    #[error(
        "service `{service}` has {count} listeners, over the quota of {limit}; raise `Limits::listeners_per_service`"
    )]
    TooManyListeners {
        /// The service.
        service: String,
        /// Listeners given.
        count: usize,
        /// The quota.
        limit: usize,
    },
    /// A network has more service associations than the quota.
    #[error(
        "service network `{network}` has {count} services, over the quota of {limit}; raise `Limits::service_associations_per_network`"
    )]
    TooManyAssociations {
        /// The network.
        network: String,
        /// Associations.
        count: usize,
        /// The quota.
        limit: usize,
    },
    /// A listener's rules or default action are invalid.
    #[error("service `{service}`, listener `{listener}`: the rules are invalid")]
    Routing {
        /// The service.
        service: String,
        /// The listener.
        listener: String,
        /// What is wrong.
        source: Box<RoutingError>,
    },
    /// A target group is used by two services (Lattice allows one).
    #[error(
        "target group `{target_group}` is used by services `{first}` and `{second}`; a target group serves one service"
    )]
    TargetGroupShared {
        /// The target group.
        target_group: String,
        /// The first service.
        first: String,
        /// The second service.
        second: String,
    },
    /// A policy does not parse or breaks IAM's grammar.
    #[error("{owner} is invalid")]
    Policy {
        /// Which policy (`service `orders` auth policy`, …).
        owner: String,
        /// What is wrong.
        source: Box<PolicyError>,
    },
    /// An auth policy is over the size quota.
    #[error(
        "{owner} is {size} bytes, over the quota of {limit}; raise `Limits::auth_policy_bytes`"
    )]
    PolicyTooLarge {
        /// Which policy.
        owner: String,
        /// Its size.
        size: usize,
        /// The quota.
        limit: usize,
    },
    /// A principal's ARN is not an IAM or STS principal ARN.
    #[error("principal `{access_key_id}`: its ARN is not an IAM or STS principal ARN")]
    InvalidPrincipal {
        /// Its access key id.
        access_key_id: String,
        /// What is wrong (names the ARN).
        source: ArnError,
    },
    /// An upstream target is not on loopback.
    #[error(
        "target group `{target_group}`: upstream {addr} is not a loopback address; the fake only talks to 127.0.0.0/8 and ::1"
    )]
    NonLoopbackUpstream {
        /// The target group.
        target_group: String,
        /// The address given.
        addr: std::net::SocketAddr,
    },
    /// A timeout is longer than [`MAX_TIMEOUT`](crate::MAX_TIMEOUT).
    #[error("timeout `{field}` is {value:?}, over the maximum of one year; use a shorter timeout")]
    InvalidTimeout {
        /// Which timeout (`idle`, `lifetime`, `target`, `body_read`, `close_grace`).
        field: &'static str,
        /// The value given.
        value: std::time::Duration,
    },
    /// A value in the model is invalid for another reason.
    #[error("{0}")]
    Invalid(String),
    /// The config file cannot be read or parsed.
    #[error("config file {path}: {message}")]
    Config {
        /// The file (or `<string>`).
        path: String,
        /// What is wrong, with the location when known.
        message: String,
    },
    /// Binding a listener socket failed.
    #[error("cannot bind a port for service `{service}` listener `{listener}`")]
    Bind {
        /// The service.
        service: String,
        /// The listener.
        listener: String,
        /// The I/O error.
        source: io::Error,
    },
    /// Binding the gateway socket failed.
    #[error("cannot bind the gateway at {addr}; pick a free port, or port 0 for any")]
    BindGateway {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The I/O error.
        source: io::Error,
    },
    /// An upstream target named by host is not `HOST:PORT` with a valid
    /// DNS name.
    #[error("target group `{target_group}`: upstream `{value}`: {reason}")]
    InvalidUpstream {
        /// The target group.
        target_group: String,
        /// The value given.
        value: String,
        /// What is wrong and what to write instead.
        reason: String,
    },
    /// Generating certificates or the TLS configuration failed.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}
