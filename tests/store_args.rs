//! `zdauth store …` and `--store-secret-id-stdin` before any store answers: what is refused
//! as a usage error (exit 2, one line, nothing written), and a store that cannot be reached
//! (exit 7, one line naming it). The suites against a real OpenBao are in tests/store/.

use crate::common::Sandbox;

const NO_STORE: &str = "no [store] in config.toml: add one (see README \"Sharing with a team\")";

fn with_connection() -> Sandbox {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    sb
}

/// A `[store]` at a loopback port nothing listens on.
fn with_unreachable_store() -> Sandbox {
    let sb = with_connection();
    let config = format!(
        "{}\n[store]\naddress = \"http://127.0.0.1:1\"\n",
        sb.config_text()
    );
    std::fs::write(sb.paths().config(), config).unwrap();
    sb
}

#[test]
fn store_commands_without_a_store_say_how_to_add_one() {
    let sb = with_connection();
    let (config, vault) = (sb.config_text(), sb.vault_bytes());
    for args in [
        &["store", "list"][..],
        &["store", "list", "--format", "toml"],
        &["store", "rekey"],
        &["store", "migrate"],
        &["store", "migrate", "--to-local", "acme"],
    ] {
        sb.run(args).fails(2, NO_STORE);
    }
    assert_eq!(sb.config_text(), config);
    assert_eq!(sb.vault_bytes(), vault);
}

#[test]
fn store_argument_errors_are_usage_errors() {
    let sb = with_connection();
    for (args, words) in [
        (&["store"][..], "Usage"),
        (&["store", "list", "--format", "yaml"], "--format"),
        (&["store", "rekey", "acme"], "unexpected argument"),
        (&["store", "frobnicate"], "unrecognized subcommand"),
        (&["store", "list", "--to-local"], "--to-local"),
    ] {
        let run = sb.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn the_secret_id_flag_needs_a_store_and_a_line_on_stdin() {
    let sb = with_connection();
    let secret = "5e4b1c2a-0000-4000-8000-secretid";
    let run = sb.run_with(
        &["--store-secret-id-stdin", "list"],
        &[],
        Some(&format!("{secret}\n")),
    );
    let run = run.fails(2, "--store-secret-id-stdin: no [store] in config.toml");
    assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    for stdin in ["", "\n", "two words\n"] {
        sb.run_with(&["list", "--store-secret-id-stdin"], &[], Some(stdin))
            .fails(2, "--store-secret-id-stdin: ");
    }
    // With a store but no role_id there is no AppRole login to give it to.
    let sb = with_unreachable_store();
    sb.run_with(
        &["--store-secret-id-stdin", "token", "acme"],
        &[],
        Some("id\n"),
    )
    .fails(2, "role_id");
}

#[test]
fn an_unreachable_store_is_exit_7_naming_it() {
    let sb = with_unreachable_store();
    for args in [
        &["store", "list"][..],
        &["store", "rekey"],
        &["token", "acme"],
        &["list"],
    ] {
        let run = sb.run_with(args, &[("BAO_TOKEN", "s.not-a-real-token")], None);
        let run = run.fails(7, "openbao at http://127.0.0.1:1");
        assert!(!run.stderr.contains("s.not-a-real-token"), "{}", run.stderr);
    }
    sb.run(&["store", "migrate", "nosuch"]).fails(2, "nosuch");
}
