use super::*;

#[test]
fn double_mode_normalises_and_encodes_twice() {
    assert_eq!(canonical_uri("", EncodingMode::Double), "/");
    assert_eq!(canonical_uri("/", EncodingMode::Double), "/");
    assert_eq!(canonical_uri("//", EncodingMode::Double), "/");
    assert_eq!(
        canonical_uri("//example//", EncodingMode::Double),
        "/example/"
    );
    assert_eq!(canonical_uri("/example/..", EncodingMode::Double), "/");
    assert_eq!(
        canonical_uri("/a/b/../c/./d", EncodingMode::Double),
        "/a/c/d"
    );
    assert_eq!(canonical_uri("/./", EncodingMode::Double), "/");
    assert_eq!(canonical_uri("/a%20b", EncodingMode::Double), "/a%2520b");
    assert_eq!(canonical_uri("/x:y@z", EncodingMode::Double), "/x%3Ay%40z");
}

#[test]
fn single_mode_keeps_the_path() {
    assert_eq!(
        canonical_uri("//a/../b%20", EncodingMode::Single),
        "//a/../b%20"
    );
    assert_eq!(canonical_uri("", EncodingMode::Single), "/");
}

#[test]
fn query_is_decoded_reencoded_and_sorted() {
    assert_eq!(canonical_query(None), "");
    assert_eq!(canonical_query(Some("")), "");
    assert_eq!(canonical_query(Some("b=2&a=1&a=0&c")), "a=0&a=1&b=2&c=");
    assert_eq!(canonical_query(Some("k=a+b&k2=%7e%2F")), "k=a%20b&k2=~%2F");
    assert_eq!(canonical_query(Some("&&x=%zz")), "x=%25zz");
}

#[test]
fn header_values_are_trimmed_and_collapsed() {
    assert_eq!(canonical_header_value("  a   b  c "), "a b c");
    assert_eq!(canonical_header_value("\"a   b   c\""), "\"a b c\"");
    assert_eq!(canonical_header_value(""), "");
}

#[test]
fn canonical_request_display_and_redaction() {
    let mut headers = HeaderMap::new();
    headers.append("x-amz-date", "20150830T123600Z".parse().unwrap());
    headers.append("my-header", " v1 ".parse().unwrap());
    headers.append("my-header", "v2".parse().unwrap());
    headers.append("x-amz-security-token", "SECRETTOKEN".parse().unwrap());
    let uri: Uri = "https://example.amazonaws.com/p?b=1&a=2".parse().unwrap();
    let creq = CanonicalRequest::new(
        &Method::GET,
        &uri,
        &headers,
        &["x-amz-security-token", "host", "x-amz-date", "my-header"],
        UNSIGNED_PAYLOAD,
        "example.amazonaws.com",
        EncodingMode::Double,
    )
    .unwrap();
    assert_eq!(
        creq.to_string(),
        "GET\n/p\na=2&b=1\nhost:example.amazonaws.com\nmy-header:v1,v2\nx-amz-date:20150830T123600Z\nx-amz-security-token:SECRETTOKEN\n\nhost;my-header;x-amz-date;x-amz-security-token\nUNSIGNED-PAYLOAD"
    );
    assert!(!creq.redacted().to_string().contains("SECRETTOKEN"));
    assert!(!format!("{creq:?}").contains("SECRETTOKEN"));
    let missing = CanonicalRequest::new(
        &Method::GET,
        &uri,
        &headers,
        &["nope"],
        "",
        "h",
        EncodingMode::Double,
    );
    assert_eq!(
        missing,
        Err(CanonicalError::MissingSignedHeader("nope".into()))
    );
}

#[test]
fn scope_and_string_to_sign() {
    let v4 = CredentialScope::v4("20150830", "us-east-1", "service");
    assert_eq!(v4.to_string(), "20150830/us-east-1/service/aws4_request");
    let v4a = CredentialScope::v4a("20150830", "service");
    assert_eq!(v4a.to_string(), "20150830/service/aws4_request");
    let sts = StringToSign::from_hash(Algorithm::V4a, "20150830T123600Z", v4a, "abc");
    assert_eq!(
        sts.to_string(),
        "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\nabc"
    );
}
