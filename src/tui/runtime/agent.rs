//! The agent's state for the header: asked off the UI thread (the question is a blocking
//! socket round trip with its own short timeout) every few seconds, and told to `update` only
//! when it changed, so an idle TUI does not redraw for it.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::tui::Msg;
use zdauth_core::agent::{self, AgentSummary};
use zdauth_core::paths::Paths;

/// Often enough that `zdauth unlock` in another terminal shows within seconds; rarely enough
/// to cost nothing while idle.
const POLL: Duration = Duration::from_secs(5);

pub(super) async fn watch_agent(
    paths: Paths,
    sender: mpsc::UnboundedSender<Msg>,
    stop: CancellationToken,
) {
    let mut told: Option<Option<AgentSummary>> = None;
    loop {
        let asked = paths.clone();
        let Ok(summary) = tokio::task::spawn_blocking(move || agent::summary(&asked)).await else {
            return;
        };
        if told.as_ref() != Some(&summary) {
            if sender.send(Msg::Agent(summary.clone())).is_err() {
                return;
            }
            told = Some(summary);
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
