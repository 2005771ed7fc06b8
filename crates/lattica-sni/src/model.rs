//! What the tray item shows: the plain data a caller fills in, and how it maps to D-Bus values.

use std::collections::HashMap;

/// An icon in one size, as the StatusNotifierItem spec wants it: ARGB32 in network byte order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pixmap {
    pub width: i32,
    pub height: i32,
    argb: Vec<u8>,
}

/// The pixels given do not make a `width` × `height` RGBA image.
#[derive(Debug, thiserror::Error)]
#[error("an RGBA icon of {width}×{height} needs {expected} bytes, got {got}")]
pub struct PixmapError {
    width: u32,
    height: u32,
    expected: usize,
    got: usize,
}

impl Pixmap {
    /// Converts straight RGBA rows (what PNG decoders give) into the spec's ARGB32.
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Self, PixmapError> {
        let error = || PixmapError {
            width,
            height,
            expected: (width as usize)
                .saturating_mul(height as usize)
                .saturating_mul(4),
            got: rgba.len(),
        };
        let (Ok(w), Ok(h)) = (i32::try_from(width), i32::try_from(height)) else {
            return Err(error());
        };
        if rgba.len() != error().expected {
            return Err(error());
        }
        let argb = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[3], p[0], p[1], p[2]])
            .collect();
        Ok(Self {
            width: w,
            height: h,
            argb,
        })
    }

    pub(crate) fn wire(&self) -> (i32, i32, Vec<u8>) {
        (self.width, self.height, self.argb.clone())
    }
}

/// The item's status: hosts hide a passive item in an overflow area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    Passive,
    #[default]
    Active,
    NeedsAttention,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Passive => "Passive",
            Self::Active => "Active",
            Self::NeedsAttention => "NeedsAttention",
        }
    }
}

/// One row of the menu. `id` is the caller's; the item gives each a stable number on D-Bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuItem {
    Standard {
        id: String,
        label: String,
        enabled: bool,
        visible: bool,
    },
    Separator,
}

impl MenuItem {
    /// A row that can be clicked.
    pub fn action(id: &str, label: &str) -> Self {
        Self::Standard {
            id: id.to_owned(),
            label: label.to_owned(),
            enabled: true,
            visible: true,
        }
    }

    /// A row that only shows text (greyed out, never clicked).
    pub fn info(id: &str, label: &str) -> Self {
        Self::Standard {
            id: id.to_owned(),
            label: label.to_owned(),
            enabled: false,
            visible: true,
        }
    }
}

/// Everything the item shows. Change it through [`crate::TrayHandle::update`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Model {
    /// A stable name for the application (the spec's `Id`).
    pub id: String,
    /// The application's name; KDE shows it when the tooltip is empty.
    pub title: String,
    pub status: Status,
    /// The icon in one or more sizes; the host picks the nearest.
    pub icon: Vec<Pixmap>,
    /// The text next to the icon (`XAyatanaLabel`: GNOME's AppIndicator extension, XFCE).
    pub label: String,
    /// The longest text the label is expected to hold, so hosts can reserve its width.
    pub label_guide: String,
    pub tooltip_title: String,
    /// Plain text; hosts may render a subset of HTML, so the item escapes `<`, `>` and `&`.
    pub tooltip_body: String,
    pub menu: Vec<MenuItem>,
}

/// The dbusmenu numbers of the caller's row ids: a row keeps its number for the item's life, so
/// a host that cached a layout never clicks the wrong row.
#[derive(Debug, Default)]
pub(crate) struct MenuIds {
    by_key: HashMap<String, i32>,
    by_number: HashMap<i32, String>,
    next: i32,
}

impl MenuIds {
    /// The number of each row of `menu`, in order; a separator is keyed by its position among
    /// separators (`\0sep:N`, a key no caller id can take by accident).
    pub(crate) fn numbers(&mut self, menu: &[MenuItem]) -> Vec<i32> {
        let mut separators = 0;
        menu.iter()
            .map(|item| {
                let key = match item {
                    MenuItem::Standard { id, .. } => id.clone(),
                    MenuItem::Separator => {
                        separators += 1;
                        format!("\0sep:{separators}")
                    }
                };
                self.number(key)
            })
            .collect()
    }

    fn number(&mut self, key: String) -> i32 {
        if let Some(n) = self.by_key.get(&key) {
            return *n;
        }
        // 0 is the root.
        self.next += 1;
        self.by_key.insert(key.clone(), self.next);
        self.by_number.insert(self.next, key);
        self.next
    }

    /// The caller's id of row `number`, if it is a standard row.
    pub(crate) fn key(&self, number: i32) -> Option<&str> {
        self.by_number
            .get(&number)
            .map(String::as_str)
            .filter(|k| !k.starts_with('\0'))
    }
}

/// `text` with the three characters hosts could read as markup escaped.
pub(crate) fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgba_becomes_argb_in_network_order_and_bad_sizes_are_refused() {
        let p = Pixmap::from_rgba(2, 1, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        assert_eq!(p.wire(), (2, 1, vec![4, 1, 2, 3, 8, 5, 6, 7]));
        let error = Pixmap::from_rgba(2, 2, &[0; 8]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "an RGBA icon of 2×2 needs 16 bytes, got 8"
        );
    }

    #[test]
    fn row_numbers_stay_with_their_ids() {
        let mut ids = MenuIds::default();
        let first = ids.numbers(&[
            MenuItem::info("balance", "Balance"),
            MenuItem::Separator,
            MenuItem::action("quit", "Quit"),
        ]);
        let second = ids.numbers(&[
            MenuItem::action("quit", "Quit"),
            MenuItem::action("sign-in", "Sign in"),
            MenuItem::info("balance", "Balance"),
        ]);
        assert_eq!(first, [1, 2, 3]);
        assert_eq!(second, [3, 4, 1]);
        assert_eq!(ids.key(4), Some("sign-in"));
        assert_eq!(ids.key(2), None, "a separator has no caller id");
        assert_eq!(ids.key(99), None);
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape_markup("a < b & c > d"), "a &lt; b &amp; c &gt; d");
    }
}
