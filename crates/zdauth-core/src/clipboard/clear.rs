//! A copy waiting for its clear, which only takes back what is still ours.

use std::time::{Duration, Instant};

use super::{Backend, ClipboardError};
use crate::secret::Secret;

/// How often a copy served by this process checks that it still owns the clipboard.
const OWNER_POLL: Duration = Duration::from_millis(500);

pub struct Copied {
    backend: Box<dyn Backend>,
    text: Secret,
    /// Said to the user next to the confirmation, e.g. a fallback that was taken.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClearOutcome {
    /// Our text was still there and is gone.
    Cleared,
    /// This clipboard cannot be read back, so it was overwritten without a check.
    Overwritten,
    /// Something else was copied since: left as it is.
    LeftAlone,
    /// `clipboard_clear = "0s"`: never cleared.
    Kept,
    Failed(String),
}

impl std::fmt::Debug for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copied")
            .field("backend", &self.backend.name())
            .field("note", &self.note)
            .finish_non_exhaustive()
    }
}

impl Copied {
    pub(super) fn new(backend: Box<dyn Backend>, text: Secret, note: Option<String>) -> Self {
        Self {
            backend,
            text,
            note,
        }
    }

    /// Where the copy went, e.g. "tmux buffer zdauth".
    pub fn place(&self) -> String {
        self.backend.name()
    }

    /// Whether the clear can check first that the clipboard still holds our text.
    pub fn can_read_back(&mut self) -> bool {
        self.backend.holds(self.text.expose()).is_some()
    }

    pub fn clear_if_ours(&mut self) -> ClearOutcome {
        let done = |r: Result<(), ClipboardError>, ok| {
            r.map_or_else(|e| ClearOutcome::Failed(e.0), |()| ok)
        };
        match self.backend.holds(self.text.expose()) {
            Some(false) => ClearOutcome::LeftAlone,
            Some(true) => done(self.backend.clear(), ClearOutcome::Cleared),
            None => done(self.backend.clear(), ClearOutcome::Overwritten),
        }
    }

    /// Keeps the copy served until `after` has passed, then clears it. A copy this process
    /// serves (the desktop clipboard) ends early once something replaces it, and with `after`
    /// zero is served until then; other copies with `after` zero are simply kept.
    pub fn serve_then_clear(mut self, after: Duration) -> ClearOutcome {
        let served_here = self.backend.served_here();
        if !served_here {
            if after.is_zero() {
                return ClearOutcome::Kept;
            }
            std::thread::sleep(after);
            return self.clear_if_ours();
        }
        let start = Instant::now();
        loop {
            let left = after.saturating_sub(start.elapsed());
            if !after.is_zero() && left.is_zero() {
                return self.clear_if_ours();
            }
            if self.backend.holds(self.text.expose()) == Some(false) {
                return ClearOutcome::LeftAlone;
            }
            let nap = if after.is_zero() {
                OWNER_POLL
            } else {
                left.min(OWNER_POLL)
            };
            std::thread::sleep(nap);
        }
    }
}
