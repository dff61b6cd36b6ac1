//! One client connection: its peer checked, then requests answered one at a time, each
//! read and written with a timeout, with "still working" lines while an answer takes long.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use zeroize::Zeroizing;

use super::state::Agent;
use crate::agent::client::HEARTBEAT;
use crate::agent::keepalive::KeepAlive;
use crate::agent::protocol::{
    AgentStatus, Answer, KeptConnection, LockedBy, MAX_REQUEST, PROTOCOL, Request, WireClass,
    WireStanza, encode,
};
use crate::error::Error;
use crate::secret::Secret;
use crate::sys;

/// A client that sends nothing for this long is let go.
const IDLE: Duration = Duration::from_secs(30);
const WRITE: Duration = Duration::from_secs(10);

pub(super) async fn serve_connection(
    agent: Arc<Agent>,
    keepalive: Arc<KeepAlive>,
    stream: UnixStream,
) {
    match stream.peer_cred() {
        Ok(peer) if peer.uid() == sys::euid() => {}
        Ok(peer) => {
            tracing::warn!(
                uid = peer.uid(),
                pid = peer.pid(),
                "refused a connection from another user"
            );
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "refused a connection whose peer is unknown");
            return;
        }
    }
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = Zeroizing::new(Vec::with_capacity(4096));
    loop {
        line.clear();
        let mut capped = (&mut reader).take(MAX_REQUEST as u64 + 1);
        let read = tokio::select! {
            read = tokio::time::timeout(IDLE, capped.read_until(b'\n', &mut line)) => read,
            () = agent.stop.cancelled() => return,
        };
        match read {
            Ok(Ok(n)) if n > 0 && line.last() == Some(&b'\n') => {}
            // End of stream, idle, cut short or over the cap: nothing more to answer.
            _ => return,
        }
        let Ok(request) = serde_json::from_slice::<Request>(&line) else {
            let refused = answer_error(&Error::Usage(
                "not a request this agent knows: use the same zdauth for the agent and the command"
                    .into(),
            ));
            let _ = send(&mut write, &refused).await;
            return;
        };
        let stopping = matches!(request, Request::Stop);
        let work = answer(&agent, &keepalive, request);
        tokio::pin!(work);
        let answer = loop {
            tokio::select! {
                answer = &mut work => break answer,
                () = tokio::time::sleep(HEARTBEAT) => {
                    if send_raw(&mut write, b"\n").await.is_err() {
                        // The client went; the work (a refresh) still finishes and is stored.
                        let _ = work.await;
                        return;
                    }
                }
            }
        };
        let sent = send(&mut write, &answer).await;
        if stopping {
            agent.stop.cancel();
        }
        if sent.is_err() || stopping {
            return;
        }
    }
}

async fn answer(agent: &Arc<Agent>, keepalive: &KeepAlive, request: Request) -> Answer {
    let asked_at = tokio::time::Instant::now();
    // The kind only: a request may carry a passphrase or a connection's name.
    tracing::debug!(request = kind(&request), "agent request");
    let result = match request {
        Request::Hello => Ok(Answer::Hello {
            protocol: PROTOCOL,
            pid: std::process::id(),
            unlocked: agent.recipient().is_some(),
            recipient: agent.recipient(),
        }),
        Request::Status => Ok(Answer::Status(status(agent, keepalive))),
        Request::Unlock { passphrase } => agent
            .unlock(passphrase, asked_at)
            .await
            .map(|until| Answer::Unlocked { until }),
        Request::Lock => {
            agent.lock("asked by `zdauth lock`");
            Ok(Answer::Done)
        }
        Request::Stop => Ok(Answer::Done),
        Request::Unwrap { stanzas } => unwrap(agent, &stanzas),
        Request::Token {
            name,
            min_valid_secs,
        } => agent
            .token(&name, min_valid_secs.map(Duration::from_secs))
            .await
            .map(|access_token| Answer::Token { access_token }),
    };
    result.unwrap_or_else(|e| answer_error(&e))
}

fn kind(request: &Request) -> &'static str {
    match request {
        Request::Hello => "hello",
        Request::Status => "status",
        Request::Unlock { .. } => "unlock",
        Request::Lock => "lock",
        Request::Stop => "stop",
        Request::Unwrap { .. } => "unwrap",
        Request::Token { .. } => "token",
    }
}

fn unwrap(agent: &Agent, stanzas: &[WireStanza]) -> Result<Answer, Error> {
    let refused = || Error::Usage("the agent was sent a stanza it cannot read".into());
    let stanzas = stanzas
        .iter()
        .map(|s| {
            Ok(age_core::format::Stanza {
                tag: s.tag.clone(),
                args: s.args.clone(),
                body: STANDARD.decode(&s.body).map_err(|_| refused())?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let key = agent.with_open(|open| open.refresher.vault().keys().unwrap_stanzas(&stanzas))?;
    match key {
        None => Ok(Answer::FileKey { key: None }),
        Some(Ok(key)) => {
            use age::secrecy::ExposeSecret;
            let encoded = Zeroizing::new(STANDARD.encode(key.expose_secret()));
            Ok(Answer::FileKey {
                key: Some(Secret::new(encoded.as_str())),
            })
        }
        Some(Err(e)) => Err(Error::Crypto(format!(
            "the agent could not unwrap the file key ({e}): the file is damaged or not for this identity"
        ))),
    }
}

fn status(agent: &Agent, keepalive: &KeepAlive) -> AgentStatus {
    let (unlocked, unlocked_until) = agent.unlocked_until();
    let report = keepalive.report();
    let identity = crate::config::Config::load(&agent.paths.config()).map_or_else(
        |_| agent.paths.identity().display().to_string(),
        |config| match super::state::identity_source(&agent.paths, &config) {
            crate::vault::IdentitySource::Sealed(path)
            | crate::vault::IdentitySource::PlainFile(path) => path.display().to_string(),
        },
    );
    let locked_by = agent.locked_by();
    // Never unlocked since it started: keep-alive has no vault to plan from, so whatever its
    // report says of the next pass, the truth is that it waits for the identity.
    let keepalive_waiting = (locked_by == Some(LockedBy::Start)).then(|| {
        "waiting for `zdauth unlock`: the agent has not opened the identity since it started"
            .to_owned()
    });
    AgentStatus {
        pid: std::process::id(),
        unlocked,
        unlocked_until,
        identity,
        next_keepalive: report
            .next_keepalive
            .filter(|_| keepalive_waiting.is_none()),
        locked_by,
        keepalive_waiting,
        keepalive_problem: report.problem,
        connections: report
            .connections
            .into_iter()
            .map(|c| KeptConnection {
                name: c.name,
                last_keepalive: c.last_keepalive,
                result: c.result,
                refresh_expires_at: c.refresh_expires_at,
                warning: c.warning,
            })
            .collect(),
    }
}

fn answer_error(e: &Error) -> Answer {
    let class = match e {
        Error::WrongPassphrase { .. } => WireClass::WrongPassphrase,
        e => e.class().into(),
    };
    Answer::Error {
        class,
        message: e.to_string(),
    }
}

async fn send(write: &mut tokio::net::unix::OwnedWriteHalf, answer: &Answer) -> Result<(), ()> {
    let line = encode(answer).map_err(drop)?;
    send_raw(write, &line).await
}

async fn send_raw(write: &mut tokio::net::unix::OwnedWriteHalf, bytes: &[u8]) -> Result<(), ()> {
    match tokio::time::timeout(WRITE, write.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}
