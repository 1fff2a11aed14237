//! Generated Lattice service names, and the rules for a new service's name.

use std::ops::Range;

use super::{LatticeNameProblem, NameError, ServiceNameProblem};
use crate::arn::ServiceId;
use crate::text::{excerpt, region_shape, str_newtype};

/// Checks a name for a new Lattice service: 3–40 characters from `a-z`,
/// `0-9` and `-`, starting and ending with a letter or digit, without `--`.
///
/// [`LatticeName::parse`] does not apply these rules (see there);
/// [`LatticeName::from_parts`] does.
///
/// ```
/// use lattice_client::name::validate_service_name;
///
/// assert!(validate_service_name("vpclatticealp-mylatticeserv-nrrcexutsqpe").is_ok());
/// assert!(validate_service_name("my--service").is_err());
/// assert!(validate_service_name("ab").is_err());
/// ```
///
/// # Errors
///
/// [`NameError::ServiceName`] naming the rule that is broken.
pub fn validate_service_name(name: &str) -> Result<(), NameError> {
    let problem = if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        ServiceNameProblem::Characters
    } else if !(3..=40).contains(&name.len()) {
        // ASCII from here on, so bytes are characters.
        ServiceNameProblem::Length(name.len())
    } else if name.starts_with('-') || name.ends_with('-') {
        ServiceNameProblem::Edge
    } else if name.contains("--") {
        ServiceNameProblem::DoubleHyphen
    } else {
        return Ok(());
    };
    Err(NameError::ServiceName {
        input: excerpt(name),
        problem,
    })
}

// ---------------------------------------------------------------------------
// Generated names
// ---------------------------------------------------------------------------

/// Byte offsets of the parts of a generated name (after the trailing dot is
/// removed). The service name is `..name_end`, the id suffix
/// `name_end + 1..label_end`, the partition `label_end + 1..partition_end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Layout {
    name_end: usize,
    label_end: usize,
    partition_end: usize,
    region: (usize, usize),
}

/// Why a generated name was rejected; ranges point into the trimmed input so
/// that the fast path never allocates.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Empty,
    TooLong(usize),
    EmptyLabel,
    Suffix,
    LabelCount(usize),
    FirstLabelTooLong((usize, usize)),
    MissingId((usize, usize)),
    ServiceId((usize, usize)),
    ServiceName((usize, usize)),
    Partition((usize, usize)),
    Region((usize, usize)),
}

impl Fault {
    fn into_problem(self, h: &str) -> LatticeNameProblem {
        let part = |(a, b): (usize, usize)| excerpt(h.get(a..b).unwrap_or(""));
        match self {
            Fault::Empty => LatticeNameProblem::Empty,
            Fault::TooLong(n) => LatticeNameProblem::TooLong(n),
            Fault::EmptyLabel => LatticeNameProblem::EmptyLabel,
            Fault::Suffix => LatticeNameProblem::Suffix,
            Fault::LabelCount(n) => LatticeNameProblem::LabelCount(n),
            Fault::FirstLabelTooLong(r) => LatticeNameProblem::FirstLabelTooLong(part(r)),
            Fault::MissingId(r) => LatticeNameProblem::MissingId(part(r)),
            Fault::ServiceId(r) => LatticeNameProblem::ServiceId(part(r)),
            Fault::ServiceName(r) => LatticeNameProblem::ServiceName(part(r)),
            Fault::Partition(r) => LatticeNameProblem::Partition(part(r)),
            Fault::Region(r) => LatticeNameProblem::Region(part(r)),
        }
    }
}

fn is_alnum_ci(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Splits a generated name without allocating. Returns the input without its
/// trailing dot and the layout of its parts. Accepts any letter case.
fn split(host: &str) -> Result<(&str, Layout), Fault> {
    let h = host.strip_suffix('.').unwrap_or(host);
    if h.is_empty() {
        return Err(Fault::Empty);
    }
    if h.len() > 253 {
        return Err(Fault::TooLong(h.len()));
    }
    // Label bounds, right to left: aws, on, region, vpc-lattice-svcs, partition, first.
    let mut bounds = [(0usize, 0usize); 6];
    let mut count = 0usize;
    let mut end = h.len();
    for label in h.rsplit('.') {
        if label.is_empty() {
            return Err(Fault::EmptyLabel);
        }
        let start = end.saturating_sub(label.len());
        if let Some(slot) = bounds.get_mut(count) {
            *slot = (start, end);
        }
        count += 1;
        end = start.saturating_sub(1);
    }
    let label = |(a, b): (usize, usize)| h.get(a..b).unwrap_or("");
    let [aws, on, region, svcs, partition, first] = bounds;
    if count < 4
        || !label(aws).eq_ignore_ascii_case("aws")
        || !label(on).eq_ignore_ascii_case("on")
        || !label(svcs).eq_ignore_ascii_case("vpc-lattice-svcs")
    {
        return Err(Fault::Suffix);
    }
    if count != 6 {
        return Err(Fault::LabelCount(count));
    }

    let first_s = label(first);
    if first_s.len() > 63 {
        return Err(Fault::FirstLabelTooLong(first));
    }
    let Some(hyphen) = first_s.rfind('-').map(|i| first.0.saturating_add(i)) else {
        return Err(Fault::MissingId(first));
    };
    let name = (first.0, hyphen);
    let id = (hyphen.saturating_add(1), first.1);
    if !(16..=20).contains(&(id.1.saturating_sub(id.0))) || !is_alnum_ci(label(id)) {
        return Err(Fault::ServiceId(id));
    }
    let name_s = label(name);
    if name_s.is_empty()
        || !name_s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Fault::ServiceName(name));
    }
    let partition_s = label(partition);
    if partition_s.len() > 63 || !is_alnum_ci(partition_s) {
        return Err(Fault::Partition(partition));
    }
    if !region_shape(label(region), true) {
        return Err(Fault::Region(region));
    }
    Ok((
        h,
        Layout {
            name_end: hyphen,
            label_end: first.1,
            partition_end: partition.1,
            region,
        },
    ))
}

/// A generated VPC Lattice service name:
/// `<service-name>-<service-id without svc->.<partition>.vpc-lattice-svcs.<region>.on.aws`.
///
/// The first label is split at its **last** hyphen: before it the service
/// name (which may contain hyphens), after it the service id without `svc-`
/// (16–20 letters or digits; 17 in practice, 18 in one AWS document). The
/// partition label is opaque (`[0-9a-z]+`, for example `7d67968`; it is not
/// the service network id). The region label is the region to sign for.
///
/// Parsing accepts any letter case and one trailing dot, and stores the name
/// lower-case without the dot, so [`host`](Self::host) and `Display` give the
/// canonical form.
///
/// # Service-name rules
///
/// Parsing does **not** enforce the rules for creating a service name (3–40
/// characters, starts and ends with a letter or digit, no `--`; see
/// [`validate_service_name`]): the service-name part only has to be non-empty
/// letters, digits and hyphens, and the first label at most 63 characters.
/// Lattice, not the client, decides which names exist, and what the SDK needs
/// from a name is its region and service id. [`LatticeName::from_parts`], which
/// builds a new name, does enforce them.
///
/// # Other partitions
///
/// Only the `on.aws` suffix is recognised; the suffixes used in the China and
/// GovCloud partitions are not known (assumed absent; see docs/assumptions.md).
///
/// ```
/// use lattice_client::name::LatticeName;
///
/// let name: LatticeName =
///     "vpclatticealp-mylatticeserv-nrrcexutsqpe-0b17e5b0e8a993adf.7d67968.vpc-lattice-svcs.us-west-2.on.aws"
///         .parse()?;
/// assert_eq!(name.service_name(), "vpclatticealp-mylatticeserv-nrrcexutsqpe");
/// assert_eq!(name.service_id().as_str(), "svc-0b17e5b0e8a993adf");
/// assert_eq!(name.partition(), "7d67968");
/// assert_eq!(name.region(), "us-west-2");
///
/// let upper = LatticeName::parse("TEST2-0CFE1F49FF3266204.7D67968.VPC-LATTICE-SVCS.AP-SOUTHEAST-2.ON.AWS.")?;
/// assert_eq!(upper.host(), "test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws");
///
/// let err = LatticeName::parse("orders.example.com").unwrap_err();
/// assert!(err.to_string().contains("vpc-lattice-svcs"));
/// # Ok::<(), lattice_client::name::NameError>(())
/// ```
#[derive(Clone)]
pub struct LatticeName {
    host: String,
    layout: Layout,
    service_id: ServiceId,
}

impl LatticeName {
    /// Parses a generated name. On success it allocates once (the lower-case
    /// copy of the name; the service id is stored inline); only the error path
    /// allocates more.
    ///
    /// # Errors
    ///
    /// [`NameError::LatticeName`] naming the part that is wrong.
    pub fn parse(host: &str) -> Result<Self, NameError> {
        let (h, layout) = split(host).map_err(|fault| {
            let trimmed = host.strip_suffix('.').unwrap_or(host);
            NameError::LatticeName {
                input: excerpt(host),
                problem: fault.into_problem(trimmed),
            }
        })?;
        let host_lower = h.to_ascii_lowercase();
        let suffix = host_lower
            .get(layout.name_end.saturating_add(1)..layout.label_end)
            .unwrap_or("");
        // `split` checked the id; this cannot fail, but stays total.
        let service_id = ServiceId::from_suffix(suffix).map_err(|_| NameError::LatticeName {
            input: excerpt(host),
            problem: LatticeNameProblem::ServiceId(excerpt(suffix)),
        })?;
        Ok(Self {
            host: host_lower,
            layout,
            service_id,
        })
    }

    /// Builds the generated name of a service from its parts.
    ///
    /// # Errors
    ///
    /// [`NameError::ServiceName`] when `service_name` breaks the rules of
    /// [`validate_service_name`]; [`NameError::LatticeName`] when the
    /// partition or region is invalid.
    ///
    /// ```
    /// use lattice_client::{arn::ServiceId, name::LatticeName};
    ///
    /// let id: ServiceId = "svc-027b423199122da5f".parse()?;
    /// let name = LatticeName::from_parts("lattice-svc", &id, "7d67968", "us-east-1")?;
    /// assert_eq!(
    ///     name.to_string(),
    ///     "lattice-svc-027b423199122da5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws",
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_parts(
        service_name: &str,
        service_id: &ServiceId,
        partition: &str,
        region: &str,
    ) -> Result<Self, NameError> {
        validate_service_name(service_name)?;
        Self::parse(&format!(
            "{service_name}-{}.{partition}.vpc-lattice-svcs.{region}.on.aws",
            service_id.suffix()
        ))
    }

    /// The region label of a generated name, without allocating: a cheap
    /// check for the signing path. `None` when `host` is not a generated name
    /// (the checks are those of [`parse`](Self::parse)).
    ///
    /// The slice is returned as written in `host`; pass a lower-cased host (as
    /// the signer does) to get a lower-case region.
    ///
    /// ```
    /// use lattice_client::name::LatticeName;
    ///
    /// let host = "lattice-svc-027b423199122da5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws.";
    /// assert_eq!(LatticeName::region_of(host), Some("us-east-1"));
    /// assert_eq!(LatticeName::region_of("orders.example.internal"), None);
    /// ```
    pub fn region_of(host: &str) -> Option<&str> {
        let (h, layout) = split(host).ok()?;
        h.get(layout.region.0..layout.region.1)
    }

    /// Whether `host` is a generated name, without allocating.
    pub fn is_lattice_name(host: &str) -> bool {
        split(host).is_ok()
    }

    fn part(&self, r: Range<usize>) -> &str {
        self.host.get(r).unwrap_or("")
    }

    /// The service name, such as `my-service`.
    pub fn service_name(&self) -> &str {
        self.part(0..self.layout.name_end)
    }

    /// The service id, `svc-…`.
    pub fn service_id(&self) -> &ServiceId {
        &self.service_id
    }

    /// The opaque partition label, such as `7d67968`.
    pub fn partition(&self) -> &str {
        self.part(self.layout.label_end.saturating_add(1)..self.layout.partition_end)
    }

    /// The region, such as `us-west-2`.
    pub fn region(&self) -> &str {
        self.part(self.layout.region.0..self.layout.region.1)
    }

    /// The canonical name: lower-case, without trailing dot.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Consumes the name, returning [`host`](Self::host).
    pub fn into_string(self) -> String {
        self.host
    }
}

str_newtype!(LatticeName, NameError, host);
