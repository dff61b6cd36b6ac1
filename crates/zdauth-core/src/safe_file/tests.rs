use std::os::unix::fs::PermissionsExt;

use super::*;

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .unwrap();
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("vault.age");
    mkfifo(&fifo);
    for links in [Links::Follow, Links::Refuse] {
        let error = read(&fifo, links, VAULT_LIMIT).unwrap_err();
        assert!(
            error.to_string().contains("is a FIFO, not a regular file"),
            "{error}"
        );
    }
    let error = open_own(&fifo, false).unwrap_err();
    assert!(error.to_string().contains("is a FIFO"), "{error}");
}

#[test]
fn a_file_over_its_cap_is_refused_and_one_at_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.txt");
    let cap = usize::try_from(IDENTITY_LIMIT.bytes).unwrap();
    fs::write(&path, vec![b'#'; cap]).unwrap();
    let text = read(&path, Links::Follow, IDENTITY_LIMIT).unwrap().unwrap();
    assert_eq!(text.len() as u64, IDENTITY_LIMIT.bytes);
    fs::write(&path, vec![b'#'; cap + 1]).unwrap();
    let error = read(&path, Links::Follow, IDENTITY_LIMIT).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("over zdauth's limit of 16384 bytes for an identity file"),
        "{error}"
    );
}

#[test]
fn links_are_followed_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    fs::write(&real, b"text").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    assert_eq!(
        read(&link, Links::Follow, CONFIG_LIMIT)
            .unwrap()
            .unwrap()
            .as_slice(),
        b"text"
    );
    let error = read(&link, Links::Refuse, CONFIG_LIMIT).unwrap_err();
    assert!(matches!(error, FileError::Link { .. }), "{error}");
    let error = open_own(&link, true).unwrap_err();
    assert!(matches!(error, FileError::Link { .. }), "{error}");
    assert_eq!(
        fs::read(&real).unwrap(),
        b"text",
        "nothing was written through"
    );
}

#[test]
fn a_missing_file_is_none_and_a_new_own_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zdauth.lock");
    assert!(read(&path, Links::Refuse, CONFIG_LIMIT).unwrap().is_none());
    let file = open_own(&path, false).unwrap();
    let mode = file.metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Blocking again once open: a read of a regular file never returns EAGAIN anyway, but a
    // lock file handed to other code should not surprise it.
    let flags = rustix::fs::fcntl_getfl(&file).unwrap();
    assert!(!flags.contains(OFlags::NONBLOCK));
}

#[test]
fn shared_and_foreign_dirs_are_not_ours() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let meta = fs::metadata(&shared).unwrap();
    assert!(matches!(
        check_own_dir(&shared, &meta),
        Err(FileError::SharedDir { .. })
    ));
    let own = fs::metadata(dir.path()).unwrap();
    check_own_dir(dir.path(), &own).unwrap();
}
