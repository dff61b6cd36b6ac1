//! What the machine offers: the identity and the agent, the clipboard `auto` picks, the
//! browser opener.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Check;
use crate::agent::AgentClient;
use crate::clipboard::{self, Surroundings};
use crate::config::{ClipboardChoice, Settings};
use crate::paths::Paths;
use crate::vault::{IdentitySource, Keys};

/// A live agent answers at once; a stuck one must not hold the report up.
const AGENT_WAIT: Duration = Duration::from_secs(2);

pub fn identity(paths: &Paths, source: &IdentitySource) -> Check {
    match source {
        IdentitySource::PlainFile(path) => match Keys::from_identity_file(path) {
            Ok(_) => Check::ok(format!(
                "identity: plain age identity file {} (no passphrase; the file is the key)",
                path.display()
            )),
            Err(e) => Check::fail(
                format!(
                    "identity: the plain identity file {} cannot be used",
                    path.display()
                ),
                e.to_string(),
            ),
        },
        IdentitySource::Sealed(path) if path.exists() => Check::ok(format!(
            "identity: {} sealed under a passphrase",
            path.display()
        )),
        IdentitySource::Sealed(path) => Check::fail(
            format!("identity: no {}", path.display()),
            format!(
                "run `zdauth init` (or `zdauth init --identity-file FILE`) for {}",
                paths.dir().display()
            ),
        ),
    }
}

/// The agent's state, and, when it runs unlocked, a client to open the vault through.
pub fn agent(paths: &Paths, sealed: bool) -> (Check, Option<(AgentClient, Option<String>)>) {
    let client = match AgentClient::new(paths) {
        Ok(client) => client.answering_within(AGENT_WAIT),
        Err(e) => {
            return (
                Check::fail("agent: no place for its socket", e.to_string()),
                None,
            );
        }
    };
    // A client's hello removes a dead agent's socket; doctor only looks, so where the running
    // agent can be told for sure without connecting (Linux: its flock in /proc/locks), an
    // absent one is not knocked on.
    let absent = cfg!(target_os = "linux") && crate::agent::running_agent_pid(paths).is_none();
    let hello = if absent { Ok(None) } else { client.hello() };
    match hello {
        Ok(None) if sealed => (
            Check::ok(
                "agent: not running (the next command that opens the vault asks the passphrase and starts it; `zdauth unlock` starts it now)",
            ),
            None,
        ),
        Ok(None) => (
            Check::ok("agent: not running (not needed: the identity is a plain file)"),
            None,
        ),
        Ok(Some(hello)) if hello.unlocked => (
            Check::ok(format!("agent: running (pid {}), unlocked", hello.pid)),
            Some((client, hello.recipient)),
        ),
        Ok(Some(hello)) => (
            Check::warn(
                format!("agent: running (pid {}), locked", hello.pid),
                "run `zdauth unlock` so commands stop asking the passphrase",
            ),
            None,
        ),
        Err(e) => (
            Check::fail("agent: it does not answer as it should", e.to_string()),
            None,
        ),
    }
}

/// What `clipboard` (or `auto`, judged by `here`) picks, why, and whether it can be opened.
pub fn clipboard(settings: &Settings, here: &Surroundings) -> Check {
    let picked = clipboard::pick(settings.clipboard, here);
    let why = if settings.clipboard == ClipboardChoice::Auto {
        auto_reason(*here)
    } else {
        "set in config.toml"
    };
    let program = match picked {
        ClipboardChoice::Tmux => Some("tmux".to_owned()),
        ClipboardChoice::Command => settings
            .clipboard_command
            .as_ref()
            .and_then(|argv| argv.first().cloned()),
        _ => None,
    };
    if let Some(program) = &program
        && find_program(program).is_none()
    {
        return Check::fail(
            format!(
                "clipboard: {} ({why}), but `{program}` is not on PATH",
                label(picked)
            ),
            "install it, or set settings.clipboard to another choice",
        );
    }
    match clipboard::probe(picked, settings) {
        Ok(name) => Check::ok(format!("clipboard: {name} ({why})")),
        Err(e)
            if settings.clipboard == ClipboardChoice::Auto && picked == ClipboardChoice::Native =>
        {
            Check::warn(
                format!("clipboard: the desktop clipboard ({why}) cannot be opened: {e}"),
                "copies fall back to the terminal's OSC 52; set settings.clipboard = \"osc52\" to say so",
            )
        }
        Err(e) => Check::warn(
            format!(
                "clipboard: {} ({why}) cannot be opened here: {e}",
                label(picked)
            ),
            "copy from a terminal, or set settings.clipboard (auto, native, tmux, osc52, command)",
        ),
    }
}

fn auto_reason(here: Surroundings) -> &'static str {
    if here.tmux {
        "auto: $TMUX is set"
    } else if here.ssh {
        "auto: over SSH, the desktop clipboard here is not yours"
    } else if !here.display {
        "auto: no $DISPLAY or $WAYLAND_DISPLAY"
    } else if cfg!(target_os = "macos") {
        "auto: the macOS pasteboard"
    } else {
        "auto: a desktop display is set"
    }
}

fn label(choice: ClipboardChoice) -> &'static str {
    match choice {
        ClipboardChoice::Native | ClipboardChoice::Auto => "the desktop clipboard",
        ClipboardChoice::Tmux => "a tmux buffer",
        ClipboardChoice::Osc52 => "the terminal's OSC 52",
        ClipboardChoice::Command => "settings.clipboard_command",
    }
}

/// The first command of `$BROWSER` and the platform's opener that is installed.
pub fn browser() -> Check {
    let candidates = crate::login::browser_candidates(std::env::var("BROWSER").ok().as_deref());
    let tried: Vec<&str> = candidates.iter().map(|words| words[0].as_str()).collect();
    match tried
        .iter()
        .find_map(|program| find_program(program).map(|at| (program, at)))
    {
        Some((program, at)) => Check::ok(format!(
            "browser: `{program}` opens the login page ({})",
            at.display()
        )),
        None => Check::warn(
            format!("browser: none of {} is installed", tried.join(", ")),
            "set $BROWSER to your browser's command, or log in with `zdauth login NAME --no-browser` and open the printed address yourself",
        ),
    }
}

/// `program` as the system would run it: a path as it is, a bare name looked up in $PATH.
/// Hand-written: a dozen lines, where a crate would add a dependency for one call.
pub fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = Path::new(program);
        return is_executable(path).then(|| path.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_found_by_name_or_path_and_a_missing_one_is_not() {
        assert!(find_program("sh").is_some());
        assert!(find_program("/bin/sh").is_some());
        assert!(find_program("zdauth-no-such-program").is_none());
        assert!(find_program("/nonexistent/sh").is_none());
    }

    #[test]
    fn auto_says_why_it_picked() {
        let at = |tmux, ssh, display| auto_reason(Surroundings { tmux, ssh, display });
        assert!(at(true, true, true).contains("$TMUX"));
        assert!(at(false, true, true).contains("SSH"));
        assert!(at(false, false, false).contains("$DISPLAY"));
    }
}
