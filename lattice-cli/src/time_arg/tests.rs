use super::*;

#[test]
fn both_forms_parse_to_the_same_instant() {
    let a = parse("20240102T030405Z").expect("amz form");
    let b = parse("2024-01-02T03:04:05Z").expect("rfc 3339");
    let c = parse("2024-01-02T05:04:05+02:00").expect("rfc 3339 with offset");
    assert_eq!(a, b);
    assert_eq!(a, c);
    assert_eq!(
        a.duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .ok(),
        Some(1_704_164_645)
    );
}

#[test]
fn garbage_is_refused_with_the_forms() {
    let e = parse("yesterday").unwrap_err();
    assert!(
        e.contains("20240101T120000Z") && e.contains("RFC 3339"),
        "{e}"
    );
}
