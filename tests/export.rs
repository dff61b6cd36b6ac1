//! `export` and `exec`: exact output for scripts, shell quoting that survives a real shell,
//! the exit codes, and a command run with the token in its environment only.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::world::World;
use rustix::process::{Pid, Signal, kill_process};
use zdauth::cli::ExportFormat;

#[test]
fn header_env_json_and_curl_print_exactly_the_requested_output() {
    let w = World::new(|_| {});
    let issued = w.seed();
    let token = &issued.access_token;
    let run = |format: &str| w.sb.run(&["export", "acme", "--format", format]).success();

    let header = run("header");
    assert_eq!(header.stdout, format!("Authorization: Bearer {token}\n"));
    assert_eq!(header.stderr, "");

    let env = run("env");
    assert_eq!(
        env.stdout,
        format!("export ZENDESK_SUBDOMAIN=acme\nexport ZENDESK_OAUTH_TOKEN={token}\n")
    );

    let json: serde_json::Value = serde_json::from_str(&run("json").stdout).unwrap();
    let stored = w.stored().tokens.unwrap();
    assert_eq!(json["name"], "acme");
    assert_eq!(json["subdomain"], "acme");
    assert_eq!(json["access_token"], token.as_str());
    assert_eq!(json["token_type"], stored.token_type);
    assert_eq!(json["scopes"], serde_json::json!(["read", "write"]));
    let expires: jiff::Timestamp = json["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(Some(expires), stored.expires_at);
    assert_eq!(json.as_object().unwrap().len(), 6);

    // The connection has a base_url (the fake), so curl goes there, not to zendesk.com.
    let curl = run("curl");
    assert_eq!(
        curl.stdout,
        format!(
            "curl -H 'Authorization: Bearer {token}' {}/api/v2/users/me.json\n",
            w.fake.base_url().trim_end_matches('/')
        )
    );
}

#[test]
fn the_curl_line_runs_against_the_server_as_printed() {
    let w = World::new(|_| {});
    w.seed();
    let curl = w.sb.run(&["export", "acme", "--format", "curl"]).success();
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("{} -sS --fail", curl.stdout.trim_end())])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let me: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(me["user"]["id"].is_number(), "{me}");
}

#[test]
fn odd_characters_are_quoted_so_a_shell_reads_them_back_unchanged() {
    // The binary never exports such a token: it is no plain RFC 6750 token, so it is refreshed
    // first (below, and tests/server_text.rs). The quoting stays as a second guard.
    let w = World::new(|_| {});
    let odd = "it's a \"$tok\" `x` \\ & ; *";
    w.seed();
    w.set_access(odd);
    let tokens = w.stored().tokens.unwrap();
    let render = |format| zdauth::cli::export::render(&w.connection(), &tokens, format);
    let env = render(ExportFormat::Env);
    assert_eq!(
        env,
        "export ZENDESK_SUBDOMAIN=acme\nexport ZENDESK_OAUTH_TOKEN='it'\\''s a \"$tok\" `x` \\ & ; *'\n"
    );
    let shell = std::process::Command::new("sh")
        .args(["-c", &format!("{env}printf %s \"$ZENDESK_OAUTH_TOKEN\"")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(shell.stdout).unwrap(), odd);

    let curl = render(ExportFormat::Curl);
    assert!(
        curl.starts_with("curl -H 'Authorization: Bearer it'\\''s a \"$tok\" `x` \\ & ; *' "),
        "{curl}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(ExportFormat::Json)).unwrap();
    assert_eq!(json["access_token"], odd);

    let exported = w.sb.run(&["export", "acme", "--format", "env"]).success();
    assert!(!exported.stdout.contains("it'"), "{}", exported.stdout);
    assert_ne!(w.stored_access(), odd, "refreshed instead");
}

#[test]
fn export_refreshes_inside_the_margin_first() {
    let w = World::new(|_| {});
    let issued = w.seed();
    // 4 of its 30 minutes left: inside the default 5-minute margin.
    w.age_pair(26 * 60);
    let header =
        w.sb.run(&["export", "acme", "--format", "header"])
            .success();
    assert_ne!(
        header.stdout,
        format!("Authorization: Bearer {}\n", issued.access_token)
    );
    assert_eq!(
        header.stdout,
        format!("Authorization: Bearer {}\n", w.stored_access())
    );
}

#[test]
fn export_and_exec_fail_with_their_codes_and_print_nothing_on_stdout() {
    let w = World::new(|_| {});
    // No tokens yet: a login is required.
    let run = w.sb.run(&["export", "acme", "--format", "env"]);
    assert_eq!(run.stdout, "");
    run.fails(5, "zdauth login acme");
    let run = w.sb.run(&["exec", "acme", "--", "sh", "-c", "echo ran"]);
    assert_eq!(run.stdout, "");
    run.fails(5, "zdauth login acme");
    w.sb.run(&["export", "nope", "--format", "env"])
        .fails(1, "no connection named");
    let bad = w.sb.run(&["export", "acme", "--format", "yaml"]);
    assert_eq!(bad.code, 2);
    w.sb.run(&[
        "add",
        "zopim",
        "--subdomain",
        "zopim",
        "--client-id",
        "x",
        "--kind",
        "chat",
        "--scopes",
        "read chat",
    ])
    .success();
    w.sb.run(&["export", "zopim", "--format", "curl"])
        .fails(2, "no users/me: use --format header");
    let bare = w.sb.run(&["exec", "acme", "sh"]);
    assert_eq!(bare.code, 2, "CMD goes after --: {}", bare.stderr);
}

#[test]
fn exec_sets_the_variables_and_passes_the_exit_code_through() {
    let w = World::new(|_| {});
    let issued = w.seed();
    let script = "printf '%s|%s|%s' \"$ZENDESK_SUBDOMAIN\" \"$ZENDESK_OAUTH_TOKEN\" \"$ZENDESK_URL\"; exit 42";
    let run = w.sb.run(&["exec", "acme", "--", "sh", "-c", script]);
    assert_eq!(run.code, 42, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "acme|{}|{}",
            issued.access_token,
            w.fake.base_url().trim_end_matches('/')
        )
    );
    // The passphrases zdauth may read from the environment never reach CMD.
    let run = w.sb.run_with(
        &["exec", "acme", "--", "sh", "-c", "env"],
        &[
            ("ZDAUTH_PASSPHRASE", "pass-SECRET"),
            ("ZDAUTH_NEW_PASSPHRASE", "new-SECRET"),
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("ZENDESK_OAUTH_TOKEN="),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("SECRET"), "{}", run.stdout);
    // Killed by a signal: 128+N, as a shell reports it.
    let run =
        w.sb.run(&["exec", "acme", "--", "sh", "-c", "kill -KILL $$"]);
    assert_eq!(run.code, 128 + 9);
    let run = w.sb.run(&["exec", "acme", "--", "no-such-command-zdauth"]);
    assert_eq!(run.code, 127);
    assert!(run.stderr.contains("command not found"), "{}", run.stderr);
    let run = w.sb.run(&["exec", "acme", "--", "/dev/null"]);
    assert_eq!(run.code, 126, "{}", run.stderr);
}

#[test]
fn exec_delivers_sigterm_and_sigint_to_cmd_and_keeps_the_token_off_every_argv() {
    let w = World::new(|_| {});
    let issued = w.seed();
    for (signal, name) in [(Signal::TERM, "TERM"), (Signal::INT, "INT")] {
        let script = format!(
            "trap 'echo got-{name}; exit 3' {name}; echo ready $$; while :; do sleep 0.05; done"
        );
        let mut child =
            w.sb.zdauth(&["exec", "acme", "--", "sh", "-c", &script])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        // zdauth became CMD: the signal reaches it directly, once.
        assert_eq!(line, format!("ready {}\n", child.id()));
        for pid in family(child.id()) {
            let argv = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let argv = String::from_utf8_lossy(&argv);
            assert!(
                !argv.contains(&issued.access_token),
                "token on argv of {pid}"
            );
        }
        kill_process(Pid::from_child(&child), signal).unwrap();
        line.clear();
        out.read_line(&mut line).unwrap();
        assert_eq!(line, format!("got-{name}\n"));
        assert_eq!(child.wait().unwrap().code(), Some(3));
    }
}

/// `pid` and its descendants, from /proc.
fn family(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut at = 0;
    while at < all.len() {
        let parent = all[at];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap_or_default();
            // The field after the parenthesised name: state, then the parent pid.
            let its_parent = stat
                .rsplit_once(") ")
                .and_then(|(_, rest)| rest.split(' ').nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if its_parent == Some(parent) && !all.contains(&child) {
                all.push(child);
            }
        }
        at += 1;
    }
    all
}
