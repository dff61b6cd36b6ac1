//! `zdauth import` through the real binary: forty accounts from a CSV in one save, TOML and
//! JSON the same, every bad file refused at its line and column with nothing written, and
//! imported connections that then log in and mint against the fake Zendesk.

use crate::common;

use std::path::{Path, PathBuf};

use common::ci::{CI_CLIENT, CI_SECRET};
use common::world::{CLIENT, World};
use common::{Run, Sandbox};
use zdauth_core::config::{Config, Grant, Kind};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let path = sb.paths().config();
    let text = std::fs::read_to_string(&path).unwrap() + "\n# my own note\n";
    std::fs::write(&path, text).unwrap();
    sb
}

fn import(sb: &Sandbox, file: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["import", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    sb.run(&args)
}

fn names(sb: &Sandbox) -> Vec<String> {
    Config::load(&sb.paths().config())
        .unwrap()
        .connections
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn forty_accounts_from_a_csv_are_added_in_one_save_with_the_next_steps() {
    let sb = sandbox();
    sb.add("already");
    let run = import(&sb, &fixture("forty.csv"), &[]).success();
    let config = Config::load(&sb.paths().config()).unwrap();
    let mut want = vec!["already".to_owned()];
    want.extend((1..=40).map(|i| format!("acct{i:02}")));
    assert_eq!(names(&sb), want);
    assert!(sb.config_text().contains("# my own note"), "comments stay");
    let third = config.connection("acct03").unwrap();
    assert_eq!(third.subdomain, "acct03", "a pasted URL is made bare");
    assert_eq!(third.scopes, ["read"]);
    let fifth = config.connection("acct05").unwrap();
    assert_eq!(fifth.redirect_port, 9100);
    let chat = config.connection("acct07").unwrap();
    assert_eq!((chat.kind, chat.scopes.len()), (Kind::Chat, 3));
    assert_eq!(config.connection("acct04").unwrap().tags, ["prod", "eu"]);
    assert_eq!(
        config.connection("acct13").unwrap().grant,
        Grant::ClientCredentials
    );
    assert_eq!(
        run.stdout.matches("\nadded acct").count() + 1,
        40,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("imported 40 connections"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "register the redirect URI http://127.0.0.1:8765/callback or http://127.0.0.1:9100/callback"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`zdauth login --all-needed`"),
        "{}",
        run.stdout
    );
    for name in ["acct13", "acct27"] {
        assert!(
            run.stdout
                .contains(&format!("`zdauth edit {name} --secret-stdin`")),
            "{}",
            run.stdout
        );
    }
    assert!(sb.temp_files().is_empty());
    // The tags picked by the other commands.
    let list = sb.run(&["list", "--tag", "eu"]).success();
    assert!(list.stdout.contains("acct04") && !list.stdout.contains("acct01"));
}

#[test]
fn a_dry_run_checks_everything_and_writes_nothing() {
    let sb = sandbox();
    let before = sb.config_text();
    let run = import(&sb, &fixture("forty.csv"), &["--dry-run"]).success();
    assert!(
        run.stdout
            .starts_with("would add acct01 (https://acct01.zendesk.com/, browser login, tags us)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "would add acct13 (https://acct13.zendesk.com/, client credentials, tags us)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("dry run: 40 connections checked, nothing written"),
        "{}",
        run.stdout
    );
    assert_eq!(sb.config_text(), before);
    // A dry run sees the names config.toml has, as the import would.
    sb.add("acct09");
    let before = sb.config_text();
    import(&sb, &fixture("forty.csv"), &["--dry-run"]).fails(
        2,
        ":10: column \"name\": \"acct09\" is already in config.toml",
    );
    assert_eq!(sb.config_text(), before);
}

#[test]
fn toml_and_json_files_import_the_same_connections() {
    let mut imported = Vec::new();
    for file in ["few.toml", "few.json"] {
        let sb = sandbox();
        import(&sb, &fixture(file), &[]).success();
        let config = Config::load(&sb.paths().config()).unwrap();
        imported.push(config.connections);
    }
    assert_eq!(imported[0], imported[1]);
    let south = &imported[0][1];
    assert_eq!((south.name.as_str(), south.redirect_port), ("south", 9200));
    assert_eq!(imported[0][2].kind, Kind::Chat);
}

/// A CSV of forty good rows with `bad` in place of row `at` (1-based).
fn forty_with(at: usize, bad: &str) -> String {
    let good = std::fs::read_to_string(fixture("forty.csv")).unwrap();
    let mut lines: Vec<&str> = good.lines().collect();
    lines[at] = bad;
    lines.join("\n") + "\n"
}

#[test]
fn every_bad_file_is_refused_at_its_line_and_column_and_nothing_is_written() {
    let header = "name,subdomain,client_id,scopes,redirect_port,kind,grant,tags,base_url";
    let cases: Vec<(&str, String, &str)> = vec![
        ("last.csv", forty_with(40, "acct40,evil.com/x,z,,,,,,"), "last.csv:41: column \"subdomain\": "),
        ("port.csv", forty_with(12, "acct12,acct12,z,,80,,,,"), "port.csv:13: column \"redirect_port\": 80 is"),
        ("scope.csv", forty_with(2, "acct02,acct02,z,read fly,,,,,"), ":3: column \"scopes\": \"fly\" is not a support scope"),
        ("tag.csv", forty_with(5, "acct05,acct05,z,,,,,Prod!,"), ":6: column \"tags\": "),
        ("grant.csv", forty_with(6, "acct06,acct06,z,,,,password,,"), ":7: column \"grant\": "),
        ("url.csv", forty_with(8, "acct08,acct08,z,,,,,,http://evil.example"), ":9: column \"base_url\": "),
        ("dup.csv", forty_with(30, "acct01,other,z,,,,,,"), ":31: column \"name\": \"acct01\" is also the name on line 2"),
        ("short.csv", forty_with(3, "acct03,acct03"), ":4: this row has 2 cells, the header 9"),
        ("empty.csv", forty_with(4, "acct04,acct04,,,,,,,"), ":5: column \"client_id\": is missing or empty"),
        ("secret.csv", format!("{header},client_secret\nacme,acme,z,,,,,,,hunter2-SECRET\n"), ":1: column \"client_secret\": secrets never go in an import file"),
        ("unknown.csv", format!("{header},colour\nacme,acme,z,,,,,,,red\n"), ":1: column \"colour\": \"colour\" is not a connection key"),
        ("noid.csv", "name,subdomain\nacme,acme\n".into(), ":1: column \"client_id\": is not in the header"),
        ("nothing.csv", format!("{header}\n"), "holds no connections"),
        ("bad.toml", "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"z\"\n\n[[connection]]\nname = \"b\"\nsubdomain = \"b\"\nclient_id = \"z\"\ntoken = \"hunter2-SECRET\"\n".into(), "bad.toml:10:1: token: secrets never go"),
        ("syntax.toml", "[[connection]]\nname = \"acme\"\nsubdomain = = \"acme\"\n".into(), "syntax.toml:3:"),
        ("bad.json", "[\n {\"name\": \"acme\", \"subdomain\": \"acme\", \"client_id\": \"z\",\n  \"redirect_port\": \"eighty\"}\n]".into(), "bad.json:3:20: redirect_port: \"eighty\" is not a port number"),
        ("syntax.json", "[\n {\"name\": \"acme\",,}\n]".into(), "syntax.json:2:"),
        ("pick.yaml", "- name: acme\n".into(), "name the file .csv, .toml or .json"),
    ];
    let sb = sandbox();
    sb.add("kept");
    let before = sb.config_text();
    let dir = tempfile::tempdir().unwrap();
    for (name, text, words) in &cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        for extra in [&[][..], &["--dry-run"][..]] {
            let run = import(&sb, &path, extra).fails(2, words);
            assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
            assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        }
        assert_eq!(sb.config_text(), before, "{name} changed config.toml");
    }
    assert!(sb.temp_files().is_empty());
    let missing = dir.path().join("missing.csv");
    import(&sb, &missing, &[]).fails(2, "does not exist: check the path");
    import(&sb, Path::new("/dev/zero"), &[]).fails(1, "not a regular file");
    let big = dir.path().join("big.csv");
    let row = "acme,acme,zdauth_acme\n";
    std::fs::write(
        &big,
        format!("name,subdomain,client_id\n{}", row.repeat(5 << 20 >> 4)),
    )
    .unwrap();
    import(&sb, &big, &[]).fails(1, "an import file");
    assert_eq!(sb.config_text(), before);
    assert_eq!(names(&sb), ["kept"]);
}

#[test]
fn an_import_needs_a_config_to_add_to() {
    let sb = Sandbox::new();
    import(&sb, &fixture("few.toml"), &[]).fails(1, "run `zdauth init`");
}

/// Imported rows are ordinary connections: one logs in through a browser, another, after
/// its secret is stored with `edit`, mints a token; both at the fake over loopback.
#[test]
fn imported_connections_log_in_and_mint_against_the_fake() {
    let w = World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options.clients.push(zdauth_fake::FakeClient::confidential(
            CI_CLIENT, CI_SECRET, &redirect,
        ));
    });
    let base = w.fake.base_url();
    let csv = format!(
        "name,subdomain,client_id,redirect_port,grant,base_url\n\
         web,acme,{CLIENT},{port},,{base}\n\
         ci,acme,{CI_CLIENT},,client_credentials,{base}\n",
        port = w.port
    );
    let file = w.sb.temp.path().join("accounts.csv");
    std::fs::write(&file, csv).unwrap();
    let run = import(&w.sb, &file, &[]).success();
    assert!(
        run.stdout.contains("`zdauth edit ci --secret-stdin`"),
        "{}",
        run.stdout
    );

    let browser = w.browser();
    w.sb.run_with(
        &["login", "web", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    )
    .success();
    let token = w.sb.run(&["token", "web"]).success();
    assert!(w.fake.access_token_works(token.stdout.trim()));

    w.sb.run(&["token", "ci"])
        .fails(5, "zdauth edit ci --secret-stdin");
    let edit =
        w.sb.run_with(
            &["edit", "ci", "--secret-stdin"],
            &[],
            Some(&format!("{CI_SECRET}\n")),
        )
        .success();
    assert!(!edit.stdout.contains(CI_SECRET) && !edit.stderr.contains(CI_SECRET));
    let minted = w.sb.run(&["token", "ci"]).success();
    assert!(w.fake.access_token_works(minted.stdout.trim()));
    assert!(!w.sb.config_text().contains(CI_SECRET));
}

/// The dir lock: an import and adds from other processes at the same time all land.
#[test]
fn an_import_racing_adds_loses_neither() {
    let sb = sandbox();
    let file = fixture("forty.csv");
    let mut children = vec![
        sb.zdauth(&["import", file.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    ];
    for i in 0..6 {
        let name = format!("side{i}");
        children.push(
            sb.zdauth(&["add", &name, "--subdomain", &name, "--client-id", "z"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let names = names(&sb);
    assert_eq!(names.len(), 46, "{names:?}");
    for i in 0..6 {
        assert!(names.contains(&format!("side{i}")), "{names:?}");
    }
}
