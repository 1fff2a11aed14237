//! Tests of `parse`.

use super::*;

fn auth_err(json: &str) -> StatementError {
    match AuthPolicy::from_json(json) {
        Err(PolicyError::Statement(e)) => e,
        other => panic!("expected a statement error for {json}, got {other:?}"),
    }
}

fn stmt(body: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ok","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}},{body}]}}"#
    )
}

#[test]
fn statement_may_be_an_object_or_an_array() {
    let one = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}}"#;
    let p = AuthPolicy::from_json(one);
    assert!(p.as_ref().is_ok_and(|p| p.statements().len() == 1), "{p:?}");
    let empty = AuthPolicy::from_json(r#"{"Version":"2012-10-17","Statement":[]}"#);
    assert!(empty.is_ok_and(|p| p.statements().is_empty() && p.version() == Version::V2012_10_17));
}

#[test]
fn version_defaults_to_2008_and_is_checked() {
    let p = AuthPolicy::from_json(r#"{"Id":"x","Statement":[]}"#);
    assert!(p.is_ok_and(|p| p.version() == Version::V2008_10_17 && p.id() == Some("x")));
    assert!(matches!(
        AuthPolicy::from_json(r#"{"Version":"2012-10-18","Statement":[]}"#),
        Err(PolicyError::Document(DocumentError::InvalidVersion(_)))
    ));
    assert_eq!(Version::V2012_10_17.as_str(), "2012-10-17");
}

#[test]
fn document_level_errors() {
    let doc = |json: &str| match AuthPolicy::from_json(json) {
        Err(PolicyError::Document(e)) => Some(e),
        _ => None,
    };
    assert_eq!(doc("[]"), Some(DocumentError::NotAnObject));
    assert_eq!(
        doc(r#"{"Version":"2012-10-17"}"#),
        Some(DocumentError::MissingStatement)
    );
    assert_eq!(
        doc(r#"{"Statement":"x"}"#),
        Some(DocumentError::InvalidStatement)
    );
    assert_eq!(
        doc(r#"{"Statement":[],"Id":5}"#),
        Some(DocumentError::InvalidId)
    );
    assert_eq!(
        doc(r#"{"Statement":[],"statement":[]}"#),
        Some(DocumentError::UnknownElement("statement".into()))
    );
    assert!(matches!(
        AuthPolicy::from_json("{"),
        Err(PolicyError::Json(_))
    ));
    assert!("not json".parse::<IdentityPolicy>().is_err());
}

#[test]
fn errors_point_at_statement_index_sid_and_field() {
    let e = auth_err(&stmt(
        r#"{"Sid":"Bad","Effect":"allow","Principal":"*","Action":"*","Resource":"*"}"#,
    ));
    assert_eq!(
        (e.index, e.sid.as_deref(), e.field),
        (1, Some("Bad"), Field::Effect)
    );
    assert_eq!(e.problem, Problem::InvalidEffect("allow".into()));
    assert_eq!(
        e.to_string(),
        "statement 1 (Sid \"Bad\"), Effect: must be \"Allow\" or \"Deny\", not \"allow\""
    );
}

#[test]
fn missing_and_conflicting_elements() {
    let cases = [
        (
            r#"{"Principal":"*","Action":"*","Resource":"*"}"#,
            Field::Effect,
            Problem::Missing,
        ),
        (
            r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#,
            Field::Principal,
            Problem::Missing,
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Resource":"*"}"#,
            Field::Action,
            Problem::Missing,
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"*"}"#,
            Field::Resource,
            Problem::Missing,
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"x:y","Resource":"*"}"#,
            Field::Action,
            Problem::Conflict(Field::NotAction),
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"*","Resource":"*"}"#,
            Field::Principal,
            Problem::Conflict(Field::NotPrincipal),
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","NotResource":"*"}"#,
            Field::Resource,
            Problem::Conflict(Field::NotResource),
        ),
        (
            r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Extra":1}"#,
            Field::Statement,
            Problem::UnknownElement("Extra".into()),
        ),
        (r#""just a string""#, Field::Statement, Problem::NotAnObject),
        (
            r#"{"Sid":"ok","Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#,
            Field::Sid,
            Problem::DuplicateSid,
        ),
        (
            r#"{"Sid":7,"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#,
            Field::Sid,
            Problem::WrongType {
                expected: "a string",
            },
        ),
        (
            r#"{"Effect":true,"Principal":"*","Action":"*","Resource":"*"}"#,
            Field::Effect,
            Problem::InvalidEffect("true".into()),
        ),
    ];
    for (body, field, problem) in cases {
        let e = auth_err(&stmt(body));
        assert_eq!(
            (e.index, e.field, &e.problem),
            (1, field, &problem),
            "{body}"
        );
    }
}

#[test]
fn principal_forbidden_in_identity_policies() {
    for field in ["Principal", "NotPrincipal"] {
        let json = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","{field}":"*","Action":"*","Resource":"*"}}]}}"#
        );
        match IdentityPolicy::from_json(&json) {
            Err(PolicyError::Statement(e)) => {
                assert_eq!(e.problem, Problem::NotAllowedInIdentityPolicy);
                assert_eq!(e.field.as_str(), field);
            }
            other => panic!("{other:?}"),
        }
    }
    let ok = IdentityPolicy::from_json(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#,
    );
    assert!(ok.is_ok());
}

#[test]
fn principal_values_are_validated() {
    let principal = |p: &str| {
        auth_err(&stmt(&format!(
            r#"{{"Effect":"Allow","Principal":{p},"Action":"*","Resource":"*"}}"#
        )))
    };
    assert_eq!(
        principal(r#""111122223333""#).problem,
        Problem::InvalidPrincipal("111122223333".into())
    );
    assert_eq!(
        principal(r#"{"AWS":"arn:aws:iam::111122223333:role/*"}"#).problem,
        Problem::InvalidPrincipal("arn:aws:iam::111122223333:role/*".into())
    );
    assert_eq!(
        principal(r#"{"AWS":"12345"}"#).problem,
        Problem::InvalidPrincipal("12345".into())
    );
    assert_eq!(principal(r#"{"AWS":[]}"#).problem, Problem::Empty);
    assert_eq!(principal(r#"{}"#).problem, Problem::Empty);
    assert_eq!(
        principal(r#"{"Aws":"*"}"#).problem,
        Problem::UnknownPrincipalType("Aws".into())
    );
    assert_eq!(principal("7").field, Field::Principal);
    let ok = stmt(
        r#"{"Effect":"Allow","Principal":{"AWS":["*","111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/a","arn:aws:iam::111122223333:role/p/r","arn:aws:sts::111122223333:assumed-role/r/s","arn:aws:sts::111122223333:federated-user/f"],"Service":"lambda.amazonaws.com"},"Action":"*","Resource":"*"}"#,
    );
    assert!(AuthPolicy::from_json(&ok).is_ok());
}

#[test]
fn actions_and_resources_are_validated() {
    let st = |a: &str, r: &str| {
        auth_err(&stmt(&format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":{a},"Resource":{r}}}"#
        )))
    };
    for bad in [
        r#""Invoke""#,
        r#""vpc-lattice-*:Invoke""#,
        r#"":Invoke""#,
        r#""vpc-lattice-svcs:""#,
        r#""a:b:c""#,
    ] {
        let e = st(bad, r#""*""#);
        assert!(matches!(e.problem, Problem::InvalidAction(_)), "{bad}: {e}");
    }
    assert_eq!(st("[]", r#""*""#).problem, Problem::Empty);
    assert_eq!(
        st("[1]", r#""*""#).problem,
        Problem::WrongType {
            expected: "a string or an array of strings"
        }
    );
    assert_eq!(st(r#""*""#, r#""""#).problem, Problem::Empty);
    assert_eq!(st(r#""*""#, r#"{"a":1}"#).field, Field::Resource);
}

#[test]
fn condition_errors_are_typed() {
    let cond = |c: &str| {
        auth_err(&stmt(&format!(
            r#"{{"Sid":"C","Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{c}}}"#
        )))
    };
    let e = cond(r#"{"StringEqualz":{"aws:SourceVpc":"v"}}"#);
    assert_eq!((e.field, e.sid.as_deref()), (Field::Condition, Some("C")));
    assert_eq!(e.problem, Problem::UnknownOperator("StringEqualz".into()));
    assert!(matches!(
        cond(r#"{"NumericLessThan":{"vpc-lattice-svcs:Port":"eighty"}}"#).problem,
        Problem::InvalidConditionValue {
            expected: super::super::error::ValueKind::Number,
            ..
        }
    ));
    assert!(matches!(
        cond(r#"{"DateGreaterThan":{"aws:CurrentTime":"2024-13-01"}}"#).problem,
        Problem::InvalidConditionValue {
            expected: super::super::error::ValueKind::Date,
            ..
        }
    ));
    assert!(matches!(
        cond(r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}"#).problem,
        Problem::InvalidConditionValue {
            expected: super::super::error::ValueKind::IpAddress,
            ..
        }
    ));
    assert!(matches!(
        cond(r#"{"Bool":{"aws:SecureTransport":"yes"}}"#).problem,
        Problem::InvalidConditionValue {
            expected: super::super::error::ValueKind::Bool,
            ..
        }
    ));
    assert!(matches!(
        cond(r#"{"StringEquals":{"k":[]}}"#).problem,
        Problem::InvalidConditionValue { .. }
    ));
    assert!(matches!(
        cond(r#"{"StringEquals":{"k":{"x":1}}}"#).problem,
        Problem::InvalidConditionValue { .. }
    ));
    assert!(matches!(
        cond(r#"{"StringEquals":{"":"v"}}"#).problem,
        Problem::EmptyConditionKey { .. }
    ));
    assert!(matches!(
        cond(r#"{"StringEquals":"v"}"#).problem,
        Problem::WrongType { .. }
    ));
    assert!(matches!(cond(r#"[]"#).problem, Problem::WrongType { .. }));
    let e = cond(r#"{"NumericEquals":{"vpc-lattice-svcs:Port":"x"}}"#);
    assert_eq!(
        e.to_string(),
        "statement 1 (Sid \"C\"), Condition: \"NumericEquals\" on \"vpc-lattice-svcs:Port\": \"x\" is not a decimal number"
    );
}

#[test]
fn json_numbers_and_booleans_are_accepted_as_condition_values() {
    let json = stmt(
        r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericEquals":{"vpc-lattice-svcs:Port":443},"Bool":{"aws:SecureTransport":true},"StringEquals":{"k":[1,"a",false]}}}"#,
    );
    assert!(AuthPolicy::from_json(&json).is_ok());
}
