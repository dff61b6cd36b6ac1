//! `doctor --online`: this machine's clock against each server's `Date` header. Expiries are
//! kept as instants and judged by the local clock, so a clock minutes off refreshes too late
//! (or too early) however right the server's lifetimes are.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::Check;
use super::ports::short_list;
use crate::config::Connection;

/// Past this the margin before expiry is eaten into: a refresh may come after the token died.
pub const SKEW_FAIL: SignedDuration = SignedDuration::from_secs(60);
/// Past this (the Date header has whole seconds) the clock is drifting.
pub const SKEW_WARN: SignedDuration = SignedDuration::from_secs(5);

/// A few at a time: a doctor must not be what trips a rate limit.
const AT_ONCE: usize = 8;

/// One line per server (forty connections to one host are one clock), in config order.
/// Anonymous GETs of users/me.json, which Zendesk answers to anyone: no token is sent.
pub async fn clock_checks(connections: &[&Connection], timeout: Duration) -> Vec<Check> {
    let mut servers: Vec<(url::Url, Vec<String>)> = Vec::new();
    for connection in connections {
        let base = connection.base_url();
        match servers
            .iter_mut()
            .find(|(b, _)| b.origin() == base.origin())
        {
            Some((_, names)) => names.push(connection.name.clone()),
            None => servers.push((base, vec![connection.name.clone()])),
        }
    }
    let http = match client(timeout) {
        Ok(http) => http,
        Err(e) => {
            return vec![Check::fail(
                format!("clock: no HTTP client: {e}"),
                "report this as a bug",
            )];
        }
    };
    let slots = Arc::new(Semaphore::new(AT_ONCE));
    let mut set = JoinSet::new();
    for (index, (base, names)) in servers.into_iter().enumerate() {
        let (http, slots) = (http.clone(), slots.clone());
        set.spawn(async move {
            let _slot = slots.acquire_owned().await;
            (index, ask(&http, &base, &names).await)
        });
    }
    let mut checks = Vec::new();
    while let Some(done) = set.join_next().await {
        if let Ok(found) = done {
            checks.push(found);
        }
    }
    checks.sort_by_key(|(index, _)| *index);
    checks.into_iter().map(|(_, check)| check).collect()
}

async fn ask(http: &reqwest::Client, base: &url::Url, names: &[String]) -> Check {
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let who = short_list(&names);
    let host = base.host_str().unwrap_or_default().to_owned();
    match server_date(http, base).await {
        Ok((date, local)) => judge_skew(&host, &who, date.duration_since(local)),
        Err(reason) => Check::fail(
            format!("clock: cannot ask {host} ({who}): {reason}"),
            "check the network (a proxy, a firewall) or the connection's base_url, then run `zdauth doctor --online` again",
        ),
    }
}

/// The server's Date and the local instant it is compared with: the middle of the request,
/// so a slow answer does not read as skew.
async fn server_date(
    http: &reqwest::Client,
    base: &url::Url,
) -> Result<(Timestamp, Timestamp), String> {
    let url = base
        .join("api/v2/users/me.json")
        .map_err(|e| format!("cannot build the address: {e}"))?;
    // The same rule as every request zdauth makes: the host built is the connection's.
    if url.host_str() != base.host_str() {
        return Err("the address left the connection's host".into());
    }
    let sent = Timestamp::now();
    let answer = http.get(url).send().await.map_err(reason)?;
    let received = Timestamp::now();
    let middle = sent + received.duration_since(sent) / 2;
    let date = answer
        .headers()
        .get(reqwest::header::DATE)
        .ok_or("the answer has no Date header")?
        .to_str()
        .map_err(|_| "its Date header is not text")?;
    let date = jiff::fmt::rfc2822::parse(date)
        .map_err(|_| "its Date header is not an HTTP date")?
        .timestamp();
    // The body is not read: only the header was wanted.
    drop(answer);
    Ok((date, middle))
}

/// The error and its causes (reqwest's own line hides "connection refused"), on one line.
/// The request is anonymous: nothing secret can be in it.
fn reason(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    let flat = crate::text::display(&text);
    flat.chars().take(200).collect()
}

fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    // As the Zendesk client builds its own (zendesk/client.rs): ring, no redirects.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())
}

/// `skew` is the server's clock minus this machine's.
pub fn judge_skew(host: &str, who: &str, skew: SignedDuration) -> Check {
    let size = skew.abs();
    let way = if skew.is_positive() {
        "behind"
    } else {
        "ahead of"
    };
    let what = format!(
        "clock: this machine's clock is {} {way} {host}'s ({who})",
        humanize_skew(size)
    );
    let todo = "set the system clock (turn on time sync, e.g. `timedatectl set-ntp true`; macOS: System Settings › General › Date & Time)";
    if size > SKEW_FAIL {
        Check::fail(what, todo)
    } else if size > SKEW_WARN {
        Check::warn(what, todo)
    } else {
        Check::ok(format!(
            "clock: within {}s of {host}'s ({who})",
            SKEW_WARN.as_secs()
        ))
    }
}

fn humanize_skew(size: SignedDuration) -> String {
    let secs = size.as_secs();
    if secs < 120 {
        format!("{secs} s")
    } else {
        crate::expiry::humanize(size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Level;

    #[test]
    fn skew_is_ok_to_five_seconds_a_warning_to_sixty_and_a_failure_beyond() {
        let at =
            |secs| judge_skew("acme.zendesk.com", "acme", SignedDuration::from_secs(secs)).level;
        assert_eq!(at(0), Level::Ok);
        assert_eq!(at(-5), Level::Ok);
        assert_eq!(at(6), Level::Warn);
        assert_eq!(at(-60), Level::Warn);
        assert_eq!(at(61), Level::Fail);
        assert_eq!(at(-3600), Level::Fail);
    }

    #[test]
    fn the_line_says_which_way_the_clock_is_off() {
        let slow = judge_skew("h", "a", SignedDuration::from_secs(300)).to_string();
        assert!(slow.contains("behind h's"), "{slow}");
        let fast = judge_skew("h", "a", SignedDuration::from_secs(-90)).to_string();
        assert!(fast.contains("90 s ahead of h's"), "{fast}");
    }
}
