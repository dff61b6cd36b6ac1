//! What the header sums up: the token counts, the grants about to lapse, and the agent.
//! Read by the view, fed by `update`, so pure like it.

use super::App;
use crate::tui::lapse::Lapse;
use zdauth_core::agent::AgentSummary;
use zdauth_core::status::TokenStatus;

/// The header's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub valid: usize,
    pub expiring: usize,
    pub expired: usize,
    pub need_login: usize,
    /// Refresh tokens that run out within [`lapse::window`](crate::tui::lapse::window):
    /// the rows whose REFRESH column is marked.
    pub lapsing: usize,
    /// Of those, the ones under 3 days.
    pub imminent: usize,
}

/// The agent for this config dir, as the runtime last heard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AgentView {
    /// Not asked yet: the header says nothing rather than guess.
    #[default]
    NotAsked,
    /// No agent answers.
    Absent,
    Running(AgentSummary),
}

impl App {
    /// How many tokens are valid, expiring, expired (a refresh still helps), how many
    /// connections need a login, and how many grants are about to lapse, over the rows the
    /// filter shows (all of them without one), by what is stored and the clock as last
    /// ticked.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for row in self.visible.iter().map(|&i| &self.rows[i]) {
            match row.token_status(self.now, self.margin) {
                TokenStatus::Valid => counts.valid += 1,
                TokenStatus::Expiring => counts.expiring += 1,
                TokenStatus::Expired => counts.expired += 1,
                TokenStatus::LoginRequired | TokenStatus::NoToken | TokenStatus::NoSecret => {
                    counts.need_login += 1;
                }
            }
            match row.lapse(self.now, self.keepalive) {
                Some(Lapse::Imminent) => {
                    counts.lapsing += 1;
                    counts.imminent += 1;
                }
                Some(Lapse::Soon) => counts.lapsing += 1,
                None => {}
            }
        }
        counts
    }

    pub fn agent(&self) -> &AgentView {
        &self.agent
    }

    pub fn keepalive(&self) -> std::time::Duration {
        self.keepalive
    }

    /// Whether the header needs its second line: something about the cliff, the team store
    /// or the agent to say. Without an agent and with nothing lapsing the header is one line, as before
    /// the agent existed. The list's page size follows it.
    pub fn header_rows(&self) -> u16 {
        let agent = matches!(self.agent, AgentView::Running(_));
        // Asked for every frame and page: stop at the first lapsing row.
        let lapsing = || {
            self.rows
                .iter()
                .any(|row| row.lapse(self.now, self.keepalive).is_some())
        };
        let store = self.options.store.is_some();
        if agent || store || lapsing() { 2 } else { 1 }
    }

    /// `false`: the agent says what it said last time, nothing to redraw.
    pub(super) fn agent_said(&mut self, summary: Option<AgentSummary>) -> bool {
        let view = summary.map_or(AgentView::Absent, AgentView::Running);
        if view == self.agent {
            return false;
        }
        self.agent = view;
        true
    }
}
