//! What keep-alive remembers of each connection between passes: its last result, its next
//! deadline, its failures, and which problem the user was already told about.

use jiff::Timestamp;

use super::ConnectionReport;
use super::schedule::shown;

/// Why a grant that will lapse within `keepalive` cannot be kept. Each is told once (a
/// notification) when it appears, not on every pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    LoginRequired,
    NoRefreshToken,
    Locked,
    Failing,
    NotExtended,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Track {
    pub(crate) last_keepalive: Option<Timestamp>,
    pub(crate) result: String,
    pub(crate) refresh_expires_at: Option<Timestamp>,
    /// When the grant lapses (stored or assumed), for the messages.
    pub(crate) lapses_at: Option<Timestamp>,
    pub(crate) warning: Option<String>,
    pub(crate) problem: Option<Problem>,
    /// The problem last notified; a new notification only when `problem` differs.
    pub(crate) notified: Option<Problem>,
    pub(crate) failures: u32,
    pub(crate) retry_at: Option<Timestamp>,
    /// The refresh expiry a keep-alive refresh did not move: not refreshed again for as long
    /// as it is the stored one (each try would spend a token for nothing).
    pub(crate) stuck_at: Option<Timestamp>,
    /// When this connection next needs keep-alive; None: nothing scheduled.
    pub(crate) next_at: Option<Timestamp>,
}

impl Track {
    /// Marks a problem: the report's result and warning, and the log line.
    pub(crate) fn fail(&mut self, name: &str, problem: Problem, result: &str, warning: &str) {
        let warning = crate::text::display(warning);
        if self.problem != Some(problem) || self.warning.as_deref() != Some(warning.as_str()) {
            tracing::warn!(connection = %name, "keep-alive: {warning}");
        }
        self.problem = Some(problem);
        self.result = crate::text::display(result);
        self.warning = Some(warning);
    }

    /// The grant is fine (again): nothing to warn about.
    pub(crate) fn clear(&mut self) {
        self.problem = None;
        self.warning = None;
        self.notified = None;
    }

    pub(crate) fn report(&self, name: &str) -> ConnectionReport {
        ConnectionReport {
            name: name.to_owned(),
            last_keepalive: self.last_keepalive,
            result: self.result.clone(),
            refresh_expires_at: self.refresh_expires_at,
            warning: self.warning.clone(),
        }
    }

    /// The notification for a problem not told yet, if there is one; marks it told.
    pub(crate) fn untold(&mut self, name: &str) -> Option<(String, String)> {
        let problem = self.problem?;
        if self.notified == Some(problem) {
            return None;
        }
        self.notified = Some(problem);
        Some(notification(name, problem, self.lapses_at, self.failures))
    }
}

/// Title and body, from the connection's name and fixed phrases only: never a token, and no
/// server text (that goes to the log and the report, where it was already made safe).
fn notification(
    name: &str,
    problem: Problem,
    lapses_at: Option<Timestamp>,
    failures: u32,
) -> (String, String) {
    let lapses = lapses_at.map_or_else(|| "soon".to_owned(), |at| format!("at {}", shown(at)));
    let title = format!("zdauth: {name} will need a login");
    let body = match problem {
        Problem::LoginRequired => {
            format!("Zendesk no longer accepts {name}'s grant: run `zdauth login {name}`.")
        }
        Problem::NoRefreshToken => format!(
            "{name} has no refresh token, so nothing can keep it; its token expires {lapses}: run `zdauth login {name}`."
        ),
        Problem::Locked => format!(
            "Keep-alive for {name} was due, but the agent is locked; the grant lapses {lapses}: run `zdauth unlock`."
        ),
        Problem::Failing => format!(
            "Keep-alive for {name} failed {failures} times in a row and keeps trying; the grant lapses {lapses}. See `zdauth agent status`."
        ),
        Problem::NotExtended => format!(
            "A refresh did not extend {name}'s grant; it lapses {lapses}: run `zdauth login {name}` before then."
        ),
    };
    (title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_is_told_once_until_it_changes() {
        let mut track = Track::default();
        track.fail("acme", Problem::Locked, "locked", "locked");
        assert!(track.untold("acme").is_some());
        assert!(track.untold("acme").is_none());
        track.fail("acme", Problem::Failing, "error", "failing");
        let (title, body) = track.untold("acme").unwrap();
        assert!(title.contains("acme") && body.contains("failed"), "{body}");
        assert!(track.untold("acme").is_none());
        track.clear();
        assert!(track.untold("acme").is_none());
        track.fail("acme", Problem::Failing, "error", "failing");
        assert!(
            track.untold("acme").is_some(),
            "a problem back after a fix is new"
        );
    }

    #[test]
    fn the_report_line_is_one_clean_line() {
        let mut track = Track::default();
        track.fail(
            "acme",
            Problem::LoginRequired,
            "login required\n\u{1b}[2J",
            "refused\r\nnext",
        );
        let line = track.report("acme");
        assert_eq!(line.result, "login required ");
        assert_eq!(line.warning.as_deref(), Some("refused  next"));
    }
}
