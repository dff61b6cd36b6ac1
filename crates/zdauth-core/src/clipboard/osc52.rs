//! The terminal's clipboard escape (OSC 52), written to the controlling terminal so that it
//! works over SSH. It cannot be read back.

use std::fs::File;
use std::io::Write;

use base64::Engine;

use super::{Backend, CLEARED_TEXT, ClipboardError};

/// The longest text a copy may be: its escape then stays within the 100,000 bytes that
/// common terminals (hterm, and those following it) accept; longer ones are dropped whole.
pub const MAX_OSC52_BYTES: usize = 74_994;

/// The escape that puts `text` in the clipboard selection.
pub(crate) fn osc52_sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    format!("\x1b]52;c;{encoded}\x07")
}

pub(super) struct Osc52 {
    /// Opened once: a background clearer keeps it after the shell that started it is gone.
    tty: File,
}

impl Osc52 {
    pub(super) fn open() -> Result<Self, ClipboardError> {
        File::options()
            .write(true)
            .open("/dev/tty")
            .map(|tty| Self { tty })
            .map_err(|e| {
                ClipboardError(format!(
                    "no terminal to send the OSC 52 escape to (/dev/tty: {e})"
                ))
            })
    }

    fn send(&mut self, text: &str) -> Result<(), ClipboardError> {
        if text.len() > MAX_OSC52_BYTES {
            return Err(ClipboardError(format!(
                "the text is {} bytes; OSC 52 carries at most {MAX_OSC52_BYTES} (terminals drop longer escapes)",
                text.len()
            )));
        }
        self.tty
            .write_all(osc52_sequence(text).as_bytes())
            .and_then(|()| self.tty.flush())
            .map_err(|e| ClipboardError(format!("cannot write the OSC 52 escape: {e}")))
    }
}

impl Backend for Osc52 {
    fn name(&self) -> String {
        "the terminal's clipboard (OSC 52)".into()
    }

    fn copy(&mut self, text: &str) -> Result<(), ClipboardError> {
        self.send(text)
    }

    fn holds(&mut self, _text: &str) -> Option<bool> {
        None
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        // Not empty: several terminals (and tmux) ignore an empty OSC 52 payload.
        self.send(CLEARED_TEXT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_is_base64_between_the_osc_52_brackets() {
        assert_eq!(osc52_sequence("tok"), "\x1b]52;c;dG9r\x07");
        let longest = osc52_sequence(&"x".repeat(MAX_OSC52_BYTES));
        assert!(longest.len() <= 100_000, "{}", longest.len());
    }
}
