//! The initialized store every server starts from.
//!
//! Initializing raft storage costs about 3.5 s (a leader election, then `sys/init`), against
//! 0.5 s to start an initialized copy. So the first test builds one template under the
//! workspace's target directory (initialized, with one unseal key, KV version 2 at `secret/`),
//! and every server starts on a copy of its data; each then gets its own root token and
//! revokes the template's (see `OpenBao::start`). The template is kept between runs, keyed by
//! the binary, and built once even when several test processes ask at the same time (each
//! builds in its own directory; the first rename wins).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::OnceLock;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::http;
use super::process::{self, Down};

pub(super) struct Template {
    /// The raft data to copy.
    pub(super) data: PathBuf,
    pub(super) unseal_key: String,
    /// Valid in each copy until that copy's start revokes it.
    pub(super) root_token: String,
}

pub(super) fn template(bin: &Path) -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| load_or_build(bin))
}

fn load_or_build(bin: &Path) -> Template {
    let target = process::workspace_target();
    let base = if target.is_dir() {
        target
    } else {
        std::env::temp_dir()
    };
    let name = format!("openbao-template-{}", binary_key(bin));
    let home = base.join(&name);
    if let Some(template) = load(&home) {
        return template;
    }
    let build = base.join(format!(
        "{name}.build-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let _ = std::fs::remove_dir_all(&build);
    std::fs::create_dir_all(&build).expect("create the template's directory");
    let (unseal_key, root_token) = initialize(bin, &build);
    let facts = json!({ "unseal_key": unseal_key, "root_token": root_token });
    std::fs::write(build.join("template.json"), facts.to_string()).expect("write template.json");
    // Another process may have won meanwhile: then its template is as good as ours.
    if std::fs::rename(&build, &home).is_err() {
        let _ = std::fs::remove_dir_all(&build);
    }
    load(&home)
        .unwrap_or_else(|| panic!("the OpenBao template at {} is unreadable", home.display()))
}

fn load(home: &Path) -> Option<Template> {
    let facts: Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("template.json")).ok()?).ok()?;
    Some(Template {
        data: home.join("data"),
        unseal_key: facts["unseal_key"].as_str()?.to_owned(),
        root_token: facts["root_token"].as_str()?.to_owned(),
    })
}

/// A template is good for one binary (a different version could differ in its storage).
fn binary_key(bin: &Path) -> String {
    let meta = std::fs::metadata(bin).ok();
    let mut hash = Sha256::new();
    hash.update(bin.to_string_lossy().as_bytes());
    if let Some(meta) = meta {
        hash.update(meta.len().to_le_bytes());
        if let Ok(modified) = meta.modified()
            && let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH)
        {
            hash.update(since.as_nanos().to_le_bytes());
        }
    }
    hash.finalize()[..8]
        .iter()
        .fold(String::new(), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// Runs a fresh server on `dir`: init with one key share, unseal, mount KV version 2 at
/// `secret/`; then kills it. Returns the unseal key and the root token.
fn initialize(bin: &Path, dir: &Path) -> (String, String) {
    let (mut child, port) = boot_fresh(bin, dir);
    let fail = |what: &str, answer: &dyn std::fmt::Debug| -> ! {
        panic!(
            "OpenBao template: {what} failed: {answer:?}\n{}",
            process::log_tail(dir)
        )
    };
    let body = json!({ "secret_shares": 1, "secret_threshold": 1 });
    let init = http::call(port, "PUT", "/v1/sys/init", None, Some(&body));
    let Ok((200, init)) = init else {
        fail("init", &init)
    };
    let (Some(key), Some(root)) = (
        init["keys_base64"][0].as_str().map(str::to_owned),
        init["root_token"].as_str().map(str::to_owned),
    ) else {
        fail("init", &init)
    };
    if let Err(why) = super::unseal(&mut child, port, &key) {
        fail("unseal", &why);
    }
    let mount = json!({ "type": "kv", "options": { "version": "2" } });
    let mounted = http::call(
        port,
        "POST",
        "/v1/sys/mounts/secret",
        Some(&root),
        Some(&mount),
    );
    if !matches!(mounted, Ok((200 | 204, _))) {
        fail("mounting secret/", &mounted);
    }
    if let Err(why) = super::wait_kv(&mut child, port, &root) {
        fail("KV version 2 at secret/", &why);
    }
    process::kill(&mut child);
    (key, root)
}

/// A new server on new ports; a port taken between choosing and binding: choose again.
fn boot_fresh(bin: &Path, dir: &Path) -> (Child, u16) {
    for _ in 0..5 {
        let ports = process::free_ports();
        process::write_config(dir, ports);
        let mut child = process::spawn(bin, dir);
        match process::wait_for(&mut child, ports.0, "/v1/sys/health", None, |_| true) {
            Ok(()) => return (child, ports.0),
            Err(Down::Exited) => {}
            Err(Down::Silent) => {
                process::kill(&mut child);
                panic!(
                    "OpenBao did not answer within a minute\n{}",
                    process::log_tail(dir)
                );
            }
        }
    }
    panic!("OpenBao would not start\n{}", process::log_tail(dir));
}
