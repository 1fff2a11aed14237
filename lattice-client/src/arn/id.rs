//! Resource ids (`svc-…`, `sn-…`, `tg-…`, `listener-…`, `rule-…`, `vpc-…`) and
//! AWS account ids, stored inline.

use std::fmt;
use std::ops::RangeInclusive;

use super::ArnError;
use crate::text::{excerpt, str_newtype};

/// Which resource id; part of [`ArnError::Id`] and [`ArnProblem::Id`](super::ArnProblem::Id).
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
    /// patterns for `svc-` and `tg-`; assumed for the others; see
    /// docs/assumptions.md). Real documents show 16 and 18, so 16–20 is
    /// accepted. VPC ids are 8 (old
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

    pub(super) fn rule(self) -> IdRule {
        IdRule(self)
    }

    /// Whether `s` is a valid id of this kind.
    pub(super) fn accepts(self, s: &str) -> bool {
        s.strip_prefix(self.prefix())
            .is_some_and(|suffix| self.accepts_suffix(suffix))
    }

    pub(super) fn accepts_suffix(self, suffix: &str) -> bool {
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
pub(super) struct IdRule(IdKind);

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

        str_newtype!($name, ArnError, as_str; borrow);
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
    /// or digits (17 assumed, a range accepted; see docs/assumptions.md).
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
    /// letters or digits (17 assumed, a range accepted; see docs/assumptions.md).
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

/// Exactly 12 ASCII digits.
pub(super) fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS account id: exactly 12 digits, such as `111122223333`.
///
/// Stored inline; cloning does not allocate.
///
/// ```
/// use lattice_client::arn::AccountId;
///
/// let account: AccountId = "111122223333".parse()?;
/// assert_eq!(account, "111122223333");
/// assert!(AccountId::parse("1111-2222-3333").is_err());
/// assert!(AccountId::parse("11112222333").is_err());
/// # Ok::<(), lattice_client::arn::ArnError>(())
/// ```
#[derive(Clone)]
pub struct AccountId(IdBuf);

impl AccountId {
    /// Parses an account id.
    ///
    /// # Errors
    ///
    /// [`ArnError::Account`] when `s` is not exactly 12 ASCII digits.
    pub fn parse(s: &str) -> Result<Self, ArnError> {
        match IdBuf::new("", s) {
            Some(buf) if is_account(s) => Ok(Self(buf)),
            _ => Err(ArnError::Account { input: excerpt(s) }),
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

str_newtype!(AccountId, ArnError, as_str; borrow);
