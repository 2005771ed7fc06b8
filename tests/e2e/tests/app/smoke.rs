//! The harness itself: the session's services are there and the sandbox answers.

use lattica_e2e::{Result, desktop, require_session, sandbox::Sandbox};

#[tokio::test]
async fn session_services_and_sandbox_are_up() -> Result<()> {
    require_session()?;
    let sandbox = Sandbox::spawn()?;
    assert!(sandbox.credits().await? > rust_decimal::Decimal::ZERO);
    let watch = desktop::NotificationWatch::start()?;
    assert!(watch.new_since()?.is_empty());
    Ok(())
}
