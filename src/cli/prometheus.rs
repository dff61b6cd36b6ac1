//! `list --format prometheus`: the connections' token times and states in the Prometheus text
//! exposition format, for `node_exporter`'s textfile collector. Only what a dashboard needs:
//! names, subdomains, kinds, grants, seconds and states; never a token, a user or an email.

use std::fmt::Write as _;

use jiff::Timestamp;
use zdauth_core::status::TokenStatus;

use super::report::Row;

/// Every state word, in the order the gauge lists them.
const STATES: [TokenStatus; 6] = [
    TokenStatus::Valid,
    TokenStatus::Expiring,
    TokenStatus::Expired,
    TokenStatus::LoginRequired,
    TokenStatus::NoToken,
    TokenStatus::NoSecret,
];

/// Where a state sits in [`STATES`]: a new state fails to compile here until it is listed,
/// and the check below fails the build if the list and this disagree.
const fn position(state: TokenStatus) -> usize {
    match state {
        TokenStatus::Valid => 0,
        TokenStatus::Expiring => 1,
        TokenStatus::Expired => 2,
        TokenStatus::LoginRequired => 3,
        TokenStatus::NoToken => 4,
        TokenStatus::NoSecret => 5,
    }
}

const _: () = {
    let mut at = 0;
    while at < STATES.len() {
        assert!(
            position(STATES[at]) == at,
            "STATES lists every state once, in order"
        );
        at += 1;
    }
};

const ACCESS: &str = "zdauth_access_token_expiry_seconds";
const ACCESS_AT: &str = "zdauth_access_token_expiry_timestamp_seconds";
const REFRESH: &str = "zdauth_refresh_token_expiry_seconds";
const REFRESH_AT: &str = "zdauth_refresh_token_expiry_timestamp_seconds";
const STATE: &str = "zdauth_connection_state";

/// The whole exposition. Seconds go negative once a token has expired, so that an alert can
/// say how long ago; a series whose expiry is not known is left out rather than guessed.
/// Each expiry is there twice: as seconds left when the file was written, and as the Unix
/// time it falls at, which an alert compares with `time()` and so still counts down when the
/// file stops being written (the seconds left would freeze).
pub(super) fn render(rows: &[Row], now: Timestamp) -> String {
    let access = |row: &Row| row.expires_at;
    // An expiry left from a pair without a refresh token is no refresh token's.
    let refresh = |row: &Row| row.refresh_expires_at.filter(|_| row.has_refresh_token);
    let left = |at: Timestamp| at.duration_since(now).as_secs();
    let mut text = String::new();
    let mut expiry =
        |name, help, at: &dyn Fn(&Row) -> Option<Timestamp>, value: &dyn Fn(Timestamp) -> i64| {
            family(&mut text, name, help);
            for row in rows {
                if let Some(at) = at(row) {
                    sample(&mut text, name, row, None, value(at));
                }
            }
        };
    expiry(
        ACCESS,
        "Seconds until the access token expires (negative once it has); absent when not known.",
        &access,
        &left,
    );
    expiry(
        ACCESS_AT,
        "When the access token expires, in Unix time (alert on this minus time()); absent when not known.",
        &access,
        &Timestamp::as_second,
    );
    expiry(
        REFRESH,
        "Seconds until the refresh token lapses (negative once it has); absent without a refresh token or a known expiry.",
        &refresh,
        &left,
    );
    expiry(
        REFRESH_AT,
        "When the refresh token lapses, in Unix time (alert on this minus time()); absent without a refresh token or a known expiry.",
        &refresh,
        &Timestamp::as_second,
    );
    family(
        &mut text,
        STATE,
        "1 for the connection's current token state, 0 for every other state.",
    );
    for row in rows {
        for state in STATES {
            let word = state.as_str();
            sample(
                &mut text,
                STATE,
                row,
                Some(word),
                i64::from(row.status == word),
            );
        }
    }
    text
}

fn family(text: &mut String, name: &str, help: &str) {
    let _ = writeln!(text, "# HELP {name} {help}");
    let _ = writeln!(text, "# TYPE {name} gauge");
}

fn sample(text: &mut String, metric: &str, row: &Row, state: Option<&str>, value: i64) {
    let _ = write!(
        text,
        "{metric}{{name=\"{}\",subdomain=\"{}\",kind=\"{}\",grant=\"{}\"",
        escape(row.name),
        escape(row.subdomain),
        escape(row.kind),
        escape(row.grant),
    );
    if let Some(state) = state {
        let _ = write!(text, ",state=\"{}\"", escape(state));
    }
    let _ = writeln!(text, "}} {value}");
}

/// A label value as the exposition format quotes it: backslash, double quote and line feed
/// escaped. The values are restricted on load already; this keeps a line a line whatever
/// a later rule lets through. Other control characters are dropped, not escaped (the format
/// has no escape for them, and no collector wants them).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parser is strict (a grammar of the format): a value that escaped badly would not
    /// parse, or would come back different.
    #[test]
    fn hostile_label_values_stay_on_their_line_and_come_back_whole() {
        let tags = Vec::new();
        let hostile = "a\"b\\c\nd} 1\nzdauth_fake{x=\"y\"} 2\r\u{1b}[31m";
        let row = Row {
            name: hostile,
            subdomain: "acme\"",
            kind: "support",
            grant: "authorization_code",
            tags: &tags,
            status: "valid",
            expires_at: Some(Timestamp::now()),
            expires_in: None,
            refresh_expires_at: None,
            refresh_expires_in: None,
            expiry_source: None,
            has_refresh_token: false,
            user: None,
            scopes: Vec::new(),
            notes: Vec::new(),
        };
        let text = render(&[row], Timestamp::now());
        let parsed = openmetrics_parser::prometheus::parse_prometheus(&text)
            .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        assert_eq!(parsed.families.len(), 5, "{text}");
        assert!(!parsed.families.contains_key("zdauth_fake"), "{text}");
        let access = &parsed.families[ACCESS];
        let sample = access.iter_samples().next().unwrap();
        let labels = sample.get_labelset().unwrap();
        assert_eq!(
            labels.get_label_value("name"),
            Some("a\"b\\c\nd} 1\nzdauth_fake{x=\"y\"} 2[31m")
        );
        assert_eq!(labels.get_label_value("subdomain"), Some("acme\""));
        assert_eq!(parsed.families[STATE].iter_samples().count(), STATES.len());
    }
}
