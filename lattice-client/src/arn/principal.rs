//! The ARNs of the IAM and STS principals that call Lattice services.

use std::ops::Range;

use super::generic::{Fields, arn_type, is_partition};
use super::id::is_account;
use super::typed::segments;
use super::{Arn, ArnError, ArnKind, ArnProblem, PrincipalPart};
use crate::text::excerpt;

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

#[derive(Clone)]
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
#[derive(Clone)]
pub struct PrincipalArn {
    arn: Arn,
    parts: PrincipalParts,
}

arn_type!(PrincipalArn, Principal, check_principal);

impl PrincipalArn {
    /// What kind of principal this is.
    pub fn kind(&self) -> PrincipalKind {
        self.parts.kind
    }

    /// The service namespace: `iam` or `sts`.
    pub fn service(&self) -> &str {
        self.arn.fields().service
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
