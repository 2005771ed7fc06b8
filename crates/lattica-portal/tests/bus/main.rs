//! The portal client on a real, private D-Bus daemon against a small GlobalShortcuts portal
//! of the test's own (no desktop portal with a GlobalShortcuts backend runs here).
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod portal;
mod slot;

use futures::StreamExt;
use lattica_portal::{Activation, DESCRIPTION, PortalError, SHORTCUT_ID, bind_at};

use portal::*;

#[tokio::test]
async fn binding_asks_for_the_shortcut_with_its_id_description_and_trigger() {
    let bus = Bus::start().await;
    let (_portal, mut calls, _) = start_portal(&bus.address, Answer::Bind("Ctrl+Alt+L")).await;
    let binding = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap();
    assert_eq!(binding.trigger_description(), "Ctrl+Alt+L");

    let Call::CreateSession { session } = next(&mut calls).await else {
        panic!("a session first")
    };
    let Call::Bind {
        session: bound_in,
        shortcuts,
        ..
    } = next(&mut calls).await
    else {
        panic!("then the bind")
    };
    assert_eq!(bound_in, session, "bound in the session it created");
    assert_eq!(
        shortcuts,
        [(
            SHORTCUT_ID.to_owned(),
            DESCRIPTION.to_owned(),
            Some("CTRL+ALT+l".to_owned())
        )]
    );
    assert_eq!(SHORTCUT_ID, "toggle-popover");
    assert_eq!(DESCRIPTION, "Open the Lattica popover");

    binding.close().await.unwrap();
    assert_eq!(next(&mut calls).await, Call::CloseSession(session));
}

#[tokio::test]
async fn an_activated_signal_yields_an_activation() {
    let bus = Bus::start().await;
    let (portal, mut calls, _) = start_portal(&bus.address, Answer::Bind("Ctrl+Alt+L")).await;
    let mut binding = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap();
    let _ = next(&mut calls).await;
    let Call::Bind {
        sender, session, ..
    } = next(&mut calls).await
    else {
        panic!("a bind")
    };
    // Another shortcut id first: not ours, so not an activation. Signals arrive in the order
    // sent, so the first activation read must be the second signal.
    activate(&portal, &sender, &session, "something-else", 41).await;
    activate(&portal, &sender, &session, SHORTCUT_ID, 42).await;
    let first = tokio::time::timeout(PATIENCE, binding.next())
        .await
        .expect("an activation in time");
    assert_eq!(
        first,
        Some(Activation {
            timestamp: std::time::Duration::from_millis(42)
        })
    );
    activate(&portal, &sender, &session, SHORTCUT_ID, 43).await;
    let second = tokio::time::timeout(PATIENCE, binding.next())
        .await
        .unwrap();
    assert_eq!(second.unwrap().timestamp.as_millis(), 43, "each press");
}

#[tokio::test]
async fn a_bind_the_user_cancels_is_declined_and_its_session_closed() {
    let bus = Bus::start().await;
    let (_portal, mut calls, _) = start_portal(&bus.address, Answer::Code(1)).await;
    let error = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap_err();
    assert!(matches!(error, PortalError::Declined), "{error:?}");
    let Call::CreateSession { session } = next(&mut calls).await else {
        panic!("a session")
    };
    assert!(matches!(next(&mut calls).await, Call::Bind { .. }));
    assert_eq!(next(&mut calls).await, Call::CloseSession(session));
}

#[tokio::test]
async fn a_bind_that_binds_nothing_is_declined_and_other_failures_are_told() {
    let bus = Bus::start().await;
    let (_portal, _calls, _) = start_portal(&bus.address, Answer::BindNothing).await;
    let error = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap_err();
    assert!(matches!(error, PortalError::Declined), "{error:?}");

    let bus = Bus::start().await;
    let (_portal, _calls, _) = start_portal(&bus.address, Answer::Code(2)).await;
    let error = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap_err();
    assert!(matches!(error, PortalError::Failed(_)), "{error:?}");
}

#[tokio::test]
async fn no_portal_on_the_bus_is_unavailable() {
    let bus = Bus::start().await;
    let error = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap_err();
    let PortalError::Unavailable(detail) = &error else {
        panic!("unavailable, not {error:?}")
    };
    assert!(
        detail.contains("org.freedesktop.portal.Desktop"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_portal_without_global_shortcuts_is_unavailable() {
    let bus = Bus::start().await;
    let _portal = start_portal_without_shortcuts(&bus).await;
    let error = bind_at(&bus.address, "CTRL+ALT+l").await.unwrap_err();
    assert!(matches!(error, PortalError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn no_bus_at_all_is_unavailable() {
    let error = bind_at("unix:path=/nonexistent/bus", "CTRL+ALT+l")
        .await
        .unwrap_err();
    assert!(matches!(error, PortalError::Unavailable(_)), "{error:?}");
}
