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

use std::str::FromStr;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::arn::{PrincipalArn, ServiceArn, ServiceNetworkArn, TargetGroupArn, VpcArn, VpcId};
use crate::text::excerpt;

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
    /// Reads the caller identity from Lattice's request headers.
    ///
    /// Returns `Ok(None)` when none of [`LATTICE_IDENTITY_HEADERS`] is present
    /// (not behind Lattice). An anonymous caller behind Lattice is
    /// `Ok(Some(_))` with [`is_anonymous`](Self::is_anonymous) true.
    ///
    /// # Errors
    ///
    /// [`IdentityError`] when a header is repeated, not UTF-8, breaks the
    /// `Key=Value;` grammar, or two headers disagree on a field.
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, IdentityError> {
        let mut id = Self::default();
        let mut any = false;
        if let Some(v) = single(headers, &IDENTITY_HEADER, "x-amzn-lattice-identity")? {
            any = true;
            id.apply_identity(v)?;
        }
        if let Some(v) = single(
            headers,
            &IDENTITY_TAGS_HEADER,
            "x-amzn-lattice-identity-tags",
        )? {
            any = true;
            id.apply_tags(v)?;
        }
        if let Some(v) = single(headers, &NETWORK_HEADER, "x-amzn-lattice-network")? {
            any = true;
            id.apply_network(v)?;
        }
        if let Some(v) = single(headers, &TARGET_HEADER, "x-amzn-lattice-target")? {
            any = true;
            id.apply_target(v)?;
        }
        if let Some(v) = single(headers, &SOURCE_VPC_HEADER, "x-amzn-source-vpc")? {
            any = true;
            let v = v.trim();
            if !v.is_empty() {
                id.source_vpc_id = Some(v.to_owned());
            }
        }
        Ok(any.then_some(id))
    }

    fn apply_identity(&mut self, value: &str) -> Result<(), IdentityError> {
        const H: &str = "x-amzn-lattice-identity";
        for (key, value) in parse_pairs(H, value)? {
            let k = key.as_str();
            if k.eq_ignore_ascii_case("Principal") {
                set(&mut self.principal, "Principal", value)?;
            } else if k.eq_ignore_ascii_case("PrincipalOrgID") {
                set(&mut self.principal_org_id, "PrincipalOrgID", value)?;
            } else if k.eq_ignore_ascii_case("PrincipalOrgPath")
                || k.eq_ignore_ascii_case("PrincipalOrgPaths")
            {
                set(&mut self.principal_org_path, "PrincipalOrgPath", value)?;
            } else if k.eq_ignore_ascii_case("SessionName") {
                set(&mut self.session_name, "SessionName", value)?;
            } else if k.eq_ignore_ascii_case("Type") {
                set(&mut self.auth_type, "Type", value)?;
            } else if k.eq_ignore_ascii_case("X509Issuer/OU") {
                set(&mut self.x509.issuer_ou, "X509Issuer/OU", value)?;
            } else if k.eq_ignore_ascii_case("X509SAN/DNS") {
                set(&mut self.x509.san_dns, "X509SAN/DNS", value)?;
            } else if k.eq_ignore_ascii_case("X509SAN/NameCN") {
                set(&mut self.x509.san_name_cn, "X509SAN/NameCN", value)?;
            } else if k.eq_ignore_ascii_case("X509SAN/URI") {
                set(&mut self.x509.san_uri, "X509SAN/URI", value)?;
            } else if k.eq_ignore_ascii_case("X509Subject/CN") {
                set(&mut self.x509.subject_cn, "X509Subject/CN", value)?;
            } else {
                self.unknown
                    .push(UnknownField::new(IdentityHeader::Identity, key, value));
            }
        }
        Ok(())
    }

    /// Every item of the tags header is a tag, whatever its key: tag keys
    /// are chosen by the caller (`sts:TagSession`), so a tag named
    /// `PrincipalOrgID` cannot be told apart from a key Lattice writes.
    fn apply_tags(&mut self, value: &str) -> Result<(), IdentityError> {
        self.principal_tags
            .extend(parse_pairs("x-amzn-lattice-identity-tags", value)?);
        Ok(())
    }

    fn apply_network(&mut self, value: &str) -> Result<(), IdentityError> {
        for (key, value) in parse_pairs("x-amzn-lattice-network", value)? {
            if key.eq_ignore_ascii_case("SourceVpcArn") {
                set(&mut self.source_vpc_arn, "SourceVpcArn", value)?;
            } else {
                self.unknown
                    .push(UnknownField::new(IdentityHeader::Network, key, value));
            }
        }
        Ok(())
    }

    fn apply_target(&mut self, value: &str) -> Result<(), IdentityError> {
        for (key, value) in parse_pairs("x-amzn-lattice-target", value)? {
            let k = key.as_str();
            if k.eq_ignore_ascii_case("ServiceArn") {
                set(&mut self.service_arn, "ServiceArn", value)?;
            } else if k.eq_ignore_ascii_case("ServiceNetworkArn") {
                set(&mut self.service_network_arn, "ServiceNetworkArn", value)?;
            } else if k.eq_ignore_ascii_case("TargetGroupArn") {
                set(&mut self.target_group_arn, "TargetGroupArn", value)?;
            } else {
                self.unknown
                    .push(UnknownField::new(IdentityHeader::Target, key, value));
            }
        }
        Ok(())
    }

    /// Writes the identity as Lattice's headers, in Lattice's format (`"; "`
    /// between items, documented key spellings, `;` and `\` escaped). A header
    /// is written only when it has at least one field; the tags header holds
    /// only [`principal_tags`](Self::principal_tags) and is written when there
    /// is a tag.
    ///
    /// # Errors
    ///
    /// [`IdentityError::InvalidHeaderValue`] when a value holds characters
    /// that HTTP headers cannot carry (control characters);
    /// [`IdentityError::ReservedTagKey`] when a tag key is `principal`,
    /// `principalorgid`, `principalorgpath` or `principalorgpaths` (any case),
    /// which readers following Lattice's template would take for the
    /// principal or its organisation.
    pub fn to_headers(&self) -> Result<HeaderMap, IdentityError> {
        let mut map = HeaderMap::new();
        self.write_headers(&mut map)?;
        Ok(map)
    }

    /// Like [`to_headers`](Self::to_headers), but first removes every
    /// Lattice identity header from `headers` and then inserts the new ones.
    ///
    /// # Errors
    ///
    /// As [`to_headers`](Self::to_headers); `headers` is unchanged on error.
    pub fn write_headers(&self, headers: &mut HeaderMap) -> Result<(), IdentityError> {
        let mut out: Vec<(HeaderName, HeaderValue)> = Vec::with_capacity(5);

        let mut ident = PairWriter::new("; ");
        ident.opt("Principal", self.principal.as_deref());
        ident.opt("PrincipalOrgID", self.principal_org_id.as_deref());
        ident.opt("PrincipalOrgPath", self.principal_org_path.as_deref());
        ident.opt("SessionName", self.session_name.as_deref());
        ident.opt("X509Issuer/OU", self.x509.issuer_ou.as_deref());
        ident.opt("X509SAN/DNS", self.x509.san_dns.as_deref());
        ident.opt("X509SAN/NameCN", self.x509.san_name_cn.as_deref());
        ident.opt("X509SAN/URI", self.x509.san_uri.as_deref());
        ident.opt("X509Subject/CN", self.x509.subject_cn.as_deref());
        ident.opt("Type", self.auth_type.as_deref());
        ident.unknown(&self.unknown, IdentityHeader::Identity);
        ident.finish(IDENTITY_HEADER, "x-amzn-lattice-identity", &mut out)?;

        if !self.principal_tags.is_empty() {
            let mut tags = PairWriter::new(";");
            for (k, v) in &self.principal_tags {
                if is_reserved_tag_key(k) {
                    return Err(IdentityError::ReservedTagKey { key: excerpt(k) });
                }
                tags.pair(k, v);
            }
            tags.finish(
                IDENTITY_TAGS_HEADER,
                "x-amzn-lattice-identity-tags",
                &mut out,
            )?;
        }

        let mut net = PairWriter::new("; ");
        net.opt("SourceVpcArn", self.source_vpc_arn.as_deref());
        net.unknown(&self.unknown, IdentityHeader::Network);
        net.finish(NETWORK_HEADER, "x-amzn-lattice-network", &mut out)?;

        let mut target = PairWriter::new("; ");
        target.opt("ServiceArn", self.service_arn.as_deref());
        target.opt("ServiceNetworkArn", self.service_network_arn.as_deref());
        target.opt("TargetGroupArn", self.target_group_arn.as_deref());
        target.unknown(&self.unknown, IdentityHeader::Target);
        target.finish(TARGET_HEADER, "x-amzn-lattice-target", &mut out)?;

        if let Some(vpc) = &self.source_vpc_id {
            let value =
                HeaderValue::from_str(vpc).map_err(|_| IdentityError::InvalidHeaderValue {
                    header: "x-amzn-source-vpc",
                })?;
            out.push((SOURCE_VPC_HEADER, value));
        }

        strip_identity_headers(headers);
        for (name, value) in out {
            headers.insert(name, value);
        }
        Ok(())
    }

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

/// Keys that Lattice's template of the tags header uses for the principal
/// and its organisation; never written as tag keys.
const RESERVED_TAG_KEYS: [&str; 4] = [
    "principal",
    "principalorgid",
    "principalorgpath",
    "principalorgpaths",
];

fn is_reserved_tag_key(key: &str) -> bool {
    RESERVED_TAG_KEYS
        .iter()
        .any(|r| key.trim().eq_ignore_ascii_case(r))
}

/// Parses an optional string; a value that does not parse is `None`.
pub(crate) fn parse_opt<T: FromStr>(value: Option<&str>) -> Option<T> {
    value.and_then(|v| v.parse().ok())
}

/// The single value of `name`, as UTF-8.
fn single<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
    label: &'static str,
) -> Result<Option<&'h str>, IdentityError> {
    let mut all = headers.get_all(name).iter();
    let Some(first) = all.next() else {
        return Ok(None);
    };
    if all.next().is_some() {
        return Err(IdentityError::RepeatedHeader { header: label });
    }
    std::str::from_utf8(first.as_bytes())
        .map(Some)
        .map_err(|_| IdentityError::NotUtf8 { header: label })
}

fn set<T: PartialEq>(
    slot: &mut Option<T>,
    field: &'static str,
    value: T,
) -> Result<(), IdentityError> {
    match slot {
        Some(old) if *old != value => Err(IdentityError::ConflictingValues { field }),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// Splits a `Key=Value;Key=Value` list (see the module docs for the rules).
fn parse_pairs(header: &'static str, value: &str) -> Result<Vec<(String, String)>, IdentityError> {
    // Unescape while splitting, remembering where the first *unescaped* `=`
    // is so that an escaped character never moves the key/value boundary.
    let mut pairs = Vec::new();
    let mut item = String::new();
    let mut eq: Option<usize> = None;
    let mut chars = value.chars().peekable();
    let mut finish = |item: &mut String, eq: &mut Option<usize>| -> Result<(), IdentityError> {
        let raw = std::mem::take(item);
        let split = eq.take();
        let lead = raw.len() - raw.trim_start().len();
        if raw.trim().is_empty() {
            return Ok(());
        }
        let Some(at) = split else {
            return Err(IdentityError::MissingEquals {
                header,
                item: excerpt(raw.trim()),
            });
        };
        let (key, rest) = match (raw.get(lead..at), raw.get(at + 1..)) {
            (Some(k), Some(v)) => (k.trim(), v),
            _ => {
                return Err(IdentityError::EmptyKey {
                    header,
                    item: excerpt(raw.trim()),
                });
            }
        };
        if key.is_empty() {
            return Err(IdentityError::EmptyKey {
                header,
                item: excerpt(raw.trim()),
            });
        }
        pairs.push((key.to_owned(), rest.to_owned()));
        Ok(())
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&';') | Some(&'\\') => {
                    if let Some(next) = chars.next() {
                        item.push(next);
                    }
                }
                _ => item.push('\\'),
            },
            ';' => finish(&mut item, &mut eq)?,
            '=' if eq.is_none() => {
                eq = Some(item.len());
                item.push('=');
            }
            c => item.push(c),
        }
    }
    finish(&mut item, &mut eq)?;
    Ok(pairs)
}

/// Builds one `Key=Value` header value.
struct PairWriter {
    sep: &'static str,
    buf: String,
}

impl PairWriter {
    fn new(sep: &'static str) -> Self {
        Self {
            sep,
            buf: String::new(),
        }
    }

    fn pair(&mut self, key: &str, value: &str) {
        if !self.buf.is_empty() {
            self.buf.push_str(self.sep);
        }
        escape_into(&mut self.buf, key);
        self.buf.push('=');
        escape_into(&mut self.buf, value);
    }

    fn opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.pair(key, v);
        }
    }

    fn unknown(&mut self, fields: &[UnknownField], header: IdentityHeader) {
        for f in fields.iter().filter(|f| f.header == header) {
            self.pair(&f.key, &f.value);
        }
    }

    fn finish(
        self,
        name: HeaderName,
        label: &'static str,
        out: &mut Vec<(HeaderName, HeaderValue)>,
    ) -> Result<(), IdentityError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let value = HeaderValue::from_str(&self.buf)
            .map_err(|_| IdentityError::InvalidHeaderValue { header: label })?;
        out.push((name, value));
        Ok(())
    }
}

fn escape_into(buf: &mut String, s: &str) {
    for c in s.chars() {
        if c == ';' || c == '\\' {
            buf.push('\\');
        }
        buf.push(c);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn parses_observed_identity_with_spaces() {
        let map = headers(&[(
            "x-amzn-lattice-identity",
            "Principal=arn:aws:sts::123456789012:assumed-role/EnvoyFrontendTaskRole/503e18cee581465f914c75291291e98e; PrincipalOrgID=o-12345678; SessionName=503e18cee581465f914c75291291e98e; Type=AWS_IAM",
        )]);
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        assert_eq!(id.principal_account(), Some("123456789012"));
        assert_eq!(id.principal_org_id.as_deref(), Some("o-12345678"));
        assert_eq!(
            id.session_name.as_deref(),
            Some("503e18cee581465f914c75291291e98e")
        );
        assert_eq!(id.auth_type.as_deref(), Some("AWS_IAM"));
        assert!(id.is_aws_iam());
        assert_eq!(
            id.principal_arn().unwrap().kind(),
            crate::arn::PrincipalKind::AssumedRole
        );
    }

    #[test]
    fn any_order_unknown_keys_empty_values_trailing_semicolon() {
        let map = headers(&[(
            "x-amzn-lattice-identity",
            "Type=AWS_IAM;NewKey=;  principal=arn:aws:iam::111122223333:role/r;SessionName=;PrincipalOrgPaths=o-1/r-2/ou-3;",
        )]);
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        assert_eq!(
            id.principal.as_deref(),
            Some("arn:aws:iam::111122223333:role/r")
        );
        assert_eq!(id.session_name.as_deref(), Some(""));
        assert_eq!(id.principal_org_path.as_deref(), Some("o-1/r-2/ou-3"));
        assert_eq!(
            id.unknown,
            vec![UnknownField::new(IdentityHeader::Identity, "NewKey", "")]
        );
    }

    #[test]
    fn tags_with_escapes_and_equals() {
        let map = headers(&[(
            "x-amzn-lattice-identity-tags",
            r"principal=arn:aws:iam::1:role/r;principalorgid=o-1;team=a\;b;expr=x=y;back=c\\;last=",
        )]);
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        assert_eq!(id.tag("team"), Some("a;b"));
        assert_eq!(id.tag("expr"), Some("x=y"));
        assert_eq!(id.tag("back"), Some("c\\"));
        assert_eq!(id.tag("last"), Some(""));
        // Lattice's copies of the principal are tags like any other.
        assert_eq!(id.tag("principalorgid"), Some("o-1"));
        assert_eq!(id.principal_org_id, None);
    }

    #[test]
    fn a_callers_tags_never_fill_identity_fields() {
        // A caller outside any organisation tags its session with names that
        // look like the identity keys (sts:TagSession lets it choose both).
        let map = headers(&[
            (
                "x-amzn-lattice-identity",
                "Principal=arn:aws:sts::111122223333:assumed-role/r/s; Type=AWS_IAM",
            ),
            (
                "x-amzn-lattice-identity-tags",
                "PrincipalOrgID=o-victim;principalorgpath=o-victim/r-1/ou-2;Principal=arn:aws:iam::999999999999:role/admin;PRINCIPALORGPATHS=x",
            ),
        ]);
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        assert_eq!(id.principal_org_id, None);
        assert_eq!(id.principal_org_path, None);
        assert_eq!(
            id.principal.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/r/s")
        );
        // They stay readable as what they are: tags.
        assert_eq!(id.tag("PrincipalOrgID"), Some("o-victim"));
        assert_eq!(
            id.tag("Principal"),
            Some("arn:aws:iam::999999999999:role/admin")
        );
        assert_eq!(id.principal_tags.len(), 4);
        // Tags alone never make an authenticated caller.
        let tags_only = headers(&[(
            "x-amzn-lattice-identity-tags",
            "principal=arn:aws:iam::1:role/r",
        )]);
        let id = CallerIdentity::from_headers(&tags_only).unwrap().unwrap();
        assert!(id.is_anonymous());
    }

    #[test]
    fn to_headers_refuses_tags_named_like_identity_keys() {
        for key in [
            "PrincipalOrgID",
            "principalorgid",
            "Principal",
            "PrincipalOrgPath",
            "principalorgpaths",
        ] {
            let mut id = CallerIdentity::default();
            id.principal_tags = vec![("team".into(), "a".into()), (key.into(), "o-victim".into())];
            assert_eq!(
                id.to_headers(),
                Err(IdentityError::ReservedTagKey { key: key.into() }),
                "{key}"
            );
            let mut map = headers(&[("x-amzn-lattice-network", "SourceVpcArn=a")]);
            assert!(id.write_headers(&mut map).is_err());
            assert_eq!(map.len(), 1, "headers unchanged on error");
        }
        // A tag that only starts like one is fine, and reads back as a tag.
        let mut id = CallerIdentity::default();
        id.principal_tags = vec![("principalteam".into(), "a".into())];
        let back = CallerIdentity::from_headers(&id.to_headers().unwrap()).unwrap();
        assert_eq!(back, Some(id));
    }

    #[test]
    fn network_target_and_source_vpc() {
        let map = headers(&[
            (
                "x-amzn-lattice-network",
                "SourceVpcArn=arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0",
            ),
            (
                "x-amzn-lattice-target",
                "ServiceArn=arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0725375ee8851076b; ServiceNetworkArn=arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-0827fa025cfa385f2; TargetGroupArn=arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-02dd764d44bb49a8c",
            ),
        ]);
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        assert!(id.is_anonymous());
        assert_eq!(id.source_vpc().unwrap().as_str(), "vpc-0123456789abcdef0");
        assert_eq!(
            id.service_arn().unwrap().id().as_str(),
            "svc-0725375ee8851076b"
        );
        assert_eq!(id.target_group_arn().unwrap().region(), "us-east-1");
        assert_eq!(
            id.service_network_arn().unwrap().id().as_str(),
            "sn-0827fa025cfa385f2"
        );
    }

    #[test]
    fn absent_is_none_and_errors_are_specific() {
        assert_eq!(
            CallerIdentity::from_headers(&HeaderMap::new()).unwrap(),
            None
        );
        let e = CallerIdentity::from_headers(&headers(&[("x-amzn-lattice-identity", "Principal")]));
        assert!(matches!(e, Err(IdentityError::MissingEquals { .. })));
        let e = CallerIdentity::from_headers(&headers(&[("x-amzn-lattice-identity", "=x")]));
        assert!(matches!(e, Err(IdentityError::EmptyKey { .. })));
        let e = CallerIdentity::from_headers(&headers(&[
            ("x-amzn-lattice-network", "SourceVpcArn=a"),
            ("x-amzn-lattice-network", "SourceVpcArn=a"),
        ]));
        assert!(matches!(e, Err(IdentityError::RepeatedHeader { .. })));
        let e = CallerIdentity::from_headers(&headers(&[(
            "x-amzn-lattice-identity",
            "Principal=a; principal=b",
        )]));
        assert_eq!(
            e,
            Err(IdentityError::ConflictingValues { field: "Principal" })
        );
        let mut map = HeaderMap::new();
        map.insert(
            IDENTITY_HEADER,
            HeaderValue::from_bytes(b"Principal=\xff").unwrap(),
        );
        assert!(matches!(
            CallerIdentity::from_headers(&map),
            Err(IdentityError::NotUtf8 { .. })
        ));
    }

    #[test]
    fn non_arn_values_are_kept() {
        let map = headers(&[(
            "x-amzn-lattice-identity",
            "Principal=not an arn; Type=AWS_IAM",
        )]);
        let id = CallerIdentity::from_headers(&map).unwrap().unwrap();
        assert_eq!(id.principal.as_deref(), Some("not an arn"));
        assert_eq!(id.principal_arn(), None);
        assert_eq!(id.principal_account(), None);
    }

    #[test]
    fn to_headers_round_trips() {
        let id = CallerIdentity {
            auth_type: Some("AWS_IAM".into()),
            principal: Some("arn:aws:sts::1:assumed-role/r/s".into()),
            principal_org_id: Some("o-1".into()),
            session_name: Some("s".into()),
            x509: X509Identity {
                subject_cn: Some("device; 1".into()),
                san_uri: Some("spiffe://x/y".into()),
                ..X509Identity::default()
            },
            principal_tags: vec![("team".into(), "a;b\\c".into())],
            source_vpc_arn: Some("arn:aws:ec2:us-east-1:1:vpc/vpc-1".into()),
            source_vpc_id: Some("vpc-1".into()),
            service_arn: Some("arn:aws:vpc-lattice:us-east-1:1:service/svc-1".into()),
            unknown: vec![
                // Parsing reads the headers in a fixed order (identity,
                // network, target), so keep unknown fields in that order.
                UnknownField::new(IdentityHeader::Network, "Extra", ""),
                UnknownField::new(IdentityHeader::Target, "Listener", "l-1"),
            ],
            ..CallerIdentity::default()
        };
        let map = id.to_headers().unwrap();
        assert_eq!(
            map.get(&IDENTITY_HEADER).unwrap(),
            "Principal=arn:aws:sts::1:assumed-role/r/s; PrincipalOrgID=o-1; SessionName=s; X509SAN/URI=spiffe://x/y; X509Subject/CN=device\\; 1; Type=AWS_IAM"
        );
        assert_eq!(CallerIdentity::from_headers(&map).unwrap(), Some(id));
    }

    #[test]
    fn typed_accessors_use_the_crate_arn_types() {
        let id = CallerIdentity {
            principal: Some("arn:aws:iam::111122223333:role/path/name".into()),
            source_vpc_arn: Some("arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1a2b3c4d".into()),
            source_vpc_id: Some("not-a-vpc".into()),
            service_arn: Some("arn:aws:vpc-lattice:us-east-1:1:service/svc-1".into()),
            ..CallerIdentity::default()
        };
        let p = id.principal_arn().unwrap();
        assert_eq!(p.kind(), crate::arn::PrincipalKind::Role);
        assert_eq!(p.name(), Some("name"));
        assert_eq!(id.principal_account(), Some("111122223333"));
        // A malformed `x-amzn-source-vpc` falls back to the ARN's id.
        assert_eq!(id.source_vpc().unwrap().as_str(), "vpc-1a2b3c4d");
        // Kept as a string, but not a well-formed service ARN.
        assert_eq!(
            id.service_arn.as_deref(),
            Some("arn:aws:vpc-lattice:us-east-1:1:service/svc-1")
        );
        assert!(id.service_arn().is_none());
    }
}
