//! Tests of `request`.

use super::*;

#[test]
fn context_keys_are_case_insensitive() {
    let mut c = RequestContext::new();
    c.insert("AWS:SourceIp", "10.0.0.1");
    c.append(&keys::request_query_string("Tag"), "a");
    c.append("vpc-lattice-svcs:requestquerystring/tag", "b");
    assert_eq!(c.get("aws:sourceip"), Some(&["10.0.0.1".to_owned()][..]));
    assert_eq!(c.get_lower("aws:sourceip").map(<[String]>::len), Some(1));
    assert_eq!(
        c.get("VPC-LATTICE-SVCS:RequestQueryString/TAG")
            .map(<[String]>::len),
        Some(2)
    );
    assert_eq!(c.len(), 2);
    assert!(!c.is_empty());
}

#[test]
fn invoke_resource_is_service_arn_plus_path() {
    let r = AccessRequest::invoke(
        Caller::Anonymous,
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0",
        "/orders/42",
    );
    assert_eq!(r.action(), INVOKE);
    assert_eq!(
        r.resource(),
        "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0/orders/42"
    );
    assert_eq!(r.caller().user_text(), "anonymous");
    assert_eq!(
        Caller::arn("arn:aws:iam::111122223333:user/a").user_text(),
        "arn:aws:iam::111122223333:user/a"
    );
}
