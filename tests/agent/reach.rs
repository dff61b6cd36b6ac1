//! Reaching the agent from another environment, and an agent that cannot be reached: cron
//! (another runtime dir) finds the login session's agent and starts no second one; a stopped
//! agent with a full backlog costs no hang; `agent stop` ends a stopped agent by its
//! verified pid; an agent whose socket went stops.

use std::os::fd::OwnedFd;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process};

use super::{WITH_PASSPHRASE, sealed_world, unlock};
use crate::common::Run;
use crate::common::agent::running;
use crate::common::bounded::Limits;
use crate::common::clipboard::wait_until;

/// Far above the agent's socket check (30 s); only stops a broken test.
const GONE_WAIT: Duration = Duration::from_secs(120);

fn socket(w: &crate::common::world::World) -> PathBuf {
    PathBuf::from(w.sb.agent_status()["socket"].as_str().unwrap())
}

fn signal(pid: i32, signal: Signal) {
    kill_process(Pid::from_raw(pid).unwrap(), signal).unwrap();
}

/// A private directory of the sandbox's, standing for the other environment's runtime dir.
fn other_runtime_dir(w: &crate::common::world::World) -> PathBuf {
    let dir = w.sb.temp.path().join("cron-runtime");
    std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
    dir
}

#[track_caller]
fn wait_gone(pid: i32, socket: &Path) {
    let started = Instant::now();
    while running(pid) || socket.exists() {
        assert!(started.elapsed() < GONE_WAIT, "the agent did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// cron sees another runtime dir than the login session that unlocked: it still gets the
/// agent's token (no passphrase anywhere), `lock` from there locks that agent, and a second
/// agent for the config dir is refused whatever runtime dir it sees.
#[test]
fn another_runtime_dir_finds_the_running_agent_and_starts_no_second() {
    let w = sealed_world("");
    unlock(&w);
    let pid = w.sb.agent_pid();
    let cron_dir = other_runtime_dir(&w);
    let cron = ("XDG_RUNTIME_DIR", cron_dir.to_str().unwrap());
    let bounded =
        |args: &[&str], env: &[(&str, &str)]| w.sb.run_bounded(args, env, Limits::default());

    let token = bounded(&["token", "acme"], &[cron]).success();
    assert_eq!(token.stdout.trim(), w.stored_access());
    bounded(&["list"], &[cron, WITH_PASSPHRASE]).success();
    bounded(&["agent", "run"], &[cron]).fails(2, "an agent already runs");
    assert_eq!(w.sb.agent_pid(), pid);
    assert!(!cron_dir.join("zdauth").exists(), "a second agent listened");
    let status = bounded(&["agent", "status", "--json"], &[cron]).success();
    assert!(
        status.stdout.contains(&format!("\"pid\": {pid}")),
        "{}",
        status.stdout
    );

    bounded(&["lock"], &[cron]).success();
    w.sb.run(&["token", "acme"]).fails(6, "zdauth unlock");
}

/// Connections that never get accepted, made without waiting, until the kernel refuses more.
fn fill_backlog(socket: &Path) -> Vec<OwnedFd> {
    use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
    let address = SocketAddrUnix::new(socket).unwrap();
    let mut held = Vec::new();
    loop {
        let fd = rustix::net::socket_with(
            AddressFamily::UNIX,
            SocketType::STREAM,
            SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            None,
        )
        .unwrap();
        match rustix::net::connect(&fd, &address) {
            Ok(()) => held.push(fd),
            Err(rustix::io::Errno::AGAIN) => return held,
            Err(e) => panic!("connecting to the stopped agent: {e}"),
        }
        assert!(held.len() < 16_384, "the backlog never filled");
    }
}

/// A stopped agent whose backlog is full: `token` opens the vault itself (the passphrase is
/// given) instead of waiting on a connect forever, and `agent status` and `lock` say it is
/// stuck with exit 1 and the way out, not exit 6's "unlock".
#[test]
fn a_stopped_agent_with_a_full_backlog_costs_no_hang() {
    let w = sealed_world("");
    unlock(&w);
    let pid = w.sb.agent_pid();
    let socket = socket(&w);
    signal(pid, Signal::STOP);
    let held = fill_backlog(&socket);
    let bounded =
        |args: &[&str], env: &[(&str, &str)]| w.sb.run_bounded(args, env, Limits::default());

    let token = bounded(&["token", "acme"], &[WITH_PASSPHRASE]).success();
    assert_eq!(token.stdout.trim(), w.stored_access());
    bounded(&["agent", "status"], &[]).fails(1, "zdauth agent stop");
    bounded(&["lock"], &[]).fails(1, "zdauth agent stop");
    drop(held);
    signal(pid, Signal::CONT);
}

/// Signals sent to the process and not yet handled (/proc/PID/status `ShdPnd`, a hex mask).
fn pending(pid: i32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("ShdPnd:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .unwrap_or(0)
}

/// `agent stop` on an agent that cannot answer (stopped): after its bounded wait it sends
/// SIGTERM to the pid the agent's record proves, which lands once the agent runs again;
/// the agent goes and takes its socket with it.
#[test]
fn agent_stop_terminates_a_stuck_agent_by_its_verified_pid() {
    let w = sealed_world("");
    unlock(&w);
    let pid = w.sb.agent_pid();
    let socket = socket(&w);
    signal(pid, Signal::STOP);
    let stopping =
        w.sb.zdauth(&["agent", "stop"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let term = 1 << (Signal::TERM.as_raw() - 1);
    wait_until("SIGTERM pending at the stopped agent", || {
        pending(pid) & term != 0
    });
    signal(pid, Signal::CONT);
    let stopped = Run::of(stopping.wait_with_output().unwrap()).success();
    assert!(
        stopped
            .stdout
            .contains(&format!("(pid {pid}) did not answer")),
        "{}",
        stopped.stdout
    );
    assert!(
        stopped.stdout.contains("agent stopped"),
        "{}",
        stopped.stdout
    );
    wait_gone(pid, &socket);
    assert_eq!(w.sb.agent_status()["running"], false);
}

/// The agent's socket directory removed (logind at the last logout, tmpfiles in /tmp) and
/// something else put at its path: the agent stops within its check period, and leaves the
/// file that is not its own.
#[test]
fn an_agent_whose_socket_went_stops() {
    let w = sealed_world("");
    unlock(&w);
    let pid = w.sb.agent_pid();
    let socket = socket(&w);
    let dir = socket.parent().unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::DirBuilder::new().mode(0o700).create(dir).unwrap();
    std::fs::write(&socket, "not the agent's").unwrap();
    let started = Instant::now();
    while running(pid) {
        assert!(
            started.elapsed() < GONE_WAIT,
            "the orphaned agent still runs"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read_to_string(&socket).unwrap(), "not the agent's");
}

/// A lock file naming a pid that does not hold it (the agent died, the pid was reused by
/// another process, here one whose command line even names the zdauth binary): the sandbox
/// never takes it for its agent, and its drop kills nothing.
#[test]
fn a_recorded_pid_that_does_not_hold_the_record_is_never_killed() {
    let sb = crate::common::Sandbox::new();
    sb.init_with_identity_file();
    // argv[0] the zdauth binary's path: a stranger that even looks like zdauth.
    let mut stranger = std::process::Command::new("sleep")
        .arg0(crate::common::BINARY)
        .arg("600")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = stranger.id();
    let text = format!(
        "{pid}\n{}",
        sb.runtime_dir().join("zdauth/agent.sock").display()
    );
    // Where an agent records itself now, held (by this process, not by that pid), and where
    // agents used to: a helper trusting either file alone would kill the stranger.
    let record = sb.paths().dir().join("agent.lock");
    std::fs::write(&record, &text).unwrap();
    let held = std::fs::File::open(&record).unwrap();
    held.lock().unwrap();
    let old = sb.runtime_dir().join("zdauth");
    std::fs::DirBuilder::new().mode(0o700).create(&old).unwrap();
    std::fs::write(old.join("agent-0000000000000000.lock"), format!("{pid}\n")).unwrap();

    assert!(sb.agent_pids().is_empty());
    drop(sb);
    let alive = stranger.try_wait().unwrap().is_none();
    let _ = stranger.kill();
    let _ = stranger.wait();
    assert!(alive, "the sandbox killed a process that was not its agent");
}
