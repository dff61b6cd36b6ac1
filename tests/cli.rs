//! The real binary, end to end, each test in its own config dir.

use crate::common;

use common::{Sandbox, mode, tokens};

#[test]
fn init_add_list_status_remove() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    assert_eq!(mode(&sb.dir()), 0o700);
    for file in ["config.toml", "vault.age", "recipient.txt"] {
        assert_eq!(mode(&sb.dir().join(file)), 0o600, "{file}");
    }

    let added = sb
        .run(&[
            "add",
            "acme",
            "--subdomain",
            "https://ACME.zendesk.com/agent/",
            "--client-id",
            "zdauth_acme",
        ])
        .success();
    assert!(
        added.stdout.contains("http://127.0.0.1:8765/callback"),
        "{}",
        added.stdout
    );
    sb.run(&[
        "add",
        "globex",
        "--subdomain",
        "globex.zendesk.com",
        "--client-id",
        "zdauth_globex",
        "--scopes",
        "tickets:read,users:read",
        "--redirect-port",
        "19186",
    ])
    .success();
    assert!(
        sb.config_text().contains("subdomain = \"acme\""),
        "{}",
        sb.config_text()
    );

    let list = sb.run(&["list", "--json"]).success();
    let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([
            {"name": "acme", "subdomain": "acme", "kind": "support", "grant": "authorization_code", "tags": [], "status": "no_token",
             "expires_at": null, "expires_in": null, "refresh_expires_at": null,
             "refresh_expires_in": null, "user": null,
             "scopes": ["read", "write"], "expiry_source": null, "has_refresh_token": false,
             "notes": []},
            {"name": "globex", "subdomain": "globex", "kind": "support", "grant": "authorization_code", "tags": [], "status": "no_token",
             "expires_at": null, "expires_in": null, "refresh_expires_at": null,
             "refresh_expires_in": null, "user": null,
             "scopes": ["tickets:read", "users:read"], "expiry_source": null,
             "has_refresh_token": false, "notes": []},
        ])
    );
    sb.run(&["status", "acme"]).fails_quietly(5);

    // Each state of the stored pair gives its own exit code.
    for (entry, status, code) in [
        (tokens(1800, Some(86_400)), "valid", 0),
        (tokens(120, Some(86_400)), "expiring", 3),
        (tokens(-5, Some(86_400)), "expired", 4),
        (tokens(-5, Some(-5)), "login_required", 5),
    ] {
        let lock = sb.vault().lock_connection("acme").unwrap();
        lock.persist(entry).unwrap();
        drop(lock);
        let run = sb.run(&["status", "acme"]);
        assert_eq!(run.code, code, "{status}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(&format!("status:         {status}")),
            "{}",
            run.stdout
        );
        assert!(!run.stdout.contains("SECRET"), "{}", run.stdout);
        let list = sb.run(&["list", "--json"]).success();
        let rows: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
        assert_eq!(rows[0]["status"], status);
        assert!(!list.stdout.contains("SECRET"));
    }
    let rows: serde_json::Value =
        serde_json::from_str(&sb.run(&["list", "--json"]).success().stdout).unwrap();
    assert!(rows[0]["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(rows[0]["expires_in"], 0);

    let table = sb.run(&["list"]).success();
    assert!(table.stdout.starts_with("NAME "), "{}", table.stdout);
    assert!(table.stdout.contains("login_required"), "{}", table.stdout);

    let removed = sb.run(&["remove", "acme"]).success();
    assert!(
        removed.stdout.contains("stored tokens"),
        "{}",
        removed.stdout
    );
    assert!(!sb.config_text().lines().any(|l| l == "name = \"acme\""));
    assert!(!sb.vault().load().unwrap().connections.contains_key("acme"));
    sb.run(&["status", "acme"])
        .fails(1, "no connection named \"acme\"");
    sb.run(&["remove", "acme"])
        .fails(1, "`zdauth list` shows the names");
}

#[test]
fn a_client_secret_goes_to_the_vault_only() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.run_with(
        &[
            "add",
            "acme",
            "--subdomain",
            "acme",
            "--client-id",
            "zdauth_acme",
            "--secret-stdin",
        ],
        &[],
        Some("s3cr3t-client-value\n"),
    )
    .success();
    assert!(!sb.config_text().contains("s3cr3t"));
    let data = sb.vault().load().unwrap();
    let secret = data.connections["acme"].client_secret.as_ref().unwrap();
    assert_eq!(secret.expose(), "s3cr3t-client-value");
    let log = std::fs::read_to_string(sb.dir().join("zdauth.log")).unwrap_or_default();
    assert!(!log.contains("s3cr3t"));

    sb.run_with(
        &[
            "add",
            "beta",
            "--subdomain",
            "beta",
            "--client-id",
            "x_beta",
            "--secret-stdin",
        ],
        &[],
        Some("\n"),
    )
    .fails(2, "stdin held no secret");
    assert!(!sb.config_text().contains("beta"));
}

#[test]
fn bad_arguments_exit_2_and_change_nothing() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let config = sb.config_text();
    let vault = sb.vault_bytes();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "add",
            "beta",
            "--subdomain",
            "beta",
            "--client-id",
            "zdauth_beta",
        ];
        args.extend_from_slice(extra);
        sb.run(&args)
    };
    for (run, words) in [
        (
            sb.run(&["add", "Bad Name", "--subdomain", "x", "--client-id", "y"]),
            "NAME: \"Bad Name\" is not a valid name",
        ),
        (
            sb.run(&[
                "add",
                "beta",
                "--subdomain",
                "evil.com/#",
                "--client-id",
                "y",
            ]),
            "--subdomain: \"evil.com/#\" is not a Zendesk subdomain",
        ),
        (
            sb.run(&["add", "beta", "--subdomain", "a@b", "--client-id", "y"]),
            "is not a Zendesk subdomain",
        ),
        (
            sb.run(&["add", "beta", "--subdomain", "beta", "--client-id", "12345"]),
            "numeric client id",
        ),
        (
            add(&["--scopes", "read chat:read"]),
            "--scopes: \"chat:read\" is not a support scope",
        ),
        (add(&["--kind", "voice"]), "--kind"),
        (
            add(&["--redirect-port", "80"]),
            "--redirect-port: 80 is not a usable port",
        ),
        (add(&["--redirect-port", "70000"]), "70000"),
        (add(&["--base-url", "http://example.com"]), "--base-url"),
        (
            add(&["--access-token-lifetime", "1m"]),
            "--access-token-lifetime",
        ),
        (
            add(&["--refresh-token-lifetime", "91d"]),
            "--refresh-token-lifetime",
        ),
        (sb.run(&["add", "beta"]), "--subdomain"),
        (sb.run(&["frobnicate"]), "unrecognized subcommand"),
    ] {
        assert_eq!(run.code, 2, "{words}: {}", run.stderr);
        assert!(
            run.stderr.contains(words),
            "want {words:?} in {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"));
    }
    sb.run(&["add", "acme", "--subdomain", "acme", "--client-id", "x"])
        .fails(1, "a connection named \"acme\" already exists");
    assert_eq!(sb.config_text(), config);
    assert_eq!(sb.vault_bytes(), vault);
}

#[test]
fn a_broken_config_is_reported_with_its_line() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let config = sb.paths().config();
    let broken = format!(
        "{}\n[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"c\"\ncolour = \"red\"\n",
        sb.config_text()
    );
    std::fs::write(&config, &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.starts_with("colour"))
        .unwrap()
        + 1;
    sb.run(&["list"])
        .fails(1, &format!("config.toml:{line}: unknown field `colour`"));
    sb.run(&["add", "beta", "--subdomain", "beta", "--client-id", "c"])
        .fails(1, "unknown field");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), broken);
}

#[test]
fn commands_before_init_say_to_run_init() {
    let sb = Sandbox::new();
    sb.run(&["list"]).fails(1, "run `zdauth init`");
    sb.run(&["add", "acme", "--subdomain", "acme", "--client-id", "c"])
        .fails(1, "run `zdauth init`");
}

#[test]
fn loose_permissions_are_fixed_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let vault = sb.paths().vault();
    std::fs::set_permissions(&vault, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(sb.dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = sb.run(&["list"]).success();
    assert!(
        run.stderr.contains("warning:") && run.stderr.contains("vault.age was mode 644"),
        "{}",
        run.stderr
    );
    assert_eq!(mode(&vault), 0o600);
    assert_eq!(mode(&sb.dir()), 0o700);
}

#[test]
fn help_documents_exit_codes_and_completions_generate() {
    let sb = Sandbox::new();
    let help = sb.run(&["--help"]).success();
    assert!(help.stdout.contains("6  vault locked"), "{}", help.stdout);
    let status_help = sb.run(&["status", "--help"]).success();
    assert!(
        status_help.stdout.contains("4  access token expired"),
        "{}",
        status_help.stdout
    );
    for shell in ["bash", "zsh", "fish"] {
        let script = sb.run(&["completions", shell]).success();
        // Dynamic: the script calls the binary back on each Tab (tests/completion.rs).
        assert!(script.stdout.contains("COMPLETE"), "{shell}");
    }
    sb.run(&["completions", "tcsh"])
        .code
        .eq(&2)
        .then_some(())
        .expect("tcsh is no clap shell");
}

trait Quietly {
    fn fails_quietly(self, code: i32);
}

impl Quietly for common::Run {
    /// A status that is not an error: the exit code speaks, stderr stays empty.
    fn fails_quietly(self, code: i32) {
        assert_eq!(self.code, code, "{}{}", self.stdout, self.stderr);
        assert!(self.stderr.is_empty(), "{}", self.stderr);
    }
}

/// `zdauth ARGS | head -0`: stdout is a pipe whose reader is gone before anything is written.
fn into_a_closed_pipe(sb: &Sandbox, args: &[&str]) -> (i32, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = sb.zdauth(args);
    command.stdout(writer).stderr(std::process::Stdio::piped());
    let output = command.spawn().unwrap().wait_with_output().unwrap();
    let code = output.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_closed_stdout_ends_every_printing_command_quietly_with_141() {
    let w = common::world::World::new(|_| {});
    w.seed();
    let before = w.stored_refresh();
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["status", "acme"],
        &["token", "acme"],
        &["export", "acme", "--format", "json"],
        &["refresh", "acme"],
        &["whoami", "acme"],
        &["completions", "bash"],
        &["--help"],
        &[
            "add",
            "beta",
            "--subdomain",
            "beta",
            "--client-id",
            "zdauth_test",
        ],
        &["remove", "beta"],
    ] {
        let (code, stderr) = into_a_closed_pipe(&w.sb, args);
        assert_eq!(code, 141, "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?} said: {stderr}");
    }
    // The work was done before the output was lost: the refresh is stored, the add and
    // remove happened.
    assert_ne!(w.stored_refresh(), before);
    assert!(!w.sb.config_text().contains("beta"));
    assert_eq!(w.fake.counters().reuse_detections, 0);
}
