//! `settings.clipboard` and `settings.clipboard_command`.

use toml::Spanned;

use super::rules::Source;
use super::{ConfigError, Settings};

/// Which clipboard a copy goes to; `Auto` decides from the environment at copy time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardChoice {
    Auto,
    Native,
    Tmux,
    Osc52,
    Command,
}

impl ClipboardChoice {
    pub(crate) const NAMES: &[&str] = &["auto", "native", "tmux", "osc52", "command"];

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "auto" => Some(Self::Auto),
            "native" => Some(Self::Native),
            "tmux" => Some(Self::Tmux),
            "osc52" => Some(Self::Osc52),
            "command" => Some(Self::Command),
            _ => None,
        }
    }
}

pub(super) fn settings(
    source: &Source,
    choice: Option<Spanned<String>>,
    command: Option<&Spanned<String>>,
    settings: &mut Settings,
) -> Result<(), ConfigError> {
    if let Some(value) = command {
        // Split like a shell would, but run without one: no expansion, no injection.
        let words = shell_words::split(value.get_ref()).map_err(|e| {
            source.error(
                &value.span(),
                "settings.clipboard_command".into(),
                format!("cannot be split into words ({e}): check its quotes"),
            )
        })?;
        if words.is_empty() {
            return Err(source.error(
                &value.span(),
                "settings.clipboard_command".into(),
                "is empty: give a program that reads the text on stdin, e.g. \"wl-copy\"".into(),
            ));
        }
        settings.clipboard_command = Some(words);
    }
    if let Some(value) = choice {
        let Some(parsed) = ClipboardChoice::parse(value.get_ref()) else {
            return Err(source.error(
                &value.span(),
                "settings.clipboard".into(),
                format!(
                    "{} is not a clipboard: use one of {}",
                    crate::error::quote(value.get_ref()),
                    ClipboardChoice::NAMES.join(", ")
                ),
            ));
        };
        if parsed == ClipboardChoice::Command && settings.clipboard_command.is_none() {
            return Err(source.error(
                &value.span(),
                "settings.clipboard".into(),
                "is \"command\" but settings.clipboard_command is not set: add e.g. clipboard_command = \"xclip -selection clipboard\"".into(),
            ));
        }
        settings.clipboard = parsed;
    }
    Ok(())
}
