//! Reading the headers: the `Key=Value;` grammar of the module docs.

use http::{HeaderMap, HeaderName};

use super::{
    CallerIdentity, IDENTITY_HEADER, IDENTITY_TAGS_HEADER, IdentityError, IdentityHeader,
    NETWORK_HEADER, SOURCE_VPC_HEADER, TARGET_HEADER, UnknownField,
};
use crate::text::excerpt;

impl CallerIdentity {
    /// Reads the caller identity from Lattice's request headers.
    ///
    /// Returns `Ok(None)` when none of [`LATTICE_IDENTITY_HEADERS`](super::LATTICE_IDENTITY_HEADERS) is present
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
