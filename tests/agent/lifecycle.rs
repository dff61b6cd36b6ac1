//! The agent's own process: non-dumpable, no passphrase in its environment, its socket
//! removed when it stops (`agent stop`, SIGTERM, SIGINT), and `passwd` beside it.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{WITH_PASSPHRASE, sealed_world, unlock};
use crate::common::Sandbox;
use crate::common::agent::running;

fn socket(sb: &Sandbox) -> PathBuf {
    PathBuf::from(sb.agent_status()["socket"].as_str().unwrap())
}

/// Bounded: the agent is gone, and so is its socket.
#[track_caller]
fn wait_gone(pid: i32, socket: &std::path::Path) {
    let started = Instant::now();
    while running(pid) || socket.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the agent did not stop cleanly"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn agent_stop_sigterm_and_sigint_remove_the_socket() {
    let w = sealed_world("");
    for how in ["stop", "TERM", "INT"] {
        unlock(&w);
        let (pid, socket) = (w.sb.agent_pid(), socket(&w.sb));
        assert!(socket.exists());
        if how == "stop" {
            let stopped = w.sb.run(&["agent", "stop"]).success();
            assert!(
                stopped.stdout.contains("agent stopped"),
                "{}",
                stopped.stdout
            );
        } else {
            let signal = if how == "TERM" {
                rustix::process::Signal::TERM
            } else {
                rustix::process::Signal::INT
            };
            rustix::process::kill_process(rustix::process::Pid::from_raw(pid).unwrap(), signal)
                .unwrap();
        }
        wait_gone(pid, &socket);
        assert_eq!(w.sb.agent_status()["running"], false, "{how}");
    }
}

/// An agent started by `unlock` with the passphrase in the environment has none in its own
/// (the spawner takes it out; /proc/PID/environ shows what exec gave it).
#[test]
fn the_agent_inherits_no_passphrase() {
    let w = sealed_world("");
    unlock(&w);
    let environ = std::fs::read(format!("/proc/{}/environ", w.sb.agent_pid())).unwrap();
    let environ = String::from_utf8_lossy(&environ);
    assert!(environ.contains("ZDAUTH_CONFIG_DIR="), "{environ}");
    assert!(!environ.contains("ZDAUTH_PASSPHRASE"), "{environ}");
    assert!(!environ.contains(crate::common::PASSPHRASE), "{environ}");
}

/// The agent of another user (nobody, with a plain identity file so that it opens at
/// start): its /proc/PID files pass to root, which the kernel does only for a process that
/// made itself non-dumpable (no core dump, no same-user ptrace or /proc/PID/mem).
#[test]
fn the_agent_is_non_dumpable() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let nobody = 65534;
    for entry in walk(sb.temp.path()) {
        std::os::unix::fs::lchown(&entry, Some(nobody), Some(nobody)).unwrap();
    }
    let mut agent = sb.zdauth(&["agent", "run"]);
    agent.uid(nobody).gid(nobody);
    let mut child = agent.spawn().unwrap();
    let socket_dir = sb.runtime_dir().join("zdauth");
    let started = Instant::now();
    let listening = || {
        std::fs::read_dir(&socket_dir).is_ok_and(|mut d| {
            d.any(|e| e.unwrap().path().extension().is_some_and(|x| x == "sock"))
        })
    };
    while !listening() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the agent never listened"
        );
        assert!(child.try_wait().unwrap().is_none(), "the agent ended early");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = child.id();
    let owner = std::fs::metadata(format!("/proc/{pid}/environ"))
        .unwrap()
        .uid();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        owner, 0,
        "/proc/{pid}/environ belongs to uid {owner}: the agent is dumpable"
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut all = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && !path.is_symlink() {
            all.extend(walk(&path));
        } else {
            all.push(path);
        }
    }
    all
}

/// `passwd` opens identity.age itself, with an unlocked agent beside it: the new
/// passphrase works, the agent keeps working.
#[test]
fn passwd_works_beside_an_unlocked_agent() {
    let w = sealed_world("");
    unlock(&w);
    let new = "a new passphrase, long enough";
    w.sb.run_with(
        &["passwd"],
        &[WITH_PASSPHRASE, ("ZDAUTH_NEW_PASSPHRASE", new)],
        None,
    )
    .success();
    w.sb.run(&["token", "acme"]).success();
    w.sb.run(&["lock"]).success();
    w.sb.run_with(&["unlock"], &[WITH_PASSPHRASE], None)
        .fails(6, "wrong passphrase");
    w.sb.run_with(&["unlock"], &[("ZDAUTH_PASSPHRASE", new)], None)
        .success();
    w.sb.run(&["token", "acme"]).success();
}

/// One agent per config dir: a second `agent run` says one runs, and the first goes on.
#[test]
fn a_second_agent_for_the_same_config_dir_is_refused() {
    let w = sealed_world("");
    unlock(&w);
    let pid = w.sb.agent_pid();
    w.sb.run(&["agent", "run"])
        .fails(2, "an agent already runs for this config dir");
    assert_eq!(w.sb.agent_pid(), pid);
    w.sb.run(&["token", "acme"]).success();
}
