//! TEMPORARY stand-in for `zdauth_fake::openbao::OpenBao` (helper A's) until it lands.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct OpenBao {
    child: Option<Child>,
    port: u16,
    token: String,
}

impl OpenBao {
    pub fn start() -> Option<Self> {
        let bin = std::env::var("ZDAUTH_TEST_BAO").unwrap_or_else(|_| "bao".into());
        let port = super::world::free_port();
        let token = format!("root-{}", std::process::id());
        let mut bao = Self { child: None, port, token };
        bao.child = Some(
            Command::new(bin)
                .args(["server", "-dev", &format!("-dev-root-token-id={}", bao.token)])
                .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(500));
        Some(bao)
    }
    pub fn addr(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
    pub fn root_token(&self) -> &str {
        &self.token
    }
    pub fn write_policy(&self, name: &str, hcl: &str) {
        super::store::bao_request(
            self,
            "PUT",
            &format!("/v1/sys/policies/acl/{name}"),
            Some(&serde_json::json!({ "policy": hcl })),
        );
    }
    pub fn token_with_policies(&self, policies: &[&str]) -> String {
        let answer = super::store::bao_request(
            self,
            "POST",
            "/v1/auth/token/create",
            Some(&serde_json::json!({ "policies": policies, "no_default_policy": false })),
        )
        .unwrap();
        answer["auth"]["client_token"].as_str().unwrap().to_owned()
    }
    pub fn stop(&mut self) {
        let pid = self.child.as_ref().unwrap().id();
        let _ = Command::new("kill").args(["-STOP", &pid.to_string()]).status();
    }
    pub fn start_again(&mut self) {
        let pid = self.child.as_ref().unwrap().id();
        let _ = Command::new("kill").args(["-CONT", &pid.to_string()]).status();
    }
}

impl Drop for OpenBao {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
