//! Checklist item 29, second half: what users/me says (name, email, role) and what an error
//! text says reaches no terminal with an escape sequence, a control character or a bidi
//! override in it: not from `login`, `whoami`, `status`, `list`, `list --json`, nor the TUI,
//! whether the text comes fresh from the server or from a vault that stored it raw.

use crate::common;

use common::tmux::tmux;
use common::world::World;
use zdauth_core::vault::User;
use zdauth_fake::FakeUser;

/// What `FakeUser::with_terminal_tricks` reads as once cleaned.
const NAME: &str = "Eve nimdA Evil";
const EMAIL: &str = "eve@acme.test";
const ROLE: &str = "admin";

fn tricky_world() -> World {
    World::new(|options| options.user = FakeUser::with_terminal_tricks())
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || is_bidi(c))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text:?}");
    assert!(
        !text.contains("]52;") && !text.contains("[2J"),
        "{what}: {text:?}"
    );
}

#[track_caller]
fn assert_run_clean(what: &str, run: &common::Run) {
    assert_clean(&format!("{what} stdout"), &run.stdout);
    assert_clean(&format!("{what} stderr"), &run.stderr);
}

/// A vault written before zdauth cleaned users/me on arrival holds the raw text.
fn store_raw_user_and_error(w: &World) {
    let raw = FakeUser::with_terminal_tricks();
    let lock = w.sb.vault().lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.user = Some(User {
        id: raw.id,
        name: raw.name,
        email: raw.email,
        role: raw.role,
    });
    let tokens = entry.tokens.as_mut().unwrap();
    tokens.scopes = vec![
        "read\u{1b}]52;c;cHduZWQ=\u{7}".into(),
        "wr\u{202e}ite".into(),
    ];
    tokens.token_type = "bearer\u{1b}[31m".into();
    entry.last_error = Some("denied\u{1b}]52;c;cHduZWQ=\u{7} by \u{202e}yxorp\u{202c}".into());
    lock.persist(entry).unwrap();
}

#[test]
fn item_29_login_and_whoami_print_a_hostile_user_cleaned() {
    let w = tricky_world();
    let browser = w.browser();
    let login =
        w.sb.run_with(
            &["login", "acme", "--timeout", "30s"],
            &[("BROWSER", &browser)],
            None,
        )
        .success();
    assert_run_clean("login", &login);
    assert!(
        login.stderr.contains(&format!("as {NAME} <{EMAIL}>")),
        "{}",
        login.stderr
    );
    // Cleaned on arrival: the vault holds no escape code either.
    let stored = w.stored().user.unwrap();
    assert_eq!((stored.name.as_str(), stored.email.as_str()), (NAME, EMAIL));

    let whoami = w.sb.run(&["whoami", "acme"]).success();
    assert_run_clean("whoami", &whoami);
    assert_eq!(
        whoami.stdout.trim_end(),
        format!("{NAME} <{EMAIL}>, {ROLE} (user id 1002)")
    );
}

#[test]
fn item_29_status_and_list_clean_raw_text_an_older_vault_holds() {
    let w = tricky_world();
    w.seed();
    store_raw_user_and_error(&w);

    let status = w.sb.run(&["status", "acme"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert_run_clean("status", &status);
    assert!(
        status.stdout.contains(&format!("{NAME} <{EMAIL}>, {ROLE}")),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("scopes:         read write\n"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("denied by yxorp"),
        "{}",
        status.stdout
    );

    let list = w.sb.run(&["list"]).success();
    assert_run_clean("list", &list);
    assert!(list.stdout.contains(EMAIL), "{}", list.stdout);

    // JSON escapes C0 controls itself, but not DEL, C1 or bidi: the same cleaning applies.
    let json = w.sb.run(&["list", "--json"]).success();
    assert_run_clean("list --json", &json);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let user = &rows[0]["user"];
    assert_eq!(user["name"], NAME);
    assert_eq!(user["email"], EMAIL);
    assert_eq!(user["role"], ROLE);
    assert_eq!(rows[0]["scopes"], serde_json::json!(["read", "write"]));
    assert!(
        !json.stdout.contains("\\u001b") && !json.stdout.contains("\\u0007"),
        "{}",
        json.stdout
    );
}

#[test]
fn item_29_the_tui_draws_a_hostile_user_and_error_cleaned() {
    let Some(tmux) = tmux("server-text") else {
        return;
    };
    let w = tricky_world();
    w.seed();
    store_raw_user_and_error(&w);
    tmux.start(&w.sb, "env -u NO_COLOR", "");
    let screen = tmux.wait_for(EMAIL);
    assert_clean("the TUI", &screen);
    // The detail pane shows the stored error; what tmux holds, escapes and all, has no OSC
    // and no bidi control from the server.
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("denied by yxorp");
    assert_clean("the TUI", &screen);
    let raw = tmux.run(&["capture-pane", "-p", "-e", "-t", "t"]);
    assert!(
        !raw.contains("\u{1b}]"),
        "an OSC reached the terminal: {raw:?}"
    );
    assert!(
        !raw.chars().any(is_bidi),
        "a bidi control reached the terminal"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}

#[test]
fn item_29_a_huge_user_name_is_cut_on_arrival() {
    let w = World::new(|options| options.user.name = "A".repeat(200 * 1024));
    w.login().success();
    assert!(w.stored().user.unwrap().name.len() <= 254);
    let whoami = w.sb.run(&["whoami", "acme"]).success();
    assert!(whoami.stdout.len() < 400, "{} bytes", whoami.stdout.len());
}

#[test]
fn item_29_an_unfit_access_token_an_older_vault_holds_is_refreshed_not_printed() {
    for unfit in ["tok\u{1b}]52;c;cHduZWQ=\u{7}en", "tok\r\nX-Evil: 1", ""] {
        let w = World::new(|_| {});
        let issued = w.seed();
        w.set_access(unfit);
        for args in [["token", "acme"], ["export", "acme"]] {
            let mut args = args.to_vec();
            if args[0] == "export" {
                args.extend(["--format", "header"]);
            }
            let run = w.sb.run(&args).success();
            assert!(!run.stdout.contains(unfit) || unfit.is_empty(), "{args:?}");
            assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\r'));
        }
        let printed = w.sb.run(&["token", "acme"]).success().stdout;
        assert!(
            zdauth_core::zendesk::is_plain_token(printed.trim_end()),
            "{printed:?}"
        );
        assert_ne!(w.stored_refresh(), issued.refresh_token, "refreshed");
    }
}
