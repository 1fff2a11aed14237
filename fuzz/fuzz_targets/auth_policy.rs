//! The auth-policy and identity-policy JSON parsers; see [`lattice_fuzz::auth_policy`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lattice_fuzz::auth_policy(data));
