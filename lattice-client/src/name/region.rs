//! The region (or SigV4A region set) a custom domain is signed for.

use std::fmt;

use super::{NameError, RegionProblem};
use crate::text::{excerpt, is_region, is_region_head};

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
/// inserted into [`CustomDomains`](super::CustomDomains) (or with [`DomainRegion::validate`]).
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
