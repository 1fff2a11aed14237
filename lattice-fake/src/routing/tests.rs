use std::collections::BTreeMap;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::json;

use super::*;
use crate::limits::Limits;

const TG_A: &str = "tg-0000000000000000a";
const TG_B: &str = "tg-0000000000000000b";
const TG_C: &str = "tg-0000000000000000c";

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

/// One rule (priority 1) forwarding to TG_A; default 404.
fn table(m: HttpMatch) -> RouteTable {
    RouteTable::build(
        vec![Rule::new(1, m, RuleAction::forward_to(TG_A))],
        RuleAction::fixed_response(404),
        &Limits::default(),
    )
    .unwrap()
}

fn hits(table: &RouteTable, method: &str, path: &str, hdrs: &[(&str, &str)]) -> bool {
    let map = headers(hdrs);
    let route = table.route(
        &RouteRequest::new(method, path, &map),
        &mut Rng::with_seed(1),
    );
    matches!(route.matched, MatchedRule::Rule { .. })
}

fn build_err(rules: Vec<Rule>, default: RuleAction) -> RoutingError {
    RouteTable::build(rules, default, &Limits::default()).unwrap_err()
}

fn any_rule(priority: u32) -> Rule {
    Rule::new(priority, HttpMatch::new(), RuleAction::forward_to(TG_A))
}

// --- method -----------------------------------------------------------------

#[test]
fn method_is_exact_and_case_sensitive() {
    let t = table(HttpMatch::new().method("GET"));
    assert!(hits(&t, "GET", "/", &[]));
    assert!(!hits(&t, "get", "/", &[]));
    assert!(!hits(&t, "Get", "/", &[]));
    assert!(!hits(&t, "GETS", "/", &[]));
    assert!(!hits(&t, "POST", "/", &[]));
}

#[test]
fn custom_methods_match_exactly() {
    let t = table(HttpMatch::new().method("PURGE"));
    assert!(hits(&t, "PURGE", "/", &[]));
    assert!(!hits(&t, "purge", "/", &[]));
}

// --- path -------------------------------------------------------------------

#[test]
fn exact_path_is_case_insensitive_by_default() {
    let t = table(HttpMatch::new().path(PathMatch::exact("/Orders")));
    assert!(hits(&t, "GET", "/Orders", &[]));
    assert!(hits(&t, "GET", "/orders", &[]));
    assert!(hits(&t, "GET", "/ORDERS", &[]));
    assert!(!hits(&t, "GET", "/orders/", &[]));
    assert!(!hits(&t, "GET", "/order", &[]));
    assert!(!hits(&t, "GET", "/orders/1", &[]));
}

#[test]
fn exact_path_case_sensitive() {
    let t = table(HttpMatch::new().path(PathMatch::exact("/Orders").case_sensitive(true)));
    assert!(hits(&t, "GET", "/Orders", &[]));
    assert!(!hits(&t, "GET", "/orders", &[]));
    assert!(!hits(&t, "GET", "/ORDERS", &[]));
}

#[test]
fn prefix_path_is_case_insensitive_by_default() {
    let t = table(HttpMatch::new().path(PathMatch::prefix("/api/V1")));
    assert!(hits(&t, "GET", "/api/v1", &[]));
    assert!(hits(&t, "GET", "/API/V1/orders", &[]));
    assert!(
        hits(&t, "GET", "/api/v1x", &[]),
        "a prefix is a string prefix"
    );
    assert!(!hits(&t, "GET", "/api/v", &[]));
    assert!(!hits(&t, "GET", "/v1/api", &[]));
    assert!(!hits(&t, "GET", "", &[]));
}

#[test]
fn prefix_path_case_sensitive() {
    let t = table(HttpMatch::new().path(PathMatch::prefix("/api/V1").case_sensitive(true)));
    assert!(hits(&t, "GET", "/api/V1/orders", &[]));
    assert!(!hits(&t, "GET", "/api/v1/orders", &[]));
    assert!(!hits(&t, "GET", "/API/V1", &[]));
}

#[test]
fn root_prefix_matches_everything() {
    let t = table(HttpMatch::new().path(PathMatch::prefix("/")));
    assert!(hits(&t, "GET", "/", &[]));
    assert!(hits(&t, "GET", "/anything/at/all", &[]));
}

// --- headers ----------------------------------------------------------------

#[test]
fn header_exact_default_is_case_insensitive_in_name_and_value() {
    let t = table(HttpMatch::new().header(HeaderMatch::exact("X-Tenant", "Blue")));
    assert!(hits(&t, "GET", "/", &[("x-tenant", "Blue")]));
    assert!(hits(&t, "GET", "/", &[("X-TENANT", "blue")]));
    assert!(hits(&t, "GET", "/", &[("x-tenant", "BLUE")]));
    assert!(!hits(&t, "GET", "/", &[("x-tenant", "blue2")]));
    assert!(!hits(&t, "GET", "/", &[("x-tenant", "blu")]));
    assert!(!hits(&t, "GET", "/", &[("x-other", "blue")]));
    assert!(!hits(&t, "GET", "/", &[]));
}

#[test]
fn header_exact_case_sensitive_value_name_still_insensitive() {
    let t =
        table(HttpMatch::new().header(HeaderMatch::exact("X-Tenant", "Blue").case_sensitive(true)));
    assert!(hits(&t, "GET", "/", &[("x-tenant", "Blue")]));
    assert!(hits(&t, "GET", "/", &[("X-Tenant", "Blue")]));
    assert!(!hits(&t, "GET", "/", &[("x-tenant", "blue")]));
}

#[test]
fn header_prefix() {
    let t = table(HttpMatch::new().header(HeaderMatch::prefix("user-agent", "Mozilla/")));
    assert!(hits(&t, "GET", "/", &[("user-agent", "Mozilla/5.0 (X11)")]));
    assert!(hits(&t, "GET", "/", &[("user-agent", "mozilla/5.0")]));
    assert!(!hits(&t, "GET", "/", &[("user-agent", "curl/8 Mozilla/")]));
    assert!(!hits(&t, "GET", "/", &[("user-agent", "Mozilla")]));

    let t = table(
        HttpMatch::new().header(HeaderMatch::prefix("user-agent", "Mozilla/").case_sensitive(true)),
    );
    assert!(hits(&t, "GET", "/", &[("user-agent", "Mozilla/5.0")]));
    assert!(!hits(&t, "GET", "/", &[("user-agent", "mozilla/5.0")]));
}

#[test]
fn header_contains() {
    let t = table(HttpMatch::new().header(HeaderMatch::contains("accept", "JSON")));
    assert!(hits(&t, "GET", "/", &[("accept", "application/json")]));
    assert!(hits(&t, "GET", "/", &[("accept", "JSON")]));
    assert!(hits(
        &t,
        "GET",
        "/",
        &[("accept", "text/html, application/Json;q=0.9")]
    ));
    assert!(!hits(&t, "GET", "/", &[("accept", "text/html")]));
    assert!(!hits(&t, "GET", "/", &[("accept", "jso")]));

    let t = table(
        HttpMatch::new().header(HeaderMatch::contains("accept", "JSON").case_sensitive(true)),
    );
    assert!(hits(&t, "GET", "/", &[("accept", "x/JSON")]));
    assert!(!hits(&t, "GET", "/", &[("accept", "application/json")]));
}

#[test]
fn repeated_header_matches_when_any_value_matches() {
    let t = table(HttpMatch::new().header(HeaderMatch::exact("x-flag", "on")));
    assert!(hits(&t, "GET", "/", &[("x-flag", "off"), ("x-flag", "on")]));
    assert!(!hits(
        &t,
        "GET",
        "/",
        &[("x-flag", "off"), ("x-flag", "maybe")]
    ));
}

#[test]
fn non_utf8_header_values_compare_as_bytes() {
    let t = table(HttpMatch::new().header(HeaderMatch::contains("x-bin", "ab")));
    let mut map = HeaderMap::new();
    map.insert("x-bin", HeaderValue::from_bytes(b"\xff\xfeAB\x80").unwrap());
    let route = t.route(&RouteRequest::new("GET", "/", &map), &mut Rng::with_seed(1));
    assert!(matches!(route.matched, MatchedRule::Rule { .. }));
}

// --- AND, priority, default -------------------------------------------------

#[test]
fn all_parts_must_match() {
    let t = table(
        HttpMatch::new()
            .method("POST")
            .path(PathMatch::prefix("/orders"))
            .header(HeaderMatch::exact("x-a", "1"))
            .header(HeaderMatch::prefix("x-b", "2")),
    );
    let ok = [("x-a", "1"), ("x-b", "22")];
    assert!(hits(&t, "POST", "/orders/9", &ok));
    assert!(!hits(&t, "GET", "/orders/9", &ok), "method differs");
    assert!(!hits(&t, "POST", "/carts", &ok), "path differs");
    assert!(
        !hits(&t, "POST", "/orders/9", &[("x-a", "1")]),
        "header missing"
    );
    assert!(
        !hits(&t, "POST", "/orders/9", &[("x-a", "2"), ("x-b", "2")]),
        "header differs"
    );
}

#[test]
fn empty_match_matches_everything() {
    let t = table(HttpMatch::new());
    assert!(hits(&t, "DELETE", "/x", &[]));
}

#[test]
fn rules_are_evaluated_by_priority_not_list_order_and_default_last() {
    let rules = vec![
        Rule::new(
            50,
            HttpMatch::new().path(PathMatch::prefix("/")),
            RuleAction::forward_to(TG_C),
        )
        .name("catch-all"),
        Rule::new(
            5,
            HttpMatch::new().path(PathMatch::prefix("/orders/admin")),
            RuleAction::fixed_response(500),
        )
        .name("admin"),
        Rule::new(
            20,
            HttpMatch::new().path(PathMatch::prefix("/orders")),
            RuleAction::forward_to(TG_B),
        )
        .name("orders"),
        Rule::new(
            1,
            HttpMatch::new().method("OPTIONS"),
            RuleAction::forward_to(TG_A),
        )
        .name("preflight"),
    ];
    let t = RouteTable::build(rules, RuleAction::fixed_response(404), &Limits::default()).unwrap();
    assert_eq!(t.priorities().collect::<Vec<_>>(), [1, 5, 20, 50]);
    let empty = HeaderMap::new();
    let mut rng = Rng::with_seed(3);
    let mut route = |method, path| t.route(&RouteRequest::new(method, path, &empty), &mut rng);

    let r = route("OPTIONS", "/orders/admin");
    assert_eq!(
        r.matched,
        MatchedRule::Rule {
            priority: 1,
            name: Some("preflight")
        }
    );
    assert_eq!(r.outcome, RouteOutcome::Forward { target_group: TG_A });

    let r = route("GET", "/orders/admin/x");
    assert_eq!(
        r.matched,
        MatchedRule::Rule {
            priority: 5,
            name: Some("admin")
        }
    );
    assert_eq!(
        r.outcome,
        RouteOutcome::FixedResponse {
            status: StatusCode::INTERNAL_SERVER_ERROR
        }
    );

    let r = route("GET", "/orders/1");
    assert_eq!(r.outcome, RouteOutcome::Forward { target_group: TG_B });

    let r = route("GET", "/carts");
    assert_eq!(
        r.matched,
        MatchedRule::Rule {
            priority: 50,
            name: Some("catch-all")
        }
    );
    assert_eq!(r.outcome, RouteOutcome::Forward { target_group: TG_C });
}

#[test]
fn default_action_when_nothing_matches() {
    let t = RouteTable::build(
        vec![Rule::new(
            1,
            HttpMatch::new().method("GET"),
            RuleAction::fixed_response(404),
        )],
        RuleAction::forward_to(TG_B),
        &Limits::default(),
    )
    .unwrap();
    let empty = HeaderMap::new();
    let r = t.route(
        &RouteRequest::new("PUT", "/", &empty),
        &mut Rng::with_seed(1),
    );
    assert_eq!(r.matched, MatchedRule::Default);
    assert_eq!(r.outcome, RouteOutcome::Forward { target_group: TG_B });
    let r = t.route(
        &RouteRequest::new("GET", "/", &empty),
        &mut Rng::with_seed(1),
    );
    assert_eq!(
        r.outcome,
        RouteOutcome::FixedResponse {
            status: StatusCode::NOT_FOUND
        }
    );
}

#[test]
fn listener_with_only_a_default_action() {
    let t = RouteTable::build(vec![], RuleAction::fixed_response(500), &Limits::default()).unwrap();
    assert!(t.is_empty());
    let empty = HeaderMap::new();
    let r = t.route(
        &RouteRequest::new("GET", "/", &empty),
        &mut Rng::with_seed(1),
    );
    assert_eq!(r.matched, MatchedRule::Default);
    assert_eq!(
        r.outcome,
        RouteOutcome::FixedResponse {
            status: StatusCode::INTERNAL_SERVER_ERROR
        }
    );
}

#[test]
fn from_request_uses_the_path_without_query() {
    let t = table(
        HttpMatch::new()
            .method("GET")
            .path(PathMatch::exact("/orders")),
    );
    let req = http::Request::get("http://svc/orders?id=1")
        .body(())
        .unwrap();
    let r = t.route(&RouteRequest::from_request(&req), &mut Rng::with_seed(1));
    assert!(matches!(r.matched, MatchedRule::Rule { priority: 1, .. }));
}

// --- weights ----------------------------------------------------------------

fn counts(action: RuleAction, n: usize, seed: u64) -> BTreeMap<String, usize> {
    let t = RouteTable::build(vec![], action, &Limits::default()).unwrap();
    let empty = HeaderMap::new();
    let req = RouteRequest::new("GET", "/", &empty);
    let mut rng = Rng::with_seed(seed);
    let mut out = BTreeMap::new();
    for _ in 0..n {
        match t.route(&req, &mut rng).outcome {
            RouteOutcome::Forward { target_group } => {
                *out.entry(target_group.to_owned()).or_default() += 1
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

/// `observed` lies within 5 standard deviations of a binomial(n, p).
fn within_bounds(observed: usize, n: usize, p: f64) -> bool {
    let mean = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    (observed as f64 - mean).abs() <= 5.0 * sd.max(1.0)
}

#[test]
fn weights_split_traffic_proportionally() {
    let n = 10_000;
    for seed in [1, 42, 0xdead_beef] {
        let c = counts(
            RuleAction::forward_weighted([(TG_A, 10), (TG_B, 20)]),
            n,
            seed,
        );
        let a = c.get(TG_A).copied().unwrap_or(0);
        let b = c.get(TG_B).copied().unwrap_or(0);
        assert_eq!(a + b, n);
        assert!(
            within_bounds(a, n, 1.0 / 3.0),
            "seed {seed}: {a} of {n} to A"
        );
        assert!(
            within_bounds(b, n, 2.0 / 3.0),
            "seed {seed}: {b} of {n} to B"
        );
    }
}

#[test]
fn three_way_split_and_extreme_weights() {
    let n = 2_000;
    let c = counts(
        RuleAction::forward_weighted([(TG_A, 1), (TG_B, 999), (TG_C, 500)]),
        n,
        7,
    );
    let total = 1_500.0;
    for (tg, w) in [(TG_A, 1.0), (TG_B, 999.0), (TG_C, 500.0)] {
        let got = c.get(tg).copied().unwrap_or(0);
        assert!(within_bounds(got, n, w / total), "{tg}: {got} of {n}");
    }
}

#[test]
fn weight_zero_is_never_chosen() {
    let c = counts(
        RuleAction::forward_weighted([(TG_A, 0), (TG_B, 1), (TG_C, 0)]),
        1_000,
        9,
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c.get(TG_B), Some(&1_000));
}

#[test]
fn all_zero_weights_have_no_eligible_group() {
    let t = RouteTable::build(
        vec![],
        RuleAction::forward_weighted([(TG_A, 0), (TG_B, 0)]),
        &Limits::default(),
    )
    .unwrap();
    let empty = HeaderMap::new();
    let r = t.route(
        &RouteRequest::new("GET", "/", &empty),
        &mut Rng::with_seed(1),
    );
    assert_eq!(r.outcome, RouteOutcome::NoEligibleTargetGroup);
}

#[test]
fn a_lone_group_without_weight_gets_everything() {
    let c = counts(RuleAction::forward_to(TG_A), 1_000, 5);
    assert_eq!(c.get(TG_A), Some(&1_000));
}

#[test]
fn a_seed_gives_the_same_picks_every_time() {
    let action = || RuleAction::forward_weighted([(TG_A, 1), (TG_B, 1), (TG_C, 1)]);
    for seed in [0, 1, u64::MAX] {
        let t = RouteTable::build(vec![], action(), &Limits::default()).unwrap();
        let empty = HeaderMap::new();
        let req = RouteRequest::new("GET", "/", &empty);
        let picks = |seed| {
            let mut rng = Rng::with_seed(seed);
            (0..64)
                .map(|_| match t.route(&req, &mut rng).outcome {
                    RouteOutcome::Forward { target_group } => target_group.to_owned(),
                    other => panic!("unexpected {other:?}"),
                })
                .collect::<Vec<_>>()
        };
        let first = picks(seed);
        assert_eq!(first, picks(seed));
        assert!(first.iter().any(|g| g != &first[0]), "{first:?}");
    }
}

// --- validation -------------------------------------------------------------

#[test]
fn priority_range() {
    for bad in [0, 101, 256, u32::MAX] {
        let err = build_err(vec![any_rule(bad)], RuleAction::fixed_response(404));
        assert!(
            matches!(err, RoutingError::PriorityOutOfRange { priority, .. } if priority == bad),
            "{err}"
        );
    }
    RouteTable::build(
        vec![any_rule(1), any_rule(100)],
        RuleAction::fixed_response(404),
        &Limits::default(),
    )
    .unwrap();
}

#[test]
fn duplicate_priority_names_both_rules() {
    let err = build_err(
        vec![any_rule(3).name("a"), any_rule(4), any_rule(3).name("b")],
        RuleAction::fixed_response(404),
    );
    assert_eq!(
        err,
        RoutingError::DuplicatePriority {
            priority: 3,
            first: RuleRef::Rule {
                index: 0,
                name: Some("a".into())
            },
            second: RuleRef::Rule {
                index: 2,
                name: Some("b".into())
            },
        }
    );
    assert_eq!(
        err.to_string(),
        "rule #2 (`b`): priority 3 is already used by rule #0 (`a`); priorities are unique per listener"
    );
}

#[test]
fn rules_per_listener_quota_is_configurable() {
    let eleven: Vec<_> = (1..=11).map(any_rule).collect();
    let err = build_err(eleven.clone(), RuleAction::fixed_response(404));
    assert_eq!(
        err,
        RoutingError::TooManyRules {
            count: 11,
            limit: 10
        }
    );
    RouteTable::build(
        eleven,
        RuleAction::fixed_response(404),
        &Limits::default().rules_per_listener(20),
    )
    .unwrap();

    let six: Vec<_> = (1..=6).map(any_rule).collect();
    let err = RouteTable::build(
        six,
        RuleAction::fixed_response(404),
        &Limits::for_region("il-central-1"),
    )
    .unwrap_err();
    assert_eq!(err, RoutingError::TooManyRules { count: 6, limit: 5 });
}

#[test]
fn target_group_quota() {
    let groups: Vec<_> = (0..11).map(|i| (format!("tg-{i:017}"), 1)).collect();
    let err = build_err(vec![], RuleAction::forward_weighted(groups.clone()));
    assert_eq!(
        err,
        RoutingError::TooManyTargetGroups {
            count: 11,
            limit: 10
        }
    );
    // A group named by several actions counts once.
    let ten: Vec<_> = groups.into_iter().take(10).collect();
    let first = ten[0].0.clone();
    RouteTable::build(
        vec![Rule::new(
            1,
            HttpMatch::new(),
            RuleAction::forward_to(first),
        )],
        RuleAction::forward_weighted(ten.clone()),
        &Limits::default(),
    )
    .unwrap();
    let err = RouteTable::build(
        vec![],
        RuleAction::forward_weighted(ten),
        &Limits::default().target_groups_per_service(9),
    )
    .unwrap_err();
    assert_eq!(
        err,
        RoutingError::TooManyTargetGroups {
            count: 10,
            limit: 9
        }
    );
}

#[test]
fn header_match_count() {
    let mut m = HttpMatch::new();
    for i in 0..5 {
        m = m.header(HeaderMatch::exact(format!("x-h{i}"), "v"));
    }
    RouteTable::build(
        vec![Rule::new(1, m.clone(), RuleAction::forward_to(TG_A))],
        RuleAction::fixed_response(404),
        &Limits::default(),
    )
    .unwrap();
    let m = m.header(HeaderMatch::exact("x-h5", "v"));
    let err = build_err(
        vec![Rule::new(1, m, RuleAction::forward_to(TG_A))],
        RuleAction::fixed_response(404),
    );
    assert!(
        matches!(err, RoutingError::TooManyHeaderMatches { count: 6, .. }),
        "{err}"
    );
}

#[test]
fn weight_range_and_missing_weights() {
    let err = build_err(
        vec![],
        RuleAction::forward_weighted([(TG_A, 1000), (TG_B, 1)]),
    );
    assert!(
        matches!(err, RoutingError::WeightOutOfRange { weight: 1000, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "default action: weight 1000 of target group `tg-0000000000000000a` is out of range; use 0-999"
    );
    RouteTable::build(
        vec![],
        RuleAction::forward_weighted([(TG_A, 999), (TG_B, 0)]),
        &Limits::default(),
    )
    .unwrap();

    let action: RuleAction = serde_json::from_value(json!({"forward": {"targetGroups": [
        {"targetGroupIdentifier": TG_A, "weight": 1},
        {"targetGroupIdentifier": TG_B}
    ]}}))
    .unwrap();
    let err = build_err(vec![], action);
    assert!(
        matches!(err, RoutingError::MissingWeight { ref target_group, .. } if target_group == TG_B)
    );
}

#[test]
fn empty_forward_and_empty_group() {
    let err = build_err(vec![], RuleAction::Forward(ForwardAction::default()));
    assert_eq!(
        err,
        RoutingError::EmptyForward {
            rule: RuleRef::Default
        }
    );
    let err = build_err(vec![], RuleAction::forward_to(""));
    assert_eq!(
        err,
        RoutingError::EmptyTargetGroup {
            rule: RuleRef::Default
        }
    );
}

#[test]
fn fixed_response_codes() {
    for ok in [404, 500] {
        RouteTable::build(vec![], RuleAction::fixed_response(ok), &Limits::default()).unwrap();
    }
    for bad in [200, 403, 503, 100, 599, 0] {
        let err = build_err(
            vec![Rule::new(
                1,
                HttpMatch::new(),
                RuleAction::fixed_response(bad),
            )],
            RuleAction::fixed_response(404),
        );
        assert!(
            matches!(err, RoutingError::UnsupportedFixedResponse { status, rule: RuleRef::Rule { index: 0, .. } } if status == bad),
            "{err}"
        );
    }
}

#[test]
fn method_path_and_header_values() {
    let bad = |m: HttpMatch| {
        build_err(
            vec![Rule::new(1, m, RuleAction::forward_to(TG_A))],
            RuleAction::fixed_response(404),
        )
    };
    assert!(matches!(
        bad(HttpMatch::new().method("")),
        RoutingError::InvalidMethod { .. }
    ));
    assert!(matches!(
        bad(HttpMatch::new().method("A".repeat(17))),
        RoutingError::InvalidMethod { .. }
    ));
    assert!(matches!(
        bad(HttpMatch::new().method("GE T")),
        RoutingError::InvalidMethod { .. }
    ));
    table(HttpMatch::new().method("A".repeat(16)));

    for path in ["", "orders", "/with space", "/star*", "/é"] {
        assert!(
            matches!(
                bad(HttpMatch::new().path(PathMatch::exact(path))),
                RoutingError::InvalidPath { .. }
            ),
            "{path:?}"
        );
    }
    let long = format!("/{}", "a".repeat(200));
    assert!(matches!(
        bad(HttpMatch::new().path(PathMatch::prefix(long))),
        RoutingError::InvalidPath { .. }
    ));
    table(HttpMatch::new().path(PathMatch::prefix(format!("/{}", "a".repeat(199)))));
    table(HttpMatch::new().path(PathMatch::exact("/a@b:c%20_d+e.f~g#h?i&j/k=l-m")));

    assert!(matches!(
        bad(HttpMatch::new().header(HeaderMatch::exact("", "v"))),
        RoutingError::InvalidHeaderName { .. }
    ));
    assert!(matches!(
        bad(HttpMatch::new().header(HeaderMatch::exact("x".repeat(101), "v"))),
        RoutingError::InvalidHeaderName { .. }
    ));
    assert!(matches!(
        bad(HttpMatch::new().header(HeaderMatch::exact("bad name", "v"))),
        RoutingError::InvalidHeaderName { .. }
    ));
    assert!(matches!(
        bad(HttpMatch::new().header(HeaderMatch::contains("x-a", ""))),
        RoutingError::InvalidHeaderValue { .. }
    ));
    assert!(matches!(
        bad(HttpMatch::new().header(HeaderMatch::prefix("x-a", "v".repeat(129)))),
        RoutingError::InvalidHeaderValue { .. }
    ));
    table(HttpMatch::new().header(HeaderMatch::prefix("x".repeat(100), "v".repeat(128))));
}

#[test]
fn default_action_is_validated() {
    let err = build_err(vec![], RuleAction::fixed_response(200));
    assert_eq!(
        err,
        RoutingError::UnsupportedFixedResponse {
            rule: RuleRef::Default,
            status: 200
        }
    );
}

// --- JSON shapes ------------------------------------------------------------

#[test]
fn api_json_deserializes() {
    let rule: Rule = serde_json::from_value(json!({
        "name": "v2-canary",
        "priority": 7,
        "match": {"httpMatch": {
            "method": "POST",
            "pathMatch": {"match": {"prefix": "/orders"}, "caseSensitive": true},
            "headerMatches": [
                {"name": "x-canary", "match": {"exact": "yes"}},
                {"name": "user-agent", "match": {"contains": "curl"}, "caseSensitive": false},
                {"name": "accept", "match": {"prefix": "application/"}, "caseSensitive": true}
            ]
        }},
        "action": {"forward": {"targetGroups": [
            {"targetGroupIdentifier": TG_A, "weight": 90},
            {"targetGroupIdentifier": TG_B, "weight": 10}
        ]}}
    }))
    .unwrap();
    let expected = Rule::new(
        7,
        HttpMatch::new()
            .method("POST")
            .path(PathMatch::prefix("/orders").case_sensitive(true))
            .header(HeaderMatch::exact("x-canary", "yes"))
            .header(HeaderMatch::contains("user-agent", "curl"))
            .header(HeaderMatch::prefix("accept", "application/").case_sensitive(true)),
        RuleAction::forward_weighted([(TG_A, 90), (TG_B, 10)]),
    )
    .name("v2-canary");
    assert_eq!(rule, expected);

    let fixed: RuleAction =
        serde_json::from_value(json!({"fixedResponse": {"statusCode": 404}})).unwrap();
    assert_eq!(fixed, RuleAction::fixed_response(404));

    let lone: RuleAction = serde_json::from_value(
        json!({"forward": {"targetGroups": [{"targetGroupIdentifier": TG_C}]}}),
    )
    .unwrap();
    assert_eq!(lone, RuleAction::forward_to(TG_C));

    // caseSensitive defaults to false.
    let p: PathMatch = serde_json::from_value(json!({"match": {"exact": "/x"}})).unwrap();
    assert!(!p.case_sensitive);
}

#[test]
fn json_round_trips_with_api_names() {
    let rule = Rule::new(
        3,
        HttpMatch::new()
            .method("GET")
            .path(PathMatch::exact("/a"))
            .header(HeaderMatch::prefix("x-b", "c").case_sensitive(true)),
        RuleAction::fixed_response(500),
    );
    let value = serde_json::to_value(&rule).unwrap();
    assert_eq!(
        value,
        json!({
            "priority": 3,
            "match": {"httpMatch": {
                "method": "GET",
                "pathMatch": {"match": {"exact": "/a"}, "caseSensitive": false},
                "headerMatches": [{"name": "x-b", "match": {"prefix": "c"}, "caseSensitive": true}]
            }},
            "action": {"fixedResponse": {"statusCode": 500}}
        })
    );
    let back: Rule = serde_json::from_value(value).unwrap();
    assert_eq!(back, rule);
}

#[test]
fn unknown_fields_and_bad_shapes_are_rejected() {
    assert!(serde_json::from_value::<PathMatch>(json!({"match": {"regex": "/x"}})).is_err());
    assert!(
        serde_json::from_value::<HeaderMatch>(json!({"name": "a", "match": {"suffix": "b"}}))
            .is_err()
    );
    assert!(serde_json::from_value::<HttpMatch>(json!({"methd": "GET"})).is_err());
    assert!(serde_json::from_value::<RuleAction>(json!({"redirect": {}})).is_err());
}
