//! The caller identity header parser; see [`lattice_fuzz::identity_headers`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lattice_fuzz::identity_headers(data));
