//! The store client against a real OpenBao (`zdauth_fake::openbao`): each test starts its own
//! server, and returns early (the launcher printed a skip line) when `bao` is not installed.

mod auth;
mod faults;
mod kv;

use zdauth_fake::openbao::OpenBao;

use super::{FORMAT, RecordData, Store, StoreEnv};
use crate::config::{DEFAULT_SECRET_ID_ENV, StoreKind, StoreSettings};

fn settings(address: &str) -> StoreSettings {
    StoreSettings {
        kind: StoreKind::OpenBao,
        address: Some(address.to_owned()),
        ca_cert: None,
        mount: "secret".into(),
        prefix: "zdauth".into(),
        recipients: Vec::new(),
        role_id: None,
        secret_id_env: DEFAULT_SECRET_ID_ENV.into(),
        approle_mount: "approle".into(),
    }
}

fn with_token(token: &str) -> StoreEnv {
    StoreEnv {
        token: Some(token.to_owned()),
        ..StoreEnv::default()
    }
}

/// A store on `bao` with `token`.
fn store(bao: &OpenBao, token: &str) -> Store {
    Store::open(&settings(&bao.addr()), &with_token(token)).unwrap()
}

fn record(payload: &str) -> RecordData {
    RecordData {
        format: FORMAT,
        payload: payload.to_owned(),
        lease: None,
    }
}
