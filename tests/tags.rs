//! Tags through every command that picks connections (but `api`, which has its own suite):
//! `add --tag`, config.toml's `tags` and its errors, `list`, `status`, `refresh` and `export`
//! by `--tag`, globs and names, and the TAGS column. `pub(crate)` helpers seed tagged
//! connections for the health suite too.

use crate::common;

use common::world::{CLIENT, World};
use jiff::Timestamp;
use serde_json::Value;
use zdauth::seed::{self, Pair};
use zdauth_core::config::{ConfigEdit, Connection};
use zdauth_core::vault::{DirLock, Tokens};
use zdauth_fake::IssuedTokens;

/// A connection to the world's fake, as `zdauth add` makes one, with `tags`.
pub(crate) fn connection(w: &World, name: &str, tags: &[&str]) -> Connection {
    let mut connection =
        seed::connection(name, name, CLIENT, w.port, Some(&w.fake.base_url())).unwrap();
    connection.tags = tags.iter().map(|&t| t.to_owned()).collect();
    connection
}

/// Appends `connection` to config.toml as `zdauth add` does.
pub(crate) fn add(w: &World, connection: &Connection) {
    let paths = w.sb.paths();
    let _lock = DirLock::acquire(&paths).unwrap();
    let mut edit = ConfigEdit::open(&paths.config()).unwrap();
    edit.add_connection(connection);
    edit.save().unwrap();
}

/// Stores `tokens` for `connection`, as a login would.
pub(crate) fn store(w: &World, connection: &Connection, tokens: Tokens) {
    let entry = seed::entry(connection, tokens, None);
    w.sb.vault()
        .update(|data| data.connections.insert(connection.name.clone(), entry))
        .unwrap();
}

/// A tagged connection with a pair the fake issued (so it refreshes and calls for real).
pub(crate) fn add_tagged(w: &World, name: &str, tags: &[&str]) -> IssuedTokens {
    let connection = connection(w, name, tags);
    add(w, &connection);
    let issued = w.fake.issue_grant(CLIENT, &seed::SCOPES);
    store(
        w,
        &connection,
        Pair::issued(&issued).obtained_at(Timestamp::now()),
    );
    issued
}

/// acme (no tags, from the world), eu-a [prod, eu], eu-b [staging, eu], us-c [prod].
fn tagged_world() -> World {
    let w = World::new(|_| {});
    w.seed();
    add_tagged(&w, "eu-a", &["prod", "eu"]);
    add_tagged(&w, "eu-b", &["staging", "eu"]);
    add_tagged(&w, "us-c", &["prod"]);
    w
}

fn names(json: &str) -> Vec<String> {
    let value: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The first word of each stdout line.
fn line_names(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

#[test]
fn add_writes_tags_in_order_and_a_bad_tag_writes_nothing() {
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    let add = |name: &str, tags: &[&str]| {
        let tags: Vec<String> = tags.iter().map(|t| format!("--tag={t}")).collect();
        let mut args = vec!["add", name, "--subdomain", name, "--client-id", "c"];
        args.extend(tags.iter().map(String::as_str));
        sb.run(&args)
    };
    add("acme", &["prod", "eu"]).success();
    assert!(
        sb.config_text().contains("tags = [\"prod\", \"eu\"]"),
        "{}",
        sb.config_text()
    );
    let listed: Value =
        serde_json::from_str(&sb.run(&["list", "--json"]).success().stdout).unwrap();
    assert_eq!(listed[0]["tags"], serde_json::json!(["prod", "eu"]));

    let before = sb.config_text();
    for bad in [
        &["Prod"][..],
        &["a b"],
        &["x,y"],
        &["prod", "prod"],
        &["-x"],
        &[""],
    ] {
        add("globex", bad).fails(2, "--tag");
        assert_eq!(sb.config_text(), before, "{bad:?} changed config.toml");
    }
    let seventeen: Vec<String> = (0..17).map(|i| format!("t{i}")).collect();
    let seventeen: Vec<&str> = seventeen.iter().map(String::as_str).collect();
    add("globex", &seventeen).fails(2, "--tag");
    assert_eq!(sb.config_text(), before);
}

#[test]
fn config_tags_errors_name_the_line() {
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    let good = sb.config_text();
    let seventeen: Vec<String> = (0..17).map(|i| format!("\"t{i}\"")).collect();
    let cases = [
        ("[\"Prod!\"]".to_owned(), "Prod!"),
        (format!("[{}]", seventeen.join(", ")), "17 tags"),
        ("[\"prod\", \"eu\", \"prod\"]".to_owned(), "prod"),
    ];
    for (tags, words) in cases {
        let text = format!(
            "{good}\n[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"c\"\ntags = {tags}\n"
        );
        let line = text.lines().position(|l| l.starts_with("tags = ")).unwrap() + 1;
        std::fs::write(sb.paths().config(), &text).unwrap();
        let run = sb.run(&["list"]);
        assert_ne!(run.code, 0, "{tags} was taken: {}", run.stdout);
        let stderr = run.stderr.trim_end();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(&format!("config.toml:{line}: ")),
            "{tags}: {stderr}"
        );
        assert!(stderr.contains(words), "{tags}: {stderr}");
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

#[test]
fn list_picks_by_every_tag_and_shows_them() {
    let w = tagged_world();
    let list = |args: &[&str]| {
        let mut all = vec!["list", "--json"];
        all.extend(args);
        names(&w.sb.run(&all).success().stdout)
    };
    assert_eq!(list(&[]), ["acme", "eu-a", "eu-b", "us-c"]);
    assert_eq!(list(&["--tag", "eu"]), ["eu-a", "eu-b"]);
    assert_eq!(list(&["--tag", "prod", "--tag", "eu"]), ["eu-a"]);

    let json: Value =
        serde_json::from_str(&w.sb.run(&["list", "--json"]).success().stdout).unwrap();
    assert_eq!(json[0]["tags"], serde_json::json!([]));
    assert_eq!(json[1]["tags"], serde_json::json!(["prod", "eu"]));

    let table = w.sb.run(&["list", "--tag", "eu"]).success().stdout;
    let header = table.lines().next().unwrap();
    assert!(header.contains(" TAGS "), "{table}");
    let column = header.find("TAGS").unwrap();
    let cells: Vec<&str> = table
        .lines()
        .skip(1)
        .map(|l| l[column..].split_whitespace().next().unwrap())
        .collect();
    assert_eq!(cells, ["prod,eu", "staging,eu"], "{table}");

    w.sb.run(&["list", "--tag", "prdo"])
        .fails(2, "no connection has the tag \"prdo\"");
}

#[test]
fn status_picks_by_tag_glob_and_names() {
    let w = tagged_world();
    let status = |args: &[&str]| {
        let mut all = vec!["status"];
        all.extend(args);
        let run = w.sb.run(&all).success();
        line_names(&run.stdout)
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(status(&["--tag", "prod"]), ["eu-a", "us-c"]);
    assert_eq!(status(&["eu-*"]), ["eu-a", "eu-b"]);
    assert_eq!(status(&["eu-*", "--tag", "staging"]), ["eu-b"]);
    assert_eq!(status(&["us-c", "acme"]), ["acme", "us-c"]);
    w.sb.run(&["status", "ap-*"])
        .fails(2, "no connection matches \"ap-*\"");
    w.sb.run(&["status", "--tag", "nope"])
        .fails(2, "no connection has the tag \"nope\"");
    assert_eq!(w.fake.counters().api_requests, 0);
}

#[test]
fn refresh_rotates_only_what_the_tag_or_glob_picks() {
    let w = tagged_world();
    let before = w.stored_refresh();
    let run = w.sb.run(&["refresh", "--tag", "eu"]).success();
    assert_eq!(
        line_names(&run.stdout),
        ["eu-a:", "eu-b:"],
        "{}",
        run.stdout
    );
    assert_eq!(w.fake.counters().refreshes, 2);
    assert_eq!(w.stored_refresh(), before, "acme has no tag eu");

    let run = w.sb.run(&["refresh", "us-*"]).success();
    assert_eq!(line_names(&run.stdout), ["us-c:"], "{}", run.stdout);
    assert_eq!(w.fake.counters().refreshes, 3);

    w.sb.run(&["refresh", "--tag", "nope"])
        .fails(2, "no connection has the tag \"nope\"");
    assert_eq!(w.fake.counters().refreshes, 3);
}

#[test]
fn export_json_of_many_is_an_array_of_the_single_objects() {
    let w = tagged_world();
    let single: Value = serde_json::from_str(
        &w.sb
            .run(&["export", "acme", "--format", "json"])
            .success()
            .stdout,
    )
    .unwrap();
    assert!(single.is_object(), "{single}");

    let many = |args: &[&str]| {
        let mut all = vec!["export", "--format", "json"];
        all.extend(args);
        let run = w.sb.run(&all).success();
        let value: Value = serde_json::from_str(&run.stdout).unwrap();
        value.as_array().unwrap().clone()
    };
    let all = many(&["--all"]);
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], single, "the same object as `export acme`");
    for object in &all {
        let keys: Vec<&String> = object.as_object().unwrap().keys().collect();
        let want: Vec<&String> = single.as_object().unwrap().keys().collect();
        assert_eq!(keys, want);
        let name = object["name"].as_str().unwrap();
        let stored = w.sb.vault().load().unwrap().connections[name]
            .tokens
            .clone()
            .unwrap();
        assert_eq!(object["access_token"], stored.access_token.expose());
    }
    let eu: Vec<String> = many(&["--tag", "eu"])
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(eu, ["eu-a", "eu-b"]);
    assert_eq!(many(&["us-c", "eu-*"]).len(), 3);
    // A glob that picks one still answers in the many form.
    assert!(many(&["us-*"]).len() == 1);
}

#[test]
fn export_of_many_in_another_format_prints_nothing_and_refreshes_nothing() {
    let w = tagged_world();
    // acme is past its expiry: an export that went ahead would refresh it.
    w.age_pair(1801);
    let token = w.stored_access();
    for format in ["header", "env", "curl"] {
        for pick in [
            &["--all"][..],
            &["--tag", "eu"],
            &["eu-*"],
            &["acme", "us-c"],
        ] {
            let mut args = vec!["export", "--format", format];
            args.extend(pick);
            let run = w.sb.run(&args).fails(2, "--format json");
            assert!(run.stdout.is_empty(), "{}", run.stdout);
        }
    }
    assert_eq!(w.fake.counters().token_posts, 0);
    assert_eq!(w.stored_access(), token);
    w.sb.run(&["export", "--format", "json"])
        .fails(2, "nothing to export");
}

#[test]
fn export_of_many_prints_nothing_when_one_cannot_be_exported() {
    let w = tagged_world();
    // Never logged in: nothing can get it a token.
    add(&w, &connection(&w, "eu-new", &["eu"]));
    let run = w.sb.run(&["export", "--tag", "eu", "--format", "json"]);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("eu-new"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was printed"), "{}", run.stderr);
}
