//! Property tests: random paths, methods and headers never panic, and a
//! prefix rule agrees with a straightforward reference.

use http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

use super::Rng;
use super::*;
use crate::limits::Limits;

fn table() -> RouteTable {
    let rules = vec![
        Rule::new(
            1,
            HttpMatch::new()
                .method("GET")
                .path(PathMatch::prefix("/api"))
                .header(HeaderMatch::contains("x-a", "Zz"))
                .header(HeaderMatch::prefix("x-b", "q").case_sensitive(true)),
            RuleAction::forward_weighted([("tg-a", 3), ("tg-b", 0), ("tg-c", 999)]),
        ),
        Rule::new(
            2,
            HttpMatch::new().path(PathMatch::exact("/Exact").case_sensitive(true)),
            RuleAction::fixed_response(500),
        ),
        Rule::new(
            3,
            HttpMatch::new().header(HeaderMatch::exact("x-c", "v")),
            RuleAction::forward_to("tg-d"),
        ),
    ];
    match RouteTable::build(rules, RuleAction::fixed_response(404), &Limits::default()) {
        Ok(t) => t,
        Err(e) => panic!("test table invalid: {e}"),
    }
}

proptest! {
    #[test]
    fn random_requests_never_panic(
        method in "[A-Za-z]{0,20}",
        path in "\\PC{0,300}",
        headers in proptest::collection::vec(
            ("x-[abc]|[a-z-]{1,20}", proptest::collection::vec(any::<u8>(), 0..200)),
            0..12,
        ),
        seed in any::<u64>(),
    ) {
        let t = table();
        let mut map = HeaderMap::new();
        for (name, value) in &headers {
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value)) {
                map.append(n, v);
            }
        }
        let route = t.route(&RouteRequest::new(&method, &path, &map), &mut Rng::with_seed(seed));
        if let RouteOutcome::Forward { target_group } = route.outcome {
            prop_assert_ne!(target_group, "tg-b");
        }
    }

    #[test]
    fn prefix_agrees_with_reference(prefix in "/[a-zA-Z0-9]{0,8}", path in "/[a-zA-Z0-9/]{0,12}", cs in any::<bool>()) {
        let t = match RouteTable::build(
            vec![Rule::new(1, HttpMatch::new().path(PathMatch::prefix(prefix.clone()).case_sensitive(cs)), RuleAction::forward_to("tg-a"))],
            RuleAction::fixed_response(404),
            &Limits::default(),
        ) {
            Ok(t) => t,
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        let expected = if cs {
            path.starts_with(&prefix)
        } else {
            path.to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase())
        };
        let map = HeaderMap::new();
        let route = t.route(&RouteRequest::new("GET", &path, &map), &mut Rng::with_seed(1));
        prop_assert_eq!(matches!(route.matched, MatchedRule::Rule { .. }), expected);
    }

    #[test]
    fn random_rule_json_never_panics(json in "\\PC{0,200}") {
        if let Ok(rule) = serde_json::from_str::<Rule>(&json) {
            let _ = RouteTable::build(vec![rule], RuleAction::fixed_response(404), &Limits::default());
        }
    }
}
