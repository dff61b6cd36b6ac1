//! The real binary in a real terminal: `zdauth demo` inside tmux, driven by keys.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits (bounded) until the screen shows `text`.
    fn wait_for(&self, text: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{text:?} never appeared:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn tmux() -> Option<Tmux> {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have tmux");
        eprintln!("tmux is not installed; skipping the real-terminal test");
        return None;
    }
    Some(Tmux {
        socket: format!("zdauth-test-{}", std::process::id()),
    })
}

#[test]
fn the_demo_runs_refreshes_and_quits_cleanly_in_a_real_terminal() {
    let Some(tmux) = tmux() else { return };
    let sb = common::Sandbox::new();
    let command = format!(
        "env -u NO_COLOR ZDAUTH_CONFIG_DIR={} HOME={} {} demo; echo EXIT=$?; sleep 60",
        sb.dir().display(),
        sb.temp.path().display(),
        env!("CARGO_BIN_EXE_zdauth")
    );
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);

    let screen = tmux.wait_for("umbrella");
    for name in ["acme", "globex", "initech"] {
        assert!(screen.contains(name), "{screen}");
    }
    assert!(screen.contains("login required"), "{screen}");
    assert!(
        screen.contains("? help"),
        "the footer lists keys:\n{screen}"
    );

    // globex is second and inside the margin: refresh it.
    tmux.run(&["send-keys", "-t", "t", "j", "r"]);
    tmux.wait_for("refreshed globex");

    tmux.run(&["send-keys", "-t", "t", "?"]);
    tmux.wait_for("move down");
    tmux.run(&["send-keys", "-t", "t", "Escape"]);

    tmux.run(&["send-keys", "-t", "t", "q"]);
    let after = tmux.wait_for("EXIT=0");
    assert!(after.contains("the demo ran in"), "{after}");
    assert!(
        !after.contains("umbrella"),
        "the alternate screen was left:\n{after}"
    );
}
