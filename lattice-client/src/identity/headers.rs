//! Writing the headers, in Lattice's format.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::{
    CallerIdentity, IDENTITY_HEADER, IDENTITY_TAGS_HEADER, IdentityError, IdentityHeader,
    NETWORK_HEADER, SOURCE_VPC_HEADER, TARGET_HEADER, UnknownField, strip_identity_headers,
};
use crate::text::excerpt;

impl CallerIdentity {
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
