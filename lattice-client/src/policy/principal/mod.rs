//! Principal ARNs: the only place that takes them apart.
//!
//! Deliberately tiny and private. It understands exactly the principal shapes
//! an auth policy or a Lattice caller can have:
//!
//! - `arn:PARTITION:iam::ACCOUNT:root`
//! - `arn:PARTITION:iam::ACCOUNT:user/[PATH/]NAME`
//! - `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`
//! - `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`
//! - `arn:PARTITION:sts::ACCOUNT:federated-user/NAME`
//!
//! When the crate grows real ARN types this file is replaced by them; nothing
//! else in `policy` splits an ARN.

use std::borrow::Cow;

/// What kind of principal an ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrincipalKind<'a> {
    /// `iam::ACCOUNT:root`.
    Root,
    /// `iam::ACCOUNT:user/…`.
    User,
    /// `iam::ACCOUNT:role/[PATH/]NAME`; `name` is the last path segment.
    Role { name: &'a str },
    /// `sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    AssumedRole { role: &'a str },
    /// `sts::ACCOUNT:federated-user/NAME`.
    FederatedUser,
}

/// A parsed principal ARN, borrowing from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrincipalArn<'a> {
    pub(crate) arn: &'a str,
    pub(crate) partition: &'a str,
    pub(crate) account: &'a str,
    pub(crate) kind: PrincipalKind<'a>,
}

/// `true` for a 12-digit AWS account id.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A name or path segment: non-empty and free of wildcards.
fn is_name(s: &str) -> bool {
    !s.is_empty() && !s.contains(['*', '?'])
}

/// Parses one of the five principal ARN shapes; anything else is `None`.
pub(crate) fn parse(arn: &str) -> Option<PrincipalArn<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let partition_ok = !partition.is_empty()
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !partition_ok || !is_account_id(account) {
        return None;
    }
    let kind = match service {
        "iam" if resource == "root" => PrincipalKind::Root,
        "iam" => {
            if let Some(rest) = resource.strip_prefix("user/") {
                rest.split('/')
                    .all(is_name)
                    .then_some(PrincipalKind::User)?
            } else {
                let rest = resource.strip_prefix("role/")?;
                if !rest.split('/').all(is_name) {
                    return None;
                }
                PrincipalKind::Role {
                    name: rest.rsplit('/').next()?,
                }
            }
        }
        "sts" => {
            if let Some(rest) = resource.strip_prefix("assumed-role/") {
                let (role, session) = rest.split_once('/')?;
                if !is_name(role) || !is_name(session) || session.contains('/') {
                    return None;
                }
                PrincipalKind::AssumedRole { role }
            } else {
                let name = resource.strip_prefix("federated-user/")?;
                if !is_name(name) || name.contains('/') {
                    return None;
                }
                PrincipalKind::FederatedUser
            }
        }
        _ => return None,
    };
    Some(PrincipalArn {
        arn,
        partition,
        account,
        kind,
    })
}

/// The caller of a request, as far as the policy engine cares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ParsedCaller<'a> {
    /// An unsigned request.
    Anonymous,
    /// A signed request from a principal we understand.
    Known(PrincipalArn<'a>),
    /// A signed request whose ARN is none of the shapes above: it matches
    /// only `"*"` and no principal key is derived for it.
    Unknown,
}

impl<'a> ParsedCaller<'a> {
    /// Classifies the caller ARN (`None` = anonymous).
    pub(crate) fn new(arn: Option<&'a str>) -> Self {
        match arn {
            None => ParsedCaller::Anonymous,
            Some(arn) => parse(arn).map_or(ParsedCaller::Unknown, ParsedCaller::Known),
        }
    }

    /// `aws:PrincipalType`.
    pub(crate) fn principal_type(&self) -> Option<&'static str> {
        Some(match self {
            ParsedCaller::Anonymous => "Anonymous",
            ParsedCaller::Unknown => return None,
            ParsedCaller::Known(p) => match p.kind {
                PrincipalKind::Root => "Account",
                PrincipalKind::User => "User",
                // A role ARN is not a real caller; treat it as its session.
                PrincipalKind::Role { .. } | PrincipalKind::AssumedRole { .. } => "AssumedRole",
                PrincipalKind::FederatedUser => "FederatedUser",
            },
        })
    }

    /// `aws:PrincipalAccount`.
    pub(crate) fn principal_account(&self) -> Option<&'a str> {
        match self {
            ParsedCaller::Known(p) => Some(p.account),
            _ => None,
        }
    }

    /// `aws:PrincipalArn`: the role ARN for a role session, else the caller ARN.
    ///
    /// A session ARN does not carry the role's path, so the derived role ARN
    /// is `arn:P:iam::A:role/NAME` without it; pass `aws:PrincipalArn` in the
    /// context when the path matters.
    pub(crate) fn principal_arn(&self) -> Option<Cow<'a, str>> {
        match self {
            ParsedCaller::Known(PrincipalArn {
                partition,
                account,
                kind: PrincipalKind::AssumedRole { role },
                ..
            }) => Some(Cow::Owned(format!(
                "arn:{partition}:iam::{account}:role/{role}"
            ))),
            ParsedCaller::Known(p) => Some(Cow::Borrowed(p.arn)),
            _ => None,
        }
    }
}

/// One entry of a `Principal`/`NotPrincipal` element, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalPattern {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Everyone,
    /// An account id (any partition) or `arn:P:iam::ACCOUNT:root`: every
    /// signed principal of that account.
    Account {
        partition: Option<Box<str>>,
        account: Box<str>,
    },
    /// A role: its sessions (`sts::A:assumed-role/NAME/*`) and the role ARN itself.
    Role {
        arn: Box<str>,
        partition: Box<str>,
        account: Box<str>,
        name: Box<str>,
    },
    /// A user, a role session or a federated user: that exact ARN.
    Exact(Box<str>),
    /// `Service`, `Federated` or `CanonicalUser` principals: valid in a
    /// policy, never a Lattice caller.
    Never,
}

impl PrincipalPattern {
    /// Compiles a value of `{"AWS": …}` (or the bare `"*"`); `None` if invalid.
    pub(crate) fn aws(value: &str) -> Option<Self> {
        if value == "*" {
            return Some(PrincipalPattern::Everyone);
        }
        if is_account_id(value) {
            return Some(PrincipalPattern::Account {
                partition: None,
                account: value.into(),
            });
        }
        let p = parse(value)?;
        Some(match p.kind {
            PrincipalKind::Root => PrincipalPattern::Account {
                partition: Some(p.partition.into()),
                account: p.account.into(),
            },
            PrincipalKind::Role { name } => PrincipalPattern::Role {
                arn: value.into(),
                partition: p.partition.into(),
                account: p.account.into(),
                name: name.into(),
            },
            PrincipalKind::User
            | PrincipalKind::AssumedRole { .. }
            | PrincipalKind::FederatedUser => PrincipalPattern::Exact(value.into()),
        })
    }

    /// Does this entry name `caller`?
    pub(crate) fn matches(&self, caller: &ParsedCaller<'_>) -> bool {
        let known = match (self, caller) {
            (PrincipalPattern::Everyone, _) => return true,
            (PrincipalPattern::Never, _) | (_, ParsedCaller::Anonymous | ParsedCaller::Unknown) => {
                return false;
            }
            (_, ParsedCaller::Known(known)) => known,
        };
        match self {
            PrincipalPattern::Account { partition, account } => {
                **account == *known.account
                    && partition.as_deref().is_none_or(|p| p == known.partition)
            }
            PrincipalPattern::Role {
                arn,
                partition,
                account,
                name,
            } => match known.kind {
                PrincipalKind::AssumedRole { role } => {
                    role == &**name
                        && known.account == &**account
                        && known.partition == &**partition
                }
                _ => known.arn == &**arn,
            },
            PrincipalPattern::Exact(arn) => known.arn == &**arn,
            PrincipalPattern::Everyone | PrincipalPattern::Never => false,
        }
    }
}

#[cfg(test)]
mod tests;
