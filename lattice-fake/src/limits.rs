//! Lattice's adjustable quotas, which bound the whole fake: its builder
//! (listeners per service, services per network, auth-policy size) and
//! every listener's route table (rules, target groups).

/// Lattice's adjustable quotas, with Lattice's defaults.
///
/// The routing table checks `rules_per_listener` and
/// `target_groups_per_service` (a listener cannot use more groups than its
/// service has); the other quotas are for the fake's builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Rules per listener, default rule excluded: 10 (5 in `il-central-1`).
    pub rules_per_listener: usize,
    /// Listeners per service: 2.
    pub listeners_per_service: usize,
    /// Target groups per service: 10.
    pub target_groups_per_service: usize,
    /// Targets per target group: 1,000.
    pub targets_per_target_group: usize,
    /// Service associations per service network: 500.
    pub service_associations_per_network: usize,
    /// Auth-policy size in bytes: 10 KB.
    pub auth_policy_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rules_per_listener: 10,
            listeners_per_service: 2,
            target_groups_per_service: 10,
            targets_per_target_group: 1_000,
            service_associations_per_network: 500,
            auth_policy_bytes: 10 * 1024,
        }
    }
}

impl Limits {
    /// Lattice's defaults in `region` (`il-central-1` allows 5 rules per listener).
    pub fn for_region(region: &str) -> Self {
        let mut limits = Limits::default();
        if region == "il-central-1" {
            limits.rules_per_listener = 5;
        }
        limits
    }

    /// Sets the rules-per-listener quota.
    pub fn rules_per_listener(mut self, n: usize) -> Self {
        self.rules_per_listener = n;
        self
    }

    /// Sets the listeners-per-service quota.
    pub fn listeners_per_service(mut self, n: usize) -> Self {
        self.listeners_per_service = n;
        self
    }

    /// Sets the target-groups-per-service quota.
    pub fn target_groups_per_service(mut self, n: usize) -> Self {
        self.target_groups_per_service = n;
        self
    }

    /// Sets the targets-per-target-group quota.
    pub fn targets_per_target_group(mut self, n: usize) -> Self {
        self.targets_per_target_group = n;
        self
    }

    /// Sets the service-associations-per-network quota.
    pub fn service_associations_per_network(mut self, n: usize) -> Self {
        self.service_associations_per_network = n;
        self
    }

    /// Sets the auth-policy size quota in bytes.
    pub fn auth_policy_bytes(mut self, n: usize) -> Self {
        self.auth_policy_bytes = n;
        self
    }
}
