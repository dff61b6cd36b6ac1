//! `zdauth api`'s arguments and the exit codes its `--help` ends with.

// The doc comments here are the `--help` text, where Markdown backticks would show as typed.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::Args;
use clap_complete::engine::ArgValueCompleter;

use crate::cli::args::Pick;
use crate::cli::complete;

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// NAME PATH for one connection (NAME may be a glob such as 'eu-*'), or PATH alone with
    /// --all or --tag. PATH: /api/v2/... on the connection's host, a path relative to its API
    /// base (users/me.json), or a full URL on the connection's own host
    #[arg(required = true, num_args = 1..=2, value_names = ["NAME", "PATH"],
          add = ArgValueCompleter::new(complete::FirstWordIsAName))]
    pub words: Vec<String>,
    #[command(flatten)]
    pub pick: Pick,
    /// The HTTP method [default: GET, or POST when a body is given]
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub method: Option<String>,
    /// A JSON body field key=value (a string), or key:=json for a raw JSON value; repeatable
    #[arg(short = 'f', long = "field", value_name = "KEY=VALUE")]
    pub fields: Vec<String>,
    /// A JSON body from FILE, or from stdin with -
    #[arg(long, value_name = "FILE", conflicts_with = "fields")]
    pub input: Option<PathBuf>,
    /// An extra request header 'Name: value' (repeatable; Authorization cannot be set)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Follow Zendesk's pagination (links.next while meta.has_more, next_page, or Chat's
    /// next_url) to the end
    #[arg(long)]
    pub paginate: bool,
    /// Stop after this many pages per connection (exit 1 when more were left)
    #[arg(long, value_name = "N", default_value_t = zdauth_core::api::DEFAULT_MAX_PAGES,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(zdauth_core::api::MAX_PAGES)))]
    pub max_pages: u32,
    /// Filter each answer with a jq expression (jaq), e.g. '.users[].email'
    #[arg(long, value_name = "EXPR")]
    pub jq: Option<String>,
    /// With many connections, print in connection-name order: the first not yet done prints
    /// as it comes, the later ones wait in temp files until their turn
    #[arg(long)]
    pub sort: bool,
    /// How many requests run at once overall (never more than 4 per Zendesk account)
    #[arg(long, value_name = "N", default_value_t = zdauth_core::throttle::DEFAULT_JOBS,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
}

pub const HELP: &str = "\
Exit codes:
  0  every answer was 2xx
  1  --max-pages reached with pages left, --jq failed on an answer, or another error
  2  usage error (nothing was sent)
  5  login required (no token, refresh token expired or revoked, or the token refused after a refresh)
  6  vault locked (wrong passphrase, no passphrase, unreadable identity)
  7  network error, timeout, rate limited too long, or an answer zdauth cannot read
  8  the API answered an error status (the body is printed, the status on stderr)
  129, 130, 143  ended by SIGHUP, SIGINT, SIGTERM (a refresh on the wire is stored first)
  141  stdout was a closed pipe
With many connections, the highest code of any (8 > 7 > 5: not ranked by badness as
`status` is), and a summary line on stderr
(e.g. `38 ok, 1 error, 1 needs login`).";
