//! Timeouts and the builder that holds the whole model.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::{
    Client, DEFAULT_CLIENT_VPC, DEFAULT_IDENTITY_POLICY, Principal, Service, ServiceNetwork,
    TargetGroup,
};
use crate::limits::Limits;
use lattice_client::policy::{AuthPolicy, IdentityPolicy};

/// Connection timeouts (Lattice's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Close a connection with no active request for this long (Lattice: 1 min).
    pub idle: Duration,
    /// Stop taking new requests on a connection this old and close it once
    /// in-flight requests finish (Lattice: 10 min).
    pub lifetime: Duration,
    /// How long a target may take to answer (its response head).
    pub target: Duration,
    /// How long a request body may send nothing before the request is
    /// answered `408` (assumed: 60 s; `docs/assumptions.md`, A62).
    pub body_read: Duration,
    /// How long a connection closed gracefully (idle timeout, lifetime,
    /// shutdown) may keep going before it is closed hard (assumed: 5 s;
    /// `docs/assumptions.md`, A62).
    pub close_grace: Duration,
    /// How long a new connection may take to send its first byte (on the
    /// gateway, which tells TLS from plaintext by it) and to finish its TLS
    /// handshake before it is closed (assumed: 10 s;
    /// `docs/assumptions.md`, A66).
    pub handshake: Duration,
}

/// The longest timeout the fake accepts (one year): longer ones are
/// refused by [`FakeLatticeBuilder::build`], since deadlines past it cannot
/// be represented on every platform.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 3600);

/// Connections a listener holds at most by default; see
/// [`FakeLatticeBuilder::max_connections_per_listener`].
pub const DEFAULT_MAX_CONNECTIONS_PER_LISTENER: usize = 10_000;

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            idle: Duration::from_secs(60),
            lifetime: Duration::from_secs(600),
            target: Duration::from_secs(60),
            body_read: Duration::from_secs(60),
            close_grace: Duration::from_secs(5),
            handshake: Duration::from_secs(10),
        }
    }
}

/// The default account of the fake.
pub const DEFAULT_ACCOUNT: &str = "111122223333";
/// The default region of the fake.
pub const DEFAULT_REGION: &str = "us-west-2";

/// Describes a fake Lattice; [`build`](Self::build) validates it.
#[derive(Debug, Clone)]
#[must_use]
pub struct FakeLatticeBuilder {
    pub(crate) region: String,
    pub(crate) account: String,
    pub(crate) dns_label: Option<String>,
    pub(crate) networks: Vec<ServiceNetwork>,
    pub(crate) services: Vec<Service>,
    pub(crate) target_groups: Vec<TargetGroup>,
    pub(crate) principals: Vec<Principal>,
    pub(crate) clients: Vec<Client>,
    pub(crate) default_client: Client,
    pub(crate) limits: Limits,
    pub(crate) timeouts: Timeouts,
    pub(crate) signature_window: Duration,
    pub(crate) clock_offset: (bool, Duration),
    pub(crate) seed: u64,
    pub(crate) access_log_capacity: usize,
    pub(crate) max_connections_per_listener: usize,
    pub(crate) serving: Serving,
}

/// Where and how the fake serves: the listen address, the gateway, and
/// whether refused signatures are explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Serving {
    /// The address every listener binds (default 127.0.0.1).
    pub(crate) bind: IpAddr,
    /// One more socket serving every service, if set.
    pub(crate) gateway: Option<SocketAddr>,
    /// Whether a `403` for a bad signature explains what the fake computed.
    pub(crate) explain: bool,
}

impl Default for Serving {
    fn default() -> Self {
        Serving {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            gateway: None,
            explain: false,
        }
    }
}

impl Default for FakeLatticeBuilder {
    fn default() -> Self {
        FakeLatticeBuilder {
            region: DEFAULT_REGION.to_owned(),
            account: DEFAULT_ACCOUNT.to_owned(),
            dns_label: None,
            networks: Vec::new(),
            services: Vec::new(),
            target_groups: Vec::new(),
            principals: Vec::new(),
            clients: Vec::new(),
            default_client: Client::new(DEFAULT_CLIENT_VPC),
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            signature_window: lattice_client::sign::verify::DEFAULT_WINDOW,
            clock_offset: (false, Duration::ZERO),
            seed: 0x5eed_1a77_1ce0_0001,
            access_log_capacity: crate::access_log::AccessLogSink::DEFAULT_CAPACITY,
            max_connections_per_listener: DEFAULT_MAX_CONNECTIONS_PER_LISTENER,
            serving: Serving::default(),
        }
    }
}

impl FakeLatticeBuilder {
    /// A builder for region `us-west-2`, account `111122223333`, nothing else.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the region (names, ARNs, the verifier's region).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Sets the account owning the networks, services and target groups.
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    /// Sets the 7-hex-digit label of generated names
    /// (`svc-name-<id>.<label>.vpc-lattice-svcs.<region>.on.aws`); derived
    /// from the account when unset.
    pub fn dns_label(mut self, label: impl Into<String>) -> Self {
        self.dns_label = Some(label.into());
        self
    }

    /// Adds a service network.
    pub fn service_network(mut self, network: ServiceNetwork) -> Self {
        self.networks.push(network);
        self
    }

    /// Adds a service.
    pub fn service(mut self, service: Service) -> Self {
        self.services.push(service);
        self
    }

    /// Adds a target group.
    pub fn target_group(mut self, target_group: TargetGroup) -> Self {
        self.target_groups.push(target_group);
        self
    }

    /// Adds a principal.
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principals.push(principal);
        self
    }

    /// Adds a client VPC selected by source address.
    pub fn client(mut self, client: Client) -> Self {
        self.clients.push(client);
        self
    }

    /// Sets the client VPC of connections no other client claims.
    pub fn default_client(mut self, client: Client) -> Self {
        self.default_client = client;
        self
    }

    /// Sets Lattice's adjustable quotas.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the connection and target timeouts.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the idle timeout of client connections.
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.timeouts.idle = idle;
        self
    }

    /// Caps the client connections of each listener (default
    /// [`DEFAULT_MAX_CONNECTIONS_PER_LISTENER`]). A full listener closes its
    /// oldest idle connection to take a new one, and refuses the new one
    /// only when every connection has a request in flight.
    pub fn max_connections_per_listener(mut self, max: usize) -> Self {
        self.max_connections_per_listener = max;
        self
    }

    /// Sets the maximum lifetime of client connections.
    pub fn connection_lifetime(mut self, lifetime: Duration) -> Self {
        self.timeouts.lifetime = lifetime;
        self
    }

    /// Sets how far a request's `x-amz-date` may be from the fake's clock
    /// (default ±5 minutes).
    pub fn signature_window(mut self, window: Duration) -> Self {
        self.signature_window = window;
        self
    }

    /// Runs the fake's clock `offset` ahead of the system clock (clock-skew
    /// tests).
    pub fn clock_ahead(mut self, offset: Duration) -> Self {
        self.clock_offset = (false, offset);
        self
    }

    /// Runs the fake's clock `offset` behind the system clock.
    pub fn clock_behind(mut self, offset: Duration) -> Self {
        self.clock_offset = (true, offset);
        self
    }

    /// Seeds the random source of weighted routing and injected faults
    /// (request ids are random UUIDs, never derived from the seed).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many access-log records the handle keeps (oldest dropped first).
    pub fn access_log_capacity(mut self, capacity: usize) -> Self {
        self.access_log_capacity = capacity;
        self
    }

    /// Also serves every service on one more socket at `addr` (port 0
    /// picks one; see [`FakeHandle::gateway`](crate::FakeHandle::gateway)).
    ///
    /// Plaintext and TLS share it: a connection whose first byte starts a
    /// TLS handshake (`0x16`) gets TLS with the fake's certificates (the
    /// server name only picks the certificate), any other is plaintext
    /// HTTP/1.1 or HTTP/2 with prior knowledge. Each request goes, by its
    /// `Host` / `:authority` (generated name, custom domain or
    /// `<service>.localhost`, any port), to its service's listener of the
    /// connection's protocol; with two such listeners, the one with the
    /// lowest modelled port (`docs/assumptions.md`, A66). A service with
    /// no listener of that protocol answers `421`. Paths under `/_fake/`
    /// are the admin API whatever the `Host`. Header limits, timeouts and
    /// the connection cap are the listeners'.
    pub fn gateway(mut self, addr: SocketAddr) -> Self {
        self.serving.gateway = Some(addr);
        self
    }

    /// The address the listeners bind (default 127.0.0.1; each gets an
    /// ephemeral port). A non-loopback address exposes the fake to the
    /// network and logs a warning (`tracing`).
    pub fn bind(mut self, ip: IpAddr) -> Self {
        self.serving.bind = ip;
        self
    }

    /// With `true`, a `403` for a signature that does not match keeps
    /// Lattice's first line and adds, below it, the canonical request the
    /// fake computed, the string to sign and the signed headers, with the
    /// session token redacted. Off by default: bodies are Lattice's.
    pub fn explain_signature_failures(mut self, explain: bool) -> Self {
        self.serving.explain = explain;
        self
    }
}

/// Parsed policies kept next to the model (so `build` reports syntax errors).
#[derive(Debug, Clone)]
pub(crate) enum ParsedAuth {
    None,
    AwsIam(Option<AuthPolicy>),
}

impl ParsedAuth {
    pub(crate) fn to_policy_auth(&self) -> lattice_client::policy::AuthType {
        match self {
            ParsedAuth::None => lattice_client::policy::AuthType::None,
            ParsedAuth::AwsIam(p) => lattice_client::policy::AuthType::AwsIam(p.clone()),
        }
    }
}

pub(crate) fn parse_identity_policies(
    principal: &Principal,
) -> Result<Vec<IdentityPolicy>, lattice_client::policy::PolicyError> {
    match &principal.identity_policies {
        None => Ok(vec![IdentityPolicy::from_json(DEFAULT_IDENTITY_POLICY)?]),
        Some(list) => list
            .iter()
            .map(|json| IdentityPolicy::from_json(json))
            .collect(),
    }
}
