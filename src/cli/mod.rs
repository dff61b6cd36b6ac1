//! The script CLI: a thin door over the engine. Errors are one line on stderr, the problem
//! first and then what to do; the exit code says what kind of failure it was.

// First, so that its print macros reach every door below.
#[macro_use]
mod out;

mod agent;
mod api;
mod args;
mod child;
mod client;
mod clip;
mod complete;
mod connections;
mod context;
mod doctor;
mod edit;
pub mod export;
mod fanout;
mod health;
mod import;
mod login;
mod login_many;
mod onboard_args;
mod passphrase;
mod prometheus;
mod report;
mod session;
mod setup;
mod store;
mod store_args;
pub(crate) mod store_env;
mod store_files;
mod tokens;
mod tui;

use std::process::ExitCode;

use clap::Parser;

pub use args::{
    AddArgs, AgentCommand, ApiArgs, Cli, ClientCommand, Command, ExportFormat, ListFormat, Pick,
};
use context::Context;

use crate::exit;
use crate::logging;
use zdauth_core::error::Error;
use zdauth_core::paths::Paths;

pub fn main() -> ExitCode {
    // Before anything secret is in memory: every command may hold tokens or the identity.
    zdauth_core::shield::non_dumpable();
    // A Tab in the shell: answered from config.toml alone, then exit, before anything else runs.
    complete::answer_if_asked();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and usage errors, printed as clap would, without its exit on a closed pipe.
            let code = u8::try_from(e.exit_code()).unwrap_or(exit::USAGE);
            return ExitCode::from(match e.print() {
                Err(io) if io.kind() == std::io::ErrorKind::BrokenPipe => out::CLOSED_PIPE,
                _ => code,
            });
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let code = error
                .downcast_ref::<Error>()
                .map_or(exit::OTHER, exit::for_error);
            tracing::warn!(code, "command failed");
            errln!("zdauth: {}", one_line(&format!("{error:#}")));
            code
        }
    };
    ExitCode::from(out::finish(code))
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let command = cli.command.unwrap_or(Command::Tui);
    if let Command::Completions { shell } = command {
        out::stdout_bytes(&complete::registration(shell)?);
        return Ok(exit::OK);
    }
    if let Command::Demo = command {
        return tui::demo(cli.config_dir, cli.verbose);
    }
    let paths = Paths::resolve(cli.config_dir)?;
    logging::init(&paths, cli.verbose);
    // doctor reports loose modes and links as it finds them; fixing them first would hide them.
    if !matches!(command, Command::Doctor(_)) {
        for fixed in paths.fix_permissions()? {
            errln!("zdauth: warning: {fixed}");
        }
    }
    if matches!(
        command,
        Command::Token { .. }
            | Command::Refresh { .. }
            | Command::Copy { .. }
            | Command::Export { .. }
            | Command::Exec { .. }
            | Command::Api(_)
            // These call users/me through the refresh transaction, which may refresh first.
            | Command::Status { check: true, .. }
            | Command::Whoami { .. }
            | Command::Logout { .. }
    ) {
        zdauth_core::shield::defer_signals_during_refresh();
    }
    if matches!(command, Command::Login { .. }) {
        zdauth_core::shield::defer_signals_during_login();
    }
    // First, before any other reader of stdin: its first line is the secret id, the rest the
    // command's (a client secret, a request body).
    let store_secret_id = if cli.store_secret_id_stdin {
        Some(store_env::read_secret_id()?)
    } else {
        None
    };
    let ctx = Context {
        paths,
        // passwd seals the identity again, which only a process holding it can do.
        use_agent: !matches!(command, Command::Passwd),
        store_secret_id,
    };
    // The subcommand's name only: its arguments may hold a URL with credentials.
    tracing::debug!(command = command_name(&command), "start");
    let code = match command {
        Command::Init { identity_file } => setup::init(&ctx, identity_file)?,
        Command::Passwd => setup::passwd(&ctx)?,
        Command::Add(args) => connections::add(&ctx, &args)?,
        Command::Remove { name } => connections::remove(&ctx, &name)?,
        Command::List { json, format, tags } => {
            let format = if json { ListFormat::Json } else { format };
            report::list(&ctx, format, &tags)?
        }
        Command::Status {
            names,
            pick,
            json,
            check,
            jobs,
        } => match names.as_slice() {
            [name] if !json && !check && !pick.selector(&names).is_many() => {
                report::status(&ctx, name)?
            }
            _ => health::status_many(&ctx, &pick.selector(&names), json, check, jobs)?,
        },
        Command::Login {
            names,
            all_needed,
            no_browser,
            timeout,
        } => login::login_many(&ctx, &names, all_needed, no_browser, timeout)?,
        Command::Import(args) => import::import(&ctx, &args)?,
        Command::Edit(args) => edit::edit(&ctx, &args)?,
        Command::Client(ClientCommand::Create(args)) => client::create(&ctx, &args)?,
        Command::Doctor(args) => doctor::doctor(&ctx, &args),
        Command::Token { name, min_valid } => tokens::token(&ctx, &name, min_valid)?,
        Command::Copy { name, header } => clip::copy(&ctx, &name, header)?,
        Command::ClipboardServe => clip::serve(&ctx)?,
        Command::Export {
            names,
            pick,
            format,
        } => export::export_many(&ctx, &pick.selector(&names), format)?,
        Command::Exec { name, command } => export::exec(&ctx, &name, &command)?,
        Command::Refresh { names, pick, jobs } => {
            tokens::refresh(&ctx, &pick.selector(&names), jobs)?
        }
        Command::Api(args) => api::api(&ctx, &args)?,
        Command::Logout { name, local_only } => tokens::logout(&ctx, &name, local_only)?,
        Command::Whoami { name } => tokens::whoami(&ctx, &name)?,
        Command::Tui => tui::tui(&ctx)?,
        Command::Unlock => agent::unlock(&ctx)?,
        Command::Lock => agent::lock(&ctx)?,
        Command::Agent(command) => agent::command(&ctx, command)?,
        Command::Store(command) => store::store(&ctx, &command)?,
        Command::Completions { .. } | Command::Demo => exit::OK,
    };
    Ok(code)
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Init { .. } => "init",
        Command::Add(_) => "add",
        Command::Remove { .. } => "remove",
        Command::List { .. } => "list",
        Command::Status { .. } => "status",
        Command::Login { .. } => "login",
        Command::Import(_) => "import",
        Command::Edit(_) => "edit",
        Command::Client(_) => "client",
        Command::Doctor(_) => "doctor",
        Command::Token { .. } => "token",
        Command::Refresh { .. } => "refresh",
        Command::Copy { .. } => "copy",
        Command::ClipboardServe => "clipboard-serve",
        Command::Export { .. } => "export",
        Command::Exec { .. } => "exec",
        Command::Logout { .. } => "logout",
        Command::Whoami { .. } => "whoami",
        Command::Api(_) => "api",
        Command::Completions { .. } => "completions",
        Command::Tui => "tui",
        Command::Demo => "demo",
        Command::Passwd => "passwd",
        Command::Unlock => "unlock",
        Command::Lock => "lock",
        Command::Agent(_) => "agent",
        Command::Store(command) => command.name(),
    }
}

/// The last guard before stderr: whatever an error quotes reaches no terminal as a control,
/// and a message is one line.
pub fn one_line(text: &str) -> String {
    zdauth_core::text::display(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
