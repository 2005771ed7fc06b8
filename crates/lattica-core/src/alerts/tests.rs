//! Unit tests of the alert policy, one rule at a time.
