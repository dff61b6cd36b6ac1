//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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

    #[command(subcommand)]
    pub command: Command,
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
        name: String,
    },
    /// List every connection with its token state
    #[command(after_help = exit::HELP)]
    List {
        /// Print a JSON array for scripts
        #[arg(long)]
        json: bool,
    },
    /// Show one connection; the exit code says its state (0, 3, 4, 5)
    #[command(after_help = exit::HELP)]
    Status {
        /// The connection's name
        name: String,
    },
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Change the passphrase of identity.age (the vault itself is not re-encrypted)
    #[command(after_help = exit::HELP)]
    Passwd,
}

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
    /// Space- or comma-separated scopes
    #[arg(long, default_value = "read write")]
    pub scopes: String,
    /// The loopback port of the redirect URI http://127.0.0.1:PORT/callback
    #[arg(long, value_name = "N", default_value_t = crate::config::DEFAULT_REDIRECT_PORT)]
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
}
