//! `status` over many connections, for cron and monitors: one line (or one JSON object) per
//! connection, and the worst exit code of them. Without `--check` only what is stored is read,
//! so no request leaves the machine; with it, users/me tells whether Zendesk takes each token.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::exit;
use zdauth_core::config::{Config, Connection, Grant, Kind, Selector};
use zdauth_core::error::Error;
use zdauth_core::expiry::humanize;
use zdauth_core::manage::API_CALL_MARGIN;
use zdauth_core::status::TokenStatus;
use zdauth_core::text::display;
use zdauth_core::vault::VaultData;
use zdauth_core::zendesk::ZendeskError;

use super::context::Context;
use super::fanout;
use super::report::{Row, own_entry, row};
use super::session::Session;

/// What users/me said of a token, as `--json` shows it.
#[derive(Debug, Serialize)]
struct Check {
    ok: bool,
    /// The HTTP status of the answer that decided, when one did.
    status: Option<u16>,
    error: Option<String>,
    /// The exit code this answer alone calls for.
    #[serde(skip)]
    code: u8,
}

/// One element of `status --json`; the field names are a contract with monitors.
#[derive(Debug, Serialize)]
struct Health<'a> {
    name: &'a str,
    subdomain: &'a str,
    kind: &'static str,
    grant: &'static str,
    tags: &'a [String],
    state: &'static str,
    exit_code: u8,
    expires_in: Option<i64>,
    refresh_expires_in: Option<i64>,
    notes: Vec<String>,
    /// Only with `--check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<Checked<'a>>,
    /// The line's words beside the times, e.g. why it was not checked.
    #[serde(skip)]
    access: String,
    #[serde(skip)]
    refresh: String,
}

/// What `--check` did for one connection.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
enum Checked<'a> {
    Answered(&'a Check),
    /// Zendesk Chat has no users/me: null in the JSON.
    Skipped,
}

const CHAT_NOT_CHECKED: &str = "not checked: Zendesk Chat has no users/me";

pub fn status_many(
    ctx: &Context,
    selector: &Selector,
    json: bool,
    check: bool,
    jobs: u16,
) -> anyhow::Result<u8> {
    if selector.is_empty() {
        return Err(Error::Usage(
            "nothing to show: name connections (globs such as 'eu-*' work), or use --all or --tag"
                .into(),
        )
        .into());
    }
    let config = ctx.config()?;
    let picked: Vec<Connection> = selector.pick(&config)?.into_iter().cloned().collect();
    if picked.is_empty() {
        return Err(Error::Usage(
            "no connections yet: add one with `zdauth add NAME --subdomain SUBDOMAIN --client-id ID`"
                .into(),
        )
        .into());
    }
    let (checks, data) = if check {
        let session = Session::open(ctx)?;
        let checks = check_all(&session, &picked, jobs)?;
        // Read after the checks: a token they refreshed, or a grant they found dead, shows.
        let data = session.refresher.vault().load()?;
        (checks, data)
    } else {
        (HashMap::new(), ctx.unlock(&config)?.load()?)
    };
    let now = Timestamp::now();
    let healths: Vec<Health> = picked
        .iter()
        .map(|c| {
            let checked = check.then(|| {
                checks
                    .get(&c.name)
                    .map_or(Checked::Skipped, Checked::Answered)
            });
            health(&config, c, &data, now, checked)
        })
        .collect();
    let worst = healths.iter().map(|h| h.exit_code).fold(exit::OK, worse);
    if json {
        outln!("{}", serde_json::to_string_pretty(&healths)?);
    } else {
        print_lines(&healths);
    }
    Ok(worst)
}

/// Which of two codes a run of many exits with: the one a person must act on first, not the
/// higher number. A dead grant (5) needs a login whatever else happens, and must not hide
/// behind a network error (7), which may pass by itself but leaves a check unanswered; then
/// a locked vault (6); then the stored states. So 5 > 7 > 6 > 4 > 3 > 0, and a code outside
/// these (1, an unforeseen error of a check) just below 6: something failed.
fn worse(a: u8, b: u8) -> u8 {
    let rank = |code: u8| match code {
        exit::OK => 0,
        exit::EXPIRING => 1,
        exit::EXPIRED => 2,
        exit::VAULT_LOCKED => 4,
        exit::ZENDESK_OR_NETWORK => 5,
        exit::LOGIN_REQUIRED => 6,
        _ => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// `check`: None without `--check`.
fn health<'a>(
    config: &Config,
    connection: &'a Connection,
    data: &'a VaultData,
    now: Timestamp,
    check: Option<Checked<'a>>,
) -> Health<'a> {
    let entry = own_entry(data, connection);
    let row = row(config, connection, entry, now);
    let status =
        TokenStatus::of_grant(connection.grant, entry, now, config.settings.refresh_margin);
    let mut state = row.status;
    let mut code = exit::for_status(status);
    let mut notes = row.notes.clone();
    match check {
        Some(Checked::Answered(check)) => {
            code = worse(code, check.code);
            if check.code == exit::LOGIN_REQUIRED {
                state = TokenStatus::LoginRequired.as_str();
            }
            notes.push(match &check.error {
                None => "checked: Zendesk takes the token".to_owned(),
                Some(error) => format!("check failed: {error}"),
            });
        }
        Some(Checked::Skipped) => notes.push(CHAT_NOT_CHECKED.to_owned()),
        None => {}
    }
    Health {
        name: &connection.name,
        subdomain: &connection.subdomain,
        kind: connection.kind.as_str(),
        grant: connection.grant.as_str(),
        tags: &connection.tags,
        state,
        exit_code: code,
        expires_in: row.expires_in,
        refresh_expires_in: row.refresh_expires_in,
        access: access_left(&row),
        refresh: refresh_left(&row, connection.grant),
        notes,
        check,
    }
}

fn access_left(row: &Row) -> String {
    match row.expires_in {
        Some(0) => "expired".to_owned(),
        Some(left) => format!("{} left", humanize(SignedDuration::from_secs(left))),
        None if matches!(row.status, "no_token" | "no_secret") => "none".to_owned(),
        None => "expiry unknown".to_owned(),
    }
}

fn refresh_left(row: &Row, grant: Grant) -> String {
    match row.refresh_expires_in {
        _ if grant == Grant::ClientCredentials => "not used".to_owned(),
        Some(0) => "expired".to_owned(),
        Some(left) => format!("{} left", humanize(SignedDuration::from_secs(left))),
        None if row.has_refresh_token => "expiry unknown".to_owned(),
        None => "none".to_owned(),
    }
}

/// `NAME  STATE  access: 12m 00s left  refresh: 29d 23h left  notes`, the columns aligned.
fn print_lines(healths: &[Health]) {
    let width = |f: fn(&Health) -> usize| healths.iter().map(f).max().unwrap_or(0);
    let name_w = width(|h| h.name.chars().count());
    let state_w = width(|h| h.state.len());
    let access_w = width(|h| h.access.chars().count());
    let refresh_w = width(|h| h.refresh.chars().count());
    for h in healths {
        let line = format!(
            "{:<name_w$}  {:<state_w$}  access: {:<access_w$}  refresh: {:<refresh_w$}  {}",
            h.name,
            h.state,
            h.access,
            h.refresh,
            h.notes.join("; ")
        );
        outln!("{}", line.trim_end());
    }
}

/// users/me for every picked connection at once (Chat ones are skipped), each through the
/// refresh transaction as `whoami` calls it: a due token is refreshed first, a 401 re-checks
/// and refreshes once. At most `jobs` at once, and 4 per account.
fn check_all(
    session: &Session,
    picked: &[Connection],
    jobs: u16,
) -> anyhow::Result<HashMap<String, Check>> {
    let connections: Vec<Connection> = picked
        .iter()
        .filter(|c| c.kind != Kind::Chat)
        .cloned()
        .collect();
    let refresher = &session.refresher;
    let results = fanout::each(&session.runtime, connections, jobs, |connection| {
        let refresher = refresher.clone();
        async move {
            let client = refresher.client();
            refresher
                .call_with_fresh_token(&connection, API_CALL_MARGIN, |token| {
                    let connection = &connection;
                    async move { client.users_me(connection, &token).await }
                })
                .await
        }
    })?;
    let mut checks = HashMap::with_capacity(results.len());
    for (connection, result) in results {
        let check = match result {
            Ok(_) => Check {
                ok: true,
                status: Some(200),
                error: None,
                code: exit::OK,
            },
            Err(e) => Check {
                ok: false,
                status: http_status(&e),
                error: Some(display(&e.to_string())),
                // Refused even after a new token: no refresh can help, a login may.
                code: match e {
                    Error::TokenRefused { .. } => exit::LOGIN_REQUIRED,
                    ref other => exit::for_error(other),
                },
            },
        };
        checks.insert(connection.name, check);
    }
    Ok(checks)
}

/// The HTTP status behind a failed check, when an answer came.
fn http_status(error: &Error) -> Option<u16> {
    let zendesk = match error {
        Error::TokenRefused { .. } => return Some(401),
        Error::Zendesk(e) | Error::ZendeskAbout { error: e, .. } => e,
        _ => return None,
    };
    match zendesk {
        ZendeskError::OAuth { status, .. }
        | ZendeskError::Http { status, .. }
        | ZendeskError::Redirected { status, .. } => Some(*status),
        ZendeskError::RateLimited { .. } => Some(429),
        ZendeskError::TokenRejected { .. } => Some(401),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_code_is_ranked_by_badness_not_number() {
        let order = [
            exit::LOGIN_REQUIRED,
            exit::ZENDESK_OR_NETWORK,
            exit::VAULT_LOCKED,
            exit::OTHER,
            exit::EXPIRED,
            exit::EXPIRING,
            exit::OK,
        ];
        for (at, &bad) in order.iter().enumerate() {
            for &milder in &order[at..] {
                assert_eq!(worse(bad, milder), bad, "{bad} over {milder}");
                assert_eq!(worse(milder, bad), bad, "{bad} over {milder}");
            }
        }
        let fleet = [exit::OK, exit::ZENDESK_OR_NETWORK, exit::LOGIN_REQUIRED, 3];
        assert_eq!(fleet.into_iter().fold(exit::OK, worse), 5);
    }
}
