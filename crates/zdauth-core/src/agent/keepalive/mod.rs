//! Keep-alive: the agent refreshes every grant whose refresh token is about to lapse unused.
//!
//! Interface placeholder: the keep-alive engineer replaces the bodies; the agent's server
//! calls exactly these.

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::paths::Paths;
use crate::refresh::Refresher;

/// What `zdauth agent status` shows of keep-alive.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KeepAliveReport {
    /// When the next pass is due; None: nothing to keep alive (or keep-alive is off).
    pub next_keepalive: Option<Timestamp>,
    pub connections: Vec<ConnectionReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConnectionReport {
    pub name: String,
    pub last_keepalive: Option<Timestamp>,
    /// One line, no secret: "ok", "login required: …", "locked", "error: …".
    pub result: String,
    pub refresh_expires_at: Option<Timestamp>,
    /// Set when the grant will lapse within `keepalive` and cannot be kept.
    pub warning: Option<String>,
}

pub struct KeepAlive {
    _paths: Paths,
}

impl KeepAlive {
    pub fn new(paths: Paths) -> Arc<Self> {
        Arc::new(Self { _paths: paths })
    }

    /// The agent's keep-alive loop, until `stop`. `refresher` is Some while the agent holds an
    /// opened identity; a pass never keeps its clone between passes (a lock must be able to
    /// drop the identity).
    pub async fn run(
        self: Arc<Self>,
        _refresher: watch::Receiver<Option<Arc<Refresher>>>,
        stop: CancellationToken,
    ) {
        stop.cancelled().await;
    }

    pub fn report(&self) -> KeepAliveReport {
        KeepAliveReport::default()
    }
}
