//! The keyboard shortcut that opens the popover from anywhere on the desktop: what the user
//! types in Settings ("Ctrl+Alt+L") checked here, and the canonical text the shell registers
//! with the desktop (X11), or its spelling in the XDG shortcuts syntax the GlobalShortcuts
//! portal takes (Wayland). Off unless the user sets one: a tray app must not take a key
//! combination from other applications unasked.

use std::fmt;
use std::str::FromStr;

/// The keys a shortcut may end with: canonical spelling, what else is accepted, and the
/// XKB keysym name the portal's trigger syntax uses.
const KEYS: &[(&str, &[&str], &str)] = &[
    ("Space", &["SPACE"], "space"),
    ("Up", &["UP", "ARROWUP"], "Up"),
    ("Down", &["DOWN", "ARROWDOWN"], "Down"),
    ("Left", &["LEFT", "ARROWLEFT"], "Left"),
    ("Right", &["RIGHT", "ARROWRIGHT"], "Right"),
    ("Home", &["HOME"], "Home"),
    ("End", &["END"], "End"),
    ("PageUp", &["PAGEUP", "PGUP"], "Page_Up"),
    ("PageDown", &["PAGEDOWN", "PGDN"], "Page_Down"),
    ("Insert", &["INSERT", "INS"], "Insert"),
    ("Delete", &["DELETE", "DEL"], "Delete"),
    (",", &[",", "COMMA"], "comma"),
    (".", &[".", "PERIOD"], "period"),
    ("/", &["/", "SLASH"], "slash"),
    (";", &[";", "SEMICOLON"], "semicolon"),
    ("'", &["'", "QUOTE"], "apostrophe"),
    ("[", &["[", "BRACKETLEFT"], "bracketleft"),
    ("]", &["]", "BRACKETRIGHT"], "bracketright"),
    ("-", &["-", "MINUS"], "minus"),
    ("=", &["=", "EQUAL"], "equal"),
    ("`", &["`", "BACKQUOTE"], "grave"),
];

const FUNCTION_KEYS: [&str; 12] = [
    "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
];

/// A valid shortcut: at least one of Ctrl, Alt or Super, maybe Shift, and one key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shortcut {
    ctrl: bool,
    alt: bool,
    shift: bool,
    super_key: bool,
    /// The key's canonical name: `L`, `7`, `F5`, `Space`, `,`.
    key: String,
}

/// Why a shortcut cannot be used. The texts are shown beside the Settings field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortcutError {
    /// Only modifiers, or a `+` with nothing after it (`Ctrl+`).
    NoKey(String),
    /// A part that is neither a modifier nor a key this app offers.
    UnknownKey(String),
    /// More than one key (`Ctrl+L+K`).
    TwoKeys(String, String),
    /// No Ctrl, Alt or Super: the key would be taken from every other application.
    NoModifier(String),
    /// The desktop refused it: another application holds it already.
    Taken(String),
    /// The desktop offers no global shortcuts to this app: neither an X11 display nor a
    /// Wayland session.
    Unavailable(String),
    /// A Wayland session whose desktop portal offers no GlobalShortcuts (no portal running,
    /// or its backend lacks them).
    NoPortal(String),
    /// The user said no in the desktop's own dialog (the GlobalShortcuts portal).
    Declined(String),
    /// The desktop refused it for another reason (the log has it).
    Refused(String),
}

impl fmt::Display for ShortcutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKey(typed) => write!(
                f,
                "Keyboard shortcut “{typed}” has no key: end it with a letter, digit or \
                 function key after the modifiers, e.g. Ctrl+Alt+L"
            ),
            Self::UnknownKey(part) => write!(
                f,
                "Keyboard shortcut: “{part}” is not a modifier or a key this app can use; \
                 use Ctrl, Alt, Shift or Super and then a letter, a digit, F1 to F12, Space, \
                 an arrow (Up), Home, End, PageUp, PageDown, Insert, Delete or punctuation"
            ),
            Self::TwoKeys(first, second) => write!(
                f,
                "Keyboard shortcut has two keys ({first} and {second}): use modifiers and one \
                 key, e.g. Ctrl+Alt+L"
            ),
            Self::NoModifier(key) => write!(
                f,
                "Keyboard shortcut needs Ctrl, Alt or Super with {key}: without them the key \
                 would stop working in every other application"
            ),
            Self::Taken(shortcut) => write!(
                f,
                "Keyboard shortcut {shortcut} is already used by another application on this \
                 desktop: choose another one, or clear the field"
            ),
            Self::Unavailable(shortcut) => write!(
                f,
                "This desktop does not let applications use a keyboard shortcut such as \
                 {shortcut}: there is no X11 display and no Wayland session. Clear the field, \
                 or use your desktop's own keyboard settings to run `lattica-tray`, which \
                 opens the popover"
            ),
            Self::NoPortal(shortcut) => write!(
                f,
                "This Wayland desktop does not let applications use a keyboard shortcut such \
                 as {shortcut}: its desktop portal (xdg-desktop-portal) is not running or \
                 offers no global shortcuts. Clear the field, or use your desktop's own \
                 keyboard settings to run `lattica-tray`, which opens the popover"
            ),
            Self::Declined(shortcut) => write!(
                f,
                "Keyboard shortcut {shortcut} was declined in the desktop's dialog: save again \
                 to be asked again, or clear the field"
            ),
            Self::Refused(shortcut) => write!(
                f,
                "The desktop refused keyboard shortcut {shortcut}: choose another one, or \
                 clear the field"
            ),
        }
    }
}

impl std::error::Error for ShortcutError {}

fn key_name(part: &str) -> Option<String> {
    let upper = part.to_uppercase();
    let mut chars = upper.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_ascii_alphanumeric()
    {
        return Some(c.to_string());
    }
    if let Some(f) = FUNCTION_KEYS.iter().find(|f| **f == upper) {
        return Some((*f).to_owned());
    }
    KEYS.iter()
        .find(|(_, names, _)| names.contains(&upper.as_str()))
        .map(|(name, _, _)| (*name).to_owned())
}

impl FromStr for Shortcut {
    type Err = ShortcutError;

    /// Parts joined by `+`, in any case and with spaces around them: modifiers first (`Ctrl`
    /// or `Control`, `Alt`, `Shift`, `Super`), then one key.
    fn from_str(typed: &str) -> Result<Self, Self::Err> {
        let typed = typed.trim();
        let mut shortcut = Shortcut {
            ctrl: false,
            alt: false,
            shift: false,
            super_key: false,
            key: String::new(),
        };
        let mut key: Option<String> = None;
        for part in typed.split('+').map(str::trim) {
            if part.is_empty() {
                return Err(ShortcutError::NoKey(typed.to_owned()));
            }
            match part.to_uppercase().as_str() {
                "CTRL" | "CONTROL" => shortcut.ctrl = true,
                "ALT" => shortcut.alt = true,
                "SHIFT" => shortcut.shift = true,
                "SUPER" | "META" | "WIN" => shortcut.super_key = true,
                _ => {
                    let name =
                        key_name(part).ok_or_else(|| ShortcutError::UnknownKey(part.to_owned()))?;
                    if let Some(first) = key {
                        return Err(ShortcutError::TwoKeys(first, name));
                    }
                    key = Some(name);
                }
            }
        }
        shortcut.key = key.ok_or_else(|| ShortcutError::NoKey(typed.to_owned()))?;
        if !(shortcut.ctrl || shortcut.alt || shortcut.super_key) {
            return Err(ShortcutError::NoModifier(shortcut.key));
        }
        Ok(shortcut)
    }
}

/// `Ctrl+Alt+Shift+Super+L`: the canonical spelling, as saved and as the desktop is asked
/// for it.
impl fmt::Display for Shortcut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, name) in [
            (self.ctrl, "Ctrl+"),
            (self.alt, "Alt+"),
            (self.shift, "Shift+"),
            (self.super_key, "Super+"),
        ] {
            if on {
                f.write_str(name)?;
            }
        }
        f.write_str(&self.key)
    }
}

impl Shortcut {
    /// The shortcut in the XDG shortcuts syntax the GlobalShortcuts portal takes as a
    /// preferred trigger: modifiers `CTRL`, `ALT`, `SHIFT`, `LOGO`, then the key's XKB keysym
    /// name (`CTRL+ALT+l`, `LOGO+space`, `CTRL+Page_Up`).
    pub fn portal_trigger(&self) -> String {
        let mut trigger = String::new();
        for (on, name) in [
            (self.ctrl, "CTRL+"),
            (self.alt, "ALT+"),
            (self.shift, "SHIFT+"),
            (self.super_key, "LOGO+"),
        ] {
            if on {
                trigger.push_str(name);
            }
        }
        // Letters are lowercase keysyms (`l`); function keys and digits are as written.
        let key = KEYS
            .iter()
            .find(|(name, _, _)| *name == self.key)
            .map_or_else(|| self.key.to_lowercase(), |(_, _, sym)| (*sym).to_owned());
        if FUNCTION_KEYS.contains(&self.key.as_str()) {
            trigger.push_str(&self.key);
        } else {
            trigger.push_str(&key);
        }
        trigger
    }
}

/// A shortcut field's text: empty (or blank) is no shortcut.
pub fn parse_optional(typed: &str) -> Result<Option<Shortcut>, ShortcutError> {
    if typed.trim().is_empty() {
        Ok(None)
    } else {
        typed.parse().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(typed: &str) -> Result<String, ShortcutError> {
        typed.parse::<Shortcut>().map(|s| s.to_string())
    }

    #[test]
    fn common_spellings_parse_to_one_canonical_text() {
        assert_eq!(parsed("Ctrl+Alt+L").unwrap(), "Ctrl+Alt+L");
        assert_eq!(parsed(" control + alt + l ").unwrap(), "Ctrl+Alt+L");
        assert_eq!(parsed("alt+ctrl+shift+f5").unwrap(), "Ctrl+Alt+Shift+F5");
        assert_eq!(parsed("Super+Space").unwrap(), "Super+Space");
        assert_eq!(parsed("Ctrl+Alt+ArrowUp").unwrap(), "Ctrl+Alt+Up");
        assert_eq!(parsed("Meta+,").unwrap(), "Super+,");
        assert_eq!(parsed("Ctrl+7").unwrap(), "Ctrl+7");
        // The canonical text reads back as itself.
        for text in ["Ctrl+Alt+Shift+Super+PageDown", "Alt+`"] {
            assert_eq!(parsed(text).unwrap(), text);
        }
    }

    #[test]
    fn a_plus_with_nothing_after_it_has_no_key() {
        let error = parsed("Ctrl+").unwrap_err();
        assert_eq!(error, ShortcutError::NoKey("Ctrl+".into()));
        let text = error.to_string();
        assert!(text.contains("“Ctrl+” has no key"), "{text}");
        assert!(text.contains("e.g. Ctrl+Alt+L"), "{text}");
        assert_eq!(
            parsed("Ctrl+Alt").unwrap_err(),
            ShortcutError::NoKey("Ctrl+Alt".into())
        );
        assert_eq!(
            parsed("Ctrl++L").unwrap_err(),
            ShortcutError::NoKey("Ctrl++L".into())
        );
    }

    #[test]
    fn each_mistake_is_named() {
        assert_eq!(
            parsed("Ctrl+Hyper+L").unwrap_err(),
            ShortcutError::UnknownKey("Hyper".into())
        );
        assert_eq!(
            parsed("Ctrl+L+K").unwrap_err(),
            ShortcutError::TwoKeys("L".into(), "K".into())
        );
        assert_eq!(
            parsed("L").unwrap_err(),
            ShortcutError::NoModifier("L".into())
        );
        let shifted = parsed("Shift+F5").unwrap_err();
        assert_eq!(shifted, ShortcutError::NoModifier("F5".into()));
        assert!(shifted.to_string().contains("Ctrl, Alt or Super with F5"));
        assert!(
            parsed("Ctrl+é")
                .unwrap_err()
                .to_string()
                .contains("“é” is not a modifier or a key")
        );
    }

    #[test]
    fn an_empty_field_is_no_shortcut() {
        assert_eq!(parse_optional("  ").unwrap(), None);
        assert_eq!(
            parse_optional("ctrl+alt+l").unwrap().unwrap().to_string(),
            "Ctrl+Alt+L"
        );
        assert!(parse_optional("Ctrl+").is_err());
    }

    #[test]
    fn the_desktops_refusals_say_what_to_do() {
        let taken = ShortcutError::Taken("Ctrl+Alt+L".into()).to_string();
        assert!(
            taken.contains("already used by another application"),
            "{taken}"
        );
        let none = ShortcutError::Unavailable("Ctrl+Alt+L".into()).to_string();
        assert!(none.contains("no X11 display and no Wayland"), "{none}");
        let wayland = ShortcutError::NoPortal("Ctrl+Alt+L".into()).to_string();
        assert!(wayland.contains("This Wayland desktop"), "{wayland}");
        assert!(wayland.contains("offers no global shortcuts"), "{wayland}");
        let declined = ShortcutError::Declined("Ctrl+Alt+L".into()).to_string();
        assert!(
            declined.contains("Ctrl+Alt+L was declined in the desktop's dialog"),
            "{declined}"
        );
    }

    #[test]
    fn the_portal_is_asked_in_the_xdg_shortcuts_syntax() {
        let trigger = |typed: &str| typed.parse::<Shortcut>().unwrap().portal_trigger();
        assert_eq!(trigger("Ctrl+Alt+L"), "CTRL+ALT+l");
        assert_eq!(trigger("Super+Shift+F5"), "SHIFT+LOGO+F5");
        assert_eq!(trigger("Alt+Space"), "ALT+space");
        assert_eq!(trigger("Ctrl+PageUp"), "CTRL+Page_Up");
        assert_eq!(trigger("Ctrl+Alt+,"), "CTRL+ALT+comma");
        assert_eq!(trigger("Ctrl+`"), "CTRL+grave");
        assert_eq!(trigger("Ctrl+7"), "CTRL+7");
        assert_eq!(trigger("Ctrl+Up"), "CTRL+Up");
    }

    #[test]
    fn settings_keep_the_shortcut_and_explain_a_bad_one() {
        use crate::settings::{Field, Settings, SettingsForm};
        let form = SettingsForm {
            shortcut: " ctrl + alt + l ".into(),
            ..Settings::default().to_form()
        };
        let settings = Settings::from_form(&form).unwrap();
        assert_eq!(settings.shortcut().unwrap().to_string(), "Ctrl+Alt+L");
        assert_eq!(settings.to_form().shortcut, "Ctrl+Alt+L");
        let json = serde_json::to_value(&settings).unwrap();
        assert_eq!(json["shortcut"], "Ctrl+Alt+L");
        let back: Settings = serde_json::from_value(json).unwrap();
        assert_eq!(back, settings);

        let bad = SettingsForm {
            shortcut: "Ctrl+".into(),
            refresh_interval_secs: "1".into(),
            ..Settings::default().to_form()
        };
        let errors = Settings::from_form(&bad).unwrap_err();
        let fields: Vec<Field> = errors.errors().iter().map(|e| e.field()).collect();
        assert_eq!(fields, [Field::RefreshIntervalSecs, Field::Shortcut]);
        let json = serde_json::to_value(&errors).unwrap();
        assert_eq!(json[1]["field"], "shortcut");
        assert!(json[1]["message"].as_str().unwrap().contains("has no key"));
    }

    #[test]
    fn a_settings_file_without_a_shortcut_loads_with_none() {
        use crate::settings::Settings;
        let old: Settings = serde_json::from_str(r#"{"refreshIntervalSecs": 120}"#).unwrap();
        assert_eq!(old.shortcut(), None);
        assert_eq!(Settings::default().to_form().shortcut, "");
        let off = serde_json::to_value(Settings::default()).unwrap();
        assert!(off["shortcut"].is_null(), "{off}");
    }
}
