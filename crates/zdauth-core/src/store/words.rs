//! What the store's answers and failures say to the user: one line, the store's own words
//! (sanitized and shortened: they reach a terminal), then what to do.

use super::client::Answer;
use crate::error::Error;

pub(super) const HINT_ADDRESS: &str =
    "check the address and that the store is up, then run the command again";
const HINT_BACK: &str =
    "wait until the store is back (its operators may know why), then run the command again";
const HINT_SEALED: &str =
    "unseal the store (`bao operator unseal`) or wait until it is back, then run the command again";
const HINT_TLS: &str =
    "check the store's certificate, or set [store].ca_cert to the CA that signed it";
/// The most of the store's own words a message carries.
const WORDS_MAX: usize = 200;

/// What zdauth asked of the store: names the capability a policy must grant for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Read,
    Write,
    List,
    Delete,
}

impl Action {
    pub(super) fn verb(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::List => "list",
            Action::Delete => "delete",
        }
    }

    /// On the data path for read and write (a write is always based on a read), on the
    /// metadata path for list and delete.
    pub(super) fn capabilities(self) -> &'static str {
        match self {
            Action::Read => "\"read\"",
            Action::Write => "\"create\", \"read\", \"update\"",
            Action::List => "\"list\"",
            Action::Delete => "\"delete\"",
        }
    }

    pub(super) fn on_metadata(self) -> bool {
        matches!(self, Action::List | Action::Delete)
    }
}

pub(super) fn store_error(store: &str, problem: String, hint: &str) -> Error {
    Error::Store {
        store: store.to_owned(),
        problem,
        hint: hint.to_owned(),
    }
}

/// The store's `errors` list, fit for one terminal line: `"1 error occurred:\n\t* permission
/// denied\n\n"` becomes `permission denied`.
pub(super) fn errors_of(answer: &Answer) -> String {
    let json = answer.json();
    let Some(errors) = json.get("errors").and_then(|e| e.as_array()) else {
        return String::new();
    };
    let mut parts = Vec::new();
    for error in errors.iter().filter_map(|e| e.as_str()) {
        for line in error.lines() {
            let line = line.trim().trim_start_matches("* ").trim();
            let counted = line.ends_with("occurred:")
                && line
                    .split_whitespace()
                    .next()
                    .is_some_and(|n| n.parse::<u32>().is_ok());
            if !line.is_empty() && !counted {
                parts.push(line.to_owned());
            }
        }
    }
    shorten(&parts.join("; "))
}

/// Sanitized for a terminal, whitespace runs made one space, at most [`WORDS_MAX`] characters.
pub(super) fn shorten(text: &str) -> String {
    let clean = crate::text::display(text);
    let words: Vec<&str> = clean.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() <= WORDS_MAX {
        return joined;
    }
    let mut cut: String = joined.chars().take(WORDS_MAX).collect();
    cut.push('…');
    cut
}

/// A status the action has no use for: the store's words and the status, with a hint.
pub(super) fn unexpected(store: &str, action: Action, path: &str, answer: &Answer) -> Error {
    let status = answer.status;
    let words = errors_of(answer);
    let said = if words.is_empty() {
        format!("answered {status}")
    } else {
        format!("answered {status} ({words})")
    };
    let problem = format!("cannot {} {path}: {said}", action.verb());
    if (300..400).contains(&status) {
        let to = answer.location.as_deref().map(shorten).unwrap_or_default();
        return store_error(
            store,
            format!(
                "cannot {} {path}: answered {status}, a redirect to {to:?} (not followed: the token would go with it)",
                action.verb()
            ),
            "set [store].address to the active node's address (or its load balancer's), then run the command again",
        );
    }
    let hint = match status {
        503 if words.to_lowercase().contains("sealed") => HINT_SEALED,
        429 | 500..=599 => HINT_BACK,
        _ => {
            "check [store].mount is a KV version 2 mount and the address is the store's, then run the command again"
        }
    };
    store_error(store, problem, hint)
}

/// A 404 that is not "no such secret": no mount there (`no handler for route …`).
pub(super) fn no_mount(store: &str, mount: &str, answer: &Answer) -> Error {
    store_error(
        store,
        format!("has no KV mount at {mount}/ ({})", errors_of(answer)),
        "set [store].mount to a KV version 2 mount (`bao secrets list` shows them), then run the command again",
    )
}

/// The mount answered as KV version 1 (no versions): check-and-set cannot work there.
pub(super) fn not_kv2(store: &str, mount: &str) -> Error {
    store_error(
        store,
        format!("the mount {mount}/ is not KV version 2 (no versions, so no check-and-set)"),
        "point [store].mount at a KV version 2 mount (`bao secrets enable -path=NAME kv-v2`)",
    )
}

/// A secret under the prefix that is not one of zdauth's records.
pub(super) fn not_a_record(store: &str, path: &str, why: &str) -> Error {
    store_error(
        store,
        format!("{path} is not a zdauth record ({})", shorten(why)),
        "remove that secret or set [store].prefix to a path only zdauth writes",
    )
}

pub(super) fn denied(store: &str, action: Action, path: &str, policy_path: &str) -> Error {
    Error::StoreDenied {
        store: store.to_owned(),
        action: action.verb(),
        path: path.to_owned(),
        policy_path: policy_path.to_owned(),
        capabilities: action.capabilities().to_owned(),
    }
}

/// The token itself was refused (lookup-self denied): expired, revoked, or never valid.
pub(super) fn token_refused(store: &str, source: &str) -> Error {
    store_error(
        store,
        format!(
            "refused the store token from {source} (expired, revoked, or not a token of this store)"
        ),
        "log in again (`bao login`) or set BAO_TOKEN to a valid token, then run the command again",
    )
}

pub(super) fn too_large(store: &str, cap: u64) -> Error {
    store_error(
        store,
        format!("answered more than {} KiB; refused", cap / 1024),
        "check that [store].address is the store's (a record is a few KiB)",
    )
}

/// A failure below HTTP: no connection, no answer in time, TLS.
pub(super) fn transport(store: &str, error: &ureq::Error) -> Error {
    use std::io::ErrorKind;
    let (problem, hint) = match error {
        ureq::Error::Io(e) => match e.kind() {
            ErrorKind::ConnectionRefused => (
                "cannot connect (connection refused)".to_owned(),
                HINT_ADDRESS,
            ),
            ErrorKind::TimedOut | ErrorKind::WouldBlock => (timed_out(), HINT_ADDRESS),
            ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::UnexpectedEof => (
                "the connection was cut before the answer".to_owned(),
                HINT_BACK,
            ),
            _ => (
                format!("cannot connect ({})", shorten(&e.to_string())),
                HINT_ADDRESS,
            ),
        },
        ureq::Error::Timeout(_) => (timed_out(), HINT_ADDRESS),
        ureq::Error::HostNotFound => ("cannot resolve the host name".to_owned(), HINT_ADDRESS),
        ureq::Error::Tls(why) => (format!("TLS failed ({why})"), HINT_TLS),
        ureq::Error::Rustls(e) => (
            format!("TLS failed ({})", shorten(&e.to_string())),
            HINT_TLS,
        ),
        ureq::Error::BodyExceedsLimit(_) => ("answered too much; refused".to_owned(), HINT_ADDRESS),
        e => (
            format!("cannot talk to it ({})", shorten(&e.to_string())),
            HINT_ADDRESS,
        ),
    };
    store_error(store, problem, hint)
}

fn timed_out() -> String {
    format!(
        "no answer within {} s (timed out)",
        crate::config::STORE_TIMEOUT.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: Zeroizing::new(body.as_bytes().to_vec()),
            location: None,
        }
    }

    #[test]
    fn the_stores_words_are_one_clean_short_line() {
        let a = answer(
            403,
            r#"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#,
        );
        assert_eq!(errors_of(&a), "permission denied");
        let hostile = format!(
            r#"{{"errors":["\u001b]52;c;aGk=\u0007sealed {}"]}}"#,
            "x".repeat(500)
        );
        let words = errors_of(&answer(503, &hostile));
        assert!(words.starts_with("sealed x"), "{words}");
        assert!(words.chars().count() <= WORDS_MAX + 1 && !words.contains('\u{1b}'));
        assert_eq!(errors_of(&answer(502, "<html>bad gateway</html>")), "");
    }

    #[test]
    fn a_sealed_store_says_unseal_and_a_redirect_is_not_followed() {
        let sealed = unexpected(
            "openbao at x",
            Action::Read,
            "secret/data/zdauth/a",
            &answer(503, r#"{"errors":["Vault is sealed"]}"#),
        );
        let text = sealed.to_string();
        assert!(
            text.contains("answered 503 (Vault is sealed)") && text.contains("unseal"),
            "{text}"
        );
        let mut moved = answer(307, "");
        moved.location = Some("https://elsewhere.example/v1/x".into());
        let text = unexpected("openbao at x", Action::Read, "p", &moved).to_string();
        assert!(
            text.contains("not followed") && text.contains("elsewhere.example"),
            "{text}"
        );
    }
}
