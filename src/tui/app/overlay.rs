//! What sits on top of the list and takes the keys before it, carrying what it shows: one
//! value, so no form can be open without its overlay, and no dialog outlive it.

use jiff::Timestamp;

use crate::tui::field::TextField;
use crate::tui::form::ConnectionForm;

/// The delete dialog's keys: fixed, like a y/n prompt's, and listed in the footer and help.
pub const DELETE_AND_REVOKE: char = 'y';
pub const DELETE_HERE_ONLY: char = 'l';
pub const KEEP: char = 'n';

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    /// The list has the keys.
    #[default]
    None,
    /// Typing a filter.
    Filter,
    Help,
    /// The message log: every toast, with its time.
    Log,
    /// The add/edit form: typing goes into its fields.
    Form(Box<ConnectionForm>),
    /// Asking whether (and how) to delete a connection.
    Delete(Deleting),
    /// `R` over many rows: asking (y/N) before refreshing these.
    ConfirmRefresh(Vec<String>),
    /// A browser login runs: its modal covers the list, and the help or the quit question
    /// may sit on top of it.
    Login {
        login: LoginInFlight,
        on_top: OnLogin,
    },
}

/// What covers the login modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLogin {
    Nothing,
    Help,
    /// `q` with the login in flight: quit (and cancel it), or stay.
    ConfirmQuit,
}

impl Overlay {
    /// The help is drawn, over the list or over the login modal.
    pub fn shows_help(&self) -> bool {
        matches!(
            self,
            Overlay::Help
                | Overlay::Login {
                    on_top: OnLogin::Help,
                    ..
                }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleting {
    pub name: String,
    /// Whether there is a token to revoke at Zendesk.
    pub has_tokens: bool,
    /// Set once a choice was made: whether it revokes. The dialog waits for the result.
    pub running: Option<bool>,
    /// `d` on a selection of several: all of them, in screen order, asked about at once
    /// (`name` is the first, then the one being deleted). Empty when it is one row.
    pub many: Vec<String>,
    /// Of `many`, how many have had their answer back.
    pub done: usize,
}

impl Deleting {
    /// The dialog for one row.
    pub fn one(name: &str, has_tokens: bool) -> Self {
        Self {
            name: name.to_owned(),
            has_tokens,
            running: None,
            many: Vec::new(),
            done: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginInFlight {
    pub name: String,
    pub url: Option<String>,
    /// Said by the login without ending it (no browser started, a rejected paste).
    pub note: Option<String>,
    pub exchanging: bool,
    /// The Tick clock when `l` was pressed: the catcher's countdown runs from here.
    pub started: Timestamp,
    /// The browser's final address, pasted back (SSH, or no browser here), as
    /// `login --no-browser` takes it.
    pub paste: TextField,
    /// A pasted address went to the login and its answer is not back yet.
    pub checking: bool,
    /// Over SSH: the `ssh -L …` line that lets the laptop's browser reach the catcher.
    pub tunnel: Option<String>,
}

impl LoginInFlight {
    pub fn new(name: &str, started: Timestamp) -> Self {
        Self {
            name: name.to_owned(),
            url: None,
            note: None,
            exchanging: false,
            started,
            paste: TextField::unlogged(),
            checking: false,
            tunnel: None,
        }
    }
}
