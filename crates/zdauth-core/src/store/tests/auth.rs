//! Tokens: where they come from, a refused one, a missing policy named, AppRole's login,
//! renewal and new login.

use std::time::{Duration, Instant};

use serde_json::json;
use zdauth_fake::openbao::OpenBao;

use super::super::Written;
use super::{record, settings, store, with_token};
use crate::error::{Error, ErrorClass};
use crate::store::{Store, StoreEnv};

#[test]
fn a_token_without_the_capability_gets_the_policy_named() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    bao.write_policy(
        "reader",
        "path \"secret/data/zdauth/*\" { capabilities = [\"read\"] }",
    );
    let token = bao.token_with_policies(&["reader"], Duration::from_secs(600));
    let store = store(&bao, &token);
    assert!(store.read("acme").unwrap().is_none(), "reading is allowed");

    let error = store.write("acme", &record("x"), 0).unwrap_err();
    let Error::StoreDenied {
        action,
        path,
        policy_path,
        capabilities,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        (*action, path.as_str()),
        ("write", "secret/data/zdauth/acme")
    );
    assert_eq!(policy_path, "secret/data/zdauth/*");
    assert_eq!(capabilities, "\"create\", \"read\", \"update\"");
    assert_eq!(error.class(), ErrorClass::ZendeskOrNetwork);
    let text = error.to_string();
    assert!(
        text.ends_with("add to the token's policy: path \"secret/data/zdauth/*\" { capabilities = [\"create\", \"read\", \"update\"] }"),
        "{text}"
    );
    assert!(!text.contains(&token));

    let listed = store.list().unwrap_err().to_string();
    assert!(
        listed.contains("refused to list secret/metadata/zdauth/"),
        "{listed}"
    );
    assert!(
        listed.contains("path \"secret/metadata/zdauth/*\" { capabilities = [\"list\"] }"),
        "{listed}"
    );
    let deleted = store.delete("acme").unwrap_err().to_string();
    assert!(
        deleted.contains("path \"secret/metadata/zdauth/*\" { capabilities = [\"delete\"] }"),
        "{deleted}"
    );
}

#[test]
fn a_refused_token_says_so_without_showing_it() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let store = store(&bao, "s.not-a-token-of-this-store");
    let error = store.read("acme").unwrap_err();
    assert!(matches!(error, Error::Store { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("refused the store token from BAO_TOKEN"),
        "{text}"
    );
    assert!(text.ends_with("then run the command again"), "{text}");
    assert!(!text.contains("not-a-token"), "{text}");
}

#[test]
fn the_token_file_is_the_last_resort_and_nothing_at_all_is_a_clear_error() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".vault-token");
    std::fs::write(&file, format!("{}\n", bao.root_token())).unwrap();
    let env = StoreEnv {
        token_file: Some(file.clone()),
        ..StoreEnv::default()
    };
    let store = Store::open(&settings(&bao.addr()), &env).unwrap();
    assert_eq!(
        store.write("acme", &record("x"), 0).unwrap(),
        Written::Version(1)
    );

    std::fs::remove_file(&file).unwrap();
    let error = Store::open(&settings(&bao.addr()), &env)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "no store token: set BAO_TOKEN, log in with `bao login`, or configure [store].role_id"
    );
}

fn role(bao: &OpenBao, ttl: u64, max_ttl: u64, uses: u64) -> (String, String) {
    bao.write_policy(
        "zdauth",
        "path \"secret/data/zdauth/*\" { capabilities = [\"create\", \"read\", \"update\"] }",
    );
    let (status, _) = bao.api(
        "POST",
        "/v1/sys/auth/approle",
        Some(json!({ "type": "approle" })),
    );
    assert!(status == 204 || status == 400, "{status}");
    let role = json!({
        "token_policies": ["zdauth"],
        "token_ttl": format!("{ttl}s"),
        "token_max_ttl": format!("{max_ttl}s"),
        "secret_id_num_uses": uses,
    });
    assert_eq!(
        bao.api("POST", "/v1/auth/approle/role/cron", Some(role)).0,
        204
    );
    let role_id = bao.api("GET", "/v1/auth/approle/role/cron/role-id", None).1["data"]["role_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (role_id, bao.new_secret_id("cron"))
}

fn approle_store(bao: &OpenBao, role_id: &str, secret_id: &str) -> Store {
    let mut settings = settings(&bao.addr());
    settings.role_id = Some(role_id.to_owned());
    let env = StoreEnv {
        secret_id: Some(secret_id.to_owned()),
        ..StoreEnv::default()
    };
    Store::open(&settings, &env).unwrap()
}

/// How many tokens the server has: a new login makes one more.
fn tokens(bao: &OpenBao) -> usize {
    let (_, answer) = bao.api("GET", "/v1/auth/token/accessors?list=true", None);
    answer["data"]["keys"].as_array().map_or(0, Vec::len)
}

#[test]
fn approle_logs_in_once_on_first_use_and_renews_its_token() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    // One use: a second login would fail, so what follows works only by renewal.
    let (role_id, secret_id) = role(&bao, 9, 60, 1);
    let before = tokens(&bao);
    let store = approle_store(&bao, &role_id, &secret_id);
    assert_eq!(tokens(&bao), before, "open logs in lazily");
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| store.read("acme").unwrap());
        }
    });
    assert_eq!(tokens(&bao), before + 1, "one login for four threads");
    store.renew_if_due().unwrap();
    std::thread::sleep(Duration::from_millis(6600).saturating_sub(started.elapsed()));
    store.renew_if_due().unwrap();
    std::thread::sleep(Duration::from_secs(10).saturating_sub(started.elapsed()));
    // Past the login's 9 s: the renewed token still works.
    assert!(store.read("acme").unwrap().is_none());
    assert_eq!(tokens(&bao), before + 1);
}

#[test]
fn approle_logs_in_again_when_the_token_cannot_be_renewed_for_long() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let (role_id, secret_id) = role(&bao, 9, 9, 0);
    let store = approle_store(&bao, &role_id, &secret_id);
    let started = Instant::now();
    store.read("acme").unwrap();
    let after_login = tokens(&bao);
    std::thread::sleep(Duration::from_millis(6600).saturating_sub(started.elapsed()));
    store.renew_if_due().unwrap();
    assert_eq!(
        tokens(&bao),
        after_login + 1,
        "a new login, not a renewal capped at 9 s"
    );
    std::thread::sleep(Duration::from_millis(10500).saturating_sub(started.elapsed()));
    assert_eq!(
        store.write("acme", &record("x"), 0).unwrap(),
        Written::Version(1)
    );
}

#[test]
fn approle_without_a_secret_id_or_with_a_wrong_one() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let (role_id, _) = role(&bao, 60, 60, 0);
    let mut with_role = settings(&bao.addr());
    with_role.role_id = Some(role_id.clone());
    let error = Store::open(&with_role, &StoreEnv::default())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("set ZDAUTH_STORE_SECRET_ID or pass --store-secret-id-stdin"),
        "{error}"
    );

    let store = approle_store(&bao, &role_id, "00000000-0000-0000-0000-000000000000");
    let error = store.read("acme").unwrap_err().to_string();
    assert!(
        error.contains("refused the AppRole login at auth/approle"),
        "{error}"
    );
    assert!(!error.contains("00000000-0000"), "{error}");
    // A token in the environment comes first: no login is tried.
    let env = StoreEnv {
        secret_id: Some("wrong".into()),
        ..with_token(bao.root_token())
    };
    assert!(
        Store::open(&with_role, &env)
            .unwrap()
            .read("acme")
            .unwrap()
            .is_none()
    );
}
