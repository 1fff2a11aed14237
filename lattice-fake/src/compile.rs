//! Validation of the model and its compiled, immutable form.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{FakeError, ObjectKind};
use crate::limits::Limits;
use crate::model::{
    Auth, Client, FakeLatticeBuilder, Listener, ListenerProtocol, MAX_TIMEOUT, ParsedAuth,
    Principal, ProtocolVersion, Service, ServiceNetwork, Target, TargetGroup, Timeouts,
    parse_identity_policies,
};
use crate::routing::{RouteTable, RuleAction};
use lattice_client::arn::{
    AccountId, ArnError, PrincipalArn, ServiceId, ServiceNetworkId, TargetGroupId, VpcId,
};
use lattice_client::name::{LatticeName, is_region, validate_custom_domain, validate_service_name};
use lattice_client::policy::{AuthConfig, AuthPolicy, IdentityPolicy};

#[derive(Debug)]
pub(crate) struct CNetwork {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) auth: ParsedAuth,
}

#[derive(Debug)]
pub(crate) struct CListener {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) protocol: ListenerProtocol,
    pub(crate) port: u16,
    pub(crate) table: RouteTable,
    /// Target-group identifier as written in the rules → target-group index.
    pub(crate) target_groups: HashMap<String, usize>,
}

#[derive(Debug)]
pub(crate) struct CService {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) arn: String,
    pub(crate) dns_name: String,
    pub(crate) custom_domain: Option<String>,
    pub(crate) auth: ParsedAuth,
    pub(crate) listeners: Vec<CListener>,
    /// Networks the service is associated with.
    pub(crate) networks: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct CTargetGroup {
    pub(crate) name: String,
    pub(crate) arn: String,
    pub(crate) protocol_version: ProtocolVersion,
    pub(crate) target: Target,
    pub(crate) faults: super::model::Faults,
}

#[derive(Debug)]
pub(crate) struct CPrincipal {
    pub(crate) spec: Principal,
    pub(crate) session_name: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct CClient {
    pub(crate) vpc_id: String,
    pub(crate) vpc_arn: String,
    pub(crate) owner_account: String,
    pub(crate) network: Option<usize>,
    pub(crate) source_ip: Option<IpAddr>,
}

/// The condition keys some policy of a `(service, network)` pair tests
/// (lower-cased), so that a request's context holds only those.
#[derive(Debug, Default, Clone)]
pub(crate) struct NeededKeys {
    names: Vec<String>,
}

impl NeededKeys {
    pub(crate) const EMPTY: NeededKeys = NeededKeys { names: Vec::new() };

    fn add(&mut self, key: &str) {
        if !self.names.iter().any(|n| n == key) {
            self.names.push(key.to_owned());
        }
    }

    /// Whether `key` (any case) is tested.
    pub(crate) fn wants(&self, key: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(key))
    }

    /// The suffixes of the tested keys that start with `prefix` (lower-cased).
    pub(crate) fn suffixes<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.names.iter().filter_map(move |n| {
            n.get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .and_then(|_| n.get(prefix.len()..))
        })
    }
}

/// The validated model.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) region: String,
    pub(crate) account: String,
    pub(crate) networks: Vec<CNetwork>,
    pub(crate) services: Vec<CService>,
    /// Lower-case generated name or custom domain → service index.
    pub(crate) hosts: HashMap<String, usize>,
    pub(crate) target_groups: Vec<CTargetGroup>,
    pub(crate) principals: Vec<CPrincipal>,
    pub(crate) clients: Vec<CClient>,
    pub(crate) default_client: CClient,
    /// The auth types and policies as built; the running fake keeps a
    /// copy the admin API can replace.
    pub(crate) auth: AuthTables,
    /// Each principal's identity policies (principal index order).
    pub(crate) identity: Vec<Vec<IdentityPolicy>>,
    /// The auth-policy size quota.
    pub(crate) auth_policy_bytes: usize,
    pub(crate) timeouts: Timeouts,
    pub(crate) signature_window: Duration,
    pub(crate) clock_offset: (bool, Duration),
    pub(crate) seed: u64,
    pub(crate) access_log_capacity: usize,
    pub(crate) max_connections_per_listener: usize,
    pub(crate) serving: crate::model::Serving,
}

/// `prefix` + 17 hex digits derived from `parts` (stable across runs).
pub(crate) fn derived_id(prefix: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hex::encode(hasher.finalize());
    format!(
        "{prefix}{}",
        digest.get(..17).unwrap_or("00000000000000000")
    )
}

/// An explicit id checked with `parse`, or one derived from `parts`.
fn id_or_derived<T>(
    explicit: Option<String>,
    parse: impl Fn(&str) -> Result<T, ArnError>,
    kind: ObjectKind,
    name: &str,
    prefix: &str,
    parts: &[&str],
) -> Result<String, FakeError> {
    match explicit {
        Some(id) => {
            parse(&id).map_err(|source| FakeError::InvalidId {
                kind,
                name: name.to_owned(),
                source,
            })?;
            Ok(id)
        }
        None => Ok(derived_id(prefix, parts)),
    }
}

fn check_simple_name(
    kind: ObjectKind,
    name: &str,
    min: usize,
    max: usize,
) -> Result<(), FakeError> {
    let reason = if !(min..=max).contains(&name.len()) {
        Some(format!("use {min}-{max} characters"))
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("use lower-case letters, digits and hyphens".to_owned())
    } else if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        Some("no leading, trailing or double hyphen".to_owned())
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(FakeError::InvalidName {
            kind,
            name: name.to_owned(),
            reason,
        }),
    }
}

pub(crate) fn parse_auth(auth: &Auth, owner: &str, limit: usize) -> Result<ParsedAuth, FakeError> {
    match auth {
        Auth::None => Ok(ParsedAuth::None),
        Auth::AwsIam(None) => Ok(ParsedAuth::AwsIam(None)),
        Auth::AwsIam(Some(json)) => {
            if json.len() > limit {
                return Err(FakeError::PolicyTooLarge {
                    owner: owner.to_owned(),
                    size: json.len(),
                    limit,
                });
            }
            let policy = AuthPolicy::from_json(json).map_err(|source| FakeError::Policy {
                owner: owner.to_owned(),
                source: Box::new(source),
            })?;
            Ok(ParsedAuth::AwsIam(Some(policy)))
        }
    }
}

impl FakeLatticeBuilder {
    /// Validates the model as Lattice validates the API calls that would
    /// create it, and returns a fake ready to [`start`](super::FakeLattice::start).
    ///
    /// # Errors
    ///
    /// The first [`FakeError`] found: names, ids, references, duplicate
    /// names/domains/ports, rule validation ([`super::routing::RoutingError`]),
    /// policy syntax, quotas ([`crate::limits::Limits`]).
    pub fn build(self) -> Result<super::FakeLattice, FakeError> {
        compile(self).map(super::FakeLattice::from_compiled)
    }
}

/// The region, account and DNS label every name and ARN is made of.
struct Place {
    region: String,
    account: String,
    dns_label: String,
}

impl Place {
    fn arn(&self, resource: &str) -> String {
        format!(
            "arn:aws:vpc-lattice:{}:{}:{resource}",
            self.region, self.account
        )
    }
}

/// `(service, network)` → auth configs: index 0 anonymous, `i + 1` principal `i`.
type AuthConfigs = HashMap<(usize, usize), Vec<AuthConfig>>;

/// Target groups by name, id and ARN → index.
type TargetGroupRefs = HashMap<String, usize>;

/// Validates the model section by section: where it lives, target groups,
/// services and their listeners, networks, principals, clients, then the
/// auth configuration of every (service, network) pair.
fn compile(b: FakeLatticeBuilder) -> Result<Compiled, FakeError> {
    let place = place(b.region, b.account, b.dns_label)?;
    check_timeouts(&b.timeouts)?;
    if b.max_connections_per_listener == 0 {
        return Err(FakeError::Invalid(
            "`max_connections_per_listener` is 0; a listener needs at least 1 connection"
                .to_owned(),
        ));
    }
    let limits = b.limits;
    let (target_groups, tg_refs) = target_groups(b.target_groups, &place)?;
    let mut services = services(b.services, &place, &target_groups, &tg_refs, &limits)?;
    let (networks, network_by_name) = networks(b.networks, &mut services, &place, &limits)?;
    let (principals, identity) = principals(b.principals)?;
    let client = |c| client(c, &place, &network_by_name, networks.is_empty());
    let clients = b
        .clients
        .into_iter()
        .map(client)
        .collect::<Result<Vec<_>, _>>()?;
    let default_client = client(b.default_client)?;
    let auth = AuthTables::build(
        &services,
        services.iter().map(|s| s.auth.clone()).collect(),
        networks.iter().map(|n| n.auth.clone()).collect(),
        &identity,
    );
    let hosts = hosts(&services)?;
    Ok(Compiled {
        region: place.region,
        account: place.account,
        networks,
        services,
        hosts,
        target_groups,
        principals,
        clients,
        default_client,
        auth,
        identity,
        auth_policy_bytes: limits.auth_policy_bytes,
        timeouts: b.timeouts,
        signature_window: b.signature_window,
        clock_offset: b.clock_offset,
        seed: b.seed,
        access_log_capacity: b.access_log_capacity,
        max_connections_per_listener: b.max_connections_per_listener,
        serving: b.serving,
    })
}

/// Every timeout at most [`MAX_TIMEOUT`], so no deadline overflows.
fn check_timeouts(t: &Timeouts) -> Result<(), FakeError> {
    for (field, value) in [
        ("idle", t.idle),
        ("lifetime", t.lifetime),
        ("target", t.target),
        ("body_read", t.body_read),
        ("close_grace", t.close_grace),
        ("handshake", t.handshake),
    ] {
        if value > MAX_TIMEOUT {
            return Err(FakeError::InvalidTimeout { field, value });
        }
    }
    Ok(())
}

/// The region, the account and the DNS label (derived from the account
/// when unset).
fn place(region: String, account: String, dns_label: Option<String>) -> Result<Place, FakeError> {
    if !is_region(&region) {
        return Err(FakeError::InvalidRegion(region));
    }
    if let Err(source) = AccountId::parse(&account) {
        return Err(FakeError::InvalidAccount { account, source });
    }
    let dns_label = match dns_label {
        Some(label) => {
            if label.len() != 7
                || !label
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            {
                return Err(FakeError::InvalidDnsLabel(label));
            }
            label
        }
        None => derived_id("", &["dns-label", &account])
            .get(..7)
            .unwrap_or("7d67968")
            .to_owned(),
    };
    Ok(Place {
        region,
        account,
        dns_label,
    })
}

/// Target groups: names, ids, loopback upstreams and fault fractions.
fn target_groups(
    specs: Vec<TargetGroup>,
    place: &Place,
) -> Result<(Vec<CTargetGroup>, TargetGroupRefs), FakeError> {
    let mut target_groups = Vec::with_capacity(specs.len());
    let mut tg_by_ref = TargetGroupRefs::new();
    for tg in specs {
        if tg.name.is_empty()
            || tg.name.len() > 128
            || !tg
                .name
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
        {
            return Err(FakeError::InvalidName {
                kind: ObjectKind::TargetGroup,
                name: tg.name,
                reason: "use 1-128 letters, digits and hyphens".to_owned(),
            });
        }
        let id = id_or_derived(
            tg.id,
            TargetGroupId::parse,
            ObjectKind::TargetGroup,
            &tg.name,
            "tg-",
            &["tg", &place.account, &tg.name],
        )?;
        tg.target.check_upstream(&tg.name)?;
        let f = &tg.faults;
        let fractions = [f.refuse, f.drop_connection, f.hang, f.error];
        if fractions.iter().any(|x| !(0.0..=1.0).contains(x)) || fractions.iter().sum::<f64>() > 1.0
        {
            return Err(FakeError::Invalid(format!(
                "target group `{}`: fault fractions must each be in 0..=1 and sum to at most 1",
                tg.name
            )));
        }
        let arn = place.arn(&format!("targetgroup/{id}"));
        let index = target_groups.len();
        for key in [tg.name.clone(), id, arn.clone()] {
            if tg_by_ref.insert(key.clone(), index).is_some() {
                return Err(FakeError::Duplicate {
                    kind: ObjectKind::TargetGroup,
                    value: key,
                    what: "target group names and ids",
                });
            }
        }
        target_groups.push(CTargetGroup {
            name: tg.name,
            arn,
            protocol_version: tg.protocol_version,
            target: tg.target,
            faults: tg.faults,
        });
    }
    Ok((target_groups, tg_by_ref))
}

/// Services: names, ids, generated names, custom domains, auth and
/// listeners. A target group serves one service.
fn services(
    specs: Vec<Service>,
    place: &Place,
    target_groups: &[CTargetGroup],
    tg_refs: &TargetGroupRefs,
    limits: &Limits,
) -> Result<Vec<CService>, FakeError> {
    let mut services: Vec<CService> = Vec::with_capacity(specs.len());
    let mut tg_owner: HashMap<usize, usize> = HashMap::new();
    for svc in specs {
        if services.iter().any(|s| s.name == svc.name) {
            return Err(FakeError::Duplicate {
                kind: ObjectKind::Service,
                value: svc.name,
                what: "service names",
            });
        }
        let compiled = service(svc, place, tg_refs, limits)?;
        let index = services.len();
        for &tg_index in compiled
            .listeners
            .iter()
            .flat_map(|l| l.target_groups.values())
        {
            match tg_owner.get(&tg_index) {
                Some(&owner) if owner != index => {
                    let first = services
                        .get(owner)
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                    return Err(FakeError::TargetGroupShared {
                        target_group: target_groups
                            .get(tg_index)
                            .map(|t| t.name.clone())
                            .unwrap_or_default(),
                        first,
                        second: compiled.name,
                    });
                }
                _ => {
                    tg_owner.insert(tg_index, index);
                }
            }
        }
        services.push(compiled);
    }
    Ok(services)
}

/// One service: its name, id, generated name, custom domain, auth policy
/// and listeners.
fn service(
    svc: Service,
    place: &Place,
    tg_refs: &TargetGroupRefs,
    limits: &Limits,
) -> Result<CService, FakeError> {
    validate_service_name(&svc.name).map_err(|source| FakeError::ServiceName {
        service: svc.name.clone(),
        source: Box::new(source),
    })?;
    if svc.name.starts_with("svc-") {
        return Err(FakeError::InvalidName {
            kind: ObjectKind::Service,
            name: svc.name,
            reason: "must not start with `svc-`".to_owned(),
        });
    }
    let id = id_or_derived(
        svc.id,
        ServiceId::parse,
        ObjectKind::Service,
        &svc.name,
        "svc-",
        &["svc", &place.account, &svc.name],
    )?;
    let service_id = ServiceId::parse(&id).map_err(|source| FakeError::InvalidId {
        kind: ObjectKind::Service,
        name: svc.name.clone(),
        source,
    })?;
    let dns_name = LatticeName::from_parts(&svc.name, &service_id, &place.dns_label, &place.region)
        .map_err(|source| FakeError::ServiceName {
            service: svc.name.clone(),
            source: Box::new(source),
        })?
        .into_string();
    let arn = place.arn(&format!("service/{id}"));
    let custom_domain = match svc.custom_domain_name {
        Some(domain) => {
            validate_custom_domain(&domain).map_err(|source| FakeError::InvalidCustomDomain {
                service: svc.name.clone(),
                source: Box::new(source),
            })?;
            Some(domain.trim_end_matches('.').to_ascii_lowercase())
        }
        None => None,
    };
    let auth = parse_auth(
        &svc.auth,
        &format!("service `{}` auth policy", svc.name),
        limits.auth_policy_bytes,
    )?;
    if svc.listeners.len() > limits.listeners_per_service {
        return Err(FakeError::TooManyListeners {
            service: svc.name,
            count: svc.listeners.len(),
            limit: limits.listeners_per_service,
        });
    }
    let mut listeners: Vec<CListener> = Vec::with_capacity(svc.listeners.len());
    for spec in svc.listeners {
        let compiled = listener(spec, &svc.name, &id, &listeners, tg_refs, limits)?;
        listeners.push(compiled);
    }
    Ok(CService {
        name: svc.name,
        id,
        arn,
        dns_name,
        custom_domain,
        auth,
        listeners,
        networks: Vec::new(),
    })
}

/// One listener of `service`: its name and port (unique in the service),
/// the target groups its rules name, and its route table.
fn listener(
    listener: Listener,
    service: &str,
    service_id: &str,
    siblings: &[CListener],
    tg_refs: &TargetGroupRefs,
    limits: &Limits,
) -> Result<CListener, FakeError> {
    let lname = listener.effective_name();
    check_simple_name(ObjectKind::Listener, &lname, 3, 63)?;
    if listener.port == 0 {
        return Err(FakeError::InvalidPort {
            service: service.to_owned(),
            listener: lname,
        });
    }
    if siblings.iter().any(|l| l.port == listener.port) {
        return Err(FakeError::Duplicate {
            kind: ObjectKind::ListenerPort,
            value: format!("{service}:{}", listener.port),
            what: "listener ports of a service",
        });
    }
    if siblings.iter().any(|l| l.name == lname) {
        return Err(FakeError::Duplicate {
            kind: ObjectKind::Listener,
            value: format!("{service}/{lname}"),
            what: "listener names of a service",
        });
    }
    // Every target group named by the rules must exist.
    let default_action = listener
        .default_action
        .unwrap_or_else(|| RuleAction::fixed_response(404));
    let mut tg_map = HashMap::new();
    for action in listener
        .rules
        .iter()
        .map(|r| &r.action)
        .chain(std::iter::once(&default_action))
    {
        let RuleAction::Forward(forward) = action else {
            continue;
        };
        for wtg in &forward.target_groups {
            let tg_ref = &wtg.target_group_identifier;
            let Some(&tg_index) = tg_refs.get(tg_ref) else {
                return Err(FakeError::UnknownReference {
                    from: format!("service `{service}` listener `{lname}`"),
                    kind: ObjectKind::TargetGroup,
                    name: tg_ref.clone(),
                });
            };
            tg_map.insert(tg_ref.clone(), tg_index);
        }
    }
    let table = RouteTable::build(listener.rules, default_action, limits).map_err(|source| {
        FakeError::Routing {
            service: service.to_owned(),
            listener: lname.clone(),
            source: Box::new(source),
        }
    })?;
    Ok(CListener {
        id: derived_id("listener-", &["listener", service_id, &lname]),
        name: lname,
        protocol: listener.protocol,
        port: listener.port,
        table,
        target_groups: tg_map,
    })
}

/// Every generated name and custom domain → its service; a name serves
/// one service.
fn hosts(services: &[CService]) -> Result<HashMap<String, usize>, FakeError> {
    let mut hosts = HashMap::new();
    for (index, svc) in services.iter().enumerate() {
        for host in std::iter::once(svc.dns_name.clone())
            .chain(svc.custom_domain.clone())
            .chain(std::iter::once(svc.local_name()))
        {
            if hosts.insert(host.clone(), index).is_some() {
                return Err(FakeError::Duplicate {
                    kind: ObjectKind::CustomDomain,
                    value: host.clone(),
                    what: "service names and custom domains",
                });
            }
        }
    }
    Ok(hosts)
}

impl CService {
    /// `<service name>.localhost`: a name every client resolves to loopback.
    pub(crate) fn local_name(&self) -> String {
        format!("{}.localhost", self.name)
    }
}

/// Service networks (a `default` one holding every service when none is
/// given): names, ids, associations and auth.
fn networks(
    specs: Vec<ServiceNetwork>,
    services: &mut [CService],
    place: &Place,
    limits: &Limits,
) -> Result<(Vec<CNetwork>, HashMap<String, usize>), FakeError> {
    let mut specs = specs;
    if specs.is_empty() {
        specs.push(ServiceNetwork::new("default").all_services());
    }
    let mut networks = Vec::with_capacity(specs.len());
    let mut network_by_name: HashMap<String, usize> = HashMap::new();
    for net in specs {
        check_simple_name(ObjectKind::ServiceNetwork, &net.name, 3, 63)?;
        let index = networks.len();
        if network_by_name.insert(net.name.clone(), index).is_some() {
            return Err(FakeError::Duplicate {
                kind: ObjectKind::ServiceNetwork,
                value: net.name,
                what: "service network names",
            });
        }
        let id = id_or_derived(
            net.id.clone(),
            ServiceNetworkId::parse,
            ObjectKind::ServiceNetwork,
            &net.name,
            "sn-",
            &["sn", &place.account, &net.name],
        )?;
        let members = members(&net, services)?;
        if members.len() > limits.service_associations_per_network {
            return Err(FakeError::TooManyAssociations {
                network: net.name,
                count: members.len(),
                limit: limits.service_associations_per_network,
            });
        }
        for s in members {
            if let Some(svc) = services.get_mut(s) {
                svc.networks.push(index);
            }
        }
        let auth = parse_auth(
            &net.auth,
            &format!("service network `{}` auth policy", net.name),
            limits.auth_policy_bytes,
        )?;
        networks.push(CNetwork {
            arn: place.arn(&format!("servicenetwork/{id}")),
            name: net.name,
            auth,
        });
    }
    Ok((networks, network_by_name))
}

/// The indexes of the services associated with `net`.
fn members(net: &ServiceNetwork, services: &[CService]) -> Result<Vec<usize>, FakeError> {
    if net.all_services {
        return Ok((0..services.len()).collect());
    }
    let mut members = Vec::new();
    for name in &net.services {
        let Some(s) = services.iter().position(|svc| &svc.name == name) else {
            return Err(FakeError::UnknownReference {
                from: format!("service network `{}`", net.name),
                kind: ObjectKind::Service,
                name: name.clone(),
            });
        };
        if !members.contains(&s) {
            members.push(s);
        }
    }
    Ok(members)
}

/// Principals, and the identity policies of each.
fn principals(
    specs: Vec<Principal>,
) -> Result<(Vec<CPrincipal>, Vec<Vec<IdentityPolicy>>), FakeError> {
    let mut principals = Vec::with_capacity(specs.len());
    let mut identity = Vec::with_capacity(specs.len());
    let mut keys: HashSet<String> = HashSet::new();
    for p in specs {
        if p.access_key_id.is_empty() || p.secret_access_key.is_empty() {
            return Err(FakeError::Invalid(format!(
                "principal `{}`: access key id and secret access key must not be empty",
                p.arn
            )));
        }
        if !keys.insert(p.access_key_id.clone()) {
            return Err(FakeError::Duplicate {
                kind: ObjectKind::AccessKey,
                value: p.access_key_id,
                what: "access key ids",
            });
        }
        let parsed = PrincipalArn::parse(&p.arn).map_err(|source| FakeError::InvalidPrincipal {
            access_key_id: p.access_key_id.clone(),
            source,
        })?;
        let policies = parse_identity_policies(&p).map_err(|source| FakeError::Policy {
            owner: format!("principal `{}` identity policy", p.access_key_id),
            source: Box::new(source),
        })?;
        identity.push(policies);
        let session_name = p
            .session_name
            .clone()
            .or_else(|| parsed.session().map(str::to_owned));
        p.check_identity_headers(session_name.as_deref())?;
        principals.push(CPrincipal {
            session_name,
            spec: p,
        });
    }
    Ok((principals, identity))
}

/// A client VPC: its id, owner and network (the first one by default).
fn client(
    c: Client,
    place: &Place,
    network_by_name: &HashMap<String, usize>,
    no_networks: bool,
) -> Result<CClient, FakeError> {
    VpcId::parse(&c.vpc_id).map_err(|source| FakeError::InvalidClientVpc { source })?;
    let network = match &c.network {
        Some(name) => {
            Some(
                *network_by_name
                    .get(name)
                    .ok_or_else(|| FakeError::UnknownReference {
                        from: format!("client `{}`", c.vpc_id),
                        kind: ObjectKind::ServiceNetwork,
                        name: name.clone(),
                    })?,
            )
        }
        None => (!no_networks).then_some(0),
    };
    let owner_account = c.owner_account.unwrap_or_else(|| place.account.clone());
    Ok(CClient {
        vpc_arn: format!(
            "arn:aws:ec2:{}:{owner_account}:vpc/{}",
            place.region, c.vpc_id
        ),
        vpc_id: c.vpc_id,
        owner_account,
        network,
        source_ip: c.source_ip,
    })
}

/// Auth types and policies of every service and network, and what they
/// make of each (service, network) pair.
#[derive(Debug, Clone)]
pub(crate) struct AuthTables {
    /// Service index → its auth type and policy.
    pub(crate) services: Vec<ParsedAuth>,
    /// Network index → its auth type and policy.
    pub(crate) networks: Vec<ParsedAuth>,
    /// `(service, network)` → auth configs: index 0 anonymous, `i + 1` principal `i`.
    pub(crate) configs: AuthConfigs,
    /// `(service, network)` → the condition keys its policies test.
    pub(crate) needed_keys: HashMap<(usize, usize), NeededKeys>,
}

impl AuthTables {
    /// Auth configs per (service, network), anonymous first, then one per
    /// principal; and the condition keys their policies test.
    pub(crate) fn build(
        members: &[CService],
        services: Vec<ParsedAuth>,
        networks: Vec<ParsedAuth>,
        identity: &[Vec<IdentityPolicy>],
    ) -> Self {
        let mut configs = HashMap::new();
        let mut needed_keys = HashMap::new();
        for (s, svc) in members.iter().enumerate() {
            let Some(svc_auth) = services.get(s) else {
                continue;
            };
            for &n in &svc.networks {
                let Some(net_auth) = networks.get(n) else {
                    continue;
                };
                let base = AuthConfig::new()
                    .network(net_auth.to_policy_auth())
                    .service(svc_auth.to_policy_auth());
                let mut list = Vec::with_capacity(identity.len() + 1);
                list.push(base.clone());
                for policies in identity {
                    list.push(base.clone().identity_policies(policies.iter().cloned()));
                }
                let mut needed = NeededKeys::default();
                for layer in [net_auth, svc_auth] {
                    if let ParsedAuth::AwsIam(Some(policy)) = layer {
                        policy
                            .condition_keys()
                            .into_iter()
                            .for_each(|k| needed.add(k));
                    }
                }
                for policy in identity.iter().flatten() {
                    policy
                        .condition_keys()
                        .into_iter()
                        .for_each(|k| needed.add(k));
                }
                needed_keys.insert((s, n), needed);
                configs.insert((s, n), list);
            }
        }
        AuthTables {
            services,
            networks,
            configs,
            needed_keys,
        }
    }
}
