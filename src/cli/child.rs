//! Running `exec`'s command: its exit code passed through as a shell would, and SIGINT,
//! SIGTERM and SIGHUP sent to zdauth passed on to it.

use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;

use tokio::signal::unix::{SignalKind, signal};

/// Shells' codes for a command that cannot be run.
const CANNOT_RUN: u8 = 126;
const NOT_FOUND: u8 = 127;

pub async fn run(mut cmd: tokio::process::Command, shown: &str) -> anyhow::Result<u8> {
    // Before the spawn, so that a signal in between is not lost to the default action.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            eprintln!("zdauth: {shown}: command not found; check its name and $PATH");
            return Ok(NOT_FOUND);
        }
        Err(e) => {
            eprintln!("zdauth: {shown}: cannot run it ({e}); check that it is an executable");
            return Ok(CANNOT_RUN);
        }
    };
    let pid = child.id().expect("a child just spawned has a pid") as libc::pid_t;
    let forward = |signal: libc::c_int| {
        // SAFETY: kill has no memory effects; the child is not reaped before wait() returns,
        // so the pid is still ours.
        unsafe { libc::kill(pid, signal) };
    };
    let status = loop {
        tokio::select! {
            status = child.wait() => break status?,
            _ = interrupt.recv() => forward(libc::SIGINT),
            _ = terminate.recv() => forward(libc::SIGTERM),
            _ = hangup.recv() => forward(libc::SIGHUP),
        }
    };
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => 1,
    })
}
