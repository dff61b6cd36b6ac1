//! Which token the store's calls carry, and keeping it alive.
//!
//! The order: `BAO_TOKEN`, `VAULT_TOKEN`, AppRole (when `[store].role_id` is set, with the
//! secret id from stdin or `[store].secret_id_env`), the CLI's token file (`~/.vault-token`,
//! which `bao login` writes). An AppRole login happens on the first call, once however many
//! threads make it, and again when its token is about to expire or was refused. Tokens are
//! held as [`Secret`]s and go nowhere but the `X-Vault-Token` header.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ureq::http::Method;
use zeroize::Zeroizing;

use super::client::{ANSWER_CAP, Client};
use super::words;
use crate::config::StoreSettings;
use crate::error::Error;
use crate::safe_file::{self, Limit, Links};
use crate::secret::Secret;

/// A token file holds one token (~100 bytes).
const TOKEN_FILE_LIMIT: Limit = Limit {
    bytes: 16 * 1024,
    what: "the store token file",
};

enum Source {
    Env(Secret),
    File(PathBuf, Secret),
    AppRole {
        role_id: String,
        secret_id: Secret,
        mount: String,
    },
}

pub(super) struct Auth {
    source: Source,
    /// The AppRole login's token; unused for the other sources (their token is fixed).
    held: Mutex<Option<Held>>,
}

struct Held {
    token: Secret,
    /// `None`: it does not expire.
    until: Option<Instant>,
    /// What the login (or the last renewal) granted.
    lifetime: Duration,
    renewable: bool,
}

impl Held {
    fn left(&self) -> Option<Duration> {
        self.until
            .map(|until| until.saturating_duration_since(Instant::now()))
    }
}

#[derive(Serialize)]
struct LoginBody<'a> {
    role_id: &'a str,
    secret_id: &'a str,
}

#[derive(Deserialize)]
struct AuthAnswer {
    auth: AuthPart,
}

#[derive(Deserialize)]
struct AuthPart {
    client_token: Secret,
    lease_duration: u64,
    renewable: bool,
}

/// `auth/token/lookup-self`'s `data`, without its `id` (the token itself).
#[derive(Deserialize)]
struct LookupAnswer {
    data: Lookup,
}

#[derive(Deserialize)]
struct Lookup {
    ttl: u64,
    creation_ttl: u64,
    renewable: bool,
}

impl Auth {
    /// Finds the token (or the AppRole credentials): no network yet.
    pub(super) fn find(settings: &StoreSettings, env: &super::StoreEnv) -> Result<Self, Error> {
        let source = if let Some(token) = env
            .token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Source::Env(Secret::new(token))
        } else if let Some(role_id) = settings.role_id.as_deref().filter(|r| !r.is_empty()) {
            let secret_id = env
                .secret_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "[store].role_id is set but no AppRole secret id was given: set {} or pass --store-secret-id-stdin",
                        settings.secret_id_env
                    ))
                })?;
            Source::AppRole {
                role_id: role_id.to_owned(),
                secret_id: Secret::new(secret_id),
                mount: settings.approle_mount.clone(),
            }
        } else {
            let from_file = match &env.token_file {
                Some(path) => safe_file::read_text(path, Links::Follow, TOKEN_FILE_LIMIT)?
                    .map(|text| (path.clone(), Secret::new(text.trim())))
                    .filter(|(_, token)| !token.is_empty()),
                None => None,
            };
            let (path, token) = from_file.ok_or_else(|| {
                Error::Usage(
                    "no store token: set BAO_TOKEN, log in with `bao login`, or configure [store].role_id"
                        .into(),
                )
            })?;
            Source::File(path, token)
        };
        Ok(Self {
            source,
            held: Mutex::new(None),
        })
    }

    /// Where the token came from, for a message.
    pub(super) fn source_name(&self) -> String {
        match &self.source {
            Source::Env(_) => "BAO_TOKEN (or VAULT_TOKEN)".into(),
            Source::File(path, _) => path.display().to_string(),
            Source::AppRole { mount, .. } => format!("the AppRole login at auth/{mount}"),
        }
    }

    /// The token to send, logging in first when AppRole has none (or one about to expire).
    pub(super) fn token(&self, client: &Client) -> Result<Secret, Error> {
        let (role_id, secret_id, mount) = match &self.source {
            Source::Env(token) | Source::File(_, token) => return Ok(token.clone()),
            Source::AppRole {
                role_id,
                secret_id,
                mount,
            } => (role_id, secret_id, mount),
        };
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = held.as_ref()
            && current
                .left()
                .is_none_or(|left| left > current.lifetime / 10)
        {
            return Ok(current.token.clone());
        }
        let fresh = login(client, role_id, secret_id, mount)?;
        let token = fresh.token.clone();
        *held = Some(fresh);
        Ok(token)
    }

    /// After `refused` was refused as a token: AppRole logs in again (once per refused
    /// token) and returns the new one; the other sources have nothing else to offer.
    pub(super) fn after_refusal(
        &self,
        client: &Client,
        refused: &Secret,
    ) -> Result<Option<Secret>, Error> {
        let Source::AppRole {
            role_id,
            secret_id,
            mount,
        } = &self.source
        else {
            return Ok(None);
        };
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = held.as_ref()
            && &current.token != refused
        {
            // Another thread has logged in since.
            return Ok(Some(current.token.clone()));
        }
        let fresh = login(client, role_id, secret_id, mount)?;
        let token = fresh.token.clone();
        *held = Some(fresh);
        Ok(Some(token))
    }

    /// Renews the token when less than a third of its lifetime is left; an AppRole token that
    /// cannot be renewed (or only for less) is replaced by a new login.
    pub(super) fn renew_if_due(&self, client: &Client) -> Result<(), Error> {
        let (role_id, secret_id, mount) = match &self.source {
            Source::Env(token) | Source::File(_, token) => {
                return renew_fixed(client, token, &self.source_name());
            }
            Source::AppRole {
                role_id,
                secret_id,
                mount,
            } => (role_id, secret_id, mount),
        };
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(current) = held.as_mut() else {
            // Not logged in yet: the first call will.
            return Ok(());
        };
        let Some(left) = current.left() else {
            return Ok(());
        };
        if left * 3 >= current.lifetime {
            return Ok(());
        }
        // A renewal capped by the token's max TTL grants about what is left: that is no
        // renewal (one second of slack for the store's rounding to whole seconds).
        if current.renewable
            && let Some(granted) = renew_self(client, &current.token)?
            && granted > left + Duration::from_secs(1)
            && granted * 3 >= current.lifetime
        {
            current.until = Some(Instant::now() + granted);
            return Ok(());
        }
        tracing::debug!(store = %client.described, "store token not renewable for long enough: logging in again");
        *held = Some(login(client, role_id, secret_id, mount)?);
        Ok(())
    }
}

fn login(client: &Client, role_id: &str, secret_id: &Secret, mount: &str) -> Result<Held, Error> {
    let body = Zeroizing::new(
        serde_json::to_vec(&LoginBody {
            role_id,
            secret_id: secret_id.expose(),
        })
        .expect("two strings serialize"),
    );
    let path = format!("/v1/auth/{mount}/login");
    let answer = client.call(&Method::POST, &path, None, Some(&body), ANSWER_CAP)?;
    match answer.status {
        200 => {}
        400 | 403 => {
            return Err(words::store_error(
                &client.described,
                format!(
                    "refused the AppRole login at auth/{mount} ({})",
                    words::errors_of(&answer)
                ),
                "check [store].role_id and the secret id (it may be used up or expired: ask for a new one), then run the command again",
            ));
        }
        _ => {
            return Err(words::unexpected(
                &client.described,
                words::Action::Read,
                &format!("auth/{mount}/login"),
                &answer,
            ));
        }
    }
    let parsed: AuthAnswer = serde_json::from_slice(&answer.body).map_err(|_| {
        words::store_error(
            &client.described,
            format!("answered the AppRole login at auth/{mount} without a token"),
            "check [store].approle_mount is an AppRole auth mount",
        )
    })?;
    tracing::info!(store = %client.described, "logged in to the store with AppRole");
    let lifetime = Duration::from_secs(parsed.auth.lease_duration);
    Ok(Held {
        token: parsed.auth.client_token,
        until: (parsed.auth.lease_duration > 0).then(|| Instant::now() + lifetime),
        lifetime,
        renewable: parsed.auth.renewable,
    })
}

/// A token from the environment or the file: renewed when due, as far as it can be.
fn renew_fixed(client: &Client, token: &Secret, source: &str) -> Result<(), Error> {
    let answer = client.call(
        &Method::GET,
        "/v1/auth/token/lookup-self",
        Some(token),
        None,
        ANSWER_CAP,
    )?;
    match answer.status {
        200 => {}
        401 | 403 => return Err(words::token_refused(&client.described, source)),
        _ => {
            return Err(words::unexpected(
                &client.described,
                words::Action::Read,
                "auth/token/lookup-self",
                &answer,
            ));
        }
    }
    let Ok(LookupAnswer { data }) = serde_json::from_slice::<LookupAnswer>(&answer.body) else {
        return Ok(());
    };
    if data.renewable && data.ttl > 0 && data.ttl * 3 < data.creation_ttl {
        renew_self(client, token)?;
    }
    Ok(())
}

/// `auth/token/renew-self`: the lifetime granted, `None` when the store will not renew.
fn renew_self(client: &Client, token: &Secret) -> Result<Option<Duration>, Error> {
    let answer = client.call(
        &Method::POST,
        "/v1/auth/token/renew-self",
        Some(token),
        Some(b"{}"),
        ANSWER_CAP,
    )?;
    match answer.status {
        200 => {
            let granted = serde_json::from_slice::<AuthAnswer>(&answer.body)
                .ok()
                .map(|a| Duration::from_secs(a.auth.lease_duration));
            tracing::debug!(store = %client.described, "renewed the store token");
            Ok(granted)
        }
        400 | 403 => Ok(None),
        _ => Err(words::unexpected(
            &client.described,
            words::Action::Write,
            "auth/token/renew-self",
            &answer,
        )),
    }
}

/// Whether the store knows `token` at all: tells a refused token from a missing policy,
/// which both answer 403.
pub(super) fn is_valid(client: &Client, token: &Secret) -> Result<bool, Error> {
    let answer = client.call(
        &Method::GET,
        "/v1/auth/token/lookup-self",
        Some(token),
        None,
        ANSWER_CAP,
    )?;
    Ok(answer.status == 200)
}
