//! `zdauth agent install [--print]` and `uninstall`: the agent started at login by the
//! platform's service manager (a systemd user unit, a launchd agent on macOS), so keep-alive
//! runs while nobody runs zdauth.
//!
//! One service per config dir, named after 16 hex digits of the SHA-256 of the canonical
//! config dir, as the agent's socket is. A fixed name for the default dir would be friendlier
//! to type, but two rules for one name, and a default that moves with `XDG_CONFIG_HOME`, could
//! let one dir's install take over another's service; the install prints the name anyway.
//!
//! The file names the dir explicitly (`--config-dir`): a service manager's environment has
//! neither the shell's `ZDAUTH_CONFIG_DIR` nor, often, its `XDG_CONFIG_HOME`. It holds no secret
//! and no `ZDAUTH_PASSPHRASE`: the agent opens a plain identity file itself, and a sealed one
//! waits for `zdauth unlock`.

mod launchd;
mod manager;
mod systemd;

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{self, Read as _};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};

use super::super::context::Context;
use crate::exit;
use zdauth_core::config::Settings;
use zdauth_core::vault::{self, IdentitySource};
use zdauth_core::{atomic_file, session};

/// The line that makes a service file zdauth's: install replaces and uninstall removes only a
/// file that has it, never one the user wrote.
pub(super) const MARKER: &str =
    "zdauth-agent-service: written by `zdauth agent install`; `zdauth agent uninstall` removes it";

/// A service file is a few hundred bytes; anything past this is not one of zdauth's.
const MAX_SERVICE_FILE: u64 = 64 * 1024;

/// Past the slowest refresh: storing its pair and exiting.
const STOP_SLACK: Duration = Duration::from_secs(20);

/// Where the agent's program and its config dir are, as text a service file can carry, and
/// how long the service manager lets it stop.
#[derive(Debug)]
pub(super) struct Program {
    pub(super) exe: String,
    pub(super) config_dir: String,
    /// See [`stop_timeout`].
    pub(super) stop_timeout: Duration,
}

impl Program {
    pub(super) fn argv(&self) -> [&str; 5] {
        [&self.exe, "--config-dir", &self.config_dir, "agent", "run"]
    }
}

/// What the platform's service manager gets for this config dir.
struct Service {
    manager: manager::Manager,
    /// The unit's file name (systemd) or the job's label (launchd).
    name: String,
    file: PathBuf,
}

pub fn install(ctx: &Context, print: bool) -> anyhow::Result<u8> {
    // The config must load: a service for a dir zdauth cannot use would fail at every login.
    let config = ctx.config()?;
    let dir = canonical_dir(ctx)?;
    let exe = std::env::current_exe().context(
        "cannot tell where the zdauth binary is: run `zdauth agent install` by its full path",
    )?;
    let program = Program {
        exe: service_text(&exe, "the zdauth binary's path")?,
        config_dir: service_text(&dir, "the config dir")?,
        stop_timeout: stop_timeout(&config.settings),
    };
    let service = Service::for_dir(&dir)?;
    let text = service.manager.render(&service.name, &program);
    if print {
        out!("{text}");
        return Ok(exit::OK);
    }
    let replacing = match read_existing(&service.file)? {
        None => false,
        Some(old) if is_ours(&old) => true,
        Some(_) => bail!(
            "{} exists and was not written by zdauth: left as it is; move it aside, then run `zdauth agent install` again",
            service.file.display()
        ),
    };
    write_service_file(&service.file, &text)?;
    outln!("wrote {}", service.file.display());
    if let IdentitySource::Sealed(path) = vault::identity_source(&ctx.paths, &config.settings, None)
    {
        outln!(
            "note: the identity {} is sealed with a passphrase, so the agent starts locked at login and keeps grants alive only once `zdauth unlock` has run; with a plain identity file (settings.identity_file) it works unattended",
            path.display()
        );
    }
    service.manager.start(&service, replacing)
}

pub fn uninstall(ctx: &Context) -> anyhow::Result<u8> {
    // A config dir removed before its service still names it: the absolute path is what it
    // resolved to unless a link was on the way.
    let dir = match fs::canonicalize(ctx.paths.dir()) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => ctx.paths.dir().to_path_buf(),
        _ => canonical_dir(ctx)?,
    };
    let service = Service::for_dir(&dir)?;
    match read_existing(&service.file)? {
        None => {
            outln!(
                "no agent service is installed for {} ({} does not exist): nothing to do",
                dir.display(),
                service.file.display()
            );
            return Ok(exit::OK);
        }
        Some(old) if is_ours(&old) => {}
        Some(_) => bail!(
            "{} was not written by zdauth: left as it is; remove it yourself if it is yours to remove",
            service.file.display()
        ),
    }
    service.manager.stop(&service)?;
    fs::remove_file(&service.file)
        .with_context(|| format!("cannot remove {}", service.file.display()))?;
    outln!("removed {}", service.file.display());
    service.manager.forget(&service);
    Ok(exit::OK)
}

impl Service {
    fn for_dir(dir: &Path) -> anyhow::Result<Self> {
        let id = zdauth_core::agent::dir_id(dir);
        let manager = manager::Manager::current();
        let name = manager.service_name(&id);
        let file = manager.service_dir()?.join(manager.file_name(&name));
        Ok(Self {
            manager,
            name,
            file,
        })
    }
}

/// How long a stopping agent may take before the service manager kills it. Asked to stop, it
/// starts no refresh but finishes those on the wire: a kill between Zendesk's answer and the
/// stored pair loses the grant. The slowest refresh the settings allow is every try at the
/// HTTP timeout plus the pauses between them (`session::connection_lock_timeout`); never
/// less than the defaults' (180 s), so a setting put back to its default needs no reinstall.
fn stop_timeout(settings: &Settings) -> Duration {
    let slowest = session::connection_lock_timeout(settings)
        .max(session::connection_lock_timeout(&Settings::default()));
    slowest + STOP_SLACK
}

/// The config dir as the agent names its socket after it: links resolved.
fn canonical_dir(ctx: &Context) -> anyhow::Result<PathBuf> {
    let dir = ctx.paths.dir();
    fs::canonicalize(dir).with_context(|| {
        format!(
            "cannot resolve the config dir {}: run `zdauth init` first, or pass the --config-dir the service was installed for",
            dir.display()
        )
    })
}

/// A path as a service file's text: UTF-8 without control characters, which no unit line or
/// XML string could carry (a newline would start a new directive).
fn service_text(path: &Path, what: &str) -> anyhow::Result<String> {
    let text = path
        .to_str()
        .filter(|text| !text.chars().any(char::is_control))
        .ok_or_else(|| {
            anyhow!(
                "{what} {} holds a control character or bytes that are not UTF-8, which a service file cannot carry: use a path without them",
                path.display()
            )
        })?;
    Ok(text.to_owned())
}

fn is_ours(text: &str) -> bool {
    text.lines()
        .any(|line| line == format!("# {MARKER}") || line == format!("<!-- {MARKER} -->"))
}

/// The service file there now, if any. Never through a link: a link here is the user's doing
/// (a dotfiles repo), and neither replaced nor removed.
fn read_existing(path: &Path) -> anyhow::Result<Option<String>> {
    let not_ours = |what: &str| {
        anyhow!(
            "{} is {what}, not a service file zdauth wrote: left as it is; move it aside if it is stale",
            path.display()
        )
    };
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(not_ours("a symbolic link")),
        Ok(meta) if !meta.is_file() => return Err(not_ours("not a regular file")),
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", path.display())),
    }
    let file = OpenOptions::new()
        .read(true)
        // O_NONBLOCK: a FIFO swapped in since the look must not hang the open.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_SERVICE_FILE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_SERVICE_FILE {
        return Err(not_ours("larger than any service file zdauth writes"));
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Crash-safe (temp, fsync, rename), then 0644 as service files usually are: the file holds
/// no secret, and the service manager runs as this user either way.
fn write_service_file(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::DirBuilder::new()
        .recursive(true)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    atomic_file::replace(path, text.as_bytes(), None)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.set_permissions(fs::Permissions::from_mode(0o644))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    Ok(())
}

/// The owner of the file just written or about to be removed: this user's uid, for launchd's
/// `gui/<uid>` domain, without a call into libc from the app.
fn owner(path: &Path) -> anyhow::Result<u32> {
    Ok(fs::metadata(path)
        .with_context(|| format!("cannot inspect {}", path.display()))?
        .uid())
}

/// The program a service manager command is run by: found on PATH, as a shell would.
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| {
            fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

fn display_args(program: &str, args: &[OsString]) -> String {
    let mut words = vec![program.to_owned()];
    words.extend(args.iter().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopping_agent_gets_longer_than_the_slowest_refresh_and_never_less_than_the_defaults() {
        // 3 tries at 30 s and 90 s of pauses, then the slack.
        assert_eq!(stop_timeout(&Settings::default()), Duration::from_secs(200));
        let with_timeout = |secs| {
            let mut settings = Settings::default();
            settings.http_timeout = Duration::from_secs(secs);
            settings
        };
        assert_eq!(stop_timeout(&with_timeout(100)), Duration::from_secs(410));
        assert_eq!(stop_timeout(&with_timeout(5)), Duration::from_secs(200));
    }
}
