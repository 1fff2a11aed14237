//! Tests of `wildcard`.

use super::*;

fn m(p: &str, s: &str) -> bool {
    Pattern::new(p, false).matches(s)
}

#[test]
fn star_matches_any_run_including_empty() {
    assert!(m("*", ""));
    assert!(m("a*", "a"));
    assert!(m("a*c", "abbbc"));
    assert!(m("*/orders/*", "arn:x/orders/42"));
    assert!(!m("a*c", "abcd"));
    assert!(m("a**b", "ab"));
    assert!(m("*a*b*c*", "xxaxxbxxcxx"));
    assert!(!m("*a*b*c*", "xxcxxbxxaxx"));
}

#[test]
fn question_mark_matches_exactly_one_character() {
    assert!(m("a?c", "abc"));
    assert!(!m("a?c", "ac"));
    assert!(!m("a?c", "abbc"));
    assert!(m("??", "é€"));
    assert!(!m("???", "é€"));
}

#[test]
fn exact_is_case_sensitive_unless_folded() {
    assert!(!m("Invoke", "invoke"));
    assert!(Pattern::new("vpc-lattice-svcs:Invoke", true).matches("VPC-LATTICE-SVCS:invoke"));
    assert!(Pattern::new("vpc-lattice-svcs:In*", true).matches("vpc-lattice-svcs:INVOKE"));
    assert!(Pattern::new("ÉTÉ", true).matches("été"));
    assert!(!Pattern::new("vpc-lattice-svcs:In*", true).matches("vpc-lattice-svcs:Connect"));
}

#[test]
fn backtracking_finds_late_matches() {
    assert!(m("*aab", "aaaab"));
    assert!(m("a*b?d", "abxbcd"));
    assert!(!m("a*b?d", "abxbd"));
}

#[test]
fn literal_prefixes_are_matched_before_wildcards() {
    let p = Pattern::new(
        "arn:aws:vpc-lattice:us-west-2:1:service/svc-1/orders/*",
        false,
    );
    assert!(p.matches("arn:aws:vpc-lattice:us-west-2:1:service/svc-1/orders/42"));
    assert!(p.matches("arn:aws:vpc-lattice:us-west-2:1:service/svc-1/orders/"));
    assert!(!p.matches("arn:aws:vpc-lattice:us-west-2:1:service/svc-1/orders"));
    assert!(!p.matches("arn:aws:vpc-lattice:us-west-2:1:service/svc-2/orders/42"));
    let folded = Pattern::new("ÉtÉ-*", true);
    assert!(folded.matches("été-2024"));
    assert!(!folded.matches("été"));
    assert!(!folded.matches("ét"));
    let ascii = Pattern::new("Vpc-Lattice-Svcs:?nvoke", true);
    assert!(ascii.matches("vpc-lattice-svcs:Invoke"));
    assert!(!ascii.matches("vpc-lattice-svc"));
    // A prefix that would end inside a multi-byte character is no match.
    assert!(!Pattern::new("ab*", true).matches("aé"));
}

#[test]
fn eq_folded_handles_non_ascii() {
    assert!(eq_folded("straße", "STRAßE"));
    assert!(eq_folded("abc", "ABC"));
    assert!(!eq_folded("abc", "abcd"));
}
