//! The ARNs of Lattice resources (services, service networks, target groups,
//! listeners, rules) and of EC2 VPCs.

use super::generic::{Fields, arn_type, is_partition};
use super::id::is_account;
use super::{
    Arn, ArnError, ArnKind, ArnProblem, IdKind, ListenerId, RuleId, ServiceId, ServiceNetworkId,
    TargetGroupId, VpcId,
};
use crate::text::{excerpt, is_region};

/// Partition, service, region (required) and 12-digit account of a regional ARN.
fn check_regional(
    f: &Fields<'_>,
    service: &'static str,
    quoted: &'static str,
) -> Result<(), ArnProblem> {
    if !is_partition(f.partition) {
        return Err(ArnProblem::Partition(excerpt(f.partition)));
    }
    if f.service != service {
        return Err(ArnProblem::WrongService {
            found: excerpt(f.service),
            expected: quoted,
        });
    }
    if f.region.is_empty() {
        return Err(ArnProblem::MissingRegion);
    }
    if !is_region(f.region) {
        return Err(ArnProblem::Region(excerpt(f.region)));
    }
    if !is_account(f.account) {
        return Err(ArnProblem::Account(excerpt(f.account)));
    }
    Ok(())
}

fn check_lattice(f: &Fields<'_>) -> Result<(), ArnProblem> {
    check_regional(f, "vpc-lattice", "`vpc-lattice`")
}

/// Splits `resource` at `/` into exactly `N` segments.
pub(super) fn segments<const N: usize>(resource: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut it = resource.split('/');
    for slot in &mut out {
        *slot = it.next()?;
    }
    if it.next().is_some() {
        return None;
    }
    Some(out)
}

fn wrong_resource(f: &Fields<'_>, kind: ArnKind) -> ArnProblem {
    ArnProblem::Resource {
        found: excerpt(f.resource),
        expected: kind.resource_form(),
    }
}

fn id_in<T>(
    parse: fn(&str) -> Result<T, ArnError>,
    kind: IdKind,
    s: &str,
) -> Result<T, ArnProblem> {
    parse(s).map_err(|_| ArnProblem::Id {
        kind,
        found: excerpt(s),
    })
}

fn check_service(f: &Fields<'_>) -> Result<ServiceId, ArnProblem> {
    check_lattice(f)?;
    match segments::<2>(f.resource) {
        Some(["service", id]) => id_in(ServiceId::parse, IdKind::Service, id),
        _ => Err(wrong_resource(f, ArnKind::Service)),
    }
}

fn check_service_network(f: &Fields<'_>) -> Result<ServiceNetworkId, ArnProblem> {
    check_lattice(f)?;
    match segments::<2>(f.resource) {
        Some(["servicenetwork", id]) => id_in(ServiceNetworkId::parse, IdKind::ServiceNetwork, id),
        _ => Err(wrong_resource(f, ArnKind::ServiceNetwork)),
    }
}

fn check_target_group(f: &Fields<'_>) -> Result<TargetGroupId, ArnProblem> {
    check_lattice(f)?;
    match segments::<2>(f.resource) {
        Some(["targetgroup", id]) => id_in(TargetGroupId::parse, IdKind::TargetGroup, id),
        _ => Err(wrong_resource(f, ArnKind::TargetGroup)),
    }
}

fn check_listener(f: &Fields<'_>) -> Result<(ServiceId, ListenerId), ArnProblem> {
    check_lattice(f)?;
    match segments::<4>(f.resource) {
        Some(["service", svc, "listener", lis]) => Ok((
            id_in(ServiceId::parse, IdKind::Service, svc)?,
            id_in(ListenerId::parse, IdKind::Listener, lis)?,
        )),
        _ => Err(wrong_resource(f, ArnKind::Listener)),
    }
}

fn check_rule(f: &Fields<'_>) -> Result<(ServiceId, ListenerId, RuleId), ArnProblem> {
    check_lattice(f)?;
    match segments::<6>(f.resource) {
        Some(["service", svc, "listener", lis, "rule", rule]) => Ok((
            id_in(ServiceId::parse, IdKind::Service, svc)?,
            id_in(ListenerId::parse, IdKind::Listener, lis)?,
            id_in(RuleId::parse, IdKind::Rule, rule)?,
        )),
        _ => Err(wrong_resource(f, ArnKind::Rule)),
    }
}

fn check_vpc(f: &Fields<'_>) -> Result<VpcId, ArnProblem> {
    check_regional(f, "ec2", "`ec2`")?;
    match segments::<2>(f.resource) {
        Some(["vpc", id]) => id_in(VpcId::parse, IdKind::Vpc, id),
        _ => Err(wrong_resource(f, ArnKind::Vpc)),
    }
}

/// A regional ARN whose resource is `RESOURCE/ID`: the struct, what
/// [`arn_type!`] writes, `from_parts` and `id`.
macro_rules! id_arn {
    (
        $(#[$meta:meta])*
        $name:ident($id:ident) => $kind:ident, $check:path, $what:literal, $service:literal, $resource:literal
    ) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name {
            arn: Arn,
            parts: $id,
        }

        arn_type!($name, $kind, $check; region);

        impl $name {
            #[doc = concat!("Builds the ARN of ", $what, " `id` in `partition`, `region` and `account`.")]
            ///
            /// # Errors
            ///
            /// [`ArnError::Arn`] when the partition, region or account is invalid.
            pub fn from_parts(
                partition: &str,
                region: &str,
                account: &str,
                id: $id,
            ) -> Result<Self, ArnError> {
                Self::parse(&format!(
                    concat!("arn:{}:", $service, ":{}:{}:", $resource, "/{}"),
                    partition, region, account, id
                ))
            }

            #[doc = concat!("The ", $what, " id.")]
            pub fn id(&self) -> &$id {
                &self.parts
            }
        }
    };
}

id_arn! {
    /// The ARN of a Lattice service:
    /// `arn:PARTITION:vpc-lattice:REGION:ACCOUNT:service/svc-…`.
    ///
    /// ```
    /// use lattice_client::arn::{ServiceArn, ServiceId};
    ///
    /// let id: ServiceId = "svc-0123456789abcdef0".parse()?;
    /// let arn = ServiceArn::from_parts("aws", "us-west-2", "111122223333", id)?;
    /// assert_eq!(
    ///     arn.to_string(),
    ///     "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
    /// );
    /// assert_eq!(arn.invoke_resource("/"), format!("{arn}/"));
    /// assert_eq!(arn.invoke_resource("/pkg.Svc/Method"), format!("{arn}/pkg.Svc/Method"));
    /// assert!("arn:aws:ec2:us-west-2:111122223333:service/svc-0123456789abcdef0"
    ///     .parse::<ServiceArn>()
    ///     .is_err());
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    ServiceArn(ServiceId) => Service, check_service, "service", "vpc-lattice", "service"
}

impl ServiceArn {
    /// The resource an auth policy evaluates for a request to `path`: this
    /// ARN immediately followed by the path, without its query (`?…`) or
    /// fragment (`#…`).
    ///
    /// A path that does not start with `/` (including the empty path) gets one,
    /// so `""` and `"/"` both give `…/svc-…/`. For gRPC pass the RPC path,
    /// `/package.Service/Method`. The path is used as given: no percent
    /// decoding or normalisation (what Lattice does with `%`-escapes here is
    /// assumed; see docs/assumptions.md).
    pub fn invoke_resource(&self, path: &str) -> String {
        let end = path.find(['?', '#']).unwrap_or(path.len());
        let path = path.get(..end).unwrap_or("");
        let mut out = String::with_capacity(self.as_str().len() + 1 + path.len());
        out.push_str(self.as_str());
        if !path.starts_with('/') {
            out.push('/');
        }
        out.push_str(path);
        out
    }
}

id_arn! {
    /// The ARN of a Lattice service network:
    /// `arn:PARTITION:vpc-lattice:REGION:ACCOUNT:servicenetwork/sn-…`.
    ///
    /// ```
    /// # use lattice_client::arn::ServiceNetworkArn;
    /// let arn: ServiceNetworkArn =
    ///     "arn:aws:vpc-lattice:us-east-2:123456789012:servicenetwork/sn-0bf3f2882e9cc805a".parse()?;
    /// assert_eq!(arn.id().as_str(), "sn-0bf3f2882e9cc805a");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    ServiceNetworkArn(ServiceNetworkId) => ServiceNetwork, check_service_network, "service network", "vpc-lattice", "servicenetwork"
}

id_arn! {
    /// The ARN of a Lattice target group:
    /// `arn:PARTITION:vpc-lattice:REGION:ACCOUNT:targetgroup/tg-…`.
    ///
    /// ```
    /// # use lattice_client::arn::TargetGroupArn;
    /// let arn: TargetGroupArn =
    ///     "arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-06d0ecf831eec9f09".parse()?;
    /// assert_eq!(arn.id().as_str(), "tg-06d0ecf831eec9f09");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    TargetGroupArn(TargetGroupId) => TargetGroup, check_target_group, "target group", "vpc-lattice", "targetgroup"
}

/// The ARN of a listener of a Lattice service:
/// `arn:PARTITION:vpc-lattice:REGION:ACCOUNT:service/svc-…/listener/listener-…`.
///
/// ```
/// # use lattice_client::arn::{ListenerArn, ServiceArn};
/// let arn: ListenerArn = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0".parse()?;
/// assert_eq!(arn.service_id().as_str(), "svc-0123456789abcdef0");
/// assert_eq!(arn.id().as_str(), "listener-0123456789abcdef0");
/// assert_eq!(ListenerArn::from_parts(&arn.service_arn(), arn.id().clone()), arn);
/// # Ok::<(), lattice_client::arn::ArnError>(())
/// ```
#[derive(Clone)]
pub struct ListenerArn {
    arn: Arn,
    parts: (ServiceId, ListenerId),
}

arn_type!(ListenerArn, Listener, check_listener; region);

impl ListenerArn {
    /// Builds the ARN of listener `id` of `service`.
    pub fn from_parts(service: &ServiceArn, id: ListenerId) -> Self {
        Self {
            arn: service.arn.child("listener", id.as_str()),
            parts: (service.id().clone(), id),
        }
    }

    /// The id of the service this listener belongs to.
    pub fn service_id(&self) -> &ServiceId {
        &self.parts.0
    }

    /// The listener id.
    pub fn id(&self) -> &ListenerId {
        &self.parts.1
    }

    /// The ARN of the service this listener belongs to.
    pub fn service_arn(&self) -> ServiceArn {
        service_arn_of(&self.arn, self.service_id())
    }
}

/// The ARN of a listener rule:
/// `…:service/svc-…/listener/listener-…/rule/rule-…`.
///
/// ```
/// # use lattice_client::arn::RuleArn;
/// let arn: RuleArn = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0".parse()?;
/// assert_eq!(arn.id().as_str(), "rule-0123456789abcdef0");
/// assert_eq!(arn.listener_id().as_str(), "listener-0123456789abcdef0");
/// # Ok::<(), lattice_client::arn::ArnError>(())
/// ```
#[derive(Clone)]
pub struct RuleArn {
    arn: Arn,
    parts: (ServiceId, ListenerId, RuleId),
}

arn_type!(RuleArn, Rule, check_rule; region);

impl RuleArn {
    /// Builds the ARN of rule `id` of `listener`.
    pub fn from_parts(listener: &ListenerArn, id: RuleId) -> Self {
        Self {
            arn: listener.arn.child("rule", id.as_str()),
            parts: (listener.service_id().clone(), listener.id().clone(), id),
        }
    }

    /// The id of the service the rule belongs to.
    pub fn service_id(&self) -> &ServiceId {
        &self.parts.0
    }

    /// The id of the listener the rule belongs to.
    pub fn listener_id(&self) -> &ListenerId {
        &self.parts.1
    }

    /// The rule id.
    pub fn id(&self) -> &RuleId {
        &self.parts.2
    }

    /// The ARN of the service the rule belongs to.
    pub fn service_arn(&self) -> ServiceArn {
        service_arn_of(&self.arn, self.service_id())
    }

    /// The ARN of the listener the rule belongs to.
    pub fn listener_arn(&self) -> ListenerArn {
        ListenerArn::from_parts(&self.service_arn(), self.listener_id().clone())
    }
}

fn service_arn_of(arn: &Arn, id: &ServiceId) -> ServiceArn {
    let f = arn.fields();
    ServiceArn {
        arn: Arn {
            text: format!(
                "arn:{}:{}:{}:{}:service/{}",
                f.partition, f.service, f.region, f.account, id
            ),
            colons: arn.colons,
        },
        parts: id.clone(),
    }
}

id_arn! {
    /// The ARN of an EC2 VPC: `arn:PARTITION:ec2:REGION:ACCOUNT:vpc/vpc-…`, as in
    /// the `SourceVpcArn` Lattice reports for a caller.
    ///
    /// ```
    /// # use lattice_client::arn::VpcArn;
    /// let arn: VpcArn = "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339".parse()?;
    /// assert_eq!(arn.id().as_str(), "vpc-0b8276c84697e7339");
    /// assert_eq!(arn.account(), "123456789012");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    VpcArn(VpcId) => Vpc, check_vpc, "VPC", "ec2", "vpc"
}
