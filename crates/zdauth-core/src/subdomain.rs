//! Turns what a user pastes (`acme`, `ACME`, `acme.zendesk.com`, `https://acme.zendesk.com/agent`)
//! into a bare Zendesk subdomain, and rejects everything that could smuggle another host into
//! `https://{subdomain}.zendesk.com` (checklist item 20).
//!
//! Written by hand rather than with a URL parser on purpose: a URL parser percent-decodes and
//! IDNA-maps hosts, which is exactly what must be refused here, so the accepted alphabet is
//! checked on the raw text.

use thiserror::Error;

const ZENDESK_SUFFIX: &str = ".zendesk.com";

#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "{} is not a Zendesk subdomain: give the part before .zendesk.com, e.g. acme for https://acme.zendesk.com",
    crate::error::quote(input)
)]
pub struct SubdomainError {
    pub(crate) input: String,
}

/// Accepts a bare subdomain only (what config.toml stores).
pub fn validate(subdomain: &str) -> Result<(), SubdomainError> {
    if is_label(subdomain) {
        Ok(())
    } else {
        Err(SubdomainError {
            input: subdomain.to_owned(),
        })
    }
}

/// Accepts a subdomain, a `*.zendesk.com` host or an `http(s)://*.zendesk.com/...` URL.
pub fn normalize(input: &str) -> Result<String, SubdomainError> {
    let reject = || SubdomainError {
        input: input.to_owned(),
    };
    let trimmed = input.trim();
    let lowered = trimmed.to_ascii_lowercase();
    let (had_scheme, rest) = match lowered
        .strip_prefix("https://")
        .or_else(|| lowered.strip_prefix("http://"))
    {
        Some(rest) => (true, rest),
        None => (false, lowered.as_str()),
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    let label = match host.strip_suffix(ZENDESK_SUFFIX) {
        Some(label) => label,
        // A path or scheme only makes sense on a full Zendesk URL.
        None if had_scheme || !tail.is_empty() => return Err(reject()),
        None => host,
    };
    if is_label(label) {
        Ok(label.to_owned())
    } else {
        Err(reject())
    }
}

/// `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`, less the labels with `--` in third and fourth
/// place, which IDNA reserves (`xn--…` is an internationalized name, and an invalid one makes
/// the URL parser fail rather than build `https://{label}.zendesk.com`).
fn is_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    if bytes.get(2..4) == Some(b"--") {
        return false;
    }
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match bytes {
        [] => false,
        [only] => alnum(only),
        [first, middle @ .., last] => {
            bytes.len() <= 63
                && alnum(first)
                && alnum(last)
                && middle.iter().all(|b| alnum(b) || *b == b'-')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_users_paste() {
        for (input, expected) in [
            ("acme", "acme"),
            ("  Acme ", "acme"),
            ("acme.zendesk.com", "acme"),
            ("ACME.ZENDESK.COM", "acme"),
            ("https://acme.zendesk.com", "acme"),
            ("https://acme.zendesk.com/", "acme"),
            ("https://acme.zendesk.com/agent/tickets/1?x=1#y", "acme"),
            ("http://acme.zendesk.com", "acme"),
            ("acme.zendesk.com/hc/en-us", "acme"),
            ("old-style-1", "old-style-1"),
            ("a--b", "a--b"),
            ("abc--d", "abc--d"),
            ("a", "a"),
            ("z9", "z9"),
        ] {
            assert_eq!(normalize(input).as_deref(), Ok(expected), "input {input:?}");
        }
    }

    #[test]
    fn rejects_anything_that_could_change_the_host() {
        for input in [
            "",
            "   ",
            "evil.com/#",
            "evil.com",
            "a@b",
            "acme@evil.com",
            "a\\b",
            "%2e",
            "acme%2eevil",
            "ac me",
            "bücher",
            "xn--bcher-kva.zendesk.com.evil.com",
            "xn--bcher-kva",
            "XN--1UUU1tU",
            "ab--cd",
            "-acme",
            "acme-",
            "acme_corp",
            "ACME!!",
            "https://evil.com/acme.zendesk.com",
            "https://acme.zendesk.com.evil.com",
            "https://user@acme.zendesk.com",
            "https://acme.zendesk.com:8443/",
            "https://a.b.zendesk.com",
            "ftp://acme.zendesk.com",
            "acme/",
            "zendesk.com",
            "https://.zendesk.com",
            &"a".repeat(64),
        ] {
            assert!(normalize(input).is_err(), "accepted {input:?}");
        }
    }

    #[test]
    fn longest_label_is_63() {
        assert!(validate(&"a".repeat(63)).is_ok());
        assert!(validate(&"a".repeat(64)).is_err());
    }

    #[test]
    fn config_form_must_be_bare() {
        assert!(validate("acme").is_ok());
        assert!(validate("acme.zendesk.com").is_err());
        assert!(validate("Acme").is_err());
    }

    #[test]
    fn error_says_what_to_type() {
        let message = normalize("evil.com/#").unwrap_err().to_string();
        assert!(message.contains("\"evil.com/#\""), "{message}");
        assert!(message.contains("e.g. acme"), "{message}");
    }
}
