//! Benchmarks (divan); filled in below.
fn main() {}
