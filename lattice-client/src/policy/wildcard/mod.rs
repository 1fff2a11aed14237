//! IAM wildcard patterns (`*` = any run of characters, `?` = exactly one
//! character), compiled once at parse time and matched without allocating.
//!
//! Case-insensitive comparison uses [`fold`], a per-character lower-casing
//! that never changes the number of characters, so `?` keeps meaning "one
//! character" on both sides.

/// Lower-cases one character without changing the character count: ASCII is
/// lower-cased directly; a non-ASCII character is replaced by its lower case
/// only when that is a single character (so `İ`, whose lower case is two
/// characters, stays as it is on both sides of a comparison).
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// [`fold`] applied to every character of `s`.
pub(crate) fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// `true` when `subject`, folded, equals `folded` (which must already be folded).
pub(crate) fn eq_folded(folded: &str, subject: &str) -> bool {
    if folded.is_ascii() && subject.is_ascii() {
        return folded.eq_ignore_ascii_case(subject);
    }
    folded.chars().eq(subject.chars().map(fold))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// One literal character (already folded when the pattern folds).
    Char(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters, possibly empty.
    Star,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// The pattern is exactly `*`.
    Anything,
    /// No wildcard: plain (possibly folded) comparison.
    Exact(Box<str>),
    /// At least one wildcard: a literal prefix (compared in one go; in
    /// resource ARNs it is most of the pattern) then tokens from the first
    /// wildcard on.
    Glob {
        prefix: Box<str>,
        tokens: Box<[Token]>,
    },
}

/// A compiled IAM wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    kind: Kind,
    fold: bool,
}

impl Pattern {
    /// Compiles `pattern`; with `fold` the match ignores case (see [`fold`]).
    pub(crate) fn new(pattern: &str, fold_case: bool) -> Self {
        let kind = if pattern == "*" {
            Kind::Anything
        } else if !pattern.contains(['*', '?']) {
            Kind::Exact(if fold_case {
                fold_str(pattern).into()
            } else {
                pattern.into()
            })
        } else {
            let split = pattern.find(['*', '?']).unwrap_or(pattern.len());
            let (prefix, rest) = pattern.split_at_checked(split).unwrap_or((pattern, ""));
            let prefix: Box<str> = if fold_case {
                fold_str(prefix).into()
            } else {
                prefix.into()
            };
            let mut tokens: Vec<Token> = Vec::with_capacity(rest.len());
            for c in rest.chars() {
                let token = match c {
                    '*' => Token::Star,
                    '?' => Token::One,
                    c if fold_case => Token::Char(fold(c)),
                    c => Token::Char(c),
                };
                // `**` means the same as `*`; keeping one makes matching cheaper.
                if token == Token::Star && tokens.last() == Some(&Token::Star) {
                    continue;
                }
                tokens.push(token);
            }
            Kind::Glob {
                prefix,
                tokens: tokens.into_boxed_slice(),
            }
        };
        Pattern {
            kind,
            fold: fold_case,
        }
    }

    /// Matches the whole of `subject`.
    pub(crate) fn matches(&self, subject: &str) -> bool {
        match &self.kind {
            Kind::Anything => true,
            Kind::Exact(exact) if self.fold => eq_folded(exact, subject),
            Kind::Exact(exact) => **exact == *subject,
            Kind::Glob { prefix, tokens } => {
                let rest = if self.fold {
                    strip_folded_prefix(subject, prefix)
                } else {
                    subject.strip_prefix(&**prefix)
                };
                rest.is_some_and(|rest| glob(tokens, rest, self.fold))
            }
        }
    }
}

/// `subject` without a leading `folded` (compared after [`fold`]), or `None`.
fn strip_folded_prefix<'a>(subject: &'a str, folded: &str) -> Option<&'a str> {
    if folded.is_ascii() {
        let head = subject.get(..folded.len())?;
        return head
            .eq_ignore_ascii_case(folded)
            .then(|| subject.get(folded.len()..))
            .flatten();
    }
    let mut rest = subject.chars();
    for want in folded.chars() {
        if rest.next().map(fold) != Some(want) {
            return None;
        }
    }
    Some(rest.as_str())
}

/// Iterative wildcard match with backtracking to the last `*` (at most
/// O(pattern × subject) steps, no recursion, no allocation).
fn glob(tokens: &[Token], subject: &str, fold_case: bool) -> bool {
    let next_char = |at: usize| subject.get(at..).and_then(|rest| rest.chars().next());
    let mut t = 0usize; // token index
    let mut s = 0usize; // byte index into subject
    let mut star: Option<(usize, usize)> = None; // (token after the star, subject restart)
    while let Some(c) = next_char(s) {
        let step = match tokens.get(t) {
            Some(Token::Star) => {
                star = Some((t + 1, s));
                t += 1;
                continue;
            }
            Some(Token::One) => true,
            Some(Token::Char(p)) => *p == if fold_case { fold(c) } else { c },
            None => false,
        };
        if step {
            t += 1;
            s += c.len_utf8();
            continue;
        }
        // Mismatch: let the last `*` swallow one more character, or fail.
        let Some((after_star, restart)) = star else {
            return false;
        };
        let Some(skipped) = next_char(restart) else {
            return false;
        };
        let restart = restart + skipped.len_utf8();
        star = Some((after_star, restart));
        t = after_star;
        s = restart;
    }
    tokens
        .get(t..)
        .is_some_and(|rest| rest.iter().all(|tok| *tok == Token::Star))
}

#[cfg(test)]
mod tests;
