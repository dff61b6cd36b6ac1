//! `zdauth store list | rekey | migrate`: the team store's own doors. One line per
//! connection saying what happened to it, and exit 1 when any was refused or left as it was.

use jiff::Timestamp;

use zdauth_core::config::Config;
use zdauth_core::error::Error;
use zdauth_core::store::team::{self, Direction, Listed, Migrated, Rekeyed};
use zdauth_core::store::{Descriptor, Store};
use zdauth_core::text::display;
use zdauth_core::vault::{self, Vault};

use super::context::Context;
use super::store_args::{StoreCommand, StoreListFormat};
use super::store_env::NO_STORE;
use crate::exit;

pub fn store(ctx: &Context, command: &StoreCommand) -> anyhow::Result<u8> {
    let config = ctx.config()?;
    if config.store.is_none() {
        return Err(Error::Usage(NO_STORE.into()).into());
    }
    match command {
        StoreCommand::List { format } => list(ctx, &config, *format),
        StoreCommand::Rekey => rekey(ctx, &config),
        StoreCommand::Migrate { to_local, names } => migrate(ctx, &config, *to_local, names),
    }
}

fn list(ctx: &Context, config: &Config, format: StoreListFormat) -> anyhow::Result<u8> {
    let vault = ctx.unlock(config)?;
    let mut listed = team::list(&vault)?;
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    if format == StoreListFormat::Table {
        print_table(
            &listed,
            Timestamp::now(),
            vault.store().map(Store::describe),
        );
        return Ok(exit::OK);
    }
    let mut kept: Vec<&Descriptor> = Vec::with_capacity(listed.len());
    for secret in &listed {
        let name = display(&secret.name);
        match &secret.descriptor {
            Some(descriptor) => match super::store_files::refused(descriptor, format) {
                None => kept.push(descriptor),
                Some(why) => errln!(
                    "zdauth: warning: {name} left out: `zdauth import` would refuse it ({}); fix it on the machine that added it",
                    super::one_line(&why)
                ),
            },
            None => errln!(
                "zdauth: warning: {name} left out: not encrypted to this identity; a member who can read it runs `zdauth store rekey` after adding this machine's recipient to [store].recipients"
            ),
        }
    }
    out!("{}", super::store_files::render(&kept, format));
    Ok(exit::OK)
}

/// `ok`, `no token`, `login required`, `unreadable`, or `leased by HOLDER until T` while a
/// machine is refreshing it.
pub(super) fn state(secret: &Listed, now: Timestamp) -> String {
    if let Some(lease) = secret.lease.as_ref().filter(|l| l.is_live(now)) {
        return format!(
            "leased by {} until {}",
            display(&lease.holder),
            lease.until.strftime("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    if !secret.readable {
        "unreadable".into()
    } else if secret.login_required {
        "login required".into()
    } else if !secret.has_tokens {
        "no token".into()
    } else {
        "ok".into()
    }
}

fn print_table(listed: &[Listed], now: Timestamp, store: Option<&str>) {
    if listed.is_empty() {
        outln!(
            "the store ({}) holds no connections yet: `zdauth store migrate` copies this machine's into it",
            store.unwrap_or("[store]")
        );
        return;
    }
    let header = ["NAME", "SUBDOMAIN", "VERSION", "STATE"].map(str::to_owned);
    let cells: Vec<[String; 4]> = listed
        .iter()
        .map(|s| {
            [
                display(&s.name),
                s.descriptor
                    .as_ref()
                    .map_or("—".to_owned(), |d| display(&d.subdomain)),
                s.version.to_string(),
                state(s, now),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let print_line = |line: &[String]| {
        let text: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        outln!("{}", text.join("  ").trim_end());
    };
    print_line(&header);
    for line in &cells {
        print_line(line);
    }
}

fn rekey(ctx: &Context, config: &Config) -> anyhow::Result<u8> {
    let vault = ctx.unlock(config)?;
    let outcomes = team::rekey(&vault)?;
    let mut left = 0;
    for (name, outcome) in &outcomes {
        let name = display(name);
        match outcome {
            Rekeyed::Done => outln!("rekeyed {name}"),
            Rekeyed::Unreadable => {
                left += 1;
                outln!(
                    "{name}: left as it is: not encrypted to this identity; a member who can read it runs `zdauth store rekey`"
                );
            }
            Rekeyed::Moved => {
                left += 1;
                outln!(
                    "{name}: left as it is: another machine changed it meanwhile; run `zdauth store rekey` again"
                );
            }
        }
    }
    let total = outcomes.len();
    let recipients = config.store.as_ref().map_or(0, |s| s.recipients.len()) + 1;
    let to = if recipients == 1 {
        "1 recipient".to_owned()
    } else {
        format!("{recipients} recipients")
    };
    if left == 0 {
        outln!("rekeyed {total} of {total} to {to}");
        Ok(exit::OK)
    } else {
        outln!(
            "rekeyed {} of {total} to {to}; {left} left as they were (see above)",
            total - left
        );
        Ok(exit::OTHER)
    }
}

fn migrate(ctx: &Context, config: &Config, to_local: bool, names: &[String]) -> anyhow::Result<u8> {
    // A typo costs no passphrase; and only config.toml's connections have a description to
    // write beside their entry.
    for name in names {
        if config.connection(name).is_none() {
            return Err(Error::UnknownConnection(name.clone()).into());
        }
    }
    let (local, shared) = both_vaults(ctx, config)?;
    for taken in shared.take_back_rescues()? {
        errln!("zdauth: {taken}");
    }
    // None named: the engine takes every entry the source holds.
    let by_name = !names.is_empty();
    let direction = if to_local {
        Direction::ToLocal
    } else {
        Direction::ToStore
    };
    let (into, from) = if to_local {
        ("vault.age", "the store")
    } else {
        ("the store", "vault.age")
    };
    let outcomes = team::migrate(&local, &shared, direction, names)?;
    let (mut moved, mut refused) = (0, 0);
    for (name, outcome) in &outcomes {
        let name = display(name);
        match outcome {
            Migrated::Copied => {
                moved += 1;
                outln!("moved {name} into {into} ({from} no longer holds it)");
            }
            Migrated::AlreadyThere => {
                outln!("{name}: {into} holds the same pair already ({from} no longer holds it)");
            }
            Migrated::RefusedNewer => {
                refused += 1;
                outln!(
                    "{name}: refused: {into} holds a newer pair (or it changed meanwhile); both left as they are"
                );
            }
            Migrated::Unreadable => {
                refused += 1;
                outln!(
                    "{name}: refused: the store's secret is not encrypted to this identity; nothing moved (a member who can read it runs `zdauth store rekey`)"
                );
            }
            Migrated::Leased => {
                refused += 1;
                outln!(
                    "{name}: refused: another machine is refreshing it right now; run `zdauth store migrate` again in a minute"
                );
            }
            // Asked for by name: worth a non-zero exit.
            Migrated::Missing => {
                refused += usize::from(by_name);
                outln!("{name}: nothing to move: {from} holds no entry for it");
            }
        }
    }
    outln!(
        "moved {moved} of {} into {into}{}",
        outcomes.len(),
        if refused > 0 {
            format!("; {refused} refused (see above)")
        } else {
            String::new()
        }
    );
    Ok(if refused > 0 { exit::OTHER } else { exit::OK })
}

/// The local vault alone, and the same vault with the store (as every door opens it).
fn both_vaults(ctx: &Context, config: &Config) -> Result<(Vault, Vault), Error> {
    let env = ctx.store_env(config)?.unwrap_or_default();
    let mut alone = config.clone();
    alone.store = None;
    let local = vault::open(&ctx.paths, ctx.keys(config)?, &alone, &env)?;
    let shared = super::store_env::with_store(local.clone(), config, &env)?;
    Ok((local, shared))
}

#[cfg(test)]
mod tests {
    use super::*;
    use zdauth_core::store::Lease;

    fn listed() -> Listed {
        Listed {
            name: "acme".into(),
            version: 3,
            descriptor: None,
            readable: true,
            has_tokens: true,
            login_required: false,
            last_refresh: None,
            lease: None,
        }
    }

    #[test]
    fn each_state_in_words() {
        let now: Timestamp = "2026-12-01T21:00:00Z".parse().unwrap();
        assert_eq!(state(&listed(), now), "ok");
        let no_token = Listed {
            has_tokens: false,
            ..listed()
        };
        assert_eq!(state(&no_token, now), "no token");
        let login = Listed {
            login_required: true,
            ..listed()
        };
        assert_eq!(state(&login, now), "login required");
        let unreadable = Listed {
            readable: false,
            ..listed()
        };
        assert_eq!(state(&unreadable, now), "unreadable");
        let lease = |until: &str| Listed {
            lease: Some(Lease {
                holder: "jump/4242/\u{1b}[31mab12".into(),
                until: until.parse().unwrap(),
            }),
            ..listed()
        };
        assert_eq!(
            state(&lease("2026-12-01T21:00:40.5Z"), now),
            "leased by jump/4242/ab12 until 2026-12-01T21:00:40Z"
        );
        // An expired lease is no one's.
        assert_eq!(state(&lease("2026-12-01T20:59:59Z"), now), "ok");
    }
}
