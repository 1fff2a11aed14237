//! The Lambda event and response parsers; see [`lattice_fuzz::lambda_event`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lattice_fuzz::lambda_event(data));
