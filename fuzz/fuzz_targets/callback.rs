//! The login callback parser: never panics, and never hands out a code unless the query
//! carries exactly one `state`, equal to the expected one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zdauth_core::login::{Callback, parse_callback_query, parse_pasted_redirect};

const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn states(query: &str) -> Vec<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "state")
        .map(|(_, value)| value.into_owned())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (expected, query) = text.split_once('\n').unwrap_or(("st4te", &text));
    if let Ok(Callback::Code(_)) = parse_callback_query(query, expected) {
        assert_eq!(
            states(query),
            [expected],
            "a code was accepted for another state"
        );
    }
    if let Ok(Callback::Code(_)) = parse_pasted_redirect(query, REDIRECT, expected) {
        let url = url::Url::parse(query.trim()).expect("an accepted paste is a URL");
        assert_eq!(url.port(), Some(8765));
        assert_eq!(states(url.query().unwrap_or_default()), [expected]);
    }
});
