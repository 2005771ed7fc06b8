//! `--sandbox`, the demo a first-time user runs (`make run`): the app starts the sandbox as a
//! process of its own, signs in to its demo account, and the sandbox ends with the app however
//! the app ends. An app on a real platform starts none.

use std::time::Duration;

use lattica_e2e::app::{App, AppEnv};
use lattica_e2e::{Result, eventually, require_session};

use crate::support::WAIT;

/// The processes whose parent is `parent` and whose name is `name`.
fn children(parent: u32, name: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // `pid (comm) state ppid …`; comm may hold spaces, so split after its `)`.
            let Some((head, rest)) = stat.rsplit_once(") ") else {
                return false;
            };
            let comm = head.split_once(" (").map_or("", |(_, c)| c);
            let ppid = rest.split(' ').nth(1).and_then(|p| p.parse::<u32>().ok());
            comm == name && ppid == Some(parent)
        })
        .collect()
}

/// Whether `pid` has exited (gone, or a zombie nobody reaped yet).
fn exited(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
    })
}

#[tokio::test]
async fn the_demo_runs_its_sandbox_beside_the_app_and_it_ends_with_the_app() -> Result<()> {
    require_session()?;
    // Nothing answers on port 9: with --sandbox the app must not use LATTICA_BE_URL.
    let env = AppEnv::new("http://127.0.0.1:9")?;
    let (mut app, tray) = App::launch(&env, &["--sandbox"]).await?;
    let label = eventually("the demo account's balance in the tray", WAIT, || async {
        let label = tray.label()?;
        Ok(label.ends_with(" cr").then_some(label))
    })
    .await?;
    assert!(
        label.chars().next().is_some_and(|c| c.is_ascii_digit()),
        "{label}"
    );

    let app_pid = app.pid().expect("launched directly");
    let sandboxes = children(app_pid, "lattica-sandbox");
    assert_eq!(sandboxes.len(), 1, "one sandbox process, the app's child");
    let sandbox = sandboxes[0];

    // A crash leaves no chance to stop it: the sandbox notices its input closing.
    app.kill()?;
    eventually(
        "the demo sandbox to exit",
        Duration::from_secs(10),
        || async { Ok(exited(sandbox).then_some(())) },
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn an_app_on_a_real_platform_starts_no_sandbox() -> Result<()> {
    require_session()?;
    let env = AppEnv::new("http://127.0.0.1:9")?;
    let (app, tray) = App::launch(&env, &[]).await?;
    let app_pid = app.pid().expect("launched directly");
    // Running and showing where it stands (signed out: no token on this platform).
    eventually("the tray to say it is signed out", WAIT, || async {
        Ok((tray.label()? == "signed out").then_some(()))
    })
    .await?;
    assert!(children(app_pid, "lattica-sandbox").is_empty());
    app.quit(&tray).await
}
