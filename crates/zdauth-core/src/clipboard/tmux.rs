//! A named tmux buffer. `load-buffer -w` also hands the text to the outer terminal's
//! clipboard (with `set-clipboard on`); the text goes in on stdin, never on argv.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::secret::without_passphrases;

use super::{Backend, CLEARED_TEXT, ClipboardError};

/// The buffer zdauth copies into; a later copy replaces it.
pub const BUFFER: &str = "zdauth";

pub(super) struct Tmux;

impl Backend for Tmux {
    fn name(&self) -> String {
        format!("tmux buffer {BUFFER}")
    }

    fn copy(&mut self, text: &str) -> Result<(), ClipboardError> {
        tmux(&["load-buffer", "-b", BUFFER, "-w", "-"], Some(text)).map(drop)
    }

    fn holds(&mut self, text: &str) -> Option<bool> {
        // A missing buffer (deleted, or the server gone) holds nothing.
        Some(tmux(&["show-buffer", "-b", BUFFER], None).is_ok_and(|now| now == text.as_bytes()))
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        // The outer terminal got the token too. Overwrite it there only while ours is the
        // newest buffer: anything copied since is in the outer clipboard now, and is the user's.
        let newest = tmux(&["list-buffers", "-F", "#{buffer_name}"], None)?;
        if newest.split(|b| *b == b'\n').next() == Some(BUFFER.as_bytes()) {
            tmux(
                &["load-buffer", "-b", BUFFER, "-w", "-"],
                Some(CLEARED_TEXT),
            )?;
        }
        tmux(&["delete-buffer", "-b", BUFFER], None).map(drop)
    }
}

fn tmux(args: &[&str], stdin: Option<&str>) -> Result<Vec<u8>, ClipboardError> {
    let fail = |why: String| ClipboardError(format!("tmux {} failed: {why}", args[0]));
    let mut child = without_passphrases(&mut Command::new("tmux"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
    }
    let output = child.wait_with_output().map_err(|e| fail(e.to_string()))?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        return Err(fail(said.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    Ok(output.stdout)
}
