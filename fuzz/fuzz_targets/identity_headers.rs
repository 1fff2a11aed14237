//! The caller identity header parser never panics, and what it parses writes
//! back to headers that parse to the same identity.
#![no_main]

use http::{HeaderMap, HeaderValue};
use lattice_client::identity::{CallerIdentity, LATTICE_IDENTITY_HEADERS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Each line is one header: its first byte picks which of the five
    // headers (so a header can repeat), the rest is the value.
    let names = LATTICE_IDENTITY_HEADERS;
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let Some((&pick, value)) = line.split_first() else {
            continue;
        };
        let Some(name) = names.get(usize::from(pick) % names.len()) else {
            continue;
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name.clone(), value);
        }
    }
    let Ok(Some(identity)) = CallerIdentity::from_headers(&headers) else {
        return;
    };
    // The typed accessors parse on demand and never panic.
    let _ = (
        identity.principal_arn(),
        identity.principal_account(),
        identity.source_vpc_arn(),
        identity.source_vpc(),
        identity.service_arn(),
        identity.service_network_arn(),
        identity.target_group_arn(),
        identity.is_anonymous(),
    );
    if let Ok(written) = identity.to_headers() {
        let back = CallerIdentity::from_headers(&written)
            .expect("headers written by to_headers parse")
            .unwrap_or_default();
        assert_eq!(back, identity, "to_headers round trip");
    }
});
