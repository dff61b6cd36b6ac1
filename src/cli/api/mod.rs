//! `zdauth api`: the REST API of one connection, or of many at once.
//!
//! - `args`: the arguments and `--help`'s exit codes.
//! - `request`: the words, body and headers made into a selection and one request.
//! - `jq`: `--jq`, compiled once before any request.
//! - `run`: every connection's call at once on one runtime, one throttle.
//! - `print`: JSON for one connection, NDJSON for many, cleaned on a terminal.
//! - `tally`: stderr lines, the summary and the exit code.

mod args;
mod jq;
mod print;
mod request;
mod run;
mod tally;

use std::io::IsTerminal;

use zdauth_core::config::Connection;
use zdauth_core::error::Error;

pub use self::args::{ApiArgs, HELP};
use self::print::{Printer, Shape};
use self::run::Event;
use self::tally::Tally;
use super::context::Context;
use super::out;
use super::session::Session;
use crate::exit;

pub fn api(ctx: &Context, args: &ApiArgs) -> anyhow::Result<u8> {
    // Everything the user typed is checked before the vault is opened or a request is sent.
    let (selector, target) = request::selection(args)?;
    let request = request::request(args, target, std::io::stdin().lock())?;
    let jq = args.jq.as_deref().map(jq::Jq::compile).transpose()?;
    let session = Session::open(ctx)?;
    let connections: Vec<Connection> = selector
        .pick(&session.config)?
        .into_iter()
        .cloned()
        .collect();
    if connections.is_empty() {
        return Err(Error::Usage("no connection to ask: add one with `zdauth add`".into()).into());
    }
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
    let mut held = Vec::new();
    let show = |event: Event, tally: &mut Tally| match event {
        Event::Page(page) => {
            tally.page(&page);
            if let Err(error) = printer.page(&page) {
                tally.jq_failed(&page.connection, &error);
            }
        }
        Event::Done { connection, result } => tally.done(&connection, &result),
    };
    let all_told = run::fan_out(&session, connections, request, args.jobs, |event| {
        if args.sort {
            held.push(event);
        } else {
            show(event, &mut tally);
        }
        !out::stdout_failed()
    });
    if args.sort {
        // Stable: each connection's pages stay in order, its end after them.
        held.sort_by(|a, b| name(a).cmp(name(b)));
        for event in held {
            show(event, &mut tally);
            if out::stdout_failed() {
                break;
            }
        }
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

fn name(event: &Event) -> &str {
    match event {
        Event::Page(page) => &page.connection,
        Event::Done { connection, .. } => connection,
    }
}
