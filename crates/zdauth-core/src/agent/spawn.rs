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
    // A long-lived process must not pin the spawner's working directory (an unmountable
    // disk, a deleted checkout); the environment stays: proxies and CA settings are the user's.
    command
        .current_dir("/")
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

/// The agent for `paths`: the running one, or one started from `program` (the zdauth
/// binary) and waited for.
pub fn running_or_started(paths: &Paths, program: &Path) -> Result<(AgentClient, Hello), Error> {
    let client = AgentClient::new(paths)?;
    if let Some(hello) = client.hello()? {
        return Ok((client, hello));
    }
    tracing::info!("starting the agent");
    spawn_detached(paths, program)?;
    let hello = wait_until_listening(&client, super::START_WAIT)?;
    Ok((client, hello))
}

/// Unlocks `client`'s agent with `passphrase` (None for a plain identity file) and returns
/// keys that decrypt through it.
pub fn unlock_keys(
    paths: &Paths,
    client: AgentClient,
    passphrase: Option<crate::secret::Secret>,
) -> Result<crate::vault::Keys, Error> {
    client.unlock(passphrase, &paths.identity())?;
    let gone = |what: &str| Error::Agent {
        class: ErrorClass::Locked,
        message: format!("the agent {what} right after its unlock: run `zdauth unlock`"),
    };
    let hello = client.hello()?.ok_or_else(|| gone("stopped"))?;
    super::keys_from(paths, client, hello.recipient)?.ok_or_else(|| gone("locked"))
}
