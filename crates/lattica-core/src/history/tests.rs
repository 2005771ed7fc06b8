//! Tests of the history store against real SQLite files in temporary folders.
