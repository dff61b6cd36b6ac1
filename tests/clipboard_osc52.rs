//! OSC 52 for real: `zdauth copy` on a pty this test owns, the escape read off its far end
//! and decoded; the size limit; the fallback when the desktop clipboard fails.

use crate::common;

use std::io::Read;
use std::os::fd::OwnedFd;
use std::process::Command;
use std::sync::{Arc, Mutex};

use base64::Engine;
use common::clipboard::{wait_for_helper, wait_until, zdauth_here_through};
use common::world::World;
use rustix::fs::{Mode, OFlags, open};
use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
use zdauth_core::clipboard::{CLEARED_TEXT, MAX_OSC52_BYTES};

// ---- OSC 52 through a pty ----

/// A pty whose far end becomes the controlling terminal of the commands it starts.
struct Pty {
    /// The far end's path, which a new session's first open of it makes its terminal.
    path: String,
    /// Held so that reads of the near end go on until this test is done with the pty.
    _far_end: OwnedFd,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    fn open() -> Self {
        let near = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
        grantpt(&near).unwrap();
        unlockpt(&near).unwrap();
        let path = ptsname(&near, Vec::new()).unwrap().into_string().unwrap();
        let far_end = open(
            &path,
            OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let mut reader = std::fs::File::from(near);
        std::thread::spawn(move || {
            let mut chunk = vec![0u8; 65536];
            // Ends with EIO once no process holds the far end any more.
            while let Ok(n @ 1..) = reader.read(&mut chunk) {
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Self {
            path,
            _far_end: far_end,
            seen,
        }
    }

    /// `zdauth ARGS` with this pty as its controlling terminal: the session leader the
    /// sandbox starts (a shell) opens the far end, which makes it the session's terminal,
    /// and execs zdauth; stdin stays as the sandbox sets it.
    fn zdauth(&self, w: &World, args: &[&str]) -> Command {
        let take_terminal = "exec 3<>\"$1\" 3>&-; shift; exec \"$@\"";
        zdauth_here_through(w, &["sh", "-c", take_terminal, "sh", &self.path], args)
    }

    /// Every OSC 52 payload written so far, decoded.
    fn copies(&self) -> Vec<String> {
        let seen = String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned();
        seen.split("\x1b]52;c;")
            .skip(1)
            .filter_map(|rest| rest.split_once('\x07'))
            .map(|(b64, _)| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap();
                String::from_utf8(bytes).unwrap()
            })
            .collect()
    }
}

fn copy_on_pty(w: &World, pty: &Pty, args: &[&str]) -> std::process::Output {
    pty.zdauth(w, args).output().unwrap()
}

#[test]
fn without_a_display_the_token_goes_out_as_osc_52_and_is_overwritten_later() {
    let w = World::with_settings("clipboard_clear = \"1s\"", |_| {});
    let issued = w.seed();
    let pty = Pty::open();
    let out = copy_on_pty(&w, &pty, &["copy", "acme"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        stderr,
        "copied acme's token to the terminal's clipboard (OSC 52); clears in 1s (overwritten unchecked: this clipboard cannot be read back)\n"
    );
    wait_until("the OSC 52 copy", || !pty.copies().is_empty());
    assert_eq!(pty.copies()[0], issued.access_token);
    wait_for_helper(&w);
    wait_until("the OSC 52 clear", || pty.copies().len() == 2);
    assert_eq!(
        pty.copies(),
        [issued.access_token.clone(), CLEARED_TEXT.to_owned()]
    );
}

#[test]
fn osc_52_refuses_a_payload_over_the_limit_and_sends_one_at_it() {
    let w = World::with_settings("clipboard = \"osc52\"\nclipboard_clear = \"0s\"", |_| {});
    w.seed();
    let at_limit = "a".repeat(MAX_OSC52_BYTES);
    w.set_access(&at_limit);
    let pty = Pty::open();
    let out = copy_on_pty(&w, &pty, &["copy", "acme"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    wait_until("the OSC 52 copy", || !pty.copies().is_empty());
    assert_eq!(pty.copies(), [at_limit]);

    w.set_access(&"a".repeat(MAX_OSC52_BYTES + 1));
    let pty = Pty::open();
    let out = copy_on_pty(&w, &pty, &["copy", "acme"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OSC 52 carries at most 74994"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    wait_for_helper(&w);
    assert!(pty.copies().is_empty());
}

#[test]
fn when_the_desktop_clipboard_fails_auto_falls_back_to_osc_52_and_says_so() {
    let w = World::with_settings("clipboard_clear = \"0s\"", |_| {});
    let issued = w.seed();
    let pty = Pty::open();
    let mut command = pty.zdauth(&w, &["copy", "acme"]);
    // A display that no X server serves.
    assert!(!std::path::Path::new("/tmp/.X11-unix/X4711").exists());
    command.env("DISPLAY", ":4711");
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines[0],
        "copied acme's token to the terminal's clipboard (OSC 52); it stays (clipboard_clear = \"0s\")"
    );
    assert!(
        lines[1].starts_with("zdauth: note: the desktop clipboard failed (")
            && lines[1].ends_with("); used the terminal's OSC 52 instead"),
        "{stderr}"
    );
    wait_until("the OSC 52 copy", || !pty.copies().is_empty());
    assert_eq!(pty.copies(), [issued.access_token]);
}
