//! The command line of onboarding many accounts and checking a setup: `import`, `edit`,
//! `client create`, `doctor` (beside args.rs, which holds the rest).

// The doc comments here are the `--help` text, where Markdown backticks would show as typed.
#![allow(clippy::doc_markdown)]

use std::path::PathBuf;

use clap::{Args, Subcommand};
use clap_complete::engine::ArgValueCandidates;

use super::complete;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A CSV file with a header (name,subdomain,client_id; optional scopes, redirect_port, kind,
    /// grant, tags, base_url), or the same as TOML ([[connection]] tables) or JSON (an array)
    pub file: PathBuf,
    /// Check everything and print what would be added, without writing
    #[arg(long)]
    pub dry_run: bool,
}

/// Each flag is its own switch, as on the command line; a state machine would only rename them.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Args)]
pub struct EditArgs {
    /// The connection's name
    #[arg(add = ArgValueCandidates::new(complete::names))]
    pub name: String,
    /// The Zendesk subdomain (refused while tokens are stored: log out first)
    #[arg(long)]
    pub subdomain: Option<String>,
    /// The OAuth client's unique identifier (refused while tokens are stored: log out first)
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Space- or comma-separated scopes
    #[arg(long)]
    pub scopes: Option<String>,
    /// The loopback port of the redirect URI http://127.0.0.1:PORT/callback
    #[arg(long, value_name = "N")]
    pub redirect_port: Option<u16>,
    /// The connection's tags, replacing the ones it has (repeatable)
    #[arg(long = "tag", value_name = "TAG", add = ArgValueCandidates::new(complete::tags))]
    pub tags: Vec<String>,
    /// Remove every tag
    #[arg(long, conflicts_with = "tags")]
    pub clear_tags: bool,
    /// A Zendesk-compatible server: https, or http on a loopback host only
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Go back to https://SUBDOMAIN.zendesk.com
    #[arg(long, conflicts_with = "base_url")]
    pub clear_base_url: bool,
    /// The access token lifetime to ask for, e.g. 2h
    #[arg(long, value_name = "DURATION")]
    pub access_token_lifetime: Option<String>,
    /// The refresh token lifetime to ask for, e.g. 30d
    #[arg(long, value_name = "DURATION")]
    pub refresh_token_lifetime: Option<String>,
    /// authorization_code or client_credentials
    #[arg(long, value_name = "G")]
    pub grant: Option<String>,
    /// Read a confidential client's secret from stdin into the vault
    #[arg(long, conflicts_with = "clear_secret")]
    pub secret_stdin: bool,
    /// Forget the stored client secret
    #[arg(long)]
    pub clear_secret: bool,
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create a public OAuth client in a Zendesk account with an API token read from stdin
    /// (used for this one call, never stored), and add the connection that uses it
    Create(ClientCreateArgs),
}

#[derive(Debug, Args)]
pub struct ClientCreateArgs {
    /// The new connection's name
    pub name: String,
    /// The Zendesk subdomain; a pasted https://acme.zendesk.com/... works too
    #[arg(long)]
    pub subdomain: String,
    /// The email of the admin whose API token is given on stdin
    #[arg(long)]
    pub email: String,
    /// The loopback port registered as the redirect URI http://127.0.0.1:PORT/callback
    #[arg(long, value_name = "N", default_value_t = zdauth_core::config::DEFAULT_REDIRECT_PORT)]
    pub port: u16,
    /// A Zendesk-compatible server: https, or http on a loopback host only
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The client's unique identifier [default: zdauth-NAME]
    #[arg(long, value_name = "ID")]
    pub identifier: Option<String>,
    /// Adopt an existing client with that identifier, after checking its redirect URIs
    #[arg(long)]
    pub reuse: bool,
    /// Tags for the new connection (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Also ask each connection's Zendesk (its Date header, for clock skew)
    #[arg(long)]
    pub online: bool,
}
