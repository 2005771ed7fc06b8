//! Property tests of the alert policy over random reading sequences.
