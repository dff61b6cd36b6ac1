//! `zdauth import FILE [--dry-run]`: many connections at once, all or none.

use zdauth_core::config::Grant;
use zdauth_core::config::import;
use zdauth_core::manage;

use super::args::ImportArgs;
use super::context::Context;
use crate::exit;

pub fn import(ctx: &Context, args: &ImportArgs) -> anyhow::Result<u8> {
    let rows = import::read(&args.file)?;
    let write = !args.dry_run;
    let config = manage::import(&ctx.paths, &args.file, &rows, write)?;
    let verb = if write { "added" } else { "would add" };
    for row in &rows {
        let connection = &row.connection;
        let grant = match connection.grant {
            Grant::AuthorizationCode => "browser login",
            Grant::ClientCredentials => "client credentials",
        };
        let tags = if connection.tags.is_empty() {
            String::new()
        } else {
            format!(", tags {}", connection.tags.join(" "))
        };
        outln!(
            "{verb} {} ({}, {grant}{tags})",
            connection.name,
            connection.base_url()
        );
    }
    let count = rows.len();
    let plural = if count == 1 { "" } else { "s" };
    if !write {
        outln!(
            "dry run: {count} connection{plural} checked, nothing written; run it again without --dry-run to add them"
        );
        return Ok(exit::OK);
    }
    outln!(
        "imported {count} connection{plural} into {}",
        config.file.display()
    );
    let mut ports: Vec<String> = rows
        .iter()
        .filter(|r| r.connection.grant == Grant::AuthorizationCode)
        .map(|r| r.connection.redirect_uri())
        .collect();
    ports.sort();
    ports.dedup();
    if !ports.is_empty() {
        outln!(
            "next: register the redirect URI {} on each account's OAuth client in Zendesk, then run `zdauth login --all-needed`",
            ports.join(" or ")
        );
    }
    for row in rows
        .iter()
        .filter(|r| r.connection.grant == Grant::ClientCredentials)
    {
        let name = &row.connection.name;
        outln!("next: store {name}'s client secret: `zdauth edit {name} --secret-stdin`");
    }
    Ok(exit::OK)
}
