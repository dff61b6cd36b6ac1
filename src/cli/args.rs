//! The command line, as clap sees it.

// The doc comments here are the `--help` text, where Markdown backticks would show as typed.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCandidates;

pub use super::api::ApiArgs;
use super::api::HELP as API_HELP;
use super::complete;

pub use super::onboard_args::{ClientCommand, ClientCreateArgs, DoctorArgs, EditArgs, ImportArgs};
pub use super::store_args::StoreCommand;
use crate::exit;

#[derive(Debug, Parser)]
#[command(
    name = "zdauth",
    version,
    about = "Keeps Zendesk OAuth tokens alive for many subdomains",
    after_help = exit::HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Where config.toml, vault.age and identity.age live [default: the platform's config dir]
    #[arg(long, global = true, env = "ZDAUTH_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,

    /// Log debug detail to the log file (RUST_LOG overrides)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Read the team store's AppRole secret id from stdin (one line; hidden when typed)
    /// instead of [store].secret_id_env
    #[arg(long, global = true)]
    pub store_secret_id_stdin: bool,

    /// Without a command, the TUI opens
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create config.toml and the identity that encrypts the vault
    #[command(after_help = exit::HELP)]
    Init {
        /// Use this plain age identity file (e.g. from age-keygen) instead of a passphrase
        #[arg(long, value_name = "PATH")]
        identity_file: Option<PathBuf>,
    },
    /// Add a connection to a Zendesk subdomain
    #[command(after_help = exit::HELP)]
    Add(AddArgs),
    /// Remove a connection and drop its stored tokens (they are not revoked at Zendesk)
    #[command(after_help = exit::HELP)]
    Remove {
        /// The connection's name
        #[arg(add = ArgValueCandidates::new(complete::names))]
        name: String,
    },
    /// List every connection with its token state
    #[command(after_help = exit::HELP)]
    List {
        /// Print a JSON array for scripts (the same as --format json)
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// table, json, or prometheus (metrics for node_exporter's textfile collector)
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
        /// Only connections with this tag (repeatable: all must match)
        #[arg(long = "tag", value_name = "TAG", add = ArgValueCandidates::new(complete::tags))]
        tags: Vec<String>,
    },
    /// Show one connection, or one line per connection; the exit code says the worst state (0, 3, 4, 5)
    ///
    /// With many connections the exit code is the worst of theirs, ranked by what a person must
    /// act on rather than by number: 5 > 7 > 6 > 4 > 3 > 0. A dead grant (5) is not hidden by a
    /// network error of --check (7), which may pass by itself.
    #[command(after_help = exit::HELP)]
    Status {
        /// Connection names or globs such as 'eu-*'; one name alone shows it in full
        #[arg(add = ArgValueCandidates::new(complete::names), conflicts_with = "all")]
        names: Vec<String>,
        #[command(flatten)]
        pick: Pick,
        /// A JSON array (one object per connection)
        #[arg(long)]
        json: bool,
        /// Also ask Zendesk (users/me) whether it accepts each token
        #[arg(long)]
        check: bool,
        /// How many checks run at once (with --check)
        #[arg(long, value_name = "N", default_value_t = zdauth_core::throttle::DEFAULT_JOBS,
              value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
    },
    /// Log in to a connection in the browser (authorization code + PKCE)
    #[command(after_help = exit::HELP)]
    Login {
        /// The connections' names: logged in one after another, a summary at the end
        #[arg(add = ArgValueCandidates::new(complete::names), required_unless_present = "all_needed",
              conflicts_with = "all_needed")]
        names: Vec<String>,
        /// Every browser-login connection that needs a login (no token, or login required)
        #[arg(long)]
        all_needed: bool,
        /// Print the URL instead of opening a browser, and accept the final redirect URL pasted here
        #[arg(long)]
        no_browser: bool,
        /// How long to wait for the browser
        #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = wait)]
        timeout: Duration,
    },
    /// Print a valid access token (and nothing else), refreshing it first if needed
    #[command(after_help = exit::HELP)]
    Token {
        /// The connection's name
        #[arg(add = ArgValueCandidates::new(complete::names))]
        name: String,
        /// Refresh first when less than this is left [default: settings.refresh_margin]
        #[arg(long, value_name = "DURATION", value_parser = duration)]
        min_valid: Option<Duration>,
    },
    /// Copy a valid access token to the clipboard; it is cleared after settings.clipboard_clear
    #[command(after_help = exit::HELP)]
    Copy {
        /// The connection's name
        #[arg(add = ArgValueCandidates::new(complete::names))]
        name: String,
        /// Copy `Authorization: Bearer <token>` instead of the bare token
        #[arg(long)]
        header: bool,
    },
    /// Print a valid access token in a form another tool takes (stdout holds only that)
    #[command(after_help = exit::HELP)]
    Export {
        /// Connection names (or globs); more than one, --all or --tag need --format json
        #[arg(add = ArgValueCandidates::new(complete::names), conflicts_with = "all")]
        names: Vec<String>,
        #[command(flatten)]
        pick: Pick,
        /// header: `Authorization: Bearer …`; env: shell `export` lines for ZENDESK_SUBDOMAIN and
        /// ZENDESK_OAUTH_TOKEN; json: name, subdomain, access_token, token_type, expires_at,
        /// scopes; curl: a curl line calling users/me (at base_url when the connection has one)
        #[arg(long, value_enum)]
        format: ExportFormat,
    },
    /// Run a command with ZENDESK_SUBDOMAIN, ZENDESK_OAUTH_TOKEN and ZENDESK_URL set to a valid token
    #[command(after_help = EXEC_HELP)]
    Exec {
        /// The connection's name
        #[arg(add = ArgValueCandidates::new(complete::names))]
        name: String,
        /// The command and its arguments, after `--`
        #[arg(last = true, required = true, value_name = "CMD")]
        command: Vec<std::ffi::OsString>,
    },
    /// Serves a copy and clears it later; `copy` starts it with the text on stdin
    #[command(hide = true)]
    ClipboardServe,
    /// Get a new token pair now, for the named connections or all of them
    #[command(after_help = exit::HELP)]
    Refresh {
        /// The connections' names, or globs such as 'eu-*'
        #[arg(add = ArgValueCandidates::new(complete::names), conflicts_with = "all")]
        names: Vec<String>,
        #[command(flatten)]
        pick: Pick,
        /// How many refreshes run at once
        #[arg(long, value_name = "N", default_value_t = zdauth_core::throttle::DEFAULT_JOBS,
              value_parser = clap::value_parser!(u16).range(1..=64))]
        jobs: u16,
    },
    /// Revoke the token at Zendesk and forget it here
    #[command(after_help = exit::HELP)]
    Logout {
        /// The connection's name
        #[arg(add = ArgValueCandidates::new(complete::names))]
        name: String,
        /// Only forget the tokens here; do not revoke them at Zendesk
        #[arg(long)]
        local_only: bool,
    },
    /// Show who a connection's token belongs to (Zendesk users/me)
    #[command(after_help = exit::HELP)]
    Whoami {
        /// The connection's name
        #[arg(add = ArgValueCandidates::new(complete::names))]
        name: String,
    },
    /// Call the Zendesk REST API of one connection, or of many at once (NDJSON, one line per answer)
    #[command(after_help = API_HELP)]
    Api(ApiArgs),
    /// Add many connections at once from a CSV, TOML or JSON file (all or nothing)
    #[command(after_help = exit::HELP)]
    Import(ImportArgs),
    /// Change a connection's settings, as the TUI's edit form does
    #[command(after_help = exit::HELP)]
    Edit(EditArgs),
    /// OAuth clients in Zendesk
    #[command(subcommand)]
    Client(ClientCommand),
    /// Check the setup: files and modes, identity and agent, clipboard, browser, ports, connections
    #[command(after_help = exit::HELP)]
    Doctor(DoctorArgs),
    /// Open the TUI: every connection with live countdowns (also what `zdauth` alone does)
    Tui,
    /// Run the TUI against a built-in fake Zendesk, in a throwaway config dir
    Demo,
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Change the passphrase of identity.age (the vault itself is not re-encrypted)
    #[command(after_help = exit::HELP)]
    Passwd,
    /// Open identity.age once and hand it to the agent: commands stop asking the passphrase
    #[command(after_help = exit::HELP)]
    Unlock,
    /// Make the agent forget the identity now (it keeps running, locked)
    #[command(after_help = exit::HELP)]
    Lock,
    /// The agent: unlocked identity for every command, and keep-alive of every grant
    #[command(subcommand)]
    Agent(AgentCommand),
    /// The team store ([store] in config.toml): what it holds, rekey, migrate
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Whether the agent runs, whether it is unlocked and until when, and its keep-alive
    #[command(after_help = exit::HELP)]
    Status {
        /// One JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Stop the agent (it forgets the identity)
    Stop,
    /// Run the agent in the foreground, for a service manager
    #[command(hide = true)]
    Run,
    /// Start the agent at login: a systemd user unit on Linux, a launchd agent on macOS
    Install {
        /// Print the service file instead of installing it
        #[arg(long)]
        print: bool,
    },
    /// Remove what `agent install` installed
    Uninstall,
}

/// Which connections: with names, only those among them.
#[derive(Debug, Clone, Default, Args)]
pub struct Pick {
    /// Every connection
    #[arg(long)]
    pub all: bool,
    /// Only connections with this tag (repeatable: all must match)
    #[arg(long = "tag", value_name = "TAG", add = ArgValueCandidates::new(complete::tags))]
    pub tags: Vec<String>,
}

impl Pick {
    pub fn selector(&self, names: &[String]) -> zdauth_core::config::Selector {
        zdauth_core::config::Selector {
            names: names.to_vec(),
            all: self.all,
            tags: self.tags.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Prometheus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Header,
    Env,
    Json,
    Curl,
}

const EXEC_HELP: &str = "\
Exit codes: zdauth becomes CMD, so its exit code and signals are its own; 126 when CMD cannot be
run, 127 when it is not found; before that, zdauth's own:
  1  other error
  2  usage error
  5  login required (no token, or refresh token expired or revoked)
  6  vault locked (wrong passphrase, no passphrase, unreadable identity)
  7  Zendesk or network error; stored tokens kept
  129, 130, 143  ended by SIGHUP, SIGINT, SIGTERM (a refresh on the wire is stored first)";

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A unique name: a-z, 0-9, '_' and '-'
    pub name: String,
    /// The Zendesk subdomain; a pasted https://acme.zendesk.com/... or acme.zendesk.com works too
    #[arg(long)]
    pub subdomain: String,
    /// The OAuth client's unique identifier (not its numeric id)
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// Space- or comma-separated scopes [default: "read write"; chat: "read write chat"]
    #[arg(long)]
    pub scopes: Option<String>,
    /// The loopback port of the redirect URI http://127.0.0.1:PORT/callback
    #[arg(long, value_name = "N", default_value_t = zdauth_core::config::DEFAULT_REDIRECT_PORT)]
    pub redirect_port: u16,
    /// support, or chat for Zendesk Chat (zopim) OAuth
    #[arg(long, value_name = "K", default_value = "support")]
    pub kind: String,
    /// A Zendesk-compatible server: https, or http on a loopback host only
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The access token lifetime to ask for, e.g. 2h (more than 5m, less than 48h)
    #[arg(long, value_name = "DURATION")]
    pub access_token_lifetime: Option<String>,
    /// The refresh token lifetime to ask for, e.g. 30d (more than 7d, less than 90d)
    #[arg(long, value_name = "DURATION")]
    pub refresh_token_lifetime: Option<String>,
    /// Read a confidential client's secret from stdin (it goes to the vault, never to config.toml)
    #[arg(long)]
    pub secret_stdin: bool,
    /// A tag to pick the connection by (repeatable), e.g. --tag prod --tag eu
    #[arg(long = "tag", value_name = "TAG", add = ArgValueCandidates::new(complete::tags))]
    pub tags: Vec<String>,
    /// authorization_code (browser login), or client_credentials (no login: a confidential
    /// client's secret, given with --secret-stdin, mints the tokens; for CI and servers)
    #[arg(long, value_name = "G", default_value = "authorization_code")]
    pub grant: String,
}

fn duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e}: write e.g. 30s, 5m or 2h"))
}

/// The longest `login --timeout`: Zendesk's page is long gone by then, and a catcher left
/// listening for days is a port anyone local can knock on.
pub const MAX_LOGIN_WAIT: Duration = Duration::from_secs(3600);

/// A wait of zero would open the browser and give up at once.
fn wait(text: &str) -> Result<Duration, String> {
    match duration(text)? {
        Duration::ZERO => Err("a login cannot wait 0s: write e.g. 30s or 5m".into()),
        wait if wait > MAX_LOGIN_WAIT => Err(
            "a login waits at most 1h: write e.g. 5m or 1h, and run it again if that runs out"
                .into(),
        ),
        wait => Ok(wait),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn a_login_waits_five_minutes_by_default() {
        let cli = Cli::try_parse_from(["zdauth", "login", "acme"]).unwrap();
        let Some(Command::Login { timeout, .. }) = cli.command else {
            panic!("not a login: {cli:?}");
        };
        assert_eq!(timeout, Duration::from_secs(5 * 60));
    }

    #[test]
    fn a_login_waits_at_most_an_hour() {
        let timeout = |text: &str| {
            Cli::try_parse_from(["zdauth", "login", "acme", "--timeout", text]).map(|cli| match cli
                .command
            {
                Some(Command::Login { timeout, .. }) => timeout,
                other => panic!("not a login: {other:?}"),
            })
        };
        assert_eq!(timeout("1h").unwrap(), MAX_LOGIN_WAIT);
        for over in ["3601s", "61m", "2h", "10000000000h"] {
            let error = timeout(over).unwrap_err().to_string();
            assert!(error.contains("--timeout"), "{error}");
        }
    }
}
