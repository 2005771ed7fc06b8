//! Everything prepared before Tauri starts: folders, logging, the display check, settings,
//! the platform (starting the demo sandbox process for `--sandbox`), the session and the refresh
//! loop. Kept apart from the wiring in `lib.rs` so that stays a list of parts.

use std::time::Duration;

use lattica_app::AppError;
use lattica_app::backend::Backend;
use lattica_app::demo::{DemoError, DemoSandbox, Profile};
use lattica_app::engine::{Engine, EngineState};
use lattica_app::paths::AppPaths;
use lattica_app::platform::{Platforms, open_local, sign_in_to_demo};
use lattica_app::prefs::Preferences;
use lattica_app::session::Sessions;
use lattica_core::view::SetAsideFile;

use crate::windows::{DEFAULT_POPOVER_KEEP, PopoverLife};
use crate::{Automation, Parts};

/// Overrides the refresh interval, in seconds, below the settings' 15 s minimum (tests).
pub const REFRESH_SECS_ENV: &str = "LATTICA_TRAY_REFRESH_SECS";
/// Overrides how long a hidden popover is kept before its webview is destroyed (tests).
pub const POPOVER_KEEP_SECS_ENV: &str = "LATTICA_TRAY_POPOVER_KEEP_SECS";

/// Why the tray app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set. The tray app needs \
         a desktop session; scripts can use `lattica-tray status`, `login` and `logout`"
    )]
    NoDisplay,
    #[error(
        "cannot open the display {0:?}: the tray app needs a running desktop session (X11 or \
         Wayland)"
    )]
    DisplayUnusable(String),
    #[error("{0}")]
    Paths(#[from] lattica_app::paths::NoHomeError),
    #[error("the demo platform could not start: {0}")]
    Demo(#[from] DemoError),
    #[error("{0}")]
    App(#[from] AppError),
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
    #[error("the app failed: {0}")]
    Tauri(#[from] tauri::Error),
    /// The app ended with this code; its reason was printed already.
    #[error("ended with code {0}")]
    Exited(i32),
}

/// Whether the app runs under WebDriver (`tauri-driver` sets this). WebKitGTK binds the
/// automation session to the first webview, so the popover is then created at start (hidden)
/// and never destroyed; everything else behaves as usual.
pub fn under_webdriver() -> bool {
    std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
}

/// Under WebDriver, quits when the driver goes away: if WebKitWebDriver is killed it cannot
/// close the windows, and a tray app left behind would take over every later launch of the
/// test session (single instance). The driver is the parent process, so its death shows as
/// the app being adopted by another process.
pub fn end_with_driver<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    #[cfg(unix)]
    {
        let driver = std::os::unix::process::parent_id();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let mut poll = tokio::time::interval(Duration::from_millis(500));
            loop {
                poll.tick().await;
                if std::os::unix::process::parent_id() != driver {
                    tracing::info!("the WebDriver is gone; quitting");
                    app.exit(0);
                    break;
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}

/// Chooses WebKitGTK's rendering before GTK starts: without accelerated compositing. A
/// 360×480 popover of text and one small chart gains nothing from it, and it costs: measured
/// headless (Mesa's software GL), the popover's web process took about 175 MB PSS composited
/// against 107 MB without, and the first paint after "Open" about 1170 against 550 ms
/// (BENCHMARKS.md). A value the user set wins, so `WEBKIT_DISABLE_COMPOSITING_MODE=0` restores
/// WebKit's default.
#[allow(unsafe_code)]
pub fn choose_webkit_rendering() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if cfg!(target_os = "linux") && std::env::var_os(VAR).is_none() {
        // SAFETY: `main` calls this first, before any thread exists, so nothing reads or
        // writes the environment concurrently; the web processes inherit it when spawned.
        unsafe { std::env::set_var(VAR, "1") };
    }
}

/// Whether a display server is named in the environment. GTK panics without one, so the
/// app checks first and says what is wrong.
pub fn display_available() -> bool {
    if !cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// What runs before Tauri: folders, logging and the display check. Nothing here has side
/// effects a second instance must not have.
pub fn init() -> Result<AppPaths, StartError> {
    let paths = AppPaths::resolve()?;
    lattica_app::logging::init(&paths.log_dir, "info");
    if !display_available() {
        return Err(StartError::NoDisplay);
    }
    Ok(paths)
}

/// Prepares the app's parts and starts the refresh loop on Tauri's async runtime. Runs in the
/// setup hook, after the single-instance plugin has let a second launch hand over and exit,
/// so a second instance never starts a sandbox on the same database.
pub fn prepare(paths: &AppPaths, demo: Option<Profile>) -> Result<Parts, StartError> {
    tracing::info!(version = env!("CARGO_PKG_VERSION"), ?demo, "starting");
    let prefs = Preferences::load_for(paths, demo.is_some());

    let (backend, demo) = if let Some(profile) = demo {
        let demo = DemoSandbox::start(&paths.sandbox_dir(), profile)?;
        let backend = Backend::sandbox(demo.url()).map_err(AppError::from)?;
        (backend, Some(demo))
    } else {
        (
            Backend::from_env_and_settings(&prefs.get()).map_err(AppError::from)?,
            None,
        )
    };
    tracing::info!(backend = backend.url(), "platform");

    let sessions = Sessions::new(backend.clone(), Sessions::os_keychain());
    let client = tauri::async_runtime::block_on(async {
        let restored = sessions.restore().await;
        match (&demo, restored) {
            (Some(demo), Ok(stored)) => sign_in_to_demo(&sessions, demo, stored).await,
            (_, Ok(stored)) => stored,
            (_, Err(error)) => {
                tracing::error!(%error, "cannot read the stored token");
                None
            }
        }
    });
    let signed_in = client.is_some();

    let files = open_local(paths, &backend);
    let set_aside: Vec<SetAsideFile> = prefs
        .set_aside()
        .cloned()
        .into_iter()
        .chain(files.set_aside)
        .collect();
    let (alerts_out, alerts) = tokio::sync::mpsc::unbounded_channel();
    let state = EngineState {
        set_aside,
        demo: demo.is_some(),
        ..EngineState::new(prefs.get(), signed_in)
    };
    let (engine, handle) = Engine::new(
        state,
        client,
        files.history,
        env_secs(REFRESH_SECS_ENV, 1..=3600),
    );
    tauri::async_runtime::spawn(engine.with_alerts(alerts_out).run());

    let automation = Automation(under_webdriver());
    let keep = if automation.0 {
        None
    } else {
        Some(env_secs(POPOVER_KEEP_SECS_ENV, 0..=3600).unwrap_or(DEFAULT_POPOVER_KEEP))
    };
    Ok(Parts {
        prefs,
        sessions,
        engine: handle,
        popover: PopoverLife::new(keep),
        platforms: Platforms::new(paths.clone(), demo),
        alerts: Some(alerts),
        signed_in,
        resend_delay: lattica_app::payment::RESEND_DELAY,
        journal: files.journal,
        automation,
    })
}

/// A whole number of seconds from the environment, if set and within `range`.
fn env_secs(name: &str, range: std::ops::RangeInclusive<u64>) -> Option<Duration> {
    let raw = std::env::var(name).ok()?;
    match raw.trim().parse::<u64>() {
        Ok(secs) if range.contains(&secs) => {
            tracing::info!(name, secs, "override from the environment");
            Some(Duration::from_secs(secs))
        }
        _ => {
            tracing::warn!(name, value = %raw, "ignored: not a whole number of seconds in range");
            None
        }
    }
}

/// Builds the app, turning GTK's panic on an unusable display into an error: `DISPLAY` may be
/// set yet point at no X server.
pub fn build_app<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    context: tauri::Context<R>,
) -> Result<tauri::App<R>, StartError> {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(context)));
    std::panic::set_hook(quiet);
    match built {
        Ok(app) => Ok(app?),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if !message.contains("gtk") {
                // Not the display: a bug, which must surface as the panic it is.
                std::panic::resume_unwind(panic);
            }
            tracing::error!(%message, "GTK could not start");
            let display = std::env::var("WAYLAND_DISPLAY")
                .or_else(|_| std::env::var("DISPLAY"))
                .unwrap_or_default();
            Err(StartError::DisplayUnusable(display))
        }
    }
}
