//! Putting a token where the user pastes it, and taking it back afterwards (checklist items
//! 24–25). Knows nothing of the terminal UI: the doors decide when to copy and when to clear.
//! A leaf of the engine: it uses only the clipboard settings and `secret`; what text to copy
//! (a token made fresh first) is the caller's to bring.

mod choice;
mod clear;
mod command;
mod native;
mod osc52;
mod tmux;

use thiserror::Error;

pub use choice::{Surroundings, pick};
pub use clear::{ClearOutcome, Copied};
pub use osc52::MAX_OSC52_BYTES;
pub use tmux::BUFFER as TMUX_BUFFER;

use crate::config::{ClipboardChoice, Settings};
use crate::secret::Secret;

/// What a clear leaves behind where an empty payload would be ignored (OSC 52) or cannot be
/// checked first (a user command): harmless if pasted by mistake.
pub const CLEARED_TEXT: &str = "(zdauth cleared the clipboard)";

#[derive(Debug, Error)]
#[error("{0}")]
pub struct ClipboardError(pub String);

/// One place a copy can go.
trait Backend: Send {
    /// How the user would name it, for "copied … to {name}".
    fn name(&self) -> String;
    fn copy(&mut self, text: &str) -> Result<(), ClipboardError>;
    /// Whether `text` is still there; `None` when this clipboard cannot be read back.
    fn holds(&mut self, text: &str) -> Option<bool>;
    fn clear(&mut self) -> Result<(), ClipboardError>;
    /// Whether this process serves the copy, so that it must live until the clear.
    fn served_here(&self) -> bool {
        false
    }
}

/// The two things `c` and `C` copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Token,
    Header,
}

impl What {
    pub fn describe(self) -> &'static str {
        match self {
            What::Token => "token",
            What::Header => "Authorization header",
        }
    }
}

/// Copies `text` to the clipboard `settings` choose here. With `auto`, a desktop clipboard
/// that fails falls back to OSC 52 and says so in [`Copied::note`].
pub fn copy(
    settings: &Settings,
    surroundings: &Surroundings,
    text: Secret,
) -> Result<Copied, ClipboardError> {
    if text.is_empty() {
        return Err(ClipboardError("nothing to copy".into()));
    }
    let picked = pick(settings.clipboard, surroundings);
    match open(picked, settings).and_then(|mut b| b.copy(text.expose()).map(|()| b)) {
        Ok(backend) => Ok(Copied::new(backend, text, None)),
        Err(e)
            if settings.clipboard == ClipboardChoice::Auto && picked == ClipboardChoice::Native =>
        {
            let mut fallback = open(ClipboardChoice::Osc52, settings)
                .map_err(|o| ClipboardError(format!("{e}, and {o}")))?;
            fallback.copy(text.expose())?;
            let note =
                format!("the desktop clipboard failed ({e}); used the terminal's OSC 52 instead");
            Ok(Copied::new(fallback, text, Some(note)))
        }
        Err(e) => Err(e),
    }
}

/// Where a copy with `choice` (never `Auto`: [`pick`] first) would go, if it could be opened
/// now; nothing is copied.
pub fn probe(choice: ClipboardChoice, settings: &Settings) -> Result<String, ClipboardError> {
    open(choice, settings).map(|backend| backend.name())
}

fn open(choice: ClipboardChoice, settings: &Settings) -> Result<Box<dyn Backend>, ClipboardError> {
    Ok(match choice {
        ClipboardChoice::Native => Box::new(native::Native::open()?),
        ClipboardChoice::Tmux => Box::new(tmux::Tmux),
        ClipboardChoice::Osc52 | ClipboardChoice::Auto => Box::new(osc52::Osc52::open()?),
        ClipboardChoice::Command => {
            let argv = settings.clipboard_command.clone().ok_or_else(|| {
                ClipboardError("clipboard = \"command\" needs settings.clipboard_command".into())
            })?;
            Box::new(command::UserCommand::new(argv))
        }
    })
}
