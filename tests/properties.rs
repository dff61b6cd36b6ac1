//! Property tests of the parsers that read untrusted text: the login callback, config.toml,
//! the subdomain/URL normaliser and the vault payload. Case counts are proptest's default (256);
//! `PROPTEST_CASES` raises them, as `scripts/soak.sh` does.

use std::path::Path;

use jiff::Timestamp;
use proptest::prelude::*;
use zdauth_core::config::Config;
use zdauth_core::login::{Callback, CallbackError, parse_callback_query, parse_pasted_redirect};
use zdauth_core::secret::Secret;
use zdauth_core::subdomain;
use zdauth_core::vault::{Entry, Tokens, VaultData};

/// The checklist's regex (item 20), written out by hand so that it is not the code under test.
fn is_checklist_label(s: &str) -> bool {
    let b = s.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && inner(&b[0])
        && inner(&b[b.len() - 1])
        && b.iter().all(|c| inner(c) || *c == b'-')
}

fn toml_string(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_owned()
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
}

proptest! {
    // ---- callback (src/login/callback.rs), checklist item 4 ----

    #[test]
    fn callback_parser_never_panics(query in ".{0,300}", state in ".{0,40}") {
        let _ = parse_callback_query(&query, &state);
        let _ = parse_pasted_redirect(&query, "http://127.0.0.1:8765/callback", &state);
    }

    #[test]
    fn item_4_a_callback_with_another_state_is_never_accepted(
        expected in "[A-Za-z0-9_-]{22,64}",
        given in proptest::option::of(".{0,64}"),
        code in ".{1,40}",
        error in proptest::option::of("[a-z_]{1,20}"),
        extra in "(&[a-z]{1,5}=[^&]{0,10}){0,3}",
    ) {
        prop_assume!(given.as_deref() != Some(expected.as_str()));
        let mut query = format!("code={}", enc(&code));
        if let Some(state) = &given {
            query.push_str("&state=");
            query.push_str(&enc(state));
        }
        if let Some(error) = &error {
            query.push_str("&error=");
            query.push_str(error);
        }
        query.push_str(&extra);
        let result = parse_callback_query(&query, &expected);
        prop_assert!(
            matches!(
                result,
                Err(CallbackError::WrongState
                    | CallbackError::MissingState
                    | CallbackError::Duplicate(_))
            ),
            "{query} gave {result:?}"
        );
    }

    #[test]
    fn item_4_the_right_state_gives_back_exactly_the_code(
        state in "[A-Za-z0-9_-]{22,64}",
        code in ".{1,80}",
        extra in "(&(iss|scope)=[a-z0-9.:/]{0,10})?",
        state_first in any::<bool>(),
    ) {
        let query = if state_first {
            format!("state={}&code={}{extra}", enc(&state), enc(&code))
        } else {
            format!("code={}{extra}&state={}", enc(&code), enc(&state))
        };
        match parse_callback_query(&query, &state) {
            Ok(Callback::Code(got)) => prop_assert_eq!(got.expose(), code.as_str()),
            other => prop_assert!(false, "{query} gave {other:?}"),
        }
        // The same through a pasted address, and never for another port or host.
        let pasted = format!("http://127.0.0.1:8765/callback?{query}");
        let pasted_ok = matches!(
            parse_pasted_redirect(&pasted, "http://127.0.0.1:8765/callback", &state),
            Ok(Callback::Code(_))
        );
        prop_assert!(pasted_ok);
        let elsewhere = format!("http://127.0.0.1:8766/callback?{query}");
        let elsewhere_refused =
            parse_pasted_redirect(&elsewhere, "http://127.0.0.1:8765/callback", &state).is_err();
        prop_assert!(elsewhere_refused);
    }

    #[test]
    fn callback_errors_never_echo_the_code_or_state(
        state in "[A-Za-z0-9]{30}",
        code in "[A-Za-z0-9]{30}",
        junk in "(&[a-z]{1,5}=[^&]{0,10}){0,3}",
    ) {
        let query = format!("code={code}&state={code}{junk}&code={code}");
        let error = parse_callback_query(&query, &state).unwrap_err().to_string();
        prop_assert!(!error.contains(&code) && !error.contains(&state), "{error}");
    }

    // ---- subdomain / URL normaliser (src/subdomain.rs), checklist item 20 ----

    #[test]
    fn item_20_whatever_the_normaliser_accepts_matches_the_checklist_regex(input in "\\PC{0,80}") {
        if let Ok(label) = subdomain::normalize(&input) {
            prop_assert!(is_checklist_label(&label), "{input:?} became {label:?}");
        }
        // The checklist's regex, less the IDNA-reserved `??--` labels.
        let reserved = input.get(2..4) == Some("--");
        prop_assert_eq!(
            subdomain::validate(&input).is_ok(),
            is_checklist_label(&input) && !reserved
        );
    }

    #[test]
    fn item_20_every_accepted_label_builds_exactly_its_zendesk_host(
        input in "(xn--|XN--|[a-z]{2}--|https://)?[a-zA-Z0-9-]{1,16}(\\.zendesk\\.com)?",
    ) {
        // Found by fuzzing: `xn--…` passed the regex, then the URL parser refused it (IDNA)
        // and building the connection's URL panicked.
        if let Ok(label) = subdomain::normalize(&input) {
            let host = format!("{label}.zendesk.com");
            let url = url::Url::parse(&format!("https://{host}")).ok();
            prop_assert_eq!(url.as_ref().and_then(|u| u.host_str()), Some(host.as_str()));
        }
    }

    #[test]
    fn item_20_hostile_characters_anywhere_are_refused(
        left in "[a-z0-9]{0,10}",
        bad in "[@\\\\%#:/?. _\\t!$&'()*+,;=~\\[\\]é\u{0430}\u{FF0E}]",
        right in "[a-z0-9]{0,10}",
    ) {
        let input = format!("{left}{bad}{right}");
        prop_assert!(subdomain::validate(&input).is_err(), "{input:?}");
        if let Ok(label) = subdomain::normalize(&input) {
            prop_assert!(is_checklist_label(&label));
            prop_assert!(!label.contains(bad.as_str()), "{input:?} became {label:?}");
        }
    }

    #[test]
    fn item_20_pasted_forms_of_a_subdomain_give_it_back(
        label in label(),
        scheme in "(https://|http://|HTTPS://)?",
        path in "(/agent/tickets/[0-9]{1,5}|/|\\?x=1|#top)?",
        upper in any::<bool>(),
    ) {
        prop_assume!(label.get(2..4) != Some("--"), "IDNA-reserved, refused");
        let host = format!("{label}.zendesk.com");
        let host = if upper { host.to_ascii_uppercase() } else { host };
        let path = if scheme.is_empty() { String::new() } else { path };
        let input = format!("{scheme}{host}{path}");
        prop_assert_eq!(subdomain::normalize(&input), Ok(label));
    }

    // ---- config.toml (src/config/), checklist items 7, 20, 21 ----

    #[test]
    fn config_parser_never_panics_and_errors_are_one_line(text in "\\PC{0,400}") {
        if let Err(error) = Config::parse(&text, Path::new("config.toml")) {
            prop_assert!(!error.to_string().contains('\n'), "{error}");
        }
    }

    #[test]
    fn item_20_21_every_accepted_connection_builds_its_own_hosts_only(
        sub in "\\PC{0,30}|[a-z0-9-]{1,20}",
        base in proptest::option::of(
            "(https?|ftp|file)://[a-z0-9.@:\\[\\]-]{0,30}(/[a-z]{0,5})?(\\?q=[a-z]{1,4})?"
        ),
    ) {
        let mut text = format!(
            "[[connection]]\nname = \"x\"\nsubdomain = {}\nclient_id = \"c\"\n",
            toml_string(&sub)
        );
        if let Some(base) = &base {
            text.push_str("base_url = ");
            text.push_str(&toml_string(base));
            text.push('\n');
        }
        let Ok(config) = Config::parse(&text, Path::new("config.toml")) else {
            return Ok(());
        };
        let connection = &config.connections[0];
        prop_assert!(is_checklist_label(&connection.subdomain), "{sub:?}");
        let url = connection.base_url();
        if connection.base_url.is_none() {
            prop_assert_eq!(url.scheme(), "https");
            let want = format!("{}.zendesk.com", connection.subdomain);
            prop_assert_eq!(url.host_str(), Some(want.as_str()));
        } else {
            let host = url.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host.starts_with("127.")
                || host == "[::1]";
            prop_assert!(
                url.scheme() == "https" || (url.scheme() == "http" && loopback),
                "{base:?} accepted as {url}"
            );
            prop_assert!(url.username().is_empty() && url.password().is_none());
        }
        let endpoints = zdauth_core::zendesk::Endpoints::for_connection(connection);
        prop_assert_eq!(endpoints.token.host_str(), url.host_str());
        prop_assert_eq!(endpoints.authorize.host_str(), url.host_str());
    }

    #[test]
    fn item_14_a_refused_base_url_is_never_echoed(
        host in "[a-z]{1,10}\\.(com|net)",
        secret in "[A-Za-z0-9]{24}",
        form in 0..3usize,
    ) {
        let base = match form {
            0 => format!("http://{host}/?token={secret}"),
            1 => format!("https://user:{secret}@{host}"),
            _ => format!("https://{host}/#{secret}"),
        };
        let text = format!(
            "[[connection]]\nname = \"x\"\nsubdomain = \"x\"\nclient_id = \"c\"\nbase_url = {}\n",
            toml_string(&base)
        );
        let error = Config::parse(&text, Path::new("config.toml")).unwrap_err().to_string();
        prop_assert!(!error.contains(&secret), "{error}");
    }

    // ---- vault payload (src/vault/payload.rs), checklist items 10, 14 ----

    #[test]
    fn payload_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = VaultData::from_plaintext(&bytes);
    }

    #[test]
    fn payload_roundtrips(entries in proptest::collection::btree_map(
        "[a-z0-9_-]{1,12}",
        (
            proptest::option::of("\\PC{0,20}"),
            proptest::option::of(("\\PC{1,40}", proptest::option::of("\\PC{1,40}"), 0i64..4_000_000_000)),
            proptest::option::of("\\PC{0,40}"),
            any::<bool>(),
        ),
        0..6,
    )) {
        let mut data = VaultData::default();
        for (name, (secret, tokens, last_error, login_required)) in entries {
            let tokens = tokens.map(|(access, refresh, secs)| {
                let at = Timestamp::from_second(secs).unwrap();
                Tokens {
                    access_token: Secret::new(access),
                    refresh_token: refresh.map(Secret::new),
                    token_type: "bearer".into(),
                    scopes: vec!["read".into()],
                    obtained_at: at,
                    expires_at: Some(at),
                    expiry_source: zdauth_core::expiry::ExpirySource::Server,
                    refresh_expires_at: None,
                }
            });
            data.connections.insert(name, Entry {
                client_secret: secret.map(Secret::new),
                tokens,
                last_error,
                login_required,
                ..Entry::default()
            });
        }
        let back = VaultData::from_plaintext(&data.to_plaintext()).unwrap();
        prop_assert_eq!(back, data);
    }

    #[test]
    fn item_14_payload_errors_never_quote_a_token(
        secret in "[A-Za-z0-9]{24}",
        shape in 0..4usize,
    ) {
        let text = match shape {
            0 => format!(r#"{{"version":1,"connections":{{"a":{{"tokens":{{"access_token":"{secret}"}}}}}}}}"#),
            1 => format!(r#"{{"version":1,"connections":{{"a":{{"tokens":{{"access_token":"{secret}","token_type":"bearer","obtained_at":"{secret}"}}}}}}}}"#),
            2 => format!(r#"{{"version":1,"connections":{{"a":{{"client_secret":"{secret}","login_required":"{secret}"}}}}}}"#),
            _ => format!(r#"{{"version":"{secret}"}}"#),
        };
        let error = VaultData::from_plaintext(text.as_bytes()).unwrap_err();
        prop_assert!(!error.contains(&secret), "{error}");
    }
}
