//! `zdauth remove` (and the TUI's `d`, which runs the same engine step) on a config dir that
//! is a small tmpfs filled up: the step that cannot be written fails for real, and nothing
//! is lost. config.toml goes first, then the vault entry.

use crate::common;

use common::tmpfs::Tmpfs;
use common::{Sandbox, tokens};

/// A config dir that is a small tmpfs (root only), unmounted on drop.
struct SmallDisk {
    sb: Sandbox,
    disk: Tmpfs,
}

impl SmallDisk {
    fn new() -> Option<Self> {
        let sb = Sandbox::new();
        std::fs::create_dir(sb.dir()).unwrap();
        let disk = Tmpfs::over(&sb.dir(), "size=2m,mode=0700")?;
        Some(Self { sb, disk })
    }

    fn fill_leaving(&self, free: u64) {
        self.disk.fill_leaving(free);
    }

    fn empty(&self) {
        self.disk.empty();
    }
}

/// acme with a stored pair, and beside it `ballast` bytes in the vault or config.toml.
fn with_acme(disk: &SmallDisk, vault_ballast: usize, config_ballast: usize) -> String {
    let sb = &disk.sb;
    sb.init_with_identity_file();
    sb.add("acme");
    sb.add("other");
    let padding = "x".repeat(vault_ballast);
    sb.vault()
        .update(|data| {
            data.connections
                .insert("acme".into(), tokens(1800, Some(86_400)));
            let other = data.connections.entry("other".into()).or_default();
            other.last_error = Some(padding);
        })
        .unwrap();
    let mut config = sb.config_text();
    config.push_str("\n# ");
    config.push_str(&"y".repeat(config_ballast));
    config.push('\n');
    std::fs::write(sb.paths().config(), config).unwrap();
    refresh_token_of_acme(sb).expect("stored")
}

fn refresh_token_of_acme(sb: &Sandbox) -> Option<String> {
    let entry = sb.vault().load().unwrap().connections.remove("acme")?;
    Some(entry.tokens?.refresh_token?.expose().to_owned())
}

fn acme_in_config(sb: &Sandbox) -> bool {
    sb.config_text().lines().any(|l| l == "name = \"acme\"")
}

#[test]
fn a_config_save_that_fails_leaves_the_connection_and_its_tokens() {
    let Some(disk) = SmallDisk::new() else { return };
    let sb = &disk.sb;
    // config.toml is the big file: its save is the step that cannot fit.
    let refresh = with_acme(&disk, 0, 600_000);
    disk.fill_leaving(64 * 1024);
    let run = sb.run(&["remove", "acme"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("No space left"), "{}", run.stderr);
    assert!(acme_in_config(sb), "config.toml unchanged");
    assert_eq!(refresh_token_of_acme(sb), Some(refresh), "tokens kept");
    assert!(sb.temp_files().is_empty(), "{:?}", sb.temp_files());

    disk.empty();
    sb.run(&["remove", "acme"]).success();
    assert!(!acme_in_config(sb));
    assert_eq!(refresh_token_of_acme(sb), None);
}

#[test]
fn a_vault_step_that_fails_keeps_the_tokens_and_a_later_remove_deletes_them() {
    let Some(disk) = SmallDisk::new() else { return };
    let sb = &disk.sb;
    // The vault is the big file: config.toml is saved, the vault step cannot fit.
    let refresh = with_acme(&disk, 600_000, 0);
    disk.fill_leaving(64 * 1024);
    let run = sb.run(&["remove", "acme"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let last = run.stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "zdauth: removed acme from config.toml, but its entry in vault.age could not be deleted"
        ),
        "{}",
        run.stderr
    );
    assert!(last.contains("No space left"), "{last}");
    assert!(
        last.ends_with("run `zdauth remove acme` again to delete them"),
        "{last}"
    );
    assert!(!acme_in_config(sb), "config.toml went first");
    assert_eq!(refresh_token_of_acme(sb), Some(refresh), "tokens kept");
    // The leftover entry is nobody's: acme is unknown to every other command.
    sb.run(&["status", "acme"])
        .fails(1, "no connection named \"acme\"");

    disk.empty();
    let again = sb.run(&["remove", "acme"]).success();
    assert!(
        again
            .stdout
            .contains("deleted the tokens acme left in vault.age"),
        "{}",
        again.stdout
    );
    assert_eq!(refresh_token_of_acme(sb), None);
    sb.run(&["remove", "acme"])
        .fails(1, "no connection named \"acme\"");
    assert!(sb.temp_files().is_empty(), "{:?}", sb.temp_files());
}

#[test]
fn in_the_tui_d_whose_vault_step_fails_keeps_the_tokens_and_says_how_to_delete_them() {
    let Some(tmux) = common::tmux::tmux("remove-full") else {
        return;
    };
    let Some(disk) = SmallDisk::new() else { return };
    let sb = &disk.sb;
    let refresh = with_acme(&disk, 600_000, 0);
    tmux.start(sb, "env -u NO_COLOR", "");
    tmux.wait_for("other");
    disk.fill_leaving(64 * 1024);
    // acme sorts first, so it is selected.
    tmux.keys(&["d"]);
    tmux.wait_for("delete acme?");
    tmux.keys(&["l"]);
    tmux.wait_for("deleted acme from config.toml, but its tokens stay in vault.age");
    assert!(!acme_in_config(sb), "config.toml went first");
    assert_eq!(refresh_token_of_acme(sb), Some(refresh), "tokens kept");
    disk.empty();
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
    let again = sb.run(&["remove", "acme"]).success();
    assert!(
        again.stdout.contains("deleted the tokens acme left"),
        "{}",
        again.stdout
    );
    assert_eq!(refresh_token_of_acme(sb), None);
}

#[test]
fn in_the_tui_d_whose_config_save_fails_deletes_nothing() {
    let Some(tmux) = common::tmux::tmux("remove-config-full") else {
        return;
    };
    let Some(disk) = SmallDisk::new() else { return };
    let sb = &disk.sb;
    let refresh = with_acme(&disk, 0, 600_000);
    tmux.start(sb, "env -u NO_COLOR", "");
    tmux.wait_for("other");
    disk.fill_leaving(64 * 1024);
    tmux.keys(&["d"]);
    tmux.wait_for("delete acme?");
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("deleting acme failed (d tries again)");
    assert!(screen.contains("acme "), "the row stays:\n{screen}");
    assert!(acme_in_config(sb));
    assert_eq!(refresh_token_of_acme(sb), Some(refresh), "tokens kept");
    disk.empty();
    tmux.keys(&["q"]);
    tmux.wait_for("EXIT=0");
}
