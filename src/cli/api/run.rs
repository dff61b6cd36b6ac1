//! Every picked connection's call at once on the session's one runtime, through one
//! [`ApiCaller`] and one throttle, its answers handed to the printer as they come.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::{JoinSet, LocalSet};
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

/// Answers waiting for the printer. Small: a full channel holds every walk back, so memory
/// does not grow with the number of pages.
const WAITING: usize = 16;

/// Runs `request` on every connection, calling `on_event` for each event until it returns
/// false (stdout went away): the walks then end quietly, each at its next answer, and this
/// returns once all have (a refresh on the wire is never abandoned). False if a walk ended
/// without telling how (a panic).
pub fn fan_out(
    session: &Session,
    connections: Vec<Connection>,
    request: ApiRequest,
    jobs: u16,
    mut on_event: impl FnMut(Event) -> bool,
) -> bool {
    let caller = ApiCaller::new(session.refresher.clone(), Throttle::new(jobs));
    let request = Arc::new(request);
    // Local tasks: the engine's future needs not be Send, and the runtime has one thread.
    let local = LocalSet::new();
    session.runtime.block_on(local.run_until(async move {
        let (events, mut incoming) = mpsc::channel::<Event>(WAITING);
        let mut tasks = JoinSet::new();
        for connection in connections {
            let (caller, request, events) = (caller.clone(), request.clone(), events.clone());
            tasks.spawn_local(async move {
                let (pages, mut arriving) = mpsc::channel::<Page>(1);
                let forwarded = events.clone();
                let call = async move {
                    let result = caller
                        .call(
                            &connection,
                            &request,
                            &pages,
                            &tokio_util::sync::CancellationToken::new(),
                        )
                        .await;
                    drop(pages);
                    (connection.name, result)
                };
                // Moved in, so that the receiver goes when the printer does and the walk's
                // next send fails instead of waiting.
                let forward = async move {
                    while let Some(page) = arriving.recv().await {
                        if forwarded.send(Event::Page(page)).await.is_err() {
                            break;
                        }
                    }
                };
                let ((connection, result), ()) = tokio::join!(call, forward);
                let _ = events.send(Event::Done { connection, result }).await;
            });
        }
        drop(events);
        while let Some(event) = incoming.recv().await {
            if !on_event(event) {
                break;
            }
        }
        drop(incoming);
        let mut all_told = true;
        while let Some(joined) = tasks.join_next().await {
            if let Err(e) = joined {
                tracing::warn!(error = %e, "an api task failed");
                all_told = false;
            }
        }
        all_told
    }))
}
