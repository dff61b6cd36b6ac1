//! Checklist item 30 through the real binary: links, special files and files of other users
//! in zdauth's place, shared dirs, and files that are not what they seem. Tests run as root
//! here; every node they make is in their own temp dir.

use crate::common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;

use common::bounded::Limits;
use common::{Sandbox, mode};
use rustix::fs::{CWD, FileType, Mode, makedev, mkfifoat, mknodat};

const NOBODY: u32 = 65534;

fn mkfifo(path: &Path) {
    mkfifoat(CWD, path, Mode::from_raw_mode(0o644)).unwrap();
}

/// A character device like /dev/null (1, 3), made in the test's own dir.
fn mknod_null(path: &Path) {
    mknodat(
        CWD,
        path,
        FileType::CharacterDevice,
        Mode::from_raw_mode(0o666),
        makedev(1, 3),
    )
    .unwrap();
}

fn chown(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).unwrap();
}

fn full_mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_backup_linked_to_a_device_a_fifo_or_an_outside_file_is_refused_and_left_alone() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let outside = sb.temp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    let device = outside.join("null");
    mknod_null(&device);
    let fifo = outside.join("fifo");
    mkfifo(&fifo);
    let file = outside.join("notes.txt");
    fs::write(&file, "mine\n").unwrap();
    set_mode(&file, 0o644);

    let backup = sb.paths().vault_backup();
    for target in [&device, &fifo, &file] {
        let before = full_mode(target);
        let _ = fs::remove_file(&backup);
        symlink(target, &backup).unwrap();
        sb.run_bounded(&["list"], &[], Limits::default())
            .fails(1, "vault.age.bak is a symbolic link");
        assert_eq!(
            full_mode(target),
            before,
            "{} was changed",
            target.display()
        );
        assert!(
            fs::symlink_metadata(&backup)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine\n");
}

#[test]
fn special_files_and_files_of_another_user_in_the_config_dir_are_refused() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let backup = sb.paths().vault_backup();
    mknod_null(&backup);
    let made = full_mode(&backup);
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "vault.age.bak is a character device, not a regular file");
    assert_eq!(full_mode(&backup), made, "the node was changed");
    fs::remove_file(&backup).unwrap();

    let vault = sb.paths().vault();
    set_mode(&vault, 0o644);
    chown(&vault, NOBODY);
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "belongs to another user (uid 65534)");
    assert_eq!(mode(&vault), 0o644, "another user's file was changed");
    chown(&vault, 0);
    sb.run(&["list"]).success();
    assert_eq!(mode(&vault), 0o600, "the user's own file is tightened");
}

#[test]
fn a_shared_dir_or_another_users_dir_is_never_changed() {
    let sb = Sandbox::new();
    let shared = sb.dir();
    fs::create_dir(&shared).unwrap();
    set_mode(&shared, 0o1777);
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "run `zdauth init`");
    assert_eq!(full_mode(&shared), 0o1777, "mode or sticky bit changed");
    assert_eq!(
        fs::read_dir(&shared).unwrap().count(),
        0,
        "something was left"
    );

    let key = sb.identity_file();
    fs::write(&key, "AGE-SECRET-KEY-1\n").unwrap();
    let key = key.to_str().unwrap();
    sb.run_bounded(&["init", "--identity-file", key], &[], Limits::default())
        .fails(1, "is a shared directory");
    assert_eq!(full_mode(&shared), 0o1777);
    assert_eq!(
        fs::read_dir(&shared).unwrap().count(),
        0,
        "init wrote into it"
    );

    // Another user's dir that already holds a config: refused, not taken over.
    set_mode(&shared, 0o755);
    fs::write(shared.join("config.toml"), "").unwrap();
    chown(&shared, NOBODY);
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "belongs to another user (uid 65534)");
    assert_eq!(full_mode(&shared), 0o755);
    assert!(!shared.join("zdauth.log").exists());
}

#[test]
fn lock_and_log_files_never_lead_outside() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let outside = sb.temp.path().join("elsewhere");
    let paths = sb.paths();
    let log = sb.dir().join("zdauth.log");
    let _ = fs::remove_file(&log);

    let add = [
        "--verbose",
        "add",
        "zz",
        "--subdomain",
        "zz",
        "--client-id",
        "x_y",
    ];
    for link in [paths.lock(), log.clone()] {
        let _ = fs::remove_file(&link);
        symlink(&outside, &link).unwrap();
        let run = sb.run_bounded(&add, &[], Limits::default());
        run.fails(1, "is a symbolic link");
        assert!(!outside.exists(), "{} led outside", link.display());
        fs::remove_file(&link).unwrap();
    }

    sb.add("acme");
    let locks = sb.dir().join("locks");
    fs::create_dir_all(&locks).unwrap();
    set_mode(&locks, 0o700);
    symlink(&outside, paths.connection_lock("acme")).unwrap();
    sb.run_bounded(&["logout", "acme", "--local-only"], &[], Limits::default())
        .fails(1, "acme.lock is a symbolic link");
    assert!(!outside.exists(), "the connection lock led outside");

    fs::remove_dir_all(&locks).unwrap();
    fs::create_dir(&outside).unwrap();
    symlink(&outside, &locks).unwrap();
    sb.run_bounded(&["logout", "acme", "--local-only"], &[], Limits::default())
        .fails(1, "locks is a symbolic link");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn a_linked_config_toml_is_edited_where_it_points_and_stays_a_link() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let dotfiles = sb.temp.path().join("dotfiles");
    fs::create_dir(&dotfiles).unwrap();
    let real = dotfiles.join("zdauth.toml");
    let config = sb.paths().config();
    fs::rename(&config, &real).unwrap();
    symlink(&real, &config).unwrap();
    set_mode(&real, 0o644);
    // The repo's own files are not zdauth's to sweep, whatever their names.
    let theirs = dotfiles.join(".backup.tmp-notes");
    fs::write(&theirs, "theirs").unwrap();

    sb.add("acme");
    assert!(
        fs::symlink_metadata(&config)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = fs::read_to_string(&real).unwrap();
    assert!(text.contains("name = \"acme\""), "{text}");
    assert_eq!(mode(&real), 0o600, "written as zdauth writes its files");
    assert!(sb.temp_files().is_empty());
    assert_eq!(fs::read_to_string(&theirs).unwrap(), "theirs");
    let leftovers: Vec<_> = fs::read_dir(&dotfiles).unwrap().collect();
    assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    sb.run(&["list"]).success();
}

#[test]
fn a_linked_vault_is_saved_where_it_points_with_its_backup_beside_it() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let synced = sb.temp.path().join("synced");
    fs::create_dir(&synced).unwrap();
    let real = synced.join("work.age");
    let vault = sb.paths().vault();
    let _ = fs::remove_file(sb.dir().join("vault.age.bak"));
    fs::rename(&vault, &real).unwrap();
    symlink(&real, &vault).unwrap();
    let before = fs::read(&real).unwrap();
    // A loose target is reported, not chmodded through the link.
    set_mode(&real, 0o644);
    let run = sb.run(&["list"]).success();
    assert!(
        run.stderr.contains(
            "mode 644, readable by others; zdauth changes no mode through a link: run `chmod 600"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(mode(&real), 0o644);

    sb.run_with(
        &[
            "add",
            "beta",
            "--subdomain",
            "beta",
            "--client-id",
            "zdauth_test",
            "--secret-stdin",
        ],
        &[],
        Some("s3cret-value\n"),
    )
    .success();
    assert!(
        fs::symlink_metadata(&vault)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        !sb.dir().join("vault.age.bak").exists(),
        "the backup belongs beside the target"
    );
    assert_eq!(fs::read(synced.join("work.age.bak")).unwrap(), before);
    assert_eq!(mode(&real), 0o600);
    let data = sb.vault().load().unwrap();
    assert_eq!(
        data.connections["beta"]
            .client_secret
            .as_ref()
            .unwrap()
            .expose(),
        "s3cret-value"
    );
}

#[test]
fn an_identity_that_is_dev_zero_or_too_large_is_refused_at_once() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let zero_link = sb.temp.path().join("zero-key");
    symlink("/dev/zero", &zero_link).unwrap();
    let large = sb.temp.path().join("large-key");
    fs::write(&large, "#".repeat(200_000)).unwrap();
    let device = "is a character device, not a regular file";
    for (path, words) in [
        ("/dev/zero", device),
        (zero_link.to_str().unwrap(), device),
        (
            large.to_str().unwrap(),
            "over zdauth's limit of 16384 bytes for an identity file",
        ),
    ] {
        sb.run_bounded(
            &["token", "acme"],
            &[("ZDAUTH_IDENTITY_FILE", path)],
            Limits::default(),
        )
        .fails(6, words);
    }
    // Through settings.identity_file too.
    let config = sb.config_text().replace(
        &format!("identity_file = {:?}", sb.identity_file().to_str().unwrap()),
        "identity_file = \"/dev/zero\"",
    );
    fs::write(sb.paths().config(), config).unwrap();
    sb.run_bounded(&["token", "acme"], &[], Limits::default())
        .fails(6, device);
    let fresh = Sandbox::new();
    fresh
        .run_bounded(
            &["init", "--identity-file", "/dev/zero"],
            &[],
            Limits::default(),
        )
        .fails(6, device);
}

#[test]
fn a_fifo_in_place_of_any_file_zdauth_reads_is_refused_without_hanging() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let paths = sb.paths();
    let outside = sb.temp.path().join("fifo");
    mkfifo(&outside);
    for path in [
        paths.vault(),
        paths.config(),
        paths.recipient(),
        paths.lock(),
    ] {
        let kept = sb.temp.path().join("kept");
        let _ = fs::rename(&path, &kept);
        mkfifo(&path);
        sb.run_bounded(
            &["add", "beta", "--subdomain", "beta", "--client-id", "x_y"],
            &[],
            Limits::default(),
        )
        .fails(1, "is a FIFO, not a regular file");
        fs::remove_file(&path).unwrap();
        if kept.exists() {
            fs::rename(&kept, &path).unwrap();
        }
    }
    // A dotfiles link that leads to a FIFO, and a FIFO as the identity file.
    let config = paths.config();
    let kept = sb.temp.path().join("kept.toml");
    fs::rename(&config, &kept).unwrap();
    symlink(&outside, &config).unwrap();
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "is a FIFO, not a regular file");
    fs::remove_file(&config).unwrap();
    fs::rename(&kept, &config).unwrap();
    let fifo = outside.to_str().unwrap();
    sb.run_bounded(
        &["token", "acme"],
        &[("ZDAUTH_IDENTITY_FILE", fifo)],
        Limits::default(),
    )
    .fails(6, "is a FIFO, not a regular file");
    sb.run(&["list"]).success();
}

#[test]
fn an_oversize_config_or_vault_is_refused() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let config = sb.paths().config();
    let mut text = sb.config_text();
    text.push_str("# ");
    text.push_str(&"x".repeat(5 << 20));
    text.push('\n');
    fs::write(&config, &text).unwrap();
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "over zdauth's limit of 4194304 bytes for config.toml");

    let sb = Sandbox::new();
    sb.init_with_identity_file();
    sb.add("acme");
    let vault = sb.paths().vault();
    let file = fs::OpenOptions::new().append(true).open(&vault).unwrap();
    file.set_len(65 << 20).unwrap();
    sb.run_bounded(&["list"], &[], Limits::default())
        .fails(1, "over zdauth's limit of 67108864 bytes for a vault");
}
