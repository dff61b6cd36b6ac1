//! A real tmux server per test, running the real binary in a pane.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn run(&self, args: &[&str]) -> String {
        let output = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `zdauth ARGS` in a 100×30 session on the sandbox's config dir; `EXIT=code` is
    /// printed when it ends, and the pane stays for a look at the restored screen.
    pub fn start(&self, sb: &super::Sandbox, env: &str, args: &str) {
        self.start_sized(sb, env, args, 100, 30);
    }

    /// [`Tmux::start`] in a `width` × `height` terminal that is never resized.
    pub fn start_sized(&self, sb: &super::Sandbox, env: &str, args: &str, width: u16, height: u16) {
        let command = format!(
            "{env} ZDAUTH_CONFIG_DIR={} HOME={} XDG_RUNTIME_DIR={} {} {args}; echo EXIT=$?; sleep 60",
            sb.dir().display(),
            sb.temp.path().display(),
            sb.runtime_dir().display(),
            env!("CARGO_BIN_EXE_zdauth")
        );
        let (width, height) = (width.to_string(), height.to_string());
        self.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width,
            "-y",
            &height,
            &command,
        ]);
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits (bounded) until the screen shows `text`.
    pub fn wait_for(&self, text: &str) -> String {
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

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// A left click at the screen cell (`x`, `y`), both from 0, as a terminal reports it to
    /// an app that asked for the mouse: SGR (1006) press and release.
    pub fn click(&self, x: usize, y: usize) {
        let (x, y) = (x + 1, y + 1);
        self.type_text(&format!("\x1b[<0;{x};{y}M\x1b[<0;{x};{y}m"));
    }

    /// Waits (bounded) until `ready` holds for the screen; returns that screen.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "never {what}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Typed as text: nothing in it is read as a key name.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Each test gets its own tmux server: tests run in parallel.
pub fn tmux(test: &str) -> Option<Tmux> {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI must have tmux");
        eprintln!("tmux is not installed; skipping the real-terminal test");
        return None;
    }
    Some(Tmux {
        socket: format!("zdauth-test-{}-{test}", std::process::id()),
    })
}
