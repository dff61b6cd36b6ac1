//! Issue 11's small things, through the real binary: a log that cannot be written stays off
//! the terminal, an I/O error names its path once, a hint names the real connection, and a
//! pasted value is quoted by its start only.

use crate::common;

use std::fs;

use common::Sandbox;
use common::bounded::Limits;
use common::world::World;

#[test]
fn a_log_that_cannot_be_written_never_reaches_stderr() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let log = sb.dir().join("zdauth.log");
    fs::write(&log, "x".repeat(4096)).unwrap();
    fs::set_permissions(&log, fs::Permissions::from_mode(0o600)).unwrap();
    // Every append past 4096 bytes fails (EFBIG), as on a full disk.
    let run = sb.run_bounded(
        &["--verbose", "list"],
        &[],
        Limits {
            file_size: Some(4096),
        },
    );
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert!(run.stdout.contains("acme"), "{}", run.stdout);
    assert_eq!(run.stderr, "", "the log's failure reached the terminal");
    assert_eq!(fs::metadata(&log).unwrap().len(), 4096);
}

#[test]
fn an_io_error_names_its_path_once() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let before = sb.config_text();
    let run = sb.run_bounded(
        &[
            "add",
            "acme",
            "--subdomain",
            "acme",
            "--client-id",
            "zdauth_test",
        ],
        &[],
        Limits {
            file_size: Some(64),
        },
    );
    let run = run.fails(1, "File too large");
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches(".config.toml.tmp").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(" at path "), "{}", run.stderr);
    assert_eq!(sb.config_text(), before, "config.toml changed");
    assert!(sb.temp_files().is_empty(), "{:?}", sb.temp_files());
}

#[test]
fn a_hint_names_the_connection_it_is_about() {
    // A code that is expired when it is exchanged: Zendesk answers invalid_grant.
    let w = World::new(|options| options.code_lifetime = std::time::Duration::ZERO);
    let browser = w.browser();
    let run = w.sb.run_with(
        &["login", "acme", "--timeout", "30s"],
        &[("BROWSER", &browser)],
        None,
    );
    let run = run.fails_at_end(7, "invalid_grant");
    assert!(run.stderr.contains("`zdauth login acme`"), "{}", run.stderr);
    assert!(!run.stderr.contains("NAME"), "{}", run.stderr);
}

#[test]
fn a_pasted_value_is_quoted_by_its_start_only() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    // One argument may hold 128 KiB on Linux.
    let pasted = format!("\u{1b}]52;c;{}", "a".repeat(100_000));
    let as_subdomain = [
        "add",
        "acme",
        "--subdomain",
        &pasted,
        "--client-id",
        "zdauth_test",
    ];
    let as_name = [
        "add",
        &pasted,
        "--subdomain",
        "acme",
        "--client-id",
        "zdauth_test",
    ];
    for args in [as_subdomain, as_name] {
        let run = sb.run(&args);
        assert_eq!(run.code, 2, "{}", &run.stderr[..run.stderr.len().min(400)]);
        assert!(run.stderr.len() < 400, "{} bytes", run.stderr.len());
        assert!(run.stderr.contains("\"\\u{1b}]52;c;aaa"), "{}", run.stderr);
        assert!(run.stderr.contains("aaa…\""), "{}", run.stderr);
        assert!(!run.stderr.contains('\u{1b}'));
    }
    let run = sb.run(&["status", &pasted]);
    assert!(run.stderr.len() < 400, "{} bytes", run.stderr.len());
}
