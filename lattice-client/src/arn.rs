//! VPC Lattice resource ids and ARNs, and the IAM/STS principal ARNs that call them.
//!
//! Every type here parses with [`FromStr`] (or its `parse` function) and prints
//! back the exact text it was parsed from with [`Display`](fmt::Display), so
//! `s.parse::<T>()?.to_string() == s` for every accepted `s`.
//!
//! | type | form |
//! |---|---|
//! | [`ServiceId`] | `svc-0123456789abcdef0` |
//! | [`ServiceNetworkId`] | `sn-0123456789abcdef0` |
//! | [`TargetGroupId`] | `tg-0123456789abcdef0` |
//! | [`ListenerId`] | `listener-0123456789abcdef0` |
//! | [`RuleId`] | `rule-0123456789abcdef0` |
//! | [`VpcId`] | `vpc-0123456789abcdef0` or `vpc-1a2b3c4d` |
//! | [`Arn`] | any `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` |
//! | [`ServiceArn`] | `arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-…` |
//! | [`ServiceNetworkArn`] | `arn:aws:vpc-lattice:REGION:ACCOUNT:servicenetwork/sn-…` |
//! | [`TargetGroupArn`] | `arn:aws:vpc-lattice:REGION:ACCOUNT:targetgroup/tg-…` |
//! | [`ListenerArn`] | `…:service/svc-…/listener/listener-…` |
//! | [`RuleArn`] | `…:service/svc-…/listener/listener-…/rule/rule-…` |
//! | [`VpcArn`] | `arn:aws:ec2:REGION:ACCOUNT:vpc/vpc-…` |
//! | [`PrincipalArn`] | IAM roles and users, STS assumed roles and federated users, the account root |
//!
//! Ids are stored inline (no heap allocation); an ARN holds its text in one
//! `String`, so parsing an ARN allocates once.
//!
//! ```
//! use lattice_client::arn::ServiceArn;
//!
//! let arn: ServiceArn = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
//!     .parse()?;
//! assert_eq!(arn.region(), "us-west-2");
//! assert_eq!(arn.account(), "111122223333");
//! assert_eq!(arn.id().as_str(), "svc-0123456789abcdef0");
//! // The auth-policy resource of a request to `/orders/42?expand=items`:
//! assert_eq!(
//!     arn.invoke_resource("/orders/42?expand=items"),
//!     "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42",
//! );
//! # Ok::<(), lattice_client::arn::ArnError>(())
//! ```

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Range, RangeInclusive};
use std::str::FromStr;

use crate::name::{excerpt, is_region};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// An id, ARN or principal ARN that could not be parsed.
///
/// The caller's input is at fault in every case; the message names the part
/// that is wrong and shows what a valid value looks like. Inputs longer than
/// 200 bytes are shortened in the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArnError {
    /// A resource id such as `svc-…` is malformed.
    #[error("invalid {kind} `{input}`: expected {}", .kind.rule())]
    Id {
        /// Which id was expected.
        kind: IdKind,
        /// The text that was given (possibly shortened).
        input: String,
    },
    /// An ARN is malformed, or is not the kind of ARN that was expected.
    #[error("invalid {kind} `{input}`: {problem}")]
    Arn {
        /// Which ARN was expected.
        kind: ArnKind,
        /// The text that was given (possibly shortened).
        input: String,
        /// What is wrong with it.
        problem: ArnProblem,
    },
}

impl ArnError {
    fn arn(kind: ArnKind, input: &str, problem: ArnProblem) -> Self {
        ArnError::Arn {
            kind,
            input: excerpt(input),
            problem,
        }
    }
}

/// The part of an ARN that is wrong; see [`ArnError::Arn`].
///
/// Strings held here are slices of the input (possibly shortened).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArnProblem {
    /// The text does not start with `arn:`.
    #[error("it does not start with `arn:`; expected the form `{example}`")]
    Prefix {
        /// A valid ARN of the expected kind.
        example: &'static str,
    },
    /// Fewer than six `:`-separated fields.
    #[error("it has {found} `:`-separated fields, expected 6 as in `{example}`")]
    Fields {
        /// How many fields were found.
        found: usize,
        /// A valid ARN of the expected kind.
        example: &'static str,
    },
    /// The partition field is not a partition name.
    #[error("the partition `{0}` is not a partition such as `aws`, `aws-cn` or `aws-us-gov`")]
    Partition(String),
    /// The service field is not a service namespace.
    #[error("the service `{0}` is not a service namespace such as `vpc-lattice` or `iam`")]
    Service(String),
    /// The service field names another service than this kind of ARN needs.
    #[error("the service `{found}` is not {expected}")]
    WrongService {
        /// The service that was found.
        found: String,
        /// The service (or services) expected, quoted.
        expected: &'static str,
    },
    /// The region field is not a region name.
    #[error("the region `{0}` is not a region such as `us-west-2`")]
    Region(String),
    /// The region field is empty, but this kind of ARN needs one.
    #[error("the region is empty; this ARN needs a region such as `us-west-2`")]
    MissingRegion,
    /// The region field is set, but IAM and STS ARNs have none.
    #[error(
        "the region `{0}` must be empty in an IAM or STS ARN, as in `arn:aws:iam::111122223333:role/name`"
    )]
    UnexpectedRegion(String),
    /// The account field is not a 12-digit account id.
    #[error("the account `{0}` is not a 12-digit account id such as `111122223333`")]
    Account(String),
    /// The resource field does not have the expected shape.
    #[error("the resource `{found}` is not of the form `{expected}`")]
    Resource {
        /// The resource that was found.
        found: String,
        /// The expected form.
        expected: &'static str,
    },
    /// An id inside the resource is malformed.
    #[error("the {kind} `{found}` is not {}", .kind.rule())]
    Id {
        /// Which id was expected.
        kind: IdKind,
        /// The id text that was found.
        found: String,
    },
    /// A role, user or session name, or an IAM path, inside a principal ARN is malformed.
    #[error("the {part} `{found}` is not {}", .part.rule())]
    PrincipalPart {
        /// Which part of the principal is wrong.
        part: PrincipalPart,
        /// The text that was found.
        found: String,
    },
}

/// Which kind of ARN was expected; part of [`ArnError::Arn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArnKind {
    /// Any ARN ([`Arn`]).
    Generic,
    /// [`ServiceArn`].
    Service,
    /// [`ServiceNetworkArn`].
    ServiceNetwork,
    /// [`TargetGroupArn`].
    TargetGroup,
    /// [`ListenerArn`].
    Listener,
    /// [`RuleArn`].
    Rule,
    /// [`VpcArn`].
    Vpc,
    /// [`PrincipalArn`].
    Principal,
}

impl ArnKind {
    /// A valid ARN of this kind, used in error messages.
    pub const fn example(self) -> &'static str {
        match self {
            ArnKind::Generic | ArnKind::Service => {
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
            }
            ArnKind::ServiceNetwork => {
                "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0"
            }
            ArnKind::TargetGroup => {
                "arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-0123456789abcdef0"
            }
            ArnKind::Listener => {
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0"
            }
            ArnKind::Rule => {
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0"
            }
            ArnKind::Vpc => "arn:aws:ec2:us-west-2:111122223333:vpc/vpc-0123456789abcdef0",
            ArnKind::Principal => "arn:aws:iam::111122223333:role/name",
        }
    }

    const fn resource_form(self) -> &'static str {
        match self {
            ArnKind::Generic => "TYPE/ID",
            ArnKind::Service => "service/svc-…",
            ArnKind::ServiceNetwork => "servicenetwork/sn-…",
            ArnKind::TargetGroup => "targetgroup/tg-…",
            ArnKind::Listener => "service/svc-…/listener/listener-…",
            ArnKind::Rule => "service/svc-…/listener/listener-…/rule/rule-…",
            ArnKind::Vpc => "vpc/vpc-…",
            ArnKind::Principal => {
                "role/[PATH/]NAME`, `user/[PATH/]NAME`, `root`, `assumed-role/NAME/SESSION` or `federated-user/NAME"
            }
        }
    }
}

impl fmt::Display for ArnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArnKind::Generic => "ARN",
            ArnKind::Service => "service ARN",
            ArnKind::ServiceNetwork => "service network ARN",
            ArnKind::TargetGroup => "target group ARN",
            ArnKind::Listener => "listener ARN",
            ArnKind::Rule => "rule ARN",
            ArnKind::Vpc => "VPC ARN",
            ArnKind::Principal => "principal ARN",
        })
    }
}

/// A part of a principal ARN; see [`ArnProblem::PrincipalPart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrincipalPart {
    /// The role, user or federated-user name.
    Name,
    /// The IAM path of a role or user.
    Path,
    /// The session name of an assumed role.
    Session,
}

impl PrincipalPart {
    fn rule(self) -> &'static str {
        match self {
            PrincipalPart::Name | PrincipalPart::Session => {
                "1–64 characters from letters, digits and `+=,.@_-`, such as `my-role`"
            }
            PrincipalPart::Path => {
                "an IAM path such as `/` or `/service-role/` (at most 512 printable ASCII characters)"
            }
        }
    }
}

impl fmt::Display for PrincipalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PrincipalPart::Name => "name",
            PrincipalPart::Path => "path",
            PrincipalPart::Session => "session name",
        })
    }
}

// ---------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------

/// Which resource id; part of [`ArnError::Id`] and [`ArnProblem::Id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// [`ServiceId`], `svc-…`.
    Service,
    /// [`ServiceNetworkId`], `sn-…`.
    ServiceNetwork,
    /// [`TargetGroupId`], `tg-…`.
    TargetGroup,
    /// [`ListenerId`], `listener-…`.
    Listener,
    /// [`RuleId`], `rule-…`.
    Rule,
    /// [`VpcId`], `vpc-…`.
    Vpc,
}

impl IdKind {
    /// The prefix ids of this kind start with, such as `svc-`.
    pub const fn prefix(self) -> &'static str {
        match self {
            IdKind::Service => "svc-",
            IdKind::ServiceNetwork => "sn-",
            IdKind::TargetGroup => "tg-",
            IdKind::Listener => "listener-",
            IdKind::Rule => "rule-",
            IdKind::Vpc => "vpc-",
        }
    }

    /// The accepted length of the part after the prefix, in characters.
    ///
    /// Lattice ids are documented as 17 characters after the prefix (API
    /// patterns for `svc-` and `tg-`; UNCONFIRMED for the others). Real
    /// documents show 16 and 18, so 16–20 is accepted. VPC ids are 8 (old
    /// style, e.g. `vpc-1a2b3c4d`) or 17 hexadecimal digits; 8–20 is accepted.
    pub const fn suffix_len(self) -> RangeInclusive<usize> {
        match self {
            IdKind::Vpc => 8..=20,
            _ => 16..=20,
        }
    }

    /// A valid id of this kind.
    pub const fn example(self) -> &'static str {
        match self {
            IdKind::Service => "svc-0123456789abcdef0",
            IdKind::ServiceNetwork => "sn-0123456789abcdef0",
            IdKind::TargetGroup => "tg-0123456789abcdef0",
            IdKind::Listener => "listener-0123456789abcdef0",
            IdKind::Rule => "rule-0123456789abcdef0",
            IdKind::Vpc => "vpc-0123456789abcdef0",
        }
    }

    fn rule(self) -> IdRule {
        IdRule(self)
    }

    /// Whether `s` is a valid id of this kind.
    fn accepts(self, s: &str) -> bool {
        s.strip_prefix(self.prefix())
            .is_some_and(|suffix| self.accepts_suffix(suffix))
    }

    fn accepts_suffix(self, suffix: &str) -> bool {
        self.suffix_len().contains(&suffix.len())
            && suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Service => "service id",
            IdKind::ServiceNetwork => "service network id",
            IdKind::TargetGroup => "target group id",
            IdKind::Listener => "listener id",
            IdKind::Rule => "rule id",
            IdKind::Vpc => "VPC id",
        })
    }
}

/// "`svc-` followed by 16–20 lower-case letters or digits, such as `svc-…`".
struct IdRule(IdKind);

impl fmt::Display for IdRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.0.suffix_len();
        write!(
            f,
            "`{}` followed by {}–{} lower-case letters or digits, such as `{}`",
            self.0.prefix(),
            len.start(),
            len.end(),
            self.0.example()
        )
    }
}

/// Longest id: `listener-` (9) + 20.
const ID_CAP: usize = 32;

/// Inline, zero-padded storage for an ASCII id.
#[derive(Clone, Copy)]
struct IdBuf {
    len: u8,
    bytes: [u8; ID_CAP],
}

impl IdBuf {
    fn new(prefix: &str, suffix: &str) -> Option<Self> {
        let total = prefix.len().checked_add(suffix.len())?;
        if total > ID_CAP {
            return None;
        }
        let mut bytes = [0u8; ID_CAP];
        for (slot, b) in bytes.iter_mut().zip(prefix.bytes().chain(suffix.bytes())) {
            *slot = b;
        }
        Some(Self {
            len: u8::try_from(total).ok()?,
            bytes,
        })
    }

    fn as_str(&self) -> &str {
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

fn parse_id(kind: IdKind, s: &str) -> Option<IdBuf> {
    if !kind.accepts(s) {
        return None;
    }
    IdBuf::new("", s)
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident => $kind:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(IdBuf);

        impl $name {
            /// The kind of this id.
            pub const KIND: IdKind = IdKind::$kind;

            /// The prefix every id of this type starts with.
            pub const PREFIX: &'static str = IdKind::$kind.prefix();

            /// Parses an id: the prefix, then the number of lower-case
            /// letters or digits given by [`IdKind::suffix_len`].
            ///
            /// # Errors
            ///
            /// [`ArnError::Id`] when `s` is not such an id.
            pub fn parse(s: &str) -> Result<Self, ArnError> {
                parse_id(IdKind::$kind, s)
                    .map(Self)
                    .ok_or_else(|| ArnError::Id { kind: IdKind::$kind, input: excerpt(s) })
            }

            /// Builds the id from the part after the prefix.
            ///
            /// # Errors
            ///
            /// [`ArnError::Id`] when the suffix has the wrong length or characters.
            pub fn from_suffix(suffix: &str) -> Result<Self, ArnError> {
                match IdBuf::new(Self::PREFIX, suffix) {
                    Some(buf) if IdKind::$kind.accepts_suffix(suffix) => Ok(Self(buf)),
                    _ => Err(ArnError::Id {
                        kind: IdKind::$kind,
                        input: excerpt(&format!("{}{}", Self::PREFIX, suffix)),
                    }),
                }
            }

            /// The whole id, prefix included.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The id without its prefix.
            pub fn suffix(&self) -> &str {
                self.as_str().get(Self::PREFIX.len()..).unwrap_or("")
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ArnError;
            fn from_str(s: &str) -> Result<Self, ArnError> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ArnError;
            fn try_from(s: &str) -> Result<Self, ArnError> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $name {}

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.as_str().hash(state);
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                self.as_str().cmp(other.as_str())
            }
        }
    };
}

id_type! {
    /// A Lattice service id, `svc-` followed by 16–20 lower-case letters or
    /// digits (17 in the API documentation).
    ///
    /// Stored inline; cloning does not allocate.
    ///
    /// ```
    /// use lattice_client::arn::ServiceId;
    ///
    /// let id: ServiceId = "svc-0b17e5b0e8a993adf".parse()?;
    /// assert_eq!(id.suffix(), "0b17e5b0e8a993adf");
    /// assert_eq!(id, ServiceId::from_suffix("0b17e5b0e8a993adf")?);
    /// assert!("svc-UPPER0000000000".parse::<ServiceId>().is_err());
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    ServiceId => Service
}

id_type! {
    /// A Lattice service network id, `sn-` followed by 16–20 lower-case
    /// letters or digits.
    ///
    /// ```
    /// # use lattice_client::arn::ServiceNetworkId;
    /// let id: ServiceNetworkId = "sn-0bf3f2882e9cc805a".parse()?;
    /// assert_eq!(id.to_string(), "sn-0bf3f2882e9cc805a");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    ServiceNetworkId => ServiceNetwork
}

id_type! {
    /// A Lattice target group id, `tg-` followed by 16–20 lower-case letters
    /// or digits.
    ///
    /// ```
    /// # use lattice_client::arn::TargetGroupId;
    /// let id: TargetGroupId = "tg-06d0ecf831eec9f09".parse()?;
    /// assert_eq!(id.suffix(), "06d0ecf831eec9f09");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    TargetGroupId => TargetGroup
}

id_type! {
    /// A Lattice listener id, `listener-` followed by 16–20 lower-case letters
    /// or digits (length UNCONFIRMED; 17 assumed, range accepted).
    ///
    /// ```
    /// # use lattice_client::arn::ListenerId;
    /// let id: ListenerId = "listener-0123456789abcdef0".parse()?;
    /// assert_eq!(ListenerId::PREFIX, "listener-");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    ListenerId => Listener
}

id_type! {
    /// A Lattice listener rule id, `rule-` followed by 16–20 lower-case
    /// letters or digits (length UNCONFIRMED; 17 assumed, range accepted).
    ///
    /// ```
    /// # use lattice_client::arn::RuleId;
    /// let id: RuleId = "rule-0123456789abcdef0".parse()?;
    /// assert_eq!(id.suffix(), "0123456789abcdef0");
    /// # Ok::<(), lattice_client::arn::ArnError>(())
    /// ```
    RuleId => Rule
}

id_type! {
    /// An EC2 VPC id, `vpc-` followed by 8–20 lower-case letters or digits
    /// (EC2 uses 8 or 17 hexadecimal digits).
    ///
    /// ```
    /// # use lattice_client::arn::VpcId;
    /// assert!("vpc-0b8276c84697e7339".parse::<VpcId>().is_ok());
    /// assert!("vpc-1a2b3c4d".parse::<VpcId>().is_ok());
    /// assert!("vpc-1a2b".parse::<VpcId>().is_err());
    /// ```
    VpcId => Vpc
}

// ---------------------------------------------------------------------------
// Generic ARN
// ---------------------------------------------------------------------------

/// Field slices of an ARN, borrowed from its text.
#[derive(Clone, Copy)]
struct Fields<'a> {
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
    /// Byte offsets of the five separating colons.
    colons: [usize; 5],
}

fn split_fields(s: &str, kind: ArnKind) -> Result<Fields<'_>, ArnProblem> {
    if !s.starts_with("arn:") {
        return Err(ArnProblem::Prefix {
            example: kind.example(),
        });
    }
    let mut colons = [0usize; 5];
    let mut found = 0usize;
    for (slot, (pos, _)) in colons.iter_mut().zip(s.match_indices(':')) {
        *slot = pos;
        found += 1;
    }
    if found < colons.len() {
        return Err(ArnProblem::Fields {
            found: found + 1,
            example: kind.example(),
        });
    }
    let [c0, c1, c2, c3, c4] = colons;
    let field = |a: usize, b: usize| s.get(a.saturating_add(1)..b).unwrap_or("");
    Ok(Fields {
        partition: field(c0, c1),
        service: field(c1, c2),
        region: field(c2, c3),
        account: field(c3, c4),
        resource: s.get(c4.saturating_add(1)..).unwrap_or(""),
        colons,
    })
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …: a lower-case letter, then
/// lower-case letters, digits and inner hyphens, at most 32 characters.
fn is_partition(s: &str) -> bool {
    let b = s.as_bytes();
    !s.is_empty()
        && s.len() <= 32
        && b.first().is_some_and(u8::is_ascii_lowercase)
        && b.last().is_some_and(|c| *c != b'-')
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// A service namespace such as `vpc-lattice`, `ec2`, `s3`.
fn is_service_namespace(s: &str) -> bool {
    let b = s.as_bytes();
    !s.is_empty()
        && s.len() <= 64
        && b.first()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Exactly 12 ASCII digits.
fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_generic(f: &Fields<'_>) -> Result<(), ArnProblem> {
    if !is_partition(f.partition) {
        return Err(ArnProblem::Partition(excerpt(f.partition)));
    }
    if !is_service_namespace(f.service) {
        return Err(ArnProblem::Service(excerpt(f.service)));
    }
    if !f.region.is_empty() && !is_region(f.region) {
        return Err(ArnProblem::Region(excerpt(f.region)));
    }
    if !(f.account.is_empty() || f.account == "aws" || is_account(f.account)) {
        return Err(ArnProblem::Account(excerpt(f.account)));
    }
    if f.resource.is_empty() || f.resource.chars().any(char::is_control) {
        return Err(ArnProblem::Resource {
            found: excerpt(f.resource),
            expected: ArnKind::Generic.resource_form(),
        });
    }
    Ok(())
}

/// Any Amazon Resource Name: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
///
/// Checked: the partition (`aws`, `aws-cn`, …), the service namespace
/// (lower-case letters, digits, hyphens), the region (empty or a region such
/// as `us-west-2`), the account (empty, 12 digits, or `aws` as in AWS managed
/// policies) and the resource (non-empty, no control characters; it may
/// contain `:` and `/`). The typed ARNs of this module are stricter.
///
/// ```
/// use lattice_client::arn::Arn;
///
/// let arn: Arn = "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339".parse()?;
/// assert_eq!(arn.partition(), "aws");
/// assert_eq!(arn.service(), "ec2");
/// assert_eq!(arn.region(), Some("us-east-2"));
/// assert_eq!(arn.account(), Some("123456789012"));
/// assert_eq!(arn.resource(), "vpc/vpc-0b8276c84697e7339");
///
/// let bucket: Arn = "arn:aws:s3:::my-bucket".parse()?;
/// assert_eq!(bucket.region(), None);
/// # Ok::<(), lattice_client::arn::ArnError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    text: String,
    colons: [usize; 5],
}

impl Arn {
    /// Parses any ARN.
    ///
    /// # Errors
    ///
    /// [`ArnError::Arn`] naming the first field that is wrong.
    pub fn parse(s: &str) -> Result<Self, ArnError> {
        let fields = split_fields(s, ArnKind::Generic)
            .and_then(|f| check_generic(&f).map(|()| f.colons))
            .map_err(|p| ArnError::arn(ArnKind::Generic, s, p))?;
        Ok(Self {
            text: s.to_owned(),
            colons: fields,
        })
    }

    /// Builds an ARN from its fields (pass `""` for an empty region or account).
    ///
    /// # Errors
    ///
    /// As [`Arn::parse`] on the joined text.
    pub fn from_parts(
        partition: &str,
        service: &str,
        region: &str,
        account: &str,
        resource: &str,
    ) -> Result<Self, ArnError> {
        Self::parse(&format!(
            "arn:{partition}:{service}:{region}:{account}:{resource}"
        ))
    }

    fn fields(&self) -> Fields<'_> {
        let [c0, c1, c2, c3, c4] = self.colons;
        let field = |a: usize, b: usize| self.text.get(a.saturating_add(1)..b).unwrap_or("");
        Fields {
            partition: field(c0, c1),
            service: field(c1, c2),
            region: field(c2, c3),
            account: field(c3, c4),
            resource: self.text.get(c4.saturating_add(1)..).unwrap_or(""),
            colons: self.colons,
        }
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The partition, such as `aws`.
    pub fn partition(&self) -> &str {
        self.fields().partition
    }

    /// The service namespace, such as `vpc-lattice`, `ec2`, `iam` or `sts`.
    pub fn service(&self) -> &str {
        self.fields().service
    }

    /// The region, or `None` when the field is empty (IAM, STS, S3, …).
    pub fn region(&self) -> Option<&str> {
        Some(self.fields().region).filter(|r| !r.is_empty())
    }

    /// The account field, or `None` when it is empty. Usually 12 digits; `aws`
    /// for AWS-managed resources.
    pub fn account(&self) -> Option<&str> {
        Some(self.fields().account).filter(|a| !a.is_empty())
    }

    /// Everything after the fifth `:`, such as `service/svc-0123456789abcdef0`.
    pub fn resource(&self) -> &str {
        self.fields().resource
    }

    /// Consumes the ARN, returning its text.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl fmt::Debug for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Arn").field(&self.text).finish()
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Arn {
    type Err = ArnError;
    fn from_str(s: &str) -> Result<Self, ArnError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for Arn {
    type Error = ArnError;
    fn try_from(s: &str) -> Result<Self, ArnError> {
        Self::parse(s)
    }
}

impl AsRef<str> for Arn {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

// ---------------------------------------------------------------------------
// Typed ARNs
// ---------------------------------------------------------------------------

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
fn segments<const N: usize>(resource: &str) -> Option<[&str; N]> {
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

/// Common impls of a typed ARN `struct $name { arn: Arn, parts: $parts }`.
macro_rules! typed_arn {
    ($name:ident, $kind:ident, $check:path) => {
        impl $name {
            /// Parses this kind of ARN.
            ///
            /// # Errors
            ///
            /// [`ArnError::Arn`] naming the first part that is wrong.
            pub fn parse(s: &str) -> Result<Self, ArnError> {
                let (colons, parts) = split_fields(s, ArnKind::$kind)
                    .and_then(|f| $check(&f).map(|parts| (f.colons, parts)))
                    .map_err(|p| ArnError::arn(ArnKind::$kind, s, p))?;
                Ok(Self {
                    arn: Arn {
                        text: s.to_owned(),
                        colons,
                    },
                    parts,
                })
            }

            /// The whole ARN.
            pub fn as_str(&self) -> &str {
                self.arn.as_str()
            }

            /// The ARN as a generic [`Arn`].
            pub fn as_arn(&self) -> &Arn {
                &self.arn
            }

            /// The partition, such as `aws`.
            pub fn partition(&self) -> &str {
                self.arn.fields().partition
            }

            /// The region, such as `us-west-2`.
            pub fn region(&self) -> &str {
                self.arn.fields().region
            }

            /// The 12-digit account id.
            pub fn account(&self) -> &str {
                self.arn.fields().account
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(&self.as_str())
                    .finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ArnError;
            fn from_str(s: &str) -> Result<Self, ArnError> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ArnError;
            fn try_from(s: &str) -> Result<Self, ArnError> {
                Self::parse(s)
            }
        }

        impl TryFrom<Arn> for $name {
            type Error = ArnError;
            fn try_from(arn: Arn) -> Result<Self, ArnError> {
                match $check(&arn.fields()) {
                    Ok(parts) => Ok(Self { arn, parts }),
                    Err(p) => Err(ArnError::arn(ArnKind::$kind, arn.as_str(), p)),
                }
            }
        }

        impl From<$name> for Arn {
            fn from(typed: $name) -> Arn {
                typed.arn
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceArn {
    arn: Arn,
    parts: ServiceId,
}

typed_arn!(ServiceArn, Service, check_service);

impl ServiceArn {
    /// Builds the ARN of service `id` in `partition`, `region` and `account`.
    ///
    /// # Errors
    ///
    /// [`ArnError::Arn`] when the partition, region or account is invalid.
    pub fn from_parts(
        partition: &str,
        region: &str,
        account: &str,
        id: ServiceId,
    ) -> Result<Self, ArnError> {
        Self::parse(&format!(
            "arn:{partition}:vpc-lattice:{region}:{account}:service/{id}"
        ))
    }

    /// The service id.
    pub fn id(&self) -> &ServiceId {
        &self.parts
    }

    /// The resource an auth policy evaluates for a request to `path`: this
    /// ARN immediately followed by the path, without its query (`?…`) or
    /// fragment (`#…`).
    ///
    /// A path that does not start with `/` (including the empty path) gets one,
    /// so `""` and `"/"` both give `…/svc-…/`. For gRPC pass the RPC path,
    /// `/package.Service/Method`. The path is used as given: no percent
    /// decoding or normalisation (what Lattice does with `%`-escapes here is
    /// UNCONFIRMED).
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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceNetworkArn {
    arn: Arn,
    parts: ServiceNetworkId,
}

typed_arn!(ServiceNetworkArn, ServiceNetwork, check_service_network);

impl ServiceNetworkArn {
    /// Builds the ARN of service network `id`.
    ///
    /// # Errors
    ///
    /// [`ArnError::Arn`] when the partition, region or account is invalid.
    pub fn from_parts(
        partition: &str,
        region: &str,
        account: &str,
        id: ServiceNetworkId,
    ) -> Result<Self, ArnError> {
        Self::parse(&format!(
            "arn:{partition}:vpc-lattice:{region}:{account}:servicenetwork/{id}"
        ))
    }

    /// The service network id.
    pub fn id(&self) -> &ServiceNetworkId {
        &self.parts
    }
}

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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetGroupArn {
    arn: Arn,
    parts: TargetGroupId,
}

typed_arn!(TargetGroupArn, TargetGroup, check_target_group);

impl TargetGroupArn {
    /// Builds the ARN of target group `id`.
    ///
    /// # Errors
    ///
    /// [`ArnError::Arn`] when the partition, region or account is invalid.
    pub fn from_parts(
        partition: &str,
        region: &str,
        account: &str,
        id: TargetGroupId,
    ) -> Result<Self, ArnError> {
        Self::parse(&format!(
            "arn:{partition}:vpc-lattice:{region}:{account}:targetgroup/{id}"
        ))
    }

    /// The target group id.
    pub fn id(&self) -> &TargetGroupId {
        &self.parts
    }
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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerArn {
    arn: Arn,
    parts: (ServiceId, ListenerId),
}

typed_arn!(ListenerArn, Listener, check_listener);

impl ListenerArn {
    /// Builds the ARN of listener `id` of `service`.
    pub fn from_parts(service: &ServiceArn, id: ListenerId) -> Self {
        Self {
            arn: Arn {
                text: format!("{service}/listener/{id}"),
                colons: service.arn.colons,
            },
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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleArn {
    arn: Arn,
    parts: (ServiceId, ListenerId, RuleId),
}

typed_arn!(RuleArn, Rule, check_rule);

impl RuleArn {
    /// Builds the ARN of rule `id` of `listener`.
    pub fn from_parts(listener: &ListenerArn, id: RuleId) -> Self {
        Self {
            arn: Arn {
                text: format!("{listener}/rule/{id}"),
                colons: listener.arn.colons,
            },
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
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VpcArn {
    arn: Arn,
    parts: VpcId,
}

typed_arn!(VpcArn, Vpc, check_vpc);

impl VpcArn {
    /// Builds the ARN of VPC `id`.
    ///
    /// # Errors
    ///
    /// [`ArnError::Arn`] when the partition, region or account is invalid.
    pub fn from_parts(
        partition: &str,
        region: &str,
        account: &str,
        id: VpcId,
    ) -> Result<Self, ArnError> {
        Self::parse(&format!("arn:{partition}:ec2:{region}:{account}:vpc/{id}"))
    }

    /// The VPC id.
    pub fn id(&self) -> &VpcId {
        &self.parts
    }
}

// ---------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------

/// The kind of IAM or STS principal a [`PrincipalArn`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrincipalKind {
    /// `arn:aws:iam::ACCOUNT:root`, the account itself.
    Root,
    /// `arn:aws:iam::ACCOUNT:user/[PATH/]NAME`.
    User,
    /// `arn:aws:iam::ACCOUNT:role/[PATH/]NAME`.
    Role,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION`, a role session
    /// (what a signed caller using temporary role credentials is).
    AssumedRole,
    /// `arn:aws:sts::ACCOUNT:federated-user/NAME`.
    FederatedUser,
}

/// `[A-Za-z0-9+=,.@_-]`, 1–64 characters (IAM's name pattern; the per-kind
/// minimums of 2 for session and federated-user names are not enforced).
fn is_iam_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// `/` or `/…/` with printable ASCII inside, at most 512 characters.
fn is_iam_path(s: &str) -> bool {
    (s == "/" || (3..=512).contains(&s.len()))
        && s.starts_with('/')
        && s.ends_with('/')
        && s.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct PrincipalParts {
    kind: PrincipalKind,
    /// Byte ranges into the ARN text; empty when absent.
    name: Range<usize>,
    path: Range<usize>,
    session: Range<usize>,
}

fn check_principal(f: &Fields<'_>) -> Result<PrincipalParts, ArnProblem> {
    if !is_partition(f.partition) {
        return Err(ArnProblem::Partition(excerpt(f.partition)));
    }
    if f.service != "iam" && f.service != "sts" {
        return Err(ArnProblem::WrongService {
            found: excerpt(f.service),
            expected: "`iam` or `sts`",
        });
    }
    if !f.region.is_empty() {
        return Err(ArnProblem::UnexpectedRegion(excerpt(f.region)));
    }
    if !is_account(f.account) {
        return Err(ArnProblem::Account(excerpt(f.account)));
    }
    // Offsets below are relative to the resource, shifted at the end.
    let [_, _, _, _, c4] = f.colons;
    let base = c4.saturating_add(1);
    let shift = |r: Range<usize>| r.start.saturating_add(base)..r.end.saturating_add(base);
    let bad_resource = || ArnProblem::Resource {
        found: excerpt(f.resource),
        expected: ArnKind::Principal.resource_form(),
    };
    let bad = |part: PrincipalPart, s: &str| ArnProblem::PrincipalPart {
        part,
        found: excerpt(s),
    };
    let r = f.resource;
    let (kind, name, path, session) = match (f.service, r.split_once('/')) {
        ("iam", None) if r == "root" => (PrincipalKind::Root, 0..0, 0..0, 0..0),
        ("iam", Some((kw @ ("role" | "user"), rest))) => {
            // `rest` = `[PATH/]NAME`; the path keeps its leading and trailing `/`.
            let slash = kw.len();
            let last = rest.rfind('/').map_or(slash, |i| slash + 1 + i);
            let name = last + 1..r.len();
            let path = slash..last + 1;
            let name_s = r.get(name.clone()).unwrap_or("");
            let path_s = r.get(path.clone()).unwrap_or("");
            if !is_iam_name(name_s) {
                return Err(bad(PrincipalPart::Name, name_s));
            }
            if !is_iam_path(path_s) {
                return Err(bad(PrincipalPart::Path, path_s));
            }
            let kind = if kw == "role" {
                PrincipalKind::Role
            } else {
                PrincipalKind::User
            };
            (kind, name, path, 0..0)
        }
        ("sts", Some(("assumed-role", _))) => match segments::<3>(r) {
            Some([kw, role, sess]) => {
                let name = kw.len() + 1..kw.len() + 1 + role.len();
                let session = name.end + 1..r.len();
                if !is_iam_name(role) {
                    return Err(bad(PrincipalPart::Name, role));
                }
                if !is_iam_name(sess) {
                    return Err(bad(PrincipalPart::Session, sess));
                }
                (PrincipalKind::AssumedRole, name, 0..0, session)
            }
            None => return Err(bad_resource()),
        },
        ("sts", Some(("federated-user", user))) => {
            if !is_iam_name(user) {
                return Err(bad(PrincipalPart::Name, user));
            }
            let name = "federated-user/".len()..r.len();
            (PrincipalKind::FederatedUser, name, 0..0, 0..0)
        }
        _ => return Err(bad_resource()),
    };
    Ok(PrincipalParts {
        kind,
        name: shift(name),
        path: shift(path),
        session: shift(session),
    })
}

/// The ARN of an IAM or STS principal, as found in `x-amzn-lattice-identity`
/// (`Principal=`), in Lambda V2 `requestContext.identity.principal` and in
/// auth policies.
///
/// | kind | form | [`name`](Self::name) | [`path`](Self::path) | [`session`](Self::session) |
/// |---|---|---|---|---|
/// | [`Role`](PrincipalKind::Role) | `arn:aws:iam::ACCOUNT:role/[PATH/]NAME` | `NAME` | `/PATH/` or `/` | – |
/// | [`User`](PrincipalKind::User) | `arn:aws:iam::ACCOUNT:user/[PATH/]NAME` | `NAME` | `/PATH/` or `/` | – |
/// | [`AssumedRole`](PrincipalKind::AssumedRole) | `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` | role `NAME` | – | `SESSION` |
/// | [`FederatedUser`](PrincipalKind::FederatedUser) | `arn:aws:sts::ACCOUNT:federated-user/NAME` | `NAME` | – | – |
/// | [`Root`](PrincipalKind::Root) | `arn:aws:iam::ACCOUNT:root` | – | – | – |
///
/// The region field must be empty and the account 12 digits.
///
/// ```
/// use lattice_client::arn::{PrincipalArn, PrincipalKind};
///
/// let p: PrincipalArn =
///     "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7".parse()?;
/// assert_eq!(p.kind(), PrincipalKind::AssumedRole);
/// assert_eq!(p.account(), "123456789012");
/// assert_eq!(p.name(), Some("orders-client"));
/// assert_eq!(p.session(), Some("i-0c7de02a688bde9f7"));
///
/// let role: PrincipalArn = "arn:aws:iam::123456789012:role/service-role/rates-client".parse()?;
/// assert_eq!(role.path(), Some("/service-role/"));
/// assert_eq!(role.name(), Some("rates-client"));
/// # Ok::<(), lattice_client::arn::ArnError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PrincipalArn {
    arn: Arn,
    parts: PrincipalParts,
}

impl PrincipalArn {
    /// Parses a principal ARN.
    ///
    /// # Errors
    ///
    /// [`ArnError::Arn`] naming the first part that is wrong.
    pub fn parse(s: &str) -> Result<Self, ArnError> {
        let (colons, parts) = split_fields(s, ArnKind::Principal)
            .and_then(|f| check_principal(&f).map(|parts| (f.colons, parts)))
            .map_err(|p| ArnError::arn(ArnKind::Principal, s, p))?;
        Ok(Self {
            arn: Arn {
                text: s.to_owned(),
                colons,
            },
            parts,
        })
    }

    /// The whole ARN.
    pub fn as_str(&self) -> &str {
        self.arn.as_str()
    }

    /// The ARN as a generic [`Arn`].
    pub fn as_arn(&self) -> &Arn {
        &self.arn
    }

    /// What kind of principal this is.
    pub fn kind(&self) -> PrincipalKind {
        self.parts.kind
    }

    /// The partition, such as `aws`.
    pub fn partition(&self) -> &str {
        self.arn.fields().partition
    }

    /// The service namespace: `iam` or `sts`.
    pub fn service(&self) -> &str {
        self.arn.fields().service
    }

    /// The 12-digit account id.
    pub fn account(&self) -> &str {
        self.arn.fields().account
    }

    fn slice(&self, r: &Range<usize>) -> Option<&str> {
        self.arn.text.get(r.clone())
    }

    /// The role, user or federated-user name; for an assumed role, the role
    /// name (without path). `None` for the account root.
    pub fn name(&self) -> Option<&str> {
        match self.parts.kind {
            PrincipalKind::Root => None,
            _ => self.slice(&self.parts.name),
        }
    }

    /// The IAM path of a role or user, with leading and trailing `/` (just `/`
    /// when the ARN has none). `None` for other kinds: assumed-role ARNs do not
    /// carry the role's path.
    pub fn path(&self) -> Option<&str> {
        match self.parts.kind {
            PrincipalKind::Role | PrincipalKind::User => self.slice(&self.parts.path),
            _ => None,
        }
    }

    /// The session name of an assumed role; `None` for other kinds.
    pub fn session(&self) -> Option<&str> {
        match self.parts.kind {
            PrincipalKind::AssumedRole => self.slice(&self.parts.session),
            _ => None,
        }
    }
}

// The parts are derived from the text, so ordering by text agrees with `Eq`.
impl PartialOrd for PrincipalArn {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PrincipalArn {
    fn cmp(&self, other: &Self) -> Ordering {
        self.arn.cmp(&other.arn)
    }
}

impl fmt::Debug for PrincipalArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PrincipalArn").field(&self.as_str()).finish()
    }
}

impl fmt::Display for PrincipalArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PrincipalArn {
    type Err = ArnError;
    fn from_str(s: &str) -> Result<Self, ArnError> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for PrincipalArn {
    type Error = ArnError;
    fn try_from(s: &str) -> Result<Self, ArnError> {
        Self::parse(s)
    }
}

impl TryFrom<Arn> for PrincipalArn {
    type Error = ArnError;
    fn try_from(arn: Arn) -> Result<Self, ArnError> {
        match check_principal(&arn.fields()) {
            Ok(parts) => Ok(Self { arn, parts }),
            Err(p) => Err(ArnError::arn(ArnKind::Principal, arn.as_str(), p)),
        }
    }
}

impl From<PrincipalArn> for Arn {
    fn from(p: PrincipalArn) -> Arn {
        p.arn
    }
}

impl AsRef<str> for PrincipalArn {
    fn as_ref(&self) -> &str {
        self.as_str()
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

    // ----- every id and ARN in the fact sheet -----

    #[test]
    fn fact_sheet_service_arns() {
        for (s, region, account, id) in [
            (
                "arn:aws:vpc-lattice:us-east-2:123456789012:service/svc-0a40eebed65f8d69c",
                "us-east-2",
                "123456789012",
                "svc-0a40eebed65f8d69c",
            ),
            (
                "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b",
                "us-east-1",
                "123456789012",
                "svc-0725375ee8851076b",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0",
                "us-west-2",
                "123456789012",
                "svc-0123456789abcdef0",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0e5f3d2b3db4c7962",
                "us-west-2",
                "111122223333",
                "svc-0e5f3d2b3db4c7962",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0b1f56d26672bf677",
                "us-west-2",
                "111122223333",
                "svc-0b1f56d26672bf677",
            ),
        ] {
            let arn: ServiceArn = s.parse().unwrap();
            assert_eq!(arn.partition(), "aws");
            assert_eq!(arn.region(), region);
            assert_eq!(arn.account(), account);
            assert_eq!(arn.id(), &id);
            assert_eq!(arn.to_string(), s);
            let generic: Arn = s.parse().unwrap();
            assert_eq!(generic.service(), "vpc-lattice");
            assert_eq!(ServiceArn::try_from(generic).unwrap(), arn);
        }
    }

    #[test]
    fn fact_sheet_other_arns() {
        for s in [
            "arn:aws:vpc-lattice:us-east-2:123456789012:servicenetwork/sn-0bf3f2882e9cc805a",
            "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0827fa025cfa385f2",
            "arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-0123456789abcdef0",
        ] {
            let arn: ServiceNetworkArn = s.parse().unwrap();
            assert_eq!(arn.to_string(), s);
            assert!(arn.id().as_str().starts_with("sn-"));
        }
        for (s, id) in [
            (
                "arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-06d0ecf831eec9f09",
                "tg-06d0ecf831eec9f09",
            ),
            // 16 characters after `tg-` in the Service Authorization Reference example.
            (
                "arn:aws:vpc-lattice:us-east-2:123456789012:targetgroup/tg-6d0ecf831eec9f09",
                "tg-6d0ecf831eec9f09",
            ),
            (
                "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-02dd764d44bb49a8c",
                "tg-02dd764d44bb49a8c",
            ),
        ] {
            let arn: TargetGroupArn = s.parse().unwrap();
            assert_eq!(arn.id(), &id);
            assert_eq!(arn.to_string(), s);
        }
        for (s, region) in [
            (
                "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339",
                "us-east-2",
            ),
            (
                "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0",
                "us-east-1",
            ),
        ] {
            let arn: VpcArn = s.parse().unwrap();
            assert_eq!(arn.region(), region);
            assert_eq!(arn.to_string(), s);
        }
        // Bare ids from the sheet.
        assert!("vpc-0123456789abcdef0".parse::<VpcId>().is_ok());
        assert!("vpc-1a2b3c4d".parse::<VpcId>().is_ok());
        assert!("svc-0cfe1f49ff3266204".parse::<ServiceId>().is_ok());
        assert!("svc-0b17e5b0e8a993adf".parse::<ServiceId>().is_ok());
    }

    #[test]
    fn fact_sheet_principals() {
        let p: PrincipalArn = "arn:aws:iam::123456789012:role/rates-client"
            .parse()
            .unwrap();
        assert_eq!(p.kind(), PrincipalKind::Role);
        assert_eq!(p.service(), "iam");
        assert_eq!(p.account(), "123456789012");
        assert_eq!(p.name(), Some("rates-client"));
        assert_eq!(p.path(), Some("/"));
        assert_eq!(p.session(), None);

        for (s, role, session) in [
            (
                "arn:aws:sts::123456789012:assumed-role/my-role/my-session",
                "my-role",
                "my-session",
            ),
            (
                "arn:aws:sts::123456789012:assumed-role/orders-client/i-0c7de02a688bde9f7",
                "orders-client",
                "i-0c7de02a688bde9f7",
            ),
            (
                "arn:aws:sts::123456789012:assumed-role/EnvoyFrontendTaskRole/503e18cee581465f914c75291291e98e",
                "EnvoyFrontendTaskRole",
                "503e18cee581465f914c75291291e98e",
            ),
        ] {
            let p: PrincipalArn = s.parse().unwrap();
            assert_eq!(p.kind(), PrincipalKind::AssumedRole);
            assert_eq!(p.service(), "sts");
            assert_eq!(p.name(), Some(role));
            assert_eq!(p.session(), Some(session));
            assert_eq!(p.path(), None);
            assert_eq!(p.to_string(), s);
        }
    }

    #[test]
    fn principal_kinds() {
        let root: PrincipalArn = "arn:aws:iam::111122223333:root".parse().unwrap();
        assert_eq!(root.kind(), PrincipalKind::Root);
        assert_eq!(
            (root.name(), root.path(), root.session()),
            (None, None, None)
        );

        let user: PrincipalArn =
            "arn:aws-cn:iam::111122223333:user/division_abc/subdivision_xyz/Jane"
                .parse()
                .unwrap();
        assert_eq!(user.kind(), PrincipalKind::User);
        assert_eq!(user.partition(), "aws-cn");
        assert_eq!(user.path(), Some("/division_abc/subdivision_xyz/"));
        assert_eq!(user.name(), Some("Jane"));

        let role: PrincipalArn = "arn:aws:iam::111122223333:role/service-role/my.role@x"
            .parse()
            .unwrap();
        assert_eq!(role.path(), Some("/service-role/"));
        assert_eq!(role.name(), Some("my.role@x"));

        let fed: PrincipalArn = "arn:aws:sts::111122223333:federated-user/Bob"
            .parse()
            .unwrap();
        assert_eq!(fed.kind(), PrincipalKind::FederatedUser);
        assert_eq!(fed.name(), Some("Bob"));
        assert_eq!(fed.session(), None);

        let generic: Arn = "arn:aws:iam::111122223333:root".parse().unwrap();
        assert_eq!(PrincipalArn::try_from(generic).unwrap(), root);
    }

    #[test]
    fn principal_rejections() {
        for (s, needle) in [
            ("arn:aws:iam::111122223333:assumed-role/r/s", "the resource"),
            ("arn:aws:sts::111122223333:role/r", "the resource"),
            (
                "arn:aws:sts::111122223333:assumed-role/only-role",
                "the resource",
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/r/s/extra",
                "the resource",
            ),
            ("arn:aws:sts::111122223333:assumed-role//s", "the name ``"),
            (
                "arn:aws:sts::111122223333:assumed-role/r/",
                "the session name ``",
            ),
            ("arn:aws:iam::111122223333:role/", "the name ``"),
            ("arn:aws:iam::111122223333:role/path//", "the name ``"),
            (
                "arn:aws:iam::111122223333:role/bad name",
                "the name `bad name`",
            ),
            ("arn:aws:iam::111122223333:role//x", "the path `//`"),
            ("arn:aws:iam::111122223333:rootx", "the resource"),
            ("arn:aws:iam::111122223333:group/admins", "the resource"),
            ("arn:aws:iam:us-east-1:111122223333:root", "must be empty"),
            ("arn:aws:iam::11112222333:root", "12-digit"),
            ("arn:aws:iam::aws:root", "12-digit"),
            ("arn:aws:s3::111122223333:root", "is not `iam` or `sts`"),
            ("arn:aws:sts::111122223333:federated-user/", "the name ``"),
        ] {
            let err = s.parse::<PrincipalArn>().unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(needle), "{s}: {msg}");
            assert!(msg.starts_with("invalid principal ARN `"), "{msg}");
        }
    }

    // ----- ids -----

    #[test]
    fn id_lengths_and_alphabet() {
        assert!(ServiceId::parse("svc-0123456789abcdef").is_ok()); // 16
        assert!(ServiceId::parse("svc-0123456789abcdef0123").is_ok()); // 20
        assert!(ServiceId::parse("svc-0123456789abcde").is_err()); // 15
        assert!(ServiceId::parse("svc-0123456789abcdef01234").is_err()); // 21
        assert!(ServiceId::parse("svc-0123456789ABCDEF0").is_err());
        assert!(ServiceId::parse("svc_0123456789abcdef0").is_err());
        assert!(ServiceId::parse("sn-0123456789abcdef0").is_err());
        assert!(ServiceId::parse("").is_err());
        assert!(ServiceId::parse("svc-").is_err());
        assert!(ServiceId::parse("svc-0123456789abcdé0").is_err());
        assert!(ListenerId::parse("listener-0123456789abcdef0123").is_ok());
        assert!(VpcId::parse("vpc-1a2b3c4").is_err());
        assert!(ServiceId::from_suffix("0123456789abcdef0").is_ok());
        assert!(ServiceId::from_suffix("0123456789abcdef0123456789").is_err());
        assert!(ServiceId::from_suffix("svc-0123456789abcdef0").is_err());
    }

    #[test]
    fn id_error_message() {
        let err = "svc-123".parse::<ServiceId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid service id `svc-123`: expected `svc-` followed by 16–20 lower-case letters or digits, such as `svc-0123456789abcdef0`"
        );
        assert!(matches!(
            err,
            ArnError::Id {
                kind: IdKind::Service,
                ..
            }
        ));
    }

    #[test]
    fn id_traits() {
        use std::collections::HashMap;
        let id: ServiceId = "svc-0123456789abcdef0".parse().unwrap();
        assert_eq!(format!("{id:?}"), "ServiceId(\"svc-0123456789abcdef0\")");
        let mut map = HashMap::new();
        map.insert(id.clone(), 1);
        assert_eq!(map.get("svc-0123456789abcdef0"), Some(&1));
        let other: ServiceId = "svc-0123456789abcdef1".parse().unwrap();
        assert!(id < other);
        let short: ServiceId = "svc-0123456789abcdef".parse().unwrap();
        assert!(short < id);
    }

    // ----- invoke resource -----

    #[test]
    fn invoke_resource() {
        let arn: ServiceArn =
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
                .parse()
                .unwrap();
        let base = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
        for (path, want) in [
            ("/orders/42", format!("{base}/orders/42")),
            ("/orders/42?expand=items&x=1", format!("{base}/orders/42")),
            ("/", format!("{base}/")),
            ("", format!("{base}/")),
            ("?q=1", format!("{base}/")),
            ("/pkg.Svc/Method", format!("{base}/pkg.Svc/Method")),
            (
                "/api.parking/GetRates",
                format!("{base}/api.parking/GetRates"),
            ),
            ("rates", format!("{base}/rates")),
            ("/a%20b", format!("{base}/a%20b")),
            ("/x#frag", format!("{base}/x")),
        ] {
            assert_eq!(arn.invoke_resource(path), want, "{path:?}");
        }
        // The observed denial texts.
        let svc: ServiceArn =
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0e5f3d2b3db4c7962"
                .parse()
                .unwrap();
        assert_eq!(
            svc.invoke_resource("/"),
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0e5f3d2b3db4c7962/"
        );
        let svc: ServiceArn =
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0b1f56d26672bf677"
                .parse()
                .unwrap();
        assert!(
            svc.invoke_resource("/parking")
                .ends_with("/svc-0b1f56d26672bf677/parking")
        );
    }

    #[test]
    fn from_parts() {
        let id: ServiceId = "svc-0123456789abcdef0".parse().unwrap();
        let arn = ServiceArn::from_parts("aws", "us-west-2", "111122223333", id.clone()).unwrap();
        assert_eq!(
            arn.as_str(),
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"
        );
        let err = ServiceArn::from_parts("aws", "us-west-2", "1111", id.clone()).unwrap_err();
        assert!(
            err.to_string()
                .contains("the account `1111` is not a 12-digit account id")
        );
        assert!(ServiceArn::from_parts("aws", "", "111122223333", id.clone()).is_err());
        assert!(ServiceArn::from_parts("AWS", "us-west-2", "111122223333", id).is_err());

        let listener = ListenerArn::from_parts(&arn, "listener-0123456789abcdef0".parse().unwrap());
        assert_eq!(
            listener,
            listener.to_string().parse::<ListenerArn>().unwrap()
        );
        assert_eq!(listener.service_arn(), arn);
        let rule = RuleArn::from_parts(&listener, "rule-0123456789abcdef0".parse().unwrap());
        assert_eq!(rule, rule.to_string().parse::<RuleArn>().unwrap());
        assert_eq!(rule.listener_arn(), listener);
        assert_eq!(rule.service_arn(), arn);
        assert_eq!(rule.region(), "us-west-2");

        let vpc = VpcArn::from_parts(
            "aws",
            "us-east-2",
            "123456789012",
            "vpc-0b8276c84697e7339".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(
            vpc.as_str(),
            "arn:aws:ec2:us-east-2:123456789012:vpc/vpc-0b8276c84697e7339"
        );
    }

    // ----- rejections -----

    #[test]
    fn service_arn_rejections() {
        let ok = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
        assert!(ok.parse::<ServiceArn>().is_ok());
        for (s, needle) in [
            ("", "does not start with `arn:`"),
            ("svc-0123456789abcdef0", "does not start with `arn:`"),
            (
                "ARN:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
                "does not start with `arn:`",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333",
                "it has 5 `:`-separated fields",
            ),
            ("arn:", "it has 2 `:`-separated fields"),
            (
                "arn::vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
                "the partition ``",
            ),
            (
                "arn:aws:ec2:us-west-2:111122223333:service/svc-0123456789abcdef0",
                "the service `ec2` is not `vpc-lattice`",
            ),
            (
                "arn:aws:vpc-lattice-svcs:us-west-2:111122223333:service/svc-0123456789abcdef0",
                "is not `vpc-lattice`",
            ),
            (
                "arn:aws:vpc-lattice::111122223333:service/svc-0123456789abcdef0",
                "the region is empty",
            ),
            (
                "arn:aws:vpc-lattice:US-WEST-2:111122223333:service/svc-0123456789abcdef0",
                "the region `US-WEST-2` is not a region such as `us-west-2`",
            ),
            (
                "arn:aws:vpc-lattice:us-west:111122223333:service/svc-0123456789abcdef0",
                "the region `us-west`",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:11112222333:service/svc-0123456789abcdef0",
                "the account `11112222333` is not a 12-digit",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:1111222233334:service/svc-0123456789abcdef0",
                "the account `1111222233334`",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:11112222333a:service/svc-0123456789abcdef0",
                "the account `11112222333a`",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2::service/svc-0123456789abcdef0",
                "the account ``",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0",
                "is not of the form `service/svc-…`",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/rates",
                "is not of the form `service/svc-…`",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/",
                "the service id ``",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-XYZ",
                "the service id `svc-XYZ` is not `svc-` followed by",
            ),
            (
                "arn:aws:vpc-lattice:us-west-2:111122223333:service:svc-0123456789abcdef0",
                "is not of the form",
            ),
        ] {
            let err = s.parse::<ServiceArn>().unwrap_err();
            let msg = err.to_string();
            assert!(msg.starts_with("invalid service ARN `"), "{msg}");
            assert!(msg.contains(needle), "{s}: {msg}");
        }
    }

    #[test]
    fn other_typed_rejections() {
        // Wrong type of resource for each typed ARN.
        let svc = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
        assert!(svc.parse::<ServiceNetworkArn>().is_err());
        assert!(svc.parse::<TargetGroupArn>().is_err());
        assert!(svc.parse::<ListenerArn>().is_err());
        assert!(svc.parse::<RuleArn>().is_err());
        assert!(svc.parse::<VpcArn>().is_err());
        assert!(svc.parse::<PrincipalArn>().is_err());
        assert!(
            "arn:aws:vpc-lattice:us-west-2:111122223333:vpc/vpc-0b8276c84697e7339"
                .parse::<VpcArn>()
                .is_err()
        );
        assert!(
            "arn:aws:ec2:us-west-2:111122223333:vpc/svc-0123456789abcdef0"
                .parse::<VpcArn>()
                .is_err()
        );
        assert!("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/rule-0123456789abcdef0"
            .parse::<ListenerArn>()
            .is_err());
        let err = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-x"
            .parse::<ListenerArn>()
            .unwrap_err();
        assert!(
            err.to_string().contains("the listener id `listener-x`"),
            "{err}"
        );
        assert!(ServiceArn::try_from(Arn::parse(svc).unwrap().clone()).is_ok());
        assert!(TargetGroupArn::try_from(Arn::parse(svc).unwrap()).is_err());
    }

    #[test]
    fn generic_arn() {
        for s in [
            "arn:aws:s3:::my-bucket",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn:alias",
            "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:vpc/vpc-1a2b3c4d",
            "arn:aws-cn:vpc-lattice:cn-north-1:123456789012:service/svc-0123456789abcdef0",
        ] {
            let arn: Arn = s.parse().unwrap();
            assert_eq!(arn.to_string(), s);
        }
        let lambda: Arn = "arn:aws:lambda:us-east-1:123456789012:function:my-fn:alias"
            .parse()
            .unwrap();
        assert_eq!(lambda.resource(), "function:my-fn:alias");
        assert_eq!(lambda.region(), Some("us-east-1"));
        let s3: Arn = "arn:aws:s3:::my-bucket".parse().unwrap();
        assert_eq!((s3.region(), s3.account()), (None, None));
        for s in [
            "arn:aws:s3:::",
            "arn:aws:S3:::bucket",
            "arn:aws::::bucket",
            "arn:aws:s3:not-a-region:123456789012:bucket",
            "arn:aws:s3::1234:bucket",
            "arn:aws:s3:::bucket\nx",
        ] {
            assert!(s.parse::<Arn>().is_err(), "{s}");
        }
        let cn: ServiceArn =
            "arn:aws-cn:vpc-lattice:cn-north-1:123456789012:service/svc-0123456789abcdef0"
                .parse()
                .unwrap();
        assert_eq!(cn.partition(), "aws-cn");
        assert_eq!(cn.region(), "cn-north-1");
    }

    #[test]
    fn long_input_is_shortened_in_errors() {
        let long = format!(
            "arn:aws:vpc-lattice:us-west-2:111122223333:service/{}",
            "x".repeat(10_000)
        );
        let msg = long.parse::<ServiceArn>().unwrap_err().to_string();
        assert!(msg.len() < 1_000, "{}", msg.len());
    }

    // ----- properties -----

    fn region() -> impl Strategy<Value = String> {
        "[a-z]{2,4}(-[a-z]{1,9}){1,2}-[0-9]{1,2}"
    }
    fn account() -> impl Strategy<Value = String> {
        "[0-9]{12}"
    }
    fn partition() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("aws".to_owned()),
            Just("aws-cn".to_owned()),
            Just("aws-us-gov".to_owned())
        ]
    }
    fn suffix() -> impl Strategy<Value = String> {
        "[0-9a-z]{16,20}"
    }
    fn iam_name() -> impl Strategy<Value = String> {
        "[A-Za-z0-9+=,.@_-]{1,64}"
    }

    proptest! {
        #[test]
        fn ids_round_trip(s in suffix()) {
            let svc = ServiceId::from_suffix(&s).unwrap();
            prop_assert_eq!(svc.suffix(), s.as_str());
            prop_assert_eq!(svc.to_string().parse::<ServiceId>().unwrap(), svc.clone());
            for (kind, text) in [
                (IdKind::ServiceNetwork, format!("sn-{s}")),
                (IdKind::TargetGroup, format!("tg-{s}")),
                (IdKind::Listener, format!("listener-{s}")),
                (IdKind::Rule, format!("rule-{s}")),
                (IdKind::Vpc, format!("vpc-{s}")),
            ] {
                prop_assert!(kind.accepts(&text));
            }
            prop_assert_eq!(ServiceNetworkId::parse(&format!("sn-{s}")).unwrap().to_string(), format!("sn-{s}"));
            prop_assert_eq!(TargetGroupId::parse(&format!("tg-{s}")).unwrap().to_string(), format!("tg-{s}"));
            prop_assert_eq!(ListenerId::parse(&format!("listener-{s}")).unwrap().to_string(), format!("listener-{s}"));
            prop_assert_eq!(RuleId::parse(&format!("rule-{s}")).unwrap().to_string(), format!("rule-{s}"));
            prop_assert_eq!(VpcId::parse(&format!("vpc-{s}")).unwrap().to_string(), format!("vpc-{s}"));
        }

        #[test]
        fn lattice_arns_round_trip(
            p in partition(), r in region(), a in account(),
            svc in suffix(), lis in suffix(), rule in suffix(), tg in suffix(), sn in suffix(), vpc in suffix(),
        ) {
            let id = ServiceId::from_suffix(&svc).unwrap();
            let arn = ServiceArn::from_parts(&p, &r, &a, id.clone()).unwrap();
            let back: ServiceArn = arn.to_string().parse().unwrap();
            prop_assert_eq!(&back, &arn);
            prop_assert_eq!((back.partition(), back.region(), back.account()), (p.as_str(), r.as_str(), a.as_str()));
            prop_assert_eq!(back.id(), &id);

            let listener = ListenerArn::from_parts(&arn, ListenerId::from_suffix(&lis).unwrap());
            prop_assert_eq!(listener.to_string().parse::<ListenerArn>().unwrap(), listener.clone());
            let rule = RuleArn::from_parts(&listener, RuleId::from_suffix(&rule).unwrap());
            let rule_back: RuleArn = rule.to_string().parse().unwrap();
            prop_assert_eq!(&rule_back, &rule);
            prop_assert_eq!(rule_back.service_arn(), arn.clone());

            let tg = TargetGroupArn::from_parts(&p, &r, &a, TargetGroupId::from_suffix(&tg).unwrap()).unwrap();
            prop_assert_eq!(tg.to_string().parse::<TargetGroupArn>().unwrap(), tg);
            let sn = ServiceNetworkArn::from_parts(&p, &r, &a, ServiceNetworkId::from_suffix(&sn).unwrap()).unwrap();
            prop_assert_eq!(sn.to_string().parse::<ServiceNetworkArn>().unwrap(), sn);
            let vpc = VpcArn::from_parts(&p, &r, &a, VpcId::from_suffix(&vpc).unwrap()).unwrap();
            prop_assert_eq!(vpc.to_string().parse::<VpcArn>().unwrap(), vpc);

            let generic: Arn = arn.to_string().parse().unwrap();
            prop_assert_eq!(generic.region(), Some(r.as_str()));
            prop_assert_eq!(Arn::from(arn), generic);
        }

        #[test]
        fn principals_round_trip(
            p in partition(), a in account(), name in iam_name(), session in iam_name(),
            path in proptest::collection::vec("[A-Za-z0-9_.-]{1,10}", 0..4),
            which in 0u8..5,
        ) {
            let path = if path.is_empty() { "/".to_owned() } else { format!("/{}/", path.join("/")) };
            let (s, kind) = match which {
                0 => (format!("arn:{p}:iam::{a}:root"), PrincipalKind::Root),
                1 => (format!("arn:{p}:iam::{a}:user{path}{name}"), PrincipalKind::User),
                2 => (format!("arn:{p}:iam::{a}:role{path}{name}"), PrincipalKind::Role),
                3 => (format!("arn:{p}:sts::{a}:assumed-role/{name}/{session}"), PrincipalKind::AssumedRole),
                _ => (format!("arn:{p}:sts::{a}:federated-user/{name}"), PrincipalKind::FederatedUser),
            };
            let parsed: PrincipalArn = s.parse().unwrap();
            prop_assert_eq!(parsed.kind(), kind);
            prop_assert_eq!(parsed.to_string(), s.clone());
            prop_assert_eq!(parsed.account(), a.as_str());
            prop_assert_eq!(parsed.partition(), p.as_str());
            match kind {
                PrincipalKind::Root => prop_assert_eq!(parsed.name(), None),
                PrincipalKind::User | PrincipalKind::Role => {
                    prop_assert_eq!(parsed.name(), Some(name.as_str()));
                    prop_assert_eq!(parsed.path(), Some(path.as_str()));
                }
                PrincipalKind::AssumedRole => {
                    prop_assert_eq!(parsed.name(), Some(name.as_str()));
                    prop_assert_eq!(parsed.session(), Some(session.as_str()));
                }
                _ => prop_assert_eq!(parsed.name(), Some(name.as_str())),
            }
            prop_assert_eq!(s.parse::<PrincipalArn>().unwrap(), parsed);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in any::<String>()) {
            check_all_parsers(&s);
        }

        #[test]
        fn arn_like_strings_never_panic(s in "(arn:)?[a-z0-9:/*.@_ -]{0,80}") {
            check_all_parsers(&s);
        }

        #[test]
        fn mutated_arns_never_panic(
            base in prop_oneof![
                Just("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/listener/listener-0123456789abcdef0/rule/rule-0123456789abcdef0"),
                Just("arn:aws:sts::111122223333:assumed-role/my-role/my-session"),
                Just("arn:aws:iam::111122223333:role/a/b/name"),
            ],
            cut in 0usize..140, insert in "[:/a-zé]{0,3}",
        ) {
            let cut = cut.min(base.len());
            let s = format!("{}{}{}", &base[..cut], insert, &base[cut..]);
            check_all_parsers(&s);
            // Whatever parses prints back unchanged.
            if let Ok(arn) = s.parse::<Arn>() { prop_assert_eq!(arn.to_string(), s.clone()); }
            if let Ok(arn) = s.parse::<RuleArn>() { prop_assert_eq!(arn.to_string(), s.clone()); }
            if let Ok(arn) = s.parse::<PrincipalArn>() { prop_assert_eq!(arn.to_string(), s.clone()); }
        }
    }

    fn check_all_parsers(s: &str) {
        let _ = ServiceId::parse(s);
        let _ = ServiceId::from_suffix(s);
        let _ = ServiceNetworkId::parse(s);
        let _ = TargetGroupId::parse(s);
        let _ = ListenerId::parse(s);
        let _ = RuleId::parse(s);
        let _ = VpcId::parse(s);
        if let Ok(arn) = Arn::parse(s) {
            let _ = (
                arn.partition(),
                arn.service(),
                arn.region(),
                arn.account(),
                arn.resource(),
            );
            let _ = ServiceArn::try_from(arn.clone());
            let _ = PrincipalArn::try_from(arn);
        }
        if let Ok(arn) = ServiceArn::parse(s) {
            let _ = arn.invoke_resource(s);
        }
        let _ = ServiceNetworkArn::parse(s);
        let _ = TargetGroupArn::parse(s);
        if let Ok(arn) = ListenerArn::parse(s) {
            let _ = arn.service_arn();
        }
        if let Ok(arn) = RuleArn::parse(s) {
            let _ = arn.listener_arn();
        }
        let _ = VpcArn::parse(s);
        if let Ok(p) = PrincipalArn::parse(s) {
            let _ = (p.name(), p.path(), p.session(), p.account());
        }
        if let Err(e) = PrincipalArn::parse(s) {
            let _ = e.to_string();
        }
    }
}
