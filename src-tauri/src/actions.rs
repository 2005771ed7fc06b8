//! What the user can do, whatever they clicked: the tray menu, a tray click, a popover button
//! or a second launch all end up here.

use std::sync::{Mutex, PoisonError};

use lattica_client::LatticaClient;
use lattica_core::view::SignOutReason;
use tauri::{AppHandle, Manager, Runtime};

use crate::error::IpcError;
use crate::ipc::{WindowId, menu};
use crate::windows::{self, Anchor};
use lattica_app::engine::{Command, EngineHandle};
use lattica_app::payment::Payments;
use lattica_app::platform::{Held, Platforms, Running, Switched};
use lattica_app::prefs::Preferences;
use lattica_app::session::Sessions;

/// Something to do once the app is ready.
type Deferred<R> = Box<dyn FnOnce(&AppHandle<R>) + Send>;

/// Whether the app's parts are installed yet. The tray item registers before the session and
/// the platform are ready (they are prepared on another thread); what the user asks for in
/// between is kept here and done once they are.
pub struct Readiness<R: Runtime>(Mutex<Option<Vec<Deferred<R>>>>);

impl<R: Runtime> std::fmt::Debug for Readiness<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.lock().as_ref().map(Vec::len);
        f.debug_struct("Readiness")
            .field("waiting", &waiting)
            .finish()
    }
}

impl<R: Runtime> Readiness<R> {
    /// Not ready yet.
    pub fn waiting() -> Self {
        Self(Mutex::new(Some(Vec::new())))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Vec<Deferred<R>>>> {
        // A queue of boxed closures stays consistent under a panic.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The parts are installed: does what was asked meanwhile, in order, and from now on
    /// everything at once. Call it on the event loop's thread.
    pub fn ready(&self, app: &AppHandle<R>) {
        let waiting = self.lock().take().unwrap_or_default();
        for deferred in waiting {
            deferred(app);
        }
    }
}

/// Runs `f` now if the app is ready (or was installed without a [`Readiness`], as in unit
/// tests), else once it is.
pub fn when_ready<R: Runtime>(app: &AppHandle<R>, f: impl FnOnce(&AppHandle<R>) + Send + 'static) {
    if let Some(readiness) = app.try_state::<Readiness<R>>() {
        let mut waiting = readiness.lock();
        if let Some(queue) = waiting.as_mut() {
            tracing::debug!("not ready yet: done once the app is");
            queue.push(Box::new(f));
            return;
        }
    }
    f(app);
}

/// Dispatches a tray menu click by its id. "Quit" works at once; the rest waits until the app
/// is ready.
pub fn on_menu<R: Runtime>(app: &AppHandle<R>, id: &str) {
    tracing::debug!(id, "menu item clicked");
    if id == menu::QUIT {
        app.exit(0);
        return;
    }
    let id = id.to_owned();
    when_ready(app, move |app| dispatch(app, &id));
}

fn dispatch<R: Runtime>(app: &AppHandle<R>, id: &str) {
    match id {
        menu::OPEN => show_popover(app, None),
        menu::ADD_CREDIT => add_credit(app),
        menu::REFRESH => refresh(app),
        menu::SETTINGS => open(app, WindowId::Settings),
        menu::SIGN_IN => open(app, WindowId::SignIn),
        menu::SIGN_OUT => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(error) = sign_out(&app, false).await {
                    tracing::error!(%error, "sign out failed");
                }
            });
        }
        // Outside the demo by then (left from elsewhere), nothing happens.
        menu::LEAVE_DEMO => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(error) = leave_demo(&app).await {
                    tracing::error!(%error, "leaving the demo failed");
                }
            });
        }
        _ => {}
    }
}

fn engine<R: Runtime>(app: &AppHandle<R>) -> tauri::State<'_, EngineHandle> {
    app.state::<EngineHandle>()
}

/// Shows the popover and refreshes unless the figures are very fresh.
pub fn show_popover<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) {
    match windows::show_popover(app, anchor) {
        Ok(()) => engine(app).send(Command::PopoverOpened),
        Err(error) => tracing::error!(%error, "could not show the popover"),
    }
}

/// A click on the tray icon, once the app is ready.
pub fn toggle_popover<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) {
    when_ready(app, move |app| toggle_now(app, anchor));
}

fn toggle_now<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) {
    let was_visible = windows::popover_visible(app);
    match windows::toggle_popover(app, anchor) {
        Ok(()) if !was_visible && windows::popover_visible(app) => {
            engine(app).send(Command::PopoverOpened);
        }
        Ok(()) => {}
        Err(error) => tracing::error!(%error, "could not toggle the popover"),
    }
}

/// "Add credit" from any entry point (menu, popover, notification): the wizard where the
/// platform takes payments through its API; elsewhere (the published platform) the web
/// console's finance page in the default browser, after which the app watches for the credit
/// to land. Signed out, the sign-in window.
pub fn add_credit<R: Runtime>(app: &AppHandle<R>) {
    let Some(client) = app.state::<Sessions>().client() else {
        open(app, WindowId::SignIn);
        return;
    };
    // Every refresh learns whether the platform has the price list; only before the first
    // one is the platform asked here.
    match engine(app)
        .state()
        .snapshot
        .as_ref()
        .map(|s| s.payments_api)
    {
        Some(true) => return open(app, WindowId::Wizard),
        Some(false) => return open_console(app),
        None => {}
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        match client.offers_payments().await {
            Ok(false) => open_console(&app),
            Ok(true) => open(&app, WindowId::Wizard),
            // Unknown (offline…): the wizard says what is wrong and retries.
            Err(error) => {
                tracing::warn!(%error, "could not tell whether the platform takes payments");
                open(&app, WindowId::Wizard);
            }
        }
    });
}

/// Opens the web console where credit is added, and refreshes fast until it arrives.
fn open_console<R: Runtime>(app: &AppHandle<R>) {
    let url = engine(app).state().settings.console_url();
    match open::that_detached(url.as_str()) {
        Ok(()) => {
            tracing::info!(%url, "opened the web console to add credit");
            engine(app).send(Command::WatchForCredits);
        }
        Err(error) => tracing::error!(%error, %url, "could not open the web console"),
    }
}

pub fn open<R: Runtime>(app: &AppHandle<R>, window: WindowId) {
    if let Err(error) = windows::open(app, window) {
        tracing::error!(%error, window = window.label(), "could not open a window");
    }
}

pub fn refresh<R: Runtime>(app: &AppHandle<R>) {
    engine(app).send(Command::RefreshNow);
}

/// A token was accepted and stored: start over with it.
pub fn signed_in<R: Runtime>(app: &AppHandle<R>, client: LatticaClient) {
    engine(app).send(Command::SignedIn(client));
    windows::close(app, WindowId::SignIn);
}

/// Removes the token from the keychain and every figure shown; with `forget_history`, the
/// account's local history (balance samples, alert state) too. In the demo, signing out is
/// leaving it: back to the user's platform, whose token (if any) stays where it is.
pub async fn sign_out<R: Runtime>(
    app: &AppHandle<R>,
    forget_history: bool,
) -> Result<(), IpcError> {
    // Decided and done with no switch under way: the token removed is the platform's the
    // app is on, never the demo's by mistake for the user's or the other way round.
    let held = hold_platform(app).await;
    if app.try_state::<Platforms>().is_some_and(|p| p.in_demo()) {
        drop(held);
        return leave_demo(app).await;
    }
    app.state::<Sessions>().sign_out().await?;
    engine(app).send(Command::SignedOut {
        reason: SignOutReason::SignedOut,
        forget_history,
    });
    Ok(())
}

/// Keeps the app on the platform it is on until the guard is dropped (see
/// [`Platforms::hold`]); `None` where no platform is installed (unit tests).
pub async fn hold_platform<R: Runtime>(app: &AppHandle<R>) -> Option<Held<'_>> {
    match app.try_state::<Platforms>() {
        Some(platforms) => Some(platforms.inner().hold().await),
        None => None,
    }
}

/// Moves the global shortcut from the settings left to the settings now in force, while the
/// switch still holds the platform: the one left is released, the one now saved registered.
async fn follow_shortcut<R: Runtime>(app: &AppHandle<R>, switched: &Switched<'_>) {
    let (old, new) = (
        switched.before.shortcut().cloned(),
        switched.after.shortcut().cloned(),
    );
    if old == new {
        return;
    }
    // Released first, whatever becomes of the new one: it belongs to the other platform.
    let _ = crate::shortcut::replace(app, old, None).await;
    let refusal = match crate::shortcut::replace(app, None, new).await {
        Ok(()) => None,
        Err(error) => {
            tracing::warn!(%error, "the saved shortcut is not active");
            Some(error)
        }
    };
    if let Some(state) = app.try_state::<crate::shortcut::Refusal>() {
        state.set(refusal);
    }
}

/// The parts of the running app that belong to a platform.
fn running<R: Runtime>(app: &AppHandle<R>) -> Running<'_> {
    Running {
        sessions: app.state::<Sessions>().inner(),
        prefs: app.state::<Preferences>().inner(),
        engine: app.state::<EngineHandle>().inner(),
        payments: app.state::<Payments>().inner(),
    }
}

/// "Try the demo account": the app moves to the demo (see `lattica_app::platform`) and
/// shows its figures; the windows of the user's platform close.
pub async fn enter_demo<R: Runtime>(app: &AppHandle<R>) -> Result<(), IpcError> {
    let switched = app
        .state::<Platforms>()
        .inner()
        .enter_demo(running(app))
        .await?;
    follow_shortcut(app, &switched).await;
    drop(switched);
    for window in [WindowId::SignIn, WindowId::Settings, WindowId::Wizard] {
        windows::close(app, window);
    }
    show_popover(app, None);
    Ok(())
}

/// Leaves the demo for the user's platform: the sign-in window unless the user's token is in
/// the keychain.
pub async fn leave_demo<R: Runtime>(app: &AppHandle<R>) -> Result<(), IpcError> {
    let switched = app
        .state::<Platforms>()
        .inner()
        .leave_demo(running(app))
        .await?;
    follow_shortcut(app, &switched).await;
    let signed_in = switched.signed_in;
    drop(switched);
    windows::hide_popover(app, false);
    for window in [WindowId::Settings, WindowId::Wizard] {
        windows::close(app, window);
    }
    // From the demo's sign-in window too: it stays (for the user's platform) only if needed.
    if signed_in {
        windows::close(app, WindowId::SignIn);
    } else {
        // One left open in the demo (its session ended) signs in there: read again for the
        // user's platform, its field emptied.
        if let Some(window) = app.get_webview_window(WindowId::SignIn.label())
            && let Err(error) = window.reload()
        {
            tracing::warn!(%error, "could not reload the sign-in window");
        }
        open(app, WindowId::SignIn);
    }
    Ok(())
}

/// The platform ended the session (expired or revoked token): forget the token and ask for a
/// new one.
pub fn session_ended<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = app.state::<Sessions>().sign_out().await {
            tracing::error!(%error, "could not remove the refused token");
        }
        open(&app, WindowId::SignIn);
    });
}
