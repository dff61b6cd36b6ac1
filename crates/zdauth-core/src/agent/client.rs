//! The client side, synchronous and bounded: every door asks the agent through this, with a
//! timeout on every read and write, so that no command hangs on an agent that died or stopped.

use std::fs::{File, TryLockError};
use std::io::{self, BufReader};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::place::Place;
use super::protocol::{
    AgentStatus, Answer, PROTOCOL, Request, WireClass, WireStanza, read_frame, write_frame,
};
use crate::error::{Error, ErrorClass};
use crate::paths::Paths;
use crate::secret::Secret;

/// The agent sends a "still working" line at least this often while a request runs.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(2);
/// Silence longer than this (five heartbeats) from a live agent means it is stuck (stopped,
/// swapped out, deadlocked).
const SILENCE: Duration = Duration::from_secs(10);

/// The agent's answer to a `token`.
#[derive(Debug)]
pub enum TokenAnswer {
    Token(Secret),
    /// The agent's own error (login required, unknown connection…): the command's answer.
    Refused(Error),
    /// No agent, a locked one, or one that could not be reached: the slow path decides.
    Unavailable(String),
}

/// What the agent said about itself.
#[derive(Debug, Clone)]
pub struct Hello {
    pub pid: u32,
    pub unlocked: bool,
    pub recipient: Option<String>,
}

/// The agent of one config dir, reached anew for every request (a connect to a local
/// socket costs microseconds, and a client then never holds a connection an agent restart
/// broke).
#[derive(Debug, Clone)]
pub struct AgentClient {
    place: Place,
    silence: Duration,
}

impl AgentClient {
    pub fn new(paths: &Paths) -> Result<Self, Error> {
        Ok(Self {
            place: Place::of(paths)?,
            silence: SILENCE,
        })
    }

    /// For a question a live agent answers at once (status for a screen's header): a stuck
    /// agent then costs the caller `silence`, not the default.
    #[must_use]
    pub fn answering_within(mut self, silence: Duration) -> Self {
        self.silence = silence;
        self
    }

    pub fn socket(&self) -> &Path {
        self.place.socket()
    }

    /// None: no agent runs (a dead one's socket is removed on the way).
    pub fn hello(&self) -> Result<Option<Hello>, Error> {
        let Some(answer) = self.ask_if_running(&Request::Hello)? else {
            return Ok(None);
        };
        match answer {
            Answer::Hello { protocol, .. } if protocol != PROTOCOL => Err(failed(format!(
                "the agent at {} speaks another protocol ({protocol}, this zdauth {PROTOCOL}): run `zdauth agent stop`, then the command again",
                self.socket().display()
            ))),
            Answer::Hello {
                pid,
                unlocked,
                recipient,
                ..
            } => Ok(Some(Hello {
                pid,
                unlocked,
                recipient,
            })),
            other => Err(unexpected(&other)),
        }
    }

    pub fn status(&self) -> Result<Option<AgentStatus>, Error> {
        match self.ask_if_running(&Request::Status)? {
            None => Ok(None),
            Some(Answer::Status(status)) => Ok(Some(status)),
            Some(other) => Err(unexpected(&other)),
        }
    }

    /// Hands the passphrase of `identity` over (the agent runs scrypt); the answer is when
    /// it locks again. A wrong passphrase is [`Error::WrongPassphrase`], as without an agent.
    pub fn unlock(
        &self,
        passphrase: Option<Secret>,
        identity: &Path,
    ) -> Result<Option<jiff::Timestamp>, Error> {
        match self.exchange(&Request::Unlock { passphrase })? {
            Some(Answer::Unlocked { until }) => Ok(until),
            Some(Answer::Error {
                class: WireClass::WrongPassphrase,
                ..
            }) => Err(Error::WrongPassphrase {
                path: identity.to_path_buf(),
            }),
            Some(Answer::Error { class, message }) => Err(Error::Agent {
                class: class.into(),
                message,
            }),
            Some(other) => Err(unexpected(&other)),
            None => Err(self.gone()),
        }
    }

    /// False: no agent was running.
    pub fn lock(&self) -> Result<bool, Error> {
        self.simple(&Request::Lock)
    }

    /// False: no agent was running.
    pub fn stop(&self) -> Result<bool, Error> {
        self.simple(&Request::Stop)
    }

    fn simple(&self, request: &Request) -> Result<bool, Error> {
        match self.ask_if_running(request)? {
            None => Ok(false),
            Some(Answer::Done) => Ok(true),
            Some(other) => Err(unexpected(&other)),
        }
    }

    /// A fresh access token from the agent, for the `token` fast path.
    pub fn token(&self, name: &str, min_valid: Option<Duration>) -> TokenAnswer {
        let request = Request::Token {
            name: name.to_owned(),
            min_valid_secs: min_valid.map(|d| d.as_secs()),
        };
        let answer = match self.exchange(&request) {
            Ok(Some(answer)) => answer,
            Ok(None) => return TokenAnswer::Unavailable("no agent runs".into()),
            Err(e) => return TokenAnswer::Unavailable(e.to_string()),
        };
        match answer {
            Answer::Token { access_token } => TokenAnswer::Token(access_token),
            Answer::Error {
                class: WireClass::Locked,
                message,
            } => TokenAnswer::Unavailable(message),
            Answer::Error { class, message } => TokenAnswer::Refused(Error::Agent {
                class: class.into(),
                message,
            }),
            other => TokenAnswer::Unavailable(unexpected(&other).to_string()),
        }
    }

    /// The file key of an age header, from the agent's identity; None: not for it.
    pub(crate) fn unwrap(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Result<Option<age_core::format::FileKey>, Error> {
        let stanzas = stanzas
            .iter()
            .map(|s| WireStanza {
                tag: s.tag.clone(),
                args: s.args.clone(),
                body: STANDARD.encode(&s.body),
            })
            .collect();
        let key = match self.ask(&Request::Unwrap { stanzas })? {
            Answer::FileKey { key: None } => return Ok(None),
            Answer::FileKey { key: Some(key) } => key,
            other => return Err(unexpected(&other)),
        };
        let bytes = zeroize::Zeroizing::new(STANDARD.decode(key.expose()).unwrap_or_default());
        let key: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| failed("the agent answered a file key of the wrong size".into()))?;
        Ok(Some(age_core::format::FileKey::new(Box::new(key))))
    }

    /// `request`'s answer; an error when no agent runs.
    fn ask(&self, request: &Request) -> Result<Answer, Error> {
        self.ask_if_running(request)?.ok_or_else(|| self.gone())
    }

    fn gone(&self) -> Error {
        failed(format!(
            "the agent stopped (no socket at {}): run the command again, or `zdauth unlock`",
            self.socket().display()
        ))
    }

    fn ask_if_running(&self, request: &Request) -> Result<Option<Answer>, Error> {
        match self.exchange(request)? {
            Some(Answer::Error { class, message }) => Err(Error::Agent {
                class: class.into(),
                message,
            }),
            answer => Ok(answer),
        }
    }

    /// One request and its answer (an error answer included); None: no agent runs.
    fn exchange(&self, request: &Request) -> Result<Option<Answer>, Error> {
        let Some((stream, socket)) = self.connect()? else {
            return Ok(None);
        };
        let lost = |e: io::Error| {
            failed(format!(
                "the agent at {} did not answer ({e}): run the command again; `zdauth agent stop` ends a stuck agent",
                socket.display()
            ))
        };
        stream.set_read_timeout(Some(self.silence)).map_err(lost)?;
        stream.set_write_timeout(Some(self.silence)).map_err(lost)?;
        write_frame(&mut &stream, request).map_err(lost)?;
        let answer = read_frame::<Answer>(&mut BufReader::new(&stream)).map_err(lost)?;
        match answer {
            None => Err(failed(format!(
                "the agent at {} stopped before it answered: run the command again (a new agent starts, or `zdauth unlock`)",
                socket.display()
            ))),
            Some(answer) => Ok(Some(answer)),
        }
    }

    /// A connection to the running agent, and the socket it came through; None when none
    /// runs. Where this process's environment puts the socket first; else where the live
    /// agent recorded it (an agent started from a login session, asked from cron).
    pub(crate) fn connect(&self) -> Result<Option<(UnixStream, PathBuf)>, Error> {
        if let Some(stream) = connect_at(&self.place)? {
            return Ok(Some((stream, self.place.socket().to_path_buf())));
        }
        let Some(recorded) = self.place.live() else {
            return Ok(None);
        };
        if recorded.socket == self.place.socket() {
            return Ok(None);
        }
        let place = self.place.recorded(recorded.socket)?;
        Ok(connect_at(&place)?.map(|stream| (stream, place.socket().to_path_buf())))
    }

    /// The socket the running agent listens on (this process's place, or the recorded one).
    pub fn reached_socket(&self) -> PathBuf {
        match self.place.live() {
            Some(recorded) if !self.place.socket().exists() => recorded.socket,
            _ => self.place.socket().to_path_buf(),
        }
    }

    /// SIGTERM to the running agent, for one that does not answer; only to the pid its
    /// record's lock proves (see [`Place::verified_pid`]). None: no agent is proven to run.
    pub fn terminate(&self) -> Result<Option<u32>, Error> {
        use rustix::process::{Pid, Signal, kill_process};
        let Some(pid) = self.place.verified_pid() else {
            return Ok(None);
        };
        let target = i32::try_from(pid).ok().and_then(Pid::from_raw);
        match target.map(|target| kill_process(target, Signal::TERM)) {
            Some(Ok(())) => Ok(Some(pid)),
            Some(Err(e)) => Err(failed(format!(
                "cannot signal the agent (pid {pid}): {}; end it with `kill {pid}`",
                io::Error::from(e)
            ))),
            None => Ok(None),
        }
    }
}

/// A connection at `place`; None when nothing listens there (a dead agent's socket is
/// removed). Never waits: a stopped agent whose backlog is full refuses at once
/// (EAGAIN), which is an error, so that the command goes on without it.
fn connect_at(place: &Place) -> Result<Option<UnixStream>, Error> {
    if !place.check_dir()? {
        return Ok(None);
    }
    let socket = place.socket();
    let stream = match connect_nonblocking(socket) {
        Ok(stream) => stream,
        Err(rustix::io::Errno::NOENT) => return Ok(None),
        Err(rustix::io::Errno::CONNREFUSED) => {
            remove_if_dead(place);
            return Ok(None);
        }
        Err(rustix::io::Errno::AGAIN | rustix::io::Errno::INPROGRESS) => {
            return Err(failed(format!(
                "the agent at {} accepts no connection (stopped or stuck): `zdauth agent stop` ends it",
                socket.display()
            )));
        }
        Err(e) => {
            return Err(failed(format!(
                "cannot reach the agent at {} ({}): check that directory, or `zdauth agent stop`",
                socket.display(),
                io::Error::from(e)
            )));
        }
    };
    // Nothing is sent to a listener that is not this user's: the directory's checks
    // could be raced, the kernel's record of who called listen() cannot.
    let peer = rustix::net::sockopt::socket_peercred(&stream).map_err(|e| {
        failed(format!(
            "cannot tell who listens on {} ({}): check that directory",
            socket.display(),
            io::Error::from(e)
        ))
    })?;
    if peer.uid.as_raw() != crate::sys::euid() {
        tracing::warn!(socket = %socket.display(), uid = peer.uid.as_raw(), "another user listens on the agent's socket");
        return Err(failed(format!(
            "the socket {} is another user's (uid {}): remove it, or set XDG_RUNTIME_DIR to a directory of yours",
            socket.display(),
            peer.uid.as_raw()
        )));
    }
    Ok(Some(stream))
}

/// Connects without blocking (a unix socket connects at once or not at all), then hands
/// back a blocking stream for the timed reads and writes.
fn connect_nonblocking(socket: &Path) -> Result<UnixStream, rustix::io::Errno> {
    use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    rustix::net::connect(&fd, &SocketAddrUnix::new(socket)?)?;
    let stream = UnixStream::from(fd);
    stream
        .set_nonblocking(false)
        .map_err(|e| rustix::io::Errno::from_io_error(&e).unwrap_or(rustix::io::Errno::IO))?;
    Ok(stream)
}

/// Under the record's lock, so that an agent starting meanwhile (which takes it before it
/// binds) never loses its new socket to this.
fn remove_if_dead(place: &Place) {
    let socket = place.socket();
    match File::open(place.record()) {
        // No record: no agent ever started for this config dir; the socket is a leftover.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(_) => return,
        Ok(file) => match file.try_lock_shared() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                tracing::debug!("the agent is starting: its socket is not bound yet");
                return;
            }
            Err(TryLockError::Error(_)) => return,
        },
    }
    tracing::info!(socket = %socket.display(), "removing a dead agent's socket");
    let _ = std::fs::remove_file(socket);
}

/// The agent could not be reached or answered nonsense: not a locked vault (exit 6, whose
/// advice is `zdauth unlock`) but a broken agent, which `zdauth agent stop` ends.
fn failed(message: String) -> Error {
    Error::Agent {
        class: ErrorClass::Other,
        message,
    }
}

fn unexpected(answer: &Answer) -> Error {
    let kind = match answer {
        Answer::Hello { .. } => "hello",
        Answer::Status(_) => "status",
        Answer::Unlocked { .. } => "unlocked",
        Answer::Done => "done",
        Answer::FileKey { .. } => "file key",
        Answer::Token { .. } => "token",
        Answer::Error { .. } => "error",
    };
    failed(format!(
        "the agent answered out of turn ({kind}): run `zdauth agent stop`, then the command again"
    ))
}
