//! The app's windows. Every one is created when first opened and destroyed when closed: an
//! open webview costs a WebKit process or two (about 150 MB), which a tray app must not keep
//! while nobody looks. The popover stays alive for [`PopoverLife::keep`] after it is hidden,
//! so reopening it soon is instant, and is destroyed after that.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tauri::{
    AppHandle, LogicalPosition, LogicalSize, Manager, PhysicalPosition, PhysicalSize, Runtime,
    WebviewUrl, WebviewWindow, WebviewWindowBuilder, WindowEvent,
};

use crate::ipc::WindowId;

/// The popover's size in logical pixels.
const POPOVER_SIZE: (f64, f64) = (360.0, 480.0);
/// Distance kept from the screen edges and from the tray icon, in logical pixels.
const MARGIN: f64 = 8.0;
/// A tray click this soon after the popover hid on losing focus was what took the focus, so
/// it means "close", not "open again".
const CLICK_AFTER_BLUR: Duration = Duration::from_millis(300);
/// How long a hidden popover is kept for a fast reopen; `LATTICA_TRAY_POPOVER_KEEP_SECS`
/// overrides it (tests).
pub const DEFAULT_POPOVER_KEEP: Duration = Duration::from_secs(30);

/// Where the tray click was: the icon's rectangle (macOS, Windows), or the point a Linux panel
/// sends with `Activate` (a zero-size rectangle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub position: PhysicalPosition<i32>,
    pub size: PhysicalSize<u32>,
}

/// The popover's lifecycle, managed as state.
#[derive(Debug)]
pub struct PopoverLife {
    /// Bumped on every show and hide; a pending destroy only runs if nothing happened since.
    generation: AtomicU64,
    hidden_on_blur: Mutex<Option<Instant>>,
    /// `None`: never destroyed (under WebDriver, whose session is bound to the first webview).
    keep: Option<Duration>,
    /// Shown (true) or hidden, for whoever follows it (the presenter ticks faster while shown).
    shown: tokio::sync::watch::Sender<bool>,
}

impl PopoverLife {
    pub fn new(keep: Option<Duration>) -> Self {
        Self {
            generation: AtomicU64::new(0),
            hidden_on_blur: Mutex::new(None),
            keep,
            shown: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Follows whether the popover is on screen.
    pub fn watch_shown(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shown.subscribe()
    }
}

fn builder<'a, R: Runtime>(
    app: &'a AppHandle<R>,
    window: WindowId,
    page: &str,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    WebviewWindowBuilder::new(app, window.label(), WebviewUrl::App(page.into()))
}

/// Shows the popover, creating it if needed, near `anchor` or else at the top right.
pub fn show_popover<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) -> tauri::Result<()> {
    let life = app.state::<PopoverLife>();
    life.generation.fetch_add(1, Ordering::SeqCst);
    let window = popover(app)?;
    place(app, &window, anchor)?;
    window.show()?;
    window.set_focus()?;
    life.shown.send_replace(true);
    Ok(())
}

/// The popover window, created hidden if it does not exist.
pub fn popover<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    Ok(match app.get_webview_window(WindowId::Popover.label()) {
        Some(window) => window,
        None => {
            tracing::info!("creating the popover's webview");
            let window = builder(app, WindowId::Popover, "popover.html")
                .title("Lattica")
                .inner_size(POPOVER_SIZE.0, POPOVER_SIZE.1)
                .resizable(false)
                .decorations(false)
                .always_on_top(true)
                .skip_taskbar(true)
                .visible(false)
                .focused(true)
                .build()?;
            let handle = app.clone();
            window.on_window_event(move |event| match event {
                WindowEvent::Focused(false) => hide_popover(&handle, true),
                // However it went (destroyed after its keep, closed by the driver).
                WindowEvent::Destroyed => {
                    handle.state::<PopoverLife>().shown.send_replace(false);
                }
                _ => {}
            });
            window
        }
    })
}

/// Hides the popover and schedules its destruction. `on_blur`: it lost the focus.
pub fn hide_popover<R: Runtime>(app: &AppHandle<R>, on_blur: bool) {
    let Some(window) = app.get_webview_window(WindowId::Popover.label()) else {
        return;
    };
    if !window.is_visible().unwrap_or(false) {
        return;
    }
    if let Err(error) = window.hide() {
        tracing::warn!(%error, "could not hide the popover");
    }
    let life = app.state::<PopoverLife>();
    life.shown.send_replace(false);
    if on_blur {
        *life
            .hidden_on_blur
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }
    let generation = life.generation.fetch_add(1, Ordering::SeqCst) + 1;
    let Some(keep) = life.keep else {
        return;
    };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(keep).await;
        let life = app.state::<PopoverLife>();
        if life.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        if let Some(window) = app.get_webview_window(WindowId::Popover.label()) {
            tracing::debug!("destroying the hidden popover to free its webview");
            if let Err(error) = window.destroy() {
                tracing::warn!(%error, "could not destroy the popover");
            }
        }
    });
}

/// Whether the popover is on screen.
pub fn popover_visible<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.get_webview_window(WindowId::Popover.label())
        .and_then(|w| w.is_visible().ok())
        .unwrap_or(false)
}

/// Toggles the popover from a tray click, without reopening it when the click itself is what
/// just closed it (the popover hides on losing focus before the click arrives).
pub fn toggle_popover<R: Runtime>(app: &AppHandle<R>, anchor: Option<Anchor>) -> tauri::Result<()> {
    if popover_visible(app) {
        hide_popover(app, false);
        return Ok(());
    }
    let life = app.state::<PopoverLife>();
    let just_blurred = life
        .hidden_on_blur
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .is_some_and(|at| at.elapsed() < CLICK_AFTER_BLUR);
    if just_blurred {
        return Ok(());
    }
    show_popover(app, anchor)
}

/// Opens (or brings forward) one of the decorated windows.
pub fn open<R: Runtime>(app: &AppHandle<R>, window: WindowId) -> tauri::Result<WebviewWindow<R>> {
    if let Some(existing) = app.get_webview_window(window.label()) {
        existing.unminimize()?;
        existing.show()?;
        existing.set_focus()?;
        return Ok(existing);
    }
    let (page, title, (w, h)) = match window {
        WindowId::Popover => {
            return show_popover(app, None).and_then(|()| {
                app.get_webview_window(window.label())
                    .ok_or(tauri::Error::WindowNotFound)
            });
        }
        WindowId::Settings => ("settings.html", "Lattica Tray settings", (480.0, 640.0)),
        WindowId::SignIn => ("signin.html", "Sign in to Lattica", (460.0, 430.0)),
        // Tall enough for the payment service's card form without scrolling.
        WindowId::Wizard => ("wizard.html", "Add credit", (500.0, 720.0)),
    };
    builder(app, window, page)
        .title(title)
        .inner_size(w, h)
        .min_inner_size(360.0, 320.0)
        .center()
        .focused(true)
        .build()
}

/// Closes a window if it is open.
pub fn close<R: Runtime>(app: &AppHandle<R>, window: WindowId) {
    if let Some(open) = app.get_webview_window(window.label())
        && let Err(error) = open.destroy()
    {
        tracing::warn!(%error, window = window.label(), "could not close a window");
    }
}

/// Puts the popover by the tray click, clamped to the work area; without an anchor (a menu's
/// "Open", a panel that sends no coordinates) at the top right of the work area, where panels
/// keep the tray.
fn place<R: Runtime>(
    app: &AppHandle<R>,
    window: &WebviewWindow<R>,
    anchor: Option<Anchor>,
) -> tauri::Result<()> {
    let monitor = match anchor {
        Some(a) => app.monitor_from_point(f64::from(a.position.x), f64::from(a.position.y))?,
        None => None,
    }
    .or(app.primary_monitor()?);
    let Some(monitor) = monitor else {
        return Ok(());
    };
    let area = WorkArea {
        position: monitor.work_area().position,
        size: monitor.work_area().size,
        scale: monitor.scale_factor(),
    };
    window.set_position(popover_position(&area, anchor))
}

/// The part of a monitor not covered by panels, and its scale factor.
#[derive(Debug, Clone, Copy)]
struct WorkArea {
    position: PhysicalPosition<i32>,
    size: PhysicalSize<u32>,
    scale: f64,
}

fn popover_position(area: &WorkArea, anchor: Option<Anchor>) -> PhysicalPosition<i32> {
    let size: PhysicalSize<i32> =
        LogicalSize::new(POPOVER_SIZE.0, POPOVER_SIZE.1).to_physical(area.scale);
    let margin: PhysicalPosition<i32> =
        LogicalPosition::new(MARGIN, MARGIN).to_physical(area.scale);
    let (left, top) = (area.position.x, area.position.y);
    let width = i32::try_from(area.size.width).unwrap_or(i32::MAX);
    let height = i32::try_from(area.size.height).unwrap_or(i32::MAX);
    let (right, bottom) = (left.saturating_add(width), top.saturating_add(height));

    let (x, y) = match anchor {
        None => (right - size.width - margin.x, top + margin.y),
        Some(a) => {
            let icon_w = i32::try_from(a.size.width).unwrap_or(0);
            let icon_h = i32::try_from(a.size.height).unwrap_or(0);
            let x = a.position.x + icon_w / 2 - size.width / 2;
            // Below an icon in the top half of the screen (macOS menu bar, top panels),
            // above one in the bottom half (the Windows taskbar).
            let y = if a.position.y < top + height / 2 {
                a.position.y + icon_h + margin.y
            } else {
                a.position.y - size.height - margin.y
            };
            (x, y)
        }
    };
    let x = x.clamp(
        left + margin.x,
        (right - size.width - margin.x).max(left + margin.x),
    );
    let y = y.clamp(
        top + margin.y,
        (bottom - size.height - margin.y).max(top + margin.y),
    );
    PhysicalPosition::new(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: WorkArea = WorkArea {
        position: PhysicalPosition { x: 0, y: 28 },
        size: PhysicalSize {
            width: 1280,
            height: 772,
        },
        scale: 1.0,
    };

    fn anchor(x: i32, y: i32) -> Option<Anchor> {
        Some(Anchor {
            position: PhysicalPosition::new(x, y),
            size: PhysicalSize::new(24, 24),
        })
    }

    #[test]
    fn without_an_anchor_it_sits_top_right_of_the_work_area() {
        assert_eq!(
            popover_position(&AREA, None),
            PhysicalPosition::new(1280 - 360 - 8, 36)
        );
    }

    #[test]
    fn it_hangs_below_a_top_icon_and_stays_on_screen() {
        // Centred under an icon in the middle of a top bar.
        assert_eq!(
            popover_position(&AREA, anchor(600, 2)),
            PhysicalPosition::new(432, 36)
        );
        // An icon in the far right corner: pushed back inside the work area.
        assert_eq!(popover_position(&AREA, anchor(1270, 2)).x, 1280 - 360 - 8);
    }

    #[test]
    fn a_linux_click_point_is_a_zero_size_anchor() {
        let point = |x, y| {
            Some(Anchor {
                position: PhysicalPosition::new(x, y),
                size: PhysicalSize::new(0, 0),
            })
        };
        // Centred on the click, a margin below a top panel's edge.
        assert_eq!(
            popover_position(&AREA, point(600, 2)),
            PhysicalPosition::new(420, 36)
        );
        // Bottom right corner: above the click, pushed back inside the work area.
        assert_eq!(
            popover_position(&AREA, point(1277, 797)),
            PhysicalPosition::new(1280 - 360 - 8, 797 - 480 - 8)
        );
    }

    #[test]
    fn it_rises_above_a_bottom_icon() {
        let p = popover_position(&AREA, anchor(1200, 770));
        assert_eq!(p.y, 770 - 480 - 8);
    }

    #[test]
    fn hidpi_doubles_the_physical_size() {
        let area = WorkArea {
            scale: 2.0,
            size: PhysicalSize::new(2560, 1600),
            ..AREA
        };
        assert_eq!(popover_position(&area, None).x, 2560 - 720 - 16);
    }
}
