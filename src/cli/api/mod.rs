//! `zdauth api`: the REST API of one connection, or of many at once.
//!
//! - `args`: the arguments and `--help`'s exit codes.
//! - `request`: the words, body and headers made into a selection and one request.
//! - `jq`: `--jq`, compiled once before any request.
//! - `run`: every connection's call at once on one runtime, one throttle.
//! - `print`: JSON for one connection, NDJSON for many, cleaned on a terminal.
//! - `sorted`: `--sort`, streamed in name order, later connections held in temp files.
//! - `tally`: stderr lines, the summary and the exit code.

mod args;
mod jq;
mod print;
mod request;
mod run;
mod sorted;
mod tally;

use std::io::IsTerminal;

use zdauth_core::api::Page;
use zdauth_core::config::Connection;
use zdauth_core::error::Error;

pub use self::args::{ApiArgs, HELP};
use self::print::{Printer, Shape};
use self::run::Event;
use self::sorted::Sorted;
use self::tally::Tally;
use super::context::Context;
use super::out;
use super::session::Session;
use crate::exit;

pub fn api(ctx: &Context, args: &ApiArgs) -> anyhow::Result<u8> {
    // Everything the user typed is checked before the vault is opened or a request is sent:
    // the words, the filter, the selection, and where each connection's request would go.
    let (selector, target) = request::selection(args)?;
    let request = request::request(args, target, std::io::stdin().lock())?;
    let jq = args.jq.as_deref().map(jq::Jq::compile).transpose()?;
    let config = ctx.config()?;
    let connections: Vec<Connection> = selector.pick(&config)?.into_iter().cloned().collect();
    if connections.is_empty() {
        return Err(Error::Usage("no connection to ask: add one with `zdauth add`".into()).into());
    }
    // A full URL on one account's host is refused for the others before any is asked.
    for connection in &connections {
        request.url_for(connection)?;
    }
    let session = Session::with_config(ctx, config)?;
    let shape = if selector.is_many() {
        Shape::Many
    } else {
        Shape::Single
    };
    let printer = Printer {
        shape,
        terminal: std::io::stdout().is_terminal(),
        jq,
    };
    let mut tally = Tally::default();
    let mut sorted = args.sort.then(|| {
        Sorted::new(
            &printer,
            connections.iter().map(|c| c.name.clone()).collect(),
        )
    });
    let all_told = run::fan_out(&session, connections, request, args.jobs, |event| {
        match &mut sorted {
            Some(sorted) => return sorted.event(event, &mut tally),
            None => match event {
                Event::Page(page) => show(&printer, &page, &mut tally),
                Event::Done { connection, result } => tally.done(&connection, &result),
            },
        }
        !out::stdout_failed()
    });
    if let Some(sorted) = &mut sorted {
        sorted.finish(&mut tally);
    }
    if shape == Shape::Many && !out::stdout_failed() {
        errln!("zdauth: {}", tally.summary());
    }
    let code = tally.code();
    Ok(if all_told {
        code
    } else {
        code.max(exit::OTHER)
    })
}

/// One answer to stdout as it comes, its filter's failure to stderr.
fn show(printer: &Printer, page: &Page, tally: &mut Tally) {
    tally.page(page);
    let filtered = printer.page(page, &mut |line| {
        outln!("{line}");
        !out::stdout_failed()
    });
    if let Err(error) = filtered {
        tally.jq_failed(&page.connection, &error);
    }
}
