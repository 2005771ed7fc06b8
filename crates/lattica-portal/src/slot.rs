//! The app's one portal shortcut over time: bound from the setting, bound anew when it
//! changes (the old session closed once the new one is bound, so a refusal keeps the old
//! one), released when it is cleared. Each press runs the caller's action.

use std::time::Duration;

use futures::StreamExt;
use tokio::sync::{Mutex, oneshot};
use tokio::task::JoinHandle;

use crate::{Binding, PortalError};

/// How long a bind may wait for the portal, its dialog included: past it the caller is told,
/// rather than waiting for ever on a portal that never answers.
pub const ANSWER: Duration = Duration::from_secs(120);

/// Where to find the bus.
#[derive(Debug, Clone)]
enum Bus {
    Session,
    At(String),
}

/// The bound shortcut, if any; see the module doc.
#[derive(Debug)]
pub struct Slot {
    bus: Bus,
    active: Mutex<Option<Active>>,
}

#[derive(Debug)]
struct Active {
    trigger: String,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Active {
    /// Ends the portal session and waits until the portal has closed it.
    async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "the shortcut's task ended badly");
        }
    }
}

impl Slot {
    /// On the session bus.
    pub fn session() -> Self {
        Self::with(Bus::Session)
    }

    /// On the bus at `address` (tests run a private bus).
    pub fn at(address: impl Into<String>) -> Self {
        Self::with(Bus::At(address.into()))
    }

    fn with(bus: Bus) -> Self {
        Self {
            bus,
            active: Mutex::new(None),
        }
    }

    /// The trigger bound now (as asked for), if any.
    pub async fn bound(&self) -> Option<String> {
        self.active.lock().await.as_ref().map(|a| a.trigger.clone())
    }

    /// Makes `trigger` (XDG shortcuts syntax) the bound shortcut, `on_press` running on each
    /// press; `None` releases it. The same trigger again changes nothing. On an error the
    /// binding before stays. Call it within a tokio runtime (it spawns the listening task).
    pub async fn set<F>(&self, trigger: Option<&str>, on_press: F) -> Result<(), PortalError>
    where
        F: Fn() + Send + 'static,
    {
        // Held while the portal answers, so two changes bind one after the other.
        let mut active = self.active.lock().await;
        let Some(trigger) = trigger else {
            if let Some(old) = active.take() {
                old.stop().await;
                tracing::info!("global shortcut released (portal)");
            }
            return Ok(());
        };
        if active.as_ref().is_some_and(|a| a.trigger == trigger) {
            return Ok(());
        }
        // A task of its own: `ashpd` asserts that the portal's session handle is the one the
        // specification predicts, and a portal breaking that must not take the caller down.
        let (bus, wanted) = (self.bus.clone(), trigger.to_owned());
        let mut bind = tokio::spawn(async move {
            match &bus {
                Bus::Session => crate::bind(&wanted).await,
                Bus::At(address) => crate::bind_at(address, &wanted).await,
            }
        });
        let Ok(bound) = tokio::time::timeout(ANSWER, &mut bind).await else {
            bind.abort();
            return Err(PortalError::NoAnswer(ANSWER));
        };
        let binding =
            bound.map_err(|error| PortalError::Failed(format!("the bind stopped: {error}")))??;
        let previous = active.replace(listen(trigger.to_owned(), binding, on_press));
        if let Some(previous) = previous {
            previous.stop().await;
        }
        Ok(())
    }
}

/// Runs `on_press` on each activation until told to stop, then closes the session.
fn listen<F>(trigger: String, mut binding: Binding, on_press: F) -> Active
where
    F: Fn() + Send + 'static,
{
    let (stop, mut stopped) = oneshot::channel();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                press = binding.next() => match press {
                    Some(_) => on_press(),
                    None => {
                        tracing::warn!("the portal stopped sending the shortcut's presses");
                        return;
                    }
                },
            }
        }
        if let Err(error) = binding.close().await {
            tracing::debug!(%error, "could not close the portal session");
        }
    });
    Active {
        trigger,
        stop,
        task,
    }
}
