//! `--sort` as a stream: the first connection in name order that has not finished prints as
//! its answers come; each later one's lines (after `--jq`) wait in an unlinked temp file of
//! its own and are replayed in order when its turn comes. Memory stays flat however many
//! pages and connections there are, and the first line is out as soon as it can be.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};

use zdauth_core::api::{Outcome, Page};
use zdauth_core::error::Error;

use super::run::Event;
use super::{Printer, Tally, out};

/// What a connection whose turn has not come has said so far.
#[derive(Default)]
struct Held {
    lines: Option<BufWriter<File>>,
    /// The first failure to filter or hold one of its answers.
    failed: Option<String>,
    /// Its lines could not be held: the rest of them are dropped, and it counts as failed.
    broken: bool,
    done: Option<Result<Outcome, Error>>,
}

pub struct Sorted<'a> {
    printer: &'a Printer,
    /// Every connection's name, in the order printed.
    order: Vec<String>,
    /// The index in `order` of the connection printing now.
    live: usize,
    held: HashMap<String, Held>,
}

impl<'a> Sorted<'a> {
    pub fn new(printer: &'a Printer, mut names: Vec<String>) -> Self {
        names.sort();
        Self {
            printer,
            order: names,
            live: 0,
            held: HashMap::new(),
        }
    }

    /// Shows or holds one event; false once stdout went away.
    pub fn event(&mut self, event: Event, tally: &mut Tally) -> bool {
        let live = self.order.get(self.live).cloned();
        match event {
            Event::Page(page) if live.as_deref() == Some(page.connection.as_str()) => {
                super::show(self.printer, &page, tally);
            }
            Event::Page(page) => {
                tally.page(&page);
                self.hold(&page);
            }
            Event::Done { connection, result } if live.as_deref() == Some(connection.as_str()) => {
                tally.done(&connection, &result);
                self.live += 1;
                self.catch_up(tally, false);
            }
            Event::Done { connection, result } => {
                self.held.entry(connection).or_default().done = Some(result);
            }
        }
        !out::stdout_failed()
    }

    /// Every walk has ended: what is still held goes out in order, even of a walk that
    /// ended without telling how.
    pub fn finish(&mut self, tally: &mut Tally) {
        self.catch_up(tally, true);
    }

    fn hold(&mut self, page: &Page) {
        let held = self.held.entry(page.connection.clone()).or_default();
        if held.broken {
            return;
        }
        let mut spill = None;
        let filtered = self.printer.page(page, &mut |line| {
            let written = match &mut held.lines {
                Some(file) => writeln!(file, "{line}"),
                None => tempfile::tempfile()
                    .and_then(|file| writeln!(held.lines.insert(BufWriter::new(file)), "{line}")),
            };
            written.map_err(|e| spill = Some(e)).is_ok()
        });
        if let Some(e) = spill {
            held.broken = true;
            held.failed.get_or_insert(format!(
                "cannot hold its answers for --sort ({e}): free space in the temp dir, or run without --sort"
            ));
        } else if let Err(jq) = filtered {
            held.failed.get_or_insert(jq);
        }
    }

    /// Replays the held connections from the live one on, up to the first whose walk has
    /// not ended (which then prints as it comes), or all of them with `all`.
    fn catch_up(&mut self, tally: &mut Tally, all: bool) {
        while let Some(name) = self.order.get(self.live) {
            if out::stdout_failed() {
                return;
            }
            let name = name.clone();
            let Some(held) = self.held.remove(&name) else {
                if all {
                    self.live += 1;
                    continue;
                }
                return;
            };
            let ended = held.done.is_some();
            if let Some(lines) = held.lines
                && let Err(e) = replay(lines)
            {
                tally.jq_failed(
                    &name,
                    &format!(
                        "cannot read back its answers held for --sort ({e}): run without --sort"
                    ),
                );
            }
            if let Some(failed) = &held.failed {
                tally.jq_failed(&name, failed);
            }
            if let Some(result) = held.done {
                tally.done(&name, &result);
            }
            if !ended && !all {
                // Its walk goes on: from now on its answers print as they come.
                return;
            }
            self.live += 1;
        }
    }
}

fn replay(lines: BufWriter<File>) -> io::Result<()> {
    let mut file = lines.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    let mut chunk = vec![0; 64 << 10];
    loop {
        let read = file.read(&mut chunk)?;
        if read == 0 || out::stdout_failed() {
            return Ok(());
        }
        out::stdout_bytes(&chunk[..read]);
    }
}
