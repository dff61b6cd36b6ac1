//! Every picked connection's call at once on the session's one runtime, through one
//! [`ApiCaller`] and one throttle, its answers handed to the printer as they come.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::{JoinSet, LocalSet};
use tokio_util::sync::CancellationToken;
use zdauth_core::api::{ApiCaller, ApiRequest, Outcome, Page};
use zdauth_core::config::Connection;
use zdauth_core::error::Error;
use zdauth_core::throttle::Throttle;

use crate::cli::session::Session;

/// What the printer is handed, in the order things happened: each connection's pages in
/// order, then its end.
pub enum Event {
    Page(Page),
    Done {
        connection: String,
        result: Result<Outcome, Error>,
    },
}

/// Answers waiting for the printer, all connections together. Small: a full channel holds
/// every walk back, so memory grows neither with the pages nor with the connections.
const WAITING: usize = 16;

/// Runs `request` on every connection, calling `on_event` for each event until it returns
/// false (stdout went away): the walks are then cancelled, so that no connection that has
/// not started makes its first request, and this returns once all have ended (a refresh on
/// the wire is never abandoned). False if a walk ended without telling how (a panic).
pub fn fan_out(
    session: &Session,
    connections: Vec<Connection>,
    request: ApiRequest,
    jobs: u16,
    mut on_event: impl FnMut(Event) -> bool,
) -> bool {
    let caller = ApiCaller::new(session.refresher.clone(), Throttle::new(jobs));
    let request = Arc::new(request);
    let cancel = CancellationToken::new();
    // Local tasks: the engine's future needs not be Send, and the runtime has one thread.
    let local = LocalSet::new();
    session.runtime.block_on(local.run_until(async move {
        // Every walk sends into the one channel: a page names its connection.
        let (pages, mut incoming) = mpsc::channel::<Page>(WAITING);
        let mut tasks = JoinSet::new();
        for connection in connections {
            let (caller, request, pages) = (caller.clone(), request.clone(), pages.clone());
            let cancel = cancel.clone();
            tasks.spawn_local(async move {
                let result = caller.call(&connection, &request, &pages, &cancel).await;
                (connection.name, result)
            });
        }
        drop(pages);
        let mut all_told = true;
        let mut senders_left = true;
        'printing: loop {
            tokio::select! {
                biased;
                page = incoming.recv(), if senders_left => match page {
                    Some(page) => {
                        if !on_event(Event::Page(page)) {
                            break 'printing;
                        }
                    }
                    None => senders_left = false,
                },
                joined = tasks.join_next() => match joined {
                    None => break 'printing,
                    Some(Ok((connection, result))) => {
                        // The walk sent each of its pages before it ended: those still
                        // waiting go first, so that its end comes after them.
                        while let Ok(page) = incoming.try_recv() {
                            if !on_event(Event::Page(page)) {
                                break 'printing;
                            }
                        }
                        if !on_event(Event::Done { connection, result }) {
                            break 'printing;
                        }
                    }
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "an api task failed");
                        all_told = false;
                    }
                },
            }
        }
        cancel.cancel();
        drop(incoming);
        while let Some(joined) = tasks.join_next().await {
            if let Err(e) = joined {
                tracing::warn!(error = %e, "an api task failed");
                all_told = false;
            }
        }
        all_told
    }))
}
