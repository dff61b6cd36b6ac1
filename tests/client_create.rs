//! `zdauth client create` against the fake's OAuth clients API: the client is made (public,
//! our loopback redirect URI) and the connection added, a browser login then works with it; a
//! taken identifier is refused unless `--reuse` finds it fit; every bad input is one line, exit
//! 2, nothing added; the API token comes only from stdin and is found in no output and no file.

use std::path::Path;

use crate::common;

use base64::Engine;
use common::Run;
use common::world::{World, free_port};
use zdauth_fake::{FakeApiToken, Fault, FaultTarget};

const EMAIL: &str = "ada@acme.test";
const TOKEN: &str = "apitok0123456789SECRETabcdefghijklmnopqr";

fn world() -> World {
    World::new(|options| {
        options.api_tokens = vec![
            FakeApiToken::admin(EMAIL, TOKEN),
            FakeApiToken {
                role: "agent".into(),
                ..FakeApiToken::admin("agnes@acme.test", TOKEN)
            },
        ];
    })
}

/// `stdin` empty: none at all (the run must fail before it would read one).
fn create(w: &World, name: &str, port: u16, extra: &[&str], stdin: &str) -> Run {
    let base = w.fake.base_url();
    let port = port.to_string();
    let mut args = vec![
        "client",
        "create",
        name,
        "--subdomain",
        name,
        "--email",
        EMAIL,
        "--port",
        &port,
        "--base-url",
        &base,
    ];
    args.extend_from_slice(extra);
    w.sb.run_with(&args, &[], Some(stdin).filter(|s| !s.is_empty()))
}

/// Every file under `dir` (config, vault, logs, state) and the run's output, without `TOKEN`.
fn assert_token_nowhere(dir: &Path, runs: &[&Run]) {
    for run in runs {
        assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    }
    for entry in walkdir(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(TOKEN),
            "the API token is in {}",
            entry.display()
        );
    }
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walkdir(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn client_id_of(w: &World, name: &str) -> Option<String> {
    let config = zdauth_core::config::Config::load(&w.sb.paths().config()).unwrap();
    config.connection(name).map(|c| c.client_id.clone())
}

#[test]
fn creates_a_public_client_adds_the_connection_and_a_login_works_with_it() {
    let w = world();
    let port = free_port();
    let run = create(&w, "shop", port, &["--tag", "eu"], &format!("{TOKEN}\n")).success();
    assert!(
        run.stdout.contains("created the OAuth client zdauth-shop"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("zdauth login shop"), "{}", run.stdout);
    assert_eq!(client_id_of(&w, "shop").as_deref(), Some("zdauth-shop"));
    assert!(w.sb.config_text().contains("\"eu\""));

    // The fake knows the client now: authorize and token accept it, with our redirect URI.
    let browser = w.browser();
    let login = w.sb.run_with(
        &["login", "shop", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    );
    let login = login.success();
    assert!(
        login.stderr.contains("logged in to shop"),
        "{}",
        login.stderr
    );
    assert_token_nowhere(w.sb.temp.path(), &[&run, &login]);
}

#[test]
fn a_taken_identifier_is_refused_and_reuse_adopts_a_fit_client() {
    let w = world();
    let port = free_port();
    create(&w, "shop", port, &[], TOKEN).success();
    let before = w.sb.config_text();

    let again = create(&w, "shop2", port, &["--identifier", "zdauth-shop"], TOKEN)
        .fails(2, "already exists in shop2: pass --reuse");
    assert_eq!(w.sb.config_text(), before, "nothing added");

    // Another port is not among the client's redirect URIs: adopting it would fail at login.
    let other = free_port();
    let wrong_port = create(
        &w,
        "shop3",
        other,
        &["--identifier", "zdauth-shop", "--reuse"],
        TOKEN,
    )
    .fails(2, "does not list the redirect URI");
    assert_eq!(w.sb.config_text(), before, "nothing added");

    let adopted = create(
        &w,
        "shop4",
        port,
        &["--identifier", "zdauth-shop", "--reuse"],
        TOKEN,
    )
    .success();
    assert!(
        adopted
            .stdout
            .contains("adopted the OAuth client zdauth-shop"),
        "{}",
        adopted.stdout
    );
    assert_eq!(client_id_of(&w, "shop4").as_deref(), Some("zdauth-shop"));
    assert_token_nowhere(w.sb.temp.path(), &[&again, &wrong_port, &adopted]);
}

#[test]
fn a_refused_token_a_non_admin_and_bad_input_add_nothing() {
    let w = world();
    let before = w.sb.config_text();
    let port = free_port();
    let wrong =
        create(&w, "shop", port, &[], "not-the-token-at-all\n").fails(2, "refused the API token");
    assert!(!wrong.stderr.contains("not-the-token-at-all"));

    let base = w.fake.base_url();
    let agent = w.sb.run_with(
        &[
            "client",
            "create",
            "shop",
            "--subdomain",
            "shop",
            "--email",
            "agnes@acme.test",
            "--base-url",
            &base,
        ],
        &[],
        Some(TOKEN),
    );
    agent.fails(2, "may not manage OAuth clients (403)");

    create(&w, "shop", port, &[], "\n").fails(2, "no API token on stdin");
    create(&w, "shop", port, &[], "two words\n").fails(2, "one API token");
    w.sb.run(&[
        "client",
        "create",
        "shop",
        "--subdomain",
        "shop",
        "--email",
        "nobody",
    ])
    .fails(2, "--email");
    create(&w, "Bad Name", port, &[], "").fails(2, "NAME");
    // As `add` answers a taken name.
    create(&w, "acme", port, &[], "").fails(1, "already exists");
    create(&w, "shop", port, &["--identifier", "has space"], "").fails(2, "--identifier");
    // An API token has no flag: it never reaches argv.
    let flag = w.sb.run(&[
        "client",
        "create",
        "shop",
        "--subdomain",
        "shop",
        "--email",
        EMAIL,
        "--token",
        TOKEN,
    ]);
    assert_eq!(flag.code, 2, "{}", flag.stderr);
    assert_eq!(w.sb.config_text(), before, "nothing added");
}

#[test]
fn a_server_error_that_echoes_the_request_shows_no_api_token() {
    let w = World::new(|options| {
        options.api_tokens = vec![FakeApiToken::admin(EMAIL, TOKEN)];
        options.echo_requests_in_errors = true;
    });
    let before = w.sb.config_text();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}/token:{TOKEN}"));
    for fault in [Fault::Status(500), Fault::EchoText(502)] {
        w.fake.push_fault(FaultTarget::ApiPost, fault, 1);
        let run = create(&w, "shop", free_port(), &[], TOKEN).fails(7, "oauth/clients.json");
        assert!(!run.stderr.contains(&basic), "{}", run.stderr);
        assert_token_nowhere(w.sb.temp.path(), &[&run]);
    }
    assert_eq!(w.sb.config_text(), before, "nothing added");
}

/// The README's loop, run as written by `sh` in a real terminal (tmux) where the tokens are
/// typed; a `zdauth` first on PATH only adds `--base-url` of the fake to `client create`.
#[test]
fn the_readmes_migration_loop_moves_three_accounts() {
    let Some(t) = common::tmux::tmux("migration-loop") else {
        return;
    };
    let w = world();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Moving many accounts off API tokens")
        .nth(1)
        .unwrap();
    let script = section
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let dir = w.sb.temp.path();
    std::fs::write(dir.join("loop.sh"), script).unwrap();
    std::fs::write(
        dir.join("accounts.csv"),
        format!("s1,{EMAIL}\ns2,{EMAIL}\n\ns3,{EMAIL}\n"),
    )
    .unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(
        bin.join("zdauth"),
        format!(
            "#!/bin/sh\nif [ \"$1\" = client ]; then exec {0} \"$@\" --base-url {1}; fi\nexec {0} \"$@\"\n",
            common::BINARY,
            w.fake.base_url()
        ),
    )
    .unwrap();
    let command = format!(
        "cd {dir} && PATH={bin}:$PATH BROWSER='{browser}' ZDAUTH_CONFIG_DIR={cfg} HOME={dir} XDG_RUNTIME_DIR={run} sh loop.sh; echo EXIT=$?; sleep 60",
        dir = dir.display(),
        bin = bin.display(),
        browser = w.browser(),
        cfg = w.sb.dir().display(),
        run = w.sb.runtime_dir().display(),
    );
    std::fs::set_permissions(
        bin.join("zdauth"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    t.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "160",
        "-y",
        "40",
        &command,
    ]);
    for sub in ["s1", "s2", "s3"] {
        t.wait_for(&format!("API token of {EMAIL} for {sub}:"));
        t.type_text(TOKEN);
        t.keys(&["Enter"]);
    }
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        !screen.contains(TOKEN),
        "the typed token was echoed:\n{screen}"
    );
    for sub in ["s1", "s2", "s3"] {
        assert_eq!(
            client_id_of(&w, sub).as_deref(),
            Some(format!("zdauth-{sub}").as_str())
        );
    }
    let vault = w.sb.vault().load().unwrap();
    for name in ["acme", "s1", "s2", "s3"] {
        assert!(
            vault
                .connections
                .get(name)
                .is_some_and(|e| e.tokens.is_some()),
            "{name}"
        );
    }
    assert_token_nowhere(w.sb.temp.path(), &[]);
}
