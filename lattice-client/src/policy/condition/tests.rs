//! Unit tests of operators, typed values and ARN patterns.

use super::*;

#[test]
fn numbers_are_plain_decimals() {
    assert_eq!(parse_number("80"), Some(80.0));
    assert_eq!(parse_number("-1.5"), Some(-1.5));
    for bad in ["", "-", "1.", ".5", "1e3", "inf", "NaN", "+1", "0x10", "1 "] {
        assert_eq!(parse_number(bad), None, "{bad}");
    }
}

#[test]
fn dates_in_iso_8601_and_epoch_seconds() {
    let noon = parse_date("2024-05-01T12:00:00Z");
    assert_eq!(noon, Some(1_714_564_800_000));
    assert_eq!(parse_date("1714564800"), noon);
    assert_eq!(parse_date("2024-05-01T12:00:00"), noon);
    assert_eq!(parse_date("2024-05-01T12:00Z"), noon);
    assert_eq!(parse_date("2024-05-01T14:00:00+02:00"), noon);
    assert_eq!(parse_date("2024-05-01T07:00:00-0500"), noon);
    assert_eq!(
        parse_date("2024-05-01T12:00:00.250Z"),
        Some(1_714_564_800_250)
    );
    assert_eq!(
        parse_date("2024-05-01T12:00:00.1234567Z"),
        Some(1_714_564_800_123)
    );
    assert_eq!(parse_date("2024-05-01"), Some(1_714_521_600_000));
    assert_eq!(parse_date("1970-01-01"), Some(0));
    assert_eq!(parse_date("1969-12-31"), Some(-86_400_000));
    assert_eq!(parse_date("2024-02-29"), Some(1_709_164_800_000));
    for bad in [
        "",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-04-31",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:60Z",
        "2024-05-01T12",
        "2024-05-01 12:00:00",
        "2024-05-01T12:00:00.Z",
        "24-05-01",
        "2024-5-1",
        "yesterday",
        "2024-05-01T12:00:00+2",
        "99999999999999999999",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn dates_at_the_calendar_edges() {
    // Leap years: every 4th year, not every 100th, every 400th.
    assert_eq!(parse_date("2000-02-29"), Some(951_782_400_000));
    assert_eq!(
        parse_date("2024-02-29T23:59:59.999Z"),
        Some(1_709_251_199_999)
    );
    for bad in ["1900-02-29", "2100-02-29", "2023-02-29", "2024-02-30"] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
    assert_eq!(parse_date("1900-03-01"), Some(-2_203_891_200_000));
    // The ends of the four-digit years (year 0 is a leap year).
    assert_eq!(parse_date("0000-01-01"), Some(-62_167_219_200_000));
    assert_eq!(parse_date("0001-01-01"), Some(-62_135_596_800_000));
    assert_eq!(
        parse_date("9999-12-31T23:59:59.999Z"),
        Some(253_402_300_799_999)
    );
    assert_eq!(parse_date("253402300799"), Some(253_402_300_799_000));
    // Offsets may move the instant across a day, a leap day or a year.
    let leap_evening = parse_date("2024-02-29T23:30:00Z");
    assert_eq!(leap_evening, Some(1_709_249_400_000));
    assert_eq!(parse_date("2024-03-01T00:30:00+01:00"), leap_evening);
    assert_eq!(parse_date("2024-02-29T20:00:00-0330"), leap_evening);
    assert_eq!(
        parse_date("2023-12-31T23:00:00-01:00"),
        parse_date("2024-01-01")
    );
    assert_eq!(
        parse_date("9999-12-31T23:59-23:59"),
        Some(253_402_387_080_000)
    );
    assert_eq!(
        parse_date("0000-01-01T00:00+23:59"),
        Some(-62_167_305_540_000)
    );
    let noon = parse_date("2024-05-01T12:00:00Z");
    for same in [
        "2024-05-01T12:00:00+00:00",
        "2024-05-01T12:00:00-00:00",
        "2024-05-01T12:00:00+0000",
        "2024-05-01t12:00:00z",
        "2024-05-01T12:00:00.000Z",
    ] {
        assert_eq!(parse_date(same), noon, "{same}");
    }
    // Before the epoch, fractions still count forward from the second.
    assert_eq!(parse_date("1969-12-31T23:59:59.5Z"), Some(-500));
    // Epoch seconds: signed, whole, and within range once in milliseconds.
    assert_eq!(parse_date("0"), Some(0));
    assert_eq!(parse_date("-86400"), parse_date("1969-12-31"));
    assert_eq!(parse_date("-1"), Some(-1000));
    for bad in [
        "9223372036854775807",
        "-",
        "+1714564800",
        "1714564800.5",
        "2024-05-01T12:00:60Z",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00+12:60",
        "2024-05-01T12:00:00+",
        "2024-05-01T12:00:00Z+01:00",
        "2024-05-01T12:00:00Zjunk",
        "2024-05-01T",
        "-2024-05-01",
        "10000-01-01",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}

#[test]
fn cidr_blocks_v4_and_v6() {
    let inside = |net: &str, ip: &str| {
        let ip: IpAddr = ip.parse().unwrap_or(IpAddr::V4(0.into()));
        parse_network(net).is_some_and(|net| network::contains(&net, ip))
    };
    assert!(inside("10.0.0.0/8", "10.255.1.2"));
    assert!(!inside("10.0.0.0/8", "11.0.0.1"));
    // IPv4 networks contain IPv4-mapped IPv6 addresses, not other IPv6 ones.
    assert!(inside("10.0.0.0/8", "::ffff:10.1.1.1"));
    assert!(!inside("10.0.0.0/8", "::ffff:11.1.1.1"));
    assert!(!inside("0.0.0.0/0", "2001:db8::1"));
    assert!(inside("::ffff:0:0/96", "::ffff:10.1.1.1"));
    // Host bits are ignored; a bare address is a /32 or /128.
    assert_eq!(parse_network("10.1.2.3/8"), parse_network("10.0.0.0/8"));
    assert_eq!(parse_network("10.0.0.0/008"), parse_network("10.0.0.0/8"));
    assert!(inside("0.0.0.0/0", "203.0.113.9"));
    assert!(inside("192.0.2.7", "192.0.2.7"));
    assert!(!inside("192.0.2.7", "192.0.2.8"));
    assert_eq!(
        parse_network("2001:db8::7").map(|n| n.prefix_len()),
        Some(128)
    );
    assert!(inside("2001:db8::/32", "2001:db8:1::5"));
    assert!(!inside("2001:db8::/32", "2001:db9::1"));
    // IPv6 networks never contain IPv4 addresses.
    assert!(!inside("2001:db8::/32", "10.0.0.1"));
    assert!(!inside("::/0", "10.0.0.1"));
    assert!(inside("::/0", "fe80::1"));
    for bad in [
        "",
        "10.0.0.0/33",
        "10.0.0.0/",
        "10.0.0/8",
        "2001:db8::/129",
        "10.0.0.0/-1",
        "10.0.0.0/+8",
        "10.0.0.0/08a",
        "10.0.0.0/0008",
        "10.0.0.0/8/8",
        "x",
    ] {
        assert!(parse_network(bad).is_none(), "{bad}");
    }
}

#[test]
fn arn_patterns_match_per_component() {
    let p = ArnPattern::new("arn:aws:iam::*:role/orders-*");
    assert!(p.matches("arn:aws:iam::111122223333:role/orders-client"));
    assert!(!p.matches("arn:aws:iam::111122223333:user/orders-client"));
    // `*` in the account part does not swallow colons.
    assert!(!p.matches("arn:aws:iam::1:2:role/orders-x"));
    assert!(!p.matches("arn:aws:iam"));
    let any = ArnPattern::new("*");
    assert!(any.matches("anything"));
    let svc = ArnPattern::new("arn:aws:vpc-lattice:*:*:service/svc-*");
    assert!(
        svc.matches("arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0")
    );
}

#[test]
fn operator_names_are_case_sensitive_and_validated() {
    assert!(matches!(
        Operator::parse("stringequals"),
        Err(Problem::UnknownOperator(_))
    ));
    assert!(matches!(
        Operator::parse("StringEqualz"),
        Err(Problem::UnknownOperator(_))
    ));
    assert!(matches!(
        Operator::parse("ForSomeValues:StringEquals"),
        Err(Problem::UnknownOperator(_))
    ));
    assert!(matches!(
        Operator::parse("BinaryEquals"),
        Err(Problem::UnsupportedOperator(_))
    ));
    assert!(matches!(
        Operator::parse("NullIfExists"),
        Err(Problem::InvalidOperatorQualifier(_))
    ));
    assert!(matches!(
        Operator::parse("ForAllValues:Null"),
        Err(Problem::InvalidOperatorQualifier(_))
    ));
    assert!(matches!(
        Operator::parse("IfExists"),
        Err(Problem::UnknownOperator(_))
    ));
    let op = Operator::parse("ForAllValues:StringNotLikeIfExists");
    assert!(op.is_ok_and(|op| op.set == SetQualifier::ForAllValues
        && op.if_exists
        && op.negated
        && op.base == Base::StringLike));
}
