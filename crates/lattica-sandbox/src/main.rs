//! The `lattica-sandbox` binary (skeleton).
fn main() {}
