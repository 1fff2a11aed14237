//! The errors of this module: which name, domain or region was expected and
//! what is wrong with it.

/// A generated name, service name, domain or signing region that is not valid.
///
/// The caller's input is at fault in every case; the message names the part
/// that is wrong and shows what a valid value looks like. Inputs longer than
/// 200 bytes are shortened in the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Not a generated Lattice service name ([`LatticeName`](super::LatticeName)).
    #[error("invalid Lattice service name `{input}`: {problem}")]
    LatticeName {
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: LatticeNameProblem,
    },
    /// Not a valid service name for a new service ([`validate_service_name`](super::validate_service_name)).
    #[error("invalid service name `{input}`: {problem}")]
    ServiceName {
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: ServiceNameProblem,
    },
    /// Not a valid custom domain or domain pattern ([`DomainPattern`](super::DomainPattern)).
    #[error("invalid domain `{input}`: {problem}")]
    Domain {
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: DomainProblem,
    },
    /// Not a valid signing region or region-set entry ([`DomainRegion`](super::DomainRegion)).
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
    /// A wildcard where one exact domain is needed ([`validate_custom_domain`](super::validate_custom_domain)).
    #[error(
        "a service's custom domain is one exact name such as `orders.example.internal`; `*` is not allowed"
    )]
    WildcardNotAllowed,
    /// A single label where a custom domain needs a parent domain
    /// ([`validate_custom_domain`](super::validate_custom_domain)).
    #[error("a custom domain needs at least two labels, such as `orders.example.internal`")]
    SingleLabel,
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

/// A valid generated name, used in error messages.
const EXAMPLE_NAME: &str = "my-service-0123456789abcdef0.7d67968.vpc-lattice-svcs.us-west-2.on.aws";
