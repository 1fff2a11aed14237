//! Lattice names, domains and ARNs; see [`lattice_fuzz::names_arns`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lattice_fuzz::names_arns(data));
