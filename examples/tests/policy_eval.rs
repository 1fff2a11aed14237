//! Runs the `policy-eval` example on the committed cases.

use std::path::PathBuf;

use serde_json::Value;

fn example(name: &str) -> PathBuf {
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn prints_one_decision_line_per_case_in_order() {
    let cases = concat!(env!("CARGO_MANIFEST_DIR"), "/policy/cases.json");
    let out = std::process::Command::new(example("policy-eval"))
        .arg(cases)
        .output()
        .expect("the policy-eval example is built by `cargo test`");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let input: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(cases).expect("cases")).expect("cases JSON");
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), input.len());
    for (case, line) in input.iter().zip(&lines) {
        assert_eq!(case["name"], line["name"]);
        let decision = line["decision"].as_str().expect("decision");
        assert!(
            ["Allow", "Deny", "ImplicitDeny", "Error"].contains(&decision),
            "{line}"
        );
        for key in ["layer", "statement", "message"] {
            assert!(line.get(key).is_some(), "{key} missing in {line}");
        }
        if decision == "ImplicitDeny" || decision == "Deny" {
            let message = line["message"].as_str().expect("message");
            assert!(
                message.starts_with("AccessDeniedException: User: "),
                "{message}"
            );
        }
    }
    let by_name = |n: &str| lines.iter().find(|l| l["name"] == n).expect(n);
    assert_eq!(by_name("get-orders")["decision"], "Allow");
    assert_eq!(by_name("explicit-deny-admin")["decision"], "Deny");
    assert_eq!(by_name("explicit-deny-admin")["statement"], "NoAdmin");
    assert_eq!(by_name("bad-policy")["decision"], "Error");
}

#[test]
fn unreadable_file_exits_2_with_one_line() {
    let out = std::process::Command::new(example("policy-eval"))
        .arg("/nonexistent/cases.json")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}
