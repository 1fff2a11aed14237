//! The errors of this module: which id or ARN was expected and what is wrong.

use std::fmt;

use super::IdKind;
use crate::text::excerpt;

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
    /// An AWS account id ([`AccountId`](super::AccountId)) is not 12 digits.
    #[error("invalid account id `{input}`: expected 12 digits such as `111122223333`")]
    Account {
        /// The text that was given (possibly shortened).
        input: String,
    },
}

impl ArnError {
    pub(super) fn arn(kind: ArnKind, input: &str, problem: ArnProblem) -> Self {
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
    /// Any ARN ([`Arn`](super::Arn)).
    Generic,
    /// [`ServiceArn`](super::ServiceArn).
    Service,
    /// [`ServiceNetworkArn`](super::ServiceNetworkArn).
    ServiceNetwork,
    /// [`TargetGroupArn`](super::TargetGroupArn).
    TargetGroup,
    /// [`ListenerArn`](super::ListenerArn).
    Listener,
    /// [`RuleArn`](super::RuleArn).
    Rule,
    /// [`VpcArn`](super::VpcArn).
    Vpc,
    /// [`PrincipalArn`](super::PrincipalArn).
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

    pub(super) const fn resource_form(self) -> &'static str {
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
