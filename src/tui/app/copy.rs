//! `c`, `C` and the login modal's `c`: the copy request, its toast counting down to the clear,
//! and what the clear found.

use jiff::{SignedDuration, Timestamp};

use super::{App, CopyWhat, Effect, TOAST_INFO};
use crate::tui::msg::CopyDone;
use crate::tui::row::Shown;
use zdauth_core::clipboard::{ClearOutcome, What};

/// The toast of the latest copy, rewritten each second until the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopyToast {
    prefix: String,
    clears_at: Timestamp,
}

impl App {
    pub(crate) fn copy_selected(&mut self, what: What) -> Vec<Effect> {
        let Some(row) = self.selected_row() else {
            return Vec::new();
        };
        let name = row.name.clone();
        // The engine refuses too; saying it here spares a vault read and names the key.
        match self.shown(row) {
            Shown::LoginRequired => {
                self.warn(format!("nothing copied: {name} needs a login: press l"));
                return Vec::new();
            }
            Shown::NoSecret => {
                self.warn(format!(
                    "nothing copied: {name} has no client secret stored: press e to store it"
                ));
                return Vec::new();
            }
            _ => {}
        }
        self.say(format!("copying {name}'s {}…", what.describe()));
        vec![Effect::Copy {
            name,
            what: CopyWhat::Token(what),
        }]
    }

    pub(crate) fn copy_login_url(&mut self) -> Vec<Effect> {
        let Some(login) = self.login() else {
            return Vec::new();
        };
        let name = login.name.clone();
        let Some(url) = login.url.clone() else {
            self.say("the login URL is not there yet");
            return Vec::new();
        };
        vec![Effect::Copy {
            name,
            what: CopyWhat::LoginUrl(url),
        }]
    }

    pub(super) fn copied(&mut self, name: &str, result: Result<CopyDone, String>) {
        let done = match result {
            Ok(done) => done,
            Err(message) => {
                self.copy_toast = None;
                self.warn(format!("nothing copied for {name}: {message}"));
                return;
            }
        };
        let mut prefix = format!("copied {name}'s {} to {}", done.what, done.place);
        if let Some(note) = &done.note {
            prefix = format!("{prefix} ({note})");
        }
        match done.clears_in {
            None => {
                self.copy_toast = None;
                self.say(prefix);
            }
            Some(clears_in) => {
                // clipboard_clear has no upper bound in config.toml: no sum may overflow.
                let clears_at = zdauth_core::expiry::saturating_after(
                    self.now,
                    SignedDuration::try_from(clears_in).unwrap_or(SignedDuration::MAX),
                );
                // The countdown rewrites only its own toast: this one replaces "copying…",
                // unless an error still holds the line (the log has the copy).
                if !self.say_shown(prefix.clone()) {
                    self.copy_toast = None;
                    return;
                }
                self.mark_copy_toast();
                self.copy_toast = Some(CopyToast { prefix, clears_at });
                self.copy_countdown();
            }
        }
    }

    /// Rewrites the copy's toast with the seconds left, while it is still the toast shown.
    pub(super) fn copy_countdown(&mut self) {
        let Some(copy) = &self.copy_toast else {
            return;
        };
        // Another toast took the line: the countdown ends (the toast knows, not its text).
        if self.toast.as_ref().is_some_and(|t| !t.copy_countdown) {
            self.copy_toast = None;
            return;
        }
        let left = copy.clears_at.duration_since(self.now);
        // Rounded up: "clears in 1s" until the clear, never "0s" before it.
        let seconds = (left.as_millis() + 999).div_euclid(1000);
        let text = if seconds > 0 {
            format!("{} — clears in {seconds}s", copy.prefix)
        } else {
            format!("{} — clearing", copy.prefix)
        };
        let until = copy.clears_at + TOAST_INFO;
        // Not logged each second: the log has the copy once.
        self.show(text, false);
        self.mark_copy_toast();
        if let Some(toast) = &mut self.toast {
            toast.until = until;
        }
    }

    fn mark_copy_toast(&mut self) {
        if let Some(toast) = &mut self.toast {
            toast.copy_countdown = true;
        }
    }

    pub(super) fn copy_cleared(&mut self, name: &str, what: &str, outcome: ClearOutcome) {
        self.copy_toast = None;
        match outcome {
            ClearOutcome::Cleared | ClearOutcome::Overwritten => {
                self.say(format!("cleared {name}'s {what} from the clipboard"));
            }
            ClearOutcome::LeftAlone => self.say(format!(
                "{name}'s {what} was no longer in the clipboard: left what is there"
            )),
            ClearOutcome::Kept => {}
            ClearOutcome::Failed(message) => {
                self.warn(format!("could not clear the clipboard: {message}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::msg::{CopyDone, LoginUpdate, Msg};
    use crate::tui::testdata::*;
    use std::time::Duration;

    fn done(clears_in: u64) -> CopyDone {
        CopyDone {
            what: "token",
            place: "the desktop clipboard".into(),
            clears_in: (clears_in > 0).then(|| Duration::from_secs(clears_in)),
            note: None,
        }
    }

    fn toast(app: &App) -> String {
        app.toast().map(|t| t.text.clone()).unwrap_or_default()
    }

    #[test]
    fn c_and_shift_c_ask_for_the_selected_token_or_header() {
        let mut app = app();
        assert_eq!(
            press(&mut app, "c"),
            [Effect::Copy {
                name: "acme".into(),
                what: CopyWhat::Token(What::Token)
            }]
        );
        assert_eq!(toast(&app), "copying acme's token…");
        assert_eq!(
            press(&mut app, "jC"),
            [Effect::Copy {
                name: "globex".into(),
                what: CopyWhat::Token(What::Header)
            }]
        );
    }

    /// umbrella's access token has 10 minutes on its clock, but Zendesk refused its grant.
    #[test]
    fn item_27_c_and_shift_c_on_a_refused_grant_copy_nothing() {
        let mut app = app();
        for keys in ["jjjc", "C"] {
            assert_eq!(press(&mut app, keys), [], "{keys}");
            let shown = app.toast().unwrap();
            assert!(shown.error);
            assert_eq!(
                shown.text,
                "nothing copied: umbrella needs a login: press l"
            );
        }
    }

    #[test]
    fn the_toast_counts_down_to_the_clear_and_says_what_the_clear_found() {
        let mut app = app();
        press(&mut app, "c");
        app.update(Msg::Copied {
            name: "acme".into(),
            result: Ok(done(30)),
        });
        assert_eq!(
            toast(&app),
            "copied acme's token to the desktop clipboard — clears in 30s"
        );
        app.update(Msg::Tick(at(1)));
        assert_eq!(
            toast(&app),
            "copied acme's token to the desktop clipboard — clears in 29s"
        );
        app.update(Msg::Tick(at(29)));
        assert_eq!(
            toast(&app),
            "copied acme's token to the desktop clipboard — clears in 1s"
        );
        app.update(Msg::Tick(at(30)));
        assert_eq!(
            toast(&app),
            "copied acme's token to the desktop clipboard — clearing"
        );
        app.update(Msg::CopyCleared {
            name: "acme".into(),
            what: "token",
            outcome: ClearOutcome::Cleared,
        });
        assert_eq!(toast(&app), "cleared acme's token from the clipboard");
        app.update(Msg::CopyCleared {
            name: "acme".into(),
            what: "token",
            outcome: ClearOutcome::LeftAlone,
        });
        assert!(
            toast(&app).contains("no longer in the clipboard"),
            "{}",
            toast(&app)
        );
    }

    #[test]
    fn another_toast_ends_the_countdown_and_a_kept_copy_has_none() {
        let mut app = app();
        app.update(Msg::Copied {
            name: "acme".into(),
            result: Ok(done(30)),
        });
        press(&mut app, "s");
        app.update(Msg::Tick(at(1)));
        assert_eq!(toast(&app), "sorted by time left");
        app.update(Msg::Copied {
            name: "acme".into(),
            result: Ok(done(0)),
        });
        assert_eq!(toast(&app), "copied acme's token to the desktop clipboard");
        app.update(Msg::Tick(at(2)));
        assert_eq!(toast(&app), "copied acme's token to the desktop clipboard");
    }

    #[test]
    fn a_failed_copy_is_an_error_toast() {
        let mut app = app();
        app.update(Msg::Copied {
            name: "umbrella".into(),
            result: Err("umbrella needs a login: run `zdauth login umbrella`".into()),
        });
        let shown = app.toast().unwrap();
        assert!(shown.error);
        assert!(
            shown
                .text
                .starts_with("nothing copied for umbrella: umbrella needs a login")
        );
    }

    #[test]
    fn in_the_login_modal_c_copies_the_authorize_url_once_known() {
        let mut app = app();
        press(&mut app, "l");
        assert!(press(&mut app, "c").is_empty());
        assert_eq!(toast(&app), "the login URL is not there yet");
        let url = "https://acme.zendesk.com/oauth/authorizations/new?state=x".to_owned();
        app.update(Msg::Login {
            name: "acme".into(),
            update: LoginUpdate::Url(url.clone()),
        });
        assert_eq!(
            press(&mut app, "c"),
            [Effect::Copy {
                name: "acme".into(),
                what: CopyWhat::LoginUrl(url)
            }]
        );
    }
}
