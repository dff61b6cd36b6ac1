//! Desktop notifications for a grant that keep-alive cannot keep: freedesktop notifications
//! through `notify-send` on Linux (when a session bus or a display is there), the macOS
//! notification centre through `osascript`. Where neither is, nothing: the log line and the
//! report line are what every platform gets.
//!
//! The text goes as argv elements (no shell, and for `AppleScript` as the run handler's
//! arguments, never spliced into the script), made fit to show by [`crate::text::display`]
//! and cut short. Callers build it from connection names and fixed phrases only: a
//! notification is seen by whoever stands at the screen, and stored by the desktop's history.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// A notifier that hangs (a stuck session bus) must not hold keep-alive up for longer.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(10);
/// Notification centres show a few lines; the rest would be cut by them anyway.
const MAX_CHARS: usize = 240;
/// What the notifier's child process gets of our environment: what it needs to find the
/// session bus or the display, and nothing else (no secret can ride along).
const PASSED_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XDG_RUNTIME_DIR",
    "LANG",
    "LC_ALL",
];

/// How this process shows a desktop notification, decided from an environment.
#[derive(Debug, Clone)]
pub struct Notifier {
    env: Vec<(OsString, OsString)>,
}

impl Notifier {
    /// From this process's environment: what the agent uses.
    pub fn from_env() -> Self {
        Self::with_env(std::env::vars_os())
    }

    /// From the given environment (PATH, the session bus, the display): a test points PATH
    /// at a stand-in `notify-send` without changing its own process.
    pub fn with_env(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Self {
        let env = vars
            .into_iter()
            .filter(|(key, _)| PASSED_ENV.iter().any(|k| OsStr::new(k) == key))
            .collect();
        Self { env }
    }

    fn var(&self, key: &str) -> Option<&OsStr> {
        self.env
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_os_str())
    }

    /// The program and its arguments that show `title` and `body` here; None: no
    /// notification centre this process can reach.
    pub(crate) fn command(&self, title: &str, body: &str) -> Option<(PathBuf, Vec<OsString>)> {
        let (title, body) = (fit(title), fit(body));
        if cfg!(target_os = "macos") {
            let program = self.find("osascript")?;
            let args = [
                "-e",
                "on run argv",
                "-e",
                "display notification (item 2 of argv) with title (item 1 of argv)",
                "-e",
                "end run",
                &title,
                &body,
            ];
            return Some((program, args.iter().map(OsString::from).collect()));
        }
        if !self.has_session() {
            return None;
        }
        let program = self.find("notify-send")?;
        let args = [
            "--app-name=zdauth",
            "--urgency=critical",
            "--",
            &title,
            &body,
        ];
        Some((program, args.iter().map(OsString::from).collect()))
    }

    /// A freedesktop notification needs the session bus: named, at its systemd place, or
    /// reachable from a graphical session.
    fn has_session(&self) -> bool {
        let systemd_bus = self
            .var("XDG_RUNTIME_DIR")
            .is_some_and(|dir| Path::new(dir).join("bus").exists());
        self.var("DBUS_SESSION_BUS_ADDRESS").is_some()
            || self.var("DISPLAY").is_some()
            || self.var("WAYLAND_DISPLAY").is_some()
            || systemd_bus
    }

    /// `program` on PATH, as an executable regular file.
    fn find(&self, program: &str) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt;
        let path = self.var("PATH")?;
        std::env::split_paths(path)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(program))
            .find(|candidate| {
                std::fs::metadata(candidate)
                    .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            })
    }

    /// Shows the notification, if this platform has a way; Ok(false) when it has none.
    /// Bounded by a timeout; the child gets only [`PASSED_ENV`].
    pub async fn notify(&self, title: &str, body: &str) -> std::io::Result<bool> {
        let Some((program, args)) = self.command(title, body) else {
            return Ok(false);
        };
        let mut child = tokio::process::Command::new(program)
            .args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let Ok(status) = tokio::time::timeout(NOTIFY_TIMEOUT, child.wait()).await else {
            return Err(std::io::Error::other("the notifier did not answer in time"));
        };
        if status?.success() {
            Ok(true)
        } else {
            Err(std::io::Error::other("the notifier failed"))
        }
    }
}

/// One line fit to show, at most [`MAX_CHARS`] characters.
fn fit(text: &str) -> String {
    let shown = crate::text::display(text);
    match shown.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &shown[..cut]),
        None => shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Notifier {
        Notifier::with_env(
            pairs
                .iter()
                .map(|(k, v)| (OsString::from(k), OsString::from(v))),
        )
    }

    #[test]
    fn text_is_cleaned_cut_and_passed_as_argv() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("notify-send");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let notifier = env(&[
            ("PATH", dir.path().to_str().unwrap()),
            ("DISPLAY", ":0"),
            ("ZDAUTH_PASSPHRASE", "hunter2"),
        ]);
        let long = "x".repeat(1000);
        let (found, args) = notifier
            .command(
                "zdauth: acme\u{1b}]52;c;AAAA\u{7}",
                &format!("$(rm -rf /); {long}"),
            )
            .unwrap();
        assert_eq!(found, program);
        assert_eq!(args[3], "zdauth: acme");
        // One argument, as written: no shell ever reads it.
        assert!(args[4].to_str().unwrap().starts_with("$(rm -rf /); xxx"));
        assert_eq!(args[4].to_str().unwrap().chars().count(), MAX_CHARS + 1);
        assert!(notifier.env.iter().all(|(k, _)| k != "ZDAUTH_PASSPHRASE"));
    }

    #[test]
    fn no_session_or_no_program_means_no_notification() {
        let dir = tempfile::tempdir().unwrap();
        assert!(env(&[("PATH", "/usr/bin")]).command("t", "b").is_none());
        let path = dir.path().to_str().unwrap();
        assert!(
            env(&[("PATH", path), ("DISPLAY", ":0")])
                .command("t", "b")
                .is_none()
        );
        // A relative PATH entry is never searched: it names whatever the cwd holds.
        assert!(
            env(&[("PATH", "."), ("DISPLAY", ":0")])
                .command("t", "b")
                .is_none()
        );
    }
}
