//! The payment service's side in the shell: how it reaches the windows (every change to an
//! attempt is sent as `payment://updated`; the wizard is opened for 3-D Secure), and the
//! wizard's closing, which may leave a payment to tidy up; a removed saved card leaves the
//! wizard's list and the popover's offer at once. The service itself is
//! `lattica_app::payment`.

use lattica_app::payment::{AttemptView, CardView, PaymentWindows, Payments};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::actions;
use crate::ipc::{WindowId, event};

/// The windows of a running app, for the payment service.
pub struct ShellWindows<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> PaymentWindows for ShellWindows<R> {
    fn publish(&self, view: Option<&AttemptView>) {
        if let Err(error) = self.0.emit(event::PAYMENT_UPDATED, view) {
            tracing::warn!(%error, "could not send the payment's progress to the windows");
        }
    }

    fn wizard_open(&self) -> bool {
        self.0
            .get_webview_window(WindowId::Wizard.label())
            .is_some()
    }

    fn wizard_in_front(&self) -> bool {
        self.0
            .get_webview_window(WindowId::Wizard.label())
            .is_some_and(|w| {
                w.is_visible().unwrap_or(false)
                    && w.is_focused().unwrap_or(false)
                    && !w.is_minimized().unwrap_or(false)
            })
    }

    fn open_wizard(&self) {
        actions::open(&self.0, WindowId::Wizard);
    }

    /// The wizard redraws its card list; the popover, which listens to no event (see
    /// `ui/lib/ipc.js`), asks for its quick top-up offer again with its next view.
    fn cards_changed(&self, cards: &[CardView]) {
        if self.wizard_open()
            && let Err(error) =
                self.0
                    .emit_to(WindowId::Wizard.label(), event::CARDS_CHANGED, cards)
        {
            tracing::warn!(%error, "could not send the saved cards to the wizard");
        }
        if let Some(views) = self.0.try_state::<crate::presenter::Views>() {
            views.renumber();
        }
    }
}

/// Follows the wizard window: once it is gone, the service tidies up after it.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &tauri::WindowEvent) {
    if window.label() == WindowId::Wizard.label()
        && matches!(event, tauri::WindowEvent::Destroyed)
        && let Some(payments) = window.app_handle().try_state::<Payments>()
    {
        let payments = payments.inner().clone();
        tauri::async_runtime::spawn(async move { payments.wizard_closed().await });
    }
}

#[cfg(test)]
mod commands_tests;
