//! `zdauth store …`: the team store's own commands, as clap sees them.

// The doc comments here are the `--help` text, where Markdown backticks would show as typed.
#![allow(clippy::doc_markdown)]

use clap::Subcommand;
use clap_complete::engine::ArgValueCandidates;

use super::complete;
use crate::exit;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// What the store holds: one line per connection, or a file `zdauth import` takes
    ///
    /// On another machine: `zdauth store list --format toml > team.toml && zdauth import
    /// team.toml` adds the same connections there; their tokens stay in the store.
    #[command(after_help = exit::HELP)]
    List {
        /// table (NAME, SUBDOMAIN, VERSION, STATE), or toml, csv, json: an import file
        #[arg(long, value_enum, default_value = "table")]
        format: StoreListFormat,
    },
    /// Encrypt every secret the store holds again, to this machine and [store].recipients
    ///
    /// Run it after adding or removing a member's recipient: the payloads a member cannot
    /// read are reported, and left for a member who can to rekey.
    #[command(after_help = exit::HELP)]
    Rekey,
    /// Move the local vault's entries into the store (or back, with --to-local)
    ///
    /// Each move is a check-and-set: an entry the destination holds newer is refused and both
    /// are left as they are. A moved entry is removed from the source once the destination
    /// holds it, so a refresh token is never held in two places.
    #[command(after_help = exit::HELP)]
    Migrate {
        /// From the store into the local vault (vault.age)
        #[arg(long)]
        to_local: bool,
        /// Only these connections [default: every entry the source holds]
        #[arg(add = ArgValueCandidates::new(complete::names))]
        names: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreListFormat {
    Table,
    Toml,
    Csv,
    Json,
}

impl StoreCommand {
    /// For the log: the subcommand's name only.
    pub fn name(&self) -> &'static str {
        match self {
            StoreCommand::List { .. } => "store list",
            StoreCommand::Rekey => "store rekey",
            StoreCommand::Migrate { .. } => "store migrate",
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::args::{Cli, Command};
    use super::*;

    fn parse(args: &[&str]) -> Result<StoreCommand, clap::Error> {
        let cli = Cli::try_parse_from(std::iter::once("zdauth").chain(args.iter().copied()))?;
        match cli.command {
            Some(Command::Store(store)) => Ok(store),
            other => panic!("not a store command: {other:?}"),
        }
    }

    #[test]
    fn list_is_a_table_by_default() {
        assert!(matches!(
            parse(&["store", "list"]).unwrap(),
            StoreCommand::List {
                format: StoreListFormat::Table
            }
        ));
        for (text, format) in [
            ("toml", StoreListFormat::Toml),
            ("csv", StoreListFormat::Csv),
            ("json", StoreListFormat::Json),
        ] {
            let parsed = parse(&["store", "list", "--format", text]).unwrap();
            assert!(
                matches!(parsed, StoreCommand::List { format: f } if f == format),
                "{text}"
            );
        }
        assert!(parse(&["store", "list", "--format", "yaml"]).is_err());
    }

    #[test]
    fn migrate_takes_names_and_a_direction() {
        let StoreCommand::Migrate { to_local, names } =
            parse(&["store", "migrate", "--to-local", "acme", "beta"]).unwrap()
        else {
            panic!("not a migrate");
        };
        assert!(to_local);
        assert_eq!(names, ["acme", "beta"]);
        assert!(parse(&["store", "rekey", "acme"]).is_err());
    }

    #[test]
    fn the_secret_id_flag_is_global() {
        let cli =
            Cli::try_parse_from(["zdauth", "store", "list", "--store-secret-id-stdin"]).unwrap();
        assert!(cli.store_secret_id_stdin);
        let cli = Cli::try_parse_from(["zdauth", "--store-secret-id-stdin", "list"]).unwrap();
        assert!(cli.store_secret_id_stdin);
    }
}
