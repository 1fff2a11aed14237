//! File → builder: one function per section of the file.

use std::time::Duration;

use super::file::{
    AuthType, ClientSpec, ConfigFile, FakeSettings, FaultsSpec, LambdaEventVersion, LimitsSpec,
    ListenerSpec, NetworkSpec, PolicyDocument, PrincipalSpec, ServiceSpec, TargetGroupSpec,
    TargetGroupType, TargetSpec, TimeoutsSpec,
};
use crate::error::{FakeError, ObjectKind};
use crate::limits::Limits;
use crate::model::{
    Auth, Client, FakeLatticeBuilder, Faults, LambdaFunction, Listener, Principal, Service,
    ServiceNetwork, Target, TargetGroup, Timeouts,
};

/// Why the conversion failed: a file problem (becomes [`FakeError::Config`])
/// or a model error already typed.
pub(super) enum Conversion {
    Config(String),
    Model(FakeError),
}

impl ConfigFile {
    pub(super) fn into_builder(self) -> Result<FakeLatticeBuilder, Conversion> {
        let ConfigFile {
            service_networks,
            services,
            target_groups,
            fake: settings,
        } = self;
        let region = settings.region.clone();
        let mut b = fake_settings(FakeLatticeBuilder::new(), &settings)?;
        b = b.timeouts(timeouts(&settings.timeouts)?);
        b = b.limits(limits(region.as_deref(), &settings.limits));
        for network in networks(service_networks, &services)? {
            b = b.service_network(network);
        }
        for spec in services {
            b = b.service(service(spec)?);
        }
        for spec in target_groups {
            b = b.target_group(target_group(spec)?);
        }
        for spec in settings.principals {
            b = b.principal(principal(spec));
        }
        clients(b, settings.clients)
    }
}

/// `fake`: region, account, DNS label, seed, signature window, clock offset
/// and the access log's capacity.
fn fake_settings(
    mut b: FakeLatticeBuilder,
    settings: &FakeSettings,
) -> Result<FakeLatticeBuilder, Conversion> {
    if let Some(region) = &settings.region {
        b = b.region(region.clone());
    }
    if let Some(account) = &settings.account {
        b = b.account(account.clone());
    }
    if let Some(label) = &settings.dns_label {
        b = b.dns_label(label.clone());
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
    if let Some(max) = settings.max_connections_per_listener {
        b = b.max_connections_per_listener(max);
    }
    Ok(b)
}

/// `fake.timeouts`.
fn timeouts(t: &TimeoutsSpec) -> Result<Timeouts, Conversion> {
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
    if let Some(body_read) = t.body_read_seconds {
        timeouts.body_read = seconds("timeouts.bodyReadSeconds", body_read)?;
    }
    if let Some(grace) = t.close_grace_seconds {
        timeouts.close_grace = seconds("timeouts.closeGraceSeconds", grace)?;
    }
    if let Some(handshake) = t.handshake_seconds {
        timeouts.handshake = seconds("timeouts.handshakeSeconds", handshake)?;
    }
    Ok(timeouts)
}

/// `fake.limits`, over the region's defaults.
fn limits(region: Option<&str>, l: &LimitsSpec) -> Limits {
    let mut limits = Limits::for_region(region.unwrap_or(crate::DEFAULT_REGION));
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
    limits
}

/// `serviceNetworks`, with the associations written on either side (a
/// network's `fake.services`, a service's `fake.serviceNetworks`).
fn networks(
    specs: Vec<NetworkSpec>,
    services: &[ServiceSpec],
) -> Result<Vec<ServiceNetwork>, Conversion> {
    let mut networks = Vec::with_capacity(specs.len());
    for spec in specs {
        let owner = format!("service network `{}`", spec.name);
        let mut network =
            ServiceNetwork::new(spec.name).auth(auth(&owner, spec.auth_type, spec.auth_policy)?);
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
    for spec in services {
        for name in &spec.fake.service_networks {
            let Some(network) = networks.iter_mut().find(|n| &n.name == name) else {
                return Err(Conversion::Model(FakeError::UnknownReference {
                    from: format!("service `{}` (`fake.serviceNetworks`)", spec.name),
                    kind: ObjectKind::ServiceNetwork,
                    name: name.clone(),
                }));
            };
            if !network.services.contains(&spec.name) {
                network.services.push(spec.name.clone());
            }
        }
    }
    if !networks.is_empty() {
        for spec in services {
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
    Ok(networks)
}

/// One of `services`, with its listeners.
fn service(spec: ServiceSpec) -> Result<Service, Conversion> {
    let owner = format!("service `{}`", spec.name);
    let mut service = Service::new(spec.name).auth(auth(&owner, spec.auth_type, spec.auth_policy)?);
    if let Some(id) = spec.fake.id {
        service = service.id(id);
    }
    if let Some(domain) = spec.custom_domain_name {
        service = service.custom_domain(domain);
    }
    for l in spec.listeners {
        service = service.listener(listener(l));
    }
    Ok(service)
}

/// One of a service's `listeners`.
fn listener(l: ListenerSpec) -> Listener {
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
    listener
}

/// One of `targetGroups`.
fn target_group(spec: TargetGroupSpec) -> Result<TargetGroup, Conversion> {
    let lambda = spec.kind == TargetGroupType::Lambda;
    if let (Some(version), false) = (spec.config.lambda_event_structure_version, lambda) {
        return Err(Conversion::Config(format!(
            "target group `{}`: `config.lambdaEventStructureVersion` ({version:?}) is \
             only valid for type LAMBDA, not {}",
            spec.name,
            spec.kind.as_str()
        )));
    }
    let target = target(&spec)?;
    let mut group = TargetGroup::new(spec.name, target);
    if let Some(id) = spec.fake.id {
        group = group.id(id);
    }
    if let Some(f) = spec.fake.faults {
        group = group.faults(faults(f));
    }
    if let Some(version) = spec.config.protocol_version {
        group = group.protocol_version(version);
    }
    Ok(group)
}

/// A target group's `fake.target`, for its type.
fn target(spec: &TargetGroupSpec) -> Result<Target, Conversion> {
    let lambda = spec.kind == TargetGroupType::Lambda;
    match (&spec.fake.target, lambda) {
        (Some(TargetSpec::Echo | TargetSpec::RequestEcho), false) => Ok(Target::RequestEcho),
        (Some(TargetSpec::Upstream(upstream)), false) => Ok(upstream.0.clone()),
        (Some(TargetSpec::EventEcho), false) => Err(Conversion::Config(format!(
            "target group `{}` (type {}): `eventEcho` answers Lambda events; use \
             `fake: {{target: requestEcho}}` (or `echo`) for an HTTP target group",
            spec.name,
            spec.kind.as_str()
        ))),
        (Some(TargetSpec::RequestEcho), true) => Err(Conversion::Config(format!(
            "target group `{}` (type LAMBDA): `requestEcho` answers HTTP requests; use \
             `fake: {{target: eventEcho}}` (or `echo`) for a Lambda target group",
            spec.name
        ))),
        (Some(TargetSpec::Echo | TargetSpec::EventEcho), true) => {
            // The API's default structure version is V1.
            let version = match spec.config.lambda_event_structure_version {
                Some(LambdaEventVersion::V2) => lattice_client::lambda::EventVersion::V2,
                _ => lattice_client::lambda::EventVersion::V1,
            };
            Ok(Target::Lambda(LambdaFunction::event_echo(), version))
        }
        (Some(TargetSpec::Upstream(_)), true) => Err(Conversion::Config(format!(
            "target group `{}` (type LAMBDA): an upstream is not a Lambda function; \
             use `fake: {{target: echo}}` (a function answering with the event it \
             received) or build the fake in code with `LambdaFunction::service`",
            spec.name
        ))),
        (None, _) => Err(Conversion::Config(format!(
            "target group `{}` (type {}) has no target: add `fake: {{target: echo}}` \
             (the built-in request echo) or `fake: {{target: {{upstream: \"127.0.0.1:PORT\"}}}}`",
            spec.name,
            spec.kind.as_str()
        ))),
    }
}

/// A target group's `fake.faults`.
fn faults(f: FaultsSpec) -> Faults {
    let mut faults = Faults::none()
        .latency(Duration::from_millis(f.latency_ms.unwrap_or(0)))
        .refuse(f.refuse.unwrap_or(0.0))
        .drop_connection(f.drop_connection.unwrap_or(0.0))
        .hang(f.hang.unwrap_or(0.0));
    if let Some(e) = f.error {
        faults = faults.error(e.status, e.fraction);
    }
    faults
}

/// One of `fake.principals`.
fn principal(spec: PrincipalSpec) -> Principal {
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
    p
}

/// `fake.clients`: the one without a source address is the default.
fn clients(
    mut b: FakeLatticeBuilder,
    specs: Vec<ClientSpec>,
) -> Result<FakeLatticeBuilder, Conversion> {
    let mut default_seen: Option<String> = None;
    for spec in specs {
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
