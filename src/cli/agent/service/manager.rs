//! The platform's service manager: where its files go and the commands that load and unload
//! them. Both are compiled everywhere, so the macOS side is checked (and its plist tested)
//! on Linux too; only `current` picks.

use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail};

use super::{Program, Service, display_args, find_program, launchd, owner, systemd};
use crate::exit;

/// How much of a manager command's stderr is kept for the message: its first line says why.
const STDERR_CAP: u64 = 4096;

#[derive(Debug, Clone, Copy)]
pub(super) enum Manager {
    Systemd,
    Launchd,
}

impl Manager {
    pub(super) fn current() -> Self {
        if cfg!(target_os = "macos") {
            Manager::Launchd
        } else {
            Manager::Systemd
        }
    }

    pub(super) fn service_name(self, id: &str) -> String {
        match self {
            Manager::Systemd => format!("zdauth-agent-{id}.service"),
            Manager::Launchd => format!("zdauth.agent.{id}"),
        }
    }

    pub(super) fn file_name(self, name: &str) -> String {
        match self {
            Manager::Systemd => name.to_owned(),
            Manager::Launchd => format!("{name}.plist"),
        }
    }

    /// systemd reads user units from `$XDG_CONFIG_HOME/systemd/user` (an absolute one; the
    /// XDG spec ignores a relative value) or `~/.config/systemd/user`; launchd from
    /// `~/Library/LaunchAgents`.
    pub(super) fn service_dir(self) -> anyhow::Result<PathBuf> {
        let home = || {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|home| home.is_absolute())
                .ok_or_else(|| {
                    anyhow!("HOME is not set to an absolute path: set it, then run this again")
                })
        };
        Ok(match self {
            Manager::Systemd => std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .filter(|dir| dir.is_absolute())
                .map_or_else(|| home().map(|h| h.join(".config")), Ok)?
                .join("systemd/user"),
            Manager::Launchd => home()?.join("Library/LaunchAgents"),
        })
    }

    pub(super) fn render(self, name: &str, program: &Program) -> String {
        match self {
            Manager::Systemd => systemd::unit(program),
            Manager::Launchd => launchd::plist(name, program),
        }
    }

    /// Loads the file just written and starts the agent, now and at every login.
    pub(super) fn start(self, service: &Service, replacing: bool) -> anyhow::Result<u8> {
        let tool = self.tool();
        let Some(program) = find_program(tool) else {
            outln!(
                "{tool} was not found, so nothing was started: to start the agent now and at every login, run {}",
                self.start_hint(service)
            );
            return Ok(exit::OK);
        };
        let name = service.name.as_str();
        let steps = match self {
            Manager::Systemd => vec![
                args(&["--user", "daemon-reload"]),
                args(&["--user", "enable", "--now", name]),
            ],
            Manager::Launchd => {
                let domain = format!("gui/{}", owner(&service.file)?);
                if replacing {
                    // bootstrap refuses a job still loaded from the old file.
                    let _ = run(&program, &args(&["bootout", &format!("{domain}/{name}")]));
                }
                let mut bootstrap = args(&["bootstrap", &domain]);
                bootstrap.push(service.file.clone().into_os_string());
                vec![bootstrap]
            }
        };
        for step in &steps {
            if let Err(why) = run(&program, step) {
                bail!(
                    "wrote {}, but `{}` failed ({why}): run it yourself once the service manager's user session is up, or remove the file with `zdauth agent uninstall`",
                    service.file.display(),
                    display_args(tool, step)
                );
            }
        }
        outln!("started {name}; it starts again at every login");
        if replacing && matches!(self, Manager::Systemd) {
            outln!(
                "an agent that was already running keeps its old command line until `systemctl --user restart {name}`"
            );
        }
        Ok(exit::OK)
    }

    /// Stops the agent and unloads its file, before the file goes.
    pub(super) fn stop(self, service: &Service) -> anyhow::Result<()> {
        let tool = self.tool();
        let Some(program) = find_program(tool) else {
            outln!(
                "{tool} was not found, so nothing was stopped: `zdauth agent stop` stops a running agent"
            );
            return Ok(());
        };
        match self {
            Manager::Systemd => {
                let step = args(&["--user", "disable", "--now", &service.name]);
                if let Err(why) = run(&program, &step) {
                    bail!(
                        "`{}` failed ({why}): left {} in place; run uninstall again once systemd's user session is up, or remove the file by hand",
                        display_args(tool, &step),
                        service.file.display()
                    );
                }
            }
            Manager::Launchd => {
                let target = format!("gui/{}/{}", owner(&service.file)?, service.name);
                // Not loaded (after a failed bootstrap, say) is the state wanted here.
                if let Err(why) = run(&program, &args(&["bootout", &target])) {
                    errln!("zdauth: warning: `launchctl bootout {target}` failed ({why})");
                }
            }
        }
        Ok(())
    }

    /// After the file went: systemd forgets the unit.
    pub(super) fn forget(self, service: &Service) {
        if let (Manager::Systemd, Some(program)) = (self, find_program(self.tool())) {
            let step = args(&["--user", "daemon-reload"]);
            if let Err(why) = run(&program, &step) {
                errln!(
                    "zdauth: warning: `systemctl --user daemon-reload` failed ({why}); {} is removed",
                    service.file.display()
                );
            }
        }
    }

    fn tool(self) -> &'static str {
        match self {
            Manager::Systemd => "systemctl",
            Manager::Launchd => "launchctl",
        }
    }

    fn start_hint(self, service: &Service) -> String {
        match self {
            Manager::Systemd => format!(
                "`systemctl --user daemon-reload && systemctl --user enable --now {}`",
                service.name
            ),
            Manager::Launchd => format!(
                "`launchctl bootstrap gui/$(id -u) {}`",
                service.file.display()
            ),
        }
    }
}

fn args(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

/// Runs a manager command to its end; on failure, its exit status and the first line of
/// what it said.
fn run(program: &Path, args: &[OsString]) -> Result<(), String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let mut said = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        // Past the cap the pipe closes: a chatty command gets EPIPE, never a reader that waits.
        let _ = stderr.take(STDERR_CAP).read_to_end(&mut said);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&said);
    Err(match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(first) => format!("{status}: {first}"),
        None => status.to_string(),
    })
}
