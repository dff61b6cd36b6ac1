//! `zdauth copy` for real: a named buffer in a real tmux, the OSC 52 escape read from a pty
//! this test owns, and the desktop clipboard under Xvfb read back with xclip. Each clear is
//! checked after the background helper has finished, and never wipes a newer copy.

mod common;

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use common::tmux::tmux;
use common::world::World;
use zdauth::clipboard::{CLEARED_TEXT, MAX_OSC52_BYTES};

/// What decides `clipboard = "auto"`, removed so that each test sets its own.
const PLACE_VARS: &[&str] = &[
    "TMUX",
    "SSH_TTY",
    "SSH_CONNECTION",
    "DISPLAY",
    "WAYLAND_DISPLAY",
];

/// `zdauth ARGS` with none of the variables `auto` looks at.
fn zdauth_here(w: &World, args: &[&str]) -> Command {
    let mut command = w.sb.zdauth(args);
    for var in PLACE_VARS {
        command.env_remove(var);
    }
    command
}

/// The `clipboard-serve` helpers of this sandbox still running.
fn helpers(w: &World) -> Vec<std::path::PathBuf> {
    let dir = w.sb.dir().display().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|proc| {
            let argv = std::fs::read(proc.join("cmdline")).unwrap_or_default();
            let argv = String::from_utf8_lossy(&argv);
            argv.contains("clipboard-serve") && argv.contains(&dir)
        })
        .collect()
}

fn helper_running(w: &World) -> bool {
    !helpers(w).is_empty()
}

/// Waits (bounded) for the helper to finish its clear.
fn wait_for_helper(w: &World) {
    let started = Instant::now();
    while helper_running(w) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the helper never finished"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} never happened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn with_no_display_and_no_terminal_copy_says_what_to_set() {
    let w = World::new(|_| {});
    w.seed();
    // The sandbox runs the binary in a new session: no controlling terminal for OSC 52.
    let out = zdauth_here(&w, &["copy", "acme"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("zdauth: no terminal to send the OSC 52 escape to")
            && stderr
                .trim_end()
                .ends_with("set settings.clipboard in config.toml (see config.example.toml)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn a_connection_that_needs_login_copies_nothing() {
    let w = World::new(|_| {});
    let mut command = zdauth_here(&w, &["copy", "acme"]);
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("zdauth login acme"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!helper_running(&w));
}

// ---- tmux ----

fn buffers(tmux: &common::tmux::Tmux) -> Vec<(String, String)> {
    tmux.run(&["list-buffers", "-F", "#{buffer_name}"])
        .lines()
        .map(|name| (name.to_owned(), tmux.run(&["show-buffer", "-b", name])))
        .collect()
}

#[test]
fn in_tmux_the_token_goes_to_a_named_buffer_and_is_gone_after_the_clear() {
    let Some(tmux) = tmux("copy") else { return };
    let w = World::with_settings("clipboard_clear = \"4s\"", |_| {});
    let issued = w.seed();
    tmux.start(&w.sb, "tmux set -s set-clipboard on;", "copy acme");
    let screen = tmux.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains(
            "copied acme's token to tmux buffer zdauth; clears in 4s if it is still there"
        ),
        "{screen}"
    );
    assert_eq!(
        tmux.run(&["show-buffer", "-b", "zdauth"]),
        issued.access_token
    );
    // The user copies something else meanwhile: a buffer of their own, which stays.
    tmux.run(&["set-buffer", "-b", "mine", "user text"]);

    wait_for_helper(&w);
    let left = buffers(&tmux);
    assert!(
        left.iter()
            .all(|(_, text)| !text.contains(&issued.access_token)),
        "{left:?}"
    );
    assert!(
        left.contains(&("mine".into(), "user text".into())),
        "{left:?}"
    );
}

#[test]
fn in_tmux_a_newer_copy_in_our_buffer_is_left_alone() {
    let Some(tmux) = tmux("copy-changed") else {
        return;
    };
    let w = World::with_settings("clipboard_clear = \"2s\"", |_| {});
    let issued = w.seed();
    tmux.start(&w.sb, "", "copy acme --header");
    let screen = tmux.wait_for("EXIT=");
    assert!(
        screen.contains("copied acme's Authorization header"),
        "{screen}"
    );
    assert_eq!(
        tmux.run(&["show-buffer", "-b", "zdauth"]),
        format!("Authorization: Bearer {}", issued.access_token)
    );
    tmux.run(&["set-buffer", "-b", "zdauth", "pasted since"]);
    wait_for_helper(&w);
    assert_eq!(tmux.run(&["show-buffer", "-b", "zdauth"]), "pasted since");
}

// ---- OSC 52 through a pty ----

/// A pty whose far end becomes the controlling terminal of the commands given to `attach`.
struct Pty {
    slave: OwnedFd,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    fn open() -> Self {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes the two descriptors; the other arguments may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both were just opened and are owned here alone.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let mut reader = std::fs::File::from(master);
        std::thread::spawn(move || {
            let mut chunk = [0u8; 65536];
            // Ends with EIO once no process holds the far end any more.
            while let Ok(n @ 1..) = reader.read(&mut chunk) {
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Self { slave, seen }
    }

    /// After the sandbox's setsid, the pty becomes the command's controlling terminal.
    fn attach(&self, command: &mut Command) {
        use std::os::fd::AsRawFd;
        let fd = self.slave.as_raw_fd();
        // SAFETY: ioctl on an inherited descriptor; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::ioctl(fd, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
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
    let mut command = zdauth_here(w, args);
    pty.attach(&mut command);
    command.output().unwrap()
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
    let mut command = zdauth_here(&w, &["copy", "acme"]);
    // A display that no X server serves.
    assert!(!std::path::Path::new("/tmp/.X11-unix/X4711").exists());
    command.env("DISPLAY", ":4711");
    pty.attach(&mut command);
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

#[test]
fn clipboard_command_gets_the_token_on_stdin_and_the_clear_overwrites_it() {
    let sink = tempfile::tempdir().unwrap();
    let file = sink.path().join("clip board.txt");
    let settings = format!(
        "clipboard = \"command\"\nclipboard_command = \"sh -c 'cat > \\\"$0\\\"' '{}'\"\nclipboard_clear = \"1s\"",
        file.display()
    );
    let w = World::with_settings(&settings, |_| {});
    let issued = w.seed();
    let run = w.sb.run(&["copy", "acme"]).success();
    assert_eq!(
        run.stderr,
        "copied acme's token to clipboard_command \"sh\"; clears in 1s (overwritten unchecked: this clipboard cannot be read back)\n"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), issued.access_token);
    wait_for_helper(&w);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), CLEARED_TEXT);
}

// ---- the desktop clipboard under Xvfb ----

struct Xvfb {
    server: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A private X server, or `None` (outside CI only) when Xvfb or xclip is missing.
fn xvfb() -> Option<Xvfb> {
    let has = |tool: &str, flag: &str| {
        Command::new(tool)
            .arg(flag)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if !has("Xvfb", "-help") || !has("xclip", "-version") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Xvfb and xclip"
        );
        eprintln!("Xvfb or xclip is not installed; skipping the desktop clipboard test");
        return None;
    }
    // -displayfd: the server picks a free display and says which once it is ready.
    let mut server = Command::new("Xvfb")
        .args(["-displayfd", "1", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut number = String::new();
    let mut out = server.stdout.take().unwrap();
    let mut byte = [0u8];
    while out.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
        number.push(byte[0] as char);
    }
    assert!(!number.is_empty(), "Xvfb did not start");
    Some(Xvfb {
        server,
        display: format!(":{number}"),
    })
}

impl Xvfb {
    fn xclip(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("xclip")
            .args(["-selection", "clipboard"])
            .args(args)
            .env("DISPLAY", &self.display)
            .stderr(Stdio::null())
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Copies as another program would; xclip stays behind serving it until the server goes.
    fn copy(&self, text: &str) {
        let mut child = Command::new("xclip")
            .args(["-selection", "clipboard", "-i"])
            .env("DISPLAY", &self.display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        child.wait().unwrap();
    }

    fn zdauth_copy(&self, w: &World) -> String {
        let out = zdauth_here(w, &["copy", "acme"])
            .env("DISPLAY", &self.display)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        stderr
    }
}

#[test]
fn with_a_display_the_desktop_clipboard_holds_it_marked_secret_until_the_clear() {
    let Some(x) = xvfb() else { return };
    let w = World::with_settings("clipboard_clear = \"3s\"", |_| {});
    let issued = w.seed();
    let stderr = x.zdauth_copy(&w);
    assert_eq!(
        stderr,
        "copied acme's token to the desktop clipboard; clears in 3s if it is still there\n"
    );
    assert_eq!(
        x.xclip(&["-o"]).as_deref(),
        Some(issued.access_token.as_str())
    );
    // The hint KDE's Klipper and others honour: keep it out of the clipboard history.
    let targets = x.xclip(&["-o", "-t", "TARGETS"]).unwrap_or_default();
    assert!(targets.contains("x-kde-passwordManagerHint"), "{targets}");

    wait_for_helper(&w);
    let after = x.xclip(&["-o"]).unwrap_or_default();
    assert!(!after.contains(&issued.access_token), "{after}");
}

#[test]
fn on_the_desktop_a_newer_copy_is_left_alone() {
    let Some(x) = xvfb() else { return };
    let w = World::with_settings("clipboard_clear = \"3s\"", |_| {});
    w.seed();
    x.zdauth_copy(&w);
    x.copy("copied since");
    wait_for_helper(&w);
    assert_eq!(x.xclip(&["-o"]).as_deref(), Some("copied since"));
}

// ---- the TUI ----

#[test]
fn in_the_tui_c_copies_into_tmux_and_the_clear_and_quitting_take_it_back() {
    let Some(tmux) = tmux("tui-copy") else { return };
    let w = World::with_settings("clipboard_clear = \"3s\"", |_| {});
    let issued = w.seed();
    let token = issued.access_token.clone();
    let holds_token =
        |tmux: &common::tmux::Tmux| buffers(tmux).iter().any(|(_, text)| text.contains(&token));
    tmux.start(&w.sb, "tmux set -s set-clipboard on;", "tui");
    tmux.wait_for("c copy");
    tmux.run(&["send-keys", "-t", "t", "c"]);
    tmux.wait_for("copied acme's token — clears in");
    assert_eq!(tmux.run(&["show-buffer", "-b", "zdauth"]), token);
    tmux.wait_for("cleared acme's token from the clipboard");
    assert!(!holds_token(&tmux), "{:?}", buffers(&tmux));

    // C copies the header; quitting before the clear still clears it.
    tmux.run(&["send-keys", "-t", "t", "C"]);
    tmux.wait_for("copied acme's Authorization header — clears in");
    assert_eq!(
        tmux.run(&["show-buffer", "-b", "zdauth"]),
        format!("Authorization: Bearer {token}")
    );
    tmux.run(&["send-keys", "-t", "t", "q"]);
    tmux.wait_for("EXIT=0");
    assert!(!holds_token(&tmux), "{:?}", buffers(&tmux));
}
