//! identity.age through the real binary: `init` seals it at the configured work factor and
//! never swaps it, a wrong passphrase changes nothing, `passwd` reseals the same identity,
//! and work factors beyond the limit are refused before any scrypt runs.

use crate::common;

use std::io::Read;
use std::iter;

use age::secrecy::SecretString;
use common::{PASSPHRASE, Sandbox, mode};

/// A config dir set up with a sealed identity at the lowest work factor, through the same
/// setting users have.
fn sealed_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.dir()).unwrap();
    std::fs::write(sb.paths().config(), "[settings]\nkdf_work_factor = 10\n").unwrap();
    let run = sb
        .run_with(&["init"], &[("ZDAUTH_PASSPHRASE", PASSPHRASE)], None)
        .success();
    assert!(
        run.stdout.contains("scrypt work factor 10"),
        "{}",
        run.stdout
    );
    sb
}

fn with_passphrase(passphrase: &str) -> [(&'static str, &str); 1] {
    [("ZDAUTH_PASSPHRASE", passphrase)]
}

/// What someone with only the age crate and the passphrase can do.
fn outsider_unseal(sb: &Sandbox, passphrase: &str) -> Result<String, age::DecryptError> {
    let sealed = std::fs::read(sb.paths().identity()).unwrap();
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase));
    let mut reader =
        age::Decryptor::new(&sealed[..])?.decrypt(iter::once(&identity as &dyn age::Identity))?;
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    Ok(text)
}

fn outsider_open_vault(identity_text: &str, vault: &[u8]) -> serde_json::Value {
    let identity = identity_text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap()
        .parse::<age::x25519::Identity>()
        .unwrap();
    let plain = age::decrypt(&identity, vault).unwrap();
    serde_json::from_slice(&plain).unwrap()
}

#[test]
fn init_seals_the_identity_with_the_configured_work_factor() {
    let sb = sealed_sandbox();
    let identity = sb.paths().identity();
    assert_eq!(mode(&identity), 0o600);
    // The age header names the work factor in clear: "-> scrypt SALT 10".
    let sealed = std::fs::read(&identity).unwrap();
    let header = String::from_utf8_lossy(&sealed[..sealed.len().min(200)]).into_owned();
    let stanza = header
        .lines()
        .find(|l| l.starts_with("-> scrypt "))
        .unwrap();
    assert!(stanza.ends_with(" 10"), "{stanza}");

    let identity_text = outsider_unseal(&sb, PASSPHRASE).unwrap();
    let recipient = std::fs::read_to_string(sb.paths().recipient()).unwrap();
    let public = identity_text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap();
    assert!(recipient.contains(public), "{recipient} vs {public}");
    let json = outsider_open_vault(&identity_text, &sb.vault_bytes());
    assert_eq!(json, serde_json::json!({"version": 1, "connections": {}}));

    // A second init, with or without an identity file, keeps everything.
    let files = ["identity.age", "config.toml", "vault.age", "recipient.txt"];
    let snapshot = || files.map(|f| std::fs::read(sb.dir().join(f)).unwrap());
    let before = snapshot();
    sb.run_with(&["init"], &with_passphrase(PASSPHRASE), None)
        .fails(1, "never replaces an identity");
    let other = sb.temp.path().join("other.txt");
    std::fs::write(&other, age_keygen()).unwrap();
    sb.run(&["init", "--identity-file", other.to_str().unwrap()])
        .fails(1, "never replaces an identity");
    assert_eq!(snapshot(), before);
}

fn age_keygen() -> String {
    use age::secrecy::ExposeSecret;
    format!(
        "{}\n",
        age::x25519::Identity::generate()
            .to_string()
            .expose_secret()
    )
}

#[test]
fn init_never_swaps_the_identity_file_or_orphans_the_vault() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let files = ["config.toml", "vault.age", "recipient.txt"];
    let snapshot = || files.map(|f| std::fs::read(sb.dir().join(f)).unwrap());
    let before = snapshot();
    let other = sb.temp.path().join("other.txt");
    std::fs::write(&other, age_keygen()).unwrap();
    sb.run(&["init", "--identity-file", other.to_str().unwrap()])
        .fails(2, "is already configured");
    // Running init again with the same file is harmless.
    let same = sb.identity_file();
    sb.run(&["init", "--identity-file", same.to_str().unwrap()])
        .success();
    assert_eq!(snapshot(), before);

    // With the identity setting gone (e.g. a config rewritten by hand), a new identity would
    // orphan the vault: init refuses before writing anything.
    std::fs::write(sb.paths().config(), "").unwrap();
    let before = snapshot();
    sb.run_with(&["init"], &with_passphrase(PASSPHRASE), None)
        .fails(6, "move vault.age and recipient.txt aside");
    assert!(!sb.paths().identity().exists());
    assert_eq!(snapshot(), before);
}

#[test]
fn a_wrong_or_missing_passphrase_exits_6_and_changes_nothing() {
    let sb = sealed_sandbox();
    sb.add("acme");
    let vault = sb.vault_bytes();
    let identity = std::fs::read(sb.paths().identity()).unwrap();

    sb.run_with(&["list"], &with_passphrase("not the passphrase"), None)
        .fails(6, "wrong passphrase");
    sb.run_with(
        &["remove", "acme"],
        &with_passphrase("not the passphrase"),
        None,
    )
    .fails(6, "wrong passphrase");
    // No terminal (stdin is /dev/null and the test has no controlling tty) and no variable.
    sb.run(&["status", "acme"])
        .fails(6, "set ZDAUTH_PASSPHRASE");
    assert_eq!(sb.vault_bytes(), vault);
    assert_eq!(std::fs::read(sb.paths().identity()).unwrap(), identity);
    assert!(sb.config_text().contains("name = \"acme\""));

    let status = sb.run_with(&["status", "acme"], &with_passphrase(PASSPHRASE), None);
    assert_eq!(
        status.code, 5,
        "never logged in: {}{}",
        status.stdout, status.stderr
    );
    let run = sb
        .run_with(&["list", "--json"], &with_passphrase(PASSPHRASE), None)
        .success();
    assert!(run.stdout.contains("\"no_token\""));
}

#[test]
fn passwd_reseals_the_same_identity() {
    let sb = sealed_sandbox();
    let before = outsider_unseal(&sb, PASSPHRASE).unwrap();
    let vault = sb.vault_bytes();
    let new = "a much better passphrase";
    sb.run_with(
        &["passwd"],
        &[
            ("ZDAUTH_PASSPHRASE", PASSPHRASE),
            ("ZDAUTH_NEW_PASSPHRASE", "short"),
        ],
        None,
    )
    .fails(2, "shorter than 8");
    sb.run_with(
        &["passwd"],
        &[
            ("ZDAUTH_PASSPHRASE", "wrong one!"),
            ("ZDAUTH_NEW_PASSPHRASE", new),
        ],
        None,
    )
    .fails(6, "wrong passphrase");
    assert_eq!(outsider_unseal(&sb, PASSPHRASE).unwrap(), before);

    sb.run_with(
        &["passwd"],
        &[
            ("ZDAUTH_PASSPHRASE", PASSPHRASE),
            ("ZDAUTH_NEW_PASSPHRASE", new),
        ],
        None,
    )
    .success();
    assert!(outsider_unseal(&sb, PASSPHRASE).is_err());
    assert_eq!(outsider_unseal(&sb, new).unwrap(), before);
    assert_eq!(sb.vault_bytes(), vault, "passwd must not touch the vault");
    sb.run_with(&["list"], &with_passphrase(new), None)
        .success();
}

#[test]
fn passwd_refuses_a_plain_identity_file() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.run(&["passwd"]).fails(2, "has no passphrase");
}

#[test]
fn work_factors_above_22_are_refused_not_spent() {
    let sb = sealed_sandbox();
    sb.add("acme");
    // The work factor is the last word of the scrypt stanza and is read before any key is
    // derived: raising it to 23 must be refused at once (running it would take 8 GiB).
    let sealed = std::fs::read(sb.paths().identity()).unwrap();
    let text = String::from_utf8_lossy(&sealed).into_owned();
    let stanza = text.lines().find(|l| l.starts_with("-> scrypt ")).unwrap();
    let raised = stanza.strip_suffix(" 10").unwrap().to_owned() + " 23";
    let mut hostile = sealed.clone();
    let at = text.find(stanza).unwrap();
    hostile.splice(at..at + stanza.len(), raised.bytes());
    std::fs::write(sb.paths().identity(), &hostile).unwrap();
    sb.run_with(&["list"], &with_passphrase(PASSPHRASE), None)
        .fails(
            6,
            "asks for scrypt work factor 23, above zdauth's limit of 22",
        );
}

/// Names and contents of every entry in `dir`, for "left as it was"; the log, which records
/// the failure itself, aside.
fn snapshot_dir(dir: &std::path::Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != "zdauth.log")
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).ok(),
            )
        })
        .collect();
    entries.sort();
    entries
}

#[test]
fn init_creates_a_missing_identity_file_that_opens_the_vault() {
    let sb = Sandbox::new();
    let key = sb.identity_file();
    let key_arg = key.to_str().unwrap();
    let run = sb.run(&["init", "--identity-file", key_arg]).success();
    assert!(
        run.stdout.contains("created the identity file"),
        "{}",
        run.stdout
    );
    assert_eq!(mode(&key), 0o600);
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(
        sb.config_text()
            .contains(&format!("identity_file = {key_arg:?}"))
    );

    // The key is the vault's: zdauth hands out a stored token with it, and so would `age`.
    sb.add("acme");
    let lock = sb.vault().lock_connection("acme").unwrap();
    lock.persist(common::tokens(1800, Some(86_400))).unwrap();
    drop(lock);
    let token = sb.run(&["token", "acme"]).success();
    assert_eq!(token.stdout, "access-SECRET-abc\n");
    assert!(sb.run(&["list"]).success().stdout.contains("acme"));
    let json = outsider_open_vault(&text, &sb.vault_bytes());
    assert!(json["connections"]["acme"].is_object(), "{json}");

    // Once there, it is used as it is.
    let again = sb.run(&["init", "--identity-file", key_arg]).success();
    assert!(
        again.stdout.contains("using the identity file"),
        "{}",
        again.stdout
    );
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text);
}

#[test]
fn an_identity_file_in_a_missing_dir_is_refused_and_nothing_is_written() {
    let sb = Sandbox::new();
    let key = sb.temp.path().join("no-such-dir/key.txt");
    let key_arg = key.to_str().unwrap();
    sb.run(&["init", "--identity-file", key_arg])
        .fails(2, "no-such-dir does not exist; create it first");
    assert!(!sb.dir().exists(), "a config dir was made");
    assert!(!key.parent().unwrap().exists());

    // A config dir that is there already is left exactly as it was.
    // (Private modes, or every command's start-up check would tighten them first.)
    std::fs::create_dir(sb.dir()).unwrap();
    std::fs::write(sb.paths().config(), "[settings]\nkdf_work_factor = 10\n").unwrap();
    for (path, mode) in [(sb.dir(), 0o700), (sb.paths().config(), 0o600)] {
        std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    let before = snapshot_dir(&sb.dir());
    sb.run(&["init", "--identity-file", key_arg])
        .fails(2, "does not exist");
    assert_eq!(snapshot_dir(&sb.dir()), before);
}

#[test]
fn a_dangling_link_at_the_identity_path_is_refused() {
    let sb = Sandbox::new();
    let target = sb.temp.path().join("elsewhere.txt");
    let key = sb.identity_file();
    std::os::unix::fs::symlink(&target, &key).unwrap();
    sb.run(&["init", "--identity-file", key.to_str().unwrap()])
        .fails(2, "is a symbolic link to");
    assert!(!target.exists(), "the key was written through the link");
    assert!(
        std::fs::symlink_metadata(&key)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!sb.dir().exists(), "a config dir was made");
}

#[test]
fn a_failure_after_the_key_was_made_takes_it_back() {
    let sb = Sandbox::new();
    // The dir lock cannot be taken: init fails only after the key file was created.
    std::fs::create_dir(sb.dir()).unwrap();
    std::fs::create_dir(sb.paths().lock()).unwrap();
    let before = snapshot_dir(&sb.dir());
    let key = sb.identity_file();
    let run = sb.run(&["init", "--identity-file", key.to_str().unwrap()]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(!key.exists(), "the new key was left behind");
    assert_eq!(snapshot_dir(&sb.dir()), before);
}
