//! The fake's YAML and JSON configuration; see [`lattice_fuzz::fake_config`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lattice_fuzz::fake_config(data));
