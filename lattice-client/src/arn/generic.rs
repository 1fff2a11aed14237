//! The generic [`Arn`], the field splitting every ARN type shares, and the
//! macro that writes what typed ARNs have in common.

use super::id::is_account;
use super::{ArnError, ArnKind, ArnProblem};
use crate::text::{excerpt, is_region, str_newtype};

/// Field slices of an ARN, borrowed from its text.
#[derive(Clone, Copy)]
pub(super) struct Fields<'a> {
    pub(super) partition: &'a str,
    pub(super) service: &'a str,
    pub(super) region: &'a str,
    pub(super) account: &'a str,
    pub(super) resource: &'a str,
    /// Byte offsets of the five separating colons.
    pub(super) colons: [usize; 5],
}

impl<'a> Fields<'a> {
    /// The fields of `s`, whose five separating colons are at `colons`.
    fn at(s: &'a str, colons: [usize; 5]) -> Self {
        let [c0, c1, c2, c3, c4] = colons;
        let field = |a: usize, b: usize| s.get(a.saturating_add(1)..b).unwrap_or("");
        Fields {
            partition: field(c0, c1),
            service: field(c1, c2),
            region: field(c2, c3),
            account: field(c3, c4),
            resource: s.get(c4.saturating_add(1)..).unwrap_or(""),
            colons,
        }
    }
}

pub(super) fn split_fields(s: &str, kind: ArnKind) -> Result<Fields<'_>, ArnProblem> {
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
    Ok(Fields::at(s, colons))
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …: a lower-case letter, then
/// lower-case letters, digits and inner hyphens, at most 32 characters.
pub(super) fn is_partition(s: &str) -> bool {
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
#[derive(Clone)]
pub struct Arn {
    pub(super) text: String,
    pub(super) colons: [usize; 5],
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

    /// This ARN with `/{segment}/{id}` appended to its resource, as a
    /// listener's ARN extends its service's.
    pub(super) fn child(&self, segment: &str, id: &str) -> Arn {
        Arn {
            text: format!("{}/{segment}/{id}", self.text),
            colons: self.colons,
        }
    }

    pub(super) fn fields(&self) -> Fields<'_> {
        Fields::at(&self.text, self.colons)
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

str_newtype!(Arn, ArnError, as_str);

/// Writes what every typed ARN `struct $name { arn: Arn, parts: P }` shares,
/// given its [`ArnKind`] variant and a `$check(&Fields) -> Result<P, ArnProblem>`
/// that checks the fields and extracts the parts: `parse`, `as_str`, `as_arn`,
/// `partition`, `account` (12 digits in every typed ARN), `TryFrom<Arn>`,
/// `From<$name> for Arn` and the string-newtype impls. `; region` adds
/// `region`, for the ARNs that require one.
macro_rules! arn_type {
    ($name:ident, $kind:ident, $check:path $(; $region:ident)?) => {
        impl $name {
            /// Parses this kind of ARN.
            ///
            /// # Errors
            ///
            /// [`ArnError::Arn`] naming the first part that is wrong.
            pub fn parse(s: &str) -> Result<Self, ArnError> {
                let (colons, parts) = $crate::arn::generic::split_fields(s, ArnKind::$kind)
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

            /// The 12-digit account id.
            pub fn account(&self) -> &str {
                self.arn.fields().account
            }

            $(
                /// The region, such as `us-west-2`.
                pub fn $region(&self) -> &str {
                    self.arn.fields().region
                }
            )?
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

        $crate::text::str_newtype!($name, ArnError, as_str);
    };
}

pub(super) use arn_type;
