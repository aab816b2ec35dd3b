//! Frame cost benchmark (engine snapshot + render); filled in by the benchmark work.
fn main() {}
