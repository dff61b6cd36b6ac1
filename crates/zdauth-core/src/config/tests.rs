use std::path::Path;
use std::time::Duration;

use super::*;

const FILE: &str = "/cfg/config.toml";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new(FILE))
}

fn error(text: &str) -> String {
    match parse(text) {
        Ok(config) => panic!("accepted:\n{text}\n{config:?}"),
        Err(e) => e.to_string(),
    }
}

const ISSUE_SHAPE: &str = r#"
[settings]
refresh_margin = "5m"          # refresh when less than this is left (humantime durations)
clipboard_clear = "30s"
auto_refresh = false
# identity_file = "~/.config/age/keys.txt"   # use a plain age identity instead of identity.age
# kdf_work_factor = 18                       # scrypt log2(N) for identity.age; decryption refuses > 22

[[connection]]
name = "acme"                  # unique; [a-z0-9][a-z0-9_-]{0,63}
subdomain = "acme"             # https://acme.zendesk.com
client_id = "zdauth_acme"      # the OAuth client's unique identifier
scopes = ["read", "write"]
redirect_port = 8765           # redirect URI http://127.0.0.1:8765/callback
# kind = "support"             # or "chat" (Zendesk Chat / zopim endpoints)
# base_url = "http://127.0.0.1:4455"   # a Zendesk-compatible server: https, or http on a loopback host only
# access_token_lifetime = "2h"         # sent as expires_in (300 s < x < 172800 s)
# refresh_token_lifetime = "30d"       # sent as refresh_token_expires_in (604800 s < x < 7776000 s)
"#;

/// A valid connection with `extra` lines appended, at line 2 onwards.
fn with_connection(extra: &str) -> String {
    format!(
        "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"zdauth_acme\"\n{extra}\n"
    )
}

#[test]
fn accepts_the_documented_shape() {
    let config = parse(ISSUE_SHAPE).unwrap();
    assert_eq!(config.settings.refresh_margin, Duration::from_secs(300));
    assert_eq!(config.settings.clipboard_clear, Duration::from_secs(30));
    assert!(!config.settings.auto_refresh);
    assert_eq!(config.settings.kdf_work_factor, 18);
    let acme = config.connection("acme").unwrap();
    assert_eq!(acme.subdomain, "acme");
    assert_eq!(acme.client_id, "zdauth_acme");
    assert_eq!(acme.scopes, ["read", "write"]);
    assert_eq!(acme.redirect_uri(), "http://127.0.0.1:8765/callback");
    assert_eq!(acme.kind, Kind::Support);
    assert_eq!(acme.base_url().as_str(), "https://acme.zendesk.com/");
}

#[test]
fn every_optional_key_uncommented_parses() {
    let uncommented = ISSUE_SHAPE
        .lines()
        .map(|line| line.strip_prefix("# ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let config = parse(&uncommented).unwrap();
    assert_eq!(
        config.settings.identity_file.as_deref(),
        Some("~/.config/age/keys.txt")
    );
    let acme = &config.connections[0];
    assert_eq!(acme.base_url.as_deref(), Some("http://127.0.0.1:4455"));
    assert_eq!(acme.access_token_lifetime, Some(Duration::from_secs(7200)));
    assert_eq!(
        acme.refresh_token_lifetime,
        Some(Duration::from_secs(30 * 86_400))
    );
}

#[test]
fn the_example_file_is_valid_and_documents_every_key() {
    parse(EXAMPLE).unwrap();
    // `[store]` is a table of its own: uncommented with its keys, or they would land in the
    // table above it.
    let is_setting = |line: &str| {
        line.starts_with("[[")
            || line == "[store]"
            || line
                .split_once(" = ")
                .is_some_and(|(key, _)| key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
    };
    let uncommented: String = EXAMPLE
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if is_setting(rest) => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let config = parse(&uncommented).unwrap();
    assert_eq!(config.connections.len(), 1);
    let store = config.store.expect("the example documents [store]");
    assert_eq!(
        (store.kind, store.mount.as_str(), store.prefix.as_str()),
        (StoreKind::OpenBao, "secret", "zdauth")
    );
    for key in [
        "refresh_margin",
        "clipboard_clear",
        "clipboard",
        "clipboard_command",
        "auto_refresh",
        "identity_file",
        "kdf_work_factor",
        "http_timeout",
        "agent",
        "agent_timeout",
        "keepalive",
        "name",
        "subdomain",
        "client_id",
        "scopes",
        "redirect_port",
        "kind",
        "base_url",
        "access_token_lifetime",
        "refresh_token_lifetime",
        "grant",
        "address",
        "ca_cert",
        "mount",
        "prefix",
        "recipients",
        "role_id",
        "secret_id_env",
        "approle_mount",
    ] {
        assert!(
            uncommented.contains(&format!("\n{key} = ")),
            "{key} undocumented"
        );
    }
}

#[test]
fn clipboard_command_is_split_into_words_without_a_shell() {
    let config = parse(
        "[settings]\nclipboard = \"command\"\nclipboard_command = \"xclip -selection 'clip board' $HOME\"\n",
    )
    .unwrap();
    assert_eq!(config.settings.clipboard, super::ClipboardChoice::Command);
    assert_eq!(
        config.settings.clipboard_command.unwrap(),
        ["xclip", "-selection", "clip board", "$HOME"]
    );
}

#[test]
fn an_empty_file_is_all_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config.settings, Settings::default());
    assert!(config.connections.is_empty());
}

#[test]
fn defaults_of_a_minimal_connection() {
    let acme = parse(&with_connection("")).unwrap().connections.remove(0);
    assert_eq!(acme.scopes, ["read", "write"]);
    assert_eq!(acme.redirect_port, 8765);
    assert_eq!(acme.kind, Kind::Support);
    assert_eq!(acme.base_url, None);
}

/// Each bad input, the line it must name, and words its message must carry.
#[test]
fn every_rule_names_file_line_and_key() {
    // The key column may name the key's end only ("subdomain" for `connection "acme".subdomain`).
    let cases: Vec<(String, usize, &str, &str)> = vec![
        ("[settings]\nrefresh_margn = \"5m\"\n".into(), 2, "", "unknown field `refresh_margn`"),
        (with_connection("colour = \"red\""), 5, "", "unknown field `colour`"),
        ("[setings]\n".into(), 1, "", "unknown field `setings`"),
        (with_connection("client_secret = \"s3cr3t\""), 5, "connection \"acme\".client_secret", "--secret-stdin"),
        (format!("{}{}", with_connection(""), with_connection("")), 6, "connection \"acme\".name", "unique"),
        ("[[connection]]\nname = \"Acme\"\nsubdomain = \"acme\"\nclient_id = \"x\"\n".into(), 2, "connection #1.name", "not a valid name"),
        ("[[connection]]\nname = \"a/b\"\nsubdomain = \"acme\"\nclient_id = \"x\"\n".into(), 2, "connection #1.name", "not a valid name"),
        (format!("[[connection]]\nname = \"{}\"\nsubdomain = \"acme\"\nclient_id = \"x\"\n", "a".repeat(65)), 2, "connection #1.name", "not a valid name"),
        ("[[connection]]\nname = \"acme\"\nsubdomain = \"evil.com/#\"\nclient_id = \"x\"\n".into(), 3, "connection \"acme\".subdomain", "not a Zendesk subdomain"),
        ("[[connection]]\nname = \"acme\"\nsubdomain = \"https://acme.zendesk.com\"\nclient_id = \"x\"\n".into(), 3, "connection \"acme\".subdomain", "write \"acme\""),
        ("[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"12345\"\n".into(), 4, "connection \"acme\".client_id", "numeric client id"),
        ("[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"a b\"\n".into(), 4, "client_id", "without spaces"),
        ("[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\n".into(), 1, "", "missing field `client_id`"),
        (with_connection("scopes = [\"read\", \"chat:read\"]"), 5, "connection \"acme\".scopes", "not a support scope"),
        (with_connection("scopes = []"), 5, "scopes", "at least one"),
        (with_connection("scopes = [\"read\", \"read\"]"), 5, "scopes", "listed twice"),
        (with_connection("kind = \"chat\"\nscopes = [\"tickets:read\"]"), 6, "scopes", "not a chat scope"),
        (with_connection("kind = \"voice\""), 5, "connection \"acme\".kind", "\"support\" or \"chat\""),
        (with_connection("redirect_port = 0"), 5, "connection \"acme\".redirect_port", "1024 to 65535"),
        (with_connection("redirect_port = 70000"), 5, "redirect_port", "1024 to 65535"),
        (with_connection("redirect_port = 80"), 5, "redirect_port", "1024 to 65535"),
        (with_connection("redirect_port = \"8765\""), 5, "", "invalid type"),
        (with_connection("base_url = \"http://example.com\""), 5, "connection \"acme\".base_url", "non-loopback"),
        (with_connection("base_url = \"http://u:hunter2@example.com\""), 5, "base_url", "user name or password"),
        (with_connection("base_url = \"https://acme.test/?access_token=tok3n\""), 5, "base_url", "query"),
        (with_connection("base_url = \"http://10.0.0.1:80\""), 5, "base_url", "non-loopback"),
        (with_connection("base_url = \"ftp://127.0.0.1\""), 5, "base_url", "ftp:// is not allowed"),
        (with_connection("base_url = \"not a url\""), 5, "base_url", "not a URL"),
        (with_connection("base_url = \"https://u:pw@acme.test\""), 5, "base_url", "user name or password"),
        (with_connection("base_url = \"https://acme.test/?x=1\""), 5, "base_url", "query"),
        (with_connection("access_token_lifetime = \"5m\""), 5, "connection \"acme\".access_token_lifetime", "more than 5m"),
        (with_connection("access_token_lifetime = \"48h\""), 5, "access_token_lifetime", "less than 48h"),
        (with_connection("access_token_lifetime = \"soon\""), 5, "access_token_lifetime", "not a duration"),
        (with_connection("refresh_token_lifetime = \"7d\""), 5, "connection \"acme\".refresh_token_lifetime", "more than 7d"),
        (with_connection("refresh_token_lifetime = \"90d\""), 5, "refresh_token_lifetime", "less than 90d"),
        ("[settings]\nrefresh_margin = \"five\"\n".into(), 2, "settings.refresh_margin", "not a duration"),
        ("[settings]\nrefresh_margin = \"25h\"\n".into(), 2, "settings.refresh_margin", "at most 24h"),
        ("[settings]\nclipboard_clear = \"1 fortnight\"\n".into(), 2, "settings.clipboard_clear", "not a duration"),
        ("[settings]\nclipboard = \"xsel\"\n".into(), 2, "settings.clipboard", "auto, native, tmux, osc52, command"),
        ("[settings]\nclipboard = \"command\"\n".into(), 2, "settings.clipboard", "clipboard_command is not set"),
        ("[settings]\nclipboard_command = \"xclip 'open\"\n".into(), 2, "settings.clipboard_command", "quotes"),
        ("[settings]\nclipboard_command = \"  \"\n".into(), 2, "settings.clipboard_command", "is empty"),
        ("[settings]\nhttp_timeout = \"10m\"\n".into(), 2, "settings.http_timeout", "between 1s and 5m"),
        ("[settings]\nagent = \"on\"\n".into(), 2, "settings.agent", "use \"auto\" or \"off\""),
        ("[settings]\nagent_timeout = \"0s\"\n".into(), 2, "settings.agent_timeout", "longer than 0s"),
        ("[settings]\nkeepalive = \"soon\"\n".into(), 2, "settings.keepalive", "not a duration"),
        ("[settings]\nkdf_work_factor = 23\n".into(), 2, "settings.kdf_work_factor", "10 to 22"),
        ("[settings]\nkdf_work_factor = 9\n".into(), 2, "settings.kdf_work_factor", "10 to 22"),
        ("[settings]\nidentity_file = \"\"\n".into(), 2, "settings.identity_file", "is empty"),
        ("[settings]\nauto_refresh = \"yes\"\n".into(), 2, "", "invalid type"),
        ("[settings\n".into(), 1, "", ""),
        ("a = 1\na = 2\n".into(), 2, "", "duplicate key"),
    ];
    for (text, line, key, words) in cases {
        let message = error(&text);
        let prefix = format!("{FILE}:{line}: ");
        assert!(
            message.starts_with(&prefix),
            "want {prefix:?} in {message:?}"
        );
        let key_part = format!("{key}: ");
        let rest = &message[prefix.len()..];
        let named = rest.starts_with(&key_part)
            || rest
                .split_once(": ")
                .is_some_and(|(k, _)| k.ends_with(&format!(".{key}")));
        assert!(named || key.is_empty(), "want key {key:?} in {message:?}");
        assert!(message.contains(words), "want {words:?} in {message:?}");
        assert!(!message.contains('\n'), "multi-line: {message:?}");
        assert!(!message.contains("s3cr3t"), "secret echoed: {message:?}");
        assert!(
            !message.contains("pw@") && !message.contains("hunter2"),
            "password echoed: {message:?}"
        );
        assert!(!message.contains("tok3n"), "query echoed: {message:?}");
    }
}

#[test]
fn loopback_http_and_any_https_base_urls_pass() {
    for (url, stored) in [
        ("http://127.0.0.1:4455", "http://127.0.0.1:4455"),
        ("http://127.8.9.10:4455/", "http://127.8.9.10:4455"),
        ("http://localhost:1", "http://localhost:1"),
        ("http://[::1]:4455", "http://[::1]:4455"),
        (
            "https://zd.example.com/prefix/",
            "https://zd.example.com/prefix",
        ),
    ] {
        let config = parse(&with_connection(&format!("base_url = \"{url}\""))).unwrap();
        assert_eq!(config.connections[0].base_url.as_deref(), Some(stored));
    }
}

#[test]
fn chat_connections_take_chat_scopes() {
    let config = parse(&with_connection(
        "kind = \"chat\"\nscopes = [\"read\", \"write\", \"chat\"]",
    ))
    .unwrap();
    assert_eq!(config.connections[0].kind, Kind::Chat);
}

#[test]
fn the_edit_keeps_comments_and_order() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("config.toml");
    let original = format!(
        "# my notes\n[settings]\nrefresh_margin = \"10m\" # wide margin\n\n{}",
        with_connection("# keep me")
    );
    std::fs::write(&path, &original).unwrap();

    let mut edit = ConfigEdit::open(&path).unwrap();
    let mut beta = edit.config().connections[0].clone();
    beta.name = "beta".into();
    beta.subdomain = "beta".into();
    beta.redirect_port = 9000;
    beta.access_token_lifetime = Some(Duration::from_secs(7200));
    edit.add_connection(&beta);
    let config = edit.save().unwrap();
    assert_eq!(config.connections.len(), 2);
    assert_eq!(config.connections[1], beta);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with(&original),
        "changed the user's lines:\n{text}"
    );
    assert!(text.contains("access_token_lifetime = \"2h\""), "{text}");

    let mut edit = ConfigEdit::open(&path).unwrap();
    assert!(edit.remove_connection("beta"));
    assert!(!edit.remove_connection("nope"));
    edit.save().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
}

#[test]
fn an_edit_that_would_be_invalid_is_not_written() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("config.toml");
    std::fs::write(&path, with_connection("")).unwrap();
    let mut edit = ConfigEdit::open(&path).unwrap();
    let twin = edit.config().connections[0].clone();
    edit.add_connection(&twin);
    assert!(edit.save().unwrap_err().to_string().contains("unique"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), with_connection(""));
}

#[test]
fn grant_defaults_to_the_code_grant_and_takes_client_credentials() {
    let acme = |extra| {
        parse(&with_connection(extra))
            .unwrap()
            .connections
            .remove(0)
    };
    assert_eq!(acme("").grant, Grant::AuthorizationCode);
    assert_eq!(
        acme("grant = \"authorization_code\"").grant,
        Grant::AuthorizationCode
    );
    assert_eq!(
        acme("grant = \"client_credentials\"\naccess_token_lifetime = \"2h\"").grant,
        Grant::ClientCredentials
    );
}

#[test]
fn client_credentials_are_refused_where_they_cannot_work() {
    let e = error(&with_connection("grant = \"password\""));
    assert!(
        e.starts_with("/cfg/config.toml:5: connection \"acme\".grant: \"password\" is not a grant"),
        "{e}"
    );
    let e = error(&with_connection(
        "kind = \"chat\"\nscopes = [\"read\", \"chat\"]\ngrant = \"client_credentials\"",
    ));
    assert!(
        e.contains(".grant: Zendesk Chat's OAuth server has no client credentials grant"),
        "{e}"
    );
    let e = error(&with_connection(
        "grant = \"client_credentials\"\nrefresh_token_lifetime = \"30d\"",
    ));
    assert!(e.contains("client credentials get no refresh token"), "{e}");
}

#[test]
fn the_example_documents_the_grant() {
    assert!(EXAMPLE.contains("# grant = \"authorization_code\""));
    assert!(EXAMPLE.contains("\"client_credentials\": for CI and servers"));
}

#[test]
fn an_update_touches_only_the_keys_whose_value_changed() {
    let temp = tempfile::tempdir().unwrap();
    let path = temp.path().join("config.toml");
    let original = with_connection("scopes = [  \"read\",\n  \"write\" ] # as I like it");
    std::fs::write(&path, &original).unwrap();
    let mut edit = ConfigEdit::open(&path).unwrap();
    let mut acme = edit.config().connections[0].clone();
    acme.redirect_port = 9100;
    assert!(edit.update_connection(&acme.name.clone(), &acme));
    edit.save().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("scopes = [  \"read\",\n  \"write\" ] # as I like it\n"),
        "an unchanged key was rewritten:\n{text}"
    );
    assert!(text.contains("redirect_port = 9100"), "{text}");
}
