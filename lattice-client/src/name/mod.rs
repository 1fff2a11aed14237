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
//! Checks for what a new service is given: [`validate_service_name`] for its
//! name, [`validate_custom_domain`] for its custom domain, [`is_region`] for a
//! region. The files of this module hold the errors, the regions, the
//! generated names and the custom domains.
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

mod domain;
mod error;
mod generated;
mod region;

#[cfg(test)]
mod tests;

pub use domain::{CustomDomains, DomainPattern, validate_custom_domain};
pub use error::{DomainProblem, LatticeNameProblem, NameError, RegionProblem, ServiceNameProblem};
pub use generated::{LatticeName, validate_service_name};
pub use region::DomainRegion;

pub use crate::text::is_region;
