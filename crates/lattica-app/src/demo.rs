//! The demo platform behind `--sandbox`: the `lattica-sandbox` program, run as a child process
//! of the tray app. A process signed in to a real platform therefore neither contains nor
//! starts the sandbox; only the demo pays for it.
//!
//! The child gets a pipe as its standard input and `--exit-with-stdin`: it shuts down
//! cleanly (persisting its account) when the pipe closes, which happens when [`DemoSandbox`]
//! is dropped and also when the app dies without a chance to clean up.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lattica_client::{SessionToken, TokenError};
use serde::Deserialize;

/// The sandbox program's name, looked for beside the running binary first.
pub const PROGRAM: &str = "lattica-sandbox";
/// How long the sandbox may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long it may take to persist its state and exit once asked.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the demo platform could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot run {program}: {source} (build it with `cargo build -p lattica-sandbox`)")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("the sandbox exited before it was ready ({0})")]
    Exited(String),
    #[error("the sandbox did not say where it listens within {} s", START_TIMEOUT.as_secs())]
    Timeout,
    #[error("the sandbox's start line is unreadable: {0}")]
    Unreadable(String),
    #[error("the sandbox's demo token is unusable: {0}")]
    Token(#[from] TokenError),
}

/// The line the sandbox prints once it listens.
#[derive(Deserialize)]
struct StartLine {
    url: String,
    token: String,
}

/// The running demo platform; dropping it stops it.
pub struct DemoSandbox {
    child: Child,
    /// Closing it asks the sandbox to stop.
    stdin: Option<ChildStdin>,
    url: String,
    token: SessionToken,
}

impl std::fmt::Debug for DemoSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSandbox")
            .field("pid", &self.child.id())
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Which platform the demo sandbox plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The sandbox with this project's own endpoints: pricing and payments in the app.
    Full,
    /// Only what the Lattica platform publishes (`lattica-sandbox --published-only`).
    Published,
}

impl DemoSandbox {
    /// Starts the sandbox on loopback with its data in `data_dir` and waits until it listens.
    pub fn start(data_dir: &Path, profile: Profile) -> Result<Self, DemoError> {
        Self::start_program(&crate::paths::program_beside(PROGRAM), data_dir, profile)
    }

    /// Starts `program` as the sandbox (the tests' build of it).
    pub(crate) fn start_program(
        program: &Path,
        data_dir: &Path,
        profile: Profile,
    ) -> Result<Self, DemoError> {
        let mut command = Command::new(program);
        command
            .args(["--listen", "127.0.0.1:0", "--exit-with-stdin", "--data"])
            .arg(data_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if profile == Profile::Published {
            command.arg("--published-only");
        }
        if std::env::var_os("RUST_LOG").is_none() {
            // The app's own log says what matters; the sandbox speaks only of problems.
            command.env("RUST_LOG", "warn");
        }
        let mut child = command.spawn().map_err(|source| DemoError::Spawn {
            program: program.display().to_string(),
            source,
        })?;
        let stdin = child.stdin.take();
        let started = child
            .stdout
            .take()
            .map_or(Ok(String::new()), first_line)
            .and_then(|line| {
                let start: StartLine =
                    serde_json::from_str(&line).map_err(|error| {
                        match child.try_wait().ok().flatten() {
                            Some(status) => DemoError::Exited(status.to_string()),
                            None => DemoError::Unreadable(error.to_string()),
                        }
                    })?;
                Ok((start.url, SessionToken::parse(start.token)?))
            });
        match started {
            Ok((url, token)) => {
                tracing::info!(%url, pid = child.id(), "demo sandbox started");
                Ok(Self {
                    child,
                    stdin,
                    url,
                    token,
                })
            }
            Err(error) => {
                // Told to stop (its input closes), waited for, killed if it hangs.
                stop(&mut child, stdin);
                Err(error)
            }
        }
    }

    /// The platform's base URL (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The demo account's token.
    pub fn demo_token(&self) -> &SessionToken {
        &self.token
    }

    /// Stops the sandbox and waits (briefly) until it has persisted its state; dropping it
    /// does the same.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for DemoSandbox {
    fn drop(&mut self) {
        stop(&mut self.child, self.stdin.take());
    }
}

/// The first line the child prints, within [`START_TIMEOUT`]. The rest of its output is
/// drained on the same thread so it never blocks on a full pipe.
fn first_line(stdout: impl Read + Send + 'static) -> Result<String, DemoError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("demo-sandbox-stdout".into())
        .spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line).map(|_| line);
            let _ = sender.send(read);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        })
        .map_err(|error| DemoError::Unreadable(error.to_string()))?;
    match receiver.recv_timeout(START_TIMEOUT) {
        Ok(Ok(line)) => Ok(line),
        Ok(Err(error)) => Err(DemoError::Unreadable(error.to_string())),
        Err(_) => Err(DemoError::Timeout),
    }
}

/// Closes the child's input (its signal to stop) and waits for it; kills it if it hangs.
fn stop(child: &mut Child, stdin: Option<ChildStdin>) {
    drop(stdin);
    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => {
                tracing::info!("demo sandbox stopped");
                return;
            }
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => break,
        }
    }
    tracing::warn!("the demo sandbox did not stop in time; killing it");
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The real sandbox binary, built by the workspace beside this test's binary's folder.
    fn sandbox_program() -> Option<PathBuf> {
        let exe = std::env::current_exe().ok()?;
        // target/debug/deps/lattica_app-… → target/debug/lattica-sandbox
        let path = exe.parent()?.parent()?.join(PROGRAM);
        path.is_file().then_some(path)
    }

    #[test]
    fn the_demo_runs_in_its_own_process_and_stops_when_shut_down() {
        let Some(program) = sandbox_program() else {
            panic!("build the sandbox first: cargo build -p lattica-sandbox");
        };
        let dir = tempfile::tempdir().unwrap();
        let demo = DemoSandbox::start_program(&program, dir.path(), Profile::Full).unwrap();
        assert_ne!(demo.child.id(), std::process::id(), "a process of its own");
        let address = demo.url().trim_start_matches("http://").to_owned();
        assert!(address.starts_with("127.0.0.1:"), "{address}");
        std::net::TcpStream::connect(&address).expect("the demo platform listens");
        assert!(!demo.demo_token().expose_secret().is_empty());
        demo.shutdown();
        assert!(
            std::net::TcpStream::connect(&address).is_err(),
            "stopped: nothing listens any more"
        );
        assert!(
            std::fs::read_dir(dir.path()).unwrap().next().is_some(),
            "the account is kept in the data folder"
        );
    }

    #[test]
    fn a_missing_program_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let error = DemoSandbox::start_program(
            Path::new("/nonexistent/lattica-sandbox"),
            dir.path(),
            Profile::Full,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/lattica-sandbox"),
            "{error}"
        );
    }
}
