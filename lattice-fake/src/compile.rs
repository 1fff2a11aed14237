//! Validation of the model and its compiled, immutable form.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::error::FakeError;
use super::model::{
    Auth, FakeLatticeBuilder, ListenerProtocol, ParsedAuth, Principal, ProtocolVersion, Target,
    Timeouts, parse_identity_policies,
};
use super::routing::{RouteTable, RuleAction};
use lattice_client::arn::{PrincipalArn, ServiceId};
use lattice_client::name::{LatticeName, is_region, validate_service_name};
use lattice_client::policy::{AuthConfig, AuthPolicy};

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
#[derive(Debug, Default)]
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
    /// `(service, network)` → auth configs: index 0 anonymous, `i + 1` principal `i`.
    pub(crate) auth: HashMap<(usize, usize), Vec<AuthConfig>>,
    /// `(service, network)` → the condition keys its policies test.
    pub(crate) needed_keys: HashMap<(usize, usize), NeededKeys>,
    pub(crate) timeouts: Timeouts,
    pub(crate) signature_window: Duration,
    pub(crate) clock_offset: (bool, Duration),
    pub(crate) seed: u64,
    pub(crate) access_log_capacity: usize,
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

fn check_id(
    kind: &'static str,
    name: &str,
    id: &str,
    prefix: &'static str,
) -> Result<(), FakeError> {
    let ok = id.strip_prefix(prefix).is_some_and(|s| {
        s.len() == 17
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if ok {
        Ok(())
    } else {
        Err(FakeError::InvalidId {
            kind,
            name: name.to_owned(),
            id: id.to_owned(),
            prefix,
        })
    }
}

fn check_simple_name(
    kind: &'static str,
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

fn valid_domain(domain: &str) -> bool {
    let d = domain.strip_suffix('.').unwrap_or(domain);
    !d.is_empty()
        && d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn parse_auth(auth: &Auth, owner: &str, limit: usize) -> Result<ParsedAuth, FakeError> {
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
    /// policy syntax, quotas ([`super::routing::Limits`]).
    pub fn build(self) -> Result<super::FakeLattice, FakeError> {
        compile(self).map(super::FakeLattice::from_compiled)
    }
}

#[allow(clippy::too_many_lines)]
fn compile(b: FakeLatticeBuilder) -> Result<Compiled, FakeError> {
    if !is_region(&b.region) {
        return Err(FakeError::InvalidRegion(b.region));
    }
    if b.account.len() != 12 || !b.account.bytes().all(|c| c.is_ascii_digit()) {
        return Err(FakeError::InvalidAccount(b.account));
    }
    let dns_label = match b.dns_label {
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
        None => derived_id("", &["dns-label", &b.account])
            .get(..7)
            .unwrap_or("7d67968")
            .to_owned(),
    };
    let region = b.region;
    let account = b.account;
    let limit = b.limits.auth_policy_bytes;

    // Target groups.
    let mut target_groups = Vec::with_capacity(b.target_groups.len());
    let mut tg_by_ref: HashMap<String, usize> = HashMap::new();
    for tg in b.target_groups {
        if tg.name.is_empty()
            || tg.name.len() > 128
            || !tg
                .name
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
        {
            return Err(FakeError::InvalidName {
                kind: "target group",
                name: tg.name,
                reason: "use 1-128 letters, digits and hyphens".to_owned(),
            });
        }
        let id = match tg.id {
            Some(id) => {
                check_id("target group", &tg.name, &id, "tg-")?;
                id
            }
            None => derived_id("tg-", &["tg", &account, &tg.name]),
        };
        if let Target::Upstream(addr) = &tg.target
            && !addr.ip().is_loopback()
        {
            return Err(FakeError::NonLoopbackUpstream {
                target_group: tg.name,
                addr: *addr,
            });
        }
        let f = &tg.faults;
        let fractions = [f.refuse, f.drop_connection, f.hang, f.error];
        if fractions.iter().any(|x| !(0.0..=1.0).contains(x)) || fractions.iter().sum::<f64>() > 1.0
        {
            return Err(FakeError::Invalid(format!(
                "target group `{}`: fault fractions must each be in 0..=1 and sum to at most 1",
                tg.name
            )));
        }
        let arn = format!("arn:aws:vpc-lattice:{region}:{account}:targetgroup/{id}");
        let index = target_groups.len();
        for key in [tg.name.clone(), id, arn.clone()] {
            if tg_by_ref.insert(key.clone(), index).is_some() {
                return Err(FakeError::Duplicate {
                    kind: "target group",
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

    // Services.
    let mut services = Vec::with_capacity(b.services.len());
    let mut hosts: HashMap<String, usize> = HashMap::new();
    let mut service_by_name: HashMap<String, usize> = HashMap::new();
    let mut tg_owner: HashMap<usize, usize> = HashMap::new();
    for svc in b.services {
        validate_service_name(&svc.name).map_err(|source| FakeError::ServiceName {
            service: svc.name.clone(),
            source: Box::new(source),
        })?;
        if svc.name.starts_with("svc-") {
            return Err(FakeError::InvalidName {
                kind: "service",
                name: svc.name,
                reason: "must not start with `svc-`".to_owned(),
            });
        }
        let index = services.len();
        if service_by_name.insert(svc.name.clone(), index).is_some() {
            return Err(FakeError::Duplicate {
                kind: "service",
                value: svc.name,
                what: "service names",
            });
        }
        let id = match svc.id {
            Some(id) => {
                check_id("service", &svc.name, &id, "svc-")?;
                id
            }
            None => derived_id("svc-", &["svc", &account, &svc.name]),
        };
        let service_id = ServiceId::parse(&id).map_err(|e| FakeError::Invalid(e.to_string()))?;
        let dns_name = LatticeName::from_parts(&svc.name, &service_id, &dns_label, &region)
            .map_err(|source| FakeError::ServiceName {
                service: svc.name.clone(),
                source: Box::new(source),
            })?
            .into_string();
        let arn = format!("arn:aws:vpc-lattice:{region}:{account}:service/{id}");
        let custom_domain = match svc.custom_domain_name {
            Some(domain) => {
                if !valid_domain(&domain) {
                    return Err(FakeError::InvalidCustomDomain {
                        service: svc.name,
                        domain,
                    });
                }
                Some(domain.trim_end_matches('.').to_ascii_lowercase())
            }
            None => None,
        };
        for host in std::iter::once(&dns_name).chain(custom_domain.as_ref()) {
            if hosts.insert(host.clone(), index).is_some() {
                return Err(FakeError::Duplicate {
                    kind: "custom domain",
                    value: host.clone(),
                    what: "service names and custom domains",
                });
            }
        }
        let auth = parse_auth(
            &svc.auth,
            &format!("service `{}` auth policy", svc.name),
            limit,
        )?;
        if svc.listeners.len() > b.limits.listeners_per_service {
            return Err(FakeError::TooManyListeners {
                service: svc.name,
                count: svc.listeners.len(),
                limit: b.limits.listeners_per_service,
            });
        }
        let mut listeners: Vec<CListener> = Vec::with_capacity(svc.listeners.len());
        for listener in svc.listeners {
            let lname = listener.effective_name();
            check_simple_name("listener", &lname, 3, 63)?;
            if listener.port == 0 {
                return Err(FakeError::InvalidPort {
                    service: svc.name,
                    listener: lname,
                });
            }
            if listeners.iter().any(|l| l.port == listener.port) {
                return Err(FakeError::Duplicate {
                    kind: "listener port",
                    value: format!("{}:{}", svc.name, listener.port),
                    what: "listener ports of a service",
                });
            }
            if listeners.iter().any(|l| l.name == lname) {
                return Err(FakeError::Duplicate {
                    kind: "listener",
                    value: format!("{}/{lname}", svc.name),
                    what: "listener names of a service",
                });
            }
            // Every target group named by the rules must exist.
            let default_action = listener
                .default_action
                .unwrap_or_else(|| RuleAction::fixed_response(404));
            let mut names: Vec<String> = Vec::new();
            for action in listener
                .rules
                .iter()
                .map(|r| &r.action)
                .chain(std::iter::once(&default_action))
            {
                if let RuleAction::Forward(forward) = action {
                    for wtg in &forward.target_groups {
                        names.push(wtg.target_group_identifier.clone());
                    }
                }
            }
            let mut tg_map = HashMap::new();
            for tg_ref in names {
                let Some(&tg_index) = tg_by_ref.get(&tg_ref) else {
                    return Err(FakeError::UnknownReference {
                        from: format!("service `{}` listener `{lname}`", svc.name),
                        kind: "target group",
                        name: tg_ref,
                    });
                };
                match tg_owner.get(&tg_index) {
                    Some(&owner) if owner != index => {
                        let first = services
                            .get(owner)
                            .map(|s: &CService| s.name.clone())
                            .unwrap_or_default();
                        return Err(FakeError::TargetGroupShared {
                            target_group: target_groups
                                .get(tg_index)
                                .map(|t| t.name.clone())
                                .unwrap_or_default(),
                            first,
                            second: svc.name,
                        });
                    }
                    _ => {
                        tg_owner.insert(tg_index, index);
                    }
                }
                tg_map.insert(tg_ref, tg_index);
            }
            let table =
                RouteTable::build(listener.rules, default_action, &b.limits).map_err(|source| {
                    FakeError::Routing {
                        service: svc.name.clone(),
                        listener: lname.clone(),
                        source: Box::new(source),
                    }
                })?;
            let lid = derived_id("listener-", &["listener", &id, &lname]);
            listeners.push(CListener {
                name: lname,
                id: lid,
                protocol: listener.protocol,
                port: listener.port,
                table,
                target_groups: tg_map,
            });
        }
        services.push(CService {
            name: svc.name,
            id,
            arn,
            dns_name,
            custom_domain,
            auth,
            listeners,
            networks: Vec::new(),
        });
    }

    // Networks.
    let mut networks_spec = b.networks;
    if networks_spec.is_empty() {
        networks_spec.push(super::model::ServiceNetwork::new("default").all_services());
    }
    let mut networks = Vec::with_capacity(networks_spec.len());
    let mut network_by_name: HashMap<String, usize> = HashMap::new();
    for net in networks_spec {
        check_simple_name("service network", &net.name, 3, 63)?;
        let index = networks.len();
        if network_by_name.insert(net.name.clone(), index).is_some() {
            return Err(FakeError::Duplicate {
                kind: "service network",
                value: net.name,
                what: "service network names",
            });
        }
        let id = match net.id {
            Some(id) => {
                check_id("service network", &net.name, &id, "sn-")?;
                id
            }
            None => derived_id("sn-", &["sn", &account, &net.name]),
        };
        let members: Vec<usize> = if net.all_services {
            (0..services.len()).collect()
        } else {
            let mut members = Vec::new();
            for name in &net.services {
                let Some(&s) = service_by_name.get(name) else {
                    return Err(FakeError::UnknownReference {
                        from: format!("service network `{}`", net.name),
                        kind: "service",
                        name: name.clone(),
                    });
                };
                if !members.contains(&s) {
                    members.push(s);
                }
            }
            members
        };
        if members.len() > b.limits.service_associations_per_network {
            return Err(FakeError::TooManyAssociations {
                network: net.name,
                count: members.len(),
                limit: b.limits.service_associations_per_network,
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
            limit,
        )?;
        let arn = format!("arn:aws:vpc-lattice:{region}:{account}:servicenetwork/{id}");
        networks.push(CNetwork {
            name: net.name,
            arn,
            auth,
        });
    }

    // Principals.
    let mut principals = Vec::with_capacity(b.principals.len());
    let mut identity = Vec::with_capacity(b.principals.len());
    let mut keys: HashMap<String, ()> = HashMap::new();
    for p in b.principals {
        if p.access_key_id.is_empty() || p.secret_access_key.is_empty() {
            return Err(FakeError::Invalid(format!(
                "principal `{}`: access key id and secret access key must not be empty",
                p.arn
            )));
        }
        if keys.insert(p.access_key_id.clone(), ()).is_some() {
            return Err(FakeError::Duplicate {
                kind: "access key",
                value: p.access_key_id,
                what: "access key ids",
            });
        }
        let parsed = PrincipalArn::parse(&p.arn).map_err(|e| FakeError::InvalidPrincipal {
            access_key_id: p.access_key_id.clone(),
            arn: p.arn.clone(),
            reason: e.to_string(),
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
        principals.push(CPrincipal {
            session_name,
            spec: p,
        });
    }

    // Clients.
    let client =
        |c: super::model::Client| -> Result<CClient, FakeError> {
            check_id_vpc(&c.vpc_id)?;
            let network =
                match &c.network {
                    Some(name) => Some(*network_by_name.get(name).ok_or_else(|| {
                        FakeError::UnknownReference {
                            from: format!("client `{}`", c.vpc_id),
                            kind: "service network",
                            name: name.clone(),
                        }
                    })?),
                    None => (!networks.is_empty()).then_some(0),
                };
            let owner_account = c.owner_account.unwrap_or_else(|| account.clone());
            Ok(CClient {
                vpc_arn: format!("arn:aws:ec2:{region}:{owner_account}:vpc/{}", c.vpc_id),
                vpc_id: c.vpc_id,
                owner_account,
                network,
                source_ip: c.source_ip,
            })
        };
    let clients = b
        .clients
        .into_iter()
        .map(client)
        .collect::<Result<Vec<_>, _>>()?;
    let default_client = client(b.default_client)?;

    // Auth configs per (service, network): anonymous first, then principals.
    let mut auth = HashMap::new();
    let mut needed_keys = HashMap::new();
    for (s, svc) in services.iter().enumerate() {
        for &n in &svc.networks {
            let Some(net) = networks.get(n) else { continue };
            let base = AuthConfig::new()
                .network(net.auth.to_policy_auth())
                .service(svc.auth.to_policy_auth());
            let mut configs = Vec::with_capacity(principals.len() + 1);
            configs.push(base.clone());
            for policies in &identity {
                configs.push(base.clone().identity_policies(policies.iter().cloned()));
            }
            let mut needed = NeededKeys::default();
            for layer in [&net.auth, &svc.auth] {
                if let ParsedAuth::AwsIam(Some(policy)) = layer {
                    policy
                        .condition_keys()
                        .into_iter()
                        .for_each(|k| needed.add(k));
                }
            }
            for policies in &identity {
                for policy in policies {
                    policy
                        .condition_keys()
                        .into_iter()
                        .for_each(|k| needed.add(k));
                }
            }
            needed_keys.insert((s, n), needed);
            auth.insert((s, n), configs);
        }
    }

    Ok(Compiled {
        region,
        account,
        networks,
        services,
        hosts,
        target_groups,
        principals,
        clients,
        default_client,
        auth,
        needed_keys,
        timeouts: b.timeouts,
        signature_window: b.signature_window,
        clock_offset: b.clock_offset,
        seed: b.seed,
        access_log_capacity: b.access_log_capacity,
    })
}

fn check_id_vpc(vpc: &str) -> Result<(), FakeError> {
    let ok = vpc.strip_prefix("vpc-").is_some_and(|s| {
        (s.len() == 8 || s.len() == 17)
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if ok {
        Ok(())
    } else {
        Err(FakeError::Invalid(format!(
            "client VPC id `{vpc}` is invalid; use `vpc-` followed by 8 or 17 lower-case hex digits"
        )))
    }
}
