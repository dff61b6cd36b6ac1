//! `clipboard = "auto"`: which clipboard the user will paste from, judged by the environment.

use crate::config::ClipboardChoice;

/// The parts of the environment that decide `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Surroundings {
    /// `$TMUX`: inside tmux, whose buffers would keep a raw OSC 52 copy forever.
    pub tmux: bool,
    /// `$SSH_TTY` or `$SSH_CONNECTION`: a desktop clipboard here is not the user's.
    pub ssh: bool,
    /// `$DISPLAY` or `$WAYLAND_DISPLAY`; on macOS always (its pasteboard needs neither).
    pub display: bool,
}

impl Surroundings {
    pub fn from_env() -> Self {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        Self {
            tmux: set("TMUX"),
            ssh: set("SSH_TTY") || set("SSH_CONNECTION"),
            display: cfg!(target_os = "macos") || set("DISPLAY") || set("WAYLAND_DISPLAY"),
        }
    }
}

/// The clipboard to try first; never `Auto`.
pub fn pick(choice: ClipboardChoice, here: &Surroundings) -> ClipboardChoice {
    match choice {
        ClipboardChoice::Auto if here.tmux => ClipboardChoice::Tmux,
        ClipboardChoice::Auto if here.ssh || !here.display => ClipboardChoice::Osc52,
        ClipboardChoice::Auto => ClipboardChoice::Native,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(tmux: bool, ssh: bool, display: bool) -> ClipboardChoice {
        pick(ClipboardChoice::Auto, &Surroundings { tmux, ssh, display })
    }

    #[test]
    fn auto_prefers_tmux_then_the_terminal_over_ssh_or_without_a_display() {
        assert_eq!(at(true, true, true), ClipboardChoice::Tmux);
        assert_eq!(at(true, false, false), ClipboardChoice::Tmux);
        assert_eq!(at(false, true, true), ClipboardChoice::Osc52);
        assert_eq!(at(false, false, false), ClipboardChoice::Osc52);
        assert_eq!(at(false, false, true), ClipboardChoice::Native);
    }

    #[test]
    fn an_explicit_choice_is_kept() {
        let here = Surroundings {
            tmux: true,
            ssh: true,
            display: false,
        };
        for choice in [
            ClipboardChoice::Native,
            ClipboardChoice::Tmux,
            ClipboardChoice::Osc52,
            ClipboardChoice::Command,
        ] {
            assert_eq!(pick(choice, &here), choice);
        }
    }
}
