//! Which hosts the signer may sign for, and the region each one implies.

use crate::Error;

/// The region label of a generated VPC Lattice service name, if `host` is one.
///
/// Generated names look like
/// `<service-name>-<id>.<partition>.vpc-lattice-svcs.<region>.on.aws`; the match
/// is anchored at both ends and `host` must already be lower-case without a
/// trailing dot (the signer normalises it first).
pub(crate) fn generated_name_region(host: &str) -> Option<&str> {
    let rest = host.strip_suffix(".on.aws")?;
    let (rest, region) = rest.rsplit_once('.')?;
    let rest = rest.strip_suffix(".vpc-lattice-svcs")?;
    let (first, partition) = rest.split_once('.')?;
    let (name, id) = first.rsplit_once('-')?;
    let lower_alnum = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (name_ok
        && lower_alnum(id)
        && (16..=20).contains(&id.len())
        && lower_alnum(partition)
        && region_ok)
        .then_some(region)
}

/// A custom domain the user registered: an exact name or a one-level wildcard
/// (`*.example.internal` matches `orders.example.internal`, not
/// `a.b.example.internal` and not `example.internal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainEntry {
    /// Lower-case, no trailing dot; for a wildcard the part after `*.`.
    domain: String,
    wildcard: bool,
    /// The signing region for this domain, if one was given.
    pub(crate) region: Option<String>,
}

impl DomainEntry {
    pub(crate) fn new(pattern: &str, region: Option<String>) -> Result<Self, Error> {
        let lower = pattern.trim_end_matches('.').to_ascii_lowercase();
        let (domain, wildcard) = match lower.strip_prefix("*.") {
            Some(rest) => (rest.to_owned(), true),
            None => (lower, false),
        };
        let labels_ok = !domain.is_empty()
            && domain.len() <= 253
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !labels_ok {
            return Err(Error::Config(format!(
                "custom domain `{pattern}` is not a DNS name or a one-level wildcard such as `*.example.internal`"
            )));
        }
        Ok(Self {
            domain,
            wildcard,
            region,
        })
    }

    fn matches(&self, host: &str) -> bool {
        if self.wildcard {
            match host.strip_suffix(self.domain.as_str()) {
                Some(head) => head
                    .strip_suffix('.')
                    .is_some_and(|label| !label.is_empty() && !label.contains('.')),
                None => false,
            }
        } else {
            host == self.domain
        }
    }
}

/// Looks `host` up in the table: exact entries win over wildcards.
pub(crate) fn lookup<'a>(table: &'a [DomainEntry], host: &str) -> Option<&'a DomainEntry> {
    table
        .iter()
        .find(|e| !e.wildcard && e.matches(host))
        .or_else(|| table.iter().find(|e| e.wildcard && e.matches(host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names() {
        assert_eq!(
            generated_name_region(
                "vpclatticealp-mylatticeserv-nrrcexutsqpe-0b17e5b0e8a993adf.7d67968.vpc-lattice-svcs.us-west-2.on.aws"
            ),
            Some("us-west-2")
        );
        assert_eq!(
            generated_name_region(
                "test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws"
            ),
            Some("ap-southeast-2")
        );
        for bad in [
            "vpc-lattice-svcs.us-west-2.on.aws",
            "test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.us-west-2.on.aws.evil.com",
            "evil.com.test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            "test2-0cfe.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            "-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            "test2-0cfe1f49ff3266204..vpc-lattice-svcs.us-west-2.on.aws",
            "test2-0cfe1f49ff3266204.7d67968.vpc-lattice.us-west-2.on.aws",
        ] {
            assert_eq!(generated_name_region(bad), None, "{bad}");
        }
    }

    #[test]
    fn domain_table() {
        let table = vec![
            DomainEntry::new("*.example.internal", Some("eu-west-1".into())).expect("valid"),
            DomainEntry::new("Orders.Example.Internal.", Some("us-east-1".into())).expect("valid"),
        ];
        assert_eq!(
            lookup(&table, "orders.example.internal").and_then(|e| e.region.as_deref()),
            Some("us-east-1")
        );
        assert_eq!(
            lookup(&table, "billing.example.internal").and_then(|e| e.region.as_deref()),
            Some("eu-west-1")
        );
        assert!(lookup(&table, "a.b.example.internal").is_none());
        assert!(lookup(&table, "example.internal").is_none());
        assert!(lookup(&table, "xexample.internal").is_none());
        assert!(DomainEntry::new("bad_domain!", None).is_err());
        assert!(DomainEntry::new("*.", None).is_err());
        assert!(DomainEntry::new("", None).is_err());
    }
}
