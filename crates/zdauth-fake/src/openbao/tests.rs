//! The launcher against the real `bao`: what the store's tests rely on it for.

use std::time::{Duration, Instant};

use serde_json::json;

use super::OpenBao;

#[test]
fn a_server_keeps_its_data_across_stop_and_start_again() {
    let started = Instant::now();
    let Some(mut bao) = OpenBao::start() else {
        return;
    };
    eprintln!("OpenBao started in {:?}", started.elapsed());
    assert!(bao.addr().starts_with("http://127.0.0.1:"));
    assert_eq!(bao.kv_version("zdauth/acme"), None);
    assert_eq!(bao.kv_write("zdauth/acme", &json!({ "zdauth": 1 })), 1);

    bao.stop();
    assert!(!bao.is_running());
    assert!(
        bao.api_as(bao.root_token(), "GET", "/v1/sys/health", None)
            .is_err()
    );
    let again = Instant::now();
    bao.start_again();
    eprintln!("OpenBao started again in {:?}", again.elapsed());
    assert_eq!(bao.kv_version("zdauth/acme"), Some(1));
    assert_eq!(bao.kv_read("zdauth/acme").unwrap()["zdauth"], 1);
}

#[test]
fn each_server_has_its_own_port_and_root_token() {
    let (Some(one), Some(two)) = (OpenBao::start(), OpenBao::start()) else {
        return;
    };
    assert_ne!(one.port(), two.port());
    assert_ne!(one.root_token(), two.root_token());
    // One server's root token is nothing on the other.
    let (status, _) = two
        .api_as(one.root_token(), "GET", "/v1/auth/token/lookup-self", None)
        .unwrap();
    assert_eq!(status, 403);
}

#[test]
fn policies_tokens_and_approle_work() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    bao.write_policy(
        "reader",
        "path \"secret/data/zdauth/*\" { capabilities = [\"read\"] }",
    );
    let token = bao.token_with_policies(&["reader"], Duration::from_secs(600));
    let (status, _) = bao
        .api_as(
            &token,
            "POST",
            "/v1/secret/data/zdauth/x",
            Some(&json!({ "data": {} })),
        )
        .unwrap();
    assert_eq!(status, 403, "the reader may not write");

    let role = bao.enable_approle(
        "ci",
        &["reader"],
        Duration::from_secs(60),
        Duration::from_secs(120),
    );
    let login = json!({ "role_id": role.role_id, "secret_id": role.secret_id });
    let (status, answer) = bao
        .api_as("", "POST", "/v1/auth/approle/login", Some(&login))
        .unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(answer["auth"]["policies"].to_string().contains("reader"));
    // Enabling twice is fine (several roles on one server).
    bao.enable_approle(
        "cron",
        &["reader"],
        Duration::from_secs(60),
        Duration::from_secs(60),
    );

    let output = bao
        .bao_command()
        .args(["kv", "get", "-format=json", "secret/zdauth/missing"])
        .output()
        .unwrap();
    assert!(!output.status.success(), "no such secret");
}

#[test]
fn a_dropped_server_leaves_no_process() {
    let Some(bao) = OpenBao::start() else {
        return;
    };
    let port = bao.port();
    drop(bao);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
