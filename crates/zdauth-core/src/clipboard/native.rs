//! The desktop clipboard via arboard: X11, or Wayland through the data-control protocol, and
//! the macOS pasteboard. On X11 and Wayland the copy is served by this process: the
//! [`arboard::Clipboard`] must live until the clear, or the copy vanishes with it. The macOS
//! pasteboard keeps what it is given, as a Mac user expects (the same code path otherwise;
//! built for macOS, not run there by the tests: see the README).

use super::{Backend, ClipboardError};

pub(super) struct Native {
    clipboard: arboard::Clipboard,
}

impl Native {
    pub(super) fn open() -> Result<Self, ClipboardError> {
        // x11rb panics on some malformed $DISPLAY values (an overflow in debug builds); that
        // must become a fallback, not a dead helper.
        std::panic::catch_unwind(arboard::Clipboard::new)
            .map_err(|_| ClipboardError("no desktop clipboard: cannot parse $DISPLAY".into()))?
            .map(|clipboard| Self { clipboard })
            .map_err(|e| ClipboardError(format!("no desktop clipboard: {e}")))
    }
}

impl Backend for Native {
    fn name(&self) -> String {
        "the desktop clipboard".into()
    }

    fn copy(&mut self, text: &str) -> Result<(), ClipboardError> {
        let set = self.clipboard.set();
        // Marks the copy as a password so clipboard managers keep it out of their history.
        #[cfg(target_os = "linux")]
        let set = arboard::SetExtLinux::exclude_from_history(set);
        // Marked org.nspasteboard.ConcealedType, which clipboard managers leave out.
        #[cfg(target_os = "macos")]
        let set = arboard::SetExtApple::exclude_from_history(set);
        set.text(text)
            .map_err(|e| ClipboardError(format!("cannot copy to the desktop clipboard: {e}")))
    }

    fn holds(&mut self, text: &str) -> Option<bool> {
        // Anything unreadable (an image, an empty clipboard) is not our token.
        Some(self.clipboard.get_text().is_ok_and(|now| now == text))
    }

    fn served_here(&self) -> bool {
        // The pasteboard server holds a macOS copy; X11 and Wayland ask this process for it.
        !cfg!(target_os = "macos")
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        self.clipboard
            .clear()
            .map_err(|e| ClipboardError(format!("cannot clear the desktop clipboard: {e}")))
    }
}
