use std::path::Path;

use super::parse;
use crate::config::{Grant, Kind};

fn error(text: &str, file: &str) -> String {
    parse(text, Path::new(file)).unwrap_err().to_string()
}

#[test]
fn a_csv_with_optional_columns_becomes_connections() {
    let text = "name,subdomain,client_id,scopes,redirect_port,kind,grant,tags,base_url\n\
                acme,https://acme.zendesk.com/agent,zdauth_acme,read write,,,,prod eu,\n\
                chat1,globex,zdauth_g,,9100,chat,,,\n\
                ci,initech,zdauth_ci,read,,,client_credentials,,http://127.0.0.1:9000\n";
    let rows = parse(text, Path::new("a.csv")).unwrap();
    let acme = &rows[0].connection;
    assert_eq!(acme.subdomain, "acme");
    assert_eq!(acme.scopes, ["read", "write"]);
    assert_eq!(acme.tags, ["prod", "eu"]);
    assert_eq!(acme.redirect_port, 8765);
    assert_eq!(rows[0].at.line, 2);
    let chat = &rows[1].connection;
    assert_eq!((chat.kind, chat.redirect_port), (Kind::Chat, 9100));
    assert_eq!(chat.scopes, ["read", "write", "chat"]);
    let ci = &rows[2].connection;
    assert_eq!(ci.grant, Grant::ClientCredentials);
    assert_eq!(ci.base_url.as_deref(), Some("http://127.0.0.1:9000"));
}

#[test]
fn csv_errors_name_the_line_and_the_column() {
    let text = "name,subdomain,client_id\nacme,acme,zdauth_a\nglobex,evil.com/x,zdauth_g\n";
    let message = error(text, "a.csv");
    assert!(
        message.starts_with("a.csv:3: column \"subdomain\": "),
        "{message}"
    );
    assert!(message.ends_with("nothing was imported"), "{message}");
    let message = error("name,subdomain\nacme,acme\n", "a.csv");
    assert!(
        message.starts_with("a.csv:1: column \"client_id\": is not in the header"),
        "{message}"
    );
    let message = error("name,subdomain,client_id,color\nacme,acme,z\n", "a.csv");
    assert!(
        message.contains("column \"color\": \"color\" is not a connection key"),
        "{message}"
    );
    let message = error("name,subdomain,client_id\nacme,acme\n", "a.csv");
    assert!(
        message.starts_with("a.csv:2: this row has 2 cells, the header 3"),
        "{message}"
    );
    let message = error(
        "name,subdomain,client_id\nacme,acme,z\nacme,globex,z\n",
        "a.csv",
    );
    assert!(
        message.starts_with("a.csv:3: column \"name\": \"acme\" is also the name on line 2"),
        "{message}"
    );
    let message = error("name,subdomain,client_id\nacme,,z\n", "a.csv");
    assert!(
        message.starts_with("a.csv:2: column \"subdomain\": is missing or empty"),
        "{message}"
    );
}

#[test]
fn a_secret_column_is_refused_without_showing_its_values() {
    for column in ["client_secret", "secret", "api_token", "Token", "password"] {
        let text = format!("name,subdomain,client_id,{column}\nacme,acme,z,hunter2-SECRET\n");
        let message = error(&text, "a.csv");
        assert!(
            message.contains("secrets never go in an import file"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
    let message = error(
        "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"z\"\nclient_secret = \"hunter2\"\n",
        "a.toml",
    );
    assert!(
        message.starts_with("a.toml:5:1: client_secret: secrets never go"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn toml_errors_name_line_and_column() {
    let text = "# accounts\n[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"z\"\n\n[[connection]]\nname = \"globex\"\nsubdomain = \"globex\"\nclient_id = \"z\"\n  redirect_port = 80\n";
    let message = error(text, "a.toml");
    assert!(
        message.starts_with("a.toml:11:3: redirect_port: "),
        "{message}"
    );
    assert!(message.contains("1024 to 65535"), "{message}");
    let message = error(
        "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\n",
        "a.toml",
    );
    assert!(message.starts_with("a.toml:1:"), "{message}");
    assert!(
        message.contains("client_id: is missing or empty"),
        "{message}"
    );
    let message = error("[[connection]]\nname = = \"acme\"\n", "a.toml");
    assert!(message.starts_with("a.toml:2:"), "{message}");
    assert!(message.contains("is not valid TOML"), "{message}");
    let message = error("[settings]\nx = 1\n", "a.toml");
    assert!(message.contains("only [[connection]] tables"), "{message}");
    let rows = parse(
        "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"z\"\nscopes = [\"read\"]\ntags = [\"prod\"]\nredirect_port = 9_100\n",
        Path::new("a.toml"),
    )
    .unwrap();
    assert_eq!(rows[0].connection.redirect_port, 9100);
    assert_eq!(rows[0].connection.tags, ["prod"]);
}

#[test]
fn json_errors_name_line_and_column() {
    let text = "[\n  {\"name\": \"acme\", \"subdomain\": \"acme\", \"client_id\": \"z\"},\n  {\"name\": \"globex\", \"subdomain\": \"globex\",\n   \"client_id\": \"z\", \"scopes\": [\"read\", \"fly\"]}\n]\n";
    let message = error(text, "a.json");
    assert!(message.starts_with("a.json:4:32: scopes: "), "{message}");
    assert!(
        message.contains("\"fly\" is not a support scope"),
        "{message}"
    );
    let message = error(
        "[{\"name\": \"a\", \"subdomain\": \"a\", \"client_id\": \"z\", \"redirect_port\": \"x\"},]",
        "a.json",
    );
    assert!(message.starts_with("a.json:1:"), "{message}");
    assert!(message.contains("is not valid JSON"), "{message}");
    let message = error("{\"name\": \"a\"}", "a.json");
    assert!(message.contains("must be an array of objects"), "{message}");
    let message = error(
        "[{\"name\": \"a\", \"subdomain\": \"a\", \"client_id\": \"z\", \"redirect_port\": true}]",
        "a.json",
    );
    assert!(
        message.contains("redirect_port: is a boolean: write a number"),
        "{message}"
    );
    let message = error("[\n 7\n]", "a.json");
    assert!(
        message.starts_with("a.json:2:2: is not an object"),
        "{message}"
    );
    let rows = parse(
        "[{\"name\": \"a\", \"subdomain\": \"a\", \"client_id\": \"z\", \"redirect_port\": 9100, \"tags\": [\"eu\"]}]",
        Path::new("a.json"),
    )
    .unwrap();
    assert_eq!(rows[0].connection.redirect_port, 9100);
}

#[test]
fn an_unknown_extension_or_an_empty_file_says_what_to_do() {
    assert!(error("x", "a.txt").contains("name the file .csv, .toml or .json"));
    assert!(error("name,subdomain,client_id\n", "a.csv").contains("holds no connections"));
    assert!(error("[]", "a.json").contains("holds no connections"));
}

#[test]
fn hostile_keys_and_text_never_reach_the_terminal_raw() {
    let escape = "\u{1b}]52;c;aGk=\u{7}";
    // Written as each format escapes it: the parsed key holds the raw control characters.
    let written = "\\u001b]52;c;aGk=\\u0007";
    let cases = [
        (
            format!("name,subdomain,client_id,{escape}\nacme,acme,z,x\n"),
            "a.csv",
        ),
        (
            format!(
                "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"z\"\n\"{written}\" = 1\n"
            ),
            "a.toml",
        ),
        (
            format!(
                "[{{\"name\": \"acme\", \"subdomain\": \"acme\", \"client_id\": \"z\", \"{written}\": 1}}]"
            ),
            "a.json",
        ),
        (
            format!(
                "[[connection]]\nname = \"{written}\"\nsubdomain = \"acme\"\nclient_id = \"z\"\n"
            ),
            "b.toml",
        ),
        (
            format!("name,subdomain,client_id\n{escape},acme,z\n"),
            "b.csv",
        ),
        (format!("x = 1\n\"{written}\" = 2\n"), "c.toml"),
    ];
    for (text, file) in cases {
        let message = error(&text, file);
        assert!(
            !message.contains('\u{1b}') && !message.contains('\u{7}'),
            "{message:?}"
        );
        assert!(message.ends_with("nothing was imported"), "{message}");
    }
}

#[test]
fn no_input_panics() {
    let inputs = [
        "",
        "\u{feff}",
        ",,,\n,,,",
        "\"",
        "[",
        "{",
        "[[connection]]",
        "[[1]]",
        "[null]",
        "[[]]",
        "[{\"name\": [1]}]",
        "name\n\"\n",
    ];
    for text in inputs {
        for file in ["a.csv", "a.toml", "a.json"] {
            let _ = parse(text, Path::new(file));
        }
    }
}
