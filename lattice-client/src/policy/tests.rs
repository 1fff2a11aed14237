//! Behaviour tests of the whole module: operators, keys, principals, layers,
//! the 403 lines and the documented example policies.

use super::*;

const SVC: &str = "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0";
const RESOURCE: &str =
    "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc";
const USER: &str = "arn:aws:iam::111122223333:user/alice";

pub(super) fn auth(json: &str) -> AuthPolicy {
    match AuthPolicy::from_json(json) {
        Ok(p) => p,
        Err(e) => panic!("{e}\n{json}"),
    }
}

pub(super) fn identity(json: &str) -> IdentityPolicy {
    match IdentityPolicy::from_json(json) {
        Ok(p) => p,
        Err(e) => panic!("{e}\n{json}"),
    }
}

fn allow_all_identity() -> IdentityPolicy {
    identity(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
}

fn statements(json: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{json}]}}"#)
}

/// A service policy allowing everyone everything under `condition`.
fn with_condition(condition: &str) -> AuthConfig {
    AuthConfig::new()
        .service(AuthType::aws_iam(auth(&statements(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{condition}}}"#
        )))))
        .identity_policy(allow_all_identity())
}

fn ctx(pairs: &[(&str, &[&str])]) -> RequestContext {
    let mut c = RequestContext::new();
    for (k, v) in pairs {
        c.insert_values(k, v.iter().copied());
    }
    c
}

fn allowed_as(principal: Caller, condition: &str, context: RequestContext) -> bool {
    with_condition(condition)
        .evaluate(&AccessRequest::invoke(principal, SVC, "/orders/42").with_context(context))
        .is_allowed()
}

/// Checks `condition` against single-key contexts: `(values, expected)`;
/// `None` values = key absent.
fn check(condition: &str, key: &str, cases: &[(Option<&[&str]>, bool)]) {
    for (values, expected) in cases {
        let context = match values {
            Some(v) => ctx(&[(key, v)]),
            None => RequestContext::new(),
        };
        let got = allowed_as(Caller::arn(SESSION), condition, context);
        assert_eq!(got, *expected, "{condition} with {key} = {values:?}");
    }
}

const T: bool = true;
const F: bool = false;

// ---------------------------------------------------------------- String*

#[test]
fn string_equals_is_case_sensitive_and_ors_policy_values() {
    let c = r#"{"StringEquals":{"vpc-lattice-svcs:RequestMethod":["GET","HEAD"]}}"#;
    check(
        c,
        keys::REQUEST_METHOD,
        &[
            (Some(&["GET"]), T),
            (Some(&["HEAD"]), T),
            (Some(&["get"]), F),
            (Some(&["POST"]), F),
            (None, F),
        ],
    );
}

#[test]
fn string_not_equals_matches_missing_keys() {
    let c = r#"{"StringNotEquals":{"vpc-lattice-svcs:RequestMethod":["GET","HEAD"]}}"#;
    check(
        c,
        keys::REQUEST_METHOD,
        &[
            (Some(&["GET"]), F),
            (Some(&["HEAD"]), F),
            (Some(&["POST"]), T),
            (Some(&["get"]), T),
            (None, T),
        ],
    );
}

#[test]
fn string_equals_ignore_case() {
    let c = r#"{"StringEqualsIgnoreCase":{"vpc-lattice-svcs:RequestMethod":"Get"}}"#;
    check(
        c,
        keys::REQUEST_METHOD,
        &[
            (Some(&["GET"]), T),
            (Some(&["get"]), T),
            (Some(&["POST"]), F),
            (None, F),
        ],
    );
}

#[test]
fn string_not_equals_ignore_case() {
    let c = r#"{"StringNotEqualsIgnoreCase":{"vpc-lattice-svcs:RequestMethod":"Get"}}"#;
    check(
        c,
        keys::REQUEST_METHOD,
        &[
            (Some(&["GET"]), F),
            (Some(&["gEt"]), F),
            (Some(&["POST"]), T),
            (None, T),
        ],
    );
}

#[test]
fn string_like_wildcards_are_case_sensitive() {
    let c = r#"{"StringLike":{"vpc-lattice-svcs:RequestPath":["/orders/*","/v?/health"]}}"#;
    check(
        c,
        keys::REQUEST_PATH,
        &[
            (Some(&["/orders/42"]), T),
            (Some(&["/orders/"]), T),
            (Some(&["/Orders/42"]), F),
            (Some(&["/v1/health"]), T),
            (Some(&["/v10/health"]), F),
            (Some(&["/order"]), F),
            (None, F),
        ],
    );
}

#[test]
fn string_not_like() {
    let c = r#"{"StringNotLike":{"vpc-lattice-svcs:RequestPath":"/admin/*"}}"#;
    check(
        c,
        keys::REQUEST_PATH,
        &[
            (Some(&["/admin/x"]), F),
            (Some(&["/orders"]), T),
            (Some(&["/Admin/x"]), T),
            (None, T),
        ],
    );
}

// ---------------------------------------------------------------- Numeric*

#[test]
fn numeric_equals_and_not_equals() {
    let eq = r#"{"NumericEquals":{"vpc-lattice-svcs:Port":443}}"#;
    check(
        eq,
        keys::PORT,
        &[
            (Some(&["443"]), T),
            (Some(&["443.0"]), T),
            (Some(&["80"]), F),
            (Some(&["https"]), F),
            (None, F),
        ],
    );
    let ne = r#"{"NumericNotEquals":{"vpc-lattice-svcs:Port":"443"}}"#;
    // An unreadable value satisfies neither the operator nor its negation.
    check(
        ne,
        keys::PORT,
        &[
            (Some(&["443"]), F),
            (Some(&["80"]), T),
            (Some(&["https"]), F),
            (None, T),
        ],
    );
}

#[test]
fn numeric_orderings() {
    let k = keys::PORT;
    check(
        r#"{"NumericLessThan":{"vpc-lattice-svcs:Port":"1024"}}"#,
        k,
        &[
            (Some(&["80"]), T),
            (Some(&["1024"]), F),
            (Some(&["8080"]), F),
            (None, F),
        ],
    );
    check(
        r#"{"NumericLessThanEquals":{"vpc-lattice-svcs:Port":"1024"}}"#,
        k,
        &[(Some(&["1024"]), T), (Some(&["1025"]), F), (None, F)],
    );
    check(
        r#"{"NumericGreaterThan":{"vpc-lattice-svcs:Port":"1024"}}"#,
        k,
        &[(Some(&["1025"]), T), (Some(&["1024"]), F), (None, F)],
    );
    check(
        r#"{"NumericGreaterThanEquals":{"vpc-lattice-svcs:Port":"1024"}}"#,
        k,
        &[
            (Some(&["1024"]), T),
            (Some(&["1023"]), F),
            (Some(&["x"]), F),
        ],
    );
    check(
        r#"{"NumericLessThan":{"vpc-lattice-svcs:Port":"-1.5"}}"#,
        k,
        &[(Some(&["-2"]), T), (Some(&["-1.5"]), F)],
    );
}

// ---------------------------------------------------------------- Date*

#[test]
fn date_equals_accepts_every_spelling_of_an_instant() {
    let c = r#"{"DateEquals":{"aws:CurrentTime":"2024-05-01T12:00:00Z"}}"#;
    check(
        c,
        keys::CURRENT_TIME,
        &[
            (Some(&["2024-05-01T12:00:00Z"]), T),
            (Some(&["1714564800"]), T),
            (Some(&["2024-05-01T14:00:00+02:00"]), T),
            (Some(&["2024-05-01T12:00:01Z"]), F),
            (Some(&["noon"]), F),
            (None, F),
        ],
    );
    let ne = r#"{"DateNotEquals":{"aws:CurrentTime":"2024-05-01T12:00:00Z"}}"#;
    check(
        ne,
        keys::CURRENT_TIME,
        &[
            (Some(&["2024-05-01T12:00:00Z"]), F),
            (Some(&["2024-05-02"]), T),
            (Some(&["noon"]), F),
            (None, T),
        ],
    );
}

#[test]
fn date_orderings() {
    let k = keys::CURRENT_TIME;
    check(
        r#"{"DateLessThan":{"aws:CurrentTime":"2025-01-01"}}"#,
        k,
        &[
            (Some(&["2024-12-31T23:59:59Z"]), T),
            (Some(&["2025-01-01T00:00:00Z"]), F),
            (None, F),
        ],
    );
    check(
        r#"{"DateLessThanEquals":{"aws:CurrentTime":"2025-01-01"}}"#,
        k,
        &[
            (Some(&["2025-01-01T00:00:00Z"]), T),
            (Some(&["2025-01-01T00:00:00.001Z"]), F),
        ],
    );
    check(
        r#"{"DateGreaterThan":{"aws:CurrentTime":"2025-01-01"}}"#,
        k,
        &[
            (Some(&["2025-01-01T00:00:01Z"]), T),
            (Some(&["2025-01-01"]), F),
            (None, F),
        ],
    );
    check(
        r#"{"DateGreaterThanEquals":{"aws:EpochTime":1714564800}}"#,
        keys::EPOCH_TIME,
        &[(Some(&["1714564800"]), T), (Some(&["1714564799"]), F)],
    );
}

// ---------------------------------------------------------------- Bool, Null

#[test]
fn bool_operator() {
    let c = r#"{"Bool":{"aws:SecureTransport":"true"}}"#;
    check(
        c,
        keys::SECURE_TRANSPORT,
        &[
            (Some(&["true"]), T),
            (Some(&["TRUE"]), T),
            (Some(&["false"]), F),
            (Some(&["yes"]), F),
            (None, F),
        ],
    );
    let json_bool = r#"{"Bool":{"aws:SecureTransport":false}}"#;
    check(
        json_bool,
        keys::SECURE_TRANSPORT,
        &[(Some(&["false"]), T), (Some(&["true"]), F)],
    );
}

#[test]
fn null_operator_tests_presence() {
    let absent = r#"{"Null":{"aws:PrincipalOrgID":"true"}}"#;
    check(
        absent,
        keys::PRINCIPAL_ORG_ID,
        &[(None, T), (Some(&[]), T), (Some(&["o-1"]), F)],
    );
    let present = r#"{"Null":{"aws:PrincipalOrgID":false}}"#;
    check(
        present,
        keys::PRINCIPAL_ORG_ID,
        &[(None, F), (Some(&[]), F), (Some(&["o-1"]), T)],
    );
}

// ---------------------------------------------------------------- Arn*

#[test]
fn arn_equals_and_like() {
    let sn = "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0";
    let other = "arn:aws:vpc-lattice:us-west-2:444455556666:servicenetwork/sn-0123456789abcdef0";
    let eq = format!(r#"{{"ArnEquals":{{"vpc-lattice-svcs:ServiceNetworkArn":"{sn}"}}}}"#);
    check(
        &eq,
        keys::SERVICE_NETWORK_ARN,
        &[
            (Some(&[sn]), T),
            (Some(&[other]), F),
            (Some(&["sn-0123"]), F),
            (None, F),
        ],
    );
    let like = r#"{"ArnLike":{"vpc-lattice-svcs:ServiceNetworkArn":"arn:aws:vpc-lattice:*:111122223333:servicenetwork/sn-*"}}"#;
    check(
        like,
        keys::SERVICE_NETWORK_ARN,
        &[(Some(&[sn]), T), (Some(&[other]), F), (None, F)],
    );
    // ArnEquals takes wildcards too, as in IAM.
    let eq_wild = r#"{"ArnEquals":{"vpc-lattice-svcs:ServiceArn":"arn:aws:vpc-lattice:us-west-2:111122223333:service/*"}}"#;
    check(eq_wild, keys::SERVICE_ARN, &[(Some(&[SVC]), T)]);
}

#[test]
fn arn_not_equals_and_not_like() {
    let sn = "arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-0123456789abcdef0";
    let ne = format!(r#"{{"ArnNotEquals":{{"vpc-lattice-svcs:ServiceNetworkArn":"{sn}"}}}}"#);
    check(
        &ne,
        keys::SERVICE_NETWORK_ARN,
        &[
            (Some(&[sn]), F),
            (
                Some(&["arn:aws:vpc-lattice:us-west-2:111122223333:servicenetwork/sn-other"]),
                T,
            ),
            (None, T),
        ],
    );
    let nl = r#"{"ArnNotLike":{"vpc-lattice-svcs:ServiceNetworkArn":"arn:aws:vpc-lattice:*:444455556666:*"}}"#;
    check(
        nl,
        keys::SERVICE_NETWORK_ARN,
        &[
            (Some(&[sn]), T),
            (
                Some(&["arn:aws:vpc-lattice:eu-west-1:444455556666:servicenetwork/sn-1"]),
                F,
            ),
            (None, T),
        ],
    );
}

// ---------------------------------------------------------------- IpAddress

#[test]
fn ip_address_v4_and_v6() {
    let c = r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#;
    check(
        c,
        keys::SOURCE_IP,
        &[
            (Some(&["10.1.2.3"]), T),
            (Some(&["192.168.0.1"]), F),
            (Some(&["2001:db8::1"]), T),
            (Some(&["2001:db9::1"]), F),
            (Some(&["::ffff:10.0.0.1"]), T),
            (Some(&["not-an-ip"]), F),
            (None, F),
        ],
    );
}

#[test]
fn not_ip_address() {
    let c = r#"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#;
    check(
        c,
        keys::SOURCE_IP,
        &[
            (Some(&["192.168.0.1"]), T),
            (Some(&["10.9.9.9"]), F),
            (Some(&["not-an-ip"]), F),
            (None, T),
        ],
    );
}

// ---------------------------------------------------------------- …IfExists

#[test]
fn if_exists_matches_missing_keys_and_tests_present_ones() {
    let cases: [(&str, &str, &str, &str); 6] = [
        (
            r#"{"StringEqualsIfExists":{"vpc-lattice-svcs:RequestMethod":"GET"}}"#,
            keys::REQUEST_METHOD,
            "GET",
            "POST",
        ),
        (
            r#"{"StringNotEqualsIfExists":{"vpc-lattice-svcs:RequestMethod":"GET"}}"#,
            keys::REQUEST_METHOD,
            "POST",
            "GET",
        ),
        (
            r#"{"NumericLessThanIfExists":{"vpc-lattice-svcs:Port":"1024"}}"#,
            keys::PORT,
            "80",
            "8080",
        ),
        (
            r#"{"DateLessThanIfExists":{"aws:CurrentTime":"2025-01-01"}}"#,
            keys::CURRENT_TIME,
            "2024-01-01",
            "2026-01-01",
        ),
        (
            r#"{"BoolIfExists":{"aws:SecureTransport":"true"}}"#,
            keys::SECURE_TRANSPORT,
            "true",
            "false",
        ),
        (
            r#"{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}"#,
            keys::SOURCE_IP,
            "10.0.0.1",
            "11.0.0.1",
        ),
    ];
    for (c, key, good, bad) in cases {
        check(
            c,
            key,
            &[
                (None, T),
                (Some(&[]), T),
                (Some(&[good]), T),
                (Some(&[bad]), F),
            ],
        );
    }
    check(
        r#"{"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::*:role/orders-*"}}"#,
        keys::PRINCIPAL_ARN,
        &[
            (Some(&["arn:aws:iam::1:user/orders-x"]), F),
            (Some(&["arn:aws:iam::111122223333:role/orders-x"]), T),
        ],
    );
}

// ---------------------------------------------------------------- set operators

const TAG: &str = "vpc-lattice-svcs:RequestQueryString/tag";

#[test]
fn for_any_value_needs_one_request_value_to_match() {
    check(
        r#"{"ForAnyValue:StringEquals":{"vpc-lattice-svcs:RequestQueryString/tag":["b","z"]}}"#,
        TAG,
        &[
            (Some(&["a", "b"]), T),
            (Some(&["z"]), T),
            (Some(&["a", "c"]), F),
            (Some(&[]), F),
            (None, F),
        ],
    );
    check(
        r#"{"ForAnyValue:StringLike":{"vpc-lattice-svcs:RequestQueryString/tag":"team-*"}}"#,
        TAG,
        &[(Some(&["x", "team-a"]), T), (Some(&["x"]), F)],
    );
}

#[test]
fn for_any_value_with_a_negated_operator() {
    // True when some request value equals none of the policy values.
    check(
        r#"{"ForAnyValue:StringNotEquals":{"vpc-lattice-svcs:RequestQueryString/tag":["a","b"]}}"#,
        TAG,
        &[
            (Some(&["a", "c"]), T),
            (Some(&["a", "b"]), F),
            (Some(&["a"]), F),
            (None, F),
        ],
    );
}

#[test]
fn for_all_values_needs_every_request_value_to_match() {
    check(
        r#"{"ForAllValues:StringEquals":{"vpc-lattice-svcs:RequestQueryString/tag":["a","b"]}}"#,
        TAG,
        &[
            (Some(&["a"]), T),
            (Some(&["a", "b"]), T),
            (Some(&["a", "c"]), F),
            (Some(&[]), T),
            (None, T),
        ],
    );
    check(
        r#"{"ForAllValues:NumericLessThan":{"vpc-lattice-svcs:RequestQueryString/tag":"10"}}"#,
        TAG,
        &[
            (Some(&["1", "9"]), T),
            (Some(&["1", "10"]), F),
            (Some(&["1", "x"]), F),
        ],
    );
}

#[test]
fn for_all_values_with_a_negated_operator() {
    check(
        r#"{"ForAllValues:StringNotEquals":{"vpc-lattice-svcs:RequestQueryString/tag":["x","y"]}}"#,
        TAG,
        &[(Some(&["a", "b"]), T), (Some(&["a", "x"]), F), (None, T)],
    );
}

#[test]
fn set_operators_with_if_exists() {
    check(
        r#"{"ForAnyValue:StringEqualsIfExists":{"vpc-lattice-svcs:RequestQueryString/tag":"a"}}"#,
        TAG,
        &[(None, T), (Some(&["b"]), F), (Some(&["b", "a"]), T)],
    );
    check(
        r#"{"ForAllValues:StringEqualsIfExists":{"vpc-lattice-svcs:RequestQueryString/tag":"a"}}"#,
        TAG,
        &[(None, T), (Some(&["a", "b"]), F)],
    );
}

#[test]
fn plain_operators_on_multi_valued_keys() {
    // Documented choice: positive = any value matches; negated = its complement.
    check(
        r#"{"StringEquals":{"vpc-lattice-svcs:RequestQueryString/tag":"a"}}"#,
        TAG,
        &[
            (Some(&["a", "b"]), T),
            (Some(&["b", "a"]), T),
            (Some(&["b", "c"]), F),
        ],
    );
    check(
        r#"{"StringNotEquals":{"vpc-lattice-svcs:RequestQueryString/tag":"a"}}"#,
        TAG,
        &[(Some(&["a", "b"]), F), (Some(&["b", "c"]), T), (None, T)],
    );
    check(
        r#"{"NumericGreaterThan":{"vpc-lattice-svcs:RequestQueryString/tag":"5"}}"#,
        TAG,
        &[(Some(&["1", "7"]), T), (Some(&["1", "2"]), F)],
    );
}

// ---------------------------------------------------------------- AND / OR

#[test]
fn keys_and_operators_are_anded_values_ored() {
    let c = r#"{"StringEquals":{"vpc-lattice-svcs:RequestMethod":["GET","HEAD"],"vpc-lattice-svcs:SourceVpc":"vpc-1a2b3c4d"},
                "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#;
    let run = |m: &str, vpc: &str, ip: &str| {
        allowed_as(
            Caller::arn(SESSION),
            c,
            ctx(&[
                (keys::REQUEST_METHOD, &[m]),
                (keys::SOURCE_VPC, &[vpc]),
                (keys::SOURCE_IP, &[ip]),
            ]),
        )
    };
    assert!(run("GET", "vpc-1a2b3c4d", "10.0.0.1"));
    assert!(run("HEAD", "vpc-1a2b3c4d", "10.0.0.1"));
    assert!(!run("POST", "vpc-1a2b3c4d", "10.0.0.1"));
    assert!(!run("GET", "vpc-other", "10.0.0.1"));
    assert!(!run("GET", "vpc-1a2b3c4d", "192.168.0.1"));
}

#[test]
fn condition_key_names_are_case_insensitive() {
    let c = r#"{"StringEquals":{"VPC-LATTICE-SVCS:requestmethod":"GET"}}"#;
    check(
        c,
        "Vpc-Lattice-Svcs:RequestMethod",
        &[(Some(&["GET"]), T), (Some(&["get"]), F)],
    );
}

// ---------------------------------------------------------------- Lattice keys and global keys

/// One test per documented key: `condition` allows with `good`, not with
/// `bad`, not without the key.
macro_rules! key_tests {
    ($($name:ident: $key:expr, $condition:expr, $good:expr, $bad:expr;)*) => {$(
        #[test]
        fn $name() {
            let key: &str = &$key;
            check($condition, key, &[(Some(&[$good]), T), (Some(&[$bad]), F), (None, F)]);
        }
    )*};
}

key_tests! {
    key_port: keys::PORT, r#"{"NumericEquals":{"vpc-lattice-svcs:Port":"8443"}}"#, "8443", "443";
    key_request_method: keys::REQUEST_METHOD, r#"{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"DELETE"}}"#, "DELETE", "GET";
    key_request_path: keys::REQUEST_PATH, r#"{"StringLike":{"vpc-lattice-svcs:RequestPath":"/api.parking/*"}}"#, "/api.parking/GetRates", "/api/x";
    key_request_header_name_compared_lower_cased: keys::request_header("content-type"),
        r#"{"StringEquals":{"vpc-lattice-svcs:RequestHeader/Content-Type":"application/json"}}"#, "application/json", "text/plain";
    key_request_header_from_mixed_case_context: keys::request_header("X-Tenant"),
        r#"{"StringEquals":{"vpc-lattice-svcs:RequestHeader/x-tenant":"acme"}}"#, "acme", "ACME";
    key_request_query_string: keys::request_query_string("quux"),
        r#"{"ForAnyValue:StringEquals":{"vpc-lattice-svcs:RequestQueryString/quux":"corge"}}"#, "corge", "grault";
    key_service_network_arn: keys::SERVICE_NETWORK_ARN,
        r#"{"ArnEquals":{"vpc-lattice-svcs:ServiceNetworkArn":"arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-0123456789abcdef0"}}"#,
        "arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-0123456789abcdef0",
        "arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-ffffffffffffffff0";
    key_service_arn: keys::SERVICE_ARN,
        r#"{"ArnLike":{"vpc-lattice-svcs:ServiceArn":"arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123*"}}"#,
        "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0",
        "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-9999456789abcdef0";
    key_source_vpc: keys::SOURCE_VPC, r#"{"StringEquals":{"vpc-lattice-svcs:SourceVpc":"vpc-1a2b3c4d"}}"#, "vpc-1a2b3c4d", "vpc-ffffffff";
    key_source_vpc_owner_account: keys::SOURCE_VPC_OWNER_ACCOUNT,
        r#"{"StringEquals":{"vpc-lattice-svcs:SourceVpcOwnerAccount":"123456789012"}}"#, "123456789012", "210987654321";
    key_principal_org_id: keys::PRINCIPAL_ORG_ID, r#"{"StringEquals":{"aws:PrincipalOrgID":"o-123456example"}}"#, "o-123456example", "o-other";
    key_principal_org_paths: keys::PRINCIPAL_ORG_PATHS,
        r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}"#,
        "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/", "o-a1b2c3d4e5/r-ab12/ou-ab12-33333333/";
    key_source_ip: keys::SOURCE_IP, r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#, "192.0.2.10", "198.51.100.1";
    key_principal_tag: format!("{}team", keys::PRINCIPAL_TAG_PREFIX), r#"{"StringEquals":{"aws:PrincipalTag/Team":"orders"}}"#, "orders", "billing";
    key_resource_tag: format!("{}env", keys::RESOURCE_TAG_PREFIX), r#"{"StringEquals":{"aws:ResourceTag/env":"prod"}}"#, "prod", "dev";
    key_secure_transport: keys::SECURE_TRANSPORT, r#"{"Bool":{"aws:SecureTransport":"true"}}"#, "true", "false";
    key_current_time: keys::CURRENT_TIME, r#"{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}"#, "2026-06-01T00:00:00Z", "2031-01-01T00:00:00Z";
    key_epoch_time: keys::EPOCH_TIME, r#"{"DateGreaterThan":{"aws:EpochTime":"1700000000"}}"#, "1800000000", "1600000000";
    key_user_id: keys::USER_ID, r#"{"StringLike":{"aws:userid":"AROAEXAMPLE:*"}}"#, "AROAEXAMPLE:i-0abc", "AIDAEXAMPLE";
    key_username: keys::USERNAME, r#"{"StringEquals":{"aws:username":"alice"}}"#, "alice", "bob";
}

#[test]
fn key_principal_type_is_derived_from_the_caller() {
    let ty = |p: Caller| {
        [
            "AssumedRole",
            "User",
            "FederatedUser",
            "Account",
            "Anonymous",
        ]
        .into_iter()
        .find(|t| {
            allowed_as(
                p.clone(),
                &format!(r#"{{"StringEquals":{{"aws:PrincipalType":"{t}"}}}}"#),
                RequestContext::new(),
            )
        })
    };
    assert_eq!(ty(Caller::arn(SESSION)), Some("AssumedRole"));
    assert_eq!(ty(Caller::arn(USER)), Some("User"));
    assert_eq!(
        ty(Caller::arn("arn:aws:sts::111122223333:federated-user/bob")),
        Some("FederatedUser")
    );
    assert_eq!(
        ty(Caller::arn("arn:aws:iam::111122223333:root")),
        Some("Account")
    );
    assert_eq!(ty(Caller::Anonymous), Some("Anonymous"));
    assert_eq!(ty(Caller::arn("arn:aws:s3:::bucket")), None);
    // A value in the context wins over the derived one.
    let c = r#"{"StringEquals":{"aws:PrincipalType":"User"}}"#;
    assert!(allowed_as(
        Caller::arn(SESSION),
        c,
        RequestContext::new().with(keys::PRINCIPAL_TYPE, "User")
    ));
}

#[test]
fn key_principal_arn_is_the_role_for_a_session() {
    let c = r#"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/orders-client"}}"#;
    assert!(allowed_as(Caller::arn(SESSION), c, RequestContext::new()));
    assert!(!allowed_as(Caller::arn(USER), c, RequestContext::new()));
    assert!(!allowed_as(Caller::Anonymous, c, RequestContext::new()));
    let user = format!(r#"{{"StringEquals":{{"aws:PrincipalArn":"{USER}"}}}}"#);
    assert!(allowed_as(Caller::arn(USER), &user, RequestContext::new()));
    // Given in the context (e.g. with the role's path), it wins.
    let with_path = r#"{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/team/*"}}"#;
    assert!(!allowed_as(
        Caller::arn(SESSION),
        with_path,
        RequestContext::new()
    ));
    assert!(allowed_as(
        Caller::arn(SESSION),
        with_path,
        RequestContext::new().with(
            keys::PRINCIPAL_ARN,
            "arn:aws:iam::111122223333:role/team/orders-client"
        )
    ));
    // Missing for anonymous callers: Null says so.
    assert!(allowed_as(
        Caller::Anonymous,
        r#"{"Null":{"aws:PrincipalArn":"true"}}"#,
        RequestContext::new()
    ));
}

#[test]
fn key_principal_account_is_derived() {
    let c = r#"{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}"#;
    assert!(allowed_as(Caller::arn(SESSION), c, RequestContext::new()));
    assert!(allowed_as(Caller::arn(USER), c, RequestContext::new()));
    assert!(!allowed_as(
        Caller::arn("arn:aws:iam::444455556666:user/x"),
        c,
        RequestContext::new()
    ));
    assert!(!allowed_as(Caller::Anonymous, c, RequestContext::new()));
    assert!(allowed_as(
        Caller::Anonymous,
        c,
        RequestContext::new().with(keys::PRINCIPAL_ACCOUNT, "111122223333")
    ));
}

// ---------------------------------------------------------------- principals

fn principal_allows(principal_json: &str, caller: Caller) -> bool {
    let p = auth(&statements(&format!(
        r#"{{"Effect":"Allow","Principal":{principal_json},"Action":"vpc-lattice-svcs:Invoke","Resource":"*"}}"#
    )));
    AuthConfig::new()
        .service(AuthType::aws_iam(p))
        .identity_policy(allow_all_identity())
        .evaluate(&AccessRequest::invoke(caller, SVC, "/"))
        .is_allowed()
}

#[test]
fn star_principals_match_everyone_including_anonymous() {
    for spec in [r#""*""#, r#"{"AWS":"*"}"#, r#"{"AWS":["*"]}"#] {
        assert!(principal_allows(spec, Caller::Anonymous), "{spec}");
        assert!(principal_allows(spec, Caller::arn(SESSION)), "{spec}");
        assert!(principal_allows(spec, Caller::arn("weird")), "{spec}");
    }
}

#[test]
fn role_principal_matches_its_sessions() {
    let spec = r#"{"AWS":"arn:aws:iam::111122223333:role/service-role/orders-client"}"#;
    assert!(principal_allows(spec, Caller::arn(SESSION)));
    assert!(principal_allows(
        spec,
        Caller::arn("arn:aws:sts::111122223333:assumed-role/orders-client/other")
    ));
    assert!(!principal_allows(
        spec,
        Caller::arn("arn:aws:sts::111122223333:assumed-role/orders-admin/i-0abc")
    ));
    assert!(!principal_allows(
        spec,
        Caller::arn("arn:aws:sts::444455556666:assumed-role/orders-client/i-0abc")
    ));
    assert!(!principal_allows(spec, Caller::arn(USER)));
    assert!(!principal_allows(spec, Caller::Anonymous));
}

#[test]
fn account_principals_match_the_whole_account() {
    for spec in [
        r#"{"AWS":"111122223333"}"#,
        r#"{"AWS":["arn:aws:iam::111122223333:root"]}"#,
    ] {
        assert!(principal_allows(spec, Caller::arn(SESSION)), "{spec}");
        assert!(principal_allows(spec, Caller::arn(USER)), "{spec}");
        assert!(
            !principal_allows(spec, Caller::arn("arn:aws:iam::444455556666:user/alice")),
            "{spec}"
        );
        assert!(!principal_allows(spec, Caller::Anonymous), "{spec}");
    }
}

#[test]
fn user_session_and_federated_principals_match_exactly() {
    assert!(principal_allows(
        &format!(r#"{{"AWS":"{USER}"}}"#),
        Caller::arn(USER)
    ));
    assert!(!principal_allows(
        &format!(r#"{{"AWS":"{USER}"}}"#),
        Caller::arn("arn:aws:iam::111122223333:user/bob")
    ));
    assert!(principal_allows(
        &format!(r#"{{"AWS":"{SESSION}"}}"#),
        Caller::arn(SESSION)
    ));
    assert!(!principal_allows(
        &format!(r#"{{"AWS":"{SESSION}"}}"#),
        Caller::arn("arn:aws:sts::111122223333:assumed-role/orders-client/x")
    ));
    let fed = "arn:aws:sts::111122223333:federated-user/bob";
    assert!(principal_allows(
        &format!(r#"{{"AWS":"{fed}"}}"#),
        Caller::arn(fed)
    ));
}

#[test]
fn several_principal_entries_or_together_and_other_types_never_match() {
    let spec = format!(r#"{{"AWS":["444455556666","{USER}"],"Service":"lambda.amazonaws.com"}}"#);
    assert!(principal_allows(&spec, Caller::arn(USER)));
    assert!(principal_allows(
        &spec,
        Caller::arn("arn:aws:iam::444455556666:user/x")
    ));
    assert!(!principal_allows(&spec, Caller::arn(SESSION)));
    assert!(!principal_allows(
        r#"{"Service":"lambda.amazonaws.com"}"#,
        Caller::arn(SESSION)
    ));
}

#[test]
fn not_principal_matches_everyone_else() {
    let p = auth(&statements(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},
           {{"Sid":"NotAlice","Effect":"Deny","NotPrincipal":{{"AWS":"{USER}"}},"Action":"*","Resource":"*"}}"#
    )));
    let config = AuthConfig::new()
        .service(AuthType::aws_iam(p))
        .identity_policy(allow_all_identity());
    assert!(
        config
            .evaluate(&AccessRequest::invoke(Caller::arn(USER), SVC, "/"))
            .is_allowed()
    );
    let d = config.evaluate(&AccessRequest::invoke(Caller::arn(SESSION), SVC, "/"));
    assert_eq!(
        (d.effect, d.statement.as_ref().map(ToString::to_string)),
        (DecisionEffect::Deny, Some("NotAlice".into()))
    );
    assert_eq!(
        config
            .evaluate(&AccessRequest::invoke(Caller::Anonymous, SVC, "/"))
            .effect,
        DecisionEffect::Deny
    );
}

// ---------------------------------------------------------------- action / resource

fn service_allows(statement: &str, request: &AccessRequest) -> bool {
    AuthConfig::new()
        .service(AuthType::aws_iam(auth(&statements(statement))))
        .evaluate(request)
        .is_allowed()
}

#[test]
fn actions_match_case_insensitively_with_wildcards() {
    let invoke = AccessRequest::invoke(Caller::Anonymous, SVC, "/orders/42");
    let connect = AccessRequest::connect(Caller::Anonymous, SVC);
    let st =
        |a: &str| format!(r#"{{"Effect":"Allow","Principal":"*","Action":{a},"Resource":"*"}}"#);
    assert!(service_allows(&st(r#""vpc-lattice-svcs:Invoke""#), &invoke));
    assert!(service_allows(&st(r#""VPC-Lattice-Svcs:invoke""#), &invoke));
    assert!(service_allows(&st(r#""vpc-lattice-svcs:*""#), &invoke));
    assert!(service_allows(&st(r#""vpc-lattice-svcs:Inv?ke""#), &invoke));
    assert!(service_allows(&st(r#""*""#), &connect));
    assert!(!service_allows(
        &st(r#""vpc-lattice-svcs:Invoke""#),
        &connect
    ));
    assert!(service_allows(
        &st(r#"["vpc-lattice-svcs:Invoke","vpc-lattice-svcs:Connect"]"#),
        &connect
    ));
    assert!(!service_allows(&st(r#""vpc-lattice:Invoke""#), &invoke));
}

#[test]
fn not_action() {
    let invoke = AccessRequest::invoke(Caller::Anonymous, SVC, "/");
    let st = r#"{"Effect":"Allow","Principal":"*","NotAction":"vpc-lattice-svcs:Connect","Resource":"*"}"#;
    assert!(service_allows(st, &invoke));
    assert!(!service_allows(
        st,
        &AccessRequest::connect(Caller::Anonymous, SVC)
    ));
}

#[test]
fn resources_are_service_arn_plus_path_with_wildcards() {
    let req = |path: &str| AccessRequest::invoke(Caller::Anonymous, SVC, path);
    let st =
        |r: &str| format!(r#"{{"Effect":"Allow","Principal":"*","Action":"*","Resource":{r}}}"#);
    assert!(service_allows(
        &st(&format!(r#""{SVC}/*""#)),
        &req("/orders/42")
    ));
    assert!(service_allows(
        &st(&format!(r#""{SVC}/orders/*""#)),
        &req("/orders/42")
    ));
    assert!(!service_allows(
        &st(&format!(r#""{SVC}/orders/*""#)),
        &req("/Orders/42")
    ));
    assert!(!service_allows(
        &st(&format!(r#""{SVC}""#)),
        &req("/orders/42")
    ));
    assert!(service_allows(
        &st(&format!(r#""{SVC}/orders/4?""#)),
        &req("/orders/42")
    ));
    assert!(service_allows(&st(r#""*/orders/*""#), &req("/orders/42")));
    assert!(service_allows(&st(r#""*/*""#), &req("/")));
    assert!(!service_allows(&st(r#""*/rates""#), &req("/orders")));
    assert!(service_allows(
        &st(r#""*/api.parking/*""#),
        &req("/api.parking/GetRates")
    ));
    assert!(service_allows(
        &st(&format!(r#""{SVC}""#)),
        &AccessRequest::connect(Caller::Anonymous, SVC)
    ));
}

#[test]
fn not_resource() {
    let st = format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"*","NotResource":"{SVC}/admin/*"}}"#
    );
    assert!(service_allows(
        &st,
        &AccessRequest::invoke(Caller::Anonymous, SVC, "/orders")
    ));
    assert!(!service_allows(
        &st,
        &AccessRequest::invoke(Caller::Anonymous, SVC, "/admin/users")
    ));
}

// ---------------------------------------------------------------- layers and 403 lines

const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
const ALLOW_OTHER: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-other/*"}]}"#;
const DENY_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum L {
    NoneType,
    IamNoPolicy,
    Allows,
    NoMatch,
    Denies,
}

const LAYER_KINDS: [L; 5] = [
    L::NoneType,
    L::IamNoPolicy,
    L::Allows,
    L::NoMatch,
    L::Denies,
];

fn auth_type(l: L) -> AuthType {
    match l {
        L::NoneType => AuthType::None,
        L::IamNoPolicy => AuthType::AwsIam(None),
        L::Allows => AuthType::aws_iam(auth(ALLOW_ALL)),
        L::NoMatch => AuthType::aws_iam(auth(ALLOW_OTHER)),
        L::Denies => AuthType::aws_iam(auth(DENY_ALL)),
    }
}

fn identity_policies(l: L) -> Vec<IdentityPolicy> {
    let st = |json: &str| identity(&statements(json));
    match l {
        L::NoneType | L::IamNoPolicy => vec![],
        L::Allows => vec![st(
            r#"{"Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}"#,
        )],
        L::NoMatch => vec![st(
            r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#,
        )],
        L::Denies => vec![
            st(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
            st(
                r#"{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoLattice","Effect":"Deny","Action":"vpc-lattice-svcs:*","Resource":"*"}"#,
            ),
        ],
    }
}

/// The rules of issue #6, written independently of the implementation.
fn expected(
    network: L,
    service: L,
    identity: L,
    anonymous: bool,
) -> (DecisionEffect, Option<Layer>) {
    if network == L::NoneType && service == L::NoneType {
        return (DecisionEffect::Allow, None);
    }
    let identity = if anonymous {
        L::NoneType
    } else if identity == L::NoneType {
        L::IamNoPolicy
    } else {
        identity
    };
    let layers = [
        (Layer::Network, network),
        (Layer::Service, service),
        (Layer::Identity, identity),
    ];
    if let Some((layer, _)) = layers.iter().find(|(_, l)| *l == L::Denies) {
        return (DecisionEffect::Deny, Some(*layer));
    }
    if let Some((layer, _)) = layers
        .iter()
        .find(|(_, l)| matches!(l, L::IamNoPolicy | L::NoMatch))
    {
        return (DecisionEffect::ImplicitDeny, Some(*layer));
    }
    (DecisionEffect::Allow, None)
}

#[test]
fn every_layer_combination() {
    let mut checked = 0;
    for network in LAYER_KINDS {
        for service in LAYER_KINDS {
            for ident in LAYER_KINDS {
                for anonymous in [true, false] {
                    let config = AuthConfig::new()
                        .network(auth_type(network))
                        .service(auth_type(service))
                        .identity_policies(identity_policies(ident));
                    let caller = if anonymous {
                        Caller::Anonymous
                    } else {
                        Caller::arn(SESSION)
                    };
                    let d = config.evaluate(&AccessRequest::invoke(caller, SVC, "/orders/42"));
                    let want = expected(network, service, ident, anonymous);
                    assert_eq!(
                        (d.effect, d.layer),
                        want,
                        "network {network:?} service {service:?} identity {ident:?} anonymous {anonymous}"
                    );
                    assert_eq!(d.message.is_some(), d.effect != DecisionEffect::Allow);
                    assert_eq!(d.statement.is_some(), d.effect == DecisionEffect::Deny);
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, 250);
}

fn decide(network: L, service: L, ident: L, caller: Caller) -> Decision {
    AuthConfig::new()
        .network(auth_type(network))
        .service(auth_type(service))
        .identity_policies(identity_policies(ident))
        .evaluate(&AccessRequest::invoke(caller, SVC, "/orders/42"))
}

#[test]
fn line_no_network_based_policy_for_anonymous() {
    let d = decide(L::IamNoPolicy, L::Allows, L::NoneType, Caller::Anonymous);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: \
         arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42 \
         because no network-based policy allows the vpc-lattice-svcs:Invoke action"
        )
    );
    assert_eq!(d.access_log_label(), Some("Network"));
}

#[test]
fn line_no_service_based_policy() {
    let d = decide(L::Allows, L::NoMatch, L::Allows, Caller::Anonymous);
    assert_eq!(
        d.message.as_deref(),
        Some(
            "AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Invoke on resource: \
         arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42 \
         because no service-based policy allows the vpc-lattice-svcs:Invoke action"
        )
    );
    assert_eq!(d.access_log_label(), Some("Service"));
}

#[test]
fn line_no_identity_based_policy_for_a_signed_caller() {
    let d = decide(L::NoneType, L::Allows, L::NoneType, Caller::arn(SESSION));
    assert_eq!(
        d.message.as_deref(),
        Some(
            "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/orders-client/i-0abc is not authorized \
         to perform: vpc-lattice-svcs:Invoke on resource: \
         arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42 \
         because no identity-based policy allows the vpc-lattice-svcs:Invoke action"
        )
    );
    assert_eq!(
        (d.effect, d.access_log_label()),
        (DecisionEffect::ImplicitDeny, Some("Identity"))
    );
}

#[test]
fn lines_with_an_explicit_deny_in_each_layer() {
    let tail = |kind: &str| {
        format!(
            "AccessDeniedException: User: {SESSION} is not authorized to perform: vpc-lattice-svcs:Invoke on resource: \
         {RESOURCE} with an explicit deny in a {kind}-based policy"
        )
    };
    let d = decide(L::Denies, L::Allows, L::Allows, Caller::arn(SESSION));
    assert_eq!(d.message, Some(tail("network")));
    assert_eq!(
        d.statement,
        Some(StatementRef {
            policy: None,
            index: 1,
            sid: Some("DenyAll".into())
        })
    );
    let d = decide(L::Allows, L::Denies, L::Allows, Caller::arn(SESSION));
    assert_eq!(
        (d.message.clone(), d.access_log_label()),
        (Some(tail("service")), Some("Service"))
    );
    let d = decide(L::Allows, L::Allows, L::Denies, Caller::arn(SESSION));
    assert_eq!(
        (d.message.clone(), d.access_log_label()),
        (Some(tail("identity")), Some("Identity"))
    );
    assert_eq!(
        d.statement,
        Some(StatementRef {
            policy: Some(1),
            index: 1,
            sid: Some("NoLattice".into())
        })
    );
}

#[test]
fn denial_order_is_network_then_service_then_identity() {
    // Explicit denies beat implicit ones whatever the layer.
    assert_eq!(
        decide(L::IamNoPolicy, L::Denies, L::NoMatch, Caller::arn(SESSION)).layer,
        Some(Layer::Service)
    );
    assert_eq!(
        decide(L::NoMatch, L::Allows, L::Denies, Caller::arn(SESSION)).effect,
        DecisionEffect::Deny
    );
    // Among explicit denies, and among implicit ones, the first layer wins.
    assert_eq!(
        decide(L::Denies, L::Denies, L::Denies, Caller::arn(SESSION)).layer,
        Some(Layer::Network)
    );
    assert_eq!(
        decide(L::Allows, L::Denies, L::Denies, Caller::arn(SESSION)).layer,
        Some(Layer::Service)
    );
    assert_eq!(
        decide(L::NoMatch, L::NoMatch, L::NoMatch, Caller::arn(SESSION)).layer,
        Some(Layer::Network)
    );
    assert_eq!(
        decide(L::Allows, L::IamNoPolicy, L::NoMatch, Caller::arn(SESSION)).layer,
        Some(Layer::Service)
    );
    assert_eq!(
        decide(
            L::NoneType,
            L::IamNoPolicy,
            L::NoneType,
            Caller::arn(SESSION)
        )
        .layer,
        Some(Layer::Service)
    );
}

#[test]
fn no_iam_anywhere_means_no_authorization() {
    let d = decide(L::NoneType, L::NoneType, L::Denies, Caller::arn(SESSION));
    assert!(d.is_allowed());
    assert_eq!((d.layer, d.statement, d.message), (None, None, None));
}

#[test]
fn anonymous_callers_skip_the_identity_layer() {
    assert!(decide(L::Allows, L::Allows, L::NoneType, Caller::Anonymous).is_allowed());
    assert!(decide(L::Allows, L::Allows, L::Denies, Caller::Anonymous).is_allowed());
    assert_eq!(
        decide(L::Allows, L::Allows, L::NoneType, Caller::arn(SESSION)).layer,
        Some(Layer::Identity)
    );
}

#[test]
fn statement_ref_displays_sid_or_index() {
    let with_sid = StatementRef {
        policy: None,
        index: 3,
        sid: Some("S".into()),
    };
    let without = StatementRef {
        policy: None,
        index: 3,
        sid: None,
    };
    assert_eq!(
        (with_sid.to_string(), without.to_string()),
        ("S".to_owned(), "3".to_owned())
    );
    assert_eq!(Layer::Identity.to_string(), "Identity");
    assert_eq!(DecisionEffect::ImplicitDeny.as_str(), "ImplicitDeny");
}

// ---------------------------------------------------------------- anonymous callers and documented example policies

#[test]
fn example_org_id_policy() {
    let p = auth(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
        "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
        "Condition":{"StringEquals":{"aws:PrincipalOrgID":["o-123456example"]}}}]}"#,
    );
    let config = AuthConfig::new()
        .network(AuthType::aws_iam(p))
        .identity_policy(allow_all_identity());
    let req = |org: Option<&str>| {
        let mut c = RequestContext::new();
        if let Some(org) = org {
            c.insert(keys::PRINCIPAL_ORG_ID, org);
        }
        AccessRequest::invoke(Caller::arn(SESSION), SVC, "/x").with_context(c)
    };
    assert!(config.evaluate(&req(Some("o-123456example"))).is_allowed());
    assert_eq!(
        config.evaluate(&req(Some("o-other"))).layer,
        Some(Layer::Network)
    );
    assert_eq!(
        config.evaluate(&req(None)).effect,
        DecisionEffect::ImplicitDeny
    );
    // Anonymous callers have no org: denied.
    assert!(
        !config
            .evaluate(&AccessRequest::invoke(Caller::Anonymous, SVC, "/x"))
            .is_allowed()
    );
}

#[test]
fn example_role_get_policy() {
    let p = auth(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"AWS":["arn:aws:iam::123456789012:role/rates-client"]},
        "Action":"vpc-lattice-svcs:Invoke",
        "Resource":["arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0/*"],
        "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestMethod":"GET"}}}]}"#,
    );
    let config = AuthConfig::new()
        .service(AuthType::aws_iam(p))
        .identity_policy(allow_all_identity());
    let svc = "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0123456789abcdef0";
    let rates = Caller::arn("arn:aws:sts::123456789012:assumed-role/rates-client/session-1");
    let req = |p: &Caller, service: &str, method: &str| {
        AccessRequest::invoke(p.clone(), service, "/rates")
            .with_context(RequestContext::new().with(keys::REQUEST_METHOD, method))
    };
    assert!(config.evaluate(&req(&rates, svc, "GET")).is_allowed());
    assert!(!config.evaluate(&req(&rates, svc, "POST")).is_allowed());
    assert!(
        !config
            .evaluate(&req(
                &rates,
                "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0000000000000000f",
                "GET"
            ))
            .is_allowed()
    );
    let other = Caller::arn("arn:aws:sts::123456789012:assumed-role/billing/session-1");
    assert_eq!(
        config.evaluate(&req(&other, svc, "GET")).layer,
        Some(Layer::Service)
    );
    assert!(
        !config
            .evaluate(&req(&Caller::Anonymous, svc, "GET"))
            .is_allowed()
    );
}

#[test]
fn example_authenticated_from_one_vpc_policy() {
    let p = auth(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
        "Action":"vpc-lattice-svcs:Invoke","Resource":"*",
        "Condition":{"StringNotEquals":{"aws:PrincipalType":"Anonymous"},
                     "StringEquals":{"vpc-lattice-svcs:SourceVpc":"vpc-1a2b3c4d"}}}]}"#,
    );
    let config = AuthConfig::new()
        .network(AuthType::aws_iam(p))
        .identity_policy(allow_all_identity());
    let req = |p: Caller, vpc: &str| {
        AccessRequest::invoke(p, SVC, "/")
            .with_context(RequestContext::new().with(keys::SOURCE_VPC, vpc))
    };
    assert!(
        config
            .evaluate(&req(Caller::arn(SESSION), "vpc-1a2b3c4d"))
            .is_allowed()
    );
    assert!(
        !config
            .evaluate(&req(Caller::arn(SESSION), "vpc-99999999"))
            .is_allowed()
    );
    let d = config.evaluate(&req(Caller::Anonymous, "vpc-1a2b3c4d"));
    assert_eq!(
        (d.effect, d.layer),
        (DecisionEffect::ImplicitDeny, Some(Layer::Network))
    );
}

#[test]
fn console_templates_for_authenticated_and_unauthenticated_access() {
    let open = auth(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#,
    );
    let signed_only = auth(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
        "Condition":{"StringNotEqualsIgnoreCase":{"aws:PrincipalType":"anonymous"}}}]}"#,
    );
    let open = AuthConfig::new()
        .service(AuthType::aws_iam(open))
        .identity_policy(allow_all_identity());
    let signed_only = AuthConfig::new()
        .service(AuthType::aws_iam(signed_only))
        .identity_policy(allow_all_identity());
    let anon = AccessRequest::invoke(Caller::Anonymous, SVC, "/");
    let signed = AccessRequest::invoke(Caller::arn(SESSION), SVC, "/");
    assert!(open.evaluate(&anon).is_allowed());
    assert!(open.evaluate(&signed).is_allowed());
    assert!(!signed_only.evaluate(&anon).is_allowed());
    assert!(signed_only.evaluate(&signed).is_allowed());
}

#[test]
fn grpc_resources_and_connect_action() {
    let p = auth(&statements(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"{SVC}/api.parking/*",
             "Condition":{{"StringEquals":{{"vpc-lattice-svcs:RequestMethod":"POST"}}}}}},
           {{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Connect","Resource":"{SVC}",
             "Condition":{{"NumericEquals":{{"vpc-lattice-svcs:Port":443}}}}}}"#
    )));
    let config = AuthConfig::new().service(AuthType::aws_iam(p));
    let grpc = AccessRequest::invoke(Caller::Anonymous, SVC, "/api.parking/GetRates")
        .with_context(RequestContext::new().with(keys::REQUEST_METHOD, "POST"));
    assert!(config.evaluate(&grpc).is_allowed());
    let tcp = AccessRequest::connect(Caller::Anonymous, SVC)
        .with_context(RequestContext::new().with(keys::PORT, "443"));
    assert!(config.evaluate(&tcp).is_allowed());
    let tcp_other = AccessRequest::connect(Caller::Anonymous, SVC)
        .with_context(RequestContext::new().with(keys::PORT, "8443"));
    let d = config.evaluate(&tcp_other);
    assert_eq!(
        d.message.as_deref(),
        Some(&*format!(
            "AccessDeniedException: User: anonymous is not authorized to perform: vpc-lattice-svcs:Connect on resource: {SVC} \
         because no service-based policy allows the vpc-lattice-svcs:Connect action"
        ))
    );
}

#[test]
fn config_accessors_and_auth_types() {
    let config = AuthConfig::new()
        .network(AuthType::AwsIam(None))
        .service(AuthType::aws_iam(auth(ALLOW_ALL)))
        .identity_policy(allow_all_identity());
    assert!(config.network_auth().is_aws_iam());
    assert!(config.service_auth().is_aws_iam());
    assert!(!AuthType::None.is_aws_iam());
    assert_eq!(config.identity().len(), 1);
    assert_eq!(AuthConfig::new().network_auth(), &AuthType::None);
    let policy = auth(ALLOW_ALL);
    let first = policy.statements().first();
    assert_eq!(
        first.map(|s| (s.index(), s.sid(), s.effect())),
        Some((0, Some("AllowAll"), Effect::Allow))
    );
    // `evaluate` and `AuthConfig::evaluate` agree.
    let req = AccessRequest::invoke(Caller::Anonymous, SVC, "/");
    assert_eq!(evaluate(&config, &req), config.evaluate(&req));
}

#[test]
fn policy_errors_expose_the_statement() {
    let e = AuthPolicy::from_json(&statements(
        r#"{"Sid":"X","Effect":"Allow","Principal":"*","Action":"*"}"#,
    ));
    let located = e
        .as_ref()
        .err()
        .and_then(PolicyError::statement)
        .map(|s| (s.index, s.sid.clone(), s.field));
    assert_eq!(located, Some((0, Some("X".to_owned()), Field::Resource)));
    assert!(e.is_err_and(|e| {
        e.to_string()
            .starts_with("statement 0 (Sid \"X\"), Resource: missing")
    }));
}
