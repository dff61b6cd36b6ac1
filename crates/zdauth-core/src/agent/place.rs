//! Where the agent of a config dir listens: one socket per user and config dir, in a
//! directory only this user can enter (checklist item 34), and the record in the config dir
//! that makes it one agent per config dir whatever each process's environment says.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorClass};
use crate::paths::Paths;
use crate::sys;

/// `sun_path` holds 108 bytes with the terminating NUL on Linux (104 on the BSDs).
const SOCKET_PATH_MAX: usize = 103;

/// In the config dir, not beside the socket: cron, a service and a login shell see different
/// runtime dirs, but always the same config dir (checked by name: no connection lock in
/// `locks/` can be it).
const RECORD: &str = "agent.lock";

/// Where logind makes each user's runtime dir; the fallback when `XDG_RUNTIME_DIR` is unset.
const RUN_USER: &str = "/run/user";

#[derive(Debug, Clone)]
pub struct Place {
    dir: PathBuf,
    socket: PathBuf,
    record: PathBuf,
}

/// What a running agent wrote in its record: whom to signal, where it listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    pub(crate) pid: u32,
    pub(crate) socket: PathBuf,
}

impl Place {
    /// `$XDG_RUNTIME_DIR/zdauth/agent-<hash>.sock`, else `/run/user/<uid>/zdauth/…` when that
    /// is ours and 0700, else `/tmp/zdauth-<uid>/…`; the hash is of the canonical config dir,
    /// so two spellings of one dir meet one agent and two dirs never share one.
    pub fn of(paths: &Paths) -> Result<Self, Error> {
        let dir = runtime_dir(
            std::env::var_os("XDG_RUNTIME_DIR"),
            sys::euid(),
            Path::new(RUN_USER),
        );
        let canonical = fs::canonicalize(paths.dir()).unwrap_or_else(|_| paths.dir().into());
        let hash = dir_id(&canonical);
        Self::checked(
            dir.join(format!("agent-{hash}.sock")),
            paths.dir().join(RECORD),
        )
    }

    /// The place a live agent recorded (it may have seen another runtime dir than this
    /// process): its directory is checked as this process's own would be.
    pub(crate) fn recorded(&self, socket: PathBuf) -> Result<Self, Error> {
        Self::checked(socket, self.record.clone())
    }

    fn checked(socket: PathBuf, record: PathBuf) -> Result<Self, Error> {
        if socket.as_os_str().len() > SOCKET_PATH_MAX {
            return Err(refused(format!(
                "the agent's socket path {} is longer than a socket path may be ({SOCKET_PATH_MAX} bytes): set XDG_RUNTIME_DIR to a shorter directory",
                socket.display()
            )));
        }
        let dir = socket.parent().unwrap_or(Path::new("/")).to_path_buf();
        Ok(Self {
            dir,
            socket,
            record,
        })
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The file in the config dir the running agent holds locked (flock) for its life.
    pub(crate) fn record(&self) -> &Path {
        &self.record
    }

    /// The running agent's record; None when no agent holds it (none runs, or it died:
    /// the kernel lets go of a flock with the process). A shared lock taken here means the
    /// file is free: an agent holds it exclusively.
    pub(crate) fn live(&self) -> Option<Recorded> {
        let mut file = File::open(&self.record).ok()?;
        if !matches!(file.try_lock_shared(), Err(fs::TryLockError::WouldBlock)) {
            return None;
        }
        let mut text = Vec::new();
        file.by_ref().take(4096).read_to_end(&mut text).ok()?;
        parse_record(text)
    }

    /// Creates the directory 0700 if it is missing, then checks it as [`Self::check_dir`].
    pub(crate) fn ensure_dir(&self) -> Result<(), Error> {
        match fs::DirBuilder::new().mode(0o700).create(&self.dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(refused(format!(
                    "cannot create the agent's directory {} ({e}): check that its parent exists and is yours",
                    self.dir.display()
                )));
            }
        }
        self.check_dir().map(drop)
    }

    /// Whether the directory exists; refused if it is a link, not a directory, another
    /// user's, or open to anyone else: a socket there could be someone else's.
    pub(crate) fn check_dir(&self) -> Result<bool, Error> {
        let meta = match fs::symlink_metadata(&self.dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(refused(format!(
                    "cannot inspect the agent's directory {} ({e}): check its permissions",
                    self.dir.display()
                )));
            }
        };
        let shown = self.dir.display();
        let why = if meta.file_type().is_symlink() {
            Some("is a link".to_owned())
        } else if !meta.is_dir() {
            Some("is not a directory".to_owned())
        } else if meta.uid() != sys::euid() {
            Some(format!("belongs to another user (uid {})", meta.uid()))
        } else if meta.mode() & 0o077 != 0 {
            Some(format!(
                "is mode {:o}, open to other users",
                meta.mode() & 0o777
            ))
        } else {
            None
        };
        match why {
            Some(why) => Err(refused(format!(
                "the agent's directory {shown} {why}: remove it (zdauth makes its own, mode 0700) or set XDG_RUNTIME_DIR to a directory of yours"
            ))),
            None => Ok(true),
        }
    }
}

/// The pid of the agent running for `paths`' config dir, verified as
/// [`Place::verified_pid`]; reads nothing outside the config dir and /proc.
pub fn running_agent_pid(paths: &Paths) -> Option<u32> {
    let record = paths.dir().join(RECORD);
    Place::checked(PathBuf::from("/"), record)
        .ok()?
        .verified_pid()
}

impl Place {
    /// The live agent's pid, only when it is surely the agent: the record's flock is held
    /// exclusively by that very pid (/proc/locks), and the process runs `zdauth agent run`.
    /// A pid read from a file alone could be a recycled one of anyone's.
    pub(crate) fn verified_pid(&self) -> Option<u32> {
        let pid = self.live()?.pid;
        let meta = fs::metadata(&self.record).ok()?;
        let locks = fs::read_to_string("/proc/locks").ok()?;
        let held = locks
            .lines()
            .any(|line| holds_flock(line, pid, meta.dev(), meta.ino()));
        (held && runs_the_agent(pid)).then_some(pid)
    }
}

/// Whether a /proc/locks line (`1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF`) is an
/// exclusive flock of `pid` on the file `dev`/`ino` (waiters' lines, `1: -> FLOCK …`, are not).
fn holds_flock(line: &str, pid: u32, dev: u64, ino: u64) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let [_, "FLOCK", _, "WRITE", holder, file, ..] = fields.as_slice() else {
        return false;
    };
    // glibc's encoding of dev_t, as the kernel prints it: major:minor in hex, inode decimal.
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    holder.parse() == Ok(pid) && *file == format!("{major:02x}:{minor:02x}:{ino}")
}

fn runs_the_agent(pid: u32) -> bool {
    let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let zdauth = args.first().is_some_and(|program| {
        Path::new(std::ffi::OsStr::from_bytes(program))
            .file_name()
            .is_some_and(|name| name.as_bytes().starts_with(b"zdauth"))
    });
    zdauth && args.windows(2).any(|w| w == [&b"agent"[..], &b"run"[..]])
}

/// The record's text: the pid's line, then the socket path's bytes (any byte but NUL may
/// be in a path, a newline too, so it runs to the end).
pub(crate) fn record_text(pid: u32, socket: &Path) -> Vec<u8> {
    let mut text = format!("{pid}\n").into_bytes();
    text.extend_from_slice(socket.as_os_str().as_bytes());
    text
}

fn parse_record(mut text: Vec<u8>) -> Option<Recorded> {
    let newline = text.iter().position(|&b| b == b'\n')?;
    let pid = std::str::from_utf8(&text[..newline]).ok()?.parse().ok()?;
    let socket = PathBuf::from(OsString::from_vec(text.split_off(newline + 1)));
    socket.is_absolute().then_some(Recorded { pid, socket })
}

/// The directory for the agent's sockets: `XDG_RUNTIME_DIR`'s when set; else logind's
/// runtime dir of this user (cron and ssh without `pam_systemd` have no `XDG_RUNTIME_DIR` but
/// the same /run/user/UID as the login session), if it is ours and private; else /tmp's.
fn runtime_dir(xdg: Option<OsString>, euid: u32, run_user: &Path) -> PathBuf {
    if let Some(runtime) = xdg.map(PathBuf::from)
        && runtime.is_absolute()
    {
        return runtime.join("zdauth");
    }
    let login = run_user.join(euid.to_string());
    let private = fs::symlink_metadata(&login)
        .is_ok_and(|m| m.is_dir() && m.uid() == euid && m.mode() & 0o777 == 0o700);
    if private {
        login.join("zdauth")
    } else {
        PathBuf::from(format!("/tmp/zdauth-{euid}"))
    }
}

/// 16 hex digits of SHA-256 over the config dir's canonical path: short, a valid socket,
/// unit and label name whatever the path holds, and the same for every spelling of one dir.
/// The agent's socket and `agent install`'s service are both named by it.
pub fn dir_id(canonical: &Path) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(canonical.as_os_str().as_bytes());
    digest[..8]
        .iter()
        .fold(String::with_capacity(16), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

fn refused(message: String) -> Error {
    Error::Agent {
        class: ErrorClass::Other,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_config_dirs_have_two_sockets_and_one_dir_has_one() {
        let temp = tempfile::tempdir().unwrap();
        let a = temp.path().join("a");
        fs::create_dir(&a).unwrap();
        let b = temp.path().join("b");
        let one = Place::of(&Paths::at(&a)).unwrap();
        let again = Place::of(&Paths::at(a.join("."))).unwrap();
        let other = Place::of(&Paths::at(&b)).unwrap();
        assert_eq!(one.socket, again.socket);
        assert_ne!(one.socket, other.socket);
        assert_eq!(one.record, a.join(RECORD));
    }

    /// Without `XDG_RUNTIME_DIR`: logind's dir when it is ours and 0700, never one that is
    /// open to others or another user's; else /tmp's.
    #[test]
    fn without_xdg_runtime_dir_the_login_runtime_dir_is_used_only_when_private() {
        use std::os::unix::fs::PermissionsExt;
        let temp = tempfile::tempdir().unwrap();
        let euid = sys::euid();
        let mine = temp.path().join(euid.to_string());
        let fallback = PathBuf::from(format!("/tmp/zdauth-{euid}"));
        assert_eq!(runtime_dir(None, euid, temp.path()), fallback, "missing");
        fs::create_dir(&mine).unwrap();
        fs::set_permissions(&mine, fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(runtime_dir(None, euid, temp.path()), mine.join("zdauth"));
        let empty = Some(OsString::new());
        assert_eq!(runtime_dir(empty, euid, temp.path()), mine.join("zdauth"));
        let xdg = Some(OsString::from("/x"));
        assert_eq!(
            runtime_dir(xdg, euid, temp.path()),
            PathBuf::from("/x/zdauth")
        );
        fs::set_permissions(&mine, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            runtime_dir(None, euid, temp.path()),
            fallback,
            "open to others"
        );
        assert_eq!(
            runtime_dir(None, euid + 1, temp.path()),
            PathBuf::from(format!("/tmp/zdauth-{}", euid + 1))
        );
    }

    #[test]
    fn only_an_exclusive_flock_of_that_pid_on_that_file_is_the_agent() {
        let dev = (8 << 8) | 1;
        let line = "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF";
        assert!(holds_flock(line, 1234, dev, 5678));
        assert!(!holds_flock(line, 1235, dev, 5678));
        assert!(!holds_flock(line, 1234, dev, 5679));
        assert!(!holds_flock(line, 1234, dev + 1, 5678));
        let shared = "1: FLOCK  ADVISORY  READ 1234 08:01:5678 0 EOF";
        assert!(!holds_flock(shared, 1234, dev, 5678));
        let waiter = "1: -> FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF";
        assert!(!holds_flock(waiter, 1234, dev, 5678));
    }

    #[test]
    fn a_record_names_pid_and_socket_whatever_bytes_the_path_holds() {
        let socket = Path::new("/run/a\nb/agent-1.sock");
        let text = record_text(42, socket);
        assert_eq!(
            parse_record(text),
            Some(Recorded {
                pid: 42,
                socket: socket.into()
            })
        );
        assert_eq!(parse_record(b"42\nrelative".to_vec()), None);
        assert_eq!(parse_record(b"x\n/a".to_vec()), None);
        assert_eq!(parse_record(b"42".to_vec()), None);
    }
}
