//! What crosses the agent's socket: one JSON object per line, each at most `MAX_FRAME`
//! bytes. A blank line is the agent saying "still working" while a request runs (a refresh,
//! scrypt), so that a client can tell a slow answer from a dead agent without a long timeout.
//!
//! The identity is not in any of these types: the agent answers with file keys (one vault
//! read each) and access tokens, never with what makes them.

use std::io::{self, BufRead, Read, Write};

use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::ErrorClass;
use crate::secret::Secret;

/// A request is a few hundred bytes (an Unlock, an age header's stanzas).
pub(crate) const MAX_REQUEST: usize = 64 << 10;
/// A status lists every connection keep-alive reports, ~200 bytes each: 1,000 fit.
pub(crate) const MAX_FRAME: usize = 1 << 20;
pub(crate) const PROTOCOL: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "request", rename_all = "snake_case")]
pub(crate) enum Request {
    Hello,
    Status,
    /// For a sealed identity; ignored for a plain identity file, which the agent reads itself.
    Unlock {
        passphrase: Option<Secret>,
    },
    Lock,
    Stop,
    /// The stanzas of one age header: the answer is its file key.
    Unwrap {
        stanzas: Vec<WireStanza>,
    },
    Token {
        name: String,
        /// `--min-valid`, in seconds; None: the refresh margin of the settings.
        min_valid_secs: Option<u64>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireStanza {
    pub(crate) tag: String,
    pub(crate) args: Vec<String>,
    /// Base64 (standard, padded) of the stanza's body: the wrapped file key, not the key.
    pub(crate) body: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub(crate) enum Answer {
    Hello {
        protocol: u32,
        pid: u32,
        unlocked: bool,
        /// The public `age1…` recipient(s), while unlocked.
        recipient: Option<String>,
    },
    Status(AgentStatus),
    Unlocked {
        until: Option<Timestamp>,
    },
    Done,
    /// Base64 of the 16-byte file key; None: no stanza was for this identity.
    FileKey {
        key: Option<Secret>,
    },
    Token {
        access_token: Secret,
    },
    Error {
        class: WireClass,
        message: String,
    },
}

/// What `zdauth agent status` shows; the JSON of `--json` adds `running` and `socket`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentStatus {
    pub pid: u32,
    pub unlocked: bool,
    /// When it locks by itself; None while locked, or for a plain identity file.
    pub unlocked_until: Option<Timestamp>,
    /// identity.age or the plain identity file the agent opens.
    pub identity: String,
    pub next_keepalive: Option<Timestamp>,
    /// Why keep-alive looks at no connection (it is off, or config.toml or vault.age could
    /// not be read); None when it runs. Absent from an older agent's answer.
    #[serde(default)]
    pub keepalive_problem: Option<String>,
    pub connections: Vec<KeptConnection>,
    /// Why a locked agent is locked (None while unlocked): a command re-unlocks it by itself
    /// only when it was not `zdauth lock` (review finding 2).
    #[serde(default)]
    pub locked_by: Option<LockedBy>,
    /// Why keep-alive cannot say when it runs next (`next_keepalive` is then None): a sealed
    /// agent that was never unlocked knows nothing of the vault (review finding 16).
    #[serde(default)]
    pub keepalive_waiting: Option<String>,
}

/// What locked a locked agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockedBy {
    /// It has not opened the identity since it started.
    Start,
    /// `agent_timeout` passed without a secret use.
    Timeout,
    /// `zdauth lock` (or the agent stopping).
    Command,
}

/// One connection as keep-alive last saw it (`keepalive::ConnectionReport` on the wire).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeptConnection {
    pub name: String,
    pub last_keepalive: Option<Timestamp>,
    pub result: String,
    pub refresh_expires_at: Option<Timestamp>,
    pub warning: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WireClass {
    Usage,
    Locked,
    /// [`crate::Error::WrongPassphrase`], which a door may ask again for.
    WrongPassphrase,
    LoginRequired,
    ZendeskOrNetwork,
    Other,
}

impl From<ErrorClass> for WireClass {
    fn from(class: ErrorClass) -> Self {
        match class {
            ErrorClass::Usage => Self::Usage,
            ErrorClass::Locked => Self::Locked,
            ErrorClass::LoginRequired => Self::LoginRequired,
            ErrorClass::ZendeskOrNetwork => Self::ZendeskOrNetwork,
            ErrorClass::Other => Self::Other,
        }
    }
}

impl From<WireClass> for ErrorClass {
    fn from(class: WireClass) -> Self {
        match class {
            WireClass::Usage => Self::Usage,
            WireClass::Locked | WireClass::WrongPassphrase => Self::Locked,
            WireClass::LoginRequired => Self::LoginRequired,
            WireClass::ZendeskOrNetwork => Self::ZendeskOrNetwork,
            WireClass::Other => Self::Other,
        }
    }
}

/// `value` as one line, in a buffer zeroized after the write (it may hold a file key).
pub(crate) fn encode(value: &impl Serialize) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(4096));
    serde_json::to_writer(&mut *line, value)?;
    if line.len() >= MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "an agent message over the size limit",
        ));
    }
    line.push(b'\n');
    Ok(line)
}

pub(crate) fn write_frame(to: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    to.write_all(&encode(value)?)?;
    to.flush()
}

/// The next message, skipping "still working" lines; None at the end of the stream.
pub(crate) fn read_frame<T: DeserializeOwned>(from: &mut impl BufRead) -> io::Result<Option<T>> {
    read_capped(from, MAX_FRAME)
}

/// [`read_frame`] with a cap of `cap` bytes a message.
pub(crate) fn read_capped<T: DeserializeOwned>(
    from: &mut impl BufRead,
    cap: usize,
) -> io::Result<Option<T>> {
    let mut line = Zeroizing::new(Vec::with_capacity(4096));
    loop {
        line.clear();
        let read = from
            .by_ref()
            .take(cap as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(None);
        }
        if line.last() != Some(&b'\n') {
            let why = if read > cap {
                "an agent message over the size limit"
            } else {
                "the agent's message was cut short"
            };
            return Err(io::Error::new(io::ErrorKind::InvalidData, why));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        return serde_json::from_slice(&line)
            .map(Some)
            .map_err(io::Error::from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_heartbeats_are_skipped() {
        let mut wire = b"\n\n".to_vec();
        wire.extend_from_slice(&encode(&Request::Hello).unwrap());
        let mut reader = io::BufReader::new(&wire[..]);
        assert!(matches!(
            read_frame(&mut reader).unwrap(),
            Some(Request::Hello)
        ));
        assert!(read_frame::<Request>(&mut reader).unwrap().is_none());
    }

    #[test]
    fn an_oversized_or_cut_frame_is_an_error_not_a_wait() {
        let big = vec![b'x'; MAX_FRAME + 10];
        let mut reader = io::BufReader::new(&big[..]);
        assert!(read_frame::<Request>(&mut reader).is_err());
        let mut cut = io::BufReader::new(&b"{\"request\":"[..]);
        assert!(read_frame::<Request>(&mut cut).is_err());
    }
}
