//! Read, check-and-set write, list and delete, as KV version 2 answers them.

use serde_json::json;
use zdauth_fake::openbao::OpenBao;

use super::super::{Lease, Written};
use super::{record, settings, store, with_token};
use crate::error::Error;
use crate::store::Store;

#[test]
fn read_write_with_check_and_set_list_and_delete() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let store = store(&bao, bao.root_token());
    assert_eq!(store.describe(), format!("openbao at {}", bao.addr()));
    assert!(store.read("acme").unwrap().is_none());
    assert_eq!(store.list().unwrap(), Vec::<String>::new());

    assert_eq!(
        store.write("acme", &record("one"), 0).unwrap(),
        Written::Version(1)
    );
    // cas 0 means "must not exist": it does now.
    assert_eq!(
        store.write("acme", &record("two"), 0).unwrap(),
        Written::Conflict
    );
    // A stale version is a conflict too, and nothing is written.
    assert_eq!(
        store.write("acme", &record("two"), 5).unwrap(),
        Written::Conflict
    );
    assert_eq!(bao.kv_version("zdauth/acme"), Some(1));

    let mut leased = record("two");
    leased.lease = Some(Lease {
        holder: "host/1/ab".into(),
        until: jiff::Timestamp::from_second(2_000_000_000).unwrap(),
    });
    assert_eq!(
        store.write("acme", &leased, 1).unwrap(),
        Written::Version(2)
    );
    let read = store.read("acme").unwrap().unwrap();
    assert_eq!(read.version, 2);
    assert_eq!(read.data, leased);
    // What the store holds is the record's JSON, as `bao kv get` shows it.
    let raw = bao.kv_read("zdauth/acme").unwrap();
    assert_eq!(raw["zdauth"], 1);
    assert_eq!(raw["lease"]["holder"], "host/1/ab");

    store.write("beta", &record("b"), 0).unwrap();
    assert_eq!(store.list().unwrap(), ["acme", "beta"]);

    store.delete("acme").unwrap();
    assert!(store.read("acme").unwrap().is_none());
    assert_eq!(bao.kv_version("zdauth/acme"), None, "every version is gone");
    // Deleting what is not there is done already.
    store.delete("acme").unwrap();
    assert_eq!(store.list().unwrap(), ["beta"]);
    assert_eq!(
        store.write("acme", &record("again"), 0).unwrap(),
        Written::Version(1)
    );
}

#[test]
fn a_deleted_latest_version_reads_as_none_and_can_be_written_again() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let store = store(&bao, bao.root_token());
    store.write("acme", &record("one"), 0).unwrap();
    store.write("acme", &record("two"), 1).unwrap();
    let (status, _) = bao.api("DELETE", "/v1/secret/data/zdauth/acme", None);
    assert_eq!(status, 204);
    assert!(store.read("acme").unwrap().is_none());
    // "Must not exist" holds for a deleted secret: the write goes after its last version.
    assert_eq!(
        store.write("acme", &record("three"), 0).unwrap(),
        Written::Version(3)
    );
    assert_eq!(store.read("acme").unwrap().unwrap().data.payload, "three");
}

#[test]
fn a_secret_that_is_not_a_record_and_names_that_are_not_connections() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    bao.kv_write("zdauth/acme", &json!({ "password": "hunter2" }));
    bao.kv_write("zdauth/Not_A_Name", &json!({ "x": 1 }));
    bao.kv_write("zdauth/team/nested", &json!({ "x": 1 }));
    let store = store(&bao, bao.root_token());
    let error = store.read("acme").unwrap_err().to_string();
    assert!(
        error.contains("secret/data/zdauth/acme is not a zdauth record"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
    assert_eq!(store.list().unwrap(), ["acme"]);

    for bad in ["../sys", "a/b", "", "Acme", "acme?list=true"] {
        assert!(matches!(store.read(bad), Err(Error::Usage(_))), "{bad:?}");
        assert!(matches!(store.delete(bad), Err(Error::Usage(_))), "{bad:?}");
    }
}

#[test]
fn a_missing_mount_and_a_version_1_mount_are_named() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let mut elsewhere = settings(&bao.addr());
    elsewhere.mount = "nomount".into();
    let store = Store::open(&elsewhere, &with_token(bao.root_token())).unwrap();
    let error = store.read("acme").unwrap_err().to_string();
    assert!(error.contains("has no KV mount at nomount/"), "{error}");
    assert!(error.contains("set [store].mount"), "{error}");

    let (status, _) = bao.api(
        "POST",
        "/v1/sys/mounts/kv1",
        Some(json!({ "type": "kv", "options": { "version": "1" } })),
    );
    assert_eq!(status, 204);
    let mut old = settings(&bao.addr());
    old.mount = "kv1".into();
    let store = Store::open(&old, &with_token(bao.root_token())).unwrap();
    let error = store
        .write("acme", &record("x"), 0)
        .unwrap_err()
        .to_string();
    assert!(error.contains("is not KV version 2"), "{error}");
}
