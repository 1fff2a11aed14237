//! Generated VPC Lattice DNS names, and the table of custom domains.
//!
//! Lattice gives every service a generated name,
//! `<service-name>-<service-id without svc->.<partition>.vpc-lattice-svcs.<region>.on.aws`,
//! whose region label is the region to sign for. [`LatticeName`] parses it;
//! [`LatticeName::region_of`] reads just the region without allocating, for use
//! on every request.
//!
//! A custom domain (`orders.example.internal`) carries no region, so the user
//! says which region signs for it: [`CustomDomains`] maps a [`DomainPattern`]
//! (exact, or a one-level `*.` wildcard) to a [`DomainRegion`] — one region
//! for SigV4, or a SigV4A region set for a domain served from several regions.
//!
//! ```
//! use lattice_client::name::{CustomDomains, LatticeName, DomainRegion};
//!
//! let host = "orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws";
//! assert_eq!(LatticeName::region_of(host), Some("us-east-2"));
//!
//! let domains = CustomDomains::new()
//!     .with("*.example.internal", DomainRegion::region("us-west-2")?)?
//!     .with("global.example.internal", DomainRegion::region_set(["us-east-1", "us-west-2"])?)?;
//! assert_eq!(domains.get("Orders.Example.Internal."), Some(&DomainRegion::Region("us-west-2".into())));
//! assert!(domains.get("global.example.internal").is_some_and(DomainRegion::is_region_set));
//! assert_eq!(domains.get("a.b.example.internal"), None);
//! # Ok::<(), lattice_client::name::NameError>(())
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use crate::arn::ServiceId;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A generated name, service name, domain or signing region that is not valid.
///
/// The caller's input is at fault in every case; the message names the part
/// that is wrong and shows what a valid value looks like. Inputs longer than
/// 200 bytes are shortened in the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Not a generated Lattice service name ([`LatticeName`]).
    #[error("invalid Lattice service name `{input}`: {problem}")]
    LatticeName {
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: LatticeNameProblem,
    },
    /// Not a valid service name for a new service ([`validate_service_name`]).
    #[error("invalid service name `{input}`: {problem}")]
    ServiceName {
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: ServiceNameProblem,
    },
    /// Not a valid custom domain or domain pattern ([`DomainPattern`]).
    #[error("invalid domain `{input}`: {problem}")]
    Domain {
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: DomainProblem,
    },
    /// Not a valid signing region or region-set entry ([`DomainRegion`]).
    #[error("invalid signing region `{input}`: {problem}")]
    Region {
        /// The region or region-set entry that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: RegionProblem,
    },
}

/// What is wrong with a generated name; see [`NameError::LatticeName`].
///
/// Strings held here are slices of the input, in its original case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LatticeNameProblem {
    /// The name is empty.
    #[error("it is empty; a generated name looks like `{EXAMPLE_NAME}`")]
    Empty,
    /// The name is longer than a DNS name can be.
    #[error("it is {0} characters long; a DNS name has at most 253")]
    TooLong(usize),
    /// A label is empty (leading dot, or two dots in a row).
    #[error("it has an empty label (a leading dot or two dots in a row)")]
    EmptyLabel,
    /// The name does not end in `.vpc-lattice-svcs.<region>.on.aws`.
    #[error(
        "it does not end in `.vpc-lattice-svcs.<region>.on.aws`, so it is not a generated Lattice name such as `{EXAMPLE_NAME}` (a custom domain needs its region configured)"
    )]
    Suffix,
    /// The name has the right suffix but the wrong number of labels.
    #[error(
        "it has {0} labels, expected 6: `<service-name>-<service-id>.<partition>.vpc-lattice-svcs.<region>.on.aws`"
    )]
    LabelCount(usize),
    /// The first label is longer than 63 characters.
    #[error("the first label `{0}` is longer than 63 characters")]
    FirstLabelTooLong(String),
    /// The first label has no `-` before the service id.
    #[error(
        "the first label `{0}` is not `<service-name>-<service-id>` such as `my-service-0123456789abcdef0`"
    )]
    MissingId(String),
    /// The part after the last `-` of the first label is not a service id.
    #[error(
        "the service id `{0}` (after the last `-` of the first label) is not 16–20 letters or digits such as `0123456789abcdef0`"
    )]
    ServiceId(String),
    /// The service-name part of the first label has invalid characters.
    #[error("the service name `{0}` is not letters, digits and hyphens such as `my-service`")]
    ServiceName(String),
    /// The partition label is not letters and digits.
    #[error("the partition label `{0}` is not letters and digits such as `7d67968`")]
    Partition(String),
    /// The region label is not a region.
    #[error("the region label `{0}` is not a region such as `us-west-2`")]
    Region(String),
}

/// What is wrong with a service name; see [`NameError::ServiceName`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceNameProblem {
    /// Shorter than 3 or longer than 40 characters.
    #[error("it is {0} characters long; a service name has 3–40, such as `my-service`")]
    Length(usize),
    /// A character other than `a-z`, `0-9` and `-`.
    #[error("it may only contain lower-case letters, digits and hyphens, such as `my-service`")]
    Characters,
    /// Starts or ends with a hyphen.
    #[error("it must start and end with a letter or digit, such as `my-service`")]
    Edge,
    /// Contains `--`.
    #[error("it must not contain `--`")]
    DoubleHyphen,
}

/// What is wrong with a domain or domain pattern; see [`NameError::Domain`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainProblem {
    /// The domain is empty.
    #[error(
        "it is empty; expected a domain such as `orders.example.internal` or `*.example.internal`"
    )]
    Empty,
    /// Longer than 253 characters.
    #[error("it is {0} characters long; a domain name has at most 253")]
    TooLong(usize),
    /// A label is empty (leading dot, or two dots in a row).
    #[error("it has an empty label (a leading dot or two dots in a row)")]
    EmptyLabel,
    /// A label is longer than 63 characters.
    #[error("the label `{0}` is longer than 63 characters")]
    LabelTooLong(String),
    /// A label has characters other than letters, digits and hyphens.
    #[error("the label `{0}` may only contain letters, digits and hyphens")]
    LabelCharacters(String),
    /// A label starts or ends with a hyphen.
    #[error("the label `{0}` starts or ends with a hyphen")]
    LabelHyphen(String),
    /// `*` somewhere other than as the whole first label.
    #[error("`*` is only allowed as the whole first label, as in `*.example.internal`")]
    Wildcard,
    /// `*` with no domain after it.
    #[error("`*` needs a domain after it, as in `*.example.internal`")]
    WildcardAlone,
}

/// What is wrong with a signing region; see [`NameError::Region`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionProblem {
    /// Not a region name.
    #[error("it is not a region such as `us-west-2`, `eu-central-1` or `us-gov-west-1`")]
    NotARegion,
    /// A wildcard given where one region is needed.
    #[error(
        "`*` and prefix wildcards such as `us-*` are only allowed in a SigV4A region set; SigV4 needs one region such as `us-west-2`"
    )]
    WildcardNeedsRegionSet,
    /// Not a region, `*` or a prefix wildcard.
    #[error("it is not a region such as `us-west-2`, `*`, or a prefix wildcard such as `us-*`")]
    NotARegionSetEntry,
    /// A region set with no entries.
    #[error("a SigV4A region set needs at least one entry, such as `*` or `us-east-1`")]
    EmptySet,
}

const EXAMPLE_NAME: &str = "my-service-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";

/// `s`, cut to at most 200 bytes (on a character boundary) with `…` appended,
/// so that errors about huge inputs stay small.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    format!("{}…", s.get(..end).unwrap_or(""))
}

// ---------------------------------------------------------------------------
// Regions
// ---------------------------------------------------------------------------

fn is_letters(s: &str, fold: bool) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || (fold && b.is_ascii_uppercase()))
}

/// `head` of a region: at least two `-`-separated groups of letters, the
/// first of at least two (`us-west`, `us-gov-west`, `cn-north`).
fn is_region_head(head: &str, groups_min: usize, fold: bool) -> bool {
    let mut groups = 0usize;
    for (i, group) in head.split('-').enumerate() {
        if !is_letters(group, fold) || (i == 0 && group.len() < 2) {
            return false;
        }
        groups += 1;
    }
    groups >= groups_min
}

fn region_shape(s: &str, fold: bool) -> bool {
    if s.len() > 40 {
        return false;
    }
    match s.rsplit_once('-') {
        Some((head, digits)) => {
            (1..=3).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
                && is_region_head(head, 2, fold)
        }
        None => false,
    }
}

/// Whether `s` is shaped like an AWS region name: lower-case letter groups
/// separated by `-`, the first of at least two letters, at least two of them,
/// then `-` and 1–3 digits: `us-west-2`, `eu-central-1`, `us-gov-west-1`,
/// `cn-north-1`, `ap-southeast-2`.
///
/// This checks the shape only, not that the region exists, so new regions
/// work without an update.
///
/// ```
/// use lattice_client::name::is_region;
///
/// assert!(is_region("us-gov-west-1"));
/// assert!(!is_region("US-WEST-2"));
/// assert!(!is_region("us-west"));
/// assert!(!is_region("us-*"));
/// ```
pub fn is_region(s: &str) -> bool {
    region_shape(s, false)
}

/// Whether `s` is a SigV4A region-set entry: a region, `*`, or a prefix
/// wildcard such as `us-*` or `us-east-*`.
fn is_region_set_entry(s: &str) -> bool {
    s == "*"
        || is_region(s)
        || s.strip_suffix("-*")
            .is_some_and(|head| s.len() <= 40 && is_region_head(head, 1, false))
}

fn region_error(input: &str, problem: RegionProblem) -> NameError {
    NameError::Region {
        input: excerpt(input),
        problem,
    }
}

/// The region (or regions) a request to a custom domain is signed for.
///
/// Build with [`DomainRegion::region`] / [`DomainRegion::region_set`], which
/// validate; the variants can also be built directly and are validated when
/// inserted into [`CustomDomains`] (or with [`DomainRegion::validate`]).
///
/// [`Display`](fmt::Display) prints the region, or the set joined with `,` as
/// in the `x-amz-region-set` header.
///
/// ```
/// use lattice_client::name::DomainRegion;
///
/// assert!(DomainRegion::region("us-west-2").is_ok());
/// assert!(DomainRegion::region("*").is_err()); // SigV4 needs one region
/// let set = DomainRegion::region_set(["us-east-1", "us-west-2"])?;
/// assert_eq!(set.to_string(), "us-east-1,us-west-2");
/// assert!(DomainRegion::region_set(["us-*"]).is_ok());
/// # Ok::<(), lattice_client::name::NameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DomainRegion {
    /// Sign with SigV4 for this region, such as `us-west-2`.
    Region(String),
    /// Sign with SigV4A for this region set: regions, `*` (any region), or
    /// prefix wildcards such as `us-*`.
    RegionSet(Vec<String>),
}

impl DomainRegion {
    /// One region, for SigV4.
    ///
    /// # Errors
    ///
    /// [`NameError::Region`] when `region` is not a region such as `us-west-2`.
    pub fn region(region: impl Into<String>) -> Result<Self, NameError> {
        let this = DomainRegion::Region(region.into());
        this.validate()?;
        Ok(this)
    }

    /// A SigV4A region set.
    ///
    /// # Errors
    ///
    /// [`NameError::Region`] when the set is empty or an entry is not a
    /// region, `*` or a prefix wildcard.
    pub fn region_set<I>(regions: I) -> Result<Self, NameError>
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let this = DomainRegion::RegionSet(regions.into_iter().map(Into::into).collect());
        this.validate()?;
        Ok(this)
    }

    /// Checks the region or every entry of the set.
    ///
    /// # Errors
    ///
    /// [`NameError::Region`] naming the first invalid entry.
    pub fn validate(&self) -> Result<(), NameError> {
        match self {
            DomainRegion::Region(r) if is_region(r) => Ok(()),
            DomainRegion::Region(r) if is_region_set_entry(r) => {
                Err(region_error(r, RegionProblem::WildcardNeedsRegionSet))
            }
            DomainRegion::Region(r) => Err(region_error(r, RegionProblem::NotARegion)),
            DomainRegion::RegionSet(set) if set.is_empty() => {
                Err(region_error("", RegionProblem::EmptySet))
            }
            DomainRegion::RegionSet(set) => match set.iter().find(|r| !is_region_set_entry(r)) {
                Some(bad) => Err(region_error(bad, RegionProblem::NotARegionSetEntry)),
                None => Ok(()),
            },
        }
    }

    /// Whether this is a SigV4A region set.
    pub fn is_region_set(&self) -> bool {
        matches!(self, DomainRegion::RegionSet(_))
    }
}

impl fmt::Display for DomainRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DomainRegion::Region(r) => f.write_str(r),
            DomainRegion::RegionSet(set) => {
                for (i, r) in set.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(r)?;
                }
                Ok(())
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Service names
// ---------------------------------------------------------------------------

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
/// GovCloud partitions are UNCONFIRMED.
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
#[derive(Clone, PartialEq, Eq, Hash)]
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

impl fmt::Debug for LatticeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LatticeName").field(&self.host).finish()
    }
}

impl fmt::Display for LatticeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.host)
    }
}

impl FromStr for LatticeName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, NameError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for LatticeName {
    type Error = NameError;
    fn try_from(s: &str) -> Result<Self, NameError> {
        Self::parse(s)
    }
}

impl AsRef<str> for LatticeName {
    fn as_ref(&self) -> &str {
        &self.host
    }
}

// The layout and id are derived from the text, so ordering by text agrees with `Eq`.
impl PartialOrd for LatticeName {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LatticeName {
    fn cmp(&self, other: &Self) -> Ordering {
        self.host.cmp(&other.host)
    }
}

// ---------------------------------------------------------------------------
// Custom domains
// ---------------------------------------------------------------------------

fn check_domain(d: &str) -> Result<(), DomainProblem> {
    if d.is_empty() {
        return Err(DomainProblem::Empty);
    }
    if d.len() > 253 {
        return Err(DomainProblem::TooLong(d.len()));
    }
    if d == "*" {
        return Err(DomainProblem::WildcardAlone);
    }
    let rest = match d.strip_prefix("*.") {
        Some("") => return Err(DomainProblem::WildcardAlone),
        Some(rest) => rest,
        None => d,
    };
    for label in rest.split('.') {
        if label.is_empty() {
            return Err(DomainProblem::EmptyLabel);
        }
        if label.contains('*') {
            return Err(DomainProblem::Wildcard);
        }
        if label.len() > 63 {
            return Err(DomainProblem::LabelTooLong(excerpt(label)));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(DomainProblem::LabelCharacters(excerpt(label)));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainProblem::LabelHyphen(excerpt(label)));
        }
    }
    Ok(())
}

/// A custom domain, or a one-level wildcard over one.
///
/// - exact: `orders.example.internal` matches only that host;
/// - wildcard: `*.example.internal` matches `orders.example.internal` — `*`
///   stands for exactly one label, so neither `example.internal` nor
///   `a.b.example.internal` match (as with ACM wildcard certificates).
///
/// Labels are 1–63 letters, digits and hyphens, not starting or ending with a
/// hyphen; the whole domain is at most 253 characters. Any letter case and one
/// trailing dot are accepted; the pattern is stored lower-case without the dot.
///
/// ```
/// use lattice_client::name::DomainPattern;
///
/// let p: DomainPattern = "*.Example.Internal.".parse()?;
/// assert_eq!(p.to_string(), "*.example.internal");
/// assert!(p.is_wildcard());
/// assert_eq!(p.domain(), "example.internal");
/// assert!(p.matches("orders.example.internal"));
/// assert!(!p.matches("a.b.example.internal"));
/// assert!("a.*.example.internal".parse::<DomainPattern>().is_err());
/// # Ok::<(), lattice_client::name::NameError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainPattern {
    text: String,
}

impl DomainPattern {
    /// Parses a domain or `*.`-wildcard pattern.
    ///
    /// # Errors
    ///
    /// [`NameError::Domain`] naming the label that is wrong.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let d = s.strip_suffix('.').unwrap_or(s);
        check_domain(d).map_err(|problem| NameError::Domain {
            input: excerpt(s),
            problem,
        })?;
        Ok(Self {
            text: d.to_ascii_lowercase(),
        })
    }

    /// The pattern: lower-case, without trailing dot, `*.` first for a wildcard.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a `*.` wildcard.
    pub fn is_wildcard(&self) -> bool {
        self.text.starts_with("*.")
    }

    /// The domain the pattern is anchored at: the whole domain when exact,
    /// the part after `*.` for a wildcard.
    pub fn domain(&self) -> &str {
        self.text.strip_prefix("*.").unwrap_or(&self.text)
    }

    /// Whether `host` (without port; any case; one trailing dot allowed)
    /// matches. Does not allocate.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        match self.text.strip_prefix("*.") {
            None => host.eq_ignore_ascii_case(&self.text),
            Some(base) => host.split_once('.').is_some_and(|(first, rest)| {
                is_host_label(first) && rest.eq_ignore_ascii_case(base)
            }),
        }
    }
}

/// The one label a wildcard stands for: non-empty, and not itself `*`.
fn is_host_label(label: &str) -> bool {
    !label.is_empty() && label != "*"
}

impl fmt::Debug for DomainPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DomainPattern").field(&self.text).finish()
    }
}

impl fmt::Display for DomainPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for DomainPattern {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, NameError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for DomainPattern {
    type Error = NameError;
    fn try_from(s: &str) -> Result<Self, NameError> {
        Self::parse(s)
    }
}

impl AsRef<str> for DomainPattern {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Compares a stored lower-case key with `prefix` + `host` folded to lower
/// case, without allocating.
fn cmp_key(stored: &str, prefix: &str, host: &str) -> Ordering {
    stored.bytes().cmp(
        prefix
            .bytes()
            .chain(host.bytes().map(|b| b.to_ascii_lowercase())),
    )
}

/// The user's table of custom domains and the region each is signed for.
///
/// Lookups ([`get`](Self::get), [`lookup`](Self::lookup)) take a host without
/// port, ignore letter case and one trailing dot, prefer an exact entry over a
/// wildcard, and do not allocate (entries are kept sorted; a lookup is two
/// binary searches at most).
///
/// ```
/// use lattice_client::name::{CustomDomains, DomainRegion};
///
/// let mut domains = CustomDomains::new();
/// domains.insert("*.example.internal".parse()?, DomainRegion::region("us-west-2")?)?;
/// domains.insert("billing.example.internal".parse()?, DomainRegion::region("eu-central-1")?)?;
///
/// let region = |host| domains.get(host).map(ToString::to_string);
/// assert_eq!(region("orders.example.internal").as_deref(), Some("us-west-2"));
/// assert_eq!(region("BILLING.example.internal.").as_deref(), Some("eu-central-1"));
/// assert_eq!(region("example.internal"), None);
/// # Ok::<(), lattice_client::name::NameError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomDomains {
    /// Sorted by pattern text; exact patterns never start with `*.`.
    entries: Vec<(DomainPattern, DomainRegion)>,
}

impl CustomDomains {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the entry for `pattern`, returning the region it had.
    ///
    /// # Errors
    ///
    /// [`NameError::Region`] when `region` is not valid (see
    /// [`DomainRegion::validate`]); the table is then unchanged.
    pub fn insert(
        &mut self,
        pattern: DomainPattern,
        region: DomainRegion,
    ) -> Result<Option<DomainRegion>, NameError> {
        region.validate()?;
        match self
            .entries
            .binary_search_by(|(p, _)| p.text.cmp(&pattern.text))
        {
            Ok(i) => Ok(self
                .entries
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, region))),
            Err(i) => {
                self.entries.insert(i, (pattern, region));
                Ok(None)
            }
        }
    }

    /// By-value form of [`insert`](Self::insert) that parses the pattern.
    ///
    /// # Errors
    ///
    /// [`NameError::Domain`] for a bad pattern, [`NameError::Region`] for a
    /// bad region.
    pub fn with(mut self, pattern: &str, region: DomainRegion) -> Result<Self, NameError> {
        self.insert(DomainPattern::parse(pattern)?, region)?;
        Ok(self)
    }

    /// Removes the entry for exactly `pattern`, returning its region.
    pub fn remove(&mut self, pattern: &DomainPattern) -> Option<DomainRegion> {
        let i = self
            .entries
            .binary_search_by(|(p, _)| p.text.cmp(&pattern.text))
            .ok()?;
        (i < self.entries.len()).then(|| self.entries.remove(i).1)
    }

    /// The entry that applies to `host`: the exact entry if there is one,
    /// otherwise the `*.` entry for the host's parent domain.
    pub fn lookup(&self, host: &str) -> Option<(&DomainPattern, &DomainRegion)> {
        let host = host.strip_suffix('.').unwrap_or(host);
        // No valid host contains `*`; this also keeps a literal `*.example`
        // from finding the wildcard entry by exact comparison.
        if host.is_empty() || host.contains('*') {
            return None;
        }
        let find = |prefix: &str, rest: &str| {
            self.entries
                .binary_search_by(|(p, _)| cmp_key(&p.text, prefix, rest))
                .ok()
                .and_then(|i| self.entries.get(i))
                .map(|(p, r)| (p, r))
        };
        find("", host).or_else(|| {
            let (first, parent) = host.split_once('.')?;
            if !is_host_label(first) {
                return None;
            }
            find("*.", parent)
        })
    }

    /// The signing region for `host`; see [`lookup`](Self::lookup).
    pub fn get(&self, host: &str) -> Option<&DomainRegion> {
        self.lookup(host).map(|(_, r)| r)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted by pattern text.
    pub fn iter(&self) -> impl Iterator<Item = (&DomainPattern, &DomainRegion)> + '_ {
        self.entries.iter().map(|(p, r)| (p, r))
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (name, service name, service id, partition, region) from the fact sheet.
    const REAL: &[(&str, &str, &str, &str, &str)] = &[
        (
            "test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws",
            "test2",
            "svc-0cfe1f49ff3266204",
            "7d67968",
            "ap-southeast-2",
        ),
        (
            // 18-character id in the AWS document.
            "my-service-02031c045478f6ddf1.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            "my-service",
            "svc-02031c045478f6ddf1",
            "7d67968",
            "us-west-2",
        ),
        (
            "lattice-svc-027b423199122da5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws",
            "lattice-svc",
            "svc-027b423199122da5f",
            "7d67968",
            "us-east-1",
        ),
        (
            "vpclatticealp-mylatticeserv-nrrcexutsqpe-0b17e5b0e8a993adf.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            "vpclatticealp-mylatticeserv-nrrcexutsqpe",
            "svc-0b17e5b0e8a993adf",
            "7d67968",
            "us-west-2",
        ),
        (
            "orders-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws",
            "orders",
            "svc-0a40eebed65f8d69c",
            "7d67968",
            "us-east-2",
        ),
        (
            "catalog-0a40eebed65f8d69c.7d67968.vpc-lattice-svcs.us-east-2.on.aws",
            "catalog",
            "svc-0a40eebed65f8d69c",
            "7d67968",
            "us-east-2",
        ),
    ];

    fn check(name: &LatticeName, row: &(&str, &str, &str, &str, &str)) {
        let (host, service, id, partition, region) = *row;
        assert_eq!(name.host(), host);
        assert_eq!(name.to_string(), host);
        assert_eq!(name.service_name(), service);
        assert_eq!(name.service_id(), &id);
        assert_eq!(name.partition(), partition);
        assert_eq!(name.region(), region);
    }

    #[test]
    fn real_names() {
        for row in REAL {
            let host = row.0;
            check(&host.parse().unwrap(), row);
            check(&LatticeName::parse(&format!("{host}.")).unwrap(), row);
            check(
                &LatticeName::parse(&host.to_ascii_uppercase()).unwrap(),
                row,
            );
            check(
                &LatticeName::parse(&format!("{}.", host.to_ascii_uppercase())).unwrap(),
                row,
            );
            assert_eq!(LatticeName::region_of(host), Some(row.4));
            assert_eq!(LatticeName::region_of(&format!("{host}.")), Some(row.4));
            assert!(LatticeName::is_lattice_name(host));
            // Built from parts gives the same name (all real service names follow the rules).
            let id: crate::arn::ServiceId = row.2.parse().unwrap();
            assert_eq!(
                LatticeName::from_parts(row.1, &id, row.3, row.4)
                    .unwrap()
                    .host(),
                host
            );
        }
    }

    #[test]
    fn region_of_keeps_input_case() {
        let host = "test2-0cfe1f49ff3266204.7d67968.VPC-LATTICE-SVCS.AP-SOUTHEAST-2.ON.AWS.";
        assert_eq!(LatticeName::region_of(host), Some("AP-SOUTHEAST-2"));
        assert_eq!(LatticeName::parse(host).unwrap().region(), "ap-southeast-2");
    }

    #[test]
    fn placeholder_with_short_id_is_rejected() {
        // The AWS sample's `data-svc-022f67d3a42` has an 11-character id: a placeholder.
        let err =
            LatticeName::parse("data-svc-022f67d3a42.1234abc.vpc-lattice-svcs.us-west-2.on.aws")
                .unwrap_err();
        assert!(matches!(
            err,
            NameError::LatticeName { problem: LatticeNameProblem::ServiceId(ref id), .. } if id == "022f67d3a42"
        ));
    }

    #[test]
    fn error_message_names_the_part() {
        let err = LatticeName::parse("x-0123456789abcdef0.7d67968.vpc-lattice-svcs.US_WEST.on.aws")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Lattice service name `x-0123456789abcdef0.7d67968.vpc-lattice-svcs.US_WEST.on.aws`: the region label `US_WEST` is not a region such as `us-west-2`"
        );
    }

    #[test]
    fn rejections() {
        use LatticeNameProblem as P;
        let cases: &[(&str, P)] = &[
            ("", P::Empty),
            (".", P::Empty),
            ("orders.example.com", P::Suffix),
            ("on.aws", P::Suffix),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice.us-west-2.on.aws",
                P::Suffix,
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws.com",
                P::Suffix,
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.amazonaws.com",
                P::Suffix,
            ),
            (
                "7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::LabelCount(5),
            ),
            ("vpc-lattice-svcs.us-west-2.on.aws", P::LabelCount(4)),
            (
                "a.x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::LabelCount(7),
            ),
            (
                "x-0123456789abcdef0..vpc-lattice-svcs.us-west-2.on.aws",
                P::EmptyLabel,
            ),
            (
                ".x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::EmptyLabel,
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws..",
                P::EmptyLabel,
            ),
            (
                "myservice.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::MissingId("myservice".into()),
            ),
            (
                "0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::MissingId("0123456789abcdef0".into()),
            ),
            (
                "my-service.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::ServiceId("service".into()),
            ),
            (
                "my-svc-.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::ServiceId("".into()),
            ),
            (
                "my-svc-0123456789abcdef01234.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::ServiceId("0123456789abcdef01234".into()),
            ),
            (
                "my-svc-0123456789abcde.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::ServiceId("0123456789abcde".into()),
            ),
            (
                "-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::ServiceName("".into()),
            ),
            (
                "my_svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::ServiceName("my_svc".into()),
            ),
            (
                "x-0123456789abcdef0.7d-67968.vpc-lattice-svcs.us-west-2.on.aws",
                P::Partition("7d-67968".into()),
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.US_WEST.on.aws",
                P::Region("US_WEST".into()),
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west.on.aws",
                P::Region("us-west".into()),
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.uswest2.on.aws",
                P::Region("uswest2".into()),
            ),
            (
                "x-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-*.on.aws",
                P::Region("us-*".into()),
            ),
        ];
        for (input, want) in cases {
            match LatticeName::parse(input) {
                Err(NameError::LatticeName { problem, .. }) => {
                    assert_eq!(&problem, want, "{input}")
                }
                other => panic!("{input}: {other:?}"),
            }
            assert_eq!(LatticeName::region_of(input), None, "{input}");
        }
        // 20-character id is the upper bound that still parses.
        assert!(
            LatticeName::parse(
                "my-svc-0123456789abcdef0123.7d67968.vpc-lattice-svcs.us-west-2.on.aws"
            )
            .is_ok()
        );
        let long_first = format!(
            "{}-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
            "a".repeat(50)
        );
        assert!(matches!(
            LatticeName::parse(&long_first),
            Err(NameError::LatticeName {
                problem: LatticeNameProblem::FirstLabelTooLong(_),
                ..
            })
        ));
        let too_long = format!("{}.vpc-lattice-svcs.us-west-2.on.aws", "a.".repeat(120));
        assert!(matches!(
            LatticeName::parse(&too_long),
            Err(NameError::LatticeName {
                problem: LatticeNameProblem::TooLong(_),
                ..
            })
        ));
    }

    #[test]
    fn parse_is_lenient_on_service_name_rules_but_from_parts_is_not() {
        // Two hyphens in a row and a 2-character name break the creation rules,
        // but a generated name carrying them still parses.
        let name = LatticeName::parse(
            "my--svc-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws",
        )
        .unwrap();
        assert_eq!(name.service_name(), "my--svc");
        assert!(
            LatticeName::parse("ab-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws")
                .is_ok()
        );
        let id: crate::arn::ServiceId = "svc-0123456789abcdef0".parse().unwrap();
        for bad in ["my--svc", "ab", "-abc", "abc-", "My-Svc", &"a".repeat(41)] {
            assert!(
                matches!(
                    LatticeName::from_parts(bad, &id, "7d67968", "us-west-2"),
                    Err(NameError::ServiceName { .. })
                ),
                "{bad}"
            );
        }
        assert!(LatticeName::from_parts("abc", &id, "7d-67968", "us-west-2").is_err());
        assert!(LatticeName::from_parts("abc", &id, "7d67968", "moon-1").is_err());
    }

    #[test]
    fn service_name_rules() {
        for ok in ["abc", "my-service", "a1-b2-c3", &"a".repeat(40)] {
            assert!(validate_service_name(ok).is_ok(), "{ok}");
        }
        let problem = |s: &str| match validate_service_name(s) {
            Err(NameError::ServiceName { problem, .. }) => problem,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(problem("ab"), ServiceNameProblem::Length(2));
        assert_eq!(problem(&"a".repeat(41)), ServiceNameProblem::Length(41));
        assert_eq!(problem("My-svc"), ServiceNameProblem::Characters);
        assert_eq!(problem("my_svc"), ServiceNameProblem::Characters);
        assert_eq!(problem("-my-svc"), ServiceNameProblem::Edge);
        assert_eq!(problem("my-svc-"), ServiceNameProblem::Edge);
        assert_eq!(problem("my--svc"), ServiceNameProblem::DoubleHyphen);
    }

    // ----- regions -----

    #[test]
    fn regions() {
        for ok in [
            "us-west-2",
            "eu-central-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-2",
            "il-central-1",
            "us-isob-east-1",
            "eusc-de-east-1",
        ] {
            assert!(is_region(ok), "{ok}");
            assert!(DomainRegion::region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-west",
            "uswest2",
            "US-WEST-2",
            "us_west_2",
            "-us-west-2",
            "us--west-2",
            "us-west-2-",
            "u-west-2",
            "us-west-1234",
            "us-west-2a",
            "us-west-*",
            "*",
            "us-1",
        ] {
            assert!(!is_region(bad), "{bad}");
            assert!(DomainRegion::region(bad).is_err(), "{bad}");
        }
        let err = DomainRegion::region("*").unwrap_err();
        assert!(matches!(
            err,
            NameError::Region {
                problem: RegionProblem::WildcardNeedsRegionSet,
                ..
            }
        ));
        let err = DomainRegion::region("US-WEST-2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid signing region `US-WEST-2`: it is not a region such as `us-west-2`, `eu-central-1` or `us-gov-west-1`"
        );
    }

    #[test]
    fn region_sets() {
        for ok in [
            vec!["*"],
            vec!["us-*"],
            vec!["us-east-*", "eu-west-1"],
            vec!["us-east-1", "us-west-2"],
            vec!["us-gov-*"],
        ] {
            let set = DomainRegion::region_set(ok.clone()).unwrap();
            assert!(set.is_region_set());
            assert_eq!(set.to_string(), ok.join(","));
        }
        for bad in [
            vec![],
            vec!["us*"],
            vec!["*-east-1"],
            vec!["**"],
            vec!["us-east-1", ""],
            vec!["u-*"],
            vec!["US-*"],
        ] {
            assert!(DomainRegion::region_set(bad.clone()).is_err(), "{bad:?}");
        }
        assert!(matches!(
            DomainRegion::region_set(Vec::<String>::new()),
            Err(NameError::Region {
                problem: RegionProblem::EmptySet,
                ..
            })
        ));
        let err = DomainRegion::region_set(["us-east-1", "mars"]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "invalid signing region `mars`: it is not a region such as `us-west-2`, `*`"
            ),
            "{err}"
        );
    }

    // ----- domains -----

    #[test]
    fn domain_patterns() {
        for (input, canonical, wildcard) in [
            ("orders.example.internal", "orders.example.internal", false),
            ("Orders.Example.Internal.", "orders.example.internal", false),
            ("*.example.internal", "*.example.internal", true),
            ("*.EXAMPLE.internal.", "*.example.internal", true),
            ("localhost", "localhost", false),
            ("*.internal", "*.internal", true),
            ("a-b.c1.d", "a-b.c1.d", false),
        ] {
            let p = DomainPattern::parse(input).unwrap();
            assert_eq!(p.as_str(), canonical);
            assert_eq!(p.is_wildcard(), wildcard);
            assert_eq!(p.to_string().parse::<DomainPattern>().unwrap(), p);
        }
        use DomainProblem as D;
        let label63 = "a".repeat(63);
        let label64 = "a".repeat(64);
        assert!(DomainPattern::parse(&format!("{label63}.example")).is_ok());
        let long = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
        ]
        .join(".");
        let cases: Vec<(String, D)> = vec![
            ("".into(), D::Empty),
            (".".into(), D::Empty),
            ("*".into(), D::WildcardAlone),
            ("*.".into(), D::WildcardAlone),
            ("*..".into(), D::WildcardAlone),
            ("a..b".into(), D::EmptyLabel),
            (".a.b".into(), D::EmptyLabel),
            ("a.b..".into(), D::EmptyLabel),
            ("a.*.example.internal".into(), D::Wildcard),
            ("*.*.example.internal".into(), D::Wildcard),
            ("foo*.example.internal".into(), D::Wildcard),
            ("**.example.internal".into(), D::Wildcard),
            (
                format!("{label64}.example"),
                D::LabelTooLong(label64.clone()),
            ),
            (
                "my_svc.example.internal".into(),
                D::LabelCharacters("my_svc".into()),
            ),
            ("a b.example".into(), D::LabelCharacters("a b".into())),
            (
                "ex\u{e4}mple.internal".into(),
                D::LabelCharacters("ex\u{e4}mple".into()),
            ),
            ("-a.example".into(), D::LabelHyphen("-a".into())),
            ("a.example-".into(), D::LabelHyphen("example-".into())),
            (long.clone(), D::TooLong(long.len())),
            (
                "orders.example.internal:443".into(),
                D::LabelCharacters("internal:443".into()),
            ),
        ];
        for (input, want) in cases {
            match DomainPattern::parse(&input) {
                Err(NameError::Domain { problem, .. }) => assert_eq!(problem, want, "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
        let err = DomainPattern::parse("a.*.example.internal").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid domain `a.*.example.internal`: `*` is only allowed as the whole first label, as in `*.example.internal`"
        );
    }

    #[test]
    fn wildcard_matches_one_label() {
        let p = DomainPattern::parse("*.example.internal").unwrap();
        assert!(p.matches("orders.example.internal"));
        assert!(p.matches("ORDERS.Example.Internal."));
        assert!(!p.matches("a.b.example.internal"));
        assert!(!p.matches("example.internal"));
        assert!(!p.matches(".example.internal"));
        assert!(!p.matches("*.example.internal"));
        assert!(!p.matches("orders.example.internal.evil"));
        assert!(!p.matches("ordersexample.internal"));
        let exact = DomainPattern::parse("orders.example.internal").unwrap();
        assert!(exact.matches("Orders.Example.Internal."));
        assert!(!exact.matches("x.orders.example.internal"));
        assert_eq!(exact.domain(), "orders.example.internal");
    }

    // ----- custom domain table -----

    fn region(r: &str) -> DomainRegion {
        DomainRegion::region(r).unwrap()
    }

    #[test]
    fn exact_wins_over_wildcard() {
        // Insert in both orders: precedence must not depend on it.
        for flip in [false, true] {
            let mut table = CustomDomains::new();
            let entries = [
                ("*.example.internal", region("us-west-2")),
                ("billing.example.internal", region("eu-central-1")),
            ];
            let order: Vec<_> = if flip {
                entries.iter().rev().collect()
            } else {
                entries.iter().collect()
            };
            for (p, r) in order {
                assert_eq!(table.insert(p.parse().unwrap(), r.clone()).unwrap(), None);
            }
            assert_eq!(
                table.get("billing.example.internal"),
                Some(&region("eu-central-1"))
            );
            assert_eq!(
                table.get("orders.example.internal"),
                Some(&region("us-west-2"))
            );
            let (pattern, _) = table.lookup("orders.example.internal").unwrap();
            assert_eq!(pattern.as_str(), "*.example.internal");
            assert_eq!(table.len(), 2);
        }
    }

    #[test]
    fn lookup_ignores_case_and_trailing_dot() {
        let table = CustomDomains::new()
            .with("Orders.Example.Internal", region("us-east-1"))
            .unwrap()
            .with(
                "*.svc.example.internal.",
                DomainRegion::region_set(["*"]).unwrap(),
            )
            .unwrap();
        for host in [
            "orders.example.internal",
            "ORDERS.EXAMPLE.INTERNAL",
            "orders.example.internal.",
            "oRdErS.example.INTERNAL.",
        ] {
            assert_eq!(table.get(host), Some(&region("us-east-1")), "{host}");
        }
        for host in ["a.svc.example.internal", "A.SVC.EXAMPLE.INTERNAL."] {
            assert!(
                table.get(host).is_some_and(DomainRegion::is_region_set),
                "{host}"
            );
        }
        for host in [
            "",
            ".",
            "svc.example.internal",
            "a.b.svc.example.internal",
            "*.svc.example.internal",
            ".svc.example.internal",
            "orders.example.internal..",
            "orders.example.internal:443",
            "example.internal",
            "xorders.example.internal",
        ] {
            assert_eq!(table.get(host), None, "{host}");
        }
    }

    #[test]
    fn insert_replace_remove() {
        let mut table = CustomDomains::new();
        let p: DomainPattern = "orders.example.internal".parse().unwrap();
        assert_eq!(table.insert(p.clone(), region("us-east-1")).unwrap(), None);
        assert_eq!(
            table.insert(p.clone(), region("us-west-2")).unwrap(),
            Some(region("us-east-1"))
        );
        assert_eq!(table.len(), 1);
        // Invalid regions are rejected and leave the table unchanged.
        assert!(
            table
                .insert(p.clone(), DomainRegion::Region("*".into()))
                .is_err()
        );
        assert!(
            table
                .insert(p.clone(), DomainRegion::RegionSet(vec![]))
                .is_err()
        );
        assert!(
            table
                .insert(
                    "x.example".parse().unwrap(),
                    DomainRegion::Region("US-EAST-1".into())
                )
                .is_err()
        );
        assert_eq!(
            table.get("orders.example.internal"),
            Some(&region("us-west-2"))
        );
        assert_eq!(table.len(), 1);
        assert!(
            CustomDomains::new()
                .with("bad_domain", region("us-east-1"))
                .is_err()
        );
        assert_eq!(table.remove(&p), Some(region("us-west-2")));
        assert_eq!(table.remove(&p), None);
        assert!(table.is_empty());
    }

    #[test]
    fn iter_is_sorted() {
        let table = CustomDomains::new()
            .with("b.example", region("us-east-1"))
            .unwrap()
            .with("*.example", region("us-east-2"))
            .unwrap()
            .with("a.example", region("us-west-1"))
            .unwrap();
        let keys: Vec<_> = table.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(keys, ["*.example", "a.example", "b.example"]);
    }

    #[test]
    fn excerpt_shortens_on_char_boundary() {
        let s = "é".repeat(300);
        let e = excerpt(&s);
        assert!(e.len() <= 204);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("short"), "short");
    }

    // ----- properties -----

    fn service_name() -> impl Strategy<Value = String> {
        // Valid creation names: 3–40, alnum at both ends, no `--`.
        "[a-z0-9]{1,5}(-[a-z0-9]{1,5}){0,5}"
            .prop_filter("3..=40 chars", |s| (3..=40).contains(&s.len()))
    }
    fn region_s() -> impl Strategy<Value = String> {
        "[a-z]{2,4}(-[a-z]{1,9}){1,2}-[0-9]{1,2}"
    }
    fn label() -> impl Strategy<Value = String> {
        "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?"
    }

    proptest! {
        #[test]
        fn names_round_trip(
            name in service_name(),
            id in "[0-9a-z]{16,20}",
            partition in "[0-9a-z]{1,12}",
            region in region_s(),
        ) {
            let sid = crate::arn::ServiceId::from_suffix(&id).unwrap();
            let built = LatticeName::from_parts(&name, &sid, &partition, &region).unwrap();
            let text = built.to_string();
            let back: LatticeName = text.parse().unwrap();
            prop_assert_eq!(&back, &built);
            prop_assert_eq!(back.service_name(), name.as_str());
            prop_assert_eq!(back.service_id(), &sid);
            prop_assert_eq!(back.partition(), partition.as_str());
            prop_assert_eq!(back.region(), region.as_str());
            prop_assert_eq!(LatticeName::region_of(&text), Some(region.as_str()));
            // Case and trailing dot do not change the parsed value.
            let upper = format!("{}.", text.to_ascii_uppercase());
            prop_assert_eq!(LatticeName::parse(&upper).unwrap(), built);
        }

        #[test]
        fn domain_patterns_round_trip(labels in proptest::collection::vec(label(), 1..5), wild in any::<bool>(), dot in any::<bool>()) {
            let domain = labels.join(".");
            let text = if wild { format!("*.{domain}") } else { domain.clone() };
            let p = DomainPattern::parse(&if dot { format!("{text}.") } else { text.clone() }).unwrap();
            prop_assert_eq!(p.as_str(), text.as_str());
            prop_assert_eq!(p.to_string().parse::<DomainPattern>().unwrap(), p.clone());
            prop_assert_eq!(p.domain(), domain.as_str());
            // A wildcard matches exactly one more label; an exact pattern only itself.
            prop_assert_eq!(p.matches(&format!("x.{domain}")), wild);
            prop_assert_eq!(p.matches(&domain), !wild);
            let two_deeper = format!("x.y.{domain}");
            prop_assert!(!p.matches(&two_deeper));
            let table = CustomDomains::new().with(&text, DomainRegion::region("us-east-1").unwrap()).unwrap();
            prop_assert_eq!(table.get(&format!("x.{}", domain.to_ascii_uppercase())).is_some(), wild);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in any::<String>()) {
            check_all(&s);
        }

        #[test]
        fn name_like_strings_never_panic(s in "[a-zA-Z0-9.*_-]{0,40}(\\.vpc-lattice-svcs\\.[a-zA-Z0-9-]{0,12}\\.on\\.aws\\.?)?") {
            check_all(&s);
        }

        #[test]
        fn parse_and_region_of_agree(s in "([a-z0-9-]{0,24}\\.){0,3}(vpc-lattice-svcs\\.)?[a-z0-9-]{0,12}(\\.on\\.aws)?\\.?") {
            let parsed = LatticeName::parse(&s);
            prop_assert_eq!(parsed.is_ok(), LatticeName::region_of(&s).is_some());
            if let Ok(name) = parsed {
                prop_assert_eq!(Some(name.region()), LatticeName::region_of(&s));
                prop_assert_eq!(name.to_string().parse::<LatticeName>().unwrap(), name.clone());
            }
        }
    }

    fn check_all(s: &str) {
        let parsed = LatticeName::parse(s);
        assert_eq!(parsed.is_ok(), LatticeName::region_of(s).is_some());
        if let Ok(name) = parsed {
            let _ = (
                name.service_name(),
                name.service_id(),
                name.partition(),
                name.region(),
            );
        } else if let Err(e) = parsed {
            let _ = e.to_string();
        }
        let _ = is_region(s);
        let _ = validate_service_name(s);
        let _ = DomainRegion::region(s);
        let _ = DomainRegion::region_set(s.split(','));
        if let Ok(p) = DomainPattern::parse(s) {
            assert!(p.is_wildcard() || p.matches(s));
        }
        let table = CustomDomains::new()
            .with(
                "*.example.internal",
                DomainRegion::region("us-east-1").unwrap(),
            )
            .unwrap()
            .with(
                "a.example.internal",
                DomainRegion::region("us-east-2").unwrap(),
            )
            .unwrap();
        let _ = table.lookup(s);
    }
}
