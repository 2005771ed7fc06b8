//! The global shortcut that opens the popover on Wayland, through the XDG desktop portal's
//! `org.freedesktop.portal.GlobalShortcuts`: a session (`CreateSession`), one shortcut bound in
//! it (`BindShortcuts`, which may show the desktop's own dialog), then its `Activated` signals.
//!
//! Built on `ashpd` with its `async-io` feature, not `tokio`: that is the zbus 5 build
//! notify-rust, single-instance and lattica-sni already use (its executor thread is already in
//! the process; our tokio tasks only await its futures). `ashpd`'s `tokio` feature would switch
//! zbus to tokio for the whole workspace, and zbus's blocking calls (`zbus::block_on` in
//! notify-rust, `zbus::blocking` in single-instance), made from threads outside tokio, would
//! then run on a second tokio runtime that zbus starts for them.
#![cfg(target_os = "linux")]

mod slot;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use ashpd::desktop::global_shortcuts::{BindShortcutsOptions, GlobalShortcuts, NewShortcut};
use ashpd::desktop::{CreateSessionOptions, ResponseError, Session};
use futures::{Stream, StreamExt, stream::BoxStream};

pub use slot::{ANSWER, Slot};

/// The one shortcut this app binds, as the portal (and the desktop's settings) name it.
pub const SHORTCUT_ID: &str = "toggle-popover";
/// What the desktop's dialog and settings say it does.
pub const DESCRIPTION: &str = "Open the Lattica popover";

/// Why the shortcut is not bound.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    /// No session bus, no portal on it, or a portal without GlobalShortcuts.
    #[error("no desktop portal offering GlobalShortcuts: {0}")]
    Unavailable(String),
    /// The user said no in the portal's dialog (response 1), or bound nothing.
    #[error("the shortcut was declined in the portal's dialog")]
    Declined,
    /// Any other failure the portal reported (response 2, an error reply).
    #[error("the portal did not bind the shortcut: {0}")]
    Failed(String),
    /// The portal did not answer in time.
    #[error("the portal did not answer within {} s", .0.as_secs())]
    NoAnswer(Duration),
}

/// One press of the shortcut, as the portal reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activation {
    /// The portal's timestamp of the press (milliseconds, its own clock).
    pub timestamp: Duration,
}

/// A bound shortcut: a stream of its activations, on a connection of its own. [`close`]
/// ends the portal session; dropping it closes the connection, which ends it too.
///
/// [`close`]: Binding::close
pub struct Binding {
    session: Session<GlobalShortcuts>,
    activations: BoxStream<'static, Activation>,
    trigger: String,
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Binding")
            .field("session", &self.session)
            .field("trigger", &self.trigger)
            .finish_non_exhaustive()
    }
}

impl Binding {
    /// How the desktop describes the trigger it bound (the user may have chosen another key
    /// in its dialog); empty when it did not say.
    pub fn trigger_description(&self) -> &str {
        &self.trigger
    }

    /// Ends the portal session: the desktop releases the key.
    pub async fn close(self) -> Result<(), PortalError> {
        self.session.close().await.map_err(classify)
    }
}

impl Stream for Binding {
    type Item = Activation;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Activation>> {
        self.activations.poll_next_unpin(cx)
    }
}

/// Binds the shortcut on the session bus, asking for `trigger` in the XDG shortcuts syntax
/// (`CTRL+ALT+l`). Returns once the portal answered, which may wait for the user's choice in
/// the desktop's dialog.
pub async fn bind(trigger: &str) -> Result<Binding, PortalError> {
    let builder = zbus::connection::Builder::session().map_err(|e| unavailable(&e))?;
    bind_with(builder, trigger).await
}

/// As [`bind`], on the bus at `address` (tests run a private bus).
pub async fn bind_at(address: &str, trigger: &str) -> Result<Binding, PortalError> {
    let builder = zbus::connection::Builder::address(address).map_err(|e| unavailable(&e))?;
    bind_with(builder, trigger).await
}

async fn bind_with(
    builder: zbus::connection::Builder<'_>,
    trigger: &str,
) -> Result<Binding, PortalError> {
    // A connection per binding: the portal sends its signals to the session's owner, so
    // this connection hears only this binding's activations.
    let connection = builder.build().await.map_err(|e| unavailable(&e))?;
    let portal = GlobalShortcuts::with_connection(connection)
        .await
        .map_err(classify)?;
    // Listening before binding, so no press can come before the stream exists.
    let activated = portal.receive_activated().await.map_err(classify)?;
    let session = portal
        .create_session(CreateSessionOptions::default())
        .await
        .map_err(classify)?;
    let shortcut = NewShortcut::new(SHORTCUT_ID, DESCRIPTION).preferred_trigger(trigger);
    let bound = async {
        portal
            .bind_shortcuts(&session, &[shortcut], None, BindShortcutsOptions::default())
            .await?
            .response()
    }
    .await
    .map_err(classify);
    let bound = match bound {
        Ok(bound) => bound,
        Err(error) => {
            close_quietly(&session).await;
            return Err(error);
        }
    };
    let Some(ours) = bound.shortcuts().iter().find(|s| s.id() == SHORTCUT_ID) else {
        tracing::info!("the portal bound no shortcut: declined");
        close_quietly(&session).await;
        return Err(PortalError::Declined);
    };
    let trigger = ours.trigger_description().to_owned();
    tracing::info!(trigger = %trigger, version = portal.version(), "global shortcut bound by the portal");
    let activations = activated
        .filter_map(|signal| {
            let ours = signal.shortcut_id() == SHORTCUT_ID;
            futures::future::ready(ours.then_some(Activation {
                timestamp: signal.timestamp(),
            }))
        })
        .boxed();
    Ok(Binding {
        session,
        activations,
        trigger,
    })
}

async fn close_quietly(session: &Session<GlobalShortcuts>) {
    if let Err(error) = session.close().await {
        tracing::debug!(%error, "could not close the portal session");
    }
}

fn unavailable(error: &zbus::Error) -> PortalError {
    PortalError::Unavailable(error.to_string())
}

/// The D-Bus errors that mean nobody serves the portal or its interface.
const ABSENT: &[&str] = &[
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownObject",
];

fn is_absent(error: &zbus::Error) -> bool {
    match error {
        zbus::Error::MethodError(name, _, _) => ABSENT.contains(&name.as_str()),
        zbus::Error::FDO(fdo) => matches!(
            **fdo,
            zbus::fdo::Error::ServiceUnknown(_)
                | zbus::fdo::Error::NameHasNoOwner(_)
                | zbus::fdo::Error::UnknownMethod(_)
                | zbus::fdo::Error::UnknownInterface(_)
                | zbus::fdo::Error::UnknownObject(_)
        ),
        zbus::Error::InterfaceNotFound => true,
        _ => false,
    }
}

fn classify(error: ashpd::Error) -> PortalError {
    match &error {
        ashpd::Error::Response(ResponseError::Cancelled)
        | ashpd::Error::Portal(ashpd::PortalError::Cancelled(_)) => PortalError::Declined,
        ashpd::Error::PortalNotFound(_) | ashpd::Error::RequiresVersion(..) => {
            PortalError::Unavailable(error.to_string())
        }
        ashpd::Error::Zbus(inner) | ashpd::Error::Portal(ashpd::PortalError::ZBus(inner))
            if is_absent(inner) =>
        {
            PortalError::Unavailable(error.to_string())
        }
        _ => PortalError::Failed(error.to_string()),
    }
}
