//! The tray icon for each [`TrayState`]. The PNGs are generated from `icons/src/*.svg` by
//! `icons/generate.sh` and committed, so a build needs no generator. Each state has its own
//! shape, not only its own colour, so it reads on any panel and for colour-blind users:
//! a full battery (ok), a battery with one bar (low), a warning triangle (critical), a
//! struck-through battery (empty), a clock (stale), a padlock (signed out), a stop sign (error).

use lattica_core::view::TrayState;
use tauri::image::Image;

fn png(state: TrayState) -> &'static [u8] {
    match state {
        TrayState::Ok => include_bytes!("../../icons/tray/ok.png"),
        TrayState::Low => include_bytes!("../../icons/tray/low.png"),
        TrayState::Critical => include_bytes!("../../icons/tray/critical.png"),
        TrayState::Empty => include_bytes!("../../icons/tray/empty.png"),
        TrayState::Stale => include_bytes!("../../icons/tray/stale.png"),
        TrayState::SignedOut => include_bytes!("../../icons/tray/signed-out.png"),
        TrayState::Error => include_bytes!("../../icons/tray/error.png"),
    }
}

/// The decoded RGBA icon of `state`.
pub fn tray_icon(state: TrayState) -> tauri::Result<Image<'static>> {
    Image::from_bytes(png(state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_icon_decodes_and_each_is_distinct() {
        let mut seen = std::collections::HashSet::new();
        for state in TrayState::ALL {
            let image = tray_icon(state).unwrap();
            assert_eq!((image.width(), image.height()), (64, 64), "{state:?}");
            assert!(
                seen.insert(image.rgba().to_vec()),
                "{state:?} looks like another state"
            );
        }
    }
}
