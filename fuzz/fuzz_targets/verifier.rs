//! The verifier's authorization header and the canonicaliser; see [`lattice_fuzz::verifier`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lattice_fuzz::verifier(data));
