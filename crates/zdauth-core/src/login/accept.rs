//! The catcher's accept loop (checklist item 33). Any local program can connect to the
//! loopback port, so a crowd of idle or half-sent connections must not keep the browser's
//! redirect out: at most [`MAX_CONNECTIONS`] are served at once, each gets
//! [`HEADER_TIMEOUT`] to send its request, and when a slot (or a file descriptor) is needed,
//! the oldest connection still waiting for its request makes room. A browser sends its
//! request the moment it connects, so the newcomer is the one worth keeping.
//!
//! Hand-written rather than `axum::serve`, whose loop caps nothing, has no header timeout,
//! and logs an accept error (EMFILE) and retries each second without telling anyone.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::service::{Service, service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Connections served at once: a browser opens a few, a crowd gets no more.
pub(crate) const MAX_CONNECTIONS: usize = 32;
/// How long a connection may take to send its request line and headers.
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(3);
/// The whole life of one connection: a callback is answered in milliseconds.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(10);
/// A request line and headers larger than this are refused (hyper's floor is 8 KiB).
const MAX_REQUEST_HEAD: usize = 64 * 1024;
/// How long a finished login lets the pages being written finish before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// Waits after an accept error that no eviction can cure, doubling up to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(50), Duration::from_secs(1));

/// The last accept error, for the login to report if no callback came.
#[derive(Debug, Default)]
pub(crate) struct AcceptTrouble(Mutex<Option<io::Error>>);

impl AcceptTrouble {
    fn record(&self, error: io::Error) {
        let mut last = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_none() {
            tracing::warn!(%error, "the login listener cannot accept connections");
        }
        *last = Some(error);
    }

    pub(crate) fn take(&self) -> Option<io::Error> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

struct Live {
    task: JoinHandle<()>,
    /// Its request has arrived and is being answered: never evicted.
    answering: Arc<AtomicBool>,
}

/// Serves `router` on `listener` until `stop`; the port is closed when this returns.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    stop: CancellationToken,
    trouble: Arc<AcceptTrouble>,
) {
    let mut live = VecDeque::new();
    let mut backoff = BACKOFF.0;
    loop {
        let accepted = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        live.retain(|c: &Live| !c.task.is_finished());
        match accepted {
            Ok((stream, _)) => {
                backoff = BACKOFF.0;
                if live.len() >= MAX_CONNECTIONS && !evict_oldest_waiting(&mut live).await {
                    // Every slot is answering a request; this one may try again.
                    continue;
                }
                live.push_back(spawn_connection(stream, router.clone()));
            }
            // That client gave up before we took it: nothing wrong here.
            Err(e) if is_connection_error(&e) => {}
            Err(e) => {
                trouble.record(e);
                // Out of descriptors (EMFILE, ENFILE) or memory: a waiting connection gives
                // its descriptor back, else wait (the listener stays ready, so retrying at
                // once would spin).
                if !evict_oldest_waiting(&mut live).await {
                    tokio::select! {
                        () = stop.cancelled() => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(BACKOFF.1);
                }
            }
        }
    }
    drop(listener);
    finish(live).await;
}

/// Drops the oldest connection that has not sent its request, and waits until its socket is
/// closed, so the descriptor is free for the next accept. False when every one is answering.
async fn evict_oldest_waiting(live: &mut VecDeque<Live>) -> bool {
    let Some(at) = live
        .iter()
        .position(|c| !c.answering.load(Ordering::Acquire))
    else {
        return false;
    };
    let Some(evicted) = live.remove(at) else {
        return false;
    };
    evicted.task.abort();
    // An aborted task completes once its future, and with it the socket, is dropped.
    let _ = evicted.task.await;
    true
}

/// Connections still waiting for a request go at once; pages being written get a moment.
async fn finish(live: VecDeque<Live>) {
    let mut answering = Vec::new();
    for connection in live {
        if connection.answering.load(Ordering::Acquire) {
            answering.push(connection.task);
        } else {
            connection.task.abort();
            let _ = connection.task.await;
        }
    }
    for mut task in answering {
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

fn spawn_connection(stream: TcpStream, router: Router) -> Live {
    let answering = Arc::new(AtomicBool::new(false));
    let flag = answering.clone();
    let service = TowerToHyperService::new(router);
    let service = service_fn(move |request| {
        flag.store(true, Ordering::Release);
        service.call(request)
    });
    let task = tokio::spawn(async move {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .max_buf_size(MAX_REQUEST_HEAD)
            // One request per connection: nothing lingers after the page.
            .keep_alive(false);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        if let Ok(Err(error)) = tokio::time::timeout(CONNECTION_LIFETIME, connection).await {
            tracing::debug!(%error, "a connection to the login listener ended badly");
        }
    });
    Live { task, answering }
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
