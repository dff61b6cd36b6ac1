//! vault.age on disk: real age encryption, real files, the real binary. The stock age tool
//! reads it; a damaged, newer or foreign vault is reported and never overwritten; every save
//! keeps the previous generation; a rescue file is a vault of its own.

use crate::common;

use common::{Sandbox, mode, tokens};
use zdauth_core::vault::{Keys, Vault, VaultData};

#[test]
fn the_stock_age_tool_decrypts_the_vault() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    sb.vault()
        .lock_connection("acme")
        .unwrap()
        .persist(tokens(1800, Some(86_400)))
        .unwrap();
    let age = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(sb.identity_file())
        .arg(sb.paths().vault())
        .output();
    let output = match age {
        Ok(output) => output,
        Err(_) if std::env::var_os("CI").is_none() => {
            eprintln!("the `age` tool is not installed (apt-get install age); .ci/run installs it");
            return;
        }
        Err(e) => panic!("CI must have the age tool: {e}"),
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["connections"]["acme"]["tokens"]["access_token"],
        "access-SECRET-abc"
    );
    assert_eq!(
        json["connections"]["acme"]["tokens"]["token_type"],
        "bearer"
    );
}

#[test]
fn a_damaged_vault_is_reported_and_never_overwritten() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let good = sb.vault_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() - 20].to_vec()),
        (
            "header only",
            good[..=good.iter().position(|b| *b == b'\n').unwrap()].to_vec(),
        ),
        ("garbage", b"this is not an age file\n".to_vec()),
        ("empty", Vec::new()),
        ("flipped byte", {
            let mut bytes = good.clone();
            let last = bytes.len() - 1;
            bytes[last] ^= 0x55;
            bytes
        }),
        (
            "not zdauth json",
            age::encrypt(&recipient(&sb), b"[1, 2, 3]").unwrap(),
        ),
    ];
    for (what, bytes) in cases {
        std::fs::write(sb.paths().vault(), &bytes).unwrap();
        sb.run(&["list"]).fails(1, "is damaged");
        add_with_secret(&sb).fails(1, "nothing was changed");
        sb.run(&["remove", "acme"]).fails(1, "is damaged");
        assert_eq!(sb.vault_bytes(), bytes, "{what}");
        assert!(sb.config_text().contains("name = \"acme\""), "{what}");
        assert!(!sb.config_text().contains("name = \"b\""), "{what}");
    }
    // With a backup present, the error points at it.
    std::fs::write(sb.paths().vault(), &good).unwrap();
    sb.vault().update(|_| ()).unwrap();
    std::fs::write(sb.paths().vault(), b"junk").unwrap();
    sb.run(&["list"]).fails(1, "vault.age.bak");
}

fn recipient(sb: &Sandbox) -> age::x25519::Recipient {
    sb.vault().keys().recipient().parse().unwrap()
}

#[test]
fn a_vault_from_a_newer_zdauth_is_read_but_never_written() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let newer = br#"{"version": 2, "connections": {}, "future": "field"}"#;
    let bytes = age::encrypt(&recipient(&sb), newer).unwrap();
    std::fs::write(sb.paths().vault(), &bytes).unwrap();
    sb.run(&["list"]).success();
    add_with_secret(&sb).fails(1, "upgrade zdauth");
    sb.run(&["remove", "acme"]).fails(1, "newer zdauth");
    assert_eq!(sb.vault_bytes(), bytes);
}

#[test]
fn a_vault_for_another_identity_exits_6() {
    use age::secrecy::ExposeSecret;
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let other = age::x25519::Identity::generate();
    let bytes = age::encrypt(&other.to_public(), br#"{"version":1}"#).unwrap();
    std::fs::write(sb.paths().vault(), &bytes).unwrap();
    sb.run(&["list"]).fails(6, "not encrypted to this identity");
    assert_eq!(sb.vault_bytes(), bytes);

    // And an identity that is not the recorded recipient is refused before anything is read.
    let key = sb.temp.path().join("other.txt");
    std::fs::write(&key, other.to_string().expose_secret()).unwrap();
    sb.run_with(
        &["list"],
        &[("ZDAUTH_IDENTITY_FILE", key.to_str().unwrap())],
        None,
    )
    .fails(6, "is not the one recorded");
    sb.run_with(
        &["list"],
        &[("ZDAUTH_IDENTITY_FILE", "/nonexistent/key.txt")],
        None,
    )
    .fails(6, "cannot read the identity file");
}

#[test]
fn every_save_keeps_the_previous_generation() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let vault = sb.vault();
    vault
        .lock_connection("one")
        .unwrap()
        .persist(tokens(60, None))
        .unwrap();
    let first = sb.vault_bytes();
    vault
        .lock_connection("two")
        .unwrap()
        .persist(tokens(60, None))
        .unwrap();
    assert_eq!(std::fs::read(sb.paths().vault_backup()).unwrap(), first);
    assert_eq!(mode(&sb.paths().vault_backup()), 0o600);
    let keys = Keys::from_identity_file(&sb.identity_file()).unwrap();
    let previous = VaultData::from_plaintext(&keys.decrypt(&first).unwrap()).unwrap();
    assert_eq!(previous.connections.keys().collect::<Vec<_>>(), ["one"]);
    let leftovers = sb.temp_files();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn debug_output_never_shows_secrets() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let vault: Vault = sb.vault();
    let mut entry = tokens(60, Some(600));
    entry.client_secret = Some(zdauth_core::secret::Secret::new("client-SECRET-q"));
    vault.lock_connection("a").unwrap().persist(entry).unwrap();
    let data = vault.load().unwrap();
    let debug = format!("{data:?} {vault:?} {:?}", vault.keys());
    assert!(!debug.contains("SECRET"), "{debug}");
    assert!(!debug.contains("AGE-SECRET-KEY"), "{debug}");
    assert!(debug.contains("[redacted]"));
}

#[test]
fn a_rescue_file_is_a_vault_holding_just_the_rescued_connection() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let vault = sb.vault();
    let path = vault
        .write_rescue("acme", &tokens(1800, Some(86_400)))
        .unwrap();
    assert_eq!(mode(&path), 0o600);
    let keys = Keys::from_identity_file(&sb.identity_file()).unwrap();
    let data =
        VaultData::from_plaintext(&keys.decrypt(&std::fs::read(&path).unwrap()).unwrap()).unwrap();
    assert_eq!(data.connections.keys().collect::<Vec<_>>(), ["acme"]);
    let stored = data.connections["acme"].tokens.as_ref().unwrap();
    assert_eq!(stored.access_token.expose(), "access-SECRET-abc");
}

/// `zdauth add b … --secret-stdin`: a command that must write the vault.
fn add_with_secret(sb: &Sandbox) -> common::Run {
    sb.run_with(
        &[
            "add",
            "b",
            "--subdomain",
            "b",
            "--client-id",
            "c",
            "--secret-stdin",
        ],
        &[],
        Some("x\n"),
    )
}
