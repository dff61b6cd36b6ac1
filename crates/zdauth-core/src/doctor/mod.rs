//! `zdauth doctor`: checks of a setup that only look (no mode tightened, no agent started,
//! no token refreshed), each ending in one line that says what to do. The door assembles
//! them; what a check needs from the terminal or the user comes in as an argument.

mod clock;
mod files;
mod ports;
mod setup;
mod store;
mod tokens;

use std::fmt;

pub use clock::{SKEW_FAIL, SKEW_WARN, clock_checks, judge_skew};
pub use files::{config_dir, files};
pub use ports::redirect_ports;
pub use setup::{agent, browser, clipboard, find_program, identity};
pub use store::store;
pub use tokens::token_state;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        }
    }
}

/// One line of the report: what was found, and, unless all is well, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub level: Level,
    pub what: String,
    pub todo: Option<String>,
}

impl Check {
    pub fn ok(what: impl Into<String>) -> Self {
        Self {
            level: Level::Ok,
            what: what.into(),
            todo: None,
        }
    }

    pub fn warn(what: impl Into<String>, todo: impl Into<String>) -> Self {
        Self::with(Level::Warn, what, todo)
    }

    pub fn fail(what: impl Into<String>, todo: impl Into<String>) -> Self {
        Self::with(Level::Fail, what, todo)
    }

    fn with(level: Level, what: impl Into<String>, todo: impl Into<String>) -> Self {
        Self {
            level,
            what: what.into(),
            todo: Some(todo.into()),
        }
    }
}

/// `ok    what` or `FAIL  what — what to do`, cleaned for a terminal: paths and server
/// text may hold anything.
impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = crate::text::display(&self.what);
        write!(f, "{:<4}  {what}", self.level.word())?;
        if let Some(todo) = &self.todo {
            write!(f, " — {}", crate::text::display(todo))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_the_level_what_and_what_to_do_with_no_escape_left() {
        assert_eq!(Check::ok("config dir").to_string(), "ok    config dir");
        assert_eq!(
            Check::fail("port 1 busy\x1b[2J", "free it").to_string(),
            "FAIL  port 1 busy — free it",
        );
        assert!(Level::Fail > Level::Warn && Level::Warn > Level::Ok);
    }
}
