use std::time::SystemTime;

use super::graph::{Graph, Kind, Names, Refusal, Role, cut, short_principal};
use super::layout::{CHAR_W, PAD, Rect, count_crossings, layout, order, text_w};
use super::svg::{escape, render};
use crate::access_log::{AccessLogRecord, AuthDeniedReason, FailureReason, ResolvedUser};

const ACCOUNT: &str = "111122223333";
const NET: &str = "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-1";
const ROLE: &str = "arn:aws:sts::111122223333:assumed-role/orders-api/session-1";

fn svc(n: &str) -> String {
    format!("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-{n}")
}

fn tg(n: &str) -> String {
    format!("arn:aws:vpc-lattice:us-west-2:111122223333:targetgroup/tg-{n}")
}

fn names(services: &[&str]) -> Names {
    let mut names = Names {
        account: ACCOUNT.to_owned(),
        ..Names::default()
    };
    names.arns.insert(NET.to_owned(), "shop".to_owned());
    for s in services {
        names.arns.insert(svc(s), (*s).to_owned());
        names.arns.insert(tg(s), format!("{s}-tg"));
        names
            .listeners
            .insert(format!("listener-{s}"), format!("{s}-http"));
    }
    names
}

/// A record that got as far as the fields given.
struct Rec(AccessLogRecord);

static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Rec {
    fn new(caller: Option<&str>) -> Rec {
        let mut r = AccessLogRecord::new(SystemTime::UNIX_EPOCH);
        r.seq = Some(SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        r.request_method = Some("GET".to_owned());
        r.request_path = Some("/orders/1".to_owned());
        r.host_header = Some("orders.localhost".to_owned());
        match caller {
            Some("anonymous") => r.resolved_user = Some(ResolvedUser::Anonymous),
            Some(arn) => {
                r.resolved_user = Some(ResolvedUser::Arn(arn.to_owned()));
                r.caller_principal = Some(arn.to_owned());
            }
            None => {}
        }
        Rec(r)
    }

    fn service(mut self, s: &str) -> Rec {
        self.0.service_network_arn = Some(NET.to_owned());
        self.0.service_arn = Some(svc(s));
        self.0.listener_id = Some(format!("listener-{s}"));
        self
    }

    fn routed(mut self, s: &str, rule: &str, status: u16) -> Rec {
        self = self.service(s);
        self.0.matched_rule = Some(rule.to_owned());
        self.0.target_group_arn = Some(tg(s));
        self.0.response_code = status;
        self
    }

    fn denied(mut self, s: &str, layer: AuthDeniedReason) -> Rec {
        self = self.service(s);
        self.0.access_denied(layer);
        self.0.refusal_line = Some(format!("AccessDeniedException: {layer} says no"));
        self
    }

    fn bad_signature(mut self, s: &str) -> Rec {
        self = self.service(s);
        self.0.resolved_user = Some(ResolvedUser::Unknown);
        self.0.response_code = 403;
        self.0.failure_reason = Some(FailureReason::ClientAccessDenied);
        self.0.refusal_line = Some("InvalidSignatureException: signature mismatch".to_owned());
        self
    }
}

fn node<'g>(g: &'g Graph, label: &str) -> &'g super::graph::Node {
    g.nodes
        .iter()
        .find(|n| n.label == label)
        .unwrap_or_else(|| panic!("no node {label}: {:?}", labels(g)))
}

fn labels(g: &Graph) -> Vec<&str> {
    g.nodes.iter().map(|n| n.label.as_str()).collect()
}

fn edge<'g>(g: &'g Graph, from: &str, to: &str) -> &'g super::graph::Edge {
    g.edges
        .iter()
        .find(|e| g.nodes[e.from].label == from && g.nodes[e.to].label == to)
        .unwrap_or_else(|| panic!("no edge {from} → {to}"))
}

fn scripted() -> Vec<AccessLogRecord> {
    let mut records = Vec::new();
    for _ in 0..3 {
        records.push(Rec::new(Some(ROLE)).routed("orders", "default", 200).0);
    }
    records.push(Rec::new(Some(ROLE)).routed("orders", "default", 503).0);
    records.push(Rec::new(Some(ROLE)).routed("orders", "api-v2", 404).0);
    records.push(Rec::new(Some(ROLE)).routed("billing", "default", 200).0);
    for _ in 0..2 {
        records.push(
            Rec::new(Some("anonymous"))
                .denied("orders", AuthDeniedReason::Network)
                .0,
        );
    }
    records.push(
        Rec::new(Some(ROLE))
            .denied("billing", AuthDeniedReason::Service)
            .0,
    );
    records.push(
        Rec::new(Some("arn:aws:iam::444455556666:user/reporting"))
            .denied("billing", AuthDeniedReason::Identity)
            .0,
    );
    records.push(Rec::new(None).bad_signature("orders").0);
    // Unknown host: no service, no caller.
    let mut unknown = Rec::new(None);
    unknown.0.response_code = 404;
    unknown.0.failure_reason = Some(FailureReason::ClientProtocolError);
    unknown.0.refusal_line = Some("Non Existent Service".to_owned());
    records.push(unknown.0);
    records
}

#[test]
fn counts_and_splits_per_edge() {
    let g = Graph::build(&scripted(), &names(&["orders", "billing"]));
    assert_eq!(g.requests, 12);
    assert_eq!(g.refused, 6);
    let role = node(&g, "role/orders-api");
    assert_eq!(role.count, 7);
    assert_eq!(role.column, Kind::Caller.column());
    let e = edge(&g, "role/orders-api", "shop");
    assert_eq!(
        (e.split.total, e.split.ok, e.split.client, e.split.server),
        (7, 4, 2, 1)
    );
    let e = edge(&g, "orders", "default");
    assert_eq!((e.split.total, e.split.ok, e.split.server), (4, 3, 1));
    assert_eq!(e.split.label(), "4 · 2xx 3 · 5xx 1");
    let e = edge(&g, "api-v2", "orders-tg");
    assert_eq!((e.split.total, e.split.client), (1, 1));
    // Two `default` rules (orders and billing) are two nodes.
    assert_eq!(g.nodes.iter().filter(|n| n.label == "default").count(), 2);
    assert_eq!(node(&g, "shop").count, 11);
    assert_eq!(node(&g, "orders-tg").column, Kind::TargetGroup.column());
}

#[test]
fn refusals_end_in_a_red_node_per_layer() {
    let g = Graph::build(&scripted(), &names(&["orders", "billing"]));
    let red = |label: &str| {
        let n = node(&g, label);
        assert!(matches!(n.role, Role::Refused(_)), "{label} is red");
        n
    };
    let network = red("✕ network policy");
    assert_eq!(network.count, 2);
    assert_eq!(network.column, Kind::Rule.column());
    assert_eq!(edge(&g, "orders", "✕ network policy").split.client, 2);
    assert_eq!(edge(&g, "anonymous", "shop").split.total, 2);
    assert_eq!(red("✕ service policy").count, 1);
    assert_eq!(edge(&g, "billing", "✕ service policy").split.total, 1);
    assert_eq!(red("✕ identity policy").count, 1);
    assert_eq!(
        edge(&g, "444455556666:user/reporting", "shop").split.total,
        1
    );
    let signature = red("✕ signature");
    assert_eq!(signature.count, 1);
    assert_eq!(edge(&g, "unknown", "shop").split.total, 1);
    let request = red("✕ bad request / no service");
    assert_eq!(request.column, 1, "right after the caller");
    assert_eq!(
        edge(&g, "unknown", "✕ bad request / no service")
            .split
            .total,
        1
    );
    // The recent requests carry the refusal's line.
    assert!(
        signature.recent[0]
            .line()
            .ends_with("→ 403 InvalidSignatureException: signature mismatch"),
        "{:?}",
        signature.recent
    );
    // Not refusals: a routed 404, a 503 from the target.
    let mut routed = Rec::new(Some(ROLE)).routed("orders", "default", 404).0;
    routed.failure_reason = Some(FailureReason::ClientProtocolError);
    assert_eq!(Refusal::of(&routed), None);
}

#[test]
fn edges_and_red_ends_keep_the_last_five_requests() {
    let mut records = Vec::new();
    for i in 0..8 {
        let mut r = Rec::new(Some("anonymous")).denied("orders", AuthDeniedReason::Service);
        r.0.request_path = Some(format!("/p{i}"));
        records.push(r.0);
    }
    let g = Graph::build(&records, &names(&["orders"]));
    let red = node(&g, "✕ service policy");
    let paths: Vec<&str> = red.recent.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/p3", "/p4", "/p5", "/p6", "/p7"]);
    let e = edge(&g, "anonymous", "shop");
    assert_eq!(e.recent.len(), 5);
    assert_eq!(e.split.total, 8);
    let svg = render(&g);
    assert!(svg.contains("/p7 → 403 AccessDeniedException: Service says no"));
    assert!(!svg.contains("/p2 "), "older requests are dropped");
}

#[test]
fn principals_are_shortened() {
    assert_eq!(short_principal(ROLE, ACCOUNT), "role/orders-api");
    assert_eq!(
        short_principal("arn:aws:iam::111122223333:role/team/ci-runner", ACCOUNT),
        "role/ci-runner"
    );
    assert_eq!(
        short_principal("arn:aws:iam::123456789012:user/x", ACCOUNT),
        "123456789012:user/x"
    );
    assert_eq!(
        short_principal("arn:aws:iam::123456789012:root", ACCOUNT),
        "123456789012:root"
    );
    assert_eq!(short_principal("not an arn", ACCOUNT), "not an arn");
    let long = "x".repeat(60);
    assert_eq!(cut(&long).chars().count(), 40);
    assert!(cut(&long).ends_with('…'));
}

#[test]
fn text_is_escaped() {
    let evil = "arn:aws:iam::111122223333:user/<script>alert(\"x&y\")</script>'\u{1}";
    let mut r = Rec::new(Some(evil)).routed("orders", "<rule&>", 200);
    r.0.request_path = Some("/a<b>".to_owned());
    let g = Graph::build(&[r.0], &names(&["orders"]));
    let svg = render(&g);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("<rule"), "{svg}");
    assert!(!svg.contains('\u{1}'));
    assert!(svg.contains("user/&lt;script&gt;alert(&quot;x&amp;y&quot;)"));
    assert!(svg.contains("&lt;rule&amp;&gt;"));
    assert!(svg.contains("/a&lt;b&gt;"));
    assert_eq!(escape("a'b\u{0}c\u{7f}"), "a&apos;b\u{fffd}c\u{fffd}");
    // Every `<` left opens an element or closes one.
    for (i, _) in svg.match_indices('<') {
        let next = svg[i + 1..].chars().next().unwrap();
        assert!(next.is_ascii_alphabetic() || next == '/', "stray < at {i}");
    }
}

#[test]
fn an_empty_log_draws_a_hint() {
    let svg = render(&Graph::build(&[], &names(&[])));
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("no requests yet"));
    assert!(svg.trim_end().ends_with("</svg>"));
}

/// 50 services, each called by one or two of 12 callers, with refusals at
/// every layer and several rules: nothing drawn overlaps.
#[test]
fn fifty_services_never_overlap() {
    let services: Vec<String> = (0..50).map(|i| format!("service-{i:02}")).collect();
    let refs: Vec<&str> = services.iter().map(String::as_str).collect();
    let callers: Vec<String> = (0..12)
        .map(|i| format!("arn:aws:sts::111122223333:assumed-role/caller-with-a-long-name-{i}/s"))
        .collect();
    let mut records = Vec::new();
    for (i, s) in refs.iter().enumerate() {
        for c in [i % 12, (i * 7 + 3) % 12] {
            records.push(Rec::new(Some(&callers[c])).routed(s, "default", 200).0);
            if i % 3 == 0 {
                records.push(Rec::new(Some(&callers[c])).routed(s, "api-v2", 500).0);
            }
        }
        let layer = [
            AuthDeniedReason::Network,
            AuthDeniedReason::Service,
            AuthDeniedReason::Identity,
        ][i % 3];
        records.push(Rec::new(Some("anonymous")).denied(s, layer).0);
        if i % 5 == 0 {
            records.push(Rec::new(None).bad_signature(s).0);
        }
    }
    let g = Graph::build(&records, &names(&refs));
    let l = layout(&g);
    assert_eq!(l.nodes.len(), g.nodes.len());
    assert!(g.nodes.len() > 200, "{} nodes", g.nodes.len());

    let mut boxes: Vec<(String, Rect)> = Vec::new();
    for (i, r) in l.nodes.iter().enumerate() {
        let (a, b) = &l.lines[i];
        // Each line's text fits inside its box.
        assert!(
            text_w(a).max(text_w(b)) + 2.0 * PAD <= r.w + 1e-9,
            "{a} / {b}"
        );
        assert!(r.h >= 2.0 * 16.0, "{a}");
        boxes.push((format!("node {a}"), *r));
    }
    for (e, place) in l.edges.iter().enumerate() {
        let to = l.nodes[g.edges[e].to];
        let from = l.nodes[g.edges[e].from];
        // The label lies between the two columns, inside the target's rows.
        assert!(
            place.label.x >= from.right(),
            "label {e} starts after its source"
        );
        assert!(
            place.label.right() <= to.x + 1e-9,
            "label {e} ends before its target"
        );
        assert!(place.label.y >= to.y && place.label.y + place.label.h <= to.y + to.h);
        assert!(place.label.w >= place.text.chars().count() as f64 * CHAR_W);
        boxes.push((format!("label {e} {}", place.text), place.label));
    }
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in boxes.iter().skip(i + 1) {
            assert!(!ra.intersects(rb), "{a} {ra:?} overlaps {b} {rb:?}");
        }
    }
    // Every service is drawn, and the SVG is as large as the layout.
    let svg = render(&g);
    for s in &refs {
        assert!(svg.contains(&format!(">{s}</text>")), "{s} drawn");
    }
    assert!(svg.contains(&format!("height=\"{}\"", l.height.ceil())));
    assert!(
        l.nodes
            .iter()
            .all(|r| r.y + r.h <= l.height && r.right() <= l.width)
    );
}

/// Alphabetical order crosses; barycentre passes uncross.
#[test]
fn ordering_reduces_crossings() {
    // a → zeta, b → alpha: in label order, the two networks cross.
    let mut records = Vec::new();
    let mut names = names(&["s1", "s2"]);
    for (caller, net) in [("a", "zeta"), ("b", "alpha")] {
        let arn = format!("arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/{net}");
        names.arns.insert(arn.clone(), net.to_owned());
        let mut r = Rec::new(Some(&format!("arn:aws:iam::111122223333:user/{caller}")));
        r.0.service_network_arn = Some(arn);
        r.0.response_code = 404;
        records.push(r.0);
    }
    let g = Graph::build(&records, &names);
    let mut alphabetical: Vec<Vec<usize>> = vec![Vec::new(); 5];
    let mut sorted: Vec<usize> = (0..g.nodes.len()).collect();
    sorted.sort_by(|&a, &b| g.nodes[a].label.cmp(&g.nodes[b].label));
    for n in sorted {
        alphabetical[g.nodes[n].column].push(n);
    }
    assert_eq!(count_crossings(&g, &alphabetical), 1);
    let (columns, crossings) = order(&g);
    assert_eq!(crossings, 0);
    assert_eq!(count_crossings(&g, &columns), 0);
    assert_eq!(layout(&g).crossings, 0);
}
