//! The user's locale, as far as the app reads it: how typed numbers are written.

use std::sync::LazyLock;

use lattica_core::input::NumberStyle;

/// How the user writes decimals, from `LC_ALL`, `LC_NUMERIC` or `LANG` (the first set), read
/// once.
pub fn number_style() -> NumberStyle {
    static STYLE: LazyLock<NumberStyle> = LazyLock::new(|| {
        let locale = ["LC_ALL", "LC_NUMERIC", "LANG"]
            .into_iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty())
            .unwrap_or_default();
        NumberStyle::for_locale(&locale)
    });
    *STYLE
}
