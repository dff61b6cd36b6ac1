//! The desktop clipboard for real: a private Xvfb, read back with xclip.

use crate::common;

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};

use common::clipboard::{wait_for_helper, zdauth_here};
use common::world::World;

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
