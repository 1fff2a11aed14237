//! VPC Lattice resource ids and ARNs, and the IAM/STS principal ARNs that call them.
//!
//! Every type here parses with [`FromStr`](std::str::FromStr) (or its `parse`
//! function, which returns the typed [`ArnError`]) and prints back the exact
//! text it was parsed from with [`Display`](std::fmt::Display), so
//! `s.parse::<T>()?.to_string() == s` for every accepted `s`. Each is compared,
//! ordered and hashed by that text.
//!
//! | type | form |
//! |---|---|
//! | [`ServiceId`] | `svc-0123456789abcdef0` |
//! | [`ServiceNetworkId`] | `sn-0123456789abcdef0` |
//! | [`TargetGroupId`] | `tg-0123456789abcdef0` |
//! | [`ListenerId`] | `listener-0123456789abcdef0` |
//! | [`RuleId`] | `rule-0123456789abcdef0` |
//! | [`VpcId`] | `vpc-0123456789abcdef0` or `vpc-1a2b3c4d` |
//! | [`AccountId`] | `111122223333` |
//! | [`Arn`] | any `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` |
//! | [`ServiceArn`] | `arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-…` |
//! | [`ServiceNetworkArn`] | `arn:aws:vpc-lattice:REGION:ACCOUNT:servicenetwork/sn-…` |
//! | [`TargetGroupArn`] | `arn:aws:vpc-lattice:REGION:ACCOUNT:targetgroup/tg-…` |
//! | [`ListenerArn`] | `…:service/svc-…/listener/listener-…` |
//! | [`RuleArn`] | `…:service/svc-…/listener/listener-…/rule/rule-…` |
//! | [`VpcArn`] | `arn:aws:ec2:REGION:ACCOUNT:vpc/vpc-…` |
//! | [`PrincipalArn`] | IAM roles and users, STS assumed roles and federated users, the account root |
//!
//! The module has one file per concern: the errors, the ids, the generic
//! [`Arn`], the typed Lattice and VPC ARNs, and the principal ARNs.
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

mod error;
mod generic;
mod id;
mod principal;
mod typed;

#[cfg(test)]
mod tests;

pub use error::{ArnError, ArnKind, ArnProblem, PrincipalPart};
pub use generic::Arn;
pub use id::{
    AccountId, IdKind, ListenerId, RuleId, ServiceId, ServiceNetworkId, TargetGroupId, VpcId,
};
pub use principal::{PrincipalArn, PrincipalKind};
pub use typed::{ListenerArn, RuleArn, ServiceArn, ServiceNetworkArn, TargetGroupArn, VpcArn};
