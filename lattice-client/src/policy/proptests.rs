//! Property tests: random policies, contexts and JSON never panic; adding an
//! `Allow` statement never turns an allow into a denial; adding a matching
//! `Deny` always denies.

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use super::*;

const SVC: &str = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";

const KEYS: &[&str] = &[
    "vpc-lattice-svcs:RequestMethod",
    "vpc-lattice-svcs:Port",
    "vpc-lattice-svcs:RequestPath",
    "vpc-lattice-svcs:RequestHeader/content-type",
    "vpc-lattice-svcs:RequestQueryString/tag",
    "vpc-lattice-svcs:ServiceArn",
    "vpc-lattice-svcs:SourceVpc",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:PrincipalType",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:SecureTransport",
    "AWS:PRINCIPALTAG/Team",
];

const STRINGS: &[&str] = &[
    "GET",
    "get",
    "POST",
    "/orders/*",
    "/orders/42",
    "?",
    "*",
    "",
    "a*b",
    "Anonymous",
    "AssumedRole",
    "o-example",
    "vpc-1a2b3c4d",
    "application/json",
    "é?",
];
const NUMBERS: &[&str] = &["443", "80", "1024", "-1.5", "0"];
const DATES: &[&str] = &[
    "2024-05-01T12:00:00Z",
    "1714564800",
    "2030-01-01",
    "1999-12-31T23:59:59+01:00",
];
const BOOLS: &[&str] = &["true", "false", "TRUE"];
const IPS: &[&str] = &["10.0.0.0/8", "2001:db8::/32", "192.0.2.7", "0.0.0.0/0"];
const ARNS: &[&str] = &[
    "arn:aws:iam::111122223333:role/orders-client",
    "arn:aws:iam::*:role/*",
    "*",
    "arn:aws:vpc-lattice:*:*:service/*",
];
/// Every kind of value, for request contexts (so typed operators also meet
/// values they cannot read).
const CONTEXT_VALUES: &[&str] = &[
    "GET",
    "get",
    "POST",
    "/orders/42",
    "443",
    "80",
    "-1.5",
    "x",
    "",
    "10.1.2.3",
    "2001:db8::1",
    "not-an-ip",
    "2024-05-01T12:00:00Z",
    "1714564800",
    "garbage-date",
    "true",
    "false",
    "Anonymous",
    "User",
    "o-example",
    "vpc-1a2b3c4d",
    "application/json",
    "arn:aws:iam::111122223333:role/orders-client",
    SVC,
    "é",
];

const PRINCIPALS: &[&str] = &[
    r#""*""#,
    r#"{"AWS":"*"}"#,
    r#"{"AWS":"111122223333"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
    r#"{"AWS":"arn:aws:iam::111122223333:role/orders-client"}"#,
    r#"{"AWS":["arn:aws:iam::111122223333:user/alice","444455556666"]}"#,
    r#"{"Service":"lambda.amazonaws.com"}"#,
];
const ACTIONS: &[&str] = &[
    "*",
    "vpc-lattice-svcs:Invoke",
    "vpc-lattice-svcs:*",
    "vpc-lattice-svcs:Connect",
    "VPC-LATTICE-SVCS:inv?ke",
    "s3:GetObject",
];
const RESOURCES: &[&str] = &[
    "*",
    "*/orders/*",
    "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/*",
    "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
    "arn:aws:vpc-lattice:*:*:service/svc-other/*",
    "*/?",
];
const CALLERS: &[&str] = &[
    "anonymous",
    "arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc",
    "arn:aws:iam::111122223333:user/alice",
    "arn:aws:iam::111122223333:root",
    "arn:aws:sts::111122223333:federated-user/bob",
    "arn:aws:sts::444455556666:assumed-role/orders-client/x",
    "garbage",
];
const REQUEST_ACTIONS: &[&str] = &[
    "vpc-lattice-svcs:Invoke",
    "vpc-lattice-svcs:Connect",
    "vpc-lattice-svcs:invoke",
];
const PATHS: &[&str] = &["/orders/42", "/", "", "/a", "/Orders/42"];

fn arb_condition() -> impl Strategy<Value = (String, String, Vec<&'static str>)> {
    const STRING_OPS: &[&str] = &[
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
    ];
    const NUMERIC_OPS: &[&str] = &[
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
    ];
    const DATE_OPS: &[&str] = &[
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
    ];
    const ARN_OPS: &[&str] = &["ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"];
    let family = prop_oneof![
        (
            select(STRING_OPS),
            prop::collection::vec(select(STRINGS), 1..3)
        ),
        (
            select(NUMERIC_OPS),
            prop::collection::vec(select(NUMBERS), 1..3)
        ),
        (select(DATE_OPS), prop::collection::vec(select(DATES), 1..3)),
        (Just("Bool"), prop::collection::vec(select(BOOLS), 1..2)),
        (Just("Null"), prop::collection::vec(select(BOOLS), 1..2)),
        (
            select(&["IpAddress", "NotIpAddress"][..]),
            prop::collection::vec(select(IPS), 1..3)
        ),
        (select(ARN_OPS), prop::collection::vec(select(ARNS), 1..3)),
    ];
    (
        family,
        select(&["", "", "ForAnyValue:", "ForAllValues:"][..]),
        any::<bool>(),
        select(KEYS),
    )
        .prop_map(|((base, values), prefix, if_exists, key)| {
            let op = if base == "Null" {
                base.to_owned()
            } else {
                format!("{prefix}{base}{}", if if_exists { "IfExists" } else { "" })
            };
            (op, key.to_owned(), values)
        })
}

/// A statement; `auth` decides whether it carries a principal.
fn arb_statement(auth: bool, effect: Option<&'static str>) -> impl Strategy<Value = Value> {
    (
        select(&["Allow", "Allow", "Allow", "Deny"][..]),
        select(PRINCIPALS),
        any::<bool>(),
        prop::collection::vec(select(ACTIONS), 1..3),
        any::<bool>(),
        prop::collection::vec(select(RESOURCES), 1..3),
        any::<bool>(),
        prop::collection::vec(arb_condition(), 0..3),
    )
        .prop_map(
            move |(e, principal, not_p, actions, not_a, resources, not_r, conditions)| {
                let mut st = Map::new();
                st.insert("Effect".into(), json!(effect.unwrap_or(e)));
                if auth {
                    let p: Value = serde_json::from_str(principal).unwrap_or(Value::Null);
                    // NotPrincipal only occasionally, and never with "*".
                    let name = if not_p && principal.starts_with('{') && principal.len() % 3 == 0 {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    };
                    st.insert(name.into(), p);
                }
                st.insert(
                    (if not_a && actions.len() > 1 {
                        "NotAction"
                    } else {
                        "Action"
                    })
                    .into(),
                    json!(actions),
                );
                st.insert(
                    (if not_r && resources.len() > 1 {
                        "NotResource"
                    } else {
                        "Resource"
                    })
                    .into(),
                    json!(resources),
                );
                if !conditions.is_empty() {
                    let mut cond = Map::new();
                    for (op, key, values) in conditions {
                        if let Value::Object(block) = cond.entry(op).or_insert_with(|| json!({})) {
                            block.insert(key, json!(values));
                        }
                    }
                    st.insert("Condition".into(), Value::Object(cond));
                }
                Value::Object(st)
            },
        )
}

/// A policy; three times in four it starts with an allow-all statement, so
/// that allowed requests (which the monotonicity property needs) are common.
fn arb_policy(auth: bool) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(arb_statement(auth, None), 0..4),
        0..4u8,
    )
        .prop_map(move |(mut s, allow_all)| {
            if allow_all > 0 {
                let mut st = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
                if let (true, Value::Object(o)) = (auth, &mut st) {
                    o.insert("Principal".into(), json!("*"));
                }
                s.insert(0, st);
            }
            json!({"Version": "2012-10-17", "Statement": s})
        })
}

/// `None` = auth type NONE, `Some(None)` = AWS_IAM without a policy.
fn arb_layer() -> impl Strategy<Value = Option<Option<Value>>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(None)),
        4 => arb_policy(true).prop_map(|p| Some(Some(p))),
    ]
}

#[derive(Debug, Clone)]
struct Setup {
    network: Option<Option<Value>>,
    service: Option<Option<Value>>,
    identity: Vec<Value>,
    request: AccessRequest,
}

fn arb_request() -> impl Strategy<Value = AccessRequest> {
    (
        select(CALLERS),
        select(REQUEST_ACTIONS),
        select(PATHS),
        prop::collection::vec(
            (
                select(KEYS),
                prop::collection::vec(select(CONTEXT_VALUES), 0..3),
            ),
            0..6,
        ),
    )
        .prop_map(|(caller, action, path, context)| {
            let principal = if caller == "anonymous" {
                Caller::Anonymous
            } else {
                Caller::arn(caller)
            };
            let mut ctx = RequestContext::new();
            for (k, v) in context {
                ctx.insert_values(k, v);
            }
            AccessRequest::new(principal, action, format!("{SVC}{path}")).with_context(ctx)
        })
}

fn arb_setup() -> impl Strategy<Value = Setup> {
    (
        arb_layer(),
        arb_layer(),
        prop::collection::vec(arb_policy(false), 0..3),
        arb_request(),
    )
        .prop_map(|(network, service, identity, request)| Setup {
            network,
            service,
            identity,
            request,
        })
}

fn layer(l: &Option<Option<Value>>) -> Option<AuthType> {
    Some(match l {
        None => AuthType::None,
        Some(None) => AuthType::AwsIam(None),
        Some(Some(v)) => AuthType::aws_iam(AuthPolicy::from_value(v).ok()?),
    })
}

fn build(s: &Setup) -> Option<AuthConfig> {
    let identity: Option<Vec<IdentityPolicy>> = s
        .identity
        .iter()
        .map(|v| IdentityPolicy::from_value(v).ok())
        .collect();
    Some(
        AuthConfig::new()
            .network(layer(&s.network)?)
            .service(layer(&s.service)?)
            .identity_policies(identity?),
    )
}

fn push_statement(policy: &mut Value, statement: Value) {
    if let Some(Value::Array(statements)) = policy.get_mut("Statement") {
        statements.push(statement);
    }
}

/// Adds `statement` to layer `which` (0 network, 1 service, 2 identity).
/// Returns false when that layer is not applicable (auth type NONE; identity
/// layer of an anonymous caller or with no IAM layer at all).
fn add_to_layer(
    s: &mut Setup,
    which: usize,
    auth_statement: Value,
    identity_statement: Value,
) -> bool {
    let iam = s.network.is_some() || s.service.is_some();
    let target = match which {
        0 => &mut s.network,
        1 => &mut s.service,
        _ => {
            if !iam || s.request.caller().is_anonymous() {
                return false;
            }
            match s.identity.first_mut() {
                Some(p) => push_statement(p, identity_statement),
                None => s
                    .identity
                    .push(json!({"Version": "2012-10-17", "Statement": [identity_statement]})),
            }
            return true;
        }
    };
    match target {
        None => false,
        Some(None) => {
            *target = Some(Some(
                json!({"Version": "2012-10-17", "Statement": [auth_statement]}),
            ));
            true
        }
        Some(Some(p)) => {
            push_statement(p, auth_statement);
            true
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[ -~]{0,12}".prop_map(Value::String),
        select(
            &[
                "Allow",
                "Deny",
                "*",
                "Statement",
                "Effect",
                "2012-10-17",
                "StringEquals",
                "ForAnyValue:StringLike"
            ][..]
        )
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let names = select(
            &[
                "Version",
                "Statement",
                "Effect",
                "Principal",
                "AWS",
                "Action",
                "NotAction",
                "Resource",
                "Condition",
                "Sid",
                "NumericEquals",
                "Null",
                "x",
            ][..],
        );
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((names, inner), 0..5).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        let _ = AuthPolicy::from_value(&value);
        let _ = IdentityPolicy::from_value(&value);
        let _ = AuthPolicy::from_value(&json!({"Statement": [value]}));
        let _ = AuthPolicy::from_json(&value.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        let _ = AuthPolicy::from_json(&text);
        let _ = condition::parse_date(&text);
        let _ = condition::parse_number(&text);
        let _ = condition::parse_network(&text);
        let _ = principal::parse(&text);
        let _ = wildcard::Pattern::new(&text, true).matches(&text);
        let _ = wildcard::Pattern::new("*?*", false).matches(&text);
    }

    #[test]
    fn random_policies_and_contexts_never_panic(setup in arb_setup()) {
        if let Some(config) = build(&setup) {
            let d = config.evaluate(&setup.request);
            prop_assert_eq!(d.message.is_some(), !d.is_allowed());
            prop_assert_eq!(d.layer.is_some(), !d.is_allowed());
        }
    }

    #[test]
    fn adding_an_allow_never_turns_allow_into_denial(
        setup in arb_setup(),
        which in 0usize..3,
        auth_allow in arb_statement(true, Some("Allow")),
        identity_allow in arb_statement(false, Some("Allow")),
    ) {
        let Some(before) = build(&setup) else { return Ok(()) };
        let before = before.evaluate(&setup.request);
        let mut more = setup.clone();
        // Adding to an `AWS_IAM`-without-policy layer gives it a policy: also
        // only more allowing.
        if !add_to_layer(&mut more, which, auth_allow, identity_allow) {
            return Ok(());
        }
        let Some(after) = build(&more) else { return Ok(()) };
        let after = after.evaluate(&more.request);
        if before.is_allowed() {
            prop_assert!(after.is_allowed(), "{:?}", after);
        }
        if before.effect == DecisionEffect::Deny {
            prop_assert_eq!(after.effect, DecisionEffect::Deny);
        }
    }

    #[test]
    fn adding_a_matching_deny_always_denies(
        setup in arb_setup(),
        which in 0usize..3,
        action_form in 0usize..4,
        resource_form in 0usize..3,
        condition_form in 0usize..3,
    ) {
        let request = setup.request.clone();
        let action = match action_form {
            0 => "*".to_owned(),
            1 => request.action().to_owned(),
            2 => "vpc-lattice-svcs:*".to_owned(),
            _ => request.action().to_uppercase(),
        };
        let resource = match resource_form {
            0 => "*".to_owned(),
            1 => request.resource().to_owned(),
            _ => format!("{}*", request.resource()),
        };
        let present = KEYS.iter().find_map(|k| {
            request.context().get(k).and_then(|v| v.first()).map(|v| (*k, v.clone()))
        });
        let condition = match (condition_form, present) {
            (1, Some((key, value))) => Some(json!({"StringEquals": {key: value}})),
            (2, _) => Some(json!({"Null": {"aws:ResourceTag/never-set": "true"}})),
            _ => None,
        };
        let mut identity_deny = json!({"Sid": "MatchingDeny", "Effect": "Deny", "Action": action, "Resource": resource});
        if let (Some(c), Value::Object(st)) = (&condition, &mut identity_deny) {
            st.insert("Condition".into(), c.clone());
        }
        let mut auth_deny = identity_deny.clone();
        if let Value::Object(st) = &mut auth_deny {
            st.insert("Principal".into(), json!("*"));
        }
        let mut more = setup.clone();
        // Sids must be unique: the generated statements carry none.
        if !add_to_layer(&mut more, which, auth_deny, identity_deny) {
            return Ok(());
        }
        let Some(config) = build(&more) else { return Ok(()) };
        let d = config.evaluate(&request);
        prop_assert_eq!(d.effect, DecisionEffect::Deny, "{:?}", d);
        prop_assert!(d.layer.is_some_and(|l| l as usize <= which), "{:?}", d);
    }
}

/// Guards the properties above against vacuity: the generators must
/// produce every kind of decision, allowed ones included.
#[test]
fn generated_setups_reach_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut counts = [0usize; 3];
    let mut unparsable = 0;
    for _ in 0..1000 {
        let Ok(tree) = arb_setup().new_tree(&mut runner) else {
            continue;
        };
        let setup = tree.current();
        let Some(config) = build(&setup) else {
            unparsable += 1;
            continue;
        };
        let slot = match config.evaluate(&setup.request).effect {
            DecisionEffect::Allow => 0,
            DecisionEffect::Deny => 1,
            DecisionEffect::ImplicitDeny => 2,
        };
        if let Some(c) = counts.get_mut(slot) {
            *c += 1;
        }
    }
    assert!(counts.iter().all(|c| *c >= 50), "{counts:?}");
    assert!(unparsable < 100, "{unparsable}");
}
