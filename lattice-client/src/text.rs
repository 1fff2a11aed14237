//! Text helpers shared by [`arn`](crate::arn) and [`name`](crate::name):
//! shortening inputs for error messages, the shape of a region name, and the
//! impls every string newtype of those modules has.
//!
//! Both modules depend on this one and not on each other's internals.

/// `s`, cut to at most 200 bytes (on a character boundary) with `…` appended,
/// so that errors about huge inputs stay small.
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    format!("{}…", s.get(..end).unwrap_or(""))
}

fn is_letters(s: &str, fold: bool) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || (fold && b.is_ascii_uppercase()))
}

/// The part of a region before its number: at least `groups_min`
/// `-`-separated groups of letters, the first of at least two (`us-west`,
/// `us-gov-west`, `cn-north`); upper case too when `fold`.
pub(crate) fn is_region_head(head: &str, groups_min: usize, fold: bool) -> bool {
    let mut groups = 0usize;
    for (i, group) in head.split('-').enumerate() {
        if !is_letters(group, fold) || (i == 0 && group.len() < 2) {
            return false;
        }
        groups += 1;
    }
    groups >= groups_min
}

/// Whether `s` is shaped like a region (see [`is_region`]); upper case too
/// when `fold`.
pub(crate) fn region_shape(s: &str, fold: bool) -> bool {
    if s.len() > 40 {
        return false;
    }
    match s.rsplit_once('-') {
        Some((head, digits)) => {
            (1..=3).contains(&digits.len())
                && digits.bytes().all(|b| b.is_ascii_digit())
                && is_region_head(head, 2, fold)
        }
        None => false,
    }
}

/// Whether `s` is shaped like an AWS region name: lower-case letter groups
/// separated by `-`, the first of at least two letters, at least two of them,
/// then `-` and 1–3 digits: `us-west-2`, `eu-central-1`, `us-gov-west-1`,
/// `cn-north-1`, `ap-southeast-2`.
///
/// This checks the shape only, not that the region exists, so new regions
/// work without an update.
///
/// ```
/// use lattice_client::name::is_region;
///
/// assert!(is_region("us-gov-west-1"));
/// assert!(!is_region("US-WEST-2"));
/// assert!(!is_region("us-west"));
/// assert!(!is_region("us-*"));
/// ```
pub fn is_region(s: &str) -> bool {
    region_shape(s, false)
}

/// Writes the impls a string newtype of `arn` and `name` shares, all in terms
/// of the text: `str_newtype!(Type, Error, text)` needs an inherent
/// `Type::parse(&str) -> Result<Type, Error>` and `Type::text(&self) -> &str`
/// (the accessor's name is the third argument), and writes
///
/// * `Debug` as `Type("text")`, and `Display` as the text;
/// * `FromStr` and `TryFrom<&str>` through `parse`;
/// * `AsRef<str>`;
/// * `PartialEq`, `Eq`, `Hash`, `PartialOrd` and `Ord` by text (whatever else
///   the type stores is derived from the text, so this agrees with a derive).
///
/// `; borrow` after the arguments adds `Borrow<str>` (so that a map keyed by
/// the type can be searched with a `&str`), `PartialEq<str>` and
/// `PartialEq<&str>`.
macro_rules! str_newtype {
    ($ty:ident, $err:ty, $text:ident $(; $opt:ident)?) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.$text()).finish()
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.$text())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;
            fn try_from(s: &str) -> Result<Self, $err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.$text()
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.$text() == other.$text()
            }
        }

        impl Eq for $ty {}

        impl ::std::hash::Hash for $ty {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) {
                self.$text().hash(state);
            }
        }

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.$text().cmp(other.$text())
            }
        }

        $($crate::text::str_newtype!(@$opt $ty, $text);)?
    };
    (@borrow $ty:ident, $text:ident) => {
        impl ::std::borrow::Borrow<str> for $ty {
            fn borrow(&self) -> &str {
                self.$text()
            }
        }

        impl PartialEq<str> for $ty {
            fn eq(&self, other: &str) -> bool {
                self.$text() == other
            }
        }

        impl PartialEq<&str> for $ty {
            fn eq(&self, other: &&str) -> bool {
                self.$text() == *other
            }
        }
    };
}

pub(crate) use str_newtype;
