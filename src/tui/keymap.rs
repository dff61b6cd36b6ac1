//! Keys as data: which key asks for which [`Action`]. The defaults are built in; the same
//! key strings (`"ctrl-c"`, `"j"`, `"pgdn"`) are what a `[keys]` table will hold.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use thiserror::Error;

use super::action::Action;

/// A key press, normalised so that `G` equals Shift-g however the terminal reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    /// Only Ctrl and Alt are kept: Shift is already in the character.
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match code {
            // Terminals send Ctrl-C as 'c' or 'C' with CONTROL; a binding is for either.
            KeyCode::Char(c) if !mods.is_empty() => KeyCode::Char(c.to_ascii_lowercase()),
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::ALT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, mods }
    }

    pub fn plain(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }

    pub fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Parses `"j"`, `"G"`, `"ctrl-c"`, `"alt-x"`, `"pgdn"`, `"up"`, `"enter"`, `"f1"`…
    pub fn parse(text: &str) -> Result<Self, KeyParseError> {
        let bad = || KeyParseError(text.to_owned());
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        // A lone "-" is the minus key, not an empty modifier.
        while let Some((prefix, tail)) = rest.split_once('-').filter(|(_, t)| !t.is_empty()) {
            match prefix.to_ascii_lowercase().as_str() {
                "ctrl" => mods |= KeyModifiers::CONTROL,
                "alt" => mods |= KeyModifiers::ALT,
                _ => return Err(bad()),
            }
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "enter" | "return" => KeyCode::Enter,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "esc" | "escape" => KeyCode::Esc,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f') => f[1..]
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=24).contains(n))
                    .map(KeyCode::F)
                    .ok_or_else(bad)?,
                _ => return Err(bad()),
            },
        };
        Ok(Self::new(code, mods))
    }
}

impl From<KeyEvent> for Key {
    fn from(event: KeyEvent) -> Self {
        Self::new(event.code, event.modifiers)
    }
}

/// How the footer and the help overlay write a key.
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if !self.mods.is_empty() => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "`{0}` is not a key: write one character, `ctrl-c`, `alt-x`, `up`, `pgdn`, `enter`, `esc`, `f1`…"
)]
pub struct KeyParseError(pub String);

/// Bindings in order: the first key bound to an action is the one the footer shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Key, Action)>,
}

const DEFAULTS: &[(&str, Action)] = &[
    ("j", Action::MoveDown),
    ("down", Action::MoveDown),
    ("k", Action::MoveUp),
    ("up", Action::MoveUp),
    ("g", Action::Top),
    ("home", Action::Top),
    ("G", Action::Bottom),
    ("end", Action::Bottom),
    ("pgdn", Action::PageDown),
    ("pgup", Action::PageUp),
    ("ctrl-d", Action::HalfPageDown),
    ("ctrl-u", Action::HalfPageUp),
    ("/", Action::Filter),
    ("s", Action::Sort),
    ("S", Action::SortReverse),
    ("space", Action::ToggleSelect),
    ("*", Action::SelectAll),
    ("enter", Action::ToggleDetail),
    ("tab", Action::ToggleDetail),
    ("r", Action::Refresh),
    ("R", Action::RefreshAll),
    ("l", Action::Login),
    ("c", Action::CopyToken),
    ("C", Action::CopyHeader),
    ("a", Action::Add),
    ("e", Action::Edit),
    ("d", Action::Delete),
    ("A", Action::ToggleAutoRefresh),
    ("L", Action::Log),
    ("?", Action::Help),
    ("q", Action::Quit),
    ("ctrl-c", Action::Quit),
];

impl Default for Keymap {
    fn default() -> Self {
        Self::from_pairs(DEFAULTS.iter().map(|&(key, action)| (key, action)))
            .expect("the default keys parse")
    }
}

impl Keymap {
    /// Bindings from key strings; a key given twice keeps its last action, as a user's
    /// `[keys]` entry laid over the defaults would.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, Action)>,
    ) -> Result<Self, KeyParseError> {
        let mut keymap = Self {
            bindings: Vec::new(),
        };
        for (text, action) in pairs {
            keymap.bind(Key::parse(text)?, action);
        }
        Ok(keymap)
    }

    pub fn bind(&mut self, key: Key, action: Action) {
        match self.bindings.iter_mut().find(|(k, _)| *k == key) {
            Some(binding) => binding.1 = action,
            None => self.bindings.push((key, action)),
        }
    }

    pub fn action(&self, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, action)| action)
    }

    pub fn keys_for(&self, action: Action) -> impl Iterator<Item = Key> + '_ {
        self.bindings
            .iter()
            .filter(move |(_, a)| *a == action)
            .map(|&(key, _)| key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_strings() {
        assert_eq!(Key::parse("j").unwrap(), Key::char('j'));
        assert_eq!(Key::parse("G").unwrap(), Key::char('G'));
        assert_eq!(Key::parse("ctrl-c").unwrap(), Key::ctrl('c'));
        assert_eq!(Key::parse("Ctrl-C").unwrap(), Key::ctrl('c'));
        assert_eq!(Key::parse("pgdn").unwrap(), Key::plain(KeyCode::PageDown));
        assert_eq!(Key::parse("PageUp").unwrap(), Key::plain(KeyCode::PageUp));
        assert_eq!(Key::parse("-").unwrap(), Key::char('-'));
        assert_eq!(Key::parse("alt--").unwrap().code, KeyCode::Char('-'));
        assert_eq!(Key::parse("f12").unwrap(), Key::plain(KeyCode::F(12)));
        assert_eq!(Key::parse("space").unwrap(), Key::char(' '));
        for bad in ["", "jj", "hyper-x", "f0", "f25", "ctrl-"] {
            assert!(Key::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn terminal_events_match_bindings_however_shift_is_reported() {
        let keymap = Keymap::default();
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(keymap.action(shifted.into()), Some(Action::Bottom));
        let ctrl_c = KeyEvent::new(
            KeyCode::Char('C'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(keymap.action(ctrl_c.into()), Some(Action::Quit));
        // Plain c is not Ctrl-C: it copies.
        assert_eq!(keymap.action(Key::char('c')), Some(Action::CopyToken));
        assert_eq!(keymap.action(Key::char('C')), Some(Action::CopyHeader));
    }

    #[test]
    fn defaults_cover_every_action() {
        let keymap = Keymap::default();
        for action in Action::ALL {
            assert!(keymap.keys_for(action).next().is_some(), "{action:?}");
        }
        assert_eq!(
            keymap.action(Key::plain(KeyCode::Tab)),
            Some(Action::ToggleDetail)
        );
        assert_eq!(
            keymap.action(Key::char('A')),
            Some(Action::ToggleAutoRefresh)
        );
    }

    #[test]
    fn a_later_pair_overrides_an_earlier_one() {
        let keymap = Keymap::from_pairs([("x", Action::Quit), ("x", Action::Help)]).unwrap();
        assert_eq!(keymap.action(Key::char('x')), Some(Action::Help));
        assert_eq!(keymap.keys_for(Action::Quit).count(), 0);
        let err = Keymap::from_pairs([("nope", Action::Quit)]).unwrap_err();
        assert!(err.to_string().contains("`nope` is not a key"), "{err}");
    }

    #[test]
    fn keys_display_as_the_footer_writes_them() {
        let shown: Vec<String> = ["ctrl-c", "pgdn", "up", "G", "enter"]
            .iter()
            .map(|k| Key::parse(k).unwrap().to_string())
            .collect();
        assert_eq!(shown, ["Ctrl-C", "PgDn", "↑", "G", "Enter"]);
    }
}

/// The default keys with config.toml's `[keys]` laid over them (`"ctrl-r" = "refresh_all"`).
/// A bad key or action name is a config error naming its line.
pub fn with_overrides(
    bindings: &[zdauth_core::config::KeyBinding],
    file: &std::path::Path,
) -> Result<Keymap, zdauth_core::config::ConfigError> {
    use serde::Deserialize;
    let mut keymap = Keymap::default();
    for binding in bindings {
        let invalid = |message: String| zdauth_core::config::ConfigError::Invalid {
            file: file.to_path_buf(),
            line: binding.line,
            key: format!("keys.{}", binding.key),
            message,
        };
        let key = Key::parse(&binding.key).map_err(|e| invalid(e.to_string()))?;
        let action = Action::deserialize(serde::de::value::StrDeserializer::<
            serde::de::value::Error,
        >::new(&binding.action))
        .map_err(|_| {
            invalid(format!(
                "{:?} is not an action: `?` in the TUI lists them (e.g. refresh, refresh_all, login, quit)",
                binding.action
            ))
        })?;
        keymap.bind(key, action);
    }
    Ok(keymap)
}

#[cfg(test)]
mod override_tests {
    use super::*;
    use zdauth_core::config::Config;

    fn keys(text: &str) -> Result<Keymap, zdauth_core::config::ConfigError> {
        let config = Config::parse(text, std::path::Path::new("/c/config.toml")).unwrap();
        with_overrides(&config.keys, &config.file)
    }

    #[test]
    fn config_keys_override_the_defaults() {
        let keymap = keys("[keys]\n\"ctrl-r\" = \"refresh_all\"\nx = \"quit\"\n").unwrap();
        assert_eq!(
            keymap.action(Key::parse("ctrl-r").unwrap()),
            Some(Action::RefreshAll)
        );
        assert_eq!(keymap.action(Key::parse("x").unwrap()), Some(Action::Quit));
        assert_eq!(keymap.action(Key::parse("q").unwrap()), Some(Action::Quit));
    }

    #[test]
    fn bad_keys_and_actions_name_their_line() {
        let error = keys("[keys]\nx = \"quit\"\ny = \"explode\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("/c/config.toml:3: keys.y: \"explode\" is not an action"),
            "{error}"
        );
        let error = keys("[keys]\n\"ctrl-\" = \"quit\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("/c/config.toml:2: keys.ctrl-: "),
            "{error}"
        );
    }
}
