//! `copy`: refresh, then hand the text to a small detached helper (this binary again, as
//! `clipboard-serve`) that copies it, keeps it served and clears it later, as `pass -c` does.
//! The text goes to the helper on a pipe: never on argv, never in the environment.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use zeroize::Zeroize;

use crate::exit;
use zdauth_core::clipboard::{self, Surroundings, What};
use zdauth_core::error::Error;
use zdauth_core::secret::Secret;

use super::context::Context;
use super::session::Session;

pub fn copy(ctx: &Context, name: &str, header: bool) -> anyhow::Result<u8> {
    let session = Session::open(ctx)?;
    let connection = session.connection(name)?;
    let what = if header { What::Header } else { What::Token };
    let margin = session.config.settings.refresh_margin;
    let text = session.runtime.block_on(zdauth_core::refresh::fresh_text(
        &session.refresher,
        connection,
        margin,
        what,
    ))?;
    let report = start_helper(ctx, &text)?;
    let clear = session.config.settings.clipboard_clear;
    errln!(
        "copied {name}'s {} to {}; {}",
        what.describe(),
        report.place,
        clear_phrase(clear, report.readable)
    );
    if let Some(note) = report.note {
        errln!("zdauth: note: {note}");
    }
    Ok(exit::OK)
}

/// The confirmation's tail: when the copy goes, and whether the clear checks first.
pub fn clear_phrase(clear: Duration, readable: bool) -> String {
    if clear.is_zero() {
        return "it stays (clipboard_clear = \"0s\")".into();
    }
    let when = format!("clears in {}", humantime::format_duration(clear));
    if readable {
        format!("{when} if it is still there")
    } else {
        format!("{when} (overwritten unchecked: this clipboard cannot be read back)")
    }
}

struct Report {
    place: String,
    readable: bool,
    note: Option<String>,
}

fn start_helper(ctx: &Context, text: &Secret) -> anyhow::Result<Report> {
    let exe = std::env::current_exe().map_err(|e| {
        anyhow::anyhow!("cannot find the zdauth binary to start the clipboard helper: {e}")
    })?;
    // It needs no vault: the passphrases stay out of its environment.
    let mut child = zdauth_core::secret::without_passphrases(&mut Command::new(exe))
        .arg("--config-dir")
        .arg(ctx.paths.dir())
        .arg("clipboard-serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        // Its own process group: the shell's Ctrl-C and job control leave it alone, while it
        // keeps the terminal that OSC 52 writes to.
        .process_group(0)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start the clipboard helper: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin.write_all(text.expose().as_bytes())?;
    drop(stdin);
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped")).read_line(&mut line)?;
    let mut fields = line.trim_end_matches('\n').split('\t');
    match (fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some("ok"), Some(readable), Some(place), note) => Ok(Report {
            place: place.to_owned(),
            readable: readable == "1",
            note: note.filter(|n| !n.is_empty()).map(str::to_owned),
        }),
        (Some("err"), Some(message), ..) => Err(Error::Clipboard(clipboard::ClipboardError(
            format!("{message}: set settings.clipboard in config.toml (see config.example.toml)"),
        ))
        .into()),
        _ => Err(anyhow::anyhow!(
            "the clipboard helper stopped before copying; nothing was copied (see the log with -v)"
        )),
    }
}

/// `clipboard-serve`: the helper `copy` starts. Reports one line on stdout, then serves.
pub fn serve(ctx: &Context) -> anyhow::Result<u8> {
    // Ignored so that closing the terminal does not cut the clear short, and writing to it
    // from the background is allowed.
    zdauth_core::sys::ignore_signal(zdauth_core::sys::SIGHUP);
    zdauth_core::sys::ignore_signal(zdauth_core::sys::SIGTTOU);
    let mut raw = Vec::new();
    std::io::stdin().read_to_end(&mut raw)?;
    let text = String::from_utf8(raw).map_err(|e| {
        let mut bytes = e.into_bytes();
        bytes.zeroize();
        anyhow::anyhow!("the text to copy is not UTF-8")
    })?;
    let config = ctx.config();
    let copied = config
        .as_ref()
        .map_err(ToString::to_string)
        .and_then(|config| {
            clipboard::copy(
                &config.settings,
                &Surroundings::from_env(),
                Secret::new(text),
            )
            .map_err(|e| e.to_string())
        });
    let mut stdout = std::io::stdout();
    let field = |text: &str| text.replace(['\t', '\n'], " ");
    let mut copied = match copied {
        Ok(copied) => copied,
        Err(message) => {
            let _ = writeln!(stdout, "err\t{}", field(&message));
            return Ok(exit::OTHER);
        }
    };
    let readable = if copied.can_read_back() { "1" } else { "0" };
    let note = copied.note.clone().unwrap_or_default();
    let _ = writeln!(
        stdout,
        "ok\t{readable}\t{}\t{}",
        field(&copied.place()),
        field(&note)
    );
    let _ = stdout.flush();
    let clear = config
        .map(|c| c.settings.clipboard_clear)
        .unwrap_or_default();
    let outcome = copied.serve_then_clear(clear);
    tracing::info!(?outcome, "clipboard helper done");
    Ok(exit::OK)
}
