//! The store's HTTP transport: one ureq agent per store, blocking, bounded in time and size.
//!
//! - Timeouts: connecting, and the whole exchange, each at most [`STORE_TIMEOUT`].
//! - Answers are read up to a cap (a record's is 64 KiB: KV payloads are a few KiB), and a
//!   larger answer is an error, never an unbounded read.
//! - No redirect is followed: a redirect would carry the token to wherever it points (a
//!   standby node's 307 to its active node included); it is reported instead.
//! - https with the platform's verifier, or only the CA of `[store].ca_cert`; no proxy for a
//!   loopback store (the environment's proxy would see its plain http).
//! - The token goes only in the `X-Vault-Token` header, marked sensitive; never in a URL.

use std::sync::Arc;

use ureq::http::{HeaderValue, Method, Response};
use ureq::tls::{Certificate, RootCerts, TlsConfig};
use ureq::{Agent, Body};
use url::Url;
use zeroize::Zeroizing;

use super::words;
use crate::config::STORE_TIMEOUT;
use crate::error::Error;
use crate::secret::Secret;

/// What a record (or a token answer) may be, at most.
pub(super) const ANSWER_CAP: u64 = 64 * 1024;
/// A list of names may be longer: a few thousand names of up to 64 bytes.
pub(super) const LIST_CAP: u64 = 1024 * 1024;

pub(super) struct Client {
    agent: Agent,
    /// `https://host:port` and any path prefix, without a trailing `/`.
    base: String,
    /// "openbao at …", the start of every message.
    pub(super) described: String,
}

/// An HTTP answer: any status (the caller decides what each means).
pub(super) struct Answer {
    pub(super) status: u16,
    /// Wiped on drop: a token answer carries the token.
    pub(super) body: Zeroizing<Vec<u8>>,
    /// A redirect's target, to name in the message.
    pub(super) location: Option<String>,
}

impl Answer {
    /// The body as JSON (`Null` when it is empty or not JSON).
    pub(super) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// `roots`: the certificates of `[store].ca_cert`; `None`: the platform's verifier.
    pub(super) fn new(
        url: &Url,
        roots: Option<Vec<Certificate<'static>>>,
        described: String,
    ) -> Self {
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        let roots = match roots {
            Some(certs) => RootCerts::Specific(Arc::new(certs)),
            None => RootCerts::PlatformVerifier,
        };
        let mut config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(STORE_TIMEOUT))
            .timeout_connect(Some(STORE_TIMEOUT))
            .user_agent(concat!("zdauth/", env!("CARGO_PKG_VERSION")))
            .tls_config(TlsConfig::builder().root_certs(roots).build());
        if loopback {
            config = config.proxy(None);
        }
        let base = url.as_str().trim_end_matches('/').to_owned();
        Self {
            agent: Agent::new_with_config(config.build()),
            base,
            described,
        }
    }

    /// One request to `path` (`/v1/…`, already escaped), its answer read up to `cap`.
    pub(super) fn call(
        &self,
        method: &Method,
        path: &str,
        token: Option<&Secret>,
        body: Option<&[u8]>,
        cap: u64,
    ) -> Result<Answer, Error> {
        let uri = format!("{}{path}", self.base);
        let mut request = ureq::http::Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header("Accept", "application/json");
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(token.expose()).map_err(|_| self.bad_token())?;
            value.set_sensitive(true);
            request = request.header("X-Vault-Token", value);
        }
        let sent = match body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body)
                .map(|r| self.agent.run(r)),
            None => request.body(()).map(|r| self.agent.run(r)),
        };
        let response = sent
            .map_err(|_| {
                words::store_error(
                    &self.described,
                    "the request could not be built".into(),
                    words::HINT_ADDRESS,
                )
            })?
            .map_err(|e| words::transport(&self.described, &e))?;
        let answer = self.answer(response, cap)?;
        tracing::debug!(store = %self.described, %method, path, status = answer.status, "store answered");
        Ok(answer)
    }

    fn answer(&self, mut response: Response<Body>, cap: u64) -> Result<Answer, Error> {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response
            .body_mut()
            .with_config()
            .limit(cap)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => words::too_large(&self.described, cap),
                e => words::transport(&self.described, &e),
            })?;
        Ok(Answer {
            status,
            body: Zeroizing::new(body),
            location,
        })
    }

    fn bad_token(&self) -> Error {
        words::store_error(
            &self.described,
            "the store token has characters no HTTP header may carry".into(),
            "check BAO_TOKEN (or the token file) holds just the token",
        )
    }
}
