//! The caller identity that VPC Lattice attaches to every request it forwards.
//!
//! Behind Lattice a target learns who called it in two ways:
//!
//! * HTTP targets (ECS, EC2, IP, ALB) and V1 Lambda events get the
//!   `x-amzn-lattice-*` request headers ([`IDENTITY_HEADER`],
//!   [`IDENTITY_TAGS_HEADER`], [`NETWORK_HEADER`], [`TARGET_HEADER`]) and
//!   [`SOURCE_VPC_HEADER`];
//! * V2 Lambda events carry `requestContext.identity` (see
//!   `crate::lambda::v2`), which converts into the same [`CallerIdentity`].
//!
//! Either way a handler reads one typed value, so the same code runs behind a
//! Lambda target group and behind an ECS one.
//!
//! # Header grammar
//!
//! Each `x-amzn-lattice-*` header is a list of `Key=Value` items separated by
//! `;`. The parser:
//!
//! * splits on every `;` that is not escaped as `\;` (a `\\` stands for one
//!   backslash; any other backslash is kept as it is);
//! * ignores spaces before a key (Lattice writes `"; "` between items) and
//!   empty items (a trailing `;`);
//! * splits each item at its **first** `=`, so values may contain `=`; values
//!   may be empty and are kept exactly, including inner spaces;
//! * matches known keys ASCII-case-insensitively (`PrincipalOrgID` and
//!   `principalorgid` are the same key; `PrincipalOrgPaths` is accepted for
//!   `PrincipalOrgPath`), accepts them in any order, and keeps unknown keys in
//!   [`CallerIdentity::unknown`];
//! * reads every item of `x-amzn-lattice-identity-tags` as a tag, into
//!   [`CallerIdentity::principal_tags`] (see below).
//!
//! The escapes are documented only for `x-amzn-lattice-identity-tags`; they are
//! applied to all four headers (Lattice values such as ARNs never contain `;`
//! or `\`). Decoding `\\` is an assumption (`docs/assumptions.md`): IAM tag values cannot
//! contain a backslash, so Lattice should never send one.
//!
//! Values that should be ARNs are stored as the strings received: a value that
//! is not a well-formed ARN never fails parsing. The typed accessors
//! ([`CallerIdentity::principal_arn`], [`CallerIdentity::service_arn`], …)
//! parse on demand into the types of [`crate::arn`] and return `None` when the
//! value is absent or malformed.
//!
//! # Principal tags are the caller's own words
//!
//! [`CallerIdentity::principal`], [`principal_org_id`](CallerIdentity::principal_org_id)
//! and [`principal_org_path`](CallerIdentity::principal_org_path) come **only**
//! from `x-amzn-lattice-identity`. Lattice's template for the tags header
//! repeats them as `principal=…;principalorgid=…;principalorgpath=…`, but the
//! rest of that header is the principal's tags, and session tags are chosen by
//! the caller (`sts:TagSession`): a caller outside any organisation can tag its
//! session `PrincipalOrgID=o-victim`. So every item of the tags header is kept
//! as a tag and none fills an identity field (`docs/assumptions.md`, A33).
//!
//! **Authorization must not rest on tags a caller can set.** Session tags, and
//! role or user tags that the caller may change (`iam:TagRole`), say what the
//! caller claims; decide on the principal, its account and its organisation,
//! or on tags only administrators can set.
//!
//! Writing ([`CallerIdentity::to_headers`]) puts only the tags in the tags
//! header and refuses a tag key that a reader could mistake for one of those
//! fields ([`IdentityError::ReservedTagKey`]).
//!
//! # When the headers can be trusted
//!
//! Lattice strips these headers from what clients send and sets them itself,
//! so they are trustworthy **only when the target can be reached through
//! Lattice alone**: its security group admits only Lattice's managed prefix
//! list (`169.254.171.0/24` and `fd00:ec2:80::/64`). A target that other
//! peers can reach directly receives whatever headers they choose to send.
//!
//! # Anonymous callers
//!
//! [`CallerIdentity::from_headers`] returns `Ok(None)` only when **none** of the
//! five headers is present, i.e. the request did not come through Lattice (or a
//! proxy removed them). An unsigned (anonymous) caller that came through
//! Lattice is `Some(identity)` whose [`CallerIdentity::is_anonymous`] is true:
//! it still has a source VPC and target ARNs, only the principal is missing.
//! What Lattice puts in `x-amzn-lattice-identity` for anonymous callers is
//! assumed; a principal that is absent, empty or the literal `anonymous`
//! (any case) counts as anonymous.
//!
//! # Errors
//!
//! The headers are set by Lattice (it strips them from incoming requests), so
//! anything ambiguous fails closed with an [`IdentityError`] rather than being
//! guessed: a header given twice, a value that is not UTF-8, an item with no
//! `=` or an empty key, or two different values for the same field.
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod headers;
mod parse;
#[cfg(test)]
mod tests;

use std::str::FromStr;

use http::{HeaderMap, HeaderName};

use crate::arn::{PrincipalArn, ServiceArn, ServiceNetworkArn, TargetGroupArn, VpcArn, VpcId};

/// `x-amzn-lattice-identity`: principal, org, session and X.509 fields.
pub const IDENTITY_HEADER: HeaderName = HeaderName::from_static("x-amzn-lattice-identity");
/// `x-amzn-lattice-identity-tags`: principal, org and the principal's tags.
pub const IDENTITY_TAGS_HEADER: HeaderName =
    HeaderName::from_static("x-amzn-lattice-identity-tags");
/// `x-amzn-lattice-network`: the source VPC ARN.
pub const NETWORK_HEADER: HeaderName = HeaderName::from_static("x-amzn-lattice-network");
/// `x-amzn-lattice-target`: service, service network and target group ARNs.
pub const TARGET_HEADER: HeaderName = HeaderName::from_static("x-amzn-lattice-target");
/// `x-amzn-source-vpc`: the bare source VPC id (observed, not documented).
pub const SOURCE_VPC_HEADER: HeaderName = HeaderName::from_static("x-amzn-source-vpc");

/// Every header that Lattice owns: it strips them from incoming requests and
/// sets them itself, so a target can trust them.
pub const LATTICE_IDENTITY_HEADERS: [HeaderName; 5] = [
    IDENTITY_HEADER,
    IDENTITY_TAGS_HEADER,
    NETWORK_HEADER,
    TARGET_HEADER,
    SOURCE_VPC_HEADER,
];

/// Removes every Lattice-owned identity header from `headers`, as Lattice does
/// on ingress so that a client cannot spoof its identity.
pub fn strip_identity_headers(headers: &mut HeaderMap) {
    for name in &LATTICE_IDENTITY_HEADERS {
        headers.remove(name);
    }
}

/// Why the caller identity could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The header appears more than once; Lattice sets each exactly once, so
    /// this request was not shaped by Lattice (or a proxy duplicated it).
    #[error("header `{header}` appears more than once; Lattice sets it exactly once")]
    RepeatedHeader {
        /// The header name.
        header: &'static str,
    },
    /// The header value is not valid UTF-8.
    #[error("header `{header}` is not valid UTF-8")]
    NotUtf8 {
        /// The header name.
        header: &'static str,
    },
    /// An item of the `Key=Value;` list has no `=`.
    #[error("header `{header}`: item `{item}` is not of the form `Key=Value`")]
    MissingEquals {
        /// The header name.
        header: &'static str,
        /// The offending item (shortened when long).
        item: String,
    },
    /// An item of the `Key=Value;` list has an empty key.
    #[error("header `{header}`: item `{item}` has an empty key")]
    EmptyKey {
        /// The header name.
        header: &'static str,
        /// The offending item (shortened when long).
        item: String,
    },
    /// The same field was given two different values (e.g. `Principal`
    /// twice in `x-amzn-lattice-identity`).
    #[error("the identity headers give two different values for `{field}`")]
    ConflictingValues {
        /// The field, in its documented spelling.
        field: &'static str,
    },
    /// A principal tag to be written has a key that the tags header reserves
    /// for the principal and its organisation (`principal`, `principalorgid`,
    /// `principalorgpath`, `principalorgpaths`, in any case). Readers that
    /// take those fields from the tags header would mistake the tag for them.
    #[error(
        "cannot write principal tag `{key}`: x-amzn-lattice-identity-tags reserves `principal`, `principalorgid` and `principalorgpath` (any case) for the principal and its organisation; rename the tag"
    )]
    ReservedTagKey {
        /// The tag key (shortened).
        key: String,
    },
    /// A value cannot be written into an HTTP header (control characters).
    #[error(
        "cannot write header `{header}`: a value contains characters not allowed in HTTP headers"
    )]
    InvalidHeaderValue {
        /// The header name.
        header: &'static str,
    },
}

/// IAM Roles Anywhere certificate fields (all optional; present only when the
/// caller authenticated with an X.509 certificate through Roles Anywhere).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct X509Identity {
    /// Issuer organisational unit (`X509Issuer/OU`, event key `x509IssuerOu`).
    pub issuer_ou: Option<String>,
    /// Subject alternative name, DNS (`X509SAN/DNS`, `x509SanDns`).
    pub san_dns: Option<String>,
    /// Subject alternative name, directory name CN (`X509SAN/NameCN`, `x509SanNameCn`).
    pub san_name_cn: Option<String>,
    /// Subject alternative name, URI (`X509SAN/URI`, `x509SanUri`).
    pub san_uri: Option<String>,
    /// Subject common name (`X509Subject/CN`, `x509SubjectCn`).
    pub subject_cn: Option<String>,
}

impl X509Identity {
    /// True when no X.509 field is set.
    pub fn is_empty(&self) -> bool {
        self.issuer_ou.is_none()
            && self.san_dns.is_none()
            && self.san_name_cn.is_none()
            && self.san_uri.is_none()
            && self.subject_cn.is_none()
    }
}

/// The Lattice header an unknown key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentityHeader {
    /// `x-amzn-lattice-identity`.
    Identity,
    /// `x-amzn-lattice-network`.
    Network,
    /// `x-amzn-lattice-target`.
    Target,
}

impl IdentityHeader {
    /// The header's name.
    pub fn header_name(self) -> HeaderName {
        match self {
            Self::Identity => IDENTITY_HEADER,
            Self::Network => NETWORK_HEADER,
            Self::Target => TARGET_HEADER,
        }
    }
}

/// A `Key=Value` item whose key this version does not know (Lattice may add
/// keys at any time); kept so nothing is lost and so [`CallerIdentity::to_headers`]
/// can write it back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownField {
    /// The header it came from.
    pub header: IdentityHeader,
    /// The key as received.
    pub key: String,
    /// The value, unescaped.
    pub value: String,
}

impl UnknownField {
    /// A new unknown field.
    pub fn new(header: IdentityHeader, key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            header,
            key: key.into(),
            value: value.into(),
        }
    }
}

/// Who called, as Lattice tells a target (headers) or a V2 Lambda (event).
///
/// Fields hold the values as received (strings); ARN-valued fields have typed
/// accessors of the same name that parse on demand into [`crate::arn`] types
/// and return `None` when the value is absent or not a well-formed ARN of
/// that kind (`id.service_arn` is the string, `id.service_arn()` the
/// [`ServiceArn`]). Build one with `CallerIdentity::default()`
/// and set the fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallerIdentity {
    /// `Type` / `type`: `AWS_IAM` when SigV4 authentication succeeded.
    pub auth_type: Option<String>,
    /// `Principal`: the authenticated principal, e.g.
    /// `arn:aws:sts::123456789012:assumed-role/role/session`.
    pub principal: Option<String>,
    /// `PrincipalOrgID` / `principalOrgID`: the principal's organisation id.
    pub principal_org_id: Option<String>,
    /// `PrincipalOrgPath`: the principal's organisation path (headers only).
    pub principal_org_path: Option<String>,
    /// `SessionName` / `sessionName`.
    pub session_name: Option<String>,
    /// Roles Anywhere certificate fields.
    pub x509: X509Identity,
    /// Every item of `x-amzn-lattice-identity-tags`, in order: the
    /// principal's tags. Lattice may also repeat the principal and its
    /// organisation there (keys `principal`, `principalorgid`, …); those stay
    /// tags too, and so does anything the caller put in its session tags.
    /// Never authorize on a tag the caller can set (see the
    /// [module docs](self#principal-tags-are-the-callers-own-words)).
    pub principal_tags: Vec<(String, String)>,
    /// `SourceVpcArn` / `sourceVpcArn`.
    pub source_vpc_arn: Option<String>,
    /// The bare VPC id from `x-amzn-source-vpc`.
    pub source_vpc_id: Option<String>,
    /// `ServiceNetworkArn`: the network that delivered the request.
    pub service_network_arn: Option<String>,
    /// `ServiceArn`.
    pub service_arn: Option<String>,
    /// `TargetGroupArn`.
    pub target_group_arn: Option<String>,
    /// Keys this version does not know, with the header they came from.
    pub unknown: Vec<UnknownField>,
}

impl CallerIdentity {
    /// True when no principal authenticated: the principal is absent, empty or
    /// the literal `anonymous` (any case; what Lattice sends is assumed).
    pub fn is_anonymous(&self) -> bool {
        match &self.principal {
            None => true,
            Some(p) => p.as_str().is_empty() || p.as_str().eq_ignore_ascii_case("anonymous"),
        }
    }

    /// True when `auth_type` is `AWS_IAM` and a principal is present.
    pub fn is_aws_iam(&self) -> bool {
        !self.is_anonymous() && self.auth_type.as_deref() == Some("AWS_IAM")
    }

    /// The principal as a typed ARN (IAM role or user, STS assumed role or
    /// federated user, account root); `None` when absent or not one.
    pub fn principal_arn(&self) -> Option<PrincipalArn> {
        parse_opt(self.principal.as_deref())
    }

    /// The principal's account id, from its ARN; `None` unless
    /// [`principal_arn`](Self::principal_arn) parses.
    pub fn principal_account(&self) -> Option<&str> {
        let text = self.principal.as_deref()?;
        PrincipalArn::parse(text).ok()?;
        // A parsed principal ARN has six `:`-separated fields; the fifth is
        // the account.
        text.split(':').nth(4).filter(|a| !a.is_empty())
    }

    /// The source VPC ARN, typed; `None` when absent or not a VPC ARN.
    pub fn source_vpc_arn(&self) -> Option<VpcArn> {
        parse_opt(self.source_vpc_arn.as_deref())
    }

    /// The source VPC id: `x-amzn-source-vpc` when present and well-formed,
    /// else the id inside the source VPC ARN.
    pub fn source_vpc(&self) -> Option<VpcId> {
        parse_opt::<VpcId>(self.source_vpc_id.as_deref().map(str::trim))
            .or_else(|| self.source_vpc_arn().map(|a| a.id().clone()))
    }

    /// The service ARN, typed.
    pub fn service_arn(&self) -> Option<ServiceArn> {
        parse_opt(self.service_arn.as_deref())
    }

    /// The service network ARN, typed.
    pub fn service_network_arn(&self) -> Option<ServiceNetworkArn> {
        parse_opt(self.service_network_arn.as_deref())
    }

    /// The target group ARN, typed.
    pub fn target_group_arn(&self) -> Option<TargetGroupArn> {
        parse_opt(self.target_group_arn.as_deref())
    }

    /// The value of the principal tag `key` (exact, case-sensitive match).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.principal_tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses an optional string; a value that does not parse is `None`.
pub(crate) fn parse_opt<T: FromStr>(value: Option<&str>) -> Option<T> {
    value.and_then(|v| v.parse().ok())
}
