//! Errors that stop the sandbox from starting or from persisting its state.

use std::path::PathBuf;

/// Why the sandbox could not start, or could not keep its state.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The data directory could not be created or read.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory in question.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The data directory (or the database in it) cannot be written.
    #[error("the data folder {} is read-only: give --data a folder this user can write", path.display())]
    ReadOnly {
        /// The directory in question.
        path: PathBuf,
    },
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: std::net::SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database holds something this version cannot read.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The configuration cannot work, e.g. an allowed origin that is not an origin.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A blocking task died (it panicked or the runtime is shutting down).
    #[error("background task failed: {0}")]
    Task(String),
}
