//! The real `lattica-tray` binary: launched directly, through `tauri-driver` for WebDriver, or
//! as its command line. Each [`AppEnv`] gives the app folders of its own (config, data, cache,
//! logs) so suites never share state, and lets a test search them for secrets afterwards.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::json;
use tempfile::TempDir;
use thirtyfour::{Capabilities, WebDriver};

use crate::tray::TrayItem;
use crate::{Context, Result, built_binary, ensure, eventually};

/// The folders and environment one app instance runs with.
#[derive(Debug)]
pub struct AppEnv {
    root: TempDir,
    pub backend_url: String,
    extra: Vec<(String, String)>,
}

impl AppEnv {
    pub fn new(backend_url: &str) -> Result<Self> {
        Ok(Self {
            root: tempfile::tempdir()?,
            backend_url: backend_url.to_owned(),
            extra: vec![],
        })
    }

    pub fn with_var(mut self, key: &str, value: &str) -> Self {
        self.extra.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    fn vars(&self) -> Vec<(String, String)> {
        let dir = |name: &str| self.root.path().join(name).to_string_lossy().into_owned();
        let mut vars = vec![
            ("LATTICA_BE_URL".to_owned(), self.backend_url.clone()),
            ("XDG_CONFIG_HOME".to_owned(), dir("config")),
            ("XDG_DATA_HOME".to_owned(), dir("data")),
            ("XDG_CACHE_HOME".to_owned(), dir("cache")),
            ("XDG_STATE_HOME".to_owned(), dir("state")),
            ("TMPDIR".to_owned(), dir("tmp")),
            (
                "RUST_LOG".to_owned(),
                "lattica_tray=debug,lattica_app=debug,lattica_client=debug,info".to_owned(),
            ),
        ];
        vars.extend(self.extra.iter().cloned());
        vars
    }

    fn command(&self, program: &Path) -> Result<Command> {
        for sub in ["config", "data", "cache", "state", "tmp"] {
            std::fs::create_dir_all(self.root.path().join(sub))?;
        }
        let mut cmd = Command::new(program);
        cmd.envs(self.vars());
        Ok(cmd)
    }

    /// Every file the app wrote under its own folders, as (path, bytes).
    pub fn written_files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>> {
        let mut files = Vec::new();
        let mut stack = vec![self.root.path().to_owned()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.is_file() {
                    files.push((path.clone(), std::fs::read(&path)?));
                }
            }
        }
        Ok(files)
    }

    /// The app binary with this environment, for a test to adjust and run.
    pub fn app_command(&self) -> Result<Command> {
        self.command(&built_binary("lattica-tray")?)
    }

    /// Runs the command line (`login`, `logout`, `status --json`…) to completion.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> Result<Output> {
        self.run(self.app_command()?.args(args), stdin)
    }

    /// Runs `cmd` to completion with `stdin` as its input.
    pub fn run(&self, cmd: &mut Command, stdin: Option<&str>) -> Result<Output> {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut input = child.stdin.take().context("stdin")?;
        if let Some(text) = stdin {
            input.write_all(text.as_bytes())?;
        }
        drop(input);
        Ok(child.wait_with_output()?)
    }

    /// Stores `token` in the keychain through `lattica-tray login`, as a script would.
    pub fn login(&self, token: &str) -> Result<()> {
        let out = self.cli(&["login"], Some(token))?;
        ensure!(
            out.status.success(),
            "lattica-tray login failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(())
    }
}

/// A running app.
#[derive(Debug)]
pub struct App {
    child: Option<Child>,
    driver: Option<WebDriver>,
    pub log: PathBuf,
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl App {
    /// Starts the app as a user does (no WebDriver) and waits for its tray item.
    pub async fn launch(env: &AppEnv, args: &[&str]) -> Result<(App, TrayItem)> {
        let log = env.root().join("app.log");
        let child = env
            .command(&built_binary("lattica-tray")?)?
            .args(args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let app = App {
            child: Some(child),
            driver: None,
            log,
        };
        let tray = app.tray().await?;
        Ok((app, tray))
    }

    /// Starts the app under `tauri-driver` and opens a WebDriver session on it.
    pub async fn with_webdriver(env: &AppEnv) -> Result<(App, TrayItem)> {
        let (port, native) = (free_port()?, free_port()?);
        let log = env.root().join("app.log");
        let child = env
            .command(Path::new("tauri-driver"))?
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .context("starting tauri-driver (installed by `make test`)")?;
        let mut app = App {
            child: Some(child),
            driver: None,
            log,
        };
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry")?;
        caps.set(
            "tauri:options",
            json!({ "application": built_binary("lattica-tray")?.to_string_lossy() }),
        )?;
        let url = format!("http://127.0.0.1:{port}");
        let driver = eventually("a WebDriver session", Duration::from_secs(30), || {
            let (url, caps) = (url.clone(), caps.clone());
            async move { Ok(Some(WebDriver::new(url, caps).await?)) }
        })
        .await?;
        app.driver = Some(driver);
        let tray = app.tray().await?;
        Ok((app, tray))
    }

    pub fn driver(&self) -> Result<&WebDriver> {
        self.driver
            .as_ref()
            .context("this app was not started under WebDriver")
    }

    /// This app's tray item, once registered: the one whose process runs under the one this
    /// test started (an app left over by a failed test may still be registered).
    pub async fn tray(&self) -> Result<TrayItem> {
        let started = self.pid().context("the app was not started")?;
        eventually("the app's tray item", Duration::from_secs(30), || async {
            Ok(TrayItem::registered()?.into_iter().find(|item| {
                item.pid()
                    .is_ok_and(|pid| crate::process::descends_from(pid, started))
            }))
        })
        .await
    }

    /// The app's process id (under WebDriver: tauri-driver's).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Ends the app without a chance to clean up (SIGKILL), as a crash would.
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Kills the app's own process with SIGKILL, as a crash does. Under WebDriver the app runs
    /// below tauri-driver and WebKitWebDriver: only the app is killed, the driver goes when
    /// this `App` is dropped.
    pub async fn crash(&mut self) -> Result<()> {
        let root = self.pid().context("the app is not running")?;
        // The launcher `lattica-tray` and the GUI `lattica-tray-app` (`comm` is cut to 15
        // bytes): both die, as in a crash of the whole app.
        let app: Vec<u32> = [root]
            .into_iter()
            .chain(descendants(root)?)
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|comm| comm.trim().starts_with("lattica-tray"))
            })
            .collect();
        ensure!(!app.is_empty(), "no lattica-tray process below {root}");
        for &pid in app.iter().rev() {
            let status = Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status()?;
            ensure!(status.success(), "kill -9 {pid} failed");
        }
        for &pid in &app {
            eventually(
                "the killed app gone",
                Duration::from_secs(10),
                || async move {
                    let stat =
                        std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                    // Gone, or a zombie its parent has not reaped yet.
                    Ok((stat.is_empty() || stat.contains(") Z ")).then_some(()))
                },
            )
            .await?;
        }
        if app.contains(&root)
            && let Some(mut child) = self.child.take()
        {
            child.wait()?;
        }
        Ok(())
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many balance reads the app has made so far, counted in its debug log (one per refresh).
    pub fn balance_reads(&self) -> usize {
        self.log_text()
            .matches("api/finance/get_account_credits")
            .count()
    }

    /// Waits until the app has refreshed at least `more` times from now: the way to let time
    /// pass for "nothing happens" checks without sleeping.
    pub async fn wait_for_refreshes(&self, more: usize) -> Result<()> {
        let target = self.balance_reads() + more;
        eventually(
            &format!("{more} more refreshes"),
            Duration::from_secs(30),
            || async { Ok((self.balance_reads() >= target).then_some(())) },
        )
        .await
    }

    /// "Refresh now" from the tray menu, and waits for that refresh. The count is read before
    /// the click: read after it, a fast refresh would already be counted and the wait would
    /// be for the next scheduled one.
    pub async fn refresh_now(&self, tray: &TrayItem) -> Result<()> {
        let target = self.balance_reads() + 1;
        tray.click("Refresh now")?;
        eventually("the asked refresh", Duration::from_secs(30), || async {
            Ok((self.balance_reads() >= target).then_some(()))
        })
        .await
    }

    /// Ends the app the way the user does, from the tray menu, and waits for it to exit.
    pub async fn quit(mut self, tray: &TrayItem) -> Result<()> {
        match tray.click("Quit") {
            Ok(()) => {}
            // The app may end before it answers the menu call: that is the click working, and
            // its exit status is checked below.
            Err(error) if error.to_string().contains("disconnected from message bus") => {}
            Err(error) => return Err(error),
        }
        if let Some(driver) = self.driver.take() {
            // Ending the WebDriver session ends the app too, so it comes after "Quit"; by then
            // the session is already gone.
            let _ = driver.quit().await;
            return Ok(());
        }
        if let Some(mut child) = self.child.take() {
            let status = eventually("the app to exit", Duration::from_secs(15), || {
                let status = child.try_wait();
                async move { Ok(status?) }
            })
            .await?;
            ensure!(status.success(), "the app exited with {status}");
        }
        Ok(())
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // A test that failed half-way leaves its session open. thirtyfour's synchronous
        // teardown of an unquit session would hold the test's runtime for two minutes, so the
        // session is forgotten instead and SIGTERM to tauri-driver below ends WebKitWebDriver
        // and the app.
        if let Some(driver) = self.driver.take() {
            std::mem::forget(driver);
        }
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets tauri-driver stop WebKitWebDriver and the app with it.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
        // Keep the app's output for whoever reads a failed run.
        let logs = crate::workspace_root().join("artifacts/logs");
        let name = std::thread::current()
            .name()
            .unwrap_or("app")
            .replace("::", "-");
        if std::fs::create_dir_all(&logs).is_ok() {
            let _ = std::fs::copy(&self.log, logs.join(format!("{name}.log")));
        }
    }
}

/// Every process below `root`, read from `/proc`.
fn descendants(root: u32) -> Result<Vec<u32>> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc")? {
        let name = entry?.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`: the name may hold spaces, so read after its last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    found.remove(0);
    Ok(found)
}
