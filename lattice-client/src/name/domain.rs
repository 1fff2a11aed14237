//! Custom domains: exact or `*.` patterns, and the table that maps them to the
//! region a request is signed for.

use std::cmp::Ordering;

use super::{DomainProblem, DomainRegion, NameError};
use crate::text::{excerpt, str_newtype};

fn check_domain(d: &str) -> Result<(), DomainProblem> {
    if d.is_empty() {
        return Err(DomainProblem::Empty);
    }
    if d.len() > 253 {
        return Err(DomainProblem::TooLong(d.len()));
    }
    if d == "*" {
        return Err(DomainProblem::WildcardAlone);
    }
    let rest = match d.strip_prefix("*.") {
        Some("") => return Err(DomainProblem::WildcardAlone),
        Some(rest) => rest,
        None => d,
    };
    for label in rest.split('.') {
        if label.is_empty() {
            return Err(DomainProblem::EmptyLabel);
        }
        if label.contains('*') {
            return Err(DomainProblem::Wildcard);
        }
        if label.len() > 63 {
            return Err(DomainProblem::LabelTooLong(excerpt(label)));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(DomainProblem::LabelCharacters(excerpt(label)));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainProblem::LabelHyphen(excerpt(label)));
        }
    }
    Ok(())
}

/// Checks a custom domain name for a Lattice service (the service's
/// `customDomainName`): one exact domain of at least two labels, each 1–63
/// letters, digits and hyphens, not starting or ending with a hyphen, at most
/// 253 characters in all. Any letter case and one trailing dot are accepted,
/// as in [`DomainPattern::parse`]; unlike a pattern, `*` is not.
///
/// ```
/// use lattice_client::name::validate_custom_domain;
///
/// assert!(validate_custom_domain("orders.example.internal").is_ok());
/// assert!(validate_custom_domain("Orders.Example.Internal.").is_ok());
/// assert!(validate_custom_domain("*.example.internal").is_err());
/// assert!(validate_custom_domain("localhost").is_err());
/// assert!(validate_custom_domain("-orders.example.internal").is_err());
/// ```
///
/// # Errors
///
/// [`NameError::Domain`] naming the rule that is broken.
pub fn validate_custom_domain(domain: &str) -> Result<(), NameError> {
    let d = domain.strip_suffix('.').unwrap_or(domain);
    let checked = if d.contains('*') {
        Err(DomainProblem::WildcardNotAllowed)
    } else {
        check_domain(d)
    };
    let checked = checked.and_then(|()| {
        if d.contains('.') {
            Ok(())
        } else {
            Err(DomainProblem::SingleLabel)
        }
    });
    checked.map_err(|problem| NameError::Domain {
        input: excerpt(domain),
        problem,
    })
}

/// A custom domain, or a one-level wildcard over one.
///
/// - exact: `orders.example.internal` matches only that host;
/// - wildcard: `*.example.internal` matches `orders.example.internal` — `*`
///   stands for exactly one label, so neither `example.internal` nor
///   `a.b.example.internal` match (as with ACM wildcard certificates).
///
/// Labels are 1–63 letters, digits and hyphens, not starting or ending with a
/// hyphen; the whole domain is at most 253 characters. Any letter case and one
/// trailing dot are accepted; the pattern is stored lower-case without the dot.
///
/// ```
/// use lattice_client::name::DomainPattern;
///
/// let p: DomainPattern = "*.Example.Internal.".parse()?;
/// assert_eq!(p.to_string(), "*.example.internal");
/// assert!(p.is_wildcard());
/// assert_eq!(p.domain(), "example.internal");
/// assert!(p.matches("orders.example.internal"));
/// assert!(!p.matches("a.b.example.internal"));
/// assert!("a.*.example.internal".parse::<DomainPattern>().is_err());
/// # Ok::<(), lattice_client::name::NameError>(())
/// ```
#[derive(Clone)]
pub struct DomainPattern {
    text: String,
}

impl DomainPattern {
    /// Parses a domain or `*.`-wildcard pattern.
    ///
    /// # Errors
    ///
    /// [`NameError::Domain`] naming the label that is wrong.
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let d = s.strip_suffix('.').unwrap_or(s);
        check_domain(d).map_err(|problem| NameError::Domain {
            input: excerpt(s),
            problem,
        })?;
        Ok(Self {
            text: d.to_ascii_lowercase(),
        })
    }

    /// The pattern: lower-case, without trailing dot, `*.` first for a wildcard.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a `*.` wildcard.
    pub fn is_wildcard(&self) -> bool {
        self.text.starts_with("*.")
    }

    /// The domain the pattern is anchored at: the whole domain when exact,
    /// the part after `*.` for a wildcard.
    pub fn domain(&self) -> &str {
        self.text.strip_prefix("*.").unwrap_or(&self.text)
    }

    /// Whether `host` (without port; any case; one trailing dot allowed)
    /// matches. Does not allocate.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.strip_suffix('.').unwrap_or(host);
        match self.text.strip_prefix("*.") {
            None => host.eq_ignore_ascii_case(&self.text),
            Some(base) => host.split_once('.').is_some_and(|(first, rest)| {
                is_host_label(first) && rest.eq_ignore_ascii_case(base)
            }),
        }
    }
}

/// The one label a wildcard stands for: non-empty, and not itself `*`.
fn is_host_label(label: &str) -> bool {
    !label.is_empty() && label != "*"
}

str_newtype!(DomainPattern, NameError, as_str);

/// Compares a stored lower-case key with `prefix` + `host` folded to lower
/// case, without allocating.
fn cmp_key(stored: &str, prefix: &str, host: &str) -> Ordering {
    stored.bytes().cmp(
        prefix
            .bytes()
            .chain(host.bytes().map(|b| b.to_ascii_lowercase())),
    )
}

/// The user's table of custom domains and the region each is signed for.
///
/// Lookups ([`get`](Self::get), [`lookup`](Self::lookup)) take a host without
/// port, ignore letter case and one trailing dot, prefer an exact entry over a
/// wildcard, and do not allocate (entries are kept sorted; a lookup is two
/// binary searches at most).
///
/// ```
/// use lattice_client::name::{CustomDomains, DomainRegion};
///
/// let mut domains = CustomDomains::new();
/// domains.insert("*.example.internal".parse()?, DomainRegion::region("us-west-2")?)?;
/// domains.insert("billing.example.internal".parse()?, DomainRegion::region("eu-central-1")?)?;
///
/// let region = |host| domains.get(host).map(ToString::to_string);
/// assert_eq!(region("orders.example.internal").as_deref(), Some("us-west-2"));
/// assert_eq!(region("BILLING.example.internal.").as_deref(), Some("eu-central-1"));
/// assert_eq!(region("example.internal"), None);
/// # Ok::<(), lattice_client::name::NameError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomDomains {
    /// Sorted by pattern text; exact patterns never start with `*.`.
    entries: Vec<(DomainPattern, DomainRegion)>,
}

impl CustomDomains {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the entry for `pattern`, returning the region it had.
    ///
    /// # Errors
    ///
    /// [`NameError::Region`] when `region` is not valid (see
    /// [`DomainRegion::validate`]); the table is then unchanged.
    pub fn insert(
        &mut self,
        pattern: DomainPattern,
        region: DomainRegion,
    ) -> Result<Option<DomainRegion>, NameError> {
        region.validate()?;
        match self
            .entries
            .binary_search_by(|(p, _)| p.text.cmp(&pattern.text))
        {
            Ok(i) => Ok(self
                .entries
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, region))),
            Err(i) => {
                self.entries.insert(i, (pattern, region));
                Ok(None)
            }
        }
    }

    /// By-value form of [`insert`](Self::insert) that parses the pattern.
    ///
    /// # Errors
    ///
    /// [`NameError::Domain`] for a bad pattern, [`NameError::Region`] for a
    /// bad region.
    pub fn with(mut self, pattern: &str, region: DomainRegion) -> Result<Self, NameError> {
        self.insert(DomainPattern::parse(pattern)?, region)?;
        Ok(self)
    }

    /// Removes the entry for exactly `pattern`, returning its region.
    pub fn remove(&mut self, pattern: &DomainPattern) -> Option<DomainRegion> {
        let i = self
            .entries
            .binary_search_by(|(p, _)| p.text.cmp(&pattern.text))
            .ok()?;
        (i < self.entries.len()).then(|| self.entries.remove(i).1)
    }

    /// The entry that applies to `host`: the exact entry if there is one,
    /// otherwise the `*.` entry for the host's parent domain.
    pub fn lookup(&self, host: &str) -> Option<(&DomainPattern, &DomainRegion)> {
        let host = host.strip_suffix('.').unwrap_or(host);
        // No valid host contains `*`; this also keeps a literal `*.example`
        // from finding the wildcard entry by exact comparison.
        if host.is_empty() || host.contains('*') {
            return None;
        }
        let find = |prefix: &str, rest: &str| {
            self.entries
                .binary_search_by(|(p, _)| cmp_key(&p.text, prefix, rest))
                .ok()
                .and_then(|i| self.entries.get(i))
                .map(|(p, r)| (p, r))
        };
        find("", host).or_else(|| {
            let (first, parent) = host.split_once('.')?;
            if !is_host_label(first) {
                return None;
            }
            find("*.", parent)
        })
    }

    /// The signing region for `host`; see [`lookup`](Self::lookup).
    pub fn get(&self, host: &str) -> Option<&DomainRegion> {
        self.lookup(host).map(|(_, r)| r)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries, sorted by pattern text.
    pub fn iter(&self) -> impl Iterator<Item = (&DomainPattern, &DomainRegion)> + '_ {
        self.entries.iter().map(|(p, r)| (p, r))
    }
}
