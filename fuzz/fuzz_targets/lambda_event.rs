//! The Lambda event and response parsers never panic, and whatever parses
//! serialises to JSON that parses again.
#![no_main]

use lattice_client::lambda::{LatticeEvent, LatticeResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = LatticeEvent::from_slice(data) {
        let version = event.version();
        let json = event.to_vec().expect("a parsed event serialises");
        let again = LatticeEvent::from_slice(&json).expect("a serialised event parses again");
        assert_eq!(
            again.version(),
            version,
            "the version survives a round trip"
        );
        if let Ok(request) = event.into_http_request() {
            // The URI path never holds the query.
            assert!(!request.uri().path().contains('?'));
        }
    }
    if let Ok(response) = LatticeResponse::from_slice(data) {
        let json = response.to_vec().expect("a parsed response serialises");
        LatticeResponse::from_slice(&json).expect("a serialised response parses again");
        let _ = response.into_http_response();
    }
});
