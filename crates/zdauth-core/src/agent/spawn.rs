//! Starting an agent from a command (`zdauth unlock`, or auto-start): detached in a session
//! of its own, with nothing of the terminal and no passphrase in its environment.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::client::{AgentClient, Hello};
use crate::error::{Error, ErrorClass};
use crate::paths::Paths;
use crate::{safe_file, secret, sys};

/// Runs `program agent run` for `paths` in the background; its stderr goes to the log file.
/// The child is reaped by a thread of this process (or by init once this one ends).
pub fn spawn_detached(paths: &Paths, program: &Path) -> Result<(), Error> {
    let mut command = Command::new(program);
    // An explicit config dir keeps its log beside it (Paths::resolve): say it again.
    if paths.log_dir() == paths.dir() {
        command.arg("--config-dir").arg(paths.dir());
    }
    command.args(["agent", "run"]);
    secret::without_passphrases(&mut command);
    let stderr = match safe_file::open_own(&paths.log_file(), true) {
        Ok(file) => Stdio::from(file),
        Err(_) => Stdio::null(),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    sys::new_session_on_spawn(&mut command);
    let mut child = command.spawn().map_err(|e| Error::Agent {
        class: ErrorClass::Other,
        message: format!("cannot start the agent ({e}): run `zdauth agent run` to see why"),
    })?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Waits (bounded by `wait`) until the agent answers its hello.
pub fn wait_until_listening(client: &AgentClient, wait: Duration) -> Result<Hello, Error> {
    let started = Instant::now();
    loop {
        if let Some(hello) = client.hello()? {
            return Ok(hello);
        }
        if started.elapsed() > wait {
            return Err(Error::Agent {
                class: ErrorClass::Other,
                message: format!(
                    "the agent did not start listening on {} within {} s: see the log, or run `zdauth agent run` to see why",
                    client.socket().display(),
                    wait.as_secs()
                ),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
