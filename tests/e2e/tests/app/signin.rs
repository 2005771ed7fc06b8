//! First run: the sign-in window refuses a bad token, accepts a good one, and the token then
//! lives in the keychain and nowhere in the app's files.

use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::{Result, artifacts_dir, desktop, eventually};
use thirtyfour::prelude::*;

use lattica_e2e::sandbox::Profile;

use crate::support::{WAIT, label_becomes, painted, steady_sandbox_on};

/// Switches the session to the window whose document title is `title`.
pub async fn switch_to_window(driver: &WebDriver, title: &str) -> Result<()> {
    eventually(&format!("a window titled {title:?}"), WAIT, || async {
        for handle in driver.windows().await? {
            driver.switch_to_window(handle).await?;
            if driver.title().await? == title {
                return Ok(Some(()));
            }
        }
        Ok(None)
    })
    .await
}

async fn submit_token(driver: &WebDriver, token: &str) -> Result<()> {
    let field = driver.find(By::Id("token")).await?;
    field.clear().await?;
    field.send_keys(token).await?;
    driver.find(By::Id("submit")).await?.click().await?;
    Ok(())
}

async fn error_text(driver: &WebDriver) -> Result<String> {
    eventually("a sign-in error message", WAIT, || async {
        let text = driver.find(By::Id("token-error")).await?.text().await?;
        Ok((!text.trim().is_empty()).then_some(text))
    })
    .await
}

#[tokio::test]
async fn bad_token_then_good_token() -> Result<()> {
    bad_token_then_good_token_on(Profile::Full).await
}

#[tokio::test]
async fn bad_token_then_good_token_on_the_published_platform() -> Result<()> {
    bad_token_then_good_token_on(Profile::Published).await
}

async fn bad_token_then_good_token_on(profile: Profile) -> Result<()> {
    let sandbox = steady_sandbox_on(profile, "500").await?;
    let env = AppEnv::new(&sandbox.url)?;
    let (app, tray) = App::with_webdriver(&env).await?;
    label_becomes(&tray, "signed out").await?;
    let driver = app.driver()?;
    switch_to_window(driver, "Sign in to Lattica").await?;

    // A token the platform does not know.
    submit_token(driver, "lt_this_token_is_not_known_1234567890").await?;
    let refused = error_text(driver).await?;
    assert!(refused.contains("did not accept"), "{refused}");
    let shot = match profile {
        Profile::Full => "signin-refused.png".to_owned(),
        other => format!("signin-refused-{}.png", other.name()),
    };
    std::fs::write(artifacts_dir().join(shot), {
        painted(driver).await?;
        desktop::window_png("Sign in to Lattica")?
    })?;
    assert!(
        !desktop::keychain_search("ai.lattica.tray")?.contains(&sandbox.url),
        "a refused token was stored"
    );

    // A malformed one is caught before the platform is asked.
    submit_token(driver, "has spaces inside").await?;
    let malformed = error_text(driver).await?;
    assert_ne!(malformed, refused);

    submit_token(driver, &sandbox.token).await?;
    label_becomes(&tray, "500 cr").await?;
    let keychain = eventually(
        "the token in the keychain",
        Duration::from_secs(10),
        || async {
            let found = desktop::keychain_search("ai.lattica.tray")?;
            Ok(found.contains(&sandbox.token).then_some(found))
        },
    )
    .await?;
    assert!(keychain.contains(&sandbox.url), "{keychain}");

    let log = app.log.clone();
    app.quit(&tray).await?;
    // The token is nowhere in the app's config, data, cache, state or log files (the app's
    // stderr log is among them).
    let files = env.written_files()?;
    assert!(files.iter().any(|(path, _)| *path == log));
    assert!(
        files.len() > 3,
        "the app wrote its settings, history and log: {files:?}"
    );
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&sandbox.token),
            "the token leaked into {}",
            path.display()
        );
    }
    Ok(())
}
