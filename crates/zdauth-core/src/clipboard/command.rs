//! `settings.clipboard_command`: a program that reads the text on stdin, run without a shell.
//! There is no general way to read its clipboard back, so the clear overwrites unchecked.

use std::io::Write;
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::secret::without_passphrases;
use std::time::{Duration, Instant};

use super::{Backend, CLEARED_TEXT, ClipboardError};

pub(super) struct UserCommand {
    argv: Vec<String>,
}

impl UserCommand {
    pub(super) fn new(argv: Vec<String>) -> Self {
        Self { argv }
    }

    fn feed(&self, text: &str) -> Result<(), ClipboardError> {
        let program = &self.argv[0];
        let fail = |why: String| ClipboardError(format!("clipboard_command {program:?} {why}"));
        // Output goes nowhere: xclip and wl-copy leave a child holding the selection, which
        // would keep a captured pipe open for as long as it serves.
        let mut child = without_passphrases(&mut Command::new(program))
            .args(&self.argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail(format!("cannot start: {e}")))?;
        let written = child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(text.as_bytes());
        let status = wait_bounded(&mut child).map_err(fail)?;
        written.map_err(|e| fail(format!("did not read its input: {e}")))?;
        if !status.success() {
            return Err(fail(format!("failed ({status})")));
        }
        Ok(())
    }
}

/// A clipboard tool hands the text to a background copy of itself and exits; one that stays
/// in the foreground (`wl-copy --foreground`) would hold the copy, and a TUI task, forever.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

fn wait_bounded(child: &mut Child) -> Result<ExitStatus, String> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Ok(status);
        }
        if started.elapsed() >= COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "did not exit within {}s: it must read stdin and return (run it without a foreground option)",
                COMMAND_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Backend for UserCommand {
    fn name(&self) -> String {
        format!("clipboard_command {:?}", self.argv[0])
    }

    fn copy(&mut self, text: &str) -> Result<(), ClipboardError> {
        self.feed(text)
    }

    fn holds(&mut self, _text: &str) -> Option<bool> {
        None
    }

    fn clear(&mut self) -> Result<(), ClipboardError> {
        self.feed(CLEARED_TEXT)
    }
}
