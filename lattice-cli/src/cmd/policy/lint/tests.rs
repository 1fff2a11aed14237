use super::*;

fn findings(json: &str) -> Vec<Finding> {
    lint(json, &serde_json::from_str(json).expect("json"))
}

#[test]
fn a_good_policy_has_no_findings() {
    let f = findings(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*",
        "Action":"vpc-lattice-svcs:Invoke","Resource":"arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/*",
        "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5","vpc-lattice-svcs:RequestMethod":"GET"},
        "ForAnyValue:StringEquals":{"vpc-lattice-svcs:RequestQueryString/tag":"a"}}}]}"#,
    );
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn each_rule_names_statement_sid_and_field() {
    let f = findings(
        r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Res","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"orders"},
        {"Sid":"Act","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"},
        {"Sid":"Key","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:*","Resource":"*",
         "Condition":{"StringEquals":{"vpc-lattice-svcs:Method":"GET"}}},
        {"Sid":"Op","Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*",
         "Condition":{"NumericEquals":{"vpc-lattice-svcs:RequestMethod":"1"}}}]}"#,
    );
    let at = |i: usize, field: &str| {
        f.iter()
            .find(|x| x.statement == Some(i) && x.field == field && x.severity == Severity::Error)
            .unwrap_or_else(|| panic!("no error for statement {i} {field}: {f:?}"))
    };
    assert_eq!(at(0, "Resource").sid.as_deref(), Some("Res"));
    assert!(at(1, "Action").message.contains("vpc-lattice-svcs"));
    assert!(at(2, "Condition").message.contains("unknown condition key"));
    assert!(at(3, "Condition").message.contains("does not suit"));
}

#[test]
fn size_bad_principals_and_multi_valued_keys() {
    let big = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{}","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}]}}"#,
        "a".repeat(10_001)
    );
    assert!(
        findings(&big)
            .iter()
            .any(|f| f.field == "document" && f.message.contains("10000"))
    );
    let f = findings(
        r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"*","Resource":"*"}]}"#,
    );
    assert!(
        f.iter()
            .any(|x| x.field == "Principal" && x.severity == Severity::Error),
        "{f:?}"
    );
    let f = findings(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*",
        "Condition":{"StringEquals":{"vpc-lattice-svcs:RequestQueryString/tag":"a"}}}]}"#,
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Warning);
}

#[test]
fn wildcards_match_like_iam() {
    assert!(wildcard("inv*", "invoke"));
    assert!(wildcard("*", "connect"));
    assert!(wildcard("inv?ke", "invoke"));
    assert!(!wildcard("get*", "invoke"));
}
