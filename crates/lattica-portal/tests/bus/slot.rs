//! The app's shortcut over time: changed, refused, cleared, without a restart.

use lattica_portal::{PortalError, SHORTCUT_ID, Slot};
use tokio::sync::mpsc;

use crate::portal::*;

/// A press counter: each press sends on the channel.
fn presses() -> (impl Fn() + Send + 'static, mpsc::UnboundedReceiver<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        move || {
            let _ = tx.send(());
        },
        rx,
    )
}

/// The session and sender of the next bind, after its CreateSession.
async fn bound(calls: &mut mpsc::UnboundedReceiver<Call>, trigger: &str) -> (String, String) {
    let Call::CreateSession { session } = next(calls).await else {
        panic!("a session first")
    };
    let Call::Bind {
        sender,
        session: bound_in,
        shortcuts,
    } = next(calls).await
    else {
        panic!("then a bind")
    };
    assert_eq!(bound_in, session);
    assert_eq!(shortcuts[0].2.as_deref(), Some(trigger));
    (session, sender)
}

#[tokio::test]
async fn a_changed_shortcut_is_bound_anew_and_a_cleared_one_released() {
    let bus = Bus::start().await;
    let (portal, mut calls, _) = start_portal(&bus.address, Answer::Bind("Ctrl+Alt+L")).await;
    let slot = Slot::at(&bus.address);
    let (on_press, mut pressed) = presses();

    slot.set(Some("CTRL+ALT+l"), on_press).await.unwrap();
    let (first, sender) = bound(&mut calls, "CTRL+ALT+l").await;
    assert_eq!(slot.bound().await.as_deref(), Some("CTRL+ALT+l"));
    activate(&portal, &sender, &first, SHORTCUT_ID, 1).await;
    next(&mut pressed).await;

    // The same trigger again: nothing asked of the portal (the next call is the change's).
    let (on_press, mut pressed) = presses();
    slot.set(Some("CTRL+ALT+l"), || {}).await.unwrap();
    slot.set(Some("CTRL+ALT+k"), on_press).await.unwrap();
    let (second, sender) = bound(&mut calls, "CTRL+ALT+k").await;
    assert_ne!(second, first);
    assert_eq!(
        next(&mut calls).await,
        Call::CloseSession(first),
        "the old session closed once the new one was bound"
    );
    assert_eq!(slot.bound().await.as_deref(), Some("CTRL+ALT+k"));
    activate(&portal, &sender, &second, SHORTCUT_ID, 2).await;
    next(&mut pressed).await;

    slot.set(None, || {}).await.unwrap();
    assert_eq!(next(&mut calls).await, Call::CloseSession(second));
    assert_eq!(slot.bound().await, None);
}

#[tokio::test]
async fn a_refused_change_keeps_the_shortcut_bound_before() {
    let bus = Bus::start().await;
    let (portal, mut calls, answer) = start_portal(&bus.address, Answer::Bind("Ctrl+Alt+L")).await;
    let slot = Slot::at(&bus.address);
    let (on_press, mut pressed) = presses();
    slot.set(Some("CTRL+ALT+l"), on_press).await.unwrap();
    let (first, sender) = bound(&mut calls, "CTRL+ALT+l").await;

    *answer.lock().unwrap() = Answer::Code(1);
    let error = slot.set(Some("CTRL+ALT+k"), || {}).await.unwrap_err();
    assert!(matches!(error, PortalError::Declined), "{error:?}");
    let (refused, _) = bound(&mut calls, "CTRL+ALT+k").await;
    assert_eq!(next(&mut calls).await, Call::CloseSession(refused));
    assert_eq!(slot.bound().await.as_deref(), Some("CTRL+ALT+l"));

    // The first session still works.
    activate(&portal, &sender, &first, SHORTCUT_ID, 3).await;
    next(&mut pressed).await;
}

#[tokio::test]
async fn without_a_portal_nothing_is_bound() {
    let bus = Bus::start().await;
    let slot = Slot::at(&bus.address);
    let error = slot.set(Some("CTRL+ALT+l"), || {}).await.unwrap_err();
    assert!(matches!(error, PortalError::Unavailable(_)), "{error:?}");
    assert_eq!(slot.bound().await, None);
    slot.set(None, || {}).await.unwrap();
}

#[tokio::test]
async fn a_portal_breaking_the_specification_is_a_failure_not_a_crash() {
    let bus = Bus::start().await;
    let (_portal, _calls, _) = start_portal(&bus.address, Answer::WrongSession).await;
    let slot = Slot::at(&bus.address);
    let error = slot.set(Some("CTRL+ALT+l"), || {}).await.unwrap_err();
    assert!(matches!(error, PortalError::Failed(_)), "{error:?}");
    assert_eq!(slot.bound().await, None);
}
