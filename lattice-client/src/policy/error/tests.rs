//! Tests of `error`.

use super::*;
use std::error::Error as _;

/// The message of every layer of `e`, outermost first.
fn chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    std::iter::successors(Some(e), |e| (*e).source())
        .map(ToString::to_string)
        .collect()
}

#[test]
fn policy_errors_print_each_cause_once() {
    let json = serde_json::from_str::<serde_json::Value>("{\"Version\":")
        .map_err(PolicyError::Json)
        .expect_err("truncated JSON");
    let layers = chain(&json);
    assert_eq!(layers.len(), 2, "{layers:?}");
    assert_eq!(layers[0], "policy is not valid JSON");
    assert!(layers[1].contains("line 1"), "{layers:?}");
    let document = PolicyError::from(DocumentError::MissingStatement);
    assert_eq!(chain(&document), ["`Statement` is missing"]);
    assert!(document.source().is_none());
    let statement = PolicyError::from(StatementError {
        index: 0,
        sid: None,
        field: Field::Effect,
        problem: Problem::Empty,
    });
    assert_eq!(
        chain(&statement),
        ["statement 0, Effect: must not be empty"]
    );
}

#[test]
fn statement_error_names_position_sid_and_field() {
    let e = StatementError {
        index: 2,
        sid: Some("AllowGet".into()),
        field: Field::Condition,
        problem: Problem::UnknownOperator("StringEqualz".into()),
    };
    assert_eq!(
        e.to_string(),
        "statement 2 (Sid \"AllowGet\"), Condition: unknown condition operator \"StringEqualz\""
    );
    let e = StatementError {
        index: 0,
        sid: None,
        field: Field::Action,
        problem: Problem::Conflict(Field::NotAction),
    };
    assert_eq!(
        e.to_string(),
        "statement 0, Action: cannot be combined with `NotAction` in one statement"
    );
}
